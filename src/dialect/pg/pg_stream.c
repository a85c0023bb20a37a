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
 * Protocol 1 cannot stream in-progress transactions (streaming needs 2+), so
 * the server sends each transaction only once it has committed, whole, in
 * commit order: BEGIN, RELATION (the first time a table appears in the
 * session, and again after DDL), row changes, COMMIT.
 *
 * stream_next is the pg_recvlogical loop (reference/c-codebases.md §6b): one
 * function owns the socket; async PQgetCopyData, and when nothing is buffered
 * poll() until the earlier of the caller's deadline and the next status
 * update.  Keepalives are answered when the server asks; a standby status
 * update goes out every 10 s, at once when the confirmed position moves, and
 * on request.  The position it reports (write = flush = apply) is only ever
 * what the caller confirmed with stream_confirm after committing on the
 * target, so the slot never releases WAL for a change that is not durably
 * applied.  One refinement, as PostgreSQL's own subscriber does: when every
 * transaction handed out has been confirmed, none is in progress, and a
 * keepalive has since told us the server's WAL end, that end is reported
 * instead: no change lies between, and an idle slot must not pin WAL that
 * only unrelated tables wrote.
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
 * Relations are mapped to catalog tables by schema and name.  A table outside
 * the catalog is not part of the migration: its changes are skipped (logged
 * once per relation description).  A table in the catalog is checked, at its
 * first change, against the catalog: every column sent must exist there with
 * the same type OID, every catalog column must be sent (generated columns
 * excepted), and the replica identity must cover the primary key; anything
 * else stops the stream with STREAM_ERROR naming the table and column.
 * Values pass through in PostgreSQL's text form; 'u' (unchanged TOAST) becomes
 * DATUM_UNCHANGED, never NULL.
 *
 * Errors: a decode error, an unexpected message, a schema mismatch, or a lost
 * connection (pg_terminate_backend, server shutdown or restart, network; also
 * a COPY the server ends on its own) is logged once
 * here and returned as STREAM_ERROR; the stream is then broken and the
 * caller closes it and reopens from its checkpoint.  Nothing is lost: the
 * slot only advanced to what was confirmed.  STREAM_END means only that a
 * stop was requested (SIGINT/SIGTERM, common/signals.h) between batches.
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
#include "dialect/pg/pg_conn.h"
#include "dialect/pg/pg_source.h"
#include "dialect/pg/pg_stream.h"
#include "dialect/pg/pgoutput.h"

#define STATUS_INTERVAL_US		(10 * INT64_C(1000000))
#define CLOSE_DRAIN_US			(5 * INT64_C(1000000))
#define DEFAULT_BATCH_CHANGES	10000
#define DEFAULT_BATCH_BYTES		(INT64_C(64) << 20)
/* PostgreSQL's field limit is 1 GB; a row message may carry a few of them
 * only if the server itself could build it, which it cannot past 1 GB. */
#define MAX_MESSAGE_BYTES		((1 << 30) + (1 << 20))
#define PROTO_VERSION			1

static const char *const SCHEMA_HINT =
	"the slot keeps the WAL: align the target schema and the migration's catalog with the source, then restart replication";

/* ------------------------------------------------------------ relations */

/*
 * What a Relation message told us, copied out of the message (owned by the
 * entry's arena), plus its mapping to the catalog, built at the first change.
 */
typedef struct RelEntry
{
	Arena		arena;			/* owns everything below */
	uint32_t	relid;
	char	   *nspname;
	char	   *relname;
	char		replident;
	int			ncols;
	PgoRelColumn *cols;			/* names copied into the arena */
	Table	   *table;			/* NULL: not in the migration */
	bool		checked;		/* mapping built and validated */
	int		   *col_of;			/* per catalog column: index in cols, -1 if not sent */
	bool		logged_skip;
} RelEntry;

/* Open-addressing map relid -> RelEntry (owned). */
typedef struct RelMap
{
	RelEntry  **slots;
	int			cap;			/* power of two */
	int			n;
} RelMap;

