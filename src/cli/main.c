/*
 * main.c - gkeid's entry point: dispatches to the subcommands (like k3s, one binary,
 * several roles) and prints help.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
	"gkeid - GKE's identity and access plane, on one machine\n"
	"\n"
	"Usage: gkeid COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  up        all-in-one: the Google APIs (OAuth2, Resource Manager, IAM, IAM\n"
	"            Credentials, STS, Service Usage) with demo state, on embedded SQLite\n"
	"  help      this text; `gkeid COMMAND --help` explains a command\n"
	"  version   print the version\n"
	"\n"
	"Start with `gkeid up`, then `. .gkeid/env` in another shell: gcloud then talks to\n"
	"gkeid as admin@example.com, owner of demo-project. See README.md and docs/.\n";

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

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		puts("gkeid 0.1.0");
		return 0;
	}
	if (strcmp(argv[1], "up") == 0)
		return cmd_up(argc - 1, argv + 1);
	fprintf(stderr, "gkeid: unknown command \"%s\"\n\n%s", argv[1], usage);
	return 2;
}
