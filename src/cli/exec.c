/*
 * exec.c - `gkeid exec`: runs a command as a pod of the local node. It creates a Pod
 * (visible in `kubectl get pods`) on the node with a fresh pod IP in status.podIP (a
 * loopback address of its own, 127.x.y.z, in local mode), runs the command with
 * GCE_METADATA_HOST, GCE_METADATA_ROOT and GCE_METADATA_IP pointing at that pod's
 * metadata address, and a gcloud configuration of its own with no account (so clients
 * take the pod's Workload Identity, as in a real pod), passes the exit status through,
 * and deletes the pod when the command ends. It talks to the Kubernetes API with the
 * node's client certificate, read from the node's state file (`gkeid node
 * --state-file`, DIR/nodes/NODE.json), except to create the pod: a node may create only
 * mirror pods (NodeRestriction), so the pod is created as `up`'s user gkeid-exec, whose
 * certificate lies beside the node's (exec.pem, exec-key.pem), as a developer's
 * `kubectl run` would create it.
 *
 * cmd_exec reads its options (exec_options), builds the Pod (execpod.c, pure), creates
 * it and prepares what the pod has (pod_create, pod_prepare), runs the command
 * (run_child: fork, exec, signals passed on) and ends it all (pod_end). Its SIGINT,
 * SIGTERM and SIGHUP handler is set before anything else, so a signal at any moment
 * ends exec through pod_end (once, a SIGTERM before the fork killed it and left the
 * pod behind).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/execpod.h"
#include "core/clock.h"
#include "core/dbuf.h"
#include "core/gcloudfiles.h"
#include "core/jwt.h"

#define RESP_CAP (8u << 20)
#define EXEC_DIR_MAX 3800    /* the data directory; the pods' paths below it then fit */
#define PROXY_IDLE_MS 120000 /* a proxied connection with no traffic is closed */
#define PROXY_GRACE_S 30     /* holdApplicationUntilProxyStarts waits delay + this */

static const char exec_usage[] =
	"Usage: gkeid exec [--namespace NS] [--serviceaccount KSA] [--name POD] -- CMD [ARGS...]\n"
	"\n"
	"Runs CMD as a pod on the local node: creates the Pod (kubectl get pods shows it) with\n"
	"a fresh pod IP, runs CMD with GCE_METADATA_HOST, GCE_METADATA_ROOT and GCE_METADATA_IP\n"
	"set to that pod's metadata server, so Google's client libraries, gcloud and curl get\n"
	"the pod's Workload Identity (its Kubernetes service account's, or the Google service\n"
	"account it is annotated with), then deletes the pod and exits with CMD's status.\n"
	"\n"
	"  -n, --namespace NS        the pod's namespace (default: default)\n"
	"  --serviceaccount KSA      its Kubernetes service account (default: default)\n"
	"  --name POD                its name (default: exec-XXXXX)\n"
	"  --node NAME               the node (default local-node)\n"
	"  --data-dir DIR            where the node's state file is (default: $GKEID_DATA_DIR,\n"
	"                            else ./.gkeid): DIR/nodes/NODE.json\n"
	"  --node-state FILE         the node's state file itself\n"
	"  --pod-ip IP               use this pod IP instead of a fresh one\n"
	"  --netns NAME              (root) run CMD in network namespace NAME with\n"
	"                            `ip netns exec`, and manage /etc/netns/NAME/hosts (it maps\n"
	"                            metadata.google.internal to 169.254.169.254)\n"
	"  --annotation K=V          a pod annotation (repeatable); sidecar.istio.io/inject=true\n"
	"                            injects an istio-proxy (see below)\n"
	"  --label K=V               a pod label (repeatable)\n"
	"  --env K=V                 an environment variable of the pod's container\n"
	"                            (repeatable; recorded in the Pod spec). In local mode\n"
	"                            GCE_METADATA_HOST=169.254.169.254 names the pod's metadata\n"
	"                            address, as that IP does in a GKE pod\n"
	"  --keep-env                keep CLOUDSDK_CONFIG and GOOGLE_APPLICATION_CREDENTIALS\n"
	"                            (by default CMD gets a gcloud configuration of its own)\n"
	"  -h, --help                this text\n"
	"\n"
	"Faults (gkeid fault): with metadata-dns set, CMD gets no GCE_METADATA_HOST or\n"
	"GCE_METADATA_ROOT (clients fall back to metadata.google.internal, which does not\n"
	"resolve) and the pod a Warning event DNSConfigForming. An Istio-injected pod (local\n"
	"mode) reaches its metadata server through an \"istio-proxy\" on its own address;\n"
	"with istio-proxy N set the proxy starts listening only N s after the pod (connection\n"
	"refused until then; Warning event ProxyNotReady), unless the pod has\n"
	"traffic.sidecar.istio.io/excludeOutboundIPRanges covering 169.254.169.254/32, and\n"
	"proxy.istio.io/config '{ \"holdApplicationUntilProxyStarts\": true }' makes exec start\n"
	"CMD only once the proxy is ready.\n";

/* the signal that is ending exec (see on_signal) */
static volatile sig_atomic_t got_signal;

