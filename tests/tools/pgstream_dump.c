/*
 * tests/tools/pgstream_dump.c
 *	  Test tool: open the PostgreSQL replication stream (SourceOps.stream_*)
 *	  for a slot and publication and print every ChangeBatch as stable text.
 *
 *   pgstream_dump --source URL --slot S --publication P [--position LSN]
 *                 [--txn-id LSN --txn-applied N] [--max-batch-changes N]
 *                 [--max-batch-bytes N] [--idle-seconds N] [--confirm]
 *                 [--confirm-max N] [--max-txns N] [--exclude-table NAME]...
 *
 * Output (stdout, one line each, flushed per batch):
 *   BATCH txn=<commit lsn> pos=<position> first=<first_index> n=<nchanges> last=<0|1>
 *   INSERT <table> new=(v, ...)
 *   UPDATE <table> [old=(v, ...)] new=(v, ...)
 *   DELETE <table> old=(v, ...)
 *   TRUNCATE <table>[,<table>...] cascade=<0|1>
 *   PROGRESS pos=<position>     a progress batch (no changes, empty txn_id)
 *   CONFIRM <position>          after stream_confirm of a transaction (--confirm)
 *   CONFIRM <position> progress after stream_confirm of a progress batch
 *   IDLE | END | ERROR | FATAL  how the run ended
 * Values: 'text' (\\, \' and \xHH escapes; longer than 60 bytes: the first 24
 * then ...(N bytes)), NULL, UNCHANGED (unchanged TOAST), ABSENT (not sent).
 * On stderr at the end: STATS batches= changes= txns= max_batch_changes=
 * max_batch_arena_kb= maxrss_kb= seconds=.
 *
 * The catalog comes from tests/support/pg_test_catalog.c (every user table
 * but the excluded ones).  Exit: 0 idle/end/--max-txns reached, 3 stream
 * error (STREAM_ERROR), 4 fatal stream error (STREAM_FATAL), 2 could not
 * open, 1 bad arguments.
 */
#include <getopt.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/change.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/signals.h"
#include "common/timeutil.h"
#include "common/url.h"
#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"
#include "pg_test_catalog.h"

