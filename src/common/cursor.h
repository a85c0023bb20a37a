/*
 * src/common/cursor.h
 *	  Bounds-checked readers over a byte range, for protocol decoders.
 *
 * Every read checks the remaining length first and returns false when the
 * input is short; nothing reads past `end`.  Decoders chain them:
 *
 *     if (!cur_u8(&c, &kind) || !cur_u32be(&c, &xid)) return DECODE_SHORT;
 *
 * Big-endian readers serve the PostgreSQL wire protocol; little-endian ones
 * (and the packed/length-encoded integers) serve the MySQL binlog.
 */
#ifndef GODWIT_COMMON_CURSOR_H
#define GODWIT_COMMON_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct Cursor
{
	const uint8_t *p;
	const uint8_t *end;
} Cursor;

static inline Cursor
cur_make(const void *data, size_t len)
{
	Cursor		c = {(const uint8_t *) data, (const uint8_t *) data + len};

	return c;
}

static inline size_t
cur_left(const Cursor *c)
{
	return (size_t) (c->end - c->p);
}

static inline bool
cur_skip(Cursor *c, size_t n)
{
	if (cur_left(c) < n)
		return false;
	c->p += n;
	return true;
}

/* Point *out at the next n bytes (no copy) and advance. */
static inline bool
cur_bytes(Cursor *c, size_t n, const uint8_t **out)
{
	if (cur_left(c) < n)
		return false;
	*out = c->p;
	c->p += n;
	return true;
}

/* Split off the next n bytes as a sub-cursor. */
static inline bool
cur_sub(Cursor *c, size_t n, Cursor *out)
{
	const uint8_t *p;

	if (!cur_bytes(c, n, &p))
		return false;
	*out = cur_make(p, n);
	return true;
}

static inline bool
cur_u8(Cursor *c, uint8_t *out)
{
	if (cur_left(c) < 1)
		return false;
	*out = *c->p++;
	return true;
}

/* ---- big-endian (PostgreSQL) ---- */

static inline bool
cur_u16be(Cursor *c, uint16_t *out)
{
	if (cur_left(c) < 2)
		return false;
	*out = (uint16_t) ((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	return true;
}

static inline bool
cur_u32be(Cursor *c, uint32_t *out)
{
	if (cur_left(c) < 4)
		return false;
	*out = ((uint32_t) c->p[0] << 24) | ((uint32_t) c->p[1] << 16) |
		((uint32_t) c->p[2] << 8) | (uint32_t) c->p[3];
	c->p += 4;
	return true;
}

static inline bool
cur_u64be(Cursor *c, uint64_t *out)
{
	uint64_t	v = 0;

	if (cur_left(c) < 8)
		return false;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | c->p[i];
	c->p += 8;
	*out = v;
	return true;
}

/* A NUL-terminated string; *out points into the buffer. */
static inline bool
cur_cstr(Cursor *c, const char **out, size_t *len)
{
	const uint8_t *nul = memchr(c->p, '\0', cur_left(c));

	if (nul == NULL)
		return false;
	*out = (const char *) c->p;
	if (len)
		*len = (size_t) (nul - c->p);
	c->p = nul + 1;
	return true;
}

/* ---- little-endian (MySQL) ---- */

static inline uint64_t
load_le(const uint8_t *p, int n)
{
	uint64_t	v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t
load_be(const uint8_t *p, int n)
{
	uint64_t	v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Read an n-byte (1..8) little-endian unsigned integer. */
static inline bool
cur_uleN(Cursor *c, int n, uint64_t *out)
{
	if (n < 1 || n > 8 || cur_left(c) < (size_t) n)
		return false;
	*out = load_le(c->p, n);
	c->p += n;
	return true;
}

static inline bool
cur_u16le(Cursor *c, uint16_t *out)
{
	uint64_t	v;

	if (!cur_uleN(c, 2, &v))
		return false;
	*out = (uint16_t) v;
	return true;
}

static inline bool
cur_u32le(Cursor *c, uint32_t *out)
{
	uint64_t	v;

	if (!cur_uleN(c, 4, &v))
		return false;
	*out = (uint32_t) v;
	return true;
}

static inline bool
cur_u64le(Cursor *c, uint64_t *out)
{
	return cur_uleN(c, 8, out);
}

/*
 * MySQL length-encoded integer: < 0xfb is the value itself; 0xfc + 2 bytes,
 * 0xfd + 3 bytes, 0xfe + 8 bytes.  0xfb (NULL in result rows) and 0xff are
 * rejected.
 */
static inline bool
cur_lenenc(Cursor *c, uint64_t *out)
{
	uint8_t		b;

	if (!cur_u8(c, &b))
		return false;
	if (b < 0xfb)
	{
		*out = b;
		return true;
	}
	switch (b)
	{
		case 0xfc:
			return cur_uleN(c, 2, out);
		case 0xfd:
			return cur_uleN(c, 3, out);
		case 0xfe:
			return cur_uleN(c, 8, out);
		default:
			return false;
	}
}

#endif
