/*
 * src/dialect/mysql/binlog_event.c
 *	  Decode MySQL / MariaDB binlog events (see binlog_event.h).
 *
 * All integers are little-endian unless marked BE.  "lenenc" is MySQL's
 * length-encoded integer (< 0xfb itself; 0xfc + 2, 0xfd + 3, 0xfe + 8 bytes).
 * "varlen" is the MySQL serialization library's integer (the count of
 * trailing 1 bits of the first byte + 1 = its length in bytes).
 *
 * Common header (v4, 19 bytes) and trailer
 *   0  4 timestamp      4  1 type       5  4 server_id
 *   9  4 event_size    13  4 log_pos   17  2 flags
 *   ... body ...
 *   -4 4 CRC32 of everything before it (when the format's checksum is CRC32;
 *        a FORMAT_DESCRIPTION is checksummed as if flag 0x0001 were clear)
 *
 * FORMAT_DESCRIPTION (15)
 *   2 binlog_version | 50 server_version (NUL padded) | 4 create_timestamp |
 *   1 header_len (19) | N post_header_len[type-1] | 1 checksum_alg | 4 crc
 *   (checksum_alg and crc only from MySQL 5.6.1 / MariaDB 5.3)
 *
 * ROTATE (4)             8 position | filename (rest)
 * QUERY (2) / 165        4 thread_id | 4 exec_time | 1 db_len | 2 error_code |
 *                        2 status_vars_len | status_vars | db | 0x00 | sql (rest;
 *                        165: sql compressed, see "compressed" below)
 * XID (16)               8 xid
 * INCIDENT (26)          2 incident | 1 msg_len | msg
 * HEARTBEAT (27)         log file name (rest); position = header log_pos
 * HEARTBEAT_V2 (41)      { lenenc field_type (0 end, 1 file, 2 position) |
 *                          lenenc length | value }*
 * ROWS_QUERY (29)        1 length (ignored) | sql (rest)
 * ANNOTATE_ROWS (160)    sql (rest)
 * BINLOG_CHECKPOINT (161) 4 name_len | name
 * MariaDB GTID (162)     8 seq | 4 domain | 1 flags |
 *                        [FL_GROUP_COMMIT_ID: 8 commit_id] |
 *                        [FL_PREPARED_XA|FL_COMPLETED_XA: 4 format | 1 gtrid_len |
 *                         1 bqual_len | data] | [1 flags_extra | ...] (padding 0s)
 * GTID_LIST (163)        4 count (low 28 bits; high 4 = flags) |
 *                        count x (4 domain | 4 server | 8 seq)
 * MySQL GTID (33, 34)    1 flags | 16 sid | 8 gno | [1 lc_typecode (2) |
 *                        8 last_committed | 8 sequence_number |
 *                        [7 immediate_commit_ts (bit 55: original follows) |
 *                         [7 original_commit_ts]] | [lenenc transaction_length] |
 *                        [4 immediate_server_version (bit 31: original follows) |
 *                         [4 original_server_version]]]
 * GTID_TAGGED (42)       1 serialization version (2) | varlen payload_size |
 *                        varlen last_non_ignorable_field_id |
 *                        { varlen field_id | value }*: 0 flags, 1 sid (16 varlen
 *                        bytes), 2 gno (zig-zag varlen), 3 tag (varlen len +
 *                        bytes), 4 last_committed, 5 sequence_number (zig-zag),
 *                        6/7 commit ts, 8 length, 9/10 server versions, 11 ticket
 * PREVIOUS_GTIDS (35)    8 header (untagged: n_sids; tagged: byte 7 = 1,
 *                        n_sids in bits 8..55) | n_sids x (16 uuid |
 *                        [tagged: varlen tag_len | tag] | 8 n_intervals |
 *                        n_intervals x (8 start | 8 end exclusive))
 * TABLE_MAP (19)         6 table_id (4 when post_header_len is 6) | 2 flags |
 *                        1 db_len | db | 0x00 | 1 tbl_len | table | 0x00 |
 *                        lenenc ncols | ncols types | lenenc meta_len | meta |
 *                        (ncols+7)/8 null bitmap |
 *                        { 1 type | lenenc len | value }* optional metadata
 *   per-column metadata (from meta): FLOAT DOUBLE BLOB GEOMETRY JSON VECTOR
 *   TIMESTAMP2 DATETIME2 TIME2 -> 1 byte; VARCHAR VAR_STRING -> 2 bytes LE (max
 *   length in bytes); BIT -> 2 bytes (bits % 8, bytes); NEWDECIMAL -> 2 bytes
 *   (precision, scale); STRING ENUM SET -> 2 bytes BE-ish (real_type, length),
 *   kept here as (byte0 << 8) | byte1; others -> none.
 * ROWS v1 (23-25, 166-168)  6 table_id | 2 flags | lenenc ncols |
 *                        (ncols+7)/8 columns-present | [UPDATE: (ncols+7)/8
 *                        after-image columns] | rows (rest; 166-168 compressed)
 * ROWS v2 (30-32, 39, 169-171)  6 table_id | 2 flags | 2 extra_len (counts
 *                        itself) | extra_len-2 extra | then as v1
 * TRANSACTION_PAYLOAD (40)  { lenenc type | lenenc length | value }* until
 *                        type 0: 1 payload_size, 2 compression (0 zstd, 255
 *                        none), 3 uncompressed_size (values lenenc) | payload
 *                        (events with log_pos 0 and no checksum)
 * XA_PREPARE (38)        1 one_phase | 4 format_id | 4 gtrid_len | 4 bqual_len | data
 *
 * MariaDB compressed data (165..171): 1 header (bit 7 set; bits 0-2 = n, the
 * number of BE bytes of the uncompressed length) | n length | zlib stream.
 */
#include "dialect/mysql/binlog_event.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "common/cursor.h"

#define DEFAULT_MAX_UNCOMPRESSED	((size_t) 1 << 30)

/* ------------------------------------------------------------------ errors */

const char *
binlog_err_code_name(BinlogErrCode code)
{
	switch (code)
	{
		case BINLOG_OK:
			return "ok";
		case BINLOG_ERR_TRUNCATED:
			return "truncated";
		case BINLOG_ERR_CORRUPT:
			return "corrupt";
		case BINLOG_ERR_CHECKSUM:
			return "checksum mismatch";
		case BINLOG_ERR_UNSUPPORTED:
			return "unsupported";
		case BINLOG_ERR_DECOMPRESS:
			return "decompression failed";
		case BINLOG_ERR_TOO_LARGE:
			return "too large";
	}
	return "unknown";
}

const char *
binlog_event_type_name(int type)
{
	switch (type)
	{
		case 1: return "START_V3";
		case 2: return "QUERY";
		case 3: return "STOP";
		case 4: return "ROTATE";
		case 5: return "INTVAR";
		case 6: return "LOAD";
		case 7: return "SLAVE";
		case 8: return "CREATE_FILE";
		case 9: return "APPEND_BLOCK";
		case 10: return "EXEC_LOAD";
		case 11: return "DELETE_FILE";
		case 12: return "NEW_LOAD";
		case 13: return "RAND";
		case 14: return "USER_VAR";
		case 15: return "FORMAT_DESCRIPTION";
		case 16: return "XID";
		case 17: return "BEGIN_LOAD_QUERY";
		case 18: return "EXECUTE_LOAD_QUERY";
		case 19: return "TABLE_MAP";
		case 20: return "PRE_GA_WRITE_ROWS";
		case 21: return "PRE_GA_UPDATE_ROWS";
		case 22: return "PRE_GA_DELETE_ROWS";
		case 23: return "WRITE_ROWS_V1";
		case 24: return "UPDATE_ROWS_V1";
		case 25: return "DELETE_ROWS_V1";
		case 26: return "INCIDENT";
		case 27: return "HEARTBEAT";
		case 28: return "IGNORABLE";
		case 29: return "ROWS_QUERY";
		case 30: return "WRITE_ROWS_V2";
		case 31: return "UPDATE_ROWS_V2";
		case 32: return "DELETE_ROWS_V2";
		case 33: return "GTID";
		case 34: return "ANONYMOUS_GTID";
		case 35: return "PREVIOUS_GTIDS";
		case 36: return "TRANSACTION_CONTEXT";
		case 37: return "VIEW_CHANGE";
		case 38: return "XA_PREPARE";
		case 39: return "PARTIAL_UPDATE_ROWS";
		case 40: return "TRANSACTION_PAYLOAD";
		case 41: return "HEARTBEAT_V2";
		case 42: return "GTID_TAGGED";
		case 160: return "MARIA_ANNOTATE_ROWS";
		case 161: return "MARIA_BINLOG_CHECKPOINT";
		case 162: return "MARIA_GTID";
		case 163: return "MARIA_GTID_LIST";
		case 164: return "MARIA_START_ENCRYPTION";
		case 165: return "MARIA_QUERY_COMPRESSED";
		case 166: return "MARIA_WRITE_ROWS_COMPRESSED_V1";
		case 167: return "MARIA_UPDATE_ROWS_COMPRESSED_V1";
		case 168: return "MARIA_DELETE_ROWS_COMPRESSED_V1";
		case 169: return "MARIA_WRITE_ROWS_COMPRESSED";
		case 170: return "MARIA_UPDATE_ROWS_COMPRESSED";
		case 171: return "MARIA_DELETE_ROWS_COMPRESSED";
	}
	return "?";
}

