/*
 * src/core/status.c
 *	  Render the migration state kept in _godwit (see status.h).
 */
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/log.h"
#include "common/mem.h"
#include "core/replicate.h"
#include "dialect/target_state.h"

typedef struct StatusInfo
{
	bool		has_state;
	/* fetch */
	bool		has_fetch;
	int64_t		run_id;
	const char *fetch_status;
	char	   *cdc_cursor;
	int			shards_total;
	int			shards_done;
	int			tables_total;
	int			tables_done;
	int64_t		rows_copied;
	/* replication */
	bool		has_checkpoint;
	char	   *position;
	int64_t		changes_applied;
	double		applied_ago_s;
	double		commit_lag_s;	/* now - last applied source commit */
	bool		replicator_alive;
	char	   *replicator_host;
	int64_t		replicator_pid;
	int64_t		lag_bytes;		/* -1 unknown */
	int64_t		changed_keys;
	/* cutover */
	int64_t		cutover_id;
	char	   *cutover_status;
	/* verify */
	bool		has_verify;
	char	   *verify_summary;
} StatusInfo;

/* First value of a one-row query, or NULL (caller frees). */
static char *
one(PgConn *c, const char *sql)
{
	char	   *v = NULL;
	PGresult   *res = pg_query_quiet(c, sql, 0, NULL);

	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		v = gw_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

static const char *
phase_of(const StatusInfo *s)
{
	/* replication without a fetch: --slot-name mode, or failback into the old source */
	if (!s->has_state || (!s->has_fetch && !s->has_checkpoint))
		return "not started";
	if (s->cutover_status && strcmp(s->cutover_status, "done") == 0)
		return "cut over";
	if (s->cutover_status && strcmp(s->cutover_status, "failed") != 0)
		return "cutting over";
	if (s->has_fetch && strcmp(s->fetch_status, "done") != 0)
		return "fetching";
	if (s->replicator_alive)
		return "replicating";
	if (s->has_checkpoint)
		return "replication stopped";
	return "fetched, replication not started";
}

static bool
status_collect(PgConn *t, Source *src, StatusInfo *s)
{
	PGresult   *res;
	bool		exists;

	memset(s, 0, sizeof(*s));
	s->lag_bytes = -1;
	if (!state_exists(t, &exists))
		return false;
	s->has_state = exists;
	if (!exists)
		return true;

	res = pg_query(t, "SELECT r.run_id, r.status, r.snapshot_position,"
				   "  (SELECT count(*) FROM _godwit.shards x WHERE x.run_id = r.run_id),"
				   "  (SELECT count(*) FROM _godwit.shards x WHERE x.run_id = r.run_id AND x.status = 'done'),"
				   "  (SELECT count(DISTINCT (table_schema, table_name)) FROM _godwit.shards x WHERE x.run_id = r.run_id),"
				   "  (SELECT count(*) FROM (SELECT 1 FROM _godwit.shards x WHERE x.run_id = r.run_id"
				   "     GROUP BY table_schema, table_name HAVING bool_and(x.status = 'done')) d),"
				   "  (SELECT coalesce(sum(rows_copied), 0) FROM _godwit.shards x WHERE x.run_id = r.run_id) "
				   "FROM _godwit.runs r WHERE kind = 'fetch' ORDER BY run_id DESC LIMIT 1", 0, NULL);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		s->has_fetch = true;
		s->run_id = atoll(PQgetvalue(res, 0, 0));
		s->fetch_status = gw_strdup(PQgetvalue(res, 0, 1));
		s->cdc_cursor = PQgetisnull(res, 0, 2) ? NULL : gw_strdup(PQgetvalue(res, 0, 2));
		s->shards_total = atoi(PQgetvalue(res, 0, 3));
		s->shards_done = atoi(PQgetvalue(res, 0, 4));
		s->tables_total = atoi(PQgetvalue(res, 0, 5));
		s->tables_done = atoi(PQgetvalue(res, 0, 6));
		s->rows_copied = atoll(PQgetvalue(res, 0, 7));
	}
	PQclear(res);

	res = pg_query(t, "SELECT position, changes_applied, extract(epoch FROM now() - applied_at),"
				   "  coalesce(extract(epoch FROM now() - commit_time), -1) "
				   "FROM _godwit.checkpoint WHERE stream = 'main'", 0, NULL);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		s->has_checkpoint = true;
		s->position = gw_strdup(PQgetvalue(res, 0, 0));
		s->changes_applied = atoll(PQgetvalue(res, 0, 1));
		s->applied_ago_s = atof(PQgetvalue(res, 0, 2));
		s->commit_lag_s = atof(PQgetvalue(res, 0, 3));
	}
	PQclear(res);

	res = pg_query(t, "SELECT host, pid FROM _godwit.replicators WHERE stream = 'main' "
				   "AND heartbeat_at > now() - INTERVAL '5 seconds'", 0, NULL);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		s->replicator_alive = true;
		s->replicator_host = gw_strdup(PQgetvalue(res, 0, 0));
		s->replicator_pid = atoll(PQgetvalue(res, 0, 1));
	}
	PQclear(res);

	char	   *v = one(t, "SELECT coalesce(sum(nkeys), 0) FROM _godwit.changed_key_sets");

	s->changed_keys = v ? atoll(v) : 0;
	free(v);
	res = pg_query(t, "SELECT cutover_id, status FROM _godwit.cutovers ORDER BY cutover_id DESC LIMIT 1", 0, NULL);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		s->cutover_id = atoll(PQgetvalue(res, 0, 0));
		s->cutover_status = gw_strdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);

	/* the verify results, when godwit verify has run (its own tables) */
	s->verify_summary = one(t, "SELECT format('run %s %s, %s rows, %s differences, %s', run_id, status, num_rows, num_differences, finished_at) FROM _godwit.verify_runs "
							"ORDER BY run_id DESC LIMIT 1");
	s->has_verify = s->verify_summary != NULL;

	if (src && s->position && src->ops->current_position && src->ops->position_lag_bytes)
	{
		char		cur[512];

		if (src->ops->current_position(src, cur, sizeof(cur)))
			s->lag_bytes = src->ops->position_lag_bytes(s->position, cur);
	}
	return true;
}

