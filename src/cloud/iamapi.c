/*
 * iamapi.c - what the IAM API's files share (iamapi.h): Google's replies and texts,
 * store and paging helpers, and finding the service account a path names with the
 * caller's permission on it. The methods are in iamapi_sa.c (service accounts and
 * their allow policies), iamapi_keys.c (keys and public keys) and iamapi_roles.c
 * (roles and permissions).
 *
 * A key's private half leaves in the create response only; the store keeps the public
 * half (PEM) and a self-signed certificate, where oauth2.c and cloud.c look it up.
 */
#include "cloud/iamapi.h"
#include "core/dbuf.h"

/* ---- replies ----------------------------------------------------------------------- */

void iamapi_reply_status(struct http_req *r, int code, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void iamapi_reply_status(struct http_req *r, int code, const char *status, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_gerror(r, code, status, NULL, NULL, NULL, "%s", msg);
}

/* Google's text for a field of the wrong JSON type or an unknown enum value:
 * Invalid value at 'service_account.display_name' (TYPE_STRING), 5 */
void iamapi_reply_bad_value(struct http_req *r, const char *field, const char *type,
			    const json_t *value)
{
	char *s = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (s && strlen(s) > 200)
		strcpy(s + 197, "...");
	iamapi_reply_status(r, 400, "INVALID_ARGUMENT", "Invalid value at '%s' (%s), %s", field,
			    type, s ? s : "null");
	free(s);
}

void iamapi_reply_bad_query(struct http_req *r, const char *field, const char *type,
			    const char *value)
{
	char shown[128];
	snprintf(shown, sizeof(shown), "%s", value);
	iamapi_reply_status(r, 400, "INVALID_ARGUMENT", "Invalid value at '%s' (%s), \"%s\"", field,
			    type, shown);
}

void iamapi_reply_unknown_sa(struct http_req *r)
{
	iamapi_reply_status(r, 404, "NOT_FOUND", "Unknown service account");
}

/* 409 ALREADY_EXISTS with the ResourceInfo detail Google adds. */
void iamapi_reply_sa_exists(struct http_req *r, const char *account_id, const char *project,
			    const char *resource)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "Service account %s already exists within project projects/%s.",
		 account_id, project);
	json_t *err =
		json_pack("{s:{s:i, s:s, s:s, s:[{s:s, s:s}]}}", "error", "code", 409, "message",
			  msg, "status", "ALREADY_EXISTS", "details", "@type",
			  "type.googleapis.com/google.rpc.ResourceInfo", "resourceName", resource);
	http_reply_json(r, 409, err);
}

/* ---- small helpers ----------------------------------------------------------------- */

int iamapi_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int iamapi_is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

const char *iamapi_str(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

/* The stored JSON at key and its mod revision. 0, -ENOENT or -EIO. */
int iamapi_load_json(struct store *s, const char *key, json_t **out, int64_t *rev)
{
	struct store_kv kv;
	int rc = store_get(s, key, &kv);
	*out = NULL;
	if (rc != 0)
		return rc;
	*out = json_loadb(kv.value, kv.value_len, 0, NULL);
	if (rev)
		*rev = kv.mod_rev;
	store_kv_free(&kv);
	return *out ? 0 : -EIO;
}

int iamapi_put_json(struct store *s, const char *key, const json_t *j, int64_t expected)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return -ENOMEM;
	int rc = store_put(s, key, text, strlen(text), expected, NULL);
	free(text);
	return rc;
}

/* A page size from the query: 0 (absent) gives def, larger than max gives max. */
int iamapi_page_size(struct http_req *r, int def, int max, int *out)
{
	const char *v = http_query(r, "pageSize");
	*out = def;
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < 0 || n > 0x7fffffffL) {
		iamapi_reply_bad_query(r, "page_size", "TYPE_INT32", v);
		return -EINVAL;
	}
	if (n > 0)
		*out = n > max ? max : (int)n;
	return 0;
}

/* Page tokens are opaque to clients: base64url of the last name returned. Decodes t
 * (NULL or empty: no token) into *cursor, which the caller frees (NULL when there is no
 * token). 0, or -EINVAL after replying. */
int iamapi_page_cursor(struct http_req *r, const char *t, char **cursor)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	*cursor = NULL;
	if (!t || !*t)
		return 0;
	if (strlen(t) > 1024 || b64url_decode(t, strlen(t), &raw, &len) != 0 || len == 0 ||
	    memchr(raw, '\0', len)) {
		free(raw);
		iamapi_reply_status(r, 400, "INVALID_ARGUMENT", "The page token is invalid.");
		return -EINVAL;
	}
	*cursor = (char *)raw;
	return 0;
}

/* Replies with a page of a list: resp (stolen) with items (borrowed) as its member name
 * when there are any and, when more follow, the token of the page after last. */
void iamapi_reply_page(struct http_req *r, json_t *resp, const char *name, json_t *items, int more,
		       const char *last)
{
	if (json_array_size(items))
		json_object_set(resp, name, items);
	if (more && last) {
		char *tok = b64url_encode(last, strlen(last));
		if (!tok) {
			json_decref(resp);
			cloud_reply_internal(r);
			return;
		}
		json_object_set_new(resp, "nextPageToken", json_string(tok));
		free(tok);
	}
	http_reply_json(r, 200, resp);
}

/* ---- resolving a service account from the path --------------------------------------- */

void iamapi_sa_ctx_free(struct sa_ctx *x)
{
	cloud_call_end(&x->cc);
	json_decref(x->sa);
	x->sa = NULL;
}

