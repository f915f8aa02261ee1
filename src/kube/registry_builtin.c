/*
 * registry_builtin.c - what the registry does for the built-in workload kinds beyond the
 * generic path: their defaults, as Kubernetes 1.30's defaulting functions set them
 * (pkg/apis/apps/v1/defaults.go SetDefaults_Deployment, _StatefulSet, _DaemonSet,
 * _ReplicaSet; pkg/apis/batch/v1/defaults.go SetDefaults_Job, _CronJob;
 * pkg/apis/core/v1/defaults.go SetDefaults_PodSpec and _ReplicationController for their
 * pod templates; pkg/apis/autoscaling/v2/defaults.go for HorizontalPodAutoscalers), and
 * the scale subresource (autoscaling/v1 Scale) of Deployments,
 * ReplicaSets, StatefulSets and ReplicationControllers, as their storage's ScaleREST
 * serves it (pkg/registry/apps/deployment/storage/storage.go scaleFromDeployment).
 *
 * No controller runs: status.replicas stays what was stored (0 for a new object), as on
 * a cluster whose controllers are stopped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/store.h"
#include "kube/convert.h"
#include "kube/crdserve.h"
#include "kube/kube.h"
#include "kube/patch.h"
#include "kube/registry_impl.h"
#include "kube/selectors.h"
#include "kube/util.h"

static void set_default(json_t *o, const char *k, json_t *v)
{
	if (!v)
		return;
	if (!json_is_object(o) || json_object_get(o, k))
		json_decref(v);
	else
		json_object_set_new(o, k, v);
}

/* obj.k as an object, made when absent; NULL when obj.k is another type or no memory. */
static json_t *object_at(json_t *obj, const char *k)
{
	json_t *v = json_object_get(obj, k);
	if (v)
		return json_is_object(v) ? v : NULL;
	v = json_object();
	if (!v || json_object_set_new(obj, k, v))
		return NULL;
	return v;
}

/* SetDefaults_PodSpec and the container defaults, on a pod template's spec. */
static void template_defaults(json_t *spec)
{
	json_t *tmpl = json_object_get(spec, "template");
	json_t *ps = json_object_get(tmpl, "spec");
	if (!json_is_object(ps))
		return;
	reg_default_containers(json_object_get(ps, "containers"));
	reg_default_containers(json_object_get(ps, "initContainers"));
	set_default(ps, "restartPolicy", json_string("Always"));
	set_default(ps, "terminationGracePeriodSeconds", json_integer(30));
	set_default(ps, "dnsPolicy", json_string("ClusterFirst"));
	set_default(ps, "securityContext", json_object());
	set_default(ps, "schedulerName", json_string("default-scheduler"));
}

static void rolling(json_t *spec, const char *field, json_t *unavailable, json_t *surge)
{
	json_t *st = object_at(spec, field);
	if (!st) {
		json_decref(unavailable);
		json_decref(surge);
		return;
	}
	set_default(st, "type", json_string("RollingUpdate"));
	const char *type = json_string_value(json_object_get(st, "type"));
	if (!type || strcmp(type, "RollingUpdate") != 0) {
		json_decref(unavailable);
		json_decref(surge);
		return;
	}
	json_t *ru = object_at(st, "rollingUpdate");
	if (strcmp(field, "updateStrategy") == 0 && !unavailable) {
		set_default(ru, "partition", surge); /* StatefulSet */
		return;
	}
	set_default(ru, "maxUnavailable", unavailable);
	set_default(ru, "maxSurge", surge);
}

static void apps_defaults(const char *resource, json_t *spec)
{
	if (strcmp(resource, "deployments") == 0) {
		set_default(spec, "replicas", json_integer(1));
		rolling(spec, "strategy", json_string("25%"), json_string("25%"));
		set_default(spec, "revisionHistoryLimit", json_integer(10));
		set_default(spec, "progressDeadlineSeconds", json_integer(600));
	} else if (strcmp(resource, "statefulsets") == 0) {
		set_default(spec, "replicas", json_integer(1));
		set_default(spec, "podManagementPolicy", json_string("OrderedReady"));
		rolling(spec, "updateStrategy", NULL, json_integer(0));
		set_default(spec, "revisionHistoryLimit", json_integer(10));
		set_default(
			spec, "persistentVolumeClaimRetentionPolicy",
			json_pack("{s:s, s:s}", "whenDeleted", "Retain", "whenScaled", "Retain"));
	} else if (strcmp(resource, "daemonsets") == 0) {
		rolling(spec, "updateStrategy", json_integer(1), json_integer(0));
		set_default(spec, "revisionHistoryLimit", json_integer(10));
	} else if (strcmp(resource, "replicasets") == 0) {
		set_default(spec, "replicas", json_integer(1));
	} else {
		return;
	}
	template_defaults(spec);
}

