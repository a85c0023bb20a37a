/*
 * src/dialect/target_schema.h
 *	  Create the migrated schema on the target and the deferred objects
 *	  finalize adds, checking what already exists first so every step can
 *	  be re-run (after a crash, or twice by hand) without errors.
 *
 * The statements come from catalog/ddl.c (rendered for the target's
 * dialect); the existence checks here read information_schema, pg_indexes
 * and pg_constraint, which PostgreSQL and CockroachDB both provide.
 */
#ifndef GODWIT_DIALECT_TARGET_SCHEMA_H
#define GODWIT_DIALECT_TARGET_SCHEMA_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "catalog/ddl.h"
#include "dialect/pg/pg_conn.h"

/*
 * target_list_extensions
 *		Extensions installed on or available to a PostgreSQL target (names,
 *		each once).  *out is a gw_malloc'd array of gw_malloc'd strings: free
 *		with target_free_list.  CockroachDB: an empty list.
 *
 * Returns false on error (logged).
 */
bool		target_list_extensions(PgConn *c, char ***out, int *n);
void		target_free_list(char **list, int n);

/* Whether type (a --type-map-file target type) names a type on the target. */
bool		target_type_exists(PgConn *c, const char *type);

/*
 * target_schema_apply
 *		Create what the bulk copy needs: schemas, extensions (PostgreSQL),
 *		enum, domain and composite types, sequences, and the tables (columns,
 *		NOT NULL, PRIMARY KEY), per handling:
 *		  none                 create missing tables; compare existing ones
 *		                       with the source (missing column, incompatible
 *		                       type, different primary key: errors; extra
 *		                       column, nullability: warnings)
 *		  truncate-if-exists   the same, then TRUNCATE the existing tables
 *		  drop-on-target-and-recreate  DROP TABLE ... CASCADE, then create
 *		Existing enum types get the labels they miss (ADD VALUE IF NOT EXISTS).
 *
 * Returns false on error or on any fatal mismatch (each logged, ERR_SCHEMA or
 * ERR_TARGET).  cat must be mapped for this target's dialect.
 */
bool		target_schema_apply(PgConn *c, const Catalog *cat, TableHandling handling);

typedef enum DeferredResult
{
	DEFERRED_CREATED,			/* created (and validated) now */
	DEFERRED_EXISTED,			/* already there (validated now if it was NOT VALID) */
	DEFERRED_REJECTED,			/* best-effort SQL the target refused (warned) */
	DEFERRED_FAILED,			/* error (logged) */
} DeferredResult;

/*
 * target_deferred_run
 *		Make sure one deferred object exists on the target: check, create,
 *		validate.  Deadlocks and serialization failures are retried.
 *		"Already exists" from a concurrent or orphaned run counts as existing.
 *
 * report: log a failure (a warning for a best-effort object); without it
 * the failure is only a debug line, for a caller that leaves the object to
 * a later finalize which reports it.
 */
DeferredResult target_deferred_run(PgConn *c, const DeferredObject *o, bool report);

/*
 * target_check_primary_keys
 *		Every table of cat that has a primary key on the source has one on
 *		the target.  Replication applies by key, so it refuses to start on a
 *		copy that has not been finalized.  False when one is missing (logged
 *		once with the tables, ERR_STATE) or on a query error.
 */
bool		target_check_primary_keys(PgConn *c, const Catalog *cat);

/* setval every sequence of cat to its source value (cutover).  False on error (logged). */
bool		target_set_sequences(PgConn *c, const Catalog *cat);

#endif
