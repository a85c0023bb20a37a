/*
 * src/dialect/pg/pgoutput.c
 *	  Decode the replication stream of a PostgreSQL walsender: CopyData
 *	  framing and pgoutput logical replication messages (protocol 1 to 4).
 *
 * Pure: bytes in, structs out (see pgoutput.h for lifetimes).  Every read goes
 * through common/cursor.h; a count read from the wire is checked against the
 * bytes left before anything is allocated for it, so a hostile or corrupt
 * message cannot make us allocate more than a small multiple of its size.
 *
 * All integers are big-endian.  "String" is NUL-terminated.  [v2 stream] marks
 * the Int32 xid that data messages carry only between Stream Start and Stream
 * Stop (protocol 2+, streaming on).
 *
 * CopyData frames (replication protocol)
 * ---------------------------------------
 *   'w' XLogData          Int64 dataStart, Int64 walEnd, Int64 sendTime,
 *                         Byte[n] payload (one pgoutput message)        S->C
 *   'k' keepalive         Int64 walEnd, Int64 sendTime, Byte1 replyRequested
 *                                                                       S->C
 *   'r' standby status    Int64 write, Int64 flush, Int64 apply,
 *                         Int64 sendTime, Byte1 replyRequested (34 B)   C->S
 *   (times: microseconds since 2000-01-01; trailing bytes after a known
 *    frame header are tolerated, as pg_recvlogical does)
 *
 * pgoutput messages
 * -----------------
 *   'B' Begin             Int64 final_lsn, Int64 commit_time, Int32 xid
 *   'C' Commit            Int8 flags, Int64 commit_lsn, Int64 end_lsn,
 *                         Int64 commit_time
 *   'O' Origin            Int64 origin commit_lsn, String name
 *   'R' Relation          [v2 stream] Int32 relid, String nspname,
 *                         String relname, Int8 replident, Int16 ncols,
 *                         ncols x { Int8 flags (1 = key), String name,
 *                                   Int32 type_oid, Int32 typmod }
 *   'Y' Type              [v2 stream] Int32 oid, String nspname, String name
 *   'I' Insert            [v2 stream] Int32 relid, 'N', TupleData
 *   'U' Update            [v2 stream] Int32 relid, ['K'|'O', TupleData],
 *                         'N', TupleData
 *   'D' Delete            [v2 stream] Int32 relid, 'K'|'O', TupleData
 *   'T' Truncate          [v2 stream] Int32 nrels, Int8 options
 *                         (1 cascade, 2 restart identity), nrels x Int32 relid
 *   'M' Message           [v2 stream] Int8 flags (1 = transactional),
 *                         Int64 lsn, String prefix, Int32 len, Byte[len]
 *   'S' Stream Start      Int32 xid, Int8 first_segment                   v2
 *   'E' Stream Stop       (nothing)                                       v2
 *   'c' Stream Commit     Int32 xid, Int8 flags, Int64 commit_lsn,
 *                         Int64 end_lsn, Int64 commit_time                v2
 *   'A' Stream Abort      Int32 xid, Int32 subxid
 *                         [Int64 abort_lsn, Int64 abort_time: v4 parallel]
 *   'b' Begin Prepare     Int64 prepare_lsn, Int64 end_lsn,
 *                         Int64 prepare_time, Int32 xid, String gid       v3
 *   'P' Prepare           Int8 flags, Int64 prepare_lsn, Int64 end_lsn,
 *                         Int64 prepare_time, Int32 xid, String gid       v3
 *   'K' Commit Prepared   Int8 flags, Int64 commit_lsn, Int64 end_lsn,
 *                         Int64 commit_time, Int32 xid, String gid        v3
 *   'r' Rollback Prepared Int8 flags, Int64 prepare_end_lsn,
 *                         Int64 rollback_end_lsn, Int64 prepare_time,
 *                         Int64 rollback_time, Int32 xid, String gid      v3
 *   'p' Stream Prepare    as Prepare                                      v3
 *
 * TupleData
 * ---------
 *   Int16 ncols, ncols x { Byte1 kind:
 *       'n' null | 'u' unchanged TOAST (no value) |
 *       't' text: Int32 len, Byte[len] | 'b' binary: Int32 len, Byte[len] }
 *
 * Note that two distinct messages use 'K'/'O'/'N' as sub-markers inside an
 * Update, and that 'K', 'P', 'b', 'p', 'r' are top-level types only from
 * protocol 3 on: a lower negotiated version rejects them (PGO_ERR_NEEDS_VERSION).
 */
