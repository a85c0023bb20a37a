/*
 * src/dialect/pg/pg_stream.c
 *	  Change data capture from PostgreSQL: a pgoutput logical replication
 *	  stream turned into godwit ChangeBatches (SourceOps.stream_*).
 *
 * How it works
 * ------------
 * stream_open connects a walsender (replication=database), checks that the
 * slot and the publication exist, and sends
 *
 *     START_REPLICATION SLOT "slot" LOGICAL X/Y
 *         ("proto_version" '1', "publication_names" '"pub"')
 *
 * (protocol 2 and "streaming" 'on' from PostgreSQL 14; 1 before).  The server
 * sends each transaction once it has committed, whole, in commit order:
 * BEGIN, RELATION (the first time a table appears in the session, and again
 * after DDL), row changes, COMMIT.  With streaming, a transaction whose
 * changes outgrow the source's logical_decoding_work_mem is instead sent
 * while it runs, in blocks (Stream Start, its messages, Stream Stop)
 * interleaved with other transactions, then Stream Commit or Stream Abort.
 * The blocks go to a local spool file instead of being spilled on the
 * source; at Stream Commit the spooled messages are fed to pg_changes.c
 * between a BEGIN and a COMMIT made from the Stream Commit (pg_streamed.c),
 * so from there on a streamed transaction is an ordinary one, at its commit
 * position (chunks, checkpoints inside it and the resume prefix included).
 *
 * stream_next is the pg_recvlogical loop (reference/c-codebases.md §6b): one
 * function owns the socket; async PQgetCopyData, and when nothing is buffered
 * poll() until the earlier of the caller's deadline and the next status
 * update.  Keepalives are answered when the server asks; a standby status
 * update goes out every 10 s, at once when the confirmed position moves, and
 * on request.  The position it reports (write = flush = apply) is only ever
 * what the caller confirmed with stream_confirm after committing on the
 * target, so the slot never releases WAL for a change that is not durably
 * applied.
 *
 * Progress batches.  An idle slot must not pin WAL that only unrelated
 * tables wrote, and the caller must be able to see that it has caught up
 * with the source's current WAL position.  So when a keepalive received
 * between transactions reports a WAL end past the last position handed out,
 * and no batch has gone out for 20 ms, the stream hands out an empty
 * batch: is_last, no changes, txn_id "", position = that WAL end,
 * commit_time_us = the keepalive's server time.  It is safe to resume from:
 * the walsender sends a keepalive's WAL end only once every transaction that
 * committed before it has been sent (PostgreSQL's own subscriber reports
 * the same position when it has nothing pending).  The caller applies it like
 * any batch (a checkpoint, no rows) and confirms it.
 *
 * Batches.  A transaction arrives as one ChangeBatch, or, when bigger than
 * max_batch_changes / max_batch_bytes, as several chunks: the message that
 * would overflow a chunk stays pending and starts the next one, so memory is
 * one chunk plus one message whatever the transaction's size.  Every chunk
 * carries txn_id (the commit LSN, from BEGIN) and first_index; only the last
 * (is_last) carries the commit's end LSN as its position.  A chunk that is
 * not the last carries as position the resume point *before* the
 * transaction, so a checkpoint (position, txn_id, applied) taken after it
 * restarts the stream in front of the transaction, and stream_open skips the
 * first `applied` changes of that transaction when the server re-sends it.
 * Changes are indexed in stream order counting only those handed out (tables
 * in the catalog).  A transaction that touched only tables outside the
 * catalog still yields an empty last batch, so the position moves on.
 * Transactions that end at or before the start position (the slot may lag
 * our checkpoint) are dropped whole.
 *
 * Messages become batches in pg_changes.c (relations mapped to catalog
 * tables and checked against them, tuples to Datums); this file owns the
 * connection, the loop and the positions.
 *
 * Errors: a decode error, an unexpected message, a schema mismatch, or a lost
 * connection (pg_terminate_backend, server shutdown or restart, network; also
 * a COPY the server ends on its own) is logged once, where it is found (here
 * or in pg_changes.c), and returned as STREAM_ERROR; the stream is then
 * broken and the
 * caller closes it and reopens from its checkpoint.  Nothing is lost: the
 * slot only advanced to what was confirmed.  What a reconnect cannot cure
 * (bad data, a protocol violation, a schema change) is STREAM_FATAL instead.
 * STREAM_END means only that a stop was requested (SIGINT/SIGTERM,
 * common/signals.h) between batches.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/lsn.h"
#include "common/mem.h"
#include "common/signals.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "dialect/pg/pg_changes.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/pg/pg_source.h"
#include "dialect/pg/pg_streamed.h"
#include "dialect/pg/pg_stream.h"
#include "dialect/pg/pgoutput.h"

#define STATUS_INTERVAL_US		(10 * INT64_C(1000000))
#define PROGRESS_IDLE_US		INT64_C(20000)	/* a cutover waits for this one */
#define CLOSE_DRAIN_US			(5 * INT64_C(1000000))
#define DEFAULT_BATCH_CHANGES	10000
#define DEFAULT_BATCH_BYTES		(INT64_C(64) << 20)
/* PostgreSQL's field limit is 1 GB; a row message may carry a few of them
 * only if the server itself could build it, which it cannot past 1 GB. */
