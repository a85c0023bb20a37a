/*
 * tests/unit/test_typemap.c
 *	  Unit tests of the type mapping: every row of the table, for a
 *	  PostgreSQL and a CockroachDB target; the policies (--tinyint1-as,
 *	  --enum-as, --zero-dates); --type-map-file parsing and overrides;
 *	  defaults, generated and identity columns; derived names.
 *
 * The last test checks that every rule of typemap_rules[] was matched by a
 * case below on both dialects, so a new rule cannot land untested.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/typemap.h"
#include "common/log.h"
#include "tap.h"

static int	rule_hits[2][256];	/* [dialect][rule index] */

/* A column description for one case. */
typedef struct ColSpec
{
	const char *base;			/* source_base */
	const char *decl;			/* source_type */
	int64_t		length;
	int			precision;
	int			scale;
	int			fsp;
	bool		is_unsigned;
	int			array_dims;
	char		base_kind;		/* PG: 0 means 'b' */
	const char *base_schema;	/* PG user type */
	const char *base_name;
	const char *extension;
	bool		rowtype;
} ColSpec;

/* C(...) sets the "unknown" defaults first; a case may override them */
#pragma GCC diagnostic ignored "-Woverride-init"
#define C(...) ((ColSpec) {.length = -1, .precision = -1, .scale = -1, .fsp = -1, __VA_ARGS__})

static Column *
add_column(Catalog *c, Table *t, const char *name, ColSpec s)
{
	Column	   *col = table_add_column(c, t, name);

	col->source_base = arena_strdup(&c->arena, s.base);
	col->source_type = arena_strdup(&c->arena, s.decl ? s.decl : s.base);
	col->length = s.length;
	col->precision = s.precision;
	col->scale = s.scale;
	col->fsp = s.fsp;
	col->is_unsigned = s.is_unsigned;
	col->array_dims = s.array_dims;
	col->base_kind = s.base_kind ? s.base_kind : 'b';
	col->type_kind = col->base_kind;
	col->base_schema = s.base_schema ? arena_strdup(&c->arena, s.base_schema) : NULL;
	col->base_name = s.base_name ? arena_strdup(&c->arena, s.base_name) : NULL;
	col->type_schema = col->base_schema;
	col->type_name = col->base_name;
	col->type_extension = s.extension ? arena_strdup(&c->arena, s.extension) : NULL;
	col->base_is_rowtype = s.rowtype;
	return col;
}

/* Map one column of a one-table catalog; returns the catalog (caller frees). */
static Column *
map_one(Catalog *c, ConnEngine engine, ColSpec s, const TypeMapOptions *o)
{
	Table	   *t;
	Column	   *col;
	const TypeRule *r;

	catalog_init(c, engine);
	t = catalog_add_table(c, engine == ENGINE_MYSQL ? "shop" : "public", "t");
	col = add_column(c, t, "c", s);
	r = typemap_match(engine, col, o);
	if (r)
		rule_hits[o->dialect == TARGET_COCKROACH][r - typemap_rules]++;
	typemap_apply(c, o);
	return col;
}

static bool
has_issue(const Catalog *c, IssueLevel level, const char *needle)
{
	for (int i = 0; i < c->nissues; i++)
		if (c->issues[i].level == level && strstr(c->issues[i].message, needle))
			return true;
	return false;
}

/* One row: expected target type and conversion on PostgreSQL and on CockroachDB. */
typedef struct Expect
{
	const char *pg;
	ValueConv	pg_conv;
	const char *crdb;
	ValueConv	crdb_conv;
	bool		warn_pg;
	bool		warn_crdb;
} Expect;

static void
check_row(ConnEngine engine, const char *label, ColSpec s, Expect e, const TypeMapOptions *base_opts)
{
	for (int d = 0; d < 2; d++)
	{
		TypeMapOptions o = base_opts ? *base_opts : (TypeMapOptions) {0};
		Catalog		c;
		Column	   *col;
		const char *want = d ? e.crdb : e.pg;
		bool		warn = d ? e.warn_crdb : e.warn_pg;

		if (!base_opts)
			typemap_options_init(&o, TARGET_POSTGRES);
		o.dialect = d ? TARGET_COCKROACH : TARGET_POSTGRES;
		col = map_one(&c, engine, s, &o);
		is_str(col->target_type, want, "%s -> %s on %s", label, want, d ? "CockroachDB" : "PostgreSQL");
		is_int(col->conv, d ? e.crdb_conv : e.pg_conv, "%s: conversion on %s", label, d ? "CockroachDB" : "PostgreSQL");
		is_int(catalog_count_issues(&c, ISSUE_WARN, ISSUE_COLUMN_TYPE) > 0, warn,
			   "%s: %s on %s", label, warn ? "warns" : "no warning", d ? "CockroachDB" : "PostgreSQL");
		ok(catalog_count_issues(&c, ISSUE_FAIL, -1) == 0, "%s: carried on %s", label, d ? "CockroachDB" : "PostgreSQL");
		catalog_free(&c);
	}
}

#define SAME(t) {t, CONV_NONE, t, CONV_NONE, false, false}
#define PGX(decl, crdb) {decl, CONV_NONE, crdb, CONV_NONE, false, false}
#define CRDB_TEXT(decl) {decl, CONV_NONE, "text", CONV_NONE, false, true}
#define MYSAME(t, conv) {t, conv, t, conv, false, false}

