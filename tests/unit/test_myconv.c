/*
 * tests/unit/test_myconv.c
 *	  MySQL text form -> target text form conversions (myconv.c) and the COPY
 *	  text escaper, including the edge values of the MySQL type fixtures:
 *	  unsigned maxima, DECIMAL(65,30), TIME +-838:59:59, DATETIME
 *	  9999-12-31 23:59:59.999999, zero and partial dates, BIT(64) all ones,
 *	  emoji, binary with NUL and 0x80.
 */
#include <stdlib.h>
#include <string.h>

#include "dialect/mysql/myconv.h"
#include "tap.h"

static Column
col_of(ValueConv conv, const char *type)
{
	Column		c;

	memset(&c, 0, sizeof(c));
	c.name = "c";
	c.source_type = (char *) type;
	c.conv = conv;
	c.length = -1;
	return c;
}

static const MyConvOptions opt_null = {MYCONV_ZERO_NULL};
static const MyConvOptions opt_error = {MYCONV_ZERO_ERROR};

/* Convert and return "OK:<text>", "NULL" or "ERROR:<message>" (static buffer). */
static const char *
conv(const Column *c, const char *in, size_t len, const MyConvOptions *o)
{
	static char res[2048];
	StrBuf		out;
	MyConvError err;
	MyConvStatus st;

	sb_init(&out, 1 << 20);
	st = myconv_value(c, in, len, o, &out, &err);
	if (st == MYCONV_OK)
		snprintf(res, sizeof(res), "OK:%.*s", (int) out.len, out.data ? out.data : "");
	else if (st == MYCONV_NULL)
		snprintf(res, sizeof(res), "NULL");
	else
		snprintf(res, sizeof(res), "ERROR:%s", err.message);
	sb_free(&out);
	return res;
}

#define CONV(c, s, o) conv((c), (s), strlen(s), (o))

static void
test_passthrough(void)
{
	Column		n = col_of(CONV_NONE, "bigint unsigned");
	Column		d = col_of(CONV_NONE, "decimal(65,30)");
	Column		t = col_of(CONV_MY_TEXT, "varchar(20)");

	is_str(CONV(&n, "18446744073709551615", &opt_null), "OK:18446744073709551615", "BIGINT UNSIGNED max passes");
	is_str(CONV(&n, "-9223372036854775808", &opt_null), "OK:-9223372036854775808", "BIGINT min passes");
	is_str(CONV(&d, "-12345678901234567890123456789012345.123456789012345678901234567890", &opt_null),
		   "OK:-12345678901234567890123456789012345.123456789012345678901234567890", "DECIMAL(65,30) passes with its scale");
	is_str(CONV(&t, "h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80", &opt_null),
		   "OK:h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80", "utf8mb4 text with emoji passes");
	is_str(conv(&t, "a\0b", 3, &opt_null),
		   "ERROR:value \"a\\x00b\" of column \"c\" (varchar(20)) holds a NUL byte, which PostgreSQL text cannot store",
		   "text with a NUL byte is refused with the value named");
	is_str(CONV(&t, "", &opt_null), "OK:", "empty string stays empty (not NULL)");
}

static void
test_binary_bit_bool(void)
{
	Column		b = col_of(CONV_MY_BINARY, "varbinary(20)");
	Column		bit64 = col_of(CONV_MY_BIT, "bit(64)");
	Column		bit12 = col_of(CONV_MY_BIT, "bit(12)");
	Column		bit1 = col_of(CONV_MY_BIT, "bit(1)");
	Column		bo = col_of(CONV_MY_BOOL, "tinyint(1)");

	bit64.length = 64;
	bit12.length = 12;
	bit1.length = 1;
	is_str(conv(&b, "\x00\x80\xff\x10", 4, &opt_null), "OK:\\x0080ff10", "binary with NUL and 0x80 -> bytea hex");
	is_str(conv(&b, "", 0, &opt_null), "OK:\\x", "empty binary -> empty bytea");
	is_str(conv(&bit64, "\xff\xff\xff\xff\xff\xff\xff\xff", 8, &opt_null),
		   "OK:1111111111111111111111111111111111111111111111111111111111111111", "BIT(64) all ones");
	is_str(conv(&bit12, "\x0a\xaa", 2, &opt_null), "OK:101010101010", "BIT(12) b'101010101010'");
	is_str(conv(&bit12, "\x1a\xaa", 2, &opt_null),
		   "ERROR:value \"\\x1a\\xaa\" of column \"c\" (bit(12)) has more bits than BIT(12)", "BIT(12) with a 13th bit is refused");
	is_str(conv(&bit1, "\x01", 1, &opt_null), "OK:1", "BIT(1) b'1'");
	is_str(conv(&bit1, "\x00", 1, &opt_null), "OK:0", "BIT(1) b'0'");
	is_str(conv(&bit12, "\x0a", 1, &opt_null),
		   "ERROR:value \"\\x0a\" of column \"c\" (bit(12)) has fewer bytes than BIT(12) needs", "BIT short input refused");
	is_str(CONV(&bo, "1", &opt_null), "OK:t", "tinyint(1) 1 -> t");
	is_str(CONV(&bo, "0", &opt_null), "OK:f", "tinyint(1) 0 -> f");
	is_str(CONV(&bo, "-1", &opt_null),
		   "ERROR:value \"-1\" of column \"c\" (tinyint(1)) is not a boolean: tinyint(1) mapped to boolean holds only 0 and 1",
		   "tinyint(1) -1 is an error naming the value");
	is_str(CONV(&bo, "2", &opt_error)[0] == 'E' ? "E" : "?", "E", "tinyint(1) 2 is an error");
}

