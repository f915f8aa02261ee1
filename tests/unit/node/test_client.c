/*
 * test_client.c - the node's upstream client (node/client.c) as far as it is pure: a
 * base URL read into the client (scheme, host, port, path prefix without its trailing
 * slashes, IPv6 brackets), the URLs it names in messages, and what it refuses: another
 * scheme, a query or user info, https without TLS, a URL or host too long, and a URL
 * that would not fit the caller's buffer (an error, never a cut URL).
 */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "t.h"

static struct event_base *base;

/* The URL client c names for path (NULL when md_client_new refused base_url). */
static const char *url_of(const char *base_url, const char *path, char *out, size_t len)
{
	struct md_client *c = NULL;
	if (md_client_new(base, NULL, base_url, NULL, &c) != 0)
		return NULL;
	int rc = md_client_url(c, path, out, len);
	md_client_free(c);
	return rc == 0 ? out : NULL;
}

static void test_base_urls(void)
{
	char u[2048];
	CHECK_STR(url_of("http://127.0.0.1:8080", "/v1/token", u, sizeof(u)),
		  "http://127.0.0.1:8080/v1/token");
	/* the prefix keeps its path, without trailing slashes */
	CHECK_STR(url_of("http://127.0.0.1:8080/sts//", "/v1/token", u, sizeof(u)),
		  "http://127.0.0.1:8080/sts/v1/token");
	/* no port: none in the URL (the default one is used) */
	CHECK_STR(url_of("http://127.0.0.1/", "/x", u, sizeof(u)), "http://127.0.0.1/x");
	CHECK_STR(url_of("http://[::1]:9/", "/x", u, sizeof(u)), "http://[::1]:9/x");
	CHECK_STR(url_of("http://127.0.0.1:1", NULL, u, sizeof(u)), "http://127.0.0.1:1");
}

static void test_refused(void)
{
	struct md_client *c = NULL;
	CHECK_EQ_INT(md_client_new(base, NULL, "ftp://127.0.0.1/", NULL, &c), -EINVAL);
	CHECK_EQ_INT(md_client_new(base, NULL, "http://127.0.0.1/?a=b", NULL, &c), -EINVAL);
	CHECK_EQ_INT(md_client_new(base, NULL, "http://u:p@127.0.0.1/", NULL, &c), -EINVAL);
	CHECK_EQ_INT(md_client_new(base, NULL, "https://127.0.0.1/", NULL, &c), -EINVAL);
	CHECK_EQ_INT(md_client_new(base, NULL, "127.0.0.1:80", NULL, &c), -EINVAL);
	CHECK(c == NULL);

	/* a base URL of NODE_URL_MAX bytes or more */
	char *big = malloc(NODE_URL_MAX + 1);
	strcpy(big, "http://127.0.0.1/");
	memset(big + strlen(big), 'p', NODE_URL_MAX - strlen(big));
	big[NODE_URL_MAX] = '\0';
	CHECK_EQ_INT(md_client_new(base, NULL, big, NULL, &c), -EINVAL);
	big[NODE_URL_MAX - 1] = '\0'; /* one byte less: taken, the prefix whole */
	char u[2048];
	CHECK(url_of(big, "/x", u, sizeof(u)) != NULL);
	CHECK_EQ_INT(strlen(u), NODE_URL_MAX - 1 + 2);

	/* a host of 256 bytes does not fit the client's host: refused, not cut */
	strcpy(big, "http://");
	memset(big + 7, 'h', 256);
	big[7 + 256] = '\0';
	CHECK_EQ_INT(md_client_new(base, NULL, big, NULL, &c), -EINVAL);
	big[7 + 255] = '\0';
	CHECK_EQ_INT(md_client_new(base, NULL, big, NULL, &c), 0);
	md_client_free(c);
	free(big);
}

static void test_url_too_long(void)
{
	struct md_client *c = NULL;
	char u[32];
	CHECK_EQ_INT(md_client_new(base, NULL, "http://127.0.0.1:8080/prefix", NULL, &c), 0);
	/* "http://127.0.0.1:8080/prefix/abc" is 32 bytes: one too many for u */
	CHECK_EQ_INT(md_client_url(c, "/ab", u, sizeof(u)), 0);
	CHECK_STR(u, "http://127.0.0.1:8080/prefix/ab");
	CHECK_EQ_INT(md_client_url(c, "/abc", u, sizeof(u)), -ENAMETOOLONG);
	CHECK_STR(u, "");
	md_client_free(c);
}

int main(void)
{
	base = event_base_new();
	CHECK(base != NULL);
	RUN(test_base_urls);
	RUN(test_refused);
	RUN(test_url_too_long);
	event_base_free(base);
	return t_done();
}
