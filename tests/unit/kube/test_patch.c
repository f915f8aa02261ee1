/*
 * test_patch.c - unit tests for kube/patch.h: the RFC 7386 examples (Appendix A), the
 * RFC 6902 examples (Appendix A) and error cases, and strategic merge patch as
 * kubectl sends it (containers merged by name, env by name, ports by containerPort,
 * $patch delete/replace, $setElementOrder, $deleteFromPrimitiveList, $retainKeys,
 * finalizers as a set, lists without a strategy replaced, labels with null deletion).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kube/patch.h"
#include "t.h"

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
	if (!j)
		fprintf(stderr, "# bad test JSON: %s: %s\n", s, e.text);
	return j;
}

static int same(json_t *got, const char *want)
{
	json_t *w = J(want);
	int eq = got && w && json_equal(got, w);
	if (!eq) {
		char *g = got ? json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
		fprintf(stderr, "# got  %s\n# want %s\n", g ? g : "(null)", want);
		free(g);
	}
	json_decref(w);
	return eq;
}

static void merge_case(const char *doc, const char *patch, const char *want)
{
	json_t *d = J(doc), *p = J(patch), *out = NULL;
	CHECK_EQ_INT(patch_merge(d, p, &out), 0);
	CHECK(same(out, want));
	json_decref(d);
	json_decref(p);
	json_decref(out);
}

static void test_rfc7386(void)
{
	merge_case("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	merge_case("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
	merge_case("{\"a\":\"b\"}", "{\"a\":null}", "{}");
	merge_case("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
	merge_case("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	merge_case("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
	merge_case("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
	merge_case("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
	merge_case("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]");
	merge_case("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]");
	merge_case("{\"a\":\"foo\"}", "null", "null");
	merge_case("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"");
	merge_case("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
	merge_case("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
	merge_case("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
	/* kubectl annotate --overwrite / label -: null deletes a key */
	merge_case("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}",
		   "{\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"}}}",
		   "{\"metadata\":{\"labels\":{\"b\":\"2\",\"c\":\"3\"}}}");
}

static void json_case(const char *doc, const char *patch, const char *want)
{
	json_t *d = J(doc), *p = J(patch), *out = NULL;
	char err[512];
	int rc = patch_json(d, p, &out, err, sizeof(err));
	if (rc)
		fprintf(stderr, "# patch_json: %s\n", err);
	CHECK_EQ_INT(rc, 0);
	CHECK(same(out, want));
	json_decref(d);
	json_decref(p);
	json_decref(out);
}

static void json_fails(const char *doc, const char *patch, int want_rc)
{
	json_t *d = J(doc), *p = J(patch), *out = NULL;
	char err[512] = "";
	CHECK_EQ_INT(patch_json(d, p, &out, err, sizeof(err)), want_rc);
	CHECK(out == NULL);
	CHECK(err[0] != '\0');
	json_decref(d);
	json_decref(p);
}

static void test_rfc6902(void)
{
	/* A.1 - A.16 */
	json_case("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
		  "{\"baz\":\"qux\",\"foo\":\"bar\"}");
	json_case("{\"foo\":[\"bar\",\"baz\"]}",
		  "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
		  "{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
	json_case("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
		  "{\"foo\":\"bar\"}");
	json_case("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
		  "{\"foo\":[\"bar\",\"baz\"]}");
	json_case("{\"baz\":\"qux\",\"foo\":\"bar\"}",
		  "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
		  "{\"baz\":\"boo\",\"foo\":\"bar\"}");
	json_case("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
		  "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
		  "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}");
	json_case("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
		  "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
		  "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}");
	json_case("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
		  "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
		  "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
		  "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}");
	json_fails("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
		   -ECANCELED);
	json_case("{\"foo\":\"bar\"}",
		  "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
		  "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}");
	json_case("{\"foo\":\"bar\"}",
		  "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
		  "{\"foo\":\"bar\",\"baz\":\"qux\"}");
	json_fails("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
		   -EINVAL);
	json_case("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
		  "{\"/\":9,\"~1\":10}");
	json_fails("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]",
		   -ECANCELED);
	json_case("{\"foo\":[\"bar\"]}",
		  "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
		  "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}");
	/* more */
	json_case("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]",
		  "{\"a\":1,\"b\":1}");
	json_case("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]", "[1]");
	json_case("{\"a\":{\"b\":1}}", "[{\"op\":\"test\",\"path\":\"/a/b\",\"value\":1.0}]",
		  "{\"a\":{\"b\":1}}");
	json_case("{\"metadata\":{\"labels\":{}}}",
		  "[{\"op\":\"add\",\"path\":\"/metadata/labels/app.kubernetes.io~1name\","
		  "\"value\":\"x\"}]",
		  "{\"metadata\":{\"labels\":{\"app.kubernetes.io/name\":\"x\"}}}");
	json_case("[]", "[]", "[]");
	json_fails("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", -EINVAL);
	json_fails("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]", -EINVAL);
	json_fails("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/5\",\"value\":2}]", -EINVAL);
	json_fails("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":2}]", -EINVAL);
	json_fails("{\"a\":1}", "[{\"op\":\"bogus\",\"path\":\"/a\"}]", -EINVAL);
	json_fails("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", -EINVAL);
	json_fails("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/x\"}]", -EINVAL);
	json_fails("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b\"}]",
		   -EINVAL);
	json_fails("{\"a\":1}", "{\"op\":\"add\"}", -EINVAL);
	json_fails("{\"a\":1}", "[7]", -EINVAL);
	json_fails("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/~2\",\"value\":1}]", -EINVAL);
	/* a failed operation leaves the input alone */
	json_t *d = J("{\"a\":1}"), *p = J("[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},"
					   "{\"op\":\"remove\",\"path\":\"/zz\"}]"),
	       *out = NULL;
	char err[256];
	CHECK_EQ_INT(patch_json(d, p, &out, err, sizeof(err)), -EINVAL);
	CHECK(same(d, "{\"a\":1}"));
	json_decref(d);
	json_decref(p);
}

