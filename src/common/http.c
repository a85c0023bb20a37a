/*
 * src/common/http.c
 *	  Metrics, health and status over HTTP with libmicrohttpd (see http.h).
 */
#include "common/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/metrics.h"

static struct MHD_Daemon *http_daemon;
static HttpStatusFn http_status_fn;
static void *http_status_arg;
static atomic_bool http_healthy = true;
static int	http_port;

static const char status_page[] =
	"<!doctype html><html><head><meta charset=utf-8><title>godwit</title>"
	"<style>body{font:14px system-ui,sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style>"
	"</head><body><h1>godwit</h1><pre id=s>loading...</pre><script>"
	"async function r(){try{const x=await fetch('/status');"
	"document.getElementById('s').textContent=JSON.stringify(await x.json(),null,2)}"
	"catch(e){document.getElementById('s').textContent='unreachable: '+e}}"
	"r();setInterval(r,1000)</script></body></html>";

static enum MHD_Result
http_reply(struct MHD_Connection *conn, unsigned status, const char *ctype, char *body, size_t len,
		   enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	MHD_add_response_header(resp, "Content-Type", ctype);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			 const char *version, const char *upload_data, size_t *upload_data_size,
			 void **req_cls)
{
	(void) cls;
	(void) version;
	(void) upload_data;
	(void) upload_data_size;
	(void) req_cls;

	if (strcmp(method, "GET") != 0)
		return http_reply(conn, 405, "text/plain", "method not allowed\n", 19, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") == 0)
	{
		StrBuf		b;

		sb_init(&b, 0);
		metrics_render(&b);
		return http_reply(conn, 200, "text/plain; version=0.0.4", b.data, b.len, MHD_RESPMEM_MUST_FREE);
	}
	if (strcmp(url, "/healthz") == 0)
	{
		if (atomic_load(&http_healthy))
			return http_reply(conn, 200, "text/plain", "ok\n", 3, MHD_RESPMEM_PERSISTENT);
		return http_reply(conn, 503, "text/plain", "unhealthy\n", 10, MHD_RESPMEM_PERSISTENT);
	}
	if (strcmp(url, "/status") == 0)
	{
		StrBuf		b;

		sb_init(&b, 0);
		if (http_status_fn)
			http_status_fn(&b, http_status_arg);
		else
			sb_append(&b, "{}");
		return http_reply(conn, 200, "application/json", b.data, b.len, MHD_RESPMEM_MUST_FREE);
	}
	if (strcmp(url, "/") == 0)
		return http_reply(conn, 200, "text/html; charset=utf-8", (char *) status_page,
						  sizeof(status_page) - 1, MHD_RESPMEM_PERSISTENT);
	return http_reply(conn, 404, "text/plain", "not found\n", 10, MHD_RESPMEM_PERSISTENT);
}

bool
http_start(const char *listen_addr, HttpStatusFn status_fn, void *arg)
{
	struct sockaddr_in sa;
	char		host[256];
	const char *colon = strrchr(listen_addr, ':');
	long		port;
	char	   *end;

	if (colon == NULL || (size_t) (colon - listen_addr) >= sizeof(host))
	{
		log_error("invalid metrics listen address \"%s\": expected host:port", listen_addr);
		return false;
	}
	memcpy(host, listen_addr, (size_t) (colon - listen_addr));
	host[colon - listen_addr] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
	{
		log_error("invalid port in metrics listen address \"%s\"", listen_addr);
		return false;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t) port);
	if (host[0] == '\0' || strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
	{
		log_error("invalid host in metrics listen address \"%s\": use an IPv4 address", listen_addr);
		return false;
	}
	http_status_fn = status_fn;
	http_status_arg = arg;
	http_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
								   0, NULL, NULL, http_handler, NULL,
								   MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
								   MHD_OPTION_CONNECTION_LIMIT, (unsigned) 32,
								   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 10,
								   MHD_OPTION_END);
	if (http_daemon == NULL)
	{
		log_error_dh(NULL, "choose another port with --metrics-listen-addr",
					 "could not listen for metrics on %s", listen_addr);
		return false;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(http_daemon, MHD_DAEMON_INFO_BIND_PORT);

	http_port = info ? info->port : (int) port;
	log_info("serving metrics on http://%s:%d/metrics", host, http_port);
	return true;
}

int
http_bound_port(void)
{
	return http_port;
}

void
http_stop(void)
{
	if (http_daemon)
		MHD_stop_daemon(http_daemon);
	http_daemon = NULL;
}

void
http_set_healthy(bool healthy)
{
	atomic_store(&http_healthy, healthy);
}
