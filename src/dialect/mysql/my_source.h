/*
 * src/dialect/mysql/my_source.h
 *	  Private to the MySQL/MariaDB driver: the state behind a Source.
 */
#ifndef GODWIT_DIALECT_MY_SOURCE_H
#define GODWIT_DIALECT_MY_SOURCE_H

#include "dialect/mysql/my_conn.h"
#include "dialect/source.h"

typedef struct MySource
{
	Source		base;			/* must be first */
	MyConn		conn;			/* control connection */
} MySource;

/* my_verify.c: SourceOps.verify_* (see source.h). */
VerifyReader *my_verify_open(Source *src, const Catalog *cat);
void		my_verify_close(VerifyReader *r);
bool		my_verify_begin(VerifyReader *r, char *position, size_t poslen);
void		my_verify_end(VerifyReader *r);
bool		my_verify_read(VerifyReader *r, const Table *t, const RowSelection *sel,
						   const VerifyRowSink *sink, int64_t *rows);

/* my_position.c: SourceOps.current_position, position_reached, position_lag_bytes. */
bool		my_current_position(Source *src, char *out, size_t outlen);
bool		my_position_reached(const char *applied, const char *wanted);
int64_t		my_position_lag_bytes(const char *applied, const char *current);

/* my_catalog.c: SourceOps.read_catalog (see there). */
bool		my_read_catalog(Source *src, const TableFilter *filter, Catalog *out);

/*
 * The binlog change stream (my_stream.c), behind SourceOps.stream_*:
 * see source.h for the contracts.  stream_open registers a replica on a
 * dedicated connection and starts a GTID dump; stream_next blocks at most
 * about timeout_ms (rounded up to the 0.5 s heartbeat) when idle.
 */
ReplStream *my_stream_open(Source *src, const StreamStart *start, Catalog *cat);
StreamResult my_stream_next(ReplStream *rs, ChangeBatch *batch, int timeout_ms);
bool		my_stream_confirm(ReplStream *rs, const char *position);
void		my_stream_close(ReplStream *rs);

/*
 * Bulk copy (my_fetch.c), behind SourceOps.snapshot_begin, snapshot_end,
 * plan_shards and copy_shard: see source.h for the contracts and my_fetch.c
 * for the snapshot hand-off.
 */
bool		my_snapshot_begin(Source *src, const SnapshotRequest *req, Snapshot *out);
void		my_snapshot_end(Source *src, Snapshot *snap);
bool		my_plan_shards(Source *src, const Table *t, int64_t target_bytes, ShardPlan *out);
bool		my_copy_shard(SourceReader *r, const Table *t, const ShardRange *range, const CopySink *sink,
						  int64_t *rows);

#endif
