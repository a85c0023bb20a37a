/*
 * src/catalog/ddl.c
 *	  Plan and render target DDL (see ddl.h).
 *
 * PostgreSQL source -> PostgreSQL target: definitions the source printed
 * (pg_get_indexdef, pg_get_constraintdef, pg_get_expr, run under
 * search_path = pg_catalog so every name is qualified) are reused verbatim;
 * the result is exactly the source's object.  Every other pair is rendered
 * from the model's parts, in SQL both PostgreSQL and CockroachDB accept.
 */
#include "catalog/ddl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

const char *const table_handling_names[] = {
	"none", "truncate-if-exists", "drop-on-target-and-recreate", NULL
};

/* ------------------------------------------------------------- statements */

static void
append_table_name(StrBuf *out, const Table *t)
{
	sb_append_qualified(out, t->target_schema, t->target_name);
}

/* One column of t by its source name, as its quoted target name. */
static void
append_column(StrBuf *out, const Table *t, const char *name)
{
	int			ci = table_column_index(t, name);

	sb_append_ident(out, ci >= 0 ? t->columns[ci].target_name : name);
}

static void
append_columns(StrBuf *out, const Table *t, char *const *names, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (i)
			sb_append(out, ", ");
		append_column(out, t, names[i]);
	}
}

void
ddl_create_schema(StrBuf *out, const char *schema)
{
	sb_append(out, "CREATE SCHEMA IF NOT EXISTS ");
	sb_append_ident(out, schema);
}

void
ddl_create_extension(StrBuf *out, const char *name, const char *schema)
{
	sb_append(out, "CREATE EXTENSION IF NOT EXISTS ");
	sb_append_ident(out, name);
	if (schema)
	{
		sb_append(out, " WITH SCHEMA ");
		sb_append_ident(out, schema);
	}
}

void
ddl_create_enum(StrBuf *out, const EnumType *e)
{
	sb_append(out, "CREATE TYPE ");
	sb_append_qualified(out, e->target_schema, e->target_name);
	sb_append(out, " AS ENUM (");
	for (int i = 0; i < e->nlabels; i++)
	{
		if (i)
			sb_append(out, ", ");
		sb_append_literal(out, e->labels[i]);
	}
	sb_appendc(out, ')');
}

void
ddl_create_user_type(StrBuf *out, const UserType *u)
{
	if (u->kind == USERTYPE_DOMAIN)
	{
		sb_append(out, "CREATE DOMAIN ");
		sb_append_qualified(out, u->schema, u->name);
		sb_append(out, " AS ");
		sb_append(out, u->base_type);
		if (u->collation)
		{
			sb_append(out, " COLLATE pg_catalog.");
			sb_append_ident(out, u->collation);
		}
		if (u->default_expr)
			sb_appendf(out, " DEFAULT %s", u->default_expr);
		if (u->notnull)
			sb_append(out, " NOT NULL");
		for (int i = 0; i < u->nchecks; i++)
		{
			sb_append(out, " CONSTRAINT ");
			sb_append_ident(out, u->check_names[i]);
			sb_appendc(out, ' ');
			sb_append(out, u->check_defs[i]);
		}
		return;
	}
	sb_append(out, "CREATE TYPE ");
	sb_append_qualified(out, u->schema, u->name);
	sb_append(out, " AS (");
	for (int i = 0; i < u->nattrs; i++)
	{
		if (i)
			sb_append(out, ", ");
		sb_append_ident(out, u->attr_names[i]);
		sb_appendc(out, ' ');
		sb_append(out, u->attr_types[i]);
	}
	sb_appendc(out, ')');
}

/* The value the sequence hands out next, within its bounds. */
static int64_t
sequence_next(const Sequence *s)
{
	int64_t		next = s->last_value;

	if (s->is_called && __builtin_add_overflow(s->last_value, s->increment, &next))
		next = s->increment > 0 ? s->max_value : s->min_value;
	if (next > s->max_value)
		next = s->max_value;
	if (next < s->min_value)
		next = s->min_value;
	return next;
}

void
ddl_create_sequence(StrBuf *out, const Sequence *s, TargetDialect d)
{
	sb_append(out, "CREATE SEQUENCE IF NOT EXISTS ");
	sb_append_qualified(out, s->target_schema, s->target_name);
	/* CockroachDB sequences are INT8; AS is PostgreSQL's */
	if (d == TARGET_POSTGRES && s->data_type)
		sb_appendf(out, " AS %s", s->data_type);
	/* CockroachDB sequences cannot cycle (ddl_plan warns) */
	sb_appendf(out, " INCREMENT BY %lld MINVALUE %lld MAXVALUE %lld START WITH %lld%s",
			   (long long) s->increment, (long long) s->min_value, (long long) s->max_value,
			   (long long) sequence_next(s), s->cycle && d == TARGET_POSTGRES ? " CYCLE" : "");
}

