/*
 * call.c - the Google APIs' route tables and request context: the list of APIs, the
 * route a request came through (and so its permission and scope class), and the steps
 * a method runs through (authenticate, find the project, check the service is enabled,
 * parse the body, check the permission) on one struct cloud_call (cloud.h).
 */
#include "cloud/cloud.h"
#include "cloud/cloudidentity.h"
#include "cloud/gerrors.h"
#include "cloud/hier.h"
#include "cloud/iamext.h"
#include "cloud/jsonschema.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/dbuf.h"

/* Every API, in routing order (the first route that matches a path wins). */
static const struct cloud_api *const apis[] = {
	&oauth2_api,	     &crm_api, &iamapi_sa_api,	  &iamapi_keys_api, &iamapi_roles_api,
	&iamcredentials_api, &sts_api, &serviceusage_api, &container_api,
	&hier_api,	     &saextra_api, &folders_api, /* hier.h */
	&cloudidentity_api, /* cloudidentity.h */
	&troubleshoot_api,  /* iamext.h */
};

const struct cloud_api *const *cloud_apis(size_t *n)
{
	*n = sizeof(apis) / sizeof(apis[0]);
	return apis;
}

/* Sorted by name. Served: the APIs gkeid emulates. The others are the identity and
 * GKE neighbours that gcloud reaches in the same workflows (groups, the troubleshooter,
 * policy analysis and simulation, organization policies, asset and recommender IAM
 * searches, fleets, Service Management behind `gcloud services`, audit logs, and Compute
 * Engine behind `gcloud container` and node service accounts): pointed here, a call
 * gets a clear error instead of carrying a gkeid token to Google. */
const struct cloud_gcloud_api cloud_gcloud_apis[] = {
	{"cloudasset", 0},
	{"cloudidentity", 1},
	{"cloudresourcemanager", 1},
	{"compute", 0},
	{"connectgateway", 0},
	{"container", 1},
	{"gkehub", 0},
	{"iam", 1},
	{"iamcredentials", 1},
	{"logging", 0},
	{"orgpolicy", 0},
	{"policyanalyzer", 0},
	{"policysimulator", 0},
	{"policytroubleshooter", 1},
	{"privilegedaccessmanager", 0},
	{"recommender", 0},
	{"servicemanagement", 0},
	{"serviceusage", 1},
};
const size_t cloud_n_gcloud_apis = sizeof(cloud_gcloud_apis) / sizeof(cloud_gcloud_apis[0]);

/* Why 404 NOT_FOUND and not 501 UNIMPLEMENTED: Google's front end answers a path that
 * names no method with 404, and gcloud (apitools' http_wrapper.CheckResponse) retries
 * every status of 500 and more with exponential backoff, so a 501 would keep gcloud
 * waiting before it shows the error. A 404 with Google's JSON shows at once, as
 * "NOT_FOUND: The method ... is not emulated by gkeid." (tests/e2e/gcloud_battery.txt). */
void cloud_not_emulated(struct http_req *r)
{
	const char *path = r->path ? r->path : "";
	const char *slash = path[0] == '/' ? strchr(path + 1, '/') : NULL;
	size_t len = slash ? (size_t)(slash - path - 1) : 0;
	for (size_t i = 0; slash && i < cloud_n_gcloud_apis; i++) {
		const char *name = cloud_gcloud_apis[i].name;
		if (strlen(name) != len || strncmp(path + 1, name, len) != 0)
			continue;
		char shown[GERR_ECHO_MAX];
		gerr_echo(shown, sizeof(shown), slash);
		http_reply_gerror(r, 404, NULL, NULL, NULL, NULL,
				  "The method %s %s of %s.googleapis.com is not emulated by gkeid.",
				  r->method ? r->method : "?", shown, name);
		return;
	}
	http_reply_not_found(r);
}

int cloud_routes_add(struct http_router *rt)
{
	int rc = iamext_routes_add(rt); /* iamext.h: first, ahead of iamapi's routes */
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]) && rc == 0; i++) {
		for (size_t j = 0; j < apis[i]->n_routes && rc == 0; j++) {
			const struct cloud_route *cr = &apis[i]->routes[j];
			/* The router copies the entry; cloud_route_of finds the table's by its
			 * pattern pointer. */
			struct http_route hr = {cr->method, cr->pattern, cr->fn};
			rc = http_router_add(rt, &hr, 1);
		}
	}
	http_router_set_not_found(rt, cloud_not_emulated);
	return rc;
}

const struct cloud_route *cloud_route_of(const struct http_req *r, const struct cloud_api **api)
{
	const struct http_route *hr = r ? r->route : NULL;
	if (!hr)
		return NULL;
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		for (size_t j = 0; j < apis[i]->n_routes; j++) {
			const struct cloud_route *cr = &apis[i]->routes[j];
			if (cr->pattern == hr->pattern && cr->fn == hr->fn &&
			    strcmp(cr->method, hr->method) == 0) {
				if (api)
					*api = apis[i];
				return cr;
			}
		}
	}
	return NULL;
}

void cloud_reply_internal(struct http_req *r)
{
	http_reply_gerror(r, 500, NULL, NULL, NULL, NULL, "Internal error encountered.");
}

int cloud_call_begin(struct cloud_call *x, struct http_req *r, const struct cloud_api *api)
{
	memset(x, 0, sizeof(*x));
	x->c = r->app;
	x->r = r;
	x->api = api;
	x->route = cloud_route_of(r, &x->api);
	x->permission = x->route ? x->route->permission : NULL;
	if (!x->api)
		return -EINVAL; /* a handler off the tables must name its API */
	return cloud_authenticate(x->c, r, x->api->service, &x->who) != 0 ? -EACCES : 0;
}

int cloud_call_project(struct cloud_call *x, const char *id)
{
	json_decref(x->project);
	x->project = cloud_id_ok(id) ? cloud_project_get(x->c, id) : NULL;
	x->project_id = json_string_value(json_object_get(x->project, "projectId"));
	json_t *num = json_object_get(x->project, "projectNumber");
	x->project_number[0] = '\0';
	x->project_res[0] = '\0';
	if (json_is_integer(num))
		SFMT(x->project_number, "%lld", (long long)json_integer_value(num));
	else if (json_is_string(num))
		SFMT(x->project_number, "%s", json_string_value(num));
	if (!x->project_id || !cloud_id_ok(x->project_id) ||
	    SFMT(x->project_res, "projects/%s", x->project_id) != 0)
		return -ENOENT;
	return 0;
}

int cloud_call_service(struct cloud_call *x)
{
	return cloud_require_service(x->c, x->r, x->project, x->api->service);
}

int cloud_call_body(struct cloud_call *x, int empty_ok, const struct jschema_msg *m)
{
	json_decref(x->body);
	x->body = m ? jschema_body(x->r, empty_ok, m) : http_json_body(x->r, empty_ok);
	return x->body ? 0 : -EINVAL;
}

int cloud_call_allowed(const struct cloud_call *x, const char *perm, const char *const *res,
		       size_t n)
{
	const char *p = perm ? perm : x->permission;
	return p && cloud_allowed(x->c, &x->who, res, n, p);
}

void cloud_call_end(struct cloud_call *x)
{
	json_decref(x->project);
	json_decref(x->body);
	x->project = x->body = NULL;
	x->project_id = NULL;
}
