/*
 * denypolicies.c - IAM deny policies in the IAM v2 API (iam.policies: createPolicy,
 * get, listPolicies, update, delete), behind `gcloud iam policies create|get|list|update|
 * delete --attachment-point=cloudresourcemanager.googleapis.com/projects/P
 * --kind=denypolicies`. The engine side (storage layout, compilation, evaluation before
 * every allow check) is iam/deny.h.
 *
 * Paths: gcloud sends the attachment point URL-encoded inside the name and apitools
 * encodes it once more, so the path as decoded holds "%2F":
 *   /iam/v2/policies/cloudresourcemanager.googleapis.com%2Fprojects%2FP/denypolicies[/ID]
 * Attachment points: projects (by ID or number; names in responses carry the number,
 * as Google's do), folders and organizations (by number).
 *
 * Google's texts: a refusal of permission is "Permission
 * iam.googleapis.com/denypolicies.create denied on resource
 * cloudresourcemanager.googleapis.com/projects/P" (GoogleCloudPlatform/
 * nodejs-docs-samples#3144); the rest are Google's canonical messages of their status
 * (INVALID_ARGUMENT "Request contains an invalid argument.", NOT_FOUND "Requested entity
 * was not found.", ALREADY_EXISTS "Requested entity already exists.") and the ABORTED text
 * of stale IAM etags. Create, update and delete answer a long-running operation that is
 * already done, its response the policy (google.iam.v2.PolicyOperationMetadata).
 *
 * Deliberate limits: the permission to write deny policies is iam.denypolicies.* when the
 * role catalogue knows it, else resourcemanager.projects.setIamPolicy (or the folder's or
 * organization's), as the small built-in catalogue has no role/iam.denyAdmin; operations
 * are not kept (operations.get is not emulated); the 5-policies-per-resource quota is
 * not enforced; no paging of the list.
 */
#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/iamext.h"
#include "core/clock.h"
#include "core/dbuf.h"
#include "core/http.h"
#include "core/jwt.h"
#include "core/store.h"
#include "iam/deny.h"
#include "iam/iam.h"

#include <errno.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE "iam.googleapis.com"
#define CRM "cloudresourcemanager.googleapis.com/"
#define COLLECTION "/iam/v2/policies/{ap}/denypolicies"

/* What every method needs. */
struct dctx {
	struct caller who;
	char shown[256];    /* the attachment point as requested, decoded (for errors) */
	char resource[160]; /* gkeid's name of it: "projects/ID", "folders/N" */
	char name_ap[256];  /* in policy names: "cloudresourcemanager.googleapis.com%2F..." */
	char name[384];	    /* policies/AP/denypolicies/ID (ID may be empty) */
	char key[512];	    /* IAM_DENY_PREFIX resource/ID */
	const char *id;	    /* the policy ID of the path, or NULL */
};

static void reply_invalid(struct http_req *r)
{
	http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "Request contains an invalid argument.");
}

static void reply_not_found(struct http_req *r)
{
	http_reply_gerror(r, 404, NULL, NULL, NULL, NULL, "Requested entity was not found.");
}

/* A stale etag, in the ABORTED text of IAM policies. */
static void reply_aborted(struct http_req *r)
{
	http_reply_gerror(r, 409, "ABORTED", NULL, NULL, NULL,
			  "There were concurrent policy changes. Please retry the whole "
			  "read-modify-write with exponential backoff.");
}

static void reply_denied(struct http_req *r, const char *verb, const struct dctx *x)
{
	http_reply_gerror(r, 403, NULL, "IAM_PERMISSION_DENIED", SERVICE, NULL,
			  "Permission iam.googleapis.com/denypolicies.%s denied on resource %s",
			  verb, x->shown);
}