/* Record an error; always returns false so callers can `return fail(...)`. */
static bool
fail(BinlogError *err, BinlogErrCode code, const uint8_t *base, const uint8_t *at,
	 const char *what, uint64_t value)
{
	err->code = code;
	err->offset = (base && at && at >= base) ? (size_t) (at - base) : 0;
	err->what = what;
	err->value = value;
	return false;
}

#define SHORT(c, what)	fail(err, BINLOG_ERR_TRUNCATED, base, (c)->p, (what), 0)

/* ------------------------------------------------------------------ helpers */

uint32_t
binlog_crc32(const uint8_t *p, size_t len)
{
	uLong		crc = crc32(0L, Z_NULL, 0);

	while (len > 0)
	{
		uInt		n = len > (1u << 30) ? (1u << 30) : (uInt) len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t) crc;
}

bool
binlog_read_varlen(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	int			ones = 0;

	if (p >= end)
		return false;
	while (ones < 8 && (p[0] & (1u << ones)))
		ones++;
	if (ones == 8)
	{
		if (end - p < 9)
			return false;
		*out = load_le(p + 1, 8);
		*pp = p + 9;
		return true;
	}
	int			n = ones + 1;

	if (end - p < n)
		return false;
	*out = load_le(p, n) >> n;
	*pp = p + n;
	return true;
}

static bool
cur_varlen(Cursor *c, uint64_t *out)
{
	return binlog_read_varlen(&c->p, c->end, out);
}

/* zig-zag signed varlen; negative values are rejected (all our fields are >= 0) */
static bool
cur_varlen_nonneg(Cursor *c, uint64_t *out)
{
	uint64_t	v;

	if (!cur_varlen(c, &v) || (v & 1))
		return false;
	*out = v >> 1;
	return true;
}

static BinlogStr
bstr(const uint8_t *p, size_t len)
{
	BinlogStr	s = {(const char *) p, len};

	return s;
}

/* Parse "X.Y.Z..." into X*10000+Y*100+Z (0 when it does not start with digits). */
static unsigned long
version_number(const char *v)
{
	unsigned long part[3] = {0, 0, 0};
	int			i = 0;

	for (const char *s = v; *s && i < 3; s++)
	{
		if (*s >= '0' && *s <= '9')
		{
			if (part[i] < 1000)
				part[i] = part[i] * 10 + (unsigned long) (*s - '0');
		}
		else if (*s == '.')
			i++;
		else
			break;
	}
	return part[0] * 10000 + part[1] * 100 + part[2];
}

/*
 * Inflate MariaDB's compressed layout (see the table at the top) into the
 * arena.  Returns false with err filled.
 */
static bool
maria_uncompress(const uint8_t *base, const uint8_t *src, size_t srclen, const BinlogLimits *lim,
				 Arena *a, const uint8_t **out, size_t *outlen, BinlogError *err)
{
	if (srclen < 1)
		return fail(err, BINLOG_ERR_TRUNCATED, base, src, "compressed data: missing header", 0);
	if ((src[0] & 0x80) == 0)
		return fail(err, BINLOG_ERR_CORRUPT, base, src, "compressed data: bad header byte", src[0]);
	int			n = src[0] & 0x07;

	if (n < 1 || n > 4)
		return fail(err, BINLOG_ERR_CORRUPT, base, src, "compressed data: bad length size", (uint64_t) n);
	if (srclen < (size_t) (1 + n))
		return fail(err, BINLOG_ERR_TRUNCATED, base, src, "compressed data: length cut short", 0);
	uint64_t	ulen = load_be(src + 1, n);

	if (ulen > lim->max_uncompressed)
		return fail(err, BINLOG_ERR_TOO_LARGE, base, src, "compressed data: uncompressed size over the cap", ulen);
	uint8_t    *dst = arena_alloc(a, ulen ? (size_t) ulen : 1);
	uLongf		dlen = (uLongf) ulen;
	int			rc = uncompress(dst, &dlen, src + 1 + n, (uLong) (srclen - 1 - (size_t) n));

	if (rc != Z_OK)
		return fail(err, BINLOG_ERR_DECOMPRESS, base, src, "compressed data: zlib error", (uint64_t) (rc < 0 ? -rc : rc));
	if (dlen != ulen)
		return fail(err, BINLOG_ERR_DECOMPRESS, base, src, "compressed data: size differs from the header", dlen);
	*out = dst;
	*outlen = (size_t) dlen;
	return true;
}

/* ------------------------------------------------------------------ format */

static const uint8_t default_post_header[] = {
	/* 1..42 (MySQL 8.0 values; MariaDB agrees where both define a type) */
	56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 95, 0, 4, 26, 8, 0,
	0, 0, 8, 8, 8, 2, 0, 0, 0, 10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40,
	0, 0,
};

void
binlog_format_init(BinlogFormat *f, bool mariadb, BinlogChecksum checksum)
{
	memset(f, 0, sizeof(*f));
	f->binlog_version = 4;
	f->is_mariadb = mariadb;
	f->header_len = BINLOG_HEADER_LEN;
	f->checksum = checksum;
	memcpy(f->post_header_len + 1, default_post_header, sizeof(default_post_header));
	/* MariaDB types */
	f->post_header_len[160] = 0;
	f->post_header_len[161] = 4;
	f->post_header_len[162] = 19;
	f->post_header_len[163] = 4;
	f->post_header_len[164] = 0;
	f->post_header_len[165] = 13;
	f->post_header_len[166] = f->post_header_len[167] = f->post_header_len[168] = 8;
	f->post_header_len[169] = f->post_header_len[170] = f->post_header_len[171] = 10;
	snprintf(f->server_version, sizeof(f->server_version), "%s", mariadb ? "10.0.0-MariaDB" : "5.7.0");
}

/* ------------------------------------------------------------------ framing */

bool
binlog_split_next(const uint8_t *base, const uint8_t **pos, const uint8_t *end,
				  const uint8_t **ev, size_t *len, BinlogError *err)
{
	const uint8_t *p = *pos;

	err->code = BINLOG_OK;
	if (p >= end)
		return false;
	if (end - p < BINLOG_HEADER_LEN)
		return fail(err, BINLOG_ERR_TRUNCATED, base, p, "event header cut short", (uint64_t) (end - p));
	uint32_t	size = (uint32_t) load_le(p + 9, 4);

	if (size < BINLOG_HEADER_LEN)
		return fail(err, BINLOG_ERR_CORRUPT, base, p, "event_size smaller than the header", size);
	if ((size_t) (end - p) < size)
		return fail(err, BINLOG_ERR_TRUNCATED, base, p, "event cut short", size);
	*ev = p;
	*len = size;
	*pos = p + size;
	return true;
}

/* ------------------------------------------------------------------ events */

typedef struct Dec
{
	const BinlogFormat *fmt;
	const uint8_t *base;		/* start of the event (for offsets) */
	const BinlogLimits *lim;
	Arena	   *a;
	BinlogError *err;
	uint8_t		type;
	uint8_t		post_len;		/* post-header length for this type */
} Dec;

#undef SHORT
#define SHORT(c, what)	fail(d->err, BINLOG_ERR_TRUNCATED, d->base, (c)->p, (what), 0)
#define BAD(at, what, v) fail(d->err, BINLOG_ERR_CORRUPT, d->base, (at), (what), (uint64_t) (v))

/*
 * Decode a FORMAT_DESCRIPTION body (cursor after the common header) into
 * out->u.fde; checks its own CRC32 with the in-use flag cleared.  The whole
 * event ev[0..evlen) is needed for that.  False with d->err filled.
 */
