/*
 * rbac_index.c - the per-cluster RBAC index (cl->rbac): every Role, ClusterRole,
 * RoleBinding and ClusterRoleBinding, compiled; aggregated ClusterRoles' effective rules
 * recomputed lazily; a table from subject (user, group, service account) to the bindings
 * that name it. store_range builds it on the first decision and a store_watch per RBAC
 * prefix keeps it fresh; rbac_forget frees it with its cluster.
 */
#include "kube/rbac.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "core/dbuf.h"
#include "core/embed.h"
#include "core/hmap.h"
#include "core/store.h"
#include "kube/rbac_impl.h"
#include "kube/util.h"

const char *const rbac_kind_res[N_KINDS] = {"roles", "clusterroles", "rolebindings",
					    "clusterrolebindings"};

/* ---- roles ---- */

static void role_free(struct role *r)
{
	if (!r)
		return;
	rbac_crules_free(r->rules, r->n_rules);
	rbac_crules_free(r->eff, r->n_eff);
	json_decref(r->eff_json);
	json_decref(r->obj);
	free(r);
}

static struct role *role_new(json_t *obj)
{
	struct role *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->obj = obj;
	r->aggregated = json_is_object(json_object_get(obj, "aggregationRule"));
	if (rbac_crules_compile(json_object_get(obj, "rules"), &r->rules, &r->n_rules) != 0) {
		r->obj = NULL;
		free(r);
		return NULL;
	}
	return r;
}

/* A label selector (matchLabels and matchExpressions) against labels. */
static int selector_matches(const json_t *sel, const json_t *labels)
{
	const char *k;
	json_t *v;
	if (!json_is_object(sel))
		return 0;
	json_t *ml = json_object_get(sel, "matchLabels");
	json_t *me = json_object_get(sel, "matchExpressions");
	/* an empty selector selects every ClusterRole (metav1.LabelSelectorAsSelector) */
	json_object_foreach(ml, k, v)
	{
		const char *want = json_string_value(v);
		const char *got = json_string_value(json_object_get(labels, k));
		if (!want || !got || strcmp(want, got) != 0)
			return 0;
	}
	size_t i;
	json_array_foreach(me, i, v)
	{
		const char *key = kube_jstr(v, "key"), *op = kube_jstr(v, "operator");
		json_t *vals = json_object_get(v, "values");
		const char *got = json_string_value(json_object_get(labels, key));
		int in = 0;
		size_t j;
		json_t *x;
		json_array_foreach(vals, j, x)
		{
			if (got && json_string_value(x) && strcmp(got, json_string_value(x)) == 0)
				in = 1;
		}
		if (strcmp(op, "In") == 0 && !(got && in))
			return 0;
		if (strcmp(op, "NotIn") == 0 && got && in)
			return 0;
		if (strcmp(op, "Exists") == 0 && !got)
			return 0;
		if (strcmp(op, "DoesNotExist") == 0 && got)
			return 0;
	}
	return 1;
}

static int refresh_aggregate(struct rbac_index *ix, struct role *r, int depth);

/* The rules in effect for a role: its own, or for an aggregated ClusterRole the union
 * of the matching ClusterRoles' rules, in name order, without duplicates. */
const struct crule *rbac_role_rules(struct rbac_index *ix, struct role *r, size_t *n)
{
	if (!r->aggregated) {
		*n = r->n_rules;
		return r->rules;
	}
	if (!r->eff_valid || r->eff_gen != ix->gen)
		refresh_aggregate(ix, r, 0);
	*n = r->n_eff;
	return r->eff;
}

