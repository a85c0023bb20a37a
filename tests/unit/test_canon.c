/*
 * tests/unit/test_canon.c
 *	  Canonical values (core/canon.c), rule by rule: every spelling of one
 *	  value compares equal, every different value (one microsecond, one ulp,
 *	  one trailing space, NULL-free empty text) compares different, keys order
 *	  as the databases order them.  The cross-engine cases chain myconv: a
 *	  MySQL text value is converted exactly as fetch converts it, then
 *	  compared with what PostgreSQL prints for the stored value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "dialect/mysql/myconv.h"
#include "tap.h"

static CanonScratch scratch;

static bool
eq(const char *type, const char *a, const char *b)
{
	return canon_equal(canon_type_of(type), a, strlen(a), b, strlen(b), &scratch);
}

static int
cmp(const char *type, const char *a, const char *b)
{
	int			c = canon_compare(canon_type_of(type), a, strlen(a), b, strlen(b), &scratch);

	return c < 0 ? -1 : c > 0;
}

static const char *
canon(const char *type, const char *in)
{
	static char res[1024];
	StrBuf		out;

	sb_init(&out, 0);
	canon_value(canon_type_of(type), in, strlen(in), &out);
	snprintf(res, sizeof(res), "%s", out.data);
	sb_free(&out);
	return res;
}

/* A MySQL value through myconv for a column of that conversion and target type. */
static const char *
my(ValueConv conv, const char *target_type, const char *in, size_t len)
{
	static char res[1024];
	Column		c;
	StrBuf		out;
	MyConvError err;

	memset(&c, 0, sizeof(c));
	c.name = "c";
	c.source_type = "x";
	c.conv = conv;
	c.length = -1;
	c.target_type = (char *) target_type;
	sb_init(&out, 0);
	if (myconv_value(&c, in, len, NULL, &out, &err) != MYCONV_OK)
		snprintf(res, sizeof(res), "ERR");
	else
		snprintf(res, sizeof(res), "%s", out.data);
	sb_free(&out);
	return res;
}

static void
test_types(void)
{
	is_str(canon_kind_name(canon_type_of("integer").kind), "int", "integer is int");
	is_str(canon_kind_name(canon_type_of("int8").kind), "int", "int8 is int");
	is_str(canon_kind_name(canon_type_of("numeric(20)").kind), "numeric", "numeric(20)");
	is_str(canon_kind_name(canon_type_of("double precision").kind), "float8", "double precision");
	is_str(canon_kind_name(canon_type_of("real").kind), "float4", "real");
	is_str(canon_kind_name(canon_type_of("timestamp(6) with time zone").kind), "timestamptz",
		   "timestamp(6) with time zone");
	is_str(canon_kind_name(canon_type_of("timestamp(3) without time zone").kind), "timestamp",
		   "timestamp(3) without time zone");
	is_str(canon_kind_name(canon_type_of("character(10)").kind), "bpchar", "character(10) is bpchar");
	is_str(canon_kind_name(canon_type_of("character varying(10)").kind), "text", "varchar is text");
	is_str(canon_kind_name(canon_type_of("public.geometry").kind), "hex", "qualified geometry");
	is_str(canon_kind_name(canon_type_of("\"public\".\"mood\"").kind), "text", "an enum type is text");
	ok(canon_type_of("text[]").array && canon_type_of("text[]").kind == CANON_TEXT, "text[] is an array of text");
	ok(canon_type_of("_int4").array && canon_type_of("_int4").kind == CANON_INT, "_int4 is an array of int");
	ok(!canon_type_of("jsonb").array && canon_type_of("jsonb").kind == CANON_JSON, "jsonb");
}

