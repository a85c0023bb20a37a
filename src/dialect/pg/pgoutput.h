/*
 * src/dialect/pg/pgoutput.h
 *	  Pure decoders for PostgreSQL logical replication: the CopyData framing of
 *	  a walsender stream ('w' XLogData, 'k' keepalive; the 'r' standby status
 *	  update we send) and the pgoutput messages inside XLogData (protocol
 *	  versions 1 to 4).
 *
 * No I/O, no logging, no allocation except from the caller's arena.  A failed
 * decode returns false and fills a PgoError (a code and the byte offset where
 * decoding stopped); the caller logs it with the LSN it knows.
 *
 * Lifetime: every pointer in a decoded struct points either into the input
 * buffer (strings, which are NUL-terminated on the wire, and value bytes) or
 * into the arena passed to the decoder (arrays).  A decoded message is valid
 * while both the input buffer and the arena are; copy what you keep.
 *
 * The wire layout is tabled at the top of pgoutput.c.
 */
#ifndef GODWIT_DIALECT_PG_PGOUTPUT_H
#define GODWIT_DIALECT_PG_PGOUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/lsn.h"

/* ------------------------------------------------------------ errors */

typedef enum PgoErrCode
{
	PGO_OK = 0,
	PGO_ERR_SHORT,				/* input ends inside a field */
	PGO_ERR_EMPTY,				/* zero-length message */
	PGO_ERR_UNKNOWN_TYPE,		/* first byte is not a known message type */
	PGO_ERR_BAD_TUPLE_KIND,		/* TupleData column kind not n/u/t/b */
	PGO_ERR_BAD_SUBMSG,			/* expected 'N', 'K' or 'O' */
	PGO_ERR_BAD_COUNT,			/* negative count, or more items than bytes left */
	PGO_ERR_TRAILING,			/* bytes left after a complete message */
	PGO_ERR_NEEDS_VERSION,		/* message type not defined in the negotiated version */
} PgoErrCode;

typedef struct PgoError
{
	PgoErrCode	code;
	size_t		offset;			/* byte offset in the input where decoding stopped */
} PgoError;

/* A short lower-case description of code ("message truncated"). */
const char *pgoutput_error_text(PgoErrCode code);

/* ------------------------------------------------------------ framing */

typedef enum PgoFrameType
{
	PGO_FRAME_XLOGDATA = 'w',
	PGO_FRAME_KEEPALIVE = 'k',
} PgoFrameType;

typedef struct PgoFrame
{
	PgoFrameType type;
	Lsn			data_start;		/* 'w': WAL position of the payload (0 for 'k') */
	Lsn			wal_end;		/* server's current end of WAL */
	int64_t		send_time;		/* server clock, us since 2000-01-01 */
	bool		reply_requested;	/* 'k': the server wants a status update now */
	const uint8_t *payload;		/* 'w': the pgoutput message (into the input) */
	size_t		payload_len;
} PgoFrame;

/*
 * pgoutput_decode_frame
 *		Decode one CopyData payload received on a replication connection.
 *
 * OUT: *out points into buf.  Returns false with *err filled on a truncated,
 * over-long or unknown frame.  Never logs.
 */
bool		pgoutput_decode_frame(const uint8_t *buf, size_t len, PgoFrame *out, PgoError *err);

#define PGO_STATUS_LEN 34

/*
 * pgoutput_encode_status
 *		Write the 34-byte standby status update ('r') into out.  Positions are
 *		reported as given; now_pg_us is the client clock in us since
 *		2000-01-01.  Returns PGO_STATUS_LEN.
 */
size_t		pgoutput_encode_status(uint8_t out[PGO_STATUS_LEN], Lsn write, Lsn flush,
								   Lsn apply, int64_t now_pg_us, bool reply_requested);

/*
 * pgoutput_encode_begin / pgoutput_encode_commit
 *		Write a Begin ('B', 21 bytes) or a Commit ('C', 26 bytes) message as
 *		the server sends them, for a streamed transaction replayed as an
 *		ordinary one (pg_streamed.c).  Return the length.
 */
