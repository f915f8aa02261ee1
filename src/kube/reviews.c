/*
 * reviews.c - authorization.k8s.io/v1 access reviews, as kube-apiserver answers them:
 * SubjectAccessReview (any user; also what a kube-apiserver with
 * --authorization-mode=Webhook sends, so gkeid's authorizer can serve other clusters),
 * LocalSubjectAccessReview (namespaced), SelfSubjectAccessReview (`kubectl auth can-i`)
 * and SelfSubjectRulesReview (`kubectl auth can-i --list`: the rules RBAC grants in a
 * namespace). Decisions come from kube_authorize (RBAC, then IAM for Google
 * identities); the status carries upstream's reason text.
 */
#include "kube/auth.h"
#include "kube/impersonate.h"
#include "kube/rbac.h"
#include "kube/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define GROUP "authorization.k8s.io"

static int copy_field(char *dst, size_t len, const json_t *o, const char *k)
{
	const char *s = kube_jstr(o, k);
	if (strlen(s) >= len)
		return -ENAMETOOLONG;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* attrs from spec.resourceAttributes / spec.nonResourceAttributes. */
static int attrs_from_spec(const json_t *spec, struct kube_attrs *a, const char **err)
{
	json_t *ra = json_object_get(spec, "resourceAttributes");
	json_t *na = json_object_get(spec, "nonResourceAttributes");
	memset(a, 0, sizeof(*a));
	if (json_is_object(ra) && json_is_object(na)) {
		*err = "spec.nonResourceAttributes: Invalid value: \"null\": cannot be "
		       "specified "
		       "in combination with resourceAttributes";
		return -EINVAL;
	}
	if (json_is_object(ra)) {
		a->resource_request = 1;
		if (copy_field(a->verb, sizeof(a->verb), ra, "verb") ||
		    copy_field(a->group, sizeof(a->group), ra, "group") ||
		    copy_field(a->version, sizeof(a->version), ra, "version") ||
		    copy_field(a->resource, sizeof(a->resource), ra, "resource") ||
		    copy_field(a->subresource, sizeof(a->subresource), ra, "subresource") ||
		    copy_field(a->namespace_, sizeof(a->namespace_), ra, "namespace") ||
		    copy_field(a->name, sizeof(a->name), ra, "name")) {
			*err = "spec.resourceAttributes: field too long";
			return -EINVAL;
		}
		return 0;
	}
	if (json_is_object(na)) {
		if (copy_field(a->verb, sizeof(a->verb), na, "verb") ||
		    copy_field(a->path, sizeof(a->path), na, "path")) {
			*err = "spec.nonResourceAttributes: field too long";
			return -EINVAL;
		}
		return 0;
	}
	*err = "spec.resourceAttributes: Required value: exactly one of "
	       "nonResourceAttributes or "
	       "resourceAttributes must be specified";
	return -EINVAL;
}

/* A user named in a SubjectAccessReview. Email-like names are Google identities, as
 * GKE's IAM authorizer treats them. */
static int user_from_spec(const json_t *spec, struct kube_user *u, const char **err)
{
	json_t *groups = json_object_get(spec, "groups"), *g;
	size_t i;
	memset(u, 0, sizeof(*u));
	if (copy_field(u->name, sizeof(u->name), spec, "user") ||
	    copy_field(u->uid, sizeof(u->uid), spec, "uid")) {
		*err = "spec.user: field too long";
		return -EINVAL;
	}
	json_array_foreach(groups, i, g)
	{
		const char *s = json_string_value(g);
		if (!s || u->n_groups >= KUBE_MAX_GROUPS || strlen(s) >= sizeof(u->groups[0]))
			continue;
		memcpy(u->groups[u->n_groups++], s, strlen(s) + 1);
	}
	if (!u->name[0] && u->n_groups == 0) {
		*err = "spec.user: Invalid value: \"\": at least one of user or group must be "
		       "specified";
		return -EINVAL;
	}
	kube_user_google_by_name(u);
	return 0;
}

static json_t *read_body(struct http_req *r, const struct kube_attrs *a, const char *kind)
{
	json_t *o = NULL;
	char msg[300];
	if (strcmp(r->method, "POST") != 0) {
		kube_reply_method_not_allowed(r, a);
		return NULL;
	}
	if (r->body && r->body_len)
		o = json_loadb((const char *)r->body, r->body_len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		kube_reply_status(
			r, 400, "BadRequest",
			"the body of the request was in an unknown format - accepted media "
			"types include: application/json",
			a);
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

static void reply_invalid(struct http_req *r, const struct kube_attrs *a, const char *kind,
			  const char *err)
{
	char msg[600];
	snprintf(msg, sizeof(msg), "%s.%s \"\" is invalid: %s", kind, GROUP, err);
	kube_reply_status(r, 422, "Invalid", msg, a);
}

/* Replies with the review (body, stolen) and its status. */
static void reply_review(struct http_req *r, const struct kube_attrs *a, json_t *body,
			 const char *kind, json_t *status)
{
	json_t *md = json_object_get(body, "metadata");
	if (!json_is_object(md)) {
		md = json_object();
		json_object_set_new(body, "metadata", md);
	}
	if (!json_object_get(md, "creationTimestamp"))
		json_object_set_new(md, "creationTimestamp", json_null());
	json_object_set_new(body, "kind", json_string(kind));
	json_object_set_new(body, "apiVersion", json_string(GROUP "/v1"));
	if (!status || json_object_set_new(body, "status", status) != 0) {
		json_decref(body);
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}
	http_reply_json(r, 201, body);
}

static json_t *decide(struct kube_cluster *cl, const struct kube_user *u,
		      const struct kube_attrs *ra)
{
	char reason[2048];
	enum kube_decision d = kube_authorize(cl, u, ra, reason, sizeof(reason));
	json_t *st = json_pack("{s:b}", "allowed", d == KUBE_ALLOW);
	if (st && reason[0])
		json_object_set_new(st, "reason", json_string(reason));
	return st;
}

static void access_review(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			  const struct kube_user *self, const char *kind)
{
	json_t *body = read_body(r, a, kind);
	struct kube_attrs ra;
	struct kube_user u;
	const char *err = NULL;
	if (!body)
		return;
	json_t *spec = json_object_get(body, "spec");
	if (!json_is_object(spec) || attrs_from_spec(spec, &ra, &err) != 0) {
		reply_invalid(r, a, kind, err ? err : "spec: Required value");
		json_decref(body);
		return;
	}
	if (self) {
		u = *self;
	} else if (user_from_spec(spec, &u, &err) != 0) {
		reply_invalid(r, a, kind, err);
		json_decref(body);
		return;
	}
	if (strcmp(kind, "LocalSubjectAccessReview") == 0) {
		const char *mdns = kube_jstr(json_object_get(body, "metadata"), "namespace");
		char msg[600];
		if ((*mdns && strcmp(mdns, a->namespace_) != 0) || !ra.resource_request ||
		    strcmp(ra.namespace_, a->namespace_) != 0) {
			snprintf(msg, sizeof(msg),
				 "spec.resourceAttributes.namespace must match namespace: %s",
				 a->namespace_);
			kube_reply_status(r, 400, "BadRequest", msg, a);
			json_decref(body);
			return;
		}
	}
	reply_review(r, a, body, kind, decide(cl, &u, &ra));
}

static void rules_review(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			 const struct kube_user *u)
{
	json_t *body = read_body(r, a, "SelfSubjectRulesReview");
	if (!body)
		return;
	const char *ns = kube_jstr(json_object_get(body, "spec"), "namespace");
	if (!*ns) {
		reply_invalid(r, a, "SelfSubjectRulesReview",
			      "spec.namespace: Required value: namespace is required");
		json_decref(body);
		return;
	}
	reply_review(r, a, body, "SelfSubjectRulesReview", rbac_rules_for(cl, u, ns));
}

void reviews_serve(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		   const struct kube_user *u)
{
	if (strcmp(a->group, GROUP) != 0 || a->subresource[0] || a->name[0]) {
		kube_reply_not_found(r, a);
		return;
	}
	if (strcmp(a->resource, "subjectaccessreviews") == 0)
		access_review(cl, r, a, NULL, "SubjectAccessReview");
	else if (strcmp(a->resource, "localsubjectaccessreviews") == 0 && a->namespace_[0])
		access_review(cl, r, a, NULL, "LocalSubjectAccessReview");
	else if (strcmp(a->resource, "selfsubjectaccessreviews") == 0)
		access_review(cl, r, a, u, "SelfSubjectAccessReview");
	else if (strcmp(a->resource, "selfsubjectrulesreviews") == 0)
		rules_review(cl, r, a, u);
	else
		kube_reply_not_found(r, a);
}
