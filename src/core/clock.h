/*
 * clock.h - time as gkeid writes it: RFC 3339 UTC text with whole seconds
 * ("2026-12-02T00:23:54Z"), as Google's APIs and google-auth's parsers expect, and
 * the parser for the RFC 3339 text others send.
 */
#ifndef GKEID_CLOCK_H
#define GKEID_CLOCK_H

#include <stdint.h>

#define CLOCK_RFC3339_LEN 32

/* secs since the epoch as RFC 3339 UTC into out (always NUL-terminated). */
void clock_rfc3339(int64_t secs, char out[CLOCK_RFC3339_LEN]);
/* Parses RFC 3339 text ("2024-05-01T10:00:00Z"; fractional seconds and offsets such as
 * "+02:00" allowed, nothing after them) into seconds since the epoch. 0 or -EINVAL. */
int clock_parse_rfc3339(const char *s, int64_t *secs);

#endif
