/*
 * src/common/checklist.h
 *	  A preflight report: items with OK / WARN / FAIL, a message and a hint
 *	  on how to fix it, rendered as a readable table or as JSON.
 */
#ifndef GODWIT_COMMON_CHECKLIST_H
#define GODWIT_COMMON_CHECKLIST_H

#include <stdbool.h>
#include <stdio.h>

typedef enum CheckStatus
{
	CHECK_OK,
	CHECK_WARN,
	CHECK_FAIL,
} CheckStatus;

typedef struct CheckItem
{
	char	   *scope;			/* "source", "target" */
	char	   *name;			/* short id: "wal_level", "binlog_format" */
	CheckStatus status;
	char	   *message;		/* what was found */
	char	   *hint;			/* how to fix it; NULL when OK */
} CheckItem;

typedef struct CheckList
{
	CheckItem  *items;
	size_t		n;
	size_t		cap;
} CheckList;

void		checklist_init(CheckList *cl);
void		checklist_free(CheckList *cl);
void		checklist_add(CheckList *cl, const char *scope, const char *name, CheckStatus status,
						  const char *hint, const char *fmt, ...)
			__attribute__((format(printf, 6, 7)));
int			checklist_count(const CheckList *cl, CheckStatus status);
const CheckItem *checklist_find(const CheckList *cl, const char *scope, const char *name);
void		checklist_print_text(const CheckList *cl, FILE *out, bool color);
void		checklist_print_json(const CheckList *cl, FILE *out);

#endif