static void
test_ints(void)
{
	ok(eq("integer", "7", "7"), "same text");
	ok(eq("integer", "0007", "7"), "ZEROFILL padding is not a difference");
	ok(eq("bigint", "+7", "7"), "a plus sign is not a difference");
	ok(eq("smallint", "-0", "0"), "-0 is 0");
	ok(!eq("bigint", "7", "8"), "7 <> 8");
	ok(!eq("bigint", "-7", "7"), "-7 <> 7");
	ok(eq("numeric(20)", "18446744073709551615", "18446744073709551615"), "BIGINT UNSIGNED maximum");
	ok(!eq("numeric(20)", "18446744073709551615", "18446744073709551614"), "max <> max-1");
	is_str(canon("integer", "x7"), "\x01?x7", "garbage is kept raw with a marker");
	is_int(cmp("integer", "9", "10"), -1, "9 < 10 (by value, not text)");
	is_int(cmp("bigint", "-10", "-9"), -1, "-10 < -9");
	is_int(cmp("numeric(20)", "18446744073709551615", "9223372036854775807"), 1, "beyond int64");
}

static void
test_numeric(void)
{
	ok(eq("numeric(10,2)", "1.50", "1.5"), "1.50 = 1.5 (value equality)");
	ok(eq("numeric", "0.000", "0"), "0.000 = 0");
	ok(eq("numeric", "-0.00", "0"), "-0.00 = 0");
	ok(eq("numeric", "007.10", "7.1"), "leading and trailing zeros");
	ok(!eq("numeric(10,2)", "1.50", "1.51"), "1.50 <> 1.51");
	ok(!eq("numeric", "1.5", "-1.5"), "sign");
	ok(eq("numeric", "NaN", "NaN"), "NaN = NaN (as PostgreSQL's numeric)");
	ok(!eq("numeric", "NaN", "0"), "NaN <> 0");
	ok(eq("numeric", "Infinity", "Infinity"), "Infinity");
	ok(!eq("numeric", "Infinity", "-Infinity"), "Infinity <> -Infinity");
	ok(eq("numeric", "1234567890123456789012345678901234567890123456789012345678901234.5",
		  "1234567890123456789012345678901234567890123456789012345678901234.50"), "64 significant digits");
	ok(!eq("numeric", "1234567890123456789012345678901234567890123456789012345678901234.5",
		   "1234567890123456789012345678901234567890123456789012345678901234.6"), "the 65th digit counts");
	is_str(canon("numeric", "-012.3400"), "-12.34", "canonical numeric");
	ok(eq("money", "$1,234.11", "1234.11"), "money: target output = source read as numeric");
	ok(eq("money", "-$1,234.10", "-1234.1"), "negative money");
	ok(eq("money", "($1,234.10)", "-1234.10"), "parenthesised negative money");
	ok(!eq("money", "$1,234.11", "1234.12"), "money differs by a cent");
	is_int(cmp("numeric", "1.5", "1.25"), 1, "1.5 > 1.25");
	is_int(cmp("numeric", "-1.5", "-1.25"), -1, "-1.5 < -1.25");
	is_int(cmp("numeric", "NaN", "1e9"), 1, "NaN sorts last");
	is_int(cmp("numeric", "-Infinity", "-99"), -1, "-Infinity first");
	is_int(cmp("numeric", "Infinity", "99"), 1, "Infinity after finite values");
	/* MySQL DECIMAL(65,30) through myconv: unchanged text */
	ok(eq("numeric(65,30)", my(CONV_NONE, "numeric(65,30)", "1.100000000000000000000000000000", 32),
		  "1.100000000000000000000000000000"), "DECIMAL(65,30) from MySQL");
}

