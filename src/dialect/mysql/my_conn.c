/*
 * src/dialect/mysql/my_conn.c
 *	  Connector/C connection wrapper (see my_conn.h).
 */
#include "dialect/mysql/my_conn.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"

void
my_note_error(MyConn *c)
{
	c->last_errno = mysql_errno(c->mysql);
	snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", mysql_sqlstate(c->mysql));
	free(c->last_error);
	c->last_error = gw_strdup(mysql_error(c->mysql));
}

void
my_log_error(MyConn *c, const char *what)
{
	err_set_kind(ERR_SOURCE);
	log_error_dh(c->last_error, NULL, "%s on source (MySQL error %u)", what, c->last_errno);
}

bool
my_error_is_connection(const MyConn *c)
{
	return c->last_errno == CR_SERVER_GONE_ERROR || c->last_errno == CR_SERVER_LOST ||
		c->last_errno == CR_CONN_HOST_ERROR || c->last_errno == CR_CONNECTION_ERROR ||
		c->last_errno == ER_CONNECTION_KILLED || c->last_errno == CR_SERVER_LOST_EXTENDED ||
		c->last_errno == ER_SERVER_SHUTDOWN;
}

/*
 * Set up TLS from the URL's ssl-mode.  Returns false on a bad mode (logged).
 * *required is set when the connection must end up encrypted: Connector/C
 * 3.3 was seen to fall back to plaintext against a server without TLS even
 * with MYSQL_OPT_SSL_ENFORCE, so my_connect verifies the cipher itself.
 */
