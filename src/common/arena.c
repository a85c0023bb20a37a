/*
 * src/common/arena.c
 *	  Region allocator (see arena.h).
 */
#include "common/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

struct ArenaBlock
{
	ArenaBlock *next;
	size_t		size;			/* usable bytes after the header */
	size_t		used;
	max_align_t data[];
};

#define ARENA_ALIGN			(sizeof(max_align_t))
#define ARENA_SPARE_MAX		(2)		/* blocks kept across resets: reuse without hoarding */

void
arena_init(Arena *a, size_t block_size)
{
	memset(a, 0, sizeof(*a));
	a->block_size = block_size ? block_size : 64 * 1024;
}

static ArenaBlock *
arena_block_new(Arena *a, size_t need)
{
	ArenaBlock *b = NULL;
	size_t		size = need > a->block_size ? need : a->block_size;

	/* reuse a spare block if one is big enough */
	for (ArenaBlock **pp = &a->spare; *pp; pp = &(*pp)->next)
	{
		if ((*pp)->size >= need)
		{
			b = *pp;
			*pp = b->next;
			break;
		}
	}
	if (b == NULL)
	{
		b = gw_malloc(sizeof(ArenaBlock) + size);
		b->size = size;
	}
	b->used = 0;
	b->next = a->head;
	a->head = b;
	return b;
}

void *
arena_alloc(Arena *a, size_t size)
{
	ArenaBlock *b = a->head;
	size_t		aligned;

	if (size > SIZE_MAX - ARENA_ALIGN)
		size = SIZE_MAX - ARENA_ALIGN;	/* gw_malloc will abort */
	aligned = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (aligned == 0)
		aligned = ARENA_ALIGN;
	if (b == NULL || b->size - b->used < aligned)
		b = arena_block_new(a, aligned);
	void	   *p = (char *) b->data + b->used;

	b->used += aligned;
	a->used += aligned;
	return p;
}

void *
arena_alloc0(Arena *a, size_t size)
{
	void	   *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

void *
arena_alloc_array0(Arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return gw_malloc(SIZE_MAX);		/* aborts with a message */
	return arena_alloc0(a, n * size);
}

char *
arena_strndup(Arena *a, const char *s, size_t n)
{
	char	   *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(Arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void *
arena_memdup(Arena *a, const void *p, size_t n)
{
	void	   *q = arena_alloc(a, n);

	if (n)
		memcpy(q, p, n);
	return q;
}

char *
arena_sprintf(Arena *a, const char *fmt, ...)
{
	va_list		ap;
	int			n;
	char	   *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	p = arena_alloc(a, (size_t) n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_reset(Arena *a)
{
	int			nspare = 0;

	for (ArenaBlock *b = a->spare; b; b = b->next)
		nspare++;
	while (a->head)
	{
		ArenaBlock *b = a->head;

		a->head = b->next;
		if (nspare < ARENA_SPARE_MAX && b->size <= a->block_size * 4)
		{
			b->next = a->spare;
			a->spare = b;
			nspare++;
		}
		else
			free(b);
	}
	a->used = 0;
}

void
arena_free(Arena *a)
{
	arena_reset(a);
	while (a->spare)
	{
		ArenaBlock *b = a->spare;

		a->spare = b->next;
		free(b);
	}
}
