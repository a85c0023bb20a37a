/*
 * src/dialect/target_schema.c
 *	  Create the schema on the target, compare existing tables with the
 *	  source, and create deferred objects idempotently (see target_schema.h).
 *
 * Statements run one by one in autocommit: CockroachDB discourages several
 * schema changes in one explicit transaction, and every step checks what
 * exists first, so a rerun after a failure finishes the job.
 */
#include "dialect/target_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/typemap.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/retry.h"
#include "common/strbuf.h"

/* ---- existence queries (information_schema and pg_catalog views both dialects have) ---- */

static const char *const SQL_TABLE_EXISTS =
	"SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2";

static const char *const SQL_TABLE_COLUMNS =
	"SELECT column_name, data_type, udt_name, is_nullable, character_maximum_length, "
	"  numeric_precision, numeric_scale, column_default, domain_name "
	"FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
	"ORDER BY ordinal_position";

static const char *const SQL_TABLE_PK =
	"SELECT k.column_name FROM information_schema.table_constraints c "
	"JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema "
	"  AND k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema "
	"  AND k.table_name = c.table_name "
	"WHERE c.table_schema = $1 AND c.table_name = $2 AND c.constraint_type = 'PRIMARY KEY' "
	"ORDER BY k.ordinal_position";

static const char *const SQL_ALL_PKS =
	"SELECT table_schema, table_name FROM information_schema.table_constraints "
	"WHERE constraint_type = 'PRIMARY KEY' AND table_schema <> '_godwit'";

static const char *const SQL_TYPE_KIND =
	"SELECT t.typtype FROM pg_catalog.pg_type t "
	"JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	"WHERE n.nspname = $1 AND t.typname = $2";

static const char *const SQL_ENUM_LABELS =
	"SELECT e.enumlabel FROM pg_catalog.pg_type t "
	"JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	"JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid "
	"WHERE n.nspname = $1 AND t.typname = $2 ORDER BY e.enumsortorder";

static const char *const SQL_INDEX_EXISTS =
	"SELECT 1 FROM pg_catalog.pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname = $3";

static const char *const SQL_CONSTRAINT_STATE =
	"SELECT con.convalidated FROM pg_catalog.pg_constraint con "
	"JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"WHERE n.nspname = $1 AND c.relname = $2 AND con.conname = $3";

static const char *const SQL_SEQUENCE_EXISTS =
	"SELECT 1 FROM information_schema.sequences WHERE sequence_schema = $1 AND sequence_name = $2";

static const char *const SQL_COLUMN_HAS_DEFAULT =
	"SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
	"AND column_name = $3 AND column_default IS NOT NULL";

static const char *const SQL_EXTENSIONS =
	"SELECT name FROM pg_catalog.pg_available_extensions "
	"UNION SELECT extname FROM pg_catalog.pg_extension";

/* ------------------------------------------------------------- helpers */

/* Run a query with text parameters; NULL on error (logged). */
static PGresult *
query(PgConn *c, const char *sql, int n, const char *p1, const char *p2, const char *p3)
{
	const char *params[3] = {p1, p2, p3};

	return pg_query(c, sql, n, params);
}

/* Rows of a query, -1 on error (logged). */
static int
count_rows(PgConn *c, const char *sql, int n, const char *p1, const char *p2, const char *p3)
{
	PGresult   *r = query(c, sql, n, p1, p2, p3);
	int			rows = r ? PQntuples(r) : -1;

	PQclear(r);
	return rows;
}

/* Execute one DDL statement, logging it with context on failure. */
static bool
exec_ddl(PgConn *c, const char *sql, const char *what)
{
	log_debug("target: %s", sql);
	if (pg_exec_quiet(c, sql))
		return true;
	err_set_kind(ERR_TARGET);
	log_error_dh(c->last_error, NULL, "could not %s on the target (SQLSTATE %s)", what, c->sqlstate);
	log_info("failed statement: %s", sql);
	return false;
}

