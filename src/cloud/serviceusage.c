/*
 * serviceusage.c - Service Usage v1: services get, list, enable, disable, batchEnable and
 * batchGet, and operations.get, with Google's long-running-operation shapes.
 *
 * A service's state lives at "/projects/<id>/services/<name>" (see cloud.h); a service
 * that is in the catalog below but not in the store is DISABLED. Changes finish at once:
 * enable and disable answer with an operation that is already done (stored under
 * "/serviceusage/operations/<id>" so that operations.get can show it again), or with
 * Google's "operations/noop.DONE_OPERATION" when nothing had to change.
 */
#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/jsonschema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/jwt.h"
#include "core/store.h"

#define SERVICE "serviceusage.googleapis.com"
#define LIST_DEFAULT 50	       /* services per page when pageSize is unset */
#define LIST_MAX 200	       /* Google's largest page */
#define BATCH_MAX 20	       /* services per batchEnable, as Google */
#define BATCH_GET_MAX 30       /* names per batchGet, as Google */
#define NAME_MAX_LEN 100       /* bytes of a service name */
#define ECHO_MAX GERR_ECHO_MAX /* bytes of client text echoed in an error */
#define OPS_PREFIX "/serviceusage/operations/"
#define NOOP_NAME "operations/noop.DONE_OPERATION"

/* The services gkeid knows, with the titles Google gives them (cloud_service_title, for
 * every API), and the services each one needs (enabled with it; they refuse to be
 * disabled while it is enabled). */
static const struct {
	const char *name, *title;
	const char *deps[3];
} catalog[] = {
	{"artifactregistry.googleapis.com", "Artifact Registry API", {NULL}},
	{"bigquery.googleapis.com", "BigQuery API", {NULL}},
	{"cloudbuild.googleapis.com", "Cloud Build API", {NULL}},
	/* enabled by `gcloud projects create` (--enable-cloud-apis, its default) */
	{"cloudapis.googleapis.com", "Google Cloud APIs", {NULL}},
	{"cloudkms.googleapis.com", "Cloud Key Management Service (KMS) API", {NULL}},
	{"cloudresourcemanager.googleapis.com", "Cloud Resource Manager API", {NULL}},
	{"cloudtrace.googleapis.com", "Cloud Trace API", {NULL}},
	{"compute.googleapis.com", "Compute Engine API", {NULL}},
	{"container.googleapis.com", "Kubernetes Engine API", {"compute.googleapis.com", NULL}},
	{"containerregistry.googleapis.com", "Container Registry API", {NULL}},
	{"dns.googleapis.com", "Cloud DNS API", {NULL}},
	{"gkehub.googleapis.com", "GKE Hub API", {NULL}},
	{"iam.googleapis.com", "Identity and Access Management (IAM) API", {NULL}},
	{"iamcredentials.googleapis.com", "IAM Service Account Credentials API", {NULL}},
	{"logging.googleapis.com", "Cloud Logging API", {NULL}},
	{"monitoring.googleapis.com", "Cloud Monitoring API", {NULL}},
	{"oslogin.googleapis.com", "Cloud OS Login API", {NULL}},
	{"pubsub.googleapis.com", "Cloud Pub/Sub API", {NULL}},
	{"run.googleapis.com", "Cloud Run Admin API", {NULL}},
	{"secretmanager.googleapis.com", "Secret Manager API", {NULL}},
	{"servicecontrol.googleapis.com", "Service Control API", {NULL}},
	{"servicemanagement.googleapis.com", "Service Management API", {NULL}},
	{"serviceusage.googleapis.com", "Service Usage API", {NULL}},
	{"storage.googleapis.com", "Cloud Storage API", {NULL}},
	{"sts.googleapis.com", "Security Token Service API", {NULL}},
};
#define CATALOG_N (sizeof(catalog) / sizeof(catalog[0]))

/* ---- small helpers ---------------------------------------------------------------- */

