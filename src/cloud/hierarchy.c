/*
 * hierarchy.c - Resource Manager's hierarchy: organizations (v1 search, get and their
 * allow policies), folders (v2 list, get and their allow policies), and the lifecycle of
 * projects (v1 create with its long-running operation, delete to DELETE_REQUESTED,
 * undelete), as gcloud's `organizations`, `resource-manager folders` and `projects
 * create|delete|undelete` call them. Store layout in hier.h.
 *
 * Visibility is Google's: a caller sees an organization or folder on which it holds the
 * get permission (directly or from an ancestor); anything else is the same 403 "The
 * caller does not have permission" whether or not it exists, and a search finds nothing.
 */
#include "cloud/hier.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cloud/gerrors.h"
#include "core/clock.h"
#include "core/dbuf.h"
#include "core/store.h"
#include "iam/ancestry.h"

#define SERVICE "cloudresourcemanager.googleapis.com"
#define DENIED "The caller does not have permission"
#define BASE "/cloudresourcemanager/"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int digits(const char *s, size_t max)
{
	size_t n = s ? strspn(s, "0123456789") : 0;
	return n > 0 && n <= max && s[n] == '\0';
}

void hier_deny(struct http_req *r)
{
	http_reply_gerror(r, 403, "PERMISSION_DENIED", NULL, NULL, NULL, DENIED);
}

void hier_internal(struct http_req *r)
{
	cloud_reply_internal(r);
}

int hier_allowed(struct cloud *c, const struct caller *who, const char *resource,
		 const char *permission)
{
	const char *res[] = {resource};
	return cloud_allowed(c, who, res, 1, permission);
}

int hier_put_json(struct store *s, const char *key, const json_t *j, int64_t expected)
{
	char *v = json_dumps(j, JSON_COMPACT);
	int rc = v ? store_put(s, key, v, strlen(v), expected, NULL) : -ENOMEM;
	free(v);
	return rc < 0 ? rc : 0;
}

/* ---- organizations and folders ------------------------------------------------------ */

/* A hierarchy node named by the path (kind "organizations" or "folders", id digits) that
 * the caller may see by permission. A new reference, or NULL after replying. */
static json_t *node_open(struct http_req *r, struct caller *who, const char *kind,
			 const char *permission, char *name, size_t len)
{
	struct cloud *c = r->app;
	const char *id = http_param(r, kind[0] == 'o' ? "org" : "folder");
	char key[64];
	json_t *n = NULL;

	if (cloud_authenticate(c, r, SERVICE, who) != 0)
		return NULL;
	if (digits(id, 32) && sfmt(name, len, "%s/%s", kind, id) >= 0 &&
	    SFMT(key, "/%s", name) >= 0 && hier_allowed(c, who, name, permission))
		n = cloud_store_get_json(c->store, key);
	if (n && hier_project_purged(c, n)) /* a folder 30 days after its deletion */
		json_decref(n), n = NULL;
	if (!n)
		hier_deny(r);
	return n;
}

/* The organization as v1 shows it. */
static json_t *org_view(const json_t *o)
{
	return json_pack("{s:O?, s:O?, s:{s:O?}, s:O?, s:s}", "name", json_object_get(o, "name"),
			 "displayName", json_object_get(o, "displayName"), "owner",
			 "directoryCustomerId", json_object_get(o, "directoryCustomerId"),
			 "creationTime", json_object_get(o, "creationTime"), "lifecycleState",
			 str(o, "lifecycleState") ? str(o, "lifecycleState") : "ACTIVE");
}

/* GET v1/organizations/{org} */
static void org_get(struct http_req *r)
{
	struct caller who;
	char name[64];
	json_t *o = node_open(r, &who, "organizations", "resourcemanager.organizations.get", name,
			      sizeof(name));
	if (o)
		http_reply_json(r, 200, org_view(o));
	json_decref(o);
}

/* The nodes under prefix ("/organizations/", "/folders/") the caller may see, viewed;
 * folders only under parent, and deleted ones only with show_deleted. */
