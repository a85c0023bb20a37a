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
 * for a given target dialect; ddl.c renders target DDL from it.
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
	CONV_MY_GEOMETRY,			/* SRID + WKB -> EWKB hex / WKT per mapping */
	CONV_MY_TEXT,				/* character data; NUL bytes rejected */
} ValueConv;

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
	int64_t		length;			/* character/binary length, -1 when unbounded */
	int			precision;		/* numeric/decimal precision, -1 when unbounded */
	int			scale;			/* numeric/decimal scale, -1 when unbounded */
	int			fsp;			/* fractional seconds precision (time types), -1 default */
	bool		is_unsigned;	/* MySQL UNSIGNED */
	bool		zerofill;		/* MySQL ZEROFILL */
	char	  **enum_labels;	/* MySQL ENUM/SET members, PG enum labels */
	int			nenum_labels;
	char	   *charset;		/* MySQL character set of text columns */
	char	   *collation;
	bool		nullable;
	char	   *default_expr;	/* source default expression, NULL if none */
	char	   *generated_expr; /* generated column expression, NULL if not generated */
	bool		generated_stored;
	char		identity;		/* PG: 'a' ALWAYS, 'd' BY DEFAULT, 0 none */
	bool		auto_increment; /* MySQL AUTO_INCREMENT */

	/* --- target side (filled by typemap) --- */
	char	   *target_type;	/* SQL type on the target, ready to print */
	char	   *target_default; /* default on the target (finalize), NULL if none */
	ValueConv	conv;
	char	   *select_expr;	/* PG source: expression for the SELECT list */
	bool		skip;			/* not copied (virtual generated column) */
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
} ForeignKeyDef;

typedef struct CheckDef
{
	char	   *name;
	char	   *expr;
	char	   *target_ddl;
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
	int64_t		est_rows;		/* planner estimate */
	int64_t		est_bytes;		/* on-disk size estimate */
	bool		is_partitioned; /* PG partitioned parent (no rows of its own) */
	char	   *partition_of;	/* PG partition: "schema"."parent" name, NULL otherwise */
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
} Sequence;

typedef struct EnumType
{
	char	   *schema;
	char	   *name;
	char	  **labels;
	int			nlabels;
} EnumType;

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
} Catalog;

void		catalog_init(Catalog *c, ConnEngine engine);
void		catalog_free(Catalog *c);
Table	   *catalog_add_table(Catalog *c, const char *schema, const char *name);
Table	   *catalog_find_table(const Catalog *c, const char *schema, const char *name);
Column	   *table_add_column(Catalog *c, Table *t, const char *name);
int			table_column_index(const Table *t, const char *name);
Sequence   *catalog_add_sequence(Catalog *c, const char *schema, const char *name);
EnumType   *catalog_add_enum(Catalog *c, const char *schema, const char *name);

/* "schema.name" for messages, quoted only where needed; allocated in arena a. */
char	   *ident_display_name(Arena *a, const char *schema, const char *name);

#endif