static void
test_postgres_rows(void)
{
	ConnEngine	P = ENGINE_POSTGRES;

	check_row(P, "int[][]", C(.base = "int4", .decl = "integer[]", .array_dims = 2),
			  (Expect) {"integer[]", CONV_NONE, "text", CONV_NONE, false, true}, NULL);
	check_row(P, "bool", C(.base = "bool", .decl = "boolean"), (Expect) SAME("boolean"), NULL);
	check_row(P, "bool[]", C(.base = "bool", .decl = "boolean[]", .array_dims = 1), (Expect) SAME("boolean[]"), NULL);
	check_row(P, "int2", C(.base = "int2", .decl = "smallint"), (Expect) SAME("smallint"), NULL);
	check_row(P, "int4", C(.base = "int4", .decl = "integer"), (Expect) SAME("integer"), NULL);
	check_row(P, "int8", C(.base = "int8", .decl = "bigint"), (Expect) SAME("bigint"), NULL);
	check_row(P, "float4", C(.base = "float4", .decl = "real"), (Expect) SAME("real"), NULL);
	check_row(P, "float8", C(.base = "float8", .decl = "double precision"), (Expect) SAME("double precision"), NULL);
	check_row(P, "numeric(5,-2)", C(.base = "numeric", .decl = "numeric(5,-2)", .precision = 5, .scale = -2),
			  (Expect) {"numeric(5,-2)", CONV_NONE, "numeric", CONV_NONE, false, true}, NULL);
	check_row(P, "numeric(3,5)", C(.base = "numeric", .decl = "numeric(3,5)", .precision = 3, .scale = 5),
			  (Expect) {"numeric(3,5)", CONV_NONE, "numeric", CONV_NONE, false, true}, NULL);
	check_row(P, "numeric(10,2)", C(.base = "numeric", .decl = "numeric(10,2)", .precision = 10, .scale = 2),
			  (Expect) PGX("numeric(10,2)", "numeric(10,2)"), NULL);
	check_row(P, "numeric", C(.base = "numeric", .decl = "numeric"), (Expect) SAME("numeric"), NULL);
	check_row(P, "numeric(10,2)[]", C(.base = "numeric", .decl = "numeric(10,2)[]", .precision = 10, .scale = 2, .array_dims = 1),
			  (Expect) PGX("numeric(10,2)[]", "numeric(10,2)[]"), NULL);
	check_row(P, "money", C(.base = "money", .decl = "money"),
			  (Expect) {"money", CONV_PG_EXPR, "numeric", CONV_PG_EXPR, false, true}, NULL);
	check_row(P, "\"char\"", C(.base = "char", .decl = "\"char\""), (Expect) CRDB_TEXT("\"char\""), NULL);
	check_row(P, "bpchar", C(.base = "bpchar", .decl = "bpchar"), (Expect) PGX("bpchar", "text"), NULL);
	check_row(P, "character(9)", C(.base = "bpchar", .decl = "character(9)", .length = 9), (Expect) PGX("character(9)", "char(9)"), NULL);
	check_row(P, "varchar(10)", C(.base = "varchar", .decl = "character varying(10)", .length = 10),
			  (Expect) PGX("character varying(10)", "varchar(10)"), NULL);
	check_row(P, "varchar", C(.base = "varchar", .decl = "character varying"), (Expect) PGX("character varying", "varchar"), NULL);
	check_row(P, "text", C(.base = "text", .decl = "text"), (Expect) SAME("text"), NULL);
	check_row(P, "text[]", C(.base = "text", .decl = "text[]", .array_dims = 1), (Expect) SAME("text[]"), NULL);
	check_row(P, "name", C(.base = "name", .decl = "name"), (Expect) PGX("name", "text"), NULL);
	check_row(P, "bytea", C(.base = "bytea", .decl = "bytea"), (Expect) SAME("bytea"), NULL);
	check_row(P, "date", C(.base = "date", .decl = "date"), (Expect) SAME("date"), NULL);
	check_row(P, "time(3)", C(.base = "time", .decl = "time(3) without time zone", .fsp = 3),
			  (Expect) PGX("time(3) without time zone", "time(3)"), NULL);
	check_row(P, "timetz", C(.base = "timetz", .decl = "time with time zone"), (Expect) PGX("time with time zone", "timetz"), NULL);
	check_row(P, "timestamp", C(.base = "timestamp", .decl = "timestamp without time zone"),
			  (Expect) PGX("timestamp without time zone", "timestamp"), NULL);
	check_row(P, "timestamptz(0)", C(.base = "timestamptz", .decl = "timestamp(0) with time zone", .fsp = 0),
			  (Expect) PGX("timestamp(0) with time zone", "timestamptz(0)"), NULL);
	check_row(P, "interval", C(.base = "interval", .decl = "interval year to month"), (Expect) PGX("interval year to month", "interval"), NULL);
	check_row(P, "uuid", C(.base = "uuid", .decl = "uuid"), (Expect) SAME("uuid"), NULL);
	check_row(P, "json", C(.base = "json", .decl = "json"), (Expect) {"json", CONV_NONE, "jsonb", CONV_NONE, false, true}, NULL);
	check_row(P, "jsonb", C(.base = "jsonb", .decl = "jsonb"), (Expect) SAME("jsonb"), NULL);
	check_row(P, "xml", C(.base = "xml", .decl = "xml"), (Expect) CRDB_TEXT("xml"), NULL);
	check_row(P, "inet", C(.base = "inet", .decl = "inet"), (Expect) SAME("inet"), NULL);
	check_row(P, "cidr", C(.base = "cidr", .decl = "cidr"), (Expect) {"cidr", CONV_NONE, "inet", CONV_NONE, false, true}, NULL);
	check_row(P, "macaddr", C(.base = "macaddr", .decl = "macaddr"), (Expect) CRDB_TEXT("macaddr"), NULL);
	check_row(P, "macaddr[]", C(.base = "macaddr", .decl = "macaddr[]", .array_dims = 1),
			  (Expect) {"macaddr[]", CONV_NONE, "text[]", CONV_NONE, false, true}, NULL);
	check_row(P, "macaddr8", C(.base = "macaddr8", .decl = "macaddr8"), (Expect) CRDB_TEXT("macaddr8"), NULL);
	check_row(P, "bit(3)", C(.base = "bit", .decl = "bit(3)", .length = 3), (Expect) SAME("bit(3)"), NULL);
	check_row(P, "varbit", C(.base = "varbit", .decl = "bit varying"), (Expect) PGX("bit varying", "varbit"), NULL);
	check_row(P, "varbit(24)", C(.base = "varbit", .decl = "bit varying(24)", .length = 24), (Expect) PGX("bit varying(24)", "varbit(24)"), NULL);
	check_row(P, "tsvector", C(.base = "tsvector", .decl = "tsvector"), (Expect) SAME("tsvector"), NULL);
	check_row(P, "tsquery", C(.base = "tsquery", .decl = "tsquery"), (Expect) SAME("tsquery"), NULL);
	{
		static const char *const texts[] = {
			"point", "line", "lseg", "box", "path", "polygon", "circle",
			"int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
			"int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
			"datemultirange", "pg_lsn", NULL
		};

		for (int i = 0; texts[i]; i++)
			check_row(P, texts[i], C(.base = texts[i], .decl = texts[i]), (Expect) CRDB_TEXT(texts[i]), NULL);
	}
	check_row(P, "tsrange[]", C(.base = "tsrange", .decl = "tsrange[]", .array_dims = 1),
			  (Expect) {"tsrange[]", CONV_NONE, "text[]", CONV_NONE, false, true}, NULL);
	check_row(P, "oid", C(.base = "oid", .decl = "oid"), (Expect) {"oid", CONV_NONE, "oid", CONV_NONE, true, true}, NULL);
	{
		static const char *const regs[] = {
			"regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regconfig", NULL
		};

		for (int i = 0; regs[i]; i++)
			check_row(P, regs[i], C(.base = regs[i], .decl = regs[i]),
					  (Expect) {"text", CONV_NONE, "text", CONV_NONE, true, true}, NULL);
	}
	check_row(P, "enum", C(.base = "mpaa_rating", .decl = "public.mpaa_rating", .base_kind = 'e',
						   .base_schema = "public", .base_name = "mpaa_rating"),
			  (Expect) PGX("public.mpaa_rating", "\"public\".\"mpaa_rating\""), NULL);
	check_row(P, "enum[]", C(.base = "e", .decl = "\"Odd\".\"E\"[]", .base_kind = 'e', .array_dims = 1,
							 .base_schema = "Odd", .base_name = "E"),
			  (Expect) PGX("\"Odd\".\"E\"[]", "\"Odd\".\"E\"[]"), NULL);
	check_row(P, "row type", C(.base = "film", .decl = "public.film", .base_kind = 'c', .base_schema = "public",
							   .base_name = "film", .rowtype = true),
			  (Expect) {"text", CONV_NONE, "text", CONV_NONE, true, true}, NULL);
	check_row(P, "composite", C(.base = "inventory_item", .decl = "public.inventory_item", .base_kind = 'c',
								.base_schema = "public", .base_name = "inventory_item"),
			  (Expect) CRDB_TEXT("public.inventory_item"), NULL);
	check_row(P, "user range", C(.base = "floatrange", .decl = "public.floatrange", .base_kind = 'r',
								 .base_schema = "public", .base_name = "floatrange"),
			  (Expect) {"text", CONV_NONE, "text", CONV_NONE, true, true}, NULL);
	check_row(P, "geometry", C(.base = "geometry", .decl = "public.geometry(Point,4326)", .base_schema = "public",
							   .base_name = "geometry", .extension = "postgis"),
			  (Expect) PGX("public.geometry(Point,4326)", "geometry"), NULL);
	check_row(P, "geography", C(.base = "geography", .decl = "public.geography", .base_schema = "public",
								.base_name = "geography", .extension = "postgis"),
			  (Expect) PGX("public.geography", "geography"), NULL);
	check_row(P, "hstore", C(.base = "hstore", .decl = "public.hstore", .base_schema = "public",
							 .base_name = "hstore", .extension = "hstore"),
			  (Expect) CRDB_TEXT("public.hstore"), NULL);
	check_row(P, "citext[]", C(.base = "citext", .decl = "public.citext[]", .base_schema = "public", .array_dims = 1,
							   .base_name = "citext", .extension = "citext"),
			  (Expect) {"public.citext[]", CONV_NONE, "text[]", CONV_NONE, false, true}, NULL);
	check_row(P, "txid_snapshot", C(.base = "txid_snapshot", .decl = "txid_snapshot"), (Expect) CRDB_TEXT("txid_snapshot"), NULL);
}

