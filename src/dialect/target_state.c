/*
 * src/dialect/target_state.c
 *	  The _godwit state schema on the target (see target_state.h).
 *
 * Types used are the common subset of PostgreSQL and CockroachDB: INT8, INT4,
 * TEXT, TIMESTAMPTZ; upserts use INSERT ... ON CONFLICT, valid on both.
 */
#include "dialect/target_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"

static const char *const state_ddl[] = {
	"CREATE SCHEMA IF NOT EXISTS _godwit",
	"CREATE TABLE IF NOT EXISTS _godwit.runs ("
	"  run_id INT8 PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  source_engine TEXT,"
	"  source_server TEXT,"
	"  slot_name TEXT,"
	"  publication TEXT,"
	"  snapshot_position TEXT,"
	"  options TEXT,"
	"  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
	"  finished_at TIMESTAMPTZ)",
	"CREATE TABLE IF NOT EXISTS _godwit.shards ("
	"  run_id INT8 NOT NULL,"
	"  table_schema TEXT NOT NULL,"
	"  table_name TEXT NOT NULL,"
	"  shard_no INT4 NOT NULL,"
	"  lo TEXT,"
	"  hi TEXT,"
	"  est_rows INT8,"
	"  status TEXT NOT NULL,"
	"  rows_copied INT8,"
	"  bytes_copied INT8,"
	"  copied_at TIMESTAMPTZ,"
	"  PRIMARY KEY (run_id, table_schema, table_name, shard_no))",
	"CREATE TABLE IF NOT EXISTS _godwit.checkpoint ("
	"  stream TEXT PRIMARY KEY,"
	"  position TEXT NOT NULL,"
	"  txn_id TEXT,"
	"  txn_applied INT8 NOT NULL DEFAULT -1,"
	"  changes_applied INT8 NOT NULL DEFAULT 0,"
	"  commit_time TIMESTAMPTZ,"
	"  applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
	/*
	 * Keys replication wrote since the last verify: one row per table and
	 * applied flush, `keys` the flush's distinct keys one per line (a key: a
	 * JSON array of the primary key's text values, which never holds a raw
	 * newline; "*" = the whole table, after a TRUNCATE).  Cutover verifies
	 * exactly these rows: time proportional to the change rate, not to the
	 * database size.  One row per flush, not per key, so tracking costs the
	 * applier no index entry per changed row; a key changed in several
	 * flushes is listed several times, and readers deduplicate.  A verify
	 * that started after changed_at covered the set, which is then dropped.
	 */
	"CREATE TABLE IF NOT EXISTS _godwit.changed_key_sets ("
	"  table_schema TEXT NOT NULL,"
	"  table_name TEXT NOT NULL,"
	"  nkeys INT8 NOT NULL,"
	"  keys TEXT NOT NULL,"
	"  changed_at TIMESTAMPTZ NOT NULL DEFAULT now())",
	/* a running replicator says so every second (cutover looks for one) */
	"CREATE TABLE IF NOT EXISTS _godwit.replicators ("
	"  stream TEXT PRIMARY KEY,"
	"  pid INT8,"
	"  host TEXT,"
	"  position TEXT,"
	"  heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now())",
	/* cutovers: requested by godwit cutover, drained by the replicator */
	"CREATE TABLE IF NOT EXISTS _godwit.cutovers ("
	"  cutover_id INT8 PRIMARY KEY,"
	"  status TEXT NOT NULL,"
	"  source_position TEXT,"
	"  requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
	"  drained_at TIMESTAMPTZ,"
	"  done_at TIMESTAMPTZ,"
	"  report TEXT)",
	"CREATE TABLE IF NOT EXISTS _godwit.sequences ("
	"  seq_schema TEXT NOT NULL,"
	"  seq_name TEXT NOT NULL,"
	"  last_value INT8,"
	"  read_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
	"  PRIMARY KEY (seq_schema, seq_name))",
};

bool
state_schema_present(PgConn *c)
{
	char	   *n = NULL;
	bool		present = pg_query_value(c, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = '_godwit'",
										 0, NULL, &n) && n && strcmp(n, "0") != 0;

	free(n);
	return present;
}

