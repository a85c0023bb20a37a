/*
 * src/dialect/mysql/binlog_json.h
 *	  MySQL binary JSON (the JSON column's storage and binlog format) to the
 *	  JSON text MySQL prints, and PARTIAL_UPDATE_ROWS JSON diffs.
 *
 * Pure and bounds-checked; the output is appended to a capped StrBuf.
 */
#ifndef GODWIT_DIALECT_MYSQL_BINLOG_JSON_H
#define GODWIT_DIALECT_MYSQL_BINLOG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/*
 * binlog_json_to_text
 *		Append the text form of the binary JSON document p[0..len) to out, as
 *		MySQL prints it: `{"a": 1, "b": [true, null]}`, doubles with my_gcvt
 *		plus ".0" when integral, opaque DATE/TIME/DATETIME as quoted strings,
 *		opaque DECIMAL as a number, other opaque values as
 *		"base64:typeNN:...".  A zero-length document is `null`.
 *
 * Returns false with *what set (a fixed message) on malformed input or when
 * out overflows its cap.
 */
bool		binlog_json_to_text(const uint8_t *p, size_t len, StrBuf *out, const char **what);

/*
 * binlog_json_diff_to_text
 *		Append a PARTIAL_UPDATE_ROWS JSON diff vector (the column's bytes
 *		without their length prefix) as the expression MySQL's mysqlbinlog
 *		prints: JSON_REPLACE(@col, '$.path', value), nested per diff.
 *		col is the 1-based column number.  Returns false with *what set.
 */
bool		binlog_json_diff_to_text(const uint8_t *p, size_t len, int col, StrBuf *out,
									 const char **what);

#endif
