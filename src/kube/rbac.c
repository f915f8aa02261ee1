/*
 * rbac.c - Kubernetes RBAC with upstream semantics (rbac.go, evaluation_helpers.go,
 * registry/rbac/validation/rule.go), over an in-memory index per cluster.
 *
 * The index holds every Role, ClusterRole, RoleBinding and ClusterRoleBinding of a
 * cluster, compiled (rules as arrays of borrowed strings), and a table from subject
 * (user, group, service account) to the bindings that name it, so a decision looks up
 * the user and each of its groups once: its cost does not grow with the number of
 * bindings in the cluster (bench/bench_rbac.c). store_range builds the index on first
 * use; a store_watch per RBAC prefix keeps it fresh. ClusterRoles with an
 * aggregationRule get their rules from the ClusterRoles their selectors match,
 * recomputed lazily after any ClusterRole changes (as the aggregation controller would
 * write them).
 */
#include "kube/rbac.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "core/embed.h"
#include "core/hmap.h"
#include "core/store.h"
#include "kube/util.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"
#define MAX_INDEXES 64
#define AGG_DEPTH 8

/* A PolicyRule, compiled: arrays of strings borrowed from the JSON it came from. */
struct crule {
	const char **verbs, **groups, **resources, **names, **urls;
	uint16_t n_verbs, n_groups, n_resources, n_names, n_urls;
	const json_t *json;
};

struct role {
	json_t *obj;
	struct crule *rules;
	size_t n_rules;
	int aggregated; /* has an aggregationRule: the rules come from other ClusterRoles */
	/* aggregated roles: the effective rules, valid while eff_gen == index gen */
	json_t *eff_json;
	struct crule *eff;
	size_t n_eff;
	uint64_t eff_gen;
	int eff_valid;
};

enum { KIND_ROLES = 0, KIND_CLUSTERROLES, KIND_ROLEBINDINGS, KIND_CLUSTERROLEBINDINGS, N_KINDS };
static const char *const kind_res[N_KINDS] = {"roles", "clusterroles", "rolebindings",
					      "clusterrolebindings"};

struct binding {
	json_t *obj;
	int cluster; /* a ClusterRoleBinding */
	const char *ns, *name, *role_kind, *role_name;
	char **keys; /* subject index keys, one per subject (NULL for ignored subjects) */
	size_t n_keys;
};

/* One binding naming a subject. */
struct bref {
	struct binding *b;
	const char *ns;	   /* the binding's namespace, interned; NULL: a ClusterRoleBinding */
	struct role *role; /* its roleRef, resolved; valid while role_gen == roles_gen */
	uint64_t role_gen;
	uint32_t subject; /* index into the binding's subjects */
};

/* The bindings that name one subject ("U:name" or "G:name", ServiceAccounts as their
 * user names), in both scopes, in the order they were added. Small lists live inline,
 * so a lookup touches the slot and this one block. */
#define INLINE_REFS 2
struct sbucket {
	uint64_t hash;
	uint32_t n, cap;
	struct bref *v; /* inl while cap == INLINE_REFS */
	struct bref inl[INLINE_REFS];
	size_t len;
	char key[];
};

/* subject -> sbucket: open addressing, linear probing, at most half full, deletion by
 * backward shift (no tombstones). */
struct sslot {
	uint64_t hash;
	struct sbucket *b;
};
struct stable {
	struct sslot *slots;
	size_t cap, n; /* cap a power of two */
};

struct rbac_index {
	struct kube_cluster *cl;
	struct store *store;
	char cl_prefix[400];
	char prefixes[N_KINDS][512];
	struct hmap *maps[N_KINDS]; /* "ns/name" (namespaced) or "name" -> role / binding */
	struct stable subjects;
	struct hmap *namespaces; /* interned binding namespaces: ns -> its own copy */
	struct store_watch *watches[N_KINDS];
	uint64_t gen;	    /* bumped on every ClusterRole change (aggregation) */
	uint64_t roles_gen; /* bumped on every Role or ClusterRole change */
};

static struct rbac_index *indexes[MAX_INDEXES];

/* ---- small helpers ---- */

static void appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	if (*pos >= len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*pos += (size_t)n;
	if (*pos >= len)
		*pos = len - 1;
}

/* Go's %q of a string, for the ASCII names RBAC deals in. */
static void appendq(char *buf, size_t len, size_t *pos, const char *s)
{
	appendf(buf, len, pos, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			appendf(buf, len, pos, "\\%c", c);
		else if (c == '\n')
			appendf(buf, len, pos, "\\n");
		else if (c < 0x20 || c == 0x7f)
			appendf(buf, len, pos, "\\x%02x", c);
		else
			appendf(buf, len, pos, "%c", c);
	}
	appendf(buf, len, pos, "\"");
}

/* ---- compiled rules ---- */

static int compile_list(const json_t *rule, const char *field, const char ***out, uint16_t *n)
{
	json_t *arr = json_object_get(rule, field);
	size_t i, m = json_array_size(arr), k = 0;
	*out = NULL;
	*n = 0;
	if (m == 0)
		return 0;
	if (m > 4096)
		m = 4096;
	*out = calloc(m, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < m; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (s)
			(*out)[k++] = s;
	}
	*n = (uint16_t)k;
	return 0;
}

static void crule_clear(struct crule *r)
{
	free(r->verbs);
	free(r->groups);
	free(r->resources);
	free(r->names);
	free(r->urls);
	memset(r, 0, sizeof(*r));
}

