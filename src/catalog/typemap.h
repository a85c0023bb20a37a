/*
 * src/catalog/typemap.h
 *	  Type mapping: what each source column becomes on a PostgreSQL or
 *	  CockroachDB target, as one data table (typemap.c), plus the
 *	  --type-map-file overrides.
 *
 * typemap_apply() fills the target side of a Catalog read by a source driver:
 * Column.target_type, conv, select_expr, skip, target_default, the target
 * names of MySQL tables, sequences and enum types, and which PostgreSQL enums,
 * domains and composite types must be created.  Whatever the target cannot
 * carry exactly is recorded as a SchemaIssue (WARN: carried with a fallback;
 * FAIL: cannot be carried).  Pure: no I/O, no logging.
 *
 * The full table, with the reasons, is documented in docs/type-mapping.md;
 * tests/unit/test_typemap.c checks every row for both dialects.
 */
#ifndef GODWIT_CATALOG_TYPEMAP_H
#define GODWIT_CATALOG_TYPEMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/catalog.h"
#include "common/arena.h"

/* MySQL TINYINT(1): --tinyint1-as boolean|smallint */
typedef enum TinyInt1Policy
{
	TINYINT1_BOOLEAN,			/* default, as pgloader */
	TINYINT1_SMALLINT,
} TinyInt1Policy;

/* MySQL ENUM: --enum-as type|text */
typedef enum EnumPolicy
{
	ENUMS_AS_TYPE,				/* default: CREATE TYPE "<table>_<column>" AS ENUM */
	ENUMS_AS_TEXT,
} EnumPolicy;

/*
 * One override of --type-map-file.  MOLT's format, one object per table:
 *
 *   [{"table": "schema.table",
 *     "column_type_map": [{"column": "name|*", "source_type": "...",
 *                          "crdb_type": "..."}]}]
 *
 * "target_type" is accepted for "crdb_type" (it applies to both dialects).
 * The table may be "table" (any schema), "schema.table" (parts may be
 * double-quoted) or "*"; source_type, when given, must equal the column's
 * source type (full or base name, case-insensitive).
 */
typedef struct TypeOverride
{
	char	   *schema;			/* NULL = any */
	char	   *table;			/* NULL = any */
	char	   *column;			/* NULL = any */
	char	   *source_type;	/* NULL = any */
	char	   *target_type;
	int			uses;			/* columns it applied to (typemap_apply counts) */
} TypeOverride;

typedef struct TypeOverrides
{
	Arena		arena;			/* owns everything below */
	TypeOverride *items;
	int			n;
	char	   *origin;			/* file name, for messages */
} TypeOverrides;

/*
 * typemap_overrides_parse
 *		Parse the JSON text of a --type-map-file into *out (caller frees with
 *		typemap_overrides_free, also on failure).  origin names the file in
 *		messages.
 *
 * Returns false on malformed input (logged, kind ERR_ARGS).
 */
bool		typemap_overrides_parse(const char *text, size_t len, const char *origin,
									TypeOverrides *out);
/* Read and parse a file; false on error (logged, ERR_ARGS). */
bool		typemap_overrides_load(const char *path, TypeOverrides *out);
void		typemap_overrides_free(TypeOverrides *o);

typedef struct TypeMapOptions
{
	TargetDialect dialect;
	TinyInt1Policy tinyint1;
	ZeroDatePolicy zero_dates;
	EnumPolicy	enums;
	const char *target_schema;	/* MySQL sources: where tables go ("public") */

	/*
	 * PostgreSQL target: extensions installed or installable there
	 * (pg_available_extensions).  When !extensions_known (a dry run without
	 * a target), PostgreSQL-source extension types are assumed available and
	 * MySQL spatial columns take the fallback without PostGIS.
	 */
	const char *const *extensions;
	int			nextensions;
	bool		extensions_known;
	const TypeOverrides *overrides; /* NULL: none */
} TypeMapOptions;

/* Defaults: the dialect given, boolean, null, type, "public", no overrides. */
void		typemap_options_init(TypeMapOptions *o, TargetDialect dialect);

/*
 * typemap_apply
 *		Fill the target side of c for o->dialect (see the file comment).
 *		May be called once per catalog.
 *
 * Returns false when a column cannot be carried (an ISSUE_FAIL was
 * recorded); the caller reports c->issues.  Never logs.
 */
bool		typemap_apply(Catalog *c, const TypeMapOptions *o);

/* ---- the table itself (exposed for the unit tests and the docs) ---- */

/* Conditions a rule needs (all must hold). */
#define TM_UNSIGNED		0x0001	/* MySQL UNSIGNED */
#define TM_TINYINT1		0x0002	/* MySQL tinyint(1) */
#define TM_BOOL_POLICY	0x0004	/* --tinyint1-as boolean */
#define TM_BIT1			0x0008	/* bit(1) */
#define TM_ENUM_TYPE	0x0010	/* --enum-as type */
#define TM_POSTGIS		0x0020	/* the PostgreSQL target has PostGIS */
#define TM_MULTIDIM		0x0040	/* PG array declared with 2+ dimensions */
#define TM_ROWTYPE		0x0080	/* PG composite that is a table's row type */
#define TM_ODD_SCALE	0x0100	/* PG numeric with negative scale or scale > precision */
#define TM_NO_LENGTH	0x0200	/* no length (PG bpchar without one is unbounded) */

/* Flags of a rule. */
#define TMF_WARN_PG		0x0001	/* a fallback on a PostgreSQL target: warn */
#define TMF_WARN_CRDB	0x0002	/* a fallback on CockroachDB: warn */
#define TMF_EXTENSION	0x0004	/* a PostgreSQL target needs the type's extension */

/*
 * A rule: source type (Column.source_base, or for PostgreSQL "enum",
 * "composite", "range" (user-defined), "@extension" (any extension type),
 * "@builtin" (any other pg_catalog type), "*" (anything)) and conditions ->
 * target type templates per dialect.  The first matching rule wins.
 *
 * Templates: {decl} the PostgreSQL source's declared type (format_type),
 * {len} "(n)" when a length is known, {ps} "(p,s)", {fsp} "(n)" fractional
 * seconds, {arr} "[]" for a PostgreSQL array, {enum} the enum type created
 * for a MySQL ENUM column, {base} the PostgreSQL enum a column resolves to,
 * {col} the quoted column name (select_expr only).
 */
typedef struct TypeRule
{
	ConnEngine	engine;
	const char *source;
	unsigned	when;
	const char *pg_type;
	ValueConv	pg_conv;
	const char *crdb_type;
	ValueConv	crdb_conv;
	const char *expr;			/* PG source: select_expr template, NULL = the column */
	unsigned	flags;
	const char *note;			/* the reason, shown with warnings */
} TypeRule;

extern const TypeRule typemap_rules[];
extern const int typemap_nrules;

/* The rule that maps col (NULL if none: the type cannot be carried). */
const TypeRule *typemap_match(ConnEngine engine, const Column *col, const TypeMapOptions *o);

/* Canonical name of a target type for comparisons: "int4", "varchar", "_int4". */
void		typemap_canonical(const char *type, char *out, size_t outlen);

#endif
