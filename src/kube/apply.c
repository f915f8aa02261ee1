/*
 * apply.c - server-side apply: the structured merge of sigs.k8s.io/structured-merge-diff
 * v4 (typed/merge.go, compare.go, remove.go, tofieldset.go; merge/update.go) and the
 * field manager of k8s.io/apimachinery/pkg/util/managedfields (v0.30), on jansson
 * values, with the merge types of data/kube-apply.json (see apply.h).
 *
 * Field sets are built and combined in an "explicit" form, where a node is a member
 * exactly when it has a "." key; apply.h's FieldsV1 form (a member without children is
 * an empty object) is made only at the edges (set_to_v1 / set_from_v1). Every walk is
 * bounded by MAX_DEPTH, so a value nested beyond it is refused, never recursed into.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/embed.h"
#include "core/http.h"
#include "core/yaml.h"
#include "kube/apply.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/util.h"

#define MAX_DEPTH 160	    /* nesting followed (request bodies stop at 128) */
#define MAX_UPDATERS 10	    /* DefaultMaxUpdateManagers */
#define MANAGER_MAX_LEN 128 /* validation.FieldManagerMaxLength */
#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* --- the types --- */

static json_t *types; /* {TYPE: {field: FIELD}} */
static json_t *kinds; /* {"group/version/Kind": TYPE} */
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load(void)
{
	json_t *doc = json_loadb(embed_kube_apply_json, EMBED_LEN(kube_apply_json), 0, NULL);
	json_t *t = json_object_get(doc, "types"), *k = json_object_get(doc, "kinds");
	if (json_is_object(t) && json_is_object(k)) {
		types = json_incref(t);
		kinds = json_incref(k);
	}
	json_decref(doc);
}

const struct apply_type *apply_type_of(const char *group, const char *version, const char *kind)
{
	char key[256];
	pthread_once(&loaded, load);
	if (!kinds || sfmt(key, sizeof(key), "%s/%s/%s", group, version, kind) < 0)
		return NULL;
	/* the TYPE text lives as long as the process: it is the type's handle */
	return (const struct apply_type *)json_string_value(json_object_get(kinds, key));
}

const struct apply_type *apply_type_add(const char *key, const json_t *crd_types)
{
	const char *k;
	json_t *v;
	pthread_once(&loaded, load);
	const char *root = json_string_value(json_object_get(crd_types, "root"));
	if (!types || !kinds || !root)
		return NULL;
	json_object_foreach((json_t *)json_object_get(crd_types, "types"), k, v)
	{
		if (json_object_set(types, k, v))
			return NULL;
	}
	if (json_object_set_new(kinds, key, json_string(root)))
		return NULL;
	return apply_type_find(key);
}

const struct apply_type *apply_type_find(const char *key)
{
	pthread_once(&loaded, load);
	return (const struct apply_type *)json_string_value(json_object_get(kinds, key));
}

/* A resolved type: what kind of node a FIELD text describes (apply.h's data format). */
struct ty {
	char k;		      /* 's' struct, 'm' map, 'l' list, 'x' scalar, 'd' deduced */
	char atomic;	      /* struct, map, list: replaced whole */
	char set;	      /* list: a set of values ("v:" elements) */
	const json_t *fields; /* struct: its non-scalar fields (NULL: all scalars) */
	const char *keys;     /* keyed list: "k1,k2=DEFAULT" up to '|' */
	const char *elem;     /* list, map: the element's FIELD ("" scalar, NULL deduced) */
	int by_value;	      /* struct held by value: absent compares as {} */
};

static void resolve(const char *f, struct ty *t)
{
	memset(t, 0, sizeof(*t));
	if (!f || *f == '?') { /* untyped: deduced from the value */
		t->k = 'd';
		return;
	}
	if (!*f) {
		t->k = 'x';
		return;
	}
	if (*f == '[' || *f == '{') {
		const char *bar = strchr(f, '|');
		t->k = *f == '[' ? 'l' : 'm';
		t->elem = bar ? bar + 1 : "";
		if (*f == '[') {
			t->atomic = f[1] == '|' || !bar;
			t->set = f[1] == 's';
			t->keys = f[1] == 'm' && f[2] == ':' ? f + 3 : NULL;
			if (!t->set && !t->keys)
				t->atomic = 1;
		} else {
			t->atomic = f[1] == 'a';
		}
		return;
	}
	t->k = 's';
	t->by_value = *f != '*';
	if (*f == '*')
		f++;
	pthread_once(&loaded, load);
	t->fields = json_object_get(types, f);
	t->atomic = json_object_get(t->fields, "$atomic") != NULL;
}

static void root_type(const struct apply_type *at, struct ty *t)
{
	resolve((const char *)at, t);
}

/* The type of a child: a struct's field, a map's or list's element. */
static void child_type(const struct ty *t, const char *field, struct ty *c)
{
	switch (t->k) {
	case 's': {
		const char *f = json_string_value(json_object_get(t->fields, field));
		/* a field a struct does not declare: untyped where it keeps unknown fields */
		resolve(f ? f : json_object_get(t->fields, "$open") ? NULL : "", c);
		break;
	}
	case 'm':
	case 'l':
		resolve(t->elem, c);
		break;
	default:
		resolve(NULL, c);
		break; /* deduced: deduced all the way down */
	}
}

/* Whether v is handled as a leaf of type t: null, scalars, atomic values, and values
 * whose JSON shape does not fit the type (structured-merge-diff's deduceAtom). */
static int is_leaf(const struct ty *t, const json_t *v)
{
	if (!v || json_is_null(v))
		return 1;
	switch (t->k) {
	case 's':
	case 'm':
		return t->atomic || !json_is_object(v);
	case 'l':
		return t->atomic || !json_is_array(v);
	case 'd':
		return !json_is_object(v);
	default:
		return 1;
	}
}

/* A struct declares field (a "named field": its FindField succeeds). */
static int named_field(const struct ty *t, const char *field)
{
	return t->k == 's' && json_object_get(t->fields, field) != NULL;
}

/* --- path elements --- */

static char *pe_field(const char *name)
{
	size_t n = strlen(name);
	char *s = malloc(n + 3);
	if (s) {
		memcpy(s, "f:", 2);
		memcpy(s + 2, name, n + 1);
	}
	return s;
}

static char *prefixed(const char *prefix, char *json)
{
	char *s = NULL;
	if (json) {
		size_t n = strlen(json);
		s = malloc(n + 3);
		if (s) {
			memcpy(s, prefix, 2);
			memcpy(s + 2, json, n + 1);
		}
	}
	free(json);
	return s;
}

/* The path element of a list item: "k:{...}" for a keyed list (missing keys take their
 * defaults), "v:<value>" for a set. NULL with -EINVAL (err filled) or -ENOMEM in *rc. */
static char *item_pe(const struct ty *t, const json_t *item, int *rc, char *err, size_t errlen)
{
	*rc = -ENOMEM;
	if (t->set)
		return prefixed("v:", json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY));
	if (!json_is_object(item)) {
		snprintf(err, errlen, "associative list with keys may not have %s",
			 json_is_null(item) ? "a null element" : "non-map elements");
		*rc = -EINVAL;
		return NULL;
	}
	json_t *key = json_object();
	const char *p = t->keys;
	while (key && p && *p && *p != '|') {
		size_t n = strcspn(p, ",=|");
		char name[128];
		if (n >= sizeof(name))
			break;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		json_t *v = json_object_get(item, name);
		json_t *def = NULL;
		if (*p == '=') { /* a default: JSON up to the next ',' or '|' */
			size_t d = strcspn(++p, ",|");
			def = json_loadb(p, d, JSON_DECODE_ANY, NULL);
			p += d;
		}
		if (!v && !def) {
			snprintf(err, errlen,
				 "associative list with keys has an element that omits key field "
				 "\"%s\" (and doesn't have default value)",
				 name);
			json_decref(key);
			*rc = -EINVAL;
			return NULL;
		}
		json_object_set(key, name, v ? v : def);
		json_decref(def);
		if (*p == ',')
			p++;
	}
	char *s = key ? prefixed("k:", json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS)) : NULL;
	json_decref(key);
	if (s)
		*rc = 0;
	return s;
}

/* --- sets, explicit form: a node is a member when it has "." --- */

static int mark(json_t *node)
{
	return json_object_set_new(node, ".", json_object()) ? -ENOMEM : 0;
}

static int is_member(const json_t *node)
{
	return json_object_get(node, ".") != NULL;
}

/* The child node of set at pe, made when absent. NULL when out of memory. */
static json_t *child_node(json_t *set, const char *pe)
{
	json_t *c = json_object_get(set, pe);
	if (c)
		return c;
	c = json_object();
	if (!c || json_object_set_new(set, pe, c))
		return NULL;
	return c;
}

