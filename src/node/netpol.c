/*
 * netpol.c - NetworkPolicy egress from a pod to the metadata server, enforced by the
 * node as GKE's dataplane does. The NetworkPolicies of a namespace are read with a GET
 * (/apis/networking.k8s.io/v1/namespaces/NS/networkpolicies) and trusted --netpol-ttl
 * from the end of the read, never longer, so a change decides the requests made about
 * a TTL after it, however they come. To keep reads off the hot path, a tick every half
 * TTL reads again the namespaces in use (asked about in the last IDLE_MS); a request
 * waits for a read only when the namespace's policies are older than the TTL (its
 * first read, an idle namespace, a slow API server).
 *
 * Issue 15 (a verdict stale however long one waited): the policies were read again
 * only behind a request's answer, and a failed read counted as a fresh one. The Node
 * authorizer lets a node read a namespace's policies only while one of its pods is
 * there, so with pods that come and go (gkeid exec) the reads made between them were
 * refused, and the policies read before a change kept deciding. Now a refusal is not
 * an outage: the next request waits for its own read (its pod lets the node read), and
 * the tick stops until then. When the API server is away (no answer, 5xx, 429), the
 * last policies read decide for a TTL (never read: allowed), as before.
 *
 * A pod's verdict (kube/netpol.c's evaluator, for the address and port the cluster's
 * version and datapath give) is kept per pod uid and labels until the namespace's
 * policies change. Bounded: NS_MAX namespaces (least recently used go), VERDICT_SLOTS
 * verdicts, a capped response.
 */
#include "node/node.h"

#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"

#include "kube/netpol.h"

#define NS_MAX 256
#define VERDICT_SLOTS 1024
#define LIST_CAP (4u << 20)
#define IDLE_MS 30000 /* a namespace not asked about for this long is not read again */
#define TICK_MIN_MS 10

struct nwait {
	struct nwait *next;
	struct md_pod pod;
	md_netpol_fn fn;
	void *arg;
};

struct netpol;
struct nsent {
	struct netpol *np;
	char ns[64];
	json_t *items;	    /* the namespace's NetworkPolicies; NULL until first read */
	unsigned gen;	    /* changes whenever items change */
	int64_t read_ms;    /* the end of the last read that gave the policies (0: none) */
	int64_t tried_ms;   /* the end of the last read, whatever its result */
	int64_t outage_ms;  /* the end of the last read the API server failed (down, 5xx) */
	int64_t refused_ms; /* the end of the last read refused (the Node authorizer's 403
			     * once no pod of this node is in the namespace) */
	int64_t used_ms;
	int fetching, failing;
	struct nwait *waiters;
};

struct verdict {
	char uid[64];
	unsigned long labels_hash; /* of the labels and the destination */
	unsigned gen;
	int allowed;
};

struct netpol {
	struct node *n;
	struct nsent *ns[NS_MAX];
	size_t n_ns;
	unsigned gen;
	struct event *tick; /* reads again the namespaces in use; pending while any is */
	struct verdict slots[VERDICT_SLOTS];
};

void md_netpol_target(const struct node *n, const char **ip, int *port)
{
	const char *v = md_nodecreds_version(n), *dp = md_nodecreds_datapath(n);
	netpol_metadata_target(*v ? v : NULL, *dp ? dp : NULL, ip, port);
}

static unsigned long hash_str(const char *s)
{
	unsigned long h = 5381;
	for (; *s; s++)
		h = h * 33 ^ (unsigned char)*s;
	return h;
}

/* The verdict for pod under e's policies, from the cache or evaluated. */
static int verdict(struct netpol *np, struct nsent *e, const struct md_pod *pod)
{
	struct node *n = np->n;
	const char *ip;
	int port;
	/* the destination moves with the cluster's version and datapath: part of the key */
	md_netpol_target(n, &ip, &port);
	unsigned long lh = hash_str(pod->labels) ^ (hash_str(ip) * 31u + (unsigned long)port);
	struct verdict *v = &np->slots[(hash_str(pod->uid) ^ lh) % VERDICT_SLOTS];
	if (pod->uid[0] && strcmp(v->uid, pod->uid) == 0 && v->labels_hash == lh &&
	    v->gen == e->gen) {
		n->m.netpol_verdict_hits++;
		return v->allowed;
	}
	int allowed = 1;
	if (e->items && json_array_size(e->items) > 0) {
		char why[1400];
		json_t *labels = json_loads(pod->labels, 0, NULL);
		if (pod->labels_big)
			md_log(n, "pod %s/%s: labels too large to match NetworkPolicy selectors",
			       pod->ns, pod->name);
		struct netpol_dest d = {.ip = ip, .port = port, .protocol = "TCP"};
		allowed = netpol_egress_allowed(e->items, pod->ns, labels, &d, why, sizeof(why));
		json_decref(labels);
		if (!allowed)
			md_log(n, "pod %s/%s: egress to the metadata server %s:%d dropped: %s",
			       pod->ns, pod->name, ip, port, why);
	}
	snprintf(v->uid, sizeof(v->uid), "%s", pod->uid);
	v->labels_hash = lh;
	v->gen = e->gen;
	v->allowed = allowed;
	return allowed;
}

