/*
 * convert.c - the storage version of a kind served in several versions, and the
 * conversion of its objects between them (convert.h): HorizontalPodAutoscaler's
 * autoscaling/v1 <-> autoscaling/v2, as k8s.io/kubernetes
 * pkg/apis/autoscaling/v1/conversion.go (1.30) converts through the internal type,
 * with its round-trip annotations (pkg/apis/autoscaling/annotations.go):
 *   autoscaling.alpha.kubernetes.io/metrics          the metrics v1 cannot express,
 *                                                    as autoscaling/v1 MetricSpecs
 *   autoscaling.alpha.kubernetes.io/current-metrics  status.currentMetrics (v1 form)
 *   autoscaling.alpha.kubernetes.io/behavior         spec.behavior, as Go encodes the
 *                                                    internal type (field names as in Go)
 *   autoscaling.alpha.kubernetes.io/conditions       status.conditions
 * Values come from clients: a member of the wrong type is treated as absent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dbuf.h"
#include "kube/convert.h"
#include "kube/crdserve.h"
#include "kube/util.h"

#define ANN_METRICS "autoscaling.alpha.kubernetes.io/metrics"
#define ANN_CURRENT "autoscaling.alpha.kubernetes.io/current-metrics"
#define ANN_BEHAVIOR "autoscaling.alpha.kubernetes.io/behavior"
#define ANN_CONDITIONS "autoscaling.alpha.kubernetes.io/conditions"
#define DEFAULT_CPU_UTILIZATION 80 /* autoscaling.DefaultCPUUtilization */

static const char *const round_trip[] = {ANN_METRICS, ANN_CURRENT, ANN_BEHAVIOR, ANN_CONDITIONS};

const struct kube_resource *convert_storage_of(const struct kube_resource *res)
{
	size_t n;
	const struct kube_resource *t = kube_builtin_resources(&n);
	if (!res || res < t || res >= t + n) {
		/* a custom resource: its CRD's storage version */
		const struct kube_resource *st = res ? crd_storage_of(res) : NULL;
		return st ? st : res;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].group, res->group) == 0 &&
		    strcmp(t[i].resource, res->resource) == 0)
			return &t[i];
	return res;
}

int convert_needed(const struct kube_resource *res)
{
	return convert_storage_of(res) != res;
}

/* --- small JSON helpers --- */

/* dst[k] = a deep copy of v, when v is not NULL. */
static void put(json_t *dst, const char *k, const json_t *v)
{
	if (v && !json_is_null(v))
		json_object_set_new(dst, k, json_deep_copy(v));
}

/* dst[k] = v (taken), when v is not NULL. */
static void put_new(json_t *dst, const char *k, json_t *v)
{
	if (v)
		json_object_set_new(dst, k, v);
}

static const json_t *get(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_null(v) ? NULL : v;
}

/* A Quantity that Go encodes even when zero: v, else "0". */
static void put_qty(json_t *dst, const char *k, const json_t *v)
{
	if (json_is_string(v))
		put(dst, k, v);
	else
		json_object_set_new(dst, k, json_string("0"));
}

/* {"name":..., "selector":...} of autoscaling/v2 MetricIdentifier. */
static json_t *identifier(const json_t *name, const json_t *selector)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "name",
			    json_string(json_is_string(name) ? json_string_value(name) : ""));
	put(o, "selector", selector);
	return o;
}

/* autoscaling/v2 MetricTarget: type, value, averageValue, averageUtilization. */
static json_t *target(const char *type, const json_t *value, const json_t *avg, const json_t *util)
{
	json_t *o = json_pack("{s:s}", "type", type);
	if (!o)
		return NULL;
	put(o, "value", value);
	put(o, "averageValue", avg);
	put(o, "averageUtilization", util);
	return o;
}

/* The member of a MetricSpec or MetricStatus that its type names (the same in v1 and
 * v2), or NULL for a type neither version has. */
