/*
 * src/core/canon.c
 *	  Canonical values of target column types (see canon.h for the rules).
 *
 * Every parser here reads the text output forms of PostgreSQL (DateStyle
 * ISO, IntervalStyle postgres, bytea_output hex or escape, extra_float_digits
 * >= 1) and the input forms myconv produces from MySQL values.  Temporal
 * values become integers (days or microseconds) so that any two spellings of
 * an instant compare equal and order correctly, BC dates and years past 9999
 * included.
 */
#include "core/canon.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/typemap.h"
#include "common/json.h"

#define UNPARSED_MARK	"\x01?"		/* prefix of raw bytes that did not parse */

void
canon_scratch_init(CanonScratch *s)
{
	sb_init(&s->a, SB_DEFAULT_LIMIT);
	sb_init(&s->b, SB_DEFAULT_LIMIT);
	arena_init(&s->arena, 16 * 1024);
}

void
canon_scratch_free(CanonScratch *s)
{
	sb_free(&s->a);
	sb_free(&s->b);
	arena_free(&s->arena);
}

/* ------------------------------------------------------------------ types */

static const struct
{
	const char *name;
	CanonKind	kind;
}			kind_names[] = {
	{"int2", CANON_INT}, {"int4", CANON_INT}, {"int8", CANON_INT}, {"oid", CANON_INT},
	{"numeric", CANON_NUMERIC},
	{"float4", CANON_FLOAT4}, {"float8", CANON_FLOAT8},
	{"bool", CANON_BOOL},
	{"date", CANON_DATE},
	{"time", CANON_TIME}, {"timetz", CANON_TIMETZ},
	{"timestamp", CANON_TIMESTAMP}, {"timestamptz", CANON_TIMESTAMPTZ},
	{"interval", CANON_INTERVAL},
	{"bytea", CANON_BYTEA},
	{"geometry", CANON_HEX}, {"geography", CANON_HEX},
	{"uuid", CANON_UUID},
	{"json", CANON_JSON}, {"jsonb", CANON_JSON},
	{"bpchar", CANON_BPCHAR},
	{"money", CANON_MONEY},
};

static const char *const canon_names[] = {
	[CANON_TEXT] = "text", [CANON_BPCHAR] = "bpchar", [CANON_INT] = "int",
	[CANON_NUMERIC] = "numeric", [CANON_FLOAT4] = "float4", [CANON_FLOAT8] = "float8",
	[CANON_BOOL] = "bool", [CANON_DATE] = "date", [CANON_TIME] = "time",
	[CANON_TIMETZ] = "timetz", [CANON_TIMESTAMP] = "timestamp",
	[CANON_TIMESTAMPTZ] = "timestamptz", [CANON_INTERVAL] = "interval",
	[CANON_BYTEA] = "bytea", [CANON_HEX] = "hex", [CANON_UUID] = "uuid", [CANON_JSON] = "json",
	[CANON_MONEY] = "money",
};

const char *
canon_kind_name(CanonKind kind)
{
	return (size_t) kind < sizeof(canon_names) / sizeof(canon_names[0]) ? canon_names[kind] : "?";
}

CanonType
canon_type_of(const char *type)
{
	char		canon[256];
	const char *base;
	const char *dot;
	CanonType	t = {CANON_TEXT, false};

	if (type == NULL)
		return t;
	typemap_canonical(type, canon, sizeof(canon));
	base = canon;
	if (base[0] == '_')
	{
		t.array = true;
		base++;
	}
	/* extension types come qualified ("public.geometry"); user types quoted */
	if (base[0] != '"' && (dot = strrchr(base, '.')) != NULL)
		base = dot + 1;
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(base, kind_names[i].name) == 0)
			t.kind = kind_names[i].kind;
	return t;
}

bool
canon_key_order_by_value(CanonType t)
{
	if (t.array)
		return false;
	switch (t.kind)
	{
		case CANON_TEXT:
		case CANON_BPCHAR:
		case CANON_JSON:
		case CANON_HEX:
			return false;
		default:
			return true;
	}
}

