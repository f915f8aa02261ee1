/*
 * node.h - gkeid's node agent: the GKE metadata server for the pods of one node, and
 * the contracts between its modules. It is a plain client of public protocols only:
 * the Kubernetes API (pod list+watch on its node, ServiceAccount get, TokenRequest),
 * STS token exchange, IAM Credentials generateAccessToken/generateIdToken, the
 * Container API (its node pool's workloadMetadataConfig) and OAuth2 (its own key),
 * each at a configurable base URL, so the same code serves gkeid and real GKE.
 *
 * Everything runs on one libevent loop; every outbound call is asynchronous.
 *
 *   metadata.c  the HTTP API pods see (paths, listings, refusals, GKE's texts)
 *   pods.c      pods of this node by address: list+watch, held lookups
 *   ksa.c       Kubernetes service accounts on demand, bounded LRU cache
 *   tokens.c    KSA token -> STS -> IAM Credentials, cached, coalesced, refreshed
 *   nodecreds.c the node's own Google identity (key file) and node pool mode
 *   netpol.c    NetworkPolicy egress to the metadata server, enforced: verdicts per pod
 *   client.c    asynchronous HTTP/1.1 client with TLS and keep-alive pools
 *   faults.c    the node's own DaemonSet pod: CrashLoopBackOff closes the listeners,
 *               annotations slow down new pods; Warning events on pods
 *   node.c      configuration, listeners, metrics, the state file, the loop
 *
 * Ownership: struct node owns every module's state; callbacks receive borrowed
 * pointers valid only during the call.
 */
#ifndef GKEID_NODE_H
#define GKEID_NODE_H

#include <limits.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "core/httpconn.h"

struct event_base;
struct evdns_base;
struct event;
struct evhttp;
struct evhttp_request;
struct evhttp_bound_socket;
struct hmap;

#define NODE_URL_MAX 512
#define NODE_EMAIL_MAX 320

enum node_listen {
	NODE_LISTEN_LOCAL, /* no root: pods are 127.x.y.z; the destination address names the pod */
	NODE_LISTEN_NODE,  /* pods in network namespaces: the source address names the pod */
};

struct node_config {
	char node_name[254];
	char kube_server[NODE_URL_MAX]; /* https://HOST:PORT */
	char kube_ca[PATH_MAX], kube_cert[PATH_MAX], kube_key[PATH_MAX];
	char kube_token_file[PATH_MAX];	       /* optional bearer token instead of a client cert */
	char sts_url[NODE_URL_MAX];	       /* base: token at BASE/v1/token */
	char iamcredentials_url[NODE_URL_MAX]; /* base: BASE/v1/projects/-/serviceAccounts/... */
	char container_url[NODE_URL_MAX];      /* base: BASE/v1/projects/P/locations/L/clusters/C */
	char project[128], project_number[32], location[64], cluster[64], cluster_uid[128];
	char zone[64];
	char node_pool[64];
	char credentials[PATH_MAX]; /* the node's service-account key (GCE_METADATA mode) */
	char state_file[PATH_MAX];  /* written once serving: what `gkeid exec` needs */
	char listen_addr[64];	    /* local mode: the wildcard bound (default 0.0.0.0) */
	enum node_listen listen;
	int port;	       /* 0 picks a free port (local mode) */
	int64_t hold_ms;       /* how long a request from an unknown address waits */
	int64_t ksa_ttl_ms;    /* how long a fetched KSA is trusted without asking again */
	int64_t pool_poll_ms;  /* how often the node pool's settings are read (with credentials) */
	int64_t netpol_ttl_ms; /* how long a namespace's NetworkPolicies read are trusted */
	size_t max_pods, max_ksas, max_tokens, max_held;
	struct http_limits limits; /* the metadata listeners (0 fields: 10 s deadlines) */
	int verbose;
};

/* Fills c with the defaults (hold 10 s, KSA TTL 5 s, pool poll 10 s, policies TTL 1 s,
 * bounds). */
