/*
 * tests/unit/test_pgoutput.c
 *	  Unit tests of the pgoutput and replication-framing decoders: every
 *	  message type built byte by byte, every truncation of each, bad counts,
 *	  bad markers, trailing bytes, protocol-version gating, and the 'r'
 *	  status encoder.
 */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "dialect/pg/pgoutput.h"
#include "pgo_build.h"
#include "tap.h"

static const PgoDecodeOptions V1 = {.proto_version = 1};
static const PgoDecodeOptions V2S = {.proto_version = 2, .in_stream = true};
static const PgoDecodeOptions V3 = {.proto_version = 3};
static const PgoDecodeOptions V4P = {.proto_version = 4, .v4_abort_info = true};

static Arena arena;

static bool
dec(const Buf *b, const PgoDecodeOptions *o, PgoMsg *m, PgoError *e)
{
	return pgoutput_decode_message(b->b, b->n, o, &arena, m, e);
}

/* Every strict prefix of a valid message must fail cleanly (never crash). */
static void
check_prefixes(const Buf *b, const PgoDecodeOptions *o, const char *name)
{
	int			bad = 0;

	for (size_t n = 0; n < b->n; n++)
	{
		PgoMsg		m;
		PgoError	e;
		uint8_t    *copy = malloc(n ? n : 1);	/* exact size: ASan sees overreads */

		memcpy(copy, b->b, n);
		if (pgoutput_decode_message(copy, n, o, &arena, &m, &e))
			bad++;
		else if (e.offset > n)
			bad++;
		free(copy);
	}
	ok(bad == 0, "%s: all %zu truncations rejected", name, b->n);
	/* and one trailing byte is an error */
	Buf			t = *b;

	u8(&t, 0);
	PgoMsg		m;
	PgoError	e;

	ok(!dec(&t, o, &m, &e) && e.code == PGO_ERR_TRAILING && e.offset == b->n,
	   "%s: trailing byte rejected at offset %zu", name, b->n);
}

static void
test_begin_commit(void)
{
	Buf			b = {0};
	PgoMsg		m;
	PgoError	e;

	u8(&b, 'B');
	u64(&b, 0x16B374D848ULL);
	u64(&b, 123456789);
	u32(&b, 742);
	ok(dec(&b, &V1, &m, &e), "begin decodes");
	ok(m.type == PGO_MSG_BEGIN && m.u.begin.final_lsn == 0x16B374D848ULL &&
	   m.u.begin.commit_time == 123456789 && m.u.begin.xid == 742, "begin fields");
	check_prefixes(&b, &V1, "begin");

	b.n = 0;
	u8(&b, 'C');
	u8(&b, 0);
	u64(&b, 0x100);
	u64(&b, 0x130);
	u64(&b, 99);
	ok(dec(&b, &V1, &m, &e), "commit decodes");
	ok(m.u.commit.commit_lsn == 0x100 && m.u.commit.end_lsn == 0x130 && m.u.commit.commit_time == 99,
	   "commit fields");
	check_prefixes(&b, &V1, "commit");

	b.n = 0;
	u8(&b, 'O');
	u64(&b, 0x42);
	str(&b, "node_a");
	ok(dec(&b, &V1, &m, &e) && m.u.origin.commit_lsn == 0x42 &&
	   strcmp(m.u.origin.name, "node_a") == 0, "origin decodes");
	check_prefixes(&b, &V1, "origin");
}

static void
test_relation_type(void)
{
	Buf			b = {0};
	PgoMsg		m;
	PgoError	e;

	u8(&b, 'R');
	u32(&b, 16384);
	str(&b, "Odd \"Schema\"");
	str(&b, "t\xc3\xa9");
	u8(&b, 'f');
	u16(&b, 2);
	u8(&b, 1);
	str(&b, "id");
	u32(&b, 20);
	u32(&b, 0xffffffff);
	u8(&b, 0);
	str(&b, "note");
	u32(&b, 1043);
	u32(&b, 54);
	ok(dec(&b, &V1, &m, &e), "relation decodes");
	ok(m.u.relation.relid == 16384 && strcmp(m.u.relation.nspname, "Odd \"Schema\"") == 0 &&
	   strcmp(m.u.relation.relname, "t\xc3\xa9") == 0 && m.u.relation.replident == 'f',
	   "relation header");
	ok(m.u.relation.ncols == 2 && m.u.relation.cols[0].flags == PGO_COLUMN_KEY &&
	   strcmp(m.u.relation.cols[0].name, "id") == 0 && m.u.relation.cols[0].type_oid == 20 &&
	   m.u.relation.cols[0].typmod == -1 && m.u.relation.cols[1].typmod == 54 &&
	   strcmp(m.u.relation.cols[1].name, "note") == 0, "relation columns");
	check_prefixes(&b, &V1, "relation");

	/* a column count the message cannot hold */
	b.n = 0;
	u8(&b, 'R');
	u32(&b, 1);
	str(&b, "s");
	str(&b, "t");
	u8(&b, 'd');
	u16(&b, 65535);
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_COUNT, "relation: huge column count refused");

	/* in a stream block (v2) the xid comes first */
	b.n = 0;
	u8(&b, 'Y');
	u32(&b, 777);
	u32(&b, 90000);
	str(&b, "public");
	str(&b, "mood");
	ok(dec(&b, &V2S, &m, &e) && m.stream_xid == 777 && m.u.type.oid == 90000 &&
	   strcmp(m.u.type.name, "mood") == 0, "type decodes with the stream xid");
	check_prefixes(&b, &V2S, "type (stream)");
	ok(!dec(&b, &V1, &m, &e), "the same bytes are not a v1 type message");
}

