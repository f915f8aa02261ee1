/*
 * registry_delete.c - the registry's delete and deletecollection: preconditions, the
 * protected namespaces, a namespace's cascade over its contents (without finalizers)
 * and the reply (the object or a Status Success, per kind). Part of the registry
 * (registry_impl.h).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/store.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/registry_impl.h"

/* --- a namespace's contents --- */

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
	reg_qualified(res, q, sizeof(q));
	if (uid && *uid && strcmp(uid, reg_mstr(obj, "uid")) != 0) {
		reg_reply_named(
			r, a, 409, "Conflict", a->name,
			"Operation cannot be fulfilled on %s \"%s\": Precondition failed: UID in "
			"precondition: %s, UID in object meta: %s",
			q, a->name, uid, reg_mstr(obj, "uid"));
		return -ECANCELED;
	}
	int64_t want = 0;
	if (rv && *rv && (reg_parse_rv(rv, &want) != 0 || want != cur)) {
		reg_reply_named(
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

void reg_serve_delete(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
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
		rc = reg_fetch(cl, res, key, &obj, &cur);
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
		    reg_node_guard(cl, r, a, u, NULL, obj))
			goto out;
		int is_ns = reg_is_core(res, "namespaces");
		if (is_ns && is_protected_namespace(a->name)) {
			reg_reply_named(
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
			reg_reply_store_error(r, a, rc);
			goto out;
		}
		crd_delete_hook(cl, res, obj); /* a CRD's custom objects go with it */
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

void reg_serve_deletecollection(struct kube_cluster *cl, struct http_req *r,
				const struct kube_attrs *a, const struct kube_resource *res)
{
	char prefix[KEY_MAX], kind[160], av[REG_AV_MAX], rvs[32];
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
		json_t *o = reg_load(res, kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
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
		/* each CRD the collection deletes takes its custom objects with it, as a
		 * single DELETE's does: upstream's DeleteCollection deletes item by item */
		if (!dry)
			crd_delete_hook(cl, res, o);
		json_array_append_new(items, o);
	}
	if (SFMT(kind, "%sList", res->kind) < 0 || reg_api_version(res, av, sizeof(av)) < 0 ||
	    SFMT(rvs, "%lld", (long long)store_revision(cl->kube->store)) < 0) {
		kube_reply_status(r, 500, "InternalError", "the list's kind does not fit", a);
		goto out;
	}
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
