/*
 * httpconn.c - connection limits for evhttp servers (see httpconn.h): per-connection
 * states and deadlines, one process-wide budget with the oldest waiting connection
 * closed for a new one, and accept() errors that pause a listener instead of spinning.
 *
 * evhttp tells a server nothing when it accepts a connection, so the guard learns of it
 * through the bufferevent callback (called inside evhttp's accept path) and finishes the
 * job from an event activated there, which runs before any I/O of the new connection:
 * by then evhttp has made the connection and made itself the bufferevent's callback
 * argument. A reference on the bufferevent keeps that check safe if evhttp failed and
 * freed it in between.
 */
#include "core/httpconn.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event_struct.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/http.h"

#define HEADROOM_MIN 64	   /* descriptors kept for the store, outgoing calls, listeners */
#define BACKOFF_FIRST_MS 5 /* Go's http.Server.Serve: 5 ms, doubling, at most 1 s */
#define BACKOFF_MAX_MS 1000
#define SHED_MAX 64 /* connections refused per accept failure */
#define LOG_EVERY_S 10

enum cstate { C_HANDSHAKE, C_HEADER, C_ACTIVE, C_IDLE };
enum note { N_EVICT, N_REFUSE, N_HANDSHAKE, N_HEADER, N_ACCEPT, N_COUNT };

struct conn {
	struct http_guard *g;
	struct bufferevent *bev;
	struct evhttp_connection *evcon;
	SSL *ssl;
	struct evbuffer_cb_entry *in_cb;
	struct event timer;
	enum cstate st;
	struct conn *older, *newer; /* the waiting list (HANDSHAKE, HEADER, IDLE), oldest first */
	struct conn *hnext;	    /* hash chain (by evcon) */
	struct conn *pnext;	    /* admission queue */
	void (*user_cb)(struct evhttp_connection *, void *);
	void *user_arg;
};

#define PAUSE_BUDGET 1	/* until the connections accepted so far are admitted */
#define PAUSE_BACKOFF 2 /* after an accept() failure, until resume_ev */
struct bound {
	struct evhttp_bound_socket *h;
	int paused; /* PAUSE_* bits */
	struct bound *next;
};

struct http_guard {
	struct event_base *base;
	struct evhttp *http;
	struct http_limits lim;
	char name[64];
	FILE *log;
	http_gencb gencb;
	void *gencb_arg;
	http_bevcb bevcb;
	void *bevcb_arg;
	struct event *admit_ev, *resume_ev;
	struct conn *pending, **pending_tail;
	struct bound *bounds;
	int64_t backoff_ms;
	time_t logged[N_COUNT];
	uint64_t unlogged[N_COUNT];
	struct http_guard *next;
};

/* The process's state: one descriptor table, one budget. */
static struct {
	long budget;
	struct conn *oldest, *newest; /* the waiting list */
	struct conn **buckets;
	size_t n_buckets, n_conns;
	size_t n_pending; /* accepted, not admitted yet */
	int reserve_fd;
	struct http_guard *guards;
	struct http_conn_stats st;
} P = {.reserve_fd = -1};

void http_limits_resolve(struct http_limits *lim, const struct http_limits *d)
{
	static const struct http_limits std = {HTTP_HANDSHAKE_MS, HTTP_HEADER_MS, HTTP_IDLE_MS,
					       HTTP_IO_MS, 0};
	if (!d)
		d = &std;
	if (lim->handshake_ms <= 0)
		lim->handshake_ms = d->handshake_ms > 0 ? d->handshake_ms : std.handshake_ms;
	if (lim->header_ms <= 0)
		lim->header_ms = d->header_ms > 0 ? d->header_ms : std.header_ms;
	if (lim->idle_ms <= 0)
		lim->idle_ms = d->idle_ms > 0 ? d->idle_ms : std.idle_ms;
	if (lim->io_ms <= 0)
		lim->io_ms = d->io_ms > 0 ? d->io_ms : std.io_ms;
}