static json_t *nodes_list(struct http_req *r, const char *prefix, const struct caller *who,
			  const char *permission, const char *parent, int show_deleted)
{
	struct cloud *c = r->app;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *list = json_array();

	if (!list || store_range(c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		json_decref(list);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *name = str(o, "name");

		const char *state = str(o, "lifecycleState");
		int deleted = state && strcmp(state, "ACTIVE") != 0;
		if (name && !hier_project_purged(c, o) && hier_allowed(c, who, name, permission) &&
		    (!parent || (str(o, "parent") && strcmp(str(o, "parent"), parent) == 0)) &&
		    (!parent || !deleted || show_deleted))
			json_array_append_new(list, parent ? json_incref(o) : org_view(o));
		json_decref(o);
	}
	store_kvs_free(kvs, n);
	return list;
}

static void reply_list(struct http_req *r, const char *field, json_t *list)
{
	json_t *resp = json_object();

	if (!list || !resp) {
		json_decref(resp);
		hier_internal(r);
	} else {
		if (json_array_size(list))
			json_object_set(resp, field, list);
		http_reply_json(r, 200, resp);
	}
	json_decref(list);
}

/* POST v1/organizations:search {"filter","pageSize","pageToken"} */
static void org_search(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	json_t *body;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0 || !(body = http_json_body(r, 1)))
		return;
	reply_list(r, "organizations",
		   nodes_list(r, "/organizations/", &who, "resourcemanager.organizations.get", NULL,
			      0));
	json_decref(body);
}

/* GET v2/folders/{folder} */
static void folder_get(struct http_req *r)
{
	struct caller who;
	char name[64];
	json_t *f =
		node_open(r, &who, "folders", "resourcemanager.folders.get", name, sizeof(name));
	if (f)
		http_reply_json(r, 200, f);
}

/* GET v2/folders?parent=organizations/O|folders/F&showDeleted= */
static void folder_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	const char *parent = http_query(r, "parent");

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	if (!parent || !*parent) {
		gerr_bad_request(r, "parent", "Request contains an invalid argument.");
		return;
	}
	if (!((strncmp(parent, "organizations/", 14) == 0 && digits(parent + 14, 32)) ||
	      (strncmp(parent, "folders/", 8) == 0 && digits(parent + 8, 32))) ||
	    !hier_allowed(c, &who, parent, "resourcemanager.folders.list")) {
		hier_deny(r);
		return;
	}
	const char *sd = http_query(r, "showDeleted");
	reply_list(r, "folders",
		   nodes_list(r, "/folders/", &who, "resourcemanager.folders.get", parent,
			      sd && strcasecmp(sd, "true") == 0));
}

/* The requested policy version of a getIamPolicy body: 0, 1 or 3; -1 when bad. */
static int body_version(const json_t *body)
{
	json_t *v = json_object_get(json_object_get(body, "options"), "requestedPolicyVersion");
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;

	if (v && !json_is_integer(v) && !json_is_null(v))
		return -1;
	return n == 0 || n == 1 || n == 3 ? (int)n : -1;
}

