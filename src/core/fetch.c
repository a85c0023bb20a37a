/*
 * src/core/fetch.c
 *	  The bulk copy: runs, shards, the worker pool (see fetch.h).
 *
 * Concurrency: the leader thread plans and records shards, then starts N
 * worker threads.  Each worker owns one source reader (inside the shared
 * snapshot) and one target connection; they take jobs from a queue guarded by
 * one mutex and condition variable.  Counters shown by the progress thread
 * are atomics.  A fatal error in one worker stops the others after their
 * current shard (which is committed, so nothing is wasted on rerun).
 *
 * The index builder: when FetchOptions.build_table is set, one more thread
 * with its own target connection builds each table's indexes as soon as its
 * last shard commits, so the builds of early tables overlap the copy of the
 * later ones instead of all waiting for finalize (as pgcopydb does).  It
 * finishes the queued tables after the copy, before finalize runs.
 */
#include "core/fetch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/retry.h"
#include "common/signals.h"
#include "common/timeutil.h"
#include "core/chunkpipe.h"
#include "core/progress.h"
#include "dialect/target.h"
#include "dialect/target_copy.h"
#include "dialect/target_state.h"

#define FETCH_SHARD_ATTEMPTS	5
#define FETCH_PIPE_CHUNK		(1024 * 1024)	/* source -> target hand-off */
#define FETCH_PIPE_CHUNKS		4

typedef struct FetchJob
{
	Table	   *table;
	int			table_index;	/* into FetchState.progress */
	int			shard_no;
	ShardRange	range;			/* owned */
	int64_t		est_bytes;
	bool		done;
	bool		taken;
} FetchJob;

typedef struct FetchState
{
	const FetchOptions *opts;
	Source	   *src;
	Catalog    *cat;
	int64_t		run_id;
	Snapshot	snap;
	int64_t		lock_held_us;	/* MySQL: global lock held for the snapshot, -1 none taken */

	FetchJob   *jobs;
	int			njobs;
	TableProgress *progress;	/* one per catalog table */
	int		   *table_active;	/* shards in flight per table (under mutex) */
	int			tables_active;	/* tables with a shard in flight */

	pthread_mutex_t mutex;
	pthread_cond_t cond;
	int			pending;		/* jobs not done */
	atomic_bool failed;			/* a worker hit a fatal error */

	/* the index builder (under mutex) */
	int		   *copied_tables;	/* table indexes whose last shard committed, in order */
	int			ncopied;
	int			nbuilt;			/* of which taken by the builder */
	bool		copy_over;		/* no more will come: drain and exit */
	bool		builder_exited;
	PGcancel   *builder_cancel; /* interrupts a build when a stop is requested */
} FetchState;

typedef struct FetchWorker
{
	FetchState *st;
	int			id;
	SourceReader *reader;
	PgConn		target;
	bool		target_ok;
	ChunkPipe  *pipe;			/* source reader thread -> this thread */
	pthread_t	thread;
} FetchWorker;

/* ------------------------------------------------------------ scheduling */

static int
job_cmp(const void *a, const void *b)
{
	const FetchJob *x = a,
			   *y = b;

	if (x->est_bytes != y->est_bytes)
		return x->est_bytes > y->est_bytes ? -1 : 1;
	return x->table_index - y->table_index;
}

/*
 * Next job a worker may take: largest first, within the concurrency limits.
 * Blocks while jobs remain but the limits hold them back; NULL when nothing
 * is left or the fetch is failing/stopping.
 */
