/*
 * src/dialect/pg/pg_conn.h
 *	  A libpq connection to a PostgreSQL-wire server (a PostgreSQL source, or
 *	  any target: PostgreSQL or CockroachDB), with godwit's error discipline.
 *
 * Every failing call logs once, with the server's message as detail, records
 * the error kind for the exit code (source or target, by the connection's
 * role), and keeps the SQLSTATE on the connection so the caller can tell a
 * retryable serialization failure (40001) or a dropped connection from a
 * constraint violation.  The *_quiet variants do not log: the caller expects
 * that the statement may fail and decides.
 *
 * A PgConn is used by one thread at a time.
 */
#ifndef GODWIT_DIALECT_PG_CONN_H
#define GODWIT_DIALECT_PG_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "common/url.h"

typedef enum ConnRole
{
	ROLE_SOURCE,
	ROLE_TARGET,
} ConnRole;

typedef enum PgFlavor
{
	PG_FLAVOR_POSTGRES,
	PG_FLAVOR_COCKROACH,
} PgFlavor;

typedef struct PgConn
{
	PGconn	   *conn;
	ConnRole	role;
	PgFlavor	flavor;
	int			server_version; /* PQserverVersion: 150004; CockroachDB reports 130000 */
	char	   *version_string; /* SELECT version() */
	bool		replication;	/* replication=database walsender connection */
	char		sqlstate[6];	/* of the last failure; "" if none */
	char	   *last_error;		/* primary message of the last failure */
	char	   *describe;		/* "source postgres host:port/db" for messages */
} PgConn;

/*
 * pg_connect
 *		Open a connection as `role`.  With replication=true the connection is a
 *		logical walsender (replication=database).  Detects PostgreSQL vs
 *		CockroachDB from version().
 *
 * Returns false on error (already logged, without the password); c is then
 * closed and may be reused.
 */
bool		pg_connect(PgConn *c, const ConnUrl *url, ConnRole role, bool replication);
void		pg_disconnect(PgConn *c);
/* Close and reopen with the same parameters (after a dropped connection). */
bool		pg_reconnect(PgConn *c, const ConnUrl *url);

/* Run a command (or several); false on error (logged). */
bool		pg_exec(PgConn *c, const char *sql);
bool		pg_exec_quiet(PgConn *c, const char *sql);

/*
 * pg_query
 *		Run a query with text parameters (nparams may be 0).
 *
 * Returns the result (caller PQclear()s) or NULL on error (logged).
 */
PGresult   *pg_query(PgConn *c, const char *sql, int nparams, const char *const *params);
PGresult   *pg_query_quiet(PgConn *c, const char *sql, int nparams, const char *const *params);

/* First column of the first row as a new string (caller frees); NULL value -> *out NULL. */
bool		pg_query_value(PgConn *c, const char *sql, int nparams, const char *const *params,
						   char **out);

/* Record a failed result/connection state on c (sqlstate, message). */
void		pg_note_error(PgConn *c, const PGresult *res);

/*
 * A connection's noted failure, kept across the statements that clean up
 * after it (ROLLBACK, DEALLOCATE): each of those notes its own outcome, and a
 * caller classifying the failure afterwards (retry on 40001, replay on 23505)
 * must see the original.  pg_error_restore puts it back and frees the copy.
 */
typedef struct PgErrorSave
{
	char		sqlstate[6];
	char	   *message;
} PgErrorSave;

void		pg_error_save(const PgConn *c, PgErrorSave *save);
void		pg_error_restore(PgConn *c, PgErrorSave *save);

/*
 * ROLLBACK after a failure, keeping that failure noted on c (see above)
 * unless the connection itself is lost, which then is the failure.
 */
void		pg_rollback(PgConn *c);
/* Log c's last error with context ("could not ... on source"). */
void		pg_log_error(PgConn *c, const char *what);

bool		pg_error_is_retryable(const PgConn *c); /* 40001, 40P01 */
bool		pg_error_is_connection(const PgConn *c);	/* connection lost / admin shutdown */
bool		pg_is_cockroach(const PgConn *c);

/* Human name of the role: "source" / "target". */
const char *conn_role_name(ConnRole role);

#endif