static const char *metric_key(const char *type)
{
	static const char *const map[][2] = {{"Resource", "resource"},
					     {"ContainerResource", "containerResource"},
					     {"Pods", "pods"},
					     {"Object", "object"},
					     {"External", "external"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(type, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* {"type": T, KEY: s} (s taken; without s when it is NULL). NULL when out of memory. */
static json_t *metric(const char *type, const char *key, json_t *s)
{
	json_t *out = json_pack("{s:s}", "type", type);
	if (out && key && s)
		json_object_set_new(out, key, s);
	else
		json_decref(s);
	return out;
}

/* --- metrics: autoscaling/v2 -> autoscaling/v1 --- */

static json_t *spec_metric_to_v1(const json_t *m)
{
	const char *type = kube_jstr(m, "type"), *key = metric_key(type);
	const json_t *src = key ? get(m, key) : NULL, *t = get(src, "target");
	const json_t *id = get(src, "metric");
	json_t *s = key ? json_object() : NULL;
	if (!s)
		return metric(type, NULL, NULL);
	if (strcmp(type, "Resource") == 0 || strcmp(type, "ContainerResource") == 0) {
		put(s, "name", get(src, "name"));
		put(s, "targetAverageUtilization", get(t, "averageUtilization"));
		put(s, "targetAverageValue", get(t, "averageValue"));
		put(s, "container", get(src, "container"));
	} else if (strcmp(type, "Pods") == 0) {
		put(s, "metricName", get(id, "name"));
		put_qty(s, "targetAverageValue", get(t, "averageValue"));
		put(s, "selector", get(id, "selector"));
	} else if (strcmp(type, "Object") == 0) {
		put(s, "target", get(src, "describedObject"));
		put(s, "metricName", get(id, "name"));
		put_qty(s, "targetValue", get(t, "value"));
		put(s, "selector", get(id, "selector"));
		put(s, "averageValue", get(t, "averageValue"));
	} else { /* External */
		put(s, "metricName", get(id, "name"));
		put(s, "metricSelector", get(id, "selector"));
		put(s, "targetValue", get(t, "value"));
		put(s, "targetAverageValue", get(t, "averageValue"));
	}
	return metric(type, key, s);
}

static json_t *status_metric_to_v1(const json_t *m)
{
	const char *type = kube_jstr(m, "type"), *key = metric_key(type);
	const json_t *src = key ? get(m, key) : NULL, *c = get(src, "current");
	const json_t *id = get(src, "metric");
	json_t *s = key ? json_object() : NULL;
	if (!s)
		return metric(type, NULL, NULL);
	if (strcmp(type, "Resource") == 0 || strcmp(type, "ContainerResource") == 0) {
		put(s, "name", get(src, "name"));
		put(s, "currentAverageUtilization", get(c, "averageUtilization"));
		put_qty(s, "currentAverageValue", get(c, "averageValue"));
		put(s, "container", get(src, "container"));
	} else if (strcmp(type, "Pods") == 0) {
		put(s, "metricName", get(id, "name"));
		put_qty(s, "currentAverageValue", get(c, "averageValue"));
		put(s, "selector", get(id, "selector"));
	} else if (strcmp(type, "Object") == 0) {
		put(s, "target", get(src, "describedObject"));
		put(s, "metricName", get(id, "name"));
		put_qty(s, "currentValue", get(c, "value"));
		put(s, "selector", get(id, "selector"));
		put(s, "averageValue", get(c, "averageValue"));
	} else { /* External */
		put(s, "metricName", get(id, "name"));
		put(s, "metricSelector", get(id, "selector"));
		put_qty(s, "currentValue", get(c, "value"));
		put(s, "currentAverageValue", get(c, "averageValue"));
	}
	return metric(type, key, s);
}

/* --- metrics: autoscaling/v1 -> autoscaling/v2 --- */

static json_t *spec_metric_to_v2(const json_t *m)
{
	const char *type = kube_jstr(m, "type"), *key = metric_key(type);
	const json_t *src = key ? get(m, key) : NULL;
	json_t *s = key ? json_object() : NULL;
	if (!s)
		return metric(type, NULL, NULL);
	if (strcmp(type, "Resource") == 0 || strcmp(type, "ContainerResource") == 0) {
		const json_t *u = get(src, "targetAverageUtilization");
		put(s, "name", get(src, "name"));
		put_new(s, "target",
			target(u ? "Utilization" : "AverageValue", NULL,
			       get(src, "targetAverageValue"), u));
		put(s, "container", get(src, "container"));
	} else if (strcmp(type, "Pods") == 0) {
		put_new(s, "metric", identifier(get(src, "metricName"), get(src, "selector")));
		put_new(s, "target",
			target("AverageValue", NULL, get(src, "targetAverageValue"), NULL));
	} else if (strcmp(type, "Object") == 0) {
		const json_t *avg = get(src, "averageValue");
		put(s, "describedObject", get(src, "target"));
		put_new(s, "target",
			target(avg ? "AverageValue" : "Value", get(src, "targetValue"), avg, NULL));
		put_new(s, "metric", identifier(get(src, "metricName"), get(src, "selector")));
	} else { /* External */
		const json_t *v = get(src, "targetValue");
		put_new(s, "metric",
			identifier(get(src, "metricName"), get(src, "metricSelector")));
		put_new(s, "target",
			target(v ? "Value" : "AverageValue", v, get(src, "targetAverageValue"),
			       NULL));
	}
	return metric(type, key, s);
}

/* autoscaling/v2 MetricValueStatus: value, averageValue, averageUtilization. */
static json_t *current(const json_t *value, const json_t *avg, const json_t *util)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "value", value);
	put(o, "averageValue", avg);
	put(o, "averageUtilization", util);
	return o;
}

static json_t *status_metric_to_v2(const json_t *m)
{
	const char *type = kube_jstr(m, "type"), *key = metric_key(type);
	const json_t *src = key ? get(m, key) : NULL;
	json_t *s = key ? json_object() : NULL;
	if (!s)
		return metric(type, NULL, NULL);
	if (strcmp(type, "Resource") == 0 || strcmp(type, "ContainerResource") == 0) {
		put(s, "name", get(src, "name"));
		put_new(s, "current",
			current(NULL, get(src, "currentAverageValue"),
				get(src, "currentAverageUtilization")));
		put(s, "container", get(src, "container"));
	} else if (strcmp(type, "Pods") == 0) {
		put_new(s, "metric", identifier(get(src, "metricName"), get(src, "selector")));
		put_new(s, "current", current(NULL, get(src, "currentAverageValue"), NULL));
	} else if (strcmp(type, "Object") == 0) {
		put_new(s, "metric", identifier(get(src, "metricName"), get(src, "selector")));
		put_new(s, "current",
			current(get(src, "currentValue"), get(src, "averageValue"), NULL));
		put(s, "describedObject", get(src, "target"));
	} else { /* External */
		put_new(s, "metric",
			identifier(get(src, "metricName"), get(src, "metricSelector")));
		put_new(s, "current",
			current(get(src, "currentValue"), get(src, "currentAverageValue"), NULL));
	}
	return metric(type, key, s);
}

/* --- behavior: autoscaling/v2 <-> the internal type as Go's encoding/json writes it --- */

static json_t *rules_to_internal(const json_t *r)
{
	if (!json_is_object(r))
		return json_null();
	const json_t *w = get(r, "stabilizationWindowSeconds"), *sp = get(r, "selectPolicy");
	const json_t *pol = get(r, "policies"), *p;
	json_t *o = json_object(), *a = json_is_array(pol) ? json_array() : json_null();
	size_t i;
	json_array_foreach(pol, i, p)
	{
		json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "Type", kube_jstr(p, "type"),
						   "Value", json_integer_value(get(p, "value")),
						   "PeriodSeconds",
						   json_integer_value(get(p, "periodSeconds"))));
	}
	json_object_set_new(o, "StabilizationWindowSeconds", w ? json_deep_copy(w) : json_null());
	json_object_set_new(o, "SelectPolicy", sp ? json_deep_copy(sp) : json_null());
	json_object_set_new(o, "Policies", a);
	return o;
}

