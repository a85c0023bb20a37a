/*
 * src/cli/main.c
 *	  godwit: the command table, and the one place the process exits.
 *
 *   godwit <command> [flags]
 *
 * The table below is the whole command tree; `godwit --help` and each
 * command's --help are rendered from it (see options.h).
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>
#include <microhttpd.h>
#include <mysql.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "common/signals.h"

static int	version_main(void);

const Command command_version = {
	.name = "version",
	.summary = "print the version of godwit and its libraries",
	.options = (const OptSpec[]) {OPT_TABLE_END},
	.run = version_main,
};

static const Command *const commands[] = {
	&command_check,
	&command_schema,
	&command_fetch,
	&command_finalize,
	&command_replicate,
	&command_verify,
	&command_cutover,
	&command_failback,
	&command_status,
	&command_migrate,
	&command_version,
};

#define NCOMMANDS ((int) (sizeof(commands) / sizeof(commands[0])))

static int
version_main(void)
{
	printf("godwit %s\n", GODWIT_VERSION);
	printf("  libpq %d, MariaDB Connector/C %s, libmicrohttpd %s\n",
		   PQlibVersion(), mysql_get_client_info(), MHD_get_version());
	return EXIT_OK;
}

static void
usage(FILE *out)
{
	fprintf(out,
			"godwit - move a live PostgreSQL, MySQL or MariaDB database to CockroachDB or\n"
			"PostgreSQL with seconds of downtime (a delta migration)\n\n"
			"Usage: godwit <command> [flags]\n\nCommands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nRun \"godwit <command> --help\" for a command's flags.\n"
			"Every flag --some-flag can also be set with GODWIT_SOME_FLAG.\n");
}

int
main(int argc, char **argv)
{
	const Command *cmd = NULL;
	bool		help_shown;
	int			rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
		strcmp(argv[1], "help") == 0)
	{
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BAD_ARGS : EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return version_main();
	for (int i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			cmd = commands[i];
	if (cmd == NULL)
	{
		fprintf(stderr, "godwit: unknown command \"%s\"\n", argv[1]);
		fprintf(stderr, "Try \"godwit --help\" for the list of commands.\n");
		return EXIT_BAD_ARGS;
	}
	if (!options_parse(cmd, common_option_specs, argc - 1, argv + 1, &help_shown))
		return EXIT_BAD_ARGS;
	if (help_shown)
		return EXIT_OK;
	signals_install();
	if (!cli_setup())
		return EXIT_BAD_ARGS;
	mysql_library_init(0, NULL, NULL);
	rc = cmd->run();
	cli_teardown();
	mysql_library_end();
	return rc;
}