void node_config_defaults(struct node_config *c);
/* Fills n's names derived from n->cfg (pool, STS audience, zone when not given, zone
 * path, hostname, instance id). 0, or -ENAMETOOLONG when one would not fit. */
struct node;
int node_derive(struct node *n);
/* Runs the node until SIGINT/SIGTERM. 0, or -errno when it cannot start. */
int node_run(const struct node_config *cfg);

/* An error to show a pod: an HTTP status and a text body (GKE's wording). */
struct md_err {
	int status;
	char text[2048];
};

/* --- client.c: asynchronous HTTP client --- */
struct md_client;
struct md_call;
struct md_resp {
	int status;	  /* HTTP status; 0 when there was no response */
	const char *body; /* NUL-terminated copy ("" when none), valid during the callback */
	size_t len;
	const char
		*error; /* status 0: Go-style reason, "dial tcp H:P: connect: connection refused" */
	int64_t elapsed_us;
};
typedef void (*md_done_fn)(void *arg, const struct md_resp *r);
/* Streaming: called with each piece of the body as it arrives. Return 0, or <0 to end
 * the call (then done reports status 0, error "aborted"). */
typedef int (*md_chunk_fn)(void *arg, const char *data, size_t len);
struct md_req {
	const char *method; /* "GET", "POST", "PUT", "DELETE" */
	const char *path;   /* appended to the client's base path; includes any query */
	const char *ctype;  /* request Content-Type, or NULL */
	const void *body;
	size_t body_len;
	const char *bearer; /* Authorization: Bearer, or NULL */
	size_t cap;	    /* largest response body accepted (ignored when streaming) */
	int timeout_s;	    /* read/connect timeout */
	md_chunk_fn chunk;  /* streaming when set */
};
/* A client for base_url ("http://h:p/prefix" or "https://..."). tls is used for https
 * (borrowed; the client takes a reference). 0 or -errno. */
int md_client_new(struct event_base *base, struct evdns_base *dns, const char *base_url,
		  SSL_CTX *tls, struct md_client **out);
/* Frees the client: calls in flight end without their callbacks. */
void md_client_free(struct md_client *c);
/* Starts a call; done is called exactly once (never synchronously). out (may be NULL)
 * gets a handle for md_call_cancel, valid until done runs. 0 or -errno. */
int md_client_call(struct md_client *c, const struct md_req *rq, md_done_fn done, void *arg,
		   struct md_call **out);
/* Ends a call without calling done. */
void md_call_cancel(struct md_call *call);
/* The client's full URL for a path (for messages) into out. 0, or -ENAMETOOLONG when
 * it does not fit (out then holds ""). */
int md_client_url(const struct md_client *c, const char *path, char *out, size_t len);
/* A TLS context verifying against ca_file (or the system store when NULL), presenting
 * cert/key when given. NULL on failure (reason in err). */
SSL_CTX *md_tls_ctx(const char *ca_file, const char *cert, const char *key, char *err,
		    size_t errlen);
/* The TLS context of the Google APIs (the system's CA certificates), made when a first
 * https URL needs it: loading the CA bundle is 20 ms of a node's start, and under `gkeid
 * up` every Google URL is plain http. NULL when it cannot be made (logged). */
struct node;
SSL_CTX *md_google_tls(struct node *n);

/* --- pods.c --- */
struct md_pod {
	char ns[64], name[254], uid[64], sa[254], ip[64];
	int64_t created_ms; /* metadata.creationTimestamp (ms since the epoch), 0 unknown */
	char labels[1024];  /* metadata.labels, compact JSON ("{}" when none) */
	int labels_big;	    /* the labels did not fit: NetworkPolicy selectors cannot be judged */
};
/* Called with rc 0 and the pod, or -ENOENT (no pod appeared in time), -EEXIST (two live
 * pods share the address: refused), -ECANCELED (shutting down). */
typedef void (*md_pod_fn)(void *arg, int rc, const struct md_pod *pod);
struct node;
int md_pods_start(struct node *n);
void md_pods_stop(struct node *n);
/* Finds the live pod with address ip, holding the caller up to cfg.hold_ms when the
 * address is unknown (the watch may not have delivered the pod yet). fn may run before
 * this returns. */