static void
status_free(StatusInfo *s)
{
	free((char *) s->fetch_status);
	free(s->cdc_cursor);
	free(s->position);
	free(s->replicator_host);
	free(s->cutover_status);
	free(s->verify_summary);
}

bool
status_print(PgConn *target, Source *src, bool json)
{
	StatusInfo	s;

	if (!status_collect(target, src, &s))
	{
		status_free(&s);
		return false;
	}
	if (json)
	{
		StrBuf		b;
		JsonWriter	w;

		sb_init(&b, 0);
		jw_init(&w, &b);
		jw_object_begin(&w);
		jw_kv_string(&w, "type", "status");
		jw_kv_string(&w, "phase", phase_of(&s));
		if (s.has_fetch)
		{
			jw_key(&w, "fetch");
			jw_object_begin(&w);
			jw_kv_int(&w, "run_id", s.run_id);
			jw_kv_string(&w, "status", s.fetch_status);
			jw_kv_string(&w, "cdc_cursor", s.cdc_cursor);
			jw_kv_int(&w, "tables_total", s.tables_total);
			jw_kv_int(&w, "tables_done", s.tables_done);
			jw_kv_int(&w, "shards_total", s.shards_total);
			jw_kv_int(&w, "shards_done", s.shards_done);
			jw_kv_int(&w, "rows_copied", s.rows_copied);
			jw_object_end(&w);
		}
		if (s.has_checkpoint)
		{
			jw_key(&w, "replication");
			jw_object_begin(&w);
			jw_kv_string(&w, "position", s.position);
			jw_kv_int(&w, "changes_applied", s.changes_applied);
			jw_kv_bool(&w, "running", s.replicator_alive);
			jw_kv_double(&w, "seconds_since_apply", s.applied_ago_s);
			if (s.commit_lag_s >= 0)
				jw_kv_double(&w, "lag_seconds", s.commit_lag_s);
			if (s.lag_bytes >= 0)
				jw_kv_int(&w, "lag_bytes", s.lag_bytes);
			jw_kv_int(&w, "changed_keys_to_verify", s.changed_keys);
			jw_object_end(&w);
		}
		if (s.has_verify)
			jw_kv_string(&w, "last_verify", s.verify_summary);
		if (s.cutover_id)
		{
			jw_key(&w, "cutover");
			jw_object_begin(&w);
			jw_kv_int(&w, "cutover_id", s.cutover_id);
			jw_kv_string(&w, "status", s.cutover_status);
			jw_object_end(&w);
		}
		jw_object_end(&w);
		printf("%s\n", b.data);
		sb_free(&b);
	}
	else
	{
		printf("phase        %s\n", phase_of(&s));
		if (s.has_fetch)
			printf("fetch        run %lld %s: %d/%d tables, %d/%d shards, %lld rows copied; cdc cursor %s\n",
				   (long long) s.run_id, s.fetch_status, s.tables_done, s.tables_total, s.shards_done,
				   s.shards_total, (long long) s.rows_copied, s.cdc_cursor ? s.cdc_cursor : "none");
		if (s.has_checkpoint)
		{
			printf("replication  %s at %s, %lld changes applied, last apply %.0f s ago",
				   s.replicator_alive ? "running" : "stopped", s.position, (long long) s.changes_applied,
				   s.applied_ago_s);
			if (s.lag_bytes >= 0)
				printf(", %lld bytes behind", (long long) s.lag_bytes);
			printf("\n");
			if (s.replicator_alive)
				printf("             replicator pid %lld on %s\n", (long long) s.replicator_pid,
					   s.replicator_host ? s.replicator_host : "?");
			printf("             %lld key changes for cutover to verify\n", (long long) s.changed_keys);
		}
		if (s.has_verify)
			printf("last verify  %s\n", s.verify_summary);
		if (s.cutover_id)
			printf("cutover      %lld %s\n", (long long) s.cutover_id, s.cutover_status);
	}
	fflush(stdout);
	status_free(&s);
	return true;
}
