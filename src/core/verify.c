/*
 * src/core/verify.c
 *	  The verifier: tables, columns, ranges, hashes, merge-joins, live
 *	  re-checks and the report (see verify.h).
 *
 * Threads.  The leader checks tables and columns, plans the ranges (jobs)
 * and starts --concurrency workers.  A worker owns a source VerifyReader and
 * a target connection and takes jobs from one queue (a mutex and a condition
 * variable); a range that hashes differently may push smaller ranges back
 * onto the queue.  While a worker waits for a database hash on the target, a
 * short-lived helper thread waits for the source's, so both servers work at
 * once.  In live mode one more thread polls the replication checkpoint and
 * wakes workers waiting for it.  Per-table counters and reported rows are
 * updated under the state mutex when a job ends.
 *
 * Why a streamed range is merge-joined directly rather than hashed first:
 * when the database cannot produce a hash the target can reproduce, godwit
 * must read every row of the range anyway to hash it; comparing the rows in
 * that same pass costs nothing more and saves reading a differing range a
 * second time.  Memory stays one row per side either way.
 */
#include "core/verify.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/typemap.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/metrics.h"
#include "common/signals.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "core/canon.h"
#include "core/progress.h"
#include "core/replicate.h"
#include "dialect/target.h"
#include "dialect/target_state.h"
#include "dialect/target_verify.h"

#define VERIFY_BISECT_ROWS		20000	/* a differing range above this is split */
#define VERIFY_BISECT_FACTOR	16
#define VERIFY_BISECT_DEPTH		6
#define VERIFY_LIVE_SUSPECTS	20000	/* rows re-checked one by one, per range */
#define VERIFY_KEY_BATCH		200		/* keys per re-check read */
#define VERIFY_CHANGED_BATCH	1000	/* keys per changed-key job */
#define VERIFY_VALUE_SHOWN		200		/* bytes of a value shown in a report */

typedef enum DiffKind
{
	DIFF_MISSING,
	DIFF_EXTRANEOUS,
	DIFF_MISMATCH,
} DiffKind;

static const char *const diff_kind_names[] = {"missing", "extraneous", "mismatch"};

/* One offending row. */
typedef struct RowDiff
{
	DiffKind	kind;
	char	  **key;			/* npk values, target text form (owned) */
	char	   *columns;		/* differing columns "a, b" (mismatch), NULL otherwise */
	char	   *detail;			/* JSON {"col": {"source": v, "target": v}}, NULL if none */
	bool		in_truth;		/* the source had the row */
} RowDiff;

/* What one pass over a range (or a list of keys) found. */
typedef struct JobResult
{
	int64_t		truth;			/* source rows */
	int64_t		success;
	int64_t		missing;
	int64_t		mismatch;
	int64_t		extraneous;
	int64_t		live_retry;
	RowDiff    *diffs;			/* the first keep_limit differences */
	int			ndiffs;
	int			cap;
	int			keep_limit;
	int64_t		dropped;		/* differences beyond keep_limit */
} JobResult;

/* A table being verified. */
typedef struct VTable
{
	Table	   *t;
	bool		on_target;
	bool	   *present;		/* per column: compared (not skipped, exists on the target) */
	CanonType  *types;			/* per column: the target column's kind */
	bool	   *key_by_text;	/* per key column */
	bool		pushdown;		/* both databases hash ranges identically */
	bool		bisectable;		/* integer first key: differing ranges can be split */
	int			column_mismatch;
	StrBuf		column_msgs;
	TableProgress *progress;

	/* results, under VerifyState.mutex */
	int64_t		truth;
	int64_t		success;
	int64_t		missing;
	int64_t		mismatch;
	int64_t		extraneous;
	int64_t		live_retry;
	RowDiff    *reported;
	int			nreported;
	int64_t		not_reported;
	bool		error;
	char	   *message;		/* a note for the report (owned) */
} VTable;

typedef struct VJob
{
	VTable	   *vt;
	ShardRange	range;			/* owned */
	char	  **keys;			/* changed_only: nkeys keys of npk values each (owned), or NULL */
	int			nkeys;
	int			depth;			/* 0: a planned range; > 0: split from a differing one */
	int64_t		est_bytes;
} VJob;

typedef struct VerifyState
{
	const VerifyOptions *o;
	Source	   *src;
	Catalog    *cat;
	bool		live;
	VTable	   *tables;
	int			ntables;

	pthread_mutex_t mutex;
	pthread_cond_t cond;
	VJob	  **jobs;			/* queue: jobs[head..njobs) wait */
	int			njobs;
	int			cap_jobs;
	int			head;
	int			in_flight;
	atomic_bool failed;

	/* rate limit */
	pthread_mutex_t throttle_mutex;
	int64_t		throttle_next_us;

	/* live: the replicator's checkpoint, polled by the watcher thread */
	pthread_mutex_t ckpt_mutex;
	pthread_cond_t ckpt_cond;
	char	   *ckpt_position;
	bool		ckpt_stop;
	pthread_t	ckpt_thread;
	bool		ckpt_running;
	atomic_bool ckpt_timed_out; /* warned once */
} VerifyState;

typedef struct VWorker
{
	VerifyState *st;
	int			id;
	VerifyReader *reader;
	PgConn		target;
	bool		target_ok;
	CanonScratch cs;
	pthread_t	thread;
} VWorker;

/* ------------------------------------------------------------- results */

/* A stop signal, or the caller's cancel flag. */
static bool
verify_cancelled(const VerifyState *st)
{
	return signals_should_stop() || (st->o->cancel && atomic_load(st->o->cancel));
}

static void
row_diff_free(RowDiff *d, int npk)
{
	if (d->key)
		for (int i = 0; i < npk; i++)
			free(d->key[i]);
	free(d->key);
	free(d->columns);
	free(d->detail);
	memset(d, 0, sizeof(*d));
}

static void
job_result_init(JobResult *r, int keep_limit)
{
	memset(r, 0, sizeof(*r));
	r->keep_limit = keep_limit;
}

