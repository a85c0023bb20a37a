/*
 * src/core/replicate.c
 *	  The replication pipeline: stream thread + apply thread (see replicate.h).
 */
#include "core/replicate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/metrics.h"
#include "common/retry.h"
#include "common/signals.h"
#include "common/timeutil.h"
#include "core/apply.h"
#include "dialect/target_schema.h"
#include "dialect/target_state.h"

/*
 * Batches in flight between the threads: one per small source transaction,
 * so this bounds how many transactions one flush (one target commit) can
 * take.  A flush takes at most half, so the stream fills the other half
 * while the target applies: reading and applying overlap.
 */
#define POOL_BATCHES		4096
#define FLUSH_MAX_BATCHES	(POOL_BATCHES / 2)
#define STREAM_WAIT_MS		100
/*
 * A cutover waits with the application's writes stopped: it is looked for
 * every 50 ms (the apply loop wakes that often when idle), and once one is
 * pending both threads stop waiting to gather more (HURRY_WAIT_MS).
 */
#define CUTOVER_POLL_US		50000
#define HEARTBEAT_US		200000
#define HURRY_WAIT_MS		10

typedef struct Pipeline
{
	const ReplicateOptions *opts;
	Source	   *src;
	Catalog    *cat;
	StreamStart start;			/* template; position/txn filled per (re)connect */

	pthread_mutex_t mutex;
	pthread_cond_t cond;
	ChangeBatch *pool[POOL_BATCHES];	/* free batches */
	int			nfree;
	int64_t		bytes_in_flight;	/* of batches queued or being applied */
	int64_t		bytes_budget;	/* the stream waits above this */
	ChangeBatch *ready[POOL_BATCHES];	/* filled, in stream order */
	int			ready_head;
	int			nready;
	int			in_apply;		/* batches taken by the applier, not yet returned */

	/* checkpoint the applier committed; the stream thread confirms it */
	char	   *confirmed;		/* malloc'ed, under mutex */
	char	   *ckpt_txn_id;
	int64_t		ckpt_txn_applied;
	bool		confirmed_changed;

	atomic_bool hurry;			/* a cutover is pending: no waiting to gather more */
	bool		stream_done;	/* the stream thread has exited */
	bool		failed;			/* fatal error somewhere */
	atomic_bool stop;			/* ask the stream thread to finish */
} Pipeline;

/* ------------------------------------------------------------ queue */

static ChangeBatch *
pool_take(Pipeline *p)
{
	ChangeBatch *b = NULL;

	pthread_mutex_lock(&p->mutex);
	/* a free batch, and room in the byte budget: memory stays bounded */
	while ((p->nfree == 0 || p->bytes_in_flight >= p->bytes_budget) &&
		   !atomic_load(&p->stop) && !p->failed)
		pthread_cond_wait(&p->cond, &p->mutex);
	if (p->nfree > 0)
		b = p->pool[--p->nfree];
	pthread_mutex_unlock(&p->mutex);
	if (b)
		change_batch_reset(b);
	return b;
}

/* Return a batch; `queued` when it had been counted in bytes_in_flight. */
static void
pool_give_back(Pipeline *p, ChangeBatch *b, bool queued)
{
	pthread_mutex_lock(&p->mutex);
	if (queued)
		p->bytes_in_flight -= b->bytes;
	p->pool[p->nfree++] = b;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mutex);
}

static void
ready_push(Pipeline *p, ChangeBatch *b)
{
	/*
	 * The drivers count payload bytes; what the batch holds is its arena
	 * (change arrays, datums, alignment), which the budget must bound.
	 */
	if ((int64_t) b->arena.used > b->bytes)
		b->bytes = (int64_t) b->arena.used;
	pthread_mutex_lock(&p->mutex);
	p->ready[(p->ready_head + p->nready) % POOL_BATCHES] = b;
	p->nready++;
	p->bytes_in_flight += b->bytes;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mutex);
}

/* ------------------------------------------------------------ stream thread */

