/*
 * mdfast.c - the metadata listener's fast path (issue 13): a pod's cached access token
 * read, parsed and answered in the loop turn that read it, with one send() of bytes
 * written into one preallocated buffer, and no allocation of gkeid's.
 *
 * How. The guard's bufferevent maker (md_fast_bevcb) gives evhttp the socket
 * bufferevent it would have had, with one evbuffer callback on its input: libevent runs
 * it as a read adds bytes, before evhttp's read callback. When evhttp has nothing of the
 * connection in hand (every request it was given answered, nothing of a reply unsent)
 * and the bytes begin with a head that mdh1.c calls fast, and the pod, its NetworkPolicy
 * verdict, its KSA and its token are all in the caches, the callback answers at once
 * (mdh1_token_reply into one preallocated buffer, then send) and drains the head. All
 * else (another request, a partial head, a pod not known yet, a token to fetch, a
 * dropped pod, a body) stays in the buffer for evhttp, and metadata.c's state machine
 * answers it as before, so every other response stays byte for byte what it was. The
 * fast answer is the state machine's all-synchronous run (mdreq.h: START GATE PARSE
 * ROUTE POD HOLD KSA ANSWER DONE), with the same checks in the same order and the same
 * counters.
 *
 * The connection guard (core/httpconn.c: deadlines, the connection budget) sees the
 * bytes of every request arrive, and this file reports each answer to it
 * (http_conn_answered), so a connection served here keeps the guard's deadlines as one
 * served by evhttp does: idle between requests (closed quietly after the idle timeout),
 * a header deadline while a request's bytes come in, none while an answer is written.
 *
 * Why not evhttp alone: its reply path waits a loop turn for EV_WRITE before every
 * write and allocates and formats every header; measured side by side (BENCHMARKS.md,
 * "issue 13's fast path"; wrk -t2 -c32, nginx 1 worker, 5 pairs, a loaded 2-core VM) the
 * node spent 23.9 us of CPU per cached token on evhttp's path (1.31x nginx's 18.2 us,
 * 0.82x nginx's rate) and 13.1-13.9 us on this one (0.64-0.79x nginx's; 0.95x and 1.23x
 * nginx's rate). Why not h2o (libh2o-evloop, 1.05x nginx in an earlier measurement): it
 * brings its own loop, and every module the answer needs (pods, KSAs, tokens,
 * NetworkPolicy, the client) runs on libevent, so it would mean a second thread and locks
 * around their caches, and a second implementation of every refusal, limit and drop
 * that evhttp and metadata.c give today. Why a reader in front of evhttp, not a whole
 * server of our own: the guard's budget and deadlines, evhttp's answers to malformed
 * input and metadata.c's every response stay one implementation, and the new code is
 * the one request it answers. (A bufferevent filter under evhttp was tried first:
 * libevent 2.1's filter does not flush output added while its EV_WRITE is off, which is
 * how evhttp writes, and evhttp then never answers.) libevent's socket read still
 * allocates its evbuffer chain; this file's code allocates nothing per request.
 */
#include "node/mdfast.h"

#include "core/httpconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "node/mdh1.h"
#include "node/mdreq.h"
#include "node/node.h"

#define OUT_MAX 16384 /* a token answer larger than this goes to evhttp */

struct mdfast {
	struct node *n;
	int64_t date_s;
	char date[MDH1_DATE_LEN + 1];
	uint64_t answered;
	char out[OUT_MAX];
};

/* The one node agent of the process: the input callback's argument is its bufferevent. */
static struct mdfast *the_fast;

/* --- addresses --- */

int md_addr_of_fd(int fd, int local, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (fd < 0)
		return -EINVAL;
	int rc = local ? getsockname(fd, (struct sockaddr *)&ss, &sl)
		       : getpeername(fd, (struct sockaddr *)&ss, &sl);
	if (rc != 0)
		return -errno;
	const void *a = NULL;
	int af = ss.ss_family;
	if (af == AF_INET) {
		a = &((const struct sockaddr_in *)&ss)->sin_addr;
	} else if (af == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
		a = &s6->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			af = AF_INET;
			a = &s6->sin6_addr.s6_addr[12];
		}
	} else {
		return -EAFNOSUPPORT;
	}
	return inet_ntop(af, a, out, (socklen_t)len) ? 0 : -EINVAL;
}

