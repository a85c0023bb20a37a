/*
 * src/dialect/mysql/my_source.c
 *	  The MySQL / MariaDB source driver: its SourceOps table.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "dialect/mysql/my_source.h"
#include "dialect/source.h"

#define SCOPE "source"

static Source *
my_source_open(const ConnUrl *url)
{
	MySource   *s = gw_new(MySource);

	s->base.ops = &source_ops_mysql;
	s->base.url = url;
	if (!my_connect(&s->conn, url))
	{
		free(s);
		return NULL;
	}
	unsigned long v = s->conn.server_version;

	s->base.server = gw_asprintf("%s %lu.%lu.%lu",
								 s->conn.flavor == MY_FLAVOR_MARIADB ? "MariaDB" : "MySQL",
								 v / 10000, v / 100 % 100, v % 100);
	return &s->base;
}

static void
my_source_close(Source *src)
{
	MySource   *s = (MySource *) src;

	my_disconnect(&s->conn);
	free(s->base.server);
	free(s);
}

/* A global variable's value (caller frees), or NULL when it does not exist. */
static char *
variable(MySource *s, const char *name)
{
	char	   *sql = gw_asprintf("SHOW GLOBAL VARIABLES LIKE '%s'", name);
	MYSQL_RES  *r = my_query_quiet(&s->conn, sql);
	char	   *v = NULL;

	free(sql);
	if (r)
	{
		MYSQL_ROW	row = mysql_fetch_row(r);

		if (row && row[1])
			v = gw_strdup(row[1]);
		mysql_free_result(r);
	}
	return v;
}

static bool
is_on(const char *v)
{
	return v && (strcasecmp(v, "ON") == 0 || strcmp(v, "1") == 0);
}

/* The user's global privileges, upper case, comma separated (caller frees). */
static char *
global_privileges(MySource *s)
{
	MYSQL_RES  *r = my_query_quiet(&s->conn,
								   "SELECT GROUP_CONCAT(PRIVILEGE_TYPE) FROM information_schema.USER_PRIVILEGES "
								   "WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "
								   "'''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')");
	char	   *v = NULL;

	if (r)
	{
		MYSQL_ROW	row = mysql_fetch_row(r);

		v = gw_strdup(row && row[0] ? row[0] : "");
		mysql_free_result(r);
	}
	return v;
}