static void
test_floats(void)
{
	ok(eq("double precision", "0.1", "0.1"), "same");
	ok(eq("double precision", "1e-05", "0.00001"), "1e-05 (PostgreSQL) = 0.00001 (MySQL)");
	ok(eq("double precision", "1e+20", "100000000000000000000"), "1e+20 = 1e20 written out");
	ok(eq("double precision", "1E20", "1e+20"), "exponent spelling");
	ok(!eq("double precision", "0.1", "0.10000000000000002"), "one ulp above 0.1 is a difference");
	ok(!eq("double precision", "1.7976931348623157e+308", "1.7976931348623155e+308"), "one ulp below DBL_MAX");
	ok(eq("double precision", "0.30000000000000004", "3.0000000000000004e-1"), "round-trip repr");
	ok(!eq("double precision", "-0", "0"), "-0 <> 0 (different bits)");
	ok(eq("double precision", "NaN", "NaN"), "NaN = NaN");
	ok(eq("double precision", "Infinity", "inf"), "Infinity spellings");
	ok(!eq("double precision", "Infinity", "-Infinity"), "infinities differ");
	ok(eq("real", "3.14159", "3.14159"), "real");
	ok(eq("real", "3.1415927", "3.14159274"), "float4: both round to the same float");
	ok(!eq("real", "3.1415927", "3.141593"), "float4: one ulp apart");
	ok(eq("real", "1e+10", "10000000000"), "float4 exponent");
	ok(!eq("double precision", "0x10", "16"), "no hex floats");
	is_int(cmp("double precision", "9.5", "10"), -1, "floats order by value");
	is_int(cmp("double precision", "NaN", "Infinity"), 1, "NaN after Infinity");
}

static void
test_bool(void)
{
	ok(eq("boolean", "t", "true"), "t = true");
	ok(eq("boolean", "f", "0"), "f = 0");
	ok(!eq("boolean", "t", "f"), "t <> f");
	/* tinyint(1) -> boolean through myconv */
	ok(eq("boolean", my(CONV_MY_BOOL, "boolean", "1", 1), "t"), "tinyint(1) 1 = t");
	ok(eq("boolean", my(CONV_MY_BOOL, "boolean", "0", 1), "f"), "tinyint(1) 0 = f");
	ok(!eq("boolean", my(CONV_MY_BOOL, "boolean", "1", 1), "f"), "tinyint(1) 1 <> f");
	ok(eq("boolean", my(CONV_MY_BIT_BOOL, "boolean", "\x01", 1), "t"), "BIT(1) b'1' = t");
	is_int(cmp("boolean", "f", "t"), -1, "f < t");
}