static bool
my_apply_ssl(MyConn *c, const ConnUrl *url, bool *required)
{
	const char *mode = conn_url_param(url, "ssl-mode");
	const char *ca = conn_url_param(url, "ssl-ca");
	const char *cert = conn_url_param(url, "ssl-cert");
	const char *key = conn_url_param(url, "ssl-key");
	my_bool		yes = 1,
				no = 0;

	if (mode == NULL)
		mode = conn_url_param(url, "sslmode");
	if (mode == NULL)
		mode = "PREFERRED";
	*required = false;
	if (strcasecmp(mode, "DISABLED") == 0 || strcasecmp(mode, "disable") == 0)
	{
		mysql_optionsv(c->mysql, MYSQL_OPT_SSL_ENFORCE, &no);
		return true;
	}
	if (ca || cert || key)
		mysql_ssl_set(c->mysql, key, cert, ca, NULL, NULL);
	if (strcasecmp(mode, "PREFERRED") == 0 || strcasecmp(mode, "prefer") == 0)
		return true;
	if (strcasecmp(mode, "REQUIRED") == 0 || strcasecmp(mode, "require") == 0)
	{
		mysql_optionsv(c->mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
		mysql_optionsv(c->mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no);
		*required = true;
		return true;
	}
	if (strcasecmp(mode, "VERIFY_CA") == 0 || strcasecmp(mode, "VERIFY_IDENTITY") == 0 ||
		strcasecmp(mode, "verify-ca") == 0 || strcasecmp(mode, "verify-full") == 0)
	{
		mysql_optionsv(c->mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
		mysql_optionsv(c->mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
		*required = true;
		return true;
	}
	err_set_kind(ERR_ARGS);
	log_error_dh(NULL, "use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY",
				 "invalid ssl-mode \"%s\" in the source URL", mode);
	return false;
}

bool
my_connect(MyConn *c, const ConnUrl *url)
{
	return my_connect_ex(c, url, 0);
}

bool
my_connect_ex(MyConn *c, const ConnUrl *url, unsigned read_timeout_s)
{
	const char *socket = conn_url_param(url, "socket");
	const char *host = url->host;
	const char *ct = conn_url_param(url, "connect-timeout");
	unsigned int timeout = ct ? (unsigned) atoi(ct) : 10;
	bool		tls_required = false;

	memset(c, 0, sizeof(*c));
	c->mysql = mysql_init(NULL);
	if (c->mysql == NULL)
	{
		err_set_kind(ERR_INTERNAL);
		log_error("could not initialise the MySQL client library");
		return false;
	}
	if (host && host[0] == '/')
	{
		socket = host;
		host = "localhost";
	}
	mysql_optionsv(c->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (read_timeout_s)
		mysql_optionsv(c->mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout_s);
	mysql_optionsv(c->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!my_apply_ssl(c, url, &tls_required))
	{
		my_disconnect(c);
		return false;
	}
	if (mysql_real_connect(c->mysql, host ? host : "localhost", url->user, url->password,
						   url->dbname, (unsigned) url->port, socket, CLIENT_MULTI_RESULTS) == NULL)
	{
		char	   *where = conn_url_describe(url);

		my_note_error(c);
		err_set_kind(ERR_SOURCE);
		log_error_dh(c->last_error,
					 "check --source: host, port, user and password (keep the URL in GODWIT_SOURCE to hide it from ps)",
					 "could not connect to source (%s) (MySQL error %u)", where, c->last_errno);
		free(where);
		my_disconnect(c);
		return false;
	}
	if (tls_required && mysql_get_ssl_cipher(c->mysql) == NULL)
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh("the server accepted the connection without encryption",
					 "enable TLS on the server (have_ssl = YES), or lower ssl-mode in the source URL",
					 "could not connect to source with TLS: ssl-mode requires encryption");
		my_disconnect(c);
		return false;
	}
	c->server_version = mysql_get_server_version(c->mysql);
	c->version_string = gw_strdup(mysql_get_server_info(c->mysql));
	c->flavor = strcasestr(c->version_string, "mariadb") ? MY_FLAVOR_MARIADB : MY_FLAVOR_MYSQL;
	if (!my_exec(c, "SET SESSION time_zone = '+00:00', "
				 "SESSION net_read_timeout = 3600, SESSION net_write_timeout = 3600, "
				 "SESSION wait_timeout = 86400"))
	{
		my_disconnect(c);
		return false;
	}
	return true;
}

void
my_disconnect(MyConn *c)
{
	if (c->mysql)
		mysql_close(c->mysql);
	c->mysql = NULL;
	free(c->version_string);
	free(c->last_error);
	c->version_string = c->last_error = NULL;
}

bool
my_exec_quiet(MyConn *c, const char *sql)
{
	if (mysql_query(c->mysql, sql) != 0)
	{
		my_note_error(c);
		return false;
	}
	/* discard any result sets */
	do
	{
		MYSQL_RES  *r = mysql_store_result(c->mysql);

		if (r)
			mysql_free_result(r);
	} while (mysql_next_result(c->mysql) == 0);
	c->last_errno = 0;
	return true;
}

bool
my_exec(MyConn *c, const char *sql)
{
	if (my_exec_quiet(c, sql))
		return true;
	log_debug("failed statement: %s", sql);
	my_log_error(c, "could not execute statement");
	return false;
}

MYSQL_RES *
my_query_quiet(MyConn *c, const char *sql)
{
	MYSQL_RES  *r;

	if (mysql_query(c->mysql, sql) != 0 || (r = mysql_store_result(c->mysql)) == NULL)
	{
		my_note_error(c);
		if (c->last_errno == 0)
		{
			c->last_errno = CR_UNKNOWN_ERROR;
			free(c->last_error);
			c->last_error = gw_strdup("statement returned no result set");
		}
		return NULL;
	}
	c->last_errno = 0;
	return r;
}

MYSQL_RES *
my_query(MyConn *c, const char *sql)
{
	MYSQL_RES  *r = my_query_quiet(c, sql);

	if (r == NULL)
	{
		log_debug("failed query: %s", sql);
		my_log_error(c, "could not run query");
	}
	return r;
}

bool
my_query_value(MyConn *c, const char *sql, char **out)
{
	MYSQL_RES  *r = my_query(c, sql);
	MYSQL_ROW	row;

	*out = NULL;
	if (r == NULL)
		return false;
	row = mysql_fetch_row(r);
	if (row && mysql_num_fields(r) > 0 && row[0])
		*out = gw_strdup(row[0]);
	mysql_free_result(r);
	return true;
}
