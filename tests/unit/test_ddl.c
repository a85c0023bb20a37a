/*
 * tests/unit/test_ddl.c
 *	  Unit tests of the DDL renderer: tables, types, sequences, indexes,
 *	  constraints and defaults for a PostgreSQL and a (simulated)
 *	  CockroachDB target, the deferred plan finalize runs, and the whole
 *	  `godwit schema --dry-run` script for both dialects.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/ddl.h"
#include "catalog/typemap.h"
#include "common/log.h"
#include "tap.h"

#define fail(...) ok(false, __VA_ARGS__)
#define contains(hay, needle, ...) \
	do { \
		const char *h_ = (hay); \
		if (!ok(h_ && strstr(h_, (needle)) != NULL, __VA_ARGS__)) \
			printf("#   looked for: %s\n#   in: %s\n", (needle), h_ ? h_ : "(null)"); \
	} while (0)
#define lacks(hay, needle, ...) \
	do { \
		const char *h_ = (hay); \
		if (!ok(h_ && strstr(h_, (needle)) == NULL, __VA_ARGS__)) \
			printf("#   unexpected: %s\n", (needle)); \
	} while (0)

static char **
strs(Catalog *c, int n, ...)
{
	va_list		ap;
	char	  **out = arena_alloc_array0(&c->arena, (size_t) n, sizeof(char *));

	va_start(ap, n);
	for (int i = 0; i < n; i++)
	{
		const char *s = va_arg(ap, const char *);

		out[i] = s ? arena_strdup(&c->arena, s) : NULL;
	}
	va_end(ap);
	return out;
}

static Column *
col(Catalog *c, Table *t, const char *name, const char *base, const char *decl, bool nullable)
{
	Column	   *x = table_add_column(c, t, name);

	x->source_base = arena_strdup(&c->arena, base);
	x->source_type = arena_strdup(&c->arena, decl);
	x->base_kind = x->type_kind = 'b';
	x->nullable = nullable;
	return x;
}

static IndexDef *
add_index(Catalog *c, Table *t, const char *name, bool unique, int n, char **cols)
{
	IndexDef   *ix = arena_alloc_array0(&c->arena, (size_t) t->nindexes + 1, sizeof(IndexDef));

	if (t->nindexes)
		memcpy(ix, t->indexes, sizeof(IndexDef) * (size_t) t->nindexes);
	t->indexes = ix;
	ix = &t->indexes[t->nindexes++];
	ix->name = arena_strdup(&c->arena, name);
	ix->unique = unique;
	ix->columns = cols;
	ix->ncolumns = n;
	ix->method = "btree";
	ix->valid = true;
	return ix;
}

static ForeignKeyDef *
add_fk(Catalog *c, Table *t, const char *name, const char *col_, const char *rs, const char *rt, const char *rc)
{
	ForeignKeyDef *fk = arena_alloc_array0(&c->arena, (size_t) t->nfks + 1, sizeof(ForeignKeyDef));

	if (t->nfks)
		memcpy(fk, t->fks, sizeof(ForeignKeyDef) * (size_t) t->nfks);
	t->fks = fk;
	fk = &t->fks[t->nfks++];
	fk->name = arena_strdup(&c->arena, name);
	fk->columns = strs(c, 1, col_);
	fk->ncolumns = 1;
	fk->ref_schema = arena_strdup(&c->arena, rs);
	fk->ref_table = arena_strdup(&c->arena, rt);
	fk->ref_columns = strs(c, 1, rc);
	fk->validated = true;
	return fk;
}

static void
set_pk(Catalog *c, Table *t, int col_index)
{
	t->pk = arena_alloc_array0(&c->arena, 1, sizeof(int));
	t->pk[0] = col_index;
	t->npk = 1;
}

/* A small MySQL catalog in the style of sakila. */
static void
build_mysql(Catalog *c)
{
	Table	   *film,
			   *actor,
			   *fa,
			   *staff;
	Column	   *x;
	IndexDef   *ix;
	Sequence   *s;

	catalog_init(c, ENGINE_MYSQL);
	film = catalog_add_table(c, "sakila", "film");
	col(c, film, "film_id", "smallint", "smallint(5) unsigned", false)->is_unsigned = true;
	film->columns[0].auto_increment = true;
	col(c, film, "title", "varchar", "varchar(128)", false)->length = 128;
	x = col(c, film, "rating", "enum", "enum('G','PG','R')", true);
	x->enum_labels = strs(c, 3, "G", "PG", "R");
	x->nenum_labels = 3;
	x->default_expr = "'G'";
	x = col(c, film, "special_features", "set", "set('Trailers','Commentaries')", true);
	x->enum_labels = strs(c, 2, "Trailers", "Commentaries");
	x->nenum_labels = 2;
	x = col(c, film, "last_update", "timestamp", "timestamp", false);
	x->default_expr = "current_timestamp()";
	x->on_update = "current_timestamp()";
	col(c, film, "description", "text", "text", true);
	set_pk(c, film, 0);
	ix = add_index(c, film, "idx_title", false, 1, strs(c, 1, "title"));
	ix = add_index(c, film, "idx_descr", false, 1, strs(c, 1, "description"));
	ix->prefix_len = arena_alloc_array0(&c->arena, 1, sizeof(int));
	ix->prefix_len[0] = 20;
	ix = add_index(c, film, "ft", false, 1, strs(c, 1, "description"));
	ix->method = "fulltext";
	ix = add_index(c, film, "fx", false, 1, strs(c, 1, NULL));
	ix->exprs = strs(c, 1, "lower(`title`)");
	s = catalog_add_sequence(c, "sakila", "film_film_id_seq");
	s->owned_by_schema = "sakila";
	s->owned_by_table = "film";
	s->owned_by_column = "film_id";
	s->last_value = 1000;
	s->is_called = true;
	s->start_value = 1;

	actor = catalog_add_table(c, "sakila", "actor");
	col(c, actor, "actor_id", "int", "int(10) unsigned", false)->is_unsigned = true;
	col(c, actor, "code", "int", "int(11)", false);
	set_pk(c, actor, 0);
	add_index(c, actor, "idx_title", false, 1, strs(c, 1, "code"));	/* same name as film's */
	add_index(c, actor, "uq_code", true, 1, strs(c, 1, "code"))->is_constraint = true;

	fa = catalog_add_table(c, "sakila", "film_actor");
	col(c, fa, "actor_id", "int", "int(10) unsigned", false)->is_unsigned = true;
	col(c, fa, "film_id", "smallint", "smallint(5) unsigned", false)->is_unsigned = true;
	col(c, fa, "code", "int", "int(11)", true);
	set_pk(c, fa, 0);
	{
		ForeignKeyDef *fk = add_fk(c, fa, "fk_film_actor_film", "film_id", "sakila", "film", "film_id");

		fk->on_update = "CASCADE";
		fk->on_delete = "RESTRICT";
	}
	add_fk(c, fa, "fk_code", "code", "sakila", "actor", "code");	/* unique key: kept */
	add_fk(c, fa, "fk_gone", "code", "other", "nothere", "id");
	add_fk(c, fa, "fk_nonunique", "film_id", "sakila", "film", "title");

	staff = catalog_add_table(c, "sakila", "staff");
	col(c, staff, "staff_id", "tinyint", "tinyint(3) unsigned", false);
	x = col(c, staff, "active", "tinyint", "tinyint(1)", false);
	x->default_expr = "1";
	col(c, staff, "picture", "blob", "blob", true);
	set_pk(c, staff, 0);
	{
		CheckDef   *ck = arena_alloc_array0(&c->arena, 1, sizeof(CheckDef));

		ck->name = "staff_chk";
		ck->expr = "`active` in (0,1) and `picture` <> _utf8mb4'it''s'";
		staff->checks = ck;
		staff->nchecks = 1;
	}
	catalog_sort_tables(c);
}

