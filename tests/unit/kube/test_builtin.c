/*
 * test_builtin.c - unit tests of the built-in kinds (issue 11): every served resource has
 * its 1.30 field structure (data/kube-schema.json) and an OpenAPI definition with its
 * group-version-kind (data/kube-openapi.json), every stored kind reaches only defined
 * schemas; registry_builtin.c's defaults of Deployments, StatefulSets, DaemonSets, Jobs
 * and CronJobs as the 1.30 defaulting functions set them, and which kinds have a scale
 * subresource.
 */
#include "t.h"

#include "core/embed.h"
#include "kube/kube.h"
#include "kube/registry_impl.h"
#include "kube/schema.h"
#include "kube/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *openapi;

/* Every $ref under v names a definition. */
static int refs_defined(const json_t *defs, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) if (!refs_defined(defs, x)) return 0;
		return 1;
	}
	if (!json_is_object(v))
		return 1;
	json_object_foreach((json_t *)v, k, x)
	{
		const char *ref = json_string_value(x);
		/* a "$ref" that is no string is a field of that name (JSONSchemaProps has one) */
		if (strcmp(k, "$ref") == 0 && json_is_string(x)) {
			if (!ref || strncmp(ref, "#/definitions/", 14) != 0 ||
			    !json_object_get(defs, ref + 14)) {
				fprintf(stderr, "undefined ref %s\n", ref ? ref : "(null)");
				return 0;
			}
		} else if (!refs_defined(defs, x)) {
			return 0;
		}
	}
	return 1;
}

static void test_every_kind_described(void)
{
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	const json_t *kinds = json_object_get(openapi, "kinds");
	const json_t *defs = json_object_get(openapi, "definitions");
	CHECK(n >= 55);
	CHECK(json_object_size(defs) > 300);
	for (size_t i = 0; i < n; i++) {
		char key[300];
		snprintf(key, sizeof(key), "%s/%s/%s", rs[i].group, rs[i].version, rs[i].kind);
		const char *name = json_string_value(json_object_get(kinds, key));
		const json_t *d = name ? json_object_get(defs, name) : NULL;
		const json_t *gvk =
			json_array_get(json_object_get(d, "x-kubernetes-group-version-kind"), 0);
		if (!d)
			fprintf(stderr, "no OpenAPI definition for %s\n", key);
		CHECK(d != NULL);
		CHECK(gvk &&
		      strcmp(json_string_value(json_object_get(gvk, "kind")), rs[i].kind) == 0);
		if (rs[i].stored && !schema_type_of(rs[i].group, rs[i].version, rs[i].kind))
			fprintf(stderr, "no schema type for %s\n", key);
		CHECK(!rs[i].stored || schema_type_of(rs[i].group, rs[i].version, rs[i].kind));
	}
	CHECK(refs_defined(defs, defs));
	CHECK_STR(json_string_value(json_object_get(kinds, "apps/v1/Deployment")),
		  "io.k8s.api.apps.v1.Deployment");
	const json_t *spec = json_object_get(defs, "io.k8s.api.apps.v1.DeploymentSpec");
	CHECK_STR(json_string_value(json_array_get(json_object_get(spec, "required"), 0)),
		  "selector");
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(json_object_get(spec, "properties"), "paused"),
			  "description")),
		  "Indicates that the deployment is paused.");
}

static json_t *defaulted(const char *group, const char *resource, const char *text)
{
	const struct kube_resource *res = kube_resource_find(group, "", resource);
	json_t *obj = json_loads(text, 0, NULL);
	CHECK(res != NULL && obj != NULL);
	if (res && obj)
		CHECK_EQ_INT(reg_builtin_defaults(res, obj), 0);
	return obj;
}

static const char *s(const json_t *o, const char *path)
{
	const json_t *v = kube_json_path(o, path);
	return json_is_string(v) ? json_string_value(v) : "";
}

static long long i_(const json_t *o, const char *path)
{
	return (long long)json_integer_value(kube_json_path(o, path));
}