bool
state_ensure(PgConn *c)
{
	bool		present = state_schema_present(c);

	for (size_t i = 0; i < sizeof(state_ddl) / sizeof(state_ddl[0]); i++)
	{
		if (present && strncmp(state_ddl[i], "CREATE SCHEMA", 13) == 0)
			continue;
		if (!pg_exec_quiet(c, state_ddl[i]))
		{
			/* concurrent creators (several commands at once) may race: retry once */
			if (strcmp(c->sqlstate, "23505") == 0 || strcmp(c->sqlstate, "42P07") == 0)
			{
				if (pg_exec_quiet(c, state_ddl[i]))
					continue;
			}
			pg_log_error(c, "could not create the _godwit state schema");
			return false;
		}
	}
	return true;
}

bool
state_exists(PgConn *c, bool *exists)
{
	PGresult   *res = pg_query(c, "SELECT count(*) FROM information_schema.tables "
							   "WHERE table_schema = '_godwit' AND table_name = 'runs'", 0, NULL);

	if (res == NULL)
		return false;
	*exists = atoi(PQgetvalue(res, 0, 0)) > 0;
	PQclear(res);
	return true;
}

static const char *const run_status_names[] = {"running", "done", "failed"};

static char *
dup_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : gw_strdup(PQgetvalue(res, row, col));
}

bool
state_latest_run(PgConn *c, const char *kind, RunInfo *out, bool *found)
{
	const char *params[1] = {kind};
	PGresult   *res = pg_query(c,
							   "SELECT run_id, status, source_engine, source_server, slot_name, publication,"
							   "  snapshot_position, options,"
							   "  (extract(epoch FROM started_at) * 1000000)::INT8,"
							   "  (extract(epoch FROM finished_at) * 1000000)::INT8 "
							   "FROM _godwit.runs WHERE kind = $1 ORDER BY run_id DESC LIMIT 1",
							   1, params);

	memset(out, 0, sizeof(*out));
	*found = false;
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		*found = true;
		out->run_id = atoll(PQgetvalue(res, 0, 0));
		out->status = RUN_FAILED;
		for (int i = 0; i < 3; i++)
			if (strcmp(PQgetvalue(res, 0, 1), run_status_names[i]) == 0)
				out->status = (RunStatus) i;
		out->source_engine = dup_or_null(res, 0, 2);
		out->source_server = dup_or_null(res, 0, 3);
		out->slot_name = dup_or_null(res, 0, 4);
		out->publication = dup_or_null(res, 0, 5);
		out->snapshot_position = dup_or_null(res, 0, 6);
		out->options = dup_or_null(res, 0, 7);
		out->started_us = atoll(PQgetvalue(res, 0, 8));
		out->finished_us = PQgetisnull(res, 0, 9) ? 0 : atoll(PQgetvalue(res, 0, 9));
	}
	PQclear(res);
	return true;
}

void
run_info_free(RunInfo *r)
{
	free(r->source_engine);
	free(r->source_server);
	free(r->slot_name);
	free(r->publication);
	free(r->snapshot_position);
	free(r->options);
	memset(r, 0, sizeof(*r));
}

bool
state_create_run(PgConn *c, const char *kind, RunInfo *r)
{
	const char *params[7] = {kind, r->source_engine, r->source_server, r->slot_name,
	r->publication, r->snapshot_position, r->options};
	PGresult   *res = pg_query(c,
							   "INSERT INTO _godwit.runs (run_id, kind, status, source_engine, source_server,"
							   "  slot_name, publication, snapshot_position, options) "
							   "SELECT coalesce(max(run_id), 0) + 1, $1, 'running', $2, $3, $4, $5, $6, $7 "
							   "FROM _godwit.runs RETURNING run_id",
							   7, params);

	if (res == NULL)
		return false;
	r->run_id = atoll(PQgetvalue(res, 0, 0));
	r->status = RUN_RUNNING;
	PQclear(res);
	return true;
}

bool
state_update_run_snapshot(PgConn *c, const RunInfo *r)
{
	char		id[32];
	const char *params[4] = {id, r->slot_name, r->publication, r->snapshot_position};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) r->run_id);
	res = pg_query(c, "UPDATE _godwit.runs SET slot_name = $2, publication = $3, snapshot_position = $4 "
				   "WHERE run_id = $1::INT8", 4, params);
	PQclear(res);
	return res != NULL;
}

