/*
 * nodeauthz_index.c - the Node authorizer's index of the pods (cl->nodeauthz): which
 * pods of a namespace are bound to a node (spec.nodeName), and the service account each
 * runs as, so that a node's KSA get or TokenRequest is one lookup instead of a read of
 * every pod of the namespace from the store.
 *
 * store_range builds it on a node's first decision and a store_watch on the cluster's
 * pods keeps it in step. The store delivers every put and delete of its handle (create,
 * update, patch, apply, delete, deletecollection, a namespace's deletion, a cluster's
 * purge) synchronously inside the write, after the commit (core/store.h), so a decision
 * never sees a pod the store no longer has, or on a node it has left. A put only drops
 * the pod from the index and marks its key dirty; the next decision reads the dirty
 * pods from the store and parses them (so a pod created, updated and deleted between
 * two decisions, as in pod churn with cached tokens, is never parsed). An event out of
 * revision order (the store's fallback when it cannot queue one) or an allocation that
 * fails while applying one marks the index stale: the next decision drops it and builds
 * it again from the store. nodeauthz_forget frees it with its cluster; a restart builds
 * it anew. Upstream's graph (plugin/pkg/auth/authorizer/node/graph_populator.go) follows
 * informers, later than the store; this one is never behind it.
 */
#include "kube/nodeauthz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/store.h"
#include "kube/util.h"

struct nodeauthz_group; /* the pods of one namespace bound to one node */

struct nodeauthz_pod {
	char *name; /* metadata.name: the store key's last part */
	char *sa;   /* the service account it runs as (nodeauthz_pod_sa), "" for none */
	char *node; /* spec.nodeName */
	char *uid;  /* metadata.uid ("" for none) */
	struct nodeauthz_group *g;
	struct nodeauthz_pod *prev, *next; /* in g */
};

struct nodeauthz_group {
	struct nodeauthz_pod *head;
	char key[]; /* its key in groups (group_key) */
};

struct nodeauthz_index {
	struct store *store;
	struct store_watch *watch;
	char prefix[512]; /* the cluster's pods: ".../registry/pods.core/" */
	size_t prefix_len;
	int64_t rev;	     /* the last revision applied */
	int stale;	     /* missed or misordered an event: build again before use */
	struct hmap *pods;   /* "NS/NAME" -> struct nodeauthz_pod, pods bound to a node */
	struct hmap *groups; /* group_key(node, ns) -> struct nodeauthz_group */
	struct hmap *dirty;  /* "NS/NAME" of pods put since the last decision (settle) */
};

/* The key of the pods of namespace ns (len bytes) bound to node: "LEN:NODE/NS", the
 * node's length first so that no other (node, ns) pair can spell it. -ENAMETOOLONG when
 * it does not fit: no node name a user can carry is that long (kube_user.name). */
static int group_key(char *out, size_t cap, const char *node, const char *ns, size_t len)
{
	return sfmt(out, cap, "%zu:%s/%.*s", strlen(node), node, (int)len, ns) < 0 ? -ENAMETOOLONG
										   : 0;
}

static void pod_free(struct nodeauthz_pod *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->sa);
	free(p->node);
	free(p->uid);
	free(p);
}

/* Forgets the pod at tail ("NS/NAME"), if the index has it. Allocates nothing. */
static void pod_remove(struct nodeauthz_index *ix, const char *tail)
{
	struct nodeauthz_pod *p = hmap_del(ix->pods, tail);
	struct nodeauthz_group *g;
	if (!p)
		return;
	g = p->g;
	if (p->prev)
		p->prev->next = p->next;
	else
		g->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	if (!g->head) {
		hmap_del(ix->groups, g->key);
		free(g);
	}
	pod_free(p);
}

/* Indexes the pod stored at tail ("NS/NAME") with value (its JSON), in place of what
 * the index had there. 0, or -ENOMEM (the pod is then not in the index). */
