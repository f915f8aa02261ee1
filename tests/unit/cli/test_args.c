/*
 * test_args.c - command-line value parsing: durations and ports, good and bad.
 */
#include "cli/cli.h"
#include "t.h"

static void test_duration(void)
{
	int64_t ms = -1;
	CHECK_EQ_INT(parse_duration_ms("0", &ms), 0);
	CHECK_EQ_INT(ms, 0);
	CHECK_EQ_INT(parse_duration_ms("5s", &ms), 0);
	CHECK_EQ_INT(ms, 5000);
	CHECK_EQ_INT(parse_duration_ms("250ms", &ms), 0);
	CHECK_EQ_INT(ms, 250);
	CHECK_EQ_INT(parse_duration_ms("2m", &ms), 0);
	CHECK_EQ_INT(ms, 120000);
	CHECK_EQ_INT(parse_duration_ms("1.5s", &ms), 0);
	CHECK_EQ_INT(ms, 1500);
	CHECK_EQ_INT(parse_duration_ms("7", &ms), 0);
	CHECK_EQ_INT(ms, 7000);
	CHECK(parse_duration_ms("", &ms) != 0);
	CHECK(parse_duration_ms("-1s", &ms) != 0);
	CHECK(parse_duration_ms("5 s", &ms) != 0);
	CHECK(parse_duration_ms("soon", &ms) != 0);
	CHECK(parse_duration_ms("5d", &ms) != 0);
	CHECK(parse_duration_ms(NULL, &ms) != 0);
}

static void test_port(void)
{
	int p = -1;
	CHECK_EQ_INT(parse_port("0", &p), 0);
	CHECK_EQ_INT(p, 0);
	CHECK_EQ_INT(parse_port("65535", &p), 0);
	CHECK(parse_port("65536", &p) != 0);
	CHECK(parse_port("-1", &p) != 0);
	CHECK(parse_port("80x", &p) != 0);
	CHECK(parse_port("", &p) != 0);
}

int main(void)
{
	RUN(test_duration);
	RUN(test_port);
	return t_done();
}
