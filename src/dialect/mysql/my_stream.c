/*
 * src/dialect/mysql/my_stream.c
 *	  The MySQL / MariaDB change stream: a binlog dump connection decoded into
 *	  ChangeBatches (SourceOps.stream_open/next/confirm/close).
 *
 * How it works
 * ------------
 * stream_open connects a dedicated session and registers it as a replica:
 *
 *   MariaDB  SET @master_binlog_checksum = @@global.binlog_checksum,
 *                @mariadb_slave_capability = 4,          -- GTID events
 *                @slave_connect_state = '<gtid position>',
 *                @slave_gtid_strict_mode = 1, @slave_gtid_ignore_duplicates = 0,
 *                @master_heartbeat_period = <ns>
 *            COM_REGISTER_SLAVE, then COM_BINLOG_DUMP (empty file, position 4)
 *   MySQL    SET @master_binlog_checksum / @source_binlog_checksum,
 *                @master_heartbeat_period / @source_heartbeat_period
 *            COM_REGISTER_SLAVE, then COM_BINLOG_DUMP_GTID with the executed set
 *
 * Connector/C's mariadb_rpl_fetch() parses every event itself and refuses
 * the ones it does not know (MySQL 8's TRANSACTION_PAYLOAD, PARTIAL_UPDATE,
 * GTID_TAGGED), so the commands are sent with the connection's command
 * method and each packet is read with mysql_net_read_packet(): the raw event
 * bytes go to our own decoders (binlog_event.c, rowimage.c).
 *
 * Events become changes:
 *   GTID                 a transaction starts; its id is the GTID text
 *   TABLE_MAP            cached by table id until the statement ends
 *   WRITE/UPDATE/DELETE  one change per row, values through myconv in
 *                        catalog column order; tables not in the catalog
 *                        are skipped
 *   XID / COMMIT         the transaction ends: the batch is returned with
 *                        is_last and txn.position = position after it
 *   QUERY                BEGIN/COMMIT; TRUNCATE of a replicated table ->
 *                        CHANGE_TRUNCATE; other DDL on a replicated table
 *                        stops the stream (STREAM_FATAL, position not past it)
 *   TRANSACTION_PAYLOAD  the events inside, in order
 *   HEARTBEAT            STREAM_IDLE once the caller's timeout has passed
 *
 * Big transactions are returned in chunks of max_batch_changes (or
 * max_batch_bytes): the stream keeps its place inside the rows event and
 * carries on at the next call.  A transaction re-sent after a restart from
 * a checkpoint inside it (start->txn_id, start->txn_applied) skips the
 * changes already applied.
 *
 * The position is a GTID position (MariaDB "0-1-100,7-22-3") or executed set
 * (MySQL "uuid:1-100"); transactions that touch no replicated table advance
 * it too, and an idle stream reports such progress as an empty batch so
 * the checkpoint keeps up.
 */
#include <errmsg.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog/change.h"
#include "common/errors.h"
#include "common/gtid.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "dialect/mysql/binlog_cmd.h"
#include "dialect/mysql/binlog_ddl.h"
#include "dialect/mysql/binlog_event.h"
#include "dialect/mysql/my_source.h"
#include "dialect/mysql/myconv.h"
#include "dialect/mysql/rowimage.h"

#define STREAM_HEARTBEAT_MS		500		/* server heartbeat when idle */
#define STREAM_READ_TIMEOUT_S	30		/* no byte for this long: connection lost */
#define STREAM_DEFAULT_CHANGES	10000
#define STREAM_DEFAULT_BYTES	((int64_t) 64 << 20)

/* A cached TABLE_MAP and what it maps to in the catalog. */
typedef struct TmEntry
{
	uint64_t	id;
	BinlogTableMap *tm;
	bool		resolved;
	Table	   *table;			/* NULL: not replicated */
	int		   *col_of;			/* catalog column -> TABLE_MAP column, -1 none */
	RowHint    *hints;			/* per TABLE_MAP column */
	const char **charset;		/* per TABLE_MAP column: needs UTF-8 conversion, or NULL */
} TmEntry;

typedef enum Act
{
	ACT_CONTINUE,
	ACT_EMIT,					/* batch ready */
	ACT_HEARTBEAT,
	ACT_ERROR,					/* logged */
	ACT_END,
} Act;

struct ReplStream
{
	MySource   *src;
	MyConn		conn;
	bool		connection_lost;	/* the last error was the connection: reconnecting helps */
	Catalog    *cat;
	bool		mariadb;
	uint32_t	server_id;
	int			max_changes;
	int64_t		max_bytes;
	MyConvOptions copt;
	bool		failed;			/* a stop that a reconnect cannot cure (DDL) */

	char	   *resume_txn_id;	/* checkpoint inside this transaction ... */
	int64_t		resume_applied; /* ... after this many of its changes */
	bool		resume_checked;

	BinlogFormat fmt;
	char		logfile[256];	/* for messages */
	uint64_t	logpos;

	GtidSet		pos;			/* after the last complete transaction */
	bool		pos_unsent;		/* advanced by transactions no batch reported */
	char		unsent_txn[128];
	int64_t		unsent_time_us;

	/* table maps of the current statement */
	Arena		tm_arena;
	TmEntry    *tms;
	int			ntms;
	int			cap_tms;

	/* the current top-level event (own copy of the bytes) */
	uint8_t    *evbuf;
	size_t		evcap;
	Arena		ev_arena;
	BinlogEvent ev;

	/* events inside a TRANSACTION_PAYLOAD */
	bool		in_payload;
	const uint8_t *pl_base;
	const uint8_t *pl_pos;
	const uint8_t *pl_end;
	BinlogEvent inner;

	/* the rows event being turned into changes */
	bool		rows_pending;
	const BinlogEvent *rows_ev;
	TmEntry    *rows_tm;
	RowIter		it;
	RowVal	   *before;
	RowVal	   *after;
	Arena		row_arena;

