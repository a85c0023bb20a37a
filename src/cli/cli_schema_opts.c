/*
 * src/cli/cli_schema_opts.c
 *	  Shared schema flags (see cli_schema_opts.h).
 */
#include "cli/cli_schema_opts.h"

#include <string.h>

#include "cli/cli_common.h"

CliSchemaOptions cli_schema_opts;

const char *const cli_tinyint1_choices[] = {"boolean", "smallint", NULL};
const char *const cli_enum_choices[] = {"type", "text", NULL};
const char *const cli_zero_dates_choices[] = {"null", "error", NULL};

bool
cli_schema_options_build(SchemaOptions *out)
{
	CliSchemaOptions *c = &cli_schema_opts;

	schema_options_init(out);
	if (!cli_filter_init(&c->filter, c->schema_filter, c->table_filter, c->table_exclusion_filter))
		return false;
	c->have_filter = true;
	out->filter = &c->filter;
	if (c->type_map_file && c->type_map_file[0])
	{
		if (!typemap_overrides_load(c->type_map_file, &c->overrides))
		{
			typemap_overrides_free(&c->overrides);
			return false;
		}
		c->have_overrides = true;
		out->overrides = &c->overrides;
	}
	out->target_schema = c->target_schema && c->target_schema[0] ? c->target_schema : "public";
	out->tinyint1 = c->tinyint1_as == 1 ? TINYINT1_SMALLINT : TINYINT1_BOOLEAN;
	out->enums = c->enum_as == 1 ? ENUMS_AS_TEXT : ENUMS_AS_TYPE;
	out->zero_dates = c->zero_dates == 1 ? ZERO_DATES_ERROR : ZERO_DATES_NULL;
	out->handling = (TableHandling) c->table_handling;
	out->allow_no_pk = c->allow_no_pk;
	return true;
}

void
cli_schema_options_free(void)
{
	CliSchemaOptions *c = &cli_schema_opts;

	if (c->have_filter)
		table_filter_free(&c->filter);
	if (c->have_overrides)
		typemap_overrides_free(&c->overrides);
	c->have_filter = c->have_overrides = false;
}
