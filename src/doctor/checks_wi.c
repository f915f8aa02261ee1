/*
 * checks_wi.c - `gkeid doctor workload-identity`: the seed's six checks for "the pod
 * cannot authenticate to Google Cloud" (IAM Credentials API, workload pool, node pool
 * metadata mode, KSA annotation, workloadIdentityUser binding, NetworkPolicy egress to
 * the metadata server), then the further checks of checks_more.c, in the contract's
 * order. Each reads public APIs only and records what it read as evidence.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "doctor/doctor.h"

#define ANN_GSA "iam.gke.io/gcp-service-account"
#define POOL_LABEL "cloud.google.com/gke-nodepool"

/* 1: services/iamcredentials.googleapis.com is ENABLED */
static int check_iamcredentials(struct dr_ctx *c, struct dr_report *r)
{
	char path[600], brief[800], title[600];
	struct dr_buf ev = {0}, fix = {0};
	struct dr_resp s;
	if (DR_PATH(&s, path, "v1/projects/%s/services/iamcredentials.googleapis.com",
		    c->project) == 0)
		dr_google(c, "serviceusage", "GET", path, NULL, NULL, NULL, &s);
	if (!s.status) {
		dr_buf_printf(&ev, "GET %s: %s", s.url, s.err);
		dr_add_buf(r, "iamcredentials-api", DR_SKIP, "the Service Usage API did not answer",
			   &ev, NULL);
		dr_resp_free(&s);
		return -EIO;
	}
	const char *state = dr_jstr(s.json, "state", NULL);
	if (s.status == 200 && state && strcmp(state, "ENABLED") == 0) {
		dr_buf_printf(&ev, "GET %s: state ENABLED", s.url);
		snprintf(title, sizeof(title),
			 "the IAM Service Account Credentials API is enabled in project %s",
			 c->project);
		dr_add_buf(r, "iamcredentials-api", DR_PASS, title, &ev, NULL);
	} else {
		if (s.status == 200)
			dr_buf_printf(&ev, "GET %s: state %s", s.url, state ? state : "(none)");
		else {
			dr_resp_brief(&s, brief, sizeof(brief));
			dr_buf_printf(&ev, "GET %s: %s", s.url, brief);
		}
		snprintf(title, sizeof(title),
			 "the IAM Service Account Credentials API is not enabled in project %s",
			 c->project);
		dr_buf_printf(&fix,
			      "gcloud services enable iamcredentials.googleapis.com --project=%s",
			      c->project);
		dr_add_buf(r, "iamcredentials-api", DR_FAIL, title, &ev, &fix);
	}
	dr_resp_free(&s);
	return 0;
}

/* 2: workloadIdentityConfig.workloadPool */
static void check_pool(struct dr_ctx *c, const char *pool, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0};
	char title[700];
	dr_buf_printf(&ev, "GET %s: workloadIdentityConfig.workloadPool = %s", c->cluster_url,
		      pool ? pool : "(unset)");
	if (pool && *pool) {
		snprintf(title, sizeof(title),
			 "Workload Identity is enabled on cluster %s (workload pool %s)",
			 c->cluster, pool);
		dr_add_buf(r, "workload-pool", DR_PASS, title, &ev, NULL);
	} else {
		snprintf(title, sizeof(title),
			 "Workload Identity is not enabled on cluster %s: no workload pool",
			 c->cluster);
		dr_buf_printf(&fix,
			      "gcloud container clusters update %s --location=%s "
			      "--workload-pool=%s.svc.id.goog",
			      c->cluster, c->location, c->project);
		dr_add_buf(r, "workload-pool", DR_FAIL, title, &ev, &fix);
	}
}