static bool
dec_fde(Dec *d, const BinlogHeader *h, Cursor *c, const uint8_t *ev, size_t evlen, unsigned options,
		BinlogEvent *out)
{
	BinlogFde  *f = &out->u.fde;
	BinlogFormat *fm = &f->format;
	const uint8_t *ver;
	uint8_t		hlen;

	memset(fm, 0, sizeof(*fm));
	if (!cur_u16le(c, &fm->binlog_version))
		return SHORT(c, "format description: binlog_version");
	if (fm->binlog_version != 4)
		return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, c->p, "format description: binlog version is not 4",
					fm->binlog_version);
	if (!cur_bytes(c, 50, &ver))
		return SHORT(c, "format description: server_version");
	memcpy(fm->server_version, ver, 50);
	fm->server_version[50] = '\0';
	if (!cur_u32le(c, &f->create_timestamp))
		return SHORT(c, "format description: create_timestamp");
	if (!cur_u8(c, &hlen))
		return SHORT(c, "format description: header_len");
	if (hlen != BINLOG_HEADER_LEN)
		return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, c->p - 1,
					"format description: common header length is not 19", hlen);
	fm->header_len = hlen;
	fm->is_mariadb = strstr(fm->server_version, "MariaDB") != NULL;

	unsigned long v = version_number(fm->server_version);
	bool		has_alg = fm->is_mariadb ? v >= 50300 : v >= 50601;
	size_t		rest = cur_left(c);

	if (has_alg)
	{
		if (rest < 1 + BINLOG_CHECKSUM_LEN)
			return SHORT(c, "format description: checksum algorithm");
		uint8_t		alg = c->p[rest - 1 - BINLOG_CHECKSUM_LEN];

		if (alg != BINLOG_CHECKSUM_NONE && alg != BINLOG_CHECKSUM_CRC32)
			return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, c->p + rest - 5,
						"format description: unknown checksum algorithm", alg);
		fm->checksum = (BinlogChecksum) alg;
		rest -= 1 + BINLOG_CHECKSUM_LEN;
	}
	else
		fm->checksum = BINLOG_CHECKSUM_UNKNOWN;
	if (rest > 255)
		rest = 255;
	for (size_t i = 0; i < rest; i++)
		fm->post_header_len[i + 1] = c->p[i];
	f->in_use = (h->flags & BINLOG_F_BINLOG_IN_USE) != 0;

	/* the FDE's own checksum, computed with the in-use flag cleared */
	if (has_alg)
	{
		out->has_checksum = true;
		out->checksum = (uint32_t) load_le(ev + evlen - 4, 4);
		if (fm->checksum == BINLOG_CHECKSUM_CRC32 && !(options & BINLOG_DECODE_SKIP_VERIFY))
		{
			uint8_t		hdr[BINLOG_HEADER_LEN];
			uLong		crc = crc32(0L, Z_NULL, 0);

			memcpy(hdr, ev, BINLOG_HEADER_LEN);
			hdr[17] &= (uint8_t) ~BINLOG_F_BINLOG_IN_USE;
			crc = crc32(crc, hdr, BINLOG_HEADER_LEN);
			crc = crc32(crc, ev + BINLOG_HEADER_LEN, (uInt) (evlen - BINLOG_HEADER_LEN - 4));
			if ((uint32_t) crc != out->checksum)
				return fail(d->err, BINLOG_ERR_CHECKSUM, d->base, ev + evlen - 4,
							"format description: CRC32 mismatch", out->checksum);
		}
		out->body_len = evlen - BINLOG_HEADER_LEN - BINLOG_CHECKSUM_LEN;
	}
	out->kind = BINLOG_KIND_FDE;
	return true;
}

/*
 * Read a table id: 6 bytes, or 4 when the format's post-header length is 6
 * (MySQL 5.1.x).  False when short.
 */
static bool
dec_table_id(Dec *d, Cursor *c, uint64_t *id)
{
	int			n = d->post_len == 6 ? 4 : 6;

	if (!cur_uleN(c, n, id))
		return SHORT(c, "table_id");
	return true;
}

/*
 * QUERY / QUERY_COMPRESSED: status variables kept raw, db and SQL as views
 * into the event (the SQL inflated into the arena for 165).  False with
 * d->err filled.
 */
static bool
dec_query(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogQuery *q = &out->u.query;
	uint8_t		dblen;
	uint16_t	svlen;
	const uint8_t *p;

	if (!cur_u32le(c, &q->thread_id) || !cur_u32le(c, &q->exec_time) || !cur_u8(c, &dblen) ||
		!cur_u16le(c, &q->error_code))
		return SHORT(c, "query: post-header");
	if (d->post_len >= 13)
	{
		if (!cur_u16le(c, &svlen))
			return SHORT(c, "query: status_vars_len");
		if (d->post_len > 13 && !cur_skip(c, d->post_len - 13u))
			return SHORT(c, "query: post-header");
	}
	else
		svlen = 0;
	if (!cur_bytes(c, svlen, &p))
		return SHORT(c, "query: status variables");
	q->status_vars = bstr(p, svlen);
	if (!cur_bytes(c, dblen, &p))
		return SHORT(c, "query: db name");
	q->db = bstr(p, dblen);
	if (!cur_skip(c, 1))
		return SHORT(c, "query: db terminator");
	if (d->type == BINLOG_MARIA_QUERY_COMPRESSED_EVENT)
	{
		const uint8_t *u;
		size_t		ulen;

		if (!maria_uncompress(d->base, c->p, cur_left(c), d->lim, d->a, &u, &ulen, d->err))
			return false;
		q->sql = bstr(u, ulen);
	}
	else
		q->sql = bstr(c->p, cur_left(c));
	out->kind = BINLOG_KIND_QUERY;
	return true;
}

/*
 * MariaDB GTID: the optional commit id, XA xid and flags_extra are read
 * only when their flags and bytes say so.  False with d->err filled.
 */
static bool
dec_maria_gtid(Dec *d, const BinlogHeader *h, Cursor *c, BinlogEvent *out)
{
	BinlogMariaGtid *g = &out->u.mgtid;

	if (!cur_u64le(c, &g->seq) || !cur_u32le(c, &g->domain) || !cur_u8(c, &g->flags))
		return SHORT(c, "mariadb gtid: seq/domain/flags");
	g->server_id = h->server_id;
	if (g->flags & BINLOG_MARIA_FL_GROUP_COMMIT_ID)
	{
		if (!cur_u64le(c, &g->commit_id))
			return SHORT(c, "mariadb gtid: commit_id");
	}
	/* XA: an XID follows (hand-made vectors set the flag without one: tolerated) */
	if ((g->flags & (BINLOG_MARIA_FL_PREPARED_XA | BINLOG_MARIA_FL_COMPLETED_XA)) && cur_left(c) >= 6)
	{
		uint8_t		gl,
					bl;
		const uint8_t *x;

		if (!cur_u32le(c, &g->xid_format) || !cur_u8(c, &gl) || !cur_u8(c, &bl))
			return SHORT(c, "mariadb gtid: xid");
		if (gl > 64 || bl > 64)
			return BAD(c->p, "mariadb gtid: xid part longer than 64", gl > bl ? gl : bl);
		if (!cur_bytes(c, (size_t) gl + bl, &x))
			return SHORT(c, "mariadb gtid: xid data");
		g->xid = bstr(x, (size_t) gl + bl);
	}
	/* flags_extra and what it announces are optional (10.5+); padding reads as 0 */
	if (cur_left(c) > 0)
		cur_u8(c, &g->flags_extra);
	out->kind = BINLOG_KIND_MARIA_GTID;
	return true;
}

/*
 * MariaDB GTID_LIST into arena arrays; the count is checked against the
 * bytes present before anything is allocated.
 */
static bool
dec_maria_gtid_list(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogMariaGtidList *l = &out->u.mgtid_list;
	uint32_t	word;

	if (!cur_u32le(c, &word))
		return SHORT(c, "gtid list: count");
	l->count = word & 0x0fffffff;
	l->flags = (uint8_t) (word >> 28);
	if ((uint64_t) l->count * 16 > cur_left(c))
		return SHORT(c, "gtid list: entries");
	l->domain = arena_alloc_array0(d->a, l->count ? l->count : 1, sizeof(uint32_t));
	l->server = arena_alloc_array0(d->a, l->count ? l->count : 1, sizeof(uint32_t));
	l->seq = arena_alloc_array0(d->a, l->count ? l->count : 1, sizeof(uint64_t));
	for (uint32_t i = 0; i < l->count; i++)
	{
		cur_u32le(c, &l->domain[i]);
		cur_u32le(c, &l->server[i]);
		cur_u64le(c, &l->seq[i]);
	}
	out->kind = BINLOG_KIND_MARIA_GTID_LIST;
	return true;
}

/*
 * MySQL GTID / ANONYMOUS_GTID: the fixed part, then each optional 5.7/8.0
 * field only when bytes remain for it.  False with d->err filled.
 */
