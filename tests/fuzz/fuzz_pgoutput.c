/*
 * tests/fuzz/fuzz_pgoutput.c
 *	  libFuzzer entry point for the replication stream decoders
 *	  (src/dialect/pg/pgoutput.c).
 *
 * One input is tried three ways, so one corpus serves them all:
 *   1. as a CopyData payload: the 'w'/'k' framing decoder, then, for 'w',
 *      the pgoutput message inside it;
 *   2. as a bare pgoutput message (what pg_logical_slot_peek_binary_changes
 *      returns);
 * each message under every protocol variant (v1, v2 inside a stream block,
 * v3, v4 with abort info).  Everything a decoded message points at is read
 * back, so a pointer past the input shows up under AddressSanitizer.
 */
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "dialect/pg/pgoutput.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t sink;

static void
touch_bytes(const uint8_t *p, size_t n)
{
	uint32_t	h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * 31 + p[i];
	sink += h;
}

static void
touch_str(const char *s)
{
	if (s)
		touch_bytes((const uint8_t *) s, strlen(s));
}

static void
touch_tuple(const PgoTuple *t)
{
	for (int i = 0; i < t->ncols; i++)
		if (t->values[i].kind == PGO_VALUE_TEXT || t->values[i].kind == PGO_VALUE_BINARY)
			touch_bytes(t->values[i].data, t->values[i].len);
}

static void
touch_msg(const PgoMsg *m)
{
	switch (m->type)
	{
		case PGO_MSG_ORIGIN:
			touch_str(m->u.origin.name);
			break;
		case PGO_MSG_RELATION:
			touch_str(m->u.relation.nspname);
			touch_str(m->u.relation.relname);
			for (int i = 0; i < m->u.relation.ncols; i++)
				touch_str(m->u.relation.cols[i].name);
			break;
		case PGO_MSG_TYPE:
			touch_str(m->u.type.nspname);
			touch_str(m->u.type.name);
			break;
		case PGO_MSG_INSERT:
		case PGO_MSG_UPDATE:
		case PGO_MSG_DELETE:
			if (m->u.row.old_kind)
				touch_tuple(&m->u.row.old_tuple);
			if (m->u.row.has_new)
				touch_tuple(&m->u.row.new_tuple);
			break;
		case PGO_MSG_TRUNCATE:
			for (int i = 0; i < m->u.truncate.nrelids; i++)
				sink += m->u.truncate.relids[i];
			break;
		case PGO_MSG_MESSAGE:
			touch_str(m->u.message.prefix);
			touch_bytes(m->u.message.content, m->u.message.len);
			break;
		case PGO_MSG_BEGIN_PREPARE:
		case PGO_MSG_PREPARE:
		case PGO_MSG_COMMIT_PREPARED:
		case PGO_MSG_ROLLBACK_PREPARED:
		case PGO_MSG_STREAM_PREPARE:
			touch_str(m->u.prepare.gid);
			break;
		default:
			break;
	}
}

static void
decode_all_variants(const uint8_t *data, size_t size, Arena *a)
{
	static const PgoDecodeOptions variants[] = {
		{.proto_version = 1},
		{.proto_version = 2, .in_stream = true},
		{.proto_version = 3},
		{.proto_version = 4, .in_stream = true, .v4_abort_info = true},
	};

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
	{
		PgoMsg		m;
		PgoError	e;

		if (pgoutput_decode_message(data, size, &variants[i], a, &m, &e))
			touch_msg(&m);
		else if (e.offset > size || e.code == PGO_OK)
			__builtin_trap();	/* the error contract is broken */
		(void) pgoutput_error_text(e.code);
		arena_reset(a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena		a;
	PgoFrame	f;
	PgoError	e;

	arena_init(&a, 1024);
	if (pgoutput_decode_frame(data, size, &f, &e))
	{
		if (f.type == PGO_FRAME_XLOGDATA)
		{
			if (f.payload < data || f.payload + f.payload_len != data + size)
				__builtin_trap();
			decode_all_variants(f.payload, f.payload_len, &a);
		}
		else
		{
			uint8_t		st[PGO_STATUS_LEN];

			pgoutput_encode_status(st, f.wal_end, f.wal_end, 0, f.send_time, f.reply_requested);
			touch_bytes(st, sizeof(st));
		}
	}
	decode_all_variants(data, size, &a);
	arena_free(&a);
	return 0;
}