/* Wait until every queued batch is applied (before reconnecting). */
static void
wait_drained(Pipeline *p)
{
	pthread_mutex_lock(&p->mutex);
	while ((p->nready > 0 || p->in_apply > 0) && !p->failed)
		pthread_cond_wait(&p->cond, &p->mutex);
	pthread_mutex_unlock(&p->mutex);
}

static void
confirm_if_changed(Pipeline *p, ReplStream *rs)
{
	char	   *pos = NULL;

	pthread_mutex_lock(&p->mutex);
	if (p->confirmed_changed && p->confirmed)
	{
		pos = gw_strdup(p->confirmed);
		p->confirmed_changed = false;
	}
	pthread_mutex_unlock(&p->mutex);
	if (pos)
	{
		p->src->ops->stream_confirm(rs, pos);
		free(pos);
	}
}

static void *
stream_thread(void *arg)
{
	Pipeline   *p = arg;
	RetryState	retry;
	ReplStream *rs = NULL;

	log_set_context("stream");
	retry_init(&retry, &RETRY_RECONNECT);
	while (!atomic_load(&p->stop))
	{
		if (rs == NULL)
		{
			StreamStart start = p->start;

			pthread_mutex_lock(&p->mutex);
			char	   *pos = p->confirmed ? gw_strdup(p->confirmed) : NULL;
			char	   *txn = p->ckpt_txn_id ? gw_strdup(p->ckpt_txn_id) : NULL;

			start.txn_applied = p->ckpt_txn_applied;
			pthread_mutex_unlock(&p->mutex);
			if (pos)
				start.position = pos;
			start.txn_id = txn;
			/*
			 * The error kinds of connections lost and regained are history:
			 * what follows must be judged on its own (a missing slot is not
			 * retried; a clean stop exits 0).  Nothing else runs now: the
			 * applier has finished every queued batch.
			 */
			err_reset();
			rs = p->src->ops->stream_open(p->src, &start, p->cat);
			free(pos);
			free(txn);
			if (rs == NULL)
			{
				if (err_kind() == ERR_SCHEMA || err_kind() == ERR_STATE || !retry_wait(&retry))
					break;
				continue;
			}
			log_info("replication stream open");
			retry_init(&retry, &RETRY_RECONNECT);
		}
		confirm_if_changed(p, rs);

		ChangeBatch *b = pool_take(p);

		if (b == NULL)
			break;
		StreamResult r = p->src->ops->stream_next(rs, b, atomic_load(&p->hurry) ? HURRY_WAIT_MS : STREAM_WAIT_MS);

		switch (r)
		{
			case STREAM_BATCH:
				ready_push(p, b);
				break;
			case STREAM_IDLE:
				pool_give_back(p, b, false);
				break;
			case STREAM_END:
				pool_give_back(p, b, false);
				atomic_store(&p->stop, true);
				break;
			case STREAM_FATAL:
				pool_give_back(p, b, false);
				pthread_mutex_lock(&p->mutex);
				p->failed = true;
				pthread_cond_broadcast(&p->cond);
				pthread_mutex_unlock(&p->mutex);
				break;
			case STREAM_ERROR:
				pool_give_back(p, b, false);
				/*
				 * Reopen from what is applied: first let the applier finish
				 * what is queued, so nothing is delivered twice.
				 */
				p->src->ops->stream_close(rs);
				rs = NULL;
				wait_drained(p);
				log_warn("replication stream lost; reconnecting from the checkpoint");
				if (!retry_wait(&retry))
				{
					pthread_mutex_lock(&p->mutex);
					p->failed = true;
					pthread_cond_broadcast(&p->cond);
					pthread_mutex_unlock(&p->mutex);
				}
				break;
		}
		if (p->failed)
			break;
	}
	if (rs)
	{
		/* report the final applied position before closing */
		wait_drained(p);
		confirm_if_changed(p, rs);
		p->src->ops->stream_close(rs);
	}
	pthread_mutex_lock(&p->mutex);
	p->stream_done = true;
	if (!atomic_load(&p->stop) && !signals_should_stop())
		p->failed = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mutex);
	return NULL;
}