#define MAX_MESSAGE_BYTES		((1 << 30) + (1 << 20))

typedef struct PgStream
{
	PgConn		conn;			/* replication=database walsender connection */
	char	   *slot;
	char	   *publication;
	PgChanges	changes;		/* messages -> batches (pg_changes.c) */

	/* a 'w' message read but not yet consumed (it starts the next chunk) */
	char	   *pending;		/* from PQgetCopyData; PQfreemem */
	size_t		pending_off;	/* where the pgoutput message starts */
	size_t		pending_len;
	Lsn			pending_lsn;

	/* positions for status updates */
	_Atomic uint64_t confirmed; /* from stream_confirm (any thread) */
	Lsn			reported;		/* flush position last sent */
	int64_t		next_status_us; /* monotonic deadline of the periodic update */

	/* progress batches (see the header comment) */
	Lsn			keepalive_end;	/* WAL end of a keepalive seen between transactions */
	int64_t		keepalive_time_us;	/* its server send time, Unix epoch */
	int64_t		last_batch_us;	/* monotonic time the last batch was handed out */

	PgStreamed	streamed;		/* in-progress transactions (protocol 2; pg_streamed.h) */

	bool		broken;			/* failed (logged); only close is valid */
} PgStream;

/* ------------------------------------------------------------ helpers */

static void
fmt_lsn(Lsn l, char *buf, size_t len)
{
	lsn_format(l, buf, (int) len);
}

/*
 * Mark the stream broken after a failure that was just logged and that a
 * reconnect cannot cure (bad data, a protocol violation, a schema change).
 */
static StreamResult
stream_fatal(PgStream *ps)
{
	ps->broken = true;
	err_set_kind(ERR_SOURCE);	/* a schema mismatch has already set ERR_SCHEMA */
	return STREAM_FATAL;
}

/*
 * stream_lost
 *		Log (once) that the connection or the COPY failed, with the server's
 *		message, and break the stream.
 */
static StreamResult
stream_lost(PgStream *ps, const PGresult *res, const char *what)
{
	char		at[LSN_STRLEN];

	pg_note_error(&ps->conn, res);
	fmt_lsn(ps->changes.last_end, at, sizeof(at));
	err_set_kind(ERR_SOURCE);
	log_error_dh(ps->conn.last_error,
				 "every change after the last confirmed position is kept by the slot: reconnect to resume",
				 "replication stream from slot \"%s\" %s after %s%s%s%s", ps->slot, what, at,
				 ps->conn.sqlstate[0] ? " (SQLSTATE " : "", ps->conn.sqlstate,
				 ps->conn.sqlstate[0] ? ")" : "");
	ps->broken = true;
	return STREAM_ERROR;
}