static void test_defaults(void)
{
	const char *tmpl = "\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":"
			   "\"nginx:1.27\"}]}}";
	char text[512];
	snprintf(text, sizeof(text), "{\"spec\":{%s}}", tmpl);
	json_t *d = defaulted("apps", "deployments", text);
	CHECK_EQ_INT(i_(d, "spec.replicas"), 1);
	CHECK_STR(s(d, "spec.strategy.type"), "RollingUpdate");
	CHECK_STR(s(d, "spec.strategy.rollingUpdate.maxSurge"), "25%");
	CHECK_EQ_INT(i_(d, "spec.progressDeadlineSeconds"), 600);
	CHECK_STR(s(d, "spec.template.spec.dnsPolicy"), "ClusterFirst");
	CHECK_STR(json_string_value(json_object_get(
			  json_array_get(kube_json_path(d, "spec.template.spec.containers"), 0),
			  "imagePullPolicy")),
		  "IfNotPresent");
	json_decref(d);

	/* a Recreate strategy gets no rollingUpdate */
	d = defaulted("apps", "deployments", "{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}");
	CHECK(kube_json_path(d, "spec.strategy.rollingUpdate") == NULL);
	json_decref(d);

	d = defaulted("apps", "statefulsets", text);
	CHECK_STR(s(d, "spec.podManagementPolicy"), "OrderedReady");
	CHECK_EQ_INT(i_(d, "spec.updateStrategy.rollingUpdate.partition"), 0);
	CHECK_STR(s(d, "spec.persistentVolumeClaimRetentionPolicy.whenScaled"), "Retain");
	json_decref(d);

	d = defaulted("apps", "daemonsets", text);
	CHECK_EQ_INT(i_(d, "spec.updateStrategy.rollingUpdate.maxUnavailable"), 1);
	CHECK_EQ_INT(i_(d, "spec.revisionHistoryLimit"), 10);
	json_decref(d);

	d = defaulted("batch", "jobs", "{\"spec\":{\"parallelism\":3}}");
	CHECK(kube_json_path(d, "spec.completions") == NULL); /* only when parallelism is 1 */
	CHECK_EQ_INT(i_(d, "spec.backoffLimit"), 6);
	json_decref(d);

	d = defaulted("batch", "cronjobs",
		      "{\"spec\":{\"schedule\":\"@daily\",\"jobTemplate\":{\"spec\":{}}}}");
	CHECK_STR(s(d, "spec.concurrencyPolicy"), "Allow");
	CHECK_EQ_INT(i_(d, "spec.jobTemplate.spec.completions"), 1);
	json_decref(d);

	/* kinds without defaulting are left alone */
	d = defaulted("coordination.k8s.io", "leases", "{\"spec\":{\"holderIdentity\":\"me\"}}");
	CHECK_EQ_INT(json_object_size(json_object_get(d, "spec")), 1);
	json_decref(d);
}

