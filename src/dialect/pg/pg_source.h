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

/* pg_catalog.c: SourceOps.read_catalog (see there). */
bool		pg_read_catalog(Source *src, const TableFilter *filter, Catalog *out);

#endif