	/* the current transaction */
	bool		in_txn;
	bool		txn_begun;		/* BEGIN seen, or a MariaDB GTID without FL_STANDALONE */
	char		txn_id[128];
	MariadbGtid mgtid;
	uint8_t		sid[16];
	char		tag[40];
	uint64_t	gno;
	int64_t		txn_index;		/* changes seen in the transaction (skipped ones too) */
	int64_t		txn_skip;		/* changes below this index were applied before */
	int64_t		commit_time_us;

	StrBuf		conv;
	StrBuf		conv2;
};

/* ------------------------------------------------------------------ helpers */

static const char *
where(ReplStream *rs, char *buf, size_t len)
{
	if (rs->in_txn)
		snprintf(buf, len, "GTID %.127s (%.150s:%llu)", rs->txn_id, rs->logfile, (unsigned long long) rs->logpos);
	else
		snprintf(buf, len, "%.150s:%llu", rs->logfile, (unsigned long long) rs->logpos);
	return buf;
}

static void
format_pos(const GtidSet *s, char *out, size_t len)
{
	StrBuf		b;

	sb_init(&b, 0);
	gtid_set_format(s, &b);
	snprintf(out, len, "%s", b.data ? b.data : "");
	sb_free(&b);
}

static void
tm_clear(ReplStream *rs)
{
	arena_reset(&rs->tm_arena);
	rs->ntms = 0;
}

static TmEntry *
tm_find(ReplStream *rs, uint64_t id)
{
	for (int i = 0; i < rs->ntms; i++)
		if (rs->tms[i].id == id)
			return &rs->tms[i];
	return NULL;
}

static void
tm_put(ReplStream *rs, const BinlogTableMap *tm)
{
	TmEntry    *e = tm_find(rs, tm->table_id);

	if (!e)
	{
		gw_array_grow(rs->tms, rs->cap_tms, rs->ntms + 1);
		e = &rs->tms[rs->ntms++];
	}
	memset(e, 0, sizeof(*e));
	e->id = tm->table_id;
	e->tm = binlog_table_map_copy(tm, &rs->tm_arena);
}

/*
 * Map a TABLE_MAP to its catalog table (by schema and name) and its columns
 * to catalog columns (by name with FULL metadata, else by position).
 * Returns false on a schema mismatch (logged).
 */
static bool
tm_resolve(ReplStream *rs, TmEntry *e)
{
	const BinlogTableMap *tm = e->tm;
	char		db[256],
				name[256],
				w[320];

	e->resolved = true;
	snprintf(db, sizeof(db), "%.*s", (int) tm->db.len, tm->db.p);
	snprintf(name, sizeof(name), "%.*s", (int) tm->table.len, tm->table.p);
	e->table = catalog_find_table(rs->cat, db, name);
	if (!e->table)
		return true;

	Table	   *t = e->table;

	e->col_of = arena_alloc_array0(&rs->tm_arena, (size_t) (t->ncolumns ? t->ncolumns : 1), sizeof(int));
	for (int c = 0; c < t->ncolumns; c++)
		e->col_of[c] = -1;
	if (tm->names)
	{
		for (uint32_t i = 0; i < tm->ncols; i++)
		{
			char		cn[256];

			snprintf(cn, sizeof(cn), "%.*s", (int) tm->names[i].len, tm->names[i].p);
			int			c = table_column_index(t, cn);

			if (c >= 0)
				e->col_of[c] = (int) i;
			else if (strncmp(cn, "!hidden!", 8) != 0)
			{
				/* a column the catalog does not know: its values would be lost */
				err_set_kind(ERR_SCHEMA);
				log_error_dh(NULL, "the table changed on the source: apply the change to the target, then restart",
							 "column \"%s\" of \"%s\" in the binlog's table map at %s is not in the catalog", cn,
							 t->display, where(rs, w, sizeof(w)));
				return false;
			}
		}
	}
	else if ((int) tm->ncols == t->ncolumns)
	{
		for (int c = 0; c < t->ncolumns; c++)
			e->col_of[c] = c;
	}
	else
	{
		err_set_kind(ERR_SCHEMA);
		log_error_dh(NULL,
					 "set binlog_row_metadata = FULL on the source so columns are matched by name, "
					 "or restart replication after the catalog is read again",
					 "binlog at %s has %u columns for table \"%s\", the catalog has %d",
					 where(rs, w, sizeof(w)), tm->ncols, t->display, t->ncolumns);
		return false;
	}
	for (int c = 0; c < t->ncolumns; c++)
	{
		if (e->col_of[c] < 0 && !t->columns[c].skip)
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh(NULL, "the table changed on the source: apply the change to the target, then restart",
						 "column \"%s\" of \"%s\" is not in the binlog's table map at %s", t->columns[c].name,
						 t->display, where(rs, w, sizeof(w)));
			return false;
		}
	}

	e->hints = arena_alloc_array0(&rs->tm_arena, tm->ncols, sizeof(RowHint));
	e->charset = arena_alloc_array0(&rs->tm_arena, tm->ncols, sizeof(char *));
	for (uint32_t i = 0; i < tm->ncols; i++)
		e->hints[i].is_unsigned = -1;
	for (int c = 0; c < t->ncolumns; c++)
	{
		int			i = e->col_of[c];
		const Column *col = &t->columns[c];
		const char *base = col->source_base ? col->source_base : "";

		if (i < 0)
			continue;
		e->hints[i].is_unsigned = col->is_unsigned ? 1 : 0;
		if (strcasecmp(base, "uuid") == 0)
			e->hints[i].special = ROW_SPECIAL_UUID;
		else if (strcasecmp(base, "inet6") == 0)
			e->hints[i].special = ROW_SPECIAL_INET6;
		else if (strcasecmp(base, "inet4") == 0)
			e->hints[i].special = ROW_SPECIAL_INET4;
		else if (strcasecmp(base, "binary") == 0)
			e->hints[i].special = ROW_SPECIAL_BINARY;
		if (col->nenum_labels > 0)
		{
			e->hints[i].labels = (const char *const *) col->enum_labels;
			e->hints[i].nlabels = col->nenum_labels;
		}

		/* text in a charset other than UTF-8 is converted like the text protocol does */
		int			rt = binlog_column_real_type(tm, i);
		bool		texty = rt == MYT_VARCHAR || rt == MYT_VAR_STRING || rt == MYT_STRING || rt == MYT_BLOB ||
			rt == MYT_ENUM || rt == MYT_SET;
		const char *cs = NULL;

		if (tm->charset && tm->charset[i])
			cs = myconv_collation_charset(tm->charset[i]);
		else if (col->charset)
			cs = col->charset;
		/* ENUM/SET labels from the catalog are UTF-8 already */
		if ((rt == MYT_ENUM || rt == MYT_SET) && !(tm->enum_values || tm->set_values))
			cs = NULL;
		if (texty && cs && myconv_charset_needs_conversion(cs))
			e->charset[i] = cs;
	}
	return true;
}

