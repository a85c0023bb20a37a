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
#include "common/json.h"
#include "common/log.h"
#include "core/fetch.h"
#include "core/schema.h"
#include "dialect/source.h"
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

typedef struct FetchSchemaHooks
{
	SchemaOptions *so;
	Catalog    *cat;
	PgConn	   *target;
	const ConnUrl *target_url;
} FetchSchemaHooks;

static bool
hook_create_schema(void *arg)
{
	FetchSchemaHooks *h = arg;

	return schema_apply(h->so, h->cat, h->target);
}

static bool
hook_finalize(void *arg)
{
	FetchSchemaHooks *h = arg;
	FinalizeStats st = {0};
	bool		ok = schema_finalize(h->cat, h->target_url, (int) opt.index_concurrency, &st);

	log_info("finalize: %d deferred objects: %d created, %d already present, %d rejected, %d failed",
			 st.objects, st.created, st.existed, st.rejected, st.failed);
	return ok;
}

/* The options a resumed run must share with the run it resumes. */
static char *
options_fingerprint(void)
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
	jw_kv_bool(&w, "no_replication", opt.no_replication);
	jw_object_end(&w);
	return sb_steal(&b);
}

static int
fetch_main(void)
{
	ConnUrl		src_url = {0},
				tgt_url = {0};
	SchemaOptions so;
	Source	   *src = NULL;
	PgConn		target = {0};
	bool		have_target = false;
	Catalog		cat = {0};
	bool		ok = false;
	char	   *fingerprint = NULL;

	if (!cli_parse_url("--source", opt.source, &src_url) ||
		!cli_parse_url("--target", opt.target, &tgt_url) ||
		!cli_schema_options_build(&so))
		goto done;
	if (!target_connect(&target, &tgt_url))
		goto done;
	have_target = true;
	src = source_open(&src_url);
	if (src == NULL || !schema_load(&so, src, &target, &cat))
		goto done;

	FetchSchemaHooks hooks = {&so, &cat, &target, &tgt_url};

	fingerprint = options_fingerprint();
	FetchOptions fo = {
		.source = &src_url,
		.target = &tgt_url,
		.table_concurrency = (int) opt.table_concurrency,
		.export_concurrency = (int) opt.export_concurrency,
		.shard_bytes = opt.shard_size ? (int64_t) opt.shard_size
		: (target_dialect(&target) == TARGET_COCKROACH ? 32LL << 20 : 256LL << 20),
		.no_replication = opt.no_replication,
		.replace_slot = opt.replace_slot,
		.restart = opt.restart,
		.slot_name = opt.slot_name,
		.publication = opt.publication,
		.lock_timeout_us = opt.lock_timeout_us,
		.snapshot_lock = (SnapshotLock) opt.snapshot_lock,
		.json_summary = opt.format == FORMAT_JSON,
		.options_fingerprint = fingerprint,
		.create_schema = hook_create_schema,
		.finalize = opt.skip_finalize ? NULL : hook_finalize,
		.schema_arg = &hooks,
	};

	ok = fetch_run(&fo, src, &target, &cat);

done:
	fflush(stdout);
	free(fingerprint);
	catalog_free(&cat);
	source_close(src);
	if (have_target)
		pg_disconnect(&target);
	cli_schema_options_free();
	conn_url_free(&src_url);
	conn_url_free(&tgt_url);
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
