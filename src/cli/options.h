/*
 * src/cli/options.h
 *	  Options as data: each sub-command lists its flags in an OptSpec table;
 *	  one parser fills them from the command line, then from environment
 *	  variables, then from defaults, and renders --help from the same table,
 *	  so help and behaviour cannot drift apart.
 *
 * Every flag --some-name is also read from GODWIT_SOME_NAME (so secrets such
 * as connection URLs can stay out of `ps`).  Precedence: command line, then
 * environment, then the default.
 */
#ifndef GODWIT_CLI_OPTIONS_H
#define GODWIT_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum OptType
{
	OPT_STRING,					/* char * (owned by the parser; lives until exit) */
	OPT_INT,					/* int64_t, range [min, max] */
	OPT_SIZE,					/* uint64_t bytes: 64MB, 1GiB */
	OPT_DURATION,				/* int64_t microseconds: 500ms, 5s, 2m */
	OPT_FLAG,					/* bool, no argument (env: true/false) */
	OPT_ENUM,					/* int index into choices */
	OPT_END,
} OptType;

typedef struct OptSpec
{
	const char *name;			/* long name without dashes */
	OptType		type;
	void	   *target;			/* where the value goes */
	const char *metavar;		/* shown in --help: URL, N, REGEX */
	const char *help;
	const char *default_value;	/* parsed like user input; NULL = none */
	int64_t		min,
				max;			/* OPT_INT */
	const char *const *choices; /* OPT_ENUM, NULL-terminated */
	bool		required;
	bool		secret;			/* never echo the value (URLs with passwords) */
} OptSpec;

#define OPT_TABLE_END	{.name = NULL, .type = OPT_END}

typedef struct Command
{
	const char *name;
	const char *summary;		/* one line for the command list */
	const char *description;	/* paragraph for --help */
	const OptSpec *options;		/* command's own flags, OPT_TABLE_END-terminated */
	bool		common_options; /* also accept logging/metrics flags */
	int			(*run) (void);	/* returns an exit code */
} Command;

/*
 * options_parse
 *		Fill every option of cmd (and the common ones) from argv, environment
 *		and defaults.
 *
 * Returns false on a bad flag (message printed to stderr with a --help hint);
 * *help_shown is set when --help was given (the caller exits 0).
 */
bool		options_parse(const Command *cmd, const OptSpec *common, int argc, char **argv,
						  bool *help_shown);
void		options_print_help(const Command *cmd, const OptSpec *common);
/* "GODWIT_TABLE_FILTER" for "table-filter", in a static buffer. */
const char *options_env_name(const char *name);
/* Whether the option was set by the user (flag or environment), not a default. */
bool		options_was_set(const void *target);

#endif
