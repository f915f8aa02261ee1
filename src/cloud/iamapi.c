/*
 * iamapi.c - the IAM API (iam.googleapis.com v1) as gcloud and the client libraries
 * call it: service accounts (create, get, list, patch, update, delete, enable, disable,
 * get/set/testIamPermissions), their keys (create, list, get, delete, enable, disable),
 * the predefined roles (get, list, queryGrantableRoles), the permissions that can be
 * tested on a resource (queryTestablePermissions), and the public keys of service
 * accounts as JWKs and X.509 certificates (/service_accounts/v1/metadata/{jwk,x509}).
 *
 * A key's private half leaves in the create response only; the store keeps the public
 * half (PEM) and a self-signed certificate, where oauth2.c and cloud.c look it up.
 */
#include "cloud/cloud.h"
#include "cloud/hier.h"
#include "cloud/jsonschema.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "core/clock.h"
#include "core/jwt.h"
#include "core/store.h"

#define SERVICE "iam.googleapis.com"
#define SA_DOMAIN ".iam.gserviceaccount.com"
#define SA_ETAG "MDEwMjE5MjA="                  /* Google's (deprecated) constant etag */
#define VALID_FOREVER "9999-12-31T23:59:59Z"     /* user-managed keys do not expire */
#define ID_MAX 320           /* an email or unique ID in a path */
#define PROJECT_MAX 128
#define DISPLAY_NAME_MAX 100 /* bytes, as Google */
#define DESCRIPTION_MAX 256
#define USER_KEYS_MAX 10     /* user-managed keys per service account, as Google */
#define SA_PAGE_DEFAULT 20
#define SA_PAGE_MAX 100
#define ROLE_PAGE_DEFAULT 300
#define ROLE_PAGE_MAX 1000
#define PERM_PAGE_DEFAULT 100 /* queryTestablePermissions, as Google */
#define TEST_PERMISSIONS_MAX 1000
#define PERMISSION_MAX 256
#define P12_PASSWORD "notasecret" /* Google's, for every .p12 key */

/* ---- replies ----------------------------------------------------------------------- */

static void reply_status(struct http_req *r, int code, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void reply_status(struct http_req *r, int code, const char *status, const char *fmt, ...)
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
static void reply_bad_value(struct http_req *r, const char *field, const char *type,
			    const json_t *value)
{
	char *s = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (s && strlen(s) > 200)
		strcpy(s + 197, "...");
	reply_status(r, 400, "INVALID_ARGUMENT", "Invalid value at '%s' (%s), %s", field, type,
		     s ? s : "null");
	free(s);
}

static void reply_bad_query(struct http_req *r, const char *field, const char *type,
			    const char *value)
{
	char shown[128];
	snprintf(shown, sizeof(shown), "%s", value);
	reply_status(r, 400, "INVALID_ARGUMENT", "Invalid value at '%s' (%s), \"%s\"", field, type,
		     shown);
}

static void reply_unknown_sa(struct http_req *r)
{
	reply_status(r, 404, "NOT_FOUND", "Unknown service account");
}

static void reply_internal(struct http_req *r)
{
	reply_status(r, 500, "INTERNAL", "Internal error encountered.");
}

/* 409 ALREADY_EXISTS with the ResourceInfo detail Google adds. */
static void reply_sa_exists(struct http_req *r, const char *account_id, const char *project,
			    const char *resource)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "Service account %s already exists within project projects/%s.",
		 account_id, project);
	json_t *err = json_pack("{s:{s:i, s:s, s:s, s:[{s:s, s:s}]}}", "error", "code", 409,
				"message", msg, "status", "ALREADY_EXISTS", "details", "@type",
				"type.googleapis.com/google.rpc.ResourceInfo", "resourceName",
				resource);
	http_reply_json(r, 409, err);
}

/* ---- small helpers ----------------------------------------------------------------- */

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static int is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

static const char *str(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

/* The stored JSON at key and its mod revision. 0, -ENOENT or -EIO. */
static int load_json(struct store *s, const char *key, json_t **out, int64_t *rev)
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

static int put_json(struct store *s, const char *key, const json_t *j, int64_t expected)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return -ENOMEM;
	int rc = store_put(s, key, text, strlen(text), expected, NULL);
	free(text);
	return rc;
}

/* A page size from the query: 0 (absent) gives def, larger than max gives max. */
static int page_size(struct http_req *r, int def, int max, int *out)
{
	const char *v = http_query(r, "pageSize");
	*out = def;
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < 0 || n > 0x7fffffffL) {
		reply_bad_query(r, "page_size", "TYPE_INT32", v);
		return -EINVAL;
	}
	if (n > 0)
		*out = n > max ? max : (int)n;
	return 0;
}

/* Page tokens are opaque to clients: base64url of the last name returned. Decodes t
 * (NULL or empty: no token) into *cursor, which the caller frees (NULL when there is no
 * token). 0, or -EINVAL after replying. */
static int page_cursor(struct http_req *r, const char *t, char **cursor)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	*cursor = NULL;
	if (!t || !*t)
		return 0;
	if (strlen(t) > 1024 || b64url_decode(t, strlen(t), &raw, &len) != 0 || len == 0 ||
	    memchr(raw, '\0', len)) {
		free(raw);
		reply_status(r, 400, "INVALID_ARGUMENT", "The page token is invalid.");
		return -EINVAL;
	}
	*cursor = (char *)raw;
	return 0;
}

/* Replies with a page of a list: resp (stolen) with items (borrowed) as its member name
 * when there are any and, when more follow, the token of the page after last. */
static void reply_page(struct http_req *r, json_t *resp, const char *name, json_t *items,
		       int more, const char *last)
{
	if (json_array_size(items))
		json_object_set(resp, name, items);
	if (more && last) {
		char *tok = b64url_encode(last, strlen(last));
		if (!tok) {
			json_decref(resp);
			reply_internal(r);
			return;
		}
		json_object_set_new(resp, "nextPageToken", json_string(tok));
		free(tok);
	}
	http_reply_json(r, 200, resp);
}

/* ---- the service-account record ---------------------------------------------------- */

static json_t *sa_build(const char *project, const char *unique_id, const char *email,
			const char *display_name, const char *description, int disabled)
{
	char name[1024];
	snprintf(name, sizeof(name), "projects/%s/serviceAccounts/%s", project, email);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "projectId", project,
			      "uniqueId", unique_id, "email", email);
	if (!j)
		return NULL;
	int rc = 0;
	if (display_name && *display_name)
		rc |= json_object_set_new(j, "displayName", json_string(display_name));
	rc |= json_object_set_new(j, "etag", json_string(SA_ETAG));
	if (description && *description)
		rc |= json_object_set_new(j, "description", json_string(description));
	rc |= json_object_set_new(j, "oauth2ClientId", json_string(unique_id));
	if (disabled)
		rc |= json_object_set_new(j, "disabled", json_true());
	if (rc) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int account_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n < 1 || !islower((unsigned char)id[0]) || id[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)id[i]) && !isdigit((unsigned char)id[i]) && id[i] != '-')
			return 0;
	return 1;
}

/* A 21-digit unique ID, as Google's (they start with 1). */
static int make_unique_id(char out[22])
{
	unsigned char b[20];
	if (random_bytes(b, sizeof(b)) != 0)
		return -EIO;
	out[0] = '1';
	for (size_t i = 0; i < sizeof(b); i++)
		out[i + 1] = (char)('0' + b[i] % 10);
	out[21] = '\0';
	return 0;
}

/* The optional string field name of obj, at most max bytes. 0 with *out (borrowed, NULL
 * when absent or null), or -EINVAL after replying 400. */
static int opt_string(struct http_req *r, const json_t *obj, const char *name, const char *field,
		      size_t max, const char **out)
{
	json_t *v = json_object_get(obj, name);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		reply_bad_value(r, field, "TYPE_STRING", v);
		return -EINVAL;
	}
	if (json_string_length(v) > max) {
		reply_status(r, 400, "INVALID_ARGUMENT",
			     "The %s must be at most %zu bytes long; it has %zu.", field, max,
			     json_string_length(v));
		return -EINVAL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		reply_status(r, 400, "INVALID_ARGUMENT", "The %s must not contain NUL characters.",
			     field);
		return -EINVAL;
	}
	*out = json_string_value(v);
	return 0;
}

