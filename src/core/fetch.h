/*
 * src/core/fetch.h
 *	  godwit fetch: the consistent, parallel, resumable bulk copy.
 *
 * How it works (docs/fetch.md has the long version):
 *   1. A run is recorded in _godwit.runs.  If the previous fetch run did not
 *      finish, this one resumes it: only pending shards are copied.
 *   2. A fresh run creates the target schema, then takes the snapshot: the
 *      replication slot with its exported snapshot (the cdc cursor), and one
 *      reader connection per worker inside that snapshot.
 *   3. Each table is split into shards (key ranges); shards are recorded as
 *      pending and handed to workers largest first, at most
 *      --table-concurrency tables and --export-concurrency shards per table
 *      at a time.
 *   4. A worker copies one shard per target transaction and marks it done in
 *      the same transaction.  Transient target errors (40001, a dropped
 *      connection) retry the shard.
 *   5. Then finalize creates the deferred indexes and constraints.
 */
#ifndef GODWIT_CORE_FETCH_H
#define GODWIT_CORE_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "common/url.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

typedef struct FetchOptions
{
	const ConnUrl *source;
	const ConnUrl *target;
	int			table_concurrency;	/* tables in flight */
	int			export_concurrency; /* shards of one table in flight */
	int64_t		shard_bytes;	/* target size of a shard */
	bool		no_replication; /* no slot: a plain copy */
	bool		replace_slot;
	bool		restart;		/* discard an unfinished run and start over */
	const char *slot_name;
	const char *publication;
	int64_t		lock_timeout_us;	/* MySQL: longest wait for the snapshot lock (0: default) */
	SnapshotLock snapshot_lock; /* MySQL: --snapshot-lock */
	bool		json_summary;	/* --format json */
	const char *options_fingerprint;	/* filters etc.: a resume must match */

	/*
	 * Schema steps, provided by the caller: create the target tables (fresh
	 * run only) and finalize deferred objects after the copy.  NULL = skip.
	 */
	bool		(*create_schema) (void *arg);
	bool		(*finalize) (void *arg);

	/*
	 * Optional, with finalize: build the indexes of table t as soon as all
	 * its shards are copied, on conn (the target connection of fetch's
	 * index builder thread), while the other tables are still copying.
	 * Best effort: finalize then creates or reports what this did not.
	 */
	void		(*build_table) (void *arg, const Table *t, PgConn *conn);
	void	   *schema_arg;
} FetchOptions;

/*
 * fetch_run
 *		Copy every table of cat (already type-mapped for the target) from src
 *		to target.  target is a connected control connection.
 *
 * Returns false on error (logged; the error kind says which side).  A rerun
 * after any failure resumes.
 */
bool		fetch_run(const FetchOptions *o, Source *src, PgConn *target, Catalog *cat);

#endif
