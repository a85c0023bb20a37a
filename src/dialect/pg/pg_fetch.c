/*
 * src/dialect/pg/pg_fetch.c
 *	  Bulk copy from PostgreSQL: the consistent snapshot shared by every
 *	  worker, splitting tables into key ranges, and streaming a range out with
 *	  COPY.
 *
 * The snapshot hand-off (pgcopydb's method): on a replication connection,
 *
 *     CREATE_REPLICATION_SLOT "godwit_slot" LOGICAL pgoutput (SNAPSHOT 'export')
 *
 * returns the slot's consistent point and the name of a snapshot that sees
 * exactly the transactions committed before it.  Every worker connection runs
 * SET TRANSACTION SNAPSHOT with that name, so all copy data corresponds to
 * one instant, and replication started at the consistent point delivers
 * exactly the later transactions: no gap, no overlap.  The exported snapshot
 * lives only while the replication connection stays idle, so the readers
 * import it before anything else is sent on that connection.
 *
 * A resumed fetch cannot get the original snapshot back; it copies the
 * unfinished ranges under a new exported snapshot (no slot) and relies on
 * replication, which starts from the original slot's consistent point and
 * applies every later change idempotently (docs/fetch.md explains why that
 * converges).
 *
 * Ranges: the first primary-key column is split at quantiles of a
 * TABLESAMPLE SYSTEM sample, for key types whose order is the same on every
 * engine (integers, numeric, uuid, date, timestamps).  Other tables are
 * copied as one range.
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

struct SourceReader
{
	PgConn		conn;
};

typedef struct PgSnapshotImpl
{
	PgConn		exporter;		/* replication or plain connection holding the snapshot */
	bool		has_exporter;
} PgSnapshotImpl;

/* ----------------------------------------------------------- snapshot */

/* Does a slot (or publication) with this name exist?  -1 on error (logged). */
static int
pg_object_exists(PgConn *c, const char *sql, const char *name)
{
	const char *params[1] = {name};
	PGresult   *res = pg_query(c, sql, 1, params);
	int			n;

	if (res == NULL)
		return -1;
	n = PQntuples(res) > 0;
	PQclear(res);
	return n;
}

static bool
pg_drop_slot_and_publication(PgConn *c, const char *slot, const char *pub)
{
	StrBuf		sql;
	const char *params[1] = {slot};
	PGresult   *res;
	bool		ok = true;

	res = pg_query(c, "SELECT pg_catalog.pg_drop_replication_slot(slot_name) "
				   "FROM pg_catalog.pg_replication_slots WHERE slot_name = $1", 1, params);
	if (res == NULL)
	{
		log_error_dh(NULL, "stop the process that uses it (replicate?) and retry",
					 "could not drop replication slot \"%s\"", slot);
		return false;
	}
	PQclear(res);
	sb_init(&sql, 0);
	sb_append(&sql, "DROP PUBLICATION IF EXISTS ");
	sb_append_ident(&sql, pub);
	ok = pg_exec(c, sql.data);
	sb_free(&sql);
	if (ok)
		log_info("dropped replication slot \"%s\" and publication \"%s\"", slot, pub);
	return ok;
}

/*
 * Create the publication for the catalog's tables.  publish_via_partition_root
 * makes changes to partitions arrive under the partitioned table, which is
 * the one table the target has.
 */
static bool
pg_create_publication(PgConn *c, const char *pub, const Catalog *cat)
{
	StrBuf		sql;
	bool		ok;
	int			n = 0;
	int			unsafe = 0;

	/*
	 * Once a table is in a publication, PostgreSQL refuses UPDATE and DELETE
	 * on it unless it has a replica identity: for a table without a primary
	 * key that needs REPLICA IDENTITY FULL.  Publishing such a table would
	 * break the application's writes, so it is refused here, by name.
	 */
	sb_init(&sql, 0);
	for (int i = 0; i < cat->ntables; i++)
	{
		const Table *t = cat->tables[i];

		if (t->partition_of || t->replica_identity == 'f' || t->replica_identity == 'i' ||
			(t->npk > 0 && t->replica_identity == 'd'))
			continue;
		if (unsafe++ < 10)
			sb_appendf(&sql, "%s%s", unsafe > 1 ? ", " : "", t->display);
	}
	if (unsafe > 0)
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh(sql.data,
					 "ALTER TABLE ... REPLICA IDENTITY FULL on each (or exclude them with --table-exclusion-filter)",
					 "%d table%s without a usable replica identity: publishing %s would make UPDATE and DELETE on %s fail on the source",
					 unsafe, unsafe == 1 ? "" : "s", unsafe == 1 ? "it" : "them", unsafe == 1 ? "it" : "them");
		sb_free(&sql);
		return false;
	}
	sb_reset(&sql);
	sb_append(&sql, "CREATE PUBLICATION ");
	sb_append_ident(&sql, pub);
	sb_append(&sql, " FOR TABLE ");
	for (int i = 0; i < cat->ntables; i++)
	{
		if (cat->tables[i]->partition_of)
			continue;
		if (n++)
			sb_append(&sql, ", ");
		sb_append_qualified(&sql, cat->tables[i]->schema, cat->tables[i]->name);
	}
	if (c->server_version >= 130000)
		sb_append(&sql, " WITH (publish_via_partition_root = true)");
	if (n == 0)
	{
		sb_free(&sql);
		err_set_kind(ERR_ARGS);
		log_error("no tables to publish");
		return false;
	}
	ok = pg_exec(c, sql.data);
	if (!ok)
		log_error_dh(NULL, "CREATE PUBLICATION ... FOR TABLE needs ownership of the tables (or superuser)",
					 "could not create publication \"%s\"", pub);
	sb_free(&sql);
	return ok;
}

