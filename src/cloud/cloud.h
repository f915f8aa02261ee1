/*
 * cloud.h - the emulated Google Cloud: shared state and the helpers every API uses.
 *
 * All Google APIs are served by one HTTP listener, each under its own path prefix so
 * that gcloud's api_endpoint_overrides can point at it:
 *   /oauth2/...                 OAuth2 (token, tokeninfo, certs)        oauth2.c
 *   /cloudresourcemanager/v1/   Resource Manager                        crm.c
 *   /iam/v1/                    IAM (service accounts, keys, roles)     iamapi*.c
 *   /iam/v2/policies/           IAM deny policies                       denypolicies.c
 *   /policytroubleshooter/      Policy Troubleshooter (v1, v3)          troubleshoot.c
 *   /iamcredentials/v1/         IAM Service Account Credentials         iamcredentials.c
 *   /sts/v1/                    Security Token Service                  sts.c
 *   /container/v1/              Kubernetes Engine (clusters, node pools) container*.c
 *   /serviceusage/v1/           Service Usage                           serviceusage.c
 *   /service_accounts/v1/metadata/{jwk,x509}/EMAIL  public keys of service accounts
 *   /NAME/... of any other method of an API in cloud_gcloud_apis: 404 "... is not
 *   emulated by gkeid." (call.c)
 *
 * Store layout (keys are Google resource names under a leading '/'):
 *   /projects/P                                   project {projectId, projectNumber, ...}
 *   /projects/P/services/S                        {"name","state","config":{"name","title"}}
 *   /projects/P/serviceAccounts/EMAIL             service account, as the IAM API shows it
 *   /projects/P/serviceAccounts/EMAIL/keys/KEYID  {"name",..., "publicKeyPem"} (no private half)
 *   /oauth2/tokens/SHA256(token)                  access token record (see cloud_token_issue)
 *   /oauth2/refreshTokens/SHA256(token)           {"email","clientId"}
 *   /users/EMAIL                                  a Google user account {"email"}
 *   /sts/issuers/ISSUER-URL                       {"issuer","workloadPool","projectNumber","jwks"}
 *   /serviceusage/operations/OPID                 {"project","operation"}
 *   /projects/P/locations/L/clusters/C            a GKE cluster, as the Container API shows it
 *   /projects/P/locations/L/clusters/C/nodePools/N  a node pool
 *   /projects/P/locations/L/operations/OP         a Container API operation
 *   /iam/policies/RESOURCE                        allow policies (iam.h)
 *   /iam/denypolicies/RESOURCE/ID                 deny policies (iam/deny.h)
 */
#ifndef GKEID_CLOUD_H
#define GKEID_CLOUD_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>

#include "core/http.h"
#include "iam/iam.h"

struct store;

struct cloud {
	struct store *store;
	struct iam *iam;
	/* Google's own key: it signs ID tokens (iss accounts.google.com) and is published at
	 * /oauth2/v3/certs. No customer-facing API signs with it; signJwt and signBlob use
	 * the account's own system-managed keys (syskeys.c). */
	EVP_PKEY *signing_key;
	char signing_kid[41];
	/* Seals the private halves of system-managed keys in the store (core/seal.h). */
	unsigned char seal_key[32];
	int has_seal_key;
	char base_url[128];	/* "http://127.0.0.1:PORT", as clients reach it */
	int64_t propagation_ms; /* IAM propagation delay for authorization */
	/* Set by whoever assembles the program (cli): the Container API calls it when a
	 * cluster is created ("create"), changed ("update") or deleted ("delete"), before it
	 * stores the cluster, so that the Kubernetes side can start, reconfigure or stop it.
	 * On "create" it fills "endpoint" and "masterAuth" in the cluster JSON. NULL: no
	 * Kubernetes side. Returns 0 or -errno (the operation then fails). */
	int (*on_cluster)(void *arg, const char *event, json_t *cluster);
	void *on_cluster_arg;
	struct hmap *key_cache; /* parsed service-account public keys (cloud.c); lazily made */
	struct hmap *sts_issuers; /* parsed issuer records and their keys (sts.c); lazily made */
};

/* Frees what cloud.c caches (not the store, IAM or signing key, which the owner frees). */
void cloud_release(struct cloud *c);

