/*
 * src/dialect/pg/pg_changes.c
 *	  pgoutput messages to ChangeBatches (see pg_changes.h; the batching rules
 *	  are described at the top of pg_stream.c).
 *
 * Relations are mapped to catalog tables by schema and name.  A table outside
 * the catalog is not part of the migration: its changes are skipped (logged
 * once per relation description).  A table in the catalog is checked, at its
 * first change, against the catalog: every column sent must exist there with
 * the same type OID, every catalog column must be sent (generated columns
 * excepted), and the replica identity must cover the primary key; anything
 * else fails, naming the table and column.  Values pass through in
 * PostgreSQL's text form; 'u' (unchanged TOAST) becomes DATUM_UNCHANGED,
 * never NULL; columns a key-only old tuple does not carry are DATUM_ABSENT.
 */
#include "dialect/pg/pg_changes.h"

#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "common/timeutil.h"

/*
 * PostgreSQL money text -> numeric text: "-$1,234.56" -> "-1234.56", and the
 * same inside an array literal ({"$1.00","-$2,000.00"} -> {1.00,-2000.00}).
 * The replication session runs with lc_monetary = C (pg_conn.c), so the
 * form is fixed: an optional minus, "$", thousands separated by ",".
 */
static void
money_to_numeric(const char *in, size_t len, StrBuf *out)
{
	bool		array = len > 0 && in[0] == '{';
	bool		quoted = false;

	for (size_t i = 0; i < len; i++)
	{
		char		ch = in[i];

		if (ch == '"')
			quoted = !quoted;
		else if (ch == ',')
		{
			/* inside an array, a comma outside quotes separates elements */
			if (array && !quoted)
				sb_appendc(out, ',');
		}
		else if (ch != '$')
			sb_appendc(out, ch);
	}
}

static const char *const SCHEMA_HINT =
	"the slot keeps the WAL: align the target schema and the migration's catalog with the source, then restart replication";

/* ------------------------------------------------------------ relations */

/*
 * What a Relation message told us, copied out of the message (owned by the
 * entry's arena), plus its mapping to the catalog, built at the first change.
 */
struct RelEntry
{
	Arena		arena;			/* owns everything below */
	uint32_t	relid;
	char	   *nspname;
	char	   *relname;
	char		replident;
	int			ncols;
	PgoRelColumn *cols;			/* names copied into the arena */
	Table	   *table;			/* NULL: not in the migration */
	bool		checked;		/* mapping built and validated */
	int		   *col_of;			/* per catalog column: index in cols, -1 if not sent */
	bool		logged_skip;
};

/* ------------------------------------------------------------ helpers */

static void
fmt_lsn(Lsn l, char *buf, size_t len)
{
	lsn_format(l, buf, (int) len);
}

static uint32_t
rel_hash(uint32_t relid)
{
	return relid * 2654435761u;
}

static RelEntry *
relmap_get(const RelMap *m, uint32_t relid)
{
	if (m->cap == 0)
		return NULL;
	for (uint32_t i = rel_hash(relid) & (uint32_t) (m->cap - 1);; i = (i + 1) & (uint32_t) (m->cap - 1))
	{
		if (m->slots[i] == NULL)
			return NULL;
		if (m->slots[i]->relid == relid)
			return m->slots[i];
	}
}

static void
rel_entry_free(RelEntry *e)
{
	arena_free(&e->arena);
	free(e);
}

/* Put e in the map (takes ownership), replacing and freeing an older entry. */
static void
relmap_put(RelMap *m, RelEntry *e)
{
	if ((m->n + 1) * 2 > m->cap)
	{
		RelMap		bigger = {0};

		bigger.cap = m->cap ? m->cap * 2 : 64;
		bigger.slots = gw_new_array(RelEntry *, (size_t) bigger.cap);
		for (int i = 0; i < m->cap; i++)
			if (m->slots[i])
				relmap_put(&bigger, m->slots[i]);
		free(m->slots);
		*m = bigger;
	}
	for (uint32_t i = rel_hash(e->relid) & (uint32_t) (m->cap - 1);; i = (i + 1) & (uint32_t) (m->cap - 1))
	{
		if (m->slots[i] == NULL)
		{
			m->slots[i] = e;
			m->n++;
			return;
		}
		if (m->slots[i]->relid == e->relid)
		{
			rel_entry_free(m->slots[i]);
			m->slots[i] = e;
			return;
		}
	}
}