void md_pods_lookup(struct node *n, const char *ip, md_pod_fn fn, void *arg);
/* The live pod with address ip, without waiting: 0 and *out, -ENOENT or -EEXIST. */
int md_pods_find(struct node *n, const char *ip, struct md_pod *out);
/* Pods known, held lookups, whether the first list has completed. */
void md_pods_stats(const struct node *n, size_t *pods, size_t *held, int *synced);
/* A pod object (a list item, or an ADDED or MODIFIED event's) as the node keeps it. */
struct md_pod_info {
	char key[400]; /* "ns/name" */
	struct md_pod p;
	char ip2[64]; /* a second address from status.podIPs ("" when none) */
	int live;     /* its address names it: not finished, not hostNetwork, a pod IP and a
			 valid service account name */
};
/* Reads pod without effects (pods.c keeps what it says). 0 and *out; -ENOENT when it
 * runs on another node than node_name (out->key says which pod to forget); -EINVAL
 * when its namespace or name is not a valid Kubernetes name. */
struct json_t;
int md_pod_read(const struct json_t *pod, const char *node_name, struct md_pod_info *out);

/* --- listread.c: a Kubernetes list answer, one item at a time --- */
typedef int (*md_item_fn)(void *arg, struct json_t *item);
/* Checks that body is one JSON object with an "items" array of objects (every value
 * parsed, nothing kept but its "metadata": *meta, a new reference or NULL) and gives
 * where the items start. 0, or -EINVAL (*meta NULL). */
int md_list_check(const char *body, size_t len, struct json_t **meta, size_t *items_at);
/* Calls fn on each item of a list md_list_check passed, each parsed alone and freed
 * after; fn's nonzero return stops it. 0, fn's return, or -ENOMEM. */
int md_list_items(const char *body, size_t len, size_t items_at, md_item_fn fn, void *arg);

/* --- ksa.c --- */
struct md_ksa {
	char ns[64], name[254], uid[64];
	char gsa[NODE_EMAIL_MAX]; /* iam.gke.io/gcp-service-account, "" when unannotated */
};
/* rc 0 with the KSA; else rc <0 and err (404 for a missing KSA, 500 otherwise). */
typedef void (*md_ksa_fn)(void *arg, int rc, const struct md_ksa *ksa, const struct md_err *err);
int md_ksa_init(struct node *n);
void md_ksa_free(struct node *n);
/* Gets a KSA, from the cache while fresh; a stale entry is served when the API server
 * cannot be reached. fn may run before this returns. */
void md_ksa_get(struct node *n, const char *ns, const char *name, md_ksa_fn fn, void *arg);
/* The KSA when md_ksa_get would answer it from a fresh entry at once: 0 and *out; commit
 * counts the hit as md_ksa_get does. -EAGAIN otherwise (nothing changed). */
int md_ksa_cached(struct node *n, const char *ns, const char *name, struct md_ksa *out, int commit);
size_t md_ksa_count(const struct node *n);

/* --- tokens.c --- */
/* What a token is for. scopes: space-separated; audience for ID tokens. */
struct md_token_req {
	const struct md_pod *pod;
	const struct md_ksa *ksa;
	const char *scopes;   /* access tokens; NULL: the default scopes */
	const char *audience; /* ID tokens */
	int full;	      /* ID token format=full */
};
/* rc 0: value (the access or ID token) and its expiry (ms since the epoch). */
typedef void (*md_token_fn)(void *arg, int rc, const char *value, int64_t expiry_ms,
			    const struct md_err *err);
int md_tokens_init(struct node *n);
void md_tokens_free(struct node *n);
/* An access token for the pod's KSA: the federated token for an unannotated KSA, else
 * the GSA's token. Cached per (KSA, GSA, scopes); concurrent misses share one fetch. */