/* 3: the pool(s) run the GKE metadata server */
static void check_node_pools(struct dr_ctx *c, const json_t *pod, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0}, bad = {0};
	char want_pool[300] = "", brief[800], title[900];
	const char *node = pod ? dr_jstr(pod, "spec", "nodeName", NULL) : NULL;
	if (node && *node && c->kube_ok) {
		char enc[600], path[700];
		struct dr_resp s;
		if (dr_urlenc(node, enc, sizeof(enc)) == 0) {
			if (DR_PATH(&s, path, "/api/v1/nodes/%s", enc) == 0)
				dr_kube(c, "GET", path, NULL, &s);
			const char *p = dr_jstr(s.json, "metadata", "labels", POOL_LABEL, NULL);
			if (s.status == 200 && p) {
				snprintf(want_pool, sizeof(want_pool), "%s", p);
				dr_buf_printf(&ev, "GET %s: label %s = %s; ", s.url, POOL_LABEL, p);
			} else if (s.status == 200) {
				dr_buf_printf(&ev, "GET %s: no label %s, every pool checked; ",
					      s.url, POOL_LABEL);
			} else {
				dr_resp_brief(&s, brief, sizeof(brief));
				dr_buf_printf(&ev, "GET %s: %s, every pool checked; ", s.url,
					      brief);
			}
			dr_resp_free(&s);
		}
	} else if (node && *node) {
		dr_buf_printf(&ev,
			      "the pod's node %s cannot be read (control plane down); "
			      "every pool checked; ",
			      node);
	}
	const json_t *pools = json_object_get(c->cl, "nodePools");
	size_t i, seen = 0, nbad = 0;
	json_t *np;
	dr_buf_printf(&ev, "GET %s: ", c->cluster_url);
	json_array_foreach(pools, i, np)
	{
		const char *name = dr_jstr(np, "name", NULL);
		const char *mode = dr_jstr(np, "config", "workloadMetadataConfig", "mode", NULL);
		if (!name || (want_pool[0] && strcmp(name, want_pool) != 0))
			continue;
		dr_buf_printf(&ev, "%snodePools[%s].config.workloadMetadataConfig.mode = %s",
			      seen ? ", " : "", name, mode ? mode : "(unset)");
		seen++;
		if (!mode || strcmp(mode, "GKE_METADATA") != 0) {
			if (nbad)
				dr_buf_printf(&fix, "\n");
			dr_buf_printf(&fix,
				      "gcloud container node-pools update %s --cluster=%s "
				      "--location=%s --workload-metadata=GKE_METADATA",
				      name, c->cluster, c->location);
			dr_buf_printf(&bad, "%s%s", nbad ? ", " : "", name);
			nbad++;
		}
	}
	if (!seen) {
		dr_buf_printf(&ev, "no node pool%s%s", want_pool[0] ? " named " : "", want_pool);
		snprintf(title, sizeof(title), "no node pool to check");
		dr_add_buf(r, "node-pool-metadata", want_pool[0] ? DR_FAIL : DR_SKIP, title, &ev,
			   NULL);
		dr_buf_free(&fix);
	} else if (nbad) {
		snprintf(title, sizeof(title),
			 "node pool %s does not run the GKE metadata server (mode is not "
			 "GKE_METADATA)",
			 dr_buf_str(&bad));
		dr_add_buf(r, "node-pool-metadata", DR_FAIL, title, &ev, &fix);
	} else {
		snprintf(title, sizeof(title),
			 "the %s run%s the GKE metadata server (GKE_METADATA)",
			 want_pool[0] ? "pod's node pool" : "node pools", want_pool[0] ? "s" : "");
		dr_add_buf(r, "node-pool-metadata", DR_PASS, title, &ev, NULL);
		dr_buf_free(&fix);
	}
	dr_buf_free(&bad);
}

