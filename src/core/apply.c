/*
 * src/core/apply.c
 *	  Collapse source changes per key and write them in one pipelined target
 *	  transaction with the checkpoint (see apply.h for the contract).
 *
 * Collapsing, per table, keyed by the primary key's text values:
 *
 *   INSERT k            -> UPSERT k (full row)
 *   UPDATE k, full      -> UPSERT k
 *   UPDATE k, partial   -> merged into an earlier UPSERT/PARTIAL of k, else
 *                          PARTIAL k (UPDATE ... SET <sent columns> WHERE key = k)
 *   UPDATE j -> k       -> DELETE j + UPSERT k when the whole row is known;
 *                          otherwise PARTIAL k "moved from j" (the UPDATE sets
 *                          the key columns too, WHERE key = j)
 *   DELETE k            -> DELETE k (a pending move onto k also deletes its
 *                          origin)
 *
 * Emission: all DELETEs, then PARTIAL updates in the order they were created
 * (so chains of key moves replay in order), then multi-row UPSERTs, then
 * multi-row INSERTs of the rows new in the flush.  Only the
 * final state of each key is written, so the result equals the source's state
 * after the last transaction of the flush.
 *
 * An UPSERT whose key's first change in the flush was its INSERT names a row
 * the target cannot have yet (it is the source's copy as of the checkpoint):
 * on PostgreSQL it goes in a plain multi-row INSERT, a third cheaper than an
 * upsert.  Should the target have the row after all, the flush is rolled back
 * and written with upserts only, which then stay (ApplyMode below).
 */
#include "core/apply.h"

#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/metrics.h"
#include "common/retry.h"
#include "common/signals.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "dialect/target.h"
#include "dialect/pg/pg_stmtcache.h"
#include "dialect/target_apply.h"

#define APPLY_MIN_PREPARED_ROWS	8	/* smaller statements are sent as text */
#define APPLY_PREPARED_STATEMENTS 64	/* per target session (server memory) */

/* How a flush attempt writes, from the cheapest to the always valid. */
typedef enum ApplyMode
{
	MODE_INSERTS,				/* collapsed; rows new in the flush in plain INSERTs */
	MODE_UPSERTS,				/* collapsed; every row upserted */
	MODE_EXACT,					/* source order, one statement per change */
} ApplyMode;

typedef enum EntryKind
{
	ENTRY_NONE,					/* tombstone: the key's row moved elsewhere */
	ENTRY_UPSERT,
	ENTRY_DELETE,
	ENTRY_PARTIAL,
} EntryKind;

typedef struct Entry
{
	EntryKind	kind;
	bool		pre_delete;		/* PARTIAL moving onto a key deleted earlier */
	bool		absent;			/* no such row on the target when the flush began:
								 * the key's first change in it was an INSERT */
	uint32_t	hash;
	uint32_t	keylen;
	const uint8_t *keybytes;	/* encoded key (arena) */
	const Datum *row;			/* UPSERT, PARTIAL: ncolumns datums */
	const Datum *key;			/* DELETE: datums holding the key; PARTIAL: WHERE key */
	int64_t		seq;			/* creation order (PARTIAL emission order) */
} Entry;

typedef struct TableState
{
	Table	   *table;
	Entry	   *entries;
	int			n;
	int			cap;
	int		   *slots;			/* open addressing: entry index + 1, 0 = empty */
	int			nslots;
} TableState;

struct Applier
{
	PgConn	   *conn;
	const ConnUrl *url;
	TargetDialect dialect;
	ApplyOptions opts;
	Checkpoint	cp;				/* last committed */
	ApplyStats	stats;
	Arena		arena;			/* per flush: keys, merged rows */
	TableState **tables;		/* per flush, reused */
	int			ntables;
	int			cap_tables;
	int64_t		seq;
	StrBuf		sql;
	StmtCache  *stmts;			/* prepared multi-row upserts and deletes */
	const char **params;
	size_t		cap_params;
	int			pipe_queries;	/* queries sent in the open pipeline */

	/* keys written in this flush, for _godwit.changed_key_sets (track_changes) */
	StrBuf		keys;			/* NUL-separated JSON arrays */
	const Table **key_tables;	/* the table of each key */
	int			nkeys;
	size_t		cap_keys;
	bool		plain_inserts;	/* flushes start in MODE_INSERTS */
	ApplyMode	mode;			/* of the flush attempt being written */
	int64_t		plain_rows;		/* rows it sent in plain INSERTs */
	int			truncates_ignored;	/* in this flush attempt (--ignore-truncate) */
	const Table *truncate_ignored;	/* the first table of those */

	Metric	   *m_upserts;
	Metric	   *m_deletes;
	Metric	   *m_lag;
	Metric	   *m_flush_rows;
};

/* ------------------------------------------------------------ key table */

static uint32_t
hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
	{
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t) (h ^ (h >> 32));
}

/*
 * Encode the key columns of datums (NULL-safe, length-prefixed) into the
 * flush arena.  False when a key value was not sent at all.
 */
static bool
encode_key(Applier *a, const Table *t, const Datum *datums, const uint8_t **out, uint32_t *len)
{
	size_t		n = 0;
	uint8_t    *buf,
			   *p;

	for (int k = 0; k < t->npk; k++)
		n += 5 + datums[t->pk[k]].len;
	p = buf = arena_alloc(&a->arena, n ? n : 1);
	for (int k = 0; k < t->npk; k++)
	{
		const Datum *d = &datums[t->pk[k]];

		if (d->kind == DATUM_UNCHANGED || d->kind == DATUM_ABSENT)
			return false;
		*p++ = (uint8_t) d->kind;
		memcpy(p, &d->len, 4);
		p += 4;
		if (d->kind == DATUM_TEXT)
		{
			memcpy(p, d->val, d->len);
			p += d->len;
		}
	}
	*out = buf;
	*len = (uint32_t) (p - buf);
	return true;
}

