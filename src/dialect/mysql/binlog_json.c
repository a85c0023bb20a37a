/*
 * src/dialect/mysql/binlog_json.c
 *	  MySQL binary JSON to text (see binlog_json.h).
 *
 * Wire layout (MySQL 5.7+ "JSONB", little-endian):
 *   document   := type(1) value
 *   type       0x00 small object  0x01 large object  0x02 small array
 *              0x03 large array   0x04 literal (0 null, 1 true, 2 false)
 *              0x05 int16 0x06 uint16 0x07 int32 0x08 uint32 0x09 int64
 *              0x0a uint64 0x0b double 0x0c string 0x0f opaque
 *   object     count(2|4) size(2|4) key_entry{offset(2|4) length(2)}*count
 *              value_entry{type(1) offset-or-inline(2|4)}*count  keys  values
 *   array      count(2|4) size(2|4) value_entry*count  values
 *              (offsets are from the first byte after the type; small = 2,
 *              large = 4 bytes; literal/int16/uint16 are inlined in small
 *              containers, and int32/uint32 too in large ones)
 *   string     varlen length (7 bits per byte, low group first, max 5) bytes
 *   opaque     field_type(1) varlen length data; DATE/TIME/DATETIME/TIMESTAMP
 *              hold an 8-byte packed temporal, NEWDECIMAL holds
 *              precision(1) scale(1) binary decimal
 *
 * Diff vector (PARTIAL_UPDATE_ROWS after image of a JSON column):
 *   { op(1: 0 REPLACE, 1 INSERT, 2 REMOVE) | lenenc path_len | path |
 *     [op != REMOVE: lenenc value_len | binary JSON value] }*
 */
#include "dialect/mysql/binlog_json.h"

#include <stdio.h>
#include <string.h>

#include "common/cursor.h"
#include "dialect/mysql/rowimage.h"

#define JSON_MAX_DEPTH	150

enum
{
	J_SMALL_OBJ = 0x00,
	J_LARGE_OBJ = 0x01,
	J_SMALL_ARR = 0x02,
	J_LARGE_ARR = 0x03,
	J_LITERAL = 0x04,
	J_INT16 = 0x05,
	J_UINT16 = 0x06,
	J_INT32 = 0x07,
	J_UINT32 = 0x08,
	J_INT64 = 0x09,
	J_UINT64 = 0x0a,
	J_DOUBLE = 0x0b,
	J_STRING = 0x0c,
	J_OPAQUE = 0x0f,
};

typedef struct JCtx
{
	StrBuf	   *out;
	const char *what;
} JCtx;

static bool
jfail(JCtx *j, const char *what)
{
	if (!j->what)
		j->what = what;
	return false;
}

static bool
read_varlen7(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	uint64_t	v = 0;

	for (int i = 0; i < 5; i++)
	{
		if (*pp >= end)
			return false;
		uint8_t		b = *(*pp)++;

		v |= (uint64_t) (b & 0x7f) << (7 * i);
		if (!(b & 0x80))
		{
			*out = v;
			return true;
		}
	}
	return false;
}

static const char hexd[] = "0123456789abcdef";

static void
append_json_string(StrBuf *out, const uint8_t *s, size_t n)
{
	sb_appendc(out, '"');
	for (size_t i = 0; i < n; i++)
	{
		uint8_t		ch = s[i];

		switch (ch)
		{
			case '"':
				sb_append(out, "\\\"");
				break;
			case '\\':
				sb_append(out, "\\\\");
				break;
			case '\b':
				sb_append(out, "\\b");
				break;
			case '\f':
				sb_append(out, "\\f");
				break;
			case '\n':
				sb_append(out, "\\n");
				break;
			case '\r':
				sb_append(out, "\\r");
				break;
			case '\t':
				sb_append(out, "\\t");
				break;
			default:
				if (ch < 0x20 || ch == 0x7f)
				{
					char		u[7] = {'\\', 'u', '0', '0', hexd[ch >> 4], hexd[ch & 15], 0};

					sb_append(out, u);
				}
				else
					sb_appendc(out, (char) ch);
		}
	}
	sb_appendc(out, '"');
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
append_base64(StrBuf *out, const uint8_t *p, size_t n)
{
	size_t		i;

	for (i = 0; i + 3 <= n; i += 3)
	{
		uint32_t	v = ((uint32_t) p[i] << 16) | ((uint32_t) p[i + 1] << 8) | p[i + 2];
		char		q[5] = {b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63], b64[v & 63], 0};

		sb_append(out, q);
	}
	if (n - i == 1)
	{
		uint32_t	v = (uint32_t) p[i] << 16;
		char		q[5] = {b64[v >> 18], b64[(v >> 12) & 63], '=', '=', 0};

		sb_append(out, q);
	}
	else if (n - i == 2)
	{
		uint32_t	v = ((uint32_t) p[i] << 16) | ((uint32_t) p[i + 1] << 8);
		char		q[5] = {b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63], '=', 0};

		sb_append(out, q);
	}
}

