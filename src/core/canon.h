/*
 * src/core/canon.h
 *	  Canonical values: when two text forms of a target column hold the same
 *	  value, whichever engine and path produced them.
 *
 * verify compares a source row with the target row of the same key.  The
 * source value is first converted to the target's text form exactly as the
 * bulk copy and replication do (PostgreSQL: the column's select_expr;
 * MySQL: myconv_value), so both values are texts of the *target* column's
 * type.  They can still be spelt differently for one value: MySQL prints
 * DATETIME(6) with six fraction digits where PostgreSQL drops trailing
 * zeros, ZEROFILL pads integers, jsonb reorders keys, a SET arrives as
 * {"a","b"} where PostgreSQL prints {a,b}, PostGIS prints hex in upper case.
 * canon_value() maps every spelling of a value to one byte string, per kind
 * of target type; two values are equal when their canonical forms are.
 *
 * The rules (docs/verify.md explains each; tests/unit/test_canon.c checks
 * each):
 *   INT        value: "+007" = "7", "-0" = "0"
 *   NUMERIC    value, as SQL's "=" does: 1.50 = 1.5 (a numeric(10,2) column
 *              prints its scale anyway; display scale is not compared);
 *              NaN = NaN; Infinity, -Infinity
 *   FLOAT4/8   the exact binary value, rendered as its shortest round-trip
 *              decimal: one ulp apart IS a difference; -0 differs from 0
 *   BOOL       t/true/1/yes/on = t; f/false/0/no/off = f
 *   DATE       the day (BC and beyond year 9999 included); infinity
 *   TIME       microseconds of the day; trailing fraction zeros insignificant
 *   TIMETZ     the time and its zone offset (both kept, as PostgreSQL does)
 *   TIMESTAMP  microseconds since the epoch
 *   TIMESTAMPTZ the instant in UTC, whatever offset it was printed with
 *   INTERVAL   (months, days, microseconds) as printed, fraction zeros dropped
 *   BYTEA      the bytes (hex or escape output form)
 *   HEX        hex text, case-insensitive (PostGIS EWKB)
 *   UUID       the 16 bytes (case, braces and dashes insignificant)
 *   JSON       json_canonical: key order, whitespace, duplicate keys and
 *              number spelling insignificant
 *   MONEY      the amount: "$1,234.50" = "1234.5" (the source is read as
 *              numeric; currency symbol and separators are the target's)
 *   BPCHAR     trailing spaces insignificant (they are padding in both
 *              engines' CHAR(n))
 *   TEXT       the bytes: trailing spaces, case and NUL-free content all count
 *   arrays     element by element with the element's rule; NULL elements,
 *              nesting and explicit bounds kept
 * Text that does not parse as its kind is compared byte for byte.
 *
 * Pure: no I/O, no logging.  A CanonScratch holds the buffers; one per
 * thread.
 */
#ifndef GODWIT_CORE_CANON_H
#define GODWIT_CORE_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/strbuf.h"

typedef enum CanonKind
{
	CANON_TEXT,
	CANON_BPCHAR,
	CANON_INT,
	CANON_NUMERIC,
	CANON_FLOAT4,
	CANON_FLOAT8,
	CANON_BOOL,
	CANON_DATE,
	CANON_TIME,
	CANON_TIMETZ,
	CANON_TIMESTAMP,
	CANON_TIMESTAMPTZ,
	CANON_INTERVAL,
	CANON_BYTEA,
	CANON_HEX,
	CANON_UUID,
	CANON_JSON,
	CANON_MONEY,
} CanonKind;

typedef struct CanonType
{
	CanonKind	kind;
	bool		array;			/* a PostgreSQL array of elements of kind */
} CanonType;

/* Buffers reused between calls (one per thread). */
typedef struct CanonScratch
{
	StrBuf		a;
	StrBuf		b;
	Arena		arena;			/* JSON documents */
} CanonScratch;

void		canon_scratch_init(CanonScratch *s);
void		canon_scratch_free(CanonScratch *s);

/*
 * canon_type_of
 *		The kind for a target type, spelt as pg_type.typname ("int4",
 *		"_int4", "timestamptz", "geometry") or as SQL ("integer[]",
 *		"timestamp(3) with time zone", "character varying(10)").  Unknown
 *		and user-defined types (enums, composites, ranges) are TEXT.
 */
CanonType	canon_type_of(const char *type);

/* Name of a kind for messages and tests: "int", "timestamptz", ... */
const char *canon_kind_name(CanonKind kind);

/*
 * canon_value
 *		Append the canonical form of in[0..len) of type t to out.
 *
 * Returns false when the text does not parse as t: out then holds a marker
 * and the raw bytes, so two identical unparseable texts still compare
 * equal and never equal a parsed value.  out's cap applies (a value longer
 * than the cap overflows it; the caller checks sb_ok).
 */
bool		canon_value(CanonType t, const char *in, size_t len, StrBuf *out);

/*
 * canon_equal
 *		Whether a and b are the same value of type t: identical bytes, or
 *		identical canonical forms.
 */
bool		canon_equal(CanonType t, const char *a, size_t alen, const char *b, size_t blen,
						CanonScratch *s);

/*
 * canon_compare
 *		Order two key values of type t the way a key-ordered scan returns
 *		them on both engines: integers, numerics and floats by value (NaN
 *		last), dates and times by instant, booleans f < t, everything else
 *		by the bytes of its canonical form (the "C" collation; uuid and bytea
 *		in byte order).  <0, 0 or >0.
 */
int			canon_compare(CanonType t, const char *a, size_t alen, const char *b, size_t blen,
						  CanonScratch *s);

/*
 * canon_key_order_by_value
 *		Whether keys of this kind are ordered by value by the databases
 *		(ORDER BY col), rather than by the bytes of their text form
 *		(ORDER BY col COLLATE "C" / the text cast).
 */
bool		canon_key_order_by_value(CanonType t);

/* Parsers shared with the tests (true when well formed). */
bool		canon_parse_timestamp(const char *s, size_t len, bool with_tz, int64_t *us);
bool		canon_parse_date(const char *s, size_t len, int64_t *days);

#endif
