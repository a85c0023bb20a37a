/*
 * tests/support/pg_test_catalog.c
 *	  Test-only catalog reader for PostgreSQL (see pg_test_catalog.h).
 */
#include "pg_test_catalog.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

static bool
excluded(const char *name, const char *const *exclude, int nexclude)
{
	for (int i = 0; i < nexclude; i++)
		if (strcmp(name, exclude[i]) == 0)
			return true;
	return false;
}

/* Columns (in attnum order) and primary key of t, whose OID is oid. */
static bool
read_columns(PgConn *c, Catalog *cat, Table *t, const char *oid)
{
	const char *params[1] = {oid};
	PGresult   *res = pg_query(c,
							   "SELECT a.attname, a.atttypid, pg_catalog.format_type(a.atttypid, a.atttypmod), "
							   "  a.attnotnull, a.attgenerated <> '', "
							   "  coalesce((SELECT k.ord FROM pg_catalog.pg_index i, "
							   "    unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
							   "    WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.attnum = a.attnum), 0) "
							   "FROM pg_catalog.pg_attribute a "
							   "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped "
							   "ORDER BY a.attnum", 1, params);
	int			npk = 0;

	if (res == NULL)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
	{
		Column	   *col = table_add_column(cat, t, PQgetvalue(res, i, 0));

		col->type_oid = (uint32_t) strtoul(PQgetvalue(res, i, 1), NULL, 10);
		col->source_type = arena_strdup(&cat->arena, PQgetvalue(res, i, 2));
		col->nullable = PQgetvalue(res, i, 3)[0] != 't';
		if (PQgetvalue(res, i, 4)[0] == 't')
			col->generated_expr = arena_strdup(&cat->arena, "generated");
		if (atoi(PQgetvalue(res, i, 5)) > 0)
			npk++;
	}
	t->pk = arena_alloc_array0(&cat->arena, (size_t) (npk ? npk : 1), sizeof(int));
	t->npk = npk;
	for (int i = 0; i < PQntuples(res); i++)
	{
		int			ord = atoi(PQgetvalue(res, i, 5));

		if (ord > 0 && ord <= npk)
			t->pk[ord - 1] = i;
	}
	PQclear(res);
	return true;
}

bool
test_catalog_read_pg(PgConn *c, Catalog *cat, const char *const *exclude, int nexclude)
{
	PGresult   *res = pg_query(c,
							   "SELECT c.oid, n.nspname, c.relname, c.relreplident, c.relkind = 'p' "
							   "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
							   "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
							   "AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_godwit') "
							   "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 2, 3", 0, NULL);

	if (res == NULL)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
	{
		Table	   *t;

		if (excluded(PQgetvalue(res, i, 2), exclude, nexclude))
			continue;
		t = catalog_add_table(cat, PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
		t->oid = (uint32_t) strtoul(PQgetvalue(res, i, 0), NULL, 10);
		t->replica_identity = PQgetvalue(res, i, 3)[0];
		t->is_partitioned = PQgetvalue(res, i, 4)[0] == 't';
		if (!read_columns(c, cat, t, PQgetvalue(res, i, 0)))
		{
			PQclear(res);
			return false;
		}
	}
	PQclear(res);
	return true;
}