/* The record of a service account by email or unique ID, and its revision. */
json_t *iamapi_sa_lookup(struct cloud *c, const char *id, int64_t *rev)
{
	char project[PROJECT_MAX + 1], key[1024];
	json_t *sa = NULL, *found = NULL;
	const char *email = id;
	/* Not an email: a unique ID, which cloud_sa_get finds by a scan; the record is read
	 * again by its email for the revision. */
	if (!cloud_sa_project_of(c, id, project, sizeof(project))) {
		found = cloud_sa_get(c, id);
		email = iamapi_str(found, "email");
		if (email && !cloud_sa_project_of(c, email, project, sizeof(project)))
			email = NULL;
	}
	if (email && SFMT(key, "/projects/%s/serviceAccounts/%s", project, email) == 0)
		iamapi_load_json(c->store, key, &sa, rev);
	json_decref(found);
	return sa;
}

/* Authenticates, finds the service account named by {project} and {sa}, checks that the
 * IAM API is enabled in its project and that the caller holds the route's permission
 * (none: none needed) on it or its project. As Google: a caller who may not see the account gets
 * 403 whether or not it exists; one who may gets 404 when it does not. 0, or -errno after replying.
 */
int iamapi_sa_open(struct http_req *r, struct sa_ctx *x)
{
	struct cloud *c = r->app;
	const char *proj = http_param(r, "project"), *id = http_param(r, "sa");
	char hint[PROJECT_MAX + 1];
	const char *project = NULL;

	memset(x, 0, sizeof(*x));
	if (cloud_call_begin(&x->cc, r, NULL) != 0)
		return -EACCES;
	const char *permission = x->cc.permission;
	if (!proj || !id)
		goto denied;
	int id_ok = strlen(id) <= ID_MAX && iamapi_printable(id) && !strchr(id, '/');
	if (strlen(proj) > PROJECT_MAX || !iamapi_printable(proj))
		goto denied;
	if (id_ok)
		x->sa = iamapi_sa_lookup(c, id, &x->rev);
	if (x->sa && strcmp(proj, "-") != 0) {
		/* An explicit project must be the account's own (by ID or number). */
		json_t *p = cloud_project_get(c, proj);
		const char *pid = iamapi_str(p, "projectId"), *own = iamapi_str(x->sa, "projectId");
		if (!pid || !own || strcmp(pid, own) != 0) {
			json_decref(x->sa);
			x->sa = NULL;
		}
		json_decref(p);
	}
	if (x->sa)
		project = iamapi_str(x->sa, "projectId");
	else if (strcmp(proj, "-") != 0)
		project = proj;
	else if (id_ok)
		project = cloud_sa_project_of(c, id, hint, sizeof(hint));
	if (project)
		cloud_call_project(&x->cc, project);
	x->project_id = x->cc.project_id;
	if (x->cc.project && cloud_call_service(&x->cc) != 0)
		return -EPERM;
	if (x->sa) {
		x->email = iamapi_str(x->sa, "email");
		if (!x->email || !x->project_id ||
		    SFMT(x->resource, "projects/%s/serviceAccounts/%s", x->project_id, x->email) ||
		    SFMT(x->key, "/%s", x->resource))
			goto denied;
	} else if (x->project_id && id_ok &&
		   SFMT(x->resource, "projects/%s/serviceAccounts/%s", x->project_id, id) != 0) {
		goto denied;
	}
	if (permission) {
		char project_res[PROJECT_MAX + 16];
		if (!x->project_id || SFMT(project_res, "projects/%s", x->project_id) != 0)
			goto denied;
		/* An id that cannot name an account is checked on the project alone. */
		const char *res[2] = {x->resource[0] ? x->resource : project_res, project_res};
		if (!cloud_call_allowed(&x->cc, NULL, res, x->resource[0] ? 2 : 1))
			goto denied;
	}
	if (!x->sa) {
		iamapi_reply_unknown_sa(r);
		return -ENOENT;
	}
	return 0;
denied:
	if (permission)
		cloud_reply_permission_denied(r, permission);
	else
		iamapi_reply_unknown_sa(r);
	return -EACCES;
}

/* Authenticates and finds the project {project} with the IAM API enabled, where the
 * caller holds the route's permission. 0, or -errno after replying; cloud_call_end
 * either way. */
int iamapi_project_open(struct http_req *r, struct cloud_call *x)
{
	const char *proj = http_param(r, "project");
	if (cloud_call_begin(x, r, NULL) != 0)
		return -EACCES;
	if (!proj || strcmp(proj, "-") == 0 || cloud_call_project(x, proj) != 0 ||
	    strlen(x->project_id) > PROJECT_MAX) {
		cloud_reply_permission_denied(r, x->permission);
		return -EACCES;
	}
	if (cloud_call_service(x) != 0)
		return -EPERM;
	const char *resources[1] = {x->project_res};
	if (!cloud_call_allowed(x, NULL, resources, 1)) {
		cloud_reply_permission_denied(r, x->permission);
		return -EACCES;
	}
	return 0;
}

/* ---- roles on service accounts ----------------------------------------------------- */

/* The permissions that apply to a service account: on it, and on its keys. */
const char *const iamapi_sa_perm_prefixes[IAMAPI_SA_PERM_PREFIXES] = {"iam.serviceAccounts.",
								      "iam.serviceAccountKeys."};

/* True when a predefined role can be granted on a service account: it must hold some
 * permission on service accounts or their keys. */
int iamapi_role_fits_sa(struct iam *iam, const char *role)
{
	int fits = 0;
	if (!iam_role_known(iam, role))
		return 1; /* unknown roles are iam.c's to judge */
	for (size_t i = 0; i < IAMAPI_SA_PERM_PREFIXES && !fits; i++)
		fits = iam_role_has_prefix(iam, role, iamapi_sa_perm_prefixes[i]);
	return fits;
}
