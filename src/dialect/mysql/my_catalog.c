/*
 * src/dialect/mysql/my_catalog.c
 *	  Read a MySQL or MariaDB source's schema into the catalog model, from
 *	  information_schema (SourceOps.read_catalog of the MySQL driver).
 *
 * The database named in the source URL, if any, limits the schemas; the
 * filters then apply to (database, table).  Names come back in utf8mb4
 * whatever the table's character set, and are kept exactly.
 *
 * The two flavors differ in a few places, handled here:
 *  - COLUMN_DEFAULT: MariaDB (10.2.7+) prints SQL ('abc', 0, NULL,
 *    current_timestamp()); MySQL 8 prints a literal's bare text and marks
 *    expressions with EXTRA DEFAULT_GENERATED.  Both become the MariaDB form
 *    (Column.default_expr).
 *  - JSON: MariaDB's JSON is LONGTEXT with a json_valid() column CHECK; such
 *    a column is read as json and the CHECK dropped.
 *  - CHECK constraints: MariaDB lists the table; MySQL needs TABLE_CONSTRAINTS
 *    and escapes quotes in CHECK_CLAUSE.
 *  - Functional index parts: MySQL 8 only (STATISTICS.EXPRESSION).
 *  - MySQL 8 caches TABLES statistics (AUTO_INCREMENT, TABLE_ROWS) for a day
 *    by default: information_schema_stats_expiry is set to 0 first.
 *
 * AUTO_INCREMENT counters become Sequences "<table>_<column>_seq" whose
 * last value is the counter minus one.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "dialect/mysql/my_source.h"

#define MY_SYSTEM_SCHEMAS "('mysql', 'information_schema', 'performance_schema', 'sys')"

typedef struct Reader
{
	MySource   *src;
	Catalog    *cat;
	bool		mariadb;
	char	   *where;			/* "TABLE_SCHEMA ..." restricting to the URL's database */
	Table	   *last;			/* lookup cache */
} Reader;

/* ------------------------------------------------------------- helpers */

static MYSQL_RES *
reader_query(Reader *rd, const char *sql, const char *what)
{
	MYSQL_RES  *r = my_query_quiet(&rd->src->conn, sql);

	if (r == NULL)
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh(rd->src->conn.last_error, "check that the migration user can read information_schema",
					 "could not read the %s of the source catalog (MySQL error %u)", what,
					 rd->src->conn.last_errno);
	}
	return r;
}

/* "<sql-head> WHERE <where> <tail>" */
static char *
with_where(Reader *rd, const char *head, const char *col, const char *tail)
{
	return gw_asprintf("%s WHERE %s %s %s", head, col, rd->where, tail);
}

static Table *
find_table(Reader *rd, const char *schema, const char *name)
{
	if (rd->last && strcmp(rd->last->schema, schema) == 0 && strcmp(rd->last->name, name) == 0)
		return rd->last;
	rd->last = catalog_find_table(rd->cat, schema, name);
	return rd->last;
}

static void *
grow(Catalog *c, void *old, int n, size_t elem)
{
	void	   *p = arena_alloc_array0(&c->arena, (size_t) n + 1, elem);

	if (n)
		memcpy(p, old, elem * (size_t) n);
	return p;
}

static bool
has_word(const char *s, const char *word)
{
	return s && strcasestr(s, word) != NULL;
}

/*
 * Parse the members of "enum('a','b''c')" / "set(...)" into arena
 * strings.  Quotes are doubled; a backslash escapes the next character.
 */
