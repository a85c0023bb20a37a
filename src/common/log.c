/*
 * src/common/log.c
 *	  Logging: level filter, text or JSON lines on stderr (see log.h).
 */
#include "common/log.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/json.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "common/timeutil.h"

LogLevel	log_min_level = LOG_INFO;
static bool log_json = false;
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char log_context[48];
static char *status_line;		/* protected by log_mutex */
static bool stderr_tty;

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error", "fatal", "off"};

void
log_init(LogLevel level, LogFormat format)
{
	log_min_level = level;
	stderr_tty = isatty(STDERR_FILENO);
	if (format == LOG_FORMAT_AUTO)
		log_json = !isatty(STDERR_FILENO);
	else
		log_json = format == LOG_FORMAT_JSON;
}

bool
log_is_json(void)
{
	return log_json;
}

bool
log_parse_level(const char *s, LogLevel *out)
{
	for (int i = 0; i <= LOG_OFF; i++)
	{
		if (strcasecmp(s, level_names[i]) == 0)
		{
			*out = (LogLevel) i;
			return true;
		}
	}
	if (strcasecmp(s, "warning") == 0)
	{
		*out = LOG_WARN;
		return true;
	}
	return false;
}

bool
log_parse_format(const char *s, LogFormat *out)
{
	if (strcasecmp(s, "auto") == 0)
		*out = LOG_FORMAT_AUTO;
	else if (strcasecmp(s, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else if (strcasecmp(s, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return false;
	return true;
}

bool
log_status_line_enabled(void)
{
	return stderr_tty && !log_json;
}

void
log_set_status_line(const char *line)
{
	if (!log_status_line_enabled())
		return;
	pthread_mutex_lock(&log_mutex);
	free(status_line);
	status_line = NULL;
	fputs("\r\033[K", stderr);
	if (line)
	{
		status_line = gw_strdup(line);
		fputs(status_line, stderr);
	}
	fflush(stderr);
	pthread_mutex_unlock(&log_mutex);
}

void
log_set_context(const char *ctx)
{
	snprintf(log_context, sizeof(log_context), "%s", ctx ? ctx : "");
}

/*
 * Mask s[from..to) in place: the span becomes "****" (or fewer stars when it
 * is shorter), so the length of a secret does not show either.
 */
static void
redact_span(char *s, size_t from, size_t to)
{
	size_t		len = strlen(s);
	size_t		stars = to - from < 4 ? to - from : 4;

	memset(s + from, '*', stars);
	memmove(s + from + stars, s + to, len - to + 1);
}

void
log_redact_secrets(char *s)
{
	/* scheme://user:PASSWORD@host */
	for (char *p = strstr(s, "://"); p; p = strstr(p, "://"))
	{
		char	   *auth = p + 3;
		size_t		n = strcspn(auth, "@/ \t\n");

		p = auth;
		if (auth[n] != '@')
			continue;
		char	   *colon = memchr(auth, ':', n);

		if (colon)
		{
			size_t		from = (size_t) (colon + 1 - s);
			size_t		to = (size_t) (auth + n - s);

			if (to > from)
				redact_span(s, from, to);
		}
	}
	/* password=VALUE (conninfo and query strings) */
	static const char *const keys[] = {"password=", "sslpassword=", "pass="};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
	{
		for (char *p = strcasestr(s, keys[k]); p; p = strcasestr(p + 1, keys[k]))
		{
			if (p != s && (isalnum((unsigned char) p[-1]) || p[-1] == '_'))
				continue;
			char	   *v = p + strlen(keys[k]);
			size_t		n;

			if (*v == '\'')
			{
				char	   *q = strchr(v + 1, '\'');

				n = q ? (size_t) (q - v) + 1 : strlen(v);
			}
			else
				n = strcspn(v, " \t\n&;\"");
			if (n > 0)
				redact_span(s, (size_t) (v - s), (size_t) (v - s) + n);
		}
	}
}

void
log_write(LogLevel level, const char *detail, const char *hint, const char *json_fields,
		  const char *fmt, ...)
{
	va_list		ap;
	char	   *msg;
	char	   *det = detail ? gw_strdup(detail) : NULL;
	char	   *hnt = hint ? gw_strdup(hint) : NULL;
	StrBuf		line;
	char		ts[40];

	va_start(ap, fmt);
	msg = gw_vasprintf(fmt, ap);
	va_end(ap);
	log_redact_secrets(msg);
	if (det)
	{
		/* server messages end with a newline; drop it */
		size_t		n = strlen(det);

		while (n > 0 && (det[n - 1] == '\n' || det[n - 1] == ' '))
			det[--n] = '\0';
		log_redact_secrets(det);
	}
	if (hnt)
		log_redact_secrets(hnt);

	sb_init(&line, 0);
	time_format_iso(time_now_us(), ts, sizeof(ts));
	if (log_json)
	{
		JsonWriter	w;

		jw_init(&w, &line);
		jw_object_begin(&w);
		jw_kv_string(&w, "time", ts);
		jw_kv_string(&w, "level", level_names[level]);
		if (log_context[0])
			jw_kv_string(&w, "context", log_context);
		jw_kv_string(&w, "message", msg);
		if (det && det[0])
			jw_kv_string(&w, "detail", det);
		if (hnt)
			jw_kv_string(&w, "hint", hnt);
		if (json_fields && json_fields[0])
		{
			sb_appendc(&line, ',');
			sb_append(&line, json_fields);
		}
		jw_object_end(&w);
		sb_appendc(&line, '\n');
	}
	else
	{
		/* "04:08:39.123 ERROR [worker 2] message" + indented DETAIL/HINT */
		static const char *const tags[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR", "FATAL", ""};

		sb_appendf(&line, "%.12s %s ", ts + 11, tags[level]);
		if (log_context[0])
			sb_appendf(&line, "[%s] ", log_context);
		sb_append(&line, msg);
		sb_appendc(&line, '\n');
		if (det && det[0])
			sb_appendf(&line, "      DETAIL: %s\n", det);
		if (hnt)
			sb_appendf(&line, "      HINT: %s\n", hnt);
	}
	pthread_mutex_lock(&log_mutex);
	if (status_line)
		fputs("\r\033[K", stderr);
	fwrite(line.data, 1, line.len, stderr);
	if (status_line)
		fputs(status_line, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_mutex);
	sb_free(&line);
	free(msg);
	free(det);
	free(hnt);
}