/* ------------------------------------------------------------ apply thread */

/* The batches gathered for the next flush, kept across the apply loop's wake-ups. */
typedef struct Gather
{
	ChangeBatch *batches[FLUSH_MAX_BATCHES];
	int			n;
	int64_t		changes;
	int64_t		bytes;
	int64_t		deadline;		/* flush by then: the flush interval after the first */
	int64_t		started;		/* when gathering began (debug log) */
} Gather;

/*
 * Gather ready batches into g until they are due for a flush: the flush
 * interval passed since the first (at once with a cutover pending and the
 * stream quiet), a size limit is reached, the pool is exhausted, or the
 * stream ended.  Returns true then; false when wake_at (monotonic) came
 * first, with or without batches gathered, which stay in g: the caller's
 * heartbeat and cutover watch run on an idle or trickling source too (a
 * cutover comes exactly when the application stops writing).
 */
static bool
collect_batches(Pipeline *p, Gather *g, int64_t wake_at)
{
	const ReplicateOptions *o = p->opts;
	bool		due = false;

	pthread_mutex_lock(&p->mutex);
	for (;;)
	{
		while (p->nready > 0 && g->n < FLUSH_MAX_BATCHES && g->changes < o->apply_batch_changes &&
			   g->bytes < o->apply_batch_bytes)
		{
			ChangeBatch *b = p->ready[p->ready_head];

			p->ready_head = (p->ready_head + 1) % POOL_BATCHES;
			p->nready--;
			/*
			 * Counted as in apply at once: the timed wait below releases the
			 * mutex, and the stream thread must not see "drained" (and
			 * confirm a stale position) while we hold batches.
			 */
			p->in_apply++;
			g->batches[g->n++] = b;
			g->changes += b->nchanges;
			g->bytes += b->bytes;
			if (g->deadline == 0)
				g->deadline = time_mono_us() + o->flush_interval_us;
		}
		int64_t		now = time_mono_us();
		bool		quiet = p->nready == 0;

		if (g->n > 0 &&
			(g->n >= FLUSH_MAX_BATCHES || g->changes >= o->apply_batch_changes ||
			 g->bytes >= o->apply_batch_bytes || p->failed || (p->stream_done && quiet) ||
			 now >= g->deadline || (atomic_load(&p->hurry) && quiet) ||
			 p->nfree == 0))	/* the pool is exhausted: the stream waits for us */
		{
			due = true;
			break;
		}
		if (p->failed || (p->stream_done && quiet) || now >= wake_at)
			break;
		int64_t		until = g->n > 0 && g->deadline < wake_at ? g->deadline : wake_at;
		struct timespec ts = time_deadline_after(until - now < 1000 ? 1000 : until - now);

		pthread_cond_timedwait(&p->cond, &p->mutex, &ts);
	}
	pthread_mutex_unlock(&p->mutex);
	return due;
}

/* Find where replication starts when there is no checkpoint yet. */
static bool
initial_start(const ReplicateOptions *o, PgConn *target, StreamStart *start, char **position,
			  char **slot, char **pub)
{
	RunInfo		run;
	bool		found;

	*position = *slot = *pub = NULL;
	if (o->slot_name && o->start_position == NULL && o->publication)
	{
		/* replication-only: the slot's own confirmed position */
		*slot = gw_strdup(o->slot_name);
		*pub = gw_strdup(o->publication);
		return true;
	}
	if (o->start_position)
	{
		*position = gw_strdup(o->start_position);
		*slot = o->slot_name ? gw_strdup(o->slot_name) : NULL;
		*pub = o->publication ? gw_strdup(o->publication) : NULL;
		return true;
	}
	if (!state_latest_run(target, "fetch", &run, &found))
		return false;
	if (!found || run.snapshot_position == NULL || run.snapshot_position[0] == '\0')
	{
		err_set_kind(ERR_STATE);
		log_error_dh(NULL, "run godwit fetch first, or give --slot-name and --publication (replication only)",
					 "no replication start point: the target has no fetch run with a snapshot position");
		run_info_free(&run);
		return false;
	}
	if (run.status != RUN_DONE)
		log_warn("fetch run %lld has not finished: replicating from its snapshot anyway", (long long) run.run_id);
	*position = gw_strdup(run.snapshot_position);
	*slot = gw_strdup(o->slot_name ? o->slot_name : (run.slot_name ? run.slot_name : ""));
	*pub = gw_strdup(o->publication ? o->publication : (run.publication ? run.publication : ""));
	(void) start;
	run_info_free(&run);
	return true;
}