void
ddl_setval(StrBuf *out, const Sequence *s)
{
	StrBuf		q;

	sb_init(&q, 0);
	sb_append_qualified(&q, s->target_schema, s->target_name);
	sb_append(out, "SELECT setval(");
	sb_append_literal(out, q.data);
	sb_appendf(out, ", %lld, %s)", (long long) s->last_value, s->is_called ? "true" : "false");
	sb_free(&q);
}

/* [CONSTRAINT name] PRIMARY KEY (cols) */
static void
append_pk_clause(StrBuf *out, const Table *t)
{
	if (t->pk_name)
	{
		sb_append(out, "CONSTRAINT ");
		sb_append_ident(out, t->pk_name);
		sb_appendc(out, ' ');
	}
	sb_append(out, "PRIMARY KEY (");
	for (int i = 0; i < t->npk; i++)
	{
		if (i)
			sb_append(out, ", ");
		sb_append_ident(out, t->columns[t->pk[i]].target_name);
	}
	sb_appendc(out, ')');
}

void
ddl_create_table(StrBuf *out, const Catalog *c, const Table *t)
{
	bool		pg = c->target == TARGET_POSTGRES;
	int			n = 0;

	sb_append(out, "CREATE TABLE ");
	append_table_name(out, t);
	sb_append(out, " (");
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *col = &t->columns[i];

		sb_append(out, n++ ? ",\n\t" : "\n\t");
		sb_append_ident(out, col->target_name);
		sb_appendc(out, ' ');
		sb_append(out, col->target_type);
		if (pg && c->engine == ENGINE_POSTGRES && col->collation)
		{
			sb_append(out, " COLLATE pg_catalog.");
			sb_append_ident(out, col->collation);
		}
		if (col->target_generated)
			sb_appendf(out, " GENERATED ALWAYS AS (%s) STORED", col->generated_expr);
		if (!col->nullable && !col->target_nullable)
			sb_append(out, " NOT NULL");
	}
	if (t->npk > 0 && !ddl_pk_deferred(c, t))
	{
		sb_append(out, n++ ? ",\n\t" : "\n\t");
		append_pk_clause(out, t);
	}
	sb_append(out, n ? "\n)" : ")");
}

bool
ddl_pk_deferred(const Catalog *c, const Table *t)
{
	return t->npk > 0 && c->target == TARGET_POSTGRES;
}

void
ddl_drop_table(StrBuf *out, const Table *t)
{
	sb_append(out, "DROP TABLE IF EXISTS ");
	append_table_name(out, t);
	sb_append(out, " CASCADE");
}

void
ddl_truncate_tables(StrBuf *out, Table *const *tables, int n)
{
	sb_append(out, "TRUNCATE TABLE ");
	for (int i = 0; i < n; i++)
	{
		if (i)
			sb_append(out, ", ");
		append_table_name(out, tables[i]);
	}
}

int
ddl_target_schemas(const Catalog *c, const char ***out)
{
	NameSet		s = {0};

	for (int i = 0; i < c->ntables; i++)
		if (!nameset_has(&s, c->tables[i]->target_schema))
			nameset_add(&s, c->tables[i]->target_schema);
	for (int i = 0; i < c->nenums; i++)
		if (c->enums[i].used && !nameset_has(&s, c->enums[i].target_schema))
			nameset_add(&s, c->enums[i].target_schema);
	if (c->target == TARGET_POSTGRES)
	{
		for (int i = 0; i < c->ntypes; i++)
			if (c->types[i].used && !nameset_has(&s, c->types[i].schema))
				nameset_add(&s, c->types[i].schema);
		for (int i = 0; i < c->nextensions; i++)
			if (c->extension_schemas[i] && !nameset_has(&s, c->extension_schemas[i]))
				nameset_add(&s, c->extension_schemas[i]);
	}
	for (int i = 0; i < c->nsequences; i++)
		if (!nameset_has(&s, c->sequences[i].target_schema))
			nameset_add(&s, c->sequences[i].target_schema);
	*out = s.names;
	return s.n;
}

int
ddl_user_types_ordered(const Catalog *c, const UserType ***out)
{
	const UserType **list = gw_new_array(const UserType *, c->ntypes + 1);
	bool	   *done = gw_new_array(bool, c->ntypes + 1);
	int			n = 0;
	bool		progress = true;

	if (c->target != TARGET_POSTGRES)
	{
		free(done);
		*out = list;
		return 0;
	}
	while (progress)
	{
		progress = false;
		for (int i = 0; i < c->ntypes; i++)
		{
			const UserType *u = &c->types[i];
			bool		ready = true;

			if (done[i] || !u->used)
				continue;
			for (int k = 0; k < u->ndeps && ready; k++)
				for (int j = 0; j < c->ntypes; j++)
					if (c->types[j].oid == u->deps[k] && c->types[j].used && !done[j] && j != i)
						ready = false;
			if (!ready)
				continue;
			done[i] = progress = true;
			list[n++] = u;
		}
	}
	free(done);
	*out = list;
	return n;
}

