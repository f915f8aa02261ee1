/*
 * tokens.c - service-account tokens as kube-apiserver issues and checks them:
 * TokenRequest (POST .../serviceaccounts/NAME/token: an RS256 JWT by the cluster's key,
 * with audiences, expiry and an optional bound pod), TokenReview, and the issuer's OIDC
 * discovery document and JWKS (served at kube-apiserver's paths and at GKE's
 * ".../clusters/C/jwks"), against which the Workload Identity token exchange and any
 * OIDC client (npm jose) verify them.
 */
#include "kube/auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/jwt.h"
#include "kube/nodeauthz.h"
#include "kube/util.h"

#define TOKEN_DEFAULT_SECONDS 3600
#define TOKEN_MIN_SECONDS 600
#define TOKEN_MAX_SECONDS (INT64_C(1) << 32)
/* kube-apiserver's --service-account-max-token-expiration as GKE sets it: 48 h. A longer
 * request is shortened to it, with a warning (pkg/registry/core/serviceaccount/storage/
 * token.go); validation (10 minutes to 2^32 s) comes first. */
#define TOKEN_MAX_EXPIRATION_SECONDS 172800
#define MAX_AUDIENCES 32

/* kube_sa_token with the object it is bound to: bound_claim "pod" or "secret" (the
 * "kubernetes.io" claim's member), or NULL. */
static char *sa_token(struct kube_cluster *cl, const char *ns, const char *sa, const char *sa_uid,
		      const char *const *audiences, size_t n_aud, int64_t expiration_seconds,
		      const char *bound_claim, const char *bound_name, const char *bound_uid)
{
	json_t *claims = NULL, *aud = NULL, *k8s = NULL, *header = NULL;
	char sub[600], jti[37];
	char *token = NULL;
	int64_t now = (int64_t)time(NULL);
	if (!cl || !cl->sa_key || !ns || !sa || !*ns || !*sa || expiration_seconds <= 0)
		return NULL;
	if (random_uuid4(jti) != 0)
		return NULL;
	if (SFMT(sub, "system:serviceaccount:%s:%s", ns, sa) < 0)
		return NULL; /* a subject cut short would name another account */
	aud = json_array();
	if (!aud)
		goto out;
	if (n_aud == 0 || !audiences)
		json_array_append_new(aud, json_string(cl->issuer));
	for (size_t i = 0; audiences && i < n_aud; i++)
		if (audiences[i] && json_array_append_new(aud, json_string(audiences[i])) != 0)
			goto out;
	k8s = json_pack("{s:s,s:{s:s,s:s}}", "namespace", ns, "serviceaccount", "name", sa, "uid",
			sa_uid ? sa_uid : "");
	if (!k8s)
		goto out;
	if (bound_claim && bound_name && *bound_name &&
	    json_object_set_new(k8s, bound_claim,
				json_pack("{s:s,s:s}", "name", bound_name, "uid",
					  bound_uid ? bound_uid : "")) != 0)
		goto out;
	claims = json_pack("{s:O,s:I,s:I,s:s,s:s,s:O,s:I,s:s}", "aud", aud, "exp",
			   (json_int_t)(now + expiration_seconds), "iat", (json_int_t)now, "iss",
			   cl->issuer, "jti", jti, "kubernetes.io", k8s, "nbf", (json_int_t)now,
			   "sub", sub);
	/* kube-apiserver's header: alg and kid, no typ */
	header = json_pack("{s:s,s:s}", "alg", "RS256", "kid", cl->sa_kid);
	if (!claims || !header)
		goto out;
	token = jwt_sign(cl->sa_key, cl->sa_kid, header, claims);
out:
	json_decref(header);
	json_decref(claims);
	json_decref(k8s);
	json_decref(aud);
	return token;
}

char *kube_sa_token(struct kube_cluster *cl, const char *ns, const char *sa, const char *sa_uid,
		    const char *const *audiences, size_t n_aud, int64_t expiration_seconds,
		    const char *pod_name, const char *pod_uid)
{
	return sa_token(cl, ns, sa, sa_uid, audiences, n_aud, expiration_seconds, "pod", pod_name,
			pod_uid);
}

