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
#include "kube/schema.h"
#include "kube/selectors.h"
#include "kube/table.h"
#include "kube/util.h"

#define KEY_MAX 1024
#define WATCH_BUF_CAP (4u << 20)       /* unsent bytes per watcher before it is ended */
#define WATCH_DEFAULT_TIMEOUT 1800     /* seconds, kube-apiserver's --min-request-timeout */
#define WATCH_MAX_TIMEOUT (24 * 3600)
#define BOOKMARK_INTERVAL 60           /* seconds between bookmarks when asked for */
#define UPDATE_RETRIES 16              /* optimistic-concurrency retries of patch/update */
#define MAX_LIMIT 100000
#define ANNOTATIONS_MAX (256 * 1024)   /* TotalAnnotationSizeLimitB */

/* --- per-kind rules --- */

enum name_rule { N_SUBDOMAIN, N_LABEL, N_PATH, N_DNS1035 };

struct kind_info {
	const char *group, *resource;
	enum name_rule name;
	int status;           /* has a status subresource: updates of the main resource keep it */
	int generation;       /* metadata.generation counts spec changes */
	int delete_returns;   /* DELETE answers with the object (else a Status Success) */
	int create_on_update; /* PUT of a missing object creates it */
};

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
	{"apiextensions.k8s.io", "customresourcedefinitions", N_SUBDOMAIN, 1, 1, 0, 0},
};

static const struct kind_info default_kind = {"", "", N_SUBDOMAIN, 0, 0, 0, 0};
static const struct kind_info cr_status_kind = {"", "", N_SUBDOMAIN, 1, 1, 0, 0};

static const struct kind_info *kind_of(const struct kube_resource *res)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].group, res->group) == 0 &&
		    strcmp(kinds[i].resource, res->resource) == 0)
			return &kinds[i];
	return crd_has_status(res) ? &cr_status_kind : &default_kind; /* crdserve.c */
}

static int is_core(const struct kube_resource *res, const char *resource)
{
	return !res->group[0] && strcmp(res->resource, resource) == 0;
}

static void api_version(const struct kube_resource *res, char *out, size_t len)
{
	if (res->group[0])
		snprintf(out, len, "%s/%s", res->group, res->version);
	else
		snprintf(out, len, "%s", res->version);
}

/* --- small helpers --- */

static void now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void uuid4(char out[37])
{
	unsigned char b[16];
	if (random_bytes(b, sizeof(b)) != 0) {
		/* never reached with a working OpenSSL; still unique enough per process */
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(rand() & 0xff);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static json_t *meta_of(json_t *obj)
{
	json_t *m = json_object_get(obj, "metadata");
	if (!json_is_object(m)) {
		m = json_object();
		if (!m || json_object_set_new(obj, "metadata", m))
			return NULL;
	}
	return m;
}

static const char *mstr(const json_t *obj, const char *field)
{
	const json_t *v = json_object_get(json_object_get(obj, "metadata"), field);
	return json_is_string(v) ? json_string_value(v) : "";
}

static void set_rv(json_t *obj, int64_t rev)
{
	char buf[32];
	json_t *m = meta_of(obj);
	snprintf(buf, sizeof(buf), "%lld", (long long)rev);
	if (m)
		json_object_set_new(m, "resourceVersion", json_string(buf));
}

static int parse_rv(const char *s, int64_t *out)
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

static int query_true(const struct http_req *r, const char *name)
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
			n = snprintf(out, len, "%s/registry/%s.%s/%s", cl->prefix, res->resource, g, name);
		else
			n = snprintf(out, len, "%s/registry/%s.%s/", cl->prefix, res->resource, g);
	} else if (name && *name) {
		n = snprintf(out, len, "%s/registry/%s.%s/%s/%s", cl->prefix, res->resource, g, ns,
			     name);
	} else {
		n = snprintf(out, len, "%s/registry/%s.%s/%s/", cl->prefix, res->resource, g, ns);
	}
	if (n < 0 || (size_t)n >= len) {
		/* too long: an empty key that no store accepts */
		if (len)
			out[0] = '\0';
	}
}