static int
parse_members(Arena *a, const char *type, char ***out)
{
	const char *p = strchr(type, '(');
	char	  **items = NULL;
	int			n = 0,
				cap = 0;

	*out = NULL;
	if (p == NULL)
		return 0;
	for (p++; *p == '\'';)
	{
		StrBuf		b;

		sb_init(&b, 0);
		for (p++; *p; p++)
		{
			if (*p == '\'' && p[1] == '\'')
			{
				sb_appendc(&b, '\'');
				p++;
				continue;
			}
			if (*p == '\\' && p[1])
			{
				sb_appendc(&b, *++p);
				continue;
			}
			if (*p == '\'')
				break;
			sb_appendc(&b, *p);
		}
		if (n == cap)
		{
			char	  **grown = arena_alloc_array0(a, (size_t) (cap ? cap * 2 : 8), sizeof(char *));

			if (n)
				memcpy(grown, items, sizeof(char *) * (size_t) n);
			items = grown;
			cap = cap ? cap * 2 : 8;
		}
		items[n++] = arena_strdup(a, b.data);
		sb_free(&b);
		if (*p == '\'')
			p++;
		if (*p == ',')
			p++;
	}
	*out = items;
	return n;
}

/* MySQL 8 prints a literal default's bare text: quote it as MariaDB does. */
static char *
normalize_default(Catalog *c, const char *dflt, const char *data_type, const char *extra, bool mariadb)
{
	StrBuf		b;
	char	   *r;

	if (dflt == NULL)
		return NULL;
	if (mariadb || has_word(extra, "DEFAULT_GENERATED"))
		return arena_strdup(&c->arena, dflt);
	if (strcmp(data_type, "bit") == 0 && (dflt[0] == 'b' || dflt[0] == 'B') && dflt[1] == '\'')
		return arena_strdup(&c->arena, dflt);
	sb_init(&b, 0);
	if ((dflt[0] == '0' && dflt[1] == 'x') &&
		(strstr(data_type, "binary") || strstr(data_type, "blob")))
	{
		/* 0x6162 -> the bytes as a quoted literal */
		sb_appendc(&b, '\'');
		for (const char *p = dflt + 2; isxdigit((unsigned char) p[0]) && isxdigit((unsigned char) p[1]); p += 2)
		{
			char		hex[3] = {p[0], p[1], 0};
			char		ch = (char) strtol(hex, NULL, 16);

			if (ch == '\'' || ch == '\\')
				sb_appendc(&b, '\\');
			sb_appendc(&b, ch);
		}
		sb_appendc(&b, '\'');
	}
	else
	{
		sb_appendc(&b, '\'');
		for (const char *p = dflt; *p; p++)
		{
			if (*p == '\'' || *p == '\\')
				sb_appendc(&b, *p == '\'' ? '\'' : '\\');
			sb_appendc(&b, *p);
		}
		sb_appendc(&b, '\'');
	}
	r = arena_strdup(&c->arena, b.data);
	sb_free(&b);
	return r;
}

/* ------------------------------------------------------------- tables */

/*
 * read_tables
 *		Add the base tables filter selects, with their estimates.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_tables(Reader *rd, const TableFilter *filter)
{
	char	   *sql = with_where(rd,
								 "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS, DATA_LENGTH "
								 "FROM information_schema.TABLES",
								 "TABLE_SCHEMA", "AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')");
	MYSQL_RES  *r = reader_query(rd, sql, "tables");
	MYSQL_ROW	row;

	free(sql);
	if (r == NULL)
		return false;
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		Table	   *t;

		if (!table_filter_match(filter, row[0], row[1]))
			continue;
		t = catalog_add_table(rd->cat, row[0], row[1]);
		t->est_rows = row[2] ? strtoll(row[2], NULL, 10) : -1;
		t->est_bytes = row[3] ? strtoll(row[3], NULL, 10) : 0;
	}
	mysql_free_result(r);
	return true;
}

/* ------------------------------------------------------------- columns */

