/*
 * src/dialect/pg/pg_source.c
 *	  The PostgreSQL source driver: its SourceOps table.
 *
 * This file holds the driver's entry points; the bigger jobs live in their
 * own files of this folder (catalog reading, snapshot, copy, stream) and are
 * reached only through source_ops_postgres.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "common/lsn.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/pg/pg_source.h"
#include "dialect/pg/pg_stream.h"
#include "dialect/source.h"

static Source *
pg_source_open(const ConnUrl *url)
{
	PgSource   *s = gw_new(PgSource);

	s->base.ops = &source_ops_postgres;
	s->base.url = url;
	if (!pg_connect(&s->conn, url, ROLE_SOURCE, false))
	{
		free(s);
		return NULL;
	}
	s->base.server = gw_asprintf("%s %s", pg_is_cockroach(&s->conn) ? "CockroachDB" : "PostgreSQL",
								 PQparameterStatus(s->conn.conn, "server_version"));
	return &s->base;
}

static void
pg_source_close(Source *src)
{
	PgSource   *s = (PgSource *) src;

	pg_disconnect(&s->conn);
	free(s->base.server);
	free(s);
}

/* ------------------------------------------------------------------ check */

#define SCOPE "source"

/* Fetch one setting as text (as SHOW prints it, with its unit), or NULL (caller frees). */
static char *
setting(PgSource *s, const char *name)
{
	const char *params[1] = {name};
	char	   *v = NULL;
	PGresult   *res = pg_query_quiet(&s->conn, "SELECT pg_catalog.current_setting($1, true)", 1, params);

	if (res && PQntuples(res) == 1)
		v = gw_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* List of "schema.table" for matching rows of res (cols 0, 1), up to 10 shown. */
static int
collect_tables(PGresult *res, const TableFilter *f, StrBuf *names)
{
	int			n = 0;

	for (int i = 0; i < PQntuples(res); i++)
	{
		const char *schema = PQgetvalue(res, i, 0);
		const char *table = PQgetvalue(res, i, 1);

		if (!table_filter_match(f, schema, table))
			continue;
		if (n < 10)
		{
			if (n)
				sb_append(names, ", ");
			sb_append_qualified(names, schema, table);
		}
		n++;
	}
	if (n > 10)
		sb_appendf(names, " and %d more", n - 10);
	return n;
}

/*
 * From PostgreSQL 14 replicate asks for streamed in-progress transactions:
 * those bigger than logical_decoding_work_mem are spooled under $TMPDIR on
 * the godwit machine until they commit.  Report where, and how much room
 * there is (a warning under 1 GB).
 */
static void
check_streaming(PgSource *s, CheckList *out)
{
	char	   *mem;
	const char *tmp = getenv("TMPDIR");
	const char *dir = tmp && tmp[0] ? tmp : "/tmp";
	struct statvfs vfs;

	if (s->conn.server_version < 140000)
		return;
	mem = setting(s, "logical_decoding_work_mem");
	if (statvfs(dir, &vfs) != 0)
		checklist_add(out, SCOPE, "spool_space", CHECK_WARN, "set TMPDIR to a writable directory with room for the largest transaction",
					  "transactions over logical_decoding_work_mem = %s are spooled under %s, which is not usable: %s",
					  mem ? mem : "?", dir, strerror(errno));
	else
	{
		double		free_gb = (double) vfs.f_bavail * (double) vfs.f_frsize / (1 << 30);

		checklist_add(out, SCOPE, "spool_space", free_gb < 1.0 ? CHECK_WARN : CHECK_OK,
					  free_gb < 1.0 ? "set TMPDIR to a disk with room for the largest transaction the application runs" : NULL,
					  "transactions over logical_decoding_work_mem = %s stream while they run and are spooled under %s (%.1f GB free)",
					  mem ? mem : "?", dir, free_gb);
	}
	free(mem);
}

/* User tables the migration could cover: ordinary and partitioned tables. */
#define USER_TABLES_SQL \
	"SELECT n.nspname, c.relname, c.oid FROM pg_catalog.pg_class c " \
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " \
	"WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition " \
	"AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_godwit') " \
	"AND n.nspname NOT LIKE 'pg\\_%' "

static void
pg_check_tables(PgSource *s, const SourceCheckOptions *o, CheckList *out)
{
	PGresult   *res;
	StrBuf		names;
	int			n;

	/* tables in scope */
	res = pg_query_quiet(&s->conn, USER_TABLES_SQL, 0, NULL);
	if (res == NULL)
	{
		checklist_add(out, SCOPE, "tables", CHECK_FAIL, NULL, "could not list tables: %s",
					  s->conn.last_error);
		return;
	}
	sb_init(&names, 0);
	n = collect_tables(res, o->filter, &names);
	PQclear(res);
	if (n == 0)
		checklist_add(out, SCOPE, "tables", CHECK_FAIL,
					  "check --schema-filter / --table-filter (they match whole names)",
					  "no tables match the filters");
	else
		checklist_add(out, SCOPE, "tables", CHECK_OK, NULL, "%d table%s to migrate", n,
					  n == 1 ? "" : "s");

	/* SELECT privilege */
	sb_reset(&names);
	res = pg_query_quiet(&s->conn, USER_TABLES_SQL
						 "AND NOT pg_catalog.has_table_privilege(c.oid, 'SELECT') ORDER BY 1, 2",
						 0, NULL);
	if (res)
	{
		n = collect_tables(res, o->filter, &names);
		if (n)
			checklist_add(out, SCOPE, "select_privilege", CHECK_FAIL,
						  "GRANT SELECT ON ALL TABLES IN SCHEMA ... TO the migration user",
						  "no SELECT privilege on %d table%s: %s", n, n == 1 ? "" : "s", names.data);
		else
			checklist_add(out, SCOPE, "select_privilege", CHECK_OK, NULL, "SELECT granted on every table");
		PQclear(res);
	}

	/* primary keys */
	sb_reset(&names);
	res = pg_query_quiet(&s->conn, USER_TABLES_SQL
						 "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k "
						 "  WHERE k.conrelid = c.oid AND k.contype = 'p') ORDER BY 1, 2",
						 0, NULL);
	if (res)
	{
		n = collect_tables(res, o->filter, &names);
		if (n == 0)
			checklist_add(out, SCOPE, "primary_keys", CHECK_OK, NULL, "every table has a primary key");
		else
			checklist_add(out, SCOPE, "primary_keys", o->allow_no_pk ? CHECK_WARN : CHECK_FAIL,
						  "add a primary key, exclude the table with --table-exclusion-filter, "
						  "or accept whole-table copies and REPLICA IDENTITY FULL with --allow-no-pk",
						  "%d table%s without a primary key: %s", n, n == 1 ? "" : "s", names.data);
		PQclear(res);
	}

	/* replica identity NOTHING makes updates and deletes unreplicable */
	if (!o->no_replication)
	{
		sb_reset(&names);
		/*
		 * NOTHING, or DEFAULT without a primary key: once published, the source
		 * itself refuses UPDATE and DELETE on such a table.
		 */
		res = pg_query_quiet(&s->conn, USER_TABLES_SQL
							 "AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS ("
							 "  SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')))"
							 " ORDER BY 1, 2",
							 0, NULL);
		if (res)
		{
			n = collect_tables(res, o->filter, &names);
			if (n)
				checklist_add(out, SCOPE, "replica_identity", CHECK_FAIL,
							  "ALTER TABLE ... REPLICA IDENTITY FULL (or add a primary key, or exclude the table)",
							  "%d table%s without a usable replica identity: once published, UPDATE and DELETE on %s would fail on the source: %s",
							  n, n == 1 ? "" : "s", n == 1 ? "it" : "them", names.data);
			else
				checklist_add(out, SCOPE, "replica_identity", CHECK_OK, NULL,
							  "every table can replicate updates and deletes");
			PQclear(res);
		}
	}
	sb_free(&names);
}

static void
pg_check(Source *src, const SourceCheckOptions *o, CheckList *out)
{
	PgSource   *s = (PgSource *) src;
	char	   *v;
	int			ver = s->conn.server_version;

	if (pg_is_cockroach(&s->conn))
	{
		checklist_add(out, SCOPE, "version", CHECK_FAIL,
					  "CockroachDB as a source is only supported by failback",
					  "%s is not a supported source", src->server);
		return;
	}
	if (ver >= 130000)
		checklist_add(out, SCOPE, "version", CHECK_OK, NULL, "%s", src->server);
	else
		checklist_add(out, SCOPE, "version", CHECK_FAIL, "upgrade the source to PostgreSQL 13 or later",
					  "%s is older than 13", src->server);

	/* primary, not a standby */
	v = NULL;
	if (pg_query_value(&s->conn, "SELECT pg_catalog.pg_is_in_recovery()::text", 0, NULL, &v))
	{
		if (v && strcmp(v, "false") == 0)
			checklist_add(out, SCOPE, "primary", CHECK_OK, NULL, "connected to a primary");
		else
			checklist_add(out, SCOPE, "primary", o->no_replication ? CHECK_WARN : CHECK_FAIL,
						  "connect to the primary: logical replication slots cannot be created on a standby",
						  "connected to a standby (in recovery)");
	}
	free(v);

	if (!o->no_replication)
	{
		v = setting(s, "wal_level");
		if (v && strcmp(v, "logical") == 0)
			checklist_add(out, SCOPE, "wal_level", CHECK_OK, NULL, "wal_level = logical");
		else
			checklist_add(out, SCOPE, "wal_level", CHECK_FAIL,
						  "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL",
						  "wal_level = %s (logical is required for replication)", v ? v : "unknown");
		free(v);

		PGresult   *res = pg_query_quiet(&s->conn,
										 "SELECT current_setting('max_replication_slots')::int, "
										 "  (SELECT count(*) FROM pg_catalog.pg_replication_slots)::int, "
										 "  current_setting('max_wal_senders')::int, "
										 "  (SELECT count(*) FROM pg_catalog.pg_stat_activity "
										 "   WHERE backend_type = 'walsender')::int",
										 0, NULL);

		if (res && PQntuples(res) == 1)
		{
			int			max_slots = atoi(PQgetvalue(res, 0, 0));
			int			used_slots = atoi(PQgetvalue(res, 0, 1));
			int			max_senders = atoi(PQgetvalue(res, 0, 2));
			int			used_senders = atoi(PQgetvalue(res, 0, 3));

			if (max_slots - used_slots >= 1)
				checklist_add(out, SCOPE, "replication_slots", CHECK_OK, NULL,
							  "%d of max_replication_slots = %d free", max_slots - used_slots, max_slots);
			else
				checklist_add(out, SCOPE, "replication_slots", CHECK_FAIL,
							  "raise max_replication_slots (restart needed) or drop an unused slot",
							  "no free replication slot (%d of %d used)", used_slots, max_slots);
			/* fetch holds one walsender for the snapshot, replicate one for the stream */
			if (max_senders - used_senders >= 2)
				checklist_add(out, SCOPE, "wal_senders", CHECK_OK, NULL,
							  "%d of max_wal_senders = %d free", max_senders - used_senders, max_senders);
			else
				checklist_add(out, SCOPE, "wal_senders", CHECK_FAIL,
							  "raise max_wal_senders (restart needed): godwit needs 2",
							  "%d free WAL sender%s of max_wal_senders = %d (2 needed)",
							  max_senders - used_senders, max_senders - used_senders == 1 ? "" : "s",
							  max_senders);
		}
		PQclear(res);

		check_streaming(s, out);

		res = pg_query_quiet(&s->conn,
							 "SELECT rolsuper, rolreplication, current_user FROM pg_catalog.pg_roles "
							 "WHERE rolname = current_user", 0, NULL);
		if (res && PQntuples(res) == 1)
		{
			bool		super = PQgetvalue(res, 0, 0)[0] == 't';
			bool		repl = PQgetvalue(res, 0, 1)[0] == 't';

			if (super || repl)
				checklist_add(out, SCOPE, "replication_privilege", CHECK_OK, NULL,
							  "role \"%s\" has %s", PQgetvalue(res, 0, 2),
							  super ? "SUPERUSER" : "REPLICATION");
			else
			{
				char	   *hint = gw_asprintf("ALTER ROLE \"%s\" WITH REPLICATION", PQgetvalue(res, 0, 2));

				checklist_add(out, SCOPE, "replication_privilege", CHECK_FAIL, hint,
							  "role \"%s\" has neither REPLICATION nor SUPERUSER", PQgetvalue(res, 0, 2));
				free(hint);
			}
		}
		PQclear(res);
	}
	pg_check_tables(s, o, out);
	source_check_column_types(src, o, out);
}

/* ------------------------------------------------------------ positions */

/* The end of WAL written so far (for lag). */
static bool
pg_current_position(Source *src, char *out, size_t outlen)
{
	PgSource   *s = (PgSource *) src;
	char	   *v = NULL;

	if (!pg_query_value(&s->conn, "SELECT pg_catalog.pg_current_wal_lsn()::text", 0, NULL, &v) || v == NULL)
	{
		free(v);
		return false;
	}
	snprintf(out, outlen, "%s", v);
	free(v);
	return true;
}

/*
 * A WAL position at or past the commit record of every transaction that
 * committed before the call, and one the walsender can send (flushed).
 * pg_current_wal_lsn() is neither: with synchronous_commit = off a
 * transaction is committed (visible, acknowledged to its client) before its
 * commit record is written, so the write position can lag the last commits
 * and a cutover would call replication drained without them.  So commit a
 * transaction of our own synchronously: a transactional logical message (no
 * table touched, not sent to our pgoutput stream, allowed for any role and
 * in a read-only database) makes it write WAL, which a synchronous commit
 * then flushes (a transaction that wrote no WAL commits asynchronously
 * whatever synchronous_commit says).  The flush covers every earlier commit
 * record, and the flush position is then past all of them.
 */
static bool
pg_barrier_position(Source *src, char *out, size_t outlen)
{
	PgSource   *s = (PgSource *) src;
	char	   *v = NULL;

	if (!pg_exec(&s->conn, "BEGIN; SET LOCAL synchronous_commit = on; "
				 "SELECT pg_catalog.pg_logical_emit_message(true, 'godwit', 'barrier'); COMMIT"))
	{
		pg_rollback(&s->conn);
		return false;
	}
	if (!pg_query_value(&s->conn, "SELECT pg_catalog.pg_current_wal_flush_lsn()::text", 0, NULL, &v) ||
		v == NULL)
	{
		free(v);
		return false;
	}
	snprintf(out, outlen, "%s", v);
	free(v);
	return true;
}

static bool
pg_position_reached(const char *applied, const char *wanted)
{
	Lsn			a,
				w;

	if (applied == NULL || !lsn_parse(applied, &a))
		return false;
	if (wanted == NULL || !lsn_parse(wanted, &w))
		return true;
	return a >= w;
}

static int64_t
pg_position_lag_bytes(const char *applied, const char *current)
{
	Lsn			a,
				c;

	if (applied == NULL || current == NULL || !lsn_parse(applied, &a) || !lsn_parse(current, &c))
		return -1;
	return c > a ? (int64_t) (c - a) : 0;
}

/* ------------------------------------------------------------ write lock */

static bool
pg_set_read_only(PgSource *s, bool on)
{
	char	   *db = NULL;
	StrBuf		sql;
	bool		ok;

	if (!pg_query_value(&s->conn, "SELECT current_database()", 0, NULL, &db) || db == NULL)
		return false;
	sb_init(&sql, 0);
	sb_append(&sql, "ALTER DATABASE ");
	sb_append_ident(&sql, db);
	sb_append(&sql, on ? " SET default_transaction_read_only = on" : " RESET default_transaction_read_only");
	ok = pg_exec(&s->conn, sql.data);
	if (!ok)
		log_error_dh(NULL, "the database owner or a superuser can do it; or stop the application's writes yourself",
					 "could not make database \"%s\" %s", db, on ? "read-only" : "writable again");
	sb_free(&sql);
	free(db);
	return ok;
}

static bool
pg_lock_writes(Source *src)
{
	PgSource   *s = (PgSource *) src;
	char	   *n = NULL;

	if (!pg_set_read_only(s, true))
		return false;

	/*
	 * New sessions now start read-only; sessions already open could still
	 * write, so they are ended (not godwit's own, not the walsenders).
	 */
	if (!pg_query_value(&s->conn,
						"SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity "
						"WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid() "
						"AND backend_type = 'client backend' AND application_name NOT LIKE 'godwit%'",
						0, NULL, &n))
		return false;
	log_info("source database is read-only; ended %s session%s that could still write", n ? n : "0",
			 n && strcmp(n, "1") == 0 ? "" : "s");
	free(n);
	return true;
}

static bool
pg_unlock_writes(Source *src)
{
	return pg_set_read_only((PgSource *) src, false);
}

const SourceOps source_ops_postgres = {
	.engine = "postgres",
	.open = pg_source_open,
	.close = pg_source_close,
	.check = pg_check,
	.stream_open = pg_stream_open,
	.stream_next = pg_stream_next,
	.stream_confirm = pg_stream_confirm,
	.stream_close = pg_stream_close,
	.snapshot_begin = pg_snapshot_begin,
	.snapshot_end = pg_snapshot_end,
	.plan_shards = pg_plan_shards,
	.copy_shard = pg_copy_shard,
	.current_position = pg_current_position,
	.barrier_position = pg_barrier_position,
	.position_reached = pg_position_reached,
	.position_lag_bytes = pg_position_lag_bytes,
	.lock_writes = pg_lock_writes,
	.unlock_writes = pg_unlock_writes,
	.read_catalog = pg_read_catalog,
	.verify_open = pg_verify_open,
	.verify_close = pg_verify_close,
	.verify_begin = pg_verify_begin,
	.verify_end = pg_verify_end,
	.verify_read = pg_verify_read,
	.verify_hash = pg_verify_hash,
};
