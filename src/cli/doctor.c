/*
 * doctor.c - `gkeid doctor`: argument parsing and help for the troubleshooting checks
 * (src/doctor/): `doctor workload-identity` and `doctor rbac`. Exit status: 0 nothing
 * failed, 1 a check failed, 2 usage errors or the APIs cannot be reached.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doctor/doctor.h"

static const char doctor_usage[] =
	"Usage:\n"
	"  gkeid doctor workload-identity (--namespace NS --serviceaccount KSA | --pod NAME\n"
	"               [--namespace NS]) [--project P] [--location L] [--cluster C]\n"
	"               [--output text|json] [--access-token-file F]\n"
	"  gkeid doctor rbac --user U --verb V --resource R [--namespace NS] [--name OBJ]\n"
	"               [--group G]... [--project P] [--location L] [--cluster C]\n"
	"               [--output text|json] [--access-token-file F]\n"
	"\n"
	"The GKE authentication troubleshooting guide, as checks. Each check prints its\n"
	"status (pass, fail, skip), the API call it made and what it read, and on failure\n"
	"the command that fixes it, with your names filled in.\n"
	"\n"
	"Why can't my pod authenticate to Google Cloud?\n"
	"  gkeid doctor workload-identity --pod my-pod --namespace default\n"
	"  checks, in order: iamcredentials-api (the IAM Credentials API is enabled),\n"
	"  workload-pool (Workload Identity is on), node-pool-metadata (the pod's node pool\n"
	"  runs GKE_METADATA), ksa-annotation (iam.gke.io/gcp-service-account names a GSA\n"
	"  that exists), gsa-binding (roles/iam.workloadIdentityUser for\n"
	"  PROJECT.svc.id.goog[NS/KSA]), network-policy (egress to the metadata server by\n"
	"  cluster version and Dataplane V2), control-plane, token-exchange (the exchange a\n"
	"  pod's metadata server does; a 403 with the binding in place is IAM propagation),\n"
	"  metadata-dns, istio, metadata-server (crash loops, OOM, > 3,000 KSAs),\n"
	"  metadata-startup, service-agent (roles/container.serviceAgent: DeployPatch failed).\n"
	"\n"
	"Why does kubectl say Forbidden ... requires one of [\"container.X.Y\"] permission(s)?\n"
	"  gkeid doctor rbac --user someone@example.com --verb list --resource roles -n "
	"kube-system\n"
	"  reads the RoleBindings, ClusterRoleBindings, Roles and ClusterRoles, the IAM\n"
	"  permission GKE checks next and the predefined roles that grant it, and prints a\n"
	"  kubectl create rolebinding fix and the gcloud IAM alternative.\n"
	"\n"
	"What does it need?\n"
	"  Only public APIs: the Google APIs (under GKEID_CLOUD_URL when set, as `. DIR/env`\n"
	"  does; else the real *.googleapis.com) and the cluster's Kubernetes API (endpoint\n"
	"  and CA from the Container API). Against real GKE, gcloud credentials and a\n"
	"  KUBECONFIG whose current context is gke_PROJECT_LOCATION_CLUSTER are enough.\n"
	"  The access token: --access-token-file, else $GKEID_DOCTOR_ACCESS_TOKEN, else\n"
	"  `gcloud auth print-access-token`. Project, location and cluster: the flags, else\n"
	"  the kubeconfig's current context, else gcloud's properties.\n"
	"\n"
	"  -n, --namespace NS        namespace (default: default)\n"
	"  --serviceaccount KSA      the pod's Kubernetes service account\n"
	"  --pod NAME                a pod: its service account, node and events are read\n"
	"  --user U --verb V --resource R   the request to explain (R: roles, pods/log,\n"
	"                            deployments.apps, ...); --group G adds a group\n"
	"  -o, --output text|json    json: {\"checks\":[{\"id\",\"status\",\"title\",\n"
	"                            \"evidence\",\"fix\"}],\"failed\":N}\n"
	"  -h, --help                this text\n";

enum {
	O_SA = 256,
	O_POD,
	O_PROJECT,
	O_LOCATION,
	O_CLUSTER,
	O_TOKEN,
	O_USER,
	O_VERB,
	O_RESOURCE,
	O_NAME,
	O_GROUP
};

/* What the command line asked for. */
struct doctor_args {
	const char *ns, *ksa, *pod, *token_file, *output;
	const char *user, *verb, *resource, *name;
	const char *groups[16];
	size_t ngroups;
	int wi, rbac;
};

/* The options after the check's name into a and ctx's project, location and cluster:
 * -1 to go on, else the exit status (help printed, or a usage error). */
