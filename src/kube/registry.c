/*
 * registry.c - the generic storage of Kubernetes objects, as kube-apiserver's
 * generic registry (k8s.io/apiserver/pkg/registry/generic/registry.Store): get, list
 * (label and field selectors, limit/continue), watch (a chunked stream of watch
 * events, resumable from a resourceVersion), create, update (CAS on
 * metadata.resourceVersion), patch (merge, JSON, strategic), delete and
 * deletecollection, with the per-kind rules kube-apiserver applies (defaults, name
 * validation, status subresources, namespace cascade) and its Status errors.
 *
 * Objects are JSON documents in the store at kube.h's layout, kept without
 * metadata.resourceVersion: that is the key's mod_rev, set on every read.
 *
 * The registry is seven files: this one (the per-kind table, storage helpers, replies,
 * direct access, get and the dispatch), registry_create.c (bodies and create),
 * registry_update.c (update and patch), registry_delete.c (delete and
 * deletecollection), registry_valid.c (validation and defaults), registry_list.c (lists)
 * and registry_watch.c (watches); registry_impl.h is their private contract.
 *
 * Watches: one store watch per HTTP watch over the collection's key prefix. Events are
 * parsed and encoded once per revision and shared by every watcher that wants them
 * unchanged (the fan-out cost per watcher is then a buffer copy); a watcher whose
 * connection has more than WATCH_BUF_CAP bytes unsent is ended, as kube-apiserver ends
 * a watcher that cannot keep up, and the client watches again from its last
 * resourceVersion.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/http.h"
#include "core/jwt.h"
#include "core/store.h"
#include "kube/convert.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/nodeauthz.h"
#include "kube/rbac.h"
#include "kube/registry_impl.h"
#include "kube/util.h"

/* --- per-kind rules --- */

static const struct kind_info kinds[] = {
	{"", "pods", N_SUBDOMAIN, 1, 1, 1, 0},
	{"", "namespaces", N_LABEL, 1, 0, 1, 0},
	{"", "nodes", N_SUBDOMAIN, 1, 0, 0, 0},
	{"", "serviceaccounts", N_SUBDOMAIN, 0, 0, 1, 1},
	{"", "configmaps", N_SUBDOMAIN, 0, 0, 0, 0},
	{"", "secrets", N_SUBDOMAIN, 0, 0, 0, 0},
	{"", "events", N_SUBDOMAIN, 0, 0, 0, 1},
	{"", "services", N_DNS1035, 1, 0, 1, 0},
	{"events.k8s.io", "events", N_SUBDOMAIN, 0, 0, 0, 1},
	{"networking.k8s.io", "networkpolicies", N_SUBDOMAIN, 0, 1, 0, 0},
	{"rbac.authorization.k8s.io", "roles", N_PATH, 0, 0, 0, 1},
	{"rbac.authorization.k8s.io", "clusterroles", N_PATH, 0, 0, 0, 1},
	{"rbac.authorization.k8s.io", "rolebindings", N_PATH, 0, 0, 0, 1},
	{"rbac.authorization.k8s.io", "clusterrolebindings", N_PATH, 0, 0, 0, 1},
	/* the built-in kinds served by the generic path (Kubernetes 1.30's strategies:
	 * status subresources, metadata.generation, AllowCreateOnUpdate) */
	{"", "endpoints", N_SUBDOMAIN, 0, 0, 0, 1},
	{"", "limitranges", N_SUBDOMAIN, 0, 0, 0, 1},
	{"", "persistentvolumeclaims", N_SUBDOMAIN, 1, 0, 0, 0},
	{"", "persistentvolumes", N_SUBDOMAIN, 1, 0, 0, 0},
	{"", "replicationcontrollers", N_SUBDOMAIN, 1, 1, 0, 0},
	{"", "resourcequotas", N_SUBDOMAIN, 1, 0, 0, 0},
	{"admissionregistration.k8s.io", "validatingadmissionpolicies", N_SUBDOMAIN, 1, 1, 0, 0},
	{"apiregistration.k8s.io", "apiservices", N_SUBDOMAIN, 1, 0, 0, 0},
	{"apps", "daemonsets", N_SUBDOMAIN, 1, 1, 0, 0},
	{"apps", "deployments", N_SUBDOMAIN, 1, 1, 0, 0},
	{"apps", "replicasets", N_SUBDOMAIN, 1, 1, 0, 0},
	{"apps", "statefulsets", N_SUBDOMAIN, 1, 1, 0, 0},
	{"autoscaling", "horizontalpodautoscalers", N_SUBDOMAIN, 1, 0, 0, 0},
	{"batch", "cronjobs", N_SUBDOMAIN, 1, 1, 0, 0},
	{"batch", "jobs", N_SUBDOMAIN, 1, 1, 0, 0},
	{"certificates.k8s.io", "certificatesigningrequests", N_SUBDOMAIN, 1, 0, 0, 0},
	{"flowcontrol.apiserver.k8s.io", "flowschemas", N_SUBDOMAIN, 1, 1, 0, 0},
	{"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", N_SUBDOMAIN, 1, 1, 0, 0},
	{"networking.k8s.io", "ingresses", N_SUBDOMAIN, 1, 1, 0, 0},
	{"policy", "poddisruptionbudgets", N_SUBDOMAIN, 1, 1, 0, 0},
	{"storage.k8s.io", "volumeattachments", N_SUBDOMAIN, 1, 0, 0, 0},
	/* DELETE answers with the CRD it marked Terminating (customresourcedefinition/etcd.go) */
	{"apiextensions.k8s.io", "customresourcedefinitions", N_SUBDOMAIN, 1, 1, 1, 0},
};

