/*
 * bench_gkeid.h - what the node benchmarks share: a client of a running `gkeid up`
 * (libcurl), as any user of the cluster would be. It reads the environment that
 * bench/run.sh sets (`. DIR/env` plus GKEID_BENCH_TOKEN, the admin's access token) and
 * the node's state file (DIR/nodes/local-node.json: API server, CA, metadata port, pid).
 *
 *   bk_open/bk_close       the client (one keep-alive connection to the API server)
 *   bk_kube, bk_cloud      one call; the response body is returned (caller frees)
 *   bk_bulk                many POSTs over BK_CONNS parallel keep-alive connections
 *   bk_make_ksa            bk_bulk's maker of annotated KSAs (struct bk_ksas)
 *   bk_pod_create          a Pod on a node with a pod IP, as a kubelet reports it
 *   bk_gsa_bind            a GSA whose workloadIdentityUser binding names given KSAs
 *   bk_md_get              a pod's metadata request, on a fresh connection
 *   bk_metric, bk_vm_kib   the node's /metrics value, and its /proc VmRSS/VmHWM
 *
 * Header-only, like bench.h; each function returns an HTTP status, 0 or -1.
 */
#ifndef GKEID_BENCH_GKEID_H
#define GKEID_BENCH_GKEID_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define BK_CONNS 8	      /* parallel connections of bk_bulk */
#define BK_BODY_MAX (4 << 20) /* a response larger than this is cut */
#define BK_TOKEN_PATH "/computeMetadata/v1/instance/service-accounts/default/token"

struct bk {
	char kube[512], ca[1024], cloud[512], project[128], auth[4200];
	char state[1024];
	int md_port;
	long node_pid;
	CURL *h;
	struct curl_slist *hdrs;
};

struct bk_buf {
	char *p;
	size_t len;
};

static inline size_t bk_write(char *d, size_t sz, size_t n, void *arg)
{
	struct bk_buf *b = arg;
	size_t len = sz * n;
	char *p;

	if (b->len + len > BK_BODY_MAX)
		return len; /* dropped: bodies are read only for small answers */
	p = realloc(b->p, b->len + len + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, d, len);
	b->p = p;
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

static inline int bk_state_str(json_t *st, const char *key, char *out, size_t len)
{
	const char *v = json_string_value(json_object_get(st, key));

	if (!v || strlen(v) >= len)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* Reads the environment and the node's state file. 0 or -1 (with a message). */
static inline int bk_open(struct bk *b, const char *who)
{
	const char *dir = getenv("GKEID_DATA_DIR"), *cloud = getenv("GKEID_CLOUD_URL");
	const char *proj = getenv("GKEID_PROJECT"), *tok = getenv("GKEID_BENCH_TOKEN");
	json_t *st;

	memset(b, 0, sizeof(*b));
	if (!dir || !cloud || !proj || !tok || strlen(tok) > 4000) {
		fprintf(stderr,
			"%s: run from bench/run.sh (needs `. DIR/env` and GKEID_BENCH_TOKEN)\n",
			who);
		return -1;
	}
	snprintf(b->state, sizeof(b->state), "%.900s/nodes/local-node.json", dir);
	st = json_load_file(b->state, 0, NULL);
	if (!st || bk_state_str(st, "kubeServer", b->kube, sizeof(b->kube)) ||
	    bk_state_str(st, "kubeCA", b->ca, sizeof(b->ca))) {
		fprintf(stderr, "%s: cannot read %s\n", who, b->state);
		json_decref(st);
		return -1;
	}
	b->md_port = (int)json_integer_value(json_object_get(st, "port"));
	b->node_pid = (long)json_integer_value(json_object_get(st, "pid"));
	json_decref(st);
	snprintf(b->cloud, sizeof(b->cloud), "%s", cloud);
	snprintf(b->project, sizeof(b->project), "%s", proj);
	snprintf(b->auth, sizeof(b->auth), "Authorization: Bearer %s", tok);
	b->hdrs = curl_slist_append(NULL, b->auth);
	b->hdrs = curl_slist_append(b->hdrs, "Content-Type: application/json");
	b->h = curl_easy_init();
	return b->h && b->hdrs ? 0 : -1;
}

static inline void bk_close(struct bk *b)
{
	curl_easy_cleanup(b->h);
	curl_slist_free_all(b->hdrs);
}

static inline void bk_setup(struct bk *b, CURL *h, const char *method, const char *url,
			    const char *body, struct bk_buf *out)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, b->hdrs);
	curl_easy_setopt(h, CURLOPT_CAINFO, b->ca);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (!body)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bk_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
}

