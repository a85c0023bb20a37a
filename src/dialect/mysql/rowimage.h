/*
 * src/dialect/mysql/rowimage.h
 *	  Decode the row images of a binlog ROWS event into MySQL text-form values.
 *
 * Pure: a decoded TABLE_MAP and ROWS event in, one RowVal per column per image
 * out, no logging, no I/O.  Each value is rendered exactly as MySQL's text
 * protocol returns it for a SELECT (so the bulk copy and replication feed the
 * same text to the value converter, myconv.c):
 *
 *   integers     decimal, signed or unsigned per TABLE_MAP signedness
 *   FLOAT/DOUBLE MySQL's my_gcvt() rendering ("12345.7", "1e20", "0.1")
 *   DECIMAL      "-12.50" (exactly `scale` fraction digits)
 *   YEAR         "2024", "0000"
 *   DATE         "2024-02-29"          DATETIME  "9999-12-31 23:59:59.999999"
 *   TIME         "-838:59:59.000000"   TIMESTAMP UTC, "2038-01-19 03:14:07.99"
 *                (fraction digits = the column's fsp; zero dates kept as zeros)
 *   CHAR         trailing pad removed; BINARY(n) padded back with 0x00 to n
 *   VARCHAR/BLOB/TEXT/GEOMETRY/VECTOR/BIT  the raw bytes
 *   ENUM / SET   labels ("green", "a,c,d") from the TABLE_MAP or the hints;
 *                the numeric index/bitmask when no label is known
 *   JSON         MySQL binary JSON as MySQL prints it ({"a": [1, 2.5]});
 *                MariaDB JSON is LONGTEXT and arrives as text
 *   UUID/INET6/INET4 (MariaDB 10.7+, BINARY(16)/(4) on the wire) as text
 *                when the hint says so
 *
 * Every length, count and metadata byte is checked against the bytes present;
 * a malformed image yields a RowError with the row, column and offset.
 */
#ifndef GODWIT_DIALECT_MYSQL_ROWIMAGE_H
#define GODWIT_DIALECT_MYSQL_ROWIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "dialect/mysql/binlog_event.h"

typedef enum RowValKind
{
	ROWVAL_ABSENT = 0,			/* column not in this image (minimal image) */
	ROWVAL_NULL,
	ROWVAL_TEXT,
} RowValKind;

#define ROWVAL_F_JSON_DIFF	0x01	/* PARTIAL_UPDATE: text is a JSON_REPLACE(...) expression */

typedef struct RowVal
{
	RowValKind	kind;
	uint8_t		flags;
	uint32_t	len;
	const char *p;				/* not NUL-terminated; may point into the event */
} RowVal;

/* What the catalog knows that the TABLE_MAP may not carry. */
typedef enum RowSpecial
{
	ROW_SPECIAL_NONE = 0,
	ROW_SPECIAL_BINARY,			/* CHAR column with the binary charset: pad with 0x00 */
	ROW_SPECIAL_UUID,			/* MariaDB UUID: 16 bytes -> 8-4-4-4-12 hex */
	ROW_SPECIAL_INET6,			/* MariaDB INET6: 16 bytes -> text */
	ROW_SPECIAL_INET4,			/* MariaDB INET4: 4 bytes -> dotted quad */
} RowSpecial;

typedef struct RowHint
{
	int8_t		is_unsigned;	/* -1: TABLE_MAP decides (signed when it is silent) */
	uint8_t		special;		/* RowSpecial */
	const char *const *labels;	/* ENUM / SET labels when the TABLE_MAP has none */
	int			nlabels;
} RowHint;

typedef struct RowError
{
	BinlogErrCode code;
	size_t		offset;			/* within the event's row data */
	const char *what;
	uint64_t	value;
	int			row;			/* 0-based row of the event, -1 n.a. */
	int			column;			/* 0-based column, -1 n.a. */
} RowError;

/* All rows of one ROWS event. */
typedef struct RowSet
{
	uint32_t	ncols;
	uint32_t	nrows;
	RowVal	  **before;			/* [nrows][ncols]; NULL for WRITE */
	RowVal	  **after;			/* [nrows][ncols]; NULL for DELETE */
	uint64_t	value_options;	/* PARTIAL_UPDATE: last row's value_options */
} RowSet;

/*
 * Row-by-row decoding: memory is one RowVal array per image, whatever the
 * event's size (the stream uses this).
 */
typedef struct RowIter
{
	const BinlogTableMap *tm;
	const BinlogRows *rows;
	const RowHint *hints;
	size_t		pos;			/* offset of the next row in rows->rows */
	int			row;			/* index of the next row */
	uint64_t	value_options;	/* PARTIAL_UPDATE: of the last row */
} RowIter;

void		rowimage_iter_init(RowIter *it, const BinlogTableMap *tm, const BinlogRows *rows,
							   const RowHint *hints);

/*
 * rowimage_iter_next
 *		Decode the next row into before[] / after[] (tm->ncols each; the one
 *		the event kind lacks may be NULL).  Values are allocated in a or point
 *		into the event.
 *
 * Returns 1 for a row, 0 at the end, -1 on error (*err filled; never logs).
 */
int			rowimage_iter_next(RowIter *it, Arena *a, RowVal *before, RowVal *after, RowError *err);

/*
 * rowimage_decode
 *		Decode every row of rows (whose table is tm).  hints may be NULL or an
 *		array of tm->ncols entries.  Values and arrays are allocated in a
 *		(values may also point into rows->rows).
 *
 * Returns false with *err filled (the caller logs it with the GTID); never
 * logs.  An event that would expand to more than 8M values is refused
 * (BINLOG_ERR_TOO_LARGE): use the iterator for unbounded input.  OUT: *out.
 */
bool		rowimage_decode(const BinlogTableMap *tm, const BinlogRows *rows,
							const RowHint *hints, Arena *a, RowSet *out, RowError *err);

/*
 * rowimage_format_double
 *		Render a FLOAT (is_float) or DOUBLE as MySQL's text protocol does
 *		(my_gcvt: up to 6 / 17 significant digits, fixed notation for decimal
 *		exponents -14..15, else "1.5e20").  out must hold 40 bytes.
 *		Returns the length.
 */
size_t		rowimage_format_double(double x, bool is_float, char *out);

/*
 * rowimage_decimal_text
 *		Render a binary NEWDECIMAL image (precision, scale) at p..end.
 *		*used gets the bytes it occupies.  out must hold 100 bytes.
 *		Returns false on a malformed image or bad precision/scale.
 */
bool		rowimage_decimal_text(const uint8_t *p, const uint8_t *end, int precision, int scale,
								  char *out, size_t *outlen, size_t *used);

/* Bytes a NEWDECIMAL(precision <= 81, scale <= 30) image occupies (-1 if invalid). */
int			rowimage_decimal_size(int precision, int scale);

/* MariaDB INET6 text form of 16 bytes (out: 46 bytes).  Returns the length. */
size_t		rowimage_inet6_text(const uint8_t *b, char *out);

#endif
