/*
 * src/catalog/catalog.c
 *	  Schema model storage (see catalog.h).
 */
#include "catalog/catalog.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
	col->target_name = col->name;
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

	memset(s, 0, sizeof(*s));
	s->schema = arena_strdup(&c->arena, schema);
	s->name = arena_strdup(&c->arena, name);
	s->target_schema = s->schema;
	s->target_name = s->name;
	s->increment = 1;
	s->start_value = 1;
	s->min_value = 1;
	s->max_value = INT64_MAX;
	s->data_type = "bigint";
	return s;
}

EnumType *
catalog_add_enum(Catalog *c, const char *schema, const char *name)
{
	c->enums = arena_grow(&c->arena, c->enums, c->nenums, &c->cap_enums, sizeof(EnumType));
	EnumType   *e = &c->enums[c->nenums++];

	memset(e, 0, sizeof(*e));
	e->schema = arena_strdup(&c->arena, schema);
	e->name = arena_strdup(&c->arena, name);
	e->target_schema = e->schema;
	e->target_name = e->name;
	return e;
}

UserType *
catalog_add_type(Catalog *c, UserTypeKind kind, const char *schema, const char *name)
{
	c->types = arena_grow(&c->arena, c->types, c->ntypes, &c->cap_types, sizeof(UserType));
	UserType   *u = &c->types[c->ntypes++];

	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->schema = arena_strdup(&c->arena, schema);
	u->name = arena_strdup(&c->arena, name);
	return u;
}

Table *
catalog_find_table_oid(const Catalog *c, uint32_t oid)
{
	for (int i = 0; i < c->ntables; i++)
		if (c->tables[i]->oid == oid)
			return c->tables[i];
	return NULL;
}

EnumType *
catalog_find_enum_oid(const Catalog *c, uint32_t oid)
{
	for (int i = 0; i < c->nenums; i++)
		if (c->enums[i].oid == oid)
			return &c->enums[i];
	return NULL;
}

UserType *
catalog_find_type_oid(const Catalog *c, uint32_t oid)
{
	for (int i = 0; i < c->ntypes; i++)
		if (c->types[i].oid == oid)
			return &c->types[i];
	return NULL;
}

static int
table_cmp(const void *a, const void *b)
{
	const Table *x = *(const Table *const *) a;
	const Table *y = *(const Table *const *) b;
	int			r = strcmp(x->schema, y->schema);

	return r ? r : strcmp(x->name, y->name);
}

static int
sequence_cmp(const void *a, const void *b)
{
	const Sequence *x = a;
	const Sequence *y = b;
	int			r = strcmp(x->schema, y->schema);

	return r ? r : strcmp(x->name, y->name);
}

void
catalog_sort_tables(Catalog *c)
{
	if (c->ntables > 1)
		qsort(c->tables, (size_t) c->ntables, sizeof(Table *), table_cmp);
	if (c->nsequences > 1)
		qsort(c->sequences, (size_t) c->nsequences, sizeof(Sequence), sequence_cmp);
}

void
catalog_add_issue(Catalog *c, IssueLevel level, IssueKind kind, const char *object,
				  const char *hint, const char *fmt, ...)
{
	va_list		ap;
	char	   *msg;

	c->issues = arena_grow(&c->arena, c->issues, c->nissues, &c->cap_issues, sizeof(SchemaIssue));
	SchemaIssue *is = &c->issues[c->nissues++];

	va_start(ap, fmt);
	msg = gw_vasprintf(fmt, ap);
	va_end(ap);
	is->level = level;
	is->kind = kind;
	is->object = object ? arena_strdup(&c->arena, object) : NULL;
	is->message = arena_strdup(&c->arena, msg);
	is->hint = hint ? arena_strdup(&c->arena, hint) : NULL;
	free(msg);
}

int
catalog_count_issues(const Catalog *c, IssueLevel level, int kind)
{
	int			n = 0;

	for (int i = 0; i < c->nissues; i++)
		if (c->issues[i].level == level && (kind < 0 || (int) c->issues[i].kind == kind))
			n++;
	return n;
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

char *
column_display_name(Arena *a, const Table *t, const Column *col)
{
	StrBuf		b;
	char	   *r;

	sb_init(&b, 0);
	sb_append(&b, t->display);
	sb_appendc(&b, '.');
	if (ident_needs_quotes(col->name))
		sb_append_ident(&b, col->name);
	else
		sb_append(&b, col->name);
	r = arena_strdup(a, b.data);
	sb_free(&b);
	return r;
}

void
nameset_add(NameSet *s, const char *name)
{
	gw_array_grow(s->names, s->cap, s->n + 1);
	s->names[s->n++] = name;
}

bool
nameset_has(const NameSet *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return true;
	return false;
}

void
nameset_free(NameSet *s)
{
	free(s->names);
	memset(s, 0, sizeof(*s));
}

/* Length of s cut to at most max bytes without splitting a UTF-8 character. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t		n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

char *
catalog_unique_ident(Catalog *c, NameSet *taken, const char *base)
{
	char	   *name = arena_strndup(&c->arena, base, utf8_cut(base, IDENT_MAX_BYTES));

	for (int k = 2; nameset_has(taken, name); k++)
	{
		char		suffix[16];
		int			slen = snprintf(suffix, sizeof(suffix), "_%d", k);
		size_t		keep = utf8_cut(base, IDENT_MAX_BYTES - (size_t) slen);

		name = arena_sprintf(&c->arena, "%.*s%s", (int) keep, base, suffix);
	}
	nameset_add(taken, name);
	return name;
}

char *
catalog_fit_ident(Catalog *c, const char *name)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */

	if (strlen(name) <= IDENT_MAX_BYTES)
		return (char *) name;
	for (const unsigned char *p = (const unsigned char *) name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return arena_sprintf(&c->arena, "%.*s_%08x", (int) utf8_cut(name, IDENT_MAX_BYTES - 9), name, h);
}