/*
 * read_columns
 *		Add the columns of the selected tables (types, defaults, generated
 *		and AUTO_INCREMENT columns, ENUM/SET members).
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_columns(Reader *rd)
{
	Catalog    *c = rd->cat;
	char	   *sql = with_where(rd,
								 "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, "
								 "IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, "
								 "DATETIME_PRECISION, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_TYPE, EXTRA, "
								 "GENERATION_EXPRESSION FROM information_schema.COLUMNS",
								 "TABLE_SCHEMA", "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION");
	MYSQL_RES  *r = reader_query(rd, sql, "columns");
	MYSQL_ROW	row;

	free(sql);
	if (r == NULL)
		return false;
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		Table	   *t = find_table(rd, row[0], row[1]);
		Column	   *col;
		char	   *base;
		const char *extra = row[14] ? row[14] : "";

		if (t == NULL)
			continue;
		col = table_add_column(c, t, row[2]);
		col->ordinal = atoi(row[3]);
		col->nullable = row[5] && strcmp(row[5], "YES") == 0;
		base = arena_strdup(&c->arena, row[6]);
		for (char *p = base; *p; p++)
			*p = (char) tolower((unsigned char) *p);
		col->source_base = base;
		col->source_type = arena_strdup(&c->arena, row[13]);
		col->type_kind = col->base_kind = 'b';
		if (strcmp(base, "char") == 0 || strcmp(base, "varchar") == 0 || strcmp(base, "binary") == 0 ||
			strcmp(base, "varbinary") == 0)
			col->length = row[7] ? strtoll(row[7], NULL, 10) : -1;
		else if (strcmp(base, "bit") == 0)
			col->length = row[8] ? strtoll(row[8], NULL, 10) : 1;
		if (strcmp(base, "decimal") == 0 || ((strcmp(base, "float") == 0 || strcmp(base, "double") == 0) &&
											 strchr(col->source_type, ',')))
		{
			col->precision = row[8] ? atoi(row[8]) : -1;
			col->scale = row[9] ? atoi(row[9]) : -1;
		}
		if (row[10] && atoi(row[10]) > 0)
			col->fsp = atoi(row[10]);
		col->is_unsigned = has_word(col->source_type, "unsigned");
		col->zerofill = has_word(col->source_type, "zerofill");
		col->charset = row[11] ? arena_strdup(&c->arena, row[11]) : NULL;
		col->collation = row[12] ? arena_strdup(&c->arena, row[12]) : NULL;
		col->auto_increment = has_word(extra, "auto_increment");
		if (has_word(extra, "on update"))
			col->on_update = arena_strdup(&c->arena, strcasestr(extra, "on update") + 10);
		if (has_word(extra, "GENERATED") && !has_word(extra, "DEFAULT_GENERATED"))
		{
			col->generated_expr = arena_strdup(&c->arena, row[15] ? row[15] : "");
			col->generated_stored = has_word(extra, "STORED") || has_word(extra, "PERSISTENT");
		}
		else
		{
			const char *dflt = row[4];

			/* MariaDB: a nullable column without a default shows 'NULL' */
			if (dflt && strcmp(dflt, "NULL") == 0 && rd->mariadb)
				dflt = NULL;
			col->default_expr = normalize_default(c, dflt, base, extra, rd->mariadb);
		}
		if (strcmp(base, "enum") == 0 || strcmp(base, "set") == 0)
			col->nenum_labels = parse_members(&c->arena, col->source_type, &col->enum_labels);
	}
	mysql_free_result(r);
	return true;
}

/* ------------------------------------------------------------- keys and indexes */

