/*
 * src/dialect/source.h
 *	  The seam between the core and a source engine.
 *
 * Each engine driver (dialect/pg, dialect/mysql; later Oracle) exports one
 * SourceOps table and nothing else the core may call.  The core holds a
 * Source *, whose first member is its ops table, and calls through it:
 *
 *     Source *src = source_open(&url);
 *     src->ops->check(src, &opts, &report);
 *
 * An Oracle driver would add a third table here: the core does not change.
 */
#ifndef GODWIT_DIALECT_SOURCE_H
#define GODWIT_DIALECT_SOURCE_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "catalog/change.h"
#include "catalog/filter.h"
#include "common/checklist.h"
#include "common/url.h"

typedef struct SourceOps SourceOps;

typedef struct Source
{
	const SourceOps *ops;
	const ConnUrl *url;			/* borrowed; outlives the Source */
	char	   *server;			/* "PostgreSQL 15.18", "MariaDB 10.11.19" */
} Source;

/* Outcome of waiting for the next batch of changes. */
typedef enum StreamResult
{
	STREAM_BATCH,				/* *batch holds changes */
	STREAM_IDLE,				/* nothing within the timeout (keepalives handled) */
	STREAM_ERROR,				/* failed (logged); reconnecting may help (lost connection) */
	STREAM_FATAL,				/* cannot continue (logged): a schema change, bad data;
								 * retrying would fail the same way */
	STREAM_END,					/* the source ended the stream (stop requested) */
} StreamResult;

/* Where replication starts and what it covers. */
typedef struct StreamStart
{
	const char *position;		/* resume after this (checkpoint text); NULL = slot/default */
	const char *txn_id;			/* checkpoint inside a transaction: its id ... */
	int64_t		txn_applied;	/* ... and how many of its changes are applied (-1 none) */
	const char *slot_name;		/* PostgreSQL replication slot */
	const char *publication;	/* PostgreSQL publication */
	uint32_t	server_id;		/* MySQL replica server id (unique) */
	int			max_batch_changes;	/* chunk size for big transactions */
	int64_t		max_batch_bytes;
} StreamStart;

typedef struct ReplStream ReplStream;

/*
 * Bulk copy.  A fetch takes one consistent snapshot and hands it to every
 * worker: snapshot_begin opens `nreaders` reader connections that all see
 * the same data, and records the replication start position that matches
 * it exactly (PostgreSQL: a slot created with an exported snapshot; MySQL:
 * the GTID position read under a brief lock).
 */
/*
 * MySQL/MariaDB: how the workers' snapshots are made to share one instant
 * (--snapshot-lock; docs/fetch-mysql.md).  PostgreSQL ignores it.
 */
typedef enum SnapshotLock
{
	SNAPSHOT_LOCK_AUTO,			/* lock-free if possible (MariaDB), else the lightest lock */
	SNAPSHOT_LOCK_BACKUP_STAGE, /* MariaDB BACKUP STAGE BLOCK_COMMIT */
	SNAPSHOT_LOCK_FTWRL,		/* FLUSH TABLES WITH READ LOCK */
	SNAPSHOT_LOCK_NONE,			/* never lock (managed services): lock-free or relaxed */
} SnapshotLock;

typedef struct SnapshotRequest
{
	int			nreaders;
	bool		create_slot;	/* PG: create the slot + publication (first run) */
	bool		replace_slot;	/* PG: drop an existing slot/publication first */
	const char *slot_name;
	const char *publication;
	const Catalog *catalog;		/* tables to publish */
	int64_t		lock_timeout_us;	/* MySQL: longest wait for the global lock (0: 2 s) */
	SnapshotLock snapshot_lock; /* MySQL: method */
} SnapshotRequest;

typedef struct SourceReader SourceReader;	/* one worker's source connection */

typedef struct Snapshot
{
	char		position[512];	/* replication start (cdc cursor): LSN / GTID; "" if none */
	char		snapshot_id[128];	/* PG exported snapshot name; MySQL binlog "file:offset" */
	int64_t		lock_held_us;	/* MySQL: how long the global lock was held */
	int			nreaders;
	SourceReader **readers;		/* owned by the snapshot; each used by one thread */
	void	   *impl;
} Snapshot;

