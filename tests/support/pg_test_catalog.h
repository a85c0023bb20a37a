/*
 * tests/support/pg_test_catalog.h
 *	  Test-only: fill a Catalog from a PostgreSQL database's pg_catalog, with
 *	  just what the replication tests need (tables, columns in order with
 *	  their type OIDs, primary keys, replica identity, relation OIDs).
 *
 * The real catalog reader (src/dialect/pg, SourceOps.read_catalog) is richer;
 * this one exists so stream tests do not depend on it.
 */
#ifndef GODWIT_TESTS_PG_TEST_CATALOG_H
#define GODWIT_TESTS_PG_TEST_CATALOG_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "dialect/pg/pg_conn.h"

/*
 * test_catalog_read_pg
 *		Add every user table (ordinary or partitioned, not a partition; not in
 *		pg_catalog, information_schema or _godwit) whose name is not in
 *		exclude[0..nexclude) to cat (initialised by the caller).
 *
 * Returns false on a query error (logged).
 */
bool		test_catalog_read_pg(PgConn *c, Catalog *cat, const char *const *exclude, int nexclude);

#endif
