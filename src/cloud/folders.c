/*
 * folders.c - changes to the Resource Manager hierarchy, as gcloud 528 calls them:
 * folders' create, update, delete, undelete and move (v2, `gcloud resource-manager folders
 * create|update|delete|undelete|move`), a project's move (v1 projects.update with a new parent,
 * `gcloud beta projects move`), and testIamPermissions on folders and organizations.
 * A move rewrites the node's parent in its record and for IAM (iam_parent_put), so the
 * bindings it inherits change at once. Store layout in hier.h; reads are hierarchy.c's.
 *
 * Google's behaviour (reference/rest/v2/folders and v1/projects.update; the folder
 * constraints of docs/folder-error-details): create and move answer a finished
 * long-running operation ("operations/fc.N", "operations/fm.N"; metadata a v2
 * FolderOperation) that gcloud polls at v1 operations.get, and a constraint they break is
 * the operation's error: code 9 (FAILED_PRECONDITION) with a PreconditionFailure naming the
 * violation. The texts: a display name in use among the siblings, "The folder operation
 * violates display name uniqueness within the parent." (k8s-config-connector#405); a
 * deleted parent, "Folder reservation failed for parent [P], folder [] due to constraint:
 * The destination resource has been deleted." (terraform-google-scheduled-function#78);
 * for the others (height 10, 300 children, a cycle, a deleted folder moved) Google's
 * message was not found, and the message is the violation's description on the
 * folder-error-details page. delete answers the folder, DELETE_REQUESTED; a folder with
 * active folders or projects in it is 400 FAILED_PRECONDITION "Precondition check failed."
 * (k8s-config-connector#145) with FOLDER_TO_DELETE_NON_EMPTY_VIOLATION. undelete answers
 * the folder, ACTIVE. What the caller may not do, or cannot see, is the 403 "The caller
 * does not have permission", as elsewhere in hierarchy.c. Permissions: folders.create on
 * the parent; folders.delete and .undelete on the folder; folders.move on the current and
 * the new parent; a project's move, projects.update on it and projects.move on it, its
 * current parent and the new one (v3 projects.move), and projects.setIamPolicy on it when
 * it had no parent.
 */
#include "cloud/hier.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/gerrors.h"
#include "core/clock.h"
#include "core/dbuf.h"
#include "core/store.h"
#include "iam/ancestry.h"

#define SERVICE "cloudresourcemanager.googleapis.com"
#define BASE "/cloudresourcemanager/"
#define MAX_HEIGHT 10	 /* active folders under an organization */
#define MAX_CHILDREN 300 /* active folders under one parent */
#define NAME_MAX_LEN 30	 /* a folder's display name */
#define FOLDER_T "type.googleapis.com/google.cloud.resourcemanager.v2.Folder"
#define FOLDER_OP_T "type.googleapis.com/google.cloud.resourcemanager.v2.FolderOperation"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int digits(const char *s)
{
	size_t n = s ? strspn(s, "0123456789") : 0;
	return n > 0 && n <= 32 && s[n] == '\0';
}

static int active(const json_t *o)
{
	const char *s = str(o, "lifecycleState");
	return !s || strcmp(s, "ACTIVE") == 0;
}

/* The record of "folders/N" or "organizations/N" (new reference), or NULL. */
static json_t *node_get(struct cloud *c, const char *name)
{
	char key[96];

	if (!name ||
	    (strncmp(name, "folders/", 8) != 0 && strncmp(name, "organizations/", 14) != 0) ||
	    !digits(strchr(name, '/') + 1) || SFMT(key, "/%s", name) < 0)
		return NULL;
	return cloud_store_get_json(c->store, key);
}

/* ---- the tree: every folder at once ------------------------------------------------- */

struct tree {
	struct store_kv *kvs;
	json_t **f; /* parsed folders, NULL where unparsable */
	size_t n;
};

static void tree_free(struct tree *t)
{
	for (size_t i = 0; t->f && i < t->n; i++)
		json_decref(t->f[i]);
	free(t->f);
	store_kvs_free(t->kvs, t->n);
	memset(t, 0, sizeof(*t));
}