static void
test_mysql(TargetDialect d)
{
	Catalog		c;
	TypeMapOptions o;
	StrBuf		b,
				want;
	DdlPlan		plan;
	const Table *film,
			   *fa;
	bool		crdb = d == TARGET_COCKROACH;
	const char *dn = crdb ? "CockroachDB" : "PostgreSQL";

	build_mysql(&c);
	typemap_options_init(&o, d);
	ok(typemap_apply(&c, &o), "sakila-like schema maps for %s", dn);
	ddl_plan(&c);
	film = catalog_find_table(&c, "sakila", "film");
	fa = catalog_find_table(&c, "sakila", "film_actor");

	sb_init(&b, 0);
	ddl_create_table(&b, &c, film);
	sb_init(&want, 0);
	sb_appendf(&want, "CREATE TABLE \"public\".\"film\" (\n"
		   "\t\"film_id\" integer NOT NULL,\n"
		   "\t\"title\" varchar(128) NOT NULL,\n"
		   "\t\"rating\" \"public\".\"film_rating\",\n"
		   "\t\"special_features\" text[],\n"
		   "\t\"last_update\" timestamptz NOT NULL,\n"
		   "\t\"description\" text%s\n)", crdb ? ",\n\tPRIMARY KEY (\"film_id\")" : "");
	is_str(b.data, want.data, "film table for %s: columns, NOT NULL%s", dn, crdb ? ", PRIMARY KEY only" : " only");
	ok(ddl_pk_deferred(&c, film) == !crdb, "primary key %s", crdb ? "in CREATE TABLE on CockroachDB" : "deferred on PostgreSQL");
	sb_reset(&b);
	ddl_create_enum(&b, &c.enums[0]);
	is_str(b.data, "CREATE TYPE \"public\".\"film_rating\" AS ENUM ('G', 'PG', 'R')", "enum type for %s", dn);
	sb_reset(&b);
	ddl_create_sequence(&b, &c.sequences[0], d);
	is_str(b.data, crdb ? "CREATE SEQUENCE IF NOT EXISTS \"public\".\"film_film_id_seq\" INCREMENT BY 1 "
		   "MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1001"
		   : "CREATE SEQUENCE IF NOT EXISTS \"public\".\"film_film_id_seq\" AS bigint INCREMENT BY 1 "
		   "MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1001", "sequence starts after the source's value (%s)", dn);
	c.sequences[0].cycle = true;
	sb_reset(&b);
	ddl_create_sequence(&b, &c.sequences[0], d);
	if (crdb)
		lacks(b.data, "CYCLE", "no CYCLE on CockroachDB");
	else
		contains(b.data, " CYCLE", "CYCLE on PostgreSQL");
	c.sequences[0].cycle = false;
	sb_reset(&b);
	ddl_setval(&b, &c.sequences[0]);
	is_str(b.data, "SELECT setval('\"public\".\"film_film_id_seq\"', 1000, true)", "setval for cutover");

	/* index names are unique in the schema; FULLTEXT and functional indexes are left out */
	/* tables are planned in name order: actor, film, ... */
	is_str(catalog_find_table(&c, "sakila", "actor")->indexes[0].target_name, "idx_title",
		   "first idx_title keeps its name");
	is_str(film->indexes[0].target_name, "film_idx_title", "second idx_title is prefixed with its table");
	ok(film->indexes[2].skip_reason != NULL, "FULLTEXT index skipped");
	ok(film->indexes[3].skip_reason != NULL, "functional index skipped");
	ok(fa->fks[2].skip_reason && strstr(fa->fks[2].skip_reason, "not migrated"), "FK to a table not migrated skipped");
	ok(fa->fks[3].skip_reason && strstr(fa->fks[3].skip_reason, "no primary key or unique"), "FK to non-unique columns skipped");
	ok(fa->fks[1].skip_reason == NULL, "FK to a unique key kept");

	ddl_deferred(&c, &plan);
	{
		bool		seen_fk = false,
					order_ok = true,
					prefix = false,
					uq = false,
					dflt_rating = false,
					dflt_ts = false,
					dflt_seq = false,
					dflt_bool = false,
					check = false;
		int			film_pk = -1,
					film_index = -1;

		for (int i = 0; i < plan.n; i++)
		{
			DeferredObject *obj = &plan.objects[i];

			if (i > 0 && obj->phase < plan.objects[i - 1].phase)
				order_ok = false;
			if (obj->kind == DEFER_PRIMARY_KEY && obj->table == film)
			{
				film_pk = i;
				is_str(obj->create_sql, "ALTER TABLE \"public\".\"film\" ADD PRIMARY KEY (\"film_id\")",
					   "deferred primary key (%s)", dn);
			}
			if (obj->kind == DEFER_INDEX && obj->table == film && film_index < 0)
				film_index = i;
			if (obj->kind == DEFER_FOREIGN_KEY && strcmp(obj->name, "fk_film_actor_film") == 0)
			{
				seen_fk = true;
				is_str(obj->create_sql, "ALTER TABLE \"public\".\"film_actor\" ADD CONSTRAINT \"fk_film_actor_film\" "
					   "FOREIGN KEY (\"film_id\") REFERENCES \"public\".\"film\" (\"film_id\") ON UPDATE CASCADE "
					   "ON DELETE RESTRICT NOT VALID", "FK added NOT VALID (%s)", dn);
				is_str(obj->validate_sql, "ALTER TABLE \"public\".\"film_actor\" VALIDATE CONSTRAINT \"fk_film_actor_film\"",
					   "then validated (%s)", dn);
			}
			if (obj->kind == DEFER_INDEX && strcmp(obj->name, "idx_descr") == 0)
			{
				prefix = true;
				is_str(obj->create_sql, "CREATE INDEX IF NOT EXISTS \"idx_descr\" ON \"public\".\"film\" "
					   "((left(\"description\", 20)))", "prefix index becomes an expression index (%s)", dn);
			}
			if (obj->kind == DEFER_UNIQUE && strcmp(obj->name, "uq_code") == 0)
			{
				uq = true;
				is_str(obj->create_sql, "ALTER TABLE \"public\".\"actor\" ADD CONSTRAINT \"uq_code\" UNIQUE (\"code\")",
					   "unique key becomes a unique constraint (%s)", dn);
			}
			if (obj->kind == DEFER_DEFAULT && obj->create_sql)
			{
				if (strstr(obj->create_sql, "\"rating\" SET DEFAULT 'G'"))
					dflt_rating = true;
				if (strstr(obj->create_sql, "\"last_update\" SET DEFAULT CURRENT_TIMESTAMP"))
					dflt_ts = true;
				if (strstr(obj->create_sql, "\"film_id\" SET DEFAULT nextval('\"public\".\"film_film_id_seq\"')"))
					dflt_seq = true;
				if (strstr(obj->create_sql, "\"active\" SET DEFAULT true"))
					dflt_bool = true;
			}
			if (obj->kind == DEFER_CHECK)
			{
				check = true;
				is_str(obj->create_sql, "ALTER TABLE \"public\".\"staff\" ADD CONSTRAINT \"staff_chk\" CHECK "
					   "(\"active\" in (0,1) and \"picture\" <> 'it''s') NOT VALID", "MySQL check translated (%s)", dn);
				ok(obj->best_effort, "translated check is best effort");
			}
		}
		ok(seen_fk && prefix && uq && check, "deferred objects present (%s)", dn);
		if (crdb)
			is_int(film_pk, -1, "no deferred primary key on CockroachDB");
		else
			ok(film_pk >= 0 && film_index > film_pk, "the primary key before the table's other indexes");
		ok(dflt_rating && dflt_ts && dflt_seq && dflt_bool, "defaults deferred (%s)", dn);
		ok(order_ok, "phases in order: sequences, then indexes/constraints/defaults, then foreign keys");
		is_int(plan.objects[0].kind, DEFER_SEQUENCE, "sequences first");
	}
	ddl_plan_free(&plan);
	sb_free(&b);
	sb_free(&want);
	catalog_free(&c);
}