/* Packed temporal (MySQL "longlong packed" form) for opaque JSON scalars. */
static bool
append_opaque_temporal(StrBuf *out, int field_type, const uint8_t *p, size_t n)
{
	if (n < 8)
		return false;
	int64_t		packed = (int64_t) load_le(p, 8);
	bool		neg = packed < 0;
	uint64_t	tmp = neg ? (uint64_t) 0 - (uint64_t) packed : (uint64_t) packed;
	uint64_t	frac = tmp % ((uint64_t) 1 << 24);
	uint64_t	intpart = tmp >> 24;
	char		buf[64];

	if (field_type == 11)		/* TIME */
	{
		unsigned	hour = (unsigned) ((intpart >> 12) % (1 << 10));
		unsigned	min = (unsigned) ((intpart >> 6) % (1 << 6));
		unsigned	sec = (unsigned) (intpart % (1 << 6));

		snprintf(buf, sizeof(buf), "\"%s%02u:%02u:%02u.%06u\"", neg ? "-" : "", hour, min, sec,
				 (unsigned) (frac % 1000000));
	}
	else
	{
		uint64_t	ymd = intpart >> 17;
		uint64_t	ym = ymd >> 5;
		uint64_t	hms = intpart % (1 << 17);
		unsigned	year = (unsigned) ((ym / 13) % 10000);
		unsigned	month = (unsigned) (ym % 13);
		unsigned	day = (unsigned) (ymd % (1 << 5));

		if (neg)
			return false;
		if (field_type == 10)	/* DATE */
			snprintf(buf, sizeof(buf), "\"%04u-%02u-%02u\"", year, month, day);
		else
			snprintf(buf, sizeof(buf), "\"%04u-%02u-%02u %02u:%02u:%02u.%06u\"", year, month, day,
					 (unsigned) (hms >> 12), (unsigned) ((hms >> 6) % 64), (unsigned) (hms % 64),
					 (unsigned) (frac % 1000000));
	}
	sb_append(out, buf);
	return true;
}

static bool append_value(JCtx *j, int type, const uint8_t *base, const uint8_t *end,
						 const uint8_t *p, int depth);

/* A value entry of a container: inline or at an offset from base. */
static bool
append_entry(JCtx *j, const uint8_t *base, const uint8_t *end, const uint8_t *entry, bool large,
			 int depth)
{
	int			type = entry[0];
	const uint8_t *v = entry + 1;
	bool		inlined = type == J_LITERAL || type == J_INT16 || type == J_UINT16 ||
		(large && (type == J_INT32 || type == J_UINT32));

	if (inlined)
		return append_value(j, type, base, end, v, depth);
	uint64_t	off = load_le(v, large ? 4 : 2);

	if (off >= (uint64_t) (end - base))
		return jfail(j, "json: value offset outside the container");
	return append_value(j, type, base + off, end, base + off, depth);
}

/*
 * Append an object or array whose header starts at p (after its type
 * byte); everything it references must lie in [p, p + size).  Depth is
 * capped.  False with j->what set.
 */