/* ------------------------------------------------------------- MySQL SQL */

void
ddl_translate_my_expr(StrBuf *out, const char *e)
{
	const char *start = e;

	while (*e)
	{
		if (*e == '`')
		{
			/* `ident` with `` escapes */
			StrBuf		id;

			sb_init(&id, 0);
			for (e++; *e; e++)
			{
				if (*e == '`' && e[1] == '`')
				{
					sb_appendc(&id, '`');
					e++;
					continue;
				}
				if (*e == '`')
				{
					e++;
					break;
				}
				sb_appendc(&id, *e);
			}
			sb_append_ident(out, id.data);
			sb_free(&id);
			continue;
		}
		if (*e == '_' && (e == start || !(isalnum((unsigned char) e[-1]) || e[-1] == '_')))
		{
			/* charset introducer: _utf8mb4'abc' */
			const char *p = e + 1;

			while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
				p++;
			if (*p == '\'' && p > e + 1)
			{
				e = p;
				continue;
			}
		}
		if (*e == '\'' || *e == '"')
		{
			char		q = *e;
			StrBuf		lit;

			sb_init(&lit, 0);
			for (e++; *e; e++)
			{
				if (*e == q && e[1] == q)
				{
					sb_appendc(&lit, q);
					e++;
					continue;
				}
				if (*e == q)
				{
					e++;
					break;
				}
				if (*e == '\\' && e[1])
				{
					e++;
					sb_appendc(&lit, *e == 'n' ? '\n' : *e == 't' ? '\t' : *e);
					continue;
				}
				sb_appendc(&lit, *e);
			}
			sb_append_literal(out, lit.data);
			sb_free(&lit);
			continue;
		}
		sb_appendc(out, *e++);
	}
}

/* ------------------------------------------------------------- plan */

static bool
type_is(const Column *col, const char *prefix)
{
	return strncmp(col->target_type, prefix, strlen(prefix)) == 0;
}

/* CockroachDB indexes neither JSONB nor arrays with a plain (forward) index. */
static bool
crdb_forward_indexable(const Column *col)
{
	size_t		n = strlen(col->target_type);

	return !type_is(col, "jsonb") && !(n > 2 && strcmp(col->target_type + n - 2, "[]") == 0);
}

static bool
crdb_inverted_indexable(const Column *col)
{
	size_t		n = strlen(col->target_type);

	return type_is(col, "jsonb") || type_is(col, "tsvector") || type_is(col, "geometry") ||
		type_is(col, "geography") || (n > 2 && strcmp(col->target_type + n - 2, "[]") == 0);
}

/* Whether cols (n names) are exactly the primary key or an unskipped unique key of t. */
static bool
columns_are_unique(const Table *t, char *const *cols, int n)
{
	if (t->npk == n)
	{
		bool		all = true;

		for (int i = 0; i < n && all; i++)
		{
			bool		found = false;

			for (int k = 0; k < t->npk; k++)
				if (strcmp(t->columns[t->pk[k]].name, cols[i]) == 0)
					found = true;
			all = found;
		}
		if (all)
			return true;
	}
	for (int x = 0; x < t->nindexes; x++)
	{
		const IndexDef *ix = &t->indexes[x];
		bool		all = ix->unique && !ix->skip_reason && ix->ncolumns == n && !ix->predicate;

		for (int i = 0; i < ix->ncolumns && all; i++)
			if (ix->columns[i] == NULL || (ix->prefix_len && ix->prefix_len[i]))
				all = false;
		for (int i = 0; i < n && all; i++)
		{
			bool		found = false;

			for (int k = 0; k < ix->ncolumns; k++)
				if (strcmp(ix->columns[k], cols[i]) == 0)
					found = true;
			all = found;
		}
		if (all)
			return true;
	}
	return false;
}

static void
skip_index(Catalog *c, const Table *t, IndexDef *ix, const char *hint, const char *why)
{
	ix->skip_reason = arena_strdup(&c->arena, why);
	catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, t->display, hint,
					  "index \"%s\" on %s is not created on the target: %s", ix->name, t->display, why);
}

