/*
 * kube.h - gkeid's Kubernetes API server: the shared types and the contracts between
 * its modules. One `struct kube_cluster` per GKE cluster, each with its own HTTPS
 * listener, its own CA (and a serving certificate it signs), its own service-account
 * signing key (the workload-identity issuer's key) and its own key space in the store.
 *
 * Request flow (apiserver.c):
 *   TLS -> parse path into kube_attrs (kube_parse_path) -> authenticate (authn.c:
 *   kube_authenticate) -> authorize (authz.c: kube_authorize: Node, RBAC, then IAM) ->
 *   handle: discovery (discovery.c), special resources (reviews.c, tokens.c), or the
 *   generic registry (registry.c) for stored kinds.
 *
 * Store layout: every object of a cluster is a JSON document at
 *   <cluster prefix>/registry/<resource>.<group>/<namespace>/<name>   (namespaced)
 *   <cluster prefix>/registry/<resource>.<group>/<name>               (cluster-scoped)
 * where <cluster prefix> is "/clusters/<project>/<location>/<name>" and the core
 * group is written "core" (so pods are ".../registry/pods.core/default/web").
 * metadata.resourceVersion is the decimal store mod_rev; metadata.uid, creationTimestamp
 * and generation are set by the registry.
 */
#ifndef GKEID_KUBE_H
#define GKEID_KUBE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http.h"
#include "core/httpconn.h"

struct store;
struct registry_state;
struct crd_state;
struct rbac_index;
struct nodeauthz_index;
struct kube_openapi;
struct cloud;
struct event_base;

/* The longest object name served, plus one: Kubernetes sets no length on names that are
 * path segments (RBAC's), but a request here addresses names up to this, so a longer one
 * is refused at its creation (registry_valid.c) rather than made and never found. */
#define KUBE_NAME_MAX 1024

/* What a request is about, as Kubernetes' RequestInfo. Strings are borrowed from the
 * request (valid during it); empty strings for absent parts. */
struct kube_attrs {
	int resource_request; /* 0: a non-resource URL such as /version or /api */
	char verb[24];        /* get list watch create update patch delete deletecollection
	                         (or the HTTP method in lower case for non-resource URLs) */
	char group[128];      /* "" for the core group */
	char version[32];
	char resource[64];    /* plural, lower case: "pods", "roles" */
	char subresource[64]; /* "status", "log", "exec", "token", "" */
	char namespace_[256];
	char name[KUBE_NAME_MAX];
	char path[KUBE_NAME_MAX + 1024]; /* the URL path */
	char field_selector[1024]; /* a list's or watch's fieldSelector query parameter as
	                              sent ("" when absent or longer than this) */
};

/* Who is asking (authn.c). */
#define KUBE_MAX_GROUPS 16
struct kube_user {
	char name[320];
	char uid[128];
	char groups[KUBE_MAX_GROUPS][256];
	size_t n_groups;
	int google;             /* authenticated by a Google access token (IAM applies) */
	char google_member[400]; /* "user:EMAIL" or "serviceAccount:EMAIL" when google */
	char extra[2048];        /* user.extra as JSON text ({"key":["v"]}), "" for none;
	                            set by impersonation (impersonate.c) */
};

/* A resource kind served by the API server (resources.c holds the table). */
struct kube_resource {
	const char *group, *version, *resource, *kind, *singular;
	int namespaced;
	const char *short_names; /* comma separated, or NULL */
	const char *verbs;       /* comma separated discovery verbs */
	const char *iam_name;    /* GKE's IAM resource: "pods" -> "pods", "clusterrolebindings"
	                            -> "clusterRoleBindings" (container.<iam_name>.<verb>) */
	int stored;              /* 1: kept in the store by registry.c; 0: handled specially */
};
/* The resource for group/version/resource, or NULL. */
const struct kube_resource *kube_resource_find(const char *group, const char *version,
					       const char *resource);
/* All resources (for discovery): the built-in ones and the custom resources of the
 * current request's cluster (crdserve.h); *n gets the count. */
const struct kube_resource *kube_resources(size_t *n);
/* The built-in resources alone. */
const struct kube_resource *kube_builtin_resources(size_t *n);
/* The Warning text kube-apiserver adds to every request to res's version when that
 * version is deprecated at cluster_version ("1.30.5-gke.1014001"): deprecation.go's
 * WarningMessage ("flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in
 * v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema"), or a
 * custom resource's (crdserve.h's crd_warning). malloc'd, or NULL for none. */
