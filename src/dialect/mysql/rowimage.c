/*
 * src/dialect/mysql/rowimage.c
 *	  Decode binlog row images into MySQL text-form values (see rowimage.h).
 *
 * Row data of a ROWS event is a sequence of images, one per row (UPDATE:
 * before image then after image; PARTIAL_UPDATE: before image, then
 * lenenc value_options [& 1: (json_columns+7)/8 bytes partial-JSON bitmap],
 * then after image):
 *
 *   image   := null_bitmap((present+7)/8, bit i = i-th present column, LSB
 *              first) value* (one per present, non-NULL column, table order)
 *
 * Value layouts (LE unless BE; meta from the TABLE_MAP):
 *   TINY 1 | SHORT 2 | INT24 3 | LONG 4 | LONGLONG 8 (two's complement)
 *   FLOAT 4 | DOUBLE 8 (IEEE 754)
 *   YEAR 1 (0 = 0000, else 1900 + v)
 *   DATE / NEWDATE 3: day = v & 31, month = (v >> 5) & 15, year = v >> 9
 *   TIME 3 (old): signed HHMMSS          DATETIME 8 (old): YYYYMMDDhhmmss
 *   TIMESTAMP 4: Unix seconds
 *   TIMESTAMP2 4 BE seconds + frac       DATETIME2 5 BE + frac
 *   TIME2 3 BE + frac                    frac: fsp 1-2: 1 byte (x 10000),
 *                                        3-4: 2 bytes BE (x 100), 5-6: 3 bytes BE
 *     DATETIME2 int part (minus 0x8000000000): year*13+month << 22 |
 *       day << 17 | hour << 12 | minute << 6 | second
 *     TIME2 int part (minus 0x800000): hour << 12 | minute << 6 | second,
 *       negative values in two's complement of the packed (int << 24 | frac)
 *   NEWDECIMAL: groups of 9 digits in 4 bytes BE, leading/trailing partial
 *     groups in 1-4 bytes; first bit flipped; negative = all bits inverted
 *   VARCHAR / VAR_STRING: length 1 byte (meta < 256) or 2, then bytes
 *   STRING: meta = real_type << 8 | len (real_type & 0x30 != 0x30 encodes
 *     bits 8-9 of the length); ENUM: 1-2 bytes index; SET: 1-8 bytes mask;
 *     CHAR: length 1 byte (max length < 256) or 2, then bytes
 *   BIT: meta = bits << 8 | bytes; (bytes + (bits ? 1 : 0)) bytes BE
 *   BLOB / TEXT / GEOMETRY / JSON / VECTOR: length in meta (1-4) bytes, data
 */
#include "dialect/mysql/rowimage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/strbuf.h"
#include "dialect/mysql/binlog_json.h"

/* ------------------------------------------------------------------ numbers */

/*
 * Significant digits of x (mode 4 of dtoa): the shortest string of at most
 * ndigits digits that rounds back to x, else x correctly rounded to ndigits.
 * digits[] gets the digits without trailing zeros; *decpt the position of the
 * decimal point (value = 0.d1d2... x 10^decpt).
 */
static int
dtoa_mode4(double x, int ndigits, char *digits, int *decpt)
{
	char		buf[64];
	int			n = 0;

	if (x == 0)
	{
		digits[0] = '0';
		digits[1] = '\0';
		*decpt = 1;
		return 1;
	}
	for (int p = 1; p <= ndigits && p <= 17; p++)
	{
		snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
		if (strtod(buf, NULL) == x || p == ndigits || p == 17)
			break;
	}
	/* buf is d[.ddd]e[+-]XX */
	char	   *e = strchr(buf, 'e');
	int			exp10 = atoi(e + 1);

	for (char *s = buf; s < e; s++)
		if (*s >= '0' && *s <= '9')
			digits[n++] = *s;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*decpt = exp10 + 1;
	return n;
}

/*
 * MySQL's my_gcvt() with a field wide enough for every fixed-notation
 * rendering (the text protocol and JSON both pass such a width): fixed
 * notation when -14 <= decpt <= 15 (or the number has a fractional part),
 * else "d.ddde[-]N".  Checked against MariaDB 10.11's SELECT output for
 * FLOAT and DOUBLE values across the whole exponent range.
 */
