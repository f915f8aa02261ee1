/*
 * test_http.c - route pattern matching: captures, Google custom methods (":verb"),
 * rest captures, and non-matches.
 */
#include <stdlib.h>

#include "core/http.h"
#include "t.h"

static int match(const char *pat, const char *path, char **vals, size_t *n)
{
	const char *names[HTTP_MAX_PARAMS];
	return http_match(pat, path, names, vals, n);
}

static void freev(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

static void test_match(void)
{
	char *v[HTTP_MAX_PARAMS];
	size_t n = 0;
	CHECK(match("/v1/projects/{project}", "/v1/projects/demo", v, &n));
	CHECK_EQ_INT(n, 1);
	CHECK_STR(v[0], "demo");
	freev(v, n);
	/* A capture never swallows a custom method. */
	CHECK(!match("/v1/projects/{project}", "/v1/projects/demo:getIamPolicy", v, &n));
	CHECK(match("/v1/projects/{project}:getIamPolicy", "/v1/projects/demo:getIamPolicy", v, &n));
	CHECK_STR(v[0], "demo");
	freev(v, n);
	CHECK(match("/v1/projects/{p}/serviceAccounts/{sa}:generateAccessToken",
		    "/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken", v, &n));
	CHECK_EQ_INT(n, 2);
	CHECK_STR(v[1], "a@b.iam.gserviceaccount.com");
	freev(v, n);
	CHECK(match("/iam/v1/{name**}", "/iam/v1/roles/container.viewer", v, &n));
	CHECK_STR(v[0], "roles/container.viewer");
	freev(v, n);
	CHECK(!match("/v1/projects/{project}", "/v1/projects/", v, &n));
	CHECK(!match("/v1/projects/{project}", "/v1/projects/a/b", v, &n));
	CHECK(!match("/v1/projects", "/v1/projects/x", v, &n));
}

int main(void)
{
	RUN(test_match);
	return t_done();
}
