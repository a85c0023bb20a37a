/*
 * src/common/arena.h
 *	  Region allocator for one unit of work (a decoded source transaction, a
 *	  copy batch, a catalog).
 *
 * Allocations are freed all at once by arena_reset() or arena_free().  Blocks
 * are kept by arena_reset() (up to a retained cap) so a loop that resets its
 * arena per iteration does not call malloc in steady state.
 */
#ifndef GODWIT_COMMON_ARENA_H
#define GODWIT_COMMON_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena
{
	ArenaBlock *head;			/* block being filled */
	ArenaBlock *spare;			/* blocks kept by arena_reset */
	size_t		block_size;		/* default block size */
	size_t		used;			/* bytes handed out since the last reset */
} Arena;

void		arena_init(Arena *a, size_t block_size);
void	   *arena_alloc(Arena *a, size_t size);
void	   *arena_alloc0(Arena *a, size_t size);
char	   *arena_strdup(Arena *a, const char *s);
char	   *arena_strndup(Arena *a, const char *s, size_t n);
void	   *arena_memdup(Arena *a, const void *p, size_t n);
char	   *arena_sprintf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void		arena_reset(Arena *a);
void		arena_free(Arena *a);

#define arena_new(a, type)          ((type *) arena_alloc0((a), sizeof(type)))
#define arena_new_array(a, type, n) ((type *) arena_alloc_array0((a), (n), sizeof(type)))
void	   *arena_alloc_array0(Arena *a, size_t n, size_t size);

#endif