static bool
dec_mysql_gtid(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogMysqlGtid *g = &out->u.gtid;
	const uint8_t *sid;

	if (!cur_u8(c, &g->flags) || !cur_bytes(c, 16, &sid) || !cur_u64le(c, &g->gno))
		return SHORT(c, "gtid: flags/sid/gno");
	memcpy(g->sid, sid, 16);
	if (cur_left(c) > 0 && c->p[0] == 2)
	{
		c->p++;
		if (!cur_u64le(c, &g->last_committed) || !cur_u64le(c, &g->sequence_number))
			return SHORT(c, "gtid: logical clock");
		g->has_logical_clock = true;
		if (cur_left(c) >= 7)
		{
			uint64_t	ts;

			cur_uleN(c, 7, &ts);
			if (ts & ((uint64_t) 1 << 55))
			{
				g->immediate_commit_ts = ts & ~((uint64_t) 1 << 55);
				if (!cur_uleN(c, 7, &g->original_commit_ts))
					return SHORT(c, "gtid: original_commit_timestamp");
			}
			else
				g->immediate_commit_ts = g->original_commit_ts = ts;
		}
		if (cur_left(c) > 0 && !cur_lenenc(c, &g->transaction_length))
			return SHORT(c, "gtid: transaction_length");
		if (cur_left(c) >= 4)
		{
			uint32_t	v;

			cur_u32le(c, &v);
			if (v & 0x80000000u)
			{
				g->immediate_server_version = v & 0x7fffffffu;
				if (!cur_u32le(c, &g->original_server_version))
					return SHORT(c, "gtid: original_server_version");
			}
			else
				g->immediate_server_version = g->original_server_version = v;
		}
	}
	out->kind = BINLOG_KIND_MYSQL_GTID;
	return true;
}

/*
 * MySQL 8.4 GTID_TAGGED in the serialization-library format: an envelope
 * (version, payload size, last non-ignorable field id) and varlen fields.
 * Unknown fields are an error when non-ignorable.  False with d->err filled.
 */
static bool
dec_gtid_tagged(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogMysqlGtid *g = &out->u.gtid;
	const uint8_t *start = c->p;
	uint8_t		version;
	uint64_t	payload_size,
				last_non_ignorable;
	bool		have_tag = false,
				have_orig_ts = false,
				have_orig_ver = false;

	if (!cur_u8(c, &version))
		return SHORT(c, "gtid tagged: version");
	if (version != 2)
		return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, start, "gtid tagged: serialization version is not 2", version);
	if (!cur_varlen(c, &payload_size) || !cur_varlen(c, &last_non_ignorable))
		return SHORT(c, "gtid tagged: envelope");
	size_t		consumed = (size_t) (c->p - start);

	if (payload_size < consumed || payload_size - consumed > cur_left(c))
		return BAD(start, "gtid tagged: payload size does not fit the event", payload_size);
	Cursor		f = cur_make(c->p, (size_t) payload_size - consumed);

	c->p += payload_size - consumed;
	while (cur_left(&f) > 0)
	{
		uint64_t	id,
					v;

		if (!cur_varlen(&f, &id))
			return SHORT(&f, "gtid tagged: field id");
		switch (id)
		{
			case 0:
				if (!cur_varlen(&f, &v) || v > 255)
					return BAD(f.p, "gtid tagged: flags", 0);
				g->flags = (uint8_t) v;
				break;
			case 1:
				for (int i = 0; i < 16; i++)
				{
					if (!cur_varlen(&f, &v) || v > 255)
						return BAD(f.p, "gtid tagged: uuid byte", i);
					g->sid[i] = (uint8_t) v;
				}
				break;
			case 2:
				if (!cur_varlen_nonneg(&f, &g->gno))
					return BAD(f.p, "gtid tagged: gno", 0);
				break;
			case 3:
				{
					const uint8_t *t;

					if (!cur_varlen(&f, &v) || v > 32 || !cur_bytes(&f, (size_t) v, &t))
						return BAD(f.p, "gtid tagged: tag", v);
					g->tag = bstr(t, (size_t) v);
					have_tag = true;
					break;
				}
			case 4:
				if (!cur_varlen_nonneg(&f, &g->last_committed))
					return BAD(f.p, "gtid tagged: last_committed", 0);
				g->has_logical_clock = true;
				break;
			case 5:
				if (!cur_varlen_nonneg(&f, &g->sequence_number))
					return BAD(f.p, "gtid tagged: sequence_number", 0);
				break;
			case 6:
				if (!cur_varlen(&f, &g->immediate_commit_ts))
					return SHORT(&f, "gtid tagged: immediate_commit_timestamp");
				break;
			case 7:
				if (!cur_varlen(&f, &g->original_commit_ts))
					return SHORT(&f, "gtid tagged: original_commit_timestamp");
				have_orig_ts = true;
				break;
			case 8:
				if (!cur_varlen(&f, &g->transaction_length))
					return SHORT(&f, "gtid tagged: transaction_length");
				break;
			case 9:
				if (!cur_varlen(&f, &v) || v > UINT32_MAX)
					return BAD(f.p, "gtid tagged: immediate_server_version", v);
				g->immediate_server_version = (uint32_t) v;
				break;
			case 10:
				if (!cur_varlen(&f, &v) || v > UINT32_MAX)
					return BAD(f.p, "gtid tagged: original_server_version", v);
				g->original_server_version = (uint32_t) v;
				have_orig_ver = true;
				break;
			case 11:
				if (!cur_varlen(&f, &g->commit_group_ticket))
					return SHORT(&f, "gtid tagged: commit_group_ticket");
				break;
			default:
				if (id <= last_non_ignorable)
					return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, f.p,
								"gtid tagged: unknown non-ignorable field", id);
				/* an ignorable field we cannot size: stop here */
				f.p = f.end;
				break;
		}
	}
	if (!have_tag)
		return BAD(start, "gtid tagged: no tag field", 0);
	if (!have_orig_ts)
		g->original_commit_ts = g->immediate_commit_ts;
	if (!have_orig_ver)
		g->original_server_version = g->immediate_server_version;
	out->kind = BINLOG_KIND_MYSQL_GTID;
	return true;
}

/*
 * PREVIOUS_GTIDS, untagged or 8.4 tagged.  Counts are checked against the
 * bytes present (each sid needs 24, each interval 16) before allocating.
 */
static bool
dec_previous_gtids(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogPreviousGtids *pg = &out->u.prev_gtids;
	uint64_t	head;

	if (!cur_u64le(c, &head))
		return SHORT(c, "previous gtids: header");
	pg->tagged = (head >> 56) != 0;
	if (pg->tagged && (head >> 56) != 1)
		return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, c->p - 8, "previous gtids: unknown format", head >> 56);
	pg->nsids = pg->tagged ? (head >> 8) & (((uint64_t) 1 << 48) - 1) : head & (((uint64_t) 1 << 56) - 1);
	/* each sid needs at least 24 bytes: a count we cannot hold is corrupt */
	if (pg->nsids > cur_left(c) / 24)
		return SHORT(c, "previous gtids: sids");
	pg->sids = arena_alloc_array0(d->a, pg->nsids ? (size_t) pg->nsids : 1, sizeof(BinlogGtidSid));
	for (uint64_t i = 0; i < pg->nsids; i++)
	{
		BinlogGtidSid *s = &pg->sids[i];
		const uint8_t *u;

		if (!cur_bytes(c, 16, &u))
			return SHORT(c, "previous gtids: uuid");
		memcpy(s->uuid, u, 16);
		if (pg->tagged)
		{
			uint64_t	tl;
			const uint8_t *t;

			if (!cur_varlen(c, &tl) || tl > 32 || !cur_bytes(c, (size_t) tl, &t))
				return BAD(c->p, "previous gtids: tag", 0);
			s->tag = bstr(t, (size_t) tl);
		}
		if (!cur_u64le(c, &s->nintervals))
			return SHORT(c, "previous gtids: n_intervals");
		if (s->nintervals > cur_left(c) / 16)
			return SHORT(c, "previous gtids: intervals");
		s->iv = arena_alloc_array0(d->a, s->nintervals ? (size_t) s->nintervals : 1, sizeof(BinlogGtidInterval));
		for (uint64_t j = 0; j < s->nintervals; j++)
		{
			cur_u64le(c, &s->iv[j].start);
			cur_u64le(c, &s->iv[j].end);
			if (s->iv[j].end <= s->iv[j].start)
				return BAD(c->p - 16, "previous gtids: empty or reversed interval", s->iv[j].start);
		}
	}
	out->kind = BINLOG_KIND_PREVIOUS_GTIDS;
	return true;
}

/*
 * HEARTBEAT_V2: TLV fields until the end mark; unknown fields skipped.
 */
static bool
dec_heartbeat_v2(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogHeartbeat *hb = &out->u.heartbeat;

	while (cur_left(c) > 0)
	{
		uint64_t	type,
					len;
		const uint8_t *v;

		if (!cur_lenenc(c, &type))
			return SHORT(c, "heartbeat v2: field type");
		if (type == 0)
			break;
		if (!cur_lenenc(c, &len) || len > cur_left(c) || !cur_bytes(c, (size_t) len, &v))
			return SHORT(c, "heartbeat v2: field");
		if (type == 1)
			hb->file = bstr(v, (size_t) len);
		else if (type == 2)
		{
			Cursor		vc = cur_make(v, (size_t) len);

			if (!cur_lenenc(&vc, &hb->position))
				return SHORT(&vc, "heartbeat v2: position");
		}
	}
	out->kind = BINLOG_KIND_HEARTBEAT;
	return true;
}