static int crule_compile(const json_t *rule, struct crule *r)
{
	memset(r, 0, sizeof(*r));
	r->json = rule;
	if (compile_list(rule, "verbs", &r->verbs, &r->n_verbs) ||
	    compile_list(rule, "apiGroups", &r->groups, &r->n_groups) ||
	    compile_list(rule, "resources", &r->resources, &r->n_resources) ||
	    compile_list(rule, "resourceNames", &r->names, &r->n_names) ||
	    compile_list(rule, "nonResourceURLs", &r->urls, &r->n_urls)) {
		crule_clear(r);
		return -ENOMEM;
	}
	return 0;
}

static void crules_free(struct crule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		crule_clear(&rules[i]);
	free(rules);
}

/* Compiles a JSON array of PolicyRules. */
static int crules_compile(const json_t *arr, struct crule **out, size_t *n)
{
	size_t m = json_array_size(arr), i;
	*out = NULL;
	*n = 0;
	if (m == 0)
		return 0;
	struct crule *r = calloc(m, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < m; i++) {
		if (crule_compile(json_array_get(arr, i), &r[i]) != 0) {
			crules_free(r, i);
			return -ENOMEM;
		}
	}
	*out = r;
	*n = m;
	return 0;
}

static int has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* evaluation_helpers.go */
static int verb_matches(const struct crule *r, const char *verb)
{
	for (size_t i = 0; i < r->n_verbs; i++)
		if (strcmp(r->verbs[i], "*") == 0 || strcmp(r->verbs[i], verb) == 0)
			return 1;
	return 0;
}

static int group_matches(const struct crule *r, const char *group)
{
	for (size_t i = 0; i < r->n_groups; i++)
		if (strcmp(r->groups[i], "*") == 0 || strcmp(r->groups[i], group) == 0)
			return 1;
	return 0;
}

static int resource_matches(const struct crule *r, const char *combined, const char *sub)
{
	size_t sublen = strlen(sub);
	for (size_t i = 0; i < r->n_resources; i++) {
		const char *rr = r->resources[i];
		if (strcmp(rr, "*") == 0 || strcmp(rr, combined) == 0)
			return 1;
		if (sublen == 0)
			continue;
		/* "*\/sub" matches any resource's sub */
		if (strlen(rr) == sublen + 2 && rr[0] == '*' && rr[1] == '/' &&
		    strcmp(rr + 2, sub) == 0)
			return 1;
	}
	return 0;
}

static int name_matches(const struct crule *r, const char *name)
{
	if (r->n_names == 0)
		return 1;
	for (size_t i = 0; i < r->n_names; i++)
		if (strcmp(r->names[i], name) == 0)
			return 1;
	return 0;
}

static int url_matches(const struct crule *r, const char *path)
{
	for (size_t i = 0; i < r->n_urls; i++) {
		const char *u = r->urls[i];
		size_t ul = strlen(u);
		if (strcmp(u, "*") == 0 || strcmp(u, path) == 0)
			return 1;
		if (ul > 0 && u[ul - 1] == '*') {
			/* strings.TrimRight(rule, "*") */
			while (ul > 0 && u[ul - 1] == '*')
				ul--;
			if (strncmp(path, u, ul) == 0)
				return 1;
		}
	}
	return 0;
}

/* A request as rules see it: the combined "res/sub" is built once per decision. */
struct req {
	const struct kube_attrs *a;
	char combined[160];
};

static void req_init(struct req *q, const struct kube_attrs *a)
{
	size_t rl = strnlen(a->resource, sizeof(a->resource));
	size_t sl = strnlen(a->subresource, sizeof(a->subresource));
	q->a = a;
	if (rl + 1 + sl >= sizeof(q->combined))
		rl = sl = 0;
	memcpy(q->combined, a->resource, rl);
	if (sl) {
		q->combined[rl] = '/';
		memcpy(q->combined + rl + 1, a->subresource, sl);
		rl += 1 + sl;
	}
	q->combined[rl] = '\0';
}

static int crule_allows(const struct crule *r, const struct req *q)
{
	const struct kube_attrs *a = q->a;
	if (a->resource_request)
		return verb_matches(r, a->verb) && group_matches(r, a->group) &&
		       resource_matches(r, q->combined, a->subresource) && name_matches(r, a->name);
	return verb_matches(r, a->verb) && url_matches(r, a->path);
}

int rbac_rule_allows(const json_t *rule, const struct kube_attrs *a)
{
	struct crule r;
	struct req q;
	if (!json_is_object(rule) || crule_compile(rule, &r) != 0)
		return 0;
	req_init(&q, a);
	int ok = crule_allows(&r, &q);
	crule_clear(&r);
	return ok;
}

/* ---- roles ---- */

