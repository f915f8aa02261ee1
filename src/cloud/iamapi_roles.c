/*
 * iamapi_roles.c - the IAM API's roles and permissions: the predefined roles (get,
 * list, queryGrantableRoles), custom roles (none yet), and the permissions that can be
 * tested on a resource (queryTestablePermissions).
 */
#include "cloud/iamapi.h"
#include "cloud/iamext.h"

/* ---- roles ------------------------------------------------------------------------ */

static void reply_role_name(struct http_req *r)
{
	iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
			    "The role name must be in the form \"roles/{role}\", "
			    "\"organizations/{organization_id}/roles/{role}\", or "
			    "\"projects/{project_id}/roles/{role}\".");
}

static void role_get(struct http_req *r)
{
	struct cloud *c = r->app;
	struct cloud_call x;
	char name[300];
	const char *id = http_param(r, "role");

	if (cloud_call_begin(&x, r, NULL) != 0)
		return;
	if (!id || !*id || strlen(id) > 200 || strchr(id, '/') || !iamapi_printable(id)) {
		reply_role_name(r);
		return;
	}
	snprintf(name, sizeof(name), "roles/%s", id);
	json_t *role = iam_role_json(c->iam, name);
	if (!role) {
		iamapi_reply_status(r, 404, "NOT_FOUND", "The role named %s was not found.", name);
		return;
	}
	http_reply_json(r, 200, role);
}

static int cmp_role(const void *a, const void *b)
{
	const char *x = iamapi_str(*(json_t *const *)a, "name"),
		   *y = iamapi_str(*(json_t *const *)b, "name");
	return strcmp(x ? x : "", y ? y : "");
}

/* Replies with the page of size roles after cursor (NULL: the first) from list (borrowed
 * role objects), in the BASIC or FULL view. */
static void reply_roles(struct http_req *r, json_t *list, int full, int size, const char *cursor)
{
	struct cloud *c = r->app;
	json_t **v = NULL, *roles = NULL, *resp = NULL;
	size_t n = json_array_size(list);

	if ((n && !(v = calloc(n, sizeof(*v)))) || !(roles = json_array()) ||
	    !(resp = json_object())) {
		cloud_reply_internal(r);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	if (n)
		qsort(v, n, sizeof(*v), cmp_role);
	const char *last = NULL;
	int more = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = iamapi_str(v[i], "name");
		if (!name || (cursor && strcmp(name, cursor) <= 0))
			continue;
		if ((int)json_array_size(roles) == size) {
			more = 1;
			break;
		}
		json_t *role = full ? iam_role_json(c->iam, name) : json_deep_copy(v[i]);
		if (role && !full)
			json_object_del(role, "includedPermissions");
		if (!role || json_array_append_new(roles, role) != 0) {
			cloud_reply_internal(r);
			goto out;
		}
		last = name;
	}
	iamapi_reply_page(r, resp, "roles", roles, more, last);
	resp = NULL;
out:
	free(v);
	json_decref(roles);
	json_decref(resp);
}

static int role_view(struct http_req *r, const char *v, int *full)
{
	*full = 0;
	if (!v || !*v || !strcmp(v, "BASIC"))
		return 0;
	if (!strcmp(v, "FULL")) {
		*full = 1;
		return 0;
	}
	iamapi_reply_bad_query(r, "view", "type.googleapis.com/google.iam.admin.v1.RoleView", v);
	return -EINVAL;
}

/* The catalog's roles as an array (borrowed from all). */
static json_t *role_array(json_t *all)
{
	return json_is_array(all) ? all : json_object_get(all, "roles");
}

static void role_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct cloud_call x;
	char *cursor = NULL;
	int full, size;

	if (cloud_call_begin(&x, r, NULL) != 0)
		return;
	if (role_view(r, http_query(r, "view"), &full) != 0 ||
	    iamapi_page_size(r, ROLE_PAGE_DEFAULT, ROLE_PAGE_MAX, &size) != 0 ||
	    iamapi_page_cursor(r, http_query(r, "pageToken"), &cursor) != 0)
		return;
	const char *parent = http_query(r, "parent");
	json_t *all = NULL;
	if (parent && *parent) {
		/* Custom roles: gkeid has none. */
		http_reply_json(r, 200, json_object());
	} else if (!(all = iam_roles_list(c->iam))) {
		cloud_reply_internal(r);
	} else {
		reply_roles(r, role_array(all), full, size, cursor);
	}
	json_decref(all);
	free(cursor);
}

