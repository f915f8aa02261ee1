/*
 * doctor.h - `gkeid doctor`: the GKE authentication troubleshooting guide as checks.
 * The doctor speaks only public Google and Kubernetes APIs (libcurl), so the same checks
 * run against gkeid and against real GKE. This header is the contract between the
 * runner (doctor.c), the API client (gapi.c), the checks (checks_wi.c, checks_more.c,
 * rbac_explain.c); the NetworkPolicy evaluator they use is kube/netpol.h.
 *
 * Ownership: every string a struct here holds is malloc'ed and owned by the struct;
 * *_free releases it. json_t results handed out are new references the caller decrefs.
 */
#ifndef GKEID_DOCTOR_H
#define GKEID_DOCTOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "kube/netpol.h"

/* ---- growable strings, capped (curl's dynbuf) ------------------------------------- */
#define DR_BUF_CAP (256u << 10)
struct dr_buf {
	char *p; /* NUL-terminated, or NULL while empty */
	size_t len, cap;
	int oom; /* set when an append failed or hit DR_BUF_CAP; the text is then truncated */
};
void dr_buf_printf(struct dr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *dr_buf_str(const struct dr_buf *b); /* "" while empty */
void dr_buf_free(struct dr_buf *b);

/* ---- the report --------------------------------------------------------------------- */
enum dr_status { DR_PASS, DR_FAIL, DR_SKIP };
struct dr_check {
	char id[40];
	enum dr_status status;
	char *title, *evidence, *fix; /* fix may be NULL */
};
struct dr_report {
	struct dr_check *v;
	size_t n, cap;
};
/* Appends a check (copies the strings). 0 or -ENOMEM. */
int dr_add(struct dr_report *r, const char *id, enum dr_status st, const char *title,
	   const char *evidence, const char *fix);
/* dr_add with the evidence and the fix (fix may be NULL) taken from dr_bufs, which it
 * then frees. */
void dr_add_buf(struct dr_report *r, const char *id, enum dr_status st, const char *title,
		struct dr_buf *ev, struct dr_buf *fix);
struct dr_ctx;
/* Adds check id as DR_SKIP because the control plane does not answer (ctx->kube_err). */
void dr_skip_down(const struct dr_ctx *c, const char *id, struct dr_report *r);
const struct dr_check *dr_find(const struct dr_report *r, const char *id);
void dr_report_free(struct dr_report *r);
/* Writes the report; text: one block per check; json: {"checks":[...],"failed":N}. */
void dr_print(const struct dr_report *r, int json, FILE *out);
int dr_failed(const struct dr_report *r);
/* Walks objects by keys (NULL-terminated): dr_jpath(pod, "spec", "nodeName", NULL).
 * Borrowed reference or NULL. dr_jstr: the string there, or NULL. */
json_t *dr_jpath(const json_t *j, ...) __attribute__((sentinel));
const char *dr_jstr(const json_t *j, ...) __attribute__((sentinel));

/* ---- the API client (gapi.c) ------------------------------------------------------- */
#define DR_NAME_MAX 256
struct dr_ctx {
	char project[DR_NAME_MAX], location[DR_NAME_MAX], cluster[DR_NAME_MAX];
	char cloud_url[1024]; /* GKEID_CLOUD_URL, or "" for the real googleapis.com hosts */
	char *token;	      /* the Google access token (bearer), owned */
	/* the cluster, from clusters.get (owned JSON) and derived values */
	json_t *cl;
	char cluster_url[1200]; /* where clusters.get read it */
	char kube_url[600];	/* https://ENDPOINT */
	char *kube_ca;		/* PEM, owned */
	int kube_ok;		/* the control plane answered */
	char kube_err[512]; /* why not, Go style ("dial tcp H:P: connect: connection refused") */
	long timeout_s;
	char token_src[160];	/* where the token came from, for messages */
	int token_from_gcloud;	/* it is gcloud's active account's */
	long cluster_status;	/* clusters.get's HTTP status (0: no answer) */
	char cluster_perm[160]; /* the permission its 403 names, or "" */
};

/* One HTTP answer. body is NUL-terminated; json is the parsed body when it was JSON. */
struct dr_resp {
	long status; /* 0: no answer, see err */
	char *body;
	size_t len;
	json_t *json;
	char err[512];
	char url[1200];
};
void dr_resp_free(struct dr_resp *r);
/* Builds a request's path into buf of size n (core/dbuf.h's sfmt): 0, or, when it does not
 * fit, -ENAMETOOLONG with out made the answer of a request never sent (status 0, err says
 * the path is too long, url shows its start), so that a check reports it as it reports an
 * API that does not answer. */
int dr_path(struct dr_resp *out, char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define DR_PATH(out, arr, ...) dr_path((out), (arr), sizeof(arr), __VA_ARGS__)

/* Google APIs by service name ("container", "iam", "serviceusage", "cloudresourcemanager",
 * "sts", "iamcredentials"): the URL is BASE/SERVICE/PATH under GKEID_CLOUD_URL, else
 * https://SERVICE.googleapis.com/PATH. body (JSON or form, ctype says) may be NULL.
 * bearer NULL uses ctx->token. 0 when an answer came (any status), else -EIO. */
int dr_google(struct dr_ctx *c, const char *service, const char *method, const char *path,
	      const char *ctype, const char *body, const char *bearer, struct dr_resp *out);
/* The cluster's Kubernetes API with the Google token (what gke-gcloud-auth-plugin does). */
int dr_kube(struct dr_ctx *c, const char *method, const char *path, const json_t *body,
	    struct dr_resp *out);
/* Fills project/location/cluster (flags first, then the kubeconfig's current context
 * gke_P_L_C, then gcloud properties), the base URL and the token. 0, or -errno with a
 * message in err. */
int dr_ctx_init(struct dr_ctx *c, const char *token_file, char *err, size_t errlen);
/* clusters.get, then the Kubernetes endpoint and CA, then a probe of the control plane
 * (sets kube_ok / kube_err). 0 when the Container API answered 200, else -EIO + err. */
int dr_ctx_cluster(struct dr_ctx *c, char *err, size_t errlen);
void dr_ctx_free(struct dr_ctx *c);
/* The current-context of the first kubeconfig file ($KUBECONFIG, else ~/.kube/config) that
 * has one, and that file's path when plen > 0; "" when none. */
void dr_kube_context(char *out, size_t len, char *path, size_t plen);
/* Runs a fixed command line and reads the first line of its output. 0, or -errno. */
int dr_run_line(const char *cmd, char *out, size_t len);

/* ---- who is asking (identity.c) ------------------------------------------------------ */
/* The email tokeninfo gives for an access token. 0, or -errno with out "". */
int dr_token_email(struct dr_ctx *c, const char *token, char *out, size_t len);
/* Check kubectl-account: does kubectl act as gcloud's active account, or does
 * gke-gcloud-auth-plugin's cached token (gke_gcloud_auth_plugin_cache beside the
 * kubeconfig) still belong to another one? */
void dr_check_kubectl_account(struct dr_ctx *c, struct dr_report *r);
/* After clusters.get was refused (401/403): which account the doctor ran as, what it
 * lacks, and a kubectl-account mismatch if there is one, as lines on out. */
void dr_explain_refusal(struct dr_ctx *c, FILE *out);
/* Percent-encodes s for a URL path or query into out. 0 or -E2BIG. */
int dr_urlenc(const char *s, char *out, size_t len);
/* Short description of an answer for evidence: "HTTP 403: <message>" or the error. */
void dr_resp_brief(const struct dr_resp *r, char *out, size_t len);

/* ---- the checks ---------------------------------------------------------------------- */
struct dr_wi_opts {
	const char *ns, *ksa, *pod; /* pod may be NULL; ksa is resolved from it */
};
/* Runs every workload-identity check into r. Returns 0, or -EIO when the Google APIs
 * could not be reached at all (exit status 2). */
int dr_run_workload_identity(struct dr_ctx *c, struct dr_wi_opts *o, struct dr_report *r, char *err,
			     size_t errlen);
/* The checks beyond the seed's six (checks_more.c). pods: the pods examined (array). */
void dr_check_control_plane(struct dr_ctx *c, struct dr_report *r);
void dr_check_token_exchange(struct dr_ctx *c, const char *ns, const char *ksa, const char *gsa,
			     const char *pool, struct dr_report *r);
void dr_check_metadata_dns(struct dr_ctx *c, json_t *pods, struct dr_report *r);
void dr_check_istio(struct dr_ctx *c, json_t *pods, struct dr_report *r);
void dr_check_metadata_server(struct dr_ctx *c, struct dr_report *r);
void dr_check_metadata_startup(struct dr_ctx *c, json_t *pods, struct dr_report *r);
void dr_check_service_agent(struct dr_ctx *c, struct dr_report *r);

struct dr_rbac_opts {
	const char *user, *verb, *resource, *ns, *name;
	const char **groups;
	size_t ngroups;
	int explain; /* `gkeid explain`: an iam-deny check after iam */
};
/* GKE's IAM permission for a Kubernetes request, container.RESOURCE.VERB (rbac_explain.c):
 * the plural in camelCase after the Kind, thirdPartyObjects for custom resources,
 * patch -> update, watch -> list, deletecollection -> delete, subresource verbs
 * (getLogs, exec, createToken, getStatus, ...). 0, or -EINVAL / -E2BIG. */
int dr_iam_permission(const char *group, const char *resource, const char *kind, const char *sub,
		      const char *verb, char *out, size_t len);
/* Does one RBAC PolicyRule allow the request (rbac.go's matching: verbs, apiGroups,
 * resources with res/sub, '*' and '*' + "/sub", resourceNames only for named requests)? */
int dr_rbac_rule_allows(const json_t *rule, const char *verb, const char *group,
			const char *resource, const char *sub, const char *name);
int dr_run_rbac(struct dr_ctx *c, const struct dr_rbac_opts *o, struct dr_report *r, char *err,
		size_t errlen);
/* Every predefined role, as the IAM API lists them with view=FULL (new array; the calls
 * made go into ev). */
json_t *dr_all_roles(struct dr_ctx *c, struct dr_buf *ev);

/* ---- gkeid explain (explain.c) ---------------------------------------------------------- */
/* Asks the Policy Troubleshooter (v3 iam:troubleshoot) whether principal (an email) can
 * use permission on full_resource ("//cloudresourcemanager.googleapis.com/projects/P").
 * 0 with *out (new reference), or -EIO; the call goes into ev. */
int dr_troubleshoot(struct dr_ctx *c, const char *principal, const char *full_resource,
		    const char *permission, json_t **out, struct dr_buf *ev);
/* Adds the check "iam-deny" of a troubleshooter answer: the deny rule that denies and its
 * narrowest fix (an exception for the principal), or a pass. */
void dr_add_deny_layer(struct dr_report *r, const json_t *ts, const char *principal,
		       const char *permission);
/* `gkeid explain --principal P --permission PERM --resource NAME`: iam-allow (the
 * bindings that grant, or the predefined role with the fewest permissions that would,
 * bound on the project), iam-deny and access (the verdict) into r. NAME is a full resource name or
 * gkeid's ("projects/P", "projects/P/serviceAccounts/E", ...). 0, or -errno with err. */
int dr_run_explain_iam(struct dr_ctx *c, const char *principal, const char *permission,
		       const char *resource, struct dr_report *r, char *err, size_t errlen);

#endif