/* A PostgreSQL catalog with what pg_catalog.c reads. */
static void
build_postgres(Catalog *c)
{
	Table	   *t,
			   *r;
	Column	   *x;
	IndexDef   *ix;
	EnumType   *e;
	UserType   *dom,
			   *comp;

	catalog_init(c, ENGINE_POSTGRES);
	e = catalog_add_enum(c, "public", "mpaa_rating");
	e->oid = 1;
	e->labels = strs(c, 2, "G", "PG");
	e->nlabels = 2;
	dom = catalog_add_type(c, USERTYPE_DOMAIN, "public", "year");
	dom->oid = 2;
	dom->base_type = "integer";
	dom->check_names = strs(c, 1, "year_check");
	dom->check_defs = strs(c, 1, "CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))");
	dom->nchecks = 1;
	comp = catalog_add_type(c, USERTYPE_COMPOSITE, "public", "pair");
	comp->oid = 3;
	comp->attr_names = strs(c, 2, "a", "r");
	comp->attr_types = strs(c, 2, "public.year", "public.mpaa_rating");
	comp->nattrs = 2;
	comp->deps = arena_alloc_array0(&c->arena, 2, sizeof(uint32_t));
	comp->deps[0] = 2;
	comp->deps[1] = 1;
	comp->ndeps = 2;

	r = catalog_add_table(c, "public", "language");
	col(c, r, "language_id", "int4", "integer", false);
	set_pk(c, r, 0);
	r->pk_name = "language_pkey";

	t = catalog_add_table(c, "public", "film");
	col(c, t, "film_id", "int4", "integer", false)->default_expr = "nextval('public.film_film_id_seq'::regclass)";
	x = col(c, t, "title", "text", "text", false);
	x->collation = "C";
	x = col(c, t, "rating", "mpaa_rating", "public.mpaa_rating", true);
	x->base_kind = x->type_kind = 'e';
	x->base_schema = x->type_schema = "public";
	x->base_name = x->type_name = "mpaa_rating";
	x->default_expr = "'G'::public.mpaa_rating";
	x = col(c, t, "release_year", "int4", "public.year", true);
	x->type_kind = 'd';
	x->type_schema = "public";
	x->type_name = "year";
	x = col(c, t, "p", "pair", "public.pair", true);
	x->base_kind = x->type_kind = 'c';
	x->base_schema = x->type_schema = "public";
	x->base_name = x->type_name = "pair";
	x = col(c, t, "fulltext", "tsvector", "tsvector", true);
	x->generated_expr = "to_tsvector('simple'::regconfig, title)";
	x->generated_stored = true;
	col(c, t, "language_id", "int4", "integer", false);
	col(c, t, "price", "money", "money", true);
	set_pk(c, t, 0);
	t->pk_name = "film_pkey";
	t->est_bytes = 1000000;

	ix = add_index(c, t, "film_fulltext_idx", false, 1, strs(c, 1, "fulltext"));
	ix->method = "gist";
	ix->definition_tail = "(fulltext)";
	ix = add_index(c, t, "idx_title_lower", false, 2, strs(c, 2, NULL, "title"));
	ix->exprs = strs(c, 2, "lower(title)", NULL);
	ix->desc = arena_alloc_array0(&c->arena, 2, sizeof(bool));
	ix->desc[1] = true;
	ix->include = strs(c, 1, "rating");
	ix->ninclude = 1;
	ix->predicate = "(release_year > 2000)";
	ix->definition_tail = "(lower(title), title DESC) INCLUDE (rating) WHERE (release_year > 2000)";
	ix = add_index(c, t, "film_title_key", true, 1, strs(c, 1, "title"));
	ix->is_constraint = true;
	ix->constraint_def = "UNIQUE NULLS NOT DISTINCT (title)";
	ix = add_index(c, t, "brin_idx", false, 1, strs(c, 1, "film_id"));
	ix->method = "brin";
	ix->definition_tail = "(film_id)";
	ix = add_index(c, t, "broken_idx", false, 1, strs(c, 1, "film_id"));
	ix->valid = false;
	{
		ForeignKeyDef *fk = add_fk(c, t, "film_language_id_fkey", "language_id", "public", "language", "language_id");

		fk->constraint_def = "FOREIGN KEY (language_id) REFERENCES public.language(language_id) ON UPDATE CASCADE "
			"DEFERRABLE INITIALLY DEFERRED";
		fk->on_update = "CASCADE";
		fk->deferrable = fk->initially_deferred = true;
	}
	{
		CheckDef   *ck = arena_alloc_array0(&c->arena, 1, sizeof(CheckDef));

		ck->name = "film_price_check";
		ck->expr = "(price > (0)::money)";
		ck->validated = true;
		t->checks = ck;
		t->nchecks = 1;
	}
	{
		Sequence   *s = catalog_add_sequence(c, "public", "film_film_id_seq");

		s->owned_by_schema = "public";
		s->owned_by_table = "film";
		s->owned_by_column = "film_id";
		s->data_type = "integer";
		s->max_value = 2147483647;
		s->last_value = 5;
		s->is_called = false;
	}
	catalog_sort_tables(c);
}

