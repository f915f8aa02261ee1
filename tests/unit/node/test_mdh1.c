/*
 * test_mdh1.c - the fast path's HTTP/1.1 bytes (node/mdh1.c): which request heads it
 * takes (a GET of a token as curl, google-auth, gcp-metadata and wrk send it) and which
 * it leaves to evhttp (anything evhttp or metadata.c would read differently or refuse:
 * another method or version, a body, Expect, proxy headers, Connection: close, folded
 * or malformed lines, a query, percent-escapes, oversize heads), heads cut anywhere,
 * pipelined heads, the token target's account, RFC 1123 dates and the answer's bytes,
 * which must be evhttp's (the header order of evhttp_make_header_response).
 */
#include <errno.h>
#include <string.h>

#include "t.h"

#include "node/mdh1.h"

#define TOKEN_PATH "/computeMetadata/v1/instance/service-accounts/default/token"
#define CURL_HEAD                                                                                  \
	"GET " TOKEN_PATH " HTTP/1.1\r\nHost: 127.0.0.5:988\r\nUser-Agent: curl/7.88.1\r\n"        \
	"Accept: */*\r\nMetadata-Flavor: Google\r\n\r\n"

static int parse(const char *s, struct mdh1_req *r)
{
	return mdh1_parse(s, strlen(s), r);
}

static void test_clients(void)
{
	struct mdh1_req r;
	CHECK_EQ_INT(parse(CURL_HEAD, &r), (int)strlen(CURL_HEAD));
	CHECK_EQ_INT(r.target_len, strlen(TOKEN_PATH));
	CHECK(memcmp(r.target, TOKEN_PATH, r.target_len) == 0);
	CHECK_EQ_INT(r.flavor_len, 6);
	CHECK(memcmp(r.flavor, "Google", 6) == 0);
	CHECK_EQ_INT(r.n_headers, 4);
	/* python requests (google-auth): keep-alive, lower-case-insensitive names */
	const char *py = "GET " TOKEN_PATH " HTTP/1.1\r\nHost: 169.254.169.254\r\n"
			 "User-Agent: python-requests/2.31\r\nAccept-Encoding: gzip, deflate\r\n"
			 "Accept: */*\r\nConnection: keep-alive\r\nmetadata-flavor: Google\r\n\r\n";
	CHECK_EQ_INT(parse(py, &r), (int)strlen(py));
	CHECK_EQ_INT(r.flavor_len, 6);
	/* no Metadata-Flavor: still a head the fast path reads; it is not answered there */
	const char *bare = "GET " TOKEN_PATH " HTTP/1.1\r\nHost: x\r\n\r\n";
	CHECK_EQ_INT(parse(bare, &r), (int)strlen(bare));
	CHECK(r.flavor == NULL);
	/* the first Metadata-Flavor decides, as evhttp_find_header returns it */
	const char *two =
		"GET / HTTP/1.1\r\nMetadata-Flavor: Nope\r\nMetadata-Flavor: Google\r\n\r\n";
	CHECK(parse(two, &r) > 0);
	CHECK_EQ_INT(r.flavor_len, 4);
	/* evhttp skips leading spaces (not tabs) and trims trailing white space */
	CHECK(parse("GET / HTTP/1.1\r\nMetadata-Flavor:   Google \t\r\n\r\n", &r) > 0);
	CHECK(r.flavor_len == 6 && memcmp(r.flavor, "Google", 6) == 0);
	CHECK(parse("GET / HTTP/1.1\r\nMetadata-Flavor:\tGoogle\r\n\r\n", &r) > 0);
	CHECK_EQ_INT(r.flavor_len, 7);
	CHECK(parse("GET / HTTP/1.1\r\nMetadata-Flavor:\r\n\r\n", &r) > 0);
	CHECK_EQ_INT(r.flavor_len, 0);
}

