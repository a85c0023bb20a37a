/*
 * tests/tools/binlog_dump.c
 *	  Print every event of a binlog file as stable text, rows decoded by
 *	  rowimage.c (a test and debugging aid; not shipped).
 *
 *   binlog_dump FILE
 *
 * Exit status: 0 when the whole file decodes, 1 at the first error (printed
 * on stderr after the events decoded so far), 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "binlog_walk.h"

int
main(int argc, char **argv)
{
	size_t		len;
	uint8_t    *buf;
	StrBuf		out;
	BinlogWalkResult res;
	bool		ok;

	if (argc != 2)
	{
		fprintf(stderr, "usage: binlog_dump FILE\n");
		return 2;
	}
	buf = binlog_read_file(argv[1], &len);
	if (!buf)
	{
		perror(argv[1]);
		return 2;
	}
	sb_init(&out, 0);
	ok = binlog_walk(buf, len, true, NULL, binlog_walk_print, &out, &res);
	fwrite(out.data, 1, out.len, stdout);
	if (!ok)
		fprintf(stderr, "binlog_dump: %s\n", res.message);
	else
		fprintf(stderr, "binlog_dump: %d events, %d rows events, %d rows, %d values\n", res.events,
				res.row_events, res.rows, res.values);
	sb_free(&out);
	free(buf);
	return ok ? 0 : 1;
}
