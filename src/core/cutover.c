/*
 * src/core/cutover.c
 *	  The cutover sequence (see cutover.h).
 */
#include "core/cutover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/signals.h"
#include "common/timeutil.h"
#include "core/verify.h"
#include "dialect/target_failback.h"
#include "dialect/target_state.h"

#define REPLICATOR_ALIVE_US	5000000

typedef struct CutoverReport
{
	int64_t		cutover_id;
	char		position[512];
	bool		locked;
	bool		drove_replication;	/* no replicator was running */
	int64_t		drain_us;
	int64_t		sequences_us;
	int64_t		verify_us;
	int64_t		halt_us;		/* writes stopped -> target ready */
	int64_t		rows_verified;
	int64_t		tables_verified;
	bool		full_verify;
	bool		verified;		/* no differences */
	char		failback_position[64];	/* the failback slot's start; "" without one */
	bool		ok;
} CutoverReport;

/* Wait for the running replicator to drain to the request. */
static bool
wait_drained(const CutoverOptions *o, PgConn *target, int64_t id)
{
	int64_t		deadline = time_mono_us() + o->drain_timeout_us;
	int64_t		last_note = time_mono_us();

	for (;;)
	{
		CutoverStatus st;
		bool		alive;

		if (!state_cutover_get(target, id, &st, NULL))
			return false;
		if (st == CUTOVER_DRAINED)
			return true;
		if (st == CUTOVER_FAILED)
		{
			err_set_kind(ERR_STATE);
			log_error("cutover %lld was abandoned (a newer request superseded it)", (long long) id);
			return false;
		}
		if (signals_should_stop())
		{
			err_set_kind(ERR_INTERRUPTED);
			return false;
		}
		if (time_mono_us() > deadline)
		{
			err_set_kind(ERR_STATE);
			log_error_dh(NULL, "check the replicator's log; rerun godwit cutover (the request is repeated)",
						 "replication did not drain within --drain-timeout");
			return false;
		}
		if (time_mono_us() - last_note > 5000000)
		{
			last_note = time_mono_us();
			if (state_replicator_alive(target, REPLICATE_STREAM_NAME, REPLICATOR_ALIVE_US, &alive) && !alive)
			{
				err_set_kind(ERR_STATE);
				log_error_dh(NULL, "restart godwit replicate (or migrate), or rerun godwit cutover, which then drives replication itself",
							 "the replicator stopped before draining");
				return false;
			}
			log_info("waiting for replication to drain...");
		}
		time_sleep_us(20000);	/* the write halt is waiting */
	}
}

static void
print_report(const CutoverOptions *o, const CutoverReport *r, char **json_out)
{
	StrBuf		b;
	JsonWriter	w;

	sb_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "type", "cutover");
	jw_kv_int(&w, "cutover_id", r->cutover_id);
	jw_kv_bool(&w, "ready", r->ok);
	jw_kv_string(&w, "source_position", r->position);
	jw_kv_bool(&w, "source_locked", r->locked);
	jw_kv_fixed(&w, "write_halt_seconds", (double) r->halt_us / 1e6, 3);
	jw_kv_fixed(&w, "drain_seconds", (double) r->drain_us / 1e6, 3);
	jw_kv_fixed(&w, "sequences_seconds", (double) r->sequences_us / 1e6, 3);
	jw_kv_fixed(&w, "verify_seconds", (double) r->verify_us / 1e6, 3);
	jw_kv_bool(&w, "full_verify", r->full_verify);
	jw_kv_int(&w, "num_tables_verified", r->tables_verified);
	jw_kv_int(&w, "num_rows_verified", r->rows_verified);
	jw_kv_bool(&w, "verified", r->verified);
	if (r->failback_position[0])
	{
		jw_kv_string(&w, "failback_slot", FAILBACK_SLOT);
		jw_kv_string(&w, "failback_position", r->failback_position);
	}
	jw_object_end(&w);
	*json_out = sb_steal(&b);

	if (o->json)
	{
		printf("%s\n", *json_out);
		fflush(stdout);
		return;
	}
	printf("\n%s %lld: %s\n", o->failback ? "failback cutover" : "cutover", (long long) r->cutover_id,
		   !r->ok ? "NOT READY: see above" : o->failback ? "the source is ready" : "the target is ready");
	printf("  write halt      %7.1f s   writes stopped -> %s ready\n", (double) r->halt_us / 1e6,
		   o->failback ? "source" : "target");
	printf("  drain           %7.1f s   source position %s applied%s\n", (double) r->drain_us / 1e6,
		   r->position, r->drove_replication ? " (replication driven by cutover)" : "");
	printf("  sequences       %7.1f s\n", (double) r->sequences_us / 1e6);
	printf("  verification    %7.1f s   %s: %lld rows of %lld tables, %s\n", (double) r->verify_us / 1e6,
		   r->full_verify ? "every row" : "rows changed by replication", (long long) r->rows_verified,
		   (long long) r->tables_verified, r->verified ? "no differences" : "DIFFERENCES FOUND");
	if (r->failback_position[0])
		printf("  failback                  slot \"%s\" on the target from %s: run godwit failback\n",
			   FAILBACK_SLOT, r->failback_position);
	if (r->ok && o->failback)
		printf("\nnext: point the application back at the source, which accepts writes again.%s\n",
			   r->locked ? " The target stays read-only." : "");
	else if (r->ok)
		printf("\nnext: point the application at the target.%s\n",
			   r->locked ? " The source stays read-only, as it was at cutover." : "");
	fflush(stdout);
}