static void answer(struct netpol *np, struct nsent *e)
{
	struct nwait *w = e->waiters;
	e->waiters = NULL;
	while (w) {
		struct nwait *next = w->next;
		int ok = verdict(np, e, &w->pod);
		w->fn(w->arg, ok);
		free(w);
		w = next;
	}
}

static void on_list(void *arg, const struct md_resp *r)
{
	struct nsent *e = arg;
	struct netpol *np = e->np;
	struct node *n = np->n;
	md_metrics_upstream(n, MD_UP_KUBE, r);
	e->fetching = 0;
	json_t *j = r->status == 200 ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	json_t *items = json_object_get(j, "items");
	if (json_is_array(items)) {
		if (!e->items || !json_equal(e->items, items)) {
			json_decref(e->items);
			e->items = json_incref(items);
			e->gen = ++np->gen;
		}
		e->read_ms = md_now_ms();
		e->failing = 0;
	} else {
		if (!e->failing) { /* once per outage, not every TTL */
			if (r->status == 0)
				md_log(n, "NetworkPolicies of %s: %s; %s", e->ns, r->error,
				       e->items ? "the last ones read decide" : "egress allowed");
			else
				md_log(n, "NetworkPolicies of %s: HTTP %d: %.300s; %s", e->ns,
				       r->status, r->body,
				       e->items ? "the last ones read decide" : "egress allowed");
		}
		e->failing = 1;
		/* a refusal says nothing of the API server's health: the next request waits
		 * for its own read (its pod lets the node read), and the tick stops until
		 * then; an outage lets the last policies read decide for a TTL */
		if (r->status >= 400 && r->status < 500 && r->status != 429)
			e->refused_ms = md_now_ms();
		else
			e->outage_ms = md_now_ms();
	}
	e->tried_ms = md_now_ms();
	json_decref(j);
	answer(np, e); /* a failed read: the last policies read decide (none: allowed) */
}

static int fetch(struct nsent *e)
{
	struct node *n = e->np->n;
	char path[200];
	if (SFMT(path, "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies", e->ns) < 0)
		return -ENAMETOOLONG;
	struct md_req rq = {.method = "GET",
			    .path = path,
			    .bearer = n->kube_bearer[0] ? n->kube_bearer : NULL,
			    .cap = LIST_CAP,
			    .timeout_s = 5};
	int rc = md_client_call(n->kube, &rq, on_list, e, NULL);
	if (rc == 0) {
		e->fetching = 1;
		n->m.netpol_fetches++;
	}
	return rc;
}

static void ns_free(struct nsent *e)
{
	json_decref(e->items);
	free(e);
}

/* The entry of namespace ns, made (evicting the least recently used idle one) when
 * missing. NULL when none can be had. */
static struct nsent *ns_get(struct netpol *np, const char *ns)
{
	for (size_t i = 0; i < np->n_ns; i++)
		if (strcmp(np->ns[i]->ns, ns) == 0)
			return np->ns[i];
	if (strlen(ns) >= sizeof(np->ns[0]->ns))
		return NULL;
	if (np->n_ns == NS_MAX) {
		size_t victim = NS_MAX;
		for (size_t i = 0; i < np->n_ns; i++)
			if (!np->ns[i]->fetching && !np->ns[i]->waiters &&
			    (victim == NS_MAX || np->ns[i]->used_ms < np->ns[victim]->used_ms))
				victim = i;
		if (victim == NS_MAX)
			return NULL;
		ns_free(np->ns[victim]);
		np->ns[victim] = np->ns[--np->n_ns];
	}
	struct nsent *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->np = np;
	snprintf(e->ns, sizeof(e->ns), "%s", ns);
	e->gen = ++np->gen;
	np->ns[np->n_ns++] = e;
	return e;
}