int md_addr_loopback(const char *addr)
{
	struct in_addr a;
	if (inet_pton(AF_INET, addr, &a) == 1)
		return (ntohl(a.s_addr) >> 24) == 127;
	return strcmp(addr, "::1") == 0;
}

int md_addr_self(const char *addr)
{
	return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0;
}

/* --- the answer --- */

/* The state machine's synchronous run for a cached token (mdreq.h); 0 when it ends in
 * DONE, as it must. */
static int walk_states(void)
{
	static const enum md_ev evs[] = {MD_EV_NEXT, MD_EV_KNOWN_POD, MD_EV_ALLOWED,
					 MD_EV_NEXT, MD_EV_NEED_POD,  MD_EV_NEXT,
					 MD_EV_NEXT, MD_EV_NEXT,      MD_EV_ANSWERED};
	struct md_sm sm = {.state = MD_S_NEW};
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		md_sm_next(&sm, evs[i]);
	return sm.state == MD_S_DONE ? 0 : -EINVAL;
}

/* One fast-path request on a connection: what answer() reads and writes. */
struct fast_req {
	struct mdfast *f;
	struct bufferevent *bev;
	void *evcon;
	struct md_fconn *fc;
	const char *addr;
	int fd;
};

/* The caller's pod and what its token needs, all cached: 0, or -EAGAIN (evhttp's turn).
 * Commits nothing. */
static int cached(const struct fast_req *fr, const char *acct, size_t al, struct md_pod *pod,
		  struct md_ksa *ksa, const char **tok, int64_t *exp)
{
	struct node *n = fr->f->n;
	if (n->stopping || md_nodecreds_gce_mode(n))
		return -EAGAIN;
	if ((n->cfg.listen == NODE_LISTEN_LOCAL && !md_addr_loopback(fr->addr)) ||
	    md_addr_self(fr->addr) || md_pods_find(n, fr->addr, pod) != 0 ||
	    md_faults_startup_wait_ms(n, pod) > 0 ||
	    md_ksa_cached(n, pod->ns, pod->sa, ksa, 0) != 0)
		return -EAGAIN;
	const char *email = ksa->gsa[0] ? ksa->gsa : n->pool;
	int known = (al == 7 && memcmp(acct, "default", 7) == 0) ||
		    (al == strlen(email) && memcmp(acct, email, al) == 0);
	if (!known || md_token_cached(n, pod, ksa, tok, exp, 0) != 0)
		return -EAGAIN;
	return 0;
}

/* evhttp's write callback again once a fast answer's tail is written (our write
 * callback, installed by tail(); evhttp's own replaces it if evhttp writes meanwhile). */
static void on_tail_written(struct bufferevent *bev, void *arg)
{
	struct md_fconn *fc;
	const char *addr;
	bufferevent_data_cb r;
	bufferevent_event_cb e;
	if (!the_fast || md_http_conn(the_fast->n, arg, &fc, &addr) != 0 || !fc->flushing)
		return;
	fc->flushing = 0;
	bufferevent_getcb(bev, &r, NULL, &e, NULL);
	bufferevent_setcb(bev, r, fc->evhttp_write, e, arg);
	bufferevent_disable(bev, EV_WRITE);
	http_conn_answered(arg, 0);
}

/* A slow reader: the answer's tail goes through the bufferevent's output, ahead of any
 * reply evhttp writes later; evhttp's write callback is held back until it is written
 * (evhttp would take that callback for the end of its own reply). */
static void tail(const struct fast_req *fr, const char *p, size_t len)
{
	bufferevent_data_cb r, w;
	bufferevent_event_cb e;
	void *arg;
	if (bufferevent_write(fr->bev, p, len) != 0)
		return;
	bufferevent_getcb(fr->bev, &r, &w, &e, &arg);
	if (w != on_tail_written) {
		fr->fc->evhttp_write = w;
		fr->fc->flushing = 1;
		bufferevent_setcb(fr->bev, r, on_tail_written, e, arg);
	}
	bufferevent_enable(fr->bev, EV_WRITE);
}