size_t
rowimage_format_double(double x, bool is_float, char *out)
{
	char		digits[40];
	int			decpt;
	bool		neg = x < 0;	/* -0 prints as "0", as MariaDB's SELECT shows it */
	int			len;
	char	   *d = out;

	if (neg)
		x = -x;
	len = dtoa_mode4(x, is_float ? 6 : 17, digits, &decpt);
	if (neg)
		*d++ = '-';
	if (decpt >= -14 + 1 && (decpt <= 15 || len > decpt))
	{
		/* fixed */
		if (decpt <= 0)
		{
			*d++ = '0';
			*d++ = '.';
			for (int i = decpt; i < 0; i++)
				*d++ = '0';
			for (int i = 0; i < len; i++)
				*d++ = digits[i];
		}
		else
		{
			for (int i = 0; i < len; i++)
			{
				*d++ = digits[i];
				if (i + 1 == decpt && i + 1 < len)
					*d++ = '.';
			}
			for (int i = len; i < decpt; i++)
				*d++ = '0';
		}
	}
	else
	{
		int			e = decpt - 1;

		*d++ = digits[0];
		if (len > 1)
		{
			*d++ = '.';
			for (int i = 1; i < len; i++)
				*d++ = digits[i];
		}
		d += sprintf(d, "e%d", e);
	}
	*d = '\0';
	return (size_t) (d - out);
}

static const int dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

int
rowimage_decimal_size(int precision, int scale)
{
	/* columns allow 65 digits; JSON opaque decimals carry the in-memory precision (up to 81) */
	if (precision < 1 || precision > 81 || scale < 0 || scale > 30 || scale > precision)
		return -1;
	int			intg = precision - scale;

	return (intg / 9) * 4 + dig2bytes[intg % 9] + (scale / 9) * 4 + dig2bytes[scale % 9];
}

bool
rowimage_decimal_text(const uint8_t *p, const uint8_t *end, int precision, int scale, char *out,
					  size_t *outlen, size_t *used)
{
	int			size = rowimage_decimal_size(precision, scale);
	uint8_t		b[48];
	int			intg = precision - scale;
	int			intg0 = intg / 9,
				intg0x = intg % 9;
	int			frac0 = scale / 9,
				frac0x = scale % 9;
	int			pos = 0;
	bool		neg;
	char		digits[96];
	int			nd = 0;
	char	   *o = out;

	if (size < 0 || end < p || (size_t) (end - p) < (size_t) size || size > (int) sizeof(b))
		return false;
	memcpy(b, p, (size_t) size);
	neg = (b[0] & 0x80) == 0;
	b[0] ^= 0x80;
	if (neg)
		for (int i = 0; i < size; i++)
			b[i] = (uint8_t) ~b[i];

	/* integer digits */
	if (intg0x)
	{
		int			n = dig2bytes[intg0x];
		uint32_t	v = (uint32_t) load_be(b + pos, n);
		static const uint32_t lim[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
			100000000, 1000000000};

		if (v >= lim[intg0x])
			return false;
		nd += sprintf(digits + nd, "%0*u", intg0x, v);
		pos += n;
	}
	for (int i = 0; i < intg0; i++)
	{
		uint32_t	v = (uint32_t) load_be(b + pos, 4);

		if (v > 999999999u)
			return false;
		nd += sprintf(digits + nd, "%09u", v);
		pos += 4;
	}
	if (neg)
		*o++ = '-';
	{
		int			s = 0;

		while (s < nd - 1 && digits[s] == '0')
			s++;
		if (nd == 0)
			*o++ = '0';
		else
		{
			memcpy(o, digits + s, (size_t) (nd - s));
			o += nd - s;
		}
	}
	if (scale > 0)
	{
		*o++ = '.';
		for (int i = 0; i < frac0; i++)
		{
			uint32_t	v = (uint32_t) load_be(b + pos, 4);

			if (v > 999999999u)
				return false;
			o += sprintf(o, "%09u", v);
			pos += 4;
		}
		if (frac0x)
		{
			int			n = dig2bytes[frac0x];
			uint32_t	v = (uint32_t) load_be(b + pos, n);
			static const uint32_t lim[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
				100000000, 1000000000};

			if (v >= lim[frac0x])
				return false;
			o += sprintf(o, "%0*u", frac0x, v);
			pos += n;
		}
	}
	*o = '\0';
	*outlen = (size_t) (o - out);
	*used = (size_t) size;
	return true;
}

/* ------------------------------------------------------------------ dates */

/* Days since 1970-01-01 to civil date (Howard Hinnant's algorithm). */
static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned	doe = (unsigned) (z - era * 146097);
	unsigned	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		yy = (int64_t) yoe + era * 400;
	unsigned	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned	mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int) (yy + (*m <= 2));
}

/* Append ".ffffff" cut to fsp digits (fsp 0: nothing). */
static int
frac_text(char *o, uint32_t usec, int fsp)
{
	static const uint32_t div[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};

	if (fsp <= 0)
		return 0;
	if (fsp > 6)
		fsp = 6;
	return sprintf(o, ".%0*u", fsp, (unsigned) ((usec % 1000000) / div[fsp]));
}

/* Fractional part of TIME2 / DATETIME2 / TIMESTAMP2 (unsigned reading). */
static int
frac_bytes(int fsp)
{
	return (fsp + 1) / 2;
}

