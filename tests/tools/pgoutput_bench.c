/*
 * tests/tools/pgoutput_bench.c
 *	  Measure pgoutput decode throughput on a captured stream.
 *
 *   pgoutput_bench FILE [SECONDS]
 *
 * FILE holds messages as records of Int32 (big-endian) length + the bare
 * pgoutput message (tests/tools/pgoutput_bench.sh captures one from a live
 * server).  Every message is decoded (protocol 1) over and over for SECONDS
 * (default 3); prints MB/s and messages/s of decoded input.  Exit 1 if any
 * message fails to decode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/cursor.h"
#include "common/timeutil.h"
#include "dialect/pg/pgoutput.h"

int
main(int argc, char **argv)
{
	FILE	   *f;
	uint8_t    *data;
	long		size;
	double		seconds = argc > 2 ? strtod(argv[2], NULL) : 3;

	if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL)
	{
		fprintf(stderr, "usage: pgoutput_bench FILE [SECONDS]\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc((size_t) size + 1);
	if (fread(data, 1, (size_t) size, f) != (size_t) size)
		return 2;
	fclose(f);

	PgoDecodeOptions opt = {.proto_version = 1};
	Arena		a;
	int64_t		t0 = time_mono_us(),
				elapsed;
	uint64_t	bytes = 0,
				msgs = 0,
				values = 0;

	arena_init(&a, 64 * 1024);
	do
	{
		Cursor		c = cur_make(data, (size_t) size);
		uint32_t	len;
		const uint8_t *msg;

		while (cur_u32be(&c, &len) && cur_bytes(&c, len, &msg))
		{
			PgoMsg		m;
			PgoError	e;

			if (!pgoutput_decode_message(msg, len, &opt, &a, &m, &e))
			{
				fprintf(stderr, "message %llu: %s at %zu\n", (unsigned long long) msgs,
						pgoutput_error_text(e.code), e.offset);
				return 1;
			}
			if (m.type == PGO_MSG_INSERT || m.type == PGO_MSG_UPDATE)
				values += (uint64_t) m.u.row.new_tuple.ncols;
			arena_reset(&a);
			bytes += len;
			msgs++;
		}
		elapsed = time_mono_us() - t0;
	} while (elapsed < (int64_t) (seconds * 1e6));
	printf("decoded %llu messages, %.1f MB in %.2f s: %.0f MB/s, %.2f M messages/s, %.1f M values/s\n",
		   (unsigned long long) msgs, bytes / 1e6, elapsed / 1e6, bytes / (double) elapsed,
		   msgs / (double) elapsed, values / (double) elapsed);
	arena_free(&a);
	free(data);
	return 0;
}