/* Custom roles of a project or organization: there are none. */
static void custom_role_list(struct http_req *r)
{
	struct cloud_call x;
	int full;

	if (cloud_call_begin(&x, r, NULL) != 0)
		return;
	if (role_view(r, http_query(r, "view"), &full) != 0)
		return;
	http_reply_json(r, 200, json_object());
}

static void custom_role_get(struct http_req *r)
{
	struct cloud_call x;
	const char *parent = http_param(r, "project") ? "projects" : "organizations";
	const char *id = http_param(r, "project") ? http_param(r, "project") : http_param(r, "org");
	const char *role = http_param(r, "role");

	if (cloud_call_begin(&x, r, NULL) != 0)
		return;
	iamapi_reply_status(r, 404, "NOT_FOUND",
			    "The role named %s/%.128s/roles/%.128s was not found.", parent,
			    id ? id : "", role ? role : "");
}

/* The body of roles:queryGrantableRoles and permissions:queryTestablePermissions,
 * {"fullResourceName","pageSize","pageToken"}: sets *on_sa (1: the resource is a service
 * account; 2: an organization; else a project), *size (def when absent or 0, at most ROLE_PAGE_MAX)
 * and *cursor (from the page token, freed by the caller). 0, or -EINVAL after replying. */
static int query_args(struct http_req *r, const json_t *body, int def, int *on_sa, int *size,
		      char **cursor)
{
	static const char crm[] = "//cloudresourcemanager.googleapis.com/projects/";
	static const char iam[] = "//iam.googleapis.com/projects/";
	json_t *frn = json_object_get(body, "fullResourceName");
	json_t *ps = json_object_get(body, "pageSize");
	json_t *pt = json_object_get(body, "pageToken");

	*size = def;
	*cursor = NULL;
	if (!json_is_string(frn)) {
		if (frn)
			iamapi_reply_bad_value(r, "full_resource_name", "TYPE_STRING", frn);
		else
			iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
					    "The fullResourceName field is required.");
		return -EINVAL;
	}
	if ((ps && !json_is_integer(ps)) || (pt && !json_is_string(pt))) {
		iamapi_reply_bad_value(r, ps && !json_is_integer(ps) ? "page_size" : "page_token",
				       ps && !json_is_integer(ps) ? "TYPE_INT32" : "TYPE_STRING",
				       ps && !json_is_integer(ps) ? ps : pt);
		return -EINVAL;
	}
	if (ps && json_integer_value(ps) < 0) {
		iamapi_reply_bad_value(r, "page_size", "TYPE_INT32", ps);
		return -EINVAL;
	}
	if (ps && json_integer_value(ps) > 0)
		*size = json_integer_value(ps) > ROLE_PAGE_MAX ? ROLE_PAGE_MAX
							       : (int)json_integer_value(ps);
	const char *name = json_string_value(frn);
	if (!strncmp(name, crm, sizeof(crm) - 1) && name[sizeof(crm) - 1] &&
	    !strchr(name + sizeof(crm) - 1, '/')) {
		*on_sa = 0;
	} else if (iamext_own_project_name(r->app, name)) { /* iamext.h */
		*on_sa = 0;
	} else if (iamext_org_name(r->app, name)) { /* iamext.h: every permission applies */
		*on_sa = 2;
	} else if (!strncmp(name, iam, sizeof(iam) - 1) &&
		   strstr(name + sizeof(iam) - 1, "/serviceAccounts/")) {
		*on_sa = 1;
	} else {
		iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
				    "The resource name %.300s is not supported: use "
				    "//cloudresourcemanager.googleapis.com/projects/PROJECT or "
				    "//iam.googleapis.com/projects/PROJECT/serviceAccounts/EMAIL.",
				    name);
		return -EINVAL;
	}
	return iamapi_page_cursor(r, json_string_value(pt), cursor);
}

/* POST /iam/v1/roles:queryGrantableRoles {"fullResourceName","view","pageSize","pageToken"} */
static void role_query_grantable(struct http_req *r)
{
	struct cloud *c = r->app;
	struct cloud_call x;
	json_t *body = NULL, *all = NULL, *fit = NULL;
	char *cursor = NULL;
	int full, size, on_sa;

	if (cloud_call_begin(&x, r, NULL) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_QueryGrantableRolesRequest)))
		goto out;
	json_t *view = json_object_get(body, "view");
	if (view && !json_is_string(view)) {
		iamapi_reply_bad_value(r, "view",
				       "type.googleapis.com/google.iam.admin.v1.RoleView", view);
		goto out;
	}
	if (role_view(r, json_string_value(view), &full) != 0 ||
	    query_args(r, body, ROLE_PAGE_DEFAULT, &on_sa, &size, &cursor) != 0)
		goto out;
	if (!(all = iam_roles_list(c->iam)) || !(fit = json_array())) {
		cloud_reply_internal(r);
		goto out;
	}
	size_t i;
	json_t *role;
	json_array_foreach(role_array(all), i, role)
	{
		const char *rn = iamapi_str(role, "name");
		if (rn && (on_sa != 1 || iamapi_role_fits_sa(c->iam, rn)))
			json_array_append(fit, role);
	}
	reply_roles(r, fit, full, size, cursor);
