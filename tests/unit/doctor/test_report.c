/*
 * test_report.c - the doctor's report: capped strings, checks in order, the failed
 * count, the JSON shape {"checks":[{"id","status","title","evidence","fix"}],"failed":N}
 * and the text blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"
#include "t.h"

static void test_buf(void)
{
	struct dr_buf b = {0};
	CHECK_STR(dr_buf_str(&b), "");
	dr_buf_printf(&b, "a=%d", 1);
	dr_buf_printf(&b, ", %s", "b");
	CHECK_STR(dr_buf_str(&b), "a=1, b");
	CHECK_EQ_INT(b.len, 6);
	/* past the cap: the text stays as it was and oom is set */
	char *big = malloc(DR_BUF_CAP);
	CHECK(big != NULL);
	if (big) {
		memset(big, 'x', DR_BUF_CAP - 1);
		big[DR_BUF_CAP - 1] = '\0';
		dr_buf_printf(&b, "%s", big);
		CHECK(b.oom);
		CHECK_STR(dr_buf_str(&b), "a=1, b");
		free(big);
	}
	dr_buf_free(&b);
	CHECK(b.p == NULL && b.len == 0 && !b.oom);
}

static void test_report_json(void)
{
	struct dr_report r = {0};
	CHECK_EQ_INT(dr_add(&r, "one", DR_PASS, "fine", "GET x: y", NULL), 0);
	CHECK_EQ_INT(dr_add(&r, "two", DR_FAIL, "broken", "GET z: 404", "do this\nthen that"), 0);
	CHECK_EQ_INT(dr_add(&r, "three", DR_SKIP, "skipped", "", ""), 0);
	for (int i = 0; i < 40; i++) /* growth */
		CHECK_EQ_INT(dr_add(&r, "more", DR_PASS, "t", "e", NULL), 0);
	CHECK_EQ_INT(dr_failed(&r), 1);
	CHECK(dr_find(&r, "two") && dr_find(&r, "two")->status == DR_FAIL);
	CHECK(dr_find(&r, "nope") == NULL);
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	CHECK(f != NULL);
	if (!f)
		return;
	dr_print(&r, 1, f);
	fclose(f);
	json_t *j = json_loads(s, 0, NULL);
	CHECK(j != NULL);
	CHECK_EQ_INT(json_integer_value(json_object_get(j, "failed")), 1);
	json_t *checks = json_object_get(j, "checks");
	CHECK_EQ_INT(json_array_size(checks), 43);
	json_t *c1 = json_array_get(checks, 1);
	CHECK_STR(json_string_value(json_object_get(c1, "id")), "two");
	CHECK_STR(json_string_value(json_object_get(c1, "status")), "fail");
	CHECK_STR(json_string_value(json_object_get(c1, "fix")), "do this\nthen that");
	CHECK(json_is_null(json_object_get(json_array_get(checks, 0), "fix")));
	CHECK(json_is_null(json_object_get(json_array_get(checks, 2), "fix"))); /* "" is none */
	CHECK_STR(json_string_value(json_object_get(json_array_get(checks, 2), "status")), "skip");
	CHECK_EQ_INT(json_object_size(c1), 5);
	json_decref(j);
	free(s);

	s = NULL;
	f = open_memstream(&s, &n);
	CHECK(f != NULL);
	if (!f)
		return;
	dr_print(&r, 0, f);
	fclose(f);
	CHECK(strstr(s, "[FAIL] two: broken\n    evidence: GET z: 404\n    fix:\n      do this\n   "
			"   then that\n") != NULL);
	CHECK(strstr(s, "[PASS] one: fine\n") != NULL);
	CHECK(strstr(s, "doctor: 43 checks: 41 pass, 1 fail, 1 skip\n") != NULL);
	free(s);
	dr_report_free(&r);
}

static void test_jpath(void)
{
	json_t *j = json_pack("{s:{s:{s:s}}}", "metadata", "annotations", "iam.gke.io/x", "v");
	CHECK_STR(dr_jstr(j, "metadata", "annotations", "iam.gke.io/x", NULL), "v");
	CHECK(dr_jstr(j, "metadata", "labels", "a", NULL) == NULL);
	CHECK(dr_jstr(j, "metadata", NULL) == NULL); /* an object, not a string */
	CHECK(dr_jpath(j, "metadata", "annotations", "iam.gke.io/x", "deeper", NULL) == NULL);
	CHECK(dr_jpath(NULL, "a", NULL) == NULL);
	json_decref(j);
}

static void test_urlenc(void)
{
	char out[64];
	CHECK_EQ_INT(dr_urlenc("a b/c?d@e", out, sizeof(out)), 0);
	CHECK_STR(out, "a%20b%2Fc%3Fd@e");
	CHECK(dr_urlenc("abcdef", out, 6) < 0);
	CHECK_EQ_INT(dr_urlenc("abcde", out, 6), 0);
}

/* dr_path (issue 10 §7): a path that fits is built; one that does not is never sent
 * cut short: the answer says why, as an API that does not answer would, and names the
 * path's start. */
static void test_path(void)
{
	struct dr_resp r;
	char path[16], big[300];
	memset(&r, 0, sizeof(r));
	CHECK_EQ_INT(DR_PATH(&r, path, "v1/projects/%s", "p1"), 0);
	CHECK_STR(path, "v1/projects/p1");
	CHECK_EQ_INT(r.status, 0);
	CHECK_STR(r.err, "");
	CHECK_EQ_INT(DR_PATH(&r, path, "v1/projects/%s", "p123"), -ENAMETOOLONG);
	CHECK_STR(path, "");
	CHECK_EQ_INT(r.status, 0);
	CHECK_STR(r.err, "the request path is too long (at most 15 bytes)");
	CHECK_STR(r.url, "v1/projects/p123...");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ_INT(DR_PATH(&r, path, "%s", big), -ENAMETOOLONG);
	CHECK_EQ_INT(strlen(r.url), 203); /* its first 200 bytes and "..." */
	char brief[600];
	dr_resp_brief(&r, brief, sizeof(brief));
	CHECK_STR(brief, "no answer: the request path is too long (at most 15 bytes)");
	dr_resp_free(&r);
}

int main(void)
{
	RUN(test_buf);
	RUN(test_report_json);
	RUN(test_jpath);
	RUN(test_urlenc);
	RUN(test_path);
	return t_done();
}
