/*
 * src/dialect/target_apply.c
 *	  SQL for applying replicated changes (see target_apply.h).
 */
#include "dialect/target_apply.h"

#include <string.h>
#include <strings.h>

#define PG_MAX_PARAMS 65535

int
target_apply_ncolumns(const Table *t)
{
	int			n = 0;

	for (int i = 0; i < t->ncolumns; i++)
		n += !t->columns[i].skip;
	return n;
}

int
target_apply_max_rows(const Table *t, int wanted)
{
	int			ncols = target_apply_ncolumns(t);
	int			limit = ncols > 0 ? PG_MAX_PARAMS / ncols : wanted;

	return wanted < limit ? wanted : limit;
}

static void
append_column_list(StrBuf *sql, const Table *t)
{
	int			n = 0;

	sb_appendc(sql, '(');
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip)
			continue;
		if (n++)
			sb_append(sql, ", ");
		sb_append_ident(sql, t->columns[i].target_name);
	}
	sb_appendc(sql, ')');
}

static void
append_key_list(StrBuf *sql, const Table *t)
{
	sb_appendc(sql, '(');
	for (int k = 0; k < t->npk; k++)
	{
		if (k)
			sb_append(sql, ", ");
		sb_append_ident(sql, t->columns[t->pk[k]].target_name);
	}
	sb_appendc(sql, ')');
}

static bool
is_key_column(const Table *t, int col)
{
	for (int k = 0; k < t->npk; k++)
		if (t->pk[k] == col)
			return true;
	return false;
}

/*
 * Replicated rows keep their values, identity columns included: a table
 * godwit did not create (failback applies into the migration's source) may
 * declare GENERATED ALWAYS AS IDENTITY, which refuses them without this.
 * PostgreSQL accepts it on any INSERT; fetch gives CockroachDB targets
 * sequence defaults instead.
 */
static void
append_overriding(StrBuf *sql, TargetDialect d)
{
	if (d == TARGET_POSTGRES)
		sb_append(sql, " OVERRIDING SYSTEM VALUE");
}

/* "<verb> INTO t (columns) [OVERRIDING SYSTEM VALUE] VALUES ($1, ...), ..." */
static void
append_insert_rows(StrBuf *sql, const char *verb, TargetDialect d, const Table *t, int nrows)
{
	int			ncols = target_apply_ncolumns(t);
	int			p = 1;

	sb_append(sql, verb);
	sb_append(sql, " INTO ");
	sb_append_qualified(sql, t->target_schema, t->target_name);
	sb_appendc(sql, ' ');
	append_column_list(sql, t);
	append_overriding(sql, d);
	sb_append(sql, " VALUES ");
	for (int r = 0; r < nrows; r++)
	{
		sb_append(sql, r ? ", (" : "(");
		for (int c = 0; c < ncols; c++)
			sb_appendf(sql, c ? ", $%d" : "$%d", p++);
		sb_appendc(sql, ')');
	}
}

void
target_sql_insert(StrBuf *sql, TargetDialect d, const Table *t, int nrows)
{
	append_insert_rows(sql, "INSERT", d, t, nrows);
}

void
target_sql_upsert(StrBuf *sql, TargetDialect d, const Table *t, int nrows)
{
	bool		only_keys = target_apply_ncolumns(t) == t->npk;

	append_insert_rows(sql, d == TARGET_COCKROACH && !only_keys ? "UPSERT" : "INSERT", d, t, nrows);
	if (d == TARGET_COCKROACH && !only_keys)
		return;
	sb_append(sql, " ON CONFLICT ");
	append_key_list(sql, t);
	if (only_keys)
	{
		sb_append(sql, " DO NOTHING");
		return;
	}
	sb_append(sql, " DO UPDATE SET ");
	int			n = 0;

	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip || is_key_column(t, i))
			continue;
		if (n++)
			sb_append(sql, ", ");
		sb_append_ident(sql, t->columns[i].target_name);
		sb_append(sql, " = excluded.");
		sb_append_ident(sql, t->columns[i].target_name);
	}
}