/* ------------------------------------------------------------------ helpers */

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int64_t
digits_value(const char *s, size_t n)
{
	int64_t		v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool
eq_nocase(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, astronomical years). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t		era;
	int64_t		yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * "YYYY-MM-DD" (4 or more year digits) at s; *used gets the bytes read.
 * The year is returned as written (a BC suffix is the caller's).
 */
static bool
parse_ymd(const char *s, size_t len, int64_t *y, int *m, int *d, size_t *used)
{
	size_t		i = 0;

	while (i < len && i < 9 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < 4 || i + 6 > len || s[i] != '-' || !all_digits(s + i + 1, 2) || s[i + 3] != '-' ||
		!all_digits(s + i + 4, 2))
		return false;
	*y = digits_value(s, i);
	*m = (int) digits_value(s + i + 1, 2);
	*d = (int) digits_value(s + i + 4, 2);
	*used = i + 6;
	if (*m < 1 || *m > 12 || *d < 1 || *d > 31)
		return false;
	return true;
}

static bool
day_valid(int64_t y, int m, int d)
{
	static const int mdays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return d <= mdays[m] || (m == 2 && d == 29 && is_leap(y));
}

/* " BC" at the end of s[0..len)?  Shortens *len. */
static bool
strip_bc(const char *s, size_t *len)
{
	if (*len >= 3 && strncmp(s + *len - 3, " BC", 3) == 0)
	{
		*len -= 3;
		return true;
	}
	return false;
}

/*
 * "HH:MM[:SS[.ffffff]]" at s; hours may exceed 23 (24:00:00, intervals) up
 * to max_hours.  Microseconds into *us; *used gets the bytes read.
 */
static bool
parse_clock(const char *s, size_t len, int64_t max_hours, int64_t *us, size_t *used)
{
	size_t		i = 0;
	int64_t		h,
				mi,
				sec = 0,
				frac = 0;

	while (i < len && i < 10 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i + 3 > len || s[i] != ':' || !all_digits(s + i + 1, 2))
		return false;
	h = digits_value(s, i);
	mi = digits_value(s + i + 1, 2);
	i += 3;
	if (i < len && s[i] == ':')
	{
		if (i + 3 > len || !all_digits(s + i + 1, 2))
			return false;
		sec = digits_value(s + i + 1, 2);
		i += 3;
		if (i < len && s[i] == '.')
		{
			int			nd = 0;
			int64_t		scale = 100000;

			i++;
			while (i < len && s[i] >= '0' && s[i] <= '9')
			{
				if (nd < 6)
					frac += (s[i] - '0') * scale;
				else if (s[i] != '0')
					return false;	/* beyond microseconds: not a PostgreSQL value */
				scale /= 10;
				nd++;
				i++;
			}
			if (nd == 0)
				return false;
		}
	}
	if (h > max_hours || mi > 59 || sec > 60)
		return false;
	*us = ((h * 60 + mi) * 60 + sec) * 1000000 + frac;
	*used = i;
	return true;
}

/* "+HH[:MM[:SS]]" / "-..." / "Z" at s: offset east of UTC in seconds. */
static bool
parse_offset(const char *s, size_t len, int64_t *secs, size_t *used)
{
	size_t		i = 1;
	int64_t		h,
				m = 0,
				sec = 0;

	if (len >= 1 && (s[0] == 'Z' || s[0] == 'z'))
	{
		*secs = 0;
		*used = 1;
		return true;
	}
	if (len < 3 || (s[0] != '+' && s[0] != '-') || !all_digits(s + 1, 2))
		return false;
	h = digits_value(s + 1, 2);
	i = 3;
	if (i < len && (s[i] == ':' || isdigit((unsigned char) s[i])))
	{
		size_t		k = s[i] == ':' ? i + 1 : i;

		if (k + 2 > len || !all_digits(s + k, 2))
			return false;
		m = digits_value(s + k, 2);
		i = k + 2;
		if (i < len && s[i] == ':')
		{
			if (i + 3 > len || !all_digits(s + i + 1, 2))
				return false;
			sec = digits_value(s + i + 1, 2);
			i += 3;
		}
	}
	if (h > 15 || m > 59 || sec > 59)
		return false;
	*secs = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60 + sec);
	*used = i;
	return true;
}

bool
canon_parse_date(const char *s, size_t len, int64_t *days)
{
	int64_t		y;
	int			m,
				d;
	size_t		used;
	bool		bc;

	if (eq_nocase(s, len, "infinity"))
	{
		*days = INT64_MAX;
		return true;
	}
	if (eq_nocase(s, len, "-infinity"))
	{
		*days = INT64_MIN;
		return true;
	}
	bc = strip_bc(s, &len);
	if (!parse_ymd(s, len, &y, &m, &d, &used) || used != len)
		return false;
	if (bc && y == 0)
		return false;
	if (bc)
		y = 1 - y;
	if (!day_valid(y, m, d))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

bool
canon_parse_timestamp(const char *s, size_t len, bool with_tz, int64_t *us)
{
	int64_t		y,
				clock,
				off = 0;
	int			m,
				d;
	size_t		used,
				i;
	bool		bc;

	if (eq_nocase(s, len, "infinity"))
	{
		*us = INT64_MAX;
		return true;
	}
	if (eq_nocase(s, len, "-infinity"))
	{
		*us = INT64_MIN;
		return true;
	}
	bc = strip_bc(s, &len);
	if (!parse_ymd(s, len, &y, &m, &d, &used))
		return false;
	i = used;
	if (i >= len || (s[i] != ' ' && s[i] != 'T'))
		return false;
	i++;
	if (!parse_clock(s + i, len - i, 24, &clock, &used))
		return false;
	i += used;
	if (i < len)
	{
		if (!parse_offset(s + i, len - i, &off, &used))
			return false;
		i += used;
	}
	if (i != len)
		return false;
	/* an offset on a timestamp without time zone is ignored by PostgreSQL */
	if (!with_tz)
		off = 0;
	if (bc && y == 0)
		return false;
	if (bc)
		y = 1 - y;
	if (!day_valid(y, m, d))
		return false;
	*us = days_from_civil(y, m, d) * INT64_C(86400000000) + clock - off * 1000000;
	return true;
}

/* time of day, or time with zone (*off set, seconds east) */
static bool
parse_time(const char *s, size_t len, bool with_tz, int64_t *us, int64_t *off)
{
	size_t		used;

	*off = 0;
	if (!parse_clock(s, len, 24, us, &used))
		return false;
	if (*us > INT64_C(86400000000))
		return false;
	if (with_tz)
	{
		size_t		u2;

		if (used >= len || !parse_offset(s + used, len - used, off, &u2))
			return false;
		used += u2;
	}
	return used == len;
}

/* PostgreSQL interval in the postgres style, or a bare clock ("-838:59:59"). */
static bool
parse_interval(const char *s, size_t len, int64_t *months, int64_t *days, int64_t *us)
{
	size_t		i = 0;
	bool		any = false,
				clock_seen = false;

	*months = *days = *us = 0;
	while (i < len)
	{
		bool		neg = false;
		size_t		start;

		if (s[i] == ' ')
		{
			i++;
			continue;
		}
		start = i;
		if (s[i] == '+' || s[i] == '-')
		{
			neg = s[i] == '-';
			i++;
		}
		size_t		ds = i;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == ds || i - ds > 15)
			return false;
		if (i < len && s[i] == ':')
		{
			int64_t		c;
			size_t		used;

			if (clock_seen || !parse_clock(s + ds, len - ds, INT64_C(2562047788), &c, &used))
				return false;
			*us += neg ? -c : c;
			i = ds + used;
			clock_seen = true;
			any = true;
			continue;
		}
		int64_t		v = digits_value(s + ds, i - ds);

		if (neg)
			v = -v;
		if (i >= len || s[i] != ' ')
			return false;
		i++;
		size_t		us_start = i;

		while (i < len && isalpha((unsigned char) s[i]))
			i++;
		const char *unit = s + us_start;
		size_t		ulen = i - us_start;

		if (eq_nocase(unit, ulen, "year") || eq_nocase(unit, ulen, "years"))
			*months += v * 12;
		else if (eq_nocase(unit, ulen, "mon") || eq_nocase(unit, ulen, "mons"))
			*months += v;
		else if (eq_nocase(unit, ulen, "day") || eq_nocase(unit, ulen, "days"))
			*days += v;
		else
			return false;
		(void) start;
		any = true;
	}
	return any;
}

/* ------------------------------------------------------------------ numbers */

/*
 * A decimal "[+-]digits[.digits]" split into its significant parts:
 * integer digits without leading zeros, fraction without trailing zeros.
 */
typedef struct Decimal
{
	bool		neg;
	const char *ip;				/* integer digits (may be empty) */
	size_t		ilen;
	const char *fp;				/* fraction digits (may be empty) */
	size_t		flen;
	int			special;		/* 0 finite, 1 +Infinity, -1 -Infinity, 2 NaN */
} Decimal;

static bool
parse_decimal(const char *s, size_t len, bool allow_fraction, Decimal *d)
{
	size_t		i = 0;

	memset(d, 0, sizeof(*d));
	if (eq_nocase(s, len, "NaN"))
	{
		d->special = 2;
		return allow_fraction;
	}
	if (eq_nocase(s, len, "Infinity") || eq_nocase(s, len, "+Infinity") || eq_nocase(s, len, "inf"))
	{
		d->special = 1;
		return allow_fraction;
	}
	if (eq_nocase(s, len, "-Infinity") || eq_nocase(s, len, "-inf"))
	{
		d->special = -1;
		return allow_fraction;
	}
	if (i < len && (s[i] == '+' || s[i] == '-'))
		d->neg = s[i++] == '-';
	size_t		istart = i;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	size_t		iend = i;
	size_t		fstart = i,
				fend = i;

	if (i < len && s[i] == '.' && allow_fraction)
	{
		i++;
		fstart = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		fend = i;
	}
	if (i != len || (iend == istart && fend == fstart))
		return false;
	while (istart < iend && s[istart] == '0')
		istart++;
	while (fend > fstart && s[fend - 1] == '0')
		fend--;
	d->ip = s + istart;
	d->ilen = iend - istart;
	d->fp = s + fstart;
	d->flen = fend - fstart;
	if (d->ilen == 0 && d->flen == 0)
		d->neg = false;			/* -0 is 0 */
	return true;
}

static void
decimal_render(const Decimal *d, StrBuf *out)
{
	if (d->special)
	{
		sb_append(out, d->special == 2 ? "NaN" : d->special > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (d->neg)
		sb_appendc(out, '-');
	if (d->ilen == 0)
		sb_appendc(out, '0');
	else
		sb_appendn(out, d->ip, d->ilen);
	if (d->flen)
	{
		sb_appendc(out, '.');
		sb_appendn(out, d->fp, d->flen);
	}
}

/* Order of two decimals: NaN above everything (as PostgreSQL sorts it). */
static int
decimal_cmp(const Decimal *a, const Decimal *b)
{
	int			ra = a->special == 2 ? 3 : a->special,
				rb = b->special == 2 ? 3 : b->special;
	int			sign,
				c;

	if (ra || rb)
	{
		if (ra == rb)
			return 0;
		/* finite values rank 0 but must be ordered against infinities by sign */
		if (ra == 0)
			return rb > 0 ? -1 : 1;
		if (rb == 0)
			return ra > 0 ? 1 : -1;
		return ra < rb ? -1 : 1;
	}
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	sign = a->neg ? -1 : 1;
	if (a->ilen != b->ilen)
		return a->ilen < b->ilen ? -sign : sign;
	c = memcmp(a->ip, b->ip, a->ilen);
	if (c)
		return c < 0 ? -sign : sign;
	size_t		n = a->flen < b->flen ? a->flen : b->flen;

	c = memcmp(a->fp, b->fp, n);
	if (c)
		return c < 0 ? -sign : sign;
	if (a->flen != b->flen)
		return a->flen < b->flen ? -sign : sign;
	return 0;
}

/* strtod/strtof of a bounded text; PostgreSQL's spellings of the specials. */
static bool
parse_float(const char *s, size_t len, bool single, double *out)
{
	char		buf[128];
	char	   *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	if (eq_nocase(s, len, "NaN"))
	{
		*out = NAN;
		return true;
	}
	if (eq_nocase(s, len, "Infinity") || eq_nocase(s, len, "+Infinity") || eq_nocase(s, len, "inf"))
	{
		*out = INFINITY;
		return true;
	}
	if (eq_nocase(s, len, "-Infinity") || eq_nocase(s, len, "-inf"))
	{
		*out = -INFINITY;
		return true;
	}
	/* decimal digits only: no hex floats, no words */
	for (size_t i = 0; i < len; i++)
		if (!(isdigit((unsigned char) s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' ||
			  s[i] == '-'))
			return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (single)
		*out = strtof(buf, &end);
	else
		*out = strtod(buf, &end);
	return end == buf + len;
}

/* Shortest "%.*e" text that reads back as v (float: as (float) v). */
static void
float_render(double v, bool single, StrBuf *out)
{
	char		buf[64];

	if (isnan(v))
	{
		sb_append(out, "NaN");
		return;
	}
	if (isinf(v))
	{
		sb_append(out, v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (v == 0)
	{
		sb_append(out, signbit(v) ? "-0" : "0");
		return;
	}
	for (int p = 1; p <= 17; p++)
	{
		snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
		if (single ? strtof(buf, NULL) == (float) v : strtod(buf, NULL) == v)
			break;
	}
	sb_append(out, buf);
}

/* ------------------------------------------------------------------ bytes */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char hexdig[] = "0123456789abcdef";

/* bytea: "\x..." hex or the escape form, to "\x" + lower-case hex */
static bool
canon_bytea(const char *s, size_t len, StrBuf *out)
{
	if (len >= 2 && s[0] == '\\' && s[1] == 'x')
	{
		if ((len - 2) % 2)
			return false;
		sb_append(out, "\\x");
		for (size_t i = 2; i < len; i++)
		{
			if (hexval(s[i]) < 0)
				return false;
			sb_appendc(out, (char) tolower((unsigned char) s[i]));
		}
		return true;
	}
	sb_append(out, "\\x");
	for (size_t i = 0; i < len; i++)
	{
		unsigned char b = (unsigned char) s[i];

		if (s[i] == '\\')
		{
			if (i + 1 < len && s[i + 1] == '\\')
			{
				b = '\\';
				i++;
			}
			else if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
					 s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7')
			{
				b = (unsigned char) ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
				i += 3;
			}
			else
				return false;
		}
		char		h[2] = {hexdig[b >> 4], hexdig[b & 15]};

		sb_appendn(out, h, 2);
	}
	return true;
}

static bool
canon_hex(const char *s, size_t len, StrBuf *out)
{
	for (size_t i = 0; i < len; i++)
	{
		if (hexval(s[i]) < 0)
			return false;
		sb_appendc(out, (char) tolower((unsigned char) s[i]));
	}
	return true;
}

static bool
canon_uuid(const char *s, size_t len, StrBuf *out)
{
	char		hex[32];
	int			n = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '-' || ((s[i] == '{' && i == 0) || (s[i] == '}' && i == len - 1)))
			continue;
		if (hexval(s[i]) < 0 || n >= 32)
			return false;
		hex[n++] = (char) tolower((unsigned char) s[i]);
	}
	if (n != 32)
		return false;
	sb_appendn(out, hex, 8);
	sb_appendc(out, '-');
	sb_appendn(out, hex + 8, 4);
	sb_appendc(out, '-');
	sb_appendn(out, hex + 12, 4);
	sb_appendc(out, '-');
	sb_appendn(out, hex + 16, 4);
	sb_appendc(out, '-');
	sb_appendn(out, hex + 20, 12);
	return true;
}

static bool
canon_bool(const char *s, size_t len, StrBuf *out)
{
	static const char *const yes[] = {"t", "true", "1", "y", "yes", "on"};
	static const char *const no[] = {"f", "false", "0", "n", "no", "off"};

	for (size_t i = 0; i < 6; i++)
	{
		if (eq_nocase(s, len, yes[i]))
		{
			sb_appendc(out, 't');
			return true;
		}
		if (eq_nocase(s, len, no[i]))
		{
			sb_appendc(out, 'f');
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ arrays */

static bool canon_scalar(CanonKind kind, const char *in, size_t len, StrBuf *out, Arena *arena);

/*
 * Parse one array level "{...}" at *pos, writing the canonical form: each
 * element quoted (NULL bare), sub-arrays recursed.  Depth is bounded.
 */
static bool
canon_array_level(CanonKind kind, const char *s, size_t len, size_t *pos, int depth, StrBuf *out,
				  Arena *arena)
{
	size_t		i = *pos;
	StrBuf		elem;
	bool		first = true;

	if (depth > 8 || i >= len || s[i] != '{')
		return false;
	i++;
	sb_appendc(out, '{');
	sb_init(&elem, SB_DEFAULT_LIMIT);
	for (;;)
	{
		while (i < len && isspace((unsigned char) s[i]))
			i++;
		if (i >= len)
			goto fail;
		if (s[i] == '}' && first)
		{
			i++;
			break;
		}
		if (!first)
			sb_appendc(out, ',');
		first = false;
		if (s[i] == '{')
		{
			if (!canon_array_level(kind, s, len, &i, depth + 1, out, arena))
				goto fail;
		}
		else
		{
			bool		quoted = s[i] == '"';

			sb_reset(&elem);
			if (quoted)
			{
				i++;
				while (i < len && s[i] != '"')
				{
					if (s[i] == '\\' && i + 1 < len)
						i++;
					sb_appendc(&elem, s[i++]);
				}
				if (i >= len)
					goto fail;
				i++;
			}
			else
			{
				while (i < len && s[i] != ',' && s[i] != '}')
				{
					if (s[i] == '\\' && i + 1 < len)
						i++;
					sb_appendc(&elem, s[i++]);
				}
				/* unquoted elements lose surrounding white space */
				while (elem.len > 0 && isspace((unsigned char) elem.data[elem.len - 1]))
					sb_truncate(&elem, elem.len - 1);
			}
			if (!quoted && eq_nocase(elem.data, elem.len, "NULL"))
				sb_appendc(out, 'N');
			else
			{
				StrBuf		c;

				sb_init(&c, SB_DEFAULT_LIMIT);
				canon_scalar(kind, elem.data, elem.len, &c, arena);
				sb_appendc(out, '"');
				for (size_t k = 0; k < c.len; k++)
				{
					if (c.data[k] == '"' || c.data[k] == '\\')
						sb_appendc(out, '\\');
					sb_appendc(out, c.data[k]);
				}
				sb_appendc(out, '"');
				sb_free(&c);
			}
		}
		while (i < len && isspace((unsigned char) s[i]))
			i++;
		if (i < len && s[i] == ',')
		{
			i++;
			continue;
		}
		if (i < len && s[i] == '}')
		{
			i++;
			break;
		}
		goto fail;
	}
	sb_appendc(out, '}');
	sb_free(&elem);
	*pos = i;
	return true;
fail:
	sb_free(&elem);
	return false;
}

static bool
canon_array(CanonKind kind, const char *s, size_t len, StrBuf *out, Arena *arena)
{
	size_t		i = 0;

	/* explicit bounds "[0:2]={...}" are part of the value */
	if (len > 0 && s[0] == '[')
	{
		const char *eq = memchr(s, '=', len);

		if (eq == NULL)
			return false;
		i = (size_t) (eq - s) + 1;
		sb_appendn(out, s, i);
	}
	if (!canon_array_level(kind, s, len, &i, 0, out, arena))
		return false;
	return i == len;
}

/* ------------------------------------------------------------------ values */

/* The canonical form of one scalar; on a parse failure the marked raw bytes. */
static bool
canon_scalar(CanonKind kind, const char *in, size_t len, StrBuf *out, Arena *arena)
{
	size_t		mark = out->len;
	bool		ok = false;

	switch (kind)
	{
		case CANON_TEXT:
			sb_appendn(out, in, len);
			return true;
		case CANON_BPCHAR:
			while (len > 0 && in[len - 1] == ' ')
				len--;
			sb_appendn(out, in, len);
			return true;
		case CANON_INT:
		case CANON_NUMERIC:
			{
				Decimal		d;

				ok = parse_decimal(in, len, kind == CANON_NUMERIC, &d);
				if (ok)
					decimal_render(&d, out);
				break;
			}
		case CANON_FLOAT4:
		case CANON_FLOAT8:
			{
				double		v;

				ok = parse_float(in, len, kind == CANON_FLOAT4, &v);
				if (ok)
					float_render(v, kind == CANON_FLOAT4, out);
				break;
			}
		case CANON_BOOL:
			ok = canon_bool(in, len, out);
			break;
		case CANON_DATE:
			{
				int64_t		days;

				ok = canon_parse_date(in, len, &days);
				if (ok)
					sb_appendf(out, "%lld", (long long) days);
				break;
			}
		case CANON_TIME:
		case CANON_TIMETZ:
			{
				int64_t		us,
							off;

				ok = parse_time(in, len, kind == CANON_TIMETZ, &us, &off);
				if (ok)
					sb_appendf(out, "%lld@%lld", (long long) us, (long long) off);
				break;
			}
		case CANON_TIMESTAMP:
		case CANON_TIMESTAMPTZ:
			{
				int64_t		us;

				ok = canon_parse_timestamp(in, len, kind == CANON_TIMESTAMPTZ, &us);
				if (ok)
					sb_appendf(out, "%lld", (long long) us);
				break;
			}
		case CANON_INTERVAL:
			{
				int64_t		mo,
							d,
							us;

				ok = parse_interval(in, len, &mo, &d, &us);
				if (ok)
					sb_appendf(out, "%lldm%lldd%lld", (long long) mo, (long long) d, (long long) us);
				break;
			}
		case CANON_MONEY:
			{
				/* "-$1,234.50", "($1,234.50)", "1234.5": digits and the point count */
				StrBuf		num;
				Decimal		d;
				bool		neg = false;

				sb_init(&num, SB_DEFAULT_LIMIT);
				for (size_t i = 0; i < len; i++)
				{
					if (in[i] == '-' || in[i] == '(')
						neg = true;
					else if ((in[i] >= '0' && in[i] <= '9') || in[i] == '.')
						sb_appendc(&num, in[i]);
				}
				ok = num.len > 0 && parse_decimal(num.data, num.len, true, &d);
				if (ok)
				{
					d.neg = neg && (d.ilen > 0 || d.flen > 0);
					decimal_render(&d, out);
				}
				sb_free(&num);
				break;
			}
		case CANON_BYTEA:
			ok = canon_bytea(in, len, out);
			break;
		case CANON_HEX:
			ok = canon_hex(in, len, out);
			break;
		case CANON_UUID:
			ok = canon_uuid(in, len, out);
			break;
		case CANON_JSON:
			{
				char		err[128];
				JsonValue  *v;

				arena_reset(arena);
				v = json_parse(in, len, arena, err, sizeof(err));
				if (v)
				{
					json_canonical(v, out);
					ok = true;
				}
				arena_reset(arena);
				break;
			}
	}
	if (!ok)
	{
		sb_truncate(out, mark);
		sb_append(out, UNPARSED_MARK);
		sb_appendn(out, in, len);
	}
	return ok;
}

/* canon_value with a caller-provided arena (the scratch's) */
static bool
canon_value_in(CanonType t, const char *in, size_t len, StrBuf *out, Arena *arena)
{
	if (t.array)
	{
		size_t		mark = out->len;

		if (canon_array(t.kind, in, len, out, arena))
			return true;
		sb_truncate(out, mark);
		sb_append(out, UNPARSED_MARK);
		sb_appendn(out, in, len);
		return false;
	}
	return canon_scalar(t.kind, in, len, out, arena);
}

bool
canon_value(CanonType t, const char *in, size_t len, StrBuf *out)
{
	Arena		arena;
	bool		ok;

	arena_init(&arena, 4096);
	ok = canon_value_in(t, in, len, out, &arena);
	arena_free(&arena);
	return ok;
}

bool
canon_equal(CanonType t, const char *a, size_t alen, const char *b, size_t blen, CanonScratch *s)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return true;
	if (t.kind == CANON_TEXT && !t.array)
		return false;
	sb_reset(&s->a);
	sb_reset(&s->b);
	canon_value_in(t, a, alen, &s->a, &s->arena);
	canon_value_in(t, b, blen, &s->b, &s->arena);
	return sb_ok(&s->a) && sb_ok(&s->b) && s->a.len == s->b.len && memcmp(s->a.data, s->b.data, s->a.len) == 0;
}

static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int
i64_cmp(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

int
canon_compare(CanonType t, const char *a, size_t alen, const char *b, size_t blen, CanonScratch *s)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	if (!t.array)
	{
		switch (t.kind)
		{
			case CANON_INT:
			case CANON_NUMERIC:
				{
					Decimal		x,
								y;

					if (parse_decimal(a, alen, t.kind == CANON_NUMERIC, &x) &&
						parse_decimal(b, blen, t.kind == CANON_NUMERIC, &y))
						return decimal_cmp(&x, &y);
					break;
				}
			case CANON_FLOAT4:
			case CANON_FLOAT8:
				{
					double		x,
								y;

					if (parse_float(a, alen, t.kind == CANON_FLOAT4, &x) &&
						parse_float(b, blen, t.kind == CANON_FLOAT4, &y))
					{
						if (isnan(x) || isnan(y))
							return isnan(x) && isnan(y) ? 0 : isnan(x) ? 1 : -1;
						return x < y ? -1 : x > y;
					}
					break;
				}
			case CANON_DATE:
				{
					int64_t		x,
								y;

					if (canon_parse_date(a, alen, &x) && canon_parse_date(b, blen, &y))
						return i64_cmp(x, y);
					break;
				}
			case CANON_TIMESTAMP:
			case CANON_TIMESTAMPTZ:
				{
					int64_t		x,
								y;

					if (canon_parse_timestamp(a, alen, t.kind == CANON_TIMESTAMPTZ, &x) &&
						canon_parse_timestamp(b, blen, t.kind == CANON_TIMESTAMPTZ, &y))
						return i64_cmp(x, y);
					break;
				}
			case CANON_TIME:
			case CANON_TIMETZ:
				{
					int64_t		x,
								y,
								ox,
								oy;

					if (parse_time(a, alen, t.kind == CANON_TIMETZ, &x, &ox) &&
						parse_time(b, blen, t.kind == CANON_TIMETZ, &y, &oy))
					{
						/* timetz: by the UTC time, then by zone (PostgreSQL's order) */
						int			c = i64_cmp(x - ox * 1000000, y - oy * 1000000);

						return c ? c : i64_cmp(-ox, -oy);
					}
					break;
				}
			case CANON_INTERVAL:
				{
					int64_t		m1,
								d1,
								u1,
								m2,
								d2,
								u2;

					if (parse_interval(a, alen, &m1, &d1, &u1) && parse_interval(b, blen, &m2, &d2, &u2))
					{
						/* PostgreSQL orders intervals by their span: 30-day months, 24-hour days */
						__int128	x = ((__int128) m1 * 30 + d1) * INT64_C(86400000000) + u1;
						__int128	y = ((__int128) m2 * 30 + d2) * INT64_C(86400000000) + u2;

						return x < y ? -1 : x > y;
					}
					break;
				}
			default:
				break;
		}
	}
	sb_reset(&s->a);
	sb_reset(&s->b);
	canon_value_in(t, a, alen, &s->a, &s->arena);
	canon_value_in(t, b, blen, &s->b, &s->arena);
	return bytes_cmp(s->a.data, s->a.len, s->b.data, s->b.len);
}