static bool
append_container(JCtx *j, int type, const uint8_t *p, const uint8_t *end, int depth)
{
	bool		large = type == J_LARGE_OBJ || type == J_LARGE_ARR;
	bool		obj = type == J_SMALL_OBJ || type == J_LARGE_OBJ;
	size_t		w = large ? 4 : 2;
	size_t		avail = (size_t) (end - p);

	if (depth > JSON_MAX_DEPTH)
		return jfail(j, "json: nesting too deep");
	if (avail < 2 * w)
		return jfail(j, "json: container header cut short");
	uint64_t	count = load_le(p, (int) w);
	uint64_t	size = load_le(p + w, (int) w);

	/* a size beyond the bytes present is clamped (never read past them) */
	if (size > avail)
		size = avail;
	if (size < 2 * w)
		return jfail(j, "json: container size does not fit");
	end = p + size;				/* offsets and values stay inside the container */
	size_t		key_entry = w + 2;
	size_t		val_entry = 1 + w;
	uint64_t	header = 2 * w + count * ((obj ? key_entry : 0) + val_entry);

	if (count > size || header > size)
		return jfail(j, "json: container entries do not fit");
	sb_appendc(j->out, obj ? '{' : '[');
	for (uint64_t i = 0; i < count; i++)
	{
		if (i > 0)
			sb_append(j->out, ", ");
		if (obj)
		{
			const uint8_t *ke = p + 2 * w + i * key_entry;
			uint64_t	koff = load_le(ke, (int) w);
			uint64_t	klen = load_le(ke + w, 2);

			if (koff > size || klen > size - koff)
				return jfail(j, "json: key outside the container");
			append_json_string(j->out, p + koff, (size_t) klen);
			sb_append(j->out, ": ");
		}
		const uint8_t *ve = p + 2 * w + count * (obj ? key_entry : 0) + i * val_entry;

		if (!append_entry(j, p, end, ve, large, depth + 1))
			return false;
		if (!sb_ok(j->out))
			return jfail(j, "json: text over the size cap");
	}
	sb_appendc(j->out, obj ? '}' : ']');
	return true;
}

/*
 * Append the value of the given type stored at p (inline values point into
 * the entry); end bounds every read.  False with j->what set.
 */
static bool
append_value(JCtx *j, int type, const uint8_t *base, const uint8_t *end, const uint8_t *p,
			 int depth)
{
	char		buf[128];
	size_t		avail = p <= end ? (size_t) (end - p) : 0;

	(void) base;
	switch (type)
	{
		case J_SMALL_OBJ:
		case J_LARGE_OBJ:
		case J_SMALL_ARR:
		case J_LARGE_ARR:
			return append_container(j, type, p, end, depth);
		case J_LITERAL:
			if (avail < 1)
				return jfail(j, "json: literal cut short");
			if (p[0] == 0)
				sb_append(j->out, "null");
			else if (p[0] == 1)
				sb_append(j->out, "true");
			else if (p[0] == 2)
				sb_append(j->out, "false");
			else
				return jfail(j, "json: unknown literal");
			return true;
		case J_INT16:
		case J_UINT16:
			if (avail < 2)
				return jfail(j, "json: int16 cut short");
			snprintf(buf, sizeof(buf), "%ld",
					 type == J_INT16 ? (long) (int16_t) load_le(p, 2) : (long) load_le(p, 2));
			sb_append(j->out, buf);
			return true;
		case J_INT32:
		case J_UINT32:
			if (avail < 4)
				return jfail(j, "json: int32 cut short");
			snprintf(buf, sizeof(buf), "%lld",
					 type == J_INT32 ? (long long) (int32_t) load_le(p, 4) : (long long) load_le(p, 4));
			sb_append(j->out, buf);
			return true;
		case J_INT64:
			if (avail < 8)
				return jfail(j, "json: int64 cut short");
			snprintf(buf, sizeof(buf), "%lld", (long long) (int64_t) load_le(p, 8));
			sb_append(j->out, buf);
			return true;
		case J_UINT64:
			if (avail < 8)
				return jfail(j, "json: uint64 cut short");
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long) load_le(p, 8));
			sb_append(j->out, buf);
			return true;
		case J_DOUBLE:
			{
				uint64_t	bits;
				double		d;

				if (avail < 8)
					return jfail(j, "json: double cut short");
				bits = load_le(p, 8);
				memcpy(&d, &bits, 8);
				if (d != d || d - d != 0)
					return jfail(j, "json: double is not finite");
				size_t		n = rowimage_format_double(d, false, buf);

				sb_appendn(j->out, buf, n);
				if (!memchr(buf, '.', n) && !memchr(buf, 'e', n))
					sb_append(j->out, ".0");
				return true;
			}
		case J_STRING:
			{
				const uint8_t *q = p;
				uint64_t	n;

				if (!read_varlen7(&q, end, &n) || n > (uint64_t) (end - q))
					return jfail(j, "json: string cut short");
				append_json_string(j->out, q, (size_t) n);
				return true;
			}
		case J_OPAQUE:
			{
				const uint8_t *q = p;
				uint64_t	n;
				int			ft;

				if (avail < 1)
					return jfail(j, "json: opaque cut short");
				ft = *q++;
				if (!read_varlen7(&q, end, &n) || n > (uint64_t) (end - q))
					return jfail(j, "json: opaque cut short");
				if (ft == 246)	/* NEWDECIMAL */
				{
					size_t		tl,
								used;

					if (n < 2 || !rowimage_decimal_text(q + 2, q + n, q[0], q[1], buf, &tl, &used))
						return jfail(j, "json: bad opaque decimal");
					sb_appendn(j->out, buf, tl);
					return true;
				}
				if (ft == 10 || ft == 11 || ft == 12 || ft == 7)
				{
					if (!append_opaque_temporal(j->out, ft, q, (size_t) n))
						return jfail(j, "json: bad opaque temporal");
					return true;
				}
				snprintf(buf, sizeof(buf), "\"base64:type%d:", ft);
				sb_append(j->out, buf);
				append_base64(j->out, q, (size_t) n);
				sb_appendc(j->out, '"');
				return true;
			}
	}
	return jfail(j, "json: unknown value type");
}

