/*
 * src/dialect/pg/pg_stmtcache.c
 *	  Bounded cache of named prepared statements (see pg_stmtcache.h).
 *
 * The entries are few (the capacity is tens), so lookups are a linear scan;
 * recency is a counter stamped on each use.
 */
#include "dialect/pg/pg_stmtcache.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/mem.h"

typedef struct StmtEntry
{
	const void *owner;
	int			kind;
	int			nrows;
	bool		pending;		/* prepared in the pipeline now in flight */
	uint64_t	last_used;
	char		name[32];
} StmtEntry;

struct StmtCache
{
	StmtEntry  *entries;
	int			n;
	int			capacity;
	uint64_t	clock;			/* use counter */
};

/*
 * Statement names: godwit_s<n>, never reused in the process, so that a
 * cache created later on the same connection (another applier) never meets
 * a name still prepared there.
 */
static atomic_uint_fast64_t stmt_names;

StmtCache *
stmtcache_new(int capacity)
{
	StmtCache  *c = gw_new(StmtCache);

	c->capacity = capacity > 0 ? capacity : 1;
	c->entries = gw_new_array(StmtEntry, (size_t) c->capacity);
	return c;
}

void
stmtcache_free(StmtCache *c)
{
	if (c == NULL)
		return;
	free(c->entries);
	free(c);
}

static StmtEntry *
find(StmtCache *c, const void *owner, int kind, int nrows)
{
	for (int i = 0; i < c->n; i++)
	{
		StmtEntry  *e = &c->entries[i];

		if (e->owner == owner && e->kind == kind && e->nrows == nrows)
			return e;
	}
	return NULL;
}

/* Queue "DEALLOCATE name" in the open pipeline. */
static bool
send_deallocate(PgConn *conn, const char *name)
{
	char		sql[64];

	snprintf(sql, sizeof(sql), "DEALLOCATE %s", name);
	if (PQsendQueryParams(conn->conn, sql, 0, NULL, NULL, NULL, NULL, 0) != 1)
	{
		pg_note_error(conn, NULL);
		return false;
	}
	return true;
}

/*
 * A free slot: a new one, or the least recently used committed entry, whose
 * statement is deallocated in the pipeline.  NULL when every entry is
 * pending (all in use by this pipeline): the caller runs the statement
 * unprepared.
 */
static StmtEntry *
make_room(StmtCache *c, PgConn *conn, bool *ok)
{
	StmtEntry  *victim = NULL;

	*ok = true;
	if (c->n < c->capacity)
		return &c->entries[c->n++];
	for (int i = 0; i < c->n; i++)
		if (!c->entries[i].pending && (victim == NULL || c->entries[i].last_used < victim->last_used))
			victim = &c->entries[i];
	if (victim == NULL)
		return NULL;
	log_debug("deallocating prepared statement %s to make room", victim->name);
	*ok = send_deallocate(conn, victim->name);
	return victim;
}

bool
stmtcache_send(StmtCache *c, PgConn *conn, const void *owner, int kind, int nrows,
			   const char *(*build_sql) (void *arg), void *arg, int nparams, const char *const *params)
{
	StmtEntry  *e = find(c, owner, kind, nrows);
	bool		ok = true;

	if (e == NULL)
	{
		const char *sql = build_sql(arg);

		e = make_room(c, conn, &ok);
		if (!ok)
			return false;
		if (e == NULL)
		{
			if (PQsendQueryParams(conn->conn, sql, nparams, NULL, params, NULL, NULL, 0) != 1)
			{
				pg_note_error(conn, NULL);
				return false;
			}
			return true;
		}
		e->owner = owner;
		e->kind = kind;
		e->nrows = nrows;
		e->pending = true;
		snprintf(e->name, sizeof(e->name), "godwit_s%llu", (unsigned long long) (atomic_fetch_add(&stmt_names, 1) + 1));
		if (PQsendPrepare(conn->conn, e->name, sql, nparams, NULL) != 1)
		{
			pg_note_error(conn, NULL);
			return false;
		}
	}
	e->last_used = ++c->clock;
	if (PQsendQueryPrepared(conn->conn, e->name, nparams, params, NULL, NULL, 0) != 1)
	{
		pg_note_error(conn, NULL);
		return false;
	}
	return true;
}

void
stmtcache_commit(StmtCache *c)
{
	for (int i = 0; i < c->n; i++)
		c->entries[i].pending = false;
}

/* Remove entry i (order does not matter). */
static void
remove_entry(StmtCache *c, int i)
{
	c->entries[i] = c->entries[--c->n];
}

void
stmtcache_abort(StmtCache *c, PgConn *conn)
{
	for (int i = c->n - 1; i >= 0; i--)
	{
		char		sql[64];

		if (!c->entries[i].pending)
			continue;
		/* it may not exist (its Parse was skipped after the error): ignored */
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", c->entries[i].name);
		if (PQstatus(conn->conn) == CONNECTION_OK && !pg_exec_quiet(conn, sql))
			log_debug("statement %s was not prepared", c->entries[i].name);
		remove_entry(c, i);
	}
}

void
stmtcache_forget(StmtCache *c)
{
	c->n = 0;
}

void
stmtcache_release(StmtCache *c, PgConn *conn)
{
	for (int i = 0; i < c->n; i++)
	{
		char		sql[64];

		if (PQstatus(conn->conn) != CONNECTION_OK || PQtransactionStatus(conn->conn) != PQTRANS_IDLE)
			break;
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", c->entries[i].name);
		pg_exec_quiet(conn, sql);
	}
	c->n = 0;
}
