/*
 * discovery.c - the non-resource URLs of the Kubernetes API server: /version, the
 * health checks, and API discovery (/api, /apis, /apis/G, /api/v1, /apis/G/V), in the
 * legacy form (APIVersions, APIGroupList, APIGroup, APIResourceList) and, when the
 * client asks for it by Accept, the aggregated form (apidiscovery.k8s.io/v2
 * APIGroupDiscoveryList) that kubectl 1.32 prefers. Built from resources.c's table.
 * The OpenAPI paths of a group-version (discovery_openapi_gv): PATCH operations that
 * carry x-kubernetes-group-version-kind and the fieldValidation parameter, which is
 * what kubectl reads to hand validation to the server; openapi.c adds the schemas and
 * serves /openapi/v2 and /openapi/v3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/util.h"


#define AGG_V2 "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
#define AGG_V2BETA1 "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"

/* Subresources listed in discovery (served by apiserver.c, registry.c, tokens.c). */
struct subresource {
	const char *group, *resource, *sub;
	const char *kind_group, *kind_version, *kind; /* response kind */
	const char *verbs;
};
static const struct subresource subresources[] = {
	{"", "namespaces", "finalize", "", "v1", "Namespace", "update"},
	{"", "namespaces", "status", "", "v1", "Namespace", "get,patch,update"},
	{"", "pods", "exec", "", "v1", "PodExecOptions", "create,get"},
	{"", "pods", "log", "", "v1", "Pod", "get"},
	{"", "pods", "status", "", "v1", "Pod", "get,patch,update"},
	{"", "serviceaccounts", "token", "authentication.k8s.io", "v1", "TokenRequest", "create"},
	/* the built-in kinds of the generic path: their status and scale subresources */
	{"", "persistentvolumeclaims", "status", "", "v1", "PersistentVolumeClaim", "get,patch,update"},
	{"", "persistentvolumes", "status", "", "v1", "PersistentVolume", "get,patch,update"},
	{"", "replicationcontrollers", "status", "", "v1", "ReplicationController", "get,patch,update"},
	{"", "resourcequotas", "status", "", "v1", "ResourceQuota", "get,patch,update"},
	{"admissionregistration.k8s.io", "validatingadmissionpolicies", "status", "admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "get,patch,update"},
	{"apiregistration.k8s.io", "apiservices", "status", "apiregistration.k8s.io", "v1", "APIService", "get,patch,update"},
	{"apps", "daemonsets", "status", "apps", "v1", "DaemonSet", "get,patch,update"},
	{"apps", "deployments", "status", "apps", "v1", "Deployment", "get,patch,update"},
	{"apps", "replicasets", "status", "apps", "v1", "ReplicaSet", "get,patch,update"},
	{"apps", "statefulsets", "status", "apps", "v1", "StatefulSet", "get,patch,update"},
	{"autoscaling", "horizontalpodautoscalers", "status", "autoscaling", "v2", "HorizontalPodAutoscaler", "get,patch,update"},
	{"batch", "cronjobs", "status", "batch", "v1", "CronJob", "get,patch,update"},
	{"batch", "jobs", "status", "batch", "v1", "Job", "get,patch,update"},
	{"certificates.k8s.io", "certificatesigningrequests", "status", "certificates.k8s.io", "v1", "CertificateSigningRequest", "get,patch,update"},
	{"flowcontrol.apiserver.k8s.io", "flowschemas", "status", "flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", "get,patch,update"},
	{"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", "status", "flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration", "get,patch,update"},
	{"networking.k8s.io", "ingresses", "status", "networking.k8s.io", "v1", "Ingress", "get,patch,update"},
	{"policy", "poddisruptionbudgets", "status", "policy", "v1", "PodDisruptionBudget", "get,patch,update"},
	{"storage.k8s.io", "volumeattachments", "status", "storage.k8s.io", "v1", "VolumeAttachment", "get,patch,update"},
	{"", "replicationcontrollers", "scale", "autoscaling", "v1", "Scale", "get,patch,update"},
	{"apps", "deployments", "scale", "autoscaling", "v1", "Scale", "get,patch,update"},
	{"apps", "replicasets", "scale", "autoscaling", "v1", "Scale", "get,patch,update"},
	{"apps", "statefulsets", "scale", "autoscaling", "v1", "Scale", "get,patch,update"},
};

static const char *categories(const struct kube_resource *res)
{
	static const char *const all[] = {"pods",	  "services",	"replicationcontrollers",
					  "daemonsets",	  "deployments", "replicasets",
					  "statefulsets", "horizontalpodautoscalers",
					  "cronjobs",	  "jobs",	NULL};
	for (size_t i = 0; all[i]; i++)
		if (strcmp(res->resource, all[i]) == 0)
			return "all";
	return NULL;
}

/* Appends each comma-separated item of list to a new array. */
static json_t *csv_array(const char *list)
{
	json_t *a = json_array();
	if (!a || !list)
		return a;
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len && json_array_append_new(a, json_stringn(p, len)) != 0) {
			json_decref(a);
			return NULL;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return a;
}

static int has_gv(const char *group, const char *version)
{
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rs[i].group, group) == 0 && (!version || strcmp(rs[i].version, version) == 0))
			return 1;
	return 0;
}