/* The "serviceAccount" member of a request body (borrowed; NULL when absent), which
 * must be an object or null. 0, or -EINVAL after replying. */
static int sa_input(struct http_req *r, const json_t *body, json_t **in)
{
	*in = json_object_get(body, "serviceAccount");
	if (*in && !json_is_null(*in) && !json_is_object(*in)) {
		reply_bad_value(r, "service_account",
				"type.googleapis.com/google.iam.admin.v1.ServiceAccount", *in);
		return -EINVAL;
	}
	return 0;
}

/* The optional displayName and description of a ServiceAccount object in (see
 * opt_string). 0, or -EINVAL after replying. */
static int sa_texts(struct http_req *r, const json_t *in, const char **display,
		    const char **desc)
{
	if (opt_string(r, in, "displayName", "service_account.display_name", DISPLAY_NAME_MAX,
		       display) != 0 ||
	    opt_string(r, in, "description", "service_account.description", DESCRIPTION_MAX,
		       desc) != 0)
		return -EINVAL;
	return 0;
}

/* ---- resolving a service account from the path --------------------------------------- */

struct sa_ctx {
	struct caller who;
	json_t *project; /* the owning project (new reference), NULL when unknown */
	json_t *sa;      /* the stored record (new reference), NULL when unknown */
	int64_t rev;     /* its mod revision */
	const char *project_id;
	const char *email;
	char key[1040];      /* store key of the record */
	char resource[1024]; /* "projects/P/serviceAccounts/EMAIL" */
};

static void sa_ctx_free(struct sa_ctx *x)
{
	json_decref(x->project);
	json_decref(x->sa);
	x->project = x->sa = NULL;
}

/* The record of a service account by email or unique ID, and its revision. */
static json_t *sa_lookup(struct cloud *c, const char *id, int64_t *rev)
{
	char project[PROJECT_MAX + 1], key[1024];
	json_t *sa = NULL, *found = NULL;
	const char *email = id;
	/* Not an email: a unique ID, which cloud_sa_get finds by a scan; the record is read
	 * again by its email for the revision. */
	if (!cloud_sa_project_of(c, id, project, sizeof(project))) {
		found = cloud_sa_get(c, id);
		email = str(found, "email");
		if (email && !cloud_sa_project_of(c, email, project, sizeof(project)))
			email = NULL;
	}
	if (email && (size_t)snprintf(key, sizeof(key), "/projects/%s/serviceAccounts/%s", project,
				      email) < sizeof(key))
		load_json(c->store, key, &sa, rev);
	json_decref(found);
	return sa;
}

/* Authenticates, finds the service account named by {project} and {sa}, checks that the
 * IAM API is enabled in its project and that the caller holds permission (NULL: none
 * needed) on it or its project. As Google: a caller who may not see the account gets 403
 * whether or not it exists; one who may gets 404 when it does not. 0, or -errno after
 * replying. */
static int sa_open(struct http_req *r, struct sa_ctx *x, const char *permission)
{
	struct cloud *c = r->app;
	const char *proj = http_param(r, "project"), *id = http_param(r, "sa");
	char hint[PROJECT_MAX + 1];
	const char *project = NULL;

	memset(x, 0, sizeof(*x));
	if (cloud_authenticate(c, r, SERVICE, &x->who) != 0)
		return -EACCES;
	if (!proj || !id)
		goto denied;
	int id_ok = strlen(id) <= ID_MAX && printable(id) && !strchr(id, '/');
	if (strlen(proj) > PROJECT_MAX || !printable(proj))
		goto denied;
	if (id_ok)
		x->sa = sa_lookup(c, id, &x->rev);
	if (x->sa && strcmp(proj, "-") != 0) {
		/* An explicit project must be the account's own (by ID or number). */
		json_t *p = cloud_project_get(c, proj);
		const char *pid = str(p, "projectId"), *own = str(x->sa, "projectId");
		if (!pid || !own || strcmp(pid, own) != 0) {
			json_decref(x->sa);
			x->sa = NULL;
		}
		json_decref(p);
	}
	if (x->sa)
		project = str(x->sa, "projectId");
	else if (strcmp(proj, "-") != 0)
		project = proj;
	else if (id_ok)
		project = cloud_sa_project_of(c, id, hint, sizeof(hint));
	if (project)
		x->project = cloud_project_get(c, project);
	x->project_id = str(x->project, "projectId");
	if (x->project && cloud_require_service(c, r, x->project, SERVICE) != 0)
		return -EPERM;
	if (x->sa) {
		x->email = str(x->sa, "email");
		if (!x->email || !x->project_id)
			goto denied;
		snprintf(x->resource, sizeof(x->resource), "projects/%s/serviceAccounts/%s",
			 x->project_id, x->email);
		snprintf(x->key, sizeof(x->key), "/%s", x->resource);
	} else if (x->project_id && id_ok) {
		snprintf(x->resource, sizeof(x->resource), "projects/%s/serviceAccounts/%s",
			 x->project_id, id);
	}
	if (permission) {
		char project_res[PROJECT_MAX + 16];
		if (!x->project_id)
			goto denied;
		snprintf(project_res, sizeof(project_res), "projects/%s", x->project_id);
		/* An id that cannot name an account is checked on the project alone. */
		const char *res[2] = {x->resource[0] ? x->resource : project_res, project_res};
		if (!cloud_allowed(c, &x->who, res, x->resource[0] ? 2 : 1, permission))
			goto denied;
	}
	if (!x->sa) {
		reply_unknown_sa(r);
		return -ENOENT;
	}
	return 0;
denied:
	if (permission)
		cloud_reply_permission_denied(r, permission);
	else
		reply_unknown_sa(r);
	return -EACCES;
}

/* Authenticates and finds the project {project} with the IAM API enabled, where the
 * caller holds permission. 0 with *project (new reference), or -errno after replying. */
static int project_open(struct http_req *r, struct caller *who, const char *permission,
			json_t **project)
{
	struct cloud *c = r->app;
	const char *proj = http_param(r, "project");
	char res[PROJECT_MAX + 16];
	*project = NULL;
	if (cloud_authenticate(c, r, SERVICE, who) != 0)
		return -EACCES;
	json_t *p = proj && strcmp(proj, "-") != 0 ? cloud_project_get(c, proj) : NULL;
	const char *pid = str(p, "projectId");
	if (!pid || strlen(pid) > PROJECT_MAX) {
		json_decref(p);
		cloud_reply_permission_denied(r, permission);
		return -EACCES;
	}
	if (cloud_require_service(c, r, p, SERVICE) != 0) {
		json_decref(p);
		return -EPERM;
	}
	snprintf(res, sizeof(res), "projects/%s", pid);
	const char *resources[1] = {res};
	if (!cloud_allowed(c, who, resources, 1, permission)) {
		json_decref(p);
		cloud_reply_permission_denied(r, permission);
		return -EACCES;
	}
	*project = p;
	return 0;
}

/* ---- service accounts -------------------------------------------------------------- */

static void sa_create(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	json_t *project = NULL, *body = NULL, *sa = NULL;
	const char *display = NULL, *desc = NULL;
	char email[ID_MAX + 1], uid[22], key[1024];

	if (project_open(r, &who, "iam.serviceAccounts.create", &project) != 0)
		goto out;
	const char *pid = str(project, "projectId");
	if (!(body = jschema_body(r, 0, &jschema_iam_CreateServiceAccountRequest)))
		goto out;
	json_t *aid = json_object_get(body, "accountId");
	if (aid && !json_is_string(aid)) {
		reply_bad_value(r, "account_id", "TYPE_STRING", aid);
		goto out;
	}
	const char *account_id = aid ? json_string_value(aid) : "";
	size_t aid_len = aid ? json_string_length(aid) : 0;
	if (strlen(account_id) != aid_len || aid_len < 6 || aid_len > 30) {
		char shown[64];
		snprintf(shown, sizeof(shown), "%s", account_id);
		reply_status(r, 400, "INVALID_ARGUMENT",
			     "The account ID \"%s\" does not have a length between 6 and 30.", shown);
		goto out;
	}
	if (!account_id_valid(account_id)) {
		reply_status(r, 400, "INVALID_ARGUMENT",
			     "The account ID \"%s\" is invalid: it must start with a lower case "
			     "letter, followed by lower case letters, digits or hyphens, and must "
			     "not end with a hyphen ([a-z]([-a-z0-9]*[a-z0-9])).",
			     account_id);
		goto out;
	}
	json_t *in;
	if (sa_input(r, body, &in) != 0 || sa_texts(r, in, &display, &desc) != 0)
		goto out;
	snprintf(email, sizeof(email), "%s@%s%s", account_id, pid, SA_DOMAIN);
	if (make_unique_id(uid) != 0) {
		reply_internal(r);
		goto out;
	}
	if (!(sa = sa_build(pid, uid, email, display, desc, 0))) {
		reply_internal(r);
		goto out;
	}
	snprintf(key, sizeof(key), "/projects/%s/serviceAccounts/%s", pid, email);
	int rc = put_json(c->store, key, sa, STORE_ABSENT);
	if (rc == -EEXIST) {
		reply_sa_exists(r, account_id, pid, key + 1);
		goto out;
	}
	if (rc != 0) {
		reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, sa);
	sa = NULL;
out:
	json_decref(project);
	json_decref(body);
	json_decref(sa);
}