/* ------------------------------------------------------------------ inet / uuid */

size_t
rowimage_inet6_text(const uint8_t *b, char *out)
{
	unsigned	w[8];
	int			best = -1,
				bestlen = 0;
	char	   *o = out;

	for (int i = 0; i < 8; i++)
		w[i] = ((unsigned) b[2 * i] << 8) | b[2 * i + 1];
	for (int i = 0; i < 8;)
	{
		if (w[i] != 0)
		{
			i++;
			continue;
		}
		int			j = i;

		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > bestlen)
		{
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	for (int i = 0; i < 8; i++)
	{
		if (best >= 0 && i >= best && i < best + bestlen)
		{
			if (i == best)
				*o++ = ':';
			continue;
		}
		if (i != 0)
			*o++ = ':';
		/* embedded IPv4: ::a.b.c.d and ::ffff:a.b.c.d */
		if (i == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff)))
		{
			o += sprintf(o, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
			break;
		}
		o += sprintf(o, "%x", w[i]);
	}
	if (best >= 0 && best + bestlen == 8)
		*o++ = ':';
	*o = '\0';
	return (size_t) (o - out);
}

/* ------------------------------------------------------------------ decoder */

typedef struct RDec
{
	const BinlogTableMap *tm;
	const RowHint *hints;
	Arena	   *a;
	RowError   *err;
	const uint8_t *base;
	const uint8_t *end;
	int			row;
	int			col;
	uint32_t	json_seen;		/* JSON columns passed in the current after image */
} RDec;

static bool
rfail(RDec *d, BinlogErrCode code, const uint8_t *at, const char *what, uint64_t value)
{
	d->err->code = code;
	d->err->offset = at && at >= d->base ? (size_t) (at - d->base) : 0;
	d->err->what = what;
	d->err->value = value;
	d->err->row = d->row;
	d->err->column = d->col;
	return false;
}

static void
set_text(RDec *d, RowVal *v, const char *s, size_t n)
{
	v->kind = ROWVAL_TEXT;
	v->p = n ? arena_memdup(d->a, s, n) : "";
	v->len = (uint32_t) n;
}

static void
set_ref(RowVal *v, const uint8_t *p, size_t n)
{
	v->kind = ROWVAL_TEXT;
	v->p = n ? (const char *) p : "";
	v->len = (uint32_t) n;
}

static bool
col_unsigned(RDec *d, uint32_t i)
{
	if (d->tm->is_unsigned)
		return d->tm->is_unsigned[i] != 0;
	if (d->hints && d->hints[i].is_unsigned >= 0)
		return d->hints[i].is_unsigned > 0;
	return false;
}

static bool
col_binary_charset(RDec *d, uint32_t i)
{
	if (d->hints && d->hints[i].special != ROW_SPECIAL_NONE)
		return true;
	return d->tm->charset && d->tm->charset[i] == 63;
}

static bool
take(RDec *d, Cursor *c, size_t n, const uint8_t **p, const char *what)
{
	if (!cur_bytes(c, n, p))
		return rfail(d, BINLOG_ERR_TRUNCATED, c->p, what, n);
	return true;
}

/* label list for ENUM / SET column i */
static void
col_labels(RDec *d, uint32_t i, bool set, const BinlogStr **tml, uint32_t *ntml,
		   const char *const **hl, int *nhl)
{
	const BinlogStrList *l = set ? d->tm->set_values : d->tm->enum_values;

	*tml = NULL;
	*ntml = 0;
	*hl = NULL;
	*nhl = 0;
	if (l && l[i].n)
	{
		*tml = l[i].s;
		*ntml = l[i].n;
	}
	else if (d->hints && d->hints[i].labels)
	{
		*hl = d->hints[i].labels;
		*nhl = d->hints[i].nlabels;
	}
}

/*
 * ENUM (1-2 byte index) or SET (1-8 byte mask) of column i: labels from the
 * TABLE_MAP, else the hints, else the number.  False with d->err filled.
 */