/* POST {v1/organizations/{org}|v2/folders/{folder}}:getIamPolicy and :setIamPolicy */
static void node_policy(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	char name[64], *err = NULL;
	const char *kind = strstr(r->path, "/organizations/") ? "organizations" : "folders";
	int set = strstr(r->path, ":setIamPolicy") != NULL;
	char perm[80];
	json_t *n, *body = NULL, *out = NULL;
	int rc;

	SFMT(perm, "resourcemanager.%s.%s", kind, set ? "setIamPolicy" : "getIamPolicy");
	if (!(n = node_open(r, &who, kind, perm, name, sizeof(name))) ||
	    !(body = http_json_body(r, 1)))
		goto out;
	if (!set) {
		int v = body_version(body);
		if (v < 0)
			gerr_bad_request(r, "options.requested_policy_version",
					 "Request contains an invalid argument.");
		else if (iam_get_policy(c->iam, name, v, &out) != 0)
			hier_internal(r);
		else
			http_reply_json(r, 200, json_incref(out));
		goto out;
	}
	json_t *policy = json_object_get(body, "policy");
	if (!json_is_object(policy)) {
		gerr_bad_request(r, "policy", "Invalid argument: a policy is required.");
		goto out;
	}
	rc = cloud_policy_members_check(c, name, policy, &err);
	if (rc == 0)
		rc = iam_set_policy(c->iam, name, policy, cloud_now_ms(), &out, &err);
	if (rc == 0)
		http_reply_json(r, 200, json_incref(out));
	else if (rc == -ECANCELED)
		http_reply_gerror(r, 409, "ABORTED", NULL, NULL, NULL,
				  "There were concurrent policy changes. Please retry the whole "
				  "read-modify-write with exponential backoff.");
	else if (rc == -EINVAL)
		http_reply_gerror(r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL, "%s",
				  err ? err : "Request contains an invalid argument.");
	else
		hier_internal(r);
out:
	free(err);
	json_decref(out);
	json_decref(body);
	json_decref(n);
}

/* ---- projects: create, delete, undelete --------------------------------------------- */

int hier_random_digits(char *buf, size_t n)
{
	unsigned char b[32];

	if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
		return -EIO;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)('0' + b[i] % 10);
	buf[0] = (char)('1' + b[0] % 9);
	buf[n] = '\0';
	return 0;
}

/* Google's rule for a project ID: 6-30 of a-z, 0-9 and '-', starting with a letter and
 * not ending with '-'. */
static int project_id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n < 6 || n > 30 || id[0] < 'a' || id[0] > 'z' || id[n - 1] == '-')
		return 0;
	return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The v1 parent {"type","id"} as a resource name in buf; NULL when absent; "" when bad. */
const char *hier_parent_name(const json_t *parent, char *buf, size_t len)
{
	const char *type = str(parent, "type"), *id = str(parent, "id");

	if (!parent || json_is_null(parent))
		return NULL;
	if (!type || !digits(id, 32) ||
	    (strcmp(type, "organization") != 0 && strcmp(type, "folder") != 0) ||
	    sfmt(buf, len, "%ss/%s", type, id) < 0)
		return "";
	return buf;
}

/* The project's owner binding for its creator, as Google grants it. */
static int grant_creator(struct cloud *c, const struct caller *who, const char *resource)
{
	char member[400];
	json_t *pol;
	int rc;

	if (who->kind != CALLER_USER && who->kind != CALLER_SERVICE_ACCOUNT)
		return 0;
	if ((rc = SFMT(member, "%s:%s", who->kind == CALLER_USER ? "user" : "serviceAccount",
		       who->email)) < 0)
		return rc;
	pol = json_pack("{s:[{s:s, s:[s]}]}", "bindings", "role", "roles/owner", "members", member);
	rc = pol ? iam_seed_policy(c->iam, resource, pol) : -ENOMEM;
	json_decref(pol);
	return rc;
}

int hier_operation_put(struct cloud *c, const char *kind, json_t *metadata, json_t *response,
		       json_t *error, json_t **op)
{
	char opid[24], name[48], key[80];
	int rc;

	*op = NULL;
	if ((rc = hier_random_digits(opid, 19)) < 0 ||
	    (rc = SFMT(name, "operations/%s.%s", kind, opid)) < 0 ||
	    (rc = SFMT(key, "/crm/%s", name)) < 0)
		return rc;
	*op = json_pack("{s:s, s:O?, s:b}", "name", name, "metadata", metadata, "done", 1);
	if (!*op)
		return -ENOMEM;
	if (response)
		json_object_set(*op, "response", response);
	if (error)
		json_object_set(*op, "error", error);
	if ((rc = hier_put_json(c->store, key, *op, STORE_ANY_REV)) < 0) {
		json_decref(*op);
		*op = NULL;
	}
	return rc;
}