long http_conn_set_budget(long max)
{
	struct rlimit rl;
	long limit = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		limit = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 24)
				? (1l << 24)
				: (long)rl.rlim_cur;
	long headroom = limit / 8 > HEADROOM_MIN ? limit / 8 : HEADROOM_MIN;
	long derived = limit > 2 * headroom ? limit - headroom : limit / 2;
	if (derived < 1)
		derived = 1;
	P.budget = max > 0 && max < derived ? max : derived;
	return P.budget;
}

long http_conn_budget(void)
{
	return P.budget;
}

void http_conn_stats(struct http_conn_stats *s)
{
	*s = P.st;
	s->open = (long)P.n_conns;
	s->budget = P.budget;
}

static struct timeval ms_tv(int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	return tv;
}

static void note(struct http_guard *g, enum note kind, const char *detail)
{
	static const char *const what[N_COUNT] = {
		"connection(s) closed to make room for new ones",
		"new connection(s) refused: every connection is serving a request",
		"TLS handshake(s) not done in time, closed",
		"request header(s) not read in time, closed",
		"accept failure(s), accepting paused",
	};
	g->unlogged[kind]++;
	time_t now = time(NULL);
	if (!g->log || (g->logged[kind] && now - g->logged[kind] < LOG_EVERY_S))
		return;
	fprintf(g->log, "%s: %llu %s%s%s (%zu connections open, budget %ld)\n", g->name,
		(unsigned long long)g->unlogged[kind], what[kind], detail ? ": " : "",
		detail ? detail : "", P.n_conns, P.budget);
	g->unlogged[kind] = 0;
	g->logged[kind] = now;
}

/* --- connections by evhttp connection --- */

static size_t slot(const struct evhttp_connection *evcon, size_t n)
{
	uintptr_t x = (uintptr_t)evcon;
	x ^= x >> 17;
	x *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 7) & (n - 1);
}

static int hash_put(struct conn *c)
{
	if (P.n_conns >= P.n_buckets) {
		size_t n = P.n_buckets ? P.n_buckets * 2 : 256;
		struct conn **b = calloc(n, sizeof(*b));
		if (!b) {
			if (!P.n_buckets)
				return -ENOMEM;
		} else {
			for (size_t i = 0; i < P.n_buckets; i++)
				while (P.buckets[i]) {
					struct conn *x = P.buckets[i];
					P.buckets[i] = x->hnext;
					size_t s = slot(x->evcon, n);
					x->hnext = b[s];
					b[s] = x;
				}
			free(P.buckets);
			P.buckets = b;
			P.n_buckets = n;
		}
	}
	size_t s = slot(c->evcon, P.n_buckets);
	c->hnext = P.buckets[s];
	P.buckets[s] = c;
	P.n_conns++;
	return 0;
}

static struct conn *hash_get(const struct evhttp_connection *evcon)
{
	if (!evcon || !P.n_buckets)
		return NULL;
	struct conn *c = P.buckets[slot(evcon, P.n_buckets)];
	while (c && c->evcon != evcon)
		c = c->hnext;
	return c;
}

static void hash_del(struct conn *c)
{
	struct conn **pp = &P.buckets[slot(c->evcon, P.n_buckets)];
	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp) {
		*pp = c->hnext;
		P.n_conns--;
	}
}

/* --- the waiting list and the states --- */

static void unlink_waiting(struct conn *c)
{
	if (c->older)
		c->older->newer = c->newer;
	else if (P.oldest == c)
		P.oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else if (P.newest == c)
		P.newest = c->older;
	c->older = c->newer = NULL;
}

static void enter(struct conn *c, enum cstate st)
{
	const struct http_limits *lim = &c->g->lim;
	c->st = st;
	event_del(&c->timer);
	unlink_waiting(c);
	if (st == C_ACTIVE)
		return;
	c->older = P.newest;
	if (P.newest)
		P.newest->newer = c;
	else
		P.oldest = c;
	P.newest = c;
	struct timeval tv = ms_tv(st == C_HANDSHAKE ? lim->handshake_ms
				  : st == C_HEADER  ? lim->header_ms
						    : lim->idle_ms);
	event_add(&c->timer, &tv);
}