/* Answers the fast request r: 0, or -EAGAIN to leave it to evhttp. */
static int answer(const struct fast_req *fr, const struct mdh1_req *r)
{
	struct mdfast *f = fr->f;
	struct node *n = f->n;
	const char *acct, *tok;
	size_t al;
	int64_t exp, now = md_now_ms();
	struct md_pod pod;
	struct md_ksa ksa;
	if (r->flavor_len != 6 ||
	    memcmp(r->flavor, "Google", 6) != 0 ||
	    mdh1_token_account(r->target, r->target_len, &acct, &al) != 0 ||
	    cached(fr, acct, al, &pod, &ksa, &tok, &exp) != 0 || walk_states() != 0)
		return -EAGAIN;
	/* GATE: the kept verdict; any other is the state machine's to act on (a drop) */
	if (md_netpol_now(n, &pod) != 1)
		return -EAGAIN;
	int64_t s = now / 1000;
	if (s != f->date_s) {
		mdh1_date(s, f->date);
		f->date_s = s;
	}
	int64_t left = (exp - now) / 1000;
	int len = mdh1_token_reply(f->out, sizeof(f->out), f->date, tok, strlen(tok),
				   left < 0 ? 0 : left);
	if (len < 0)
		return -EAGAIN;
	/* the slow path's side effects, in its order: gate, prefetch, KSA, token, reply */
	n->m.netpol_allowed++;
	if (ksa.gsa[0]) /* unannotated: the federated token is the one just found fresh */
		md_token_prefetch(n, &pod);
	md_ksa_cached(n, pod.ns, pod.sa, &ksa, 1);
	md_token_cached(n, &pod, &ksa, &tok, &exp, 1);
	n->m.requests[1]++;
	f->answered++;
	ssize_t w = send(fr->fd, f->out, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0 && errno != EAGAIN && errno != EINTR)
		return 0; /* the peer is gone: evhttp sees it on its next read */
	if (w < len)
		tail(fr, f->out + (w > 0 ? w : 0), (size_t)(len - (w > 0 ? w : 0)));
	return 0;
}

/* Bytes were read into a connection's input (buf), before evhttp's read callback: the
 * fast requests at its head are answered and drained; the rest is evhttp's. */
static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct fast_req fr = {.f = the_fast, .bev = arg};
	if (!info->n_added || !fr.f)
		return;
	bufferevent_getcb(fr.bev, NULL, NULL, NULL, &fr.evcon);
	fr.fd = bufferevent_getfd(fr.bev);
	if (!fr.evcon || fr.fd < 0 || md_http_conn(fr.f->n, fr.evcon, &fr.fc, &fr.addr) != 0 ||
	    fr.fc->passed)
		return;
	while (evbuffer_get_length(buf)) {
		struct evbuffer_iovec v;
		struct mdh1_req r;
		int hl = -1;
		/* evhttp idle: every request it was given answered, its reply all written */
		if (!evbuffer_get_length(bufferevent_get_output(fr.bev)) &&
		    evbuffer_peek(buf, -1, NULL, &v, 1) >= 1)
			hl = mdh1_parse(v.iov_base, v.iov_len, &r);
		if (hl <= 0 || answer(&fr, &r) != 0) {
			fr.fc->passed = 1;
			return;
		}
		evbuffer_drain(buf, (size_t)hl);
		/* the guard's view: answered, or its tail being written */
		http_conn_answered(fr.evcon, evbuffer_get_length(bufferevent_get_output(fr.bev)) != 0);
	}
}

struct bufferevent *md_fast_bevcb(struct event_base *base, void *arg)
{
	(void)arg;
	/* what the guard makes without a bevcb: evhttp closes the descriptor itself */
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
	if (bev && !evbuffer_add_cb(bufferevent_get_input(bev), on_input, bev)) {
		bufferevent_free(bev);
		return NULL;
	}
	return bev;
}

uint64_t md_fast_answered(const struct mdfast *f)
{
	return f ? f->answered : 0;
}

struct mdfast *md_fast_new(struct node *n)
{
	struct mdfast *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->n = n;
	f->date_s = -1;
	the_fast = f;
	return f;
}

void md_fast_free(struct mdfast *f)
{
	if (f && the_fast == f)
		the_fast = NULL;
	free(f);
}
