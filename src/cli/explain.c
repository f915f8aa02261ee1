/*
 * explain.c - `gkeid explain`: argument parsing and help. One answer for a request, in
 * GKE's order (RBAC, then IAM allow, then IAM deny) with the bindings that mattered and
 * the narrowest fix; the logic is the doctor's (src/doctor/explain.c, rbac_explain.c)
 * over the same public APIs, whose IAM verdicts come from the server's own check.
 * Exit status: 0 access, 1 no access, 2 usage errors or the APIs cannot be reached.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doctor/doctor.h"

static const char explain_usage[] =
	"Usage:\n"
	"  gkeid explain --principal EMAIL --permission PERM --resource NAME\n"
	"               [--output text|json] [--access-token-file F]\n"
	"  gkeid explain --user U --verb V --resource R [-n NS] [--name OBJ] [--group G]...\n"
	"               [--project P] [--location L] [--cluster C] [--output text|json]\n"
	"               [--access-token-file F]\n"
	"  gkeid explain --pod NS/POD [--project P] [--location L] [--cluster C]\n"
	"               [--output text|json] [--access-token-file F]\n"
	"\n"
	"Why may (or may not) someone do something? One answer that joins both planes:\n"
	"  a Google API call: --principal EMAIL --permission PERM --resource NAME, where NAME\n"
	"    is a full resource name (//cloudresourcemanager.googleapis.com/projects/P) or\n"
	"    projects/P, projects/P/serviceAccounts/E, projects/P/locations/L/clusters/C;\n"
	"    PERM in the v1 (iam.roles.get) or v2 (iam.googleapis.com/roles.get) form;\n"
	"  a kubectl request: --user U --verb V --resource R [-n NS], as `gkeid doctor rbac`;\n"
	"  a pod's Workload Identity chain: --pod NS/POD, as `gkeid doctor workload-identity`.\n"
	"Checks, in GKE's order: rbac (kubectl requests), iam-allow (or iam), iam-deny, access\n"
	"(the verdict). Each says what it read; a failing one prints the narrowest fix (the\n"
	"predefined role with the fewest permissions, an RBAC role for the one verb, or the\n"
	"deny rule's exception). The IAM verdicts are the Policy Troubleshooter's, which gkeid\n"
	"answers from the check its APIs make.\n"
	"\n"
	"  -o, --output text|json    json: {\"checks\":[{\"id\",\"status\",\"title\",\n"
	"                            \"evidence\",\"fix\"}],\"failed\":N}\n"
	"  -h, --help                this text\n";

enum {
	O_PRINCIPAL = 256,
	O_PERMISSION,
	O_RESOURCE,
	O_USER,
	O_VERB,
	O_NAME,
	O_GROUP,
	O_TOKEN,
	O_PROJECT,
	O_LOCATION,
	O_CLUSTER,
	O_POD
};

struct args {
	const char *principal, *permission, *resource, *user, *verb, *ns, *name, *token_file;
	const char *pod; /* NS/POD */
	const char *output;
	const char *groups[16];
	size_t ngroups;
};

/* The options that go together: 0, or 2 (usage, said on stderr). */
static int check_args(const struct args *a)
{
	if (strcmp(a->output, "text") != 0 && strcmp(a->output, "json") != 0)
		return fprintf(stderr, "gkeid explain: --output is text or json\n"), 2;
	const char *names[] = {a->principal, a->permission, a->resource, a->user,
			       a->verb,	     a->ns,	    a->name};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && (strlen(names[i]) > 400 || !*names[i]))
			return fprintf(stderr, "gkeid explain: bad value \"%.80s\"\n", names[i]), 2;
	if (a->pod) {
		const char *slash = strchr(a->pod, '/');

		if (!slash || slash == a->pod || !slash[1] || strchr(slash + 1, '/') ||
		    a->principal || a->user || a->resource)
			return fprintf(stderr, "gkeid explain: --pod is NS/POD, alone\n"), 2;
		return 0;
	}
	if (a->principal ? !a->permission || !a->resource || a->user || a->verb
			 : !a->user || !a->verb || !a->resource || a->permission)
		return fprintf(stderr, "gkeid explain: give --principal, --permission and "
				       "--resource, or --user, --verb and --resource\n"),
		       2;
	return 0;
}