static int set_union_into(json_t *dst, const json_t *src, int depth)
{
	const char *k;
	json_t *v;
	if (depth > MAX_DEPTH)
		return -ELOOP;
	json_object_foreach((json_t *)src, k, v)
	{
		json_t *c = child_node(dst, k);
		if (!c)
			return -ENOMEM;
		int rc = set_union_into(c, v, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* a − b (inter 0) or a ∩ b (inter 1); b may be NULL. NULL for the empty set; *rc gets
 * -ENOMEM on failure. */
static json_t *set_combine(const json_t *a, const json_t *b, int inter, int *rc)
{
	const char *k;
	json_t *v;
	json_t *out = json_object();
	if (!out) {
		*rc = -ENOMEM;
		return NULL;
	}
	json_object_foreach((json_t *)a, k, v)
	{
		json_t *bv = json_object_get(b, k), *d;
		if (inter && !bv)
			continue;
		if (strcmp(k, ".") == 0)
			d = inter || !bv ? json_object() : NULL;
		else
			d = bv ? set_combine(v, bv, inter, rc) : json_deep_copy(v);
		if (d && json_object_set_new(out, k, d))
			*rc = -ENOMEM;
	}
	if (!json_object_size(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *set_diff(const json_t *a, const json_t *b, int *rc)
{
	return set_combine(a, b, 0, rc);
}

static json_t *set_inter(const json_t *a, const json_t *b, int *rc)
{
	return set_combine(a, b, 1, rc);
}

/* FieldsV1 <-> explicit. Both return NULL for the empty set (and on -ENOMEM, *rc). */
static json_t *set_from_v1(const json_t *v1, int depth, int *rc)
{
	const char *k;
	json_t *v;
	if (!json_is_object(v1) || depth > MAX_DEPTH) {
		*rc = -EINVAL;
		return NULL;
	}
	json_t *out = json_object();
	if (!out || (!json_object_size(v1) && mark(out))) {
		json_decref(out);
		*rc = -ENOMEM;
		return NULL;
	}
	json_object_foreach((json_t *)v1, k, v)
	{
		json_t *c = strcmp(k, ".") == 0 ? json_object() : set_from_v1(v, depth + 1, rc);
		if (*rc) {
			json_decref(c);
			json_decref(out);
			return NULL;
		}
		if (c && json_object_set_new(out, k, c))
			*rc = -ENOMEM;
	}
	return out;
}

static json_t *set_to_v1(const json_t *set, int *rc)
{
	const char *k;
	json_t *v;
	json_t *out = json_object();
	if (!out) {
		*rc = -ENOMEM;
		return NULL;
	}
	int children = 0;
	json_object_foreach((json_t *)set, k, v)
	{
		if (strcmp(k, ".") == 0)
			continue;
		json_t *c = set_to_v1(v, rc);
		if (!c)
			continue;
		children = 1;
		if (json_object_set_new(out, k, c))
			*rc = -ENOMEM;
	}
	if (children && is_member(set) && json_object_set_new(out, ".", json_object()))
		*rc = -ENOMEM;
	if (!children && !is_member(set)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *apply_set_union(const json_t *a, const json_t *b)
{
	int rc = 0;
	json_t *ea = a ? set_from_v1(a, 0, &rc) : NULL, *eb = b ? set_from_v1(b, 0, &rc) : NULL;
	json_t *u = json_object(), *out = NULL;
	if (!rc && u && !set_union_into(u, ea, 0) && !set_union_into(u, eb, 0))
		out = set_to_v1(u, &rc);
	if (!rc && !out)
		out = json_object();
	json_decref(ea);
	json_decref(eb);
	json_decref(u);
	return out;
}

static json_t *v1_binary(const json_t *a, const json_t *b, int inter)
{
	int rc = 0;
	json_t *ea = a ? set_from_v1(a, 0, &rc) : NULL, *eb = b ? set_from_v1(b, 0, &rc) : NULL;
	json_t *r = NULL, *out = NULL;
	if (!rc && ea)
		r = inter ? (eb ? set_inter(ea, eb, &rc) : NULL) : set_diff(ea, eb, &rc);
	if (!rc)
		out = r ? set_to_v1(r, &rc) : NULL;
	if (!rc && !out)
		out = json_object();
	json_decref(ea);
	json_decref(eb);
	json_decref(r);
	return out;
}

json_t *apply_set_difference(const json_t *a, const json_t *b)
{
	return v1_binary(a, b, 0);
}

json_t *apply_set_intersection(const json_t *a, const json_t *b)
{
	return v1_binary(a, b, 1);
}

/* --- paths as fieldpath.Path.String() prints them --- */

/* value.ToString: strings as Go's %q, other values as their JSON. */
static void to_string(struct dbuf *b, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s)
		dbuf_str(b, s);
	else
		b->oom = 1;
	free(s);
}

static void pe_string(struct dbuf *b, const char *pe)
{
	if (strncmp(pe, "f:", 2) == 0) {
		dbuf_printf(b, ".%s", pe + 2);
		return;
	}
	if (strncmp(pe, "i:", 2) == 0) {
		dbuf_printf(b, "[%s]", pe + 2);
		return;
	}
	json_t *v = json_loads(pe + 2, JSON_DECODE_ANY, NULL);
	if (!v) {
		dbuf_str(b, "{{invalid path element}}");
		return;
	}
	if (strncmp(pe, "k:", 2) == 0 && json_is_object(v)) {
		const char *k;
		json_t *x;
		int first = 1;
		dbuf_str(b, "[");
		json_object_foreach(v, k, x)
		{
			dbuf_printf(b, "%s%s=", first ? "" : ",", k);
			to_string(b, x);
			first = 0;
		}
		dbuf_str(b, "]");
	} else {
		dbuf_str(b, "[=");
		to_string(b, v);
		dbuf_str(b, "]");
	}
	json_decref(v);
}

struct paths {
	const char *pes[MAX_DEPTH + 1];
	size_t n;
	int (*fn)(const char *, void *);
	void *arg;
};

static int emit_path(struct paths *p, const char *last)
{
	struct dbuf b = DBUF_INIT(1 << 20);
	int rc = -ENOMEM;
	for (size_t i = 0; i < p->n; i++)
		pe_string(&b, p->pes[i]);
	pe_string(&b, last);
	if (!b.oom)
		rc = p->fn(b.p ? b.p : "", p->arg);
	dbuf_free(&b);
	return rc;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Set.Iterate: this level's members in order, then each child's paths. */
static int iterate(const json_t *set, struct paths *p)
{
	size_t n = json_object_size(set), i = 0;
	const char *k;
	json_t *v;
	int rc = 0;
	if (p->n >= MAX_DEPTH)
		return -ELOOP;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	json_object_foreach((json_t *)set, k, v)
	{
		if (strcmp(k, "."))
			keys[i++] = k;
	}
	qsort(keys, i, sizeof(*keys), cmp_keys);
	for (size_t j = 0; j < i && !rc; j++) {
		if (is_member(json_object_get(set, keys[j])))
			rc = emit_path(p, keys[j]);
	}
	for (size_t j = 0; j < i && !rc; j++) {
		json_t *c = json_object_get(set, keys[j]);
		if (json_object_size(c) > (size_t)is_member(c)) {
			p->pes[p->n++] = keys[j];
			rc = iterate(c, p);
			p->n--;
		}
	}
	free(keys);
	return rc;
}

static int paths_of(const json_t *explicit, int (*fn)(const char *, void *), void *arg)
{
	struct paths p = {.n = 0, .fn = fn, .arg = arg};
	return explicit ? iterate(explicit, &p) : 0;
}

int apply_set_paths(const json_t *set, int (*fn)(const char *path, void *arg), void *arg)
{
	int rc = 0;
	json_t *e = set_from_v1(set, 0, &rc);
	if (!rc)
		rc = paths_of(e, fn, arg);
	json_decref(e);
	return rc;
}

/* --- ToFieldSet --- */

static int list_items(const struct ty *t, const json_t *list, json_t **pes, char *err,
		      size_t errlen);

static int to_set(const json_t *v, const struct ty *t, json_t *node, int depth)
{
	if (depth > MAX_DEPTH)
		return -ELOOP;
	if (is_leaf(t, v))
		return mark(node);
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
		{
			struct ty ct;
			char *pe = pe_field(k);
			json_t *c = pe ? child_node(node, pe) : NULL;
			free(pe);
			if (!c)
				return -ENOMEM;
			child_type(t, k, &ct);
			int rc = to_set(x, &ct, c, depth + 1);
			if (!rc && (json_is_null(x) ||
				    (json_is_object(x) && !json_object_size(x)) || t->k != 's'))
				rc = mark(c);
			if (rc)
				return rc;
		}
		return 0;
	}
	/* an associative list: a duplicated item is a member, not followed */
	char err[256];
	json_t *pes = NULL, *seen = json_object(), *dup = json_object();
	int rc = seen && dup ? list_items(t, v, &pes, err, sizeof(err)) : -ENOMEM;
	size_t i;
	json_t *x;
	struct ty et;
	resolve(t->elem, &et);
	json_array_foreach(rc ? NULL : pes, i, x)
	{
		const char *pe = json_string_value(x);
		if (json_object_get(seen, pe))
			json_object_set(dup, pe, json_true());
		json_object_set(seen, pe, json_true());
	}
	json_array_foreach(rc ? NULL : pes, i, x)
	{
		const char *pe = json_string_value(x);
		json_t *c = child_node(node, pe);
		if (!c) {
			rc = -ENOMEM;
			break;
		}
		if (!json_object_get(dup, pe))
			rc = to_set(json_array_get(v, i), &et, c, depth + 1);
		if (rc || (rc = mark(c)))
			break;
	}
	json_decref(pes);
	json_decref(seen);
	json_decref(dup);
	return rc == -EINVAL ? 0 : rc; /* items without their keys are left out */
}

/* The path elements of a list's items, in order, as a JSON array of strings. */
static int list_items(const struct ty *t, const json_t *list, json_t **pes, char *err,
		      size_t errlen)
{
	size_t i;
	json_t *x;
	int rc = 0;
	*pes = json_array();
	if (!*pes)
		return -ENOMEM;
	json_array_foreach((json_t *)list, i, x)
	{
		char *pe = item_pe(t, x, &rc, err, errlen);
		if (!pe || json_array_append_new(*pes, json_string(pe))) {
			free(pe);
			if (!rc)
				rc = -ENOMEM;
			if (rc == -EINVAL) {
				char tmp[256];
				snprintf(tmp, sizeof(tmp), "element %zu: %s", i, err);
				snprintf(err, errlen, "%s", tmp);
			}
			json_decref(*pes);
			*pes = NULL;
			return rc;
		}
		free(pe);
	}
	return 0;
}

static int explicit_set(const json_t *v, const struct ty *t, json_t **set)
{
	*set = json_object();
	if (!*set)
		return -ENOMEM;
	int rc = v ? to_set(v, t, *set, 0) : 0;
	/* the root itself is no member */
	json_object_del(*set, ".");
	if (rc) {
		json_decref(*set);
		*set = NULL;
	}
	return rc;
}

int apply_to_set(const json_t *v, const struct apply_type *at, json_t **set)
{
	struct ty t;
	json_t *e = NULL;
	int rc;
	root_type(at, &t);
	*set = NULL;
	rc = explicit_set(v, &t, &e);
	if (!rc) {
		*set = set_to_v1(e, &rc);
		if (!rc && !*set && !(*set = json_object()))
			rc = -ENOMEM;
	}
	json_decref(e);
	return rc;
}

/* --- Merge --- */

struct mctx {
	char *err;
	size_t errlen;
};

static int merge(const json_t *l, const json_t *r, const struct ty *t, json_t **out, struct mctx *m,
		 int depth);

/* The items of a list by path element ({pe: item}); allow_dups keeps the first path
 * element's order and maps a duplicated one to null (merge.go indexListPathElements). */
static int index_items(const struct ty *t, const json_t *list, int allow_dups, json_t **pes,
		       json_t **obs, struct mctx *m)
{
	int rc = list_items(t, list, pes, m->err, m->errlen);
	size_t i;
	json_t *x;
	*obs = NULL;
	if (rc)
		return rc;
	*obs = json_object();
	if (!*obs)
		return -ENOMEM;
	json_array_foreach(*pes, i, x)
	{
		const char *pe = json_string_value(x);
		if (json_object_get(*obs, pe)) {
			if (!allow_dups) {
				char tmp[512];
				snprintf(tmp, sizeof(tmp), "duplicate entries for key %s", pe);
				snprintf(m->err, m->errlen, "%s", tmp);
				return -EINVAL;
			}
			json_object_set_new(*obs, pe, json_null());
		} else if (json_object_set(*obs, pe, json_array_get(list, i))) {
			return -ENOMEM;
		}
	}
	return 0;
}

static int merge_item(const json_t *l, const json_t *r, const struct ty *et, json_t *out,
		      struct mctx *m, int depth)
{
	json_t *v = NULL;
	int rc = merge(l, r, et, &v, m, depth + 1);
	if (!rc && v && json_array_append_new(out, v))
		rc = -ENOMEM;
	return rc;
}

static const char *next_shared(json_t *shared, size_t *si)
{
	return *si < json_array_size(shared) ? json_string_value(json_array_get(shared, (*si)++))
					     : NULL;
}

/* merge.go visitListItems: shared items keep the applied order, others stay near
 * where they were. */
static int merge_list(const json_t *l, const json_t *r, const struct ty *t, json_t **out,
		      struct mctx *m, int depth)
{
	json_t *rpes = NULL, *robs = NULL, *lpes = NULL, *lobs = NULL, *shared = NULL, *done = NULL;
	struct ty et;
	size_t li = 0, ri = 0, si = 0, ln, rn;
	int rc;
	resolve(t->elem, &et);
	*out = json_array();
	rc = *out ? index_items(t, r ? r : json_null(), 0, &rpes, &robs, m) : -ENOMEM;
	if (!rc)
		rc = index_items(t, l ? l : json_null(), 1, &lpes, &lobs, m);
	shared = json_array();
	done = json_object();
	if (!rc && (!shared || !done))
		rc = -ENOMEM;
	ln = json_array_size(lpes);
	rn = json_array_size(rpes);
	for (size_t i = 0; !rc && i < rn; i++) {
		json_t *pe = json_array_get(rpes, i);
		if (json_object_get(lobs, json_string_value(pe)))
			rc = json_array_append(shared, pe) ? -ENOMEM : 0;
	}
	const char *ns = rc ? NULL : next_shared(shared, &si);
	while (!rc && (li < ln || ri < rn)) {
		const char *lpe = li < ln ? json_string_value(json_array_get(lpes, li)) : NULL;
		const char *rpe = ri < rn ? json_string_value(json_array_get(rpes, ri)) : NULL;
		if (lpe && rpe) {
			if (strcmp(lpe, rpe) == 0) {
				json_object_set(done, lpe, json_true());
				rc = merge_item(json_object_get(lobs, lpe),
						json_object_get(robs, rpe), &et, *out, m, depth);
				li++;
				ri++;
				ns = next_shared(shared, &si);
				continue;
			}
			if (json_object_get(robs, lpe) && ns && strcmp(ns, lpe) != 0) {
				li++;
				continue;
			}
		}
		if (lpe) {
			if (!json_object_get(robs, lpe)) {
				rc = merge_item(json_array_get(l, li), NULL, &et, *out, m, depth);
				li++;
				continue;
			} else if (json_object_get(done, lpe)) {
				li++;
			}
		}
		if (rpe) {
			json_object_set(done, rpe, json_true());
			rc = merge_item(json_object_get(lobs, rpe), json_object_get(robs, rpe), &et,
					*out, m, depth);
			ri++;
			if (ns && strcmp(ns, rpe) == 0)
				ns = next_shared(shared, &si);
		}
	}
	json_decref(rpes);
	json_decref(robs);
	json_decref(lpes);
	json_decref(lobs);
	json_decref(shared);
	json_decref(done);
	if (rc || !json_array_size(*out)) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int merge_map(const json_t *l, const json_t *r, const struct ty *t, json_t **out,
		     struct mctx *m, int depth)
{
	const char *k;
	json_t *v;
	int rc = 0;
	*out = json_object();
	if (!*out)
		return -ENOMEM;
	/* the live object's fields in their order, then the new ones */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		const json_t *src = pass ? r : l;
		json_object_foreach((json_t *)src, k, v)
		{
			if (pass && json_object_get(l, k))
				continue;
			struct ty ct;
			json_t *mv = NULL;
			child_type(t, k, &ct);
			rc = merge(json_object_get(l, k), json_object_get(r, k), &ct, &mv, m,
				   depth + 1);
			if (!rc && mv && json_object_set_new(*out, k, mv))
				rc = -ENOMEM;
			if (rc)
				break;
		}
	}
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* lhs (live) and rhs (applied) at one node; *out is the merged value, NULL when
 * neither side has one. */
static int merge(const json_t *l, const json_t *r, const struct ty *t, json_t **out, struct mctx *m,
		 int depth)
{
	*out = NULL;
	if (depth > MAX_DEPTH)
		return -ELOOP;
	if (!l && !r)
		return 0;
	int lleaf = !l || is_leaf(t, l), rleaf = !r || is_leaf(t, r);
	if ((l && lleaf) || (r && rleaf) ||
	    (t->k == 'l' && !json_array_size(l) && !json_array_size(r))) {
		*out = json_deep_copy(r ? r : l);
		return *out ? 0 : -ENOMEM;
	}
	return t->k == 'l' ? merge_list(l, r, t, out, m, depth) : merge_map(l, r, t, out, m, depth);
}

int apply_merge(const json_t *live, const json_t *config, const struct apply_type *at, json_t **out,
		char *err, size_t errlen)
{
	struct ty t;
	struct mctx m = {err, errlen};
	root_type(at, &t);
	*out = NULL;
	if (errlen)
		err[0] = '\0';
	int rc = merge(live, config, &t, out, &m, 0);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	} else if (!*out && !(*out = json_object())) {
		rc = -ENOMEM;
	}
	return rc;
}

/* --- Compare --- */

struct cmp {
	json_t *added, *modified, *removed; /* explicit sets */
	const char *path[MAX_DEPTH + 2];
	size_t n;
};

static int insert(json_t *set, const struct cmp *c)
{
	json_t *node = set;
	for (size_t i = 0; i < c->n && node; i++)
		node = child_node(node, c->path[i]);
	return node ? mark(node) : -ENOMEM;
}

static int compare(const json_t *l, const json_t *r, const struct ty *t, struct cmp *c);

static int compare_child(const json_t *l, const json_t *r, const struct ty *ct, const char *pe,
			 struct cmp *c)
{
	if (c->n > MAX_DEPTH)
		return -ELOOP;
	c->path[c->n++] = pe;
	int rc = compare(l, r, ct, c);
	c->n--;
	return rc;
}

static int compare_map(const json_t *l, const json_t *r, const struct ty *t, struct cmp *c)
{
	const char *k;
	json_t *v;
	int rc = 0;
	json_t *empty = json_object();
	if (!empty)
		return -ENOMEM;
	/* l's keys, r's others, then structs held by value that neither has */
	for (int pass = 0; pass < 3 && !rc; pass++) {
		const json_t *src = pass == 0 ? l : pass == 1 ? r : t->fields;
		json_object_foreach((json_t *)src, k, v)
		{
			if ((pass >= 1 && json_object_get(l, k)) ||
			    (pass == 2 && json_object_get(r, k)))
				continue;
			struct ty ct;
			child_type(t, k, &ct);
			const json_t *lv = json_object_get(l, k), *rv = json_object_get(r, k);
			if (ct.k == 's' && ct.by_value) {
				lv = !lv && l ? empty : lv;
				rv = !rv && r ? empty : rv;
			}
			if (!lv && !rv)
				continue;
			char *pe = pe_field(k);
			rc = pe ? compare_child(lv, rv, &ct, pe, c) : -ENOMEM;
			free(pe);
			if (rc)
				break;
		}
	}
	json_decref(empty);
	return rc;
}

/* compare.go visitListItems: items by path element; duplicated ones as a whole. */
static int compare_list(const json_t *l, const json_t *r, const struct ty *t, struct cmp *c)
{
	char err[256];
	json_t *lpes = NULL, *rpes = NULL, *lv = json_object(), *rv = json_object(),
	       *all = json_array();
	struct ty et;
	size_t i;
	json_t *x;
	int rc = lv && rv && all ? 0 : -ENOMEM;
	resolve(t->elem, &et);
	if (!rc && l && (rc = list_items(t, l, &lpes, err, sizeof(err))) == -EINVAL)
		rc = 0, lpes = NULL; /* unkeyable: compared as a whole below */
	if (!rc && r && (rc = list_items(t, r, &rpes, err, sizeof(err))) == -EINVAL)
		rc = 0, rpes = NULL;
	for (int side = 0; side < 2 && !rc; side++) {
		json_t *pes = side ? rpes : lpes, *vals = side ? rv : lv;
		const json_t *list = side ? r : l;
		json_array_foreach(pes, i, x)
		{
			const char *pe = json_string_value(x);
			json_t *items = json_object_get(vals, pe);
			if (!items) {
				items = json_array();
				json_object_set_new(vals, pe, items);
				if (!side || !json_object_get(lv, pe))
					json_array_append(all, x);
			}
			json_array_append(items, json_array_get(list, i));
		}
	}
	json_array_foreach(rc ? NULL : all, i, x)
	{
		const char *pe = json_string_value(x);
		json_t *ll = json_object_get(lv, pe), *rl = json_object_get(rv, pe);
		size_t ln = json_array_size(ll), rn = json_array_size(rl);
		if (ln <= 1 && rn <= 1) {
			rc = compare_child(json_array_get(ll, 0), json_array_get(rl, 0), &et, pe,
					   c);
		} else if (ln >= 2 && rn >= 2) {
			if (!json_equal(ll, rl) && c->n <= MAX_DEPTH) {
				c->path[c->n++] = pe;
				rc = insert(c->modified, c);
				c->n--;
			}
		} else {
			if (ln >= 2 && rn)
				rc = compare_child(NULL, json_array_get(rl, 0), &et, pe, c);
			if (rn >= 2 && ln)
				rc = compare_child(json_array_get(ll, 0), NULL, &et, pe, c);
			if (!rc && c->n <= MAX_DEPTH) {
				c->path[c->n++] = pe;
				rc = insert(ln >= 2 ? c->removed : c->added, c);
				c->n--;
			}
		}
		if (rc)
			break;
	}
	json_decref(lpes);
	json_decref(rpes);
	json_decref(lv);
	json_decref(rv);
	json_decref(all);
	return rc;
}

static int compare(const json_t *l, const json_t *r, const struct ty *t, struct cmp *c)
{
	int rc;
	if (!l && !r)
		return 0;
	int empty = (t->k == 'l' && !json_array_size(l) && !json_array_size(r)) ||
		    ((t->k == 's' || t->k == 'm' || t->k == 'd') && !json_object_size(l) &&
		     !json_object_size(r));
	if ((l && is_leaf(t, l)) || (r && is_leaf(t, r)) || empty) {
		if (!l)
			return insert(c->added, c);
		if (!r)
			return insert(c->removed, c);
		return json_equal(l, r) ? 0 : insert(c->modified, c);
	}
	rc = t->k == 'l' ? compare_list(l, r, t, c) : compare_map(l, r, t, c);
	if (!rc && !l)
		rc = insert(c->added, c);
	if (!rc && !r)
		rc = insert(c->removed, c);
	return rc;
}

static int compare_explicit(const json_t *l, const json_t *r, const struct ty *t, struct cmp *c)
{
	c->added = json_object();
	c->modified = json_object();
	c->removed = json_object();
	c->n = 0;
	int rc = c->added && c->modified && c->removed ? compare(l, r, t, c) : -ENOMEM;
	if (!rc) { /* the root is never a path of its own */
		json_object_del(c->added, ".");
		json_object_del(c->removed, ".");
		json_object_del(c->modified, ".");
	}
	return rc;
}

static void cmp_free(struct cmp *c)
{
	json_decref(c->added);
	json_decref(c->modified);
	json_decref(c->removed);
	c->added = c->modified = c->removed = NULL;
}

int apply_compare(const json_t *old, const json_t *new, const struct apply_type *at, json_t **added,
		  json_t **modified, json_t **removed)
{
	struct ty t;
	struct cmp c;
	int rc;
	root_type(at, &t);
	*added = *modified = *removed = NULL;
	rc = compare_explicit(old, new, &t, &c);
	if (!rc) {
		*added = set_to_v1(c.added, &rc);
		*modified = set_to_v1(c.modified, &rc);
		*removed = set_to_v1(c.removed, &rc);
		if (!*added)
			*added = json_object();
		if (!*modified)
			*modified = json_object();
		if (!*removed)
			*removed = json_object();
	}
	cmp_free(&c);
	if (rc || !*added || !*modified || !*removed) {
		json_decref(*added);
		json_decref(*modified);
		json_decref(*removed);
		*added = *modified = *removed = NULL;
		return rc ? rc : -ENOMEM;
	}
	return 0;
}

/* --- RemoveItems and EnsureNamedFieldsAreMembers --- */

/* remove.go: v without the members of set (explicit); NULL for nothing left. A map
 * entry or list item whose contents all went is null where nulls is set (as upstream's
 * unstructured result has it, which the field sets of prune's steps depend on), else
 * dropped (as Go's typed encoding drops it). */
static json_t *remove_items(const json_t *v, const json_t *set, const struct ty *t, int depth,
			    int nulls, int *rc)
{
	if (depth > MAX_DEPTH) {
		*rc = -ELOOP;
		return NULL;
	}
	if (is_leaf(t, v))
		return json_deep_copy(v);
	json_t *out;
	if (json_is_array(v)) {
		json_t *pes = NULL;
		char err[256];
		struct ty et;
		size_t i;
		json_t *x;
		resolve(t->elem, &et);
		if (list_items(t, v, &pes, err, sizeof(err)))
			return json_deep_copy(v);
		out = json_array();
		json_array_foreach(out ? pes : NULL, i, x)
		{
			const json_t *sub = json_object_get(set, json_string_value(x));
			json_t *item = json_array_get(v, i), *kept;
			if (is_member(sub))
				continue;
			kept = sub ? remove_items(item, sub, &et, depth + 1, nulls, rc)
				   : json_incref(item);
			if (!kept && nulls)
				kept = json_null();
			if (kept)
				json_array_append_new(out, kept);
		}
		json_decref(pes);
	} else {
		const char *k;
		json_t *x;
		out = json_object();
		json_object_foreach(out ? (json_t *)v : NULL, k, x)
		{
			char *pe = pe_field(k);
			const json_t *sub = pe ? json_object_get(set, pe) : NULL;
			struct ty ct;
			json_t *kept;
			free(pe);
			if (is_member(sub))
				continue;
			child_type(t, k, &ct);
			kept = sub ? remove_items(x, sub, &ct, depth + 1, nulls, rc)
				   : json_incref(x);
			if (!kept && nulls)
				kept = json_null();
			if (kept)
				json_object_set_new(out, k, kept);
		}
	}
	if (!out)
		*rc = -ENOMEM;
	if (out && !(json_is_array(out) ? json_array_size(out) : json_object_size(out))) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

/* A copy of set (explicit) where the declared fields of structs that have children are
 * members too. */
static json_t *ensure_named(const json_t *set, const struct ty *t, int depth, int *rc)
{
	const char *k;
	json_t *v;
	json_t *out = json_object();
	if (!out || depth > MAX_DEPTH) {
		*rc = out ? -ELOOP : -ENOMEM;
		json_decref(out);
		return NULL;
	}
	json_object_foreach((json_t *)set, k, v)
	{
		struct ty ct;
		json_t *c;
		if (strcmp(k, ".") == 0) {
			c = json_object();
		} else {
			if (strncmp(k, "f:", 2) == 0)
				child_type(t, k + 2, &ct);
			else
				resolve(t->k == 'l' ? t->elem : NULL, &ct);
			c = ensure_named(v, &ct, depth + 1, rc);
			if (c && strncmp(k, "f:", 2) == 0 && named_field(t, k + 2) && mark(c))
				*rc = -ENOMEM;
		}
		if (!c || json_object_set_new(out, k, c))
			*rc = *rc ? *rc : -ENOMEM;
	}
	return out;
}

/* --- managers --- */

struct mgr {
	char *id;      /* BuildManagerIdentifier: the entry's JSON without time and fields */
	json_t *entry; /* manager, operation, apiVersion, subresource (new reference) */
	json_t *set;   /* explicit; never empty once encoded */
	char time[CLOCK_RFC3339_LEN];
	int applied;
};

struct mgrs {
	struct mgr *v;
	size_t n, cap;
};

static void mgrs_free(struct mgrs *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].id);
		json_decref(m->v[i].entry);
		json_decref(m->v[i].set);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* The identifier of an entry (manager, operation, apiVersion unless Apply, subresource),
 * as encoding/json writes metav1.ManagedFieldsEntry with its omitempty fields. */
static char *identifier(const char *manager, const char *op, const char *api_version,
			const char *sub, json_t **entry)
{
	json_t *e = json_object();
	if (!e)
		return NULL;
	json_object_set_new(e, "manager", json_string(manager));
	json_object_set_new(e, "operation", json_string(op));
	if (strcmp(op, "Apply") && api_version && *api_version)
		json_object_set_new(e, "apiVersion", json_string(api_version));
	if (sub && *sub)
		json_object_set_new(e, "subresource", json_string(sub));
	char *id = json_dumps(e, JSON_COMPACT);
	/* the entry keeps the version even for Apply (encodeManagerVersionedSet) */
	if (api_version && *api_version)
		json_object_set_new(e, "apiVersion", json_string(api_version));
	*entry = e;
	return id;
}

static struct mgr *mgrs_find(struct mgrs *m, const char *id)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].id, id) == 0)
			return &m->v[i];
	return NULL;
}

/* Adds or replaces id's set (taken). */
static int mgrs_put(struct mgrs *m, char *id, json_t *entry, json_t *set, int applied,
		    const char *time)
{
	struct mgr *g = mgrs_find(m, id);
	if (!g) {
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 8;
			struct mgr *v = realloc(m->v, cap * sizeof(*v));
			if (!v) {
				free(id);
				json_decref(entry);
				json_decref(set);
				return -ENOMEM;
			}
			m->v = v;
			m->cap = cap;
		}
		g = &m->v[m->n++];
		memset(g, 0, sizeof(*g));
	} else {
		free(g->id);
		json_decref(g->entry);
		json_decref(g->set);
	}
	g->id = id;
	g->entry = entry;
	g->set = set;
	g->applied = applied;
	snprintf(g->time, sizeof(g->time), "%s", time ? time : "");
	return 0;
}

static void mgrs_drop(struct mgrs *m, size_t i)
{
	free(m->v[i].id);
	json_decref(m->v[i].entry);
	json_decref(m->v[i].set);
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(m->v[0]));
	m->n--;
}

/* DecodeManagedFields: -EINVAL for a malformed list (upstream's words in err). */
static int mgrs_decode(const json_t *list, struct mgrs *m, char *err, size_t errlen)
{
	size_t i;
	json_t *e;
	memset(m, 0, sizeof(*m));
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "managedFields must be a list");
		return -EINVAL;
	}
	json_array_foreach(list, i, e)
	{
		const char *op = json_string_value(json_object_get(e, "operation"));
		const char *av = json_string_value(json_object_get(e, "apiVersion"));
		const char *ft = json_string_value(json_object_get(e, "fieldsType"));
		const char *mg = json_string_value(json_object_get(e, "manager"));
		const char *sub = json_string_value(json_object_get(e, "subresource"));
		const char *tm = json_string_value(json_object_get(e, "time"));
		json_t *entry = NULL, *set = NULL;
		int rc = 0;
		if (!op || (strcmp(op, "Apply") && strcmp(op, "Update"))) {
			snprintf(err, errlen, "operation must be `Apply` or `Update`");
			return -EINVAL;
		}
		if (!av || !*av) {
			snprintf(err, errlen, "apiVersion must not be empty");
			return -EINVAL;
		}
		if (!ft || strcmp(ft, "FieldsV1")) {
			if (!ft || !*ft)
				snprintf(err, errlen,
					 "missing fieldsType in managed fields entry %zu", i);
			else
				snprintf(err, errlen,
					 "invalid fieldsType \"%s\" in managed fields entry %zu",
					 ft, i);
			return -EINVAL;
		}
		json_t *f1 = json_object_get(e, "fieldsV1");
		if (f1 && !json_is_object(f1)) {
			snprintf(err, errlen, "error decoding set: fieldsV1 must be an object");
			return -EINVAL;
		}
		set = f1 ? set_from_v1(f1, 0, &rc) : json_object();
		if (rc == -EINVAL)
			snprintf(err, errlen, "error decoding set");
		if (rc || !set) {
			json_decref(set);
			return rc ? rc : -ENOMEM;
		}
		json_object_del(set, ".");
		char *id = identifier(mg ? mg : "", op, av, sub, &entry);
		if (!id || mgrs_put(m, id, entry, set, strcmp(op, "Apply") == 0, tm))
			return -ENOMEM;
	}
	return 0;
}

