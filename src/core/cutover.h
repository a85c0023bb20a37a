/*
 * src/core/cutover.h
 *	  godwit cutover: the write halt, made short and provably safe.
 *
 * Once the application stops writing (or --lock-source makes the source
 * read-only):
 *   1. read the source's current position P: everything the application
 *      committed is at or before P;
 *   2. record a cutover request for P in _godwit.cutovers; the running
 *      replicator (godwit replicate or migrate) applies up to P, stops its
 *      stream cleanly and marks the request drained.  With no replicator
 *      running (no heartbeat), cutover drives replication itself;
 *   3. set every target sequence (identity, serial, AUTO_INCREMENT) past the
 *      source's value, so new rows on the target never collide;
 *   4. verify the rows replication changed since the last verify (their keys
 *      are in _godwit.changed_key_sets): time proportional to the change rate,
 *      not the database size; --full-verify compares everything;
 *   5. with prepare_failback: create the slot failback will read on the
 *      target, while target == source and nothing else writes there
 *      (checked before the halt starts: see target_failback.h);
 *   6. report the write-halt duration, the drain time, rows verified and
 *      mismatches; store it in _godwit.cutovers.
 * Nothing here grows with the size of the database.
 */
#ifndef GODWIT_CORE_CUTOVER_H
#define GODWIT_CORE_CUTOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "core/replicate.h"
#include "core/schema.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

typedef struct CutoverOptions
{
	const ConnUrl *source;
	const ConnUrl *target;
	const SchemaOptions *schema;	/* the migration's filters and mapping */
	bool		lock_source;	/* make the source read-only first */
	int64_t		drain_timeout_us;	/* longest wait for the replicator */
	bool		full_verify;	/* verify every row, not only the changed ones */
	int			verify_concurrency;
	bool		json;			/* --format json */
	int64_t		halt_started_us;	/* wall clock when writes stopped; 0 = now */
	const ReplicateOptions *replicate;	/* to drive replication when none runs */
	bool		prepare_failback;	/* create the failback slot on the target (PostgreSQL) */
	bool		failback;		/* the way back: "target" is the migration's source */
} CutoverOptions;

/*
 * cutover_run
 *		Carry out a cutover (see above) and print its report to stdout.
 *
 * Returns true when the target is ready: drained, sequences set, verified
 * without differences.  False otherwise (logged; ERR_MISMATCH when the
 * verification found differences).
 */
bool		cutover_run(const CutoverOptions *o, Source *src, PgConn *target, Catalog *cat);

#endif
