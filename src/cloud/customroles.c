/*
 * customroles.c - custom roles in the IAM API, of projects and of organizations (v1
 * projects.roles and organizations.roles: create, get, list, patch, delete, undelete),
 * behind `gcloud iam roles create|describe|list|update|delete|undelete|copy --project |
 * --organization`. A role is kept at IAM_CUSTOM_ROLE_PREFIX + its name
 * ("projects/P/roles/R", "organizations/O/roles/R") as the API shows it without its etag
 * (the key's store revision); the IAM engine follows those keys (iam/customrole.c), so a
 * role binds and grants like a predefined one, in a policy of any resource.
 *
 * Google's texts used: an unknown permission ("Permission X is not valid.",
 * terraform-provider-google#14033 and others), a bad role ID (its pattern and sentence,
 * k8s-config-connector#210), a role that is not there ("The role named ... was not
 * found.", as iamapi.c), a stale etag (the ABORTED text of policies). A project's role may
 * not hold the permissions that act only on folders and organizations (Google's custom
 * roles page; refused with the same text, as terraform-google-iam#158 shows for
 * resourcemanager.projects.list); an organization's role may. An organization's methods
 * refuse a caller as Google does: "You don't have permission to create a role in
 * organizations/O." (terraform-provider-google#11680), "... to get the role at
 * organizations/O/roles/R." (cloud-foundation-fabric#1834), with the IAM ErrorInfo; for
 * list, update, delete and undelete Google's text was not found, and the answer is the
 * generic IAM 403 that projects give. Deliberate limits: no paging of the list, no
 * permission support levels beyond that rule, and deleted roles are never purged.
 */
#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/iamext.h"
#include "core/dbuf.h"
#include "core/http.h"
#include "core/store.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SERVICE "iam.googleapis.com"
#define MAX_PERMS 3000 /* Google's limit on a custom role's permissions */

static const char *const stages[] = {"ALPHA", "BETA", "GA", "DEPRECATED", "DISABLED", "EAP"};

/* What every method needs: the caller allowed, the parent, the role's name and key. */
struct rctx {
	struct caller who;
	int org;	  /* the parent is an organization */
	char parent[160]; /* projects/P or organizations/O */
	char name[384];	  /* PARENT/roles/R (R may be empty: the collection) */
	char key[512];
};

/* An organization's refusal, in Google's words for create and get (see the top). */
static void reply_org_denied(struct http_req *r, const struct rctx *x, const char *permission)
{
	int coll = strcmp(permission, "iam.roles.create") == 0 ||
		   strcmp(permission, "iam.roles.list") == 0;
	json_t *md = json_pack("{s:s, s:s}", "permission", permission, "resource",
			       coll ? x->parent : x->name);

	if (strcmp(permission, "iam.roles.create") == 0)
		http_reply_gerror(r, 403, "PERMISSION_DENIED", "IAM_PERMISSION_DENIED", SERVICE, md,
				  "You don't have permission to create a role in %s.", x->parent);
	else if (strcmp(permission, "iam.roles.get") == 0)
		http_reply_gerror(r, 403, "PERMISSION_DENIED", "IAM_PERMISSION_DENIED", SERVICE, md,
				  "You don't have permission to get the role at %s.", x->name);
	else {
		json_decref(md);
		cloud_reply_permission_denied(r, permission);
	}
}

/* The parent named by the path: "projects/P" of a known project, or "organizations/O" of
 * a known organization, in x->parent. 0, or -ENOENT. */
static int find_parent(struct cloud *c, struct http_req *r, struct rctx *x)
{
	const char *org = http_param(r, "org");
	json_t *p;
	int rc = -ENOENT;

	if (org) {
		char key[200];

		x->org = 1;
		if (SFMT(x->parent, "organizations/%.100s", org) < 0 || !*org ||
		    strspn(org, "0123456789") != strlen(org) || SFMT(key, "/%s", x->parent) < 0 ||
		    !(p = cloud_store_get_json(c->store, key)))
			return -ENOENT;
		json_decref(p);
		return 0;
	}
	p = cloud_project_get(c, http_param(r, "project"));
	if (p &&
	    SFMT(x->parent, "projects/%s", json_string_value(json_object_get(p, "projectId"))) >= 0)
		rc = 0;
	json_decref(p);
	return rc;
}