bool
target_list_extensions(PgConn *c, char ***out, int *n)
{
	PGresult   *r;

	*out = NULL;
	*n = 0;
	if (pg_is_cockroach(c))
		return true;
	r = pg_query(c, SQL_EXTENSIONS, 0, NULL);
	if (r == NULL)
		return false;
	*out = gw_new_array(char *, PQntuples(r) + 1);
	for (int i = 0; i < PQntuples(r); i++)
		(*out)[(*n)++] = gw_strdup(PQgetvalue(r, i, 0));
	PQclear(r);
	return true;
}

void
target_free_list(char **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

bool
target_type_exists(PgConn *c, const char *type)
{
	char	   *sql = gw_asprintf("SELECT CAST(NULL AS %s)", type);
	bool		ok = pg_exec_quiet(c, sql);

	free(sql);
	return ok;
}

/* ------------------------------------------------------------- types */

/* Create an enum type, or add the labels an existing one lacks. */
static bool
apply_enum(PgConn *c, const EnumType *e)
{
	PGresult   *r = query(c, SQL_TYPE_KIND, 2, e->target_schema, e->target_name, NULL);
	StrBuf		b;
	bool		ok = true;

	if (r == NULL)
		return false;
	sb_init(&b, 0);
	if (PQntuples(r) == 0)
	{
		ddl_create_enum(&b, e);
		ok = exec_ddl(c, b.data, "create an enum type");
	}
	else if (PQgetvalue(r, 0, 0)[0] != 'e')
	{
		err_set_kind(ERR_SCHEMA);
		log_error_dh(NULL, "drop or rename the existing type on the target",
					 "type \"%s\".\"%s\" exists on the target and is not an enum", e->target_schema,
					 e->target_name);
		ok = false;
	}
	else
	{
		PGresult   *labels = query(c, SQL_ENUM_LABELS, 2, e->target_schema, e->target_name, NULL);

		ok = labels != NULL;
		for (int i = 0; ok && i < e->nlabels; i++)
		{
			bool		found = false;

			for (int k = 0; k < PQntuples(labels); k++)
				if (strcmp(PQgetvalue(labels, k, 0), e->labels[i]) == 0)
					found = true;
			if (found)
				continue;
			sb_reset(&b);
			sb_append(&b, "ALTER TYPE ");
			sb_append_qualified(&b, e->target_schema, e->target_name);
			sb_append(&b, " ADD VALUE IF NOT EXISTS ");
			sb_append_literal(&b, e->labels[i]);
			log_info("adding label '%s' to the existing enum type \"%s\".\"%s\" on the target",
					 e->labels[i], e->target_schema, e->target_name);
			ok = exec_ddl(c, b.data, "add an enum label");
		}
		PQclear(labels);
	}
	PQclear(r);
	sb_free(&b);
	return ok;
}

/* Create a PG domain or composite type unless a type of that name exists. */
static bool
apply_user_type(PgConn *c, const UserType *u)
{
	int			n = count_rows(c, SQL_TYPE_KIND, 2, u->schema, u->name, NULL);
	StrBuf		b;
	bool		ok;

	if (n != 0)
		return n > 0;
	sb_init(&b, 0);
	ddl_create_user_type(&b, u);
	ok = exec_ddl(c, b.data, u->kind == USERTYPE_DOMAIN ? "create a domain" : "create a composite type");
	sb_free(&b);
	return ok;
}

/* ------------------------------------------------------------- comparison */

/* Type families for compatibility: a value of `from` can be stored in `to`. */
typedef struct TypeFamily
{
	const char *name;			/* canonical (udt) name */
	const char *family;
	int			rank;			/* wider is higher */
} TypeFamily;

static const TypeFamily families[] = {
	{"int2", "int", 1}, {"int4", "int", 2}, {"int8", "int", 3}, {"numeric", "int", 4},
	{"float4", "float", 1}, {"float8", "float", 2},
	{"text", "text", 9}, {"varchar", "text", 5}, {"bpchar", "text", 5}, {"name", "text", 5}, {"citext", "text", 5},
	{"json", "json", 1}, {"jsonb", "json", 1},
	{"timestamp", "timestamp", 1}, {"timestamptz", "timestamp", 1},
	{"time", "time", 1}, {"timetz", "time", 1},
	{"inet", "inet", 1}, {"cidr", "inet", 1},
	{"bit", "bit", 1}, {"varbit", "bit", 1},
};

static const TypeFamily *
family_of(const char *canon)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strcmp(families[i].name, canon) == 0)
			return &families[i];
	return NULL;
}

