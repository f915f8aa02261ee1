/*
 * iamapi_sa.c - the IAM API's service accounts (iam.googleapis.com v1): create, get,
 * list, patch, update, delete, enable, disable, and their allow policies
 * (get/set/testIamPermissions); and the Compute Engine default account `gkeid up` makes.
 */
#include "cloud/hier.h"
#include "cloud/iamapi.h"
#include "core/dbuf.h"

/* ---- the service-account record ---------------------------------------------------- */

static json_t *sa_build(const char *project, const char *unique_id, const char *email,
			const char *display_name, const char *description, int disabled)
{
	char name[1024];
	if (SFMT(name, "projects/%s/serviceAccounts/%s", project, email) != 0)
		return NULL;
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
		if (!islower((unsigned char)id[i]) && !isdigit((unsigned char)id[i]) &&
		    id[i] != '-')
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
		iamapi_reply_bad_value(r, field, "TYPE_STRING", v);
		return -EINVAL;
	}
	if (json_string_length(v) > max) {
		iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
				    "The %s must be at most %zu bytes long; it has %zu.", field,
				    max, json_string_length(v));
		return -EINVAL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
				    "The %s must not contain NUL characters.", field);
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
		iamapi_reply_bad_value(r, "service_account",
				       "type.googleapis.com/google.iam.admin.v1.ServiceAccount",
				       *in);
		return -EINVAL;
	}
	return 0;
}

/* The optional displayName and description of a ServiceAccount object in (see
 * opt_string). 0, or -EINVAL after replying. */
static int sa_texts(struct http_req *r, const json_t *in, const char **display, const char **desc)
{
	if (opt_string(r, in, "displayName", "service_account.display_name", DISPLAY_NAME_MAX,
		       display) != 0 ||
	    opt_string(r, in, "description", "service_account.description", DESCRIPTION_MAX,
		       desc) != 0)
		return -EINVAL;
	return 0;
}

/* ---- service accounts -------------------------------------------------------------- */

static void sa_create(struct http_req *r)
{
	struct cloud *c = r->app;
	struct cloud_call x;
	json_t *body = NULL, *sa = NULL;
	const char *display = NULL, *desc = NULL;
	char email[ID_MAX + 1], uid[22], key[1024];

	if (iamapi_project_open(r, &x) != 0)
		goto out;
	const char *pid = x.project_id;
	if (!(body = jschema_body(r, 0, &jschema_iam_CreateServiceAccountRequest)))
		goto out;
	json_t *aid = json_object_get(body, "accountId");
	if (aid && !json_is_string(aid)) {
		iamapi_reply_bad_value(r, "account_id", "TYPE_STRING", aid);
		goto out;
	}
	const char *account_id = aid ? json_string_value(aid) : "";
	size_t aid_len = aid ? json_string_length(aid) : 0;
	if (strlen(account_id) != aid_len || aid_len < 6 || aid_len > 30) {
		char shown[64];
		snprintf(shown, sizeof(shown), "%s", account_id);
		iamapi_reply_status(
			r, 400, "INVALID_ARGUMENT",
			"The account ID \"%s\" does not have a length between 6 and 30.", shown);
		goto out;
	}
	if (!account_id_valid(account_id)) {
		iamapi_reply_status(
			r, 400, "INVALID_ARGUMENT",
			"The account ID \"%s\" is invalid: it must start with a lower case "
			"letter, followed by lower case letters, digits or hyphens, and must "
			"not end with a hyphen ([a-z]([-a-z0-9]*[a-z0-9])).",
			account_id);
		goto out;
	}
	json_t *in;
	if (sa_input(r, body, &in) != 0 || sa_texts(r, in, &display, &desc) != 0)
		goto out;
	if (SFMT(email, "%s@%s%s", account_id, pid, SA_DOMAIN) != 0 || make_unique_id(uid) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	if (!(sa = sa_build(pid, uid, email, display, desc, 0))) {
		cloud_reply_internal(r);
		goto out;
	}
	int rc = SFMT(key, "/projects/%s/serviceAccounts/%s", pid, email);
	if (rc == 0)
		rc = iamapi_put_json(c->store, key, sa, STORE_ABSENT);
	if (rc == -EEXIST) {
		iamapi_reply_sa_exists(r, account_id, pid, key + 1);
		goto out;
	}
	if (rc != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, sa);
	sa = NULL;
out:
	cloud_call_end(&x);
	json_decref(body);
	json_decref(sa);
}

static void sa_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct cloud_call x;
	json_t *accounts = NULL, *resp = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	char *cursor = NULL, prefix[PROJECT_MAX + 64];
	int size;

	if (iamapi_project_open(r, &x) != 0)
		goto out;
	if (iamapi_page_size(r, SA_PAGE_DEFAULT, SA_PAGE_MAX, &size) != 0 ||
	    iamapi_page_cursor(r, http_query(r, "pageToken"), &cursor) != 0)
		goto out;
	if (SFMT(prefix, "/projects/%s/serviceAccounts/", x.project_id) != 0 ||
	    store_range(c->store, prefix, 0, &kvs, &n, NULL) != 0 || !(accounts = json_array()) ||
	    !(resp = json_object())) {
		cloud_reply_internal(r);
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
			cloud_reply_internal(r);
			goto out;
		}
		last = email;
	}
	iamapi_reply_page(r, resp, "accounts", accounts, more, last);
	resp = NULL;