/* NAME@PROJECT.iam.gserviceaccount.com (or the legacy developer/appspot domains) */
static int gsa_well_formed(const char *s, char *project, size_t plen)
{
	const char *at = strchr(s, '@');
	static const char iam[] = ".iam.gserviceaccount.com";
	if (!at || at == s || at - s > 63 || strchr(at + 1, '@'))
		return 0;
	for (const char *p = s; p < at; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return 0;
	const char *dom = at + 1;
	size_t n = strlen(dom);
	project[0] = '\0';
	if (n > sizeof(iam) - 1 && strcmp(dom + n - (sizeof(iam) - 1), iam) == 0) {
		size_t pl = n - (sizeof(iam) - 1);
		if (pl >= plen || pl < 1)
			return 0;
		for (size_t i = 0; i < pl; i++)
			if (!islower((unsigned char)dom[i]) && !isdigit((unsigned char)dom[i]) &&
			    dom[i] != '-' && dom[i] != '.')
				return 0;
		memcpy(project, dom, pl);
		project[pl] = '\0';
		return 1;
	}
	return strcmp(dom, "developer.gserviceaccount.com") == 0 ||
	       strcmp(dom, "appspot.gserviceaccount.com") == 0;
}

/* 4a: the KSA's annotation into annotation (and its project into gproj): 0 when it names
 * a well-formed GSA, else -1 with the check added. */
static int annotation_of(struct dr_ctx *c, const char *ns, const char *ksa, struct dr_report *r,
			 struct dr_buf *ev, char *annotation, size_t alen, char *gproj,
			 size_t gplen)
{
	struct dr_buf fix = {0};
	char path[800], ens[300], eksa[300], brief[800], title[1200];
	struct dr_resp s;
	int rc = -1;
	if (dr_urlenc(ns, ens, sizeof(ens)) || dr_urlenc(ksa, eksa, sizeof(eksa)) ||
	    SFMT(path, "/api/v1/namespaces/%s/serviceaccounts/%s", ens, eksa))
		return -1;
	dr_kube(c, "GET", path, NULL, &s);
	if (s.status != 200) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(ev, "GET %s: %s", s.url, brief);
		snprintf(title, sizeof(title), "Kubernetes service account %s/%s %s", ns, ksa,
			 s.status == 404 ? "does not exist" : "cannot be read");
		if (s.status == 404)
			dr_buf_printf(&fix, "kubectl create serviceaccount %s --namespace %s", ksa,
				      ns);
		dr_add_buf(r, "ksa-annotation", s.status == 404 ? DR_FAIL : DR_SKIP, title, ev,
			   s.status == 404 ? &fix : NULL);
		goto out;
	}
	const char *ann = dr_jstr(s.json, "metadata", "annotations", ANN_GSA, NULL);
	dr_buf_printf(ev, "GET %s: annotation %s = %s", s.url, ANN_GSA, ann ? ann : "(none)");
	if (!ann || !*ann) {
		snprintf(title, sizeof(title),
			 "Kubernetes service account %s/%s has no %s annotation, so its pods get "
			 "the federated identity %s.svc.id.goog[%s/%s], not a Google service "
			 "account",
			 ns, ksa, ANN_GSA, c->project, ns, ksa);
		dr_buf_printf(&fix,
			      "kubectl annotate serviceaccount %s --namespace %s "
			      "%s=GSA_NAME@%s.iam.gserviceaccount.com",
			      ksa, ns, ANN_GSA, c->project);
		dr_add_buf(r, "ksa-annotation", DR_FAIL, title, ev, &fix);
		goto out;
	}
	if (strlen(ann) >= alen || !gsa_well_formed(ann, gproj, gplen)) {
		snprintf(title, sizeof(title),
			 "the %s annotation of %s/%s is not a Google service account email "
			 "(GSA_NAME@PROJECT_ID.iam.gserviceaccount.com): \"%.300s\"",
			 ANN_GSA, ns, ksa, ann);
		dr_buf_printf(&fix,
			      "kubectl annotate serviceaccount %s --namespace %s --overwrite "
			      "%s=GSA_NAME@%s.iam.gserviceaccount.com",
			      ksa, ns, ANN_GSA, c->project);
		dr_add_buf(r, "ksa-annotation", DR_FAIL, title, ev, &fix);
		goto out;
	}
	snprintf(annotation, alen, "%s", ann);
	rc = 0;
out:
	dr_buf_free(&fix);
	dr_resp_free(&s);
	return rc;
}