/* ------------------------------------------------------------------ transactions */

static void
txn_reset(ReplStream *rs)
{
	rs->in_txn = false;
	rs->txn_begun = false;
	rs->txn_id[0] = '\0';
	rs->txn_index = 0;
	rs->txn_skip = 0;
	rs->commit_time_us = 0;
}

static void
txn_start(ReplStream *rs, const char *id, int64_t commit_time_us)
{
	txn_reset(rs);
	rs->in_txn = true;
	snprintf(rs->txn_id, sizeof(rs->txn_id), "%s", id);
	rs->commit_time_us = commit_time_us;
	if (!rs->resume_checked)
	{
		rs->resume_checked = true;
		if (rs->resume_txn_id && rs->resume_applied > 0)
		{
			if (strcmp(rs->resume_txn_id, id) == 0)
			{
				rs->txn_skip = rs->resume_applied;
				log_info("resuming inside transaction %s: its first %lld changes are already applied", id,
						 (long long) rs->resume_applied);
			}
			else
				log_warn_dh(NULL, "changes of that transaction may be applied twice (apply is idempotent by key)",
							"the checkpoint names transaction %s, but the source re-sent %s first",
							rs->resume_txn_id, id);
		}
	}
}

static void
fill_txn(ReplStream *rs, ChangeBatch *b, const GtidSet *after)
{
	format_pos(after, b->txn.position, sizeof(b->txn.position));
	snprintf(b->txn.txn_id, sizeof(b->txn.txn_id), "%s", rs->txn_id);
	b->txn.lsn = 0;
	b->txn.commit_time_us = rs->commit_time_us;
}

/* The position after the current transaction, in *out (initialised here). */
static void
pos_after(ReplStream *rs, GtidSet *out)
{
	gtid_set_init(out, rs->pos.flavor);
	gtid_set_copy(out, &rs->pos);
	if (!rs->in_txn)
		return;
	if (rs->mariadb)
		gtid_set_add_mariadb(out, rs->mgtid);
	else
		gtid_set_add_mysql(out, rs->sid, rs->tag, rs->gno);
}

/*
 * The transaction ended.  Returns ACT_EMIT with the last chunk when the
 * transaction produced changes (or chunks, or skipped re-sent ones), else
 * records the position and carries on.
 */
static Act
txn_commit(ReplStream *rs, ChangeBatch *b)
{
	GtidSet		after;

	pos_after(rs, &after);
	bool		report = b->nchanges > 0 || rs->txn_index > 0;

	if (report)
	{
		fill_txn(rs, b, &after);
		if (b->nchanges == 0)
			b->first_index = rs->txn_index;
		b->is_last = true;
		rs->pos_unsent = false;
	}
	else if (rs->in_txn)
	{
		rs->pos_unsent = true;
		snprintf(rs->unsent_txn, sizeof(rs->unsent_txn), "%s", rs->txn_id);
		rs->unsent_time_us = rs->commit_time_us;
	}
	gtid_set_free(&rs->pos);
	rs->pos = after;
	txn_reset(rs);
	return report ? ACT_EMIT : ACT_CONTINUE;
}

static bool
batch_full(ReplStream *rs, const ChangeBatch *b)
{
	return b->nchanges >= rs->max_changes || b->bytes >= rs->max_bytes;
}

/* Return the current (full) batch as a chunk of the open transaction. */
static Act
emit_chunk(ReplStream *rs, ChangeBatch *b)
{
	GtidSet		after;

	pos_after(rs, &after);
	fill_txn(rs, b, &after);
	gtid_set_free(&after);
	b->is_last = false;
	return ACT_EMIT;
}

/* ------------------------------------------------------------------ rows */