static void
relmap_free(RelMap *m)
{
	for (int i = 0; i < m->cap; i++)
		if (m->slots[i])
			rel_entry_free(m->slots[i]);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------ schema check */

/*
 * rel_check
 *		Map a relation's columns to its catalog table and refuse a drifted
 *		schema.  False on a mismatch (logged with the table, the column, and
 *		what to do).
 */
static bool
rel_check(RelEntry *e)
{
	Table	   *t = e->table;

	e->col_of = arena_alloc_array0(&e->arena, (size_t) (t->ncolumns ? t->ncolumns : 1), sizeof(int));
	for (int i = 0; i < t->ncolumns; i++)
		e->col_of[i] = -1;

	for (int j = 0; j < e->ncols; j++)
	{
		const PgoRelColumn *rc = &e->cols[j];
		int			i = table_column_index(t, rc->name);

		if (i < 0)
		{
			err_set_kind(ERR_SCHEMA);
			log_error_dh("the source sends a column the migration does not know (added or renamed after the schema was read)",
						 SCHEMA_HINT,
						 "table %s changed on the source: unknown column \"%s\"", t->display, rc->name);
			return false;
		}
		if (e->col_of[i] >= 0)
		{
			err_set_kind(ERR_SCHEMA);
			log_error("table %s: column \"%s\" sent twice by the source", t->display, rc->name);
			return false;
		}
		if (t->columns[i].type_oid != 0 && t->columns[i].type_oid != rc->type_oid)
		{
			char	   *detail = gw_asprintf("the source now sends type OID %u, the migration was planned for %s (OID %u)",
											 rc->type_oid,
											 t->columns[i].source_type ? t->columns[i].source_type : "?",
											 t->columns[i].type_oid);

			err_set_kind(ERR_SCHEMA);
			log_error_dh(detail, SCHEMA_HINT, "table %s changed on the source: column \"%s\" changed type",
						 t->display, rc->name);
			free(detail);
			return false;
		}
		e->col_of[i] = j;
	}
	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *c = &t->columns[i];

		if (e->col_of[i] >= 0 || c->generated_expr != NULL || c->skip)
			continue;
		err_set_kind(ERR_SCHEMA);
		log_error_dh("the column is missing from the replication stream: dropped or renamed on the source, or left out by the publication's column list",
					 SCHEMA_HINT,
					 "table %s changed on the source: column \"%s\" is no longer sent", t->display, c->name);
		return false;
	}
	/* deletes and key changes are applied by primary key: the identity must hold it */
	if (e->replident == 'd' || e->replident == 'i')
	{
		for (int k = 0; k < t->npk; k++)
		{
			int			j = e->col_of[t->pk[k]];

			if (j < 0 || !(e->cols[j].flags & PGO_COLUMN_KEY))
			{
				err_set_kind(ERR_SCHEMA);
				log_error_dh("updates and deletes would not identify the row on the target",
							 "ALTER TABLE ... REPLICA IDENTITY DEFAULT (the primary key) or FULL on the source, then restart replication",
							 "table %s: the replica identity does not include primary key column \"%s\"",
							 t->display, t->columns[t->pk[k]].name);
				return false;
			}
		}
	}
	e->checked = true;
	return true;
}

/* Copy a Relation message into a new entry and map it to the catalog. */
static bool
rel_store(PgChanges *pc, const PgoRelation *r)
{
	RelEntry   *e = gw_new(RelEntry);

	arena_init(&e->arena, 1024);
	e->relid = r->relid;
	e->nspname = arena_strdup(&e->arena, r->nspname[0] ? r->nspname : "pg_catalog");
	e->relname = arena_strdup(&e->arena, r->relname);
	e->replident = r->replident;
	e->ncols = r->ncols;
	e->cols = arena_alloc_array0(&e->arena, (size_t) (r->ncols ? r->ncols : 1), sizeof(PgoRelColumn));
	for (int i = 0; i < r->ncols; i++)
	{
		e->cols[i] = r->cols[i];
		e->cols[i].name = arena_strdup(&e->arena, r->cols[i].name);
	}
	e->table = catalog_find_table(pc->cat, e->nspname, e->relname);
	if (e->table == NULL)
	{
		/* a table of the migration under a new name would lose its changes */
		for (int i = 0; i < pc->cat->ntables; i++)
		{
			Table	   *t = pc->cat->tables[i];

			if (t->oid != 0 && t->oid == e->relid)
			{
				char	   *now = ident_display_name(&e->arena, e->nspname, e->relname);

				err_set_kind(ERR_SCHEMA);
				log_error_dh(NULL, SCHEMA_HINT, "table %s was renamed on the source to %s",
							 t->display, now);
				rel_entry_free(e);
				return false;
			}
		}
	}
	relmap_put(&pc->rels, e);
	return true;
}