static TableState *
table_state(Applier *a, Table *t)
{
	for (int i = 0; i < a->ntables; i++)
		if (a->tables[i]->table == t)
			return a->tables[i];
	gw_array_grow(a->tables, a->cap_tables, a->ntables + 1);
	TableState *ts = gw_new(TableState);

	ts->table = t;
	a->tables[a->ntables++] = ts;
	return ts;
}

static void
table_state_rehash(TableState *ts, int nslots)
{
	free(ts->slots);
	ts->nslots = nslots;
	ts->slots = gw_new_array(int, (size_t) nslots);
	for (int i = 0; i < ts->n; i++)
	{
		int			s = (int) (ts->entries[i].hash & (uint32_t) (nslots - 1));

		while (ts->slots[s])
			s = (s + 1) & (nslots - 1);
		ts->slots[s] = i + 1;
	}
}

/* The entry for key, created (ENTRY_NONE) if missing. */
static Entry *
entry_get(Applier *a, TableState *ts, const uint8_t *key, uint32_t keylen, bool create)
{
	uint32_t	h = hash_bytes(key, keylen);

	if (ts->nslots == 0 || (ts->n + 1) * 2 > ts->nslots)
		table_state_rehash(ts, ts->nslots ? ts->nslots * 2 : 1024);
	int			s = (int) (h & (uint32_t) (ts->nslots - 1));

	while (ts->slots[s])
	{
		Entry	   *e = &ts->entries[ts->slots[s] - 1];

		if (e->hash == h && e->keylen == keylen && memcmp(e->keybytes, key, keylen) == 0)
			return e;
		s = (s + 1) & (ts->nslots - 1);
	}
	if (!create)
		return NULL;
	gw_array_grow(ts->entries, ts->cap, ts->n + 1);
	Entry	   *e = &ts->entries[ts->n];

	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->keylen = keylen;
	e->keybytes = key;
	ts->slots[s] = ++ts->n;
	(void) a;
	return e;
}

static void
table_state_reset(TableState *ts)
{
	ts->n = 0;
	if (ts->slots)
		memset(ts->slots, 0, sizeof(int) * (size_t) ts->nslots);
}

static bool
row_is_full(const Table *t, const Datum *row)
{
	for (int i = 0; i < t->ncolumns; i++)
		if (!t->columns[i].skip && (row[i].kind == DATUM_UNCHANGED || row[i].kind == DATUM_ABSENT))
			return false;
	return true;
}

/* A new row: newer's sent values over base's (arena). */
static const Datum *
merge_rows(Applier *a, const Table *t, const Datum *newer, const Datum *base)
{
	Datum	   *m = arena_alloc(&a->arena, sizeof(Datum) * (size_t) (t->ncolumns ? t->ncolumns : 1));

	for (int i = 0; i < t->ncolumns; i++)
		m[i] = (newer[i].kind == DATUM_UNCHANGED || newer[i].kind == DATUM_ABSENT) ? base[i] : newer[i];
	return m;
}

static void put_delete(Applier *a, TableState *ts, const uint8_t *key, uint32_t keylen, const Datum *keyrow);

/* A PARTIAL entry that moved a row from another key leaves that origin behind. */
static void
drop_pending_move(Applier *a, TableState *ts, Entry *e)
{
	const uint8_t *wk;
	uint32_t	wl;

	if (e->kind != ENTRY_PARTIAL || e->key == e->row)
		return;
	if (encode_key(a, ts->table, e->key, &wk, &wl) &&
		(wl != e->keylen || memcmp(wk, e->keybytes, wl) != 0))
		put_delete(a, ts, wk, wl, e->key);
}

static void
put_upsert(Applier *a, TableState *ts, const uint8_t *key, uint32_t keylen, const Datum *row)
{
	Entry	   *e = entry_get(a, ts, key, keylen, true);

	drop_pending_move(a, ts, e);
	e = entry_get(a, ts, key, keylen, true);	/* put_delete may have grown the table */
	e->kind = ENTRY_UPSERT;
	e->pre_delete = false;
	e->row = row;
	e->key = row;
}

static void
put_delete(Applier *a, TableState *ts, const uint8_t *key, uint32_t keylen, const Datum *keyrow)
{
	Entry	   *e = entry_get(a, ts, key, keylen, true);

	if (e->kind == ENTRY_PARTIAL)
	{
		/* a row moved here then deleted: its origin must go too */
		Entry		saved = *e;

		drop_pending_move(a, ts, &saved);
		e = entry_get(a, ts, key, keylen, true);
	}
	e->kind = ENTRY_DELETE;
	e->pre_delete = false;
	e->row = NULL;
	e->key = keyrow;
}

