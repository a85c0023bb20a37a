/*
 * src/catalog/ddl.h
 *	  Target DDL, rendered from a mapped catalog (pure: no I/O, no logging).
 *
 * Two stages, as pg_restore and MOLT split them:
 *  - before the bulk copy: schemas, extensions, types, sequences and tables
 *    with their columns, NOT NULL and PRIMARY KEY only;
 *  - after it ("deferred", godwit finalize): unique constraints, secondary
 *    indexes, check constraints and foreign keys (added NOT VALID, then
 *    validated), column defaults (sequence defaults of identity and
 *    AUTO_INCREMENT columns included).
 *
 * ddl_plan() decides, for the catalog's target dialect, which secondary
 * objects the target can hold, names them (MySQL index names are per table,
 * PostgreSQL's per schema) and records what is left out as SchemaIssues.
 * Every statement rendered here is valid on the dialect it is rendered for;
 * statements marked best_effort carry source SQL (expressions of checks,
 * partial and expression indexes, defaults) into another dialect and may be
 * rejected by the target, which is then a warning.
 */
#ifndef GODWIT_CATALOG_DDL_H
#define GODWIT_CATALOG_DDL_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "common/arena.h"
#include "common/strbuf.h"

/* --table-handling (MOLT's names) */
typedef enum TableHandling
{
	TABLE_HANDLING_NONE,		/* create missing tables, compare existing ones */
	TABLE_HANDLING_TRUNCATE,	/* truncate-if-exists: compare, then empty them */
	TABLE_HANDLING_RECREATE,	/* drop-on-target-and-recreate */
} TableHandling;

extern const char *const table_handling_names[];	/* NULL-terminated, in enum order */

typedef enum DeferredKind
{
	DEFER_SEQUENCE,				/* CREATE SEQUENCE IF NOT EXISTS */
	DEFER_PRIMARY_KEY,			/* ALTER TABLE ADD [CONSTRAINT] PRIMARY KEY (PostgreSQL targets) */
	DEFER_UNIQUE,				/* ALTER TABLE ADD CONSTRAINT ... UNIQUE */
	DEFER_INDEX,				/* CREATE [UNIQUE] INDEX IF NOT EXISTS */
	DEFER_CHECK,				/* ADD CONSTRAINT ... CHECK ... NOT VALID, VALIDATE */
	DEFER_DEFAULT,				/* ALTER COLUMN ... SET DEFAULT */
	DEFER_FOREIGN_KEY,			/* ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, VALIDATE */
} DeferredKind;

/* One object for finalize.  Strings live in the DdlPlan's arena. */
typedef struct DeferredObject
{
	DeferredKind kind;
	int			phase;			/* 0 sequences; 1 primary keys, indexes, uniques, checks, defaults;
								 * 2 foreign keys (they need the unique constraints) */
	const Table *table;			/* NULL for sequences */
	const char *schema;			/* target schema of the object */
	const char *name;			/* target name: index, constraint, sequence; the column
								 * for a default */
	char	   *create_sql;		/* creates it (NOT VALID form for checks and FKs) */
	char	   *validate_sql;	/* VALIDATE CONSTRAINT, NULL when none */
	char	   *display;		/* for messages: index "x" on public.t */
	bool		best_effort;	/* the target may reject translated SQL: warn */
	int64_t		cost;			/* the table's est_bytes: biggest first */
} DeferredObject;

typedef struct DdlPlan
{
	Arena		arena;
	DeferredObject *objects;
	int			n;
	int			cap;
} DdlPlan;

/*
 * ddl_plan
 *		Vet and name the secondary objects of c for c->target (call once,
 *		after typemap_apply).  Records skipped objects as issues.
 */
void		ddl_plan(Catalog *c);

/*
 * ddl_deferred
 *		Fill out (initialised here; free with ddl_plan_free) with the deferred
 *		objects of c, phase by phase, biggest tables first.
 */
void		ddl_deferred(const Catalog *c, DdlPlan *out);

/* ddl_deferred for the objects of one table only (no sequences). */
void		ddl_deferred_table(const Catalog *c, const Table *t, DdlPlan *out);
void		ddl_plan_free(DdlPlan *p);

/* Statements, appended to out without a trailing semicolon. */
void		ddl_create_schema(StrBuf *out, const char *schema);
void		ddl_create_extension(StrBuf *out, const char *name, const char *schema);
void		ddl_create_enum(StrBuf *out, const EnumType *e);
void		ddl_create_user_type(StrBuf *out, const UserType *u);
void		ddl_create_sequence(StrBuf *out, const Sequence *s, TargetDialect d);
void		ddl_setval(StrBuf *out, const Sequence *s);
void		ddl_create_table(StrBuf *out, const Catalog *c, const Table *t);

/*
 * ddl_pk_deferred
 *		Whether t's primary key is left out of CREATE TABLE and added by
 *		finalize after the bulk copy.  On PostgreSQL targets it is: building
 *		the index once over the loaded rows is much cheaper than maintaining
 *		it row by row (pgcopydb and pgloader do the same).  CockroachDB
 *		stores a table by its primary key, so there it is part of CREATE
 *		TABLE (adding it later rewrites the table).
 */
bool		ddl_pk_deferred(const Catalog *c, const Table *t);
void		ddl_drop_table(StrBuf *out, const Table *t);
void		ddl_truncate_tables(StrBuf *out, Table *const *tables, int n);

/* The target schemas the catalog needs, each once (borrowed strings); returns n. */
int			ddl_target_schemas(const Catalog *c, const char ***out);

/*
 * The PG domains and composite types to create, in dependency order
 * (*out: gw_malloc'd array the caller frees; borrowed elements); returns n.
 */
int			ddl_user_types_ordered(const Catalog *c, const UserType ***out);

/*
 * ddl_render_script
 *		The whole target DDL for `godwit schema --dry-run`: what schema_apply
 *		would create (with handling's DROP/TRUNCATE), the deferred part
 *		finalize creates, and the setval cutover runs.  Semicolon-terminated
 *		statements with comment headers.
 */
void		ddl_render_script(const Catalog *c, TableHandling handling, StrBuf *out);

/*
 * Translate a MySQL boolean expression (a CHECK clause) into PostgreSQL
 * SQL: `ident` -> "ident", string literals and charset introducers
 * rewritten.  Best effort: functions are not translated.  Appends to out.
 */
void		ddl_translate_my_expr(StrBuf *out, const char *expr);

#endif
