/*
 * test_mdpath.c - the metadata server's request target (node/mdpath.c): paths routed as
 * GKE's metadata server routes them (the root, /computeMetadata and its redirects,
 * concealed legacy and kube-env paths, everything else 404) and the query's parameters
 * with their bounds and GKE's 400 texts.
 *
 * node/mdpath.c comes with the branch that moved parsing out of metadata.c; until it is
 * in the tree this program only says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#if __has_include("node/mdpath.h")
#include <errno.h>

#include "node/mdpath.h"

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The target of raw; rel and dir when it is below /computeMetadata/v1/. */
static void check_path(const char *raw, enum md_target t, const char *rel, int dir)
{
	struct md_path p;
	int rc = md_path_parse(raw, &p);
	CHECK_EQ_INT(rc, 0);
	if (rc != 0)
		return;
	CHECK_EQ_INT(p.t, t);
	if (t == MD_T_V1) {
		CHECK_STR(p.rel, rel);
		CHECK_EQ_INT(p.dir, dir);
	}
	md_path_free(&p);
}

static void test_paths(void)
{
	check_path("/", MD_T_ROOT, NULL, 0);
	check_path("/computeMetadata", MD_T_CM_REDIRECT, NULL, 0);
	check_path("/computeMetadata/", MD_T_CM_DIR, NULL, 0);
	check_path("/computeMetadata/v1", MD_T_V1_REDIRECT, NULL, 0);
	check_path("/computeMetadata/v1/", MD_T_V1, "", 1);
	check_path("/computeMetadata/v1/instance/", MD_T_V1, "instance", 1);
	check_path("/computeMetadata/v1/instance", MD_T_V1, "instance", 0);
	check_path("/computeMetadata/v1/project/project-id", MD_T_V1, "project/project-id", 0);
	check_path("/computeMetadata/v1/instance/service-accounts/a%40b.iam.gserviceaccount.com/"
		   "email",
		   MD_T_V1, "instance/service-accounts/a@b.iam.gserviceaccount.com/email", 0);
	/* concealed, as GKE's metadata server conceals them (403) */
	check_path("/computeMetadata/v1beta1/instance/service-accounts/default/identity",
		   MD_T_CONCEALED, NULL, 0);
	check_path("/0.1/meta-data/attributes/kube-env", MD_T_CONCEALED, NULL, 0);
	check_path("/0.1", MD_T_CONCEALED, NULL, 0);
	check_path("/computeMetadata/v1/instance/attributes/kube-env", MD_T_CONCEALED, NULL, 0);
	check_path("/computeMetadata/v1/instance/attributes/kubelet-config", MD_T_CONCEALED, NULL,
		   0);
	/* outside the API */
	check_path("/latest/meta-data/", MD_T_NOT_FOUND, NULL, 0);
	check_path("/computeMetadata/v1x", MD_T_NOT_FOUND, NULL, 0);
	check_path("/computeMetadata/v2/", MD_T_NOT_FOUND, NULL, 0);
	/* refused: no path, a NUL once decoded, not absolute */
	struct md_path p;
	CHECK_EQ_INT(md_path_parse(NULL, &p), -EINVAL);
	CHECK_EQ_INT(md_path_parse("/computeMetadata/v1/a%00b", &p), -EINVAL);
	CHECK_EQ_INT(md_path_parse("computeMetadata/v1/", &p), -EINVAL);
	CHECK_EQ_INT(md_path_parse("", &p), -EINVAL);
}

/* Parses query into *q; the status and text when refused. */
static int parse(const char *query, struct md_query *q, int *status, const char **text)
{
	*text = NULL;
	*status = 0;
	return md_query_parse(query, q, status, text);
}

