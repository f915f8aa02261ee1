/*
 * checks_more.c - the doctor's checks beyond the seed's six, one per section of the
 * troubleshooting guide: control plane reachable, the token exchange a pod's metadata
 * server performs (IAM propagation named when a present binding is refused, a disabled
 * API named as such), DNS of metadata.google.internal, Istio's startup race,
 * gke-metadata-server crash loops (OOM, over 3,000 KSAs), metadata server not ready at
 * pod start, and the Kubernetes Engine service agent's role (DeployPatch failed).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "doctor/doctor.h"

#define SCOPE "https://www.googleapis.com/auth/cloud-platform"
#define MD_IP "169.254.169.254"

/* The start of a check that examines the service account's pods: it is skipped when the
 * control plane does not answer or no pod runs. 1 when it was (the check is done). */
static int skip_pods(struct dr_ctx *c, json_t *pods, const char *id, struct dr_report *r)
{
	struct dr_buf ev = {0};
	if (!c->kube_ok) {
		dr_skip_down(c, id, r);
		return 1;
	}
	if (json_array_size(pods) == 0) {
		dr_buf_printf(&ev, "no pod of the service account is running");
		dr_add_buf(r, id, DR_SKIP, "skipped: no pod to examine", &ev, NULL);
		return 1;
	}
	return 0;
}

void dr_check_control_plane(struct dr_ctx *c, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0};
	char title[800];
	if (c->kube_ok) {
		dr_buf_printf(&ev, "GET %s/version: it answers", c->kube_url);
		snprintf(title, sizeof(title), "the control plane of cluster %s answers",
			 c->cluster);
		dr_add_buf(r, "control-plane", DR_PASS, title, &ev, NULL);
		return;
	}
	dr_buf_printf(&ev, "GET %s/version: %s", c->kube_url[0] ? c->kube_url : "(no endpoint)",
		      c->kube_err);
	snprintf(title, sizeof(title),
		 "the control plane of cluster %s does not answer, so the metadata server "
		 "cannot issue Workload Identity tokens (pods get HTTP 500)",
		 c->cluster);
	int dashes = 0;
	for (const char *p = c->location; *p; p++)
		dashes += *p == '-';
	dr_buf_printf(&fix,
		      "# wait for the maintenance (IP rotation, control plane upgrade, resize) to "
		      "finish:\n"
		      "gcloud container clusters describe %s --location=%s "
		      "--format=\"value(status)\"",
		      c->cluster, c->location);
	if (dashes >= 2)
		dr_buf_printf(&fix,
			      "\n# %s is a zone: a regional cluster keeps its control plane "
			      "available during maintenance",
			      c->location);
	dr_add_buf(r, "control-plane", DR_FAIL, title, &ev, &fix);
}

/* The API a 403 says is disabled (Google's ErrorInfo reason SERVICE_DISABLED, its
 * metadata.service), or NULL. */
static const char *disabled_service(const struct dr_resp *t)
{
	size_t i;
	json_t *d;
	if (t->status != 403)
		return NULL;
	json_array_foreach(dr_jpath(t->json, "error", "details", NULL), i, d)
	{
		const char *reason = dr_jstr(d, "reason", NULL);
		const char *svc = dr_jstr(d, "metadata", "service", NULL);
		if (reason && strcmp(reason, "SERVICE_DISABLED") == 0)
			return svc && *svc && !strpbrk(svc, " ;&|$`'\"")
				       ? svc
				       : "iamcredentials.googleapis.com";
	}
	return NULL;
}

/* Appends k=v form-encoded. */
static int form(struct dr_buf *b, const char *k, const char *v)
{
	size_t n = strlen(v) * 3 + 1;
	char *enc = malloc(n);
	if (!enc || dr_urlenc(v, enc, n) != 0) {
		free(enc);
		return -ENOMEM;
	}
	dr_buf_printf(b, "%s%s=%s", b->len ? "&" : "", k, enc);
	free(enc);
	return b->oom ? -ENOMEM : 0;
}

/* 1. TokenRequest, audience = the workload pool (what the metadata server asks): the
 * KSA's token (malloc'd), or NULL with the check added (or ev freed) on failure. */
