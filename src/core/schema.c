/*
 * src/core/schema.c
 *	  Read, map, create and finalize the migrated schema (see schema.h).
 *
 * finalize runs its objects in three phases separated by a barrier:
 * sequences (defaults use them), then indexes, unique and check constraints
 * and defaults, then foreign keys (they need the referenced unique keys).
 * Within a phase, workers take the next object from a shared counter, biggest
 * tables first, each on its own target connection, as pg_restore -j and
 * pgcopydb do for indexes.
 */
#include "core/schema.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/signals.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "dialect/target.h"
#include "dialect/target_schema.h"

void
schema_options_init(SchemaOptions *o)
{
	memset(o, 0, sizeof(*o));
	o->handling = TABLE_HANDLING_NONE;
	o->target_schema = "public";
	o->tinyint1 = TINYINT1_BOOLEAN;
	o->enums = ENUMS_AS_TYPE;
	o->zero_dates = ZERO_DATES_NULL;
	o->dialect = TARGET_POSTGRES;
}

void
schema_log_issues(const Catalog *cat)
{
	for (int i = 0; i < cat->nissues; i++)
	{
		const SchemaIssue *is = &cat->issues[i];

		switch (is->level)
		{
			case ISSUE_INFO:
				log_info("%s", is->message);
				break;
			case ISSUE_WARN:
				log_warn_dh(NULL, is->hint, "%s", is->message);
				break;
			case ISSUE_FAIL:
				log_error_dh(NULL, is->hint, "%s", is->message);
				break;
		}
	}
}

/* One issue for all tables without a primary key (up to 10 named). */
static void
check_primary_keys(Catalog *cat, bool allow_no_pk)
{
	StrBuf		names;
	int			n = 0;

	sb_init(&names, 0);
	for (int i = 0; i < cat->ntables; i++)
	{
		if (cat->tables[i]->npk > 0)
			continue;
		if (n < 10)
			sb_appendf(&names, "%s%s", n ? ", " : "", cat->tables[i]->display);
		n++;
	}
	if (n > 10)
		sb_appendf(&names, " and %d more", n - 10);
	if (n > 0 && allow_no_pk)
		catalog_add_issue(cat, ISSUE_WARN, ISSUE_TABLE, NULL,
						  "such tables are copied whole and cannot be verified or replicated by key",
						  "%d table%s without a primary key (allowed by --allow-no-pk): %s",
						  n, n == 1 ? "" : "s", names.data);
	else if (n > 0)
		catalog_add_issue(cat, ISSUE_FAIL, ISSUE_TABLE, NULL,
						  "add a primary key on the source, exclude the tables with --table-exclusion-filter, "
						  "or accept them with --allow-no-pk",
						  "%d table%s without a primary key: %s", n, n == 1 ? "" : "s", names.data);
	sb_free(&names);
}

/* Read and map without logging (schema_load and schema_sync_sequences). */
static bool
load_and_map(const SchemaOptions *o, Source *src, PgConn *target, TargetDialect dialect, Catalog *out)
{
	TypeMapOptions tm;
	char	  **exts = NULL;
	int			nexts = 0;

	catalog_init(out, src->url->engine);
	if (!src->ops->read_catalog(src, o->filter, out))
		return false;
	typemap_options_init(&tm, dialect);
	tm.tinyint1 = o->tinyint1;
	tm.enums = o->enums;
	tm.zero_dates = o->zero_dates;
	tm.target_schema = o->target_schema ? o->target_schema : "public";
	tm.overrides = o->overrides;
	if (target && dialect == TARGET_POSTGRES)
	{
		if (!target_list_extensions(target, &exts, &nexts))
			return false;
		tm.extensions = (const char *const *) exts;
		tm.nextensions = nexts;
		tm.extensions_known = true;
	}
	typemap_apply(out, &tm);
	target_free_list(exts, nexts);
	ddl_plan(out);
	return true;
}