static FetchJob *
fetch_next_job(FetchState *st)
{
	const FetchOptions *o = st->opts;
	FetchJob   *job = NULL;

	pthread_mutex_lock(&st->mutex);
	for (;;)
	{
		bool		any_waiting = false;

		if (atomic_load(&st->failed) || signals_should_stop())
			break;
		for (int i = 0; i < st->njobs && job == NULL; i++)
		{
			FetchJob   *j = &st->jobs[i];
			int			active = st->table_active[j->table_index];

			if (j->done || j->taken)
				continue;
			any_waiting = true;
			if (active >= o->export_concurrency)
				continue;
			if (active == 0 && st->tables_active >= o->table_concurrency)
				continue;
			job = j;
		}
		if (job || !any_waiting)
			break;
		pthread_cond_wait(&st->cond, &st->mutex);
	}
	if (job)
	{
		job->taken = true;
		if (st->table_active[job->table_index]++ == 0)
			st->tables_active++;
		atomic_fetch_add(&st->progress[job->table_index].active, 1);
		int64_t		zero = 0;

		atomic_compare_exchange_strong(&st->progress[job->table_index].started_us, &zero, time_mono_us());
	}
	pthread_mutex_unlock(&st->mutex);
	return job;
}

static void
fetch_job_finished(FetchState *st, FetchJob *job, bool ok)
{
	TableProgress *tp = &st->progress[job->table_index];

	pthread_mutex_lock(&st->mutex);
	job->taken = false;
	if (ok)
	{
		job->done = true;
		st->pending--;
		if (atomic_fetch_add(&tp->shards_done, 1) + 1 == tp->shards_total)
		{
			atomic_store(&tp->finished_us, time_mono_us());
			if (st->copied_tables)
				st->copied_tables[st->ncopied++] = job->table_index;
		}
	}
	if (--st->table_active[job->table_index] == 0)
		st->tables_active--;
	atomic_fetch_sub(&tp->active, 1);
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->mutex);
}

/* ------------------------------------------------------------- copying */

/* A sink that counts bytes for progress and stops on request. */
typedef struct ShardSink
{
	TargetCopy	tc;
	TableProgress *progress;
	int64_t		written;		/* bytes given to the target copy */
	int64_t		reported;		/* of which added to progress so far */
} ShardSink;

static bool
shard_sink_write(void *arg, const char *data, size_t len)
{
	ShardSink  *s = arg;

	if (!target_copy_write(&s->tc, data, len))
		return false;
	s->written += (int64_t) len;
	if (s->written - s->reported >= 1 << 20)
	{
		progress_add(s->progress, 0, s->written - s->reported);
		s->reported = s->written;
		if (signals_should_stop())
		{
			err_set_kind(ERR_INTERRUPTED);
			return false;
		}
	}
	return true;
}

typedef enum CopyOutcome
{
	COPY_OK,
	COPY_RETRY,					/* transient: try the shard again */
	COPY_FATAL,
} CopyOutcome;

/* The source side of a shard, on a thread of its own (see ChunkPipe). */
typedef struct ShardReaderJob
{
	FetchWorker *w;
	Table	   *table;
	const ShardRange *range;
	int64_t		rows;
	bool		ok;
	char		ctx[48];
} ShardReaderJob;

static bool
pipe_sink_write(void *arg, const char *data, size_t len)
{
	return chunkpipe_write(arg, data, len);
}

static void *
shard_reader_main(void *arg)
{
	ShardReaderJob *rj = arg;
	CopySink	cs = {pipe_sink_write, rj->w->pipe};

	log_set_context(rj->ctx);
	rj->ok = rj->w->st->src->ops->copy_shard(rj->w->reader, rj->table, rj->range, &cs, &rj->rows);
	chunkpipe_close(rj->w->pipe, rj->ok);
	return NULL;
}

/*
 * Stream one shard: the source is read on a second thread into the pipe
 * while this thread writes the chunks to the target, so both servers work at
 * once.  *rows: rows read.  False when either side failed (logged).
 */
static bool
fetch_stream_shard(FetchWorker *w, FetchJob *job, ShardSink *sink, int64_t *rows)
{
	ShardReaderJob rj = {.w = w, .table = job->table, .range = &job->range};
	pthread_t	thread;
	const char *data;
	size_t		len;
	bool		target_ok = true;

	snprintf(rj.ctx, sizeof(rj.ctx), "worker %d reader", w->id);
	chunkpipe_reset(w->pipe);
	if (pthread_create(&thread, NULL, shard_reader_main, &rj) != 0)
	{
		err_set_kind(ERR_INTERNAL);
		log_error("could not start a reader thread");
		return false;
	}
	while (chunkpipe_read(w->pipe, &data, &len))
	{
		target_ok = shard_sink_write(sink, data, len);
		chunkpipe_release(w->pipe);
		if (!target_ok)
		{
			chunkpipe_abort(w->pipe);	/* the reader cancels its COPY */
			break;
		}
	}
	pthread_join(thread, NULL);
	*rows = rj.rows;
	return target_ok && rj.ok;
}