static void test_query(void)
{
	struct md_query q;
	int status;
	const char *text;
	CHECK_EQ_INT(parse(NULL, &q, &status, &text), 0);
	CHECK(!q.recursive && q.alt == MD_ALT_DEFAULT && !q.scopes && !q.audience && !q.wait &&
	      q.wait_s == 0 && !q.full && !q.bad_format);
	md_query_free(&q);

	CHECK_EQ_INT(parse("recursive=true&alt=json", &q, &status, &text), 0);
	CHECK(q.recursive);
	CHECK_EQ_INT(q.alt, MD_ALT_JSON);
	md_query_free(&q);
	CHECK_EQ_INT(parse("recursive=TRUE&alt=text", &q, &status, &text), 0);
	CHECK(q.recursive);
	CHECK_EQ_INT(q.alt, MD_ALT_TEXT);
	md_query_free(&q);
	CHECK_EQ_INT(parse("recursive=1&alt=yaml", &q, &status, &text), 0);
	CHECK(q.recursive);
	CHECK_EQ_INT(q.alt, MD_ALT_DEFAULT);
	md_query_free(&q);
	CHECK_EQ_INT(parse("recursive=yes", &q, &status, &text), 0);
	CHECK(!q.recursive);
	md_query_free(&q);

	CHECK_EQ_INT(parse("scopes=https://www.googleapis.com/auth/cloud-platform,x&"
			   "audience=https%3A%2F%2Fexample.com&format=full",
			   &q, &status, &text),
		     0);
	CHECK_STR(q.scopes, "https://www.googleapis.com/auth/cloud-platform,x");
	CHECK_STR(q.audience, "https://example.com");
	CHECK(q.have_audience && q.full && !q.bad_format);
	md_query_free(&q);
	CHECK_EQ_INT(parse("scopes=&audience=&format=standard", &q, &status, &text), 0);
	CHECK(!q.scopes && !q.audience && !q.have_audience && !q.full && !q.bad_format);
	md_query_free(&q);
	CHECK_EQ_INT(parse("format=x", &q, &status, &text), 0);
	CHECK(q.bad_format); /* answered 400 once the path is known to be identity */
	md_query_free(&q);

	CHECK_EQ_INT(
		parse("wait_for_change=true&last_etag=0123abcd&timeout_sec=5", &q, &status, &text),
		0);
	CHECK(q.wait);
	CHECK_STR(q.last_etag, "0123abcd");
	CHECK_EQ_INT(q.wait_s, 5);
	md_query_free(&q);
	CHECK_EQ_INT(parse("timeout_sec=86400", &q, &status, &text), 0);
	CHECK_EQ_INT(q.wait_s, MD_WAIT_MAX_SECONDS);
	md_query_free(&q);
	char *etag = repeat('e', 80), buf[200];
	snprintf(buf, sizeof(buf), "last_etag=%s", etag);
	CHECK_EQ_INT(parse(buf, &q, &status, &text), 0);
	CHECK_STR(q.last_etag, ""); /* too long to be one of ours: no etag */
	md_query_free(&q);
	free(etag);

	/* refused, with GKE's wording */
	CHECK_EQ_INT(parse("timeout_sec=-1", &q, &status, &text), -EINVAL);
	CHECK_EQ_INT(status, 400);
	CHECK_STR(text, "GKE Metadata Server encountered an error: invalid timeout_sec\n");
	CHECK_EQ_INT(parse("timeout_sec=5s", &q, &status, &text), -EINVAL);
	CHECK_EQ_INT(status, 400);
	CHECK_EQ_INT(parse("recursive", &q, &status, &text), -EINVAL);
	CHECK_EQ_INT(status, 400);
	CHECK_STR(text, "GKE Metadata Server encountered an error: malformed query\n");
	CHECK_EQ_INT(parse("a=1&&b=2", &q, &status, &text), -EINVAL);

	char *big = repeat('s', MD_SCOPES_MAX), *q2 = malloc(MD_SCOPES_MAX + 16);
	snprintf(q2, MD_SCOPES_MAX + 16, "scopes=%s", big);
	CHECK_EQ_INT(parse(q2, &q, &status, &text), -EINVAL);
	CHECK_EQ_INT(status, 400);
	CHECK_STR(text, "GKE Metadata Server encountered an error: scopes too long\n");
	free(big);
	big = repeat('a', MD_AUDIENCE_MAX);
	snprintf(q2, MD_SCOPES_MAX + 16, "audience=%s", big);
	CHECK_EQ_INT(parse(q2, &q, &status, &text), 0); /* at the bound: taken */
	CHECK_EQ_INT(strlen(q.audience), MD_AUDIENCE_MAX);
	md_query_free(&q);
	free(big);
	big = repeat('a', MD_AUDIENCE_MAX + 1);
	snprintf(q2, MD_SCOPES_MAX + 16, "audience=%s", big);
	CHECK_EQ_INT(parse(q2, &q, &status, &text), -EINVAL);
	CHECK_STR(text, "GKE Metadata Server encountered an error: audience too long\n");
	free(big);
	free(q2);
}

int main(void)
{
	RUN(test_paths);
	RUN(test_query);
	return t_done();
}

#else
int main(void)
{
	printf("# skipped: node/mdpath.h is not in the tree yet\n");
	return t_done();
}
#endif
