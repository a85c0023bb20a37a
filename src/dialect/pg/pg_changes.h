/*
 * src/dialect/pg/pg_changes.h
 *	  Private to the PostgreSQL driver: turn pgoutput messages into godwit
 *	  ChangeBatches: transactions, chunks, the resume prefix, relations
 *	  mapped to catalog tables and checked against them, tuples to Datums.
 *
 * No I/O: pg_stream.c feeds it the XLogData payloads it receives, in order;
 * the pgstream fuzzer and the unit tests feed it messages of their own.
 * Failures are logged here (with the LSN and table), once, and the caller
 * stops.  The batching rules are described at the top of pg_stream.c.
 */
#ifndef GODWIT_DIALECT_PG_CHANGES_H
#define GODWIT_DIALECT_PG_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "catalog/change.h"
#include "common/arena.h"
#include "common/lsn.h"
#include "common/timeutil.h"
#include "dialect/pg/pgoutput.h"

/* The pgoutput protocol versions pg_stream.c requests: 2 with streaming of
 * in-progress transactions from PostgreSQL 14 on (the stream blocks are
 * spooled and replayed by pg_stream.c, this module sees them as ordinary
 * transactions), 1 before.  pg_changes_init starts at 1. */
#define PG_CHANGES_PROTO_VERSION 1
#define PG_CHANGES_PROTO_STREAMING 2

typedef struct RelEntry RelEntry;

/* Open-addressing map relid -> RelEntry (owned). */
typedef struct RelMap
{
	RelEntry  **slots;
	int			cap;			/* power of two */
	int			n;
} RelMap;

typedef struct PgChanges
{
	Catalog    *cat;			/* borrowed; outlives this */
	char	   *slot;			/* for messages */
	int			max_changes;	/* per chunk */
	int64_t		max_bytes;		/* per chunk (a single change may exceed it) */
	Lsn			start_lsn;		/* transactions ending at or before it are dropped */
	char	   *resume_txn_id;	/* checkpoint inside this transaction ... */
	int64_t		resume_applied; /* ... after this many changes; cleared once seen */

	PgoDecodeOptions dopt;
	Arena		msg_arena;		/* arrays of the message being processed */
	RelMap		rels;

	/* the transaction being received */
	bool		in_txn;
	bool		txn_drop;		/* ends before start_lsn: drop it whole */
	Lsn			txn_final_lsn;	/* commit LSN, from BEGIN */
	int64_t		txn_commit_us;	/* Unix epoch */
	int64_t		txn_index;		/* changes of this transaction seen so far */
	int64_t		txn_skip_prefix;	/* changes below this index were applied */
	Lsn			last_end;		/* end LSN of the last complete transaction, or the
								 * start, or a progress position (pg_stream.c) */
} PgChanges;

typedef enum PgChangesOutcome
{
	PGCH_CONSUMED,				/* go on with the next message */
	PGCH_BATCH_FULL,			/* not consumed: hand out the batch (a chunk, already
								 * labelled), feed the same message again next */
	PGCH_TXN_DONE,				/* a COMMIT completed the batch (is_last) */
	PGCH_FAILED,				/* logged; stop */
} PgChangesOutcome;

/*
 * pg_changes_init
 *		Start assembling after start_lsn.  resume_txn_id (may be NULL) and
 *		resume_applied name a checkpoint inside a transaction.  Strings are
 *		copied; cat is borrowed.  Free with pg_changes_free.
 */
void		pg_changes_init(PgChanges *pc, Catalog *cat, const char *slot, Lsn start_lsn,
							const char *resume_txn_id, int64_t resume_applied,
							int max_changes, int64_t max_bytes);

/*
 * pg_changes_feed
 *		Process one pgoutput message (lsn: its XLogData dataStart) into b, which
 *		the caller resets before the first message of each batch.  Values are
 *		copied into b's arena; msg may be freed after the call.
 */
PgChangesOutcome pg_changes_feed(PgChanges *pc, const uint8_t *msg, size_t len, Lsn lsn,
								 ChangeBatch *b);

/* Label b as a chunk that is not the last of its transaction (e.g. on a timeout). */
void		pg_changes_cut(PgChanges *pc, ChangeBatch *b);

void		pg_changes_free(PgChanges *pc);

/*
 * A PostgreSQL timestamp (us since 2000-01-01, from the wire) as Unix epoch
 * microseconds, saturating instead of overflowing on absurd values.
 */
static inline int64_t
pg_changes_unix_time(int64_t pg_us)
{
	if (pg_us > INT64_MAX - PG_EPOCH_OFFSET_US)
		return INT64_MAX;
	return pg_us + PG_EPOCH_OFFSET_US;
}

#endif
