/*
 * apiserver.c - the HTTPS front of each cluster's Kubernetes API server: the TLS
 * listener (evhttp over bufferevent_openssl), the request path parser (as Kubernetes'
 * RequestInfoFactory), and the per-request pipeline: body cap -> authenticate ->
 * authorize -> protobuf bodies to JSON -> discovery, reviews, tokens or the registry. Errors are Kubernetes
 * Status objects; one log line per request goes to stderr.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/httpconn.h"
#include "core/jwt.h"
#include "kube/impersonate.h"
#include "kube/crdserve.h"
#include "kube/schema.h"
#include "kube/kube.h"
#include "kube/util.h"

#define KUBE_BODY_CAP (3 * 1024 * 1024) /* kube-apiserver's MaxRequestBodyBytes */
#define KUBE_BODY_HARD_CAP (16 * 1024 * 1024) /* evhttp closes beyond this */
#define MAX_PARTS 16

/* discovery.c (kube.h does not declare it): serves a non-resource URL. Returns 1 when
 * it replied, 0 when the path is none of discovery's. */

struct listener {
	struct kube_cluster *cl;
	struct evhttp *http;
	struct http_guard *guard; /* deadlines and the connection budget (core/httpconn.h) */
	SSL_CTX *ctx;
};

/* --- path parsing --- */

static int copy(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return -EINVAL;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static int copy_str(char *dst, size_t cap, const char *src)
{
	return copy(dst, cap, src, strlen(src));
}

static int is_false(const char *v)
{
	/* Convert_Slice_string_To_bool: any value but "0" or "false" (any case) is true. */
	return strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0;
}

/* metadata.name from a field selector that requires an exact match on it. */
static int selector_name(const char *sel, char *out, size_t cap)
{
	const char *p = sel;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *v = NULL;
		if (len > 15 && strncmp(p, "metadata.name==", 15) == 0)
			v = p + 15;
		else if (len > 14 && strncmp(p, "metadata.name=", 14) == 0)
			v = p + 14;
		if (v) {
			size_t vl = len - (size_t)(v - p);
			while (vl && *v == ' ')
				v++, vl--;
			while (vl && v[vl - 1] == ' ')
				vl--;
			/* IsValidPathSegmentName: not . or .., no / or %. */
			if (!vl || (vl == 1 && v[0] == '.') || (vl == 2 && v[0] == '.' && v[1] == '.'))
				return 0;
			if (memchr(v, '/', vl) || memchr(v, '%', vl))
				return 0;
			return copy(out, cap, v, vl) == 0;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

/* A request path's parts, as splitPath makes them: slashes trimmed at both ends, split on
 * '/'. Parts beyond MAX_PARTS are not kept (nothing deeper is interpreted). */
struct path_parts {
	const char *p[MAX_PARTS];
	size_t len[MAX_PARTS], n;
};

static void split_path(const char *path, struct path_parts *pp)
{
	const char *s = path;
	pp->n = 0;
	while (*s == '/')
		s++;
	size_t total = strlen(s);
	while (total && s[total - 1] == '/')
		total--;
	if (!total)
		return;
	const char *p = s, *end = s + total;
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t len = slash ? (size_t)(slash - p) : (size_t)(end - p);
		if (pp->n == MAX_PARTS)
			break; /* deeper than anything we interpret: keep the parts we need */
		pp->p[pp->n] = p;
		pp->len[pp->n] = len;
		pp->n++;
		if (!slash)
			break;
		p = slash + 1;
	}
}

static int part_is(const struct path_parts *pp, size_t i, const char *word)
{
	size_t n = strlen(word);
	return pp->len[i] == n && strncmp(pp->p[i], word, n) == 0;
}

/* The verb of a request with no special verb part: from its method. */
static const char *method_verb(const char *method)
{
	if (strcmp(method, "POST") == 0)
		return "create";
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return "get";
	if (strcmp(method, "PUT") == 0)
		return "update";
	if (strcmp(method, "PATCH") == 0)
		return "patch";
	if (strcmp(method, "DELETE") == 0)
		return "delete";
	return "";
}

/* The parts from index i on (after the version and any verb part): namespaces/NS, then
 * resource, name and subresource. 0 or -EINVAL. */
static int parse_resource_parts(const struct path_parts *pp, size_t i, int no_sub,
				struct kube_attrs *a)
{
	size_t n = pp->n;
	if (part_is(pp, i, "namespaces") && n - i > 1) {
		if (copy(a->namespace_, sizeof(a->namespace_), pp->p[i + 1], pp->len[i + 1]))
			return -EINVAL;
		/* Another part after the namespace name that is not a namespace
		 * subresource (status, finalize) starts a resource of its own. */
		if (n - i > 2 && !part_is(pp, i + 2, "status") && !part_is(pp, i + 2, "finalize"))
			i += 2;
	}
	size_t np = n - i;
	if (np >= 3 && !no_sub &&
	    copy(a->subresource, sizeof(a->subresource), pp->p[i + 2], pp->len[i + 2]))
		return -EINVAL;
	if (np >= 2 && copy(a->name, sizeof(a->name), pp->p[i + 1], pp->len[i + 1]))
		return -EINVAL;
	if (np >= 1 && copy(a->resource, sizeof(a->resource), pp->p[i], pp->len[i]))
		return -EINVAL;
	return 0;
}

/* A collection's get is list or watch, its delete deletecollection; the field selector
 * is kept for the Node authorizer (attrs.GetFieldSelector()), whole or not at all. */
static void collection_verb(const struct evkeyvalq *query, struct kube_attrs *a)
{
	const char *w = query ? evhttp_find_header(query, "watch") : NULL;
	const char *fs = query ? evhttp_find_header(query, "fieldSelector") : NULL;
	if (!a->name[0] && strcmp(a->verb, "get") == 0) {
		copy_str(a->verb, sizeof(a->verb), w && !is_false(w) ? "watch" : "list");
		if (fs)
			selector_name(fs, a->name, sizeof(a->name));
	}
	if (!a->name[0] && strcmp(a->verb, "delete") == 0)
		copy_str(a->verb, sizeof(a->verb), "deletecollection");
	if (fs && (strcmp(a->verb, "list") == 0 || strcmp(a->verb, "watch") == 0 ||
		   strcmp(a->verb, "deletecollection") == 0) &&
	    copy(a->field_selector, sizeof(a->field_selector), fs, strlen(fs)))
		a->field_selector[0] = '\0';
}

int kube_parse_path(const char *method, const char *path, const struct evkeyvalq *query,
		    struct kube_attrs *a)
{
	struct path_parts pp;
	memset(a, 0, sizeof(*a));
	if (!method || !path || path[0] != '/')
		return -EINVAL;
	if (copy(a->path, sizeof(a->path), path, strlen(path)))
		return -EINVAL;
	/* Non-resource verb: the method in lower case. */
	size_t ml = strlen(method);
	if (ml >= sizeof(a->verb))
		return -EINVAL;
	for (size_t i = 0; i <= ml; i++)
		a->verb[i] = (char)((method[i] >= 'A' && method[i] <= 'Z') ? method[i] + 32 : method[i]);

	split_path(path, &pp);
	size_t n = pp.n, i = 1;
	if (n < 3)
		return 0;
	int groupless = part_is(&pp, 0, "api");
	if (!groupless && !part_is(&pp, 0, "apis"))
		return 0;
	if (!groupless) {
		if (n - i < 3)
			return 0;
		if (copy(a->group, sizeof(a->group), pp.p[i], pp.len[i]))
			return -EINVAL;
		i++;
	}
	/* From here on it is a resource request. */
	for (size_t j = 0; j < n; j++)
		if (pp.len[j] == 0)
			return -EINVAL; /* "//" inside a resource path */
	a->resource_request = 1;
	if (copy(a->version, sizeof(a->version), pp.p[i], pp.len[i]))
		return -EINVAL;
	i++;

	int no_sub = 0; /* "proxy" takes no subresource (specialVerbsNoSubresources) */
	if (part_is(&pp, i, "proxy") || part_is(&pp, i, "watch")) {
		if (n - i < 2)
			return -EINVAL;
		copy(a->verb, sizeof(a->verb), pp.p[i], pp.len[i]);
		no_sub = pp.p[i][0] == 'p';
		i++;
	} else {
		copy_str(a->verb, sizeof(a->verb), method_verb(method));
	}
	if (parse_resource_parts(&pp, i, no_sub, a))
		return -EINVAL;
	collection_verb(query, a);
	return 0;
}

/* --- replies --- */

void kube_reply_status(struct http_req *r, int code, const char *reason, const char *message,
		       const struct kube_attrs *a)
{
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s?, s:s?}", "kind", "Status", "apiVersion",
			       "v1", "metadata", "status", "Failure", "message", message,
			       "reason", reason && *reason ? reason : NULL);
	if (!st && message) {
		/* message held invalid UTF-8 (echoed request bytes): drop it. */
		st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s?}", "kind", "Status", "apiVersion",
			       "v1", "metadata", "status", "Failure", "message",
			       "the request could not be processed", "reason",
			       reason && *reason ? reason : NULL);
	}
	char *body = NULL;
	if (!st)
		goto fail;
	/* As errors.NewForbidden/NewNotFound: details present (maybe empty) when the error
	 * is about a request's target. */
	if (a) {
		json_t *d = json_object();
		if (!d)
			goto fail;
		json_object_set_new(st, "details", d);
		if (a->name[0])
			json_object_set_new(d, "name", json_string(a->name));
		if (a->group[0])
			json_object_set_new(d, "group", json_string(a->group));
		if (a->resource[0])
			json_object_set_new(d, "kind", json_string(a->resource));
	}
	json_object_set_new(st, "code", json_integer(code));
	body = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(st);
	st = NULL;
	if (!body)
		goto fail;
	kube_reply_json_text(r, code, body);
	return;
