/*
 * src/dialect/target_copy.c
 *	  COPY FROM STDIN into a target table (see target_copy.h).
 */
#include "dialect/target_copy.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"

bool
target_copy_begin(TargetCopy *tc, PgConn *c, const Table *t)
{
	StrBuf		sql;
	PGresult   *res;
	int			n = 0;

	memset(tc, 0, sizeof(*tc));
	tc->conn = c;
	sb_init(&sql, 0);
	sb_append(&sql, "COPY ");
	sb_append_qualified(&sql, t->target_schema, t->target_name);
	sb_append(&sql, " (");
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip)
			continue;
		if (n++)
			sb_append(&sql, ", ");
		sb_append_ident(&sql, t->columns[i].target_name);
	}
	sb_append(&sql, ") FROM STDIN");
	if (n == 0)
	{
		/*
		 * A table without columns (PostgreSQL allows them: "TABLE_DEE") still
		 * has a number of rows; COPY cannot carry them, so they are counted
		 * here and inserted by target_copy_end.
		 */
		sb_free(&sql);
		tc->buf = NULL;
		tc->zero_columns = t;
		return true;
	}
	res = PQexec(c->conn, sql.data);
	sb_free(&sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		pg_note_error(c, res);
		PQclear(res);
		pg_log_error(c, "could not start COPY into the target");
		return false;
	}
	PQclear(res);
	tc->buf = gw_malloc(TARGET_COPY_BUFFER);
	return true;
}

static bool
target_copy_flush(TargetCopy *tc)
{
	if (tc->used == 0)
		return true;
	if (PQputCopyData(tc->conn->conn, tc->buf, (int) tc->used) != 1)
	{
		pg_note_error(tc->conn, NULL);
		pg_log_error(tc->conn, "could not send COPY data to the target");
		tc->failed = true;
		return false;
	}
	tc->bytes += (int64_t) tc->used;
	tc->used = 0;
	return true;
}

bool
target_copy_write(void *arg, const char *data, size_t len)
{
	TargetCopy *tc = arg;

	if (tc->failed)
		return false;
	if (tc->buf == NULL)
	{
		tc->zero_column_rows++; /* one row per call (the source sends row by row) */
		return true;
	}
	if (tc->used + len > TARGET_COPY_BUFFER && !target_copy_flush(tc))
		return false;
	if (len > TARGET_COPY_BUFFER)
	{
		/* one huge row: send it directly, no copy */
		if (PQputCopyData(tc->conn->conn, data, (int) len) != 1)
		{
			pg_note_error(tc->conn, NULL);
			pg_log_error(tc->conn, "could not send COPY data to the target");
			tc->failed = true;
			return false;
		}
		tc->bytes += (int64_t) len;
		return true;
	}
	memcpy(tc->buf + tc->used, data, len);
	tc->used += len;
	return true;
}

bool
target_copy_end(TargetCopy *tc, bool ok)
{
	PGresult   *res;
	bool		result = true;

	if (tc->buf == NULL)
	{
		if (!ok || tc->zero_columns == NULL || tc->zero_column_rows == 0)
			return ok;
		StrBuf		sql;

		sb_init(&sql, 0);
		sb_append(&sql, "INSERT INTO ");
		sb_append_qualified(&sql, tc->zero_columns->target_schema, tc->zero_columns->target_name);
		sb_appendf(&sql, " SELECT FROM generate_series(1, %lld)", (long long) tc->zero_column_rows);
		ok = pg_exec(tc->conn, sql.data);
		sb_free(&sql);
		return ok;
	}
	if (ok && !tc->failed)
		ok = target_copy_flush(tc);
	if (PQputCopyEnd(tc->conn->conn, ok && !tc->failed ? NULL : "godwit: copy aborted") != 1)
	{
		pg_note_error(tc->conn, NULL);
		if (ok)
			pg_log_error(tc->conn, "could not finish COPY on the target");
		result = false;
	}
	while ((res = PQgetResult(tc->conn->conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			pg_note_error(tc->conn, res);
			if (ok && !tc->failed)
				pg_log_error(tc->conn, "could not load rows into the target");
			result = false;
		}
		PQclear(res);
	}
	free(tc->buf);
	tc->buf = NULL;
	return result && ok && !tc->failed;
}