static void
job_result_free(JobResult *r, int npk)
{
	for (int i = 0; i < r->ndiffs; i++)
		row_diff_free(&r->diffs[i], npk);
	free(r->diffs);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------- throttle */

/*
 * Account n source rows (already read) against --rows-per-second: each
 * batch reserves the next slot of n / rate seconds, and its caller sleeps
 * until that slot ends before reading more.
 */
static void
verify_throttle(VerifyState *st, int64_t n)
{
	int64_t		rate = st->o->rows_per_second;
	int64_t		now,
				end;

	if (rate <= 0 || n <= 0)
		return;
	pthread_mutex_lock(&st->throttle_mutex);
	now = time_mono_us();
	end = (st->throttle_next_us > now ? st->throttle_next_us : now) + n * 1000000 / rate;
	st->throttle_next_us = end;
	pthread_mutex_unlock(&st->throttle_mutex);
	if (end > now)
		time_sleep_us(end - now);
}

/* ------------------------------------------------------------- live */

static void *
ckpt_watcher_main(void *arg)
{
	VerifyState *st = arg;
	PgConn		c = {0};
	bool		connected = false;

	log_set_context("checkpoint");
	while (true)
	{
		pthread_mutex_lock(&st->ckpt_mutex);
		bool		stop = st->ckpt_stop;

		pthread_mutex_unlock(&st->ckpt_mutex);
		if (stop)
			break;
		if (!connected)
			connected = target_connect(&c, st->o->target);
		if (connected)
		{
			char	   *pos = NULL;
			bool		found = false;

			if (target_verify_checkpoint(&c, REPLICATE_STREAM_NAME, &pos, &found))
			{
				pthread_mutex_lock(&st->ckpt_mutex);
				if (found && (st->ckpt_position == NULL || strcmp(st->ckpt_position, pos) != 0))
				{
					free(st->ckpt_position);
					st->ckpt_position = pos;
					pos = NULL;
				}
				pthread_cond_broadcast(&st->ckpt_cond);
				pthread_mutex_unlock(&st->ckpt_mutex);
			}
			else
			{
				pg_disconnect(&c);
				connected = false;
			}
			free(pos);
		}
		time_sleep_us(100000);
	}
	if (connected)
		pg_disconnect(&c);
	return NULL;
}

/*
 * Wait until the replicator's checkpoint has passed the source position
 * pos, at most --live-timeout.  Returns false on a timeout (warned once: the
 * comparison then goes on, and differences are re-checked as usual).
 */
static bool
verify_wait_replicated(VerifyState *st, const char *pos)
{
	int64_t		deadline = time_mono_us() + st->o->live_timeout_us;
	bool		reached = false;

	pthread_mutex_lock(&st->ckpt_mutex);
	for (;;)
	{
		if (st->ckpt_position && st->src->ops->position_reached(st->ckpt_position, pos))
		{
			reached = true;
			break;
		}
		if (verify_cancelled(st) || atomic_load(&st->failed))
			break;
		int64_t		now = time_mono_us();

		if (now >= deadline)
			break;
		struct timespec ts = time_deadline_after(deadline - now < 200000 ? deadline - now : 200000);

		pthread_cond_timedwait(&st->ckpt_cond, &st->ckpt_mutex, &ts);
	}
	char	   *at = st->ckpt_position ? gw_strdup(st->ckpt_position) : NULL;

	pthread_mutex_unlock(&st->ckpt_mutex);
	if (!reached && !verify_cancelled(st) && !atomic_exchange(&st->ckpt_timed_out, true))
	{
		char		dur[32];

		time_format_duration(st->o->live_timeout_us, dur, sizeof(dur));
		log_warn_dh(NULL, "is godwit replicate running? differences are re-checked anyway; raise --live-timeout",
					"the replication checkpoint (%s) did not reach source position %s within %s",
					at ? at : "none", pos, dur);
	}
	free(at);
	return reached;
}

/* ------------------------------------------------------------- connections */

static bool
worker_target(VWorker *w)
{
	if (w->target_ok)
		return true;
	w->target_ok = target_connect(&w->target, w->st->o->target) && target_verify_session(&w->target);
	if (!w->target_ok)
		pg_disconnect(&w->target);
	return w->target_ok;
}

static bool
worker_reader(VWorker *w)
{
	if (w->reader)
		return true;
	w->reader = w->st->src->ops->verify_open(w->st->src, w->st->cat);
	return w->reader != NULL;
}

/* ------------------------------------------------------------- merge-join */

/* A copy of a row's key (npk values). */
typedef struct KeyBuf
{
	StrBuf		data;
	size_t	   *off;
	size_t	   *len;
	bool		set;
} KeyBuf;

static void
keybuf_init(KeyBuf *k, int npk)
{
	sb_init(&k->data, SB_DEFAULT_LIMIT);
	k->off = gw_new_array(size_t, (size_t) npk + 1);
	k->len = gw_new_array(size_t, (size_t) npk + 1);
	k->set = false;
}

static void
keybuf_free(KeyBuf *k)
{
	sb_free(&k->data);
	free(k->off);
	free(k->len);
}

static void
keybuf_save(KeyBuf *k, const Table *t, const VerifyRow *row)
{
	sb_reset(&k->data);
	for (int i = 0; i < t->npk; i++)
	{
		int			ci = t->pk[i];

		k->off[i] = k->data.len;
		k->len[i] = row->lens[ci];
		sb_appendn(&k->data, row->vals[ci] ? row->vals[ci] : "", row->vals[ci] ? row->lens[ci] : 0);
	}
	k->set = true;
}

/* Order of a row's key against a saved key. */
static int
key_cmp_saved(VTable *vt, CanonScratch *cs, const VerifyRow *row, const KeyBuf *k)
{
	const Table *t = vt->t;

	for (int i = 0; i < t->npk; i++)
	{
		int			ci = t->pk[i];
		const char *v = row->vals[ci] ? row->vals[ci] : "";
		size_t		vl = row->vals[ci] ? row->lens[ci] : 0;
		int			c = canon_compare(vt->types[ci], v, vl, k->data.data + k->off[i], k->len[i], cs);

		if (c)
			return c;
	}
	return 0;
}

/* Order of two rows' keys (source against target). */
static int
key_cmp_rows(VTable *vt, CanonScratch *cs, const VerifyRow *a, const VerifyRow *b)
{
	const Table *t = vt->t;

	for (int i = 0; i < t->npk; i++)
	{
		int			ci = t->pk[i];
		const char *av = a->vals[ci] ? a->vals[ci] : "";
		const char *bv = b->vals[ci] ? b->vals[ci] : "";
		int			c = canon_compare(vt->types[ci], av, a->vals[ci] ? a->lens[ci] : 0, bv,
									  b->vals[ci] ? b->lens[ci] : 0, cs);

		if (c)
			return c;
	}
	return 0;
}

typedef struct MergeCtx
{
	VWorker    *w;
	VTable	   *vt;
	JobResult  *res;
	TargetRowStream *ts;
	const VerifyRow *trow;		/* current target row, NULL when none fetched */
	bool		tdone;
	bool		failed;			/* an error, logged */
	KeyBuf		prev_src;
	KeyBuf		prev_tgt;
	int64_t		unthrottled;
	StrBuf		cols;
	StrBuf		detail;
} MergeCtx;

/* Append a value (truncated) as a JSON string, or null. */
static void
json_value_shown(JsonWriter *jw, const char *v, size_t len)
{
	if (v == NULL)
	{
		jw_null(jw);
		return;
	}
	if (len > VERIFY_VALUE_SHOWN)
	{
		StrBuf		b;

		sb_init(&b, 0);
		sb_appendn(&b, v, VERIFY_VALUE_SHOWN);
		sb_append(&b, "...");
		jw_stringn(jw, b.data, b.len);
		sb_free(&b);
		return;
	}
	jw_stringn(jw, v, len);
}

/*
 * Count a difference and keep it (key copied, with m->cols/m->detail for a
 * mismatch) while under the result's keep limit.
 */
static void
add_diff(MergeCtx *m, DiffKind kind, const VerifyRow *src, const VerifyRow *tgt)
{
	JobResult  *r = m->res;
	const Table *t = m->vt->t;
	const VerifyRow *keyrow = src ? src : tgt;
	RowDiff    *d;

	switch (kind)
	{
		case DIFF_MISSING:
			r->missing++;
			break;
		case DIFF_EXTRANEOUS:
			r->extraneous++;
			break;
		case DIFF_MISMATCH:
			r->mismatch++;
			break;
	}
	if (r->ndiffs >= r->keep_limit)
	{
		r->dropped++;
		return;
	}
	gw_array_grow(r->diffs, r->cap, r->ndiffs + 1);
	d = &r->diffs[r->ndiffs++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->in_truth = src != NULL;
	d->key = gw_new_array(char *, (size_t) t->npk + 1);
	for (int i = 0; i < t->npk; i++)
	{
		int			ci = t->pk[i];

		d->key[i] = keyrow->vals[ci] ? gw_strndup(keyrow->vals[ci], keyrow->lens[ci]) : gw_strdup("");
	}
	if (kind == DIFF_MISMATCH)
	{
		d->columns = gw_strdup(m->cols.data);
		d->detail = gw_strdup(m->detail.data);
	}
	else if (kind == DIFF_MISSING && m->detail.len > 0)
		d->detail = gw_strdup(m->detail.data);
}

/* Compare two rows of one key; a mismatch is recorded with its columns. */
static void
compare_row(MergeCtx *m, const VerifyRow *s, const VerifyRow *tr)
{
	VTable	   *vt = m->vt;
	const Table *t = vt->t;
	JsonWriter	jw;
	int			ndiff = 0;

	sb_reset(&m->cols);
	sb_reset(&m->detail);
	for (int i = 0; i < t->ncolumns; i++)
	{
		const char *sv = s->vals[i],
				   *tv = tr->vals[i];
		bool		same;

		if (!vt->present[i])
			continue;
		if (s->errs[i])
			same = false;
		else if (sv == NULL || tv == NULL)
			same = sv == NULL && tv == NULL;
		else
			same = canon_equal(vt->types[i], sv, s->lens[i], tv, tr->lens[i], &m->w->cs);
		if (same)
			continue;
		if (ndiff == 0)
		{
			jw_init(&jw, &m->detail);
			jw_object_begin(&jw);
		}
		if (ndiff++)
			sb_append(&m->cols, ", ");
		sb_append(&m->cols, t->columns[i].target_name);
		jw_key(&jw, t->columns[i].target_name);
		jw_object_begin(&jw);
		jw_key(&jw, "source");
		if (s->errs[i])
			jw_string(&jw, s->errs[i]);
		else
			json_value_shown(&jw, sv, sv ? s->lens[i] : 0);
		jw_key(&jw, "target");
		json_value_shown(&jw, tv, tv ? tr->lens[i] : 0);
		jw_object_end(&jw);
	}
	if (ndiff == 0)
	{
		m->res->success++;
		return;
	}
	jw_object_end(&jw);
	add_diff(m, DIFF_MISMATCH, s, tr);
}

/* Fetch the next target row into m->trow (checking key order); false on error. */
static bool
merge_fetch_target(MergeCtx *m)
{
	const VerifyRow *row;
	int			rc;

	if (m->trow || m->tdone)
		return true;
	rc = target_rows_next(m->ts, &row);
	if (rc < 0)
	{
		m->failed = true;
		return false;
	}
	if (rc == 0)
	{
		m->tdone = true;
		return true;
	}
	if (m->prev_tgt.set && key_cmp_saved(m->vt, &m->w->cs, row, &m->prev_tgt) <= 0)
	{
		err_set_kind(ERR_INTERNAL);
		log_error_dh(NULL, "report this with the table's key type: the comparison would not be reliable",
					 "target rows of %s arrive out of key order", m->vt->t->display);
		m->failed = true;
		return false;
	}
	keybuf_save(&m->prev_tgt, m->vt->t, row);
	m->trow = row;
	return true;
}

/* VerifyRowSink.row: one source row, merged with the target's stream. */
static bool
merge_source_row(void *arg, const VerifyRow *s)
{
	MergeCtx   *m = arg;
	VTable	   *vt = m->vt;
	const Table *t = vt->t;

	m->res->truth++;
	if (++m->unthrottled >= 1000)
	{
		verify_throttle(m->w->st, m->unthrottled);
		progress_add(vt->progress, m->unthrottled, 0);
		m->unthrottled = 0;
		if (signals_should_stop())
		{
			err_set_kind(ERR_INTERRUPTED);
			m->failed = true;
			return false;
		}
	}
	/* a key without a target form: the row cannot be on the target */
	for (int i = 0; i < t->npk; i++)
	{
		if (s->errs[t->pk[i]])
		{
			JsonWriter	jw;

			sb_reset(&m->detail);
			jw_init(&jw, &m->detail);
			jw_object_begin(&jw);
			jw_kv_string(&jw, "error", s->errs[t->pk[i]]);
			jw_object_end(&jw);
			add_diff(m, DIFF_MISSING, s, NULL);
			sb_reset(&m->detail);
			return true;
		}
	}
	if (m->prev_src.set && key_cmp_saved(vt, &m->w->cs, s, &m->prev_src) <= 0)
	{
		err_set_kind(ERR_INTERNAL);
		log_error_dh(NULL, "report this with the table's key type: the comparison would not be reliable",
					 "source rows of %s arrive out of key order", t->display);
		m->failed = true;
		return false;
	}
	keybuf_save(&m->prev_src, t, s);
	for (;;)
	{
		int			c;

		if (!merge_fetch_target(m))
			return false;
		if (m->tdone)
		{
			add_diff(m, DIFF_MISSING, s, NULL);
			return true;
		}
		c = key_cmp_rows(vt, &m->w->cs, s, m->trow);
		if (c < 0)
		{
			add_diff(m, DIFF_MISSING, s, NULL);
			return true;
		}
		if (c > 0)
		{
			add_diff(m, DIFF_EXTRANEOUS, NULL, m->trow);
			m->trow = NULL;
			continue;
		}
		compare_row(m, s, m->trow);
		m->trow = NULL;
		return true;
	}
}

/*
 * Merge-join the selected rows of both sides into res.  The source read
 * must be open (verify_begin).  False on error (logged).
 */
static bool
merge_selection(VWorker *w, VTable *vt, const RowSelection *sel, JobResult *res)
{
	MergeCtx	m;
	int64_t		rows = 0;
	bool		ok;
	VerifyRowSink sink = {merge_source_row, &m};

	memset(&m, 0, sizeof(m));
	m.w = w;
	m.vt = vt;
	m.res = res;
	keybuf_init(&m.prev_src, vt->t->npk);
	keybuf_init(&m.prev_tgt, vt->t->npk);
	sb_init(&m.cols, SB_DEFAULT_LIMIT);
	sb_init(&m.detail, SB_DEFAULT_LIMIT);
	m.ts = target_rows_open(&w->target, vt->t, vt->present, sel);
	if (m.ts == NULL)
		m.failed = true;
	else
	{
		ok = w->st->src->ops->verify_read(w->reader, vt->t, sel, &sink, &rows);
		if (!ok)
			m.failed = true;
		/* target rows past the last source row are extraneous */
		while (!m.failed)
		{
			if (!merge_fetch_target(&m))
				break;
			if (m.tdone)
				break;
			add_diff(&m, DIFF_EXTRANEOUS, NULL, m.trow);
			m.trow = NULL;
		}
		if (!target_rows_close(m.ts))
			m.failed = true;
	}
	if (m.unthrottled)
	{
		verify_throttle(w->st, m.unthrottled);
		progress_add(vt->progress, m.unthrottled, 0);
	}
	keybuf_free(&m.prev_src);
	keybuf_free(&m.prev_tgt);
	sb_free(&m.cols);
	sb_free(&m.detail);
	return !m.failed;
}

/* ------------------------------------------------------------- live re-checks */

/*
 * Re-read the rows of res's differences by key, each batch after the
 * replicator has passed a fresh source position, up to --live-retries
 * times; res keeps only the rows that differ every time.
 */
static bool
recheck_differences(VWorker *w, VTable *vt, JobResult *res)
{
	VerifyState *st = w->st;
	const Table *t = vt->t;
	int			npk = t->npk;

	for (int attempt = 1; attempt <= st->o->live_retries && res->ndiffs > 0; attempt++)
	{
		JobResult	next;

		job_result_init(&next, res->keep_limit);
		time_sleep_us(50000 * attempt);
		for (int b = 0; b < res->ndiffs; b += VERIFY_KEY_BATCH)
		{
			int			n = res->ndiffs - b < VERIFY_KEY_BATCH ? res->ndiffs - b : VERIFY_KEY_BATCH;
			const char **keys = gw_new_array(const char *, (size_t) n * (size_t) npk + 1);
			RowSelection sel = {NULL, keys, n, vt->key_by_text};
			char		pos[512];
			bool		ok;

			for (int k = 0; k < n; k++)
				for (int i = 0; i < npk; i++)
					keys[k * npk + i] = res->diffs[b + k].key[i];
			ok = st->src->ops->verify_begin(w->reader, pos, sizeof(pos));
			if (ok)
			{
				verify_wait_replicated(st, pos);
				ok = merge_selection(w, vt, &sel, &next);
				st->src->ops->verify_end(w->reader);
			}
			free(keys);
			if (!ok)
			{
				job_result_free(&next, npk);
				return false;
			}
		}
		/* rows re-read: the counters of the first pass are adjusted below */
		res->live_retry += res->ndiffs;
		for (int i = 0; i < res->ndiffs; i++)
		{
			RowDiff    *d = &res->diffs[i];
			bool		still = false;

			for (int k = 0; k < next.ndiffs && !still; k++)
			{
				bool		same = true;

				/* the same key, however each side spelt it */
				for (int c = 0; c < npk && same; c++)
					same = canon_compare(vt->types[t->pk[c]], next.diffs[k].key[c], strlen(next.diffs[k].key[c]),
										 d->key[c], strlen(d->key[c]), &w->cs) == 0;
				if (same)
				{
					/* carry the first pass's source membership */
					next.diffs[k].in_truth = next.diffs[k].in_truth || d->in_truth;
					still = true;
				}
			}
			switch (d->kind)
			{
				case DIFF_MISSING:
					res->missing--;
					break;
				case DIFF_EXTRANEOUS:
					res->extraneous--;
					break;
				case DIFF_MISMATCH:
					res->mismatch--;
					break;
			}
			if (!still && d->in_truth)
				res->success++;
		}
		for (int k = 0; k < next.ndiffs; k++)
		{
			RowDiff    *d = &next.diffs[k];

			switch (d->kind)
			{
				case DIFF_MISSING:
					res->missing++;
					break;
				case DIFF_EXTRANEOUS:
					res->extraneous++;
					break;
				case DIFF_MISMATCH:
					res->mismatch++;
					break;
			}
			/* a row the source gained or lost meanwhile moves the truth count */
			bool		src_has = d->kind != DIFF_EXTRANEOUS;

			if (src_has && !d->in_truth)
				res->truth++;
			else if (!src_has && d->in_truth)
			{
				res->truth--;
				d->in_truth = false;
			}
			else if (src_has)
				d->in_truth = true;
		}
		for (int i = 0; i < res->ndiffs; i++)
			row_diff_free(&res->diffs[i], npk);
		free(res->diffs);
		res->diffs = next.diffs;
		res->ndiffs = next.ndiffs;
		res->cap = next.cap;
		next.diffs = NULL;
		next.ndiffs = 0;
		job_result_free(&next, npk);
	}
	return true;
}

/* ------------------------------------------------------------- jobs */

/* Add a job's counters to its table; its differences move there (up to the report cap). */
static void
record_result(VerifyState *st, VTable *vt, JobResult *r)
{
	int			limit = st->o->max_reported_rows;

	pthread_mutex_lock(&st->mutex);
	vt->truth += r->truth;
	vt->success += r->success;
	vt->missing += r->missing;
	vt->mismatch += r->mismatch;
	vt->extraneous += r->extraneous;
	vt->live_retry += r->live_retry;
	vt->not_reported += r->dropped;
	for (int i = 0; i < r->ndiffs; i++)
	{
		if (vt->nreported >= limit)
		{
			vt->not_reported++;
			row_diff_free(&r->diffs[i], vt->t->npk);
			continue;
		}
		vt->reported = gw_realloc_array(vt->reported, (size_t) vt->nreported + 1, sizeof(RowDiff));
		vt->reported[vt->nreported++] = r->diffs[i];
	}
	r->ndiffs = 0;
	pthread_mutex_unlock(&st->mutex);
}

static void
enqueue_job(VerifyState *st, VJob *job)
{
	pthread_mutex_lock(&st->mutex);
	gw_array_grow(st->jobs, st->cap_jobs, st->njobs + 1);
	st->jobs[st->njobs++] = job;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->mutex);
}

/* The next job, waiting while others may still queue some; NULL when done or failing. */
static VJob *
next_job(VerifyState *st)
{
	VJob	   *job = NULL;

	pthread_mutex_lock(&st->mutex);
	for (;;)
	{
		if (atomic_load(&st->failed) || verify_cancelled(st))
			break;
		if (st->head < st->njobs)
		{
			job = st->jobs[st->head++];
			st->in_flight++;
			break;
		}
		if (st->in_flight == 0)
			break;
		pthread_cond_wait(&st->cond, &st->mutex);
	}
	pthread_mutex_unlock(&st->mutex);
	return job;
}

static void
job_done(VerifyState *st, VJob *job)
{
	pthread_mutex_lock(&st->mutex);
	st->in_flight--;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->mutex);
	if (job->depth == 0)
		atomic_fetch_add(&job->vt->progress->shards_done, 1);
	free(job->range.lo);
	free(job->range.hi);
	if (job->keys)
	{
		for (int k = 0; k < job->nkeys * job->vt->t->npk; k++)
			free(job->keys[k]);
		free(job->keys);
	}
	free(job);
}