static void
test_postgres_specials(void)
{
	TypeMapOptions o;
	Catalog		c;
	Column	   *col;

	/* money reads as numeric on both dialects (lc_monetary-proof) */
	typemap_options_init(&o, TARGET_POSTGRES);
	col = map_one(&c, ENGINE_POSTGRES, C(.base = "money", .decl = "money[]", .array_dims = 1), &o);
	is_str(col->select_expr, "\"c\"::numeric[]", "money[] is selected as numeric[]");
	catalog_free(&c);

	/* a domain: kept (and created) on PostgreSQL, its base type on CockroachDB */
	for (int d = 0; d < 2; d++)
	{
		Table	   *t;
		UserType   *u;

		typemap_options_init(&o, d ? TARGET_COCKROACH : TARGET_POSTGRES);
		catalog_init(&c, ENGINE_POSTGRES);
		t = catalog_add_table(&c, "public", "film");
		u = catalog_add_type(&c, USERTYPE_DOMAIN, "public", "year");
		u->oid = 100;
		u->base_type = "integer";
		col = add_column(&c, t, "release_year", C(.base = "int4", .decl = "public.year"));
		col->type_kind = 'd';
		col->type_schema = "public";
		col->type_name = "year";
		rule_hits[d][typemap_match(ENGINE_POSTGRES, col, &o) - typemap_rules]++;
		typemap_apply(&c, &o);
		is_str(col->target_type, d ? "integer" : "public.year", "domain on %s", d ? "CockroachDB" : "PostgreSQL");
		is_int(u->used, !d, "domain is created on %s", d ? "(not) CockroachDB" : "PostgreSQL");
		is_int(has_issue(&c, ISSUE_WARN, "has no domains"), d, "domain warning only on CockroachDB");
		catalog_free(&c);
	}

	/* dependencies of used types are created too: composite -> enum, composite */
	{
		Table	   *t;
		UserType   *a,
				   *b;
		EnumType   *e;

		typemap_options_init(&o, TARGET_POSTGRES);
		catalog_init(&c, ENGINE_POSTGRES);
		t = catalog_add_table(&c, "public", "t");
		e = catalog_add_enum(&c, "public", "mood");
		e->oid = 10;
		a = catalog_add_type(&c, USERTYPE_COMPOSITE, "public", "composite_a");
		a->oid = 11;
		b = catalog_add_type(&c, USERTYPE_COMPOSITE, "public", "composite_b");
		b->oid = 12;
		b->deps = (uint32_t[]) {11, 10};
		b->ndeps = 2;
		add_column(&c, t, "b", C(.base = "composite_b", .decl = "public.composite_b", .base_kind = 'c',
								 .base_schema = "public", .base_name = "composite_b"));
		typemap_apply(&c, &o);
		ok(a->used && b->used && e->used, "a used composite pulls in the types it is made of");
		catalog_free(&c);
	}

	/* an extension type the target cannot install fails, naming the column */
	{
		const char *const exts[] = {"plpgsql", "citext"};

		typemap_options_init(&o, TARGET_POSTGRES);
		o.extensions = exts;
		o.nextensions = 2;
		o.extensions_known = true;
		col = map_one(&c, ENGINE_POSTGRES, C(.base = "hstore", .decl = "public.hstore", .base_schema = "public",
											 .base_name = "hstore", .extension = "hstore"), &o);
		ok(has_issue(&c, ISSUE_FAIL, "extension \"hstore\", which is not available"), "missing extension fails");
		ok(c.issues[0].hint && strstr(c.issues[0].hint, "--type-map-file"), "hint suggests --type-map-file");
		catalog_free(&c);
		col = map_one(&c, ENGINE_POSTGRES, C(.base = "citext", .decl = "public.citext", .base_schema = "public",
											 .base_name = "citext", .extension = "citext"), &o);
		ok(c.nextensions == 1 && strcmp(c.extensions[0], "citext") == 0 &&
		   strcmp(c.extension_schemas[0], "public") == 0, "available extension is required in its schema");
		catalog_free(&c);
	}

	/* a C-language base type that is not from an extension cannot be carried */
	typemap_options_init(&o, TARGET_POSTGRES);
	col = map_one(&c, ENGINE_POSTGRES, C(.base = "mytype", .decl = "public.mytype", .base_schema = "public",
										 .base_name = "mytype"), &o);
	ok(has_issue(&c, ISSUE_FAIL, "column public.t.c has type \"public.mytype\", which godwit cannot map"),
	   "unknown type fails naming the column");
	ok(c.issues[0].hint && strstr(c.issues[0].hint, "--table-exclusion-filter"), "hint says what to do");
	catalog_free(&c);

	/* collations: kept on PostgreSQL, dropped with a warning on CockroachDB */
	typemap_options_init(&o, TARGET_COCKROACH);
	catalog_init(&c, ENGINE_POSTGRES);
	{
		Table	   *t = catalog_add_table(&c, "public", "t");

		col = add_column(&c, t, "c", C(.base = "text", .decl = "text"));
		col->collation = "C";
		typemap_apply(&c, &o);
		ok(has_issue(&c, ISSUE_WARN, "collation \"C\" is not carried"), "collation warning on CockroachDB");
	}
	catalog_free(&c);
}

