/*
 * src/dialect/pg/pg_stmtcache.h
 *	  Named prepared statements on one connection, bounded and reused, for
 *	  the applier's pipelined flushes.
 *
 * A multi-row upsert of 1,000 rows costs the target as much to parse,
 * analyze and plan as to execute (perf: about a third of the backend's time
 * in replication apply).  The applier sends its statements in a few fixed
 * row counts per table, so most of them repeat exactly: prepared once, they
 * are executed with only their parameters afterwards.
 *
 * A statement is identified by (owner, kind, nrows): owner and kind are the
 * caller's (a table and "upsert"/"delete"), nrows the row count.  The cache
 * holds at most `capacity` statements (a generic plan of a large VALUES list
 * takes server memory); the least recently used is deallocated to make room.
 *
 * Transactions: a Parse sent in a pipeline that fails may or may not have
 * run, so statements prepared in a flush are *pending* until
 * stmtcache_commit(); stmtcache_abort() deallocates them (names are never
 * reused, so an uncertain one can never be taken for another statement).
 * Statements committed once stay valid across failed transactions (a
 * statement evicted in a pipeline that failed may stay allocated on the
 * server until the session ends); a new session (reconnect) starts from an
 * empty cache: stmtcache_forget().
 */
#ifndef GODWIT_DIALECT_PG_STMTCACHE_H
#define GODWIT_DIALECT_PG_STMTCACHE_H

#include <stdbool.h>

#include "dialect/pg/pg_conn.h"

typedef struct StmtCache StmtCache;

StmtCache  *stmtcache_new(int capacity);
void		stmtcache_free(StmtCache *c);

/*
 * stmtcache_send
 *		In conn's open pipeline, execute the statement (owner, kind, nrows)
 *		with params: the prepared one when cached; otherwise build_sql(arg)
 *		is called for its text (valid until the next call), which is
 *		prepared under a new name first, after deallocating the least
 *		recently used statement when the cache is full.
 *
 * False when libpq could not queue a message (noted on conn).
 */
bool		stmtcache_send(StmtCache *c, PgConn *conn, const void *owner, int kind, int nrows,
						   const char *(*build_sql) (void *arg), void *arg, int nparams,
						   const char *const *params);

/* The pipeline committed: statements prepared in it are known to exist. */
void		stmtcache_commit(StmtCache *c);

/*
 * The pipeline failed (the transaction is rolled back, the connection out of
 * pipeline mode): deallocate the statements prepared in it, if they exist.
 */
void		stmtcache_abort(StmtCache *c, PgConn *conn);

/* The session is gone (reconnect): nothing prepared exists any more. */
void		stmtcache_forget(StmtCache *c);

/*
 * The caller is done with conn, which lives on (it is borrowed): deallocate
 * every statement, so the session does not keep their plans.  Errors are
 * ignored (a lost connection has none left).
 */
void		stmtcache_release(StmtCache *c, PgConn *conn);

#endif
