/*
 * tests/lib/binlog_walk.c
 *	  Walk a binlog through the production decoders (see binlog_walk.h).
 */
#include "binlog_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/gtid.h"

typedef struct TmEntry
{
	uint64_t	id;
	BinlogTableMap *tm;
} TmEntry;

typedef struct Walk
{
	Arena		keep;			/* table maps */
	Arena		ev;				/* per event */
	TmEntry    *tms;
	int			ntms;
	int			cap;
	BinlogWalkFn fn;
	void	   *ctx;
	BinlogWalkResult *res;
	unsigned	options;		/* for top-level events */
} Walk;

static void
tm_put(Walk *w, const BinlogTableMap *tm)
{
	for (int i = 0; i < w->ntms; i++)
		if (w->tms[i].id == tm->table_id)
		{
			w->tms[i].tm = binlog_table_map_copy(tm, &w->keep);
			return;
		}
	if (w->ntms == w->cap)
	{
		w->cap = w->cap ? w->cap * 2 : 16;
		w->tms = realloc(w->tms, (size_t) w->cap * sizeof(TmEntry));
		if (!w->tms)
			abort();
	}
	w->tms[w->ntms].id = tm->table_id;
	w->tms[w->ntms].tm = binlog_table_map_copy(tm, &w->keep);
	w->ntms++;
}

static const BinlogTableMap *
tm_get(Walk *w, uint64_t id)
{
	for (int i = 0; i < w->ntms; i++)
		if (w->tms[i].id == id)
			return w->tms[i].tm;
	return NULL;
}

static bool
walk_fail_event(Walk *w, size_t off, const BinlogError *e)
{
	w->res->failed = true;
	w->res->offset = off;
	w->res->err = *e;
	snprintf(w->res->message, sizeof(w->res->message), "event at %zu: %s: %s (offset %zu, value %llu)", off,
			 binlog_err_code_name(e->code), e->what ? e->what : "?", e->offset, (unsigned long long) e->value);
	return false;
}

static bool
walk_fail_rows(Walk *w, size_t off, const RowError *e)
{
	w->res->failed = true;
	w->res->offset = off;
	w->res->rerr = *e;
	snprintf(w->res->message, sizeof(w->res->message),
			 "rows event at %zu: row %d column %d: %s: %s (offset %zu, value %llu)", off, e->row, e->column + 1,
			 binlog_err_code_name(e->code), e->what ? e->what : "?", e->offset, (unsigned long long) e->value);
	return false;
}

static bool walk_events(Walk *w, const uint8_t *buf, size_t len, size_t base_off, int depth,
						BinlogFormat *fmt);

static bool
walk_one(Walk *w, const uint8_t *evb, size_t evlen, size_t off, int depth, BinlogFormat *fmt)
{
	BinlogEvent ev;
	BinlogError err;
	RowSet		rs;
	RowError	rerr;
	BinlogWalkEvent we = {off, depth, &ev, NULL, NULL};

	if (!binlog_event_decode(fmt, evb, evlen, depth ? BINLOG_DECODE_NO_CHECKSUM : w->options, NULL, &w->ev, &ev,
							 &err))
		return walk_fail_event(w, off, &err);
	w->res->events++;
	switch (ev.kind)
	{
		case BINLOG_KIND_FDE:
			*fmt = ev.u.fde.format;
			break;
		case BINLOG_KIND_TABLE_MAP:
			tm_put(w, &ev.u.table_map);
			break;
		case BINLOG_KIND_ROWS:
			we.tm = tm_get(w, ev.u.rows.table_id);
			w->res->row_events++;
			if (we.tm)
			{
				if (!rowimage_decode(we.tm, &ev.u.rows, NULL, &w->ev, &rs, &rerr))
					return walk_fail_rows(w, off, &rerr);
				we.rows = &rs;
				w->res->rows += (int) rs.nrows;
				for (uint32_t r = 0; r < rs.nrows; r++)
					for (uint32_t c = 0; c < rs.ncols; c++)
					{
						if (rs.before && rs.before[r][c].kind != ROWVAL_ABSENT)
							w->res->values++;
						if (rs.after && rs.after[r][c].kind != ROWVAL_ABSENT)
							w->res->values++;
					}
			}
			break;
		default:
			break;
	}
	if (w->fn)
		w->fn(w->ctx, &we);
	if (ev.kind == BINLOG_KIND_PAYLOAD)
	{
		BinlogFormat inner = *fmt;

		if (depth > 0)
		{
			BinlogError e = {BINLOG_ERR_CORRUPT, 0, "transaction payload inside a transaction payload", 0};

			return walk_fail_event(w, off, &e);
		}
		/* the decompressed bytes live in w->ev: walk them before it is reset */
		if (!walk_events(w, ev.u.payload.data, ev.u.payload.data_len, off, depth + 1, &inner))
			return false;
	}
	return true;
}