/* Both databases hash a range at once: the source on a helper thread. */
typedef struct SideHash
{
	VerifyState *st;
	VerifyReader *reader;
	const Table *t;
	const ShardRange *range;
	RangeHash	hash;
	bool		ok;
	char		ctx[32];
} SideHash;

static void *
side_hash_main(void *arg)
{
	SideHash   *h = arg;

	log_set_context(h->ctx);
	h->ok = h->st->src->ops->verify_hash(h->reader, h->t, h->range, &h->hash);
	return NULL;
}

typedef enum HashOutcome
{
	HASH_EQUAL,
	HASH_DIFFER,
	HASH_ERROR,
} HashOutcome;

static HashOutcome
hash_range(VWorker *w, VJob *job, int64_t *rows)
{
	VerifyState *st = w->st;
	SideHash	h = {.st = st, .reader = w->reader, .t = job->vt->t, .range = &job->range};
	RangeHash	th;
	pthread_t	thread;
	char		pos[512];
	bool		tok;

	*rows = 0;
	if (!st->src->ops->verify_begin(w->reader, pos, sizeof(pos)))
		return HASH_ERROR;
	if (st->live)
		verify_wait_replicated(st, pos);
	snprintf(h.ctx, sizeof(h.ctx), "worker %d source", w->id);
	if (pthread_create(&thread, NULL, side_hash_main, &h) != 0)
	{
		err_set_kind(ERR_INTERNAL);
		log_error("could not start a thread");
		st->src->ops->verify_end(w->reader);
		return HASH_ERROR;
	}
	tok = target_verify_hash(&w->target, job->vt->t, &job->range, &th);
	pthread_join(thread, NULL);
	st->src->ops->verify_end(w->reader);
	if (!h.ok || !tok)
		return HASH_ERROR;
	*rows = h.hash.rows > th.rows ? h.hash.rows : th.rows;
	verify_throttle(st, h.hash.rows);
	log_debug("%s range [%s, %s): source %lld rows %s, target %lld rows %s", job->vt->t->display,
			  job->range.lo ? job->range.lo : "-inf", job->range.hi ? job->range.hi : "+inf",
			  (long long) h.hash.rows, h.hash.sum, (long long) th.rows, th.sum);
	if (h.hash.rows == th.rows && strcmp(h.hash.sum, th.sum) == 0)
	{
		JobResult	r;

		job_result_init(&r, 0);
		r.truth = r.success = h.hash.rows;
		record_result(st, job->vt, &r);
		progress_add(job->vt->progress, h.hash.rows, 0);
		return HASH_EQUAL;
	}
	return HASH_DIFFER;
}