/* The last identifier of a (possibly qualified, quoted) type name, unquoted, into out. */
static void
last_ident(const char *s, char *out, size_t outlen)
{
	const char *start = s;
	const char *p = s;
	StrBuf		b;

	while (*p)
	{
		if (*p == '"')
		{
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
				if (*p == '"')
					p++;
			if (*p)
				p++;
			continue;
		}
		if (*p == '.')
			start = p + 1;
		p++;
	}
	sb_init(&b, 0);
	for (p = start; *p; p++)
	{
		if (*p == '"')
		{
			if (p[1] == '"')
				sb_appendc(&b, *p++);
			continue;
		}
		sb_appendc(&b, *p);
	}
	snprintf(out, outlen, "%s", b.data);
	sb_free(&b);
}

typedef enum Verdict
{
	VERDICT_OK,
	VERDICT_WARN,
	VERDICT_FATAL,
} Verdict;

/*
 * Compare our mapped column type with an existing target column.  why gets
 * a short reason for WARN/FATAL.
 */
static Verdict
compare_type(const Column *col, PGresult *r, int row, const char **why)
{
	char		ours[256],
				theirs[256];
	bool		our_array,
				their_array = strcmp(PQgetvalue(r, row, 1), "ARRAY") == 0;
	/* a domain column reports its base type in udt_name: compare the domain */
	const char *udt = PQgetisnull(r, row, 8) ? PQgetvalue(r, row, 2) : PQgetvalue(r, row, 8);
	bool		user_defined = strcmp(PQgetvalue(r, row, 1), "USER-DEFINED") == 0;
	const TypeFamily *fo,
			   *ft;

	typemap_canonical(col->target_type, ours, sizeof(ours));
	our_array = ours[0] == '_';
	snprintf(theirs, sizeof(theirs), "%s", their_array && udt[0] == '_' ? udt + 1 : udt);
	if (our_array)
		memmove(ours, ours + 1, strlen(ours));
	if (strchr(ours, '.') || strchr(ours, '"'))
	{
		char		name[256];

		last_ident(ours, name, sizeof(name));
		snprintf(ours, sizeof(ours), "%s", name);
	}
	ft = family_of(theirs);
	if (our_array != their_array)
	{
		if (!their_array && ft && strcmp(ft->family, "text") == 0 && ft->rank == 9)
		{
			*why = "stored as text";
			return VERDICT_WARN;
		}
		*why = our_array ? "the source column is an array" : "the target column is an array";
		return VERDICT_FATAL;
	}
	if (strcmp(ours, theirs) == 0)
	{
		/* the same type: lengths and precision must hold the source's values */
		if ((strcmp(ours, "varchar") == 0 || strcmp(ours, "bpchar") == 0 || strcmp(ours, "bit") == 0 ||
			 strcmp(ours, "varbit") == 0) && !PQgetisnull(r, row, 4) && col->length >= 0 &&
			atoll(PQgetvalue(r, row, 4)) < col->length)
		{
			*why = "the target column is shorter";
			return VERDICT_FATAL;
		}
		if (strcmp(ours, "numeric") == 0 && !PQgetisnull(r, row, 5))
		{
			int			p = atoi(PQgetvalue(r, row, 5));
			int			s = PQgetisnull(r, row, 6) ? 0 : atoi(PQgetvalue(r, row, 6));

			if (col->precision < 0 || s < (col->scale > 0 ? col->scale : 0) ||
				p - s < col->precision - (col->scale > 0 ? col->scale : 0))
			{
				*why = "the target numeric has less precision or scale";
				return VERDICT_FATAL;
			}
		}
		return VERDICT_OK;
	}
	if (user_defined || col->target_type[0] == '"')
	{
		if (ft && ft->rank == 9)
		{
			*why = "stored as text";
			return VERDICT_WARN;
		}
		*why = "a different type";
		return user_defined && col->base_kind == 'e' ? VERDICT_WARN : VERDICT_FATAL;
	}
	fo = family_of(ours);
	if (ft && strcmp(ft->family, "text") == 0 && ft->rank == 9)
	{
		*why = "stored as text";
		return fo && strcmp(fo->family, "text") == 0 ? VERDICT_OK : VERDICT_WARN;
	}
	if (fo && ft && strcmp(fo->family, ft->family) == 0)
	{
		if (ft->rank < fo->rank)
		{
			*why = "the target type is narrower";
			return VERDICT_FATAL;
		}
		if (strcmp(fo->family, "text") == 0 && !PQgetisnull(r, row, 4) &&
			(col->length < 0 || atoll(PQgetvalue(r, row, 4)) < col->length))
		{
			*why = "the target column is shorter";
			return VERDICT_FATAL;
		}
		*why = "a compatible type";
		return strcmp(fo->family, "int") == 0 || strcmp(fo->family, "text") == 0 ? VERDICT_OK : VERDICT_WARN;
	}
	if (fo && strcmp(fo->family, "float") == 0 && strcmp(theirs, "numeric") == 0)
		return VERDICT_OK;
	*why = "incompatible types";
	return VERDICT_FATAL;
}