#include "dialect/pg/pgoutput.h"

#include <string.h>

#include "common/cursor.h"

/* Fail with code at the cursor's offset. */
#define FAIL(code_) \
	do { err->code = (code_); err->offset = (size_t) (c->p - base); return false; } while (0)
#define NEED(expr) \
	do { if (!(expr)) FAIL(PGO_ERR_SHORT); } while (0)

const char *
pgoutput_error_text(PgoErrCode code)
{
	switch (code)
	{
		case PGO_OK:
			return "no error";
		case PGO_ERR_SHORT:
			return "message truncated";
		case PGO_ERR_EMPTY:
			return "empty message";
		case PGO_ERR_UNKNOWN_TYPE:
			return "unknown message type";
		case PGO_ERR_BAD_TUPLE_KIND:
			return "invalid column kind in tuple data";
		case PGO_ERR_BAD_SUBMSG:
			return "invalid tuple marker (expected N, K or O)";
		case PGO_ERR_BAD_COUNT:
			return "count larger than the message";
		case PGO_ERR_TRAILING:
			return "unexpected bytes after the message";
		case PGO_ERR_NEEDS_VERSION:
			return "message type not valid in the negotiated protocol version";
	}
	return "unknown error";
}

static inline bool
cur_i64be(Cursor *c, int64_t *out)
{
	uint64_t	v;

	if (!cur_u64be(c, &v))
		return false;
	*out = (int64_t) v;
	return true;
}

/* ------------------------------------------------------------ framing */

bool
pgoutput_decode_frame(const uint8_t *buf, size_t len, PgoFrame *out, PgoError *err)
{
	Cursor		cur = cur_make(buf, len);
	Cursor	   *c = &cur;
	const uint8_t *base = buf;
	uint8_t		type = 0;
	uint64_t	u;

	memset(out, 0, sizeof(*out));
	err->code = PGO_OK;
	err->offset = 0;
	if (len == 0)
		FAIL(PGO_ERR_EMPTY);
	cur_u8(c, &type);
	switch (type)
	{
		case 'w':
			out->type = PGO_FRAME_XLOGDATA;
			NEED(cur_u64be(c, &out->data_start));
			NEED(cur_u64be(c, &out->wal_end));
			NEED(cur_u64be(c, &u));
			out->send_time = (int64_t) u;
			out->payload = c->p;
			out->payload_len = cur_left(c);
			return true;
		case 'k':
			{
				uint8_t		reply;

				out->type = PGO_FRAME_KEEPALIVE;
				NEED(cur_u64be(c, &out->wal_end));
				NEED(cur_u64be(c, &u));
				out->send_time = (int64_t) u;
				NEED(cur_u8(c, &reply));
				out->reply_requested = reply != 0;
				return true;
			}
		default:
			c->p = buf;
			FAIL(PGO_ERR_UNKNOWN_TYPE);
	}
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
	{
		p[i] = (uint8_t) (v & 0xff);
		v >>= 8;
	}
}

size_t
pgoutput_encode_begin(uint8_t out[PGO_BEGIN_LEN], Lsn final_lsn, int64_t commit_time, uint32_t xid)
{
	out[0] = 'B';
	put_be64(out + 1, final_lsn);
	put_be64(out + 9, (uint64_t) commit_time);
	for (int i = 0; i < 4; i++)
		out[17 + i] = (uint8_t) (xid >> (24 - 8 * i));
	return PGO_BEGIN_LEN;
}