/* One call to base+path; *resp (may be NULL) gets the body. The HTTP status, or 0. */
static inline int bk_call(struct bk *b, const char *base, const char *method, const char *path,
			  const char *body, char **resp)
{
	char url[2048];
	struct bk_buf out = {NULL, 0};
	long code = 0;

	snprintf(url, sizeof(url), "%s%s", base, path);
	bk_setup(b, b->h, method, url, body, &out);
	/* once more on a failed transfer: a keep-alive connection idle through a long
	 * bk_bulk may have been closed by the server's idle timeout meanwhile */
	for (int tries = 0; tries < 2 && !code; tries++) {
		free(out.p);
		out.p = NULL;
		out.len = 0;
		if (curl_easy_perform(b->h) == CURLE_OK)
			curl_easy_getinfo(b->h, CURLINFO_RESPONSE_CODE, &code);
	}
	if (resp)
		*resp = out.p;
	else
		free(out.p);
	return (int)code;
}

static inline int bk_kube(struct bk *b, const char *method, const char *path, const char *body,
			  char **resp)
{
	return bk_call(b, b->kube, method, path, body, resp);
}

static inline int bk_cloud(struct bk *b, const char *method, const char *path, const char *body,
			   char **resp)
{
	return bk_call(b, b->cloud, method, path, body, resp);
}

/* Fills path and body for the i-th POST of a bulk load. */
typedef void (*bk_make_fn)(size_t i, void *arg, char *path, size_t plen, char *body, size_t blen);

/* n POSTs to the API server, BK_CONNS at a time. Returns how many were not 201/200. */
static inline size_t bk_bulk(struct bk *b, size_t n, bk_make_fn make, void *arg)
{
	CURLM *m = curl_multi_init();
	CURL *hs[BK_CONNS];
	struct bk_buf outs[BK_CONNS];
	char urls[BK_CONNS][1600], bodies[BK_CONNS][4096];
	size_t next = 0, failed = 0;
	int running = 0;

	for (int k = 0; k < BK_CONNS; k++) {
		hs[k] = curl_easy_init();
		outs[k].p = NULL;
		outs[k].len = 0;
	}
	for (int k = 0; k < BK_CONNS && next < n; k++, next++) {
		char path[800];
		make(next, arg, path, sizeof(path), bodies[k], sizeof(bodies[k]));
		snprintf(urls[k], sizeof(urls[k]), "%s%s", b->kube, path);
		bk_setup(b, hs[k], "POST", urls[k], bodies[k], &outs[k]);
		curl_easy_setopt(hs[k], CURLOPT_PRIVATE, (void *)(intptr_t)k);
		curl_multi_add_handle(m, hs[k]);
	}
	do {
		CURLMsg *msg;
		int left;
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			void *priv;
			long code = 0;
			int k;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			k = (int)(intptr_t)priv;
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(hs[k], CURLINFO_RESPONSE_CODE, &code);
			if (code != 201 && code != 200 && failed++ < 3)
				fprintf(stderr, "bk_bulk: %s: %ld %.300s\n", urls[k], code,
					outs[k].p ? outs[k].p : "");
			curl_multi_remove_handle(m, hs[k]);
			free(outs[k].p);
			outs[k].p = NULL;
			outs[k].len = 0;
			if (next < n) {
				char path[800];
				make(next++, arg, path, sizeof(path), bodies[k], sizeof(bodies[k]));
				snprintf(urls[k], sizeof(urls[k]), "%s%s", b->kube, path);
				bk_setup(b, hs[k], "POST", urls[k], bodies[k], &outs[k]);
				curl_multi_add_handle(m, hs[k]);
				running = 1;
			}
		}
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running);
	for (int k = 0; k < BK_CONNS; k++) {
		free(outs[k].p);
		curl_easy_cleanup(hs[k]);
	}
	curl_multi_cleanup(m);
	return failed;
}

