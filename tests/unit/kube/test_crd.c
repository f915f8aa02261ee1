/*
 * test_crd.c - CustomResourceDefinitions (kube/crd.c): a CRD's defaults, validation in
 * apiextensions-apiserver's words and its status; a custom resource's pruning,
 * defaulting and validation in kube-openapi's words; printer columns and their paths;
 * and the merge types server-side apply gets from a schema (kube/apply.c).
 */
#include <stdlib.h>
#include <string.h>

#include "kube/apply.h"
#include "kube/crd.h"
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

#define SCHEMA                                                                                     \
	"{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"required\":["        \
	"\"size\"],\"properties\":{\"size\":{\"type\":\"string\",\"enum\":[\"small\","             \
	"\"large\"]},\"replicas\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5,"              \
	"\"default\":1},\"name\":{\"type\":\"string\",\"maxLength\":5,\"pattern\":"                \
	"\"^[a-z]+$\"},\"ports\":{\"type\":\"array\",\"x-kubernetes-list-type\":\"map\","          \
	"\"x-kubernetes-list-map-keys\":[\"port\",\"protocol\"],\"items\":{\"type\":"              \
	"\"object\",\"properties\":{\"port\":{\"type\":\"integer\"},\"protocol\":{\"type\":"       \
	"\"string\",\"default\":\"TCP\"}}}},\"extra\":{\"type\":\"object\","                       \
	"\"x-kubernetes-preserve-unknown-fields\":true},\"labels\":{\"type\":\"object\","          \
	"\"additionalProperties\":{\"type\":\"string\"}}}},\"status\":{\"type\":\"object\","       \
	"\"properties\":{\"phase\":{\"type\":\"string\"}}}}}"

#define CRD                                                                                        \
	"{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","       \
	"\"metadata\":{\"name\":\"widgets.example.com\"},\"spec\":{\"group\":\"example.com\","     \
	"\"scope\":\"Namespaced\",\"names\":{\"plural\":\"widgets\",\"kind\":\"Widget\"},"         \
	"\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,\"schema\":{"             \
	"\"openAPIV3Schema\":" SCHEMA "},\"additionalPrinterColumns\":[{\"name\":\"Size\","        \
	"\"type\":\"string\",\"jsonPath\":\".spec.size\"}]}]}}"

static void test_crd(void)
{
	json_t *crd = J(CRD), *errs = json_array();
	crd_defaults(crd);
	CHECK_STR(S(json_object_get(json_object_get(crd, "spec"), "names")),
		  "{\"kind\":\"Widget\",\"listKind\":\"WidgetList\",\"plural\":\"widgets\","
		  "\"singular\":\"widget\"}");
	CHECK_STR(S(json_object_get(json_object_get(crd, "spec"), "conversion")),
		  "{\"strategy\":\"None\"}");
	crd_validate(crd, errs);
	CHECK_EQ_INT(json_array_size(errs), 0);
	CHECK_STR(crd_storage_version(crd), "v1");
	CHECK(crd_version(crd, "v1") != NULL);
	CHECK(crd_version(crd, "v2") == NULL);
	CHECK_EQ_INT(crd_set_status(crd, NULL, "2026-12-02T04:00:00Z"), 0);
	json_t *st = json_object_get(crd, "status");
	CHECK_STR(S(json_object_get(st, "storedVersions")), "[\"v1\"]");
	CHECK_STR(
		S(json_array_get(json_object_get(st, "conditions"), 1)),
		"{\"lastTransitionTime\":\"2026-12-02T04:00:00Z\",\"message\":\"the initial names "
		"have been accepted\",\"reason\":\"InitialNamesAccepted\",\"status\":\"True\","
		"\"type\":\"Established\"}");
	/* a wrong name, a group without a dot, no storage version */
	json_object_set_new(json_object_get(crd, "metadata"), "name", json_string("w.example.com"));
	json_object_set_new(json_object_get(crd, "spec"), "group", json_string("example"));
	json_object_set_new(
		json_array_get(json_object_get(json_object_get(crd, "spec"), "versions"), 0),
		"storage", json_false());
	crd_validate(crd, errs);
	CHECK_STR(S(errs),
		  "[{\"body\":\"Invalid value: \\\"w.example.com\\\": must be "
		  "spec.names.plural+\\\".\\\"+spec.group\",\"field\":\"metadata.name\",\"reason\":"
		  "\"FieldValueInvalid\"},{\"body\":\"Invalid value: \\\"example\\\": should be a "
		  "domain with at least one dot\",\"field\":\"spec.group\",\"reason\":"
		  "\"FieldValueInvalid\"},{\"body\":\"Invalid value: \\\"0 versions\\\": must have "
		  "exactly one version marked as storage version\",\"field\":\"spec.versions\","
		  "\"reason\":\"FieldValueInvalid\"}]");
	json_decref(errs);
	json_decref(crd);
}