bool
state_finish_run(PgConn *c, int64_t run_id, RunStatus status)
{
	char		id[32];
	const char *params[2] = {id, run_status_names[status]};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) run_id);
	res = pg_query(c, "UPDATE _godwit.runs SET status = $2, "
				   "finished_at = CASE WHEN $2 = 'running' THEN NULL ELSE now() END "
				   "WHERE run_id = $1::INT8", 2, params);
	PQclear(res);
	return res != NULL;
}

bool
state_add_shard(PgConn *c, int64_t run_id, const char *schema, const char *table,
				int shard_no, const char *lo, const char *hi, int64_t est_rows)
{
	char		id[32],
				no[16],
				est[32];
	const char *params[7] = {id, schema, table, no, lo, hi, est};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) run_id);
	snprintf(no, sizeof(no), "%d", shard_no);
	snprintf(est, sizeof(est), "%lld", (long long) est_rows);
	res = pg_query(c, "INSERT INTO _godwit.shards (run_id, table_schema, table_name, shard_no, lo, hi,"
				   "  est_rows, status) VALUES ($1::INT8, $2, $3, $4::INT4, $5, $6, $7::INT8, 'pending')",
				   7, params);
	PQclear(res);
	return res != NULL;
}

bool
state_mark_shard_done(PgConn *c, int64_t run_id, const char *schema, const char *table,
					  int shard_no, int64_t rows, int64_t bytes, bool *already_done)
{
	char		id[32],
				no[16],
				r[32],
				b[32];
	const char *params[6] = {id, schema, table, no, r, b};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) run_id);
	snprintf(no, sizeof(no), "%d", shard_no);
	snprintf(r, sizeof(r), "%lld", (long long) rows);
	snprintf(b, sizeof(b), "%lld", (long long) bytes);
	res = pg_query_quiet(c, "UPDATE _godwit.shards SET status = 'done', rows_copied = $5::INT8,"
						 "  bytes_copied = $6::INT8, copied_at = now() "
						 "WHERE run_id = $1::INT8 AND table_schema = $2 AND table_name = $3"
						 "  AND shard_no = $4::INT4 AND status <> 'done'", 6, params);
	if (res == NULL)
		return false;
	*already_done = strcmp(PQcmdTuples(res), "0") == 0;
	PQclear(res);
	return true;
}

bool
state_list_shards(PgConn *c, int64_t run_id, ShardRow **out, int *n)
{
	char		id[32];
	const char *params[1] = {id};
	PGresult   *res;

	*out = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%lld", (long long) run_id);
	res = pg_query(c, "SELECT table_schema, table_name, shard_no, lo, hi, coalesce(est_rows, 0), status,"
				   "  coalesce(rows_copied, 0), coalesce(bytes_copied, 0) "
				   "FROM _godwit.shards WHERE run_id = $1::INT8 ORDER BY 1, 2, 3", 1, params);
	if (res == NULL)
		return false;
	*n = PQntuples(res);
	*out = gw_new_array(ShardRow, (size_t) *n + 1);
	for (int i = 0; i < *n; i++)
	{
		ShardRow   *r = &(*out)[i];

		r->schema = gw_strdup(PQgetvalue(res, i, 0));
		r->table = gw_strdup(PQgetvalue(res, i, 1));
		r->shard_no = atoi(PQgetvalue(res, i, 2));
		r->lo = dup_or_null(res, i, 3);
		r->hi = dup_or_null(res, i, 4);
		r->est_rows = atoll(PQgetvalue(res, i, 5));
		r->status = strcmp(PQgetvalue(res, i, 6), "done") == 0 ? SHARD_DONE : SHARD_PENDING;
		r->rows_copied = atoll(PQgetvalue(res, i, 7));
		r->bytes_copied = atoll(PQgetvalue(res, i, 8));
	}
	PQclear(res);
	return true;
}

void
shard_rows_free(ShardRow *rows, int n)
{
	for (int i = 0; i < n; i++)
	{
		free(rows[i].schema);
		free(rows[i].table);
		free(rows[i].lo);
		free(rows[i].hi);
	}
	free(rows);
}

