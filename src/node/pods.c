/*
 * pods.c - the pods of this node, by address. A Kubernetes list+watch of
 * /api/v1/pods?fieldSelector=spec.nodeName=NODE (resumed from the last
 * resourceVersion, relisted after 410 Gone, retried with backoff while the API server
 * is away, keeping what it knew), and lookups that hold a request from an address no
 * pod has yet until the watch delivers that pod, or a bound passes. An address that two
 * live pods claim is refused, never answered with either identity.
 *
 * Every request starts with a lookup by address, so the live pods are indexed by each
 * of their addresses (by_ip: a chain of the pods that claim it, one pod but in a
 * conflict), and a lookup costs the same with 10 pods on the node or 1,000.
 */
#include "node/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/hmap.h"

#define LIST_CAP (64u << 20) /* one page of the pod list (read one pod at a time) */
#define LINE_CAP (4u << 20)  /* one watch event */
#define PAGE_LIMIT 500
#define WATCH_SECONDS 290
#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 5000

struct prec {
	struct md_pod p;
	char ip2[64];
	int live;
	unsigned gen;
	struct prec *ip_next[2]; /* a live pod: the next of by_ip's chain of p.ip [0], of ip2 [1] */
};

struct held {
	struct held *next, **pprev;
	struct pods *ps;
	char ip[64];
	md_pod_fn fn;
	void *arg;
	struct event *timer;
};

struct pods {
	struct node *n;
	struct hmap *by_name; /* "ns/name" -> struct prec */
	struct hmap *by_ip;   /* an address -> the first live struct prec that claims it */
	struct held *held;
	size_t n_held;
	struct md_call *call; /* the list or watch in flight */
	int watching;
	int synced; /* the first list has completed */
	int need_relist;
	unsigned gen;
	char rv[64];	 /* last resourceVersion seen */
	char cont[1024]; /* list continue token */
	int64_t backoff_ms;
	struct event *retry;
	char *line; /* partial watch line */
	size_t line_len, line_cap;
	int down;	/* logged the outage */
	char fsel[400]; /* url-encoded field selector */
};

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int ip_ok(const char *s)
{
	unsigned char buf[16];
	return strlen(s) < 64 &&
	       (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* Kubernetes names: printable, no '/', bounded. */
static int name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n >= max)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == '/')
			return 0;
	return 1;
}

/* The address of r that its chain slot (0: p.ip, 1: ip2) indexes, or "" for none. */
static const char *slot_ip(const struct prec *r, int slot)
{
	return slot ? r->ip2 : r->p.ip;
}

/* The pod after r in by_ip's chain of address ip (one of r's two). */
static struct prec **chain_next(struct prec *r, const char *ip)
{
	return &r->ip_next[strcmp(r->p.ip, ip) == 0 ? 0 : 1];
}

/* Takes r out of by_ip's chain of its address in slot, if it is in it. Allocates
 * nothing: a chain's new head replaces its old one under the same key. */
static void chain_remove(struct pods *ps, struct prec *r, int slot)
{
	const char *ip = slot_ip(r, slot);
	struct prec *head = *ip ? hmap_get(ps->by_ip, ip) : NULL, **pp = &head;
	while (*pp && *pp != r)
		pp = chain_next(*pp, ip);
	if (!*pp)
		return;
	*pp = r->ip_next[slot];
	if (head)
		(void)hmap_put(ps->by_ip, ip, head); /* a replace: cannot fail */
	else
		hmap_del(ps->by_ip, ip);
}

/* Takes r out of by_ip, before its addresses change or it is freed. A pod that is not
 * live has no addresses (md_pod_read), so there is nothing to take. */
static void ip_unlink(struct pods *ps, struct prec *r)
{
	chain_remove(ps, r, 0);
	chain_remove(ps, r, 1);
}