/*
 * Split a differing range of an integer key into smaller ones (queued).
 * Returns false when it cannot be split usefully (then it is read row by row).
 */
static bool
split_range(VWorker *w, VJob *job)
{
	VerifyState *st = w->st;
	char	   *min = NULL,
			   *max = NULL;
	char	   *end;
	long long	lo,
				hi;
	long long	bounds[VERIFY_BISECT_FACTOR + 1];
	int			nb = 0;

	if (!target_verify_key_bounds(&w->target, job->vt->t, &job->range, &min, &max))
		return false;
	if (min == NULL || max == NULL)
	{
		free(min);
		free(max);
		return false;
	}
	errno = 0;
	lo = strtoll(min, &end, 10);
	bool		okp = *end == '\0' && errno == 0;

	hi = strtoll(max, &end, 10);
	okp = okp && *end == '\0' && errno == 0 && hi < LLONG_MAX;
	free(min);
	free(max);
	if (!okp || hi - lo < 2 * VERIFY_BISECT_FACTOR)
		return false;
	hi++;
	/* interior boundaries only: the outer ends stay the job's own */
	for (int i = 1; i < VERIFY_BISECT_FACTOR; i++)
	{
		long long	b = lo + (long long) ((__int128) (hi - lo) * i / VERIFY_BISECT_FACTOR);

		if (nb == 0 || b > bounds[nb - 1])
			bounds[nb++] = b;
	}
	for (int i = 0; i <= nb; i++)
	{
		VJob	   *sub = gw_new(VJob);

		sub->vt = job->vt;
		sub->depth = job->depth + 1;
		sub->est_bytes = job->est_bytes / (nb + 1);
		sub->range.lo = i == 0 ? (job->range.lo ? gw_strdup(job->range.lo) : NULL)
			: gw_asprintf("%lld", bounds[i - 1]);
		sub->range.hi = i == nb ? (job->range.hi ? gw_strdup(job->range.hi) : NULL)
			: gw_asprintf("%lld", bounds[i]);
		enqueue_job(st, sub);
	}
	log_debug("%s: range [%s, %s) differs: split in %d", job->vt->t->display,
			  job->range.lo ? job->range.lo : "-inf", job->range.hi ? job->range.hi : "+inf", nb + 1);
	return true;
}

/* Read a range row by row from both sides (with live re-checks). */
static bool
compare_range(VWorker *w, VJob *job)
{
	VerifyState *st = w->st;
	VTable	   *vt = job->vt;
	int			keep = st->live ? VERIFY_LIVE_SUSPECTS : st->o->max_reported_rows;
	RowSelection sel = {&job->range, NULL, 0, vt->key_by_text};
	JobResult	res;
	char		pos[512];
	bool		ok;

	job_result_init(&res, keep);
	ok = st->src->ops->verify_begin(w->reader, pos, sizeof(pos));
	if (ok)
	{
		if (st->live)
			verify_wait_replicated(st, pos);
		ok = merge_selection(w, vt, &sel, &res);
		st->src->ops->verify_end(w->reader);
	}
	if (ok && st->live && res.ndiffs > 0)
	{
		if (res.dropped > 0)
			log_warn("%s: %lld differing rows in one range; only the first %d are re-checked",
					 vt->t->display, (long long) (res.ndiffs + res.dropped), res.keep_limit);
		ok = recheck_differences(w, vt, &res);
	}
	if (ok)
		record_result(st, vt, &res);
	job_result_free(&res, vt->t->npk);
	return ok;
}