/* Resolves the attachment point of the path into x. 0, or -1 after replying. */
static int resolve(struct http_req *r, struct dctx *x)
{
	struct cloud *c = r->app;
	const char *ap = http_param(r, "ap");
	char *dec = ap ? evhttp_uridecode(ap, 0, NULL) : NULL;
	const char *rest;
	json_t *o = NULL;
	int rc = -1;

	if (!dec || strncmp(dec, CRM, strlen(CRM)) != 0) {
		reply_invalid(r);
		goto out;
	}
	gerr_echo(x->shown, sizeof(x->shown), dec);
	rest = dec + strlen(CRM);
	if (!strncmp(rest, "projects/", 9) && cloud_id_ok(rest + 9)) {
		o = cloud_project_get(c, rest + 9);
		if (!o ||
		    SFMT(x->resource, "projects/%s",
			 json_string_value(json_object_get(o, "projectId"))) < 0 ||
		    SFMT(x->name_ap, "cloudresourcemanager.googleapis.com%%2Fprojects%%2F%s",
			 json_string_value(json_object_get(o, "projectNumber"))) < 0) {
			rc = -2;
			goto out;
		}
	} else if ((!strncmp(rest, "folders/", 8) && cloud_id_ok(rest + 8)) ||
		   (!strncmp(rest, "organizations/", 14) && cloud_id_ok(rest + 14))) {
		char key[200];
		const char *slash = strchr(rest, '/');

		if (SFMT(key, "/%s", rest) < 0 || !(o = cloud_store_get_json(c->store, key)) ||
		    SFMT(x->resource, "%s", rest) < 0 ||
		    SFMT(x->name_ap, "cloudresourcemanager.googleapis.com%%2F%.*s%%2F%s",
			 (int)(slash - rest), rest, slash + 1) < 0) {
			rc = -2;
			goto out;
		}
	} else {
		reply_invalid(r);
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	free(dec);
	return rc;
}

/* The permission a method needs on the attachment point: iam.denypolicies.VERB, or, with
 * a catalogue that lacks it, the resource's own get/setIamPolicy. */
static int allowed(struct cloud *c, const struct dctx *x, const char *verb)
{
	char perm[128];
	const char *chain[1] = {x->resource};
	int write = strcmp(verb, "get") != 0 && strcmp(verb, "list") != 0;

	if (SFMT(perm, "iam.denypolicies.%s", verb) < 0)
		return 0;
	if (!iam_permission_known(c->iam, perm)) {
		const char *kind = !strncmp(x->resource, "projects/", 9)  ? "projects"
				   : !strncmp(x->resource, "folders/", 8) ? "folders"
									  : "organizations";
		if (SFMT(perm, "resourcemanager.%s.%s", kind,
			 write ? "setIamPolicy" : "getIamPolicy") < 0)
			return 0;
	}
	return cloud_allowed(c, &x->who, chain, 1, perm);
}

/* Authenticates, resolves the attachment point, checks the permission. 0, or -1 after
 * replying. */
static int open_ctx(struct http_req *r, struct dctx *x, const char *verb)
{
	struct cloud *c = r->app;
	int rc;

	memset(x, 0, sizeof(*x));
	if (cloud_authenticate(c, r, SERVICE, &x->who) != 0)
		return -1;
	rc = resolve(r, x);
	if (rc == -1)
		return -1;
	if (rc < 0 || !allowed(c, x, verb)) {
		reply_denied(r, verb, x);
		return -1;
	}
	x->id = http_param(r, "id");
	if (SFMT(x->name, "policies/%s/denypolicies/%s", x->name_ap, x->id ? x->id : "") < 0 ||
	    SFMT(x->key, "%s%s/%s", IAM_DENY_PREFIX, x->resource, x->id ? x->id : "") < 0) {
		reply_invalid(r);
		return -1;
	}
	return 0;
}

/* The stored policy (new reference) and its revision, or NULL. */
static json_t *load(struct cloud *c, const char *key, int64_t *rev)
{
	struct store_kv kv = {0};
	json_t *j = NULL;

	if (store_get(c->store, key, &kv) == 0) {
		j = json_loadb(kv.value, kv.value_len, 0, NULL);
		*rev = kv.mod_rev;
	}
	store_kv_free(&kv);
	return json_is_object(j) ? j : (json_decref(j), NULL);
}

/* The policy as the API shows it: stored fields and the etag. New reference. */
static json_t *view(const json_t *stored, int64_t rev)
{
	json_t *o = json_deep_copy(stored);
	char *etag = iam_etag_of(rev);

	if (!o || !etag || json_object_set_new(o, "etag", json_string(etag)) < 0) {
		json_decref(o);
		o = NULL;
	}
	free(etag);
	return o;
}

/* Replies the done operation of a write whose result is policy (borrowed). */
static void reply_operation(struct http_req *r, const struct dctx *x, const json_t *policy,
			    const char *when)
{
	unsigned char b[8];
	char opid[17], opname[448];
	json_t *resp = json_deep_copy(policy), *op;

	if (random_bytes(b, sizeof(b)) != 0 || !resp) {
		json_decref(resp);
		return cloud_reply_internal(r);
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(opid + 2 * i, 3, "%02x", b[i]);
	if (SFMT(opname, "%s/operations/%s", x->name, opid) < 0 ||
	    json_object_set_new(resp, "@type",
				json_string("type.googleapis.com/google.iam.v2.Policy")) < 0) {
		json_decref(resp);
		return cloud_reply_internal(r);
	}
	op = json_pack("{s:s, s:{s:s, s:s}, s:b, s:o}", "name", opname, "metadata", "@type",
		       "type.googleapis.com/google.iam.v2.PolicyOperationMetadata", "createTime",
		       when, "done", 1, "response", resp);
	if (!op)
		return cloud_reply_internal(r);
	http_reply_json(r, 200, op);
}

static void now_text(char out[CLOCK_RFC3339_LEN])
{
	clock_rfc3339(cloud_now_ms() / 1000, out);
}

/* Copies the writable fields of body (a Policy) into policy, checked. 0 or -1 after
 * replying. */
static int take_fields(struct http_req *r, const json_t *body, json_t *policy)
{
	static const char *const names[] = {"name",
					    "uid",
					    "kind",
					    "displayName",
					    "annotations",
					    "etag",
					    "createTime",
					    "updateTime",
					    "deleteTime",
					    "rules",
					    "managingAuthority",
					    NULL};
	const json_t *dn = json_object_get(body, "displayName");
	const json_t *an = json_object_get(body, "annotations");
	const json_t *rules = json_object_get(body, "rules");
	char *err = NULL;
	int rc;

	if (gerr_check_names(r, body, "", names) != 0)
		return -1;
	if ((dn && (!json_is_string(dn) || json_string_length(dn) > 63)) ||
	    (an && !json_is_object(an)) || (rules && !json_is_array(rules))) {
		reply_invalid(r);
		return -1;
	}
	rc = iam_deny_validate(rules, &err);
	free(err); /* the log's: the API answers Google's generic text */
	if (rc == -ENOMEM)
		return cloud_reply_internal(r), -1;
	if (rc < 0)
		return reply_invalid(r), -1;
	if (json_object_set_new(policy, "displayName",
				json_string(dn ? json_string_value(dn) : "")) < 0 ||
	    (an && json_object_set(policy, "annotations", (json_t *)an) < 0) ||
	    json_object_set_new(policy, "rules", rules ? json_deep_copy(rules) : json_array()) < 0)
		return cloud_reply_internal(r), -1;
	if (!dn || !*json_string_value(dn))
		json_object_del(policy, "displayName");
	return 0;
}

/* "[a-z][a-z0-9.-]{2,62}" (CreatePolicyRequest.policy_id) */
static int policy_id_ok(const char *id)
{
	size_t n = 0;

	if (!id || !(id[0] >= 'a' && id[0] <= 'z'))
		return 0;
	for (; id[n]; n++)
		if (!((id[n] >= 'a' && id[n] <= 'z') || (id[n] >= '0' && id[n] <= '9') ||
		      id[n] == '-' || id[n] == '.'))
			return 0;
	return n >= 3 && n <= 63;
}

/* Writes policy at x->key over rev and replies its operation. */
static void save(struct http_req *r, const struct dctx *x, json_t *policy, int64_t rev,
		 const char *when)
{
	struct cloud *c = r->app;
	char *data = json_dumps(policy, JSON_COMPACT);
	int64_t new_rev = 0;
	json_t *out;
	int rc;

	if (!data)
		return cloud_reply_internal(r);
	rc = store_put(c->store, x->key, data, strlen(data), rev, &new_rev);
	free(data);
	if (rc == -EEXIST || (rc == -ECANCELED && rev == STORE_ABSENT))
		return http_reply_gerror(r, 409, "ALREADY_EXISTS", NULL, NULL, NULL,
					 "Requested entity already exists.");
	if (rc == -ECANCELED)
		return reply_aborted(r);
	if (rc < 0 || !(out = view(policy, new_rev)))
		return cloud_reply_internal(r);
	reply_operation(r, x, out, when);
	json_decref(out);
}

/* POST COLLECTION?policyId=ID {Policy} */
static void deny_create(struct http_req *r)
{
	struct dctx x;
	json_t *body = NULL, *policy = NULL;
	const char *id = http_query(r, "policyId");
	char uid[37], when[CLOCK_RFC3339_LEN], key[512];

	if (open_ctx(r, &x, "create") != 0 || !(body = http_json_body(r, 0)))
		goto out;
	if (!policy_id_ok(id)) {
		reply_invalid(r);
		goto out;
	}
	x.id = id;
	if (SFMT(x.name, "policies/%s/denypolicies/%s", x.name_ap, id) < 0 ||
	    SFMT(key, "%s%s/%s", IAM_DENY_PREFIX, x.resource, id) < 0 ||
	    SFMT(x.key, "%s", key) < 0) {
		reply_invalid(r);
		goto out;
	}
	now_text(when);
	if (random_uuid4(uid) != 0 ||
	    !(policy = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", x.name, "uid", uid, "kind",
				 "DenyPolicy", "createTime", when, "updateTime", when))) {
		cloud_reply_internal(r);
		goto out;
	}
	if (take_fields(r, body, policy) != 0)
		goto out;
	save(r, &x, policy, STORE_ABSENT, when);
out:
	json_decref(body);
	json_decref(policy);
}

/* GET COLLECTION: the policies without their rules. */
static void deny_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct dctx x;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *list = NULL, *out = NULL;

	if (open_ctx(r, &x, "list") != 0)
		goto out;
	if (store_range(c->store, x.key, 0, &kvs, &n, NULL) < 0 || !(list = json_array()) ||
	    !(out = json_object())) {
		cloud_reply_internal(r);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		json_t *v = p ? view(p, kvs[i].mod_rev) : NULL;

		json_decref(p);
		if (!v)
			continue;
		json_object_del(v, "rules");
		json_array_append_new(list, v);
	}
	if (json_array_size(list))
		json_object_set(out, "policies", list);
	http_reply_json(r, 200, out);
	out = NULL;
out:
	store_kvs_free(kvs, n);
	json_decref(list);
	json_decref(out);
}