/* Puts a live r in by_ip under each of its addresses. 0, or -ENOMEM (r is then in none). */
static int ip_link(struct pods *ps, struct prec *r)
{
	if (!r->live)
		return 0;
	for (int slot = 0; slot < 2; slot++) {
		const char *ip = slot_ip(r, slot);
		if (!*ip)
			continue;
		r->ip_next[slot] = hmap_get(ps->by_ip, ip);
		if (hmap_put(ps->by_ip, ip, r) != 0) {
			if (slot == 1)
				chain_remove(ps, r, 0);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Counts the live pods with address ip; *one gets one of them. */
static size_t match(struct pods *ps, const char *ip, struct prec **one)
{
	size_t count = 0;
	*one = NULL;
	for (struct prec *r = hmap_get(ps->by_ip, ip); r;
	     r = *chain_next(r, ip)) {
		count++;
		*one = r;
	}
	return count;
}

static void held_free(struct held *h)
{
	*h->pprev = h->next;
	if (h->next)
		h->next->pprev = h->pprev;
	h->ps->n_held--;
	event_free(h->timer);
	free(h);
}

/* Answers the held lookups for ip (after a pod with it appeared). */
static void wake(struct pods *ps, const char *ip)
{
	struct held *h = ps->held;
	while (h) {
		struct held *next = h->next;
		if (strcmp(h->ip, ip) == 0) {
			struct prec *r;
			size_t c = match(ps, ip, &r);
			if (c > 0) {
				struct md_pod copy;
				md_pod_fn fn = h->fn;
				void *arg = h->arg;
				if (r)
					copy = r->p;
				held_free(h);
				ps->n->m.pod_held_found++;
				if (c > 1)
					ps->n->m.pod_conflicts++;
				fn(arg, c == 1 ? 0 : -EEXIST, c == 1 ? &copy : NULL);
				/* the callback may have changed the list: start over */
				next = ps->held;
			}
		}
		h = next;
	}
}

static void on_held_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct held *h = arg;
	(void)fd, (void)what;
	md_pod_fn fn = h->fn;
	void *cb_arg = h->arg;
	h->ps->n->m.pod_held_timeout++;
	held_free(h);
	fn(cb_arg, -ENOENT, NULL);
}

void md_pods_lookup(struct node *n, const char *ip, md_pod_fn fn, void *arg)
{
	struct pods *ps = n->pods;
	struct prec *r;
	if (!ps || n->stopping) {
		fn(arg, -ECANCELED, NULL);
		return;
	}
	size_t c = match(ps, ip, &r);
	if (c == 1) {
		struct md_pod copy = r->p;
		fn(arg, 0, &copy);
		return;
	}
	if (c > 1) {
		n->m.pod_conflicts++;
		fn(arg, -EEXIST, NULL);
		return;
	}
	if (n->cfg.hold_ms <= 0 || ps->n_held >= n->cfg.max_held || strlen(ip) >= sizeof(r->p.ip)) {
		fn(arg, -ENOENT, NULL);
		return;
	}
	struct held *h = calloc(1, sizeof(*h));
	if (!h) {
		fn(arg, -ENOMEM, NULL);
		return;
	}
	h->ps = ps;
	snprintf(h->ip, sizeof(h->ip), "%s", ip);
	h->fn = fn;
	h->arg = arg;
	h->timer = event_new(n->base, -1, 0, on_held_timeout, h);
	struct timeval tv = {(time_t)(n->cfg.hold_ms / 1000),
			     (suseconds_t)(n->cfg.hold_ms % 1000) * 1000};
	if (!h->timer || event_add(h->timer, &tv) != 0) {
		if (h->timer)
			event_free(h->timer);
		free(h);
		fn(arg, -ENOMEM, NULL);
		return;
	}
	h->next = ps->held;
	if (ps->held)
		ps->held->pprev = &h->next;
	h->pprev = &ps->held;
	ps->held = h;
	ps->n_held++;
	n->m.pod_held++;
}

int md_pods_find(struct node *n, const char *ip, struct md_pod *out)
{
	struct pods *ps = n->pods;
	struct prec *r;
	if (!ps)
		return -ENOENT;
	size_t c = match(ps, ip, &r);
	if (c > 1)
		return -EEXIST;
	if (c == 0)
		return -ENOENT;
	*out = r->p;
	return 0;
}

void md_pods_stats(const struct node *n, size_t *pods, size_t *held, int *synced)
{
	const struct pods *ps = n->pods;
	*pods = ps ? hmap_count(ps->by_name) : 0;
	*held = ps ? ps->n_held : 0;
	*synced = ps ? ps->synced : 0;
}

static void remove_pod(struct pods *ps, const char *key)
{
	struct prec *r = hmap_del(ps->by_name, key);
	if (r)
		ip_unlink(ps, r);
	free(r);
}

int md_pod_read(const json_t *pod, const char *node_name, struct md_pod_info *out)
{
	const json_t *meta = json_object_get(pod, "metadata");
	const json_t *spec = json_object_get(pod, "spec");
	const json_t *status = json_object_get(pod, "status");
	const char *ns = jstr(meta, "namespace"), *name = jstr(meta, "name");
	memset(out, 0, sizeof(*out));
	if (!name_ok(ns, sizeof(out->p.ns)) || !name_ok(name, sizeof(out->p.name)) ||
	    SFMT(out->key, "%s/%s", ns, name) < 0)
		return -EINVAL;
	if (strcmp(jstr(spec, "nodeName"), node_name) != 0)
		return -ENOENT; /* moved off this node, or not ours */
	struct md_pod *p = &out->p;
	memcpy(p->ns, ns, strlen(ns) + 1); /* name_ok measured both */
	memcpy(p->name, name, strlen(name) + 1);
	const char *uid = jstr(meta, "uid");
	if (strlen(uid) < sizeof(p->uid)) /* else none: a uid is never cut */
		memcpy(p->uid, uid, strlen(uid) + 1);
	int64_t created;
	p->created_ms = clock_parse_rfc3339(jstr(meta, "creationTimestamp"), &created) == 0
				? created * 1000
				: 0;
	const json_t *labels = json_object_get(meta, "labels");
	char *lj =
		json_is_object(labels) ? json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!lj || SFMT(p->labels, "%s", lj) < 0)
		memcpy(p->labels, "{}", 3);
	p->labels_big = lj && strlen(lj) >= sizeof(p->labels);
	if (json_is_object(labels) && !lj)
		p->labels_big = 1; /* out of memory: judged as unknown */
	free(lj);
	const char *sa = jstr(spec, "serviceAccountName");
	if (!*sa)
		sa = jstr(spec, "serviceAccount");
	if (!*sa)
		sa = "default";
	if (!name_ok(sa, sizeof(p->sa)))
		return 0;
	memcpy(p->sa, sa, strlen(sa) + 1);
	const char *phase = jstr(status, "phase");
	const char *ip = jstr(status, "podIP");
	if (json_is_true(json_object_get(spec, "hostNetwork")) || strcmp(phase, "Succeeded") == 0 ||
	    strcmp(phase, "Failed") == 0 || !*ip || !ip_ok(ip))
		return 0;
	memcpy(p->ip, ip, strlen(ip) + 1); /* ip_ok measured it */
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(status, "podIPs"), i, e)
	{
		const char *x = jstr(e, "ip");
		if (*x && ip_ok(x) && strcmp(x, ip) != 0) {
			memcpy(out->ip2, x, strlen(x) + 1);
			break;
		}
	}
	out->live = 1;
	return 0;
}

