/*
 * src/dialect/source.h
 *	  The seam between the core and a source engine.
 *
 * Each engine driver (dialect/pg, dialect/mysql; later Oracle) exports one
 * SourceOps table and nothing else the core may call.  The core holds a
 * Source *, whose first member is its ops table, and calls through it:
 *
 *     Source *src = source_open(&url);
 *     src->ops->check(src, &opts, &report);
 *
 * An Oracle driver would add a third table here: the core does not change.
 */
#ifndef GODWIT_DIALECT_SOURCE_H
#define GODWIT_DIALECT_SOURCE_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "catalog/filter.h"
#include "common/checklist.h"
#include "common/url.h"

typedef struct SourceOps SourceOps;

typedef struct Source
{
	const SourceOps *ops;
	const ConnUrl *url;			/* borrowed; outlives the Source */
	char	   *server;			/* "PostgreSQL 15.18", "MariaDB 10.11.19" */
} Source;

typedef struct SourceCheckOptions
{
	const TableFilter *filter;
	bool		allow_no_pk;	/* tables without a primary key are a warning */
	bool		no_replication; /* bulk copy only: replication settings are not needed */
	TargetDialect target;		/* for "types the target lacks" */
} SourceCheckOptions;

struct SourceOps
{
	const char *engine;			/* "postgres", "mysql" */

	/* Connect a control connection.  NULL on error (logged). */
	Source	   *(*open) (const ConnUrl *url);
	void		(*close) (Source *src);

	/* Preflight: append one item per check to out.  Never fails hard. */
	void		(*check) (Source *src, const SourceCheckOptions *opts, CheckList *out);
};

extern const SourceOps source_ops_postgres;
extern const SourceOps source_ops_mysql;

/* Open a source with the driver for url->engine.  NULL on error (logged). */
Source	   *source_open(const ConnUrl *url);
void		source_close(Source *src);

#endif
