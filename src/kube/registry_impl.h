/*
 * registry_impl.h - private to the registry (registry.c, registry_create.c,
 * registry_update.c, registry_delete.c, registry_valid.c, registry_list.c,
 * registry_watch.c): the per-kind rules, the helpers the seven share,
 * and the per-cluster state the registry keeps (struct registry_state, owned by
 * struct kube_cluster: its watchers, the page cache of paged lists and the encoded
 * event of the current revision). Nothing outside those files includes it.
 */
#ifndef GKEID_KUBE_REGISTRY_IMPL_H
#define GKEID_KUBE_REGISTRY_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dbuf.h"
#include "core/http.h"
#include "core/store.h"
#include "kube/kube.h"
#include "kube/table.h"

#define KEY_MAX (KUBE_NAME_MAX + 1024) /* a key: the cluster's prefix, kind, namespace and name */
#define WATCH_BUF_CAP (4u << 20)   /* unsent bytes per watcher before it is ended */
#define WATCH_DEFAULT_TIMEOUT 1800 /* seconds, kube-apiserver's --min-request-timeout */
#define WATCH_MAX_TIMEOUT (24 * 3600)
#define BOOKMARK_INTERVAL 60 /* seconds between bookmarks when asked for */
#define UPDATE_RETRIES 16    /* optimistic-concurrency retries of patch/update */
#define MAX_LIMIT 100000
#define ANNOTATIONS_MAX (256 * 1024) /* TotalAnnotationSizeLimitB */

/* --- the registry's state of one cluster (cl->registry) --- */

/* The last full range of a paged list, kept while pages follow at the same store
 * revision (kubectl asks for 500 at a time): later pages then cost no store read. */
struct registry_pages {
	char prefix[KEY_MAX];
	int64_t rev;
	struct store_kv *kvs;
	size_t n;
};

/* One event, parsed and encoded once for every watcher that wants it as is. */
struct registry_event_cache {
	int64_t rev;
	json_t *obj;
	char *line[3]; /* ADDED, MODIFIED, DELETED */
	size_t len[3];
};

struct watcher;
struct registry_state {
	struct watcher *watchers; /* the cluster's live watchers (registry_watch.c) */
	size_t n_watchers;
	struct registry_pages pages;	   /* registry_list.c */
	struct registry_event_cache cache; /* registry_watch.c: freed with the last watcher */
};

/* cl's state, made on first use (registry_forget frees it); NULL when out of memory. */
struct registry_state *reg_state(struct kube_cluster *cl);
void reg_pages_clear(struct registry_pages *pages);
void reg_event_cache_clear(struct registry_event_cache *cache);

/* --- per-kind rules (registry.c) --- */

enum name_rule { N_SUBDOMAIN, N_LABEL, N_PATH, N_DNS1035 };

struct kind_info {
	const char *group, *resource;
	enum name_rule name;
	int status;	      /* has a status subresource: updates of the main resource keep it */
	int generation;	      /* metadata.generation counts spec changes */
	int delete_returns;   /* DELETE answers with the object (else a Status Success) */
	int create_on_update; /* PUT of a missing object creates it */
};

/* The rules of res (defaults for a kind without special ones). */
const struct kind_info *reg_kind_of(const struct kube_resource *res);
/* res is the core group's resource. */
int reg_is_core(const struct kube_resource *res, const char *resource);
/* "v1" or "group/version" into out: 0, or -ENAMETOOLONG when it does not fit. REG_AV_MAX
 * holds any: a group is a DNS subdomain (253), a version a label (63). */
#define REG_AV_MAX 320
int reg_api_version(const struct kube_resource *res, char *out, size_t len);

/* --- small helpers (registry.c) --- */