/* ------------------------------------------------------------ status */

/*
 * send_status
 *		Send a standby status update if forced, if the confirmed position
 *		moved, or if the periodic interval is up.  write = flush = apply =
 *		the last position confirmed by stream_confirm, nothing else.  False on
 *		a connection failure (logged, stream broken).
 */
static bool
send_status(PgStream *ps, bool force)
{
	uint8_t		msg[PGO_STATUS_LEN];
	Lsn			flush = atomic_load(&ps->confirmed);
	int64_t		now = time_mono_us();

	if (!force && flush == ps->reported && now < ps->next_status_us)
		return true;
	pgoutput_encode_status(msg, flush, flush, flush, time_now_us() - PG_EPOCH_OFFSET_US, false);
	if (PQputCopyData(ps->conn.conn, (const char *) msg, PGO_STATUS_LEN) <= 0 ||
		PQflush(ps->conn.conn) != 0)
	{
		stream_lost(ps, NULL, "could not send a status update");
		return false;
	}
	if (log_enabled(LOG_DEBUG) && flush != ps->reported)
		log_debug("replication slot \"%s\": confirmed flush position %X/%X", ps->slot, LSN_ARGS(flush));
	ps->reported = flush;
	ps->next_status_us = now + STATUS_INTERVAL_US;
	return true;
}

/* ------------------------------------------------------------ progress */

/*
 * When a progress batch is due: a keepalive seen between transactions told
 * of WAL past the last position handed out, nothing is in flight, and no
 * batch went out for PROGRESS_IDLE_US.  Returns the monotonic time it is due,
 * or 0 if none is pending.
 */
static int64_t
progress_due(const PgStream *ps)
{
	if (ps->keepalive_end <= ps->changes.last_end || ps->changes.in_txn || ps->pending != NULL)
		return 0;
	return ps->last_batch_us + PROGRESS_IDLE_US;
}

/* Fill b (empty) as a progress batch at the keepalive's WAL end. */
static void
progress_batch(PgStream *ps, ChangeBatch *b)
{
	fmt_lsn(ps->keepalive_end, b->txn.position, sizeof(b->txn.position));
	b->txn.txn_id[0] = '\0';
	b->txn.lsn = ps->keepalive_end;
	b->txn.commit_time_us = ps->keepalive_time_us;
	b->first_index = 0;
	b->is_last = true;
	ps->changes.last_end = ps->keepalive_end;
	log_debug("replication slot \"%s\": progress to %X/%X (no change for the migration in between)",
			  ps->slot, LSN_ARGS(ps->keepalive_end));
}

/* ------------------------------------------------------------ the loop */

/* The server ended the COPY: a clean end or an error (terminated walsender). */
static StreamResult
handle_copy_end(PgStream *ps)
{
	PGresult   *res = PQgetResult(ps->conn.conn);
	StreamResult r;

	/*
	 * We never ask the server to end the COPY while streaming, so even a clean
	 * end (a walsender stopping for a server shutdown) is an interruption the
	 * caller reconnects from, not the end of replication.
	 */
	r = stream_lost(ps, res, PQresultStatus(res) == PGRES_COMMAND_OK
					? "was ended by the server" : "was interrupted");
	PQclear(res);
	while ((res = PQgetResult(ps->conn.conn)) != NULL)
		PQclear(res);
	return r;
}

/*
 * pg_stream_next
 *		Reset b and fill it with the next chunk of the stream (see the header
 *		comment), waiting up to timeout_ms.  Blocks in poll() only.
 *
 * STREAM_BATCH: b holds a chunk (possibly empty with is_last: a transaction
 * with no change for the migration, or a progress batch), valid until the
 * next call.  STREAM_IDLE: nothing within the timeout.  STREAM_END: a stop
 * was requested.  STREAM_ERROR: the connection was lost (logged); close and
 * reopen from the checkpoint.  STREAM_FATAL: bad data, a protocol violation
 * or a schema change (logged); reopening would fail the same way.
 */
