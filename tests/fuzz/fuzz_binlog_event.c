/*
 * tests/fuzz/fuzz_binlog_event.c
 *	  libFuzzer entry point for the binlog event decoder (binlog_event.c), and
 *	  through it the TRANSACTION_PAYLOAD iterator, MariaDB compressed events,
 *	  TABLE_MAP optional metadata and the row-image decoder (rows of events
 *	  whose TABLE_MAP came earlier in the input).
 *
 * Input: 1 flags byte, then binlog events back to back (no file magic):
 *   bit 0  the format before any FORMAT_DESCRIPTION is MariaDB's
 *   bit 1  ... and uses CRC32 (else no checksum)
 *   bit 2  do not verify CRC32 trailers (reach the decoders behind them)
 * Built as a real fuzzer with -Dfuzzers=true (clang) and always as the
 * replay_binlog_event test over tests/fuzz/corpus/binlog_event/.
 */
#include <stddef.h>
#include <stdint.h>

#include "binlog_walk.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch_cb(void *ctx, const BinlogWalkEvent *we)
{
	StrBuf	   *sb = ctx;

	/* render the event: reads every decoded field and string */
	sb_reset(sb);
	binlog_walk_print(sb, we);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	BinlogFormat fmt;
	BinlogWalkResult res;
	StrBuf		sb;

	if (size < 1)
		return 0;
	binlog_format_init(&fmt, data[0] & 1, (data[0] & 2) ? BINLOG_CHECKSUM_CRC32 : BINLOG_CHECKSUM_NONE);
	sb_init(&sb, 1 << 24);
	binlog_walk_opts(data + 1, size - 1, false, &fmt, (data[0] & 4) ? BINLOG_DECODE_SKIP_VERIFY : 0, touch_cb,
					 &sb, &res);
	sb_free(&sb);
	return 0;
}
