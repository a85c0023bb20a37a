/*
 * src/cli/cmd_fetch.c
 *	  godwit fetch: flags, schema hooks, run the bulk copy, exit code.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "core/fetch.h"
#include "dialect/target.h"

static struct
{
	char	   *source;
	char	   *target;
	int64_t		table_concurrency;
	int64_t		export_concurrency;
	uint64_t	shard_size;
	char	   *slot_name;
	char	   *publication;
	bool		replace_slot;
	bool		no_replication;
	bool		restart;
	bool		skip_finalize;
	int64_t		index_concurrency;
	int64_t		lock_timeout_us;
	int			snapshot_lock;
	int			format;
} opt;

/* Order of SnapshotLock. */
static const char *const snapshot_lock_choices[] = {"auto", "backup-stage", "ftwrl", "none", NULL};

static const OptSpec fetch_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "source database: postgres://... or mysql://... (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "target database: postgres://... (PostgreSQL or CockroachDB)"},
	{.name = "table-concurrency", .type = OPT_INT, .target = &opt.table_concurrency, .metavar = "N",
	 .help = "tables copied at the same time", .default_value = "2", .min = 1, .max = 64},
	{.name = "export-concurrency", .type = OPT_INT, .target = &opt.export_concurrency, .metavar = "N",
	 .help = "shards of one table copied at the same time", .default_value = "2", .min = 1, .max = 64},
	{.name = "shard-size", .type = OPT_SIZE, .target = &opt.shard_size, .metavar = "SIZE",
	 .help = "target size of a shard (0: 256MB on PostgreSQL, 32MB on CockroachDB)", .default_value = "0"},
	{.name = "slot-name", .type = OPT_STRING, .target = &opt.slot_name, .metavar = "NAME",
	 .help = "PostgreSQL replication slot created for replicate", .default_value = "godwit_slot"},
	{.name = "publication", .type = OPT_STRING, .target = &opt.publication, .metavar = "NAME",
	 .help = "PostgreSQL publication of the selected tables", .default_value = "godwit_pub"},
	{.name = "replace-slot", .type = OPT_FLAG, .target = &opt.replace_slot,
	 .help = "drop an existing slot and publication of those names first"},
	{.name = "no-replication", .type = OPT_FLAG, .target = &opt.no_replication,
	 .help = "a plain copy: no slot, no publication, no cdc cursor"},
	{.name = "restart", .type = OPT_FLAG, .target = &opt.restart,
	 .help = "abandon an unfinished (or finished) run and copy everything again"},
	{.name = "skip-finalize", .type = OPT_FLAG, .target = &opt.skip_finalize,
	 .help = "leave indexes and constraints for godwit finalize"},
	{.name = "index-concurrency", .type = OPT_INT, .target = &opt.index_concurrency, .metavar = "N",
	 .help = "finalize: objects created at once", .default_value = "2", .min = 1, .max = 64},
	{.name = "lock-timeout", .type = OPT_DURATION, .target = &opt.lock_timeout_us, .metavar = "DURATION",
	 .help = "MySQL: longest wait for the snapshot lock before retrying (a wait blocks writers)",
	 .default_value = "2s"},
	{.name = "snapshot-lock", .type = OPT_ENUM, .target = &opt.snapshot_lock, .metavar = "MODE",
	 .help = "MySQL: auto, backup-stage, ftwrl or none (see docs/fetch-mysql.md)", .default_value = "auto",
	 .choices = snapshot_lock_choices},
	{.name = "format", .type = OPT_ENUM, .target = &opt.format, .metavar = "FMT",
	 .help = "summary format", .default_value = "text", .choices = format_choices},
	CLI_SCHEMA_FILTER_OPTIONS,
	CLI_SCHEMA_MAPPING_OPTIONS,
	CLI_SCHEMA_TABLE_OPTIONS,
	OPT_TABLE_END
};

static int
fetch_main(void)
{
	CliMigration m;
	bool		ok = false;
	char	   *fingerprint = NULL;

	if (!cli_migration_open(&m, opt.source, opt.target))
		goto done;

	CliFetchHooks hooks = {&m, (int) opt.index_concurrency};

	fingerprint = cli_options_fingerprint(opt.no_replication);
	FetchOptions fo = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.table_concurrency = (int) opt.table_concurrency,
		.export_concurrency = (int) opt.export_concurrency,
		.shard_bytes = opt.shard_size ? (int64_t) opt.shard_size
		: (target_dialect(&m.target) == TARGET_COCKROACH ? 32LL << 20 : 256LL << 20),
		.no_replication = opt.no_replication,
		.replace_slot = opt.replace_slot,
		.restart = opt.restart,
		.slot_name = opt.slot_name,
		.publication = opt.publication,
		.lock_timeout_us = opt.lock_timeout_us,
		.snapshot_lock = (SnapshotLock) opt.snapshot_lock,
		.json_summary = opt.format == FORMAT_JSON,
		.options_fingerprint = fingerprint,
		.create_schema = cli_hook_create_schema,
		.finalize = opt.skip_finalize ? NULL : cli_hook_finalize,
		.build_table = cli_hook_build_table,
		.schema_arg = &hooks,
	};

	ok = fetch_run(&fo, m.src, &m.target, &m.cat);

done:
	free(fingerprint);
	cli_migration_close(&m);
	return cli_exit_code(ok);
}

const Command command_fetch = {
	.name = "fetch",
	.summary = "consistent, parallel, resumable bulk copy (creates the replication start point)",
	.description =
	"Creates the target schema, takes one consistent snapshot of the source together with the\n"
	"replication start point (PostgreSQL: a logical slot with an exported snapshot; MySQL: the\n"
	"GTID position under a brief lock), and copies every selected table in parallel, split into\n"
	"key-range shards. Each shard commits with its done mark, so after any failure or kill the\n"
	"same command resumes and copies only what is missing. Then finalize creates the indexes\n"
	"and constraints. State lives in the target's _godwit schema. See docs/fetch.md.",
	.options = fetch_options,
	.common_options = true,
	.run = fetch_main,
};
