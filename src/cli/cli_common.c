/*
 * src/cli/cli_common.c
 *	  Shared flags and setup for every sub-command (see cli_common.h).
 */
#include "cli/cli_common.h"

#include <stdio.h>

#include "common/errors.h"
#include "common/http.h"
#include "common/log.h"

CommonOptions common_options;

const char *const format_choices[] = {"text", "json", NULL};

const OptSpec common_option_specs[] = {
	{.name = "log-level", .type = OPT_STRING, .target = &common_options.log_level, .metavar = "LEVEL",
	 .help = "trace, debug, info, warn or error", .default_value = "info"},
	{.name = "log-format", .type = OPT_STRING, .target = &common_options.log_format, .metavar = "FMT",
	 .help = "auto (text on a terminal, JSON lines otherwise), text or json", .default_value = "auto"},
	{.name = "metrics-listen-addr", .type = OPT_STRING, .target = &common_options.metrics_listen_addr,
	 .metavar = "HOST:PORT", .help = "serve Prometheus /metrics, /healthz and /status here (e.g. 127.0.0.1:3030)"},
	OPT_TABLE_END
};

bool
cli_setup(void)
{
	LogLevel	level = LOG_INFO;
	LogFormat	format = LOG_FORMAT_AUTO;

	if (common_options.log_level && !log_parse_level(common_options.log_level, &level))
	{
		fprintf(stderr, "godwit: invalid --log-level \"%s\": use trace, debug, info, warn or error\n",
				common_options.log_level);
		return false;
	}
	if (common_options.log_format && !log_parse_format(common_options.log_format, &format))
	{
		fprintf(stderr, "godwit: invalid --log-format \"%s\": use auto, text or json\n",
				common_options.log_format);
		return false;
	}
	log_init(level, format);
	if (common_options.metrics_listen_addr && common_options.metrics_listen_addr[0])
	{
		if (!http_start(common_options.metrics_listen_addr, NULL, NULL))
		{
			err_set_kind(ERR_ARGS);
			return false;
		}
	}
	return true;
}

void
cli_teardown(void)
{
	http_stop();
}

bool
cli_parse_url(const char *flag, const char *text, ConnUrl *out)
{
	char		err[256];

	if (!conn_url_parse(text, out, err, sizeof(err)))
	{
		err_set_kind(ERR_ARGS);
		log_error("invalid %s: %s", flag, err);
		return false;
	}
	return true;
}

bool
cli_filter_init(TableFilter *f, const char *schema, const char *table, const char *exclude)
{
	return table_filter_init(f, schema, table, exclude);
}

int
cli_exit_code(bool ok)
{
	ErrKind		k = err_kind();

	if (ok && k == ERR_NONE)
		return EXIT_OK;
	if (k == ERR_NONE)
		return EXIT_INTERNAL;
	return err_exit_code(k);
}