/* Token lifetime, as Google's access tokens. */
#define CLOUD_TOKEN_TTL 3600

enum caller_kind { CALLER_ANONYMOUS = 0, CALLER_USER, CALLER_SERVICE_ACCOUNT, CALLER_FEDERATED };

/* Who is calling, from the bearer token. The principal's member strings point into
 * this struct's buffers, so do not copy a caller by value after cloud_authenticate. */
struct caller {
	enum caller_kind kind;
	char email[320];   /* user or service account email */
	char pool[256];	   /* federated: "P.svc.id.goog" */
	char subject[320]; /* federated: "ns/NS/sa/KSA" */
	char project_number[32];
	char scope[1024];
	int aud_bound; /* a self-signed JWT without scope: bound to one API by its audience */
	int64_t expires_at;
	char member_buf[4][1024];
	struct iam_principal principal;
};

/* Milliseconds since the epoch (wall clock), shifted by GKEID_CLOCK_OFFSET seconds when
 * that is set in the environment: a test's way to let the Google APIs' 30-day windows
 * (hier.h) pass without waiting. The Kubernetes API servers keep the real clock. */
int64_t cloud_now_ms(void);

/* The JSON value stored at key: a new reference the caller decrefs, or NULL when the key
 * is absent, the store fails or the value does not parse. */
json_t *cloud_store_get_json(struct store *s, const char *key);

/* Authenticates the request's "Authorization: Bearer" token: an access token issued by
 * gkeid (user, service account or federated), or a self-signed JWT made with a
 * service-account key (aud = the API's base URL or scope claim). On failure replies 401
 * in Google's shape (service names the API, e.g. "iam.googleapis.com") and returns
 * -EACCES. A token whose scopes do not cover the API (cloud_scope_ok; a GET, getIamPolicy
 * or testIamPermissions is a read) gets Google's 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT and
 * -EPERM. */
int cloud_authenticate(struct cloud *c, struct http_req *r, const char *service,
		       struct caller *out);

/* OAuth scopes. scopes is a space-separated list (a token's). True when one of them lets
 * the token call service ("iam.googleapis.com", ..., or CLOUD_SCOPE_KUBERNETES for a
 * GKE cluster's API server): cloud-platform everywhere; cloud-platform.read-only for the
 * reads (read_only) of the APIs whose discovery documents list it; an API's own scopes
 * where it has them (Service Usage: service.management). */
#define CLOUD_SCOPE_KUBERNETES "kubernetes"
int cloud_scope_ok(const char *scopes, const char *service, int read_only);

/* Fills caller->principal from the identity fields (kind, email, pool, subject,
 * project_number). Used by cloud_authenticate and by tests. */
void cloud_caller_principal(struct caller *who);

/* True when the caller holds permission on any of resources (most specific first,
 * e.g. {"projects/P/serviceAccounts/E", "projects/P"}), by the bindings in effect now. */
int cloud_allowed(struct cloud *c, const struct caller *who, const char *const *resources, size_t n,
		  const char *permission);

/* Replies 403 in IAM's shape: "Permission 'PERM' denied on resource (or it may not
 * exist)." with an IAM_PERMISSION_DENIED ErrorInfo naming the permission. */
void cloud_reply_permission_denied(struct http_req *r, const char *permission);

/* True when s (may be NULL) is a name that is safe to echo and to put in a store key, as
 * a path names a project (ID or number) or an operation: [A-Za-z0-9._-], 1..100 bytes. */
int cloud_id_ok(const char *s);

/* The project by ID or number (new reference), or NULL when there is none. */
json_t *cloud_project_get(struct cloud *c, const char *id_or_number);

/* Checks that service (e.g. "iamcredentials.googleapis.com") is enabled in project.
 * When it is not, replies 403 SERVICE_DISABLED with Google's text and returns -EPERM. */
int cloud_require_service(struct cloud *c, struct http_req *r, const json_t *project,
			  const char *service);
/* The service's display title ("IAM Service Account Credentials API"), or the name.
 * Implemented in serviceusage.c, whose service catalog holds the titles. */
const char *cloud_service_title(const char *service);

struct jwt;
/* Verifies a JWT's signature by one of the service account's own published keys (the
 * header's kid names it: an enabled user-managed key, or one of the account's
 * system-managed keys that signJwt uses, while it is published). A key of another
 * account, or Google's own key, never verifies. 0 or -EBADMSG. */
