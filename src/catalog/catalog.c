/*
 * src/catalog/catalog.c
 *	  Schema model storage (see catalog.h).
 */
#include "catalog/catalog.h"

#include <ctype.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"

void
catalog_init(Catalog *c, ConnEngine engine)
{
	memset(c, 0, sizeof(*c));
	arena_init(&c->arena, 256 * 1024);
	c->engine = engine;
}

void
catalog_free(Catalog *c)
{
	arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

/*
 * Arrays of the catalog grow by copying into the arena: the old block is
 * simply abandoned (it is freed with the arena).  Growth doubles, so the waste
 * is bounded by the final size.
 */
static void *
arena_grow(Arena *a, void *old, int n, int *cap, size_t elem)
{
	if (n < *cap)
		return old;
	int			ncap = *cap ? *cap * 2 : 16;
	void	   *p = arena_alloc_array0(a, (size_t) ncap, elem);

	if (old && n > 0)
		memcpy(p, old, (size_t) n * elem);
	*cap = ncap;
	return p;
}

Table *
catalog_add_table(Catalog *c, const char *schema, const char *name)
{
	Table	   *t = arena_new(&c->arena, Table);

	t->schema = arena_strdup(&c->arena, schema);
	t->name = arena_strdup(&c->arena, name);
	t->target_schema = t->schema;
	t->target_name = t->name;
	t->display = ident_display_name(&c->arena, schema, name);
	t->replica_identity = 'd';
	c->tables = arena_grow(&c->arena, c->tables, c->ntables, &c->cap_tables, sizeof(Table *));
	c->tables[c->ntables++] = t;
	return t;
}

Table *
catalog_find_table(const Catalog *c, const char *schema, const char *name)
{
	for (int i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i]->schema, schema) == 0 && strcmp(c->tables[i]->name, name) == 0)
			return c->tables[i];
	return NULL;
}

Column *
table_add_column(Catalog *c, Table *t, const char *name)
{
	/* columns are an arena array grown by copying (tables have few columns) */
	Column	   *cols = arena_alloc_array0(&c->arena, (size_t) t->ncolumns + 1, sizeof(Column));

	if (t->ncolumns)
		memcpy(cols, t->columns, sizeof(Column) * (size_t) t->ncolumns);
	t->columns = cols;
	Column	   *col = &t->columns[t->ncolumns++];

	col->name = arena_strdup(&c->arena, name);
	col->ordinal = t->ncolumns;
	col->length = -1;
	col->precision = -1;
	col->scale = -1;
	col->fsp = -1;
	col->nullable = true;
	return col;
}

int
table_column_index(const Table *t, const char *name)
{
	for (int i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return i;
	return -1;
}

Sequence *
catalog_add_sequence(Catalog *c, const char *schema, const char *name)
{
	c->sequences = arena_grow(&c->arena, c->sequences, c->nsequences, &c->cap_sequences,
							  sizeof(Sequence));
	Sequence   *s = &c->sequences[c->nsequences++];

	s->schema = arena_strdup(&c->arena, schema);
	s->name = arena_strdup(&c->arena, name);
	s->target_schema = s->schema;
	s->target_name = s->name;
	s->increment = 1;
	return s;
}

EnumType *
catalog_add_enum(Catalog *c, const char *schema, const char *name)
{
	c->enums = arena_grow(&c->arena, c->enums, c->nenums, &c->cap_enums, sizeof(EnumType));
	EnumType   *e = &c->enums[c->nenums++];

	e->schema = arena_strdup(&c->arena, schema);
	e->name = arena_strdup(&c->arena, name);
	return e;
}

/* An identifier needs quotes unless it is lower-case ASCII letters, digits, _. */
static bool
ident_needs_quotes(const char *s)
{
	if (!(islower((unsigned char) s[0]) || s[0] == '_'))
		return true;
	for (; *s; s++)
		if (!(islower((unsigned char) *s) || isdigit((unsigned char) *s) || *s == '_'))
			return true;
	return false;
}

char *
ident_display_name(Arena *a, const char *schema, const char *name)
{
	StrBuf		b;
	char	   *r;

	sb_init(&b, 0);
	if (schema && schema[0])
	{
		if (ident_needs_quotes(schema))
			sb_append_ident(&b, schema);
		else
			sb_append(&b, schema);
		sb_appendc(&b, '.');
	}
	if (ident_needs_quotes(name))
		sb_append_ident(&b, name);
	else
		sb_append(&b, name);
	r = arena_strdup(a, b.data);
	sb_free(&b);
	return r;
}