bool
binlog_json_to_text(const uint8_t *p, size_t len, StrBuf *out, const char **what)
{
	JCtx		j = {out, NULL};

	*what = NULL;
	if (len == 0)
	{
		sb_append(out, "null");
		return true;
	}
	if (!append_value(&j, p[0], p + 1, p + len, p + 1, 0))
	{
		*what = j.what ? j.what : "json: malformed";
		return false;
	}
	if (!sb_ok(out))
	{
		*what = "json: text over the size cap";
		return false;
	}
	return true;
}

bool
binlog_json_diff_to_text(const uint8_t *p, size_t len, int col, StrBuf *out, const char **what)
{
	Cursor		c = cur_make(p, len);
	StrBuf		acc;

	*what = NULL;
	sb_init(&acc, out->limit ? out->limit : SB_DEFAULT_LIMIT);
	sb_appendf(&acc, "@%d", col);
	while (cur_left(&c) > 0)
	{
		uint8_t		op;
		uint64_t	plen,
					vlen;
		const uint8_t *path,
				   *val;
		StrBuf		next;

		if (!cur_u8(&c, &op) || op > 2)
		{
			*what = "json diff: bad operation";
			sb_free(&acc);
			return false;
		}
		if (!cur_lenenc(&c, &plen) || plen > cur_left(&c) || !cur_bytes(&c, (size_t) plen, &path))
		{
			*what = "json diff: path cut short";
			sb_free(&acc);
			return false;
		}
		sb_init(&next, acc.limit);
		sb_append(&next, op == 0 ? "JSON_REPLACE(" : op == 1 ? "JSON_INSERT(" : "JSON_REMOVE(");
		sb_appendn(&next, acc.data, acc.len);
		sb_append(&next, ", ");
		sb_append_literaln(&next, (const char *) path, (size_t) plen);
		if (op != 2)
		{
			if (!cur_lenenc(&c, &vlen) || vlen > cur_left(&c) || !cur_bytes(&c, (size_t) vlen, &val))
			{
				*what = "json diff: value cut short";
				sb_free(&acc);
				sb_free(&next);
				return false;
			}
			sb_append(&next, ", ");
			if (!binlog_json_to_text(val, (size_t) vlen, &next, what))
			{
				sb_free(&acc);
				sb_free(&next);
				return false;
			}
		}
		sb_appendc(&next, ')');
		sb_free(&acc);
		acc = next;
		if (!sb_ok(&acc))
		{
			*what = "json diff: text over the size cap";
			sb_free(&acc);
			return false;
		}
	}
	sb_appendn(out, acc.data, acc.len);
	sb_free(&acc);
	if (!sb_ok(out))
	{
		*what = "json diff: text over the size cap";
		return false;
	}
	return true;
}