/*
 * Copy one shard in one target transaction, marking it done in the same
 * transaction.  Rows counted for progress are taken back if it fails.  No
 * range is ever cleared first: a shard not marked done has no rows on the
 * target (its rows and its mark commit together), and one that is marked
 * (an earlier attempt whose commit acknowledgement was lost) makes this
 * attempt roll back.  So a table needs no index while it is loaded.
 */
static CopyOutcome
fetch_copy_shard(FetchWorker *w, FetchJob *job)
{
	FetchState *st = w->st;
	PgConn	   *tgt = &w->target;
	Table	   *t = job->table;
	ShardSink	sink = {.progress = &st->progress[job->table_index]};
	int64_t		rows = 0;
	bool		ok;
	bool		already_done = false;

	if (!pg_exec(tgt, "BEGIN"))
		goto target_failed;
	if (!target_copy_begin(&sink.tc, tgt, t))
		goto target_failed;
	ok = fetch_stream_shard(w, job, &sink, &rows);
	bool		source_ok = chunkpipe_producer_ok(w->pipe);

	if (!target_copy_end(&sink.tc, ok))
	{
		progress_add(sink.progress, 0, -sink.reported);
		if (!source_ok || err_kind() == ERR_INTERRUPTED || signals_should_stop())
		{
			/* the source failed (its snapshot is gone) or a stop was asked */
			pg_rollback(tgt);
			return COPY_FATAL;
		}
		goto target_failed;
	}
	if (!state_mark_shard_done(tgt, st->run_id, t->schema, t->name, job->shard_no, rows, sink.written,
							   &already_done))
	{
		pg_log_error(tgt, "could not record a finished shard");
		progress_add(sink.progress, 0, -sink.reported);
		goto target_failed;
	}
	if (already_done)
	{
		/* an earlier attempt committed (its acknowledgement was lost): keep that one */
		pg_rollback(tgt);
		progress_add(sink.progress, rows, sink.written - sink.reported);
		log_info("shard %d of %s was already copied by an earlier attempt", job->shard_no, t->display);
		return COPY_OK;
	}
	if (!pg_exec_quiet(tgt, "COMMIT"))
	{
		pg_log_error(tgt, "could not commit a shard");
		progress_add(sink.progress, 0, -sink.reported);
		goto target_failed;
	}
	progress_add(sink.progress, rows, sink.written - sink.reported);
	log_debug("copied shard %d of %s: %lld rows, %lld bytes", job->shard_no, t->display,
			  (long long) rows, (long long) sink.tc.bytes);
	return COPY_OK;

target_failed:
	pg_rollback(tgt);
	if (pg_error_is_retryable(tgt) || pg_error_is_connection(tgt))
		return COPY_RETRY;
	return COPY_FATAL;
}