static int catalog_index(const char *name)
{
	for (size_t i = 0; i < CATALOG_N; i++)
		if (strcmp(catalog[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The one table of service titles: cloud.h's cloud_service_title serves every API. */
const char *cloud_service_title(const char *service)
{
	int i = catalog_index(service);
	return i >= 0 ? catalog[i].title : service;
}

/* A service name that may be a store key: [a-z0-9.-] with a dot, 3..100 bytes. */
static int svc_ok(const char *s)
{
	size_t n = 0;
	int dot = 0;
	if (!s)
		return 0;
	for (; s[n]; n++) {
		char ch = s[n];
		if (ch == '.')
			dot = 1;
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return 0;
	}
	return dot && n >= 3 && n <= NAME_MAX_LEN;
}

/* A member by its JSON (lowerCamel) or proto (snake_case) name. */
static json_t *member(const json_t *obj, const char *camel, const char *snake)
{
	json_t *v = json_object_get(obj, camel);
	return v ? v : json_object_get(obj, snake);
}

/* 403 for a caller without permission (or a project that does not exist). */
static void deny(struct http_req *r, const char *permission, const char *msg)
{
	http_reply_gerror(r, 403, "PERMISSION_DENIED", "AUTH_PERMISSION_DENIED", SERVICE,
			  json_pack("{s:s}", "permission", permission), "%s", msg);
}

/* Google's answer for services that do not exist (or that the caller may not see);
 * list is one name or several joined by ','. */
static void reply_no_service(struct http_req *r, const char *list)
{
	char names[ECHO_MAX * 2], subject[ECHO_MAX * 2 + 64], msg[ECHO_MAX * 2 + 64];
	gerr_echo(names, sizeof(names), list);
	snprintf(subject, sizeof(subject), "?error_code=220002&services=%s", names);
	snprintf(msg, sizeof(msg), "Not found or permission denied for service(s): %s.", names);
	json_t *j = json_pack(
		"{s:{s:i, s:s, s:s, s:[{s:s, s:[{s:s, s:s}]}, {s:s, s:s, s:s, s:{s:s}}]}}", "error",
		"code", 403, "message", msg, "status", "PERMISSION_DENIED", "details", "@type",
		"type.googleapis.com/google.rpc.PreconditionFailure", "violations", "type",
		"googleapis.com", "subject", subject, "@type",
		"type.googleapis.com/google.rpc.ErrorInfo", "reason",
		"SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED", "domain", SERVICE, "metadata",
		"services", names);
	http_reply_json(r, 403, j);
}

/* What every per-project handler starts with: authenticates, finds the project named in
 * the path and checks the route's permission on it. msg is the denial text. Replies
 * itself on failure. 0 or -errno; cloud_call_end either way. */
static int begin(struct http_req *r, struct cloud_call *x, const char *msg)
{
	if (cloud_call_begin(x, r, NULL) != 0)
		return -EACCES;
	if (cloud_call_project(x, http_param(r, "project")) != 0 ||
	    !cloud_id_ok(x->project_number)) {
		deny(r, x->permission, msg);
		return -EACCES;
	}
	const char *res[] = {x->project_res};
	if (!cloud_call_allowed(x, NULL, res, 1)) {
		deny(r, x->permission, msg);
		return -EACCES;
	}
	return 0;
}

/* ---- service state ---------------------------------------------------------------- */

/* 1 if the service is enabled, 0 if it is disabled, -ENOENT if gkeid does not know it. */
static int svc_state(struct cloud_call *x, const char *svc)
{
	char key[320];
	struct store_kv kv;
	if (!svc_ok(svc) || SFMT(key, "/projects/%s/services/%s", x->project_id, svc) != 0)
		return -ENOENT;
	int rc = store_get(x->c->store, key, &kv);
	if (rc != 0)
		return catalog_index(svc) >= 0 ? 0 : -ENOENT;
	json_t *j = json_loadb(kv.value, kv.value_len, 0, NULL);
	const char *state = json_string_value(json_object_get(j, "state"));
	int on = state && strcmp(state, "ENABLED") == 0;
	json_decref(j);
	store_kv_free(&kv);
	return on;
}

/* The service as services.get shows it (full) or as operations carry it (!full). */
static json_t *svc_json(const struct cloud_call *x, const char *svc, int on, int full)
{
	char name[300], parent[64];
	if (SFMT(name, "projects/%s/services/%s", x->project_number, svc) != 0 ||
	    SFMT(parent, "projects/%s", x->project_number) != 0)
		return NULL;
	const char *state = on ? "ENABLED" : "DISABLED";
	if (!full)
		return json_pack("{s:s, s:s, s:s}", "name", name, "parent", parent, "state", state);
	return json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "name", name, "config", "name", svc,
			 "title", cloud_service_title(svc), "state", state, "parent", parent);
}

static int svc_put(struct cloud_call *x, const char *svc, int on)
{
	char key[320];
	if (SFMT(key, "/projects/%s/services/%s", x->project_id, svc) != 0)
		return -ENAMETOOLONG;
	json_t *j = svc_json(x, svc, on, 1);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!s)
		return -ENOMEM;
	int rc = store_put(x->c->store, key, s, strlen(s), STORE_ANY_REV, NULL);
	free(s);
	return rc;
}

/* Enables svc and, first, what it depends on. */
static int svc_enable(struct cloud_call *x, const char *svc, int depth)
{
	int i = catalog_index(svc);
	if (i >= 0 && depth < 4)
		for (size_t d = 0; d < 3 && catalog[i].deps[d]; d++)
			if (svc_state(x, catalog[i].deps[d]) == 0) {
				int rc = svc_enable(x, catalog[i].deps[d], depth + 1);
				if (rc != 0)
					return rc;
			}
	return svc_put(x, svc, 1);
}

/* The enabled services that depend on svc, joined by ',' into buf (empty if none). */
static void dependents(struct cloud_call *x, const char *svc, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < CATALOG_N; i++)
		for (size_t d = 0; d < 3 && catalog[i].deps[d]; d++)
			if (strcmp(catalog[i].deps[d], svc) == 0 &&
			    svc_state(x, catalog[i].name) == 1) {
				size_t n = strlen(buf);
				snprintf(buf + n, len - n, "%s%s", n ? "," : "", catalog[i].name);
			}
}

/* Disables svc and, first, the enabled services that depend on it. */
static int svc_disable(struct cloud_call *x, const char *svc, int depth)
{
	for (size_t i = 0; i < CATALOG_N && depth < 4; i++)
		for (size_t d = 0; d < 3 && catalog[i].deps[d]; d++)
			if (strcmp(catalog[i].deps[d], svc) == 0 &&
			    svc_state(x, catalog[i].name) == 1) {
				int rc = svc_disable(x, catalog[i].name, depth + 1);
				if (rc != 0)
					return rc;
			}
	return svc_put(x, svc, 0);
}

/* ---- operations -------------------------------------------------------------------- */

/* Stores and replies with a finished operation of project x; response is stolen. */
static void reply_done(struct http_req *r, struct cloud_call *x, const char *metadata_type,
		       json_t *response)
{
	char uuid[37], opid[128], key[192], name[160];
	json_t *op = NULL, *rec = NULL;
	char *s = NULL;
	/* Google names these operations/acat.p2-NUMBER-UUID (`gcloud services enable` prints
	 * Operation "operations/acat.p2-..." finished successfully). The namespace matters:
	 * gcloud's `services operations describe|wait` poll acat. names at Service Usage, but
	 * acf. ones at serviceconsumermanagement.googleapis.com, which no endpoint override
	 * of gcloud's can redirect (surface/services/operations/describe.py). */
	if (!response || random_uuid4(uuid) != 0 ||
	    SFMT(opid, "acat.p2-%s-%s", x->project_number, uuid) != 0 ||
	    SFMT(name, "operations/%s", opid) != 0 || SFMT(key, OPS_PREFIX "%s", opid) != 0)
		goto fail;
	json_t *md = strcmp(metadata_type, "type.googleapis.com/google.protobuf.Empty") == 0
			     ? json_pack("{s:s, s:{}}", "@type", metadata_type, "value")
			     : json_pack("{s:s}", "@type", metadata_type);
	op = json_pack("{s:s, s:o, s:b, s:o}", "name", name, "metadata", md, "done", 1, "response",
		       response);
	response = NULL;
	if (!op)
		goto fail;
	rec = json_pack("{s:s, s:O}", "project", x->project_id, "operation", op);
	s = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!s || store_put(x->c->store, key, s, strlen(s), STORE_ANY_REV, NULL) != 0)
		goto fail;
	http_reply_json(r, 200, op);
	op = NULL;
	goto out;
fail:
	cloud_reply_internal(r);
out:
	free(s);
	json_decref(rec);
	json_decref(op);
	json_decref(response);
}

