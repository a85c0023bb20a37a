/*
 * src/dialect/target_failback.c
 *	  Failback slot and publication on a PostgreSQL target (see
 *	  target_failback.h).
 */
#include "dialect/target_failback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"

/*
 * What stops a failback from this target, if anything: *why (caller frees;
 * NULL when ready) and *remedy (static), and in *kind the error kind a
 * refusal carries.  False when the target could not be asked (logged).
 */
static bool
failback_blocker(PgConn *c, char **why, const char **remedy, ErrKind *kind)
{
	char	   *wal_level = NULL;
	char	   *may = NULL;

	*why = NULL;
	*remedy = NULL;
	*kind = ERR_TARGET;
	if (c->flavor == PG_FLAVOR_COCKROACH)
	{
		*kind = ERR_ARGS;
		*why = gw_strdup("failback from a CockroachDB target needs a changefeed into godwit, which godwit does not have yet");
		*remedy = "cut over without --prepare-failback (see docs/failback.md)";
		return true;
	}
	if (!pg_query_value(c, "SELECT pg_catalog.current_setting('wal_level')", 0, NULL, &wal_level) ||
		!pg_query_value(c, "SELECT rolsuper OR rolreplication FROM pg_catalog.pg_roles WHERE rolname = current_user",
						0, NULL, &may))
	{
		free(wal_level);
		return false;
	}
	if (wal_level == NULL || strcmp(wal_level, "logical") != 0)
	{
		*why = gw_asprintf("failback needs logical decoding on the target, whose wal_level is %s",
						   wal_level ? wal_level : "unknown");
		*remedy = "ALTER SYSTEM SET wal_level = logical on the target and restart it, before the cutover";
	}
	else if (may == NULL || strcmp(may, "t") != 0)
	{
		*why = gw_strdup("failback needs a replication slot on the target, and the target user may not create one");
		*remedy = "ALTER ROLE <target user> REPLICATION (or run the cutover as a superuser)";
	}
	free(wal_level);
	free(may);
	return true;
}

bool
target_failback_check(PgConn *c, ConnEngine source_engine)
{
	char	   *why;
	const char *remedy;
	ErrKind		kind;

	if (source_engine != ENGINE_POSTGRES)
	{
		err_set_kind(ERR_ARGS);
		log_error_dh(NULL, "cut over without --prepare-failback (see docs/failback.md)",
					 "failback applies over the PostgreSQL protocol: a MySQL/MariaDB source cannot receive it yet");
		return false;
	}
	if (!failback_blocker(c, &why, &remedy, &kind))
		return false;
	if (why == NULL)
		return true;
	err_set_kind(kind);
	log_error_dh(NULL, remedy, "%s", why);
	free(why);
	return false;
}

void
target_failback_check_item(PgConn *c, CheckList *out)
{
	char	   *why;
	const char *remedy;
	ErrKind		kind;

	if (!failback_blocker(c, &why, &remedy, &kind))
		checklist_add(out, "target", "failback", CHECK_WARN, NULL, "could not tell whether failback is possible: %s",
					  c->last_error ? c->last_error : "query failed");
	else if (why)
		checklist_add(out, "target", "failback", CHECK_WARN, remedy, "cutover --prepare-failback would refuse: %s", why);
	else
		checklist_add(out, "target", "failback", CHECK_OK, NULL,
					  "possible: wal_level is logical and the user may create replication slots");
	free(why);
}

/* REPLICA IDENTITY FULL on each table without a key; count in *n. */
static bool
identity_full_where_no_key(PgConn *c, const Catalog *cat, int *n)
{
	*n = 0;
	for (int i = 0; i < cat->ntables; i++)
	{
		const Table *t = cat->tables[i];
		StrBuf		sql;
		bool		ok;

		if (t->npk > 0)
			continue;
		sb_init(&sql, 0);
		sb_append(&sql, "ALTER TABLE ");
		sb_append_qualified(&sql, t->target_schema, t->target_name);
		sb_append(&sql, " REPLICA IDENTITY FULL");
		ok = pg_exec(c, sql.data);
		sb_free(&sql);
		if (!ok)
			return false;
		(*n)++;
	}
	return true;
}