static void
test_mysql_rows(void)
{
	ConnEngine	M = ENGINE_MYSQL;
	TypeMapOptions small,
				text_enums,
				postgis;
	const char *const gis[] = {"postgis"};

	check_row(M, "tinyint(1)", C(.base = "tinyint", .decl = "tinyint(1)"), (Expect) MYSAME("boolean", CONV_MY_BOOL), NULL);
	check_row(M, "tinyint(1) unsigned", C(.base = "tinyint", .decl = "tinyint(1) unsigned", .is_unsigned = true),
			  (Expect) MYSAME("boolean", CONV_MY_BOOL), NULL);
	typemap_options_init(&small, TARGET_POSTGRES);
	small.tinyint1 = TINYINT1_SMALLINT;
	check_row(M, "tinyint(1) as smallint", C(.base = "tinyint", .decl = "tinyint(1)"), (Expect) MYSAME("smallint", CONV_NONE), &small);
	check_row(M, "tinyint(4)", C(.base = "tinyint", .decl = "tinyint(4)"), (Expect) MYSAME("smallint", CONV_NONE), NULL);
	check_row(M, "tinyint unsigned", C(.base = "tinyint", .decl = "tinyint(3) unsigned", .is_unsigned = true),
			  (Expect) MYSAME("smallint", CONV_NONE), NULL);
	check_row(M, "smallint unsigned", C(.base = "smallint", .decl = "smallint unsigned", .is_unsigned = true),
			  (Expect) MYSAME("integer", CONV_NONE), NULL);
	check_row(M, "smallint", C(.base = "smallint", .decl = "smallint(6)"), (Expect) MYSAME("smallint", CONV_NONE), NULL);
	check_row(M, "mediumint", C(.base = "mediumint", .decl = "mediumint(9)"), (Expect) MYSAME("integer", CONV_NONE), NULL);
	check_row(M, "mediumint unsigned", C(.base = "mediumint", .decl = "mediumint unsigned", .is_unsigned = true),
			  (Expect) MYSAME("integer", CONV_NONE), NULL);
	check_row(M, "int unsigned", C(.base = "int", .decl = "int(10) unsigned", .is_unsigned = true),
			  (Expect) MYSAME("bigint", CONV_NONE), NULL);
	check_row(M, "int", C(.base = "int", .decl = "int(11)"), (Expect) MYSAME("integer", CONV_NONE), NULL);
	check_row(M, "bigint unsigned", C(.base = "bigint", .decl = "bigint(20) unsigned", .is_unsigned = true),
			  (Expect) MYSAME("numeric(20)", CONV_NONE), NULL);
	check_row(M, "bigint", C(.base = "bigint", .decl = "bigint(20)"), (Expect) MYSAME("bigint", CONV_NONE), NULL);
	check_row(M, "decimal(65,30)", C(.base = "decimal", .decl = "decimal(65,30)", .precision = 65, .scale = 30),
			  (Expect) MYSAME("numeric(65,30)", CONV_NONE), NULL);
	check_row(M, "decimal(10,2) unsigned", C(.base = "decimal", .decl = "decimal(10,2) unsigned", .precision = 10,
											 .scale = 2, .is_unsigned = true), (Expect) MYSAME("numeric(10,2)", CONV_NONE), NULL);
	check_row(M, "float", C(.base = "float", .decl = "float(10,2)", .precision = 10, .scale = 2), (Expect) MYSAME("real", CONV_NONE), NULL);
	check_row(M, "double", C(.base = "double", .decl = "double"), (Expect) MYSAME("double precision", CONV_NONE), NULL);
	check_row(M, "bit(1)", C(.base = "bit", .decl = "bit(1)", .length = 1), (Expect) MYSAME("boolean", CONV_MY_BIT_BOOL), NULL);
	check_row(M, "bit(64)", C(.base = "bit", .decl = "bit(64)", .length = 64), (Expect) MYSAME("bit(64)", CONV_MY_BIT), NULL);
	check_row(M, "char(10)", C(.base = "char", .decl = "char(10)", .length = 10), (Expect) MYSAME("char(10)", CONV_MY_TEXT), NULL);
	check_row(M, "char(0)", C(.base = "char", .decl = "char(0)", .length = 0), (Expect) MYSAME("char(1)", CONV_MY_TEXT), NULL);
	check_row(M, "varchar(255)", C(.base = "varchar", .decl = "varchar(255)", .length = 255),
			  (Expect) MYSAME("varchar(255)", CONV_MY_TEXT), NULL);
	{
		static const char *const texts[] = {"tinytext", "text", "mediumtext", "longtext", NULL};
		static const char *const blobs[] = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", NULL};

		for (int i = 0; texts[i]; i++)
			check_row(M, texts[i], C(.base = texts[i]), (Expect) MYSAME("text", CONV_MY_TEXT), NULL);
		for (int i = 0; blobs[i]; i++)
			check_row(M, blobs[i], C(.base = blobs[i], .length = 16), (Expect) MYSAME("bytea", CONV_MY_BINARY), NULL);
	}
	check_row(M, "date", C(.base = "date"), (Expect) MYSAME("date", CONV_MY_DATE), NULL);
	check_row(M, "datetime", C(.base = "datetime"), (Expect) MYSAME("timestamp", CONV_MY_DATETIME), NULL);
	check_row(M, "datetime(6)", C(.base = "datetime", .decl = "datetime(6)", .fsp = 6), (Expect) MYSAME("timestamp(6)", CONV_MY_DATETIME), NULL);
	check_row(M, "timestamp(3)", C(.base = "timestamp", .decl = "timestamp(3)", .fsp = 3),
			  (Expect) MYSAME("timestamptz(3)", CONV_MY_TIMESTAMP), NULL);
	check_row(M, "time", C(.base = "time"), (Expect) MYSAME("time", CONV_MY_TIME), NULL);
	check_row(M, "time(6)", C(.base = "time", .decl = "time(6)", .fsp = 6), (Expect) MYSAME("time(6)", CONV_MY_TIME), NULL);
	check_row(M, "year", C(.base = "year", .decl = "year(4)"), (Expect) MYSAME("smallint", CONV_MY_YEAR), NULL);
	check_row(M, "enum", C(.base = "enum", .decl = "enum('a','b')"), (Expect) MYSAME("\"public\".\"t_c\"", CONV_MY_ENUM), NULL);
	typemap_options_init(&text_enums, TARGET_POSTGRES);
	text_enums.enums = ENUMS_AS_TEXT;
	check_row(M, "enum as text", C(.base = "enum", .decl = "enum('a','b')"), (Expect) MYSAME("text", CONV_MY_ENUM), &text_enums);
	check_row(M, "set", C(.base = "set", .decl = "set('a','b')"), (Expect) MYSAME("text[]", CONV_MY_SET), NULL);
	check_row(M, "json", C(.base = "json"), (Expect) MYSAME("json" "b", CONV_MY_JSON), NULL);
	{
		static const char *const spatial[] = {
			"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
			"multipolygon", "geometrycollection", "geomcollection", NULL
		};

		typemap_options_init(&postgis, TARGET_POSTGRES);
		postgis.extensions = gis;
		postgis.nextensions = 1;
		postgis.extensions_known = true;
		for (int i = 0; spatial[i]; i++)
		{
			check_row(M, spatial[i], C(.base = spatial[i]),
					  (Expect) {"bytea", CONV_MY_GEOMETRY_BYTEA, "geometry", CONV_MY_GEOMETRY, true, false}, NULL);
			check_row(M, spatial[i], C(.base = spatial[i]),
					  (Expect) MYSAME("geometry", CONV_MY_GEOMETRY), &postgis);
		}
	}
	check_row(M, "uuid", C(.base = "uuid"), (Expect) MYSAME("uuid", CONV_NONE), NULL);
	check_row(M, "inet4", C(.base = "inet4"), (Expect) MYSAME("inet", CONV_NONE), NULL);
	check_row(M, "inet6", C(.base = "inet6"), (Expect) MYSAME("inet", CONV_NONE), NULL);

	{
		TypeMapOptions o;
		Catalog		c;

		typemap_options_init(&o, TARGET_POSTGRES);
		map_one(&c, ENGINE_MYSQL, C(.base = "vector", .decl = "vector(3)"), &o);
		ok(has_issue(&c, ISSUE_FAIL, "column shop.t.c has type \"vector(3)\", which godwit cannot map to PostgreSQL"),
		   "an unknown MySQL type fails naming schema.table.column");
		catalog_free(&c);
	}
}

