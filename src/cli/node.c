/*
 * node.c - `gkeid node`: runs the node agent (src/node/), the GKE metadata server for
 * the pods of one node, against any Kubernetes API server and any Google API base URLs
 * (gkeid's, or the real ones). Parses the flags into a node_config and runs it in the
 * foreground until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/dbuf.h"
#include "node/node.h"

/* clang-format off */
static const char node_usage[] =
	"Usage: gkeid node --kube-server URL --project P --location L --cluster C [OPTIONS]\n"
	"\n"
	"Runs the GKE metadata server for the pods of one node: pods are found by address\n"
	"(a Kubernetes watch of the node's pods), and get Google credentials through\n"
	"Workload Identity (TokenRequest, STS, IAM Credentials), as gke-metadata-server does.\n"
	"\n"
	"Kubernetes:\n"
	"  --node-name NAME          this node (default local-node)\n"
	"  --kube-server URL         the API server, https://HOST:PORT\n"
	"  --kube-ca FILE            CA bundle that signs the API server's certificate\n"
	"  --kube-cert FILE          client certificate (CN system:node:NAME, O system:nodes)\n"
	"  --kube-key FILE           its private key\n"
	"  --kube-token-file FILE    a bearer token instead of a client certificate\n"
	"Google APIs (base URLs):\n"
	"  --cloud-url URL           gkeid's Google APIs; sets the three below to URL/sts,\n"
	"                            URL/iamcredentials and URL/container\n"
	"  --sts-url URL             default https://sts.googleapis.com\n"
	"  --iamcredentials-url URL  default https://iamcredentials.googleapis.com\n"
	"  --container-url URL       default https://container.googleapis.com\n"
	"The cluster:\n"
	"  --project P, --project-number N, --location L, --cluster C\n"
	"  --cluster-uid UID         instance/attributes/cluster-uid (read from the Container\n"
	"                            API when --credentials is given)\n"
	"  --zone Z                  the node's zone (default: L, or L-a for a region)\n"
	"  --node-pool NAME          this node's pool (default default-pool)\n"
	"  --credentials FILE        the node's service-account key: its own identity, served\n"
	"                            to pods when the pool is in GCE_METADATA mode, and used to\n"
	"                            read the node pool's workloadMetadataConfig.mode\n"
	"Serving:\n"
	"  --listen local|node       local (default, no root): every pod has its own\n"
	"                            127.x.y.z and is named by the address it connects to;\n"
	"                            node: pods in network namespaces, named by their source\n"
	"                            address, on 127.0.0.1:988 and 169.254.169.254:80\n"
	"  --port N                  local mode: the port (0: any free port; default 0)\n"
	"                            node mode: instead of 988 on 127.0.0.1\n"
	"  --address A               local mode: the address bound (default 0.0.0.0; only\n"
	"                            loopback peers are answered)\n"
	"  --state-file FILE         written once serving (what `gkeid exec` reads)\n"
	"  --exit-with-parent        stop (SIGTERM) when the parent process dies\n"
	"  --hold DURATION           how long a request from an address no pod has yet waits\n"
	"                            for the pod watch (default 10s)\n"
	"  --ksa-ttl DURATION        how long a fetched service account is trusted (default 5s)\n"
	"  --pool-poll DURATION      how often the node pool's mode is read (default 10s)\n"
	"  --netpol-ttl DURATION     how long a namespace's NetworkPolicies, read to enforce\n"
	"                            egress to the metadata server, are kept (default 1s)\n"
	"  --max-pods N, --max-ksas N, --max-tokens N, --max-held N   memory bounds\n"
	CONN_LIMIT_USAGE("10s", "10s", "10s")
	"  -v, --verbose             libevent's own warnings too\n"
	"  -h, --help                this text\n"
	"\n"
	"The node itself (127.0.0.1) may read /healthz and /metrics (Prometheus).\n";
/* clang-format on */

static int set(char *dst, size_t len, const char *v, const char *flag)
{
	if (sfmt(dst, len, "%s", v) != 0) {
		fprintf(stderr, "gkeid node: %s is too long\n", flag);
		return -EINVAL;
	}
	return 0;
}

static int set_count(size_t *dst, const char *v, const char *flag)
{
	char *end;
	long long x = strtoll(v, &end, 10);
	if (*end || x < 1 || x > 10000000) {
		fprintf(stderr, "gkeid node: invalid %s \"%s\"\n", flag, v);
		return -EINVAL;
	}
	*dst = (size_t)x;
	return 0;
}