static const struct kind_info default_kind = {"", "", N_SUBDOMAIN, 0, 0, 0, 0};
static const struct kind_info cr_status_kind = {"", "", N_SUBDOMAIN, 1, 1, 0, 0};

const struct kind_info *reg_kind_of(const struct kube_resource *res)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].group, res->group) == 0 &&
		    strcmp(kinds[i].resource, res->resource) == 0)
			return &kinds[i];
	return crd_has_status(res) ? &cr_status_kind : &default_kind; /* crdserve.c */
}

int reg_is_core(const struct kube_resource *res, const char *resource)
{
	return !res->group[0] && strcmp(res->resource, resource) == 0;
}

int reg_api_version(const struct kube_resource *res, char *out, size_t len)
{
	return res->group[0] ? sfmt(out, len, "%s/%s", res->group, res->version)
			     : sfmt(out, len, "%s", res->version);
}

/* --- small helpers --- */

void reg_now_rfc3339(char out[32])
{
	clock_rfc3339((int64_t)time(NULL), out);
}

json_t *reg_meta_of(json_t *obj)
{
	json_t *m = json_object_get(obj, "metadata");
	if (!json_is_object(m)) {
		m = json_object();
		if (!m || json_object_set_new(obj, "metadata", m))
			return NULL;
	}
	return m;
}

const char *reg_mstr(const json_t *obj, const char *field)
{
	const json_t *v = json_object_get(json_object_get(obj, "metadata"), field);
	return json_is_string(v) ? json_string_value(v) : "";
}

void reg_set_rv(json_t *obj, int64_t rev)
{
	char buf[32];
	json_t *m = reg_meta_of(obj);
	snprintf(buf, sizeof(buf), "%lld", (long long)rev);
	if (m)
		json_object_set_new(m, "resourceVersion", json_string(buf));
}

int reg_parse_rv(const char *s, int64_t *out)
{
	char *end;
	*out = 0;
	if (!s || !*s)
		return 0;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int reg_query_true(const struct http_req *r, const char *name)
{
	const char *v = http_query(r, name);
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "t") == 0);
}

void registry_key(const struct kube_cluster *cl, const struct kube_resource *res, const char *ns,
		  const char *name, char *out, size_t len)
{
	const char *g = res->group[0] ? res->group : "core";
	int n;
	if (!res->namespaced || !ns || !*ns) {
		/* a cluster-scoped object, or the whole collection across namespaces */
		if (!res->namespaced && name && *name)
			n = sfmt(out, len, "%s/registry/%s.%s/%s", cl->prefix, res->resource, g,
				 name);
		else
			n = sfmt(out, len, "%s/registry/%s.%s/", cl->prefix, res->resource, g);
	} else if (name && *name) {
		n = sfmt(out, len, "%s/registry/%s.%s/%s/%s", cl->prefix, res->resource, g, ns,
			 name);
	} else {
		n = sfmt(out, len, "%s/registry/%s.%s/%s/", cl->prefix, res->resource, g, ns);
	}
	if (n < 0) {
		/* too long: an empty key that no store accepts */
		if (len)
			out[0] = '\0';
	}
}