static void *
fetch_worker_main(void *arg)
{
	FetchWorker *w = arg;
	FetchState *st = w->st;
	char		ctx[32];
	FetchJob   *job;

	snprintf(ctx, sizeof(ctx), "worker %d", w->id);
	log_set_context(ctx);
	while ((job = fetch_next_job(st)) != NULL)
	{
		CopyOutcome outcome = COPY_FATAL;
		RetryState	retry;

		retry_init(&retry, &RETRY_TXN);
		for (int attempt = 1; attempt <= FETCH_SHARD_ATTEMPTS; attempt++)
		{
			if (!w->target_ok)
			{
				w->target_ok = target_connect(&w->target, st->opts->target);
				if (!w->target_ok)
				{
					if (!retry_wait(&retry))
						break;
					continue;
				}
			}
			outcome = fetch_copy_shard(w, job);
			if (outcome != COPY_RETRY)
				break;
			if (pg_error_is_connection(&w->target))
			{
				pg_disconnect(&w->target);
				w->target_ok = false;
			}
			log_warn("retrying shard %d of %s (attempt %d of %d)", job->shard_no, job->table->display,
					 attempt + 1, FETCH_SHARD_ATTEMPTS);
			if (!retry_wait(&retry))
				break;
		}
		/* failed is set before the job is released, so no other worker takes it up */
		if (outcome != COPY_OK)
			atomic_store(&st->failed, true);
		fetch_job_finished(st, job, outcome == COPY_OK);
		if (outcome != COPY_OK)
		{
			if (!signals_should_stop())
				log_error("could not copy shard %d of %s", job->shard_no, job->table->display);
			pthread_mutex_lock(&st->mutex);
			pthread_cond_broadcast(&st->cond);
			pthread_mutex_unlock(&st->mutex);
			break;
		}
	}
	return NULL;
}

/* -------------------------------------------------------- index builder */

/* Wait on the fetch's condition variable for at most ms milliseconds. */
static void
fetch_cond_wait_ms(FetchState *st, int ms)
{
	struct timespec ts = time_deadline_after((int64_t) ms * 1000);

	pthread_cond_timedwait(&st->cond, &st->mutex, &ts);
}

/*
 * Thread body of the index builder: build the tables queued by
 * fetch_job_finished, one at a time, until the copy is over and the queue is
 * empty, or the fetch fails or is stopped.  It connects on its first table;
 * a builder that cannot connect leaves everything to finalize.
 */
static void *
fetch_builder_main(void *arg)
{
	FetchState *st = arg;
	PgConn		conn;
	bool		connected = false;

	log_set_context("index builder");
	pthread_mutex_lock(&st->mutex);
	for (;;)
	{
		const Table *t;

		while (st->nbuilt == st->ncopied && !st->copy_over && !atomic_load(&st->failed) &&
			   !signals_should_stop())
			fetch_cond_wait_ms(st, 200);
		if (st->nbuilt == st->ncopied || atomic_load(&st->failed) || signals_should_stop())
			break;
		t = st->cat->tables[st->copied_tables[st->nbuilt++]];
		pthread_mutex_unlock(&st->mutex);
		if (!connected)
		{
			connected = target_connect(&conn, st->opts->target);
			pthread_mutex_lock(&st->mutex);
			if (!connected)
			{
				log_warn("the index builder could not connect: finalize builds the indexes after the copy");
				break;
			}
			st->builder_cancel = PQgetCancel(conn.conn);
			pthread_mutex_unlock(&st->mutex);
		}
		st->opts->build_table(st->opts->schema_arg, t, &conn);
		pthread_mutex_lock(&st->mutex);
	}
	if (st->builder_cancel)
		PQfreeCancel(st->builder_cancel);
	st->builder_cancel = NULL;
	st->builder_exited = true;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->mutex);
	if (connected)
		pg_disconnect(&conn);
	return NULL;
}

/*
 * After the copy: let the builder finish the tables it has queued, and wait
 * for it.  A stop request cancels the build in progress (it rolls back;
 * finalize redoes it on the rerun).
 */
static void
fetch_builder_finish(FetchState *st, pthread_t thread)
{
	bool		cancelled = false;

	pthread_mutex_lock(&st->mutex);
	st->copy_over = true;
	pthread_cond_broadcast(&st->cond);
	while (!st->builder_exited)
	{
		if (!cancelled && st->builder_cancel && signals_should_stop())
		{
			char		errbuf[256];

			cancelled = true;
			if (!PQcancel(st->builder_cancel, errbuf, sizeof(errbuf)))
				log_debug("could not cancel the index build: %s", errbuf);
		}
		fetch_cond_wait_ms(st, 200);
	}
	pthread_mutex_unlock(&st->mutex);
	pthread_join(thread, NULL);
}

/* ------------------------------------------------------------- planning */