static int pod_put(struct nodeauthz_index *ix, const char *tail, const char *value, size_t len)
{
	const char *slash = strchr(tail, '/');
	json_t *pod = json_loadb(value, len, 0, NULL);
	const char *node = kube_jstr(json_object_get(pod, "spec"), "nodeName");
	struct nodeauthz_pod *p = NULL;
	struct nodeauthz_group *g;
	char gk[1024];
	int rc = 0;
	pod_remove(ix, tail);
	/* unbound pods, and names no node can have, relate nothing */
	if (!slash || slash == tail || !*node ||
	    group_key(gk, sizeof(gk), node, tail, (size_t)(slash - tail)) != 0)
		goto out;
	rc = -ENOMEM;
	if (!(p = calloc(1, sizeof(*p))) || !(p->name = strdup(slash + 1)) ||
	    !(p->sa = strdup(nodeauthz_pod_sa(pod))) || !(p->node = strdup(node)) ||
	    !(p->uid = strdup(kube_jstr(json_object_get(pod, "metadata"), "uid"))))
		goto out;
	if (!(g = hmap_get(ix->groups, gk))) {
		if (!(g = calloc(1, sizeof(*g) + strlen(gk) + 1)))
			goto out;
		memcpy(g->key, gk, strlen(gk) + 1);
		if (hmap_put(ix->groups, g->key, g) != 0) {
			free(g);
			goto out;
		}
	}
	if (hmap_put(ix->pods, tail, p) != 0) {
		if (!g->head) {
			hmap_del(ix->groups, g->key);
			free(g);
		}
		goto out;
	}
	p->g = g;
	p->next = g->head;
	if (g->head)
		g->head->prev = p;
	g->head = p;
	p = NULL;
	rc = 0;
out:
	pod_free(p);
	json_decref(pod);
	return rc;
}

static void on_event(void *arg, const struct store_event *ev)
{
	struct nodeauthz_index *ix = arg;
	const char *tail = ev->key + ix->prefix_len;
	if (strncmp(ev->key, ix->prefix, ix->prefix_len) != 0)
		return;
	if (ev->rev <= ix->rev)
		ix->stale = 1; /* delivered out of order: the index may be behind the store */
	ix->rev = ev->rev;
	pod_remove(ix, tail);
	if (ev->type == STORE_DELETE)
		hmap_del(ix->dirty, tail);
	else if (hmap_put(ix->dirty, tail, ix) != 0)
		ix->stale = 1;
}

/* Indexes the pods put since the last decision, as the store has them now. 0, or -errno
 * (the index is then stale). */
static int settle(struct nodeauthz_index *ix)
{
	struct hmap *dirty = ix->dirty, *fresh;
	size_t pos = 0;
	const char *tail;
	void *v;
	char key[4200]; /* a store key is at most 4096 bytes */
	int rc = 0;
	if (!hmap_count(dirty))
		return 0;
	if (!(fresh = hmap_new(64))) {
		ix->stale = 1;
		return -ENOMEM;
	}
	ix->dirty = fresh;
	while (rc == 0 && hmap_next(dirty, &pos, &tail, &v)) {
		struct store_kv kv;
		if ((rc = SFMT(key, "%s%s", ix->prefix, tail)) != 0)
			break;
		rc = store_get(ix->store, key, &kv);
		if (rc == -ENOENT) {
			rc = 0; /* (a delete took it out of dirty: not reached) */
			continue;
		}
		if (rc == 0) {
			rc = pod_put(ix, tail, kv.value, kv.value_len);
			store_kv_free(&kv);
		}
	}
	hmap_free(dirty);
	if (rc != 0)
		ix->stale = 1;
	return rc;
}

static void index_free(struct nodeauthz_index *ix)
{
	size_t pos = 0;
	const char *key;
	void *v;
	if (!ix)
		return;
	store_unwatch(ix->watch);
	while (ix->pods && hmap_next(ix->pods, &pos, &key, &v))
		pod_free(v);
	pos = 0;
	while (ix->groups && hmap_next(ix->groups, &pos, &key, &v))
		free(v);
	hmap_free(ix->pods);
	hmap_free(ix->groups);
	hmap_free(ix->dirty);
	free(ix);
}