static int tree_load(struct cloud *c, struct tree *t)
{
	memset(t, 0, sizeof(*t));
	if (store_range(c->store, "/folders/", 0, &t->kvs, &t->n, NULL) != 0)
		return -EIO;
	if (t->n && !(t->f = calloc(t->n, sizeof(*t->f)))) {
		tree_free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n; i++)
		t->f[i] = json_loadb(t->kvs[i].value, t->kvs[i].value_len, 0, NULL);
	return 0;
}

static const json_t *tree_find(const struct tree *t, const char *name)
{
	for (size_t i = 0; name && i < t->n; i++)
		if (str(t->f[i], "name") && strcmp(str(t->f[i], "name"), name) == 0)
			return t->f[i];
	return NULL;
}

/* Folders from name up to its organization (0 for an organization); -1 past the cap. */
static int tree_depth(const struct tree *t, const char *name)
{
	int d = 0;

	for (const json_t *f; (f = tree_find(t, name)); name = str(f, "parent"))
		if (++d > 2 * MAX_HEIGHT)
			return -1;
	return d;
}

/* The organization above name (borrowed from t or name), or NULL. */
static const char *tree_org(const struct tree *t, const char *name)
{
	for (int d = 0; name && d <= 2 * MAX_HEIGHT; d++) {
		const json_t *f = tree_find(t, name);
		if (!f)
			return strncmp(name, "organizations/", 14) == 0 ? name : NULL;
		name = str(f, "parent");
	}
	return NULL;
}

/* The height of the active subtree at folder name: 1 for a folder with no folders in it. */
static int tree_height(const struct tree *t, const char *name, int depth)
{
	int h = 0;

	if (depth > 2 * MAX_HEIGHT)
		return depth;
	for (size_t i = 0; i < t->n; i++) {
		const char *p = str(t->f[i], "parent");
		if (p && strcmp(p, name) == 0 && active(t->f[i])) {
			int sub = tree_height(t, str(t->f[i], "name"), depth + 1);
			h = sub > h ? sub : h;
		}
	}
	return h + 1;
}

/* True when name is parent or below it. */
static int tree_under(const struct tree *t, const char *name, const char *parent)
{
	for (int d = 0; name && d <= 2 * MAX_HEIGHT; d++) {
		if (strcmp(name, parent) == 0)
			return 1;
		const json_t *f = tree_find(t, name);
		name = f ? str(f, "parent") : NULL;
	}
	return 0;
}

/* Active folders under parent, and whether one other than self is named display. */
static size_t tree_children(const struct tree *t, const char *parent, const char *display,
			    const char *self, int *taken)
{
	size_t n = 0;

	*taken = 0;
	for (size_t i = 0; i < t->n; i++) {
		const json_t *f = t->f[i];
		const char *p = str(f, "parent"), *dn = str(f, "displayName");
		if (!p || strcmp(p, parent) != 0 || !active(f))
			continue;
		n++;
		if (display && dn && strcmp(dn, display) == 0 &&
		    (!self || strcmp(str(f, "name") ? str(f, "name") : "", self) != 0))
			*taken = 1;
	}
	return n;
}

/* ---- constraint violations -------------------------------------------------------- */

/* The google.rpc.Status of a broken folder constraint (new reference). */
static json_t *violation(const char *type, const char *message)
{
	return json_pack("{s:i, s:s, s:[{s:s, s:[{s:s, s:s}]}]}", "code", 9, "message", message,
			 "details", "@type", "type.googleapis.com/google.rpc.PreconditionFailure",
			 "violations", "type", type, "description", message);
}

/* 400 FAILED_PRECONDITION with message, and v's PreconditionFailure when v is given
 * (v: a violation(), borrowed). */
static void reply_precondition(struct http_req *r, const char *message, const json_t *v)
{
	json_t *e = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 400, "message", message,
			      "status", "FAILED_PRECONDITION");

	if (e && v)
		json_object_set(json_object_get(e, "error"), "details",
				json_object_get(v, "details"));
	http_reply_json(r, 400, e);
}

/* The violation a folder (self: its name, NULL when new) named display would break under
 * parent, with height its own subtree's; NULL when none. msg: room for the message. */
