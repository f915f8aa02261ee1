/*
 * fault.c - `gkeid fault`: lists, sets and clears the faults of a running `gkeid up`
 * through its admin endpoint on the cloud port (GET /gkeid/v1/faults, PUT and DELETE
 * /gkeid/v1/faults/NAME). Finds the server by --url, GKEID_CLOUD_URL, or DIR/env, and
 * calls it with the caller's Google access token: --access-token-file, else the active
 * gcloud account's (`gcloud auth print-access-token`), as the doctor does.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/dbuf.h"
#include "core/gcloudfiles.h"

#define RESP_CAP (1u << 20)
#define TOKEN_MAX 4096 /* an access token or a self-signed JWT */

static const char fault_usage[] =
	"Usage: gkeid fault list [--output text|json]\n"
	"       gkeid fault set NAME [--seconds N] [--cluster C]\n"
	"       gkeid fault clear NAME [--cluster C]\n"
	"       gkeid fault clear --all\n"
	"\n"
	"Breaks a running `gkeid up` the way GKE breaks, so that the troubleshooting guide's\n"
	"symptoms can be reproduced, diagnosed (gkeid doctor) and fixed. Faults live in\n"
	"memory: restarting `gkeid up` clears them.\n"
	"\n"
	"Faults (what a pod or client sees while one is set):\n"
	"  metadata-slow [--seconds N]   (default 10) the node holds a pod's metadata requests\n"
	"        until the pod is N s old: a client with a short timeout times out (curl\n"
	"        --max-time 2: \"Operation timed out\"); the node posts a Warning event\n"
	"        MetadataServerNotReady on the pod. Fix: retry, or an init container that\n"
	"        waits for the metadata server (see docs/faults.md).\n"
	"  control-plane-down            the cluster's Kubernetes API server refuses\n"
	"        connections (kubectl: \"connection refused\"); the metadata server answers\n"
	"        500 with \"dial tcp HOST:PORT: connect: connection refused\" for anything\n"
	"        it has not cached. --cluster C picks the cluster (default: up's cluster).\n"
	"  metadata-dns                  metadata.google.internal does not resolve in new\n"
	"        pods (gkeid exec); exec posts a Warning event DNSConfigForming.\n"
	"        Fix: set GCE_METADATA_HOST=169.254.169.254 in the pod (gkeid exec --env).\n"
	"  istio-proxy [--seconds N]     (default 10) in Istio-injected pods (gkeid exec\n"
	"        --annotation sidecar.istio.io/inject=true) connections to the metadata\n"
	"        address are refused for the first N s; exec posts a Warning event\n"
	"        ProxyNotReady. Fix: the annotation proxy.istio.io/config=\n"
	"        '{ \"holdApplicationUntilProxyStarts\": true }' or\n"
	"        traffic.sidecar.istio.io/excludeOutboundIPRanges=169.254.169.254/32.\n"
	"  metadata-crashloop            kube-system/gke-metadata-server-XXXXX shows\n"
	"        CrashLoopBackOff (last state OOMKilled) and the node's metadata server\n"
	"        refuses connections until the fault is cleared.\n"
	"  iam-propagation [--seconds N] (default 120) IAM policy changes take N s to affect\n"
	"        access checks; clearing restores up's --iam-propagation.\n"
	"\n"
	"Options:\n"
	"  --seconds N           how long (metadata-slow, istio-proxy, iam-propagation)\n"
	"  --cluster C           the cluster (default: the one `gkeid up` runs the node for)\n"
	"  --all                 with clear: every fault\n"
	"  --output text|json    list's format (default text)\n"
	"  --url URL             gkeid's cloud URL (default: $GKEID_CLOUD_URL, else from\n"
	"                        DIR/env)\n"
	"  --data-dir DIR        gkeid up's data directory (default: $GKEID_DATA_DIR, else\n"
	"                        ./.gkeid)\n"
	"  --access-token-file F the caller's Google access token (default: the active\n"
	"                        gcloud account's, `gcloud auth print-access-token`)\n"
	"  -h, --help            this text\n"
	"\n"
	"Who may: faults freeze IAM and take clusters down, so only the admin may set them.\n"
	"Every call carries the caller's Google access token (after `. DIR/env`, gcloud's\n"
	"active account is gkeid up's admin). It needs gkeid.faults.list (list),\n"
	"gkeid.faults.set (set) or gkeid.faults.clear (clear), which roles/owner and\n"
	"roles/gkeid.faultInjector hold and no other role does, on:\n"
	"  - gkeid up's project, for list and the cluster faults (they break its clusters);\n"
	"  - every project, for iam-propagation and clear --all (the delay is everyone's).\n"
	"The current policies count: IAM's propagation delay does not apply to this check.\n"
	"Without a token gkeid answers 401, without the permission 403.\n"
	"\n"
	"Exit status: 0 done, 1 not allowed (401, 403), the server failed or cannot be\n"
	"reached, 2 usage errors (also an unknown --cluster: the clusters are listed).\n"
	"Examples:\n"
	"  gkeid fault set metadata-slow --seconds 8\n"
	"  gkeid fault list\n"
	"  gkeid fault clear --all\n";

