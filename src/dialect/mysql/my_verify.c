/*
 * src/dialect/mysql/my_verify.c
 *	  Verification reads from MySQL / MariaDB: consistent, key-ordered row
 *	  streams whose values arrive in the target's text form
 *	  (SourceOps.verify_*, see source.h).
 *
 * A reader is its own connection (utf8mb4, time_zone +00:00, REPEATABLE
 * READ).  verify_begin starts a transaction WITH CONSISTENT SNAPSHOT and then
 * reads the binlog GTID position: a transaction the snapshot sees committed
 * to InnoDB after it was written to the binlog, so the position read after
 * the snapshot covers it.
 *
 * Rows are streamed with mysql_use_result (one row in memory) and every
 * value goes through myconv_value, the converter fetch and replication use,
 * so the verifier compares the target with exactly what godwit would have
 * written.  A value myconv rejects is passed on as an error: it cannot be on
 * the target, and the row is reported with the reason.
 *
 * Key order.  The verifier orders numbers, times and bytes by value and
 * everything else by the bytes of its UTF-8 text (canon_compare).  MySQL
 * orders numeric, temporal and binary columns by value too; text columns are
 * ordered through CAST(CONVERT(col USING utf8mb4) AS BINARY), which sorts by
 * code point whatever the column's collation (case-insensitive, PAD SPACE,
 * latin1) and so agrees with PostgreSQL's "C" order.  MariaDB's UUID type
 * sorts in its own segment order, so it is ordered by its text as well.
 *
 * There is no range hash: MySQL cannot render values the way the target
 * prints them, so every compared row is read (SourceOps.verify_hash NULL).
 */
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "dialect/mysql/my_conn.h"
#include "dialect/mysql/my_source.h"
#include "dialect/mysql/myconv.h"
#include "dialect/source.h"

struct VerifyReader
{
	MyConn		conn;
	const ConnUrl *url;			/* to reconnect after a read stopped early */
	bool		mariadb;
	bool		in_txn;
	MyConvOptions copt;
};