static int refresh_aggregate(struct rbac_index *ix, struct role *r, int depth)
{
	json_t *agg =
		json_object_get(json_object_get(r->obj, "aggregationRule"), "clusterRoleSelectors");
	json_t *out = json_array();
	const char **names = NULL;
	size_t n_names = 0, pos = 0, i, j;
	const char *key;
	void *val;
	int rc = -ENOMEM;
	if (!out)
		goto out;
	names = calloc(hmap_count(ix->maps[KIND_CLUSTERROLES]) + 1, sizeof(*names));
	if (!names)
		goto out;
	while (hmap_next(ix->maps[KIND_CLUSTERROLES], &pos, &key, &val)) {
		struct role *o = val;
		if (o == r)
			continue;
		json_t *labels = json_object_get(json_object_get(o->obj, "metadata"), "labels");
		json_t *sel;
		json_array_foreach(agg, i, sel)
		{
			if (selector_matches(sel, labels)) {
				names[n_names++] = key;
				break;
			}
		}
	}
	qsort(names, n_names, sizeof(*names), rbac_cmp_str_ptr);
	for (i = 0; i < n_names; i++) {
		struct role *o = hmap_get(ix->maps[KIND_CLUSTERROLES], names[i]);
		const json_t *src;
		json_t *rule;
		if (!o)
			continue;
		if (o->aggregated) {
			if (depth >= AGG_DEPTH)
				continue;
			if (!o->eff_valid || o->eff_gen != ix->gen)
				refresh_aggregate(ix, o, depth + 1);
			src = o->eff_json;
		} else {
			src = json_object_get(o->obj, "rules");
		}
		json_array_foreach(src, j, rule)
		{
			size_t k;
			json_t *have;
			int dup = 0;
			json_array_foreach(out, k, have)
			{
				if (json_equal(have, rule)) {
					dup = 1;
					break;
				}
			}
			if (!dup && json_array_append(out, rule) != 0)
				goto out;
		}
	}
	rbac_crules_free(r->eff, r->n_eff);
	r->eff = NULL;
	r->n_eff = 0;
	json_decref(r->eff_json);
	r->eff_json = out;
	out = NULL;
	r->eff_gen = ix->gen;
	r->eff_valid = 1;
	rc = rbac_crules_compile(r->eff_json, &r->eff, &r->n_eff);
out:
	free(names);
	json_decref(out);
	return rc;
}

/* ---- bindings and the subject index ---- */

static struct sbucket *stable_get(const struct stable *t, const char *key, size_t len,
				  uint64_t hash)
{
	if (!t->cap)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		const struct sslot *sl = &t->slots[i];
		if (!sl->b)
			return NULL;
		if (sl->hash == hash && sl->b->len == len && memcmp(sl->b->key, key, len) == 0)
			return sl->b;
	}
}

static void stable_place(struct sslot *slots, size_t cap, struct sbucket *b)
{
	size_t mask = cap - 1, i = b->hash & mask;
	while (slots[i].b)
		i = (i + 1) & mask;
	slots[i].hash = b->hash;
	slots[i].b = b;
}

static int stable_put(struct stable *t, struct sbucket *b)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct sslot *slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].b)
				stable_place(slots, cap, t->slots[i].b);
		free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	stable_place(t->slots, t->cap, b);
	t->n++;
	return 0;
}

static void stable_del(struct stable *t, const struct sbucket *b)
{
	size_t mask = t->cap - 1, i = b->hash & mask, j, k;
	while (t->slots[i].b != b) {
		if (!t->slots[i].b)
			return;
		i = (i + 1) & mask;
	}
	/* backward shift: pull later entries of the run into the hole unless their home
	 * lies cyclically in (i, j] */
	for (j = i;;) {
		j = (j + 1) & mask;
		if (!t->slots[j].b)
			break;
		k = t->slots[j].hash & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i].b = NULL;
	t->slots[i].hash = 0;
	t->n--;
}

static void sbucket_free(struct sbucket *sb)
{
	if (sb && sb->v != sb->inl)
		free(sb->v);
	free(sb);
}

/* The interned copy of a binding namespace. */
static const char *ns_intern(struct rbac_index *ix, const char *ns)
{
	char *have = hmap_get(ix->namespaces, ns);
	if (have)
		return have;
	have = strdup(ns);
	if (!have || hmap_put(ix->namespaces, ns, have) != 0) {
		free(have);
		return NULL;
	}
	return have;
}

static int bucket_add(struct rbac_index *ix, const char *key, struct binding *b, size_t subject)
{
	size_t len = strlen(key);
	uint64_t hash = hmap_hash(key, len);
	struct sbucket *sb = stable_get(&ix->subjects, key, len, hash);
	const char *ns = NULL;
	if (!b->cluster && !(ns = ns_intern(ix, b->ns)))
		return -ENOMEM;
	if (!sb) {
		sb = calloc(1, sizeof(*sb) + len + 1);
		if (!sb)
			return -ENOMEM;
		sb->hash = hash;
		sb->len = len;
		memcpy(sb->key, key, len + 1);
		sb->v = sb->inl;
		sb->cap = INLINE_REFS;
		if (stable_put(&ix->subjects, sb) != 0) {
			free(sb);
			return -ENOMEM;
		}
	}
	if (sb->n == sb->cap) {
		size_t cap = (size_t)sb->cap * 2;
		struct bref *v;
		if (cap > UINT32_MAX)
			return -ENOMEM;
		if (sb->v == sb->inl) {
			v = malloc(cap * sizeof(*v));
			if (v)
				memcpy(v, sb->inl, sizeof(sb->inl));
		} else {
			v = realloc(sb->v, cap * sizeof(*v));
		}
		if (!v)
			return -ENOMEM;
		sb->v = v;
		sb->cap = (uint32_t)cap;
	}
	memset(&sb->v[sb->n], 0, sizeof(sb->v[0]));
	sb->v[sb->n].b = b;
	sb->v[sb->n].ns = ns;
	sb->v[sb->n].subject = (uint32_t)subject;
	sb->n++;
	return 0;
}