/* Convert one image into catalog-ordered datums; false on error (logged). */
static bool
make_datums(ReplStream *rs, ChangeBatch *b, TmEntry *e, const RowVal *vals, Datum **out)
{
	Table	   *t = e->table;
	Datum	   *d = change_batch_datums(b, t->ncolumns);
	char		w[320];

	for (int c = 0; c < t->ncolumns; c++)
	{
		int			i = e->col_of[c];
		const Column *col = &t->columns[c];
		MyConvError cerr;

		if (i < 0 || vals[i].kind == ROWVAL_ABSENT)
		{
			d[c].kind = DATUM_ABSENT;
			continue;
		}
		if (vals[i].kind == ROWVAL_NULL)
		{
			d[c].kind = DATUM_NULL;
			continue;
		}
		if (vals[i].flags & ROWVAL_F_JSON_DIFF)
		{
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "SET GLOBAL binlog_row_value_options = '' on the source (full JSON after images)",
						 "partial JSON update of column \"%s\" of \"%s\" at %s cannot be replicated", col->name,
						 t->display, where(rs, w, sizeof(w)));
			return false;
		}

		const char *p = vals[i].p;
		size_t		len = vals[i].len;

		if (e->charset[i])
		{
			sb_reset(&rs->conv2);
			if (!myconv_to_utf8(e->charset[i], p, len, &rs->conv2, &cerr))
			{
				err_set_kind(ERR_SOURCE);
				log_error_dh(NULL, cerr.hint, "%s (column \"%s\" of \"%s\" at %s)", cerr.message, col->name,
							 t->display, where(rs, w, sizeof(w)));
				return false;
			}
			p = rs->conv2.data ? rs->conv2.data : "";
			len = rs->conv2.len;
		}
		sb_reset(&rs->conv);
		switch (myconv_value(col, p, len, &rs->copt, &rs->conv, &cerr))
		{
			case MYCONV_OK:
				if (!sb_ok(&rs->conv))
				{
					err_set_kind(ERR_SOURCE);
					log_error("value of column \"%s\" of \"%s\" at %s is over the 1 GB field limit", col->name,
							  t->display, where(rs, w, sizeof(w)));
					return false;
				}
				datum_set_text(b, &d[c], rs->conv.data ? rs->conv.data : "", rs->conv.len);
				break;
			case MYCONV_NULL:
				d[c].kind = DATUM_NULL;
				break;
			case MYCONV_ERROR:
				err_set_kind(ERR_SOURCE);
				log_error_dh(NULL, cerr.hint[0] ? cerr.hint : NULL, "could not convert a change of \"%s\" at %s: %s",
							 t->display, where(rs, w, sizeof(w)), cerr.message);
				return false;
		}
	}
	*out = d;
	return true;
}

static bool
key_changed(const Table *t, const Datum *old, const Datum *new)
{
	if (t->npk == 0)
		return true;			/* no key: the applier needs the whole old row */
	for (int k = 0; k < t->npk; k++)
	{
		const Datum *a = &old[t->pk[k]],
				   *b = &new[t->pk[k]];

		if (b->kind == DATUM_ABSENT)
			continue;			/* minimal after image: key unchanged */
		if (a->kind != b->kind || a->len != b->len || (a->len && memcmp(a->val, b->val, a->len) != 0))
			return true;
	}
	return false;
}

/* Turn the pending rows event into changes until it ends or the batch fills. */
static Act
emit_rows(ReplStream *rs, ChangeBatch *b)
{
	TmEntry    *e = rs->rows_tm;
	const BinlogRows *rows = &rs->rows_ev->u.rows;
	char		w[320];

	while (rs->rows_pending)
	{
		RowError	rerr;
		int			r;

		/*
		 * A full batch is returned before the next change, not after the
		 * last one: so a transaction that ends exactly at a chunk boundary
		 * still ends in its last chunk.
		 */
		if (rs->it.pos >= rows->rows_len)
		{
			rs->rows_pending = false;
			if (rows->flags & BINLOG_ROWS_F_STMT_END)
				tm_clear(rs);
			break;
		}
		if (b->nchanges > 0 && batch_full(rs, b))
			return emit_chunk(rs, b);
		arena_reset(&rs->row_arena);
		r = rowimage_iter_next(&rs->it, &rs->row_arena, rs->before, rs->after, &rerr);
		if (r < 0)
		{
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, NULL, "could not decode a row of \"%s\" at %s: %s: %s (row %d, column %d, offset %zu)",
						 e->table->display, where(rs, w, sizeof(w)), binlog_err_code_name(rerr.code),
						 rerr.what ? rerr.what : "?", rerr.row, rerr.column + 1, rerr.offset);
			return ACT_ERROR;
		}
		if (r == 0)
		{
			rs->rows_pending = false;
			if (rows->flags & BINLOG_ROWS_F_STMT_END)
				tm_clear(rs);
			break;
		}

		int64_t		index = rs->txn_index++;

		if (index < rs->txn_skip)
			continue;			/* applied before the restart */

		ChangeOp	op = rows->kind == BINLOG_ROWS_WRITE ? CHANGE_INSERT :
			rows->kind == BINLOG_ROWS_DELETE ? CHANGE_DELETE : CHANGE_UPDATE;
		Datum	   *oldd = NULL,
				   *newd = NULL;

		if (op != CHANGE_INSERT && !make_datums(rs, b, e, rs->before, &oldd))
			return ACT_ERROR;
		if (op != CHANGE_DELETE && !make_datums(rs, b, e, rs->after, &newd))
			return ACT_ERROR;
		if (b->nchanges == 0)
			b->first_index = index;

		Change	   *ch = change_batch_add(b, op, e->table);

		ch->new_row = newd;
		ch->old_row = op == CHANGE_UPDATE ? (key_changed(e->table, oldd, newd) ? oldd : NULL) : oldd;
	}
	return ACT_CONTINUE;
}

static Act
start_rows(ReplStream *rs, const BinlogEvent *ev, ChangeBatch *b)
{
	TmEntry    *e = tm_find(rs, ev->u.rows.table_id);
	char		w[320];

	if (!e)
	{
		err_set_kind(ERR_SOURCE);
		log_error("rows event for table id %llu without its table map at %s",
				  (unsigned long long) ev->u.rows.table_id, where(rs, w, sizeof(w)));
		return ACT_ERROR;
	}
	if (!e->resolved && !tm_resolve(rs, e))
	{
		rs->failed = true;
		return ACT_ERROR;
	}
	if (!e->table)
	{
		if (ev->u.rows.flags & BINLOG_ROWS_F_STMT_END)
			tm_clear(rs);
		return ACT_CONTINUE;
	}
	if (!rs->in_txn)
	{
		err_set_kind(ERR_SOURCE);
		log_error("row changes of \"%s\" outside a transaction at %s (no GTID event before them)",
				  e->table->display, where(rs, w, sizeof(w)));
		return ACT_ERROR;
	}
	rs->rows_ev = ev;
	rs->rows_tm = e;
	rs->rows_pending = true;
	rowimage_iter_init(&rs->it, e->tm, &ev->u.rows, e->hints);
	rs->before = arena_alloc_array0(&rs->ev_arena, e->tm->ncols, sizeof(RowVal));
	rs->after = arena_alloc_array0(&rs->ev_arena, e->tm->ncols, sizeof(RowVal));
	return emit_rows(rs, b);
}

