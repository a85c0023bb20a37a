/*
 * src/dialect/target_verify.c
 *	  The target side of godwit verify (see target_verify.h).
 *
 * Rows are streamed in libpq's single-row mode rather than with COPY TO:
 * CockroachDB restricts COPY, and a plain SELECT is valid on both dialects.
 * Memory holds one row whatever the range size.
 */
#include "dialect/target_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/typemap.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "dialect/target_state.h"

bool
target_verify_session(PgConn *c)
{
	if (!pg_exec(c, "SET DateStyle = 'ISO, MDY'") ||
		!pg_exec(c, "SET IntervalStyle = 'postgres'") ||
		!pg_exec(c, "SET TimeZone = 'UTC'") ||
		!pg_exec(c, "SET extra_float_digits = 1") ||
		!pg_exec(c, "SET bytea_output = 'hex'"))
		return false;
	/* money prints per lc_monetary; CockroachDB has no money type */
	if (!pg_is_cockroach(c) && !pg_exec(c, "SET lc_monetary = 'C'"))
		return false;
	return true;
}

/* ------------------------------------------------------------- catalog */

bool
target_verify_list_tables(PgConn *c, const char *const *schemas, int nschemas, TargetTableName **out,
						  int *n)
{
	TargetTableName *list = NULL;
	int			cap = 0;

	*out = NULL;
	*n = 0;
	for (int s = 0; s < nschemas; s++)
	{
		const char *params[1] = {schemas[s]};
		PGresult   *res = pg_query(c,
								   "SELECT table_name FROM information_schema.tables "
								   "WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
								   1, params);

		if (res == NULL)
		{
			target_verify_free_tables(list, *n);
			return false;
		}
		for (int i = 0; i < PQntuples(res); i++)
		{
			gw_array_grow(list, cap, *n + 1);
			list[*n].schema = gw_strdup(schemas[s]);
			list[*n].name = gw_strdup(PQgetvalue(res, i, 0));
			(*n)++;
		}
		PQclear(res);

		/*
		 * PostgreSQL lists partitions as base tables too: they hold the
		 * partitioned table's rows and are no table of their own.
		 */
		if (!pg_is_cockroach(c))
		{
			res = pg_query(c,
						   "SELECT c.relname FROM pg_catalog.pg_class c "
						   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
						   "WHERE n.nspname = $1 AND c.relispartition", 1, params);
			if (res == NULL)
			{
				target_verify_free_tables(list, *n);
				return false;
			}
			for (int i = 0; i < PQntuples(res); i++)
				for (int k = 0; k < *n; k++)
					if (list[k].name && strcmp(list[k].schema, schemas[s]) == 0 &&
						strcmp(list[k].name, PQgetvalue(res, i, 0)) == 0)
					{
						free(list[k].name);
						list[k].name = NULL;
					}
			PQclear(res);
			/* partitioned parents are not "BASE TABLE" in information_schema */
			res = pg_query(c,
						   "SELECT c.relname FROM pg_catalog.pg_class c "
						   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
						   "WHERE n.nspname = $1 AND c.relkind = 'p' AND NOT c.relispartition", 1, params);
			if (res == NULL)
			{
				target_verify_free_tables(list, *n);
				return false;
			}
			for (int i = 0; i < PQntuples(res); i++)
			{
				bool		have = false;

				for (int k = 0; k < *n && !have; k++)
					have = list[k].name && strcmp(list[k].schema, schemas[s]) == 0 &&
						strcmp(list[k].name, PQgetvalue(res, i, 0)) == 0;
				if (have)
					continue;
				gw_array_grow(list, cap, *n + 1);
				list[*n].schema = gw_strdup(schemas[s]);
				list[*n].name = gw_strdup(PQgetvalue(res, i, 0));
				(*n)++;
			}
			PQclear(res);
		}
	}
	/* squeeze out the partitions */
	int			k = 0;

	for (int i = 0; i < *n; i++)
	{
		if (list[i].name == NULL)
		{
			free(list[i].schema);
			continue;
		}
		list[k++] = list[i];
	}
	*n = k;
	*out = list;
	return true;
}

void
target_verify_free_tables(TargetTableName *t, int n)
{
	for (int i = 0; i < n; i++)
	{
		free(t[i].schema);
		free(t[i].name);
	}
	free(t);
}