/*
 * read_indexes
 *		Add primary keys and indexes (prefix and functional parts) from
 *		information_schema.STATISTICS, one row per key part.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_indexes(Reader *rd)
{
	Catalog    *c = rd->cat;
	char	   *sql = with_where(rd, rd->mariadb
								 ? "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, "
								 "COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE, NULL FROM information_schema.STATISTICS"
								 : "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, "
								 "COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE, EXPRESSION FROM information_schema.STATISTICS",
								 "TABLE_SCHEMA",
								 "ORDER BY CAST(TABLE_SCHEMA AS BINARY), CAST(TABLE_NAME AS BINARY), "
								 "CAST(INDEX_NAME AS BINARY), SEQ_IN_INDEX");
	MYSQL_RES  *r = reader_query(rd, sql, "indexes");
	MYSQL_ROW	row;
	IndexDef   *ix = NULL;
	Table	   *ixt = NULL;

	free(sql);
	if (r == NULL)
		return false;
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		Table	   *t = find_table(rd, row[0], row[1]);
		int			seq = atoi(row[4]);
		int			ci;

		if (t == NULL)
			continue;
		ci = row[5] ? table_column_index(t, row[5]) : -1;
		if (strcmp(row[2], "PRIMARY") == 0)
		{
			if (ci < 0)
				continue;
			t->pk = grow(c, t->pk, t->npk, sizeof(int));
			t->pk[t->npk++] = ci;
			continue;
		}
		if (seq == 1 || ix == NULL || ixt != t || strcmp(ix->name, row[2]) != 0)
		{
			char	   *m;

			t->indexes = grow(c, t->indexes, t->nindexes, sizeof(IndexDef));
			ix = &t->indexes[t->nindexes++];
			ixt = t;
			ix->name = arena_strdup(&c->arena, row[2]);
			ix->unique = row[3] && strcmp(row[3], "0") == 0;
			ix->is_constraint = ix->unique;
			ix->valid = true;
			m = arena_strdup(&c->arena, row[8] ? row[8] : "BTREE");
			for (char *p = m; *p; p++)
				*p = (char) tolower((unsigned char) *p);
			ix->method = m;
		}
		ix->columns = grow(c, ix->columns, ix->ncolumns, sizeof(char *));
		ix->exprs = grow(c, ix->exprs, ix->ncolumns, sizeof(char *));
		ix->desc = grow(c, ix->desc, ix->ncolumns, sizeof(bool));
		ix->prefix_len = grow(c, ix->prefix_len, ix->ncolumns, sizeof(int));
		ix->columns[ix->ncolumns] = ci >= 0 ? t->columns[ci].name : NULL;
		ix->exprs[ix->ncolumns] = row[9] ? arena_strdup(&c->arena, row[9]) : NULL;
		ix->desc[ix->ncolumns] = row[7] && strcmp(row[7], "D") == 0;
		ix->prefix_len[ix->ncolumns] = row[6] ? atoi(row[6]) : 0;
		ix->ncolumns++;
	}
	mysql_free_result(r);

	/* a unique key of whole columns is a unique constraint; with prefixes or expressions, an index */
	for (int i = 0; i < c->ntables; i++)
		for (int k = 0; k < c->tables[i]->nindexes; k++)
		{
			IndexDef   *x = &c->tables[i]->indexes[k];

			for (int j = 0; j < x->ncolumns && x->is_constraint; j++)
				if (x->columns[j] == NULL || x->prefix_len[j] > 0)
					x->is_constraint = false;
		}
	return true;
}

static const char *
fk_rule(Catalog *c, const char *rule)
{
	if (rule == NULL || strcmp(rule, "NO ACTION") == 0)
		return NULL;
	return arena_strdup(&c->arena, rule);
}