/* The groups other than core, in table order, without repeats (at most 32). */
static size_t groups(const char **out, size_t cap)
{
	size_t n, k = 0;
	const struct kube_resource *rs = kube_resources(&n);
	for (size_t i = 0; i < n; i++) {
		if (!rs[i].group[0])
			continue;
		size_t j;
		for (j = 0; j < k; j++)
			if (strcmp(out[j], rs[i].group) == 0)
				break;
		if (j == k && k < cap)
			out[k++] = rs[i].group;
	}
	return k;
}

/* qsort order of versions, kube-aware (kube_version_cmp). */
static int version_cmp(const void *a, const void *b)
{
	return kube_version_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The versions a group serves, preferred first, as kube-apiserver and
 * apiextensions-apiserver order them (autoscaling v2, v1; a CRD's v1, v1beta1). At
 * most cap. */
static size_t group_versions(const char *group, const char **out, size_t cap)
{
	size_t n, k = 0;
	const struct kube_resource *rs = kube_resources(&n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rs[i].group, group) != 0)
			continue;
		size_t j;
		for (j = 0; j < k; j++)
			if (strcmp(out[j], rs[i].version) == 0)
				break;
		if (j == k && k < cap)
			out[k++] = rs[i].version;
	}
	if (!k && cap)
		out[k++] = "v1";
	qsort(out, k, sizeof(*out), version_cmp);
	return k;
}

/* The subresources of res: the table's, or a custom resource's status and scale
 * (apiextensions-apiserver lists them as the CRD's version declares them). */
static size_t subs_of(const struct kube_resource *res, struct subresource *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < sizeof(subresources) / sizeof(subresources[0]) && k < cap; i++)
		if (strcmp(subresources[i].group, res->group) == 0 &&
		    strcmp(subresources[i].resource, res->resource) == 0)
			out[k++] = subresources[i];
	if (k < cap && crd_has_status(res))
		out[k++] = (struct subresource){res->group, res->resource, "status", res->group,
						res->version, res->kind, "get,patch,update"};
	if (k < cap && crd_scale_paths(res, NULL, NULL, NULL))
		out[k++] = (struct subresource){res->group, res->resource, "scale", "autoscaling",
						"v1", "Scale", "get,patch,update"};
	return k;
}

static void reply(struct http_req *r, json_t *j, const char *content_type)
{
	if (!j) {
		http_reply(r, 500, "text/plain", "internal error\n", 15);
		return;
	}
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s) {
		http_reply(r, 500, "text/plain", "internal error\n", 15);
		return;
	}
	http_reply(r, 200, content_type ? content_type : "application/json", s, strlen(s));
	free(s);
}

/* --- legacy discovery --- */