static json_t *place_check(const struct tree *t, const json_t *pnode, const char *parent,
			   const char *display, const char *self, int height, char *msg, size_t len)
{
	int taken, depth = tree_depth(t, parent);
	size_t kids = tree_children(t, parent, display, self, &taken);

	if (!active(pnode)) {
		if (self)
			return violation("PARENT_DELETED_VIOLATION",
					 "The resource a folder was being added to has been "
					 "deleted.");
		snprintf(msg, len,
			 "Folder reservation failed for parent [%s], folder [] due to constraint: "
			 "The destination resource has been deleted.",
			 parent);
		return violation("PARENT_DELETED_VIOLATION", msg);
	}
	if (self && tree_under(t, parent, self))
		return violation("CYCLE_INTRODUCED_VIOLATION",
				 "The attempted action would introduce cycle in resource path.");
	if (taken)
		return violation("FOLDER_NAME_UNIQUENESS_VIOLATION",
				 "The folder operation violates display name uniqueness within the "
				 "parent.");
	if (depth < 0 || depth + height > MAX_HEIGHT)
		return violation("ACTIVE_FOLDER_HEIGHT_VIOLATION",
				 "The attempted action would cause the folder tree to have a depth "
				 "greater than the maximum of 10.");
	if (kids >= MAX_CHILDREN)
		return violation("MAX_CHILD_FOLDERS_VIOLATION",
				 "The attempted action would create a child folder beyond the "
				 "maximum of 300.");
	return NULL;
}

/* [\p{L}\p{N}]([\p{L}\p{N}_- ]{0,28}[\p{L}\p{N}])? for ASCII; other UTF-8 bytes pass as
 * letters. */
static int display_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, chars = 0;

	if (n == 0 || n > 4 * NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch & 0xC0) != 0x80 && ++chars > NAME_MAX_LEN)
			return 0;
		int alnum = ch >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= 'A' && ch <= 'Z');
		if (!alnum && ((i == 0 || i == n - 1) || (ch != '_' && ch != '-' && ch != ' ')))
			return 0;
	}
	return 1;
}

/* Replies with the finished operation of a create or move of folder f. */
static void reply_op(struct http_req *r, const char *kind, const json_t *f, const char *src,
		     json_t *error)
{
	struct cloud *c = r->app;
	json_t *op = NULL, *resp = json_deep_copy(f);
	json_t *md = json_pack("{s:s, s:s?, s:s, s:s?, s:s?}", "@type", FOLDER_OP_T, "displayName",
			       str(f, "displayName"), "operationType",
			       kind[1] == 'c' ? "CREATE" : "MOVE", "sourceParent", src,
			       "destinationParent", str(f, "parent"));

	if (resp)
		json_object_set_new(resp, "@type", json_string(FOLDER_T));
	if (!resp || !md || hier_operation_put(c, kind, md, error ? NULL : resp, error, &op) != 0)
		hier_internal(r);
	else
		http_reply_json(r, 200, json_incref(op));
	json_decref(op);
	json_decref(md);
	json_decref(resp);
}

/* ---- folders --------------------------------------------------------------------- */

/* POST v2/folders?parent=P {"displayName"} */
static void folder_create(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	struct tree t = {0};
	const char *parent = http_query(r, "parent");
	char id[16], name[32], key[40], msg[256], now[CLOCK_RFC3339_LEN];
	json_t *body = NULL, *pnode = NULL, *f = NULL, *err = NULL;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0 || !(body = http_json_body(r, 0)))
		goto out;
	if (!(pnode = node_get(c, parent)) ||
	    !hier_allowed(c, &who, parent, "resourcemanager.folders.create")) {
		hier_deny(r);
		goto out;
	}
	const char *display = str(body, "displayName");
	if (!display_ok(display)) {
		gerr_bad_request(r, "folder.display_name", "Request contains an invalid argument.");
		goto out;
	}
	if (tree_load(c, &t) != 0 || hier_random_digits(id, 12) != 0 ||
	    SFMT(name, "folders/%s", id) < 0 || SFMT(key, "/%s", name) < 0) {
		hier_internal(r);
		goto out;
	}
	clock_rfc3339(cloud_now_ms() / 1000, now);
	f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "parent", parent, "displayName",
		      display, "lifecycleState", "ACTIVE", "createTime", now);
	err = place_check(&t, pnode, parent, display, NULL, 1, msg, sizeof(msg));
	if (!f || (!err && (hier_put_json(c->store, key, f, STORE_ABSENT) != 0 ||
			    iam_parent_put(c->store, name, parent) != 0))) {
		hier_internal(r);
		goto out;
	}
	reply_op(r, "fc", f, NULL, err);