static void job_defaults(json_t *spec)
{
	set_default(spec, "parallelism", json_integer(1));
	if (!json_object_get(spec, "completions") &&
	    json_integer_value(json_object_get(spec, "parallelism")) == 1)
		set_default(spec, "completions", json_integer(1));
	set_default(spec, "backoffLimit", json_integer(6));
	set_default(spec, "completionMode", json_string("NonIndexed"));
	set_default(spec, "suspend", json_false());
	set_default(spec, "podReplacementPolicy", json_string("TerminatingOrFailed"));
	template_defaults(spec);
}

/* HPAScalingRules as GenerateHPAScaleUpRules/GenerateHPAScaleDownRules make them: the
 * fields given (stabilizationWindowSeconds, selectPolicy, policies), the others from the
 * default rules (scale-up: no window, Max, 4 pods or 100 percent per 15 s; scale-down:
 * no window set, Max, 100 percent per 15 s). A new object in Go's field order, or NULL
 * when out of memory. */
static json_t *hpa_rules(const json_t *given, int up)
{
	const json_t *w = json_object_get(given, "stabilizationWindowSeconds");
	const json_t *sel = json_object_get(given, "selectPolicy");
	const json_t *pol = json_object_get(given, "policies");
	json_t *r = json_object();
	if (!r)
		return NULL;
	if (w && !json_is_null(w))
		json_object_set(r, "stabilizationWindowSeconds", (json_t *)w);
	else if (up)
		json_object_set_new(r, "stabilizationWindowSeconds", json_integer(0));
	if (sel && !json_is_null(sel))
		json_object_set(r, "selectPolicy", (json_t *)sel);
	else
		json_object_set_new(r, "selectPolicy", json_string("Max"));
	if (pol && !json_is_null(pol))
		json_object_set(r, "policies", (json_t *)pol);
	else if (up)
		json_object_set_new(r, "policies",
				    json_pack("[{s:s, s:i, s:i}, {s:s, s:i, s:i}]", "type", "Pods",
					      "value", 4, "periodSeconds", 15, "type", "Percent",
					      "value", 100, "periodSeconds", 15));
	else
		json_object_set_new(r, "policies",
				    json_pack("[{s:s, s:i, s:i}]", "type", "Percent", "value", 100,
					      "periodSeconds", 15));
	return r;
}

/* k8s.io/kubernetes pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler
 * (1.30): minReplicas 1; with no metrics, a CPU utilization target of 80 percent
 * (autoscaling.DefaultCPUUtilization); a behavior given has both its rules filled
 * (SetDefaults_HorizontalPodAutoscalerBehavior). autoscaling/v1 defaults minReplicas
 * alone (pkg/apis/autoscaling/v1/defaults.go). */
static void hpa_defaults(const char *version, json_t *spec)
{
	int v2 = strcmp(version, "v2") == 0;
	set_default(spec, "minReplicas", json_integer(1));
	if (v2 && json_array_size(json_object_get(spec, "metrics")) == 0) {
		json_object_set_new(
			spec, "metrics",
			json_pack("[{s:s, s:{s:s, s:{s:s, s:i}}}]", "type", "Resource", "resource",
				  "name", "cpu", "target", "type", "Utilization",
				  "averageUtilization", 80));
	}
	json_t *b = v2 ? json_object_get(spec, "behavior") : NULL;
	if (json_is_object(b)) {
		json_t *up = hpa_rules(json_object_get(b, "scaleUp"), 1);
		json_t *down = hpa_rules(json_object_get(b, "scaleDown"), 0);
		json_object_del(b, "scaleUp");
		json_object_del(b, "scaleDown");
		if (up)
			json_object_set_new(b, "scaleUp", up);
		if (down)
			json_object_set_new(b, "scaleDown", down);
	}
	/* in HorizontalPodAutoscalerSpec's field order, as kube-apiserver encodes it */
	static const char *const order[] = {"scaleTargetRef", "minReplicas", "maxReplicas",
					    "metrics", "behavior", "targetCPUUtilizationPercentage"};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		json_t *v = json_incref(json_object_get(spec, order[i]));
		if (v) {
			json_object_del(spec, order[i]);
			json_object_set_new(spec, order[i], v);
		}
	}
}