static void
test_mysql_enums_and_names(void)
{
	TypeMapOptions o;
	Catalog		c;
	Table	   *t,
			   *u;
	Column	   *a,
			   *b;
	char	   *labels[] = {"x", "y z", "it's"};

	typemap_options_init(&o, TARGET_POSTGRES);
	o.target_schema = "Target";
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "shop", "a_b");
	u = catalog_add_table(&c, "shop", "a");
	a = add_column(&c, t, "c", C(.base = "enum", .decl = "enum('x','y z','it''s')"));
	a->enum_labels = labels;
	a->nenum_labels = 3;
	b = add_column(&c, u, "b_c", C(.base = "enum", .decl = "enum('x')"));
	b->enum_labels = labels;
	b->nenum_labels = 1;
	typemap_apply(&c, &o);
	is_str(t->target_schema, "Target", "MySQL tables go to --target-schema");
	is_str(a->target_type, "\"Target\".\"a_b_c\"", "enum type named <table>_<column> in the target schema");
	is_str(b->target_type, "\"Target\".\"a_b_c_2\"", "a clashing enum type name gets a suffix");
	is_int(c.nenums, 2, "one enum type per ENUM column");
	is_int(c.enums[0].nlabels, 3, "enum type keeps the labels");
	catalog_free(&c);

	/* an enum type name never clashes with a table name (types and tables share a namespace) */
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "shop", "t");
	catalog_add_table(&c, "shop", "t_kind");
	a = add_column(&c, t, "kind", C(.base = "enum", .decl = "enum('x')"));
	a->enum_labels = labels;
	a->nenum_labels = 1;
	typemap_options_init(&o, TARGET_POSTGRES);
	typemap_apply(&c, &o);
	is_str(a->target_type, "\"public\".\"t_kind_2\"", "enum type avoids a table's name");
	catalog_free(&c);

	/* two databases with the same table name cannot share one target schema */
	catalog_init(&c, ENGINE_MYSQL);
	catalog_add_table(&c, "db1", "orders");
	catalog_add_table(&c, "db2", "orders");
	typemap_options_init(&o, TARGET_POSTGRES);
	ok(!typemap_apply(&c, &o), "duplicate target table fails");
	ok(has_issue(&c, ISSUE_FAIL, "which another selected table also maps to"), "duplicate target named");
	catalog_free(&c);

	/* 64-character MySQL names do not fit PostgreSQL's 63 bytes */
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "db", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01");
	add_column(&c, t, "id", C(.base = "int"));
	typemap_options_init(&o, TARGET_POSTGRES);
	ok(typemap_apply(&c, &o) && has_issue(&c, ISSUE_WARN, "longer than PostgreSQL's 63 bytes"),
	   "64-byte table name is shortened on PostgreSQL, with a warning");
	is_int(strlen(t->target_name), 63, "to 63 bytes");
	ok(strncmp(t->target_name, t->name, 54) == 0 && t->target_name[54] == '_', "a prefix of the name, then a hash");
	catalog_free(&c);
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "db", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01");
	add_column(&c, t, "id", C(.base = "int"));
	typemap_options_init(&o, TARGET_COCKROACH);
	ok(typemap_apply(&c, &o), "CockroachDB takes long names");
	catalog_free(&c);

	/* enum labels longer than 63 bytes: text */
	{
		char	   *longl[] = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};

		catalog_init(&c, ENGINE_MYSQL);
		t = catalog_add_table(&c, "db", "t");
		a = add_column(&c, t, "c", C(.base = "enum", .decl = "enum('aaa...')"));
		a->enum_labels = longl;
		a->nenum_labels = 1;
		typemap_options_init(&o, TARGET_POSTGRES);
		typemap_apply(&c, &o);
		is_str(a->target_type, "text", "enum with a label over 63 bytes becomes text");
		ok(has_issue(&c, ISSUE_WARN, "longer than 63 bytes"), "and says why");
		catalog_free(&c);
	}
	{
		char	   *dup[] = {"a?b", "a?b"};

		catalog_init(&c, ENGINE_MYSQL);
		t = catalog_add_table(&c, "db", "t");
		a = add_column(&c, t, "c", C(.base = "enum", .decl = "enum('a?b','a?b')"));
		a->enum_labels = dup;
		a->nenum_labels = 2;
		typemap_options_init(&o, TARGET_POSTGRES);
		typemap_apply(&c, &o);
		is_str(a->target_type, "text", "enum whose labels collide in UTF-8 becomes text");
		ok(has_issue(&c, ISSUE_WARN, "two ENUM labels read the same"), "and says why");
		catalog_free(&c);
	}

	/* AUTO_INCREMENT sequences get a unique name in the target schema */
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "db", "t");
	catalog_add_table(&c, "db", "t_id_seq");
	a = add_column(&c, t, "id", C(.base = "int"));
	a->auto_increment = true;
	{
		Sequence   *s = catalog_add_sequence(&c, "db", "t_id_seq");

		s->owned_by_schema = "db";
		s->owned_by_table = "t";
		s->owned_by_column = "id";
		typemap_options_init(&o, TARGET_POSTGRES);
		typemap_apply(&c, &o);
		is_str(s->target_name, "t_id_seq_2", "sequence name avoids a table");
		is_str(a->target_default, "nextval('\"public\".\"t_id_seq_2\"')", "AUTO_INCREMENT default is nextval");
		ok(a->target_default_exact, "a sequence default is exact");
	}
	catalog_free(&c);
}

