/*
 * tests/unit/test_pg_changes.c
 *	  Unit tests of pgoutput-to-ChangeBatch assembly (src/dialect/pg/pg_changes.c)
 *	  without a server: transactions, key and FULL old tuples, unchanged TOAST,
 *	  chunking (BATCH_FULL re-feeds the same message), the resume prefix,
 *	  dropping transactions before the start, tables outside the catalog,
 *	  truncate, schema drift, and protocol errors.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/change.h"
#include "common/log.h"
#include "dialect/pg/pg_changes.h"
#include "pgo_build.h"
#include "tap.h"

#define OID_T		16384
#define OID_FULL	16385
#define OID_OUT		16386

static Catalog cat;

/* public.t (id int4 PK, v text, doc text), public.full_t (a int4, b text) FULL */
static void
make_catalog(void)
{
	Table	   *t;
	Column	   *c;

	catalog_init(&cat, ENGINE_POSTGRES);
	t = catalog_add_table(&cat, "public", "t");
	t->oid = OID_T;
	c = table_add_column(&cat, t, "id");
	c->type_oid = 23;
	c = table_add_column(&cat, t, "v");
	c->type_oid = 25;
	c = table_add_column(&cat, t, "doc");
	c->type_oid = 25;
	t->pk = arena_alloc_array0(&cat.arena, 1, sizeof(int));
	t->npk = 1;
	t = catalog_add_table(&cat, "public", "full_t");
	t->oid = OID_FULL;
	t->replica_identity = 'f';
	c = table_add_column(&cat, t, "a");
	c->type_oid = 23;
	c = table_add_column(&cat, t, "b");
	c->type_oid = 25;
}

/* ---- message builders ---- */
static Buf
rel_t(const char *extra_col, uint32_t v_type)
{
	Buf			b = {0};

	u8(&b, 'R');
	u32(&b, OID_T);
	str(&b, "public");
	str(&b, "t");
	u8(&b, 'd');
	u16(&b, extra_col ? 4 : 3);
	u8(&b, 1);
	str(&b, "id");
	u32(&b, 23);
	u32(&b, 0xffffffff);
	u8(&b, 0);
	str(&b, "v");
	u32(&b, v_type);
	u32(&b, 0xffffffff);
	u8(&b, 0);
	str(&b, "doc");
	u32(&b, 25);
	u32(&b, 0xffffffff);
	if (extra_col)
	{
		u8(&b, 0);
		str(&b, extra_col);
		u32(&b, 23);
		u32(&b, 0xffffffff);
	}
	return b;
}

static Buf
rel_simple(uint32_t oid, const char *name, char ident)
{
	Buf			b = {0};

	u8(&b, 'R');
	u32(&b, oid);
	str(&b, "public");
	str(&b, name);
	u8(&b, (uint8_t) ident);
	u16(&b, 2);
	u8(&b, 1);
	str(&b, oid == OID_OUT ? "x" : "a");
	u32(&b, 23);
	u32(&b, 0xffffffff);
	u8(&b, ident == 'f' ? 1 : 0);
	str(&b, oid == OID_OUT ? "y" : "b");
	u32(&b, 25);
	u32(&b, 0xffffffff);
	return b;
}

static Buf
begin(uint64_t final_lsn)
{
	Buf			b = {0};

	u8(&b, 'B');
	u64(&b, final_lsn);
	u64(&b, 1000000);			/* 1 s after 2000-01-01 */
	u32(&b, 700);
	return b;
}

static Buf
commit(uint64_t commit_lsn, uint64_t end_lsn)
{
	Buf			b = {0};

	u8(&b, 'C');
	u8(&b, 0);
	u64(&b, commit_lsn);
	u64(&b, end_lsn);
	u64(&b, 1000000);
	return b;
}

static Buf
insert_t(const char *id, const char *v)
{
	Buf			b = {0};

	u8(&b, 'I');
	u32(&b, OID_T);
	u8(&b, 'N');
	u16(&b, 3);
	text(&b, id);
	if (v)
		text(&b, v);
	else
		u8(&b, 'n');
	text(&b, "doc");
	return b;
}

