/*
 * src/catalog/change.c
 *	  Change batches (see change.h).
 */
#include "catalog/change.h"

#include <string.h>

#include "common/mem.h"

void
change_batch_init(ChangeBatch *b)
{
	memset(b, 0, sizeof(*b));
	arena_init(&b->arena, 8 * 1024);
}

void
change_batch_reset(ChangeBatch *b)
{
	arena_reset(&b->arena);
	memset(&b->txn, 0, sizeof(b->txn));
	b->first_index = 0;
	b->is_last = false;
	b->changes = NULL;
	b->nchanges = 0;
	b->cap = 0;
	b->bytes = 0;
}

void
change_batch_free(ChangeBatch *b)
{
	arena_free(&b->arena);
	memset(b, 0, sizeof(*b));
}

Change *
change_batch_add(ChangeBatch *b, ChangeOp op, Table *t)
{
	if (b->nchanges == b->cap)
	{
		int			ncap = b->cap ? b->cap * 2 : 64;
		Change	   *n = arena_alloc_array0(&b->arena, (size_t) ncap, sizeof(Change));

		if (b->nchanges)
			memcpy(n, b->changes, sizeof(Change) * (size_t) b->nchanges);
		b->changes = n;
		b->cap = ncap;
	}
	Change	   *c = &b->changes[b->nchanges++];

	memset(c, 0, sizeof(*c));
	c->op = op;
	c->table = t;
	b->bytes += 32;
	return c;
}

Datum *
change_batch_datums(ChangeBatch *b, int n)
{
	b->bytes += (int64_t) n * (int64_t) sizeof(Datum);
	return arena_alloc_array0(&b->arena, (size_t) (n > 0 ? n : 1), sizeof(Datum));
}

void
datum_set_text(ChangeBatch *b, Datum *d, const char *val, size_t len)
{
	char	   *copy = arena_alloc(&b->arena, len + 1);

	memcpy(copy, val, len);
	copy[len] = '\0';			/* libpq takes text parameters as C strings */
	d->kind = DATUM_TEXT;
	d->len = (uint32_t) len;
	d->val = copy;
	b->bytes += (int64_t) len;
}
