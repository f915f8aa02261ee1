/*
 * test_patch.c - unit tests for kube/patch.h: the RFC 7386 examples (Appendix A), the
 * RFC 6902 examples (Appendix A) and error cases, and strategic merge patch as
 * kubectl sends it (containers merged by name, env by name, ports by containerPort,
 * $patch delete/replace, $setElementOrder, $deleteFromPrimitiveList, $retainKeys,
 * finalizers as a set, lists without a strategy replaced, labels with null deletion),
 * and the limits of issue 9: the self-doubling JSON patch refused with bounded work,
 * kube-apiserver's 10000 operations and 3 MiB of copies, nesting past 128 levels, deep
 * moves freed without recursion, merges in place and list merges in linear time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(patch_strategic(d, p, "", "Pod", &out, err, sizeof(err)), -ELOOP);
		CHECK_STR(err, "invalid character '{' exceeded max depth");
		CHECK_EQ_INT(patch_merge(d, p, &out), -ELOOP);
	}
	json_decref(p);
	json_decref(d);
}

/* Bytes jansson allocates while counting (json_set_alloc_funcs): work, deterministically. */
static size_t alloc_bytes;

static void *counting_malloc(size_t n)
{
	alloc_bytes += n;
	return malloc(n);
}

static void count_allocations(int on)
{
	alloc_bytes = 0;
	json_set_alloc_funcs(on ? counting_malloc : malloc, free);
}

/* A growing text buffer for generated patches. */
struct text {
	char *p;
	size_t n, cap;
};

static void put(struct text *t, const char *s)
{
	size_t l = strlen(s);
	if (t->n + l + 1 > t->cap) {
		size_t cap = (t->n + l + 1) * 2;
		char *np = realloc(t->p, cap);
		if (!np)
			abort();
		t->p = np;
		t->cap = cap;
	}
	memcpy(t->p + t->n, s, l + 1);
	t->n += l;
}

static void put_repeat(struct text *t, const char *s, int times)
{
	for (int i = 0; i < times; i++)
		put(t, s);
}

/*
 * The attack of issue 9 (CVE-2019-1002100's shape): every "copy" duplicates a subtree
 * into itself, so each operation doubles the document; 40 of them would need 2^40
 * copies of it. kube-apiserver refuses once the copies add up to JSONPatchMaxCopyBytes
 * (evanphx/json-patch's AccumulatedCopySizeError), before making the copy that would
 * cross it: the work done is bounded by the limit, not by 2^n.
 */
static void test_json_patch_doubling(void)
{
	struct text doc = {0}, patch = {0};
	char buf[128];
	put(&doc, "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\"},\"data\":{");
	for (int i = 0; i < 32; i++) {
		snprintf(buf, sizeof(buf), "%s\"k%02d\":\"0123456789abcdef0123456789abcdef\"",
			 i ? "," : "", i);
		put(&doc, buf);
	}
	put(&doc, "}}");
	put(&patch, "[");
	for (int i = 0; i < 40; i++) {
		snprintf(buf, sizeof(buf),
			 "%s{\"op\":\"copy\",\"from\":\"/data\",\"path\":\"/data/c%d\"}",
			 i ? "," : "", i);
		put(&patch, buf);
	}
	put(&patch, "]");
	json_t *d = J(doc.p), *p = J(patch.p), *out = NULL;
	char err[256] = "";
	clock_t t0 = clock();
	count_allocations(1);
	CHECK_EQ_INT(patch_json(d, p, &out, err, sizeof(err)), -EINVAL);
	size_t bytes = alloc_bytes;
	count_allocations(0);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(out == NULL);
	const char *pre = "Unable to complete the copy, the accumulated size increase of copy is ";
	CHECK(strncmp(err, pre, strlen(pre)) == 0);
	unsigned long long acc = strtoull(err + strlen(pre), NULL, 10);
	CHECK(strstr(err, ", exceeding the limit 3145728") != NULL);
	/* past the limit by less than one more doubling: nothing copied beyond it */
	CHECK(acc > PATCH_MAX_COPY_BYTES && acc <= 2ull * PATCH_MAX_COPY_BYTES + doc.n);
	CHECK(secs < 10.0);
	CHECK(bytes < 64u << 20); /* 2^40 copies of a 1.5 kB document, unbounded */
	fprintf(stderr,
		"# doubling patch (%zu bytes, 40 copies) refused in %.2f s, %zu bytes "
		"allocated: %s\n",
		patch.n, secs, bytes, err);
	json_decref(d);
	json_decref(p);
	free(doc.p);
	free(patch.p);
}

