/*
 * src/dialect/pg/pg_conn.c
 *	  libpq connection wrapper with godwit's error discipline (see pg_conn.h).
 */
#include "dialect/pg/pg_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"

const char *
conn_role_name(ConnRole role)
{
	return role == ROLE_SOURCE ? "source" : "target";
}

static void
pg_set_error(PgConn *c, const char *sqlstate, const char *msg)
{
	snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", sqlstate ? sqlstate : "");
	free(c->last_error);
	c->last_error = gw_strdup(msg ? msg : "unknown error");
	/* strip the trailing newline libpq leaves */
	size_t		n = strlen(c->last_error);

	while (n > 0 && (c->last_error[n - 1] == '\n' || c->last_error[n - 1] == ' '))
		c->last_error[--n] = '\0';
}

void
pg_note_error(PgConn *c, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (msg == NULL)
		msg = PQerrorMessage(c->conn);
	if (state == NULL && c->conn && PQstatus(c->conn) == CONNECTION_BAD)
		state = "08006";		/* connection_failure */
	pg_set_error(c, state, msg);
}

void
pg_error_save(const PgConn *c, PgErrorSave *save)
{
	memcpy(save->sqlstate, c->sqlstate, sizeof(save->sqlstate));
	save->message = c->last_error ? gw_strdup(c->last_error) : NULL;
}

void
pg_error_restore(PgConn *c, PgErrorSave *save)
{
	if (save->message || save->sqlstate[0])
		pg_set_error(c, save->sqlstate, save->message);
	else
		c->sqlstate[0] = '\0';
	free(save->message);
	save->message = NULL;
}

void
pg_rollback(PgConn *c)
{
	PgErrorSave save;

	pg_error_save(c, &save);
	if (!pg_exec_quiet(c, "ROLLBACK") && pg_error_is_connection(c))
	{
		free(save.message);
		return;
	}
	pg_error_restore(c, &save);
}

void
pg_log_error(PgConn *c, const char *what)
{
	err_set_kind(c->role == ROLE_SOURCE ? ERR_SOURCE : ERR_TARGET);
	log_error_dh(c->last_error, NULL, "%s on %s%s%s%s", what, conn_role_name(c->role),
				 c->sqlstate[0] ? " (SQLSTATE " : "", c->sqlstate, c->sqlstate[0] ? ")" : "");
}

bool
pg_error_is_retryable(const PgConn *c)
{
	return strcmp(c->sqlstate, "40001") == 0 || strcmp(c->sqlstate, "40P01") == 0;
}

bool
pg_error_is_connection(const PgConn *c)
{
	if (c->conn == NULL || PQstatus(c->conn) == CONNECTION_BAD)
		return true;
	return strncmp(c->sqlstate, "08", 2) == 0 ||
		strcmp(c->sqlstate, "57P01") == 0 ||	/* admin_shutdown */
		strcmp(c->sqlstate, "57P02") == 0 ||	/* crash_shutdown */
		strcmp(c->sqlstate, "57P03") == 0;	/* cannot_connect_now */
}

bool
pg_is_cockroach(const PgConn *c)
{
	return c->flavor == PG_FLAVOR_COCKROACH;
}

static void
pg_notice_receiver(void *arg, const PGresult *res)
{
	PgConn	   *c = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (sev && (strcmp(sev, "WARNING") == 0))
		log_warn("%s server: %s", conn_role_name(c->role), msg ? msg : "");
	else
		log_debug("%s server %s: %s", conn_role_name(c->role), sev ? sev : "NOTICE", msg ? msg : "");
}

