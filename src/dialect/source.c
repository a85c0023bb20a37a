/*
 * src/dialect/source.c
 *	  Pick the source driver for a URL (see source.h).
 */
#include "dialect/source.h"

#include <stdlib.h>
#include <string.h>
#include "catalog/typemap.h"
#include "common/strbuf.h"

Source *
source_open(const ConnUrl *url)
{
	const SourceOps *ops = url->engine == ENGINE_MYSQL ? &source_ops_mysql : &source_ops_postgres;

	return ops->open(url);
}

void
source_close(Source *src)
{
	if (src)
		src->ops->close(src);
}

void
shard_plan_free(ShardPlan *p)
{
	for (int i = 0; i < p->nranges; i++)
	{
		free(p->ranges[i].lo);
		free(p->ranges[i].hi);
	}
	free(p->ranges);
	memset(p, 0, sizeof(*p));
}

/* Up to 3 issue messages of kind and level, then "and N more"; returns the count. */
static int
list_issues(const Catalog *c, IssueLevel level, StrBuf *out, const char **hint)
{
	int			n = 0;

	for (int i = 0; i < c->nissues; i++)
	{
		const SchemaIssue *is = &c->issues[i];

		if (is->kind != ISSUE_COLUMN_TYPE || is->level != level)
			continue;
		if (n < 3)
			sb_appendf(out, "%s%s", n ? "; " : "", is->message);
		if (n == 0 && hint)
			*hint = is->hint;
		n++;
	}
	if (n > 3)
		sb_appendf(out, "; and %d more", n - 3);
	return n;
}

void
source_check_column_types(Source *src, const SourceCheckOptions *opts, CheckList *out)
{
	const char *dialect = opts->target == TARGET_COCKROACH ? "CockroachDB" : "PostgreSQL";
	TypeMapOptions tm;
	Catalog		cat;
	StrBuf		msg;
	const char *hint = NULL;
	int			n;

	catalog_init(&cat, src->url->engine);
	if (!src->ops->read_catalog(src, opts->filter, &cat))
	{
		checklist_add(out, "source", "column_types", CHECK_FAIL, NULL,
					  "could not read the source catalog (see the error above)");
		catalog_free(&cat);
		return;
	}
	typemap_options_init(&tm, opts->target);
	typemap_apply(&cat, &tm);
	sb_init(&msg, 0);
	if ((n = list_issues(&cat, ISSUE_FAIL, &msg, &hint)) > 0)
		checklist_add(out, "source", "column_types", CHECK_FAIL,
					  hint ? hint : "map the columns with --type-map-file or exclude their tables",
					  "%d column%s cannot be migrated to %s: %s", n, n == 1 ? "" : "s", dialect, msg.data);
	else if ((n = list_issues(&cat, ISSUE_WARN, &msg, NULL)) > 0)
		checklist_add(out, "source", "column_types", CHECK_WARN,
					  "check the fallbacks in docs/type-mapping.md; --type-map-file chooses others",
					  "%d column%s take a fallback type on %s: %s", n, n == 1 ? "" : "s", dialect, msg.data);
	else
		checklist_add(out, "source", "column_types", CHECK_OK, NULL, "every column type maps to %s", dialect);
	sb_free(&msg);
	catalog_free(&cat);
}