/* 64-bit FNV-1a over bytes */
static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
	{
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

typedef struct Multiset
{
	VWorker    *w;
	VTable	   *vt;
	int64_t		rows;
	uint64_t	sum;
	uint64_t	xor;
	StrBuf		canon;
} Multiset;

/* The digest of one row's canonical values (order-independent accumulation). */
static void
multiset_add(Multiset *ms, const VerifyRow *row)
{
	uint64_t	h = UINT64_C(14695981039346656037);
	const Table *t = ms->vt->t;

	for (int i = 0; i < t->ncolumns; i++)
	{
		uint64_t	len;

		if (!ms->vt->present[i])
			continue;
		if (row->errs[i] || row->vals[i] == NULL)
		{
			unsigned char tag = row->errs[i] ? 2 : 1;

			h = fnv1a(h, &tag, 1);
			continue;
		}
		sb_reset(&ms->canon);
		canon_value(ms->vt->types[i], row->vals[i], row->lens[i], &ms->canon);
		len = ms->canon.len;
		h = fnv1a(h, &len, sizeof(len));
		h = fnv1a(h, ms->canon.data, ms->canon.len);
	}
	/* finalise (splitmix64) so sums of similar rows do not cancel */
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	ms->sum += h;
	ms->xor ^= h * UINT64_C(0x9e3779b97f4a7c15);
	ms->rows++;
}

static bool
multiset_source_row(void *arg, const VerifyRow *row)
{
	Multiset   *ms = arg;

	multiset_add(ms, row);
	if (ms->rows % 1000 == 0)
	{
		verify_throttle(ms->w->st, 1000);
		if (signals_should_stop())
		{
			err_set_kind(ERR_INTERRUPTED);
			return false;
		}
	}
	return true;
}

/*
 * A table without a primary key: no key to pair rows by, so the two sides
 * are compared as multisets of rows (the database's hash when it is exact,
 * else a digest of canonical rows).  A difference cannot name rows.
 */
static bool
compare_keyless(VWorker *w, VJob *job)
{
	VerifyState *st = w->st;
	VTable	   *vt = job->vt;
	JobResult	res;
	int64_t		srows = 0,
				trows = 0;
	bool		equal = false;

	for (int attempt = 0; attempt <= (st->live ? st->o->live_retries : 0); attempt++)
	{
		char		pos[512];
		bool		ok;

		if (vt->pushdown)
		{
			int64_t		rows;
			HashOutcome ho = hash_range(w, job, &rows);

			if (ho == HASH_ERROR)
				return false;
			if (ho == HASH_EQUAL)
				return true;	/* recorded */
			srows = trows = -1;
		}
		else
		{
			Multiset	ss = {.w = w, .vt = vt},
						ts = {.w = w, .vt = vt};
			RowSelection sel = {NULL, NULL, 0, NULL};
			VerifyRowSink sink = {multiset_source_row, &ss};
			TargetRowStream *tstream;
			const VerifyRow *row;
			int64_t		n;
			int			rc;

			sb_init(&ss.canon, SB_DEFAULT_LIMIT);
			sb_init(&ts.canon, SB_DEFAULT_LIMIT);
			ok = st->src->ops->verify_begin(w->reader, pos, sizeof(pos));
			if (ok)
			{
				if (st->live)
					verify_wait_replicated(st, pos);
				ok = st->src->ops->verify_read(w->reader, vt->t, &sel, &sink, &n);
				st->src->ops->verify_end(w->reader);
			}
			if (ok && (tstream = target_rows_open(&w->target, vt->t, vt->present, &sel)) != NULL)
			{
				while ((rc = target_rows_next(tstream, &row)) > 0)
					multiset_add(&ts, row);
				ok = target_rows_close(tstream) && rc == 0;
			}
			else
				ok = false;
			sb_free(&ss.canon);
			sb_free(&ts.canon);
			if (!ok)
				return false;
			progress_add(vt->progress, ss.rows, 0);
			srows = ss.rows;
			trows = ts.rows;
			equal = ss.rows == ts.rows && ss.sum == ts.sum && ss.xor == ts.xor;
			if (equal)
				break;
		}
		if (st->live && attempt < st->o->live_retries)
			time_sleep_us(200000);
	}
	job_result_init(&res, 0);
	if (equal)
	{
		res.truth = res.success = srows;
		record_result(st, vt, &res);
		return true;
	}
	if (srows < 0)
	{
		/* the database hashes differ: count the rows to say how */
		RangeHash	h;
		char		pos[512];

		if (!st->src->ops->verify_begin(w->reader, pos, sizeof(pos)))
			return false;
		bool		ok = st->src->ops->verify_hash(w->reader, vt->t, NULL, &h);

		st->src->ops->verify_end(w->reader);
		if (!ok)
			return false;
		srows = h.rows;
		if (!target_verify_hash(&w->target, vt->t, NULL, &h))
			return false;
		trows = h.rows;
	}
	res.truth = srows;
	if (srows > trows)
		res.missing = srows - trows;
	else if (trows > srows)
		res.extraneous = trows - srows;
	else
		res.mismatch = 1;
	pthread_mutex_lock(&st->mutex);
	free(vt->message);
	vt->message = gw_asprintf("the table has no primary key: its rows differ (%lld on the source, %lld on "
							  "the target) but cannot be told apart", (long long) srows, (long long) trows);
	pthread_mutex_unlock(&st->mutex);
	record_result(st, vt, &res);
	return true;
}

/* changed_only: compare the rows of a list of keys (both sides read by key). */
static bool
compare_keys(VWorker *w, VJob *job)
{
	VerifyState *st = w->st;
	VTable	   *vt = job->vt;
	RowSelection sel = {NULL, (const char *const *) job->keys, job->nkeys, vt->key_by_text};
	JobResult	res;
	char		pos[512];
	bool		ok;

	job_result_init(&res, st->o->max_reported_rows);
	ok = st->src->ops->verify_begin(w->reader, pos, sizeof(pos));
	if (ok)
	{
		ok = merge_selection(w, vt, &sel, &res);
		st->src->ops->verify_end(w->reader);
	}
	if (ok)
		record_result(st, vt, &res);
	job_result_free(&res, vt->t->npk);
	return ok;
}

/*
 * Jobs for the changed keys of vt: lists of VERIFY_CHANGED_BATCH keys.
 * *whole is set when the table must be compared whole ("*": a TRUNCATE, or
 * a table without a key); *nkeys_out counts the keys.
 */
static bool
plan_changed_keys(VerifyState *st, PgConn *target, VTable *vt, bool *whole, int64_t *nkeys_out)
{
	const Table *t = vt->t;
	char	  **keys;
	int			n;
	Arena		a;
	bool		ok = true;
	VJob	   *job = NULL;

	*whole = false;
	*nkeys_out = 0;
	if (!state_changed_keys(target, t->schema, t->name, &keys, &n))
		return false;
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], "*") == 0)
			*whole = true;
	arena_init(&a, 0);
	for (int i = 0; i < n && !*whole && ok; i++)
	{
		char		err[128];
		JsonValue  *v = json_parse(keys[i], strlen(keys[i]), &a, err, sizeof(err));

		if (v == NULL || v->type != JSON_ARRAY || (int) v->count != t->npk)
		{
			err_set_kind(ERR_STATE);
			log_error("malformed changed key %s of %s in _godwit.changed_key_sets", keys[i], t->display);
			ok = false;
			break;
		}
		if (job == NULL || job->nkeys == VERIFY_CHANGED_BATCH)
		{
			job = gw_new(VJob);
			job->vt = vt;
			job->keys = gw_new_array(char *, (size_t) VERIFY_CHANGED_BATCH * (size_t) t->npk + 1);
			job->est_bytes = 1;
			gw_array_grow(st->jobs, st->cap_jobs, st->njobs + 1);
			st->jobs[st->njobs++] = job;
		}
		for (int k = 0; k < t->npk; k++)
			job->keys[job->nkeys * t->npk + k] = v->items[k]->type == JSON_STRING
				? gw_strndup(v->items[k]->str, v->items[k]->len) : gw_strdup("");
		job->nkeys++;
		(*nkeys_out)++;
		arena_reset(&a);
	}
	arena_free(&a);
	for (int i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return ok;
}

/*
 * verify_job
 *		Verify one job: a list of changed keys is read by key; a range is
 *		hashed when the databases can, and split or read row by row when it
 *		differs.  Results go to the table under the state mutex; smaller
 *		ranges may be queued.  False on error (logged).
 */
static bool
verify_job(VWorker *w, VJob *job)
{
	VTable	   *vt = job->vt;

	if (!worker_target(w) || !worker_reader(w))
		return false;
	if (job->keys)
		return compare_keys(w, job);
	if (vt->t->npk == 0)
		return compare_keyless(w, job);
	if (vt->pushdown)
	{
		int64_t		rows;

		switch (hash_range(w, job, &rows))
		{
			case HASH_EQUAL:
				return true;
			case HASH_ERROR:
				return false;
			case HASH_DIFFER:
				if (vt->bisectable && rows > VERIFY_BISECT_ROWS && job->depth < VERIFY_BISECT_DEPTH &&
					split_range(w, job))
					return true;
				break;
		}
	}
	return compare_range(w, job);
}

/* A worker thread: takes jobs until none are left or the run fails. */
static void *
worker_main(void *arg)
{
	VWorker    *w = arg;
	VerifyState *st = w->st;
	char		ctx[32];
	VJob	   *job;

	snprintf(ctx, sizeof(ctx), "worker %d", w->id);
	log_set_context(ctx);
	canon_scratch_init(&w->cs);
	while ((job = next_job(st)) != NULL)
	{
		/*
		 * No retry here: errors are logged as they happen and decide the exit
		 * code; verify only reads, so rerunning it is the retry.
		 */
		if (!verify_job(w, job))
		{
			pthread_mutex_lock(&st->mutex);
			job->vt->error = true;
			pthread_mutex_unlock(&st->mutex);
			if (!verify_cancelled(st))
				log_error("could not verify %s", job->vt->t->display);
			atomic_store(&st->failed, true);
		}
		job_done(st, job);
	}
	canon_scratch_free(&w->cs);
	return NULL;
}

/* ------------------------------------------------------------- planning */