static void
print_value(FILE *out, const Datum *d)
{
	switch (d->kind)
	{
		case DATUM_NULL:
			fputs("NULL", out);
			return;
		case DATUM_UNCHANGED:
			fputs("UNCHANGED", out);
			return;
		case DATUM_ABSENT:
			fputs("ABSENT", out);
			return;
		case DATUM_TEXT:
			break;
	}
	uint32_t	n = d->len > 60 ? 24 : d->len;

	fputc('\'', out);
	for (uint32_t i = 0; i < n; i++)
	{
		unsigned char ch = (unsigned char) d->val[i];

		if (ch == '\'' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\x%02x", ch);
		else
			fputc(ch, out);
	}
	fputc('\'', out);
	if (n < d->len)
		fprintf(out, "...(%u bytes)", d->len);
}

static void
print_row(FILE *out, const char *label, const Table *t, const Datum *row)
{
	fprintf(out, " %s=(", label);
	for (int i = 0; i < t->ncolumns; i++)
	{
		if (i)
			fputs(", ", out);
		print_value(out, &row[i]);
	}
	fputc(')', out);
}

static void
print_batch(FILE *out, const ChangeBatch *b)
{
	fprintf(out, "BATCH txn=%s pos=%s first=%lld n=%d last=%d\n", b->txn.txn_id, b->txn.position,
			(long long) b->first_index, b->nchanges, b->is_last ? 1 : 0);
	for (int i = 0; i < b->nchanges; i++)
	{
		const Change *c = &b->changes[i];

		switch (c->op)
		{
			case CHANGE_INSERT:
				fprintf(out, "INSERT %s", c->table->display);
				print_row(out, "new", c->table, c->new_row);
				break;
			case CHANGE_UPDATE:
				fprintf(out, "UPDATE %s", c->table->display);
				if (c->old_row)
					print_row(out, "old", c->table, c->old_row);
				print_row(out, "new", c->table, c->new_row);
				break;
			case CHANGE_DELETE:
				fprintf(out, "DELETE %s", c->table->display);
				print_row(out, "old", c->table, c->old_row);
				break;
			case CHANGE_TRUNCATE:
				fputs("TRUNCATE ", out);
				for (int k = 0; k < c->ntruncate; k++)
					fprintf(out, "%s%s", k ? "," : "", c->truncate_tables[k]->display);
				fprintf(out, " cascade=%d", c->truncate_cascade ? 1 : 0);
				break;
		}
		fputc('\n', out);
	}
	fflush(out);
}

static void
usage(void)
{
	fprintf(stderr, "usage: pgstream_dump --source URL --slot S --publication P [--position LSN]\n"
			"  [--txn-id LSN --txn-applied N] [--max-batch-changes N] [--max-batch-bytes N]\n"
			"  [--idle-seconds N] [--confirm] [--confirm-max N] [--max-txns N]\n"
			"  [--exclude-table NAME]... [--verbose]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"source", required_argument, NULL, 's'},
		{"slot", required_argument, NULL, 'S'},
		{"publication", required_argument, NULL, 'p'},
		{"position", required_argument, NULL, 'P'},
		{"txn-id", required_argument, NULL, 't'},
		{"txn-applied", required_argument, NULL, 'a'},
		{"max-batch-changes", required_argument, NULL, 'n'},
		{"max-batch-bytes", required_argument, NULL, 'b'},
		{"idle-seconds", required_argument, NULL, 'i'},
		{"confirm", no_argument, NULL, 'c'},
		{"confirm-max", required_argument, NULL, 'C'},
		{"max-txns", required_argument, NULL, 'm'},
		{"exclude-table", required_argument, NULL, 'x'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0}
	};
	StreamStart start = {.txn_applied = -1};
	const char *source = NULL;
	const char *exclude[32];
	int			nexclude = 0;
	double		idle_s = 3;
	bool		confirm = false;
	long		confirm_max = -1,
				max_txns = -1;
	LogLevel	level = LOG_INFO;
	int			ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
	{
		switch (ch)
		{
			case 's': source = optarg; break;
			case 'S': start.slot_name = optarg; break;
			case 'p': start.publication = optarg; break;
			case 'P': start.position = optarg; break;
			case 't': start.txn_id = optarg; break;
			case 'a': start.txn_applied = strtoll(optarg, NULL, 10); break;
			case 'n': start.max_batch_changes = atoi(optarg); break;
			case 'b': start.max_batch_bytes = strtoll(optarg, NULL, 10); break;
			case 'i': idle_s = strtod(optarg, NULL); break;
			case 'c': confirm = true; break;
			case 'C': confirm = true; confirm_max = strtol(optarg, NULL, 10); break;
			case 'm': max_txns = strtol(optarg, NULL, 10); break;
			case 'x':
				if (nexclude < 32)
					exclude[nexclude++] = optarg;
				break;
			case 'v': level = LOG_DEBUG; break;
			default: usage(); return 1;
		}
	}
	if (source == NULL || optind != argc)
	{
		usage();
		return 1;
	}
	log_init(level, LOG_FORMAT_TEXT);
	signals_install();

	ConnUrl		url;
	char		err[256];

	if (!conn_url_parse(source, &url, err, sizeof(err)))
	{
		fprintf(stderr, "pgstream_dump: %s\n", err);
		conn_url_free(&url);
		return 1;
	}

	Catalog		cat;
	PgConn		pc;
	Source	   *src = NULL;
	ReplStream *rs = NULL;
	int			rc = 0;

	catalog_init(&cat, ENGINE_POSTGRES);
	if (!pg_connect(&pc, &url, ROLE_SOURCE, false))
		rc = 2;
	else
	{
		if (!test_catalog_read_pg(&pc, &cat, exclude, nexclude))
			rc = 2;
		pg_disconnect(&pc);
	}
	if (rc == 0 && (src = source_open(&url)) == NULL)
		rc = 2;
	if (rc == 0 && (rs = src->ops->stream_open(src, &start, &cat)) == NULL)
		rc = 2;

	ChangeBatch batch;
	long		batches = 0,
				changes = 0,
				txns = 0,
				confirmed = 0,
				max_n = 0;
	size_t		max_arena = 0;
	int64_t		t0 = time_mono_us(),
				last = t0;

	change_batch_init(&batch);
	while (rc == 0)
	{
		StreamResult r = src->ops->stream_next(rs, &batch, 200);

		if (r == STREAM_BATCH && batch.is_last && batch.nchanges == 0 && batch.txn.txn_id[0] == '\0')
		{
			/* progress: confirmed like a transaction, not counted as one */
			printf("PROGRESS pos=%s\n", batch.txn.position);
			if (confirm && (confirm_max < 0 || confirmed < confirm_max))
			{
				if (!src->ops->stream_confirm(rs, batch.txn.position))
					rc = 3;
				printf("CONFIRM %s progress\n", batch.txn.position);
			}
			fflush(stdout);
		}
		else if (r == STREAM_BATCH)
		{
			print_batch(stdout, &batch);
			batches++;
			changes += batch.nchanges;
			if (batch.nchanges > max_n)
				max_n = batch.nchanges;
			if (batch.arena.used > max_arena)
				max_arena = batch.arena.used;
			last = time_mono_us();
			if (batch.is_last)
			{
				txns++;
				if (confirm && (confirm_max < 0 || confirmed < confirm_max))
				{
					if (!src->ops->stream_confirm(rs, batch.txn.position))
						rc = 3;
					printf("CONFIRM %s\n", batch.txn.position);
					fflush(stdout);
					confirmed++;
				}
				if (max_txns >= 0 && txns >= max_txns)
					break;
			}
		}
		else if (r == STREAM_IDLE)
		{
			if (time_mono_us() - last >= (int64_t) (idle_s * 1e6))
			{
				printf("IDLE\n");
				break;
			}
		}
		else if (r == STREAM_END)
		{
			printf("END\n");
			break;
		}
		else
		{
			printf("%s\n", r == STREAM_FATAL ? "FATAL" : "ERROR");
			rc = r == STREAM_FATAL ? 4 : 3;
		}
	}
	fflush(stdout);

	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "STATS batches=%ld changes=%ld txns=%ld max_batch_changes=%ld max_batch_arena_kb=%zu maxrss_kb=%ld seconds=%.3f\n",
			batches, changes, txns, max_n, max_arena / 1024, ru.ru_maxrss,
			(double) (time_mono_us() - t0) / 1e6);
	change_batch_free(&batch);
	if (rs)
		src->ops->stream_close(rs);
	if (src)
		source_close(src);
	catalog_free(&cat);
	conn_url_free(&url);
	return rc;
}
