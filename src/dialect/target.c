/*
 * src/dialect/target.c
 *	  Target connection and preflight (see target.h).
 */
#include "dialect/target.h"

#include <stdlib.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "dialect/target_failback.h"

#define SCOPE "target"

bool
target_connect(PgConn *c, const ConnUrl *url)
{
	if (url->engine != ENGINE_POSTGRES)
	{
		err_set_kind(ERR_ARGS);
		log_error_dh(NULL, "the target must speak the PostgreSQL wire protocol: postgres://... for PostgreSQL or CockroachDB",
					 "unsupported target URL");
		return false;
	}
	return pg_connect(c, url, ROLE_TARGET, false);
}

TargetDialect
target_dialect(const PgConn *c)
{
	return pg_is_cockroach(c) ? TARGET_COCKROACH : TARGET_POSTGRES;
}

void
target_check(PgConn *c, CheckList *out)
{
	char	   *db = NULL;

	checklist_add(out, SCOPE, "version", CHECK_OK, NULL, "%s%s",
				  pg_is_cockroach(c) ? "CockroachDB " : "PostgreSQL ",
				  PQparameterStatus(c->conn, "server_version"));

	/*
	 * Can the user create what godwit needs?  Try it inside a transaction that
	 * is rolled back: the honest test, on both dialects.
	 */
	if (!pg_exec_quiet(c, "BEGIN"))
	{
		checklist_add(out, SCOPE, "create_privilege", CHECK_FAIL, NULL, "could not start a transaction: %s",
					  c->last_error);
		return;
	}
	if (pg_exec_quiet(c, "CREATE SCHEMA _godwit_preflight") &&
		pg_exec_quiet(c, "CREATE TABLE _godwit_preflight.t (id INT8 PRIMARY KEY, v TEXT)") &&
		pg_exec_quiet(c, "INSERT INTO _godwit_preflight.t VALUES (1, 'x')"))
		checklist_add(out, SCOPE, "create_privilege", CHECK_OK, NULL, "can create schemas and tables");
	else
		checklist_add(out, SCOPE, "create_privilege", CHECK_FAIL,
					  "GRANT CREATE ON DATABASE <target database> TO the migration user",
					  "cannot create schemas and tables: %s", c->last_error);
	pg_exec_quiet(c, "ROLLBACK");

	/* a wal_level change needs a restart: better known now than at cutover */
	target_failback_check_item(c, out);

	if (pg_query_value(c, "SELECT current_database()", 0, NULL, &db))
	{
		PGresult   *res = pg_query_quiet(c,
										 "SELECT count(*) FROM information_schema.tables "
										 "WHERE table_schema = '_godwit'", 0, NULL);

		if (res && PQntuples(res) == 1 && atoi(PQgetvalue(res, 0, 0)) > 0)
			checklist_add(out, SCOPE, "state", CHECK_OK, NULL,
						  "database \"%s\" holds godwit state (_godwit): a migration can resume", db ? db : "");
		else
			checklist_add(out, SCOPE, "state", CHECK_OK, NULL, "database \"%s\" has no godwit state yet",
						  db ? db : "");
		PQclear(res);
	}
	free(db);
}