/* Applies a pod object (ADDED, MODIFIED or a list item). 0 or -errno. */
static int upsert(struct pods *ps, const json_t *pod)
{
	struct md_pod_info in;
	int rc = md_pod_read(pod, ps->n->cfg.node_name, &in);
	if (rc == -ENOENT) {
		remove_pod(ps, in.key);
		return 0;
	}
	if (rc)
		return rc;
	if (md_faults_is_daemon_pod(pod))
		md_faults_pod(ps->n, pod); /* the metadata server's own pod */
	struct prec *r = hmap_get(ps->by_name, in.key);
	if (!r) {
		if (hmap_count(ps->by_name) >= ps->n->cfg.max_pods) {
			md_log(ps->n, "pod %s ignored: more than %zu pods on the node", in.key,
			       ps->n->cfg.max_pods);
			return -ENOSPC;
		}
		r = calloc(1, sizeof(*r));
		if (!r || hmap_put(ps->by_name, in.key, r) != 0) {
			free(r);
			return -ENOMEM;
		}
	}
	ip_unlink(ps, r);
	r->p = in.p;
	memcpy(r->ip2, in.ip2, sizeof(r->ip2));
	r->gen = ps->gen;
	r->live = in.live;
	if (ip_link(ps, r) != 0) {
		remove_pod(ps, in.key); /* known by name but not by address: not known */
		return -ENOMEM;
	}
	if (r->live) {
		wake(ps, r->p.ip);
		if (r->ip2[0])
			wake(ps, r->ip2);
	}
	return 0;
}