/* Vet one index for the target; set best_effort when source SQL crosses dialects. */
static void
plan_index(Catalog *c, const Table *t, IndexDef *ix)
{
	bool		crdb = c->target == TARGET_COCKROACH;
	bool		my = c->engine == ENGINE_MYSQL;
	const char *m = ix->method ? ix->method : "btree";

	if (!ix->valid)
	{
		skip_index(c, t, ix, "rebuild it on the source (REINDEX) if it is needed",
				   "it is invalid on the source");
		return;
	}
	if (my && strcmp(m, "fulltext") == 0)
	{
		skip_index(c, t, ix, "create a GIN index on to_tsvector(...) on the target if searches need it",
				   "FULLTEXT indexes have no PostgreSQL equivalent");
		return;
	}
	for (int i = 0; i < ix->ncolumns; i++)
	{
		int			ci = ix->columns[i] ? table_column_index(t, ix->columns[i]) : -1;
		const Column *col = ci >= 0 ? &t->columns[ci] : NULL;

		if (ix->columns[i] == NULL && my)
		{
			skip_index(c, t, ix, "create it by hand on the target after the migration",
					   "MySQL functional index expressions are not translated");
			return;
		}
		if (col == NULL)
			continue;
		if (strcmp(m, "spatial") == 0 || strcmp(m, "gist") == 0)
		{
			if (!type_is(col, "geometry") && !type_is(col, "geography") && (crdb || my))
			{
				skip_index(c, t, ix, NULL, "its column is not stored as a geometry on the target");
				return;
			}
		}
		else if (crdb && strcmp(m, "gin") == 0)
		{
			if (!crdb_inverted_indexable(col))
			{
				skip_index(c, t, ix, NULL, "CockroachDB has no GIN index for this column's type");
				return;
			}
		}
		else if (crdb && !crdb_forward_indexable(col))
		{
			skip_index(c, t, ix, "create an inverted (GIN) index instead",
					   "CockroachDB cannot index a JSONB or array column with a plain index");
			return;
		}
	}
	if (crdb && !my && (strcmp(m, "brin") == 0 || strcmp(m, "spgist") == 0))
	{
		skip_index(c, t, ix, "create a plain index on the target if queries need it",
				   "CockroachDB has no BRIN or SP-GiST indexes");
		return;
	}
	if (crdb && !my)
	{
		for (int i = 0; i < ix->ncolumns; i++)
			if (ix->columns[i] == NULL)
				ix->best_effort = true;
		if (ix->predicate)
			ix->best_effort = true;
	}
}

/* Name MySQL indexes uniquely in their target schema (PostgreSQL's namespace). */
static void
name_my_indexes(Catalog *c)
{
	NameSet		taken = {0};

	for (int i = 0; i < c->ntables; i++)
	{
		nameset_add(&taken, c->tables[i]->target_name);
		nameset_add(&taken, arena_sprintf(&c->arena, "%s_pkey", c->tables[i]->target_name));
	}
	for (int i = 0; i < c->nsequences; i++)
		nameset_add(&taken, c->sequences[i].target_name);
	for (int i = 0; i < c->nenums; i++)
		nameset_add(&taken, c->enums[i].target_name);
	for (int i = 0; i < c->ntables; i++)
	{
		Table	   *t = c->tables[i];

		for (int k = 0; k < t->nindexes; k++)
		{
			IndexDef   *ix = &t->indexes[k];

			if (!nameset_has(&taken, ix->name))
			{
				ix->target_name = catalog_unique_ident(c, &taken, ix->name);
				continue;
			}
			ix->target_name = catalog_unique_ident(c, &taken,
												   arena_sprintf(&c->arena, "%s_%s", t->name, ix->name));
		}
	}
	nameset_free(&taken);
}

/*
 * Skip (with an issue) a foreign key whose referenced table is not migrated,
 * or, from MySQL, whose referenced columns are not a key of that table.
 */
static void
plan_foreign_key(Catalog *c, const Table *t, ForeignKeyDef *fk)
{
	const Table *ref = catalog_find_table(c, fk->ref_schema, fk->ref_table);
	char	   *refname = ident_display_name(&c->arena, fk->ref_schema, fk->ref_table);

	if (ref == NULL)
		fk->skip_reason = arena_sprintf(&c->arena, "it references %s, which is not migrated", refname);
	else if (c->engine == ENGINE_MYSQL && !columns_are_unique(ref, fk->ref_columns, fk->ncolumns))
		fk->skip_reason = arena_sprintf(&c->arena,
										"the referenced columns of %s have no primary key or unique "
										"constraint (MySQL allows it, PostgreSQL does not)", refname);
	if (fk->skip_reason)
	{
		catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, t->display,
						  "create it on the target after the migration if it is needed",
						  "foreign key \"%s\" of %s is not created on the target: %s",
						  fk->name, t->display, fk->skip_reason);
		return;
	}
	if (c->target == TARGET_COCKROACH && fk->deferrable)
		catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, t->display, NULL,
						  "foreign key \"%s\" of %s is DEFERRABLE on the source: CockroachDB checks it "
						  "immediately", fk->name, t->display);
}

