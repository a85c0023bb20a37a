/*
 * tests/tools/binlog_corpus.c
 *	  Cut recorded binlogs into seed inputs for the two binlog fuzzers
 *	  (tests/fuzz/fuzz_binlog_event.c, tests/fuzz/fuzz_rowimage.c).
 *
 *   binlog_corpus EVENT_DIR ROWS_DIR FILE...
 *
 * For each file: EVENT_DIR gets, per event type, its first event behind the
 * file's FORMAT_DESCRIPTION (plus the whole file when under 8 KB, and a
 * truncated copy of a few); ROWS_DIR gets every rows event (inner events of
 * TRANSACTION_PAYLOAD too) with its TABLE_MAP, in fuzz_rowimage's layout,
 * once plain and once with catalog hints.  Names are stable, so rerunning
 * overwrites rather than duplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlog_walk.h"

typedef struct Tm
{
	uint64_t	id;
	uint8_t    *body;
	size_t		len;
} Tm;

typedef struct Ctx
{
	const char *event_dir;
	const char *rows_dir;
	char		tag[200];		/* sanitized file name */
	const uint8_t *fde;			/* raw FDE of the file */
	size_t		fde_len;
	bool		mariadb;
	bool		crc;
	bool		seen[256];
	Tm			tms[64];
	int			ntms;
	int			written;
	int			rows_written;
} Ctx;

static void
write_seed(Ctx *c, const char *dir, const char *name, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		   const uint8_t *d, size_t dlen)
{
	char		path[1024];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
	{
		perror(path);
		exit(1);
	}
	if (alen)
		fwrite(a, 1, alen, f);
	if (blen)
		fwrite(b, 1, blen, f);
	if (dlen)
		fwrite(d, 1, dlen, f);
	fclose(f);
	c->written++;
}

static void
cb(void *ctx, const BinlogWalkEvent *we)
{
	Ctx		   *c = ctx;
	const BinlogEvent *ev = we->ev;
	const uint8_t *raw = ev->body - BINLOG_HEADER_LEN;
	size_t		rawlen = ev->hdr.event_size;
	char		name[400];
	uint8_t		flags;

	if (ev->kind == BINLOG_KIND_FDE && we->depth == 0)
	{
		c->fde = raw;
		c->fde_len = rawlen;
		c->mariadb = ev->u.fde.format.is_mariadb;
		c->crc = ev->u.fde.format.checksum == BINLOG_CHECKSUM_CRC32;
	}
	if (ev->kind == BINLOG_KIND_TABLE_MAP)
	{
		Tm		   *t = NULL;

		for (int i = 0; i < c->ntms; i++)
			if (c->tms[i].id == ev->u.table_map.table_id)
				t = &c->tms[i];
		if (!t && c->ntms < 64)
			t = &c->tms[c->ntms++];
		if (t)
		{
			free(t->body);
			t->id = ev->u.table_map.table_id;
			t->len = ev->body_len;
			t->body = malloc(t->len + 1);
			memcpy(t->body, ev->body, t->len);
		}
	}
	/* event seeds: the first event of each type, behind the FDE */
	if (we->depth == 0 && !c->seen[ev->hdr.type])
	{
		c->seen[ev->hdr.type] = true;
		flags = (uint8_t) ((c->mariadb ? 1 : 0) | (c->crc ? 2 : 0) | 4);
		snprintf(name, sizeof(name), "%s_%zu_%s", c->tag, we->offset, binlog_event_type_name(ev->hdr.type));
		if (ev->kind == BINLOG_KIND_FDE)
			write_seed(c, c->event_dir, name, &flags, 1, raw, rawlen, NULL, 0);
		else if (c->fde)
			write_seed(c, c->event_dir, name, &flags, 1, c->fde, c->fde_len, raw, rawlen);
	}
	/* rows seeds */
	if (ev->kind == BINLOG_KIND_ROWS)
	{
		static const int types[8] = {23, 24, 25, 30, 31, 32, 39, 167};
		int			ti = -1;
		const Tm   *t = NULL;

		for (int i = 0; i < 8; i++)
			if (types[i] == ev->hdr.type)
				ti = i;
		for (int i = 0; i < c->ntms; i++)
			if (c->tms[i].id == ev->u.rows.table_id)
				t = &c->tms[i];
		if (ti < 0 || !t || t->len > 65535 || c->rows_written > 40)
			return;
		for (int h = 0; h < 2; h++)
		{
			uint8_t		hdr[3];

			hdr[0] = (uint8_t) ((c->mariadb ? 1 : 0) | (ti << 1) | (h ? 0xb0 : 0));
			hdr[1] = (uint8_t) (t->len & 0xff);
			hdr[2] = (uint8_t) (t->len >> 8);
			snprintf(name, sizeof(name), "%s_%zu%s_%s%s", c->tag, we->offset, we->depth ? "_inner" : "",
					 binlog_event_type_name(ev->hdr.type), h ? "_hints" : "");
			write_seed(c, c->rows_dir, name, hdr, 3, t->body, t->len, ev->body, ev->body_len);
		}
		c->rows_written++;
	}
}

int
main(int argc, char **argv)
{
	if (argc < 4)
	{
		fprintf(stderr, "usage: binlog_corpus EVENT_DIR ROWS_DIR FILE...\n");
		return 2;
	}
	int			total = 0;

	for (int i = 3; i < argc; i++)
	{
		Ctx			c;
		size_t		len;
		uint8_t    *buf = binlog_read_file(argv[i], &len);
		BinlogWalkResult res;
		const char *base = strrchr(argv[i], '/');
		const char *dir = base;

		if (!buf)
			continue;
		memset(&c, 0, sizeof(c));
		c.event_dir = argv[1];
		c.rows_dir = argv[2];
		/* tag = parent folder + file name, sanitized */
		while (dir && dir > argv[i] && dir[-1] != '/')
			dir--;
		snprintf(c.tag, sizeof(c.tag), "%s", dir ? dir : argv[i]);
		for (char *p = c.tag; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.'))
				*p = '_';
		binlog_walk(buf, len, true, NULL, cb, &c, &res);
		if (len < 8192 && len > 4)
		{
			char		name[300];
			uint8_t		flags = 0;

			snprintf(name, sizeof(name), "%s_whole", c.tag);
			write_seed(&c, c.event_dir, name, &flags, 1, buf + 4, len - 4, NULL, 0);
			if (len > 200)
			{
				snprintf(name, sizeof(name), "%s_cut", c.tag);
				flags = 4;
				write_seed(&c, c.event_dir, name, &flags, 1, buf + 4, (len - 4) / 2, NULL, 0);
			}
		}
		for (int k = 0; k < c.ntms; k++)
			free(c.tms[k].body);
		total += c.written;
		free(buf);
	}
	printf("%d seeds written\n", total);
	return 0;
}