/* The limit counts json.Marshal's bytes (HTML characters escaped as \u003c), and a copy
 * that reaches it exactly still applies: upstream refuses only "exceeding the limit". */
static void copy_size_case(const char *ch, int n, int copies, int want_rc, const char *want_err)
{
	struct text doc = {0}, patch = {0};
	char buf[96];
	put(&doc, "{\"s\":\"");
	put_repeat(&doc, ch, n);
	put(&doc, "\"}");
	put(&patch, "[");
	for (int i = 0; i < copies; i++) {
		snprintf(buf, sizeof(buf), "%s{\"op\":\"copy\",\"from\":\"/s\",\"path\":\"/c%d\"}",
			 i ? "," : "", i);
		put(&patch, buf);
	}
	put(&patch, "]");
	json_t *d = J(doc.p), *p = J(patch.p), *out = NULL;
	char err[256] = "";
	CHECK_EQ_INT(patch_json(d, p, &out, err, sizeof(err)), want_rc);
	if (want_err)
		CHECK_STR(err, want_err);
	CHECK(want_rc ? out == NULL : json_object_size(out) == (size_t)copies + 1);
	json_decref(d);
	json_decref(p);
	json_decref(out);
	free(doc.p);
	free(patch.p);
}

static void test_json_patch_copy_limit(void)
{
	/* 3145726 letters and two quotes: exactly the limit */
	copy_size_case("a", PATCH_MAX_COPY_BYTES - 2, 1, 0, NULL);
	copy_size_case("a", PATCH_MAX_COPY_BYTES - 1, 1, -EINVAL,
		       "Unable to complete the copy, the accumulated size increase of copy is "
		       "3145729, exceeding the limit 3145728");
	/* 524288 '<' are 3145728 bytes escaped, 3145730 with the quotes */
	copy_size_case("<", 524288, 1, -EINVAL,
		       "Unable to complete the copy, the accumulated size increase of copy is "
		       "3145730, exceeding the limit 3145728");
	/* the limit is for all copies together: three of 1000002 bytes fit, four do not */
	copy_size_case("a", 1000000, 3, 0, NULL);
	copy_size_case("a", 1000000, 4, -EINVAL,
		       "Unable to complete the copy, the accumulated size increase of copy is "
		       "4000008, exceeding the limit 3145728");
}

/* maxJSONPatchOperations: 10000 operations apply, 10001 are refused before any. */
static void test_json_patch_operations(void)
{
	for (int ops = PATCH_MAX_OPERATIONS; ops <= PATCH_MAX_OPERATIONS + 1; ops++) {
		struct text patch = {0};
		put(&patch, "[");
		for (int i = 0; i < ops; i++)
			put(&patch, i ? ",{\"op\":\"test\",\"path\":\"/a\",\"value\":1}"
				      : "{\"op\":\"test\",\"path\":\"/a\",\"value\":1}");
		put(&patch, "]");
		json_t *d = J("{\"a\":1}"), *p = J(patch.p), *out = NULL;
		char err[256] = "";
		int rc = patch_json(d, p, &out, err, sizeof(err));
		if (ops == PATCH_MAX_OPERATIONS) {
			CHECK_EQ_INT(rc, 0);
		} else {
			CHECK_EQ_INT(rc, -E2BIG);
			CHECK_STR(err,
				  "The allowed maximum operations in a JSON patch is 10000, got "
				  "10001");
		}
		json_decref(d);
		json_decref(p);
		json_decref(out);
		free(patch.p);
	}
}

/*
 * "move" nests without copying: each round moves /a to the end of a 60-level chain
 * and the chain back to /a, 60 levels deeper. 2000 rounds nest /a 120000 levels deep,
 * far past what jansson's recursive free can take on the stack. The result is refused
 * for its depth and freed without recursion.
 */