/* Stores the creation operation and replies with it. */
static void reply_create_op(struct http_req *r, const json_t *project)
{
	struct cloud *c = r->app;
	char now[CLOCK_RFC3339_LEN];
	json_t *op = NULL, *md, *resp = json_deep_copy(project);

	clock_rfc3339(cloud_now_ms() / 1000, now);
	if (resp)
		json_object_set_new(
			resp, "@type",
			json_string("type.googleapis.com/google.cloudresourcemanager.v1.Project"));
	md = json_pack("{s:s, s:s, s:b, s:b}", "@type",
		       "type.googleapis.com/google.cloudresourcemanager.v1.ProjectCreationStatus",
		       "createTime", now, "gettable", 1, "ready", 1);
	if (!resp || !md || hier_operation_put(c, "cp", md, resp, NULL, &op) != 0)
		hier_internal(r);
	else
		http_reply_json(r, 200, json_incref(op));
	json_decref(op);
	json_decref(md);
	json_decref(resp);
}

int hier_expired(const char *delete_time, int64_t now_ms)
{
	int64_t at;

	return delete_time && clock_parse_rfc3339(delete_time, &at) == 0 &&
	       now_ms - at * 1000 > HIER_RETENTION_MS;
}

int hier_project_purged(struct cloud *c, const json_t *p)
{
	const char *id = str(p, "projectId"), *state = str(p, "lifecycleState");
	const char *folder = str(p, "name");
	char key[64], res[64], now[CLOCK_RFC3339_LEN];
	json_t *mark;
	int rc = 0;

	if (!state || strcmp(state, "DELETE_REQUESTED") != 0 ||
	    !hier_expired(str(p, "deleteTime"), cloud_now_ms()))
		return 0;
	if (!id) { /* a folder: its numeric ID is never given again anyway */
		if (folder && strncmp(folder, "folders/", 8) == 0 &&
		    SFMT(key, "/%s", folder) >= 0 &&
		    store_delete(c->store, key, STORE_ANY_REV, NULL) == 0)
			(void)iam_parent_put(c->store, folder, NULL);
		return 1;
	}
	if (SFMT(key, "/deleted/projects/%s", id) < 0 || SFMT(res, "projects/%s", id) < 0)
		return 1;
	clock_rfc3339(cloud_now_ms() / 1000, now);
	mark = json_pack("{s:s}", "purgeTime", now);
	rc = mark ? hier_put_json(c->store, key, mark, STORE_ANY_REV) : -ENOMEM;
	json_decref(mark);
	if (rc == 0 && (rc = store_delete(c->store, key + 8, STORE_ANY_REV, NULL)) == -ENOENT)
		rc = 0; /* another request purged it first */
	if (rc == 0)
		(void)iam_parent_put(c->store, res, NULL);
	return 1;
}

