/*
 * src/dialect/mysql/my_conn.h
 *	  A MariaDB Connector/C connection to a MySQL or MariaDB source, with
 *	  godwit's error discipline (log once, record errno/SQLSTATE, error kind).
 *
 * Sessions are set up for migration reads: utf8mb4, time_zone '+00:00' (so
 * TIMESTAMP values come back in UTC), long net timeouts so a slow target does
 * not make the server drop a streaming read.
 *
 * URL options: ssl-mode (DISABLED, PREFERRED, REQUIRED, VERIFY_CA,
 * VERIFY_IDENTITY), ssl-ca, ssl-cert, ssl-key, socket, connect-timeout.
 */
#ifndef GODWIT_DIALECT_MY_CONN_H
#define GODWIT_DIALECT_MY_CONN_H

#include <mysql.h>
#include <stdbool.h>

#include "common/url.h"

typedef enum MyFlavor
{
	MY_FLAVOR_MYSQL,
	MY_FLAVOR_MARIADB,
} MyFlavor;

typedef struct MyConn
{
	MYSQL	   *mysql;
	MyFlavor	flavor;
	unsigned long server_version;	/* 100611 for 10.6.11, 80036 for 8.0.36 */
	char	   *version_string;
	unsigned int last_errno;
	char		sqlstate[6];
	char	   *last_error;
} MyConn;

/*
 * my_connect
 *		Connect to the source described by url.
 *
 * Returns false on error (logged, never with the password).
 */
bool		my_connect(MyConn *c, const ConnUrl *url);

/*
 * my_connect_ex
 *		my_connect with a socket read timeout (0 = none): a read that waits
 *		longer fails as a lost connection.  The binlog stream uses it so a
 *		silent network partition ends the dump (the server sends heartbeats
 *		well within it).
 */
bool		my_connect_ex(MyConn *c, const ConnUrl *url, unsigned read_timeout_s);
void		my_disconnect(MyConn *c);

bool		my_exec(MyConn *c, const char *sql);
bool		my_exec_quiet(MyConn *c, const char *sql);
/* Buffered result (caller mysql_free_result()s) or NULL on error (logged). */
MYSQL_RES  *my_query(MyConn *c, const char *sql);
MYSQL_RES  *my_query_quiet(MyConn *c, const char *sql);
/* First column of the first row (caller frees); NULL value or no row -> *out NULL. */
bool		my_query_value(MyConn *c, const char *sql, char **out);

void		my_note_error(MyConn *c);
void		my_log_error(MyConn *c, const char *what);
bool		my_error_is_connection(const MyConn *c);

#endif
