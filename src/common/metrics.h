/*
 * src/common/metrics.h
 *	  Process-wide metrics registry, rendered in the Prometheus text format.
 *
 * Metrics are created once (get-or-create by name) and updated from any
 * thread; each may carry one label (e.g. table).  Updates take a mutex, so
 * call them per batch or per buffer, not per value.  Names use the words
 * operators know (MOLT's where one exists): apply_upserts_total,
 * source_commit_to_apply_lag_seconds, fetch_rows_copied_total, ...
 */
#ifndef GODWIT_COMMON_METRICS_H
#define GODWIT_COMMON_METRICS_H

#include "common/strbuf.h"

typedef struct Metric Metric;

/* label may be NULL for an unlabelled metric. */
Metric	   *metrics_counter(const char *name, const char *help, const char *label);
Metric	   *metrics_gauge(const char *name, const char *help, const char *label);
/* buckets: upper bounds, ascending; +Inf is implied. */
Metric	   *metrics_histogram(const char *name, const char *help, const char *label,
							  const double *buckets, int nbuckets);

void		metric_add(Metric *m, const char *label_value, double delta);
void		metric_set(Metric *m, const char *label_value, double value);
void		metric_observe(Metric *m, const char *label_value, double value);
double		metric_get(Metric *m, const char *label_value);

void		metrics_render(StrBuf *out);
void		metrics_reset_all(void);	/* tests */

#endif
