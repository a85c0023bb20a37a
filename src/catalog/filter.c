/*
 * src/catalog/filter.c
 *	  Whole-name regular expression filters for tables (see filter.h).
 */
#include "catalog/filter.h"

#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"

static bool
compile_anchored(regex_t *re, const char *pattern, const char *flag)
{
	char	   *anchored = gw_asprintf("^(%s)$", pattern);
	int			rc = regcomp(re, anchored, REG_EXTENDED | REG_NOSUB);

	free(anchored);
	if (rc != 0)
	{
		char		msg[256];

		regerror(rc, re, msg, sizeof(msg));
		err_set_kind(ERR_ARGS);
		log_error_dh(msg, "patterns are POSIX extended regular expressions matched against the whole name",
					 "invalid %s \"%s\"", flag, pattern);
		return false;
	}
	return true;
}

bool
table_filter_init(TableFilter *f, const char *schema_re, const char *table_re,
				  const char *exclude_re)
{
	memset(f, 0, sizeof(*f));
	if (schema_re && schema_re[0] && strcmp(schema_re, ".*") != 0)
	{
		if (!compile_anchored(&f->schema_re, schema_re, "--schema-filter"))
			return false;
		f->has_schema = true;
		f->schema_text = gw_strdup(schema_re);
	}
	if (table_re && table_re[0] && strcmp(table_re, ".*") != 0)
	{
		if (!compile_anchored(&f->table_re, table_re, "--table-filter"))
		{
			table_filter_free(f);
			return false;
		}
		f->has_table = true;
		f->table_text = gw_strdup(table_re);
	}
	if (exclude_re && exclude_re[0])
	{
		if (!compile_anchored(&f->exclude_re, exclude_re, "--table-exclusion-filter"))
		{
			table_filter_free(f);
			return false;
		}
		f->has_exclude = true;
		f->exclude_text = gw_strdup(exclude_re);
	}
	return true;
}

bool
table_filter_match(const TableFilter *f, const char *schema, const char *table)
{
	if (strcmp(schema, "_godwit") == 0)
		return false;
	if (f == NULL)
		return true;
	if (f->has_schema && regexec(&f->schema_re, schema, 0, NULL, 0) != 0)
		return false;
	if (f->has_table && regexec(&f->table_re, table, 0, NULL, 0) != 0)
		return false;
	if (f->has_exclude && regexec(&f->exclude_re, table, 0, NULL, 0) == 0)
		return false;
	return true;
}

void
table_filter_free(TableFilter *f)
{
	if (f->has_schema)
		regfree(&f->schema_re);
	if (f->has_table)
		regfree(&f->table_re);
	if (f->has_exclude)
		regfree(&f->exclude_re);
	free(f->schema_text);
	free(f->table_text);
	free(f->exclude_text);
	memset(f, 0, sizeof(*f));
}