int reg_builtin_status(const struct kube_resource *res, json_t *obj)
{
	if (strcmp(res->group, "autoscaling") == 0 &&
	    strcmp(res->resource, "horizontalpodautoscalers") == 0)
		return convert_hpa_v2_status(obj);
	return 0;
}

int reg_builtin_defaults(const struct kube_resource *res, json_t *obj)
{
	if (reg_builtin_status(res, obj))
		return -ENOMEM;
	json_t *spec = json_object_get(obj, "spec");
	if (!json_is_object(spec))
		return 0;
	if (strcmp(res->group, "apps") == 0) {
		apps_defaults(res->resource, spec);
	} else if (strcmp(res->group, "batch") == 0 && strcmp(res->resource, "jobs") == 0) {
		job_defaults(spec);
	} else if (strcmp(res->group, "batch") == 0 && strcmp(res->resource, "cronjobs") == 0) {
		set_default(spec, "concurrencyPolicy", json_string("Allow"));
		set_default(spec, "suspend", json_false());
		set_default(spec, "successfulJobsHistoryLimit", json_integer(3));
		set_default(spec, "failedJobsHistoryLimit", json_integer(1));
		json_t *jt = json_object_get(spec, "jobTemplate");
		if (json_is_object(json_object_get(jt, "spec")))
			job_defaults(json_object_get(jt, "spec"));
	} else if (strcmp(res->group, "autoscaling") == 0 &&
		   strcmp(res->resource, "horizontalpodautoscalers") == 0) {
		hpa_defaults(res->version, spec);
	} else if (reg_is_core(res, "replicationcontrollers")) {
		set_default(spec, "replicas", json_integer(1));
		template_defaults(spec);
	}
	return 0;
}

/* --- scale --- */

int reg_has_scale(const struct kube_resource *res)
{
	if (crd_scale_paths(res, NULL, NULL, NULL))
		return 1; /* a custom resource whose CRD declares the scale subresource */
	if (strcmp(res->group, "apps") == 0)
		return strcmp(res->resource, "deployments") == 0 ||
		       strcmp(res->resource, "replicasets") == 0 ||
		       strcmp(res->resource, "statefulsets") == 0;
	return reg_is_core(res, "replicationcontrollers");
}

/* The value at a CRD's JSON path (".spec.replicas"), or NULL. */
static const json_t *at_path(const json_t *obj, const char *path)
{
	return path && *path == '.' ? kube_json_path(obj, path + 1) : NULL;
}

/* Sets the value at a CRD's JSON path, making the objects on the way
 * (unstructured.SetNestedField). 0, -EINVAL (not a path of objects), -ENOMEM. */
static int set_path(json_t *obj, const char *path, json_t *v)
{
	char seg[128];
	if (!path || *path != '.')
		return -EINVAL;
	for (const char *p = path + 1;;) {
		size_t l = strcspn(p, ".");
		if (!l || l >= sizeof(seg) || !json_is_object(obj))
			return -EINVAL;
		memcpy(seg, p, l);
		seg[l] = '\0';
		if (!p[l])
			return json_object_set(obj, seg, v) ? -ENOMEM : 0;
		json_t *next = json_object_get(obj, seg);
		if (!next) {
			next = json_object();
			if (!next || json_object_set_new(obj, seg, next))
				return -ENOMEM;
		}
		obj = next;
		p += l + 1;
	}
}

