/*
 * faults.c - how the node agent follows its own DaemonSet pod,
 * kube-system/gke-metadata-server-XXXXX (label k8s-app=gke-metadata-server), which the
 * pod watch delivers like any pod of the node. When the pod's container is in
 * CrashLoopBackOff the metadata server is "crashed": its listeners close, so pods get
 * connection refused, and reopen on the same addresses when the pod runs again. The
 * annotation faults.gkeid.dev/metadata-slow: "N" makes the server slow to accept a new
 * pod: a pod's identity requests are held until the pod is N s old, and a Warning event
 * MetadataServerNotReady is posted on that pod (once per pod), as the kubelet posts
 * events: through the Kubernetes API.
 */
#include "node/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/hmap.h"

#define WARNED_MAX 4096 /* pods warned about (uids); the set starts over beyond */
#define EVENT_CAP (64u << 10)
#define SLOW_MAX_S 86400

struct faults {
	int crashed;
	int64_t slow_s;
	struct hmap *warned; /* pod uid -> (void *)1 */
	int placeholder[3];  /* per n->socks entry while closed (reserve_port), else -1 */
};

static struct faults *get(struct node *n)
{
	if (!n->faults) {
		struct faults *f = calloc(1, sizeof(*f));
		if (!f)
			return NULL;
		f->warned = hmap_new(64);
		if (!f->warned) {
			free(f);
			return NULL;
		}
		for (size_t i = 0; i < sizeof(f->placeholder) / sizeof(f->placeholder[0]); i++)
			f->placeholder[i] = -1;
		n->faults = f;
	}
	return n->faults;
}

void md_faults_free(struct node *n)
{
	struct faults *f = n->faults;
	if (!f)
		return;
	hmap_free(f->warned); /* values are not pointers to free */
	for (size_t i = 0; i < sizeof(f->placeholder) / sizeof(f->placeholder[0]); i++)
		if (f->placeholder[i] >= 0)
			close(f->placeholder[i]);
	free(f);
	n->faults = NULL;
}

/* A socket bound to addr:port that never listens: connections are refused, and no
 * other socket (say a client's ephemeral port) takes the port while the server is
 * "down". SO_REUSEADDR on both lets the listener bind beside it again. fd or -1. */
