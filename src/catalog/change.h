/*
 * src/catalog/change.h
 *	  The engine-neutral change model: what replication decodes from a source
 *	  (pgoutput, MySQL row binlog) and the applier writes to the target.
 *
 * A source transaction is delivered as one or more ChangeBatch chunks, in
 * order.  Small transactions arrive whole (is_last set); a huge one arrives in
 * chunks of bounded size so memory does not grow with it (issue: a single
 * 1,000,000-row transaction under 200 MB RSS).  Every chunk carries the
 * transaction's identity and the index of its first change, so the applier
 * can checkpoint "inside transaction T, after change k" and, after a crash,
 * skip the first k changes when the source re-sends T from its start.
 *
 * Values are text in the *target's* input format (the mapping's conversion
 * already applied), one Datum per catalog column, in catalog column order.
 */
#ifndef GODWIT_CATALOG_CHANGE_H
#define GODWIT_CATALOG_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "common/arena.h"

typedef enum DatumKind
{
	DATUM_NULL,
	DATUM_TEXT,					/* val[0..len) is the value, NUL-terminated at val[len] */
	DATUM_UNCHANGED,			/* PostgreSQL unchanged TOAST value: keep the target's */
	DATUM_ABSENT,				/* not sent (MySQL minimal row image): keep the target's */
} DatumKind;

typedef struct Datum
{
	DatumKind	kind;
	uint32_t	len;
	const char *val;
} Datum;

typedef enum ChangeOp
{
	CHANGE_INSERT,
	CHANGE_UPDATE,
	CHANGE_DELETE,
	CHANGE_TRUNCATE,
} ChangeOp;

typedef struct Change
{
	ChangeOp	op;
	Table	   *table;			/* catalog table; NULL for TRUNCATE of several (see tables) */
	Datum	   *new_row;		/* INSERT/UPDATE: ncolumns datums; NULL otherwise */
	Datum	   *old_row;		/* UPDATE: old values when the key changed or replica
								 * identity FULL (ncolumns datums, non-key ones may be
								 * DATUM_ABSENT); DELETE: at least the key; else NULL */
	Table	  **truncate_tables;	/* TRUNCATE: the tables (ntruncate) */
	int			ntruncate;
	bool		truncate_cascade;
} Change;

/*
 * Identity of a source transaction and the position replication reaches once
 * it is applied.  `position` is the text stored in the checkpoint: an LSN
 * ("16/B374D848") for PostgreSQL, a GTID position/set for MySQL/MariaDB.
 */
typedef struct TxnInfo
{
	char		position[512];	/* after this transaction (resume point) */
	char		txn_id[128];	/* stable id within the stream: commit LSN / GTID */
	uint64_t	lsn;			/* PostgreSQL: commit end LSN; 0 for MySQL */
	int64_t		commit_time_us; /* source commit timestamp, Unix epoch us; 0 unknown */
} TxnInfo;

typedef struct ChangeBatch
{
	Arena		arena;			/* owns changes and every value of this batch */
	TxnInfo		txn;
	int64_t		first_index;	/* index of changes[0] within the transaction */
	bool		is_last;		/* the transaction's commit is in this batch */
	Change	   *changes;
	int			nchanges;
	int			cap;
	int64_t		bytes;			/* approximate payload bytes (for batching limits) */
} ChangeBatch;

void		change_batch_init(ChangeBatch *b);
void		change_batch_reset(ChangeBatch *b);	/* keeps the arena's blocks */
void		change_batch_free(ChangeBatch *b);
/* Append a change (zeroed) and return it; datums are allocated by the caller
 * in b->arena (change_batch_datums). */
Change	   *change_batch_add(ChangeBatch *b, ChangeOp op, Table *t);
Datum	   *change_batch_datums(ChangeBatch *b, int n);	/* n zeroed datums (DATUM_NULL) */
/* Copy val into the batch arena (NUL-terminated) and set d to it. */
void		datum_set_text(ChangeBatch *b, Datum *d, const char *val, size_t len);

#endif
