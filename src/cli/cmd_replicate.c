/*
 * src/cli/cmd_replicate.c
 *	  godwit replicate: flags, load the schema, run the replication pipeline.
 */
#include <stdio.h>

#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "core/replicate.h"
#include "core/schema.h"
#include "dialect/source.h"
#include "dialect/target.h"

static struct
{
	char	   *source;
	char	   *target;
	char	   *slot_name;
	char	   *publication;
	char	   *start_position;
	int64_t		server_id;
	int64_t		flush_interval_us;
	int64_t		apply_batch_size;
	uint64_t	apply_batch_bytes;
	int64_t		rows_per_statement;
	bool		stop_when_caught_up;
	bool		skip_change_tracking;
	bool		ignore_truncate;
} opt;

static const OptSpec replicate_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "source database: postgres://... or mysql://... (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "target database: postgres://... (PostgreSQL or CockroachDB)"},
	{.name = "slot-name", .type = OPT_STRING, .target = &opt.slot_name, .metavar = "NAME",
	 .help = "PostgreSQL slot (default: the one fetch created)"},
	{.name = "publication", .type = OPT_STRING, .target = &opt.publication, .metavar = "NAME",
	 .help = "PostgreSQL publication (default: the one fetch created)"},
	{.name = "start-position", .type = OPT_STRING, .target = &opt.start_position, .metavar = "POS",
	 .help = "replication only: start after this LSN or GTID position instead of fetch's"},
	{.name = "server-id", .type = OPT_INT, .target = &opt.server_id, .metavar = "N",
	 .help = "MySQL/MariaDB: replica server_id (unique among the source's replicas)",
	 .default_value = "1959", .min = 1, .max = 4294967295LL},
	{.name = "flush-interval", .type = OPT_DURATION, .target = &opt.flush_interval_us, .metavar = "DURATION",
	 .help = "longest a change waits before it is applied", .default_value = "100ms"},
	{.name = "apply-batch-size", .type = OPT_INT, .target = &opt.apply_batch_size, .metavar = "N",
	 .help = "source changes per target transaction (at most)", .default_value = "20000",
	 .min = 1, .max = 10000000},
	{.name = "apply-batch-bytes", .type = OPT_SIZE, .target = &opt.apply_batch_bytes, .metavar = "SIZE",
	 .help = "bytes of changes per target transaction (at most; memory holds about twice this)",
	 .default_value = "32MB"},
	{.name = "rows-per-statement", .type = OPT_INT, .target = &opt.rows_per_statement, .metavar = "N",
	 .help = "rows in one multi-row upsert or delete", .default_value = "1000", .min = 1, .max = 65535},
	{.name = "stop-when-caught-up", .type = OPT_FLAG, .target = &opt.stop_when_caught_up,
	 .help = "exit once everything the source had logged at start is applied"},
	{.name = "skip-change-tracking", .type = OPT_FLAG, .target = &opt.skip_change_tracking,
	 .help = "do not record written keys (cutover then verifies whole tables)"},
	{.name = "ignore-truncate", .type = OPT_FLAG, .target = &opt.ignore_truncate,
	 .help = "do not apply the source's TRUNCATEs (the target keeps those rows; logged)"},
	CLI_SCHEMA_FILTER_OPTIONS,
	CLI_SCHEMA_MAPPING_OPTIONS,
	CLI_MIGRATION_ALLOW_NO_PK_OPTION,
	OPT_TABLE_END
};

static int
replicate_main(void)
{
	CliMigration m;
	bool		ok = false;

	if (!cli_migration_open(&m, opt.source, opt.target))
		goto done;

	ReplicateOptions ro = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.slot_name = opt.slot_name,
		.publication = opt.publication,
		.start_position = opt.start_position,
		.server_id = (uint32_t) opt.server_id,
		.flush_interval_us = opt.flush_interval_us,
		.apply_batch_changes = (int) opt.apply_batch_size,
		.apply_batch_bytes = (int64_t) opt.apply_batch_bytes,
		.rows_per_statement = (int) opt.rows_per_statement,
		.stop_when_caught_up = opt.stop_when_caught_up,
		.track_changes = !opt.skip_change_tracking,
		.ignore_truncate = opt.ignore_truncate,
	};

	ok = replicate_run(&ro, m.src, &m.target, &m.cat);	/* a requested stop after a clean flush is success */

done:
	cli_migration_close(&m);
	return cli_exit_code(ok);
}

const Command command_replicate = {
	.name = "replicate",
	.summary = "change data capture from fetch's snapshot, applied exactly once",
	.description =
	"Streams every change committed on the source after fetch's snapshot (PostgreSQL logical\n"
	"replication with pgoutput; MySQL/MariaDB row binlog by GTID) and applies it to the target:\n"
	"many source transactions per target transaction, multi-row upserts and deletes, and the\n"
	"checkpoint in the same transaction, so every change lands exactly once across crashes.\n"
	"Runs until SIGINT/SIGTERM (then flushes and exits 0). See docs/replicate.md.",
	.options = replicate_options,
	.common_options = true,
	.run = replicate_main,
};