fail:
	json_decref(st);
	http_reply(r, 500, "text/plain", "internal error\n", 15);
}

/* --- protobuf request bodies ---
 *
 * kubectl 1.32's typed clients (create namespace/configmap/secret/serviceaccount/role/
 * rolebinding/..., create token, auth can-i, auth whoami) send
 * application/vnd.kubernetes.protobuf bodies. They are transcoded to JSON here, at the
 * boundary, for the kinds this server accepts; the handlers see only JSON. Wire
 * format: "k8s\0" then a runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw,
 * 3 contentEncoding, 4 contentType}, raw being the kind's message (k8s.io/api
 * generated.proto field numbers). Unknown fields are skipped; empty scalars are
 * omitted as the JSON encoding's omitempty does. */

enum pb_type {
	PB_STRING,
	PB_BYTES,     /* base64 in JSON */
	PB_INT,       /* int32/int64 varint */
	PB_BOOL,
	PB_MSG,
	PB_MAP_STR,   /* map<string,string> */
	PB_MAP_BYTES, /* map<string,bytes> (base64 values) */
	PB_TIME,      /* metav1.Time {1 seconds, 2 nanos} -> RFC 3339 */
	PB_INTORSTR,  /* intstr.IntOrString {1 type, 2 intVal, 3 strVal} */
	PB_QUANTITY,  /* resource.Quantity {1 string} -> its string */
	PB_MAP_QTY,   /* map<string,Quantity> (ResourceList) */
	PB_INLINE,    /* an embedded message whose fields JSON inlines (`json:",inline"`) */
};
#define PB_REPEATED 1
#define PB_KEEP 2 /* a pointer field: emitted even when zero */

struct pb_msg;
struct pb_field {
	unsigned num;
	const char *name;
	enum pb_type type;
	unsigned flags;
	const struct pb_msg *msg;
};
struct pb_msg {
	const struct pb_field *f;
	size_t n;
};
#define PB_MESSAGE(id, ...)                                                        \
	static const struct pb_field id##_fields[] = {__VA_ARGS__};                \
	static const struct pb_msg id = {id##_fields,                              \
					 sizeof(id##_fields) / sizeof(id##_fields[0])}

PB_MESSAGE(pb_owner_ref, {1, "kind", PB_STRING, 0, NULL}, {3, "name", PB_STRING, 0, NULL},
	   {4, "uid", PB_STRING, 0, NULL}, {5, "apiVersion", PB_STRING, 0, NULL},
	   {6, "controller", PB_BOOL, PB_KEEP, NULL},
	   {7, "blockOwnerDeletion", PB_BOOL, PB_KEEP, NULL});
PB_MESSAGE(pb_object_meta, {1, "name", PB_STRING, 0, NULL},
	   {2, "generateName", PB_STRING, 0, NULL}, {3, "namespace", PB_STRING, 0, NULL},
	   {5, "uid", PB_STRING, 0, NULL}, {6, "resourceVersion", PB_STRING, 0, NULL},
	   {7, "generation", PB_INT, 0, NULL}, {8, "creationTimestamp", PB_TIME, 0, NULL},
	   {9, "deletionTimestamp", PB_TIME, 0, NULL},
	   {10, "deletionGracePeriodSeconds", PB_INT, PB_KEEP, NULL},
	   {11, "labels", PB_MAP_STR, 0, NULL}, {12, "annotations", PB_MAP_STR, 0, NULL},
	   {13, "ownerReferences", PB_MSG, PB_REPEATED, &pb_owner_ref},
	   {14, "finalizers", PB_STRING, PB_REPEATED, NULL});
PB_MESSAGE(pb_selector_req, {1, "key", PB_STRING, 0, NULL}, {2, "operator", PB_STRING, 0, NULL},
	   {3, "values", PB_STRING, PB_REPEATED, NULL});
PB_MESSAGE(pb_label_selector, {1, "matchLabels", PB_MAP_STR, 0, NULL},
	   {2, "matchExpressions", PB_MSG, PB_REPEATED, &pb_selector_req});
PB_MESSAGE(pb_status_only, {1, "phase", PB_STRING, 0, NULL});
PB_MESSAGE(pb_ns_spec, {1, "finalizers", PB_STRING, PB_REPEATED, NULL});
PB_MESSAGE(pb_namespace, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_ns_spec}, {3, "status", PB_MSG, 0, &pb_status_only});
PB_MESSAGE(pb_configmap, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "data", PB_MAP_STR, 0, NULL}, {3, "binaryData", PB_MAP_BYTES, 0, NULL},
	   {4, "immutable", PB_BOOL, PB_KEEP, NULL});
PB_MESSAGE(pb_secret, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "data", PB_MAP_BYTES, 0, NULL}, {3, "type", PB_STRING, 0, NULL},
	   {4, "stringData", PB_MAP_STR, 0, NULL}, {5, "immutable", PB_BOOL, PB_KEEP, NULL});
PB_MESSAGE(pb_object_ref, {1, "kind", PB_STRING, 0, NULL}, {2, "namespace", PB_STRING, 0, NULL},
	   {3, "name", PB_STRING, 0, NULL}, {4, "uid", PB_STRING, 0, NULL},
	   {5, "apiVersion", PB_STRING, 0, NULL}, {6, "resourceVersion", PB_STRING, 0, NULL},
	   {7, "fieldPath", PB_STRING, 0, NULL});
PB_MESSAGE(pb_local_ref, {1, "name", PB_STRING, 0, NULL});
PB_MESSAGE(pb_serviceaccount, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "secrets", PB_MSG, PB_REPEATED, &pb_object_ref},
	   {3, "imagePullSecrets", PB_MSG, PB_REPEATED, &pb_local_ref},
	   {4, "automountServiceAccountToken", PB_BOOL, PB_KEEP, NULL});
