/*
 * src/cli/cli_common.h
 *	  What every sub-command shares: logging and metrics flags, connecting
 *	  URLs from flags/environment, filters, and the exit path.
 */
#ifndef GODWIT_CLI_COMMON_H
#define GODWIT_CLI_COMMON_H

#include <stdbool.h>

#include "catalog/filter.h"
#include "cli/options.h"
#include "common/url.h"

typedef struct CommonOptions
{
	char	   *log_level;
	char	   *log_format;
	char	   *metrics_listen_addr;
} CommonOptions;

extern CommonOptions common_options;
extern const OptSpec common_option_specs[];

/* Output format of reports: --format text|json. */
extern const char *const format_choices[];
enum
{
	FORMAT_TEXT,
	FORMAT_JSON,
};

/* Apply --log-level/--log-format; start metrics if asked.  False = bad flag. */
bool		cli_setup(void);
void		cli_teardown(void);

/* Parse a --source/--target URL.  False on error (logged, ERR_ARGS). */
bool		cli_parse_url(const char *flag, const char *text, ConnUrl *out);
bool		cli_filter_init(TableFilter *f, const char *schema, const char *table, const char *exclude);
/* Exit code for the process from the recorded error kind (or ok). */
int			cli_exit_code(bool ok);

#endif
