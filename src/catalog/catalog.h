/*
 * src/catalog/catalog.h
 *	  The schema model: what godwit knows about the source's tables, and what
 *	  each becomes on the target.
 *
 * One model for every source engine.  A Catalog owns an arena; every string
 * and array in it lives there and is freed with catalog_free().  Names are
 * kept exactly as the source spells them (case, spaces, quotes, unicode) and
 * are quoted whenever SQL is built.
 *
 * Readers (the *_catalog.c files of each dialect folder) fill the source side; the type
 * mapper (typemap.c) fills the target side (target_type, conv, select_expr)
 * for a given target dialect; ddl.c decides which secondary objects the target
 * can hold, names them, and renders target DDL from it.  Whatever cannot be
 * carried exactly is recorded as a SchemaIssue in the catalog, so `check`,
 * `schema --dry-run` and every command report the same thing.
 *
 * Source-side conventions:
 *  - PostgreSQL: partitioned tables appear once, as their parent (rows are read
 *    through it); leaf partitions are not listed.  Column.ordinal is attnum.
 *  - MySQL: Table.schema is the database; Table.target_schema is set by the
 *    type mapper (--target-schema).  AUTO_INCREMENT counters appear as
 *    Sequences named "<table>_<column>_seq".
 */
#ifndef GODWIT_CATALOG_CATALOG_H
#define GODWIT_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/url.h"

/* Target dialect: the few places PostgreSQL and CockroachDB differ. */
typedef enum TargetDialect
{
	TARGET_POSTGRES,
	TARGET_COCKROACH,
} TargetDialect;

/*
 * How a source value becomes a target value.  PostgreSQL sources convert in
 * the source's SELECT list where possible (select_expr); MySQL values go
 * through one converter (MySQL text form -> target text form) shared by the
 * bulk copy and by binlog replication, so both paths produce the same value.
 */
typedef enum ValueConv
{
	CONV_NONE,					/* text form passes through unchanged */
	CONV_PG_EXPR,				/* PG source: select_expr renders the target form */
	CONV_MY_BINARY,				/* bytes -> bytea hex (\x...) */
	CONV_MY_BIT,				/* raw big-endian bytes -> bit string "0101" */
	CONV_MY_BIT_BOOL,			/* BIT(1) -> boolean "t"/"f" */
	CONV_MY_BOOL,				/* tinyint(1) 0/1 -> boolean (non 0/1 -> error) */
	CONV_MY_DATE,				/* zero/partial dates per policy */
	CONV_MY_DATETIME,			/* zero dates per policy */
	CONV_MY_TIMESTAMP,			/* UTC text -> timestamptz ("+00") */
	CONV_MY_TIME,				/* time-of-day; out of range -> error (or interval) */
	CONV_MY_TIME_INTERVAL,		/* TIME -> interval (keeps ±838h) */
	CONV_MY_YEAR,				/* 0 -> NULL/0 per policy, else the number */
	CONV_MY_SET,				/* "a,b" -> text[] {"a","b"} */
	CONV_MY_ENUM,				/* label passes; '' (invalid) -> NULL per policy */
	CONV_MY_JSON,				/* JSON text (binlog binary JSON is decoded first) */
	CONV_MY_GEOMETRY,			/* SRID + WKB -> EWKB hex (geometry input form) */
	CONV_MY_GEOMETRY_BYTEA,		/* SRID + WKB -> EWKB as bytea hex "\\x..." */
	CONV_MY_TEXT,				/* character data; NUL bytes rejected */
} ValueConv;

/*
 * MySQL zero and partial dates ('0000-00-00', '2020-00-15', YEAR 0):
 * --zero-dates.  Converters of DATE/DATETIME/TIMESTAMP/YEAR read it from the
 * Catalog.
 */
typedef enum ZeroDatePolicy
{
	ZERO_DATES_NULL,			/* become NULL (default, as pgloader) */
	ZERO_DATES_ERROR,			/* stop the copy, naming the row */
} ZeroDatePolicy;

/* Something about the schema that the target cannot carry exactly. */
typedef enum IssueLevel
{
	ISSUE_INFO,					/* an adaptation worth knowing (logged at info) */
	ISSUE_WARN,					/* carried with a fallback */
	ISSUE_FAIL,					/* cannot be carried: the migration stops */
} IssueLevel;

typedef enum IssueKind
{
	ISSUE_COLUMN_TYPE,			/* a column's type (check item "column_types") */
	ISSUE_TABLE,				/* a table as a whole (no primary key, name) */
	ISSUE_OBJECT,				/* an index, constraint, default or type */
} IssueKind;

