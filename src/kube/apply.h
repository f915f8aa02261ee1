/*
 * apply.h - server-side apply and managedFields, as kube-apiserver's field manager does
 * them (k8s.io/apimachinery/pkg/util/managedfields and sigs.k8s.io/structured-merge-diff
 * v4): the structured merge of an applied configuration into a live object, field sets
 * in their FieldsV1 form, field managers, conflicts, and the managedFields that every
 * create, update and patch records.
 *
 * Field sets are JSON objects in exactly the FieldsV1 form that managedFields carries:
 * a key per path element ("f:<field>", "k:<JSON of the list item's keys>", "v:<JSON
 * value>", "i:<index>"); an empty object is a member without children, "." marks a
 * member that has children. Functions return new references and never modify their
 * inputs unless they say so. Values come from the network: lists and maps of any
 * shape are accepted; a value whose shape does not fit its type is treated as a leaf.
 *
 * Types: the merge structure of the built-in kinds (data/kube-apply.json, from the Go
 * types of Kubernetes 1.30: associative lists with their keys, sets, atomic lists,
 * maps and structs). A kind without one (NULL) is "deduced", as structured-merge-diff
 * deduces untyped values: objects merge field by field, lists are atomic.
 */
#ifndef GKEID_KUBE_APPLY_H
#define GKEID_KUBE_APPLY_H

#include <jansson.h>
#include <stddef.h>

struct apply_type;

/* The merge type of a kind ("" for the core group), or NULL when none is known (then
 * every function treats values as deduced). */
const struct apply_type *apply_type_of(const char *group, const char *version, const char *kind);

/* Registers the merge types of a custom resource (crd.h's crd_apply_types: {"types",
 * "root"}) under key (unique per cluster and kind), replacing what key had; returns its
 * handle (valid until key is registered again), NULL when out of memory. Later
 * apply_type_find(key) returns it too. Not thread-safe: the event loop's thread only. */
const struct apply_type *apply_type_add(const char *key, const json_t *crd_types);
const struct apply_type *apply_type_find(const char *key);

/* --- field sets (FieldsV1 JSON) --- */

/* The fields a value sets (structured-merge-diff's ToFieldSet). 0, -ENOMEM. */
int apply_to_set(const json_t *v, const struct apply_type *t, json_t **set);
/* a ∪ b, a − b, a ∩ b as new sets (NULL when out of memory). Either input may be NULL
 * (the empty set). */
json_t *apply_set_union(const json_t *a, const json_t *b);
json_t *apply_set_difference(const json_t *a, const json_t *b);
json_t *apply_set_intersection(const json_t *a, const json_t *b);
/* The paths of set's members in structured-merge-diff's Set.Iterate order, as its
 * fieldpath.Path.String() prints them (".spec.containers[name=\"nginx\"].image"),
 * each passed to fn. Stops at and returns fn's first non-zero result. */
int apply_set_paths(const json_t *set, int (*fn)(const char *path, void *arg), void *arg);

/* --- the merge --- */

/* The applied configuration config merged into live (structured-merge-diff's
 * TypedValue.Merge): config's values win, associative lists merge by key in
 * upstream's order, atomic values are replaced. live may be NULL. 0; -EINVAL with a
 * message in err (a duplicate key in config, an associative list item without its
 * key); -ENOMEM. */
int apply_merge(const json_t *live, const json_t *config, const struct apply_type *t, json_t **out,
		char *err, size_t errlen);

/* What changed from old to new (TypedValue.Compare): paths added, modified and removed.
 * Structs held by value (not behind a pointer) compare as Go's encoding of them does,
 * as {} when absent beside a present parent. Either value may be NULL. 0 or -ENOMEM. */
int apply_compare(const json_t *old, const json_t *new, const struct apply_type *t, json_t **added,
		  json_t **modified, json_t **removed);

/* --- field managers --- */

enum apply_reset { APPLY_RESET_NONE, APPLY_RESET_STATUS, APPLY_RESET_ALL_BUT_STATUS };

