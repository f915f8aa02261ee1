/*
 * test_dbuf.c - unit tests for core/dbuf: appends across growth, NUL termination,
 * take (including of an empty buffer), and an overflowing size that sets oom and makes
 * take give NULL.
 */
#include "core/dbuf.h"
#include "t.h"

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

int main(void)
{
	RUN(appends);
	RUN(overflow);
	return t_done();
}