/* Forgets c (its connection is closing). */
static void drop(struct conn *c)
{
	event_del(&c->timer);
	unlink_waiting(c);
	hash_del(c);
	if (c->in_cb)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->in_cb);
	if (c->ssl) {
		SSL_set_info_callback(c->ssl, NULL);
		SSL_set_app_data(c->ssl, NULL);
	}
	free(c);
}

static void on_close(struct evhttp_connection *evcon, void *arg)
{
	struct conn *c = arg;
	if (c->user_cb)
		c->user_cb(evcon, c->user_arg);
	drop(c);
}

void http_conn_set_closecb(struct evhttp_connection *evcon,
			   void (*cb)(struct evhttp_connection *, void *), void *arg)
{
	struct conn *c = hash_get(evcon);
	if (!c) {
		evhttp_connection_set_closecb(evcon, cb, arg);
		return;
	}
	c->user_cb = cb;
	c->user_arg = cb ? arg : NULL;
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	(void)fd, (void)what;
	if (c->st == C_HANDSHAKE) {
		P.st.handshake_timeouts++;
		note(c->g, N_HANDSHAKE, NULL);
	} else if (c->st == C_HEADER) {
		P.st.header_timeouts++;
		note(c->g, N_HEADER, NULL);
	} else {
		P.st.idle_timeouts++;
	}
	/* no handler holds a request of a waiting connection: evhttp's own timeout frees
	 * it the same way (the close callback then drops c) */
	evhttp_connection_free(c->evcon);
}

/* Bytes arrived: an idle connection starts its next request's header deadline. */
static void on_input(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *c = arg;
	(void)b;
	if (info->n_added && c->st == C_IDLE)
		enter(c, C_HEADER);
}

static void on_ssl_info(const SSL *ssl, int where, int ret)
{
	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_DONE))
		return;
	struct conn *c = SSL_get_app_data(ssl);
	if (c && c->st == C_HANDSHAKE)
		enter(c, C_HEADER);
}

static void on_complete(struct evhttp_request *req, void *arg)
{
	(void)req;
	enter(arg, C_IDLE);
}

/* A request answered outside evhttp (httpconn.h): as on_request and on_complete would
 * have it. The guard's input callback has already run for the request's bytes (libevent
 * runs a buffer's callbacks newest first, and the guard adds its own at admission, after
 * the bufferevent maker's). */
void http_conn_answered(struct evhttp_connection *evcon, int writing)
{
	struct conn *c = hash_get(evcon);
	if (!c)
		return;
	if (writing)
		enter(c, C_ACTIVE);
	else /* bytes of a next request already in: its header deadline runs from now */
		enter(c, evbuffer_get_length(bufferevent_get_input(c->bev)) ? C_HEADER : C_IDLE);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct http_guard *g = arg;
	struct conn *c = hash_get(evhttp_request_get_connection(req));
	if (c) {
		enter(c, C_ACTIVE);
		evhttp_request_set_on_complete_cb(req, on_complete, c);
	}
	g->gencb(req, g->gencb_arg);
}

/* Over budget: closes the connection that has waited longest (c itself when every other
 * one is serving a request). */
static void make_room(struct conn *c)
{
	while ((long)P.n_conns > P.budget && P.oldest) {
		struct conn *v = P.oldest;
		if (v == c) {
			P.st.refused++;
			note(c->g, N_REFUSE, NULL);
		} else {
			P.st.evicted++;
			note(c->g, N_EVICT, NULL);
		}
		evhttp_connection_free(v->evcon);
		if (v == c)
			return;
	}
}

static void pause_listeners(struct http_guard *g, int why)
{
	for (struct bound *b = g->bounds; b; b = b->next) {
		if (!b->paused)
			evconnlistener_disable(evhttp_bound_socket_get_listener(b->h));
		b->paused |= why;
	}
}

static void resume_listeners(struct http_guard *g, int why)
{
	for (struct bound *b = g->bounds; b; b = b->next) {
		if (!(b->paused & why))
			continue;
		b->paused &= ~why;
		if (!b->paused)
			evconnlistener_enable(evhttp_bound_socket_get_listener(b->h));
	}
}