int tokens_expiration(int64_t requested, int64_t *granted, const char **detail)
{
	*detail = NULL;
	*granted = requested;
	if (requested < TOKEN_MIN_SECONDS) {
		*detail = "may not specify a duration less than 10 minutes";
		return -EINVAL;
	}
	if (requested > TOKEN_MAX_SECONDS) {
		*detail = "may not specify a duration larger than 2^32 seconds";
		return -EINVAL;
	}
	if (requested > TOKEN_MAX_EXPIRATION_SECONDS) {
		*granted = TOKEN_MAX_EXPIRATION_SECONDS;
		return 1;
	}
	return 0;
}

/* The request body as a JSON object, or NULL after replying 400. */
static json_t *body_json(struct http_req *r, const struct kube_attrs *a, const char *kind)
{
	json_error_t jerr;
	json_t *o;
	char msg[400];
	if (!r->body || r->body_len == 0) {
		o = json_object();
		if (!o)
			kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return o;
	}
	o = json_loadb((const char *)r->body, r->body_len, 0, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		snprintf(msg, sizeof(msg),
			 "the body of the request was in an unknown format - "
			 "accepted media types include: application/json");
		kube_reply_status(r, 400, "BadRequest", msg, a);
		return NULL;
	}
	const char *k = kube_jstr(o, "kind");
	if (*k && strcmp(k, kind) != 0) {
		snprintf(msg, sizeof(msg), "%s in version \"v1\" cannot be handled as a %s", k,
			 kind);
		json_decref(o);
		kube_reply_status(r, 400, "BadRequest", msg, a);
		return NULL;
	}
	return o;
}

static void reply_invalid(struct http_req *r, const char *name, const char *field,
			  const char *detail, json_int_t value)
{
	char msg[KUBE_NAME_MAX + 800];
	snprintf(msg, sizeof(msg),
		 "TokenRequest.authentication.k8s.io \"%s\" is invalid: %s: "
		 "Invalid value: %lld: %s",
		 name, field, (long long)value, detail);
	json_t *st =
		json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:{s:s,s:s,s:s,s:[{s:s,s:s,s:s}]},s:i}",
			  "kind", "Status", "apiVersion", "v1", "metadata", "status", "Failure",
			  "message", msg, "reason", "Invalid", "details", "name", name, "group",
			  "authentication.k8s.io", "kind", "TokenRequest", "causes", "reason",
			  "FieldValueInvalid", "message", msg, "field", field, "code", 422);
	http_reply_json(r, 422, st);
}

static void not_found(struct http_req *r, const struct kube_attrs *a, const char *what,
		      const char *name)
{
	char msg[KUBE_NAME_MAX + 600];
	snprintf(msg, sizeof(msg), "%s \"%s\" not found", what, name);
	kube_reply_status(r, 404, "NotFound", msg, a);
}

/* The object spec.boundObjectRef names (TokenREST.Create): a Pod or a Secret of the
 * core group in the request's namespace, whose uid matches the ref's when it gives one.
 * 0 with *claim the token's claim for it ("pod", "secret") and *uid its uid; or -1
 * after replying 400, 404 or 409. A pod bound to a node (a node's request for its pod)
 * is found in the Node authorizer's index, its uid copied into buf; any other object is
 * read from the store into *obj (the caller's to release), and *uid borrowed from it. */
