/*
 * src/dialect/target_copy.h
 *	  Loading rows into a target table with COPY FROM STDIN.
 *
 * A shard is loaded in one target transaction:
 *
 *     BEGIN;
 *     DELETE FROM t WHERE key in range;     -- only when re-copying a shard
 *     COPY t (cols) FROM STDIN;             -- rows streamed from the source
 *     UPDATE _godwit.shards SET status = 'done' ...;
 *     COMMIT;
 *
 * so a shard is either wholly present and recorded, or absent and pending:
 * a crash at any moment loses nothing and duplicates nothing.  Bytes are
 * gathered in a fixed buffer (TARGET_COPY_BUFFER) before each
 * PQputCopyData, so memory does not depend on the table size.
 */
#ifndef GODWIT_DIALECT_TARGET_COPY_H
#define GODWIT_DIALECT_TARGET_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

#define TARGET_COPY_BUFFER	(256 * 1024)

typedef struct TargetCopy
{
	PgConn	   *conn;
	char	   *buf;			/* TARGET_COPY_BUFFER bytes */
	size_t		used;
	int64_t		bytes;			/* total bytes sent */
	bool		failed;
	const Table *zero_columns;	/* a table without columns: rows are counted and
								 * inserted as empty rows at the end */
	int64_t		zero_column_rows;
} TargetCopy;

/* Start COPY into t (the transaction is the caller's).  False on error (logged). */
bool		target_copy_begin(TargetCopy *tc, PgConn *c, const Table *t);
/* CopySink.write: arg is the TargetCopy. */
bool		target_copy_write(void *arg, const char *data, size_t len);
/* Finish the COPY; with ok=false abort it (the transaction fails). */
bool		target_copy_end(TargetCopy *tc, bool ok);

#endif