static void sa_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	json_t *project = NULL, *accounts = NULL, *resp = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	char *cursor = NULL, prefix[PROJECT_MAX + 64];
	int size;

	if (project_open(r, &who, "iam.serviceAccounts.list", &project) != 0)
		goto out;
	if (page_size(r, SA_PAGE_DEFAULT, SA_PAGE_MAX, &size) != 0 ||
	    page_cursor(r, http_query(r, "pageToken"), &cursor) != 0)
		goto out;
	snprintf(prefix, sizeof(prefix), "/projects/%s/serviceAccounts/", str(project, "projectId"));
	if (store_range(c->store, prefix, 0, &kvs, &n, NULL) != 0 || !(accounts = json_array()) ||
	    !(resp = json_object())) {
		reply_internal(r);
		goto out;
	}
	const char *last = NULL;
	int more = 0;
	for (size_t i = 0; i < n; i++) {
		const char *email = kvs[i].key + strlen(prefix);
		if (strchr(email, '/') || (cursor && strcmp(email, cursor) <= 0))
			continue;
		if ((int)json_array_size(accounts) == size) {
			more = 1;
			break;
		}
		json_t *sa = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		if (!sa)
			continue;
		if (json_array_append_new(accounts, sa) != 0) {
			reply_internal(r);
			goto out;
		}
		last = email;
	}
	reply_page(r, resp, "accounts", accounts, more, last);
	resp = NULL;
out:
	store_kvs_free(kvs, n);
	free(cursor);
	json_decref(project);
	json_decref(accounts);
	json_decref(resp);
}

static void sa_get(struct http_req *r)
{
	struct sa_ctx x;
	if (sa_open(r, &x, "iam.serviceAccounts.get") == 0) {
		http_reply_json(r, 200, x.sa);
		x.sa = NULL;
	}
	sa_ctx_free(&x);
}

/* Rewrites the record with new display name, description and disabled state, at the
 * revision it was read. 0 with the new record in *out, or -errno. */
static int sa_rewrite(struct cloud *c, struct sa_ctx *x, const char *display, const char *desc,
		      int disabled, json_t **out)
{
	json_t *sa = sa_build(x->project_id, str(x->sa, "uniqueId") ? str(x->sa, "uniqueId") : "",
			      x->email, display, desc, disabled);
	*out = NULL;
	if (!sa)
		return -ENOMEM;
	int rc = put_json(c->store, x->key, sa, x->rev);
	if (rc != 0) {
		json_decref(sa);
		return rc;
	}
	*out = sa;
	return 0;
}

static void reply_rewrite_error(struct http_req *r, int rc)
{
	if (rc == -ECANCELED || rc == -ENOENT)
		reply_status(r, 409, "ABORTED",
			     "The service account was modified concurrently. Please retry.");
	else
		reply_internal(r);
}

/* Rewrites the record with a new display name and description, keeping its disabled
 * state, and replies with the new record (or the error). */
static void reply_sa_rewritten(struct http_req *r, struct sa_ctx *x, const char *display,
			       const char *desc)
{
	json_t *out = NULL;
	int rc = sa_rewrite(r->app, x, display, desc,
			    json_is_true(json_object_get(x->sa, "disabled")), &out);
	if (rc != 0)
		reply_rewrite_error(r, rc);
	else
		http_reply_json(r, 200, out);
}

/* PATCH {"serviceAccount":{...},"updateMask":"displayName,description"} */
static void sa_patch(struct http_req *r)
{
	struct sa_ctx x;
	json_t *body = NULL;
	char mask[256];

	if (sa_open(r, &x, "iam.serviceAccounts.update") != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_PatchServiceAccountRequest)))
		goto out;
	json_t *in;
	if (sa_input(r, body, &in) != 0)
		goto out;
	json_t *m = json_object_get(body, "updateMask");
	if (m && !json_is_string(m)) {
		reply_bad_value(r, "update_mask", "type.googleapis.com/google.protobuf.FieldMask", m);
		goto out;
	}
	const char *display = str(x.sa, "displayName"), *desc = str(x.sa, "description");
	const char *new_display, *new_desc;
	if (sa_texts(r, in, &new_display, &new_desc) != 0)
		goto out;
	if (m) {
		if (json_string_length(m) >= sizeof(mask)) {
			reply_status(r, 400, "INVALID_ARGUMENT", "The update mask is too long.");
			goto out;
		}
		snprintf(mask, sizeof(mask), "%s", json_string_value(m));
		char *save = NULL;
		for (char *f = strtok_r(mask, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
			while (*f == ' ')
				f++;
			size_t fl = strlen(f);
			while (fl && f[fl - 1] == ' ')
				f[--fl] = '\0';
			if (!strcmp(f, "displayName") || !strcmp(f, "display_name")) {
				display = new_display;
			} else if (!strcmp(f, "description")) {
				desc = new_desc;
			} else if (*f) {
				reply_status(r, 400, "INVALID_ARGUMENT",
					     "Invalid update mask path \"%s\": only displayName "
					     "and description can be updated.",
					     f);
				goto out;
			}
		}
	} else {
		/* No mask: the fields present. */
		if (json_object_get(in, "displayName"))
			display = new_display;
		if (json_object_get(in, "description"))
			desc = new_desc;
	}
	reply_sa_rewritten(r, &x, display, desc);
out:
	sa_ctx_free(&x);
	json_decref(body);
}

/* PUT (the older update): the body is a ServiceAccount; displayName and description. */
static void sa_update(struct http_req *r)
{
	struct sa_ctx x;
	json_t *body = NULL;
	const char *new_display, *new_desc;

	if (sa_open(r, &x, "iam.serviceAccounts.update") != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_ServiceAccount)))
		goto out;
	if (opt_string(r, body, "displayName", "display_name", DISPLAY_NAME_MAX, &new_display) != 0 ||
	    opt_string(r, body, "description", "description", DESCRIPTION_MAX, &new_desc) != 0)
		goto out;
	const char *display = json_object_get(body, "displayName") ? new_display
								   : str(x.sa, "displayName");
	const char *desc = json_object_get(body, "description") ? new_desc
								: str(x.sa, "description");
	reply_sa_rewritten(r, &x, display, desc);
out:
	sa_ctx_free(&x);
	json_decref(body);
}

static void sa_set_disabled(struct http_req *r, int disabled)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *out = NULL;

	if (sa_open(r, &x, disabled ? "iam.serviceAccounts.disable" : "iam.serviceAccounts.enable") !=
	    0)
		goto out;
	if (!(body = jschema_body(r, 1,
				  disabled ? &jschema_iam_DisableServiceAccountRequest
					   : &jschema_iam_EnableServiceAccountRequest)))
		goto out;
	if (json_is_true(json_object_get(x.sa, "disabled")) != disabled) {
		int rc = sa_rewrite(c, &x, str(x.sa, "displayName"), str(x.sa, "description"),
				    disabled, &out);
		if (rc != 0) {
			reply_rewrite_error(r, rc);
			goto out;
		}
	}
	http_reply_json(r, 200, json_object());
out:
	sa_ctx_free(&x);
	json_decref(body);
	json_decref(out);
}

