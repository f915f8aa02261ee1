/*
 * crm.c - Resource Manager v1: projects.get, list and getAncestry, and the project IAM
 * methods getIamPolicy, setIamPolicy and testIamPermissions, with the paths, bodies and
 * errors that gcloud sees from cloudresourcemanager.googleapis.com.
 *
 * Projects are read from the store ("/projects/<id>", see cloud.h); policies live in
 * the IAM engine under "projects/<projectId>". A caller who may not see a project gets
 * the same 403 whether or not it exists, as on Google.
 */
#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/hier.h"
#include "cloud/jsonschema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dbuf.h"
#include "core/store.h"

#define SERVICE "cloudresourcemanager.googleapis.com"
#define LIST_DEFAULT 500 /* projects per page when pageSize is unset */
#define LIST_MAX 1000	 /* larger page sizes are clamped */
#define FILTER_MAX 2048	 /* bytes of a list filter */
#define FILTER_DEPTH 32	 /* nesting of parentheses and NOT */
#define FILTER_TERM_MAX 256
#define TEST_PERMS_MAX 1000    /* permissions per testIamPermissions call */
#define ECHO_MAX GERR_ECHO_MAX /* bytes of client text echoed in an error */

static const char ABORTED_TEXT[] = "There were concurrent policy changes. Please retry the whole "
				   "read-modify-write with exponential backoff.";

/* ---- small helpers ---------------------------------------------------------------- */

/* A member by its JSON (lowerCamel) or proto (snake_case) name, as Google accepts both. */
static json_t *member(const json_t *obj, const char *camel, const char *snake)
{
	json_t *v = json_object_get(obj, camel);
	return v ? v : json_object_get(obj, snake);
}

/* The project as Resource Manager v1 shows it (new reference). */
static json_t *project_json(const json_t *p)
{
	static const char *const keys[] = {"projectNumber", "projectId", "lifecycleState", "name",
					   "createTime",    "labels",	 "parent"};
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(p, keys[i]);
		if (!v)
			continue;
		if (i == 0 && json_is_integer(v)) {
			char buf[32];
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
			json_object_set_new(o, keys[i], json_string(buf));
		} else {
			json_object_set(o, keys[i], v);
		}
	}
	if (!json_object_get(o, "lifecycleState"))
		json_object_set_new(o, "lifecycleState", json_string("ACTIVE"));
	return o;
}

/* 403 as Resource Manager v1 gives it for a project the caller may not see (or that does
 * not exist), with an ErrorInfo that names the permission. */
static void deny(struct http_req *r, const char *permission, const char *project)
{
	json_t *md = NULL;
	if (permission) {
		md = json_pack("{s:s}", "permission", permission);
		char res[128];
		if (md && cloud_id_ok(project) && SFMT(res, "projects/%s", project) == 0)
			json_object_set_new(md, "resource", json_string(res));
	}
	http_reply_gerror(r, 403, "PERMISSION_DENIED", permission ? "IAM_PERMISSION_DENIED" : NULL,
			  SERVICE, md, "The caller does not have permission");
}

/* What every per-project handler starts with: authenticates, finds the project named in
 * the path and checks the route's permission on it (none for testIamPermissions).
 * Replies itself on failure. 0 or -errno; cloud_call_end either way. */
static int begin(struct http_req *r, struct cloud_call *x)
{
	if (cloud_call_begin(x, r, NULL) != 0)
		return -EACCES;
	const char *name = http_param(r, "project");
	if (cloud_call_project(x, name) != 0) {
		deny(r, x->permission, name);
		return -EACCES;
	}
	const char *res[] = {x->project_res};
	if (x->permission && !cloud_call_allowed(x, NULL, res, 1)) {
		deny(r, x->permission, x->project_id);
		return -EACCES;
	}
	return 0;
}

/* ---- list filters ------------------------------------------------------------------- */

/* The v1 filter language as gcloud's ListRewriter emits it: terms KEY:VALUE or
 * KEY=VALUE (VALUE may hold '*' wildcards, or be "quoted"), joined by AND, OR, NOT,
 * juxtaposition (AND) and parentheses. ':' matches without case; '=' with case. Parsing
 * and evaluation are one pass; err is set on a syntax error or an unknown key. */
struct flt {
	const char *s;
	const json_t *p;
	int depth;
	int err;
};

static void flt_ws(struct flt *f)
{
	while (*f->s == ' ' || *f->s == '\t' || *f->s == '\n' || *f->s == '\r')
		f->s++;
}