static int index_build(struct kube_cluster *cl, struct nodeauthz_index **out)
{
	const struct kube_resource *res = kube_resource_find("", "v1", "pods");
	struct nodeauthz_index *ix = calloc(1, sizeof(*ix));
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int rc = -ENOMEM;
	*out = NULL;
	if (!ix || !(ix->pods = hmap_new(256)) || !(ix->groups = hmap_new(64)) ||
	    !(ix->dirty = hmap_new(64)))
		goto out;
	rc = -EINVAL;
	if (!res)
		goto out;
	ix->store = cl->kube->store;
	registry_key(cl, res, NULL, NULL, ix->prefix, sizeof(ix->prefix));
	if (!(ix->prefix_len = strlen(ix->prefix)))
		goto out;
	if ((rc = store_range(ix->store, ix->prefix, 0, &kvs, &n, &ix->rev)) != 0)
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = pod_put(ix, kvs[i].key + ix->prefix_len, kvs[i].value, kvs[i].value_len);
	if (rc == 0)
		rc = store_watch(ix->store, ix->prefix, ix->rev, on_event, ix, &ix->watch);
	if (rc == 0 && ix->stale)
		rc = -ENOMEM; /* the watch's replay failed to apply */
	if (rc == 0)
		rc = settle(ix);
out:
	store_kvs_free(kvs, n);
	if (rc != 0)
		index_free(ix);
	else
		*out = ix;
	return rc;
}

/* The cluster's index, built (again) when it has none or a stale one, with every pod
 * put since the last decision indexed. */
static int index_of(struct kube_cluster *cl, struct nodeauthz_index **out)
{
	int rc;
	if (cl->nodeauthz && cl->nodeauthz->stale)
		nodeauthz_forget(cl);
	if (!cl->nodeauthz) {
		if (!cl->kube || !cl->kube->store)
			return -EINVAL;
		if ((rc = index_build(cl, &cl->nodeauthz)) != 0)
			return rc;
	} else if ((rc = settle(cl->nodeauthz)) != 0) {
		return rc;
	}
	*out = cl->nodeauthz;
	return 0;
}

/* The pods of namespace ns bound to node: the first, or NULL. -errno when the index
 * cannot be built. */
static int group_head(struct kube_cluster *cl, const char *node, const char *ns,
		      struct nodeauthz_pod **head)
{
	struct nodeauthz_index *ix;
	struct nodeauthz_group *g;
	char gk[1024];
	int rc = index_of(cl, &ix);
	*head = NULL;
	if (rc != 0)
		return rc;
	if (!*node || !*ns || strchr(ns, '/') || group_key(gk, sizeof(gk), node, ns, strlen(ns)))
		return 0;
	g = hmap_get(ix->groups, gk);
	*head = g ? g->head : NULL;
	return 0;
}

int nodeauthz_index_runs_as(struct kube_cluster *cl, const char *node, const char *ns,
			    const char *sa)
{
	struct nodeauthz_pod *p;
	int rc = group_head(cl, node, ns, &p);
	if (rc != 0)
		return rc;
	for (; p; p = p->next)
		if (!sa || (*p->sa && strcmp(p->sa, sa) == 0))
			return 1;
	return 0;
}

int nodeauthz_index_bound(struct kube_cluster *cl, const char *node, const char *ns,
			  const char *name)
{
	char pnode[1024];
	int rc = nodeauthz_index_pod(cl, ns, name, pnode, sizeof(pnode), NULL, 0);
	return rc == -ENAMETOOLONG ? 0 : rc == 1 ? strcmp(pnode, node) == 0 : rc;
}

int nodeauthz_index_pod(struct kube_cluster *cl, const char *ns, const char *name, char *node,
			size_t node_len, char *uid, size_t uid_len)
{
	struct nodeauthz_index *ix;
	struct nodeauthz_pod *p;
	char tail[600];
	int rc = index_of(cl, &ix);
	if (rc != 0)
		return rc;
	if (!*ns || strchr(ns, '/') || SFMT(tail, "%s/%s", ns, name) < 0 ||
	    !(p = hmap_get(ix->pods, tail)))
		return 0;
	if ((node && sfmt(node, node_len, "%s", p->node) < 0) ||
	    (uid && sfmt(uid, uid_len, "%s", p->uid) < 0))
		return -ENAMETOOLONG;
	return 1;
}

int nodeauthz_index_each(struct kube_cluster *cl, const char *node, const char *ns,
			 int (*fn)(void *arg, const char *name), void *arg)
{
	struct nodeauthz_pod *p;
	int rc = group_head(cl, node, ns, &p);
	for (; rc == 0 && p; p = p->next)
		rc = fn(arg, p->name);
	return rc;
}

void nodeauthz_forget(struct kube_cluster *cl)
{
	index_free(cl->nodeauthz);
	cl->nodeauthz = NULL;
}