/* A custom resource's Scale, as scaleFromCustomResource
 * (apiextensions-apiserver pkg/registry/customresource/etcd.go): the replicas at the
 * CRD's specReplicasPath and statusReplicasPath (0 when absent), the selector string
 * at its labelSelectorPath. */
static void scale_fill_cr(const struct kube_resource *res, const json_t *obj, json_t *sc)
{
	const char *sp = "", *stp = "", *sel = "";
	crd_scale_paths(res, &sp, &stp, &sel);
	json_int_t want = json_integer_value(at_path(obj, sp));
	if (want)
		json_object_set_new(json_object_get(sc, "spec"), "replicas", json_integer(want));
	json_t *st = json_object_get(sc, "status");
	json_object_set_new(st, "replicas", json_integer(json_integer_value(at_path(obj, stp))));
	const char *s = json_string_value(at_path(obj, sel));
	if (s && *s)
		json_object_set_new(st, "selector", json_string(s));
}

/* The Scale of obj: {kind, apiVersion, metadata {name, namespace, uid, resourceVersion,
 * creationTimestamp}, spec {replicas}, status {replicas, selector}}. New reference. */
static json_t *scale_of(const struct kube_resource *res, const json_t *obj)
{
	const json_t *spec = json_object_get(obj, "spec");
	const json_t *md = json_object_get(obj, "metadata");
	json_t *sc = json_pack("{s:s, s:s, s:{}, s:{}, s:{}}", "kind", "Scale", "apiVersion",
			       "autoscaling/v1", "metadata", "spec", "status");
	if (!sc)
		return NULL;
	json_t *m = json_object_get(sc, "metadata");
	static const char *const keep[] = {
		"name", "namespace", "uid", "resourceVersion", "creationTimestamp", NULL};
	for (size_t i = 0; keep[i]; i++)
		if (json_object_get(md, keep[i]))
			json_object_set(m, keep[i], json_object_get(md, keep[i]));
	if (crd_scale_paths(res, NULL, NULL, NULL)) {
		scale_fill_cr(res, obj, sc);
		return sc;
	}
	json_int_t want = json_integer_value(json_object_get(spec, "replicas"));
	if (want)
		json_object_set_new(json_object_get(sc, "spec"), "replicas", json_integer(want));
	json_t *st = json_object_get(sc, "status");
	json_object_set_new(st, "replicas",
			    json_integer(json_integer_value(
				    json_object_get(json_object_get(obj, "status"), "replicas"))));
	/* LabelSelectorAsSelector(...).String(); a ReplicationController's selector is a
	 * map (SelectorFromSet) */
	json_t *sel = json_object_get(spec, "selector");
	json_t *ls = reg_is_core(res, "replicationcontrollers")
			     ? json_pack("{s:O}", "matchLabels", sel ? sel : json_null())
			     : json_incref(sel);
	char text[4096];
	if (json_object_size(json_object_get(ls, "matchLabels")) ||
	    json_array_size(json_object_get(ls, "matchExpressions"))) {
		selector_format_label_selector(ls, text, sizeof(text));
		json_object_set_new(st, "selector", json_string(text));
	}
	json_decref(ls);
	return sc;
}

/* The Scale a PUT or PATCH asks for, from the current one (cur, borrowed): *out new. 0;
 * -EINVAL when it replied. */
static int scale_wanted(struct http_req *r, const json_t *cur, json_t **out)
{
	json_error_t je;
	char err[512];
	*out = NULL;
	json_t *body = json_loadb((const char *)r->body, r->body_len, 0, &je);
	if (!body) {
		reg_reply_bad_request(r, "error decoding patch: %s", je.text);
		return -EINVAL;
	}
	if (strcmp(r->method, "PUT") == 0) {
		*out = body;
		return 0;
	}
	const char *ct = http_header(r, "Content-Type");
	int rc;
	if (ct && strncmp(ct, "application/json-patch+json", 27) == 0)
		rc = patch_json(cur, body, out, err, sizeof(err));
	else if (ct && strncmp(ct, "application/strategic-merge-patch+json", 38) == 0)
		rc = patch_strategic(cur, body, "autoscaling", "Scale", out, err, sizeof(err));
	else
		rc = patch_merge(cur, body, out);
	json_decref(body);
	if (rc || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		kube_reply_status(r, 422, "Invalid",
				  "the server rejected our request due to an error in our request",
				  NULL);
		return -EINVAL;
	}
	return 0;
}