/* One request's view of the field manager. */
struct apply_request {
	const char *manager;	 /* the field manager (already checked) */
	const char *api_version; /* "apps/v1", "v1" */
	const char *kind;	 /* "Deployment" (the applied object must say so) */
	const char *subresource; /* "" or "status" */
	const struct apply_type *type;
	/* the fields the request may not own (the strategy's reset fields): status on the
	 * main resource of a kind with a status subresource, all but status on status */
	enum apply_reset reset;
	long long now; /* seconds since the epoch (the managers' time) */
};

/* Records an update (create, update, non-apply patch): sets obj's
 * metadata.managedFields from live's (or from obj's own when the client sent a valid,
 * non-empty list; an empty list or one empty entry resets them), as FieldManager.Update
 * does, with req->manager's Update entry holding the fields it changed. live is NULL
 * on create. obj is modified. 0 or -ENOMEM; on a malformed managedFields list obj gets
 * none, as upstream's UpdateNoErrors. */
int apply_update(const json_t *live, json_t *obj, const struct apply_request *req);

/* Server-side apply of config (the parsed patch) onto live (NULL or {} when the object
 * does not exist yet) for req->manager. On success *out is the new object with its
 * managedFields (live's values where nothing changed) and 0 is returned. On a conflict
 * -EBUSY with *status the 409 Status to reply; on a bad request -EINVAL with *status
 * a 400 Status. -ENOMEM. */
int apply_apply(const json_t *live, const json_t *config, int force,
		const struct apply_request *req, json_t **out, json_t **status);

/* --- request checks (texts of k8s.io/apimachinery's validation) --- */

/* The manager a request acts as: ?fieldManager=, else the User-Agent up to its first
 * '/' (printable characters only, at most 128 bytes), as managerOrUserAgent. out has at
 * least 129 bytes. 0, or -ENAMETOOLONG when the fieldManager does not fit (never cut
 * short: apply_manager_options refuses one over 128 bytes first). */
int apply_manager_name(const char *field_manager, const char *user_agent, char *out, size_t len);

/* ValidatePatchOptions: NULL when fine, else the 422 Status (new reference) of
 * `PatchOptions.meta.k8s.io "" is invalid: ...`. is_apply: the patch type is apply;
 * force: the ?force= value or NULL. */
json_t *apply_check_options(int is_apply, const char *field_manager, const char *force);

/* --- the request side (registry.c's hooks) --- */

struct http_req;
struct kube_attrs;
struct kube_resource;

/* Records the write of obj over live (NULL on create) as the request's Update manager
 * (?fieldManager= or the User-Agent): sets obj's metadata.managedFields. has_status:
 * the kind has a status subresource (its main resource does not own status). 0 or
 * -ENOMEM. */
int apply_track(struct http_req *r, const struct kube_attrs *a, const struct kube_resource *res,
		int has_status, const json_t *live, json_t *obj);

/* Server-side apply of the request's patch (parsed: config) onto live (NULL: absent).
 * 0 with *out the object to store; otherwise the reply (400, 409, 500) is sent and
 * -EINVAL returned (-ENOMEM: nothing sent). */
int apply_patch(struct http_req *r, const struct kube_attrs *a, const struct kube_resource *res,
		int has_status, const json_t *live, const json_t *config, json_t **out);

/* A PATCH's options (?fieldManager=, ?force=): 0, or -EINVAL once the 422 is sent. */
int apply_options(struct http_req *r, int is_apply);

/* ValidateCreateOptions' and ValidateUpdateOptions' fieldManager length, for kind
 * "CreateOptions" or "UpdateOptions": 0, or replies the 422 (`CreateOptions.meta.k8s.io
 * "" is invalid: fieldManager: Too long: must have at most 128 bytes`) and returns
 * -EINVAL. */
int apply_manager_options(struct http_req *r, const char *kind);

/* The apply patch's body, YAML or JSON: 0 with *out an object; else the 400 is sent
 * ("error decoding YAML: ...") and -EINVAL returned. */
int apply_body(struct http_req *r, json_t **out);

#endif
