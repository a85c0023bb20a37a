/*
 * src/dialect/pg/pg_spool.h
 *	  Local files holding the changes of in-progress transactions that
 *	  PostgreSQL streams before they commit (pgoutput protocol 2, streaming
 *	  on), until their Stream Commit replays them or their Stream Abort drops
 *	  them.
 *
 * With streaming, the server sends a big transaction in segments while it
 * runs (instead of spilling it to disk on the source and sending it whole at
 * commit), interleaved with other transactions.  Nothing of it may reach the
 * target before it commits, so its messages are appended, as received, to a
 * file of their own (one per top-level transaction id) and read back in order
 * at its commit: memory stays one message, whatever the transaction's size.
 *
 * A subtransaction rolled back (ROLLBACK TO SAVEPOINT) arrives as a Stream
 * Abort naming it: its messages, and those of the subtransactions after it,
 * are cut off the end of the file (subtransactions of one transaction are
 * sequential, so they are a suffix), as PostgreSQL's own apply worker does.
 *
 * The files live in a private directory (godwit-spool-<pid>-XXXXXX, made by
 * mkdtemp under $TMPDIR, else /tmp), created on the first append and removed
 * with everything in it by pg_spool_free.  They only ever hold uncommitted
 * work: after a crash or a reconnect the server streams the still-open
 * transactions again from their start, so a new spool starts empty, and
 * pg_spool_new removes the spools of godwit processes that are gone.
 *
 * Record: Int32 length, Int64 LSN (the XLogData dataStart), the message.
 * Every failure is logged here (with the file) and returns false / -1.
 */
#ifndef GODWIT_DIALECT_PG_SPOOL_H
#define GODWIT_DIALECT_PG_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/lsn.h"

typedef struct PgSpool PgSpool;

PgSpool    *pg_spool_new(void);
void		pg_spool_free(PgSpool *s);

/* Append one message of transaction xid, made by its (sub)transaction subxid. */
bool		pg_spool_append(PgSpool *s, uint32_t xid, uint32_t subxid, const uint8_t *msg, size_t len,
							Lsn lsn);

/*
 * Stream Abort: subxid == xid drops the whole transaction; otherwise the
 * subtransaction's messages and everything appended after them.  Unknown
 * ids are fine (nothing of them was spooled).
 */
bool		pg_spool_abort(PgSpool *s, uint32_t xid, uint32_t subxid);

/*
 * Replay at Stream Commit: pg_spool_replay_begin(xid) (a transaction with
 * nothing spooled replays as empty), then pg_spool_replay_next until it
 * returns 0 (end) or -1 (error); *msg stays valid until the next call.
 * pg_spool_replay_end deletes the transaction's file.  One replay at a time.
 */
bool		pg_spool_replay_begin(PgSpool *s, uint32_t xid);
int			pg_spool_replay_next(PgSpool *s, const uint8_t **msg, size_t *len, Lsn *lsn);
void		pg_spool_replay_end(PgSpool *s);

/* Transactions currently spooled (for messages and tests). */
int			pg_spool_open_count(const PgSpool *s);

#endif
