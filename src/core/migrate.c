/*
 * src/core/migrate.c
 *	  The supervised delta migration (see migrate.h).
 */
#include "core/migrate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/signals.h"
#include "common/timeutil.h"
#include "core/check.h"
#include "dialect/target.h"
#include "dialect/target_state.h"

/* ------------------------------------------------------------ live verify */

typedef struct LiveVerify
{
	MigrateOptions *o;
	pthread_t	thread;
	bool		started;
	atomic_bool done;
	atomic_bool cancel;			/* replication stopped: nothing to wait for */
	bool		clean;
} LiveVerify;

/*
 * One live verify while replication runs, on connections of its own (the
 * replicator's are busy).  When it finds nothing, the changed keys it
 * covered are dropped, so cutover verifies only what changed after it.
 */
static void *
live_verify_thread(void *arg)
{
	LiveVerify *lv = arg;
	MigrateOptions *o = lv->o;
	PgConn		target = {0};
	Source	   *src = NULL;
	Catalog		cat = {0};
	char	   *started_at = NULL;

	log_set_context("verify");
	if (!target_connect(&target, o->target) || (src = source_open(o->source)) == NULL ||
		!schema_load(o->schema, src, &target, &cat) || !state_target_now(&target, &started_at))
		goto out;
	log_info("verifying every table while replicating (live)");
	VerifyOptions vo = o->verify;

	vo.cancel = &lv->cancel;
	lv->clean = verify_run(&vo, src, &target, &cat);
	if (lv->clean)
	{
		state_clear_changed_keys(&target, started_at);
		log_info("live verify found no difference: cutover will verify only rows changed from now on");
	}
	else if (!signals_should_stop() && !atomic_load(&lv->cancel))
		log_warn_dh(NULL, "see the verify report above; cutover verifies the changed rows again",
					"live verify found differences");
out:
	free(started_at);
	catalog_free(&cat);
	source_close(src);
	pg_disconnect(&target);
	atomic_store(&lv->done, true);
	return NULL;
}

/* ------------------------------------------------------------ phases */

static bool
migrate_check(MigrateOptions *o)
{
	CheckList	cl;
	CheckOptions co = {
		.source = o->source,
		.target = o->target,
		.filter = o->schema->filter,
		.allow_no_pk = o->schema->allow_no_pk,
	};
	int			fails;

	checklist_init(&cl);
	check_run(&co, &cl);
	fails = checklist_count(&cl, CHECK_FAIL);
	if (fails)
	{
		checklist_print_text(&cl, stdout, false);
		fflush(stdout);
		err_set_kind(ERR_CHECK);
		log_error_dh(NULL, "fix the items marked FAIL (or pass --skip-check to go on regardless)",
					 "preflight check found %d problem%s", fails, fails == 1 ? "" : "s");
	}
	else
		log_info("preflight check: %d ok, %d warnings", checklist_count(&cl, CHECK_OK),
				 checklist_count(&cl, CHECK_WARN));
	checklist_free(&cl);
	return fails == 0;
}

/* Is the latest fetch run done already? */
static bool
fetch_done(PgConn *target, bool *done)
{
	RunInfo		run;
	bool		found;

	*done = false;
	if (!state_ensure(target) || !state_latest_run(target, "fetch", &run, &found))
		return false;
	*done = found && run.status == RUN_DONE;
	run_info_free(&run);
	return true;
}

/* Wait for a cutover that another process finishes, and print its report. */
static bool
wait_foreign_cutover(PgConn *target)
{
	int64_t		id;
	char	   *pos = NULL;
	PGresult   *res = pg_query(target, "SELECT max(cutover_id) FROM _godwit.cutovers", 0, NULL);

	id = res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? atoll(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	free(pos);
	log_info("replication stopped for cutover %lld: godwit cutover completes it", (long long) id);
	for (;;)
	{
		CutoverStatus st;
		char	   *report = NULL;

		if (!state_cutover_get(target, id, &st, &report))
			return false;
		if (st == CUTOVER_DONE || st == CUTOVER_FAILED)
		{
			if (report)
				printf("%s\n", report);
			fflush(stdout);
			free(report);
			if (st == CUTOVER_FAILED)
				err_set_kind(ERR_STATE);
			return st == CUTOVER_DONE;
		}
		free(report);
		if (signals_should_stop())
			return true;
		time_sleep_us(200000);
	}
}

bool
migrate_run(MigrateOptions *o, Source *src, PgConn *target, Catalog *cat)
{
	bool		done;
	LiveVerify	lv = {.o = o};
	bool		ok;
	CutoverStatus st = CUTOVER_FAILED;

	if (!o->skip_check && !migrate_check(o))
		return false;

	/* fetch (resumes an unfinished run; skipped when done) */
	if (!fetch_done(target, &done))
		return false;
	if (done)
		log_info("fetch already done: continuing with replication");
	else
	{
		log_info("fetch: copying the source");
		if (!fetch_run(&o->fetch, src, target, cat))
			return false;
	}
	if (signals_should_stop())
	{
		err_set_kind(ERR_INTERRUPTED);
		return false;
	}

	/* replicate until cutover */
	if (o->live_verify)
	{
		atomic_store(&lv.done, false);
		atomic_store(&lv.cancel, false);
		lv.started = pthread_create(&lv.thread, NULL, live_verify_thread, &lv) == 0;
	}
	log_info("replicating: trigger the cutover with `godwit cutover` or `kill -USR1 %d`", (int) getpid());
	o->replicate.stop_on_cutover_signal = true;
	ok = replicate_run(&o->replicate, src, target, cat);
	if (lv.started)
	{
		/* replication stopped: a live verify still running could only wait in vain */
		if (!atomic_load(&lv.done))
			log_info("stopping the live verify: replication has stopped");
		atomic_store(&lv.cancel, true);
		pthread_join(lv.thread, NULL);
	}
	if (!ok)
		return false;

	/* why did replication stop? */
	{
		int64_t		id = 0;
		PGresult   *res = pg_query(target, "SELECT cutover_id, status FROM _godwit.cutovers "
								   "ORDER BY cutover_id DESC LIMIT 1", 0, NULL);

		if (res && PQntuples(res) == 1)
		{
			id = atoll(PQgetvalue(res, 0, 0));
			st = strcmp(PQgetvalue(res, 0, 1), "drained") == 0 ? CUTOVER_DRAINED : CUTOVER_FAILED;
		}
		PQclear(res);
		if (id && st == CUTOVER_DRAINED)
			return wait_foreign_cutover(target);
	}
	if (signal_cutover_requested)
	{
		log_info("cutover requested by signal");
		o->cutover.halt_started_us = time_now_us();
		/* the cutover replicates to its position itself: the signal must not stop that */
		o->replicate.stop_on_cutover_signal = false;
		return cutover_run(&o->cutover, src, target, cat);
	}
	/* stopped by SIGTERM/SIGINT: a rerun continues from here */
	log_info("migrate stopped; rerun the same command to continue");
	return true;
}