VerifyReader *
my_verify_open(Source *src, const Catalog *cat)
{
	VerifyReader *r = gw_new(VerifyReader);

	if (!my_connect(&r->conn, src->url))
	{
		free(r);
		return NULL;
	}
	r->url = src->url;
	r->mariadb = r->conn.flavor == MY_FLAVOR_MARIADB;
	r->copt.zero = cat && cat->zero_dates == ZERO_DATES_ERROR ? MYCONV_ZERO_ERROR : MYCONV_ZERO_NULL;
	/* a known sql_mode: literals escape backslashes, CHAR is read without its padding */
	if (!my_exec(&r->conn, "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'") ||
		!my_exec(&r->conn, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
	{
		my_disconnect(&r->conn);
		free(r);
		return NULL;
	}
	return r;
}

void
my_verify_close(VerifyReader *r)
{
	if (r == NULL)
		return;
	my_disconnect(&r->conn);
	free(r);
}

bool
my_verify_begin(VerifyReader *r, char *position, size_t poslen)
{
	char	   *pos = NULL;

	if (r->conn.mysql == NULL)
	{
		if (!my_connect(&r->conn, r->url) ||
			!my_exec(&r->conn, "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'") ||
			!my_exec(&r->conn, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
			return false;
	}
	if (r->in_txn)
		my_exec_quiet(&r->conn, "ROLLBACK");
	r->in_txn = false;
	if (!my_exec(&r->conn, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"))
		return false;
	r->in_txn = true;
	if (!my_query_value(&r->conn, r->mariadb ? "SELECT @@GLOBAL.gtid_binlog_pos" : "SELECT @@GLOBAL.gtid_executed",
						&pos))
		return false;
	/* MySQL prints a long set over several lines */
	size_t		o = 0;

	for (const char *p = pos ? pos : ""; *p && o + 1 < poslen; p++)
		if (*p != '\n' && *p != ' ')
			position[o++] = *p;
	position[o] = '\0';
	free(pos);
	return true;
}

void
my_verify_end(VerifyReader *r)
{
	if (r->in_txn && r->conn.mysql)
		my_exec_quiet(&r->conn, "ROLLBACK");
	r->in_txn = false;
}

/* ----------------------------------------------------------- SQL pieces */

/* MySQL types ordered by value the way the verifier orders their target form. */
static bool
my_orders_by_value(const Column *col)
{
	static const char *const types[] = {
		"tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double",
		"date", "datetime", "timestamp", "time", "year", "bit",
		"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", NULL
	};

	for (int i = 0; types[i]; i++)
		if (strcmp(col->source_base, types[i]) == 0)
			return true;
	return false;
}

/* A target-text key value as a MySQL literal for the column. */
static void
append_key_literal(StrBuf *sql, const Column *col, const char *v)
{
	size_t		n = strlen(v);

	switch (col->conv)
	{
		case CONV_MY_BINARY:
		case CONV_MY_GEOMETRY_BYTEA:
			if (n >= 2 && v[0] == '\\' && v[1] == 'x')
			{
				sb_appendf(sql, "X'%s'", v + 2);
				return;
			}
			break;
		case CONV_MY_BOOL:
			sb_append(sql, strcmp(v, "t") == 0 ? "1" : "0");
			return;
		case CONV_MY_BIT_BOOL:
			sb_append(sql, strcmp(v, "t") == 0 ? "b'1'" : "b'0'");
			return;
		case CONV_MY_BIT:
			sb_appendf(sql, "b'%s'", strspn(v, "01") == n && n > 0 ? v : "0");
			return;
		case CONV_MY_TIMESTAMP:
			if (n > 3 && strcmp(v + n - 3, "+00") == 0)
			{
				char	   *cut = gw_strndup(v, n - 3);

				sb_append_my_literal(sql, cut);
				free(cut);
				return;
			}
			break;
		default:
			break;
	}
	sb_append_my_literal(sql, v);
}

static void
append_where(StrBuf *sql, const Table *t, const RowSelection *sel)
{
	const ShardRange *r = sel->range;
	bool		where = false;

	if (r && (r->lo || r->hi) && t->npk > 0)
	{
		const Column *key = &t->columns[t->pk[0]];

		sb_append(sql, " WHERE ");
		where = true;
		if (r->lo)
		{
			sb_append_my_ident(sql, key->name);
			sb_append(sql, " >= ");
			sb_append_my_literal(sql, r->lo);
		}
		if (r->lo && r->hi)
			sb_append(sql, " AND ");
		if (r->hi)
		{
			sb_append_my_ident(sql, key->name);
			sb_append(sql, " < ");
			sb_append_my_literal(sql, r->hi);
		}
	}
	if (sel->keys && t->npk > 0)
	{
		sb_append(sql, where ? " AND (" : " WHERE (");
		for (int i = 0; i < t->npk; i++)
		{
			if (i)
				sb_append(sql, ", ");
			sb_append_my_ident(sql, t->columns[t->pk[i]].name);
		}
		sb_append(sql, ") IN (");
		if (sel->nkeys == 0)
			sb_append(sql, "SELECT NULL FROM DUAL WHERE FALSE");
		for (int k = 0; k < sel->nkeys; k++)
		{
			sb_append(sql, k ? ", (" : "(");
			for (int i = 0; i < t->npk; i++)
			{
				if (i)
					sb_append(sql, ", ");
				append_key_literal(sql, &t->columns[t->pk[i]], sel->keys[(size_t) k * (size_t) t->npk + (size_t) i]);
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
		bool		by_text = (sel->key_by_text && sel->key_by_text[i]) || !my_orders_by_value(k);

		if (i)
			sb_append(sql, ", ");
		if (!by_text)
		{
			sb_append_my_ident(sql, k->name);
			continue;
		}
		sb_append(sql, "CAST(CONVERT(");
		sb_append_my_ident(sql, k->name);
		sb_append(sql, " USING utf8mb4) AS BINARY)");
	}
}

/* ----------------------------------------------------------- reads */

bool
my_verify_read(VerifyReader *r, const Table *t, const RowSelection *sel, const VerifyRowSink *sink,
			   int64_t *rows)
{
	StrBuf		sql;
	StrBuf		conv;
	MYSQL_RES  *res;
	MYSQL_ROW	myrow;
	int			n = 0;
	int		   *colmap = gw_new_array(int, (size_t) t->ncolumns + 1);
	const char **vals = gw_new_array(const char *, (size_t) t->ncolumns + 1);
	size_t	   *lens = gw_new_array(size_t, (size_t) t->ncolumns + 1);
	const char **errs = gw_new_array(const char *, (size_t) t->ncolumns + 1);
	size_t	   *offs = gw_new_array(size_t, (size_t) t->ncolumns + 1);
	char	  **errmsg = gw_new_array(char *, (size_t) t->ncolumns + 1);
	VerifyRow	row = {vals, lens, errs};
	bool		ok = true;

	*rows = 0;
	sb_init(&sql, SB_DEFAULT_LIMIT);
	sb_init(&conv, SB_DEFAULT_LIMIT);
	sb_append(&sql, "SELECT ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip)
			continue;
		if (n)
			sb_append(&sql, ", ");
		sb_append_my_ident(&sql, t->columns[i].name);
		colmap[n++] = i;
	}
	if (n == 0)
		sb_append(&sql, "1");
	sb_append(&sql, " FROM ");
	sb_append_my_ident(&sql, t->schema);
	sb_appendc(&sql, '.');
	sb_append_my_ident(&sql, t->name);
	append_where(&sql, t, sel);
	append_order(&sql, t, sel);
	log_trace("source: %s", sql.data);

	if (!sb_ok(&sql) || mysql_real_query(r->conn.mysql, sql.data, (unsigned long) sql.len) != 0 ||
		(res = mysql_use_result(r->conn.mysql)) == NULL)
	{
		my_note_error(&r->conn);
		log_debug("failed query: %s", sql.data);
		my_log_error(&r->conn, "could not read rows from the source");
		ok = false;
		goto done;
	}
	while ((myrow = mysql_fetch_row(res)) != NULL)
	{
		unsigned long *mylens = mysql_fetch_lengths(res);

		sb_reset(&conv);
		for (int i = 0; i < t->ncolumns; i++)
		{
			vals[i] = NULL;
			errs[i] = NULL;
			free(errmsg[i]);
			errmsg[i] = NULL;
		}
		/* convert into one buffer first (it may move), then point into it */
		for (int k = 0; k < n; k++)
		{
			int			ci = colmap[k];
			MyConvError cerr;

			offs[ci] = (size_t) -1;
			if (myrow[k] == NULL)
				continue;
			size_t		start = conv.len;

			switch (myconv_value(&t->columns[ci], myrow[k], mylens[k], &r->copt, &conv, &cerr))
			{
				case MYCONV_OK:
					offs[ci] = start;
					lens[ci] = conv.len - start;
					sb_appendc(&conv, '\0');
					break;
				case MYCONV_NULL:
					break;
				case MYCONV_ERROR:
					errmsg[ci] = gw_strdup(cerr.message);
					break;
			}
		}
		if (!sb_ok(&conv))
		{
			err_set_kind(ERR_SOURCE);
			log_error("a row of %s is too large to verify", t->display);
			ok = false;
			break;
		}
		for (int k = 0; k < n; k++)
		{
			int			ci = colmap[k];

			if (errmsg[ci])
				errs[ci] = errmsg[ci];
			else if (offs[ci] != (size_t) -1)
				vals[ci] = conv.data + offs[ci];
		}
		(*rows)++;
		if (!sink->row(sink->arg, &row))
		{
			ok = false;
			break;
		}
	}
	if (ok && mysql_errno(r->conn.mysql))
	{
		my_note_error(&r->conn);
		my_log_error(&r->conn, "could not read rows from the source");
		ok = false;
	}
	if (!ok)
	{
		/*
		 * Stopped early: the rest of the result must be read off the wire
		 * before the connection can be used again; closing the session is
		 * cheaper for a big range.
		 */
		mysql_free_result(res);
		r->in_txn = false;
		my_disconnect(&r->conn);
		goto done;
	}
	mysql_free_result(res);

done:
	for (int i = 0; i < t->ncolumns; i++)
		free(errmsg[i]);
	free(errmsg);
	free(offs);
	sb_free(&sql);
	sb_free(&conv);
	free(colmap);
	free(vals);
	free(lens);
	free(errs);
	return ok;
}