static bool
decode_enum_set(RDec *d, Cursor *c, uint32_t i, bool set, int size, RowVal *v)
{
	const uint8_t *p;
	const BinlogStr *tml;
	uint32_t	ntml;
	const char *const *hl;
	int			nhl;

	if (set ? (size < 1 || size > 8) : (size < 1 || size > 2))
		return rfail(d, BINLOG_ERR_CORRUPT, c->p, set ? "set: bad pack length" : "enum: bad pack length",
					 (uint64_t) size);
	if (!take(d, c, (size_t) size, &p, set ? "set value cut short" : "enum value cut short"))
		return false;
	uint64_t	x = load_le(p, size);

	col_labels(d, i, set, &tml, &ntml, &hl, &nhl);
	uint64_t	nlab = tml ? ntml : (uint64_t) (nhl > 0 ? nhl : 0);

	if (!tml && !hl)
	{
		char		buf[24];

		snprintf(buf, sizeof(buf), "%llu", (unsigned long long) x);
		set_text(d, v, buf, strlen(buf));
		return true;
	}
	if (!set)
	{
		if (x == 0)
		{
			set_text(d, v, "", 0);	/* the "invalid" empty member */
			return true;
		}
		if (x > nlab)
			return rfail(d, BINLOG_ERR_CORRUPT, p, "enum index beyond the labels", x);
		if (tml)
			set_ref(v, (const uint8_t *) tml[x - 1].p, tml[x - 1].len);
		else
			set_ref(v, (const uint8_t *) hl[x - 1], strlen(hl[x - 1]));
		return true;
	}
	/* SET: comma-joined labels of the set bits, in definition order */
	StrBuf		b;

	if (nlab < 64 && (x >> nlab) != 0)
		return rfail(d, BINLOG_ERR_CORRUPT, p, "set bits beyond the labels", x);
	sb_init(&b, 1 << 20);
	for (uint64_t k = 0; k < nlab && k < 64; k++)
	{
		if (!(x & ((uint64_t) 1 << k)))
			continue;
		if (b.len)
			sb_appendc(&b, ',');
		if (tml)
			sb_appendn(&b, tml[k].p, tml[k].len);
		else
			sb_append(&b, hl[k]);
	}
	set_text(d, v, b.data ? b.data : "", b.len);
	sb_free(&b);
	return true;
}

/*
 * STRING column i: resolve the real type packed in the metadata (ENUM, SET
 * or CHAR), strip nothing (the server already did), pad BINARY back, and
 * render UUID/INET6/INET4 when the hints ask.  False with d->err filled.
 */
static bool
decode_string(RDec *d, Cursor *c, uint32_t i, RowVal *v)
{
	uint16_t	meta = d->tm->meta[i];
	int			real = meta >> 8;
	unsigned	maxlen = meta & 0xff;
	const uint8_t *p;

	if ((real & 0x30) != 0x30)
	{
		maxlen |= (unsigned) (((real & 0x30) ^ 0x30) << 4);
		real |= 0x30;
	}
	if (real == MYT_ENUM)
		return decode_enum_set(d, c, i, false, (int) (meta & 0xff), v);
	if (real == MYT_SET)
		return decode_enum_set(d, c, i, true, (int) (meta & 0xff), v);
	if (real != MYT_STRING)
		return rfail(d, BINLOG_ERR_UNSUPPORTED, c->p, "string: unknown real type", (uint64_t) real);

	uint64_t	len;

	if (!cur_uleN(c, maxlen > 255 ? 2 : 1, &len))
		return rfail(d, BINLOG_ERR_TRUNCATED, c->p, "char length cut short", 0);
	if (len > maxlen)
		return rfail(d, BINLOG_ERR_CORRUPT, c->p, "char value longer than the column", len);
	if (!take(d, c, (size_t) len, &p, "char value cut short"))
		return false;

	int			special = d->hints ? d->hints[i].special : ROW_SPECIAL_NONE;

	if (col_binary_charset(d, i))
	{
		/* BINARY(n): the server strips trailing 0x00; SELECT returns them */
		uint8_t    *buf = arena_alloc0(d->a, maxlen ? maxlen : 1);

		memcpy(buf, p, (size_t) len);
		if (special == ROW_SPECIAL_UUID && maxlen == 16)
		{
			char		t[37];
			int			k = 0;

			for (int j = 0; j < 16; j++)
			{
				if (j == 4 || j == 6 || j == 8 || j == 10)
					t[k++] = '-';
				k += sprintf(t + k, "%02x", buf[j]);
			}
			set_text(d, v, t, 36);
		}
		else if (special == ROW_SPECIAL_INET6 && maxlen == 16)
		{
			char		t[64];
			size_t		n = rowimage_inet6_text(buf, t);

			set_text(d, v, t, n);
		}
		else if (special == ROW_SPECIAL_INET4 && maxlen == 4)
		{
			char		t[20];
			int			n = sprintf(t, "%u.%u.%u.%u", buf[0], buf[1], buf[2], buf[3]);

			set_text(d, v, t, (size_t) n);
		}
		else
			set_ref(v, buf, maxlen);
		return true;
	}
	set_ref(v, p, (size_t) len);
	return true;
}

/*
 * Decode the value of column i at c (see the table at the top) into v.
 * Values that are plain bytes point into the event; rendered ones are
 * allocated in d->a.  False with d->err filled; never reads past c->end.
 */
