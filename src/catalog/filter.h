/*
 * src/catalog/filter.h
 *	  Which tables a migration covers: --schema-filter, --table-filter and
 *	  --table-exclusion-filter (POSIX extended regular expressions, as MOLT).
 *
 * Unlike MOLT, a pattern must match the *whole* name ("orders" does not select
 * "orders_archive"); write "orders.*" for a prefix.  The same filter object is
 * applied by check, schema, fetch, replicate and verify, so they always agree.
 * The "_godwit" state schema is never selected.
 */
#ifndef GODWIT_CATALOG_FILTER_H
#define GODWIT_CATALOG_FILTER_H

#include <regex.h>
#include <stdbool.h>

typedef struct TableFilter
{
	regex_t		schema_re;
	regex_t		table_re;
	regex_t		exclude_re;
	bool		has_schema;
	bool		has_table;
	bool		has_exclude;
	char	   *schema_text;
	char	   *table_text;
	char	   *exclude_text;
} TableFilter;

/*
 * table_filter_init
 *		Compile the three patterns (each may be NULL or "" for "any"/"none").
 *
 * Returns false on an invalid pattern (logged, kind ERR_ARGS).
 */
bool		table_filter_init(TableFilter *f, const char *schema_re, const char *table_re,
							  const char *exclude_re);
bool		table_filter_match(const TableFilter *f, const char *schema, const char *table);
void		table_filter_free(TableFilter *f);

#endif