static void
test_rows(void)
{
	Buf			b = {0};
	PgoMsg		m;
	PgoError	e;

	/* insert: text, null, unchanged, binary */
	u8(&b, 'I');
	u32(&b, 16384);
	u8(&b, 'N');
	u16(&b, 4);
	text(&b, "42");
	u8(&b, 'n');
	u8(&b, 'u');
	u8(&b, 'b');
	u32(&b, 2);
	u8(&b, 0);
	u8(&b, 0xff);
	ok(dec(&b, &V1, &m, &e), "insert decodes");
	PgoTuple   *t = &m.u.row.new_tuple;

	ok(m.u.row.relid == 16384 && m.u.row.has_new && m.u.row.old_kind == 0 && t->ncols == 4,
	   "insert header");
	ok(t->values[0].kind == PGO_VALUE_TEXT && t->values[0].len == 2 &&
	   memcmp(t->values[0].data, "42", 2) == 0, "text value");
	ok(t->values[1].kind == PGO_VALUE_NULL && t->values[2].kind == PGO_VALUE_UNCHANGED,
	   "null and unchanged TOAST");
	ok(t->values[3].kind == PGO_VALUE_BINARY && t->values[3].len == 2 && t->values[3].data[1] == 0xff,
	   "binary value");
	check_prefixes(&b, &V1, "insert");

	/* update with old key */
	b.n = 0;
	u8(&b, 'U');
	u32(&b, 5);
	u8(&b, 'K');
	u16(&b, 2);
	text(&b, "1");
	u8(&b, 'n');
	u8(&b, 'N');
	u16(&b, 2);
	text(&b, "2");
	text(&b, "");
	ok(dec(&b, &V1, &m, &e) && m.u.row.old_kind == 'K' && m.u.row.old_tuple.ncols == 2 &&
	   m.u.row.new_tuple.values[1].kind == PGO_VALUE_TEXT && m.u.row.new_tuple.values[1].len == 0,
	   "update with old key; empty text value");
	check_prefixes(&b, &V1, "update K");

	/* update without old tuple */
	b.n = 0;
	u8(&b, 'U');
	u32(&b, 5);
	u8(&b, 'N');
	u16(&b, 1);
	text(&b, "x");
	ok(dec(&b, &V1, &m, &e) && m.u.row.old_kind == 0 && m.u.row.has_new, "update without old tuple");

	/* update with whole old row */
	b.n = 0;
	u8(&b, 'U');
	u32(&b, 5);
	u8(&b, 'O');
	u16(&b, 1);
	text(&b, "old");
	u8(&b, 'N');
	u16(&b, 1);
	text(&b, "new");
	ok(dec(&b, &V1, &m, &e) && m.u.row.old_kind == 'O', "update with old row (REPLICA IDENTITY FULL)");
	check_prefixes(&b, &V1, "update O");

	/* bad markers */
	b.n = 0;
	u8(&b, 'U');
	u32(&b, 5);
	u8(&b, 'X');
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_SUBMSG && e.offset == 5, "update: bad marker at offset 5");
	b.n = 0;
	u8(&b, 'I');
	u32(&b, 5);
	u8(&b, 'K');
	u16(&b, 0);
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_SUBMSG, "insert needs N");
	b.n = 0;
	u8(&b, 'D');
	u32(&b, 5);
	u8(&b, 'N');
	u16(&b, 0);
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_SUBMSG, "delete needs K or O");
	b.n = 0;
	u8(&b, 'I');
	u32(&b, 5);
	u8(&b, 'N');
	u16(&b, 1);
	u8(&b, 'z');
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_TUPLE_KIND && e.offset == 8, "bad column kind at offset 8");
	b.n = 0;
	u8(&b, 'I');
	u32(&b, 5);
	u8(&b, 'N');
	u16(&b, 1);
	u8(&b, 't');
	u32(&b, 0x80000000u);
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_COUNT, "negative value length refused");
	b.n = 0;
	u8(&b, 'I');
	u32(&b, 5);
	u8(&b, 'N');
	u16(&b, 1000);
	u8(&b, 'n');
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_COUNT, "tuple column count larger than the message");

	/* delete */
	b.n = 0;
	u8(&b, 'D');
	u32(&b, 7);
	u8(&b, 'O');
	u16(&b, 2);
	text(&b, "a");
	text(&b, "b");
	ok(dec(&b, &V1, &m, &e) && m.u.row.old_kind == 'O' && !m.u.row.has_new &&
	   m.u.row.old_tuple.ncols == 2, "delete with old row");
	check_prefixes(&b, &V1, "delete");

	/* insert inside a stream block */
	b.n = 0;
	u8(&b, 'I');
	u32(&b, 991);
	u32(&b, 5);
	u8(&b, 'N');
	u16(&b, 0);
	ok(dec(&b, &V2S, &m, &e) && m.stream_xid == 991 && m.u.row.relid == 5, "streamed insert");
}

