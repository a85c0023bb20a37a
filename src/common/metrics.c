/*
 * src/common/metrics.c
 *	  Metrics registry and Prometheus text rendering (see metrics.h).
 */
#include "common/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

typedef enum MetricType
{
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
} MetricType;

typedef struct Series
{
	char	   *label_value;	/* NULL when the metric has no label */
	double		value;			/* counter/gauge */
	double		sum;			/* histogram */
	double		count;
	double	   *bucket_counts;	/* histogram: nbuckets + 1 (the +Inf bucket) */
} Series;

struct Metric
{
	Metric	   *next;
	char	   *name;
	char	   *help;
	char	   *label;
	MetricType	type;
	double	   *buckets;
	int			nbuckets;
	Series	   *series;
	int			nseries;
	size_t		cap;
};

static pthread_mutex_t metrics_mutex = PTHREAD_MUTEX_INITIALIZER;
static Metric *metrics_head;

static Metric *
metrics_get(const char *name, const char *help, const char *label, MetricType type,
			const double *buckets, int nbuckets)
{
	Metric	   *m;

	pthread_mutex_lock(&metrics_mutex);
	for (m = metrics_head; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			break;
	if (m == NULL)
	{
		m = gw_new(Metric);
		m->name = gw_strdup(name);
		m->help = gw_strdup(help);
		m->label = label ? gw_strdup(label) : NULL;
		m->type = type;
		if (nbuckets > 0)
		{
			m->buckets = gw_new_array(double, (size_t) nbuckets);
			memcpy(m->buckets, buckets, sizeof(double) * (size_t) nbuckets);
			m->nbuckets = nbuckets;
		}
		/* keep registration order for stable output */
		Metric	  **pp = &metrics_head;

		while (*pp)
			pp = &(*pp)->next;
		*pp = m;
	}
	pthread_mutex_unlock(&metrics_mutex);
	return m;
}

Metric *
metrics_counter(const char *name, const char *help, const char *label)
{
	return metrics_get(name, help, label, METRIC_COUNTER, NULL, 0);
}

Metric *
metrics_gauge(const char *name, const char *help, const char *label)
{
	return metrics_get(name, help, label, METRIC_GAUGE, NULL, 0);
}

Metric *
metrics_histogram(const char *name, const char *help, const char *label,
				  const double *buckets, int nbuckets)
{
	return metrics_get(name, help, label, METRIC_HISTOGRAM, buckets, nbuckets);
}

/* Find or add the series for label_value; metrics_mutex held. */
static Series *
series_get(Metric *m, const char *label_value)
{
	for (int i = 0; i < m->nseries; i++)
	{
		const char *lv = m->series[i].label_value;

		if ((lv == NULL && label_value == NULL) ||
			(lv && label_value && strcmp(lv, label_value) == 0))
			return &m->series[i];
	}
	gw_array_grow(m->series, m->cap, (size_t) m->nseries + 1);
	Series	   *s = &m->series[m->nseries++];

	memset(s, 0, sizeof(*s));
	s->label_value = label_value ? gw_strdup(label_value) : NULL;
	if (m->type == METRIC_HISTOGRAM)
		s->bucket_counts = gw_new_array(double, (size_t) m->nbuckets + 1);
	return s;
}

void
metric_add(Metric *m, const char *label_value, double delta)
{
	pthread_mutex_lock(&metrics_mutex);
	series_get(m, label_value)->value += delta;
	pthread_mutex_unlock(&metrics_mutex);
}

void
metric_set(Metric *m, const char *label_value, double value)
{
	pthread_mutex_lock(&metrics_mutex);
	series_get(m, label_value)->value = value;
	pthread_mutex_unlock(&metrics_mutex);
}

void
metric_observe(Metric *m, const char *label_value, double value)
{
	pthread_mutex_lock(&metrics_mutex);
	Series	   *s = series_get(m, label_value);

	s->sum += value;
	s->count += 1;
	for (int i = 0; i < m->nbuckets; i++)
		if (value <= m->buckets[i])
			s->bucket_counts[i] += 1;
	s->bucket_counts[m->nbuckets] += 1;
	pthread_mutex_unlock(&metrics_mutex);
}

double
metric_get(Metric *m, const char *label_value)
{
	double		v;

	pthread_mutex_lock(&metrics_mutex);
	Series	   *s = series_get(m, label_value);

	v = m->type == METRIC_HISTOGRAM ? s->count : s->value;
	pthread_mutex_unlock(&metrics_mutex);
	return v;
}

/* Prometheus label values escape \, " and newline. */
static void
render_label(StrBuf *out, const char *label, const char *value, const char *extra)
{
	if (label == NULL && extra == NULL)
		return;
	sb_appendc(out, '{');
	if (label)
	{
		sb_appendf(out, "%s=\"", label);
		for (const char *p = value ? value : ""; *p; p++)
		{
			if (*p == '\\' || *p == '"')
				sb_appendc(out, '\\');
			if (*p == '\n')
			{
				sb_append(out, "\\n");
				continue;
			}
			sb_appendc(out, *p);
		}
		sb_appendc(out, '"');
	}
	if (extra)
	{
		if (label)
			sb_appendc(out, ',');
		sb_append(out, extra);
	}
	sb_appendc(out, '}');
}

static void
render_number(StrBuf *out, double v)
{
	if (isinf(v))
		sb_append(out, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		sb_appendf(out, "%.0f", v);
	else
		sb_appendf(out, "%.9g", v);
}

void
metrics_render(StrBuf *out)
{
	static const char *const type_names[] = {"counter", "gauge", "histogram"};

	pthread_mutex_lock(&metrics_mutex);
	for (Metric *m = metrics_head; m; m = m->next)
	{
		sb_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
				   type_names[m->type]);
		for (int i = 0; i < m->nseries; i++)
		{
			Series	   *s = &m->series[i];

			if (m->type != METRIC_HISTOGRAM)
			{
				sb_append(out, m->name);
				render_label(out, m->label, s->label_value, NULL);
				sb_appendc(out, ' ');
				render_number(out, s->value);
				sb_appendc(out, '\n');
				continue;
			}
			for (int b = 0; b <= m->nbuckets; b++)
			{
				char		le[48];

				if (b == m->nbuckets)
					snprintf(le, sizeof(le), "le=\"+Inf\"");
				else
					snprintf(le, sizeof(le), "le=\"%g\"", m->buckets[b]);
				sb_appendf(out, "%s_bucket", m->name);
				render_label(out, m->label, s->label_value, le);
				sb_appendc(out, ' ');
				render_number(out, s->bucket_counts[b]);
				sb_appendc(out, '\n');
			}
			sb_appendf(out, "%s_sum", m->name);
			render_label(out, m->label, s->label_value, NULL);
			sb_appendc(out, ' ');
			render_number(out, s->sum);
			sb_appendf(out, "\n%s_count", m->name);
			render_label(out, m->label, s->label_value, NULL);
			sb_appendc(out, ' ');
			render_number(out, s->count);
			sb_appendc(out, '\n');
		}
	}
	pthread_mutex_unlock(&metrics_mutex);
}

void
metrics_reset_all(void)
{
	pthread_mutex_lock(&metrics_mutex);
	while (metrics_head)
	{
		Metric	   *m = metrics_head;

		metrics_head = m->next;
		for (int i = 0; i < m->nseries; i++)
		{
			free(m->series[i].label_value);
			free(m->series[i].bucket_counts);
		}
		free(m->series);
		free(m->buckets);
		free(m->name);
		free(m->help);
		free(m->label);
		free(m);
	}
	pthread_mutex_unlock(&metrics_mutex);
}