/* 4b: the GSA the annotation names, read from the IAM API. Sets gsa when usable. */
static void annotated_gsa(struct dr_ctx *c, const char *ns, const char *ksa, const char *annotation,
			  const char *gproj, struct dr_report *r, struct dr_buf *ev, char *gsa,
			  size_t gsalen)
{
	struct dr_buf fix = {0};
	char path[800], egsa[600], brief[800], title[1200];
	struct dr_resp s;
	if (dr_urlenc(annotation, egsa, sizeof(egsa)) ||
	    SFMT(path, "v1/projects/-/serviceAccounts/%s", egsa))
		return;
	dr_google(c, "iam", "GET", path, NULL, NULL, NULL, &s);
	if (s.status == 200 && json_is_true(json_object_get(s.json, "disabled"))) {
		dr_buf_printf(ev, "; GET %s: disabled", s.url);
		snprintf(title, sizeof(title), "Google service account %s is disabled", annotation);
		dr_buf_printf(&fix, "gcloud iam service-accounts enable %s", annotation);
		dr_add_buf(r, "ksa-annotation", DR_FAIL, title, ev, &fix);
	} else if (s.status == 200) {
		dr_buf_printf(ev, "; GET %s: 200, it exists", s.url);
		snprintf(title, sizeof(title),
			 "%s/%s is annotated with Google service account %s, which exists", ns, ksa,
			 annotation);
		dr_add_buf(r, "ksa-annotation", DR_PASS, title, ev, NULL);
		snprintf(gsa, gsalen, "%s", annotation);
	} else {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(ev, "; GET %s: %s", s.url, brief);
		if (s.status == 404 || s.status == 403) {
			char name[100];
			snprintf(name, sizeof(name), "%.*s",
				 (int)(strchr(annotation, '@') - annotation), annotation);
			snprintf(title, sizeof(title),
				 "%s/%s is annotated with Google service account %s, which %s", ns,
				 ksa, annotation,
				 s.status == 404 ? "does not exist"
						 : "may not exist (IAM refuses to read it: 403)");
			dr_buf_printf(
				&fix,
				"kubectl annotate serviceaccount %s --namespace %s --overwrite "
				"%s=GSA_NAME@%s.iam.gserviceaccount.com\n"
				"# or create the Google service account it names:\n"
				"gcloud iam service-accounts create %s --project=%s",
				ksa, ns, ANN_GSA, c->project, name, gproj[0] ? gproj : c->project);
			dr_add_buf(r, "ksa-annotation", DR_FAIL, title, ev, &fix);
		} else {
			snprintf(title, sizeof(title), "Google service account %s cannot be read",
				 annotation);
			dr_add_buf(r, "ksa-annotation", DR_SKIP, title, ev, NULL);
			snprintf(gsa, gsalen, "%s", annotation);
		}
	}
	dr_buf_free(&fix);
	dr_resp_free(&s);
}

/* 4: the KSA's annotation, and the GSA it names. Sets gsa (or "") when usable. */
static void check_annotation(struct dr_ctx *c, const char *ns, const char *ksa, struct dr_report *r,
			     char *gsa, size_t gsalen)
{
	struct dr_buf ev = {0};
	char annotation[400], gproj[300];
	gsa[0] = '\0';
	if (!c->kube_ok) {
		dr_skip_down(c, "ksa-annotation", r);
		return;
	}
	size_t alen = sizeof(annotation) < gsalen ? sizeof(annotation) : gsalen;
	if (annotation_of(c, ns, ksa, r, &ev, annotation, alen, gproj, sizeof(gproj)) == 0)
		annotated_gsa(c, ns, ksa, annotation, gproj, r, &ev, gsa, gsalen);
	dr_buf_free(&ev);
}

static int policy_has(const json_t *policy, const char *role, const char *member)
{
	size_t i, j;
	json_t *b, *m;
	json_array_foreach(json_object_get(policy, "bindings"), i, b)
	{
		const char *rl = dr_jstr(b, "role", NULL);
		if (!rl || strcmp(rl, role) != 0 || json_object_get(b, "condition"))
			continue;
		json_array_foreach(json_object_get(b, "members"), j, m)
		{
			const char *s = json_string_value(m);
			if (s && strcmp(s, member) == 0)
				return 1;
		}
	}
	return 0;
}