static void role_free(struct role *r)
{
	if (!r)
		return;
	crules_free(r->rules, r->n_rules);
	crules_free(r->eff, r->n_eff);
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
	if (crules_compile(json_object_get(obj, "rules"), &r->rules, &r->n_rules) != 0) {
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

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int refresh_aggregate(struct rbac_index *ix, struct role *r, int depth);

/* The rules in effect for a role: its own, or for an aggregated ClusterRole the union
 * of the matching ClusterRoles' rules, in name order, without duplicates. */
static const struct crule *role_rules(struct rbac_index *ix, struct role *r, size_t *n)
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
	qsort(names, n_names, sizeof(*names), cmp_str_ptr);
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
	crules_free(r->eff, r->n_eff);
	r->eff = NULL;
	r->n_eff = 0;
	json_decref(r->eff_json);
	r->eff_json = out;
	out = NULL;
	r->eff_gen = ix->gen;
	r->eff_valid = 1;
	rc = crules_compile(r->eff_json, &r->eff, &r->n_eff);
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
static int index_apply(struct rbac_index *ix, int kind, const char *key, json_t *obj)
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

struct watch_arg {
	struct rbac_index *ix;
	int kind;
};
static struct watch_arg watch_args[MAX_INDEXES][N_KINDS];

static void on_event(void *arg, const struct store_event *ev)
{
	struct watch_arg *wa = arg;
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
	index_apply(wa->ix, wa->kind, tail, obj);
}

static void index_free(struct rbac_index *ix)
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

static void prefix_of(const struct kube_cluster *cl, int kind, char *out, size_t len)
{
	snprintf(out, len, "%s/registry/%s." RBAC_GROUP "/", cl->prefix, kind_res[kind]);
}

static int index_build(struct kube_cluster *cl, size_t slot, struct rbac_index **out)
{
	struct rbac_index *ix = calloc(1, sizeof(*ix));
	int rc = -ENOMEM;
	*out = NULL;
	if (!ix)
		return -ENOMEM;
	ix->cl = cl;
	ix->store = cl->kube->store;
	snprintf(ix->cl_prefix, sizeof(ix->cl_prefix), "%s", cl->prefix);
	ix->roles_gen = 1;
	ix->namespaces = hmap_new(64);
	if (!ix->namespaces)
		goto fail;
	for (int k = 0; k < N_KINDS; k++) {
		ix->maps[k] = hmap_new(k == KIND_CLUSTERROLES ? 128 : 64);
		if (!ix->maps[k])
			goto fail;
		prefix_of(cl, k, ix->prefixes[k], sizeof(ix->prefixes[k]));
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
			rc = index_apply(ix, k, tail, obj);
			if (rc != 0)
				break;
		}
		store_kvs_free(kvs, n);
		if (rc != 0)
			goto fail;
		watch_args[slot][k].ix = ix;
		watch_args[slot][k].kind = k;
		rc = store_watch(ix->store, ix->prefixes[k], rev, on_event, &watch_args[slot][k],
				 &ix->watches[k]);
		if (rc != 0)
			goto fail;
	}
	*out = ix;
	return 0;
fail:
	index_free(ix);
	return rc ? rc : -ENOMEM;
}

/* The cluster's index, built on first use. NULL when it cannot be built. */
static struct rbac_index *index_of(struct kube_cluster *cl)
{
	size_t free_slot = MAX_INDEXES;
	for (size_t i = 0; i < MAX_INDEXES; i++) {
		struct rbac_index *ix = indexes[i];
		if (!ix) {
			if (free_slot == MAX_INDEXES)
				free_slot = i;
			continue;
		}
		if (ix->cl == cl) {
			if (ix->store == cl->kube->store && strcmp(ix->cl_prefix, cl->prefix) == 0)
				return ix;
			/* a different cluster at a reused address */
			index_free(ix);
			indexes[i] = NULL;
			if (free_slot == MAX_INDEXES)
				free_slot = i;
		}
	}
	if (free_slot == MAX_INDEXES || !cl->kube || !cl->kube->store)
		return NULL;
	struct rbac_index *ix = NULL;
	if (index_build(cl, free_slot, &ix) != 0)
		return NULL;
	indexes[free_slot] = ix;
	return ix;
}

void rbac_forget(struct kube_cluster *cl)
{
	for (size_t i = 0; i < MAX_INDEXES; i++) {
		if (indexes[i] && indexes[i]->cl == cl) {
			index_free(indexes[i]);
			indexes[i] = NULL;
		}
	}
}

/* ---- visiting the rules that apply to a user ---- */

/* Called for each (binding, subject, rules) that applies; returns 1 to stop. err is a
 * resolution error (rules NULL). */
typedef int (*visit_fn)(void *arg, const struct binding *b, size_t subject,
			const struct crule *rules, size_t n_rules, const char *err);

static struct role *binding_role(struct rbac_index *ix, const struct binding *b)
{
	char key[600];
	if (strcmp(b->role_kind, "ClusterRole") == 0)
		return hmap_get(ix->maps[KIND_CLUSTERROLES], b->role_name);
	if (strcmp(b->role_kind, "Role") == 0 && !b->cluster) {
		snprintf(key, sizeof(key), "%s/%s", b->ns, b->role_name);
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
	const struct crule *rules = role_rules(ix, r, &n);
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
static void visit_rules_for(struct rbac_index *ix, const struct kube_user *u, const char *ns,
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

static void describe_subject(const json_t *s, const char *bns, char *out, size_t len, size_t *pos)
{
	const char *kind = kube_jstr(s, "kind"), *name = kube_jstr(s, "name");
	char buf[700];
	appendf(out, len, pos, "%s ", kind);
	if (strcmp(kind, "ServiceAccount") == 0) {
		const char *sns = kube_jstr(s, "namespace");
		snprintf(buf, sizeof(buf), "%s/%s", name, *sns ? sns : bns);
		appendq(out, len, pos, buf);
	} else {
		appendq(out, len, pos, name);
	}
}

/* upstream's clusterRoleBindingDescriber / roleBindingDescriber */
static void describe_binding(const struct binding *b, size_t subject, char *out, size_t len)
{
	size_t pos = 0;
	char buf[700];
	json_t *s = json_array_get(json_object_get(b->obj, "subjects"), subject);
	if (b->cluster) {
		appendf(out, len, &pos, "ClusterRoleBinding ");
		appendq(out, len, &pos, b->name);
	} else {
		snprintf(buf, sizeof(buf), "%s/%s", b->name, b->ns);
		appendf(out, len, &pos, "RoleBinding ");
		appendq(out, len, &pos, buf);
	}
	appendf(out, len, &pos, " of %s ", b->role_kind);
	appendq(out, len, &pos, b->role_name);
	appendf(out, len, &pos, " to ");
	describe_subject(s, b->cluster ? "" : b->ns, out, len, &pos);
}

struct authz_visit {
	struct req q;
	int allowed;
	char *reason;
	size_t len;
	char errs[2048];
	size_t errs_pos;
	size_t n_errs;
};

static int authz_visit(void *arg, const struct binding *b, size_t subject,
		       const struct crule *rules, size_t n, const char *err)
{
	struct authz_visit *v = arg;
	if (err) {
		appendf(v->errs, sizeof(v->errs), &v->errs_pos, "%s%s", v->n_errs ? ", " : "", err);
		v->n_errs++;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (crule_allows(&rules[i], &v->q)) {
			v->allowed = 1;
			if (v->reason && v->len) {
				char d[1500];
				describe_binding(b, subject, d, sizeof(d));
				snprintf(v->reason, v->len, "RBAC: allowed by %s", d);
			}
			return 1;
		}
	}
	return 0;
}

enum kube_decision rbac_authorize_reason(struct kube_cluster *cl, const struct kube_user *u,
					 const struct kube_attrs *a, char *reason, size_t len)
{
	struct rbac_index *ix;
	struct authz_visit v;
	if (reason && len)
		reason[0] = '\0';
	if (!cl || !u || !a || !(ix = index_of(cl)))
		return KUBE_NO_OPINION;
	memset(&v, 0, sizeof(v));
	req_init(&v.q, a);
	v.reason = reason;
	v.len = len;
	visit_rules_for(ix, u, a->resource_request ? a->namespace_ : "", authz_visit, &v);
	if (v.allowed)
		return KUBE_ALLOW;
	if (v.n_errs && reason && len) {
		/* utilerrors.NewAggregate: one error as is, several in brackets */
		size_t pos = 0;
		appendf(reason, len, &pos, v.n_errs == 1 ? "RBAC: %s" : "RBAC: [%s]", v.errs);
	}
	return KUBE_NO_OPINION;
}

enum kube_decision rbac_authorize(struct kube_cluster *cl, const struct kube_user *u,
				  const struct kube_attrs *a)
{
	return rbac_authorize_reason(cl, u, a, NULL, 0);
}

/* ---- rules for a user (SelfSubjectRulesReview, escalation) ---- */

struct collect_visit {
	json_t *rules; /* PolicyRule JSON, borrowed-incref'd */
	char errs[2048];
	size_t errs_pos, n_errs;
};

static int collect_visit(void *arg, const struct binding *b, size_t subject,
			 const struct crule *rules, size_t n, const char *err)
{
	struct collect_visit *v = arg;
	(void)b;
	(void)subject;
	if (err) {
		appendf(v->errs, sizeof(v->errs), &v->errs_pos, "%s%s", v->n_errs ? ", " : "", err);
		v->n_errs++;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append(v->rules, (json_t *)rules[i].json);
	return 0;
}

/* The user's rules in ns (new JSON array), and the resolution errors. */
static json_t *rules_for(struct rbac_index *ix, const struct kube_user *u, const char *ns,
			 char *errs, size_t errs_len)
{
	struct collect_visit v;
	memset(&v, 0, sizeof(v));
	v.rules = json_array();
	if (!v.rules)
		return NULL;
	visit_rules_for(ix, u, ns, collect_visit, &v);
	if (errs && errs_len) {
		if (v.n_errs == 0)
			errs[0] = '\0';
		else {
			size_t pos = 0;
			appendf(errs, errs_len, &pos, v.n_errs == 1 ? "%s" : "[%s]", v.errs);
		}
	}
	return v.rules;
}

static json_t *str_array(const json_t *rule, const char *field)
{
	json_t *a = json_object_get(rule, field);
	return json_is_array(a) ? json_deep_copy(a) : json_array();
}

json_t *rbac_rules_for(struct kube_cluster *cl, const struct kube_user *u, const char *ns)
{
	struct rbac_index *ix = cl ? index_of(cl) : NULL;
	char errs[2048] = "";
	json_t *status = json_object(), *rr = json_array(), *nr = json_array(), *rules = NULL;
	json_t *rule;
	size_t i;
	if (!status || !rr || !nr)
		goto fail;
	if (ix) {
		rules = rules_for(ix, u, ns ? ns : "", errs, sizeof(errs));
		if (!rules)
			goto fail;
	}
	json_array_foreach(rules, i, rule)
	{
		if (json_array_size(json_object_get(rule, "nonResourceURLs"))) {
			json_t *o =
				json_pack("{s:o,s:o}", "verbs", str_array(rule, "verbs"),
					  "nonResourceURLs", str_array(rule, "nonResourceURLs"));
			if (!o || json_array_append_new(nr, o) != 0)
				goto fail;
		}
		if (json_array_size(json_object_get(rule, "resources")) ||
		    json_array_size(json_object_get(rule, "apiGroups"))) {
			json_t *o = json_pack("{s:o,s:o,s:o}", "verbs", str_array(rule, "verbs"),
					      "apiGroups", str_array(rule, "apiGroups"),
					      "resources", str_array(rule, "resources"));
			if (!o)
				goto fail;
			if (json_array_size(json_object_get(rule, "resourceNames")))
				json_object_set_new(o, "resourceNames",
						    str_array(rule, "resourceNames"));
			if (json_array_append_new(rr, o) != 0)
				goto fail;
		}
	}
	json_decref(rules);
	json_object_set_new(status, "resourceRules", rr);
	json_object_set_new(status, "nonResourceRules", nr);
	json_object_set_new(status, "incomplete", json_false());
	if (errs[0])
		json_object_set_new(status, "evaluationError", json_string(errs));
	return status;
fail:
	json_decref(rules);
	json_decref(status);
	json_decref(rr);
	json_decref(nr);
	return NULL;
}

/* ---- explaining a decision ---- */

struct explain_visit {
	struct req q;
	json_t *considered;
	int allowed;
};

static int explain_visit(void *arg, const struct binding *b, size_t subject,
			 const struct crule *rules, size_t n, const char *err)
{
	struct explain_visit *v = arg;
	char d[1500];
	json_t *e;
	int match = 0;
	describe_binding(b, subject, d, sizeof(d));
	for (size_t i = 0; i < n && !match; i++)
		match = crule_allows(&rules[i], &v->q);
	e = json_pack("{s:s,s:s,s:s,s:s,s:b}", "binding", d, "kind",
		      b->cluster ? "ClusterRoleBinding" : "RoleBinding", "roleKind", b->role_kind,
		      "roleName", b->role_name, "allows", match);
	if (e && err)
		json_object_set_new(e, "error", json_string(err));
	if (e)
		json_array_append_new(v->considered, e);
	v->allowed |= match;
	return 0; /* visit them all */
}

json_t *rbac_explain(struct kube_cluster *cl, const struct kube_user *u, const struct kube_attrs *a)
{
	struct rbac_index *ix = cl && u && a ? index_of(cl) : NULL;
	struct explain_visit v;
	json_t *out = NULL, *granting = NULL;
	size_t pos = 0;
	const char *key;
	void *val;
	if (!ix)
		return NULL;
	memset(&v, 0, sizeof(v));
	req_init(&v.q, a);
	v.considered = json_array();
	granting = json_array();
	if (!v.considered || !granting)
		goto out;
	visit_rules_for(ix, u, a->resource_request ? a->namespace_ : "", explain_visit, &v);
	/* the roles that would grant it: every ClusterRole, and the namespace's Roles */
	for (int k = KIND_ROLES; k <= KIND_CLUSTERROLES; k++) {
		pos = 0;
		while (hmap_next(ix->maps[k], &pos, &key, &val)) {
			size_t n, i;
			const struct crule *rules;
			if (k == KIND_ROLES) {
				size_t nl = strlen(a->namespace_);
				if (!a->resource_request || !nl ||
				    strncmp(key, a->namespace_, nl) != 0 || key[nl] != '/')
					continue;
			}
			rules = role_rules(ix, val, &n);
			for (i = 0; i < n; i++)
				if (crule_allows(&rules[i], &v.q))
					break;
			if (i < n)
				json_array_append_new(
					granting,
					json_pack("{s:s,s:s}", "kind",
						  k == KIND_ROLES ? "Role" : "ClusterRole", "name",
						  k == KIND_ROLES ? strchr(key, '/') + 1 : key));
		}
	}
	out = json_pack("{s:b,s:O,s:O}", "allowed", v.allowed, "considered", v.considered,
			"grantingRoles", granting);
out:
	json_decref(v.considered);
	json_decref(granting);
	return out;
}

/* ---- escalation (registry/rbac/validation/rule.go) ---- */

/* A broken-down rule: one group/resource/verb (and name), or one URL and verb. */
struct simple {
	const char *group, *resource, *verb, *name, *url;
};

static void breakdown(const struct crule *r, struct simple **out, size_t *n, size_t *cap, int *oom)
{
#define PUSH(G, R, V, N, U)                                                                        \
	do {                                                                                       \
		if (*n == *cap) {                                                                  \
			size_t c = *cap ? *cap * 2 : 32;                                           \
			struct simple *p = realloc(*out, c * sizeof(*p));                          \
			if (!p) {                                                                  \
				*oom = 1;                                                          \
				return;                                                            \
			}                                                                          \
			*out = p;                                                                  \
			*cap = c;                                                                  \
		}                                                                                  \
		(*out)[*n].group = (G);                                                            \
		(*out)[*n].resource = (R);                                                         \
		(*out)[*n].verb = (V);                                                             \
		(*out)[*n].name = (N);                                                             \
		(*out)[*n].url = (U);                                                              \
		(*n)++;                                                                            \
	} while (0)
	for (size_t g = 0; g < r->n_groups; g++)
		for (size_t res = 0; res < r->n_resources; res++)
			for (size_t v = 0; v < r->n_verbs; v++) {
				if (r->n_names) {
					for (size_t k = 0; k < r->n_names; k++)
						PUSH(r->groups[g], r->resources[res], r->verbs[v],
						     r->names[k], NULL);
				} else {
					PUSH(r->groups[g], r->resources[res], r->verbs[v], NULL,
					     NULL);
				}
			}
	for (size_t u = 0; u < r->n_urls; u++)
		for (size_t v = 0; v < r->n_verbs; v++)
			PUSH(NULL, NULL, r->verbs[v], NULL, r->urls[u]);
#undef PUSH
}

/* ruleCovers(owner, subrule) for a broken-down subrule */
static int rule_covers(const struct crule *o, const struct simple *s)
{
	if (!(has(o->verbs, o->n_verbs, "*") || has(o->verbs, o->n_verbs, s->verb)))
		return 0;
	if (s->url) {
		/* the subrule has no groups or resources: hasAll(x, []) is true */
		int covered = 0;
		for (size_t i = 0; i < o->n_urls && !covered; i++) {
			const char *u = o->urls[i];
			size_t ul = strlen(u);
			if (strcmp(u, s->url) == 0)
				covered = 1;
			else if (ul && u[ul - 1] == '*') {
				while (ul > 0 && u[ul - 1] == '*')
					ul--;
				covered = strncmp(s->url, u, ul) == 0;
			}
		}
		return covered && o->n_names == 0;
	}
	if (!(has(o->groups, o->n_groups, "*") || has(o->groups, o->n_groups, s->group)))
		return 0;
	/* resourceCoversAll */
	if (!has(o->resources, o->n_resources, "*") &&
	    !has(o->resources, o->n_resources, s->resource)) {
		const char *slash = strchr(s->resource, '/');
		char star[160];
		if (!slash)
			return 0;
		snprintf(star, sizeof(star), "*/%s", slash + 1);
		if (!has(o->resources, o->n_resources, star))
			return 0;
	}
	/* nonResourceURLsCoversAll(owner, []) is true */
	if (!s->name)
		return o->n_names == 0;
	return o->n_names == 0 || has(o->names, o->n_names, s->name);
}

static void go_quote_list(char *out, size_t len, size_t *pos, const char *const *v, size_t n)
{
	appendf(out, len, pos, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			appendf(out, len, pos, " ");
		appendq(out, len, pos, v[i]);
	}
	appendf(out, len, pos, "]");
}

/* rbacv1helpers.CompactString of a compacted rule */
static char *compact_string(const char *group, const char *resource, const char *name,
			    const char *url, const char *const *verbs, size_t n_verbs)
{
	char buf[4096];
	size_t pos = 0;
	int first = 1;
	appendf(buf, sizeof(buf), &pos, "{");
#define PART(label, arr, n)                                                                        \
	do {                                                                                       \
		if (!first)                                                                        \
			appendf(buf, sizeof(buf), &pos, ", ");                                     \
		appendf(buf, sizeof(buf), &pos, label ":");                                        \
		go_quote_list(buf, sizeof(buf), &pos, arr, n);                                     \
		first = 0;                                                                         \
	} while (0)
	if (url) {
		PART("NonResourceURLs", &url, 1);
	} else {
		PART("APIGroups", &group, 1);
		PART("Resources", &resource, 1);
		if (name)
			PART("ResourceNames", &name, 1);
	}
	if (n_verbs)
		PART("Verbs", verbs, n_verbs);
#undef PART
	appendf(buf, sizeof(buf), &pos, "}");
	return strdup(buf);
}

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Covers(owner, servant) and, when not covered, the message lines (sorted, compacted as
 * CompactRules does: simple resource rules of the same group/resource/name merge their
 * verbs). Returns 1 covered, 0 not (with *missing, a malloc'd "\n"-joined list),
 * -ENOMEM. */
static int covers(const struct crule *owner, size_t n_owner, const struct crule *servant,
		  size_t n_servant, char **missing)
{
	struct simple *subs = NULL;
	size_t n = 0, cap = 0, i, j;
	int oom = 0, rc = -ENOMEM;
	char **lines = NULL;
	size_t n_lines = 0;
	int *done = NULL;
	const char **verbs = NULL;
	*missing = NULL;
	for (i = 0; i < n_servant && !oom; i++)
		breakdown(&servant[i], &subs, &n, &cap, &oom);
	if (oom)
		goto out;
	/* keep only the uncovered */
	size_t m = 0;
	for (i = 0; i < n; i++) {
		int ok = 0;
		for (j = 0; j < n_owner && !ok; j++)
			ok = rule_covers(&owner[j], &subs[i]);
		if (!ok)
			subs[m++] = subs[i];
	}
	if (m == 0) {
		rc = 1;
		goto out;
	}
	lines = calloc(m, sizeof(*lines));
	done = calloc(m, sizeof(*done));
	verbs = calloc(m, sizeof(*verbs));
	if (!lines || !done || !verbs)
		goto out;
	for (i = 0; i < m; i++) {
		size_t nv = 0;
		if (done[i])
			continue;
		if (subs[i].url) {
			/* not a simple resource rule: stays as is */
			verbs[0] = subs[i].verb;
			lines[n_lines] = compact_string(NULL, NULL, NULL, subs[i].url, verbs, 1);
			if (!lines[n_lines++])
				goto out;
			continue;
		}
		for (j = i; j < m; j++) {
			if (done[j] || subs[j].url || !same_str(subs[j].group, subs[i].group) ||
			    !same_str(subs[j].resource, subs[i].resource) ||
			    !same_str(subs[j].name, subs[i].name))
				continue;
			done[j] = 1;
			if (!has(verbs, nv, subs[j].verb))
				verbs[nv++] = subs[j].verb;
		}
		lines[n_lines] = compact_string(subs[i].group, subs[i].resource, subs[i].name, NULL,
						verbs, nv);
		if (!lines[n_lines++])
			goto out;
	}
	qsort(lines, n_lines, sizeof(*lines), cmp_str_ptr);
	size_t total = 1;
	for (i = 0; i < n_lines; i++)
		total += strlen(lines[i]) + 1;
	*missing = malloc(total);
	if (!*missing)
		goto out;
	size_t pos = 0;
	for (i = 0; i < n_lines; i++) {
		/* sets.NewString: duplicates collapse */
		if (i && strcmp(lines[i], lines[i - 1]) == 0)
			continue;
		pos += (size_t)sprintf(*missing + pos, "%s%s", pos ? "\n" : "", lines[i]);
	}
	rc = 0;
out:
	for (i = 0; lines && i < n_lines; i++)
		free(lines[i]);
	free(lines);
	free(done);
	free(verbs);
	free(subs);
	return rc;
}

static int is_master(const struct kube_user *u)
{
	for (size_t i = 0; i < u->n_groups && i < KUBE_MAX_GROUPS; i++)
		if (strcmp(u->groups[i], "system:masters") == 0)
			return 1;
	return 0;
}

/* Go's %q of a []string */
static void groups_q(const struct kube_user *u, char *out, size_t len, size_t *pos)
{
	appendf(out, len, pos, "[");
	for (size_t i = 0; i < u->n_groups && i < KUBE_MAX_GROUPS; i++) {
		if (i)
			appendf(out, len, pos, " ");
		appendq(out, len, pos, u->groups[i]);
	}
	appendf(out, len, pos, "]");
}

/* ConfirmNoEscalation: u's rules in ns cover rules. 0, or -EPERM with the text after
 * "is forbidden: " in msg. */
static int confirm_no_escalation(struct rbac_index *ix, const struct kube_user *u, const char *ns,
				 const struct crule *rules, size_t n_rules, char *msg, size_t len)
{
	char errs[2048] = "";
	json_t *owner_json = rules_for(ix, u, ns, errs, sizeof(errs));
	struct crule *owner = NULL;
	size_t n_owner = 0, pos = 0;
	char *missing = NULL;
	int rc = -ENOMEM;
	if (!owner_json)
		return -ENOMEM;
	if (crules_compile(owner_json, &owner, &n_owner) != 0)
		goto out;
	rc = covers(owner, n_owner, rules, n_rules, &missing);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		rc = 0;
		goto out;
	}
	appendf(msg, len, &pos, "user ");
	appendq(msg, len, &pos, u->name);
	appendf(msg, len, &pos, " (groups=");
	groups_q(u, msg, len, &pos);
	appendf(msg, len, &pos, ") is attempting to grant RBAC permissions not currently held:\n%s",
		missing);
	if (errs[0])
		appendf(msg, len, &pos, "; resolution errors: [%s]", errs);
	rc = -EPERM;
out:
	free(missing);
	crules_free(owner, n_owner);
	json_decref(owner_json);
	return rc;
}

/* The full authorization chain for a synthetic request (escalate / bind). */
static int chain_allows(struct kube_cluster *cl, const struct kube_user *u, const char *verb,
			const char *resource, const char *ns, const char *name)
{
	struct kube_attrs a;
	char reason[512];
	memset(&a, 0, sizeof(a));
	a.resource_request = 1;
	snprintf(a.verb, sizeof(a.verb), "%s", verb);
	snprintf(a.group, sizeof(a.group), RBAC_GROUP);
	snprintf(a.version, sizeof(a.version), "v1");
	snprintf(a.resource, sizeof(a.resource), "%s", resource);
	snprintf(a.namespace_, sizeof(a.namespace_), "%s", ns ? ns : "");
	snprintf(a.name, sizeof(a.name), "%s", name ? name : "");
	return kube_authorize(cl, u, &a, reason, sizeof(reason)) == KUBE_ALLOW;
}

/* The stored object (new reference) of kind ns/name, or NULL. */
static json_t *stored(struct rbac_index *ix, int kind, const char *ns, const char *name)
{
	char key[1200];
	if (kind == KIND_ROLES || kind == KIND_ROLEBINDINGS)
		snprintf(key, sizeof(key), "%s%s/%s", ix->prefixes[kind], ns, name);
	else
		snprintf(key, sizeof(key), "%s%s", ix->prefixes[kind], name);
	return cloud_store_get_json(ix->store, key);
}

/* IsOnlyMutatingGCFields: old and new differ only in ownerReferences and finalizers
 * (and the fields the registry sets). */
static int only_gc_fields(const json_t *old, const json_t *nu)
{
	static const char *const skip[] = {"ownerReferences",  "finalizers", "resourceVersion",
					   "managedFields",    "generation", "uid",
					   "creationTimestamp"};
	json_t *a = json_deep_copy(old), *b = json_deep_copy(nu);
	int same = 0;
	if (a && b) {
		json_t *ma = json_object_get(a, "metadata"), *mb = json_object_get(b, "metadata");
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
			json_object_del(ma, skip[i]);
			json_object_del(mb, skip[i]);
		}
		json_object_del(a, "status");
		json_object_del(b, "status");
		same = json_equal(a, b);
	}
	json_decref(a);
	json_decref(b);
	return same;
}

static void forbidden_prefix(const char *resource, const char *name, char *msg, size_t len,
			     size_t *pos)
{
	appendf(msg, len, pos, "%s." RBAC_GROUP " ", resource);
	appendq(msg, len, pos, name);
	appendf(msg, len, pos, " is forbidden: ");
}

int rbac_check_escalation(struct kube_cluster *cl, const struct kube_user *u, const char *resource,
			  const json_t *new_obj, char *msg, size_t len)
{
	struct rbac_index *ix;
	int kind = -1, rc = 0;
	json_t *old = NULL;
	struct crule *rules = NULL;
	size_t n_rules = 0, pos = 0;
	char detail[8192] = "";
	if (len)
		msg[0] = '\0';
	for (int k = 0; k < N_KINDS; k++)
		if (resource && strcmp(resource, kind_res[k]) == 0)
			kind = k;
	if (kind < 0 || !json_is_object(new_obj) || !u || !cl) {
		snprintf(msg, len, "not an RBAC kind: %s", resource ? resource : "(null)");
		return -EINVAL;
	}
	/* system:masters may do anything (the API server's own loopback identity) */
	if (is_master(u))
		return 0;
	if (!(ix = index_of(cl))) {
		snprintf(msg, len, "RBAC index unavailable");
		return -ENOMEM;
	}
	json_t *md = json_object_get(new_obj, "metadata");
	const char *name = kube_jstr(md, "name");
	const char *ns =
		(kind == KIND_ROLES || kind == KIND_ROLEBINDINGS) ? kube_jstr(md, "namespace") : "";
	old = stored(ix, kind, ns, name);
	if (old && only_gc_fields(old, new_obj))
		goto out;

	if (kind == KIND_ROLES || kind == KIND_CLUSTERROLES) {
		/* RoleEscalationAuthorized: the request's name ("" for a create) */
		if (chain_allows(cl, u, "escalate", resource, ns, old ? name : ""))
			goto out;
		rc = crules_compile(json_object_get(new_obj, "rules"), &rules, &n_rules);
		if (rc != 0)
			goto out;
		rc = confirm_no_escalation(ix, u, ns, rules, n_rules, detail, sizeof(detail));
		if (rc == -EPERM) {
			forbidden_prefix(resource, name, msg, len, &pos);
			appendf(msg, len, &pos, "%s", detail);
			goto out;
		}
		if (rc != 0)
			goto out;
		if (kind == KIND_CLUSTERROLES &&
		    json_is_object(json_object_get(new_obj, "aggregationRule"))) {
			/* an aggregationRule can gather anything: requires * on *.* */
			json_t *full = json_pack("[{s:[s],s:[s],s:[s]},{s:[s],s:[s]}]", "verbs",
						 "*", "apiGroups", "*", "resources", "*", "verbs",
						 "*", "nonResourceURLs", "*");
			struct crule *fr = NULL;
			size_t nf = 0;
			if (!full || crules_compile(full, &fr, &nf) != 0) {
				json_decref(full);
				rc = -ENOMEM;
				goto out;
			}
			rc = confirm_no_escalation(ix, u, "", fr, nf, detail, sizeof(detail));
			crules_free(fr, nf);
			json_decref(full);
			if (rc == -EPERM) {
				forbidden_prefix(resource, name, msg, len, &pos);
				appendf(msg, len, &pos,
					"must have cluster-admin privileges to use the "
					"aggregationRule");
			}
		}
		goto out;
	}

	/* bindings */
	json_t *ref = json_object_get(new_obj, "roleRef");
	const char *rkind = kube_jstr(ref, "kind"), *rname = kube_jstr(ref, "name");
	int role_kind = strcmp(rkind, "ClusterRole") == 0 ? KIND_CLUSTERROLES
			: strcmp(rkind, "Role") == 0	  ? KIND_ROLES
							  : -1;
	if (role_kind == KIND_ROLES && kind == KIND_CLUSTERROLEBINDINGS)
		role_kind = -1;
	if (role_kind >= 0 && chain_allows(cl, u, "bind", kind_res[role_kind], ns, rname))
		goto out;
	struct role *r = NULL;
	if (role_kind == KIND_CLUSTERROLES) {
		r = hmap_get(ix->maps[KIND_CLUSTERROLES], rname);
	} else if (role_kind == KIND_ROLES) {
		char key[600];
		snprintf(key, sizeof(key), "%s/%s", ns, rname);
		r = hmap_get(ix->maps[KIND_ROLES], key);
	}
	if (!r) {
		forbidden_prefix(resource, name, msg, len, &pos);
		if (role_kind < 0) {
			appendf(msg, len, &pos, "unsupported role reference kind: ");
			appendq(msg, len, &pos, rkind);
		} else {
			appendf(msg, len, &pos, "%s." RBAC_GROUP " ", kind_res[role_kind]);
			appendq(msg, len, &pos, rname);
			appendf(msg, len, &pos, " not found");
		}
		rc = -EPERM;
		goto out;
	}
	size_t n;
	const struct crule *rr = role_rules(ix, r, &n);
	rc = confirm_no_escalation(ix, u, ns, rr, n, detail, sizeof(detail));
	if (rc == -EPERM) {
		forbidden_prefix(resource, name, msg, len, &pos);
		appendf(msg, len, &pos, "%s", detail);
	}
out:
	crules_free(rules, n_rules);
	json_decref(old);
	return rc;
}

/* ---- bootstrap ---- */

/* Writes obj (stolen) unless an object of that name exists. */
static int put_default(struct kube_cluster *cl, const char *resource, json_t *obj)
{
	const struct kube_resource *res = kube_resource_find(RBAC_GROUP, "v1", resource);
	const char *name = kube_jstr(json_object_get(obj, "metadata"), "name");
	int rc = 0;
	json_t *have;
	if (!res) {
		json_decref(obj);
		return -ENOENT;
	}
	have = registry_get(cl, res, NULL, name);
	if (!have)
		rc = registry_put(cl, res, obj);
	json_decref(have);
	json_decref(obj);
	return rc;
}

int rbac_bootstrap(struct kube_cluster *cl)
{
	json_error_t jerr;
	json_t *doc = json_loadb(embed_rbac_json, EMBED_LEN(rbac_json), 0, &jerr);
	json_t *roles = json_object_get(doc, "clusterRoles");
	json_t *bindings = json_object_get(doc, "clusterRoleBindings"), *o;
	struct rbac_index *ix = NULL;
	size_t i;
	int rc = -EINVAL;
	if (!json_is_array(roles) || !json_is_array(bindings))
		goto out;
	/* Resolve aggregation over the defaults, as the controller would write it. */
	ix = calloc(1, sizeof(*ix));
	if (!ix || !(ix->maps[KIND_CLUSTERROLES] = hmap_new(64))) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(roles, i, o)
	{
		rc = index_apply(ix, KIND_CLUSTERROLES,
				 kube_jstr(json_object_get(o, "metadata"), "name"), json_incref(o));
		if (rc != 0)
			goto out;
	}
	json_array_foreach(roles, i, o)
	{
		json_t *copy = json_deep_copy(o);
		const char *name = kube_jstr(json_object_get(o, "metadata"), "name");
		struct role *r = hmap_get(ix->maps[KIND_CLUSTERROLES], name);
		if (!copy) {
			rc = -ENOMEM;
			goto out;
		}
		if (r && r->aggregated) {
			size_t n;
			role_rules(ix, r, &n);
			json_object_set(copy, "rules", r->eff_json ? r->eff_json : json_array());
		}
		rc = put_default(cl, "clusterroles", copy);
		if (rc != 0)
			goto out;
	}
	json_array_foreach(bindings, i, o)
	{
		json_t *copy = json_deep_copy(o);
		if (!copy) {
			rc = -ENOMEM;
			goto out;
		}
		rc = put_default(cl, "clusterrolebindings", copy);
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	index_free(ix);
	json_decref(doc);
	return rc;
}
