/*
 * src/dialect/mysql/my_fetch.c
 *	  Bulk copy from MySQL / MariaDB: the consistent snapshot shared by every
 *	  worker and the replication position that matches it, splitting tables
 *	  into key ranges, and streaming a range out as COPY text
 *	  (SourceOps.snapshot_begin, snapshot_end, plan_shards, copy_shard).
 *	  Positions are compared in my_position.c.
 *
 * The snapshot hand-off
 * ---------------------
 * Every worker owns one connection in REPEATABLE READ and opens
 *
 *     START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY
 *
 * The workers must all see the same instant, and the binlog position
 * recorded as the run's cdc cursor must be exactly that instant: replication
 * then delivers precisely the transactions the copy does not hold.  Three
 * ways to get there, tried in this order (--snapshot-lock auto):
 *
 *  1. Lock-free (MariaDB).  MariaDB's consistent snapshot is taken under the
 *     binlog's commit ordering and reports the binlog file/offset it
 *     corresponds to (status Binlog_snapshot_file / Binlog_snapshot_position).
 *     The workers' snapshots are opened together (the statements are sent on
 *     every connection before any answer is read, so they start within a
 *     fraction of a millisecond); if every worker reports the same offset, no
 *     transaction committed in between and they all see the same instant.
 *     BINLOG_GTID_POS(file, offset) turns the offset into the GTID position.
 *     No lock at all.  A few quick tries; under a heavy write load the
 *     offsets differ and the next method is used.  With one worker this
 *     always succeeds.
 *  2. BACKUP STAGE START + BACKUP STAGE BLOCK_COMMIT (MariaDB 10.4.1+):
 *     blocks commits only.  Unlike FLUSH TABLES WITH READ LOCK it does not
 *     wait for running SELECTs to finish, and writers keep running until they
 *     commit.  Under it: read @@gtid_binlog_pos and the binlog file/offset,
 *     open every worker's snapshot, then BACKUP STAGE END.
 *  3. FLUSH TABLES WITH READ LOCK (MySQL, or MariaDB without BACKUP STAGE),
 *     then UNLOCK TABLES; position from @@gtid_executed (MySQL).
 *
 * Taking a lock is bounded by lock_wait_timeout (--lock-timeout): a lock
 * that cannot be had in time (a long query holding table locks makes FTWRL
 * wait, and everything queues behind a waiting FTWRL) is given up, so the
 * server is never stalled for longer, and retried with backoff.  The time
 * the lock was held is measured (Snapshot.lock_held_us) and logged.
 *
 * When the lock is not allowed (no RELOAD privilege: managed services) or
 * --snapshot-lock none: MariaDB keeps trying the lock-free method; if the
 * workers still disagree, and on MySQL, the snapshot is *relaxed*: the cursor
 * is a position no later than any worker's snapshot (MariaDB: the earliest
 * worker offset; MySQL: @@gtid_executed read before the snapshots open).
 * Replication from it re-applies the changes some workers already copied;
 * they converge because apply is idempotent (docs/fetch-mysql.md).
 *
 * Only transactional engines (InnoDB) honour the snapshot; MyISAM/Aria
 * tables are read as of the moment they are copied (warned about).
 *
 * Ranges: tables whose first primary-key column is an integer copied as a
 * number are split into equal ranges between MIN and MAX of the key (an
 * index lookup each); other tables are one range (see docs/fetch.md: a range
 * must mean the same rows on the source and the target, and text collations
 * differ).
 *
 * Rows are streamed with mysql_use_result (unbuffered: one row in memory at
 * a time) and each value goes through myconv_value, the converter the binlog
 * stream uses too, then myconv_copy_escape.  Per worker, memory is one row.
 */
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/retry.h"
#include "common/signals.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "dialect/mysql/my_source.h"
#include "dialect/mysql/myconv.h"
#include "dialect/source.h"

#define LOCKFREE_TRIES			3		/* lock-free attempts before locking (auto) */
#define LOCKFREE_TRIES_NOLOCK	20		/* ... when locking is not an option */
#define LOCK_ATTEMPTS			8		/* lock attempts that time out before giving up */
#define LOCK_DEFAULT_TIMEOUT_US	((int64_t) 2000000)
#define SHARDS_MAX				1000
#define ROW_LIMIT				((size_t) 1 << 30)	/* one COPY row, like PostgreSQL's */

struct SourceReader
{
	MyConn		conn;
	bool		broken;			/* a failed stream was cancelled: unusable */
	MyConvOptions copt;
	StrBuf		line;			/* one COPY row */
	StrBuf		val;			/* one converted value */
	char		snap_file[256]; /* Binlog_snapshot_file / _position of its snapshot */
	uint64_t	snap_pos;
};

typedef enum LockKind
{
	LOCK_NONE,
	LOCK_BACKUP_STAGE,
	LOCK_FTWRL,
} LockKind;

typedef enum LockOutcome
{
	LOCK_TAKEN,
	LOCK_DENIED,				/* no privilege / not supported: try another way */
	LOCK_FAILED,				/* logged */
} LockOutcome;

/* ----------------------------------------------------------- readers */

/*
 * Open one reader: a connection in REPEATABLE READ without statement time
 * limits.  The snapshot is opened later (my_readers_begin).  False on error
 * (logged); *out is then NULL.
 */