out:
	tree_free(&t);
	json_decref(err);
	json_decref(f);
	json_decref(pnode);
	json_decref(body);
}

/* The folder of the path and its key, when the caller holds permission on it (on its
 * parent: parent_perm). New reference, or NULL after replying. */
static json_t *folder_open(struct http_req *r, struct caller *who, const char *permission,
			   char *key, size_t len)
{
	struct cloud *c = r->app;
	const char *id = http_param(r, "folder");
	char name[48];
	json_t *f = NULL;

	if (cloud_authenticate(c, r, SERVICE, who) != 0)
		return NULL;
	if (digits(id) && SFMT(name, "folders/%s", id) >= 0 && sfmt(key, len, "/%s", name) >= 0 &&
	    hier_allowed(c, who, name, permission))
		f = cloud_store_get_json(c->store, key);
	if (f && hier_project_purged(c, f))
		json_decref(f), f = NULL;
	if (!f)
		hier_deny(r);
	return f;
}

/* Active folders or projects directly under folder name. */
static int has_children(struct cloud *c, const char *name)
{
	struct tree t;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int taken, found = 0;

	if (tree_load(c, &t) != 0)
		return -EIO;
	found = tree_children(&t, name, NULL, NULL, &taken) > 0;
	tree_free(&t);
	if (found || store_range(c->store, "/projects/", 0, &kvs, &n, NULL) != 0)
		return found ? 1 : -EIO;
	for (size_t i = 0; i < n && !found; i++) {
		json_t *p = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const json_t *par = json_object_get(p, "parent");
		found = active(p) && str(par, "type") && strcmp(str(par, "type"), "folder") == 0 &&
			str(par, "id") && strcmp(str(par, "id"), name + 8) == 0;
		json_decref(p);
	}
	store_kvs_free(kvs, n);
	return found;
}

/* DELETE v2/folders/{folder} and POST v2/folders/{folder}:undelete */
static void folder_lifecycle(struct http_req *r, int undelete)
{
	struct cloud *c = r->app;
	struct caller who;
	struct tree t = {0};
	char key[48], now[CLOCK_RFC3339_LEN];
	json_t *f, *pnode = NULL, *err = NULL;
	int rc;

	if (!(f = folder_open(r, &who,
			      undelete ? "resourcemanager.folders.undelete"
				       : "resourcemanager.folders.delete",
			      key, sizeof(key))))
		return;
	if (active(f) == undelete) {
		/* delete of a deleted folder, undelete of an active one */
		reply_precondition(r, "Precondition check failed.", NULL);
		goto out;
	}
	if (!undelete && (rc = has_children(c, key + 1)) != 0) {
		if (rc < 0) {
			hier_internal(r);
			goto out;
		}
		err = violation("FOLDER_TO_DELETE_NON_EMPTY_VIOLATION",
				"The folder the caller is trying to delete contains active "
				"resources.");
		reply_precondition(r, "Precondition check failed.", err);
		goto out;
	}
	if (undelete) {
		char msg[256];
		if (tree_load(c, &t) != 0) {
			hier_internal(r);
			goto out;
		}
		pnode = node_get(c, str(f, "parent"));
		err = place_check(&t, pnode ? pnode : f, str(f, "parent"), str(f, "displayName"),
				  key + 1, 1, msg, sizeof(msg));
		if (err) {
			reply_precondition(r, str(err, "message"), err);
			goto out;
		}
		json_object_del(f, "deleteTime");
	} else {
		clock_rfc3339(cloud_now_ms() / 1000, now);
		json_object_set_new(f, "deleteTime", json_string(now));
	}
	json_object_set_new(f, "lifecycleState",
			    json_string(undelete ? "ACTIVE" : "DELETE_REQUESTED"));
	if (hier_put_json(c->store, key, f, STORE_ANY_REV) != 0)
		hier_internal(r);
	else
		http_reply_json(r, 200, json_incref(f));
out:
	tree_free(&t);
	json_decref(err);
	json_decref(pnode);
	json_decref(f);
}

static void folder_delete(struct http_req *r)
{
	folder_lifecycle(r, 0);
}

static void folder_undelete(struct http_req *r)
{
	folder_lifecycle(r, 1);
}

/* PATCH v2/folders/{folder}?updateMask=display_name {"displayName"}: a name in use among
 * the siblings is 400 "Precondition check failed." (terraform-provider-google#1903). */
