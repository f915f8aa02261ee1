/*
 * test_apply.c - server-side apply (kube/apply.c): field sets in FieldsV1 form as
 * kube-apiserver records them, the structured merge (associative lists by key with
 * their defaults, atomic lists and structs, list order), comparisons, paths as
 * structured-merge-diff prints them, managers and conflicts with upstream's texts,
 * pruning of fields a manager stops applying, and the Update entries of plain writes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kube/apply.h"
#include "t.h"

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fprintf(stderr, "bad test JSON: %s: %s\n", e.text, s);
	return j;
}

/* JSON text of v, keys sorted; "" for NULL. Freed at the next call. */
static const char *S(const json_t *v)
{
	static char *last;
	free(last);
	last = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	return last ? last : "";
}

static const struct apply_type *deploy(void)
{
	return apply_type_of("apps", "v1", "Deployment");
}

#define DEPLOY                                                                                     \
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","      \
	"\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":%d,\"selector\":{"                   \
	"\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{"              \
	"\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"%s\","        \
	"\"ports\":[{\"containerPort\":80}]}]}}}}"

static json_t *deployment(int replicas, const char *image)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), DEPLOY, replicas, image);
	return J(buf);
}

/* The fieldsV1 that kube-apiserver 1.30 records for `kubectl apply --server-side` of
 * this Deployment (selector is atomic, ports are keyed by containerPort and protocol
 * with protocol's default "TCP"), before the metadata it strips. */
static void test_to_set(void)
{
	json_t *d = deployment(2, "nginx"), *set = NULL;
	CHECK(deploy() != NULL);
	CHECK_EQ_INT(apply_to_set(d, deploy(), &set), 0);
	CHECK_STR(S(set),
		  "{\"f:apiVersion\":{},\"f:kind\":{},\"f:metadata\":{\"f:labels\":{\"f:app\":{}},"
		  "\"f:name\":{}},\"f:spec\":{\"f:replicas\":{},\"f:selector\":{},\"f:template\":{"
		  "\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:containers\":{"
		  "\"k:{\\\"name\\\":\\\"nginx\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{},"
		  "\"f:ports\":{\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{"
		  "\".\":{},\"f:containerPort\":{}}}}}}}}}");
	json_decref(set);
	/* an empty map and a null are members; a deduced kind's maps are granular */
	json_t *v = J("{\"metadata\":{\"annotations\":{}},\"spec\":{\"replicas\":null}}");
	CHECK_EQ_INT(apply_to_set(v, deploy(), &set), 0);
	CHECK_STR(S(set), "{\"f:metadata\":{\"f:annotations\":{}},\"f:spec\":{\"f:replicas\":{}}}");
	json_decref(set);
	CHECK_EQ_INT(apply_to_set(v, NULL, &set), 0);
	CHECK_STR(S(set), "{\"f:metadata\":{\".\":{},\"f:annotations\":{}},\"f:spec\":{\".\":{},"
			  "\"f:replicas\":{}}}");
	json_decref(set);
	json_decref(v);
	json_decref(d);
}

static void test_sets(void)
{
	json_t *a = J("{\"f:a\":{},\"f:b\":{\"f:c\":{},\"f:d\":{}},\"f:e\":{\".\":{},\"f:x\":{}}}");
	json_t *b = J("{\"f:b\":{\"f:c\":{}},\"f:e\":{},\"f:z\":{}}");
	json_t *u = apply_set_union(a, b), *d = apply_set_difference(a, b),
	       *i = apply_set_intersection(a, b);
	CHECK_STR(S(u), "{\"f:a\":{},\"f:b\":{\"f:c\":{},\"f:d\":{}},\"f:e\":{\".\":{},\"f:x\":{}},"
			"\"f:z\":{}}");
	CHECK_STR(S(d), "{\"f:a\":{},\"f:b\":{\"f:d\":{}},\"f:e\":{\"f:x\":{}}}");
	CHECK_STR(S(i), "{\"f:b\":{\"f:c\":{}},\"f:e\":{}}");
	json_decref(u);
	json_decref(d);
	json_decref(i);
	json_decref(a);
	json_decref(b);
}