static void
test_dates(void)
{
	Column		d = col_of(CONV_MY_DATE, "date");
	Column		dt = col_of(CONV_MY_DATETIME, "datetime(6)");
	Column		ts = col_of(CONV_MY_TIMESTAMP, "timestamp(2)");
	Column		y = col_of(CONV_MY_YEAR, "year");

	is_str(CONV(&d, "2024-02-29", &opt_null), "OK:2024-02-29", "DATE leap day");
	is_str(CONV(&d, "1000-01-01", &opt_null), "OK:1000-01-01", "DATE minimum");
	is_str(CONV(&d, "9999-12-31", &opt_null), "OK:9999-12-31", "DATE maximum");
	is_str(CONV(&d, "0000-00-00", &opt_null), "NULL", "zero DATE -> NULL by policy");
	is_str(CONV(&d, "0000-00-00", &opt_error), "ERROR:value \"0000-00-00\" of column \"c\" (date) is a zero date",
		   "zero DATE -> error by policy");
	is_str(CONV(&d, "2026-00-00", &opt_null), "NULL", "partial DATE 2026-00-00 -> NULL");
	is_str(CONV(&d, "0001-00-00", &opt_error)[0] == 'E' ? "E" : "?", "E", "partial DATE 0001-00-00 -> error by policy");
	is_str(CONV(&d, "2023-02-29", &opt_null), "NULL", "Feb 29 of a common year (ALLOW_INVALID_DATES) -> policy");
	is_str(CONV(&d, "0000-01-01", &opt_null), "NULL", "year 0 (no such year in PostgreSQL) -> policy");
	is_str(CONV(&d, "2024-13-01", &opt_null)[0] == 'E' ? "E" : "?", "E", "month 13 is not a date");

	is_str(CONV(&dt, "9999-12-31 23:59:59.999999", &opt_null), "OK:9999-12-31 23:59:59.999999", "DATETIME(6) maximum");
	is_str(CONV(&dt, "1000-01-01 00:00:00.000000", &opt_null), "OK:1000-01-01 00:00:00.000000", "DATETIME minimum");
	is_str(CONV(&dt, "0000-00-00 00:00:00", &opt_null), "NULL", "zero DATETIME -> NULL");
	is_str(CONV(&dt, "2016-00-28 15:30:42", &opt_error),
		   "ERROR:value \"2016-00-28 15:30:42\" of column \"c\" (datetime(6)) is a partial date (zero year, month or day)",
		   "partial DATETIME -> error by policy");
	is_str(CONV(&dt, "2020-01-01 24:00:00", &opt_null)[0] == 'E' ? "E" : "?", "E", "DATETIME hour 24 refused");
	is_str(CONV(&ts, "2038-01-19 03:14:07.99", &opt_null), "OK:2038-01-19 03:14:07.99+00", "TIMESTAMP gets +00");
	is_str(CONV(&ts, "1970-01-01 00:00:01.00", &opt_null), "OK:1970-01-01 00:00:01.00+00", "TIMESTAMP epoch+1");
	is_str(CONV(&ts, "0000-00-00 00:00:00.00", &opt_null), "NULL", "zero TIMESTAMP -> NULL");

	is_str(CONV(&y, "2155", &opt_null), "OK:2155", "YEAR 2155");
	is_str(CONV(&y, "1901", &opt_null), "OK:1901", "YEAR 1901");
	is_str(CONV(&y, "0000", &opt_null), "NULL", "YEAR 0000 -> NULL by policy");
	is_str(CONV(&y, "0000", &opt_error), "OK:0", "YEAR 0000 -> 0 when zero dates are errors (fits smallint)");
}