struct nstate {
	char node[254], listen[16], server[512], ca[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
	char metadata_host[80]; /* node mode: where pods reach the metadata server */
	int port;
	long pid;
};

/* One Kubernetes API call with the node's certificate. Returns the HTTP status (0 when
 * there was no answer, with err filled) and the parsed JSON body in *out (may be NULL). */
static int kube(const struct nstate *st, const char *method, const char *path, const json_t *body,
		json_t **out, char *err, size_t errlen)
{
	struct httpc_req q = {
		.method = method, .ca = st->ca, .cert = st->cert, .key = st->key, .cap = RESP_CAP};
	struct httpc_resp a;
	char url[1024 + 512], *s = NULL, cerr[256];
	if (out)
		*out = NULL;
	if (SFMT(url, "%s%s", st->server, path)) {
		snprintf(err, errlen, "%s %s%.200s...: the URL is too long", method, st->server,
			 path);
		return 0;
	}
	q.url = url;
	if (body) {
		s = json_dumps(body, JSON_COMPACT);
		q.body = s ? s : "{}";
	}
	int rc = httpc_call(&q, &a, cerr, sizeof(cerr));
	free(s);
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s %s: %s", method, url, cerr);
		return 0;
	}
	if (out && a.len)
		*out = json_loadb(a.body, a.len, 0, NULL);
	if (a.status >= 300) {
		json_t *j = a.len ? json_loadb(a.body, a.len, 0, NULL) : NULL;
		const char *m = json_string_value(json_object_get(j, "message"));
		snprintf(err, errlen, "%s", m ? m : (a.body ? a.body : ""));
		json_decref(j);
	}
	free(a.body);
	return (int)a.status;
}

/* The credential that creates pods: the certificate of the user gkeid-exec beside the
 * node's (DIR/keys/exec.pem and exec-key.pem), else the node's own. */
static void pod_creator(const struct nstate *st, struct nstate *as)
{
	char dir[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
	*as = *st;
	const char *slash = strrchr(st->cert, '/');
	size_t n = slash ? (size_t)(slash - st->cert) : 0;
	if (SFMT(dir, "%.*s", (int)n, st->cert) || SFMT(cert, "%s/exec.pem", slash ? dir : ".") ||
	    SFMT(key, "%s/exec-key.pem", slash ? dir : ".") || access(cert, R_OK) != 0 ||
	    access(key, R_OK) != 0)
		return;
	memcpy(as->cert, cert, sizeof(as->cert));
	memcpy(as->key, key, sizeof(as->key));
}

static int read_state(const char *file, struct nstate *st, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_load_file(file, 0, &je);
	if (!j) {
		snprintf(err, errlen,
			 "cannot read the node's state file %.1024s (is `gkeid node` "
			 "running? `gkeid up` runs it): %s",
			 file, je.text);
		return -ENOENT;
	}
	const char *f[6] = {"nodeName", "listen", "kubeServer", "kubeCA", "kubeCert", "kubeKey"};
	char *dst[6] = {st->node, st->listen, st->server, st->ca, st->cert, st->key};
	size_t len[6] = {sizeof(st->node), sizeof(st->listen), sizeof(st->server),
			 sizeof(st->ca),   sizeof(st->cert),   sizeof(st->key)};
	for (int i = 0; i < 6; i++) {
		const char *v = json_string_value(json_object_get(j, f[i]));
		if (!v || strlen(v) >= len[i]) {
			snprintf(err, errlen, "%.1024s: missing or bad \"%s\"", file, f[i]);
			json_decref(j);
			return -EINVAL;
		}
		snprintf(dst[i], len[i], "%s", v);
	}
	const char *mh = json_string_value(json_object_get(j, "metadataHost"));
	snprintf(st->metadata_host, sizeof(st->metadata_host), "%s",
		 mh && strlen(mh) < sizeof(st->metadata_host) ? mh : "");
	st->port = (int)json_integer_value(json_object_get(j, "port"));
	st->pid = (long)json_integer_value(json_object_get(j, "pid"));
	json_decref(j);
	if (st->port <= 0 || st->port > 65535) {
		snprintf(err, errlen, "%.1024s: bad port", file);
		return -EINVAL;
	}
	if (st->pid > 0 && kill((pid_t)st->pid, 0) != 0 && errno == ESRCH) {
		snprintf(err, errlen, "the node agent (pid %ld, %.1024s) is not running", st->pid,
			 file);
		return -ESRCH;
	}
	return 0;
}

static int rand_byte(int lo, int hi)
{
	unsigned char b[2];
	if (random_bytes(b, 2) != 0)
		return lo;
	return lo + (int)(((unsigned)b[0] << 8 | b[1]) % (unsigned)(hi - lo + 1));
}

/* A loopback address no pod of the node has: 127.A.B.C, A in 1..254. */
static int fresh_ip(const struct nstate *st, char *ip, size_t len, char *err, size_t errlen)
{
	char path[600];
	json_t *list = NULL;
	char sel[400];
	if (SFMT(sel, "spec.nodeName%%3D%s", st->node) ||
	    SFMT(path, "/api/v1/pods?fieldSelector=%s", sel)) {
		snprintf(err, errlen, "the node name \"%.100s...\" is too long", st->node);
		return -ENAMETOOLONG;
	}
	int status = kube(st, "GET", path, NULL, &list, err, errlen);
	if (status != 200) {
		json_decref(list);
		if (status)
			snprintf(err + strlen(err), errlen - strlen(err), " (listing pods on %s)",
				 st->node);
		return -EIO;
	}
	for (int attempt = 0; attempt < 64; attempt++) {
		snprintf(ip, len, "127.%d.%d.%d", rand_byte(1, 254), rand_byte(0, 255),
			 rand_byte(1, 254));
		int used = 0;
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(list, "items"), i, p)
		{
			const char *pip = json_string_value(
				json_object_get(json_object_get(p, "status"), "podIP"));
			if (pip && strcmp(pip, ip) == 0)
				used = 1;
		}
		if (!used) {
			json_decref(list);
			return 0;
		}
	}
	json_decref(list);
	snprintf(err, errlen, "no free pod address");
	return -EADDRINUSE;
}