/* Target name and expression of a check; translated MySQL SQL is best effort. */
static void
plan_check(Catalog *c, const Table *t, CheckDef *ck)
{
	ck->target_name = c->target == TARGET_POSTGRES ? catalog_fit_ident(c, ck->name) : ck->name;
	if (c->engine == ENGINE_MYSQL)
	{
		StrBuf		b;

		sb_init(&b, 0);
		ddl_translate_my_expr(&b, ck->expr);
		ck->target_expr = arena_strdup(&c->arena, b.data);
		ck->best_effort = true;
		sb_free(&b);
		return;
	}
	ck->target_expr = ck->expr;
	ck->best_effort = c->target == TARGET_COCKROACH;
	(void) t;
}

/* ------------------------------------------------------------- deferred */

static DeferredObject *
plan_add(DdlPlan *p, DeferredKind kind, int phase, const Table *t, const char *schema,
		 const char *name)
{
	gw_array_grow(p->objects, p->cap, p->n + 1);
	DeferredObject *o = &p->objects[p->n++];

	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->phase = phase;
	o->table = t;
	o->schema = schema;
	o->name = name;
	o->cost = t ? t->est_bytes : 0;
	return o;
}

static char *
plan_str(DdlPlan *p, StrBuf *b)
{
	char	   *r = arena_strdup(&p->arena, b->data);

	sb_reset(b);
	return r;
}

/* One index key: "col" / left("col", n) / (expr), then DESC. */
static void
append_index_key(StrBuf *b, const Table *t, const IndexDef *ix, int i)
{
	if (ix->columns[i] == NULL)
		sb_appendf(b, "(%s)", ix->exprs && ix->exprs[i] ? ix->exprs[i] : "NULL");
	else if (ix->prefix_len && ix->prefix_len[i] > 0)
	{
		int			ci = table_column_index(t, ix->columns[i]);
		bool		bytes = ci >= 0 && type_is(&t->columns[ci], "bytea");

		sb_append(b, bytes ? "(substr(" : "(left(");
		append_column(b, t, ix->columns[i]);
		sb_appendf(b, bytes ? ", 1, %d))" : ", %d))", ix->prefix_len[i]);
	}
	else
		append_column(b, t, ix->columns[i]);
	if (ix->desc && ix->desc[i])
		sb_append(b, " DESC");
}

/*
 * CREATE [UNIQUE] INDEX IF NOT EXISTS: PostgreSQL -> PostgreSQL from the
 * source's definition, otherwise from the parts (method, keys, INCLUDE, WHERE).
 */
static void
render_index(StrBuf *b, const Catalog *c, const Table *t, const IndexDef *ix)
{
	const char *m = ix->method ? ix->method : "btree";

	sb_appendf(b, "CREATE %sINDEX IF NOT EXISTS ", ix->unique ? "UNIQUE " : "");
	sb_append_ident(b, ix->target_name);
	sb_append(b, " ON ");
	append_table_name(b, t);
	if (c->target == TARGET_POSTGRES && c->engine == ENGINE_POSTGRES && ix->definition_tail)
	{
		/* PostgreSQL -> PostgreSQL: the source's own definition */
		sb_appendf(b, " USING %s %s", m, ix->definition_tail);
		return;
	}
	if (strcmp(m, "gin") == 0)
		sb_append(b, " USING gin");
	else if (strcmp(m, "gist") == 0 || strcmp(m, "spatial") == 0)
		sb_append(b, " USING gist");
	else if (c->target == TARGET_POSTGRES && c->engine == ENGINE_POSTGRES && strcmp(m, "btree") != 0)
		sb_appendf(b, " USING %s", m);
	sb_append(b, " (");
	for (int i = 0; i < ix->ncolumns; i++)
	{
		if (i)
			sb_append(b, ", ");
		append_index_key(b, t, ix, i);
	}
	sb_appendc(b, ')');
	if (ix->ninclude > 0)
	{
		sb_append(b, " INCLUDE (");
		append_columns(b, t, ix->include, ix->ninclude);
		sb_appendc(b, ')');
	}
	if (ix->predicate)
		sb_appendf(b, " WHERE %s", ix->predicate);
}

static void
render_alter_prefix(StrBuf *b, const Table *t, const char *constraint)
{
	sb_append(b, "ALTER TABLE ");
	append_table_name(b, t);
	sb_append(b, " ADD CONSTRAINT ");
	sb_append_ident(b, constraint);
	sb_appendc(b, ' ');
}

static void
render_validate(StrBuf *b, const Table *t, const char *constraint)
{
	sb_append(b, "ALTER TABLE ");
	append_table_name(b, t);
	sb_append(b, " VALIDATE CONSTRAINT ");
	sb_append_ident(b, constraint);
}