static char *tx_ksa_token(struct dr_ctx *c, const char *ns, const char *ksa, const char *pool,
			  struct dr_buf *ev, struct dr_report *r)
{
	char path[900], ens[300], eksa[300], brief[800], title[1500];
	struct dr_resp s = {0};
	char *token = NULL;
	if (dr_urlenc(ns, ens, sizeof(ens)) || dr_urlenc(ksa, eksa, sizeof(eksa)) ||
	    SFMT(path, "/api/v1/namespaces/%s/serviceaccounts/%s/token", ens, eksa))
		return NULL;
	json_t *tr = json_pack("{s:s, s:s, s:{s:[s], s:i}}", "apiVersion",
			       "authentication.k8s.io/v1", "kind", "TokenRequest", "spec",
			       "audiences", pool, "expirationSeconds", 600);
	if (!tr)
		return NULL;
	dr_kube(c, "POST", path, tr, &s);
	json_decref(tr);
	const char *tok = dr_jstr(s.json, "status", "token", NULL);
	if ((s.status != 201 && s.status != 200) || !tok || strlen(tok) > 16000) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(ev, "POST %s (TokenRequest, audience %s): %s", s.url, pool, brief);
		snprintf(title, sizeof(title),
			 "no Kubernetes service account token for %s/%s (TokenRequest failed)", ns,
			 ksa);
		dr_add_buf(r, "token-exchange",
			   s.status == 403 || s.status == 401 ? DR_SKIP : DR_FAIL, title, ev, NULL);
		goto out;
	}
	token = strdup(tok);
	dr_buf_printf(ev, "POST %s (TokenRequest, audience %s): %ld", s.url, pool, s.status);
	if (!token)
		dr_buf_free(ev);
out:
	dr_resp_free(&s);
	return token;
}

/* 2. STS: the KSA token for a federated token of POOL[NS/KSA] (malloc'd), or NULL with
 * the check added (or ev freed) on failure. */
static char *tx_federated(struct dr_ctx *c, const char *ns, const char *ksa, const char *pool,
			  const char *ksa_token, struct dr_buf *ev, struct dr_report *r)
{
	struct dr_buf fix = {0}, body = {0};
	char aud[1400], brief[800], title[1500];
	struct dr_resp s = {0};
	char *fed = NULL;
	if (SFMT(aud,
		 "identitynamespace:%s:https://container.googleapis.com/v1/projects/%s/"
		 "locations/%s/clusters/%s",
		 pool, c->project, c->location, c->cluster)) {
		snprintf(title, sizeof(title),
			 "the token exchange's audience for the workload pool \"%.100s\" is too "
			 "long (at most %zu bytes)",
			 pool, sizeof(aud) - 1);
		dr_add_buf(r, "token-exchange", DR_FAIL, title, ev, NULL);
		return NULL;
	}
	if (form(&body, "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange") ||
	    form(&body, "audience", aud) || form(&body, "scope", SCOPE) ||
	    form(&body, "requested_token_type", "urn:ietf:params:oauth:token-type:access_token") ||
	    form(&body, "subject_token", ksa_token) ||
	    form(&body, "subject_token_type", "urn:ietf:params:oauth:token-type:jwt")) {
		dr_buf_free(ev);
		goto out;
	}
	dr_google(c, "sts", "POST", "v1/token", "application/x-www-form-urlencoded",
		  dr_buf_str(&body), "", &s);
	const char *tok = dr_jstr(s.json, "access_token", NULL);
	if (s.status != 200 || !tok || strlen(tok) > 16000) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(ev, "; POST %s (token exchange, audience %s): %s", s.url, aud, brief);
		snprintf(title, sizeof(title),
			 "STS refuses the token of %s/%s: the cluster's issuer is not trusted by "
			 "the workload pool %s",
			 ns, ksa, pool);
		dr_buf_printf(&fix,
			      "gcloud container clusters update %s --location=%s "
			      "--workload-pool=%s",
			      c->cluster, c->location, pool);
		dr_add_buf(r, "token-exchange", DR_FAIL, title, ev, &fix);
		goto out;
	}
	fed = strdup(tok);
	dr_buf_printf(ev, "; POST %s (token exchange): 200, a federated token of %s[%s/%s]", s.url,
		      pool, ns, ksa);
	if (!fed)
		dr_buf_free(ev);