static int
catalog_table_index(const Catalog *cat, const char *schema, const char *name)
{
	for (int i = 0; i < cat->ntables; i++)
		if (strcmp(cat->tables[i]->schema, schema) == 0 && strcmp(cat->tables[i]->name, name) == 0)
			return i;
	return -1;
}

/* Tables copied: every catalog table except partitions (read via their parent). */
static bool
table_is_copied(const Table *t)
{
	return t->partition_of == NULL;
}

/* Split every table and record the shards (one target transaction). */
static bool
fetch_plan_fresh(FetchState *st, PgConn *target)
{
	int			cap = 0;

	if (!pg_exec(target, "BEGIN"))
		return false;
	for (int i = 0; i < st->cat->ntables; i++)
	{
		Table	   *t = st->cat->tables[i];
		ShardPlan	plan;

		if (!table_is_copied(t))
			continue;
		if (!st->src->ops->plan_shards(st->src, t, st->opts->shard_bytes, &plan))
		{
			pg_rollback(target);
			return false;
		}
		st->progress[i].shards_total = plan.nranges;
		for (int k = 0; k < plan.nranges; k++)
		{
			gw_array_grow(st->jobs, cap, st->njobs + 1);
			FetchJob   *j = &st->jobs[st->njobs++];

			memset(j, 0, sizeof(*j));
			j->table = t;
			j->table_index = i;
			j->shard_no = k;
			j->range = plan.ranges[k];	/* takes ownership of lo/hi */
			j->est_bytes = t->est_bytes / plan.nranges;
			if (!state_add_shard(target, st->run_id, t->schema, t->name, k, j->range.lo, j->range.hi,
								 t->est_rows / plan.nranges))
			{
				free(plan.ranges);
				pg_rollback(target);
				return false;
			}
		}
		if (plan.nranges > 1)
			log_info("%s: %d shards of ~%lld MB", t->display, plan.nranges,
					 (long long) (t->est_bytes / plan.nranges >> 20));
		free(plan.ranges);
	}
	return pg_exec(target, "COMMIT");
}

/* Rebuild the job list of an unfinished run from its recorded shards
 * (*recorded: how many the run has, finished or not). */
static bool
fetch_plan_resume(FetchState *st, PgConn *target, int *recorded)
{
	ShardRow   *rows;
	int			n;
	int			cap = 0;

	if (!state_list_shards(target, st->run_id, &rows, &n))
		return false;
	*recorded = n;
	for (int r = 0; r < n; r++)
	{
		int			ti = catalog_table_index(st->cat, rows[r].schema, rows[r].table);

		if (ti < 0)
		{
			err_set_kind(ERR_STATE);
			log_error_dh(NULL, "rerun with the same filters, or start over with --restart",
						 "the unfinished fetch run %lld copies table \"%s\".\"%s\", which is not in the current selection",
						 (long long) st->run_id, rows[r].schema, rows[r].table);
			shard_rows_free(rows, n);
			return false;
		}
		Table	   *t = st->cat->tables[ti];
		TableProgress *tp = &st->progress[ti];

		tp->shards_total++;
		if (rows[r].status == SHARD_DONE)
		{
			atomic_fetch_add(&tp->shards_done, 1);
			atomic_fetch_add(&tp->rows, rows[r].rows_copied);
			atomic_fetch_add(&tp->bytes, rows[r].bytes_copied);
			continue;
		}
		gw_array_grow(st->jobs, cap, st->njobs + 1);
		FetchJob   *j = &st->jobs[st->njobs++];

		memset(j, 0, sizeof(*j));
		j->table = t;
		j->table_index = ti;
		j->shard_no = rows[r].shard_no;
		j->range.lo = rows[r].lo;
		j->range.hi = rows[r].hi;
		rows[r].lo = rows[r].hi = NULL;
		j->est_bytes = t->est_bytes;	/* order resumed work by table size */
	}
	shard_rows_free(rows, n);
	return true;
}

/* ------------------------------------------------------------- summary */