/* ---- TABLE_MAP ---- */

/*
 * Columns that have a bit in SIGNEDNESS.  MariaDB's YEAR is an unsigned
 * TINYINT inside the server and has one; MySQL's has not.
 */
static bool
type_is_numeric(int t, bool mariadb)
{
	if (t == MYT_YEAR)
		return mariadb;
	switch (t)
	{
		case MYT_TINY:
		case MYT_SHORT:
		case MYT_INT24:
		case MYT_LONG:
		case MYT_LONGLONG:
		case MYT_FLOAT:
		case MYT_DOUBLE:
		case MYT_NEWDECIMAL:
		case MYT_DECIMAL:
			return true;
	}
	return false;
}

int
binlog_column_real_type(const BinlogTableMap *tm, uint32_t col)
{
	int			t = tm->types[col];

	if (t == MYT_STRING)
	{
		int			real = tm->meta[col] >> 8;

		if (real == MYT_ENUM || real == MYT_SET)
			return real;
	}
	return t;
}

/*
 * Columns that have an entry in DEFAULT_CHARSET / COLUMN_CHARSET.  Checked
 * against recordings: MariaDB 10.5/10.11 count GEOMETRY (charset 63), MySQL
 * 8.0 does not; MySQL 9 counts VECTOR.
 */
static bool
type_is_character(const BinlogTableMap *tm, uint32_t col, bool mariadb)
{
	int			t = binlog_column_real_type(tm, col);

	if (t == MYT_GEOMETRY)
		return mariadb;
	return t == MYT_STRING || t == MYT_VARCHAR || t == MYT_VAR_STRING || t == MYT_BLOB ||
		t == MYT_VECTOR || t == MYT_VARCHAR_COMPRESSED || t == MYT_BLOB_COMPRESSED;
}

static bool
type_is_enum_or_set(const BinlogTableMap *tm, uint32_t col)
{
	int			t = binlog_column_real_type(tm, col);

	return t == MYT_ENUM || t == MYT_SET;
}

uint32_t
binlog_table_map_json_columns(const BinlogTableMap *tm)
{
	uint32_t	n = 0;

	for (uint32_t i = 0; i < tm->ncols; i++)
		if (tm->types[i] == MYT_JSON)
			n++;
	return n;
}

/* Decode the per-column metadata block into tm->meta. */
static bool
dec_column_meta(Dec *d, Cursor *m, BinlogTableMap *tm)
{
	for (uint32_t i = 0; i < tm->ncols; i++)
	{
		uint8_t		b0,
					b1;

		switch (tm->types[i])
		{
			case MYT_FLOAT:
			case MYT_DOUBLE:
			case MYT_BLOB:
			case MYT_TINY_BLOB:
			case MYT_MEDIUM_BLOB:
			case MYT_LONG_BLOB:
			case MYT_GEOMETRY:
			case MYT_JSON:
			case MYT_VECTOR:
			case MYT_TIMESTAMP2:
			case MYT_DATETIME2:
			case MYT_TIME2:
			case MYT_BLOB_COMPRESSED:
				if (!cur_u8(m, &b0))
					return SHORT(m, "table map: column metadata cut short");
				tm->meta[i] = b0;
				break;
			case MYT_VARCHAR:
			case MYT_VAR_STRING:
			case MYT_VARCHAR_COMPRESSED:
				if (!cur_u16le(m, &tm->meta[i]))
					return SHORT(m, "table map: column metadata cut short");
				break;
			case MYT_BIT:
			case MYT_NEWDECIMAL:
			case MYT_STRING:
			case MYT_ENUM:
			case MYT_SET:
				if (!cur_u8(m, &b0) || !cur_u8(m, &b1))
					return SHORT(m, "table map: column metadata cut short");
				tm->meta[i] = (uint16_t) ((b0 << 8) | b1);
				break;
			case MYT_DECIMAL:
			case MYT_TINY:
			case MYT_SHORT:
			case MYT_INT24:
			case MYT_LONG:
			case MYT_LONGLONG:
			case MYT_NULL:
			case MYT_TIMESTAMP:
			case MYT_DATE:
			case MYT_TIME:
			case MYT_DATETIME:
			case MYT_YEAR:
			case MYT_NEWDATE:
			case MYT_BOOL:
				tm->meta[i] = 0;
				break;
			default:
				return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, m->p, "table map: unknown column type",
							tm->types[i]);
		}
	}
	if (cur_left(m) != 0)
		return BAD(m->p, "table map: metadata block longer than the columns need", cur_left(m));
	return true;
}

/* A list of lenenc-prefixed strings (COLUMN_NAME, one value set). */
static bool
dec_lenenc_str(Cursor *c, BinlogStr *out)
{
	uint64_t	n;
	const uint8_t *p;

	if (!cur_lenenc(c, &n) || n > cur_left(c) || !cur_bytes(c, (size_t) n, &p))
		return false;
	*out = bstr(p, (size_t) n);
	return true;
}

/*
 * DEFAULT_CHARSET-style field: lenenc default collation, then pairs (lenenc
 * column index among the selected columns, lenenc collation).
 */
static bool
dec_default_charset(Dec *d, Cursor *v, BinlogTableMap *tm, bool enum_set)
{
	uint64_t	def;
	uint32_t   *sel = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, sizeof(uint32_t));
	uint32_t	nsel = 0;

	for (uint32_t i = 0; i < tm->ncols; i++)
		if (enum_set ? type_is_enum_or_set(tm, i) : type_is_character(tm, i, d->fmt->is_mariadb))
			sel[nsel++] = i;
	if (!cur_lenenc(v, &def))
		return SHORT(v, "table map: default charset");
	for (uint32_t k = 0; k < nsel; k++)
		tm->charset[sel[k]] = (uint32_t) def;
	while (cur_left(v) > 0)
	{
		uint64_t	idx,
					cs;

		if (!cur_lenenc(v, &idx) || !cur_lenenc(v, &cs))
			return SHORT(v, "table map: charset pair");
		if (idx >= nsel)
			return BAD(v->p, "table map: charset column index out of range", idx);
		tm->charset[sel[idx]] = (uint32_t) cs;
	}
	return true;
}

/*
 * COLUMN_CHARSET / ENUM_AND_SET_COLUMN_CHARSET: one collation per character
 * (or ENUM/SET) column, no more, no fewer.
 */
static bool
dec_column_charset(Dec *d, Cursor *v, BinlogTableMap *tm, bool enum_set)
{
	for (uint32_t i = 0; i < tm->ncols; i++)
	{
		uint64_t	cs;

		if (!(enum_set ? type_is_enum_or_set(tm, i) : type_is_character(tm, i, d->fmt->is_mariadb)))
			continue;
		if (!cur_lenenc(v, &cs))
			return SHORT(v, "table map: column charset");
		tm->charset[i] = (uint32_t) cs;
	}
	if (cur_left(v) != 0)
		return BAD(v->p, "table map: more column charsets than character columns", cur_left(v));
	return true;
}

/*
 * SET_STR_VALUE / ENUM_STR_VALUE: a list of labels per SET (or ENUM) column.
 */
static bool
dec_str_values(Dec *d, Cursor *v, BinlogTableMap *tm, int want, BinlogStrList **outp)
{
	BinlogStrList *out = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, sizeof(BinlogStrList));

	for (uint32_t i = 0; i < tm->ncols; i++)
	{
		uint64_t	n;

		if (binlog_column_real_type(tm, i) != want)
			continue;
		if (cur_left(v) == 0)
			break;				/* fewer lists than columns: tolerate (MariaDB) */
		if (!cur_lenenc(v, &n))
			return SHORT(v, "table map: value count");
		if (n > cur_left(v) || n > 65535)
			return BAD(v->p, "table map: value count larger than the field", n);
		out[i].n = (uint32_t) n;
		out[i].s = arena_alloc_array0(d->a, n ? (size_t) n : 1, sizeof(BinlogStr));
		for (uint64_t k = 0; k < n; k++)
			if (!dec_lenenc_str(v, &out[i].s[k]))
				return SHORT(v, "table map: enum/set value");
	}
	*outp = out;
	return true;
}

/*
 * GEOMETRY_TYPE / VECTOR_DIMENSIONALITY: one lenenc integer per column of
 * the given type.
 */
static bool
dec_per_type_ints(Dec *d, Cursor *v, BinlogTableMap *tm, int want, uint32_t **outp)
{
	uint32_t   *out = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, sizeof(uint32_t));

	for (uint32_t i = 0; i < tm->ncols; i++)
	{
		uint64_t	x;

		if (tm->types[i] != want)
			continue;
		if (!cur_lenenc(v, &x))
			return SHORT(v, "table map: per-column value");
		out[i] = (uint32_t) x;
	}
	*outp = out;
	return true;
}