/* 5: roles/iam.workloadIdentityUser for serviceAccount:POOL[NS/KSA] on the GSA */
static void check_binding(struct dr_ctx *c, const char *ns, const char *ksa, const char *gsa,
			  const char *pool, struct dr_report *r)
{
	struct dr_buf ev = {0}, fix = {0};
	char path[900], egsa[600], member[900], brief[800], title[1500];
	struct dr_resp s;
	if (!gsa || !*gsa) {
		dr_buf_printf(&ev, "no usable %s annotation (see ksa-annotation)", ANN_GSA);
		dr_add_buf(r, "gsa-binding", DR_SKIP, "skipped: no Google service account to check",
			   &ev, NULL);
		return;
	}
	if (SFMT(member, "serviceAccount:%s[%s/%s]", pool, ns, ksa) ||
	    dr_urlenc(gsa, egsa, sizeof(egsa)))
		return;
	if (DR_PATH(&s, path, "v1/projects/-/serviceAccounts/%s:getIamPolicy", egsa) == 0)
		dr_google(c, "iam", "POST", path, "application/json",
			  "{\"options\":{\"requestedPolicyVersion\":3}}", NULL, &s);
	if (s.status != 200) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(&ev, "POST %s: %s", s.url, brief);
		snprintf(title, sizeof(title), "the IAM policy of %s cannot be read", gsa);
		dr_add_buf(r, "gsa-binding", DR_SKIP, title, &ev, NULL);
		dr_resp_free(&s);
		return;
	}
	int found = policy_has(s.json, "roles/iam.workloadIdentityUser", member);
	dr_buf_printf(&ev, "POST %s: %s roles/iam.workloadIdentityUser binding for %s", s.url,
		      found ? "a" : "no", member);
	dr_resp_free(&s);
	if (!found) {
		/* granted on the whole project instead? (it applies to every GSA in it) */
		char gproj[300] = "";
		const char *at = strchr(gsa, '@');
		const char *dot = at ? strstr(at, ".iam.gserviceaccount.com") : NULL;
		if (at && dot && (size_t)(dot - at - 1) < sizeof(gproj)) {
			snprintf(gproj, sizeof(gproj), "%.*s", (int)(dot - at - 1), at + 1);
			if (DR_PATH(&s, path, "v1/projects/%s:getIamPolicy", gproj) == 0)
				dr_google(c, "cloudresourcemanager", "POST", path,
					  "application/json",
					  "{\"options\":{\"requestedPolicyVersion\":3}}", NULL, &s);
			if (s.status == 200 &&
			    policy_has(s.json, "roles/iam.workloadIdentityUser", member)) {
				found = 1;
				dr_buf_printf(&ev, "; POST %s: granted on project %s", s.url,
					      gproj);
			}
			dr_resp_free(&s);
		}
	}
	if (found) {
		snprintf(title, sizeof(title),
			 "%s may impersonate %s (roles/iam.workloadIdentityUser)", member, gsa);
		dr_add_buf(r, "gsa-binding", DR_PASS, title, &ev, NULL);
	} else {
		snprintf(title, sizeof(title),
			 "Google service account %s lacks roles/iam.workloadIdentityUser for %s",
			 gsa, member);
		dr_buf_printf(&fix,
			      "gcloud iam service-accounts add-iam-policy-binding %s "
			      "--role=roles/iam.workloadIdentityUser --member=\"%s\"",
			      gsa, member);
		dr_add_buf(r, "gsa-binding", DR_FAIL, title, &ev, &fix);
	}
}

/* The pods (or, with none, a pod with no labels) whose egress to d the policies deny:
 * how many, the first's name, and the first policy that selects one of them. */
static size_t netpol_denied(const json_t *items, const char *ns, const json_t *pods,
			    const struct netpol_dest *d, struct dr_buf *ev, const char **denied_pod,
			    char *first_policy, size_t fplen)
{
	char why[1400];
	size_t i, denied = 0, n = json_array_size(pods);
	json_t *empty = json_object();
	if (!empty)
		return (size_t)-1;
	for (i = 0; i < (n ? n : 1); i++) {
		json_t *pod = n ? json_array_get(pods, i) : NULL;
		const json_t *labels = pod ? dr_jpath(pod, "metadata", "labels", NULL) : NULL;
		const char *pname = pod ? dr_jstr(pod, "metadata", "name", NULL) : NULL;
		int ok = netpol_egress_allowed(items, ns, labels ? labels : empty, d, why,
					       sizeof(why));
		dr_buf_printf(ev, "; %s%s: %s", pod ? "pod " : "a pod with no labels",
			      pname ? pname : "", why);
		if (ok)
			continue;
		denied++;
		if (!*denied_pod)
			*denied_pod = pname ? pname : "(a pod with no labels)";
		size_t j;
		json_t *pol;
		json_array_foreach(items, j, pol)
		{
			const char *pn = dr_jstr(pol, "metadata", "name", NULL);
			if (!first_policy[0] && pn &&
			    netpol_applies_egress(pol, ns, labels ? labels : empty) == 1)
				snprintf(first_policy, fplen, "%s", pn);
		}
	}
	json_decref(empty);
	return denied;
}

/* The network-policy check's verdict: a pass, or the fail with the NetworkPolicy that
 * lets the namespace's pods reach the metadata server. */