static void test_objects(void)
{
	json_t *s = J(SCHEMA), *errs = json_array();
	json_t *o =
		J("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":"
		  "\"w\"},\"spec\":{\"size\":\"small\",\"junk\":1,\"extra\":{\"any\":{\"x\":1}},"
		  "\"labels\":{\"a\":\"b\"},\"ports\":[{\"port\":80,\"bad\":1}]},\"top\":2}");
	crd_prune(o, s);
	CHECK_STR(S(o), "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{"
			"\"name\":\"w\"},\"spec\":{\"extra\":{\"any\":{\"x\":1}},\"labels\":{\"a\":"
			"\"b\"},\"ports\":[{\"port\":80}],\"size\":\"small\"}}");
	CHECK_EQ_INT(crd_default(o, s), 0);
	CHECK_STR(S(json_object_get(o, "spec")),
		  "{\"extra\":{\"any\":{\"x\":1}},\"labels\":{\"a\":\"b\"},\"ports\":[{\"port\":80,"
		  "\"protocol\":\"TCP\"}],\"replicas\":1,\"size\":\"small\"}");
	crd_validate_object(o, s, errs);
	CHECK_EQ_INT(json_array_size(errs), 0);
	json_decref(o);
	/* kube-openapi's words, as apiextensions turns them into field errors */
	o = J("{\"spec\":{\"size\":\"huge\",\"replicas\":\"two\",\"name\":\"Abcdefg\"}}");
	crd_validate_object(o, s, errs);
	CHECK_STR(
		S(errs),
		"[{\"body\":\"Unsupported value: \\\"huge\\\": supported values: \\\"small\\\", "
		"\\\"large\\\"\",\"field\":\"spec.size\",\"reason\":\"FieldValueNotSupported\"},"
		"{\"body\":\"Invalid value: \\\"string\\\": spec.replicas in body must be of type "
		"integer: \\\"string\\\"\",\"field\":\"spec.replicas\",\"reason\":"
		"\"FieldValueTypeInvalid\"},{\"body\":\"Too long: may not be longer than 5\","
		"\"field\":\"spec.name\",\"reason\":\"FieldValueTooLong\"},{\"body\":\"Invalid "
		"value: \\\"Abcdefg\\\": spec.name in body should match '^[a-z]+$'\",\"field\":"
		"\"spec.name\",\"reason\":\"FieldValueInvalid\"}]");
	json_array_clear(errs);
	json_decref(o);
	o = J("{\"spec\":{\"replicas\":9}}");
	crd_validate_object(o, s, errs);
	CHECK_STR(S(errs), "[{\"body\":\"Required value\",\"field\":\"spec.size\",\"reason\":"
			   "\"FieldValueRequired\"},{\"body\":\"Invalid value: 9: spec.replicas in "
			   "body should be less than or equal to 5\",\"field\":\"spec.replicas\","
			   "\"reason\":\"FieldValueInvalid\"}]");
	json_decref(o);
	json_decref(errs);
	json_decref(s);
}

static void test_columns(void)
{
	json_t *crd = J(CRD);
	const json_t *v = crd_version(crd, "v1");
	json_t *cols = crd_columns(v);
	CHECK_EQ_INT(json_array_size(cols), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(cols, 1), "jsonPath")),
		  ".spec.size");
	json_decref(cols);
	json_t *o =
		J("{\"spec\":{\"size\":\"small\"},\"status\":{\"conditions\":[{\"type\":"
		  "\"Synced\",\"status\":\"False\"},{\"type\":\"Ready\",\"status\":\"True\"}]}}");
	CHECK_STR(json_string_value(crd_cell(o, ".spec.size")), "small");
	CHECK_STR(json_string_value(crd_cell(o, ".status.conditions[1].type")), "Ready");
	CHECK_STR(json_string_value(crd_cell(o, ".status.conditions[?(@.type==\"Ready\")].status")),
		  "True");
	CHECK(crd_cell(o, ".spec.missing") == NULL);
	json_decref(o);
	json_decref(crd);
}

