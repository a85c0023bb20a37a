/*
 * tests/lib/my_catalog_fill.c
 *	  TEST-ONLY catalog filler (see my_catalog_fill.h).
 */
#include "my_catalog_fill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/strbuf.h"

/* enum('a','b''c') -> labels in arena */
static void
parse_labels(Catalog *cat, Column *col, const char *type)
{
	const char *p = strchr(type, '(');
	char	   *lab[1024];
	int			n = 0;

	if (!p)
		return;
	p++;
	while (*p == '\'' && n < 1024)
	{
		StrBuf		b;

		sb_init(&b, 0);
		p++;
		while (*p)
		{
			if (*p == '\'' && p[1] == '\'')
			{
				sb_appendc(&b, '\'');
				p += 2;
			}
			else if (*p == '\'')
			{
				p++;
				break;
			}
			else
				sb_appendc(&b, *p++);
		}
		lab[n++] = arena_strdup(&cat->arena, b.data ? b.data : "");
		sb_free(&b);
		if (*p == ',')
			p++;
	}
	col->enum_labels = arena_alloc_array0(&cat->arena, (size_t) (n ? n : 1), sizeof(char *));
	memcpy(col->enum_labels, lab, sizeof(char *) * (size_t) n);
	col->nenum_labels = n;
}

static void
map_column(Catalog *cat, Column *col, const char *dt, const char *ct, bool json_check)
{
	const char *tt = NULL;
	ValueConv	cv = CONV_NONE;

	if (strncasecmp(ct, "tinyint(1)", 10) == 0)
		cv = CONV_MY_BOOL, tt = "boolean";
	else if (!strcasecmp(dt, "tinyint") || !strcasecmp(dt, "smallint"))
		tt = col->is_unsigned && !strcasecmp(dt, "smallint") ? "integer" : "smallint";
	else if (!strcasecmp(dt, "mediumint") || !strcasecmp(dt, "int"))
		tt = col->is_unsigned && !strcasecmp(dt, "int") ? "bigint" : "integer";
	else if (!strcasecmp(dt, "bigint"))
		tt = col->is_unsigned ? "numeric(20)" : "bigint";
	else if (!strcasecmp(dt, "decimal"))
		tt = "numeric";
	else if (!strcasecmp(dt, "float"))
		tt = "real";
	else if (!strcasecmp(dt, "double"))
		tt = "double precision";
	else if (!strcasecmp(dt, "binary") || !strcasecmp(dt, "varbinary") || strstr(dt, "blob"))
		cv = CONV_MY_BINARY, tt = "bytea";
	else if (!strcasecmp(dt, "bit"))
		cv = CONV_MY_BIT, tt = "bit varying";
	else if (!strcasecmp(dt, "date"))
		cv = CONV_MY_DATE, tt = "date";
	else if (!strcasecmp(dt, "datetime"))
		cv = CONV_MY_DATETIME, tt = "timestamp";
	else if (!strcasecmp(dt, "timestamp"))
		cv = CONV_MY_TIMESTAMP, tt = "timestamptz";
	else if (!strcasecmp(dt, "time"))
		cv = CONV_MY_TIME_INTERVAL, tt = "interval";
	else if (!strcasecmp(dt, "year"))
		cv = CONV_MY_YEAR, tt = "smallint";
	else if (!strcasecmp(dt, "enum"))
		cv = CONV_MY_ENUM, tt = "text";
	else if (!strcasecmp(dt, "set"))
		cv = CONV_MY_SET, tt = "text[]";
	else if (!strcasecmp(dt, "json") || json_check)
		cv = CONV_MY_JSON, tt = "jsonb";
	else if (!strcasecmp(dt, "geometry") || !strcasecmp(dt, "point") || !strcasecmp(dt, "linestring") ||
			 !strcasecmp(dt, "polygon") || strstr(dt, "multi") || !strcasecmp(dt, "geometrycollection"))
		cv = CONV_MY_GEOMETRY, tt = "geometry";
	else if (!strcasecmp(dt, "uuid"))
		tt = "uuid";
	else if (!strcasecmp(dt, "inet6") || !strcasecmp(dt, "inet4"))
		tt = "inet";
	else
		cv = CONV_MY_TEXT, tt = "text";
	col->conv = cv;
	col->target_type = arena_strdup(&cat->arena, tt);
	if (col->conv == CONV_MY_ENUM || col->conv == CONV_MY_SET)
		parse_labels(cat, col, ct);
}