static void
test_truncate_message(void)
{
	Buf			b = {0};
	PgoMsg		m;
	PgoError	e;

	u8(&b, 'T');
	u32(&b, 3);
	u8(&b, PGO_TRUNCATE_CASCADE | PGO_TRUNCATE_RESTART_IDENTITY);
	u32(&b, 10);
	u32(&b, 11);
	u32(&b, 12);
	ok(dec(&b, &V1, &m, &e) && m.u.truncate.nrelids == 3 && m.u.truncate.relids[2] == 12 &&
	   m.u.truncate.options == 3, "truncate decodes");
	check_prefixes(&b, &V1, "truncate");
	b.n = 0;
	u8(&b, 'T');
	u32(&b, 0x7fffffff);
	u8(&b, 0);
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_BAD_COUNT, "truncate: huge count refused before allocating");

	b.n = 0;
	u8(&b, 'M');
	u8(&b, 1);
	u64(&b, 0x55);
	str(&b, "godwit");
	u32(&b, 3);
	u8(&b, 'a');
	u8(&b, 0);
	u8(&b, 'c');
	ok(dec(&b, &V1, &m, &e) && m.u.message.flags == 1 && m.u.message.lsn == 0x55 &&
	   strcmp(m.u.message.prefix, "godwit") == 0 && m.u.message.len == 3 &&
	   m.u.message.content[2] == 'c', "logical message decodes (content may hold NUL)");
	check_prefixes(&b, &V1, "message");
}

static void
test_stream_and_twophase(void)
{
	Buf			b = {0};
	PgoMsg		m;
	PgoError	e;

	u8(&b, 'S');
	u32(&b, 900);
	u8(&b, 1);
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_NEEDS_VERSION, "stream start refused in v1");
	ok(dec(&b, &V3, &m, &e) && m.u.stream_start.xid == 900 && m.u.stream_start.first_segment == 1,
	   "stream start in v3");
	check_prefixes(&b, &V3, "stream start");

	b.n = 0;
	u8(&b, 'E');
	ok(dec(&b, &V3, &m, &e) && m.type == PGO_MSG_STREAM_STOP, "stream stop");

	b.n = 0;
	u8(&b, 'c');
	u32(&b, 900);
	u8(&b, 0);
	u64(&b, 0x200);
	u64(&b, 0x228);
	u64(&b, 5);
	ok(dec(&b, &V3, &m, &e) && m.u.stream_commit.end_lsn == 0x228, "stream commit");
	check_prefixes(&b, &V3, "stream commit");

	b.n = 0;
	u8(&b, 'A');
	u32(&b, 900);
	u32(&b, 901);
	ok(dec(&b, &V3, &m, &e) && m.u.stream_abort.subxid == 901 && !m.u.stream_abort.has_abort_info,
	   "stream abort (v2/v3)");
	u64(&b, 0x300);
	u64(&b, 6);
	ok(dec(&b, &V4P, &m, &e) && m.u.stream_abort.has_abort_info && m.u.stream_abort.abort_lsn == 0x300,
	   "stream abort with abort info (v4 parallel)");
	check_prefixes(&b, &V4P, "stream abort v4");

	b.n = 0;
	u8(&b, 'r');
	u8(&b, 0);
	u64(&b, 1);
	u64(&b, 2);
	u64(&b, 3);
	u64(&b, 4);
	u32(&b, 77);
	str(&b, "gid-1");
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_NEEDS_VERSION, "rollback prepared refused in v1");
	ok(dec(&b, &V3, &m, &e) && m.u.prepare.lsn == 1 && m.u.prepare.end_lsn == 2 &&
	   m.u.prepare.time == 3 && m.u.prepare.rollback_time == 4 && m.u.prepare.xid == 77 &&
	   strcmp(m.u.prepare.gid, "gid-1") == 0, "rollback prepared in v3");
	check_prefixes(&b, &V3, "rollback prepared");

	b.n = 0;
	u8(&b, 'b');
	u64(&b, 1);
	u64(&b, 2);
	u64(&b, 3);
	u32(&b, 78);
	str(&b, "g");
	ok(dec(&b, &V3, &m, &e) && m.u.prepare.xid == 78, "begin prepare (no flags byte)");
	check_prefixes(&b, &V3, "begin prepare");

	b.n = 0;
	u8(&b, 'Z');
	ok(!dec(&b, &V4P, &m, &e) && e.code == PGO_ERR_UNKNOWN_TYPE && e.offset == 0, "unknown type");
	b.n = 0;
	ok(!dec(&b, &V1, &m, &e) && e.code == PGO_ERR_EMPTY, "empty message");
}

