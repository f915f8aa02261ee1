/*
 * args.c - parsing of command-line values shared by the subcommands (durations, ports).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/httpconn.h"

int parse_duration_ms(const char *s, int64_t *ms)
{
	char *end = NULL;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 1e9)
		return -EINVAL;
	double mult;
	if (*end == '\0' || strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else if (strcmp(end, "h") == 0)
		mult = 3600000;
	else
		return -EINVAL;
	*ms = (int64_t)(v * mult);
	return 0;
}

int parse_port(const char *s, int *port)
{
	char *end = NULL;
	if (!s || !*s)
		return -EINVAL;
	long v = strtol(s, &end, 10);
	if (*end || v < 0 || v > 65535)
		return -EINVAL;
	*port = (int)v;
	return 0;
}

int parse_conn_limit(int opt, const char *value, struct http_limits *lim, char *err, size_t len)
{
	static const char *const flags[] = {"--max-connections", "--handshake-timeout",
					    "--header-timeout", "--idle-timeout"};
	int i = opt - CONN_LIMIT_OPT_BASE;
	if (i < 0 || i > 3)
		return 0;
	if (i == 0) {
		char *end = NULL;
		long v = value ? strtol(value, &end, 10) : 0;
		if (!value || !*value || *end || v < 1 || v > 100000000) {
			snprintf(err, len, "invalid %s \"%s\" (a count, at least 1)", flags[i],
				 value ? value : "");
			return -EINVAL;
		}
		lim->max_conns = v;
		return 1;
	}
	int64_t ms = 0;
	if (parse_duration_ms(value, &ms) != 0 || ms < 1 || ms > 24 * 3600 * 1000) {
		snprintf(err, len, "invalid %s \"%s\" (e.g. 500ms, 10s, 2m; more than 0)", flags[i],
			 value ? value : "");
		return -EINVAL;
	}
	if (i == 1)
		lim->handshake_ms = ms;
	else if (i == 2)
		lim->header_ms = ms;
	else
		lim->idle_ms = ms;
	return 1;
}