#define PGO_BEGIN_LEN 21
#define PGO_COMMIT_LEN 26
size_t		pgoutput_encode_begin(uint8_t out[PGO_BEGIN_LEN], Lsn final_lsn, int64_t commit_time,
								  uint32_t xid);
size_t		pgoutput_encode_commit(uint8_t out[PGO_COMMIT_LEN], Lsn commit_lsn, Lsn end_lsn,
								   int64_t commit_time);

/* ------------------------------------------------------------ messages */

typedef enum PgoMsgType
{
	PGO_MSG_BEGIN = 'B',
	PGO_MSG_MESSAGE = 'M',
	PGO_MSG_COMMIT = 'C',
	PGO_MSG_ORIGIN = 'O',
	PGO_MSG_RELATION = 'R',
	PGO_MSG_TYPE = 'Y',
	PGO_MSG_INSERT = 'I',
	PGO_MSG_UPDATE = 'U',
	PGO_MSG_DELETE = 'D',
	PGO_MSG_TRUNCATE = 'T',
	PGO_MSG_STREAM_START = 'S',		/* v2+ */
	PGO_MSG_STREAM_STOP = 'E',		/* v2+ */
	PGO_MSG_STREAM_COMMIT = 'c',	/* v2+ */
	PGO_MSG_STREAM_ABORT = 'A',		/* v2+ */
	PGO_MSG_BEGIN_PREPARE = 'b',	/* v3+ (two_phase) */
	PGO_MSG_PREPARE = 'P',			/* v3+ */
	PGO_MSG_COMMIT_PREPARED = 'K',	/* v3+ */
	PGO_MSG_ROLLBACK_PREPARED = 'r',	/* v3+ */
	PGO_MSG_STREAM_PREPARE = 'p',	/* v3+ */
} PgoMsgType;

/* One column value of a TupleData. */
typedef enum PgoValueKind
{
	PGO_VALUE_NULL = 'n',
	PGO_VALUE_UNCHANGED = 'u',	/* unchanged TOASTed value: not sent */
	PGO_VALUE_TEXT = 't',
	PGO_VALUE_BINARY = 'b',
} PgoValueKind;

typedef struct PgoValue
{
	PgoValueKind kind;
	uint32_t	len;			/* text/binary: byte length */
	const uint8_t *data;		/* text/binary: into the input (not NUL-terminated) */
} PgoValue;

typedef struct PgoTuple
{
	int			ncols;
	PgoValue   *values;			/* arena array of ncols */
} PgoTuple;

#define PGO_COLUMN_KEY 1		/* Relation column flag: part of the replica identity */

typedef struct PgoRelColumn
{
	uint8_t		flags;			/* PGO_COLUMN_KEY */
	const char *name;			/* into the input (NUL-terminated there) */
	uint32_t	type_oid;
	int32_t		typmod;
} PgoRelColumn;

typedef struct PgoBegin
{
	Lsn			final_lsn;		/* LSN of the commit record */
	int64_t		commit_time;	/* us since 2000-01-01 */
	uint32_t	xid;
} PgoBegin;

typedef struct PgoCommit
{
	uint8_t		flags;
	Lsn			commit_lsn;		/* == Begin.final_lsn */
	Lsn			end_lsn;		/* end of the commit record: the resume point */
	int64_t		commit_time;
} PgoCommit;

typedef struct PgoOrigin
{
	Lsn			commit_lsn;		/* on the origin server */
	const char *name;
} PgoOrigin;

typedef struct PgoRelation
{
	uint32_t	relid;
	const char *nspname;		/* "" means pg_catalog */
	const char *relname;
	char		replident;		/* d, n, f, i */
	int			ncols;
	PgoRelColumn *cols;			/* arena array of ncols */
} PgoRelation;

typedef struct PgoType
{
	uint32_t	oid;
	const char *nspname;
	const char *name;
} PgoType;