/*
 * TABLE_MAP optional metadata: TLV fields until the end of the event;
 * unknown field types are skipped by their length.
 */
static bool
dec_optional_meta(Dec *d, Cursor *c, BinlogTableMap *tm)
{
	while (cur_left(c) > 0)
	{
		uint8_t		type;
		uint64_t	len;
		Cursor		v;

		if (!cur_u8(c, &type) || !cur_lenenc(c, &len))
			return SHORT(c, "table map: optional metadata header");
		if (len > cur_left(c) || !cur_sub(c, (size_t) len, &v))
			return SHORT(c, "table map: optional metadata field");
		if (type < 32)
			tm->has_optmeta |= (uint32_t) 1 << type;
		switch (type)
		{
			case BINLOG_OPTMETA_SIGNEDNESS:
				{
					uint32_t	k = 0;

					tm->is_unsigned = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, 1);
					for (uint32_t i = 0; i < tm->ncols; i++)
					{
						if (!type_is_numeric(tm->types[i], d->fmt->is_mariadb))
							continue;
						if (k / 8 >= len)
							return SHORT(&v, "table map: signedness bitmap");
						tm->is_unsigned[i] = (v.p[k / 8] >> (7 - k % 8)) & 1;
						k++;
					}
					break;
				}
			case BINLOG_OPTMETA_DEFAULT_CHARSET:
			case BINLOG_OPTMETA_ENUM_AND_SET_DEFAULT_CHARSET:
				if (!tm->charset)
					tm->charset = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, sizeof(uint32_t));
				if (!dec_default_charset(d, &v, tm, type == BINLOG_OPTMETA_ENUM_AND_SET_DEFAULT_CHARSET))
					return false;
				break;
			case BINLOG_OPTMETA_COLUMN_CHARSET:
			case BINLOG_OPTMETA_ENUM_AND_SET_COLUMN_CHARSET:
				if (!tm->charset)
					tm->charset = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, sizeof(uint32_t));
				if (!dec_column_charset(d, &v, tm, type == BINLOG_OPTMETA_ENUM_AND_SET_COLUMN_CHARSET))
					return false;
				break;
			case BINLOG_OPTMETA_COLUMN_NAME:
				tm->names = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, sizeof(BinlogStr));
				for (uint32_t i = 0; i < tm->ncols; i++)
					if (!dec_lenenc_str(&v, &tm->names[i]))
						return SHORT(&v, "table map: column name");
				break;
			case BINLOG_OPTMETA_SET_STR_VALUE:
				if (!dec_str_values(d, &v, tm, MYT_SET, &tm->set_values))
					return false;
				break;
			case BINLOG_OPTMETA_ENUM_STR_VALUE:
				if (!dec_str_values(d, &v, tm, MYT_ENUM, &tm->enum_values))
					return false;
				break;
			case BINLOG_OPTMETA_GEOMETRY_TYPE:
				if (!dec_per_type_ints(d, &v, tm, MYT_GEOMETRY, &tm->geometry_type))
					return false;
				break;
			case BINLOG_OPTMETA_VECTOR_DIMENSIONALITY:
				if (!dec_per_type_ints(d, &v, tm, MYT_VECTOR, &tm->vector_dim))
					return false;
				break;
			case BINLOG_OPTMETA_SIMPLE_PRIMARY_KEY:
			case BINLOG_OPTMETA_PRIMARY_KEY_WITH_PREFIX:
				{
					bool		prefix = type == BINLOG_OPTMETA_PRIMARY_KEY_WITH_PREFIX;
					uint32_t	cap = (uint32_t) (len < tm->ncols ? len : tm->ncols);

					tm->pk = arena_alloc_array0(d->a, cap ? cap : 1, sizeof(uint32_t));
					tm->pk_prefix = arena_alloc_array0(d->a, cap ? cap : 1, sizeof(uint32_t));
					tm->npk = 0;
					while (cur_left(&v) > 0)
					{
						uint64_t	col,
									pre = 0;

						if (!cur_lenenc(&v, &col) || (prefix && !cur_lenenc(&v, &pre)))
							return SHORT(&v, "table map: primary key");
						if (col >= tm->ncols || tm->npk >= cap)
							return BAD(v.p, "table map: primary key column out of range", col);
						tm->pk[tm->npk] = (uint32_t) col;
						tm->pk_prefix[tm->npk] = (uint32_t) pre;
						tm->npk++;
					}
					break;
				}
			case BINLOG_OPTMETA_COLUMN_VISIBILITY:
				if (len * 8 < tm->ncols)
					return SHORT(&v, "table map: visibility bitmap");
				tm->visible = arena_alloc_array0(d->a, tm->ncols ? tm->ncols : 1, 1);
				for (uint32_t i = 0; i < tm->ncols; i++)
					tm->visible[i] = (v.p[i / 8] >> (7 - i % 8)) & 1;
				break;
			default:
				/* unknown fields are skippable by their length */
				break;
		}
	}
	return true;
}

/*
 * TABLE_MAP: names, column types (count checked against the bytes),
 * metadata, null bitmap, optional metadata.  False with d->err filled.
 */
static bool
dec_table_map(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogTableMap *tm = &out->u.table_map;
	uint8_t		len;
	const uint8_t *p;
	uint64_t	ncols,
				metalen;

	if (!dec_table_id(d, c, &tm->table_id) || !cur_u16le(c, &tm->flags))
		return SHORT(c, "table map: post-header");
	if (!cur_u8(c, &len) || !cur_bytes(c, len, &p) || !cur_skip(c, 1))
		return SHORT(c, "table map: db name");
	tm->db = bstr(p, len);
	if (!cur_u8(c, &len) || !cur_bytes(c, len, &p) || !cur_skip(c, 1))
		return SHORT(c, "table map: table name");
	tm->table = bstr(p, len);
	if (!cur_lenenc(c, &ncols))
		return SHORT(c, "table map: column count");
	if (ncols == 0 || ncols > 4096 || ncols > cur_left(c))
		return BAD(c->p, "table map: impossible column count", ncols);
	tm->ncols = (uint32_t) ncols;
	if (!cur_bytes(c, tm->ncols, &p))
		return SHORT(c, "table map: column types");
	tm->types = arena_memdup(d->a, p, tm->ncols);
	tm->meta = arena_alloc_array0(d->a, tm->ncols, sizeof(uint16_t));
	if (!cur_lenenc(c, &metalen))
		return SHORT(c, "table map: metadata length");
	Cursor		m;

	if (metalen > cur_left(c) || !cur_sub(c, (size_t) metalen, &m))
		return SHORT(c, "table map: metadata block");
	if (!dec_column_meta(d, &m, tm))
		return false;
	if (!cur_bytes(c, (tm->ncols + 7) / 8, &p))
		return SHORT(c, "table map: null bitmap");
	tm->nullable = arena_alloc_array0(d->a, tm->ncols, 1);
	for (uint32_t i = 0; i < tm->ncols; i++)
		tm->nullable[i] = (p[i / 8] >> (i % 8)) & 1;
	if (!dec_optional_meta(d, c, tm))
		return false;
	out->kind = BINLOG_KIND_TABLE_MAP;
	return true;
}

/* ---- ROWS ---- */

/*
 * ROWS v1/v2/partial/compressed: post-header, extra data, column bitmaps;
 * the row data is left for rowimage.c (inflated first for MariaDB's
 * compressed types).  False with d->err filled.
 */