bool
target_failback_prepare(PgConn *c, const Catalog *cat, char *lsn, size_t lsnlen)
{
	const char *slot[1] = {FAILBACK_SLOT};
	char	   *active = NULL;
	char	   *at = NULL;
	StrBuf		sql;
	int			full = 0;
	bool		ok = false;

	sb_init(&sql, 0);
	if (!pg_query_value(c, "SELECT (SELECT active FROM pg_catalog.pg_replication_slots WHERE slot_name = $1)",
						1, slot, &active))
		goto out;
	if (active && strcmp(active, "t") == 0)
	{
		log_error_dh(NULL, "stop the godwit failback reading it, then rerun the cutover",
					 "the failback slot \"%s\" on the target is in use", FAILBACK_SLOT);
		goto out;
	}
	if (active)
	{
		PGresult   *res = pg_query(c, "SELECT pg_catalog.pg_drop_replication_slot($1)", 1, slot);

		PQclear(res);
		if (res == NULL)
			goto out;
		log_info("dropped the failback slot of an earlier cutover attempt");
	}
	if (!identity_full_where_no_key(c, cat, &full))
		goto out;

	sb_append(&sql, "DROP PUBLICATION IF EXISTS ");
	sb_append_ident(&sql, FAILBACK_PUBLICATION);
	sb_append(&sql, "; CREATE PUBLICATION ");
	sb_append_ident(&sql, FAILBACK_PUBLICATION);
	sb_append(&sql, " FOR TABLE ");
	for (int i = 0; i < cat->ntables; i++)
	{
		if (i > 0)
			sb_append(&sql, ", ");
		sb_append_qualified(&sql, cat->tables[i]->target_schema, cat->tables[i]->target_name);
	}
	if (cat->ntables == 0)
	{
		log_error("failback: no tables to publish");
		goto out;
	}
	if (!pg_exec(c, sql.data))
	{
		log_error_dh(NULL, "CREATE PUBLICATION ... FOR TABLE needs ownership of the tables (or superuser)",
					 "could not create the failback publication \"%s\" on the target", FAILBACK_PUBLICATION);
		goto out;
	}
	/* waits for transactions running on the target: none yet, writes are halted */
	if (!pg_query_value(c, "SELECT lsn FROM pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput')",
						1, slot, &at) || at == NULL)
		goto out;
	snprintf(lsn, lsnlen, "%s", at);
	log_info("failback slot \"%s\" and publication \"%s\" (%d table%s) created on the target at %s%s",
			 FAILBACK_SLOT, FAILBACK_PUBLICATION, cat->ntables, cat->ntables == 1 ? "" : "s", at,
			 full ? "; tables without a primary key now have REPLICA IDENTITY FULL" : "");
	ok = true;
out:
	if (!ok && err_kind() == ERR_NONE)
		err_set_kind(ERR_TARGET);
	free(active);
	free(at);
	sb_free(&sql);
	return ok;
}

bool
target_failback_release(PgConn *c)
{
	char	   *db = NULL;
	StrBuf		sql;
	bool		ok;

	if (!pg_query_value(c, "SELECT current_database()", 0, NULL, &db) || db == NULL)
		return false;
	sb_init(&sql, 0);
	sb_append(&sql, "ALTER DATABASE ");
	sb_append_ident(&sql, db);
	sb_append(&sql, " RESET default_transaction_read_only");
	ok = pg_exec(c, sql.data);
	if (ok)
		log_info("database \"%s\" accepts writes again", db);
	else
		log_error_dh(NULL, "ALTER DATABASE ... RESET default_transaction_read_only as its owner or a superuser",
					 "could not make database \"%s\" writable again", db);
	sb_free(&sql);
	free(db);
	return ok;
}

/* Enabled user triggers on the migrated tables, "schema.table.trigger, ..." or NULL. */
static bool
user_triggers(PgConn *c, const Catalog *cat, char **list)
{
	StrBuf		sql;
	PGresult   *res;

	*list = NULL;
	if (cat->ntables == 0)
		return true;
	sb_init(&sql, 0);
	sb_append(&sql, "SELECT string_agg(format('%s.%I', tgrelid::regclass, tgname), ', ' ORDER BY 1) "
			  "FROM pg_catalog.pg_trigger WHERE NOT tgisinternal AND tgenabled IN ('O', 'A') AND tgrelid IN (");
	for (int i = 0; i < cat->ntables; i++)
	{
		StrBuf		name;

		sb_init(&name, 0);
		sb_append_qualified(&name, cat->tables[i]->target_schema, cat->tables[i]->target_name);
		if (i > 0)
			sb_append(&sql, ", ");
		sb_append_literal(&sql, name.data);
		sb_append(&sql, "::regclass");
		sb_free(&name);
	}
	sb_append(&sql, ")");
	res = pg_query(c, sql.data, 0, NULL);
	sb_free(&sql);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*list = gw_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

/*
 * Inactive logical slots in the source database (the forward migration's
 * among them) keep every byte of WAL failback's writes produce: say so.
 */
static bool
warn_idle_slots(PgConn *c)
{
	char	   *slots = NULL;

	if (!pg_query_value(c, "SELECT string_agg(slot_name, ', ' ORDER BY slot_name) FROM pg_catalog.pg_replication_slots "
						"WHERE database = pg_catalog.current_database() AND slot_type = 'logical' AND NOT active",
						0, NULL, &slots))
		return false;
	if (slots)
		log_warn_dh(slots, "SELECT pg_drop_replication_slot('<name>') on the source for each one no longer needed "
					"(after the cutover, the forward migration's slot is not)",
					"inactive replication slots on the source keep all the WAL failback's writes produce");
	free(slots);
	return true;
}

bool
target_failback_session(PgConn *c, ConnUrl *url, const Catalog *cat)
{
	char	   *super = NULL;
	char	   *triggers = NULL;
	bool		ok;

	if (!warn_idle_slots(c))
		return false;
	if (!pg_query_value(c, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user", 0, NULL,
						&super))
		return false;
	if (super && strcmp(super, "t") == 0)
	{
		free(super);
		url->session_options = FAILBACK_SESSION_OPTIONS " -c session_replication_role=replica";
		if (!pg_reconnect(c, url))
			return false;
		log_info("failback writes as a replica (session_replication_role): the source's triggers and "
				 "foreign-key checks do not fire for rows the target already produced");
		return true;
	}
	free(super);
	ok = user_triggers(c, cat, &triggers);
	if (ok && triggers)
		log_warn_dh(triggers, "run failback as a superuser (it then writes as a replica, as PostgreSQL's logical replication does), "
					"or ALTER TABLE ... DISABLE TRIGGER ... on the source while failback runs",
					"triggers on the source fire for failback's writes and may change the rows it copies back");
	free(triggers);
	return ok;
}
