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
 * The registry is four files: this one (the per-kind table, storage helpers, replies,
 * get, create, update, patch, delete and the dispatch), registry_valid.c (validation and
 * defaults), registry_list.c (lists) and registry_watch.c (watches); registry_impl.h is
 * their private contract.
 *
 * Watches: one store watch per HTTP watch over the collection's key prefix. Events are
 * parsed and encoded once per revision and shared by every watcher that wants them
 * unchanged (the fan-out cost per watcher is then a buffer copy); a watcher whose
 * connection has more than WATCH_BUF_CAP bytes unsent is ended, as kube-apiserver ends
 * a watcher that cannot keep up, and the client watches again from its last
 * resourceVersion.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/jwt.h"
#include "core/store.h"
#include "kube/apply.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/nodeauthz.h"
#include "kube/patch.h"
#include "kube/rbac.h"
#include "kube/registry_impl.h"
#include "kube/schema.h"
#include "kube/selectors.h"
#include "kube/table.h"
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
	{"apiextensions.k8s.io", "customresourcedefinitions", N_SUBDOMAIN, 1, 1, 0, 0},
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

void reg_api_version(const struct kube_resource *res, char *out, size_t len)
{
	if (res->group[0])
		snprintf(out, len, "%s/%s", res->group, res->version);
	else
		snprintf(out, len, "%s", res->version);
}

/* --- small helpers --- */

void reg_now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
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

static void set_rv(json_t *obj, int64_t rev)
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