/* ------------------------------------------------------------------ statements */

static bool
stmt_touches_catalog(ReplStream *rs, const BinlogStmt *st, const Table **which)
{
	for (int i = 0; i < st->ntables; i++)
	{
		if (st->kind == BINLOG_STMT_DROP_DATABASE)
		{
			for (int k = 0; k < rs->cat->ntables; k++)
				if (strcmp(rs->cat->tables[k]->schema, st->tables[i].schema) == 0)
				{
					*which = rs->cat->tables[k];
					return true;
				}
			continue;
		}
		const Table *t = catalog_find_table(rs->cat, st->tables[i].schema, st->tables[i].name);

		if (t)
		{
			*which = t;
			return true;
		}
	}
	return st->truncated_list;
}

static Act
on_query(ReplStream *rs, const BinlogEvent *ev, ChangeBatch *b)
{
	const BinlogQuery *q = &ev->u.query;
	char		db[256],
				w[320];
	BinlogStmt	st;
	const Table *t = NULL;
	Act			act = ACT_CONTINUE;

	int			sqln = q->sql.len > 300 ? 300 : (int) q->sql.len;	/* for messages */
	char		sqlbuf[304];

	snprintf(db, sizeof(db), "%.*s", (int) q->db.len, q->db.p);
	snprintf(sqlbuf, sizeof(sqlbuf), "%.*s", sqln, q->sql.p);
	binlog_stmt_classify(q->sql.p, q->sql.len, db, &st);
	switch (st.kind)
	{
		case BINLOG_STMT_BEGIN:
			rs->txn_begun = true;
			return ACT_CONTINUE;
		case BINLOG_STMT_COMMIT:
		case BINLOG_STMT_ROLLBACK:
			return txn_commit(rs, b);
		case BINLOG_STMT_SAVEPOINT:
			return ACT_CONTINUE;
		case BINLOG_STMT_XA:
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "finish or roll back the XA transaction on the source; godwit does not replicate XA",
						 "XA transaction at %s: %s", where(rs, w, sizeof(w)), sqlbuf);
			rs->failed = true;
			return ACT_ERROR;
		case BINLOG_STMT_TRUNCATE:
			if (stmt_touches_catalog(rs, &st, &t) && t)
			{
				Change	   *ch;

				if (!rs->in_txn)
					txn_start(rs, "", (int64_t) ev->hdr.timestamp * 1000000);
				if (b->nchanges > 0 && batch_full(rs, b))
					return emit_chunk(rs, b);	/* (TRUNCATE is standalone: never taken in practice) */
				if (rs->txn_index++ >= rs->txn_skip)
				{
					if (b->nchanges == 0)
						b->first_index = rs->txn_index - 1;
					ch = change_batch_add(b, CHANGE_TRUNCATE, (Table *) t);
					ch->truncate_tables = arena_alloc_array0(&b->arena, 1, sizeof(Table *));
					ch->truncate_tables[0] = (Table *) t;
					ch->ntruncate = 1;
				}
			}
			break;
		case BINLOG_STMT_DML:
			if (stmt_touches_catalog(rs, &st, &t))
			{
				err_set_kind(ERR_SOURCE);
				log_error_dh(NULL, "SET GLOBAL binlog_format = 'ROW' on the source",
							 "statement-based change of \"%s\" at %s cannot be replicated: %s",
							 t ? t->display : "?", where(rs, w, sizeof(w)), sqlbuf);
				rs->failed = true;
				return ACT_ERROR;
			}
			break;
		case BINLOG_STMT_ALTER_TABLE:
		case BINLOG_STMT_DROP_TABLE:
		case BINLOG_STMT_RENAME_TABLE:
		case BINLOG_STMT_CREATE_TABLE:
		case BINLOG_STMT_DROP_DATABASE:
			if (stmt_touches_catalog(rs, &st, &t))
			{
				err_set_kind(ERR_SCHEMA);
				log_error_dh(NULL,
							 "apply the same change to the target (and rerun the catalog step), then restart "
							 "replicate: it resumes at this statement's transaction",
							 "replication stopped at %s: %s on replicated table \"%s\": %s%s",
							 where(rs, w, sizeof(w)), binlog_stmt_kind_name(st.kind), t ? t->display : "?", sqlbuf,
							 q->sql.len > 300 ? "..." : "");
				rs->failed = true;
				return ACT_ERROR;
			}
			break;
		case BINLOG_STMT_INDEX:
			if (stmt_touches_catalog(rs, &st, &t))
				log_warn_dh(sqlbuf, "create the same index on the target if it is wanted",
							"index change on replicated table \"%s\" at %s ignored (rows are unchanged)",
							t ? t->display : "?", where(rs, w, sizeof(w)));
			break;
		case BINLOG_STMT_OTHER:
			break;
	}
	/* a statement outside BEGIN ... COMMIT is its own transaction */
	if (!rs->txn_begun)
		act = txn_commit(rs, b);
	return act;
}

/* ------------------------------------------------------------------ events */

