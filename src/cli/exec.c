/*
 * exec.c - `gkeid exec`: runs a command as a pod of the local node. It creates a Pod
 * (visible in `kubectl get pods`) on the node with a fresh pod IP in status.podIP (a
 * loopback address of its own, 127.x.y.z, in local mode), runs the command with
 * GCE_METADATA_HOST, GCE_METADATA_ROOT and GCE_METADATA_IP pointing at that pod's
 * metadata address, and a gcloud configuration of its own with no account (so clients
 * take the pod's Workload Identity, as in a real pod), passes the exit status through,
 * and deletes the pod when the command ends. It talks to the Kubernetes API with the
 * node's client certificate, read from the node's state file (`gkeid node
 * --state-file`, DIR/nodes/NODE.json).
 */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/jwt.h"

#define RESP_CAP (8u << 20)
#define CMD_SHOWN_MAX 16384

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
	"  --keep-env                keep CLOUDSDK_CONFIG and GOOGLE_APPLICATION_CREDENTIALS\n"
	"                            (by default CMD gets a gcloud configuration of its own)\n"
	"  -h, --help                this text\n";

struct nstate {
	char node[254], listen[16], server[512], ca[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
	char metadata_host[80]; /* node mode: where pods reach the metadata server */
	int port;
	long pid;
};

struct buf {
	char *p;
	size_t len, cap;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;
	if (b->len + n + 1 > RESP_CAP)
		return 0;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return 0;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, ptr, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* One Kubernetes API call with the node's certificate. Returns the HTTP status (0 when
 * there was no answer, with err filled) and the parsed JSON body in *out (may be NULL). */
static int kube(const struct nstate *st, const char *method, const char *path, const json_t *body,
		json_t **out, char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct buf b = {0};
	char url[1024 + 512], *s = NULL;
	long status = 0;
	if (out)
		*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	snprintf(url, sizeof(url), "%s%s", st->server, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_CAINFO, st->ca);
	curl_easy_setopt(c, CURLOPT_SSLCERT, st->cert);
	curl_easy_setopt(c, CURLOPT_SSLKEY, st->key);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	h = curl_slist_append(h, "Accept: application/json");
	if (body) {
		s = json_dumps(body, JSON_COMPACT);
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, s ? s : "{}");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (out && b.len)
			*out = json_loadb(b.p, b.len, 0, NULL);
		if (status >= 300) {
			json_t *j = b.len ? json_loadb(b.p, b.len, 0, NULL) : NULL;
			const char *m = json_string_value(json_object_get(j, "message"));
			snprintf(err, errlen, "%s", m ? m : (b.p ? b.p : ""));
			json_decref(j);
		}
	} else {
		snprintf(err, errlen, "%s %s: %s", method, url, curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(s);
	free(b.p);
	return (int)status;
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
	snprintf(sel, sizeof(sel), "spec.nodeName%%3D%s", st->node);
	snprintf(path, sizeof(path), "/api/v1/pods?fieldSelector=%s", sel);
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

static void rfc3339_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Sets status.podIP (and the Running phase) through the status subresource. */
static int set_running(const struct nstate *st, json_t *pod, const char *ip, char *err,
		       size_t errlen)
{
	char path[1200], now[32];
	rfc3339_now(now);
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
	json_object_set_new(pod, "status", status);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s/status", ns, name);
	json_t *out = NULL;
	int code = kube(st, "PUT", path, pod, &out, err, errlen);
	json_decref(out);
	return code == 200 || code == 201 ? 0 : -EIO;
}

static int delete_pod(const struct nstate *st, const char *ns, const char *name)
{
	char path[1200], err[512];
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s?gracePeriodSeconds=0", ns,
		 name);
	int code = kube(st, "DELETE", path, NULL, NULL, err, sizeof(err));
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
			snprintf(p, sizeof(p), "%.3800s/%s", path, e->d_name);
			struct stat sb;
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
	char src_dir[PATH_MAX], active[128] = "default", path[PATH_MAX + 512];
	const char *cfg = getenv("CLOUDSDK_CONFIG");
	const char *home = getenv("HOME");
	if (cfg && *cfg)
		snprintf(src_dir, sizeof(src_dir), "%s", cfg);
	else
		snprintf(src_dir, sizeof(src_dir), "%s/.config/gcloud", home ? home : "");
	snprintf(path, sizeof(path), "%s/active_config", src_dir);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fgets(active, sizeof(active), f))
			active[strcspn(active, "\r\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/configurations", dir);
	if (mkdirs(path) != 0)
		return -EIO;
	snprintf(path, sizeof(path), "%s/active_config", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("default", f);
	fclose(f);
	char in_path[PATH_MAX + 512], out_path[PATH_MAX + 512];
	snprintf(in_path, sizeof(in_path), "%s/configurations/config_%s", src_dir, active);
	snprintf(out_path, sizeof(out_path), "%s/configurations/config_default", dir);
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

static volatile sig_atomic_t got_signal;
static pid_t child_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (child_pid > 0)
		kill(child_pid, sig);
}

int cmd_exec(int argc, char **argv)
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *ns = "default", *ksa = "default", *name = NULL, *node = "local-node";
	const char *dir = getenv("GKEID_DATA_DIR"), *state_file = NULL, *pod_ip = NULL;
	int keep_env = 0, c;
	struct nstate st;
	char err[2048] = "", ip[64], state_path[PATH_MAX + 300], cfg_dir[PATH_MAX + 300] = "";
	json_t *pod = NULL, *created = NULL;
	int rc = 2;
	memset(&st, 0, sizeof(st));
	if (!dir || !*dir)
		dir = ".gkeid";
	optind = 1;
	/* "+": options stop at the first non-option (the command) */
	while ((c = getopt_long(argc, argv, "+n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ns = optarg;
			break;
		case 's':
			ksa = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		case 'o':
			node = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'S':
			state_file = optarg;
			break;
		case 'i':
			pod_ip = optarg;
			break;
		case 'k':
			keep_env = 1;
			break;
		case 'h':
			fputs(exec_usage, stdout);
			return 0;
		default:
			fputs(exec_usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "gkeid exec: no command given\n%s", exec_usage);
		return 2;
	}
	if (!dns_label(ns, 63) || !dns_label(ksa, 253) || (name && !dns_label(name, 253)) ||
	    !*node || strchr(node, '/')) {
		fprintf(stderr,
			"gkeid exec: namespace, service account, pod and node names must be "
			"lower-case DNS names\n");
		return 2;
	}
	if (pod_ip && strlen(pod_ip) >= sizeof(ip)) {
		fprintf(stderr, "gkeid exec: invalid --pod-ip\n");
		return 2;
	}
	if (state_file)
		snprintf(state_path, sizeof(state_path), "%s", state_file);
	else
		snprintf(state_path, sizeof(state_path), "%.3800s/nodes/%.200s.json", dir, node);
	if (read_state(state_path, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "gkeid exec: %s\n", err);
		return 1;
	}
	if (strcmp(st.listen, "local") != 0 && !pod_ip) {
		fprintf(stderr,
			"gkeid exec: node %s serves pods by source address (--listen node); "
			"give the pod's address with --pod-ip and run the command in its "
			"network namespace\n",
			st.node);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = 1;
	if (pod_ip)
		snprintf(ip, sizeof(ip), "%s", pod_ip);
	else if (fresh_ip(&st, ip, sizeof(ip), err, sizeof(err)) != 0) {
		fprintf(stderr, "gkeid exec: %s\n", err);
		goto out;
	}

	/* the Pod, as a kubelet would see it: the command, the service account, the node */
	json_t *cmd = json_array();
	size_t shown = 0;
	for (int i = optind; i < argc && cmd; i++) {
		shown += strlen(argv[i]);
		if (shown > CMD_SHOWN_MAX)
			break;
		json_array_append_new(cmd, json_string(argv[i]));
	}
	pod = json_pack("{s:s, s:s, s:{s:{s:s}}, s:{s:s, s:s, s:s, s:[{s:s, s:s, s:o}]}}",
			"apiVersion", "v1", "kind", "Pod", "metadata", "labels",
			"app.kubernetes.io/managed-by", "gkeid-exec", "spec", "nodeName", st.node,
			"serviceAccountName", ksa, "restartPolicy", "Never", "containers", "name",
			"main", "image", "gkeid/exec", "command", cmd ? cmd : json_array());
	if (!pod) {
		fprintf(stderr, "gkeid exec: out of memory\n");
		goto out;
	}
	json_t *meta = json_object_get(pod, "metadata");
	if (name)
		json_object_set_new(meta, "name", json_string(name));
	else
		json_object_set_new(meta, "generateName", json_string("exec-"));
	char path[600];
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods", ns);
	int code = kube(&st, "POST", path, pod, &created, err, sizeof(err));
	if (code != 201 && code != 200) {
		fprintf(stderr, "gkeid exec: cannot create the pod: %s\n", err);
		goto out;
	}
	const char *pname =
		json_string_value(json_object_get(json_object_get(created, "metadata"), "name"));
	if (!pname) {
		fprintf(stderr, "gkeid exec: the API server returned no pod\n");
		goto out;
	}
	char pod_name[254];
	snprintf(pod_name, sizeof(pod_name), "%s", pname);
	if (set_running(&st, created, ip, err, sizeof(err)) != 0) {
		fprintf(stderr, "gkeid exec: cannot set the pod's address: %s\n", err);
		delete_pod(&st, ns, pod_name);
		goto out;
	}

	char hostport[128];
	if (strcmp(st.listen, "local") == 0 || !st.metadata_host[0])
		snprintf(hostport, sizeof(hostport), "%s:%d", ip, st.port);
	else
		snprintf(hostport, sizeof(hostport), "%s", st.metadata_host);
	if (!keep_env) {
		snprintf(cfg_dir, sizeof(cfg_dir), "%.3800s/pods/%s_%s/gcloud", dir, ns, pod_name);
		if (pod_gcloud_config(cfg_dir) != 0) {
			fprintf(stderr,
				"gkeid exec: cannot write the pod's gcloud configuration in %s\n",
				cfg_dir);
			cfg_dir[0] = '\0';
		}
	}
	struct sigaction sa, old_int, old_term, old_hup;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	fflush(NULL);
	child_pid = fork();
	if (child_pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		setenv("GCE_METADATA_HOST", hostport, 1);
		setenv("GCE_METADATA_ROOT", hostport, 1);
		setenv("GCE_METADATA_IP", hostport, 1);
		setenv("GKEID_POD", pod_name, 1);
		setenv("GKEID_POD_NAMESPACE", ns, 1);
		setenv("GKEID_POD_IP", ip, 1);
		if (!keep_env) {
			unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
			unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE");
			unsetenv("CLOUDSDK_CORE_ACCOUNT");
			if (cfg_dir[0])
				setenv("CLOUDSDK_CONFIG", cfg_dir, 1);
		}
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "gkeid exec: %s: %s\n", argv[optind], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (child_pid < 0) {
		fprintf(stderr, "gkeid exec: fork: %s\n", strerror(errno));
		delete_pod(&st, ns, pod_name);
		goto out;
	}
	int status = 0;
	while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	delete_pod(&st, ns, pod_name);
	if (cfg_dir[0]) {
		char pod_dir[PATH_MAX + 300];
		snprintf(pod_dir, sizeof(pod_dir), "%.3800s/pods/%s_%s", dir, ns, pod_name);
		rmtree(pod_dir);
	}
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		rc = 128 + WTERMSIG(status);
out:
	json_decref(pod);
	json_decref(created);
	curl_global_cleanup();
	return rc;
}
