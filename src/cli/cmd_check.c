/*
 * src/cli/cmd_check.c
 *	  godwit check: flags, run the preflight, print the report, exit code.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "core/check.h"

static struct
{
	char	   *source;
	char	   *target;
	char	   *schema_filter;
	char	   *table_filter;
	char	   *table_exclusion_filter;
	bool		allow_no_pk;
	bool		no_replication;
	int			format;
} opt;

static const OptSpec check_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .help = "source database: postgres://... or mysql://... (prefer GODWIT_SOURCE: keeps the password out of ps)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .help = "target database: postgres://... (PostgreSQL or CockroachDB)"},
	{.name = "schema-filter", .type = OPT_STRING, .target = &opt.schema_filter, .metavar = "REGEX",
	 .help = "schemas to migrate (whole-name POSIX regex)", .default_value = ".*"},
	{.name = "table-filter", .type = OPT_STRING, .target = &opt.table_filter, .metavar = "REGEX",
	 .help = "tables to migrate (whole-name POSIX regex)", .default_value = ".*"},
	{.name = "table-exclusion-filter", .type = OPT_STRING, .target = &opt.table_exclusion_filter,
	 .metavar = "REGEX", .help = "tables to leave out (whole-name POSIX regex)"},
	{.name = "allow-no-pk", .type = OPT_FLAG, .target = &opt.allow_no_pk,
	 .help = "report tables without a primary key as a warning, not a failure"},
	{.name = "no-replication", .type = OPT_FLAG, .target = &opt.no_replication,
	 .help = "check for a bulk copy only (skip replication settings)"},
	{.name = "format", .type = OPT_ENUM, .target = &opt.format, .metavar = "FMT",
	 .help = "report format", .default_value = "text", .choices = format_choices},
	OPT_TABLE_END
};

static int
check_main(void)
{
	ConnUrl		src,
				tgt;
	TableFilter filter;
	CheckList	report;
	CheckOptions co = {0};
	bool		have_src = false,
				have_tgt = false;

	if (opt.source == NULL && opt.target == NULL)
	{
		fprintf(stderr, "godwit check: give --source, --target or both (or GODWIT_SOURCE / GODWIT_TARGET)\n");
		return EXIT_BAD_ARGS;
	}
	if (opt.source)
	{
		if (!cli_parse_url("--source", opt.source, &src))
			return cli_exit_code(false);
		have_src = true;
		co.source = &src;
	}
	if (opt.target)
	{
		if (!cli_parse_url("--target", opt.target, &tgt))
			return cli_exit_code(false);
		have_tgt = true;
		co.target = &tgt;
	}
	if (!cli_filter_init(&filter, opt.schema_filter, opt.table_filter, opt.table_exclusion_filter))
		return cli_exit_code(false);
	co.filter = &filter;
	co.allow_no_pk = opt.allow_no_pk;
	co.no_replication = opt.no_replication;

	checklist_init(&report);
	check_run(&co, &report);
	if (opt.format == FORMAT_JSON)
		checklist_print_json(&report, stdout);
	else
		checklist_print_text(&report, stdout, isatty(STDOUT_FILENO));
	fflush(stdout);

	int			fails = checklist_count(&report, CHECK_FAIL);

	checklist_free(&report);
	table_filter_free(&filter);
	if (have_src)
		conn_url_free(&src);
	if (have_tgt)
		conn_url_free(&tgt);
	/*
	 * A server we could not reach means nothing was checked there: exit with
	 * the source/target code.  Otherwise a failed item is the check's answer:
	 * exit code 2.
	 */
	if (err_kind() == ERR_SOURCE || err_kind() == ERR_TARGET || err_kind() == ERR_ARGS)
		return cli_exit_code(false);
	return fails ? EXIT_CHECK_FAILED : EXIT_OK;
}

const Command command_check = {
	.name = "check",
	.summary = "preflight: is the source and target ready for a migration?",
	.description =
	"Connects to the source and the target and checks everything a delta migration needs:\n"
	"server versions, replication settings (wal_level, binlog format, GTIDs, slots),\n"
	"privileges, primary keys, and that the target accepts new schemas and tables.\n"
	"Each item is OK, WARN or FAIL with a hint on how to fix it. Exit code 0 when\n"
	"nothing blocks a migration, 2 when something does.",
	.options = check_options,
	.common_options = true,
	.run = check_main,
};