static const struct {
	const char *name;
	int takes_seconds, per_cluster;
} faults[] = {
	{"metadata-slow", 1, 1}, {"control-plane-down", 0, 1}, {"metadata-dns", 0, 1},
	{"istio-proxy", 1, 1},	 {"metadata-crashloop", 0, 1}, {"iam-propagation", 1, 0},
};
#define N_FAULTS (sizeof(faults) / sizeof(faults[0]))

/* What an access token may hold: printable, no spaces (it goes in a header). */
static int token_ok(const char *t)
{
	for (; *t; t++)
		if (!isgraph((unsigned char)*t))
			return 0;
	return 1;
}

/* The caller's access token into out: file's contents, else the last line that
 * `gcloud auth print-access-token` prints (warnings come first). 0, or -errno with
 * the reason (gcloud's own error line) in err. */
static int access_token(const char *file, char *out, size_t len, char *err, size_t errlen)
{
	if (!file && gcloud_cached_token(out, len) == 0)
		return 0; /* what gcloud would print, from its cache */
	FILE *f = file ? fopen(file, "r") : popen("gcloud auth print-access-token 2>&1", "r");
	char rest[256];
	size_t n;
	int big = 0, st;
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	while (fread(rest, 1, sizeof(rest), f) > 0) /* gcloud writes it all, then exits */
		big = 1;
	OPENSSL_cleanse(rest, sizeof(rest));
	st = file ? fclose(f) : pclose(f);
	while (n > 0 && isspace((unsigned char)out[n - 1]))
		out[--n] = '\0';
	char *line = strrchr(out, '\n');
	line = line ? line + 1 : out;
	if (!file && st != 0) {
		char *nl = strchr(out, '\n');
		if (nl)
			*nl = '\0'; /* gcloud's "ERROR: (gcloud.auth.print-access-token) ..." */
		snprintf(err, errlen, "`gcloud auth print-access-token` failed: %.300s", out);
		return -EACCES;
	}
	if (big || !*line || !token_ok(line)) {
		snprintf(err, errlen, "%s", big ? "it is too long" : "it is not an access token");
		return -EINVAL;
	}
	memmove(out, line, strlen(line) + 1);
	return 0;
}

/* GKEID_CLOUD_URL from DIR/env ("export GKEID_CLOUD_URL='...'"). 0, -ENOENT, or
 * -ENAMETOOLONG when DIR/env is longer than a path. */
