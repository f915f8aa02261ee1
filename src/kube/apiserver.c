/*
 * apiserver.c - the HTTPS front of each cluster's Kubernetes API server: the TLS
 * listener (evhttp over bufferevent_openssl), the request path parser (as Kubernetes'
 * RequestInfoFactory), and the per-request pipeline: body cap -> authenticate ->
 * authorize -> discovery, reviews, tokens or the registry. Errors are Kubernetes
 * Status objects; one log line per request goes to stderr.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jwt.h"
#include "kube/kube.h"

#define KUBE_BODY_CAP (3 * 1024 * 1024) /* kube-apiserver's MaxRequestBodyBytes */
#define KUBE_BODY_HARD_CAP (16 * 1024 * 1024) /* evhttp closes beyond this */
#define MAX_PARTS 16

/* discovery.c (kube.h does not declare it): serves a non-resource URL. Returns 1 when
 * it replied, 0 when the path is none of discovery's. */
int discovery_serve(struct kube_cluster *cl, struct http_req *r);

struct listener {
	struct kube_cluster *cl;
	struct evhttp *http;
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

int kube_parse_path(const char *method, const char *path, const struct evkeyvalq *query,
		    struct kube_attrs *a)
{
	const char *parts[MAX_PARTS];
	size_t lens[MAX_PARTS], n = 0;
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

	/* splitPath: trim slashes at both ends, split on '/'. */
	const char *s = path;
	while (*s == '/')
		s++;
	size_t total = strlen(s);
	while (total && s[total - 1] == '/')
		total--;
	if (total) {
		const char *p = s, *end = s + total;
		for (;;) {
			const char *slash = memchr(p, '/', (size_t)(end - p));
			size_t len = slash ? (size_t)(slash - p) : (size_t)(end - p);
			if (n == MAX_PARTS) {
				/* Deeper than anything we interpret: keep the parts we need. */
				break;
			}
			parts[n] = p;
			lens[n] = len;
			n++;
			if (!slash)
				break;
			p = slash + 1;
		}
	}
	if (n < 3)
		return 0;
	int groupless;
	if (lens[0] == 3 && strncmp(parts[0], "api", 3) == 0)
		groupless = 1;
	else if (lens[0] == 4 && strncmp(parts[0], "apis", 4) == 0)
		groupless = 0;
	else
		return 0;
	size_t i = 1;
	if (!groupless) {
		if (n - i < 3)
			return 0;
		if (copy(a->group, sizeof(a->group), parts[i], lens[i]))
			return -EINVAL;
		i++;
	}
	/* From here on it is a resource request. */
	for (size_t j = 0; j < n; j++)
		if (lens[j] == 0)
			return -EINVAL; /* "//" inside a resource path */
	a->resource_request = 1;
	if (copy(a->version, sizeof(a->version), parts[i], lens[i]))
		return -EINVAL;
	i++;

	int no_sub = 0; /* "proxy" takes no subresource (specialVerbsNoSubresources) */
	if ((lens[i] == 5 && strncmp(parts[i], "proxy", 5) == 0) ||
	    (lens[i] == 5 && strncmp(parts[i], "watch", 5) == 0)) {
		if (n - i < 2)
			return -EINVAL;
		copy(a->verb, sizeof(a->verb), parts[i], lens[i]);
		no_sub = parts[i][0] == 'p';
		i++;
	} else {
		const char *v;
		if (strcmp(method, "POST") == 0)
			v = "create";
		else if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
			v = "get";
		else if (strcmp(method, "PUT") == 0)
			v = "update";
		else if (strcmp(method, "PATCH") == 0)
			v = "patch";
		else if (strcmp(method, "DELETE") == 0)
			v = "delete";
		else
			v = "";
		snprintf(a->verb, sizeof(a->verb), "%s", v);
	}

	if (lens[i] == 10 && strncmp(parts[i], "namespaces", 10) == 0) {
		if (n - i > 1) {
			if (copy(a->namespace_, sizeof(a->namespace_), parts[i + 1], lens[i + 1]))
				return -EINVAL;
			/* Another part after the namespace name that is not a namespace
			 * subresource (status, finalize) starts a resource of its own. */
			if (n - i > 2 &&
			    !(lens[i + 2] == 6 && strncmp(parts[i + 2], "status", 6) == 0) &&
			    !(lens[i + 2] == 8 && strncmp(parts[i + 2], "finalize", 8) == 0))
				i += 2;
		}
	}
	size_t np = n - i;
	if (np >= 3 && !no_sub &&
	    copy(a->subresource, sizeof(a->subresource), parts[i + 2], lens[i + 2]))
		return -EINVAL;
	if (np >= 2 && copy(a->name, sizeof(a->name), parts[i + 1], lens[i + 1]))
		return -EINVAL;
	if (np >= 1 && copy(a->resource, sizeof(a->resource), parts[i], lens[i]))
		return -EINVAL;