/* Sets status.podIP (and the Running phase) through the status subresource. */
static int set_running(const struct nstate *st, json_t *pod, const char *ip, int istio, char *err,
		       size_t errlen)
{
	char path[1200], now[32];
	clock_rfc3339((int64_t)time(NULL), now);
	const json_t *meta = json_object_get(pod, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	if (!ns || !name)
		return -EINVAL;
	json_t *conds = json_array();
	const char *types[4] = {"Initialized", "Ready", "ContainersReady", "PodScheduled"};
	for (int i = 0; i < 4; i++)
		json_array_append_new(conds, json_pack("{s:s, s:s, s:n, s:s}", "type", types[i],
						       "status", "True", "lastProbeTime",
						       "lastTransitionTime", now));
	json_t *status = json_pack(
		"{s:s, s:o, s:s, s:[{s:s}], s:s, s:[{s:s}], s:s, s:[{s:s, s:b, s:b, s:i, s:s, s:s, "
		"s:s, s:{s:{s:s}}}], s:s}",
		"phase", "Running", "conditions", conds, "hostIP", "127.0.0.1", "hostIPs", "ip",
		"127.0.0.1", "podIP", ip, "podIPs", "ip", ip, "startTime", now, "containerStatuses",
		"name", "main", "ready", 1, "started", 1, "restartCount", 0, "image", "gkeid/exec",
		"imageID", "", "containerID", "gkeid://exec", "state", "running", "startedAt", now,
		"qosClass", "BestEffort");
	if (!status)
		return -ENOMEM;
	if (istio)
		json_array_append_new(json_object_get(status, "containerStatuses"),
				      json_pack("{s:s, s:b, s:b, s:i, s:s, s:s, s:s, s:{s:{s:s}}}",
						"name", "istio-proxy", "ready", 1, "started", 1,
						"restartCount", 0, "image", EXEC_ISTIO_IMAGE,
						"imageID", "", "containerID", "gkeid://istio-proxy",
						"state", "running", "startedAt", now));
	json_object_set_new(pod, "status", status);
	if (SFMT(path, "/api/v1/namespaces/%s/pods/%s/status", ns, name)) {
		snprintf(err, errlen, "the pod's name is too long");
		return -ENAMETOOLONG;
	}
	json_t *out = NULL;
	int code = kube(st, "PUT", path, pod, &out, err, errlen);
	json_decref(out);
	return code == 200 || code == 201 ? 0 : -EIO;
}

static int delete_pod(const struct nstate *st, const char *ns, const char *name)
{
	char path[1200], err[512];
	int code = SFMT(path, "/api/v1/namespaces/%s/pods/%s?gracePeriodSeconds=0", ns, name)
			   ? (snprintf(err, sizeof(err), "the pod's name is too long"), 0)
			   : kube(st, "DELETE", path, NULL, NULL, err, sizeof(err));
	if (code != 200 && code != 202 && code != 404) {
		fprintf(stderr, "gkeid exec: cannot delete pod %s/%s: %s\n", ns, name, err);
		return -EIO;
	}
	return 0;
}

static int dns_label(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '.'))
			return 0;
	return 1;
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, strlen(path) + 1);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -errno : 0;
}

static void rmtree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[PATH_MAX + 300];
			struct stat sb;
			if (SFMT(p, "%s/%s", path, e->d_name) != 0) /* never a shorter name */
				continue;
			if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
				rmtree(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* A gcloud configuration for the pod: the user's active configuration without its
 * account (API endpoint overrides, project and token host kept), no credentials. */
static int pod_gcloud_config(const char *dir)
{
	char src_dir[PATH_MAX], path[PATH_MAX + 512], in_path[PATH_MAX + 512];
	const char *cfg = getenv("CLOUDSDK_CONFIG");
	const char *home = getenv("HOME");
	if ((cfg && *cfg ? SFMT(src_dir, "%s", cfg)
			 : SFMT(src_dir, "%s/.config/gcloud", home ? home : "")) ||
	    gcloud_active_config(src_dir, in_path, sizeof(in_path)))
		return -ENAMETOOLONG;
	if (SFMT(path, "%s/configurations", dir))
		return -ENAMETOOLONG;
	if (mkdirs(path) != 0)
		return -EIO;
	if (SFMT(path, "%s/active_config", dir))
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("default", f);
	fclose(f);
	char out_path[PATH_MAX + 512];
	if (SFMT(out_path, "%s/configurations/config_default", dir))
		return -ENAMETOOLONG;
	FILE *in = fopen(in_path, "r"), *out = fopen(out_path, "w");
	if (!out) {
		if (in)
			fclose(in);
		return -errno;
	}
	if (in) {
		char line[4096], section[128] = "";
		while (fgets(line, sizeof(line), in)) {
			if (line[0] == '[')
				snprintf(section, sizeof(section), "%.*s",
					 (int)strcspn(line, "\r\n"), line);
			/* no account, and the metadata server is to be asked (a pod is "on GCE") */
			if (strcmp(section, "[core]") == 0 &&
			    (strncmp(line, "account", 7) == 0 ||
			     strncmp(line, "check_gce_metadata", 18) == 0))
				continue;
			fputs(line, out);
		}
		fclose(in);
	}
	fclose(out);
	return 0;
}

/* --- faults, as the node's DaemonSet pod carries them (see gkeid fault) --- */

struct dsfaults {
	int dns;      /* metadata-dns */
	long istio_s; /* istio-proxy N (0: off) */
};

static void read_faults(const struct nstate *st, struct dsfaults *f)
{
	char path[800], err[512];
	json_t *list = NULL;
	memset(f, 0, sizeof(*f));
	if (SFMT(path,
		 "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%%3Dgke-metadata-server"
		 "&fieldSelector=spec.nodeName%%3D%s",
		 st->node) == 0 &&
	    kube(st, "GET", path, NULL, &list, err, sizeof(err)) == 200) {
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(list, "items"), i, p)
		{
			const json_t *ann =
				json_object_get(json_object_get(p, "metadata"), "annotations");
			const char *d = json_string_value(
				json_object_get(ann, "faults.gkeid.dev/metadata-dns"));
			const char *is = json_string_value(
				json_object_get(ann, "faults.gkeid.dev/istio-proxy"));
			if (d && *d)
				f->dns = 1;
			if (is) {
				char *end;
				long v = strtol(is, &end, 10);
				if (*end == '\0' && v > 0 && v <= 86400)
					f->istio_s = v;
			}
		}
	}
	json_decref(list);
}