static void
test_times(void)
{
	Column		t = col_of(CONV_MY_TIME, "time(3)");
	Column		iv = col_of(CONV_MY_TIME_INTERVAL, "time(6)");

	is_str(CONV(&t, "12:34:56.789", &opt_null), "OK:12:34:56.789", "TIME of day passes");
	is_str(CONV(&t, "00:00:00", &opt_null), "OK:00:00:00", "TIME midnight");
	is_str(CONV(&t, "23:59:59.999999", &opt_null), "OK:23:59:59.999999", "TIME last microsecond");
	is_str(CONV(&t, "24:00:00", &opt_null), "OK:24:00:00", "TIME 24:00:00 (PostgreSQL accepts it)");
	is_str(CONV(&t, "-838:59:58.999", &opt_null),
		   "ERROR:value \"-838:59:58.999\" of column \"c\" (time(3)) is outside the time of day that PostgreSQL time holds",
		   "negative TIME to time is an error");
	is_str(CONV(&t, "25:00:00", &opt_null)[0] == 'E' ? "E" : "?", "E", "TIME 25:00:00 to time is an error");
	is_str(CONV(&iv, "-838:59:59.000000", &opt_null), "OK:-838:59:59.000000", "TIME minimum as interval");
	is_str(CONV(&iv, "838:59:59.000000", &opt_null), "OK:838:59:59.000000", "TIME maximum as interval");
	is_str(CONV(&iv, "-838:59:58.999999", &opt_null), "OK:-838:59:58.999999", "negative fractional TIME as interval");
	is_str(CONV(&iv, "838:59:59.999999", &opt_null), "OK:838:59:59.999999", "TIME +838:59:59.999999 as interval");
	is_str(CONV(&iv, "-00:00:01", &opt_null), "OK:-00:00:01", "TIME -00:00:01 as interval");
	is_str(CONV(&iv, "839:00:00", &opt_null)[0] == 'E' ? "E" : "?", "E", "TIME beyond 838h refused");
}

static void
test_set_enum_json(void)
{
	Column		s = col_of(CONV_MY_SET, "set('a','b','c','d')");
	Column		e = col_of(CONV_MY_ENUM, "enum('red','green','blue')");
	Column		e2 = col_of(CONV_MY_ENUM, "enum('','x')");
	Column		j = col_of(CONV_MY_JSON, "json");
	Column		jj = col_of(CONV_MY_JSON, "json");
	char	   *labels[] = {"", "x"};

	e2.enum_labels = labels;
	e2.nenum_labels = 2;
	jj.target_type = "json";
	is_str(CONV(&s, "a,c,d", &opt_null), "OK:{\"a\",\"c\",\"d\"}", "SET -> text[] literal");
	is_str(CONV(&s, "", &opt_null), "OK:{}", "empty SET -> {}");
	is_str(CONV(&s, "he\"llo,back\\slash, spaced ", &opt_null), "OK:{\"he\\\"llo\",\"back\\\\slash\",\" spaced \"}",
		   "SET members with quotes, backslashes and spaces are escaped");
	is_str(CONV(&s, "NULL", &opt_null), "OK:{\"NULL\"}", "a member named NULL stays a string");
	is_str(CONV(&e, "green", &opt_null), "OK:green", "ENUM label passes");
	is_str(CONV(&e, "", &opt_null), "NULL", "ENUM '' (invalid, index 0) -> NULL by policy");
	is_str(CONV(&e, "", &opt_error)[0] == 'E' ? "E" : "?", "E", "ENUM '' -> error by policy");
	is_str(CONV(&e2, "", &opt_error), "OK:", "ENUM '' that is a declared label passes");
	is_str(CONV(&j, "{\"k\": [1, 2.5, \"three\", null, true]}", &opt_null), "OK:{\"k\": [1, 2.5, \"three\", null, true]}",
		   "JSON passes");
	is_str(CONV(&j, "{\"a\": \"x\\u0000y\"}", &opt_null)[0] == 'E' ? "E" : "?", "E", "JSON with \\u0000 refused for jsonb");
	is_str(CONV(&j, "{\"a\": \"x\\\\u0000y\"}", &opt_null), "OK:{\"a\": \"x\\\\u0000y\"}", "an escaped backslash before u0000 is fine");
	is_str(CONV(&jj, "{\"a\": \"x\\u0000y\"}", &opt_null), "OK:{\"a\": \"x\\u0000y\"}", "json (not jsonb) target keeps \\u0000");
}

