/*
 * tests/unit/test_pg_streamed.c
 *	  Unit tests of streamed in-progress transactions
 *	  (src/dialect/pg/pg_streamed.c) without a server: two transactions'
 *	  stream blocks interleaved, a subtransaction rolled back, a whole
 *	  transaction aborted, the replay at Stream Commit as one ordinary
 *	  transaction at its commit position (also in chunks), and protocol
 *	  violations refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/change.h"
#include "common/log.h"
#include "dialect/pg/pg_streamed.h"
#include "pgo_build.h"
#include "tap.h"

#define OID_T		16384

static Catalog cat;
static PgChanges pc;
static PgStreamed st;
static ChangeBatch batch;

/* public.t (id int4 PK, v text) */
static void
make_catalog(void)
{
	Table	   *t;

	catalog_init(&cat, ENGINE_POSTGRES);
	t = catalog_add_table(&cat, "public", "t");
	t->oid = OID_T;
	table_add_column(&cat, t, "id")->type_oid = 23;
	table_add_column(&cat, t, "v")->type_oid = 25;
	t->pk = arena_alloc_array0(&cat.arena, 1, sizeof(int));
	t->npk = 1;
}

static Buf
stream_start(uint32_t xid, int first)
{
	Buf			b = {0};

	u8(&b, 'S');
	u32(&b, xid);
	u8(&b, (uint8_t) first);
	return b;
}

static Buf
stream_stop(void)
{
	Buf			b = {0};

	u8(&b, 'E');
	return b;
}

static Buf
stream_abort(uint32_t xid, uint32_t subxid)
{
	Buf			b = {0};

	u8(&b, 'A');
	u32(&b, xid);
	u32(&b, subxid);
	return b;
}

static Buf
stream_commit(uint32_t xid, uint64_t commit_lsn, uint64_t end_lsn)
{
	Buf			b = {0};

	u8(&b, 'c');
	u32(&b, xid);
	u8(&b, 0);
	u64(&b, commit_lsn);
	u64(&b, end_lsn);
	u64(&b, 2000000);
	return b;
}

/* Relation of public.t, inside a stream block (xid first) */
static Buf
rel_t(uint32_t xid)
{
	Buf			b = {0};

	u8(&b, 'R');
	u32(&b, xid);
	u32(&b, OID_T);
	str(&b, "public");
	str(&b, "t");
	u8(&b, 'd');
	u16(&b, 2);
	u8(&b, 1);
	str(&b, "id");
	u32(&b, 23);
	u32(&b, 0xffffffff);
	u8(&b, 0);
	str(&b, "v");
	u32(&b, 25);
	u32(&b, 0xffffffff);
	return b;
}

/* INSERT into public.t made by (sub)transaction xid, inside a stream block */
static Buf
insert_t(uint32_t xid, const char *id)
{
	Buf			b = {0};

	u8(&b, 'I');
	u32(&b, xid);
	u32(&b, OID_T);
	u8(&b, 'N');
	u16(&b, 2);
	text(&b, id);
	text(&b, "v");
	return b;
}

static bool
feed(Buf m)
{
	if (!pg_streamed_takes(&st, &pc, m.b, m.n))
		return false;
	return pg_streamed_feed(&st, &pc, m.b, m.n, 0x2000);
}

/* Run the replay to its end (or the first handed-out batch): the batch's ids, "1,3". */
static char *
replay_ids(PgChangesOutcome *last)
{
	static char out[256];

	out[0] = '\0';
	*last = PGCH_CONSUMED;
	while (pg_streamed_replaying(&st))
	{
		*last = pg_streamed_replay(&st, &pc, &batch);
		if (*last == PGCH_FAILED || *last == PGCH_BATCH_FULL || *last == PGCH_TXN_DONE)
			break;
	}
	for (int i = 0; i < batch.nchanges; i++)
	{
		const Datum *d = &batch.changes[i].new_row[0];
		size_t		o = strlen(out);

		snprintf(out + o, sizeof(out) - o, "%s%.*s", i ? "," : "", (int) d->len, d->val);
	}
	return out;
}