/*
 * read_foreign_keys
 *		Add foreign keys, one row per key column.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_foreign_keys(Reader *rd)
{
	Catalog    *c = rd->cat;
	char	   *sql = with_where(rd,
								 "SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, "
								 "k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
								 "r.UPDATE_RULE, r.DELETE_RULE, k.ORDINAL_POSITION "
								 "FROM information_schema.KEY_COLUMN_USAGE k "
								 "LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
								 "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
								 "AND r.TABLE_NAME = k.TABLE_NAME",
								 "k.TABLE_SCHEMA",
								 "AND k.REFERENCED_TABLE_NAME IS NOT NULL "
								 "ORDER BY CAST(k.TABLE_SCHEMA AS BINARY), CAST(k.TABLE_NAME AS BINARY), "
								 "CAST(k.CONSTRAINT_NAME AS BINARY), k.ORDINAL_POSITION");
	MYSQL_RES  *r = reader_query(rd, sql, "foreign keys");
	MYSQL_ROW	row;
	ForeignKeyDef *fk = NULL;
	Table	   *fkt = NULL;

	free(sql);
	if (r == NULL)
		return false;
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		Table	   *t = find_table(rd, row[0], row[1]);

		if (t == NULL)
			continue;
		if (atoi(row[9]) == 1 || fk == NULL || fkt != t || strcmp(fk->name, row[2]) != 0)
		{
			t->fks = grow(c, t->fks, t->nfks, sizeof(ForeignKeyDef));
			fk = &t->fks[t->nfks++];
			fkt = t;
			fk->name = arena_strdup(&c->arena, row[2]);
			fk->ref_schema = arena_strdup(&c->arena, row[4]);
			fk->ref_table = arena_strdup(&c->arena, row[5]);
			fk->on_update = (char *) fk_rule(c, row[7]);
			fk->on_delete = (char *) fk_rule(c, row[8]);
			fk->validated = true;
			if (row[7] == NULL || row[8] == NULL)
			{
				/*
				 * MariaDB hides REFERENTIAL_CONSTRAINTS from a user with only
				 * SELECT: the key is visible, its ON UPDATE/ON DELETE rules are
				 * not.  Guessing NO ACTION for a CASCADE key would change what
				 * the application's deletes do after cutover: refuse instead.
				 */
				char	   *obj = arena_sprintf(&c->arena, "%s.%s", t->display, row[2]);

				catalog_add_issue(c, ISSUE_FAIL, ISSUE_OBJECT, obj,
								  "GRANT REFERENCES ON <database>.* TO the migration user: MariaDB shows foreign key rules only then",
								  "the rules (ON UPDATE / ON DELETE) of foreign key %s are not visible to this user",
								  obj);
			}
		}
		fk->columns = grow(c, fk->columns, fk->ncolumns, sizeof(char *));
		fk->ref_columns = grow(c, fk->ref_columns, fk->ncolumns, sizeof(char *));
		fk->columns[fk->ncolumns] = arena_strdup(&c->arena, row[3]);
		fk->ref_columns[fk->ncolumns] = arena_strdup(&c->arena, row[6]);
		fk->ncolumns++;
	}
	mysql_free_result(r);
	return true;
}

