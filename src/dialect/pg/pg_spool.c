/*
 * src/dialect/pg/pg_spool.c
 *	  Spool files of streamed in-progress transactions (see pg_spool.h).
 */
#include "dialect/pg/pg_spool.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"

#define SPOOL_MAX_MESSAGE	((size_t) (1 << 30) + (1 << 20))	/* as pg_stream.c's cap */

typedef struct SubxactMark
{
	uint32_t	subxid;
	off_t		offset;			/* where its first message starts */
} SubxactMark;

typedef struct SpoolTxn
{
	uint32_t	xid;
	FILE	   *f;
	char	   *path;
	SubxactMark *marks;
	int			nmarks;
	size_t		cap_marks;
} SpoolTxn;

struct PgSpool
{
	char	   *dir;			/* NULL until the first append */
	SpoolTxn   *txns;
	int			ntxns;
	size_t		cap_txns;
	bool		replaying;
	uint32_t	replay_xid;		/* the transaction being replayed */
	uint8_t    *buf;			/* the message read last */
	size_t		cap_buf;
};

static const char *
spool_parent(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && tmp[0] ? tmp : "/tmp";
}

/* Remove directory path and the files in it (a spool has no subdirectories). */
static void
remove_spool_dir(const char *path)
{
	DIR		   *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
	{
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char	   *f = gw_asprintf("%s/%s", path, e->d_name);

		unlink(f);
		free(f);
	}
	closedir(d);
	if (rmdir(path) == 0)
		log_debug("removed the spool %s of a godwit process that no longer runs", path);
}

/*
 * Spools of processes that died (kill -9, a crash) hold only uncommitted
 * work the server sends again: remove them.  Names carry the owner's pid.
 */
static void
remove_stale_spools(void)
{
	const char *parent = spool_parent();
	DIR		   *d = opendir(parent);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
	{
		long		pid;
		char		rest;

		if (sscanf(e->d_name, "godwit-spool-%ld-%c", &pid, &rest) != 2 || pid <= 0 || pid == (long) getpid())
			continue;
		if (kill((pid_t) pid, 0) == 0 || errno != ESRCH)
			continue;
		char	   *path = gw_asprintf("%s/%s", parent, e->d_name);

		remove_spool_dir(path);
		free(path);
	}
	closedir(d);
}

PgSpool *
pg_spool_new(void)
{
	remove_stale_spools();
	return gw_new(PgSpool);
}

static void
txn_close(SpoolTxn *t)
{
	if (t->f)
		fclose(t->f);
	if (t->path)
		unlink(t->path);
	free(t->path);
	free(t->marks);
	memset(t, 0, sizeof(*t));
}

void
pg_spool_free(PgSpool *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->ntxns; i++)
		txn_close(&s->txns[i]);
	if (s->dir)
		rmdir(s->dir);
	free(s->dir);
	free(s->txns);
	free(s->buf);
	free(s);
}

int
pg_spool_open_count(const PgSpool *s)
{
	return s->ntxns;
}

static SpoolTxn *
find_txn(PgSpool *s, uint32_t xid)
{
	for (int i = 0; i < s->ntxns; i++)
		if (s->txns[i].xid == xid)
			return &s->txns[i];
	return NULL;
}

/* Remove transaction t (closing and deleting its file). */
static void
drop_txn(PgSpool *s, SpoolTxn *t)
{
	int			i = (int) (t - s->txns);

	if (s->replaying && s->replay_xid == t->xid)
		s->replaying = false;
	txn_close(t);
	s->txns[i] = s->txns[--s->ntxns];
}

static bool
spool_failed(const char *what, const char *path)
{
	err_set_kind(ERR_SOURCE);	/* the stream could not be kept: rerun */
	log_error_dh(NULL, "free space there, or point TMPDIR at a larger disk, and rerun: the source sends the transaction again",
				 "could not %s spool file %s for a streamed transaction: %s", what, path, strerror(errno));
	return false;
}

static SpoolTxn *
open_txn(PgSpool *s, uint32_t xid)
{
	SpoolTxn   *t;

	if (s->dir == NULL)
	{
		char	   *tmpl = gw_asprintf("%s/godwit-spool-%ld-XXXXXX", spool_parent(), (long) getpid());

		if (mkdtemp(tmpl) == NULL)
		{
			spool_failed("create the directory of a", tmpl);
			free(tmpl);
			return NULL;
		}
		s->dir = tmpl;
	}
	gw_array_grow(s->txns, s->cap_txns, (size_t) s->ntxns + 1);
	t = &s->txns[s->ntxns];
	memset(t, 0, sizeof(*t));
	t->xid = xid;
	t->path = gw_asprintf("%s/%u", s->dir, xid);
	t->f = fopen(t->path, "w+b");
	if (t->f == NULL)
	{
		spool_failed("create", t->path);
		free(t->path);
		return NULL;
	}
	s->ntxns++;
	return t;
}