static bool
walk_events(Walk *w, const uint8_t *buf, size_t len, size_t base_off, int depth, BinlogFormat *fmt)
{
	const uint8_t *pos = buf,
			   *end = buf + len,
			   *evb;
	size_t		evlen;
	BinlogError err;

	while (binlog_split_next(buf, &pos, end, &evb, &evlen, &err))
	{
		size_t		off = depth ? base_off : base_off + (size_t) (evb - buf);

		if (!walk_one(w, evb, evlen, off, depth, fmt))
			return false;
		if (depth == 0)
			arena_reset(&w->ev);
	}
	if (err.code != BINLOG_OK)
		return walk_fail_event(w, base_off + err.offset, &err);
	return true;
}

bool
binlog_walk(const uint8_t *buf, size_t len, bool has_magic, const BinlogFormat *fmt0, BinlogWalkFn fn,
			void *ctx, BinlogWalkResult *res)
{
	return binlog_walk_opts(buf, len, has_magic, fmt0, 0, fn, ctx, res);
}

bool
binlog_walk_opts(const uint8_t *buf, size_t len, bool has_magic, const BinlogFormat *fmt0, unsigned options,
				 BinlogWalkFn fn, void *ctx, BinlogWalkResult *res)
{
	Walk		w;
	BinlogFormat fmt;
	bool		ok;

	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	arena_init(&w.keep, 64 * 1024);
	arena_init(&w.ev, 64 * 1024);
	w.fn = fn;
	w.ctx = ctx;
	w.res = res;
	w.options = options;
	if (fmt0)
		fmt = *fmt0;
	else
		binlog_format_init(&fmt, false, BINLOG_CHECKSUM_UNKNOWN);
	if (has_magic)
	{
		if (len < 4 || memcmp(buf, BINLOG_MAGIC, 4) != 0)
		{
			BinlogError e = {BINLOG_ERR_CORRUPT, 0, "not a binlog file (magic bytes missing)", 0};

			ok = walk_fail_event(&w, 0, &e);
			goto done;
		}
		ok = walk_events(&w, buf + 4, len - 4, 4, 0, &fmt);
	}
	else
		ok = walk_events(&w, buf, len, 0, 0, &fmt);
done:
	arena_free(&w.keep);
	arena_free(&w.ev);
	free(w.tms);
	return ok;
}

/* ------------------------------------------------------------------ printing */

static void
append_escaped(StrBuf *sb, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		unsigned char ch = (unsigned char) p[i];

		if (ch == '\\' || ch == '\'')
			sb_appendf(sb, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			sb_appendf(sb, "\\x%02x", ch);
		else
			sb_appendc(sb, (char) ch);
	}
}

void
binlog_walk_append_value(StrBuf *sb, const RowVal *v)
{
	if (v->kind == ROWVAL_ABSENT)
		sb_append(sb, "(absent)");
	else if (v->kind == ROWVAL_NULL)
		sb_append(sb, "NULL");
	else
	{
		sb_appendc(sb, '\'');
		append_escaped(sb, v->p, v->len);
		sb_appendc(sb, '\'');
	}
}