static void folder_update(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	struct tree t = {0};
	char key[48];
	json_t *f, *body = NULL;
	const char *mask = http_query(r, "updateMask"), *display;
	int taken;

	if (!(f = folder_open(r, &who, "resourcemanager.folders.update", key, sizeof(key))) ||
	    !(body = http_json_body(r, 0)))
		goto out;
	display = str(body, "displayName");
	if ((mask && !strstr(mask, "display_name") && !strstr(mask, "displayName")) ||
	    !display_ok(display)) {
		gerr_bad_request(r, "folder.display_name", "Request contains an invalid argument.");
		goto out;
	}
	if (tree_load(c, &t) != 0) {
		hier_internal(r);
		goto out;
	}
	tree_children(&t, str(f, "parent") ? str(f, "parent") : "", display, key + 1, &taken);
	if (taken) {
		json_t *v = violation("FOLDER_NAME_UNIQUENESS_VIOLATION",
				      "The folder operation violates display name uniqueness "
				      "within the parent.");
		reply_precondition(r, "Precondition check failed.", v);
		json_decref(v);
		goto out;
	}
	json_object_set_new(f, "displayName", json_string(display));
	if (hier_put_json(c->store, key, f, STORE_ANY_REV) != 0)
		hier_internal(r);
	else
		http_reply_json(r, 200, json_incref(f));
out:
	tree_free(&t);
	json_decref(body);
	json_decref(f);
}

/* POST v2/folders/{folder}:move {"destinationParent"} */
static void folder_move(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	struct tree t = {0};
	char key[48], msg[256], src[64];
	json_t *f = NULL, *body = NULL, *pnode = NULL, *err = NULL;
	const char *dest;

	if (!(f = folder_open(r, &who, "resourcemanager.folders.move", key, sizeof(key))) ||
	    !(body = http_json_body(r, 0)))
		goto out;
	dest = str(body, "destinationParent");
	if (SFMT(src, "%s", str(f, "parent") ? str(f, "parent") : "") < 0 ||
	    !(pnode = node_get(c, dest)) ||
	    !hier_allowed(c, &who, src, "resourcemanager.folders.move") ||
	    !hier_allowed(c, &who, dest, "resourcemanager.folders.move")) {
		hier_deny(r);
		goto out;
	}
	if (tree_load(c, &t) != 0) {
		hier_internal(r);
		goto out;
	}
	if (!tree_org(&t, dest) || !tree_org(&t, src) ||
	    strcmp(tree_org(&t, dest), tree_org(&t, src)) != 0) {
		/* gcloud: "The new parent is not in the same organization of the given folder." */
		reply_precondition(r, "Precondition check failed.", NULL);
		goto out;
	}
	if (!active(f))
		err = violation("RESOURCE_DELETED_VIOLATION",
				"The resource being moved has been deleted.");
	else
		err = place_check(&t, pnode, dest, str(f, "displayName"), key + 1,
				  tree_height(&t, key + 1, 0), msg, sizeof(msg));
	if (!err) {
		json_object_set_new(f, "parent", json_string(dest));
		if (hier_put_json(c->store, key, f, STORE_ANY_REV) != 0 ||
		    iam_parent_put(c->store, key + 1, dest) != 0) {
			hier_internal(r);
			goto out;
		}
	}
	reply_op(r, "fm", f, src, err);
out:
	tree_free(&t);
	json_decref(err);
	json_decref(pnode);
	json_decref(body);
	json_decref(f);
}

/* POST {v2/folders/{folder}|v1/organizations/{org}}:testIamPermissions: the permissions
 * the caller holds on a node that exists; no permission needed (as for projects). */
static void node_test_permissions(struct http_req *r)
{
	struct cloud_call x;
	const char *org = http_param(r, "org");
	char name[64];
	json_t *n = NULL;

	if (cloud_call_begin(&x, r, NULL) != 0)
		goto out;
	if (SFMT(name, "%s/%s", org ? "organizations" : "folders",
		 org ? org : http_param(r, "folder")) < 0 ||
	    !(n = node_get(x.c, name)))
		hier_deny(r);
	else
		crm_test_permissions_on(&x, name);
out:
	json_decref(n);
	cloud_call_end(&x);
}

/* ---- a project's move: v1 projects.update ---------------------------------------------- */

/* Checks a move of project res from parent from (NULL: none) to dest. 0, or -1 after
 * replying. */