static int parse_opts(int argc, char **argv, struct doctor_args *a, struct dr_ctx *ctx)
{
	static const struct option opts[] = {
		{"namespace", required_argument, NULL, 'n'},
		{"serviceaccount", required_argument, NULL, O_SA},
		{"pod", required_argument, NULL, O_POD},
		{"project", required_argument, NULL, O_PROJECT},
		{"location", required_argument, NULL, O_LOCATION},
		{"region", required_argument, NULL, O_LOCATION},
		{"zone", required_argument, NULL, O_LOCATION},
		{"cluster", required_argument, NULL, O_CLUSTER},
		{"output", required_argument, NULL, 'o'},
		{"access-token-file", required_argument, NULL, O_TOKEN},
		{"user", required_argument, NULL, O_USER},
		{"verb", required_argument, NULL, O_VERB},
		{"resource", required_argument, NULL, O_RESOURCE},
		{"name", required_argument, NULL, O_NAME},
		{"group", required_argument, NULL, O_GROUP},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "n:o:h", opts, NULL)) != -1) {
		const char *v = optarg;
		char *dst = NULL;
		size_t cap = sizeof(ctx->project);
		switch (c) {
		case 'n':
			a->ns = v;
			break;
		case O_SA:
			a->ksa = v;
			break;
		case O_POD:
			a->pod = v;
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
		case 'o':
			a->output = v;
			break;
		case O_TOKEN:
			a->token_file = v;
			break;
		case O_USER:
			a->user = v;
			break;
		case O_VERB:
			a->verb = v;
			break;
		case O_RESOURCE:
			a->resource = v;
			break;
		case O_NAME:
			a->name = v;
			break;
		case O_GROUP:
			if (a->ngroups >= sizeof(a->groups) / sizeof(a->groups[0])) {
				fprintf(stderr, "gkeid doctor: at most 16 --group\n");
				return 2;
			}
			a->groups[a->ngroups++] = v;
			break;
		case 'h':
			fputs(doctor_usage, stdout);
			return 0;
		default:
			fputs(doctor_usage, stderr);
			return 2;
		}
		if (dst) {
			if (strlen(v) >= cap || !*v) {
				fprintf(stderr, "gkeid doctor: bad value \"%s\"\n", v);
				return 2;
			}
			snprintf(dst, cap, "%s", v);
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "gkeid doctor: unexpected argument \"%s\"\n", argv[optind + 1]);
		return 2;
	}
	return -1;
}

/* The options that go together: 0, or 2 with the usage error printed. */
static int check_args(const struct doctor_args *a)
{
	if (strcmp(a->output, "text") != 0 && strcmp(a->output, "json") != 0) {
		fprintf(stderr, "gkeid doctor: --output is text or json\n");
		return 2;
	}
	const char *names[] = {a->ns, a->ksa, a->pod, a->user, a->verb, a->resource, a->name};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && (strlen(names[i]) > 253 || !*names[i])) {
			fprintf(stderr, "gkeid doctor: bad value \"%.80s\"\n", names[i]);
			return 2;
		}
	if (a->wi && ((!a->ksa && !a->pod) || (a->ksa && a->pod))) {
		fprintf(stderr, "gkeid doctor workload-identity: give --serviceaccount KSA "
				"(with --namespace) or --pod NAME\n");
		return 2;
	}
	if (a->rbac && (!a->user || !a->verb || !a->resource)) {
		fprintf(stderr, "gkeid doctor rbac: give --user, --verb and --resource\n");
		return 2;
	}
	return 0;
}

/* The checks into rep: 0, or -1 with the error printed. */
static int run_checks(struct doctor_args *a, struct dr_ctx *ctx, struct dr_report *rep)
{
	char err[2048];
	if (dr_ctx_init(ctx, a->token_file, err, sizeof(err)) != 0 ||
	    dr_ctx_cluster(ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "gkeid doctor: %s\n", err);
		dr_explain_refusal(ctx, stderr);
		return -1;
	}
	if (a->wi) {
		struct dr_wi_opts o = {
			.ns = a->ns ? a->ns : "default", .ksa = a->ksa, .pod = a->pod};
		if (dr_run_workload_identity(ctx, &o, rep, err, sizeof(err)) != 0) {
			fprintf(stderr, "gkeid doctor: %s\n", err);
			return -1;
		}
		return 0;
	}
	struct dr_rbac_opts o = {.user = a->user,
				 .verb = a->verb,
				 .resource = a->resource,
				 .ns = a->ns,
				 .name = a->name,
				 .groups = a->groups,
				 .ngroups = a->ngroups};
	if (dr_run_rbac(ctx, &o, rep, err, sizeof(err)) != 0) {
		fprintf(stderr, "gkeid doctor: %s\n", err);
		return -1;
	}
	dr_check_kubectl_account(ctx, rep); /* is kubectl who gcloud is? */
	return 0;
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor_args a = {.output = "text"};
	struct dr_ctx ctx;
	struct dr_report rep = {0};
	int rc = 2;
	memset(&ctx, 0, sizeof(ctx));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(doctor_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	a.wi = strcmp(sub, "workload-identity") == 0;
	a.rbac = strcmp(sub, "rbac") == 0;
	if (!a.wi && !a.rbac) {
		fprintf(stderr, "gkeid doctor: unknown check \"%s\"\n\n%s", sub, doctor_usage);
		return 2;
	}
	if ((rc = parse_opts(argc, argv, &a, &ctx)) >= 0)
		return rc;
	if ((rc = check_args(&a)) != 0)
		return rc;
	rc = 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (run_checks(&a, &ctx, &rep) == 0) {
		dr_print(&rep, strcmp(a.output, "json") == 0, stdout);
		rc = dr_failed(&rep) ? 1 : 0;
	}
	dr_report_free(&rep);
	dr_ctx_free(&ctx);
	curl_global_cleanup();
	return rc;
}