bool
target_verify_columns(PgConn *c, const char *schema, const char *table, TargetColumnInfo **out, int *n)
{
	const char *params[2] = {schema, table};
	PGresult   *res = pg_query(c,
							   "SELECT column_name, data_type, udt_name, domain_name, is_nullable, "
							   "  character_maximum_length, numeric_precision, numeric_scale "
							   "FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
							   "ORDER BY ordinal_position", 2, params);

	*out = NULL;
	*n = 0;
	if (res == NULL)
		return false;
	*n = PQntuples(res);
	*out = gw_new_array(TargetColumnInfo, (size_t) *n + 1);
	for (int i = 0; i < *n; i++)
	{
		TargetColumnInfo *ci = &(*out)[i];
		const char *udt = PQgetvalue(res, i, 2);

		ci->name = gw_strdup(PQgetvalue(res, i, 0));
		ci->is_array = strcmp(PQgetvalue(res, i, 1), "ARRAY") == 0;
		ci->type_name = gw_strdup(udt);
		ci->domain_name = PQgetisnull(res, i, 3) ? NULL : gw_strdup(PQgetvalue(res, i, 3));
		ci->nullable = strcmp(PQgetvalue(res, i, 4), "YES") == 0;
		ci->length = PQgetisnull(res, i, 5) ? -1 : atoll(PQgetvalue(res, i, 5));
		ci->precision = PQgetisnull(res, i, 6) ? -1 : atoi(PQgetvalue(res, i, 6));
		ci->scale = PQgetisnull(res, i, 7) ? -1 : atoi(PQgetvalue(res, i, 7));
	}
	PQclear(res);
	return true;
}

void
target_verify_free_columns(TargetColumnInfo *cols, int n)
{
	for (int i = 0; i < n; i++)
	{
		free(cols[i].name);
		free(cols[i].type_name);
		free(cols[i].domain_name);
	}
	free(cols);
}

/* ------------------------------------------------------------- SQL pieces */

static void
append_range(StrBuf *sql, const Table *t, const ShardRange *r, bool *where)
{
	const Column *key;

	if (r == NULL || (r->lo == NULL && r->hi == NULL) || t->npk == 0)
		return;
	key = &t->columns[t->pk[0]];
	sb_append(sql, *where ? " AND " : " WHERE ");
	*where = true;
	if (r->lo)
	{
		sb_append_ident(sql, key->target_name);
		sb_append(sql, " >= ");
		sb_append_literal(sql, r->lo);
		sb_appendf(sql, "::%s", key->target_type);
	}
	if (r->lo && r->hi)
		sb_append(sql, " AND ");
	if (r->hi)
	{
		sb_append_ident(sql, key->target_name);
		sb_append(sql, " < ");
		sb_append_literal(sql, r->hi);
		sb_appendf(sql, "::%s", key->target_type);
	}
}

static void
append_keys(StrBuf *sql, const Table *t, const RowSelection *sel, bool *where)
{
	if (sel->keys == NULL || t->npk == 0)
		return;
	sb_append(sql, *where ? " AND " : " WHERE ");
	*where = true;
	if (sel->nkeys == 0)
	{
		sb_append(sql, "false");
		return;
	}
	sb_append(sql, "(");
	for (int i = 0; i < t->npk; i++)
	{
		if (i)
			sb_append(sql, ", ");
		sb_append_ident(sql, t->columns[t->pk[i]].target_name);
	}
	sb_append(sql, ") IN (");
	for (int k = 0; k < sel->nkeys; k++)
	{
		sb_append(sql, k ? ", (" : "(");
		for (int i = 0; i < t->npk; i++)
		{
			if (i)
				sb_append(sql, ", ");
			sb_append_literal(sql, sel->keys[(size_t) k * (size_t) t->npk + (size_t) i]);
			sb_appendf(sql, "::%s", t->columns[t->pk[i]].target_type);
		}
		sb_append(sql, ")");
	}
	sb_append(sql, ")");
}

/* ORDER BY the key, each column by value or by the bytes of its text. */
static void
append_order(PgConn *c, StrBuf *sql, const Table *t, const RowSelection *sel)
{
	if (t->npk == 0)
		return;
	sb_append(sql, " ORDER BY ");
	for (int i = 0; i < t->npk; i++)
	{
		const Column *k = &t->columns[t->pk[i]];
		char		canon[256];

		if (i)
			sb_append(sql, ", ");
		sb_append_ident(sql, k->target_name);
		if (!sel->key_by_text || !sel->key_by_text[i])
			continue;
		typemap_canonical(k->target_type, canon, sizeof(canon));
		bool		stringy = strcmp(canon, "text") == 0 || strcmp(canon, "varchar") == 0 ||
			strcmp(canon, "bpchar") == 0 || strcmp(canon, "name") == 0;

		if (!stringy)
			sb_append(sql, "::text");
		/* CockroachDB orders strings by their bytes already */
		if (!pg_is_cockroach(c))
			sb_append(sql, " COLLATE \"C\"");
	}
}