/* Creates namespace ns (an existing one is fine). 0 or -1. */
static inline int bk_namespace(struct bk *b, const char *ns)
{
	char body[512];
	int code;

	snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"%s\"}}", ns);
	code = bk_kube(b, "POST", "/api/v1/namespaces", body, NULL);
	return code == 201 || code == 200 || code == 409 ? 0 : -1;
}

/* The body of a KSA annotated with gsa (none when gsa is NULL). */
static inline void bk_ksa_body(char *body, size_t len, const char *name, const char *gsa)
{
	if (gsa)
		snprintf(body, len,
			 "{\"metadata\":{\"name\":\"%s\",\"annotations\":"
			 "{\"iam.gke.io/gcp-service-account\":\"%s\"}}}",
			 name, gsa);
	else
		snprintf(body, len, "{\"metadata\":{\"name\":\"%s\"}}", name);
}

/* bk_bulk's maker of KSAs annotated with gsa (arg: struct bk_ksas): KSA i is PREFIX<i>,
 * in namespace NS, or in NS-<i / per_ns> when per_ns is set. */
struct bk_ksas {
	const char *gsa, *prefix, *ns;
	size_t per_ns;
};

static inline void bk_make_ksa(size_t i, void *arg, char *path, size_t plen, char *body,
			       size_t blen)
{
	const struct bk_ksas *k = arg;
	char name[64];

	snprintf(name, sizeof(name), "%s%zu", k->prefix, i);
	if (k->per_ns)
		snprintf(path, plen, "/api/v1/namespaces/%s-%zu/serviceaccounts", k->ns,
			 i / k->per_ns);
	else
		snprintf(path, plen, "/api/v1/namespaces/%s/serviceaccounts", k->ns);
	bk_ksa_body(body, blen, name, k->gsa);
}

/* The body of a Pod of ksa on node (status comes later, from the "kubelet"). */
static inline void bk_pod_body(char *body, size_t len, const char *name, const char *ksa,
			       const char *node)
{
	snprintf(body, len,
		 "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"app\":\"bench\"}},\"spec\":"
		 "{\"nodeName\":\"%s\",\"serviceAccountName\":\"%s\",\"containers\":"
		 "[{\"name\":\"main\",\"image\":\"bench\"}]}}",
		 name, node, ksa);
}

/* A Pod of ksa on node with address ip: created, then given its address and the Running
 * phase through the status subresource, as a kubelet does. 0 or -1. */
static inline int bk_pod_create(struct bk *b, const char *ns, const char *name, const char *ksa,
				const char *node, const char *ip)
{
	char path[600], body[2048], *resp = NULL, *s = NULL;
	json_t *pod = NULL;
	int code, rc = -1;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods", ns);
	bk_pod_body(body, sizeof(body), name, ksa, node);
	code = bk_kube(b, "POST", path, body, &resp);
	pod = code == 201 && resp ? json_loads(resp, 0, NULL) : NULL;
	if (!pod) {
		fprintf(stderr, "bk_pod_create %s/%s: %d %.300s\n", ns, name, code,
			resp ? resp : "");
		goto out;
	}
	json_object_set_new(pod, "status",
			    json_pack("{s:s, s:s, s:s, s:[{s:s}]}", "phase", "Running", "hostIP",
				      "127.0.0.1", "podIP", ip, "podIPs", "ip", ip));
	s = json_dumps(pod, JSON_COMPACT);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s/status", ns, name);
	free(resp);
	resp = NULL;
	code = s ? bk_kube(b, "PUT", path, s, &resp) : 0;
	if (code != 200) {
		fprintf(stderr, "bk_pod_create %s/%s status: %d %.300s\n", ns, name, code,
			resp ? resp : "");
		goto out;
	}
	rc = 0;
out:
	free(resp);
	free(s);
	json_decref(pod);
	return rc;
}