static void
test_framing(void)
{
	Buf			b = {0};
	PgoFrame	f;
	PgoError	e;

	u8(&b, 'w');
	u64(&b, 0x1000);
	u64(&b, 0x2000);
	u64(&b, 777);
	u8(&b, 'B');
	ok(pgoutput_decode_frame(b.b, b.n, &f, &e) && f.type == PGO_FRAME_XLOGDATA &&
	   f.data_start == 0x1000 && f.wal_end == 0x2000 && f.send_time == 777 &&
	   f.payload_len == 1 && f.payload[0] == 'B', "xlogdata frame");
	ok(!pgoutput_decode_frame(b.b, 24, &f, &e) && e.code == PGO_ERR_SHORT, "short xlogdata header");
	ok(pgoutput_decode_frame(b.b, 25, &f, &e) && f.payload_len == 0, "xlogdata with empty payload");

	b.n = 0;
	u8(&b, 'k');
	u64(&b, 0x3000);
	u64(&b, 1);
	u8(&b, 1);
	ok(pgoutput_decode_frame(b.b, b.n, &f, &e) && f.type == PGO_FRAME_KEEPALIVE &&
	   f.wal_end == 0x3000 && f.reply_requested, "keepalive with reply requested");
	ok(!pgoutput_decode_frame(b.b, b.n - 1, &f, &e), "short keepalive");
	ok(!pgoutput_decode_frame((const uint8_t *) "x", 1, &f, &e) && e.code == PGO_ERR_UNKNOWN_TYPE,
	   "unknown frame");
	ok(!pgoutput_decode_frame(b.b, 0, &f, &e) && e.code == PGO_ERR_EMPTY, "empty frame");

	uint8_t		st[PGO_STATUS_LEN];
	Buf			want = {0};

	u8(&want, 'r');
	u64(&want, 0x16B374D848ULL);
	u64(&want, 0x16B374D848ULL);
	u64(&want, 0);
	u64(&want, 0x0102030405060708ULL);
	u8(&want, 0);
	is_int(pgoutput_encode_status(st, 0x16B374D848ULL, 0x16B374D848ULL, 0, 0x0102030405060708LL, false),
		   34, "status update is 34 bytes");
	ok(memcmp(st, want.b, 34) == 0, "status update bytes");
	ok(strcmp(pgoutput_error_text(PGO_ERR_SHORT), "message truncated") == 0, "error text");

	/* Begin and Commit as encoded for a replayed streamed transaction decode back */
	{
		uint8_t		bb[PGO_BEGIN_LEN],
					cb[PGO_COMMIT_LEN];
		Buf			enc = {0};
		PgoMsg		msg;
		PgoError	err;

		enc.n = pgoutput_encode_begin(bb, 0x16B374D848ULL, 123456789, 4242);
		memcpy(enc.b, bb, enc.n);
		ok(dec(&enc, &V1, &msg, &err) && msg.type == PGO_MSG_BEGIN && msg.u.begin.final_lsn == 0x16B374D848ULL &&
		   msg.u.begin.commit_time == 123456789 && msg.u.begin.xid == 4242, "encoded Begin decodes back");
		enc.n = pgoutput_encode_commit(cb, 0x16B374D848ULL, 0x16B374D900ULL, 987654321);
		memcpy(enc.b, cb, enc.n);
		ok(dec(&enc, &V1, &msg, &err) && msg.type == PGO_MSG_COMMIT && msg.u.commit.commit_lsn == 0x16B374D848ULL &&
		   msg.u.commit.end_lsn == 0x16B374D900ULL && msg.u.commit.commit_time == 987654321,
		   "encoded Commit decodes back");
	}
}

int
main(void)
{
	arena_init(&arena, 4096);
	test_begin_commit();
	test_relation_type();
	test_rows();
	test_truncate_message();
	test_stream_and_twophase();
	test_framing();
	arena_free(&arena);
	return done_testing();
}