/* 1 when the keyword w starts here (followed by a separator); consumes it if eat. */
static int flt_kw(struct flt *f, const char *w, int eat)
{
	size_t n = strlen(w);
	if (strncmp(f->s, w, n) != 0)
		return 0;
	char next = f->s[n];
	if (next && next != ' ' && next != '\t' && next != '(' && next != '\n' && next != '\r')
		return 0;
	if (eat)
		f->s += n;
	return 1;
}

static int glob(const char *pat, const char *text, int icase)
{
	const char *star = NULL, *resume = NULL;
	while (*text) {
		char a = *pat, b = *text;
		if (icase) {
			a = (char)((a >= 'A' && a <= 'Z') ? a + 32 : a);
			b = (char)((b >= 'A' && b <= 'Z') ? b + 32 : b);
		}
		if (*pat == '*') {
			star = ++pat;
			resume = text;
		} else if (*pat && a == b) {
			pat++, text++;
		} else if (star) {
			pat = star;
			text = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* The project's value for a filter key; NULL when absent; sets err for unknown keys. */
static const char *flt_field(struct flt *f, const char *key)
{
	const json_t *p = f->p;
	if (strcmp(key, "id") == 0 || strcmp(key, "projectId") == 0)
		return json_string_value(json_object_get(p, "projectId"));
	if (strcmp(key, "name") == 0 || strcmp(key, "lifecycleState") == 0 ||
	    strcmp(key, "projectNumber") == 0 || strcmp(key, "createTime") == 0)
		return json_string_value(json_object_get(p, key));
	if (strcmp(key, "parent.id") == 0 || strcmp(key, "parent.type") == 0)
		return json_string_value(json_object_get(json_object_get(p, "parent"), key + 7));
	if (strncmp(key, "labels.", 7) == 0 && key[7])
		return json_string_value(json_object_get(json_object_get(p, "labels"), key + 7));
	f->err = 1;
	return NULL;
}

static int flt_or(struct flt *f);

static int flt_term(struct flt *f)
{
	char key[FILTER_TERM_MAX], val[FILTER_TERM_MAX];
	size_t k = 0, v = 0;
	while ((*f->s >= 'a' && *f->s <= 'z') || (*f->s >= 'A' && *f->s <= 'Z') ||
	       (*f->s >= '0' && *f->s <= '9') || *f->s == '_' || *f->s == '.') {
		if (k + 1 >= sizeof(key)) {
			f->err = 1;
			return 0;
		}
		key[k++] = *f->s++;
	}
	key[k] = '\0';
	char op = *f->s;
	if (k == 0 || (op != ':' && op != '=')) {
		f->err = 1;
		return 0;
	}
	f->s++;
	flt_ws(f);
	if (*f->s == '"') {
		f->s++;
		while (*f->s && *f->s != '"') {
			if (*f->s == '\\' && f->s[1])
				f->s++;
			if (v + 1 >= sizeof(val)) {
				f->err = 1;
				return 0;
			}
			val[v++] = *f->s++;
		}
		if (*f->s != '"') {
			f->err = 1;
			return 0;
		}
		f->s++;
	} else {
		while (*f->s && *f->s != ' ' && *f->s != '\t' && *f->s != '(' && *f->s != ')' &&
		       *f->s != '\n' && *f->s != '\r') {
			if (v + 1 >= sizeof(val)) {
				f->err = 1;
				return 0;
			}
			val[v++] = *f->s++;
		}
		if (v == 0) {
			f->err = 1;
			return 0;
		}
	}
	val[v] = '\0';
	const char *have = flt_field(f, key);
	if (f->err || !have)
		return 0;
	return glob(val, have, op == ':');
}

static int flt_unary(struct flt *f)
{
	flt_ws(f);
	if (++f->depth > FILTER_DEPTH) {
		f->err = 1;
		return 0;
	}
	int v;
	if (flt_kw(f, "NOT", 1)) {
		v = !flt_unary(f);
	} else if (*f->s == '-' && f->s[1] != ' ') {
		f->s++;
		v = !flt_unary(f);
	} else if (*f->s == '(') {
		f->s++;
		v = flt_or(f);
		flt_ws(f);
		if (*f->s == ')')
			f->s++;
		else
			f->err = 1;
	} else {
		v = flt_term(f);
	}
	f->depth--;
	return v;
}

static int flt_and(struct flt *f)
{
	int v = flt_unary(f);
	while (!f->err) {
		flt_ws(f);
		if (!*f->s || *f->s == ')' || flt_kw(f, "OR", 0))
			break;
		flt_kw(f, "AND", 1);
		int w = flt_unary(f);
		v = v && w;
	}
	return v;
}

static int flt_or(struct flt *f)
{
	int v = flt_and(f);
	while (!f->err) {
		flt_ws(f);
		if (!flt_kw(f, "OR", 1))
			break;
		int w = flt_and(f);
		v = v || w;
	}
	return v;
}

/* 1 if the project matches, 0 if not, -EINVAL for a bad filter. */
static int filter_match(const char *filter, const json_t *project)
{
	struct flt f = {.s = filter, .p = project};
	flt_ws(&f);
	if (!*f.s)
		return 1;
	int v = flt_or(&f);
	flt_ws(&f);
	if (f.err || *f.s)
		return -EINVAL;
	return v;
}

/* ---- handlers ---------------------------------------------------------------------- */

/* GET /v1/projects/{project} */
static void crm_get(struct http_req *r)
{
	struct cloud_call x;
	if (begin(r, &x) == 0)
		http_reply_json(r, 200, project_json(x.project));
	cloud_call_end(&x);
}

/* Parses an int32 query parameter; -1 when absent; replies and returns -2 when bad. */
static long query_int(struct http_req *r, const char *name, const char *field)
{
	const char *s = http_query(r, name);
	if (!s)
		return -1;
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 2147483647L) {
		gerr_bad_param(r, field, "TYPE_INT32", s, 64);
		return -2;
	}
	return v;
}

/* GET /v1/projects?filter=&pageSize=&pageToken= : the projects the caller may get. */
static void crm_list(struct http_req *r)
{
	struct cloud_call x;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *list = NULL, *empty = NULL;
	if (cloud_call_begin(&x, r, NULL) != 0)
		goto out;
	long size = query_int(r, "pageSize", "page_size");
	if (size == -2)
		goto out;
	if (size <= 0)
		size = LIST_DEFAULT;
	if (size > LIST_MAX)
		size = LIST_MAX;
	const char *token = http_query(r, "pageToken");
	if (token && *token && !cloud_id_ok(token)) {
		gerr_bad_request(r, "page_token", "Invalid page token.");
		goto out;
	}
	const char *filter = http_query(r, "filter");
	if (!filter)
		filter = "";
	empty = json_object();
	if (strlen(filter) > FILTER_MAX || !empty || filter_match(filter, empty) < 0) {
		char shown[ECHO_MAX];
		gerr_echo(shown, sizeof(shown), filter);
		gerr_bad_request(r, "filter", "Invalid filter: %s", shown);
		goto out;
	}
	if (store_range(x.c->store, "/projects/", 0, &kvs, &n, NULL) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	list = json_array();
	if (!list) {
		http_reply_json(r, 500, NULL);
		goto out;
	}
	const char *last = NULL;
	int more = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = kvs[i].key + strlen("/projects/");
		if (strchr(id, '/') || !cloud_id_ok(id))
			continue;
		if (token && *token && strcmp(id, token) <= 0)
			continue;
		json_t *p = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		char resource[128];
		const char *res[1] = {resource};
		if (p && !hier_project_purged(x.c, p) && filter_match(filter, p) == 1 &&
		    SFMT(resource, "projects/%s", id) == 0 &&
		    cloud_call_allowed(&x, NULL, res, 1)) {
			if (json_array_size(list) >= (size_t)size) {
				more = 1;
				json_decref(p);
				break;
			}
			json_array_append_new(list, project_json(p));
			last = id;
		}
		json_decref(p);
	}
	json_t *resp = json_object();
	if (resp && json_array_size(list))
		json_object_set(resp, "projects", list);
	if (resp && more && last)
		json_object_set_new(resp, "nextPageToken", json_string(last));
	http_reply_json(r, 200, resp);
out:
	json_decref(list);
	json_decref(empty);
	store_kvs_free(kvs, n);
	cloud_call_end(&x);
}

/* POST /v1/projects/{project}:getAncestry */
static void crm_get_ancestry(struct http_req *r)
{
	struct cloud_call x;
	if (begin(r, &x) != 0)
		goto out;
	if (cloud_call_body(&x, 1, &jschema_crm_GetAncestryRequest) != 0)
		goto out;
	json_t *anc =
		json_pack("[{s:{s:s, s:s}}]", "resourceId", "type", "project", "id", x.project_id);
	if (anc && hier_ancestors_append(x.c, anc, x.project) != 0)
		json_decref(anc), anc = NULL;
	http_reply_json(r, 200, anc ? json_pack("{s:o}", "ancestor", anc) : NULL);
out:
	cloud_call_end(&x);
}

/* POST /v1/projects/{project}:getIamPolicy {"options":{"requestedPolicyVersion":3}} */
static void crm_get_iam_policy(struct http_req *r)
{
	struct cloud_call x;
	json_t *body = NULL, *policy = NULL;
	if (begin(r, &x) != 0)
		goto out;
	if (cloud_call_body(&x, 1, &jschema_iam_GetIamPolicyRequest) != 0)
		goto out;
	body = x.body;
	long version = 0;
	json_t *options = json_object_get(body, "options");
	if (options && !json_is_null(options)) {
		if (!json_is_object(options)) {
			gerr_bad_value(r, "options",
				       "type.googleapis.com/google.iam.v1.GetPolicyOptions",
				       options);
			goto out;
		}
		json_t *v = member(options, "requestedPolicyVersion", "requested_policy_version");
		char *end = NULL;
		if (json_is_integer(v)) {
			version = (long)json_integer_value(v);
		} else if (json_is_string(v) && *json_string_value(v)) {
			version = strtol(json_string_value(v), &end, 10);
			if (*end)
				version = -1;
		} else if (v && !json_is_null(v)) {
			version = -1;
		}
		if (version < 0 || version > 2147483647L) {
			gerr_bad_value(r, "options.requested_policy_version", "TYPE_INT32", v);
			goto out;
		}
	}
	if (version != 0 && version != 1 && version != 3) {
		gerr_bad_request(r, "options.requested_policy_version",
				 "Invalid requested policy version: %ld. Valid versions are 0, 1 "
				 "and 3.",
				 version);
		goto out;
	}
	if (iam_get_policy(x.c->iam, x.project_res, (int)version, &policy) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, policy);
	policy = NULL;
out:
	json_decref(policy);
	cloud_call_end(&x);
}

/* Parses a FieldMask ("bindings,etag"); sets *audit when it names auditConfigs.
 * Replies and returns -EINVAL on an unknown path. */
static int parse_mask(struct http_req *r, const json_t *mask, int *audit)
{
	*audit = 0;
	if (!mask || json_is_null(mask))
		return 0;
	if (!json_is_string(mask)) {
		gerr_bad_value(r, "update_mask", "type.googleapis.com/google.protobuf.FieldMask",
			       mask);
		return -EINVAL;
	}
	const char *s = json_string_value(mask);
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		while (len && *s == ' ')
			s++, len--;
		while (len && s[len - 1] == ' ')
			len--;
		char path[64];
		if (len >= sizeof(path))
			len = sizeof(path) - 1;
		memcpy(path, s, len);
		path[len] = '\0';
		if (strcmp(path, "auditConfigs") == 0 || strcmp(path, "audit_configs") == 0) {
			*audit = 1;
		} else if (strcmp(path, "bindings") != 0 && strcmp(path, "etag") != 0 &&
			   strcmp(path, "version") != 0) {
			char shown[ECHO_MAX];
			gerr_clip(shown, sizeof(shown), json_string_value(mask));
			gerr_bad_request(r, "update_mask", "Invalid update_mask: \"%s\".", shown);
			return -EINVAL;
		}
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

/* POST /v1/projects/{project}:setIamPolicy {"policy":{...},"updateMask":"..."} */
static void crm_set_iam_policy(struct http_req *r)
{
	struct cloud_call x;
	json_t *body = NULL, *copy = NULL, *current = NULL, *stored = NULL;
	char *err = NULL;
	if (begin(r, &x) != 0)
		goto out;
	if (cloud_call_body(&x, 0, &jschema_iam_SetIamPolicyRequest) != 0)
		goto out;
	body = x.body;
	json_t *policy = json_object_get(body, "policy");
	if (!policy || json_is_null(policy)) {
		gerr_bad_request(r, "policy", "Invalid argument: a policy is required.");
		goto out;
	}
	if (!json_is_object(policy)) {
		gerr_bad_value(r, "policy", "type.googleapis.com/google.iam.v1.Policy", policy);
		goto out;
	}
	int audit;
	if (parse_mask(r, member(body, "updateMask", "update_mask"), &audit) != 0)
		goto out;
	copy = json_deep_copy(policy);
	if (!copy) {
		http_reply_json(r, 500, NULL);
		goto out;
	}
	/* Without auditConfigs in the mask, Google keeps the stored audit configs. */
	if (!audit) {
		json_object_del(copy, "auditConfigs");
		json_object_del(copy, "audit_configs");
		if (iam_get_policy(x.c->iam, x.project_res, 3, &current) == 0) {
			json_t *ac = json_object_get(current, "auditConfigs");
			if (ac && json_array_size(ac))
				json_object_set(copy, "auditConfigs", ac);
		}
	}
	int rc = cloud_policy_members_check(x.c, x.project_res, copy, &err);
	if (rc == 0)
		rc = iam_set_policy(x.c->iam, x.project_res, copy, cloud_now_ms(), &stored, &err);
	if (rc == 0) {
		http_reply_json(r, 200, stored);
		stored = NULL;
	} else if (rc == -ECANCELED) {
		http_reply_gerror(r, 409, "ABORTED", NULL, NULL, NULL, "%s", ABORTED_TEXT);
	} else if (rc == -EINVAL) {
		http_reply_gerror(r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL, "%s",
				  err ? err : "Request contains an invalid argument.");
	} else {
		cloud_reply_internal(r);
	}
out:
	free(err);
	json_decref(stored);
	json_decref(current);
	json_decref(copy);
	cloud_call_end(&x);
}

/* service.resource.verb: dot-separated words of [A-Za-z0-9_], three or more. */
static int permission_ok(const char *p)
{
	int dots = 0;
	size_t n = 0;
	char prev = '.';
	for (; p[n]; n++) {
		char ch = p[n];
		if (ch == '.') {
			if (prev == '.')
				return 0;
			dots++;
		} else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || ch == '_')) {
			return 0;
		}
		prev = ch;
	}
	return n <= 128 && dots >= 2 && prev != '.';
}

json_t *crm_project_view(const json_t *p)
{
	return project_json(p);
}

void crm_test_permissions_on(struct cloud_call *x, const char *resource)
{
	struct http_req *r = x->r;
	json_t *body, *held = NULL;

	if (cloud_call_body(x, 1, &jschema_iam_TestIamPermissionsRequest) != 0)
		return;
	body = x->body;
	json_t *perms = json_object_get(body, "permissions");
	if (perms && !json_is_null(perms) && !json_is_array(perms)) {
		gerr_bad_value(r, "permissions", "TYPE_STRING", perms);
		return;
	}
	if (json_array_size(perms) > TEST_PERMS_MAX) {
		gerr_bad_request(r, "permissions", "At most %d permissions may be tested at once.",
				 TEST_PERMS_MAX);
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(perms, i, v)
	{
		char field[48];
		snprintf(field, sizeof(field), "permissions[%zu]", i);
		if (!json_is_string(v)) {
			gerr_bad_value(r, field, "TYPE_STRING", v);
			return;
		}
		if (!permission_ok(json_string_value(v))) {
			char shown[ECHO_MAX];
			gerr_clip(shown, sizeof(shown), json_string_value(v));
			gerr_bad_request(r, field,
					 "Permission '%s' is not valid for this resource.", shown);
			return;
		}
	}
	held = json_array();
	if (!held) {
		http_reply_json(r, 500, NULL);
		return;
	}
	const char *res[] = {resource};
	json_array_foreach(perms, i, v)
	{
		if (cloud_allowed(x->c, &x->who, res, 1, json_string_value(v)))
			json_array_append(held, v);
	}
	json_t *resp = json_object();
	if (resp && json_array_size(held))
		json_object_set(resp, "permissions", held);
	http_reply_json(r, 200, resp);
	json_decref(held);
}

/* POST /v1/projects/{project}:testIamPermissions {"permissions":[...]} */
static void crm_test_iam_permissions(struct http_req *r)
{
	struct cloud_call x;

	if (begin(r, &x) == 0)
		crm_test_permissions_on(&x, x.project_res);
	cloud_call_end(&x);
}

#define P "/cloudresourcemanager/v1/projects/{project}"
static const struct cloud_route routes[] = {
	{"GET", "/cloudresourcemanager/v1/projects", crm_list, "resourcemanager.projects.get", 1,
	 "checked on each project, which the list shows only when held"},
	{"GET", P, crm_get, "resourcemanager.projects.get", 1, NULL},
	{"POST", P ":getAncestry", crm_get_ancestry, "resourcemanager.projects.get", 0, NULL},
	{"POST", P ":getIamPolicy", crm_get_iam_policy, "resourcemanager.projects.getIamPolicy", 1,
	 NULL},
	{"POST", P ":setIamPolicy", crm_set_iam_policy, "resourcemanager.projects.setIamPolicy", 0,
	 NULL},
	{"POST", P ":testIamPermissions", crm_test_iam_permissions, NULL, 1,
	 "any caller may learn which of the permissions it holds"},
};
#undef P
const struct cloud_api crm_api = CLOUD_API(SERVICE, routes);
