/*
 * apply_set.c - server-side apply's field sets: sets in their explicit form (a node is
 * a member exactly when it has "."), union, difference and intersection, the FieldsV1
 * edges (ap_set_to_v1 / ap_set_from_v1), their paths as fieldpath.Path.String() prints
 * them, and ToFieldSet (structured-merge-diff v4 fieldpath/set.go, typed/tofieldset.go).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "kube/apply.h"
#include "kube/apply_impl.h"

/* --- sets, explicit form: a node is a member when it has "." --- */

int ap_mark(json_t *node)
{
	return json_object_set_new(node, ".", json_object()) ? -ENOMEM : 0;
}

int ap_is_member(const json_t *node)
{
	return json_object_get(node, ".") != NULL;
}

/* The child node of set at pe, made when absent. NULL when out of memory. */
json_t *ap_child_node(json_t *set, const char *pe)
{
	json_t *c = json_object_get(set, pe);
	if (c)
		return c;
	c = json_object();
	if (!c || json_object_set_new(set, pe, c))
		return NULL;
	return c;
}

int ap_set_union_into(json_t *dst, const json_t *src, int depth)
{
	const char *k;
	json_t *v;
	if (depth > MAX_DEPTH)
		return -ELOOP;
	json_object_foreach((json_t *)src, k, v)
	{
		json_t *c = ap_child_node(dst, k);
		if (!c)
			return -ENOMEM;
		int rc = ap_set_union_into(c, v, depth + 1);
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

json_t *ap_set_diff(const json_t *a, const json_t *b, int *rc)
{
	return set_combine(a, b, 0, rc);
}

json_t *ap_set_inter(const json_t *a, const json_t *b, int *rc)
{
	return set_combine(a, b, 1, rc);
}

/* FieldsV1 <-> explicit. Both return NULL for the empty set (and on -ENOMEM, *rc). */
json_t *ap_set_from_v1(const json_t *v1, int depth, int *rc)
{
	const char *k;
	json_t *v;
	if (!json_is_object(v1) || depth > MAX_DEPTH) {
		*rc = -EINVAL;
		return NULL;
	}
	json_t *out = json_object();
	if (!out || (!json_object_size(v1) && ap_mark(out))) {
		json_decref(out);
		*rc = -ENOMEM;
		return NULL;
	}
	json_object_foreach((json_t *)v1, k, v)
	{
		json_t *c = strcmp(k, ".") == 0 ? json_object() : ap_set_from_v1(v, depth + 1, rc);
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

json_t *ap_set_to_v1(const json_t *set, int *rc)
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
		json_t *c = ap_set_to_v1(v, rc);
		if (!c)
			continue;
		children = 1;
		if (json_object_set_new(out, k, c))
			*rc = -ENOMEM;
	}
	if (children && ap_is_member(set) && json_object_set_new(out, ".", json_object()))
		*rc = -ENOMEM;
	if (!children && !ap_is_member(set)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *apply_set_union(const json_t *a, const json_t *b)
{
	int rc = 0;
	json_t *ea = a ? ap_set_from_v1(a, 0, &rc) : NULL,
	       *eb = b ? ap_set_from_v1(b, 0, &rc) : NULL;
	json_t *u = json_object(), *out = NULL;
	if (!rc && u && !ap_set_union_into(u, ea, 0) && !ap_set_union_into(u, eb, 0))
		out = ap_set_to_v1(u, &rc);
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
	json_t *ea = a ? ap_set_from_v1(a, 0, &rc) : NULL,
	       *eb = b ? ap_set_from_v1(b, 0, &rc) : NULL;
	json_t *r = NULL, *out = NULL;
	if (!rc && ea)
		r = inter ? (eb ? ap_set_inter(ea, eb, &rc) : NULL) : ap_set_diff(ea, eb, &rc);
	if (!rc)
		out = r ? ap_set_to_v1(r, &rc) : NULL;
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
void ap_to_string(struct dbuf *b, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s)
		dbuf_str(b, s);
	else
		b->oom = 1;
	free(s);
}

void ap_pe_string(struct dbuf *b, const char *pe)
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
			ap_to_string(b, x);
			first = 0;
		}
		dbuf_str(b, "]");
	} else {
		dbuf_str(b, "[=");
		ap_to_string(b, v);
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
		ap_pe_string(&b, p->pes[i]);
	ap_pe_string(&b, last);
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
		if (ap_is_member(json_object_get(set, keys[j])))
			rc = emit_path(p, keys[j]);
	}
	for (size_t j = 0; j < i && !rc; j++) {
		json_t *c = json_object_get(set, keys[j]);
		if (json_object_size(c) > (size_t)ap_is_member(c)) {
			p->pes[p->n++] = keys[j];
			rc = iterate(c, p);
			p->n--;
		}
	}
	free(keys);
	return rc;
}

int ap_paths_of(const json_t *explicit, int (*fn)(const char *, void *), void *arg)
{
	struct paths p = {.n = 0, .fn = fn, .arg = arg};
	return explicit ? iterate(explicit, &p) : 0;
}

int apply_set_paths(const json_t *set, int (*fn)(const char *path, void *arg), void *arg)
{
	int rc = 0;
	json_t *e = ap_set_from_v1(set, 0, &rc);
	if (!rc)
		rc = ap_paths_of(e, fn, arg);
	json_decref(e);
	return rc;
}

/* --- ToFieldSet --- */

static int to_set(const json_t *v, const struct ty *t, json_t *node, int depth)
{
	if (depth > MAX_DEPTH)
		return -ELOOP;
	if (ap_is_leaf(t, v))
		return ap_mark(node);
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
		{
			struct ty ct;
			char *pe = ap_pe_field(k);
			json_t *c = pe ? ap_child_node(node, pe) : NULL;
			free(pe);
			if (!c)
				return -ENOMEM;
			ap_child_type(t, k, &ct);
			int rc = to_set(x, &ct, c, depth + 1);
			if (!rc && (json_is_null(x) ||
				    (json_is_object(x) && !json_object_size(x)) || t->k != 's'))
				rc = ap_mark(c);
			if (rc)
				return rc;
		}
		return 0;
	}
	/* an associative list: a duplicated item is a member, not followed */
	char err[256];
	json_t *pes = NULL, *seen = json_object(), *dup = json_object();
	int rc = seen && dup ? ap_list_items(t, v, &pes, err, sizeof(err)) : -ENOMEM;
	size_t i;
	json_t *x;
	struct ty et;
	ap_resolve(t->elem, &et);
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
		json_t *c = ap_child_node(node, pe);
		if (!c) {
			rc = -ENOMEM;
			break;
		}
		if (!json_object_get(dup, pe))
			rc = to_set(json_array_get(v, i), &et, c, depth + 1);
		if (rc || (rc = ap_mark(c)))
			break;
	}
	json_decref(pes);
	json_decref(seen);
	json_decref(dup);
	return rc == -EINVAL ? 0 : rc; /* items without their keys are left out */
}

/* The path elements of a list's items, in order, as a JSON array of strings. */
int ap_list_items(const struct ty *t, const json_t *list, json_t **pes, char *err, size_t errlen)
{
	size_t i;
	json_t *x;
	int rc = 0;
	*pes = json_array();
	if (!*pes)
		return -ENOMEM;
	json_array_foreach((json_t *)list, i, x)
	{
		char *pe = ap_item_pe(t, x, &rc, err, errlen);
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

int ap_explicit_set(const json_t *v, const struct ty *t, json_t **set)
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
	ap_root_type(at, &t);
	*set = NULL;
	rc = ap_explicit_set(v, &t, &e);
	if (!rc) {
		*set = ap_set_to_v1(e, &rc);
		if (!rc && !*set && !(*set = json_object()))
			rc = -ENOMEM;
	}
	json_decref(e);
	return rc;
}
