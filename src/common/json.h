/*
 * src/common/json.h
 *	  JSON: a writer for log lines and reports, and a small DOM parser for
 *	  option files (--type-map-file) and for normalising JSON values when
 *	  verifying rows.
 *
 * The parser is bounded: input length, nesting depth (JSON_MAX_DEPTH) and
 * allocations all come from the caller's arena, so a hostile value cannot
 * exhaust the stack.  It never logs; errors come back as a message and offset.
 */
#ifndef GODWIT_COMMON_JSON_H
#define GODWIT_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/strbuf.h"

#define JSON_MAX_DEPTH	512

/* ---- writer ---- */

typedef struct JsonWriter
{
	StrBuf	   *out;
	int			depth;
	bool		first[64];		/* no comma needed yet at this depth */
	bool		after_key;
} JsonWriter;

void		jw_init(JsonWriter *w, StrBuf *out);
void		jw_object_begin(JsonWriter *w);
void		jw_object_end(JsonWriter *w);
void		jw_array_begin(JsonWriter *w);
void		jw_array_end(JsonWriter *w);
void		jw_key(JsonWriter *w, const char *key);
void		jw_string(JsonWriter *w, const char *s);
void		jw_stringn(JsonWriter *w, const char *s, size_t n);
void		jw_int(JsonWriter *w, int64_t v);
void		jw_uint(JsonWriter *w, uint64_t v);
void		jw_double(JsonWriter *w, double v);
void		jw_bool(JsonWriter *w, bool v);
void		jw_null(JsonWriter *w);
void		jw_raw(JsonWriter *w, const char *json);	/* already-valid JSON */

/* key + value shorthands */
void		jw_kv_string(JsonWriter *w, const char *key, const char *s);
void		jw_kv_int(JsonWriter *w, const char *key, int64_t v);
void		jw_kv_double(JsonWriter *w, const char *key, double v);
void		jw_kv_bool(JsonWriter *w, const char *key, bool v);
/* A number with a fixed count of decimals (durations: no float noise). */
void		jw_kv_fixed(JsonWriter *w, const char *key, double v, int decimals);

/* Append s as a quoted, escaped JSON string (invalid UTF-8 bytes become U+FFFD). */
void		json_append_string(StrBuf *out, const char *s, size_t n);

/* ---- parser ---- */

typedef enum JsonType
{
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
} JsonType;

typedef struct JsonValue JsonValue;

typedef struct JsonMember
{
	const char *key;
	size_t		key_len;
	JsonValue  *value;
} JsonMember;

struct JsonValue
{
	JsonType	type;
	const char *str;			/* STRING: decoded UTF-8; NUMBER: the literal text */
	size_t		len;
	JsonValue **items;			/* ARRAY */
	JsonMember *members;		/* OBJECT, in input order */
	size_t		count;
};

/*
 * json_parse
 *		Parse exactly one JSON value from text[0..len) (surrounding whitespace
 *		allowed).  Everything is allocated in arena a.
 *
 * Returns NULL on malformed input with a message in err (errlen bytes).
 */
JsonValue  *json_parse(const char *text, size_t len, Arena *a, char *err, int errlen);

/* Object member lookup (last one wins, as in PostgreSQL's jsonb). */
JsonValue  *json_get(const JsonValue *obj, const char *key);

/*
 * Append v in canonical form: no whitespace, object keys sorted by (length,
 * bytes) with duplicates removed (last wins) as PostgreSQL's jsonb orders
 * them, numbers as their shortest exact decimal text, strings re-escaped
 * minimally.  Two documents that mean the same thing render the same.
 */
void		json_canonical(const JsonValue *v, StrBuf *out);

#endif