out:
	dr_buf_free(&body);
	dr_resp_free(&s);
	return fed;
}

/* A refused generateAccessToken (t): the title and the fix, by why it was refused. */
static void tx_refusal(const struct dr_ctx *c, const struct dr_resp *t, const char *ns,
		       const char *ksa, const char *gsa, const char *pool, struct dr_report *r,
		       char *title, size_t tlen, struct dr_buf *fix)
{
	const struct dr_check *b = dr_find(r, "gsa-binding");
	const char *svc = disabled_service(t);
	if (svc) {
		/* a 403 for a disabled API is not IAM's: no binding, however old, helps */
		snprintf(title, tlen,
			 "generateAccessToken on %s is refused (403 SERVICE_DISABLED): %.100s is "
			 "disabled, so the pod gets HTTP/403 from the metadata server (see "
			 "iamcredentials-api)",
			 gsa, svc);
		dr_buf_printf(fix, "gcloud services enable %s --project=%s", svc, c->project);
	} else if (t->status == 403 && b && b->status == DR_PASS) {
		snprintf(title, tlen,
			 "IAM propagation: generateAccessToken on %s is refused (403) although the "
			 "roles/iam.workloadIdentityUser binding exists; a new binding takes about "
			 "2 minutes, sometimes 7 or more, to take effect",
			 gsa);
		dr_buf_printf(fix,
			      "# wait for the binding to propagate, then retry; in pipelines that "
			      "create the binding and the pod together, add a delay after the pod "
			      "starts before it calls Google Cloud APIs");
	} else if (t->status == 403 || t->status == 404) {
		snprintf(title, tlen,
			 "generateAccessToken on %s is refused (HTTP %ld): the pod gets HTTP/403 "
			 "from the metadata server (see gsa-binding)",
			 gsa, t->status);
		dr_buf_printf(fix,
			      "gcloud iam service-accounts add-iam-policy-binding %s "
			      "--role=roles/iam.workloadIdentityUser "
			      "--member=\"serviceAccount:%s[%s/%s]\"",
			      gsa, pool, ns, ksa);
	} else {
		snprintf(title, tlen, "generateAccessToken on %s fails", gsa);
	}
}

/* 3. generateAccessToken on the GSA, with the federated token. */
static void tx_impersonate(struct dr_ctx *c, const char *ns, const char *ksa, const char *gsa,
			   const char *pool, const char *fed, struct dr_buf *ev,
			   struct dr_report *r)
{
	struct dr_buf fix = {0};
	char path[900], egsa[600], brief[800], title[1500];
	struct dr_resp t = {0};
	if (dr_urlenc(gsa, egsa, sizeof(egsa)) ||
	    SFMT(path, "v1/projects/-/serviceAccounts/%s:generateAccessToken", egsa)) {
		dr_buf_free(ev);
		return;
	}
	dr_google(c, "iamcredentials", "POST", path, "application/json",
		  "{\"scope\":[\"" SCOPE "\"],\"lifetime\":\"600s\"}", fed, &t);
	if (t.status == 200 && dr_jstr(t.json, "accessToken", NULL)) {
		dr_buf_printf(ev, "; POST %s: 200, an access token of %s", t.url, gsa);
		snprintf(title, sizeof(title),
			 "%s/%s exchanges its token for an access token of %s", ns, ksa, gsa);
		dr_add_buf(r, "token-exchange", DR_PASS, title, ev, NULL);
		goto out;
	}
	dr_resp_brief(&t, brief, sizeof(brief));
	dr_buf_printf(ev, "; POST %s: %s", t.url, brief);
	tx_refusal(c, &t, ns, ksa, gsa, pool, r, title, sizeof(title), &fix);
	dr_add_buf(r, "token-exchange", DR_FAIL, title, ev, fix.len ? &fix : NULL);
	dr_buf_free(&fix);
out:
	dr_resp_free(&t);
}