bool
cutover_run(const CutoverOptions *o, Source *src, PgConn *target, Catalog *cat)
{
	CutoverReport r;
	int64_t		halt_start = o->halt_started_us ? o->halt_started_us : time_now_us();
	int64_t		t;
	bool		alive = false;
	char	   *report_json = NULL;

	memset(&r, 0, sizeof(r));
	r.full_verify = o->full_verify;
	if (!state_ensure(target))
		return false;
	/* failback's preconditions fail now, not after the halt */
	if (o->prepare_failback && !target_failback_check(target, o->source->engine))
		return false;

	/* 1. writes stop */
	if (o->lock_source)
	{
		if (src->ops->lock_writes == NULL)
		{
			err_set_kind(ERR_ARGS);
			log_error("--lock-source is not supported for %s sources", src->ops->engine);
			return false;
		}
		if (!src->ops->lock_writes(src))
			return false;
		r.locked = true;
	}

	/* 2. where the source is: everything the application wrote is before it */
	if (src->ops->barrier_position == NULL ||
		!src->ops->barrier_position(src, r.position, sizeof(r.position)))
	{
		if (src->ops->barrier_position == NULL)
			log_error("cutover needs the source position, which the %s driver cannot read", src->ops->engine);
		return false;
	}
	if (!state_cutover_request(target, r.position, &r.cutover_id))
		return false;
	log_info("cutover %lld: waiting until replication applies the source position %s", (long long) r.cutover_id,
			 r.position);

	/* 3. drain: the running replicator, or ourselves */
	t = time_mono_us();
	if (!state_replicator_alive(target, REPLICATE_STREAM_NAME, REPLICATOR_ALIVE_US, &alive))
		return false;
	if (alive)
	{
		if (!wait_drained(o, target, r.cutover_id))
			goto failed;
	}
	else
	{
		CutoverStatus st;
		/* also ends when a replicator that started late drained the request */
		ReplicateOptions ro = *o->replicate;

		ro.stop_when_caught_up = true;
		log_info("no replicator is running: replicating until the cutover position myself");
		r.drove_replication = true;
		if (!replicate_run(&ro, src, target, cat) ||
			!state_cutover_get(target, r.cutover_id, &st, NULL) || st != CUTOVER_DRAINED)
		{
			if (err_kind() == ERR_NONE)
			{
				err_set_kind(ERR_STATE);
				log_error("replication stopped before reaching the cutover position");
			}
			goto failed;
		}
	}
	r.drain_us = time_mono_us() - t;
	log_info("drained in %.1f s", (double) r.drain_us / 1e6);

	/* 4. sequences */
	t = time_mono_us();
	if (!schema_sync_sequences(o->schema, src, target))
		goto failed;
	r.sequences_us = time_mono_us() - t;

	/* 5. verification */
	t = time_mono_us();
	char	   *verify_started = NULL;

	if (!state_target_now(target, &verify_started))
		goto failed;
	{
		VerifyOptions vo = {
			.source = o->source,
			.target = o->target,
			.filter = o->schema->filter,
			.concurrency = o->verify_concurrency > 0 ? o->verify_concurrency : 2,
			.live = VERIFY_LIVE_OFF,	/* drained: both sides are still */
			.max_reported_rows = 100,
			.hash_pushdown = true,
			.json = o->json,
			.store_results = true,
		};
		VerifyCounts vc = {0};

		vo.changed_only = !o->full_verify;
		vo.counts = &vc;
		r.verified = verify_run(&vo, src, target, cat);
		r.rows_verified = vc.rows;
		r.tables_verified = vc.tables;
		if (!r.verified && err_kind() != ERR_MISMATCH)
		{
			free(verify_started);
			goto failed;
		}
	}
	r.verify_us = time_mono_us() - t;
	/* what this verify covered needs no second look */
	if (r.verified)
		state_clear_changed_keys(target, verify_started);
	free(verify_started);

	/* the failback slot: from here on, every change on the target is captured */
	if (r.verified && o->prepare_failback &&
		!target_failback_prepare(target, cat, r.failback_position, sizeof(r.failback_position)))
		goto failed;
	/* the way back: the old database takes writes again */
	if (r.verified && o->failback && !target_failback_release(target))
		goto failed;

	r.halt_us = time_now_us() - halt_start;
	r.ok = r.verified;
	print_report(o, &r, &report_json);
	state_cutover_set(target, r.cutover_id, r.ok ? CUTOVER_DONE : CUTOVER_FAILED, report_json);
	free(report_json);
	return r.ok;

failed:
	state_cutover_set(target, r.cutover_id, CUTOVER_FAILED, NULL);
	if (o->failback)
		log_error_dh(NULL, "fix the cause and rerun godwit failback --cutover",
					 "failback cutover %lld failed", (long long) r.cutover_id);
	else
		log_error_dh(NULL, r.locked ? "fix the cause and rerun godwit cutover; the source stays read-only meanwhile"
					 : "fix the cause and rerun godwit cutover",
					 "cutover %lld failed", (long long) r.cutover_id);
	return false;
}