static void
test_temporal(void)
{
	/* timestamps: fraction spelling, zones, BC, infinity */
	ok(eq("timestamp", "2024-01-01 10:00:00.500000", "2024-01-01 10:00:00.5"),
	   "DATETIME(6) trailing zeros");
	ok(eq("timestamp", "2024-01-01 10:00:00.000000", "2024-01-01 10:00:00"), "zero fraction");
	ok(!eq("timestamp", "2024-01-01 10:00:00.000001", "2024-01-01 10:00:00"), "one microsecond is a difference");
	ok(!eq("timestamp(6)", "9999-12-31 23:59:59.999999", "9999-12-31 23:59:59.999998"),
	   "one microsecond at the end of time");
	ok(eq("timestamptz", "2024-01-01 10:00:00+00", "2024-01-01 11:00:00+01"), "same instant, other zone");
	ok(eq("timestamptz", "2024-01-01 05:15:00+05:45", "2023-12-31 23:30:00+00"), "+05:45 across midnight");
	ok(eq("timestamptz", "2024-03-01 00:00:00-00:00:30", "2024-03-01 00:00:30+00"), "seconds in the offset");
	ok(!eq("timestamptz", "2024-01-01 10:00:00+00", "2024-01-01 10:00:00+01"), "same clock, other zone");
	ok(eq("timestamptz", my(CONV_MY_TIMESTAMP, "timestamptz", "2038-01-19 03:14:07.990000", 26),
		  "2038-01-19 03:14:07.99+00"), "MySQL TIMESTAMP(6) (UTC) = PostgreSQL output");
	ok(eq("timestamp", my(CONV_MY_DATETIME, "timestamp", "9999-12-31 23:59:59.999999", 26),
		  "9999-12-31 23:59:59.999999"), "DATETIME maximum");
	ok(eq("timestamp", "0044-03-15 12:00:00 BC", "0044-03-15 12:00:00 BC"), "BC");
	ok(!eq("timestamp", "0044-03-15 12:00:00 BC", "0044-03-15 12:00:00"), "BC <> AD");
	ok(eq("timestamp", "294276-12-31 23:59:59.999999", "294276-12-31 23:59:59.999999"), "year 294276");
	ok(eq("timestamptz", "infinity", "infinity"), "infinity");
	ok(!eq("timestamptz", "infinity", "-infinity"), "infinities differ");
	is_int(cmp("timestamptz", "2024-01-01 10:00:00+02", "2024-01-01 09:00:00+00"), -1, "ordered by instant");
	is_int(cmp("timestamp", "-infinity", "0001-01-01 00:00:00 BC"), -1, "-infinity first");
	is_int(cmp("timestamp", "10000-01-01 00:00:00", "9999-12-31 23:59:59"), 1, "five-digit years");
	/* dates */
	ok(eq("date", "2024-02-29", "2024-02-29"), "date");
	ok(!eq("date", "2024-02-29", "2024-03-01"), "next day");
	ok(eq("date", "4713-11-24 BC", "4713-11-24 BC"), "4713 BC");
	is_str(canon("date", "1970-01-02"), "1", "days since the epoch");
	is_str(canon("date", "2023-02-29"), "\x01?2023-02-29", "no 29 February in 2023");
	is_int(cmp("date", "0001-12-31 BC", "0001-01-01"), -1, "1 BC before 1 AD");
	/* MySQL zero dates: NULL by policy, so never compared as values */
	is_str(my(CONV_MY_DATE, "date", "0000-00-00", 10), "ERR", "zero date is not a value (policy null -> NULL)");
	/* time */
	ok(eq("time", "10:00:00.500000", "10:00:00.5"), "time fraction");
	ok(!eq("time", "10:00:00.000001", "10:00:00"), "time one microsecond");
	ok(eq("time", "24:00:00", "24:00:00"), "24:00:00");
	ok(eq("timetz", "10:00:00+02", "10:00:00+02:00"), "timetz offset spelling");
	ok(!eq("timetz", "10:00:00+02", "08:00:00+00"), "timetz keeps its zone (PostgreSQL's equality)");
	/* interval (MySQL TIME -> interval) */
	ok(eq("interval", my(CONV_MY_TIME_INTERVAL, "interval", "-838:59:59.000000", 17), "-838:59:59"),
	   "TIME -838:59:59 as interval");
	ok(eq("interval", "1 year 2 mons 3 days 04:05:06.5", "14 mons 3 days 04:05:06.500000"), "years are 12 months");
	ok(!eq("interval", "1 day", "24:00:00"), "a day is not 24 hours in the text");
	ok(!eq("interval", "00:00:00.000001", "00:00:00"), "interval microsecond");
	is_int(cmp("interval", "1 day", "23:00:00"), 1, "intervals order by span");
}

static void
test_text(void)
{
	ok(!eq("text", "abc ", "abc"), "a trailing space IS a difference");
	ok(!eq("character varying(10)", "abc", "ABC"), "case is a difference");
	ok(!eq("text", "", "x"), "empty text is a value");
	ok(eq("character(5)", "ab   ", "ab"), "char(n) padding is not a difference");
	ok(!eq("character(5)", " ab", "ab"), "leading spaces in char(n) are");
	ok(eq("text", "🦆 émoji", "🦆 émoji"), "multibyte text");
	is_int(cmp("text", "B", "a"), -1, "text orders by bytes (C collation)");
	is_int(cmp("text", "ab", "abc"), -1, "a prefix first");
	is_int(cmp("text", "é", "z"), 1, "UTF-8 bytes order code points");
	is_int(cmp("character(3)", "a  ", "a"), 0, "char(n) keys ignore padding");
}