/* The options that copy their argument into a string field of struct node_config. */
static const struct {
	int val;
	size_t off, len;
	const char *flag;
} string_opts[] = {
#define S(v, field, flag) {v, offsetof(struct node_config, field), sizeof(((struct node_config *)0)->field), flag}
	S('N', node_name, "--node-name"),
	S('K', kube_server, "--kube-server"),
	S('A', kube_ca, "--kube-ca"),
	S('C', kube_cert, "--kube-cert"),
	S('Y', kube_key, "--kube-key"),
	S('T', kube_token_file, "--kube-token-file"),
	S('p', project, "--project"),
	S('n', project_number, "--project-number"),
	S('l', location, "--location"),
	S('k', cluster, "--cluster"),
	S('u', cluster_uid, "--cluster-uid"),
	S('z', zone, "--zone"),
	S('P', node_pool, "--node-pool"),
	S('E', credentials, "--credentials"),
	S('S', state_file, "--state-file"),
	S('a', listen_addr, "--address"),
#undef S
};

/* Copies optarg into the string option val names; 1 when val is not one, else 0 or
 * -EINVAL (too long, said on stderr). */
static int set_string_opt(struct node_config *cfg, int val, const char *arg)
{
	for (size_t i = 0; i < sizeof(string_opts) / sizeof(string_opts[0]); i++)
		if (string_opts[i].val == val)
			return set((char *)cfg + string_opts[i].off, string_opts[i].len, arg,
				   string_opts[i].flag);
	return 1;
}

/* Each API's base: its own flag, else --cloud-url's path for it, else Google's host.
 * A base too long to hold is an error (said on stderr), never a cut URL. */
