/*
 * src/cli/cmd_failback.c
 *	  godwit failback: the replicate pipeline the other way, target -> source,
 *	  from the slot cutover --prepare-failback created; and with --cutover, the
 *	  cutover of the way back.
 *
 * --source and --target keep their meaning from the migration (the old
 * database and the new one), so the same GODWIT_SOURCE / GODWIT_TARGET serve
 * both directions; the command turns them around.
 */
#include <stdio.h>

#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "core/cutover.h"
#include "core/replicate.h"
#include "dialect/target_failback.h"

static struct
{
	char	   *source;
	char	   *target;
	char	   *slot_name;
	char	   *publication;
	int64_t		flush_interval_us;
	bool		stop_when_caught_up;
	bool		cutover;
	bool		lock_target;
	int64_t		drain_timeout_us;
	int			format;
} opt;

static const OptSpec failback_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "the migration's source, which receives the changes (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "the migration's target, where the application now writes (prefer GODWIT_TARGET)"},
	{.name = "slot-name", .type = OPT_STRING, .target = &opt.slot_name, .metavar = "NAME",
	 .help = "slot on the target", .default_value = FAILBACK_SLOT},
	{.name = "publication", .type = OPT_STRING, .target = &opt.publication, .metavar = "NAME",
	 .help = "publication on the target", .default_value = FAILBACK_PUBLICATION},
	{.name = "flush-interval", .type = OPT_DURATION, .target = &opt.flush_interval_us, .metavar = "DURATION",
	 .help = "longest a change waits before it is applied", .default_value = "100ms"},
	{.name = "stop-when-caught-up", .type = OPT_FLAG, .target = &opt.stop_when_caught_up,
	 .help = "exit once everything the target had logged at start is applied"},
	{.name = "cutover", .type = OPT_FLAG, .target = &opt.cutover,
	 .help = "the way back's write halt: drain, sequences, verify; then the source accepts writes again"},
	{.name = "lock-target", .type = OPT_FLAG, .target = &opt.lock_target,
	 .help = "with --cutover: make the target read-only first"},
	{.name = "drain-timeout", .type = OPT_DURATION, .target = &opt.drain_timeout_us, .metavar = "DURATION",
	 .help = "with --cutover: longest wait for replication to drain", .default_value = "5m"},
	{.name = "format", .type = OPT_ENUM, .target = &opt.format, .metavar = "FMT",
	 .help = "with --cutover: report format", .default_value = "text", .choices = format_choices},
	CLI_SCHEMA_FILTER_OPTIONS,	/* the MySQL mapping options do not apply: PostgreSQL both ways */
	CLI_MIGRATION_ALLOW_NO_PK_OPTION,
	OPT_TABLE_END
};

static int
failback_main(void)
{
	int64_t		halt_start = time_now_us();
	CliMigration m;
	bool		ok = false;

	if (opt.lock_target && !opt.cutover)
	{
		err_set_kind(ERR_ARGS);
		log_error("--lock-target belongs to --cutover");
		return cli_exit_code(false);
	}
	/* from here on the migration's target is the source of changes */
	if (!cli_migration_open_failback(&m, opt.source, opt.target))
		goto done;

	ReplicateOptions ro = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.slot_name = opt.slot_name,
		.publication = opt.publication,
		.flush_interval_us = opt.cutover ? 50000 : opt.flush_interval_us,
		.apply_batch_changes = 20000,
		.apply_batch_bytes = 32 << 20,
		.rows_per_statement = 1000,
		.stop_when_caught_up = opt.stop_when_caught_up,
		.track_changes = true,	/* the way back's cutover verifies what changed */
	};

	if (!opt.cutover)
	{
		ok = replicate_run(&ro, m.src, &m.target, &m.cat);
		goto done;
	}

	CutoverOptions co = {
		.source = &m.src_url,
		.target = &m.tgt_url,
		.schema = &m.so,
		.lock_source = opt.lock_target,
		.drain_timeout_us = opt.drain_timeout_us,
		.verify_concurrency = 2,
		.json = opt.format == FORMAT_JSON,
		.halt_started_us = halt_start,
		.replicate = &ro,
		.failback = true,
	};

	ok = cutover_run(&co, m.src, &m.target, &m.cat);

done:
	cli_migration_close(&m);
	return cli_exit_code(ok);
}

const Command command_failback = {
	.name = "failback",
	.summary = "replicate the target's writes back to the source after cutover, and cut back over",
	.description =
	"After a cutover made with --prepare-failback, streams every write the application makes on\n"
	"the target back to the source (the replicate pipeline, target -> source: exactly once, resumes\n"
	"after a crash). Runs until SIGINT/SIGTERM. With --cutover, once the application has stopped\n"
	"writing to the target (or with --lock-target): drains, sets the source's sequences past the\n"
	"target's, verifies what changed and lets the source accept writes again. PostgreSQL source\n"
	"and target. See docs/failback.md.",
	.options = failback_options,
	.common_options = true,
	.run = failback_main,
};