/* The paths stripMetaManager takes from the acting manager's set. */
static json_t *strip_set(void)
{
	static const char text[] =
		"{\"f:apiVersion\":{\".\":{}},\"f:kind\":{\".\":{}},\"f:metadata\":{\".\":{},"
		"\"f:name\":{\".\":{}},\"f:namespace\":{\".\":{}},\"f:creationTimestamp\":{\".\":{}"
		"},"
		"\"f:selfLink\":{\".\":{}},\"f:uid\":{\".\":{}},\"f:clusterName\":{\".\":{}},"
		"\"f:generation\":{\".\":{}},\"f:managedFields\":{\".\":{}},"
		"\"f:resourceVersion\":{\".\":{}}}}";
	return json_loads(text, 0, NULL);
}

/* Leaves in g's set only what the reset fields of req allow. */
static int filter_reset(json_t **set, const struct apply_request *req)
{
	int rc = 0;
	if (req->reset == APPLY_RESET_STATUS) {
		json_object_del(*set, "f:status");
	} else if (req->reset == APPLY_RESET_ALL_BUT_STATUS) {
		json_t *st = json_incref(json_object_get(*set, "f:status"));
		json_object_clear(*set);
		if (st && json_object_set_new(*set, "f:status", st))
			rc = -ENOMEM;
	}
	return rc;
}