/* Authenticates, resolves the parent, checks permission on it. 0, or -1 after replying. */
static int open_ctx(struct http_req *r, struct rctx *x, const char *permission)
{
	struct cloud *c = r->app;
	const char *role = http_param(r, "role");
	const char *chain[1] = {x->parent};
	int found;

	memset(x, 0, sizeof(*x));
	if (cloud_authenticate(c, r, SERVICE, &x->who) != 0)
		return -1;
	found = find_parent(c, r, x) == 0;
	if (found && (SFMT(x->name, "%s/roles/%s", x->parent, role ? role : "") < 0 ||
		      SFMT(x->key, "%s%s", IAM_CUSTOM_ROLE_PREFIX, x->name) < 0)) {
		gerr_bad_request(r, NULL, "The role name is too long.");
		return -1;
	}
	if (!found || !cloud_allowed(c, &x->who, chain, 1, permission)) {
		if (x->org && !found)
			(void)SFMT(x->name, "%s/roles/%s", x->parent, role ? role : "");
		if (x->org)
			reply_org_denied(r, x, permission);
		else
			cloud_reply_permission_denied(r, permission);
		return -1;
	}
	return 0;
}

/* The stored role (new reference) and its revision, or NULL when absent. */
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

/* The role as the API shows it: the stored fields and the etag; view BASIC drops the
 * permissions. New reference. */
static json_t *view(const json_t *stored, int64_t rev, int full)
{
	json_t *o = json_deep_copy(stored);
	char *etag = iam_etag_of(rev);

	if (!o || !etag || json_object_set_new(o, "etag", json_string(etag)) < 0 ||
	    (!full && json_object_del(o, "includedPermissions") < 0 &&
	     json_object_get(o, "includedPermissions"))) {
		json_decref(o);
		o = NULL;
	}
	free(etag);
	return o;
}

/* A stale etag, in the ABORTED text of policies. */
static void reply_aborted(struct http_req *r)
{
	http_reply_gerror(r, 409, "ABORTED", NULL, NULL, NULL,
			  "There were concurrent policy changes. Please retry the whole "
			  "read-modify-write with exponential backoff.");
}

static void reply_not_found(struct http_req *r, const struct rctx *x)
{
	http_reply_gerror(r, 404, NULL, NULL, NULL, NULL, "The role named %s was not found.",
			  x->name);
}

/* True when a project's custom role may hold permission: not one that acts only on
 * folders or organizations (Google's custom roles page; resourcemanager.projects.list,
 * terraform-google-iam#158). */
int customroles_project_permission_ok(const char *permission)
{
	return strncmp(permission, "resourcemanager.organizations.", 30) != 0 &&
	       strncmp(permission, "resourcemanager.folders.", 24) != 0 &&
	       strcmp(permission, "resourcemanager.projects.list") != 0;
}

/* Checks and copies the writable fields of body's role into role (only those named by
 * mask, a comma-separated list, when mask is non-NULL); org: the role is an
 * organization's. 0, or -1 after replying. */
static int take_fields(struct http_req *r, struct iam *iam, const json_t *src, const char *mask,
		       int org, json_t *role)
{
	static const char *const fields[] = {"title", "description", "includedPermissions",
					     "stage"};
	const json_t *v, *p;
	size_t i, k;

	for (k = 0; k < 4; k++) {
		if (mask && !strstr(mask, fields[k]))
			continue;
		v = json_object_get(src, fields[k]);
		if (!v && mask == NULL)
			continue;
		if (k == 2) {
			json_t *set = json_array();

			if (!set)
				return cloud_reply_internal(r), -1;
			if (v && !json_is_array(v)) {
				json_decref(set);
				return gerr_bad_value(r, "role.included_permissions", "TYPE_STRING",
						      v),
				       -1;
			}
			json_array_foreach(v, i, p)
			{
				if (!json_is_string(p) ||
				    !iam_permission_known(iam, json_string_value(p)) ||
				    (!org &&
				     !customroles_project_permission_ok(json_string_value(p)))) {
					json_decref(set);
					http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
							  "Permission %.200s is not valid.",
							  json_is_string(p) ? json_string_value(p)
									    : "");
					return -1;
				}
				if (i < MAX_PERMS &&
				    json_array_append_new(set, json_string(json_string_value(p))) <
					    0) {
					json_decref(set);
					return cloud_reply_internal(r), -1;
				}
			}
			if (json_object_set_new(role, fields[k], set) < 0)
				return cloud_reply_internal(r), -1;
			continue;
		}
		if (k == 3 && v) {
			size_t s;

			for (s = 0; s < 6 && !(json_is_string(v) &&
					       !strcmp(json_string_value(v), stages[s]));
			     s++)
				;
			if (s == 6)
				return gerr_bad_value(r, "role.stage", "TYPE_ENUM", v), -1;
		}
		if (v && !json_is_string(v))
			return gerr_bad_value(r, fields[k], "TYPE_STRING", v), -1;
		if (json_object_set_new(role, fields[k],
					json_string(v ? json_string_value(v) : "")) < 0)
			return cloud_reply_internal(r), -1;
	}
	return 0;
}