static void netpol_report(const char *ns, const char *ip, int port, size_t denied,
			  const char *denied_pod, const char *first_policy, struct dr_buf *ev,
			  struct dr_report *r)
{
	struct dr_buf fix = {0};
	char title[900];
	if (!denied) {
		snprintf(title, sizeof(title),
			 "egress to the GKE metadata server (%s:%d/TCP) is allowed", ip, port);
		dr_add_buf(r, "network-policy", DR_PASS, title, ev, NULL);
		return;
	}
	if (first_policy[0])
		dr_buf_printf(ev, " (see: kubectl describe networkpolicy %s --namespace %s)",
			      first_policy, ns);
	snprintf(title, sizeof(title),
		 "a NetworkPolicy denies egress from %s to the GKE metadata server "
		 "(%s:%d/TCP)",
		 denied_pod, ip, port);
	dr_buf_printf(&fix,
		      "kubectl apply -f - <<EOF\n"
		      "apiVersion: networking.k8s.io/v1\n"
		      "kind: NetworkPolicy\n"
		      "metadata:\n"
		      "  name: allow-gke-metadata-server\n"
		      "  namespace: %s\n"
		      "spec:\n"
		      "  podSelector: {}\n"
		      "  policyTypes:\n"
		      "  - Egress\n"
		      "  egress:\n"
		      "  - to:\n"
		      "    - ipBlock:\n"
		      "        cidr: %s/32\n"
		      "    ports:\n"
		      "    - protocol: TCP\n"
		      "      port: %d\n"
		      "EOF",
		      ns, ip, port);
	dr_add_buf(r, "network-policy", DR_FAIL, title, ev, &fix);
}

/* 6: NetworkPolicy egress to the metadata server */
static void check_netpol(struct dr_ctx *c, const char *ns, json_t *pods, struct dr_report *r)
{
	struct dr_buf ev = {0};
	char path[600], ens[300], brief[800];
	const char *ip;
	int port;
	const char *version = dr_jstr(c->cl, "currentMasterVersion", NULL);
	const char *dp = dr_jstr(c->cl, "networkConfig", "datapathProvider", NULL);
	netpol_metadata_target(version, dp, &ip, &port);
	if (!c->kube_ok) {
		dr_skip_down(c, "network-policy", r);
		return;
	}
	if (dr_urlenc(ns, ens, sizeof(ens)) ||
	    SFMT(path, "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies", ens))
		return;
	struct dr_resp s;
	dr_kube(c, "GET", path, NULL, &s);
	dr_buf_printf(&ev,
		      "cluster version %s, datapath %s: pods reach the metadata server at "
		      "%s:%d; ",
		      version ? version : "?", dp ? dp : "LEGACY_DATAPATH", ip, port);
	if (s.status != 200) {
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(&ev, "GET %s: %s", s.url, brief);
		dr_add_buf(r, "network-policy", DR_SKIP, "the NetworkPolicies cannot be read", &ev,
			   NULL);
		dr_resp_free(&s);
		return;
	}
	json_t *items = json_object_get(s.json, "items");
	dr_buf_printf(&ev, "GET %s: %zu NetworkPolic%s", s.url, json_array_size(items),
		      json_array_size(items) == 1 ? "y" : "ies");
	struct netpol_dest d = {.ip = ip, .port = port, .protocol = "TCP"};
	const char *denied_pod = NULL;
	char first_policy[300] = "";
	size_t denied = netpol_denied(items, ns, pods, &d, &ev, &denied_pod, first_policy,
				      sizeof(first_policy));
	if (denied == (size_t)-1)
		dr_buf_free(&ev);
	else
		netpol_report(ns, ip, port, denied, denied_pod, first_policy, &ev, r);
	dr_resp_free(&s);
}

/* The pods examined: the one named, else the KSA's pods in the namespace. New ref. */
static json_t *pods_of(struct dr_ctx *c, const char *ns, const char *ksa)
{
	char path[600], ens[300];
	json_t *out = json_array();
	struct dr_resp s;
	if (!out || !c->kube_ok || dr_urlenc(ns, ens, sizeof(ens)))
		return out;
	if (DR_PATH(&s, path, "/api/v1/namespaces/%s/pods?limit=500", ens) == 0)
		dr_kube(c, "GET", path, NULL, &s);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(s.json, "items"), i, p)
	{
		const char *sa = dr_jstr(p, "spec", "serviceAccountName", NULL);
		if (strcmp(sa ? sa : "default", ksa) == 0)
			json_array_append(out, p);
	}
	dr_resp_free(&s);
	return out;
}