int cloud_sa_jwt_verify(struct cloud *c, const struct jwt *t, const char *email);

/* The project ID that owns a service account email ("sa@P.iam.gserviceaccount.com" -> P),
 * written into buf; NULL if the email is not of that form. */
const char *cloud_sa_project(const char *email, char *buf, size_t len);
/* As cloud_sa_project, and also for a Compute Engine default service account
 * ("NUMBER-compute@developer.gserviceaccount.com"), whose project is found by its number.
 * buf, or NULL. */
const char *cloud_sa_project_of(struct cloud *c, const char *email, char *buf, size_t len);
/* The service account (new reference) by email or unique ID, or NULL. */
json_t *cloud_sa_get(struct cloud *c, const char *email_or_id);

/* Checks the members that a policy being set on resource adds: a service account that
 * does not exist, or a Workload Identity pool that does not (members.c). 0; -EINVAL
 * with *err set to Google's message (malloc'd), answered as 400 INVALID_ARGUMENT; or
 * -ENOMEM. */
int cloud_policy_members_check(struct cloud *c, const char *resource, const json_t *policy,
			       char **err);

/* Issues an opaque access token for an identity. info is the token record (borrowed):
 * {"kind":"user"|"serviceAccount"|"federated","email","pool","subject",
 *  "projectNumber","scope","clientId"}; "exp" is added, and for a service account its
 * "uid" (uniqueId, the token's binding; read from the account unless info has it, and
 * stored after "exp" either way). Stores SHA-256(token) only.
 * Returns 0 and the token (malloc'd) or -errno. */
int cloud_token_issue(struct cloud *c, const json_t *info, int64_t ttl, char **token);
/* True when a service account token's record (from cloud_token_lookup) still names a
 * live account: it exists, is enabled, and has the uniqueId the token was issued to. */
int cloud_token_sa_live(struct cloud *c, const json_t *rec);
/* The record of a live (unexpired) token, new reference, or NULL. */
json_t *cloud_token_lookup(struct cloud *c, const char *token);

/* Creates a refresh token for a user, granted scope (space-separated), usable by the
 * client client_id with client_secret at the token endpoint (the token and the secret
 * stored hashed). Returns it malloc'd, or NULL. Implemented in oauth2.c. */
char *oauth2_refresh_token_new(struct cloud *c, const char *email, const char *client_id,
			       const char *client_secret, const char *scope);
/* The token endpoint's refresh_token grant without HTTP (oauth2.c; `gkeid up` stores the
 * admin's first tokens with it, as gcloud would after a refresh): returns the HTTP status
 * and, in *reply (new reference), the endpoint's JSON body: the tokens on 200, the OAuth
 * error otherwise; NULL with 500 when out of memory. */
int oauth2_refresh(struct cloud *c, const char *refresh, const char *client_id,
		   const char *client_secret, const char *scope, json_t **reply);
/* True when the space-separated scope list holds scope. */
int cloud_token_scope_has(const char *list, const char *scope);

/* Registers (or replaces) a workload-identity issuer for STS: tokens whose "iss" is
 * issuer, signed by a key in jwks ({"keys":[...]}, borrowed), are exchanged for
 * federated tokens of workload_pool ("P.svc.id.goog"). Implemented in sts.c. */
int sts_issuer_put(struct cloud *c, const char *issuer, const char *workload_pool,
		   const json_t *jwks);
/* The registered issuer's record in *rec (a new reference; NULL when not registered) and
 * whether one of its keys (kid matching t's, when t names one) verifies t's signature:
 * 0, -ENOENT (not registered) or -EBADMSG (*rec set). Keys come parsed from a cache that
 * is keyed by the stored record's bytes, so a changed JWKS is honoured at once. */
int sts_issuer_verify(struct cloud *c, const char *issuer, const struct jwt *t, json_t **rec);
/* Frees sts.c's cache (cloud_release calls it). */
void sts_release(struct cloud *c);

/* Deletes expired access tokens from the store; *removed (may be NULL) gets the count. */
int cloud_gc(struct cloud *c, size_t *removed);

/* For `gkeid up` (iamapi.c), through the IAM API's own record and key code. */
/* Ensures project's Compute Engine default service account exists (creating it, with
 * roles/editor on the project as Google grants it, when missing); its email goes in
 * email. 0 or -errno. */