static void reply_noop(struct http_req *r)
{
	http_reply_json(r, 200, json_pack("{s:s, s:b}", "name", NOOP_NAME, "done", 1));
}

/* ---- handlers ---------------------------------------------------------------------- */

/* GET /v1/projects/{project}/services/{service} */
static void su_get(struct http_req *r)
{
	struct cloud_call x;
	char shown[ECHO_MAX], msg[ECHO_MAX + 64];
	const char *svc = http_param(r, "service");
	gerr_echo(shown, sizeof(shown), svc);
	snprintf(msg, sizeof(msg), "Permission denied to get service [%s]", shown);
	if (begin(r, &x, msg) != 0)
		goto out;
	int on = svc_state(&x, svc);
	if (on < 0)
		reply_no_service(r, svc);
	else
		http_reply_json(r, 200, svc_json(&x, svc, on, 1));
out:
	cloud_call_end(&x);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* services.list's query: the state filter (*want -1 all, 1 enabled, 0 disabled), the page
 * size and token. 0, or -1 with Google's 400 sent. */
static int list_query(struct http_req *r, int *want, long *size, const char **token)
{
	char shown[ECHO_MAX];
	const char *filter = http_query(r, "filter");
	*want = -1;
	if (filter && *filter) {
		if (strcmp(filter, "state:ENABLED") == 0 ||
		    strcmp(filter, "state = ENABLED") == 0 ||
		    strcmp(filter, "state=ENABLED") == 0) {
			*want = 1;
		} else if (strcmp(filter, "state:DISABLED") == 0 ||
			   strcmp(filter, "state = DISABLED") == 0 ||
			   strcmp(filter, "state=DISABLED") == 0) {
			*want = 0;
		} else {
			gerr_echo(shown, sizeof(shown), filter);
			gerr_bad_request(r, "filter",
					 "Invalid filter: \"%s\". Supported filters are "
					 "state:ENABLED and state:DISABLED.",
					 shown);
			return -1;
		}
	}
	*size = LIST_DEFAULT;
	const char *ps = http_query(r, "pageSize");
	if (ps) {
		char *e = NULL;
		*size = strtol(ps, &e, 10);
		if (!*ps || *e || *size < 0 || *size > 2147483647L) {
			gerr_bad_param(r, "page_size", "TYPE_INT32", ps, ECHO_MAX);
			return -1;
		}
		if (*size == 0)
			*size = LIST_DEFAULT;
		if (*size > LIST_MAX)
			*size = LIST_MAX;
	}
	*token = http_query(r, "pageToken");
	if (*token && **token && !svc_ok(*token)) {
		gerr_bad_request(r, "page_token", "Invalid page token.");
		return -1;
	}
	return 0;
}

/* Every known service of the project, name -> enabled (a new object, or NULL): the
 * catalogue, then the stored states over it. */
static json_t *list_states(struct cloud_call *x)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	char prefix[200];
	json_t *states = json_object();
	if (!states)
		return NULL;
	for (size_t i = 0; i < CATALOG_N; i++)
		json_object_set_new(states, catalog[i].name, json_false());
	if (SFMT(prefix, "/projects/%s/services/", x->project_id) != 0 ||
	    store_range(x->c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		json_decref(states);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *svc = kvs[i].key + strlen(prefix);
		if (!svc_ok(svc))
			continue;
		json_t *j = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *st = json_string_value(json_object_get(j, "state"));
		json_object_set_new(states, svc, json_boolean(st && strcmp(st, "ENABLED") == 0));
		json_decref(j);
	}
	store_kvs_free(kvs, n);
	return states;
}

/* One page of the services in name order, after token (a new ListServicesResponse, or
 * NULL when out of memory). */
static json_t *list_page(struct cloud_call *x, json_t *states, int want, long size,
			 const char *token)
{
	size_t total = json_object_size(states), k = 0;
	const char **names = calloc(total ? total : 1, sizeof(*names));
	json_t *list = json_array(), *resp = NULL;
	if (!names || !list)
		goto out;
	const char *key;
	json_t *v;
	json_object_foreach(states, key, v) names[k++] = key;
	qsort(names, k, sizeof(*names), cmp_str);
	const char *last = NULL;
	int more = 0;
	for (size_t i = 0; i < k; i++) {
		int on = json_is_true(json_object_get(states, names[i]));
		if ((want >= 0 && on != want) || (token && *token && strcmp(names[i], token) <= 0))
			continue;
		if (json_array_size(list) >= (size_t)size) {
			more = 1;
			break;
		}
		json_array_append_new(list, svc_json(x, names[i], on, 1));
		last = names[i];
	}
	resp = json_object();
	if (resp && json_array_size(list))
		json_object_set(resp, "services", list);
	if (resp && more && last)
		json_object_set_new(resp, "nextPageToken", json_string(last));
out:
	free(names);
	json_decref(list);
	return resp;
}

/* GET /v1/projects/{project}/services?filter=state:ENABLED&pageSize=&pageToken= */
static void su_list(struct http_req *r)
{
	struct cloud_call x;
	char msg[ECHO_MAX + 96];
	json_t *states = NULL;
	char shown[ECHO_MAX];
	const char *pname = http_param(r, "project");
	json_t *p = cloud_id_ok(pname) ? cloud_project_get(r->app, pname) : NULL;
	const char *pnum = json_string_value(json_object_get(p, "projectNumber"));
	gerr_echo(shown, sizeof(shown), pnum ? pnum : pname);
	snprintf(msg, sizeof(msg),
		 "Permission denied to list services for consumer container [projects/%s]", shown);
	json_decref(p);
	if (begin(r, &x, msg) != 0)
		goto out;
	int want;
	long size;
	const char *token;
	if (list_query(r, &want, &size, &token) != 0)
		goto out;
	json_t *resp = (states = list_states(&x)) ? list_page(&x, states, want, size, token) : NULL;
	if (!resp)
		goto fail;
	http_reply_json(r, 200, resp);
	goto out;
fail:
	cloud_reply_internal(r);
out:
	json_decref(states);
	cloud_call_end(&x);
}

/* POST /v1/projects/{project}/services/{service}:enable {} */
static void su_enable(struct http_req *r)
{
	struct cloud_call x;
	char shown[ECHO_MAX], msg[ECHO_MAX + 64];
	const char *svc = http_param(r, "service");
	gerr_echo(shown, sizeof(shown), svc);
	snprintf(msg, sizeof(msg), "Permission denied to enable service [%s]", shown);
	if (begin(r, &x, msg) != 0)
		goto out;
	if (cloud_call_body(&x, 1, &jschema_serviceusage_EnableServiceRequest) != 0)
		goto out;
	int on = svc_state(&x, svc);
	if (on < 0) {
		reply_no_service(r, svc);
	} else if (on) {
		reply_noop(r);
	} else if (svc_enable(&x, svc, 0) != 0) {
		cloud_reply_internal(r);
	} else {
		reply_done(r, &x, "type.googleapis.com/google.protobuf.Empty",
			   json_pack("{s:s, s:o}", "@type",
				     "type.googleapis.com/"
				     "google.api.serviceusage.v1.EnableServiceResponse",
				     "service", svc_json(&x, svc, 1, 0)));
	}
out:
	cloud_call_end(&x);
}

/* POST /v1/projects/{project}/services/{service}:disable
 * {"disableDependentServices":bool,"checkIfServiceHasUsage":"CHECK"|"SKIP"} */
static void su_disable(struct http_req *r)
{
	struct cloud_call x;
	json_t *body;
	char shown[ECHO_MAX], msg[ECHO_MAX + 64];
	const char *svc = http_param(r, "service");
	gerr_echo(shown, sizeof(shown), svc);
	snprintf(msg, sizeof(msg), "Permission denied to disable service [%s]", shown);
	if (begin(r, &x, msg) != 0)
		goto out;
	if (cloud_call_body(&x, 1, &jschema_serviceusage_DisableServiceRequest) != 0)
		goto out;
	body = x.body;
	json_t *dep = member(body, "disableDependentServices", "disable_dependent_services");
	if (dep && !json_is_boolean(dep) && !json_is_null(dep)) {
		gerr_bad_value(r, "disable_dependent_services", "TYPE_BOOL", dep);
		goto out;
	}
	json_t *chk = member(body, "checkIfServiceHasUsage", "check_if_service_has_usage");
	const char *cv = json_string_value(chk);
	if (chk && !json_is_null(chk) &&
	    !(cv && (strcmp(cv, "CHECK") == 0 || strcmp(cv, "SKIP") == 0 ||
		     strcmp(cv, "CHECK_IF_SERVICE_HAS_USAGE_UNSPECIFIED") == 0))) {
		gerr_bad_value(
			r, "check_if_service_has_usage",
			"type.googleapis.com/"
			"google.api.serviceusage.v1.DisableServiceRequest.CheckIfServiceHasUsage",
			chk);
		goto out;
	}
	int on = svc_state(&x, svc);
	if (on < 0) {
		reply_no_service(r, svc);
		goto out;
	}
	if (!on) {
		reply_noop(r);
		goto out;
	}
	char users[512];
	dependents(&x, svc, users, sizeof(users));
	if (users[0] && !json_is_true(dep)) {
		char subject[700];
		snprintf(subject, sizeof(subject), "?error_code=100001&service_name=%s&services=%s",
			 svc, users);
		json_t *j = json_pack("{s:{s:i, s:s, s:s, s:[{s:s, s:[{s:s, s:s}]}, {s:s, s:s, "
				      "s:s, s:{s:s, s:s}}]}}",
				      "error", "code", 400, "message", "", "status",
				      "FAILED_PRECONDITION", "details", "@type",
				      "type.googleapis.com/google.rpc.PreconditionFailure",
				      "violations", "type", "googleapis.com", "subject", subject,
				      "@type", "type.googleapis.com/google.rpc.ErrorInfo", "reason",
				      "COMMON_SU_SERVICE_HAS_DEPENDENT_SERVICES", "domain", SERVICE,
				      "metadata", "service_name", svc, "services", users);
		char text[1024];
		snprintf(text, sizeof(text),
			 "The service %s is depended on by the following active service(s): %s; "
			 "Please specify disable_dependent_services=true if you want to proceed "
			 "with disabling all services.",
			 svc, users);
		if (j)
			json_object_set_new(json_object_get(j, "error"), "message",
					    json_string(text));
		http_reply_json(r, 400, j);
		goto out;
	}
	if (svc_disable(&x, svc, 0) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	reply_done(
		r, &x, "type.googleapis.com/google.protobuf.Empty",
		json_pack("{s:s, s:o}", "@type",
			  "type.googleapis.com/google.api.serviceusage.v1.DisableServiceResponse",
			  "service", svc_json(&x, svc, 0, 0)));
out:
	cloud_call_end(&x);
}

/* POST /v1/projects/{project}/services:batchEnable {"serviceIds":[...]} */
static void su_batch_enable(struct http_req *r)
{
	struct cloud_call x;
	json_t *body, *done = NULL;
	char msg[ECHO_MAX + 64], unknown[ECHO_MAX * 2];
	snprintf(msg, sizeof(msg), "Permission denied to enable service(s)");
	if (begin(r, &x, msg) != 0)
		goto out;
	if (cloud_call_body(&x, 0, &jschema_serviceusage_BatchEnableServicesRequest) != 0)
		goto out;
	body = x.body;
	json_t *ids = member(body, "serviceIds", "service_ids");
	if (ids && !json_is_array(ids) && !json_is_null(ids)) {
		gerr_bad_value(r, "service_ids", "TYPE_STRING", ids);
		goto out;
	}
	size_t n = json_array_size(ids), i;
	if (n == 0 || n > BATCH_MAX) {
		gerr_bad_request(r, "service_ids",
				 "Invalid argument: between 1 and %d service IDs may be enabled "
				 "at once, got %zu.",
				 BATCH_MAX, n);
		goto out;
	}
	json_t *v;
	int any_off = 0;
	unknown[0] = '\0';
	json_array_foreach(ids, i, v)
	{
		if (!json_is_string(v)) {
			char field[48];
			snprintf(field, sizeof(field), "service_ids[%zu]", i);
			gerr_bad_value(r, field, "TYPE_STRING", v);
			goto out;
		}
		int on = svc_state(&x, json_string_value(v));
		if (on < 0) {
			size_t u = strlen(unknown);
			char one[ECHO_MAX];
			gerr_echo(one, sizeof(one), json_string_value(v));
			if (u + strlen(one) + 2 < sizeof(unknown))
				snprintf(unknown + u, sizeof(unknown) - u, "%s%s", u ? "," : "",
					 one);
		} else if (!on) {
			any_off = 1;
		}
	}
	if (unknown[0]) {
		reply_no_service(r, unknown);
		goto out;
	}
	if (!any_off) {
		reply_noop(r);
		goto out;
	}
	done = json_array();
	if (!done)
		goto fail;
	json_array_foreach(ids, i, v)
	{
		const char *svc = json_string_value(v);
		if (svc_state(&x, svc) == 0 && svc_enable(&x, svc, 0) != 0)
			goto fail;
		json_array_append_new(done, svc_json(&x, svc, 1, 0));
	}
	reply_done(r, &x, "type.googleapis.com/google.api.serviceusage.v1.OperationMetadata",
		   json_pack("{s:s, s:O}", "@type",
			     "type.googleapis.com/"
			     "google.api.serviceusage.v1.BatchEnableServicesResponse",
			     "services", done));
	goto out;
fail:
	cloud_reply_internal(r);
out:
	json_decref(done);
	cloud_call_end(&x);
}

/* GET /v1/projects/{project}/services:batchGet?names=projects/P/services/S&names=... */
static void su_batch_get(struct http_req *r)
{
	struct cloud_call x;
	json_t *list = NULL;
	if (begin(r, &x, "Permission denied to get service(s)") != 0)
		goto out;
	list = json_array();
	if (!list) {
		http_reply_json(r, 500, NULL);
		goto out;
	}
	struct evkeyval *kv;
	size_t count = 0;
	TAILQ_FOREACH(kv, &r->query, next)
	{
		if (strcmp(kv->key, "names") != 0)
			continue;
		if (++count > BATCH_GET_MAX) {
			gerr_bad_request(r, "names",
					 "At most %d services may be requested at once.",
					 BATCH_GET_MAX);
			goto out;
		}
		/* projects/{id or number}/services/{service} of this project */
		const char *s = kv->value, *svc = NULL;
		if (strncmp(s, "projects/", 9) == 0) {
			const char *p = s + 9, *slash = strchr(p, '/');
			size_t plen = slash ? (size_t)(slash - p) : 0;
			if (slash && strncmp(slash, "/services/", 10) == 0 &&
			    ((plen == strlen(x.project_id) &&
			      strncmp(p, x.project_id, plen) == 0) ||
			     (plen == strlen(x.project_number) &&
			      strncmp(p, x.project_number, plen) == 0)))
				svc = slash + 10;
		}
		if (!svc) {
			char shown[ECHO_MAX];
			gerr_echo(shown, sizeof(shown), s);
			gerr_bad_request(r, "names", "Invalid service name: \"%s\".", shown);
			goto out;
		}
		int on = svc_state(&x, svc);
		if (on < 0) {
			reply_no_service(r, svc);
			goto out;
		}
		json_array_append_new(list, svc_json(&x, svc, on, 1));
	}
	json_t *resp = json_object();
	if (resp && json_array_size(list))
		json_object_set(resp, "services", list);
	http_reply_json(r, 200, resp);
out:
	json_decref(list);
	cloud_call_end(&x);
}

/* GET /v1/operations/{operation} */
static void su_operation_get(struct http_req *r)
{
	struct cloud_call x;
	struct store_kv kv = {0};
	json_t *rec = NULL;
	char key[192], shown[ECHO_MAX];
	if (cloud_call_begin(&x, r, NULL) != 0)
		goto out;
	const char *op = http_param(r, "operation");
	if (op && strcmp(op, "noop.DONE_OPERATION") == 0) {
		reply_noop(r);
		goto out;
	}
	gerr_echo(shown, sizeof(shown), op);
	int found = 0;
	if (cloud_id_ok(op)) {
		found = SFMT(key, OPS_PREFIX "%s", op) == 0 && store_get(x.c->store, key, &kv) == 0;
	}
	if (!found) {
		http_reply_gerror(r, 404, "NOT_FOUND", NULL, NULL, NULL,
				  "Operation 'operations/%s' not found.", shown);
		goto out;
	}
	rec = json_loadb(kv.value, kv.value_len, 0, NULL);
	const char *pid = json_string_value(json_object_get(rec, "project"));
	json_t *opj = json_object_get(rec, "operation");
	char resource[160];
	const char *res[] = {resource};
	if (!pid || !opj || SFMT(resource, "projects/%s", pid) != 0) {
		cloud_reply_internal(r);
	} else if (!cloud_call_allowed(&x, NULL, res, 1)) {
		char msg[ECHO_MAX + 64];
		snprintf(msg, sizeof(msg), "Permission denied to get operation [operations/%s]",
			 shown);
		deny(r, x.permission, msg);
	} else {
		http_reply_json(r, 200, json_incref(opj));
	}
out:
	json_decref(rec);
	store_kv_free(&kv);
	cloud_call_end(&x);
}

#define P "/serviceusage/v1/projects/{project}/services"
static const struct cloud_route routes[] = {
	{"GET", P, su_list, "serviceusage.services.list", 1, NULL},
	{"POST", P ":batchEnable", su_batch_enable, "serviceusage.services.enable", 0, NULL},
	{"GET", P ":batchGet", su_batch_get, "serviceusage.services.get", 1, NULL},
	{"GET", P "/{service}", su_get, "serviceusage.services.get", 1, NULL},
	{"POST", P "/{service}:enable", su_enable, "serviceusage.services.enable", 0, NULL},
	{"POST", P "/{service}:disable", su_disable, "serviceusage.services.disable", 0, NULL},
	{"GET", "/serviceusage/v1/operations/{operation}", su_operation_get,
	 "serviceusage.operations.get", 1, "checked on the operation's project"},
};
#undef P
const struct cloud_api serviceusage_api = CLOUD_API(SERVICE, routes);
