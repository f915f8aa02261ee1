/*
 * registry_update.c - the registry's update and patch: PUT (CAS on
 * metadata.resourceVersion, create on update where the kind allows it) and PATCH
 * (merge, JSON, strategic and server-side apply), each retried on a concurrent write,
 * with the status subresource's rules. Part of the registry (registry_impl.h).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/http.h"
#include "kube/apply.h"
#include "kube/kube.h"
#include "kube/patch.h"
#include "kube/registry_impl.h"
#include "kube/schema.h"

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
		if (reg_builtin_status(res, obj)) {
			json_decref(obj);
			return NULL;
		}
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
	json_t *norm = reg_normalize(obj, res);
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
	if (reg_rbac_guard(cl, r, a, res, u, *obj))
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
			reg_reply_store_error(r, a, rc);
			return 1;
		}
		if (reg_dry_run(r))
			reg_set_rv(*obj, cur);
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
	if (res->namespaced && !reg_namespace_exists(cl, a->namespace_)) {
		struct kube_attrs na = *a;
		snprintf(na.resource, sizeof(na.resource), "namespaces");
		na.group[0] = '\0';
		reg_reply_named(r, &na, 404, "NotFound", a->namespace_,
				"namespaces \"%s\" not found", a->namespace_);
		goto out;
	}
	rc = -ENOMEM;
	if (reg_fill_create_meta(res, obj) || reg_apply_defaults(res, obj, 1) ||
	    !(norm = reg_normalize(obj, res)) ||
	    apply_track(r, a, res, reg_kind_of(res)->status, NULL, norm))
		goto out;
	rc = 0;
	if (reg_rbac_guard(cl, r, a, res, u, norm))
		goto out;
	rc = reg_dry_run(r) ? 0 : reg_write_obj(cl, res, key, norm, STORE_ABSENT, NULL);
	if (rc == -EEXIST)
		goto out;
	if (rc)
		reg_reply_store_error(r, a, rc);
	else
		reg_reply_json(r, 201, json_incref(norm));
	rc = 0;
out:
	json_decref(errs);
	json_decref(obj);
	json_decref(norm);
	return rc;
}

void reg_serve_update(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res, const struct kube_user *u)
{
	char key[KEY_MAX];
	json_t *body = NULL, *old = NULL, *obj = NULL;
	int64_t cur = 0, want = 0;
	int rc;

	body = reg_decode_body(r, a, res, "UpdateOptions");
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
		rc = reg_fetch(cl, res, key, &old, &cur);
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
		if (reg_node_guard(cl, r, a, u, obj, old) ||
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
	enum schema_patch spt = pt == P_JSON			 ? SCHEMA_PATCH_JSON
				: pt == P_MERGE || pt == P_APPLY ? SCHEMA_PATCH_MERGE
								 : SCHEMA_PATCH_STRATEGIC;
	if (reg_check_kind(r, res, patched))
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

void reg_serve_patch(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
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
		rc = reg_fetch(cl, res, key, &old, &cur);
		if (rc == -ENOENT && pt == P_APPLY) { /* apply creates what is absent */
			if (!apply_patch(r, a, res, reg_kind_of(res)->status, NULL, patch,
					 &patched))
				reg_create_with(cl, r, a, res, u, patched);
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
		if (reg_node_guard(cl, r, a, u, obj, old) ||
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
