/*
 * test_selectors.c - unit tests for label and field selectors (kube/selectors.h):
 * the label selector grammar and its semantics (=, ==, !=, in, notin, exists, !key,
 * gt/lt), parse errors, field selectors with escapes and per-kind support (with
 * upstream's error messages), and FormatLabelSelector.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kube/selectors.h"
#include "t.h"

static int lmatch(const char *sel, const char *labels_json)
{
	struct selector *s = NULL;
	char err[512];
	json_t *labels = labels_json ? json_loads(labels_json, 0, NULL) : NULL;
	int rc = selector_parse_labels(sel, &s, err, sizeof(err));
	int m = rc == 0 ? selector_match_labels(s, labels) : -1;
	if (rc)
		fprintf(stderr, "# parse error for %s: %s\n", sel, err);
	selector_free(s);
	json_decref(labels);
	return m;
}

static int lparse_fails(const char *sel)
{
	struct selector *s = NULL;
	char err[512];
	int rc = selector_parse_labels(sel, &s, err, sizeof(err));
	selector_free(s);
	return rc == -EINVAL && err[0];
}

static void test_label_basics(void)
{
	const char *l = "{\"app\":\"web\",\"tier\":\"front\",\"n\":\"5\"}";
	CHECK_EQ_INT(lmatch(NULL, l), 1);
	CHECK_EQ_INT(lmatch("", l), 1);
	CHECK_EQ_INT(lmatch("", NULL), 1);
	CHECK_EQ_INT(lmatch("app=web", l), 1);
	CHECK_EQ_INT(lmatch("app==web", l), 1);
	CHECK_EQ_INT(lmatch("app=db", l), 0);
	CHECK_EQ_INT(lmatch("app!=db", l), 1);
	CHECK_EQ_INT(lmatch("app!=web", l), 0);
	CHECK_EQ_INT(lmatch("missing!=x", l), 1); /* != matches an absent label */
	CHECK_EQ_INT(lmatch("app=web,tier=front", l), 1);
	CHECK_EQ_INT(lmatch("app=web,tier=back", l), 0);
	CHECK_EQ_INT(lmatch(" app = web , tier in ( front , back ) ", l), 1);
	CHECK_EQ_INT(lmatch("tier in (back,middle)", l), 0);
	CHECK_EQ_INT(lmatch("tier notin (back,middle)", l), 1);
	CHECK_EQ_INT(lmatch("missing notin (a)", l), 1);
	CHECK_EQ_INT(lmatch("tier notin (front)", l), 0);
	CHECK_EQ_INT(lmatch("app", l), 1);
	CHECK_EQ_INT(lmatch("missing", l), 0);
	CHECK_EQ_INT(lmatch("!missing", l), 1);
	CHECK_EQ_INT(lmatch("!app", l), 0);
	CHECK_EQ_INT(lmatch("n>4", l), 1);
	CHECK_EQ_INT(lmatch("n>5", l), 0);
	CHECK_EQ_INT(lmatch("n<6", l), 1);
	CHECK_EQ_INT(lmatch("app", NULL), 0);
	CHECK_EQ_INT(lmatch("!app", NULL), 1);
	CHECK_EQ_INT(lmatch("app=", "{\"app\":\"\"}"), 1);
	CHECK_EQ_INT(lmatch("example.com/role=admin", "{\"example.com/role\":\"admin\"}"), 1);
	CHECK_EQ_INT(lmatch("x in (a,)", "{\"x\":\"\"}"), 1);
}

static void test_label_errors(void)
{
	CHECK(lparse_fails("app=web=x"));
	CHECK(lparse_fails("app in web"));
	CHECK(lparse_fails("app in (a"));
	CHECK(lparse_fails("=web"));
	CHECK(lparse_fails("app=bad value"));
	CHECK(lparse_fails("Bad_Key!/x=1"));
	CHECK(lparse_fails("n>abc"));
	CHECK(lparse_fails("!app=x"));
	CHECK(lparse_fails("app=web,"));
	CHECK(lparse_fails(",app"));
	CHECK(lparse_fails("a(b"));
	/* a very long token is refused, not overflowed */
	char big[2048];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(lparse_fails(big));
}

static int fmatch(const char *sel, const char *kind, const char *obj_json)
{
	struct selector *s = NULL;
	char err[512];
	json_t *o = json_loads(obj_json, 0, NULL);
	int rc = selector_parse_fields(sel, "", kind, &s, err, sizeof(err));
	int m = rc == 0 ? selector_match_fields(s, o) : -1;
	if (rc)
		fprintf(stderr, "# field parse error for %s: %s\n", sel, err);
	selector_free(s);
	json_decref(o);
	return m;
}