/* Go's encoding/json matches field names without regard to case. */
static const json_t *get_fold(const json_t *o, const char *k)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
	{
		if (strcasecmp(key, k) == 0)
			return json_is_null(v) ? NULL : v;
	}
	return NULL;
}

static json_t *rules_from_internal(const json_t *r)
{
	if (!json_is_object(r))
		return NULL;
	json_t *o = json_object();
	put(o, "stabilizationWindowSeconds", get_fold(r, "StabilizationWindowSeconds"));
	put(o, "selectPolicy", get_fold(r, "SelectPolicy"));
	const json_t *pol = get_fold(r, "Policies"), *p;
	size_t i;
	if (json_is_array(pol)) {
		json_t *a = json_array();
		json_array_foreach(pol, i, p)
		{
			json_t *e = json_object();
			put(e, "type", get_fold(p, "Type"));
			put(e, "value", get_fold(p, "Value"));
			put(e, "periodSeconds", get_fold(p, "PeriodSeconds"));
			json_array_append_new(a, e);
		}
		json_object_set_new(o, "policies", a);
	}
	return o;
}

/* --- the objects --- */

/* A copy of obj's metadata without the round-trip annotations (dropping "annotations"
 * when none is left, as DropRoundTripHorizontalPodAutoscalerAnnotations does). */