/* POST v1/projects {"projectId","name","parent":{"type","id"},"labels"} */
static void project_create(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	char pbuf[64], key[64], num[13], now[CLOCK_RFC3339_LEN];
	json_t *body = NULL, *p = NULL;
	const char *id, *parent;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0 || !(body = http_json_body(r, 0)))
		goto out;
	id = str(body, "projectId");
	parent = hier_parent_name(json_object_get(body, "parent"), pbuf, sizeof(pbuf));
	if (!project_id_ok(id) || (parent && !*parent)) {
		gerr_bad_request(r, project_id_ok(id) ? "parent" : "project_id",
				 "Request contains an invalid argument.");
		goto out;
	}
	if (parent ? !hier_allowed(c, &who, parent, "resourcemanager.projects.create")
		   : who.kind != CALLER_USER) {
		hier_deny(r);
		goto out;
	}
	if (SFMT(key, "/projects/%s", id) < 0 || hier_random_digits(num, 12) != 0) {
		hier_internal(r);
		goto out;
	}
	clock_rfc3339(cloud_now_ms() / 1000, now);
	p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "projectNumber", num, "projectId", id,
		      "lifecycleState", "ACTIVE", "name",
		      str(body, "name") ? str(body, "name") : id, "createTime", now);
	if (p && parent)
		json_object_set(p, "parent", json_object_get(body, "parent"));
	if (p && json_is_object(json_object_get(body, "labels")))
		json_object_set(p, "labels", json_object_get(body, "labels"));
	char gone[80];
	json_t *purged =
		SFMT(gone, "/deleted%s", key) >= 0 ? cloud_store_get_json(c->store, gone) : NULL;
	int rc = !p ? -ENOMEM : purged ? -EEXIST : hier_put_json(c->store, key, p, STORE_ABSENT);
	json_decref(purged);
	if (rc == -EEXIST) {
		http_reply_gerror(r, 409, "ALREADY_EXISTS", NULL, NULL, NULL,
				  "Requested entity already exists");
		goto out;
	}
	if (rc == 0 && parent)
		rc = iam_parent_put(c->store, key + 1, parent);
	if (rc == 0)
		rc = grant_creator(c, &who, key + 1);
	if (rc != 0)
		hier_internal(r);
	else
		reply_create_op(r, p);
out:
	json_decref(p);
	json_decref(body);
}

/* GET v1/operations/{op} */
static void operation_get(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	const char *op = http_param(r, "op");
	char key[96];
	json_t *o = NULL;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	if (cloud_id_ok(op) && SFMT(key, "/crm/operations/%s", op) >= 0)
		o = cloud_store_get_json(c->store, key);
	if (o)
		http_reply_json(r, 200, o);
	else
		http_reply_gerror(r, 404, "NOT_FOUND", NULL, NULL, NULL, "Operation not found.");
}

/* DELETE v1/projects/{project} and POST v1/projects/{project}:undelete: moves the
 * project between ACTIVE and DELETE_REQUESTED. */
static void project_lifecycle(struct http_req *r, int undelete)
{
	struct cloud *c = r->app;
	struct caller who;
	char key[64], res[64];
	struct store_kv kv = {0};
	json_t *p = NULL;
	const char *want = undelete ? "DELETE_REQUESTED" : "ACTIVE";

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	json_t *found = cloud_project_get(c, http_param(r, "project"));
	const char *id = str(found, "projectId");
	if (!id || SFMT(key, "/projects/%s", id) < 0 || SFMT(res, "projects/%s", id) < 0 ||
	    !hier_allowed(c, &who, res,
			  undelete ? "resourcemanager.projects.undelete"
				   : "resourcemanager.projects.delete") ||
	    store_get(c->store, key, &kv) != 0) {
		hier_deny(r);
		goto out;
	}
	p = json_loadb(kv.value, kv.value_len, 0, NULL);
	const char *state = str(p, "lifecycleState") ? str(p, "lifecycleState") : "ACTIVE";
	if (strcmp(state, want) != 0) {
		/* v1: the method affects only a project in that state. */
		http_reply_json(r, 200, json_object());
		goto out;
	}
	json_object_set_new(p, "lifecycleState",
			    json_string(undelete ? "ACTIVE" : "DELETE_REQUESTED"));
	if (undelete) {
		json_object_del(p, "deleteTime");
	} else {
		char now[CLOCK_RFC3339_LEN];
		clock_rfc3339(cloud_now_ms() / 1000, now);
		json_object_set_new(p, "deleteTime", json_string(now));
	}
	if (!p || hier_put_json(c->store, key, p, kv.mod_rev) != 0)
		hier_internal(r);
	else
		http_reply_json(r, 200, json_object());
out:
	store_kv_free(&kv);
	json_decref(p);
	json_decref(found);
}

static void project_delete(struct http_req *r)
{
	project_lifecycle(r, 0);
}

static void project_undelete(struct http_req *r)
{
	project_lifecycle(r, 1);
}