out:
	store_kvs_free(kvs, n);
	free(cursor);
	cloud_call_end(&x);
	json_decref(accounts);
	json_decref(resp);
}

static void sa_get(struct http_req *r)
{
	struct sa_ctx x;
	if (iamapi_sa_open(r, &x) == 0) {
		http_reply_json(r, 200, x.sa);
		x.sa = NULL;
	}
	iamapi_sa_ctx_free(&x);
}

/* Rewrites the record with new display name, description and disabled state, at the
 * revision it was read. 0 with the new record in *out, or -errno. */
static int sa_rewrite(struct cloud *c, struct sa_ctx *x, const char *display, const char *desc,
		      int disabled, json_t **out)
{
	json_t *sa = sa_build(x->project_id,
			      iamapi_str(x->sa, "uniqueId") ? iamapi_str(x->sa, "uniqueId") : "",
			      x->email, display, desc, disabled);
	*out = NULL;
	if (!sa)
		return -ENOMEM;
	int rc = iamapi_put_json(c->store, x->key, sa, x->rev);
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
		iamapi_reply_status(r, 409, "ABORTED",
				    "The service account was modified concurrently. Please retry.");
	else
		cloud_reply_internal(r);
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

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_PatchServiceAccountRequest)))
		goto out;
	json_t *in;
	if (sa_input(r, body, &in) != 0)
		goto out;
	json_t *m = json_object_get(body, "updateMask");
	if (m && !json_is_string(m)) {
		iamapi_reply_bad_value(r, "update_mask",
				       "type.googleapis.com/google.protobuf.FieldMask", m);
		goto out;
	}
	const char *display = iamapi_str(x.sa, "displayName"),
		   *desc = iamapi_str(x.sa, "description");
	const char *new_display, *new_desc;
	if (sa_texts(r, in, &new_display, &new_desc) != 0)
		goto out;
	if (m) {
		if (json_string_length(m) >= sizeof(mask)) {
			iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
					    "The update mask is too long.");
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
				iamapi_reply_status(
					r, 400, "INVALID_ARGUMENT",
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
	iamapi_sa_ctx_free(&x);
	json_decref(body);
}

/* PUT (the older update): the body is a ServiceAccount; displayName and description. */
static void sa_update(struct http_req *r)
{
	struct sa_ctx x;
	json_t *body = NULL;
	const char *new_display, *new_desc;

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_ServiceAccount)))
		goto out;
	if (opt_string(r, body, "displayName", "display_name", DISPLAY_NAME_MAX, &new_display) !=
		    0 ||
	    opt_string(r, body, "description", "description", DESCRIPTION_MAX, &new_desc) != 0)
		goto out;
	const char *display = json_object_get(body, "displayName")
				      ? new_display
				      : iamapi_str(x.sa, "displayName");
	const char *desc =
		json_object_get(body, "description") ? new_desc : iamapi_str(x.sa, "description");
	reply_sa_rewritten(r, &x, display, desc);
out:
	iamapi_sa_ctx_free(&x);
	json_decref(body);
}

static void sa_set_disabled(struct http_req *r, int disabled)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *out = NULL;

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (!(body = jschema_body(r, 1,
				  disabled ? &jschema_iam_DisableServiceAccountRequest
					   : &jschema_iam_EnableServiceAccountRequest)))
		goto out;
	if (json_is_true(json_object_get(x.sa, "disabled")) != disabled) {
		int rc = sa_rewrite(c, &x, iamapi_str(x.sa, "displayName"),
				    iamapi_str(x.sa, "description"), disabled, &out);
		if (rc != 0) {
			reply_rewrite_error(r, rc);
			goto out;
		}
	}
	http_reply_json(r, 200, json_object());