static Act
on_event(ReplStream *rs, const BinlogEvent *ev, ChangeBatch *b)
{
	char		w[320];

	if (ev->hdr.log_pos)
		rs->logpos = ev->hdr.log_pos;
	switch (ev->kind)
	{
		case BINLOG_KIND_FDE:
			rs->fmt = ev->u.fde.format;
			return ACT_CONTINUE;
		case BINLOG_KIND_ROTATE:
			snprintf(rs->logfile, sizeof(rs->logfile), "%.*s", (int) ev->u.rotate.file.len, ev->u.rotate.file.p);
			rs->logpos = ev->u.rotate.position;
			return ACT_CONTINUE;
		case BINLOG_KIND_HEARTBEAT:
			return ACT_HEARTBEAT;
		case BINLOG_KIND_MARIA_GTID:
			{
				const BinlogMariaGtid *g = &ev->u.mgtid;
				char		id[96];

				if (g->flags & (BINLOG_MARIA_FL_PREPARED_XA | BINLOG_MARIA_FL_COMPLETED_XA))
				{
					err_set_kind(ERR_SOURCE);
					log_error_dh(NULL, "finish the XA transaction on the source; godwit does not replicate XA",
								 "XA transaction %u-%u-%llu at %s", g->domain, g->server_id,
								 (unsigned long long) g->seq, where(rs, w, sizeof(w)));
					rs->failed = true;
					return ACT_ERROR;
				}
				snprintf(id, sizeof(id), "%u-%u-%llu", g->domain, g->server_id, (unsigned long long) g->seq);
				txn_start(rs, id, (int64_t) ev->hdr.timestamp * 1000000);
				rs->mgtid.domain = g->domain;
				rs->mgtid.server = g->server_id;
				rs->mgtid.seq = g->seq;
				rs->txn_begun = !(g->flags & BINLOG_MARIA_FL_STANDALONE);
				return ACT_CONTINUE;
			}
		case BINLOG_KIND_MYSQL_GTID:
			{
				const BinlogMysqlGtid *g = &ev->u.gtid;
				char		u[37],
							id[128];

				if (ev->hdr.type == BINLOG_ANONYMOUS_GTID_EVENT)
				{
					err_set_kind(ERR_SOURCE);
					log_error_dh(NULL, "SET GLOBAL gtid_mode = ON on the source (via OFF_PERMISSIVE, ON_PERMISSIVE)",
								 "anonymous transaction at %s: replication needs GTIDs", where(rs, w, sizeof(w)));
					rs->failed = true;
					return ACT_ERROR;
				}
				gtid_uuid_format(g->sid, u);
				snprintf(rs->tag, sizeof(rs->tag), "%.*s", (int) g->tag.len, g->tag.p);
				snprintf(id, sizeof(id), "%s%s%s:%llu", u, rs->tag[0] ? ":" : "", rs->tag, (unsigned long long) g->gno);
				txn_start(rs, id, g->immediate_commit_ts ? (int64_t) g->immediate_commit_ts :
						  (int64_t) ev->hdr.timestamp * 1000000);
				memcpy(rs->sid, g->sid, 16);
				rs->gno = g->gno;
				rs->txn_begun = false;
				return ACT_CONTINUE;
			}
		case BINLOG_KIND_QUERY:
			return on_query(rs, ev, b);
		case BINLOG_KIND_XID:
			return txn_commit(rs, b);
		case BINLOG_KIND_TABLE_MAP:
			tm_put(rs, &ev->u.table_map);
			return ACT_CONTINUE;
		case BINLOG_KIND_ROWS:
			return start_rows(rs, ev, b);
		case BINLOG_KIND_PAYLOAD:
			if (rs->in_payload)
			{
				err_set_kind(ERR_SOURCE);
				log_error("transaction payload inside a transaction payload at %s", where(rs, w, sizeof(w)));
				return ACT_ERROR;
			}
			rs->in_payload = true;
			rs->pl_base = ev->u.payload.data;
			rs->pl_pos = ev->u.payload.data;
			rs->pl_end = ev->u.payload.data + ev->u.payload.data_len;
			return ACT_CONTINUE;
		case BINLOG_KIND_INCIDENT:
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "the source may have lost changes: verify the tables, or restart the migration",
						 "the source's binlog reports an incident at %s: %.*s", where(rs, w, sizeof(w)),
						 (int) ev->u.incident.message.len, ev->u.incident.message.p);
			rs->failed = true;
			return ACT_ERROR;
		case BINLOG_KIND_XA_PREPARE:
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "finish the XA transaction on the source; godwit does not replicate XA",
						 "XA PREPARE at %s", where(rs, w, sizeof(w)));
			rs->failed = true;
			return ACT_ERROR;
		case BINLOG_KIND_STOP:
		case BINLOG_KIND_MARIA_GTID_LIST:
		case BINLOG_KIND_MARIA_CHECKPOINT:
		case BINLOG_KIND_PREVIOUS_GTIDS:
		case BINLOG_KIND_TEXT:
		case BINLOG_KIND_SKIPPED:
			return ACT_CONTINUE;
	}
	return ACT_CONTINUE;
}

static void
log_decode_error(ReplStream *rs, const BinlogError *e, const char *what)
{
	char		w[320];

	err_set_kind(ERR_SOURCE);
	log_error("could not decode %s at %s: %s: %s (offset %zu, value %llu)", what, where(rs, w, sizeof(w)),
			  binlog_err_code_name(e->code), e->what ? e->what : "?", e->offset, (unsigned long long) e->value);
}

/* Next event inside the current payload; ACT_END when it is exhausted. */
static Act
next_inner(ReplStream *rs, ChangeBatch *b)
{
	const uint8_t *evb;
	size_t		evlen;
	BinlogError err;

	if (!binlog_split_next(rs->pl_base, &rs->pl_pos, rs->pl_end, &evb, &evlen, &err))
	{
		rs->in_payload = false;
		if (err.code != BINLOG_OK)
		{
			log_decode_error(rs, &err, "an event inside a transaction payload");
			return ACT_ERROR;
		}
		return ACT_CONTINUE;
	}
	if (!binlog_event_decode(&rs->fmt, evb, evlen, BINLOG_DECODE_NO_CHECKSUM, NULL, &rs->ev_arena, &rs->inner, &err))
	{
		log_decode_error(rs, &err, "an event inside a transaction payload");
		return ACT_ERROR;
	}
	if (rs->inner.kind == BINLOG_KIND_PAYLOAD)
	{
		err_set_kind(ERR_SOURCE);
		log_error("transaction payload nested in a transaction payload");
		return ACT_ERROR;
	}
	return on_event(rs, &rs->inner, b);
}