static void admit(struct http_guard *g, struct conn *c)
{
	void *arg = NULL;
	P.n_pending--;
	bufferevent_getcb(c->bev, NULL, NULL, NULL, &arg);
	struct evhttp_connection *evcon = arg;
	/* evhttp gave up on the connection (and freed it) before it was ours */
	int gone = !evcon || evhttp_connection_get_bufferevent(evcon) != c->bev;
	bufferevent_decref(c->bev);
	if (gone) {
		free(c);
		return;
	}
	c->evcon = evcon;
	if (hash_put(c) != 0) {
		free(c);
		return;
	}
	event_assign(&c->timer, g->base, -1, 0, on_deadline, c);
	evhttp_connection_set_closecb(evcon, on_close, c);
	c->in_cb = evbuffer_add_cb(bufferevent_get_input(c->bev), on_input, c);
	/* The deadlines replace evhttp's read timeout, which would close an idle keep-alive
	 * connection, or an idle watch stream, on its own clock; the write timeout stays. */
	struct timeval io = ms_tv(g->lim.io_ms);
	bufferevent_set_timeouts(c->bev, NULL, &io);
	c->ssl = bufferevent_openssl_get_ssl(c->bev);
	if (c->ssl) {
		SSL_set_app_data(c->ssl, c);
		SSL_set_info_callback(c->ssl, on_ssl_info);
	}
	enter(c, c->ssl ? C_HANDSHAKE : C_HEADER);
	make_room(c);
}

static void on_admit(evutil_socket_t fd, short what, void *arg)
{
	struct http_guard *g = arg;
	(void)fd, (void)what;
	while (g->pending) {
		struct conn *c = g->pending;
		g->pending = c->pnext;
		if (!g->pending)
			g->pending_tail = &g->pending;
		c->pnext = NULL;
		admit(g, c);
	}
	resume_listeners(g, PAUSE_BUDGET);
}

static struct bufferevent *on_new_bev(struct event_base *base, void *arg)
{
	struct http_guard *g = arg;
	/* evhttp's own choice for plain sockets: it closes the descriptor itself */
	struct bufferevent *bev =
		g->bevcb ? g->bevcb(base, g->bevcb_arg) : bufferevent_socket_new(base, -1, 0);
	if (!bev)
		return NULL;
	P.st.accepted++;
	g->backoff_ms = 0;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return bev; /* served, unguarded */
	c->g = g;
	c->bev = bev;
	bufferevent_incref(bev);
	*g->pending_tail = c;
	g->pending_tail = &c->pnext;
	P.n_pending++;
	event_active(g->admit_ev, EV_TIMEOUT, 0);
	/* evconnlistener accepts all the backlog in one go: past the budget, it stops
	 * here until admission has made room, so a burst cannot take the headroom */
	if ((long)(P.n_conns + P.n_pending) >= P.budget)
		pause_listeners(g, PAUSE_BUDGET);
	return bev;
}

/* --- listeners --- */

static struct bound *bound_of(const struct evconnlistener *lev, struct http_guard **gp)
{
	for (struct http_guard *g = P.guards; g; g = g->next)
		for (struct bound *b = g->bounds; b; b = b->next)
			if (evhttp_bound_socket_get_listener(b->h) == lev) {
				*gp = g;
				return b;
			}
	return NULL;
}

/* Closes what waits in the backlog, through the reserved descriptor: the clients learn
 * now that there is no room, instead of waiting in the queue. */