static int strip_acting(struct mgrs *m, const char *id)
{
	struct mgr *g = mgrs_find(m, id);
	int rc = 0;
	if (!g)
		return 0;
	json_t *strip = strip_set();
	json_t *d = strip ? set_diff(g->set, strip, &rc) : NULL;
	json_decref(strip);
	if (!strip || rc) {
		json_decref(d);
		return -ENOMEM;
	}
	json_decref(g->set);
	g->set = d;
	if (!d)
		mgrs_drop(m, (size_t)(g - m->v));
	return 0;
}

static int cmp_entries(const void *a, const void *b)
{
	const struct mgr *p = a, *q = b;
	const char *po = json_string_value(json_object_get(p->entry, "operation"));
	const char *qo = json_string_value(json_object_get(q->entry, "operation"));
	int c = strcmp(po ? po : "", qo ? qo : "");
	if (c)
		return c;
	c = strcmp(p->time, q->time); /* RFC 3339 UTC text sorts as its seconds */
	if (c)
		return c;
	static const char *const keys[] = {"manager", "apiVersion", "subresource"};
	for (size_t i = 0; i < 3; i++) {
		const char *x = json_string_value(json_object_get(p->entry, keys[i]));
		const char *y = json_string_value(json_object_get(q->entry, keys[i]));
		c = strcmp(x ? x : "", y ? y : "");
		if (c)
			return c;
	}
	return 0;
}

