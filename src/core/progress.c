/*
 * src/core/progress.c
 *	  Live progress rendering and metrics (see progress.h).
 */
#include "core/progress.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/metrics.h"
#include "common/strbuf.h"
#include "common/timeutil.h"

#define PROGRESS_TICK_US		500000
#define PROGRESS_LOG_EVERY_US	10000000

void
progress_add(TableProgress *t, int64_t rows, int64_t bytes)
{
	atomic_fetch_add(&t->rows, rows);
	atomic_fetch_add(&t->bytes, bytes);
}

void
progress_totals(Progress *p, int64_t *rows, int64_t *bytes, int64_t *est_bytes,
				int *shards_done, int *shards_total)
{
	*rows = *bytes = *est_bytes = 0;
	*shards_done = *shards_total = 0;
	for (int i = 0; i < p->ntables; i++)
	{
		TableProgress *t = &p->tables[i];

		*rows += atomic_load(&t->rows);
		*bytes += atomic_load(&t->bytes);
		*est_bytes += t->est_bytes;
		*shards_done += atomic_load(&t->shards_done);
		*shards_total += t->shards_total;
	}
}

static void
format_bytes(char *buf, size_t n, double b)
{
	if (b >= 1e9)
		snprintf(buf, n, "%.2f GB", b / 1e9);
	else if (b >= 1e6)
		snprintf(buf, n, "%.1f MB", b / 1e6);
	else
		snprintf(buf, n, "%.0f kB", b / 1e3);
}

/* Render one status line; update metrics. */
static void
progress_render(Progress *p, bool log_line)
{
	int64_t		rows,
				bytes,
				est;
	int			sd,
				st;
	int64_t		now = time_mono_us();
	double		secs = (double) (now - p->started_us) / 1e6;
	char		done[32],
				total[32],
				eta[32] = "?";
	StrBuf		line;
	char		metric[96];

	progress_totals(p, &rows, &bytes, &est, &sd, &st);
	double		rate = secs > 0 ? (double) bytes / secs : 0;
	double		pct = est > 0 ? 100.0 * (double) bytes / (double) est : 0;
	int64_t		est_rows = 0;

	for (int i = 0; i < p->ntables; i++)
		est_rows += p->tables[i].est_rows;
	/* jobs that count rows only (verify): progress by rows */
	bool		by_rows = bytes == 0 && rows > 0;

	if (by_rows)
	{
		pct = est_rows > 0 ? 100.0 * (double) rows / (double) est_rows : 0;
		rate = secs > 0 ? (double) rows / secs : 0;
	}

	/* COPY text is larger than the on-disk estimate: cap the percentage */
	if (pct > 99 && sd < st)
		pct = 99;
	if (sd == st && st > 0)
		pct = 100;
	if (by_rows && rate > 0 && est_rows > rows)
		time_format_duration((int64_t) ((double) (est_rows - rows) / rate * 1e6), eta, sizeof(eta));
	else if (!by_rows && rate > 0 && est > bytes)
		time_format_duration((int64_t) ((double) (est - bytes) / rate * 1e6), eta, sizeof(eta));
	format_bytes(done, sizeof(done), (double) bytes);
	format_bytes(total, sizeof(total), (double) est);

	for (int i = 0; i < p->ntables; i++)
	{
		TableProgress *t = &p->tables[i];

		snprintf(metric, sizeof(metric), "%s_rows_total", p->metric_prefix);
		metric_set(metrics_counter(metric, "rows processed", "table"), t->name,
				   (double) atomic_load(&t->rows));
		snprintf(metric, sizeof(metric), "%s_bytes_total", p->metric_prefix);
		metric_set(metrics_counter(metric, "bytes processed", "table"), t->name,
				   (double) atomic_load(&t->bytes));
	}
	snprintf(metric, sizeof(metric), "%s_shards_done", p->metric_prefix);
	metric_set(metrics_gauge(metric, "shards finished", NULL), NULL, sd);
	snprintf(metric, sizeof(metric), "%s_shards_pending", p->metric_prefix);
	metric_set(metrics_gauge(metric, "shards not finished yet", NULL), NULL, st - sd);

	if (log_status_line_enabled())
	{
		sb_init(&line, 4096);
		sb_appendf(&line, "%s %3.0f%% | %s of ~%s | %.1f MB/s | %.0fk rows/s | ETA %s | shards %d/%d",
				   p->verb, pct, done, total, rate / 1e6, secs > 0 ? (double) rows / secs / 1e3 : 0,
				   eta, sd, st);
		int			shown = 0;

		for (int i = 0; i < p->ntables && shown < 3; i++)
		{
			TableProgress *t = &p->tables[i];

			if (atomic_load(&t->active) > 0)
			{
				sb_appendf(&line, "%s %s", shown ? "," : " |", t->name);
				shown++;
			}
		}
		if (line.len > 160)
			sb_truncate(&line, 160);
		log_set_status_line(line.data);
		sb_free(&line);
	}
	else if (log_line)
	{
		char		fields[256];

		snprintf(fields, sizeof(fields),
				 "\"type\":\"progress\",\"rows\":%lld,\"bytes\":%lld,\"est_bytes\":%lld,"
				 "\"shards_done\":%d,\"shards_total\":%d,\"bytes_per_second\":%.0f",
				 (long long) rows, (long long) bytes, (long long) est, sd, st, rate);
		if (log_enabled(LOG_INFO) && by_rows)
			log_write(LOG_INFO, NULL, NULL, fields, "%s progress: %.0f%%, %lld rows, %.0f rows/s, ETA %s",
					  p->verb, pct, (long long) rows, rate, eta);
		else if (log_enabled(LOG_INFO))
			log_write(LOG_INFO, NULL, NULL, fields, "%s progress: %.0f%%, %s copied, %.1f MB/s, ETA %s",
					  p->verb, pct, done, rate / 1e6, eta);
	}
}

static void *
progress_thread(void *arg)
{
	Progress   *p = arg;
	int64_t		last_log = time_mono_us();

	while (!atomic_load(&p->stop))
	{
		time_sleep_us(PROGRESS_TICK_US);
		int64_t		now = time_mono_us();
		bool		log_now = now - last_log >= PROGRESS_LOG_EVERY_US;

		if (log_now)
			last_log = now;
		progress_render(p, log_now);
	}
	return NULL;
}

void
progress_start(Progress *p, const char *verb, TableProgress *tables, int ntables)
{
	p->verb = verb;
	p->metric_prefix = verb;
	p->tables = tables;
	p->ntables = ntables;
	p->started_us = time_mono_us();
	atomic_store(&p->stop, false);
	p->running = pthread_create(&p->thread, NULL, progress_thread, p) == 0;
}

void
progress_stop(Progress *p)
{
	if (!p->running)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	p->running = false;
	progress_render(p, false);
	log_set_status_line(NULL);
}
