/*
 * test_convert.c - the versions of a kind (kube/convert.c): HorizontalPodAutoscaler's
 * storage version and its autoscaling/v2 <-> autoscaling/v1 conversion, as
 * k8s.io/kubernetes pkg/apis/autoscaling/v1/conversion.go (1.30) does it: the CPU
 * utilization target, the round-trip annotations autoscaling.alpha.kubernetes.io/
 * {metrics,current-metrics,behavior,conditions}, the default CPU metric of a v1 object
 * without one; and the apiVersion rewrite of a kind without its own conversion.
 */
#include <stdlib.h>
#include <string.h>

#include "kube/convert.h"
#include "kube/kube.h"
#include "t.h"

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fprintf(stderr, "bad test JSON: %s: %s\n", e.text, s);
	return j;
}

static const char *S(const json_t *v)
{
	static char *last;
	free(last);
	last = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	return last ? last : "";
}

static const char *ann(const json_t *o, const char *k)
{
	const json_t *a = json_object_get(json_object_get(o, "metadata"), "annotations");
	return json_string_value(json_object_get(a, k));
}

static void test_storage(void)
{
	const struct kube_resource *v1 =
		kube_resource_find("autoscaling", "v1", "horizontalpodautoscalers");
	const struct kube_resource *v2 =
		kube_resource_find("autoscaling", "v2", "horizontalpodautoscalers");
	const struct kube_resource *dep = kube_resource_find("apps", "v1", "deployments");
	CHECK(v1 && v2 && dep);
	if (!v1 || !v2 || !dep)
		return;
	CHECK(convert_storage_of(v1) == v2); /* v2 is stored, as upstream */
	CHECK(convert_storage_of(v2) == v2);
	CHECK(convert_needed(v1));
	CHECK(!convert_needed(v2));
	CHECK(!convert_needed(dep));
	/* the preferred version first: an unversioned lookup finds v2 */
	CHECK(kube_resource_find("autoscaling", NULL, "horizontalpodautoscalers") == v2);
}

static void test_hpa_cpu(void)
{
	/* kubectl autoscale --cpu-percent=60 (autoscaling/v1) */
	json_t *v1 =
		J("{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v1\","
		  "\"metadata\":{\"name\":\"h\"},\"spec\":{\"scaleTargetRef\":{\"kind\":"
		  "\"Deployment\",\"name\":\"web\",\"apiVersion\":\"apps/v1\"},\"maxReplicas\":"
		  "5,\"targetCPUUtilizationPercentage\":60},\"status\":{\"currentReplicas\":0,"
		  "\"desiredReplicas\":0}}");
	json_t *v2 = convert_hpa_to_v2(v1);
	CHECK_STR(S(json_object_get(v2, "spec")),
		  "{\"maxReplicas\":5,\"metrics\":[{\"resource\":{\"name\":\"cpu\",\"target\":{"
		  "\"averageUtilization\":60,\"type\":\"Utilization\"}},\"type\":\"Resource\"}],"
		  "\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":"
		  "\"web\"}}");
	CHECK_STR(json_string_value(json_object_get(v2, "apiVersion")), "autoscaling/v2");
	json_t *back = convert_hpa_to_v1(v2);
	CHECK(json_equal(back, v1)); /* a CPU target alone needs no annotation */
	json_decref(back);
	json_decref(v2);
	/* no target at all: the 80% CPU default conversion.go applies */
	json_object_del(json_object_get(v1, "spec"), "targetCPUUtilizationPercentage");
	v2 = convert_hpa_to_v2(v1);
	CHECK_STR(S(json_object_get(json_object_get(v2, "spec"), "metrics")),
		  "[{\"resource\":{\"name\":\"cpu\",\"target\":{\"averageUtilization\":80,"
		  "\"type\":\"Utilization\"}},\"type\":\"Resource\"}]");
	json_decref(v2);
	json_decref(v1);
}