/* One range of a table's first primary-key column: [lo, hi), NULL = open end. */
typedef struct ShardRange
{
	char	   *lo;				/* value as text in the source's format */
	char	   *hi;
} ShardRange;

typedef struct ShardPlan
{
	ShardRange *ranges;
	int			nranges;
} ShardPlan;

/* Where copied bytes go: COPY text rows for the target. */
typedef struct CopySink
{
	bool		(*write) (void *arg, const char *data, size_t len);
	void	   *arg;
} CopySink;

/*
 * Verification reads (core/verify.c).  A VerifyReader is a source
 * connection of its own, outside any fetch snapshot, used by one thread.
 *
 * Values are delivered in the *target's* text form, converted exactly as the
 * bulk copy and replication convert them (PostgreSQL: the column's
 * select_expr; MySQL: myconv_value), so the verifier compares like with like.
 * A VerifyRow has one entry per catalog column (t->columns), in catalog
 * order; skipped columns are NULL.  vals[i] NULL is SQL NULL; errs[i]
 * non-NULL means the source value has no target form (its message: a NUL byte
 * in text, a zero date under --zero-dates error, ...).  Valid only during the
 * callback.
 */
typedef struct VerifyReader VerifyReader;

typedef struct VerifyRow
{
	const char *const *vals;
	const size_t *lens;
	const char *const *errs;
} VerifyRow;

typedef struct VerifyRowSink
{
	bool		(*row) (void *arg, const VerifyRow *row);	/* false stops the read */
	void	   *arg;
} VerifyRowSink;

/*
 * Which rows a read covers: a range of the first key column (NULL: the
 * whole table), or a list of nkeys whole primary keys (keys[k * npk + i] is
 * key column i of key k, in the target's text form).  Rows come back ordered
 * by the primary key, each key column either by value (numbers, times,
 * booleans, bytes, uuid) or, where key_by_text[i], by the bytes of its text
 * form (the "C" collation), which is how the verifier orders keys
 * (canon_compare).
 */
typedef struct RowSelection
{
	const ShardRange *range;
	const char *const *keys;
	int			nkeys;
	const bool *key_by_text;	/* npk entries */
} RowSelection;

/*
 * A hash of a range computed by the database: the row count and the sum
 * (mod 2^64, as decimal text) of a 64-bit hash of each row's text form.  Only
 * comparable with the target's when both render rows identically (both
 * PostgreSQL with the same types and session settings).
 */
typedef struct RangeHash
{
	int64_t		rows;
	char		sum[48];
} RangeHash;

typedef struct SourceCheckOptions
{
	const TableFilter *filter;
	bool		allow_no_pk;	/* tables without a primary key are a warning */
	bool		no_replication; /* bulk copy only: replication settings are not needed */
	TargetDialect target;		/* for "types the target lacks" */
} SourceCheckOptions;

struct SourceOps
{
	const char *engine;			/* "postgres", "mysql" */

	/* Connect a control connection.  NULL on error (logged). */
	Source	   *(*open) (const ConnUrl *url);
	void		(*close) (Source *src);

	/* Preflight: append one item per check to out.  Never fails hard. */
	void		(*check) (Source *src, const SourceCheckOptions *opts, CheckList *out);

	/*
	 * Read the tables selected by filter (and the sequences, enum types) into
	 * out (initialised by the caller).  False on error (logged).
	 */
	bool		(*read_catalog) (Source *src, const TableFilter *filter, Catalog *out);

	/*
	 * Change data capture.  stream_open connects a replication session from
	 * start; cat maps source relations to tables (it must outlive the stream).
	 * stream_next waits up to timeout_ms for the next batch (reset and filled
	 * by the stream; valid until the next call).  stream_confirm reports that
	 * everything up to position is durably applied on the target, so the
	 * source may release its log.  NULL on error / false on error (logged).
	 */
	ReplStream *(*stream_open) (Source *src, const StreamStart *start, Catalog *cat);
	StreamResult (*stream_next) (ReplStream *rs, ChangeBatch *batch, int timeout_ms);
	bool		(*stream_confirm) (ReplStream *rs, const char *position);
	void		(*stream_close) (ReplStream *rs);

