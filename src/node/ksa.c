/*
 * ksa.c - Kubernetes service accounts, fetched on demand (GET
 * /api/v1/namespaces/NS/serviceaccounts/NAME) and kept in a bounded LRU cache, so the
 * node's memory does not grow with the cluster's KSA count (GKE's metadata server is
 * OOMKilled past ~3,000). An entry is trusted for cfg.ksa_ttl_ms; after that the next
 * request asks again, and concurrent askers share one request. When the API server
 * cannot be reached, a known entry is served stale.
 */
#include "node/node.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "core/dbuf.h"
#include "core/hmap.h"

#define ANNOTATION "iam.gke.io/gcp-service-account"
#define SA_CAP (1u << 20)
#define STALE_MAX_MS 60000 /* the longest a stale entry is served while revalidating */

struct kwait {
	struct kwait *next;
	md_ksa_fn fn;
	void *arg;
};

struct ksas;
struct kent {
	struct ksas *ks;
	char key[400];
	struct md_ksa k;
	int have;
	int64_t fetched_ms;
	int fetching;
	struct kwait *waiters;
	struct kent *prev, *next; /* LRU: head is the most recent */
};

struct ksas {
	struct node *n;
	struct hmap *map;
	struct kent *head, *tail;
	size_t count;
};

static void lru_unlink(struct ksas *ks, struct kent *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		ks->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		ks->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct ksas *ks, struct kent *e)
{
	if (ks->head == e)
		return;
	if (e->prev || e->next || ks->tail == e)
		lru_unlink(ks, e);
	e->next = ks->head;
	if (ks->head)
		ks->head->prev = e;
	ks->head = e;
	if (!ks->tail)
		ks->tail = e;
}

static void drop(struct ksas *ks, struct kent *e)
{
	lru_unlink(ks, e);
	hmap_del(ks->map, e->key);
	ks->count--;
	free(e);
}

/* Evicts the least recently used idle entries beyond the bound. */
static void evict(struct ksas *ks)
{
	struct kent *e = ks->tail;
	while (ks->count > ks->n->cfg.max_ksas && e) {
		struct kent *prev = e->prev;
		if (!e->fetching && !e->waiters)
			drop(ks, e);
		e = prev;
	}
}

/* Answers every waiter of e; with ok, from e->k. */
static void answer(struct kent *e, int rc, const struct md_err *err)
{
	struct kwait *w = e->waiters;
	struct md_ksa copy = e->k;
	e->waiters = NULL;
	while (w) {
		struct kwait *next = w->next;
		w->fn(w->arg, rc, rc == 0 ? &copy : NULL, err);
		free(w);
		w = next;
	}
}

static void fail(struct kent *e, int rc, const struct md_err *err)
{
	struct ksas *ks = e->ks;
	answer(e, rc, err);
	if (!e->have && !e->fetching)
		drop(ks, e);
}

static void on_fetched(void *arg, const struct md_resp *r)
{
	struct kent *e = arg;
	struct ksas *ks = e->ks;
	struct node *n = ks->n;
	struct md_err err;
	json_t *sa = NULL;
	e->fetching = 0;
	md_metrics_upstream(n, MD_UP_KUBE, r);
	if (r->status == 200) {
		sa = json_loadb(r->body, r->len, 0, NULL);
		const json_t *meta = json_object_get(sa, "metadata");
		const char *uid = json_string_value(json_object_get(meta, "uid"));
		const json_t *ann =
			json_object_get(json_object_get(meta, "annotations"), ANNOTATION);
		const char *gsa = json_string_value(ann);
		if (!json_is_object(meta)) {
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: the API server's "
				   "answer for "
				   "service account %s is not a ServiceAccount\n",
				   e->key);
			goto failed;
		}
		if (ann && (!gsa || (*gsa && !md_email_ok(gsa)))) {
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: the " ANNOTATION
				   " annotation of Kubernetes service account %s is not a service "
				   "account "
				   "email: \"%.320s\"\n",
				   e->key, gsa ? gsa : "(not a string)");
			e->have = 0;
			goto failed;
		}
		snprintf(e->k.uid, sizeof(e->k.uid), "%s",
			 uid && strlen(uid) < sizeof(e->k.uid) ? uid : "");
		snprintf(e->k.gsa, sizeof(e->k.gsa), "%s", gsa ? gsa : "");
		e->have = 1;
		e->fetched_ms = md_now_ms();
		json_decref(sa);
		answer(e, 0, NULL);
		return;
	}
	if (r->status == 404) {
		e->have = 0;
		md_err_set(
			&err, 404,
			"GKE Metadata Server encountered an error: Kubernetes service account %s "
			"not found\n",
			e->key);
		fail(e, -ENOENT, &err);
		return;
	}
	if (e->have) {
		/* the API server is away or refuses: what we knew still holds */
		n->m.token_stale_served++;
		answer(e, 0, NULL);
		return;
	}
	if (r->status == 0)
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: getting Kubernetes service "
			   "account %s: %s\n",
			   e->key, r->error);
	else
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: getting Kubernetes service "
			   "account %s: HTTP %d: %.600s\n",
			   e->key, r->status, r->body);
failed:
	json_decref(sa);
	fail(e, -EIO, &err);
}