/* "[a-zA-Z0-9_\.]{3,64}" */
static int role_id_ok(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= 'a' && id[n] <= 'z') || (id[n] >= 'A' && id[n] <= 'Z') ||
		      (id[n] >= '0' && id[n] <= '9') || id[n] == '_' || id[n] == '.'))
			return 0;
	return n >= 3 && n <= 64;
}

/* Writes role at x->key over revision rev (STORE_ABSENT: new) and replies with it. */
static void save_and_reply(struct http_req *r, const struct rctx *x, json_t *role, int64_t rev)
{
	struct cloud *c = r->app;
	char *data = json_dumps(role, JSON_COMPACT);
	int64_t new_rev = 0;
	json_t *out;
	int rc;

	if (!data)
		return cloud_reply_internal(r);
	rc = store_put(c->store, x->key, data, strlen(data), rev, &new_rev);
	free(data);
	if (rc == -ECANCELED || rc == -EEXIST) {
		reply_aborted(r);
		return;
	}
	if (rc < 0 || !(out = view(role, new_rev, 1)))
		return cloud_reply_internal(r);
	http_reply_json(r, 200, out);
}

/* POST /iam/v1/projects/{project}/roles {"roleId","role":{...}} */
static void role_create(struct http_req *r)
{
	struct cloud *c = r->app;
	struct rctx x;
	json_t *body = NULL, *role = NULL, *old = NULL;
	const char *id;
	int64_t rev = 0;

	if (open_ctx(r, &x, "iam.roles.create") != 0 || !(body = http_json_body(r, 0)))
		goto out;
	id = json_string_value(json_object_get(body, "roleId"));
	if (!id || !role_id_ok(id)) {
		http_reply_gerror(
			r, 400, NULL, NULL, NULL, NULL,
			"The role_id \"%.100s\" is invalid. It doesn't match pattern "
			"\"[a-zA-Z0-9_\\.]{3,64}\". The role_id must be 3 to 64 characters "
			"long and can be a mix of uppercase and lowercase English letters, "
			"digits, underscores and periods.",
			id ? id : "");
		goto out;
	}
	if (SFMT(x.name, "%s/roles/%s", x.parent, id) < 0 ||
	    SFMT(x.key, "%s%s", IAM_CUSTOM_ROLE_PREFIX, x.name) < 0) {
		cloud_reply_internal(r);
		goto out;
	}
	if ((old = load(c, x.key, &rev))) {
		http_reply_gerror(r, 409, NULL, NULL, NULL, NULL,
				  "A role named %s in %s already exists.", id, x.parent);
		goto out;
	}
	if (!(role = json_pack("{s:s,s:s}", "name", x.name, "stage", "ALPHA")) ||
	    take_fields(r, c->iam, json_object_get(body, "role"), NULL, x.org, role) != 0) {
		if (!role)
			cloud_reply_internal(r);
		goto out;
	}
	save_and_reply(r, &x, role, STORE_ABSENT);
out:
	json_decref(old);
	json_decref(role);
	json_decref(body);
}

/* GET /iam/v1/projects/{project}/roles/{role} */
static void role_get(struct http_req *r)
{
	struct cloud *c = r->app;
	struct rctx x;
	json_t *role, *out;
	int64_t rev = 0;

	if (open_ctx(r, &x, "iam.roles.get") != 0)
		return;
	if (!(role = load(c, x.key, &rev)))
		return reply_not_found(r, &x);
	out = view(role, rev, 1);
	json_decref(role);
	if (!out)
		return cloud_reply_internal(r);
	http_reply_json(r, 200, out);
}

/* GET /iam/v1/projects/{project}/roles?view=&showDeleted= */
static void role_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct rctx x;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	const char *v = http_query(r, "view"), *sd = http_query(r, "showDeleted");
	int full = v && strcmp(v, "FULL") == 0, deleted = sd && strcasecmp(sd, "true") == 0;
	json_t *roles = NULL, *resp = NULL;

	if (open_ctx(r, &x, "iam.roles.list") != 0)
		return;
	if (store_range(c->store, x.key, 0, &kvs, &n, NULL) < 0 || !(roles = json_array()) ||
	    !(resp = json_object()))
		goto internal;
	for (size_t i = 0; i < n; i++) {
		json_t *role = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);

		if (json_is_object(role) &&
		    (deleted || !json_is_true(json_object_get(role, "deleted"))) &&
		    json_array_append_new(roles, view(role, kvs[i].mod_rev, full)) < 0) {
			json_decref(role);
			goto internal;
		}
		json_decref(role);
	}
	if (json_array_size(roles) > 0 && json_object_set(resp, "roles", roles) < 0)
		goto internal;
	http_reply_json(r, 200, resp);
	resp = NULL;
	goto out;
internal:
	cloud_reply_internal(r);
out:
	store_kvs_free(kvs, n);
	json_decref(roles);
	json_decref(resp);
}