/* The last identifier of a type name, unquoted ("public"."mood" -> mood). */
static void
type_base_name(const char *type, char *out, size_t outlen)
{
	char		canon[256];
	const char *p;
	size_t		n = 0;
	bool		array;

	typemap_canonical(type, canon, sizeof(canon));
	p = canon;
	array = *p == '_';
	if (array)
		p++;
	/* last component of a qualified name */
	const char *start = p;

	for (const char *q = p; *q; q++)
	{
		if (*q == '"')
		{
			for (q++; *q && !(*q == '"' && q[1] != '"'); q++)
				if (*q == '"')
					q++;
			if (!*q)
				break;
			continue;
		}
		if (*q == '.')
			start = q + 1;
	}
	for (p = start; *p && n + 1 < outlen; p++)
	{
		if (*p == '"')
		{
			if (p[1] == '"')
				out[n++] = *p++;
			continue;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
}

/* Compare a table's columns with the target's; fills present/types. */
static void
check_columns(VTable *vt, const TargetColumnInfo *cols, int ncols)
{
	Table	   *t = vt->t;

	for (int i = 0; i < t->ncolumns; i++)
	{
		const Column *col = &t->columns[i];
		const TargetColumnInfo *tc = NULL;
		char		ours[256],
					theirs[256];

		vt->types[i] = canon_type_of(col->target_type);
		if (col->skip)
			continue;
		for (int k = 0; k < ncols && tc == NULL; k++)
			if (strcmp(cols[k].name, col->target_name) == 0)
				tc = &cols[k];
		if (tc == NULL)
		{
			vt->column_mismatch++;
			sb_appendf(&vt->column_msgs, "%scolumn \"%s\" is missing on the target",
					   vt->column_msgs.len ? "; " : "", col->target_name);
			continue;
		}
		vt->present[i] = true;
		/* values are compared by what the target column really is */
		vt->types[i] = canon_type_of(tc->type_name);
		vt->types[i].array = tc->is_array;
		type_base_name(col->target_type, ours, sizeof(ours));
		snprintf(theirs, sizeof(theirs), "%s", tc->domain_name ? tc->domain_name
				 : (tc->is_array && tc->type_name[0] == '_' ? tc->type_name + 1 : tc->type_name));
		bool		our_array = strstr(col->target_type, "[]") != NULL;

		if (strcmp(ours, theirs) != 0 || our_array != tc->is_array)
		{
			vt->column_mismatch++;
			sb_appendf(&vt->column_msgs, "%scolumn \"%s\" is %s%s on the target, not %s",
					   vt->column_msgs.len ? "; " : "", col->target_name, theirs, tc->is_array ? "[]" : "",
					   col->target_type);
		}
	}
	for (int k = 0; k < ncols; k++)
	{
		bool		ours = false;

		for (int i = 0; i < t->ncolumns && !ours; i++)
			ours = strcmp(t->columns[i].target_name, cols[k].name) == 0;
		if (ours)
			continue;
		vt->column_mismatch++;
		sb_appendf(&vt->column_msgs, "%sthe target has an extra column \"%s\"",
				   vt->column_msgs.len ? "; " : "", cols[k].name);
	}
}

/* Tables of the catalog that hold rows of their own (partitions are read via their parent). */
static bool
table_is_verified(const Table *t)
{
	return t->partition_of == NULL;
}

typedef struct ExtraTable
{
	char	   *schema;
	char	   *name;
} ExtraTable;

/*
 * Which tables exist on the target; extraneous target tables are those of
 * the same target schemas that no selected table maps to and whose name
 * the table filters would select.
 */
static bool
check_tables(VerifyState *st, PgConn *target, const TableFilter *filter, ExtraTable **extra, int *nextra)
{
	const char **schemas = gw_new_array(const char *, (size_t) st->ntables + 1);
	int			nschemas = 0;
	TargetTableName *tt;
	int			ntt;
	int			cap = 0;

	*extra = NULL;
	*nextra = 0;
	for (int i = 0; i < st->ntables; i++)
	{
		const char *s = st->tables[i].t->target_schema;
		bool		have = false;

		for (int k = 0; k < nschemas && !have; k++)
			have = strcmp(schemas[k], s) == 0;
		if (!have)
			schemas[nschemas++] = s;
	}
	if (!target_verify_list_tables(target, schemas, nschemas, &tt, &ntt))
	{
		free(schemas);
		return false;
	}
	for (int i = 0; i < st->ntables; i++)
	{
		Table	   *t = st->tables[i].t;

		for (int k = 0; k < ntt && !st->tables[i].on_target; k++)
			st->tables[i].on_target = strcmp(tt[k].schema, t->target_schema) == 0 &&
				strcmp(tt[k].name, t->target_name) == 0;
	}
	for (int k = 0; k < ntt; k++)
	{
		bool		mapped = false,
					selected = false;

		if (strcmp(tt[k].schema, "_godwit") == 0)
			continue;
		for (int i = 0; i < st->cat->ntables && !mapped; i++)
			mapped = strcmp(st->cat->tables[i]->target_schema, tt[k].schema) == 0 &&
				strcmp(st->cat->tables[i]->target_name, tt[k].name) == 0;
		if (mapped)
			continue;
		/* would the filters select it, under any source schema that maps here? */
		for (int i = 0; i < st->ntables && !selected; i++)
			if (strcmp(st->tables[i].t->target_schema, tt[k].schema) == 0)
				selected = filter == NULL || table_filter_match(filter, st->tables[i].t->schema, tt[k].name);
		if (!selected)
			continue;
		gw_array_grow(*extra, cap, *nextra + 1);
		(*extra)[*nextra].schema = gw_strdup(tt[k].schema);
		(*extra)[*nextra].name = gw_strdup(tt[k].name);
		(*nextra)++;
	}
	target_verify_free_tables(tt, ntt);
	free(schemas);
	return true;
}

static int
job_cmp(const void *a, const void *b)
{
	const VJob *x = *(VJob *const *) a,
			   *y = *(VJob *const *) b;

	if (x->est_bytes != y->est_bytes)
		return x->est_bytes > y->est_bytes ? -1 : 1;
	return 0;
}

/* ------------------------------------------------------------- report */

static void
key_json(const Table *t, char *const *key, StrBuf *out)
{
	JsonWriter	jw;

	jw_init(&jw, out);
	jw_object_begin(&jw);
	for (int i = 0; i < t->npk; i++)
		jw_kv_string(&jw, t->columns[t->pk[i]].target_name, key[i]);
	jw_object_end(&jw);
}

static const char *
table_status(const VTable *vt)
{
	if (!vt->on_target)
		return "missing";
	if (vt->error)
		return "error";
	if (vt->missing || vt->mismatch || vt->extraneous || vt->column_mismatch)
		return "mismatch";
	return "ok";
}

/*
 * print_report
 *		The report on stdout (a table, or JSON lines with MOLT's fields), a
 *		summary log line, and the per-table metrics.
 */
static void
print_report(VerifyState *st, ExtraTable *extra, int nextra, int64_t elapsed_us, int64_t run_id)
{
	const VerifyOptions *o = st->o;
	int64_t		rows = 0,
				diffs = 0,
				success = 0,
				retried = 0;
	int			missing_tables = 0,
				bad_tables = 0;

	for (int i = 0; i < st->ntables; i++)
	{
		VTable	   *vt = &st->tables[i];

		rows += vt->truth;
		success += vt->success;
		retried += vt->live_retry;
		diffs += vt->missing + vt->mismatch + vt->extraneous + vt->column_mismatch;
		missing_tables += !vt->on_target;
		bad_tables += strcmp(table_status(vt), "ok") != 0;
	}
	if (o->json)
	{
		StrBuf		b;
		JsonWriter	jw;

		sb_init(&b, 0);
		for (int i = 0; i < st->ntables; i++)
		{
			VTable	   *vt = &st->tables[i];

			sb_reset(&b);
			jw_init(&jw, &b);
			jw_object_begin(&jw);
			jw_kv_string(&jw, "type", "summary");
			jw_kv_string(&jw, "table_schema", vt->t->schema);
			jw_kv_string(&jw, "table_name", vt->t->name);
			jw_kv_string(&jw, "target_schema", vt->t->target_schema);
			jw_kv_string(&jw, "target_name", vt->t->target_name);
			jw_kv_string(&jw, "status", table_status(vt));
			jw_kv_int(&jw, "num_truth_rows", vt->truth);
			jw_kv_int(&jw, "num_success", vt->success);
			jw_kv_int(&jw, "num_conditional_success", 0);
			jw_kv_int(&jw, "num_missing", vt->missing);
			jw_kv_int(&jw, "num_mismatch", vt->mismatch);
			jw_kv_int(&jw, "num_extraneous", vt->extraneous);
			jw_kv_int(&jw, "num_live_retry", vt->live_retry);
			jw_kv_int(&jw, "num_column_mismatch", vt->column_mismatch);
			if (vt->column_msgs.len)
				jw_kv_string(&jw, "column_mismatches", vt->column_msgs.data);
			jw_key(&jw, "message");
			if (!vt->on_target)
				jw_string(&jw, "table is missing on the target");
			else if (vt->message)
				jw_string(&jw, vt->message);
			else
			{
				char	   *m = gw_asprintf("finished row verification on %s", vt->t->display);

				jw_string(&jw, m);
				free(m);
			}
			jw_object_end(&jw);
			printf("%s\n", b.data);
			for (int k = 0; k < vt->nreported; k++)
			{
				RowDiff    *d = &vt->reported[k];

				sb_reset(&b);
				jw_init(&jw, &b);
				jw_object_begin(&jw);
				jw_kv_string(&jw, "type", "data");
				jw_kv_string(&jw, "table_schema", vt->t->schema);
				jw_kv_string(&jw, "table_name", vt->t->name);
				jw_kv_string(&jw, "kind", diff_kind_names[d->kind]);
				jw_key(&jw, "primary_key");
				{
					StrBuf		kj;

					sb_init(&kj, 0);
					key_json(vt->t, d->key, &kj);
					jw_raw(&jw, kj.data);
					sb_free(&kj);
				}
				if (d->columns)
					jw_kv_string(&jw, "mismatching_columns", d->columns);
				if (d->detail)
				{
					jw_key(&jw, "values");
					jw_raw(&jw, d->detail);
				}
				jw_object_end(&jw);
				printf("%s\n", b.data);
			}
			if (vt->not_reported)
			{
				sb_reset(&b);
				jw_init(&jw, &b);
				jw_object_begin(&jw);
				jw_kv_string(&jw, "type", "data");
				jw_kv_string(&jw, "table_schema", vt->t->schema);
				jw_kv_string(&jw, "table_name", vt->t->name);
				jw_kv_int(&jw, "num_not_shown", vt->not_reported);
				jw_object_end(&jw);
				printf("%s\n", b.data);
			}
		}
		for (int i = 0; i < nextra; i++)
		{
			sb_reset(&b);
			jw_init(&jw, &b);
			jw_object_begin(&jw);
			jw_kv_string(&jw, "type", "summary");
			jw_kv_string(&jw, "table_schema", extra[i].schema);
			jw_kv_string(&jw, "table_name", extra[i].name);
			jw_kv_string(&jw, "status", "extraneous");
			jw_kv_string(&jw, "message", "table exists only on the target");
			jw_object_end(&jw);
			printf("%s\n", b.data);
		}
		sb_reset(&b);
		jw_init(&jw, &b);
		jw_object_begin(&jw);
		jw_kv_string(&jw, "type", "complete");
		jw_kv_string(&jw, "message", "verification complete");
		if (run_id > 0)
			jw_kv_int(&jw, "run_id", run_id);
		jw_kv_bool(&jw, "live", st->live);
		jw_kv_int(&jw, "num_tables", st->ntables);
		jw_kv_int(&jw, "num_missing_tables", missing_tables);
		jw_kv_int(&jw, "num_extraneous_tables", nextra);
		jw_kv_int(&jw, "num_truth_rows", rows);
		jw_kv_int(&jw, "num_success", success);
		jw_kv_int(&jw, "num_differences", diffs);
		jw_kv_int(&jw, "num_live_retry", retried);
		jw_kv_int(&jw, "net_duration_ms", elapsed_us / 1000);
		jw_object_end(&jw);
		printf("%s\n", b.data);
		sb_free(&b);
	}
	else
	{
		printf("%-40s %12s %12s %9s %10s %10s %7s\n", "table", "rows checked", "ok", "missing", "mismatched",
			   "extraneous", "columns");
		for (int i = 0; i < st->ntables; i++)
		{
			VTable	   *vt = &st->tables[i];

			if (!vt->on_target)
				printf("%-40s %s\n", vt->t->display, "MISSING on the target");
			else
				printf("%-40s %12lld %12lld %9lld %10lld %10lld %7d%s\n", vt->t->display, (long long) vt->truth,
					   (long long) vt->success, (long long) vt->missing, (long long) vt->mismatch,
					   (long long) vt->extraneous, vt->column_mismatch, vt->error ? "  ERROR" : "");
		}
		for (int i = 0; i < nextra; i++)
			printf("%s.%-*s %s\n", extra[i].schema, (int) (39 - strlen(extra[i].schema)), extra[i].name,
				   "EXTRANEOUS: only on the target");
		bool		header = false;

		for (int i = 0; i < st->ntables; i++)
		{
			VTable	   *vt = &st->tables[i];
			StrBuf		kj;

			if (vt->nreported == 0 && vt->column_msgs.len == 0 && vt->message == NULL)
				continue;
			if (!header)
				printf("\ndifferences (the first %d rows per table):\n", o->max_reported_rows);
			header = true;
			if (vt->column_msgs.len)
				printf("  %s: %s\n", vt->t->display, vt->column_msgs.data);
			if (vt->message)
				printf("  %s: %s\n", vt->t->display, vt->message);
			sb_init(&kj, 0);
			for (int k = 0; k < vt->nreported; k++)
			{
				RowDiff    *d = &vt->reported[k];

				sb_reset(&kj);
				key_json(vt->t, d->key, &kj);
				printf("  %s %-10s %s%s%s\n", vt->t->display, diff_kind_names[d->kind], kj.data,
					   d->detail ? " " : "", d->detail ? d->detail : "");
			}
			sb_free(&kj);
			if (vt->not_reported)
				printf("  %s: %lld more not shown\n", vt->t->display, (long long) vt->not_reported);
		}
		printf("\nverify %s: %d table%s, %lld rows checked in %.1f s: %lld ok, %lld difference%s",
			   bad_tables || nextra ? "FOUND DIFFERENCES" : "ok", st->ntables, st->ntables == 1 ? "" : "s",
			   (long long) rows, (double) elapsed_us / 1e6, (long long) success, (long long) diffs,
			   diffs == 1 ? "" : "s");
		if (missing_tables || nextra)
			printf(", %d table%s missing and %d extraneous on the target", missing_tables,
				   missing_tables == 1 ? "" : "s", nextra);
		if (st->live)
			printf(" (live: %lld row re-check%s)", (long long) retried, retried == 1 ? "" : "s");
		printf("\n");
	}
	fflush(stdout);

	{
		char		fields[384];

		snprintf(fields, sizeof(fields),
				 "\"type\":\"summary\",\"num_tables\":%d,\"num_truth_rows\":%lld,\"num_success\":%lld,"
				 "\"num_differences\":%lld,\"num_missing_tables\":%d,\"num_extraneous_tables\":%d,"
				 "\"net_duration_ms\":%lld",
				 st->ntables, (long long) rows, (long long) success, (long long) diffs, missing_tables, nextra,
				 (long long) (elapsed_us / 1000));
		if (log_enabled(LOG_INFO))
			log_write(LOG_INFO, NULL, NULL, fields, "verification complete: %lld rows, %lld differences in %.1f s",
				  (long long) rows, (long long) diffs, (double) elapsed_us / 1e6);
	}
	for (int i = 0; i < st->ntables; i++)
	{
		VTable	   *vt = &st->tables[i];
		const char *names[] = {"missing", "mismatching", "extraneous", "mismatching_column"};
		int64_t		vals[] = {vt->missing, vt->mismatch, vt->extraneous, vt->column_mismatch};

		for (int k = 0; k < 4; k++)
		{
			char		label[512];

			snprintf(label, sizeof(label), "%s", vt->t->display);
			metric_set(metrics_gauge(k == 0 ? "verify_rows_missing" : k == 1 ? "verify_rows_mismatching"
									 : k == 2 ? "verify_rows_extraneous" : "verify_columns_mismatching",
									 names[k], "table"), label, (double) vals[k]);
		}
	}
}

/*
 * store_report
 *		Write the counters and reported rows of run_id into _godwit.verify_*
 *		in one target transaction.  False on error (logged, rolled back).
 */
static bool
store_report(VerifyState *st, PgConn *target, int64_t run_id, ExtraTable *extra, int nextra)
{
	StrBuf		kj;
	bool		ok = true;
	int64_t		rows = 0,
				diffs = 0;
	bool		any = nextra > 0;

	sb_init(&kj, 0);
	if (!pg_exec(target, "BEGIN"))
		return false;
	for (int i = 0; ok && i < st->ntables; i++)
	{
		VTable	   *vt = &st->tables[i];
		StrBuf		msg;

		sb_init(&msg, 0);
		if (vt->column_msgs.len)
			sb_append(&msg, vt->column_msgs.data);
		if (vt->message)
			sb_appendf(&msg, "%s%s", msg.len ? "; " : "", vt->message);
		if (!vt->on_target)
			sb_append(&msg, "table is missing on the target");
		VerifyTableResult r = {
			.schema = vt->t->schema,.table = vt->t->name,.status = table_status(vt),
			.truth_rows = vt->truth,.success = vt->success,.missing = vt->missing,
			.mismatch = vt->mismatch,.extraneous = vt->extraneous,
			.column_mismatch = vt->column_mismatch,.live_retry = vt->live_retry,
			.message = msg.len ? msg.data : NULL,
		};

		rows += vt->truth;
		diffs += vt->missing + vt->mismatch + vt->extraneous + vt->column_mismatch + !vt->on_target;
		any = any || strcmp(r.status, "ok") != 0;
		ok = target_verify_put_table(target, run_id, &r);
		sb_free(&msg);
		for (int k = 0; ok && k < vt->nreported; k++)
		{
			RowDiff    *d = &vt->reported[k];

			sb_reset(&kj);
			key_json(vt->t, d->key, &kj);
			ok = target_verify_put_row(target, run_id, vt->t->schema, vt->t->name, diff_kind_names[d->kind],
									   kj.data, d->columns, d->detail);
		}
	}
	for (int i = 0; ok && i < nextra; i++)
	{
		VerifyTableResult r = {.schema = extra[i].schema,.table = extra[i].name,.status = "extraneous",
		.message = "table exists only on the target"};

		ok = target_verify_put_table(target, run_id, &r);
	}
	diffs += nextra;
	if (ok)
		ok = target_verify_run_finish(target, run_id, any ? "mismatch" : "ok", st->ntables, rows, diffs);
	ok = ok && pg_exec(target, "COMMIT");
	if (!ok)
		pg_rollback(target);
	sb_free(&kj);
	return ok;
}

/* ------------------------------------------------------------- the run */

/*
 * decide_live
 *		Set st->live from --live/--no-live and whether the target holds a
 *		replication checkpoint.  False on error (logged), or when --live is
 *		asked of a source that cannot tell positions.
 */
static bool
decide_live(VerifyState *st, PgConn *target)
{
	const VerifyOptions *o = st->o;
	char	   *pos = NULL;
	bool		found = false;

	if (o->live == VERIFY_LIVE_OFF)
		return true;
	if (!target_verify_checkpoint(target, REPLICATE_STREAM_NAME, &pos, &found))
		return false;
	if (o->live == VERIFY_LIVE_AUTO && !found)
	{
		free(pos);
		return true;
	}
	if (st->src->ops->position_reached == NULL || st->src->ops->verify_begin == NULL)
	{
		free(pos);
		if (o->live == VERIFY_LIVE_ON)
		{
			err_set_kind(ERR_ARGS);
			log_error("live verification is not available for %s sources", st->src->ops->engine);
			return false;
		}
		log_warn("a replication checkpoint exists but live verification is not available for %s sources",
				 st->src->ops->engine);
		return true;
	}
	st->live = true;
	if (found)
		log_info("live verification: rows that differ are re-checked once replication passes their "
				 "source position (checkpoint now at %s)", pos);
	else
		log_warn_dh(NULL, "start godwit replicate, or drop --live",
					"live verification without a replication checkpoint: waits will time out");
	free(pos);
	return true;
}

bool
verify_run(const VerifyOptions *o, Source *src, PgConn *target, Catalog *cat)
{
	VerifyState st;
	ExtraTable *extra = NULL;
	int			nextra = 0;
	VWorker    *workers = NULL;
	int			nworkers = 0;
	TableProgress *progress = NULL;
	Progress	prog = {0};
	int64_t		started = time_mono_us();
	int64_t		run_id = 0;
	bool		ok = false,
				differences = false;

	memset(&st, 0, sizeof(st));
	st.o = o;
	st.src = src;
	st.cat = cat;
	pthread_mutex_init(&st.mutex, NULL);
	pthread_cond_init(&st.cond, NULL);
	pthread_mutex_init(&st.throttle_mutex, NULL);
	pthread_mutex_init(&st.ckpt_mutex, NULL);
	pthread_cond_init(&st.ckpt_cond, NULL);

	if (src->ops->verify_open == NULL)
	{
		err_set_kind(ERR_ARGS);
		log_error("verify is not available for %s sources yet", src->ops->engine);
		goto done;
	}
	if (!target_verify_session(target))
		goto done;

	/* the tables: one VTable per table holding rows */
	st.tables = gw_new_array(VTable, (size_t) cat->ntables + 1);
	progress = gw_new_array(TableProgress, (size_t) cat->ntables + 1);
	for (int i = 0; i < cat->ntables; i++)
	{
		Table	   *t = cat->tables[i];
		VTable	   *vt;

		if (!table_is_verified(t))
			continue;
		vt = &st.tables[st.ntables];
		vt->t = t;
		vt->present = gw_new_array(bool, (size_t) t->ncolumns + 1);
		vt->types = gw_new_array(CanonType, (size_t) t->ncolumns + 1);
		vt->key_by_text = gw_new_array(bool, (size_t) t->npk + 1);
		sb_init(&vt->column_msgs, 0);
		vt->progress = &progress[st.ntables];
		vt->progress->name = t->display;
		vt->progress->est_rows = t->est_rows;
		vt->progress->est_bytes = t->est_bytes;
		st.ntables++;
	}
	if (!check_tables(&st, target, o->filter, &extra, &nextra))
		goto done;
	for (int i = 0; i < st.ntables; i++)
	{
		VTable	   *vt = &st.tables[i];
		TargetColumnInfo *cols;
		int			ncols;

		if (!vt->on_target)
			continue;
		if (!target_verify_columns(target, vt->t->target_schema, vt->t->target_name, &cols, &ncols))
			goto done;
		check_columns(vt, cols, ncols);
		target_verify_free_columns(cols, ncols);
		for (int k = 0; k < vt->t->npk; k++)
			vt->key_by_text[k] = !canon_key_order_by_value(vt->types[vt->t->pk[k]]);
		vt->bisectable = vt->t->npk > 0 && vt->types[vt->t->pk[0]].kind == CANON_INT &&
			!vt->types[vt->t->pk[0]].array;
		/*
		 * The database hash is exact only when both render every column
		 * alike: same types, no conversion expression on the source side.
		 */
		vt->pushdown = o->hash_pushdown && src->ops->verify_hash != NULL &&
			target_dialect(target) == TARGET_POSTGRES && cat->engine == ENGINE_POSTGRES &&
			vt->column_mismatch == 0;
		for (int k = 0; k < vt->t->ncolumns && vt->pushdown; k++)
		{
			const Column *col = &vt->t->columns[k];
			char		stype[256],
						ttype[256];

			if (col->skip)
				continue;
			/* a conversion, or a type override: the texts would differ, every range would */
			type_base_name(col->source_type, stype, sizeof(stype));
			type_base_name(col->target_type, ttype, sizeof(ttype));
			if (col->select_expr || strcmp(stype, ttype) != 0)
				vt->pushdown = false;
		}
		for (int k = 0; k < vt->t->npk; k++)
			if (!vt->present[vt->t->pk[k]])
			{
				vt->error = true;
				vt->message = gw_asprintf("key column \"%s\" is missing on the target: rows cannot be compared",
										  vt->t->columns[vt->t->pk[k]].target_name);
			}
	}
	if (!decide_live(&st, target))
		goto done;

	/* plan the ranges (or, for cutover, the changed keys) */
	int64_t		njobs_planned = 0;
	int64_t		changed_rows = 0,
				changed_tables = 0;

	for (int i = 0; i < st.ntables; i++)
	{
		VTable	   *vt = &st.tables[i];
		ShardPlan	plan = {0};

		if (!vt->on_target || vt->error)
			continue;
		if (o->changed_only)
		{
			bool		whole;
			int64_t		nk;

			if (!plan_changed_keys(&st, target, vt, &whole, &nk))
				goto done;
			changed_rows += nk;
			if (!whole && vt->t->npk > 0)
			{
				vt->progress->shards_total = (int) ((nk + VERIFY_CHANGED_BATCH - 1) / VERIFY_CHANGED_BATCH);
				if (nk > 0)
					changed_tables++;
				continue;		/* key jobs planned */
			}
			changed_tables++;
		}
		if (vt->t->npk > 0 && src->ops->plan_shards)
		{
			int64_t		bytes = o->shard_bytes;

			/*
			 * Under --rows-per-second a range hashed by the database cannot be
			 * paced while it runs: keep ranges to about two seconds of rows.
			 */
			if (o->rows_per_second > 0 && vt->t->est_rows > 0 && vt->t->est_bytes > 0)
			{
				int64_t		paced = vt->t->est_bytes / vt->t->est_rows * o->rows_per_second * 2;

				if (paced < bytes)
					bytes = paced > (1 << 20) ? paced : (1 << 20);
			}
			if (!src->ops->plan_shards(src, vt->t, bytes, &plan))
				goto done;
		}
		else
		{
			plan.ranges = gw_new_array(ShardRange, 1);
			plan.nranges = 1;
		}
		vt->progress->shards_total = plan.nranges;
		for (int k = 0; k < plan.nranges; k++)
		{
			VJob	   *job = gw_new(VJob);

			job->vt = vt;
			job->range = plan.ranges[k];	/* takes ownership */
			job->est_bytes = vt->t->est_bytes / plan.nranges;
			gw_array_grow(st.jobs, st.cap_jobs, st.njobs + 1);
			st.jobs[st.njobs++] = job;
		}
		free(plan.ranges);
		njobs_planned += plan.nranges;
	}
	if (st.njobs > 1)
		qsort(st.jobs, (size_t) st.njobs, sizeof(VJob *), job_cmp);

	if (o->store_results)
	{
		if (!target_verify_state_ensure(target) ||
			!target_verify_run_start(target, "rows", st.live, o->options_json, &run_id))
			goto done;
	}

	nworkers = o->concurrency > 0 ? o->concurrency : 1;
	if (nworkers > st.njobs && st.njobs > 0)
		nworkers = st.njobs;
	log_info("verifying %d table%s (%lld range%s) with %d worker%s%s", st.ntables, st.ntables == 1 ? "" : "s",
			 (long long) njobs_planned, njobs_planned == 1 ? "" : "s", nworkers, nworkers == 1 ? "" : "s",
			 st.live ? ", live" : "");
	if (st.live)
	{
		if (pthread_create(&st.ckpt_thread, NULL, ckpt_watcher_main, &st) != 0)
		{
			err_set_kind(ERR_INTERNAL);
			log_error("could not start a thread");
			goto done;
		}
		st.ckpt_running = true;
	}
	if (st.njobs > 0)
	{
		workers = gw_new_array(VWorker, (size_t) nworkers);
		progress_start(&prog, "verify", progress, st.ntables);
		for (int i = 0; i < nworkers; i++)
		{
			workers[i].st = &st;
			workers[i].id = i + 1;
			if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
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
			if (workers[i].reader)
				src->ops->verify_close(workers[i].reader);
		}
		progress_stop(&prog);
	}
	if (st.ckpt_running)
	{
		pthread_mutex_lock(&st.ckpt_mutex);
		st.ckpt_stop = true;
		pthread_mutex_unlock(&st.ckpt_mutex);
		pthread_join(st.ckpt_thread, NULL);
		st.ckpt_running = false;
	}
	if (o->cancel && atomic_load(o->cancel) && !signals_should_stop())
	{
		log_info("verify cancelled");
		goto done;
	}
	if (atomic_load(&st.failed) || signals_should_stop())
	{
		if (signals_should_stop())
		{
			err_set_kind(ERR_INTERRUPTED);
			log_warn("verify interrupted");
		}
		else
			log_error("verify failed: the report below is incomplete");
	}

	print_report(&st, extra, nextra, time_mono_us() - started, run_id);
	if (o->store_results && run_id > 0 && !store_report(&st, target, run_id, extra, nextra))
		goto done;

	differences = nextra > 0;
	for (int i = 0; i < st.ntables; i++)
		differences = differences || (strcmp(table_status(&st.tables[i]), "ok") != 0 &&
									  strcmp(table_status(&st.tables[i]), "error") != 0);
	if (atomic_load(&st.failed) || signals_should_stop())
		goto done;
	if (o->counts)
	{
		o->counts->tables = o->changed_only ? changed_tables : st.ntables;
		o->counts->rows = 0;
		for (int i = 0; i < st.ntables; i++)
			o->counts->rows += st.tables[i].truth + st.tables[i].extraneous;
	}
	if (differences)
	{
		err_set_kind(ERR_MISMATCH);
		goto done;
	}
	ok = true;

done:
	if (st.ckpt_running)
	{
		pthread_mutex_lock(&st.ckpt_mutex);
		st.ckpt_stop = true;
		pthread_mutex_unlock(&st.ckpt_mutex);
		pthread_join(st.ckpt_thread, NULL);
	}
	for (int i = st.head; i < st.njobs; i++)
	{
		free(st.jobs[i]->range.lo);
		free(st.jobs[i]->range.hi);
		if (st.jobs[i]->keys)
		{
			for (int k = 0; k < st.jobs[i]->nkeys * st.jobs[i]->vt->t->npk; k++)
				free(st.jobs[i]->keys[k]);
			free(st.jobs[i]->keys);
		}
		free(st.jobs[i]);
	}
	free(st.jobs);
	for (int i = 0; i < st.ntables; i++)
	{
		VTable	   *vt = &st.tables[i];

		free(vt->present);
		free(vt->types);
		free(vt->key_by_text);
		sb_free(&vt->column_msgs);
		for (int k = 0; k < vt->nreported; k++)
			row_diff_free(&vt->reported[k], vt->t->npk);
		free(vt->reported);
		free(vt->message);
	}
	free(st.tables);
	free(progress);
	free(workers);
	for (int i = 0; i < nextra; i++)
	{
		free(extra[i].schema);
		free(extra[i].name);
	}
	free(extra);
	free(st.ckpt_position);
	pthread_mutex_destroy(&st.mutex);
	pthread_cond_destroy(&st.cond);
	pthread_mutex_destroy(&st.throttle_mutex);
	pthread_mutex_destroy(&st.ckpt_mutex);
	pthread_cond_destroy(&st.ckpt_cond);
	return ok;
}