void dr_check_token_exchange(struct dr_ctx *c, const char *ns, const char *ksa, const char *gsa,
			     const char *pool, struct dr_report *r)
{
	struct dr_buf ev = {0};
	char title[1500];
	char *ksa_token = NULL, *fed = NULL;
	if (!c->kube_ok) {
		dr_skip_down(c, "token-exchange", r);
		return;
	}
	if (!(ksa_token = tx_ksa_token(c, ns, ksa, pool, &ev, r)) ||
	    !(fed = tx_federated(c, ns, ksa, pool, ksa_token, &ev, r)))
		goto out;
	if (!gsa || !*gsa) {
		snprintf(title, sizeof(title),
			 "%s/%s gets a federated token (no Google service account to impersonate)",
			 ns, ksa);
		dr_add_buf(r, "token-exchange", DR_PASS, title, &ev, NULL);
		goto out;
	}
	tx_impersonate(c, ns, ksa, gsa, pool, fed, &ev, r);
out:
	free(ksa_token);
	free(fed);
}

/* The Warning events of a pod with the reason (and a message containing needle, when
 * given): their messages appended to msgs. Count, or -1 when events cannot be read. */
static int pod_events(struct dr_ctx *c, const char *ns, const char *pod, const char *reason,
		      const char *needle, struct dr_buf *msgs)
{
	char path[700], ens[300];
	struct dr_resp s;
	if (dr_urlenc(ns, ens, sizeof(ens)))
		return -1;
	if (DR_PATH(&s, path, "/api/v1/namespaces/%s/events?limit=500", ens) == 0)
		dr_kube(c, "GET", path, NULL, &s);
	if (s.status != 200) {
		dr_resp_free(&s);
		return -1;
	}
	int n = 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(s.json, "items"), i, e)
	{
		const char *name = dr_jstr(e, "involvedObject", "name", NULL);
		const char *kind = dr_jstr(e, "involvedObject", "kind", NULL);
		const char *type = dr_jstr(e, "type", NULL);
		const char *rs = dr_jstr(e, "reason", NULL);
		const char *msg = dr_jstr(e, "message", NULL);
		if (!name || strcmp(name, pod) != 0 || (kind && strcmp(kind, "Pod") != 0) || !rs ||
		    strcmp(rs, reason) != 0 || !type || strcmp(type, "Warning") != 0)
			continue;
		if (needle && (!msg || !strstr(msg, needle)))
			continue;
		if (n < 3)
			dr_buf_printf(msgs, "%sWarning %s: %.400s", n ? "; " : "", rs,
				      msg ? msg : "");
		n++;
	}
	dr_resp_free(&s);
	return n;
}

static int has_env(const json_t *pod, const char *name)
{
	size_t i, j;
	json_t *ct, *e;
	const char *lists[2] = {"containers", "initContainers"};
	for (int l = 0; l < 2; l++)
		json_array_foreach(dr_jpath(pod, "spec", lists[l], NULL), i, ct)
		{
			json_array_foreach(json_object_get(ct, "env"), j, e)
			{
				const char *n = dr_jstr(e, "name", NULL);
				if (n && strcmp(n, name) == 0)
					return 1;
			}
		}
	return 0;
}

void dr_check_metadata_dns(struct dr_ctx *c, json_t *pods, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0};
	char title[900];
	size_t i;
	json_t *pod;
	int bad = 0;
	const char *bad_pod = NULL;
	if (skip_pods(c, pods, "metadata-dns", r))
		return;
	json_array_foreach(pods, i, pod)
	{
		const char *ns = dr_jstr(pod, "metadata", "namespace", NULL);
		const char *name = dr_jstr(pod, "metadata", "name", NULL);
		if (!ns || !name)
			continue;
		if (has_env(pod, "GCE_METADATA_HOST")) {
			dr_buf_printf(&ev, "%spod %s/%s: GCE_METADATA_HOST is set", i ? "; " : "",
				      ns, name);
			continue;
		}
		struct dr_buf m = {0};
		int n = pod_events(c, ns, name, "DNSConfigForming", "metadata.google.internal", &m);
		dr_buf_printf(&ev,
			      "%spod %s/%s: GCE_METADATA_HOST unset; GET events: %d Warning "
			      "DNSConfigForming about metadata.google.internal%s%s",
			      i ? "; " : "", ns, name, n < 0 ? 0 : n, n > 0 ? ": " : "",
			      dr_buf_str(&m));
		dr_buf_free(&m);
		if (n > 0) {
			bad++;
			if (!bad_pod)
				bad_pod = name;
		}
	}
	if (bad) {
		snprintf(
			title, sizeof(title),
			"metadata.google.internal does not resolve in pod %s, so client libraries "
			"cannot find the metadata server (ComputeEngineCredentials cannot find the "
			"metadata server)",
			bad_pod);
		dr_buf_printf(&fix, "# set GCE_METADATA_HOST in the pod's containers (Python, "
				    "Java, Node.js and Go client libraries skip DNS then):\n"
				    "    env:\n"
				    "    - name: GCE_METADATA_HOST\n"
				    "      value: \"169.254.169.254\"");
		dr_add_buf(r, "metadata-dns", DR_FAIL, title, &ev, &fix);
	} else {
		dr_add_buf(r, "metadata-dns", DR_PASS,
			   "no DNS problem with metadata.google.internal is reported", &ev, NULL);
	}
}