/* encodeManagedFields: the entries sorted as sortEncodedManagedFields does, in
 * metav1.ManagedFieldsEntry's field order; into obj's metadata (none when empty). */
static int mgrs_encode(struct mgrs *m, json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata");
	json_t *list = json_array();
	int rc = list ? 0 : -ENOMEM;
	if (!json_is_object(meta)) {
		json_decref(list);
		return 0;
	}
	if (m->n)
		qsort(m->v, m->n, sizeof(m->v[0]), cmp_entries);
	for (size_t i = 0; i < m->n && !rc; i++) {
		const struct mgr *g = &m->v[i];
		json_t *f1 = set_to_v1(g->set, &rc);
		json_t *e = json_object();
		if (!f1 || !e) {
			json_decref(f1);
			json_decref(e);
			rc = rc ? rc : f1 ? -ENOMEM : 0;
			continue;
		}
		static const char *const head[] = {"manager", "operation", "apiVersion"};
		for (size_t j = 0; j < 3; j++) {
			json_t *v = json_object_get(g->entry, head[j]);
			if (v)
				json_object_set(e, head[j], v);
		}
		if (g->time[0])
			json_object_set_new(e, "time", json_string(g->time));
		json_object_set_new(e, "fieldsType", json_string("FieldsV1"));
		json_object_set_new(e, "fieldsV1", f1);
		json_t *sub = json_object_get(g->entry, "subresource");
		if (sub)
			json_object_set(e, "subresource", sub);
		if (json_array_append_new(list, e))
			rc = -ENOMEM;
	}
	if (!rc && json_array_size(list))
		rc = json_object_set(meta, "managedFields", list) ? -ENOMEM : 0;
	else if (!rc)
		json_object_del(meta, "managedFields");
	json_decref(list);
	return rc;
}

/* capManagersManager: beyond MAX_UPDATERS Update entries, the oldest merge into
 * "ancient-changes" (one per apiVersion). */
