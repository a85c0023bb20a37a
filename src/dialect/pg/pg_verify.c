/*
 * src/dialect/pg/pg_verify.c
 *	  Verification reads from a PostgreSQL source: consistent key-ordered
 *	  row streams and range hashes (SourceOps.verify_*, see source.h).
 *
 * A reader is its own connection.  verify_begin opens a REPEATABLE READ,
 * READ ONLY transaction whose first statement reads
 * pg_current_wal_insert_lsn(): the snapshot is taken as that statement
 * starts, so the LSN it returns covers the commit record of every
 * transaction the snapshot sees, which is what the live verifier waits for
 * the replicator to pass.  (Not pg_current_wal_lsn(): with
 * synchronous_commit = off a visible transaction's commit record may not be
 * written yet.)
 *
 * Values are selected through each column's select_expr, so they arrive in
 * the target's text form exactly as fetch copies them.  The session prints
 * dates, intervals, floats, bytea and money the way the target session does
 * (target_verify_session), so a range hash computed here equals the
 * target's when the rows are equal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/pg/pg_source.h"
#include "dialect/source.h"

struct VerifyReader
{
	PgConn		conn;
	bool		in_txn;
};

VerifyReader *
pg_verify_open(Source *src, const Catalog *cat)
{
	(void) cat;
	VerifyReader *r = gw_new(VerifyReader);

	if (!pg_connect(&r->conn, src->url, ROLE_SOURCE, false))
	{
		free(r);
		return NULL;
	}
	if (!pg_exec(&r->conn, "SET DateStyle = 'ISO, MDY'") ||
		!pg_exec(&r->conn, "SET IntervalStyle = 'postgres'") ||
		!pg_exec(&r->conn, "SET TimeZone = 'UTC'") ||
		!pg_exec(&r->conn, "SET extra_float_digits = 1") ||
		!pg_exec(&r->conn, "SET bytea_output = 'hex'") ||
		!pg_exec(&r->conn, "SET lc_monetary = 'C'"))
	{
		pg_disconnect(&r->conn);
		free(r);
		return NULL;
	}
	return r;
}

void
pg_verify_close(VerifyReader *r)
{
	if (r == NULL)
		return;
	pg_disconnect(&r->conn);
	free(r);
}

bool
pg_verify_begin(VerifyReader *r, char *position, size_t poslen)
{
	PGresult   *res;

	if (r->in_txn)
		pg_exec_quiet(&r->conn, "ROLLBACK");
	r->in_txn = false;
	if (!pg_exec(&r->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
		return false;
	r->in_txn = true;
	res = pg_query(&r->conn, "SELECT pg_catalog.pg_current_wal_insert_lsn()::text", 0, NULL);
	if (res == NULL)
		return false;
	snprintf(position, poslen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

void
pg_verify_end(VerifyReader *r)
{
	if (r->in_txn)
		pg_exec_quiet(&r->conn, "ROLLBACK");
	r->in_txn = false;
}

/* ----------------------------------------------------------- SQL pieces */

static void
append_from(StrBuf *sql, const Table *t)
{
	sb_append(sql, " FROM ");
	if (!t->is_partitioned)
		sb_append(sql, "ONLY ");
	sb_append_qualified(sql, t->schema, t->name);
}

static void
append_where(StrBuf *sql, const Table *t, const RowSelection *sel, const ShardRange *r)
{
	bool		where = false;

	if (r && (r->lo || r->hi) && t->npk > 0)
	{
		const Column *key = &t->columns[t->pk[0]];

		sb_append(sql, " WHERE ");
		where = true;
		if (r->lo)
		{
			sb_append_ident(sql, key->name);
			sb_append(sql, " >= ");
			sb_append_literal(sql, r->lo);
			sb_appendf(sql, "::%s", key->source_type);
		}
		if (r->lo && r->hi)
			sb_append(sql, " AND ");
		if (r->hi)
		{
			sb_append_ident(sql, key->name);
			sb_append(sql, " < ");
			sb_append_literal(sql, r->hi);
			sb_appendf(sql, "::%s", key->source_type);
		}
	}
	if (sel && sel->keys && t->npk > 0)
	{
		sb_append(sql, where ? " AND (" : " WHERE (");
		for (int i = 0; i < t->npk; i++)
		{
			if (i)
				sb_append(sql, ", ");
			sb_append_ident(sql, t->columns[t->pk[i]].name);
		}
		sb_append(sql, ") IN (");
		if (sel->nkeys == 0)
			sb_append(sql, "SELECT NULL WHERE false");
		for (int k = 0; k < sel->nkeys; k++)
		{
			sb_append(sql, k ? ", (" : "(");
			for (int i = 0; i < t->npk; i++)
			{
				if (i)
					sb_append(sql, ", ");
				sb_append_literal(sql, sel->keys[(size_t) k * (size_t) t->npk + (size_t) i]);
				sb_appendf(sql, "::%s", t->columns[t->pk[i]].source_type);
			}
			sb_append(sql, ")");
		}
		sb_append(sql, ")");
	}
}