char *kube_deprecation_warning(const struct kube_resource *res, const char *cluster_version);

struct kube_cluster {
	struct kube *kube;
	char project[128], project_number[32], location[64], name[64], uid[64];
	char prefix[400];  /* "/clusters/P/L/C" */
	char issuer[512];  /* https://container.googleapis.com/v1/projects/P/locations/L/clusters/C */
	char workload_pool[160]; /* "P.svc.id.goog" or "" when Workload Identity is off */
	char security_group[256]; /* Google Groups for RBAC's group, or "" (groupsrbac.h) */
	char version[64];  /* "1.30.5-gke.1014001" */
	EVP_PKEY *sa_key;  /* signs service-account tokens (TokenRequest) */
	char sa_kid[41];
	X509 *ca_cert;     /* the cluster's own CA: its serving and client certificates (tls.c) */
	EVP_PKEY *ca_key;
	char ca_pem_b64[8192]; /* base64 of the CA PEM, for masterAuth.clusterCaCertificate */
	int port;          /* HTTPS listener port */
	char endpoint[64]; /* "127.0.0.1:PORT" */
	void *listener;    /* apiserver.c's private state */
	struct registry_state *registry; /* registry.c's: page and event caches, watchers */
	struct rbac_index *rbac;         /* rbac.c's index, built on the first decision */
	struct nodeauthz_index *nodeauthz; /* the Node authorizer's pods by node
					      (nodeauthz_index.c), built on a node's first
					      decision */
	struct crd_state *crd;           /* crdserve.c's: its custom resources, when asked */
	struct kube_openapi *openapi;    /* openapi.c's documents, built on first use */
};

struct kube {
	struct store *store;
	struct cloud *cloud;
	struct event_base *base;
	char data_dir[4096];
	struct kube_cluster *clusters[64];
	size_t n_clusters;
	struct http_limits limits; /* every cluster's listener (0 fields: defaults) */
};

/* --- apiserver.c --- */
/* Parses a Kubernetes URL path and HTTP method into attrs. 0, or -EINVAL for a path that
 * is no Kubernetes API path (404). query gives watch=true and labelSelector etc. */
int kube_parse_path(const char *method, const char *path, const struct evkeyvalq *query,
		    struct kube_attrs *attrs);
/* Joins a TLS connection's unsent output into one piece when it fits one TLS record
 * (16 KiB): bufferevent_openssl calls SSL_write once per piece of its output buffer, so a
 * reply (headers, then body) or a watch event (a chunk's size line, data and CRLF) left
 * several records and write(2)s; joined, it is one of each. conn may be NULL. */
void kube_coalesce_output(struct evhttp_connection *conn);
/* Starts the HTTPS listener of a cluster on 127.0.0.1:port (0 = any). */
int kube_cluster_listen(struct kube_cluster *cl, int port);
void kube_cluster_stop(struct kube_cluster *cl);
/* Replies with a Kubernetes Status object (kind Status, apiVersion v1, status Failure,
 * message, reason, details {name, group, kind}, code). */
void kube_reply_status(struct http_req *r, int code, const char *reason, const char *message,
		       const struct kube_attrs *a);

/* --- cluster.c --- */
/* Creates (or, on restart, reopens) the Kubernetes side of a GKE cluster from its
 * Container API JSON (name, location, workloadIdentityConfig, currentMasterVersion, ...):
 * loads or makes its service-account key (data_dir/keys/<project>-<location>-<name>-sa.pem)
 * and its CA (kube_tls_cluster_init), bootstraps default RBAC and the default,
 * kube-system, kube-public and kube-node-lease namespaces on first creation, registers
 * its issuer with STS (sts_issuer_put) when Workload Identity is on, and starts its
 * HTTPS listener on 127.0.0.1:port (0 = any).
 * Fills cluster's "endpoint" and "masterAuth": {"clusterCaCertificate"} in place.
 * Returns 0 and the cluster in *out (owned by k), or -errno. */
int kube_cluster_start(struct kube *k, json_t *cluster, int port, struct kube_cluster **out);
/* Applies a changed Container API cluster (e.g. workloadIdentityConfig set or cleared:
 * (un)registers the issuer). 0 or -errno. */