void md_token_access(struct node *n, const struct md_token_req *tr, md_token_fn fn, void *arg);
/* An ID token of the KSA's GSA for audience. */
void md_token_id(struct node *n, const struct md_token_req *tr, md_token_fn fn, void *arg);
/* Starts the federated token of pod's KSA for the default scopes (TokenRequest, then
 * STS) unless it is cached or on its way, so that it runs beside the KSA lookup rather
 * than after it: it is the token an unannotated KSA's default request answers with, and
 * the one an annotated KSA impersonates its GSA with. Nothing is answered; a failure
 * stays with the entry for the request to come. */
void md_token_prefetch(struct node *n, const struct md_pod *pod);
/* ksa's access token of the default scopes when md_token_access would hand it out at once
 * and start no refresh: 0 with *value (valid until the loop runs again) and its expiry;
 * commit records the hit as md_token_access does. -EAGAIN otherwise (nothing changed). */
int md_token_cached(struct node *n, const struct md_pod *pod, const struct md_ksa *ksa,
		    const char **value, int64_t *expiry_ms, int commit);
size_t md_tokens_count(const struct node *n);

/* --- nodecreds.c: the node's own identity and its node pool's settings --- */
int md_nodecreds_start(struct node *n);
void md_nodecreds_stop(struct node *n);
/* True when the node pool is in GCE_METADATA mode (pods get the node's identity). */
int md_nodecreds_gce_mode(const struct node *n);
/* The node's service account email ("" without credentials). */
const char *md_nodecreds_email(const struct node *n);
/* The node pool's OAuth scopes, space-separated. */
const char *md_nodecreds_scopes(const struct node *n);
/* The node's own access token (scopes NULL: the node pool's) or ID token. */
void md_nodecreds_access(struct node *n, const char *scopes, md_token_fn fn, void *arg);
void md_nodecreds_id(struct node *n, const char *audience, md_token_fn fn, void *arg);

/* The cluster's version and datapath as the Container API last gave them ("" unknown),
 * for where pods reach the metadata server (kube/netpol.h's rule). */
const char *md_nodecreds_version(const struct node *n);
const char *md_nodecreds_datapath(const struct node *n);

/* --- netpol.c: NetworkPolicy egress from pods to the metadata server --- */
/* fn gets 1 when the NetworkPolicies of pod's namespace allow its egress to the metadata
 * server (the address and port the cluster's version and datapath give), 0 when they
 * drop it. The namespace's policies are read with a GET and trusted --netpol-ttl (read
 * again every half TTL while the namespace is in use); a verdict is kept per pod (uid
 * and labels) until the policies change. When the policies
 * cannot be read, the last ones read decide, or, never read, egress is allowed. fn may
 * run before this returns; on shutdown it gets 1. */
typedef void (*md_netpol_fn)(void *arg, int allowed);
int md_netpol_init(struct node *n);
void md_netpol_free(struct node *n);
void md_netpol_check(struct node *n, const struct md_pod *pod, md_netpol_fn fn, void *arg);
/* The verdict md_netpol_check would give at once (1 or 0), without allocating: the hot
 * path's question; -EAGAIN when the namespace's policies were never read, or read more
 * than --netpol-ttl ago (then call md_netpol_check, which waits for a read). */
int md_netpol_now(struct node *n, const struct md_pod *pod);
/* The destination the verdicts are about ("169.254.169.252", 988). */
void md_netpol_target(const struct node *n, const char **ip, int *port);

/* --- metadata.c --- */
/* Installs the metadata API on an evhttp. */
int md_http_attach(struct node *n, struct evhttp *http);
/* The metadata API's request handler (what attach installs; arg is the node), for the
 * listeners' guard. */
void md_http_on_request(struct evhttp_request *ev, void *arg);
/* Answers every held request (shutdown). */
void md_http_stop(struct node *n);
/* Rebuilds the fixed part of the tree after the configuration changed (cluster-uid). */
void md_http_refresh(struct node *n);