static void
fetch_print_summary(FetchState *st, const char *cdc_cursor, int64_t elapsed_us)
{
	int64_t		rows = 0,
				bytes = 0;
	StrBuf		b;
	JsonWriter	w;

	for (int i = 0; i < st->cat->ntables; i++)
	{
		rows += atomic_load(&st->progress[i].rows);
		bytes += atomic_load(&st->progress[i].bytes);
	}
	if (st->opts->json_summary)
	{
		sb_init(&b, 0);
		jw_init(&w, &b);
		jw_object_begin(&w);
		jw_kv_string(&w, "type", "summary");
		jw_kv_string(&w, "command", "fetch");
		jw_kv_int(&w, "run_id", st->run_id);
		jw_kv_int(&w, "num_tables", st->cat->ntables);
		jw_kv_int(&w, "num_rows", rows);
		jw_kv_int(&w, "num_bytes", bytes);
		jw_kv_int(&w, "net_duration_ms", elapsed_us / 1000);
		jw_kv_string(&w, "cdc_cursor", cdc_cursor);
		if (st->lock_held_us >= 0)
			jw_kv_int(&w, "snapshot_lock_held_us", st->lock_held_us);
		jw_key(&w, "tables");
		jw_array_begin(&w);
		for (int i = 0; i < st->cat->ntables; i++)
		{
			TableProgress *tp = &st->progress[i];
			int64_t		s = atomic_load(&tp->started_us),
						f = atomic_load(&tp->finished_us);

			if (!table_is_copied(st->cat->tables[i]))
				continue;
			jw_object_begin(&w);
			jw_kv_string(&w, "table", tp->name);
			jw_kv_int(&w, "num_rows", atomic_load(&tp->rows));
			jw_kv_int(&w, "num_bytes", atomic_load(&tp->bytes));
			jw_kv_int(&w, "num_shards", tp->shards_total);
			jw_kv_int(&w, "duration_ms", s && f ? (f - s) / 1000 : 0);
			jw_object_end(&w);
		}
		jw_array_end(&w);
		jw_object_end(&w);
		printf("%s\n", b.data);
		sb_free(&b);
	}
	else
	{
		printf("%-40s %12s %10s %7s %9s\n", "table", "rows", "MB", "shards", "seconds");
		for (int i = 0; i < st->cat->ntables; i++)
		{
			TableProgress *tp = &st->progress[i];
			int64_t		s = atomic_load(&tp->started_us),
						f = atomic_load(&tp->finished_us);

			if (!table_is_copied(st->cat->tables[i]))
				continue;
			printf("%-40s %12lld %10.1f %7d %9.1f\n", tp->name, (long long) atomic_load(&tp->rows),
				   (double) atomic_load(&tp->bytes) / 1e6, tp->shards_total,
				   s && f ? (double) (f - s) / 1e6 : 0.0);
		}
		printf("\nfetch done: %d tables, %lld rows, %.1f MB in %.1f s (%.1f MB/s)\n", st->cat->ntables,
			   (long long) rows, (double) bytes / 1e6, (double) elapsed_us / 1e6,
			   elapsed_us > 0 ? (double) bytes / ((double) elapsed_us / 1e6) / 1e6 : 0);
		if (cdc_cursor && cdc_cursor[0])
			printf("cdc_cursor: %s (replication starts here)\n", cdc_cursor);
	}
	fflush(stdout);
	{
		char		fields[256];

		snprintf(fields, sizeof(fields), "\"type\":\"summary\",\"num_tables\":%d,\"num_rows\":%lld,"
				 "\"num_bytes\":%lld,\"net_duration_ms\":%lld",
				 st->cat->ntables, (long long) rows, (long long) bytes, (long long) (elapsed_us / 1000));
		log_write(LOG_INFO, NULL, NULL, fields, "fetch finished: %lld rows in %.1f s", (long long) rows,
				  (double) elapsed_us / 1e6);
	}
}

/* ------------------------------------------------------------- the run */