static void bucket_remove(struct rbac_index *ix, const char *key, const struct binding *b)
{
	size_t len = strlen(key);
	struct sbucket *sb = stable_get(&ix->subjects, key, len, hmap_hash(key, len));
	if (!sb)
		return;
	for (size_t i = 0; i < sb->n;) {
		if (sb->v[i].b == b) {
			/* keep order: decisions report the first matching binding */
			memmove(&sb->v[i], &sb->v[i + 1], (sb->n - i - 1) * sizeof(sb->v[0]));
			sb->n--;
		} else {
			i++;
		}
	}
	if (sb->n == 0) {
		stable_del(&ix->subjects, sb);
		sbucket_free(sb);
	}
}

/* The index key of a subject of a binding in namespace bns: "U:name" or "G:name"; a
 * ServiceAccount is the user it authenticates as (its namespace defaulting to the
 * binding's). NULL for other kinds. */
static char *subject_key(const json_t *s, const char *bns, int cluster)
{
	const char *kind = kube_jstr(s, "kind"), *name = kube_jstr(s, "name");
	char *key = NULL;
	int n;
	if (strcmp(kind, "User") == 0) {
		n = asprintf(&key, "U:%s", name);
	} else if (strcmp(kind, "Group") == 0) {
		n = asprintf(&key, "G:%s", name);
	} else if (strcmp(kind, "ServiceAccount") == 0) {
		const char *sns = kube_jstr(s, "namespace");
		if (!*sns)
			sns = cluster ? "" : bns;
		n = asprintf(&key, "U:system:serviceaccount:%s:%s", sns, name);
	} else {
		return NULL;
	}
	return n < 0 ? NULL : key;
}

static void binding_unindex(struct rbac_index *ix, struct binding *b)
{
	for (size_t i = 0; i < b->n_keys; i++) {
		if (b->keys[i])
			bucket_remove(ix, b->keys[i], b);
		free(b->keys[i]);
	}
	free(b->keys);
	b->keys = NULL;
	b->n_keys = 0;
}

static void binding_free(struct rbac_index *ix, struct binding *b)
{
	if (!b)
		return;
	binding_unindex(ix, b);
	json_decref(b->obj);
	free(b);
}

static struct binding *binding_new(struct rbac_index *ix, json_t *obj, int cluster)
{
	struct binding *b = calloc(1, sizeof(*b));
	json_t *subjects = json_object_get(obj, "subjects"), *s;
	size_t i;
	if (!b)
		return NULL;
	b->obj = obj;
	b->cluster = cluster;
	json_t *md = json_object_get(obj, "metadata"), *ref = json_object_get(obj, "roleRef");
	b->ns = cluster ? "" : kube_jstr(md, "namespace");
	b->name = kube_jstr(md, "name");
	b->role_kind = kube_jstr(ref, "kind");
	b->role_name = kube_jstr(ref, "name");
	b->n_keys = json_array_size(subjects);
	if (b->n_keys) {
		b->keys = calloc(b->n_keys, sizeof(*b->keys));
		if (!b->keys)
			goto fail;
	}
	json_array_foreach(subjects, i, s)
	{
		b->keys[i] = subject_key(s, b->ns, cluster);
		if (b->keys[i] && bucket_add(ix, b->keys[i], b, i) != 0)
			goto fail;
	}
	return b;
fail:
	b->obj = NULL;
	binding_free(ix, b);
	return NULL;
}

/* ---- the index ---- */

static void entry_free(struct rbac_index *ix, int kind, void *v)
{
	if (kind == KIND_ROLES || kind == KIND_CLUSTERROLES)
		role_free(v);
	else
		binding_free(ix, v);
}

/* Applies one stored object (obj NULL: deleted) under name key of kind. Steals obj. */
int rbac_index_apply(struct rbac_index *ix, int kind, const char *key, json_t *obj)
{
	void *old = hmap_del(ix->maps[kind], key), *nu = NULL;
	int rc = 0;
	if (old)
		entry_free(ix, kind, old);
	if (kind == KIND_CLUSTERROLES)
		ix->gen++;
	if (kind == KIND_ROLES || kind == KIND_CLUSTERROLES)
		ix->roles_gen++;
	if (!obj)
		return 0;
	if (kind == KIND_ROLES || kind == KIND_CLUSTERROLES)
		nu = role_new(obj);
	else
		nu = binding_new(ix, obj, kind == KIND_CLUSTERROLEBINDINGS);
	if (!nu) {
		json_decref(obj);
		return -ENOMEM;
	}
	if (hmap_put(ix->maps[kind], key, nu) != 0) {
		entry_free(ix, kind, nu);
		rc = -ENOMEM;
	}
	return rc;
}