/* ------------------------------------------------------------ rows */

/*
 * tuple_to_datums
 *		Convert a TupleData into one Datum per catalog column, in catalog
 *		order, with values copied into the batch arena.  old_kind is 0 for a
 *		new tuple, 'K' or 'O' for an old one.  False on a malformed tuple
 *		(logged).
 */
static bool
tuple_to_datums(RelEntry *e, const PgoTuple *tup, char old_kind, ChangeBatch *b,
				Lsn lsn, Datum **out)
{
	Table	   *t = e->table;
	Datum	   *d;

	if (tup->ncols != e->ncols)
	{
		log_error("could not decode a change to %s at %X/%X: tuple has %d columns, relation has %d",
				  t->display, LSN_ARGS(lsn), tup->ncols, e->ncols);
		return false;
	}
	d = change_batch_datums(b, t->ncolumns);
	for (int i = 0; i < t->ncolumns; i++)
	{
		int			j = e->col_of[i];
		const PgoValue *v;

		if (j < 0)
		{
			d[i].kind = DATUM_ABSENT;
			continue;
		}
		v = &tup->values[j];
		switch (v->kind)
		{
			case PGO_VALUE_NULL:
				/* a key-only old tuple sends the other columns as nulls */
				d[i].kind = (old_kind == 'K' && !(e->cols[j].flags & PGO_COLUMN_KEY))
					? DATUM_ABSENT : DATUM_NULL;
				break;
			case PGO_VALUE_UNCHANGED:
				d[i].kind = old_kind ? DATUM_ABSENT : DATUM_UNCHANGED;
				break;
			case PGO_VALUE_TEXT:
				if (t->columns[i].conv == CONV_PG_EXPR && t->columns[i].source_base &&
					strcmp(t->columns[i].source_base, "money") == 0)
				{
					/* what fetch's "col::numeric" does, for streamed money text */
					StrBuf		num;

					sb_init(&num, (size_t) v->len + 16);
					money_to_numeric((const char *) v->data, v->len, &num);
					datum_set_text(b, &d[i], num.data, num.len);
					sb_free(&num);
				}
				else
					datum_set_text(b, &d[i], (const char *) v->data, v->len);
				break;
			case PGO_VALUE_BINARY:
				log_error("could not decode a change to %s at %X/%X: column \"%s\" arrived in binary form",
						  t->display, LSN_ARGS(lsn), t->columns[i].name);
				return false;
		}
	}
	*out = d;
	return true;
}

/* Is the batch full, so that the next change must start a new chunk? */
static bool
batch_full(const PgChanges *pc, const ChangeBatch *b)
{
	return b->nchanges > 0 && (b->nchanges >= pc->max_changes || b->bytes >= pc->max_bytes);
}

/* Fill the batch's transaction identity (see the header comment). */
static void
batch_set_txn(PgChanges *pc, ChangeBatch *b, bool is_last, Lsn end_lsn)
{
	Lsn			pos = is_last ? end_lsn : pc->last_end;

	fmt_lsn(pos, b->txn.position, sizeof(b->txn.position));
	fmt_lsn(pc->txn_final_lsn, b->txn.txn_id, sizeof(b->txn.txn_id));
	b->txn.lsn = pos;
	b->txn.commit_time_us = pc->txn_commit_us;
	b->is_last = is_last;
	if (b->nchanges == 0)
		b->first_index = pc->txn_index;
}


/*
 * Admit one more change of the current transaction into b: false when it
 * must be skipped (already applied before a restart), *full when the batch
 * has no room (the message stays pending).
 */
static bool
admit_change(PgChanges *pc, ChangeBatch *b, bool *full)
{
	*full = false;
	if (pc->txn_index < pc->txn_skip_prefix)
	{
		pc->txn_index++;
		return false;
	}
	if (batch_full(pc, b))
	{
		*full = true;
		return false;
	}
	if (b->nchanges == 0)
		b->first_index = pc->txn_index;
	pc->txn_index++;
	return true;
}

/*
 * process_row
 *		An INSERT, UPDATE or DELETE: map it to its catalog table (checked at the
 *		first change) and add it to the batch, unless it belongs to a dropped
 *		transaction, a table outside the migration, or the applied prefix.
 */