static bool
decode_value(RDec *d, Cursor *c, uint32_t i, bool partial_json, RowVal *v)
{
	const BinlogTableMap *tm = d->tm;
	int			type = tm->types[i];
	uint16_t	meta = tm->meta[i];
	const uint8_t *p;
	char		buf[128];
	int			n;

	switch (type)
	{
		case MYT_TINY:
		case MYT_SHORT:
		case MYT_INT24:
		case MYT_LONG:
		case MYT_LONGLONG:
			{
				int			size = type == MYT_TINY ? 1 : type == MYT_SHORT ? 2 : type == MYT_INT24 ? 3 :
					type == MYT_LONG ? 4 : 8;
				uint64_t	u;

				if (!take(d, c, (size_t) size, &p, "integer cut short"))
					return false;
				u = load_le(p, size);
				if (col_unsigned(d, i))
					n = sprintf(buf, "%llu", (unsigned long long) u);
				else
				{
					int			shift = 64 - 8 * size;
					int64_t		s = (int64_t) (u << shift) >> shift;

					n = sprintf(buf, "%lld", (long long) s);
				}
				set_text(d, v, buf, (size_t) n);
				return true;
			}
		case MYT_FLOAT:
			{
				uint32_t	bits;
				float		f;

				if (!take(d, c, 4, &p, "float cut short"))
					return false;
				bits = (uint32_t) load_le(p, 4);
				memcpy(&f, &bits, 4);
				if (f != f || f - f != 0)
					return rfail(d, BINLOG_ERR_CORRUPT, p, "float is not finite", bits);
				set_text(d, v, buf, rowimage_format_double((double) f, true, buf));
				return true;
			}
		case MYT_DOUBLE:
			{
				uint64_t	bits;
				double		x;

				if (!take(d, c, 8, &p, "double cut short"))
					return false;
				bits = load_le(p, 8);
				memcpy(&x, &bits, 8);
				if (x != x || x - x != 0)
					return rfail(d, BINLOG_ERR_CORRUPT, p, "double is not finite", bits);
				set_text(d, v, buf, rowimage_format_double(x, false, buf));
				return true;
			}
		case MYT_NEWDECIMAL:
			{
				size_t		tl,
							used;
				int			prec = meta >> 8,
							scale = meta & 0xff;

				if (rowimage_decimal_size(prec, scale) < 0)
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "decimal: bad precision/scale", meta);
				if (!rowimage_decimal_text(c->p, c->end, prec, scale, buf, &tl, &used))
				{
					if ((size_t) rowimage_decimal_size(prec, scale) > cur_left(c))
						return rfail(d, BINLOG_ERR_TRUNCATED, c->p, "decimal cut short", 0);
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "decimal: digit group out of range", 0);
				}
				c->p += used;
				set_text(d, v, buf, tl);
				return true;
			}
		case MYT_YEAR:
			if (!take(d, c, 1, &p, "year cut short"))
				return false;
			n = sprintf(buf, "%04u", p[0] ? 1900u + p[0] : 0u);
			set_text(d, v, buf, (size_t) n);
			return true;
		case MYT_DATE:
		case MYT_NEWDATE:
			{
				uint32_t	x;

				if (!take(d, c, 3, &p, "date cut short"))
					return false;
				x = (uint32_t) load_le(p, 3);
				n = sprintf(buf, "%04u-%02u-%02u", x >> 9, (x >> 5) & 15, x & 31);
				set_text(d, v, buf, (size_t) n);
				return true;
			}
		case MYT_TIME:
			{
				int32_t		x;
				uint32_t	a;

				if (!take(d, c, 3, &p, "time cut short"))
					return false;
				x = (int32_t) ((uint32_t) load_le(p, 3) << 8) >> 8;
				a = x < 0 ? (uint32_t) -x : (uint32_t) x;
				n = sprintf(buf, "%s%02u:%02u:%02u", x < 0 ? "-" : "", a / 10000, a / 100 % 100, a % 100);
				set_text(d, v, buf, (size_t) n);
				return true;
			}
		case MYT_DATETIME:
			{
				uint64_t	x;

				if (!take(d, c, 8, &p, "datetime cut short"))
					return false;
				x = load_le(p, 8);
				if (x > 99991231235959ULL)
					return rfail(d, BINLOG_ERR_CORRUPT, p, "datetime out of range", x);
				uint64_t	date = x / 1000000,
							tod = x % 1000000;

				n = sprintf(buf, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned) (date / 10000),
							(unsigned) (date / 100 % 100), (unsigned) (date % 100), (unsigned) (tod / 10000),
							(unsigned) (tod / 100 % 100), (unsigned) (tod % 100));
				set_text(d, v, buf, (size_t) n);
				return true;
			}
		case MYT_TIMESTAMP:
		case MYT_TIMESTAMP2:
			{
				int			fsp = type == MYT_TIMESTAMP2 ? meta : 0;
				uint32_t	secs,
							usec = 0;

				if (fsp > 6)
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "timestamp: fsp above 6", (uint64_t) fsp);
				if (!take(d, c, 4 + (size_t) frac_bytes(fsp), &p, "timestamp cut short"))
					return false;
				secs = type == MYT_TIMESTAMP2 ? (uint32_t) load_be(p, 4) : (uint32_t) load_le(p, 4);
				if (fsp)
				{
					int			fb = frac_bytes(fsp);
					uint32_t	f = (uint32_t) load_be(p + 4, fb);

					usec = fb == 1 ? f * 10000 : fb == 2 ? f * 100 : f;
					if (usec > 999999)
						return rfail(d, BINLOG_ERR_CORRUPT, p, "timestamp: fraction out of range", usec);
				}
				if (secs == 0 && usec == 0)
					n = sprintf(buf, "0000-00-00 00:00:00");
				else
				{
					int			y;
					unsigned	mo,
								dd;
					uint32_t	sod = secs % 86400;

					civil_from_days(secs / 86400, &y, &mo, &dd);
					n = sprintf(buf, "%04d-%02u-%02u %02u:%02u:%02u", y, mo, dd, sod / 3600, sod / 60 % 60,
								sod % 60);
				}
				n += frac_text(buf + n, usec, fsp);
				set_text(d, v, buf, (size_t) n);
				return true;
			}
		case MYT_DATETIME2:
			{
				int			fsp = meta;
				uint64_t	ip;
				uint32_t	usec = 0;

				if (fsp > 6)
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "datetime: fsp above 6", (uint64_t) fsp);
				if (!take(d, c, 5 + (size_t) frac_bytes(fsp), &p, "datetime cut short"))
					return false;
				ip = load_be(p, 5);
				if (ip < 0x8000000000ULL)
					return rfail(d, BINLOG_ERR_CORRUPT, p, "datetime: negative value", ip);
				ip -= 0x8000000000ULL;
				if (fsp)
				{
					int			fb = frac_bytes(fsp);
					uint32_t	f = (uint32_t) load_be(p + 5, fb);

					usec = fb == 1 ? f * 10000 : fb == 2 ? f * 100 : f;
					if (usec > 999999)
						return rfail(d, BINLOG_ERR_CORRUPT, p, "datetime: fraction out of range", usec);
				}
				uint64_t	ymd = ip >> 17,
							ym = ymd >> 5,
							hms = ip % (1 << 17);

				if (ym / 13 > 9999)
					return rfail(d, BINLOG_ERR_CORRUPT, p, "datetime: year out of range", ym / 13);
				n = sprintf(buf, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned) (ym / 13), (unsigned) (ym % 13),
							(unsigned) (ymd % 32), (unsigned) (hms >> 12), (unsigned) ((hms >> 6) % 64),
							(unsigned) (hms % 64));
				n += frac_text(buf + n, usec, fsp);
				set_text(d, v, buf, (size_t) n);
				return true;
			}
		case MYT_TIME2:
			{
				int			fsp = meta;
				int64_t		packed;

				if (fsp > 6)
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "time: fsp above 6", (uint64_t) fsp);
				if (!take(d, c, 3 + (size_t) frac_bytes(fsp), &p, "time cut short"))
					return false;
				if (fsp >= 5)
					packed = (int64_t) load_be(p, 6) - 0x800000000000LL;
				else
				{
					int64_t		ip = (int64_t) load_be(p, 3) - 0x800000;
					int64_t		f = 0;

					if (fsp >= 3)
					{
						f = (int64_t) load_be(p + 3, 2);
						if (ip < 0 && f)
						{
							ip++;
							f -= 0x10000;
						}
						f *= 100;
					}
					else if (fsp >= 1)
					{
						f = p[3];
						if (ip < 0 && f)
						{
							ip++;
							f -= 0x100;
						}
						f *= 10000;
					}
					packed = ip * (1LL << 24) + f;
				}
				bool		neg = packed < 0;
				uint64_t	t = neg ? (uint64_t) -packed : (uint64_t) packed;
				uint64_t	hms = t >> 24;
				uint32_t	usec = (uint32_t) (t % (1 << 24));
				unsigned	hour = (unsigned) ((hms >> 12) % (1 << 10)),
							min = (unsigned) ((hms >> 6) % 64),
							sec = (unsigned) (hms % 64);

				if (usec > 999999 || min > 59 || sec > 59)
					return rfail(d, BINLOG_ERR_CORRUPT, p, "time: field out of range", t);
				n = sprintf(buf, "%s%02u:%02u:%02u", neg ? "-" : "", hour, min, sec);
				n += frac_text(buf + n, usec, fsp);
				set_text(d, v, buf, (size_t) n);
				return true;
			}
		case MYT_VARCHAR:
		case MYT_VAR_STRING:
			{
				uint64_t	len;

				if (!cur_uleN(c, meta > 255 ? 2 : 1, &len))
					return rfail(d, BINLOG_ERR_TRUNCATED, c->p, "varchar length cut short", 0);
				if (len > meta)
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "varchar value longer than the column", len);
				if (!take(d, c, (size_t) len, &p, "varchar value cut short"))
					return false;
				set_ref(v, p, (size_t) len);
				return true;
			}
		case MYT_STRING:
			return decode_string(d, c, i, v);
		case MYT_ENUM:
			return decode_enum_set(d, c, i, false, meta & 0xff, v);
		case MYT_SET:
			return decode_enum_set(d, c, i, true, meta & 0xff, v);
		case MYT_BIT:
			{
				unsigned	bits = meta >> 8,
							bytes = meta & 0xff;
				size_t		size = bytes + (bits ? 1 : 0);

				if (bits > 7 || size == 0 || size > 8)
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "bit: bad metadata", meta);
				if (!take(d, c, size, &p, "bit value cut short"))
					return false;
				set_ref(v, p, size);
				return true;
			}
		case MYT_BLOB:
		case MYT_TINY_BLOB:
		case MYT_MEDIUM_BLOB:
		case MYT_LONG_BLOB:
		case MYT_GEOMETRY:
		case MYT_VECTOR:
		case MYT_JSON:
			{
				uint64_t	len;

				if (meta < 1 || meta > 4)
					return rfail(d, BINLOG_ERR_CORRUPT, c->p, "blob: bad length size", meta);
				if (!cur_uleN(c, meta, &len))
					return rfail(d, BINLOG_ERR_TRUNCATED, c->p, "blob length cut short", 0);
				if (len > cur_left(c))
					return rfail(d, BINLOG_ERR_TRUNCATED, c->p, "blob value cut short", len);
				cur_bytes(c, (size_t) len, &p);
				if (type != MYT_JSON)
				{
					set_ref(v, p, (size_t) len);
					return true;
				}
				StrBuf		sb;
				const char *what;
				bool		ok;

				sb_init(&sb, SB_DEFAULT_LIMIT);
				if (partial_json)
					ok = binlog_json_diff_to_text(p, (size_t) len, (int) i + 1, &sb, &what);
				else
					ok = binlog_json_to_text(p, (size_t) len, &sb, &what);
				if (!ok)
				{
					sb_free(&sb);
					return rfail(d, BINLOG_ERR_CORRUPT, p, what, len);
				}
				set_text(d, v, sb.data ? sb.data : "", sb.len);
				if (partial_json)
					v->flags |= ROWVAL_F_JSON_DIFF;
				sb_free(&sb);
				return true;
			}
		case MYT_NULL:
			v->kind = ROWVAL_NULL;
			return true;
		case MYT_VARCHAR_COMPRESSED:
		case MYT_BLOB_COMPRESSED:
			return rfail(d, BINLOG_ERR_UNSUPPORTED, c->p,
						 "MariaDB compressed columns (COMPRESSED attribute) are not supported", (uint64_t) type);
		default:
			return rfail(d, BINLOG_ERR_UNSUPPORTED, c->p, "column type not supported", (uint64_t) type);
	}
}