/* The target default of a MySQL column with the given default and type. */
static void
check_my_default(ColSpec s, const char *dflt, bool nullable, const char *want, const char *label)
{
	TypeMapOptions o;
	Catalog		c;
	Table	   *t;
	Column	   *col;

	typemap_options_init(&o, TARGET_POSTGRES);
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "db", "t");
	col = add_column(&c, t, "c", s);
	col->default_expr = (char *) dflt;
	col->nullable = nullable;
	{
		static char *labels[] = {"a", "b"};

		col->enum_labels = labels;
		col->nenum_labels = 2;
	}
	typemap_apply(&c, &o);
	is_str(col->target_default, want, "default %s: %s", dflt, label);
	catalog_free(&c);
}

static void
test_defaults(void)
{
	TypeMapOptions o;
	Catalog		c;
	Table	   *t;
	Column	   *col;

	check_my_default(C(.base = "tinyint", .decl = "tinyint(1)"), "'0'", true, "false", "tinyint(1) '0' -> false");
	check_my_default(C(.base = "tinyint", .decl = "tinyint(1)"), "1", true, "true", "tinyint(1) 1 -> true");
	check_my_default(C(.base = "bit", .decl = "bit(1)", .length = 1), "b'1'", true, "true", "bit(1)");
	check_my_default(C(.base = "bit", .decl = "bit(8)", .length = 8), "b'101'", true, "B'00000101'", "bit(8) padded");
	check_my_default(C(.base = "bit", .decl = "bit(16)", .length = 16), "b''", true, "B'0000000000000000'", "bit(16) b''");
	check_my_default(C(.base = "int"), "5", true, "5", "number");
	check_my_default(C(.base = "int"), "'-12'", true, "-12", "quoted number (MySQL 8 form)");
	check_my_default(C(.base = "varchar", .length = 10), "'it''s \\\\ x'", true, "'it''s \\ x'", "string with quote and backslash");
	check_my_default(C(.base = "varchar", .length = 10), "'12'", true, "'12'", "numeric-looking string stays a string");
	check_my_default(C(.base = "timestamp"), "current_timestamp()", false, "CURRENT_TIMESTAMP", "current_timestamp()");
	check_my_default(C(.base = "datetime", .fsp = 6), "CURRENT_TIMESTAMP(6)", true, "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP(6)");
	check_my_default(C(.base = "date"), "curdate()", true, "CURRENT_DATE", "curdate()");
	check_my_default(C(.base = "datetime"), "'2020-01-02 03:04:05'", true, "'2020-01-02 03:04:05'", "datetime literal");
	check_my_default(C(.base = "datetime"), "'0000-00-00 00:00:00'", true, NULL, "zero date: no default");
	check_my_default(C(.base = "year"), "'0000'", true, NULL, "year 0000: no default");
	check_my_default(C(.base = "year"), "2155", true, "2155", "year");
	check_my_default(C(.base = "set"), "'a,b'", true, "'{\"a\",\"b\"}'", "set -> array literal");
	check_my_default(C(.base = "set"), "''", true, "'{}'", "empty set");
	check_my_default(C(.base = "enum"), "'b'", true, "'b'", "enum label");
	check_my_default(C(.base = "enum"), "''", true, NULL, "invalid enum value: no default");
	check_my_default(C(.base = "binary", .length = 4), "'ab'", true, "'\\x61620000'", "binary(4) zero-padded");
	check_my_default(C(.base = "varchar", .length = 36), "uuid()", true, NULL, "expression not carried");
	check_my_default(C(.base = "int"), "NULL", true, NULL, "NULL default");

	/* a NOT NULL zero-date column becomes nullable (zero dates become NULL) */
	typemap_options_init(&o, TARGET_POSTGRES);
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "db", "t");
	col = add_column(&c, t, "d", C(.base = "date"));
	col->default_expr = "'0000-00-00'";
	col->nullable = false;
	col->on_update = "current_timestamp()";
	typemap_apply(&c, &o);
	ok(col->target_nullable, "NOT NULL zero-date column is nullable on the target");
	ok(has_issue(&c, ISSUE_WARN, "zero date default: it is nullable"), "and a warning says so");
	ok(has_issue(&c, ISSUE_WARN, "ON UPDATE clauses are not carried (1 column): db.t.d"), "ON UPDATE is reported");
	catalog_free(&c);
	o.zero_dates = ZERO_DATES_ERROR;
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "db", "t");
	col = add_column(&c, t, "d", C(.base = "date"));
	col->default_expr = "'0000-00-00'";
	col->nullable = false;
	typemap_apply(&c, &o);
	ok(!col->target_nullable && col->target_default == NULL, "--zero-dates error keeps NOT NULL");
	is_int(c.zero_dates, ZERO_DATES_ERROR, "the policy is recorded for the converters");
	catalog_free(&c);

	/* PostgreSQL defaults: verbatim on PostgreSQL, best effort on CockroachDB */
	for (int d = 0; d < 2; d++)
	{
		typemap_options_init(&o, d ? TARGET_COCKROACH : TARGET_POSTGRES);
		catalog_init(&c, ENGINE_POSTGRES);
		t = catalog_add_table(&c, "public", "t");
		col = add_column(&c, t, "c", C(.base = "timestamptz", .decl = "timestamp with time zone"));
		col->default_expr = "now()";
		typemap_apply(&c, &o);
		is_str(col->target_default, "now()", "PG default carried");
		is_int(col->target_default_exact, !d, "exact on PostgreSQL, best effort on CockroachDB");
		catalog_free(&c);
	}

	/* generated columns */
	for (int d = 0; d < 2; d++)
	{
		typemap_options_init(&o, d ? TARGET_COCKROACH : TARGET_POSTGRES);
		catalog_init(&c, ENGINE_POSTGRES);
		t = catalog_add_table(&c, "public", "t");
		col = add_column(&c, t, "g", C(.base = "int4", .decl = "integer"));
		col->generated_expr = "(a + 1)";
		col->generated_stored = true;
		typemap_apply(&c, &o);
		is_int(col->target_generated, !d, "PG generated column kept on PostgreSQL only");
		is_int(col->skip, !d, "and not copied there");
		is_int(has_issue(&c, ISSUE_WARN, "becomes a plain column"), d, "CockroachDB: a plain column, with a warning");
		catalog_free(&c);
	}
	typemap_options_init(&o, TARGET_POSTGRES);
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "db", "t");
	col = add_column(&c, t, "g", C(.base = "int"));
	col->generated_expr = "`a` + 1";
	typemap_apply(&c, &o);
	ok(!col->target_generated && !col->skip && has_issue(&c, ISSUE_WARN, "is MySQL SQL"),
	   "MySQL generated column: copied into a plain column");
	catalog_free(&c);

	/* PG identity column: a sequence default */
	typemap_options_init(&o, TARGET_POSTGRES);
	catalog_init(&c, ENGINE_POSTGRES);
	t = catalog_add_table(&c, "public", "t");
	col = add_column(&c, t, "id", C(.base = "int8", .decl = "bigint"));
	col->identity = 'a';
	{
		Sequence   *s = catalog_add_sequence(&c, "public", "t_id_seq");

		s->owned_by_schema = "public";
		s->owned_by_table = "t";
		s->owned_by_column = "id";
	}
	typemap_apply(&c, &o);
	is_str(col->target_default, "nextval('\"public\".\"t_id_seq\"')", "identity -> nextval of its sequence");
	ok(has_issue(&c, ISSUE_INFO, "GENERATED ALWAYS"), "ALWAYS identity noted");
	catalog_free(&c);
}