static void smp_case(const char *kind, const char *doc, const char *patch, const char *want)
{
	json_t *d = J(doc), *p = J(patch), *out = NULL;
	char err[512];
	int rc = patch_strategic(d, p, "", kind, &out, err, sizeof(err));
	if (rc)
		fprintf(stderr, "# patch_strategic: %s\n", err);
	CHECK_EQ_INT(rc, 0);
	CHECK(same(out, want));
	json_decref(d);
	json_decref(p);
	json_decref(out);
}

static const char POD[] =
	"{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"},\"finalizers\":[\"a\"]},"
	"\"spec\":{\"containers\":["
	"{\"name\":\"app\",\"image\":\"nginx:1\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
	"{\"name\":\"B\",\"value\":\"2\"}],\"ports\":[{\"containerPort\":80}]},"
	"{\"name\":\"side\",\"image\":\"busybox\"}],"
	"\"tolerations\":[{\"key\":\"x\"}]}}";

static void test_strategic(void)
{
	/* containers merge by name: only app's image changes, side stays */
	smp_case("Pod", POD,
		 "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:2\"}]}}",
		 "{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"},\"finalizers\":[\"a\"]},"
		 "\"spec\":{\"containers\":["
		 "{\"name\":\"app\",\"image\":\"nginx:2\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
		 "{\"name\":\"B\",\"value\":\"2\"}],\"ports\":[{\"containerPort\":80}]},"
		 "{\"name\":\"side\",\"image\":\"busybox\"}],"
		 "\"tolerations\":[{\"key\":\"x\"}]}}");
	/* env by name inside a container; a new container is appended; ports by containerPort */
	smp_case("Pod", POD,
		 "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"B\",\"value\":"
		 "\"3\"},{\"name\":\"C\",\"value\":\"4\"}],\"ports\":[{\"containerPort\":80,"
		 "\"name\":\"http\"}]},{\"name\":\"new\",\"image\":\"x\"}]}}",
		 "{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"},\"finalizers\":[\"a\"]},"
		 "\"spec\":{\"containers\":["
		 "{\"name\":\"app\",\"image\":\"nginx:1\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
		 "{\"name\":\"B\",\"value\":\"3\"},{\"name\":\"C\",\"value\":\"4\"}],\"ports\":"
		 "[{\"containerPort\":80,\"name\":\"http\"}]},"
		 "{\"name\":\"side\",\"image\":\"busybox\"},{\"name\":\"new\",\"image\":\"x\"}],"
		 "\"tolerations\":[{\"key\":\"x\"}]}}");
	/* $patch: delete in a list element; tolerations (no strategy) replaced; labels null */
	smp_case("Pod", POD,
		 "{\"metadata\":{\"labels\":{\"app\":null,\"tier\":\"f\"}},\"spec\":{\"containers\":"
		 "[{\"name\":\"side\",\"$patch\":\"delete\"}],\"tolerations\":[{\"key\":\"y\"}]}}",
		 "{\"metadata\":{\"name\":\"web\",\"labels\":{\"tier\":\"f\"},\"finalizers\":[\"a\"]},"
		 "\"spec\":{\"containers\":["
		 "{\"name\":\"app\",\"image\":\"nginx:1\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
		 "{\"name\":\"B\",\"value\":\"2\"}],\"ports\":[{\"containerPort\":80}]}],"
		 "\"tolerations\":[{\"key\":\"y\"}]}}");
	/* $patch: replace on a list */
	smp_case("Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"c\"},{\"$patch\":\"replace\"}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}");
	/* $patch: replace and delete on maps */
	smp_case("Pod", "{\"spec\":{\"affinity\":{\"a\":1},\"nodeSelector\":{\"x\":\"1\"}}}",
		 "{\"spec\":{\"affinity\":{\"$patch\":\"delete\"},\"nodeSelector\":{\"y\":\"2\","
		 "\"$patch\":\"replace\"}}}",
		 "{\"spec\":{\"nodeSelector\":{\"y\":\"2\"}}}");
	/* finalizers merge as a set; $deleteFromPrimitiveList removes */
	smp_case("ConfigMap", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
		 "{\"metadata\":{\"finalizers\":[\"b\",\"c\"]}}",
		 "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}");
	smp_case("ConfigMap", "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
		 "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\"]}}",
		 "{\"metadata\":{\"finalizers\":[\"b\"]}}");
	/* $setElementOrder reorders */
	smp_case("Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
		 "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"a\"}],"
		 "\"containers\":[{\"name\":\"a\",\"image\":\"i\"}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"a\",\"image\":\"i\"}]}}");
	/* $retainKeys */
	smp_case("Pod", "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{},\"x\":1}]}}",
		 "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"$retainKeys\":[\"name\",\"hostPath\"],"
		 "\"hostPath\":{\"path\":\"/\"}}]}}",
		 "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"hostPath\":{\"path\":\"/\"}}]}}");
	/* ServiceAccount secrets by name; RBAC rules replaced; ConfigMap data merged */
	smp_case("ServiceAccount", "{\"secrets\":[{\"name\":\"a\"}]}",
		 "{\"secrets\":[{\"name\":\"b\"}]}", "{\"secrets\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
	json_t *d = J("{\"rules\":[{\"verbs\":[\"get\"]}]}"), *p = J("{\"rules\":[{\"verbs\":[\"list\"]}]}"),
	       *out = NULL;
	char err[256];
	CHECK_EQ_INT(patch_strategic(d, p, "rbac.authorization.k8s.io", "Role", &out, err,
				     sizeof(err)),
		     0);
	CHECK(same(out, "{\"rules\":[{\"verbs\":[\"list\"]}]}"));
	json_decref(d);
	json_decref(p);
	json_decref(out);
	smp_case("ConfigMap", "{\"data\":{\"a\":\"1\",\"b\":\"2\"}}",
		 "{\"data\":{\"a\":null,\"c\":\"3\"}}", "{\"data\":{\"b\":\"2\",\"c\":\"3\"}}");
	/* a new field's nested directives are processed too */
	smp_case("Pod", "{}", "{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[{\"name\":\"E\","
			      "\"$patch\":\"delete\"}]}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[]}]}}");
	/* node status conditions by type */
	smp_case("Node", "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"},"
			 "{\"type\":\"DiskPressure\",\"status\":\"False\"}]}}",
		 "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
		 "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
		 "{\"type\":\"DiskPressure\",\"status\":\"False\"}]}}");
}