static PgChangesOutcome
process_row(PgChanges *pc, const PgoMsg *m, ChangeBatch *b, Lsn lsn)
{
	const PgoRowChange *row = &m->u.row;
	RelEntry   *e = relmap_get(&pc->rels, row->relid);
	Change	   *c;
	Datum	   *old_row = NULL,
			   *new_row = NULL;
	bool		full;
	ChangeOp	op = m->type == PGO_MSG_INSERT ? CHANGE_INSERT
		: m->type == PGO_MSG_UPDATE ? CHANGE_UPDATE : CHANGE_DELETE;

	if (e == NULL)
	{
		log_error("could not decode a change at %X/%X: no RELATION message for relation OID %u",
				  LSN_ARGS(lsn), row->relid);
		return PGCH_FAILED;
	}
	if (pc->txn_drop)
		return PGCH_CONSUMED;
	if (e->table == NULL)
	{
		if (!e->logged_skip)
			log_info("skipping changes to \"%s\".\"%s\": the table is not part of the migration",
					 e->nspname, e->relname);
		e->logged_skip = true;
		return PGCH_CONSUMED;
	}
	if (!e->checked && !rel_check(e))
		return PGCH_FAILED;
	if (!admit_change(pc, b, &full))
		return full ? PGCH_BATCH_FULL : PGCH_CONSUMED;

	if (row->old_kind && !tuple_to_datums(e, &row->old_tuple, row->old_kind, b, lsn, &old_row))
		return PGCH_FAILED;
	if (row->has_new && !tuple_to_datums(e, &row->new_tuple, 0, b, lsn, &new_row))
		return PGCH_FAILED;
	c = change_batch_add(b, op, e->table);
	c->old_row = old_row;
	c->new_row = new_row;
	return PGCH_CONSUMED;
}

/*
 * process_truncate
 *		One TRUNCATE change naming the catalog tables among the relations
 *		truncated (nothing when none is in the migration).
 */
static PgChangesOutcome
process_truncate(PgChanges *pc, const PgoMsg *m, ChangeBatch *b, Lsn lsn)
{
	const PgoTruncate *tr = &m->u.truncate;
	Table	  **tables = NULL;
	int			n = 0;
	bool		full;

	if (pc->txn_drop)
		return PGCH_CONSUMED;
	for (int i = 0; i < tr->nrelids; i++)
	{
		RelEntry   *e = relmap_get(&pc->rels, tr->relids[i]);

		if (e == NULL)
		{
			log_error("could not decode a TRUNCATE at %X/%X: no RELATION message for relation OID %u",
					  LSN_ARGS(lsn), tr->relids[i]);
			return PGCH_FAILED;
		}
		if (e->table == NULL)
			continue;
		if (!e->checked && !rel_check(e))
			return PGCH_FAILED;
		if (tables == NULL)
			tables = arena_alloc_array0(&pc->msg_arena, (size_t) tr->nrelids, sizeof(Table *));
		tables[n++] = e->table;
	}
	if (n == 0)
		return PGCH_CONSUMED;
	if (!admit_change(pc, b, &full))
		return full ? PGCH_BATCH_FULL : PGCH_CONSUMED;

	Change	   *c = change_batch_add(b, CHANGE_TRUNCATE, n == 1 ? tables[0] : NULL);

	c->truncate_tables = arena_memdup(&b->arena, tables, sizeof(Table *) * (size_t) n);
	c->ntruncate = n;
	c->truncate_cascade = (tr->options & PGO_TRUNCATE_CASCADE) != 0;
	return PGCH_CONSUMED;
}

/*
 * pg_changes_feed
 *		Decode and apply one pgoutput message to the transaction state and the
 *		batch (see pg_changes.h).
 */