PB_MESSAGE(pb_service_port, {1, "name", PB_STRING, 0, NULL}, {2, "protocol", PB_STRING, 0, NULL},
	   {3, "port", PB_INT, 0, NULL}, {4, "targetPort", PB_INTORSTR, 0, NULL},
	   {5, "nodePort", PB_INT, 0, NULL}, {6, "appProtocol", PB_STRING, 0, NULL});
PB_MESSAGE(pb_service_spec, {1, "ports", PB_MSG, PB_REPEATED, &pb_service_port},
	   {2, "selector", PB_MAP_STR, 0, NULL}, {3, "clusterIP", PB_STRING, 0, NULL},
	   {4, "type", PB_STRING, 0, NULL}, {5, "externalIPs", PB_STRING, PB_REPEATED, NULL},
	   {7, "sessionAffinity", PB_STRING, 0, NULL},
	   {10, "externalName", PB_STRING, 0, NULL},
	   {18, "clusterIPs", PB_STRING, PB_REPEATED, NULL});
PB_MESSAGE(pb_service, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_service_spec});
PB_MESSAGE(pb_policy_rule, {1, "verbs", PB_STRING, PB_REPEATED, NULL},
	   {2, "apiGroups", PB_STRING, PB_REPEATED, NULL},
	   {3, "resources", PB_STRING, PB_REPEATED, NULL},
	   {4, "resourceNames", PB_STRING, PB_REPEATED, NULL},
	   {5, "nonResourceURLs", PB_STRING, PB_REPEATED, NULL});
PB_MESSAGE(pb_aggregation_rule, {1, "clusterRoleSelectors", PB_MSG, PB_REPEATED, &pb_label_selector});
PB_MESSAGE(pb_role, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "rules", PB_MSG, PB_REPEATED, &pb_policy_rule},
	   {3, "aggregationRule", PB_MSG, 0, &pb_aggregation_rule});
PB_MESSAGE(pb_subject, {1, "kind", PB_STRING, 0, NULL}, {2, "apiGroup", PB_STRING, 0, NULL},
	   {3, "name", PB_STRING, 0, NULL}, {4, "namespace", PB_STRING, 0, NULL});
PB_MESSAGE(pb_role_ref, {1, "apiGroup", PB_STRING, 0, NULL}, {2, "kind", PB_STRING, 0, NULL},
	   {3, "name", PB_STRING, 0, NULL});
PB_MESSAGE(pb_binding, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "subjects", PB_MSG, PB_REPEATED, &pb_subject},
	   {3, "roleRef", PB_MSG, 0, &pb_role_ref});
PB_MESSAGE(pb_selector_attrs, {1, "rawSelector", PB_STRING, 0, NULL},
	   {2, "requirements", PB_MSG, PB_REPEATED, &pb_selector_req});
PB_MESSAGE(pb_resource_attrs, {1, "namespace", PB_STRING, 0, NULL},
	   {2, "verb", PB_STRING, 0, NULL}, {3, "group", PB_STRING, 0, NULL},
	   {4, "version", PB_STRING, 0, NULL}, {5, "resource", PB_STRING, 0, NULL},
	   {6, "subresource", PB_STRING, 0, NULL}, {7, "name", PB_STRING, 0, NULL},
	   {8, "fieldSelector", PB_MSG, 0, &pb_selector_attrs},
	   {9, "labelSelector", PB_MSG, 0, &pb_selector_attrs});
PB_MESSAGE(pb_nonresource_attrs, {1, "path", PB_STRING, 0, NULL},
	   {2, "verb", PB_STRING, 0, NULL});
PB_MESSAGE(pb_sar_spec, {1, "resourceAttributes", PB_MSG, 0, &pb_resource_attrs},
	   {2, "nonResourceAttributes", PB_MSG, 0, &pb_nonresource_attrs},
	   {3, "user", PB_STRING, 0, NULL}, {4, "groups", PB_STRING, PB_REPEATED, NULL},
	   {6, "uid", PB_STRING, 0, NULL});
PB_MESSAGE(pb_sar, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_sar_spec});
PB_MESSAGE(pb_ssrr_spec, {1, "namespace", PB_STRING, 0, NULL});
PB_MESSAGE(pb_ssrr, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_ssrr_spec});
PB_MESSAGE(pb_bound_ref, {1, "kind", PB_STRING, 0, NULL}, {2, "apiVersion", PB_STRING, 0, NULL},
	   {3, "name", PB_STRING, 0, NULL}, {4, "uid", PB_STRING, 0, NULL});
PB_MESSAGE(pb_token_request_spec, {1, "audiences", PB_STRING, PB_REPEATED, NULL},
	   {3, "boundObjectRef", PB_MSG, 0, &pb_bound_ref},
	   {4, "expirationSeconds", PB_INT, PB_KEEP, NULL});
PB_MESSAGE(pb_token_request, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_token_request_spec});
PB_MESSAGE(pb_token_review_spec, {1, "token", PB_STRING, 0, NULL},
	   {2, "audiences", PB_STRING, PB_REPEATED, NULL});
PB_MESSAGE(pb_token_review, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_token_review_spec});
PB_MESSAGE(pb_meta_only, {1, "metadata", PB_MSG, 0, &pb_object_meta});
PB_MESSAGE(pb_preconditions, {1, "uid", PB_STRING, 0, NULL},
	   {2, "resourceVersion", PB_STRING, 0, NULL});
PB_MESSAGE(pb_delete_options, {1, "gracePeriodSeconds", PB_INT, PB_KEEP, NULL},
	   {2, "preconditions", PB_MSG, 0, &pb_preconditions},
	   {3, "orphanDependents", PB_BOOL, PB_KEEP, NULL},
	   {4, "propagationPolicy", PB_STRING, 0, NULL},
	   {5, "dryRun", PB_STRING, PB_REPEATED, NULL});
/* apps/v1 Deployment as `kubectl create deployment` sends it (k8s.io/api apps/v1 and
 * core/v1 generated.proto): the fields it sets and the ones people add. */
PB_MESSAGE(pb_container_port, {1, "name", PB_STRING, 0, NULL}, {2, "hostPort", PB_INT, 0, NULL},
	   {3, "containerPort", PB_INT, 0, NULL}, {4, "protocol", PB_STRING, 0, NULL},
	   {5, "hostIP", PB_STRING, 0, NULL});
PB_MESSAGE(pb_env_var, {1, "name", PB_STRING, 0, NULL}, {2, "value", PB_STRING, 0, NULL});
PB_MESSAGE(pb_container, {1, "name", PB_STRING, 0, NULL}, {2, "image", PB_STRING, 0, NULL},
	   {3, "command", PB_STRING, PB_REPEATED, NULL}, {4, "args", PB_STRING, PB_REPEATED, NULL},
	   {5, "workingDir", PB_STRING, 0, NULL},
	   {6, "ports", PB_MSG, PB_REPEATED, &pb_container_port},
	   {7, "env", PB_MSG, PB_REPEATED, &pb_env_var},
	   {13, "terminationMessagePath", PB_STRING, 0, NULL},
	   {14, "imagePullPolicy", PB_STRING, 0, NULL},
	   {20, "terminationMessagePolicy", PB_STRING, 0, NULL});