/* The resourceVersion of an object's or a list's metadata, kept when it fits a URL. */
/* md_list_items' callback: a list item, upserted (a bad one is skipped, as before). */
static int upsert_item(void *arg, json_t *pod)
{
	(void)upsert(arg, pod);
	return 0;
}

static void set_rv(struct pods *ps, const json_t *meta)
{
	const char *rv = jstr(meta, "resourceVersion");
	if (*rv && strlen(rv) < sizeof(ps->rv)) {
		for (const char *p = rv; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == '&' || *p == '#' || *p == '%' ||
			    (unsigned char)*p >= 0x7f)
				return;
		snprintf(ps->rv, sizeof(ps->rv), "%s", rv);
	}
}

static void start_list(struct pods *ps);
static void start_watch(struct pods *ps);

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct pods *ps = arg;
	(void)fd, (void)what;
	if (ps->n->stopping)
		return;
	if (ps->need_relist || !ps->rv[0])
		start_list(ps);
	else
		start_watch(ps);
}

static void retry_later(struct pods *ps, int backoff)
{
	int64_t ms = 0;
	if (backoff) {
		ps->backoff_ms = ps->backoff_ms ? ps->backoff_ms * 2 : BACKOFF_MIN_MS;
		if (ps->backoff_ms > BACKOFF_MAX_MS)
			ps->backoff_ms = BACKOFF_MAX_MS;
		ms = ps->backoff_ms;
	}
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	event_add(ps->retry, &tv);
}

static void outage(struct pods *ps, const char *what)
{
	if (!ps->down)
		md_log(ps->n, "pod watch: %s; serving what is known, retrying", what);
	ps->down = 1;
}

static void recovered(struct pods *ps)
{
	if (ps->down)
		md_log(ps->n, "pod watch: the API server answers again");
	ps->down = 0;
	ps->backoff_ms = 0;
}

/* After a re-list, once the client has freed its answer (libevent's buffer and the
 * copy, 2 x 220 KB for 110 pods): malloc keeps freed pages, and a node's RSS is a figure
 * to keep flat (bench_node_rss). */
static void on_trim(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	malloc_trim(0);
}

static void on_list(void *arg, const struct md_resp *r)
{
	struct pods *ps = arg;
	json_t *meta = NULL;
	ps->call = NULL;
	md_metrics_upstream(ps->n, MD_UP_KUBE, r);
	if (r->status != 200) {
		char why[600];
		if (r->status == 0)
			snprintf(why, sizeof(why), "%s", r->error);
		else
			snprintf(why, sizeof(why), "listing pods: HTTP %d: %.400s", r->status,
				 r->body);
		outage(ps, why);
		ps->cont[0] = '\0';
		retry_later(ps, 1);
		return;
	}
	/* one pod at a time: the list whole would be a tree of 8x its bytes (listread.c) */
	size_t items_at = 0;
	if (md_list_check(r->body, r->len, &meta, &items_at) != 0) {
		outage(ps, "listing pods: the answer is not a PodList");
		ps->cont[0] = '\0';
		retry_later(ps, 1);
		return;
	}
	if (!ps->cont[0]) {
		ps->gen++; /* a new list generation: pods not seen in it are gone */
		set_rv(ps, meta);
	}
	if (md_list_items(r->body, r->len, items_at, upsert_item, ps) != 0) {
		json_decref(meta); /* out of memory: the list again, from its start */
		outage(ps, "listing pods: out of memory");
		ps->cont[0] = '\0';
		retry_later(ps, 1);
		return;
	}
	const char *cont = jstr(meta, "continue");
	if (*cont && strlen(cont) < sizeof(ps->cont)) {
		snprintf(ps->cont, sizeof(ps->cont), "%s", cont);
		json_decref(meta);
		start_list(ps);
		return;
	}
	json_decref(meta);
	ps->cont[0] = '\0';
	/* sweep: pods the list no longer has */
	size_t pos = 0;
	const char *k;
	void *v;
	while (hmap_next(ps->by_name, &pos, &k, &v)) {
		struct prec *pr = v;
		if (pr->gen != ps->gen)
			remove_pod(ps, k);
	}
	ps->need_relist = 0;
	if (ps->synced) /* a re-list: its answer's buffers back to the system once freed */
		(void)event_base_once(ps->n->base, -1, EV_TIMEOUT, on_trim, NULL, NULL);
	if (!ps->synced)
		md_log(ps->n, "pod watch: %zu pods on node %s", hmap_count(ps->by_name),
		       ps->n->cfg.node_name);
	ps->synced = 1;
	recovered(ps);
	start_watch(ps);
}

