/*
 * src/dialect/mysql/binlog_ddl.c
 *	  Statement classification for QUERY events (see binlog_ddl.h).
 *
 * Grammar recognised (keywords case-insensitive, [] optional):
 *   BEGIN | START TRANSACTION | COMMIT | ROLLBACK [WORK] | ROLLBACK TO ... |
 *   SAVEPOINT ... | RELEASE SAVEPOINT ... | XA ...
 *   TRUNCATE [TABLE] name
 *   ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] name ... [RENAME [TO|AS] name]
 *   DROP [TEMPORARY] TABLE[S] [IF EXISTS] name {, name}
 *   DROP {DATABASE|SCHEMA} [IF EXISTS] db
 *   DROP INDEX [IF EXISTS] idx ON name
 *   RENAME TABLE name TO name {, name TO name}
 *   CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] name
 *   CREATE [ONLINE|OFFLINE] [UNIQUE|FULLTEXT|SPATIAL] INDEX [IF NOT EXISTS] idx ... ON name
 *   INSERT [modifiers] [INTO] name | REPLACE [INTO] name | UPDATE [modifiers] name |
 *   DELETE [modifiers] FROM name | LOAD ... | WITH ...   (statement-based DML)
 *   name := ident ['.' ident];  ident := `quoted` | bare word
 * Comments (/_* *_/, -- , #) are skipped; versioned comments /_*!NNNNN ... *_/
 * and /_*M!NNNNNN ... *_/ are read through, since the server executes them.
 */
#include "dialect/mysql/binlog_ddl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct Lex
{
	const char *p;
	const char *end;
	int			vdepth;			/* inside versioned comments */
} Lex;

static bool
is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
		c >= 0x80;
}

static void
skip_space(Lex *l)
{
	while (l->p < l->end)
	{
		unsigned char c = (unsigned char) *l->p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
			l->p++;
		else if (c == '#' || (c == '-' && l->end - l->p >= 3 && l->p[1] == '-' &&
							  (l->p[2] == ' ' || l->p[2] == '\t' || l->p[2] == '\n')))
		{
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		}
		else if (c == '/' && l->end - l->p >= 2 && l->p[1] == '*')
		{
			const char *q = l->p + 2;

			if (q < l->end && (*q == '!' || (*q == 'M' && q + 1 < l->end && q[1] == '!')))
			{
				/* versioned comment: its content is SQL */
				q += *q == '!' ? 1 : 2;
				while (q < l->end && *q >= '0' && *q <= '9')
					q++;
				l->p = q;
				l->vdepth++;
				continue;
			}
			while (q + 1 < l->end && !(q[0] == '*' && q[1] == '/'))
				q++;
			l->p = q + 1 < l->end ? q + 2 : l->end;
		}
		else if (c == '*' && l->vdepth > 0 && l->end - l->p >= 2 && l->p[1] == '/')
		{
			l->p += 2;
			l->vdepth--;
		}
		else
			break;
	}
}

/* Next word (bare identifier or keyword) into buf; false if none. */
static bool
next_word(Lex *l, char *buf, size_t cap)
{
	size_t		n = 0;

	skip_space(l);
	if (l->p >= l->end || !is_word_char((unsigned char) *l->p))
		return false;
	while (l->p < l->end && is_word_char((unsigned char) *l->p))
	{
		if (n + 1 < cap)
			buf[n++] = *l->p;
		l->p++;
	}
	buf[n] = '\0';
	return true;
}

static bool
peek_word(Lex *l, const char *kw)
{
	Lex			save = *l;
	char		w[32];
	bool		r = next_word(l, w, sizeof(w)) && strcasecmp(w, kw) == 0;

	if (!r)
		*l = save;
	return r;
}

static bool
accept_char(Lex *l, char ch)
{
	skip_space(l);
	if (l->p < l->end && *l->p == ch)
	{
		l->p++;
		return true;
	}
	return false;
}

/* ident := `quoted` | "quoted" | bare */
static bool
next_ident(Lex *l, char *buf, size_t cap)
{
	size_t		n = 0;

	skip_space(l);
	if (l->p >= l->end)
		return false;
	if (*l->p == '`' || *l->p == '"')
	{
		char		q = *l->p++;

		while (l->p < l->end)
		{
			if (*l->p == q)
			{
				if (l->p + 1 < l->end && l->p[1] == q)
				{
					if (n + 1 < cap)
						buf[n++] = q;
					l->p += 2;
					continue;
				}
				l->p++;
				buf[n] = '\0';
				return true;
			}
			if (n + 1 < cap)
				buf[n++] = *l->p;
			l->p++;
		}
		return false;
	}
	return next_word(l, buf, cap);
}