static void
append_row(StrBuf *sb, const char *label, const RowVal *vals, uint32_t ncols)
{
	sb_appendf(sb, "    %s:", label);
	for (uint32_t c = 0; c < ncols; c++)
	{
		if (vals[c].kind == ROWVAL_ABSENT)
			continue;
		sb_appendf(sb, " @%u=", c + 1);
		binlog_walk_append_value(sb, &vals[c]);
	}
	sb_appendc(sb, '\n');
}

static void
append_uuid(StrBuf *sb, const uint8_t *u)
{
	char		t[37];

	gtid_uuid_format(u, t);
	sb_append(sb, t);
}

void
binlog_walk_print(void *ctx, const BinlogWalkEvent *we)
{
	StrBuf	   *sb = ctx;
	const BinlogEvent *ev = we->ev;

	sb_appendf(sb, "%s%zu %s", we->depth ? "  payload@" : "@", we->offset, binlog_event_type_name(ev->hdr.type));
	switch (ev->kind)
	{
		case BINLOG_KIND_FDE:
			sb_appendf(sb, " server=%s checksum=%s%s", ev->u.fde.format.server_version,
					   ev->u.fde.format.checksum == BINLOG_CHECKSUM_CRC32 ? "CRC32" :
					   ev->u.fde.format.checksum == BINLOG_CHECKSUM_NONE ? "NONE" : "n/a",
					   ev->u.fde.in_use ? " in-use" : "");
			break;
		case BINLOG_KIND_ROTATE:
			sb_appendf(sb, " %.*s:%llu", (int) ev->u.rotate.file.len, ev->u.rotate.file.p,
					   (unsigned long long) ev->u.rotate.position);
			break;
		case BINLOG_KIND_QUERY:
			sb_appendf(sb, " db=%.*s sql=", (int) ev->u.query.db.len, ev->u.query.db.p);
			append_escaped(sb, ev->u.query.sql.p, ev->u.query.sql.len > 200 ? 200 : ev->u.query.sql.len);
			break;
		case BINLOG_KIND_XID:
			sb_appendf(sb, " xid=%llu", (unsigned long long) ev->u.xid);
			break;
		case BINLOG_KIND_MARIA_GTID:
			sb_appendf(sb, " %u-%u-%llu flags=0x%02x", ev->u.mgtid.domain, ev->u.mgtid.server_id,
					   (unsigned long long) ev->u.mgtid.seq, ev->u.mgtid.flags);
			break;
		case BINLOG_KIND_MARIA_GTID_LIST:
			sb_append(sb, " [");
			for (uint32_t i = 0; i < ev->u.mgtid_list.count; i++)
				sb_appendf(sb, "%s%u-%u-%llu", i ? "," : "", ev->u.mgtid_list.domain[i], ev->u.mgtid_list.server[i],
						   (unsigned long long) ev->u.mgtid_list.seq[i]);
			sb_append(sb, "]");
			break;
		case BINLOG_KIND_MARIA_CHECKPOINT:
			sb_appendf(sb, " %.*s", (int) ev->u.checkpoint_file.len, ev->u.checkpoint_file.p);
			break;
		case BINLOG_KIND_MYSQL_GTID:
			sb_appendc(sb, ' ');
			append_uuid(sb, ev->u.gtid.sid);
			if (ev->u.gtid.tag.len)
				sb_appendf(sb, ":%.*s", (int) ev->u.gtid.tag.len, ev->u.gtid.tag.p);
			sb_appendf(sb, ":%llu", (unsigned long long) ev->u.gtid.gno);
			if (ev->u.gtid.has_logical_clock)
				sb_appendf(sb, " last_committed=%llu sequence_number=%llu",
						   (unsigned long long) ev->u.gtid.last_committed,
						   (unsigned long long) ev->u.gtid.sequence_number);
			if (ev->u.gtid.immediate_commit_ts)
				sb_appendf(sb, " commit_ts=%llu", (unsigned long long) ev->u.gtid.immediate_commit_ts);
			break;
		case BINLOG_KIND_PREVIOUS_GTIDS:
			sb_append(sb, " ");
			for (uint64_t i = 0; i < ev->u.prev_gtids.nsids; i++)
			{
				const BinlogGtidSid *s = &ev->u.prev_gtids.sids[i];

				if (i)
					sb_appendc(sb, ',');
				append_uuid(sb, s->uuid);
				if (s->tag.len)
					sb_appendf(sb, ":%.*s", (int) s->tag.len, s->tag.p);
				for (uint64_t j = 0; j < s->nintervals; j++)
				{
					if (s->iv[j].end - 1 == s->iv[j].start)
						sb_appendf(sb, ":%llu", (unsigned long long) s->iv[j].start);
					else
						sb_appendf(sb, ":%llu-%llu", (unsigned long long) s->iv[j].start,
								   (unsigned long long) (s->iv[j].end - 1));
				}
			}
			break;
		case BINLOG_KIND_HEARTBEAT:
			sb_appendf(sb, " %.*s:%llu", (int) ev->u.heartbeat.file.len, ev->u.heartbeat.file.p,
					   (unsigned long long) ev->u.heartbeat.position);
			break;
		case BINLOG_KIND_TABLE_MAP:
			{
				const BinlogTableMap *tm = &ev->u.table_map;

				sb_appendf(sb, " id=%llu %.*s.%.*s cols=%u types=", (unsigned long long) tm->table_id,
						   (int) tm->db.len, tm->db.p, (int) tm->table.len, tm->table.p, tm->ncols);
				for (uint32_t i = 0; i < tm->ncols; i++)
					sb_appendf(sb, "%s%d/%u", i ? "," : "", tm->types[i], tm->meta[i]);
				if (tm->names)
				{
					sb_append(sb, " names=");
					for (uint32_t i = 0; i < tm->ncols; i++)
						sb_appendf(sb, "%s%.*s", i ? "," : "", (int) tm->names[i].len, tm->names[i].p);
				}
				if (tm->npk)
				{
					sb_append(sb, " pk=");
					for (uint32_t i = 0; i < tm->npk; i++)
						sb_appendf(sb, "%s%u", i ? "," : "", tm->pk[i] + 1);
				}
				break;
			}
		case BINLOG_KIND_ROWS:
			sb_appendf(sb, " table_id=%llu flags=0x%x%s", (unsigned long long) ev->u.rows.table_id,
					   ev->u.rows.flags, ev->u.rows.compressed ? " compressed" : "");
			if (we->tm)
				sb_appendf(sb, " %.*s.%.*s", (int) we->tm->db.len, we->tm->db.p, (int) we->tm->table.len,
						   we->tm->table.p);
			break;
		case BINLOG_KIND_PAYLOAD:
			sb_appendf(sb, " compression=%llu size=%llu uncompressed=%zu",
					   (unsigned long long) ev->u.payload.compression,
					   (unsigned long long) ev->u.payload.payload_size, ev->u.payload.data_len);
			break;
		case BINLOG_KIND_TEXT:
			sb_append(sb, " ");
			append_escaped(sb, ev->u.text.p, ev->u.text.len > 200 ? 200 : ev->u.text.len);
			break;
		case BINLOG_KIND_INCIDENT:
			sb_appendf(sb, " incident=%u %.*s", ev->u.incident.incident, (int) ev->u.incident.message.len,
					   ev->u.incident.message.p);
			break;
		default:
			break;
	}
	sb_appendc(sb, '\n');
	if (we->rows)
	{
		for (uint32_t r = 0; r < we->rows->nrows; r++)
		{
			if (we->rows->before)
				append_row(sb, we->rows->after ? "before" : "row", we->rows->before[r], we->rows->ncols);
			if (we->rows->after)
				append_row(sb, we->rows->before ? "after" : "row", we->rows->after[r], we->rows->ncols);
		}
	}
}

uint8_t *
binlog_read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf = NULL;
	size_t		cap = 0,
				n = 0;

	if (!f)
		return NULL;
	for (;;)
	{
		if (n == cap)
		{
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		size_t		r = fread(buf + n, 1, cap - n, f);

		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}