/* Collapse one change into the table states.  False on a change that cannot be applied. */
static bool
collapse_change(Applier *a, const Change *c)
{
	TableState *ts = table_state(a, c->table);
	const Table *t = c->table;
	const uint8_t *nk = NULL,
			   *ok = NULL;
	uint32_t	nkl = 0,
				okl = 0;

	a->seq++;
	switch (c->op)
	{
		case CHANGE_INSERT:
			{
				if (!encode_key(a, t, c->new_row, &nk, &nkl))
					goto no_key;
				Entry	   *before = entry_get(a, ts, nk, nkl, false);
				bool		absent = before == NULL || before->absent;

				put_upsert(a, ts, nk, nkl, c->new_row);
				entry_get(a, ts, nk, nkl, false)->absent = absent;
				return true;
			}

		case CHANGE_DELETE:
			if (!encode_key(a, t, c->old_row, &ok, &okl))
				goto no_key;
			put_delete(a, ts, ok, okl, c->old_row);
			return true;

		case CHANGE_UPDATE:
			{
				const Datum *row = c->new_row;
				bool		moved = false;

				if (!encode_key(a, t, row, &nk, &nkl))
				{
					/* key columns not sent (unchanged): they are the old row's */
					if (c->old_row == NULL)
						goto no_key;
					row = merge_rows(a, t, row, c->old_row);
					if (!encode_key(a, t, row, &nk, &nkl))
						goto no_key;
				}
				if (c->old_row && encode_key(a, t, c->old_row, &ok, &okl) &&
					(okl != nkl || memcmp(ok, nk, nkl) != 0))
					moved = true;

				if (!moved)
				{
					Entry	   *e = entry_get(a, ts, nk, nkl, false);

					if (row_is_full(t, row))
						put_upsert(a, ts, nk, nkl, row);
					else if (e && (e->kind == ENTRY_UPSERT || e->kind == ENTRY_PARTIAL))
						e->row = merge_rows(a, t, row, e->row);
					else
					{
						e = entry_get(a, ts, nk, nkl, true);
						e->pre_delete = e->kind == ENTRY_DELETE;
						e->kind = ENTRY_PARTIAL;
						e->row = row;
						e->key = row;
						e->seq = a->seq;
					}
					return true;
				}

				/* the key changed: j -> k */
				Entry	   *from = entry_get(a, ts, ok, okl, false);

				if (row_is_full(t, row) || (from && from->kind == ENTRY_UPSERT))
				{
					const Datum *full = row_is_full(t, row) ? row : merge_rows(a, t, row, from->row);

					put_delete(a, ts, ok, okl, c->old_row);
					put_upsert(a, ts, nk, nkl, full);
					return true;
				}
				const Datum *where = c->old_row;
				const Datum *merged = row;

				if (from && from->kind == ENTRY_PARTIAL)
				{
					/* moving a row already partially updated: one UPDATE does both */
					where = from->key;
					merged = merge_rows(a, t, row, from->row);
					from->kind = ENTRY_NONE;
				}
				Entry	   *e = entry_get(a, ts, nk, nkl, true);

				e->pre_delete = e->kind == ENTRY_DELETE;
				e->kind = ENTRY_PARTIAL;
				e->row = merged;
				e->key = where;
				e->seq = a->seq;
				return true;
			}

		case CHANGE_TRUNCATE:
			return true;		/* handled by the caller */
	}
	return true;

no_key:
	err_set_kind(ERR_TARGET);
	log_error_dh(NULL, "check the table's primary key and REPLICA IDENTITY on the source",
				 "cannot apply a change to %s: its primary key value was not sent", t->display);
	return false;
}

/* ------------------------------------------------------------ pipeline */

static const char **
param_array(Applier *a, size_t n)
{
	gw_array_grow(a->params, a->cap_params, n + 1);
	return a->params;
}

static bool
pipe_send(Applier *a, const char *sql, int nparams, const char *const *params)
{
	if (PQsendQueryParams(a->conn->conn, sql, nparams, NULL, params, NULL, NULL, 0) != 1)
	{
		pg_note_error(a->conn, NULL);
		return false;
	}
	a->pipe_queries++;
	return true;
}

/*
 * Read every result of the pipeline through its sync point.  Returns true
 * when every statement succeeded; otherwise the first failure is noted on
 * the connection (its SQLSTATE tells retryable from fatal).
 */
static bool
pipe_finish(Applier *a)
{
	PGconn	   *conn = a->conn->conn;
	bool		ok = true;
	bool		noted = false;

	if (PQpipelineSync(conn) != 1)
	{
		pg_note_error(a->conn, NULL);
		PQexitPipelineMode(conn);
		return false;
	}
	for (;;)
	{
		PGresult   *res = PQgetResult(conn);

		if (res == NULL)
		{
			if (PQstatus(conn) == CONNECTION_BAD)
			{
				if (!noted)
					pg_note_error(a->conn, NULL);
				ok = false;
				break;
			}
			continue;			/* end of one query's results */
		}
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_PIPELINE_SYNC)
		{
			PQclear(res);
			break;
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		{
			if (!noted && st != PGRES_PIPELINE_ABORTED)
			{
				pg_note_error(a->conn, res);
				noted = true;
			}
			ok = false;
		}
		PQclear(res);
	}
	PQexitPipelineMode(conn);
	a->pipe_queries = 0;
	return ok;
}

/* ------------------------------------------------------------ emission */

static void
row_params(const Table *t, const Datum *row, const char **params, int *p)
{
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip)
			continue;
		params[(*p)++] = row[i].kind == DATUM_TEXT ? row[i].val : NULL;
	}
}

static void
key_params(const Table *t, const Datum *row, const char **params, int *p)
{
	for (int k = 0; k < t->npk; k++)
	{
		const Datum *d = &row[t->pk[k]];

		params[(*p)++] = d->kind == DATUM_TEXT ? d->val : NULL;
	}
}

/*
 * Note a written key for _godwit.changed_key_sets: the JSON array of its key
 * columns' text values (NULL-free: a primary key has no NULLs), or "*" for
 * a whole table.
 */
static void
note_key(Applier *a, const Table *t, const Datum *row)
{
	if (!a->opts.track_changes)
		return;
	if (t->npk == 0)
		row = NULL;				/* no key to name a row by: the whole table */
	gw_array_grow(a->key_tables, a->cap_keys, (size_t) a->nkeys + 1);
	a->key_tables[a->nkeys++] = t;
	if (row == NULL)
		sb_append(&a->keys, "*");
	else
	{
		sb_appendc(&a->keys, '[');
		for (int k = 0; k < t->npk; k++)
		{
			const Datum *d = &row[t->pk[k]];

			if (k)
				sb_appendc(&a->keys, ',');
			if (d->kind == DATUM_TEXT)
				json_append_string(&a->keys, d->val, d->len);
			else
				sb_append(&a->keys, "null");
		}
		sb_appendc(&a->keys, ']');
	}
	sb_appendc(&a->keys, '\0');
}