static bool
my_reader_open(MySource *s, const Catalog *cat, SourceReader **out)
{
	SourceReader *r = gw_new(SourceReader);

	*out = NULL;
	if (!my_connect(&r->conn, s->base.url))
	{
		free(r);
		return false;
	}
	if (!my_exec(&r->conn, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
	{
		my_disconnect(&r->conn);
		free(r);
		return false;
	}
	/* a server-wide statement time limit must not cut a long shard */
	my_exec_quiet(&r->conn, r->conn.flavor == MY_FLAVOR_MARIADB
				  ? "SET SESSION max_statement_time = 0" : "SET SESSION max_execution_time = 0");
	r->copt.zero = cat && cat->zero_dates == ZERO_DATES_ERROR ? MYCONV_ZERO_ERROR : MYCONV_ZERO_NULL;
	sb_init(&r->line, ROW_LIMIT);
	sb_init(&r->val, ROW_LIMIT);
	*out = r;
	return true;
}

static void
my_reader_close(SourceReader *r)
{
	if (r == NULL)
		return;
	my_disconnect(&r->conn);
	sb_free(&r->line);
	sb_free(&r->val);
	free(r);
}

/*
 * Open the consistent snapshot on every reader at (nearly) the same moment:
 * the statement is sent on every connection first, then the answers are
 * read.  With want_positions (MariaDB), each reader's Binlog_snapshot_file /
 * _position is read into it.  False on error (logged).
 */
static bool
my_readers_begin(SourceReader **readers, int n, bool want_positions)
{
	static const char sql[] = "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
	bool		ok = true;
	int			sent = 0;

	for (int i = 0; i < n; i++)
	{
		if (mysql_send_query(readers[i]->conn.mysql, sql, (unsigned long) strlen(sql)) != 0)
		{
			my_note_error(&readers[i]->conn);
			my_log_error(&readers[i]->conn, "could not open a consistent snapshot");
			ok = false;
			break;
		}
		sent++;
	}
	for (int i = 0; i < sent; i++)
	{
		if (mysql_read_query_result(readers[i]->conn.mysql) != 0)
		{
			my_note_error(&readers[i]->conn);
			if (ok)
				my_log_error(&readers[i]->conn, "could not open a consistent snapshot");
			ok = false;
		}
	}
	if (!ok || !want_positions)
		return ok;
	for (int i = 0; i < n; i++)
	{
		SourceReader *r = readers[i];
		MYSQL_RES  *res = my_query(&r->conn, "SHOW SESSION STATUS LIKE 'binlog_snapshot_%'");
		MYSQL_ROW	row;

		if (res == NULL)
			return false;
		r->snap_file[0] = '\0';
		r->snap_pos = 0;
		while ((row = mysql_fetch_row(res)) != NULL)
		{
			if (row[0] == NULL || row[1] == NULL)
				continue;
			if (strcasecmp(row[0], "Binlog_snapshot_file") == 0)
				snprintf(r->snap_file, sizeof(r->snap_file), "%s", row[1]);
			else if (strcasecmp(row[0], "Binlog_snapshot_position") == 0)
				r->snap_pos = strtoull(row[1], NULL, 10);
		}
		mysql_free_result(res);
	}
	return true;
}

/* End every reader's snapshot (to try again).  Errors are ignored: a reader
 * that cannot roll back fails at its next statement. */
static void
my_readers_rollback(SourceReader **readers, int n)
{
	for (int i = 0; i < n; i++)
		my_exec_quiet(&readers[i]->conn, "ROLLBACK");
}

/* ----------------------------------------------------------- positions */

/*
 * Read the server's current GTID position (MariaDB @@gtid_binlog_pos, MySQL
 * @@gtid_executed) into out.  False on error (logged) or when it does not fit.
 */
static bool
my_read_gtid_position(MyConn *c, char *out, size_t outlen)
{
	char	   *v = NULL;
	size_t		o = 0;

	if (!my_query_value(c, c->flavor == MY_FLAVOR_MARIADB ? "SELECT @@GLOBAL.gtid_binlog_pos"
						: "SELECT @@GLOBAL.gtid_executed", &v))
		return false;
	/* MySQL prints long sets over several lines: keep one line */
	for (const char *p = v ? v : ""; *p; p++)
	{
		if (*p == '\n' || *p == '\r' || *p == ' ')
			continue;
		if (o + 1 >= outlen)
		{
			free(v);
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "purge old server UUIDs from gtid_executed (RESET MASTER on a fresh server) or report this",
						 "the source's GTID position is longer than %zu bytes", outlen - 1);
			return false;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
	free(v);
	return true;
}

/* Binlog file and offset (SHOW MASTER STATUS) as "file:offset"; "" when unknown. */
static void
my_read_binlog_coords(MyConn *c, char *out, size_t outlen)
{
	MYSQL_RES  *r = my_query_quiet(c, "SHOW MASTER STATUS");
	MYSQL_ROW	row;

	out[0] = '\0';
	if (r == NULL)				/* MySQL 8.4 renamed it */
		r = my_query_quiet(c, "SHOW BINARY LOG STATUS");
	if (r == NULL)
		return;
	row = mysql_fetch_row(r);
	if (row && row[0] && row[1])
		snprintf(out, outlen, "%s:%s", row[0], row[1]);
	mysql_free_result(r);
}

/*
 * The GTID position of a binlog offset (MariaDB BINLOG_GTID_POS).  False
 * when the server cannot tell (logged at debug: the caller falls back).
 */
static bool
my_gtid_of_offset(MyConn *c, const char *file, uint64_t pos, char *out, size_t outlen)
{
	StrBuf		sql;
	char	   *v = NULL;
	bool		ok;

	sb_init(&sql, 0);
	sb_append(&sql, "SELECT BINLOG_GTID_POS(");
	sb_append_my_literal(&sql, file);
	sb_appendf(&sql, ", %llu)", (unsigned long long) pos);
	ok = my_query_value(c, sql.data, &v) && v != NULL && strlen(v) < outlen;
	if (ok)
		snprintf(out, outlen, "%s", v);
	else
		log_debug("BINLOG_GTID_POS(%s, %llu) gave no position", file, (unsigned long long) pos);
	free(v);
	sb_free(&sql);
	return ok;
}

/* ----------------------------------------------------------- the lock */

static const char *
lock_name(LockKind k)
{
	return k == LOCK_BACKUP_STAGE ? "BACKUP STAGE BLOCK_COMMIT" : "FLUSH TABLES WITH READ LOCK";
}

static bool
errno_is_denied(unsigned e)
{
	return e == ER_SPECIFIC_ACCESS_DENIED_ERROR || e == ER_DBACCESS_DENIED_ERROR ||
		e == ER_ACCESS_DENIED_ERROR || e == ER_TABLEACCESS_DENIED_ERROR;
}

/*
 * Take the global lock kind on c, waiting at most lock_wait_timeout (set by
 * the caller).  LOCK_DENIED when the user may not (or the server cannot:
 * BACKUP STAGE before MariaDB 10.4), LOCK_FAILED on a timeout or any other
 * error (c->last_errno tells; not logged).
 */
static LockOutcome
my_lock_take(MyConn *c, LockKind kind)
{
	if (kind == LOCK_BACKUP_STAGE)
	{
		if (!my_exec_quiet(c, "BACKUP STAGE START"))
			return errno_is_denied(c->last_errno) || c->last_errno == ER_PARSE_ERROR ? LOCK_DENIED : LOCK_FAILED;
		if (!my_exec_quiet(c, "BACKUP STAGE BLOCK_COMMIT"))
		{
			unsigned	e = c->last_errno;

			my_exec_quiet(c, "BACKUP STAGE END");
			c->last_errno = e;
			return errno_is_denied(e) ? LOCK_DENIED : LOCK_FAILED;
		}
		return LOCK_TAKEN;
	}
	if (!my_exec_quiet(c, "FLUSH TABLES WITH READ LOCK"))
		return errno_is_denied(c->last_errno) ? LOCK_DENIED : LOCK_FAILED;
	return LOCK_TAKEN;
}

static bool
my_lock_release(MyConn *c, LockKind kind)
{
	if (my_exec_quiet(c, kind == LOCK_BACKUP_STAGE ? "BACKUP STAGE END" : "UNLOCK TABLES"))
		return true;
	my_log_error(c, "could not release the global lock");
	return false;
}

/*
 * The locked hand-off: take the lock (retrying timeouts with backoff), read
 * the position, open every reader's snapshot, release.  Fills out->position,
 * out->snapshot_id ("file:offset") and out->lock_held_us.  *denied is set
 * (and nothing logged) when this kind of lock is not allowed.
 */
static bool
my_snapshot_locked(MySource *s, LockKind kind, int64_t timeout_us, SourceReader **readers, int n,
				   Snapshot *out, bool *denied)
{
	MyConn	   *c = &s->conn;
	RetryPolicy policy = {.max_attempts = LOCK_ATTEMPTS - 1, .base_us = 1000000, .cap_us = 30000000};
	RetryState	retry;
	int64_t		secs = (timeout_us + 999999) / 1000000;
	char		sql[96];
	bool		ok = false;

	*denied = false;
	if (secs < 1)
		secs = 1;
	snprintf(sql, sizeof(sql), "SET SESSION lock_wait_timeout = %lld", (long long) secs);
	if (!my_exec(c, sql))
		return false;
	retry_init(&retry, &policy);
	for (int attempt = 1;; attempt++)
	{
		int64_t		t_ask = time_mono_us();
		LockOutcome lo = my_lock_take(c, kind);
		int64_t		t_got = time_mono_us();

		if (lo == LOCK_DENIED)
		{
			log_debug("%s not possible: %s", lock_name(kind), c->last_error ? c->last_error : "");
			*denied = true;
			goto done;
		}
		if (lo == LOCK_FAILED)
		{
			if (c->last_errno != ER_LOCK_WAIT_TIMEOUT)
			{
				my_log_error(c, kind == LOCK_BACKUP_STAGE ? "could not block commits with BACKUP STAGE"
							 : "could not take the global read lock");
				goto done;
			}
			if (attempt >= LOCK_ATTEMPTS || signals_should_stop())
			{
				err_set_kind(ERR_SOURCE);
				log_error_dh(NULL, "find the long-running query or transaction holding table locks "
							 "(SHOW PROCESSLIST) and let it finish, raise --lock-timeout, or use "
							 "--snapshot-lock none (see docs/fetch-mysql.md)",
							 "could not take %s within %llds in %d attempts", lock_name(kind),
							 (long long) secs, attempt);
				goto done;
			}
			int64_t		next = retry_next_delay(&retry);

			log_warn_dh(NULL, "a long-running query or transaction holds table locks; the server was blocked only while waiting",
						"%s not granted within %llds (attempt %d of %d): retrying in %.1fs", lock_name(kind),
						(long long) secs, attempt, LOCK_ATTEMPTS, (double) next / 1e6);
			time_sleep_us(next);
			continue;
		}

		/* held: as little as possible under it */
		bool		inner = my_read_gtid_position(c, out->position, sizeof(out->position));

		if (inner)
		{
			my_read_binlog_coords(c, out->snapshot_id, sizeof(out->snapshot_id));
			inner = my_readers_begin(readers, n, false);
		}
		bool		released = my_lock_release(c, kind);
		int64_t		t_rel = time_mono_us();

		out->lock_held_us = t_rel - t_got;
		{
			char		fields[160];

			snprintf(fields, sizeof(fields), "\"lock\":\"%s\",\"lock_held_us\":%lld,\"lock_wait_us\":%lld",
					 kind == LOCK_BACKUP_STAGE ? "backup_stage" : "ftwrl",
					 (long long) out->lock_held_us, (long long) (t_got - t_ask));
			log_write(LOG_INFO, NULL, NULL, fields, "%s held for %.3f ms (waited %.3f ms to get it) to open %d snapshot%s",
					  lock_name(kind), (double) out->lock_held_us / 1000.0, (double) (t_got - t_ask) / 1000.0,
					  n, n == 1 ? "" : "s");
		}
		ok = inner && released;
		break;
	}
done:
	my_exec_quiet(c, "SET SESSION lock_wait_timeout = DEFAULT");
	return ok;
}

/*
 * The lock-free hand-off (MariaDB, see the file comment): up to tries times,
 * open every reader's snapshot and compare their binlog offsets.  Returns
 * true with out->position filled when they agree; false (nothing logged
 * unless *failed) when they never did: the snapshots are then closed, or, with
 * keep_last, left open as they are (readers' positions filled) for the
 * relaxed fallback.  *failed reports a real error (logged).
 */
static bool
my_snapshot_lockfree(MySource *s, SourceReader **readers, int n, int tries, bool keep_last, Snapshot *out,
					 bool *failed)
{
	RetryPolicy policy = {.max_attempts = 0, .base_us = 2000, .cap_us = 500000};
	RetryState	retry;

	*failed = false;
	retry_init(&retry, &policy);
	for (int t = 1; t <= tries; t++)
	{
		bool		same = true;

		if (!my_readers_begin(readers, n, true))
		{
			*failed = true;
			return false;
		}
		for (int i = 1; i < n; i++)
			if (readers[i]->snap_pos != readers[0]->snap_pos || strcmp(readers[i]->snap_file, readers[0]->snap_file) != 0)
				same = false;
		if (readers[0]->snap_file[0] == '\0')
		{
			/* no binary log: no offsets to compare, so no proof of one instant */
			log_debug("no binlog snapshot offsets (binary log off?): the snapshot needs a lock");
			my_readers_rollback(readers, n);
			return false;
		}
		if (same && my_gtid_of_offset(&s->conn, readers[0]->snap_file, readers[0]->snap_pos, out->position,
									  sizeof(out->position)))
		{
			snprintf(out->snapshot_id, sizeof(out->snapshot_id), "%.100s:%llu", readers[0]->snap_file,
					 (unsigned long long) readers[0]->snap_pos);
			out->lock_held_us = 0;
			log_write(LOG_INFO, NULL, NULL, "\"lock\":\"none\",\"lock_held_us\":0",
					  "opened %d consistent snapshot%s without a lock at binlog %s (attempt %d)", n,
					  n == 1 ? "" : "s", out->snapshot_id, t);
			return true;
		}
		log_debug("lock-free snapshot attempt %d: workers saw different binlog offsets", t);
		if (t == tries && keep_last)
			return false;
		my_readers_rollback(readers, n);
		if (t < tries)
			time_sleep_us(retry_next_delay(&retry));
	}
	return false;
}

/*
 * The relaxed hand-off when no lock may be taken: readers keep their own
 * snapshots and the cursor is at or before the earliest of them.  For
 * MySQL the position is read first and the snapshots opened after.
 */
static bool
my_snapshot_relaxed(MySource *s, SourceReader **readers, int n, bool already_open, Snapshot *out)
{
	MyConn	   *c = &s->conn;

	if (c->flavor == MY_FLAVOR_MARIADB && already_open && readers[0]->snap_file[0])
	{
		int			first = 0;

		for (int i = 1; i < n; i++)
		{
			int			cmp = strcmp(readers[i]->snap_file, readers[first]->snap_file);

			if (cmp < 0 || (cmp == 0 && readers[i]->snap_pos < readers[first]->snap_pos))
				first = i;
		}
		if (!my_gtid_of_offset(c, readers[first]->snap_file, readers[first]->snap_pos, out->position,
							   sizeof(out->position)))
		{
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "grant the BINLOG MONITOR privilege, or RELOAD for a brief lock",
						 "could not read the GTID position of binlog offset %s:%llu", readers[first]->snap_file,
						 (unsigned long long) readers[first]->snap_pos);
			return false;
		}
		snprintf(out->snapshot_id, sizeof(out->snapshot_id), "%.100s:%llu", readers[first]->snap_file,
				 (unsigned long long) readers[first]->snap_pos);
	}
	else
	{
		if (already_open)
			my_readers_rollback(readers, n);
		if (!my_read_gtid_position(c, out->position, sizeof(out->position)))
			return false;
		my_read_binlog_coords(c, out->snapshot_id, sizeof(out->snapshot_id));
		if (!my_readers_begin(readers, n, false))
			return false;
	}
	out->lock_held_us = 0;
	log_warn_dh("the copy may already hold some changes made after the cdc cursor; replication re-applies them and converges "
				"(unique constraints may be violated transiently until it passes the fetch)",
				"grant RELOAD for an exact hand-off, or fetch with one worker (MariaDB: --table-concurrency 1 --export-concurrency 1)",
				"opened %d snapshot%s without a common instant: cdc cursor %s is at or before each of them", n,
				n == 1 ? "" : "s", out->position);
	return true;
}

/* Warn about tables of engines that ignore the snapshot (MyISAM, Aria...). */
static void
my_warn_nontransactional(MySource *s, const Catalog *cat)
{
	MYSQL_RES  *r;
	MYSQL_ROW	row;
	StrBuf		names;
	int			n = 0;

	if (cat == NULL)
		return;
	r = my_query_quiet(&s->conn, "SELECT t.TABLE_SCHEMA, t.TABLE_NAME, t.ENGINE FROM information_schema.TABLES t "
					   "JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE "
					   "WHERE t.TABLE_TYPE = 'BASE TABLE' AND e.TRANSACTIONS <> 'YES' "
					   "AND t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')");
	if (r == NULL)
		return;
	sb_init(&names, 0);
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		const Table *t = catalog_find_table(cat, row[0], row[1]);

		if (t == NULL)
			continue;
		if (n < 5)
			sb_appendf(&names, "%s%s (%s)", n ? ", " : "", t->display, row[2] ? row[2] : "?");
		n++;
	}
	mysql_free_result(r);
	if (n > 5)
		sb_appendf(&names, " and %d more", n - 5);
	if (n > 0)
		log_warn_dh(names.data, "convert them to InnoDB, or keep them unwritten during the fetch",
					"%d table%s of a non-transactional engine: read as of when copied, not at the snapshot "
					"(replication re-applies later changes)", n, n == 1 ? "" : "s");
	sb_free(&names);
}

/*
 * my_snapshot_begin
 *		SourceOps.snapshot_begin: open req->nreaders readers inside one
 *		consistent snapshot and record the matching GTID position (see the
 *		file comment for the methods).  req->lock_timeout_us bounds each wait
 *		for a lock (default 2 s); req->snapshot_lock picks the method.
 *
 * On success the caller owns *out (snapshot_end closes the readers).  False
 * on error (logged); *out is then empty.
 */
bool
my_snapshot_begin(Source *src, const SnapshotRequest *req, Snapshot *out)
{
	MySource   *s = (MySource *) src;
	bool		mariadb = s->conn.flavor == MY_FLAVOR_MARIADB;
	SnapshotLock mode = req->snapshot_lock;
	int64_t		timeout = req->lock_timeout_us > 0 ? req->lock_timeout_us : LOCK_DEFAULT_TIMEOUT_US;
	bool		failed = false,
				denied = false,
				done = false;
	int			n = req->nreaders > 0 ? req->nreaders : 1;

	memset(out, 0, sizeof(*out));
	out->readers = gw_new_array(SourceReader *, (size_t) n);
	for (int i = 0; i < n; i++)
	{
		if (!my_reader_open(s, req->catalog, &out->readers[i]))
			goto fail;
		out->nreaders++;
	}
	my_warn_nontransactional(s, req->catalog);

	/* 1. lock-free (MariaDB) */
	if (mariadb && (mode == SNAPSHOT_LOCK_AUTO || mode == SNAPSHOT_LOCK_NONE))
	{
		done = my_snapshot_lockfree(s, out->readers, n, mode == SNAPSHOT_LOCK_NONE ? LOCKFREE_TRIES_NOLOCK : LOCKFREE_TRIES,
									mode == SNAPSHOT_LOCK_NONE, out, &failed);
		if (failed)
			goto fail;
		if (!done && mode == SNAPSHOT_LOCK_NONE)
		{
			if (!my_snapshot_relaxed(s, out->readers, n, true, out))
				goto fail;
			done = true;
		}
	}
	/* MySQL without a lock: relaxed */
	if (!done && mode == SNAPSHOT_LOCK_NONE)
	{
		if (!my_snapshot_relaxed(s, out->readers, n, false, out))
			goto fail;
		done = true;
	}
	/* 2./3. a brief lock */
	if (!done)
	{
		bool		try_backup = mariadb && s->conn.server_version >= 100401 &&
			(mode == SNAPSHOT_LOCK_AUTO || mode == SNAPSHOT_LOCK_BACKUP_STAGE);

		if (mode == SNAPSHOT_LOCK_BACKUP_STAGE && !try_backup)
		{
			err_set_kind(ERR_ARGS);
			log_error_dh(NULL, "use --snapshot-lock auto or ftwrl",
						 "BACKUP STAGE needs MariaDB 10.4.1 or later; the source is %s", src->server);
			goto fail;
		}

		if (try_backup)
		{
			done = my_snapshot_locked(s, LOCK_BACKUP_STAGE, timeout, out->readers, n, out, &denied);
			if (!done && !denied)
				goto fail;
		}
		if (!done && mode != SNAPSHOT_LOCK_BACKUP_STAGE)
		{
			done = my_snapshot_locked(s, LOCK_FTWRL, timeout, out->readers, n, out, &denied);
			if (!done && !denied)
				goto fail;
		}
		if (!done)
		{
			if (mode != SNAPSHOT_LOCK_AUTO)
			{
				err_set_kind(ERR_SOURCE);
				log_error_dh(s->conn.last_error, "GRANT RELOAD ON *.* to the migration user, or use --snapshot-lock auto",
							 "could not take %s on the source", mode == SNAPSHOT_LOCK_BACKUP_STAGE
							 ? "BACKUP STAGE" : "FLUSH TABLES WITH READ LOCK");
				goto fail;
			}
			log_warn_dh(s->conn.last_error, "GRANT RELOAD ON *.* to the migration user for an exact hand-off",
						"the source does not allow a global lock: opening the snapshots without one");
			if (mariadb)
			{
				done = my_snapshot_lockfree(s, out->readers, n, LOCKFREE_TRIES_NOLOCK, true, out, &failed);
				if (failed)
					goto fail;
				if (!done && !my_snapshot_relaxed(s, out->readers, n, true, out))
					goto fail;
			}
			else if (!my_snapshot_relaxed(s, out->readers, n, false, out))
				goto fail;
			done = true;
		}
	}
	if (!done)
		goto fail;
	log_info("snapshot of %d reader%s at %s%s%s%s", n, n == 1 ? "" : "s",
			 out->position[0] ? out->position : "(empty GTID position)",
			 out->snapshot_id[0] ? " (binlog " : "", out->snapshot_id, out->snapshot_id[0] ? ")" : "");
	return true;

fail:
	err_set_kind(ERR_SOURCE);
	my_snapshot_end(src, out);
	return false;
}

/*
 * my_snapshot_end
 *		SourceOps.snapshot_end: close every reader (their snapshots end with
 *		the connections) and clear *snap.
 */
void
my_snapshot_end(Source *src, Snapshot *snap)
{
	(void) src;
	for (int i = 0; i < snap->nreaders; i++)
		my_reader_close(snap->readers[i]);
	free(snap->readers);
	memset(snap, 0, sizeof(*snap));
}

/* ------------------------------------------------------------- shards */

/* MySQL integer types: split as numbers (their order is the same everywhere). */
static bool
my_key_splittable(const Column *col)
{
	static const char *const ints[] = {"tinyint", "smallint", "mediumint", "int", "bigint", NULL};

	if (col->conv != CONV_NONE || col->source_base == NULL)
		return false;
	for (int i = 0; ints[i]; i++)
		if (strcmp(col->source_base, ints[i]) == 0)
			return true;
	return false;
}

/* An integer literal: optional '-', 1..20 digits (range bounds come from
 * _godwit state, so they are checked before they are put into SQL). */
static bool
is_int_literal(const char *s)
{
	size_t		n = 0;

	if (s == NULL)
		return false;
	if (*s == '-')
		s++;
	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return false;
	return n >= 1 && n <= 20;
}

/* Parse an integer key value into a 128-bit signed number. */
static bool
parse_i128(const char *s, __int128 *out)
{
	bool		neg = false;
	__int128	v = 0;

	if (!is_int_literal(s))
		return false;
	if (*s == '-')
	{
		neg = true;
		s++;
	}
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	*out = neg ? -v : v;
	return true;
}

static void
format_i128(__int128 v, char *out, size_t outlen)
{
	char		tmp[48];
	int			n = 0;
	bool		neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128) (-(v + 1)) + 1 : (unsigned __int128) v;

	do
	{
		tmp[n++] = (char) ('0' + (int) (u % 10));
		u /= 10;
	} while (u > 0 && n < (int) sizeof(tmp) - 1);
	if (neg)
		tmp[n++] = '-';
	for (int i = 0; i < n && (size_t) i + 1 < outlen; i++)
		out[i] = tmp[n - 1 - i];
	out[(size_t) n < outlen ? (size_t) n : outlen - 1] = '\0';
}