/* Asks the API server for e. 0 or -errno. */
static int fetch(struct kent *e)
{
	struct node *n = e->ks->n;
	char *ens = evhttp_encode_uri(e->k.ns), *ename = evhttp_encode_uri(e->k.name);
	char path[1200];
	int rc = -ENOMEM;
	if (ens && ename &&
	    (rc = SFMT(path, "/api/v1/namespaces/%s/serviceaccounts/%s", ens, ename)) == 0) {
		struct md_req rq = {.method = "GET", .path = path, .cap = SA_CAP, .timeout_s = 10};
		rq.bearer = n->kube_bearer[0] ? n->kube_bearer : NULL;
		rc = md_client_call(n->kube, &rq, on_fetched, e, NULL);
	}
	free(ens);
	free(ename);
	if (rc == 0)
		e->fetching = 1;
	return rc;
}

/* The cache's key "NS/NAME" into out (cap bytes), with memcpy (the fast path builds it
 * on every cached answer): its length, or -ENAMETOOLONG. */
static int ksa_key(char *out, size_t cap, const char *ns, const char *name)
{
	size_t a = strlen(ns), b = strlen(name);
	if (a + b + 2 > cap)
		return -ENAMETOOLONG;
	memcpy(out, ns, a);
	out[a] = '/';
	memcpy(out + a + 1, name, b + 1);
	return (int)(a + b + 1);
}

int md_ksa_cached(struct node *n, const char *ns, const char *name, struct md_ksa *out, int commit)
{
	struct ksas *ks = n->ksas;
	char key[400];
	int kl = ksa_key(key, sizeof(key), ns, name);
	if (!ks || n->stopping || kl < 0)
		return -EAGAIN;
	struct kent *e = hmap_getn(ks->map, key, (size_t)kl);
	if (!e || !e->have || md_now_ms() - e->fetched_ms >= n->cfg.ksa_ttl_ms)
		return -EAGAIN;
	if (commit) {
		n->m.ksa_hits++;
		lru_front(ks, e);
	}
	*out = e->k;
	return 0;
}

void md_ksa_get(struct node *n, const char *ns, const char *name, md_ksa_fn fn, void *arg)
{
	struct ksas *ks = n->ksas;
	struct md_err err;
	char key[400];
	if (n->stopping) {
		md_err_set(&err, 503, "GKE Metadata Server encountered an error: shutting down\n");
		fn(arg, -ECANCELED, NULL, &err);
		return;
	}
	if (!ks || strlen(ns) >= sizeof(((struct md_ksa *)0)->ns) ||
	    strlen(name) >= sizeof(((struct md_ksa *)0)->name) ||
	    ksa_key(key, sizeof(key), ns, name) < 0) {
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: bad service account\n");
		fn(arg, -EINVAL, NULL, &err);
		return;
	}
	struct kent *e = hmap_get(ks->map, key);
	int64_t now = md_now_ms();
	int64_t age = e ? now - e->fetched_ms : 0;
	int fresh = e && e->have && age < n->cfg.ksa_ttl_ms;
	/* a little past its freshness, an entry is served while it is asked for again */
	int revalidate =
		e && e->have && !fresh && age < 4 * n->cfg.ksa_ttl_ms && age < STALE_MAX_MS;
	if (revalidate && !e->fetching && fetch(e) != 0)
		revalidate = 0;
	if (fresh || revalidate) {
		struct md_ksa copy = e->k;
		n->m.ksa_hits++;
		lru_front(ks, e);
		fn(arg, 0, &copy, NULL);
		return;
	}
	n->m.ksa_misses++;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || hmap_put(ks->map, key, e) != 0) {
			free(e);
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: out of memory\n");
			fn(arg, -ENOMEM, NULL, &err);
			return;
		}
		e->ks = ks;
		/* each fits: ns and name were measured, key built above */
		memcpy(e->key, key, sizeof(e->key));
		memcpy(e->k.ns, ns, strlen(ns) + 1);
		memcpy(e->k.name, name, strlen(name) + 1);
		ks->count++;
	}
	lru_front(ks, e);
	struct kwait *w = calloc(1, sizeof(*w));
	if (!w) {
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		fn(arg, -ENOMEM, NULL, &err);
		return;
	}
	w->fn = fn;
	w->arg = arg;
	w->next = e->waiters;
	e->waiters = w;
	if (e->fetching)
		return;
	int rc = fetch(e);
	if (rc != 0) {
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: %s\n",
			   rc == -ENAMETOOLONG ? "a name is too long for an upstream request path"
					       : "out of memory");
		fail(e, rc, &err);
		return;
	}
	evict(ks);
}

int md_ksa_init(struct node *n)
{
	struct ksas *ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	ks->n = n;
	ks->map = hmap_new(64);
	if (!ks->map) {
		free(ks);
		return -ENOMEM;
	}
	n->ksas = ks;
	return 0;
}

void md_ksa_free(struct node *n)
{
	struct ksas *ks = n->ksas;
	if (!ks)
		return;
	while (ks->head) {
		struct kent *e = ks->head;
		struct md_err err;
		md_err_set(&err, 503, "GKE Metadata Server encountered an error: shutting down\n");
		answer(e, -ECANCELED, &err);
		drop(ks, e);
	}
	hmap_free(ks->map);
	free(ks);
	n->ksas = NULL;
}

size_t md_ksa_count(const struct node *n)
{
	const struct ksas *ks = n->ksas;
	return ks ? ks->count : 0;
}
