/*
 * src/cli/cli_schema_opts.h
 *	  The flags every command that reads the schema shares (schema,
 *	  finalize, fetch, ...): table filters, table handling, type mapping.
 *
 * A command lists the groups it needs in its option table:
 *
 *   static const OptSpec fetch_options[] = {
 *       ...its own flags...,
 *       CLI_SCHEMA_FILTER_OPTIONS,
 *       CLI_SCHEMA_MAPPING_OPTIONS,
 *       CLI_SCHEMA_TABLE_OPTIONS,
 *       OPT_TABLE_END
 *   };
 *
 * then, after parsing, cli_schema_options_build(&so) compiles the filters and
 * reads --type-map-file into a SchemaOptions, and cli_schema_options_free()
 * releases them.  The values live in the one cli_schema_opts (one command
 * runs per process).
 */
#ifndef GODWIT_CLI_SCHEMA_OPTS_H
#define GODWIT_CLI_SCHEMA_OPTS_H

#include <stdbool.h>

#include "catalog/filter.h"
#include "catalog/typemap.h"
#include "cli/options.h"
#include "core/schema.h"
#include "dialect/source.h"

typedef struct CliSchemaOptions
{
	char	   *schema_filter;
	char	   *table_filter;
	char	   *table_exclusion_filter;
	char	   *type_map_file;
	char	   *target_schema;
	int			tinyint1_as;	/* index into cli_tinyint1_choices */
	int			enum_as;
	int			zero_dates;
	int			table_handling; /* index into table_handling_names */
	bool		allow_no_pk;

	/* built by cli_schema_options_build */
	TableFilter filter;
	TypeOverrides overrides;
	bool		have_filter;
	bool		have_overrides;
} CliSchemaOptions;

extern CliSchemaOptions cli_schema_opts;
extern const char *const cli_tinyint1_choices[];	/* boolean, smallint */
extern const char *const cli_enum_choices[];	/* type, text */
extern const char *const cli_zero_dates_choices[];	/* null, error */

#define CLI_SCHEMA_FILTER_OPTIONS \
	{.name = "schema-filter", .type = OPT_STRING, .target = &cli_schema_opts.schema_filter, \
	 .metavar = "REGEX", .help = "schemas to migrate (MySQL: databases; whole-name POSIX regex)", \
	 .default_value = ".*"}, \
	{.name = "table-filter", .type = OPT_STRING, .target = &cli_schema_opts.table_filter, \
	 .metavar = "REGEX", .help = "tables to migrate (whole-name POSIX regex)", .default_value = ".*"}, \
	{.name = "table-exclusion-filter", .type = OPT_STRING, \
	 .target = &cli_schema_opts.table_exclusion_filter, .metavar = "REGEX", \
	 .help = "tables to leave out (whole-name POSIX regex)"}

#define CLI_SCHEMA_MAPPING_OPTIONS \
	{.name = "type-map-file", .type = OPT_STRING, .target = &cli_schema_opts.type_map_file, \
	 .metavar = "FILE", .help = "JSON per-column target types (MOLT's format; see docs/type-mapping.md)"}, \
	{.name = "target-schema", .type = OPT_STRING, .target = &cli_schema_opts.target_schema, \
	 .metavar = "NAME", .help = "MySQL sources: the target schema the tables go to", \
	 .default_value = "public"}, \
	{.name = "tinyint1-as", .type = OPT_ENUM, .target = &cli_schema_opts.tinyint1_as, .metavar = "TYPE", \
	 .help = "MySQL TINYINT(1) becomes", .default_value = "boolean", .choices = cli_tinyint1_choices}, \
	{.name = "enum-as", .type = OPT_ENUM, .target = &cli_schema_opts.enum_as, .metavar = "KIND", \
	 .help = "MySQL ENUM becomes an enum type \"<table>_<column>\" or text", .default_value = "type", \
	 .choices = cli_enum_choices}, \
	{.name = "zero-dates", .type = OPT_ENUM, .target = &cli_schema_opts.zero_dates, .metavar = "POLICY", \
	 .help = "MySQL zero dates ('0000-00-00') become NULL or stop the copy", .default_value = "null", \
	 .choices = cli_zero_dates_choices}

/* The steps after fetch: they must be told what fetch was told. */
#define CLI_MIGRATION_ALLOW_NO_PK_OPTION \
	{.name = "allow-no-pk", .type = OPT_FLAG, .target = &cli_schema_opts.allow_no_pk, \
	 .help = "the migration has tables without a primary key (as given to fetch)"}

#define CLI_SCHEMA_TABLE_OPTIONS \
	{.name = "table-handling", .type = OPT_ENUM, .target = &cli_schema_opts.table_handling, \
	 .metavar = "MODE", .help = "existing target tables: compare (none), empty, or drop and recreate", \
	 .default_value = "none", .choices = table_handling_names}, \
	{.name = "allow-no-pk", .type = OPT_FLAG, .target = &cli_schema_opts.allow_no_pk, \
	 .help = "migrate tables without a primary key (copied whole; not verifiable by key)"}

/*
 * cli_schema_options_build
 *		Fill *out from the parsed flags: compile the filters, load the type
 *		map file.  False on a bad value (logged, ERR_ARGS).
 */
bool		cli_schema_options_build(SchemaOptions *out);
void		cli_schema_options_free(void);

/*
 * What every migration command opens first: the --source and --target URLs,
 * the schema options, the source, a target connection, and the catalog
 * (read and mapped for the target, as every step must see it).
 */
typedef struct CliMigration
{
	ConnUrl		src_url;
	ConnUrl		tgt_url;
	SchemaOptions so;
	Source	   *src;
	PgConn		target;
	bool		have_target;
	Catalog		cat;
} CliMigration;

/* Open everything (zeroes *m first).  False on error (logged); close anyway. */
bool		cli_migration_open(CliMigration *m, const char *source, const char *target);

/*
 * cli_migration_open_failback
 *		The same, the way back: the migration's target (the new primary) is
 *		opened as the source of changes and the migration's source as the
 *		database they are applied to, whose sessions override the read-only
 *		default cutover --lock-source left there (only godwit writes to it
 *		until the failback cutover).  Both must be PostgreSQL.
 */
bool		cli_migration_open_failback(CliMigration *m, const char *source, const char *target);
void		cli_migration_close(CliMigration *m);

/* The options a resumed fetch must share with the run it resumes (JSON; caller frees). */
char	   *cli_options_fingerprint(bool no_replication);

/*
 * Fetch's schema steps (FetchOptions.create_schema / finalize), with arg a
 * CliFetchHooks: create the target tables, and build the deferred objects.
 */
typedef struct CliFetchHooks
{
	CliMigration *m;
	int			index_concurrency;
} CliFetchHooks;

bool		cli_hook_create_schema(void *arg);
bool		cli_hook_finalize(void *arg);
void		cli_hook_build_table(void *arg, const Table *t, PgConn *conn);

#endif
