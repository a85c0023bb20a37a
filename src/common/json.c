/*
 * src/common/json.c
 *	  JSON writer, bounded DOM parser and canonical rendering (see json.h).
 */
#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

/* ------------------------------------------------------------------ writer */

/* Length of a valid UTF-8 sequence starting at s (n bytes left), 0 if invalid. */
static int
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	int			len;
	uint32_t	cp;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		len = 2, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t) len > n)
		return 0;
	for (int i = 1; i < len; i++)
	{
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and out-of-range code points */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void
json_append_string(StrBuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;

	sb_appendc(out, '"');
	for (size_t i = 0; i < n;)
	{
		unsigned char c = p[i];

		if (c == '"' || c == '\\')
		{
			sb_appendc(out, '\\');
			sb_appendc(out, (char) c);
			i++;
		}
		else if (c < 0x20)
		{
			switch (c)
			{
				case '\n':
					sb_append(out, "\\n");
					break;
				case '\r':
					sb_append(out, "\\r");
					break;
				case '\t':
					sb_append(out, "\\t");
					break;
				case '\b':
					sb_append(out, "\\b");
					break;
				case '\f':
					sb_append(out, "\\f");
					break;
				default:
					sb_appendf(out, "\\u%04x", c);
			}
			i++;
		}
		else if (c < 0x80)
		{
			sb_appendc(out, (char) c);
			i++;
		}
		else
		{
			int			len = utf8_seq_len(p + i, n - i);

			if (len == 0)
			{
				sb_append(out, "\xef\xbf\xbd");		/* U+FFFD */
				i++;
			}
			else
			{
				sb_appendn(out, (const char *) p + i, (size_t) len);
				i += (size_t) len;
			}
		}
	}
	sb_appendc(out, '"');
}

void
jw_init(JsonWriter *w, StrBuf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first[0] = true;
}

/* Emit the separator needed before a value or key at the current depth. */
static void
jw_sep(JsonWriter *w)
{
	if (w->after_key)
	{
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		sb_appendc(w->out, ',');
	w->first[w->depth] = false;
}

static void
jw_open(JsonWriter *w, char c)
{
	jw_sep(w);
	sb_appendc(w->out, c);
	if (w->depth < (int) (sizeof(w->first) / sizeof(w->first[0])) - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void
jw_close(JsonWriter *w, char c)
{
	sb_appendc(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void
jw_object_begin(JsonWriter *w)
{
	jw_open(w, '{');
}

void
jw_object_end(JsonWriter *w)
{
	jw_close(w, '}');
}

void
jw_array_begin(JsonWriter *w)
{
	jw_open(w, '[');
}

void
jw_array_end(JsonWriter *w)
{
	jw_close(w, ']');
}

void
jw_key(JsonWriter *w, const char *key)
{
	jw_sep(w);
	json_append_string(w->out, key, strlen(key));
	sb_appendc(w->out, ':');
	w->after_key = true;
}

void
jw_string(JsonWriter *w, const char *s)
{
	if (s == NULL)
	{
		jw_null(w);
		return;
	}
	jw_stringn(w, s, strlen(s));
}

void
jw_stringn(JsonWriter *w, const char *s, size_t n)
{
	jw_sep(w);
	json_append_string(w->out, s, n);
}

void
jw_int(JsonWriter *w, int64_t v)
{
	jw_sep(w);
	sb_appendf(w->out, "%lld", (long long) v);
}

void
jw_uint(JsonWriter *w, uint64_t v)
{
	jw_sep(w);
	sb_appendf(w->out, "%llu", (unsigned long long) v);
}

void
jw_double(JsonWriter *w, double v)
{
	jw_sep(w);
	if (!isfinite(v))
		sb_append(w->out, "null");
	else
		sb_appendf(w->out, "%.17g", v);
}

void
jw_bool(JsonWriter *w, bool v)
{
	jw_sep(w);
	sb_append(w->out, v ? "true" : "false");
}

void
jw_null(JsonWriter *w)
{
	jw_sep(w);
	sb_append(w->out, "null");
}

void
jw_raw(JsonWriter *w, const char *json)
{
	jw_sep(w);
	sb_append(w->out, json);
}

void
jw_kv_string(JsonWriter *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void
jw_kv_int(JsonWriter *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_kv_double(JsonWriter *w, const char *key, double v)
{
	jw_key(w, key);
	jw_double(w, v);
}

void
jw_kv_fixed(JsonWriter *w, const char *key, double v, int decimals)
{
	jw_key(w, key);
	jw_sep(w);
	if (!isfinite(v))
		sb_append(w->out, "null");
	else
		sb_appendf(w->out, "%.*f", decimals, v);
}

void
jw_kv_bool(JsonWriter *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

/* ------------------------------------------------------------------ parser */

typedef struct JsonParser
{
	const char *p;
	const char *start;
	const char *end;
	Arena	   *arena;
	char	   *err;
	int			errlen;
} JsonParser;

static JsonValue *json_parse_value(JsonParser *jp, int depth);

static void
jp_error(JsonParser *jp, const char *msg)
{
	if (jp->err && jp->err[0] == '\0')
		snprintf(jp->err, (size_t) jp->errlen, "%s at offset %zu", msg, (size_t) (jp->p - jp->start));
}

static void
jp_ws(JsonParser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static bool
jp_lit(JsonParser *jp, const char *lit)
{
	size_t		n = strlen(lit);

	if ((size_t) (jp->end - jp->p) < n || memcmp(jp->p, lit, n) != 0)
		return false;
	jp->p += n;
	return true;
}

static void
utf8_encode(StrBuf *b, uint32_t cp)
{
	if (cp < 0x80)
		sb_appendc(b, (char) cp);
	else if (cp < 0x800)
	{
		sb_appendc(b, (char) (0xc0 | (cp >> 6)));
		sb_appendc(b, (char) (0x80 | (cp & 0x3f)));
	}
	else if (cp < 0x10000)
	{
		sb_appendc(b, (char) (0xe0 | (cp >> 12)));
		sb_appendc(b, (char) (0x80 | ((cp >> 6) & 0x3f)));
		sb_appendc(b, (char) (0x80 | (cp & 0x3f)));
	}
	else
	{
		sb_appendc(b, (char) (0xf0 | (cp >> 18)));
		sb_appendc(b, (char) (0x80 | ((cp >> 12) & 0x3f)));
		sb_appendc(b, (char) (0x80 | ((cp >> 6) & 0x3f)));
		sb_appendc(b, (char) (0x80 | (cp & 0x3f)));
	}
}

static bool
jp_hex4(JsonParser *jp, uint32_t *out)
{
	uint32_t	v = 0;

	if (jp->end - jp->p < 4)
		return false;
	for (int i = 0; i < 4; i++)
	{
		char		c = jp->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t) (c - 'A' + 10);
		else
			return false;
	}
	jp->p += 4;
	*out = v;
	return true;
}

/* Parse a string at jp->p (on the opening quote); result in the arena. */
static bool
jp_string(JsonParser *jp, const char **out, size_t *outlen)
{
	StrBuf		b;

	jp->p++;					/* opening quote */
	sb_init(&b, (size_t) (jp->end - jp->p) * 4 + 16);
	while (jp->p < jp->end && *jp->p != '"')
	{
		unsigned char c = (unsigned char) *jp->p;

		if (c < 0x20)
		{
			jp_error(jp, "control character in string");
			sb_free(&b);
			return false;
		}
		if (c != '\\')
		{
			int			len = utf8_seq_len((const unsigned char *) jp->p, (size_t) (jp->end - jp->p));

			if (len == 0)
			{
				jp_error(jp, "invalid UTF-8 in string");
				sb_free(&b);
				return false;
			}
			sb_appendn(&b, jp->p, (size_t) len);
			jp->p += len;
			continue;
		}
		jp->p++;
		if (jp->p >= jp->end)
			break;
		char		e = *jp->p++;

		switch (e)
		{
			case '"':
			case '\\':
			case '/':
				sb_appendc(&b, e);
				break;
			case 'b':
				sb_appendc(&b, '\b');
				break;
			case 'f':
				sb_appendc(&b, '\f');
				break;
			case 'n':
				sb_appendc(&b, '\n');
				break;
			case 'r':
				sb_appendc(&b, '\r');
				break;
			case 't':
				sb_appendc(&b, '\t');
				break;
			case 'u':
				{
					uint32_t	cp,
								lo;

					if (!jp_hex4(jp, &cp))
					{
						jp_error(jp, "invalid \\u escape");
						sb_free(&b);
						return false;
					}
					if (cp >= 0xd800 && cp <= 0xdbff)
					{
						if (!jp_lit(jp, "\\u") || !jp_hex4(jp, &lo) || lo < 0xdc00 || lo > 0xdfff)
						{
							jp_error(jp, "invalid surrogate pair");
							sb_free(&b);
							return false;
						}
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					}
					else if (cp >= 0xdc00 && cp <= 0xdfff)
					{
						jp_error(jp, "invalid surrogate pair");
						sb_free(&b);
						return false;
					}
					if (cp == 0)
					{
						/* PostgreSQL rejects \u0000 in text; keep it escaped */
						sb_append(&b, "\\u0000");
						break;
					}
					utf8_encode(&b, cp);
					break;
				}
			default:
				jp_error(jp, "invalid escape");
				sb_free(&b);
				return false;
		}
	}
	if (jp->p >= jp->end)
	{
		jp_error(jp, "unterminated string");
		sb_free(&b);
		return false;
	}
	jp->p++;					/* closing quote */
	*outlen = b.len;
	*out = arena_strndup(jp->arena, b.data, b.len);
	sb_free(&b);
	return true;
}

static bool
jp_number(JsonParser *jp)
{
	const char *p = jp->p;

	if (p < jp->end && *p == '-')
		p++;
	if (p >= jp->end)
		return false;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (p < jp->end && *p == '.')
	{
		p++;
		if (p >= jp->end || *p < '0' || *p > '9')
			return false;
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < jp->end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < jp->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= jp->end || *p < '0' || *p > '9')
			return false;
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
	}
	jp->p = p;
	return true;
}

static JsonValue *
json_parse_value(JsonParser *jp, int depth)
{
	JsonValue  *v;

	if (depth > JSON_MAX_DEPTH)
	{
		jp_error(jp, "nesting too deep");
		return NULL;
	}
	jp_ws(jp);
	if (jp->p >= jp->end)
	{
		jp_error(jp, "unexpected end of input");
		return NULL;
	}
	v = arena_new(jp->arena, JsonValue);
	switch (*jp->p)
	{
		case 'n':
			if (!jp_lit(jp, "null"))
				break;
			v->type = JSON_NULL;
			return v;
		case 't':
			if (!jp_lit(jp, "true"))
				break;
			v->type = JSON_TRUE;
			return v;
		case 'f':
			if (!jp_lit(jp, "false"))
				break;
			v->type = JSON_FALSE;
			return v;
		case '"':
			v->type = JSON_STRING;
			return jp_string(jp, &v->str, &v->len) ? v : NULL;
		case '[':
			{
				size_t		cap = 0;

				jp->p++;
				v->type = JSON_ARRAY;
				jp_ws(jp);
				if (jp->p < jp->end && *jp->p == ']')
				{
					jp->p++;
					return v;
				}
				for (;;)
				{
					JsonValue  *item = json_parse_value(jp, depth + 1);

					if (item == NULL)
						return NULL;
					if (v->count == cap)
					{
						size_t		ncap = cap ? cap * 2 : 4;
						JsonValue **n = arena_alloc(jp->arena, ncap * sizeof(JsonValue *));

						if (cap)
							memcpy(n, v->items, cap * sizeof(JsonValue *));
						v->items = n;
						cap = ncap;
					}
					v->items[v->count++] = item;
					jp_ws(jp);
					if (jp->p < jp->end && *jp->p == ',')
					{
						jp->p++;
						continue;
					}
					if (jp->p < jp->end && *jp->p == ']')
					{
						jp->p++;
						return v;
					}
					jp_error(jp, "expected ',' or ']'");
					return NULL;
				}
			}
		case '{':
			{
				size_t		cap = 0;

				jp->p++;
				v->type = JSON_OBJECT;
				jp_ws(jp);
				if (jp->p < jp->end && *jp->p == '}')
				{
					jp->p++;
					return v;
				}
				for (;;)
				{
					JsonMember m;

					jp_ws(jp);
					if (jp->p >= jp->end || *jp->p != '"')
					{
						jp_error(jp, "expected a string key");
						return NULL;
					}
					if (!jp_string(jp, &m.key, &m.key_len))
						return NULL;
					jp_ws(jp);
					if (jp->p >= jp->end || *jp->p != ':')
					{
						jp_error(jp, "expected ':'");
						return NULL;
					}
					jp->p++;
					if ((m.value = json_parse_value(jp, depth + 1)) == NULL)
						return NULL;
					if (v->count == cap)
					{
						size_t		ncap = cap ? cap * 2 : 4;
						JsonMember *n = arena_alloc(jp->arena, ncap * sizeof(JsonMember));

						if (cap)
							memcpy(n, v->members, cap * sizeof(JsonMember));
						v->members = n;
						cap = ncap;
					}
					v->members[v->count++] = m;
					jp_ws(jp);
					if (jp->p < jp->end && *jp->p == ',')
					{
						jp->p++;
						continue;
					}
					if (jp->p < jp->end && *jp->p == '}')
					{
						jp->p++;
						return v;
					}
					jp_error(jp, "expected ',' or '}'");
					return NULL;
				}
			}
		default:
			{
				const char *start = jp->p;

				if (!jp_number(jp))
					break;
				v->type = JSON_NUMBER;
				v->str = arena_strndup(jp->arena, start, (size_t) (jp->p - start));
				v->len = (size_t) (jp->p - start);
				return v;
			}
	}
	jp_error(jp, "invalid value");
	return NULL;
}

JsonValue *
json_parse(const char *text, size_t len, Arena *a, char *err, int errlen)
{
	JsonParser	jp = {text, text, text + len, a, err, errlen};
	JsonValue  *v;

	if (err && errlen > 0)
		err[0] = '\0';
	v = json_parse_value(&jp, 0);
	if (v == NULL)
		return NULL;
	jp_ws(&jp);
	if (jp.p != jp.end)
	{
		jp_error(&jp, "trailing characters after JSON value");
		return NULL;
	}
	return v;
}

JsonValue *
json_get(const JsonValue *obj, const char *key)
{
	size_t		klen = strlen(key);

	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = obj->count; i-- > 0;)
		if (obj->members[i].key_len == klen && memcmp(obj->members[i].key, key, klen) == 0)
			return obj->members[i].value;
	return NULL;
}

/* --------------------------------------------------------------- canonical */

/*
 * Render a JSON number literal as its shortest exact decimal: "1.50" -> "1.5",
 * "1e2" -> "100", "-0" -> "0", "0.000" -> "0".  Very large or small exponents
 * fall back to d.ddde±N so the output stays bounded.
 */
static void
json_canonical_number(const char *s, size_t n, StrBuf *out)
{
	char		digits[512];
	int			nd = 0;
	long		exp10 = 0;		/* value = 0.digits * 10^exp10 */
	bool		neg = false,
				seen_point = false;
	size_t		i = 0;

	if (i < n && s[i] == '-')
		neg = true, i++;
	for (; i < n && s[i] != 'e' && s[i] != 'E'; i++)
	{
		if (s[i] == '.')
		{
			seen_point = true;
			continue;
		}
		if (nd == 0 && s[i] == '0')
		{
			if (seen_point)
				exp10--;
			continue;
		}
		if (nd < (int) sizeof(digits))
			digits[nd++] = s[i];
		else if (!seen_point)
			exp10++;			/* beyond 512 digits: keep magnitude only */
		if (!seen_point)
			exp10++;
	}
	if (i < n)
	{
		long		e = strtol(s + i + 1, NULL, 10);

		if (e > 100000)
			e = 100000;
		if (e < -100000)
			e = -100000;
		exp10 += e;
	}
	while (nd > 0 && digits[nd - 1] == '0')
		nd--;
	if (nd == 0)
	{
		sb_appendc(out, '0');
		return;
	}
	if (neg)
		sb_appendc(out, '-');
	if (exp10 > 40 || exp10 < -40)
	{
		sb_appendc(out, digits[0]);
		if (nd > 1)
		{
			sb_appendc(out, '.');
			sb_appendn(out, digits + 1, (size_t) nd - 1);
		}
		sb_appendf(out, "e%+ld", exp10 - 1);
		return;
	}
	if (exp10 <= 0)
	{
		sb_append(out, "0.");
		for (long k = 0; k < -exp10; k++)
			sb_appendc(out, '0');
		sb_appendn(out, digits, (size_t) nd);
	}
	else if (exp10 >= nd)
	{
		sb_appendn(out, digits, (size_t) nd);
		for (long k = nd; k < exp10; k++)
			sb_appendc(out, '0');
	}
	else
	{
		sb_appendn(out, digits, (size_t) exp10);
		sb_appendc(out, '.');
		sb_appendn(out, digits + exp10, (size_t) (nd - exp10));
	}
}

typedef struct SortedMember
{
	JsonMember	m;
	size_t		index;			/* input position: duplicates keep the last */
} SortedMember;

static int
member_cmp(const void *a, const void *b)
{
	const SortedMember *x = a,
			   *y = b;

	if (x->m.key_len != y->m.key_len)
		return x->m.key_len < y->m.key_len ? -1 : 1;
	int			c = memcmp(x->m.key, y->m.key, x->m.key_len);

	if (c)
		return c;
	return x->index < y->index ? -1 : (x->index > y->index);
}

static bool
member_same_key(const JsonMember *a, const JsonMember *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

void
json_canonical(const JsonValue *v, StrBuf *out)
{
	switch (v->type)
	{
		case JSON_NULL:
			sb_append(out, "null");
			break;
		case JSON_TRUE:
			sb_append(out, "true");
			break;
		case JSON_FALSE:
			sb_append(out, "false");
			break;
		case JSON_NUMBER:
			json_canonical_number(v->str, v->len, out);
			break;
		case JSON_STRING:
			json_append_string(out, v->str, v->len);
			break;
		case JSON_ARRAY:
			sb_appendc(out, '[');
			for (size_t i = 0; i < v->count; i++)
			{
				if (i)
					sb_appendc(out, ',');
				json_canonical(v->items[i], out);
			}
			sb_appendc(out, ']');
			break;
		case JSON_OBJECT:
			{
				SortedMember *m = gw_new_array(SortedMember, v->count + 1);
				bool		first = true;

				for (size_t i = 0; i < v->count; i++)
					m[i] = (SortedMember) {v->members[i], i};
				qsort(m, v->count, sizeof(SortedMember), member_cmp);
				sb_appendc(out, '{');
				for (size_t i = 0; i < v->count; i++)
				{
					/* of equal keys (adjacent, in input order) only the last counts */
					if (i + 1 < v->count && member_same_key(&m[i].m, &m[i + 1].m))
						continue;
					if (!first)
						sb_appendc(out, ',');
					first = false;
					json_append_string(out, m[i].m.key, m[i].m.key_len);
					sb_appendc(out, ':');
					json_canonical(m[i].m.value, out);
				}
				sb_appendc(out, '}');
				free(m);
				break;
			}
	}
}