static void test_json_patch_move_depth(void)
{
	struct text patch = {0};
	put(&patch, "[");
	for (int round = 0; round < 2000; round++) {
		put(&patch, round ? ",{\"op\":\"add\",\"path\":\"/b\",\"value\":"
				  : "{\"op\":\"add\",\"path\":\"/b\",\"value\":");
		put_repeat(&patch, "{\"x\":", 59);
		put(&patch, "{}");
		put_repeat(&patch, "}", 59);
		put(&patch, "},{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/b");
		put_repeat(&patch, "/x", 60);
		put(&patch, "\"},{\"op\":\"move\",\"from\":\"/b\",\"path\":\"/a\"}");
	}
	put(&patch, "]");
	json_t *d = J("{\"a\":{}}"), *p = J(patch.p), *out = NULL;
	char err[256] = "";
	CHECK(p != NULL);
	CHECK_EQ_INT(patch_json(d, p, &out, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "invalid character '{' exceeded max depth");
	CHECK(out == NULL);
	json_decref(d);
	json_decref(p);
	free(patch.p);

	/* a few rounds stay within the limit and apply */
	d = J("{\"a\":{}}");
	p = J("[{\"op\":\"add\",\"path\":\"/b\",\"value\":{\"x\":{\"x\":{}}}},"
	      "{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/b/x/x/x\"},"
	      "{\"op\":\"move\",\"from\":\"/b\",\"path\":\"/a\"}]");
	CHECK_EQ_INT(patch_json(d, p, &out, err, sizeof(err)), 0);
	CHECK(same(out, "{\"a\":{\"x\":{\"x\":{\"x\":{}}}}}"));
	json_decref(d);
	json_decref(p);
	json_decref(out);
}

/* n objects nested in each other, as text: {"a":{"a":...1...}} */
static char *nested(int n)
{
	struct text t = {0};
	put_repeat(&t, "{\"a\":", n);
	put(&t, "1");
	put_repeat(&t, "}", n);
	return t.p;
}

/* Nesting as Go's JSON scanner counts it: 128 levels are fine, the 129th bracket is
 * refused and named; brackets inside strings do not count. */
static void test_depth(void)
{
	char open = 0;
	struct text t = {0};
	put_repeat(&t, "[", PATCH_MAX_DEPTH);
	put_repeat(&t, "]", PATCH_MAX_DEPTH);
	CHECK_EQ_INT(patch_text_depth(t.p, t.n, &open), 0);
	json_t *j = J(t.p);
	CHECK_EQ_INT(patch_depth(j, &open), 0);
	json_decref(j);
	free(t.p);
	memset(&t, 0, sizeof(t));
	put_repeat(&t, "[", PATCH_MAX_DEPTH - 1);
	put(&t, "{\"k\":{}}");
	put_repeat(&t, "]", PATCH_MAX_DEPTH - 1);
	CHECK_EQ_INT(patch_text_depth(t.p, t.n, &open), -ELOOP);
	CHECK_EQ_INT(open, '{');
	j = J(t.p);
	open = 0;
	CHECK_EQ_INT(patch_depth(j, &open), -ELOOP);
	CHECK_EQ_INT(open, '{');
	json_decref(j);
	free(t.p);
	/* strings: brackets and escaped quotes inside them are text */
	memset(&t, 0, sizeof(t));
	put(&t, "{\"s\":\"");
	put_repeat(&t, "[{\\\"", 300);
	put(&t, "\"}");
	CHECK_EQ_INT(patch_text_depth(t.p, t.n, &open), 0);
	free(t.p);
	/* scalars and closing brackets without openers */
	CHECK_EQ_INT(patch_text_depth("]]]]1", 5, &open), 0);
	CHECK_EQ_INT(patch_depth(NULL, &open), 0);
}

/* Merge and strategic merge patches 1000 levels deep were a 500 "out of memory": now
 * the depth is checked first (a 400 with the decoder's words in registry.c). */
static void test_merge_depth(void)
{
	char *text = nested(1000);
	json_t *p = J(text), *d = J(POD), *out = NULL;
	char err[128] = "";
	CHECK_EQ_INT(patch_merge(d, p, &out), -ELOOP);
	CHECK(out == NULL);
	CHECK_EQ_INT(patch_strategic(d, p, "", "Pod", &out, err, sizeof(err)), -ELOOP);
	CHECK_STR(err, "invalid character '{' exceeded max depth");
	json_decref(p);
	free(text);
	/* 128 levels apply */
	text = nested(PATCH_MAX_DEPTH);
	p = J(text);
	CHECK_EQ_INT(patch_merge(d, p, &out), 0);
	CHECK(json_is_object(json_object_get(out, "a")));
	json_decref(out);
	out = NULL;
	CHECK_EQ_INT(patch_strategic(d, p, "", "Pod", &out, err, sizeof(err)), 0);
	CHECK(json_is_object(json_object_get(out, "a")));
	json_decref(out);
	json_decref(p);
	json_decref(d);
	free(text);
}

/*
 * A merge patch used to copy the whole remaining subtree at every level it went down:
 * 120 levels over a 2 MiB payload meant 240 MiB of copies. Merged in place, the payload
 * is copied once.
 */
static void test_merge_in_place(void)
{
	struct text doc = {0};
	put_repeat(&doc, "{\"a\":", 120);
	put(&doc, "{\"big\":\"");
	put_repeat(&doc, "0123456789abcdef", 131072);
	put(&doc, "\"}");
	put_repeat(&doc, "}", 120);
	char *ptext = nested(120);
	json_t *d = J(doc.p), *p = J(ptext), *out = NULL;
	char err[128];
	count_allocations(1);
	CHECK_EQ_INT(patch_merge(d, p, &out), 0);
	size_t merge_bytes = alloc_bytes;
	json_decref(out);
	count_allocations(1);
	CHECK_EQ_INT(patch_strategic(d, p, "", "ConfigMap", &out, err, sizeof(err)), 0);
	size_t smp_bytes = alloc_bytes;
	json_decref(out);
	count_allocations(0);
	/* one copy of the 2 MiB payload, not one per level */
	CHECK(merge_bytes < 3u << 20);
	CHECK(smp_bytes < 3u << 20);
	fprintf(stderr, "# merges 120 levels over 2 MiB allocate %zu and %zu bytes\n", merge_bytes,
		smp_bytes);
	json_decref(d);
	json_decref(p);
	free(ptext);
	free(doc.p);
}

/* Lists merged through indexes keep the semantics of a search from the front: the
 * first element with a key merges, "$patch": "delete" removes every one, numbers
 * compare by value, and $setElementOrder picks the first match. */
static void test_strategic_lists(void)
{
	smp_case("Pod",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"v\":1},{\"name\":\"a\",\"v\":2},"
		 "{\"name\":\"b\"}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"v\":9}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"v\":9},{\"name\":\"a\",\"v\":2},"
		 "{\"name\":\"b\"}]}}");
	smp_case("Pod",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"v\":1},{\"name\":\"b\"},"
		 "{\"name\":\"a\",\"v\":2}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"$patch\":\"delete\"},"
		 "{\"name\":\"a\",\"v\":5},{\"name\":\"c\"},{\"name\":\"c\",\"w\":1}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"a\",\"v\":5},"
		 "{\"name\":\"c\",\"w\":1}]}}");
	/* merge keys compare by value: 80.0 is 80, "80" is not */
	smp_case("Pod",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80},"
		 "{\"containerPort\":\"80\"}]}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80.0,"
		 "\"name\":\"http\"}]}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80.0,"
		 "\"name\":\"http\"},{\"containerPort\":\"80\"}]}]}}");
	smp_case("Pod", "{\"metadata\":{\"finalizers\":[1,\"1\",\"x\"]}}",
		 "{\"metadata\":{\"finalizers\":[1.0,\"2\",\"x\",\"2\"]}}",
		 "{\"metadata\":{\"finalizers\":[1,\"1\",\"x\",\"2\"]}}");
	smp_case("Pod", "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"a\",1,true]}}",
		 "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\",1.0,\"zz\"]}}",
		 "{\"metadata\":{\"finalizers\":[\"b\",true]}}");
	smp_case("Pod",
		 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"v\":1},{\"name\":\"b\"},"
		 "{\"name\":\"a\",\"v\":2},{\"name\":\"c\"}]}}",
		 "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"a\"},"
		 "{\"name\":\"zz\"},{\"name\":\"c\"}]}}",
		 "{\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"a\",\"v\":1},"
		 "{\"name\":\"b\"},{\"name\":\"a\",\"v\":2}]}}");
	smp_case("Pod", "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}",
		 "{\"metadata\":{\"$setElementOrder/finalizers\":[\"c\",\"a\"]}}",
		 "{\"metadata\":{\"finalizers\":[\"c\",\"a\",\"b\"]}}");
	smp_case("Pod", "{\"spec\":{\"a\":1,\"b\":2,\"c\":3}}",
		 "{\"spec\":{\"$retainKeys\":[\"a\",\"c\",\"zz\",7],\"c\":4}}",
		 "{\"spec\":{\"a\":1,\"c\":4}}");
}