size_t
pgoutput_encode_commit(uint8_t out[PGO_COMMIT_LEN], Lsn commit_lsn, Lsn end_lsn, int64_t commit_time)
{
	out[0] = 'C';
	out[1] = 0;					/* flags */
	put_be64(out + 2, commit_lsn);
	put_be64(out + 10, end_lsn);
	put_be64(out + 18, (uint64_t) commit_time);
	return PGO_COMMIT_LEN;
}

size_t
pgoutput_encode_status(uint8_t out[PGO_STATUS_LEN], Lsn write, Lsn flush, Lsn apply,
					   int64_t now_pg_us, bool reply_requested)
{
	out[0] = 'r';
	put_be64(out + 1, write);
	put_be64(out + 9, flush);
	put_be64(out + 17, apply);
	put_be64(out + 25, (uint64_t) now_pg_us);
	out[33] = reply_requested ? 1 : 0;
	return PGO_STATUS_LEN;
}

/* ------------------------------------------------------------ messages */

/*
 * decode_tuple
 *		TupleData at the cursor into *t (values in arena a, bytes into the input).
 */
static bool
decode_tuple(Cursor *c, const uint8_t *base, Arena *a, PgoTuple *t, PgoError *err)
{
	uint16_t	ncols;

	NEED(cur_u16be(c, &ncols));
	/* every column takes at least one byte: refuse counts the input cannot hold */
	if (ncols > cur_left(c))
		FAIL(PGO_ERR_BAD_COUNT);
	t->ncols = ncols;
	t->values = arena_alloc_array0(a, ncols ? ncols : 1, sizeof(PgoValue));
	for (int i = 0; i < ncols; i++)
	{
		PgoValue   *v = &t->values[i];
		uint8_t		kind;

		NEED(cur_u8(c, &kind));
		switch (kind)
		{
			case 'n':
			case 'u':
				v->kind = (PgoValueKind) kind;
				break;
			case 't':
			case 'b':
				v->kind = (PgoValueKind) kind;
				NEED(cur_u32be(c, &v->len));
				/* the wire length is signed: negative is malformed */
				if (v->len > INT32_MAX)
					FAIL(PGO_ERR_BAD_COUNT);
				NEED(cur_bytes(c, v->len, &v->data));
				break;
			default:
				c->p--;
				FAIL(PGO_ERR_BAD_TUPLE_KIND);
		}
	}
	return true;
}

/* Relation body: relid, names, replica identity, columns (array in arena a). */
static bool
decode_relation(Cursor *c, const uint8_t *base, Arena *a, PgoRelation *r, PgoError *err)
{
	uint8_t		ident;
	uint16_t	ncols;

	NEED(cur_u32be(c, &r->relid));
	NEED(cur_cstr(c, &r->nspname, NULL));
	NEED(cur_cstr(c, &r->relname, NULL));
	NEED(cur_u8(c, &ident));
	r->replident = (char) ident;
	NEED(cur_u16be(c, &ncols));
	/* flags + NUL of the name + oid + typmod: at least 10 bytes a column */
	if ((size_t) ncols * 10 > cur_left(c))
		FAIL(PGO_ERR_BAD_COUNT);
	r->ncols = ncols;
	r->cols = arena_alloc_array0(a, ncols ? ncols : 1, sizeof(PgoRelColumn));
	for (int i = 0; i < ncols; i++)
	{
		PgoRelColumn *col = &r->cols[i];
		uint32_t	typmod;

		NEED(cur_u8(c, &col->flags));
		NEED(cur_cstr(c, &col->name, NULL));
		NEED(cur_u32be(c, &col->type_oid));
		NEED(cur_u32be(c, &typmod));
		col->typmod = (int32_t) typmod;
	}
	return true;
}