static void test_fields(void)
{
	const char *pod = "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
			  "\"spec\":{\"nodeName\":\"node-1\"},\"status\":{\"phase\":\"Running\"}}";
	CHECK_EQ_INT(fmatch("metadata.name=web", "Pod", pod), 1);
	CHECK_EQ_INT(fmatch("metadata.name==web", "Pod", pod), 1);
	CHECK_EQ_INT(fmatch("metadata.name!=web", "Pod", pod), 0);
	CHECK_EQ_INT(fmatch("metadata.namespace=default,status.phase=Running", "Pod", pod), 1);
	CHECK_EQ_INT(fmatch("status.phase!=Running", "Pod", pod), 0);
	CHECK_EQ_INT(fmatch("spec.nodeName=node-1", "Pod", pod), 1);
	CHECK_EQ_INT(fmatch("spec.host=node-1", "Pod", pod), 1); /* old clients' alias */
	CHECK_EQ_INT(fmatch("spec.nodeName=", "Pod", pod), 0);
	CHECK_EQ_INT(fmatch("spec.hostNetwork=false", "Pod", pod), 1);
	CHECK_EQ_INT(fmatch("", "Pod", pod), 1);

	const char *ev = "{\"metadata\":{\"name\":\"e1\"},\"involvedObject\":{\"kind\":\"Pod\","
			 "\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"u-1\"},"
			 "\"type\":\"Warning\",\"reason\":\"Failed\",\"source\":{\"component\":"
			 "\"kubelet\"}}";
	CHECK_EQ_INT(fmatch("involvedObject.name=web,involvedObject.namespace=default,"
			    "involvedObject.kind=Pod,involvedObject.uid=u-1",
			    "Event", ev),
		     1);
	CHECK_EQ_INT(fmatch("type=Normal", "Event", ev), 0);
	CHECK_EQ_INT(fmatch("source=kubelet", "Event", ev), 1);
	CHECK_EQ_INT(fmatch("type=Opaque", "Secret", "{\"type\":\"Opaque\"}"), 1);

	/* escapes in values */
	CHECK_EQ_INT(fmatch("metadata.name=a\\,b", "ConfigMap", "{\"metadata\":{\"name\":\"a,b\"}}"),
		     1);
}

static void test_field_errors(void)
{
	struct selector *s = NULL;
	char err[512];
	CHECK_EQ_INT(selector_parse_fields("spec.foo=bar", "", "Pod", &s, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "field label not supported: spec.foo");
	CHECK_EQ_INT(selector_parse_fields("data.x=1", "", "ConfigMap", &s, err, sizeof(err)),
		     -EINVAL);
	CHECK_STR(err, "\"data.x\" is not a known field selector: only \"metadata.name\", "
		       "\"metadata.namespace\"");
	CHECK_EQ_INT(selector_parse_fields("nonsense", "", "Pod", &s, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "invalid selector: 'nonsense'; can't understand 'nonsense'");
	CHECK_EQ_INT(selector_parse_fields("type=x", "rbac.authorization.k8s.io", "Role", &s, err,
					   sizeof(err)),
		     -EINVAL);
	CHECK(s == NULL);
}

static void fmt(const char *sel_json, const char *want)
{
	char out[512];
	json_t *j = json_loads(sel_json, 0, NULL);
	selector_format_label_selector(j, out, sizeof(out));
	CHECK_STR(out, want);
	json_decref(j);
}

static void test_format(void)
{
	fmt("{}", "<none>");
	fmt("{\"matchLabels\":{\"role\":\"db\",\"app\":\"x\"}}", "app=x,role=db");
	fmt("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"b\",\"a\"]},"
	    "{\"key\":\"env\",\"operator\":\"DoesNotExist\"}]}",
	    "!env,tier in (a,b)");
	fmt("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\"},{\"key\":\"j\","
	    "\"operator\":\"NotIn\",\"values\":[\"x\"]}]}",
	    "j notin (x),k");
	fmt("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Bogus\"}]}", "<error>");
}

int main(void)
{
	RUN(test_label_basics);
	RUN(test_label_errors);
	RUN(test_fields);
	RUN(test_field_errors);
	RUN(test_format);
	return t_done();
}