/* Compare an existing target table with the source; false on a fatal mismatch (logged). */
static bool
compare_table(PgConn *c, const Catalog *cat, const Table *t)
{
	PGresult   *cols = query(c, SQL_TABLE_COLUMNS, 2, t->target_schema, t->target_name, NULL);
	PGresult   *pk = query(c, SQL_TABLE_PK, 2, t->target_schema, t->target_name, NULL);
	bool		ok = true;
	const char *hint = "fix the target table, or use --table-handling drop-on-target-and-recreate";

	if (cols == NULL || pk == NULL)
	{
		PQclear(cols);
		PQclear(pk);
		return false;
	}
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *col = &t->columns[i];
		int			row = -1;
		const char *why = NULL;

		for (int k = 0; k < PQntuples(cols); k++)
			if (strcmp(PQgetvalue(cols, k, 0), col->target_name) == 0)
				row = k;
		if (row < 0)
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh(NULL, hint, "target table %s has no column \"%s\"", t->display, col->target_name);
			ok = false;
			continue;
		}
		switch (compare_type(col, cols, row, &why))
		{
			case VERDICT_FATAL:
				err_set_kind(ERR_SCHEMA);
				log_error_dh(NULL, hint, "column \"%s\" of target table %s has type %s, incompatible with %s: %s",
							 col->name, t->display, PQgetvalue(cols, row, 2), col->target_type, why);
				ok = false;
				break;
			case VERDICT_WARN:
				log_warn("column \"%s\" of target table %s has type %s where godwit would create %s: %s",
						 col->name, t->display, PQgetvalue(cols, row, 2), col->target_type, why);
				break;
			case VERDICT_OK:
				break;
		}
		if (col->nullable && strcmp(PQgetvalue(cols, row, 3), "NO") == 0)
			log_warn_dh(NULL, "rows with NULL in this column will fail to copy",
						"column \"%s\" is NOT NULL on the target table %s but nullable on the source",
						col->name, t->display);
	}
	for (int k = 0; k < PQntuples(cols); k++)
	{
		const char *name = PQgetvalue(cols, k, 0);
		bool		ours = false;

		for (int i = 0; i < t->ncolumns && !ours; i++)
			ours = strcmp(t->columns[i].target_name, name) == 0;
		if (ours)
			continue;
		if (strcmp(PQgetvalue(cols, k, 3), "NO") == 0 && PQgetisnull(cols, k, 7))
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh(NULL, "drop the column, give it a default, or make it nullable",
						 "target table %s has an extra NOT NULL column \"%s\" without a default: "
						 "copied rows would fail", t->display, name);
			ok = false;
		}
		else
			log_warn("target table %s has an extra column \"%s\" (left empty)", t->display, name);
	}
	{
		bool		same = PQntuples(pk) == t->npk;

		for (int k = 0; same && k < t->npk; k++)
			same = strcmp(PQgetvalue(pk, k, 0), t->columns[t->pk[k]].target_name) == 0;
		/* none yet: a fetch that has not finalized (finalize adds it) */
		if (PQntuples(pk) == 0 && ddl_pk_deferred(cat, t))
			same = true;
		if (!same && t->npk > 0)
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh(NULL, hint, "the primary key of target table %s differs from the source's",
						 t->display);
			ok = false;
		}
	}
	PQclear(cols);
	PQclear(pk);
	return ok;
}