static void
plan_single(ShardPlan *out)
{
	out->ranges = gw_new_array(ShardRange, 1);
	out->nranges = 1;
}

static void
append_from(StrBuf *sql, const Table *t)
{
	sb_append_my_ident(sql, t->schema);
	sb_appendc(sql, '.');
	sb_append_my_ident(sql, t->name);
}

/*
 * my_plan_shards
 *		SourceOps.plan_shards: split t into about est_bytes / target_bytes
 *		ranges of its first key column, evenly between the key's MIN and MAX
 *		(two index lookups), when that column is an integer copied as a
 *		number; otherwise one open range.
 *
 * Caller frees *out with shard_plan_free.  False on error (logged).
 */
bool
my_plan_shards(Source *src, const Table *t, int64_t target_bytes, ShardPlan *out)
{
	MySource   *s = (MySource *) src;
	int64_t		want;
	StrBuf		sql;
	MYSQL_RES  *res;
	MYSQL_ROW	row;
	__int128	lo,
				hi;
	bool		have = false;

	memset(out, 0, sizeof(*out));
	if (target_bytes <= 0)
		target_bytes = 256LL << 20;
	want = t->est_bytes / target_bytes + (t->est_bytes % target_bytes ? 1 : 0);
	if (want > SHARDS_MAX)
		want = SHARDS_MAX;
	if (want < 2 || t->npk == 0 || !my_key_splittable(&t->columns[t->pk[0]]) ||
		(t->est_rows >= 0 && t->est_rows < 2 * want))
	{
		plan_single(out);
		return true;
	}
	const Column *key = &t->columns[t->pk[0]];

	sb_init(&sql, 0);
	sb_append(&sql, "SELECT MIN(");
	sb_append_my_ident(&sql, key->name);
	sb_append(&sql, "), MAX(");
	sb_append_my_ident(&sql, key->name);
	sb_append(&sql, ") FROM ");
	append_from(&sql, t);
	res = my_query(&s->conn, sql.data);
	sb_free(&sql);
	if (res == NULL)
	{
		log_error("could not read the key range of %s", t->display);
		return false;
	}
	row = mysql_fetch_row(res);
	if (row && row[0] && row[1] && parse_i128(row[0], &lo) && parse_i128(row[1], &hi))
		have = true;
	mysql_free_result(res);
	if (!have || hi - lo < want * 2)
	{
		plan_single(out);
		return true;
	}

	/* ranges: (-inf, b1), [b1, b2), ..., [bk, +inf) with b_k = lo + k * span / want */
	__int128	span = hi - lo + 1;

	out->ranges = gw_new_array(ShardRange, (size_t) want);
	for (int64_t k = 1; k < want; k++)
	{
		char		b[48];

		format_i128(lo + span / want * k + span % want * k / want, b, sizeof(b));
		out->ranges[out->nranges].hi = gw_strdup(b);
		out->nranges++;
	}
	out->ranges[out->nranges].hi = NULL;
	out->nranges++;
	for (int i = 1; i < out->nranges; i++)
		out->ranges[i].lo = gw_strdup(out->ranges[i - 1].hi);
	return true;
}

