/*
 * test_table_kinds.c - the Table cells of DaemonSets, Jobs, CronJobs, HPAs and
 * Ingresses in the branches of printers.go (kubernetes/pkg/printers/internalversion)
 * that the e2e test does not reach: Job status and completions forms and its
 * duration, HPA metric kinds and "+ N more...", an Ingress's hosts beyond three and
 * its load balancer addresses.
 */
#include <jansson.h>

#include "kube/kube.h"
#include "kube/table.h"
#include "t.h"

/* The cells of one object's row, as compact JSON (the caller frees). */
static char *row(const char *group, const char *version, const char *resource, const char *obj)
{
	const struct kube_resource *res = kube_resource_find(group, version, resource);
	json_t *o = json_loads(obj, 0, NULL), *items = json_array(), *t;
	char *s = NULL;
	if (!res || !o || !items)
		goto out;
	json_array_append(items, o);
	/* now: 100 s after 2024-01-01T00:00:00Z */
	t = table_build(res, items, TABLE_INCLUDE_NONE, 1, "1", NULL, 0, 1704067300, 0);
	if (t)
		s = json_dumps(
			json_object_get(json_array_get(json_object_get(t, "rows"), 0), "cells"),
			JSON_COMPACT);
	json_decref(t);
out:
	json_decref(o);
	json_decref(items);
	return s;
}

#define MD "\"metadata\":{\"name\":\"x\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}"

static void check_row(const char *g, const char *v, const char *r, const char *obj,
		      const char *want)
{
	char *got = row(g, v, r, obj);
	CHECK_STR(got ? got : "(null)", want);
	free(got);
}

static void test_jobs(void)
{
	check_row("batch", "v1", "jobs", "{" MD ",\"spec\":{\"parallelism\":3}}",
		  "[\"x\",\"Running\",\"0/1 of 3\",\"\",\"100s\",\"\",\"\",\"<none>\"]");
	check_row("batch", "v1", "jobs",
		  "{" MD ",\"spec\":{\"completions\":2},\"status\":{\"succeeded\":2,"
		  "\"startTime\":\"2024-01-01T00:00:10Z\",\"completionTime\":\"2024-01-01T00:00:"
		  "40Z\","
		  "\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}}",
		  "[\"x\",\"Complete\",\"2/2\",\"30s\",\"100s\",\"\",\"\",\"<none>\"]");
	check_row("batch", "v1", "jobs",
		  "{" MD ",\"status\":{\"startTime\":\"2024-01-01T00:00:00Z\",\"conditions\":"
		  "[{\"type\":\"Suspended\",\"status\":\"True\"}]}}",
		  "[\"x\",\"Suspended\",\"0/1\",\"100s\",\"100s\",\"\",\"\",\"<none>\"]");
}

static void test_hpas(void)
{
	check_row(
		"autoscaling", "v2", "horizontalpodautoscalers",
		"{" MD ",\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"w\"},"
		"\"maxReplicas\":4,\"metrics\":["
		"{\"type\":\"Pods\",\"pods\":{\"target\":{\"averageValue\":\"1k\"}}},"
		"{\"type\":\"Object\",\"object\":{\"target\":{\"averageValue\":\"2\"}}},"
		"{\"type\":\"External\",\"external\":{\"target\":{\"value\":\"3\"}}}]},"
		"\"status\":{\"currentReplicas\":2,\"currentMetrics\":["
		"{\"type\":\"Pods\",\"pods\":{\"current\":{\"averageValue\":\"500\"}}}]}}",
		"[\"x\",\"Deployment/w\",\"500/1k, <unknown>/2 (avg) + 1 more...\",\"<unset>\",4,2,"
		"\"100s\"]");
	check_row("autoscaling", "v2", "horizontalpodautoscalers",
		  "{" MD ",\"spec\":{\"scaleTargetRef\":{\"kind\":\"StatefulSet\",\"name\":\"s\"},"
		  "\"minReplicas\":1,\"maxReplicas\":2,\"metrics\":[{\"type\":\"Resource\","
		  "\"resource\":{\"name\":\"memory\",\"target\":{\"averageValue\":\"1Gi\"}}}]}}",
		  "[\"x\",\"StatefulSet/s\",\"memory: <unknown>/1Gi\",\"1\",2,0,\"100s\"]");
}

static void test_ingresses(void)
{
	check_row(
		"networking.k8s.io", "v1", "ingresses",
		"{" MD
		",\"spec\":{\"rules\":[{\"host\":\"a\"},{\"host\":\"b\"},{},{\"host\":\"c\"},"
		"{\"host\":\"d\"}]},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.0.0."
		"1\"},"
		"{\"hostname\":\"lb.example\"}]}}}",
		"[\"x\",\"<none>\",\"a,b,c + 2 more...\",\"10.0.0.1,lb.example\",\"80\",\"100s\"]");
	check_row("networking.k8s.io", "v1", "ingresses", "{" MD ",\"spec\":{}}",
		  "[\"x\",\"<none>\",\"*\",\"\",\"80\",\"100s\"]");
}

static void test_cronjobs_daemonsets(void)
{
	check_row("batch", "v1", "cronjobs",
		  "{" MD
		  ",\"spec\":{\"schedule\":\"@daily\",\"suspend\":true},\"status\":{\"active\":"
		  "[{}],\"lastScheduleTime\":\"2024-01-01T00:01:00Z\"}}",
		  "[\"x\",\"@daily\",\"<none>\",\"True\",1,\"40s\",\"100s\",\"\",\"\",\"<none>\"]");
	check_row("apps", "v1", "daemonsets", "{" MD ",\"status\":{\"desiredNumberScheduled\":2}}",
		  "[\"x\",2,0,0,0,0,\"<none>\",\"100s\",\"\",\"\",\"<none>\"]");
}

int main(void)
{
	RUN(test_jobs);
	RUN(test_hpas);
	RUN(test_ingresses);
	RUN(test_cronjobs_daemonsets);
	return t_done();
}