/* Parses a stored value into an object carrying its resourceVersion. */
json_t *reg_load(const char *value, size_t len, int64_t rev)
{
	json_t *o = json_loadb(value, len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	set_rv(o, rev);
	return o;
}

/* Gets an object and its mod_rev. 0, -ENOENT, -errno. */
int reg_fetch(struct kube_cluster *cl, const char *key, json_t **out, int64_t *rev)
{
	struct store_kv kv;
	*out = NULL;
	if (!*key)
		return -ENOENT;
	int rc = store_get(cl->kube->store, key, &kv);
	if (rc)
		return rc;
	*out = reg_load(kv.value, kv.value_len, kv.mod_rev);
	if (rev)
		*rev = kv.mod_rev;
	store_kv_free(&kv);
	return *out ? 0 : -EIO;
}

/* kind and apiVersion first, then the rest in their order (as kube-apiserver encodes). */
static json_t *normalize(json_t *obj, const struct kube_resource *res)
{
	char av[200];
	const char *k;
	json_t *v;
	reg_api_version(res, av, sizeof(av));
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
	json_t *n = normalize(obj, res);
	char *s = n ? json_dumps(n, JSON_COMPACT) : NULL;
	json_decref(n);
	if (!s)
		return -ENOMEM;
	int rc = store_put(cl->kube->store, key, s, strlen(s), expected, &rev);
	free(s);
	if (rc == 0) {
		set_rv(obj, rev);
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
static void reply_named(struct http_req *r, const struct kube_attrs *a, int code,
			const char *reason, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void reply_named(struct http_req *r, const struct kube_attrs *a, int code,
			const char *reason, const char *name, const char *fmt, ...)
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
		reply_named(r, a, 404, "NotFound", name, "%s.%s \"%s\" not found", res->resource,
			    res->group, name);
	else
		reply_named(r, a, 404, "NotFound", name, "%s \"%s\" not found", res->resource,
			    name);
}

static void qualified(const struct kube_resource *res, char *out, size_t len)
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
	qualified(res, q, sizeof(q));
	reply_named(r, a, 409, "Conflict", name,
		    "Operation cannot be fulfilled on %s \"%s\": the object has been modified; "
		    "please apply your changes to the latest version and try again",
		    q, name);
}

static void reply_store_error(struct http_req *r, const struct kube_attrs *a, int rc)
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

/* --- bodies --- */

/* A request body's media type the apiserver decodes: JSON or YAML (protobuf bodies are
 * JSON by now, apiserver.c), with any parameters, or none given. */
static int body_media_ok(const char *ct)
{
	size_t n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return n == 0 || (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	       (n == 16 && strncasecmp(ct, "application/yaml", 16) == 0) ||
	       (n == 3 && strncmp(ct, "*/*", 3) == 0);
}

/* The request's object. Duplicate keys are kept (the last wins, *dups set) for
 * fieldValidation to judge (schema.h). */
static json_t *parse_body(struct http_req *r, int *dups)
{
	json_error_t e;
	const char *ct = http_header(r, "Content-Type");
	if (ct && strncasecmp(ct, "application/vnd.kubernetes.protobuf", 35) == 0) {
		kube_reply_status(
			r, 415, "UnsupportedMediaType",
			"the body of the request was in an unknown format - accepted media "
			"types include: application/json, application/yaml",
			NULL);
		return NULL;
	}
	if (ct && !body_media_ok(ct)) {
		/* no serializer for the media type (apiserver's negotiation), 1.30's list */
		kube_reply_status(
			r, 415, "UnsupportedMediaType",
			"the body of the request was in an unknown format - accepted media types "
			"include: application/json, application/yaml, "
			"application/vnd.kubernetes.protobuf",
			NULL);
		return NULL;
	}
	if (!r->body_len) {
		reg_reply_bad_request(r, "the body of the request was empty");
		return NULL;
	}
	/* No depth bound of gkeid's own here: as kube-apiserver decodes a built-in kind into
	 * its type, schema.c prunes what the type does not have, however deep (jansson's
	 * parser stops at 2048 levels). Patches are bounded (patch.c). */
	json_t *j = schema_loadb((const char *)r->body, r->body_len, dups, &e);
	if (!j) {
		reg_reply_bad_request(r, "couldn't get version/kind; json parse error: %s", e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reg_reply_bad_request(
			r, "couldn't get version/kind; json parse error: json: cannot "
			   "unmarshal array into Go value of type struct { APIVersion string "
			   "\"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
			   "\"json:\\\"kind,omitempty\\\"\" }");
		return NULL;
	}
	return j;
}

/* Checks kind and apiVersion of a body and fills them when absent. */
static int check_kind(struct http_req *r, const struct kube_resource *res, json_t *obj)
{
	char av[200];
	reg_api_version(res, av, sizeof(av));
	const json_t *k = json_object_get(obj, "kind");
	const json_t *v = json_object_get(obj, "apiVersion");
	if ((k && !json_is_string(k)) || (v && !json_is_string(v))) {
		reg_reply_bad_request(r,
				      "couldn't get version/kind; json parse error: json: cannot "
				      "unmarshal %s into Go struct field .kind of type string",
				      reg_jtype(k && !json_is_string(k) ? k : v));
		return -EINVAL;
	}
	const char *ks = json_string_value(k), *vs = json_string_value(v);
	if (vs && *vs && strcmp(vs, av) != 0) {
		/* events.k8s.io/v1 bodies at core events and the like are not convertible */
		reg_reply_bad_request(
			r,
			"the API version in the data (%s) does not match the expected "
			"API version (%s)",
			vs, av);
		return -EINVAL;
	}
	if (ks && *ks && strcmp(ks, res->kind) != 0) {
		reg_reply_bad_request(
			r, "the kind in the data (%s) does not match the expected kind (%s)", ks,
			res->kind);
		return -EINVAL;
	}
	json_object_set_new(obj, "kind", json_string(res->kind));
	json_object_set_new(obj, "apiVersion", json_string(av));
	return 0;
}

int reg_dry_run(struct http_req *r)
{
	const char *d = http_query(r, "dryRun");
	return d && strcmp(d, "All") == 0;
}

/* --- namespaces --- */

static const struct kube_resource *ns_resource(void)
{
	return kube_resource_find("", "v1", "namespaces");
}

static int namespace_exists(struct kube_cluster *cl, const char *ns)
{
	const struct kube_resource *nres = ns_resource();
	char key[KEY_MAX];
	struct store_kv kv;
	if (!nres)
		return 1;
	registry_key(cl, nres, NULL, ns, key, sizeof(key));
	if (!*key || store_get(cl->kube->store, key, &kv) != 0)
		return 0;
	store_kv_free(&kv);
	return 1;
}

/* Deletes every namespaced object in ns (namespace deletion, without finalizers). */
static void delete_namespace_contents(struct kube_cluster *cl, const char *ns)
{
	size_t n = 0;
	const struct kube_resource *all = kube_resources(&n);
	for (size_t i = 0; i < n; i++) {
		char prefix[KEY_MAX];
		struct store_kv *kvs = NULL;
		size_t m = 0;
		if (!all[i].namespaced || !all[i].stored)
			continue;
		registry_key(cl, &all[i], ns, NULL, prefix, sizeof(prefix));
		if (!*prefix || store_range(cl->kube->store, prefix, 0, &kvs, &m, NULL) != 0)
			continue;
		for (size_t j = 0; j < m; j++)
			store_delete(cl->kube->store, kvs[j].key, STORE_ANY_REV, NULL);
		store_kvs_free(kvs, m);
	}
}

/* The service-account controller's part: every namespace gets a "default"
 * ServiceAccount. Best effort: the namespace exists either way. */
static void default_service_account(struct kube_cluster *cl, const char *ns)
{
	const struct kube_resource *sa = kube_resource_find("", "v1", "serviceaccounts");
	json_t *o = sa ? json_pack("{s:{s:s, s:s}}", "metadata", "name", "default", "namespace", ns)
		       : NULL;
	json_t *have = sa ? registry_get(cl, sa, ns, "default") : NULL;
	if (o && !have)
		registry_put(cl, sa, o);
	json_decref(have);
	json_decref(o);
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
	if (reg_fetch(cl, key, &o, NULL) != 0)
		return NULL;
	return o;
}

int registry_put(struct kube_cluster *cl, const struct kube_resource *res, json_t *obj)
{
	char key[KEY_MAX], av[200], uid[37], ts[32];
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
	reg_api_version(res, av, sizeof(av));
	json_object_set_new(obj, "kind", json_string(res->kind));
	json_object_set_new(obj, "apiVersion", json_string(av));
	json_t *m = reg_meta_of(obj);
	if (!m)
		return -ENOMEM;
	rc = reg_fetch(cl, key, &old, NULL);
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
	int rc = reg_fetch(cl, key, &obj, NULL);
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
static int rbac_guard(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
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
		reply_named(r, a, 403, "Forbidden", reg_mstr(obj, "name"), "%s", msg);
	else
		kube_reply_status(r, 500, "InternalError", "the RBAC check failed", a);
	return -EPERM;
}

/* NodeRestriction admission (nodeauthz.h) of a write by a node: obj is the object
 * written, old the stored one. 0, or replies (403, or 404 for an object it needs that is
 * gone) and returns -EPERM. */
static int node_guard(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_user *u, const json_t *obj, const json_t *old)
{
	char msg[2048], name[256];
	int rc = noderestriction_admit(cl, u, a, obj, old, msg, sizeof(msg), name, sizeof(name));
	if (rc == 0)
		return 0;
	if (rc == -ENOENT)
		reply_named(r, a, 404, "NotFound", name, "%s", msg);
	else
		reply_named(r, a, 403, "Forbidden", name, "%s", msg);
	return -EPERM;
}

/* --- create --- */

/* The request's object for a create or update: parsed, of the resource's kind, typed,
 * decoded under fieldValidation (options: "CreateOptions", "UpdateOptions"). NULL when
 * it replied. */
static json_t *decode_body(struct http_req *r, const struct kube_attrs *a,
			   const struct kube_resource *res, const char *options)
{
	char msg[1024];
	enum schema_mode mode;
	int rc, dups;
	if (schema_mode(r, options, &mode))
		return NULL;
	json_t *body = parse_body(r, &dups);
	if (!body)
		return NULL;
	if (check_kind(r, res, body))
		goto fail;
	if (reg_check_types(body, res, msg, sizeof(msg))) {
		reg_reply_bad_request(r, "%s", msg);
		goto fail;
	}
	rc = schema_check_body(r, res, body, dups, mode);
	if (rc == -ENOMEM)
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
	if (rc)
		goto fail;
	return body;
fail:
	json_decref(body);
	return NULL;
}

/* A create's namespace and name, before any attempt: the body's namespace set to the
 * request's (or dropped for a cluster-scoped kind), a name or generateName, and the
 * namespace existing. 0, or replied and -EINVAL. */
static int create_scope(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, json_t *body, json_t *errs)
{
	json_t *m = reg_meta_of(body);
	if (!m) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return -EINVAL;
	}
	const char *bns = reg_mstr(body, "namespace");
	if (res->namespaced) {
		if (*bns && strcmp(bns, a->namespace_) != 0) {
			reg_reply_bad_request(
				r, "the namespace of the provided object does not match the "
				   "namespace sent on the request");
			return -EINVAL;
		}
		json_object_set_new(m, "namespace", json_string(a->namespace_));
	} else {
		json_object_del(m, "namespace");
	}
	if (!*reg_mstr(body, "name") && !*reg_mstr(body, "generateName")) {
		reg_field_err(errs, "metadata.name", "FieldValueRequired",
			      "Required value: name or generateName is required");
		reg_reply_invalid(r, res, "", errs);
		return -EINVAL;
	}
	if (res->namespaced && !namespace_exists(cl, a->namespace_)) {
		const struct kube_resource *nres = ns_resource();
		struct kube_attrs na = *a;
		snprintf(na.resource, sizeof(na.resource), "namespaces");
		na.group[0] = '\0';
		if (nres)
			reg_reply_not_found(r, &na, nres, a->namespace_);
		else
			reply_named(r, &na, 404, "NotFound", a->namespace_,
				    "namespaces \"%s\" not found", a->namespace_);
		return -EINVAL;
	}
	return 0;
}

/* The object a create stores: body's copy with its generated name, validated,
 * defaulted and normalized into *out. 0; -EINVAL when it replied; -ENOMEM. */
static int create_object(struct http_req *r, const struct kube_resource *res, const json_t *body,
			 json_t *errs, json_t **out)
{
	char gen[300];
	const struct kind_info *ki = reg_kind_of(res);
	json_t *obj = json_deep_copy(body), *m = obj ? reg_meta_of(obj) : NULL;
	*out = NULL;
	if (!m)
		goto oom;
	if (!*reg_mstr(body, "name")) {
		if (reg_generate_name(reg_mstr(body, "generateName"), gen, sizeof(gen)) != 0)
			goto oom;
		json_object_set_new(m, "name", json_string(gen));
	}
	const char *nm = reg_mstr(obj, "name");
	json_array_clear(errs);
	reg_validate_name(ki->name, nm, "metadata.name", errs);
	if (!json_array_size(errs)) {
		reg_validate_meta(obj, errs);
		reg_validate_kind(res, obj, NULL, errs);
	}
	if (json_array_size(errs)) {
		reg_reply_invalid(r, res, nm, errs);
		json_decref(obj);
		return -EINVAL;
	}
	if (reg_fill_create_meta(res, obj) || reg_apply_defaults(res, obj, 1))
		goto oom;
	if (reg_is_core(res, "pods"))
		reg_pod_defaults(obj, 1);
	*out = normalize(obj, res);
	json_decref(obj);
	return *out ? 0 : -ENOMEM;
oom:
	json_decref(obj);
	return -ENOMEM;
}

/* Stores a new object at key (or, on a dry run, checks that nothing is there).
 * 0, -EEXIST, -errno. */
static int create_store(struct kube_cluster *cl, struct http_req *r,
			const struct kube_resource *res, const char *key, json_t *obj)
{
	struct store_kv kv;
	if (!reg_dry_run(r))
		return reg_write_obj(cl, res, key, obj, STORE_ABSENT, NULL);
	if (store_get(cl->kube->store, key, &kv) != 0)
		return 0;
	store_kv_free(&kv);
	return -EEXIST;
}

/* applied: the object a server-side apply made (apply.c), created as it is */
static void create_with(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const struct kube_user *u, json_t *applied)
{
	char key[KEY_MAX];
	json_t *obj = NULL, *errs = NULL;
	int rc;
	json_t *body = applied ? json_incref(applied) : decode_body(r, a, res, "CreateOptions");
	if (!body)
		return;
	if (!(errs = json_array()))
		goto oom;
	if (create_scope(cl, r, a, res, body, errs) || node_guard(cl, r, a, u, body, NULL))
		goto out;
	const char *name = reg_mstr(body, "name");
	for (int attempt = 0; attempt < 8; attempt++) {
		json_decref(obj);
		rc = create_object(r, res, body, errs, &obj);
		if (rc == -ENOMEM)
			goto oom;
		if (rc)
			goto out;
		const char *nm = reg_mstr(obj, "name");
		registry_key(cl, res, a->namespace_, nm, key, sizeof(key));
		if (!*key) {
			reg_field_err(errs, "metadata.name", "FieldValueTooLong",
				      "Too long: must have at most %d bytes", 253);
			reg_reply_invalid(r, res, nm, errs);
			goto out;
		}
		if (!applied && apply_track(r, a, res, reg_kind_of(res)->status, NULL, obj))
			goto oom;
		if (rbac_guard(cl, r, a, res, u, obj))
			goto out;
		rc = create_store(cl, r, res, key, obj);
		if (rc == -EEXIST && !*name)
			continue; /* a generated name that was taken: draw again */
		if (rc == -EEXIST) {
			char q[200];
			qualified(res, q, sizeof(q));
			reply_named(r, a, 409, "AlreadyExists", nm, "%s \"%s\" already exists", q,
				    nm);
			goto out;
		}
		if (rc) {
			reply_store_error(r, a, rc);
			goto out;
		}
		if (!reg_dry_run(r) && reg_is_core(res, "namespaces"))
			default_service_account(cl, nm);
		reg_reply_json(r, 201, obj);
		obj = NULL;
		goto out;
	}
	kube_reply_status(r, 500, "InternalError", "could not generate a unique name", a);
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(body);
	json_decref(obj);
	json_decref(errs);
}

static void serve_create(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const struct kube_user *u)
{
	create_with(cl, r, a, res, u, NULL);
}

/* --- update and patch --- */

/*
 * Builds the object to store from the current one (old) and the client's version
 * (next, modified in place): server-owned metadata from old, and for a status update
 * only .status from next, for the main resource of a kind with status old's .status.
 * Returns the object (new reference), or NULL and replies.
 */
static json_t *merge_update(struct http_req *r, const struct kube_attrs *a,
			    const struct kube_resource *res, json_t *old, json_t *next)
{
	const struct kind_info *ki = reg_kind_of(res);
	json_t *obj;
	json_t *errs = NULL;
	const char *sub = a->subresource;
	if (strcmp(sub, "status") == 0) {
		obj = json_deep_copy(old);
		if (!obj)
			return NULL;
		json_t *st = json_object_get(next, "status");
		if (st)
			json_object_set(obj, "status", st);
		else
			json_object_del(obj, "status");
		return obj;
	}
	if (strcmp(sub, "finalize") == 0) {
		obj = json_deep_copy(old);
		json_t *spec = obj ? json_object_get(obj, "spec") : NULL;
		json_t *fin = json_object_get(json_object_get(next, "spec"), "finalizers");
		if (json_is_object(spec)) {
			if (fin)
				json_object_set(spec, "finalizers", fin);
			else
				json_object_del(spec, "finalizers");
		}
		return obj;
	}
	obj = json_incref(next);
	json_t *m = reg_meta_of(obj);
	json_t *om = json_object_get(old, "metadata");
	if (!m)
		goto oom;
	static const char *const keep[] = {"uid",
					   "creationTimestamp",
					   "deletionTimestamp",
					   "deletionGracePeriodSeconds",
					   "generation",
					   NULL};
	for (size_t i = 0; keep[i]; i++) {
		json_t *v = json_object_get(om, keep[i]);
		if (v)
			json_object_set(m, keep[i], v);
		else
			json_object_del(m, keep[i]);
	}
	json_object_del(m, "selfLink");
	if (ki->status) {
		json_t *st = json_object_get(old, "status");
		if (st)
			json_object_set(obj, "status", st);
		else
			json_object_del(obj, "status");
	}
	if (reg_is_core(res, "namespaces")) {
		/* spec.finalizers change through the finalize subresource only */
		json_t *ospec = json_object_get(old, "spec");
		if (ospec)
			json_object_set(obj, "spec", ospec);
	}
	if (reg_apply_defaults(res, obj, 0))
		goto oom;
	errs = json_array();
	if (!errs)
		goto oom;
	reg_validate_meta(obj, errs);
	reg_validate_kind(res, obj, old, errs);
	if (json_array_size(errs)) {
		reg_reply_invalid(r, res, reg_mstr(obj, "name"), errs);
		json_decref(errs);
		json_decref(obj);
		return NULL;
	}
	json_decref(errs);
	if (ki->generation &&
	    !json_equal(json_object_get(old, "spec"), json_object_get(obj, "spec"))) {
		json_t *g = json_object_get(om, "generation");
		json_object_set_new(
			m, "generation",
			json_integer(json_is_integer(g) ? json_integer_value(g) + 1 : 1));
	}
	json_t *norm = normalize(obj, res);
	json_decref(obj);
	return norm;
oom:
	json_decref(obj);
	json_decref(errs);
	return NULL;
}

/* Checks the name and namespace in a body against the URL. Replies on mismatch. */
static int check_identity(struct http_req *r, const struct kube_attrs *a,
			  const struct kube_resource *res, json_t *obj)
{
	json_t *m = reg_meta_of(obj);
	const char *name = reg_mstr(obj, "name");
	const char *ns = reg_mstr(obj, "namespace");
	if (!m)
		return -ENOMEM;
	if (*name && strcmp(name, a->name) != 0) {
		reg_reply_bad_request(
			r, "the name of the object (%s) does not match the name on the URL (%s)",
			name, a->name);
		return -EINVAL;
	}
	if (res->namespaced && *ns && strcmp(ns, a->namespace_) != 0) {
		reg_reply_bad_request(r, "the namespace of the provided object does not match the "
					 "namespace sent on the request");
		return -EINVAL;
	}
	json_object_set_new(m, "name", json_string(a->name));
	if (res->namespaced)
		json_object_set_new(m, "namespace", json_string(a->namespace_));
	else
		json_object_del(m, "namespace");
	return 0;
}

/*
 * The tail update and patch share: the RBAC escalation guard, the write of *obj over
 * revision cur, and the reply. With old given, an unchanged object is answered without a
 * write, as kube-apiserver skips no-op updates. Returns 1 once a reply is sent (*obj is
 * taken when it was the reply), 0 when the write raced another one and the caller should
 * read again; conflict_on_race answers that race with 409 instead (a resourceVersion
 * precondition).
 */
static int commit_update(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const struct kube_user *u,
			 const char *key, json_t **obj, const json_t *old, int64_t cur,
			 int conflict_on_race)
{
	if (rbac_guard(cl, r, a, res, u, *obj))
		return 1;
	if (!old || !json_equal(*obj, old)) {
		int rc = reg_dry_run(r) ? 0 : reg_write_obj(cl, res, key, *obj, cur, NULL);
		if (rc == -ECANCELED || rc == -ENOENT) {
			if (!conflict_on_race)
				return 0;
			reg_reply_conflict(r, a, res, a->name);
			return 1;
		}
		if (rc) {
			reply_store_error(r, a, rc);
			return 1;
		}
		if (reg_dry_run(r))
			set_rv(*obj, cur);
	}
	reg_reply_json(r, 200, *obj);
	*obj = NULL;
	return 1;
}

/* A PUT of a missing object, for kinds that allow it: creates it from body. 0 when it
 * replied; -EEXIST when another write created it first (go again); -ENOMEM. */
static int update_create(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const struct kube_user *u,
			 const char *key, const json_t *body)
{
	int rc = -ENOMEM;
	json_t *errs = json_array(), *obj = json_deep_copy(body), *norm = NULL;
	if (!errs || !obj)
		goto out;
	reg_validate_name(reg_kind_of(res)->name, a->name, "metadata.name", errs);
	if (!json_array_size(errs)) {
		reg_validate_meta(obj, errs);
		reg_validate_kind(res, obj, NULL, errs);
	}
	rc = 0;
	if (json_array_size(errs)) {
		reg_reply_invalid(r, res, a->name, errs);
		goto out;
	}
	if (res->namespaced && !namespace_exists(cl, a->namespace_)) {
		struct kube_attrs na = *a;
		snprintf(na.resource, sizeof(na.resource), "namespaces");
		na.group[0] = '\0';
		reply_named(r, &na, 404, "NotFound", a->namespace_, "namespaces \"%s\" not found",
			    a->namespace_);
		goto out;
	}
	rc = -ENOMEM;
	if (reg_fill_create_meta(res, obj) || reg_apply_defaults(res, obj, 1) ||
	    !(norm = normalize(obj, res)) ||
	    apply_track(r, a, res, reg_kind_of(res)->status, NULL, norm))
		goto out;
	rc = 0;
	if (rbac_guard(cl, r, a, res, u, norm))
		goto out;
	rc = reg_dry_run(r) ? 0 : reg_write_obj(cl, res, key, norm, STORE_ABSENT, NULL);
	if (rc == -EEXIST)
		goto out;
	if (rc)
		reply_store_error(r, a, rc);
	else
		reg_reply_json(r, 201, json_incref(norm));
	rc = 0;
out:
	json_decref(errs);
	json_decref(obj);
	json_decref(norm);
	return rc;
}

static void serve_update(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const struct kube_user *u)
{
	char key[KEY_MAX];
	json_t *body = NULL, *old = NULL, *obj = NULL;
	int64_t cur = 0, want = 0;
	int rc;

	body = decode_body(r, a, res, "UpdateOptions");
	if (!body)
		return;
	if (check_identity(r, a, res, body))
		goto out;
	const char *rvs = reg_mstr(body, "resourceVersion");
	if (reg_parse_rv(rvs, &want) != 0) {
		reg_reply_bad_request(r, "invalid resourceVersion \"%s\"", rvs);
		goto out;
	}
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
		json_decref(old);
		json_decref(obj);
		old = obj = NULL;
		rc = reg_fetch(cl, key, &old, &cur);
		if (rc == -ENOENT) {
			if (!reg_kind_of(res)->create_on_update || a->subresource[0] || want) {
				reg_reply_not_found(r, a, res, a->name);
				goto out;
			}
			rc = update_create(cl, r, a, res, u, key, body);
			if (rc == -EEXIST)
				continue;
			if (rc)
				goto oom;
			goto out;
		}
		if (rc) {
			kube_reply_status(r, 500, "InternalError", "the object could not be read",
					  a);
			goto out;
		}
		if (want && want != cur) {
			reg_reply_conflict(r, a, res, a->name);
			goto out;
		}
		json_t *next = json_deep_copy(body);
		if (!next)
			goto oom;
		obj = merge_update(r, a, res, old, next);
		json_decref(next);
		if (!obj) {
			if (!r->replied)
				goto oom;
			goto out;
		}
		if (apply_track(r, a, res, reg_kind_of(res)->status, old, obj))
			goto oom;
		/* an unconditional update that raced another write goes again */
		if (node_guard(cl, r, a, u, obj, old) ||
		    commit_update(cl, r, a, res, u, key, &obj, NULL, cur, want != 0))
			goto out;
	}
	reg_reply_conflict(r, a, res, a->name);
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(body);
	json_decref(old);
	json_decref(obj);
}

enum patch_type { P_MERGE, P_JSON, P_STRATEGIC, P_APPLY, P_UNKNOWN };

static enum patch_type patch_type_of(const char *ct)
{
	char t[128];
	size_t n = 0;
	if (!ct)
		return P_UNKNOWN;
	while (ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < sizeof(t)) {
		t[n] = ct[n];
		n++;
	}
	t[n] = '\0';
	if (strcasecmp(t, "application/merge-patch+json") == 0)
		return P_MERGE;
	if (strcasecmp(t, "application/json-patch+json") == 0)
		return P_JSON;
	if (strcasecmp(t, "application/strategic-merge-patch+json") == 0)
		return P_STRATEGIC;
	if (strcasecmp(t, "application/apply-patch+yaml") == 0)
		return P_APPLY;
	return P_UNKNOWN;
}

/* The patch of the request, parsed and of the right JSON type for pt. NULL when it
 * replied. */
static json_t *patch_parse(struct http_req *r, enum patch_type pt, int *dups)
{
	json_error_t je;
	if (!r->body_len) {
		reg_reply_bad_request(r, "the body of the request was empty");
		return NULL;
	}
	char open;
	if (patch_text_depth((const char *)r->body, r->body_len, &open)) {
		/* kube-apiserver puts "error decoding patch: " before the decoder's words for
		 * JSON and merge patches, nothing for strategic merge patches */
		reg_reply_bad_request(r, "%sinvalid character '%c' exceeded max depth",
				      pt == P_STRATEGIC ? "" : "error decoding patch: ", open);
		return NULL;
	}
	json_t *patch = schema_loadb((const char *)r->body, r->body_len, dups, &je);
	if (!patch) {
		reg_reply_bad_request(r, "error decoding patch: %s", je.text);
		return NULL;
	}
	if (pt == P_JSON ? !json_is_array(patch) : !json_is_object(patch)) {
		reg_reply_bad_request(
			r, pt == P_JSON ? "json: cannot unmarshal object into Go value of type "
					  "jsonpatch.Patch"
					: "json: cannot unmarshal array into Go value of type "
					  "map[string]interface {}");
		json_decref(patch);
		return NULL;
	}
	return patch;
}

/* Applies patch to old into *patched, and replies to a patch that fails as upstream
 * does. 0; -EINVAL when it replied; -ENOMEM. */
static int patch_do(struct http_req *r, const struct kube_resource *res, enum patch_type pt,
		    const json_t *old, const json_t *patch, json_t **patched)
{
	char err[1024];
	int rc;
	switch (pt) {
	case P_MERGE:
		rc = patch_merge(old, patch, patched);
		break;
	case P_JSON:
		rc = patch_json(old, patch, patched, err, sizeof(err));
		break;
	default:
		rc = patch_strategic(old, patch, res->group, res->kind, patched, err, sizeof(err));
		break;
	}
	if (rc == -ENOMEM)
		return rc;
	if (rc == -E2BIG) { /* errors.NewRequestEntityTooLargeError */
		char big[sizeof(err) + 32];
		snprintf(big, sizeof(big), "Request entity too large: %s", err);
		kube_reply_status(r, 413, "RequestEntityTooLarge", big, NULL);
		return -EINVAL;
	}
	if (rc) {
		/* errors.NewGenericServerResponse(422, ...) as upstream: "details": {},
		 * and the patch library's error (err) is not shown */
		struct kube_attrs none;
		memset(&none, 0, sizeof(none));
		if (pt == P_STRATEGIC)
			reg_reply_bad_request(r, "%s", err);
		else
			kube_reply_status(r, 422, "Invalid",
					  "the server rejected our request due to an error in "
					  "our request",
					  &none);
		return -EINVAL;
	}
	if (!json_is_object(*patched)) {
		reg_reply_bad_request(r, "the patch did not produce an object");
		return -EINVAL;
	}
	return 0;
}

/* The checks of a patched object: its kind and types, fieldValidation, its identity and
 * a resourceVersion precondition (kubectl --resource-version) against cur. 0; -EINVAL
 * when it replied; -ENOMEM. */
static int patch_check(struct http_req *r, const struct kube_attrs *a,
		       const struct kube_resource *res, json_t *patched, const json_t *patch,
		       enum patch_type pt, int dups, enum schema_mode mode, int64_t cur)
{
	char msg[1024];
	enum schema_patch spt = pt == P_JSON			   ? SCHEMA_PATCH_JSON
				: pt == P_MERGE || pt == P_APPLY ? SCHEMA_PATCH_MERGE
								 : SCHEMA_PATCH_STRATEGIC;
	if (check_kind(r, res, patched))
		return -EINVAL;
	if (reg_check_types(patched, res, msg, sizeof(msg))) {
		reg_reply_bad_request(r, "%s", msg);
		return -EINVAL;
	}
	int rc = schema_check_patch(r, res, patched, patch, spt, dups, mode);
	if (rc)
		return rc == -ENOMEM ? rc : -EINVAL;
	if (check_identity(r, a, res, patched))
		return -EINVAL;
	int64_t want = 0;
	if (reg_parse_rv(reg_mstr(patched, "resourceVersion"), &want) != 0 ||
	    (want && want != cur)) {
		reg_reply_conflict(r, a, res, a->name);
		return -EINVAL;
	}
	return 0;
}

static void serve_patch(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const struct kube_user *u)
{
	char key[KEY_MAX];
	json_t *patch = NULL, *old = NULL, *patched = NULL, *obj = NULL;
	int64_t cur = 0;
	int rc, dups;
	enum patch_type pt = patch_type_of(http_header(r, "Content-Type"));
	enum schema_mode mode;
	const char *type = schema_type_of(res->group, res->version, res->kind);

	if (pt == P_UNKNOWN) { /* installer.go's supportedTypes */
		kube_reply_status(
			r, 415, "UnsupportedMediaType",
			"the body of the request was in an unknown format - accepted media "
			"types include: application/json-patch+json, "
			"application/merge-patch+json, application/strategic-merge-patch+json, "
			"application/apply-patch+yaml",
			NULL);
		return;
	}
	if (apply_options(r, pt == P_APPLY) || schema_mode(r, "PatchOptions", &mode))
		return;
	if (pt == P_APPLY) { /* server-side apply (apply.c): YAML or JSON */
		dups = 0;
		if (!r->body_len)
			reg_reply_bad_request(r, "the body of the request was empty");
		else if (!apply_body(r, &patch) && check_identity(r, a, res, patch))
			goto out;
	} else {
		patch = patch_parse(r, pt, &dups);
	}
	if (!patch)
		return;
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
		json_decref(old);
		json_decref(patched);
		json_decref(obj);
		old = patched = obj = NULL;
		rc = reg_fetch(cl, key, &old, &cur);
		if (rc == -ENOENT && pt == P_APPLY) { /* apply creates what is absent */
			if (!apply_patch(r, a, res, reg_kind_of(res)->status, NULL, patch, &patched))
				create_with(cl, r, a, res, u, patched);
			goto out;
		}
		if (rc == -ENOENT) {
			reg_reply_not_found(r, a, res, a->name);
			goto out;
		}
		if (rc) {
			kube_reply_status(r, 500, "InternalError", "the object could not be read",
					  a);
			goto out;
		}
		/* fields stored before they were pruned are not the patch's to answer for */
		if (schema_prune(old, type, NULL))
			goto oom;
		if (pt == P_APPLY)
			rc = apply_patch(r, a, res, reg_kind_of(res)->status, old, patch, &patched);
		else
			rc = patch_do(r, res, pt, old, patch, &patched);
		if (!rc)
			rc = patch_check(r, a, res, patched, patch, pt, dups, mode, cur);
		if (rc == -ENOMEM)
			goto oom;
		if (rc)
			goto out;
		obj = merge_update(r, a, res, old, patched);
		if (!obj) {
			if (!r->replied)
				goto oom;
			goto out;
		}
		if (pt != P_APPLY && apply_track(r, a, res, reg_kind_of(res)->status, old, obj))
			goto oom;
		if (node_guard(cl, r, a, u, obj, old) ||
		    commit_update(cl, r, a, res, u, key, &obj, old, cur, 0))
			goto out;
	}
	reg_reply_conflict(r, a, res, a->name);
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(patch);
	json_decref(old);
	json_decref(patched);
	json_decref(obj);
}

/* --- delete --- */

static void reply_deleted(struct http_req *r, const struct kube_resource *res, json_t *obj)
{
	if (reg_kind_of(res)->delete_returns) {
		reg_reply_json(r, 200, obj);
		return;
	}
	json_t *d = json_pack("{s:s, s:s, s:s}", "name", reg_mstr(obj, "name"), "kind",
			      res->resource, "uid", reg_mstr(obj, "uid"));
	if (d && res->group[0])
		json_object_set_new(d, "group", json_string(res->group));
	json_decref(obj);
	reg_reply_json(r, 200,
		       d ? json_pack("{s:s, s:s, s:{}, s:s, s:o}", "kind", "Status", "apiVersion",
				     "v1", "metadata", "status", "Success", "details", d)
			 : NULL);
}

/* DeleteOptions preconditions in the body. 0, or replies 409 and returns -ECANCELED. */
static int check_preconditions(struct http_req *r, const struct kube_attrs *a,
			       const struct kube_resource *res, const json_t *opts,
			       const json_t *obj, int64_t cur)
{
	const json_t *pre = json_object_get(opts, "preconditions");
	const char *uid = json_string_value(json_object_get(pre, "uid"));
	const char *rv = json_string_value(json_object_get(pre, "resourceVersion"));
	char q[200];
	qualified(res, q, sizeof(q));
	if (uid && *uid && strcmp(uid, reg_mstr(obj, "uid")) != 0) {
		reply_named(
			r, a, 409, "Conflict", a->name,
			"Operation cannot be fulfilled on %s \"%s\": Precondition failed: UID in "
			"precondition: %s, UID in object meta: %s",
			q, a->name, uid, reg_mstr(obj, "uid"));
		return -ECANCELED;
	}
	int64_t want = 0;
	if (rv && *rv && (reg_parse_rv(rv, &want) != 0 || want != cur)) {
		reply_named(
			r, a, 409, "Conflict", a->name,
			"Operation cannot be fulfilled on %s \"%s\": Precondition failed: "
			"ResourceVersion in precondition: %s, ResourceVersion in object meta: %lld",
			q, a->name, rv, (long long)cur);
		return -ECANCELED;
	}
	return 0;
}

static int is_protected_namespace(const char *ns)
{
	return strcmp(ns, "default") == 0 || strcmp(ns, "kube-system") == 0 ||
	       strcmp(ns, "kube-public") == 0;
}

static void serve_delete(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const struct kube_user *u)
{
	char key[KEY_MAX], ts[32];
	json_t *obj = NULL, *opts = NULL;
	int64_t cur = 0;
	int rc;
	if (r->body_len) {
		opts = json_loadb((const char *)r->body, r->body_len, 0, NULL);
		if (!json_is_object(opts)) {
			json_decref(opts);
			reg_reply_bad_request(
				r, "the body of the request was not valid DeleteOptions");
			return;
		}
	}
	const json_t *dr = json_object_get(opts, "dryRun");
	int dry = reg_dry_run(r) || (json_is_array(dr) && json_array_size(dr) &&
				     json_string_value(json_array_get(dr, 0)) &&
				     strcmp(json_string_value(json_array_get(dr, 0)), "All") == 0);
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
		json_decref(obj);
		obj = NULL;
		rc = reg_fetch(cl, key, &obj, &cur);
		if (rc == -ENOENT) {
			reg_reply_not_found(r, a, res, a->name);
			goto out;
		}
		if (rc) {
			kube_reply_status(r, 500, "InternalError", "the object could not be read",
					  a);
			goto out;
		}
		if (check_preconditions(r, a, res, opts, obj, cur) ||
		    node_guard(cl, r, a, u, NULL, obj))
			goto out;
		int is_ns = reg_is_core(res, "namespaces");
		if (is_ns && is_protected_namespace(a->name)) {
			reply_named(
				r, a, 403, "Forbidden", a->name,
				"namespaces \"%s\" is forbidden: this namespace may not be deleted",
				a->name);
			goto out;
		}
		if (dry) {
			reply_deleted(r, res, obj);
			obj = NULL;
			goto out;
		}
		int64_t drev = 0;
		rc = store_delete(cl->kube->store, key, cur, &drev);
		if (rc == -ECANCELED)
			continue;
		if (rc == -ENOENT) {
			reg_reply_not_found(r, a, res, a->name);
			goto out;
		}
		if (rc) {
			reply_store_error(r, a, rc);
			goto out;
		}
		if (is_ns) {
			delete_namespace_contents(cl, a->name);
			reg_now_rfc3339(ts);
			json_t *m = reg_meta_of(obj);
			json_t *st = json_object_get(obj, "status");
			if (m)
				json_object_set_new(m, "deletionTimestamp", json_string(ts));
			if (json_is_object(st))
				json_object_set_new(st, "phase", json_string("Terminating"));
		}
		reply_deleted(r, res, obj);
		obj = NULL;
		goto out;
	}
	reg_reply_conflict(r, a, res, a->name);
out:
	json_decref(obj);
	json_decref(opts);
}

static void serve_deletecollection(struct kube_cluster *cl, struct http_req *r,
				   const struct kube_attrs *a, const struct kube_resource *res)
{
	char prefix[KEY_MAX], kind[160], av[200], rvs[32];
	struct filter f;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int64_t rev = 0;
	json_t *items = NULL;
	if (reg_filter_parse(r, res, &f))
		return;
	registry_key(cl, res, res->namespaced ? a->namespace_ : NULL, NULL, prefix, sizeof(prefix));
	if (!*prefix || store_range(cl->kube->store, prefix, 0, &kvs, &n, &rev) != 0) {
		kube_reply_status(r, 500, "InternalError", "the objects could not be read", a);
		goto out;
	}
	items = json_array();
	if (!items)
		goto oom;
	int dry = reg_dry_run(r);
	for (size_t i = 0; i < n; i++) {
		json_t *o = reg_load(kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
		if (!o)
			continue;
		if (!reg_filter_match(&f, o) || (reg_is_core(res, "namespaces") &&
						 is_protected_namespace(reg_mstr(o, "name")))) {
			json_decref(o);
			continue;
		}
		if (!dry && store_delete(cl->kube->store, kvs[i].key, kvs[i].mod_rev, NULL) != 0) {
			json_decref(o);
			continue; /* changed or gone meanwhile: left alone */
		}
		if (!dry && reg_is_core(res, "namespaces"))
			delete_namespace_contents(cl, reg_mstr(o, "name"));
		json_array_append_new(items, o);
	}
	snprintf(kind, sizeof(kind), "%sList", res->kind);
	reg_api_version(res, av, sizeof(av));
	snprintf(rvs, sizeof(rvs), "%lld", (long long)store_revision(cl->kube->store));
	reg_reply_json(r, 200,
		       json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", kind, "apiVersion", av,
				 "metadata", "resourceVersion", rvs, "items", items));
	items = NULL;
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(items);
	store_kvs_free(kvs, n);
	reg_filter_free(&f);
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
		serve_create(cl, r, a, res, u);
	} else if (strcmp(v, "update") == 0 && a->name[0]) {
		serve_update(cl, r, a, res, u);
	} else if (strcmp(v, "patch") == 0 && a->name[0]) {
		serve_patch(cl, r, a, res, u);
	} else if (strcmp(v, "delete") == 0 && a->name[0] && !sub[0]) {
		serve_delete(cl, r, a, res, u);
	} else if (strcmp(v, "deletecollection") == 0 && !sub[0]) {
		serve_deletecollection(cl, r, a, res);
	} else {
		kube_reply_method_not_allowed(r, a);
	}
}