static int cap_updaters(struct mgrs *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		n += !m->v[i].applied;
	while (n > MAX_UPDATERS) {
		size_t old = m->n;
		for (size_t i = 0; i < m->n; i++) {
			if (m->v[i].applied || strstr(m->v[i].id, "\"ancient-changes\""))
				continue;
			if (old == m->n || strcmp(m->v[i].time, m->v[old].time) < 0 ||
			    (strcmp(m->v[i].time, m->v[old].time) == 0 &&
			     strcmp(m->v[i].id, m->v[old].id) < 0))
				old = i;
		}
		if (old == m->n)
			break;
		const char *av = json_string_value(json_object_get(m->v[old].entry, "apiVersion"));
		json_t *entry = NULL;
		char *id = identifier("ancient-changes", "Update", av, NULL, &entry);
		char time[CLOCK_RFC3339_LEN];
		json_t *set = json_incref(m->v[old].set);
		snprintf(time, sizeof(time), "%s", m->v[old].time);
		mgrs_drop(m, old);
		struct mgr *b = id ? mgrs_find(m, id) : NULL;
		if (!id) {
			json_decref(set);
			json_decref(entry);
			return -ENOMEM;
		}
		if (b) {
			int rc = set_union_into(b->set, set, 0);
			json_decref(set);
			free(id);
			json_decref(entry);
			snprintf(b->time, sizeof(b->time), "%s", time);
			if (rc)
				return rc;
			n--;
		} else if (mgrs_put(m, id, entry, set, 0, time)) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* --- the updater (merge/update.go) --- */

/* A copy of obj without metadata.managedFields (the field manager's own record). */
static json_t *without_managed(const json_t *obj)
{
	json_t *c = json_deep_copy(obj ? obj : json_null());
	json_t *meta = json_object_get(c, "metadata");
	if (json_is_object(meta))
		json_object_del(meta, "managedFields");
	return c;
}

/* Drops the reset fields from a comparison (Comparison.ExcludeFields). */
static int exclude_reset(struct cmp *c, const struct apply_request *req)
{
	int rc = filter_reset(&c->added, req);
	if (!rc)
		rc = filter_reset(&c->modified, req);
	if (!rc)
		rc = filter_reset(&c->removed, req);
	return rc;
}

/* Conflicts of the other managers with what changed from old to new; unless force,
 * they are returned (explicit sets by manager index, in *conflicts) and nothing
 * changes. Otherwise the changed fields leave the other managers, and removed fields
 * leave every other manager. */
static int update(const json_t *old, const json_t *new, struct mgrs *m, const char *acting,
		  const struct apply_request *req, int force, json_t **conflicts, struct cmp *out)
{
	struct ty t;
	struct cmp c;
	int rc;
	root_type(req->type, &t);
	*conflicts = NULL;
	rc = compare_explicit(old, new, &t, &c);
	if (!rc)
		rc = exclude_reset(&c, req);
	json_t *changed = rc ? NULL : json_object();
	if (!rc && (!changed || set_union_into(changed, c.added, 0) ||
		    set_union_into(changed, c.modified, 0)))
		rc = -ENOMEM;
	json_t *found = rc ? NULL : json_object();
	for (size_t i = 0; !rc && found && i < m->n; i++) {
		if (strcmp(m->v[i].id, acting) == 0)
			continue;
		json_t *x = set_inter(m->v[i].set, changed, &rc);
		if (x && json_object_set_new(found, m->v[i].id, x))
			rc = -ENOMEM;
	}
	if (!rc && !found)
		rc = -ENOMEM;
	if (!rc && !force && json_object_size(found)) {
		*conflicts = found;
		found = NULL;
		rc = -EBUSY;
	}
	for (size_t i = 0; !rc && i < m->n;) {
		struct mgr *g = &m->v[i];
		json_t *s = g->set, *x = json_object_get(found, g->id);
		if (strcmp(g->id, acting) == 0) {
			i++;
			continue;
		}
		json_incref(s);
		if (x) {
			json_t *d = set_diff(s, x, &rc);
			json_decref(s);
			s = d;
		}
		if (s && json_object_size(c.removed)) {
			json_t *d = set_diff(s, c.removed, &rc);
			json_decref(s);
			s = d;
		}
		json_decref(g->set);
		g->set = s;
		if (!s)
			mgrs_drop(m, i);
		else
			i++;
	}
	json_decref(found);
	json_decref(changed);
	if (!rc && out) {
		*out = c;
	} else {
		cmp_free(&c);
	}
	return rc;
}

static int acting_id(const struct apply_request *req, const char *op, char **id, json_t **entry)
{
	*id = identifier(req->manager, op, req->api_version, req->subresource, entry);
	return *id ? 0 : -ENOMEM;
}

/* decodeLiveOrNew: the client's managedFields when it sent a valid, non-empty list; none
 * when it sent [] or [{}]; else live's. A malformed list gives none. */
static void decode_live_or_new(const json_t *live, const json_t *obj, int subresource,
			       struct mgrs *m)
{
	char err[256];
	const json_t *mine = json_object_get(json_object_get(obj, "metadata"), "managedFields");
	const json_t *theirs = json_object_get(json_object_get(live, "metadata"), "managedFields");
	memset(m, 0, sizeof(*m));
	if (!subresource && json_is_array(mine)) {
		if (!json_array_size(mine) ||
		    (json_array_size(mine) == 1 && json_is_object(json_array_get(mine, 0)) &&
		     !json_object_size(json_array_get(mine, 0))))
			return;
		if (mgrs_decode(mine, m, err, sizeof(err)) == 0 && m->n)
			return;
		mgrs_free(m);
	}
	if (mgrs_decode(theirs, m, err, sizeof(err)))
		mgrs_free(m);
}

int apply_update(const json_t *live, json_t *obj, const struct apply_request *req)
{
	struct mgrs m;
	struct cmp c = {0};
	json_t *conflicts = NULL, *l = NULL, *n = NULL, *entry = NULL;
	char *id = NULL, *self = NULL;
	char now[CLOCK_RFC3339_LEN];
	int rc;

	decode_live_or_new(live, obj, req->subresource && *req->subresource, &m);
	l = live ? without_managed(live) : json_object();
	n = without_managed(obj);
	rc = l && n ? acting_id(req, "Update", &id, &entry) : -ENOMEM;
	/* managedFieldsUpdater: the change is worked out as "current-operation", then
	 * joins what the manager had */
	self = rc ? NULL : strdup("current-operation");
	if (!rc && !self)
		rc = -ENOMEM;
	if (!rc)
		rc = update(l, n, &m, self, req, 1, &conflicts, &c);
	if (!rc) {
		json_t *set = json_object(), *strip = strip_set(), *cur = NULL;
		struct mgr *prev = mgrs_find(&m, id);
		if (!set || !strip || set_union_into(set, c.modified, 0) ||
		    set_union_into(set, c.added, 0))
			rc = -ENOMEM;
		if (!rc)
			rc = filter_reset(&set, req);
		if (!rc)
			cur = set_diff(set, strip, &rc);
		/* nothing changed: the manager keeps its entry and its time */
		if (!rc && cur && prev)
			rc = set_union_into(cur, prev->set, 0);
		clock_rfc3339(req->now, now);
		if (!rc && cur) {
			rc = mgrs_put(&m, id, entry, cur, 0, now);
			cur = NULL;
			id = NULL;
			entry = NULL;
		}
		json_decref(cur);
		json_decref(set);
		json_decref(strip);
	}
	if (!rc)
		rc = cap_updaters(&m);
	if (!rc)
		rc = mgrs_encode(&m, obj);
	if (rc && rc != -ENOMEM) { /* UpdateNoErrors: the object goes without them */
		json_t *meta = json_object_get(obj, "metadata");
		if (json_is_object(meta))
			json_object_del(meta, "managedFields");
		rc = 0;
	}
	cmp_free(&c);
	json_decref(conflicts);
	json_decref(l);
	json_decref(n);
	json_decref(entry);
	free(id);
	free(self);
	mgrs_free(&m);
	return rc;
}

/* --- the typed conversion of an applied object (TypeConverter.ObjectToTyped) --- */

struct vwalk {
	struct dbuf *errs;
	char path[2048];
};

/* ValidationError.Error(): "<path>: <message>", one a line. */
static void verr(struct vwalk *w, const char *msg)
{
	if (w->errs->len)
		dbuf_str(w->errs, "\n");
	dbuf_printf(w->errs, "%s: %s", w->path, msg);
}

static int typed_check(const json_t *v, const struct ty *t, struct vwalk *w, int depth);

/* Descends into child (path element text pe, as fieldpath prints it). */
static int typed_child(const json_t *v, const struct ty *ct, const char *pe, struct vwalk *w,
		       int depth)
{
	size_t n = strlen(w->path);
	if (sfmt(w->path + n, sizeof(w->path) - n, "%s", pe))
		return -ELOOP;
	int rc = typed_check(v, ct, w, depth + 1);
	w->path[n] = '\0';
	return rc;
}

static int typed_list(const json_t *v, const struct ty *t, struct vwalk *w, int depth)
{
	struct ty et;
	char err[256];
	size_t i;
	json_t *x;
	int rc = 0;
	json_t *seen = json_object();
	if (!seen)
		return -ENOMEM;
	resolve(t->elem, &et);
	json_array_foreach(v, i, x)
	{
		char *pe = item_pe(t, x, &rc, err, sizeof(err));
		if (!pe) {
			if (rc == -EINVAL) {
				char msg[300];
				snprintf(msg, sizeof(msg), "element %zu: %s", i, err);
				verr(w, msg);
				rc = 0;
				continue;
			}
			break;
		}
		struct dbuf b = DBUF_INIT(4096);
		pe_string(&b, pe);
		if (json_object_get(seen, pe)) {
			char msg[600];
			snprintf(msg, sizeof(msg), "duplicate entries for key %s", b.p ? b.p : "");
			verr(w, msg);
		} else if (!json_object_set(seen, pe, json_true()))
			rc = typed_child(x, &et, b.p ? b.p : "", w, depth);
		dbuf_free(&b);
		free(pe);
		if (rc)
			break;
	}
	json_decref(seen);
	return rc;
}

static int typed_check(const json_t *v, const struct ty *t, struct vwalk *w, int depth)
{
	if (depth > MAX_DEPTH)
		return -ELOOP;
	if (is_leaf(t, v))
		return 0;
	if (t->k == 'l')
		return typed_list(v, t, w, depth);
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)v, k, x)
	{
		struct ty ct;
		char pe[600];
		if (t->k == 's' && t->fields && !json_object_get(t->fields, k) &&
		    !json_object_get(t->fields, "$open")) {
			size_t n = strlen(w->path);
			if (sfmt(w->path + n, sizeof(w->path) - n, ".%s", k) == 0)
				verr(w, "field not declared in schema");
			w->path[n] = '\0';
			continue;
		}
		child_type(t, k, &ct);
		if (sfmt(pe, sizeof(pe), ".%s", k))
			return -ELOOP;
		int rc = typed_child(x, &ct, pe, w, depth);
		if (rc)
			return rc;
	}
	return 0;
}

/* The 500 that upstream's structured merge manager answers for an applied object its
 * type cannot hold ("failed to create typed patch object (ns/name; apps/v1,
 * Kind=Deployment): .spec.foo: field not declared in schema"). NULL when it fits. */
static json_t *typed_status(const json_t *config, const struct apply_request *req, int *rc)
{
	struct ty t;
	struct dbuf errs = DBUF_INIT(1 << 16);
	struct vwalk w = {.errs = &errs, .path = ""};
	json_t *st = NULL;
	root_type(req->type, &t);
	*rc = typed_check(config, &t, &w, 0);
	if (!*rc && errs.len && !errs.oom) {
		const json_t *meta = json_object_get(config, "metadata");
		const char *av = req->api_version, *slash = strchr(av, '/');
		const char *ns = json_string_value(json_object_get(meta, "namespace"));
		const char *name = json_string_value(json_object_get(meta, "name"));
		struct dbuf msg = DBUF_INIT(1 << 17);
		dbuf_printf(&msg,
			    "failed to create typed patch object (%s/%s; %.*s/%s, Kind=%s): %s",
			    ns ? ns : "", name ? name : "", slash ? (int)(slash - av) : 0, av,
			    slash ? slash + 1 : av, req->kind, errs.p);
		st = msg.oom ? NULL
			     : json_pack("{s:s, s:s, s:{}, s:s, s:s, s:i}", "kind", "Status",
					 "apiVersion", "v1", "metadata", "status", "Failure",
					 "message", msg.p, "code", 500);
		dbuf_free(&msg);
		if (!st)
			*rc = -ENOMEM;
	}
	if (errs.oom)
		*rc = -ENOMEM;
	dbuf_free(&errs);
	return st;
}

/* --- Apply --- */

static json_t *status_of(int code, const char *reason, const char *message)
{
	return json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion",
			 "v1", "metadata", "status", "Failure", "message", message, "reason",
			 reason, "code", code);
}

/* ToFieldSet with named fields made members (EnsureNamedFieldsAreMembers). */
static json_t *named_set(const json_t *v, const struct ty *t, int *rc)
{
	json_t *s = NULL, *e = NULL;
	if (!*rc)
		*rc = explicit_set(v, t, &s);
	if (!*rc)
		e = ensure_named(s, t, 0, rc);
	json_decref(s);
	return e;
}

static json_t *removed(const json_t *v, const json_t *set, const struct ty *t, int nulls, int *rc)
{
	json_t *out = *rc ? NULL : remove_items(v, set ? set : json_null(), t, 0, nulls, rc);
	if (!*rc && !out && !(out = json_object()))
		*rc = -ENOMEM;
	return out;
}

/* Updater.prune: fields the manager applied last time and no longer applies leave the
 * object, unless another manager (or this one, again) owns them. */
