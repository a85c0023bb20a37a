/*
 * src/common/mem.h
 *	  Allocation wrappers that never return NULL, and overflow-checked arrays.
 *
 * Every allocation in godwit goes through these: on out-of-memory they print one
 * line and abort (there is nothing sensible a migration can do without memory,
 * and an abort leaves the target consistent because all state lives in target
 * transactions).  gw_malloc_array checks n * size for overflow.
 */
#ifndef GODWIT_COMMON_MEM_H
#define GODWIT_COMMON_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *gw_malloc(size_t size);
void *gw_malloc0(size_t size);
void *gw_realloc(void *ptr, size_t size);
void *gw_calloc_array(size_t n, size_t size);
void *gw_realloc_array(void *ptr, size_t n, size_t size);
char *gw_strdup(const char *s);
char *gw_strndup(const char *s, size_t n);
char *gw_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *gw_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Typed helpers: zeroed object / zeroed array of n objects. */
#define gw_new(type)          ((type *) gw_malloc0(sizeof(type)))
#define gw_new_array(type, n) ((type *) gw_calloc_array((n), sizeof(type)))

/* Grow *arr (of *cap elements) so that it holds at least need elements. */
#define gw_array_grow(arr, cap, need)                                         \
	do {                                                                      \
		if ((size_t) (need) > (size_t) (cap))                                 \
		{                                                                     \
			size_t gw_newcap_ = (cap) ? (size_t) (cap) * 2 : 8;               \
			while (gw_newcap_ < (size_t) (need))                              \
				gw_newcap_ *= 2;                                              \
			(arr) = gw_realloc_array((arr), gw_newcap_, sizeof(*(arr)));      \
			(cap) = gw_newcap_;                                               \
		}                                                                     \
	} while (0)

#endif