/* Skip one non-word token: a quoted identifier, a string literal, or a character. */
static void
skip_token(Lex *l)
{
	char		buf[8];

	skip_space(l);
	if (l->p >= l->end)
		return;
	if (*l->p == '`' || *l->p == '"')
	{
		if (!next_ident(l, buf, sizeof(buf)))
			l->p = l->end;
		return;
	}
	if (*l->p == '\'')
	{
		l->p++;
		while (l->p < l->end)
		{
			if (*l->p == '\\' && l->p + 1 < l->end)
				l->p += 2;
			else if (*l->p == '\'' && l->p + 1 < l->end && l->p[1] == '\'')
				l->p += 2;
			else if (*l->p++ == '\'')
				return;
		}
		return;
	}
	l->p++;
}

static bool
next_name(Lex *l, const char *default_db, BinlogTableName *t)
{
	char		a[193],
				b[193];

	if (!next_ident(l, a, sizeof(a)))
		return false;
	if (accept_char(l, '.'))
	{
		if (!next_ident(l, b, sizeof(b)))
			return false;
		snprintf(t->schema, sizeof(t->schema), "%s", a);
		snprintf(t->name, sizeof(t->name), "%s", b);
	}
	else
	{
		snprintf(t->schema, sizeof(t->schema), "%s", default_db ? default_db : "");
		snprintf(t->name, sizeof(t->name), "%s", a);
	}
	return true;
}

static void
add_name(Lex *l, const char *db, BinlogStmt *out)
{
	BinlogTableName t;

	if (!next_name(l, db, &t))
		return;
	if (out->ntables < BINLOG_DDL_MAX_TABLES)
		out->tables[out->ntables++] = t;
	else
		out->truncated_list = true;
}

const char *
binlog_stmt_kind_name(BinlogStmtKind k)
{
	switch (k)
	{
		case BINLOG_STMT_OTHER:
			return "other";
		case BINLOG_STMT_BEGIN:
			return "BEGIN";
		case BINLOG_STMT_COMMIT:
			return "COMMIT";
		case BINLOG_STMT_ROLLBACK:
			return "ROLLBACK";
		case BINLOG_STMT_XA:
			return "XA";
		case BINLOG_STMT_SAVEPOINT:
			return "SAVEPOINT";
		case BINLOG_STMT_TRUNCATE:
			return "TRUNCATE";
		case BINLOG_STMT_ALTER_TABLE:
			return "ALTER TABLE";
		case BINLOG_STMT_DROP_TABLE:
			return "DROP TABLE";
		case BINLOG_STMT_RENAME_TABLE:
			return "RENAME TABLE";
		case BINLOG_STMT_CREATE_TABLE:
			return "CREATE TABLE";
		case BINLOG_STMT_INDEX:
			return "CREATE/DROP INDEX";
		case BINLOG_STMT_DROP_DATABASE:
			return "DROP DATABASE";
		case BINLOG_STMT_DML:
			return "statement-based DML";
	}
	return "?";
}