static bool
dec_rows(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogRows *r = &out->u.rows;
	uint64_t	ncols;
	const uint8_t *p;
	int			t = d->type;

	switch (t)
	{
		case BINLOG_WRITE_ROWS_EVENT_V1:
		case BINLOG_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1:
		case BINLOG_WRITE_ROWS_EVENT:
		case BINLOG_MARIA_WRITE_ROWS_COMPRESSED_EVENT:
			r->kind = BINLOG_ROWS_WRITE;
			break;
		case BINLOG_UPDATE_ROWS_EVENT_V1:
		case BINLOG_MARIA_UPDATE_ROWS_COMPRESSED_EVENT_V1:
		case BINLOG_UPDATE_ROWS_EVENT:
		case BINLOG_MARIA_UPDATE_ROWS_COMPRESSED_EVENT:
			r->kind = BINLOG_ROWS_UPDATE;
			break;
		case BINLOG_PARTIAL_UPDATE_ROWS_EVENT:
			r->kind = BINLOG_ROWS_PARTIAL_UPDATE;
			break;
		default:
			r->kind = BINLOG_ROWS_DELETE;
			break;
	}
	r->version = (t >= BINLOG_WRITE_ROWS_EVENT && t <= BINLOG_DELETE_ROWS_EVENT) ||
		t == BINLOG_PARTIAL_UPDATE_ROWS_EVENT || t >= BINLOG_MARIA_WRITE_ROWS_COMPRESSED_EVENT ? 2 : 1;
	r->compressed = t >= BINLOG_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1;
	if (!dec_table_id(d, c, &r->table_id) || !cur_u16le(c, &r->flags))
		return SHORT(c, "rows: post-header");
	if (r->version == 2)
	{
		uint16_t	extra;

		if (!cur_u16le(c, &extra))
			return SHORT(c, "rows: extra data length");
		if (extra < 2)
			return BAD(c->p - 2, "rows: extra data length below 2", extra);
		if (!cur_bytes(c, extra - 2u, &r->extra))
			return SHORT(c, "rows: extra data");
		r->extra_len = extra - 2u;
	}
	if (!cur_lenenc(c, &ncols))
		return SHORT(c, "rows: column count");
	if (ncols == 0 || ncols > 4096)
		return BAD(c->p, "rows: impossible column count", ncols);
	r->ncols = (uint32_t) ncols;
	size_t		bm = (r->ncols + 7) / 8;

	if (!cur_bytes(c, bm, &r->cols_before))
		return SHORT(c, "rows: column bitmap");
	if (r->kind == BINLOG_ROWS_UPDATE || r->kind == BINLOG_ROWS_PARTIAL_UPDATE)
	{
		if (!cur_bytes(c, bm, &r->cols_after))
			return SHORT(c, "rows: after-image column bitmap");
	}
	p = c->p;
	if (r->compressed)
	{
		if (!maria_uncompress(d->base, p, cur_left(c), d->lim, d->a, &r->rows, &r->rows_len, d->err))
			return false;
	}
	else
	{
		r->rows = p;
		r->rows_len = cur_left(c);
	}
	out->kind = BINLOG_KIND_ROWS;
	return true;
}

/* ---- TRANSACTION_PAYLOAD ---- */

/*
 * TRANSACTION_PAYLOAD: the TLV header, then the payload decompressed into
 * the arena (zstd, under limits->max_uncompressed) or used as is.  The size
 * fields must agree with the bytes present.  False with d->err filled.
 */
static bool
dec_payload(Dec *d, Cursor *c, BinlogEvent *out)
{
	BinlogPayload *pl = &out->u.payload;
	bool		have_size = false,
				have_usize = false;

	for (;;)
	{
		uint64_t	type,
					len,
					v;
		Cursor		vc;

		if (!cur_lenenc(c, &type))
			return SHORT(c, "transaction payload: field type");
		if (type == 0)
			break;
		if (!cur_lenenc(c, &len) || len > cur_left(c) || !cur_sub(c, (size_t) len, &vc))
			return SHORT(c, "transaction payload: field");
		if (type > 3)
			continue;
		if (!cur_lenenc(&vc, &v))
			return SHORT(&vc, "transaction payload: field value");
		if (type == 1)
			pl->payload_size = v, have_size = true;
		else if (type == 2)
			pl->compression = v;
		else
			pl->uncompressed_size = v, have_usize = true;
	}
	size_t		left = cur_left(c);

	if (!have_size || pl->payload_size != left)
		return BAD(c->p, "transaction payload: payload size differs from the bytes present", pl->payload_size);
	if (pl->compression == 255)
	{
		pl->data = c->p;
		pl->data_len = left;
	}
	else if (pl->compression == 0)
	{
		unsigned long long fsize = ZSTD_getFrameContentSize(c->p, left);

		if (fsize == ZSTD_CONTENTSIZE_ERROR)
			return fail(d->err, BINLOG_ERR_DECOMPRESS, d->base, c->p, "transaction payload: not a zstd frame", 0);
		if (have_usize && fsize != ZSTD_CONTENTSIZE_UNKNOWN && fsize != pl->uncompressed_size)
			return fail(d->err, BINLOG_ERR_DECOMPRESS, d->base, c->p,
						"transaction payload: frame size differs from uncompressed_size", fsize);
		uint64_t	want = have_usize ? pl->uncompressed_size : (fsize == ZSTD_CONTENTSIZE_UNKNOWN ? 0 : fsize);

		if (want == 0 && fsize == ZSTD_CONTENTSIZE_UNKNOWN)
			return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, c->p,
						"transaction payload: uncompressed size unknown", 0);
		if (want > d->lim->max_uncompressed)
			return fail(d->err, BINLOG_ERR_TOO_LARGE, d->base, c->p,
						"transaction payload: uncompressed size over the cap", want);
		uint8_t    *dst = arena_alloc(d->a, want ? (size_t) want : 1);
		size_t		n = ZSTD_decompress(dst, (size_t) want, c->p, left);

		if (ZSTD_isError(n))
			return fail(d->err, BINLOG_ERR_DECOMPRESS, d->base, c->p, "transaction payload: zstd error", 0);
		if (n != want)
			return fail(d->err, BINLOG_ERR_DECOMPRESS, d->base, c->p,
						"transaction payload: decompressed size differs", n);
		pl->data = dst;
		pl->data_len = n;
	}
	else
		return fail(d->err, BINLOG_ERR_UNSUPPORTED, d->base, c->p, "transaction payload: unknown compression",
					pl->compression);
	out->kind = BINLOG_KIND_PAYLOAD;
	return true;
}

/* ------------------------------------------------------------------ entry */