static int reserve_port(const char *addr, int port)
{
	struct sockaddr_in a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	if (fd >= 0 && (inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Closes (up = 0) or reopens (up = 1) every metadata listener. */
static void listeners(struct node *n, int up)
{
	struct faults *f = n->faults;
	size_t max = sizeof(f->placeholder) / sizeof(f->placeholder[0]);
	for (size_t i = 0; i < n->n_socks && i < max; i++) {
		struct md_sock *s = &n->socks[i];
		if (!up && s->h) {
			http_guard_unbind(n->guard, s->h);
			s->h = NULL;
			f->placeholder[i] = reserve_port(s->addr, s->port);
		} else if (up && !s->h) {
			s->h = http_guard_bind(n->guard, s->addr, s->port, NULL);
			if (!s->h)
				md_log(n, "cannot listen on %s:%d again: %s", s->addr, s->port,
				       strerror(errno));
			if (f->placeholder[i] >= 0)
				close(f->placeholder[i]);
			f->placeholder[i] = -1;
		}
	}
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int md_faults_is_daemon_pod(const json_t *pod)
{
	const json_t *meta = json_object_get(pod, "metadata");
	return strcmp(jstr(meta, "namespace"), "kube-system") == 0 &&
	       strcmp(jstr(json_object_get(meta, "labels"), "k8s-app"), "gke-metadata-server") == 0;
}

void md_faults_pod(struct node *n, const json_t *pod)
{
	struct faults *f = get(n);
	if (!f)
		return;
	int crashed = 0;
	int64_t slow = 0;
	if (pod) {
		size_t i;
		const json_t *cs;
		json_array_foreach(
			json_object_get(json_object_get(pod, "status"), "containerStatuses"), i, cs)
		{
			const json_t *w = json_object_get(json_object_get(cs, "state"), "waiting");
			if (strcmp(jstr(w, "reason"), "CrashLoopBackOff") == 0)
				crashed = 1;
		}
		const char *s =
			jstr(json_object_get(json_object_get(pod, "metadata"), "annotations"),
			     "faults.gkeid.dev/metadata-slow");
		char *end;
		long long v = *s ? strtoll(s, &end, 10) : 0;
		if (*s && *end == '\0' && v > 0 && v <= SLOW_MAX_S)
			slow = v;
	}
	if (slow != f->slow_s && slow)
		md_log(n, "the metadata server accepts new pods only once they are %lld s old",
		       (long long)slow);
	else if (slow != f->slow_s)
		md_log(n, "the metadata server accepts new pods at once");
	f->slow_s = slow;
	if (crashed != f->crashed) {
		md_log(n, crashed ? "gke-metadata-server is in CrashLoopBackOff: not serving"
				  : "gke-metadata-server runs again: serving");
		f->crashed = crashed;
		listeners(n, !crashed);
	}
}

int md_faults_crashed(const struct node *n)
{
	const struct faults *f = n->faults;
	return f && f->crashed;
}

static void on_event_posted(void *arg, const struct md_resp *r)
{
	struct node *n = arg;
	md_metrics_upstream(n, MD_UP_KUBE, r);
	if (r->status != 201 && r->status != 200)
		md_log(n, "cannot post an event: %s",
		       r->status ? "the API server refused it" : r->error);
}

void md_faults_event(struct node *n, const struct md_pod *pod, const char *reason,
		     const char *message)
{
	char now[CLOCK_RFC3339_LEN], path[200];
	clock_rfc3339((int64_t)time(NULL), now);
	char gen[300];
	if (SFMT(gen, "%s.", pod->name) < 0 ||
	    SFMT(path, "/api/v1/namespaces/%s/events", pod->ns) < 0)
		return; /* names are bounded (md_pod): not reached */
	json_t *ev = json_pack(
		"{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:s, s:{s:s, s:s},"
		" s:s, s:s, s:i, s:s, s:s}",
		"apiVersion", "v1", "kind", "Event", "metadata", "generateName", gen, "namespace",
		pod->ns, "involvedObject", "kind", "Pod", "apiVersion", "v1", "namespace", pod->ns,
		"name", pod->name, "uid", pod->uid, "reason", reason, "message", message, "type",
		"Warning", "source", "component", "gke-metadata-server", "host", n->cfg.node_name,
		"firstTimestamp", now, "lastTimestamp", now, "count", 1, "reportingComponent",
		"gke-metadata-server", "reportingInstance", n->cfg.node_name);
	char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (!body)
		return;
	struct md_req rq = {.method = "POST",
			    .path = path,
			    .ctype = "application/json",
			    .body = body,
			    .body_len = strlen(body),
			    .cap = EVENT_CAP,
			    .timeout_s = 10};
	rq.bearer = n->kube_bearer[0] ? n->kube_bearer : NULL;
	if (md_client_call(n->kube, &rq, on_event_posted, n, NULL) != 0)
		md_log(n, "cannot post an event on pod %s/%s", pod->ns, pod->name);
	free(body);
}

int64_t md_faults_startup_wait_ms(struct node *n, const struct md_pod *pod)
{
	struct faults *f = n->faults;
	if (!f || f->slow_s <= 0 || pod->created_ms <= 0)
		return 0;
	int64_t ready = pod->created_ms + f->slow_s * 1000, now = md_now_ms();
	if (now >= ready)
		return 0;
	if (pod->uid[0] && !hmap_get(f->warned, pod->uid)) {
		if (hmap_count(f->warned) >= WARNED_MAX) {
			hmap_free(f->warned);
			f->warned = hmap_new(64);
		}
		if (f->warned)
			hmap_put(f->warned, pod->uid, (void *)1);
		char msg[600];
		snprintf(msg, sizeof(msg),
			 "The GKE metadata server is not ready to serve pod %s/%s yet: it accepts "
			 "requests from a new pod %lld s after the pod starts; requests are held "
			 "until then, and clients with a shorter timeout fail",
			 pod->ns, pod->name, (long long)f->slow_s);
		md_faults_event(n, pod, "MetadataServerNotReady", msg);
	}
	return ready - now;
}