static char *spec_of(const char *version, const char *spec)
{
	const struct kube_resource *res =
		kube_resource_find("autoscaling", version, "horizontalpodautoscalers");
	char text[1024];
	snprintf(text, sizeof(text), "{\"spec\":%s}", spec);
	json_t *obj = json_loads(text, 0, NULL);
	CHECK(res != NULL && obj != NULL);
	if (res && obj)
		CHECK_EQ_INT(reg_builtin_defaults(res, obj), 0);
	char *out = json_dumps(json_object_get(obj, "spec"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	return out;
}

#define REF "\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\"}"
#define CPU80                                                                             \
	"\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{"    \
	"\"type\":\"Utilization\",\"averageUtilization\":80}}}]"

/* pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler (1.30), in
 * HorizontalPodAutoscalerSpec's field order; autoscaling/v1's minReplicas. */
static void test_hpa_defaults(void)
{
	char *o = spec_of("v2", "{" REF ",\"maxReplicas\":5}");
	CHECK_STR(o, "{" REF ",\"minReplicas\":1,\"maxReplicas\":5," CPU80 "}");
	free(o);
	/* metrics given (or minReplicas) are kept; an empty list is defaulted */
	o = spec_of("v2", "{\"maxReplicas\":5,\"minReplicas\":2,\"metrics\":[{\"type\":\"Pods\"}]}");
	CHECK_STR(o, "{\"minReplicas\":2,\"maxReplicas\":5,\"metrics\":[{\"type\":\"Pods\"}]}");
	free(o);
	o = spec_of("v2", "{\"maxReplicas\":5,\"metrics\":[]}");
	CHECK_STR(o, "{\"minReplicas\":1,\"maxReplicas\":5," CPU80 "}");
	free(o);
	/* a behavior given gets both rules, the fields given kept */
	o = spec_of("v2", "{\"maxReplicas\":5,\"behavior\":{\"scaleDown\":{"
			  "\"stabilizationWindowSeconds\":60}}}");
	CHECK_STR(o, "{\"minReplicas\":1,\"maxReplicas\":5," CPU80 ",\"behavior\":{\"scaleUp\":{"
		     "\"stabilizationWindowSeconds\":0,\"selectPolicy\":\"Max\",\"policies\":[{"
		     "\"type\":\"Pods\",\"value\":4,\"periodSeconds\":15},{\"type\":\"Percent\","
		     "\"value\":100,\"periodSeconds\":15}]},\"scaleDown\":{"
		     "\"stabilizationWindowSeconds\":60,\"selectPolicy\":\"Max\",\"policies\":[{"
		     "\"type\":\"Percent\",\"value\":100,\"periodSeconds\":15}]}}}");
	free(o);
	o = spec_of("v2", "{\"maxReplicas\":5,\"behavior\":{\"scaleUp\":{\"selectPolicy\":"
			  "\"Disabled\",\"policies\":[]}}}");
	CHECK_STR(o, "{\"minReplicas\":1,\"maxReplicas\":5," CPU80 ",\"behavior\":{\"scaleUp\":{"
		     "\"stabilizationWindowSeconds\":0,\"selectPolicy\":\"Disabled\",\"policies\":[]},"
		     "\"scaleDown\":{\"selectPolicy\":\"Max\",\"policies\":[{\"type\":\"Percent\","
		     "\"value\":100,\"periodSeconds\":15}]}}}");
	free(o);
	/* no behavior: none made */
	o = spec_of("v2", "{\"maxReplicas\":5,\"minReplicas\":3," CPU80 "}");
	CHECK_STR(o, "{\"minReplicas\":3,\"maxReplicas\":5," CPU80 "}");
	free(o);
	/* autoscaling/v1: minReplicas alone */
	o = spec_of("v1", "{" REF ",\"maxReplicas\":5}");
	CHECK_STR(o, "{" REF ",\"minReplicas\":1,\"maxReplicas\":5}");
	free(o);
}

static void test_scale_kinds(void)
{
	CHECK(reg_has_scale(kube_resource_find("apps", "v1", "deployments")));
	CHECK(reg_has_scale(kube_resource_find("apps", "v1", "statefulsets")));
	CHECK(reg_has_scale(kube_resource_find("apps", "v1", "replicasets")));
	CHECK(reg_has_scale(kube_resource_find("", "v1", "replicationcontrollers")));
	CHECK(!reg_has_scale(kube_resource_find("apps", "v1", "daemonsets")));
	CHECK(!reg_has_scale(kube_resource_find("", "v1", "pods")));
}

int main(void)
{
	openapi = json_loadb(embed_kube_openapi_json, EMBED_LEN(kube_openapi_json), 0, NULL);
	CHECK(openapi != NULL);
	RUN(test_every_kind_described);
	RUN(test_defaults);
	RUN(test_hpa_defaults);
	RUN(test_scale_kinds);
	json_decref(openapi);
	return t_done();
}