/* MySQL 8 prints quotes in CHECK_CLAUSE escaped: \' -> ' */
static char *
unescape_clause(Catalog *c, const char *s)
{
	char	   *out = arena_alloc(&c->arena, strlen(s) + 1);
	char	   *o = out;

	for (; *s; s++)
	{
		if (*s == '\\' && s[1] == '\'')
			s++;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/*
 * read_checks
 *		Add CHECK constraints; MariaDB's JSON columns (a json_valid() column
 *		check) become json instead.  A server without CHECK constraints is not
 *		an error.
 */
static bool
read_checks(Reader *rd)
{
	Catalog    *c = rd->cat;
	char	   *sql = with_where(rd, rd->mariadb
								 ? "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL "
								 "FROM information_schema.CHECK_CONSTRAINTS"
								 : "SELECT cc.CONSTRAINT_SCHEMA, tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, "
								 "'Table' FROM information_schema.CHECK_CONSTRAINTS cc "
								 "JOIN information_schema.TABLE_CONSTRAINTS tc "
								 "ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA "
								 "AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'",
								 rd->mariadb ? "CONSTRAINT_SCHEMA" : "cc.CONSTRAINT_SCHEMA",
								 rd->mariadb ? "" : "AND tc.ENFORCED = 'YES'");
	MYSQL_RES  *r = my_query_quiet(&rd->src->conn, sql);
	MYSQL_ROW	row;

	free(sql);
	if (r == NULL)
	{
		/* MySQL before 8.0.16 has no CHECK constraints (nor the view) */
		log_debug("no CHECK constraints read: %s", rd->src->conn.last_error);
		return true;
	}
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		Table	   *t = find_table(rd, row[0], row[1]);
		char	   *clause;
		CheckDef   *ck;

		if (t == NULL || row[3] == NULL)
			continue;
		clause = rd->mariadb ? arena_strdup(&c->arena, row[3]) : unescape_clause(c, row[3]);

		/* MariaDB's JSON type: LONGTEXT + CHECK (json_valid(`col`)) */
		if (rd->mariadb && row[4] && strcmp(row[4], "Column") == 0 && strncmp(clause, "json_valid(`", 12) == 0)
		{
			char	   *name = arena_strndup(&c->arena, clause + 12, strlen(clause) - 12);
			char	   *end = strstr(name, "`)");
			int			ci;

			if (end && end[2] == '\0')
			{
				*end = '\0';
				ci = table_column_index(t, name);
				if (ci >= 0 && strcmp(t->columns[ci].source_base, "longtext") == 0)
				{
					t->columns[ci].source_base = "json";
					continue;
				}
			}
		}
		t->checks = grow(c, t->checks, t->nchecks, sizeof(CheckDef));
		ck = &t->checks[t->nchecks++];
		ck->name = arena_strdup(&c->arena, row[2]);
		ck->expr = clause;
		ck->validated = true;
	}
	mysql_free_result(r);
	return true;
}

/* ------------------------------------------------------------- counters */

/*
 * read_auto_increments
 *		Add a Sequence for each AUTO_INCREMENT column, from its table's counter.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_auto_increments(Reader *rd)
{
	Catalog    *c = rd->cat;
	char	   *sql = with_where(rd, "SELECT TABLE_SCHEMA, TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES",
								 "TABLE_SCHEMA", "AND AUTO_INCREMENT IS NOT NULL");
	MYSQL_RES  *r = reader_query(rd, sql, "AUTO_INCREMENT counters");
	MYSQL_ROW	row;

	free(sql);
	if (r == NULL)
		return false;
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		Table	   *t = find_table(rd, row[0], row[1]);
		int64_t		next = strtoll(row[2], NULL, 10);

		if (t == NULL)
			continue;
		for (int i = 0; i < t->ncolumns; i++)
		{
			Column	   *col = &t->columns[i];
			Sequence   *s;

			if (!col->auto_increment)
				continue;
			s = catalog_add_sequence(c, t->schema, arena_sprintf(&c->arena, "%s_%s_seq", t->name, col->name));
			s->owned_by_schema = t->schema;
			s->owned_by_table = t->name;
			s->owned_by_column = col->name;
			s->is_called = next > 1;
			s->last_value = next > 1 ? next - 1 : 1;
		}
	}
	mysql_free_result(r);
	return true;
}

/* ------------------------------------------------------------- entry point */

/*
 * my_read_catalog
 *		SourceOps.read_catalog: read the tables filter selects (within the
 *		URL's database, if any) into out (initialised by the caller).
 *
 * information_schema is not transactional: a DDL running concurrently may
 * show half-done.  Returns false on error (logged, ERR_SOURCE).
 */
bool
my_read_catalog(Source *src, const TableFilter *filter, Catalog *out)
{
	MySource   *s = (MySource *) src;
	Reader		rd = {.src = s, .cat = out, .mariadb = s->conn.flavor == MY_FLAVOR_MARIADB};
	StrBuf		w;
	bool		ok;

	sb_init(&w, 0);
	if (src->url->dbname && src->url->dbname[0])
	{
		sb_append(&w, "= ");
		sb_append_my_literal(&w, src->url->dbname);
	}
	else
		sb_append(&w, "NOT IN " MY_SYSTEM_SCHEMAS);
	rd.where = w.data;
	if (!rd.mariadb)
		my_exec_quiet(&s->conn, "SET SESSION information_schema_stats_expiry = 0");
	ok = read_tables(&rd, filter);
	if (ok && out->ntables > 0)
		ok = read_columns(&rd) &&
			read_indexes(&rd) &&
			read_foreign_keys(&rd) &&
			read_checks(&rd) &&
			read_auto_increments(&rd);
	sb_free(&w);
	if (ok)
	{
		catalog_sort_tables(out);
		log_debug("read %d table%s from the source catalog", out->ntables, out->ntables == 1 ? "" : "s");
	}
	return ok;
}
