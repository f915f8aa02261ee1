/*
 * clock.h - time as gkeid writes it: RFC 3339 UTC text with whole seconds
 * ("2026-12-02T00:23:54Z"), as Google's APIs and google-auth's parsers expect.
 */
#ifndef GKEID_CLOCK_H
#define GKEID_CLOCK_H

#include <stdint.h>

#define CLOCK_RFC3339_LEN 32

/* secs since the epoch as RFC 3339 UTC into out (always NUL-terminated). */
void clock_rfc3339(int64_t secs, char out[CLOCK_RFC3339_LEN]);

#endif