/* The map key of a store key under a kind prefix: "ns/name" or "name". */
static const char *key_tail(const struct rbac_index *ix, int kind, const char *key)
{
	size_t pl = strlen(ix->prefixes[kind]);
	if (strncmp(key, ix->prefixes[kind], pl) != 0)
		return NULL;
	return key + pl;
}

static void on_event(void *arg, const struct store_event *ev)
{
	struct rbac_watch_arg *wa = arg;
	const char *tail = key_tail(wa->ix, wa->kind, ev->key);
	json_t *obj = NULL;
	if (!tail || !*tail)
		return;
	if (ev->type == STORE_PUT) {
		obj = json_loadb(ev->value, ev->value_len, 0, NULL);
		if (!json_is_object(obj)) {
			json_decref(obj);
			obj = NULL;
		}
	}
	rbac_index_apply(wa->ix, wa->kind, tail, obj);
}

void rbac_index_free(struct rbac_index *ix)
{
	if (!ix)
		return;
	for (int k = 0; k < N_KINDS; k++)
		store_unwatch(ix->watches[k]);
	/* bindings first: they hold bucket entries */
	for (int k = N_KINDS - 1; k >= 0; k--) {
		size_t pos = 0;
		const char *key;
		void *v;
		if (!ix->maps[k])
			continue;
		while (hmap_next(ix->maps[k], &pos, &key, &v))
			entry_free(ix, k, v);
		hmap_free(ix->maps[k]);
	}
	for (size_t i = 0; i < ix->subjects.cap; i++)
		sbucket_free(ix->subjects.slots[i].b);
	free(ix->subjects.slots);
	if (ix->namespaces) {
		size_t pos = 0;
		const char *key;
		void *v;
		while (hmap_next(ix->namespaces, &pos, &key, &v))
			free(v);
		hmap_free(ix->namespaces);
	}
	free(ix);
}

static int index_build(struct kube_cluster *cl, struct rbac_index **out)
{
	struct rbac_index *ix = calloc(1, sizeof(*ix));
	int rc = -ENOMEM;
	*out = NULL;
	if (!ix)
		return -ENOMEM;
	ix->store = cl->kube->store;
	ix->roles_gen = 1;
	ix->namespaces = hmap_new(64);
	if (!ix->namespaces)
		goto fail;
	for (int k = 0; k < N_KINDS; k++) {
		ix->maps[k] = hmap_new(k == KIND_CLUSTERROLES ? 128 : 64);
		if (!ix->maps[k]) {
			rc = -ENOMEM;
			goto fail;
		}
		if ((rc = SFMT(ix->prefixes[k], "%s/registry/%s." RBAC_GROUP "/", cl->prefix,
			       rbac_kind_res[k])) < 0)
			goto fail;
	}
	for (int k = 0; k < N_KINDS; k++) {
		struct store_kv *kvs = NULL;
		size_t n = 0;
		int64_t rev = 0;
		rc = store_range(ix->store, ix->prefixes[k], 0, &kvs, &n, &rev);
		if (rc != 0)
			goto fail;
		for (size_t i = 0; i < n; i++) {
			const char *tail = key_tail(ix, k, kvs[i].key);
			json_t *obj = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
			if (!tail || !*tail || !json_is_object(obj)) {
				json_decref(obj);
				continue;
			}
			rc = rbac_index_apply(ix, k, tail, obj);
			if (rc != 0)
				break;
		}
		store_kvs_free(kvs, n);
		if (rc != 0)
			goto fail;
		ix->wargs[k].ix = ix;
		ix->wargs[k].kind = k;
		rc = store_watch(ix->store, ix->prefixes[k], rev, on_event, &ix->wargs[k],
				 &ix->watches[k]);
		if (rc != 0)
			goto fail;
	}
	*out = ix;
	return 0;
fail:
	rbac_index_free(ix);
	return rc ? rc : -ENOMEM;
}

/* The cluster's index, built on first use. NULL when it cannot be built. */
struct rbac_index *rbac_index_of(struct kube_cluster *cl)
{
	if (!cl->rbac && cl->kube && cl->kube->store)
		index_build(cl, &cl->rbac);
	return cl->rbac;
}