/* Posts an event about the pod, as the kubelet would. Failures are reported only. */
static void post_event(const struct nstate *st, const char *ns, const char *pod, const char *uid,
		       const char *type, const char *reason, const char *message)
{
	char path[400], err[512], now[32], gen[300];
	json_t *out = NULL;
	clock_rfc3339((int64_t)time(NULL), now);
	snprintf(gen, sizeof(gen), "%s.", pod);
	json_t *ev = json_pack(
		"{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:s, s:{s:s, s:s},"
		" s:s, s:s, s:i, s:s, s:s}",
		"apiVersion", "v1", "kind", "Event", "metadata", "generateName", gen, "namespace",
		ns, "involvedObject", "kind", "Pod", "apiVersion", "v1", "namespace", ns, "name",
		pod, "uid", uid ? uid : "", "reason", reason, "message", message, "type", type,
		"source", "component", "kubelet", "host", st->node, "firstTimestamp", now,
		"lastTimestamp", now, "count", 1, "reportingComponent", "kubelet",
		"reportingInstance", st->node);
	if (!ev)
		return;
	int code = SFMT(path, "/api/v1/namespaces/%s/events", ns)
			   ? (snprintf(err, sizeof(err), "the namespace's name is too long"), 0)
			   : kube(st, "POST", path, ev, &out, err, sizeof(err));
	if (code != 201 && code != 200)
		fprintf(stderr, "gkeid exec: cannot post event %s on pod %s/%s: %s\n", reason, ns,
			pod, err);
	json_decref(out);
	json_decref(ev);
}

/* --- Istio: annotations and the "istio-proxy" --- */

/* True when proxy.istio.io/config (YAML/JSON text) sets holdApplicationUntilProxyStarts. */
static int hold_until_proxy(const struct exec_kvs *ann)
{
	const char *c = exec_kv_get(ann, "proxy.istio.io/config");
	if (!c)
		return 0;
	json_t *j = json_loads(c, 0, NULL);
	int r = json_is_true(json_object_get(j, "holdApplicationUntilProxyStarts"));
	json_decref(j);
	if (!j) { /* YAML form: holdApplicationUntilProxyStarts: true */
		const char *k = strstr(c, "holdApplicationUntilProxyStarts");
		if (k) {
			k += strlen("holdApplicationUntilProxyStarts");
			k += strspn(k, "\"' \t:");
			r = strncmp(k, "true", 4) == 0;
		}
	}
	return r;
}

/* True when traffic.sidecar.istio.io/excludeOutboundIPRanges covers 169.254.169.254. */
static int metadata_excluded(const struct exec_kvs *ann)
{
	const char *v = exec_kv_get(ann, "traffic.sidecar.istio.io/excludeOutboundIPRanges");
	const uint32_t md = 0xA9FEA9FEu; /* 169.254.169.254 */
	while (v && *v) {
		char cidr[64], ip[64];
		size_t n = strcspn(v, ",");
		snprintf(cidr, sizeof(cidr), "%.*s", (int)(n < 63 ? n : 63), v);
		v += n + (v[n] == ',');
		char *c = cidr + strspn(cidr, " ");
		c[strcspn(c, " ")] = '\0';
		if (strcmp(c, "*") == 0)
			return 1;
		int bits = 32;
		char *slash = strchr(c, '/');
		if (slash) {
			char *end;
			long b = strtol(slash + 1, &end, 10);
			if (*end || b < 0 || b > 32)
				continue;
			bits = (int)b;
		}
		snprintf(ip, sizeof(ip), "%.*s", slash ? (int)(slash - c) : (int)strlen(c), c);
		struct in_addr a;
		if (inet_pton(AF_INET, ip, &a) != 1)
			continue;
		uint32_t mask = bits ? 0xFFFFFFFFu << (32 - bits) : 0;
		if ((ntohl(a.s_addr) & mask) == (md & mask))
			return 1;
	}
	return 0;
}