/* Open one reader inside the snapshot.  False on error (logged). */
static bool
pg_reader_open(PgSource *s, const char *snapshot_id, SourceReader **out)
{
	SourceReader *r = gw_new(SourceReader);
	StrBuf		sql;
	bool		ok;

	if (!pg_connect(&r->conn, s->base.url, ROLE_SOURCE, false))
	{
		free(r);
		return false;
	}
	sb_init(&sql, 0);
	sb_append(&sql, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT ");
	sb_append_literal(&sql, snapshot_id);
	ok = pg_exec(&r->conn, sql.data);
	sb_free(&sql);
	if (!ok)
	{
		log_error_dh(NULL, "the snapshot is gone: rerun the same command to resume under a new one",
					 "could not import snapshot \"%s\"", snapshot_id);
		pg_disconnect(&r->conn);
		free(r);
		return false;
	}
	*out = r;
	return true;
}

bool
pg_snapshot_begin(Source *src, const SnapshotRequest *req, Snapshot *out)
{
	PgSource   *s = (PgSource *) src;
	PgSnapshotImpl *impl = gw_new(PgSnapshotImpl);
	PGresult   *res;

	memset(out, 0, sizeof(*out));
	out->impl = impl;
	if (req->create_slot)
	{
		if (req->replace_slot && !pg_drop_slot_and_publication(&s->conn, req->slot_name, req->publication))
			goto fail;
		int			slot = pg_object_exists(&s->conn, "SELECT 1 FROM pg_catalog.pg_replication_slots "
											"WHERE slot_name = $1", req->slot_name);
		int			pub = pg_object_exists(&s->conn, "SELECT 1 FROM pg_catalog.pg_publication "
										   "WHERE pubname = $1", req->publication);

		if (slot < 0 || pub < 0)
			goto fail;
		if (slot || pub)
		{
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "pass --replace-slot to drop them and start over, or choose --slot-name / --publication",
						 "%s \"%s\" already exists on the source", slot ? "replication slot" : "publication",
						 slot ? req->slot_name : req->publication);
			goto fail;
		}
		if (!pg_create_publication(&s->conn, req->publication, req->catalog))
			goto fail;
		if (!pg_connect(&impl->exporter, src->url, ROLE_SOURCE, true))
			goto fail;
		impl->has_exporter = true;

		StrBuf		sql;

		sb_init(&sql, 0);
		sb_append(&sql, "CREATE_REPLICATION_SLOT ");
		sb_append_ident(&sql, req->slot_name);
		sb_append(&sql, impl->exporter.server_version >= 150000
				  ? " LOGICAL pgoutput (SNAPSHOT 'export')" : " LOGICAL pgoutput EXPORT_SNAPSHOT");
		res = pg_query(&impl->exporter, sql.data, 0, NULL);
		sb_free(&sql);
		if (res == NULL || PQntuples(res) != 1 || PQnfields(res) < 3)
		{
			PQclear(res);
			log_error("could not create replication slot \"%s\"", req->slot_name);
			goto fail;
		}
		snprintf(out->position, sizeof(out->position), "%s", PQgetvalue(res, 0, 1));
		snprintf(out->snapshot_id, sizeof(out->snapshot_id), "%s", PQgetvalue(res, 0, 2));
		PQclear(res);
		log_info("created replication slot \"%s\" at %s with exported snapshot %s",
				 req->slot_name, out->position, out->snapshot_id);
	}
	else
	{
		/* a snapshot without a slot: resumed fetch, or --no-replication */
		if (!pg_connect(&impl->exporter, src->url, ROLE_SOURCE, false))
			goto fail;
		impl->has_exporter = true;
		res = pg_query(&impl->exporter,
					   "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
					   "SELECT pg_catalog.pg_export_snapshot()",
					   0, NULL);
		if (res == NULL || PQntuples(res) != 1)
		{
			PQclear(res);
			goto fail;
		}
		snprintf(out->snapshot_id, sizeof(out->snapshot_id), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		log_info("exported snapshot %s", out->snapshot_id);
	}

	out->readers = gw_new_array(SourceReader *, (size_t) req->nreaders);
	for (int i = 0; i < req->nreaders; i++)
	{
		if (!pg_reader_open(s, out->snapshot_id, &out->readers[i]))
			goto fail;
		out->nreaders++;
	}

	/*
	 * Every reader holds the snapshot now; the exporting session can go (a
	 * replication connection must not stay busy for nothing, it counts
	 * against max_wal_senders).
	 */
	pg_disconnect(&impl->exporter);
	impl->has_exporter = false;
	return true;

fail:
	err_set_kind(ERR_SOURCE);
	pg_snapshot_end(src, out);
	return false;
}

void
pg_snapshot_end(Source *src, Snapshot *snap)
{
	PgSnapshotImpl *impl = snap->impl;

	(void) src;
	for (int i = 0; i < snap->nreaders; i++)
	{
		pg_disconnect(&snap->readers[i]->conn);
		free(snap->readers[i]);
	}
	free(snap->readers);
	if (impl)
	{
		if (impl->has_exporter)
			pg_disconnect(&impl->exporter);
		free(impl);
	}
	memset(snap, 0, sizeof(*snap));
}

/* ------------------------------------------------------------- shards */

/* Key types whose order agrees on PostgreSQL, CockroachDB and MySQL. */
static bool
pg_key_splittable(const Column *col)
{
	static const uint32_t oids[] = {
		20, 21, 23,				/* int8, int2, int4 */
		1700,					/* numeric */
		2950,					/* uuid */
		1082, 1114, 1184,		/* date, timestamp, timestamptz */
	};

	if (col->array_dims > 0)
		return false;
	for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		if (col->type_oid == oids[i])
			return true;
	return false;
}

/* The FROM target: ONLY for plain tables (not inheritance children),
 * the whole tree for a partitioned table. */
static void
pg_append_from(StrBuf *sql, const Table *t)
{
	if (!t->is_partitioned)
		sb_append(sql, "ONLY ");
	sb_append_qualified(sql, t->schema, t->name);
}

static void
pg_append_range(StrBuf *sql, const Table *t, const ShardRange *r)
{
	const Column *key;

	if (r == NULL || (r->lo == NULL && r->hi == NULL) || t->npk == 0)
		return;
	key = &t->columns[t->pk[0]];
	sb_append(sql, " WHERE ");
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

static void
plan_single(ShardPlan *out)
{
	out->ranges = gw_new_array(ShardRange, 1);
	out->nranges = 1;
}

bool
pg_plan_shards(Source *src, const Table *t, int64_t target_bytes, ShardPlan *out)
{
	PgSource   *s = (PgSource *) src;
	int64_t		want;
	StrBuf		sql;
	PGresult   *res;

	memset(out, 0, sizeof(*out));
	if (target_bytes <= 0)
		target_bytes = 256LL << 20;
	want = t->est_bytes / target_bytes + (t->est_bytes % target_bytes ? 1 : 0);
	if (want > 1000)
		want = 1000;
	if (want < 2 || t->npk == 0 || !pg_key_splittable(&t->columns[t->pk[0]]) || t->est_rows < 2 * want)
	{
		plan_single(out);
		return true;
	}

	/*
	 * SYSTEM sampling reads whole pages (cheap: only those pages), so the
	 * sample is clustered by page; about 32 pages per range give quantiles
	 * that balance ranges by row count even when keys are sparse or skewed.
	 */
	int64_t		pages = t->est_bytes / 8192 > 0 ? t->est_bytes / 8192 : 1;
	int64_t		sample_pages = want * 32 < pages ? want * 32 : pages;
	double		pct = 100.0 * (double) sample_pages / (double) pages;

	if (pct < 0.0001)
		pct = 0.0001;
	const Column *key = &t->columns[t->pk[0]];

	sb_init(&sql, 0);
	sb_append(&sql, "SELECT ");
	sb_append_ident(&sql, key->name);
	sb_append(&sql, "::text AS godwit_key FROM ");
	sb_append_qualified(&sql, t->schema, t->name);
	/*
	 * Order by the key itself, not its text form ("10" < "9"): the output
	 * column has its own name, or ORDER BY would pick it.
	 */
	sb_appendf(&sql, " TABLESAMPLE SYSTEM (%.6f) ORDER BY ", pct);
	sb_append_ident(&sql, key->name);
	res = pg_query_quiet(&s->conn, sql.data, 0, NULL);
	if (res == NULL)
	{
		/* e.g. a partitioned table on a version that cannot sample it */
		log_debug("could not sample %s for splitting (%s): copying it as one range", t->display,
				  s->conn.last_error);
		sb_free(&sql);
		plan_single(out);
		return true;
	}
	sb_free(&sql);

	int			n = PQntuples(res);

	if (n < want * 2)
	{
		PQclear(res);
		plan_single(out);
		return true;
	}
	out->ranges = gw_new_array(ShardRange, (size_t) want);
	const char *prev = NULL;

	for (int k = 1; k < want; k++)
	{
		const char *b = PQgetvalue(res, (int) ((int64_t) k * n / want), 0);

		if (prev && strcmp(prev, b) == 0)
			continue;			/* duplicate boundary: merge the ranges */
		out->ranges[out->nranges].hi = gw_strdup(b);
		out->nranges++;
		prev = b;
	}
	/* ranges: (-inf, b1), [b1, b2), ..., [bk, +inf) */
	out->ranges[out->nranges].hi = NULL;
	out->nranges++;
	for (int i = 1; i < out->nranges; i++)
		out->ranges[i].lo = gw_strdup(out->ranges[i - 1].hi);
	PQclear(res);
	return true;
}

/* --------------------------------------------------------------- copy */

bool
pg_copy_shard(SourceReader *r, const Table *t, const ShardRange *range, const CopySink *sink,
			  int64_t *rows)
{
	StrBuf		sql;
	PGresult   *res;
	char	   *buf;
	int			len;
	int			ncols = 0;
	bool		ok = true;

	*rows = 0;
	sb_init(&sql, 0);
	sb_append(&sql, "COPY (SELECT ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *col = &t->columns[i];

		if (col->skip)
			continue;
		if (ncols++)
			sb_append(&sql, ", ");
		if (col->select_expr)
			sb_append(&sql, col->select_expr);
		else
			sb_append_ident(&sql, col->name);
	}
	if (ncols == 0)
		sb_append(&sql, "1");	/* zero-column table: rows still count */
	sb_append(&sql, " FROM ");
	pg_append_from(&sql, t);
	pg_append_range(&sql, t, range);
	sb_append(&sql, ") TO STDOUT");

	/*
	 * A savepoint keeps the reader's snapshot transaction usable if this copy
	 * fails (e.g. the target refused a row and the shard will be retried):
	 * only the savepoint is rolled back, the snapshot stays.
	 */
	if (!pg_exec(&r->conn, "SAVEPOINT godwit_copy"))
	{
		sb_free(&sql);
		return false;
	}
	res = PQexec(r->conn.conn, sql.data);
	if (PQresultStatus(res) != PGRES_COPY_OUT)
	{
		pg_note_error(&r->conn, res);
		PQclear(res);
		log_debug("failed: %s", sql.data);
		sb_free(&sql);
		pg_log_error(&r->conn, "could not start copying from the source");
		pg_exec_quiet(&r->conn, "ROLLBACK TO SAVEPOINT godwit_copy");
		return false;
	}
	PQclear(res);
	sb_free(&sql);

	while ((len = PQgetCopyData(r->conn.conn, &buf, 0)) > 0)
	{
		if (ok && !sink->write(sink->arg, buf, (size_t) len))
			ok = false;			/* keep draining so the connection stays usable */
		(*rows)++;
		PQfreemem(buf);
		if (!ok)
			break;
	}
	if (!ok)
	{
		/* the sink failed (logged): cancel the COPY and drain what is left */
		PQrequestCancel(r->conn.conn);
		while ((len = PQgetCopyData(r->conn.conn, &buf, 0)) > 0)
			PQfreemem(buf);
	}
	if (len == -2)
	{
		pg_note_error(&r->conn, NULL);
		pg_log_error(&r->conn, "lost the source while copying");
		return false;
	}
	while ((res = PQgetResult(r->conn.conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ok)
		{
			pg_note_error(&r->conn, res);
			pg_log_error(&r->conn, "could not copy from the source");
			ok = false;
		}
		PQclear(res);
	}
	if (!pg_exec_quiet(&r->conn, ok ? "RELEASE SAVEPOINT godwit_copy" : "ROLLBACK TO SAVEPOINT godwit_copy") && ok)
	{
		pg_log_error(&r->conn, "could not release the copy savepoint");
		return false;
	}
	return ok;
}
