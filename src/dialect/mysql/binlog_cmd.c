/*
 * src/dialect/mysql/binlog_cmd.c
 *	  Replica commands of the replication protocol (see binlog_cmd.h for the
 *	  layouts).  All integers little-endian.
 */
#include "dialect/mysql/binlog_cmd.h"

#include <string.h>

static void
put_le(StrBuf *out, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		sb_appendc(out, (char) (v >> (8 * i)));
}

static void
put_str8(StrBuf *out, const char *s)
{
	size_t		n = s ? strlen(s) : 0;

	if (n > 255)
		n = 255;
	put_le(out, n, 1);
	if (n)
		sb_appendn(out, s, n);
}

void
binlog_cmd_register(StrBuf *out, uint32_t server_id, const char *host, uint16_t port)
{
	put_le(out, server_id, 4);
	put_str8(out, host);
	put_str8(out, "");
	put_str8(out, "");
	put_le(out, port, 2);
	put_le(out, 0, 4);
	put_le(out, 0, 4);
}

void
binlog_cmd_dump(StrBuf *out, uint32_t server_id, const char *file, uint32_t pos, uint16_t flags)
{
	put_le(out, pos, 4);
	put_le(out, flags, 2);
	put_le(out, server_id, 4);
	if (file)
		sb_append(out, file);
}

bool
binlog_cmd_dump_gtid(StrBuf *out, uint32_t server_id, const GtidSet *s)
{
	StrBuf		set;
	uint64_t	nsids = 0;

	sb_init(&set, 0);
	for (int i = 0; i < s->nsids; i++)
	{
		if (s->sids[i].tag[0])
		{
			sb_free(&set);
			return false;
		}
		if (s->sids[i].niv > 0)
			nsids++;
	}
	put_le(&set, nsids, 8);
	for (int i = 0; i < s->nsids; i++)
	{
		const GtidSid *sid = &s->sids[i];

		if (sid->niv == 0)
			continue;
		sb_appendn(&set, (const char *) sid->uuid, 16);
		put_le(&set, (uint64_t) sid->niv, 8);
		for (int k = 0; k < sid->niv; k++)
		{
			put_le(&set, sid->iv[k].start, 8);
			put_le(&set, sid->iv[k].end + 1, 8);
		}
	}
	put_le(out, BINLOG_DUMP_THROUGH_GTID, 2);
	put_le(out, server_id, 4);
	put_le(out, 0, 4);			/* no file name */
	put_le(out, 4, 8);			/* position */
	put_le(out, set.len, 4);
	sb_appendn(out, set.data ? set.data : "", set.len);
	sb_free(&set);
	return true;
}
