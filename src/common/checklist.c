/*
 * src/common/checklist.c
 *	  Preflight report model and rendering (see checklist.h).
 */
#include "common/checklist.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/mem.h"

static const char *const status_names[] = {"OK", "WARN", "FAIL"};

void
checklist_init(CheckList *cl)
{
	memset(cl, 0, sizeof(*cl));
}

void
checklist_free(CheckList *cl)
{
	for (size_t i = 0; i < cl->n; i++)
	{
		free(cl->items[i].scope);
		free(cl->items[i].name);
		free(cl->items[i].message);
		free(cl->items[i].hint);
	}
	free(cl->items);
	checklist_init(cl);
}

void
checklist_add(CheckList *cl, const char *scope, const char *name, CheckStatus status,
			  const char *hint, const char *fmt, ...)
{
	va_list		ap;
	CheckItem  *it;

	gw_array_grow(cl->items, cl->cap, cl->n + 1);
	it = &cl->items[cl->n++];
	it->scope = gw_strdup(scope);
	it->name = gw_strdup(name);
	it->status = status;
	va_start(ap, fmt);
	it->message = gw_vasprintf(fmt, ap);
	va_end(ap);
	it->hint = hint ? gw_strdup(hint) : NULL;
}

int
checklist_count(const CheckList *cl, CheckStatus status)
{
	int			n = 0;

	for (size_t i = 0; i < cl->n; i++)
		n += cl->items[i].status == status;
	return n;
}

const CheckItem *
checklist_find(const CheckList *cl, const char *scope, const char *name)
{
	for (size_t i = 0; i < cl->n; i++)
		if (strcmp(cl->items[i].scope, scope) == 0 && strcmp(cl->items[i].name, name) == 0)
			return &cl->items[i];
	return NULL;
}

void
checklist_print_text(const CheckList *cl, FILE *out, bool color)
{
	static const char *const colors[] = {"\033[32m", "\033[33m", "\033[31m"};
	const char *scope = NULL;

	for (size_t i = 0; i < cl->n; i++)
	{
		const CheckItem *it = &cl->items[i];

		if (scope == NULL || strcmp(scope, it->scope) != 0)
		{
			fprintf(out, "%s%s\n", scope ? "\n" : "", it->scope);
			scope = it->scope;
		}
		fprintf(out, "  %s%-4s%s  %-24s %s\n", color ? colors[it->status] : "",
				status_names[it->status], color ? "\033[0m" : "", it->name, it->message);
		if (it->hint && it->status != CHECK_OK)
			fprintf(out, "        %-24s hint: %s\n", "", it->hint);
	}
	int			fails = checklist_count(cl, CHECK_FAIL);
	int			warns = checklist_count(cl, CHECK_WARN);

	fprintf(out, "\n%d ok, %d warning%s, %d failure%s: %s\n",
			checklist_count(cl, CHECK_OK), warns, warns == 1 ? "" : "s", fails,
			fails == 1 ? "" : "s",
			fails ? "fix the failures before migrating" : "ready to migrate");
}

void
checklist_print_json(const CheckList *cl, FILE *out)
{
	StrBuf		b;
	JsonWriter	w;

	sb_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "type", "check");
	jw_kv_bool(&w, "ready", checklist_count(cl, CHECK_FAIL) == 0);
	jw_kv_int(&w, "num_ok", checklist_count(cl, CHECK_OK));
	jw_kv_int(&w, "num_warn", checklist_count(cl, CHECK_WARN));
	jw_kv_int(&w, "num_fail", checklist_count(cl, CHECK_FAIL));
	jw_key(&w, "items");
	jw_array_begin(&w);
	for (size_t i = 0; i < cl->n; i++)
	{
		const CheckItem *it = &cl->items[i];

		jw_object_begin(&w);
		jw_kv_string(&w, "scope", it->scope);
		jw_kv_string(&w, "name", it->name);
		jw_kv_string(&w, "status", status_names[it->status]);
		jw_kv_string(&w, "message", it->message);
		if (it->hint)
			jw_kv_string(&w, "hint", it->hint);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	fprintf(out, "%s\n", b.data);
	sb_free(&b);
}