static bool
has_priv(const char *privs, const char *want)
{
	size_t		n = strlen(want);

	for (const char *p = privs; p && *p;)
	{
		size_t		len = strcspn(p, ",");

		if ((len == n && strncasecmp(p, want, n) == 0) || (len == 14 && strncasecmp(p, "ALL PRIVILEGES", 14) == 0))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static void
my_check_tables(MySource *s, const SourceCheckOptions *o, CheckList *out)
{
	static const char *const sql =
		"SELECT t.TABLE_SCHEMA, t.TABLE_NAME, "
		/* STATISTICS, not TABLE_CONSTRAINTS: MariaDB hides the latter from a
		 * user with only SELECT */
		"  EXISTS (SELECT 1 FROM information_schema.STATISTICS k "
		"          WHERE k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME "
		"          AND k.INDEX_NAME = 'PRIMARY') "
		"FROM information_schema.TABLES t "
		"WHERE t.TABLE_TYPE = 'BASE TABLE' "
		"AND t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') "
		"ORDER BY 1, 2";
	MYSQL_RES  *r = my_query_quiet(&s->conn, sql);
	MYSQL_ROW	row;
	StrBuf		nopk;
	int			ntables = 0,
				n_nopk = 0;
	const char *db = s->base.url->dbname;

	if (r == NULL)
	{
		checklist_add(out, SCOPE, "tables", CHECK_FAIL, NULL, "could not list tables: %s",
					  s->conn.last_error);
		return;
	}
	sb_init(&nopk, 0);
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		/* a URL with a database limits the migration to it */
		if (db && strcmp(row[0], db) != 0)
			continue;
		if (!table_filter_match(o->filter, row[0], row[1]))
			continue;
		ntables++;
		if (row[2] && strcmp(row[2], "0") == 0)
		{
			if (n_nopk < 10)
			{
				if (n_nopk)
					sb_append(&nopk, ", ");
				sb_append_my_ident(&nopk, row[0]);
				sb_appendc(&nopk, '.');
				sb_append_my_ident(&nopk, row[1]);
			}
			n_nopk++;
		}
	}
	mysql_free_result(r);
	if (n_nopk > 10)
		sb_appendf(&nopk, " and %d more", n_nopk - 10);
	if (ntables == 0)
		checklist_add(out, SCOPE, "tables", CHECK_FAIL,
					  "check the database in --source and --schema-filter / --table-filter",
					  "no tables match the filters");
	else
		checklist_add(out, SCOPE, "tables", CHECK_OK, NULL, "%d table%s to migrate", ntables,
					  ntables == 1 ? "" : "s");
	if (n_nopk == 0)
		checklist_add(out, SCOPE, "primary_keys", CHECK_OK, NULL, "every table has a primary key");
	else
		checklist_add(out, SCOPE, "primary_keys", o->allow_no_pk ? CHECK_WARN : CHECK_FAIL,
					  "add a primary key, exclude the table with --table-exclusion-filter, "
					  "or accept whole-table copies with --allow-no-pk",
					  "%d table%s without a primary key: %s", n_nopk, n_nopk == 1 ? "" : "s", nopk.data);
	sb_free(&nopk);
}

static void
my_check(Source *src, const SourceCheckOptions *o, CheckList *out)
{
	MySource   *s = (MySource *) src;
	bool		mariadb = s->conn.flavor == MY_FLAVOR_MARIADB;
	unsigned long ver = s->conn.server_version;
	char	   *v;

	if ((mariadb && ver >= 100600) || (!mariadb && ver >= 80000))
		checklist_add(out, SCOPE, "version", CHECK_OK, NULL, "%s", src->server);
	else
		checklist_add(out, SCOPE, "version", CHECK_FAIL,
					  mariadb ? "upgrade to MariaDB 10.6 or later" : "upgrade to MySQL 8.0 or later",
					  "%s is not supported", src->server);

	if (!o->no_replication)
	{
		v = variable(s, "log_bin");
		if (is_on(v))
			checklist_add(out, SCOPE, "log_bin", CHECK_OK, NULL, "binary log enabled");
		else
			checklist_add(out, SCOPE, "log_bin", CHECK_FAIL,
						  "set log_bin (log-bin = <path> in my.cnf) and restart the server",
						  "binary log is disabled (log_bin = %s)", v ? v : "unknown");
		free(v);

		v = variable(s, "binlog_format");
		if (v && strcasecmp(v, "ROW") == 0)
			checklist_add(out, SCOPE, "binlog_format", CHECK_OK, NULL, "binlog_format = ROW");
		else
			checklist_add(out, SCOPE, "binlog_format", CHECK_FAIL,
						  "SET GLOBAL binlog_format = 'ROW' and set binlog-format = ROW in my.cnf",
						  "binlog_format = %s (ROW is required)", v ? v : "unknown");
		free(v);

		v = variable(s, "binlog_row_image");
		if (v && strcasecmp(v, "FULL") == 0)
			checklist_add(out, SCOPE, "binlog_row_image", CHECK_OK, NULL, "binlog_row_image = FULL");
		else
			checklist_add(out, SCOPE, "binlog_row_image", CHECK_FAIL,
						  "SET GLOBAL binlog_row_image = 'FULL' and set binlog-row-image = FULL in my.cnf",
						  "binlog_row_image = %s (FULL is required: replication writes whole rows)",
						  v ? v : "unknown");
		free(v);

		v = variable(s, "binlog_row_metadata");
		if (v && strcasecmp(v, "FULL") == 0)
			checklist_add(out, SCOPE, "binlog_row_metadata", CHECK_OK, NULL, "binlog_row_metadata = FULL");
		else
			checklist_add(out, SCOPE, "binlog_row_metadata", CHECK_WARN,
						  "SET GLOBAL binlog_row_metadata = 'FULL' so schema changes are detected from the binlog itself",
						  "binlog_row_metadata = %s", v ? v : "not available");
		free(v);

		if (mariadb)
		{
			char	   *pos = NULL;

			if (my_query_value(&s->conn, "SELECT @@GLOBAL.gtid_binlog_pos", &pos))
				checklist_add(out, SCOPE, "gtid", CHECK_OK, NULL, "GTID position readable (%s)",
							  pos && pos[0] ? pos : "empty: no transaction logged yet");
			else
				checklist_add(out, SCOPE, "gtid", CHECK_FAIL, NULL, "cannot read @@gtid_binlog_pos");
			free(pos);
		}
		else
		{
			v = variable(s, "gtid_mode");
			char	   *egc = variable(s, "enforce_gtid_consistency");

			if (v && strcasecmp(v, "ON") == 0 && is_on(egc))
				checklist_add(out, SCOPE, "gtid", CHECK_OK, NULL, "gtid_mode = ON, enforce_gtid_consistency = ON");
			else
				checklist_add(out, SCOPE, "gtid", CHECK_FAIL,
							  "enable GTIDs: enforce_gtid_consistency = ON and gtid_mode = ON (step through OFF_PERMISSIVE, ON_PERMISSIVE)",
							  "gtid_mode = %s, enforce_gtid_consistency = %s", v ? v : "unknown",
							  egc ? egc : "unknown");
			free(egc);
			free(v);
		}

		v = variable(s, "server_id");
		if (v && strcmp(v, "0") != 0)
			checklist_add(out, SCOPE, "server_id", CHECK_OK, NULL, "server_id = %s", v);
		else
			checklist_add(out, SCOPE, "server_id", CHECK_FAIL, "set server_id to a non-zero value",
						  "server_id = %s", v ? v : "unknown");
		free(v);

		/* retention must outlast the bulk copy */
		v = variable(s, "binlog_expire_logs_seconds");
		long		secs = v ? atol(v) : -1;

		free(v);
		if (secs <= 0)
		{
			char	   *days = variable(s, "expire_logs_days");
			double		d = days ? atof(days) : 0;

			free(days);
			secs = (long) (d * 86400);
		}
		if (secs == 0)
			checklist_add(out, SCOPE, "binlog_retention", CHECK_OK, NULL, "binary logs are never purged automatically");
		else if (secs >= 86400)
			checklist_add(out, SCOPE, "binlog_retention", CHECK_OK, NULL, "binary logs kept %ld hours", secs / 3600);
		else
			checklist_add(out, SCOPE, "binlog_retention", CHECK_WARN,
						  "keep binary logs longer than the bulk copy takes (binlog_expire_logs_seconds)",
						  "binary logs kept only %ld minutes", secs / 60);

		char	   *privs = global_privileges(s);

		if (privs && has_priv(privs, "REPLICATION SLAVE") &&
			(has_priv(privs, "REPLICATION CLIENT") || has_priv(privs, "BINLOG MONITOR") ||
			 has_priv(privs, "SUPER")))
			checklist_add(out, SCOPE, "replication_privilege", CHECK_OK, NULL,
						  "REPLICATION SLAVE and %s granted", mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT");
		else
			checklist_add(out, SCOPE, "replication_privilege", CHECK_FAIL,
						  mariadb ? "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO the migration user"
						  : "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO the migration user",
						  "missing replication privileges (has: %s)", privs && privs[0] ? privs : "none");
		if (privs && (has_priv(privs, "RELOAD") || has_priv(privs, "SUPER")))
			checklist_add(out, SCOPE, "snapshot_lock", CHECK_OK, NULL,
						  "RELOAD granted: the snapshot can be taken under a brief global read lock");
		else
			checklist_add(out, SCOPE, "snapshot_lock", CHECK_WARN,
						  "GRANT RELOAD ON *.* for FLUSH TABLES WITH READ LOCK, or run fetch with one worker",
						  "no RELOAD privilege: parallel workers cannot share one consistent snapshot");
		free(privs);
	}
	my_check_tables(s, o, out);
	source_check_column_types(src, o, out);
}

/* ------------------------------------------------------------ write lock */

/*
 * read_only stops writes from ordinary accounts; MySQL's super_read_only
 * also from SUPER ones (MariaDB has no such variable: accounts with the
 * READ_ONLY ADMIN privilege can still write).
 */
static bool
my_set_read_only(MySource *s, bool on)
{
	bool		ok = my_exec(&s->conn, on ? "SET GLOBAL read_only = ON" : "SET GLOBAL read_only = OFF");

	if (ok && s->conn.flavor == MY_FLAVOR_MYSQL)
		ok = my_exec(&s->conn, on ? "SET GLOBAL super_read_only = ON" : "SET GLOBAL super_read_only = OFF");
	if (!ok)
		log_error_dh(NULL, "SUPER (MySQL) or READ_ONLY ADMIN (MariaDB) is needed; or stop the application's writes yourself",
					 "could not make the source %s", on ? "read-only" : "writable again");
	else if (on)
		log_info("source is read-only (read_only = ON)");
	return ok;
}

static bool
my_lock_writes(Source *src)
{
	return my_set_read_only((MySource *) src, true);
}

static bool
my_unlock_writes(Source *src)
{
	return my_set_read_only((MySource *) src, false);
}

const SourceOps source_ops_mysql = {
	.engine = "mysql",
	.open = my_source_open,
	.close = my_source_close,
	.check = my_check,
	.lock_writes = my_lock_writes,
	.unlock_writes = my_unlock_writes,
	.read_catalog = my_read_catalog,
	.stream_open = my_stream_open,
	.stream_next = my_stream_next,
	.stream_confirm = my_stream_confirm,
	.stream_close = my_stream_close,
	.snapshot_begin = my_snapshot_begin,
	.snapshot_end = my_snapshot_end,
	.plan_shards = my_plan_shards,
	.copy_shard = my_copy_shard,
	.current_position = my_current_position,
	.barrier_position = my_current_position,
	.position_reached = my_position_reached,
	.position_lag_bytes = my_position_lag_bytes,
	.verify_open = my_verify_open,
	.verify_close = my_verify_close,
	.verify_begin = my_verify_begin,
	.verify_end = my_verify_end,
	.verify_read = my_verify_read,
};