PB_MESSAGE(pb_pod_spec, {2, "containers", PB_MSG, PB_REPEATED, &pb_container},
	   {3, "restartPolicy", PB_STRING, 0, NULL},
	   {4, "terminationGracePeriodSeconds", PB_INT, PB_KEEP, NULL},
	   {6, "dnsPolicy", PB_STRING, 0, NULL}, {7, "nodeSelector", PB_MAP_STR, 0, NULL},
	   {8, "serviceAccountName", PB_STRING, 0, NULL}, {19, "schedulerName", PB_STRING, 0, NULL},
	   {20, "initContainers", PB_MSG, PB_REPEATED, &pb_container});
PB_MESSAGE(pb_pod_template, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_pod_spec});
PB_MESSAGE(pb_rolling_deployment, {1, "maxUnavailable", PB_INTORSTR, 0, NULL},
	   {2, "maxSurge", PB_INTORSTR, 0, NULL});
PB_MESSAGE(pb_deployment_strategy, {1, "type", PB_STRING, 0, NULL},
	   {2, "rollingUpdate", PB_MSG, 0, &pb_rolling_deployment});
PB_MESSAGE(pb_deployment_spec, {1, "replicas", PB_INT, PB_KEEP, NULL},
	   {2, "selector", PB_MSG, 0, &pb_label_selector},
	   {3, "template", PB_MSG, 0, &pb_pod_template},
	   {4, "strategy", PB_MSG, 0, &pb_deployment_strategy},
	   {5, "minReadySeconds", PB_INT, 0, NULL},
	   {6, "revisionHistoryLimit", PB_INT, PB_KEEP, NULL}, {7, "paused", PB_BOOL, 0, NULL},
	   {9, "progressDeadlineSeconds", PB_INT, PB_KEEP, NULL});
PB_MESSAGE(pb_deployment, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_deployment_spec});
/* batch/v1 Job and CronJob as `kubectl create job` and `kubectl create cronjob` send
 * them (k8s.io/api batch/v1 generated.proto). */
PB_MESSAGE(pb_job_spec, {1, "parallelism", PB_INT, PB_KEEP, NULL},
	   {2, "completions", PB_INT, PB_KEEP, NULL},
	   {3, "activeDeadlineSeconds", PB_INT, PB_KEEP, NULL},
	   {4, "selector", PB_MSG, 0, &pb_label_selector},
	   {5, "manualSelector", PB_BOOL, PB_KEEP, NULL},
	   {6, "template", PB_MSG, 0, &pb_pod_template},
	   {7, "backoffLimit", PB_INT, PB_KEEP, NULL},
	   {8, "ttlSecondsAfterFinished", PB_INT, PB_KEEP, NULL},
	   {9, "completionMode", PB_STRING, 0, NULL}, {10, "suspend", PB_BOOL, PB_KEEP, NULL});
PB_MESSAGE(pb_job, {1, "metadata", PB_MSG, 0, &pb_object_meta}, {2, "spec", PB_MSG, 0, &pb_job_spec});
PB_MESSAGE(pb_job_template, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_job_spec});
PB_MESSAGE(pb_cronjob_spec, {1, "schedule", PB_STRING, 0, NULL},
	   {2, "startingDeadlineSeconds", PB_INT, PB_KEEP, NULL},
	   {3, "concurrencyPolicy", PB_STRING, 0, NULL}, {4, "suspend", PB_BOOL, PB_KEEP, NULL},
	   {5, "jobTemplate", PB_MSG, 0, &pb_job_template},
	   {6, "successfulJobsHistoryLimit", PB_INT, PB_KEEP, NULL},
	   {7, "failedJobsHistoryLimit", PB_INT, PB_KEEP, NULL},
	   {8, "timeZone", PB_STRING, 0, NULL});
PB_MESSAGE(pb_cronjob, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_cronjob_spec});
/* autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscaler as `kubectl autoscale`
 * sends them (k8s.io/api autoscaling/v2 and v1 generated.proto); kubectl 1.33 tries
 * v2, then v1. */
PB_MESSAGE(pb_cross_ref, {1, "kind", PB_STRING, 0, NULL}, {2, "name", PB_STRING, 0, NULL},
	   {3, "apiVersion", PB_STRING, 0, NULL});
PB_MESSAGE(pb_metric_target, {1, "type", PB_STRING, 0, NULL},
	   {2, "value", PB_QUANTITY, 0, NULL}, {3, "averageValue", PB_QUANTITY, 0, NULL},
	   {4, "averageUtilization", PB_INT, PB_KEEP, NULL});
PB_MESSAGE(pb_metric_id, {1, "name", PB_STRING, 0, NULL},
	   {2, "selector", PB_MSG, 0, &pb_label_selector});
PB_MESSAGE(pb_resource_metric, {1, "name", PB_STRING, 0, NULL},
	   {2, "target", PB_MSG, 0, &pb_metric_target}, {3, "container", PB_STRING, 0, NULL});
PB_MESSAGE(pb_object_metric, {1, "describedObject", PB_MSG, 0, &pb_cross_ref},
	   {2, "target", PB_MSG, 0, &pb_metric_target}, {3, "metric", PB_MSG, 0, &pb_metric_id});
/* PodsMetricSource and ExternalMetricSource: {1 metric, 2 target} */
PB_MESSAGE(pb_pods_metric, {1, "metric", PB_MSG, 0, &pb_metric_id},
	   {2, "target", PB_MSG, 0, &pb_metric_target});
PB_MESSAGE(pb_metric_spec, {1, "type", PB_STRING, 0, NULL},
	   {2, "object", PB_MSG, 0, &pb_object_metric}, {3, "pods", PB_MSG, 0, &pb_pods_metric},
	   {4, "resource", PB_MSG, 0, &pb_resource_metric},
	   {5, "external", PB_MSG, 0, &pb_pods_metric},
	   {7, "containerResource", PB_MSG, 0, &pb_resource_metric});
PB_MESSAGE(pb_scaling_policy, {1, "type", PB_STRING, 0, NULL}, {2, "value", PB_INT, 0, NULL},
	   {3, "periodSeconds", PB_INT, 0, NULL});
PB_MESSAGE(pb_scaling_rules, {3, "stabilizationWindowSeconds", PB_INT, PB_KEEP, NULL},
	   {1, "selectPolicy", PB_STRING, 0, NULL},
	   {2, "policies", PB_MSG, PB_REPEATED, &pb_scaling_policy});
PB_MESSAGE(pb_hpa_behavior, {1, "scaleUp", PB_MSG, 0, &pb_scaling_rules},
	   {2, "scaleDown", PB_MSG, 0, &pb_scaling_rules});
PB_MESSAGE(pb_hpa_spec_v2, {1, "scaleTargetRef", PB_MSG, 0, &pb_cross_ref},
	   {2, "minReplicas", PB_INT, PB_KEEP, NULL}, {3, "maxReplicas", PB_INT, PB_KEEP, NULL},
	   {4, "metrics", PB_MSG, PB_REPEATED, &pb_metric_spec},
	   {5, "behavior", PB_MSG, 0, &pb_hpa_behavior});
PB_MESSAGE(pb_hpa_v2, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_hpa_spec_v2});
PB_MESSAGE(pb_hpa_spec_v1, {1, "scaleTargetRef", PB_MSG, 0, &pb_cross_ref},
	   {2, "minReplicas", PB_INT, PB_KEEP, NULL}, {3, "maxReplicas", PB_INT, PB_KEEP, NULL},
	   {4, "targetCPUUtilizationPercentage", PB_INT, PB_KEEP, NULL});
PB_MESSAGE(pb_hpa_v1, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_hpa_spec_v1});
/* What kubectl 1.33's create quota, priorityclass, poddisruptionbudget and ingress send
 * (k8s.io/api core/v1, scheduling/v1, policy/v1 and networking/v1 generated.proto). */
PB_MESSAGE(pb_quota_spec, {1, "hard", PB_MAP_QTY, 0, NULL},
	   {2, "scopes", PB_STRING, PB_REPEATED, NULL});