/* ------------------------------------------------------------- row streams */

struct TargetRowStream
{
	PgConn	   *conn;
	const Table *t;
	PGresult   *cur;			/* the row handed out last */
	int		   *colmap;			/* result column -> catalog column */
	int			nresult;
	const char **vals;			/* per catalog column */
	size_t	   *lens;
	const char **errs;
	VerifyRow	row;
	bool		done;
	bool		failed;
};

TargetRowStream *
target_rows_open(PgConn *c, const Table *t, const bool *present, const RowSelection *sel)
{
	TargetRowStream *s = gw_new(TargetRowStream);
	StrBuf		sql;
	bool		where = false;
	int			n = 0;

	s->conn = c;
	s->t = t;
	s->colmap = gw_new_array(int, (size_t) t->ncolumns + 1);
	s->vals = gw_new_array(const char *, (size_t) t->ncolumns + 1);
	s->lens = gw_new_array(size_t, (size_t) t->ncolumns + 1);
	s->errs = gw_new_array(const char *, (size_t) t->ncolumns + 1);
	s->row.vals = s->vals;
	s->row.lens = s->lens;
	s->row.errs = s->errs;

	sb_init(&sql, SB_DEFAULT_LIMIT);
	sb_append(&sql, "SELECT ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (!present[i])
			continue;
		if (n)
			sb_append(&sql, ", ");
		sb_append_ident(&sql, t->columns[i].target_name);
		s->colmap[n++] = i;
	}
	if (n == 0)
		sb_append(&sql, "1");
	s->nresult = n;
	sb_append(&sql, " FROM ");
	sb_append_qualified(&sql, t->target_schema, t->target_name);
	append_range(&sql, t, sel->range, &where);
	append_keys(&sql, t, sel, &where);
	append_order(c, &sql, t, sel);
	if (!sb_ok(&sql))
	{
		err_set_kind(ERR_INTERNAL);
		log_error("verify query for %s is too long", t->display);
		sb_free(&sql);
		target_rows_close(s);
		return NULL;
	}
	log_trace("target: %s", sql.data);
	if (!PQsendQuery(c->conn, sql.data) || !PQsetSingleRowMode(c->conn))
	{
		pg_note_error(c, NULL);
		pg_log_error(c, "could not read rows from the target");
		sb_free(&sql);
		s->done = true;
		s->failed = true;
		target_rows_close(s);
		return NULL;
	}
	sb_free(&sql);
	return s;
}

int
target_rows_next(TargetRowStream *s, const VerifyRow **row)
{
	PGresult   *res;

	PQclear(s->cur);
	s->cur = NULL;
	if (s->done)
		return s->failed ? -1 : 0;
	res = PQgetResult(s->conn->conn);
	if (res == NULL)
	{
		s->done = true;
		return 0;
	}
	switch (PQresultStatus(res))
	{
		case PGRES_SINGLE_TUPLE:
			s->cur = res;
			for (int i = 0; i < s->t->ncolumns; i++)
				s->vals[i] = NULL;
			for (int k = 0; k < s->nresult; k++)
			{
				int			ci = s->colmap[k];

				if (PQgetisnull(res, 0, k))
					continue;
				s->vals[ci] = PQgetvalue(res, 0, k);
				s->lens[ci] = (size_t) PQgetlength(res, 0, k);
			}
			*row = &s->row;
			return 1;
		case PGRES_TUPLES_OK:
			PQclear(res);
			/* the terminating NULL result */
			while ((res = PQgetResult(s->conn->conn)) != NULL)
				PQclear(res);
			s->done = true;
			return 0;
		default:
			pg_note_error(s->conn, res);
			PQclear(res);
			while ((res = PQgetResult(s->conn->conn)) != NULL)
				PQclear(res);
			s->done = true;
			s->failed = true;
			pg_log_error(s->conn, "could not read rows from the target");
			return -1;
	}
}

bool
target_rows_close(TargetRowStream *s)
{
	bool		ok;

	if (s == NULL)
		return true;
	PQclear(s->cur);
	if (!s->done)
	{
		/* stopped early: cancel the query and drain what is in flight */
		PGcancel   *cancel = PQgetCancel(s->conn->conn);
		char		errbuf[256];
		PGresult   *res;

		if (cancel)
		{
			PQcancel(cancel, errbuf, sizeof(errbuf));
			PQfreeCancel(cancel);
		}
		while ((res = PQgetResult(s->conn->conn)) != NULL)
			PQclear(res);
	}
	ok = !s->failed;
	free(s->colmap);
	free(s->vals);
	free(s->lens);
	free(s->errs);
	free(s);
	return ok;
}