static uint32_t
bitmap_count(const uint8_t *bm, uint32_t n)
{
	uint32_t	k = 0;

	for (uint32_t i = 0; i < n; i++)
		k += (bm[i / 8] >> (i % 8)) & 1;
	return k;
}

/*
 * One row image: the null bitmap over the present columns, then their
 * values; absent columns are marked ROWVAL_ABSENT.  partial is the
 * PARTIAL_UPDATE bitmap (JSON columns holding diffs) or NULL.
 */
static bool
decode_image(RDec *d, Cursor *c, const uint8_t *cols, const uint8_t *partial, RowVal *vals)
{
	const BinlogTableMap *tm = d->tm;
	uint32_t	present = bitmap_count(cols, tm->ncols);
	const uint8_t *nulls;
	uint32_t	k = 0,
				jk = 0;

	d->col = -1;
	if (!take(d, c, (present + 7) / 8, &nulls, "null bitmap cut short"))
		return false;
	for (uint32_t i = 0; i < tm->ncols; i++)
	{
		bool		is_json = tm->types[i] == MYT_JSON;
		bool		part = false;

		if (!((cols[i / 8] >> (i % 8)) & 1))
		{
			vals[i].kind = ROWVAL_ABSENT;
			continue;
		}
		if (is_json && partial)
		{
			part = (partial[jk / 8] >> (jk % 8)) & 1;
			jk++;
		}
		d->col = (int) i;
		if ((nulls[k / 8] >> (k % 8)) & 1)
			vals[i].kind = ROWVAL_NULL;
		else if (!decode_value(d, c, i, part, &vals[i]))
			return false;
		k++;
	}
	d->col = -1;
	return true;
}