static void
test_postgres(void)
{
	Catalog		c;
	TypeMapOptions o;
	StrBuf		b;
	DdlPlan		plan;
	const Table *t;
	const UserType **types;
	int			n;

	/* ---- PostgreSQL target: the source's own definitions ---- */
	build_postgres(&c);
	typemap_options_init(&o, TARGET_POSTGRES);
	ok(typemap_apply(&c, &o), "PG -> PG maps");
	ddl_plan(&c);
	t = catalog_find_table(&c, "public", "film");
	sb_init(&b, 0);
	ddl_create_table(&b, &c, t);
	is_str(b.data, "CREATE TABLE \"public\".\"film\" (\n"
		   "\t\"film_id\" integer NOT NULL,\n"
		   "\t\"title\" text COLLATE pg_catalog.\"C\" NOT NULL,\n"
		   "\t\"rating\" public.mpaa_rating,\n"
		   "\t\"release_year\" public.year,\n"
		   "\t\"p\" public.pair,\n"
		   "\t\"fulltext\" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, title)) STORED,\n"
		   "\t\"language_id\" integer NOT NULL,\n"
		   "\t\"price\" money\n)", "PG table keeps types, collation, generated column (primary key deferred)");
	n = ddl_user_types_ordered(&c, &types);
	is_int(n, 2, "domain and composite created");
	ok(n == 2 && types[0]->kind == USERTYPE_DOMAIN && types[1]->kind == USERTYPE_COMPOSITE,
	   "domain before the composite that uses it");
	sb_reset(&b);
	ddl_create_user_type(&b, types[0]);
	is_str(b.data, "CREATE DOMAIN \"public\".\"year\" AS integer CONSTRAINT \"year_check\" "
		   "CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))", "CREATE DOMAIN");
	sb_reset(&b);
	ddl_create_user_type(&b, types[1]);
	is_str(b.data, "CREATE TYPE \"public\".\"pair\" AS (\"a\" public.year, \"r\" public.mpaa_rating)", "CREATE TYPE AS (...)");
	free(types);
	ok(t->indexes[4].skip_reason != NULL, "an index invalid on the source is skipped");
	ok(t->indexes[3].skip_reason == NULL, "BRIN kept on PostgreSQL");

	ddl_deferred(&c, &plan);
	for (int i = 0; i < plan.n; i++)
	{
		DeferredObject *obj = &plan.objects[i];

		if (obj->kind == DEFER_INDEX && strcmp(obj->name, "idx_title_lower") == 0)
			is_str(obj->create_sql, "CREATE INDEX IF NOT EXISTS \"idx_title_lower\" ON \"public\".\"film\" USING btree "
				   "(lower(title), title DESC) INCLUDE (rating) WHERE (release_year > 2000)", "PG index definition verbatim");
		if (obj->kind == DEFER_UNIQUE)
			is_str(obj->create_sql, "ALTER TABLE \"public\".\"film\" ADD CONSTRAINT \"film_title_key\" "
				   "UNIQUE NULLS NOT DISTINCT (title)", "PG unique constraint verbatim");
		if (obj->kind == DEFER_FOREIGN_KEY)
			is_str(obj->create_sql, "ALTER TABLE \"public\".\"film\" ADD CONSTRAINT \"film_language_id_fkey\" "
				   "FOREIGN KEY (language_id) REFERENCES public.language(language_id) ON UPDATE CASCADE "
				   "DEFERRABLE INITIALLY DEFERRED NOT VALID", "PG FK verbatim, NOT VALID");
		if (obj->kind == DEFER_CHECK)
		{
			is_str(obj->create_sql, "ALTER TABLE \"public\".\"film\" ADD CONSTRAINT \"film_price_check\" "
				   "CHECK ((price > (0)::money)) NOT VALID", "PG check NOT VALID");
			ok(!obj->best_effort, "PG -> PG check is exact");
		}
		if (obj->kind == DEFER_DEFAULT && strcmp(obj->name, "film_id") == 0)
			is_str(obj->create_sql, "ALTER TABLE \"public\".\"film\" ALTER COLUMN \"film_id\" SET DEFAULT "
				   "nextval('\"public\".\"film_film_id_seq\"')", "serial default via its sequence");
		if (obj->kind == DEFER_DEFAULT && strcmp(obj->name, "fulltext") == 0)
			fail("a generated column gets no default");
	}
	ddl_plan_free(&plan);
	sb_reset(&b);
	ddl_create_sequence(&b, &c.sequences[0], TARGET_POSTGRES);
	is_str(b.data, "CREATE SEQUENCE IF NOT EXISTS \"public\".\"film_film_id_seq\" AS integer INCREMENT BY 1 "
		   "MINVALUE 1 MAXVALUE 2147483647 START WITH 5", "a sequence never called starts at its value");
	catalog_free(&c);

	/* ---- CockroachDB target: rendered from parts ---- */
	build_postgres(&c);
	typemap_options_init(&o, TARGET_COCKROACH);
	ok(typemap_apply(&c, &o), "PG -> CockroachDB maps");
	ddl_plan(&c);
	t = catalog_find_table(&c, "public", "film");
	sb_reset(&b);
	ddl_create_table(&b, &c, t);
	is_str(b.data, "CREATE TABLE \"public\".\"film\" (\n"
		   "\t\"film_id\" integer NOT NULL,\n"
		   "\t\"title\" text NOT NULL,\n"
		   "\t\"rating\" \"public\".\"mpaa_rating\",\n"
		   "\t\"release_year\" integer,\n"
		   "\t\"p\" text,\n"
		   "\t\"fulltext\" tsvector,\n"
		   "\t\"language_id\" integer NOT NULL,\n"
		   "\t\"price\" numeric,\n"
		   "\tCONSTRAINT \"film_pkey\" PRIMARY KEY (\"film_id\")\n)",
		   "CockroachDB table: domain -> base, composite -> text, money -> numeric, generated -> plain");
	n = ddl_user_types_ordered(&c, &types);
	is_int(n, 0, "no domains or composite types on CockroachDB");
	free(types);
	ok(c.enums[0].used, "the enum is still created on CockroachDB");
	ok(t->indexes[3].skip_reason != NULL, "BRIN skipped on CockroachDB");
	ddl_deferred(&c, &plan);
	for (int i = 0; i < plan.n; i++)
	{
		DeferredObject *obj = &plan.objects[i];

		if (obj->kind == DEFER_INDEX && strcmp(obj->name, "idx_title_lower") == 0)
		{
			is_str(obj->create_sql, "CREATE INDEX IF NOT EXISTS \"idx_title_lower\" ON \"public\".\"film\" "
				   "((lower(title)), \"title\" DESC) INCLUDE (\"rating\") WHERE (release_year > 2000)",
				   "CockroachDB index from parts");
			ok(obj->best_effort, "expression and partial index: best effort");
		}
		if (obj->kind == DEFER_INDEX && strcmp(obj->name, "film_fulltext_idx") == 0)
			fail("GiST on a tsvector is not created on CockroachDB");
		if (obj->kind == DEFER_UNIQUE)
			is_str(obj->create_sql, "ALTER TABLE \"public\".\"film\" ADD CONSTRAINT \"film_title_key\" UNIQUE (\"title\")",
				   "CockroachDB unique constraint from parts");
		if (obj->kind == DEFER_FOREIGN_KEY)
			is_str(obj->create_sql, "ALTER TABLE \"public\".\"film\" ADD CONSTRAINT \"film_language_id_fkey\" "
				   "FOREIGN KEY (\"language_id\") REFERENCES \"public\".\"language\" (\"language_id\") "
				   "ON UPDATE CASCADE NOT VALID", "CockroachDB FK without DEFERRABLE");
		if (obj->kind == DEFER_CHECK)
			ok(obj->best_effort, "PG check on CockroachDB is best effort");
	}
	ddl_plan_free(&plan);
	{
		bool		warned = false;

		for (int i = 0; i < c.nissues; i++)
			if (strstr(c.issues[i].message, "DEFERRABLE on the source"))
				warned = true;
		ok(warned, "dropping DEFERRABLE is reported");
	}
	sb_free(&b);
	catalog_free(&c);
}