/* ------------------------------------------------------------- hashes */

bool
target_verify_hash(PgConn *c, const Table *t, const ShardRange *range, RangeHash *out)
{
	StrBuf		sql;
	PGresult   *res;
	bool		where = false;
	int			n = 0;

	memset(out, 0, sizeof(*out));
	sb_init(&sql, SB_DEFAULT_LIMIT);
	sb_append(&sql, "SELECT count(*), coalesce(sum(pg_catalog.hashtextextended(ROW(");
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip)
			continue;
		if (n++)
			sb_append(&sql, ", ");
		sb_append_ident(&sql, t->columns[i].target_name);
	}
	sb_append(&sql, ")::text, 0)), 0)::text FROM ");
	sb_append_qualified(&sql, t->target_schema, t->target_name);
	append_range(&sql, t, range, &where);
	log_trace("target: %s", sql.data);
	res = pg_query(c, sql.data, 0, NULL);
	sb_free(&sql);
	if (res == NULL)
		return false;
	out->rows = atoll(PQgetvalue(res, 0, 0));
	snprintf(out->sum, sizeof(out->sum), "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return true;
}

bool
target_verify_key_bounds(PgConn *c, const Table *t, const ShardRange *range, char **min, char **max)
{
	StrBuf		sql;
	PGresult   *res;
	bool		where = false;
	const Column *key;

	*min = *max = NULL;
	if (t->npk == 0)
		return true;
	key = &t->columns[t->pk[0]];
	sb_init(&sql, SB_DEFAULT_LIMIT);
	sb_append(&sql, "SELECT min(");
	sb_append_ident(&sql, key->target_name);
	sb_append(&sql, ")::text, max(");
	sb_append_ident(&sql, key->target_name);
	sb_append(&sql, ")::text FROM ");
	sb_append_qualified(&sql, t->target_schema, t->target_name);
	append_range(&sql, t, range, &where);
	res = pg_query(c, sql.data, 0, NULL);
	sb_free(&sql);
	if (res == NULL)
		return false;
	if (!PQgetisnull(res, 0, 0))
		*min = gw_strdup(PQgetvalue(res, 0, 0));
	if (!PQgetisnull(res, 0, 1))
		*max = gw_strdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	return true;
}

/* ------------------------------------------------------------- checkpoint */

bool
target_verify_checkpoint(PgConn *c, const char *stream, char **position, bool *found)
{
	const char *params[1] = {stream};
	PGresult   *res = pg_query_quiet(c, "SELECT position FROM _godwit.checkpoint WHERE stream = $1", 1, params);

	*position = NULL;
	*found = false;
	if (res == NULL)
	{
		/* no state at all (42P01 undefined table, 3F000 no schema) */
		if (strcmp(c->sqlstate, "42P01") == 0 || strcmp(c->sqlstate, "3F000") == 0)
			return true;
		pg_log_error(c, "could not read the replication checkpoint");
		return false;
	}
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
	{
		*position = gw_strdup(PQgetvalue(res, 0, 0));
		*found = true;
	}
	PQclear(res);
	return true;
}

/* ------------------------------------------------------------- results */

static const char *const verify_ddl[] = {
	"CREATE SCHEMA IF NOT EXISTS _godwit",
	"CREATE TABLE IF NOT EXISTS _godwit.verify_runs ("
	"  run_id INT8 PRIMARY KEY,"
	"  mode TEXT NOT NULL,"
	"  live BOOL NOT NULL,"
	"  status TEXT NOT NULL,"
	"  options TEXT,"
	"  num_tables INT8,"
	"  num_rows INT8,"
	"  num_differences INT8,"
	"  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
	"  finished_at TIMESTAMPTZ)",
	"CREATE TABLE IF NOT EXISTS _godwit.verify_tables ("
	"  run_id INT8 NOT NULL,"
	"  table_schema TEXT NOT NULL,"
	"  table_name TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  num_truth_rows INT8 NOT NULL DEFAULT 0,"
	"  num_success INT8 NOT NULL DEFAULT 0,"
	"  num_missing INT8 NOT NULL DEFAULT 0,"
	"  num_mismatch INT8 NOT NULL DEFAULT 0,"
	"  num_extraneous INT8 NOT NULL DEFAULT 0,"
	"  num_column_mismatch INT8 NOT NULL DEFAULT 0,"
	"  num_live_retry INT8 NOT NULL DEFAULT 0,"
	"  message TEXT,"
	"  PRIMARY KEY (run_id, table_schema, table_name))",
	"CREATE TABLE IF NOT EXISTS _godwit.verify_rows ("
	"  run_id INT8 NOT NULL,"
	"  table_schema TEXT NOT NULL,"
	"  table_name TEXT NOT NULL,"
	"  row_key TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  columns TEXT,"
	"  detail TEXT,"
	"  PRIMARY KEY (run_id, table_schema, table_name, row_key))",
};