/* ------------------------------------------------------------- apply */

bool
target_schema_apply(PgConn *c, const Catalog *cat, TableHandling handling)
{
	StrBuf		b;
	const char **schemas;
	const UserType **types;
	int			n;
	bool		ok = true;
	Table	  **existing = gw_new_array(Table *, cat->ntables + 1);
	int			nexisting = 0,
				ncreated = 0;

	sb_init(&b, 0);
	n = ddl_target_schemas(cat, &schemas);
	for (int i = 0; ok && i < n; i++)
	{
		sb_reset(&b);
		ddl_create_schema(&b, schemas[i]);
		ok = exec_ddl(c, b.data, "create a schema");
	}
	free(schemas);
	for (int i = 0; ok && cat->target == TARGET_POSTGRES && i < cat->nextensions; i++)
	{
		sb_reset(&b);
		ddl_create_extension(&b, cat->extensions[i], cat->extension_schemas[i]);
		if (!pg_exec_quiet(c, b.data))
		{
			err_set_kind(ERR_TARGET);
			log_error_dh(c->last_error,
						 "install the extension on the target (CREATE EXTENSION as a superuser), or map its "
						 "columns with --type-map-file",
						 "could not create extension \"%s\" on the target, which columns of type %s need",
						 cat->extensions[i], cat->extensions[i]);
			ok = false;
		}
	}
	if (ok && handling == TABLE_HANDLING_RECREATE)
		for (int i = 0; ok && i < cat->ntables; i++)
		{
			sb_reset(&b);
			ddl_drop_table(&b, cat->tables[i]);
			ok = exec_ddl(c, b.data, "drop a table");
		}
	for (int i = 0; ok && i < cat->nenums; i++)
		if (cat->enums[i].used)
			ok = apply_enum(c, &cat->enums[i]);
	n = ddl_user_types_ordered(cat, &types);
	for (int i = 0; ok && i < n; i++)
		ok = apply_user_type(c, types[i]);
	free(types);
	for (int i = 0; ok && i < cat->nsequences; i++)
	{
		sb_reset(&b);
		ddl_create_sequence(&b, &cat->sequences[i], cat->target);
		ok = exec_ddl(c, b.data, "create a sequence");
	}

	/* tables: create the missing ones, compare the others (all of them, then fail) */
	for (int i = 0; ok && i < cat->ntables; i++)
	{
		Table	   *t = cat->tables[i];
		int			exists = count_rows(c, SQL_TABLE_EXISTS, 2, t->target_schema, t->target_name, NULL);

		if (exists < 0)
		{
			ok = false;
			break;
		}
		if (exists > 0)
		{
			existing[nexisting++] = t;
			continue;
		}
		sb_reset(&b);
		ddl_create_table(&b, cat, t);
		ok = exec_ddl(c, b.data, "create a table");
		if (ok)
		{
			ncreated++;
			log_debug("created table \"%s\".\"%s\"", t->target_schema, t->target_name);
		}
	}
	if (ok && nexisting > 0)
	{
		bool		match = true;

		for (int i = 0; i < nexisting; i++)
			match = compare_table(c, cat, existing[i]) && match;
		if (!match)
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh(NULL, "fix the target tables, or recreate them with --table-handling drop-on-target-and-recreate",
						 "existing target tables do not match the source");
			ok = false;
		}
		else if (handling == TABLE_HANDLING_TRUNCATE)
		{
			sb_reset(&b);
			ddl_truncate_tables(&b, existing, nexisting);
			ok = exec_ddl(c, b.data, "truncate the existing tables");
			if (ok)
				log_info("emptied %d existing table%s on the target", nexisting, nexisting == 1 ? "" : "s");
		}
		else
			log_info("%d table%s already on the target match the source", nexisting,
					 nexisting == 1 ? "" : "s");
	}
	if (ok)
		log_info("created %d table%s on the target", ncreated, ncreated == 1 ? "" : "s");
	free(existing);
	sb_free(&b);
	return ok;
}