	/*
	 * Bulk copy (see Snapshot).  snapshot_begin fills *out (caller frees
	 * with snapshot_end, which closes the readers).  plan_shards splits a
	 * table into ranges of about target_bytes each (one open range when the
	 * table is small or its key cannot be split safely); caller frees with
	 * shard_plan_free.  copy_shard streams the rows of one range as COPY text
	 * into sink, counting rows; a reader is used by one thread at a time.
	 */
	bool		(*snapshot_begin) (Source *src, const SnapshotRequest *req, Snapshot *out);
	void		(*snapshot_end) (Source *src, Snapshot *snap);
	bool		(*plan_shards) (Source *src, const Table *t, int64_t target_bytes, ShardPlan *out);
	bool		(*copy_shard) (SourceReader *r, const Table *t, const ShardRange *range,
							   const CopySink *sink, int64_t *rows);

	/*
	 * Positions.  current_position writes the source's current end of log
	 * (PG: pg_current_wal_lsn; MySQL: the executed GTID set) into out: cheap,
	 * for lag.  barrier_position writes a position that covers every
	 * transaction committed before the call and that the stream will reach
	 * (PG: the flush position after a synchronous commit of its own, as an
	 * asynchronously committed transaction may have no written commit record
	 * yet; MySQL: the executed GTID set): what a cutover or a caught-up check
	 * waits for.  position_reached tells whether applied (a checkpoint
	 * position) covers wanted.  position_lag_bytes is the log distance
	 * between them, or -1 when the engine cannot tell.
	 */
	bool		(*current_position) (Source *src, char *out, size_t outlen);
	bool		(*barrier_position) (Source *src, char *out, size_t outlen);
	bool		(*position_reached) (const char *applied, const char *wanted);
	int64_t		(*position_lag_bytes) (const char *applied, const char *current);

	/*
	 * Cutover --lock-source: make the source refuse writes from now on
	 * (PostgreSQL: the database's default_transaction_read_only, and the
	 * sessions that could still write are ended; MySQL: read_only), and undo
	 * it (failback, or an aborted cutover).  False on error (logged).
	 */
	bool		(*lock_writes) (Source *src);
	bool		(*unlock_writes) (Source *src);

	/*
	 * Verification (see VerifyReader).  verify_open connects a reader for the
	 * tables of cat (which outlives it; NULL on error, logged) and
	 * verify_close closes it.  verify_begin starts a
	 * consistent read (PostgreSQL: a REPEATABLE READ transaction; MySQL: a
	 * consistent-snapshot transaction) and writes the source position read
	 * right after its snapshot was taken, which covers every change the
	 * snapshot sees (as current_position would); verify_end ends it.
	 * verify_read streams the selected rows in key order into sink and counts
	 * them.  verify_hash is NULL when the engine offers no hash the target can
	 * reproduce; otherwise it hashes a range as RangeHash says (PostgreSQL:
	 * count(*) and sum(hashtextextended(ROW(<columns>)::text, 0))).  All
	 * return false on error (logged, ERR_SOURCE); verify_read also when the
	 * sink stopped it (then the read transaction is over: call verify_begin
	 * again before the next read).
	 */
	VerifyReader *(*verify_open) (Source *src, const Catalog *cat);
	void		(*verify_close) (VerifyReader *r);
	bool		(*verify_begin) (VerifyReader *r, char *position, size_t poslen);
	void		(*verify_end) (VerifyReader *r);
	bool		(*verify_read) (VerifyReader *r, const Table *t, const RowSelection *sel,
								const VerifyRowSink *sink, int64_t *rows);
	bool		(*verify_hash) (VerifyReader *r, const Table *t, const ShardRange *range, RangeHash *out);
};

extern const SourceOps source_ops_postgres;
extern const SourceOps source_ops_mysql;

void		shard_plan_free(ShardPlan *p);

/*
 * source_check_column_types
 *		The "column_types" preflight item, shared by the drivers' check: read
 *		the catalog (opts->filter), map it for opts->target and report the
 *		columns whose type the target lacks (WARN, naming the fallback) or
 *		cannot carry at all (FAIL, naming schema.table.column and what to do).
 */
void		source_check_column_types(Source *src, const SourceCheckOptions *opts, CheckList *out);

/* Open a source with the driver for url->engine.  NULL on error (logged). */
Source	   *source_open(const ConnUrl *url);
void		source_close(Source *src);

#endif