void reg_now_rfc3339(char out[32]);
/* obj.metadata, made when absent; NULL when out of memory. */
json_t *reg_meta_of(json_t *obj);
/* obj.metadata.<field> as a string, "" when absent. */
const char *reg_mstr(const json_t *obj, const char *field);
/* A resourceVersion query value: 0 for none; -EINVAL when not a number. */
int reg_parse_rv(const char *s, int64_t *out);
/* The query parameter is "1", "true" or "t". */
int reg_query_true(const struct http_req *r, const char *name);
/* Parses a stored value into an object carrying its resourceVersion, in res's version
 * (convert.h; res NULL: as stored); NULL if not one or out of memory. */
json_t *reg_load(const struct kube_resource *res, const char *value, size_t len, int64_t rev);

/* Gets an object and its mod_rev. 0, -ENOENT, -errno. */
int reg_fetch(struct kube_cluster *cl, const struct kube_resource *res, const char *key,
	      json_t **out, int64_t *rev);
/* Writes obj (its resourceVersion left out; expected: store_put's), in res's storage
 * version (convert.h), and sets the new one in it. 0, -EEXIST, -ECANCELED, -errno. */
int reg_write_obj(struct kube_cluster *cl, const struct kube_resource *res, const char *key,
		  json_t *obj, int64_t expected, int64_t *new_rev);
/* ?dryRun=All. */
int reg_dry_run(struct http_req *r);
/* Sets obj's metadata.resourceVersion to rev. */
void reg_set_rv(json_t *obj, int64_t rev);
/* A new object: kind and apiVersion first (the resource's), then obj's fields in their
 * order, as kube-apiserver encodes. NULL when out of memory. */
json_t *reg_normalize(json_t *obj, const struct kube_resource *res);

/* --- replies (registry.c); each takes obj's reference --- */

void reg_reply_not_found(struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const char *name);
/* 409 Conflict: the object has been modified. */
void reg_reply_conflict(struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const char *name);
/* 422 Invalid, as errors.NewInvalid: `Kind.group "x" is invalid: [a, b]` with causes
 * (errs borrowed). */
void reg_reply_invalid(struct http_req *r, const struct kube_resource *res, const char *name,
		       json_t *errs);

