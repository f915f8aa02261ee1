/*
 * test_clock.c - unit tests for core/clock: RFC 3339 text with whole seconds, and the
 * parser's forms (Z, fractional seconds, offsets, as metav1.Time and Go's time.RFC3339Nano
 * write them) and what it refuses (trailing text, missing zone, bad fields).
 */
#include "core/clock.h"
#include "t.h"

#include <errno.h>
#include <stdint.h>

static void formats(void)
{
	char out[CLOCK_RFC3339_LEN];
	clock_rfc3339(0, out);
	CHECK_STR(out, "1970-01-01T00:00:00Z");
	clock_rfc3339(1714557600, out);
	CHECK_STR(out, "2024-05-01T10:00:00Z");
}

static void parses(void)
{
	int64_t t = -1;
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T10:00:00Z", &t), 0);
	CHECK_EQ_INT(t, 1714557600);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T10:00:00.123456789Z", &t), 0);
	CHECK_EQ_INT(t, 1714557600);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T12:00:00.5+02:00", &t), 0);
	CHECK_EQ_INT(t, 1714557600);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T09:00:00-01:00", &t), 0);
	CHECK_EQ_INT(t, 1714557600);
	char out[CLOCK_RFC3339_LEN];
	clock_rfc3339(t, out);
	CHECK_STR(out, "2024-05-01T10:00:00Z");
}

static void refuses(void)
{
	int64_t t = 7;
	CHECK_EQ_INT(clock_parse_rfc3339(NULL, &t), -EINVAL);
	CHECK_EQ_INT(t, 0);
	CHECK_EQ_INT(clock_parse_rfc3339("", &t), -EINVAL);
	CHECK_EQ_INT(clock_parse_rfc3339("yesterday", &t), -EINVAL);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T10:00:00", &t), -EINVAL);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T10:00:00Zjunk", &t), -EINVAL);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-13-01T10:00:00Z", &t), -EINVAL);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T10:00:00+02", &t), -EINVAL);
	CHECK_EQ_INT(clock_parse_rfc3339("2024-05-01T10:61:00Z", &t), -EINVAL);
}

int main(void)
{
	RUN(formats);
	RUN(parses);
	RUN(refuses);
	return t_done();
}