/* Copies bytes both ways between a and b until both ends close or nothing moves for
 * PROXY_IDLE_MS. */
static void relay(int a, int b)
{
	char buf[16384];
	int open_a = 1, open_b = 1;
	while (open_a || open_b) {
		struct pollfd p[2] = {{a, open_a ? POLLIN : 0, 0}, {b, open_b ? POLLIN : 0, 0}};
		int r = poll(p, 2, PROXY_IDLE_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			int from = i ? b : a, to = i ? a : b;
			ssize_t n = read(from, buf, sizeof(buf));
			if (n <= 0) {
				if (i)
					open_b = 0;
				else
					open_a = 0;
				shutdown(to, SHUT_WR);
				continue;
			}
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(to, buf + off, (size_t)(n - off));
				if (w <= 0)
					return;
				off += w;
			}
		}
	}
}

/* The proxy process: bound (not yet listening, so connections are refused) on
 * ip:port; after delay_s it listens, says so on ready_fd, and forwards every
 * connection to the node at ip:node_port (the destination address names the pod). */
static void proxy_main(const struct nstate *st, int s, int ready_fd, const char *ip, int node_port,
		       long delay_s, const char *ns, const char *pod, const char *uid)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGTERM, SIG_DFL); /* not exec's handler: pod_end's SIGTERM ends the proxy */
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* connection children are reaped by the kernel */
	struct timespec ts = {delay_s, 0};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	if (listen(s, 128) != 0)
		_exit(1);
	if (write(ready_fd, "r", 1) != 1) {
		/* exec is not waiting: go on */
	}
	close(ready_fd);
	if (delay_s > 0)
		post_event(st, ns, pod, uid, "Normal", "ProxyReady", "Envoy proxy is ready");
	struct sockaddr_in to;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)node_port);
	if (inet_pton(AF_INET, ip, &to.sin_addr) != 1)
		_exit(1);
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		pid_t k = fork();
		if (k == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			close(s);
			int u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			int one = 1;
			if (u >= 0 && connect(u, (struct sockaddr *)&to, sizeof(to)) == 0) {
				setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				relay(c, u);
			}
			_exit(0);
		}
		close(c);
	}
}

/* Starts the istio-proxy for a pod at ip: *port gets its port, *ready_fd a pipe that
 * becomes readable when it listens. Returns its pid, or -1. */
static pid_t start_proxy(const struct nstate *st, const char *ip, long delay_s, const char *ns,
			 const char *pod, const char *uid, int *port, int *ready_fd)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fds[2], one = 1;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	if (s < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) != 0) {
		fprintf(stderr, "gkeid exec: istio-proxy: cannot bind on %s: %s\n", ip,
			strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		close(s);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		proxy_main(st, s, fds[1], ip, st->port, delay_s, ns, pod, uid);
		_exit(0);
	}
	close(s);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	*port = ntohs(a.sin_port);
	*ready_fd = fds[0];
	return pid;
}

/* Waits until the proxy listens (its pipe is readable), at most timeout_s. 0 or -1. */
static int wait_ready(int fd, long timeout_s)
{
	struct pollfd p = {fd, POLLIN, 0};
	int r;
	while ((r = poll(&p, 1, (int)(timeout_s * 1000))) < 0 && errno == EINTR && !got_signal)
		;
	char c;
	return r == 1 && read(fd, &c, 1) == 1 ? 0 : -1;
}

/* --- network namespaces: the pod's /etc/netns/NAME/{hosts,resolv.conf} --- */

static int netns_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* Writes the pod's hosts and resolv.conf for `ip netns exec` (which bind-mounts them
 * over /etc): metadata.google.internal is 169.254.169.254, as GKE's DNS answers,
 * unless dns_broken. *made: the directory was created here (removed afterwards). */
static int netns_files(const char *name, int dns_broken, int *made)
{
	char dir[200], path[300];
	*made = 0;
	if (SFMT(dir, "/etc/netns/%s", name))
		return -ENAMETOOLONG;
	if (mkdir("/etc/netns", 0755) != 0 && errno != EEXIST)
		return -errno;
	if (mkdir(dir, 0755) == 0)
		*made = 1;
	else if (errno != EEXIST)
		return -errno;
	if (SFMT(path, "%s/hosts", dir))
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", f);
	if (!dns_broken)
		fputs("169.254.169.254\tmetadata.google.internal metadata\n", f);
	if (fclose(f) != 0)
		return -errno;
	/* no resolver in the pod's network: names not in hosts fail at once */
	if (SFMT(path, "%s/resolv.conf", dir))
		return -ENAMETOOLONG;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n", f);
	return fclose(f) == 0 ? 0 : -errno;
}

static void netns_cleanup(const char *name, int made)
{
	char path[300];
	if (!made)
		return;
	if (SFMT(path, "/etc/netns/%s/hosts", name) == 0)
		unlink(path);
	if (SFMT(path, "/etc/netns/%s/resolv.conf", name) == 0)
		unlink(path);
	if (SFMT(path, "/etc/netns/%s", name) == 0)
		rmdir(path);
}

/* --- signals: set first, so that a SIGINT, SIGTERM or SIGHUP at any moment ends exec
 * through its cleanup (the pod deleted); once the command runs, they are passed on --- */

static volatile pid_t child_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (child_pid > 0)
		kill(child_pid, sig);
}

static const int forwarded[3] = {SIGINT, SIGTERM, SIGHUP};

