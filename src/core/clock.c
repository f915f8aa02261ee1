/*
 * clock.c - RFC 3339 text of a time (see clock.h).
 */
#include "core/clock.h"

#include <time.h>

void clock_rfc3339(int64_t secs, char out[CLOCK_RFC3339_LEN])
{
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, CLOCK_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}
