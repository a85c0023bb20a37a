/*
 * src/dialect/target_verify.h
 *	  The target side of godwit verify: what tables and columns the target
 *	  has, key-ordered row streams and range hashes, the replication
 *	  checkpoint, and the verify results kept in _godwit.
 *
 * Every statement here is valid on PostgreSQL and CockroachDB, except where
 * a dialect check picks a CockroachDB form (COLLATE "C", which CockroachDB's
 * default byte order makes unnecessary) or where only PostgreSQL is asked
 * (range hashes: the verifier pushes hashes down only to a PostgreSQL
 * target, whose text forms equal a PostgreSQL source's).
 *
 * Results tables (created by target_verify_state_ensure, plain types both
 * dialects accept):
 *   _godwit.verify_runs    one row per verify run: mode, status, totals
 *   _godwit.verify_tables  one row per table of a run: MOLT's counters
 *   _godwit.verify_rows    the offending rows of a run (first N per table):
 *                          kind, key (JSON), differing columns, values
 */
#ifndef GODWIT_DIALECT_TARGET_VERIFY_H
#define GODWIT_DIALECT_TARGET_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

/*
 * target_verify_session
 *		Set the session so values print in the forms the verifier expects and
 *		a PostgreSQL source prints too: DateStyle ISO, IntervalStyle postgres,
 *		TimeZone UTC, extra_float_digits 1, bytea_output hex (PostgreSQL:
 *		lc_monetary C).  False on error (logged).
 */
bool		target_verify_session(PgConn *c);

/* A table that exists on the target. */
typedef struct TargetTableName
{
	char	   *schema;
	char	   *name;
} TargetTableName;

/*
 * target_verify_list_tables
 *		The ordinary and partitioned tables (not partitions) of the given
 *		schemas.  *out is gw_malloc'd, strings too: free with
 *		target_verify_free_tables.  False on error (logged).
 */
bool		target_verify_list_tables(PgConn *c, const char *const *schemas, int nschemas,
									  TargetTableName **out, int *n);
void		target_verify_free_tables(TargetTableName *t, int n);

/* A column of a target table, as information_schema describes it. */
typedef struct TargetColumnInfo
{
	char	   *name;
	char	   *type_name;		/* underlying type: udt_name ("int4", "_text", "mood") */
	char	   *domain_name;	/* the domain, NULL if none */
	bool		is_array;
	bool		nullable;
	int64_t		length;			/* character/bit length, -1 if none */
	int			precision;		/* numeric, -1 if none */
	int			scale;
} TargetColumnInfo;

/* Columns of one table, in order.  Free with target_verify_free_columns. */
bool		target_verify_columns(PgConn *c, const char *schema, const char *table,
								  TargetColumnInfo **out, int *n);
void		target_verify_free_columns(TargetColumnInfo *cols, int n);

/*
 * The columns a read selects: present[i] for each catalog column i of the
 * table that exists on the target (under its target_name) and is compared.
 */
typedef struct TargetRowStream TargetRowStream;

/*
 * target_rows_open
 *		Start streaming the selected rows of t (key ordered, see
 *		RowSelection), one at a time (libpq single-row mode: memory holds one
 *		row).  NULL on error (logged).
 */
TargetRowStream *target_rows_open(PgConn *c, const Table *t, const bool *present, const RowSelection *sel);

/*
 * target_rows_next
 *		The next row: 1 and *row filled (valid until the next call), 0 at the
 *		end, -1 on error (logged).
 */
int			target_rows_next(TargetRowStream *s, const VerifyRow **row);

/* End the stream (cancelling what is left unread); false if it failed. */
bool		target_rows_close(TargetRowStream *s);

/*
 * target_verify_hash
 *		count(*) and sum(hashtextextended(ROW(<columns>)::text, 0)) of a range
 *		of t, every column not skipped, in catalog order: the same expression
 *		the PostgreSQL source driver computes.  PostgreSQL targets only.
 */
bool		target_verify_hash(PgConn *c, const Table *t, const ShardRange *range, RangeHash *out);

/*
 * target_verify_key_bounds
 *		min and max of the first key column within range (as text; NULL when
 *		the range is empty), for splitting a range that differs.
 */
bool		target_verify_key_bounds(PgConn *c, const Table *t, const ShardRange *range,
									 char **min, char **max);

/*
 * target_verify_checkpoint
 *		The replication checkpoint position of stream (caller frees); *found
 *		false when there is none, or no _godwit state at all.  Quiet: false
 *		only on a lost connection or another real error (logged).
 */
bool		target_verify_checkpoint(PgConn *c, const char *stream, char **position, bool *found);

/* ---- results ---- */

bool		target_verify_state_ensure(PgConn *c);

/* Insert a run; *run_id set.  options: JSON text (may be NULL). */
bool		target_verify_run_start(PgConn *c, const char *mode, bool live, const char *options,
									int64_t *run_id);

typedef struct VerifyTableResult
{
	const char *schema;			/* source names */
	const char *table;
	const char *status;			/* "ok", "mismatch", "missing", "extraneous", "error" */
	int64_t		truth_rows;
	int64_t		success;
	int64_t		missing;
	int64_t		mismatch;
	int64_t		extraneous;
	int64_t		column_mismatch;
	int64_t		live_retry;
	const char *message;		/* NULL if none */
} VerifyTableResult;

bool		target_verify_put_table(PgConn *c, int64_t run_id, const VerifyTableResult *r);

/* One offending row: kind "missing" / "mismatch" / "extraneous". */
bool		target_verify_put_row(PgConn *c, int64_t run_id, const char *schema, const char *table,
								  const char *kind, const char *key_json, const char *columns,
								  const char *detail_json);

bool		target_verify_run_finish(PgConn *c, int64_t run_id, const char *status, int64_t tables,
									 int64_t rows, int64_t differences);

#endif
