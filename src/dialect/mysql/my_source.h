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

/* my_catalog.c: SourceOps.read_catalog (see there). */
bool		my_read_catalog(Source *src, const TableFilter *filter, Catalog *out);

#endif