/* ------------------------------------------------------------- deferred */

/* Whether the last error means the object is already there (a race or an orphaned run). */
static bool
error_is_duplicate(const PgConn *c)
{
	return strcmp(c->sqlstate, "42710") == 0 ||	/* duplicate_object */
		strcmp(c->sqlstate, "42P07") == 0;	/* duplicate_table (an index name) */
}

/* Whether a lookup found a row (r is consumed); false if the query failed (r NULL). */
static bool
lookup_found(PGresult *r, bool *found)
{
	if (r == NULL)
		return false;
	*found = PQntuples(r) > 0;
	PQclear(r);
	return true;
}

/* Execute sql, retrying deadlocks and serialization failures. */
static bool
exec_retrying(PgConn *c, const char *sql)
{
	RetryState	rs;

	retry_init(&rs, &RETRY_TXN);
	for (;;)
	{
		log_debug("target: %s", sql);
		if (pg_exec_quiet(c, sql))
			return true;
		if (!pg_error_is_retryable(c) || !retry_wait(&rs))
			return false;
		log_debug("retrying after SQLSTATE %s: %s", c->sqlstate, c->last_error);
	}
}

static DeferredResult
deferred_failed(PgConn *c, const DeferredObject *o, const char *sql, bool report)
{
	if (!report)
	{
		log_debug("%s not created yet (SQLSTATE %s: %s)", o->display, c->sqlstate, c->last_error);
		return o->best_effort ? DEFERRED_REJECTED : DEFERRED_FAILED;
	}
	if (o->best_effort)
	{
		log_warn_dh(c->last_error,
					"the definition was carried from the source's SQL; create it by hand if it is needed",
					"the target rejected %s (SQLSTATE %s)", o->display, c->sqlstate);
		log_info("rejected statement: %s", sql);
		return DEFERRED_REJECTED;
	}
	err_set_kind(ERR_TARGET);
	log_error_dh(c->last_error, NULL, "could not create %s on the target (SQLSTATE %s)", o->display, c->sqlstate);
	log_info("failed statement: %s", sql);
	return DEFERRED_FAILED;
}