bool
replicate_run(const ReplicateOptions *o, Source *src, PgConn *target, Catalog *cat)
{
	Pipeline	p;
	Checkpoint	cp = {0};
	bool		found = false;
	Source	   *probe = NULL;
	char	   *position = NULL,
			   *slot = NULL,
			   *pub = NULL;
	Applier    *ap = NULL;
	pthread_t	thread;
	bool		ok = false;
	char		caught_up_at[512] = "";
	Metric	   *m_lag_bytes = metrics_gauge("replication_lag_bytes",
											"source log not yet applied on the target", NULL);
	Metric	   *m_lag_secs = metrics_gauge("replication_lag_seconds",
										   "age of the last applied source commit", NULL);

	memset(&p, 0, sizeof(p));
	p.opts = o;
	p.src = src;
	p.cat = cat;
	pthread_mutex_init(&p.mutex, NULL);
	pthread_cond_init(&p.cond, NULL);

	if (!state_ensure(target) || !target_check_primary_keys(target, cat) ||
		!state_get_checkpoint(target, REPLICATE_STREAM_NAME, &cp, &found))
		goto out;
	if (!initial_start(o, target, &p.start, &position, &slot, &pub))
		goto out;
	if (found)
	{
		log_info("resuming replication from checkpoint %s%s", cp.position,
				 cp.txn_id ? " (inside a transaction)" : "");
		free(position);
		position = gw_strdup(cp.position);
	}
	else if (position)
		log_info("starting replication at %s", position);

	p.confirmed = position ? gw_strdup(position) : NULL;
	p.ckpt_txn_id = found && cp.txn_id ? gw_strdup(cp.txn_id) : NULL;
	p.ckpt_txn_applied = found ? cp.txn_applied : -1;
	p.start.slot_name = slot;
	p.start.publication = pub;
	p.start.server_id = o->server_id;
	/*
	 * Chunks of a big transaction are a fraction of a flush, and at most two
	 * flushes' worth of changes are held at once (one being applied, one
	 * being read): memory does not depend on transaction size or source rate.
	 */
	int64_t		flush_bytes = o->apply_batch_bytes > 0 ? o->apply_batch_bytes : 32 << 20;

	p.start.max_batch_changes = o->apply_batch_changes > 0 && o->apply_batch_changes < 5000
		? o->apply_batch_changes : 5000;
	p.start.max_batch_bytes = flush_bytes / 4;
	p.bytes_budget = 2 * flush_bytes;

	/*
	 * The stream thread may use the driver's control connection; positions
	 * for lag and catch-up are read on a session of their own.
	 */
	probe = source_open(o->source);
	if (probe == NULL)
		goto out;
	if (src->ops->stream_open == NULL)
	{
		err_set_kind(ERR_ARGS);
		log_error("replication from %s sources is not supported", src->ops->engine);
		goto out;
	}
	if (o->stop_when_caught_up &&
		(probe->ops->barrier_position == NULL ||
		 !probe->ops->barrier_position(probe, caught_up_at, sizeof(caught_up_at))))
	{
		if (probe->ops->barrier_position == NULL)
			log_error("--stop-when-caught-up needs the source's current position, which the %s driver cannot read",
					  src->ops->engine);
		goto out;
	}

	ApplyOptions ao = {.stream_name = REPLICATE_STREAM_NAME,
		.max_rows_per_statement = o->rows_per_statement,
	.track_changes = o->track_changes,
	.ignore_truncate = o->ignore_truncate};

	ap = applier_new(target, o->target, &ao, found ? &cp : NULL);
	for (int i = 0; i < POOL_BATCHES; i++)
	{
		p.pool[i] = gw_new(ChangeBatch);
		change_batch_init(p.pool[i]);
	}
	p.nfree = POOL_BATCHES;
	if (pthread_create(&thread, NULL, stream_thread, &p) != 0)
	{
		err_set_kind(ERR_INTERNAL);
		log_error("could not start the stream thread");
		goto out;
	}

	Gather		g = {.n = 0};
	int64_t		last_report = time_mono_us();
	int64_t		last_lag = 0;
	int64_t		last_watch = 0;
	int64_t		last_heartbeat = 0;
	char		current[512];
	char		host[128] = "";
	int64_t		cutover_id = 0;
	char	   *cutover_pos = NULL;
	bool		drained = false;

	gethostname(host, sizeof(host) - 1);

	for (;;)
	{
		if (g.n == 0)
			g.started = time_mono_us();
		/* awake when the cutover watch is due, and at least that often */
		int64_t		wake_at = !drained && cutover_id == 0 ? last_watch + CUTOVER_POLL_US
			: time_mono_us() + CUTOVER_POLL_US;

		if (collect_batches(&p, &g, wake_at))
		{
			ChangeBatch **batches = g.batches;
			int			n = g.n;
			int64_t		flush_start = time_mono_us();
			bool		applied = applier_flush(ap, batches, n);

			if (log_enabled(LOG_DEBUG))
			{
				int64_t		nchanges = 0;

				for (int i = 0; i < n; i++)
					nchanges += batches[i]->nchanges;
				log_debug("flush of %d batches, %lld changes: gathered in %.1f ms, applied in %.1f ms", n,
						  (long long) nchanges, (double) (flush_start - g.started) / 1e3,
						  (double) (time_mono_us() - flush_start) / 1e3);
			}

			for (int i = 0; i < n; i++)
				pool_give_back(&p, batches[i], true);
			g.n = 0;
			g.changes = g.bytes = g.deadline = 0;
			pthread_mutex_lock(&p.mutex);
			p.in_apply -= n;
			if (applied)
			{
				const Checkpoint *c = applier_checkpoint(ap);

				if (c->position && (p.confirmed == NULL || strcmp(c->position, p.confirmed) != 0))
				{
					free(p.confirmed);
					p.confirmed = gw_strdup(c->position);
					p.confirmed_changed = true;
				}
				free(p.ckpt_txn_id);
				p.ckpt_txn_id = c->txn_id ? gw_strdup(c->txn_id) : NULL;
				p.ckpt_txn_applied = c->txn_applied;
			}
			else
				p.failed = true;
			pthread_cond_broadcast(&p.cond);
			pthread_mutex_unlock(&p.mutex);
			if (!applied)
				break;
		}
		int64_t		now = time_mono_us();

		/*
		 * Cutover: announce ourselves (five times a second), look for a
		 * request (twenty), and once the applied position reaches the
		 * requested one, stop the stream: the cutover command takes it from
		 * there.
		 */
		if (!drained && now - last_heartbeat >= HEARTBEAT_US)
		{
			const Checkpoint *c = applier_checkpoint(ap);

			last_heartbeat = now;
			state_heartbeat(target, REPLICATE_STREAM_NAME, (int64_t) getpid(), host,
							c->position ? c->position : p.confirmed);
		}
		if (!drained && cutover_id == 0 && now - last_watch >= CUTOVER_POLL_US)
		{
			last_watch = now;
			if (state_cutover_pending(target, &cutover_id, &cutover_pos) && cutover_id)
			{
				log_info("cutover %lld requested: applying up to the source position %s, then stopping",
						 (long long) cutover_id, cutover_pos);
				state_cutover_set(target, cutover_id, CUTOVER_DRAINING, NULL);
				atomic_store(&p.hurry, true);
			}
		}
		if (cutover_id && !drained)
		{
			const Checkpoint *c = applier_checkpoint(ap);
			const char *applied_pos = c->position ? c->position : p.confirmed;

			if (src->ops->position_reached && src->ops->position_reached(applied_pos, cutover_pos))
			{
				log_info("drained: applied up to %s, which covers the cutover position %s", applied_pos,
						 cutover_pos);
				drained = true;
				atomic_store(&p.stop, true);
			}
		}

		/* lag and caught-up checks, every second */
		if (now - last_lag >= 1000000)
		{
			last_lag = now;
			const Checkpoint *c = applier_checkpoint(ap);
			const char *applied_pos = c->position ? c->position : p.confirmed;

			if (probe->ops->current_position && probe->ops->position_lag_bytes &&
				probe->ops->current_position(probe, current, sizeof(current)))
			{
				int64_t		lag = probe->ops->position_lag_bytes(applied_pos, current);

				if (lag >= 0)
					metric_set(m_lag_bytes, NULL, (double) lag);
			}
			if (c->commit_time_us > 0)
				metric_set(m_lag_secs, NULL, (double) (time_now_us() - c->commit_time_us) / 1e6);
			if (o->stop_when_caught_up && probe->ops->position_reached &&
				probe->ops->position_reached(applied_pos, caught_up_at))
			{
				log_info("caught up with the source position %s", caught_up_at);
				atomic_store(&p.stop, true);
			}
		}
		if (now - last_report >= 10000000)
		{
			const ApplyStats *s = applier_stats(ap);
			const Checkpoint *c = applier_checkpoint(ap);

			last_report = now;
			log_info("applied %lld changes in %lld source transactions (%lld target transactions); at %s",
					 (long long) s->changes, (long long) s->source_txns, (long long) s->target_txns,
					 c->position ? c->position : "start");
		}
		if (signals_should_stop() || (o->stop_on_cutover_signal && signal_cutover_requested))
			atomic_store(&p.stop, true);
		pthread_mutex_lock(&p.mutex);
		bool		finished = p.failed || (p.stream_done && p.nready == 0 && g.n == 0);

		pthread_cond_broadcast(&p.cond);
		pthread_mutex_unlock(&p.mutex);
		if (finished)
			break;
	}
	atomic_store(&p.stop, true);
	pthread_mutex_lock(&p.mutex);
	pthread_cond_broadcast(&p.cond);
	pthread_mutex_unlock(&p.mutex);
	pthread_join(thread, NULL);
	ok = !p.failed;
	if (ok)
		err_reset();			/* lost and regained connections were logged; the run is clean */
	if (drained && ok)
	{
		/* the stream is closed and its last position confirmed: hand over */
		state_cutover_set(target, cutover_id, CUTOVER_DRAINED, NULL);
		log_info("replication stopped for cutover %lld", (long long) cutover_id);
	}
	state_replicator_gone(target, REPLICATE_STREAM_NAME);
	free(cutover_pos);
	{
		const ApplyStats *s = applier_stats(ap);
		const Checkpoint *c = applier_checkpoint(ap);

		log_info("replication stopped at %s: %lld changes applied (%lld upserts, %lld deletes, %lld partial updates, %lld truncates)",
				 c->position ? c->position : "start", (long long) s->changes, (long long) s->upserts,
				 (long long) s->deletes, (long long) s->updates, (long long) s->truncates);
	}

out:
	if (ap)
		applier_free(ap);
	/* batches still queued after a failure go back to the pool first */
	while (p.nready > 0)
	{
		p.pool[p.nfree++] = p.ready[p.ready_head];
		p.ready_head = (p.ready_head + 1) % POOL_BATCHES;
		p.nready--;
	}
	source_close(probe);
	for (int i = 0; i < p.nfree; i++)
	{
		change_batch_free(p.pool[i]);
		free(p.pool[i]);
	}
	if (found)
		checkpoint_free(&cp);
	free(position);
	free(slot);
	free(pub);
	free(p.confirmed);
	free(p.ckpt_txn_id);
	pthread_mutex_destroy(&p.mutex);
	pthread_cond_destroy(&p.cond);
	return ok;
}
