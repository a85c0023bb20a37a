/*
 * src/dialect/pg/pg_streamed.c
 *	  Streamed in-progress transactions: spooled until they commit, then
 *	  replayed through pg_changes.c (see pg_streamed.h).
 */
#include "dialect/pg/pg_streamed.h"

#include <string.h>

#include "common/log.h"
#include "common/lsn.h"

void
pg_streamed_init(PgStreamed *st)
{
	memset(st, 0, sizeof(*st));
	st->spool = pg_spool_new();
}

void
pg_streamed_free(PgStreamed *st)
{
	pg_spool_free(st->spool);
	memset(st, 0, sizeof(*st));
}

bool
pg_streamed_takes(const PgStreamed *st, const PgChanges *pc, const uint8_t *msg, size_t len)
{
	if (pc->dopt.proto_version < 2 || len == 0)
		return false;
	return st->in_stream || msg[0] == 'S' || msg[0] == 'E' || msg[0] == 'c' || msg[0] == 'A';
}

bool
pg_streamed_feed(PgStreamed *st, PgChanges *pc, const uint8_t *msg, size_t len, Lsn lsn)
{
	PgoMsg		m;
	PgoError	err;

	arena_reset(&pc->msg_arena);
	pc->dopt.in_stream = st->in_stream;
	if (!pgoutput_decode_message(msg, len, &pc->dopt, &pc->msg_arena, &m, &err))
	{
		pc->dopt.in_stream = false;
		log_error("could not decode streamed pgoutput message '%c' at %X/%X from slot \"%s\": %s",
				  len && msg[0] >= 0x20 && msg[0] < 0x7f ? msg[0] : '?', LSN_ARGS(lsn), pc->slot,
				  pgoutput_error_text(err.code));
		return false;
	}
	pc->dopt.in_stream = false;
	switch (m.type)
	{
		case PGO_MSG_STREAM_START:
			if (st->in_stream || pc->in_txn)
				break;
			st->in_stream = true;
			st->stream_xid = m.u.stream_start.xid;
			return true;
		case PGO_MSG_STREAM_STOP:
			if (!st->in_stream)
				break;
			st->in_stream = false;
			return true;
		case PGO_MSG_STREAM_ABORT:
			if (st->in_stream)
				break;
			log_debug("streamed %stransaction %u aborted", m.u.stream_abort.xid == m.u.stream_abort.subxid ? "" : "sub",
					  m.u.stream_abort.subxid);
			return pg_spool_abort(st->spool, m.u.stream_abort.xid, m.u.stream_abort.subxid);
		case PGO_MSG_STREAM_COMMIT:
			if (st->in_stream || pc->in_txn)
				break;
			if (!pg_spool_replay_begin(st->spool, m.u.stream_commit.xid))
				return false;
			log_debug("streamed transaction %u committed at %X/%X: replaying it from the spool",
					  m.u.stream_commit.xid, LSN_ARGS(m.u.stream_commit.commit_lsn));
			st->replay_commit = m.u.stream_commit;
			st->replay = REPLAY_BEGIN;
			return true;
		default:
			if (!st->in_stream)
				break;
			/* the block's messages, as received: replayed with in_stream decoding */
			return pg_spool_append(st->spool, st->stream_xid, m.stream_xid ? m.stream_xid : st->stream_xid,
								   msg, len, lsn);
	}
	log_error("unexpected pgoutput message '%c' at %X/%X from slot \"%s\"%s", (char) m.type, LSN_ARGS(lsn),
			  pc->slot, st->in_stream ? " inside a stream block" : "");
	return false;
}

/* One step: the BEGIN, one spooled message, or the COMMIT. */
PgChangesOutcome
pg_streamed_replay(PgStreamed *st, PgChanges *pc, ChangeBatch *b)
{
	const PgoStreamCommit *sc = &st->replay_commit;
	uint8_t		msg[PGO_COMMIT_LEN];
	PgChangesOutcome o;

	switch (st->replay)
	{
		case REPLAY_BEGIN:
			o = pg_changes_feed(pc, msg, pgoutput_encode_begin(msg, sc->commit_lsn, sc->commit_time, sc->xid),
								sc->commit_lsn, b);
			if (o == PGCH_CONSUMED)
				st->replay = REPLAY_MESSAGES;
			return o;
		case REPLAY_MESSAGES:
			if (st->replay_msg == NULL)
			{
				int			r = pg_spool_replay_next(st->spool, &st->replay_msg, &st->replay_len,
													 &st->replay_lsn);

				if (r < 0)
					return PGCH_FAILED;
				if (r == 0)
				{
					st->replay_msg = NULL;
					st->replay = REPLAY_COMMIT;
					return PGCH_CONSUMED;
				}
			}
			pc->dopt.in_stream = true;
			o = pg_changes_feed(pc, st->replay_msg, st->replay_len, st->replay_lsn, b);
			pc->dopt.in_stream = false;
			if (o != PGCH_BATCH_FULL)
				st->replay_msg = NULL;
			if (o == PGCH_TXN_DONE)
			{
				log_error("a spooled transaction of slot \"%s\" holds a COMMIT", pc->slot);
				return PGCH_FAILED;
			}
			return o;
		case REPLAY_COMMIT:
			o = pg_changes_feed(pc, msg, pgoutput_encode_commit(msg, sc->commit_lsn, sc->end_lsn, sc->commit_time),
								sc->commit_lsn, b);
			if (o == PGCH_TXN_DONE || o == PGCH_CONSUMED)
			{
				pg_spool_replay_end(st->spool);
				st->replay = REPLAY_NONE;
			}
			return o;
		case REPLAY_NONE:
			break;
	}
	return PGCH_CONSUMED;
}

