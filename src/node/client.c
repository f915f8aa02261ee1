/*
 * client.c - the node's asynchronous HTTP/1.1 client: libevent's evhttp client over
 * plain sockets or bufferevent_openssl, one request at a time per connection, a small
 * keep-alive pool per upstream, a FIFO when the pool is full, response caps, timeouts,
 * streaming bodies (Kubernetes watches), and Go-style error texts
 * ("dial tcp 127.0.0.1:6443: connect: connection refused") for what pods are told.
 *
 * A connection that fails or is closed is never reused (an SSL object cannot be
 * reconnected); it is freed from a zero-delay event, outside libevent's callbacks.
 * A request that fails on a reused keep-alive connection before any response is
 * retried once on a fresh connection (the server may have closed it meanwhile).
 */
#include "node/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dbuf.h"

#define MAX_CONNS 64	/* per upstream */
#define MAX_IDLE 16	/* kept alive per upstream */
#define MAX_QUEUED 8192 /* calls waiting for a connection */
#define HEADERS_CAP (64 * 1024)

struct md_conn {
	struct md_client *cl;
	struct evhttp_connection *evcon;
	struct md_conn *next; /* idle list or graveyard */
	struct md_call *call; /* in flight */
	int dead;
	int used; /* requests completed on it */
};

struct md_call {
	struct md_client *cl;
	struct md_conn *conn;
	struct evhttp_request *req;
	struct md_call *qnext;	       /* queue */
	struct md_call *next, **pprev; /* all calls of the client */
	md_done_fn done;
	void *arg;
	md_chunk_fn chunk;
	char *method, *path, *ctype, *bearer;
	unsigned char *body;
	size_t body_len, cap;
	int timeout_s;
	int retried, queued, in_chunk, cancelled, aborted, got_data;
	int ev_error; /* evhttp_request_error + 1 when the error callback ran */
	int sock_err;
	unsigned long ssl_err;
	int64_t start_us;
	struct event *defer; /* completes calls that failed before reaching libevent */
	char deferred_error[160];
};

struct md_client {
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *tls;
	int https;
	char host[256];	    /* without brackets */
	char host_hdr[300]; /* Host: header */
	int port;
	char prefix[NODE_URL_MAX]; /* base path, no trailing slash */
	char base_url[NODE_URL_MAX + 320];
	struct md_conn *idle;
	size_t n_idle, n_conns;
	struct md_call *q_head, *q_tail;
	size_t n_queued;
	struct md_call *calls;
	struct md_conn *grave;
	struct event *reaper;
};

static void start_next(struct md_client *cl);

static void bury(struct md_conn *cn)
{
	struct md_client *cl = cn->cl;
	cn->dead = 1;
	cn->next = cl->grave;
	cl->grave = cn;
	event_active(cl->reaper, EV_TIMEOUT, 1);
}

static void on_reap(evutil_socket_t fd, short what, void *arg)
{
	struct md_client *cl = arg;
	(void)fd, (void)what;
	while (cl->grave) {
		struct md_conn *cn = cl->grave;
		cl->grave = cn->next;
		if (cn->evcon)
			evhttp_connection_free(cn->evcon);
		cl->n_conns--;
		free(cn);
	}
	start_next(cl);
}

/* libevent tells us a connection closed (peer close while idle, a reset, or a free). */
static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
	struct md_conn *cn = arg;
	(void)evcon;
	if (cn->dead)
		return;
	if (cn->call) {
		cn->dead = 1; /* the call's completion buries it */
		return;
	}
	/* idle: out of the idle list, freed later from the loop */
	struct md_conn **pp = &cn->cl->idle;
	while (*pp && *pp != cn)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = cn->next;
		cn->cl->n_idle--;
	}
	bury(cn);
}