/* Does the proxy.istio.io/config value hold the application until the proxy starts? */
static int holds(const char *cfg)
{
	const char *p = cfg ? strstr(cfg, "holdApplicationUntilProxyStarts") : NULL;
	if (!p)
		return 0;
	p += strlen("holdApplicationUntilProxyStarts");
	while (*p == '"' || *p == '\'' || *p == ' ' || *p == ':' || *p == '\t')
		p++;
	return strncmp(p, "true", 4) == 0;
}

static int excludes_md(const char *ranges)
{
	char buf[2048];
	if (!ranges || strlen(ranges) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", ranges);
	char *save = NULL;
	for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (strcmp(t, "*") == 0 || netpol_cidr_contains(t, MD_IP) == 1)
			return 1;
		if (strcmp(t, MD_IP) == 0)
			return 1;
	}
	return 0;
}

static int injected(const json_t *pod)
{
	const char *inj = dr_jstr(pod, "metadata", "annotations", "sidecar.istio.io/inject", NULL);
	const char *lab = dr_jstr(pod, "metadata", "labels", "sidecar.istio.io/inject", NULL);
	if (dr_jstr(pod, "metadata", "annotations", "sidecar.istio.io/status", NULL) ||
	    (inj && !strcmp(inj, "true")) || (lab && !strcmp(lab, "true")))
		return 1;
	size_t i, l;
	json_t *ct;
	const char *lists[2] = {"containers", "initContainers"};
	for (l = 0; l < 2; l++)
		json_array_foreach(dr_jpath(pod, "spec", lists[l], NULL), i, ct)
		{
			const char *n = dr_jstr(ct, "name", NULL);
			if (n && strcmp(n, "istio-proxy") == 0)
				return 1;
		}
	return 0;
}

void dr_check_istio(struct dr_ctx *c, json_t *pods, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0};
	char title[900];
	size_t i;
	json_t *pod;
	const char *bad_pod = NULL;
	if (skip_pods(c, pods, "istio", r))
		return;
	json_array_foreach(pods, i, pod)
	{
		const char *ns = dr_jstr(pod, "metadata", "namespace", NULL);
		const char *name = dr_jstr(pod, "metadata", "name", NULL);
		if (!ns || !name)
			continue;
		if (!injected(pod)) {
			dr_buf_printf(&ev, "%spod %s/%s: no istio-proxy sidecar", i ? "; " : "", ns,
				      name);
			continue;
		}
		const char *cfg =
			dr_jstr(pod, "metadata", "annotations", "proxy.istio.io/config", NULL);
		const char *ex = dr_jstr(pod, "metadata", "annotations",
					 "traffic.sidecar.istio.io/excludeOutboundIPRanges", NULL);
		int ok = holds(cfg) || excludes_md(ex);
		struct dr_buf m = {0};
		int n = pod_events(c, ns, name, "ProxyNotReady", NULL, &m);
		dr_buf_printf(&ev,
			      "%spod %s/%s: istio-proxy injected; proxy.istio.io/config = %s; "
			      "traffic.sidecar.istio.io/excludeOutboundIPRanges = %s; %d Warning "
			      "ProxyNotReady event%s%s%s",
			      i ? "; " : "", ns, name, cfg ? cfg : "(none)", ex ? ex : "(none)",
			      n < 0 ? 0 : n, n == 1 ? "" : "s", n > 0 ? ": " : "", dr_buf_str(&m));
		dr_buf_free(&m);
		if (!ok && !bad_pod)
			bad_pod = name;
	}
	if (bad_pod) {
		snprintf(title, sizeof(title),
			 "pod %s has an Istio sidecar and may call the metadata server before "
			 "istio-proxy is ready (Connection refused (169.254.169.254:80))",
			 bad_pod);
		dr_buf_printf(
			&fix,
			"# add one of these to the pod spec's metadata.annotations:\n"
			"proxy.istio.io/config: '{ \"holdApplicationUntilProxyStarts\": true }'\n"
			"traffic.sidecar.istio.io/excludeOutboundIPRanges: 169.254.169.254/32");
		dr_add_buf(r, "istio", DR_FAIL, title, &ev, &fix);
	} else {
		dr_add_buf(r, "istio", DR_PASS,
			   "no Istio sidecar can keep the pod from the metadata server at startup",
			   &ev, NULL);
	}
}