	if (!a->name[0] && strcmp(a->verb, "get") == 0) {
		const char *w = query ? evhttp_find_header(query, "watch") : NULL;
		snprintf(a->verb, sizeof(a->verb), "%s", w && !is_false(w) ? "watch" : "list");
		const char *fs = query ? evhttp_find_header(query, "fieldSelector") : NULL;
		if (fs)
			selector_name(fs, a->name, sizeof(a->name));
	}
	if (!a->name[0] && strcmp(a->verb, "delete") == 0)
		snprintf(a->verb, sizeof(a->verb), "deletecollection");
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
	size_t len = strlen(body);
	char *nl = realloc(body, len + 2);
	if (nl) {
		body = nl;
		body[len++] = '\n';
		body[len] = '\0';
	}
	http_reply(r, code, "application/json", body, len);
	free(body);
	return;
fail:
	json_decref(st);
	http_reply(r, 500, "text/plain", "internal error\n", 15);
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

static void not_found(struct http_req *r, const struct kube_attrs *a)
{
	kube_reply_status(r, 404, "NotFound", "the server could not find the requested resource", a);
}

/* authentication.k8s.io/v1 SelfSubjectReview (kubectl auth whoami): served here since
 * it needs nothing but the authenticated user. */
static void serve_selfsubjectreview(struct http_req *r, const struct kube_attrs *a,
				    const struct kube_user *u)
{
	if (strcmp(a->verb, "create") != 0) {
		kube_reply_status(r, 405, "MethodNotAllowed",
				  "the server does not allow this method on the requested resource", a);
		return;
	}
	json_t *groups = json_array();
	for (size_t i = 0; groups && i < u->n_groups; i++)
		json_array_append_new(groups, json_string(u->groups[i]));
	json_t *ui = json_pack("{s:s, s:o}", "username", u->name, "groups", groups ? groups : json_array());
	if (ui && u->uid[0])
		json_object_set_new(ui, "uid", json_string(u->uid));
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
		char msg[600];
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
	not_found(r, a);
}

/* Dispatches an allowed resource request. */
static void serve_resource(struct kube_cluster *cl, struct http_req *r,
			   const struct kube_attrs *a, const struct kube_user *u)
{
	if (strcmp(a->verb, "proxy") == 0 || !a->resource[0]) {
		not_found(r, a);
		return;
	}
	if (!a->verb[0]) {
		kube_reply_status(r, 405, "MethodNotAllowed",
				  "the server does not allow this method on the requested resource", a);
		return;
	}
	const struct kube_resource *res = kube_resource_find(a->group, a->version, a->resource);
	if (!res) {
		not_found(r, a);
		return;
	}
	/* A namespaced kind under /namespaces/NS, a cluster-scoped one without. The
	 * namespace object itself (resource namespaces, name = namespace) is cluster-scoped. */
	int is_ns_object = strcmp(res->group, "") == 0 && strcmp(res->resource, "namespaces") == 0;
	if (!res->namespaced && a->namespace_[0] && !is_ns_object) {
		not_found(r, a);
		return;
	}
	if (strcmp(res->group, "authorization.k8s.io") == 0) {
		if (a->subresource[0]) {
			not_found(r, a);
			return;
		}
		reviews_serve(cl, r, a, u);
		return;
	}
	if (strcmp(res->group, "authentication.k8s.io") == 0) {
		if (a->subresource[0]) {
			not_found(r, a);
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
	    !(is_ns_object && strcmp(a->subresource, "finalize") == 0)) {
		not_found(r, a);
		return;
	}
	if (!res->stored) {
		not_found(r, a);
		return;
	}
	registry_serve(cl, r, a, res, u);
}

static int is_oidc_path(const char *path)
{
	return strcmp(path, "/.well-known/openid-configuration") == 0 ||
	       strcmp(path, "/openid/v1/jwks") == 0;
}

static void handle(struct evhttp_request *ev, void *arg)
{
	struct listener *l = arg;
	struct kube_cluster *cl = l->cl;
	struct http_req r;
	struct kube_attrs a;
	struct kube_user u;
	char reason[1024], msg[2048], id[37];
	memset(&a, 0, sizeof(a));
	memset(&u, 0, sizeof(u));

	int rc = http_req_init(&r, ev, cl, KUBE_BODY_CAP);
	audit_id(id);
	http_add_header(&r, "Audit-Id", id);
	http_add_header(&r, "Cache-Control", "no-cache, private");
	if (rc == -EINVAL) {
		kube_reply_status(&r, 400, "BadRequest", "invalid request URI", NULL);
		goto out;
	}
	if (rc == -EFBIG) {
		snprintf(msg, sizeof(msg), "Request entity too large: limit is %d", KUBE_BODY_CAP);
		kube_reply_status(&r, 413, "RequestEntityTooLarge", msg, NULL);
		goto out;
	}
	if (rc < 0) {
		kube_reply_status(&r, 500, "InternalError", "out of memory", NULL);
		goto out;
	}

	rc = kube_authenticate(cl, &r, &u);
	if (rc == -EACCES) {
		kube_reply_status(&r, 401, "Unauthorized", "Unauthorized", NULL);
		goto out;
	}
	if (rc < 0) {
		kube_reply_status(&r, 500, "InternalError", "authentication failed", NULL);
		goto out;
	}

	/* The issuer's OIDC documents are public, as on GKE. */
	if (is_oidc_path(r.path) && (strcmp(r.method, "GET") == 0 || strcmp(r.method, "HEAD") == 0)) {
		tokens_serve_oidc(cl, &r);
		goto out;
	}

	if (kube_parse_path(r.method, r.path, &r.query, &a) != 0) {
		not_found(&r, NULL);
		goto out;
	}

	reason[0] = '\0';
	enum kube_decision d = kube_authorize(cl, &u, &a, reason, sizeof(reason));
	if (d != KUBE_ALLOW) {
		kube_forbidden_message(&u, &a, reason, msg, sizeof(msg));
		kube_reply_status(&r, 403, "Forbidden", msg, &a);
		goto out;
	}
	if (!a.resource_request) {
		if (!discovery_serve(cl, &r))
			not_found(&r, NULL);
		goto out;
	}
	/* A list or watch names an object for authorization when its field selector pins
	 * metadata.name; the handlers see only the path's name (and filter by selector). */
	if (strcmp(a.verb, "list") == 0 || strcmp(a.verb, "watch") == 0) {
		struct kube_attrs bare;
		if (kube_parse_path(r.method, r.path, NULL, &bare) == 0)
			memcpy(a.name, bare.name, sizeof(a.name));
	}
	serve_resource(cl, &r, &a, &u);
	if (!r.replied)
		kube_reply_status(&r, 500, "InternalError", "the request was not answered", &a);
out:
	/* A watch stream keeps its request: its code is already set. */
	fprintf(stderr, "kube[%s]: %s %s %d %s\n", cl->name, r.method ? r.method : "?",
		r.path ? r.path : "?", evhttp_request_get_response_code(ev),
		u.name[0] ? u.name : "-");
	http_req_done(&r);
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
	l->ctx = kube_tls_server_ctx(cl->kube);
	if (!l->ctx) {
		rc = -EIO;
		goto fail;
	}
	l->http = evhttp_new(cl->kube->base);
	if (!l->http)
		goto fail;
	evhttp_set_bevcb(l->http, make_bev, l);
	evhttp_set_gencb(l->http, handle, l);
	evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
						     EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
						     EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_max_body_size(l->http, KUBE_BODY_HARD_CAP);
	evhttp_set_max_headers_size(l->http, 64 * 1024);
	/* Long enough for idle watches (kubectl get -w has no client timeout). */
	evhttp_set_timeout(l->http, 1800);
	rc = http_listen(l->http, "127.0.0.1", port, &bound);
	if (rc)
		goto fail;
	cl->port = bound;
	snprintf(cl->endpoint, sizeof(cl->endpoint), "127.0.0.1:%d", bound);
	cl->listener = l;
	return 0;
fail:
	if (l->http)
		evhttp_free(l->http);
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
	SSL_CTX_free(l->ctx);
	free(l);
	cl->listener = NULL;
}