static struct md_conn *conn_new(struct md_client *cl)
{
	struct md_conn *cn = calloc(1, sizeof(*cn));
	struct bufferevent *bev = NULL;
	if (!cn)
		return NULL;
	cn->cl = cl;
	if (cl->https) {
		SSL *ssl = SSL_new(cl->tls);
		if (!ssl)
			goto fail;
		struct in_addr a4;
		struct in6_addr a6;
		int is_ip = inet_pton(AF_INET, cl->host, &a4) == 1 ||
			    inet_pton(AF_INET6, cl->host, &a6) == 1;
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		if (is_ip) {
			if (!X509_VERIFY_PARAM_set1_ip_asc(vp, cl->host)) {
				SSL_free(ssl);
				goto fail;
			}
		} else {
			SSL_set_tlsext_host_name(ssl, cl->host);
			X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
			if (!SSL_set1_host(ssl, cl->host)) {
				SSL_free(ssl);
				goto fail;
			}
		}
		bev = bufferevent_openssl_socket_new(cl->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
						     BEV_OPT_CLOSE_ON_FREE |
							     BEV_OPT_DEFER_CALLBACKS);
		if (!bev) {
			SSL_free(ssl);
			goto fail;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	} else {
		bev = bufferevent_socket_new(cl->base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (!bev)
			goto fail;
	}
	cn->evcon = evhttp_connection_base_bufferevent_new(cl->base, cl->dns, bev, cl->host,
							   (unsigned short)cl->port);
	if (!cn->evcon) {
		bufferevent_free(bev);
		goto fail;
	}
	evhttp_connection_set_retries(cn->evcon, 0);
	evhttp_connection_set_max_headers_size(cn->evcon, HEADERS_CAP);
	evhttp_connection_set_closecb(cn->evcon, on_conn_close, cn);
	cl->n_conns++;
	return cn;
fail:
	free(cn);
	return NULL;
}

static void call_unlink(struct md_call *call)
{
	if (call->pprev) {
		*call->pprev = call->next;
		if (call->next)
			call->next->pprev = call->pprev;
		call->pprev = NULL;
		call->next = NULL;
	}
}

static void call_free(struct md_call *call)
{
	call_unlink(call);
	if (call->defer)
		event_free(call->defer);
	free(call->method);
	free(call->path);
	free(call->ctype);
	free(call->bearer);
	free(call->body);
	free(call);
}

static void lower_first(char *s)
{
	if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
		s[0] = (char)(s[0] - 'A' + 'a');
}

/* The Go-style reason of a failed call. */
static void describe(struct md_call *call, int never_connected, char *out, size_t len)
{
	struct md_client *cl = call->cl;
	char url[NODE_URL_MAX + 4400], hp[320], reason[1024];
	if (md_client_url(cl, call->path, url, sizeof(url)) < 0) /* a message: say so */
		snprintf(url, sizeof(url), "%s (with a path too long to show)", cl->base_url);
	if (strchr(cl->host, ':'))
		snprintf(hp, sizeof(hp), "[%s]:%d", cl->host, cl->port);
	else
		snprintf(hp, sizeof(hp), "%s:%d", cl->host, cl->port);
	int64_t elapsed_ms = (md_mono_us() - call->start_us) / 1000;
	if (call->ssl_err) {
		const char *r = ERR_reason_error_string(call->ssl_err);
		snprintf(reason, sizeof(reason), "tls: %s", r ? r : "handshake failure");
		if (r && strstr(r, "certificate verify failed"))
			snprintf(reason, sizeof(reason),
				 "tls: failed to verify certificate: x509: certificate signed by "
				 "unknown authority or not valid for %s",
				 cl->host);
	} else if (call->aborted) {
		snprintf(reason, sizeof(reason), "aborted");
	} else if (call->ev_error == EVREQ_HTTP_DATA_TOO_LONG + 1) {
		snprintf(reason, sizeof(reason), "response too large");
	} else if (call->ev_error == EVREQ_HTTP_INVALID_HEADER + 1) {
		snprintf(reason, sizeof(reason), "malformed HTTP response");
	} else if (call->ev_error == EVREQ_HTTP_TIMEOUT + 1 ||
		   elapsed_ms >= (int64_t)call->timeout_s * 1000) {
		snprintf(reason, sizeof(reason), "%s tcp %s: i/o timeout",
			 never_connected ? "dial" : "read", hp);
	} else if (never_connected || call->ev_error == 0) {
		char e[128];
		snprintf(e, sizeof(e), "%s",
			 call->sock_err && call->sock_err != ENOTCONN ? strerror(call->sock_err)
								      : "connection refused");
		lower_first(e);
		snprintf(reason, sizeof(reason), "dial tcp %s: connect: %s", hp, e);
	} else if (call->ev_error == EVREQ_HTTP_EOF + 1) {
		snprintf(reason, sizeof(reason), "EOF");
	} else {
		char e[128];
		snprintf(e, sizeof(e), "%s",
			 call->sock_err ? strerror(call->sock_err) : "connection reset by peer");
		lower_first(e);
		snprintf(reason, sizeof(reason), "read tcp %s: %s", hp, e);
	}
	char method[16];
	snprintf(method, sizeof(method), "%s", call->method);
	for (char *p = method + 1; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	snprintf(out, len, "%s \"%.1500s\": %.900s", method, url, reason);
}

static void finish(struct md_call *call, int status, const char *body, size_t len,
		   const char *error)
{
	struct md_resp r;
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.body = body ? body : "";
	r.len = body ? len : 0;
	r.error = error;
	r.elapsed_us = md_mono_us() - call->start_us;
	md_done_fn done = call->done;
	void *arg = call->arg;
	call->req = NULL;
	call->conn = NULL;
	call_free(call);
	if (done)
		done(arg, &r);
}

static int launch(struct md_call *call, struct md_conn *cn);

/* Gives a connection back: to the next queued call, to the idle pool, or away. */
static void release(struct md_client *cl, struct md_conn *cn)
{
	cn->call = NULL;
	if (cn->dead) {
		bury(cn);
		return;
	}
	if (cl->n_idle >= MAX_IDLE) {
		bury(cn);
		return;
	}
	cn->next = cl->idle;
	cl->idle = cn;
	cl->n_idle++;
}

static void on_error(enum evhttp_request_error err, void *arg)
{
	struct md_call *call = arg;
	call->ev_error = (int)err + 1;
	call->sock_err = errno;
	if (call->cl->https && call->conn && call->conn->evcon) {
		struct bufferevent *bev = evhttp_connection_get_bufferevent(call->conn->evcon);
		unsigned long e = bev ? bufferevent_get_openssl_error(bev) : 0;
		if (e)
			call->ssl_err = e;
	}
}

static void on_chunk(struct evhttp_request *req, void *arg)
{
	struct md_call *call = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	if (call->aborted || call->cancelled || !call->chunk || n == 0)
		return;
	call->got_data = 1;
	/* The piece is contiguous in libevent's buffer after pullup; cap a piece at 1 MiB. */
	while (n > 0 && !call->aborted) {
		size_t take = n > (1u << 20) ? (1u << 20) : n;
		const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)take);
		if (!p)
			break;
		call->in_chunk = 1;
		int rc = call->chunk(call->arg, p, take);
		call->in_chunk = 0;
		if (call->cancelled) {
			/* md_call_cancel ran inside the callback: end it now */
			struct md_conn *cn = call->conn;
			call->done = NULL;
			if (cn)
				cn->dead = 1;
			evhttp_cancel_request(req);
			if (cn)
				release(cn->cl, cn);
			call_free(call);
			return;
		}
		evbuffer_drain(in, take);
		n -= take;
		if (rc < 0) {
			struct md_conn *cn = call->conn;
			char why[NODE_URL_MAX + 2400];
			call->aborted = 1;
			if (cn)
				cn->dead = 1;
			evhttp_cancel_request(req);
			describe(call, 0, why, sizeof(why));
			if (cn)
				release(cn->cl, cn);
			finish(call, 0, NULL, 0, why);
			return;
		}
	}
}

static void on_done(struct evhttp_request *req, void *arg)
{
	struct md_call *call = arg;
	struct md_client *cl = call->cl;
	struct md_conn *cn = call->conn;
	int status = req ? evhttp_request_get_response_code(req) : 0;
	char why[NODE_URL_MAX + 2400];

	call->req = NULL;
	if (status <= 0) {
		/* no response: a connect failure (req set, no error callback) or a broken
		 * connection (req NULL, after on_error). */
		int never_connected = req != NULL && call->ev_error == 0 && cn && cn->used == 0;
		int reused = cn && cn->used > 0;
		if (cn)
			cn->dead = 1;
		if (reused && !call->retried && !call->got_data && !call->cancelled &&
		    call->ev_error != EVREQ_HTTP_DATA_TOO_LONG + 1) {
			/* the server closed a keep-alive connection: once more, on a new one */
			call->retried = 1;
			call->ev_error = 0;
			call->sock_err = 0;
			release(cl, cn);
			struct md_conn *fresh = conn_new(cl);
			if (fresh && launch(call, fresh) == 0)
				return;
			if (fresh)
				bury(fresh);
			describe(call, 1, why, sizeof(why));
			finish(call, 0, NULL, 0, why);
			return;
		}
		describe(call, never_connected || (req != NULL && call->ev_error == 0), why,
			 sizeof(why));
		if (cn)
			release(cl, cn);
		finish(call, 0, NULL, 0, why);
		return;
	}
	if (cn) {
		cn->used++;
		release(cl, cn);
	}
	if (call->chunk) {
		/* any remaining bytes were delivered by on_chunk */
		finish(call, status, NULL, 0, NULL);
		return;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	char *body = malloc(n + 1);
	if (!body) {
		finish(call, 0, NULL, 0, "out of memory");
		return;
	}
	if (n && evbuffer_copyout(in, body, n) != (ev_ssize_t)n) {
		free(body);
		finish(call, 0, NULL, 0, "cannot read the response");
		return;
	}
	body[n] = '\0';
	finish(call, status, body, n, NULL);
	free(body);
}

static enum evhttp_cmd_type cmd_of(const char *m)
{
	if (strcmp(m, "POST") == 0)
		return EVHTTP_REQ_POST;
	if (strcmp(m, "PUT") == 0)
		return EVHTTP_REQ_PUT;
	if (strcmp(m, "DELETE") == 0)
		return EVHTTP_REQ_DELETE;
	if (strcmp(m, "PATCH") == 0)
		return EVHTTP_REQ_PATCH;
	return EVHTTP_REQ_GET;
}

/* Sends the call on cn. 0, or -errno (cn untouched by the call then). */
static int launch(struct md_call *call, struct md_conn *cn)
{
	struct md_client *cl = call->cl;
	struct evhttp_request *req = evhttp_request_new(on_done, call);
	char uri[NODE_URL_MAX + 4096];
	if (!req)
		return -ENOMEM;
	if (SFMT(uri, "%s%s", cl->prefix, call->path) < 0) {
		evhttp_request_free(req);
		return -E2BIG;
	}
	evhttp_request_set_error_cb(req, on_error);
	if (call->chunk)
		evhttp_request_set_chunked_cb(req, on_chunk);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", cl->host_hdr);
	evhttp_add_header(h, "User-Agent", "gkeid-node/0.1");
	evhttp_add_header(h, "Accept", "application/json");
	if (call->bearer) {
		char *auth = malloc(strlen(call->bearer) + 8);
		if (!auth) {
			evhttp_request_free(req);
			return -ENOMEM;
		}
		sprintf(auth, "Bearer %s", call->bearer);
		evhttp_add_header(h, "Authorization", auth);
		free(auth);
	}
	if (call->ctype)
		evhttp_add_header(h, "Content-Type", call->ctype);
	if (call->body_len || cmd_of(call->method) == EVHTTP_REQ_POST ||
	    cmd_of(call->method) == EVHTTP_REQ_PUT) {
		char cl_len[32];
		if (SFMT(cl_len, "%zu", call->body_len) < 0) {
			evhttp_request_free(req);
			return -E2BIG;
		}
		evhttp_add_header(h, "Content-Length", cl_len);
		if (call->body_len && evbuffer_add(evhttp_request_get_output_buffer(req),
						   call->body, call->body_len)) {
			evhttp_request_free(req);
			return -ENOMEM;
		}
	}
	evhttp_connection_set_timeout(cn->evcon, call->timeout_s > 0 ? call->timeout_s : 10);
	evhttp_connection_set_max_body_size(
		cn->evcon, call->chunk ? -1 : (ev_ssize_t)(call->cap ? call->cap : 1 << 20));
	cn->call = call;
	call->conn = cn;
	call->req = req;
	if (evhttp_make_request(cn->evcon, req, cmd_of(call->method), uri) != 0) {
		/* the request is on no queue now; libevent did not free it */
		cn->call = NULL;
		call->conn = NULL;
		call->req = NULL;
		return -ECONNREFUSED;
	}
	/* TLS writes a request as several records: without TCP_NODELAY, Nagle holds the
	 * last one for the peer's delayed ACK (40 ms a call) */
	struct bufferevent *bev = evhttp_connection_get_bufferevent(cn->evcon);
	evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
	if (fd >= 0) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return 0;
}

static void on_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct md_call *call = arg;
	(void)fd, (void)what;
	char msg[sizeof(call->deferred_error)];
	snprintf(msg, sizeof(msg), "%s", call->deferred_error);
	finish(call, 0, NULL, 0, msg);
}

/* Fails a call that never reached libevent, from the loop (never synchronously). */
static void fail_later(struct md_call *call, const char *why)
{
	snprintf(call->deferred_error, sizeof(call->deferred_error), "%s", why);
	if (!call->defer)
		call->defer = event_new(call->cl->base, -1, 0, on_deferred, call);
	if (call->defer)
		event_active(call->defer, EV_TIMEOUT, 1);
}

/* Starts call on an idle or new connection; queues it when the pool is full. */
static void dispatch(struct md_call *call)
{
	struct md_client *cl = call->cl;
	for (;;) {
		struct md_conn *cn = cl->idle;
		if (cn) {
			cl->idle = cn->next;
			cl->n_idle--;
			cn->next = NULL;
			if (cn->dead) {
				bury(cn);
				continue;
			}
		} else if (cl->n_conns < MAX_CONNS) {
			cn = conn_new(cl);
			if (!cn) {
				fail_later(call, "out of memory");
				return;
			}
		} else {
			if (cl->n_queued >= MAX_QUEUED) {
				fail_later(call, "too many requests queued for the upstream");
				return;
			}
			call->queued = 1;
			call->qnext = NULL;
			if (cl->q_tail)
				cl->q_tail->qnext = call;
			else
				cl->q_head = call;
			cl->q_tail = call;
			cl->n_queued++;
			return;
		}
		int rc = launch(call, cn);
		if (rc == 0)
			return;
		bury(cn);
		char why[NODE_URL_MAX + 2400];
		describe(call, 1, why, sizeof(why));
		fail_later(call, why);
		return;
	}
}

static void start_next(struct md_client *cl)
{
	while (cl->q_head && (cl->idle || cl->n_conns < MAX_CONNS)) {
		struct md_call *call = cl->q_head;
		cl->q_head = call->qnext;
		if (!cl->q_head)
			cl->q_tail = NULL;
		cl->n_queued--;
		call->queued = 0;
		dispatch(call);
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int md_client_call(struct md_client *cl, const struct md_req *rq, md_done_fn done, void *arg,
		   struct md_call **out)
{
	struct md_call *call;
	if (out)
		*out = NULL;
	if (!cl || !rq || !rq->method || !rq->path || rq->path[0] != '/' || strlen(rq->path) > 4000)
		return -EINVAL;
	call = calloc(1, sizeof(*call));
	if (!call)
		return -ENOMEM;
	call->cl = cl;
	call->done = done;
	call->arg = arg;
	call->chunk = rq->chunk;
	call->cap = rq->cap;
	call->timeout_s = rq->timeout_s > 0 ? rq->timeout_s : 10;
	call->start_us = md_mono_us();
	call->method = strdup(rq->method);
	call->path = strdup(rq->path);
	call->ctype = dup_or_null(rq->ctype);
	call->bearer = dup_or_null(rq->bearer && *rq->bearer ? rq->bearer : NULL);
	if (rq->body_len) {
		call->body = malloc(rq->body_len);
		if (call->body)
			memcpy(call->body, rq->body, rq->body_len);
		call->body_len = rq->body_len;
	}
	if (!call->method || !call->path || (rq->ctype && !call->ctype) ||
	    (rq->bearer && *rq->bearer && !call->bearer) || (rq->body_len && !call->body)) {
		call_free(call);
		return -ENOMEM;
	}
	call->next = cl->calls;
	if (cl->calls)
		cl->calls->pprev = &call->next;
	call->pprev = &cl->calls;
	cl->calls = call;
	if (out)
		*out = call;
	dispatch(call);
	return 0;
}

void md_call_cancel(struct md_call *call)
{
	if (!call)
		return;
	struct md_client *cl = call->cl;
	call->done = NULL;
	if (call->in_chunk) {
		call->cancelled = 1; /* on_chunk ends it when the callback returns */
		return;
	}
	if (call->queued) {
		struct md_call **pp = &cl->q_head, *prev = NULL;
		while (*pp && *pp != call) {
			prev = *pp;
			pp = &(*pp)->qnext;
		}
		if (*pp) {
			*pp = call->qnext;
			if (cl->q_tail == call)
				cl->q_tail = prev;
			cl->n_queued--;
		}
	} else if (call->req) {
		struct md_conn *cn = call->conn;
		call->cancelled = 1;
		if (cn)
			cn->dead = 1;
		evhttp_cancel_request(call->req);
		call->req = NULL;
		if (cn)
			release(cl, cn);
	}
	call_free(call);
}

int md_client_url(const struct md_client *c, const char *path, char *out, size_t len)
{
	return sfmt(out, len, "%s%s", c->base_url, path ? path : "");
}

int md_client_new(struct event_base *base, struct evdns_base *dns, const char *base_url,
		  SSL_CTX *tls, struct md_client **out)
{
	struct md_client *cl;
	struct evhttp_uri *u = NULL;
	int rc = -EINVAL;
	*out = NULL;
	if (!base || !base_url || strlen(base_url) >= NODE_URL_MAX)
		return -EINVAL;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->base = base;
	cl->dns = dns;
	u = evhttp_uri_parse(base_url);
	if (!u)
		goto out;
	const char *scheme = evhttp_uri_get_scheme(u), *host = evhttp_uri_get_host(u);
	const char *path = evhttp_uri_get_path(u);
	if (!scheme || !host || !*host || strlen(host) >= sizeof(cl->host) ||
	    evhttp_uri_get_query(u) || evhttp_uri_get_userinfo(u))
		goto out;
	if (strcmp(scheme, "https") == 0)
		cl->https = 1;
	else if (strcmp(scheme, "http") != 0)
		goto out;
	if (cl->https && !tls)
		goto out;
	int port = evhttp_uri_get_port(u);
	cl->port = port > 0 ? port : (cl->https ? 443 : 80);
	if (SFMT(cl->host, "%s", host) < 0)
		goto out;
	if (cl->host[0] == '[') { /* libevent keeps IPv6 brackets */
		size_t l = strlen(cl->host);
		if (l < 3 || cl->host[l - 1] != ']')
			goto out;
		memmove(cl->host, cl->host + 1, l - 2);
		cl->host[l - 2] = '\0';
	}
	if ((port > 0 ? SFMT(cl->host_hdr, "%s:%d", host, port) : SFMT(cl->host_hdr, "%s", host)) <
		    0 ||
	    SFMT(cl->prefix, "%s", path ? path : "") < 0)
		goto out;
	size_t pl = strlen(cl->prefix);
	while (pl > 0 && cl->prefix[pl - 1] == '/')
		cl->prefix[--pl] = '\0';
	if (SFMT(cl->base_url, "%s://%s%s", cl->https ? "https" : "http", cl->host_hdr,
		 cl->prefix) < 0)
		goto out;
	cl->reaper = event_new(base, -1, 0, on_reap, cl);
	if (!cl->reaper) {
		rc = -ENOMEM;
		goto out;
	}
	if (cl->https) {
		SSL_CTX_up_ref(tls);
		cl->tls = tls;
	}
	*out = cl;
	cl = NULL;
	rc = 0;
out:
	if (u)
		evhttp_uri_free(u);
	if (cl) {
		if (cl->reaper)
			event_free(cl->reaper);
		free(cl);
	}
	return rc;
}

void md_client_free(struct md_client *cl)
{
	if (!cl)
		return;
	while (cl->calls) {
		struct md_call *call = cl->calls;
		call->done = NULL;
		if (call->req && call->conn) {
			call->conn->dead = 1;
			call->conn->call = NULL;
			evhttp_cancel_request(call->req);
			bury(call->conn);
		}
		call_free(call);
	}
	while (cl->idle) {
		struct md_conn *cn = cl->idle;
		cl->idle = cn->next;
		bury(cn);
	}
	on_reap(-1, 0, cl);
	event_free(cl->reaper);
	if (cl->tls)
		SSL_CTX_free(cl->tls);
	free(cl);
}

SSL_CTX *md_tls_ctx(const char *ca_file, const char *cert, const char *key, char *err,
		    size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (ca_file && *ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			snprintf(err, errlen, "cannot load the CA certificates in %s", ca_file);
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(err, errlen, "cannot load the system CA certificates");
		goto fail;
	}
	if (cert && *cert) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
			snprintf(err, errlen, "cannot load the client certificate %s", cert);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key && *key ? key : cert, SSL_FILETYPE_PEM) !=
			    1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			snprintf(err, errlen, "cannot load the client key %s",
				 key && *key ? key : cert);
			goto fail;
		}
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