static void sa_disable(struct http_req *r)
{
	sa_set_disabled(r, 1);
}

static void sa_enable(struct http_req *r)
{
	sa_set_disabled(r, 0);
}

/* Deletes every key under the account's record. */
static int delete_keys(struct store *s, const char *sa_key)
{
	char prefix[1100];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	snprintf(prefix, sizeof(prefix), "%s/keys/", sa_key);
	int rc = store_range(s, prefix, 0, &kvs, &n, NULL);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int d = store_delete(s, kvs[i].key, STORE_ANY_REV, NULL);
		if (d != 0 && d != -ENOENT)
			rc = d;
	}
	store_kvs_free(kvs, n);
	return rc;
}

static void sa_delete(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;

	if (sa_open(r, &x, "iam.serviceAccounts.delete") != 0)
		goto out;
	int rc = hier_sa_tombstone(c, x.sa); /* for undelete (saextra.c) */
	if (rc == 0)
		rc = delete_keys(c->store, x.key);
	if (rc == 0) {
		rc = store_delete(c->store, x.key, STORE_ANY_REV, NULL);
		if (rc == -ENOENT) {
			reply_unknown_sa(r);
			goto out;
		}
	}
	if (rc == 0)
		rc = iam_delete_policy(c->iam, x.resource);
	/* Google: the account's bindings now show it as deleted, with its uniqueId, and
	 * grant nothing, not even to a new account of the same name. */
	const char *uid = str(x.sa, "uniqueId");
	char member[400], deleted[440];
	if ((rc == 0 || rc == -ENOENT) && uid &&
	    (size_t)snprintf(member, sizeof(member), "serviceAccount:%s", x.email) < sizeof(member) &&
	    (size_t)snprintf(deleted, sizeof(deleted), "deleted:serviceAccount:%s?uid=%s", x.email,
			     uid) < sizeof(deleted))
		rc = iam_member_replace(c->iam, member, deleted, cloud_now_ms());
	if (rc != 0 && rc != -ENOENT) {
		reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_object());
out:
	sa_ctx_free(&x);
}

/* ---- allow policies on a service account ----------------------------------------- */

/* The requested policy version from ?options.requestedPolicyVersion= or the body's
 * {"options":{"requestedPolicyVersion":N}}. 0 or -EINVAL after replying. */
static int requested_version(struct http_req *r, const json_t *body, int *out)
{
	const char *q = http_query(r, "options.requestedPolicyVersion");
	json_t *opts = json_object_get(body, "options");
	json_t *v = json_object_get(opts, "requestedPolicyVersion");
	long n = 0;
	*out = 0;
	if (opts && !json_is_object(opts)) {
		reply_bad_value(r, "options", "type.googleapis.com/google.iam.v1.GetPolicyOptions",
				opts);
		return -EINVAL;
	}
	if (v) {
		if (!json_is_integer(v)) {
			reply_bad_value(r, "options.requested_policy_version", "TYPE_INT32", v);
			return -EINVAL;
		}
		n = (long)json_integer_value(v);
	} else if (q && *q) {
		char *end;
		errno = 0;
		n = strtol(q, &end, 10);
		if (errno || *end) {
			reply_bad_query(r, "options.requested_policy_version", "TYPE_INT32", q);
			return -EINVAL;
		}
	}
	if (n != 0 && n != 1 && n != 3) {
		reply_status(r, 400, "INVALID_ARGUMENT",
			     "The requested policy version %ld is invalid. Valid versions are 0, 1 "
			     "and 3.",
			     n);
		return -EINVAL;
	}
	*out = (int)n;
	return 0;
}

static void sa_get_policy(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *policy = NULL;
	int version;

	if (sa_open(r, &x, "iam.serviceAccounts.getIamPolicy") != 0)
		goto out;
	if (!(body = jschema_body(r, 1, &jschema_iam_GetIamPolicyRequest)) ||
	    requested_version(r, body, &version) != 0)
		goto out;
	if (iam_get_policy(c->iam, x.resource, version, &policy) != 0) {
		reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, policy);
	policy = NULL;
out:
	sa_ctx_free(&x);
	json_decref(body);
	json_decref(policy);
}

/* The permissions that apply to a service account: on it, and on its keys. */
static const char *const sa_perm_prefixes[] = {"iam.serviceAccounts.", "iam.serviceAccountKeys."};
#define SA_PERM_PREFIXES (sizeof(sa_perm_prefixes) / sizeof(sa_perm_prefixes[0]))

/* True when a predefined role can be granted on a service account: it must hold some
 * permission on service accounts or their keys. */
static int role_fits_sa(struct iam *iam, const char *role)
{
	int fits = 0;
	if (!iam_role_known(iam, role))
		return 1; /* unknown roles are iam.c's to judge */
	for (size_t i = 0; i < SA_PERM_PREFIXES && !fits; i++)
		fits = iam_role_has_prefix(iam, role, sa_perm_prefixes[i]);
	return fits;
}

static void sa_set_policy(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *out = NULL;
	char *err = NULL;

	if (sa_open(r, &x, "iam.serviceAccounts.setIamPolicy") != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_SetIamPolicyRequest)))
		goto out;
	json_t *policy = json_object_get(body, "policy");
	if (!policy || json_is_null(policy)) {
		reply_status(r, 400, "INVALID_ARGUMENT", "The request must include a policy.");
		goto out;
	}
	if (!json_is_object(policy)) {
		reply_bad_value(r, "policy", "type.googleapis.com/google.iam.v1.Policy", policy);
		goto out;
	}
	json_t *mask = json_object_get(body, "updateMask");
	if (mask && !json_is_string(mask)) {
		reply_bad_value(r, "update_mask", "type.googleapis.com/google.protobuf.FieldMask",
				mask);
		goto out;
	}
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(policy, "bindings"), i, b)
	{
		const char *role = str(b, "role");
		if (role && !strncmp(role, "roles/", 6) && !role_fits_sa(c->iam, role)) {
			reply_status(r, 400, "INVALID_ARGUMENT",
				     "Role %.200s is not supported for this resource.", role);
			goto out;
		}
	}
	int rc = cloud_policy_members_check(c, x.resource, policy, &err);
	if (rc == 0)
		rc = iam_set_policy(c->iam, x.resource, policy, cloud_now_ms(), &out, &err);
	if (rc == -ECANCELED) {
		reply_status(r, 409, "ABORTED",
			     "There were concurrent policy changes. Please retry the whole "
			     "read-modify-write with exponential backoff.");
		goto out;
	}
	if (rc == -EINVAL) {
		reply_status(r, 400, "INVALID_ARGUMENT", "%s", err ? err : "Invalid policy.");
		goto out;
	}
	if (rc != 0) {
		reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, out);
	out = NULL;
out:
	sa_ctx_free(&x);
	json_decref(body);
	json_decref(out);
	free(err);
}

static void sa_test_permissions(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *allowed = NULL;
	char project_res[PROJECT_MAX + 16];

	if (sa_open(r, &x, NULL) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_TestIamPermissionsRequest)))
		goto out;
	json_t *perms = json_object_get(body, "permissions");
	if (perms && !json_is_array(perms)) {
		reply_bad_value(r, "permissions", "TYPE_STRING", perms);
		goto out;
	}
	if (json_array_size(perms) > TEST_PERMISSIONS_MAX) {
		reply_status(r, 400, "INVALID_ARGUMENT",
			     "No more than %d permissions can be tested at once.",
			     TEST_PERMISSIONS_MAX);
		goto out;
	}
	if (!(allowed = json_array())) {
		reply_internal(r);
		goto out;
	}
	snprintf(project_res, sizeof(project_res), "projects/%s", x.project_id);
	const char *res[2] = {x.resource, project_res};
	size_t i;
	json_t *p;
	json_array_foreach(perms, i, p)
	{
		const char *s = json_string_value(p);
		if (!s || json_string_length(p) > PERMISSION_MAX) {
			reply_bad_value(r, "permissions", "TYPE_STRING", p);
			goto out;
		}
		if (cloud_allowed(c, &x.who, res, 2, s))
			json_array_append(allowed, p);
	}
	json_t *resp = json_object();
	if (resp && json_array_size(allowed))
		json_object_set(resp, "permissions", allowed);
	http_reply_json(r, 200, resp);