void reg_reply_json(struct http_req *r, int code, json_t *obj);
/* A Status about a named object of the request's resource. */
void reg_reply_named(struct http_req *r, const struct kube_attrs *a, int code, const char *reason,
		     const char *name, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* "resource.group" (the core group: "resource") into out. */
void reg_qualified(const struct kube_resource *res, char *out, size_t len);
/* The Status of a store error (rc: -errno). */
void reg_reply_store_error(struct http_req *r, const struct kube_attrs *a, int rc);
void reg_reply_bad_request(struct http_req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The Accept header's choice: a Table (1) or the object. */
struct output {
	int table, v1beta1;
	enum table_include inc;
};
void reg_output_of(struct http_req *r, struct output *o);

/*
 * Field errors, as k8s.io/apimachinery/pkg/util/validation/field: an array of
 * {"field", "reason", "body"} where body is ErrorBody() ("Invalid value: ...").
 */
void reg_field_err(json_t *errs, const char *field, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define ERR_INVALID(errs, field, value, detail)                                                    \
	reg_field_err(errs, field, "FieldValueInvalid", "Invalid value: \"%s\": %s", value, detail)
#define ERR_REQUIRED(errs, field) reg_field_err(errs, field, "FieldValueRequired", "Required value")

/* Escalation prevention for RBAC writes (rbac.h). 0, or replies and returns -EPERM. */
int reg_rbac_guard(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		   const struct kube_resource *res, const struct kube_user *u, const json_t *obj);
/* NodeRestriction admission (nodeauthz.h) of a write by a node: obj is the object
 * written, old the stored one. 0, or replies (403, or 404) and returns -EPERM. */
int reg_node_guard(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		   const struct kube_user *u, const json_t *obj, const json_t *old);

/* --- create (registry_create.c) --- */

/* Checks kind and apiVersion of a body and fills them when absent: 0, or replies 400
 * and returns -EINVAL. */
int reg_check_kind(struct http_req *r, const struct kube_resource *res, json_t *obj);
int reg_namespace_exists(struct kube_cluster *cl, const char *ns);
/* The request's object for a create or update (options: "CreateOptions",
 * "UpdateOptions"); NULL when the reply is sent. */
json_t *reg_decode_body(struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const char *options);
/* Creates applied (borrowed: the object a server-side apply made, created as it is) or
 * the request's body (applied NULL), and replies. */
void reg_create_with(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		     const struct kube_resource *res, const struct kube_user *u, json_t *applied);
void reg_serve_create(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res, const struct kube_user *u);

/* --- update and patch (registry_update.c) --- */

void reg_serve_update(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res, const struct kube_user *u);
void reg_serve_patch(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		     const struct kube_resource *res, const struct kube_user *u);

/* --- delete (registry_delete.c) --- */

void reg_serve_delete(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res, const struct kube_user *u);
void reg_serve_deletecollection(struct kube_cluster *cl, struct http_req *r,
				const struct kube_attrs *a, const struct kube_resource *res);

/* --- validation and defaults (registry_valid.c) --- */

/* Appends the errors of name under rule to errs. */
void reg_validate_name(enum name_rule rule, const char *name, const char *field, json_t *errs);
/* Go's name of a JSON value's type, for decoding errors. */
const char *reg_jtype(const json_t *v);
/* The typed decoding of obj as res's kind: 0, or -EINVAL with upstream's message. */
int reg_check_types(const json_t *obj, const struct kube_resource *res, char *msg, size_t len);
/* ObjectMeta's validation (labels, annotations, ...) into errs. */
void reg_validate_meta(const json_t *obj, json_t *errs);
/* The kind's own validation of obj (old: the stored object on an update) into errs. */
void reg_validate_kind(const struct kube_resource *res, const json_t *obj, const json_t *old,
		       json_t *errs);
/* The container defaults (imagePullPolicy, resources, terminationMessage*, ports'
 * protocol) of a list of containers. */
void reg_default_containers(json_t *list);
/* A Pod's defaults; reset_status: a create (the status is the server's). */
void reg_pod_defaults(json_t *obj, int reset_status);
/* The kind's defaults, as defaulting and admission give them. 0 or -ENOMEM. */
int reg_apply_defaults(const struct kube_resource *res, json_t *obj, int create);
/* uid, creationTimestamp, generation of a new object. 0 or -ENOMEM. */
int reg_fill_create_meta(const struct kube_resource *res, json_t *obj);
/* generateName: prefix plus five random characters. 0 or -errno. */
int reg_generate_name(const char *prefix, char *out, size_t len);

/* --- lists (registry_list.c) --- */

struct filter {
	struct selector *labels, *fields;
};
void reg_filter_free(struct filter *f);
/* Parses labelSelector and fieldSelector; replies 400 itself on error. */
int reg_filter_parse(struct http_req *r, const struct kube_resource *res, struct filter *f);
int reg_filter_empty(const struct filter *f);
int reg_filter_match(const struct filter *f, const json_t *obj);
void reg_serve_list(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		    const struct kube_resource *res);

/* --- built-in workload kinds (registry_builtin.c) --- */

/* The defaults of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs
 * and ReplicationControllers (and their pod templates). 0 or -ENOMEM. */
int reg_builtin_defaults(const struct kube_resource *res, json_t *obj);
/* The status of a kind whose Go type encodes fields its stored JSON may lack or hold
 * empty (today HorizontalPodAutoscaler in autoscaling/v2: convert_hpa_v2_status), as
 * kube-apiserver would answer it; run on every write, status updates included. 0 or
 * -ENOMEM. */
int reg_builtin_status(const struct kube_resource *res, json_t *obj);
/* res has a scale subresource. */
int reg_has_scale(const struct kube_resource *res);
/* GET, PUT and PATCH of .../scale (autoscaling/v1 Scale). Replies. */
void reg_serve_scale(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		     const struct kube_resource *res);

/* --- watch (registry_watch.c) --- */

void reg_serve_watch(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		     const struct kube_resource *res);

#endif
