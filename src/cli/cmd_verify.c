/*
 * src/cli/cmd_verify.c
 *	  godwit verify: flags, load the schema as fetch did, compare, exit code
 *	  (0 when everything matches, 5 on differences).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "core/schema.h"
#include "core/verify.h"
#include "dialect/source.h"
#include "dialect/target.h"

static struct
{
	char	   *source;
	char	   *target;
	int64_t		concurrency;
	int64_t		rows_per_second;
	bool		live;
	bool		no_live;
	int64_t		live_retries;
	int64_t		live_timeout_us;
	int64_t		max_reported_rows;
	uint64_t	shard_size;
	bool		no_hash;
	bool		no_store;
	int			format;
} opt;

static const OptSpec verify_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "source database, the truth: postgres://... or mysql://... (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "target database: postgres://... (PostgreSQL or CockroachDB)"},
	{.name = "concurrency", .type = OPT_INT, .target = &opt.concurrency, .metavar = "N",
	 .help = "ranges verified at the same time (one source and one target connection each)",
	 .default_value = "2", .min = 1, .max = 64},
	{.name = "rows-per-second", .type = OPT_INT, .target = &opt.rows_per_second, .metavar = "N",
	 .help = "read at most this many source rows per second, to spare a production source (0: no limit)",
	 .default_value = "0", .min = 0, .max = INT64_MAX / 1000000},
	{.name = "live", .type = OPT_FLAG, .target = &opt.live,
	 .help = "re-check differing rows once replication has passed them (default when a replication checkpoint exists)"},
	{.name = "no-live", .type = OPT_FLAG, .target = &opt.no_live,
	 .help = "report differences as found, even while replication runs"},
	{.name = "live-retries", .type = OPT_INT, .target = &opt.live_retries, .metavar = "N",
	 .help = "live: re-checks of a differing row before it is reported", .default_value = "5", .min = 1, .max = 100},
	{.name = "live-timeout", .type = OPT_DURATION, .target = &opt.live_timeout_us, .metavar = "DURATION",
	 .help = "live: longest wait for replication to pass a source position, per re-check", .default_value = "30s"},
	{.name = "max-reported-rows", .type = OPT_INT, .target = &opt.max_reported_rows, .metavar = "N",
	 .help = "offending rows listed per table (all are counted)", .default_value = "100", .min = 0, .max = 1000000},
	{.name = "shard-size", .type = OPT_SIZE, .target = &opt.shard_size, .metavar = "SIZE",
	 .help = "target size of a key range (0: 1GB)", .default_value = "0"},
	{.name = "no-hash", .type = OPT_FLAG, .target = &opt.no_hash,
	 .help = "never let the databases hash ranges: compare every row in godwit"},
	{.name = "no-store", .type = OPT_FLAG, .target = &opt.no_store,
	 .help = "do not record the results in the target's _godwit schema"},
	{.name = "format", .type = OPT_ENUM, .target = &opt.format, .metavar = "FMT",
	 .help = "report format: a table, or JSON lines with MOLT's field names", .default_value = "text",
	 .choices = format_choices},
	CLI_SCHEMA_FILTER_OPTIONS,
	CLI_SCHEMA_MAPPING_OPTIONS,
	{.name = "allow-no-pk", .type = OPT_FLAG, .target = &cli_schema_opts.allow_no_pk,
	 .help = "verify tables without a primary key too (compared whole, rows cannot be named)"},
	OPT_TABLE_END
};

/* The options stored with the run. */
static char *
options_json(void)
{
	StrBuf		b;
	JsonWriter	w;

	sb_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "schema_filter", cli_schema_opts.schema_filter);
	jw_kv_string(&w, "table_filter", cli_schema_opts.table_filter);
	jw_kv_string(&w, "table_exclusion_filter", cli_schema_opts.table_exclusion_filter);
	jw_kv_string(&w, "target_schema", cli_schema_opts.target_schema);
	jw_kv_int(&w, "concurrency", opt.concurrency);
	jw_kv_int(&w, "rows_per_second", opt.rows_per_second);
	jw_object_end(&w);
	return sb_steal(&b);
}

static int
verify_main(void)
{
	CliMigration m = {0};
	bool		ok = false;
	char	   *oj = NULL;

	if (opt.live && opt.no_live)
	{
		err_set_kind(ERR_ARGS);
		log_error("--live and --no-live contradict each other");
		return cli_exit_code(false);
	}
	if (!cli_migration_open(&m, opt.source, opt.target))
		goto done;

	oj = options_json();
	VerifyOptions vo = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.filter = m.so.filter,
		.concurrency = (int) opt.concurrency,
		.rows_per_second = opt.rows_per_second,
		.live = opt.live ? VERIFY_LIVE_ON : opt.no_live ? VERIFY_LIVE_OFF : VERIFY_LIVE_AUTO,
		.live_retries = (int) opt.live_retries,
		.live_timeout_us = opt.live_timeout_us,
		.max_reported_rows = (int) opt.max_reported_rows,
		.shard_bytes = opt.shard_size ? (int64_t) opt.shard_size : 1LL << 30,
		.hash_pushdown = !opt.no_hash,
		.json = opt.format == FORMAT_JSON,
		.store_results = !opt.no_store,
		.options_json = oj,
	};

	ok = verify_run(&vo, m.src, &m.target, &m.cat);

done:
	free(oj);
	cli_migration_close(&m);
	return cli_exit_code(ok);
}

const Command command_verify = {
	.name = "verify",
	.summary = "compare source and target row by row (exit 5 on differences), also while replicating",
	.description =
	"Checks that every selected table exists on the target with the mapped columns, then compares\n"
	"the rows: each table is split into key ranges; where both databases are PostgreSQL a range is\n"
	"first hashed by both servers, and only ranges that differ are read row by row, merge-joined by\n"
	"primary key. Values are compared in a canonical form per type, after the same conversion fetch\n"
	"applies, so MySQL and PostgreSQL values that are the same compare equal. Reports missing,\n"
	"extraneous and mismatching rows with their keys (MOLT's summary fields with --format json) and\n"
	"stores them in _godwit.verify_*. While godwit replicate runs (a checkpoint exists), differing\n"
	"rows are re-checked once replication has passed them. Exit code 0: identical; 5: differences.\n"
	"See docs/verify.md.",
	.options = verify_options,
	.common_options = true,
	.run = verify_main,
};