StreamResult
pg_stream_next(ReplStream *rs, ChangeBatch *b, int timeout_ms)
{
	PgStream   *ps = (PgStream *) rs;
	int64_t		deadline = time_mono_us() + (int64_t) (timeout_ms > 0 ? timeout_ms : 0) * 1000;

	change_batch_reset(b);
	if (ps->broken)
	{
		log_error("replication stream from slot \"%s\" is closed after an error", ps->slot);
		return STREAM_ERROR;
	}

	for (;;)
	{
		if (!send_status(ps, false))
			return STREAM_ERROR;

		if (pg_streamed_replaying(&ps->streamed))
		{
			PgChangesOutcome ro = pg_streamed_replay(&ps->streamed, &ps->changes, b);

			if (ro == PGCH_FAILED)
				return stream_fatal(ps);
			if (ro == PGCH_BATCH_FULL || ro == PGCH_TXN_DONE)
			{
				ps->last_batch_us = time_mono_us();
				return STREAM_BATCH;
			}
			continue;
		}

		if (ps->pending == NULL)
		{
			char	   *buf = NULL;
			int			r = PQgetCopyData(ps->conn.conn, &buf, 1);

			if (r == 0)
			{
				int64_t		now = time_mono_us();
				int64_t		until;
				struct pollfd pfd;
				int			pr;

				int64_t		progress = progress_due(ps);

				if (b->nchanges == 0 && signals_should_stop())
					return STREAM_END;
				if (b->nchanges == 0 && progress != 0 && now >= progress)
				{
					progress_batch(ps, b);
					ps->last_batch_us = now;
					return STREAM_BATCH;
				}
				if (now >= deadline)
				{
					if (b->nchanges == 0)
						return STREAM_IDLE;
					pg_changes_cut(&ps->changes, b);
					ps->last_batch_us = now;
					return STREAM_BATCH;
				}
				until = deadline < ps->next_status_us ? deadline : ps->next_status_us;
				if (b->nchanges == 0 && progress != 0 && progress < until)
					until = progress;
				pfd.fd = PQsocket(ps->conn.conn);
				pfd.events = POLLIN;
				pfd.revents = 0;
				pr = poll(&pfd, 1, until > now ? (int) ((until - now + 999) / 1000) : 0);
				if (pr < 0 && errno != EINTR)
				{
					log_error("could not wait for the replication stream from slot \"%s\": %s",
							  ps->slot, strerror(errno));
					ps->broken = true;
					err_set_kind(ERR_SOURCE);
					return STREAM_ERROR;
				}
				if (pr > 0 && !PQconsumeInput(ps->conn.conn))
					return stream_lost(ps, NULL, "was interrupted");
				continue;
			}
			if (r == -1)
				return handle_copy_end(ps);
			if (r < -1)
				return stream_lost(ps, NULL, "was interrupted");
			if (r > MAX_MESSAGE_BYTES)
			{
				PQfreemem(buf);
				log_error("replication message of %d bytes from slot \"%s\" exceeds the %d byte cap",
						  r, ps->slot, MAX_MESSAGE_BYTES);
				return stream_fatal(ps);
			}

			PgoFrame	f;
			PgoError	err;

			if (!pgoutput_decode_frame((const uint8_t *) buf, (size_t) r, &f, &err))
			{
				log_error("could not decode replication message of %d bytes (type 0x%02x) after %X/%X: %s",
						  r, (unsigned char) buf[0], LSN_ARGS(ps->changes.last_end), pgoutput_error_text(err.code));
				PQfreemem(buf);
				return stream_fatal(ps);
			}
			if (f.type == PGO_FRAME_KEEPALIVE)
			{
				PQfreemem(buf);

				/*
				 * Between transactions, every transaction committed before
				 * wal_end has been sent to us: wal_end is a safe resume point.
				 */
				if (!ps->changes.in_txn && b->nchanges == 0 && f.wal_end > ps->keepalive_end)
				{
					ps->keepalive_end = f.wal_end;
					ps->keepalive_time_us = pg_changes_unix_time(f.send_time);
				}
				if (f.reply_requested && !send_status(ps, true))
					return STREAM_ERROR;
				continue;
			}
			ps->pending = buf;
			ps->pending_off = (size_t) (f.payload - (const uint8_t *) buf);
			ps->pending_len = (size_t) r;
			ps->pending_lsn = f.data_start;

			/* stream blocks and their ends never go to pg_changes directly */
			const uint8_t *msg = (const uint8_t *) buf + ps->pending_off;
			size_t		mlen = ps->pending_len - ps->pending_off;

			if (pg_streamed_takes(&ps->streamed, &ps->changes, msg, mlen))
			{
				bool		ok = pg_streamed_feed(&ps->streamed, &ps->changes, msg, mlen, ps->pending_lsn);

				PQfreemem(ps->pending);
				ps->pending = NULL;
				if (!ok)
					return stream_fatal(ps);
				continue;
			}
		}

		PgChangesOutcome o = pg_changes_feed(&ps->changes,
											 (const uint8_t *) ps->pending + ps->pending_off,
											 ps->pending_len - ps->pending_off, ps->pending_lsn, b);

		if (o == PGCH_FAILED)
			return stream_fatal(ps);
		if (o == PGCH_BATCH_FULL)
		{
			ps->last_batch_us = time_mono_us();
			return STREAM_BATCH;	/* labelled as a chunk by pg_changes_feed */
		}
		PQfreemem(ps->pending);
		ps->pending = NULL;
		if (o == PGCH_TXN_DONE)
		{
			ps->last_batch_us = time_mono_us();
			return STREAM_BATCH;
		}
	}
}

