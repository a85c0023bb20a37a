/*
 * tests/lib/binlog_walk.h
 *	  Walk a whole binlog file (or one event buffer) through the production
 *	  decoders: framing, FORMAT_DESCRIPTION state, checksums, the events inside
 *	  TRANSACTION_PAYLOAD, a table-map cache and row-image decoding.  Test,
 *	  tool and fuzzer support; not linked into godwit.
 */
#ifndef GODWIT_TESTS_BINLOG_WALK_H
#define GODWIT_TESTS_BINLOG_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "dialect/mysql/binlog_event.h"
#include "dialect/mysql/rowimage.h"

typedef struct BinlogWalkEvent
{
	size_t		offset;			/* of the event in the file (inner: of its payload) */
	int			depth;			/* 0 top level, 1 inside TRANSACTION_PAYLOAD */
	const BinlogEvent *ev;
	const BinlogTableMap *tm;	/* rows events: their table map (NULL if unknown) */
	const RowSet *rows;			/* rows events: decoded rows */
} BinlogWalkEvent;

typedef void (*BinlogWalkFn) (void *ctx, const BinlogWalkEvent *we);

typedef struct BinlogWalkResult
{
	int			events;			/* decoded, inner events included */
	int			row_events;
	int			rows;			/* rows decoded */
	int			values;			/* column values decoded (present in an image) */
	bool		failed;
	size_t		offset;			/* where it failed (file offset of the event) */
	BinlogError err;			/* event-level error, or */
	RowError	rerr;			/* row-level error (rerr.code != 0) */
	char		message[256];	/* both rendered */
} BinlogWalkResult;

/*
 * binlog_walk
 *		Decode buf (a binlog file when has_magic, else a sequence of events that
 *		start with a FORMAT_DESCRIPTION or use fmt0).  fn may be NULL.  Returns
 *		false at the first error (res filled).
 */
bool		binlog_walk(const uint8_t *buf, size_t len, bool has_magic, const BinlogFormat *fmt0,
						BinlogWalkFn fn, void *ctx, BinlogWalkResult *res);

/* The same with decoder options for top-level events (BINLOG_DECODE_SKIP_VERIFY
 * lets a fuzzer reach past the CRC32 check). */
bool		binlog_walk_opts(const uint8_t *buf, size_t len, bool has_magic, const BinlogFormat *fmt0,
							 unsigned options, BinlogWalkFn fn, void *ctx, BinlogWalkResult *res);

/* A BinlogWalkFn that appends one line per event (and per row) to a StrBuf. */
void		binlog_walk_print(void *sb, const BinlogWalkEvent *we);

/* Append value v as 'text' with C-style escapes (NULL, (absent)). */
void		binlog_walk_append_value(StrBuf *sb, const RowVal *v);

/* Read a whole file (caller frees); NULL on error. */
uint8_t    *binlog_read_file(const char *path, size_t *len);

#endif