static void test_hpa_round_trip(void)
{
	json_t *v2 = J(
		"{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/"
		"v2\",\"metadata\":"
		"{\"name\":\"rich\",\"annotations\":{\"keep\":\"me\"}},\"spec\":{"
		"\"scaleTargetRef\":"
		"{\"kind\":\"Deployment\",\"name\":\"web\",\"apiVersion\":\"apps/"
		"v1\"},\"minReplicas\":"
		"2,\"maxReplicas\":10,\"metrics\":[{\"type\":\"Pods\",\"pods\":{\"metric\":{"
		"\"name\":"
		"\"qps\"},\"target\":{\"type\":\"AverageValue\",\"averageValue\":\"1k\"}}},{"
		"\"type\":"
		"\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\","
		"\"averageUtilization\":70}}}],\"behavior\":{\"scaleDown\":{"
		"\"stabilizationWindowSeconds\":300,\"policies\":[{\"type\":\"Percent\",\"value\":"
		"10,"
		"\"periodSeconds\":60}]}}},\"status\":{\"currentReplicas\":3,\"desiredReplicas\":3,"
		"\"currentMetrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\","
		"\"current\":"
		"{\"averageValue\":\"120m\",\"averageUtilization\":40}}}],\"conditions\":[{"
		"\"type\":"
		"\"AbleToScale\",\"status\":\"True\",\"reason\":\"ReadyForNewScale\"}]}}");
	json_t *v1 = convert_hpa_to_v1(v2);
	CHECK_STR(S(json_object_get(v1, "spec")),
		  "{\"maxReplicas\":10,\"minReplicas\":2,\"scaleTargetRef\":{\"apiVersion\":"
		  "\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},"
		  "\"targetCPUUtilizationPercentage\":70}");
	CHECK_STR(S(json_object_get(v1, "status")),
		  "{\"currentCPUUtilizationPercentage\":40,\"currentReplicas\":3,"
		  "\"desiredReplicas\":3}");
	/* the v1 MetricSpec form (targetAverageValue), as json.Marshal writes it */
	CHECK_STR(ann(v1, "autoscaling.alpha.kubernetes.io/metrics"),
		  "[{\"type\":\"Pods\",\"pods\":{\"metricName\":\"qps\",\"targetAverageValue\":"
		  "\"1k\"}}]");
	CHECK_STR(ann(v1, "autoscaling.alpha.kubernetes.io/current-metrics"),
		  "[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\","
		  "\"currentAverageUtilization\":40,\"currentAverageValue\":\"120m\"}}]");
	/* the internal type, without JSON tags: Go's field names, nil as null */
	CHECK_STR(ann(v1, "autoscaling.alpha.kubernetes.io/behavior"),
		  "{\"ScaleUp\":null,\"ScaleDown\":{\"StabilizationWindowSeconds\":300,"
		  "\"SelectPolicy\":null,\"Policies\":[{\"Type\":\"Percent\",\"Value\":10,"
		  "\"PeriodSeconds\":60}]}}");
	CHECK_STR(
		ann(v1, "autoscaling.alpha.kubernetes.io/conditions"),
		"[{\"type\":\"AbleToScale\",\"status\":\"True\",\"reason\":\"ReadyForNewScale\"}]");
	CHECK_STR(ann(v1, "keep"), "me");
	/* and back: the other metrics first, then the CPU target (conversion.go's order),
	 * the round-trip annotations dropped */
	json_t *again = convert_hpa_to_v2(v1);
	json_t *want = json_deep_copy(v2);
	json_t *ms = json_object_get(json_object_get(want, "spec"), "metrics");
	CHECK(json_equal(json_object_get(json_object_get(again, "spec"), "metrics"), ms));
	CHECK(json_equal(json_object_get(json_object_get(again, "spec"), "behavior"),
			 json_object_get(json_object_get(v2, "spec"), "behavior")));
	CHECK(json_equal(json_object_get(again, "status"), json_object_get(v2, "status")));
	CHECK_STR(S(json_object_get(again, "metadata")), "{\"annotations\":{\"keep\":\"me\"},"
							 "\"name\":\"rich\"}");
	json_decref(want);
	json_decref(again);
	json_decref(v1);
	json_decref(v2);
}

static void test_convert_to(void)
{
	const struct kube_resource *v1 =
		kube_resource_find("autoscaling", "v1", "horizontalpodautoscalers");
	const struct kube_resource *v2 =
		kube_resource_find("autoscaling", "v2", "horizontalpodautoscalers");
	if (!v1 || !v2)
		return;
	json_t *o = J("{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v2\","
		      "\"metadata\":{\"name\":\"h\"},\"spec\":{\"maxReplicas\":3}}");
	/* stored without the status kube-apiserver would encode (an older data directory):
	 * answered with it, the stored object untouched */
	json_t *same = convert_to(o, v2);
	CHECK(same != o);
	CHECK_STR(S(json_object_get(same, "status")),
		  "{\"currentMetrics\":null,\"desiredReplicas\":0}");
	CHECK(json_object_get(o, "status") == NULL);
	json_decref(same);
	json_object_set_new(o, "status", J("{\"desiredReplicas\":0,\"currentMetrics\":null}"));
	same = convert_to(o, v2);
	CHECK(same == o); /* already in the version asked for, and encoded */
	json_decref(same);
	json_object_set_new(o, "status", J("{\"currentReplicas\":0,\"desiredReplicas\":2,"
					   "\"currentMetrics\":[],\"conditions\":[]}"));
	same = convert_to(o, v2);
	CHECK_STR(S(json_object_get(same, "status")),
		  "{\"currentMetrics\":null,\"desiredReplicas\":2}");
	json_decref(same);
	json_object_del(o, "status");
	json_t *c = convert_to(o, v1);
	CHECK_STR(json_string_value(json_object_get(c, "apiVersion")), "autoscaling/v1");
	CHECK_STR(S(json_object_get(c, "spec")), "{\"maxReplicas\":3}");
	/* a bad annotation is ignored, as conversion.go ignores what does not decode */
	json_object_set_new(json_object_get(c, "metadata"), "annotations",
			    J("{\"autoscaling.alpha.kubernetes.io/metrics\":\"[not json\"}"));
	json_t *b = convert_to(c, v2);
	CHECK_STR(S(json_object_get(b, "metadata")), "{\"name\":\"h\"}");
	json_decref(b);
	json_decref(c);
	json_decref(o);
}

int main(void)
{
	RUN(test_storage);
	RUN(test_hpa_cpu);
	RUN(test_hpa_round_trip);
	RUN(test_convert_to);
	return t_done();
}