/* Read and decode the next packet of the dump; ACT_END on a non-blocking EOF. */
static Act
next_packet(ReplStream *rs, ChangeBatch *b)
{
	unsigned long len = mysql_net_read_packet(rs->conn.mysql);
	const uint8_t *p;
	BinlogError err;
	char		w[320];

	/* packet_error is ((unsigned int) -1), not ~0UL */
	if (len == packet_error || len == (unsigned long) -1 || len == 0)
	{
		my_note_error(&rs->conn);
		err_set_kind(ERR_SOURCE);
		log_error_dh(rs->conn.last_error, "replication reconnects and resumes from the last checkpoint",
					 "lost the binlog stream from the source at %s (MySQL error %u)", where(rs, w, sizeof(w)),
					 rs->conn.last_errno);
		rs->connection_lost = true;
		return ACT_ERROR;
	}
	p = rs->conn.mysql->net.read_pos;
	if (p[0] == 0xfe && len < 9)
		return ACT_END;
	if (p[0] != 0)
	{
		err_set_kind(ERR_SOURCE);
		log_error("unexpected packet 0x%02x in the binlog stream at %s", p[0], where(rs, w, sizeof(w)));
		rs->connection_lost = true;
		return ACT_ERROR;
	}
	len--;
	p++;
	if (len > rs->evcap)
	{
		free(rs->evbuf);
		rs->evcap = len;
		rs->evbuf = gw_malloc(len);
	}
	memcpy(rs->evbuf, p, len);
	arena_reset(&rs->ev_arena);
	if (!binlog_event_decode(&rs->fmt, rs->evbuf, len, 0, NULL, &rs->ev_arena, &rs->ev, &err))
	{
		log_decode_error(rs, &err, "a binlog event");
		return ACT_ERROR;
	}
	return on_event(rs, &rs->ev, b);
}

StreamResult
my_stream_next(ReplStream *rs, ChangeBatch *b, int timeout_ms)
{
	int64_t		deadline = time_mono_us() + (int64_t) (timeout_ms > 0 ? timeout_ms : 0) * 1000;

	change_batch_reset(b);
	if (rs->failed)
		return STREAM_FATAL;
	for (;;)
	{
		Act			act;

		if (rs->rows_pending)
			act = emit_rows(rs, b);
		else if (rs->in_payload)
			act = next_inner(rs, b);
		else
			act = next_packet(rs, b);

		switch (act)
		{
			case ACT_CONTINUE:
				break;
			case ACT_EMIT:
				return STREAM_BATCH;
			case ACT_ERROR:
				/*
				 * Only a lost connection is worth a reconnect; DDL, data the
				 * target cannot hold, or an undecodable event would stop the
				 * stream at the same place again.
				 */
				change_batch_reset(b);
				return rs->connection_lost ? STREAM_ERROR : STREAM_FATAL;
			case ACT_END:
				return STREAM_END;
			case ACT_HEARTBEAT:
				break;
		}
		if (!rs->in_txn && b->nchanges == 0 && time_mono_us() >= deadline)
		{
			if (rs->pos_unsent)
			{
				/* report progress made by transactions on other tables */
				format_pos(&rs->pos, b->txn.position, sizeof(b->txn.position));
				snprintf(b->txn.txn_id, sizeof(b->txn.txn_id), "%s", rs->unsent_txn);
				b->txn.commit_time_us = rs->unsent_time_us;
				b->is_last = true;
				rs->pos_unsent = false;
				return STREAM_BATCH;
			}
			if (act == ACT_HEARTBEAT)
				return STREAM_IDLE;
		}
	}
}

bool
my_stream_confirm(ReplStream *rs, const char *position)
{
	log_debug("binlog stream: position %s applied on the target", position);
	(void) rs;
	return true;
}

static void
my_stream_free(ReplStream *rs)
{
	if (rs->conn.mysql)
		my_disconnect(&rs->conn);
	gtid_set_free(&rs->pos);
	arena_free(&rs->tm_arena);
	arena_free(&rs->ev_arena);
	arena_free(&rs->row_arena);
	sb_free(&rs->conv);
	sb_free(&rs->conv2);
	free(rs->tms);
	free(rs->evbuf);
	free(rs->resume_txn_id);
	free(rs);
}

void
my_stream_close(ReplStream *rs)
{
	if (rs)
		my_stream_free(rs);
}

/* ------------------------------------------------------------------ open */

static bool
query_text(MyConn *c, const char *sql, char **out)
{
	if (!my_query_value(c, sql, out))
		return false;
	if (!*out)
		*out = gw_strdup("");
	return true;
}

static uint32_t
pick_server_id(MyConn *c)
{
	char	   *v = NULL;
	unsigned long mine = 0;
	uint32_t	id;

	if (query_text(c, "SELECT @@server_id", &v))
		mine = strtoul(v, NULL, 10);
	free(v);
	/* high range, derived from the pid and the clock; never the source's own */
	id = 0x7f000000u | (((uint32_t) getpid() << 8) ^ (uint32_t) (time_now_us() / 1000)) % 0x00ffffffu;
	if (id == mine)
		id++;
	return id;
}