/*
 * pg_stream_confirm
 *		Record that everything up to position (a batch's txn.position) is
 *		durably applied.  Thread-safe and non-blocking: the stream's own loop
 *		sends it to the server (at its next iteration, or at close).  Positions
 *		only move forward.  False on an unparsable position (logged).
 */
bool
pg_stream_confirm(ReplStream *rs, const char *position)
{
	PgStream   *ps = (PgStream *) rs;
	Lsn			l;
	uint64_t	cur;

	if (position == NULL || !lsn_parse(position, &l))
	{
		log_error("invalid replication position \"%s\" (expected an LSN such as 16/B374D848)",
				  position ? position : "");
		return false;
	}
	cur = atomic_load(&ps->confirmed);
	while (l > cur && !atomic_compare_exchange_weak(&ps->confirmed, &cur, l))
		;
	return true;
}

/* ------------------------------------------------------------ open / close */

/*
 * check_slot
 *		The slot must exist in this database as a pgoutput logical slot and the
 *		publication must exist.  OUT: *confirmed_flush (left alone when the slot
 *		has none).  False if it cannot be used (logged).
 */
static bool
check_slot(PgStream *ps, Lsn *confirmed_flush)
{
	StrBuf		sql;
	PGresult   *res;
	bool		ok = false;

	sb_init(&sql, 0);
	sb_append(&sql, "SELECT plugin, slot_type, coalesce(confirmed_flush_lsn::text, ''), "
			  "  database = pg_catalog.current_database(), "
			  "  (SELECT count(*) FROM pg_catalog.pg_publication WHERE pubname = ");
	sb_append_literal(&sql, ps->publication);
	sb_append(&sql, ") FROM pg_catalog.pg_replication_slots WHERE slot_name = ");
	sb_append_literal(&sql, ps->slot);
	res = pg_query(&ps->conn, sql.data, 0, NULL);
	sb_free(&sql);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1)
		log_error_dh(NULL, "create it (godwit fetch does, with the snapshot the copy uses) or check the slot name",
					 "replication slot \"%s\" does not exist", ps->slot);
	else if (strcmp(PQgetvalue(res, 0, 1), "logical") != 0 || strcmp(PQgetvalue(res, 0, 0), "pgoutput") != 0)
		log_error("replication slot \"%s\" is not a logical slot of plugin pgoutput (it is %s, %s)",
				  ps->slot, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
	else if (strcmp(PQgetvalue(res, 0, 3), "t") != 0)
		log_error("replication slot \"%s\" belongs to another database", ps->slot);
	else if (strcmp(PQgetvalue(res, 0, 4), "0") == 0)
		log_error_dh(NULL, "CREATE PUBLICATION ... FOR TABLE ... on the source, or check the publication name",
					 "publication \"%s\" does not exist", ps->publication);
	else if (PQgetvalue(res, 0, 2)[0] && !lsn_parse(PQgetvalue(res, 0, 2), confirmed_flush))
		log_error("replication slot \"%s\": unreadable confirmed_flush_lsn \"%s\"", ps->slot,
				  PQgetvalue(res, 0, 2));
	else
		ok = true;
	/* a slot or publication that is missing or wrong stays so: not retried */
	if (!ok)
		err_set_kind(ERR_STATE);
	PQclear(res);
	return ok;
}

