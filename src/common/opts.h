/*
 * src/common/opts.h
 *	  Range-checked parsers for option values: integers, sizes, durations,
 *	  booleans.  LSNs and GTIDs have their own parsers (lsn.h, gtid.h).
 *
 * Each returns false on malformed or out-of-range input and never logs; the
 * option layer (cli/options.c) reports which option was wrong.
 */
#ifndef GODWIT_COMMON_OPTS_H
#define GODWIT_COMMON_OPTS_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal integer in [min, max]; no trailing garbage. */
bool		opt_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* "123", "64kB", "16MB", "1GiB", "2G" (powers of 1024; B optional). */
bool		opt_parse_size(const char *s, uint64_t *out);
/* "0", "250ms", "5s", "2m", "1h30m", "1.5s"; a bare number means seconds. */
bool		opt_parse_duration(const char *s, int64_t *out_us);
/* true/false, on/off, yes/no, 1/0. */
bool		opt_parse_bool(const char *s, bool *out);

#endif