typedef struct NotedKey
{
	const Table *table;
	const char *key;
} NotedKey;

static int
noted_key_cmp(const void *x, const void *y)
{
	const NotedKey *a = x,
			   *b = y;

	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	return strcmp(a->key, b->key);
}

/*
 * Send the noted keys, each once per flush (a key deleted and written again
 * in one flush is noted twice): one _godwit.changed_key_sets row per table,
 * its keys one per line, so tracking adds one row per table and flush to
 * the target transaction rather than an index entry per changed row.
 */
static bool
emit_changed_keys(Applier *a)
{
	NotedKey   *keys = arena_alloc(&a->arena, sizeof(NotedKey) * (size_t) a->nkeys);
	const char *p = a->keys.data;
	int			nkeys = 0,
				i = 0;

	for (int k = 0; k < a->nkeys; k++)
	{
		keys[k] = (NotedKey) {a->key_tables[k], p};
		p += strlen(p) + 1;
	}
	qsort(keys, (size_t) a->nkeys, sizeof(NotedKey), noted_key_cmp);
	for (int k = 0; k < a->nkeys; k++)
		if (nkeys == 0 || noted_key_cmp(&keys[nkeys - 1], &keys[k]) != 0)
			keys[nkeys++] = keys[k];

	while (i < nkeys)
	{
		const Table *t = keys[i].table;
		StrBuf		list;
		char		count[24];
		int			n = 0;
		bool		ok;

		sb_init(&list, 0);
		for (; i < nkeys && keys[i].table == t; i++, n++)
		{
			if (n)
				sb_appendc(&list, '\n');
			sb_append(&list, keys[i].key);
		}
		snprintf(count, sizeof(count), "%d", n);
		const char *params[4] = {t->schema, t->name, count, list.data};

		ok = pipe_send(a, "INSERT INTO _godwit.changed_key_sets (table_schema, table_name, nkeys, keys) "
					   "VALUES ($1, $2, $3::INT8, $4)", 4, params);
		sb_free(&list);
		if (!ok)
			return false;
	}
	return true;
}

/* Send the deletes of one table (final DELETEs and pre-deletes). */
/*
 * Rows in the next multi-row statement, of `left` still to send: the
 * statement size (max), else the largest power of two not over left, so a
 * table's statements come in a few sizes that stay prepared.  A handful of
 * rows go in one last statement of their own.
 */
static int
chunk_rows(int left, int max)
{
	int			n = 1;

	if (left >= max)
		return max;
	while (n * 2 <= left)
		n *= 2;
	return n >= APPLY_MIN_PREPARED_ROWS ? n : left;
}

enum
{
	STMT_UPSERT,
	STMT_INSERT,
	STMT_DELETE,
};

typedef struct SqlBuild
{
	Applier    *a;
	const Table *t;
	int			kind;			/* STMT_* */
	int			nrows;
} SqlBuild;

/* The text of a multi-row statement (stmtcache_send's builder). */
static const char *
build_rows_sql(void *arg)
{
	SqlBuild   *b = arg;
	StrBuf	   *sql = &b->a->sql;

	sb_reset(sql);
	if (b->kind == STMT_UPSERT)
		target_sql_upsert(sql, b->a->dialect, b->t, b->nrows);
	else if (b->kind == STMT_INSERT)
		target_sql_insert(sql, b->a->dialect, b->t, b->nrows);
	else
		target_sql_delete(sql, b->t, b->nrows);
	return sql->data;
}

/* Send a multi-row statement: prepared when its size is one that repeats. */
static bool
send_rows(Applier *a, const Table *t, int kind, int nrows, int nparams, const char *const *params)
{
	SqlBuild	b = {a, t, kind, nrows};

	if (nrows < APPLY_MIN_PREPARED_ROWS)
		return pipe_send(a, build_rows_sql(&b), nparams, params);
	if (!stmtcache_send(a->stmts, a->conn, t, kind, nrows, build_rows_sql, &b, nparams, params))
		return false;
	a->pipe_queries++;
	return true;
}

static bool
emit_deletes(Applier *a, TableState *ts)
{
	const Table *t = ts->table;
	int			max = target_apply_max_rows(t, a->opts.max_rows_per_statement);
	int			i = 0;

	int			left = 0;

	for (int k = 0; k < ts->n; k++)
		left += ts->entries[k].kind == ENTRY_DELETE ||
			(ts->entries[k].kind == ENTRY_PARTIAL && ts->entries[k].pre_delete);
	while (i < ts->n && left > 0)
	{
		int			nkeys = 0,
					p = 0,
					want = chunk_rows(left, max);
		const char **params = param_array(a, (size_t) max * (size_t) (t->npk + 1));

		for (; i < ts->n && nkeys < want; i++)
		{
			Entry	   *e = &ts->entries[i];

			if (e->kind == ENTRY_DELETE)
			{
				key_params(t, e->key, params, &p);
				note_key(a, t, e->key);
			}
			else if (e->kind == ENTRY_PARTIAL && e->pre_delete)
				key_params(t, e->row, params, &p);
			else
				continue;
			nkeys++;
		}
		if (nkeys == 0)
			break;
		left -= nkeys;
		if (!send_rows(a, t, STMT_DELETE, nkeys, p, params))
			return false;
		a->stats.deletes += nkeys;
		metric_add(a->m_deletes, t->display, nkeys);
	}
	return true;
}

