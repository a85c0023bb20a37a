/*
 * src/cli/cmd_migrate.c
 *	  godwit migrate: the whole delta migration, supervised.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "core/migrate.h"
#include "dialect/target.h"
#include "dialect/target_failback.h"

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
	int64_t		index_concurrency;
	int64_t		server_id;
	int64_t		flush_interval_us;
	int64_t		apply_batch_size;
	bool		skip_check;
	bool		skip_live_verify;
	bool		lock_source;
	bool		full_verify;
	bool		prepare_failback;
	int64_t		verify_concurrency;
	int			format;
} opt;

static const OptSpec migrate_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "source database: postgres://... or mysql://... (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "target database: postgres://... (PostgreSQL or CockroachDB)"},
	{.name = "table-concurrency", .type = OPT_INT, .target = &opt.table_concurrency, .metavar = "N",
	 .help = "fetch: tables copied at the same time", .default_value = "2", .min = 1, .max = 64},
	{.name = "export-concurrency", .type = OPT_INT, .target = &opt.export_concurrency, .metavar = "N",
	 .help = "fetch: shards of one table copied at the same time", .default_value = "2", .min = 1, .max = 64},
	{.name = "shard-size", .type = OPT_SIZE, .target = &opt.shard_size, .metavar = "SIZE",
	 .help = "fetch: target size of a shard (0: by target dialect)", .default_value = "0"},
	{.name = "slot-name", .type = OPT_STRING, .target = &opt.slot_name, .metavar = "NAME",
	 .help = "PostgreSQL replication slot", .default_value = "godwit_slot"},
	{.name = "publication", .type = OPT_STRING, .target = &opt.publication, .metavar = "NAME",
	 .help = "PostgreSQL publication", .default_value = "godwit_pub"},
	{.name = "replace-slot", .type = OPT_FLAG, .target = &opt.replace_slot,
	 .help = "drop an existing slot and publication of those names first"},
	{.name = "index-concurrency", .type = OPT_INT, .target = &opt.index_concurrency, .metavar = "N",
	 .help = "finalize: indexes and constraints created at once", .default_value = "2", .min = 1, .max = 64},
	{.name = "server-id", .type = OPT_INT, .target = &opt.server_id, .metavar = "N",
	 .help = "MySQL/MariaDB replica server_id", .default_value = "1959", .min = 1, .max = 4294967295LL},
	{.name = "flush-interval", .type = OPT_DURATION, .target = &opt.flush_interval_us, .metavar = "DURATION",
	 .help = "replicate: longest a change waits before it is applied", .default_value = "100ms"},
	{.name = "apply-batch-size", .type = OPT_INT, .target = &opt.apply_batch_size, .metavar = "N",
	 .help = "replicate: source changes per target transaction", .default_value = "20000",
	 .min = 1, .max = 10000000},
	{.name = "skip-check", .type = OPT_FLAG, .target = &opt.skip_check,
	 .help = "go on even when the preflight check fails"},
	{.name = "skip-live-verify", .type = OPT_FLAG, .target = &opt.skip_live_verify,
	 .help = "do not verify the tables while replicating"},
	{.name = "lock-source", .type = OPT_FLAG, .target = &opt.lock_source,
	 .help = "at cutover (SIGUSR1), make the source read-only first"},
	{.name = "full-verify", .type = OPT_FLAG, .target = &opt.full_verify,
	 .help = "at cutover, verify every row instead of the changed ones"},
	{.name = "prepare-failback", .type = OPT_FLAG, .target = &opt.prepare_failback,
	 .help = "at cutover, create the slot godwit failback reads on the target (checked now)"},
	{.name = "verify-concurrency", .type = OPT_INT, .target = &opt.verify_concurrency, .metavar = "N",
	 .help = "verification threads", .default_value = "1", .min = 1, .max = 64},
	{.name = "format", .type = OPT_ENUM, .target = &opt.format, .metavar = "FMT",
	 .help = "report format", .default_value = "text", .choices = format_choices},
	CLI_SCHEMA_FILTER_OPTIONS,
	CLI_SCHEMA_MAPPING_OPTIONS,
	CLI_SCHEMA_TABLE_OPTIONS,
	OPT_TABLE_END
};

static int
migrate_main(void)
{
	CliMigration m;
	bool		ok = false;
	char	   *fingerprint = NULL;

	if (!cli_migration_open(&m, opt.source, opt.target))
		goto done;
	fingerprint = cli_options_fingerprint(false);

	CliFetchHooks hooks = {&m, (int) opt.index_concurrency};
	MigrateOptions mo = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.schema = &m.so,
		.skip_check = opt.skip_check,
		.live_verify = !opt.skip_live_verify,
		.fetch = {
			.source = &m.src_url,
			.target = &m.tgt_url,
			.table_concurrency = (int) opt.table_concurrency,
			.export_concurrency = (int) opt.export_concurrency,
			.shard_bytes = opt.shard_size ? (int64_t) opt.shard_size
			: (target_dialect(&m.target) == TARGET_COCKROACH ? 32LL << 20 : 256LL << 20),
			.replace_slot = opt.replace_slot,
			.slot_name = opt.slot_name,
			.publication = opt.publication,
			.json_summary = opt.format == FORMAT_JSON,
			.options_fingerprint = fingerprint,
			.create_schema = cli_hook_create_schema,
			.finalize = cli_hook_finalize,
			.build_table = cli_hook_build_table,
			.schema_arg = &hooks,
		},
		.replicate = {
			.source = &m.src_url,
			.target = &m.tgt_url,
			.server_id = (uint32_t) opt.server_id,
			.flush_interval_us = opt.flush_interval_us,
			.apply_batch_changes = (int) opt.apply_batch_size,
			.apply_batch_bytes = 32 << 20,
			.rows_per_statement = 1000,
			.track_changes = true,
		},
		.verify = {
			.source = &m.src_url,
			.target = &m.tgt_url,
			.filter = m.so.filter,
			.concurrency = (int) opt.verify_concurrency,
			.live = VERIFY_LIVE_ON,
			.live_retries = 5,
			.live_timeout_us = 60000000,
			.max_reported_rows = 100,
			.hash_pushdown = true,
			.json = opt.format == FORMAT_JSON,
			.store_results = true,
		},
	};

	mo.cutover = (CutoverOptions) {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.schema = &m.so,
		.lock_source = opt.lock_source,
		.drain_timeout_us = 300000000,
		.full_verify = opt.full_verify,
		.verify_concurrency = (int) opt.verify_concurrency,
		.json = opt.format == FORMAT_JSON,
		.replicate = &mo.replicate,
		.prepare_failback = opt.prepare_failback,
	};
	/* hours before the cutover is the time to learn that failback cannot work */
	if (opt.prepare_failback && !target_failback_check(&m.target, m.src_url.engine))
		goto done;
	ok = migrate_run(&mo, m.src, &m.target, &m.cat);

done:
	free(fingerprint);
	cli_migration_close(&m);
	return cli_exit_code(ok);
}

const Command command_migrate = {
	.name = "migrate",
	.summary = "the whole delta migration: check, fetch, replicate, live verify, cutover",
	.description =
	"Runs every step in one supervised process: preflight check, fetch (schema, consistent\n"
	"parallel copy, finalize), replication from the snapshot, and one live verify while\n"
	"replicating. Then it waits for the operator: `kill -USR1 <pid>` makes migrate carry out\n"
	"the cutover and print the report; `godwit cutover` from another shell also works.\n"
	"Everything is kept in the target's _godwit schema: kill it at any moment and rerun the same\n"
	"command to continue. See docs/delta-migration.md.",
	.options = migrate_options,
	.common_options = true,
	.run = migrate_main,
};