static int bound_object(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const json_t *ref, const char **claim, char *buf, size_t buf_len,
			const char **uid, json_t **obj)
{
	const char *av = kube_jstr(ref, "apiVersion"), *kind = kube_jstr(ref, "kind");
	const char *name = kube_jstr(ref, "name"), *ref_uid = kube_jstr(ref, "uid");
	const char *slash = strchr(av, '/'), *resource = NULL;
	const struct kube_resource *res;
	char group[128] = "", version[64] = "", msg[800];
	struct kube_attrs conflict;
	/* schema.FromAPIVersionAndKind: "G/V", "V", or (unparsable) neither */
	if (!slash) {
		snprintf(version, sizeof(version), "%.63s", av);
	} else if (!strchr(slash + 1, '/')) {
		int glen = (int)(slash - av < 127 ? slash - av : 127);
		snprintf(group, sizeof(group), "%.*s", glen, av);
		snprintf(version, sizeof(version), "%.63s", slash + 1);
	}
	if (!group[0] && strcmp(kind, "Pod") == 0) {
		resource = "pods";
		*claim = "pod";
	} else if (!group[0] && strcmp(kind, "Secret") == 0) {
		resource = "secrets";
		*claim = "secret";
	} else if (!group[0] && strcmp(kind, "Node") == 0) {
		/* alpha, and off, in Kubernetes 1.30 */
		kube_reply_status(r, 400, "BadRequest",
				  "cannot bind token to a Node object as the "
				  "\"ServiceAccountTokenNodeBinding\" feature-gate is disabled",
				  a);
		return -1;
	} else {
		snprintf(msg, sizeof(msg), "cannot bind token to object of type %s/%s, Kind=%.200s",
			 group, version, kind);
		kube_reply_status(r, 400, "BadRequest", msg, a);
		return -1;
	}
	res = kube_resource_find("", "v1", resource);
	if (strcmp(*claim, "pod") == 0 && *name &&
	    nodeauthz_index_pod(cl, a->namespace_, name, NULL, 0, buf, buf_len) == 1) {
		*uid = buf;
	} else {
		if (!res || !(*obj = registry_get(cl, res, a->namespace_, name))) {
			not_found(r, a, resource, name);
			return -1;
		}
		*uid = kube_jstr(json_object_get(*obj, "metadata"), "uid");
	}
	if (*ref_uid && strcmp(ref_uid, *uid) != 0) {
		/* apierrors.NewConflict(GroupResource{"", kind}, name, err) */
		snprintf(msg, sizeof(msg),
			 "Operation cannot be fulfilled on %s \"%.256s\": the UID in the bound "
			 "object reference (%.128s) does not match the UID in record. The object "
			 "might have been deleted and then recreated",
			 kind, name, ref_uid);
		memset(&conflict, 0, sizeof(conflict));
		snprintf(conflict.name, sizeof(conflict.name), "%s", name);
		snprintf(conflict.resource, sizeof(conflict.resource), "%s", kind);
		kube_reply_status(r, 409, "Conflict", msg, &conflict);
		return -1;
	}
	return 0;
}

/* NodeRestriction: a node's TokenRequest must be bound to a pod bound to the node
 * (noderestriction.c). 0, or replies and returns -EPERM. */
static int node_guard(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_user *u, const json_t *req)
{
	char msg[1024], name[256];
	int rc = noderestriction_admit(cl, u, a, req, NULL, msg, sizeof(msg), name, sizeof(name));
	if (rc == 0)
		return 0;
	kube_reply_status(r, rc == -ENOENT ? 404 : 403, rc == -ENOENT ? "NotFound" : "Forbidden",
			  msg, a);
	return -EPERM;
}

