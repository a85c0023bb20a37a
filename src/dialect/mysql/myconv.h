/*
 * src/dialect/mysql/myconv.h
 *	  Convert a MySQL/MariaDB value from its MySQL text form to the text input
 *	  form of the target (PostgreSQL / CockroachDB), per the catalog column's
 *	  ValueConv; and escape values for COPY text.
 *
 * One converter for both paths: the bulk copy feeds it what the text
 * protocol returned for a SELECT; replication feeds it what rowimage.c
 * decoded from the binlog (the same text).  So a value reaches the target
 * identically whichever path carried it.
 *
 * Pure: no logging, no I/O.  A value that cannot be converted yields
 * MYCONV_ERROR with a message naming the value and the column, and a hint;
 * the caller logs it with the table, key and GTID it knows.
 */
#ifndef GODWIT_DIALECT_MYSQL_MYCONV_H
#define GODWIT_DIALECT_MYSQL_MYCONV_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/catalog.h"
#include "common/strbuf.h"

/*
 * What happens to values PostgreSQL has no equivalent for: zero and partial
 * dates ('0000-00-00', '2016-00-28', year 0), zero DATETIME/TIMESTAMP,
 * YEAR 0000 and the "invalid" empty ENUM value.
 */
typedef enum MyZeroPolicy
{
	MYCONV_ZERO_NULL,			/* become NULL (MOLT / pgloader default) */
	MYCONV_ZERO_ERROR,			/* fail with the value named; YEAR 0000 becomes 0 */
} MyZeroPolicy;

typedef struct MyConvOptions
{
	MyZeroPolicy zero;
} MyConvOptions;

typedef enum MyConvStatus
{
	MYCONV_OK,					/* out holds the target text */
	MYCONV_NULL,				/* the value becomes NULL (policy) */
	MYCONV_ERROR,				/* err filled */
} MyConvStatus;

typedef struct MyConvError
{
	char		message[512];	/* 'value "0000-00-00" of column "d" (date) is a zero date' */
	char		hint[256];
} MyConvError;

/*
 * myconv_value
 *		Convert in[0..len) (the MySQL text form, UTF-8) for column col and
 *		append the target text to out.
 *
 * ValueConv -> target text:
 *   NONE, TEXT         unchanged; NUL bytes are an error (PostgreSQL text
 *                      cannot hold them)
 *   MY_BINARY          bytea hex "\x00ff..."
 *   MY_BIT             bit string of col->length bits ("0101"); the input is
 *                      the big-endian bytes MySQL returns
 *   MY_BOOL            "t" / "f" for 1 / 0; anything else is an error
 *   MY_DATE            "2024-02-29"; zero/partial dates per policy
 *   MY_DATETIME        "9999-12-31 23:59:59.999999"; zero per policy
 *   MY_TIMESTAMP       "2038-01-19 03:14:07.99+00" (input is UTC); zero per policy
 *   MY_TIME            time of day 00:00:00..24:00:00; other values (negative,
 *                      >= 24h) are an error that suggests the interval mapping
 *   MY_TIME_INTERVAL   interval "-838:59:59.000000" (all TIME values fit)
 *   MY_YEAR            "2024"; 0000 -> NULL (or 0 when policy is ERROR)
 *   MY_SET             text[] literal {"a","b"} ("" -> {})
 *   MY_ENUM            the label; '' (the invalid value) per policy unless ''
 *                      is one of col->enum_labels
 *   MY_JSON            unchanged; a \u0000 escape is an error for a jsonb
 *                      target (jsonb rejects it)
 *   MY_GEOMETRY        MySQL's SRID + WKB as PostGIS hex EWKB when
 *                      col->target_type is geometry/geography, else bytea hex
 *   MY_GEOMETRY_BYTEA  EWKB (with the SRID) as a bytea literal "\x..."
 *   MY_BIT_BOOL        BIT(1): "t" / "f"
 *
 * Returns MYCONV_OK, MYCONV_NULL (nothing appended) or MYCONV_ERROR (err).
 */
MyConvStatus myconv_value(const Column *col, const char *in, size_t len, const MyConvOptions *opt,
						  StrBuf *out, MyConvError *err);

/*
 * myconv_to_utf8
 *		Convert a value stored in MySQL character set `charset` (a name such
 *		as "latin1", "utf8mb4", or "binary") to UTF-8, as the text protocol
 *		does for a utf8mb4 connection; the binlog carries values in the
 *		column's own charset.  Returns false with err filled for a charset we
 *		cannot convert or bytes invalid in it.
 */
bool		myconv_to_utf8(const char *charset, const char *in, size_t len, StrBuf *out, MyConvError *err);

/* Whether values of this charset need myconv_to_utf8 (not utf8/ascii/binary). */
bool		myconv_charset_needs_conversion(const char *charset);

/* MySQL collation id (TABLE_MAP charset metadata) -> charset name, NULL if unknown. */
const char *myconv_collation_charset(unsigned collation_id);

/*
 * COPY text format: append val escaped (backslash, tab, newline, carriage
 * return, and the other control characters COPY treats specially), or \N.
 */
void		myconv_copy_escape(StrBuf *out, const char *val, size_t len);
void		myconv_copy_null(StrBuf *out);

#endif