out:
	free(cursor);
	json_decref(body);
	json_decref(all);
	json_decref(fit);
}

/* True when a permission can be tested on a project: every permission but those of the
 * organizations and folders above projects. */
static int perm_fits_project(const char *p)
{
	return strncmp(p, "resourcemanager.organizations.", 30) != 0 &&
	       strncmp(p, "resourcemanager.folders.", 24) != 0;
}

static int perm_fits_sa(const char *p)
{
	for (size_t i = 0; i < IAMAPI_SA_PERM_PREFIXES; i++)
		if (!strncmp(p, iamapi_sa_perm_prefixes[i], strlen(iamapi_sa_perm_prefixes[i])))
			return 1;
	return 0;
}

/* POST /iam/v1/permissions:queryTestablePermissions {"fullResourceName","pageSize",
 * "pageToken"}: the catalogue's permissions that apply to the resource, by name, as
 * {"permissions":[{"name"}],"nextPageToken"}. The page size defaults to 100, as Google's
 * (reference/rest/v1/permissions/queryTestablePermissions). The dataset the catalogue
 * is built from has no title, stage or custom-role support level for a permission, so
 * only its name is given. */
static void perm_query_testable(struct http_req *r)
{
	struct cloud *c = r->app;
	struct cloud_call x;
	json_t *body = NULL, *perms = NULL, *resp = NULL;
	char *cursor = NULL;
	int size, on_sa, more = 0;
	const char *const *names, *last = NULL;

	if (cloud_call_begin(&x, r, NULL) != 0)
		goto out;
	if (!(body = http_json_body(r, 0)) ||
	    query_args(r, body, PERM_PAGE_DEFAULT, &on_sa, &size, &cursor) != 0)
		goto out;
	if (!(perms = json_array()) || !(resp = json_object())) {
		cloud_reply_internal(r);
		goto out;
	}
	size_t n = iam_permissions(c->iam, &names);
	for (size_t i = iam_permission_after(c->iam, cursor); i < n; i++) {
		if (on_sa != 2 && !(on_sa ? perm_fits_sa(names[i]) : perm_fits_project(names[i])))
			continue;
		if ((int)json_array_size(perms) == size) {
			more = 1;
			break;
		}
		if (json_array_append_new(perms, json_pack("{s:s}", "name", names[i])) != 0) {
			cloud_reply_internal(r);
			goto out;
		}
		last = names[i];
	}
	iamapi_reply_page(r, resp, "permissions", perms, more, last);
	resp = NULL;
out:
	free(cursor);
	json_decref(body);
	json_decref(perms);
	json_decref(resp);
}

#define ROLES_WHY "the predefined roles and permissions are public: any caller may read them"
/* ---- routes ----------------------------------------------------------------------- */

static const struct cloud_route routes[] = {
	{"GET", "/iam/v1/roles", role_list, NULL, 1, ROLES_WHY},
	{"POST", "/iam/v1/roles:queryGrantableRoles", role_query_grantable, NULL, 0,
	 "lists what may be granted on a resource; reveals nothing of the resource"},
	{"POST", "/iam/v1/permissions:queryTestablePermissions", perm_query_testable, NULL, 0,
	 ROLES_WHY},
	{"GET", "/iam/v1/roles/{role**}", role_get, NULL, 1, ROLES_WHY},
	{"GET", "/iam/v1/projects/{project}/roles", custom_role_list, NULL, 1,
	 "there are no custom roles: the list is empty for everyone"},
	{"GET", "/iam/v1/projects/{project}/roles/{role}", custom_role_get, NULL, 1,
	 "there are no custom roles: every name is not found"},
	{"GET", "/iam/v1/organizations/{org}/roles", custom_role_list, NULL, 1,
	 "there are no custom roles: the list is empty for everyone"},
	{"GET", "/iam/v1/organizations/{org}/roles/{role}", custom_role_get, NULL, 1,
	 "there are no custom roles: every name is not found"},
};
const struct cloud_api iamapi_roles_api = CLOUD_API(IAMAPI_SERVICE, routes);