static void
append_order(StrBuf *sql, const Table *t, const RowSelection *sel)
{
	if (t->npk == 0)
		return;
	sb_append(sql, " ORDER BY ");
	for (int i = 0; i < t->npk; i++)
	{
		const Column *k = &t->columns[t->pk[i]];

		if (i)
			sb_append(sql, ", ");
		sb_append_ident(sql, k->name);
		if (!sel->key_by_text || !sel->key_by_text[i])
			continue;
		/* citext, enums, ...: order their text, not by their own operators */
		if (k->array_dims > 0 || !(strcmp(k->source_base, "text") == 0 || strcmp(k->source_base, "varchar") == 0 ||
								   strcmp(k->source_base, "bpchar") == 0 || strcmp(k->source_base, "name") == 0))
			sb_append(sql, "::text");
		sb_append(sql, " COLLATE \"C\"");
	}
}

/* ----------------------------------------------------------- reads */

bool
pg_verify_read(VerifyReader *r, const Table *t, const RowSelection *sel, const VerifyRowSink *sink,
			   int64_t *rows)
{
	StrBuf		sql;
	PGresult   *res;
	int			n = 0;
	int		   *colmap = gw_new_array(int, (size_t) t->ncolumns + 1);
	const char **vals = gw_new_array(const char *, (size_t) t->ncolumns + 1);
	size_t	   *lens = gw_new_array(size_t, (size_t) t->ncolumns + 1);
	const char **errs = gw_new_array(const char *, (size_t) t->ncolumns + 1);
	VerifyRow	row = {vals, lens, errs};
	bool		ok = true,
				stopped = false;

	*rows = 0;
	sb_init(&sql, SB_DEFAULT_LIMIT);
	sb_append(&sql, "SELECT ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *col = &t->columns[i];

		if (col->skip)
			continue;
		if (n)
			sb_append(&sql, ", ");
		if (col->select_expr)
			sb_append(&sql, col->select_expr);
		else
			sb_append_ident(&sql, col->name);
		colmap[n++] = i;
	}
	if (n == 0)
		sb_append(&sql, "1");
	append_from(&sql, t);
	append_where(&sql, t, sel, sel->range);
	append_order(&sql, t, sel);
	log_trace("source: %s", sql.data);

	if (!sb_ok(&sql) || !PQsendQuery(r->conn.conn, sql.data) || !PQsetSingleRowMode(r->conn.conn))
	{
		pg_note_error(&r->conn, NULL);
		pg_log_error(&r->conn, "could not read rows from the source");
		ok = false;
		goto done;
	}
	while ((res = PQgetResult(r->conn.conn)) != NULL)
	{
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE && !stopped)
		{
			for (int i = 0; i < t->ncolumns; i++)
				vals[i] = NULL;
			for (int k = 0; k < n; k++)
			{
				if (PQgetisnull(res, 0, k))
					continue;
				vals[colmap[k]] = PQgetvalue(res, 0, k);
				lens[colmap[k]] = (size_t) PQgetlength(res, 0, k);
			}
			(*rows)++;
			if (!sink->row(sink->arg, &row))
			{
				/* the sink failed or has enough: stop the query, drain the rest */
				PGcancel   *cancel = PQgetCancel(r->conn.conn);
				char		errbuf[256];

				stopped = true;
				ok = false;
				if (cancel)
				{
					PQcancel(cancel, errbuf, sizeof(errbuf));
					PQfreeCancel(cancel);
				}
			}
		}
		else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && !stopped && ok)
		{
			pg_note_error(&r->conn, res);
			pg_log_error(&r->conn, "could not read rows from the source");
			ok = false;
		}
		PQclear(res);
	}
	if (stopped)
	{
		/* a cancelled statement aborts the snapshot transaction: end it */
		pg_rollback(&r->conn);
		r->in_txn = false;
	}

done:
	sb_free(&sql);
	free(colmap);
	free(vals);
	free(lens);
	free(errs);
	return ok;
}

bool
pg_verify_hash(VerifyReader *r, const Table *t, const ShardRange *range, RangeHash *out)
{
	StrBuf		sql;
	PGresult   *res;
	int			n = 0;

	memset(out, 0, sizeof(*out));
	sb_init(&sql, SB_DEFAULT_LIMIT);
	sb_append(&sql, "SELECT count(*), coalesce(sum(pg_catalog.hashtextextended(ROW(");
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *col = &t->columns[i];

		if (col->skip)
			continue;
		if (n++)
			sb_append(&sql, ", ");
		if (col->select_expr)
			sb_append(&sql, col->select_expr);
		else
			sb_append_ident(&sql, col->name);
	}
	sb_append(&sql, ")::text, 0)), 0)::text");
	append_from(&sql, t);
	append_where(&sql, t, NULL, range);
	log_trace("source: %s", sql.data);
	res = pg_query(&r->conn, sql.data, 0, NULL);
	sb_free(&sql);
	if (res == NULL)
		return false;
	out->rows = atoll(PQgetvalue(res, 0, 0));
	snprintf(out->sum, sizeof(out->sum), "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return true;
}