int iamapi_compute_sa_ensure(struct cloud *c, const char *project_id, char *email, size_t len);
/* Mints a user-managed key for the service account and returns the key file a client
 * saves (Google's JSON credentials; malloc'd, secret: cleanse before free). 0 or -errno. */
int iamapi_key_file_new(struct cloud *c, const char *email, char **file);
/* True when the account exists, is enabled and has the enabled user-managed key kid. */
int iamapi_key_usable(struct cloud *c, const char *email, const char *kid);

/* System-managed keys (syskeys.c). Each service account has its own Google-managed
 * RSA key pairs, stored beside its user-managed keys under
 * /projects/P/serviceAccounts/EMAIL/keys/KID with "keyType":"SYSTEM_MANAGED" and the
 * private half sealed (privateKeySealed). A key signs for at most SYSKEY_SIGN_FOR
 * seconds after it is made, then a new one is made (rotation); it is published (keys
 * list, jwk, x509, verification) until its validBeforeTime, well after its last use. */
#define SYSKEY_SIGN_FOR (7 * 86400)
#define SYSKEY_VALID_FOR (14 * 86400)
/* The key that signs for the account now, made or rotated when needed: 0 with *key
 * (private, the caller frees it) and its kid, or -errno (-ENOKEY: no sealing key). */
int syskeys_signer(struct cloud *c, const char *project, const char *email, EVP_PKEY **key,
		   char kid[41]);
/* Makes sure the account has a current system-managed key (so that listings show one,
 * as Google's do). 0 or -errno. */
int syskeys_ensure(struct cloud *c, const char *project, const char *email);
/* Pure rules on stored key records (json objects), at time now (seconds):
 * syskey_is_system: the record is a system-managed key;
 * syskey_published: usable to verify (enabled, and a system key not past validBefore);
 * syskey_can_sign: a system key that may still sign (made less than SYSKEY_SIGN_FOR ago). */
int syskey_is_system(const json_t *rec);
int syskey_published(const json_t *rec, int64_t now);
int syskey_can_sign(const json_t *rec, int64_t now);

/* ---- route tables and the request context ------------------------------------------
 *
 * Each API is a struct cloud_api: its service name and a table of routes. A route names
 * its method's permission (the one the handler checks on the call's resource, so the
 * permission is data: the decision log, the scope checks and the tests read the same
 * table) and whether it is a read. A route without a permission says why in `why`
 * (public keys, a token endpoint, a check on another resource, ...).
 *
 * To add an API: write `const struct cloud_route my_routes[] = {...}` and
 * `const struct cloud_api my_api = CLOUD_API("x.googleapis.com", my_routes);` in its
 * file, declare it below and list it in cloud.c's `apis[]`. Its handlers are plain
 * http_handlers; each starts with cloud_call_begin and ends with cloud_call_end:
 *
 *     struct cloud_call x;
 *     if (cloud_call_begin(&x, r) != 0)      // authenticated (or already answered)
 *             goto out;
 *     if (cloud_call_project(&x, http_param(r, "project")) != 0) { deny...; goto out; }
 *     if (cloud_call_service(&x) != 0 || cloud_call_body(&x, 0, &my_request) != 0)
 *             goto out;                       // answered
 *     if (!cloud_call_allowed(&x, res, n)) { deny in the API's words; goto out; }
 *     ... decide, reply ...
 * out:
 *     cloud_call_end(&x);
 *
 * The steps are separate because Google's APIs run them in different orders and deny in
 * their own words (Resource Manager never says SERVICE_DISABLED; the Container API
 * checks permission before the service): each API composes them as Google does. */

struct cloud_route {
	const char *method;  /* "GET", "POST", ... or "*" */
	const char *pattern; /* as http.h's router matches it */
	http_handler fn;
	/* The IAM permission the method checks on its resource, or NULL (then why says why
	 * not). A handler that checks more (an update that also needs actAs) names its main
	 * one here and checks the rest itself. */
	const char *permission;
	/* 1: a read, for which an API's read-only scopes suffice (cloud_scope_ok). The
	 * authentication step takes it from here. */
	int read;
	const char *why; /* when permission is NULL: why the method checks none */
};