/* Parses argv into a and the context's names. 0, 1 for --help, or 2 (usage). */
static int parse(int argc, char **argv, struct args *a, struct dr_ctx *ctx)
{
	static const struct option opts[] = {
		{"principal", required_argument, NULL, O_PRINCIPAL},
		{"pod", required_argument, NULL, O_POD},
		{"permission", required_argument, NULL, O_PERMISSION},
		{"resource", required_argument, NULL, O_RESOURCE},
		{"user", required_argument, NULL, O_USER},
		{"verb", required_argument, NULL, O_VERB},
		{"namespace", required_argument, NULL, 'n'},
		{"name", required_argument, NULL, O_NAME},
		{"group", required_argument, NULL, O_GROUP},
		{"project", required_argument, NULL, O_PROJECT},
		{"location", required_argument, NULL, O_LOCATION},
		{"cluster", required_argument, NULL, O_CLUSTER},
		{"output", required_argument, NULL, 'o'},
		{"access-token-file", required_argument, NULL, O_TOKEN},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:o:h", opts, NULL)) != -1) {
		char *dst = NULL;

		switch (c) {
		case O_PRINCIPAL:
			a->principal = optarg;
			break;
		case O_POD:
			a->pod = optarg;
			break;
		case O_PERMISSION:
			a->permission = optarg;
			break;
		case O_RESOURCE:
			a->resource = optarg;
			break;
		case O_USER:
			a->user = optarg;
			break;
		case O_VERB:
			a->verb = optarg;
			break;
		case 'n':
			a->ns = optarg;
			break;
		case O_NAME:
			a->name = optarg;
			break;
		case O_TOKEN:
			a->token_file = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case O_PROJECT:
			dst = ctx->project;
			break;
		case O_LOCATION:
			dst = ctx->location;
			break;
		case O_CLUSTER:
			dst = ctx->cluster;
			break;
		case O_GROUP:
			if (a->ngroups >= sizeof(a->groups) / sizeof(a->groups[0]))
				return fprintf(stderr, "gkeid explain: at most 16 --group\n"), 2;
			a->groups[a->ngroups++] = optarg;
			break;
		case 'h':
			return 1;
		default:
			return fputs(explain_usage, stderr), 2;
		}
		if (dst && (strlen(optarg) >= DR_NAME_MAX || !*optarg ||
			    snprintf(dst, DR_NAME_MAX, "%s", optarg) < 0))
			return fprintf(stderr, "gkeid explain: bad value \"%.80s\"\n", optarg), 2;
	}
	if (optind < argc)
		return fprintf(stderr, "gkeid explain: unexpected argument \"%s\"\n", argv[optind]),
		       2;
	return check_args(a);
}

int cmd_explain(int argc, char **argv)
{
	struct args a = {.output = "text"};
	struct dr_ctx ctx;
	struct dr_report rep = {0};
	char err[2048];
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	rc = parse(argc, argv, &a, &ctx);
	if (rc == 1)
		return fputs(explain_usage, stdout), 0;
	if (rc)
		return rc;
	rc = 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (dr_ctx_init(&ctx, a.token_file, err, sizeof(err)) != 0 ||
	    ((a.user || a.pod) && dr_ctx_cluster(&ctx, err, sizeof(err)) != 0)) {
		fprintf(stderr, "gkeid explain: %s\n", err);
		goto out;
	}
	if (a.pod) {
		char ns[256];
		const char *slash = strchr(a.pod, '/');
		struct dr_wi_opts o = {.ns = ns, .pod = slash + 1};

		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - a.pod), a.pod);
		if (dr_run_workload_identity(&ctx, &o, &rep, err, sizeof(err)) != 0) {
			fprintf(stderr, "gkeid explain: %s\n", err);
			goto out;
		}
	} else if (a.principal) {
		if (dr_run_explain_iam(&ctx, a.principal, a.permission, a.resource, &rep, err,
				       sizeof(err)) != 0) {
			fprintf(stderr, "gkeid explain: %s\n", err);
			goto out;
		}
	} else {
		struct dr_rbac_opts o = {.user = a.user,
					 .verb = a.verb,
					 .resource = a.resource,
					 .ns = a.ns,
					 .name = a.name,
					 .groups = a.groups,
					 .ngroups = a.ngroups,
					 .explain = 1};
		if (dr_run_rbac(&ctx, &o, &rep, err, sizeof(err)) != 0) {
			fprintf(stderr, "gkeid explain: %s\n", err);
			goto out;
		}
	}
	dr_print(&rep, strcmp(a.output, "json") == 0, stdout);
	rc = dr_failed(&rep) ? 1 : 0;
out:
	dr_report_free(&rep);
	dr_ctx_free(&ctx);
	curl_global_cleanup();
	return rc;
}
