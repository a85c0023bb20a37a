/*
 * src/core/verify.h
 *	  godwit verify: does the target hold the same data as the source?
 *
 * How it works (docs/verify.md has the long version):
 *   1. Tables: every selected source table must exist on the target under
 *      its target name (missing tables); target tables in the same schemas
 *      that the selection does not explain are extraneous.
 *   2. Columns: each source column must exist on the target with the type
 *      the schema step maps it to (column mismatches).  Values are compared
 *      by the target column's actual type (core/canon.h).
 *   3. Rows: each table is split into ranges of its first key column
 *      (SourceOps.plan_shards, as fetch does).  When source and target are
 *      both PostgreSQL and print every column the same way, each range is
 *      first hashed by both databases (count and sum of 64-bit row hashes,
 *      no sort): equal ranges are done without a row leaving the servers.
 *      A range that differs is split further (integer keys) and hashed again
 *      until it is small, then read row by row.  Otherwise ranges are read
 *      row by row directly.  Row by row means: both sides stream the range
 *      ordered by the primary key and are merge-joined, yielding missing,
 *      extraneous and mismatching rows with their keys and the differing
 *      columns.  Memory holds one row per side.
 *   4. Live mode (--live, the default when a replication checkpoint exists):
 *      a source read notes the source position right after its snapshot; the
 *      target side of that range is read only once the replicator's
 *      checkpoint has passed it.  Rows that still differ are re-read by key,
 *      after the checkpoint passes a new source position, up to
 *      --live-retries times; only rows that differ every time are reported.
 *   5. Results: a table per table (rows checked, ok, missing, mismatched,
 *      extraneous), JSON lines with MOLT's field names, the offending keys
 *      (the first --max-reported-rows per table), and the same stored in
 *      _godwit.verify_runs / verify_tables / verify_rows.
 *
 * Concurrency: --concurrency worker threads, each with one source reader
 * and one target connection; a range hash runs on both servers at once.
 */
#ifndef GODWIT_CORE_VERIFY_H
#define GODWIT_CORE_VERIFY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "catalog/filter.h"
#include "common/url.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

typedef enum VerifyLive
{
	VERIFY_LIVE_AUTO,			/* live when a replication checkpoint exists */
	VERIFY_LIVE_ON,
	VERIFY_LIVE_OFF,
} VerifyLive;

/* What a verify covered (for cutover's report). */
typedef struct VerifyCounts
{
	int64_t		tables;			/* tables compared */
	int64_t		rows;			/* rows (or changed keys) compared */
} VerifyCounts;

typedef struct VerifyOptions
{
	const ConnUrl *source;
	const ConnUrl *target;
	const TableFilter *filter;	/* extraneous tables are those it would select */
	int			concurrency;	/* worker threads */
	int64_t		rows_per_second;	/* source rows read per second, 0 = no limit */
	VerifyLive	live;
	int			live_retries;	/* re-checks of a differing row */
	int64_t		live_timeout_us;	/* longest wait for the replicator, per re-check */
	int			max_reported_rows;	/* offending rows listed per table */
	int64_t		shard_bytes;	/* target size of a range */
	bool		hash_pushdown;	/* let PostgreSQL hash ranges when it is exact */
	bool		json;			/* --format json */
	bool		store_results;	/* write _godwit.verify_* */
	const char *options_json;	/* the filters etc., stored with the run */

	/*
	 * Cutover's scope: only the rows replication changed, listed in
	 * _godwit.changed_key_sets (a table marked "*" there, after a TRUNCATE, is
	 * compared whole; tables without changed keys are skipped).
	 */
	bool		changed_only;
	VerifyCounts *counts;		/* OUT, may be NULL */

	/*
	 * Set by the caller to stop a verify early (migrate: replication has
	 * stopped, so a live verify could only wait in vain).  Checked between
	 * ranges and while waiting for the replicator; a cancelled verify returns
	 * false without reporting or recording an error.
	 */
	const atomic_bool *cancel;
} VerifyOptions;

/*
 * verify_run
 *		Compare every table of cat (mapped for target's dialect) between src
 *		and target (a connected control connection), print the report to
 *		stdout and store it in _godwit.
 *
 * Returns true when everything matches.  On differences returns false with
 * the error kind ERR_MISMATCH (exit code 5); on an error, false with the
 * error's kind (logged).
 */
bool		verify_run(const VerifyOptions *o, Source *src, PgConn *target, Catalog *cat);

#endif