DeferredResult
target_deferred_run(PgConn *c, const DeferredObject *o, bool report)
{
	bool		exists = false,
				validated = false;
	PGresult   *r;

	switch (o->kind)
	{
		case DEFER_SEQUENCE:
		case DEFER_DEFAULT:
		case DEFER_INDEX:
			/* the statements are idempotent (IF NOT EXISTS, SET DEFAULT): the check only counts */
			if (o->kind == DEFER_SEQUENCE)
				r = query(c, SQL_SEQUENCE_EXISTS, 2, o->schema, o->name, NULL);
			else
				r = query(c, o->kind == DEFER_INDEX ? SQL_INDEX_EXISTS : SQL_COLUMN_HAS_DEFAULT, 3,
						  o->schema, o->table->target_name, o->name);
			if (!lookup_found(r, &exists))
				return DEFERRED_FAILED;
			if (exists)
				return DEFERRED_EXISTED;
			return exec_retrying(c, o->create_sql) ? DEFERRED_CREATED : deferred_failed(c, o, o->create_sql, report);
		case DEFER_PRIMARY_KEY:
			/* any primary key counts: compare_table reported one that differs */
			r = query(c, SQL_TABLE_PK, 2, o->schema, o->table->target_name, NULL);
			if (!lookup_found(r, &exists))
				return DEFERRED_FAILED;
			if (exists)
				return DEFERRED_EXISTED;
			if (exec_retrying(c, o->create_sql))
				return DEFERRED_CREATED;
			/* 42P16: another finalize added it meanwhile ("multiple primary keys") */
			return strcmp(c->sqlstate, "42P16") == 0 ? DEFERRED_EXISTED : deferred_failed(c, o, o->create_sql, report);
		case DEFER_UNIQUE:
		case DEFER_CHECK:
		case DEFER_FOREIGN_KEY:
			r = query(c, SQL_CONSTRAINT_STATE, 3, o->schema, o->table->target_name, o->name);
			if (r == NULL)
				return DEFERRED_FAILED;
			exists = PQntuples(r) > 0;
			validated = exists && PQgetvalue(r, 0, 0)[0] == 't';
			PQclear(r);
			if (!exists && !exec_retrying(c, o->create_sql) && !error_is_duplicate(c))
				return deferred_failed(c, o, o->create_sql, report);
			if (o->validate_sql && !validated && !exec_retrying(c, o->validate_sql))
				return deferred_failed(c, o, o->validate_sql, report);
			return exists ? DEFERRED_EXISTED : DEFERRED_CREATED;
	}
	return DEFERRED_FAILED;
}

bool
target_check_primary_keys(PgConn *c, const Catalog *cat)
{
	PGresult   *r = query(c, SQL_ALL_PKS, 0, NULL, NULL, NULL);
	StrBuf		missing;
	int			nmissing = 0;

	if (r == NULL)
		return false;
	sb_init(&missing, 0);
	for (int i = 0; i < cat->ntables; i++)
	{
		const Table *t = cat->tables[i];
		bool		found = false;

		if (t->npk == 0)
			continue;
		for (int k = 0; k < PQntuples(r) && !found; k++)
			found = strcmp(PQgetvalue(r, k, 0), t->target_schema) == 0 &&
				strcmp(PQgetvalue(r, k, 1), t->target_name) == 0;
		if (found)
			continue;
		if (nmissing++ < 5)
			sb_appendf(&missing, "%s%s", nmissing > 1 ? ", " : "", t->display);
	}
	PQclear(r);
	if (nmissing > 0)
	{
		err_set_kind(ERR_STATE);
		log_error_dh(NULL, "run godwit finalize (fetch does it unless --skip-finalize)",
					 "%d target table%s %s no primary key yet (%s%s): the copy has not been finalized",
					 nmissing, nmissing == 1 ? "" : "s", nmissing == 1 ? "has" : "have", missing.data,
					 nmissing > 5 ? ", ..." : "");
	}
	sb_free(&missing);
	return nmissing == 0;
}

bool
target_set_sequences(PgConn *c, const Catalog *cat)
{
	StrBuf		b;
	bool		ok = true;

	sb_init(&b, 0);
	for (int i = 0; ok && i < cat->nsequences; i++)
	{
		sb_reset(&b);
		ddl_setval(&b, &cat->sequences[i]);
		ok = exec_ddl(c, b.data, "set a sequence");
	}
	sb_free(&b);
	return ok;
}