static void signals_install(struct sigaction old[3])
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(forwarded[i], &sa, &old[i]);
}

static void signals_restore(const struct sigaction old[3])
{
	for (int i = 0; i < 3; i++)
		sigaction(forwarded[i], &old[i], NULL);
}

/* --- options --- */

struct exec_opts {
	const char *ns, *ksa, *name, *node, *dir, *state_file, *pod_ip, *netns;
	int keep_env;
	struct exec_kvs ann, lab, envs;
	char **cmd; /* NULL-terminated (argv's tail) */
	size_t ncmd;
};

static int kv_opt(struct exec_kvs *a, const char *arg, const char *what)
{
	char err[400];
	if (exec_kv_add(a, arg, what, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "gkeid exec: %s\n", err);
	return -EINVAL;
}

/* Checks the names and addresses given. 0, or -EINVAL after saying why. */
static int check_opts(const struct exec_opts *o)
{
	if (!dns_label(o->ns, 63) || !dns_label(o->ksa, 253) ||
	    (o->name && !dns_label(o->name, 253)) || !*o->node || strchr(o->node, '/')) {
		fprintf(stderr,
			"gkeid exec: namespace, service account, pod and node names must be "
			"lower-case DNS names\n");
		return -EINVAL;
	}
	if (o->netns && !netns_name_ok(o->netns)) {
		fprintf(stderr, "gkeid exec: --netns wants a network namespace name\n");
		return -EINVAL;
	}
	if (o->pod_ip && strlen(o->pod_ip) >= 64) {
		fprintf(stderr, "gkeid exec: invalid --pod-ip\n");
		return -EINVAL;
	}
	/* the paths below it are built whole or not at all (issue 10 §7) */
	if (strlen(o->dir) > EXEC_DIR_MAX) {
		fprintf(stderr, "gkeid exec: the data directory is too long (at most %d bytes)\n",
			EXEC_DIR_MAX);
		return -ENAMETOOLONG;
	}
	if (o->state_file && strlen(o->state_file) >= PATH_MAX) {
		fprintf(stderr, "gkeid exec: --node-state is too long (at most %d bytes)\n",
			PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Reads argv into o: -1 to go on, else exec's exit status (0 after --help, 2). */
static int exec_options(int argc, char **argv, struct exec_opts *o)
{
	static const struct option opts[] = {
		{"namespace", required_argument, NULL, 'n'},
		{"serviceaccount", required_argument, NULL, 's'},
		{"name", required_argument, NULL, 'N'},
		{"node", required_argument, NULL, 'o'},
		{"data-dir", required_argument, NULL, 'd'},
		{"node-state", required_argument, NULL, 'S'},
		{"pod-ip", required_argument, NULL, 'i'},
		{"keep-env", no_argument, NULL, 'k'},
		{"netns", required_argument, NULL, 'x'},
		{"annotation", required_argument, NULL, 'A'},
		{"label", required_argument, NULL, 'L'},
		{"env", required_argument, NULL, 'E'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char **str[] = {
		['n'] = &o->ns,	 ['s'] = &o->ksa,	 ['N'] = &o->name,   ['o'] = &o->node,
		['d'] = &o->dir, ['S'] = &o->state_file, ['i'] = &o->pod_ip, ['x'] = &o->netns};
	int c;
	memset(o, 0, sizeof(*o));
	o->ns = "default", o->ksa = "default", o->node = "local-node";
	o->dir = getenv("GKEID_DATA_DIR");
	optind = 1;
	/* "+": options stop at the first non-option (the command) */
	while ((c = getopt_long(argc, argv, "+n:h", opts, NULL)) != -1) {
		if (c > 0 && (size_t)c < sizeof(str) / sizeof(str[0]) && str[c]) {
			*str[c] = optarg;
		} else if (c == 'k') {
			o->keep_env = 1;
		} else if (c == 'A' || c == 'L' || c == 'E') {
			struct exec_kvs *a = c == 'A' ? &o->ann : c == 'L' ? &o->lab : &o->envs;
			if (kv_opt(a, optarg,
				   c == 'A'   ? "annotation"
				   : c == 'L' ? "label"
					      : "env") != 0)
				return 2;
		} else if (c == 'h') {
			fputs(exec_usage, stdout);
			return 0;
		} else {
			fputs(exec_usage, stderr);
			return 2;
		}
	}
	if (!o->dir || !*o->dir)
		o->dir = ".gkeid";
	if (optind >= argc) {
		fprintf(stderr, "gkeid exec: no command given\n%s", exec_usage);
		return 2;
	}
	o->cmd = argv + optind;
	o->ncmd = (size_t)(argc - optind);
	return check_opts(o) == 0 ? -1 : 2;
}

/* --- the pod's life --- */

struct exec_pod {
	struct nstate st;
	char ip[64], name[254], uid[64];
	char hostport[128]; /* where the command reaches the metadata server */
	char cfg_dir[PATH_MAX + 300];
	int created;
	struct dsfaults faults;
	pid_t proxy_pid;
	int proxy_fd, netns_made;
};

/* Creates the pod (as gkeid-exec) and gives it its address. 0, or -errno after saying
 * why (the pod deleted again). */
static int pod_create(const struct exec_opts *o, struct exec_pod *p)
{
	char err[2048] = "", path[600];
	struct exec_pod_spec spec = {.name = o->name,
				     .ksa = o->ksa,
				     .node = p->st.node,
				     .cmd = o->cmd,
				     .ncmd = o->ncmd,
				     .ann = &o->ann,
				     .lab = &o->lab,
				     .envs = &o->envs};
	json_t *pod = exec_pod_manifest(&spec), *created = NULL;
	struct nstate creator;
	int rc = -EIO;
	if (!pod) {
		fprintf(stderr, "gkeid exec: out of memory\n");
		return -ENOMEM;
	}
	if (SFMT(path, "/api/v1/namespaces/%s/pods", o->ns)) { /* cannot be: ns is a DNS name */
		fprintf(stderr, "gkeid exec: the namespace's name is too long\n");
		json_decref(pod);
		return -ENAMETOOLONG;
	}
	pod_creator(&p->st, &creator);
	int code = kube(&creator, "POST", path, pod, &created, err, sizeof(err));
	const json_t *meta = json_object_get(created, "metadata");
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *uid = json_string_value(json_object_get(meta, "uid"));
	if (code != 201 && code != 200) {
		fprintf(stderr, "gkeid exec: cannot create the pod: %s\n", err);
		goto out;
	}
	if (!name || SFMT(p->name, "%s", name) != 0) {
		fprintf(stderr, "gkeid exec: the API server returned %s\n",
			name ? "a pod name too long" : "no pod");
		goto out;
	}
	snprintf(p->uid, sizeof(p->uid), "%.63s", uid ? uid : "");
	p->created = 1;
	if (set_running(&p->st, created, p->ip, exec_istio_injected(&o->ann, &o->lab), err,
			sizeof(err)) != 0) {
		fprintf(stderr, "gkeid exec: cannot set the pod's address: %s\n", err);
		delete_pod(&p->st, o->ns, p->name);
		p->created = 0;
		goto out;
	}
	rc = 0;
out:
	json_decref(pod);
	json_decref(created);
	return rc;
}

/* Starts the pod's istio-proxy when it has one (local mode, metadata not excluded),
 * and waits for it if the pod says so. 0, or -errno. */
static int pod_istio(const struct exec_opts *o, struct exec_pod *p)
{
	if (!exec_istio_injected(&o->ann, &o->lab) || strcmp(p->st.listen, "local") != 0 ||
	    metadata_excluded(&o->ann))
		return 0;
	int pport = 0;
	long delay = p->faults.istio_s;
	post_event(&p->st, o->ns, p->name, p->uid, "Normal", "Started",
		   "Started container istio-proxy");
	p->proxy_pid =
		start_proxy(&p->st, p->ip, delay, o->ns, p->name, p->uid, &pport, &p->proxy_fd);
	if (p->proxy_pid < 0) {
		fprintf(stderr, "gkeid exec: cannot start the istio-proxy\n");
		return -EIO;
	}
	snprintf(p->hostport, sizeof(p->hostport), "%s:%d", p->ip, pport);
	if (hold_until_proxy(&o->ann)) {
		if (wait_ready(p->proxy_fd, delay + PROXY_GRACE_S) != 0 && !got_signal)
			fprintf(stderr, "gkeid exec: the istio-proxy did not start\n");
	} else if (delay > 0) {
		char msg[400];
		snprintf(msg, sizeof(msg),
			 "istio-proxy is not ready: the application started before the proxy, and "
			 "its connections to 169.254.169.254:80 are refused until Envoy is ready "
			 "(about %ld s)",
			 delay);
		post_event(&p->st, o->ns, p->name, p->uid, "Warning", "ProxyNotReady", msg);
	}
	return 0;
}

/* After the pod exists: faults, /etc/netns, the istio-proxy, the gcloud configuration. */
static int pod_prepare(const struct exec_opts *o, struct exec_pod *p)
{
	if (strcmp(p->st.listen, "local") == 0 || !p->st.metadata_host[0])
		snprintf(p->hostport, sizeof(p->hostport), "%s:%d", p->ip, p->st.port);
	else
		snprintf(p->hostport, sizeof(p->hostport), "%s", p->st.metadata_host);
	read_faults(&p->st, &p->faults);
	if (p->faults.dns)
		post_event(
			&p->st, o->ns, p->name, p->uid, "Warning", "DNSConfigForming",
			"The pod's DNS configuration was formed without metadata.google.internal: "
			"the name does not resolve in the pod, so clients that look it up cannot "
			"find the metadata server (set GCE_METADATA_HOST=169.254.169.254)");
	if (o->netns && netns_files(o->netns, p->faults.dns, &p->netns_made) != 0)
		fprintf(stderr, "gkeid exec: cannot write /etc/netns/%s: %s\n", o->netns,
			strerror(errno));
	if (pod_istio(o, p) != 0)
		return -EIO;
	if (!o->keep_env) {
		if (SFMT(p->cfg_dir, "%s/pods/%s_%s/gcloud", o->dir, o->ns, p->name) != 0 ||
		    pod_gcloud_config(p->cfg_dir) != 0) {
			fprintf(stderr,
				"gkeid exec: cannot write the pod's gcloud configuration in %s\n",
				p->cfg_dir);
			p->cfg_dir[0] = '\0';
		}
	}
	return 0;
}

/* In the child: the pod's environment, then the command. Never returns. */
static void child_exec(const struct exec_opts *o, const struct exec_pod *p)
{
	const char *hostport = p->hostport;
	if (p->faults.dns) { /* clients look metadata.google.internal up, in vain */
		unsetenv("GCE_METADATA_HOST");
		unsetenv("GCE_METADATA_ROOT");
	} else {
		setenv("GCE_METADATA_HOST", hostport, 1);
		setenv("GCE_METADATA_ROOT", hostport, 1);
	}
	setenv("GCE_METADATA_IP", hostport, 1);
	for (size_t i = 0; i < o->envs.n; i++) {
		const char *arg = o->envs.arg[i], *eq = strchr(arg, '=');
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
		const char *v = eq + 1;
		/* local mode: 169.254.169.254 is this pod's metadata address */
		if (strcmp(p->st.listen, "local") == 0 && strncmp(key, "GCE_METADATA_", 13) == 0 &&
		    (strcmp(v, "169.254.169.254") == 0 || strcmp(v, "169.254.169.254:80") == 0))
			v = hostport;
		setenv(key, v, 1);
	}
	setenv("GKEID_POD", p->name, 1);
	setenv("GKEID_POD_NAMESPACE", o->ns, 1);
	setenv("GKEID_POD_IP", p->ip, 1);
	if (!o->keep_env) {
		unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
		unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE");
		unsetenv("CLOUDSDK_CORE_ACCOUNT");
		if (p->cfg_dir[0])
			setenv("CLOUDSDK_CONFIG", p->cfg_dir, 1);
	}
	if (o->netns) {
		char **nv = calloc(o->ncmd + 5, sizeof(*nv));
		if (!nv)
			_exit(126);
		nv[0] = "ip", nv[1] = "netns", nv[2] = "exec", nv[3] = (char *)o->netns;
		memcpy(nv + 4, o->cmd, o->ncmd * sizeof(*nv));
		execvp("ip", nv);
		fprintf(stderr, "gkeid exec: ip netns exec: %s\n", strerror(errno));
		_exit(127);
	}
	execvp(o->cmd[0], o->cmd);
	fprintf(stderr, "gkeid exec: %s: %s\n", o->cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Runs the command as the pod, passing signals on: its exit status (128+N for a
 * signal), or 1 when it cannot start. */
static int run_child(const struct exec_opts *o, const struct exec_pod *p,
		     const struct sigaction old[3])
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		signals_restore(old);
		child_exec(o, p);
	}
	if (pid < 0) {
		fprintf(stderr, "gkeid exec: fork: %s\n", strerror(errno));
		return 1;
	}
	child_pid = pid;
	if (got_signal) /* came between the last look and child_pid */
		kill(pid, got_signal);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

/* Ends what the pod started: the proxy, /etc/netns, the pod itself, its files. */
static void pod_end(const struct exec_opts *o, struct exec_pod *p)
{
	if (p->proxy_pid > 0) {
		kill(p->proxy_pid, SIGTERM);
		waitpid(p->proxy_pid, NULL, 0);
		p->proxy_pid = -1;
	}
	if (p->proxy_fd >= 0)
		close(p->proxy_fd);
	if (p->created)
		delete_pod(&p->st, o->ns, p->name);
	if (p->created && p->cfg_dir[0]) {
		char pod_dir[PATH_MAX + 300];
		if (SFMT(pod_dir, "%s/pods/%s_%s", o->dir, o->ns, p->name) == 0)
			rmtree(pod_dir);
	}
	if (o->netns)
		netns_cleanup(o->netns, p->netns_made);
}

/* Reads the node's state file into p->st. 0, or exec's exit status. */
static int node_state(const struct exec_opts *o, struct exec_pod *p)
{
	char err[2048] = "", path[PATH_MAX + 300];
	if (o->state_file ? SFMT(path, "%s", o->state_file)
			  : SFMT(path, "%s/nodes/%s.json", o->dir, o->node)) {
		fprintf(stderr, "gkeid exec: the node's state file name is too long\n");
		return 1;
	}
	if (read_state(path, &p->st, err, sizeof(err)) != 0) {
		fprintf(stderr, "gkeid exec: %s\n", err);
		return 1;
	}
	if (strcmp(p->st.listen, "local") != 0 && !o->pod_ip) {
		fprintf(stderr,
			"gkeid exec: node %s serves pods by source address (--listen node); "
			"give the pod's address with --pod-ip and run the command in its "
			"network namespace\n",
			p->st.node);
		return 1;
	}
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct sigaction old[3];
	struct exec_opts o;
	struct exec_pod p;
	char err[2048] = "";
	signals_install(old);
	memset(&p, 0, sizeof(p));
	p.proxy_pid = -1;
	p.proxy_fd = -1;
	int rc = exec_options(argc, argv, &o);
	if (rc >= 0 || (rc = node_state(&o, &p)) != 0) {
		signals_restore(old);
		return rc;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = 1;
	if (o.pod_ip)
		snprintf(p.ip, sizeof(p.ip), "%s", o.pod_ip);
	else if (fresh_ip(&p.st, p.ip, sizeof(p.ip), err, sizeof(err)) != 0) {
		fprintf(stderr, "gkeid exec: %s\n", err);
		goto out;
	}
	if (!got_signal && pod_create(&o, &p) == 0 && !got_signal && pod_prepare(&o, &p) == 0 &&
	    !got_signal)
		rc = run_child(&o, &p, old);
	else if (got_signal)
		rc = 128 + got_signal; /* ended by the signal before the command ran */
out:
	pod_end(&o, &p);
	signals_restore(old);
	curl_global_cleanup();
	return rc;
}