static int api_urls(struct node_config *cfg, char *cloud, const char *sts, const char *iam,
		    const char *container)
{
	size_t cl = strlen(cloud);
	while (cl > 0 && cloud[cl - 1] == '/')
		cloud[--cl] = '\0';
	if ((sts[0] ? SFMT(cfg->sts_url, "%s", sts)
	     : cl   ? SFMT(cfg->sts_url, "%s/sts", cloud)
		    : SFMT(cfg->sts_url, "https://sts.googleapis.com")) ||
	    (iam[0] ? SFMT(cfg->iamcredentials_url, "%s", iam)
	     : cl   ? SFMT(cfg->iamcredentials_url, "%s/iamcredentials", cloud)
		    : SFMT(cfg->iamcredentials_url, "https://iamcredentials.googleapis.com")) ||
	    (container[0] ? SFMT(cfg->container_url, "%s", container)
	     : cl	  ? SFMT(cfg->container_url, "%s/container", cloud)
			  : SFMT(cfg->container_url, "https://container.googleapis.com"))) {
		fprintf(stderr, "gkeid node: an API base URL is too long (at most %d bytes)\n",
			NODE_URL_MAX - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

static const struct option node_opts[] = {
	{"node-name", required_argument, NULL, 'N'},
	{"kube-server", required_argument, NULL, 'K'},
	{"kube-ca", required_argument, NULL, 'A'},
	{"kube-cert", required_argument, NULL, 'C'},
	{"kube-key", required_argument, NULL, 'Y'},
	{"kube-token-file", required_argument, NULL, 'T'},
	{"cloud-url", required_argument, NULL, 'U'},
	{"sts-url", required_argument, NULL, 's'},
	{"iamcredentials-url", required_argument, NULL, 'i'},
	{"container-url", required_argument, NULL, 'c'},
	{"project", required_argument, NULL, 'p'},
	{"project-number", required_argument, NULL, 'n'},
	{"location", required_argument, NULL, 'l'},
	{"cluster", required_argument, NULL, 'k'},
	{"cluster-uid", required_argument, NULL, 'u'},
	{"zone", required_argument, NULL, 'z'},
	{"node-pool", required_argument, NULL, 'P'},
	{"credentials", required_argument, NULL, 'E'},
	{"listen", required_argument, NULL, 'L'},
	{"port", required_argument, NULL, 'o'},
	{"address", required_argument, NULL, 'a'},
	{"state-file", required_argument, NULL, 'S'},
	{"hold", required_argument, NULL, 'H'},
	{"ksa-ttl", required_argument, NULL, 't'},
	{"pool-poll", required_argument, NULL, 6},
	{"netpol-ttl", required_argument, NULL, 7},
	{"max-pods", required_argument, NULL, 1},
	{"max-ksas", required_argument, NULL, 2},
	{"max-tokens", required_argument, NULL, 3},
	{"max-held", required_argument, NULL, 4},
	{"exit-with-parent", no_argument, NULL, 5},
	CONN_LIMIT_OPTIONS,
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The base URLs given on the command line, before api_urls makes them whole. */
struct url_args {
	char cloud[NODE_URL_MAX], sts[NODE_URL_MAX], iam[NODE_URL_MAX], container[NODE_URL_MAX];
};

/* --cloud-url, --sts-url, --iamcredentials-url or --container-url (option c) into u:
 * 0, or 1 on an error (said on stderr). */
static int set_url_opt(struct url_args *u, int c, const char *arg)
{
	switch (c) {
	case 'U':
		return set(u->cloud, sizeof(u->cloud) - 32, arg, "--cloud-url");
	case 's':
		return set(u->sts, sizeof(u->sts), arg, "--sts-url");
	case 'i':
		return set(u->iam, sizeof(u->iam), arg, "--iamcredentials-url");
	default:
		return set(u->container, sizeof(u->container), arg, "--container-url");
	}
}

/* --hold, --ksa-ttl (0 to 10 minutes), --pool-poll or --netpol-ttl (up to an hour; the
 * poll at least 100ms) into cfg: 0, or 1 on an error (said on stderr). */
static int set_duration_opt(struct node_config *cfg, int c, const char *arg)
{
	int64_t ms;
	if (c == 'H' || c == 't') {
		if (parse_duration_ms(arg, &ms) != 0 || ms > 600000) {
			fprintf(stderr, "gkeid node: invalid --%s \"%s\" (e.g. 0, 500ms, 10s)\n",
				c == 'H' ? "hold" : "ksa-ttl", arg);
			return 1;
		}
		*(c == 'H' ? &cfg->hold_ms : &cfg->ksa_ttl_ms) = ms;
		return 0;
	}
	if (parse_duration_ms(arg, &ms) != 0 || ms > 3600000 || (c == 6 && ms < 100)) {
		fprintf(stderr, "gkeid node: invalid --%s \"%s\" (e.g. 500ms, 10s)\n",
			c == 6 ? "pool-poll" : "netpol-ttl", arg);
		return 1;
	}
	*(c == 6 ? &cfg->pool_poll_ms : &cfg->netpol_ttl_ms) = ms;
	return 0;
}

/* Reads the options into cfg and u: 0, 1 when --help was printed, -1 on an error (said
 * on stderr). */
static int parse_args(int argc, char **argv, struct node_config *cfg, struct url_args *u)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", node_opts, NULL)) != -1) {
		int bad = 0;
		char err[200];
		int lr = parse_conn_limit(c, optarg, &cfg->limits, err, sizeof(err));
		if (lr < 0) {
			fprintf(stderr, "gkeid node: %s\n", err);
			return -1;
		}
		if (lr > 0)
			continue;
		if ((bad = set_string_opt(cfg, c, optarg)) <= 0) {
			if (bad)
				return -1;
			continue;
		}
		bad = 0;
		switch (c) {
		case 'U':
		case 's':
		case 'i':
		case 'c':
			bad = set_url_opt(u, c, optarg);
			break;
		case 5:
			/* Run by `gkeid up`: a SIGKILLed parent must not leave the node behind. */
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() == 1) {
				fprintf(stderr, "gkeid node: the parent is gone\n");
				bad = 1;
			}
			break;
		case 'L':
			if (strcmp(optarg, "local") == 0)
				cfg->listen = NODE_LISTEN_LOCAL;
			else if (strcmp(optarg, "node") == 0)
				cfg->listen = NODE_LISTEN_NODE;
			else {
				fprintf(stderr, "gkeid node: --listen must be local or node\n");
				bad = 1;
			}
			break;
		case 'o':
			if (parse_port(optarg, &cfg->port) != 0) {
				fprintf(stderr, "gkeid node: invalid --port \"%s\" (0-65535)\n",
					optarg);
				bad = 1;
			}
			break;
		case 'H':
		case 't':
		case 6:
		case 7:
			bad = set_duration_opt(cfg, c, optarg);
			break;
		case 1:
			bad = set_count(&cfg->max_pods, optarg, "--max-pods");
			break;
		case 2:
			bad = set_count(&cfg->max_ksas, optarg, "--max-ksas");
			break;
		case 3:
			bad = set_count(&cfg->max_tokens, optarg, "--max-tokens");
			break;
		case 4:
			bad = set_count(&cfg->max_held, optarg, "--max-held");
			break;
		case 'v':
			cfg->verbose = 1;
			break;
		case 'h':
			fputs(node_usage, stdout);
			return 1;
		default:
			fputs(node_usage, stderr);
			return -1;
		}
		if (bad)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "gkeid node: unexpected argument \"%s\"\n%s", argv[optind],
			node_usage);
		return -1;
	}
	return 0;
}

int cmd_node(int argc, char **argv)
{
	struct node_config *cfg = calloc(1, sizeof(*cfg));
	struct url_args *u = calloc(1, sizeof(*u));
	int rc = 2;
	if (!cfg || !u) {
		fprintf(stderr, "gkeid node: out of memory\n");
		rc = 1;
		goto out;
	}
	node_config_defaults(cfg);
	int pr = parse_args(argc, argv, cfg, u);
	if (pr) {
		rc = pr > 0 ? 0 : 2;
		goto out;
	}
	if (!cfg->kube_server[0] || !cfg->project[0] || !cfg->location[0] || !cfg->cluster[0]) {
		fprintf(stderr,
			"gkeid node: --kube-server, --project, --location and --cluster are "
			"required\n%s",
			node_usage);
		goto out;
	}
	if (api_urls(cfg, u->cloud, u->sts, u->iam, u->container) != 0)
		goto out;
	rc = node_run(cfg) == 0 ? 0 : 1;
out:
	free(cfg);
	free(u);
	return rc;
}