static json_t *resource_list(const char *group, const char *version)
{
	char gv[200];
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	if (SFMT(gv, "%s%s%s", group, group[0] ? "/" : "", version) < 0)
		return NULL;
	json_t *list = json_array();
	json_t *out = json_pack("{s:s, s:s, s:s, s:o}", "kind", "APIResourceList", "apiVersion", "v1",
				"groupVersion", gv, "resources", list ? list : json_array());
	if (!out || !list)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct kube_resource *res = &rs[i];
		if (strcmp(res->group, group) != 0 || strcmp(res->version, version) != 0)
			continue;
		json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", res->resource,
				      "singularName", res->singular, "namespaced", res->namespaced,
				      "kind", res->kind, "verbs", csv_array(res->verbs));
		if (!o || json_array_append_new(list, o) != 0)
			goto fail;
		if (res->short_names)
			json_object_set_new(o, "shortNames", csv_array(res->short_names));
		if (categories(res))
			json_object_set_new(o, "categories", csv_array(categories(res)));
		struct subresource subs[4];
		size_t ns = subs_of(res, subs, 4);
		for (size_t k = 0; k < ns; k++) {
			const struct subresource *sr = &subs[k];
			char name[160];
			if (SFMT(name, "%s/%s", sr->resource, sr->sub) < 0)
				goto fail;
			json_t *so = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", name,
					       "singularName", "", "namespaced", res->namespaced,
					       "kind", sr->kind, "verbs", csv_array(sr->verbs));
			if (!so || json_array_append_new(list, so) != 0)
				goto fail;
			if (strcmp(sr->kind_group, group) != 0) {
				json_object_set_new(so, "group", json_string(sr->kind_group));
				json_object_set_new(so, "version", json_string(sr->kind_version));
			}
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static json_t *api_group(const char *group)
{
	char gv[200];
	const char *vs[8];
	size_t nv = group_versions(group, vs, 8);
	json_t *versions = json_array();
	for (size_t i = 0; versions && i < nv; i++) {
		if (SFMT(gv, "%s/%s", group, vs[i]) < 0) {
			json_decref(versions);
			return NULL;
		}
		json_array_append_new(versions,
				      json_pack("{s:s, s:s}", "groupVersion", gv, "version", vs[i]));
	}
	if (SFMT(gv, "%s/%s", group, vs[0]) < 0) {
		json_decref(versions);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:o*, s:{s:s, s:s}}", "kind", "APIGroup", "apiVersion",
			 "v1", "name", group, "versions", versions, "preferredVersion",
			 "groupVersion", gv, "version", vs[0]);
}

static json_t *api_group_list(void)
{
	const char *gs[32];
	size_t ng = groups(gs, 32);
	json_t *list = json_array();
	json_t *out = json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1",
				"groups", list ? list : json_array());
	if (!out || !list)
		goto fail;
	for (size_t i = 0; i < ng; i++) {
		json_t *g = api_group(gs[i]);
		if (!g || json_array_append_new(list, g) != 0)
			goto fail;
		json_object_del(g, "kind");
		json_object_del(g, "apiVersion");
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static json_t *api_versions(struct kube_cluster *cl)
{
	return json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions", "v1",
			 "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
			 cl->endpoint);
}

/* --- aggregated discovery (apidiscovery.k8s.io/v2) --- */

static json_t *agg_version(const char *group, const char *version)
{
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	json_t *list = json_array();
	json_t *out = json_pack("{s:s, s:o, s:s}", "version", version, "resources",
				list ? list : json_array(), "freshness", "Current");
	if (!out || !list)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct kube_resource *res = &rs[i];
		if (strcmp(res->group, group) != 0 || strcmp(res->version, version) != 0)
			continue;
		json_t *o = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:o}", "resource",
				      res->resource, "responseKind", "group", res->group, "version",
				      res->version, "kind", res->kind, "scope",
				      res->namespaced ? "Namespaced" : "Cluster", "singularResource",
				      res->singular, "verbs", csv_array(res->verbs));
		if (!o || json_array_append_new(list, o) != 0)
			goto fail;
		if (res->short_names)
			json_object_set_new(o, "shortNames", csv_array(res->short_names));
		if (categories(res))
			json_object_set_new(o, "categories", csv_array(categories(res)));
		json_t *subs = NULL;
		struct subresource list_of[4];
		size_t ns = subs_of(res, list_of, 4);
		for (size_t k = 0; k < ns; k++) {
			const struct subresource *sr = &list_of[k];
			if (!subs) {
				subs = json_array();
				if (!subs || json_object_set_new(o, "subresources", subs) != 0)
					goto fail;
			}
			/* a kind's own status answers in the version asked for */
			const char *kv = strcmp(sr->kind_group, group) == 0 &&
						 strcmp(sr->kind, res->kind) == 0
					 ? version
					 : sr->kind_version;
			json_t *so = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "subresource", sr->sub,
					       "responseKind", "group", sr->kind_group, "version", kv,
					       "kind", sr->kind, "verbs", csv_array(sr->verbs));
			if (!so || json_array_append_new(subs, so) != 0)
				goto fail;
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static json_t *agg_group(const char *group)
{
	const char *vs[8];
	size_t nv = group_versions(group, vs, 8);
	json_t *versions = json_array();
	for (size_t i = 0; versions && i < nv; i++) {
		json_t *v = agg_version(group, vs[i]);
		if (!v || json_array_append_new(versions, v)) {
			json_decref(versions);
			return NULL;
		}
	}
	return json_pack("{s:{s:s}, s:o*}", "metadata", "name", group, "versions", versions);
}