static int
partial_cmp(const void *x, const void *y)
{
	const Entry *const *a = x,
			   *const *b = y;

	return (*a)->seq < (*b)->seq ? -1 : (*a)->seq > (*b)->seq;
}

/* UPDATE rows of which only some columns were sent, in creation order. */
static bool
emit_partials(Applier *a)
{
	Entry	  **list = NULL;
	TableState **owner = NULL;
	int			n = 0;
	size_t		cap = 0;

	for (int ti = 0; ti < a->ntables; ti++)
	{
		TableState *ts = a->tables[ti];

		for (int i = 0; i < ts->n; i++)
		{
			if (ts->entries[i].kind != ENTRY_PARTIAL)
				continue;
			if ((size_t) n + 1 > cap)
			{
				cap = cap ? cap * 2 : 64;
				list = gw_realloc_array(list, cap, sizeof(Entry *));
				owner = gw_realloc_array(owner, cap, sizeof(TableState *));
			}
			list[n] = &ts->entries[i];
			owner[n] = ts;
			n++;
		}
	}
	if (n == 0)
		return true;
	/* sort entries and owners together: sort pointers, then find owners again */
	for (int i = 0; i < n; i++)
		list[i]->hash = (uint32_t) i;	/* the hash table is not used any more */
	Entry	  **sorted = gw_new_array(Entry *, (size_t) n);

	memcpy(sorted, list, sizeof(Entry *) * (size_t) n);
	qsort(sorted, (size_t) n, sizeof(Entry *), partial_cmp);

	bool		ok = true;

	for (int i = 0; i < n && ok; i++)
	{
		Entry	   *e = sorted[i];
		const Table *t = owner[e->hash]->table;
		bool	   *present = arena_alloc(&a->arena, (size_t) t->ncolumns + 1);
		const char **params = param_array(a, (size_t) t->ncolumns + (size_t) t->npk + 1);
		int			p = 0;

		for (int c = 0; c < t->ncolumns; c++)
		{
			present[c] = !t->columns[c].skip && e->row[c].kind != DATUM_UNCHANGED &&
				e->row[c].kind != DATUM_ABSENT;
			if (present[c])
				params[p++] = e->row[c].kind == DATUM_TEXT ? e->row[c].val : NULL;
		}
		key_params(t, e->key, params, &p);
		note_key(a, t, e->row);
		if (e->key != e->row)
			note_key(a, t, e->key);	/* the row moved away from there */
		sb_reset(&a->sql);
		target_sql_update(&a->sql, t, present);
		ok = pipe_send(a, a->sql.data, p, params);
		a->stats.updates++;
		metric_add(a->m_upserts, t->display, 1);
	}
	free(sorted);
	free(list);
	free(owner);
	return ok;
}

/* Does entry e go in a plain INSERT (else an upsert)? */
static bool
entry_is_plain_insert(const Applier *a, const Entry *e)
{
	return a->mode == MODE_INSERTS && e->absent;
}

/*
 * Send the upserted rows of one table: in plain INSERTs (plain == true) the
 * rows new in this flush, when the applier inserts those plainly; else the
 * others, in upserts.  The upserts go first: they may free a unique value a
 * new row takes (new rows free none).
 */
static bool
emit_upserts(Applier *a, TableState *ts, bool plain)
{
	const Table *t = ts->table;
	int			ncols = target_apply_ncolumns(t);
	int			max = target_apply_max_rows(t, a->opts.max_rows_per_statement);
	int			i = 0;

	int			left = 0;

	for (int k = 0; k < ts->n; k++)
		left += ts->entries[k].kind == ENTRY_UPSERT && entry_is_plain_insert(a, &ts->entries[k]) == plain;
	while (i < ts->n && left > 0)
	{
		int			nrows = 0,
					p = 0,
					want = chunk_rows(left, max);
		const char **params = param_array(a, (size_t) max * (size_t) (ncols + 1));

		for (; i < ts->n && nrows < want; i++)
		{
			if (ts->entries[i].kind != ENTRY_UPSERT || entry_is_plain_insert(a, &ts->entries[i]) != plain)
				continue;
			row_params(t, ts->entries[i].row, params, &p);
			note_key(a, t, ts->entries[i].row);
			nrows++;
		}
		if (nrows == 0)
			break;
		left -= nrows;
		if (!send_rows(a, t, plain ? STMT_INSERT : STMT_UPSERT, nrows, p, params))
			return false;
		a->stats.upserts += nrows;
		if (plain)
			a->plain_rows += nrows;
		metric_add(a->m_upserts, t->display, nrows);
	}
	return true;
}

/* Send everything collapsed so far, then clear the table states. */
static bool
emit_all(Applier *a)
{
	for (int i = 0; i < a->ntables; i++)
		if (!emit_deletes(a, a->tables[i]))
			return false;
	if (!emit_partials(a))
		return false;
	for (int i = 0; i < a->ntables; i++)
		if (!emit_upserts(a, a->tables[i], false) || !emit_upserts(a, a->tables[i], true))
			return false;
	for (int i = 0; i < a->ntables; i++)
		table_state_reset(a->tables[i]);
	return true;
}

static bool
emit_truncate(Applier *a, const Change *c)
{
	for (int i = 0; i < c->ntruncate; i++)
		note_key(a, c->truncate_tables[i], NULL);
	sb_reset(&a->sql);
	target_sql_truncate(&a->sql, c->truncate_tables, c->ntruncate, c->truncate_cascade);
	a->stats.truncates++;
	return pipe_send(a, a->sql.data, 0, NULL);
}