/* --------------------------------------------------------------- copy */

/* Field types that carry bytes (as opposed to numbers, dates, bits). */
static bool
field_is_string(const MYSQL_FIELD *f)
{
	switch (f->type)
	{
		case MYSQL_TYPE_STRING:
		case MYSQL_TYPE_VAR_STRING:
		case MYSQL_TYPE_VARCHAR:
		case MYSQL_TYPE_TINY_BLOB:
		case MYSQL_TYPE_MEDIUM_BLOB:
		case MYSQL_TYPE_LONG_BLOB:
		case MYSQL_TYPE_BLOB:
			return true;
		default:
			return false;
	}
}

/*
 * Numbers passed through unchanged (CONV_NONE): their text is digits, sign,
 * point and exponent, which myconv_value would copy as they are and COPY
 * needs no escape for, so the row is built from them directly.
 */
static bool
field_is_plain_number(const MYSQL_FIELD *f, const Column *col)
{
	if (col->conv != CONV_NONE)
		return false;
	switch (f->type)
	{
		case MYSQL_TYPE_TINY:
		case MYSQL_TYPE_SHORT:
		case MYSQL_TYPE_INT24:
		case MYSQL_TYPE_LONG:
		case MYSQL_TYPE_LONGLONG:
		case MYSQL_TYPE_DECIMAL:
		case MYSQL_TYPE_NEWDECIMAL:
		case MYSQL_TYPE_FLOAT:
		case MYSQL_TYPE_DOUBLE:
			return true;
		default:
			return false;
	}
}