bool
state_get_checkpoint(PgConn *c, const char *stream, Checkpoint *out, bool *found)
{
	const char *params[1] = {stream};
	PGresult   *res = pg_query(c,
							   "SELECT position, txn_id, txn_applied, changes_applied,"
							   "  (extract(epoch FROM commit_time) * 1000000)::INT8,"
							   "  (extract(epoch FROM applied_at) * 1000000)::INT8 "
							   "FROM _godwit.checkpoint WHERE stream = $1", 1, params);

	memset(out, 0, sizeof(*out));
	out->txn_applied = -1;
	*found = false;
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		*found = true;
		out->position = gw_strdup(PQgetvalue(res, 0, 0));
		out->txn_id = dup_or_null(res, 0, 1);
		out->txn_applied = atoll(PQgetvalue(res, 0, 2));
		out->changes_applied = atoll(PQgetvalue(res, 0, 3));
		out->commit_time_us = PQgetisnull(res, 0, 4) ? 0 : atoll(PQgetvalue(res, 0, 4));
		out->applied_us = atoll(PQgetvalue(res, 0, 5));
	}
	PQclear(res);
	return true;
}

void
checkpoint_free(Checkpoint *cp)
{
	free(cp->position);
	free(cp->txn_id);
	memset(cp, 0, sizeof(*cp));
}

const char	TARGET_CHECKPOINT_UPSERT_SQL[] =
"INSERT INTO _godwit.checkpoint AS k (stream, position, txn_id, txn_applied,"
"  changes_applied, commit_time, applied_at) "
"VALUES ($1, $2, $3, $4::INT8, $5::INT8, to_timestamp($6::FLOAT8), now()) "
"ON CONFLICT (stream) DO UPDATE SET position = excluded.position,"
"  txn_id = excluded.txn_id, txn_applied = excluded.txn_applied,"
"  changes_applied = excluded.changes_applied,"
"  commit_time = excluded.commit_time, applied_at = excluded.applied_at";

bool
state_put_checkpoint(PgConn *c, const char *stream, const Checkpoint *cp)
{
	char		applied[32],
				total[32],
				ct[48];
	const char *params[6] = {stream, cp->position, cp->txn_id, applied, total,
	cp->commit_time_us ? ct : NULL};
	PGresult   *res;

	snprintf(applied, sizeof(applied), "%lld", (long long) cp->txn_applied);
	snprintf(total, sizeof(total), "%lld", (long long) cp->changes_applied);
	snprintf(ct, sizeof(ct), "%.6f", (double) cp->commit_time_us / 1e6);
	res = pg_query_quiet(c, TARGET_CHECKPOINT_UPSERT_SQL,
						 6, params);
	PQclear(res);
	return res != NULL;
}

/* ------------------------------------------------------------ replicators */

bool
state_heartbeat(PgConn *c, const char *stream, int64_t pid, const char *host, const char *position)
{
	char		p[32];
	const char *params[4] = {stream, p, host, position};
	PGresult   *res;

	snprintf(p, sizeof(p), "%lld", (long long) pid);
	res = pg_query_quiet(c,
						 "INSERT INTO _godwit.replicators (stream, pid, host, position, heartbeat_at) "
						 "VALUES ($1, $2::INT8, $3, $4, now()) "
						 "ON CONFLICT (stream) DO UPDATE SET pid = excluded.pid, host = excluded.host,"
						 "  position = excluded.position, heartbeat_at = excluded.heartbeat_at",
						 4, params);
	PQclear(res);
	return res != NULL;
}

bool
state_replicator_alive(PgConn *c, const char *stream, int64_t within_us, bool *alive)
{
	char		secs[32];
	const char *params[2] = {stream, secs};
	PGresult   *res;

	snprintf(secs, sizeof(secs), "%.3f", (double) within_us / 1e6);
	res = pg_query(c, "SELECT count(*) FROM _godwit.replicators WHERE stream = $1 "
				   "AND heartbeat_at > now() - $2::FLOAT8 * INTERVAL '1 second'", 2, params);
	if (res == NULL)
		return false;
	*alive = atoi(PQgetvalue(res, 0, 0)) > 0;
	PQclear(res);
	return true;
}

bool
state_replicator_gone(PgConn *c, const char *stream)
{
	const char *params[1] = {stream};
	PGresult   *res = pg_query_quiet(c, "DELETE FROM _godwit.replicators WHERE stream = $1", 1, params);

	PQclear(res);
	return res != NULL;
}

/* ------------------------------------------------------------ cutovers */

static const char *const cutover_status_names[] = {"requested", "draining", "drained", "done", "failed"};