static json_t *meta_without_round_trip(const json_t *obj)
{
	const json_t *m = get(obj, "metadata");
	json_t *md = json_is_object(m) ? json_deep_copy(m) : json_object();
	json_t *ann = json_object_get(md, "annotations");
	if (json_is_object(ann)) {
		for (size_t i = 0; i < sizeof(round_trip) / sizeof(round_trip[0]); i++)
			json_object_del(ann, round_trip[i]);
		if (!json_object_size(ann))
			json_object_del(md, "annotations");
	}
	return md;
}

static void annotate(json_t *md, const char *key, json_t *value)
{
	char *s = value ? json_dumps(value, JSON_COMPACT) : NULL;
	json_decref(value);
	if (!s || !md)
		goto out;
	json_t *ann = json_object_get(md, "annotations");
	if (!json_is_object(ann)) {
		ann = json_object();
		json_object_set_new(md, "annotations", ann);
	}
	json_object_set_new(ann, key, json_string(s));
out:
	free(s);
}

static int is_cpu_utilization(const json_t *m, const char *field)
{
	const json_t *r = get(m, "resource");
	return strcmp(kube_jstr(m, "type"), "Resource") == 0 && r &&
	       strcmp(kube_jstr(r, "name"), "cpu") == 0 &&
	       get(get(r, field), "averageUtilization") != NULL;
}

static void spec_to_v1(const json_t *in, json_t *out, json_t *md)
{
	json_t *spec = json_object(), *others = json_array();
	const json_t *s = get(in, "spec"), *m;
	size_t i;
	put(spec, "scaleTargetRef", get(s, "scaleTargetRef"));
	put(spec, "minReplicas", get(s, "minReplicas"));
	json_object_set_new(spec, "maxReplicas",
			    json_integer(json_integer_value(get(s, "maxReplicas"))));
	int have_cpu = 0;
	json_array_foreach(get(s, "metrics"), i, m)
	{
		if (is_cpu_utilization(m, "target")) {
			if (!have_cpu++)
				put(spec, "targetCPUUtilizationPercentage",
				    get(get(get(m, "resource"), "target"), "averageUtilization"));
			continue;
		}
		json_array_append_new(others, spec_metric_to_v1(m));
	}
	json_object_set_new(out, "spec", spec);
	if (json_array_size(others))
		annotate(md, ANN_METRICS, others);
	else
		json_decref(others);
	const json_t *b = get(s, "behavior");
	if (json_is_object(b))
		annotate(md, ANN_BEHAVIOR,
			 json_pack("{s:o, s:o}", "ScaleUp", rules_to_internal(get(b, "scaleUp")),
				   "ScaleDown", rules_to_internal(get(b, "scaleDown"))));
}

static void status_to_v1(const json_t *in, json_t *out, json_t *md)
{
	json_t *st = json_object(), *cur = json_array();
	const json_t *s = get(in, "status"), *m;
	size_t i;
	put(st, "observedGeneration", get(s, "observedGeneration"));
	put(st, "lastScaleTime", get(s, "lastScaleTime"));
	json_object_set_new(st, "currentReplicas",
			    json_integer(json_integer_value(get(s, "currentReplicas"))));
	json_object_set_new(st, "desiredReplicas",
			    json_integer(json_integer_value(get(s, "desiredReplicas"))));
	json_array_foreach(get(s, "currentMetrics"), i, m)
	{
		if (is_cpu_utilization(m, "current"))
			put(st, "currentCPUUtilizationPercentage",
			    get(get(get(m, "resource"), "current"), "averageUtilization"));
		json_array_append_new(cur, status_metric_to_v1(m));
	}
	json_object_set_new(out, "status", st);
	if (json_array_size(cur))
		annotate(md, ANN_CURRENT, cur);
	else
		json_decref(cur);
	const json_t *c = get(s, "conditions");
	if (json_array_size(c))
		annotate(md, ANN_CONDITIONS, json_deep_copy(c));
}

