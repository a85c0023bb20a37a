/*
 * src/dialect/pg/pg_source.h
 *	  Private to the PostgreSQL driver: the state behind a Source.
 */
#ifndef GODWIT_DIALECT_PG_SOURCE_H
#define GODWIT_DIALECT_PG_SOURCE_H

#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

typedef struct PgSource
{
	Source		base;			/* must be first */
	PgConn		conn;			/* control connection */
} PgSource;

/*
 * Entry points implemented in the driver's other files, reached by the rest
 * of godwit only through source_ops_postgres.
 */
bool		pg_snapshot_begin(Source *src, const SnapshotRequest *req, Snapshot *out);
void		pg_snapshot_end(Source *src, Snapshot *snap);
bool		pg_plan_shards(Source *src, const Table *t, int64_t target_bytes, ShardPlan *out);
bool		pg_copy_shard(SourceReader *r, const Table *t, const ShardRange *range,
						  const CopySink *sink, int64_t *rows);

/* pg_verify.c: SourceOps.verify_* (see source.h). */
VerifyReader *pg_verify_open(Source *src, const Catalog *cat);
void		pg_verify_close(VerifyReader *r);
bool		pg_verify_begin(VerifyReader *r, char *position, size_t poslen);
void		pg_verify_end(VerifyReader *r);
bool		pg_verify_read(VerifyReader *r, const Table *t, const RowSelection *sel,
						   const VerifyRowSink *sink, int64_t *rows);
bool		pg_verify_hash(VerifyReader *r, const Table *t, const ShardRange *range, RangeHash *out);

/* pg_catalog.c: SourceOps.read_catalog (see there). */
bool		pg_read_catalog(Source *src, const TableFilter *filter, Catalog *out);

#endif