/* The role of x with its etag checked against etag (when given). NULL after replying. */
static json_t *load_for_write(struct http_req *r, const struct rctx *x, const json_t *etag,
			      int64_t *rev)
{
	struct cloud *c = r->app;
	json_t *role = load(c, x->key, rev);
	int64_t want = 0;

	if (!role) {
		reply_not_found(r, x);
		return NULL;
	}
	if (json_is_string(etag) && json_string_length(etag) > 0 &&
	    (iam_etag_parse(json_string_value(etag), &want) < 0 || want != *rev)) {
		json_decref(role);
		reply_aborted(r);
		return NULL;
	}
	return role;
}

/* PATCH /iam/v1/projects/{project}/roles/{role}?updateMask= {Role} */
static void role_patch(struct http_req *r)
{
	struct cloud *c = r->app;
	struct rctx x;
	json_t *body = NULL, *role = NULL;
	int64_t rev = 0;

	if (open_ctx(r, &x, "iam.roles.update") != 0 || !(body = http_json_body(r, 0)))
		goto out;
	if (!(role = load_for_write(r, &x, json_object_get(body, "etag"), &rev)))
		goto out;
	if (take_fields(r, c->iam, body, http_query(r, "updateMask"), x.org, role) == 0)
		save_and_reply(r, &x, role, rev);
out:
	json_decref(role);
	json_decref(body);
}

/* DELETE .../roles/{role}?etag= and POST .../roles/{role}:undelete {"etag"}. */
static void set_deleted(struct http_req *r, int deleted)
{
	struct rctx x;
	json_t *body = NULL, *role = NULL, *etag = NULL;
	int64_t rev = 0;

	if (open_ctx(r, &x, deleted ? "iam.roles.delete" : "iam.roles.undelete") != 0)
		goto out;
	if (!deleted && !(body = http_json_body(r, 1)))
		goto out;
	etag = deleted ? json_string(http_query(r, "etag") ? http_query(r, "etag") : "")
		       : json_incref(json_object_get(body, "etag"));
	if (!(role = load_for_write(r, &x, etag, &rev)))
		goto out;
	if (deleted ? json_object_set_new(role, "deleted", json_true()) < 0
		    : json_object_del(role, "deleted") < 0 && json_object_get(role, "deleted")) {
		cloud_reply_internal(r);
		goto out;
	}
	save_and_reply(r, &x, role, rev);
out:
	json_decref(etag);
	json_decref(role);
	json_decref(body);
}

static void role_delete(struct http_req *r)
{
	set_deleted(r, 1);
}

static void role_undelete(struct http_req *r)
{
	set_deleted(r, 0);
}

#define ROLE_PATH "/iam/v1/projects/{project}/roles/{role}"
#define ORG_ROLE_PATH "/iam/v1/organizations/{org}/roles/{role}"

const struct http_route customroles_routes[] = {
	{"POST", "/iam/v1/projects/{project}/roles", role_create},
	{"GET", "/iam/v1/projects/{project}/roles", role_list},
	{"GET", ROLE_PATH, role_get},
	{"PATCH", ROLE_PATH, role_patch},
	{"DELETE", ROLE_PATH, role_delete},
	{"POST", ROLE_PATH ":undelete", role_undelete},
	{"POST", "/iam/v1/organizations/{org}/roles", role_create},
	{"GET", "/iam/v1/organizations/{org}/roles", role_list},
	{"GET", ORG_ROLE_PATH, role_get},
	{"PATCH", ORG_ROLE_PATH, role_patch},
	{"DELETE", ORG_ROLE_PATH, role_delete},
	{"POST", ORG_ROLE_PATH ":undelete", role_undelete},
};
const size_t customroles_n_routes = sizeof(customroles_routes) / sizeof(customroles_routes[0]);

int iamext_own_project_name(const struct cloud *c, const char *name)
{
	const char *host = strstr(c->base_url, "://");
	char prefix[256];

	if (!host || SFMT(prefix, "//%s/cloudresourcemanager/projects/", host + 3) < 0 ||
	    strncmp(name, prefix, strlen(prefix)) != 0)
		return 0;
	name += strlen(prefix);
	return *name && !strchr(name, '/');
}

int iamext_org_name(const struct cloud *c, const char *name)
{
	static const char google[] = "//cloudresourcemanager.googleapis.com/organizations/";
	const char *host = strstr(c->base_url, "://");
	char own[256];

	if (strncmp(name, google, sizeof(google) - 1) == 0)
		name += sizeof(google) - 1;
	else if (host && SFMT(own, "//%s/cloudresourcemanager/organizations/", host + 3) >= 0 &&
		 strncmp(name, own, strlen(own)) == 0)
		name += strlen(own);
	else
		return 0;
	return *name && strspn(name, "0123456789") == strlen(name);
}
