/*
 * tests/fuzz/fuzz_pgstream.c
 *	  libFuzzer entry point for the message-to-batch assembly of the
 *	  PostgreSQL stream (src/dialect/pg/pg_changes.c): sequences of pgoutput
 *	  messages against a fixed catalog.
 *
 * Input: two option bytes, then records of Int16 (big-endian) length + one
 * pgoutput message, fed in order the way pg_stream.c feeds them (a
 * BATCH_FULL message is fed again after the batch is handed out; a COMMIT
 * hands out the batch; a failure ends the sequence).  Option byte 0 picks
 * the chunk size (1..8 changes), a 4 kB chunk byte limit (bit 3) and
 * protocol 2 with streamed transactions (bit 4: messages go through
 * pg_streamed.c first, which spools stream blocks under $TMPDIR and replays
 * them at Stream Commit); byte 1 a start position and a resume prefix.  Every handed-out batch is read back value by value, so a Datum
 * pointing past its arena shows up under AddressSanitizer, and the chunk
 * invariants are checked (size, first_index continuity, a re-fed message
 * always fits an empty batch).
 *
 * The catalog matches the tables of tests/fuzz/capture_pgoutput.sh, so the
 * captured streams in tests/fuzz/corpus/pgstream reach deep paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/change.h"
#include "common/cursor.h"
#include "common/log.h"
#include "dialect/pg/pg_changes.h"
#include "dialect/pg/pg_streamed.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Catalog *cat;
static volatile uint32_t sink;

static void
add_col(Table *t, const char *name, uint32_t oid)
{
	table_add_column(cat, t, name)->type_oid = oid;
}

static void
set_pk(Table *t, int n)
{
	t->pk = arena_alloc_array0(&cat->arena, (size_t) n, sizeof(int));
	for (int i = 0; i < n; i++)
		t->pk[i] = i;
	t->npk = n;
}

static void
make_catalog(void)
{
	Table	   *t;

	/* FUZZ_PGSTREAM_LOG=1 shows why a sequence stops (to study an input) */
	log_init(getenv("FUZZ_PGSTREAM_LOG") ? LOG_INFO : LOG_OFF, LOG_FORMAT_TEXT);
	cat = malloc(sizeof(Catalog));
	catalog_init(cat, ENGINE_POSTGRES);
	t = catalog_add_table(cat, "public", "t");
	add_col(t, "id", 23);
	add_col(t, "v", 25);
	add_col(t, "m", 0);			/* an enum: OID not checked */
	add_col(t, "big", 25);
	set_pk(t, 1);
	t = catalog_add_table(cat, "public", "full_t");
	t->replica_identity = 'f';
	add_col(t, "a", 23);
	add_col(t, "b", 25);
	t = catalog_add_table(cat, "public", "Odd \"Schema\" t\xc3\xa9");
	add_col(t, "k 1", 23);
	add_col(t, "k2", 25);
	add_col(t, "val", 17);
	set_pk(t, 2);
	t = catalog_add_table(cat, "public", "child");
	add_col(t, "id", 23);
	add_col(t, "tid", 23);
	set_pk(t, 1);
}

static void
touch_batch(const ChangeBatch *b, int max_changes, int64_t *next_first)
{
	if (b->nchanges > max_changes)
		__builtin_trap();
	/* a continuation chunk starts where the previous one ended */
	if (*next_first > 0 && b->first_index != *next_first)
		__builtin_trap();
	*next_first = b->is_last ? 0 : b->first_index + b->nchanges;
	for (int i = 0; i < b->nchanges; i++)
	{
		const Change *c = &b->changes[i];

		if (c->op == CHANGE_TRUNCATE)
		{
			for (int k = 0; k < c->ntruncate; k++)
				sink += (uint32_t) c->truncate_tables[k]->ncolumns;
			continue;
		}
		for (int r = 0; r < 2; r++)
		{
			const Datum *row = r ? c->old_row : c->new_row;

			if (row == NULL)
				continue;
			for (int k = 0; k < c->table->ncolumns; k++)
				for (uint32_t j = 0; row[k].kind == DATUM_TEXT && j < row[k].len; j++)
					sink += (uint8_t) row[k].val[j];
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Cursor		c = cur_make(data, size);
	uint8_t		o0 = 0,
				o1 = 0;
	PgChanges	pc;
	ChangeBatch b;
	uint16_t	len;
	const uint8_t *msg;
	int			max_changes;
	int64_t		next_first = 0;
	bool		streaming;
	PgStreamed	st;

	if (cat == NULL)
		make_catalog();
	cur_u8(&c, &o0);
	cur_u8(&c, &o1);
	max_changes = 1 + (o0 & 7);
	streaming = (o0 & 16) != 0;
	pg_changes_init(&pc, cat, "fuzz", (o1 & 1) ? (Lsn) 0x1510000 + (Lsn) (o1 >> 1) * 0x400 : 0,
					(o1 & 2) ? "0/1513638" : NULL, (o1 >> 2) & 7, max_changes, (o0 & 8) ? 4096 : 0);
	change_batch_init(&b);
	if (streaming)
	{
		pc.dopt.proto_version = PG_CHANGES_PROTO_STREAMING;
		pg_streamed_init(&st);
	}
	while (cur_u16be(&c, &len) && cur_bytes(&c, len, &msg))
	{
		/* exact-size copy: reads past the message are caught */
		uint8_t    *copy = malloc(len ? len : 1);
		PgChangesOutcome o;
		int			refeeds = 0;

		memcpy(copy, msg, len);
		if (streaming && pg_streamed_takes(&st, &pc, copy, len))
		{
			bool		ok = pg_streamed_feed(&st, &pc, copy, len, 0x1000);
			int			fulls = 0;

			free(copy);
			while (ok && pg_streamed_replaying(&st))
			{
				o = pg_streamed_replay(&st, &pc, &b);
				if (o == PGCH_FAILED)
					ok = false;
				else if (o == PGCH_BATCH_FULL || o == PGCH_TXN_DONE)
				{
					/* the message re-fed after a full batch must fit the empty one */
					if (o == PGCH_BATCH_FULL && ++fulls > 1)
						__builtin_trap();
					if (o == PGCH_TXN_DONE && log_enabled(LOG_INFO))
						log_info("streamed transaction %s: last batch of %d changes", b.txn.txn_id, b.nchanges);
					touch_batch(&b, max_changes, &next_first);
					change_batch_reset(&b);
				}
				else
					fulls = 0;
			}
			if (!ok)
				break;
			continue;
		}
		while ((o = pg_changes_feed(&pc, copy, len, 0x1000, &b)) == PGCH_BATCH_FULL)
		{
			touch_batch(&b, max_changes, &next_first);
			change_batch_reset(&b);
			if (++refeeds > 1)
				__builtin_trap();	/* an empty batch must take the message */
		}
		free(copy);
		if (o == PGCH_FAILED)
			break;
		if (o == PGCH_TXN_DONE)
		{
			if (log_enabled(LOG_INFO))
				log_info("transaction %s: last batch of %d changes", b.txn.txn_id, b.nchanges);
			touch_batch(&b, max_changes, &next_first);
			change_batch_reset(&b);
		}
	}
	if (streaming)
		pg_streamed_free(&st);
	change_batch_free(&b);
	pg_changes_free(&pc);
	return 0;
}