static void
test_bytes(void)
{
	ok(eq("bytea", "\\x00FF", "\\x00ff"), "hex case");
	ok(eq("bytea", "\\x41005c", "A\\000\\\\"), "escape output form");
	ok(!eq("bytea", "\\x00", "\\x"), "NUL byte vs empty");
	ok(eq("bytea", my(CONV_MY_BINARY, "bytea", "\x00\x80 ", 3), "\\x008020"), "BINARY with NUL and 0x80");
	ok(eq("geometry", "0101000020E6100000000000000000F03F0000000000000040",
		  "0101000020e6100000000000000000f03f0000000000000040"), "PostGIS hex case");
	is_int(cmp("bytea", "\\x00ff", "\\x01"), -1, "bytea orders by bytes");
	is_int(cmp("bytea", "\\x01", "\\x0100"), -1, "shorter prefix first");
	ok(eq("uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid case");
	ok(eq("uuid", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid spelling");
	ok(!eq("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12"), "uuid differs");
	ok(eq("bit(8)", "01010101", "01010101"), "bit");
	ok(!eq("bit varying", "0101", "01010"), "varbit length");
}

static void
test_json(void)
{
	ok(eq("jsonb", "{\"b\": 1, \"a\": [1, 2]}", "{\"a\":[1,2],\"b\":1}"), "key order and whitespace");
	ok(eq("jsonb", "{\"a\": 1.0}", "{\"a\": 1}"), "number spelling");
	ok(eq("jsonb", "{\"a\": 1, \"a\": 2}", "{\"a\": 2}"), "duplicate keys: the last wins");
	ok(!eq("jsonb", "{\"a\": 1}", "{\"a\": \"1\"}"), "1 <> \"1\"");
	ok(!eq("jsonb", "[1, 2]", "[2, 1]"), "array order counts");
	ok(eq("jsonb", "\"\\u00e9\"", "\"é\""), "escapes");
	ok(!eq("jsonb", "{\"a\": \"x \"}", "{\"a\": \"x\"}"), "trailing space in a string counts");
	ok(eq("json", my(CONV_MY_JSON, "jsonb", "{\"k\":  [true,null]}", 19), "{\"k\": [true, null]}"),
	   "MySQL JSON text = jsonb output");
}

static void
test_arrays(void)
{
	ok(eq("text[]", my(CONV_MY_SET, "text[]", "a,b", 3), "{a,b}"), "MySQL SET = text[] output");
	ok(eq("text[]", my(CONV_MY_SET, "text[]", "", 0), "{}"), "empty SET");
	ok(eq("text[]", "{\"a b\",\"c\\\"d\",NULL}", "{\"a b\",\"c\\\"d\",NULL}"), "quoting");
	ok(!eq("text[]", "{NULL}", "{\"NULL\"}"), "NULL element <> the text NULL");
	ok(!eq("text[]", "{\"a \"}", "{a}"), "trailing space in an element counts");
	ok(eq("integer[]", "{1,2,3}", "{ 1 , 2 , 3 }"), "spaces between elements");
	ok(eq("numeric[]", "{1.50,2}", "{1.5,2.0}"), "elements compared by their type");
	ok(eq("timestamp[]", "{\"2024-01-01 00:00:00.500000\"}", "{\"2024-01-01 00:00:00.5\"}"), "timestamp elements");
	ok(eq("integer[]", "{{1,2},{3,4}}", "{{1,2},{3,4}}"), "two dimensions");
	ok(!eq("integer[]", "{{1,2},{3,4}}", "{1,2,3,4}"), "nesting counts");
	ok(!eq("integer[]", "[0:1]={1,2}", "{1,2}"), "explicit bounds count");
	ok(eq("integer[]", "[0:1]={1,2}", "[0:1]={01,2}"), "explicit bounds kept");
}

int
main(void)
{
	canon_scratch_init(&scratch);
	test_types();
	test_ints();
	test_numeric();
	test_floats();
	test_bool();
	test_temporal();
	test_text();
	test_bytes();
	test_json();
	test_arrays();
	canon_scratch_free(&scratch);
	return done_testing();
}