bool
target_verify_state_ensure(PgConn *c)
{
	bool		present = state_schema_present(c);

	for (size_t i = 0; i < sizeof(verify_ddl) / sizeof(verify_ddl[0]); i++)
	{
		if (present && strncmp(verify_ddl[i], "CREATE SCHEMA", 13) == 0)
			continue;
		if (pg_exec_quiet(c, verify_ddl[i]))
			continue;
		/* concurrent creators race on the catalog: retry once */
		if ((strcmp(c->sqlstate, "23505") == 0 || strcmp(c->sqlstate, "42P07") == 0) &&
			pg_exec_quiet(c, verify_ddl[i]))
			continue;
		pg_log_error(c, "could not create the _godwit verify tables");
		return false;
	}
	return true;
}

bool
target_verify_run_start(PgConn *c, const char *mode, bool live, const char *options, int64_t *run_id)
{
	const char *params[3] = {mode, live ? "true" : "false", options};
	PGresult   *res = pg_query(c,
							   "INSERT INTO _godwit.verify_runs (run_id, mode, live, status, options) "
							   "SELECT coalesce(max(run_id), 0) + 1, $1, $2::BOOL, 'running', $3 "
							   "FROM _godwit.verify_runs RETURNING run_id", 3, params);

	if (res == NULL)
		return false;
	*run_id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

bool
target_verify_put_table(PgConn *c, int64_t run_id, const VerifyTableResult *r)
{
	char		v[8][32];
	int64_t		nums[8] = {run_id, r->truth_rows, r->success, r->missing, r->mismatch, r->extraneous,
	r->column_mismatch, r->live_retry};
	const char *params[12];
	PGresult   *res;

	for (int i = 0; i < 8; i++)
		snprintf(v[i], sizeof(v[i]), "%lld", (long long) nums[i]);
	params[0] = v[0];
	params[1] = r->schema;
	params[2] = r->table;
	params[3] = r->status;
	for (int i = 1; i < 8; i++)
		params[3 + i] = v[i];
	params[11] = r->message;
	res = pg_query(c,
				   "INSERT INTO _godwit.verify_tables (run_id, table_schema, table_name, status, "
				   "  num_truth_rows, num_success, num_missing, num_mismatch, num_extraneous, "
				   "  num_column_mismatch, num_live_retry, message) "
				   "VALUES ($1::INT8, $2, $3, $4, $5::INT8, $6::INT8, $7::INT8, $8::INT8, $9::INT8, "
				   "  $10::INT8, $11::INT8, $12)", 12, params);
	PQclear(res);
	return res != NULL;
}

bool
target_verify_put_row(PgConn *c, int64_t run_id, const char *schema, const char *table, const char *kind,
					  const char *key_json, const char *columns, const char *detail_json)
{
	char		id[32];
	const char *params[7] = {id, schema, table, key_json, kind, columns, detail_json};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) run_id);
	res = pg_query(c,
				   "INSERT INTO _godwit.verify_rows (run_id, table_schema, table_name, row_key, kind, columns, detail) "
				   "VALUES ($1::INT8, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING", 7, params);
	PQclear(res);
	return res != NULL;
}

bool
target_verify_run_finish(PgConn *c, int64_t run_id, const char *status, int64_t tables, int64_t rows,
						 int64_t differences)
{
	char		v[4][32];
	const char *params[5] = {v[0], status, v[1], v[2], v[3]};
	PGresult   *res;

	snprintf(v[0], sizeof(v[0]), "%lld", (long long) run_id);
	snprintf(v[1], sizeof(v[1]), "%lld", (long long) tables);
	snprintf(v[2], sizeof(v[2]), "%lld", (long long) rows);
	snprintf(v[3], sizeof(v[3]), "%lld", (long long) differences);
	res = pg_query(c,
				   "UPDATE _godwit.verify_runs SET status = $2, num_tables = $3::INT8, num_rows = $4::INT8, "
				   "  num_differences = $5::INT8, finished_at = now() WHERE run_id = $1::INT8", 5, params);
	PQclear(res);
	return res != NULL;
}