static PgChanges pc;
static ChangeBatch batch;

static PgChangesOutcome
feed(Buf m)
{
	return pg_changes_feed(&pc, m.b, m.n, 0x1000, &batch);
}

static const char *
val(const Datum *d, char *buf)
{
	switch (d->kind)
	{
		case DATUM_NULL:
			return "NULL";
		case DATUM_UNCHANGED:
			return "UNCHANGED";
		case DATUM_ABSENT:
			return "ABSENT";
		case DATUM_TEXT:
			memcpy(buf, d->val, d->len);
			buf[d->len] = '\0';
			return buf;
	}
	return "?";
}

/* "v1,v2,v3" of a row of the batch's change i */
static char *
row_text(int i, bool old)
{
	static char out[256];
	char		buf[64];
	const Change *c = &batch.changes[i];
	const Datum *r = old ? c->old_row : c->new_row;

	out[0] = '\0';
	if (r == NULL)
		return strcpy(out, "-");
	for (int k = 0; k < c->table->ncolumns; k++)
	{
		if (k)
			strcat(out, ",");
		strcat(out, val(&r[k], buf));
	}
	return out;
}

static void
start(uint64_t start_lsn, const char *resume_txn, int64_t applied, int max_changes)
{
	pg_changes_free(&pc);
	pg_changes_init(&pc, &cat, "slot", start_lsn, resume_txn, applied, max_changes, 0);
	change_batch_reset(&batch);
}

static void
test_transaction(void)
{
	Buf			m;

	start(0x500, NULL, -1, 100);
	is_int(feed(rel_t(NULL, 25)), PGCH_CONSUMED, "relation");
	is_int(feed(begin(0x1000)), PGCH_CONSUMED, "begin");
	is_int(feed(insert_t("1", "one")), PGCH_CONSUMED, "insert");

	/* update with the old key (primary key change) */
	m = (Buf) {0};
	u8(&m, 'U');
	u32(&m, OID_T);
	u8(&m, 'K');
	u16(&m, 3);
	text(&m, "1");
	u8(&m, 'n');
	u8(&m, 'n');
	u8(&m, 'N');
	u16(&m, 3);
	text(&m, "2");
	text(&m, "two");
	u8(&m, 'u');
	is_int(feed(m), PGCH_CONSUMED, "update with old key");

	/* delete by key */
	m = (Buf) {0};
	u8(&m, 'D');
	u32(&m, OID_T);
	u8(&m, 'K');
	u16(&m, 3);
	text(&m, "2");
	u8(&m, 'n');
	u8(&m, 'n');
	is_int(feed(m), PGCH_CONSUMED, "delete");
	is_int(feed(commit(0x1000, 0x1040)), PGCH_TXN_DONE, "commit completes the batch");

	is_int(batch.nchanges, 3, "three changes");
	ok(batch.is_last && batch.first_index == 0, "whole transaction: first 0, last");
	is_str(batch.txn.txn_id, "0/1000", "txn_id is the commit LSN");
	is_str(batch.txn.position, "0/1040", "position is the commit end LSN");
	ok(batch.txn.lsn == 0x1040, "lsn is the end LSN");
	ok(batch.txn.commit_time_us == INT64_C(946684801000000), "commit time in Unix microseconds");
	ok(batch.changes[0].op == CHANGE_INSERT && batch.changes[0].old_row == NULL, "insert has no old row");
	is_str(row_text(0, false), "1,one,doc", "insert values in catalog order");
	ok(batch.changes[1].op == CHANGE_UPDATE, "update");
	is_str(row_text(1, true), "1,ABSENT,ABSENT", "old key: non-key columns ABSENT, not NULL");
	is_str(row_text(1, false), "2,two,UNCHANGED", "unchanged TOAST is UNCHANGED, never NULL");
	is_str(row_text(2, true), "2,ABSENT,ABSENT", "delete carries the key");
	ok(pc.last_end == 0x1040 && !pc.in_txn, "positions advanced");
}