static void shed(evutil_socket_t lfd)
{
	if (P.reserve_fd < 0)
		return;
	close(P.reserve_fd);
	P.reserve_fd = -1;
	for (int i = 0; i < SHED_MAX; i++) {
		int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			break;
		close(s);
		P.st.shed++;
	}
	P.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void on_accept_error(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct http_guard *g = NULL;
	(void)arg;
	P.st.accept_errors++;
	struct bound *b = bound_of(lev, &g);
	if (!b)
		return;
	if (err == EMFILE || err == ENFILE)
		shed(evconnlistener_get_fd(lev));
	if (!b->paused)
		evconnlistener_disable(lev);
	b->paused |= PAUSE_BACKOFF;
	g->backoff_ms = g->backoff_ms ? g->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (g->backoff_ms > BACKOFF_MAX_MS)
		g->backoff_ms = BACKOFF_MAX_MS;
	struct timeval tv = ms_tv(g->backoff_ms);
	evtimer_add(g->resume_ev, &tv);
	note(g, N_ACCEPT, strerror(err));
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	resume_listeners(arg, PAUSE_BACKOFF);
}

struct evhttp_bound_socket *http_guard_bind(struct http_guard *g, const char *addr, int port,
					    int *bound_port)
{
	errno = 0;
	struct evhttp_bound_socket *h =
		evhttp_bind_socket_with_handle(g->http, addr, (ev_uint16_t)port);
	if (!h) {
		if (!errno)
			errno = EADDRINUSE;
		return NULL;
	}
	evutil_socket_t fd = evhttp_bound_socket_get_fd(h);
	int rc = http_listener_setup(fd);
	struct bound *b = rc ? NULL : calloc(1, sizeof(*b));
	if (!b) {
		evhttp_del_accept_socket(g->http, h);
		errno = rc ? -rc : ENOMEM;
		return NULL;
	}
	b->h = h;
	b->next = g->bounds;
	g->bounds = b;
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(h), on_accept_error);
	if (bound_port) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		*bound_port = port;
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			*bound_port = ntohs(ss.ss_family == AF_INET
						    ? ((struct sockaddr_in *)&ss)->sin_port
						    : ((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return h;
}

void http_guard_unbind(struct http_guard *g, struct evhttp_bound_socket *h)
{
	for (struct bound **pp = &g->bounds; *pp; pp = &(*pp)->next)
		if ((*pp)->h == h) {
			struct bound *b = *pp;
			*pp = b->next;
			free(b);
			break;
		}
	evhttp_del_accept_socket(g->http, h);
}

/* --- the guard --- */

struct http_guard *http_guard_new(struct event_base *base, struct evhttp *http,
				  const struct http_limits *lim, const char *name, http_gencb gencb,
				  void *gencb_arg, http_bevcb bevcb, void *bevcb_arg)
{
	struct http_guard *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->base = base;
	g->http = http;
	if (lim)
		g->lim = *lim;
	http_limits_resolve(&g->lim, NULL);
	snprintf(g->name, sizeof(g->name), "%s", name ? name : "http");
	g->gencb = gencb;
	g->gencb_arg = gencb_arg;
	g->bevcb = bevcb;
	g->bevcb_arg = bevcb_arg;
	g->pending_tail = &g->pending;
	g->admit_ev = event_new(base, -1, 0, on_admit, g);
	g->resume_ev = evtimer_new(base, on_resume, g);
	if (!g->admit_ev || !g->resume_ev) {
		if (g->admit_ev)
			event_free(g->admit_ev);
		if (g->resume_ev)
			event_free(g->resume_ev);
		free(g);
		return NULL;
	}
	if (!P.budget)
		http_conn_set_budget(0);
	if (P.reserve_fd < 0)
		P.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	g->next = P.guards;
	P.guards = g;
	struct timeval io = ms_tv(g->lim.io_ms);
	evhttp_set_timeout_tv(http, &io);
	evhttp_set_gencb(http, on_request, g);
	evhttp_set_bevcb(http, on_new_bev, g);
	return g;
}

void http_guard_set_log(struct http_guard *g, FILE *log)
{
	g->log = log;
}

void http_guard_free(struct http_guard *g)
{
	if (!g)
		return;
	while (g->pending) { /* accepted, never admitted: evhttp has let them go */
		struct conn *c = g->pending;
		g->pending = c->pnext;
		P.n_pending--;
		bufferevent_decref(c->bev);
		free(c);
	}
	while (g->bounds) {
		struct bound *b = g->bounds;
		g->bounds = b->next;
		free(b);
	}
	event_free(g->admit_ev);
	event_free(g->resume_ev);
	for (struct http_guard **pp = &P.guards; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	free(g);
	if (!P.guards) {
		if (P.reserve_fd >= 0)
			close(P.reserve_fd);
		P.reserve_fd = -1;
		if (!P.n_conns) {
			free(P.buckets);
			P.buckets = NULL;
			P.n_buckets = 0;
		}
	}
}