static int move_check(struct http_req *r, const struct caller *who, const char *res,
		      const char *from, const char *dest, json_t **dnode)
{
	struct cloud *c = r->app;
	const char *perm = "resourcemanager.projects.move";

	if (!(*dnode = node_get(c, dest)) || !hier_allowed(c, who, res, perm) ||
	    (from && !hier_allowed(c, who, from, perm)) || !hier_allowed(c, who, dest, perm) ||
	    (!from && !hier_allowed(c, who, res, "resourcemanager.projects.setIamPolicy"))) {
		hier_deny(r);
		return -1;
	}
	if (!active(*dnode)) {
		reply_precondition(r, "Precondition check failed.", NULL);
		return -1;
	}
	return 0;
}

/* PUT v1/projects/{project} {Project}: the name, the labels and the parent. */
static void project_update(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	char key[64], res[64], fbuf[64], dbuf[64];
	struct store_kv kv = {0};
	json_t *body = NULL, *p = NULL, *found = NULL, *dnode = NULL;
	const char *id, *from, *dest;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0 || !(body = http_json_body(r, 0)))
		goto out;
	found = cloud_project_get(c, http_param(r, "project"));
	id = str(found, "projectId");
	if (!id || SFMT(key, "/projects/%s", id) < 0 || SFMT(res, "projects/%s", id) < 0 ||
	    !hier_allowed(c, &who, res, "resourcemanager.projects.update") ||
	    store_get(c->store, key, &kv) != 0 ||
	    !(p = json_loadb(kv.value, kv.value_len, 0, NULL))) {
		hier_deny(r);
		goto out;
	}
	from = hier_parent_name(json_object_get(p, "parent"), fbuf, sizeof(fbuf));
	json_t *np = json_object_get(body, "parent");
	dest = np && !json_is_null(np) ? hier_parent_name(np, dbuf, sizeof(dbuf)) : from;
	if ((np && !json_is_null(np) && (!dest || !*dest)) ||
	    (json_object_get(body, "name") && !json_is_string(json_object_get(body, "name")))) {
		gerr_bad_request(r, dest && *dest ? "project.name" : "project.parent",
				 "Request contains an invalid argument.");
		goto out;
	}
	if (dest && (!from || strcmp(from, dest) != 0)) {
		if (move_check(r, &who, res, from, dest, &dnode) != 0)
			goto out;
		json_object_set(p, "parent", np);
	}
	if (json_is_string(json_object_get(body, "name")))
		json_object_set(p, "name", json_object_get(body, "name"));
	if (json_is_object(json_object_get(body, "labels")))
		json_object_set(p, "labels", json_object_get(body, "labels"));
	if (hier_put_json(c->store, key, p, kv.mod_rev) != 0 ||
	    (dnode && iam_parent_put(c->store, res, dest) != 0))
		hier_internal(r);
	else
		http_reply_json(r, 200, crm_project_view(p));
out:
	store_kv_free(&kv);
	json_decref(dnode);
	json_decref(p);
	json_decref(found);
	json_decref(body);
}

#define RM "resourcemanager."
static const struct cloud_route routes[] = {
	{"POST", BASE "v2/folders", folder_create, RM "folders.create", 0, NULL},
	{"DELETE", BASE "v2/folders/{folder}", folder_delete, RM "folders.delete", 0, NULL},
	{"PATCH", BASE "v2/folders/{folder}", folder_update, RM "folders.update", 0, NULL},
	{"POST", BASE "v2/folders/{folder}:undelete", folder_undelete, RM "folders.undelete", 0,
	 NULL},
	{"POST", BASE "v2/folders/{folder}:move", folder_move, RM "folders.move", 0,
	 "checked on the folder's current and new parents"},
	{"POST", BASE "v2/folders/{folder}:testIamPermissions", node_test_permissions, NULL, 1,
	 "any caller may learn which of the permissions it holds"},
	{"POST", BASE "v1/organizations/{org}:testIamPermissions", node_test_permissions, NULL, 1,
	 "any caller may learn which of the permissions it holds"},
	{"PUT", BASE "v1/projects/{project}", project_update, RM "projects.update", 0,
	 "a new parent also needs projects.move on the project and both parents"},
};
#undef RM
const struct cloud_api folders_api = CLOUD_API(SERVICE, routes);
