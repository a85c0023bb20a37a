/*
 * src/cli/cmd_finalize.c
 *	  godwit finalize: after the bulk copy, create the secondary indexes,
 *	  constraints and defaults the schema step deferred, in parallel.
 */
#include <stdio.h>

#include "cli/cli_common.h"
#include "cli/cli_schema_opts.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "core/schema.h"
#include "dialect/source.h"
#include "dialect/target.h"

static struct
{
	char	   *source;
	char	   *target;
	int64_t		index_concurrency;
} opt;

static const OptSpec finalize_options[] = {
	{.name = "source", .type = OPT_STRING, .target = &opt.source, .metavar = "URL", .secret = true,
	 .required = true, .help = "source database: postgres://... or mysql://... (prefer GODWIT_SOURCE)"},
	{.name = "target", .type = OPT_STRING, .target = &opt.target, .metavar = "URL", .secret = true,
	 .required = true, .help = "target database: postgres://... (PostgreSQL or CockroachDB)"},
	{.name = "index-concurrency", .type = OPT_INT, .target = &opt.index_concurrency, .metavar = "N",
	 .help = "objects created at once, one target connection each", .default_value = "4", .min = 1, .max = 64},
	CLI_SCHEMA_FILTER_OPTIONS,
	CLI_SCHEMA_MAPPING_OPTIONS,
	{.name = "allow-no-pk", .type = OPT_FLAG, .target = &cli_schema_opts.allow_no_pk,
	 .help = "the schema has tables without a primary key (as given to godwit schema)"},
	OPT_TABLE_END
};

static int
finalize_main(void)
{
	CliMigration m;
	FinalizeStats st = {0};
	bool		ok = false;

	if (!cli_migration_open(&m, opt.source, opt.target))
		goto done;
	/* the source and this connection are not needed while the target builds */
	source_close(m.src);
	m.src = NULL;
	pg_disconnect(&m.target);
	m.have_target = false;
	ok = schema_finalize(&m.cat, &m.tgt_url, (int) opt.index_concurrency, &st);
	printf("finalize: %d deferred object%s: %d created, %d already present, %d rejected by the target, %d failed\n",
		   st.objects, st.objects == 1 ? "" : "s", st.created, st.existed, st.rejected, st.failed);

done:
	cli_migration_close(&m);
	return cli_exit_code(ok);
}

const Command command_finalize = {
	.name = "finalize",
	.summary = "after the bulk copy: create indexes, constraints and defaults on the target",
	.description =
	"Re-reads the source schema and creates on the target every object godwit schema deferred:\n"
	"secondary indexes, unique and check constraints, foreign keys (added NOT VALID, then\n"
	"validated), column defaults and the sequence defaults of identity and AUTO_INCREMENT\n"
	"columns. Objects are created in parallel (--index-concurrency), biggest tables first.\n"
	"Existing objects are skipped, so finalize can be run again after a failure or a crash.\n"
	"Give the same filters and type flags as to godwit schema.",
	.options = finalize_options,
	.common_options = true,
	.run = finalize_main,
};