out:
	sa_ctx_free(&x);
	json_decref(body);
	json_decref(allowed);
}

/* ---- keys ------------------------------------------------------------------------- */

/* The API view of a stored key record (without the public key material). */
static json_t *key_view(const json_t *rec)
{
	json_t *j = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "name", str(rec, "name"),
			      "validAfterTime", str(rec, "validAfterTime"), "validBeforeTime",
			      str(rec, "validBeforeTime"), "keyAlgorithm", str(rec, "keyAlgorithm"),
			      "keyOrigin", str(rec, "keyOrigin"), "keyType", str(rec, "keyType"));
	if (j && json_is_true(json_object_get(rec, "disabled")))
		json_object_set_new(j, "disabled", json_true());
	return j;
}

/* The key file a client saves: Google's JSON credentials, pointed at gkeid. malloc'd. */
static char *key_file_json(struct cloud *c, const char *project, const char *kid,
			   const char *pem, const char *email, const char *client_id)
{
	char token_uri[256], certs[256], x509_url[1024];
	char *enc = evhttp_uriencode(email, -1, 0);
	if (!enc)
		return NULL;
	snprintf(token_uri, sizeof(token_uri), "%s/oauth2/token", c->base_url);
	snprintf(certs, sizeof(certs), "%s/oauth2/v1/certs", c->base_url);
	snprintf(x509_url, sizeof(x509_url), "%s/service_accounts/v1/metadata/x509/%s",
		 c->base_url, enc);
	free(enc);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type",
			      "service_account", "project_id", project, "private_key_id", kid,
			      "private_key", pem, "client_email", email, "client_id", client_id,
			      "auth_uri", "https://accounts.google.com/o/oauth2/auth", "token_uri",
			      token_uri, "auth_provider_x509_cert_url", certs,
			      "client_x509_cert_url", x509_url, "universe_domain", "googleapis.com");
	if (!j)
		return NULL;
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	if (!t) {
		OPENSSL_cleanse(s, n);
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

/* The key as a PKCS#12 file with Google's password, base64. malloc'd. */
static char *key_p12_b64(EVP_PKEY *k, const char *cert_pem)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	PKCS12 *p12 = cert ? PKCS12_create(P12_PASSWORD, "privatekey", k, cert, NULL, 0, 0, 0, 0, 0)
			   : NULL;
	unsigned char *der = NULL;
	int n = p12 ? i2d_PKCS12(p12, &der) : -1;
	char *out = n > 0 ? b64_encode(der, (size_t)n) : NULL;
	if (n > 0)
		OPENSSL_cleanse(der, (size_t)n);
	OPENSSL_free(der);
	PKCS12_free(p12);
	X509_free(cert);
	BIO_free(b);
	ERR_clear_error();
	return out;
}

/* Counts the account's user-managed keys. */
/* The number of user-managed keys of the account (system-managed ones do not count
 * against Google's limit). */
static int count_user_keys(struct store *s, const char *sa_key, size_t *n_keys)
{
	char prefix[1100];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	snprintf(prefix, sizeof(prefix), "%s/keys/", sa_key);
	int rc = store_range(s, prefix, 0, &kvs, &n, NULL);
	*n_keys = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		*n_keys += rec && !syskey_is_system(rec);
		json_decref(rec);
	}
	store_kvs_free(kvs, n);
	return rc;
}

/* Mints a user-managed key of the account (resource "projects/P/serviceAccounts/EMAIL")
 * and stores its public record. name gets the key's resource name, now its creation
 * time; *data the privateKeyData (base64 of the JSON key file or of the PKCS#12) and,
 * when file is not NULL, *file the JSON key file itself (both malloc'd, secret).
 * 0 or -errno. */
static int key_mint(struct cloud *c, const char *resource, const char *project_id,
		    const char *email, const char *uid, int p12, char name[1200], char now[32],
		    char **data, char **file)
{
	EVP_PKEY *k = NULL;
	json_t *rec = NULL;
	char *priv = NULL, *pub = NULL, *cert = NULL, *json = NULL;
	char kid[41], key[1210];
	int rc = -ENOMEM;

	*data = NULL;
	if (file)
		*file = NULL;
	if (!(k = key_generate()))
		goto out;
	key_id(k, kid);
	time_t t = (time_t)(cloud_now_ms() / 1000);
	clock_rfc3339(t, now);
	if (!kid[0] || !(priv = key_private_pem(k)) || !(pub = key_public_pem(k)) ||
	    !(cert = key_cert_pem(k, uid[0] ? uid : "service account", kid, t, 0)))
		goto out;
	if ((size_t)snprintf(name, 1200, "%s/keys/%s", resource, kid) >= 1200) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	snprintf(key, sizeof(key), "/%s", name);
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "validAfterTime",
			now, "validBeforeTime", VALID_FOREVER, "keyAlgorithm", "KEY_ALG_RSA_2048",
			"keyOrigin", "GOOGLE_PROVIDED", "keyType", "USER_MANAGED", "publicKeyPem",
			pub, "x509Pem", cert);
	if (!rec)
		goto out;
	if (p12) {
		*data = key_p12_b64(k, cert);
	} else if ((json = key_file_json(c, project_id, kid, priv, email, uid))) {
		*data = b64_encode(json, strlen(json));
	}
	if (!*data)
		goto out;
	if ((rc = put_json(c->store, key, rec, STORE_ABSENT)) != 0) {
		OPENSSL_cleanse(*data, strlen(*data));
		free(*data);
		*data = NULL;
		goto out;
	}
	if (file) {
		*file = json;
		json = NULL;
	}
out:
	EVP_PKEY_free(k);
	json_decref(rec);
	if (priv)
		OPENSSL_cleanse(priv, strlen(priv));
	if (json)
		OPENSSL_cleanse(json, strlen(json));
	free(priv);
	free(json);
	free(pub);
	free(cert);
	return rc;
}

/* POST .../keys {"privateKeyType","keyAlgorithm"} */
static void key_create(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *resp = NULL;
	char *data = NULL;
	char name[1200], now[32];
	size_t n_keys;
	int p12 = 0;

	if (sa_open(r, &x, "iam.serviceAccountKeys.create") != 0)
		goto out;
	if (!(body = jschema_body(r, 1, &jschema_iam_CreateServiceAccountKeyRequest)))
		goto out;
	json_t *type = json_object_get(body, "privateKeyType");
	json_t *alg = json_object_get(body, "keyAlgorithm");
	const char *ts = json_string_value(type), *as = json_string_value(alg);
	if (type && !json_is_null(type)) {
		if (ts && !strcmp(ts, "TYPE_PKCS12_FILE")) {
			p12 = 1;
		} else if (!ts || (strcmp(ts, "TYPE_UNSPECIFIED") &&
				   strcmp(ts, "TYPE_GOOGLE_CREDENTIALS_FILE"))) {
			reply_bad_value(r, "private_key_type",
					"type.googleapis.com/google.iam.admin.v1.ServiceAccountPrivateKeyType",
					type);
			goto out;
		}
	}
	if (alg && !json_is_null(alg)) {
		if (!as || (strcmp(as, "KEY_ALG_UNSPECIFIED") && strcmp(as, "KEY_ALG_RSA_2048") &&
			    strcmp(as, "KEY_ALG_RSA_1024"))) {
			reply_bad_value(r, "key_algorithm",
					"type.googleapis.com/google.iam.admin.v1.ServiceAccountKeyAlgorithm",
					alg);
			goto out;
		}
		if (!strcmp(as, "KEY_ALG_RSA_1024")) {
			reply_status(r, 400, "INVALID_ARGUMENT",
				     "Key algorithm KEY_ALG_RSA_1024 is not supported; use "
				     "KEY_ALG_RSA_2048.");
			goto out;
		}
	}
	if (count_user_keys(c->store, x.key, &n_keys) != 0) {
		reply_internal(r);
		goto out;
	}
	if (n_keys >= USER_KEYS_MAX) {
		reply_status(r, 400, "FAILED_PRECONDITION", "Precondition check failed.");
		goto out;
	}
	const char *uid = str(x.sa, "uniqueId") ? str(x.sa, "uniqueId") : "";
	int rc = key_mint(c, x.resource, x.project_id, x.email, uid, p12, name, now, &data, NULL);
	if (rc != 0) {
		reply_internal(r);
		goto out;
	}
	resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "privateKeyType",
			 p12 ? "TYPE_PKCS12_FILE" : "TYPE_GOOGLE_CREDENTIALS_FILE",
			 "privateKeyData", data, "validAfterTime", now, "validBeforeTime",
			 VALID_FOREVER, "keyAlgorithm", "KEY_ALG_RSA_2048", "keyOrigin",
			 "GOOGLE_PROVIDED", "keyType", "USER_MANAGED");
	http_reply_json(r, 200, resp); /* NULL gives 500 */
	resp = NULL;
