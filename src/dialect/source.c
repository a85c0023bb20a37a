/*
 * src/dialect/source.c
 *	  Pick the source driver for a URL (see source.h).
 */
#include "dialect/source.h"

#include <stdlib.h>
#include <string.h>

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