static void test_not_fast(void)
{
	struct mdh1_req r;
	static const char *const heads[] = {
		"HEAD " TOKEN_PATH " HTTP/1.1\r\n\r\n",
		"POST " TOKEN_PATH " HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
		"get " TOKEN_PATH " HTTP/1.1\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.0\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\n\n",			     /* bare LF */
		"GET " TOKEN_PATH " HTTP/1.1\r\nHost: x\n\r\n",		     /* bare LF */
		"GET  " TOKEN_PATH " HTTP/1.1\r\n\r\n",			     /* two spaces */
		"GET " TOKEN_PATH "  HTTP/1.1\r\n\r\n",			     /* two spaces */
		"GET " TOKEN_PATH "?alt=text HTTP/1.1\r\n\r\n",		     /* a query */
		"GET /computeMetadata/v1/instance/%41 HTTP/1.1\r\n\r\n",     /* an escape */
		"GET http://169.254.169.254" TOKEN_PATH " HTTP/1.1\r\n\r\n", /* absolute form */
		"GET " TOKEN_PATH " HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde",
		"GET " TOKEN_PATH " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nforwarded: for=10.0.0.1\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nConnection: close\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nConnection: Upgrade\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", /* continuation */
		"GET " TOKEN_PATH " HTTP/1.1\r\nNo colon\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nMetadata-Flavor : Google\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\n: empty name\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\nX: a\x01z\r\n\r\n", /* a control byte */
		"GET " TOKEN_PATH " HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n",
		"GET " TOKEN_PATH " HTTP/1.1\r\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		int rc = parse(heads[i], &r);
		if (rc != MDH1_NOT_FAST)
			fprintf(stderr, "# head %zu: %d\n", i, rc);
		CHECK_EQ_INT(rc, MDH1_NOT_FAST);
	}
	/* a NUL inside the head */
	const char nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
	CHECK_EQ_INT(mdh1_parse(nul, sizeof(nul) - 1, &r), MDH1_NOT_FAST);
	/* more than MDH1_HEADERS_MAX headers */
	char many[4096] = "GET / HTTP/1.1\r\n";
	for (int i = 0; i <= MDH1_HEADERS_MAX; i++)
		strcat(many, "A: b\r\n");
	strcat(many, "\r\n");
	CHECK_EQ_INT(parse(many, &r), MDH1_NOT_FAST);
}

/* Every cut of a fast head is MORE; the whole is its length. */
static void test_cuts(void)
{
	struct mdh1_req r;
	size_t len = strlen(CURL_HEAD);
	int bad = 0;
	for (size_t i = 0; i < len; i++)
		bad += mdh1_parse(CURL_HEAD, i, &r) != MDH1_MORE;
	CHECK_EQ_INT(bad, 0);
	/* cuts of a head that cannot be fast say so as soon as they can */
	CHECK_EQ_INT(mdh1_parse("POST", 4, &r), MDH1_NOT_FAST);
	CHECK_EQ_INT(mdh1_parse("GE", 2, &r), MDH1_MORE);
	CHECK_EQ_INT(mdh1_parse("GET / HTTP/1.0", 14, &r), MDH1_NOT_FAST);
}

static void test_pipelined_and_sizes(void)
{
	struct mdh1_req r;
	char two[1024];
	snprintf(two, sizeof(two), "%s%s", CURL_HEAD, CURL_HEAD);
	CHECK_EQ_INT(parse(two, &r), (int)strlen(CURL_HEAD));
	CHECK_EQ_INT(parse(two + strlen(CURL_HEAD), &r), (int)strlen(CURL_HEAD));
	/* a head of MDH1_HEAD_MAX bytes or more is never fast, complete or not */
	static char big[MDH1_HEAD_MAX + 64];
	int n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX-Pad: ");
	memset(big + n, 'a', sizeof(big) - (size_t)n);
	CHECK_EQ_INT(mdh1_parse(big, MDH1_HEAD_MAX - 100, &r), MDH1_MORE);
	CHECK_EQ_INT(mdh1_parse(big, sizeof(big), &r), MDH1_NOT_FAST);
	size_t fit = MDH1_HEAD_MAX - 4;
	memcpy(big + fit, "\r\n\r\n", 4);
	CHECK_EQ_INT(mdh1_parse(big, fit + 4, &r), MDH1_HEAD_MAX);
	memcpy(big + fit, "a\r\n\r\n", 5);
	CHECK_EQ_INT(mdh1_parse(big, fit + 5, &r), MDH1_NOT_FAST);
}