json_t *convert_hpa_to_v1(const json_t *v2)
{
	json_t *md = meta_without_round_trip(v2);
	json_t *out = json_pack("{s:s, s:s, s:o}", "kind", "HorizontalPodAutoscaler", "apiVersion",
				"autoscaling/v1", "metadata", md);
	if (!out)
		return NULL;
	spec_to_v1(v2, out, md);
	status_to_v1(v2, out, md);
	return out;
}

/* The annotation key of md as parsed JSON (new reference), NULL when absent or not
 * JSON (conversion.go ignores what does not decode). */
static json_t *annotation_json(const json_t *md, const char *key)
{
	const char *s = kube_jstr(get(md, "annotations"), key);
	return *s ? json_loads(s, 0, NULL) : NULL;
}

static void spec_to_v2(const json_t *in, json_t *out, const json_t *md)
{
	json_t *spec = json_object(), *metrics = json_array();
	const json_t *s = get(in, "spec"), *m;
	size_t i;
	put(spec, "scaleTargetRef", get(s, "scaleTargetRef"));
	put(spec, "minReplicas", get(s, "minReplicas"));
	put(spec, "maxReplicas", get(s, "maxReplicas"));
	json_t *others = annotation_json(md, ANN_METRICS);
	json_array_foreach(json_is_array(others) ? others : NULL, i, m)
		json_array_append_new(metrics, spec_metric_to_v2(m));
	json_decref(others);
	const json_t *cpu = get(s, "targetCPUUtilizationPercentage");
	if (cpu || !json_array_size(metrics)) {
		/* the explicit CPU target, or the default the v1 controller once applied */
		json_t *u = cpu ? json_deep_copy(cpu) : json_integer(DEFAULT_CPU_UTILIZATION);
		json_array_append_new(metrics, json_pack("{s:s, s:{s:s, s:o}}", "type", "Resource",
							 "resource", "name", "cpu", "target",
							 target("Utilization", NULL, NULL, u)));
		json_decref(u);
	}
	json_object_set_new(spec, "metrics", metrics);
	json_t *b = annotation_json(md, ANN_BEHAVIOR);
	json_t *up = rules_from_internal(get_fold(b, "ScaleUp"));
	json_t *down = rules_from_internal(get_fold(b, "ScaleDown"));
	if (up || down)
		json_object_set_new(spec, "behavior",
				    json_pack("{s:o*, s:o*}", "scaleUp", up, "scaleDown", down));
	json_decref(b);
	json_object_set_new(out, "spec", spec);
}

int convert_hpa_v2_status(json_t *obj)
{
	if (strcmp(kube_jstr(obj, "apiVersion"), "autoscaling/v2") != 0)
		return 0;
	const json_t *s = get(obj, "status");
	json_t *st = json_object();
	if (!st)
		return -ENOMEM;
	put(st, "observedGeneration", get(s, "observedGeneration"));
	put(st, "lastScaleTime", get(s, "lastScaleTime"));
	json_int_t cur = json_integer_value(get(s, "currentReplicas"));
	if (cur)
		json_object_set_new(st, "currentReplicas", json_integer(cur));
	json_object_set_new(st, "desiredReplicas",
			    json_integer(json_integer_value(get(s, "desiredReplicas"))));
	const json_t *m = get(s, "currentMetrics");
	json_object_set_new(st, "currentMetrics",
			    json_array_size(m) ? json_deep_copy(m) : json_null());
	const json_t *c = get(s, "conditions");
	if (json_array_size(c))
		json_object_set_new(st, "conditions", json_deep_copy(c));
	/* desiredReplicas and currentMetrics are always set: fewer members is a failed set */
	if (json_object_size(st) < 2) {
		json_decref(st);
		return -ENOMEM;
	}
	return json_object_set_new(obj, "status", st) ? -ENOMEM : 0;
}

