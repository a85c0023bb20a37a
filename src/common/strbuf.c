/*
 * src/common/strbuf.c
 *	  Growable string buffer with a hard size cap (see strbuf.h).
 */
#include "common/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

void
sb_init(StrBuf *b, size_t limit)
{
	b->cap = 64;
	b->data = gw_malloc(b->cap);
	b->data[0] = '\0';
	b->len = 0;
	b->limit = limit ? limit : SB_DEFAULT_LIMIT;
	b->overflow = false;
}

void
sb_free(StrBuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
sb_reset(StrBuf *b)
{
	b->len = 0;
	b->data[0] = '\0';
	b->overflow = false;
}

char *
sb_steal(StrBuf *b)
{
	char	   *p = b->data;

	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
sb_truncate(StrBuf *b, size_t len)
{
	if (len < b->len)
	{
		b->len = len;
		b->data[len] = '\0';
	}
}

bool
sb_reserve(StrBuf *b, size_t extra)
{
	if (b->overflow)
		return false;
	if (extra > b->limit || b->len > b->limit - extra)
	{
		b->overflow = true;
		return false;
	}
	if (b->len + extra + 1 > b->cap)
	{
		size_t		ncap = b->cap ? b->cap : 64;

		while (ncap < b->len + extra + 1)
			ncap *= 2;
		b->data = gw_realloc(b->data, ncap);
		b->cap = ncap;
	}
	return true;
}

bool
sb_appendn(StrBuf *b, const char *s, size_t n)
{
	if (!sb_reserve(b, n))
		return false;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool
sb_append(StrBuf *b, const char *s)
{
	return sb_appendn(b, s, strlen(s));
}

bool
sb_appendc(StrBuf *b, char c)
{
	if (!sb_reserve(b, 1))
		return false;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return true;
}

bool
sb_vappendf(StrBuf *b, const char *fmt, va_list ap)
{
	va_list		ap2;
	int			n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !sb_reserve(b, (size_t) n))
		return false;
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	b->len += (size_t) n;
	return true;
}

bool
sb_appendf(StrBuf *b, const char *fmt, ...)
{
	va_list		ap;
	bool		ok;

	va_start(ap, fmt);
	ok = sb_vappendf(b, fmt, ap);
	va_end(ap);
	return ok;
}

/* Append s between quote characters q, doubling every q inside. */
static bool
sb_append_quoted(StrBuf *b, const char *s, size_t n, char q)
{
	sb_appendc(b, q);
	for (size_t i = 0; i < n; i++)
	{
		if (s[i] == q)
			sb_appendc(b, q);
		sb_appendc(b, s[i]);
	}
	return sb_appendc(b, q);
}

bool
sb_append_ident(StrBuf *b, const char *ident)
{
	return sb_append_quoted(b, ident, strlen(ident), '"');
}

bool
sb_append_qualified(StrBuf *b, const char *schema, const char *name)
{
	if (schema && schema[0])
	{
		sb_append_ident(b, schema);
		sb_appendc(b, '.');
	}
	return sb_append_ident(b, name);
}

/*
 * A standard-conforming string literal (standard_conforming_strings is on by
 * default on PostgreSQL >= 9.1 and always on CockroachDB): only ' is special.
 */
bool
sb_append_literaln(StrBuf *b, const char *s, size_t n)
{
	return sb_append_quoted(b, s, n, '\'');
}

bool
sb_append_literal(StrBuf *b, const char *s)
{
	return sb_append_literaln(b, s, strlen(s));
}

bool
sb_append_my_ident(StrBuf *b, const char *ident)
{
	return sb_append_quoted(b, ident, strlen(ident), '`');
}

/* MySQL string literal; backslash is an escape unless NO_BACKSLASH_ESCAPES. */
bool
sb_append_my_literal(StrBuf *b, const char *s)
{
	sb_appendc(b, '\'');
	for (; *s; s++)
	{
		switch (*s)
		{
			case '\'':
				sb_append(b, "''");
				break;
			case '\\':
				sb_append(b, "\\\\");
				break;
			case '\0':
				sb_append(b, "\\0");
				break;
			default:
				sb_appendc(b, *s);
		}
	}
	return sb_appendc(b, '\'');
}
