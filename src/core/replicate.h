/*
 * src/core/replicate.h
 *	  godwit replicate: keep the target in sync with the source from fetch's
 *	  snapshot until cutover.
 *
 * Two threads.  The stream thread owns the source's replication session: it
 * answers keepalives, decodes changes into batches and queues them, and
 * reports back to the source only positions the applier has committed.  The
 * apply thread gathers queued batches for up to --flush-interval or
 * --apply-batch-size changes and applies them in one target transaction
 * with the checkpoint (apply.h).  A bounded pool of batches gives
 * backpressure: memory stays flat whatever the source's rate or the size of
 * its transactions.
 *
 * Where it starts: the _godwit checkpoint if there is one; else fetch's
 * snapshot position (the cdc cursor) and its slot; or an explicit slot
 * (replication-only mode).  A lost source or target connection reconnects
 * with backoff and resumes from the checkpoint: nothing lost, nothing twice.
 */
#ifndef GODWIT_CORE_REPLICATE_H
#define GODWIT_CORE_REPLICATE_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

#define REPLICATE_STREAM_NAME "main"

typedef struct ReplicateOptions
{
	const ConnUrl *source;
	const ConnUrl *target;
	const char *slot_name;		/* NULL: fetch's */
	const char *publication;	/* NULL: fetch's */
	const char *start_position; /* replication-only: start here (NULL = slot's own) */
	uint32_t	server_id;		/* MySQL replica id */
	int64_t		flush_interval_us;	/* longest a change waits before a flush */
	int			apply_batch_changes;	/* changes per target transaction */
	int64_t		apply_batch_bytes;
	int			rows_per_statement;
	bool		ignore_truncate;
	bool		track_changes;	/* record written keys for cutover's verification */
	bool		stop_on_cutover_signal;	/* SIGUSR1: stop cleanly (migrate then cuts over) */
	/* stop once the applied position reaches the source's position read at
	 * start (tests, catch-up runs) */
	bool		stop_when_caught_up;
} ReplicateOptions;

/*
 * replicate_run
 *		Run until a stop signal (returns true after flushing everything
 *		received), caught up (with stop_when_caught_up), or a fatal error
 *		(false, logged).
 */
bool		replicate_run(const ReplicateOptions *o, Source *src, PgConn *target, Catalog *cat);

#endif