int kube_cluster_update(struct kube *k, json_t *cluster);
/* Stops a cluster's listener and forgets it; with purge, deletes its objects, its
 * service-account key and its CA too. */
int kube_cluster_delete(struct kube *k, const char *project, const char *location,
			const char *name, int purge);
struct kube_cluster *kube_cluster_find(struct kube *k, const char *project,
				       const char *location, const char *name);
/* Sets up k (the keys directory via kube_tls_init); frees everything with kube_free. */
int kube_init(struct kube *k, struct store *s, struct cloud *c, struct event_base *base,
	      const char *data_dir);
void kube_free(struct kube *k);

/* --- tokens.c --- */
/* A service-account token (RS256 JWT by cl->sa_key, kid cl->sa_kid) as TokenRequest
 * issues it: iss = cl->issuer, sub = system:serviceaccount:NS:SA, aud = audiences,
 * exp = now + expiration_seconds, and the "kubernetes.io" claim {namespace,
 * serviceaccount {name, uid}, pod {name, uid} when bound}. malloc'd or NULL. */
char *kube_sa_token(struct kube_cluster *cl, const char *ns, const char *sa, const char *sa_uid,
		    const char *const *audiences, size_t n_aud, int64_t expiration_seconds,
		    const char *pod_name, const char *pod_uid);
/* Serves serviceaccounts/token (TokenRequest, authentication.k8s.io/v1) and
 * tokenreviews (TokenReview). Replies. */
void tokens_serve(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		  const struct kube_user *u);
/* Serves OIDC discovery (/.well-known/openid-configuration) and the JWKS
 * (/openid/v1/jwks) of the cluster's issuer. Replies. */
void tokens_serve_oidc(struct kube_cluster *cl, struct http_req *r);

/* --- reviews.c --- */
/* SubjectAccessReview, SelfSubjectAccessReview, LocalSubjectAccessReview and
 * SelfSubjectRulesReview (authorization.k8s.io/v1): evaluates with kube_authorize /
 * RBAC rules and replies with the object and its status. */
void reviews_serve(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		   const struct kube_user *u);

/* --- discovery.c --- */
/* Serves the discovery and version paths (/version, /api, /apis, /apis/G[/V], /api/v1,
 * health checks, /openapi/v3) when the request is for one of them: returns 1 when it
 * replied, 0 when the path is not a discovery path. */
int discovery_serve(struct kube_cluster *cl, struct http_req *r);
/* The OpenAPI v3 document of a group-version without its schemas: {"openapi", "info",
 * "paths" (a PATCH operation per patchable resource, with its GVK and the
 * fieldValidation parameter), "components": {"schemas": {}}}. New reference or NULL. */
json_t *discovery_openapi_gv(const char *group, const char *version);
/* The discovery path of a group-version: "api/v1" or "apis/G/V". 0, or -ENAMETOOLONG
 * when it does not fit in cap. */
int discovery_gv_path(const char *group, const char *version, char *out, size_t cap);

/* --- openapi.c --- */
/* Serves /openapi/v2 and /openapi/v3[/<gv>] with the schemas of the served kinds
 * (data/kube-openapi.json), hashes and ETags as kube-openapi's handlers do. 1 when it
 * replied, 0 for a path it does not serve. */
int openapi_serve(struct kube_cluster *cl, struct http_req *r);
/* Frees the cluster's OpenAPI documents (cl->openapi). */
void openapi_forget(struct kube_cluster *cl);

/* --- tls.c --- */
/* Makes data_dir/keys (0700). 0 or -errno. */
int kube_tls_init(struct kube *k);
/* Loads or creates the cluster's own CA, as every GKE cluster has its own root
 * (masterAuth.clusterCaCertificate differs per cluster): data_dir/keys/
 * <project>-<location>-<name>-ca.pem and -ca-key.pem (0600). A data dir from before
 * per-cluster CAs holds one shared CA (keys/ca.pem, ca-key.pem): the first cluster that is
 * reopened without a CA of its own takes it over (the files move), so its kubeconfigs
 * keep working; every other cluster gets a new CA. reopened: the cluster existed before
 * this start. Fills cl->ca_cert, ca_key, ca_pem_b64. 0 or -errno. */
