/*
 * src/dialect/pg/pg_streamed.h
 *	  Private to the PostgreSQL driver: transactions PostgreSQL streams while
 *	  they run (pgoutput protocol 2, streaming on), held in a spool until
 *	  they commit, then fed to pg_changes.c as ordinary transactions.
 *
 * pg_stream.c hands every message to pg_streamed_takes first: the messages
 * of a stream block (between Stream Start and Stream Stop) and Stream
 * Start, Stop, Commit and Abort belong here (pg_streamed_feed); a block's
 * messages are appended to its transaction's spool file (pg_spool.h), an
 * abort drops them (a subtransaction's: it and the later ones), and a
 * Stream Commit starts a replay.  While pg_streamed_replaying, the caller
 * calls pg_streamed_replay instead of reading the network: it feeds
 * pg_changes a BEGIN made from the Stream Commit, the spooled messages (in
 * stream decoding, their Int32 xid skipped) and a COMMIT, one step per
 * call, with pg_changes_feed's outcomes (a full batch re-feeds the same
 * message on the next call).  No network I/O: unit-tested with built
 * messages.
 */
#ifndef GODWIT_DIALECT_PG_STREAMED_H
#define GODWIT_DIALECT_PG_STREAMED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/change.h"
#include "dialect/pg/pg_changes.h"
#include "dialect/pg/pg_spool.h"
#include "dialect/pg/pgoutput.h"

typedef enum ReplayPhase
{
	REPLAY_NONE,
	REPLAY_BEGIN,				/* feed the BEGIN made from the Stream Commit */
	REPLAY_MESSAGES,			/* feed the spooled messages */
	REPLAY_COMMIT,				/* feed the COMMIT */
} ReplayPhase;

typedef struct PgStreamed
{
	PgSpool    *spool;
	bool		in_stream;		/* between Stream Start and Stream Stop */
	uint32_t	stream_xid;		/* the top-level transaction of that block */
	ReplayPhase replay;			/* feeding a committed streamed transaction */
	PgoStreamCommit replay_commit;
	const uint8_t *replay_msg;	/* a spooled message not consumed yet (batch full) */
	size_t		replay_len;
	Lsn			replay_lsn;
} PgStreamed;

void		pg_streamed_init(PgStreamed *st);
void		pg_streamed_free(PgStreamed *st);	/* removes the spool */

/* Whether msg is for pg_streamed_feed rather than pg_changes_feed. */
bool		pg_streamed_takes(const PgStreamed *st, const PgChanges *pc, const uint8_t *msg, size_t len);

/*
 * Consume a message pg_streamed_takes claimed.  False on a protocol
 * violation or a spool failure (logged; the stream must stop).
 */
bool		pg_streamed_feed(PgStreamed *st, PgChanges *pc, const uint8_t *msg, size_t len, Lsn lsn);

static inline bool
pg_streamed_replaying(const PgStreamed *st)
{
	return st->replay != REPLAY_NONE;
}

/* The next step of the replay into b; pg_changes_feed's outcomes. */
PgChangesOutcome pg_streamed_replay(PgStreamed *st, PgChanges *pc, ChangeBatch *b);

#endif
