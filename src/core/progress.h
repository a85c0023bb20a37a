/*
 * src/core/progress.h
 *	  Progress of a job over many tables (fetch, verify): live on a terminal,
 *	  periodic JSON log lines otherwise, and Prometheus metrics.
 *
 * Workers update a table's counters with progress_add() (lock-free atomics);
 * a reporter thread renders them every half second.
 */
#ifndef GODWIT_CORE_PROGRESS_H
#define GODWIT_CORE_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct TableProgress
{
	const char *name;			/* display name (borrowed) */
	int64_t		est_rows;
	int64_t		est_bytes;
	int			shards_total;
	_Atomic int64_t rows;
	_Atomic int64_t bytes;
	_Atomic int shards_done;
	_Atomic int active;			/* shards in flight */
	_Atomic int64_t started_us; /* 0 until the first shard starts */
	_Atomic int64_t finished_us;	/* 0 until the last shard is done */
} TableProgress;

typedef struct Progress
{
	const char *verb;			/* "fetch", "verify" */
	const char *metric_prefix;	/* "fetch" -> fetch_rows_copied_total ... */
	TableProgress *tables;
	int			ntables;
	int64_t		started_us;
	pthread_t	thread;
	bool		running;
	atomic_bool stop;
} Progress;

/* tables: ntables entries, owned by the caller, outliving the Progress. */
void		progress_start(Progress *p, const char *verb, TableProgress *tables, int ntables);
void		progress_add(TableProgress *t, int64_t rows, int64_t bytes);
void		progress_stop(Progress *p);
/* Totals at this moment. */
void		progress_totals(Progress *p, int64_t *rows, int64_t *bytes, int64_t *est_bytes,
							int *shards_done, int *shards_total);

#endif
