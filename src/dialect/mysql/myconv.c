/*
 * src/dialect/mysql/myconv.c
 *	  MySQL text form -> PostgreSQL / CockroachDB text input form (see myconv.h).
 *
 * Input forms (what MySQL's text protocol returns, and rowimage.c renders):
 *   DATE "YYYY-MM-DD"   DATETIME/TIMESTAMP "YYYY-MM-DD HH:MM:SS[.f{1,6}]"
 *   TIME "[-]H{2,3}:MM:SS[.f{1,6}]"   YEAR "YYYY"   SET "a,b"   BIT raw bytes
 *   GEOMETRY: 4-byte little-endian SRID + OGC WKB
 * Output forms: see the table in myconv.h.
 */
#include "dialect/mysql/myconv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char hexd[] = "0123456789abcdef";

/* Render a value for a message: printable ASCII kept, the rest \xNN, cut at 60. */
static void
describe(const char *in, size_t len, char *out, size_t outlen)
{
	size_t		o = 0;

	for (size_t i = 0; i < len && o + 8 < outlen; i++)
	{
		unsigned char ch = (unsigned char) in[i];

		if (i >= 60)
		{
			o += (size_t) snprintf(out + o, outlen - o, "...");
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			out[o++] = (char) ch;
		else
			o += (size_t) snprintf(out + o, outlen - o, "\\x%02x", ch);
	}
	out[o] = '\0';
}

static MyConvStatus
conv_error(MyConvError *err, const Column *col, const char *in, size_t len, const char *hint,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static MyConvStatus
conv_error(MyConvError *err, const Column *col, const char *in, size_t len, const char *hint,
		   const char *fmt, ...)
{
	char		val[120];
	char		why[160];
	va_list		ap;

	describe(in, len, val, sizeof(val));
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err->message, sizeof(err->message), "value \"%.100s\" of column \"%.64s\" (%.64s) %.150s", val,
			 col->name ? col->name : "?", col->source_type ? col->source_type : "?", why);
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
	return MYCONV_ERROR;
}

static bool
has_nul(const char *in, size_t len)
{
	return memchr(in, '\0', len) != NULL;
}

static bool
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
num(const char *s, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Fraction ".f{1,6}" at s (len n); true when empty or well formed. */
static bool
frac_ok(const char *s, size_t n)
{
	if (n == 0)
		return true;
	if (s[0] != '.' || n < 2 || n > 7)
		return false;
	return digits(s + 1, (int) n - 1);
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

typedef enum DateKind
{
	DATE_BAD,
	DATE_VALID,
	DATE_ZERO,					/* 0000-00-00 */
	DATE_PARTIAL,				/* a zero year, month or day, or a day past the month */
} DateKind;

/*
 * Classify "YYYY-MM-DD...": valid, zero (0000-00-00), partial (a zero part
 * or a day the month does not have) or not a date at all.
 */
static DateKind
date_kind(const char *s, size_t len)
{
	static const int mdays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (len < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return DATE_BAD;
	int			y = num(s, 4),
				m = num(s + 5, 2),
				d = num(s + 8, 2);

	if (m > 12 || d > 31)
		return DATE_BAD;
	if (y == 0 && m == 0 && d == 0)
		return DATE_ZERO;
	if (y == 0 || m == 0 || d == 0 || d > mdays[m] || (m == 2 && d == 29 && !is_leap(y)))
		return DATE_PARTIAL;
	return DATE_VALID;
}

/* "HH:MM:SS[.f]" with HH 00-23 (or exactly 24:00:00[.0*]) */
static bool
time_of_day_ok(const char *s, size_t len, bool allow_24)
{
	if (len < 8 || !digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2) ||
		!frac_ok(s + 8, len - 8))
		return false;
	int			h = num(s, 2),
				m = num(s + 3, 2),
				sec = num(s + 6, 2);

	if (m > 59 || sec > 59)
		return false;
	if (h == 24 && allow_24)
	{
		if (m || sec)
			return false;
		for (size_t i = 9; i < len; i++)
			if (s[i] != '0')
				return false;
		return true;
	}
	return h < 24;
}

/* MySQL TIME "[-]H+:MM:SS[.f]", |H| <= 838 */
static bool
mysql_time_ok(const char *s, size_t len)
{
	size_t		i = 0;
	int			h = 0,
				hd = 0;

	if (len > 0 && s[0] == '-')
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9' && hd < 4)
	{
		h = h * 10 + (s[i] - '0');
		i++;
		hd++;
	}
	if (hd < 1 || h > 838 || len - i < 6 || s[i] != ':' || !digits(s + i + 1, 2) || s[i + 3] != ':' ||
		!digits(s + i + 4, 2) || !frac_ok(s + i + 6, len - i - 6))
		return false;
	return num(s + i + 1, 2) <= 59 && num(s + i + 4, 2) <= 59;
}

/*
 * Apply the zero-date policy: MYCONV_NULL, or an error naming the value.
 */
static MyConvStatus
zero_policy(const Column *col, const char *in, size_t len, const MyConvOptions *opt, MyConvError *err,
			const char *what)
{
	if (opt->zero == MYCONV_ZERO_NULL)
		return MYCONV_NULL;
	return conv_error(err, col, in, len,
					  "PostgreSQL has no such value: migrate it as NULL (zero-date policy \"null\") or fix it on the source",
					  "is %s", what);
}

static void
append_hex(StrBuf *out, const unsigned char *p, size_t n)
{
	if (!sb_reserve(out, 2 * n))
		return;
	for (size_t i = 0; i < n; i++)
	{
		char		h[2] = {hexd[p[i] >> 4], hexd[p[i] & 15]};

		sb_appendn(out, h, 2);
	}
}

static bool
target_is(const Column *col, const char *prefix)
{
	return col->target_type && strncasecmp(col->target_type, prefix, strlen(prefix)) == 0;
}

/*
 * MySQL geometry (SRID LE + WKB) -> EWKB hex (SRID flag on the outer type).
 * With as_bytea the EWKB is written as a bytea literal ("\x..."), which
 * PostGIS's ST_GeomFromEWKB reads later.
 */
static MyConvStatus
conv_geometry(const Column *col, const char *in, size_t len, bool as_bytea, StrBuf *out,
			  MyConvError *err)
{
	const unsigned char *p = (const unsigned char *) in;

	if (!as_bytea && !target_is(col, "geometry") && !target_is(col, "geography"))
	{
		sb_append(out, "\\x");
		append_hex(out, p, len);
		return MYCONV_OK;
	}
	if (len < 4 + 5 || (p[4] != 0 && p[4] != 1))
		return conv_error(err, col, in, len, NULL, "is not MySQL geometry (SRID + WKB)");
	uint32_t	srid = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
	bool		le = p[4] == 1;
	uint32_t	type = le ? ((uint32_t) p[5] | (uint32_t) p[6] << 8 | (uint32_t) p[7] << 16 | (uint32_t) p[8] << 24)
		: ((uint32_t) p[5] << 24 | (uint32_t) p[6] << 16 | (uint32_t) p[7] << 8 | (uint32_t) p[8]);

	if (type & 0xe0000000u)
		return conv_error(err, col, in, len, NULL, "has an EWKB type word, not MySQL WKB");
	if (as_bytea)
		sb_append(out, "\\x");
	append_hex(out, p + 4, 1);
	if (srid != 0)
	{
		unsigned char t[8];
		uint32_t	ft = type | 0x20000000u;

		if (le)
		{
			t[0] = (unsigned char) ft;
			t[1] = (unsigned char) (ft >> 8);
			t[2] = (unsigned char) (ft >> 16);
			t[3] = (unsigned char) (ft >> 24);
			memcpy(t + 4, p, 4);
		}
		else
		{
			t[0] = (unsigned char) (ft >> 24);
			t[1] = (unsigned char) (ft >> 16);
			t[2] = (unsigned char) (ft >> 8);
			t[3] = (unsigned char) ft;
			t[4] = (unsigned char) (srid >> 24);
			t[5] = (unsigned char) (srid >> 16);
			t[6] = (unsigned char) (srid >> 8);
			t[7] = (unsigned char) srid;
		}
		append_hex(out, t, 8);
	}
	else
		append_hex(out, p + 5, 4);
	append_hex(out, p + 9, len - 9);
	return MYCONV_OK;
}

MyConvStatus
myconv_value(const Column *col, const char *in, size_t len, const MyConvOptions *opt, StrBuf *out,
			 MyConvError *err)
{
	static const MyConvOptions defopt = {MYCONV_ZERO_NULL};

	if (!opt)
		opt = &defopt;
	err->message[0] = err->hint[0] = '\0';
	switch (col->conv)
	{
		case CONV_MY_BINARY:
			sb_append(out, "\\x");
			append_hex(out, (const unsigned char *) in, len);
			return MYCONV_OK;

		case CONV_MY_GEOMETRY:
			return conv_geometry(col, in, len, false, out, err);

		case CONV_MY_GEOMETRY_BYTEA:
			return conv_geometry(col, in, len, true, out, err);

		case CONV_MY_BIT_BOOL:
			/* BIT(1): one byte, 0 or 1 */
			if (len == 1 && (in[0] == 0 || in[0] == 1))
			{
				sb_appendc(out, in[0] ? 't' : 'f');
				return MYCONV_OK;
			}
			return conv_error(err, col, in, len, NULL, "is not BIT(1) data");

		case CONV_MY_BIT:
			{
				int64_t		bits = col->length > 0 ? col->length : (int64_t) len * 8;
				size_t		need = (size_t) (bits + 7) / 8;

				if (bits < 1 || bits > 64)
					return conv_error(err, col, in, len, NULL, "is not BIT(1..64) data");
				if (len < need)
					return conv_error(err, col, in, len, NULL, "has fewer bytes than BIT(%lld) needs", (long long) bits);
				for (size_t i = 0; i < len - need; i++)
					if (in[i] != 0)
						return conv_error(err, col, in, len, NULL, "has more bits than BIT(%lld)", (long long) bits);
				if (bits % 8 && ((unsigned char) in[len - need] >> (bits % 8)) != 0)
					return conv_error(err, col, in, len, NULL, "has more bits than BIT(%lld)", (long long) bits);
				for (int64_t b = bits - 1; b >= 0; b--)
					sb_appendc(out, ((unsigned char) in[len - 1 - (size_t) (b / 8)] >> (b % 8)) & 1 ? '1' : '0');
				return MYCONV_OK;
			}

		case CONV_MY_BOOL:
			if (len == 1 && in[0] == '0')
				sb_appendc(out, 'f');
			else if (len == 1 && in[0] == '1')
				sb_appendc(out, 't');
			else
				return conv_error(err, col, in, len,
								  "map the column to smallint instead of boolean (--type-map), or fix the value on the source",
								  "is not a boolean: tinyint(1) mapped to boolean holds only 0 and 1");
			return MYCONV_OK;

		case CONV_MY_DATE:
			switch (date_kind(in, len))
			{
				case DATE_VALID:
					if (len != 10)
						break;
					sb_appendn(out, in, len);
					return MYCONV_OK;
				case DATE_ZERO:
					return zero_policy(col, in, len, opt, err, "a zero date");
				case DATE_PARTIAL:
					return zero_policy(col, in, len, opt, err, "a partial date (zero year, month or day)");
				case DATE_BAD:
					break;
			}
			return conv_error(err, col, in, len, NULL, "is not a DATE in YYYY-MM-DD form");

		case CONV_MY_DATETIME:
		case CONV_MY_TIMESTAMP:
			{
				DateKind	k = date_kind(in, len);

				if (k == DATE_BAD || len < 19 || in[10] != ' ' || !time_of_day_ok(in + 11, len - 11, false))
					return conv_error(err, col, in, len, NULL, "is not a DATETIME in YYYY-MM-DD HH:MM:SS[.ffffff] form");
				if (k == DATE_ZERO)
					return zero_policy(col, in, len, opt, err, "a zero date");
				if (k == DATE_PARTIAL)
					return zero_policy(col, in, len, opt, err, "a partial date (zero year, month or day)");
				sb_appendn(out, in, len);
				if (col->conv == CONV_MY_TIMESTAMP)
					sb_append(out, "+00");
				return MYCONV_OK;
			}

		case CONV_MY_TIME:
			if (time_of_day_ok(in, len, true))
			{
				sb_appendn(out, in, len);
				return MYCONV_OK;
			}
			if (mysql_time_ok(in, len))
				return conv_error(err, col, in, len,
								  "map the column to interval (TIME values span -838:59:59 to 838:59:59)",
								  "is outside the time of day that PostgreSQL time holds");
			return conv_error(err, col, in, len, NULL, "is not a TIME");

		case CONV_MY_TIME_INTERVAL:
			if (!mysql_time_ok(in, len))
				return conv_error(err, col, in, len, NULL, "is not a TIME");
			sb_appendn(out, in, len);
			return MYCONV_OK;

		case CONV_MY_YEAR:
			if (len != 4 || !digits(in, 4))
				return conv_error(err, col, in, len, NULL, "is not a YEAR");
			if (num(in, 4) == 0)
			{
				if (opt->zero == MYCONV_ZERO_NULL)
					return MYCONV_NULL;
				sb_appendc(out, '0');
				return MYCONV_OK;
			}
			sb_appendn(out, in, len);
			return MYCONV_OK;

		case CONV_MY_SET:
			{
				size_t		start = 0;

				if (has_nul(in, len))
					return conv_error(err, col, in, len, NULL, "holds a NUL byte");
				sb_appendc(out, '{');
				if (len == 0)
				{
					sb_appendc(out, '}');
					return MYCONV_OK;
				}
				for (size_t i = 0; i <= len; i++)
				{
					if (i < len && in[i] != ',')
						continue;
					if (start)
						sb_appendc(out, ',');
					sb_appendc(out, '"');
					for (size_t k = start; k < i; k++)
					{
						if (in[k] == '"' || in[k] == '\\')
							sb_appendc(out, '\\');
						sb_appendc(out, in[k]);
					}
					sb_appendc(out, '"');
					start = i + 1;
				}
				sb_appendc(out, '}');
				return MYCONV_OK;
			}

		case CONV_MY_ENUM:
			if (has_nul(in, len))
				return conv_error(err, col, in, len, NULL, "holds a NUL byte");
			if (len == 0)
			{
				for (int i = 0; i < col->nenum_labels; i++)
					if (col->enum_labels[i] && col->enum_labels[i][0] == '\0')
						return MYCONV_OK;	/* '' is a real label: append nothing */
				return zero_policy(col, in, len, opt, err, "the invalid ENUM value '' (index 0)");
			}
			sb_appendn(out, in, len);
			return MYCONV_OK;

		case CONV_MY_JSON:
			if (has_nul(in, len))
				return conv_error(err, col, in, len, NULL, "holds a NUL byte");
			if (!(col->target_type && strcasecmp(col->target_type, "json") == 0))
			{
				/* jsonb rejects \u0000 (an escaped backslash before "u0000" is not one) */
				for (size_t i = 0; i + 6 <= len; i++)
				{
					if (in[i] != '\\')
						continue;
					if (memcmp(in + i, "\\u0000", 6) == 0)
						return conv_error(err, col, in, len, "map the column to json instead of jsonb",
										  "holds \\u0000, which jsonb cannot store");
					i++;		/* skip the escaped character */
				}
			}
			sb_appendn(out, in, len);
			return MYCONV_OK;

		case CONV_NONE:
		case CONV_PG_EXPR:
		case CONV_MY_TEXT:
			if (has_nul(in, len))
				return conv_error(err, col, in, len,
								  "map the column to bytea, or strip the NUL bytes on the source",
								  "holds a NUL byte, which PostgreSQL text cannot store");
			sb_appendn(out, in, len);
			return MYCONV_OK;
	}
	return conv_error(err, col, in, len, NULL, "has an unknown conversion %d", (int) col->conv);
}

/* ------------------------------------------------------------------ charsets */

/* MySQL latin1 (cp1252 with the five holes mapped to C1 controls) 0x80-0x9f */
static const unsigned short latin1_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
	0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static void
put_utf8(StrBuf *out, unsigned cp)
{
	char		b[4];

	if (cp < 0x80)
		sb_appendc(out, (char) cp);
	else if (cp < 0x800)
	{
		b[0] = (char) (0xc0 | (cp >> 6));
		b[1] = (char) (0x80 | (cp & 0x3f));
		sb_appendn(out, b, 2);
	}
	else
	{
		b[0] = (char) (0xe0 | (cp >> 12));
		b[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char) (0x80 | (cp & 0x3f));
		sb_appendn(out, b, 3);
	}
}

bool
myconv_charset_needs_conversion(const char *cs)
{
	return cs && strncasecmp(cs, "utf8", 4) != 0 && strcasecmp(cs, "ascii") != 0 && strcasecmp(cs, "binary") != 0;
}

bool
myconv_to_utf8(const char *cs, const char *in, size_t len, StrBuf *out, MyConvError *err)
{
	err->message[0] = err->hint[0] = '\0';
	if (!myconv_charset_needs_conversion(cs))
	{
		sb_appendn(out, in, len);
		return true;
	}
	if (strcasecmp(cs, "latin1") == 0)
	{
		for (size_t i = 0; i < len; i++)
		{
			unsigned char ch = (unsigned char) in[i];

			put_utf8(out, ch < 0x80 ? ch : ch < 0xa0 ? latin1_hi[ch - 0x80] : ch);
		}
		return true;
	}
	snprintf(err->message, sizeof(err->message), "character set \"%s\" cannot be converted to UTF-8 by godwit", cs);
	snprintf(err->hint, sizeof(err->hint), "convert the column to utf8mb4 on the source (ALTER TABLE ... CONVERT TO CHARACTER SET utf8mb4)");
	return false;
}

const char *
myconv_collation_charset(unsigned id)
{
	switch (id)
	{
		case 5:
		case 8:
		case 15:
		case 31:
		case 47:
		case 48:
		case 49:
		case 94:
			return "latin1";
		case 11:
		case 65:
			return "ascii";
		case 63:
			return "binary";
		case 33:
		case 76:
		case 83:
			return "utf8mb3";
		case 45:
		case 46:
			return "utf8mb4";
	}
	if ((id >= 192 && id <= 215) || id == 223)
		return "utf8mb3";
	if ((id >= 224 && id <= 247) || (id >= 255 && id <= 323))
		return "utf8mb4";
	/* MariaDB 10.10+ UCA-14.0.0 collations: utf8mb3 2048+, utf8mb4 2304+ */
	if (id >= 2048 && id < 2304)
		return "utf8mb3";
	if (id >= 2304 && id < 2560)
		return "utf8mb4";
	return NULL;
}

/* ------------------------------------------------------------------ COPY */

/* COPY text escapes: the letter after the backslash, 0 for bytes copied as they are. */
static const char copy_escapes[256] = {
	['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r', ['\b'] = 'b', ['\f'] = 'f', ['\v'] = 'v',
};

void
myconv_copy_escape(StrBuf *out, const char *val, size_t len)
{
	const unsigned char *p = (const unsigned char *) val;
	size_t		run = 0,
				i = 0;

	sb_reserve(out, len + len / 8);
	for (;;)
	{
		/* most bytes need no escape: skip them in one go, copy the run once */
		while (i < len && copy_escapes[p[i]] == 0)
			i++;
		if (i > run)
			sb_appendn(out, val + run, i - run);
		if (i >= len)
			break;

		char		esc[2] = {'\\', copy_escapes[p[i]]};

		sb_appendn(out, esc, 2);
		run = ++i;
	}
}

void
myconv_copy_null(StrBuf *out)
{
	sb_appendn(out, "\\N", 2);
}