/* obj's status is already what convert_hpa_v2_status makes (its members, not their
 * order): desiredReplicas a number, currentMetrics null or a list with items,
 * currentReplicas absent or not 0, conditions absent or not empty. */
static int hpa_v2_status_encoded(const json_t *obj)
{
	const json_t *s = get(obj, "status"), *m = json_object_get(s, "currentMetrics");
	const json_t *cur = get(s, "currentReplicas"), *c = get(s, "conditions");
	return json_is_object(s) && json_is_integer(get(s, "desiredReplicas")) && m &&
	       (json_is_null(m) || json_array_size(m)) && (!cur || json_integer_value(cur)) &&
	       (!c || json_array_size(c));
}

static void status_to_v2(const json_t *in, json_t *out, const json_t *md)
{
	json_t *st = json_object();
	const json_t *s = get(in, "status"), *m;
	size_t i;
	put(st, "observedGeneration", get(s, "observedGeneration"));
	put(st, "lastScaleTime", get(s, "lastScaleTime"));
	put(st, "currentReplicas", get(s, "currentReplicas"));
	json_object_set_new(st, "desiredReplicas",
			    json_integer(json_integer_value(get(s, "desiredReplicas"))));
	json_t *cur = annotation_json(md, ANN_CURRENT);
	if (json_is_array(cur)) {
		/* the annotation has more than currentCPUUtilizationPercentage */
		json_t *a = json_array();
		json_array_foreach(cur, i, m) json_array_append_new(a, status_metric_to_v2(m));
		json_object_set_new(st, "currentMetrics", a);
	} else if (get(s, "currentCPUUtilizationPercentage")) {
		json_object_set_new(
			st, "currentMetrics",
			json_pack("[{s:s, s:{s:s, s:o}}]", "type", "Resource", "resource", "name",
				  "cpu", "current",
				  current(NULL, NULL, get(s, "currentCPUUtilizationPercentage"))));
	}
	json_decref(cur);
	json_t *c = annotation_json(md, ANN_CONDITIONS);
	if (json_is_array(c))
		json_object_set_new(st, "conditions", c);
	else
		json_decref(c);
	json_object_set_new(out, "status", st);
}

json_t *convert_hpa_to_v2(const json_t *v1)
{
	const json_t *m = get(v1, "metadata");
	json_t *out = json_pack("{s:s, s:s, s:o}", "kind", "HorizontalPodAutoscaler", "apiVersion",
				"autoscaling/v2", "metadata", meta_without_round_trip(v1));
	if (!out)
		return NULL;
	spec_to_v2(v1, out, m);
	status_to_v2(v1, out, m);
	if (convert_hpa_v2_status(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *convert_to(const json_t *obj, const struct kube_resource *res)
{
	char av[200];
	if ((res->group[0] ? SFMT(av, "%s/%s", res->group, res->version)
			   : SFMT(av, "%s", res->version)) < 0)
		return NULL;
	const char *have = kube_jstr(obj, "apiVersion");
	int hpa = strcmp(res->group, "autoscaling") == 0 &&
		  strcmp(res->resource, "horizontalpodautoscalers") == 0;
	if (!*have || strcmp(have, av) == 0) {
		if (!hpa || strcmp(have, "autoscaling/v2") != 0 || hpa_v2_status_encoded(obj))
			return json_incref((json_t *)obj);
		/* stored before its status was encoded as kube-apiserver's (an older data
		 * directory): answered as it would be now */
		json_t *o = json_deep_copy(obj);
		if (!o || convert_hpa_v2_status(o)) {
			json_decref(o);
			return NULL;
		}
		return o;
	}
	if (hpa) {
		if (strcmp(av, "autoscaling/v1") == 0 && strcmp(have, "autoscaling/v2") == 0)
			return convert_hpa_to_v1(obj);
		if (strcmp(av, "autoscaling/v2") == 0 && strcmp(have, "autoscaling/v1") == 0)
			return convert_hpa_to_v2(obj);
	}
	/* no conversion of its own: the same fields under the other apiVersion */
	json_t *o = json_deep_copy(obj);
	if (o && json_object_set_new(o, "apiVersion", json_string(av))) {
		json_decref(o);
		return NULL;
	}
	return o;
}