/* GET COLLECTION/{id} */
static void deny_get(struct http_req *r)
{
	struct dctx x;
	json_t *p = NULL, *v;
	int64_t rev = 0;

	if (open_ctx(r, &x, "get") != 0)
		goto out;
	if (!(p = load(r->app, x.key, &rev)))
		return reply_not_found(r);
	if (!(v = view(p, rev)))
		cloud_reply_internal(r);
	else
		http_reply_json(r, 200, v);
out:
	json_decref(p);
}

/* True (after replying 409 ABORTED) when etag is given and is not rev's. */
static int stale(struct http_req *r, const char *etag, int64_t rev)
{
	int64_t want;

	if (!etag || !*etag || (iam_etag_parse(etag, &want) == 0 && want == rev))
		return 0;
	reply_aborted(r);
	return 1;
}

/* PUT COLLECTION/{id} {Policy with etag} */
static void deny_update(struct http_req *r)
{
	struct dctx x;
	json_t *body = NULL, *p = NULL;
	char when[CLOCK_RFC3339_LEN];
	int64_t rev = 0;

	if (open_ctx(r, &x, "update") != 0 || !(body = http_json_body(r, 0)))
		goto out;
	if (!(p = load(r->app, x.key, &rev))) {
		reply_not_found(r);
		goto out;
	}
	if (stale(r, json_string_value(json_object_get(body, "etag")), rev))
		goto out;
	json_object_del(p, "annotations");
	if (take_fields(r, body, p) != 0)
		goto out;
	now_text(when);
	json_object_set_new(p, "updateTime", json_string(when));
	save(r, &x, p, rev, when);
out:
	json_decref(body);
	json_decref(p);
}