ReplStream *
my_stream_open(Source *src, const StreamStart *start, Catalog *cat)
{
	MySource   *s = (MySource *) src;
	ReplStream *rs = gw_new(ReplStream);
	char	   *v = NULL;
	char		err[256];
	StrBuf		sql,
				pkt;
	BinlogChecksum cs;
	const char *position = start ? start->position : NULL;

	rs->src = s;
	rs->cat = cat;
	rs->max_changes = start && start->max_batch_changes > 0 ? start->max_batch_changes : STREAM_DEFAULT_CHANGES;
	rs->max_bytes = start && start->max_batch_bytes > 0 ? start->max_batch_bytes : STREAM_DEFAULT_BYTES;
	rs->copt.zero = MYCONV_ZERO_NULL;
	if (start && start->txn_id && start->txn_id[0] && start->txn_applied > 0)
	{
		rs->resume_txn_id = gw_strdup(start->txn_id);
		rs->resume_applied = start->txn_applied;
	}
	arena_init(&rs->tm_arena, 16 * 1024);
	arena_init(&rs->ev_arena, 64 * 1024);
	arena_init(&rs->row_arena, 16 * 1024);
	sb_init(&rs->conv, SB_DEFAULT_LIMIT);
	sb_init(&rs->conv2, SB_DEFAULT_LIMIT);
	snprintf(rs->logfile, sizeof(rs->logfile), "(start)");

	if (!my_connect_ex(&rs->conn, src->url, STREAM_READ_TIMEOUT_S))
	{
		free(rs->resume_txn_id);
		arena_free(&rs->tm_arena);
		arena_free(&rs->ev_arena);
		arena_free(&rs->row_arena);
		sb_free(&rs->conv);
		sb_free(&rs->conv2);
		free(rs);
		return NULL;
	}
	rs->mariadb = rs->conn.flavor == MY_FLAVOR_MARIADB;
	gtid_set_init(&rs->pos, rs->mariadb ? GTID_FLAVOR_MARIADB : GTID_FLAVOR_MYSQL);

	if (!query_text(&rs->conn, "SELECT @@global.binlog_checksum", &v))
		goto fail;
	cs = strcasecmp(v, "CRC32") == 0 ? BINLOG_CHECKSUM_CRC32 : BINLOG_CHECKSUM_NONE;
	free(v);
	v = NULL;
	binlog_format_init(&rs->fmt, rs->mariadb, cs);

	/* where to start */
	if (!position || !position[0])
	{
		if (!query_text(&rs->conn, rs->mariadb ? "SELECT @@global.gtid_binlog_pos" : "SELECT @@global.gtid_executed",
						&v))
			goto fail;
		position = v;
		log_info("binlog stream starts at the source's current position %s", position[0] ? position : "(empty)");
	}
	gtid_set_free(&rs->pos);
	if (!gtid_set_parse(position, rs->mariadb ? GTID_FLAVOR_MARIADB : GTID_FLAVOR_MYSQL, &rs->pos, err, sizeof(err)))
	{
		err_set_kind(ERR_STATE);
		log_error_dh(err, NULL, "invalid start position \"%s\" for the binlog stream", position);
		goto fail;
	}
	free(v);
	v = NULL;
	rs->server_id = start && start->server_id ? start->server_id : pick_server_id(&rs->conn);

	sb_init(&sql, 0);
	sb_init(&pkt, 0);
	if (rs->mariadb)
	{
		char		posbuf[sizeof(((TxnInfo *) 0)->position)];

		format_pos(&rs->pos, posbuf, sizeof(posbuf));
		sb_appendf(&sql,
				   "SET @master_binlog_checksum = @@global.binlog_checksum, @mariadb_slave_capability = 4, "
				   "@slave_connect_state = '%s', @slave_gtid_strict_mode = 1, @slave_gtid_ignore_duplicates = 0, "
				   "@master_heartbeat_period = %lld",
				   posbuf, (long long) STREAM_HEARTBEAT_MS * 1000000);
		if (!my_exec(&rs->conn, sql.data))
			goto fail_sb;
	}
	else
	{
		if (!my_exec(&rs->conn, "SET @master_binlog_checksum = @@global.binlog_checksum"))
			goto fail_sb;
		(void) my_exec_quiet(&rs->conn, "SET @source_binlog_checksum = @@global.binlog_checksum");
		sb_appendf(&sql, "SET @master_heartbeat_period = %lld", (long long) STREAM_HEARTBEAT_MS * 1000000);
		(void) my_exec_quiet(&rs->conn, sql.data);
		sb_reset(&sql);
		sb_appendf(&sql, "SET @source_heartbeat_period = %lld", (long long) STREAM_HEARTBEAT_MS * 1000000);
		(void) my_exec_quiet(&rs->conn, sql.data);
	}

	binlog_cmd_register(&pkt, rs->server_id, "godwit", 0);
	if (rs->conn.mysql->methods->db_command(rs->conn.mysql, (enum enum_server_command) BINLOG_COM_REGISTER_SLAVE,
											pkt.data, pkt.len, 0, NULL) != 0)
	{
		my_note_error(&rs->conn);
		my_log_error(&rs->conn, "could not register as a replica (COM_REGISTER_SLAVE)");
		goto fail_sb;
	}
	sb_reset(&pkt);
	if (rs->mariadb)
		binlog_cmd_dump(&pkt, rs->server_id, "", 4, 0);
	else if (!binlog_cmd_dump_gtid(&pkt, rs->server_id, &rs->pos))
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh(NULL, "start from a position without tagged GTIDs",
					 "tagged GTIDs (MySQL 8.4) in the start position are not supported for the binlog dump");
		goto fail_sb;
	}
	if (rs->conn.mysql->methods->db_command(rs->conn.mysql,
											(enum enum_server_command) (rs->mariadb ? BINLOG_COM_BINLOG_DUMP :
																		BINLOG_COM_BINLOG_DUMP_GTID),
											pkt.data, pkt.len, 1, NULL) != 0)
	{
		my_note_error(&rs->conn);
		my_log_error(&rs->conn, "could not start the binlog dump");
		goto fail_sb;
	}
	{
		char		posbuf[512];

		format_pos(&rs->pos, posbuf, sizeof(posbuf));
		log_info("binlog stream open from %s (replica server_id %u, checksum %s)", posbuf[0] ? posbuf : "(empty)",
				 rs->server_id, cs == BINLOG_CHECKSUM_CRC32 ? "CRC32" : "NONE");
	}
	sb_free(&sql);
	sb_free(&pkt);
	return rs;

fail_sb:
	sb_free(&sql);
	sb_free(&pkt);
fail:
	free(v);
	my_stream_free(rs);
	return NULL;
}

