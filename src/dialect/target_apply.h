/*
 * src/dialect/target_apply.h
 *	  The statements replication sends to the target, for a table and a
 *	  number of rows.  Values are always $n text parameters; the server infers
 *	  each parameter's type from the column it is compared with or stored in.
 *
 *   upsert   INSERT INTO t (c..) VALUES ($1..),(..) ON CONFLICT (pk) DO UPDATE SET c = excluded.c
 *            (CockroachDB: UPSERT INTO t (c..) VALUES ..., its faster equivalent)
 *   delete   DELETE FROM t WHERE (k1, k2) IN (($1, $2), ...)
 *   update   UPDATE t SET c = $1, ... WHERE k = $n      (rows with unchanged TOAST
 *            values: only the columns that were sent)
 *   truncate TRUNCATE t1, t2 [CASCADE]
 *
 * Placeholders are numbered row-major: row r, column k -> $(r * ncols + k + 1).
 */
#ifndef GODWIT_DIALECT_TARGET_APPLY_H
#define GODWIT_DIALECT_TARGET_APPLY_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "common/strbuf.h"

/* Columns written by replication: every column not marked skip. */
int			target_apply_ncolumns(const Table *t);
/* Largest row count per statement for t (PostgreSQL's 65535 parameter limit). */
int			target_apply_max_rows(const Table *t, int wanted);

void		target_sql_upsert(StrBuf *sql, TargetDialect d, const Table *t, int nrows);
/* Plain multi-row INSERT of nrows rows: fails on a key the target already has. */
void		target_sql_insert(StrBuf *sql, TargetDialect d, const Table *t, int nrows);
void		target_sql_delete(StrBuf *sql, const Table *t, int nkeys);
/*
 * UPDATE of the columns whose present[i] is true (i over all columns), for
 * the row whose key is given after them; with key_moved the key columns are
 * among the SET columns and the WHERE uses the old key.
 */
void		target_sql_update(StrBuf *sql, const Table *t, const bool *present);
void		target_sql_truncate(StrBuf *sql, Table *const *tables, int n, bool cascade);

/*
 * Tables without a primary key (--allow-no-pk): a change is applied to ONE
 * row equal to the old row in every column, found by its physical row id
 * (PostgreSQL ctid, CockroachDB's hidden rowid).  Parameters: the old row's
 * values ($1..$n, every non-skipped column), then for the update the new ones.
 * Columns whose type has no equality operator (json, xml, geometric types)
 * are compared by their text form.
 */
void		target_sql_delete_one(StrBuf *sql, TargetDialect d, const Table *t);
void		target_sql_update_one(StrBuf *sql, TargetDialect d, const Table *t);

#endif
