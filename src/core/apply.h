/*
 * src/core/apply.h
 *	  The applier: turns many source transactions into one target transaction.
 *
 * A flush takes the ChangeBatches gathered since the last one (in stream
 * order) and writes them in ONE target transaction together with the
 * replication checkpoint, so every change is applied exactly once whatever
 * crashes.  Inside the flush, changes are collapsed per primary key to the
 * row's final state (the last write wins; an update whose unchanged TOAST
 * values were not sent merges with an earlier full row of the batch, or
 * becomes an UPDATE of only the sent columns), then written as multi-row
 * deletes and upserts, all sent in one libpq pipeline: one round trip per
 * flush.  Statements come in a few row counts per table (the statement size,
 * then powers of two), kept prepared on the target (pg_stmtcache.h), so the
 * target parses and plans each once, not per flush.  TRUNCATE splits the flush at its place.
 *
 * Collapsing reorders writes of *different* keys, which a unique index or a
 * foreign key on the target may refuse (a swap of two unique values).  Then
 * the flush is rolled back and replayed in exact source order, one statement
 * per change: slower, always valid.  Serialization failures (CockroachDB's
 * 40001) and lost connections retry the whole flush.
 */
#ifndef GODWIT_CORE_APPLY_H
#define GODWIT_CORE_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/change.h"
#include "common/url.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/target_state.h"

typedef struct ApplyOptions
{
	const char *stream_name;	/* checkpoint row */
	int			max_rows_per_statement;
	bool		track_changes;	/* record written keys in _godwit.changed_key_sets */
	bool		ignore_truncate;	/* skip source TRUNCATEs (logged) */
} ApplyOptions;

typedef struct ApplyStats
{
	int64_t		upserts;
	int64_t		deletes;
	int64_t		updates;		/* partial rows (unchanged TOAST) */
	int64_t		truncates;
	int64_t		changes;		/* source changes consumed */
	int64_t		source_txns;	/* source transactions completed */
	int64_t		target_txns;	/* flushes committed */
	int64_t		exact_replays;	/* flushes replayed in exact order */
} ApplyStats;

typedef struct Applier Applier;

/*
 * applier_new
 *		target: a connected target connection, borrowed: the caller keeps
 *		owning it and closes it after applier_free; the applier reconnects it
 *		in place with url when it is lost.  initial: the checkpoint read at
 *		start (copied), or NULL for none.
 */
Applier    *applier_new(PgConn *target, const ConnUrl *url, const ApplyOptions *o,
						const Checkpoint *initial);
void		applier_free(Applier *a);

/*
 * applier_flush
 *		Apply batches[0..n) in one target transaction with the checkpoint.
 *
 * Returns false on a fatal error (logged).  On success, the checkpoint now
 * stored is available with applier_checkpoint().
 */
bool		applier_flush(Applier *a, ChangeBatch *const *batches, int n);
const Checkpoint *applier_checkpoint(const Applier *a);
const ApplyStats *applier_stats(const Applier *a);

#endif