/* n strings "<prefix><i>" as a JSON list */
static void put_names(struct text *t, const char *fmt, int n)
{
	char buf[64];
	put(t, "[");
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), fmt, i ? "," : "", i);
		put(t, buf);
	}
	put(t, "]");
}

/*
 * 40000 finalizers and containers in the object and in the patch: searched once per
 * patch element, that was 32 s on the event loop (release build) for the finalizers
 * alone, and grows with the square (3 MiB bodies hold 300000). Indexed, it is linear.
 */
static void test_strategic_big_lists(void)
{
	const int n = 40000;
	struct text doc = {0}, patch = {0};
	put(&doc, "{\"metadata\":{\"finalizers\":");
	put_names(&doc, "%s\"a%d\"", n);
	put(&doc, "},\"spec\":{\"containers\":");
	put_names(&doc, "%s{\"name\":\"c%d\"}", n);
	put(&doc, "}}");
	put(&patch, "{\"metadata\":{\"finalizers\":");
	put_names(&patch, "%s\"b%d\"", n);
	put(&patch, ",\"$deleteFromPrimitiveList/finalizers\":");
	put_names(&patch, "%s\"a%d\"", n);
	put(&patch, "},\"spec\":{\"containers\":");
	put_names(&patch, "%s{\"name\":\"c%d\",\"image\":\"x\"}", n);
	put(&patch, ",\"$setElementOrder/containers\":");
	put_names(&patch, "%s{\"name\":\"c%d\"}", n);
	put(&patch, ",\"$retainKeys\":");
	put_names(&patch, "%s\"k%d\"", n);
	put(&patch, "}}");
	json_t *d = J(doc.p), *p = J(patch.p), *out = NULL;
	char err[256];
	clock_t t0 = clock();
	CHECK_EQ_INT(patch_strategic(d, p, "", "Pod", &out, err, sizeof(err)), 0);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	const json_t *fin = json_object_get(json_object_get(out, "metadata"), "finalizers");
	const json_t *ctr = json_object_get(json_object_get(out, "spec"), "containers");
	CHECK_EQ_INT(json_array_size(fin), n);
	CHECK_STR(json_string_value(json_array_get(fin, 0)), "b0");
	CHECK_EQ_INT(json_array_size(ctr), n);
	CHECK_STR(json_string_value(json_object_get(json_array_get(ctr, n - 1), "image")), "x");
	CHECK(secs < 5.0);
	fprintf(stderr, "# strategic merge of %d-element lists: %.2f s\n", n, secs);
	json_decref(d);
	json_decref(p);
	json_decref(out);
	free(doc.p);
	free(patch.p);
}

int main(void)
{
	RUN(test_rfc7386);
	RUN(test_rfc6902);
	RUN(test_strategic);
	RUN(test_strategic_errors);
	RUN(test_json_patch_doubling);
	RUN(test_json_patch_copy_limit);
	RUN(test_json_patch_operations);
	RUN(test_json_patch_move_depth);
	RUN(test_depth);
	RUN(test_merge_depth);
	RUN(test_merge_in_place);
	RUN(test_strategic_lists);
	RUN(test_strategic_big_lists);
	return t_done();
}
