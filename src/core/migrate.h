/*
 * src/core/migrate.h
 *	  godwit migrate: the whole delta migration in one supervised process.
 *
 *   check -> fetch (schema, copy, finalize) -> replicate (+ a live verify
 *   in the background) -> cutover
 *
 * Every step keeps its state in _godwit, so migrate can be killed at any
 * moment and rerun: a finished fetch is not repeated, replication resumes
 * from its checkpoint.  Cutover is triggered by the operator: SIGUSR1 to this
 * process (migrate then carries it out and prints the report), or
 * `godwit cutover` from another shell (migrate's replicator drains to its
 * position and stops; that command finishes the cutover).
 */
#ifndef GODWIT_CORE_MIGRATE_H
#define GODWIT_CORE_MIGRATE_H

#include <stdbool.h>

#include "core/cutover.h"
#include "core/fetch.h"
#include "core/replicate.h"
#include "core/verify.h"

typedef struct MigrateOptions
{
	const ConnUrl *source;
	const ConnUrl *target;
	const SchemaOptions *schema;
	bool		skip_check;
	bool		live_verify;	/* verify once while replicating */
	FetchOptions fetch;
	ReplicateOptions replicate;
	CutoverOptions cutover;
	VerifyOptions verify;
} MigrateOptions;

/*
 * migrate_run
 *		Run the migration to its end (a cutover) or until stopped.  src and
 *		target are control connections; cat is the loaded, mapped catalog.
 *
 * Returns true after a successful cutover, or a clean stop (SIGTERM) that a
 * rerun continues; false on an error (logged).
 */
bool		migrate_run(MigrateOptions *o, Source *src, PgConn *target, Catalog *cat);

#endif
