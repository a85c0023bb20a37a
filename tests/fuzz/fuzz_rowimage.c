/*
 * tests/fuzz/fuzz_rowimage.c
 *	  libFuzzer entry point for the row-image decoder (rowimage.c) and the
 *	  binary JSON printer behind it.
 *
 * Input: 1 flags byte | 2-byte LE length n | n bytes of a TABLE_MAP body |
 * the rest: a ROWS event body (post-header included, no common header).
 *   flags bit 0     MariaDB format (SIGNEDNESS / charset rules)
 *   flags bits 1-3  rows event type: WRITE, UPDATE, DELETE v1, WRITE,
 *                   UPDATE, DELETE v2, PARTIAL_UPDATE, MariaDB compressed
 *   flags bits 4-7  hints: unsigned, BINARY padding, UUID, INET6/INET4 and
 *                   ENUM/SET labels for every column
 * Built as a real fuzzer with -Dfuzzers=true (clang) and always as the
 * replay_rowimage test over tests/fuzz/corpus/rowimage/.
 */
#include <stdlib.h>
#include <string.h>

#include "dialect/mysql/binlog_event.h"
#include "dialect/mysql/rowimage.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int rows_types[8] = {23, 24, 25, 30, 31, 32, 39, 167};

static uint8_t *
wrap(int type, const uint8_t *body, size_t blen, size_t *len)
{
	uint8_t    *e = malloc(BINLOG_HEADER_LEN + blen + 1);
	uint32_t	sz = (uint32_t) (BINLOG_HEADER_LEN + blen);

	memset(e, 0, BINLOG_HEADER_LEN);
	e[4] = (uint8_t) type;
	memcpy(e + 9, &sz, 4);
	if (blen)
		memcpy(e + BINLOG_HEADER_LEN, body, blen);
	*len = sz;
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = {"a", "b", "c", "", "label-with-comma,", "\xf0\x9f\x98\x80", "g", "h"};
	BinlogFormat fmt;
	BinlogEvent tmev,
				rev;
	BinlogError err;
	RowError	rerr;
	RowSet		rs;
	Arena		a;
	size_t		tmlen,
				elen1,
				elen2;
	uint8_t    *e1,
			   *e2;

	if (size < 3)
		return 0;
	tmlen = (size_t) data[1] | ((size_t) data[2] << 8);
	if (tmlen > size - 3)
		return 0;
	binlog_format_init(&fmt, data[0] & 1, BINLOG_CHECKSUM_NONE);
	arena_init(&a, 8192);
	e1 = wrap(BINLOG_TABLE_MAP_EVENT, data + 3, tmlen, &elen1);
	e2 = wrap(rows_types[(data[0] >> 1) & 7], data + 3 + tmlen, size - 3 - tmlen, &elen2);
	if (binlog_event_decode(&fmt, e1, elen1, 0, NULL, &a, &tmev, &err) &&
		binlog_event_decode(&fmt, e2, elen2, 0, NULL, &a, &rev, &err) && rev.kind == BINLOG_KIND_ROWS)
	{
		BinlogTableMap *tm = binlog_table_map_copy(&tmev.u.table_map, &a);
		RowHint    *hints = NULL;

		if (data[0] & 0xf0)
		{
			hints = arena_alloc_array0(&a, tm->ncols, sizeof(RowHint));
			for (uint32_t i = 0; i < tm->ncols; i++)
			{
				hints[i].is_unsigned = (data[0] & 0x10) ? 1 : -1;
				hints[i].special = (uint8_t) ((data[0] >> 5) & 3) + (uint8_t) (i % 2);
				if (data[0] & 0x80)
				{
					hints[i].labels = labels;
					hints[i].nlabels = 8;
				}
			}
		}
		if (rowimage_decode(tm, &rev.u.rows, hints, &a, &rs, &rerr))
		{
			/* touch every value */
			volatile unsigned sum = 0;

			for (uint32_t r = 0; r < rs.nrows; r++)
				for (uint32_t c = 0; c < rs.ncols; c++)
				{
					if (rs.before && rs.before[r][c].kind == ROWVAL_TEXT && rs.before[r][c].len)
						sum += (unsigned char) rs.before[r][c].p[rs.before[r][c].len - 1];
					if (rs.after && rs.after[r][c].kind == ROWVAL_TEXT && rs.after[r][c].len)
						sum += (unsigned char) rs.after[r][c].p[rs.after[r][c].len - 1];
				}
			(void) sum;
		}
	}
	free(e1);
	free(e2);
	arena_free(&a);
	return 0;
}