#define RM "resourcemanager."
static const struct cloud_route routes[] = {
	{"POST", BASE "v1/organizations:search", org_search, RM "organizations.get", 0,
	 "checked on each organization, which the search shows only when held"},
	{"GET", BASE "v1/organizations/{org}", org_get, RM "organizations.get", 1, NULL},
	{"POST", BASE "v1/organizations/{org}:getIamPolicy", node_policy,
	 RM "organizations.getIamPolicy", 1, NULL},
	{"POST", BASE "v1/organizations/{org}:setIamPolicy", node_policy,
	 RM "organizations.setIamPolicy", 0, NULL},
	{"GET", BASE "v2/folders", folder_list, RM "folders.list", 1, NULL},
	{"GET", BASE "v2/folders/{folder}", folder_get, RM "folders.get", 1, NULL},
	{"POST", BASE "v2/folders/{folder}:getIamPolicy", node_policy, RM "folders.getIamPolicy", 1,
	 NULL},
	{"POST", BASE "v2/folders/{folder}:setIamPolicy", node_policy, RM "folders.setIamPolicy", 0,
	 NULL},
	{"POST", BASE "v1/projects", project_create, RM "projects.create", 0, NULL},
	{"DELETE", BASE "v1/projects/{project}", project_delete, RM "projects.delete", 0, NULL},
	{"POST", BASE "v1/projects/{project}:undelete", project_undelete, RM "projects.undelete", 0,
	 NULL},
	{"GET", BASE "v1/operations/{op}", operation_get, NULL, 1,
	 "a creation operation is as unguessable as Google's; its project checks its own"},
};
#undef RM
const struct cloud_api hier_api = CLOUD_API(SERVICE, routes);

/* ---- state files --------------------------------------------------------------------- */

/* True when name ("organizations/N" or "folders/N") is declared in the state. */
static int declared(const json_t *state, const char *name)
{
	int org = name && strncmp(name, "organizations/", 14) == 0;
	const char *id = name ? strchr(name, '/') : NULL;
	size_t i;
	json_t *v;

	if (!id || (!org && strncmp(name, "folders/", 8) != 0))
		return 0;
	json_array_foreach(json_object_get(state, org ? "organizations" : "folders"), i, v)
	{
		const char *have = str(v, "id");
		if (have && strcmp(have, id + 1) == 0)
			return 1;
	}
	return 0;
}