static int collect(const char *path, void *arg)
{
	char *buf = arg;
	strcat(buf, path);
	strcat(buf, ";");
	return 0;
}

/* fieldpath.Path.String(), in Set.Iterate's order: members of a level first. */
static void test_paths(void)
{
	char buf[1024] = "";
	json_t *s = J("{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":{"
		      "\"k:{\\\"name\\\":\\\"nginx\\\"}\":{\".\":{},\"f:image\":{},\"f:ports\":{"
		      "\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{}}}}}},"
		      "\"f:replicas\":{}},\"f:metadata\":{\"f:finalizers\":{\"v:\\\"a\\\"\":{}}}}");
	CHECK_EQ_INT(apply_set_paths(s, collect, buf), 0);
	CHECK_STR(buf, ".metadata.finalizers[=\"a\"];.spec.replicas;"
		       ".spec.template.spec.containers[name=\"nginx\"];"
		       ".spec.template.spec.containers[name=\"nginx\"].image;"
		       ".spec.template.spec.containers[name=\"nginx\"].ports[containerPort=80,"
		       "protocol=\"TCP\"];");
	json_decref(s);
}

static json_t *merged(const char *live, const char *config, const struct apply_type *t)
{
	char err[256];
	json_t *l = J(live), *c = J(config), *out = NULL;
	if (apply_merge(l, c, t, &out, err, sizeof(err)))
		fprintf(stderr, "merge: %s\n", err);
	json_decref(l);
	json_decref(c);
	return out;
}

static void test_merge(void)
{
	const struct apply_type *pod = apply_type_of("", "v1", "Pod");
	json_t *m =
		merged("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"tty\":true},"
		       "{\"name\":\"b\",\"image\":\"y\"}],\"tolerations\":[{\"key\":\"k\"}]}}",
		       "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"z\"}],"
		       "\"tolerations\":[{\"key\":\"j\"}]}}",
		       pod);
	/* keyed: merged item by item; atomic (tolerations): replaced */
	CHECK_STR(S(m), "{\"spec\":{\"containers\":[{\"image\":\"z\",\"name\":\"a\",\"tty\":true},"
			"{\"image\":\"y\",\"name\":\"b\"}],\"tolerations\":[{\"key\":\"j\"}]}}");
	json_decref(m);
	/* shared items follow the applied order; others keep their place */
	m = merged(
		"{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"x\"},{\"name\":\"b\"}]}}",
		"{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"a\"},{\"name\":\"c\"}]}}",
		pod);
	CHECK_STR(S(m),
		  "{\"spec\":{\"containers\":[{\"name\":\"x\"},{\"name\":\"b\"},{\"name\":\"a\"},"
		  "{\"name\":\"c\"}]}}");
	json_decref(m);
	/* a set merges as a union; an atomic struct (selector) is replaced whole */
	m = merged("{\"metadata\":{\"finalizers\":[\"a\",\"b\"]},\"spec\":{\"selector\":{"
		   "\"matchLabels\":{\"x\":\"1\"}}}}",
		   "{\"metadata\":{\"finalizers\":[\"c\",\"a\"]},\"spec\":{\"selector\":{"
		   "\"matchExpressions\":[]}}}",
		   deploy());
	CHECK_STR(S(m),
		  "{\"metadata\":{\"finalizers\":[\"c\",\"a\",\"b\"]},\"spec\":{\"selector\":{"
		  "\"matchExpressions\":[]}}}");
	json_decref(m);
	/* errors as structured-merge-diff words them */
	char err[256];
	json_t *l = J("{}"),
	       *c = J("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"a\"}]}}"),
	       *out = NULL;
	CHECK_EQ_INT(apply_merge(l, c, pod, &out, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "duplicate entries for key k:{\"name\":\"a\"}");
	json_decref(c);
	c = J("{\"spec\":{\"containers\":[{\"image\":\"a\"}]}}");
	CHECK_EQ_INT(apply_merge(l, c, pod, &out, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "element 0: associative list with keys has an element that omits key field "
		       "\"name\" (and doesn't have default value)");
	json_decref(c);
	json_decref(l);
}

static void test_compare(void)
{
	json_t *a = NULL, *mo = NULL, *r = NULL;
	json_t *o = J(
		"{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"replicas\":1}}");
	json_t *n =
		J("{\"metadata\":{\"labels\":{\"a\":\"9\",\"c\":\"3\"}},\"spec\":{\"replicas\":1,"
		  "\"strategy\":{\"rollingUpdate\":{\"maxSurge\":1}}}}");
	CHECK_EQ_INT(apply_compare(o, n, deploy(), &a, &mo, &r), 0);
	/* strategy is held by value (no path of its own), rollingUpdate by pointer */
	CHECK_STR(S(a), "{\"f:metadata\":{\"f:labels\":{\"f:c\":{}}},\"f:spec\":{\"f:strategy\":{"
			"\"f:rollingUpdate\":{\".\":{},\"f:maxSurge\":{}}}}}");
	CHECK_STR(S(mo), "{\"f:metadata\":{\"f:labels\":{\"f:a\":{}}}}");
	CHECK_STR(S(r), "{\"f:metadata\":{\"f:labels\":{\"f:b\":{}}}}");
	json_decref(a);
	json_decref(mo);
	json_decref(r);
	json_decref(o);
	json_decref(n);
}

static struct apply_request req_for(const char *manager, const char *group_version,
				    const char *kind, const struct apply_type *t)
{
	struct apply_request q = {.manager = manager,
				  .api_version = group_version,
				  .subresource = "",
				  .kind = kind,
				  .type = t,
				  .reset = APPLY_RESET_STATUS,
				  .now = 1764645000};
	return q;
}

static const char *managed(const json_t *obj)
{
	return S(json_object_get(json_object_get(obj, "metadata"), "managedFields"));
}

/* kube-apiserver's managedFields after `kubectl create configmap` (manager
 * kubectl-create): data as a member with its keys. */
static void test_update_entries(void)
{
	struct apply_request q =
		req_for("kubectl-create", "v1", "ConfigMap", apply_type_of("", "v1", "ConfigMap"));
	json_t *cm = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
		       "\"namespace\":\"default\",\"uid\":\"u\",\"resourceVersion\":\"5\"},"
		       "\"data\":{\"key\":\"v\"}}");
	CHECK_EQ_INT(apply_update(NULL, cm, &q), 0);
	CHECK_STR(managed(cm), "[{\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{"
			       "\"f:data\":{\".\":{},\"f:key\":{}}},\"manager\":\"kubectl-create\","
			       "\"operation\":\"Update\",\"time\":\"2025-12-02T03:10:00Z\"}]");
	/* an update by another manager takes the field it changed */
	json_t *next = json_deep_copy(cm);
	json_object_set_new(json_object_get(next, "data"), "key", json_string("w"));
	json_object_set_new(json_object_get(next, "data"), "more", json_string("x"));
	q.manager = "kubectl-edit";
	q.now += 60;
	CHECK_EQ_INT(apply_update(cm, next, &q), 0);
	CHECK_STR(
		managed(next),
		"[{\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{}},"
		"\"manager\":\"kubectl-create\",\"operation\":\"Update\",\"time\":"
		"\"2025-12-02T03:10:00Z\"},{\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\","
		"\"fieldsV1\":{\"f:data\":{\"f:key\":{},\"f:more\":{}}},\"manager\":"
		"\"kubectl-edit\",\"operation\":\"Update\",\"time\":\"2025-12-02T03:11:00Z\"}]");
	/* the client may reset them with [] */
	json_t *reset = json_deep_copy(next);
	json_object_set_new(json_object_get(reset, "metadata"), "managedFields", json_array());
	CHECK_EQ_INT(apply_update(next, reset, &q), 0);
	CHECK(json_object_get(json_object_get(reset, "metadata"), "managedFields") == NULL);
	json_decref(reset);
	json_decref(next);
	json_decref(cm);
}

/* An entry's time is kept as it came, whatever its length: RFC 3339 allows fractions and
 * offsets ("...05.123456789+07:00", 35 bytes), and it was cut to 31 bytes. */
static void test_entry_time_whole(void)
{
	struct apply_request q =
		req_for("kubectl-edit", "v1", "ConfigMap", apply_type_of("", "v1", "ConfigMap"));
	json_t *cm = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
		       "\"namespace\":\"default\",\"managedFields\":[{\"apiVersion\":\"v1\","
		       "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{\"f:key\":{}}},"
		       "\"manager\":\"old\",\"operation\":\"Update\","
		       "\"time\":\"2025-12-02T03:10:00.123456789+07:00\"}]},\"data\":{\"key\":\"v\"}}");
	json_t *next = json_deep_copy(cm);
	json_object_set_new(json_object_get(next, "data"), "more", json_string("x"));
	CHECK_EQ_INT(apply_update(cm, next, &q), 0);
	json_t *e = json_array_get(json_object_get(json_object_get(next, "metadata"), "managedFields"), 0);
	CHECK_STR(json_string_value(json_object_get(e, "manager")), "old");
	CHECK_STR(json_string_value(json_object_get(e, "time")), "2025-12-02T03:10:00.123456789+07:00");
	json_decref(next);
	json_decref(cm);
}

static json_t *apply_as(const json_t *live, json_t *config, const char *manager, int force,
			json_t **status)
{
	struct apply_request q = req_for(manager, "apps/v1", "Deployment", deploy());
	json_t *out = NULL;
	*status = NULL;
	int rc = apply_apply(live, config, force, &q, &out, status);
	json_decref(config);
	if (rc && !*status)
		fprintf(stderr, "apply_apply: %d\n", rc);
	return out;
}

static void test_apply_conflicts(void)
{
	json_t *st = NULL;
	json_t *v1 = apply_as(NULL, deployment(2, "nginx"), "kubectl", 0, &st);
	CHECK(v1 != NULL);
	CHECK_STR(S(json_object_get(json_object_get(v1, "spec"), "replicas")), "2");
	CHECK_STR(managed(v1),
		  "[{\"apiVersion\":\"apps/v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{"
		  "\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:replicas\":{},"
		  "\"f:selector\":{},\"f:template\":{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},"
		  "\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"nginx\\\"}\":{\".\":{},"
		  "\"f:image\":{},\"f:name\":{},\"f:ports\":{\"k:{\\\"containerPort\\\":80,"
		  "\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},\"f:containerPort\":{}}}}}}}}},"
		  "\"manager\":\"kubectl\",\"operation\":\"Apply\",\"time\":"
		  "\"2025-12-02T03:10:00Z\"}]");
	/* the same manager changes its own field freely */
	json_t *v2 = apply_as(v1, deployment(3, "nginx"), "kubectl", 0, &st);
	CHECK(v2 && !st);
	CHECK_STR(S(json_object_get(json_object_get(v2, "spec"), "replicas")), "3");
	/* another manager: a conflict, in upstream's words (conflict.go) */
	json_t *v3 = apply_as(v2, deployment(5, "nginx"), "other", 0, &st);
	CHECK(v3 == NULL);
	CHECK_STR(S(st),
		  "{\"apiVersion\":\"v1\",\"code\":409,\"details\":{\"causes\":[{\"field\":"
		  "\".spec.replicas\",\"message\":\"conflict with \\\"kubectl\\\"\",\"reason\":"
		  "\"FieldManagerConflict\"}]},\"kind\":\"Status\",\"message\":\"Apply failed "
		  "with 1 conflict: conflict with \\\"kubectl\\\": .spec.replicas\",\"metadata\":"
		  "{},\"reason\":\"Conflict\",\"status\":\"Failure\"}");
	json_decref(st);
	/* two fields */
	v3 = apply_as(v2, deployment(5, "busybox"), "other", 0, &st);
	CHECK_STR(json_string_value(json_object_get(st, "message")),
		  "Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .spec.replicas\n- "
		  ".spec.template.spec.containers[name=\"nginx\"].image");
	json_decref(st);
	/* the same values are shared, not a conflict */
	v3 = apply_as(v2, deployment(3, "nginx"), "other", 0, &st);
	CHECK(v3 && !st);
	json_decref(v3);
	/* force takes the field over */
	v3 = apply_as(v2, deployment(5, "nginx"), "other", 1, &st);
	CHECK(v3 && !st);
	CHECK_STR(S(json_object_get(json_object_get(v3, "spec"), "replicas")), "5");
	const char *mf = managed(v3);
	CHECK(strstr(mf, "\"manager\":\"other\"") != NULL);
	/* kubectl no longer owns replicas */
	CHECK(strstr(mf,
		     "{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:selector\"") !=
	      NULL);
	json_decref(v1);
	json_decref(v2);
	json_decref(v3);
}

/* A field the manager stops applying leaves the object, unless another owns it. */
static void test_apply_prune(void)
{
	json_t *st = NULL;
	json_t *c = deployment(2, "nginx");
	json_object_set_new(json_object_get(json_object_get(c, "metadata"), "labels"), "tier",
			    json_string("web"));
	json_t *v1 = apply_as(NULL, c, "kubectl", 0, &st);
	json_t *v2 = apply_as(v1, deployment(2, "nginx"), "kubectl", 0, &st);
	CHECK_STR(S(json_object_get(json_object_get(v2, "metadata"), "labels")),
		  "{\"app\":\"web\"}");
	/* another manager also applies tier: it stays when kubectl drops it */
	c = J("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
	      "\"labels\":{\"tier\":\"web\"}}}");
	json_t *v3 = apply_as(v1, c, "other", 0, &st);
	json_t *v4 = apply_as(v3, deployment(2, "nginx"), "kubectl", 0, &st);
	CHECK_STR(S(json_object_get(json_object_get(v4, "metadata"), "labels")),
		  "{\"app\":\"web\",\"tier\":\"web\"}");
	/* a container dropped from the applied list goes with its fields */
	c = deployment(2, "nginx");
	json_t *ctrs = json_object_get(
		json_object_get(json_object_get(json_object_get(c, "spec"), "template"), "spec"),
		"containers");
	json_array_append_new(ctrs, J("{\"name\":\"side\",\"image\":\"busybox\"}"));
	json_t *v5 = apply_as(v4, c, "kubectl", 0, &st);
	CHECK(strstr(S(v5), "\"side\"") != NULL);
	json_t *v6 = apply_as(v5, deployment(2, "nginx"), "kubectl", 0, &st);
	CHECK(v6 && strstr(S(v6), "\"side\"") == NULL);
	json_decref(v1);
	json_decref(v2);
	json_decref(v3);
	json_decref(v4);
	json_decref(v5);
	json_decref(v6);
}

static void test_apply_checks(void)
{
	json_t *st = NULL;
	json_t *c = deployment(1, "x");
	json_object_set_new(c, "apiVersion", json_string("apps/v1beta1"));
	CHECK(apply_as(NULL, c, "kubectl", 0, &st) == NULL);
	CHECK_STR(json_string_value(json_object_get(st, "message")),
		  "invalid object type: apps/v1beta1, Kind=Deployment");
	json_decref(st);
	c = deployment(1, "x");
	json_object_set_new(json_object_get(c, "metadata"), "managedFields", json_array());
	CHECK(apply_as(NULL, c, "kubectl", 0, &st) == NULL);
	CHECK_STR(json_string_value(json_object_get(st, "message")),
		  "metadata.managedFields must be nil");
	json_decref(st);

	/* the typed conversion's 500 (structuredmerge.go), all errors one a line, in the
	 * object's order (upstream walks Go maps, in no fixed order) */
	c = deployment(1, "x");
	json_object_set_new(json_object_get(c, "spec"), "foo", json_integer(1));
	json_t *ctrs = json_object_get(
		json_object_get(json_object_get(json_object_get(c, "spec"), "template"), "spec"),
		"containers");
	json_array_append_new(ctrs, J("{\"name\":\"nginx\",\"bad\":1}"));
	json_array_append_new(ctrs, J("{\"image\":\"x\"}"));
	json_object_set_new(json_object_get(c, "metadata"), "namespace", json_string("ns"));
	CHECK(apply_as(NULL, c, "kubectl", 0, &st) == NULL);
	CHECK_EQ_INT(json_integer_value(json_object_get(st, "code")), 500);
	CHECK_STR(json_string_value(json_object_get(st, "message")),
		  "failed to create typed patch object (ns/web; apps/v1, Kind=Deployment): "
		  ".spec.template.spec.containers: duplicate entries for key [name=\"nginx\"]\n"
		  ".spec.template.spec.containers: element 2: associative list with keys has an "
		  "element that omits key field \"name\" (and doesn't have default value)\n"
		  ".spec.foo: field not declared in schema");
	json_decref(st);

	st = apply_check_options(1, "", NULL);
	CHECK_STR(json_string_value(json_object_get(st, "message")),
		  "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is "
		  "required for apply patch");
	CHECK_EQ_INT(json_integer_value(json_object_get(st, "code")), 422);
	json_decref(st);
	st = apply_check_options(0, NULL, "true");
	CHECK_STR(json_string_value(json_object_get(st, "message")),
		  "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be "
		  "specified for non-apply patch");
	json_decref(st);
	CHECK(apply_check_options(1, "kubectl", "true") == NULL);
	CHECK(apply_check_options(0, NULL, NULL) == NULL);

	char name[200];
	apply_manager_name(NULL, "kubectl/v1.30.5 (linux/amd64) kubernetes/74e84a9", name,
			   sizeof(name));
	CHECK_STR(name, "kubectl");
	apply_manager_name("mine", "kubectl/v1.30.5", name, sizeof(name));
	CHECK_STR(name, "mine");
	apply_manager_name(NULL, NULL, name, sizeof(name));
	CHECK_STR(name, "");
	/* a manager is never cut short: too long for the buffer is an error */
	char small[8];
	CHECK_EQ_INT(apply_manager_name("kubectl-edit", NULL, small, sizeof(small)),
		     -ENAMETOOLONG);
	CHECK_EQ_INT(apply_manager_name("kubectl", NULL, small, sizeof(small)), 0);
	CHECK_STR(small, "kubectl");
	/* ValidateFieldManager: over 128 bytes, errors.NewInvalid with its cause */
	char m129[130];
	memset(m129, 'm', 129);
	m129[129] = '\0';
	st = apply_check_options(1, m129, NULL);
	char *text = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK_STR(text, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
			"\"Failure\",\"message\":\"PatchOptions.meta.k8s.io \\\"\\\" is invalid: "
			"fieldManager: Too long: must have at most 128 bytes\",\"reason\":\"Invalid\","
			"\"details\":{\"group\":\"meta.k8s.io\",\"kind\":\"PatchOptions\",\"causes\":[{"
			"\"reason\":\"FieldValueTooLong\",\"message\":\"Too long: must have at most 128 "
			"bytes\",\"field\":\"fieldManager\"}]},\"code\":422}");
	free(text);
	json_decref(st);
	m129[128] = '\0';
	CHECK(apply_check_options(1, m129, NULL) == NULL);
}

/* fuzz_apply's crash: applying the same configuration twice changes nothing, on an
 * untyped kind too (an empty map applied over one with a null key) */
static void test_apply_idempotent(void)
{
	const struct apply_type *t = apply_type_of("x", "v1", "X");
	json_t *live = J("{\"a\":{\"b\":[1,2],\"c\":{\"d\":null}}}");
	json_t *c = J("{\"a\":{\"b\":[3],\"c\":{}},\"apiVersion\":\"v1\",\"kind\":\"X\"}");
	struct apply_request q = req_for("m", "v1", "X", t);
	json_t *o1 = NULL, *o2 = NULL, *st = NULL;
	CHECK_EQ_INT(apply_apply(live, c, 0, &q, &o1, &st), 0);
	CHECK_EQ_INT(apply_apply(o1, c, 0, &q, &o2, &st), 0);
	char *a = json_dumps(o1, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(S(o2), a);
	free(a);
	json_decref(o1);
	json_decref(o2);
	json_decref(live);
	json_decref(c);
}

int main(void)
{
	RUN(test_apply_idempotent);
	RUN(test_to_set);
	RUN(test_sets);
	RUN(test_paths);
	RUN(test_merge);
	RUN(test_compare);
	RUN(test_update_entries);
	RUN(test_entry_time_whole);
	RUN(test_apply_conflicts);
	RUN(test_apply_prune);
	RUN(test_apply_checks);
	return t_done();
}
