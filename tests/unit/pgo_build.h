/*
 * tests/unit/pgo_build.h
 *	  Build pgoutput messages byte by byte for unit tests (big-endian, as on
 *	  the wire).  A Buf holds up to 4 KB; nothing checks the bound: tests
 *	  build small messages.
 */
#ifndef GODWIT_TESTS_PGO_BUILD_H
#define GODWIT_TESTS_PGO_BUILD_H

#include <stdint.h>
#include <string.h>

typedef struct Buf
{
	uint8_t		b[4096];
	size_t		n;
} Buf;

static inline void
u8(Buf *b, uint8_t v)
{
	b->b[b->n++] = v;
}

static inline void
u16(Buf *b, uint16_t v)
{
	u8(b, (uint8_t) (v >> 8));
	u8(b, (uint8_t) v);
}

static inline void
u32(Buf *b, uint32_t v)
{
	u16(b, (uint16_t) (v >> 16));
	u16(b, (uint16_t) v);
}

static inline void
u64(Buf *b, uint64_t v)
{
	u32(b, (uint32_t) (v >> 32));
	u32(b, (uint32_t) v);
}

/* A NUL-terminated string. */
static inline void
str(Buf *b, const char *s)
{
	size_t		n = strlen(s) + 1;

	memcpy(b->b + b->n, s, n);
	b->n += n;
}

/* A 't' column value of a TupleData. */
static inline void
text(Buf *b, const char *s)
{
	u8(b, 't');
	u32(b, (uint32_t) strlen(s));
	memcpy(b->b + b->n, s, strlen(s));
	b->n += strlen(s);
}

#endif