/* a CR's list-map keys reach server-side apply */
/* crdHandler's deprecation warnings (customresource_handler.go defaultDeprecationWarning),
 * and kube-apiserver's for the built-in flowcontrol/v1beta3 (deprecation.go). */
static void test_deprecation(void)
{
	json_t *crd = json_loads(
		"{\"spec\":{\"group\":\"example.com\",\"names\":{\"kind\":\"Gizmo\"},\"versions\":["
		"{\"name\":\"v1alpha1\",\"served\":true,\"deprecated\":true},"
		"{\"name\":\"v1beta1\",\"served\":true,\"deprecated\":true,"
		"\"deprecationWarning\":\"beta goes\"},"
		"{\"name\":\"v1beta2\",\"served\":true,\"deprecated\":true,\"deprecationWarning\":\"\"},"
		"{\"name\":\"v1\",\"served\":true},{\"name\":\"v2\",\"served\":false},"
		"{\"name\":\"v1beta3\",\"served\":true},{\"name\":\"v3\",\"served\":true,"
		"\"deprecated\":true}]}}",
		0, NULL);
	char *w = crd_deprecation_warning(crd, "v1alpha1");
	/* the newest newer served version that is not deprecated: v1 (v2 is not served, v3
	 * deprecated) */
	CHECK_STR(w, "example.com/v1alpha1 Gizmo is deprecated; use example.com/v1 Gizmo");
	free(w);
	w = crd_deprecation_warning(crd, "v1beta1");
	CHECK_STR(w, "beta goes");
	free(w);
	CHECK(crd_deprecation_warning(crd, "v1beta2") == NULL); /* "" asks for none */
	CHECK(crd_deprecation_warning(crd, "v1") == NULL);
	CHECK(crd_deprecation_warning(crd, "v2") == NULL); /* not served */
	w = crd_deprecation_warning(crd, "v3"); /* nothing newer: no "; use" */
	CHECK_STR(w, "example.com/v3 Gizmo is deprecated");
	free(w);
	json_decref(crd);

	const struct kube_resource *fs =
		kube_resource_find("flowcontrol.apiserver.k8s.io", "v1beta3", "flowschemas");
	CHECK(fs != NULL);
	if (!fs)
		return;
	const char *want = "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, "
			   "unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema";
	w = kube_deprecation_warning(fs, "1.30.5-gke.1014001");
	CHECK_STR(w, want);
	free(w);
	w = kube_deprecation_warning(fs, "1.29.0");
	CHECK_STR(w, want);
	free(w);
	CHECK(kube_deprecation_warning(fs, "1.28.9-gke.1") == NULL); /* not yet deprecated */
	w = kube_deprecation_warning(fs, "nonsense"); /* no version known: deprecated */
	CHECK_STR(w, want);
	free(w);
	CHECK(kube_deprecation_warning(kube_resource_find("flowcontrol.apiserver.k8s.io", "v1",
							  "flowschemas"),
				       "1.30.5") == NULL);
}

static void test_apply_types(void)
{
	json_t *s = J(SCHEMA), *t = crd_apply_types(s, "crd:c1/example.com/v1/Widget");
	CHECK(t != NULL);
	const struct apply_type *at = apply_type_add("c1/example.com/v1/Widget", t);
	CHECK(at != NULL);
	CHECK(apply_type_find("c1/example.com/v1/Widget") == at);
	json_t *o = J("{\"spec\":{\"ports\":[{\"port\":80}],\"labels\":{\"a\":\"b\"},\"extra\":{"
		      "\"x\":1}}}"),
	       *set = NULL;
	CHECK_EQ_INT(apply_to_set(o, at, &set), 0);
	CHECK_STR(S(set),
		  "{\"f:spec\":{\"f:extra\":{\"f:x\":{}},\"f:labels\":{\"f:a\":{}},\"f:ports\":"
		  "{\"k:{\\\"port\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},\"f:port\":"
		  "{}}}}}");
	json_decref(set);
	json_decref(o);
	json_decref(t);
	json_decref(s);
}

int main(void)
{
	RUN(test_crd);
	RUN(test_objects);
	RUN(test_columns);
	RUN(test_apply_types);
	RUN(test_deprecation);
	return t_done();
}