/* Conversions that take the raw bytes of the value. */
static bool
conv_takes_bytes(ValueConv c)
{
	return c == CONV_MY_BINARY || c == CONV_MY_GEOMETRY || c == CONV_MY_GEOMETRY_BYTEA || c == CONV_MY_BIT ||
		c == CONV_MY_BIT_BOOL || c == CONV_MY_JSON;
}

/* "(id=5, k='x')" for messages: the row's key values (printable, cut). */
static void
describe_key(const Table *t, const int *colpos, MYSQL_ROW row, const unsigned long *lengths, int64_t rowno,
			 char *out, size_t outlen)
{
	size_t		o = 0;

	if (t->npk == 0)
	{
		snprintf(out, outlen, "row %lld of the range (no primary key)", (long long) rowno);
		return;
	}
	o += (size_t) snprintf(out, outlen, "key (");
	for (int k = 0; k < t->npk && o + 16 < outlen; k++)
	{
		int			ci = t->pk[k];
		int			pos = colpos[ci];
		const Column *col = &t->columns[ci];

		o += (size_t) snprintf(out + o, outlen - o, "%s%.40s=", k ? ", " : "", col->name);
		if (pos < 0 || row[pos] == NULL)
		{
			o += (size_t) snprintf(out + o, outlen - o, "?");
			continue;
		}
		for (unsigned long i = 0; i < lengths[pos] && i < 40 && o + 8 < outlen; i++)
		{
			unsigned char ch = (unsigned char) row[pos][i];

			if (ch >= 0x20 && ch < 0x7f)
				out[o++] = (char) ch;
			else
				o += (size_t) snprintf(out + o, outlen - o, "\\x%02x", ch);
		}
	}
	if (o + 2 < outlen)
	{
		out[o++] = ')';
		out[o] = '\0';
	}
	else
		out[outlen - 1] = '\0';
}