static const char *
fk_action(const char *a)
{
	return (a == NULL || strcmp(a, "NO ACTION") == 0) ? NULL : a;
}

/* ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID (validated separately). */
static void
render_foreign_key(StrBuf *b, const Catalog *c, const Table *t, const ForeignKeyDef *fk)
{
	const Table *ref = catalog_find_table(c, fk->ref_schema, fk->ref_table);

	render_alter_prefix(b, t, fk->target_name);
	if (c->target == TARGET_POSTGRES && c->engine == ENGINE_POSTGRES && fk->constraint_def)
	{
		sb_append(b, fk->constraint_def);
		if (fk->validated)
			sb_append(b, " NOT VALID");
		return;
	}
	sb_append(b, "FOREIGN KEY (");
	append_columns(b, t, fk->columns, fk->ncolumns);
	sb_append(b, ") REFERENCES ");
	append_table_name(b, ref);
	sb_append(b, " (");
	append_columns(b, ref, fk->ref_columns, fk->ncolumns);
	sb_appendc(b, ')');
	if (fk->match_full)
		sb_append(b, " MATCH FULL");
	if (fk_action(fk->on_update))
		sb_appendf(b, " ON UPDATE %s", fk->on_update);
	if (fk_action(fk->on_delete))
		sb_appendf(b, " ON DELETE %s", fk->on_delete);
	if (c->target == TARGET_POSTGRES && fk->deferrable)
		sb_append(b, fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
	sb_append(b, " NOT VALID");
}

/* Render the create statement of every object the target gets (Index/FK/CheckDef.target_ddl). */
static void
render_targets(Catalog *c)
{
	StrBuf		b;
	bool		pgpg = c->target == TARGET_POSTGRES && c->engine == ENGINE_POSTGRES;

	sb_init(&b, 0);
	for (int i = 0; i < c->ntables; i++)
	{
		Table	   *t = c->tables[i];

		for (int k = 0; k < t->nindexes; k++)
		{
			IndexDef   *ix = &t->indexes[k];

			if (ix->skip_reason)
				continue;
			sb_reset(&b);
			if (ix->is_constraint)
			{
				render_alter_prefix(&b, t, ix->target_name);
				if (pgpg && ix->constraint_def)
					sb_append(&b, ix->constraint_def);
				else
				{
					sb_append(&b, "UNIQUE (");
					append_columns(&b, t, ix->columns, ix->ncolumns);
					sb_appendc(&b, ')');
				}
			}
			else
				render_index(&b, c, t, ix);
			ix->target_ddl = arena_strdup(&c->arena, b.data);
		}
		for (int k = 0; k < t->nchecks; k++)
		{
			CheckDef   *ck = &t->checks[k];

			if (ck->skip_reason)
				continue;
			sb_reset(&b);
			render_alter_prefix(&b, t, ck->target_name);
			sb_appendf(&b, "CHECK (%s) NOT VALID", ck->target_expr ? ck->target_expr : ck->expr);
			ck->target_ddl = arena_strdup(&c->arena, b.data);
		}
		for (int k = 0; k < t->nfks; k++)
		{
			ForeignKeyDef *fk = &t->fks[k];

			if (fk->skip_reason)
				continue;
			sb_reset(&b);
			render_foreign_key(&b, c, t, fk);
			fk->target_ddl = arena_strdup(&c->arena, b.data);
		}
	}
	sb_free(&b);
}

void
ddl_plan(Catalog *c)
{
	if (c->engine == ENGINE_MYSQL)
		name_my_indexes(c);
	for (int i = 0; i < c->nsequences && c->target == TARGET_COCKROACH; i++)
		if (c->sequences[i].cycle)
			catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, NULL, NULL,
							  "sequence %s cycles on the source: CockroachDB sequences do not cycle, it stops "
							  "at its limit", ident_display_name(&c->arena, c->sequences[i].schema,
																   c->sequences[i].name));
	for (int i = 0; i < c->ntables; i++)
	{
		Table	   *t = c->tables[i];

		for (int k = 0; k < t->nindexes; k++)
		{
			if (t->indexes[k].target_name == NULL)
				t->indexes[k].target_name = t->indexes[k].name;
			plan_index(c, t, &t->indexes[k]);
		}
		for (int k = 0; k < t->nchecks; k++)
			plan_check(c, t, &t->checks[k]);
	}
	/* after the indexes: a foreign key needs an unskipped unique key */
	for (int i = 0; i < c->ntables; i++)
		for (int k = 0; k < c->tables[i]->nfks; k++)
		{
			ForeignKeyDef *fk = &c->tables[i]->fks[k];

			fk->target_name = c->target == TARGET_POSTGRES ? catalog_fit_ident(c, fk->name) : fk->name;
			plan_foreign_key(c, c->tables[i], fk);
		}
	render_targets(c);
}