/* Counts the cluster's Kubernetes service accounts (paginated). -1 when unreadable. */
static long count_ksas(struct dr_ctx *c)
{
	char path[1400], cont[1100] = "", econt[1200];
	long n = 0;
	for (int page = 0; page < 200; page++) {
		struct dr_resp s;
		if (cont[0] && dr_urlenc(cont, econt, sizeof(econt)))
			return n;
		if (DR_PATH(&s, path, "/api/v1/serviceaccounts?limit=500%s%s",
			    cont[0] ? "&continue=" : "", cont[0] ? econt : "") == 0)
			dr_kube(c, "GET", path, NULL, &s);
		if (s.status != 200) {
			dr_resp_free(&s);
			return page ? n : -1;
		}
		n += (long)json_array_size(json_object_get(s.json, "items"));
		const char *nx = dr_jstr(s.json, "metadata", "continue", NULL);
		if (!nx || !*nx || strlen(nx) >= sizeof(cont)) {
			dr_resp_free(&s);
			return n;
		}
		snprintf(cont, sizeof(cont), "%s", nx);
		dr_resp_free(&s);
	}
	return n;
}

void dr_check_metadata_server(struct dr_ctx *c, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0}, names = {0};
	char title[1200], brief[800];
	struct dr_resp s;
	if (!c->kube_ok) {
		dr_skip_down(c, "metadata-server", r);
		return;
	}
	dr_kube(c, "GET", "/api/v1/namespaces/kube-system/pods?limit=500", NULL, &s);
	if (s.status != 200) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(&ev, "GET %s: %s", s.url, brief);
		dr_add_buf(r, "metadata-server", DR_SKIP, "the kube-system pods cannot be read",
			   &ev, NULL);
		dr_resp_free(&s);
		return;
	}
	size_t i, j;
	json_t *p, *cs;
	int seen = 0, crash = 0, oom = 0;
	const char *first = NULL;
	dr_buf_printf(&ev, "GET %s:", s.url);
	json_array_foreach(json_object_get(s.json, "items"), i, p)
	{
		const char *name = dr_jstr(p, "metadata", "name", NULL);
		if (!name || strncmp(name, "gke-metadata-server-", 20) != 0)
			continue;
		seen++;
		int pc = 0, po = 0;
		long restarts = 0;
		json_array_foreach(dr_jpath(p, "status", "containerStatuses", NULL), j, cs)
		{
			const char *w = dr_jstr(cs, "state", "waiting", "reason", NULL);
			const char *t = dr_jstr(cs, "lastState", "terminated", "reason", NULL);
			pc |= w && strcmp(w, "CrashLoopBackOff") == 0;
			po |= t && strcmp(t, "OOMKilled") == 0;
			json_t *rc = json_object_get(cs, "restartCount");
			if (json_is_integer(rc))
				restarts += (long)json_integer_value(rc);
		}
		dr_buf_printf(&ev, " %s %s (restarts %ld%s)", name, pc ? "CrashLoopBackOff" : "ok",
			      restarts, po ? ", lastState.terminated.reason OOMKilled" : "");
		if (pc) {
			crash++;
			oom += po;
			if (!first)
				first = name;
			dr_buf_printf(&names, "%s%s", names.len ? ", " : "", name);
		}
	}
	if (!seen)
		dr_buf_printf(&ev, " no gke-metadata-server pods");
	long ksas = count_ksas(c);
	if (ksas >= 0)
		dr_buf_printf(&ev,
			      "; GET %s/api/v1/serviceaccounts: %ld Kubernetes service "
			      "accounts",
			      c->kube_url, ksas);
	if (crash) {
		snprintf(title, sizeof(title), "gke-metadata-server is crash looping (%s)%s%s",
			 dr_buf_str(&names), oom ? ": OOMKilled" : "",
			 ksas > 3000 ? "; the cluster has more than 3,000 Kubernetes service "
				       "accounts"
				     : "");
		dr_buf_printf(&fix,
			      "kubectl get pods -n=kube-system | grep CrashLoopBackOff\n"
			      "kubectl describe pod %s --namespace=kube-system | grep OOMKilled\n"
			      "# to restore the metadata server, keep the cluster's Kubernetes "
			      "service accounts below 3,000 (it has %ld)",
			      first, ksas);
		dr_add_buf(r, "metadata-server", DR_FAIL, title, &ev, &fix);
	} else if (ksas > 3000) {
		snprintf(title, sizeof(title),
			 "the cluster has %ld Kubernetes service accounts (over 3,000): "
			 "gke-metadata-server may run out of memory",
			 ksas);
		dr_buf_printf(&fix, "# reduce the cluster's Kubernetes service accounts below "
				    "3,000");
		dr_add_buf(r, "metadata-server", DR_FAIL, title, &ev, &fix);
	} else {
		dr_add_buf(r, "metadata-server", DR_PASS,
			   seen ? "gke-metadata-server pods are not crash looping"
				: "no crash looping gke-metadata-server pod",
			   &ev, NULL);
	}
	dr_buf_free(&names);
	dr_resp_free(&s);
}