out:
	sa_ctx_free(&x);
	json_decref(body);
	json_decref(resp);
	if (data)
		OPENSSL_cleanse(data, strlen(data));
	free(data);
}

/* ?keyTypes=USER_MANAGED&keyTypes=SYSTEM_MANAGED (repeatable); none means both. */
static int key_types(struct http_req *r, int *user, int *system)
{
	struct evkeyval *kv;
	int any = 0;
	*user = *system = 0;
	TAILQ_FOREACH(kv, &r->query, next)
	{
		if (strcmp(kv->key, "keyTypes") != 0)
			continue;
		any = 1;
		if (!strcmp(kv->value, "USER_MANAGED")) {
			*user = 1;
		} else if (!strcmp(kv->value, "SYSTEM_MANAGED")) {
			*system = 1;
		} else if (!strcmp(kv->value, "KEY_TYPE_UNSPECIFIED")) {
			*user = *system = 1;
		} else {
			reply_bad_query(r, "key_types",
					"type.googleapis.com/google.iam.admin.v1.ListServiceAccountKeysRequest.KeyType",
					kv->value);
			return -EINVAL;
		}
	}
	if (!any)
		*user = *system = 1;
	return 0;
}

static void key_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *keys = NULL, *resp = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	char prefix[1100];
	int user, system;

	if (sa_open(r, &x, "iam.serviceAccountKeys.list") != 0)
		goto out;
	if (key_types(r, &user, &system) != 0)
		goto out;
	if (!(keys = json_array()) || !(resp = json_object())) {
		reply_internal(r);
		goto out;
	}
	/* Every account has a system-managed key of its own, as on Google. */
	if (system && syskeys_ensure(c, x.project_id, x.email) != 0) {
		reply_internal(r);
		goto out;
	}
	snprintf(prefix, sizeof(prefix), "%s/keys/", x.key);
	if (store_range(c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		reply_internal(r);
		goto out;
	}
	int64_t now = cloud_now_ms() / 1000;
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		int sys = syskey_is_system(rec);
		json_t *v = rec && (sys ? system && syskey_published(rec, now) : user)
				    ? key_view(rec)
				    : NULL;
		json_decref(rec);
		if (v && json_array_append_new(keys, v) != 0) {
			reply_internal(r);
			goto out;
		}
	}
	if (json_array_size(keys))
		json_object_set(resp, "keys", keys);
	http_reply_json(r, 200, resp);
	resp = NULL;
out:
	sa_ctx_free(&x);
	store_kvs_free(kvs, n);
	json_decref(keys);
	json_decref(resp);
}

/* Opens the key {key} of the account (user- or system-managed; a system key no longer
 * published is gone): 0 with *rec (new reference) and the store key in skey, or -errno
 * after replying. */
static int key_open(struct http_req *r, struct sa_ctx *x, const char *permission, json_t **rec,
		    int64_t *rev, char skey[1200])
{
	struct cloud *c = r->app;
	const char *kid = http_param(r, "key");
	*rec = NULL;
	if (sa_open(r, x, permission) != 0)
		return -EACCES;
	if (kid && is_hex(kid, 40)) {
		snprintf(skey, 1200, "%s/keys/%s", x->key, kid);
		if (load_json(c->store, skey, rec, rev) == 0 &&
		    (!syskey_is_system(*rec) || syskey_published(*rec, cloud_now_ms() / 1000)))
			return 0;
		json_decref(*rec);
		*rec = NULL;
	}
	reply_status(r, 404, "NOT_FOUND", "Unknown service account key");
	return -ENOENT;
}

/* ?publicKeyType=TYPE_NONE|TYPE_X509_PEM_FILE|TYPE_RAW_PUBLIC_KEY */
static void key_get(struct http_req *r)
{
	struct sa_ctx x;
	json_t *rec = NULL, *view = NULL;
	char skey[1200], *data = NULL;
	unsigned char *der = NULL;
	EVP_PKEY *pk = NULL;
	int64_t rev;

	const char *type = http_query(r, "publicKeyType");
	if (key_open(r, &x, "iam.serviceAccountKeys.get", &rec, &rev, skey) != 0)
		goto out;
	if (type && strcmp(type, "TYPE_NONE") && strcmp(type, "TYPE_X509_PEM_FILE") &&
	    strcmp(type, "TYPE_RAW_PUBLIC_KEY")) {
		reply_bad_query(r, "public_key_type",
				"type.googleapis.com/google.iam.admin.v1.ServiceAccountPublicKeyType",
				type);
		goto out;
	}
	view = key_view(rec);
	if (!view) {
		reply_internal(r);
		goto out;
	}
	if (type && !strcmp(type, "TYPE_X509_PEM_FILE")) {
		const char *pem = str(rec, "x509Pem");
		if (!pem || !(data = b64_encode(pem, strlen(pem)))) {
			reply_internal(r);
			goto out;
		}
	} else if (type && !strcmp(type, "TYPE_RAW_PUBLIC_KEY")) {
		/* DER SubjectPublicKeyInfo */
		const char *pem = str(rec, "publicKeyPem");
		pk = pem ? key_from_pem(pem, strlen(pem)) : NULL;
		int n = pk ? i2d_PUBKEY(pk, &der) : -1;
		if (n <= 0 || !(data = b64_encode(der, (size_t)n))) {
			ERR_clear_error();
			reply_internal(r);
			goto out;
		}
	}
	if (data)
		json_object_set_new(view, "publicKeyData", json_string(data));
	http_reply_json(r, 200, view);
	view = NULL;
out:
	sa_ctx_free(&x);
	json_decref(rec);
	json_decref(view);
	EVP_PKEY_free(pk);
	OPENSSL_free(der);
	free(data);
}

static void key_delete(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *rec = NULL;
	char skey[1200];
	int64_t rev;

	if (key_open(r, &x, "iam.serviceAccountKeys.delete", &rec, &rev, skey) != 0)
		goto out;
	if (syskey_is_system(rec)) {
		reply_status(r, 400, "FAILED_PRECONDITION",
			     "System-managed keys cannot be deleted.");
		goto out;
	}
	int rc = store_delete(c->store, skey, STORE_ANY_REV, NULL);
	if (rc == -ENOENT) {
		reply_status(r, 404, "NOT_FOUND", "Unknown service account key");
		goto out;
	}
	if (rc != 0) {
		reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_object());
out:
	sa_ctx_free(&x);
	json_decref(rec);
}

static void key_set_disabled(struct http_req *r, int disabled)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *rec = NULL, *body = NULL;
	char skey[1200];
	int64_t rev = 0;

	if (key_open(r, &x,
		     disabled ? "iam.serviceAccountKeys.disable" : "iam.serviceAccountKeys.enable",
		     &rec, &rev, skey) != 0)
		goto out;
	if (!(body = jschema_body(r, 1,
				  disabled ? &jschema_iam_DisableServiceAccountKeyRequest
					   : &jschema_iam_EnableServiceAccountKeyRequest)))
		goto out;
	if (syskey_is_system(rec)) {
		reply_status(r, 400, "FAILED_PRECONDITION",
			     "System-managed keys cannot be disabled or enabled.");
		goto out;
	}
	int rc = 0;
	if (json_is_true(json_object_get(rec, "disabled")) != disabled) {
		if (disabled)
			rc = json_object_set_new(rec, "disabled", json_true());
		else
			json_object_del(rec, "disabled");
		rc = rc ? -ENOMEM : put_json(c->store, skey, rec, rev);
	}
	if (rc == -ECANCELED) {
		reply_status(r, 409, "ABORTED", "The key was modified concurrently. Please retry.");
		goto out;
	}
	if (rc != 0) {
		reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_object());