/* Creates GSA account@PROJECT (409 is fine) and binds roles/iam.workloadIdentityUser on it
 * for the KSAs ns/ksa-PREFIX<i>, i in [0, n). email gets the GSA. 0 or -1. */
static inline int bk_gsa_bind(struct bk *b, const char *account, const char *ns,
			      const char *ksa_prefix, size_t n, char *email, size_t elen)
{
	char path[800], body[300];
	json_t *members = json_array(), *pol;
	char *s;
	int code;

	snprintf(email, elen, "%s@%s.iam.gserviceaccount.com", account, b->project);
	snprintf(path, sizeof(path), "/iam/v1/projects/%s/serviceAccounts", b->project);
	snprintf(body, sizeof(body), "{\"accountId\":\"%s\"}", account);
	code = bk_cloud(b, "POST", path, body, NULL);
	if (code != 200 && code != 409) {
		fprintf(stderr, "bk_gsa_bind: create %s: %d\n", account, code);
		json_decref(members);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char m[600];
		snprintf(m, sizeof(m), "serviceAccount:%s.svc.id.goog[%s/%s%zu]", b->project, ns,
			 ksa_prefix, i);
		json_array_append_new(members, json_string(m));
	}
	pol = json_pack("{s:{s:[{s:s, s:o}]}}", "policy", "bindings", "role",
			"roles/iam.workloadIdentityUser", "members", members);
	s = pol ? json_dumps(pol, JSON_COMPACT) : NULL;
	json_decref(pol);
	snprintf(path, sizeof(path), "/iam/v1/projects/%s/serviceAccounts/%s:setIamPolicy",
		 b->project, email);
	code = s ? bk_cloud(b, "POST", path, s, NULL) : 0;
	free(s);
	if (code != 200) {
		fprintf(stderr, "bk_gsa_bind: setIamPolicy on %s: %d\n", email, code);
		return -1;
	}
	return 0;
}

/* GET path from the metadata server as the pod with address ip, on a new connection (a
 * pod's first request). The HTTP status, or 0; *resp (may be NULL) gets the body. */
static inline int bk_md_get(const struct bk *b, const char *ip, const char *path, char **resp)
{
	char url[1024];
	struct bk_buf out = {NULL, 0};
	struct curl_slist *h = curl_slist_append(NULL, "Metadata-Flavor: Google");
	CURL *c = curl_easy_init();
	long code = 0;

	snprintf(url, sizeof(url), "http://%s:%d%s", ip, b->md_port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bk_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (resp)
		*resp = out.p;
	else
		free(out.p);
	return (int)code;
}

/* A value of the node's /metrics (the first line that starts with name and a space, or
 * name{...}); -1 when absent. */
static inline double bk_metric(const struct bk *b, const char *name)
{
	char *text = NULL, *p;
	double v = -1;
	size_t nl = strlen(name);

	if (bk_md_get(b, "127.0.0.1", "/metrics", &text) != 200 || !text) {
		free(text);
		return -1;
	}
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, nl) == 0 && (p[nl] == ' ' || p[nl] == '{')) {
			const char *sp = strchr(p + nl, ' ');
			v = sp ? strtod(sp + 1, NULL) : -1;
			break;
		}
	}
	free(text);
	return v;
}

/* Waits (up to timeout_s) until the node knows at least n pods. 0 or -1. */
static inline int bk_wait_pods(const struct bk *b, double n, double timeout_s)
{
	double t0 = now_s();

	while (bk_metric(b, "gkeid_node_pods") < n) {
		if (now_s() - t0 > timeout_s)
			return -1;
		usleep(20000);
	}
	return 0;
}

/* VmRSS and VmHWM (KiB) of the node process. 0 or -1. */
static inline int bk_vm_kib(const struct bk *b, long *rss, long *hwm)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", b->node_pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*rss = *hwm = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return *rss >= 0 && *hwm >= 0 ? 0 : -1;
}

#endif
