/*
 * tests/lib/my_catalog_fill.h
 *	  TEST-ONLY: fill a Catalog from MySQL/MariaDB information_schema for the
 *	  tables a test uses, with the source side and a plausible `conv` /
 *	  target_type per column.  The real catalog reader and type mapper are
 *	  written elsewhere (dialect/mysql catalog, catalog/typemap); this exists
 *	  so the binlog stream can be tested before they land.
 */
#ifndef GODWIT_TESTS_MY_CATALOG_FILL_H
#define GODWIT_TESTS_MY_CATALOG_FILL_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "dialect/mysql/my_conn.h"

/*
 * test_catalog_fill_table
 *		Add db.name to cat with its columns and primary key.  Mapping: tinyint(1)
 *		-> boolean (CONV_MY_BOOL); binary types -> bytea; BIT -> bit(n);
 *		DATE/DATETIME/TIMESTAMP/YEAR/ENUM/SET/JSON/geometry -> their CONV_MY_*;
 *		TIME -> interval; MariaDB JSON (LONGTEXT with a json_valid check) ->
 *		CONV_MY_JSON; UUID/INET6/INET4 -> uuid/inet; other text -> CONV_MY_TEXT;
 *		numbers -> CONV_NONE.  Returns false on error (logged).
 */
bool		test_catalog_fill_table(MyConn *c, Catalog *cat, const char *db, const char *name);

#endif