/* Insert/Update/Delete body after the optional stream xid: relid, markers, tuples. */
static bool
decode_row(Cursor *c, const uint8_t *base, Arena *a, PgoMsgType type, PgoRowChange *row,
		   PgoError *err)
{
	uint8_t		marker;

	NEED(cur_u32be(c, &row->relid));
	NEED(cur_u8(c, &marker));
	switch (type)
	{
		case PGO_MSG_INSERT:
			if (marker != 'N')
			{
				c->p--;
				FAIL(PGO_ERR_BAD_SUBMSG);
			}
			row->has_new = true;
			return decode_tuple(c, base, a, &row->new_tuple, err);
		case PGO_MSG_UPDATE:
			if (marker == 'K' || marker == 'O')
			{
				row->old_kind = (char) marker;
				if (!decode_tuple(c, base, a, &row->old_tuple, err))
					return false;
				NEED(cur_u8(c, &marker));
			}
			if (marker != 'N')
			{
				c->p--;
				FAIL(PGO_ERR_BAD_SUBMSG);
			}
			row->has_new = true;
			return decode_tuple(c, base, a, &row->new_tuple, err);
		case PGO_MSG_DELETE:
			if (marker != 'K' && marker != 'O')
			{
				c->p--;
				FAIL(PGO_ERR_BAD_SUBMSG);
			}
			row->old_kind = (char) marker;
			return decode_tuple(c, base, a, &row->old_tuple, err);
		default:
			FAIL(PGO_ERR_UNKNOWN_TYPE);
	}
}

/* Truncate body: count, options, relids (array in arena a, count checked first). */
static bool
decode_truncate(Cursor *c, const uint8_t *base, Arena *a, PgoTruncate *t, PgoError *err)
{
	uint32_t	n;

	NEED(cur_u32be(c, &n));
	NEED(cur_u8(c, &t->options));
	if (n > INT32_MAX || (size_t) n > cur_left(c) / 4)
		FAIL(PGO_ERR_BAD_COUNT);
	t->nrelids = (int) n;
	t->relids = arena_alloc_array0(a, n ? n : 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++)
		NEED(cur_u32be(c, &t->relids[i]));
	return true;
}

/* The two-phase family: optional flags, LSNs, times, xid, gid. */
static bool
decode_prepare(Cursor *c, const uint8_t *base, PgoMsgType type, PgoPrepare *p, PgoError *err)
{
	uint64_t	u;

	if (type != PGO_MSG_BEGIN_PREPARE)
		NEED(cur_u8(c, &p->flags));
	NEED(cur_u64be(c, &p->lsn));
	NEED(cur_u64be(c, &p->end_lsn));
	NEED(cur_u64be(c, &u));
	p->time = (int64_t) u;
	if (type == PGO_MSG_ROLLBACK_PREPARED)
	{
		NEED(cur_u64be(c, &u));
		p->rollback_time = (int64_t) u;
	}
	NEED(cur_u32be(c, &p->xid));
	NEED(cur_cstr(c, &p->gid, NULL));
	return true;
}

/* Does this message type carry the stream xid when inside a stream block? */
static bool
carries_stream_xid(PgoMsgType t)
{
	switch (t)
	{
		case PGO_MSG_RELATION:
		case PGO_MSG_TYPE:
		case PGO_MSG_INSERT:
		case PGO_MSG_UPDATE:
		case PGO_MSG_DELETE:
		case PGO_MSG_TRUNCATE:
		case PGO_MSG_MESSAGE:
			return true;
		default:
			return false;
	}
}