static void test_token_account(void)
{
	const char *a;
	size_t al;
	const char *t = TOKEN_PATH;
	CHECK_EQ_INT(mdh1_token_account(t, strlen(t), &a, &al), 0);
	CHECK(al == 7 && memcmp(a, "default", 7) == 0);
	t = "/computeMetadata/v1/instance/service-accounts/"
	    "app@demo-project.iam.gserviceaccount.com/"
	    "token";
	CHECK_EQ_INT(mdh1_token_account(t, strlen(t), &a, &al), 0);
	CHECK_EQ_INT(al, strlen("app@demo-project.iam.gserviceaccount.com"));
	static const char *const no[] = {
		"/computeMetadata/v1/instance/service-accounts//token",
		"/computeMetadata/v1/instance/service-accounts/token",
		"/computeMetadata/v1/instance/service-accounts/default/token/",
		"/computeMetadata/v1/instance/service-accounts/default/identity",
		"/computeMetadata/v1/instance/service-accounts/a/b/token",
		"/computeMetadata/v1/instance/service-accounts/../token",
		"/computeMetadata/v1/instance/service-accounts/./token",
		"/computeMetadata/v1/instance/service-accounts/def%61ult/token",
		"/computeMetadata/v1beta1/instance/service-accounts/default/token",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK_EQ_INT(mdh1_token_account(no[i], strlen(no[i]), &a, &al), -EINVAL);
}

static void test_date(void)
{
	char d[MDH1_DATE_LEN + 1];
	mdh1_date(784111777, d); /* RFC 9110's example */
	CHECK_STR(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	mdh1_date(0, d);
	CHECK_STR(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	mdh1_date(1796193175, d);
	CHECK_STR(d, "Wed, 02 Dec 2026 06:32:55 GMT");
	CHECK_EQ_INT(strlen(d), MDH1_DATE_LEN);
}

static void test_reply(void)
{
	char out[512];
	int n = mdh1_token_reply(out, sizeof(out), "Wed, 02 Dec 2026 06:32:55 GMT", "ya29.abc", 8,
				 3599);
	const char *want = "HTTP/1.1 200 OK\r\nMetadata-Flavor: Google\r\nServer: GKE Metadata "
			   "Server\r\nContent-Type: application/json\r\nDate: Wed, 02 Dec 2026 "
			   "06:32:55 GMT\r\nContent-Length: 67\r\n\r\n{\"access_token\":\"ya29."
			   "abc\",\"expires_in\":3599,\"token_type\":\"Bearer\"}";
	CHECK_EQ_INT(n, (int)strlen(want));
	CHECK(n > 0 && memcmp(out, want, (size_t)n) == 0);
	CHECK_EQ_INT(strlen(strstr(want, "\r\n\r\n") + 4), 67);
	/* expires_in 0, and every buffer too small by one */
	n = mdh1_token_reply(out, sizeof(out), "D", "t", 1, 0);
	CHECK(n > 0 && memcmp(out + n - 57, "{\"access_token\":\"t\",\"expires_in\":0,", 35) == 0);
	int bad = 0;
	for (int cap = 0; cap < n; cap++)
		bad += mdh1_token_reply(out, (size_t)cap, "D", "t", 1, 0) != -ENAMETOOLONG;
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(mdh1_token_reply(out, (size_t)n, "D", "t", 1, 0), n);
}

int main(void)
{
	test_clients();
	test_not_fast();
	test_cuts();
	test_pipelined_and_sizes();
	test_token_account();
	test_date();
	test_reply();
	return t_done();
}
