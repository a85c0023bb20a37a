/*
 * src/common/mem.c
 *	  Allocation wrappers: abort on out-of-memory, check array size overflow.
 */
#include "common/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
mem_out_of_memory(size_t size)
{
	fprintf(stderr, "godwit: out of memory (could not allocate %zu bytes)\n", size);
	abort();
}

void *
gw_malloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		mem_out_of_memory(size);
	return p;
}

void *
gw_malloc0(size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	if (p == NULL)
		mem_out_of_memory(size);
	return p;
}

void *
gw_realloc(void *ptr, size_t size)
{
	void	   *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		mem_out_of_memory(size);
	return p;
}

void *
gw_calloc_array(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		mem_out_of_memory(SIZE_MAX);
	return gw_malloc0(n * size);
}

void *
gw_realloc_array(void *ptr, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		mem_out_of_memory(SIZE_MAX);
	return gw_realloc(ptr, n * size);
}

char *
gw_strdup(const char *s)
{
	return gw_strndup(s, strlen(s));
}

char *
gw_strndup(const char *s, size_t n)
{
	char	   *p = gw_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
gw_vasprintf(const char *fmt, va_list ap)
{
	va_list		ap2;
	int			n;
	char	   *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		mem_out_of_memory(0);
	p = gw_malloc((size_t) n + 1);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	return p;
}

char *
gw_asprintf(const char *fmt, ...)
{
	va_list		ap;
	char	   *p;

	va_start(ap, fmt);
	p = gw_vasprintf(fmt, ap);
	va_end(ap);
	return p;
}