bool
pgoutput_decode_message(const uint8_t *buf, size_t len, const PgoDecodeOptions *opt, Arena *a,
						PgoMsg *out, PgoError *err)
{
	Cursor		cur = cur_make(buf, len);
	Cursor	   *c = &cur;
	const uint8_t *base = buf;
	uint8_t		type = 0;
	int			version = opt->proto_version;

	memset(out, 0, sizeof(*out));
	err->code = PGO_OK;
	err->offset = 0;
	if (len == 0)
		FAIL(PGO_ERR_EMPTY);
	cur_u8(c, &type);
	out->type = (PgoMsgType) type;

	switch (type)
	{
		case 'B': case 'C': case 'O': case 'R': case 'Y': case 'I': case 'U':
		case 'D': case 'T': case 'M':
			break;
		case 'S': case 'E': case 'c': case 'A':
			if (version < 2)
			{
				c->p = buf;
				FAIL(PGO_ERR_NEEDS_VERSION);
			}
			break;
		case 'b': case 'P': case 'K': case 'r': case 'p':
			if (version < 3)
			{
				c->p = buf;
				FAIL(PGO_ERR_NEEDS_VERSION);
			}
			break;
		default:
			c->p = buf;
			FAIL(PGO_ERR_UNKNOWN_TYPE);
	}

	if (opt->in_stream && version >= 2 && carries_stream_xid(out->type))
		NEED(cur_u32be(c, &out->stream_xid));

	switch (out->type)
	{
		case PGO_MSG_BEGIN:
			{
				PgoBegin   *b = &out->u.begin;

				NEED(cur_u64be(c, &b->final_lsn));
				NEED(cur_i64be(c, &b->commit_time));
				NEED(cur_u32be(c, &b->xid));
				break;
			}
		case PGO_MSG_COMMIT:
			{
				PgoCommit  *m = &out->u.commit;

				NEED(cur_u8(c, &m->flags));
				NEED(cur_u64be(c, &m->commit_lsn));
				NEED(cur_u64be(c, &m->end_lsn));
				NEED(cur_i64be(c, &m->commit_time));
				break;
			}
		case PGO_MSG_ORIGIN:
			NEED(cur_u64be(c, &out->u.origin.commit_lsn));
			NEED(cur_cstr(c, &out->u.origin.name, NULL));
			break;
		case PGO_MSG_RELATION:
			if (!decode_relation(c, base, a, &out->u.relation, err))
				return false;
			break;
		case PGO_MSG_TYPE:
			NEED(cur_u32be(c, &out->u.type.oid));
			NEED(cur_cstr(c, &out->u.type.nspname, NULL));
			NEED(cur_cstr(c, &out->u.type.name, NULL));
			break;
		case PGO_MSG_INSERT:
		case PGO_MSG_UPDATE:
		case PGO_MSG_DELETE:
			if (!decode_row(c, base, a, out->type, &out->u.row, err))
				return false;
			break;
		case PGO_MSG_TRUNCATE:
			if (!decode_truncate(c, base, a, &out->u.truncate, err))
				return false;
			break;
		case PGO_MSG_MESSAGE:
			{
				PgoMessage *m = &out->u.message;

				NEED(cur_u8(c, &m->flags));
				NEED(cur_u64be(c, &m->lsn));
				NEED(cur_cstr(c, &m->prefix, NULL));
				NEED(cur_u32be(c, &m->len));
				if (m->len > INT32_MAX)
					FAIL(PGO_ERR_BAD_COUNT);
				NEED(cur_bytes(c, m->len, &m->content));
				break;
			}
		case PGO_MSG_STREAM_START:
			NEED(cur_u32be(c, &out->u.stream_start.xid));
			NEED(cur_u8(c, &out->u.stream_start.first_segment));
			break;
		case PGO_MSG_STREAM_STOP:
			break;
		case PGO_MSG_STREAM_COMMIT:
			{
				PgoStreamCommit *m = &out->u.stream_commit;

				NEED(cur_u32be(c, &m->xid));
				NEED(cur_u8(c, &m->flags));
				NEED(cur_u64be(c, &m->commit_lsn));
				NEED(cur_u64be(c, &m->end_lsn));
				NEED(cur_i64be(c, &m->commit_time));
				break;
			}
		case PGO_MSG_STREAM_ABORT:
			{
				PgoStreamAbort *m = &out->u.stream_abort;

				NEED(cur_u32be(c, &m->xid));
				NEED(cur_u32be(c, &m->subxid));
				if (version >= 4 && opt->v4_abort_info)
				{
					m->has_abort_info = true;
					NEED(cur_u64be(c, &m->abort_lsn));
					NEED(cur_i64be(c, &m->abort_time));
				}
				break;
			}
		case PGO_MSG_BEGIN_PREPARE:
		case PGO_MSG_PREPARE:
		case PGO_MSG_COMMIT_PREPARED:
		case PGO_MSG_ROLLBACK_PREPARED:
		case PGO_MSG_STREAM_PREPARE:
			if (!decode_prepare(c, base, out->type, &out->u.prepare, err))
				return false;
			break;
	}

	if (cur_left(c) != 0)
		FAIL(PGO_ERR_TRAILING);
	return true;
}