out:
	sa_ctx_free(&x);
	json_decref(rec);
	json_decref(body);
}

static void key_disable(struct http_req *r)
{
	key_set_disabled(r, 1);
}

static void key_enable(struct http_req *r)
{
	key_set_disabled(r, 0);
}

/* ---- public keys of service accounts (no authentication, as Google) ------------------ */

/* Finds the account named by {email} (or unique ID) and ranges its stored keys. 0 with
 * *sa_out (new reference) and the key records in *kvs (*n of them), or -errno after
 * replying. */
static int public_keys(struct http_req *r, json_t **sa_out, struct store_kv **kvs, size_t *n)
{
	struct cloud *c = r->app;
	const char *id = http_param(r, "email");
	char prefix[1100];
	*sa_out = NULL;
	*kvs = NULL;
	*n = 0;
	json_t *sa = id && strlen(id) <= ID_MAX && printable(id) ? sa_lookup(c, id, NULL) : NULL;
	const char *pid = str(sa, "projectId"), *email = str(sa, "email");
	if (!pid || !email) {
		json_decref(sa);
		reply_status(r, 404, "NOT_FOUND", "Unknown service account");
		return -ENOENT;
	}
	snprintf(prefix, sizeof(prefix), "/projects/%s/serviceAccounts/%s/keys/", pid, email);
	if (syskeys_ensure(c, pid, email) != 0 || store_range(c->store, prefix, 0, kvs, n, NULL) != 0) {
		json_decref(sa);
		reply_internal(r);
		return -EIO;
	}
	*sa_out = sa;
	return 0;
}

static void metadata_jwk(struct http_req *r)
{
	json_t *sa = NULL, *keys = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;

	if (public_keys(r, &sa, &kvs, &n) != 0)
		goto out;
	if (!(keys = json_array())) {
		reply_internal(r);
		goto out;
	}
	int64_t now = cloud_now_ms() / 1000;
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *pem = str(rec, "publicKeyPem");
		const char *kid = strrchr(kvs[i].key, '/');
		EVP_PKEY *k = pem && syskey_published(rec, now) ? key_from_pem(pem, strlen(pem)) : NULL;
		json_t *jwk = k && kid ? key_jwk(k, kid + 1) : NULL;
		if (jwk)
			json_array_append_new(keys, jwk);
		EVP_PKEY_free(k);
		json_decref(rec);
	}
	http_reply_json(r, 200, json_pack("{s:O}", "keys", keys));
out:
	json_decref(sa);
	json_decref(keys);
	store_kvs_free(kvs, n);
}

static void metadata_x509(struct http_req *r)
{
	json_t *sa = NULL, *certs = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;

	if (public_keys(r, &sa, &kvs, &n) != 0)
		goto out;
	if (!(certs = json_object())) {
		reply_internal(r);
		goto out;
	}
	int64_t now = cloud_now_ms() / 1000;
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *pem = str(rec, "x509Pem");
		const char *kid = strrchr(kvs[i].key, '/');
		if (pem && kid && syskey_published(rec, now))
			json_object_set_new(certs, kid + 1, json_string(pem));
		json_decref(rec);
	}
	http_reply_json(r, 200, certs);
	certs = NULL;
out:
	json_decref(sa);
	json_decref(certs);
	store_kvs_free(kvs, n);
}

/* ---- roles ------------------------------------------------------------------------ */

static void reply_role_name(struct http_req *r)
{
	reply_status(r, 400, "INVALID_ARGUMENT",
		     "The role name must be in the form \"roles/{role}\", "
		     "\"organizations/{organization_id}/roles/{role}\", or "
		     "\"projects/{project_id}/roles/{role}\".");
}

static void role_get(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	char name[300];
	const char *id = http_param(r, "role");

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	if (!id || !*id || strlen(id) > 200 || strchr(id, '/') || !printable(id)) {
		reply_role_name(r);
		return;
	}
	snprintf(name, sizeof(name), "roles/%s", id);
	json_t *role = iam_role_json(c->iam, name);
	if (!role) {
		reply_status(r, 404, "NOT_FOUND", "The role named %s was not found.", name);
		return;
	}
	http_reply_json(r, 200, role);
}

static int cmp_role(const void *a, const void *b)
{
	const char *x = str(*(json_t *const *)a, "name"), *y = str(*(json_t *const *)b, "name");
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
		reply_internal(r);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	if (n)
		qsort(v, n, sizeof(*v), cmp_role);
	const char *last = NULL;
	int more = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = str(v[i], "name");
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
			reply_internal(r);
			goto out;
		}
		last = name;
	}
	reply_page(r, resp, "roles", roles, more, last);
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
	reply_bad_query(r, "view", "type.googleapis.com/google.iam.admin.v1.RoleView", v);
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
	struct caller who;
	char *cursor = NULL;
	int full, size;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	if (role_view(r, http_query(r, "view"), &full) != 0 ||
	    page_size(r, ROLE_PAGE_DEFAULT, ROLE_PAGE_MAX, &size) != 0 ||
	    page_cursor(r, http_query(r, "pageToken"), &cursor) != 0)
		return;
	const char *parent = http_query(r, "parent");
	json_t *all = NULL;
	if (parent && *parent) {
		/* Custom roles: gkeid has none. */
		http_reply_json(r, 200, json_object());
	} else if (!(all = iam_roles_list(c->iam))) {
		reply_internal(r);
	} else {
		reply_roles(r, role_array(all), full, size, cursor);
	}
	json_decref(all);
	free(cursor);
}

/* Custom roles of a project or organization: there are none. */
static void custom_role_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	int full;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	if (role_view(r, http_query(r, "view"), &full) != 0)
		return;
	http_reply_json(r, 200, json_object());
}

static void custom_role_get(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	const char *parent = http_param(r, "project") ? "projects" : "organizations";
	const char *id = http_param(r, "project") ? http_param(r, "project") : http_param(r, "org");
	const char *role = http_param(r, "role");

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	reply_status(r, 404, "NOT_FOUND", "The role named %s/%.128s/roles/%.128s was not found.",
		     parent, id ? id : "", role ? role : "");
}

/* The body of roles:queryGrantableRoles and permissions:queryTestablePermissions,
 * {"fullResourceName","pageSize","pageToken"}: sets *on_sa (the resource is a service
 * account; else a project), *size (def when absent or 0, at most ROLE_PAGE_MAX) and
 * *cursor (from the page token, freed by the caller). 0, or -EINVAL after replying. */
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
			reply_bad_value(r, "full_resource_name", "TYPE_STRING", frn);
		else
			reply_status(r, 400, "INVALID_ARGUMENT",
				     "The fullResourceName field is required.");
		return -EINVAL;
	}
	if ((ps && !json_is_integer(ps)) || (pt && !json_is_string(pt))) {
		reply_bad_value(r, ps && !json_is_integer(ps) ? "page_size" : "page_token",
				ps && !json_is_integer(ps) ? "TYPE_INT32" : "TYPE_STRING",
				ps && !json_is_integer(ps) ? ps : pt);
		return -EINVAL;
	}
	if (ps && json_integer_value(ps) < 0) {
		reply_bad_value(r, "page_size", "TYPE_INT32", ps);
		return -EINVAL;
	}
	if (ps && json_integer_value(ps) > 0)
		*size = json_integer_value(ps) > ROLE_PAGE_MAX ? ROLE_PAGE_MAX
							       : (int)json_integer_value(ps);
	const char *name = json_string_value(frn);
	if (!strncmp(name, crm, sizeof(crm) - 1) && name[sizeof(crm) - 1] &&
	    !strchr(name + sizeof(crm) - 1, '/')) {
		*on_sa = 0;
	} else if (!strncmp(name, iam, sizeof(iam) - 1) &&
		   strstr(name + sizeof(iam) - 1, "/serviceAccounts/")) {
		*on_sa = 1;
	} else {
		reply_status(r, 400, "INVALID_ARGUMENT",
			     "The resource name %.300s is not supported: use "
			     "//cloudresourcemanager.googleapis.com/projects/PROJECT or "
			     "//iam.googleapis.com/projects/PROJECT/serviceAccounts/EMAIL.",
			     name);
		return -EINVAL;
	}
	return page_cursor(r, json_string_value(pt), cursor);
}

