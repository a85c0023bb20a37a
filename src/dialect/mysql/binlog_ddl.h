/*
 * src/dialect/mysql/binlog_ddl.h
 *	  Classify the SQL of a binlog QUERY event: transaction control, DDL that
 *	  touches tables (and which tables), or anything else.
 *
 * Row-based replication sends data changes as ROWS events; QUERY events
 * carry BEGIN/COMMIT and DDL.  The stream needs to know when a statement
 * changes a replicated table (TRUNCATE becomes a change; ALTER/DROP/RENAME
 * must stop replication so the target schema can follow).  This is a small
 * tokenizer over the statement head, not a SQL parser: it recognises the
 * statement kinds below and the table names they name.  Pure.
 */
#ifndef GODWIT_DIALECT_MYSQL_BINLOG_DDL_H
#define GODWIT_DIALECT_MYSQL_BINLOG_DDL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum BinlogStmtKind
{
	BINLOG_STMT_OTHER,			/* not about table data or structure (GRANT, CREATE VIEW, ...) */
	BINLOG_STMT_BEGIN,
	BINLOG_STMT_COMMIT,
	BINLOG_STMT_ROLLBACK,
	BINLOG_STMT_XA,				/* XA START/END/PREPARE/COMMIT/ROLLBACK */
	BINLOG_STMT_SAVEPOINT,		/* SAVEPOINT / ROLLBACK TO / RELEASE */
	BINLOG_STMT_TRUNCATE,		/* tables[0] */
	BINLOG_STMT_ALTER_TABLE,	/* tables[0] (ALTER ... RENAME TO: tables[1] too) */
	BINLOG_STMT_DROP_TABLE,		/* tables[] */
	BINLOG_STMT_RENAME_TABLE,	/* tables[] (old and new names) */
	BINLOG_STMT_CREATE_TABLE,	/* tables[0] */
	BINLOG_STMT_INDEX,			/* CREATE/DROP INDEX ... ON tables[0] */
	BINLOG_STMT_DROP_DATABASE,	/* database name in tables[0].schema */
	BINLOG_STMT_DML,			/* INSERT/UPDATE/DELETE/REPLACE (tables[0]) or LOAD/WITH in statement format */
} BinlogStmtKind;

#define BINLOG_DDL_MAX_TABLES 16

typedef struct BinlogTableName
{
	char		schema[193];	/* 64 chars x 3 bytes + NUL */
	char		name[193];
} BinlogTableName;

typedef struct BinlogStmt
{
	BinlogStmtKind kind;
	BinlogTableName tables[BINLOG_DDL_MAX_TABLES];
	int			ntables;
	bool		truncated_list; /* more tables than BINLOG_DDL_MAX_TABLES */
	bool		create_or_replace;
} BinlogStmt;

/*
 * binlog_stmt_classify
 *		Classify sql[0..len); unqualified table names get default_db (the
 *		QUERY event's database).  Comments and whitespace before the statement
 *		are skipped; names may be `quoted` (`` inside them) or bare.
 */
void		binlog_stmt_classify(const char *sql, size_t len, const char *default_db, BinlogStmt *out);

const char *binlog_stmt_kind_name(BinlogStmtKind kind);

#endif
