/*
 * src/core/schema.h
 *	  The schema step of a migration, reusable by every command: read the
 *	  source catalog, map it for the target, create it, and later create
 *	  the deferred objects (finalize) and set the sequences (cutover).
 *
 *   Catalog cat;
 *   if (!schema_load(&opts, src, &target, &cat))       // read + map + plan, no DDL
 *       ...;
 *   schema_apply(&opts, &cat, &target);                // tables before the bulk copy
 *   ... fetch ...
 *   schema_finalize(&cat, target_url, 4, NULL);        // indexes, constraints, defaults
 *   ... replicate, cutover: schema_sync_sequences(&opts, src, &target) ...
 *   catalog_free(&cat);
 *
 * fetch, verify and replicate call schema_load to get the same tables, the
 * same target names and the same value conversions.
 */
#ifndef GODWIT_CORE_SCHEMA_H
#define GODWIT_CORE_SCHEMA_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "catalog/ddl.h"
#include "catalog/filter.h"
#include "catalog/typemap.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

typedef struct SchemaOptions
{
	const TableFilter *filter;	/* NULL: every table */
	TableHandling handling;		/* --table-handling */
	const TypeOverrides *overrides; /* --type-map-file, NULL: none */
	const char *target_schema;	/* MySQL sources: --target-schema ("public") */
	bool		allow_no_pk;	/* tables without a primary key are a warning */
	TinyInt1Policy tinyint1;	/* --tinyint1-as */
	EnumPolicy	enums;			/* --enum-as */
	ZeroDatePolicy zero_dates;	/* --zero-dates */
	TargetDialect dialect;		/* when there is no target connection (dry run) */
} SchemaOptions;

/* Defaults: every table, handling none, public, boolean, type, null, PostgreSQL. */
void		schema_options_init(SchemaOptions *o);

/*
 * schema_load
 *		Read the tables o->filter selects from src into out (initialised
 *		here; the caller frees it with catalog_free, also on failure), map
 *		their types for the target's dialect (detected from target; o->dialect
 *		when target is NULL) and plan the deferred objects.  Sends no DDL;
 *		only reads the target (its extensions; the override types exist).
 *
 * Logs every issue once (warnings, errors).  Returns false (ERR_SCHEMA) when
 * a column or table cannot be carried, or a table has no primary key
 * without o->allow_no_pk; ERR_SOURCE/ERR_TARGET when a server failed.
 */
bool		schema_load(const SchemaOptions *o, Source *src, PgConn *target, Catalog *out);

/*
 * schema_apply
 *		Create on target what the bulk copy needs (schemas, types,
 *		sequences, tables with NOT NULL and PRIMARY KEY), per o->handling.
 *		Safe to rerun.  False on error (logged).
 */
bool		schema_apply(const SchemaOptions *o, const Catalog *cat, PgConn *target);

/* What finalize did. */
typedef struct FinalizeStats
{
	int			objects;		/* deferred objects of the catalog */
	int			created;
	int			existed;
	int			rejected;		/* best-effort SQL the target refused (warned) */
	int			failed;
} FinalizeStats;

/*
 * schema_finalize
 *		Create every deferred object of cat missing on the target: phase by
 *		phase (sequences; indexes, unique and check constraints, defaults;
 *		foreign keys), each phase on `concurrency` threads with one target
 *		connection each, biggest tables first.  Idempotent: existing objects
 *		are skipped, NOT VALID ones validated, so a rerun after a crash
 *		finishes the job.
 *
 * Returns false if an object could not be created (each logged; objects of
 * translated best-effort SQL the target rejects are warnings), or when a
 * stop was requested.  stats (may be NULL) receives the counts.
 */
bool		schema_finalize(const Catalog *cat, const ConnUrl *target_url, int concurrency,
							FinalizeStats *stats);

/*
 * schema_build_table
 *		Create the indexes, unique and check constraints (and on PostgreSQL
 *		targets the primary key) of table t of cat on conn, as soon as the
 *		bulk copy has loaded it, so that the builds overlap the copy of the
 *		other tables.  Defaults (which may need sequences) and foreign keys
 *		(which need the other tables' keys) are left to schema_finalize.
 *
 * Best effort: what fails here is only a debug line, as schema_finalize
 * runs afterwards and creates or reports it.  Returns the objects created.
 */
int			schema_build_table(const Catalog *cat, const Table *t, PgConn *conn);

/*
 * schema_sync_sequences
 *		Read the source's current sequence values (and MySQL AUTO_INCREMENT
 *		counters) and setval them on the target (for cutover).  False on error
 *		(logged).
 */
bool		schema_sync_sequences(const SchemaOptions *o, Source *src, PgConn *target);

/* Log the catalog's issues (info, warnings, errors), once each. */
void		schema_log_issues(const Catalog *cat);

#endif