out:
	iamapi_sa_ctx_free(&x);
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
	int rc = SFMT(prefix, "%s/keys/", sa_key);
	if (rc == 0)
		rc = store_range(s, prefix, 0, &kvs, &n, NULL);
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

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	int rc = hier_sa_tombstone(c, x.sa); /* for undelete (saextra.c) */
	if (rc == 0)
		rc = delete_keys(c->store, x.key);
	if (rc == 0) {
		rc = store_delete(c->store, x.key, STORE_ANY_REV, NULL);
		if (rc == -ENOENT) {
			iamapi_reply_unknown_sa(r);
			goto out;
		}
	}
	if (rc == 0)
		rc = iam_delete_policy(c->iam, x.resource);
	/* Google: the account's bindings now show it as deleted, with its uniqueId, and
	 * grant nothing, not even to a new account of the same name. */
	const char *uid = iamapi_str(x.sa, "uniqueId");
	char member[400], deleted[440];
	if ((rc == 0 || rc == -ENOENT) && uid &&
	    (size_t)snprintf(member, sizeof(member), "serviceAccount:%s", x.email) <
		    sizeof(member) &&
	    (size_t)snprintf(deleted, sizeof(deleted), "deleted:serviceAccount:%s?uid=%s", x.email,
			     uid) < sizeof(deleted))
		rc = iam_member_replace(c->iam, member, deleted, cloud_now_ms());
	if (rc != 0 && rc != -ENOENT) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_object());
out:
	iamapi_sa_ctx_free(&x);
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
		iamapi_reply_bad_value(r, "options",
				       "type.googleapis.com/google.iam.v1.GetPolicyOptions", opts);
		return -EINVAL;
	}
	if (v) {
		if (!json_is_integer(v)) {
			iamapi_reply_bad_value(r, "options.requested_policy_version", "TYPE_INT32",
					       v);
			return -EINVAL;
		}
		n = (long)json_integer_value(v);
	} else if (q && *q) {
		char *end;
		errno = 0;
		n = strtol(q, &end, 10);
		if (errno || *end) {
			iamapi_reply_bad_query(r, "options.requested_policy_version", "TYPE_INT32",
					       q);
			return -EINVAL;
		}
	}
	if (n != 0 && n != 1 && n != 3) {
		iamapi_reply_status(
			r, 400, "INVALID_ARGUMENT",
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

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (!(body = jschema_body(r, 1, &jschema_iam_GetIamPolicyRequest)) ||
	    requested_version(r, body, &version) != 0)
		goto out;
	if (iam_get_policy(c->iam, x.resource, version, &policy) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, policy);
	policy = NULL;
out:
	iamapi_sa_ctx_free(&x);
	json_decref(body);
	json_decref(policy);
}

static void sa_set_policy(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *out = NULL;
	char *err = NULL;

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_SetIamPolicyRequest)))
		goto out;
	json_t *policy = json_object_get(body, "policy");
	if (!policy || json_is_null(policy)) {
		iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
				    "The request must include a policy.");
		goto out;
	}
	if (!json_is_object(policy)) {
		iamapi_reply_bad_value(r, "policy", "type.googleapis.com/google.iam.v1.Policy",
				       policy);
		goto out;
	}
	json_t *mask = json_object_get(body, "updateMask");
	if (mask && !json_is_string(mask)) {
		iamapi_reply_bad_value(r, "update_mask",
				       "type.googleapis.com/google.protobuf.FieldMask", mask);
		goto out;
	}
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(policy, "bindings"), i, b)
	{
		const char *role = iamapi_str(b, "role");
		if (role && !strncmp(role, "roles/", 6) && !iamapi_role_fits_sa(c->iam, role)) {
			iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
					    "Role %.200s is not supported for this resource.",
					    role);
			goto out;
		}
	}
	int rc = cloud_policy_members_check(c, x.resource, policy, &err);
	if (rc == 0)
		rc = iam_set_policy(c->iam, x.resource, policy, cloud_now_ms(), &out, &err);
	if (rc == -ECANCELED) {
		iamapi_reply_status(r, 409, "ABORTED",
				    "There were concurrent policy changes. Please retry the whole "
				    "read-modify-write with exponential backoff.");
		goto out;
	}
	if (rc == -EINVAL) {
		iamapi_reply_status(r, 400, "INVALID_ARGUMENT", "%s",
				    err ? err : "Invalid policy.");
		goto out;
	}
	if (rc != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, out);
	out = NULL;