typedef struct PgStream
{
	PgConn		conn;			/* replication=database walsender connection */
	Catalog    *cat;			/* borrowed; outlives the stream */
	char	   *slot;
	char	   *publication;
	int			max_changes;
	int64_t		max_bytes;

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
	Lsn			last_end;		/* end LSN of the last complete transaction (or start) */

	/* a 'w' message read but not yet consumed (it starts the next chunk) */
	char	   *pending;		/* from PQgetCopyData; PQfreemem */
	size_t		pending_off;	/* where the pgoutput message starts */
	size_t		pending_len;
	Lsn			pending_lsn;

	/* positions for status updates */
	_Atomic uint64_t confirmed; /* from stream_confirm (any thread) */
	Lsn			delivered_end;	/* end LSN of the last is_last batch handed out */
	Lsn			idle_end;		/* keepalive WAL end seen with nothing in flight */
	Lsn			reported;		/* flush position last sent */
	int64_t		next_status_us; /* monotonic deadline of the periodic update */

	bool		broken;			/* failed (logged); only close is valid */
	bool		copy_ended;		/* the server ended the COPY */
} PgStream;

static uint32_t
rel_hash(uint32_t relid)
{
	return relid * 2654435761u;
}

static RelEntry *
relmap_get(const RelMap *m, uint32_t relid)
{
	if (m->cap == 0)
		return NULL;
	for (uint32_t i = rel_hash(relid) & (uint32_t) (m->cap - 1);; i = (i + 1) & (uint32_t) (m->cap - 1))
	{
		if (m->slots[i] == NULL)
			return NULL;
		if (m->slots[i]->relid == relid)
			return m->slots[i];
	}
}

static void
rel_entry_free(RelEntry *e)
{
	arena_free(&e->arena);
	free(e);
}

/* Put e in the map (takes ownership), replacing and freeing an older entry. */
static void
relmap_put(RelMap *m, RelEntry *e)
{
	if ((m->n + 1) * 2 > m->cap)
	{
		RelMap		bigger = {0};

		bigger.cap = m->cap ? m->cap * 2 : 64;
		bigger.slots = gw_new_array(RelEntry *, (size_t) bigger.cap);
		for (int i = 0; i < m->cap; i++)
			if (m->slots[i])
				relmap_put(&bigger, m->slots[i]);
		free(m->slots);
		*m = bigger;
	}
	for (uint32_t i = rel_hash(e->relid) & (uint32_t) (m->cap - 1);; i = (i + 1) & (uint32_t) (m->cap - 1))
	{
		if (m->slots[i] == NULL)
		{
			m->slots[i] = e;
			m->n++;
			return;
		}
		if (m->slots[i]->relid == e->relid)
		{
			rel_entry_free(m->slots[i]);
			m->slots[i] = e;
			return;
		}
	}
}