/*
 * A change to a table without a primary key: applied at once, in order, to
 * one row matching the old row in every column (the source must send whole
 * old rows: REPLICA IDENTITY FULL on PostgreSQL, FULL row images on MySQL).
 * An UNCHANGED (TOAST) value of the new row keeps the old row's value.
 */
static bool
emit_nopk(Applier *a, const Change *c)
{
	const Table *t = c->table;
	int			ncols = target_apply_ncolumns(t);
	const char **params = param_array(a, (size_t) ncols * 2 + 1);
	int			p = 0;

	if (c->op != CHANGE_INSERT && c->old_row == NULL)
	{
		err_set_kind(ERR_TARGET);
		log_error_dh(NULL, "set REPLICA IDENTITY FULL on the source table, or give it a primary key",
					 "cannot apply an update or delete to %s: it has no primary key and the source sent no old row",
					 t->display);
		return false;
	}
	if (c->old_row && !row_is_full(t, c->old_row))
	{
		err_set_kind(ERR_TARGET);
		log_error_dh(NULL, "set REPLICA IDENTITY FULL on the source table, or give it a primary key",
					 "cannot apply a change to %s: it has no primary key and the old row was not sent whole",
					 t->display);
		return false;
	}
	sb_reset(&a->sql);
	switch (c->op)
	{
		case CHANGE_INSERT:
			row_params(t, c->new_row, params, &p);
			target_sql_insert(&a->sql, a->dialect, t, 1);
			a->stats.upserts++;
			break;
		case CHANGE_DELETE:
			row_params(t, c->old_row, params, &p);
			target_sql_delete_one(&a->sql, a->dialect, t);
			a->stats.deletes++;
			break;
		case CHANGE_UPDATE:
			row_params(t, c->old_row, params, &p);
			row_params(t, merge_rows(a, t, c->new_row, c->old_row), params, &p);
			target_sql_update_one(&a->sql, a->dialect, t);
			a->stats.upserts++;
			break;
		case CHANGE_TRUNCATE:
			return true;
	}
	note_key(a, t, NULL);
	return pipe_send(a, a->sql.data, p, params);
}

/* Exact order: one statement per change, as the source ran them. */
static bool
emit_exact(Applier *a, const Change *c)
{
	const Table *t = c->table;
	const char **params;
	int			p = 0;

	if (c->op != CHANGE_TRUNCATE && t->npk == 0)
		return emit_nopk(a, c);
	switch (c->op)
	{
		case CHANGE_TRUNCATE:
			return emit_truncate(a, c);
		case CHANGE_DELETE:
			params = param_array(a, (size_t) t->npk + 1);
			key_params(t, c->old_row, params, &p);
			note_key(a, t, c->old_row);
			sb_reset(&a->sql);
			target_sql_delete(&a->sql, t, 1);
			a->stats.deletes++;
			return pipe_send(a, a->sql.data, p, params);
		case CHANGE_INSERT:
		case CHANGE_UPDATE:
			{
				const Datum *row = c->new_row;
				const Datum *where = c->old_row ? c->old_row : c->new_row;

				if (c->old_row)
					note_key(a, t, c->old_row);
				note_key(a, t, row_is_full(t, row) || c->old_row == NULL ? row : merge_rows(a, t, row, c->old_row));

				if (c->op == CHANGE_INSERT || row_is_full(t, row))
				{
					/* a full row whose key changed: delete the old key first */
					if (c->op == CHANGE_UPDATE && c->old_row)
					{
						params = param_array(a, (size_t) t->npk + 1);
						key_params(t, c->old_row, params, &p);
						sb_reset(&a->sql);
						target_sql_delete(&a->sql, t, 1);
						if (!pipe_send(a, a->sql.data, p, params))
							return false;
						p = 0;
					}
					params = param_array(a, (size_t) t->ncolumns + 1);
					row_params(t, row, params, &p);
					sb_reset(&a->sql);
					target_sql_upsert(&a->sql, a->dialect, t, 1);
					a->stats.upserts++;
					return pipe_send(a, a->sql.data, p, params);
				}
				bool	   *present = arena_alloc(&a->arena, (size_t) t->ncolumns + 1);

				params = param_array(a, (size_t) t->ncolumns + (size_t) t->npk + 1);
				for (int i = 0; i < t->ncolumns; i++)
				{
					present[i] = !t->columns[i].skip && row[i].kind != DATUM_UNCHANGED &&
						row[i].kind != DATUM_ABSENT;
					if (present[i])
						params[p++] = row[i].kind == DATUM_TEXT ? row[i].val : NULL;
				}
				key_params(t, where, params, &p);
				sb_reset(&a->sql);
				target_sql_update(&a->sql, t, present);
				a->stats.updates++;
				return pipe_send(a, a->sql.data, p, params);
			}
	}
	return true;
}

/* ------------------------------------------------------------ the flush */

/* The checkpoint the flush will store: the last complete transaction, and
 * the progress inside a trailing partial one. */
static void
flush_checkpoint(const Applier *a, ChangeBatch *const *batches, int n, Checkpoint *cp,
				 int64_t *commit_time_us, int64_t *source_txns)
{
	memset(cp, 0, sizeof(*cp));
	cp->position = a->cp.position;
	cp->txn_applied = -1;
	cp->commit_time_us = a->cp.commit_time_us;
	cp->changes_applied = a->cp.changes_applied;
	*source_txns = 0;
	for (int i = 0; i < n; i++)
	{
		const ChangeBatch *b = batches[i];

		cp->changes_applied += b->nchanges;
		if (b->is_last)
		{
			cp->position = (char *) b->txn.position;
			cp->txn_id = NULL;
			cp->txn_applied = -1;
			cp->commit_time_us = b->txn.commit_time_us;
			(*source_txns)++;
		}
		else
		{
			cp->txn_id = (char *) b->txn.txn_id;
			cp->txn_applied = b->first_index + b->nchanges;
		}
	}
	*commit_time_us = cp->commit_time_us;
}