int kube_tls_cluster_init(struct kube_cluster *cl, int reopened);
/* Deletes the cluster's CA files (a cluster made again gets a new CA). 0 or -errno. */
int kube_tls_cluster_purge(const struct kube_cluster *cl);
/* The path of the cluster's CA certificate (PEM). 0, or -ENAMETOOLONG. */
int kube_tls_ca_path(const struct kube_cluster *cl, char *out, size_t len);
/* A fresh serving certificate for 127.0.0.1/localhost, signed by the cluster's CA, as an
 * SSL_CTX that asks for (but does not require, nor check during the handshake) client
 * certificates: authn.c verifies them against the cluster's CA, and a certificate that
 * does not verify is a 401, as kube-apiserver's x509 authenticator answers. */
void *kube_tls_server_ctx(struct kube_cluster *cl);
/* Issues a client certificate (CN=user, O=groups) signed by the cluster's CA; PEMs
 * malloc'd. */
int kube_tls_client_cert(struct kube_cluster *cl, const char *user, const char *const *groups,
			 size_t n_groups, char **cert_pem, char **key_pem);

/* --- authn.c --- */
/* Authenticates a request: "Authorization: Bearer" with a gkeid Google access token
 * (user = email, groups system:authenticated, google = 1) or a service-account JWT of
 * this cluster (system:serviceaccount:NS:NAME, groups system:serviceaccounts,
 * system:serviceaccounts:NS, system:authenticated); else a verified client certificate
 * (CN, O); else system:anonymous (group system:unauthenticated). Returns 0, or -EACCES
 * for a bearer token that is present but invalid, or a client certificate that does not
 * verify against the cluster's CA when no valid token is given (the caller answers 401). */
int kube_authenticate(struct kube_cluster *cl, struct http_req *r, struct kube_user *u);

/* --- authz.c --- */
enum kube_decision { KUBE_NO_OPINION = 0, KUBE_ALLOW = 1, KUBE_DENY = 2 };
/* kube-apiserver's Node authorizer (nodeauthz.h), then RBAC, then (for Google identities)
 * IAM container.<iam_name>.<verb> on the cluster's project. On deny fills reason (e.g.
 * `requires one of ["container.roles.list"] permission(s).`). */
enum kube_decision kube_authorize(struct kube_cluster *cl, const struct kube_user *u,
				  const struct kube_attrs *a, char *reason, size_t reason_len);
/* The Forbidden message, as kube-apiserver words it:
 * `roles.rbac.authorization.k8s.io is forbidden: User "u" cannot list resource "roles"
 *  in API group "rbac.authorization.k8s.io" in the namespace "kube-system": REASON` */
void kube_forbidden_message(const struct kube_user *u, const struct kube_attrs *a,
			    const char *reason, char *out, size_t len);

/* --- rbac.c --- */
/* Evaluates RBAC over the cluster's Roles, ClusterRoles and bindings in the store.
 * Returns KUBE_ALLOW or KUBE_NO_OPINION (RBAC never denies). */
enum kube_decision rbac_authorize(struct kube_cluster *cl, const struct kube_user *u,
				  const struct kube_attrs *a);
/* Writes the default ClusterRoles and ClusterRoleBindings (data/rbac.json) into a new
 * cluster. */
int rbac_bootstrap(struct kube_cluster *cl);

/* --- registry.c --- */
/* Serves a stored resource: get, list (label/field selectors, limit/continue), watch
 * (chunked stream, resumable from resourceVersion), create, update (409 Conflict on a
 * stale resourceVersion), patch (merge, JSON patch, strategic merge), delete. Replies. */
void registry_serve(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		    const struct kube_resource *res, const struct kube_user *u);
/* Direct access for other modules (no authorization): the object or NULL. */
json_t *registry_get(struct kube_cluster *cl, const struct kube_resource *res,
		     const char *ns, const char *name);
/* Creates or replaces an object (fills metadata). 0 or -errno. */
int registry_put(struct kube_cluster *cl, const struct kube_resource *res, json_t *obj);
/* Frees the cluster's registry state (its caches); after kube_cluster_stop, which ends
 * its watches. */
void registry_forget(struct kube_cluster *cl);
/* The store key of an object; ns/name may be NULL for the collection prefix. */
void registry_key(const struct kube_cluster *cl, const struct kube_resource *res,
		  const char *ns, const char *name, char *out, size_t len);

#endif