static json_t *agg_list(int core, const char *api_version)
{
	json_t *items = json_array();
	json_t *out = json_pack("{s:s, s:s, s:{}, s:o}", "kind", "APIGroupDiscoveryList",
				"apiVersion", api_version, "metadata", "items",
				items ? items : json_array());
	if (!out || !items)
		goto fail;
	if (core) {
		json_t *g = agg_group("");
		if (!g || json_array_append_new(items, g) != 0)
			goto fail;
		json_object_set_new(json_object_get(g, "metadata"), "creationTimestamp", json_null());
		json_object_del(json_object_get(g, "metadata"), "name");
	} else {
		const char *gs[32];
		size_t ng = groups(gs, 32);
		for (size_t i = 0; i < ng; i++) {
			json_t *g = agg_group(gs[i]);
			if (!g || json_array_append_new(items, g) != 0)
				goto fail;
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* Which aggregated form the Accept header asks for first, or NULL for legacy. */
/* The Content-Type of an aggregated discovery reply in the version asked for. */
static const char *agg_type(const char *agg)
{
	return strcmp(agg, "apidiscovery.k8s.io/v2") == 0 ? AGG_V2 : AGG_V2BETA1;
}

static const char *wants_aggregated(struct http_req *r)
{
	const char *acc = http_header(r, "Accept");
	if (!acc)
		return NULL;
	/* Media types in order; take the first we can serve. */
	const char *p = acc;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char mt[256];
		size_t k = 0;
		for (size_t i = 0; i < len && k + 1 < sizeof(mt); i++)
			if (p[i] != ' ')
				mt[k++] = p[i];
		mt[k] = '\0';
		if (strcmp(mt, AGG_V2) == 0)
			return "apidiscovery.k8s.io/v2";
		if (strcmp(mt, AGG_V2BETA1) == 0)
			return "apidiscovery.k8s.io/v2beta1";
		if (strncmp(mt, "application/json", 16) == 0 && (mt[16] == '\0' || mt[16] == ';'))
			return NULL;
		if (strcmp(mt, "*/*") == 0)
			return NULL;
		if (!e)
			break;
		p = e + 1;
	}
	return NULL;
}

/* --- OpenAPI v3 paths (openapi.c serves them with the schemas) --- */

/* The discovery path of a group-version: "api/v1" or "apis/G/V". */
int discovery_gv_path(const char *group, const char *version, char *out, size_t cap)
{
	return group[0] ? sfmt(out, cap, "apis/%s/%s", group, version)
			: sfmt(out, cap, "api/%s", version);
}

json_t *discovery_openapi_gv(const char *group, const char *version)
{
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	json_t *paths = json_object();
	json_t *out = json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{}}}", "openapi", "3.0.0", "info",
				"title", "Kubernetes", "version", "v1.30.5", "paths",
				paths ? paths : json_object(), "components", "schemas");
	if (!out || !paths)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct kube_resource *res = &rs[i];
		if (strcmp(res->group, group) != 0 || strcmp(res->version, version) != 0 ||
		    !strstr(res->verbs, "patch"))
			continue;
		char base[200], p[400];
		if (discovery_gv_path(group, version, base, sizeof(base)) < 0 ||
		    SFMT(p, "/%s/%s%s/{name}", base,
			 res->namespaced ? "namespaces/{namespace}/" : "", res->resource) < 0)
			goto fail;
		json_t *ops = json_object();
		if (!ops)
			goto fail;
		json_t *gvk = json_pack("{s:s, s:s, s:s}", "group", res->group, "version",
					res->version, "kind", res->kind);
		json_t *patch = json_pack(
			"{s:o, s:[{s:s, s:s, s:{s:s}}], s:{s:{s:s}}}", "x-kubernetes-group-version-kind",
			gvk, "parameters", "name", "fieldValidation", "in", "query", "schema", "type",
			"string", "responses", "200", "description", "OK");
		/* json_object_set_new takes the value even when it fails. */
		if (!patch || json_object_set_new(ops, "patch", patch) != 0) {
			json_decref(ops);
			goto fail;
		}
		if (json_object_set_new(paths, p, ops) != 0)
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static void serve_version(struct kube_cluster *cl, struct http_req *r)
{
	char git[96], minor[16] = "30", major[16] = "1";
	const char *v = cl->version[0] ? cl->version : "1.30.5-gke.1014001";
	if (SFMT(git, "v%s", v) < 0) {
		reply(r, NULL, NULL); /* (a cluster's version is at most 63 characters) */
		return;
	}
	/* "1.30.5-gke.1014001": major.minor from the first two numbers. */
	const char *dot = strchr(v, '.');
	if (dot && dot > v && (size_t)(dot - v) < sizeof(major)) {
		memcpy(major, v, (size_t)(dot - v));
		major[dot - v] = '\0';
		const char *d2 = dot + 1;
		size_t k = 0;
		while (d2[k] >= '0' && d2[k] <= '9' && k + 1 < sizeof(minor))
			k++;
		if (k) {
			memcpy(minor, d2, k);
			minor[k] = '\0';
		}
	}
	reply(r,
	      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "major", major, "minor",
			minor, "gitVersion", git, "gitCommit",
			"2b2f6b3f1b0c0e0ad5c0f4b6d3e8a7c9f1e2d3c4", "gitTreeState", "clean",
			"buildDate", "2024-09-26T16:35:34Z", "goVersion", "go1.22.6 X:boringcrypto",
			"compiler", "gc", "platform", "linux/amd64"),
	      NULL);
}