void
rowimage_iter_init(RowIter *it, const BinlogTableMap *tm, const BinlogRows *rows, const RowHint *hints)
{
	memset(it, 0, sizeof(*it));
	it->tm = tm;
	it->rows = rows;
	it->hints = hints;
	it->pos = 0;
	it->row = 0;
}

int
rowimage_iter_next(RowIter *it, Arena *a, RowVal *before, RowVal *after, RowError *err)
{
	const BinlogTableMap *tm = it->tm;
	const BinlogRows *rows = it->rows;
	RDec		d = {tm, it->hints, a, err, rows->rows, rows->rows + rows->rows_len, it->row, -1, 0};
	Cursor		c = cur_make(rows->rows + it->pos, rows->rows_len - it->pos);
	bool		has_before = rows->kind != BINLOG_ROWS_WRITE;
	bool		has_after = rows->kind != BINLOG_ROWS_DELETE;
	const uint8_t *start = c.p;

	memset(err, 0, sizeof(*err));
	err->row = err->column = -1;
	if (rows->ncols != tm->ncols)
	{
		rfail(&d, BINLOG_ERR_CORRUPT, rows->rows, "rows event column count differs from its table map", rows->ncols);
		return -1;
	}
	if (cur_left(&c) == 0)
		return 0;
	if (has_before && !decode_image(&d, &c, rows->cols_before, NULL, before))
		return -1;
	if (has_after)
	{
		const uint8_t *partial = NULL;
		const uint8_t *cols = rows->cols_after && has_before ? rows->cols_after : rows->cols_before;

		if (rows->kind == BINLOG_ROWS_PARTIAL_UPDATE)
		{
			uint64_t	opts;

			if (!cur_lenenc(&c, &opts))
			{
				rfail(&d, BINLOG_ERR_TRUNCATED, c.p, "value_options cut short", 0);
				return -1;
			}
			it->value_options = opts;
			if (opts & 1)
			{
				uint32_t	nj = binlog_table_map_json_columns(tm);

				if (!take(&d, &c, (nj + 7) / 8, &partial, "partial-JSON bitmap cut short"))
					return -1;
			}
		}
		if (!decode_image(&d, &c, cols, partial, after))
			return -1;
	}
	/* an image of no columns takes no bytes: such an event would never end */
	if (c.p == start)
	{
		rfail(&d, BINLOG_ERR_CORRUPT, c.p, "row image holds no column", 0);
		return -1;
	}
	it->pos = (size_t) (c.p - rows->rows);
	it->row++;
	return 1;
}

