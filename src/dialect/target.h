/*
 * src/dialect/target.h
 *	  The target: a PostgreSQL-wire database, PostgreSQL or CockroachDB.
 *
 * Every statement godwit sends to a target is built in this folder, so the
 * SQL both engines accept (see docs/cockroachdb.md) is checked in one place.
 * The differences between the two dialects are data (TargetDialect), not
 * scattered conditionals.
 */
#ifndef GODWIT_DIALECT_TARGET_H
#define GODWIT_DIALECT_TARGET_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "common/checklist.h"
#include "dialect/pg/pg_conn.h"

/* Open a target connection; dialect detected from version(). */
bool		target_connect(PgConn *c, const ConnUrl *url);
TargetDialect target_dialect(const PgConn *c);

/* Preflight: reachable, dialect, can create schemas and tables. */
void		target_check(PgConn *c, CheckList *out);

#endif