/* PUT or PATCH of .../scale: spec.replicas into the object, at its revision. */
static void scale_write(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
			const struct kube_resource *res, const char *key, json_t *obj, int64_t rev)
{
	json_t *cur = scale_of(res, obj), *want = NULL;
	if (!cur || scale_wanted(r, cur, &want)) {
		if (!cur)
			kube_reply_status(r, 500, "InternalError", "out of memory", a);
		json_decref(cur);
		return;
	}
	json_decref(cur);
	const json_t *rep = json_object_get(json_object_get(want, "spec"), "replicas");
	json_int_t n = rep ? json_integer_value(rep) : 0;
	if ((rep && !json_is_integer(rep)) || n < 0) {
		/* ValidateScale: errors.NewInvalid(autoscaling.Kind("Scale"), ...) */
		static const struct kube_resource scale = {.group = "autoscaling",
							   .version = "v1",
							   .resource = "scale",
							   .kind = "Scale"};
		json_t *errs = json_array();
		if (errs)
			reg_field_err(errs, "spec.replicas", "FieldValueInvalid",
				      "Invalid value: %lld: must be greater than or equal to 0",
				      (long long)n);
		if (errs)
			reg_reply_invalid(r, &scale, a->name, errs);
		else
			kube_reply_status(r, 500, "InternalError", "out of memory", a);
		json_decref(errs);
		json_decref(want);
		return;
	}
	int64_t prec = 0;
	reg_parse_rv(json_string_value(
			     json_object_get(json_object_get(want, "metadata"), "resourceVersion")),
		     &prec);
	json_decref(want);
	if (prec && prec != rev) {
		reg_reply_conflict(r, a, res, a->name);
		return;
	}
	const char *sp = NULL;
	json_t *spec = json_object_get(obj, "spec");
	json_int_t old;
	if (crd_scale_paths(res, &sp, NULL, NULL)) {
		json_t *v = json_integer(n);
		old = json_integer_value(at_path(obj, sp));
		int src = v ? set_path(obj, sp, v) : -ENOMEM;
		json_decref(v);
		if (src) {
			kube_reply_status(r, 500, "InternalError", "the replicas could not be set", a);
			return;
		}
	} else if (!json_is_object(spec)) {
		kube_reply_status(r, 500, "InternalError", "the object has no spec", a);
		return;
	} else {
		old = json_integer_value(json_object_get(spec, "replicas"));
		json_object_set_new(spec, "replicas", json_integer(n));
	}
	if (old != n && reg_kind_of(res)->generation) {
		json_t *m = reg_meta_of(obj);
		json_int_t g = json_integer_value(json_object_get(m, "generation"));
		json_object_set_new(m, "generation", json_integer(g + 1));
	}
	int rc = reg_dry_run(r) ? 0 : reg_write_obj(cl, res, key, obj, rev, NULL);
	if (rc == -ECANCELED) {
		reg_reply_conflict(r, a, res, a->name);
		return;
	}
	if (rc) {
		kube_reply_status(r, 500, "InternalError", "the object could not be stored", a);
		return;
	}
	reg_reply_json(r, 200, scale_of(res, obj));
}

void reg_serve_scale(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		     const struct kube_resource *res)
{
	char key[KEY_MAX];
	json_t *obj = NULL;
	int64_t rev = 0;
	registry_key(cl, res, a->namespace_, a->name, key, sizeof(key));
	int rc = reg_fetch(cl, res, key, &obj, &rev);
	if (rc == -ENOENT) {
		reg_reply_not_found(r, a, res, a->name);
		return;
	}
	if (rc) {
		kube_reply_status(r, 500, "InternalError", "the object could not be read", a);
		return;
	}
	if (strcmp(a->verb, "get") == 0)
		reg_reply_json(r, 200, scale_of(res, obj));
	else if (strcmp(a->verb, "update") == 0 || strcmp(a->verb, "patch") == 0)
		scale_write(cl, r, a, res, key, obj, rev);
	else
		kube_reply_method_not_allowed(r, a);
	json_decref(obj);
}
