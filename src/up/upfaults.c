/*
 * upfaults.c - fault injection for `gkeid up`: the admin endpoint on the cloud port
 * (GET /gkeid/v1/faults, PUT and DELETE /gkeid/v1/faults/NAME) and what each fault
 * does on the server side. The server makes a fault visible only through public
 * protocols: the cluster's API server listener stops (control-plane-down), IAM's
 * propagation delay changes (iam-propagation), and the node's DaemonSet pod
 * kube-system/gke-metadata-server-XXXXX carries the rest (its status shows
 * CrashLoopBackOff / OOMKilled for metadata-crashloop; annotations faults.gkeid.dev/NAME
 * carry metadata-slow, istio-proxy and metadata-dns), which the node agent and
 * `gkeid exec` read with ordinary Kubernetes calls. Faults live in memory: a restart of
 * `gkeid up` clears them.
 *
 * Every route needs a Google access token, authenticated as the Google APIs do it
 * (cloud_authenticate: 401 in Google's shape), whose principal holds gkeid.faults.list,
 * .set or .clear (iam.c: roles/owner and roles/gkeid.faultInjector) on the projects the
 * fault concerns: up's project for the list and the cluster faults (their clusters are
 * up's project's), every project for iam-propagation and for clearing all, which change
 * IAM in each (403 in IAM's shape), by the current policies: IAM's propagation delay is
 * itself a fault here and does not apply to this check. Faults freeze revocations and
 * take clusters down: only the admin may (issue 9).
 */
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cloud/cloud.h"
#include "core/clock.h"
#include "core/http.h"
#include "core/jwt.h"
#include "core/store.h"
#include "iam/iam.h"
#include "kube/kube.h"
#include "up/up.h"

#define MAX_DOWN 64	  /* clusters whose control plane is down at once */
#define SECONDS_MAX 86400 /* the largest --seconds a fault takes */
#define ANNOTATION "faults.gkeid.dev/"
#define DS_LABEL "gke-metadata-server"
/* What a 401's ErrorInfo names as the service, as "iam.googleapis.com" names IAM. */
#define SERVICE "faults.gkeid.dev"
#define PERM_LIST "gkeid.faults.list"
#define PERM_SET "gkeid.faults.set"
#define PERM_CLEAR "gkeid.faults.clear"

enum fault_id {
	F_METADATA_SLOW,
	F_CONTROL_PLANE_DOWN,
	F_METADATA_DNS,
	F_ISTIO_PROXY,
	F_METADATA_CRASHLOOP,
	F_IAM_PROPAGATION,
	F_N
};

static const struct fault_def {
	const char *name;
	int takes_seconds; /* 1: --seconds N (with a default), 0: on/off */
	int64_t default_seconds;
	int per_cluster; /* 0: global (IAM) */
	const char *symptom;
} defs[F_N] = {
	{"metadata-slow", 1, 10, 1,
	 "the node holds a pod's metadata requests until the pod is N s old (short-timeout "
	 "clients time out); Warning event MetadataServerNotReady on the pod"},
	{"control-plane-down", 0, 0, 1,
	 "the cluster's API server refuses connections; the metadata server answers 500 "
	 "\"dial tcp HOST:PORT: connect: connection refused\" for what it has not cached"},
	{"metadata-dns", 0, 0, 1,
	 "metadata.google.internal does not resolve in new pods; Warning event "
	 "DNSConfigForming"},
	{"istio-proxy", 1, 10, 1,
	 "Istio-injected pods: connections to the metadata address are refused for the pod's "
	 "first N s; Warning event ProxyNotReady"},
	{"metadata-crashloop", 0, 0, 1,
	 "kube-system/gke-metadata-server-XXXXX is in CrashLoopBackOff (last state OOMKilled) "
	 "and the metadata server refuses connections"},
	{"iam-propagation", 1, 120, 0,
	 "IAM policy changes take N s to affect access checks (Permission "
	 "'iam.serviceAccounts.getAccessToken' denied right after a binding)"},
};

