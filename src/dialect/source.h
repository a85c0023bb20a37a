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
	STREAM_ERROR,				/* failed (logged); the caller may reconnect */
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
};

extern const SourceOps source_ops_postgres;
extern const SourceOps source_ops_mysql;

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
