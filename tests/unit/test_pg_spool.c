/*
 * tests/unit/test_pg_spool.c
 *	  Unit tests of the spool of streamed in-progress transactions
 *	  (src/dialect/pg/pg_spool.c): messages come back in order with their
 *	  LSNs, a rolled-back subtransaction and the ones after it are cut off,
 *	  a whole abort drops the file, interleaved transactions stay apart, an
 *	  unknown transaction replays as empty, and nothing is left on disk.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "dialect/pg/pg_spool.h"
#include "tap.h"

static char tmpdir[] = "/tmp/godwit-test-spool-XXXXXX";

static bool
add(PgSpool *s, uint32_t xid, uint32_t subxid, const char *text, Lsn lsn)
{
	return pg_spool_append(s, xid, subxid, (const uint8_t *) text, strlen(text), lsn);
}

/* Replay xid and return its messages joined by '|', with the LSNs summed. */
static char *
replay(PgSpool *s, uint32_t xid, Lsn *lsn_sum)
{
	static char out[4096];
	const uint8_t *msg;
	size_t		len,
				o = 0;
	Lsn			lsn;
	int			r;

	out[0] = '\0';
	*lsn_sum = 0;
	if (!pg_spool_replay_begin(s, xid))
		return NULL;
	while ((r = pg_spool_replay_next(s, &msg, &len, &lsn)) == 1)
	{
		o += (size_t) snprintf(out + o, sizeof(out) - o, "%s%.*s", o ? "|" : "", (int) len, (const char *) msg);
		*lsn_sum += lsn;
	}
	pg_spool_replay_end(s);
	return r == 0 ? out : NULL;
}

static int
entries_in(const char *dir)
{
	DIR		   *d = opendir(dir);
	struct dirent *e;
	int			n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int
main(void)
{
	PgSpool    *s;
	Lsn			sum;
	char	   *got;

	log_init(LOG_ERROR, LOG_FORMAT_TEXT);
	ok(mkdtemp(tmpdir) != NULL, "scratch TMPDIR");
	setenv("TMPDIR", tmpdir, 1);
	s = pg_spool_new();

	/* two transactions interleaved, one with subtransactions */
	ok(add(s, 100, 100, "a1", 1) && add(s, 200, 200, "b1", 10) && add(s, 100, 101, "a2-sub1", 2) &&
	   add(s, 100, 101, "a3-sub1", 3) && add(s, 200, 200, "b2", 20) && add(s, 100, 102, "a4-sub2", 4) &&
	   add(s, 100, 100, "a5", 5), "appended");
	is_int(pg_spool_open_count(s), 2, "two transactions spooled");
	is_int(entries_in(tmpdir), 1, "one spool directory under TMPDIR");

	/* ROLLBACK TO the second savepoint: a4 goes, a5 (appended after it) too */
	ok(pg_spool_abort(s, 100, 102), "subtransaction 102 aborted");
	ok(add(s, 100, 100, "a6", 6), "appended after the abort");
	got = replay(s, 100, &sum);
	is_str(got ? got : "(error)", "a1|a2-sub1|a3-sub1|a6", "replay: in order, without the aborted suffix");
	is_int((int) sum, 1 + 2 + 3 + 6, "with their LSNs");
	is_int(pg_spool_open_count(s), 1, "a replayed transaction is gone");

	/* an unknown subtransaction: nothing to cut */
	ok(pg_spool_abort(s, 200, 999), "abort of a subtransaction never seen");
	got = replay(s, 200, &sum);
	is_str(got ? got : "(error)", "b1|b2", "the other transaction is intact");

	/* the first subtransaction rolled back takes the later ones with it */
	ok(add(s, 300, 300, "c1", 1) && add(s, 300, 301, "c2", 2) && add(s, 300, 302, "c3", 3), "third transaction");
	ok(pg_spool_abort(s, 300, 301), "subtransaction 301 aborted");
	got = replay(s, 300, &sum);
	is_str(got ? got : "(error)", "c1", "everything from 301 on is cut off");

	/* a whole abort drops the transaction */
	ok(add(s, 400, 400, "d1", 1) && pg_spool_abort(s, 400, 400), "aborted transaction");
	is_int(pg_spool_open_count(s), 0, "nothing left spooled");
	got = replay(s, 400, &sum);
	is_str(got ? got : "(error)", "", "an aborted or unknown transaction replays as empty");

	/* a big message and an empty one */
	{
		size_t		n = 3 << 20;
		uint8_t    *big = malloc(n);
		const uint8_t *msg;
		size_t		len;
		Lsn			lsn;

		memset(big, 'x', n);
		big[n - 1] = 'y';
		ok(pg_spool_append(s, 500, 500, big, n, 7) && pg_spool_append(s, 500, 500, big, 0, 8), "3 MB message");
		ok(pg_spool_replay_begin(s, 500), "replay begins");
		ok(pg_spool_replay_next(s, &msg, &len, &lsn) == 1 && len == n && msg[n - 1] == 'y' && lsn == 7,
		   "3 MB message read back whole");
		ok(pg_spool_replay_next(s, &msg, &len, &lsn) == 1 && len == 0 && lsn == 8, "empty message read back");
		is_int(pg_spool_replay_next(s, &msg, &len, &lsn), 0, "then the end");
		pg_spool_replay_end(s);
		free(big);
	}

	pg_spool_free(s);
	is_int(entries_in(tmpdir), 0, "the spool directory is removed");
	rmdir(tmpdir);
	return done_testing();
}