PgChangesOutcome
pg_changes_feed(PgChanges *pc, const uint8_t *buf, size_t len, Lsn lsn, ChangeBatch *b)
{
	PgoMsg		m;
	PgoError	err;
	PgChangesOutcome	out = PGCH_CONSUMED;

	arena_reset(&pc->msg_arena);
	if (!pgoutput_decode_message(buf, len, &pc->dopt, &pc->msg_arena, &m, &err))
	{
		char	   *detail = gw_asprintf("message type '%c' (0x%02x), %zu bytes, error at byte %zu",
										 len && buf[0] >= 0x20 && buf[0] < 0x7f ? buf[0] : '?',
										 len ? buf[0] : 0, len, err.offset);

		log_error_dh(detail, NULL, "could not decode pgoutput message at %X/%X from slot \"%s\": %s",
					 LSN_ARGS(lsn), pc->slot, pgoutput_error_text(err.code));
		free(detail);
		return PGCH_FAILED;
	}

	switch (m.type)
	{
		case PGO_MSG_BEGIN:
			if (pc->in_txn)
			{
				log_error("unexpected BEGIN at %X/%X inside transaction %X/%X", LSN_ARGS(lsn),
						  LSN_ARGS(pc->txn_final_lsn));
				return PGCH_FAILED;
			}
			pc->in_txn = true;
			pc->txn_final_lsn = m.u.begin.final_lsn;
			pc->txn_commit_us = pg_changes_unix_time(m.u.begin.commit_time);
			pc->txn_index = 0;
			pc->txn_skip_prefix = 0;
			/* commit records do not overlap: final < start means end <= start */
			pc->txn_drop = pc->txn_final_lsn < pc->start_lsn;
			if (!pc->txn_drop && pc->resume_txn_id)
			{
				char		id[LSN_STRLEN];

				fmt_lsn(pc->txn_final_lsn, id, sizeof(id));
				if (strcmp(id, pc->resume_txn_id) == 0)
				{
					pc->txn_skip_prefix = pc->resume_applied;
					log_info("resuming inside transaction %s after its first %lld changes", id,
							 (long long) pc->resume_applied);
				}
				/* only the first transaction after the start can be the one */
				free(pc->resume_txn_id);
				pc->resume_txn_id = NULL;
			}
			break;
		case PGO_MSG_COMMIT:
			if (!pc->in_txn || m.u.commit.commit_lsn != pc->txn_final_lsn)
			{
				log_error("unexpected COMMIT %X/%X at %X/%X (transaction in progress: %X/%X)",
						  LSN_ARGS(m.u.commit.commit_lsn), LSN_ARGS(lsn),
						  LSN_ARGS(pc->in_txn ? pc->txn_final_lsn : 0));
				return PGCH_FAILED;
			}
			pc->in_txn = false;
			if (pc->txn_drop)
				break;
			batch_set_txn(pc, b, true, m.u.commit.end_lsn);
			pc->last_end = m.u.commit.end_lsn;
			out = PGCH_TXN_DONE;
			break;
		case PGO_MSG_RELATION:
			if (!rel_store(pc, &m.u.relation))
				return PGCH_FAILED;
			break;
		case PGO_MSG_INSERT:
		case PGO_MSG_UPDATE:
		case PGO_MSG_DELETE:
		case PGO_MSG_TRUNCATE:
			if (!pc->in_txn)
			{
				log_error("unexpected change outside a transaction at %X/%X", LSN_ARGS(lsn));
				return PGCH_FAILED;
			}
			out = m.type == PGO_MSG_TRUNCATE ? process_truncate(pc, &m, b, lsn)
				: process_row(pc, &m, b, lsn);
			break;
		case PGO_MSG_ORIGIN:
		case PGO_MSG_TYPE:
		case PGO_MSG_MESSAGE:
			/* origins, type names and logical messages carry no row data */
			break;
		default:
			/* streamed or prepared transactions: never requested */
			log_error("unexpected pgoutput message '%c' at %X/%X: in-progress and prepared transactions were not requested",
					  (char) m.type, LSN_ARGS(lsn));
			return PGCH_FAILED;
	}
	if (out == PGCH_BATCH_FULL)
		batch_set_txn(pc, b, false, 0);
	return out;
}

void
pg_changes_cut(PgChanges *pc, ChangeBatch *b)
{
	batch_set_txn(pc, b, false, 0);
}

void
pg_changes_init(PgChanges *pc, Catalog *cat, const char *slot, Lsn start_lsn,
				const char *resume_txn_id, int64_t resume_applied, int max_changes,
				int64_t max_bytes)
{
	memset(pc, 0, sizeof(*pc));
	pc->cat = cat;
	pc->slot = gw_strdup(slot ? slot : "");
	pc->start_lsn = start_lsn;
	pc->last_end = start_lsn;
	if (resume_txn_id && resume_txn_id[0] && resume_applied > 0)
	{
		pc->resume_txn_id = gw_strdup(resume_txn_id);
		pc->resume_applied = resume_applied;
	}
	pc->max_changes = max_changes > 0 ? max_changes : 1;
	pc->max_bytes = max_bytes > 0 ? max_bytes : INT64_MAX;
	pc->dopt.proto_version = PG_CHANGES_PROTO_VERSION;
	arena_init(&pc->msg_arena, 16 * 1024);
}

void
pg_changes_free(PgChanges *pc)
{
	relmap_free(&pc->rels);
	arena_free(&pc->msg_arena);
	free(pc->slot);
	free(pc->resume_txn_id);
	memset(pc, 0, sizeof(*pc));
}