int discovery_serve(struct kube_cluster *cl, struct http_req *r)
{
	const char *p = r->path;
	int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	if (!get)
		return 0;
	if (strcmp(p, "/version") == 0 || strcmp(p, "/version/") == 0) {
		serve_version(cl, r);
		return 1;
	}
	if (strcmp(p, "/healthz") == 0 || strcmp(p, "/livez") == 0 || strcmp(p, "/readyz") == 0 ||
	    strncmp(p, "/healthz/", 9) == 0 || strncmp(p, "/livez/", 7) == 0 ||
	    strncmp(p, "/readyz/", 8) == 0) {
		http_reply(r, 200, "text/plain; charset=utf-8", "ok", 2);
		return 1;
	}
	if (strcmp(p, "/openapi/v2") == 0 || strncmp(p, "/openapi/v3", 11) == 0)
		return openapi_serve(cl, r);
	const char *agg = wants_aggregated(r);
	if (strcmp(p, "/api") == 0 || strcmp(p, "/api/") == 0) {
		if (agg) {
			reply(r, agg_list(1, agg), agg_type(agg));
		} else {
			reply(r, api_versions(cl), NULL);
		}
		return 1;
	}
	if (strcmp(p, "/apis") == 0 || strcmp(p, "/apis/") == 0) {
		if (agg) {
			reply(r, agg_list(0, agg), agg_type(agg));
		} else {
			reply(r, api_group_list(), NULL);
		}
		return 1;
	}
	if (strcmp(p, "/api/v1") == 0 || strcmp(p, "/api/v1/") == 0) {
		reply(r, resource_list("", "v1"), NULL);
		return 1;
	}
	if (strncmp(p, "/apis/", 6) == 0) {
		char group[128], version[32];
		const char *g = p + 6;
		const char *slash = strchr(g, '/');
		size_t gl = slash ? (size_t)(slash - g) : strlen(g);
		if (gl == 0 || gl >= sizeof(group))
			return 0;
		memcpy(group, g, gl);
		group[gl] = '\0';
		const char *v = slash ? slash + 1 : "";
		size_t vl = strlen(v);
		if (vl && v[vl - 1] == '/')
			vl--;
		if (memchr(v, '/', vl) || vl >= sizeof(version))
			return 0;
		memcpy(version, v, vl);
		version[vl] = '\0';
		if (!has_gv(group, vl ? version : NULL))
			return 0;
		reply(r, vl ? resource_list(group, version) : api_group(group), NULL);
		return 1;
	}
	return 0;
}