PB_MESSAGE(pb_quota, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_quota_spec});
PB_MESSAGE(pb_priority_class, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "value", PB_INT, PB_KEEP, NULL}, {3, "globalDefault", PB_BOOL, 0, NULL},
	   {4, "description", PB_STRING, 0, NULL}, {5, "preemptionPolicy", PB_STRING, 0, NULL});
PB_MESSAGE(pb_pdb_spec, {1, "minAvailable", PB_INTORSTR, 0, NULL},
	   {2, "selector", PB_MSG, 0, &pb_label_selector},
	   {3, "maxUnavailable", PB_INTORSTR, 0, NULL},
	   {4, "unhealthyPodEvictionPolicy", PB_STRING, 0, NULL});
PB_MESSAGE(pb_pdb, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_pdb_spec});
PB_MESSAGE(pb_backend_port, {1, "name", PB_STRING, 0, NULL}, {2, "number", PB_INT, 0, NULL});
PB_MESSAGE(pb_service_backend, {1, "name", PB_STRING, 0, NULL},
	   {2, "port", PB_MSG, 0, &pb_backend_port});
PB_MESSAGE(pb_ingress_backend, {4, "service", PB_MSG, 0, &pb_service_backend});
PB_MESSAGE(pb_ingress_path, {1, "path", PB_STRING, 0, NULL},
	   {2, "backend", PB_MSG, 0, &pb_ingress_backend}, {3, "pathType", PB_STRING, 0, NULL});
PB_MESSAGE(pb_http_rule, {1, "paths", PB_MSG, PB_REPEATED, &pb_ingress_path});
PB_MESSAGE(pb_rule_value, {1, "http", PB_MSG, 0, &pb_http_rule});
PB_MESSAGE(pb_ingress_rule, {1, "host", PB_STRING, 0, NULL},
	   {2, "ingressRuleValue", PB_INLINE, 0, &pb_rule_value});
PB_MESSAGE(pb_ingress_tls, {1, "hosts", PB_STRING, PB_REPEATED, NULL},
	   {2, "secretName", PB_STRING, 0, NULL});
PB_MESSAGE(pb_ingress_spec, {1, "defaultBackend", PB_MSG, 0, &pb_ingress_backend},
	   {2, "tls", PB_MSG, PB_REPEATED, &pb_ingress_tls},
	   {3, "rules", PB_MSG, PB_REPEATED, &pb_ingress_rule},
	   {4, "ingressClassName", PB_STRING, 0, NULL});
PB_MESSAGE(pb_ingress, {1, "metadata", PB_MSG, 0, &pb_object_meta},
	   {2, "spec", PB_MSG, 0, &pb_ingress_spec});
PB_MESSAGE(pb_unknown_type, {1, "apiVersion", PB_STRING, 0, NULL}, {2, "kind", PB_STRING, 0, NULL});