/*
 * Stop a stream that will not be read to its end: the connection is made
 * unusable (mariadb_cancel) so that freeing the result does not read the rest
 * of the range; the reader is marked broken.
 */
static void
my_stream_abort(SourceReader *r, MYSQL_RES *res)
{
	mariadb_cancel(r->conn.mysql);
	mysql_free_result(res);
	r->broken = true;
}

/*
 * my_copy_shard
 *		SourceOps.copy_shard: stream the rows of range of t from the reader's
 *		snapshot as COPY text into sink, counting them in *rows.
 *
 * Unbuffered (mysql_use_result): memory is one row.  A value that cannot be
 * converted stops the copy with the table, column, key and value named.
 * False on error (logged); a reader whose stream failed midway is unusable
 * afterwards (the fetch stops on a source error anyway).
 */
bool
my_copy_shard(SourceReader *r, const Table *t, const ShardRange *range, const CopySink *sink, int64_t *rows)
{
	StrBuf		sql;
	MYSQL_RES  *res;
	MYSQL_ROW	row;
	MYSQL_FIELD *fields;
	const Column **cols;
	int		   *colpos;			/* catalog column -> result position, -1 skipped */
	int			ncols = 0;
	bool		ok = true;
	bool	   *plain = NULL;	/* per result column: a number copied as it is */
	uint64_t	warned_null = 0;	/* columns already warned about (by position mod 64) */

	*rows = 0;
	if (r->broken)
	{
		err_set_kind(ERR_SOURCE);
		log_error("the source connection of this worker failed earlier");
		return false;
	}
	cols = gw_new_array(const Column *, (size_t) t->ncolumns + 1);
	colpos = gw_new_array(int, (size_t) t->ncolumns + 1);
	sb_init(&sql, 0);
	sb_append(&sql, "SELECT ");
	for (int i = 0; i < t->ncolumns; i++)
	{
		colpos[i] = -1;
		if (t->columns[i].skip)
			continue;
		if (ncols)
			sb_append(&sql, ", ");
		sb_append_my_ident(&sql, t->columns[i].name);
		colpos[i] = ncols;
		cols[ncols++] = &t->columns[i];
	}
	if (ncols == 0)
		sb_append(&sql, "1");
	sb_append(&sql, " FROM ");
	append_from(&sql, t);
	if (range && (range->lo || range->hi) && t->npk > 0)
	{
		const Column *key = &t->columns[t->pk[0]];

		if ((range->lo && !is_int_literal(range->lo)) || (range->hi && !is_int_literal(range->hi)))
		{
			err_set_kind(ERR_STATE);
			log_error("shard bounds of %s are not integers: \"%s\", \"%s\"", t->display,
					  range->lo ? range->lo : "", range->hi ? range->hi : "");
			ok = false;
			goto out;
		}
		sb_append(&sql, " WHERE ");
		if (range->lo)
		{
			sb_append_my_ident(&sql, key->name);
			sb_appendf(&sql, " >= %s", range->lo);
		}
		if (range->lo && range->hi)
			sb_append(&sql, " AND ");
		if (range->hi)
		{
			sb_append_my_ident(&sql, key->name);
			sb_appendf(&sql, " < %s", range->hi);
		}
	}

	if (mysql_real_query(r->conn.mysql, sql.data, (unsigned long) sql.len) != 0 ||
		(res = mysql_use_result(r->conn.mysql)) == NULL)
	{
		my_note_error(&r->conn);
		log_debug("failed: %s", sql.data);
		my_log_error(&r->conn, "could not read rows from the source");
		if (r->conn.last_errno == ER_TABLE_DEF_CHANGED)
			log_warn("table %s changed on the source during the fetch: rerun to copy it under a new snapshot",
					 t->display);
		ok = false;
		goto out;
	}
	if (ncols > 0 && mysql_num_fields(res) != (unsigned) ncols)
	{
		err_set_kind(ERR_INTERNAL);
		log_error("the source returned %u columns for %s, expected %d", mysql_num_fields(res), t->display, ncols);
		my_stream_abort(r, res);
		ok = false;
		goto out;
	}
	fields = mysql_fetch_fields(res);
	plain = gw_new_array(bool, (size_t) ncols + 1);
	for (int i = 0; i < ncols; i++)
	{
		plain[i] = field_is_plain_number(&fields[i], cols[i]);
		/* bytes must never be passed on as text */
		if (field_is_string(&fields[i]) && fields[i].charsetnr == 63 && !conv_takes_bytes(cols[i]->conv) &&
			cols[i]->conv != CONV_MY_ENUM && cols[i]->conv != CONV_MY_SET)
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh(NULL, "map the column to bytea (--type-map-file)",
						 "column \"%s\" of %s holds binary data on the source but is mapped to %s",
						 cols[i]->name, t->display, cols[i]->target_type ? cols[i]->target_type : "text");
			my_stream_abort(r, res);
			ok = false;
			goto out;
		}
	}

	while ((row = mysql_fetch_row(res)) != NULL)
	{
		unsigned long *lengths = mysql_fetch_lengths(res);

		sb_reset(&r->line);
		for (int i = 0; i < ncols; i++)
		{
			MyConvError cerr;

			if (i)
				sb_appendc(&r->line, '\t');
			if (row[i] == NULL)
			{
				myconv_copy_null(&r->line);
				continue;
			}
			if (plain[i])
			{
				sb_appendn(&r->line, row[i], lengths[i]);
				continue;
			}
			sb_reset(&r->val);
			switch (myconv_value(cols[i], row[i], lengths[i], &r->copt, &r->val, &cerr))
			{
				case MYCONV_OK:
					myconv_copy_escape(&r->line, r->val.data, r->val.len);
					break;
				case MYCONV_NULL:
					myconv_copy_null(&r->line);
					if (!cols[i]->nullable && !cols[i]->target_nullable && !(warned_null & (1ULL << (i & 63))))
					{
						char		key[256];

						/* the target refuses it unless the column was made nullable there */
						warned_null |= 1ULL << (i & 63);
						describe_key(t, colpos, row, lengths, *rows + 1, key, sizeof(key));
						log_warn_dh(NULL, "make the column nullable on the target (ALTER TABLE ... ALTER COLUMN ... "
									"DROP NOT NULL) and rerun the same command, or fix the value on the source",
									"value \"%.*s\" of NOT NULL column \"%s\" of %s at %s becomes NULL "
									"(--zero-dates null)", (int) (lengths[i] < 40 ? lengths[i] : 40), row[i],
									cols[i]->name, t->display, key);
					}
					break;
				case MYCONV_ERROR:
					{
						char		key[256];

						describe_key(t, colpos, row, lengths, *rows + 1, key, sizeof(key));
						err_set_kind(ERR_SOURCE);
						log_error_dh(NULL, cerr.hint[0] ? cerr.hint : NULL,
									 "could not convert a row of %s at %s: %s", t->display, key, cerr.message);
						ok = false;
						break;
					}
			}
			if (!ok)
				break;
		}
		if (!ok)
			break;
		if (ncols == 0)
			sb_appendc(&r->line, '1');
		sb_appendc(&r->line, '\n');
		if (!sb_ok(&r->line) || !sb_ok(&r->val))
		{
			char		key[256];

			describe_key(t, colpos, row, lengths, *rows + 1, key, sizeof(key));
			err_set_kind(ERR_SOURCE);
			log_error("a row of %s at %s is over the 1 GB limit of a COPY row", t->display, key);
			ok = false;
			break;
		}
		if (!sink->write(sink->arg, r->line.data, r->line.len))
		{
			ok = false;			/* logged by the sink */
			break;
		}
		(*rows)++;
	}
	if (!ok)
	{
		my_stream_abort(r, res);
		goto out;
	}
	if (mysql_errno(r->conn.mysql) != 0)
	{
		my_note_error(&r->conn);
		my_log_error(&r->conn, "lost the source while copying");
		mysql_free_result(res);
		r->broken = true;
		ok = false;
		goto out;
	}
	mysql_free_result(res);
	/* shrink buffers a huge row grew, so a worker does not keep them */
	if (r->line.cap > (4u << 20))
	{
		sb_free(&r->line);
		sb_init(&r->line, ROW_LIMIT);
	}
	if (r->val.cap > (4u << 20))
	{
		sb_free(&r->val);
		sb_init(&r->val, ROW_LIMIT);
	}

out:
	sb_free(&sql);
	free(cols);
	free(colpos);
	free(plain);
	return ok;
}
