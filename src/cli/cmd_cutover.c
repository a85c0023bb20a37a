/*
 * src/cli/cmd_cutover.c
 *	  godwit cutover: drain, sequences, verify, report.
 */
#include <stdio.h>

#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "common/timeutil.h"
#include "core/cutover.h"
#include "core/schema.h"
#include "dialect/source.h"
#include "dialect/target.h"

static struct
{
	char	   *source;
	char	   *target;
	bool		lock_source;
	bool		full_verify;
	bool		prepare_failback;
	int64_t		drain_timeout_us;
	int64_t		verify_concurrency;
	int64_t		server_id;
	int			format;
} opt;

static const OptSpec cutover_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "source database (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "target database (prefer GODWIT_TARGET)"},
	{.name = "lock-source", .type = OPT_FLAG, .target = &opt.lock_source,
	 .help = "make the source read-only first (else: stop the application's writes yourself)"},
	{.name = "full-verify", .type = OPT_FLAG, .target = &opt.full_verify,
	 .help = "verify every row, not only the rows replication changed"},
	{.name = "prepare-failback", .type = OPT_FLAG, .target = &opt.prepare_failback,
	 .help = "create the slot godwit failback reads on the target (PostgreSQL target and source)"},
	{.name = "drain-timeout", .type = OPT_DURATION, .target = &opt.drain_timeout_us, .metavar = "DURATION",
	 .help = "longest wait for replication to drain", .default_value = "5m"},
	{.name = "verify-concurrency", .type = OPT_INT, .target = &opt.verify_concurrency, .metavar = "N",
	 .help = "verification threads", .default_value = "2", .min = 1, .max = 64},
	{.name = "server-id", .type = OPT_INT, .target = &opt.server_id, .metavar = "N",
	 .help = "MySQL/MariaDB replica server_id when cutover drives replication itself",
	 .default_value = "1959", .min = 1, .max = 4294967295LL},
	{.name = "format", .type = OPT_ENUM, .target = &opt.format, .metavar = "FMT",
	 .help = "report format", .default_value = "text", .choices = format_choices},
	CLI_SCHEMA_FILTER_OPTIONS,
	CLI_SCHEMA_MAPPING_OPTIONS,
	CLI_MIGRATION_ALLOW_NO_PK_OPTION,
	OPT_TABLE_END
};

static int
cutover_main(void)
{
	int64_t		halt_start = time_now_us();	/* writes stopped when we were called */
	CliMigration m;
	bool		ok = false;

	if (!cli_migration_open(&m, opt.source, opt.target))
		goto done;

	ReplicateOptions ro = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.server_id = (uint32_t) opt.server_id,
		.flush_interval_us = 50000,
		.apply_batch_changes = 20000,
		.apply_batch_bytes = 32 << 20,
		.rows_per_statement = 1000,
		.track_changes = true,
	};
	CutoverOptions co = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.schema = &m.so,
		.lock_source = opt.lock_source,
		.drain_timeout_us = opt.drain_timeout_us,
		.full_verify = opt.full_verify,
		.verify_concurrency = (int) opt.verify_concurrency,
		.json = opt.format == FORMAT_JSON,
		.halt_started_us = halt_start,
		.replicate = &ro,
		.prepare_failback = opt.prepare_failback,
	};

	ok = cutover_run(&co, m.src, &m.target, &m.cat);

done:
	cli_migration_close(&m);
	return cli_exit_code(ok);
}

const Command command_cutover = {
	.name = "cutover",
	.summary = "the write halt: drain replication, sync sequences, verify, report the downtime",
	.description =
	"Run once the application has stopped writing (or with --lock-source). Reads the source's\n"
	"position, waits until replication has applied it (the running godwit replicate or migrate\n"
	"stops there; with none running, cutover replicates itself), sets every target sequence past\n"
	"the source's, verifies the rows replication changed (--full-verify: every row), and prints\n"
	"the write-halt duration. Exit 0 only when the target is ready. With --prepare-failback it also\n"
	"creates, still inside the halt, the slot from which godwit failback replicates the target's\n"
	"writes back to the source. See docs/delta-migration.md and docs/failback.md.",
	.options = cutover_options,
	.common_options = true,
	.run = cutover_main,
};