typedef struct SchemaIssue
{
	IssueLevel	level;
	IssueKind	kind;
	char	   *object;			/* "schema.table.column" / "schema.table" (display form) */
	char	   *message;		/* PostgreSQL message style */
	char	   *hint;			/* what to do; NULL if nothing */
} SchemaIssue;

typedef struct Column
{
	char	   *name;
	int			ordinal;		/* 1-based position on the source */

	/* --- source side --- */
	char	   *source_type;	/* full type as the source prints it */
	char	   *source_base;	/* lower-case base name: "varchar", "int", "numeric", "enum" */
	uint32_t	type_oid;		/* PostgreSQL type OID (0 for MySQL) */
	char	   *type_schema;	/* PG user-defined type's schema (enum, domain, composite) */
	char	   *type_name;		/* PG user-defined type's name */
	char		type_kind;		/* PG typtype: b base, e enum, d domain, c composite, r range */
	int			array_dims;		/* PostgreSQL array dimensions (0 = scalar) */

	/*
	 * PG: the type after resolving domains and array elements.  base_kind is
	 * its typtype (b, e, c, r, m); base_schema/base_name name it when it is
	 * user-defined (enum, composite, range) or comes from an extension
	 * (type_extension, e.g. "hstore"); source_base is its typname.  For a
	 * plain built-in column these repeat type_kind etc.  base_is_rowtype marks
	 * a composite that is a table's row type.
	 */
	char		base_kind;
	char	   *base_schema;
	char	   *base_name;
	char	   *type_extension;
	bool		base_is_rowtype;
	int64_t		length;			/* character/binary length, -1 when unbounded */
	int			precision;		/* numeric/decimal precision, -1 when unbounded */
	int			scale;			/* numeric/decimal scale, -1 when unbounded */
	int			fsp;			/* fractional seconds precision (time types), -1 default */
	bool		is_unsigned;	/* MySQL UNSIGNED */
	bool		zerofill;		/* MySQL ZEROFILL */
	char	  **enum_labels;	/* MySQL ENUM/SET members, PG enum labels */
	int			nenum_labels;
	char	   *charset;		/* MySQL character set of text columns */
	char	   *collation;		/* MySQL: collation of text columns; PG: a collation in
								 * pg_catalog set explicitly on the column, else NULL */
	bool		nullable;
	char	   *default_expr;	/* source default, SQL of the source (MySQL literals quoted:
								 * 'abc', 0, current_timestamp()), NULL if none */
	char	   *on_update;		/* MySQL ON UPDATE expression (not carried), NULL if none */
	char	   *generated_expr; /* generated column expression, NULL if not generated */
	bool		generated_stored;
	char		identity;		/* PG: 'a' ALWAYS, 'd' BY DEFAULT, 0 none */
	bool		auto_increment; /* MySQL AUTO_INCREMENT */

	/* --- target side (filled by typemap) --- */
	char	   *target_name;	/* the column's name on the target: name, except where
								 * the target cannot hold it (over 63 bytes on PostgreSQL:
								 * catalog_fit_ident); copy and apply code must use it */
	char	   *target_type;	/* SQL type on the target, ready to print */
	char	   *target_default; /* default on the target (finalize), NULL if none */
	bool		target_default_exact; /* PG -> PG: the source's own expression */
	bool		target_generated;	/* created as GENERATED ALWAYS AS (generated_expr) STORED */
	bool		target_nullable;	/* NOT NULL dropped on the target (zero dates) */
	ValueConv	conv;
	char	   *select_expr;	/* PG source: expression for the SELECT list, NULL when the
								 * quoted column name is enough */
	bool		skip;			/* neither copied nor replicated: the target computes it
								 * (a generated column kept as generated) */
} Column;

typedef struct IndexDef
{
	char	   *name;
	bool		unique;
	bool		is_constraint;	/* UNIQUE constraint (vs plain unique index) */
	char	  **columns;		/* column names, NULL entries for expressions */
	int			ncolumns;
	char	   *definition;		/* PG: pg_get_indexdef(); MySQL: NULL */
	char	   *target_ddl;		/* CREATE INDEX ... on the target (finalize) */

	/* key details, parallel to columns */
	char	  **exprs;			/* expression SQL where columns[i] is NULL */
	bool	   *desc;			/* descending key */
	int		   *prefix_len;		/* MySQL prefix index length (SUB_PART), 0 = whole */
	char	  **include;		/* PG INCLUDE columns */
	int			ninclude;
	char	   *method;			/* lower case: btree, hash, gin, gist, brin, spgist;
								 * MySQL: btree, hash, fulltext, spatial */
	char	   *predicate;		/* PG partial index WHERE, NULL if none */
	char	   *definition_tail;	/* PG: pg_get_indexdef() after "USING method ":
									 * keys, INCLUDE, WITH, WHERE (PG -> PG) */
	char	   *constraint_def; /* PG UNIQUE constraint: pg_get_constraintdef() */
	bool		deferrable;
	bool		valid;			/* PG indisvalid (false: a failed CONCURRENTLY build) */

	/* target side (ddl_plan) */
	char	   *target_name;
	char	   *skip_reason;	/* not created on the target, and why */
	bool		best_effort;	/* source SQL carried across dialects: a rejection warns */
} IndexDef;