struct cloud_api {
	const char *service; /* "iam.googleapis.com": authentication, scopes, SERVICE_DISABLED */
	const struct cloud_route *routes;
	size_t n_routes;
};
#define CLOUD_API(svc, table)                                                                      \
	{                                                                                          \
		(svc), (table), sizeof(table) / sizeof((table)[0])                                 \
	}

/* The APIs gkeid serves (cloud.c). */
extern const struct cloud_api oauth2_api, crm_api, iamapi_sa_api, iamapi_keys_api, iamapi_roles_api,
	iamcredentials_api, sts_api, serviceusage_api, container_api;
/* Every API, in routing order: *n gets the count. */
const struct cloud_api *const *cloud_apis(size_t *n);
/* The route (and its API) a routed request came through, or NULL when the request was not
 * routed by a cloud table (then api is untouched). */
const struct cloud_route *cloud_route_of(const struct http_req *r, const struct cloud_api **api);

/* Adds every API's routes to a router, and makes the router answer a path under an API
 * of cloud_gcloud_apis that no route serves with cloud_not_emulated. 0 or -ENOMEM. */
int cloud_routes_add(struct http_router *rt);

/* The APIs that gcloud's generated configuration (cli/gcloudcfg.c) sends to gkeid: their
 * names in gcloud's api_endpoint_overrides (googlecloudsdk/core/properties.py, SDK 528),
 * each pointed at BASE_URL/NAME/. served: gkeid emulates some of its methods. */
struct cloud_gcloud_api {
	const char *name; /* "iam": iam.googleapis.com, reached at /iam/ */
	int served;
};
extern const struct cloud_gcloud_api cloud_gcloud_apis[];
extern const size_t cloud_n_gcloud_apis;

/* The answer for a method of one of cloud_gcloud_apis that gkeid does not serve: 404
 * NOT_FOUND "The method GET /v2/... of iam.googleapis.com is not emulated by gkeid.";
 * any other path gets the front end's 404 (http_reply_not_found). */
void cloud_not_emulated(struct http_req *r);

struct jschema_msg;
/* One Google API call: who calls, on which project, with what body. Zero it with
 * cloud_call_begin (which always initialises it) and free it with cloud_call_end. */
struct cloud_call {
	struct cloud *c;
	struct http_req *r;
	const struct cloud_api *api;	 /* the API of the route (never NULL after begin) */
	const struct cloud_route *route; /* the route, or NULL off the tables */
	const char *permission;		 /* route->permission, or NULL */
	struct caller who;
	json_t *project;	/* from cloud_call_project (owned) */
	const char *project_id; /* its projectId (points into project) */
	char project_number[32];
	char project_res[160]; /* "projects/ID" */
	json_t *body;	       /* from cloud_call_body (owned) */
};

/* Starts a call: finds the request's route and API (api: the API to use when the request
 * did not come through a table, may be NULL otherwise) and authenticates the caller with
 * the API's service name and the route's read flag (cloud_authenticate). 0, or -EACCES /
 * -EPERM after replying. */
int cloud_call_begin(struct cloud_call *x, struct http_req *r, const struct cloud_api *api);
/* Finds the project by ID or number (cloud_id_ok names only) and fills project,
 * project_id, project_number and project_res. 0, or -ENOENT without replying (each API
 * denies an unknown project in its own words). */
int cloud_call_project(struct cloud_call *x, const char *id_or_number);
/* The SERVICE_DISABLED check of the API on the call's project (cloud_require_service). */
int cloud_call_service(struct cloud_call *x);
/* Parses the body into x->body: checked against m (jsonschema.h) or, m NULL, as plain
 * JSON (http_json_body). 0, or -EINVAL after replying 400. */
int cloud_call_body(struct cloud_call *x, int empty_ok, const struct jschema_msg *m);
/* True when the caller holds the route's permission (or, when perm is not NULL, perm)
 * on any of resources (cloud_allowed). */
int cloud_call_allowed(const struct cloud_call *x, const char *perm, const char *const *resources,
		       size_t n);
/* Frees what the call holds; safe to call twice. */
void cloud_call_end(struct cloud_call *x);

/* Replies 500 INTERNAL in Google's words ("Internal error encountered."). */
void cloud_reply_internal(struct http_req *r);

#endif