static int
deferred_cmp(const void *a, const void *b)
{
	const DeferredObject *x = a,
			   *y = b;

	if (x->phase != y->phase)
		return x->phase - y->phase;
	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return 0;
}

/* Append the deferred objects of table t to p (b: scratch). */
static void
plan_table_objects(const Catalog *c, const Table *t, DdlPlan *p, StrBuf *b)
{
	if (ddl_pk_deferred(c, t))
	{
		DeferredObject *o = plan_add(p, DEFER_PRIMARY_KEY, 1, t, t->target_schema,
									 t->pk_name ? t->pk_name : "primary key");

		sb_append(b, "ALTER TABLE ");
		append_table_name(b, t);
		sb_append(b, " ADD ");
		append_pk_clause(b, t);
		o->create_sql = plan_str(p, b);
		o->display = arena_sprintf(&p->arena, "primary key of %s", t->display);
		o->cost = t->est_bytes + 1;	/* before the table's other indexes */
	}
	for (int k = 0; k < t->nindexes; k++)
	{
		const IndexDef *ix = &t->indexes[k];
		DeferredObject *o;

		if (ix->skip_reason || ix->target_ddl == NULL)
			continue;
		o = plan_add(p, ix->is_constraint ? DEFER_UNIQUE : DEFER_INDEX, 1, t, t->target_schema,
					 ix->target_name);
		o->create_sql = arena_strdup(&p->arena, ix->target_ddl);
		o->best_effort = ix->best_effort;
		o->display = arena_sprintf(&p->arena, "%s \"%s\" on %s",
								   ix->is_constraint ? "unique constraint" : "index", ix->target_name, t->display);
	}
	for (int k = 0; k < t->nchecks; k++)
	{
		const CheckDef *ck = &t->checks[k];
		DeferredObject *o;

		if (ck->skip_reason || ck->target_ddl == NULL)
			continue;
		o = plan_add(p, DEFER_CHECK, 1, t, t->target_schema, ck->target_name);
		o->create_sql = arena_strdup(&p->arena, ck->target_ddl);
		if (ck->validated || c->engine == ENGINE_MYSQL)
		{
			render_validate(b, t, ck->target_name);
			o->validate_sql = plan_str(p, b);
		}
		o->best_effort = ck->best_effort;
		o->display = arena_sprintf(&p->arena, "check constraint \"%s\" on %s", ck->name, t->display);
	}
	for (int k = 0; k < t->ncolumns; k++)
	{
		const Column *col = &t->columns[k];
		DeferredObject *o;

		if (col->target_default == NULL || col->target_generated)
			continue;
		o = plan_add(p, DEFER_DEFAULT, 1, t, t->target_schema, col->target_name);
		sb_append(b, "ALTER TABLE ");
		append_table_name(b, t);
		sb_append(b, " ALTER COLUMN ");
		sb_append_ident(b, col->target_name);
		sb_appendf(b, " SET DEFAULT %s", col->target_default);
		o->create_sql = plan_str(p, b);
		o->best_effort = !col->target_default_exact;
		o->display = arena_sprintf(&p->arena, "default of %s.%s", t->display, col->name);
		o->cost = 0;
	}
	for (int k = 0; k < t->nfks; k++)
	{
		const ForeignKeyDef *fk = &t->fks[k];
		DeferredObject *o;

		if (fk->skip_reason || fk->target_ddl == NULL)
			continue;
		o = plan_add(p, DEFER_FOREIGN_KEY, 2, t, t->target_schema, fk->target_name);
		o->create_sql = arena_strdup(&p->arena, fk->target_ddl);
		if (fk->validated)
		{
			render_validate(b, t, fk->target_name);
			o->validate_sql = plan_str(p, b);
		}
		o->display = arena_sprintf(&p->arena, "foreign key \"%s\" on %s", fk->name, t->display);
	}
}

static void
plan_init(DdlPlan *p)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->arena, 64 * 1024);
}

static void
plan_sort(DdlPlan *p)
{
	if (p->n > 1)
		qsort(p->objects, (size_t) p->n, sizeof(DeferredObject), deferred_cmp);
}

void
ddl_deferred(const Catalog *c, DdlPlan *p)
{
	StrBuf		b;

	plan_init(p);
	sb_init(&b, 0);
	for (int i = 0; i < c->nsequences; i++)
	{
		const Sequence *s = &c->sequences[i];
		DeferredObject *o = plan_add(p, DEFER_SEQUENCE, 0, NULL, s->target_schema, s->target_name);

		ddl_create_sequence(&b, s, c->target);
		o->create_sql = plan_str(p, &b);
		o->display = arena_sprintf(&p->arena, "sequence \"%s\"",
								   ident_display_name(&p->arena, s->target_schema, s->target_name));
	}
	for (int i = 0; i < c->ntables; i++)
		plan_table_objects(c, c->tables[i], p, &b);
	sb_free(&b);
	plan_sort(p);
}