bool
schema_load(const SchemaOptions *o, Source *src, PgConn *target, Catalog *out)
{
	TargetDialect dialect = target ? target_dialect(target) : o->dialect;
	int			fails;

	if (!load_and_map(o, src, target, dialect, out))
		return false;
	if (out->ntables == 0)
	{
		err_set_kind(ERR_SCHEMA);
		log_error_dh(NULL, "check the database in --source and --schema-filter / --table-filter "
					 "(patterns match whole names)", "no tables match the filters");
		return false;
	}
	check_primary_keys(out, o->allow_no_pk);
	schema_log_issues(out);
	fails = catalog_count_issues(out, ISSUE_FAIL, -1);

	/* override types must exist on the target (a typo fails here, not mid-copy) */
	if (target && o->overrides)
		for (int i = 0; i < o->overrides->n; i++)
		{
			const TypeOverride *ov = &o->overrides->items[i];

			if (ov->uses > 0 && !target_type_exists(target, ov->target_type))
			{
				err_set_kind(ERR_ARGS);
				log_error_dh(target->last_error,
							 "use a type the target knows; qualify user and extension types (public.citext)",
							 "type map file \"%s\": \"%s\" is not a type on the target", o->overrides->origin,
							 ov->target_type);
				fails++;
			}
		}
	if (fails > 0)
	{
		err_set_kind(ERR_SCHEMA);
		log_error("the schema cannot be migrated as it is: %d problem%s above", fails, fails == 1 ? "" : "s");
		return false;
	}
	log_info("source schema: %d table%s, %d sequence%s, %d issue%s for a %s target",
			 out->ntables, out->ntables == 1 ? "" : "s", out->nsequences, out->nsequences == 1 ? "" : "s",
			 catalog_count_issues(out, ISSUE_WARN, -1), catalog_count_issues(out, ISSUE_WARN, -1) == 1 ? "" : "s",
			 dialect == TARGET_COCKROACH ? "CockroachDB" : "PostgreSQL");
	return true;
}

bool
schema_apply(const SchemaOptions *o, const Catalog *cat, PgConn *target)
{
	if (!cat->mapped || cat->target != target_dialect(target))
	{
		err_set_kind(ERR_INTERNAL);
		log_error("the catalog was not mapped for this target's dialect");
		return false;
	}
	return target_schema_apply(target, cat, o->handling);
}

/* ------------------------------------------------------------- finalize */

typedef struct FinalizeRun
{
	pthread_mutex_t lock;
	const DdlPlan *plan;
	const ConnUrl *url;
	int			next;			/* next object to take */
	int			end;			/* end of the current phase */
	int			created;
	int			existed;
	int			rejected;
	int			failed;
} FinalizeRun;

typedef struct FinalizeWorker
{
	FinalizeRun *run;
	int			id;
	pthread_t	thread;
} FinalizeWorker;

/*
 * finalize_worker
 *		Thread body: connect to the target, then create objects of the current
 *		phase until none is left or a stop is requested.  Failures are logged
 *		and counted in the shared run; a connection lost between objects is
 *		reopened; a worker that cannot connect ends the phase for all.
 */
static void *
finalize_worker(void *arg)
{
	FinalizeWorker *w = arg;
	FinalizeRun *run = w->run;
	PgConn		conn;
	char		ctx[32];

	snprintf(ctx, sizeof(ctx), "finalize %d", w->id);
	log_set_context(ctx);
	if (!target_connect(&conn, run->url))
	{
		pthread_mutex_lock(&run->lock);
		run->failed++;
		run->next = run->end;	/* the others stop too: the target is unreachable */
		pthread_mutex_unlock(&run->lock);
		return NULL;
	}
	while (!signals_should_stop())
	{
		const DeferredObject *o;
		DeferredResult res;
		int64_t		start = time_mono_us();
		int			i;

		pthread_mutex_lock(&run->lock);
		i = run->next < run->end ? run->next++ : -1;
		pthread_mutex_unlock(&run->lock);
		if (i < 0)
			break;
		o = &run->plan->objects[i];
		/* a target that restarted or dropped us since the last object: a new connection */
		if (!pg_exec_quiet(&conn, "SELECT 1") && pg_error_is_connection(&conn))
		{
			log_warn("lost the target connection (%s); reconnecting", conn.last_error);
			pg_reconnect(&conn, run->url);
		}
		res = target_deferred_run(&conn, o, true);
		pthread_mutex_lock(&run->lock);
		switch (res)
		{
			case DEFERRED_CREATED:
				run->created++;
				log_info("created %s (%.1f s)", o->display, (double) (time_mono_us() - start) / 1e6);
				break;
			case DEFERRED_EXISTED:
				run->existed++;
				log_debug("%s already exists", o->display);
				break;
			case DEFERRED_REJECTED:
				run->rejected++;
				break;
			case DEFERRED_FAILED:
				run->failed++;
				break;
		}
		pthread_mutex_unlock(&run->lock);
	}
	pg_disconnect(&conn);
	return NULL;
}

