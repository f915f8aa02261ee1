/*
 * httpconn.h - connection limits for evhttp servers: a TLS handshake deadline, a
 * request-header deadline, a keep-alive idle timeout and a cap on connections, so that
 * idle or slow sockets cannot take the descriptor table that a process's listeners, its
 * store and its outgoing calls share.
 *
 * A guard sits between one evhttp and its listeners. Every connection it accepts goes
 * through these states:
 *   HANDSHAKE  (TLS listeners) until the handshake is done: the handshake deadline;
 *   HEADER     until evhttp hands the request (its head, and its body) to the handler:
 *              the header deadline, from the handshake's end (from accept on plain
 *              sockets) or from the first byte after a reply;
 *   ACTIVE     while a handler owns a request (a reply, a watch stream, a held
 *              wait_for_change): no deadline, never closed by the guard;
 *   IDLE       a keep-alive connection between requests: the idle timeout.
 * A request answered without evhttp (http_conn_answered) moves these states as one that
 * evhttp handed over and completed.
 * One budget of connections serves every guard of the process (they share one table of
 * descriptors): it is RLIMIT_NOFILE less a headroom for everything that is not a served
 * connection, or --max-connections. When a new connection finds the budget spent, the
 * connection that has waited longest in HANDSHAKE, HEADER or IDLE is closed for it (as
 * nginx reuses its idle keep-alive connections when worker_connections run out); when
 * every connection is ACTIVE the new one is closed, and the ones being served go on.
 * accept() failing with EMFILE refuses the waiting connections through a reserved
 * descriptor and pauses the listener (5 ms doubling to 1 s, as Go's http.Server.Serve),
 * so the loop never spins.
 *
 * Defaults are kube-apiserver's (k8s.io/apiserver secure_serving.go): ReadHeaderTimeout
 * 32 s, IdleTimeout 90 s; the handshake deadline is Go's tlsHandshakeTimeout, the
 * smallest of the read timeouts, so 32 s too. nginx has client_header_timeout 60 s and
 * keepalive_timeout 75 s.
 *
 * Contract with the rest of the server: a guarded connection's close callback belongs
 * to the guard. Code that wants to hear of a connection's end calls http_conn_set_closecb
 * (never evhttp_connection_set_closecb on a server connection), and does not set
 * evhttp_request_set_on_complete_cb on the requests it is handed.
 */
#ifndef GKEID_HTTPCONN_H
#define GKEID_HTTPCONN_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdint.h>
#include <stdio.h>

/* Limits in milliseconds; 0 takes the default (http_limits_resolve). */
struct http_limits {
	int64_t handshake_ms;
	int64_t header_ms;
	int64_t idle_ms;
	int64_t io_ms;	/* evhttp's own timeout: a write that makes no progress */
	long max_conns; /* --max-connections: what the daemon gives http_conn_set_budget */
};
#define HTTP_HANDSHAKE_MS 32000
#define HTTP_HEADER_MS 32000
#define HTTP_IDLE_MS 90000
#define HTTP_IO_MS 60000 /* nginx's send_timeout and client_body_timeout */

/* Fills the zero fields of lim from defaults (or the HTTP_*_MS values when defaults is
 * NULL). */
void http_limits_resolve(struct http_limits *lim, const struct http_limits *defaults);

/* The process-wide budget of served connections. max 0 derives it from RLIMIT_NOFILE
 * (read now): the soft limit less max(64, limit / 8). Call before the listeners open;
 * a budget larger than the derived one is cut to it. Returns the budget. */
long http_conn_set_budget(long max);
long http_conn_budget(void);

struct http_guard;
typedef void (*http_gencb)(struct evhttp_request *req, void *arg);
typedef struct bufferevent *(*http_bevcb)(struct event_base *base, void *arg);

/* A guard over http: installs gencb (the server's request handler) and bevcb (NULL for
 * plain sockets; a TLS listener's bufferevent_openssl maker) through the guard, and
 * evhttp_set_timeout(io). name prefixes log lines ("kube[demo-cluster]"). NULL on
 * out-of-memory. Free it after evhttp_free(http). */
struct http_guard *http_guard_new(struct event_base *base, struct evhttp *http,
				  const struct http_limits *lim, const char *name, http_gencb gencb,
				  void *gencb_arg, http_bevcb bevcb, void *bevcb_arg);
void http_guard_free(struct http_guard *g);
/* Log lines (one per kind of event, at most every 10 s) go to log; NULL: none. */
void http_guard_set_log(struct http_guard *g, FILE *log);

/* Binds addr:port (0: any free port) for the guard's evhttp, with TCP_NODELAY and the
 * guard's accept-error handling; reports the bound port. NULL and errno on failure. */
struct evhttp_bound_socket *http_guard_bind(struct http_guard *g, const char *addr, int port,
					    int *bound_port);
/* Closes a socket that http_guard_bind opened. */
void http_guard_unbind(struct http_guard *g, struct evhttp_bound_socket *h);

/* Calls cb(evcon, arg) when the connection closes (NULL cb: no call). For a connection
 * no guard watches, the same as evhttp_connection_set_closecb. */
void http_conn_set_closecb(struct evhttp_connection *evcon,
			   void (*cb)(struct evhttp_connection *, void *), void *arg);

/* A server that answers a request of evcon's itself, writing to the socket in its own
 * input callback instead of through evhttp (node/mdfast.c), reports each answer here, once
 * the request's bytes are drained from the input: the guard then treats the request as
 * one evhttp handed over and completed. writing: the answer's tail is still being written
 * (ACTIVE, as evhttp's replies are, until a second call with writing 0); else the
 * connection is IDLE, or in HEADER when bytes of a next request are already in. */
void http_conn_answered(struct evhttp_connection *evcon, int writing);

/* Counters of the whole process (tests and /metrics). */
struct http_conn_stats {
	long open, budget;
	uint64_t accepted, evicted, refused, handshake_timeouts, header_timeouts, idle_timeouts;
	uint64_t accept_errors, shed; /* accept() failures; connections closed unserved then */
};
void http_conn_stats(struct http_conn_stats *s);

#endif
