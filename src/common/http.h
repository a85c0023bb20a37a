/*
 * src/common/http.h
 *	  The HTTP endpoint: Prometheus metrics, health, and a live status page.
 *
 *   GET /metrics   Prometheus text (metrics.h)
 *   GET /healthz   200 "ok" while healthy, 503 otherwise
 *   GET /status    JSON from the status callback (phase, tables, lag, ...)
 *   GET /          a small HTML page that polls /status
 *
 * Served by libmicrohttpd's own thread; off unless --metrics-listen-addr is set.
 */
#ifndef GODWIT_COMMON_HTTP_H
#define GODWIT_COMMON_HTTP_H

#include <stdbool.h>

#include "common/strbuf.h"

/* Render the status document into out; called from the HTTP thread. */
typedef void (*HttpStatusFn) (StrBuf *out, void *arg);

/*
 * http_start
 *		Listen on "host:port" (IPv4 literal or "localhost"; port 0 picks one).
 *
 * Returns false on error (already logged).  status_fn may be NULL.
 */
bool		http_start(const char *listen_addr, HttpStatusFn status_fn, void *arg);
void		http_stop(void);
void		http_set_healthy(bool healthy);
int			http_bound_port(void);

#endif