static bool
fetch_start_run(FetchState *st, PgConn *target, RunInfo *run, bool *resumed)
{
	const FetchOptions *o = st->opts;
	bool		found;

	*resumed = false;
	if (!state_ensure(target) || !state_latest_run(target, "fetch", run, &found))
		return false;
	if (found && run->status != RUN_DONE && !o->restart)
	{
		if (run->options && o->options_fingerprint && strcmp(run->options, o->options_fingerprint) != 0)
		{
			err_set_kind(ERR_STATE);
			log_error_dh(run->options, "rerun with the same filters, or start over with --restart",
						 "the unfinished fetch run %lld used different options", (long long) run->run_id);
			return false;
		}
		*resumed = true;
		log_info("resuming fetch run %lld (started with snapshot at %s)", (long long) run->run_id,
				 run->snapshot_position ? run->snapshot_position : "none");
		return true;
	}
	if (found && run->status == RUN_DONE && !o->restart)
	{
		err_set_kind(ERR_STATE);
		log_error_dh(NULL, "nothing to do; pass --restart to copy everything again (this recreates the slot)",
					 "fetch run %lld already finished", (long long) run->run_id);
		return false;
	}
	if (found && run->status == RUN_RUNNING && o->restart)
		state_finish_run(target, run->run_id, RUN_FAILED);
	run_info_free(run);
	run->source_engine = gw_strdup(st->src->ops->engine);
	run->source_server = gw_strdup(st->src->server);
	run->options = o->options_fingerprint ? gw_strdup(o->options_fingerprint) : NULL;
	return true;
}