static void start_list(struct pods *ps)
{
	/* room for the selector and a continue token that encodes every byte as %XX */
	char path[sizeof(ps->fsel) + 3 * sizeof(ps->cont) + 64];
	char *cont = NULL;
	if (ps->cont[0] && !(cont = evhttp_encode_uri(ps->cont))) {
		retry_later(ps, 1); /* out of memory: the page again, later */
		return;
	}
	int rc = SFMT(path, "/api/v1/pods?fieldSelector=%s&limit=%d%s%s", ps->fsel, PAGE_LIMIT,
		      cont ? "&continue=" : "", cont ? cont : "");
	free(cont);
	if (rc < 0) { /* never sent cut short: the list starts over */
		outage(ps, "listing pods: the continue token is too long");
		ps->cont[0] = '\0';
		retry_later(ps, 1);
		return;
	}
	struct md_req rq = {.method = "GET", .path = path, .cap = LIST_CAP, .timeout_s = 30};
	rq.bearer = ps->n->kube_bearer[0] ? ps->n->kube_bearer : NULL;
	ps->watching = 0;
	if (md_client_call(ps->n->kube, &rq, on_list, ps, &ps->call) != 0) {
		ps->call = NULL;
		retry_later(ps, 1);
	}
}

/* One watch event (a line of JSON). 0, or -1 to end the watch. */
static int on_event(struct pods *ps, const char *line, size_t len)
{
	json_t *ev = json_loadb(line, len, 0, NULL);
	const char *type = jstr(ev, "type");
	const json_t *obj = json_object_get(ev, "object");
	int rc = 0;
	ps->n->m.watch_events++;
	if (!json_is_object(obj)) {
		rc = -1; /* not a watch stream: start over */
		ps->need_relist = 1;
	} else if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0) {
		upsert(ps, obj);
		set_rv(ps, json_object_get(obj, "metadata"));
	} else if (strcmp(type, "DELETED") == 0) {
		const json_t *meta = json_object_get(obj, "metadata");
		char key[400];
		/* a key that does not fit names no pod: upsert refused its names */
		if (SFMT(key, "%s/%s", jstr(meta, "namespace"), jstr(meta, "name")) == 0)
			remove_pod(ps, key);
		if (md_faults_is_daemon_pod(obj))
			md_faults_pod(ps->n, NULL);
		set_rv(ps, meta);
	} else if (strcmp(type, "BOOKMARK") == 0) {
		set_rv(ps, json_object_get(obj, "metadata"));
	} else if (strcmp(type, "ERROR") == 0) {
		json_int_t code = json_integer_value(json_object_get(obj, "code"));
		if (code == 410) {
			ps->need_relist = 1;
		} else {
			char why[600];
			snprintf(why, sizeof(why), "watch error %lld: %.400s", (long long)code,
				 jstr(obj, "message"));
			outage(ps, why);
		}
		rc = -1;
	}
	json_decref(ev);
	return rc;
}