static void
test_full_identity_and_skip(void)
{
	Buf			m;

	start(0, NULL, -1, 100);
	feed(rel_simple(OID_FULL, "full_t", 'f'));
	feed(rel_simple(OID_OUT, "outside", 'd'));
	feed(begin(0x2000));
	m = (Buf) {0};
	u8(&m, 'U');
	u32(&m, OID_FULL);
	u8(&m, 'O');
	u16(&m, 2);
	text(&m, "1");
	u8(&m, 'n');
	u8(&m, 'N');
	u16(&m, 2);
	text(&m, "1");
	text(&m, "b");
	is_int(feed(m), PGCH_CONSUMED, "update with the whole old row");
	m = (Buf) {0};
	u8(&m, 'I');
	u32(&m, OID_OUT);
	u8(&m, 'N');
	u16(&m, 2);
	text(&m, "9");
	text(&m, "z");
	is_int(feed(m), PGCH_CONSUMED, "insert into a table outside the catalog");
	is_int(feed(commit(0x2000, 0x2040)), PGCH_TXN_DONE, "commit");
	is_int(batch.nchanges, 1, "the outside change was skipped");
	is_str(row_text(0, true), "1,NULL", "REPLICA IDENTITY FULL old row: a real NULL stays NULL");

	/* a transaction with only outside changes still completes (empty batch) */
	change_batch_reset(&batch);
	feed(begin(0x3000));
	feed(m);
	is_int(feed(commit(0x3000, 0x3040)), PGCH_TXN_DONE, "outside-only transaction completes");
	ok(batch.nchanges == 0 && batch.is_last && strcmp(batch.txn.position, "0/3040") == 0,
	   "... as an empty last batch that moves the position");

	/* truncate of an inside and an outside table, cascade */
	change_batch_reset(&batch);
	feed(begin(0x4000));
	m = (Buf) {0};
	u8(&m, 'T');
	u32(&m, 2);
	u8(&m, 1);
	u32(&m, OID_FULL);
	u32(&m, OID_OUT);
	is_int(feed(m), PGCH_CONSUMED, "truncate");
	feed(commit(0x4000, 0x4040));
	ok(batch.nchanges == 1 && batch.changes[0].op == CHANGE_TRUNCATE && batch.changes[0].ntruncate == 1 &&
	   batch.changes[0].truncate_tables[0] == cat.tables[1] && batch.changes[0].truncate_cascade,
	   "truncate names the catalog table only, with cascade");
}