void
target_sql_delete(StrBuf *sql, const Table *t, int nkeys)
{
	int			p = 1;

	sb_append(sql, "DELETE FROM ");
	sb_append_qualified(sql, t->target_schema, t->target_name);
	sb_append(sql, " WHERE ");
	append_key_list(sql, t);
	sb_append(sql, " IN (");
	for (int r = 0; r < nkeys; r++)
	{
		sb_append(sql, r ? ", (" : "(");
		for (int k = 0; k < t->npk; k++)
			sb_appendf(sql, k ? ", $%d" : "$%d", p++);
		sb_appendc(sql, ')');
	}
	sb_appendc(sql, ')');
}

void
target_sql_update(StrBuf *sql, const Table *t, const bool *present)
{
	int			p = 1;
	int			n = 0;

	sb_append(sql, "UPDATE ");
	sb_append_qualified(sql, t->target_schema, t->target_name);
	sb_append(sql, " SET ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip || !present[i])
			continue;
		if (n++)
			sb_append(sql, ", ");
		sb_append_ident(sql, t->columns[i].target_name);
		sb_appendf(sql, " = $%d", p++);
	}
	sb_append(sql, " WHERE ");
	for (int k = 0; k < t->npk; k++)
	{
		if (k)
			sb_append(sql, " AND ");
		sb_append_ident(sql, t->columns[t->pk[k]].target_name);
		sb_appendf(sql, " = $%d", p++);
	}
}

void
target_sql_truncate(StrBuf *sql, Table *const *tables, int n, bool cascade)
{
	sb_append(sql, "TRUNCATE ");
	for (int i = 0; i < n; i++)
	{
		if (i)
			sb_append(sql, ", ");
		sb_append_qualified(sql, tables[i]->target_schema, tables[i]->target_name);
	}
	if (cascade)
		sb_append(sql, " CASCADE");
}

/* Types without an equality operator: compare their text forms. */
static bool
needs_text_compare(const Column *col)
{
	static const char *const types[] = {"json", "xml", "point", "line", "lseg", "box", "path",
	"polygon", "circle", "geometry", "geography", NULL};
	const char *tt = col->target_type ? col->target_type : "";

	if (strchr(tt, '[') && strstr(tt, "json"))
		return true;
	for (int i = 0; types[i]; i++)
		if (strncasecmp(tt, types[i], strlen(types[i])) == 0 &&
			(tt[strlen(types[i])] == '\0' || tt[strlen(types[i])] == '(' || tt[strlen(types[i])] == '['))
			return true;
	return false;
}

/* "WHERE <rowid> = (SELECT <rowid> FROM t WHERE c1 IS NOT DISTINCT FROM $1 ... LIMIT 1)" */
static void
append_one_row_where(StrBuf *sql, TargetDialect d, const Table *t)
{
	const char *rowid = d == TARGET_COCKROACH ? "rowid" : "ctid";
	int			p = 1,
				n = 0;

	sb_appendf(sql, " WHERE %s = (SELECT %s FROM ", rowid, rowid);
	sb_append_qualified(sql, t->target_schema, t->target_name);
	sb_append(sql, " WHERE ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *col = &t->columns[i];

		if (col->skip)
			continue;
		if (n++)
			sb_append(sql, " AND ");
		sb_append_ident(sql, col->target_name);
		if (needs_text_compare(col))
			sb_appendf(sql, "::text IS NOT DISTINCT FROM $%d::text", p++);
		else
			sb_appendf(sql, " IS NOT DISTINCT FROM $%d", p++);
	}
	if (n == 0)
		sb_append(sql, "true");
	sb_append(sql, " LIMIT 1)");
}

void
target_sql_delete_one(StrBuf *sql, TargetDialect d, const Table *t)
{
	sb_append(sql, "DELETE FROM ");
	sb_append_qualified(sql, t->target_schema, t->target_name);
	append_one_row_where(sql, d, t);
}

void
target_sql_update_one(StrBuf *sql, TargetDialect d, const Table *t)
{
	int			ncols = target_apply_ncolumns(t);
	int			p = ncols + 1,
				n = 0;

	sb_append(sql, "UPDATE ");
	sb_append_qualified(sql, t->target_schema, t->target_name);
	sb_append(sql, " SET ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (t->columns[i].skip)
			continue;
		if (n++)
			sb_append(sql, ", ");
		sb_append_ident(sql, t->columns[i].target_name);
		sb_appendf(sql, " = $%d", p++);
	}
	append_one_row_where(sql, d, t);
}