/* --- faults.c --- */
/* True for the node's DaemonSet pod (kube-system, label k8s-app=gke-metadata-server). */
struct json_t;
int md_faults_is_daemon_pod(const struct json_t *pod);
/* Follows that pod (NULL: deleted): CrashLoopBackOff closes the listeners, running
 * reopens them; annotation faults.gkeid.dev/metadata-slow sets the startup hold. */
void md_faults_pod(struct node *n, const struct json_t *pod);
int md_faults_crashed(const struct node *n);
/* How long a request of pod must still be held (ms; 0: none); posts the Warning event
 * MetadataServerNotReady on the pod the first time. */
int64_t md_faults_startup_wait_ms(struct node *n, const struct md_pod *pod);
/* Posts a Warning event about pod (asynchronously; failures are logged). */
void md_faults_event(struct node *n, const struct md_pod *pod, const char *reason,
		     const char *message);
void md_faults_free(struct node *n);

/* --- node.c: shared state and helpers --- */
enum md_upstream { MD_UP_KUBE, MD_UP_STS, MD_UP_IAM, MD_UP_CONTAINER, MD_UP_OAUTH, MD_UP_N };

struct md_metrics {
	uint64_t requests[6]; /* by status class: 0 other, 2xx, 3xx, 4xx, 5xx, held */
	uint64_t token_hits, token_misses, token_refreshes, token_coalesced, token_stale_served;
	uint64_t ksa_hits, ksa_misses;
	uint64_t pod_held, pod_held_found, pod_held_timeout, pod_conflicts;
	uint64_t up_calls[MD_UP_N], up_errors[MD_UP_N];
	uint64_t up_latency_us[MD_UP_N];
	uint64_t up_latency_bucket[MD_UP_N][8]; /* <=1, 2, 5, 10, 50, 100, 1000 ms, +Inf */
	uint64_t watch_restarts, watch_events;
	uint64_t netpol_allowed, netpol_dropped, netpol_verdict_hits, netpol_fetches;
	uint64_t netpol_drops_held; /* connections held unanswered now */
};

/* A metadata listener, kept so that it can be closed and opened again (faults.c). */
struct md_sock {
	char addr[64];
	int port;
	struct evhttp_bound_socket *h; /* NULL while closed */
};

struct node {
	struct node_config cfg;
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *kube_tls, *google_tls;
	struct md_client *kube, *sts, *iam, *container;
	char kube_bearer[4096];
	char pool[160]; /* "P.svc.id.goog" */
	char sts_audience[600];
	char hostname[400];
	char instance_id[32];
	char zone_path[160]; /* "projects/N/zones/Z" */
	struct md_metrics m;
	int stopping;
	void *pods;		  /* pods.c */
	void *ksas;		  /* ksa.c */
	void *tokens;		  /* tokens.c */
	void *creds;		  /* nodecreds.c */
	void *http;		  /* metadata.c */
	void *faults;		  /* faults.c */
	void *netpol;		  /* netpol.c */
	struct evhttp *srv;	  /* the metadata listeners' evhttp */
	struct http_guard *guard; /* their deadlines and connection budget */
	struct mdfast *fast;	  /* their fast path (mdfast.c) */
	struct md_sock socks[3];
	size_t n_socks;
};

/* Milliseconds since the epoch (realtime) and a monotonic clock. */
int64_t md_now_ms(void);
int64_t md_mono_us(void);
/* Records an upstream call's outcome in the metrics. */
void md_metrics_upstream(struct node *n, enum md_upstream up, const struct md_resp *r);
/* Fills e with status and printf text. */
void md_err_set(struct md_err *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Logs one line to stderr ("gkeid node: ..."). */
void md_log(const struct node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes the Prometheus text of the metrics into buf (an evbuffer). */
struct evbuffer;
void md_metrics_write(struct node *n, struct evbuffer *buf);
/* A token from upstream is safe to hand out and to put in JSON unescaped: 1..16000
 * bytes of [A-Za-z0-9._~+/=-]. */
int md_token_ok(const char *s);
/* A string is a plausible GSA email: [A-Za-z0-9._-]+@[a-z0-9.-]+, at most 320 bytes. */
int md_email_ok(const char *s);

#endif