bool
fetch_run(const FetchOptions *o, Source *src, PgConn *target, Catalog *cat)
{
	FetchState	st;
	RunInfo		run = {0};
	bool		resumed = false;
	bool		ok = false;
	int			nworkers;
	FetchWorker *workers = NULL;
	Progress	progress = {0};
	int64_t		started = time_mono_us();
	pthread_t	builder;
	bool		have_builder = false;

	memset(&st, 0, sizeof(st));
	st.opts = o;
	st.src = src;
	st.cat = cat;
	st.lock_held_us = -1;
	pthread_mutex_init(&st.mutex, NULL);
	pthread_cond_init(&st.cond, NULL);
	st.progress = gw_new_array(TableProgress, (size_t) cat->ntables + 1);
	st.table_active = gw_new_array(int, (size_t) cat->ntables + 1);
	for (int i = 0; i < cat->ntables; i++)
	{
		st.progress[i].name = cat->tables[i]->display;
		st.progress[i].est_rows = cat->tables[i]->est_rows;
		st.progress[i].est_bytes = table_is_copied(cat->tables[i]) ? cat->tables[i]->est_bytes : 0;
	}

	if (!fetch_start_run(&st, target, &run, &resumed))
		goto done;

	if (!resumed)
	{
		if (o->create_schema && !o->create_schema(o->schema_arg))
			goto done;
		if (!state_create_run(target, "fetch", &run))
			goto done;
	}
	st.run_id = run.run_id;
	if (resumed)
	{
		int			recorded;

		if (!fetch_plan_resume(&st, target, &recorded))
			goto done;
		/*
		 * A run killed before its shard plan committed has no shards at all:
		 * nothing was copied, so it is planned now.
		 */
		if (recorded == 0 && !fetch_plan_fresh(&st, target))
			goto done;
	}
	else if (!fetch_plan_fresh(&st, target))
		goto done;
	st.pending = st.njobs;
	if (st.njobs > 1)
		qsort(st.jobs, (size_t) st.njobs, sizeof(FetchJob), job_cmp);

	nworkers = o->table_concurrency * o->export_concurrency;
	if (nworkers > st.njobs)
		nworkers = st.njobs;
	if (nworkers < 1)
		nworkers = 1;

	if (st.njobs > 0)
	{
		/*
		 * A resumed run whose cursor was never recorded crashed between
		 * creating its slot and recording it: no shard was copied yet, and the
		 * slot left behind is this run's own, so it is recreated.
		 */
		bool		need_slot = !o->no_replication && (!resumed || run.snapshot_position == NULL);
		SnapshotRequest req = {
			.nreaders = nworkers,
			.create_slot = need_slot,
			.replace_slot = o->replace_slot || (resumed && need_slot),
			.slot_name = o->slot_name,
			.publication = o->publication,
			.catalog = cat,
			.lock_timeout_us = o->lock_timeout_us,
			.snapshot_lock = o->snapshot_lock,
		};

		if (!src->ops->snapshot_begin(src, &req, &st.snap))
			goto done;
		st.lock_held_us = st.snap.lock_held_us;
		if (need_slot || (!resumed && o->no_replication))
		{
			/* the cdc cursor is only recorded once the snapshot exists */
			free(run.slot_name);
			free(run.publication);
			free(run.snapshot_position);
			run.slot_name = req.create_slot ? gw_strdup(o->slot_name) : NULL;
			run.publication = req.create_slot ? gw_strdup(o->publication) : NULL;
			run.snapshot_position = gw_strdup(st.snap.position);
			if (!state_update_run_snapshot(target, &run))
				goto done;
		}
		log_info("copying %d shard%s of %d table%s with %d worker%s", st.njobs, st.njobs == 1 ? "" : "s",
				 cat->ntables, cat->ntables == 1 ? "" : "s", nworkers, nworkers == 1 ? "" : "s");

		workers = gw_new_array(FetchWorker, (size_t) nworkers);
		if (o->build_table && o->finalize)
		{
			st.copied_tables = gw_new_array(int, (size_t) cat->ntables + 1);
			if (pthread_create(&builder, NULL, fetch_builder_main, &st) == 0)
				have_builder = true;
			else
				log_warn("could not start the index builder: finalize builds the indexes after the copy");
		}
		progress_start(&progress, "fetch", st.progress, cat->ntables);
		for (int i = 0; i < nworkers; i++)
		{
			workers[i].st = &st;
			workers[i].id = i + 1;
			workers[i].reader = st.snap.readers[i];
			workers[i].pipe = chunkpipe_new(FETCH_PIPE_CHUNK, FETCH_PIPE_CHUNKS);
			if (pthread_create(&workers[i].thread, NULL, fetch_worker_main, &workers[i]) != 0)
			{
				err_set_kind(ERR_INTERNAL);
				log_error("could not start a worker thread");
				atomic_store(&st.failed, true);
				nworkers = i;
				break;
			}
		}
		for (int i = 0; i < nworkers; i++)
		{
			pthread_join(workers[i].thread, NULL);
			if (workers[i].target_ok)
				pg_disconnect(&workers[i].target);
			chunkpipe_free(workers[i].pipe);
		}
		progress_stop(&progress);
		src->ops->snapshot_end(src, &st.snap);
		if (have_builder)
			fetch_builder_finish(&st, builder);
	}

	if (atomic_load(&st.failed) || st.pending > 0)
	{
		if (signals_should_stop())
		{
			err_set_kind(ERR_INTERRUPTED);
			log_warn_dh(NULL, "rerun the same command to resume: finished shards are kept",
						"fetch interrupted with %d of %d shards left", st.pending, st.njobs);
		}
		else
			log_error_dh(NULL, "fix the cause and rerun the same command: finished shards are kept",
						 "fetch failed with %d of %d shards left", st.pending, st.njobs);
		goto done;
	}
	if (o->finalize && !o->finalize(o->schema_arg))
		goto done;
	if (!state_finish_run(target, st.run_id, RUN_DONE))
		goto done;
	fetch_print_summary(&st, run.snapshot_position ? run.snapshot_position : "", time_mono_us() - started);
	ok = true;

done:
	for (int i = 0; i < st.njobs; i++)
	{
		free(st.jobs[i].range.lo);
		free(st.jobs[i].range.hi);
	}
	free(st.jobs);
	free(workers);
	free(st.progress);
	free(st.table_active);
	free(st.copied_tables);
	run_info_free(&run);
	pthread_mutex_destroy(&st.mutex);
	pthread_cond_destroy(&st.cond);
	return ok;
}