static json_t *prune(const json_t *merged, const struct mgrs *m, const json_t *last,
		     const struct ty *t, int *rc)
{
	json_t *lastE = NULL, *pruned = NULL, *ms = NULL, *ps = NULL, *managed = NULL, *all = NULL,
	       *keep = NULL, *x = NULL, *pruned2 = NULL, *ps2 = NULL, *gone = NULL, *y = NULL,
	       *out = NULL;
	if (!json_object_size(last))
		return json_deep_copy(merged);
	lastE = ensure_named(last, t, 0, rc);
	pruned = removed(merged, lastE, t, 1, rc);
	ms = named_set(merged, t, rc);
	ps = named_set(pruned, t, rc);
	all = json_object();
	for (size_t i = 0; !*rc && all && i < m->n; i++)
		*rc = set_union_into(all, m->v[i].set, 0);
	managed = *rc || !all ? NULL : ensure_named(all, t, 0, rc);
	keep = json_object();
	if (!*rc && (!keep || set_union_into(keep, ps, 0) || set_union_into(keep, managed, 0)))
		*rc = -ENOMEM;
	x = *rc ? NULL : set_diff(ms, keep, rc);
	pruned2 = removed(merged, x, t, 1, rc);
	ps2 = named_set(pruned2, t, rc);
	gone = *rc ? NULL : set_diff(ms, ps2, rc);
	y = *rc || !gone ? NULL : set_inter(gone, lastE, rc);
	out = removed(merged, y, t, 0, rc);
	json_decref(lastE);
	json_decref(pruned);
	json_decref(ms);
	json_decref(ps);
	json_decref(managed);
	json_decref(all);
	json_decref(keep);
	json_decref(x);
	json_decref(pruned2);
	json_decref(ps2);
	json_decref(gone);
	json_decref(y);
	if (*rc) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* printManager: "name", with its subresource, and "using V" for an Update. */
static int print_manager(struct dbuf *b, const char *id)
{
	json_t *e = json_loads(id, 0, NULL);
	const char *mg = json_string_value(json_object_get(e, "manager"));
	const char *op = json_string_value(json_object_get(e, "operation"));
	const char *sub = json_string_value(json_object_get(e, "subresource"));
	const char *av = json_string_value(json_object_get(e, "apiVersion"));
	json_t *name = json_string(mg ? mg : "");
	to_string(b, name);
	if (sub && *sub)
		dbuf_printf(b, " with subresource \"%s\"", sub);
	if (op && strcmp(op, "Update") == 0)
		dbuf_printf(b, " using %s", av ? av : "");
	json_decref(name);
	json_decref(e);
	return b->oom ? -ENOMEM : 0;
}

struct conflict_walk {
	struct dbuf *msg;
	json_t *causes;
	const char *who; /* printManager of the manager */
	int single;
	size_t n;
};

static int count_path(const char *path, void *arg)
{
	(void)path;
	((struct conflict_walk *)arg)->n++;
	return 0;
}

static int conflict_path(const char *path, void *arg)
{
	struct conflict_walk *w = arg;
	char cm[600];
	if (sfmt(cm, sizeof(cm), "conflict with %s", w->who) < 0)
		return -ENOMEM;
	if (json_array_append_new(w->causes,
				  json_pack("{s:s, s:s, s:s}", "reason", "FieldManagerConflict",
					    "message", cm, "field", path)))
		return -ENOMEM;
	if (w->single)
		dbuf_printf(w->msg, "conflict with %s: %s", w->who, path);
	else
		dbuf_printf(w->msg, "\n- %s", path);
	return w->msg->oom ? -ENOMEM : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The 409 of NewConflictError (managedfields/internal/conflict.go). */
static json_t *conflict_status(const json_t *found)
{
	struct dbuf msg = DBUF_INIT(1 << 20), who = DBUF_INIT(4096);
	struct conflict_walk w = {.msg = &msg, .causes = json_array()};
	size_t n = json_object_size(found), i = 0;
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	const char *k;
	json_t *v, *st = NULL;
	int rc = ids && w.causes ? 0 : -ENOMEM;
	json_object_foreach((json_t *)found, k, v)
	{
		if (ids)
			ids[i++] = k;
		if (!rc)
			rc = paths_of(v, count_path, &w);
	}
	if (ids)
		qsort(ids, n, sizeof(*ids), cmp_str);
	w.single = w.n == 1;
	if (w.single)
		dbuf_str(&msg, "Apply failed with 1 conflict: ");
	else
		dbuf_printf(&msg, "Apply failed with %zu conflicts: ", w.n);
	for (i = 0; !rc && i < n; i++) {
		dbuf_free(&who);
		who = (struct dbuf)DBUF_INIT(4096);
		rc = print_manager(&who, ids[i]);
		w.who = who.p ? who.p : "";
		if (!w.single)
			dbuf_printf(&msg, "%sconflicts with %s:", i ? "\n" : "", w.who);
		if (!rc)
			rc = paths_of(json_object_get(found, ids[i]), conflict_path, &w);
	}
	if (!rc && !msg.oom)
		st = status_of(409, "Conflict", msg.p ? msg.p : "");
	if (st)
		json_object_set_new(st, "details", json_pack("{s:O}", "causes", w.causes));
	if (st && json_object_get(st, "code")) { /* code last, as metav1.Status orders it */
		json_t *code = json_incref(json_object_get(st, "code"));
		json_object_del(st, "code");
		json_object_set_new(st, "code", code);
	}
	json_decref(w.causes);
	free(ids);
	dbuf_free(&msg);
	dbuf_free(&who);
	return st;
}

/* VersionCheckManager and the structured merge manager's checks of the applied
 * object. NULL when fine, else the 400 Status. */
static json_t *check_applied(const json_t *config, const struct apply_request *req)
{
	char msg[600];
	const char *av = json_string_value(json_object_get(config, "apiVersion"));
	const char *kind = json_string_value(json_object_get(config, "kind"));
	const char *slash = av ? strchr(av, '/') : NULL;
	av = av ? av : "";
	if (!kind || strcmp(kind, req->kind) || strcmp(av, req->api_version)) {
		/* schema.GroupVersionKind's String(): "group/version, Kind=kind" */
		if (sfmt(msg, sizeof(msg), "invalid object type: %.*s/%s, Kind=%s",
			 slash ? (int)(slash - av) : 0, av, slash ? slash + 1 : av,
			 kind ? kind : "") < 0)
			return NULL;
		return status_of(400, "BadRequest", msg);
	}
	json_t *mf = json_object_get(json_object_get(config, "metadata"), "managedFields");
	if (mf && !json_is_null(mf))
		return status_of(400, "BadRequest", "metadata.managedFields must be nil");
	return NULL;
}

/* One run of the structured merge manager: on conflicts -EBUSY with *conflicts (the
 * conflicting fields by manager identifier, explicit sets). */
static int apply_once(const json_t *live, const json_t *config, int force,
		      const struct apply_request *req, json_t **out, json_t **status,
		      json_t **conflicts)
{
	struct mgrs m;
	struct ty t;
	char err[512], now[CLOCK_RFC3339_LEN], prev_time[CLOCK_RFC3339_LEN] = "";
	json_t *lv = NULL, *merged = NULL, *last = NULL, *set = NULL, *pruned = NULL, *found = NULL,
	       *entry = NULL;
	char *id = NULL;
	int rc;

	*out = *status = NULL;
	root_type(req->type, &t);
	if (!json_is_object(config)) {
		*status = status_of(400, "BadRequest", "error decoding YAML: not an object");
		return *status ? -EINVAL : -ENOMEM;
	}
	if ((*status = check_applied(config, req)))
		return -EINVAL;
	if ((*status = typed_status(config, req, &rc)))
		return -EINVAL;
	if (rc)
		return rc;
	rc = mgrs_decode(json_object_get(json_object_get(live, "metadata"), "managedFields"), &m,
			 err, sizeof(err));
	if (rc == -EINVAL) {
		char msg[600];
		snprintf(msg, sizeof(msg), "failed to decode managed fields: %s", err);
		*status = status_of(500, "InternalError", msg);
		mgrs_free(&m);
		return -EINVAL;
	}
	lv = !rc && live ? without_managed(live) : json_object();
	if (!rc && !lv)
		rc = -ENOMEM;
	if (!rc)
		rc = apply_merge(lv, config, req->type, &merged, err, sizeof(err));
	if (rc == -EINVAL) {
		char msg[700];
		snprintf(msg, sizeof(msg), "failed to create typed patch object: %s", err);
		*status = status_of(500, "InternalError", msg);
	}
	if (!rc)
		rc = acting_id(req, "Apply", &id, &entry);
	char *act = rc ? NULL : strdup(id);
	if (!rc && !act)
		rc = -ENOMEM;
	struct mgr *g = rc ? NULL : mgrs_find(&m, id);
	if (g) {
		last = json_incref(g->set);
		snprintf(prev_time, sizeof(prev_time), "%s", g->time);
	}
	if (!rc)
		rc = explicit_set(config, &t, &set);
	if (!rc)
		rc = filter_reset(&set, req);
	if (!rc) {
		rc = mgrs_put(&m, id, entry, set, 1, prev_time);
		id = NULL;
		entry = NULL;
		set = NULL;
	}
	if (!rc)
		pruned = prune(merged, &m, last, &t, &rc);
	if (!rc)
		rc = update(lv, pruned, &m, act, req, force, &found, NULL);
	if (rc == -EBUSY) {
		*conflicts = found;
		found = NULL;
	}
	if (!rc) {
		int same = json_equal(lv, pruned);
		*out = same ? json_deep_copy(live ? live : lv) : json_incref(pruned);
		clock_rfc3339(req->now, now);
		g = mgrs_find(&m, act);
		if (g && !same)
			snprintf(g->time, sizeof(g->time), "%s", now);
		rc = *out ? strip_acting(&m, act) : -ENOMEM;
		if (!rc && !json_object_get(*out, "metadata"))
			json_object_set_new(*out, "metadata", json_object());
		if (!rc)
			rc = mgrs_encode(&m, *out);
	}
	if (rc && rc != -EBUSY && rc != -EINVAL) {
		json_decref(*out);
		*out = NULL;
	}
	free(act);
	free(id);
	json_decref(entry);
	json_decref(set);
	json_decref(lv);
	json_decref(merged);
	json_decref(last);
	json_decref(pruned);
	json_decref(found);
	mgrs_free(&m);
	return rc;
}

/* lastAppliedManager's allowance for kubectl: the fields of the live object's
 * kubectl.kubernetes.io/last-applied-configuration that still hold their applied values
 * (explicit set), or NULL when there is none to go by. */
static json_t *last_applied_allowed(const json_t *live, const struct apply_request *req)
{
	const char *text = json_string_value(json_object_get(
		json_object_get(json_object_get(live, "metadata"), "annotations"), LAST_APPLIED));
	json_t *last = text && *text ? json_loads(text, 0, NULL) : NULL, *lv = NULL, *set = NULL,
	       *allowed = NULL;
	struct ty t;
	struct cmp c = {0};
	int rc = 0;
	root_type(req->type, &t);
	const char *av = json_string_value(json_object_get(last, "apiVersion"));
	if (!json_is_object(last) || !av || strcmp(av, req->api_version))
		goto out;
	lv = without_managed(live);
	rc = lv ? explicit_set(last, &t, &set) : -ENOMEM;
	if (!rc)
		rc = compare_explicit(last, lv, &t, &c);
	json_t *changed = rc ? NULL : json_object();
	if (changed && !set_union_into(changed, c.modified, 0) &&
	    !set_union_into(changed, c.added, 0) && !set_union_into(changed, c.removed, 0))
		allowed = set_diff(set, changed, &rc);
	if (!allowed && !rc && changed)
		allowed = json_object(); /* nothing of it holds */
	json_decref(changed);
out:
	cmp_free(&c);
	json_decref(last);
	json_decref(lv);
	json_decref(set);
	return allowed;
}

/* lastAppliedUpdater: kubectl's apply keeps an existing last-applied annotation the
 * applied object, as client-side apply would write it (sorted keys, a newline). */
static int update_last_applied(const json_t *live, const json_t *config, json_t *out)
{
	const json_t *ann = json_object_get(json_object_get(live, "metadata"), "annotations");
	const char *have = json_string_value(json_object_get(ann, LAST_APPLIED));
	json_t *meta = json_object_get(out, "metadata"), *oa, *copy;
	if (!have || !*have || !json_is_object(meta))
		return 0;
	copy = json_deep_copy(config);
	json_t *ca = json_object_get(json_object_get(copy, "metadata"), "annotations");
	if (json_is_object(ca)) {
		json_object_del(ca, LAST_APPLIED);
		if (!json_object_size(ca))
			json_object_del(json_object_get(copy, "metadata"), "annotations");
	}
	char *text = copy ? json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(copy);
	if (!text)
		return -ENOMEM;
	size_t n = strlen(text);
	char *line = malloc(n + 2);
	if (line) {
		memcpy(line, text, n);
		memcpy(line + n, "\n", 2);
	}
	free(text);
	oa = json_object_get(meta, "annotations");
	if (!json_is_object(oa)) {
		oa = json_object();
		json_object_set_new(meta, "annotations", oa);
	}
	int rc = line && oa && !json_object_set_new(oa, LAST_APPLIED, json_string(line)) ? 0
											 : -ENOMEM;
	free(line);
	return rc;
}

int apply_apply(const json_t *live, const json_t *config, int force,
		const struct apply_request *req, json_t **out, json_t **status)
{
	json_t *found = NULL, *allowed = NULL;
	int kubectl = strcmp(req->manager, "kubectl") == 0;
	int rc = apply_once(live, config, force, req, out, status, &found);
	if (rc == -EBUSY && kubectl && (allowed = last_applied_allowed(live, req))) {
		/* conflicts with what kubectl's client-side apply last set are kubectl's own */
		const char *k;
		json_t *v, *rest = json_object();
		void *tmp;
		json_object_foreach_safe(found, tmp, k, v)
		{
			json_t *d = set_diff(v, allowed, &rc);
			if (d)
				json_object_set_new(rest, k, d);
		}
		if (!json_object_size(rest)) {
			json_decref(found);
			found = NULL;
			rc = apply_once(live, config, 1, req, out, status, &found);
		} else {
			json_decref(found);
			found = rest;
			rest = NULL;
			rc = -EBUSY;
		}
		json_decref(rest);
	}
	if (rc == -EBUSY) {
		*status = conflict_status(found);
		rc = *status ? -EBUSY : -ENOMEM;
	}
	if (!rc && kubectl)
		rc = update_last_applied(live, config, *out);
	json_decref(found);
	json_decref(allowed);
	return rc;
}

/* --- request checks --- */

void apply_manager_name(const char *field_manager, const char *user_agent, char *out, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	out[0] = '\0';
	if (field_manager && *field_manager) {
		snprintf(out, len, "%s", field_manager);
		return;
	}
	/* prefixFromUserAgent: up to the first '/', printable characters, 128 bytes */
	for (const char *p = user_agent ? user_agent : ""; *p && *p != '/'; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 || ch == 0x7f)
			continue;
		if (n + 1 >= len || n >= MANAGER_MAX_LEN)
			break;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
}

json_t *apply_check_options(int is_apply, const char *field_manager, const char *force)
{
	char msg[1024];
	const char *why = NULL;
	if (!is_apply && force)
		why = "force: Forbidden: may not be specified for non-apply patch";
	else if (is_apply && (!field_manager || !*field_manager))
		why = "fieldManager: Required value: is required for apply patch";
	if (!why && field_manager && strlen(field_manager) > MANAGER_MAX_LEN) {
		snprintf(msg, sizeof(msg),
			 "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: must "
			 "have at most %d bytes",
			 MANAGER_MAX_LEN);
		return status_of(422, "Invalid", msg);
	}
	if (!why)
		return NULL;
	snprintf(msg, sizeof(msg), "PatchOptions.meta.k8s.io \"\" is invalid: %s", why);
	json_t *st = status_of(422, "Invalid", msg);
	json_t *code = st ? json_incref(json_object_get(st, "code")) : NULL;
	if (st) { /* errors.NewInvalid: details {group, kind, causes} before code */
		const char *field = strncmp(why, "force", 5) == 0 ? "force" : "fieldManager";
		const char *reason = strncmp(why, "force", 5) == 0 ? "FieldValueForbidden"
								   : "FieldValueRequired";
		const char *cm = strchr(why, ':') + 2;
		json_object_del(st, "code");
		json_object_set_new(st, "details",
				    json_pack("{s:s, s:s, s:[{s:s, s:s, s:s}]}", "group",
					      "meta.k8s.io", "kind", "PatchOptions", "causes",
					      "reason", reason, "message", cm, "field", field));
		json_object_set_new(st, "code", code);
	}
	return st;
}

/* --- the request side --- */

static void reply_status(struct http_req *r, json_t *st)
{
	char *body = st ? json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int code = (int)json_integer_value(json_object_get(st, "code"));
	if (body)
		kube_reply_json_text(r, code ? code : 500, body);
	else
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
}

static int request_of(struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res, int has_status, char *manager, size_t mlen,
		      char *api_version, size_t alen, struct apply_request *q)
{
	apply_manager_name(http_query(r, "fieldManager"), http_header(r, "User-Agent"), manager,
			   mlen);
	if (*res->group ? sfmt(api_version, alen, "%s/%s", res->group, res->version)
			: sfmt(api_version, alen, "%s", res->version))
		return -ENAMETOOLONG;
	memset(q, 0, sizeof(*q));
	q->manager = *manager ? manager : "unknown"; /* buildManagerInfo */
	q->api_version = api_version;
	q->kind = res->kind;
	q->subresource = a->subresource;
	q->type = apply_type_of(res->group, res->version, res->kind);
	if (!q->type)
		q->type = crd_apply_type(res); /* a custom resource's schema */
	q->reset = strcmp(a->subresource, "status") == 0 ? APPLY_RESET_ALL_BUT_STATUS
		   : has_status				 ? APPLY_RESET_STATUS
							 : APPLY_RESET_NONE;
	q->now = (long long)time(NULL);
	return 0;
}

int apply_track(struct http_req *r, const struct kube_attrs *a, const struct kube_resource *res,
		int has_status, const json_t *live, json_t *obj)
{
	char manager[MANAGER_MAX_LEN + 1], av[300];
	struct apply_request q;
	if (request_of(r, a, res, has_status, manager, sizeof(manager), av, sizeof(av), &q))
		return 0;
	return apply_update(live, obj, &q);
}

int apply_patch(struct http_req *r, const struct kube_attrs *a, const struct kube_resource *res,
		int has_status, const json_t *live, const json_t *config, json_t **out)
{
	char manager[MANAGER_MAX_LEN + 1], av[300];
	struct apply_request q;
	json_t *st = NULL;
	const char *f = http_query(r, "force");
	int rc = request_of(r, a, res, has_status, manager, sizeof(manager), av, sizeof(av), &q);
	if (rc) {
		kube_reply_status(r, 500, "InternalError", "the request could not be processed", a);
		return -EINVAL;
	}
	rc = apply_apply(live, config, f && strcmp(f, "true") == 0, &q, out, &st);
	if (rc == -EINVAL || rc == -EBUSY) {
		reply_status(r, st);
		rc = -EINVAL;
	}
	json_decref(st);
	return rc;
}

int apply_options(struct http_req *r, int is_apply)
{
	json_t *st = apply_check_options(is_apply, http_query(r, "fieldManager"),
					 http_query(r, "force"));
	if (!st)
		return 0;
	reply_status(r, st);
	json_decref(st);
	return -EINVAL;
}

int apply_body(struct http_req *r, json_t **out)
{
	char err[300], msg[400];
	*out = NULL;
	int rc = yaml_to_json((const char *)r->body, r->body_len, out, err, sizeof(err));
	if (!rc && json_is_null(*out)) { /* yaml.Unmarshal leaves the map empty */
		json_decref(*out);
		*out = json_object();
		rc = *out ? 0 : -ENOMEM;
	}
	if (!rc && !json_is_object(*out)) {
		snprintf(err, sizeof(err),
			 "json: cannot unmarshal %s into Go value of type "
			 "map[string]interface {}",
			 json_is_array(*out)	? "array"
			 : json_is_string(*out) ? "string"
						: "number");
		rc = -EINVAL;
	}
	if (!rc)
		return 0;
	json_decref(*out);
	*out = NULL;
	snprintf(msg, sizeof(msg), "error decoding YAML: %s", err);
	kube_reply_status(r, 400, "BadRequest", msg, NULL);
	return -EINVAL;
}