static void
test_chunks_and_resume(void)
{
	int			full = 0,
				done = 0;
	int64_t		firsts[8];
	int			ns[8];
	int			nb = 0;

	/* five inserts with max 2 per chunk: 2 + 2 + 1 */
	start(0x500, NULL, -1, 2);
	feed(rel_t(NULL, 25));
	feed(begin(0x1000));
	for (int i = 1; i <= 6; i++)
	{
		char		id[8];
		Buf			m;
		PgChangesOutcome o;

		snprintf(id, sizeof(id), "%d", i);
		m = i <= 5 ? insert_t(id, "x") : commit(0x1000, 0x1040);
		while ((o = feed(m)) == PGCH_BATCH_FULL)
		{
			full++;
			ok(!batch.is_last && strcmp(batch.txn.position, "0/500") == 0 &&
			   strcmp(batch.txn.txn_id, "0/1000") == 0,
			   "chunk %d: not last; position is the resume point before the transaction", full);
			firsts[nb] = batch.first_index;
			ns[nb++] = batch.nchanges;
			change_batch_reset(&batch);
		}
		if (o == PGCH_TXN_DONE)
		{
			done++;
			firsts[nb] = batch.first_index;
			ns[nb++] = batch.nchanges;
		}
	}
	ok(full == 2 && done == 1 && nb == 3, "two full chunks and a last one");
	ok(firsts[0] == 0 && ns[0] == 2 && firsts[1] == 2 && ns[1] == 2 && firsts[2] == 4 && ns[2] == 1,
	   "first_index 0, 2, 4 with 2, 2, 1 changes");
	is_str(row_text(0, false), "5,x,doc", "the re-fed message starts the last chunk");
	ok(batch.is_last && strcmp(batch.txn.position, "0/1040") == 0, "last chunk carries the end LSN");

	/* restart inside the transaction after 3 applied changes */
	start(0x500, "0/1000", 3, 100);
	feed(rel_t(NULL, 25));
	feed(begin(0x1000));
	for (int i = 1; i <= 5; i++)
	{
		char		id[8];

		snprintf(id, sizeof(id), "%d", i);
		feed(insert_t(id, "x"));
	}
	is_int(feed(commit(0x1000, 0x1040)), PGCH_TXN_DONE, "resumed transaction completes");
	ok(batch.nchanges == 2 && batch.first_index == 3, "the applied prefix (3) is skipped, first_index 3");
	is_str(row_text(0, false), "4,x,doc", "... starting with the 4th change");

	/* a later transaction with the same id would not be skipped: one-shot */
	change_batch_reset(&batch);
	feed(begin(0x2000));
	feed(insert_t("7", "y"));
	feed(commit(0x2000, 0x2040));
	ok(batch.nchanges == 1 && batch.first_index == 0, "the resume prefix applies to one transaction only");

	/* transactions ending before the start are dropped whole */
	start(0x1040, NULL, -1, 100);
	feed(rel_t(NULL, 25));
	feed(begin(0x1000));
	feed(insert_t("1", "x"));
	is_int(feed(commit(0x1000, 0x1040)), PGCH_CONSUMED, "a transaction ending at the start is dropped");
	is_int(batch.nchanges, 0, "... with its changes");
	feed(begin(0x1040));
	feed(insert_t("2", "x"));
	is_int(feed(commit(0x1040, 0x1080)), PGCH_TXN_DONE, "one starting exactly at the start is not");

	/* cut on a timeout: a partial chunk */
	start(0, NULL, -1, 100);
	feed(rel_t(NULL, 25));
	feed(begin(0x5000));
	feed(insert_t("1", "x"));
	pg_changes_cut(&pc, &batch);
	ok(!batch.is_last && batch.nchanges == 1 && strcmp(batch.txn.txn_id, "0/5000") == 0,
	   "pg_changes_cut labels a partial chunk");
}

