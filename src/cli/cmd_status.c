/*
 * src/cli/cmd_status.c
 *	  godwit status: where a migration stands.
 */
#include <stdio.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "core/status.h"
#include "dialect/source.h"
#include "dialect/target.h"

static struct
{
	char	   *source;
	char	   *target;
	int			format;
} opt;

static const OptSpec status_options[] = {
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "target database holding the migration state (_godwit)"},
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .help = "source database (optional: adds the replication lag in bytes)"},
	{.name = "format", .type = OPT_ENUM, .target = &opt.format, .metavar = "FMT",
	 .help = "output format", .default_value = "text", .choices = format_choices},
	OPT_TABLE_END
};

static int
status_main(void)
{
	ConnUrl		src_url = {0},
				tgt_url = {0};
	PgConn		target = {0};
	Source	   *src = NULL;
	bool		ok = false;

	if (!cli_parse_url("--target", opt.target, &tgt_url))
		goto done;
	if (opt.source && !cli_parse_url("--source", opt.source, &src_url))
		goto done;
	if (!target_connect(&target, &tgt_url))
		goto done;
	if (opt.source && (src = source_open(&src_url)) == NULL)
		goto done;
	ok = status_print(&target, src, opt.format == FORMAT_JSON);

done:
	source_close(src);
	pg_disconnect(&target);
	conn_url_free(&src_url);
	conn_url_free(&tgt_url);
	return cli_exit_code(ok);
}

const Command command_status = {
	.name = "status",
	.summary = "where a migration stands: phase, fetch, replication lag, verify, cutover",
	.description =
	"Reads the migration state kept in the target's _godwit schema: the phase, the bulk copy's\n"
	"progress, the replication position and lag (in bytes too when --source is given), the\n"
	"last verify and the last cutover. Safe to run at any time, from anywhere.",
	.options = status_options,
	.common_options = true,
	.run = status_main,
};
