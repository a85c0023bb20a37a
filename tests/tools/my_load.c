/*
 * tests/tools/my_load.c
 *	  A minimal MySQL/MariaDB -> PostgreSQL loader for tests, standing in for
 *	  godwit fetch from MySQL until that exists: the schema step exactly as
 *	  fetch runs it (schema_load + schema_apply: same tables, target names
 *	  and types), then every table's rows read with SELECT and converted by
 *	  myconv_value (the converter fetch and replication share), loaded with
 *	  COPY, then the deferred objects (primary keys first) created by
 *	  schema_finalize.  No snapshot, no shards, no resume: the source must be quiet.
 *	  Test tool, not shipped.
 *
 *   my_load --source mysql://... --target postgres://... [--allow-no-pk]
 *           [--schema-filter RE] [--table-filter RE] [--zero-dates null|error]
 *           [--type-map-file FILE] [--tinyint1-as boolean|smallint]
 *           [--truncate]    existing target tables are emptied first
 *
 * Exit: 0 loaded, 1 usage, 3 error (logged).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/filter.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/url.h"
#include "core/schema.h"
#include "dialect/mysql/myconv.h"
#include "dialect/source.h"
#include "dialect/target.h"
#include "dialect/target_copy.h"

typedef struct LoadSink
{
	const Table *t;
	TargetCopy *tc;
	StrBuf		line;
	bool		failed;
} LoadSink;

static bool
load_row(void *arg, const VerifyRow *row)
{
	LoadSink   *ls = arg;
	int			n = 0;

	sb_reset(&ls->line);
	for (int i = 0; i < ls->t->ncolumns; i++)
	{
		if (ls->t->columns[i].skip)
			continue;
		if (n++)
			sb_appendc(&ls->line, '\t');
		if (row->errs[i])
		{
			log_error("%s: %s", ls->t->display, row->errs[i]);
			ls->failed = true;
			return false;
		}
		if (row->vals[i] == NULL)
			myconv_copy_null(&ls->line);
		else
			myconv_copy_escape(&ls->line, row->vals[i], row->lens[i]);
	}
	sb_appendc(&ls->line, '\n');
	return target_copy_write(ls->tc, ls->line.data, ls->line.len);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"source", required_argument, NULL, 's'},
		{"target", required_argument, NULL, 't'},
		{"allow-no-pk", no_argument, NULL, 'a'},
		{"schema-filter", required_argument, NULL, 'S'},
		{"table-filter", required_argument, NULL, 'T'},
		{"zero-dates", required_argument, NULL, 'z'},
		{"type-map-file", required_argument, NULL, 'm'},
		{"tinyint1-as", required_argument, NULL, 'b'},
		{"truncate", no_argument, NULL, 'x'},
		{NULL, 0, NULL, 0}
	};
	const char *source = NULL,
			   *target = NULL,
			   *schema_re = NULL,
			   *table_re = NULL;
	ConnUrl		su = {0},
				tu = {0};
	SchemaOptions so;
	TableFilter filter;
	TypeOverrides overrides = {0};
	Source	   *src = NULL;
	PgConn		tgt = {0};
	Catalog		cat = {0};
	VerifyReader *r = NULL;
	int			rc = 3,
				c;
	char		err[256];

	log_init(LOG_WARN, LOG_FORMAT_TEXT);
	schema_options_init(&so);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 's':
				source = optarg;
				break;
			case 't':
				target = optarg;
				break;
			case 'a':
				so.allow_no_pk = true;
				break;
			case 'S':
				schema_re = optarg;
				break;
			case 'T':
				table_re = optarg;
				break;
			case 'm':
				if (!typemap_overrides_load(optarg, &overrides))
					return 1;
				so.overrides = &overrides;
				break;
			case 'b':
				so.tinyint1 = strcmp(optarg, "smallint") == 0 ? TINYINT1_SMALLINT : TINYINT1_BOOLEAN;
				break;
			case 'x':
				so.handling = TABLE_HANDLING_TRUNCATE;
				break;
			case 'z':
				so.zero_dates = strcmp(optarg, "error") == 0 ? ZERO_DATES_ERROR : ZERO_DATES_NULL;
				break;
			default:
				return 1;
		}
	}
	if (!source || !target)
	{
		fprintf(stderr, "usage: my_load --source URL --target URL [--allow-no-pk]\n");
		return 1;
	}
	if (!conn_url_parse(source, &su, err, sizeof(err)) || !conn_url_parse(target, &tu, err, sizeof(err)))
	{
		fprintf(stderr, "my_load: %s\n", err);
		return 1;
	}
	if (!table_filter_init(&filter, schema_re, table_re, NULL))
		return 1;
	so.filter = &filter;
	if (!target_connect(&tgt, &tu))
		goto out;
	src = source_open(&su);
	if (src == NULL || !schema_load(&so, src, &tgt, &cat) || !schema_apply(&so, &cat, &tgt))
		goto out;
	r = src->ops->verify_open(src, &cat);
	if (r == NULL)
		goto out;
	for (int i = 0; i < cat.ntables; i++)
	{
		const Table *t = cat.tables[i];
		TargetCopy	tc;
		LoadSink	ls = {.t = t, .tc = &tc};
		VerifyRowSink sink = {load_row, &ls};
		bool	   *by_text = calloc((size_t) t->npk + 1, sizeof(bool));
		RowSelection sel = {NULL, NULL, 0, by_text};
		char		pos[512];
		int64_t		rows;
		bool		ok;

		sb_init(&ls.line, SB_DEFAULT_LIMIT);
		ok = pg_exec(&tgt, "BEGIN") && target_copy_begin(&tc, &tgt, t);
		if (ok)
		{
			ok = src->ops->verify_begin(r, pos, sizeof(pos));
			ok = ok && src->ops->verify_read(r, t, &sel, &sink, &rows);
			src->ops->verify_end(r);
			ok = target_copy_end(&tc, ok && !ls.failed) && ok;
		}
		ok = ok && pg_exec(&tgt, "COMMIT");
		sb_free(&ls.line);
		free(by_text);
		if (!ok)
		{
			fprintf(stderr, "my_load: could not load %s\n", t->display);
			goto out;
		}
	}
	/* primary keys, indexes and constraints, as fetch's finalize step */
	if (!schema_finalize(&cat, &tu, 2, NULL))
		goto out;
	rc = 0;

out:
	if (r)
		src->ops->verify_close(r);
	catalog_free(&cat);
	source_close(src);
	pg_disconnect(&tgt);
	table_filter_free(&filter);
	if (so.overrides)
		typemap_overrides_free(&overrides);
	conn_url_free(&su);
	conn_url_free(&tu);
	return rc;
}