static void
test_overrides(void)
{
	TypeOverrides ov;
	TypeMapOptions o;
	Catalog		c;
	Table	   *t;
	Column	   *col,
			   *other;
	const char *json =
		"[{\"table\":\"shop.t\",\"column_type_map\":["
		"  {\"column\":\"c\",\"source_type\":\"time\",\"target_type\":\"interval\"},"
		"  {\"column\":\"flag\",\"crdb_type\":\"smallint\"}]},"
		" {\"table\":\"\\\"Odd.Schema\\\".\\\"T \\\"\\\"x\\\"\",\"column_type_map\":[{\"column\":\"*\",\"crdb_type\":\"text\"}]},"
		" {\"table\":\"nomatch\",\"column_type_map\":[{\"column\":\"*\",\"target_type\":\"text\"}]}]";

	ok(typemap_overrides_parse(json, strlen(json), "map.json", &ov), "MOLT's type map format parses");
	is_int(ov.n, 4, "four column entries");
	is_str(ov.items[2].schema, "Odd.Schema", "quoted schema with a dot");
	is_str(ov.items[2].table, "T \"x", "quoted table with a quote");
	ok(ov.items[2].column == NULL, "\"*\" matches every column");
	ok(ov.items[3].schema == NULL, "a table without schema matches any schema");

	typemap_options_init(&o, TARGET_POSTGRES);
	o.overrides = &ov;
	catalog_init(&c, ENGINE_MYSQL);
	t = catalog_add_table(&c, "shop", "t");
	add_column(&c, t, "c", C(.base = "time", .decl = "time"));
	add_column(&c, t, "flag", C(.base = "tinyint", .decl = "tinyint(1)"));
	col = &t->columns[0];		/* adding a column moves the array */
	other = &t->columns[1];
	typemap_apply(&c, &o);
	is_str(col->target_type, "interval", "TIME overridden to interval");
	is_int(col->conv, CONV_MY_TIME_INTERVAL, "with the interval conversion");
	is_str(other->target_type, "smallint", "tinyint(1) overridden to smallint (crdb_type accepted)");
	is_int(other->conv, CONV_NONE, "which is copied as a number");
	ok(has_issue(&c, ISSUE_WARN, "matched no column"), "an unused entry warns");
	catalog_free(&c);
	typemap_overrides_free(&ov);

	/* a PG money column overridden to text still reads as numeric */
	json = "[{\"table\":\"public.t\",\"column_type_map\":[{\"column\":\"m\",\"target_type\":\"text\"}]}]";
	ok(typemap_overrides_parse(json, strlen(json), "m.json", &ov), "parses");
	typemap_options_init(&o, TARGET_COCKROACH);
	o.overrides = &ov;
	catalog_init(&c, ENGINE_POSTGRES);
	t = catalog_add_table(&c, "public", "t");
	col = add_column(&c, t, "m", C(.base = "money", .decl = "money"));
	typemap_apply(&c, &o);
	is_str(col->target_type, "text", "money overridden to text");
	is_str(col->select_expr, "\"m\"::numeric", "read as numeric");
	is_int(catalog_count_issues(&c, ISSUE_WARN, -1), 0, "an override silences the fallback warning");
	catalog_free(&c);
	typemap_overrides_free(&ov);

	/* malformed files are refused */
	log_init(LOG_OFF, LOG_FORMAT_TEXT);
	{
		static const char *const bad[] = {
			"{}", "[1]", "[{\"column_type_map\":[]}]", "[{\"table\":\"t\"}]",
			"[{\"table\":\"t\",\"column_type_map\":[{\"column\":\"c\"}]}]",
			"[{\"table\":\"t\",\"column_type_map\":[{\"column\":\"c\",\"target_type\":\"int; DROP TABLE x\"}]}]",
			"[{\"table\":\"a.b.c\",\"column_type_map\":[]}]", "[", NULL
		};

		for (int i = 0; bad[i]; i++)
		{
			ok(!typemap_overrides_parse(bad[i], strlen(bad[i]), "bad.json", &ov), "refused: %s", bad[i]);
			typemap_overrides_free(&ov);
		}
	}
	ok(!typemap_overrides_load("/nonexistent/map.json", &ov), "a missing file is refused");
	log_init(LOG_INFO, LOG_FORMAT_TEXT);
}