typedef struct ForeignKeyDef
{
	char	   *name;
	char	  **columns;
	int			ncolumns;
	char	   *ref_schema;
	char	   *ref_table;
	char	  **ref_columns;
	char	   *on_update;		/* "CASCADE", "SET NULL", ... NULL = NO ACTION */
	char	   *on_delete;
	char	   *target_ddl;		/* ALTER TABLE ... ADD CONSTRAINT ... */
	bool		match_full;		/* MATCH FULL */
	bool		deferrable;
	bool		initially_deferred;
	bool		validated;		/* PG convalidated (false: NOT VALID on the source) */
	char	   *constraint_def; /* PG: pg_get_constraintdef() */
	char	   *target_name;	/* target side: name (fitted to 63 bytes on PostgreSQL) */
	char	   *skip_reason;	/* target side: not created, and why */
} ForeignKeyDef;

typedef struct CheckDef
{
	char	   *name;
	char	   *expr;			/* the boolean expression, source SQL */
	char	   *target_ddl;
	bool		validated;		/* PG convalidated */
	char	   *target_expr;	/* target side: expression in target SQL */
	char	   *target_name;	/* target side: name (fitted to 63 bytes on PostgreSQL) */
	char	   *skip_reason;	/* target side: not created, and why */
	bool		best_effort;	/* translated: a rejection by the target warns */
} CheckDef;

typedef struct Table
{
	char	   *schema;			/* source schema (MySQL: the database) */
	char	   *name;
	char	   *target_schema;
	char	   *target_name;
	char	   *display;		/* schema.name for messages, quoted only where needed */
	Column	   *columns;
	int			ncolumns;
	int		   *pk;				/* indexes into columns, in key order */
	int			npk;
	IndexDef   *indexes;		/* secondary indexes and unique constraints */
	int			nindexes;
	ForeignKeyDef *fks;
	int			nfks;
	CheckDef   *checks;
	int			nchecks;
	char	   *pk_name;		/* PG primary key constraint name; NULL for MySQL */
	int64_t		est_rows;		/* planner estimate, -1 unknown (never analyzed) */
	int64_t		est_bytes;		/* on-disk size estimate */
	bool		is_partitioned; /* PG partitioned parent: migrated as one plain table, its
								 * rows read through it (SELECT ... FROM parent) */
	char	   *partition_of;	/* PG partition: "schema"."parent" name, NULL otherwise
								 * (the readers list no partitions: always NULL) */
	uint32_t	oid;			/* PG relation OID, 0 for MySQL */
	char		replica_identity;	/* PG relreplident: d, f, i, n */
} Table;

typedef struct Sequence
{
	char	   *schema;
	char	   *name;
	char	   *target_schema;
	char	   *target_name;
	int64_t		last_value;
	bool		is_called;
	int64_t		increment;
	char	   *owned_by_table; /* PG OWNED BY / MySQL auto_increment table */
	char	   *owned_by_column;
	char	   *owned_by_schema;	/* schema of owned_by_table */
	char	   *data_type;		/* "bigint", "integer", "smallint" */
	int64_t		start_value;
	int64_t		min_value;
	int64_t		max_value;
	bool		cycle;
} Sequence;

typedef struct EnumType
{
	char	   *schema;
	char	   *name;
	char	  **labels;
	int			nlabels;
	char	   *target_schema;
	char	   *target_name;
	uint32_t	oid;			/* PG type OID; 0 for types made from MySQL ENUM columns */
	bool		used;			/* a migrated column needs it (created on the target) */
} EnumType;

/*
 * PostgreSQL domains and composite types.  On a PostgreSQL target they are
 * created as they are (in dependency order); on CockroachDB, which has
 * neither, domain columns take the domain's base type and composite columns
 * become text.
 */
typedef enum UserTypeKind
{
	USERTYPE_DOMAIN,
	USERTYPE_COMPOSITE,
} UserTypeKind;