int dr_run_workload_identity(struct dr_ctx *c, struct dr_wi_opts *o, struct dr_report *r, char *err,
			     size_t errlen)
{
	char ksa[300], gsa[400], pool[300], ens[300], epod[300], path[700], brief[800];
	json_t *pods = NULL, *pod = NULL;
	snprintf(ksa, sizeof(ksa), "%s", o->ksa ? o->ksa : "");
	if (o->pod) {
		struct dr_resp s;
		if (!c->kube_ok) {
			/* cannot resolve the pod's KSA; the Google-side checks still run */
		} else if (dr_urlenc(o->ns, ens, sizeof(ens)) == 0 &&
			   dr_urlenc(o->pod, epod, sizeof(epod)) == 0) {
			if (DR_PATH(&s, path, "/api/v1/namespaces/%s/pods/%s", ens, epod) == 0)
				dr_kube(c, "GET", path, NULL, &s);
			if (s.status != 200) {
				dr_resp_brief(&s, brief, sizeof(brief));
				snprintf(err, errlen, "GET %s: %s", s.url, brief);
				dr_resp_free(&s);
				return -ENOENT;
			}
			pod = json_incref(s.json);
			dr_resp_free(&s);
			const char *sa = dr_jstr(pod, "spec", "serviceAccountName", NULL);
			if (SFMT(ksa, "%s", sa && *sa ? sa : "default")) {
				snprintf(err, errlen, "the pod's service account name is too long");
				json_decref(pod);
				return -ENAMETOOLONG;
			}
		}
	}
	if (check_iamcredentials(c, r) != 0) {
		snprintf(err, errlen, "the Google APIs do not answer: %s",
			 r->n ? r->v[r->n - 1].evidence : "");
		json_decref(pod);
		return -EIO;
	}
	const char *wp = dr_jstr(c->cl, "workloadIdentityConfig", "workloadPool", NULL);
	check_pool(c, wp, r);
	if (wp && *wp ? SFMT(pool, "%s", wp) : SFMT(pool, "%s.svc.id.goog", c->project)) {
		snprintf(err, errlen,
			 "the workload pool \"%.100s...\" is too long (at most %zu bytes)",
			 wp && *wp ? wp : c->project, sizeof(pool) - 1);
		json_decref(pod);
		return -ENAMETOOLONG;
	}
	check_node_pools(c, pod, r);
	if (!ksa[0]) {
		/* --pod with the control plane down: nothing to name */
		struct dr_buf e1 = {0}, e2 = {0};
		dr_buf_printf(&e1, "pod %s/%s: the Kubernetes API is unreachable: %s", o->ns,
			      o->pod, c->kube_err);
		dr_buf_printf(&e2, "%s", dr_buf_str(&e1));
		dr_add_buf(r, "ksa-annotation", DR_SKIP, "skipped: the pod cannot be read", &e1,
			   NULL);
		dr_add_buf(r, "gsa-binding", DR_SKIP, "skipped: the pod cannot be read", &e2, NULL);
		gsa[0] = '\0';
	} else {
		check_annotation(c, o->ns, ksa, r, gsa, sizeof(gsa));
		check_binding(c, o->ns, ksa, gsa, pool, r);
	}
	if (pod) {
		pods = json_array();
		if (pods)
			json_array_append(pods, pod);
	} else if (ksa[0]) {
		pods = pods_of(c, o->ns, ksa);
	}
	if (!pods)
		pods = json_array();
	check_netpol(c, o->ns, pods, r);
	dr_check_control_plane(c, r);
	if (ksa[0])
		dr_check_token_exchange(c, o->ns, ksa, gsa, pool, r);
	else
		dr_check_token_exchange(c, o->ns, "", "", pool, r); /* skips: control plane down */
	dr_check_metadata_dns(c, pods, r);
	dr_check_istio(c, pods, r);
	dr_check_metadata_server(c, r);
	dr_check_metadata_startup(c, pods, r);
	dr_check_service_agent(c, r);
	json_decref(pods);
	json_decref(pod);
	return 0;
}