/* The dry-run script for a simulated CockroachDB dialect and for PostgreSQL. */
static void
test_script(void)
{
	Catalog		c;
	TypeMapOptions o;
	StrBuf		out;

	build_mysql(&c);
	typemap_options_init(&o, TARGET_COCKROACH);
	typemap_apply(&c, &o);
	ddl_plan(&c);
	sb_init(&out, 0);
	ddl_render_script(&c, TABLE_HANDLING_RECREATE, &out);
	contains(out.data, "-- godwit schema --dry-run: 4 tables for a CockroachDB target (table handling: drop-on-target-and-recreate)",
			 "script header names the dialect");
	contains(out.data, "CREATE SCHEMA IF NOT EXISTS \"public\";", "schema");
	contains(out.data, "DROP TABLE IF EXISTS \"public\".\"actor\" CASCADE;", "drop for recreate");
	contains(out.data, "CREATE TYPE \"public\".\"film_rating\" AS ENUM ('G', 'PG', 'R');", "enum");
	contains(out.data, "CREATE TABLE \"public\".\"staff\" (", "table");
	contains(out.data, "-- deferred: created by godwit finalize", "deferred section");
	contains(out.data, "VALIDATE CONSTRAINT \"fk_film_actor_film\";", "FK validation");
	contains(out.data, "SELECT setval('\"public\".\"film_film_id_seq\"', 1000, true);", "setval section");
	contains(out.data, "-- WARNING: index \"ft\" on sakila.film is not created on the target: FULLTEXT",
			 "warnings listed in the script");
	lacks(out.data, " AS bigint", "no PostgreSQL-only sequence AS on CockroachDB");
	lacks(out.data, "CREATE EXTENSION", "no extensions on CockroachDB");
	lacks(out.data, "DEFERRABLE", "no DEFERRABLE on CockroachDB");
	lacks(out.data, "CONCURRENTLY", "no CONCURRENTLY");
	sb_free(&out);
	catalog_free(&c);

	build_postgres(&c);
	typemap_options_init(&o, TARGET_COCKROACH);
	typemap_apply(&c, &o);
	ddl_plan(&c);
	sb_init(&out, 0);
	ddl_render_script(&c, TABLE_HANDLING_NONE, &out);
	lacks(out.data, "CREATE DOMAIN", "no domains on CockroachDB");
	lacks(out.data, "COLLATE", "no collations on CockroachDB");
	lacks(out.data, "GENERATED ALWAYS", "no PG generated columns on CockroachDB");
	contains(out.data, "CREATE TYPE \"public\".\"mpaa_rating\" AS ENUM ('G', 'PG');", "PG enum on CockroachDB");
	sb_free(&out);
	catalog_free(&c);

	build_postgres(&c);
	typemap_options_init(&o, TARGET_POSTGRES);
	typemap_apply(&c, &o);
	ddl_plan(&c);
	sb_init(&out, 0);
	ddl_render_script(&c, TABLE_HANDLING_TRUNCATE, &out);
	contains(out.data, "-- TRUNCATE TABLE \"public\".\"film\", \"public\".\"language\";", "truncate shown for truncate-if-exists");
	contains(out.data, "CREATE DOMAIN \"public\".\"year\"", "domain on PostgreSQL");
	sb_free(&out);
	catalog_free(&c);
}

static void
test_translate(void)
{
	StrBuf		b;

	sb_init(&b, 0);
	ddl_translate_my_expr(&b, "`a``b` > 0 and `c` = \"x\" or `d` like _latin1'q\\'r' and e_utf8 = 1");
	is_str(b.data, "\"a`b\" > 0 and \"c\" = 'x' or \"d\" like 'q''r' and e_utf8 = 1", "MySQL expression translated");
	sb_free(&b);
}

int
main(void)
{
	log_init(LOG_INFO, LOG_FORMAT_TEXT);
	test_mysql(TARGET_POSTGRES);
	test_mysql(TARGET_COCKROACH);
	test_postgres();
	test_script();
	test_translate();
	return done_testing();
}