/* Parses a stored value into an object carrying its resourceVersion. */
static json_t *load(const char *value, size_t len, int64_t rev)
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
static int fetch(struct kube_cluster *cl, const char *key, json_t **out, int64_t *rev)
{
	struct store_kv kv;
	*out = NULL;
	if (!*key)
		return -ENOENT;
	int rc = store_get(cl->kube->store, key, &kv);
	if (rc)
		return rc;
	*out = load(kv.value, kv.value_len, kv.mod_rev);
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
	api_version(res, av, sizeof(av));
	json_t *md = json_object_get(obj, "metadata");
	json_t *o = json_is_object(md) ? json_pack("{s:s, s:s, s:O}", "kind", res->kind,
						   "apiVersion", av, "metadata", md)
				       : json_pack("{s:s, s:s, s:{}}", "kind", res->kind,
						   "apiVersion", av, "metadata");
	if (!o)
		return NULL;
	json_object_foreach(obj, k, v) {
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
static int write_obj(struct kube_cluster *cl, const struct kube_resource *res, const char *key,
		     json_t *obj, int64_t expected, int64_t *new_rev)
{
	json_t *m = meta_of(obj);
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

static void reply_json(struct http_req *r, int code, json_t *obj)
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

static void reply_bad_request(struct http_req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reply_bad_request(struct http_req *r, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kube_reply_status(r, 400, "BadRequest", msg, NULL);
}

static void reply_not_found(struct http_req *r, const struct kube_attrs *a,
			    const struct kube_resource *res, const char *name)
{
	if (res->group[0])
		reply_named(r, a, 404, "NotFound", name, "%s.%s \"%s\" not found", res->resource,
			    res->group, name);
	else
		reply_named(r, a, 404, "NotFound", name, "%s \"%s\" not found", res->resource, name);
}

static void qualified(const struct kube_resource *res, char *out, size_t len)
{
	if (res->group[0])
		snprintf(out, len, "%s.%s", res->resource, res->group);
	else
		snprintf(out, len, "%s", res->resource);
}

static void reply_conflict(struct http_req *r, const struct kube_attrs *a,
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
static void field_err(json_t *errs, const char *field, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void field_err(json_t *errs, const char *field, const char *reason, const char *fmt, ...)
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

#define ERR_INVALID(errs, field, value, detail)                                            \
	field_err(errs, field, "FieldValueInvalid", "Invalid value: \"%s\": %s", value, detail)
#define ERR_REQUIRED(errs, field) field_err(errs, field, "FieldValueRequired", "Required value")

/* 422 Invalid, as errors.NewInvalid: `Pod "x" is invalid: [a, b]` with causes. */
static void reply_invalid(struct http_req *r, const struct kube_resource *res, const char *name,
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
	pos = (size_t)snprintf(msg, 16384, "%s \"%s\" is invalid: %s", res->kind, name,
			       n > 1 ? "[" : "");
	json_array_foreach(errs, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *b = json_string_value(json_object_get(e, "body"));
		if (pos < 16384)
			pos += (size_t)snprintf(msg + pos, 16384 - pos, "%s%s: %s", i ? ", " : "", f, b);
		json_array_append_new(causes, json_pack("{s:s, s:s, s:s}", "reason",
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
	reply_json(r, 422, st);
}

/* --- validation --- */

static const char MSG_SUBDOMAIN[] =
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
	"'-' or '.', and must start and end with an alphanumeric character (e.g. "
	"'example.com', regex used for validation is "
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
static const char MSG_LABEL[] =
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
	"and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
	"regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char MSG_DNS1035[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
	"an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
	"'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
static const char MSG_QNAME[] =
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
	"end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
	"used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
static const char MSG_LVALUE[] =
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
	"or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
	"'my_value',  or '12345', regex used for validation is "
	"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int any_alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int is_label(const char *s, size_t len)
{
	if (!len || !lower_alnum(s[0]) || !lower_alnum(s[len - 1]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int is_subdomain(const char *s)
{
	const char *p = s;
	if (!*s)
		return 0;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (!is_label(p, len))
			return 0;
		if (!dot)
			return 1;
		p = dot + 1;
	}
}

static int is_dns1035(const char *s)
{
	return is_label(s, strlen(s)) && s[0] >= 'a' && s[0] <= 'z';
}

/* Validates a name by the kind's rule; adds field errors. */
static void validate_name(enum name_rule rule, const char *name, const char *field, json_t *errs)
{
	size_t len = strlen(name);
	switch (rule) {
	case N_SUBDOMAIN:
		if (len > 253)
			ERR_INVALID(errs, field, name, "must be no more than 253 characters");
		if (!is_subdomain(name))
			ERR_INVALID(errs, field, name, MSG_SUBDOMAIN);
		break;
	case N_LABEL:
		if (len > 63)
			ERR_INVALID(errs, field, name, "must be no more than 63 characters");
		if (!is_label(name, len))
			ERR_INVALID(errs, field, name, MSG_LABEL);
		break;
	case N_DNS1035:
		if (len > 63)
			ERR_INVALID(errs, field, name, "must be no more than 63 characters");
		if (!is_dns1035(name))
			ERR_INVALID(errs, field, name, MSG_DNS1035);
		break;
	case N_PATH:
		if (strcmp(name, ".") == 0)
			ERR_INVALID(errs, field, name, "may not be '.'");
		else if (strcmp(name, "..") == 0)
			ERR_INVALID(errs, field, name, "may not be '..'");
		if (strchr(name, '/'))
			ERR_INVALID(errs, field, name, "may not contain '/'");
		if (strchr(name, '%'))
			ERR_INVALID(errs, field, name, "may not contain '%'");
		break;
	}
}

static int name_part_ok(const char *s, size_t len)
{
	if (!len || len > 63 || !any_alnum(s[0]) || !any_alnum(s[len - 1]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!any_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* IsQualifiedName: "" when fine, else the first message. */
static const char *qualified_name_error(const char *k)
{
	const char *slash = strchr(k, '/');
	const char *name = slash ? slash + 1 : k;
	if (slash) {
		char prefix[300];
		size_t pl = (size_t)(slash - k);
		if (strchr(name, '/'))
			return "a qualified name must consist of alphanumeric characters, '-', '_' or "
			       "'.', and must start and end with an alphanumeric character (e.g. "
			       "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
			       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
			       "subdomain prefix and '/' (e.g. 'example.com/MyName')";
		if (pl == 0)
			return "prefix part must be non-empty";
		if (pl >= sizeof(prefix) || pl > 253)
			return "prefix part must be no more than 253 characters";
		memcpy(prefix, k, pl);
		prefix[pl] = '\0';
		if (!is_subdomain(prefix))
			return "prefix part a lowercase RFC 1123 subdomain must consist of lower case "
			       "alphanumeric characters, '-' or '.', and must start and end with an "
			       "alphanumeric character (e.g. 'example.com', regex used for "
			       "validation is "
			       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
	}
	size_t nl = strlen(name);
	if (!nl)
		return "name part must be non-empty";
	if (nl > 63)
		return "name part must be no more than 63 characters";
	if (!name_part_ok(name, nl))
		return MSG_QNAME;
	return "";
}

/* A decode error: what the JSON decoder of kube-apiserver says about a wrong type. */
static int type_error(char *msg, size_t len, const struct kube_resource *res, const char *jtype,
		      const char *field, const char *gotype)
{
	snprintf(msg, len,
		 "%s in version \"%s\" cannot be handled as a %s: json: cannot unmarshal %s into Go "
		 "struct field %s of type %s",
		 res->kind, res->version, res->kind, jtype, field, gotype);
	return -EINVAL;
}

static const char *jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "null";
	}
}

static int check_string_map(const json_t *m, const struct kube_resource *res, const char *field,
			    char *msg, size_t len)
{
	const char *k;
	json_t *v;
	if (!m || json_is_null(m))
		return 0;
	if (!json_is_object(m))
		return type_error(msg, len, res, jtype(m), field, "map[string]string");
	json_object_foreach((json_t *)m, k, v) {
		if (!json_is_string(v))
			return type_error(msg, len, res, jtype(v), field, "string");
	}
	return 0;
}

/* The JSON types of ObjectMeta and of the fields gkeid reads: -EINVAL with a 400 message. */
static int check_types(const json_t *obj, const struct kube_resource *res, char *msg, size_t len)
{
	const json_t *m = json_object_get(obj, "metadata");
	static const char *const strs[] = {"name", "generateName", "namespace", "uid",
					   "resourceVersion", "creationTimestamp",
					   "deletionTimestamp", NULL};
	if (m && !json_is_object(m) && !json_is_null(m))
		return type_error(msg, len, res, jtype(m), "ObjectMeta.metadata", "v1.ObjectMeta");
	for (size_t i = 0; m && strs[i]; i++) {
		const json_t *v = json_object_get(m, strs[i]);
		char f[64];
		snprintf(f, sizeof(f), "ObjectMeta.metadata.%s", strs[i]);
		if (v && !json_is_string(v) && !json_is_null(v))
			return type_error(msg, len, res, jtype(v), f, "string");
	}
	if (m && check_string_map(json_object_get(m, "labels"), res,
				  "ObjectMeta.metadata.labels", msg, len))
		return -EINVAL;
	if (m && check_string_map(json_object_get(m, "annotations"), res,
				  "ObjectMeta.metadata.annotations", msg, len))
		return -EINVAL;
	const json_t *fin = m ? json_object_get(m, "finalizers") : NULL;
	if (fin && !json_is_array(fin) && !json_is_null(fin))
		return type_error(msg, len, res, jtype(fin), "ObjectMeta.metadata.finalizers",
				  "[]string");
	const json_t *spec = json_object_get(obj, "spec");
	if (spec && !json_is_object(spec) && !json_is_null(spec))
		return type_error(msg, len, res, jtype(spec), "spec", "struct");
	const json_t *status = json_object_get(obj, "status");
	if (status && !json_is_object(status) && !json_is_null(status))
		return type_error(msg, len, res, jtype(status), "status", "struct");
	if (is_core(res, "pods") && json_is_object(spec)) {
		static const char *const lists[] = {"containers", "initContainers", "volumes", NULL};
		for (size_t i = 0; lists[i]; i++) {
			const json_t *l = json_object_get(spec, lists[i]);
			size_t k;
			const json_t *c;
			char f[64];
			snprintf(f, sizeof(f), "PodSpec.spec.%s", lists[i]);
			if (l && !json_is_array(l) && !json_is_null(l))
				return type_error(msg, len, res, jtype(l), f, "[]v1.Container");
			json_array_foreach(l, k, c) {
				if (!json_is_object(c))
					return type_error(msg, len, res, jtype(c), f, "v1.Container");
				const json_t *nm = json_object_get(c, "name");
				const json_t *im = json_object_get(c, "image");
				if (nm && !json_is_string(nm))
					return type_error(msg, len, res, jtype(nm),
							  "Container.spec.containers.name", "string");
				if (im && !json_is_string(im))
					return type_error(msg, len, res, jtype(im),
							  "Container.spec.containers.image", "string");
			}
		}
	}
	if ((is_core(res, "configmaps") || is_core(res, "secrets"))) {
		if (check_string_map(json_object_get(obj, "data"), res, "data", msg, len) ||
		    check_string_map(json_object_get(obj, "stringData"), res, "stringData", msg, len) ||
		    check_string_map(json_object_get(obj, "binaryData"), res, "binaryData", msg, len))
			return -EINVAL;
		const json_t *t = json_object_get(obj, "type");
		if (t && !json_is_string(t))
			return type_error(msg, len, res, jtype(t), "type", "string");
	}
	if (!strcmp(res->group, "rbac.authorization.k8s.io")) {
		const json_t *rules = json_object_get(obj, "rules");
		const json_t *subjects = json_object_get(obj, "subjects");
		const json_t *ref = json_object_get(obj, "roleRef");
		if (rules && !json_is_array(rules) && !json_is_null(rules))
			return type_error(msg, len, res, jtype(rules), "rules", "[]v1.PolicyRule");
		if (subjects && !json_is_array(subjects) && !json_is_null(subjects))
			return type_error(msg, len, res, jtype(subjects), "subjects", "[]v1.Subject");
		if (ref && !json_is_object(ref))
			return type_error(msg, len, res, jtype(ref), "roleRef", "v1.RoleRef");
	}
	return 0;
}

static void validate_meta(const json_t *obj, json_t *errs)
{
	const json_t *m = json_object_get(obj, "metadata");
	const json_t *labels = json_object_get(m, "labels");
	const json_t *ann = json_object_get(m, "annotations");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)labels, k, v) {
		const char *e = qualified_name_error(k);
		const char *val = json_string_value(v);
		if (*e)
			ERR_INVALID(errs, "metadata.labels", k, e);
		if (val && strlen(val) > 63)
			ERR_INVALID(errs, "metadata.labels", val, "must be no more than 63 characters");
		else if (val && *val && !name_part_ok(val, strlen(val)))
			ERR_INVALID(errs, "metadata.labels", val, MSG_LVALUE);
	}
	size_t total = 0;
	json_object_foreach((json_t *)ann, k, v) {
		const char *e = qualified_name_error(k);
		char lower[320];
		snprintf(lower, sizeof(lower), "%s", k);
		for (char *p = lower; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		if (*e)
			ERR_INVALID(errs, "metadata.annotations", lower, e);
		total += strlen(k) + (json_string_value(v) ? strlen(json_string_value(v)) : 0);
	}
	if (total > ANNOTATIONS_MAX)
		field_err(errs, "metadata.annotations", "FieldValueTooLong",
			  "Too long: must have at most %d bytes", ANNOTATIONS_MAX);
	const json_t *fin = json_object_get(m, "finalizers");
	size_t i;
	json_array_foreach(fin, i, v) {
		char f[64];
		snprintf(f, sizeof(f), "metadata.finalizers[%zu]", i);
		if (!json_is_string(v))
			field_err(errs, f, "FieldValueInvalid", "Invalid value: %s", "must be a string");
		else if (*qualified_name_error(json_string_value(v)))
			ERR_INVALID(errs, f, json_string_value(v),
				    qualified_name_error(json_string_value(v)));
	}
}

static int valid_config_key(const char *k)
{
	if (!*k || strlen(k) > 253 || strcmp(k, ".") == 0 || strcmp(k, "..") == 0 ||
	    strncmp(k, "..", 2) == 0)
		return 0;
	for (const char *p = k; *p; p++)
		if (!any_alnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	return 1;
}

static void validate_containers(const json_t *list, const char *field, json_t *errs)
{
	size_t i, j;
	const json_t *c;
	char f[128];
	json_array_foreach(list, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *image = json_string_value(json_object_get(c, "image"));
		snprintf(f, sizeof(f), "%s[%zu].name", field, i);
		if (!name || !*name)
			ERR_REQUIRED(errs, f);
		else {
			if (!is_label(name, strlen(name)) || strlen(name) > 63)
				ERR_INVALID(errs, f, name, MSG_LABEL);
			for (j = 0; j < i; j++) {
				const char *o = json_string_value(
					json_object_get(json_array_get(list, j), "name"));
				if (o && strcmp(o, name) == 0) {
					field_err(errs, f, "FieldValueDuplicate", "Duplicate value: \"%s\"",
						  name);
					break;
				}
			}
		}
		snprintf(f, sizeof(f), "%s[%zu].image", field, i);
		if (!image || !*image)
			ERR_REQUIRED(errs, f);
	}
}

/* A pod's spec may change only in images, activeDeadlineSeconds, tolerations and
 * terminationGracePeriodSeconds (ValidatePodUpdate). */
static int pod_spec_update_ok(const json_t *old, const json_t *next)
{
	static const char *const loose[] = {"activeDeadlineSeconds", "tolerations",
					    "terminationGracePeriodSeconds", NULL};
	static const char *const lists[] = {"containers", "initContainers", NULL};
	json_t *a = json_is_object(old) ? json_deep_copy(old) : json_object();
	json_t *b = json_is_object(next) ? json_deep_copy(next) : json_object();
	int ok = 0;
	if (!a || !b)
		goto out;
	for (size_t i = 0; loose[i]; i++) {
		json_object_del(a, loose[i]);
		json_object_del(b, loose[i]);
	}
	for (size_t i = 0; lists[i]; i++) {
		json_t *la = json_object_get(a, lists[i]), *lb = json_object_get(b, lists[i]);
		size_t k;
		json_t *c;
		if (json_array_size(la) != json_array_size(lb))
			continue; /* differs: json_equal below says so */
		json_array_foreach(lb, k, c) {
			json_t *img = json_object_get(json_array_get(la, k), "image");
			if (json_is_object(c) && img)
				json_object_set(c, "image", img);
		}
	}
	ok = json_equal(a, b);
out:
	json_decref(a);
	json_decref(b);
	return ok;
}

/* The kind's own rules on a whole object (create and update). old is NULL on create. */
static void validate_kind(const struct kube_resource *res, const json_t *obj, const json_t *old,
			  json_t *errs)
{
	const json_t *spec = json_object_get(obj, "spec");
	const char *k;
	json_t *v;
	/* CRDs and custom resources (crdserve.c): defaults, pruning, schema validation */
	if (crd_object_hook(res, (json_t *)obj, old, errs))
		field_err(errs, "", "InternalError", "out of memory");
	if (is_core(res, "pods")) {
		const json_t *cs = json_object_get(spec, "containers");
		if (!json_array_size(cs))
			ERR_REQUIRED(errs, "spec.containers");
		else
			validate_containers(cs, "spec.containers", errs);
		validate_containers(json_object_get(spec, "initContainers"), "spec.initContainers",
				    errs);
		if (old && !pod_spec_update_ok(json_object_get(old, "spec"), spec))
			field_err(errs, "spec", "FieldValueForbidden",
				  "Forbidden: pod updates may not change fields other than "
				  "`spec.containers[*].image`,`spec.initContainers[*].image`,"
				  "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
				  "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
				  "to be set to 1 if it was previously negative)");
	} else if (is_core(res, "configmaps") || is_core(res, "secrets")) {
		static const char *const maps[] = {"data", "binaryData", "stringData", NULL};
		for (size_t i = 0; maps[i]; i++) {
			json_object_foreach(json_object_get(obj, maps[i]), k, v) {
				if (!valid_config_key(k)) {
					char f[300];
					snprintf(f, sizeof(f), "%s[%s]", maps[i], k);
					ERR_INVALID(errs, f, k,
						    "a valid config key must consist of alphanumeric "
						    "characters, '-', '_' or '.' (e.g. 'key.name',  or "
						    "'KEY_NAME',  or 'key-name', regex used for validation "
						    "is '[-._a-zA-Z0-9]+')");
				}
			}
		}
		if (old && json_is_true(json_object_get(old, "immutable")) &&
		    (!json_equal(json_object_get(old, "data"), json_object_get(obj, "data")) ||
		     !json_equal(json_object_get(old, "binaryData"),
				 json_object_get(obj, "binaryData"))))
			field_err(errs, "data", "FieldValueForbidden",
				  "Forbidden: field is immutable when `immutable` is set");
		if (old && is_core(res, "secrets") &&
		    !json_equal(json_object_get(old, "type"), json_object_get(obj, "type")))
			field_err(errs, "type", "FieldValueInvalid",
				  "Invalid value: \"%s\": field is immutable",
				  json_string_value(json_object_get(obj, "type"))
					  ? json_string_value(json_object_get(obj, "type"))
					  : "");
	} else if (!strcmp(res->group, "rbac.authorization.k8s.io")) {
		size_t i;
		const json_t *rule;
		json_array_foreach(json_object_get(obj, "rules"), i, rule) {
			char f[64];
			snprintf(f, sizeof(f), "rules[%zu].verbs", i);
			if (!json_array_size(json_object_get(rule, "verbs")))
				ERR_REQUIRED(errs, f);
			if (!json_array_size(json_object_get(rule, "nonResourceURLs")) &&
			    !json_array_size(json_object_get(rule, "apiGroups")) &&
			    strcmp(res->resource, "roles") == 0) {
				snprintf(f, sizeof(f), "rules[%zu].apiGroups", i);
				ERR_REQUIRED(errs, f);
			}
		}
		if (strstr(res->resource, "bindings")) {
			const json_t *ref = json_object_get(obj, "roleRef");
			const char *rk = json_string_value(json_object_get(ref, "kind"));
			const char *rn = json_string_value(json_object_get(ref, "name"));
			if (!rn || !*rn)
				ERR_REQUIRED(errs, "roleRef.name");
			if (!rk || !*rk)
				ERR_REQUIRED(errs, "roleRef.kind");
			else if (strcmp(rk, "ClusterRole") != 0 &&
				 (strcmp(rk, "Role") != 0 ||
				  strcmp(res->resource, "clusterrolebindings") == 0))
				field_err(errs, "roleRef.kind", "FieldValueNotSupported",
					  "Unsupported value: \"%s\": supported values: %s", rk,
					  strcmp(res->resource, "clusterrolebindings") == 0
						  ? "\"ClusterRole\""
						  : "\"Role\", \"ClusterRole\"");
			if (old && !json_equal(json_object_get(old, "roleRef"), (json_t *)ref))
				field_err(errs, "roleRef", "FieldValueInvalid",
					  "Invalid value: %s: cannot change roleRef", "{...}");
			const json_t *s;
			json_array_foreach(json_object_get(obj, "subjects"), i, s) {
				char f[64];
				const char *sk = json_string_value(json_object_get(s, "kind"));
				const char *sn = json_string_value(json_object_get(s, "name"));
				snprintf(f, sizeof(f), "subjects[%zu].name", i);
				if (!sn || !*sn)
					ERR_REQUIRED(errs, f);
				snprintf(f, sizeof(f), "subjects[%zu].kind", i);
				if (!sk || (strcmp(sk, "User") && strcmp(sk, "Group") &&
					    strcmp(sk, "ServiceAccount")))
					field_err(errs, f, "FieldValueNotSupported",
						  "Unsupported value: \"%s\": supported values: "
						  "\"ServiceAccount\", \"User\", \"Group\"",
						  sk ? sk : "");
			}
		}
	}
}

/* --- defaults, as kube-apiserver's defaulting and admission give them --- */

static void set_default(json_t *o, const char *k, json_t *v)
{
	if (!v)
		return;
	if (!json_object_get(o, k))
		json_object_set_new(o, k, v);
	else
		json_decref(v);
}

static void default_containers(json_t *list)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		if (!json_is_object(c))
			continue;
		const char *image = json_string_value(json_object_get(c, "image"));
		const char *slash = image ? strrchr(image, '/') : NULL;
		const char *colon = image ? strrchr(slash ? slash : image, ':') : NULL;
		int latest = image && !strchr(image, '@') && (!colon || strcmp(colon, ":latest") == 0);
		set_default(c, "imagePullPolicy", json_string(latest ? "Always" : "IfNotPresent"));
		set_default(c, "resources", json_object());
		set_default(c, "terminationMessagePath", json_string("/dev/termination-log"));
		set_default(c, "terminationMessagePolicy", json_string("File"));
		json_t *ports = json_object_get(c, "ports");
		size_t j;
		json_t *p;
		json_array_foreach(ports, j, p) {
			if (json_is_object(p))
				set_default(p, "protocol", json_string("TCP"));
		}
	}
}

static int has_resources(const json_t *spec)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(spec, "containers"), i, c) {
		const json_t *r = json_object_get(c, "resources");
		if (json_object_size(json_object_get(r, "requests")) ||
		    json_object_size(json_object_get(r, "limits")))
			return 1;
	}
	return 0;
}

static void pod_defaults(json_t *obj, int reset_status)
{
	json_t *spec = json_object_get(obj, "spec");
	if (!json_is_object(spec))
		return;
	default_containers(json_object_get(spec, "containers"));
	default_containers(json_object_get(spec, "initContainers"));
	set_default(spec, "restartPolicy", json_string("Always"));
	set_default(spec, "terminationGracePeriodSeconds", json_integer(30));
	set_default(spec, "dnsPolicy", json_string("ClusterFirst"));
	set_default(spec, "securityContext", json_object());
	set_default(spec, "schedulerName", json_string("default-scheduler"));
	const char *sa = json_string_value(json_object_get(spec, "serviceAccountName"));
	if (!sa || !*sa)
		sa = json_string_value(json_object_get(spec, "serviceAccount"));
	/* the ServiceAccount admission plugin leaves a mirror pod's spec alone */
	int mirror =
		json_object_get(json_object_get(json_object_get(obj, "metadata"), "annotations"),
				"kubernetes.io/config.mirror") != NULL;
	if ((!sa || !*sa) && !mirror)
		sa = "default";
	json_t *sav = sa && *sa ? json_string(sa) : NULL;
	if (sav) {
		json_object_set(spec, "serviceAccountName", sav);
		json_object_set_new(spec, "serviceAccount", sav);
	}
	set_default(spec, "enableServiceLinks", json_true());
	set_default(spec, "priority", json_integer(0));
	set_default(spec, "preemptionPolicy", json_string("PreemptLowerPriority"));
	if (!json_object_get(spec, "tolerations"))
		json_object_set_new(
			spec, "tolerations",
			json_pack("[{s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}]", "key",
				  "node.kubernetes.io/not-ready", "operator", "Exists", "effect",
				  "NoExecute", "tolerationSeconds", 300, "key",
				  "node.kubernetes.io/unreachable", "operator", "Exists", "effect",
				  "NoExecute", "tolerationSeconds", 300));
	json_t *status = json_object_get(obj, "status");
	if (reset_status || !json_is_object(status)) {
		status = json_object();
		if (!status || json_object_set_new(obj, "status", status))
			return;
	}
	set_default(status, "phase", json_string("Pending"));
	set_default(status, "qosClass", json_string(has_resources(spec) ? "Burstable" : "BestEffort"));
}

/* Secret stringData is write-only: merged into data, base64-encoded. */
static int secret_string_data(json_t *obj)
{
	json_t *sd = json_object_get(obj, "stringData");
	const char *k;
	json_t *v;
	if (!sd)
		return 0;
	json_t *data = json_object_get(obj, "data");
	if (!json_is_object(data)) {
		data = json_object();
		if (!data || json_object_set_new(obj, "data", data))
			return -ENOMEM;
	}
	json_object_foreach(sd, k, v) {
		const char *s = json_string_value(v);
		char *b = b64_encode(s ? s : "", s ? strlen(s) : 0);
		if (!b)
			return -ENOMEM;
		json_object_set_new(data, k, json_string(b));
		free(b);
	}
	json_object_del(obj, "stringData");
	return 0;
}

static int apply_defaults(const struct kube_resource *res, json_t *obj, int create)
{
	if (is_core(res, "pods")) {
		pod_defaults(obj, 0);
	} else if (is_core(res, "namespaces")) {
		json_t *m = meta_of(obj), *labels, *spec, *status;
		if (!m)
			return -ENOMEM;
		labels = json_object_get(m, "labels");
		if (!json_is_object(labels)) {
			labels = json_object();
			if (!labels || json_object_set_new(m, "labels", labels))
				return -ENOMEM;
		}
		json_object_set_new(labels, "kubernetes.io/metadata.name", json_string(mstr(obj, "name")));
		spec = json_object_get(obj, "spec");
		if (!json_is_object(spec)) {
			spec = json_object();
			if (!spec || json_object_set_new(obj, "spec", spec))
				return -ENOMEM;
		}
		if (create)
			set_default(spec, "finalizers", json_pack("[s]", "kubernetes"));
		status = json_object_get(obj, "status");
		if (!json_is_object(status)) {
			status = json_object();
			if (!status || json_object_set_new(obj, "status", status))
				return -ENOMEM;
		}
		set_default(status, "phase", json_string("Active"));
	} else if (is_core(res, "secrets")) {
		if (secret_string_data(obj))
			return -ENOMEM;
		set_default(obj, "type", json_string("Opaque"));
	} else if (is_core(res, "services")) {
		json_t *spec = json_object_get(obj, "spec");
		if (json_is_object(spec)) {
			set_default(spec, "type", json_string("ClusterIP"));
			set_default(spec, "sessionAffinity", json_string("None"));
		}
	} else if (!strcmp(res->group, "networking.k8s.io")) {
		json_t *spec = json_object_get(obj, "spec");
		if (json_is_object(spec)) {
			set_default(spec, "podSelector", json_object());
			if (!json_object_get(spec, "policyTypes")) {
				json_t *pt = json_pack("[s]", "Ingress");
				if (pt && json_object_get(spec, "egress"))
					json_array_append_new(pt, json_string("Egress"));
				set_default(spec, "policyTypes", pt);
			}
		}
	}
	return 0;
}

/* Fills server-set metadata on a new object. */
static int fill_create_meta(const struct kube_resource *res, json_t *obj)
{
	char uid[37], ts[32];
	json_t *m = meta_of(obj);
	if (!m)
		return -ENOMEM;
	uuid4(uid);
	now_rfc3339(ts);
	json_object_set_new(m, "uid", json_string(uid));
	json_object_set_new(m, "creationTimestamp", json_string(ts));
	json_object_del(m, "deletionTimestamp");
	json_object_del(m, "deletionGracePeriodSeconds");
	json_object_del(m, "resourceVersion");
	json_object_del(m, "selfLink");
	if (kind_of(res)->generation)
		json_object_set_new(m, "generation", json_integer(1));
	else
		json_object_del(m, "generation");
	return 0;
}

/* A name from generateName: the prefix (cut to 58 bytes) and 5 random characters. */
static int generate_name(const char *prefix, char *out, size_t len)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char rnd[5];
	size_t pl = strlen(prefix);
	if (pl > 58)
		pl = 58;
	if (pl + 6 > len || random_bytes(rnd, sizeof(rnd)) != 0)
		return -EINVAL;
	memcpy(out, prefix, pl);
	for (size_t i = 0; i < 5; i++)
		out[pl + i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[pl + 5] = '\0';
	return 0;
}

/* --- bodies --- */

/* The request's object. Duplicate keys are kept (the last wins, *dups set) for
 * fieldValidation to judge (schema.h). */
static json_t *parse_body(struct http_req *r, int *dups)
{
	json_error_t e;
	const char *ct = http_header(r, "Content-Type");
	if (ct && strncasecmp(ct, "application/vnd.kubernetes.protobuf", 35) == 0) {
		kube_reply_status(r, 415, "UnsupportedMediaType",
				  "the body of the request was in an unknown format - accepted media "
				  "types include: application/json, application/yaml",
				  NULL);
		return NULL;
	}
	if (!r->body_len) {
		reply_bad_request(r, "the body of the request was empty");
		return NULL;
	}
	/* No depth bound of gkeid's own here: as kube-apiserver decodes a built-in kind into
	 * its type, schema.c prunes what the type does not have, however deep (jansson's
	 * parser stops at 2048 levels). Patches are bounded (patch.c). */
	json_t *j = schema_loadb((const char *)r->body, r->body_len, dups, &e);
	if (!j) {
		reply_bad_request(r, "couldn't get version/kind; json parse error: %s", e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_bad_request(r, "couldn't get version/kind; json parse error: json: cannot "
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
	api_version(res, av, sizeof(av));
	const json_t *k = json_object_get(obj, "kind");
	const json_t *v = json_object_get(obj, "apiVersion");
	if ((k && !json_is_string(k)) || (v && !json_is_string(v))) {
		reply_bad_request(r, "couldn't get version/kind; json parse error: json: cannot "
				     "unmarshal %s into Go struct field .kind of type string",
				  jtype(k && !json_is_string(k) ? k : v));
		return -EINVAL;
	}
	const char *ks = json_string_value(k), *vs = json_string_value(v);
	if (vs && *vs && strcmp(vs, av) != 0) {
		/* events.k8s.io/v1 bodies at core events and the like are not convertible */
		reply_bad_request(r, "the API version in the data (%s) does not match the expected "
				     "API version (%s)",
				  vs, av);
		return -EINVAL;
	}
	if (ks && *ks && strcmp(ks, res->kind) != 0) {
		reply_bad_request(r, "the kind in the data (%s) does not match the expected kind (%s)",
				  ks, res->kind);
		return -EINVAL;
	}
	json_object_set_new(obj, "kind", json_string(res->kind));
	json_object_set_new(obj, "apiVersion", json_string(av));
	return 0;
}

static int dry_run(struct http_req *r)
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
	if (fetch(cl, key, &o, NULL) != 0)
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
	const char *name = mstr(obj, "name");
	const char *ns = mstr(obj, "namespace");
	if (!*name || (res->namespaced && !*ns))
		return -EINVAL;
	if (!res->namespaced)
		ns = "";
	registry_key(cl, res, ns, name, key, sizeof(key));
	if (!*key)
		return -ENAMETOOLONG;
	api_version(res, av, sizeof(av));
	json_object_set_new(obj, "kind", json_string(res->kind));
	json_object_set_new(obj, "apiVersion", json_string(av));
	json_t *m = meta_of(obj);
	if (!m)
		return -ENOMEM;
	rc = fetch(cl, key, &old, NULL);
	if (rc && rc != -ENOENT)
		return rc;
	/* keep identity across replacements; new objects get theirs */
	const char *ouid = old ? mstr(old, "uid") : "";
	const char *ots = old ? mstr(old, "creationTimestamp") : "";
	if (*ouid) {
		json_object_set_new(m, "uid", json_string(ouid));
	} else if (!*mstr(obj, "uid")) {
		uuid4(uid);
		json_object_set_new(m, "uid", json_string(uid));
	}
	if (*ots) {
		json_object_set_new(m, "creationTimestamp", json_string(ots));
	} else if (!*mstr(obj, "creationTimestamp")) {
		now_rfc3339(ts);
		json_object_set_new(m, "creationTimestamp", json_string(ts));
	}
	if (kind_of(res)->generation && !json_object_get(m, "generation")) {
		json_t *og = old ? json_object_get(json_object_get(old, "metadata"), "generation") : NULL;
		json_object_set_new(m, "generation", json_is_integer(og) ? json_copy(og) : json_integer(1));
	}
	json_decref(old);
	rc = apply_defaults(res, obj, 1);
	if (rc)
		return rc;
	return write_obj(cl, res, key, obj, STORE_ANY_REV, NULL);
}

/* --- get --- */

/* The Accept header's choice: a Table (1) or the object. */
struct output {
	int table, v1beta1;
	enum table_include inc;
};

static void output_of(struct http_req *r, struct output *o)
{
	o->table = table_wanted(http_header(r, "Accept"), &o->v1beta1);
	o->inc = table_include_parse(http_query(r, "includeObject"));
}

static void reply_object(struct http_req *r, const struct kube_resource *res, json_t *obj,
			 const struct output *out, int code)
{
	if (out && out->table) {
		json_t *items = json_pack("[O]", obj);
		json_t *t = items ? table_build(res, items, out->inc, 1, mstr(obj, "resourceVersion"),
						NULL, 0, time(NULL), out->v1beta1)
				  : NULL;
		json_decref(items);
		json_decref(obj);
		reply_json(r, code, t);
		return;
	}
	reply_json(r, code, obj);
}

static void serve_get(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res)
{
	char key[KEY_MAX];
	json_t *obj = NULL;
	struct output out;
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	int rc = fetch(cl, key, &obj, NULL);
	if (rc == -ENOENT) {
		reply_not_found(r, a, res, a->name);
		return;
	}
	if (rc) {
		kube_reply_status(r, 500, "InternalError", "the object could not be read", a);
		return;
	}
	output_of(r, &out);
	reply_object(r, res, obj, &out, 200);
}

/* --- list --- */

struct filter {
	struct selector *labels, *fields;
};

static void filter_free(struct filter *f)
{
	selector_free(f->labels);
	selector_free(f->fields);
	f->labels = f->fields = NULL;
}

/* Parses labelSelector and fieldSelector; replies 400 itself on error. */
static int filter_parse(struct http_req *r, const struct kube_resource *res, struct filter *f)
{
	char err[1024];
	f->labels = f->fields = NULL;
	int rc = selector_parse_labels(http_query(r, "labelSelector"), &f->labels, err, sizeof(err));
	if (!rc)
		rc = selector_parse_fields(http_query(r, "fieldSelector"), res->group, res->kind,
					   &f->fields, err, sizeof(err));
	if (rc) {
		filter_free(f);
		if (rc == -ENOMEM)
			kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
		else
			reply_bad_request(r, "%s", err);
		return rc;
	}
	return 0;
}

static int filter_empty(const struct filter *f)
{
	return selector_empty(f->labels) && selector_empty(f->fields);
}

static int filter_match(const struct filter *f, const json_t *obj)
{
	return selector_match_labels(f->labels, json_object_get(json_object_get(obj, "metadata"),
								 "labels")) &&
	       selector_match_fields(f->fields, obj);
}

/* Continue tokens: base64url of {"v":"meta.k8s.io/v1","rv":N,"start":"<key rest>\u0000"},
 * as kube-apiserver's storage makes them. */
static char *continue_make(int64_t rv, const char *start)
{
	json_t *j = json_pack("{s:s, s:I, s:s}", "v", "meta.k8s.io/v1", "rv", (json_int_t)rv,
			      "start", start);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		return NULL;
	char *t = b64url_encode(s, strlen(s));
	free(s);
	return t;
}

static int continue_parse(const char *tok, char *start, size_t len)
{
	unsigned char *raw = NULL;
	size_t rl = 0;
	if (b64url_decode(tok, strlen(tok), &raw, &rl) != 0)
		return -EINVAL;
	json_t *j = json_loadb((const char *)raw, rl, 0, NULL);
	free(raw);
	const char *v = json_string_value(json_object_get(j, "v"));
	const char *s = json_string_value(json_object_get(j, "start"));
	int rc = -EINVAL;
	if (v && strcmp(v, "meta.k8s.io/v1") == 0 && s && strlen(s) < len) {
		snprintf(start, len, "%s", s);
		rc = 0;
	}
	json_decref(j);
	return rc;
}

/* Appends a stored object with its resourceVersion spliced in, without parsing it:
 * write_obj stores text that begins with head ({"kind":K,"apiVersion":V,"metadata":{).
 * Returns 0 when the text does not (the caller then parses it). */
static int raw_item(struct dbuf *b, const struct store_kv *kv, const char *head, size_t hl)
{
	char rv[64];
	if (kv->value_len <= hl || memcmp(kv->value, head, hl) != 0)
		return 0;
	int n = snprintf(rv, sizeof(rv), "\"resourceVersion\":\"%lld\"%s", (long long)kv->mod_rev,
			 kv->value[hl] == '}' ? "" : ",");
	dbuf_add(b, kv->value, hl);
	dbuf_add(b, rv, (size_t)n);
	dbuf_add(b, kv->value + hl, kv->value_len - hl);
	return 1;
}

/* The last full range of a paged list, kept while pages follow at the same store
 * revision (kubectl asks for 500 at a time): later pages then cost no store read. */
static struct {
	const struct store *s;
	char prefix[KEY_MAX];
	int64_t rev;
	struct store_kv *kvs;
	size_t n;
} pages;

static void pages_clear(void)
{
	store_kvs_free(pages.kvs, pages.n);
	pages.kvs = NULL;
	pages.n = 0;
	pages.s = NULL;
	pages.prefix[0] = '\0';
}

static void serve_list(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		       const struct kube_resource *res)
{
	char prefix[KEY_MAX], start[KEY_MAX], av[200], rvs[32], head[400];
	struct filter f;
	struct output out;
	struct store_kv *kvs = NULL;
	struct dbuf body = DBUF_INIT(DBUF_DEFAULT_MAX);
	size_t n = 0, i = 0, count = 0;
	int64_t rev = 0, remaining = 0;
	long limit = 0;
	int cached = 0, full = 1;
	char *cont = NULL;
	json_t *items = NULL, *list = NULL;
	struct store *st = cl->kube->store;
	const char *ls = http_query(r, "limit"), *cs = http_query(r, "continue");

	if (filter_parse(r, res, &f))
		return;
	output_of(r, &out);
	if (ls && *ls) {
		char *end;
		limit = strtol(ls, &end, 10);
		if (*end || limit < 0)
			limit = 0;
		if (limit > MAX_LIMIT)
			limit = MAX_LIMIT;
	}
	start[0] = '\0';
	if (cs && *cs && continue_parse(cs, start, sizeof(start)) != 0) {
		reply_bad_request(r, "continue key is not valid: invalid continue token");
		goto out;
	}
	registry_key(cl, res, res->namespaced ? a->namespace_ : NULL, NULL, prefix, sizeof(prefix));
	if (!*prefix) {
		kube_reply_status(r, 500, "InternalError", "the objects could not be read", a);
		goto out;
	}
	if (start[0] && pages.kvs && pages.s == st && strcmp(pages.prefix, prefix) == 0 &&
	    pages.rev == store_revision(st)) {
		kvs = pages.kvs;
		n = pages.n;
		rev = pages.rev;
		cached = 1;
	} else {
		/* a plain first page needs no more than limit + 1 keys */
		size_t want = (limit && !start[0] && filter_empty(&f)) ? (size_t)limit + 1 : 0;
		full = want == 0;
		if (store_range(st, prefix, want, &kvs, &n, &rev) != 0) {
			kube_reply_status(r, 500, "InternalError", "the objects could not be read", a);
			goto out;
		}
	}
	size_t plen = strlen(prefix);
	if (start[0]) {
		/* keys sort bytewise: the first at or after the continue point */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(kvs[mid].key + plen, start) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	}
	api_version(res, av, sizeof(av));
	snprintf(head, sizeof(head), "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{",
		 res->kind, av);
	size_t hl = strlen(head);
	items = json_array();
	if (!items)
		goto oom;
	for (; i < n; i++) {
		if (limit && count == (size_t)limit) {
			/* more remain: the next page starts just after the last key returned
			 * ("\x01" appended: no valid name holds a control byte) */
			const char *last = kvs[i - 1].key + plen;
			size_t ll = strlen(last);
			char *next = malloc(ll + 2);
			if (!next)
				goto oom;
			memcpy(next, last, ll);
			next[ll] = '\x01';
			next[ll + 1] = '\0';
			cont = continue_make(rev, next);
			free(next);
			if (!cont)
				goto oom;
			break;
		}
		json_t *o = NULL;
		if (out.table || !filter_empty(&f)) {
			o = load(kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
			if (!o)
				continue;
			if (!filter_match(&f, o)) {
				json_decref(o);
				continue;
			}
		}
		if (out.table) {
			if (json_array_append_new(items, o))
				goto oom;
		} else {
			if (count)
				dbuf_str(&body, ",");
			if (!raw_item(&body, &kvs[i], head, hl)) {
				if (!o)
					o = load(kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
				char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
				if (!t) {
					json_decref(o);
					goto oom;
				}
				dbuf_str(&body, t);
				free(t);
			}
			json_decref(o);
			if (body.oom)
				goto oom;
		}
		count++;
	}
	if (cont && filter_empty(&f) && full)
		remaining = (int64_t)(n - i);
	snprintf(rvs, sizeof(rvs), "%lld", (long long)rev);
	if (out.table) {
		list = table_build(res, items, out.inc, 1, rvs, cont, remaining, time(NULL), out.v1beta1);
		if (!list)
			goto oom;
		reply_json(r, 200, list);
		list = NULL;
	} else {
		struct dbuf whole = DBUF_INIT(DBUF_DEFAULT_MAX);
		char meta[600];
		int m = snprintf(meta, sizeof(meta),
				 "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{"
				 "\"resourceVersion\":\"%s\"",
				 res->kind, av, rvs);
		dbuf_add(&whole, meta, (size_t)m);
		if (cont) {
			dbuf_str(&whole, ",\"continue\":\"");
			dbuf_str(&whole, cont); /* base64url: nothing to escape */
			dbuf_str(&whole, "\"");
		}
		if (remaining > 0) {
			m = snprintf(meta, sizeof(meta), ",\"remainingItemCount\":%lld",
				     (long long)remaining);
			dbuf_add(&whole, meta, (size_t)m);
		}
		dbuf_str(&whole, "},\"items\":[");
		if (body.len)
			dbuf_add(&whole, body.p, body.len);
		dbuf_str(&whole, "]}\n");
		if (whole.oom) {
			free(whole.p);
			goto oom;
		}
		http_reply(r, 200, "application/json", whole.p, whole.len);
		free(whole.p);
	}
	/* keep a full range while pages follow; drop it after the last */
	if (cont && full && !cached) {
		pages_clear();
		pages.s = st;
		snprintf(pages.prefix, sizeof(pages.prefix), "%s", prefix);
		pages.rev = rev;
		pages.kvs = kvs;
		pages.n = n;
		kvs = NULL;
		n = 0;
	} else if (!cont && cached) {
		pages_clear();
		cached = 0;
		kvs = NULL;
		n = 0;
	}
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(items);
	json_decref(list);
	free(cont);
	free(body.p);
	if (!cached)
		store_kvs_free(kvs, n);
	filter_free(&f);
}

/* --- watch --- */

struct watcher {
	struct watcher *next, **pprev;
	struct kube_cluster *cl;
	const struct kube_resource *res;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct evbuffer *buf;
	struct store_watch *sw;
	struct event *timer;
	struct filter f;
	struct hmap *known; /* keys that matched the selectors (filtered watches) */
	int filtered;
	int exact;          /* known holds every matching key (the watch began with a list) */
	struct output out;
	int headers_sent;
	int initial; /* sending the initial list: as large as the collection, not capped */
	int bookmarks;
	int64_t last_rev;
	time_t deadline, next_bookmark;
	int busy, dead;
};

static struct watcher *watchers; /* all live watchers */
static size_t n_watchers;

/* One event, parsed and encoded once for every watcher that wants it as is. */
static struct {
	const struct store *s;
	int64_t rev;
	json_t *obj;
	char *line[3]; /* ADDED, MODIFIED, DELETED */
	size_t len[3];
} cache;

static const char *const type_names[3] = {"ADDED", "MODIFIED", "DELETED"};

static void cache_clear(void)
{
	json_decref(cache.obj);
	for (int i = 0; i < 3; i++) {
		free(cache.line[i]);
		cache.line[i] = NULL;
	}
	memset(&cache, 0, sizeof(cache));
}

static json_t *cache_object(const struct store *s, const struct store_event *ev)
{
	if (cache.obj && cache.s == s && cache.rev == ev->rev)
		return cache.obj;
	cache_clear();
	cache.obj = load(ev->value, ev->value_len, ev->rev);
	if (!cache.obj)
		return NULL;
	cache.s = s;
	cache.rev = ev->rev;
	return cache.obj;
}

/* {"type":T,"object":O}\n, malloc'd. */
static char *encode_event(const char *type, json_t *obj, size_t *len)
{
	json_t *e = json_pack("{s:s, s:O}", "type", type, "object", obj);
	char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	if (!s)
		return NULL;
	size_t l = strlen(s);
	char *nl = realloc(s, l + 2);
	if (!nl) {
		free(s);
		return NULL;
	}
	nl[l] = '\n';
	nl[l + 1] = '\0';
	*len = l + 1;
	return nl;
}

static void watcher_release(struct watcher *w)
{
	if (w->busy) {
		w->dead = 1;
		return;
	}
	if (w->pprev) {
		*w->pprev = w->next;
		if (w->next)
			w->next->pprev = w->pprev;
		n_watchers--;
	}
	if (w->timer)
		event_free(w->timer);
	if (w->buf)
		evbuffer_free(w->buf);
	filter_free(&w->f);
	hmap_free(w->known);
	free(w);
	if (!n_watchers)
		cache_clear();
}

/* Ends the stream from our side (timeout, slow client, error). */
static void watch_end(struct watcher *w)
{
	if (w->dead)
		return;
	store_unwatch(w->sw);
	w->sw = NULL;
	if (w->conn)
		http_conn_set_closecb(w->conn, NULL, NULL);
	if (w->req)
		evhttp_send_reply_end(w->req);
	w->req = NULL;
	w->conn = NULL;
	w->dead = 1;
	watcher_release(w);
}

/* The client went away (or the listener is being freed). */
static void on_close(struct evhttp_connection *conn, void *arg)
{
	struct watcher *w = arg;
	(void)conn;
	store_unwatch(w->sw);
	w->sw = NULL;
	/* A request the connection let go of is ours to free; one it still holds it frees. */
	if (w->req && !evhttp_request_get_connection(w->req))
		evhttp_request_free(w->req);
	w->req = NULL;
	w->conn = NULL;
	w->dead = 1;
	watcher_release(w);
}

static int unsent_too_much(struct watcher *w)
{
	struct bufferevent *bev = w->conn ? evhttp_connection_get_bufferevent(w->conn) : NULL;
	return bev && evbuffer_get_length(bufferevent_get_output(bev)) > WATCH_BUF_CAP;
}

static void emit(struct watcher *w, const char *data, size_t len)
{
	if (w->dead || !w->req)
		return;
	if (!w->initial && unsent_too_much(w)) {
		watch_end(w);
		return;
	}
	if (evbuffer_add(w->buf, data, len) == 0)
		evhttp_send_reply_chunk(w->req, w->buf);
}

/* Sends one event; obj is borrowed. shared: the line may come from the cache. */
static void send_event(struct watcher *w, int type, json_t *obj, int shared)
{
	char *line = NULL;
	size_t len = 0;
	if (w->out.table) {
		json_t *items = json_pack("[O]", obj);
		json_t *t = items ? table_build(w->res, items, w->out.inc, !w->headers_sent, NULL,
						NULL, 0, time(NULL), w->out.v1beta1)
				  : NULL;
		json_decref(items);
		if (t) {
			/* a Table event carries the object's resourceVersion */
			json_object_set_new(json_object_get(t, "metadata"), "resourceVersion",
					    json_string(mstr(obj, "resourceVersion")));
			line = encode_event(type_names[type], t, &len);
			json_decref(t);
			w->headers_sent = 1;
		}
		if (line)
			emit(w, line, len);
		free(line);
		return;
	}
	if (shared) {
		if (!cache.line[type])
			cache.line[type] = encode_event(type_names[type], obj, &cache.len[type]);
		if (cache.line[type])
			emit(w, cache.line[type], cache.len[type]);
		return;
	}
	line = encode_event(type_names[type], obj, &len);
	if (line)
		emit(w, line, len);
	free(line);
}

static void send_status_event(struct watcher *w, const char *type, int code, const char *reason,
			      const char *msg)
{
	size_t len = 0;
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status",
			       "apiVersion", "v1", "metadata", "status", "Failure", "message", msg,
			       "reason", reason, "code", code);
	char *line = st ? encode_event(type, st, &len) : NULL;
	json_decref(st);
	if (line)
		emit(w, line, len);
	free(line);
}

static void send_bookmark(struct watcher *w, int initial_end)
{
	char av[200], rv[32];
	size_t len = 0;
	api_version(w->res, av, sizeof(av));
	snprintf(rv, sizeof(rv), "%lld", (long long)w->last_rev);
	json_t *o = json_pack("{s:s, s:s, s:{s:s, s:n}}", "kind", w->res->kind, "apiVersion", av,
			      "metadata", "resourceVersion", rv, "creationTimestamp");
	if (o && initial_end)
		json_object_set_new(json_object_get(o, "metadata"), "annotations",
				    json_pack("{s:s}", "k8s.io/initial-events-end", "true"));
	char *line = o ? encode_event("BOOKMARK", o, &len) : NULL;
	json_decref(o);
	if (line)
		emit(w, line, len);
	free(line);
}

enum { T_ADDED = 0, T_MODIFIED = 1, T_DELETED = 2 };

static void on_event(void *arg, const struct store_event *ev)
{
	struct watcher *w = arg;
	if (w->dead)
		return;
	w->busy++;
	json_t *obj = cache_object(w->cl->kube->store, ev);
	if (!obj)
		goto out;
	w->last_rev = ev->rev;
	if (!w->filtered) {
		int t = ev->type == STORE_DELETE ? T_DELETED
						 : (ev->create_rev == ev->rev ? T_ADDED : T_MODIFIED);
		send_event(w, t, obj, 1);
		goto out;
	}
	int match = filter_match(&w->f, obj);
	int was = hmap_get(w->known, ev->key) != NULL;
	int t = -1;
	if (ev->type == STORE_DELETE) {
		if (was || (!w->exact && match))
			t = T_DELETED;
		hmap_del(w->known, ev->key);
	} else if (match) {
		if (was)
			t = T_MODIFIED;
		else
			t = (w->exact || ev->create_rev == ev->rev) ? T_ADDED : T_MODIFIED;
		if (!was && hmap_put(w->known, ev->key, (void *)1) != 0) {
			watch_end(w);
			goto out;
		}
	} else if (was) {
		/* it no longer matches: gone from this watcher's view */
		t = T_DELETED;
		hmap_del(w->known, ev->key);
	}
	if (t >= 0)
		send_event(w, t, obj, 1);
out:
	w->busy--;
	if (w->dead)
		watcher_release(w);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct watcher *w = arg;
	time_t now = time(NULL);
	(void)fd;
	(void)what;
	if (now >= w->deadline) {
		watch_end(w);
		return;
	}
	if (w->bookmarks && now >= w->next_bookmark) {
		w->busy++;
		send_bookmark(w, 0);
		w->busy--;
		w->next_bookmark = now + BOOKMARK_INTERVAL;
		if (w->dead) {
			watcher_release(w);
			return;
		}
	}
	time_t next = w->deadline;
	if (w->bookmarks && w->next_bookmark < next)
		next = w->next_bookmark;
	struct timeval tv = {next > now ? next - now : 0, 0};
	event_add(w->timer, &tv);
}

static void serve_watch(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res)
{
	char prefix[KEY_MAX];
	const char *rvq = http_query(r, "resourceVersion");
	const char *to = http_query(r, "timeoutSeconds");
	int64_t from = 0;
	long timeout = WATCH_DEFAULT_TIMEOUT;
	int initial_list, send_initial = query_true(r, "sendInitialEvents");
	struct watcher *w = NULL;
	struct filter f;

	if (parse_rv(rvq, &from) != 0) {
		reply_bad_request(r, "invalid resource version \"%s\"", rvq);
		return;
	}
	if (to && *to) {
		char *end;
		long v = strtol(to, &end, 10);
		if (*end || v < 0) {
			reply_bad_request(r, "invalid timeoutSeconds \"%s\"", to);
			return;
		}
		if (v > 0)
			timeout = v > WATCH_MAX_TIMEOUT ? WATCH_MAX_TIMEOUT : v;
	}
	if (filter_parse(r, res, &f))
		return;
	/* A watch on a named object (GET .../pods/web?watch=1) selects it by name. */
	if (a->name[0] && strcmp(a->verb, "get") == 0) {
		char sel[600], err[256];
		const char *fs = http_query(r, "fieldSelector");
		snprintf(sel, sizeof(sel), "metadata.name=%s%s%s", a->name, fs && *fs ? "," : "",
			 fs && *fs ? fs : "");
		selector_free(f.fields);
		f.fields = NULL;
		if (selector_parse_fields(sel, res->group, res->kind, &f.fields, err, sizeof(err))) {
			filter_free(&f);
			reply_bad_request(r, "%s", err);
			return;
		}
	}
	initial_list = from == 0 || send_initial;
	registry_key(cl, res, res->namespaced ? a->namespace_ : NULL, NULL, prefix, sizeof(prefix));
	w = calloc(1, sizeof(*w));
	if (!w || !*prefix || !(w->buf = evbuffer_new())) {
		filter_free(&f);
		if (w)
			free(w);
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}
	w->cl = cl;
	w->res = res;
	w->f = f;
	w->filtered = !filter_empty(&f);
	w->exact = initial_list;
	w->bookmarks = query_true(r, "allowWatchBookmarks");
	output_of(r, &w->out);
	w->req = r->ev;
	w->conn = evhttp_request_get_connection(r->ev);
	w->deadline = time(NULL) + timeout;
	w->next_bookmark = time(NULL) + BOOKMARK_INTERVAL;
	w->timer = event_new(cl->kube->base, -1, 0, on_timer, w);
	if (w->filtered)
		w->known = hmap_new(64);
	if (!w->timer || (w->filtered && !w->known) || !w->conn) {
		hmap_free(w->known);
		if (w->timer)
			event_free(w->timer);
		evbuffer_free(w->buf);
		filter_free(&w->f);
		free(w);
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}
	w->next = watchers;
	if (watchers)
		watchers->pprev = &w->next;
	w->pprev = &watchers;
	watchers = w;
	n_watchers++;

	/* The stream starts now; from here on errors are ERROR events. */
	http_add_header(r, "Content-Type", "application/json");
	evhttp_send_reply_start(r->ev, 200, "OK");
	r->replied = 1;
	if (timeout + 60 > 1800)
		evhttp_connection_set_timeout(w->conn, (int)(timeout + 60));
	http_conn_set_closecb(w->conn, on_close, w);

	w->busy++;
	int64_t start_rev = from;
	if (initial_list) {
		struct store_kv *kvs = NULL;
		size_t n = 0;
		if (store_range(cl->kube->store, prefix, 0, &kvs, &n, &start_rev) != 0) {
			send_status_event(w, "ERROR", 500, "InternalError", "the objects could not be read");
			watch_end(w);
			goto done;
		}
		if (from > start_rev)
			start_rev = from;
		w->initial = 1;
		for (size_t i = 0; i < n && !w->dead; i++) {
			json_t *o = load(kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
			if (!o)
				continue;
			if (!w->filtered || filter_match(&w->f, o)) {
				if (w->filtered && hmap_put(w->known, kvs[i].key, (void *)1) != 0) {
					json_decref(o);
					watch_end(w);
					break;
				}
				send_event(w, T_ADDED, o, 0);
			}
			json_decref(o);
		}
		store_kvs_free(kvs, n);
		w->initial = 0;
		w->last_rev = start_rev;
		if (send_initial && w->bookmarks && !w->dead)
			send_bookmark(w, 1);
	} else {
		w->last_rev = from;
	}
	if (w->dead)
		goto done;
	int rc = store_watch(cl->kube->store, prefix, start_rev, on_event, w, &w->sw);
	if (rc == -ERANGE) {
		char msg[128];
		snprintf(msg, sizeof(msg), "too old resource version: %lld (%lld)", (long long)from,
			 (long long)store_compacted_revision(cl->kube->store));
		send_status_event(w, "ERROR", 410, "Expired", msg);
		watch_end(w);
		goto done;
	}
	if (rc) {
		if (!w->dead) {
			send_status_event(w, "ERROR", 500, "InternalError", "the watch could not start");
			watch_end(w);
		}
		goto done;
	}
	if (!w->dead) {
		time_t now = time(NULL);
		time_t next = w->deadline;
		if (w->bookmarks && w->next_bookmark < next)
			next = w->next_bookmark;
		struct timeval tv = {next > now ? next - now : 0, 0};
		event_add(w->timer, &tv);
	}
done:
	w->busy--;
	if (w->dead)
		watcher_release(w);
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
		reply_bad_request(r, "%s", msg);
	else if (rc == -EPERM)
		reply_named(r, a, 403, "Forbidden", mstr(obj, "name"), "%s", msg);
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

/* applied: the object a server-side apply made (apply.c), created as it is */
static void create_with(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const struct kube_user *u, json_t *applied)
{
	char key[KEY_MAX], msg[1024], gen[300];
	json_t *body = NULL, *obj = NULL, *errs = NULL;
	const struct kind_info *ki = kind_of(res);
	enum schema_mode mode;
	int rc, dups = 0;

	if (applied ? schema_mode_parse(http_query(r, "fieldValidation"), &mode)
		    : schema_mode(r, "CreateOptions", &mode))
		return;
	body = applied ? json_incref(applied) : parse_body(r, &dups);
	if (!body)
		return;
	if (check_kind(r, res, body))
		goto out;
	if (check_types(body, res, msg, sizeof(msg))) {
		reply_bad_request(r, "%s", msg);
		goto out;
	}
	rc = schema_check_body(r, res, body, dups, mode);
	if (rc == -ENOMEM)
		goto oom;
	if (rc)
		goto out;
	json_t *m = meta_of(body);
	if (!m)
		goto oom;
	const char *bns = mstr(body, "namespace");
	if (res->namespaced) {
		if (*bns && strcmp(bns, a->namespace_) != 0) {
			reply_bad_request(r, "the namespace of the provided object does not match the "
					     "namespace sent on the request");
			goto out;
		}
		json_object_set_new(m, "namespace", json_string(a->namespace_));
	} else {
		json_object_del(m, "namespace");
	}
	/* the resource's own object name, not a selector-derived one */
	const char *name = mstr(body, "name");
	const char *gname = mstr(body, "generateName");
	errs = json_array();
	if (!errs)
		goto oom;
	if (!*name && !*gname) {
		field_err(errs, "metadata.name", "FieldValueRequired",
			  "Required value: name or generateName is required");
		reply_invalid(r, res, "", errs);
		goto out;
	}
	if (res->namespaced && !namespace_exists(cl, a->namespace_)) {
		const struct kube_resource *nres = ns_resource();
		struct kube_attrs na = *a;
		snprintf(na.resource, sizeof(na.resource), "namespaces");
		na.group[0] = '\0';
		if (nres)
			reply_not_found(r, &na, nres, a->namespace_);
		else
			reply_named(r, &na, 404, "NotFound", a->namespace_,
				    "namespaces \"%s\" not found", a->namespace_);
		goto out;
	}
	if (node_guard(cl, r, a, u, body, NULL))
		goto out;
	for (int attempt = 0; attempt < 8; attempt++) {
		json_decref(obj);
		obj = json_deep_copy(body);
		if (!obj)
			goto oom;
		m = meta_of(obj);
		if (!m)
			goto oom;
		if (!*name) {
			if (generate_name(gname, gen, sizeof(gen)) != 0)
				goto oom;
			json_object_set_new(m, "name", json_string(gen));
		}
		const char *nm = mstr(obj, "name");
		json_array_clear(errs);
		validate_name(ki->name, nm, "metadata.name", errs);
		if (!json_array_size(errs)) {
			validate_meta(obj, errs);
			validate_kind(res, obj, NULL, errs);
		}
		if (json_array_size(errs)) {
			reply_invalid(r, res, nm, errs);
			goto out;
		}
		if (fill_create_meta(res, obj) || apply_defaults(res, obj, 1))
			goto oom;
		if (is_core(res, "pods"))
			pod_defaults(obj, 1);
		json_t *norm = normalize(obj, res);
		if (!norm)
			goto oom;
		json_decref(obj);
		obj = norm;
		registry_key(cl, res, a->namespace_, nm, key, sizeof(key));
		if (!*key) {
			field_err(errs, "metadata.name", "FieldValueTooLong",
				  "Too long: must have at most %d bytes", 253);
			reply_invalid(r, res, nm, errs);
			goto out;
		}
		if (!applied && apply_track(r, a, res, ki->status, NULL, obj))
			goto oom;
		if (rbac_guard(cl, r, a, res, u, obj))
			goto out;
		if (dry_run(r)) {
			struct store_kv kv;
			if (store_get(cl->kube->store, key, &kv) == 0) {
				store_kv_free(&kv);
				rc = -EEXIST;
			} else {
				rc = 0;
			}
		} else {
			rc = write_obj(cl, res, key, obj, STORE_ABSENT, NULL);
		}
		if (rc == -EEXIST && !*name)
			continue; /* a generated name that was taken: draw again */
		if (rc == -EEXIST) {
			char q[200];
			qualified(res, q, sizeof(q));
			reply_named(r, a, 409, "AlreadyExists", nm, "%s \"%s\" already exists", q, nm);
			goto out;
		}
		if (rc) {
			reply_store_error(r, a, rc);
			goto out;
		}
		if (!dry_run(r) && is_core(res, "namespaces"))
			default_service_account(cl, nm);
		reply_json(r, 201, obj);
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
	const struct kind_info *ki = kind_of(res);
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
	json_t *m = meta_of(obj);
	json_t *om = json_object_get(old, "metadata");
	if (!m)
		goto oom;
	static const char *const keep[] = {"uid", "creationTimestamp", "deletionTimestamp",
					   "deletionGracePeriodSeconds", "generation", NULL};
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
	if (is_core(res, "namespaces")) {
		/* spec.finalizers change through the finalize subresource only */
		json_t *ospec = json_object_get(old, "spec");
		if (ospec)
			json_object_set(obj, "spec", ospec);
	}
	if (apply_defaults(res, obj, 0))
		goto oom;
	errs = json_array();
	if (!errs)
		goto oom;
	validate_meta(obj, errs);
	validate_kind(res, obj, old, errs);
	if (json_array_size(errs)) {
		reply_invalid(r, res, mstr(obj, "name"), errs);
		json_decref(errs);
		json_decref(obj);
		return NULL;
	}
	json_decref(errs);
	if (ki->generation && !json_equal(json_object_get(old, "spec"), json_object_get(obj, "spec"))) {
		json_t *g = json_object_get(om, "generation");
		json_object_set_new(m, "generation",
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
	json_t *m = meta_of(obj);
	const char *name = mstr(obj, "name");
	const char *ns = mstr(obj, "namespace");
	if (!m)
		return -ENOMEM;
	if (*name && strcmp(name, a->name) != 0) {
		reply_bad_request(r, "the name of the object (%s) does not match the name on the URL (%s)",
				  name, a->name);
		return -EINVAL;
	}
	if (res->namespaced && *ns && strcmp(ns, a->namespace_) != 0) {
		reply_bad_request(r, "the namespace of the provided object does not match the "
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
		int rc = dry_run(r) ? 0 : write_obj(cl, res, key, *obj, cur, NULL);
		if (rc == -ECANCELED || rc == -ENOENT) {
			if (!conflict_on_race)
				return 0;
			reply_conflict(r, a, res, a->name);
			return 1;
		}
		if (rc) {
			reply_store_error(r, a, rc);
			return 1;
		}
		if (dry_run(r))
			set_rv(*obj, cur);
	}
	reply_json(r, 200, *obj);
	*obj = NULL;
	return 1;
}

static void serve_update(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			 const struct kube_resource *res, const struct kube_user *u)
{
	char key[KEY_MAX], msg[1024];
	json_t *body = NULL, *old = NULL, *obj = NULL;
	int64_t cur = 0, want = 0;
	enum schema_mode mode;
	int rc, dups;

	if (schema_mode(r, "UpdateOptions", &mode))
		return;
	body = parse_body(r, &dups);
	if (!body)
		return;
	if (check_kind(r, res, body))
		goto out;
	if (check_types(body, res, msg, sizeof(msg))) {
		reply_bad_request(r, "%s", msg);
		goto out;
	}
	rc = schema_check_body(r, res, body, dups, mode);
	if (rc == -ENOMEM)
		goto oom;
	if (rc)
		goto out;
	if (check_identity(r, a, res, body))
		goto out;
	const char *rvs = mstr(body, "resourceVersion");
	if (parse_rv(rvs, &want) != 0) {
		reply_bad_request(r, "invalid resourceVersion \"%s\"", rvs);
		goto out;
	}
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
		json_decref(old);
		json_decref(obj);
		old = obj = NULL;
		rc = fetch(cl, key, &old, &cur);
		if (rc == -ENOENT) {
			if (!kind_of(res)->create_on_update || a->subresource[0] || want) {
				reply_not_found(r, a, res, a->name);
				goto out;
			}
			/* PUT creates for kinds that allow it */
			json_t *errs = json_array();
			if (!errs)
				goto oom;
			obj = json_deep_copy(body);
			if (!obj) {
				json_decref(errs);
				goto oom;
			}
			validate_name(kind_of(res)->name, a->name, "metadata.name", errs);
			if (!json_array_size(errs)) {
				validate_meta(obj, errs);
				validate_kind(res, obj, NULL, errs);
			}
			if (json_array_size(errs)) {
				reply_invalid(r, res, a->name, errs);
				json_decref(errs);
				goto out;
			}
			json_decref(errs);
			if (res->namespaced && !namespace_exists(cl, a->namespace_)) {
				struct kube_attrs na = *a;
				snprintf(na.resource, sizeof(na.resource), "namespaces");
				na.group[0] = '\0';
				reply_named(r, &na, 404, "NotFound", a->namespace_,
					    "namespaces \"%s\" not found", a->namespace_);
				goto out;
			}
			if (fill_create_meta(res, obj) || apply_defaults(res, obj, 1))
				goto oom;
			json_t *norm = normalize(obj, res);
			if (!norm)
				goto oom;
			json_decref(obj);
			obj = norm;
			if (apply_track(r, a, res, kind_of(res)->status, NULL, obj))
				goto oom;
			if (rbac_guard(cl, r, a, res, u, obj))
				goto out;
			rc = dry_run(r) ? 0 : write_obj(cl, res, key, obj, STORE_ABSENT, NULL);
			if (rc == -EEXIST)
				continue;
			if (rc) {
				reply_store_error(r, a, rc);
				goto out;
			}
			reply_json(r, 201, obj);
			obj = NULL;
			goto out;
		}
		if (rc) {
			kube_reply_status(r, 500, "InternalError", "the object could not be read", a);
			goto out;
		}
		if (want && want != cur) {
			reply_conflict(r, a, res, a->name);
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
		if (apply_track(r, a, res, kind_of(res)->status, old, obj))
			goto oom;
		/* an unconditional update that raced another write goes again */
		if (node_guard(cl, r, a, u, obj, old) ||
		    commit_update(cl, r, a, res, u, key, &obj, NULL, cur, want != 0))
			goto out;
	}
	reply_conflict(r, a, res, a->name);
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

static void serve_patch(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const struct kube_user *u)
{
	char key[KEY_MAX], err[1024], msg[1024];
	json_t *patch = NULL, *old = NULL, *patched = NULL, *obj = NULL;
	int64_t cur = 0;
	json_error_t je;
	int rc, dups;
	enum patch_type pt = patch_type_of(http_header(r, "Content-Type"));
	enum schema_mode mode;
	enum schema_patch spt = pt == P_JSON ? SCHEMA_PATCH_JSON
			      : pt == P_MERGE || pt == P_APPLY ? SCHEMA_PATCH_MERGE
							       : SCHEMA_PATCH_STRATEGIC;
	const char *type = schema_type_of(res->group, res->version, res->kind);

	if (pt == P_UNKNOWN) { /* installer.go's supportedTypes */
		kube_reply_status(r, 415, "UnsupportedMediaType",
				  "the body of the request was in an unknown format - accepted media "
				  "types include: application/json-patch+json, "
				  "application/merge-patch+json, application/strategic-merge-patch+json, "
				  "application/apply-patch+yaml",
				  NULL);
		return;
	}
	if (apply_options(r, pt == P_APPLY) || schema_mode(r, "PatchOptions", &mode))
		return;
	if (!r->body_len) {
		reply_bad_request(r, "the body of the request was empty");
		return;
	}
	char open;
	if (patch_text_depth((const char *)r->body, r->body_len, &open)) {
		/* kube-apiserver puts "error decoding patch: " before the decoder's words for
		 * JSON and merge patches, nothing for strategic merge patches */
		reply_bad_request(r, "%sinvalid character '%c' exceeded max depth",
				  pt == P_STRATEGIC ? "" : "error decoding patch: ", open);
		return;
	}
	if (pt == P_APPLY) { /* server-side apply (apply.c): YAML or JSON */
		dups = 0;
		if (apply_body(r, &patch) || check_identity(r, a, res, patch))
			goto out;
	} else {
		patch = schema_loadb((const char *)r->body, r->body_len, &dups, &je);
	}
	if (!patch) {
		reply_bad_request(r, "error decoding patch: %s", je.text);
		return;
	}
	if (pt == P_JSON ? !json_is_array(patch) : !json_is_object(patch)) {
		reply_bad_request(r, pt == P_JSON
					     ? "json: cannot unmarshal object into Go value of type "
					       "jsonpatch.Patch"
					     : "json: cannot unmarshal array into Go value of type "
					       "map[string]interface {}");
		goto out;
	}
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
		json_decref(old);
		json_decref(patched);
		json_decref(obj);
		old = patched = obj = NULL;
		rc = fetch(cl, key, &old, &cur);
		if (rc == -ENOENT && pt == P_APPLY) { /* apply creates what is absent */
			if (!apply_patch(r, a, res, kind_of(res)->status, NULL, patch, &patched))
				create_with(cl, r, a, res, u, patched);
			goto out;
		}
		if (rc == -ENOENT) {
			reply_not_found(r, a, res, a->name);
			goto out;
		}
		if (rc) {
			kube_reply_status(r, 500, "InternalError", "the object could not be read", a);
			goto out;
		}
		/* fields stored before they were pruned are not the patch's to answer for */
		if (schema_prune(old, type, NULL))
			goto oom;
		switch (pt) {
		case P_MERGE: rc = patch_merge(old, patch, &patched); break;
		case P_JSON: rc = patch_json(old, patch, &patched, err, sizeof(err)); break;
		case P_APPLY:
			if (apply_patch(r, a, res, kind_of(res)->status, old, patch, &patched))
				goto out; /* replied, or out of memory */
			break;
		default:
			rc = patch_strategic(old, patch, res->group, res->kind, &patched, err,
					     sizeof(err));
			break;
		}
		if (rc == -ENOMEM)
			goto oom;
		if (rc == -E2BIG) { /* errors.NewRequestEntityTooLargeError */
			char big[sizeof(err) + 32];
			snprintf(big, sizeof(big), "Request entity too large: %s", err);
			kube_reply_status(r, 413, "RequestEntityTooLarge", big, NULL);
			goto out;
		}
		if (rc) {
			/* errors.NewGenericServerResponse(422, ...) as upstream: "details": {},
			 * and the patch library's error (err) is not shown */
			struct kube_attrs none;
			memset(&none, 0, sizeof(none));
			if (pt == P_STRATEGIC)
				reply_bad_request(r, "%s", err);
			else
				kube_reply_status(r, 422, "Invalid",
						  "the server rejected our request due to an error in "
						  "our request",
						  &none);
			goto out;
		}
		if (!json_is_object(patched)) {
			reply_bad_request(r, "the patch did not produce an object");
			goto out;
		}
		if (check_kind(r, res, patched))
			goto out;
		if (check_types(patched, res, msg, sizeof(msg))) {
			reply_bad_request(r, "%s", msg);
			goto out;
		}
		rc = schema_check_patch(r, res, patched, patch, spt, dups, mode);
		if (rc == -ENOMEM)
			goto oom;
		if (rc)
			goto out;
		if (check_identity(r, a, res, patched))
			goto out;
		/* a resourceVersion in the result is a precondition (kubectl --resource-version) */
		int64_t want = 0;
		if (parse_rv(mstr(patched, "resourceVersion"), &want) != 0 || (want && want != cur)) {
			reply_conflict(r, a, res, a->name);
			goto out;
		}
		obj = merge_update(r, a, res, old, patched);
		if (!obj) {
			if (!r->replied)
				goto oom;
			goto out;
		}
		if (pt != P_APPLY && apply_track(r, a, res, kind_of(res)->status, old, obj))
			goto oom;
		if (node_guard(cl, r, a, u, obj, old) ||
		    commit_update(cl, r, a, res, u, key, &obj, old, cur, 0))
			goto out;
	}
	reply_conflict(r, a, res, a->name);
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
	if (kind_of(res)->delete_returns) {
		reply_json(r, 200, obj);
		return;
	}
	json_t *d = json_pack("{s:s, s:s, s:s}", "name", mstr(obj, "name"), "kind", res->resource,
			      "uid", mstr(obj, "uid"));
	if (d && res->group[0])
		json_object_set_new(d, "group", json_string(res->group));
	json_decref(obj);
	reply_json(r, 200, d ? json_pack("{s:s, s:s, s:{}, s:s, s:o}", "kind", "Status",
					 "apiVersion", "v1", "metadata", "status", "Success",
					 "details", d)
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
	if (uid && *uid && strcmp(uid, mstr(obj, "uid")) != 0) {
		reply_named(r, a, 409, "Conflict", a->name,
			    "Operation cannot be fulfilled on %s \"%s\": Precondition failed: UID in "
			    "precondition: %s, UID in object meta: %s",
			    q, a->name, uid, mstr(obj, "uid"));
		return -ECANCELED;
	}
	int64_t want = 0;
	if (rv && *rv && (parse_rv(rv, &want) != 0 || want != cur)) {
		reply_named(r, a, 409, "Conflict", a->name,
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
			reply_bad_request(r, "the body of the request was not valid DeleteOptions");
			return;
		}
	}
	const json_t *dr = json_object_get(opts, "dryRun");
	int dry = dry_run(r) || (json_is_array(dr) && json_array_size(dr) &&
				 json_string_value(json_array_get(dr, 0)) &&
				 strcmp(json_string_value(json_array_get(dr, 0)), "All") == 0);
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
		json_decref(obj);
		obj = NULL;
		rc = fetch(cl, key, &obj, &cur);
		if (rc == -ENOENT) {
			reply_not_found(r, a, res, a->name);
			goto out;
		}
		if (rc) {
			kube_reply_status(r, 500, "InternalError", "the object could not be read", a);
			goto out;
		}
		if (check_preconditions(r, a, res, opts, obj, cur) ||
		    node_guard(cl, r, a, u, NULL, obj))
			goto out;
		int is_ns = is_core(res, "namespaces");
		if (is_ns && is_protected_namespace(a->name)) {
			reply_named(r, a, 403, "Forbidden", a->name,
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
			reply_not_found(r, a, res, a->name);
			goto out;
		}
		if (rc) {
			reply_store_error(r, a, rc);
			goto out;
		}
		if (is_ns) {
			delete_namespace_contents(cl, a->name);
			now_rfc3339(ts);
			json_t *m = meta_of(obj);
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
	reply_conflict(r, a, res, a->name);
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
	if (filter_parse(r, res, &f))
		return;
	registry_key(cl, res, res->namespaced ? a->namespace_ : NULL, NULL, prefix, sizeof(prefix));
	if (!*prefix || store_range(cl->kube->store, prefix, 0, &kvs, &n, &rev) != 0) {
		kube_reply_status(r, 500, "InternalError", "the objects could not be read", a);
		goto out;
	}
	items = json_array();
	if (!items)
		goto oom;
	int dry = dry_run(r);
	for (size_t i = 0; i < n; i++) {
		json_t *o = load(kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
		if (!o)
			continue;
		if (!filter_match(&f, o) ||
		    (is_core(res, "namespaces") && is_protected_namespace(mstr(o, "name")))) {
			json_decref(o);
			continue;
		}
		if (!dry && store_delete(cl->kube->store, kvs[i].key, kvs[i].mod_rev, NULL) != 0) {
			json_decref(o);
			continue; /* changed or gone meanwhile: left alone */
		}
		if (!dry && is_core(res, "namespaces"))
			delete_namespace_contents(cl, mstr(o, "name"));
		json_array_append_new(items, o);
	}
	snprintf(kind, sizeof(kind), "%sList", res->kind);
	api_version(res, av, sizeof(av));
	snprintf(rvs, sizeof(rvs), "%lld", (long long)store_revision(cl->kube->store));
	reply_json(r, 200,
		   json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", kind, "apiVersion", av, "metadata",
			     "resourceVersion", rvs, "items", items));
	items = NULL;
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(items);
	store_kvs_free(kvs, n);
	filter_free(&f);
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
	    !(strcmp(sub, "finalize") == 0 && is_core(res, "namespaces"))) {
		kube_reply_not_found(r, a);
		return;
	}
	if (res->namespaced && !a->namespace_[0] && strcmp(v, "list") != 0 &&
	    strcmp(v, "watch") != 0 && strcmp(v, "deletecollection") != 0 && !is_core(res, "namespaces")) {
		/* creating or naming a namespaced object needs its namespace */
		kube_reply_not_found(r, a);
		return;
	}
	if (strcmp(v, "get") == 0) {
		if (query_true(r, "watch"))
			serve_watch(cl, r, a, res);
		else
			serve_get(cl, r, a, res);
	} else if (strcmp(v, "list") == 0) {
		if (query_true(r, "watch"))
			serve_watch(cl, r, a, res);
		else
			serve_list(cl, r, a, res);
	} else if (strcmp(v, "watch") == 0) {
		serve_watch(cl, r, a, res);
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
