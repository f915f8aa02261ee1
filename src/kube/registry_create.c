/*
 * registry_create.c - the registry's create: request bodies (media type, parsing, the
 * kind check, the typed decoding under fieldValidation), namespaces that must exist and
 * their default ServiceAccount, and POST of an object, as kube-apiserver's generic
 * registry creates one (defaults, validation, admission, the store's write). Part of
 * the registry (registry_impl.h).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/http.h"
#include "core/store.h"
#include "kube/apply.h"
#include "kube/kube.h"
#include "kube/registry_impl.h"
#include "kube/schema.h"

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
int reg_check_kind(struct http_req *r, const struct kube_resource *res, json_t *obj)
{
	char av[REG_AV_MAX];
	if (reg_api_version(res, av, sizeof(av)) < 0) {
		kube_reply_status(r, 500, "InternalError", "the resource's apiVersion does not fit",
				  NULL);
		return -ENAMETOOLONG;
	}
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

int reg_namespace_exists(struct kube_cluster *cl, const char *ns)
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

/* --- create --- */

/* The request's object for a create or update: parsed, of the resource's kind, typed,
 * decoded under fieldValidation (options: "CreateOptions", "UpdateOptions"). NULL when
 * it replied. */
json_t *reg_decode_body(struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const char *options)
{
	char msg[1024];
	enum schema_mode mode;
	int rc, dups;
	if (apply_manager_options(r, options) || schema_mode(r, options, &mode))
		return NULL;
	json_t *body = parse_body(r, &dups);
	if (!body)
		return NULL;
	if (reg_check_kind(r, res, body))
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
	if (res->namespaced && !reg_namespace_exists(cl, a->namespace_)) {
		const struct kube_resource *nres = ns_resource();
		struct kube_attrs na = *a;
		snprintf(na.resource, sizeof(na.resource), "namespaces");
		na.group[0] = '\0';
		if (nres)
			reg_reply_not_found(r, &na, nres, a->namespace_);
		else
			reg_reply_named(r, &na, 404, "NotFound", a->namespace_,
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
	*out = reg_normalize(obj, res);
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
void reg_create_with(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		     const struct kube_resource *res, const struct kube_user *u, json_t *applied)
{
	char key[KEY_MAX];
	json_t *obj = NULL, *errs = NULL;
	int rc;
	json_t *body = applied ? json_incref(applied) : reg_decode_body(r, a, res, "CreateOptions");
	if (!body)
		return;
	if (!(errs = json_array()))
		goto oom;
	if (create_scope(cl, r, a, res, body, errs) || reg_node_guard(cl, r, a, u, body, NULL))
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
		if (reg_rbac_guard(cl, r, a, res, u, obj))
			goto out;
		rc = create_store(cl, r, res, key, obj);
		if (rc == -EEXIST && !*name)
			continue; /* a generated name that was taken: draw again */
		if (rc == -EEXIST) {
			char q[200];
			reg_qualified(res, q, sizeof(q));
			reg_reply_named(r, a, 409, "AlreadyExists", nm, "%s \"%s\" already exists",
					q, nm);
			goto out;
		}
		if (rc) {
			reg_reply_store_error(r, a, rc);
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

void reg_serve_create(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		      const struct kube_resource *res, const struct kube_user *u)
{
	reg_create_with(cl, r, a, res, u, NULL);
}