/*
 * pg_stream_open
 *		Connect a walsender and start streaming from the slot after
 *		start->position (or the slot's confirmed position, whichever is later).
 *		Strings of start are copied; cat is borrowed and must outlive the stream.
 *
 * Returns the stream (free with pg_stream_close) or NULL on error (logged).
 */
ReplStream *
pg_stream_open(Source *src, const StreamStart *start, Catalog *cat)
{
	PgStream   *ps;
	Lsn			requested = 0,
				slot_flush = 0,
				start_lsn;
	StrBuf		cmd,
				pubs;
	PGresult   *res;
	char		at[LSN_STRLEN];

	if (start->slot_name == NULL || start->slot_name[0] == '\0' ||
		start->publication == NULL || start->publication[0] == '\0')
	{
		err_set_kind(ERR_ARGS);
		log_error("replication from PostgreSQL needs a slot name and a publication");
		return NULL;
	}
	if (start->position && start->position[0] && !lsn_parse(start->position, &requested))
	{
		err_set_kind(ERR_STATE);
		log_error("invalid start position \"%s\" for PostgreSQL (expected an LSN such as 16/B374D848)",
				  start->position);
		return NULL;
	}

	ps = gw_new(PgStream);
	pg_streamed_init(&ps->streamed);
	ps->slot = gw_strdup(start->slot_name);
	ps->publication = gw_strdup(start->publication);

	if (!pg_connect(&ps->conn, src->url, ROLE_SOURCE, true))
		goto fail;
	if (!check_slot(ps, &slot_flush))
		goto fail;

	/* the server starts at the later of the two; we drop what ends before */
	start_lsn = requested > slot_flush ? requested : slot_flush;
	pg_changes_init(&ps->changes, cat, ps->slot, start_lsn, start->txn_id, start->txn_applied,
					start->max_batch_changes > 0 ? start->max_batch_changes : DEFAULT_BATCH_CHANGES,
					start->max_batch_bytes > 0 ? start->max_batch_bytes : DEFAULT_BATCH_BYTES);
	atomic_store(&ps->confirmed, start_lsn);
	fmt_lsn(start_lsn, at, sizeof(at));

	/* publication_names is a list of identifiers, inside a literal */
	sb_init(&pubs, 0);
	sb_append_ident(&pubs, ps->publication);
	sb_init(&cmd, 0);
	sb_append(&cmd, "START_REPLICATION SLOT ");
	sb_append_ident(&cmd, ps->slot);
	int			proto = PQserverVersion(ps->conn.conn) >= 140000 ? PG_CHANGES_PROTO_STREAMING
		: PG_CHANGES_PROTO_VERSION;

	ps->changes.dopt.proto_version = proto;
	sb_appendf(&cmd, " LOGICAL %s (\"proto_version\" '%d', \"publication_names\" ", at, proto);
	sb_append_literal(&cmd, pubs.data);
	if (proto >= PG_CHANGES_PROTO_STREAMING)
		sb_append(&cmd, ", \"streaming\" 'on'");
	sb_append(&cmd, ")");
	sb_free(&pubs);
	log_debug("%s", cmd.data);
	res = PQexec(ps->conn.conn, cmd.data);
	sb_free(&cmd);
	if (PQresultStatus(res) != PGRES_COPY_BOTH)
	{
		pg_note_error(&ps->conn, res);
		PQclear(res);
		err_set_kind(ERR_SOURCE);
		log_error_dh(ps->conn.last_error,
					 strcmp(ps->conn.sqlstate, "55006") == 0
					 ? "another replication client is using the slot: stop it, or wait for it to disconnect" : NULL,
					 "could not start replication from slot \"%s\" at %s", ps->slot, at);
		goto fail;
	}
	PQclear(res);
	ps->next_status_us = time_mono_us() + STATUS_INTERVAL_US;
	ps->last_batch_us = time_mono_us();
	log_info("replicating from slot \"%s\" (publication \"%s\") after %s", ps->slot, ps->publication, at);
	/* report the start position at once: the slot may lag our checkpoint */
	if (!send_status(ps, true))
		goto fail;
	return (ReplStream *) ps;

fail:
	pg_stream_close((ReplStream *) ps);
	return NULL;
}