bool
state_cutover_request(PgConn *c, const char *source_position, int64_t *cutover_id)
{
	const char *params[1] = {source_position};
	PGresult   *res;

	/* an unfinished earlier request is superseded */
	if (!pg_exec(c, "UPDATE _godwit.cutovers SET status = 'failed', done_at = now() "
				 "WHERE status IN ('requested', 'draining')"))
		return false;
	res = pg_query(c, "INSERT INTO _godwit.cutovers (cutover_id, status, source_position) "
				   "SELECT coalesce(max(cutover_id), 0) + 1, 'requested', $1 FROM _godwit.cutovers "
				   "RETURNING cutover_id", 1, params);
	if (res == NULL)
		return false;
	*cutover_id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

bool
state_cutover_pending(PgConn *c, int64_t *cutover_id, char **source_position)
{
	PGresult   *res = pg_query_quiet(c,
									 "SELECT cutover_id, source_position FROM _godwit.cutovers "
									 "WHERE status IN ('requested', 'draining') ORDER BY cutover_id DESC LIMIT 1",
									 0, NULL);

	*cutover_id = 0;
	*source_position = NULL;
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		*cutover_id = atoll(PQgetvalue(res, 0, 0));
		*source_position = gw_strdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return true;
}

bool
state_cutover_set(PgConn *c, int64_t cutover_id, CutoverStatus status, const char *report)
{
	char		id[32];
	const char *params[3] = {id, cutover_status_names[status], report};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) cutover_id);
	res = pg_query_quiet(c,
						 "UPDATE _godwit.cutovers SET status = $2,"
						 "  drained_at = CASE WHEN $2 = 'drained' THEN now() ELSE drained_at END,"
						 "  done_at = CASE WHEN $2 IN ('done', 'failed') THEN now() ELSE done_at END,"
						 "  report = coalesce($3, report) "
						 "WHERE cutover_id = $1::INT8", 3, params);
	PQclear(res);
	return res != NULL;
}

bool
state_cutover_get(PgConn *c, int64_t cutover_id, CutoverStatus *status, char **report)
{
	char		id[32];
	const char *params[1] = {id};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) cutover_id);
	res = pg_query(c, "SELECT status, report FROM _godwit.cutovers WHERE cutover_id = $1::INT8", 1, params);
	*status = CUTOVER_FAILED;
	if (report)
		*report = NULL;
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		for (int i = 0; i < 5; i++)
			if (strcmp(PQgetvalue(res, 0, 0), cutover_status_names[i]) == 0)
				*status = (CutoverStatus) i;
		if (report && !PQgetisnull(res, 0, 1))
			*report = gw_strdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return true;
}

bool
state_target_now(PgConn *c, char **now)
{
	return pg_query_value(c, "SELECT now()::text", 0, NULL, now);
}

bool
state_clear_changed_keys(PgConn *c, const char *verify_started_at)
{
	const char *params[1] = {verify_started_at};
	PGresult   *res = pg_query(c, "DELETE FROM _godwit.changed_key_sets WHERE changed_at < $1::TIMESTAMPTZ",
							   1, params);

	PQclear(res);
	return res != NULL;
}

static int
key_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *) x, *(char *const *) y);
}

bool
state_changed_keys(PgConn *c, const char *schema, const char *table, char ***keys, int *n)
{
	const char *params[2] = {schema, table};
	PGresult   *res = pg_query(c, "SELECT keys FROM _godwit.changed_key_sets "
							   "WHERE table_schema = $1 AND table_name = $2",
							   2, params);
	size_t		cap = 0;
	int			count = 0,
				unique = 0;

	*keys = NULL;
	*n = 0;
	if (res == NULL)
		return false;
	for (int r = 0; r < PQntuples(res); r++)
	{
		const char *p = PQgetvalue(res, r, 0);

		while (*p)
		{
			const char *nl = strchr(p, '\n');
			size_t		len = nl ? (size_t) (nl - p) : strlen(p);

			if (len > 0)
			{
				gw_array_grow(*keys, cap, (size_t) count + 1);
				(*keys)[count++] = gw_strndup(p, len);
			}
			p += len + (nl ? 1 : 0);
		}
	}
	PQclear(res);
	if (count > 1)
		qsort(*keys, (size_t) count, sizeof(char *), key_cmp);
	for (int i = 0; i < count; i++)
	{
		if (unique > 0 && strcmp((*keys)[unique - 1], (*keys)[i]) == 0)
			free((*keys)[i]);
		else
			(*keys)[unique++] = (*keys)[i];
	}
	*n = unique;
	return true;
}