bool
test_catalog_fill_table(MyConn *c, Catalog *cat, const char *db, const char *name)
{
	StrBuf		sql;
	MYSQL_RES  *r;
	MYSQL_ROW	row;
	Table	   *t;
	char	   *checks = NULL;

	sb_init(&sql, 0);
	sb_append(&sql, "SELECT GROUP_CONCAT(CHECK_CLAUSE SEPARATOR ' ') FROM information_schema.CHECK_CONSTRAINTS "
			  "WHERE CONSTRAINT_SCHEMA = ");
	sb_append_my_literal(&sql, db);
	sb_append(&sql, " AND TABLE_NAME = ");
	sb_append_my_literal(&sql, name);
	if (!my_query_value(c, sql.data, &checks))
		checks = NULL;			/* MySQL 5.7 has no CHECK_CONSTRAINTS: fine */

	sb_reset(&sql);
	sb_append(&sql, "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, NUMERIC_PRECISION, "
			  "NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_MAXIMUM_LENGTH, EXTRA "
			  "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ");
	sb_append_my_literal(&sql, db);
	sb_append(&sql, " AND TABLE_NAME = ");
	sb_append_my_literal(&sql, name);
	sb_append(&sql, " ORDER BY ORDINAL_POSITION");
	r = my_query(c, sql.data);
	if (!r)
	{
		free(checks);
		sb_free(&sql);
		return false;
	}
	t = catalog_add_table(cat, db, name);
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		Column	   *col = table_add_column(cat, t, row[0]);
		char		jv[300];

		col->source_type = arena_strdup(&cat->arena, row[1]);
		col->source_base = arena_strdup(&cat->arena, row[2]);
		for (char *p = col->source_base; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char) (*p - 'A' + 'a');
		col->nullable = strcmp(row[3], "YES") == 0;
		col->charset = row[4] ? arena_strdup(&cat->arena, row[4]) : NULL;
		col->precision = row[5] ? atoi(row[5]) : -1;
		col->scale = row[6] ? atoi(row[6]) : -1;
		col->fsp = row[7] ? atoi(row[7]) : -1;
		col->length = row[8] ? atoll(row[8]) : -1;
		col->is_unsigned = strstr(row[1], "unsigned") != NULL;
		if (strcasecmp(row[2], "bit") == 0)
			col->length = col->precision;
		snprintf(jv, sizeof(jv), "json_valid(`%s`)", row[0]);
		map_column(cat, col, row[2], row[1], checks && strstr(checks, jv) != NULL);
		if (row[9] && strstr(row[9], "VIRTUAL"))
			col->skip = true;
	}
	mysql_free_result(r);

	sb_reset(&sql);
	sb_append(&sql, "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_NAME = 'PRIMARY' "
			  "AND TABLE_SCHEMA = ");
	sb_append_my_literal(&sql, db);
	sb_append(&sql, " AND TABLE_NAME = ");
	sb_append_my_literal(&sql, name);
	sb_append(&sql, " ORDER BY ORDINAL_POSITION");
	r = my_query(c, sql.data);
	if (r)
	{
		int			n = (int) mysql_num_rows(r);

		t->pk = arena_alloc_array0(&cat->arena, (size_t) (n ? n : 1), sizeof(int));
		while ((row = mysql_fetch_row(r)) != NULL)
			t->pk[t->npk++] = table_column_index(t, row[0]);
		mysql_free_result(r);
	}
	free(checks);
	sb_free(&sql);
	return t->ncolumns > 0;
}
