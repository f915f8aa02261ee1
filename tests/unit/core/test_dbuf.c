/*
 * test_dbuf.c - unit tests for core/dbuf: appends across growth, NUL termination,
 * take (including of an empty buffer), an overflowing size and a buffer's declared
 * maximum that set oom and make take give NULL, dbuf_printf, and sfmt's truncation.
 */
#include "core/dbuf.h"
#include "t.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static void appends(void)
{
	struct dbuf b = {0};
	dbuf_str(&b, "ab");
	dbuf_add(&b, "cdef", 2);
	CHECK_STR(b.p, "abcd");
	CHECK_EQ_INT(b.len, 4);
	for (int i = 0; i < 1000; i++)
		dbuf_str(&b, "0123456789");
	CHECK_EQ_INT(b.len, 10004);
	CHECK_EQ_INT(b.p[b.len], '\0');
	CHECK(b.cap >= b.len + 1);
	char *s = dbuf_take(&b);
	CHECK(s && strncmp(s, "abcd0123", 8) == 0);
	CHECK(b.p == NULL && b.len == 0);
	free(s);
	s = dbuf_take(&b);
	CHECK_STR(s, "");
	free(s);
	dbuf_add(&b, "", 0);
	CHECK_STR(b.p, "");
	dbuf_free(&b);
}

static void overflow(void)
{
	struct dbuf b = {0};
	dbuf_str(&b, "x");
	dbuf_add(&b, "y", SIZE_MAX - 1);
	CHECK_EQ_INT(b.oom, 1);
	dbuf_str(&b, "z");
	CHECK_EQ_INT(b.len, 1);
	CHECK(dbuf_take(&b) == NULL);
	CHECK_EQ_INT(b.oom, 0);
	dbuf_free(&b);
}

static void maximum(void)
{
	struct dbuf b = DBUF_INIT(8);
	dbuf_str(&b, "12345678");
	CHECK_EQ_INT(b.oom, 0);
	dbuf_str(&b, "9");
	CHECK_EQ_INT(b.oom, 1);
	CHECK_EQ_INT(b.len, 8);
	CHECK(dbuf_take(&b) == NULL);
	CHECK_EQ_INT(b.max, 8);
	dbuf_printf(&b, "%d-%s", 42, "ok");
	CHECK_STR(b.p, "42-ok");
	dbuf_printf(&b, "%300s", "");
	CHECK_EQ_INT(b.oom, 1);
	dbuf_free(&b);
	struct dbuf big = {0};
	dbuf_printf(&big, "%s=%0512d", "k", 7);
	CHECK_EQ_INT(big.len, 514);
	CHECK_EQ_INT(big.p[513], '7');
	dbuf_free(&big);
}

static void formats(void)
{
	char buf[8];
	CHECK_EQ_INT(SFMT(buf, "%s/%d", "ab", 12), 0);
	CHECK_STR(buf, "ab/12");
	CHECK_EQ_INT(SFMT(buf, "%s", "1234567"), 0);
	CHECK_EQ_INT(SFMT(buf, "%s", "12345678"), -ENAMETOOLONG);
	CHECK_STR(buf, "");
	CHECK_EQ_INT(sfmt(buf, 0, "x"), -ENAMETOOLONG);
}

int main(void)
{
	RUN(maximum);
	RUN(formats);
	RUN(appends);
	RUN(overflow);
	return t_done();
}