static void
test_drift_and_errors(void)
{
	Buf			m;

	start(0, NULL, -1, 100);
	feed(rel_t("extra", 25));
	feed(begin(0x1000));
	is_int(feed(insert_t("1", "x")), PGCH_FAILED, "an unknown column fails at the first change");

	start(0, NULL, -1, 100);
	feed(rel_t(NULL, 1043));
	feed(begin(0x1000));
	is_int(feed(insert_t("1", "x")), PGCH_FAILED, "a retyped column fails");

	start(0, NULL, -1, 100);
	m = (Buf) {0};
	u8(&m, 'R');
	u32(&m, OID_T);
	str(&m, "public");
	str(&m, "t");
	u8(&m, 'd');
	u16(&m, 2);
	u8(&m, 1);
	str(&m, "id");
	u32(&m, 23);
	u32(&m, 0);
	u8(&m, 0);
	str(&m, "v");
	u32(&m, 25);
	u32(&m, 0);
	feed(m);
	feed(begin(0x1000));
	m = (Buf) {0};
	u8(&m, 'I');
	u32(&m, OID_T);
	u8(&m, 'N');
	u16(&m, 2);
	text(&m, "1");
	text(&m, "x");
	is_int(feed(m), PGCH_FAILED, "a catalog column the source no longer sends fails");

	start(0, NULL, -1, 100);
	m = (Buf) {0};
	u8(&m, 'R');
	u32(&m, OID_T);
	str(&m, "public");
	str(&m, "t");
	u8(&m, 'i');
	u16(&m, 3);
	u8(&m, 0);
	str(&m, "id");
	u32(&m, 23);
	u32(&m, 0);
	u8(&m, 1);
	str(&m, "v");
	u32(&m, 25);
	u32(&m, 0);
	u8(&m, 0);
	str(&m, "doc");
	u32(&m, 25);
	u32(&m, 0);
	feed(m);
	feed(begin(0x1000));
	is_int(feed(insert_t("1", "x")), PGCH_FAILED, "a replica identity without the primary key fails");

	start(0, NULL, -1, 100);
	feed(rel_t(NULL, 25));
	feed(begin(0x1000));
	m = insert_t("1", "x");
	m.b[7] = 0;
	m.b[8] = 2;					/* two columns for a three-column relation */
	is_int(feed(m), PGCH_FAILED, "a tuple with the wrong column count fails");

	start(0, NULL, -1, 100);
	is_int(feed(insert_t("1", "x")), PGCH_FAILED, "a change before any BEGIN fails");
	start(0, NULL, -1, 100);
	feed(begin(0x1000));
	is_int(feed(insert_t("1", "x")), PGCH_FAILED, "a change for a relation never described fails");
	start(0, NULL, -1, 100);
	feed(begin(0x1000));
	is_int(feed(begin(0x2000)), PGCH_FAILED, "BEGIN inside a transaction fails");
	start(0, NULL, -1, 100);
	is_int(feed(commit(0x1000, 0x1040)), PGCH_FAILED, "COMMIT without BEGIN fails");
	start(0, NULL, -1, 100);
	feed(begin(0x1000));
	is_int(feed(commit(0x1008, 0x1040)), PGCH_FAILED, "COMMIT of another transaction fails");
	start(0, NULL, -1, 100);
	m = (Buf) {0};
	u8(&m, 'S');
	u32(&m, 1);
	u8(&m, 1);
	is_int(feed(m), PGCH_FAILED, "a streamed-transaction message fails (never requested)");
	m = (Buf) {0};
	u8(&m, 'Y');
	u32(&m, 90000);
	str(&m, "public");
	str(&m, "mood");
	start(0, NULL, -1, 100);
	is_int(feed(m), PGCH_CONSUMED, "TYPE messages are ignored");
	m = (Buf) {0};
	u8(&m, 'O');
	u64(&m, 1);
	str(&m, "origin");
	is_int(feed(m), PGCH_CONSUMED, "ORIGIN messages are ignored");
	m.n = 3;
	is_int(feed(m), PGCH_FAILED, "a truncated message fails");

	/* an absurd commit time from the wire saturates instead of overflowing */
	start(0, NULL, -1, 100);
	feed(rel_t(NULL, 25));
	m = begin(0x1000);
	for (int i = 1; i <= 8; i++)
		m.b[8 + i] = i == 1 ? 0x7f : 0xff;
	feed(m);
	feed(commit(0x1000, 0x1040));
	ok(batch.txn.commit_time_us == INT64_MAX, "a commit time past the int64 range saturates");
	ok(pg_changes_unix_time(0) == INT64_C(946684800000000), "PostgreSQL epoch to Unix epoch");

	/* a relation re-sent after DDL replaces the old description */
	start(0, NULL, -1, 100);
	feed(rel_t("extra", 25));
	feed(rel_t(NULL, 25));
	feed(begin(0x1000));
	is_int(feed(insert_t("1", "x")), PGCH_CONSUMED, "the latest RELATION message wins");
}

int
main(void)
{
	log_init(LOG_OFF, LOG_FORMAT_TEXT);
	make_catalog();
	change_batch_init(&batch);
	pg_changes_init(&pc, &cat, "slot", 0, NULL, -1, 100, 0);
	test_transaction();
	test_full_identity_and_skip();
	test_chunks_and_resume();
	test_drift_and_errors();
	pg_changes_free(&pc);
	change_batch_free(&batch);
	catalog_free(&cat);
	return done_testing();
}