void dr_check_metadata_startup(struct dr_ctx *c, json_t *pods, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0};
	char title[900];
	size_t i;
	json_t *pod;
	const char *bad = NULL, *ksa = NULL;
	if (skip_pods(c, pods, "metadata-startup", r))
		return;
	json_array_foreach(pods, i, pod)
	{
		const char *ns = dr_jstr(pod, "metadata", "namespace", NULL);
		const char *name = dr_jstr(pod, "metadata", "name", NULL);
		if (!ns || !name)
			continue;
		struct dr_buf m = {0};
		int n = pod_events(c, ns, name, "MetadataServerNotReady", NULL, &m);
		dr_buf_printf(&ev, "%spod %s/%s: %d Warning MetadataServerNotReady event%s%s%s",
			      i ? "; " : "", ns, name, n < 0 ? 0 : n, n == 1 ? "" : "s",
			      n > 0 ? ": " : "", dr_buf_str(&m));
		dr_buf_free(&m);
		if (n > 0 && !bad) {
			bad = name;
			ksa = dr_jstr(pod, "spec", "serviceAccountName", NULL);
		}
	}
	if (bad) {
		snprintf(title, sizeof(title),
			 "pod %s asked the GKE metadata server for credentials before it was ready "
			 "for the pod (timeouts in the pod's first seconds)",
			 bad);
		dr_buf_printf(
			&fix,
			"# update the client libraries, retry after a few seconds, or wait for the "
			"metadata server in an initContainer:\n"
			"spec:\n"
			"  serviceAccountName: %s\n"
			"  initContainers:\n"
			"  - image:  gcr.io/google.com/cloudsdktool/cloud-sdk:alpine\n"
			"    name: workload-identity-initcontainer\n"
			"    command:\n"
			"    - '/bin/bash'\n"
			"    - '-c'\n"
			"    - |\n"
			"      curl -sS -H 'Metadata-Flavor: Google' "
			"'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/"
			"default/"
			"token' --retry 30 --retry-connrefused --retry-max-time 60 "
			"--connect-timeout "
			"3 --fail --retry-all-errors > /dev/null && exit 0 || echo 'Retry limit "
			"exceeded. Failed to wait for metadata server to be available. Check if "
			"the "
			"gke-metadata-server Pod in the kube-system namespace is healthy.' >&2; "
			"exit 1",
			ksa ? ksa : "default");
		dr_add_buf(r, "metadata-startup", DR_FAIL, title, &ev, &fix);
	} else {
		dr_add_buf(r, "metadata-startup", DR_PASS,
			   "no pod reports the metadata server not ready at startup", &ev, NULL);
	}
}