/*
 * Changes of a re-sent transaction that a previous flush already applied
 * (the checkpoint was inside it) are skipped here too, as a second guard
 * after the stream's own skipping.
 */
static int
changes_to_skip(const Applier *a, const ChangeBatch *b)
{
	if (a->cp.txn_id == NULL || strcmp(a->cp.txn_id, b->txn.txn_id) != 0)
		return 0;
	int64_t		done = a->cp.txn_applied - b->first_index;

	if (done <= 0)
		return 0;
	return done > b->nchanges ? b->nchanges : (int) done;
}

typedef enum FlushResult
{
	FLUSH_OK,
	FLUSH_DB_ERROR,				/* the target refused: error noted on the connection */
	FLUSH_FATAL,				/* a change cannot be applied (logged) */
} FlushResult;

/* One attempt at writing the flush in one pipelined transaction. */
static FlushResult
flush_attempt(Applier *a, ChangeBatch *const *batches, int n, ApplyMode mode, const Checkpoint *cp)
{
	bool		ok = true;
	bool		exact = mode == MODE_EXACT;

	arena_reset(&a->arena);
	a->seq = 0;
	sb_reset(&a->keys);
	a->nkeys = 0;
	for (int i = 0; i < a->ntables; i++)
		table_state_reset(a->tables[i]);
	if (PQenterPipelineMode(a->conn->conn) != 1)
	{
		pg_note_error(a->conn, NULL);
		return FLUSH_DB_ERROR;
	}
	a->truncates_ignored = 0;
	a->mode = mode;
	a->plain_rows = 0;
	ok = pipe_send(a, "BEGIN", 0, NULL);
	for (int bi = 0; bi < n && ok; bi++)
	{
		const ChangeBatch *b = batches[bi];

		for (int ci = changes_to_skip(a, b); ci < b->nchanges && ok; ci++)
		{
			const Change *c = &b->changes[ci];

			if (c->op == CHANGE_TRUNCATE && a->opts.ignore_truncate)
			{
				if (a->truncates_ignored++ == 0 && c->ntruncate > 0)
					a->truncate_ignored = c->truncate_tables[0];
				continue;
			}
			if (exact)
				ok = emit_exact(a, c);
			else if (c->op == CHANGE_TRUNCATE)
				ok = emit_all(a) && emit_truncate(a, c);
			else if (c->table->npk == 0)
				ok = emit_nopk(a, c);	/* no key to collapse by: in order */
			else if (!collapse_change(a, c))
			{
				pipe_finish(a);	/* drain what was sent; the transaction is rolled back */
				pg_exec_quiet(a->conn, "ROLLBACK");
				return FLUSH_FATAL;
			}
		}
	}
	if (ok && !exact)
		ok = emit_all(a);
	if (ok && a->nkeys > 0)
		ok = emit_changed_keys(a);
	if (ok)
	{
		char		applied[32],
					total[32],
					ct[48];
		const char *params[6] = {a->opts.stream_name, cp->position, cp->txn_id, applied, total,
		cp->commit_time_us ? ct : NULL};

		snprintf(applied, sizeof(applied), "%lld", (long long) cp->txn_applied);
		snprintf(total, sizeof(total), "%lld", (long long) cp->changes_applied);
		snprintf(ct, sizeof(ct), "%.6f", (double) cp->commit_time_us / 1e6);
		ok = pipe_send(a, TARGET_CHECKPOINT_UPSERT_SQL, 6, params) && pipe_send(a, "COMMIT", 0, NULL);
	}
	if (!pipe_finish(a))
		ok = false;
	return ok ? FLUSH_OK : FLUSH_DB_ERROR;
}