static void
test_geometry(void)
{
	Column		g = col_of(CONV_MY_GEOMETRY, "point");
	Column		gb = col_of(CONV_MY_GEOMETRY, "point");
	/* POINT(1.5 -2), SRID 0 and 4326 (MySQL: SRID LE + WKB) */
	static const char p0[] = "\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf8\x3f\x00\x00\x00\x00\x00\x00\x00\xc0";
	static const char p4326[] = "\xe6\x10\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf8\x3f\x00\x00\x00\x00\x00\x00\x00\xc0";

	g.target_type = "geometry(Point)";
	is_str(conv(&g, p0, 25, &opt_null), "OK:0101000000000000000000f83f00000000000000c0", "POINT SRID 0 -> WKB hex");
	is_str(conv(&g, p4326, 25, &opt_null), "OK:0101000020e6100000000000000000f83f00000000000000c0",
		   "POINT SRID 4326 -> EWKB hex with the SRID");
	is_str(conv(&gb, p0, 25, &opt_null), "OK:\\x000000000101000000000000000000f83f00000000000000c0",
		   "geometry to a bytea target keeps MySQL's bytes");
	is_str(conv(&g, "\x00\x00", 2, &opt_null)[0] == 'E' ? "E" : "?", "E", "short geometry refused");

	/* the schema's default mapping without PostGIS: EWKB kept in a bytea */
	Column		ge = col_of(CONV_MY_GEOMETRY_BYTEA, "point");

	ge.target_type = "bytea";
	is_str(conv(&ge, p4326, 25, &opt_null), "OK:\\x0101000020e6100000000000000000f83f00000000000000c0",
		   "geometry -> bytea holds EWKB with the SRID");
	is_str(conv(&ge, p0, 25, &opt_null), "OK:\\x0101000000000000000000f83f00000000000000c0",
		   "geometry SRID 0 -> bytea holds plain WKB");
}

static void
test_bit_bool(void)
{
	Column		b1 = col_of(CONV_MY_BIT_BOOL, "bit");

	b1.length = 1;
	is_str(conv(&b1, "\x01", 1, &opt_null), "OK:t", "BIT(1) 1 -> t");
	is_str(conv(&b1, "\x00", 1, &opt_null), "OK:f", "BIT(1) 0 -> f");
	is_str(conv(&b1, "\x02", 1, &opt_null)[0] == 'E' ? "E" : "?", "E", "BIT(1) byte 2 refused");
	is_str(conv(&b1, "", 0, &opt_null)[0] == 'E' ? "E" : "?", "E", "BIT(1) without a byte refused");
}

static void
test_copy_and_charset(void)
{
	StrBuf		sb;
	MyConvError err;

	sb_init(&sb, 0);
	myconv_copy_escape(&sb, "a\tb\\c\nd\re", 9);
	is_str(sb.data, "a\\tb\\\\c\\nd\\re", "COPY escapes tab, backslash, newline, carriage return");
	sb_reset(&sb);
	myconv_copy_escape(&sb, "\\x00ff", 6);
	is_str(sb.data, "\\\\x00ff", "a bytea value's backslash is doubled in COPY");
	sb_reset(&sb);
	myconv_copy_null(&sb);
	is_str(sb.data, "\\N", "COPY NULL is \\N");
	sb_reset(&sb);
	myconv_copy_escape(&sb, "plain \xf0\x9f\x98\x80", 10);
	is_str(sb.data, "plain \xf0\x9f\x98\x80", "plain UTF-8 is copied as is");
	sb_reset(&sb);
	ok(myconv_to_utf8("latin1", "caf\xe9 \x80", 6, &sb, &err), "latin1 converts");
	is_str(sb.data, "caf\xc3\xa9 \xe2\x82\xac", "latin1 0xe9 -> U+00E9, 0x80 -> euro sign (cp1252)");
	sb_reset(&sb);
	ok(myconv_to_utf8("utf8mb4", "\xf0\x9f\x98\x80", 4, &sb, &err) && sb.len == 4, "utf8mb4 passes unchanged");
	sb_reset(&sb);
	ok(!myconv_to_utf8("sjis", "\x82\xa0", 2, &sb, &err) && strstr(err.message, "sjis") != NULL,
	   "an unsupported charset is an error naming it");
	is_str(myconv_collation_charset(8), "latin1", "collation 8 is latin1");
	is_str(myconv_collation_charset(45), "utf8mb4", "collation 45 is utf8mb4");
	is_str(myconv_collation_charset(255), "utf8mb4", "collation 255 (utf8mb4_0900_ai_ci) is utf8mb4");
	is_str(myconv_collation_charset(63), "binary", "collation 63 is binary");
	ok(myconv_collation_charset(9999) == NULL, "unknown collation id -> NULL");
	sb_free(&sb);
}

int
main(void)
{
	test_passthrough();
	test_binary_bit_bool();
	test_dates();
	test_times();
	test_set_enum_json();
	test_geometry();
	test_bit_bool();
	test_copy_and_charset();
	return done_testing();
}