void
binlog_stmt_classify(const char *sql, size_t len, const char *db, BinlogStmt *out)
{
	Lex			l = {sql, sql + len, 0};
	char		w[64];

	memset(out, 0, sizeof(*out));
	out->kind = BINLOG_STMT_OTHER;
	if (!next_word(&l, w, sizeof(w)))
		return;
	if (strcasecmp(w, "BEGIN") == 0)
		out->kind = BINLOG_STMT_BEGIN;
	else if (strcasecmp(w, "START") == 0 && peek_word(&l, "TRANSACTION"))
		out->kind = BINLOG_STMT_BEGIN;
	else if (strcasecmp(w, "COMMIT") == 0)
		out->kind = BINLOG_STMT_COMMIT;
	else if (strcasecmp(w, "ROLLBACK") == 0)
	{
		peek_word(&l, "WORK");
		out->kind = peek_word(&l, "TO") ? BINLOG_STMT_SAVEPOINT : BINLOG_STMT_ROLLBACK;
	}
	else if (strcasecmp(w, "SAVEPOINT") == 0 || strcasecmp(w, "RELEASE") == 0)
		out->kind = BINLOG_STMT_SAVEPOINT;
	else if (strcasecmp(w, "XA") == 0)
		out->kind = BINLOG_STMT_XA;
	else if (strcasecmp(w, "INSERT") == 0 || strcasecmp(w, "UPDATE") == 0 || strcasecmp(w, "DELETE") == 0 ||
			 strcasecmp(w, "REPLACE") == 0)
	{
		bool		del = strcasecmp(w, "DELETE") == 0;

		out->kind = BINLOG_STMT_DML;
		while (peek_word(&l, "LOW_PRIORITY") || peek_word(&l, "DELAYED") || peek_word(&l, "HIGH_PRIORITY") ||
			   peek_word(&l, "QUICK") || peek_word(&l, "IGNORE"))
			;
		if (del && !peek_word(&l, "FROM"))
			return;
		peek_word(&l, "INTO");
		add_name(&l, db, out);
	}
	else if (strcasecmp(w, "LOAD") == 0 || strcasecmp(w, "WITH") == 0)
		out->kind = BINLOG_STMT_DML;
	else if (strcasecmp(w, "TRUNCATE") == 0)
	{
		peek_word(&l, "TABLE");
		out->kind = BINLOG_STMT_TRUNCATE;
		add_name(&l, db, out);
	}
	else if (strcasecmp(w, "ALTER") == 0)
	{
		while (peek_word(&l, "ONLINE") || peek_word(&l, "IGNORE"))
			;
		if (!peek_word(&l, "TABLE"))
			return;
		out->kind = BINLOG_STMT_ALTER_TABLE;
		if (peek_word(&l, "IF"))
			peek_word(&l, "EXISTS");
		add_name(&l, db, out);
		/* ALTER TABLE t ... RENAME [TO|AS] t2 (not RENAME COLUMN/INDEX/KEY) */
		while (l.p < l.end)
		{
			if (!next_word(&l, w, sizeof(w)))
			{
				skip_token(&l);
				continue;
			}
			if (strcasecmp(w, "RENAME") == 0)
			{
				if (peek_word(&l, "COLUMN") || peek_word(&l, "INDEX") || peek_word(&l, "KEY"))
					continue;
				if (!peek_word(&l, "TO"))
					peek_word(&l, "AS");
				add_name(&l, db, out);
			}
		}
	}
	else if (strcasecmp(w, "DROP") == 0)
	{
		if (peek_word(&l, "DATABASE") || peek_word(&l, "SCHEMA"))
		{
			char		name[193];

			if (peek_word(&l, "IF"))
				peek_word(&l, "EXISTS");
			out->kind = BINLOG_STMT_DROP_DATABASE;
			if (next_ident(&l, name, sizeof(name)))
			{
				snprintf(out->tables[0].schema, sizeof(out->tables[0].schema), "%s", name);
				out->ntables = 1;
			}
			return;
		}
		if (peek_word(&l, "INDEX"))
		{
			char		idx[193];

			if (peek_word(&l, "IF"))
				peek_word(&l, "EXISTS");
			out->kind = BINLOG_STMT_INDEX;
			if (next_ident(&l, idx, sizeof(idx)) && peek_word(&l, "ON"))
				add_name(&l, db, out);
			return;
		}
		peek_word(&l, "TEMPORARY");
		if (!peek_word(&l, "TABLE") && !peek_word(&l, "TABLES"))
			return;
		out->kind = BINLOG_STMT_DROP_TABLE;
		if (peek_word(&l, "IF"))
			peek_word(&l, "EXISTS");
		do
			add_name(&l, db, out);
		while (accept_char(&l, ','));
	}
	else if (strcasecmp(w, "RENAME") == 0)
	{
		if (!peek_word(&l, "TABLE") && !peek_word(&l, "TABLES"))
			return;
		out->kind = BINLOG_STMT_RENAME_TABLE;
		do
		{
			add_name(&l, db, out);
			if (!peek_word(&l, "TO"))
				break;
			add_name(&l, db, out);
		} while (accept_char(&l, ','));
	}
	else if (strcasecmp(w, "CREATE") == 0)
	{
		if (peek_word(&l, "OR"))
		{
			peek_word(&l, "REPLACE");
			out->create_or_replace = true;
		}
		while (peek_word(&l, "ONLINE") || peek_word(&l, "OFFLINE") || peek_word(&l, "UNIQUE") ||
			   peek_word(&l, "FULLTEXT") || peek_word(&l, "SPATIAL"))
			;
		if (peek_word(&l, "INDEX"))
		{
			out->kind = BINLOG_STMT_INDEX;
			/* skip to ON, then the table */
			while (l.p < l.end)
			{
				if (next_word(&l, w, sizeof(w)))
				{
					if (strcasecmp(w, "ON") == 0)
					{
						add_name(&l, db, out);
						return;
					}
				}
				else
					skip_token(&l);
			}
			return;
		}
		peek_word(&l, "TEMPORARY");
		if (!peek_word(&l, "TABLE"))
			return;
		out->kind = BINLOG_STMT_CREATE_TABLE;
		if (peek_word(&l, "IF"))
		{
			peek_word(&l, "NOT");
			peek_word(&l, "EXISTS");
		}
		add_name(&l, db, out);
	}
}