static int url_from_env_file(const char *dir, char *out, size_t len)
{
	char path[PATH_MAX], line[1024];
	if (SFMT(path, "%s/env", dir) != 0)
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	int rc = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		const char *k = "export GKEID_CLOUD_URL='";
		if (strncmp(line, k, strlen(k)) != 0)
			continue;
		const char *v = line + strlen(k);
		size_t n = strcspn(v, "'");
		if (n > 0 && n < len && v[n] == '\'') {
			memcpy(out, v, n);
			out[n] = '\0';
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* One call; prints errors. Returns the HTTP status (0: no answer) and the JSON body. */
static int call(const char *base, const char *token, const char *method, const char *path,
		const char *body, json_t **out)
{
	struct httpc_req q = {.method = method, .body = body, .bearer = token, .cap = RESP_CAP};
	struct httpc_resp a;
	char url[1200], err[256];
	*out = NULL;
	if (SFMT(url, "%s%s", base, path) != 0) {
		fprintf(stderr,
			"gkeid fault: the URL %.200s%.200s... is too long (at most %zu bytes)\n",
			base, path, sizeof(url) - 1);
		return 0;
	}
	q.url = url;
	int rc = httpc_call(&q, &a, err, sizeof(err));
	if (rc == -ENOMEM) {
		fprintf(stderr, "gkeid fault: out of memory\n");
		return 0;
	}
	if (rc != 0) {
		fprintf(stderr,
			"gkeid fault: cannot reach gkeid at %s: %s (is `gkeid up` running?)\n",
			base, err);
		return 0;
	}
	*out = a.len ? json_loadb(a.body, a.len, 0, NULL) : NULL;
	if (a.status >= 300) {
		const char *m = json_string_value(
			json_object_get(json_object_get(*out, "error"), "message"));
		m = m ? m : (a.body ? a.body : "the server refused");
		if (a.status == 401)
			fprintf(stderr, "gkeid fault: gkeid did not accept the credentials: %s\n",
				m);
		else if (a.status == 403)
			fprintf(stderr, "gkeid fault: not allowed: %s\n", m);
		else
			fprintf(stderr, "gkeid fault: %s\n", m);
	}
	free(a.body);
	return (int)a.status;
}

static void print_fault(const json_t *f)
{
	const char *name = json_string_value(json_object_get(f, "name"));
	int active = json_is_true(json_object_get(f, "active"));
	const json_t *secs = json_object_get(f, "seconds");
	const json_t *cls = json_object_get(f, "clusters");
	char detail[600] = "";
	if (json_is_integer(secs))
		snprintf(detail, sizeof(detail), "%llds", (long long)json_integer_value(secs));
	if (json_array_size(cls)) {
		size_t i;
		const json_t *c;
		json_array_foreach(cls, i, c)
		{
			size_t l = strlen(detail);
			snprintf(detail + l, sizeof(detail) - l, "%s%.63s", l ? "," : "",
				 json_string_value(c) ? json_string_value(c) : "?");
		}
	}
	printf("%-20s %-7s %-12s %s\n", name ? name : "?", active ? "on" : "off",
	       *detail ? detail : "-", json_string_value(json_object_get(f, "symptom")) ?: "");
}

/* The fault's index in faults[], or -1. */
static int known(const char *name)
{
	for (size_t i = 0; i < N_FAULTS; i++)
		if (strcmp(faults[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int cluster_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static const struct option fault_opts[] = {
	{"seconds", required_argument, NULL, 's'},
	{"cluster", required_argument, NULL, 'c'},
	{"all", no_argument, NULL, 'a'},
	{"output", required_argument, NULL, 'o'},
	{"url", required_argument, NULL, 'u'},
	{"data-dir", required_argument, NULL, 'd'},
	{"access-token-file", required_argument, NULL, 't'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* A `gkeid fault` command line, read. */
struct fault_args {
	const char *dir, *url, *cluster, *output, *token_file, *verb, *name;
	long long seconds; /* -1: not given */
	int all, is_list, is_set, is_clear;
};

/* Reads the options: 0, 1 when help was printed (exit 0), or 2 after saying what is
 * wrong (exit 2). */
static int fault_options(int argc, char **argv, struct fault_args *a)
{
	int c;
	optind = 1;
	opterr = 0; /* ':' below: a missing value or an unknown option is reported here */
	while ((c = getopt_long(argc, argv, ":h", fault_opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's':
			errno = 0;
			a->seconds = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || a->seconds < 0 || a->seconds > 86400) {
				fprintf(stderr,
					"gkeid fault: invalid --seconds \"%s\" (a whole number of "
					"seconds, 0 to 86400)\n",
					optarg);
				return 2;
			}
			break;
		case 'c':
			a->cluster = optarg;
			break;
		case 'a':
			a->all = 1;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'u':
			a->url = optarg;
			break;
		case 'd':
			a->dir = optarg;
			break;
		case 't':
			a->token_file = optarg;
			break;
		case 'h':
			fputs(fault_usage, stdout);
			return 1;
		case ':':
			fprintf(stderr,
				"gkeid fault: %s needs a value%s (see gkeid fault --help)\n",
				argv[optind - 1],
				optopt == 's' ? ": a whole number of seconds, 0 to 86400" : "");
			return 2;
		default:
			if (optopt)
				fprintf(stderr, "gkeid fault: unknown option \"-%c\"\n\n", optopt);
			else
				fprintf(stderr, "gkeid fault: unknown option \"%s\"\n\n",
					argv[optind - 1]);
			fputs(fault_usage, stderr);
			return 2;
		}
	}
	return 0;
}

/* Reads the action and its fault name after the options: 0, 1 (help), or 2. */
static int fault_action(int argc, char **argv, struct fault_args *a)
{
	a->verb = optind < argc ? argv[optind] : NULL;
	a->name = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (!a->verb) {
		fprintf(stderr, "gkeid fault: say list, set NAME or clear NAME\n\n%s", fault_usage);
		return 2;
	}
	if (strcmp(a->verb, "help") == 0) {
		fputs(fault_usage, stdout);
		return 1;
	}
	a->is_list = strcmp(a->verb, "list") == 0;
	a->is_set = strcmp(a->verb, "set") == 0;
	a->is_clear = strcmp(a->verb, "clear") == 0;
	if (!a->is_list && !a->is_set && !a->is_clear) {
		fprintf(stderr, "gkeid fault: unknown action \"%s\" (list, set or clear)\n",
			a->verb);
		return 2;
	}
	int want = a->is_list || (a->is_clear && a->all) ? 0 : 1;
	if (optind + 1 + want < argc) {
		fprintf(stderr, "gkeid fault: unexpected argument \"%s\"\n",
			argv[optind + 1 + want]);
		return 2;
	}
	if (want && !a->name) {
		fprintf(stderr, "gkeid fault: %s needs a fault name (%s)\n", a->verb,
			a->is_clear ? "or --all" : "see gkeid fault --help");
		return 2;
	}
	return 0;
}

/* Checks that the options go with the action and the fault: 0, or 2 after saying why. */
static int fault_check(const struct fault_args *a)
{
	int fi = a->name ? known(a->name) : -1;
	const char *why = NULL;
	if (a->name && fi < 0) {
		fprintf(stderr,
			"gkeid fault: unknown fault \"%s\"; the faults are: metadata-slow, "
			"control-plane-down, metadata-dns, istio-proxy, metadata-crashloop, "
			"iam-propagation\n",
			a->name);
		return 2;
	}
	if (fi >= 0 && a->seconds >= 0 && !faults[fi].takes_seconds) {
		fprintf(stderr,
			"gkeid fault: fault %s takes no --seconds (those that do: metadata-slow, "
			"istio-proxy, iam-propagation)\n",
			a->name);
		return 2;
	}
	if (fi >= 0 && a->cluster && !faults[fi].per_cluster) {
		fprintf(stderr, "gkeid fault: fault %s is not per cluster: it takes no --cluster\n",
			a->name);
		return 2;
	}
	if (a->all && !a->is_clear)
		why = "--all goes with clear";
	else if (a->seconds >= 0 && !a->is_set)
		why = "--seconds goes with set";
	else if (a->cluster && !cluster_ok(a->cluster)) {
		fprintf(stderr, "gkeid fault: invalid --cluster \"%s\"\n", a->cluster);
		return 2;
	} else if (strcmp(a->output, "text") != 0 && strcmp(a->output, "json") != 0)
		why = "--output is text or json";
	if (why) {
		fprintf(stderr, "gkeid fault: %s\n", why);
		return 2;
	}
	return 0;
}

/* Makes the request the action stands for: the HTTP status (0: no answer), with the
 * body in *out. */
static int fault_request(const struct fault_args *a, const char *base, const char *token,
			 json_t **out)
{
	char path[400], body[200];
	if (a->is_list)
		return call(base, token, "GET", "/gkeid/v1/faults", NULL, out);
	if (a->is_clear && a->all)
		return call(base, token, "DELETE", "/gkeid/v1/faults", NULL, out);
	/* name and cluster are checked: a known fault, a cluster name of at most 63 bytes */
	if (SFMT(path, "/gkeid/v1/faults/%s%s%s", a->name, a->cluster ? "?cluster=" : "",
		 a->cluster ? a->cluster : ""))
		return 0;
	if (a->is_set && a->seconds >= 0)
		snprintf(body, sizeof(body), "{\"seconds\":%lld}", a->seconds);
	else
		snprintf(body, sizeof(body), "{}");
	return call(base, token, a->is_set ? "PUT" : "DELETE", path, a->is_set ? body : NULL,
		    out);
}

/* Prints a 200 answer: the fault table, the JSON, or one line. */
static void fault_print(const struct fault_args *a, const json_t *out)
{
	if (a->is_list && strcmp(a->output, "json") == 0) {
		char *s = json_dumps(out, JSON_INDENT(2));
		if (s)
			puts(s);
		free(s);
	} else if (a->is_list || (a->is_clear && a->all)) {
		printf("%-20s %-7s %-12s %s\n", "NAME", "ACTIVE", "SETTING", "SYMPTOM");
		size_t i;
		const json_t *f;
		json_array_foreach(json_object_get(out, "faults"), i, f) print_fault(f);
	} else {
		const json_t *secs = json_object_get(out, "seconds");
		if (a->is_set && json_is_integer(secs))
			printf("fault %s set (%llds)\n", a->name, (long long)json_integer_value(secs));
		else
			printf("fault %s %s\n", a->name, a->is_set ? "set" : "cleared");
	}
}

/* Says why a refused request was refused: 2 for a bad value or an unknown cluster,
 * else 1. */
static int fault_refused(const struct fault_args *a, int status)
{
	const char *whose = a->token_file ? "the token of --access-token-file"
					  : "gcloud's active account, `gcloud auth list`";
	if (status == 401)
		fprintf(stderr,
			"Faults need the admin's Google credentials, and gkeid does not know the "
			"token (%s). `. DIR/env` makes gcloud's active account gkeid up's admin.\n",
			whose);
	else if (status == 403)
		fprintf(stderr,
			"Faults need gkeid.faults.list, .set or .clear on gkeid up's project "
			"(iam-propagation and clear --all: on every project), which roles/owner "
			"and roles/gkeid.faultInjector hold; the caller (%s) does not.\n",
			whose);
	return status == 400 || status == 404 ? 2 : 1;
}

int cmd_fault(int argc, char **argv)
{
	struct fault_args a = {.dir = getenv("GKEID_DATA_DIR"), .output = "text", .seconds = -1};
	char base[600], token[TOKEN_MAX], err[400];
	json_t *out = NULL;
	if (!a.dir || !*a.dir)
		a.dir = ".gkeid";
	int rc = fault_options(argc, argv, &a);
	if (!rc)
		rc = fault_action(argc, argv, &a);
	if (!rc)
		rc = fault_check(&a);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (!a.url || !*a.url)
		a.url = getenv("GKEID_CLOUD_URL");
	int found = a.url && *a.url ? SFMT(base, "%s", a.url)
				    : url_from_env_file(a.dir, base, sizeof(base));
	if (found != 0) {
		if (a.url && *a.url)
			fprintf(stderr, "gkeid fault: the URL is too long (at most %zu bytes)\n",
				sizeof(base) - 1);
		else if (found == -ENAMETOOLONG)
			fprintf(stderr,
				"gkeid fault: the data directory is too long (at most %d bytes "
				"with /env)\n",
				PATH_MAX - 1);
		else
			fprintf(stderr,
				"gkeid fault: where is gkeid? Set GKEID_CLOUD_URL (`. DIR/env`), or "
				"give --data-dir DIR of a running `gkeid up` (no %s/env), or --url\n",
				a.dir);
		return 1;
	}
	size_t bl = strlen(base);
	while (bl > 0 && base[bl - 1] == '/')
		base[--bl] = '\0';
	if (access_token(a.token_file, token, sizeof(token), err, sizeof(err)) != 0) {
		OPENSSL_cleanse(token, sizeof(token));
		fprintf(stderr,
			"gkeid fault: no access token from %s: %s\n(faults need the admin's "
			"Google credentials: log in with gcloud, `. DIR/env` for gkeid up's admin, "
			"or give --access-token-file F)\n",
			a.token_file ? a.token_file : "gcloud", err);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int status = fault_request(&a, base, token, &out);
	OPENSSL_cleanse(token, sizeof(token));
	if (status == 200)
		fault_print(&a, out);
	rc = status == 200 ? 0 : fault_refused(&a, status);
	json_decref(out);
	curl_global_cleanup();
	return rc;
}