int
main(void)
{
	char		tmpdir[] = "/tmp/godwit-test-streamed-XXXXXX";
	PgChangesOutcome o;
	char	   *ids;

	log_init(getenv("TEST_LOG") ? LOG_DEBUG : LOG_OFF, LOG_FORMAT_TEXT);
	ok(mkdtemp(tmpdir) != NULL, "scratch TMPDIR");
	setenv("TMPDIR", tmpdir, 1);
	make_catalog();
	pg_changes_init(&pc, &cat, "s", 0x100, NULL, 0, 1000, 0);
	pc.dopt.proto_version = PG_CHANGES_PROTO_STREAMING;
	pg_streamed_init(&st);
	change_batch_init(&batch);

	/* protocol 1 never routes here */
	pc.dopt.proto_version = 1;
	{
		Buf			s = stream_start(500, 1);

		ok(!pg_streamed_takes(&st, &pc, s.b, s.n), "protocol 1: nothing is taken");
	}
	pc.dopt.proto_version = PG_CHANGES_PROTO_STREAMING;

	/* 500: rows 1 (top), 2 (subxact 501, rolled back), then 600 in between, then 3 */
	ok(feed(stream_start(500, 1)) && feed(rel_t(500)) && feed(insert_t(500, "1")) && feed(insert_t(501, "2")) &&
	   feed(stream_stop()), "first block of 500");
	ok(feed(stream_start(600, 1)) && feed(rel_t(600)) && feed(insert_t(600, "10")) && feed(stream_stop()),
	   "a block of 600 in between");
	ok(feed(stream_abort(500, 501)), "subtransaction 501 rolled back");
	ok(feed(stream_start(500, 0)) && feed(insert_t(500, "3")) && feed(stream_stop()), "second block of 500");
	ok(!pg_streamed_replaying(&st), "nothing replays before the commit");

	ok(feed(stream_commit(500, 0x5000, 0x5100)), "Stream Commit of 500");
	ok(pg_streamed_replaying(&st), "starts the replay");
	ids = replay_ids(&o);
	is_int(o, PGCH_TXN_DONE, "the replay ends with the transaction done");
	is_str(ids, "1,3", "its rows, in order, without the rolled-back subtransaction's");
	ok(batch.is_last && strcmp(batch.txn.position, "0/5100") == 0, "at its commit's end position (%s)",
	   batch.txn.position ? batch.txn.position : "none");
	ok(!pg_streamed_replaying(&st), "the replay is over");

	/* 600 aborted: a commit of it now would replay nothing */
	change_batch_reset(&batch);
	ok(feed(stream_abort(600, 600)), "600 aborted");
	ok(feed(stream_commit(600, 0x6000, 0x6100)), "a Stream Commit of a dropped transaction");
	ids = replay_ids(&o);
	is_str(ids, "", "replays as an empty transaction");
	is_int(o, PGCH_TXN_DONE, "which still moves the position");

	/* chunks: a 2-change limit cuts the replay, the pending message is fed again */
	pg_changes_free(&pc);
	pg_changes_init(&pc, &cat, "s", 0x100, NULL, 0, 2, 0);
	pc.dopt.proto_version = PG_CHANGES_PROTO_STREAMING;
	change_batch_reset(&batch);
	ok(feed(stream_start(700, 1)) && feed(rel_t(700)) && feed(insert_t(700, "21")) && feed(insert_t(700, "22")) &&
	   feed(insert_t(700, "23")) && feed(stream_stop()) && feed(stream_commit(700, 0x7000, 0x7100)), "700 streamed");
	ids = replay_ids(&o);
	ok(o == PGCH_BATCH_FULL && strcmp(ids, "21,22") == 0 && !batch.is_last, "first chunk: 21,22 (%s)", ids);
	change_batch_reset(&batch);
	ids = replay_ids(&o);
	ok(o == PGCH_TXN_DONE && strcmp(ids, "23") == 0 && batch.is_last && batch.first_index == 2,
	   "last chunk: 23, from index 2 (%s)", ids);

	/* protocol violations */
	ok(feed(stream_start(800, 1)), "a block opens");
	ok(!feed(stream_start(801, 1)), "a Stream Start inside a block is refused");
	ok(!feed(stream_commit(800, 0x8000, 0x8100)), "so is a Stream Commit");
	ok(feed(stream_stop()) && !feed(stream_stop()), "and a Stream Stop outside a block");

	pg_streamed_free(&st);
	pg_changes_free(&pc);
	change_batch_free(&batch);
	catalog_free(&cat);
	ok(rmdir(tmpdir) == 0, "no spool left under TMPDIR");
	return done_testing();
}