/* --- the cluster's registry state (registry_impl.h) --- */

struct registry_state *reg_state(struct kube_cluster *cl)
{
	if (!cl->registry)
		cl->registry = calloc(1, sizeof(*cl->registry));
	return cl->registry;
}

void registry_forget(struct kube_cluster *cl)
{
	struct registry_state *rs = cl->registry;
	if (!rs)
		return;
	/* the watchers ended with their connections (kube_cluster_stop frees them first) */
	reg_pages_clear(&rs->pages);
	reg_event_cache_clear(&rs->cache);
	free(rs);
	cl->registry = NULL;
}

/* Parses a stored value into an object carrying its resourceVersion, in res's version. */
json_t *reg_load(const struct kube_resource *res, const char *value, size_t len, int64_t rev)
{
	json_t *o = json_loadb(value, len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	if (res && convert_needed(res)) {
		json_t *c = convert_to(o, res);
		json_decref(o);
		if (!c)
			return NULL;
		o = c;
	}
	reg_set_rv(o, rev);
	return o;
}

/* Gets an object and its mod_rev. 0, -ENOENT, -errno. */
int reg_fetch(struct kube_cluster *cl, const struct kube_resource *res, const char *key,
	      json_t **out, int64_t *rev)
{
	struct store_kv kv;
	*out = NULL;
	if (!*key)
		return -ENOENT;
	int rc = store_get(cl->kube->store, key, &kv);
	if (rc)
		return rc;
	*out = reg_load(res, kv.value, kv.value_len, kv.mod_rev);
	if (rev)
		*rev = kv.mod_rev;
	store_kv_free(&kv);
	return *out ? 0 : -EIO;
}

/* kind and apiVersion first, then the rest in their order (as kube-apiserver encodes). */
json_t *reg_normalize(json_t *obj, const struct kube_resource *res)
{
	char av[REG_AV_MAX];
	const char *k;
	json_t *v;
	if (reg_api_version(res, av, sizeof(av)) < 0)
		return NULL;
	json_t *md = json_object_get(obj, "metadata");
	json_t *o = json_is_object(md) ? json_pack("{s:s, s:s, s:O}", "kind", res->kind,
						   "apiVersion", av, "metadata", md)
				       : json_pack("{s:s, s:s, s:{}}", "kind", res->kind,
						   "apiVersion", av, "metadata");
	if (!o)
		return NULL;
	json_object_foreach(obj, k, v)
	{
		if (strcmp(k, "kind") == 0 || strcmp(k, "apiVersion") == 0 ||
		    strcmp(k, "metadata") == 0)
			continue;
		if (json_object_set(o, k, v)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Writes obj (its resourceVersion left out) and sets the new one in it. The stored
 * text always begins {"kind":K,"apiVersion":V,"metadata":{ (see raw_item). */
int reg_write_obj(struct kube_cluster *cl, const struct kube_resource *res, const char *key,
		  json_t *obj, int64_t expected, int64_t *new_rev)
{
	json_t *m = reg_meta_of(obj);
	int64_t rev = 0;
	if (!m)
		return -ENOMEM;
	json_object_del(m, "resourceVersion");
	json_t *n = reg_normalize(obj, res);
	if (n && convert_needed(res)) {
		/* stored in the storage version, kind and apiVersion first */
		const struct kube_resource *st = convert_storage_of(res);
		json_t *c = convert_to(n, st);
		json_decref(n);
		n = c ? reg_normalize(c, st) : NULL;
		json_decref(c);
	}
	char *s = n ? json_dumps(n, JSON_COMPACT) : NULL;
	json_decref(n);
	if (!s)
		return -ENOMEM;
	int rc = store_put(cl->kube->store, key, s, strlen(s), expected, &rev);
	free(s);
	if (rc == 0) {
		reg_set_rv(obj, rev);
		if (new_rev)
			*new_rev = rev;
	}
	return rc;
}

/* --- replies --- */

void reg_reply_json(struct http_req *r, int code, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (!s) {
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
		return;
	}
	kube_reply_json_text(r, code, s);
}

/* A Status about a named object of the request's resource. */
void reg_reply_named(struct http_req *r, const struct kube_attrs *a, int code, const char *reason,
		     const char *name, const char *fmt, ...)
{
	struct kube_attrs c = *a;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c.name, sizeof(c.name), "%s", name ? name : "");
	c.resource_request = 1;
	kube_reply_status(r, code, reason, msg, &c);
}

void reg_reply_bad_request(struct http_req *r, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kube_reply_status(r, 400, "BadRequest", msg, NULL);
}

void reg_reply_not_found(struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const char *name)
{
	if (res->group[0])
		reg_reply_named(r, a, 404, "NotFound", name, "%s.%s \"%s\" not found",
				res->resource, res->group, name);
	else
		reg_reply_named(r, a, 404, "NotFound", name, "%s \"%s\" not found", res->resource,
				name);
}

void reg_qualified(const struct kube_resource *res, char *out, size_t len)
{
	if (res->group[0])
		snprintf(out, len, "%s.%s", res->resource, res->group);
	else
		snprintf(out, len, "%s", res->resource);
}

void reg_reply_conflict(struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const char *name)
{
	char q[200];
	reg_qualified(res, q, sizeof(q));
	reg_reply_named(r, a, 409, "Conflict", name,
			"Operation cannot be fulfilled on %s \"%s\": the object has been modified; "
			"please apply your changes to the latest version and try again",
			q, name);
}

void reg_reply_store_error(struct http_req *r, const struct kube_attrs *a, int rc)
{
	if (rc == -EFBIG || rc == -ENAMETOOLONG)
		kube_reply_status(r, 413, "RequestEntityTooLarge",
				  "Request entity too large: the object is too large to store", a);
	else
		kube_reply_status(r, 500, "InternalError", "the object could not be stored", a);
}

/*
 * Field errors, as k8s.io/apimachinery/pkg/util/validation/field: an array of
 * {"field", "reason", "body"} where body is ErrorBody() ("Invalid value: ...").
 */
void reg_field_err(json_t *errs, const char *field, const char *reason, const char *fmt, ...)
{
	char body[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	json_t *e = json_pack("{s:s, s:s, s:s}", "field", field, "reason", reason, "body", body);
	if (!e) /* bytes that are not UTF-8: keep the error, drop the text */
		e = json_pack("{s:s, s:s, s:s}", "field", field, "reason", reason, "body",
			      "Invalid value");
	if (e)
		json_array_append_new(errs, e);
}

/* 422 Invalid, as errors.NewInvalid: `Pod "x" is invalid: [a, b]` with causes. */
void reg_reply_invalid(struct http_req *r, const struct kube_resource *res, const char *name,
		       json_t *errs)
{
	size_t n = json_array_size(errs), i, pos = 0;
	json_t *e;
	char *msg = malloc(16384);
	json_t *causes = json_array();
	if (!msg || !causes) {
		free(msg);
		json_decref(causes);
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
		return;
	}
	/* errors.NewInvalid: the GroupKind's String(), "Kind.group" outside the core group */
	pos = (size_t)snprintf(msg, 16384, "%s%s%s \"%s\" is invalid: %s", res->kind,
			       res->group[0] ? "." : "", res->group, name, n > 1 ? "[" : "");
	json_array_foreach(errs, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *b = json_string_value(json_object_get(e, "body"));
		if (pos < 16384)
			pos += (size_t)snprintf(msg + pos, 16384 - pos, "%s%s: %s", i ? ", " : "",
						f, b);
		json_array_append_new(causes,
				      json_pack("{s:s, s:s, s:s}", "reason",
						json_string_value(json_object_get(e, "reason")),
						"message", b, "field", f));
	}
	if (n > 1 && pos < 16384)
		snprintf(msg + pos, 16384 - pos, "]");
	json_t *details = json_pack("{s:s, s:s}", "name", name, "kind", res->kind);
	if (details && res->group[0])
		json_object_set_new(details, "group", json_string(res->group));
	if (details)
		json_object_set_new(details, "causes", causes);
	else
		json_decref(causes);
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:o*, s:i}", "kind", "Status",
			       "apiVersion", "v1", "metadata", "status", "Failure", "message", msg,
			       "reason", "Invalid", "details", details, "code", 422);
	free(msg);
	if (!st) {
		kube_reply_status(r, 422, "Invalid", "the object is invalid", NULL);
		return;
	}
	reg_reply_json(r, 422, st);
}

/* --- direct access (kube.h) --- */

json_t *registry_get(struct kube_cluster *cl, const struct kube_resource *res, const char *ns,
		     const char *name)
{
	char key[KEY_MAX];
	json_t *o = NULL;
	if (!cl || !res || !name || !*name || (res->namespaced && (!ns || !*ns)))
		return NULL;
	registry_key(cl, res, ns, name, key, sizeof(key));
	if (reg_fetch(cl, res, key, &o, NULL) != 0)
		return NULL;
	return o;
}

int registry_put(struct kube_cluster *cl, const struct kube_resource *res, json_t *obj)
{
	char key[KEY_MAX], av[REG_AV_MAX], uid[37], ts[32];
	json_t *old = NULL;
	int rc;
	if (!cl || !res || !json_is_object(obj))
		return -EINVAL;
	const char *name = reg_mstr(obj, "name");
	const char *ns = reg_mstr(obj, "namespace");
	if (!*name || (res->namespaced && !*ns))
		return -EINVAL;
	if (!res->namespaced)
		ns = "";
	registry_key(cl, res, ns, name, key, sizeof(key));
	if (!*key)
		return -ENAMETOOLONG;
	if (reg_api_version(res, av, sizeof(av)) < 0)
		return -ENAMETOOLONG;
	json_object_set_new(obj, "kind", json_string(res->kind));
	json_object_set_new(obj, "apiVersion", json_string(av));
	json_t *m = reg_meta_of(obj);
	if (!m)
		return -ENOMEM;
	rc = reg_fetch(cl, res, key, &old, NULL);
	if (rc && rc != -ENOENT)
		return rc;
	/* keep identity across replacements; new objects get theirs */
	const char *ouid = old ? reg_mstr(old, "uid") : "";
	const char *ots = old ? reg_mstr(old, "creationTimestamp") : "";
	if (*ouid) {
		json_object_set_new(m, "uid", json_string(ouid));
	} else if (!*reg_mstr(obj, "uid")) {
		if (random_uuid4(uid) != 0) {
			json_decref(old);
			return -EIO;
		}
		json_object_set_new(m, "uid", json_string(uid));
	}
	if (*ots) {
		json_object_set_new(m, "creationTimestamp", json_string(ots));
	} else if (!*reg_mstr(obj, "creationTimestamp")) {
		reg_now_rfc3339(ts);
		json_object_set_new(m, "creationTimestamp", json_string(ts));
	}
	if (reg_kind_of(res)->generation && !json_object_get(m, "generation")) {
		json_t *og = old ? json_object_get(json_object_get(old, "metadata"), "generation")
				 : NULL;
		json_object_set_new(m, "generation",
				    json_is_integer(og) ? json_copy(og) : json_integer(1));
	}
	json_decref(old);
	rc = reg_apply_defaults(res, obj, 1);
	if (rc)
		return rc;
	return reg_write_obj(cl, res, key, obj, STORE_ANY_REV, NULL);
}

/* --- get --- */

void reg_output_of(struct http_req *r, struct output *o)
{
	o->table = table_wanted(http_header(r, "Accept"), &o->v1beta1);
	o->inc = table_include_parse(http_query(r, "includeObject"));
}

static void reply_object(struct http_req *r, const struct kube_resource *res, json_t *obj,
			 const struct output *out, int code)
{
	if (out && out->table) {
		json_t *items = json_pack("[O]", obj);
		json_t *t = items ? table_build(res, items, out->inc, 1,
						reg_mstr(obj, "resourceVersion"), NULL, 0,
						time(NULL), out->v1beta1)
				  : NULL;
		json_decref(items);
		json_decref(obj);
		reg_reply_json(r, code, t);
		return;
	}
	reg_reply_json(r, code, obj);
}

static void serve_get(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res)
{
	char key[KEY_MAX];
	json_t *obj = NULL;
	struct output out;
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	int rc = reg_fetch(cl, res, key, &obj, NULL);
	if (rc == -ENOENT) {
		reg_reply_not_found(r, a, res, a->name);
		return;
	}
	if (rc) {
		kube_reply_status(r, 500, "InternalError", "the object could not be read", a);
		return;
	}
	reg_output_of(r, &out);
	reply_object(r, res, obj, &out, 200);
}

/* Escalation prevention for RBAC writes (rbac.h). 0, or replies and returns -EPERM. */
int reg_rbac_guard(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		   const struct kube_resource *res, const struct kube_user *u, const json_t *obj)
{
	char msg[4096];
	if (strcmp(res->group, "rbac.authorization.k8s.io") != 0 || !u)
		return 0;
	int rc = rbac_check_escalation(cl, u, res->resource, obj, msg, sizeof(msg));
	if (rc == 0)
		return 0;
	if (rc == -EINVAL)
		reg_reply_bad_request(r, "%s", msg);
	else if (rc == -EPERM)
		reg_reply_named(r, a, 403, "Forbidden", reg_mstr(obj, "name"), "%s", msg);
	else
		kube_reply_status(r, 500, "InternalError", "the RBAC check failed", a);
	return -EPERM;
}

/* NodeRestriction admission (nodeauthz.h) of a write by a node: obj is the object
 * written, old the stored one. 0, or replies (403, or 404 for an object it needs that is
 * gone) and returns -EPERM. */
int reg_node_guard(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		   const struct kube_user *u, const json_t *obj, const json_t *old)
{
	char msg[2048], name[256];
	int rc = noderestriction_admit(cl, u, a, obj, old, msg, sizeof(msg), name, sizeof(name));
	if (rc == 0)
		return 0;
	if (rc == -ENOENT)
		reg_reply_named(r, a, 404, "NotFound", name, "%s", msg);
	else
		reg_reply_named(r, a, 403, "Forbidden", name, "%s", msg);
	return -EPERM;
}

/* --- dispatch --- */

void registry_serve(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		    const struct kube_resource *res, const struct kube_user *u)
{
	if (!cl || !r || !a || !res) {
		if (r)
			kube_reply_status(r, 500, "InternalError", "bad registry call", a);
		return;
	}
	const char *v = a->verb;
	const char *sub = a->subresource;
	if (sub[0] && strcmp(sub, "status") != 0 &&
	    !(strcmp(sub, "finalize") == 0 && reg_is_core(res, "namespaces")) &&
	    !(strcmp(sub, "scale") == 0 && reg_has_scale(res))) {
		kube_reply_not_found(r, a);
		return;
	}
	if (res->namespaced && !a->namespace_[0] && strcmp(v, "list") != 0 &&
	    strcmp(v, "watch") != 0 && strcmp(v, "deletecollection") != 0 &&
	    !reg_is_core(res, "namespaces")) {
		/* creating or naming a namespaced object needs its namespace */
		kube_reply_not_found(r, a);
		return;
	}
	if (strcmp(sub, "scale") == 0) {
		reg_serve_scale(cl, r, a, res);
	} else if (strcmp(v, "get") == 0) {
		if (reg_query_true(r, "watch"))
			reg_serve_watch(cl, r, a, res);
		else
			serve_get(cl, r, a, res);
	} else if (strcmp(v, "list") == 0) {
		if (reg_query_true(r, "watch"))
			reg_serve_watch(cl, r, a, res);
		else
			reg_serve_list(cl, r, a, res);
	} else if (strcmp(v, "watch") == 0) {
		reg_serve_watch(cl, r, a, res);
	} else if (strcmp(v, "create") == 0 && !sub[0]) {
		reg_serve_create(cl, r, a, res, u);
	} else if (strcmp(v, "update") == 0 && a->name[0]) {
		reg_serve_update(cl, r, a, res, u);
	} else if (strcmp(v, "patch") == 0 && a->name[0]) {
		reg_serve_patch(cl, r, a, res, u);
	} else if (strcmp(v, "delete") == 0 && a->name[0] && !sub[0]) {
		reg_serve_delete(cl, r, a, res, u);
	} else if (strcmp(v, "deletecollection") == 0 && !sub[0]) {
		reg_serve_deletecollection(cl, r, a, res);
	} else {
		kube_reply_method_not_allowed(r, a);
	}
}