out:
	iamapi_sa_ctx_free(&x);
	json_decref(body);
	json_decref(out);
	free(err);
}

static void sa_test_permissions(struct http_req *r)
{
	struct sa_ctx x;
	json_t *body = NULL, *allowed = NULL;
	char project_res[PROJECT_MAX + 16];

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (!(body = jschema_body(r, 0, &jschema_iam_TestIamPermissionsRequest)))
		goto out;
	json_t *perms = json_object_get(body, "permissions");
	if (perms && !json_is_array(perms)) {
		iamapi_reply_bad_value(r, "permissions", "TYPE_STRING", perms);
		goto out;
	}
	if (json_array_size(perms) > TEST_PERMISSIONS_MAX) {
		iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
				    "No more than %d permissions can be tested at once.",
				    TEST_PERMISSIONS_MAX);
		goto out;
	}
	if (!(allowed = json_array())) {
		cloud_reply_internal(r);
		goto out;
	}
	if (SFMT(project_res, "projects/%s", x.project_id) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	const char *res[2] = {x.resource, project_res};
	size_t i;
	json_t *p;
	json_array_foreach(perms, i, p)
	{
		const char *s = json_string_value(p);
		if (!s || json_string_length(p) > PERMISSION_MAX) {
			iamapi_reply_bad_value(r, "permissions", "TYPE_STRING", p);
			goto out;
		}
		if (cloud_call_allowed(&x.cc, s, res, 2))
			json_array_append(allowed, p);
	}
	json_t *resp = json_object();
	if (resp && json_array_size(allowed))
		json_object_set(resp, "permissions", allowed);
	http_reply_json(r, 200, resp);
out:
	iamapi_sa_ctx_free(&x);
	json_decref(body);
	json_decref(allowed);
}

#define SA "iam.serviceAccounts."
/* ---- routes ----------------------------------------------------------------------- */

static const struct cloud_route routes[] = {
	{"GET", "/iam/v1/projects/{project}/serviceAccounts", sa_list, SA "list", 1, NULL},
	{"POST", "/iam/v1/projects/{project}/serviceAccounts", sa_create, SA "create", 0, NULL},
	{"GET", SA_PATH, sa_get, SA "get", 1, NULL},
	{"PATCH", SA_PATH, sa_patch, SA "update", 0, NULL},
	{"PUT", SA_PATH, sa_update, SA "update", 0, NULL},
	{"DELETE", SA_PATH, sa_delete, SA "delete", 0, NULL},
	{"POST", SA_PATH ":getIamPolicy", sa_get_policy, SA "getIamPolicy", 1, NULL},
	{"POST", SA_PATH ":setIamPolicy", sa_set_policy, SA "setIamPolicy", 0, NULL},
	{"POST", SA_PATH ":testIamPermissions", sa_test_permissions, NULL, 1,
	 "any caller may learn which of the permissions it holds"},
	{"POST", SA_PATH ":disable", sa_disable, SA "disable", 0, NULL},
	{"POST", SA_PATH ":enable", sa_enable, SA "enable", 0, NULL},
};
const struct cloud_api iamapi_sa_api = CLOUD_API(IAMAPI_SERVICE, routes);
#undef SA

/* ---- for `gkeid up` ----------------------------------------------------------------- */

int iamapi_compute_sa_ensure(struct cloud *c, const char *project_id, char *email, size_t len)
{
	char key[1024], uid[22], resource[300];
	json_t *p = cloud_project_get(c, project_id), *sa = NULL, *pol = NULL;
	const char *pid = iamapi_str(p, "projectId"), *num = iamapi_str(p, "projectNumber");
	int rc = -ENOENT;
	if (!pid || !num)
		goto out;
	if ((size_t)snprintf(email, len, "%s-compute@developer.gserviceaccount.com", num) >= len) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	if ((rc = SFMT(key, "/projects/%s/serviceAccounts/%s", pid, email)) != 0)
		goto out;
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
	if ((rc = iamapi_put_json(c->store, key, sa, STORE_ABSENT)) != 0)
		goto out;
	/* Google grants the default service account Editor on its project. */
	char member[400];
	if ((rc = SFMT(resource, "projects/%s", pid)) != 0 ||
	    (rc = SFMT(member, "serviceAccount:%s", email)) != 0 ||
	    (rc = iam_get_policy(c->iam, resource, 3, &pol)) != 0)
		goto out;
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
