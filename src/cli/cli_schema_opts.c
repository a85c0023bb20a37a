/*
 * src/cli/cli_schema_opts.c
 *	  Shared schema flags (see cli_schema_opts.h).
 */
#include "cli/cli_schema_opts.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli_common.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "dialect/target.h"
#include "dialect/target_failback.h"

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

/* Connect to both ends and load the catalog; the URLs are parsed. */
static bool
migration_connect(CliMigration *m)
{
	if (!target_connect(&m->target, &m->tgt_url))
		return false;
	m->have_target = true;
	m->src = source_open(&m->src_url);
	return m->src != NULL && schema_load(&m->so, m->src, &m->target, &m->cat);
}

/*
 * Zero *m, parse the URL changes come from (given as from_flag) and the one
 * they go to, and build the schema options.  False on a bad value (logged).
 */
static bool
migration_parse(CliMigration *m, const char *from_flag, const char *from, const char *to_flag, const char *to)
{
	memset(m, 0, sizeof(*m));
	return cli_parse_url(from_flag, from, &m->src_url) &&
		cli_parse_url(to_flag, to, &m->tgt_url) &&
		cli_schema_options_build(&m->so);
}

bool
cli_migration_open(CliMigration *m, const char *source, const char *target)
{
	return migration_parse(m, "--source", source, "--target", target) && migration_connect(m);
}

bool
cli_migration_open_failback(CliMigration *m, const char *source, const char *target)
{
	if (!migration_parse(m, "--target", target, "--source", source))
		return false;
	if (m->tgt_url.engine != ENGINE_POSTGRES)
	{
		err_set_kind(ERR_ARGS);
		log_error_dh(NULL, "keep the source in sync another way, or fail back with a dump",
					 "failback into a MySQL/MariaDB source is not supported yet: godwit applies changes over the PostgreSQL protocol");
		return false;
	}
	m->tgt_url.session_options = FAILBACK_SESSION_OPTIONS;
	return migration_connect(m) && target_failback_session(&m->target, &m->tgt_url, &m->cat);
}

void
cli_migration_close(CliMigration *m)
{
	fflush(stdout);
	catalog_free(&m->cat);
	source_close(m->src);
	m->src = NULL;
	if (m->have_target)
		pg_disconnect(&m->target);
	m->have_target = false;
	cli_schema_options_free();
	conn_url_free(&m->src_url);
	conn_url_free(&m->tgt_url);
}

char *
cli_options_fingerprint(bool no_replication)
{
	StrBuf		b;
	JsonWriter	w;

	sb_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "schema_filter", cli_schema_opts.schema_filter);
	jw_kv_string(&w, "table_filter", cli_schema_opts.table_filter);
	jw_kv_string(&w, "table_exclusion_filter", cli_schema_opts.table_exclusion_filter);
	jw_kv_string(&w, "target_schema", cli_schema_opts.target_schema);
	jw_kv_bool(&w, "no_replication", no_replication);
	jw_object_end(&w);
	return sb_steal(&b);
}

bool
cli_hook_create_schema(void *arg)
{
	CliFetchHooks *h = arg;

	return schema_apply(&h->m->so, &h->m->cat, &h->m->target);
}

void
cli_hook_build_table(void *arg, const Table *t, PgConn *conn)
{
	CliFetchHooks *h = arg;

	schema_build_table(&h->m->cat, t, conn);
}

bool
cli_hook_finalize(void *arg)
{
	CliFetchHooks *h = arg;
	FinalizeStats st = {0};
	bool		ok = schema_finalize(&h->m->cat, &h->m->tgt_url, h->index_concurrency, &st);

	log_info("finalize: %d deferred objects: %d created, %d already present, %d rejected, %d failed",
			 st.objects, st.created, st.existed, st.rejected, st.failed);
	return ok;
}
