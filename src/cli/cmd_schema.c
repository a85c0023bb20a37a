/*
 * src/cli/cmd_schema.c
 *	  godwit schema: read the source schema, map it, and create it on the
 *	  target (tables with NOT NULL and PRIMARY KEY; the rest waits for
 *	  finalize), or print the target DDL with --dry-run.
 */
#include <stdio.h>

#include "catalog/ddl.h"
#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "common/strbuf.h"
#include "core/schema.h"
#include "dialect/source.h"
#include "dialect/target.h"

static const char *const dialect_choices[] = {"postgres", "cockroachdb", NULL};

static struct
{
	char	   *source;
	char	   *target;
	bool		dry_run;
	int			target_dialect;
} opt;

static const OptSpec schema_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "source database: postgres://... or mysql://... (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .help = "target database: postgres://... (PostgreSQL or CockroachDB); optional with --dry-run"},
	{.name = "dry-run", .type = OPT_FLAG, .target = &opt.dry_run,
	 .help = "print the target DDL (the deferred part included) instead of running it"},
	{.name = "target-dialect", .type = OPT_ENUM, .target = &opt.target_dialect, .metavar = "DIALECT",
	 .help = "--dry-run without --target: the dialect to render for", .default_value = "postgres",
	 .choices = dialect_choices},
	CLI_SCHEMA_FILTER_OPTIONS,
	CLI_SCHEMA_MAPPING_OPTIONS,
	CLI_SCHEMA_TABLE_OPTIONS,
	OPT_TABLE_END
};

/* What finalize will add, for the closing line. */
static void
print_summary(const Catalog *cat)
{
	DdlPlan		plan;
	int			counts[DEFER_FOREIGN_KEY + 1] = {0};

	ddl_deferred(cat, &plan);
	for (int i = 0; i < plan.n; i++)
		counts[plan.objects[i].kind]++;
	printf("schema: %d table%s ready on the target (%d sequence%s)\n", cat->ntables,
		   cat->ntables == 1 ? "" : "s", cat->nsequences, cat->nsequences == 1 ? "" : "s");
	printf("after the bulk copy, godwit finalize creates %d primary key%s, %d index%s, %d unique, %d check and "
		   "%d foreign key constraint%s and %d default%s\n",
		   counts[DEFER_PRIMARY_KEY], counts[DEFER_PRIMARY_KEY] == 1 ? "" : "s", counts[DEFER_INDEX], counts[DEFER_INDEX] == 1 ? "" : "es", counts[DEFER_UNIQUE], counts[DEFER_CHECK],
		   counts[DEFER_FOREIGN_KEY], counts[DEFER_FOREIGN_KEY] == 1 ? "" : "s", counts[DEFER_DEFAULT],
		   counts[DEFER_DEFAULT] == 1 ? "" : "s");
	ddl_plan_free(&plan);
}

static int
schema_main(void)
{
	ConnUrl		src_url = {0},
				tgt_url = {0};
	SchemaOptions so;
	Source	   *src = NULL;
	PgConn		target = {0};
	bool		have_target = false;
	Catalog		cat = {0};
	bool		ok = false;

	if (opt.target == NULL && !opt.dry_run)
	{
		fprintf(stderr, "godwit schema: --target is required (or use --dry-run)\n");
		return EXIT_BAD_ARGS;
	}
	if (!cli_parse_url("--source", opt.source, &src_url) ||
		(opt.target && !cli_parse_url("--target", opt.target, &tgt_url)) ||
		!cli_schema_options_build(&so))
		goto done;
	so.dialect = opt.target_dialect == 1 ? TARGET_COCKROACH : TARGET_POSTGRES;
	if (opt.target)
	{
		if (!target_connect(&target, &tgt_url))
			goto done;
		have_target = true;
	}
	src = source_open(&src_url);
	if (src == NULL)
		goto done;
	if (!schema_load(&so, src, have_target ? &target : NULL, &cat))
		goto done;
	if (opt.dry_run)
	{
		StrBuf		out;

		sb_init(&out, 0);
		ddl_render_script(&cat, so.handling, &out);
		fputs(out.data, stdout);
		sb_free(&out);
		ok = true;
		goto done;
	}
	ok = schema_apply(&so, &cat, &target);
	if (ok)
		print_summary(&cat);

done:
	fflush(stdout);
	catalog_free(&cat);
	source_close(src);
	if (have_target)
		pg_disconnect(&target);
	cli_schema_options_free();
	conn_url_free(&src_url);
	conn_url_free(&tgt_url);
	return cli_exit_code(ok);
}

const Command command_schema = {
	.name = "schema",
	.summary = "create the source's schema on the target (or print it with --dry-run)",
	.description =
	"Reads the source schema (tables selected by the filters), maps every column type for the\n"
	"target's dialect (see docs/type-mapping.md) and creates schemas, types, sequences and the\n"
	"tables with their columns, NOT NULL and PRIMARY KEY. Indexes, unique, check and foreign key\n"
	"constraints and defaults are created after the bulk copy by godwit finalize.\n"
	"--table-handling decides what happens to tables that already exist on the target.\n"
	"--dry-run prints every statement, the deferred ones included, and changes nothing.",
	.options = schema_options,
	.common_options = true,
	.run = schema_main,
};