static void token_request(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			  const struct kube_user *u)
{
	const struct kube_resource *sa_res = kube_resource_find("", "v1", "serviceaccounts");
	json_t *req = NULL, *sa = NULL, *obj = NULL, *auds, *spec, *bound, *resp = NULL;
	const char *aud_list[MAX_AUDIENCES];
	size_t n_aud = 0, i;
	char *token = NULL, exp_ts[32], uid[256];
	const char *bound_claim = NULL, *bound_uid = NULL;
	json_int_t exp_s = TOKEN_DEFAULT_SECONDS;
	int64_t granted = 0;
	const char *detail = NULL;
	if (strcmp(r->method, "POST") != 0) {
		kube_reply_method_not_allowed(r, a);
		return;
	}
	if (!(req = body_json(r, a, "TokenRequest")))
		return;
	if (node_guard(cl, r, a, u, req))
		goto out;
	spec = json_object_get(req, "spec");
	auds = json_object_get(spec, "audiences");
	json_t *v;
	json_array_foreach(auds, i, v)
	{
		if (!json_is_string(v) || n_aud >= MAX_AUDIENCES || json_string_length(v) > 1024) {
			kube_reply_status(r, 400, "BadRequest", "spec.audiences: invalid audiences",
					  a);
			goto out;
		}
		aud_list[n_aud++] = json_string_value(v);
	}
	json_t *es = json_object_get(spec, "expirationSeconds");
	if (json_is_integer(es))
		exp_s = json_integer_value(es);
	else if (es && !json_is_null(es)) {
		kube_reply_status(r, 400, "BadRequest", "spec.expirationSeconds must be an integer",
				  a);
		goto out;
	}
	if (tokens_expiration(exp_s, &granted, &detail) < 0) {
		reply_invalid(r, a->name, "spec.expirationSeconds", detail, exp_s);
		goto out;
	}
	if (!sa_res || !(sa = registry_get(cl, sa_res, a->namespace_, a->name))) {
		not_found(r, a, "serviceaccounts", a->name);
		goto out;
	}
	bound = json_object_get(spec, "boundObjectRef");
	if (json_is_object(bound) &&
	    bound_object(cl, r, a, bound, &bound_claim, uid, sizeof(uid), &bound_uid, &obj) != 0)
		goto out;
	if (granted != exp_s) {
		char warn[160];
		snprintf(warn, sizeof(warn),
			 "299 - \"requested expiration of %lld seconds shortened to %lld seconds\"",
			 (long long)exp_s, (long long)granted);
		http_add_header(r, "Warning", warn);
		exp_s = granted;
	}
	token = sa_token(cl, a->namespace_, a->name,
			 kube_jstr(json_object_get(sa, "metadata"), "uid"), aud_list, n_aud, exp_s,
			 bound_claim, bound_claim ? kube_jstr(bound, "name") : NULL, bound_uid);
	if (!token) {
		kube_reply_status(r, 500, "InternalError", "failed to sign the token", a);
		goto out;
	}
	clock_rfc3339((int64_t)time(NULL) + exp_s, exp_ts);
	json_t *aud_out = json_array();
	if (n_aud == 0)
		json_array_append_new(aud_out, json_string(cl->issuer));
	for (i = 0; i < n_aud; i++)
		json_array_append_new(aud_out, json_string(aud_list[i]));
	json_t *bound_out = json_is_object(bound) ? json_deep_copy(bound) : json_null();
	if (json_is_object(bound_out) && bound_uid)
		json_object_set_new(bound_out, "uid", json_string(bound_uid));
	char now_ts[32];
	clock_rfc3339((int64_t)time(NULL), now_ts);
	resp = json_pack("{s:s,s:s,s:{s:s,s:s,s:s},s:{s:o,s:I,s:o},s:{s:s,s:s}}", "kind",
			 "TokenRequest", "apiVersion", "authentication.k8s.io/v1", "metadata",
			 "name", a->name, "namespace", a->namespace_, "creationTimestamp", now_ts,
			 "spec", "audiences", aud_out, "expirationSeconds", exp_s, "boundObjectRef",
			 bound_out, "status", "token", token, "expirationTimestamp", exp_ts);
	if (!resp) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		goto out;
	}
	http_reply_json(r, 201, resp);
	resp = NULL;
out:
	free(token);
	json_decref(resp);
	json_decref(obj);
	json_decref(sa);
	json_decref(req);
}

