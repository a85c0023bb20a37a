/*
 * src/dialect/target_state.h
 *	  godwit's own state, kept in the target's "_godwit" schema.
 *
 * Nothing about a migration's progress lives on local disk: a godwit process
 * can die, move to another pod and resume.  The tables (all plain SQL that
 * both PostgreSQL and CockroachDB accept):
 *
 *   _godwit.runs        one row per fetch run: snapshot position (cdc
 *                       cursor), slot and publication, status, options
 *   _godwit.shards      one row per shard of a run: key range, status; a
 *                       shard is marked done in the same transaction as its rows
 *   _godwit.checkpoint  per replication stream: the last applied source
 *                       position, updated in the same transaction as the
 *                       changes it covers (exactly-once apply)
 *   _godwit.sequences   source sequence values read at fetch/cutover time
 *
 * Every write here that accompanies data is issued on the caller's
 * connection inside the caller's transaction.
 */
#ifndef GODWIT_DIALECT_TARGET_STATE_H
#define GODWIT_DIALECT_TARGET_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "dialect/pg/pg_conn.h"

typedef enum RunStatus
{
	RUN_RUNNING,
	RUN_DONE,
	RUN_FAILED,
} RunStatus;

typedef struct RunInfo
{
	int64_t		run_id;
	RunStatus	status;
	char	   *source_engine;
	char	   *source_server;
	char	   *slot_name;		/* NULL without replication */
	char	   *publication;
	char	   *snapshot_position;	/* cdc cursor: LSN or GTID position */
	char	   *options;		/* JSON: filters etc., to check a resume is compatible */
	int64_t		started_us;
	int64_t		finished_us;	/* 0 while running */
} RunInfo;

typedef enum ShardStatus
{
	SHARD_PENDING,
	SHARD_DONE,
} ShardStatus;

/*
 * Create the schema and tables if missing (idempotent).  False on error
 * (logged).  An existing _godwit schema is not created again: CREATE SCHEMA
 * IF NOT EXISTS needs CREATE on the database even then, which a migration
 * user given only the schema (a DBA created it) does not have.
 */
bool		state_ensure(PgConn *c);
/* Does the _godwit schema exist?  False also when the query fails. */
bool		state_schema_present(PgConn *c);
bool		state_exists(PgConn *c, bool *exists);

/* The latest run of a kind ("fetch"); *found false if none.  Caller frees with run_info_free. */
bool		state_latest_run(PgConn *c, const char *kind, RunInfo *out, bool *found);
void		run_info_free(RunInfo *r);
/* Insert a new run; sets r->run_id. */
bool		state_create_run(PgConn *c, const char *kind, RunInfo *r);
bool		state_update_run_snapshot(PgConn *c, const RunInfo *r);
bool		state_finish_run(PgConn *c, int64_t run_id, RunStatus status);

/* Shards of a run. */
bool		state_add_shard(PgConn *c, int64_t run_id, const char *schema, const char *table,
							int shard_no, const char *lo, const char *hi, int64_t est_rows);
/*
 * Mark a shard done, inside the transaction that copied its rows.  The mark
 * is the shard's idempotence guard: *already_done is set when an earlier
 * attempt's commit went through (its acknowledgement lost), and the caller
 * must then roll back, as the rows are there once already.  False on error.
 */
bool		state_mark_shard_done(PgConn *c, int64_t run_id, const char *schema, const char *table,
								  int shard_no, int64_t rows, int64_t bytes, bool *already_done);

typedef struct ShardRow
{
	char	   *schema;
	char	   *table;
	int			shard_no;
	char	   *lo;				/* NULL = open */
	char	   *hi;
	int64_t		est_rows;
	ShardStatus status;
	int64_t		rows_copied;
	int64_t		bytes_copied;
} ShardRow;

/* All shards of a run, in (schema, table, shard_no) order.  Caller frees with shard_rows_free. */
bool		state_list_shards(PgConn *c, int64_t run_id, ShardRow **out, int *n);
void		shard_rows_free(ShardRow *rows, int n);

/* Replication checkpoint of a stream. */
typedef struct Checkpoint
{
	char	   *position;		/* last fully applied source position */
	char	   *txn_id;			/* transaction partly applied, or NULL */
	int64_t		txn_applied;	/* its changes applied, -1 if none */
	int64_t		changes_applied;	/* total changes applied (statistics) */
	int64_t		commit_time_us; /* source commit time of position */
	int64_t		applied_us;		/* when it was applied */
} Checkpoint;

bool		state_get_checkpoint(PgConn *c, const char *stream, Checkpoint *out, bool *found);
void		checkpoint_free(Checkpoint *cp);
/*
 * The checkpoint upsert, for callers that pipeline it with their own
 * statements.  Parameters: $1 stream, $2 position, $3 txn_id, $4 txn_applied,
 * $5 changes_applied, $6 commit time (epoch seconds, may be NULL).
 */
extern const char TARGET_CHECKPOINT_UPSERT_SQL[];

/* Upsert the checkpoint (inside the apply transaction). */
bool		state_put_checkpoint(PgConn *c, const char *stream, const Checkpoint *cp);

/*
 * Replicators announce themselves every second (heartbeat), so cutover can
 * tell whether one is running to carry out its request.
 */
bool		state_heartbeat(PgConn *c, const char *stream, int64_t pid, const char *host,
							const char *position);
bool		state_replicator_alive(PgConn *c, const char *stream, int64_t within_us, bool *alive);
bool		state_replicator_gone(PgConn *c, const char *stream);

/*
 * Cutover requests: godwit cutover records the source position read once
 * writes stopped (requested); a running replicator applies up to it
 * (draining), stops its stream and says so (drained); cutover then syncs
 * sequences and verifies (done, with the report), or failed.
 */
typedef enum CutoverStatus
{
	CUTOVER_REQUESTED,
	CUTOVER_DRAINING,
	CUTOVER_DRAINED,
	CUTOVER_DONE,
	CUTOVER_FAILED,
} CutoverStatus;

bool		state_cutover_request(PgConn *c, const char *source_position, int64_t *cutover_id);
/* The latest request not yet drained (*cutover_id 0 if none); caller frees *source_position. */
bool		state_cutover_pending(PgConn *c, int64_t *cutover_id, char **source_position);
bool		state_cutover_set(PgConn *c, int64_t cutover_id, CutoverStatus status, const char *report);
bool		state_cutover_get(PgConn *c, int64_t cutover_id, CutoverStatus *status, char **report);

/*
 * The target's clock now (caller frees), and: drop the changed keys whose
 * last change is before that time, once a verify started then has covered
 * them.  Times are the target's, never godwit's, so clocks cannot disagree.
 */
bool		state_target_now(PgConn *c, char **now);
/*
 * The distinct changed keys of one table (JSON arrays, or "*"), sorted;
 * caller frees each and the array (NULL when there are none).
 */
bool		state_changed_keys(PgConn *c, const char *schema, const char *table, char ***keys, int *n);
bool		state_clear_changed_keys(PgConn *c, const char *verify_started_at);

#endif
