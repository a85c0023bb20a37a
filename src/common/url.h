/*
 * src/common/url.h
 *	  Connection URLs for sources and targets.
 *
 *   postgres://user:pa%40ss@host:5432/db?sslmode=verify-full&sslrootcert=/ca.pem
 *   postgresql://user@%2Fvar%2Frun%2Fpostgresql/db       (unix socket directory)
 *   postgresql://root@crdb:26257/defaultdb?sslmode=verify-full   (CockroachDB)
 *   mysql://user:pass@127.0.0.1:3306/shop?ssl-mode=REQUIRED&ssl-ca=/ca.pem
 *   mariadb://user@localhost/shop?socket=/run/mysqld/mysqld.sock
 *
 * A PostgreSQL source or target may also be a libpq key/value string
 * ("host=... dbname=..."); it is passed to libpq untouched.
 *
 * The decoded password lives only in ConnUrl.password and in `raw`; anything
 * printed uses conn_url_redacted().
 */
#ifndef GODWIT_COMMON_URL_H
#define GODWIT_COMMON_URL_H

#include <stdbool.h>

typedef enum ConnEngine
{
	ENGINE_POSTGRES,			/* PostgreSQL or CockroachDB (PostgreSQL wire) */
	ENGINE_MYSQL,				/* MySQL or MariaDB */
} ConnEngine;

typedef struct ConnParam
{
	char	   *key;
	char	   *value;
} ConnParam;

typedef struct ConnUrl
{
	ConnEngine	engine;
	bool		is_keyvalue;	/* libpq "key=value" form, not a URL */
	char	   *raw;			/* as given (contains the password!) */
	char	   *user;			/* decoded; NULL when absent */
	char	   *password;		/* decoded; NULL when absent */
	char	   *host;			/* decoded; NULL when absent; '/' prefix = socket */
	int			port;			/* 0 when absent */
	char	   *dbname;			/* decoded; NULL when absent */
	ConnParam  *params;			/* decoded query parameters */
	int			nparams;
	/*
	 * Startup options ("-c name=value") godwit itself adds to every ordinary
	 * (not replication) session on this PostgreSQL-wire URL, overriding the
	 * URL's own "options"; NULL for none.  Not owned: a static string.
	 */
	const char *session_options;
} ConnUrl;

/*
 * conn_url_parse
 *		Parse text into *out (caller frees with conn_url_free, also on failure).
 *
 * Returns false with a message in err (never containing the password).
 */
bool		conn_url_parse(const char *text, ConnUrl *out, char *err, int errlen);
void		conn_url_free(ConnUrl *u);
const char *conn_url_param(const ConnUrl *u, const char *key);
/* The URL with its password replaced by "****"; caller frees. */
char	   *conn_url_redacted(const ConnUrl *u);
/* Short description for messages: "postgres host:port/db". Caller frees. */
char	   *conn_url_describe(const ConnUrl *u);
/* Percent-decode s[0..n) into a new string (caller frees); false if malformed. */
bool		url_percent_decode(const char *s, int n, char **out);

#endif