static int64_t tick_ms(const struct node *n)
{
	int64_t t = n->cfg.netpol_ttl_ms / 2;
	return t < TICK_MIN_MS ? TICK_MIN_MS : t;
}

static void tick_add(struct netpol *np)
{
	int64_t t = tick_ms(np->n);
	struct timeval tv = {(time_t)(t / 1000), (suseconds_t)(t % 1000) * 1000};
	event_add(np->tick, &tv);
}

/* Reads again each namespace in use whose policies are half a TTL old, so that its
 * requests find them fresh; stays armed while some namespace is in use. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct netpol *np = arg;
	struct node *n = np->n;
	int64_t now = md_now_ms(), half = n->cfg.netpol_ttl_ms / 2;
	int in_use = 0;
	(void)fd, (void)what;
	if (n->stopping)
		return;
	for (size_t i = 0; i < np->n_ns; i++) {
		struct nsent *e = np->ns[i];
		if (now - e->used_ms >= IDLE_MS)
			continue;
		in_use = 1;
		if (e->refused_ms >= e->used_ms)
			continue; /* refused since the last request: that request's pod is gone */
		if (e->tried_ms && !e->fetching && now - e->tried_ms >= half)
			fetch(e); /* a failure to start is retried by the next tick */
	}
	if (in_use)
		tick_add(np);
}

/* Arms the tick unless it is pending (without one, requests hold for the reads). */
static void tick_arm(struct netpol *np)
{
	if (!np->tick)
		np->tick = evtimer_new(np->n->base, on_tick, np);
	if (np->tick && !evtimer_pending(np->tick, NULL))
		tick_add(np);
}

int md_netpol_now(struct node *n, const struct md_pod *pod)
{
	struct netpol *np = n->netpol;
	if (!np || n->stopping)
		return 1;
	struct nsent *e = ns_get(np, pod->ns);
	if (!e)
		return 1; /* the cache is full of namespaces in flight: not judged */
	int64_t now = md_now_ms();
	e->used_ms = now;
	if (n->cfg.netpol_ttl_ms > 0)
		tick_arm(np);
	int64_t ttl = n->cfg.netpol_ttl_ms;
	/* read less than a TTL ago and not refused since (a refusal: no pod of this node
	 * was left in the namespace, so this request's pod is new and its request waits
	 * for its own read); or the API server failed a read less than a TTL ago (then
	 * the last policies read decide, as they do for the requests held) */
	if ((e->read_ms && e->refused_ms <= e->read_ms && now - e->read_ms < ttl) ||
	    (e->outage_ms && now - e->outage_ms < ttl))
		return verdict(np, e, pod);
	/* never read, or read too long ago (the namespace was idle, the last read was
	 * refused, the API server is slow to answer the tick): md_netpol_check waits */
	return -EAGAIN;
}

void md_netpol_check(struct node *n, const struct md_pod *pod, md_netpol_fn fn, void *arg)
{
	int v = md_netpol_now(n, pod);
	if (v != -EAGAIN) {
		fn(arg, v);
		return;
	}
	struct netpol *np = n->netpol;
	struct nsent *e = ns_get(np, pod->ns);
	if (!e) {
		fn(arg, 1);
		return;
	}
	struct nwait *w = calloc(1, sizeof(*w));
	if (!w) {
		fn(arg, e->items ? verdict(np, e, pod) : 1);
		return;
	}
	w->pod = *pod;
	w->fn = fn;
	w->arg = arg;
	w->next = e->waiters;
	e->waiters = w;
	if (!e->fetching && fetch(e) != 0)
		answer(np, e);
}

int md_netpol_init(struct node *n)
{
	struct netpol *np = calloc(1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	np->n = n;
	n->netpol = np;
	return 0;
}

/* Calls in flight end with the kube client (freed first, without callbacks); waiters
 * are answered "allowed" so that their requests end. */
void md_netpol_free(struct node *n)
{
	struct netpol *np = n->netpol;
	if (!np)
		return;
	if (np->tick)
		event_free(np->tick);
	for (size_t i = 0; i < np->n_ns; i++) {
		struct nsent *e = np->ns[i];
		struct nwait *w = e->waiters;
		e->waiters = NULL;
		while (w) {
			struct nwait *next = w->next;
			w->fn(w->arg, 1);
			free(w);
			w = next;
		}
		ns_free(e);
	}
	free(np);
	n->netpol = NULL;
}