/* Cap on the RowVal slots rowimage_decode allocates for one event. */
#define ROWSET_MAX_VALUES	((uint64_t) 8 << 20)

bool
rowimage_decode(const BinlogTableMap *tm, const BinlogRows *rows, const RowHint *hints, Arena *a,
				RowSet *out, RowError *err)
{
	RowIter		it;
	uint32_t	cap = 0;
	bool		has_before = rows->kind != BINLOG_ROWS_WRITE;
	bool		has_after = rows->kind != BINLOG_ROWS_DELETE;

	memset(out, 0, sizeof(*out));
	out->ncols = tm->ncols;
	rowimage_iter_init(&it, tm, rows, hints);
	for (;;)
	{
		RowVal	   *b = NULL,
				   *f = NULL;
		int			r;

		if ((uint64_t) (out->nrows + 1) * tm->ncols * 2 > ROWSET_MAX_VALUES)
		{
			memset(err, 0, sizeof(*err));
			err->code = BINLOG_ERR_TOO_LARGE;
			err->what = "rows event expands to too many values";
			err->row = (int) out->nrows;
			err->column = -1;
			return false;
		}
		if (out->nrows == cap)
		{
			uint32_t	ncap = cap ? cap * 2 : 8;
			RowVal	  **nb = arena_alloc_array0(a, ncap, sizeof(RowVal *));
			RowVal	  **na = arena_alloc_array0(a, ncap, sizeof(RowVal *));

			if (out->nrows)
			{
				memcpy(nb, out->before, out->nrows * sizeof(RowVal *));
				memcpy(na, out->after, out->nrows * sizeof(RowVal *));
			}
			out->before = nb;
			out->after = na;
			cap = ncap;
		}
		if (has_before)
			b = arena_alloc_array0(a, tm->ncols, sizeof(RowVal));
		if (has_after)
			f = arena_alloc_array0(a, tm->ncols, sizeof(RowVal));
		r = rowimage_iter_next(&it, a, b, f, err);
		if (r < 0)
			return false;
		if (r == 0)
			break;
		out->before[out->nrows] = b;
		out->after[out->nrows] = f;
		out->value_options = it.value_options;
		out->nrows++;
	}
	if (!has_before)
		out->before = NULL;
	if (!has_after)
		out->after = NULL;
	return true;
}