void rbac_forget(struct kube_cluster *cl)
{
	rbac_index_free(cl->rbac);
	cl->rbac = NULL;
}

/* ---- visiting the rules that apply to a user ---- */

static struct role *binding_role(struct rbac_index *ix, const struct binding *b)
{
	char key[600];
	if (strcmp(b->role_kind, "ClusterRole") == 0)
		return hmap_get(ix->maps[KIND_CLUSTERROLES], b->role_name);
	if (strcmp(b->role_kind, "Role") == 0 && !b->cluster) {
		if (SFMT(key, "%s/%s", b->ns, b->role_name) < 0)
			return NULL;
		return hmap_get(ix->maps[KIND_ROLES], key);
	}
	return NULL;
}

/* The role a bref's binding refers to (cached until a role changes), or NULL. */
static struct role *bref_role(struct rbac_index *ix, struct bref *r)
{
	if (r->role_gen != ix->roles_gen) {
		r->role = binding_role(ix, r->b);
		r->role_gen = ix->roles_gen;
	}
	return r->role;
}

static int visit_ref(struct rbac_index *ix, struct bref *ref, visit_fn fn, void *arg)
{
	const struct binding *b = ref->b;
	struct role *r = bref_role(ix, ref);
	if (!r) {
		char err[700];
		/* as the authorizer's listers word it */
		snprintf(err, sizeof(err), "%s.%s \"%s\" not found",
			 strcmp(b->role_kind, "Role") == 0 ? "role" : "clusterrole", RBAC_GROUP,
			 b->role_name);
		return fn(arg, b, ref->subject, NULL, 0, err);
	}
	size_t n;
	const struct crule *rules = rbac_role_rules(ix, r, &n);
	return fn(arg, b, ref->subject, rules, n, NULL);
}

/* A subject key ("U:name" / "G:name") and its hash, for a lookup. */
struct skey {
	char key[400];
	size_t len;
	uint64_t hash;
};

static int skey_make(struct skey *k, char kind, const char *name, size_t max)
{
	size_t nl = strnlen(name, max);
	if (nl + 3 > sizeof(k->key))
		return -ENAMETOOLONG;
	k->key[0] = kind;
	k->key[1] = ':';
	memcpy(k->key + 2, name, nl);
	k->key[2 + nl] = '\0';
	k->len = nl + 2;
	k->hash = hmap_hash(k->key, k->len);
	return 0;
}

/* As upstream's VisitRulesFor: the cluster bindings, then the namespace's bindings, of
 * the user and of each of its groups. The subjects' slots are fetched together (one
 * round of cache misses for all of them, not one per subject). */
void rbac_visit_rules_for(struct rbac_index *ix, const struct kube_user *u, const char *ns,
			  visit_fn fn, void *arg)
{
	struct skey keys[1 + KUBE_MAX_GROUPS];
	struct sbucket *bs[1 + KUBE_MAX_GROUPS];
	size_t nk = 0, n = 0, i, j;
	const char *ins = ns && *ns ? hmap_get(ix->namespaces, ns) : NULL;
	if (!ix->subjects.cap)
		return;
	if (skey_make(&keys[nk], 'U', u->name, sizeof(u->name)) == 0)
		nk++;
	for (i = 0; i < u->n_groups && i < KUBE_MAX_GROUPS; i++)
		if (skey_make(&keys[nk], 'G', u->groups[i], sizeof(u->groups[i])) == 0)
			nk++;
	size_t mask = ix->subjects.cap - 1;
	for (i = 0; i < nk; i++)
		__builtin_prefetch(&ix->subjects.slots[keys[i].hash & mask]);
	/* then the buckets of the slots whose hash matches */
	for (i = 0; i < nk; i++)
		for (j = keys[i].hash & mask; ix->subjects.slots[j].b; j = (j + 1) & mask)
			if (ix->subjects.slots[j].hash == keys[i].hash) {
				__builtin_prefetch(ix->subjects.slots[j].b);
				break;
			}
	for (i = 0; i < nk; i++)
		if ((bs[n] = stable_get(&ix->subjects, keys[i].key, keys[i].len, keys[i].hash)))
			n++;
	for (i = 0; i < n; i++)
		for (j = 0; j < bs[i]->n; j++)
			if (!bs[i]->v[j].ns && visit_ref(ix, &bs[i]->v[j], fn, arg))
				return;
	if (!ins)
		return;
	for (i = 0; i < n; i++)
		for (j = 0; j < bs[i]->n; j++)
			if (bs[i]->v[j].ns == ins && visit_ref(ix, &bs[i]->v[j], fn, arg))
				return;
}