/* POST /iam/v1/roles:queryGrantableRoles {"fullResourceName","view","pageSize","pageToken"} */
static void role_query_grantable(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	json_t *body = NULL, *all = NULL, *fit = NULL;
	char *cursor = NULL;
	int full, size, on_sa;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_QueryGrantableRolesRequest)))
		goto out;
	json_t *view = json_object_get(body, "view");
	if (view && !json_is_string(view)) {
		reply_bad_value(r, "view", "type.googleapis.com/google.iam.admin.v1.RoleView",
				view);
		goto out;
	}
	if (role_view(r, json_string_value(view), &full) != 0 ||
	    query_args(r, body, ROLE_PAGE_DEFAULT, &on_sa, &size, &cursor) != 0)
		goto out;
	if (!(all = iam_roles_list(c->iam)) || !(fit = json_array())) {
		reply_internal(r);
		goto out;
	}
	size_t i;
	json_t *role;
	json_array_foreach(role_array(all), i, role)
	{
		const char *rn = str(role, "name");
		if (rn && (!on_sa || role_fits_sa(c->iam, rn)))
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
	for (size_t i = 0; i < SA_PERM_PREFIXES; i++)
		if (!strncmp(p, sa_perm_prefixes[i], strlen(sa_perm_prefixes[i])))
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
	struct caller who;
	json_t *body = NULL, *perms = NULL, *resp = NULL;
	char *cursor = NULL;
	int size, on_sa, more = 0;
	const char *const *names, *last = NULL;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		goto out;
	if (!(body = http_json_body(r, 0)) ||
	    query_args(r, body, PERM_PAGE_DEFAULT, &on_sa, &size, &cursor) != 0)
		goto out;
	if (!(perms = json_array()) || !(resp = json_object())) {
		reply_internal(r);
		goto out;
	}
	size_t n = iam_permissions(c->iam, &names);
	for (size_t i = iam_permission_after(c->iam, cursor); i < n; i++) {
		if (!(on_sa ? perm_fits_sa(names[i]) : perm_fits_project(names[i])))
			continue;
		if ((int)json_array_size(perms) == size) {
			more = 1;
			break;
		}
		if (json_array_append_new(perms, json_pack("{s:s}", "name", names[i])) != 0) {
			reply_internal(r);
			goto out;
		}
		last = names[i];
	}
	reply_page(r, resp, "permissions", perms, more, last);
	resp = NULL;
out:
	free(cursor);
	json_decref(body);
	json_decref(perms);
	json_decref(resp);
}

/* ---- routes ----------------------------------------------------------------------- */

#define SA_PATH "/iam/v1/projects/{project}/serviceAccounts/{sa}"

const struct http_route iamapi_routes[] = {
	{"GET", "/iam/v1/projects/{project}/serviceAccounts", sa_list},
	{"POST", "/iam/v1/projects/{project}/serviceAccounts", sa_create},
	{"GET", SA_PATH, sa_get},
	{"PATCH", SA_PATH, sa_patch},
	{"PUT", SA_PATH, sa_update},
	{"DELETE", SA_PATH, sa_delete},
	{"POST", SA_PATH ":getIamPolicy", sa_get_policy},
	{"POST", SA_PATH ":setIamPolicy", sa_set_policy},
	{"POST", SA_PATH ":testIamPermissions", sa_test_permissions},
	{"POST", SA_PATH ":disable", sa_disable},
	{"POST", SA_PATH ":enable", sa_enable},
	{"GET", SA_PATH "/keys", key_list},
	{"POST", SA_PATH "/keys", key_create},
	{"GET", SA_PATH "/keys/{key}", key_get},
	{"DELETE", SA_PATH "/keys/{key}", key_delete},
	{"POST", SA_PATH "/keys/{key}:disable", key_disable},
	{"POST", SA_PATH "/keys/{key}:enable", key_enable},
	{"GET", "/iam/v1/roles", role_list},
	{"POST", "/iam/v1/roles:queryGrantableRoles", role_query_grantable},
	{"POST", "/iam/v1/permissions:queryTestablePermissions", perm_query_testable},
	{"GET", "/iam/v1/roles/{role**}", role_get},
	{"GET", "/iam/v1/projects/{project}/roles", custom_role_list},
	{"GET", "/iam/v1/projects/{project}/roles/{role}", custom_role_get},
	{"GET", "/iam/v1/organizations/{org}/roles", custom_role_list},
	{"GET", "/iam/v1/organizations/{org}/roles/{role}", custom_role_get},
	{"GET", "/service_accounts/v1/metadata/jwk/{email}", metadata_jwk},
	{"GET", "/service_accounts/v1/metadata/x509/{email}", metadata_x509},
};
const size_t iamapi_n_routes = sizeof(iamapi_routes) / sizeof(iamapi_routes[0]);

/* ---- for `gkeid up` ----------------------------------------------------------------- */

int iamapi_compute_sa_ensure(struct cloud *c, const char *project_id, char *email, size_t len)
{
	char key[1024], uid[22], resource[300];
	json_t *p = cloud_project_get(c, project_id), *sa = NULL, *pol = NULL;
	const char *pid = str(p, "projectId"), *num = str(p, "projectNumber");
	int rc = -ENOENT;
	if (!pid || !num)
		goto out;
	if ((size_t)snprintf(email, len, "%s-compute@developer.gserviceaccount.com", num) >= len) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	snprintf(key, sizeof(key), "/projects/%s/serviceAccounts/%s", pid, email);
	struct store_kv kv;
	if (store_get(c->store, key, &kv) == 0) {
		store_kv_free(&kv);
		rc = 0;
		goto out;
	}
	rc = -ENOMEM;
	if (make_unique_id(uid) != 0 ||
	    !(sa = sa_build(pid, uid, email, "Compute Engine default service account", NULL, 0)))
		goto out;
	if ((rc = put_json(c->store, key, sa, STORE_ABSENT)) != 0)
		goto out;
	/* Google grants the default service account Editor on its project. */
	snprintf(resource, sizeof(resource), "projects/%s", pid);
	if ((rc = iam_get_policy(c->iam, resource, 3, &pol)) != 0)
		goto out;
	char member[400];
	snprintf(member, sizeof(member), "serviceAccount:%s", email);
	json_t *bindings = json_object_get(pol, "bindings");
	if (!json_is_array(bindings)) {
		bindings = json_array();
		if (!bindings || json_object_set_new(pol, "bindings", bindings) != 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
	json_t *b = json_pack("{s:s, s:[s]}", "role", "roles/editor", "members", member);
	if (!b || json_array_append_new(bindings, b) != 0) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_del(pol, "etag");
	rc = iam_seed_policy(c->iam, resource, pol);
out:
	json_decref(p);
	json_decref(sa);
	json_decref(pol);
	return rc;
}

int iamapi_key_file_new(struct cloud *c, const char *email, char **file)
{
	char resource[1024], name[1200], now[32];
	char *data = NULL;
	*file = NULL;
	json_t *sa = cloud_sa_get(c, email);
	const char *pid = str(sa, "projectId"), *uid = str(sa, "uniqueId");
	int rc = -ENOENT;
	if (!pid || !uid)
		goto out;
	snprintf(resource, sizeof(resource), "projects/%s/serviceAccounts/%s", pid, email);
	rc = key_mint(c, resource, pid, email, uid, 0, name, now, &data, file);
	if (data)
		OPENSSL_cleanse(data, strlen(data));
	free(data);
out:
	json_decref(sa);
	return rc;
}

int iamapi_key_usable(struct cloud *c, const char *email, const char *kid)
{
	char project[PROJECT_MAX + 1], key[1200];
	json_t *sa = NULL, *rec = NULL;
	int ok = 0;
	if (!kid || !is_hex(kid, strlen(kid)) || strlen(kid) > 64 ||
	    !cloud_sa_project_of(c, email, project, sizeof(project)))
		return 0;
	sa = cloud_sa_get(c, email);
	snprintf(key, sizeof(key), "/projects/%s/serviceAccounts/%s/keys/%s", project, email, kid);
	if (sa && !json_is_true(json_object_get(sa, "disabled")) &&
	    load_json(c->store, key, &rec, NULL) == 0 && !json_is_true(json_object_get(rec, "disabled")))
		ok = 1;
	json_decref(sa);
	json_decref(rec);
	return ok;
}
