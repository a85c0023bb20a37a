/*
 * src/common/log.h
 *	  The one logging module: levels, human lines on a terminal, JSON lines
 *	  otherwise.
 *
 * Diagnostics go to stderr; output meant for the user (reports, DDL) goes to
 * stdout and never through here.  The level is checked before any formatting.
 * Messages follow PostgreSQL's style: lower case, no trailing period, names in
 * double quotes; a detail (e.g. the server's message) and a hint (what to do)
 * are separate fields.
 *
 * Every line passes through log_redact_secrets() first, so a password that
 * slipped into a message (a URL, a conninfo string) is masked as a last line
 * of defence; code must still never format a password on purpose.
 *
 * Thread-safe: lines from worker threads never interleave.  A thread can name
 * itself with log_set_context() ("worker 3"), shown on each of its lines.
 */
#ifndef GODWIT_COMMON_LOG_H
#define GODWIT_COMMON_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum LogLevel
{
	LOG_TRACE,
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_FATAL,
	LOG_OFF,
} LogLevel;

typedef enum LogFormat
{
	LOG_FORMAT_AUTO,			/* text on a terminal, JSON otherwise */
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
} LogFormat;

void		log_init(LogLevel level, LogFormat format);
bool		log_parse_level(const char *s, LogLevel *out);
bool		log_parse_format(const char *s, LogFormat *out);
bool		log_is_json(void);
void		log_set_context(const char *ctx);	/* per thread; copied */

extern LogLevel log_min_level;

static inline bool
log_enabled(LogLevel level)
{
	return level >= log_min_level;
}

/*
 * log_write
 *		Write one record.  detail and hint may be NULL.  json_fields, when not
 *		NULL, is a pre-rendered fragment of JSON members ("\"k\":1,\"j\":\"x\"")
 *		added to the record in JSON mode and ignored in text mode.
 */
void		log_write(LogLevel level, const char *detail, const char *hint,
					  const char *json_fields, const char *fmt, ...)
			__attribute__((format(printf, 5, 6)));

#define log_at(lvl, ...) \
	do { if (log_enabled(lvl)) log_write((lvl), NULL, NULL, NULL, __VA_ARGS__); } while (0)
#define log_trace(...)	log_at(LOG_TRACE, __VA_ARGS__)
#define log_debug(...)	log_at(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_at(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_at(LOG_WARN, __VA_ARGS__)
#define log_error(...)	log_at(LOG_ERROR, __VA_ARGS__)
#define log_fatal(...)	log_at(LOG_FATAL, __VA_ARGS__)

/* With detail and hint (either may be NULL). */
#define log_warn_dh(detail, hint, ...) \
	do { if (log_enabled(LOG_WARN)) log_write(LOG_WARN, (detail), (hint), NULL, __VA_ARGS__); } while (0)
#define log_error_dh(detail, hint, ...) \
	do { if (log_enabled(LOG_ERROR)) log_write(LOG_ERROR, (detail), (hint), NULL, __VA_ARGS__); } while (0)

/*
 * A live status line at the bottom of a terminal (progress).  Only shown in
 * text mode on a terminal; log lines are printed above it.  NULL clears it.
 */
void		log_set_status_line(const char *line);
bool		log_status_line_enabled(void);

/*
 * Mask secrets in s, in place: the password of "scheme://user:PASSWORD@host",
 * and the value of password=... / sslpassword=... key/value pairs.
 */
void		log_redact_secrets(char *s);

#endif