static void test_strategic_errors(void)
{
	const char *bad[] = {
		"{\"spec\":{\"containers\":[{\"image\":\"no-name\"}]}}",
		"{\"spec\":{\"containers\":[\"x\"]}}",
		"{\"metadata\":{\"finalizers\":[{\"a\":1}]}}",
		"{\"spec\":{\"$patch\":\"bogus\"}}",
		"{\"$bogus\":1}",
		"{\"spec\":{\"$retainKeys\":\"x\"}}",
		"[1]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *d = J(POD), *p = J(bad[i]), *out = NULL;
		char err[512] = "";
		CHECK_EQ_INT(patch_strategic(d, p, "", "Pod", &out, err, sizeof(err)), -EINVAL);
		CHECK(out == NULL && err[0]);
		json_decref(d);
		json_decref(p);
	}
	/* deep nesting is refused, not recursed into without bound */
	char deep[8192] = "";
	size_t n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"a\":");
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "1");
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "}");
	json_t *p = json_loads(deep, 0, NULL), *out = NULL, *d = json_object();
	char err[128];
	if (p) {
		CHECK_EQ_INT(patch_strategic(d, p, "", "Pod", &out, err, sizeof(err)), -EINVAL);
		CHECK(patch_merge(d, p, &out) != 0);
	}
	json_decref(p);
	json_decref(d);
}

int main(void)
{
	RUN(test_rfc7386);
	RUN(test_rfc6902);
	RUN(test_strategic);
	RUN(test_strategic_errors);
	return t_done();
}
