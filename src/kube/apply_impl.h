/*
 * apply_impl.h - private to server-side apply (apply.c, apply_types.c, apply_set.c,
 * apply_merge.c, apply_managers.c): the resolved type of a node, field sets in their
 * explicit form, the comparison, the managers' entries, and the helpers the five share.
 * Nothing outside those files includes it.
 *
 * Field sets are built and combined in an "explicit" form, where a node is a member
 * exactly when it has a "." key; apply.h's FieldsV1 form (a member without children is
 * an empty object) is made only at the edges (ap_set_to_v1 / ap_set_from_v1). Every
 * walk is bounded by MAX_DEPTH, so a value nested beyond it is refused, never recursed
 * into. Functions returning json_t * give new references (NULL: the empty set, or
 * -ENOMEM in *rc where they take one).
 */
#ifndef GKEID_KUBE_APPLY_IMPL_H
#define GKEID_KUBE_APPLY_IMPL_H

#include <jansson.h>
#include <stddef.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "kube/apply.h"

#define MAX_DEPTH 160 /* nesting followed (request bodies stop at 128) */

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

struct cmp {
	json_t *added, *modified, *removed; /* explicit sets */
	const char *path[MAX_DEPTH + 2];
	size_t n;
};

struct mgr {
	char *id;      /* BuildManagerIdentifier: the entry's JSON without time and fields */
	json_t *entry; /* manager, operation, apiVersion, subresource (new reference) */
	json_t *set;   /* explicit; never empty once encoded */
	char *time;    /* the entry's time as it came (malloc'd, "" for none): any length */
	int applied;
};

struct mgrs {
	struct mgr *v;
	size_t n, cap;
};

/* --- types and path elements (apply_types.c) --- */

/* The type a FIELD text describes (NULL or "?": deduced; "": scalar). */
void ap_resolve(const char *f, struct ty *t);
void ap_root_type(const struct apply_type *at, struct ty *t);
/* The type of a child: a struct's field, a map's or list's element. */
void ap_child_type(const struct ty *t, const char *field, struct ty *c);
/* v is handled as a leaf of type t (null, scalars, atomic values, misfits). */
int ap_is_leaf(const struct ty *t, const json_t *v);
/* A struct declares field. */
int ap_named_field(const struct ty *t, const char *field);
/* "f:<name>" (malloc'd; NULL when out of memory). */
char *ap_pe_field(const char *name);
/* The path element of a list item (malloc'd); NULL with *rc -EINVAL (err says why)
 * or -ENOMEM. */
char *ap_item_pe(const struct ty *t, const json_t *item, int *rc, char *err, size_t errlen);

/* --- field sets (apply_set.c) --- */

/* Makes node a member. 0 or -ENOMEM. */
int ap_mark(json_t *node);
int ap_is_member(const json_t *node);
/* The child node of set at pe, made when absent. NULL when out of memory. */
json_t *ap_child_node(json_t *set, const char *pe);
/* dst ∪= src. 0, -ENOMEM, -ELOOP. */
int ap_set_union_into(json_t *dst, const json_t *src, int depth);
/* a − b, a ∩ b (b may be NULL). */
json_t *ap_set_diff(const json_t *a, const json_t *b, int *rc);
json_t *ap_set_inter(const json_t *a, const json_t *b, int *rc);
/* FieldsV1 <-> explicit. */
json_t *ap_set_from_v1(const json_t *v1, int depth, int *rc);
json_t *ap_set_to_v1(const json_t *set, int *rc);
/* value.ToString: strings as Go's %q, other values as their JSON. */
void ap_to_string(struct dbuf *b, const json_t *v);
/* A path element as fieldpath prints it. */
void ap_pe_string(struct dbuf *b, const char *pe);
/* The paths of an explicit set, in Set.Iterate order, each passed to fn. */
int ap_paths_of(const json_t *explicit, int (*fn)(const char *, void *), void *arg);
/* The path elements of a list's items, in order, as a JSON array of strings. */
int ap_list_items(const struct ty *t, const json_t *list, json_t **pes, char *err, size_t errlen);
/* ToFieldSet into an explicit set (the root no member). 0, -ENOMEM, -ELOOP. */
int ap_explicit_set(const json_t *v, const struct ty *t, json_t **set);

/* --- Compare and RemoveItems (apply_merge.c) --- */

/* Compare of l and r into c's explicit sets. 0 or -ENOMEM. */
int ap_compare_explicit(const json_t *l, const json_t *r, const struct ty *t, struct cmp *c);
void ap_cmp_free(struct cmp *c);
/* v without the members of set (explicit); NULL for nothing left. */
json_t *ap_remove_items(const json_t *v, const json_t *set, const struct ty *t, int depth,
			int nulls, int *rc);
/* set with the declared fields of structs that have children made members. */
json_t *ap_ensure_named(const json_t *set, const struct ty *t, int depth, int *rc);

/* --- managers and the updater (apply_managers.c) --- */

void ap_mgrs_free(struct mgrs *m);
struct mgr *ap_mgrs_find(struct mgrs *m, const char *id);
/* Adds or replaces id's set (id, entry and set taken). 0 or -ENOMEM. */
int ap_mgrs_put(struct mgrs *m, char *id, json_t *entry, json_t *set, int applied,
		const char *time);
/* DecodeManagedFields: -EINVAL for a malformed list (upstream's words in err). */
int ap_mgrs_decode(const json_t *list, struct mgrs *m, char *err, size_t errlen);
/* Leaves in *set only what the reset fields of req allow. */
int ap_filter_reset(json_t **set, const struct apply_request *req);
/* stripMetaManager's paths taken from the acting manager's set. */
int ap_strip_acting(struct mgrs *m, const char *id);
/* encodeManagedFields into obj's metadata. */
int ap_mgrs_encode(struct mgrs *m, json_t *obj);
/* A copy of obj without metadata.managedFields. */
json_t *ap_without_managed(const json_t *obj);
/* The updater: what changed from old to new recorded for acting; the other managers'
 * conflicts (-EBUSY with *conflicts unless force). */
int ap_update(const json_t *old, const json_t *new, struct mgrs *m, const char *acting,
	      const struct apply_request *req, int force, json_t **conflicts, struct cmp *out);
/* The acting manager's identifier and entry for op ("Apply", "Update"). */
int ap_acting_id(const struct apply_request *req, const char *op, char **id, json_t **entry);

#endif