static int on_watch_chunk(void *arg, const char *data, size_t len)
{
	struct pods *ps = arg;
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		if (ps->line_len + take > LINE_CAP) {
			md_log(ps->n, "pod watch: an event exceeds %u bytes; relisting", LINE_CAP);
			ps->line_len = 0;
			ps->need_relist = 1;
			return -1;
		}
		if (ps->line_len + take + 1 > ps->line_cap) {
			size_t cap = ps->line_cap ? ps->line_cap : 4096;
			while (cap < ps->line_len + take + 1)
				cap *= 2;
			char *nb = realloc(ps->line, cap);
			if (!nb)
				return -1;
			ps->line = nb;
			ps->line_cap = cap;
		}
		memcpy(ps->line + ps->line_len, data, take);
		ps->line_len += take;
		data += take;
		len -= take;
		if (nl) {
			data++;
			len--;
			size_t l = ps->line_len;
			ps->line_len = 0;
			if (l > 0 && on_event(ps, ps->line, l) < 0)
				return -1;
		}
	}
	return 0;
}

static void on_watch_done(void *arg, const struct md_resp *r)
{
	struct pods *ps = arg;
	ps->call = NULL;
	ps->watching = 0;
	ps->line_len = 0;
	ps->n->m.watch_restarts++;
	if (r->status == 200) {
		recovered(ps);
		retry_later(ps, 0);
		return;
	}
	if (r->status == 410) {
		ps->need_relist = 1;
		retry_later(ps, 0);
		return;
	}
	md_metrics_upstream(ps->n, MD_UP_KUBE, r);
	if (r->status == 0 && strstr(r->error ? r->error : "", "aborted")) {
		retry_later(ps, !ps->need_relist);
		return;
	}
	char why[700];
	if (r->status == 0)
		snprintf(why, sizeof(why), "%s", r->error);
	else
		snprintf(why, sizeof(why), "watching pods: HTTP %d: %.400s", r->status, r->body);
	outage(ps, why);
	retry_later(ps, 1);
}

static void start_watch(struct pods *ps)
{
	char path[1024];
	if (SFMT(path,
		 "/api/v1/pods?watch=true&fieldSelector=%s&resourceVersion=%s"
		 "&allowWatchBookmarks=true&timeoutSeconds=%d",
		 ps->fsel, ps->rv, WATCH_SECONDS) < 0) {
		ps->need_relist = 1; /* fsel and rv are bounded: not reached */
		retry_later(ps, 1);
		return;
	}
	struct md_req rq = {.method = "GET",
			    .path = path,
			    .timeout_s = WATCH_SECONDS + 90,
			    .chunk = on_watch_chunk};
	rq.bearer = ps->n->kube_bearer[0] ? ps->n->kube_bearer : NULL;
	ps->line_len = 0;
	ps->watching = 1;
	if (md_client_call(ps->n->kube, &rq, on_watch_done, ps, &ps->call) != 0) {
		ps->call = NULL;
		ps->watching = 0;
		retry_later(ps, 1);
	}
}

int md_pods_start(struct node *n)
{
	struct pods *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->n = n;
	ps->by_name = hmap_new(64);
	ps->by_ip = hmap_new(64);
	ps->retry = event_new(n->base, -1, 0, on_retry, ps);
	char sel[400];
	int rc = SFMT(sel, "spec.nodeName=%s", n->cfg.node_name);
	char *enc = rc ? NULL : evhttp_encode_uri(sel);
	if (!rc && (!ps->by_name || !ps->by_ip || !ps->retry || !enc))
		rc = -ENOMEM;
	if (!rc)
		rc = SFMT(ps->fsel, "%s", enc);
	free(enc);
	if (rc) {
		hmap_free(ps->by_name);
		hmap_free(ps->by_ip);
		if (ps->retry)
			event_free(ps->retry);
		free(ps);
		return rc;
	}
	n->pods = ps;
	start_list(ps);
	return 0;
}

void md_pods_stop(struct node *n)
{
	struct pods *ps = n->pods;
	if (!ps)
		return;
	if (ps->call)
		md_call_cancel(ps->call);
	ps->call = NULL;
	while (ps->held) {
		struct held *h = ps->held;
		md_pod_fn fn = h->fn;
		void *arg = h->arg;
		held_free(h);
		fn(arg, -ECANCELED, NULL);
	}
	size_t pos = 0;
	const char *k;
	void *v;
	while (hmap_next(ps->by_name, &pos, &k, &v))
		free(v);
	hmap_free(ps->by_name);
	hmap_free(ps->by_ip);
	event_free(ps->retry);
	free(ps->line);
	free(ps);
	n->pods = NULL;
}