/* Insert, Update and Delete share one shape. */
typedef struct PgoRowChange
{
	uint32_t	relid;
	char		old_kind;		/* 0 none, 'K' key only, 'O' whole old row */
	PgoTuple	old_tuple;		/* Update (optional) and Delete */
	bool		has_new;
	PgoTuple	new_tuple;		/* Insert and Update */
} PgoRowChange;

#define PGO_TRUNCATE_CASCADE			1
#define PGO_TRUNCATE_RESTART_IDENTITY	2

typedef struct PgoTruncate
{
	uint8_t		options;		/* PGO_TRUNCATE_* bits */
	int			nrelids;
	uint32_t   *relids;			/* arena array */
} PgoTruncate;

typedef struct PgoMessage
{
	uint8_t		flags;			/* 1 = transactional */
	Lsn			lsn;
	const char *prefix;
	uint32_t	len;
	const uint8_t *content;		/* into the input */
} PgoMessage;

typedef struct PgoStreamStart
{
	uint32_t	xid;
	uint8_t		first_segment;
} PgoStreamStart;

typedef struct PgoStreamCommit
{
	uint32_t	xid;
	uint8_t		flags;
	Lsn			commit_lsn;
	Lsn			end_lsn;
	int64_t		commit_time;
} PgoStreamCommit;

typedef struct PgoStreamAbort
{
	uint32_t	xid;
	uint32_t	subxid;
	bool		has_abort_info; /* v4 parallel streaming: the two fields below */
	Lsn			abort_lsn;
	int64_t		abort_time;
} PgoStreamAbort;

/* Two-phase messages (v3): Begin Prepare, Prepare, Commit/Rollback Prepared, Stream Prepare. */
typedef struct PgoPrepare
{
	uint8_t		flags;
	Lsn			lsn;			/* prepare / commit LSN; Rollback: prepare end LSN */
	Lsn			end_lsn;		/* Rollback: rollback end LSN */
	int64_t		time;			/* prepare / commit time; Rollback: prepare time */
	int64_t		rollback_time;	/* Rollback only */
	uint32_t	xid;
	const char *gid;
} PgoPrepare;

typedef struct PgoMsg
{
	PgoMsgType	type;
	/* v2+: the transaction id sent in front of data messages inside a stream block */
	uint32_t	stream_xid;
	union
	{
		PgoBegin	begin;
		PgoCommit	commit;
		PgoOrigin	origin;
		PgoRelation relation;
		PgoType		type;
		PgoRowChange row;		/* INSERT, UPDATE, DELETE */
		PgoTruncate truncate;
		PgoMessage	message;
		PgoStreamStart stream_start;
		PgoStreamCommit stream_commit;
		PgoStreamAbort stream_abort;
		PgoPrepare	prepare;	/* BEGIN_PREPARE, PREPARE, COMMIT_PREPARED,
								 * ROLLBACK_PREPARED, STREAM_PREPARE */
	}			u;
} PgoMsg;

/*
 * How to read a message: the negotiated protocol version, and whether it
 * arrives between Stream Start and Stream Stop (data messages then carry the
 * transaction id first).  The caller tracks in_stream from the messages it
 * decodes (Stream Start sets it, Stream Stop clears it).
 */
typedef struct PgoDecodeOptions
{
	int			proto_version;	/* 1..4 */
	bool		in_stream;
	bool		v4_abort_info;	/* Stream Abort carries abort LSN/time (streaming=parallel) */
} PgoDecodeOptions;

/*
 * pgoutput_decode_message
 *		Decode one pgoutput message (the payload of an XLogData frame).
 *
 * Arrays (tuple values, relation columns, truncate relids) are allocated in
 * arena a; strings and value bytes point into buf.  Returns false with *err
 * filled on any malformed input: every read is bounds-checked, counts are
 * checked against the bytes left before anything is allocated, and trailing
 * bytes are an error.  Never logs.
 */
bool		pgoutput_decode_message(const uint8_t *buf, size_t len, const PgoDecodeOptions *opt,
									Arena *a, PgoMsg *out, PgoError *err);

#endif