static void
relmap_free(RelMap *m)
{
	for (int i = 0; i < m->cap; i++)
		if (m->slots[i])
			rel_entry_free(m->slots[i]);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------ helpers */

static void
fmt_lsn(Lsn l, char *buf, size_t len)
{
	lsn_format(l, buf, (int) len);
}

/* Mark the stream broken after a failure that was just logged. */
static StreamResult
stream_fail(PgStream *ps)
{
	ps->broken = true;
	err_set_kind(ERR_SOURCE);
	return STREAM_ERROR;
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
	fmt_lsn(ps->last_end, at, sizeof(at));
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

/* The flush position we may report (see the header comment). */
static Lsn
effective_flush(const PgStream *ps)
{
	Lsn			flush = atomic_load(&ps->confirmed);

	if (!ps->in_txn && ps->pending == NULL && flush >= ps->delivered_end && ps->idle_end > flush)
		flush = ps->idle_end;
	return flush;
}

/*
 * send_status
 *		Send a standby status update if forced, if the reportable position
 *		moved, or if the periodic interval is up.  False on a connection
 *		failure (logged, stream broken).
 */
static bool
send_status(PgStream *ps, bool force)
{
	uint8_t		msg[PGO_STATUS_LEN];
	Lsn			flush = effective_flush(ps);
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

/* ------------------------------------------------------------ schema check */

/*
 * rel_check
 *		Map a relation's columns to its catalog table and refuse a drifted
 *		schema.  False on a mismatch (logged with the table, the column, and
 *		what to do).
 */
static bool
rel_check(RelEntry *e)
{
	Table	   *t = e->table;

	e->col_of = arena_alloc_array0(&e->arena, (size_t) (t->ncolumns ? t->ncolumns : 1), sizeof(int));
	for (int i = 0; i < t->ncolumns; i++)
		e->col_of[i] = -1;

	for (int j = 0; j < e->ncols; j++)
	{
		const PgoRelColumn *rc = &e->cols[j];
		int			i = table_column_index(t, rc->name);

		if (i < 0)
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh("the source sends a column the migration does not know (added or renamed after the schema was read)",
						 SCHEMA_HINT,
						 "table %s changed on the source: unknown column \"%s\"", t->display, rc->name);
			return false;
		}
		if (e->col_of[i] >= 0)
		{
			err_set_kind(ERR_SCHEMA);
			log_error("table %s: column \"%s\" sent twice by the source", t->display, rc->name);
			return false;
		}
		if (t->columns[i].type_oid != 0 && t->columns[i].type_oid != rc->type_oid)
		{
			char	   *detail = gw_asprintf("the source now sends type OID %u, the migration was planned for %s (OID %u)",
											 rc->type_oid,
											 t->columns[i].source_type ? t->columns[i].source_type : "?",
											 t->columns[i].type_oid);

			err_set_kind(ERR_SCHEMA);
			log_error_dh(detail, SCHEMA_HINT, "table %s changed on the source: column \"%s\" changed type",
						 t->display, rc->name);
			free(detail);
			return false;
		}
		e->col_of[i] = j;
	}
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *c = &t->columns[i];

		if (e->col_of[i] >= 0 || c->generated_expr != NULL || c->skip)
			continue;
		err_set_kind(ERR_SCHEMA);
		log_error_dh("the column is missing from the replication stream: dropped or renamed on the source, or left out by the publication's column list",
					 SCHEMA_HINT,
					 "table %s changed on the source: column \"%s\" is no longer sent", t->display, c->name);
		return false;
	}
	/* deletes and key changes are applied by primary key: the identity must hold it */
	if (e->replident == 'd' || e->replident == 'i')
	{
		for (int k = 0; k < t->npk; k++)
		{
			int			j = e->col_of[t->pk[k]];

			if (j < 0 || !(e->cols[j].flags & PGO_COLUMN_KEY))
			{
				err_set_kind(ERR_SCHEMA);
				log_error_dh("updates and deletes would not identify the row on the target",
							 "ALTER TABLE ... REPLICA IDENTITY DEFAULT (the primary key) or FULL on the source, then restart replication",
							 "table %s: the replica identity does not include primary key column \"%s\"",
							 t->display, t->columns[t->pk[k]].name);
				return false;
			}
		}
	}
	e->checked = true;
	return true;
}

/* Copy a Relation message into a new entry and map it to the catalog. */
static bool
rel_store(PgStream *ps, const PgoRelation *r)
{
	RelEntry   *e = gw_new(RelEntry);

	arena_init(&e->arena, 1024);
	e->relid = r->relid;
	e->nspname = arena_strdup(&e->arena, r->nspname[0] ? r->nspname : "pg_catalog");
	e->relname = arena_strdup(&e->arena, r->relname);
	e->replident = r->replident;
	e->ncols = r->ncols;
	e->cols = arena_alloc_array0(&e->arena, (size_t) (r->ncols ? r->ncols : 1), sizeof(PgoRelColumn));
	for (int i = 0; i < r->ncols; i++)
	{
		e->cols[i] = r->cols[i];
		e->cols[i].name = arena_strdup(&e->arena, r->cols[i].name);
	}
	e->table = catalog_find_table(ps->cat, e->nspname, e->relname);
	if (e->table == NULL)
	{
		/* a table of the migration under a new name would lose its changes */
		for (int i = 0; i < ps->cat->ntables; i++)
		{
			Table	   *t = ps->cat->tables[i];

			if (t->oid != 0 && t->oid == e->relid)
			{
				char	   *now = ident_display_name(&e->arena, e->nspname, e->relname);

				err_set_kind(ERR_SCHEMA);
				log_error_dh(NULL, SCHEMA_HINT, "table %s was renamed on the source to %s",
							 t->display, now);
				rel_entry_free(e);
				return false;
			}
		}
	}
	relmap_put(&ps->rels, e);
	return true;
}

/* ------------------------------------------------------------ rows */

/*
 * tuple_to_datums
 *		Convert a TupleData into one Datum per catalog column, in catalog
 *		order, with values copied into the batch arena.  old_kind is 0 for a
 *		new tuple, 'K' or 'O' for an old one.  False on a malformed tuple
 *		(logged).
 */
static bool
tuple_to_datums(RelEntry *e, const PgoTuple *tup, char old_kind, ChangeBatch *b,
				Lsn lsn, Datum **out)
{
	Table	   *t = e->table;
	Datum	   *d;

	if (tup->ncols != e->ncols)
	{
		log_error("could not decode a change to %s at %X/%X: tuple has %d columns, relation has %d",
				  t->display, LSN_ARGS(lsn), tup->ncols, e->ncols);
		return false;
	}
	d = change_batch_datums(b, t->ncolumns);
	for (int i = 0; i < t->ncolumns; i++)
	{
		int			j = e->col_of[i];
		const PgoValue *v;

		if (j < 0)
		{
			d[i].kind = DATUM_ABSENT;
			continue;
		}
		v = &tup->values[j];
		switch (v->kind)
		{
			case PGO_VALUE_NULL:
				/* a key-only old tuple sends the other columns as nulls */
				d[i].kind = (old_kind == 'K' && !(e->cols[j].flags & PGO_COLUMN_KEY))
					? DATUM_ABSENT : DATUM_NULL;
				break;
			case PGO_VALUE_UNCHANGED:
				d[i].kind = old_kind ? DATUM_ABSENT : DATUM_UNCHANGED;
				break;
			case PGO_VALUE_TEXT:
				datum_set_text(b, &d[i], (const char *) v->data, v->len);
				break;
			case PGO_VALUE_BINARY:
				log_error("could not decode a change to %s at %X/%X: column \"%s\" arrived in binary form",
						  t->display, LSN_ARGS(lsn), t->columns[i].name);
				return false;
		}
	}
	*out = d;
	return true;
}

/* Is the batch full, so that the next change must start a new chunk? */
static bool
batch_full(const PgStream *ps, const ChangeBatch *b)
{
	return b->nchanges > 0 && (b->nchanges >= ps->max_changes || b->bytes >= ps->max_bytes);
}

/* Fill the batch's transaction identity (see the header comment). */
static void
batch_set_txn(PgStream *ps, ChangeBatch *b, bool is_last, Lsn end_lsn)
{
	Lsn			pos = is_last ? end_lsn : ps->last_end;

	fmt_lsn(pos, b->txn.position, sizeof(b->txn.position));
	fmt_lsn(ps->txn_final_lsn, b->txn.txn_id, sizeof(b->txn.txn_id));
	b->txn.lsn = pos;
	b->txn.commit_time_us = ps->txn_commit_us;
	b->is_last = is_last;
	if (b->nchanges == 0)
		b->first_index = ps->txn_index;
}

/* The result of processing one message. */
typedef enum MsgOutcome
{
	MSG_CONSUMED,				/* go on reading */
	MSG_BATCH_FULL,				/* not consumed: return the batch, keep the message */
	MSG_TXN_DONE,				/* consumed a COMMIT: return the batch */
	MSG_FAILED,					/* logged */
} MsgOutcome;

/*
 * Admit one more change of the current transaction into b: false when it
 * must be skipped (already applied before a restart), *full when the batch
 * has no room (the message stays pending).
 */
static bool
admit_change(PgStream *ps, ChangeBatch *b, bool *full)
{
	*full = false;
	if (ps->txn_index < ps->txn_skip_prefix)
	{
		ps->txn_index++;
		return false;
	}
	if (batch_full(ps, b))
	{
		*full = true;
		return false;
	}
	if (b->nchanges == 0)
		b->first_index = ps->txn_index;
	ps->txn_index++;
	return true;
}

/*
 * process_row
 *		An INSERT, UPDATE or DELETE: map it to its catalog table (checked at the
 *		first change) and add it to the batch, unless it belongs to a dropped
 *		transaction, a table outside the migration, or the applied prefix.
 */
static MsgOutcome
process_row(PgStream *ps, const PgoMsg *m, ChangeBatch *b, Lsn lsn)
{
	const PgoRowChange *row = &m->u.row;
	RelEntry   *e = relmap_get(&ps->rels, row->relid);
	Change	   *c;
	Datum	   *old_row = NULL,
			   *new_row = NULL;
	bool		full;
	ChangeOp	op = m->type == PGO_MSG_INSERT ? CHANGE_INSERT
		: m->type == PGO_MSG_UPDATE ? CHANGE_UPDATE : CHANGE_DELETE;

	if (e == NULL)
	{
		log_error("could not decode a change at %X/%X: no RELATION message for relation OID %u",
				  LSN_ARGS(lsn), row->relid);
		return MSG_FAILED;
	}
	if (ps->txn_drop)
		return MSG_CONSUMED;
	if (e->table == NULL)
	{
		if (!e->logged_skip)
			log_info("skipping changes to \"%s\".\"%s\": the table is not part of the migration",
					 e->nspname, e->relname);
		e->logged_skip = true;
		return MSG_CONSUMED;
	}
	if (!e->checked && !rel_check(e))
		return MSG_FAILED;
	if (!admit_change(ps, b, &full))
		return full ? MSG_BATCH_FULL : MSG_CONSUMED;

	if (row->old_kind && !tuple_to_datums(e, &row->old_tuple, row->old_kind, b, lsn, &old_row))
		return MSG_FAILED;
	if (row->has_new && !tuple_to_datums(e, &row->new_tuple, 0, b, lsn, &new_row))
		return MSG_FAILED;
	c = change_batch_add(b, op, e->table);
	c->old_row = old_row;
	c->new_row = new_row;
	return MSG_CONSUMED;
}

/*
 * process_truncate
 *		One TRUNCATE change naming the catalog tables among the relations
 *		truncated (nothing when none is in the migration).
 */
static MsgOutcome
process_truncate(PgStream *ps, const PgoMsg *m, ChangeBatch *b, Lsn lsn)
{
	const PgoTruncate *tr = &m->u.truncate;
	Table	  **tables = NULL;
	int			n = 0;
	bool		full;

	if (ps->txn_drop)
		return MSG_CONSUMED;
	for (int i = 0; i < tr->nrelids; i++)
	{
		RelEntry   *e = relmap_get(&ps->rels, tr->relids[i]);

		if (e == NULL)
		{
			log_error("could not decode a TRUNCATE at %X/%X: no RELATION message for relation OID %u",
					  LSN_ARGS(lsn), tr->relids[i]);
			return MSG_FAILED;
		}
		if (e->table == NULL)
			continue;
		if (!e->checked && !rel_check(e))
			return MSG_FAILED;
		if (tables == NULL)
			tables = arena_alloc_array0(&ps->msg_arena, (size_t) tr->nrelids, sizeof(Table *));
		tables[n++] = e->table;
	}
	if (n == 0)
		return MSG_CONSUMED;
	if (!admit_change(ps, b, &full))
		return full ? MSG_BATCH_FULL : MSG_CONSUMED;

	Change	   *c = change_batch_add(b, CHANGE_TRUNCATE, n == 1 ? tables[0] : NULL);

	c->truncate_tables = arena_memdup(&b->arena, tables, sizeof(Table *) * (size_t) n);
	c->ntruncate = n;
	c->truncate_cascade = (tr->options & PGO_TRUNCATE_CASCADE) != 0;
	return MSG_CONSUMED;
}

/*
 * process_message
 *		Decode and apply one pgoutput message to the transaction state and the
 *		batch.  lsn is the XLogData dataStart (for messages).
 */
static MsgOutcome
process_message(PgStream *ps, const uint8_t *buf, size_t len, Lsn lsn, ChangeBatch *b)
{
	PgoMsg		m;
	PgoError	err;
	MsgOutcome	out = MSG_CONSUMED;

	arena_reset(&ps->msg_arena);
	if (!pgoutput_decode_message(buf, len, &ps->dopt, &ps->msg_arena, &m, &err))
	{
		char	   *detail = gw_asprintf("message type '%c' (0x%02x), %zu bytes, error at byte %zu",
										 len && buf[0] >= 0x20 && buf[0] < 0x7f ? buf[0] : '?',
										 len ? buf[0] : 0, len, err.offset);

		log_error_dh(detail, NULL, "could not decode pgoutput message at %X/%X from slot \"%s\": %s",
					 LSN_ARGS(lsn), ps->slot, pgoutput_error_text(err.code));
		free(detail);
		return MSG_FAILED;
	}

	switch (m.type)
	{
		case PGO_MSG_BEGIN:
			if (ps->in_txn)
			{
				log_error("unexpected BEGIN at %X/%X inside transaction %X/%X", LSN_ARGS(lsn),
						  LSN_ARGS(ps->txn_final_lsn));
				return MSG_FAILED;
			}
			ps->in_txn = true;
			ps->txn_final_lsn = m.u.begin.final_lsn;
			ps->txn_commit_us = m.u.begin.commit_time + PG_EPOCH_OFFSET_US;
			ps->txn_index = 0;
			ps->txn_skip_prefix = 0;
			/* commit records do not overlap: final < start means end <= start */
			ps->txn_drop = ps->txn_final_lsn < ps->start_lsn;
			if (!ps->txn_drop && ps->resume_txn_id)
			{
				char		id[LSN_STRLEN];

				fmt_lsn(ps->txn_final_lsn, id, sizeof(id));
				if (strcmp(id, ps->resume_txn_id) == 0)
				{
					ps->txn_skip_prefix = ps->resume_applied;
					log_info("resuming inside transaction %s after its first %lld changes", id,
							 (long long) ps->resume_applied);
				}
				/* only the first transaction after the start can be the one */
				free(ps->resume_txn_id);
				ps->resume_txn_id = NULL;
			}
			break;
		case PGO_MSG_COMMIT:
			if (!ps->in_txn || m.u.commit.commit_lsn != ps->txn_final_lsn)
			{
				log_error("unexpected COMMIT %X/%X at %X/%X (transaction in progress: %X/%X)",
						  LSN_ARGS(m.u.commit.commit_lsn), LSN_ARGS(lsn),
						  LSN_ARGS(ps->in_txn ? ps->txn_final_lsn : 0));
				return MSG_FAILED;
			}
			ps->in_txn = false;
			if (ps->txn_drop)
				break;
			batch_set_txn(ps, b, true, m.u.commit.end_lsn);
			ps->last_end = m.u.commit.end_lsn;
			ps->delivered_end = m.u.commit.end_lsn;
			out = MSG_TXN_DONE;
			break;
		case PGO_MSG_RELATION:
			if (!rel_store(ps, &m.u.relation))
				return MSG_FAILED;
			break;
		case PGO_MSG_INSERT:
		case PGO_MSG_UPDATE:
		case PGO_MSG_DELETE:
		case PGO_MSG_TRUNCATE:
			if (!ps->in_txn)
			{
				log_error("unexpected change outside a transaction at %X/%X", LSN_ARGS(lsn));
				return MSG_FAILED;
			}
			out = m.type == PGO_MSG_TRUNCATE ? process_truncate(ps, &m, b, lsn)
				: process_row(ps, &m, b, lsn);
			break;
		case PGO_MSG_ORIGIN:
		case PGO_MSG_TYPE:
		case PGO_MSG_MESSAGE:
			/* origins, type names and logical messages carry no row data */
			break;
		default:
			/* streamed or prepared transactions: never requested */
			log_error("unexpected pgoutput message '%c' at %X/%X: in-progress and prepared transactions were not requested",
					  (char) m.type, LSN_ARGS(lsn));
			return MSG_FAILED;
	}
	return out;
}

/* ------------------------------------------------------------ the loop */

/* The server ended the COPY: a clean end or an error (terminated walsender). */
static StreamResult
handle_copy_end(PgStream *ps)
{
	PGresult   *res = PQgetResult(ps->conn.conn);
	StreamResult r;

	ps->copy_ended = true;
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
 * with no change for the migration), valid until the next call.  STREAM_IDLE:
 * nothing within the timeout.  STREAM_END: a stop was requested.
 * STREAM_ERROR: logged; the stream is broken, close it and reopen.
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

				if (b->nchanges == 0 && signals_should_stop())
					return STREAM_END;
				if (now >= deadline)
				{
					if (b->nchanges == 0)
						return STREAM_IDLE;
					batch_set_txn(ps, b, false, 0);
					return STREAM_BATCH;
				}
				until = deadline < ps->next_status_us ? deadline : ps->next_status_us;
				pfd.fd = PQsocket(ps->conn.conn);
				pfd.events = POLLIN;
				pfd.revents = 0;
				pr = poll(&pfd, 1, until > now ? (int) ((until - now + 999) / 1000) : 0);
				if (pr < 0 && errno != EINTR)
				{
					log_error("could not wait for the replication stream from slot \"%s\": %s",
							  ps->slot, strerror(errno));
					return stream_fail(ps);
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
				return stream_fail(ps);
			}

			PgoFrame	f;
			PgoError	err;

			if (!pgoutput_decode_frame((const uint8_t *) buf, (size_t) r, &f, &err))
			{
				log_error("could not decode replication message of %d bytes (type 0x%02x) after %X/%X: %s",
						  r, (unsigned char) buf[0], LSN_ARGS(ps->last_end), pgoutput_error_text(err.code));
				PQfreemem(buf);
				return stream_fail(ps);
			}
			if (f.type == PGO_FRAME_KEEPALIVE)
			{
				PQfreemem(buf);
				/* nothing in flight: everything before wal_end has been sent to us */
				if (!ps->in_txn && b->nchanges == 0 && f.wal_end > ps->idle_end)
					ps->idle_end = f.wal_end;
				if (f.reply_requested && !send_status(ps, true))
					return STREAM_ERROR;
				continue;
			}
			ps->pending = buf;
			ps->pending_off = (size_t) (f.payload - (const uint8_t *) buf);
			ps->pending_len = (size_t) r;
			ps->pending_lsn = f.data_start;
		}

		MsgOutcome	o = process_message(ps, (const uint8_t *) ps->pending + ps->pending_off,
										ps->pending_len - ps->pending_off, ps->pending_lsn, b);

		if (o == MSG_FAILED)
			return stream_fail(ps);
		if (o == MSG_BATCH_FULL)
		{
			batch_set_txn(ps, b, false, 0);
			return STREAM_BATCH;
		}
		PQfreemem(ps->pending);
		ps->pending = NULL;
		if (o == MSG_TXN_DONE)
			return STREAM_BATCH;
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
	if (!ok)
		err_set_kind(ERR_SOURCE);
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
				slot_flush = 0;
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
	ps->cat = cat;
	ps->slot = gw_strdup(start->slot_name);
	ps->publication = gw_strdup(start->publication);
	ps->max_changes = start->max_batch_changes > 0 ? start->max_batch_changes : DEFAULT_BATCH_CHANGES;
	ps->max_bytes = start->max_batch_bytes > 0 ? start->max_batch_bytes : DEFAULT_BATCH_BYTES;
	if (start->txn_id && start->txn_id[0] && start->txn_applied > 0)
	{
		ps->resume_txn_id = gw_strdup(start->txn_id);
		ps->resume_applied = start->txn_applied;
	}
	ps->dopt.proto_version = PROTO_VERSION;
	arena_init(&ps->msg_arena, 16 * 1024);

	if (!pg_connect(&ps->conn, src->url, ROLE_SOURCE, true))
		goto fail;
	if (!check_slot(ps, &slot_flush))
		goto fail;

	/* the server starts at the later of the two; we drop what ends before */
	ps->start_lsn = requested > slot_flush ? requested : slot_flush;
	ps->last_end = ps->start_lsn;
	atomic_store(&ps->confirmed, ps->start_lsn);
	fmt_lsn(ps->start_lsn, at, sizeof(at));

	/* publication_names is a list of identifiers, inside a literal */
	sb_init(&pubs, 0);
	sb_append_ident(&pubs, ps->publication);
	sb_init(&cmd, 0);
	sb_append(&cmd, "START_REPLICATION SLOT ");
	sb_append_ident(&cmd, ps->slot);
	sb_appendf(&cmd, " LOGICAL %s (\"proto_version\" '%d', \"publication_names\" ", at, PROTO_VERSION);
	sb_append_literal(&cmd, pubs.data);
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
	relmap_free(&ps->rels);
	arena_free(&ps->msg_arena);
	free(ps->slot);
	free(ps->publication);
	free(ps->resume_txn_id);
	free(ps);
}
