/*
 * up.c - `gkeid up`'s options: parses the command line into struct up_options and runs
 * the all-in-one (up/up.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/httpconn.h"
#include "up/up.h"

/* clang-format off */
static const char up_usage[] =
	"Usage: gkeid up [--data-dir DIR] [--port N|0] [--iam-propagation DURATION]\n"
	"                [--state FILE]\n"
	"\n"
	"Starts gkeid in the foreground: the Google APIs on 127.0.0.1:PORT, a Kubernetes\n"
	"API server for each GKE cluster, and the node agent (metadata server) for\n"
	"local-node of the default cluster, with state in an embedded SQLite store in DIR.\n"
	"When it is ready it writes DIR/env; in another shell run `. DIR/env` and gcloud,\n"
	"kubectl and `gkeid exec` work against gkeid as the admin user.\n"
	"\n"
	"  --data-dir DIR            where state lives (default: $GKEID_DATA_DIR, else ./.gkeid)\n"
	"  --port N                  the API port (default 8780; 0 picks a free port)\n"
	"  --iam-propagation DUR     how long an IAM policy change takes to affect access\n"
	"                            checks, e.g. 0, 5s, 2m (default 0; Google: ~2-7 minutes)\n"
	"  --state FILE              YAML state to write on first start instead of the demo\n"
	"                            (see docs/state.md); ignored once DIR holds state\n"
	"Connections (the Google APIs and every cluster's API server; the values given\n"
	"are passed to the node agent too):\n" CONN_LIMIT_USAGE("32s", "32s", "90s")
	"  -h, --help                this text\n"
	"\n"
	"A restart on the same data directory keeps all state. SIGINT or SIGTERM stops it.\n"
	"`gkeid fault` injects GKE's failures through /gkeid/v1/faults on the API port\n"
	"(see docs/faults.md); the node's pod is kube-system/gke-metadata-server-XXXXX.\n";
/* clang-format on */

int cmd_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"port", required_argument, NULL, 'p'},
		{"iam-propagation", required_argument, NULL, 'i'},
		{"state", required_argument, NULL, 's'},
		CONN_LIMIT_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct up_options o = {.port = UP_DEFAULT_PORT};
	char err[200];
	int c;
	o.dir = getenv("GKEID_DATA_DIR");
	if (!o.dir || !*o.dir)
		o.dir = ".gkeid";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int lr = parse_conn_limit(c, optarg, &o.limits, err, sizeof(err));
		if (lr < 0) {
			fprintf(stderr, "gkeid up: %s\n", err);
			return 2;
		}
		if (lr > 0)
			continue;
		switch (c) {
		case 'd':
			o.dir = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &o.port) != 0) {
				fprintf(stderr, "gkeid up: invalid --port \"%s\" (0-65535)\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			if (parse_duration_ms(optarg, &o.propagation_ms) != 0) {
				fprintf(stderr,
					"gkeid up: invalid --iam-propagation \"%s\" (e.g. 0, "
					"500ms, 5s, 2m)\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			o.state_file = optarg;
			break;
		case 'h':
			fputs(up_usage, stdout);
			return 0;
		default:
			fputs(up_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gkeid up: unexpected argument \"%s\"\n%s", argv[optind], up_usage);
		return 2;
	}
	return up_run(&o);
}