/*
 * pg_stream_close
 *		Stop cleanly when the stream is healthy (a last status update with the
 *		confirmed position, CopyDone, drain up to 5 s, expect CommandComplete),
 *		then disconnect and free everything.  Accepts NULL.
 */
void
pg_stream_close(ReplStream *rs)
{
	PgStream   *ps = (PgStream *) rs;

	if (ps == NULL)
		return;
	if (ps->conn.conn && !ps->broken && PQstatus(ps->conn.conn) == CONNECTION_OK &&
		PQtransactionStatus(ps->conn.conn) == PQTRANS_ACTIVE)
	{
		/* clean stop: last status, CopyDone, drain until the server's CopyDone */
		int64_t		deadline = time_mono_us() + CLOSE_DRAIN_US;
		bool		clean = send_status(ps, true) &&
			PQputCopyEnd(ps->conn.conn, NULL) > 0 && PQflush(ps->conn.conn) == 0;

		while (clean)
		{
			char	   *buf = NULL;
			int			r = PQgetCopyData(ps->conn.conn, &buf, 1);

			if (buf)
				PQfreemem(buf);
			if (r > 0)
				continue;
			if (r < 0)
				break;
			int64_t		now = time_mono_us();
			struct pollfd pfd = {.fd = PQsocket(ps->conn.conn), .events = POLLIN};

			if (now >= deadline ||
				(poll(&pfd, 1, (int) ((deadline - now) / 1000) + 1) > 0 && !PQconsumeInput(ps->conn.conn)))
				clean = false;
		}
		if (clean)
		{
			PGresult   *res;
			bool		done_ok = false;

			while ((res = PQgetResult(ps->conn.conn)) != NULL)
			{
				if (PQresultStatus(res) == PGRES_COMMAND_OK)
					done_ok = true;
				PQclear(res);
			}
			clean = done_ok;
		}
		if (!clean)
			log_warn("replication stream from slot \"%s\" did not stop cleanly", ps->slot);
		else
			log_debug("replication stream from slot \"%s\" stopped at %X/%X", ps->slot,
					  LSN_ARGS(ps->reported));
	}
	if (ps->pending)
		PQfreemem(ps->pending);
	pg_disconnect(&ps->conn);
	pg_changes_free(&ps->changes);
	pg_streamed_free(&ps->streamed);
	free(ps->slot);
	free(ps->publication);
	free(ps);
}