bool
applier_flush(Applier *a, ChangeBatch *const *batches, int n)
{
	Checkpoint	cp;
	int64_t		commit_time_us,
				source_txns;
	RetryState	retry;
	ApplyMode	mode = a->plain_inserts ? MODE_INSERTS : MODE_UPSERTS;
	char	   *conflict = NULL;	/* what refused a plain INSERT */
	int64_t		nchanges = 0;

	for (int i = 0; i < n; i++)
		nchanges += batches[i]->nchanges;
	if (nchanges == 0 && (n == 0 || !batches[n - 1]->is_last))
		return true;
	flush_checkpoint(a, batches, n, &cp, &commit_time_us, &source_txns);
	if (cp.position == NULL)
		cp.position = "";
	retry_init(&retry, &RETRY_TXN);
	for (;;)
	{
		ApplyStats	before = a->stats;
		FlushResult r = flush_attempt(a, batches, n, mode, &cp);

		if (r == FLUSH_OK)
		{
			stmtcache_commit(a->stmts);
			if (conflict && mode == MODE_UPSERTS)
			{
				/*
				 * Upserts went through where a plain INSERT had not: the
				 * target had a row the source inserted.  It is not the copy
				 * of the source the stream assumes (written to directly,
				 * replication-only onto data loaded another way ...);
				 * upserts converge whatever it holds, and stay.
				 */
				log_info("a plain INSERT was refused where upserts were not (%s): the target holds rows the source "
						 "did not; inserting by upserts from now on", conflict);
				a->plain_inserts = false;
			}
			free(conflict);
			if (a->truncates_ignored > 0)
				log_info("ignored %d TRUNCATE%s (first of %s): --ignore-truncate keeps the rows on the target",
						 a->truncates_ignored, a->truncates_ignored == 1 ? "" : "s",
						 a->truncate_ignored ? a->truncate_ignored->display : "a table");
			break;
		}
		a->stats = before;
		if (r == FLUSH_FATAL)
		{
			free(conflict);
			return false;
		}
		/* the failure decides what comes next: kept across the cleanup */
		PgErrorSave failure;

		pg_error_save(a->conn, &failure);
		pg_exec_quiet(a->conn, "ROLLBACK");
		stmtcache_abort(a->stmts, a->conn);
		pg_error_restore(a->conn, &failure);
		bool		unique = strcmp(a->conn->sqlstate, "23505") == 0;
		bool		foreign = strcmp(a->conn->sqlstate, "23503") == 0;

		if ((unique || foreign) && mode == MODE_INSERTS && a->plain_rows > 0)
		{
			/*
			 * A plain INSERT may have met a row the target has (unique), or
			 * an upserted row referred to a new one inserted after it
			 * (foreign): upserts, one statement per table, tell.
			 */
			if (unique)
			{
				free(conflict);
				conflict = gw_strdup(a->conn->last_error);
			}
			mode = MODE_UPSERTS;
			continue;
		}
		if (mode != MODE_EXACT && (unique || foreign))
		{
			/* a unique or foreign key refused the collapsed order: replay exactly */
			log_debug("a constraint refused the collapsed batch (%s): replaying %lld changes in source order",
					  a->conn->last_error, (long long) nchanges);
			mode = MODE_EXACT;
			a->stats.exact_replays++;
			continue;
		}
		if (pg_error_is_connection(a->conn))
		{
			log_warn("lost the target while applying; reconnecting");
			stmtcache_forget(a->stmts);
			while (!pg_reconnect(a->conn, a->url))
				if (!retry_wait(&retry))
				{
					free(conflict);
					return false;
				}
			continue;
		}
		if (pg_error_is_retryable(a->conn) && retry_wait(&retry))
		{
			log_debug("retrying the flush after SQLSTATE %s: %s", a->conn->sqlstate, a->conn->last_error);
			continue;
		}
		pg_log_error(a->conn, "could not apply replicated changes");
		free(conflict);
		return false;
	}

	/* committed: remember the checkpoint */
	char	   *pos = gw_strdup(cp.position);
	char	   *txn = cp.txn_id ? gw_strdup(cp.txn_id) : NULL;

	free(a->cp.position);
	free(a->cp.txn_id);
	a->cp = cp;
	a->cp.position = pos;
	a->cp.txn_id = txn;
	a->stats.changes += nchanges;
	a->stats.source_txns += source_txns;
	a->stats.target_txns++;
	metric_observe(a->m_flush_rows, NULL, (double) nchanges);
	if (commit_time_us > 0 && source_txns > 0)
	{
		double		lag = (double) (time_now_us() - commit_time_us) / 1e6;

		metric_observe(a->m_lag, NULL, lag < 0 ? 0 : lag);
	}
	return true;
}

/* ------------------------------------------------------------ lifecycle */

Applier *
applier_new(PgConn *target, const ConnUrl *url, const ApplyOptions *o, const Checkpoint *initial)
{
	static const double lag_buckets[] = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300};
	static const double rows_buckets[] = {1, 10, 100, 1000, 10000, 100000};
	Applier    *a = gw_new(Applier);

	a->conn = target;
	a->url = url;
	a->dialect = target_dialect(target);
	a->opts = *o;
	if (a->opts.max_rows_per_statement <= 0)
		a->opts.max_rows_per_statement = 1000;
	/*
	 * On PostgreSQL a plain INSERT costs a third less than an upsert (no
	 * conflict probe, no speculative insertion); CockroachDB's UPSERT is
	 * already a blind write.  Skipped TRUNCATEs leave rows the source no
	 * longer has, so inserts meet them: upserts from the start.
	 */
	a->plain_inserts = a->dialect == TARGET_POSTGRES && !a->opts.ignore_truncate;
	arena_init(&a->arena, 1 << 20);
	sb_init(&a->sql, 0);
	a->stmts = stmtcache_new(APPLY_PREPARED_STATEMENTS);
	sb_init(&a->keys, 0);
	a->cp.txn_applied = -1;
	if (initial)
	{
		a->cp = *initial;
		a->cp.position = initial->position ? gw_strdup(initial->position) : NULL;
		a->cp.txn_id = initial->txn_id ? gw_strdup(initial->txn_id) : NULL;
	}
	a->m_upserts = metrics_counter("apply_upserts_total", "rows upserted on the target", "table");
	a->m_deletes = metrics_counter("apply_deletes_total", "rows deleted on the target", "table");
	a->m_lag = metrics_histogram("source_commit_to_apply_lag_seconds",
								 "time from a source commit to its target commit", NULL,
								 lag_buckets, (int) (sizeof(lag_buckets) / sizeof(lag_buckets[0])));
	a->m_flush_rows = metrics_histogram("apply_batch_changes", "source changes per target transaction",
										NULL, rows_buckets, (int) (sizeof(rows_buckets) / sizeof(rows_buckets[0])));
	return a;
}

void
applier_free(Applier *a)
{
	if (a == NULL)
		return;
	for (int i = 0; i < a->ntables; i++)
	{
		free(a->tables[i]->entries);
		free(a->tables[i]->slots);
		free(a->tables[i]);
	}
	free(a->tables);
	free(a->params);
	free(a->key_tables);
	sb_free(&a->keys);
	free(a->cp.position);
	free(a->cp.txn_id);
	sb_free(&a->sql);
	stmtcache_release(a->stmts, a->conn);	/* the connection is the caller's */
	stmtcache_free(a->stmts);
	arena_free(&a->arena);
	free(a);
}

const Checkpoint *
applier_checkpoint(const Applier *a)
{
	return &a->cp;
}

const ApplyStats *
applier_stats(const Applier *a)
{
	return &a->stats;
}
