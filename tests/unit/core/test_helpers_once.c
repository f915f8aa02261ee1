/*
 * test_helpers_once.c - the helpers that used to be written twice (issue 10 §5) and now
 * live once in core: dbuf_curl_write (libcurl's write callback into a capped dbuf),
 * http_form_add (a form body built in a fixed buffer) and random_uuid4.
 */
#include "t.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "core/dbuf.h"
#include "core/http.h"
#include "core/jwt.h"

static void test_curl_write(void)
{
	struct dbuf b = DBUF_INIT(8);
	char chunk[] = "abcde";
	CHECK_EQ_INT(dbuf_curl_write(chunk, 1, 5, &b), 5);
	CHECK_STR(b.p, "abcde");
	/* Past the maximum: the transfer fails (0) and the bytes so far stay. */
	CHECK_EQ_INT(dbuf_curl_write(chunk, 1, 5, &b), 0);
	CHECK_EQ_INT(b.len, 5);
	CHECK(b.oom);
	dbuf_free(&b);
	struct dbuf big = DBUF_INIT(0);
	CHECK_EQ_INT(dbuf_curl_write(chunk, (size_t)-1, 2, &big), 0); /* size * nmemb overflows */
	dbuf_free(&big);
}

static void test_form_add(void)
{
	char buf[32];
	size_t off = 0;
	CHECK_EQ_INT(http_form_add(buf, sizeof(buf), &off, "grant_type", "a b&c"), 0);
	CHECK_EQ_INT(http_form_add(buf, sizeof(buf), &off, "k", "v"), 0);
	CHECK_STR(buf, "grant_type=a%20b%26c&k=v");
	CHECK_EQ_INT(off, strlen(buf));
	/* Does not fit: -E2BIG, and the body is what it was. */
	CHECK_EQ_INT(http_form_add(buf, sizeof(buf), &off, "assertion", "0123456789"), -E2BIG);
	CHECK_STR(buf, "grant_type=a%20b%26c&k=v");
	/* an exact fit (31 bytes and the '\0'), and one byte over, plain or encoded */
	off = 0;
	CHECK_EQ_INT(http_form_add(buf, sizeof(buf), &off, "k", "0123456789012345678901234567~"), 0);
	CHECK_EQ_INT(off, 31);
	off = 0;
	CHECK_EQ_INT(http_form_add(buf, sizeof(buf), &off, "k", "0123456789012345678901234567~_"),
		     -E2BIG);
	CHECK_EQ_INT(off, 0);
	CHECK_EQ_INT(http_form_add(buf, sizeof(buf), &off, "k", "012345678901234567890123456/"), -E2BIG);
	CHECK_EQ_INT(http_form_add(buf, sizeof(buf), &off, "k", "01234567890123456789012345/"), 0);
	CHECK_STR(buf, "k=01234567890123456789012345%2F");
}

/* Every byte is encoded as libevent's evhttp_encode_uri encodes it (RFC 3986). */
static void test_form_add_as_libevent(void)
{
	char v[256], body[1024];
	size_t off = 0;
	for (int i = 1; i < 256; i++)
		v[i - 1] = (char)i;
	v[255] = '\0';
	char *want = evhttp_encode_uri(v);
	CHECK(want != NULL);
	CHECK_EQ_INT(http_form_add(body, sizeof(body), &off, "v", v), 0);
	CHECK_STR(body + 2, want ? want : "");
	free(want);
}

static void test_uuid4(void)
{
	char a[37], b[37];
	CHECK_EQ_INT(random_uuid4(a), 0);
	CHECK_EQ_INT(random_uuid4(b), 0);
	CHECK_EQ_INT(strlen(a), 36);
	CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	CHECK(a[14] == '4');		      /* version 4 */
	CHECK(strchr("89ab", a[19]) != NULL); /* RFC 4122 variant */
	CHECK(strcmp(a, b) != 0);
}

int main(void)
{
	RUN(test_curl_write);
	RUN(test_form_add);
	RUN(test_form_add_as_libevent);
	RUN(test_uuid4);
	return t_done();
}