static void token_review(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a)
{
	json_t *req = NULL, *resp = NULL, *extra = NULL, *auds_out = NULL, *status;
	const char *aud_list[MAX_AUDIENCES];
	size_t n_aud = 0, i;
	struct kube_user u;
	char err[512];
	if (strcmp(r->method, "POST") != 0) {
		kube_reply_method_not_allowed(r, a);
		return;
	}
	if (!(req = body_json(r, a, "TokenReview")))
		return;
	json_t *spec = json_object_get(req, "spec"), *v;
	const char *token = kube_jstr(spec, "token");
	if (!*token) {
		kube_reply_status(r, 400, "BadRequest",
				  "token is required for TokenReview in authentication", a);
		goto out;
	}
	json_array_foreach(json_object_get(spec, "audiences"), i, v)
	{
		if (json_is_string(v) && n_aud < MAX_AUDIENCES)
			aud_list[n_aud++] = json_string_value(v);
	}
	if (authn_token(cl, token, aud_list, n_aud, &u, &extra, &auds_out, err, sizeof(err)) == 0) {
		json_t *groups = json_array();
		for (i = 0; i < u.n_groups; i++)
			json_array_append_new(groups, json_string(u.groups[i]));
		json_t *user = json_pack("{s:s,s:s,s:o}", "username", u.name, "uid", u.uid,
					 "groups", groups);
		if (user && extra) {
			json_object_set_new(user, "extra", extra);
			extra = NULL;
		}
		status = json_pack("{s:b,s:o,s:o}", "authenticated", 1, "user", user, "audiences",
				   auds_out ? auds_out : json_array());
		auds_out = NULL;
	} else {
		status = json_pack("{s:{},s:s}", "user", "error", err);
	}
	resp = json_pack("{s:s,s:s,s:{s:n},s:O,s:o}", "kind", "TokenReview", "apiVersion",
			 "authentication.k8s.io/v1", "metadata", "creationTimestamp", "spec", spec,
			 "status", status);
	if (!resp) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		goto out;
	}
	http_reply_json(r, 201, resp);
out:
	json_decref(extra);
	json_decref(auds_out);
	json_decref(req);
}

void tokens_serve(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		  const struct kube_user *u)
{
	if (strcmp(a->resource, "serviceaccounts") == 0 && strcmp(a->subresource, "token") == 0 &&
	    a->namespace_[0] && a->name[0]) {
		token_request(cl, r, a, u);
		return;
	}
	if (strcmp(a->group, "authentication.k8s.io") == 0 &&
	    strcmp(a->resource, "tokenreviews") == 0 && !a->subresource[0]) {
		token_review(cl, r, a);
		return;
	}
	kube_reply_not_found(r, a);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

void tokens_serve_oidc(struct kube_cluster *cl, struct http_req *r)
{
	const char *path = r->path ? r->path : "";
	json_t *j = NULL;
	char *body = NULL;
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		http_reply(r, 405, "text/plain", "method not allowed\n", 19);
		return;
	}
	if (ends_with(path, "/.well-known/openid-configuration")) {
		char jwks[600];
		/* as kube-apiserver: the JWKS at its own address */
		if (SFMT(jwks, "https://%s/openid/v1/jwks", cl->endpoint) == 0)
			j = json_pack("{s:s,s:s,s:[s],s:[s],s:[s]}", "issuer", cl->issuer,
				      "jwks_uri", jwks, "response_types_supported", "id_token",
				      "subject_types_supported", "public",
				      "id_token_signing_alg_values_supported", "RS256");
		body = j ? json_dumps(j, JSON_COMPACT) : NULL;
		if (!body) {
			http_reply(r, 500, "text/plain", "internal error\n", 15);
			goto out;
		}
		http_add_header(r, "Cache-Control", "public, max-age=3600");
		http_reply(r, 200, "application/json", body, strlen(body));
		goto out;
	}
	if (ends_with(path, "/openid/v1/jwks") || ends_with(path, "/jwks")) {
		json_t *key = cl->sa_key ? key_jwk(cl->sa_key, cl->sa_kid) : NULL;
		if (key)
			j = json_pack("{s:[o]}", "keys", key);
		body = j ? json_dumps(j, JSON_COMPACT) : NULL;
		if (!body) {
			http_reply(r, 500, "text/plain", "internal error\n", 15);
			goto out;
		}
		http_add_header(r, "Cache-Control", "public, max-age=3600");
		http_reply(r, 200, "application/jwk-set+json", body, strlen(body));
		goto out;
	}
	http_reply(r, 404, "text/plain", "404 page not found\n", 19);
out:
	free(body);
	json_decref(j);
}