void
ddl_deferred_table(const Catalog *c, const Table *t, DdlPlan *p)
{
	StrBuf		b;

	plan_init(p);
	sb_init(&b, 0);
	plan_table_objects(c, t, p, &b);
	sb_free(&b);
	plan_sort(p);
}

void
ddl_plan_free(DdlPlan *p)
{
	free(p->objects);
	arena_free(&p->arena);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------- script */

static void
stmt(StrBuf *out, StrBuf *b)
{
	sb_append(out, b->data);
	sb_append(out, ";\n");
	sb_reset(b);
}

void
ddl_render_script(const Catalog *c, TableHandling handling, StrBuf *out)
{
	StrBuf		b;
	const char **schemas;
	const UserType **types;
	int			n;
	DdlPlan		plan;

	sb_init(&b, 0);
	sb_appendf(out, "-- godwit schema --dry-run: %d table%s for a %s target (table handling: %s)\n",
			   c->ntables, c->ntables == 1 ? "" : "s",
			   c->target == TARGET_COCKROACH ? "CockroachDB" : "PostgreSQL", table_handling_names[handling]);
	for (int i = 0; i < c->nissues; i++)
		if (c->issues[i].level >= ISSUE_WARN)
			sb_appendf(out, "-- %s: %s\n", c->issues[i].level == ISSUE_FAIL ? "ERROR" : "WARNING",
					   c->issues[i].message);

	sb_append(out, "\n-- schemas, extensions and types\n");
	n = ddl_target_schemas(c, &schemas);
	for (int i = 0; i < n; i++)
	{
		ddl_create_schema(&b, schemas[i]);
		stmt(out, &b);
	}
	free(schemas);
	if (c->target == TARGET_POSTGRES)
		for (int i = 0; i < c->nextensions; i++)
		{
			ddl_create_extension(&b, c->extensions[i], c->extension_schemas[i]);
			stmt(out, &b);
		}
	if (handling == TABLE_HANDLING_RECREATE)
		for (int i = 0; i < c->ntables; i++)
		{
			ddl_drop_table(&b, c->tables[i]);
			stmt(out, &b);
		}
	for (int i = 0; i < c->nenums; i++)
		if (c->enums[i].used)
		{
			ddl_create_enum(&b, &c->enums[i]);
			stmt(out, &b);
		}
	n = ddl_user_types_ordered(c, &types);
	for (int i = 0; i < n; i++)
	{
		ddl_create_user_type(&b, types[i]);
		stmt(out, &b);
	}
	free(types);
	sb_append(out, "\n-- sequences\n");
	for (int i = 0; i < c->nsequences; i++)
	{
		ddl_create_sequence(&b, &c->sequences[i], c->target);
		stmt(out, &b);
	}
	sb_append(out, c->target == TARGET_POSTGRES
			  ? "\n-- tables: columns and NOT NULL only (primary keys are built after the copy)\n"
			  : "\n-- tables: columns, NOT NULL and PRIMARY KEY only\n");
	if (handling == TABLE_HANDLING_TRUNCATE && c->ntables > 0)
	{
		sb_append(out, "-- existing tables are compared with the source, then emptied:\n-- ");
		ddl_truncate_tables(&b, c->tables, c->ntables);
		stmt(out, &b);
	}
	for (int i = 0; i < c->ntables; i++)
	{
		ddl_create_table(&b, c, c->tables[i]);
		stmt(out, &b);
	}

	sb_append(out, "\n-- deferred: created by godwit finalize after the bulk copy\n");
	ddl_deferred(c, &plan);
	for (int i = 0; i < plan.n; i++)
	{
		const DeferredObject *o = &plan.objects[i];

		if (o->kind == DEFER_SEQUENCE)
			continue;			/* already above */
		if (o->best_effort)
			sb_append(out, "-- best effort (translated):\n");
		sb_append(out, o->create_sql);
		sb_append(out, ";\n");
		if (o->validate_sql)
		{
			sb_append(out, o->validate_sql);
			sb_append(out, ";\n");
		}
	}
	ddl_plan_free(&plan);

	if (c->nsequences > 0)
	{
		sb_append(out, "\n-- sequence values: set by godwit cutover (source values now)\n");
		for (int i = 0; i < c->nsequences; i++)
		{
			ddl_setval(&b, &c->sequences[i]);
			stmt(out, &b);
		}
	}
	sb_free(&b);
}
