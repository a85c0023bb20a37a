/*
 * src/dialect/pg/pg_stream.h
 *	  Private to the PostgreSQL driver: the replication stream entries that
 *	  pg_source.c puts in source_ops_postgres (see SourceOps in
 *	  dialect/source.h for the contract of each).
 */
#ifndef GODWIT_DIALECT_PG_STREAM_H
#define GODWIT_DIALECT_PG_STREAM_H

#include "dialect/source.h"

ReplStream *pg_stream_open(Source *src, const StreamStart *start, Catalog *cat);
StreamResult pg_stream_next(ReplStream *rs, ChangeBatch *batch, int timeout_ms);
bool		pg_stream_confirm(ReplStream *rs, const char *position);
void		pg_stream_close(ReplStream *rs);

#endif
