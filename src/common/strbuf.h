/*
 * src/common/strbuf.h
 *	  Growable string buffer with a hard size cap.
 *
 * Any buffer that holds input from the network (a COPY row, a decoded value, a
 * SQL statement built from source data) is created with a cap (curl's dynbuf
 * discipline).  Appending past the cap fails and leaves the buffer marked
 * "overflowed": later appends are no-ops and sb_ok() reports false, so a
 * caller can build a whole statement and check once at the end.
 *
 * The data is always NUL-terminated; len does not count the terminator.
 */
#ifndef GODWIT_COMMON_STRBUF_H
#define GODWIT_COMMON_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define SB_DEFAULT_LIMIT	((size_t) 1 << 30)	/* 1 GB, PostgreSQL's field limit */

typedef struct StrBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	size_t		limit;			/* max len; exceeding it sets overflow */
	bool		overflow;
} StrBuf;

void		sb_init(StrBuf *b, size_t limit);
void		sb_free(StrBuf *b);
void		sb_reset(StrBuf *b);
char	   *sb_steal(StrBuf *b);	/* caller owns the result (free()); b is left freed */
bool		sb_reserve(StrBuf *b, size_t extra);
bool		sb_appendn(StrBuf *b, const char *s, size_t n);
bool		sb_append(StrBuf *b, const char *s);
bool		sb_appendc(StrBuf *b, char c);
bool		sb_appendf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool		sb_vappendf(StrBuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void		sb_truncate(StrBuf *b, size_t len);

static inline bool
sb_ok(const StrBuf *b)
{
	return !b->overflow;
}

/* SQL quoting (PostgreSQL / CockroachDB: "ident", 'literal'; MySQL: `ident`). */
bool		sb_append_ident(StrBuf *b, const char *ident);
bool		sb_append_qualified(StrBuf *b, const char *schema, const char *name);
bool		sb_append_literal(StrBuf *b, const char *s);
bool		sb_append_literaln(StrBuf *b, const char *s, size_t n);
bool		sb_append_my_ident(StrBuf *b, const char *ident);
bool		sb_append_my_literal(StrBuf *b, const char *s);

#endif
