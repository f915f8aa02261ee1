/*
 * apply_merge.c - the structured merge of structured-merge-diff v4 on typed values:
 * Merge (typed/merge.go), Compare (typed/compare.go), RemoveItems (typed/remove.go) and
 * EnsureNamedFieldsAreMembers, on jansson values, every walk bounded by MAX_DEPTH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/apply.h"
#include "kube/apply_impl.h"

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
	int rc = ap_list_items(t, list, pes, m->err, m->errlen);
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
	ap_resolve(t->elem, &et);
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
			ap_child_type(t, k, &ct);
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
	int lleaf = !l || ap_is_leaf(t, l), rleaf = !r || ap_is_leaf(t, r);
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
	ap_root_type(at, &t);
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

static int insert(json_t *set, const struct cmp *c)
{
	json_t *node = set;
	for (size_t i = 0; i < c->n && node; i++)
		node = ap_child_node(node, c->path[i]);
	return node ? ap_mark(node) : -ENOMEM;
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
			ap_child_type(t, k, &ct);
			const json_t *lv = json_object_get(l, k), *rv = json_object_get(r, k);
			if (ct.k == 's' && ct.by_value) {
				lv = !lv && l ? empty : lv;
				rv = !rv && r ? empty : rv;
			}
			if (!lv && !rv)
				continue;
			char *pe = ap_pe_field(k);
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
	ap_resolve(t->elem, &et);
	if (!rc && l && (rc = ap_list_items(t, l, &lpes, err, sizeof(err))) == -EINVAL)
		rc = 0, lpes = NULL; /* unkeyable: compared as a whole below */
	if (!rc && r && (rc = ap_list_items(t, r, &rpes, err, sizeof(err))) == -EINVAL)
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
	if ((l && ap_is_leaf(t, l)) || (r && ap_is_leaf(t, r)) || empty) {
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

int ap_compare_explicit(const json_t *l, const json_t *r, const struct ty *t, struct cmp *c)
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

void ap_cmp_free(struct cmp *c)
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
	ap_root_type(at, &t);
	*added = *modified = *removed = NULL;
	rc = ap_compare_explicit(old, new, &t, &c);
	if (!rc) {
		*added = ap_set_to_v1(c.added, &rc);
		*modified = ap_set_to_v1(c.modified, &rc);
		*removed = ap_set_to_v1(c.removed, &rc);
		if (!*added)
			*added = json_object();
		if (!*modified)
			*modified = json_object();
		if (!*removed)
			*removed = json_object();
	}
	ap_cmp_free(&c);
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
json_t *ap_remove_items(const json_t *v, const json_t *set, const struct ty *t, int depth,
			int nulls, int *rc)
{
	if (depth > MAX_DEPTH) {
		*rc = -ELOOP;
		return NULL;
	}
	if (ap_is_leaf(t, v))
		return json_deep_copy(v);
	json_t *out;
	if (json_is_array(v)) {
		json_t *pes = NULL;
		char err[256];
		struct ty et;
		size_t i;
		json_t *x;
		ap_resolve(t->elem, &et);
		if (ap_list_items(t, v, &pes, err, sizeof(err)))
			return json_deep_copy(v);
		out = json_array();
		json_array_foreach(out ? pes : NULL, i, x)
		{
			const json_t *sub = json_object_get(set, json_string_value(x));
			json_t *item = json_array_get(v, i), *kept;
			if (ap_is_member(sub))
				continue;
			kept = sub ? ap_remove_items(item, sub, &et, depth + 1, nulls, rc)
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
			char *pe = ap_pe_field(k);
			const json_t *sub = pe ? json_object_get(set, pe) : NULL;
			struct ty ct;
			json_t *kept;
			free(pe);
			if (ap_is_member(sub))
				continue;
			ap_child_type(t, k, &ct);
			kept = sub ? ap_remove_items(x, sub, &ct, depth + 1, nulls, rc)
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
json_t *ap_ensure_named(const json_t *set, const struct ty *t, int depth, int *rc)
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
				ap_child_type(t, k + 2, &ct);
			else
				ap_resolve(t->k == 'l' ? t->elem : NULL, &ct);
			c = ap_ensure_named(v, &ct, depth + 1, rc);
			if (c && strncmp(k, "f:", 2) == 0 && ap_named_field(t, k + 2) && ap_mark(c))
				*rc = -ENOMEM;
		}
		if (!c || json_object_set_new(out, k, c))
			*rc = *rc ? *rc : -ENOMEM;
	}
	return out;
}