bool
pg_spool_append(PgSpool *s, uint32_t xid, uint32_t subxid, const uint8_t *msg, size_t len, Lsn lsn)
{
	SpoolTxn   *t = find_txn(s, xid);
	uint8_t		head[12];
	uint32_t	n = (uint32_t) len;

	if (len > SPOOL_MAX_MESSAGE)
	{
		err_set_kind(ERR_SOURCE);	/* the stream could not be kept: rerun */
		log_error("a streamed message of %zu bytes is over the spool's cap", len);
		return false;
	}
	if (t == NULL && (t = open_txn(s, xid)) == NULL)
		return false;
	if (subxid != xid && (t->nmarks == 0 || t->marks[t->nmarks - 1].subxid != subxid))
	{
		bool		seen = false;

		for (int i = 0; i < t->nmarks && !seen; i++)
			seen = t->marks[i].subxid == subxid;
		if (!seen)
		{
			off_t		at = ftello(t->f);

			if (at < 0)
				return spool_failed("seek in", t->path);
			gw_array_grow(t->marks, t->cap_marks, (size_t) t->nmarks + 1);
			t->marks[t->nmarks].subxid = subxid;
			t->marks[t->nmarks].offset = at;
			t->nmarks++;
		}
	}
	memcpy(head, &n, 4);
	memcpy(head + 4, &lsn, 8);
	if (fwrite(head, 1, sizeof(head), t->f) != sizeof(head) || fwrite(msg, 1, len, t->f) != len)
		return spool_failed("write", t->path);
	return true;
}

bool
pg_spool_abort(PgSpool *s, uint32_t xid, uint32_t subxid)
{
	SpoolTxn   *t = find_txn(s, xid);

	if (t == NULL)
		return true;
	if (subxid == xid)
	{
		drop_txn(s, t);
		return true;
	}
	for (int i = 0; i < t->nmarks; i++)
	{
		if (t->marks[i].subxid != subxid)
			continue;
		/* the subtransaction and every later one (they are nested in it or after it) */
		if (fflush(t->f) != 0 || ftruncate(fileno(t->f), t->marks[i].offset) != 0 ||
			fseeko(t->f, 0, SEEK_END) != 0)
			return spool_failed("truncate", t->path);
		t->nmarks = i;
		break;
	}
	return true;
}

bool
pg_spool_replay_begin(PgSpool *s, uint32_t xid)
{
	SpoolTxn   *t = find_txn(s, xid);

	s->replaying = false;
	/* a transaction with nothing spooled (no change of ours) replays as empty */
	if (t && (fflush(t->f) != 0 || fseeko(t->f, 0, SEEK_SET) != 0))
		return spool_failed("rewind", t->path);
	s->replaying = true;
	s->replay_xid = xid;
	return true;
}

int
pg_spool_replay_next(PgSpool *s, const uint8_t **msg, size_t *len, Lsn *lsn)
{
	SpoolTxn   *t = s->replaying ? find_txn(s, s->replay_xid) : NULL;
	uint8_t		head[12];
	uint32_t	n;
	size_t		got;

	if (t == NULL)
		return 0;
	got = fread(head, 1, sizeof(head), t->f);
	if (got == 0 && feof(t->f))
		return 0;
	if (got != sizeof(head))
	{
		spool_failed("read", t->path);
		return -1;
	}
	memcpy(&n, head, 4);
	memcpy(lsn, head + 4, 8);
	if (n > SPOOL_MAX_MESSAGE)
	{
		err_set_kind(ERR_SOURCE);	/* the stream could not be kept: rerun */
		log_error("spool file %s is corrupt: a record of %u bytes", t->path, n);
		return -1;
	}
	if (n > s->cap_buf)
	{
		free(s->buf);
		s->cap_buf = n < 4096 ? 4096 : n;
		s->buf = gw_malloc(s->cap_buf);
	}
	if (fread(s->buf, 1, n, t->f) != n)
	{
		spool_failed("read", t->path);
		return -1;
	}
	*msg = s->buf;
	*len = n;
	return 1;
}

void
pg_spool_replay_end(PgSpool *s)
{
	SpoolTxn   *t = s->replaying ? find_txn(s, s->replay_xid) : NULL;

	if (t)
		drop_txn(s, t);
	s->replaying = false;
	/* a replayed big message need not stay allocated */
	if (s->cap_buf > (1 << 20))
	{
		free(s->buf);
		s->buf = NULL;
		s->cap_buf = 0;
	}
}