static const struct {
	const char *api_version, *kind;
	const struct pb_msg *msg;
} pb_kinds[] = {
	{"v1", "Namespace", &pb_namespace},
	{"v1", "ConfigMap", &pb_configmap},
	{"v1", "Secret", &pb_secret},
	{"v1", "ServiceAccount", &pb_serviceaccount},
	{"v1", "Service", &pb_service},
	{"v1", "DeleteOptions", &pb_delete_options},
	{"meta.k8s.io/v1", "DeleteOptions", &pb_delete_options},
	{"rbac.authorization.k8s.io/v1", "Role", &pb_role},
	{"rbac.authorization.k8s.io/v1", "ClusterRole", &pb_role},
	{"rbac.authorization.k8s.io/v1", "RoleBinding", &pb_binding},
	{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", &pb_binding},
	{"authorization.k8s.io/v1", "SelfSubjectAccessReview", &pb_sar},
	{"authorization.k8s.io/v1", "SubjectAccessReview", &pb_sar},
	{"authorization.k8s.io/v1", "LocalSubjectAccessReview", &pb_sar},
	{"authorization.k8s.io/v1", "SelfSubjectRulesReview", &pb_ssrr},
	{"authentication.k8s.io/v1", "TokenRequest", &pb_token_request},
	{"authentication.k8s.io/v1", "TokenReview", &pb_token_review},
	{"authentication.k8s.io/v1", "SelfSubjectReview", &pb_meta_only},
	{"apps/v1", "Deployment", &pb_deployment},
	{"batch/v1", "Job", &pb_job},
	{"batch/v1", "CronJob", &pb_cronjob},
	{"autoscaling/v2", "HorizontalPodAutoscaler", &pb_hpa_v2},
	{"autoscaling/v1", "HorizontalPodAutoscaler", &pb_hpa_v1},
	{"v1", "ResourceQuota", &pb_quota},
	{"scheduling.k8s.io/v1", "PriorityClass", &pb_priority_class},
	{"policy/v1", "PodDisruptionBudget", &pb_pdb},
	{"networking.k8s.io/v1", "Ingress", &pb_ingress},
};

#define PB_MAX_DEPTH 24

struct pb_reader {
	const unsigned char *p, *end;
};

static int pb_varint(struct pb_reader *rd, uint64_t *v)
{
	uint64_t r = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (rd->p >= rd->end)
			return -EINVAL;
		unsigned char c = *rd->p++;
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -EINVAL;
}

/* Reads one field header and, for length-delimited fields, its bytes. */
static int pb_next(struct pb_reader *rd, unsigned *num, unsigned *wire, uint64_t *val,
		   const unsigned char **data, size_t *len)
{
	uint64_t key;
	if (pb_varint(rd, &key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
		return -EINVAL;
	*num = (unsigned)(key >> 3);
	*wire = (unsigned)(key & 7);
	switch (*wire) {
	case 0:
		return pb_varint(rd, val);
	case 1:
		if (rd->end - rd->p < 8)
			return -EINVAL;
		rd->p += 8;
		return 0;
	case 5:
		if (rd->end - rd->p < 4)
			return -EINVAL;
		rd->p += 4;
		return 0;
	case 2: {
		uint64_t l;
		if (pb_varint(rd, &l) || l > (uint64_t)(rd->end - rd->p))
			return -EINVAL;
		*data = rd->p;
		*len = (size_t)l;
		rd->p += l;
		return 0;
	}
	default:
		return -EINVAL; /* groups (3, 4) are not used by Kubernetes */
	}
}

static json_t *pb_decode(const struct pb_msg *m, const unsigned char *p, size_t len, int depth);

static json_t *pb_string(const unsigned char *d, size_t len)
{
	return json_stringn((const char *)d, len); /* NULL for invalid UTF-8 */
}

static json_t *pb_b64(const unsigned char *d, size_t len)
{
	char *s = b64_encode(d, len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

static json_t *pb_time(const unsigned char *d, size_t len)
{
	struct pb_reader rd = {d, d + len};
	int64_t secs = 0;
	while (rd.p < rd.end) {
		unsigned num, wire;
		uint64_t v = 0;
		const unsigned char *x;
		size_t xl;
		if (pb_next(&rd, &num, &wire, &v, &x, &xl))
			return NULL;
		if (num == 1 && wire == 0)
			secs = (int64_t)v;
	}
	if (secs == 0)
		return json_null();
	char buf[CLOCK_RFC3339_LEN];
	clock_rfc3339(secs, buf);
	if (!*buf)
		return NULL;
	return json_string(buf);
}

/* resource.Quantity: its string (field 1), "0" when empty. NULL on a malformed one. */
static json_t *pb_quantity(const unsigned char *d, size_t len)
{
	struct pb_reader rd = {d, d + len};
	json_t *sv = NULL;
	while (rd.p < rd.end) {
		unsigned num, wire;
		uint64_t v = 0;
		const unsigned char *x = NULL;
		size_t xl = 0;
		if (pb_next(&rd, &num, &wire, &v, &x, &xl)) {
			json_decref(sv);
			return NULL;
		}
		if (num == 1 && wire == 2) {
			json_decref(sv);
			if (!(sv = pb_string(x, xl)))
				return NULL;
		}
	}
	return sv ? sv : json_string("0");
}

static json_t *pb_intorstr(const unsigned char *d, size_t len)
{
	struct pb_reader rd = {d, d + len};
	int64_t type = 0, iv = 0;
	json_t *sv = NULL;
	while (rd.p < rd.end) {
		unsigned num, wire;
		uint64_t v = 0;
		const unsigned char *x = NULL;
		size_t xl = 0;
		if (pb_next(&rd, &num, &wire, &v, &x, &xl)) {
			json_decref(sv);
			return NULL;
		}
		if (num == 1 && wire == 0)
			type = (int64_t)v;
		else if (num == 2 && wire == 0)
			iv = (int32_t)v;
		else if (num == 3 && wire == 2) {
			json_decref(sv);
			sv = pb_string(x, xl);
			if (!sv)
				return NULL;
		}
	}
	if (type == 1)
		return sv ? sv : json_string("");
	json_decref(sv);
	return json_integer(iv);
}

/* A map entry {1 key, 2 value} into obj. */
/* One map entry {1 key, 2 value}; its value as a string (mode 0), base64 bytes (1) or
 * a Quantity (2). */
static int pb_map_entry(json_t *obj, const unsigned char *d, size_t len, int mode)
{
	struct pb_reader rd = {d, d + len};
	char *key = NULL;
	json_t *val = NULL;
	int rc = -EINVAL;
	while (rd.p < rd.end) {
		unsigned num, wire;
		uint64_t v = 0;
		const unsigned char *x = NULL;
		size_t xl = 0;
		if (pb_next(&rd, &num, &wire, &v, &x, &xl))
			goto out;
		if (wire != 2)
			continue;
		/* A repeated key or value replaces the earlier one; the pointer is cleared first,
		 * so a refused one is not freed twice (found by fuzz/fuzz_protobuf.c). */
		if (num == 1) {
			free(key);
			key = NULL;
			if (memchr(x, '\0', xl) || !(key = strndup((const char *)x, xl)))
				goto out;
		} else if (num == 2) {
			json_decref(val);
			val = NULL;
			val = mode == 1	  ? pb_b64(x, xl)
			      : mode == 2 ? pb_quantity(x, xl)
					  : pb_string(x, xl);
			if (!val)
				goto out;
		}
	}
	if (!val && !(val = json_string("")))
		goto out;
	rc = json_object_set_new(obj, key ? key : "", val) == 0 ? 0 : -EINVAL;
	val = NULL;
out:
	json_decref(val);
	free(key);
	return rc;
}

static const struct pb_field *pb_field_of(const struct pb_msg *m, unsigned num)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->f[i].num == num)
			return &m->f[i];
	return NULL;
}

static json_t *pb_decode(const struct pb_msg *m, const unsigned char *p, size_t len, int depth)
{
	struct pb_reader rd = {p, p + len};
	json_t *obj = json_object();
	if (!obj || depth > PB_MAX_DEPTH)
		goto fail;
	while (rd.p < rd.end) {
		unsigned num, wire;
		uint64_t v = 0;
		const unsigned char *d = NULL;
		size_t dl = 0;
		if (pb_next(&rd, &num, &wire, &v, &d, &dl))
			goto fail;
		const struct pb_field *f = pb_field_of(m, num);
		if (!f)
			continue;
		int scalar = f->type == PB_INT || f->type == PB_BOOL;
		if ((scalar && wire != 0) || (!scalar && wire != 2))
			goto fail;
		json_t *val = NULL;
		switch (f->type) {
		case PB_STRING:
			if (!dl && !(f->flags & (PB_REPEATED | PB_KEEP)))
				continue;
			val = pb_string(d, dl);
			break;
		case PB_BYTES:
			val = pb_b64(d, dl);
			break;
		case PB_INT:
			if (!v && !(f->flags & PB_KEEP))
				continue;
			val = json_integer((json_int_t)(int64_t)v);
			break;
		case PB_BOOL:
			if (!v && !(f->flags & PB_KEEP))
				continue;
			val = json_boolean(v != 0);
			break;
		case PB_MSG:
			val = pb_decode(f->msg, d, dl, depth + 1);
			break;
		case PB_TIME:
			val = pb_time(d, dl);
			if (json_is_null(val)) {
				json_decref(val);
				continue;
			}
			break;
		case PB_INTORSTR:
			val = pb_intorstr(d, dl);
			break;
		case PB_QUANTITY:
			val = pb_quantity(d, dl);
			break;
		case PB_INLINE:
			val = pb_decode(f->msg, d, dl, depth + 1);
			if (!val || json_object_update(obj, val)) {
				json_decref(val);
				goto fail;
			}
			json_decref(val);
			continue;
		case PB_MAP_STR:
		case PB_MAP_BYTES:
		case PB_MAP_QTY: {
			json_t *map = json_object_get(obj, f->name);
			if (!map) {
				map = json_object();
				if (!map || json_object_set_new(obj, f->name, map) != 0)
					goto fail;
			}
			if (pb_map_entry(map, d, dl,
					 f->type == PB_MAP_BYTES ? 1 : f->type == PB_MAP_QTY ? 2 : 0))
				goto fail;
			continue;
		}
		}
		if (!val)
			goto fail;
		if (f->flags & PB_REPEATED) {
			json_t *arr = json_object_get(obj, f->name);
			if (!arr) {
				arr = json_array();
				if (!arr || json_object_set_new(obj, f->name, arr) != 0) {
					json_decref(val);
					goto fail;
				}
			}
			if (json_array_append_new(arr, val) != 0)
				goto fail;
		} else if (json_object_set_new(obj, f->name, val) != 0) {
			goto fail;
		}
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

/* Transcodes a Kubernetes protobuf body to JSON (malloc'd). 0; -ENOTSUP for a kind
 * this server does not decode (415); -EINVAL for malformed bytes (400); -ENOMEM. */
static int pb_to_json(const unsigned char *body, size_t len, char **out, size_t *out_len)
{
	static const unsigned char magic[4] = {'k', '8', 's', 0};
	json_t *tm = NULL, *obj = NULL, *root = NULL;
	const unsigned char *raw = NULL;
	size_t raw_len = 0;
	int rc = -EINVAL, have_raw = 0;
	if (len < 4 || memcmp(body, magic, 4) != 0)
		return -EINVAL;
	struct pb_reader rd = {body + 4, body + len};
	while (rd.p < rd.end) {
		unsigned num, wire;
		uint64_t v = 0;
		const unsigned char *d = NULL;
		size_t dl = 0;
		if (pb_next(&rd, &num, &wire, &v, &d, &dl))
			goto out;
		if (wire != 2)
			continue;
		if (num == 1) {
			json_decref(tm);
			if (!(tm = pb_decode(&pb_unknown_type, d, dl, 0)))
				goto out;
		} else if (num == 2) {
			raw = d;
			raw_len = dl;
			have_raw = 1;
		} else if ((num == 3 || num == 4) && dl) {
			rc = -ENOTSUP; /* an encoded or nested content type */
			goto out;
		}
	}
	const char *av = json_string_value(json_object_get(tm, "apiVersion"));
	const char *kind = json_string_value(json_object_get(tm, "kind"));
	if (!av || !kind || !have_raw)
		goto out;
	const struct pb_msg *m = NULL;
	for (size_t i = 0; i < sizeof(pb_kinds) / sizeof(pb_kinds[0]); i++)
		if (strcmp(pb_kinds[i].api_version, av) == 0 && strcmp(pb_kinds[i].kind, kind) == 0)
			m = pb_kinds[i].msg;
	if (!m) {
		rc = -ENOTSUP;
		goto out;
	}
	if (!(obj = pb_decode(m, raw, raw_len, 0)))
		goto out;
	rc = -ENOMEM;
	root = json_pack("{s:s, s:s}", "kind", kind, "apiVersion", av);
	if (!root || json_object_update(root, obj) != 0)
		goto out;
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!*out)
		goto out;
	*out_len = strlen(*out);
	rc = 0;
out:
	json_decref(root);
	json_decref(obj);
	json_decref(tm);
	return rc;
}

static int is_protobuf(const char *content_type)
{
	static const char pb[] = "application/vnd.kubernetes.protobuf";
	return content_type && strncasecmp(content_type, pb, sizeof(pb) - 1) == 0 &&
	       (content_type[sizeof(pb) - 1] == '\0' || content_type[sizeof(pb) - 1] == ';' ||
		content_type[sizeof(pb) - 1] == ' ');
}

/* Replaces a protobuf body by its JSON form. 0, or replied with a Status and -errno. */
static int body_to_json(struct http_req *r, const struct kube_attrs *a)
{
	if (!r->body_len || !is_protobuf(http_header(r, "Content-Type")))
		return 0;
	char *json = NULL;
	size_t len = 0;
	int rc = pb_to_json(r->body, r->body_len, &json, &len);
	if (rc == -ENOTSUP) {
		kube_reply_status(r, 415, "UnsupportedMediaType",
				  "the body of the request was in an unknown format - accepted media "
				  "types include: application/json, application/yaml, "
				  "application/vnd.kubernetes.protobuf",
				  a);
		return rc;
	}
	if (rc == -EINVAL) {
		kube_reply_status(r, 400, "BadRequest",
				  "the object provided is unrecognized or could not be decoded "
				  "from its protobuf encoding",
				  a);
		return rc;
	}
	if (rc) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return rc;
	}
	if (len > KUBE_BODY_CAP) {
		free(json);
		kube_reply_status(r, 413, "RequestEntityTooLarge",
				  "Request entity too large: limit is 3145728", a);
		return -EFBIG;
	}
	free((void *)r->body);
	r->body = (const unsigned char *)json;
	r->body_len = len;
	struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
	while (evhttp_find_header(in, "Content-Type"))
		evhttp_remove_header(in, "Content-Type");
	evhttp_add_header(in, "Content-Type", "application/json");
	return 0;
}

/* --- the pipeline --- */

static void audit_id(char out[37])
{
	unsigned char b[16];
	if (random_bytes(b, sizeof(b)) != 0)
		memset(b, 0, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* authentication.k8s.io/v1 SelfSubjectReview (kubectl auth whoami): served here since
 * it needs nothing but the authenticated user. */
static void serve_selfsubjectreview(struct http_req *r, const struct kube_attrs *a,
				    const struct kube_user *u)
{
	if (strcmp(a->verb, "create") != 0) {
		kube_reply_method_not_allowed(r, a);
		return;
	}
	json_t *groups = json_array();
	for (size_t i = 0; groups && i < u->n_groups; i++)
		json_array_append_new(groups, json_string(u->groups[i]));
	json_t *ui = json_pack("{s:s, s:o}", "username", u->name, "groups", groups ? groups : json_array());
	if (ui && u->uid[0])
		json_object_set_new(ui, "uid", json_string(u->uid));
	if (ui && u->extra[0])
		json_object_set_new(ui, "extra", json_loads(u->extra, 0, NULL));
	json_t *o = ui ? json_pack("{s:s, s:s, s:{s:n}, s:{s:o}}", "kind", "SelfSubjectReview",
				   "apiVersion", "authentication.k8s.io/v1", "metadata",
				   "creationTimestamp", "status", "userInfo", ui)
		       : NULL;
	if (!o) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}
	http_reply(r, 201, "application/json", s, strlen(s));
	free(s);
}

static void serve_pod_subresource(struct kube_cluster *cl, struct http_req *r,
				  const struct kube_attrs *a, const struct kube_resource *res)
{
	json_t *pod = registry_get(cl, res, a->namespace_, a->name);
	if (!pod) {
		char msg[KUBE_NAME_MAX + 32];
		snprintf(msg, sizeof(msg), "pods \"%s\" not found", a->name);
		kube_reply_status(r, 404, "NotFound", msg, a);
		return;
	}
	json_decref(pod);
	if (strcmp(a->subresource, "log") == 0 && strcmp(a->verb, "get") == 0) {
		/* No containers run here: the log is empty. */
		http_reply(r, 200, "text/plain", "", 0);
		return;
	}
	if (strcmp(a->subresource, "exec") == 0 || strcmp(a->subresource, "attach") == 0 ||
	    strcmp(a->subresource, "portforward") == 0) {
		kube_reply_status(r, 400, "BadRequest", "Upgrade request required", a);
		return;
	}
	kube_reply_not_found(r, a);
}

/* Dispatches an allowed resource request. */
static void serve_resource(struct kube_cluster *cl, struct http_req *r,
			   const struct kube_attrs *a, const struct kube_user *u)
{
	if (strcmp(a->verb, "proxy") == 0 || !a->resource[0]) {
		kube_reply_not_found(r, a);
		return;
	}
	if (!a->verb[0]) {
		kube_reply_method_not_allowed(r, a);
		return;
	}
	const struct kube_resource *res = kube_resource_find(a->group, a->version, a->resource);
	if (!res) {
		kube_reply_not_found(r, a);
		return;
	}
	/* A namespaced kind under /namespaces/NS, a cluster-scoped one without. The
	 * namespace object itself (resource namespaces, name = namespace) is cluster-scoped. */
	int is_ns_object = strcmp(res->group, "") == 0 && strcmp(res->resource, "namespaces") == 0;
	if (!res->namespaced && a->namespace_[0] && !is_ns_object) {
		kube_reply_not_found(r, a);
		return;
	}
	if (strcmp(res->group, "authorization.k8s.io") == 0) {
		if (a->subresource[0]) {
			kube_reply_not_found(r, a);
			return;
		}
		reviews_serve(cl, r, a, u);
		return;
	}
	if (strcmp(res->group, "authentication.k8s.io") == 0) {
		if (a->subresource[0]) {
			kube_reply_not_found(r, a);
			return;
		}
		if (strcmp(res->resource, "selfsubjectreviews") == 0)
			serve_selfsubjectreview(r, a, u);
		else
			tokens_serve(cl, r, a, u);
		return;
	}
	if (strcmp(res->group, "") == 0 && strcmp(res->resource, "serviceaccounts") == 0 &&
	    strcmp(a->subresource, "token") == 0) {
		tokens_serve(cl, r, a, u);
		return;
	}
	if (strcmp(res->group, "") == 0 && strcmp(res->resource, "pods") == 0 &&
	    a->subresource[0] && strcmp(a->subresource, "status") != 0) {
		serve_pod_subresource(cl, r, a, res);
		return;
	}
	if (a->subresource[0] && strcmp(a->subresource, "status") != 0 &&
	    strcmp(a->subresource, "scale") != 0 &&
	    !(is_ns_object && strcmp(a->subresource, "finalize") == 0)) {
		kube_reply_not_found(r, a);
		return;
	}
	/* every route of a deprecated version carries its Warning (installer.go's
	 * AddWarningsHandler; crdHandler's for a custom resource's version) */
	char *warn = kube_deprecation_warning(res, cl->version);
	if (warn)
		schema_warn(r, warn);
	free(warn);
	if (!res->stored) {
		kube_reply_not_found(r, a);
		return;
	}
	registry_serve(cl, r, a, res, u);
}

static int is_oidc_path(const char *path)
{
	return strcmp(path, "/.well-known/openid-configuration") == 0 ||
	       strcmp(path, "/openid/v1/jwks") == 0;
}

/* A request http_req_init refused (rc < 0): answered as kube-apiserver (or Go's net/http
 * before it) answers. */
static void reply_unreadable(struct http_req *r, struct evhttp_request *ev, int rc)
{
	char msg[128];
	if (rc == -EINVAL) {
		kube_reply_status(r, 400, "BadRequest", "invalid request URI", NULL);
	} else if (rc == -EPROTO) {
		/* Go's net/http answers before kube-apiserver sees the request ("http: message
		 * cannot contain multiple Content-Length headers"): a bare 400, then close. */
		struct evkeyvalq *oh = evhttp_request_get_output_headers(ev);
		evhttp_remove_header(oh, "Audit-Id");
		evhttp_remove_header(oh, "Cache-Control");
		http_add_header(r, "Connection", "close");
		http_reply(r, 400, "text/plain; charset=utf-8", "400 Bad Request", 15);
	} else if (rc == -EILSEQ) {
		/* No object, namespace or resource is named with a NUL: not found, as
		 * kube-apiserver (which routes on the decoded path, %2F included) finds none. */
		kube_reply_not_found(r, NULL);
	} else if (rc == -EFBIG) {
		snprintf(msg, sizeof(msg), "Request entity too large: limit is %d", KUBE_BODY_CAP);
		kube_reply_status(r, 413, "RequestEntityTooLarge", msg, NULL);
	} else {
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
	}
}

/* An authenticated request (u, after impersonation): the OIDC documents, or the path's
 * attributes, authorization, then discovery or a resource's handler. */
static void route(struct kube_cluster *cl, struct http_req *r, const struct kube_user *u)
{
	struct kube_attrs a;
	char reason[1024], msg[2048];
	/* The issuer's OIDC documents are public, as on GKE. */
	if (is_oidc_path(r->path) && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)) {
		tokens_serve_oidc(cl, r);
		return;
	}
	if (kube_parse_path(r->method, r->path, &r->query, &a) != 0) {
		kube_reply_not_found(r, NULL);
		return;
	}
	reason[0] = '\0';
	enum kube_decision d = kube_authorize(cl, u, &a, reason, sizeof(reason));
	if (d != KUBE_ALLOW) {
		kube_forbidden_message(u, &a, reason, msg, sizeof(msg));
		kube_reply_status(r, 403, "Forbidden", msg, &a);
		return;
	}
	if (!a.resource_request) {
		if (!discovery_serve(cl, r))
			kube_reply_not_found(r, NULL);
		return;
	}
	/* A list or watch names an object for authorization when its field selector pins
	 * metadata.name; the handlers see only the path's name (and filter by selector). */
	if (strcmp(a.verb, "list") == 0 || strcmp(a.verb, "watch") == 0) {
		struct kube_attrs bare;
		if (kube_parse_path(r->method, r->path, NULL, &bare) == 0)
			memcpy(a.name, bare.name, sizeof(a.name));
	}
	if (body_to_json(r, &a) != 0)
		return;
	serve_resource(cl, r, &a, u);
	if (!r->replied)
		kube_reply_status(r, 500, "InternalError", "the request was not answered", &a);
}

void kube_coalesce_output(struct evhttp_connection *conn)
{
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	struct evbuffer *out =
		bev && bufferevent_openssl_get_ssl(bev) ? bufferevent_get_output(bev) : NULL;
	size_t len = out ? evbuffer_get_length(out) : 0;
	if (len > 1 && len <= 16384)
		evbuffer_pullup(out, -1);
}

static void handle(struct evhttp_request *ev, void *arg)
{
	struct listener *l = arg;
	struct kube_cluster *cl = l->cl;
	struct http_req r;
	struct kube_user u;
	char id[37], caller[sizeof(u.name)] = "";
	memset(&u, 0, sizeof(u));

	int rc = http_req_init(&r, ev, cl, KUBE_BODY_CAP);
	crd_enter(cl); /* this cluster's custom resources (crdserve.c) */
	audit_id(id);
	http_add_header(&r, "Audit-Id", id);
	http_add_header(&r, "Cache-Control", "no-cache, private");
	if (rc < 0) {
		reply_unreadable(&r, ev, rc);
		goto out;
	}
	rc = kube_authenticate(cl, &r, &u);
	if (rc == -EACCES) {
		memset(&u, 0, sizeof(u)); /* nobody: the log says "-" */
		kube_reply_status(&r, 401, "Unauthorized", "Unauthorized", NULL);
		goto out;
	}
	if (rc < 0) {
		kube_reply_status(&r, 500, "InternalError", "authentication failed", NULL);
		goto out;
	}
	/* Impersonate-* headers: from here on the request runs as the user they name */
	memcpy(caller, u.name, sizeof(caller));
	if (kube_impersonate(cl, &r, &u) != 0)
		goto out;
	route(cl, &r, &u);
out:
	/* A watch stream keeps its request: its code is already set. */
	fprintf(stderr, "kube[%s]: %s %s %d %s%s%s\n", cl->name, r.method ? r.method : "?",
		r.path ? r.path : "?", evhttp_request_get_response_code(ev),
		u.name[0] ? u.name : "-", strcmp(caller, u.name) != 0 ? " by " : "",
		strcmp(caller, u.name) != 0 ? caller : "");
	kube_coalesce_output(evhttp_request_get_connection(ev));
	http_req_done(&r);
	crd_enter(NULL);
}

/* --- the listener --- */

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
	struct listener *l = arg;
	SSL *ssl = SSL_new(l->ctx);
	if (!ssl)
		return NULL;
	struct bufferevent *bev = bufferevent_openssl_socket_new(
		base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

int kube_cluster_listen(struct kube_cluster *cl, int port)
{
	int rc = -ENOMEM, bound = 0;
	if (cl->listener)
		return -EALREADY;
	struct listener *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cl = cl;
	l->ctx = kube_tls_server_ctx(cl);
	if (!l->ctx) {
		rc = -EIO;
		goto fail;
	}
	l->http = evhttp_new(cl->kube->base);
	if (!l->http)
		goto fail;
	char name[128];
	snprintf(name, sizeof(name), "kube[%s]", cl->name);
	/* The handshake, header and idle deadlines are the guard's; a watch stream is a
	 * request being served, which no deadline cuts (kubectl get -w has no timeout). */
	l->guard = http_guard_new(cl->kube->base, l->http, &cl->kube->limits, name, handle, l,
				  make_bev, l);
	if (!l->guard)
		goto fail;
	http_guard_set_log(l->guard, stderr);
	evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
						     EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
						     EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_max_body_size(l->http, KUBE_BODY_HARD_CAP);
	evhttp_set_max_headers_size(l->http, 64 * 1024);
	if (!http_guard_bind(l->guard, "127.0.0.1", port, &bound)) {
		rc = errno ? -errno : -EADDRINUSE;
		goto fail;
	}
	cl->port = bound;
	if ((rc = SFMT(cl->endpoint, "127.0.0.1:%d", bound)) < 0)
		goto fail;
	cl->listener = l;
	return 0;
fail:
	if (l->http)
		evhttp_free(l->http);
	http_guard_free(l->guard);
	SSL_CTX_free(l->ctx);
	free(l);
	return rc;
}

void kube_cluster_stop(struct kube_cluster *cl)
{
	struct listener *l = cl ? cl->listener : NULL;
	if (!l)
		return;
	evhttp_free(l->http);
	http_guard_free(l->guard);
	SSL_CTX_free(l->ctx);
	free(l);
	cl->listener = NULL;
}