bool
binlog_event_decode(const BinlogFormat *fmt, const uint8_t *buf, size_t len, unsigned options,
					const BinlogLimits *limits, Arena *a, BinlogEvent *out, BinlogError *err)
{
	static const BinlogLimits deflim = {DEFAULT_MAX_UNCOMPRESSED};
	const uint8_t *base = buf;
	Cursor		c = cur_make(buf, len);
	BinlogHeader *h = &out->hdr;
	Dec			d;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	d.fmt = fmt;
	d.base = buf;
	d.lim = limits ? limits : &deflim;
	d.a = a;
	d.err = err;

	if (len < BINLOG_HEADER_LEN)
		return fail(err, BINLOG_ERR_TRUNCATED, base, buf, "event shorter than the common header", len);
	cur_u32le(&c, &h->timestamp);
	cur_u8(&c, &h->type);
	cur_u32le(&c, &h->server_id);
	cur_u32le(&c, &h->event_size);
	cur_u32le(&c, &h->log_pos);
	cur_u16le(&c, &h->flags);
	if (h->event_size != len)
		return fail(err, BINLOG_ERR_CORRUPT, base, buf + 9, "event_size differs from the bytes framed", h->event_size);
	d.type = h->type;
	d.post_len = fmt->post_header_len[h->type];

	out->body = c.p;
	out->body_len = cur_left(&c);

	if (h->type == BINLOG_FORMAT_DESCRIPTION_EVENT)
	{
		Cursor		fc = cur_make(c.p, cur_left(&c));

		return dec_fde(&d, h, &fc, buf, len, options, out);
	}

	/* checksum trailer */
	if (!(options & BINLOG_DECODE_NO_CHECKSUM) && fmt->checksum == BINLOG_CHECKSUM_CRC32)
	{
		if (cur_left(&c) < BINLOG_CHECKSUM_LEN)
			return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "event too short for its CRC32", len);
		out->has_checksum = true;
		out->checksum = (uint32_t) load_le(buf + len - 4, 4);
		if (!(options & BINLOG_DECODE_SKIP_VERIFY) && binlog_crc32(buf, len - 4) != out->checksum)
			return fail(err, BINLOG_ERR_CHECKSUM, base, buf + len - 4, "CRC32 mismatch", out->checksum);
		c.end -= BINLOG_CHECKSUM_LEN;
		out->body_len -= BINLOG_CHECKSUM_LEN;
	}

	switch (h->type)
	{
		case BINLOG_ROTATE_EVENT:
			if (d.post_len >= 8)
			{
				if (!cur_u64le(&c, &out->u.rotate.position))
					return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "rotate: position", 0);
				if (!cur_skip(&c, d.post_len - 8u))
					return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "rotate: post-header", 0);
			}
			else
				out->u.rotate.position = 4;
			out->u.rotate.file = bstr(c.p, cur_left(&c));
			out->kind = BINLOG_KIND_ROTATE;
			return true;

		case BINLOG_QUERY_EVENT:
		case BINLOG_MARIA_QUERY_COMPRESSED_EVENT:
			return dec_query(&d, &c, out);

		case BINLOG_XID_EVENT:
			if (!cur_u64le(&c, &out->u.xid))
				return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "xid: value", 0);
			out->kind = BINLOG_KIND_XID;
			return true;

		case BINLOG_STOP_EVENT:
			out->kind = BINLOG_KIND_STOP;
			return true;

		case BINLOG_MARIA_GTID_EVENT:
			return dec_maria_gtid(&d, h, &c, out);

		case BINLOG_MARIA_GTID_LIST_EVENT:
			return dec_maria_gtid_list(&d, &c, out);

		case BINLOG_MARIA_BINLOG_CHECKPOINT_EVENT:
			{
				uint32_t	n;
				const uint8_t *p;

				if (!cur_u32le(&c, &n) || !cur_bytes(&c, n, &p))
					return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "binlog checkpoint: file name", 0);
				out->u.checkpoint_file = bstr(p, n);
				out->kind = BINLOG_KIND_MARIA_CHECKPOINT;
				return true;
			}

		case BINLOG_MARIA_ANNOTATE_ROWS_EVENT:
			out->u.text = bstr(c.p, cur_left(&c));
			out->kind = BINLOG_KIND_TEXT;
			return true;

		case BINLOG_ROWS_QUERY_EVENT:
			if (!cur_skip(&c, 1))
				return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "rows query: length byte", 0);
			out->u.text = bstr(c.p, cur_left(&c));
			out->kind = BINLOG_KIND_TEXT;
			return true;

		case BINLOG_GTID_EVENT:
		case BINLOG_ANONYMOUS_GTID_EVENT:
			return dec_mysql_gtid(&d, &c, out);

		case BINLOG_GTID_TAGGED_LOG_EVENT:
			return dec_gtid_tagged(&d, &c, out);

		case BINLOG_PREVIOUS_GTIDS_EVENT:
			return dec_previous_gtids(&d, &c, out);

		case BINLOG_HEARTBEAT_EVENT:
			out->u.heartbeat.file = bstr(c.p, cur_left(&c));
			out->u.heartbeat.position = h->log_pos;
			out->kind = BINLOG_KIND_HEARTBEAT;
			return true;

		case BINLOG_HEARTBEAT_LOG_EVENT_V2:
			return dec_heartbeat_v2(&d, &c, out);

		case BINLOG_TABLE_MAP_EVENT:
			return dec_table_map(&d, &c, out);

		case BINLOG_WRITE_ROWS_EVENT_V1:
		case BINLOG_UPDATE_ROWS_EVENT_V1:
		case BINLOG_DELETE_ROWS_EVENT_V1:
		case BINLOG_WRITE_ROWS_EVENT:
		case BINLOG_UPDATE_ROWS_EVENT:
		case BINLOG_DELETE_ROWS_EVENT:
		case BINLOG_PARTIAL_UPDATE_ROWS_EVENT:
		case BINLOG_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1:
		case BINLOG_MARIA_UPDATE_ROWS_COMPRESSED_EVENT_V1:
		case BINLOG_MARIA_DELETE_ROWS_COMPRESSED_EVENT_V1:
		case BINLOG_MARIA_WRITE_ROWS_COMPRESSED_EVENT:
		case BINLOG_MARIA_UPDATE_ROWS_COMPRESSED_EVENT:
		case BINLOG_MARIA_DELETE_ROWS_COMPRESSED_EVENT:
			return dec_rows(&d, &c, out);

		case BINLOG_TRANSACTION_PAYLOAD_EVENT:
			return dec_payload(&d, &c, out);

		case BINLOG_INCIDENT_EVENT:
			{
				uint8_t		n;
				const uint8_t *p;

				if (!cur_u16le(&c, &out->u.incident.incident) || !cur_u8(&c, &n) || !cur_bytes(&c, n, &p))
					return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "incident: message", 0);
				out->u.incident.message = bstr(p, n);
				out->kind = BINLOG_KIND_INCIDENT;
				return true;
			}

		case BINLOG_XA_PREPARE_LOG_EVENT:
			{
				BinlogXaPrepare *x = &out->u.xa_prepare;
				uint8_t		one;
				uint32_t	gl,
							bl;
				const uint8_t *p;

				if (!cur_u8(&c, &one) || !cur_u32le(&c, &x->format_id) || !cur_u32le(&c, &gl) ||
					!cur_u32le(&c, &bl))
					return fail(err, BINLOG_ERR_TRUNCATED, base, c.p, "xa prepare: header", 0);
				if (gl > 64 || bl > 64 || !cur_bytes(&c, (size_t) gl + bl, &p))
					return fail(err, BINLOG_ERR_CORRUPT, base, c.p, "xa prepare: xid", gl);
				x->one_phase = one != 0;
				x->gtrid = bstr(p, gl);
				x->bqual = bstr(p + gl, bl);
				out->kind = BINLOG_KIND_XA_PREPARE;
				return true;
			}

		/* recognised and deliberately not decoded */
		case BINLOG_START_EVENT_V3:
		case BINLOG_INTVAR_EVENT:
		case BINLOG_LOAD_EVENT:
		case BINLOG_SLAVE_EVENT:
		case BINLOG_CREATE_FILE_EVENT:
		case BINLOG_APPEND_BLOCK_EVENT:
		case BINLOG_EXEC_LOAD_EVENT:
		case BINLOG_DELETE_FILE_EVENT:
		case BINLOG_NEW_LOAD_EVENT:
		case BINLOG_RAND_EVENT:
		case BINLOG_USER_VAR_EVENT:
		case BINLOG_BEGIN_LOAD_QUERY_EVENT:
		case BINLOG_EXECUTE_LOAD_QUERY_EVENT:
		case BINLOG_IGNORABLE_EVENT:
		case BINLOG_TRANSACTION_CONTEXT_EVENT:
		case BINLOG_VIEW_CHANGE_EVENT:
		case BINLOG_MARIA_START_ENCRYPTION_EVENT:
			out->kind = BINLOG_KIND_SKIPPED;
			return true;

		case BINLOG_PRE_GA_WRITE_ROWS_EVENT:
		case BINLOG_PRE_GA_UPDATE_ROWS_EVENT:
		case BINLOG_PRE_GA_DELETE_ROWS_EVENT:
			return fail(err, BINLOG_ERR_UNSUPPORTED, base, buf + 4,
						"pre-GA row events (MySQL 5.1 beta) are not supported", h->type);

		default:
			if (h->flags & BINLOG_F_IGNORABLE)
			{
				out->kind = BINLOG_KIND_SKIPPED;
				return true;
			}
			return fail(err, BINLOG_ERR_UNSUPPORTED, base, buf + 4,
						"unknown event type without the ignorable flag", h->type);
	}
}

/* ------------------------------------------------------------------ copies */

static BinlogStr
str_copy(Arena *a, BinlogStr s)
{
	BinlogStr	r = {s.len ? arena_memdup(a, s.p, s.len) : "", s.len};

	return r;
}

static void *
arr_copy(Arena *a, const void *p, size_t n, size_t elem)
{
	return p ? arena_memdup(a, p, n ? n * elem : 1) : NULL;
}

BinlogTableMap *
binlog_table_map_copy(const BinlogTableMap *tm, Arena *a)
{
	BinlogTableMap *r = arena_new(a, BinlogTableMap);
	uint32_t	n = tm->ncols;

	*r = *tm;
	r->db = str_copy(a, tm->db);
	r->table = str_copy(a, tm->table);
	r->types = arr_copy(a, tm->types, n, 1);
	r->meta = arr_copy(a, tm->meta, n, sizeof(uint16_t));
	r->nullable = arr_copy(a, tm->nullable, n, 1);
	r->is_unsigned = arr_copy(a, tm->is_unsigned, n, 1);
	r->charset = arr_copy(a, tm->charset, n, sizeof(uint32_t));
	r->geometry_type = arr_copy(a, tm->geometry_type, n, sizeof(uint32_t));
	r->vector_dim = arr_copy(a, tm->vector_dim, n, sizeof(uint32_t));
	r->visible = arr_copy(a, tm->visible, n, 1);
	r->pk = arr_copy(a, tm->pk, tm->npk, sizeof(uint32_t));
	r->pk_prefix = arr_copy(a, tm->pk_prefix, tm->npk, sizeof(uint32_t));
	if (tm->names)
	{
		r->names = arena_alloc_array0(a, n, sizeof(BinlogStr));
		for (uint32_t i = 0; i < n; i++)
			r->names[i] = str_copy(a, tm->names[i]);
	}
	for (int k = 0; k < 2; k++)
	{
		const BinlogStrList *src = k ? tm->set_values : tm->enum_values;
		BinlogStrList *dst;

		if (!src)
			continue;
		dst = arena_alloc_array0(a, n, sizeof(BinlogStrList));
		for (uint32_t i = 0; i < n; i++)
		{
			dst[i].n = src[i].n;
			if (src[i].n)
			{
				dst[i].s = arena_alloc_array0(a, src[i].n, sizeof(BinlogStr));
				for (uint32_t j = 0; j < src[i].n; j++)
					dst[i].s[j] = str_copy(a, src[i].s[j]);
			}
		}
		if (k)
			r->set_values = dst;
		else
			r->enum_values = dst;
	}
	return r;
}