/* DELETE COLLECTION/{id}?etag=E */
static void deny_delete(struct http_req *r)
{
	struct cloud *c = r->app;
	struct dctx x;
	json_t *p = NULL, *v = NULL;
	const char *etag = http_query(r, "etag");
	char when[CLOCK_RFC3339_LEN];
	int64_t rev = 0;
	int rc;

	if (open_ctx(r, &x, "delete") != 0)
		goto out;
	if (!(p = load(c, x.key, &rev))) {
		reply_not_found(r);
		goto out;
	}
	if (stale(r, etag, rev))
		goto out;
	rc = store_delete(c->store, x.key, rev, NULL);
	if (rc < 0) {
		cloud_reply_internal(r);
		goto out;
	}
	now_text(when);
	json_object_set_new(p, "deleteTime", json_string(when));
	if (!(v = view(p, rev))) {
		cloud_reply_internal(r);
		goto out;
	}
	reply_operation(r, &x, v, when);
out:
	json_decref(v);
	json_decref(p);
}

const struct http_route denypolicies_routes[] = {
	{"POST", COLLECTION, deny_create},	     {"GET", COLLECTION, deny_list},
	{"GET", COLLECTION "/{id}", deny_get},	     {"PUT", COLLECTION "/{id}", deny_update},
	{"DELETE", COLLECTION "/{id}", deny_delete},
};
const size_t denypolicies_n_routes = sizeof(denypolicies_routes) / sizeof(denypolicies_routes[0]);