struct down {
	char project[128], location[64], name[64];
	int placeholder; /* a bound, not listening socket that keeps the port (or -1) */
};

/* The fault state of one `gkeid up`; the admin endpoint's routes carry it. */
struct upfaults {
	struct kube *kube;
	struct cloud *cloud;
	char project[128], location[64], cluster[64]; /* the default cluster (has the node) */
	char pod_name[64];			      /* its gke-metadata-server pod */
	int64_t propagation_ms;			      /* up's --iam-propagation */
	int on[F_N];
	int64_t seconds[F_N];
	int restarts; /* the metadata server's restart count */
	struct down down[MAX_DOWN];
	size_t n_down;
};

static int find_def(const char *name)
{
	for (int i = 0; i < F_N; i++)
		if (strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

static const struct kube_resource *pods_res(void)
{
	return kube_resource_find("", "v1", "pods");
}

/* The gke-metadata-server pod as the fault state has it: Running and Ready, or
 * CrashLoopBackOff with its last termination OOMKilled; fault annotations. New ref. */
static json_t *ds_pod(struct upfaults *F)
{
	char now[32], earlier[32], node[80];
	time_t t = time(NULL);
	clock_rfc3339(t, now);
	clock_rfc3339(t - 30, earlier);
	snprintf(node, sizeof(node), "%s", UPNODE_NAME);
	int crash = F->on[F_METADATA_CRASHLOOP];
	json_t *ann = json_object();
	for (int i = 0; i < F_N && ann; i++) {
		if (!F->on[i] || i == F_CONTROL_PLANE_DOWN || i == F_IAM_PROPAGATION ||
		    i == F_METADATA_CRASHLOOP)
			continue;
		char key[96], val[32];
		snprintf(key, sizeof(key), ANNOTATION "%s", defs[i].name);
		snprintf(val, sizeof(val), "%lld",
			 defs[i].takes_seconds ? (long long)F->seconds[i] : 1LL);
		json_object_set_new(ann, key, json_string(val));
	}
	json_t *conds = json_array();
	const char *types[4] = {"Initialized", "Ready", "ContainersReady", "PodScheduled"};
	for (int i = 0; i < 4 && conds; i++) {
		int down = crash && (i == 1 || i == 2);
		json_t *c = json_pack("{s:s, s:s, s:n, s:s}", "type", types[i], "status",
				      down ? "False" : "True", "lastProbeTime",
				      "lastTransitionTime", now);
		if (down && c) {
			json_object_set_new(c, "reason", json_string("ContainersNotReady"));
			json_object_set_new(
				c, "message",
				json_string(
					"containers with unready status: [gke-metadata-server]"));
		}
		json_array_append_new(conds, c);
	}
	json_t *cs =
		crash ? json_pack("{s:s, s:b, s:b, s:i, s:s, s:s, s:s, s:{s:{s:s, s:s}}, "
				  "s:{s:{s:i, s:s, s:s, s:s}}}",
				  "name", DS_LABEL, "ready", 0, "started", 0, "restartCount",
				  F->restarts, "image", "gke.gcr.io/gke-metadata-server:gkeid",
				  "imageID", "", "containerID", "gkeid://gke-metadata-server",
				  "state", "waiting", "reason", "CrashLoopBackOff", "message",
				  "back-off 5m0s restarting failed container=gke-metadata-server",
				  "lastState", "terminated", "exitCode", 137, "reason", "OOMKilled",
				  "startedAt", earlier, "finishedAt", now)
		      : json_pack("{s:s, s:b, s:b, s:i, s:s, s:s, s:s, s:{s:{s:s}}}", "name",
				  DS_LABEL, "ready", 1, "started", 1, "restartCount", F->restarts,
				  "image", "gke.gcr.io/gke-metadata-server:gkeid", "imageID", "",
				  "containerID", "gkeid://gke-metadata-server", "state", "running",
				  "startedAt", now);
	json_t *pod = json_pack(
		"{s:s, s:s, s:{s:s, s:s, s:{s:s}, s:o, s:[{s:s, s:s, s:s, s:b, s:b}]},"
		" s:{s:s, s:b, s:s, s:s, s:[{s:s, s:s, s:{s:{s:s}, s:{s:s}}}]},"
		" s:{s:s, s:o, s:s, s:[{s:s}], s:s, s:[{s:s}], s:s, s:[o], s:s}}",
		"apiVersion", "v1", "kind", "Pod", "metadata", "name", F->pod_name, "namespace",
		"kube-system", "labels", "k8s-app", DS_LABEL, "annotations",
		ann ? ann : json_object(), "ownerReferences", "apiVersion", "apps/v1", "kind",
		"DaemonSet", "name", DS_LABEL, "controller", 1, "blockOwnerDeletion", 1, "spec",
		"nodeName", node, "hostNetwork", 1, "priorityClassName", "system-node-critical",
		"serviceAccountName", DS_LABEL, "containers", "name", DS_LABEL, "image",
		"gke.gcr.io/gke-metadata-server:gkeid", "resources", "limits", "memory", "100Mi",
		"requests", "memory", "100Mi", "status", "phase", "Running", "conditions",
		conds ? conds : json_array(), "hostIP", "127.0.0.1", "hostIPs", "ip", "127.0.0.1",
		"podIP", "127.0.0.1", "podIPs", "ip", "127.0.0.1", "startTime", earlier,
		"containerStatuses", cs ? cs : json_object(), "qosClass", "Burstable");
	return pod;
}

/* Writes the gke-metadata-server pod of the default cluster. 0 or -errno. */
static int ds_write(struct upfaults *F)
{
	struct kube_cluster *cl =
		F->kube && F->cluster[0]
			? kube_cluster_find(F->kube, F->project, F->location, F->cluster)
			: NULL;
	if (!cl || !F->pod_name[0])
		return -ENOENT;
	json_t *pod = ds_pod(F);
	int rc = pod ? registry_put(cl, pods_res(), pod) : -ENOMEM;
	json_decref(pod);
	return rc;
}

int upfaults_init(struct upfaults *F, struct kube *k, struct cloud *c, const char *project,
		  const char *location, const char *cluster, int64_t propagation_ms)
{
	static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789"; /* Kubernetes' suffixes */
	memset(F, 0, sizeof(*F));
	F->kube = k;
	F->cloud = c;
	F->propagation_ms = propagation_ms;
	snprintf(F->project, sizeof(F->project), "%s", project ? project : "");
	if (!cluster || !*cluster || !location)
		return 0;
	snprintf(F->location, sizeof(F->location), "%s", location);
	snprintf(F->cluster, sizeof(F->cluster), "%s", cluster);
	struct kube_cluster *cl = kube_cluster_find(k, F->project, F->location, F->cluster);
	if (!cl)
		return -ENOENT;
	/* a stable name per cluster, so that a restart replaces the same pod */
	char seed[200], hex[65];
	snprintf(seed, sizeof(seed), "%s/%s", cl->uid, UPNODE_NAME);
	sha256_hex(seed, strlen(seed), hex);
	char suffix[6];
	for (int i = 0; i < 5; i++) {
		unsigned v = (unsigned)strtoul((char[3]){hex[i * 2], hex[i * 2 + 1], 0}, NULL, 16);
		suffix[i] = alpha[v % (sizeof(alpha) - 1)];
	}
	suffix[5] = '\0';
	snprintf(F->pod_name, sizeof(F->pod_name), DS_LABEL "-%s", suffix);
	return ds_write(F);
}

/* --- control-plane-down --- */

static struct kube_cluster *find_cluster(struct upfaults *F, const char *name)
{
	if (!F->kube)
		return NULL;
	if (!name || !*name)
		return kube_cluster_find(F->kube, F->project, F->location, F->cluster);
	for (size_t i = 0; i < F->kube->n_clusters; i++) {
		struct kube_cluster *cl = F->kube->clusters[i];
		if (cl && strcmp(cl->name, name) == 0 && strcmp(cl->project, F->project) == 0)
			return cl;
	}
	return NULL;
}

static int down_index(struct upfaults *F, const struct kube_cluster *cl)
{
	for (size_t i = 0; i < F->n_down; i++)
		if (strcmp(F->down[i].project, cl->project) == 0 &&
		    strcmp(F->down[i].location, cl->location) == 0 &&
		    strcmp(F->down[i].name, cl->name) == 0)
			return (int)i;
	return -1;
}

/* A socket bound to 127.0.0.1:port that never listens: connections to the port are
 * refused, and no other socket (a client's ephemeral port, or a connection to itself
 * while retrying) can take the port before the API server listens there again. Both
 * have SO_REUSEADDR, so the listener can bind beside it. The fd, or -1. */
static int reserve_port(int port)
{
	struct sockaddr_in a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int cp_down(struct upfaults *F, struct kube_cluster *cl)
{
	if (down_index(F, cl) >= 0)
		return 0;
	if (F->n_down >= MAX_DOWN)
		return -ENOSPC;
	struct down *d = &F->down[F->n_down++];
	snprintf(d->project, sizeof(d->project), "%s", cl->project);
	snprintf(d->location, sizeof(d->location), "%s", cl->location);
	snprintf(d->name, sizeof(d->name), "%s", cl->name);
	int port = cl->port;
	kube_cluster_stop(cl); /* open connections close; new ones are refused */
	d->placeholder = reserve_port(port);
	fprintf(stderr, "gkeid: fault control-plane-down: cluster %s stops listening on %s\n",
		cl->name, cl->endpoint);
	return 0;
}

static int cp_up(struct upfaults *F, size_t i)
{
	struct down d = F->down[i];
	F->down[i] = F->down[--F->n_down];
	struct kube_cluster *cl =
		F->kube ? kube_cluster_find(F->kube, d.project, d.location, d.name) : NULL;
	if (!cl || cl->listener) {
		if (d.placeholder >= 0)
			close(d.placeholder);
		return 0;
	}
	int rc = kube_cluster_listen(cl, cl->port); /* the same endpoint as before */
	if (d.placeholder >= 0)
		close(d.placeholder);
	d.placeholder = -1;
	if (rc != 0) /* once more without the placeholder beside it */
		rc = kube_cluster_listen(cl, cl->port);
	if (rc != 0) {
		fprintf(stderr, "gkeid: cluster %s cannot listen on %s again: %s\n", cl->name,
			cl->endpoint, strerror(-rc));
		d.placeholder = reserve_port(cl->port);
		F->down[F->n_down++] = d; /* still down: clear may be tried again */
	} else
		fprintf(stderr,
			"gkeid: fault control-plane-down cleared: cluster %s listens on %s\n",
			cl->name, cl->endpoint);
	return rc;
}

void upfaults_free(struct upfaults *F)
{
	if (!F)
		return;
	for (size_t i = 0; i < F->n_down; i++)
		if (F->down[i].placeholder >= 0)
			close(F->down[i].placeholder);
	free(F); /* kube_free stops every listener, restarted or not */
}

/* --- the admin endpoint --- */

static void reply_err(struct http_req *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply_err(struct http_req *r, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_gerror(r, code, http_gstatus(code), NULL, NULL, NULL, "%s", msg);
}

static int loopback_only(struct http_req *r)
{
	char peer[64];
	const char *p = http_peer(r, peer, sizeof(peer));
	if (p && (strncmp(p, "127.", 4) == 0 || strcmp(p, "::1") == 0))
		return 0;
	reply_err(r, 403, "the fault endpoint answers loopback clients only");
	return -EACCES;
}

/* Who calls: a loopback client with a bearer token the Google APIs accept. Replies 401
 * in their shape otherwise. 0 or -EACCES. */
static int authenticate(struct http_req *r, struct caller *who)
{
	struct upfaults *F = r->route_arg;
	if (loopback_only(r))
		return -EACCES;
	if (!F->cloud) {
		reply_err(r, 503, "gkeid is starting");
		return -EAGAIN;
	}
	return cloud_authenticate(F->cloud, r, SERVICE, who);
}

/* By the project's current policy, not the one in effect after IAM's propagation delay:
 * that delay is a fault of this endpoint's own (iam-propagation), and under it a grant
 * written a moment ago would not count yet, so the admin could not clear the fault that
 * hides the grant (and a revoked grant would keep working for the delay). */
static int allowed_on(struct upfaults *F, const struct caller *who, const char *project,
		      const char *perm)
{
	char res[160];
	const char *rs[1] = {res};
	if ((size_t)snprintf(res, sizeof(res), "projects/%s", project) >= sizeof(res))
		return 0;
	return iam_check(F->cloud->iam, rs, 1, &who->principal, perm, INT64_MAX);
}

/* The caller holds perm on up's project and, when every, on every project. Replies 403
 * in IAM's shape (or 500) otherwise. 0 or -errno. */
static int authorize(struct http_req *r, const struct caller *who, const char *perm, int every)
{
	struct upfaults *F = r->route_arg;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int ok = allowed_on(F, who, F->project, perm);
	if (ok && every) {
		if (store_range(F->cloud->store, "/projects/", 0, &kvs, &n, NULL) != 0) {
			reply_err(r, 500, "Internal error encountered.");
			return -EIO;
		}
		for (size_t k = 0; k < n && ok; k++) {
			const char *id = kvs[k].key + strlen("/projects/");
			if (!strchr(id, '/'))
				ok = allowed_on(F, who, id, perm);
		}
		store_kvs_free(kvs, n);
	}
	if (ok)
		return 0;
	fprintf(stderr, "gkeid: fault endpoint: %s denied to %.300s\n", perm,
		who->principal.n_members ? who->principal.members[0] : "?");
	cloud_reply_permission_denied(r, perm);
	return -EACCES;
}

/* Authenticates and authorizes a request about fault i (-1: none or unknown, checked
 * on up's project); iam-propagation, which changes IAM everywhere, or every fault (all),
 * on every project. 0 or -errno (replied). */
static int admit(struct http_req *r, const char *perm, int i, int all)
{
	struct caller who;
	int rc = authenticate(r, &who);
	if (rc == 0)
		rc = authorize(r, &who, perm, all || (i >= 0 && !defs[i].per_cluster));
	return rc;
}

static json_t *fault_json(struct upfaults *F, int i)
{
	json_t *f = json_pack("{s:s, s:b, s:s}", "name", defs[i].name, "active", F->on[i],
			      "symptom", defs[i].symptom);
	if (!f)
		return NULL;
	if (defs[i].takes_seconds)
		json_object_set_new(
			f, "seconds",
			json_integer(F->on[i] ? F->seconds[i] : defs[i].default_seconds));
	if (i == F_CONTROL_PLANE_DOWN) {
		json_t *cls = json_array();
		for (size_t k = 0; k < F->n_down && cls; k++)
			json_array_append_new(cls, json_string(F->down[k].name));
		json_object_set_new(f, "clusters", cls ? cls : json_array());
	} else if (defs[i].per_cluster && F->cluster[0]) {
		json_object_set_new(f, "cluster", json_string(F->cluster));
	}
	return f;
}

static void reply_list(struct http_req *r)
{
	struct upfaults *F = r->route_arg;
	json_t *arr = json_array();
	for (int i = 0; i < F_N && arr; i++)
		json_array_append_new(arr, fault_json(F, i));
	http_reply_json(r, 200, arr ? json_pack("{s:o}", "faults", arr) : NULL);
}

static void h_list(struct http_req *r)
{
	if (admit(r, PERM_LIST, -1, 0) == 0)
		reply_list(r);
}

/* The fault the path names, once the caller may perm on it; -1 when it may not (401,
 * 403) or there is no such fault (404). */
static int lookup(struct http_req *r, const char *perm)
{
	const char *name = http_param(r, "name");
	int i = name ? find_def(name) : -1;
	if (admit(r, perm, i, 0) != 0)
		return -1;
	if (i < 0) {
		char known[400] = "";
		for (int k = 0; k < F_N; k++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 k ? ", " : "", defs[k].name);
		reply_err(r, 404, "unknown fault \"%.100s\"; the faults are: %s", name ? name : "",
			  known);
	}
	return i;
}

/* "the clusters are: a, b" (up's project's, as find_cluster looks), or "the project
 * has no clusters"; a list too long for out ends in "...". */
static void cluster_names(struct upfaults *F, char *out, size_t len)
{
	size_t n = 0, used;
	used = (size_t)snprintf(out, len, "the clusters are: ");
	for (size_t i = 0; F->kube && i < F->kube->n_clusters && used < len; i++) {
		const struct kube_cluster *cl = F->kube->clusters[i];
		if (!cl || strcmp(cl->project, F->project) != 0)
			continue;
		size_t w =
			(size_t)snprintf(out + used, len - used, "%s%s", n++ ? ", " : "", cl->name);
		if (used + w >= len - 4) { /* room for "..." */
			snprintf(out + used, len - used, "%s...", n > 1 ? ", " : "");
			return;
		}
		used += w;
	}
	if (n == 0)
		snprintf(out, len, "the project has no clusters");
}

/* The cluster a request names (?cluster= or the body's "cluster"), or the default. */
static struct kube_cluster *req_cluster(struct http_req *r, int i, const json_t *body, char *name,
					size_t len)
{
	struct upfaults *F = r->route_arg;
	const char *c = http_query(r, "cluster");
	if (!c && body)
		c = json_string_value(json_object_get(body, "cluster"));
	snprintf(name, len, "%.63s", c && *c ? c : F->cluster);
	if (!defs[i].per_cluster)
		return NULL;
	struct kube_cluster *cl = find_cluster(F, c);
	if (!cl) {
		char names[600];
		cluster_names(F, names, sizeof(names));
		reply_err(r, 404, "cluster \"%.63s\" not found in project %s; %s", name, F->project,
			  names);
		return NULL;
	}
	if (i != F_CONTROL_PLANE_DOWN &&
	    (strcmp(cl->name, F->cluster) != 0 || strcmp(cl->location, F->location) != 0)) {
		reply_err(r, 400,
			  "fault %s needs the cluster's node (gke-metadata-server); only cluster "
			  "%s has one",
			  defs[i].name, F->cluster);
		return NULL;
	}
	return cl;
}

static void h_set(struct http_req *r)
{
	struct upfaults *F = r->route_arg;
	int i = lookup(r, PERM_SET);
	if (i < 0)
		return;
	json_t *body = http_json_body(r, 1);
	if (!body)
		return;
	char cname[64];
	int rc = 0;
	int64_t secs = defs[i].default_seconds;
	const json_t *s = json_object_get(body, "seconds");
	if (s && !json_is_null(s)) {
		if (!defs[i].takes_seconds) {
			reply_err(r, 400, "fault %s takes no seconds", defs[i].name);
			goto out;
		}
		if (!json_is_integer(s) || json_integer_value(s) < 0 ||
		    json_integer_value(s) > SECONDS_MAX) {
			reply_err(r, 400, "\"seconds\" must be a whole number from 0 to %d",
				  SECONDS_MAX);
			goto out;
		}
		secs = json_integer_value(s);
	}
	struct kube_cluster *cl = req_cluster(r, i, body, cname, sizeof(cname));
	if (defs[i].per_cluster && !cl)
		goto out;
	switch (i) {
	case F_IAM_PROPAGATION:
		iam_set_propagation(F->cloud->iam, secs * 1000);
		F->cloud->propagation_ms = secs * 1000;
		break;
	case F_CONTROL_PLANE_DOWN:
		rc = cp_down(F, cl);
		break;
	default: {
		int was = F->on[i];
		int64_t old = F->seconds[i];
		F->on[i] = 1;
		F->seconds[i] = secs;
		if (i == F_METADATA_CRASHLOOP && !was)
			F->restarts++;
		rc = ds_write(F);
		if (rc != 0) {
			F->on[i] = was;
			F->seconds[i] = old;
		}
	}
	}
	if (rc != 0) {
		reply_err(r, 500, "cannot set fault %s: %s", defs[i].name, strerror(-rc));
		goto out;
	}
	F->on[i] = i == F_CONTROL_PLANE_DOWN ? F->n_down > 0 : 1;
	F->seconds[i] = secs;
	if (defs[i].takes_seconds)
		fprintf(stderr, "gkeid: fault %s set (%lld s)\n", defs[i].name, (long long)secs);
	else
		fprintf(stderr, "gkeid: fault %s set on cluster %s\n", defs[i].name, cname);
	http_reply_json(r, 200, fault_json(F, i));
out:
	json_decref(body);
}

/* 0, or -errno when a control plane cannot listen again (it stays down). */
static int clear_one(struct upfaults *F, int i, struct kube_cluster *cl)
{
	int rc = 0;
	switch (i) {
	case F_IAM_PROPAGATION:
		iam_set_propagation(F->cloud->iam, F->propagation_ms);
		F->cloud->propagation_ms = F->propagation_ms;
		F->on[i] = 0;
		break;
	case F_CONTROL_PLANE_DOWN:
		for (size_t k = F->n_down; k > 0; k--) {
			struct down *d = &F->down[k - 1];
			if (!cl || (strcmp(d->name, cl->name) == 0 &&
				    strcmp(d->location, cl->location) == 0)) {
				int r = cp_up(F, k - 1);
				rc = rc ? rc : r;
			}
		}
		F->on[i] = F->n_down > 0;
		break;
	default:
		if (F->on[i]) {
			F->on[i] = 0;
			if (ds_write(F) != 0)
				fprintf(stderr, "gkeid: cannot update %s\n", F->pod_name);
		}
	}
	return rc;
}

static void h_clear(struct http_req *r)
{
	struct upfaults *F = r->route_arg;
	int i = lookup(r, PERM_CLEAR);
	if (i < 0)
		return;
	char cname[64];
	struct kube_cluster *cl = NULL;
	if (defs[i].per_cluster && http_query(r, "cluster")) {
		/* the cluster may be down: find it by name without its listener */
		cl = req_cluster(r, i, NULL, cname, sizeof(cname));
		if (!cl)
			return;
	}
	int rc = clear_one(F, i, cl);
	if (rc != 0) {
		reply_err(r, 500, "cannot clear fault %s: the API server cannot listen again: %s",
			  defs[i].name, strerror(-rc));
		return;
	}
	fprintf(stderr, "gkeid: fault %s cleared\n", defs[i].name);
	http_reply_json(r, 200, fault_json(F, i));
}

static void h_clear_all(struct http_req *r)
{
	struct upfaults *F = r->route_arg;
	if (admit(r, PERM_CLEAR, -1, 1) != 0)
		return;
	for (int i = 0; i < F_N; i++)
		clear_one(F, i, NULL);
	fprintf(stderr, "gkeid: every fault cleared\n");
	reply_list(r);
}

static const struct http_route routes[] = {
	{"GET", "/gkeid/v1/faults", h_list},
	{"DELETE", "/gkeid/v1/faults", h_clear_all},
	{"PUT", "/gkeid/v1/faults/{name}", h_set},
	{"POST", "/gkeid/v1/faults/{name}", h_set},
	{"DELETE", "/gkeid/v1/faults/{name}", h_clear},
};

struct upfaults *upfaults_new(void)
{
	return calloc(1, sizeof(struct upfaults));
}

int upfaults_routes_add(struct upfaults *F, struct http_router *rt)
{
	return http_router_add_arg(rt, routes, sizeof(routes) / sizeof(routes[0]), F);
}
