/*
 * main.c - gkeid's entry point: dispatches to the subcommands (like k3s, one binary,
 * several roles) and prints help.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
	"gkeid - GKE's identity and access plane, on one machine\n"
	"\n"
	"Usage: gkeid COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  up        all-in-one: the Google APIs (OAuth2, Resource Manager, IAM, IAM\n"
	"            Credentials, STS, Service Usage, Container), a Kubernetes API server\n"
	"            per cluster, and the node agent for local-node; demo state, SQLite\n"
	"  node      the GKE metadata server for one node's pods (Workload Identity)\n"
	"  exec      run a command as a pod on the local node, with its Google identity\n"
	"  doctor    the GKE authentication troubleshooting guide as checks (workload-identity, rbac)\n"
	"  explain   why a principal may or may not make a Google API call or a kubectl request\n"
	"  fault     break a running `gkeid up` as GKE breaks (list, set, clear)\n"
	"  help      this text; `gkeid COMMAND --help` explains a command\n"
	"  version   print the version\n"
	"\n"
	"Start with `gkeid up`, then `. .gkeid/env` in another shell: gcloud and kubectl\n"
	"then talk to gkeid as admin@example.com, owner of demo-project and demo-cluster.\n"
	"See README.md and docs/.\n";

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
	if (strcmp(argv[1], "node") == 0) return cmd_node(argc - 1, argv + 1);
	if (strcmp(argv[1], "exec") == 0) return cmd_exec(argc - 1, argv + 1);
	if (strcmp(argv[1], "doctor") == 0) return cmd_doctor(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0) return cmd_explain(argc - 1, argv + 1);
	if (strcmp(argv[1], "fault") == 0) return cmd_fault(argc - 1, argv + 1);
	fprintf(stderr, "gkeid: unknown command \"%s\"\n\n%s", argv[1], usage);
	return 2;
}