int hier_state_check(const json_t *state, char *err, size_t errlen)
{
	static const char *const lists[] = {"organizations", "folders", "projects"};

	for (size_t l = 0; l < 3; l++) {
		const json_t *list = json_object_get(state, lists[l]);
		size_t i;
		json_t *v;

		if (list && !json_is_array(list)) {
			snprintf(err, errlen, "state: \"%s\" must be a list", lists[l]);
			return -EINVAL;
		}
		json_array_foreach(list, i, v)
		{
			const char *id = str(v, "id"), *parent = str(v, "parent");
			const json_t *pol = json_object_get(v, "iamPolicy");

			if (l < 2 && !digits(id, 32)) {
				snprintf(err, errlen, "state: each of \"%s\" needs a numeric id",
					 lists[l]);
				return -EINVAL;
			}
			if (l < 2 && pol && !json_is_object(pol)) {
				snprintf(err, errlen, "state: %s %s: iamPolicy must be a mapping",
					 lists[l], id);
				return -EINVAL;
			}
			if ((l == 1 && !parent) ||
			    (json_object_get(v, "parent") && !declared(state, parent))) {
				snprintf(err, errlen,
					 "state: %s %.64s: parent must name a declared "
					 "organization or "
					 "folder (organizations/ID, folders/ID)",
					 lists[l], l < 2 ? id : str(v, "projectId"));
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Writes one organization or folder and its policy. */
static int node_apply(struct cloud *c, const json_t *v, int org, const char *now)
{
	char name[64], key[80];
	const char *kind = org ? "organizations" : "folders";
	json_t *rec;
	int rc;

	if ((rc = SFMT(name, "%s/%s", kind, str(v, "id"))) < 0 || (rc = SFMT(key, "/%s", name)) < 0)
		return rc;
	rec = org ? json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "displayName",
			      str(v, "displayName") ? str(v, "displayName") : name,
			      "directoryCustomerId",
			      str(v, "directoryCustomerId") ? str(v, "directoryCustomerId") : "",
			      "creationTime", now, "lifecycleState", "ACTIVE")
		  : json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "parent", str(v, "parent"),
			      "displayName", str(v, "displayName") ? str(v, "displayName") : name,
			      "lifecycleState", "ACTIVE", "createTime", now);
	rc = rec ? hier_put_json(c->store, key, rec, STORE_ANY_REV) : -ENOMEM;
	json_decref(rec);
	if (rc == 0 && !org)
		rc = iam_parent_put(c->store, name, str(v, "parent"));
	if (rc == 0 && json_object_get(v, "iamPolicy"))
		rc = iam_seed_policy(c->iam, name, json_object_get(v, "iamPolicy"));
	return rc;
}

/* Gives a project of the state its parent: in its record and to IAM. */
static int project_parent_apply(struct cloud *c, const json_t *v)
{
	const char *parent = str(v, "parent"), *id = str(v, "projectId");
	char key[64];
	json_t *p;
	int rc;

	if (!parent)
		return 0;
	if ((rc = SFMT(key, "/projects/%s", id)) < 0)
		return rc;
	if (!(p = cloud_store_get_json(c->store, key)))
		return -ENOENT;
	json_object_set_new(p, "parent",
			    json_pack("{s:s, s:s}", "type",
				      parent[0] == 'o' ? "organization" : "folder", "id",
				      strchr(parent, '/') + 1));
	rc = hier_put_json(c->store, key, p, STORE_ANY_REV);
	json_decref(p);
	return rc ? rc : iam_parent_put(c->store, key + 1, parent);
}

int hier_state_apply(struct cloud *c, const json_t *state, char *err, size_t errlen)
{
	char now[CLOCK_RFC3339_LEN];
	size_t i;
	json_t *v;
	int rc = 0;

	clock_rfc3339(cloud_now_ms() / 1000, now);
	json_array_foreach(json_object_get(state, "organizations"), i, v) if (rc == 0) rc =
		node_apply(c, v, 1, now);
	json_array_foreach(json_object_get(state, "folders"), i, v) if (rc == 0) rc =
		node_apply(c, v, 0, now);
	json_array_foreach(json_object_get(state, "projects"), i, v) if (rc == 0) rc =
		project_parent_apply(c, v);
	if (rc != 0)
		snprintf(err, errlen, "state: organizations and folders: %s", strerror(-rc));
	return rc;
}

int hier_ancestors_append(struct cloud *c, json_t *anc, const json_t *project)
{
	const json_t *parent = json_object_get(project, "parent");
	const char *type = str(parent, "type"), *id = str(parent, "id");
	char name[64], key[80];
	json_t *node = NULL;

	for (int depth = 0; type && id && depth < IAM_ANCESTRY_MAX_DEPTH; depth++) {
		if (json_array_append_new(anc, json_pack("{s:{s:s, s:s}}", "resourceId", "type",
							 type, "id", id)) != 0)
			goto nomem;
		if (strcmp(type, "folder") != 0 || SFMT(key, "/folders/%s", id) < 0)
			break;
		json_decref(node);
		node = cloud_store_get_json(c->store, key);
		const char *p = str(node, "parent");
		if (!p || SFMT(name, "%s", p) < 0)
			break;
		char *slash = strchr(name, '/');
		if (!slash)
			break;
		*slash = '\0';
		/* "organizations" -> "organization", "folders" -> "folder" */
		name[strlen(name) - 1] = '\0';
		type = name[0] == 'o' ? "organization" : "folder";
		id = str(node, "parent") + (slash - name) + 1;
	}
	json_decref(node);
	return 0;
nomem:
	json_decref(node);
	return -ENOMEM;
}