static void
test_names(void)
{
	Catalog		c;
	NameSet		taken = {0};
	char		buf[64];
	/* 61 ASCII bytes then a 2-byte character: the cut must not split it */
	const char *base = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9xyz";

	catalog_init(&c, ENGINE_MYSQL);
	is_str(catalog_unique_ident(&c, &taken, "film_rating"), "film_rating", "a free name is kept");
	is_str(catalog_unique_ident(&c, &taken, "film_rating"), "film_rating_2", "a taken name gets _2");
	is_str(catalog_unique_ident(&c, &taken, "film_rating"), "film_rating_3", "then _3");
	is_int(strlen(catalog_unique_ident(&c, &taken, base)), 63, "cut to 63 bytes at a character boundary");
	ok(strlen(catalog_unique_ident(&c, &taken, base)) <= 63, "a suffixed long name still fits");
	nameset_free(&taken);
	catalog_free(&c);

	typemap_canonical("character varying(20)", buf, sizeof(buf));
	is_str(buf, "varchar", "canonical varchar");
	typemap_canonical("timestamp(3) with time zone", buf, sizeof(buf));
	is_str(buf, "timestamptz", "canonical timestamptz");
	typemap_canonical("integer[]", buf, sizeof(buf));
	is_str(buf, "_int4", "canonical int array");
	typemap_canonical("NUMERIC(20)", buf, sizeof(buf));
	is_str(buf, "numeric", "canonical numeric");
	typemap_canonical("\"Odd\".\"E\"", buf, sizeof(buf));
	is_str(buf, "\"Odd\".\"E\"", "quoted names kept");
}

static void
test_every_rule_tested(void)
{
	int			missing = 0;

	for (int d = 0; d < 2; d++)
		for (int i = 0; i < typemap_nrules; i++)
			if (rule_hits[d][i] == 0 && !(d == 1 && (typemap_rules[i].when & TM_POSTGIS)))	/* PostGIS: PostgreSQL only */
			{
				missing++;
				printf("# rule %d (%s) not tested on %s\n", i, typemap_rules[i].source, d ? "CockroachDB" : "PostgreSQL");
			}
	is_int(missing, 0, "every one of the %d rules is tested on both dialects", typemap_nrules);
}

int
main(void)
{
	log_init(LOG_INFO, LOG_FORMAT_TEXT);
	test_postgres_rows();
	test_postgres_specials();
	test_mysql_rows();
	test_mysql_enums_and_names();
	test_defaults();
	test_overrides();
	test_names();
	test_every_rule_tested();
	return done_testing();
}