bool
schema_finalize(const Catalog *cat, const ConnUrl *target_url, int concurrency, FinalizeStats *stats)
{
	DdlPlan		plan;
	FinalizeRun run = {.url = target_url};
	FinalizeWorker *workers;
	int64_t		start = time_mono_us();
	bool		stopped = false;

	if (concurrency < 1)
		concurrency = 1;
	ddl_deferred(cat, &plan);
	run.plan = &plan;
	pthread_mutex_init(&run.lock, NULL);
	workers = gw_new_array(FinalizeWorker, concurrency);
	log_info("finalize: %d deferred object%s to check on the target, %d at a time", plan.n,
			 plan.n == 1 ? "" : "s", concurrency);

	for (int begin = 0; begin < plan.n && !stopped;)
	{
		int			phase = plan.objects[begin].phase;
		int			end = begin,
					nthreads;

		while (end < plan.n && plan.objects[end].phase == phase)
			end++;
		run.next = begin;
		run.end = end;
		nthreads = end - begin < concurrency ? end - begin : concurrency;
		for (int i = 0; i < nthreads; i++)
		{
			workers[i].run = &run;
			workers[i].id = i + 1;
			if (pthread_create(&workers[i].thread, NULL, finalize_worker, &workers[i]) != 0)
			{
				nthreads = i;
				run.failed++;
				err_set_kind(ERR_INTERNAL);
				log_error("could not start a finalize thread");
				break;
			}
		}
		for (int i = 0; i < nthreads; i++)
			pthread_join(workers[i].thread, NULL);
		if (signals_should_stop())
		{
			err_set_kind(ERR_INTERRUPTED);
			log_warn_dh(NULL, "run godwit finalize again: it continues where it stopped",
						"finalize stopped before finishing");
			stopped = true;
		}
		/* foreign keys need the unique keys of the earlier phase */
		if (run.failed > 0 && phase < 2)
		{
			log_error_dh(NULL, "fix the errors above and run godwit finalize again",
						 "finalize stopped after phase %d: %d object%s failed", phase, run.failed,
						 run.failed == 1 ? "" : "s");
			break;
		}
		begin = end;
	}
	log_info("finalize: %d created, %d already present, %d rejected (best effort), %d failed in %.1f s",
			 run.created, run.existed, run.rejected, run.failed, (double) (time_mono_us() - start) / 1e6);
	if (stats)
	{
		stats->objects = plan.n;
		stats->created = run.created;
		stats->existed = run.existed;
		stats->rejected = run.rejected;
		stats->failed = run.failed;
	}
	pthread_mutex_destroy(&run.lock);
	free(workers);
	ddl_plan_free(&plan);
	if (run.failed > 0)
		err_set_kind(ERR_TARGET);
	return run.failed == 0 && !stopped;
}

int
schema_build_table(const Catalog *cat, const Table *t, PgConn *conn)
{
	DdlPlan		plan;
	int			created = 0;

	ddl_deferred_table(cat, t, &plan);
	for (int i = 0; i < plan.n && !signals_should_stop(); i++)
	{
		const DeferredObject *o = &plan.objects[i];
		int64_t		start = time_mono_us();

		if (o->kind == DEFER_DEFAULT || o->kind == DEFER_FOREIGN_KEY)
			continue;
		if (target_deferred_run(conn, o, false) == DEFERRED_CREATED)
		{
			created++;
			log_info("created %s (%.1f s, right after its copy)", o->display, (double) (time_mono_us() - start) / 1e6);
		}
	}
	ddl_plan_free(&plan);
	return created;
}

bool
schema_sync_sequences(const SchemaOptions *o, Source *src, PgConn *target)
{
	Catalog		cat;
	bool		ok = load_and_map(o, src, target, target_dialect(target), &cat) &&
		target_set_sequences(target, &cat);

	if (ok)
		log_info("set %d sequence%s on the target to the source's values", cat.nsequences,
				 cat.nsequences == 1 ? "" : "s");
	catalog_free(&cat);
	return ok;
}