bool
pg_connect(PgConn *c, const ConnUrl *url, ConnRole role, bool replication)
{
	const char *keys[10];
	const char *vals[10];
	int			n = 0;

	memset(c, 0, sizeof(*c));
	c->role = role;
	c->replication = replication;
	c->describe = gw_asprintf("%s (%s)", conn_role_name(role), "postgres");

	/* defaults first: anything in the URL overrides them */
	keys[n] = "connect_timeout", vals[n++] = "10";
	keys[n] = "fallback_application_name", vals[n++] = "godwit";
	keys[n] = "dbname", vals[n++] = url->raw;
	if (replication)
	{
		keys[n] = "replication", vals[n++] = "database";
		/* money values are decoded in this session's locale: make it fixed */
		keys[n] = "options", vals[n++] = "-c lc_monetary=C";
	}
	else if (url->session_options)
		keys[n] = "options", vals[n++] = url->session_options;
	keys[n] = NULL, vals[n] = NULL;

	c->conn = PQconnectdbParams(keys, vals, 1);
	if (c->conn == NULL || PQstatus(c->conn) != CONNECTION_OK)
	{
		char	   *where = conn_url_describe(url);

		pg_note_error(c, NULL);
		err_set_kind(role == ROLE_SOURCE ? ERR_SOURCE : ERR_TARGET);
		log_error_dh(c->last_error,
					 role == ROLE_SOURCE ? "check --source: host, port, user, password (GODWIT_SOURCE, PGPASSWORD or ~/.pgpass) and pg_hba.conf"
					 : "check --target: host, port, user, password (GODWIT_TARGET, PGPASSWORD or ~/.pgpass) and pg_hba.conf",
					 "could not connect to %s (%s)", conn_role_name(role), where);
		free(where);
		pg_disconnect(c);
		return false;
	}
	PQsetNoticeReceiver(c->conn, pg_notice_receiver, c);
	c->server_version = PQserverVersion(c->conn);

	/* version() works on walsender connections too (replication=database) */
	PGresult   *res = PQexec(c->conn, "SELECT version()");

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		pg_note_error(c, res);
		PQclear(res);
		pg_log_error(c, "could not read the server version");
		pg_disconnect(c);
		return false;
	}
	c->version_string = gw_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	c->flavor = strstr(c->version_string, "CockroachDB") ? PG_FLAVOR_COCKROACH : PG_FLAVOR_POSTGRES;

	if (!replication)
	{
		/*
		 * A bulk copy or a long verify must not be cut by a role's
		 * statement_timeout; and every statement godwit builds qualifies its
		 * names, so an empty search_path protects against hostile objects.
		 */
		if (!pg_exec(c, "SET statement_timeout = 0") ||
			!pg_exec(c, c->flavor == PG_FLAVOR_POSTGRES
					 ? "SELECT pg_catalog.set_config('search_path', '', false)"
					 : "SET search_path = public"))
		{
			pg_disconnect(c);
			return false;
		}
		if (c->flavor == PG_FLAVOR_POSTGRES &&
			!pg_exec(c, "SET idle_in_transaction_session_timeout = 0"))
		{
			pg_disconnect(c);
			return false;
		}
	}
	free(c->describe);
	c->describe = gw_asprintf("%s (%s %s)", conn_role_name(role),
							  c->flavor == PG_FLAVOR_COCKROACH ? "CockroachDB" : "PostgreSQL",
							  PQparameterStatus(c->conn, "server_version"));
	return true;
}

void
pg_disconnect(PgConn *c)
{
	if (c->conn)
		PQfinish(c->conn);
	c->conn = NULL;
	free(c->version_string);
	free(c->last_error);
	free(c->describe);
	c->version_string = c->last_error = c->describe = NULL;
}

bool
pg_reconnect(PgConn *c, const ConnUrl *url)
{
	ConnRole	role = c->role;
	bool		repl = c->replication;

	pg_disconnect(c);
	return pg_connect(c, url, role, repl);
}

bool
pg_exec_quiet(PgConn *c, const char *sql)
{
	PGresult   *res = PQexec(c->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	bool		ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		pg_note_error(c, res);
	else
		c->sqlstate[0] = '\0';
	PQclear(res);
	return ok;
}

bool
pg_exec(PgConn *c, const char *sql)
{
	if (pg_exec_quiet(c, sql))
		return true;
	log_debug("failed statement: %s", sql);
	pg_log_error(c, "could not execute statement");
	return false;
}

PGresult *
pg_query_quiet(PgConn *c, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = nparams > 0
		? PQexecParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0)
		: PQexec(c->conn, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		pg_note_error(c, res);
		PQclear(res);
		return NULL;
	}
	c->sqlstate[0] = '\0';
	return res;
}

PGresult *
pg_query(PgConn *c, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = pg_query_quiet(c, sql, nparams, params);

	if (res == NULL)
	{
		log_debug("failed query: %s", sql);
		pg_log_error(c, "could not run query");
	}
	return res;
}

bool
pg_query_value(PgConn *c, const char *sql, int nparams, const char *const *params, char **out)
{
	PGresult   *res = pg_query(c, sql, nparams, params);

	*out = NULL;
	if (res == NULL)
		return false;
	if (PQntuples(res) < 1 || PQnfields(res) < 1)
	{
		PQclear(res);
		pg_set_error(c, "", "query returned no rows");
		pg_log_error(c, "unexpected empty result");
		return false;
	}
	if (!PQgetisnull(res, 0, 0))
		*out = gw_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}