typedef struct UserType
{
	UserTypeKind kind;
	char	   *schema;
	char	   *name;
	uint32_t	oid;
	char	   *base_type;		/* domain: base type as format_type() prints it */
	bool		notnull;		/* domain NOT NULL */
	char	   *default_expr;	/* domain DEFAULT, NULL if none */
	char	   *collation;		/* domain COLLATE (pg_catalog collation), NULL if none */
	char	  **check_names;	/* domain CHECK constraints */
	char	  **check_defs;		/* pg_get_constraintdef(): "CHECK (...)" */
	int			nchecks;
	char	  **attr_names;		/* composite attributes */
	char	  **attr_types;		/* format_type() of each */
	int			nattrs;
	uint32_t   *deps;			/* OIDs of the enums/domains/composites it uses */
	int			ndeps;
	bool		used;			/* a migrated column needs it, directly or not */
} UserType;

typedef struct Catalog
{
	Arena		arena;			/* owns everything below */
	ConnEngine	engine;			/* source engine */
	TargetDialect target;		/* dialect the target side was mapped for */
	Table	  **tables;
	int			ntables;
	int			cap_tables;
	Sequence   *sequences;
	int			nsequences;
	int			cap_sequences;
	EnumType   *enums;
	int			nenums;
	int			cap_enums;
	UserType   *types;			/* PG domains and composite types */
	int			ntypes;
	int			cap_types;
	SchemaIssue *issues;		/* what the target cannot carry exactly */
	int			nissues;
	int			cap_issues;
	char	  **extensions;		/* PG target: extensions the mapped types need ... */
	char	  **extension_schemas;	/* ... and the schema each lives in on the source */
	int			nextensions;
	ZeroDatePolicy zero_dates;	/* MySQL converters: --zero-dates */
	bool		mapped;			/* typemap_apply() has filled the target side */
} Catalog;

/*
 * A set of identifiers taken in one target schema, to make derived names
 * (MySQL enum types, sequences, index names) unique.  Strings are borrowed.
 */
typedef struct NameSet
{
	const char **names;
	int			n;
	int			cap;
} NameSet;

void		nameset_add(NameSet *s, const char *name);
bool		nameset_has(const NameSet *s, const char *name);
void		nameset_free(NameSet *s);

/*
 * catalog_unique_ident
 *		A new identifier from base: cut to 63 bytes at a UTF-8 boundary
 *		(PostgreSQL's NAMEDATALEN - 1), then suffixed "_2", "_3", ... while
 *		taken.  Allocated in the catalog's arena and added to taken.
 */
char	   *catalog_unique_ident(Catalog *c, NameSet *taken, const char *base);

#define IDENT_MAX_BYTES 63

/*
 * catalog_fit_ident
 *		name if it fits in 63 bytes, else a deterministic shorter identifier:
 *		its first bytes (cut at a UTF-8 boundary) and "_" and 8 hex digits of
 *		a hash of the whole name.  Allocated in the catalog's arena.
 */
char	   *catalog_fit_ident(Catalog *c, const char *name);

void		catalog_init(Catalog *c, ConnEngine engine);
void		catalog_free(Catalog *c);
Table	   *catalog_add_table(Catalog *c, const char *schema, const char *name);
Table	   *catalog_find_table(const Catalog *c, const char *schema, const char *name);
Column	   *table_add_column(Catalog *c, Table *t, const char *name);
int			table_column_index(const Table *t, const char *name);
Sequence   *catalog_add_sequence(Catalog *c, const char *schema, const char *name);
EnumType   *catalog_add_enum(Catalog *c, const char *schema, const char *name);
UserType   *catalog_add_type(Catalog *c, UserTypeKind kind, const char *schema, const char *name);
Table	   *catalog_find_table_oid(const Catalog *c, uint32_t oid);
EnumType   *catalog_find_enum_oid(const Catalog *c, uint32_t oid);
UserType   *catalog_find_type_oid(const Catalog *c, uint32_t oid);

/* Sort tables (and sequences) by (schema, name) bytewise, so every run plans the same names. */
void		catalog_sort_tables(Catalog *c);

/*
 * catalog_add_issue
 *		Record something the target cannot carry exactly.  object is the
 *		display name of the table/column (copied), hint may be NULL.
 */
void		catalog_add_issue(Catalog *c, IssueLevel level, IssueKind kind, const char *object,
							  const char *hint, const char *fmt, ...)
			__attribute__((format(printf, 6, 7)));
int			catalog_count_issues(const Catalog *c, IssueLevel level, int kind);

/* "schema.table.column" for messages; allocated in arena a. */
char	   *column_display_name(Arena *a, const Table *t, const Column *col);

/* "schema.name" for messages, quoted only where needed; allocated in arena a. */
char	   *ident_display_name(Arena *a, const char *schema, const char *name);

#endif