void dr_check_service_agent(struct dr_ctx *c, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0};
	char path[700], brief[800], title[900], member[400];
	struct dr_resp s;
	if (DR_PATH(&s, path, "v1/projects/%s", c->project) == 0)
		dr_google(c, "cloudresourcemanager", "GET", path, NULL, NULL, NULL, &s);
	const char *num = dr_jstr(s.json, "projectNumber", NULL);
	char number[64] = "";
	if (s.status != 200 || !num || strlen(num) >= sizeof(number) ||
	    strspn(num, "0123456789") != strlen(num)) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(&ev, "GET %s: %s", s.url, brief);
		dr_add_buf(r, "service-agent", DR_SKIP, "the project cannot be read", &ev, NULL);
		dr_resp_free(&s);
		return;
	}
	snprintf(number, sizeof(number), "%s", num);
	dr_buf_printf(&ev, "GET %s: projectNumber %s", s.url, number);
	dr_resp_free(&s);
	snprintf(member, sizeof(member),
		 "serviceAccount:service-%s@container-engine-robot.iam.gserviceaccount.com",
		 number);
	if (DR_PATH(&s, path, "v1/projects/%s:getIamPolicy", c->project) == 0)
		dr_google(c, "cloudresourcemanager", "POST", path, "application/json",
			  "{\"options\":{\"requestedPolicyVersion\":3}}", NULL, &s);
	if (s.status != 200) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(&ev, "; POST %s: %s", s.url, brief);
		dr_add_buf(r, "service-agent", DR_SKIP, "the project's IAM policy cannot be read",
			   &ev, NULL);
		dr_resp_free(&s);
		return;
	}
	int found = 0;
	size_t i, j;
	json_t *b, *m;
	json_array_foreach(json_object_get(s.json, "bindings"), i, b)
	{
		const char *role = dr_jstr(b, "role", NULL);
		if (!role || strcmp(role, "roles/container.serviceAgent") != 0)
			continue;
		json_array_foreach(json_object_get(b, "members"), j, m)
		{
			const char *v = json_string_value(m);
			found |= v && strcmp(v, member) == 0;
		}
	}
	dr_buf_printf(&ev, "; POST %s: roles/container.serviceAgent %s %s", s.url,
		      found ? "is bound to" : "is not bound to", member);
	dr_resp_free(&s);
	if (found) {
		dr_add_buf(r, "service-agent", DR_PASS,
			   "the Kubernetes Engine service agent has roles/container.serviceAgent",
			   &ev, NULL);
		return;
	}
	snprintf(title, sizeof(title),
		 "the Kubernetes Engine service agent lacks roles/container.serviceAgent on "
		 "project %s: enabling Workload Identity fails with \"DeployPatch failed\"",
		 c->project);
	dr_buf_printf(&fix,
		      "gcloud projects get-iam-policy %s \\\n"
		      "    --flatten=bindings \\\n"
		      "    --filter=bindings.role=roles/container.serviceAgent \\\n"
		      "    --format=\"value[delimiter='\\\\n'](bindings.members)\"\n"
		      "gcloud projects describe %s \\\n"
		      "    --format=\"value(projectNumber)\"\n"
		      "gcloud projects add-iam-policy-binding %s \\\n"
		      "    --member=serviceAccount:service-%s@container-engine-robot.iam."
		      "gserviceaccount.com \\\n"
		      "    --role=roles/container.serviceAgent \\\n"
		      "    --condition=None\n"
		      "# then enable Workload Identity again:\n"
		      "gcloud container clusters update %s --location=%s "
		      "--workload-pool=%s.svc.id.goog",
		      c->project, c->project, c->project, number, c->cluster, c->location,
		      c->project);
	dr_add_buf(r, "service-agent", DR_FAIL, title, &ev, &fix);
}
