/*
 * cloud.c - what every emulated Google API shares: bearer-token authentication
 * (gkeid's opaque tokens and self-signed service-account JWTs), IAM authorization,
 * project and service-account lookups, the SERVICE_DISABLED check, and token issue.
 */
#include "cloud/cloud.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cloud/hier.h"
#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/jwt.h"
#include "core/store.h"

#define TOKEN_MAX 8192

/* GKEID_CLOCK_OFFSET (cloud.h): whole seconds, read once. */
static int64_t clock_offset_ms(void)
{
	static int64_t offset = INT64_MIN;

	if (offset == INT64_MIN) {
		const char *env = getenv("GKEID_CLOCK_OFFSET");
		char *end = NULL;
		long long v = env ? strtoll(env, &end, 10) : 0;

		offset = end && *end == '\0' && v > -3153600000LL && v < 3153600000LL
				 ? (int64_t)v * 1000
				 : 0;
	}
	return offset;
}

int64_t cloud_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms();
}

json_t *cloud_store_get_json(struct store *s, const char *key)
{
	struct store_kv kv;
	if (store_get(s, key, &kv) != 0)
		return NULL;
	json_t *j = json_loadb(kv.value, kv.value_len, 0, NULL);
	store_kv_free(&kv);
	return j;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void cloud_caller_principal(struct caller *who)
{
	struct iam_principal *p = &who->principal;
	memset(p, 0, sizeof(*p));
	p->authenticated = who->kind != CALLER_ANONYMOUS;
	switch (who->kind) {
	case CALLER_USER:
		snprintf(who->member_buf[0], sizeof(who->member_buf[0]), "user:%s", who->email);
		p->members[p->n_members++] = who->member_buf[0];
		p->email = who->email;
		break;
	case CALLER_SERVICE_ACCOUNT:
		snprintf(who->member_buf[0], sizeof(who->member_buf[0]), "serviceAccount:%s",
			 who->email);
		p->members[p->n_members++] = who->member_buf[0];
		p->email = who->email;
		break;
	case CALLER_FEDERATED: {
		/* subject "ns/NS/sa/KSA" */
		char ns[256] = "", ksa[256] = "";
		if (sscanf(who->subject, "ns/%255[^/]/sa/%255s", ns, ksa) == 2)
			snprintf(who->member_buf[0], sizeof(who->member_buf[0]),
				 "serviceAccount:%s[%s/%s]", who->pool, ns, ksa);
		const char *pool_base = "principal://iam.googleapis.com/projects/";
		snprintf(who->member_buf[1], sizeof(who->member_buf[1]),
			 "%s%s/locations/global/workloadIdentityPools/%s/subject/%s", pool_base,
			 who->project_number, who->pool, who->subject);
		snprintf(who->member_buf[2], sizeof(who->member_buf[2]),
			 "principalSet://iam.googleapis.com/projects/%s/locations/global/"
			 "workloadIdentityPools/%s/namespace/%s",
			 who->project_number, who->pool, ns);
		snprintf(who->member_buf[3], sizeof(who->member_buf[3]),
			 "principalSet://iam.googleapis.com/projects/%s/locations/global/"
			 "workloadIdentityPools/%s/*",
			 who->project_number, who->pool);
		for (int i = 0; i < 4; i++)
			if (who->member_buf[i][0])
				p->members[p->n_members++] = who->member_buf[i];
		break;
	}
	case CALLER_ANONYMOUS:
		break;
	}
}

static void reply_unauthenticated(struct http_req *r, const char *service, int missing)
{
	http_add_header(r, "WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
	json_t *md = json_pack("{s:s}", "service", service);
	if (missing)
		http_reply_gerror(r, 401, "UNAUTHENTICATED", "CREDENTIALS_MISSING", "googleapis.com",
				  md,
				  "Request is missing required authentication credential. Expected "
				  "OAuth 2 access token, login cookie or other valid authentication "
				  "credential. See "
				  "https://developers.google.com/identity/sign-in/web/devconsole-project.");
	else
		http_reply_gerror(r, 401, "UNAUTHENTICATED", "ACCESS_TOKEN_TYPE_UNSUPPORTED",
				  "googleapis.com", md,
				  "Request had invalid authentication credentials. Expected OAuth 2 "
				  "access token, login cookie or other valid authentication "
				  "credential. See "
				  "https://developers.google.com/identity/sign-in/web/devconsole-project.");
}

/* Parsed public keys by store key: OpenSSL 3's PEM decoder costs far more than an RSA
 * verification, and every JWT-bearer grant and self-signed JWT needs the key. An entry
 * is valid while the key record's mod_rev is unchanged. */
struct cached_key {
	int64_t rev;
	int64_t valid_before; /* a system key's last second of publication; 0: none */
	EVP_PKEY *pk;
};
#define KEY_CACHE_MAX 4096

static void key_cache_clear(struct cloud *c)
{
	size_t pos = 0;
	const char *k;
	void *v;
	while (c->key_cache && hmap_next(c->key_cache, &pos, &k, &v)) {
		struct cached_key *ck = v;
		EVP_PKEY_free(ck->pk);
		free(ck);
	}
	hmap_free(c->key_cache);
	c->key_cache = NULL;
}

void cloud_release(struct cloud *c)
{
	key_cache_clear(c);
	sts_release(c);
}

/* The public key stored at path (an enabled key record), borrowed from the cache. */
static EVP_PKEY *sa_public_key(struct cloud *c, const char *path)
{
	struct store_kv kv;
	if (store_get(c->store, path, &kv) != 0)
		return NULL;
	int64_t now = cloud_now_ms() / 1000;
	struct cached_key *ck = c->key_cache ? hmap_get(c->key_cache, path) : NULL;
	if (ck && ck->rev == kv.mod_rev) {
		store_kv_free(&kv);
		return ck->valid_before && ck->valid_before <= now ? NULL : ck->pk;
	}
	json_t *key = json_loadb(kv.value, kv.value_len, 0, NULL);
	int64_t rev = kv.mod_rev;
	store_kv_free(&kv);
	const char *pem = json_string_value(json_object_get(key, "publicKeyPem"));
	/* A disabled key signs nothing that Google accepts; nor does a system-managed key
	 * once it is no longer published. */
	EVP_PKEY *pk = pem && syskey_published(key, now) ? key_from_pem(pem, strlen(pem)) : NULL;
	int64_t valid_before =
		syskey_is_system(key) ? json_integer_value(json_object_get(key, "validBeforeUnix")) : 0;
	json_decref(key);
	if (!c->key_cache || hmap_count(c->key_cache) >= KEY_CACHE_MAX) {
		key_cache_clear(c);
		c->key_cache = hmap_new(64);
	}
	if (!ck) {
		ck = calloc(1, sizeof(*ck));
		if (!ck || !c->key_cache || hmap_put(c->key_cache, path, ck) != 0) {
			free(ck);
			EVP_PKEY_free(pk);
			return NULL;
		}
	}
	EVP_PKEY_free(ck->pk);
	ck->pk = pk;
	ck->rev = rev;
	ck->valid_before = valid_before;
	return pk;
}

int cloud_sa_jwt_verify(struct cloud *c, const struct jwt *t, const char *email)
{
	char project[128], path[1024];
	const char *kid = json_string_value(json_object_get(t->header, "kid"));
	/* Only the account's own keys: its record is found under the account the token
	 * names, so a key of another account (or Google's own) never verifies. */
	if (!kid || strlen(kid) > 64 || strchr(kid, '/') ||
	    !cloud_sa_project_of(c, email, project, sizeof(project)))
		return -EBADMSG;
	if ((size_t)snprintf(path, sizeof(path), "/projects/%s/serviceAccounts/%s/keys/%s", project,
			     email, kid) >= sizeof(path))
		return -EBADMSG;
	EVP_PKEY *pub = sa_public_key(c, path);
	return pub && jwt_verify(t, pub) == 0 ? 0 : -EBADMSG;
}

/* The audience a self-signed JWT must name when it has no scope: the API, as
 * "https://SERVICE/" (what Google's libraries send), or a URL on gkeid itself. */
static int audience_ok(struct cloud *c, const struct jwt *t, const char *service)
{
	json_t *aud = json_object_get(t->claims, "aud");
	char google[300];
	if (SFMT(google, "https://%s/", service) == 0 && jwt_has_audience(t, google))
		return 1;
	size_t blen = strlen(c->base_url);
	const char *a = json_string_value(aud);
	return a && strncmp(a, c->base_url, blen) == 0 && (a[blen] == '\0' || a[blen] == '/');
}

/* A self-signed JWT made from a service-account key, as Google APIs accept it. */
static int self_signed_jwt(struct cloud *c, const char *token, const char *service,
			   struct caller *out)
{
	struct jwt t;
	int rc = -EACCES;
	json_t *sa = NULL;
	if (jwt_parse(token, &t) != 0)
		return -EACCES;
	const char *iss = json_string_value(json_object_get(t.claims, "iss"));
	const char *sub = json_string_value(json_object_get(t.claims, "sub"));
	json_t *iat = json_object_get(t.claims, "iat"), *exp = json_object_get(t.claims, "exp");
	int64_t now = cloud_now_ms() / 1000;
	if (!iss || strlen(iss) > 256 || (sub && strcmp(sub, iss) != 0) || !json_is_integer(iat) ||
	    !json_is_integer(exp))
		goto out;
	/* Google: at most one hour between iat and exp. */
	if (json_integer_value(exp) - json_integer_value(iat) > 3600)
		goto out;
	if (jwt_check_time(&t, now, 60) != 0)
		goto out;
	if (!json_string_value(json_object_get(t.claims, "scope")) &&
	    !audience_ok(c, &t, service))
		goto out;
	if (cloud_sa_jwt_verify(c, &t, iss) != 0)
		goto out;
	/* Nor is a disabled (or deleted) service account anyone. */
	sa = cloud_sa_get(c, iss);
	if (!sa || json_is_true(json_object_get(sa, "disabled")))
		goto out;
	out->kind = CALLER_SERVICE_ACCOUNT;
	copy_str(out->email, sizeof(out->email), iss);
	const char *scope = json_string_value(json_object_get(t.claims, "scope"));
	copy_str(out->scope, sizeof(out->scope), scope);
	out->aud_bound = !scope;
	out->expires_at = json_integer_value(exp);
	rc = 0;
out:
	json_decref(sa);
	jwt_free(&t);
	return rc;
}

static int caller_from_record(const json_t *rec, struct caller *out)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	if (!kind)
		return -EACCES;
	if (strcmp(kind, "user") == 0)
		out->kind = CALLER_USER;
	else if (strcmp(kind, "serviceAccount") == 0)
		out->kind = CALLER_SERVICE_ACCOUNT;
	else if (strcmp(kind, "federated") == 0)
		out->kind = CALLER_FEDERATED;
	else
		return -EACCES;
	copy_str(out->email, sizeof(out->email), json_string_value(json_object_get(rec, "email")));
	copy_str(out->pool, sizeof(out->pool), json_string_value(json_object_get(rec, "pool")));
	copy_str(out->subject, sizeof(out->subject),
		 json_string_value(json_object_get(rec, "subject")));
	copy_str(out->project_number, sizeof(out->project_number),
		 json_string_value(json_object_get(rec, "projectNumber")));
	copy_str(out->scope, sizeof(out->scope), json_string_value(json_object_get(rec, "scope")));
	out->expires_at = json_integer_value(json_object_get(rec, "exp"));
	return 0;
}

#define SCOPE_CP "https://www.googleapis.com/auth/cloud-platform"
#define SCOPE_CP_RO "https://www.googleapis.com/auth/cloud-platform.read-only"
#define SCOPE_SM "https://www.googleapis.com/auth/service.management"
#define SCOPE_EMAIL "https://www.googleapis.com/auth/userinfo.email"
/* What google-auth's external_account asks STS for before it impersonates
 * (external_account.py, _IAM_SCOPE), and IAM Credentials accepts. */
#define SCOPE_IAM "https://www.googleapis.com/auth/iam"

/* The scopes each API accepts, from its discovery document ("auth.oauth2.scopes" and each
 * method's "scopes"): for every method, and for its reads only. A GKE cluster's API server
 * identifies a Google token by its email: cloud-platform or userinfo.email. */
static const struct {
	const char *service;
	const char *any[3];
	const char *reads[2];
} api_scopes[] = {
	{"cloudresourcemanager.googleapis.com", {SCOPE_CP}, {SCOPE_CP_RO}},
	{"serviceusage.googleapis.com", {SCOPE_CP, SCOPE_SM}, {SCOPE_CP_RO}},
	{"iam.googleapis.com", {SCOPE_CP}, {NULL}},
	{"iamcredentials.googleapis.com", {SCOPE_CP, SCOPE_IAM}, {NULL}},
	{"container.googleapis.com", {SCOPE_CP}, {NULL}},
	/* Cloud Identity Groups (cloudidentity.c): its own scopes beside cloud-platform */
	{"cloudidentity.googleapis.com",
	 {SCOPE_CP, "https://www.googleapis.com/auth/cloud-identity.groups",
	  "https://www.googleapis.com/auth/cloud-identity"},
	 {"https://www.googleapis.com/auth/cloud-identity.groups.readonly", NULL}},
	{CLOUD_SCOPE_KUBERNETES, {SCOPE_CP, SCOPE_EMAIL, "email"}, {NULL}},
};

int cloud_token_scope_has(const char *list, const char *scope)
{
	size_t n = strlen(scope);
	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (len == n && strncmp(p, scope, n) == 0)
			return 1;
		p += len;
	}
	return 0;
}

int cloud_scope_ok(const char *scopes, const char *service, int read_only)
{
	for (size_t i = 0; i < sizeof(api_scopes) / sizeof(api_scopes[0]); i++) {
		if (strcmp(api_scopes[i].service, service) != 0)
			continue;
		for (size_t j = 0; j < 3 && api_scopes[i].any[j]; j++)
			if (cloud_token_scope_has(scopes, api_scopes[i].any[j]))
				return 1;
		for (size_t j = 0; read_only && j < 2 && api_scopes[i].reads[j]; j++)
			if (cloud_token_scope_has(scopes, api_scopes[i].reads[j]))
				return 1;
		return 0;
	}
	return cloud_token_scope_has(scopes, SCOPE_CP);
}

/* A read, for the read-only scopes: as the route table says (cloud_route.read), or, for
 * a request off the tables, a GET or a POST that only reads a policy. */
static int is_read(const struct http_req *r)
{
	const struct cloud_route *route = cloud_route_of(r, NULL);
	if (route)
		return route->read;
	const char *colon = r->path ? strrchr(r->path, ':') : NULL;
	return (r->method && strcmp(r->method, "GET") == 0) ||
	       (colon && (strcmp(colon, ":getIamPolicy") == 0 ||
			  strcmp(colon, ":testIamPermissions") == 0));
}

/* Google's answer to a token without the API's scopes. */
static void reply_scope_insufficient(struct http_req *r, const char *service)
{
	http_add_header(r, "WWW-Authenticate",
			"Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", "
			"scope=\"" SCOPE_CP "\"");
	http_reply_gerror(r, 403, "PERMISSION_DENIED", "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
			  "googleapis.com", json_pack("{s:s}", "service", service),
			  "Request had insufficient authentication scopes.");
}

int cloud_authenticate(struct cloud *c, struct http_req *r, const char *service,
		       struct caller *out)
{
	memset(out, 0, sizeof(*out));
	const char *h = http_header(r, "Authorization");
	if (!h || !*h) {
		reply_unauthenticated(r, service, 1);
		return -EACCES;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		reply_unauthenticated(r, service, 0);
		return -EACCES;
	}
	const char *token = h + 7;
	while (*token == ' ')
		token++;
	size_t len = strlen(token);
	if (len == 0 || len > TOKEN_MAX) {
		reply_unauthenticated(r, service, 0);
		return -EACCES;
	}
	int rc = -EACCES;
	int dots = 0;
	for (const char *p = token; *p; p++)
		dots += *p == '.';
	if (dots == 2 && strncmp(token, "ya29.", 5) != 0) {
		rc = self_signed_jwt(c, token, service, out);
	} else {
		json_t *rec = cloud_token_lookup(c, token);
		if (rec)
			rc = caller_from_record(rec, out);
		/* A disabled or deleted service account's tokens stop working, and so do
		 * those of a deleted account whose name a new account took. */
		if (rc == 0 && out->kind == CALLER_SERVICE_ACCOUNT && !cloud_token_sa_live(c, rec))
			rc = -EACCES;
		json_decref(rec);
	}
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		reply_unauthenticated(r, service, 0);
		return -EACCES;
	}
	if (!out->aud_bound && !cloud_scope_ok(out->scope, service, is_read(r))) {
		memset(out, 0, sizeof(*out));
		reply_scope_insufficient(r, service);
		return -EPERM;
	}
	cloud_caller_principal(out);
	return 0;
}

int cloud_allowed(struct cloud *c, const struct caller *who, const char *const *resources,
		  size_t n, const char *permission)
{
	return iam_check(c->iam, resources, n, &who->principal, permission, cloud_now_ms());
}

void cloud_reply_permission_denied(struct http_req *r, const char *permission)
{
	http_reply_gerror(r, 403, "PERMISSION_DENIED", "IAM_PERMISSION_DENIED", "iam.googleapis.com",
			  json_pack("{s:s}", "permission", permission),
			  "Permission '%s' denied on resource (or it may not exist).", permission);
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int cloud_id_ok(const char *s)
{
	size_t n = 0;
	if (!s)
		return 0;
	for (; s[n]; n++) {
		char ch = s[n];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '.' || ch == '_'))
			return 0;
	}
	return n > 0 && n <= 100;
}

json_t *cloud_project_get(struct cloud *c, const char *id)
{
	char key[300];
	if (!id || !*id || strlen(id) > 128 || strchr(id, '/') ||
	    SFMT(key, "/projects/%s", id) != 0)
		return NULL;
	json_t *p = cloud_store_get_json(c->store, key);
	if (p && hier_project_purged(c, p)) /* hier.h: 30 days after its deletion */
		json_decref(p), p = NULL;
	if (p || !all_digits(id))
		return p;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	if (store_range(c->store, "/projects/", 0, &kvs, &n, NULL) != 0)
		return NULL;
	for (size_t i = 0; i < n && !p; i++) {
		if (strchr(kvs[i].key + strlen("/projects/"), '/'))
			continue;
		json_t *j = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *num = json_string_value(json_object_get(j, "projectNumber"));
		if (num && strcmp(num, id) == 0 && !hier_project_purged(c, j))
			p = j;
		else
			json_decref(j);
	}
	store_kvs_free(kvs, n);
	return p;
}

int cloud_require_service(struct cloud *c, struct http_req *r, const json_t *project,
			  const char *service)
{
	const char *id = json_string_value(json_object_get(project, "projectId"));
	const char *num = json_string_value(json_object_get(project, "projectNumber"));
	char key[512];
	if (!id || !num || SFMT(key, "/projects/%s/services/%s", id, service) != 0)
		return -EINVAL;
	json_t *svc = cloud_store_get_json(c->store, key);
	const char *state = json_string_value(json_object_get(svc, "state"));
	int enabled = state && strcmp(state, "ENABLED") == 0;
	json_decref(svc);
	if (enabled)
		return 0;
	/* Google's text and details for a call to a disabled API. */
	const char *title = cloud_service_title(service);
	char url[512], msg[1536], consumer[64];
	snprintf(url, sizeof(url), "https://console.developers.google.com/apis/api/%s/overview?project=%s",
		 service, num);
	snprintf(msg, sizeof(msg),
		 "%s has not been used in project %s before or it is disabled. Enable it by "
		 "visiting %s then retry. If you enabled this API recently, wait a few minutes for "
		 "the action to propagate to our systems and retry.",
		 title, num, url);
	snprintf(consumer, sizeof(consumer), "projects/%s", num);
	json_t *err = json_pack(
		"{s:{s:i, s:s, s:s, s:[{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}}, {s:s, s:s, s:s}, {s:s, s:[{s:s, s:s}]}]}}",
		"error", "code", 403, "message", msg, "status", "PERMISSION_DENIED", "details",
		"@type", "type.googleapis.com/google.rpc.ErrorInfo", "reason", "SERVICE_DISABLED",
		"domain", "googleapis.com", "metadata", "activationUrl", url, "consumer", consumer,
		"containerInfo", num, "service", service, "serviceTitle", title, "@type",
		"type.googleapis.com/google.rpc.LocalizedMessage", "locale", "en-US", "message", msg,
		"@type", "type.googleapis.com/google.rpc.Help", "links", "description",
		"Google developers console API activation", "url", url);
	http_reply_json(r, 403, err);
	return -EPERM;
}

const char *cloud_sa_project(const char *email, char *buf, size_t len)
{
	const char *at = email ? strchr(email, '@') : NULL;
	static const char suffix[] = ".iam.gserviceaccount.com";
	if (!at || at == email)
		return NULL;
	size_t dl = strlen(at + 1), sl = sizeof(suffix) - 1;
	if (dl <= sl || strcmp(at + 1 + dl - sl, suffix) != 0 || dl - sl >= len)
		return NULL;
	memcpy(buf, at + 1, dl - sl);
	buf[dl - sl] = '\0';
	if (strchr(buf, '/'))
		return NULL;
	return buf;
}

const char *cloud_sa_project_of(struct cloud *c, const char *email, char *buf, size_t len)
{
	static const char dom[] = "-compute@developer.gserviceaccount.com";
	if (cloud_sa_project(email, buf, len))
		return buf;
	size_t el = email ? strlen(email) : 0, dl = sizeof(dom) - 1;
	if (el <= dl || el - dl > 20 || strcmp(email + el - dl, dom) != 0)
		return NULL;
	char number[24];
	memcpy(number, email, el - dl);
	number[el - dl] = '\0';
	if (strspn(number, "0123456789") != el - dl)
		return NULL;
	json_t *p = cloud_project_get(c, number);
	const char *id = json_string_value(json_object_get(p, "projectId"));
	const char *num = json_string_value(json_object_get(p, "projectNumber"));
	const char *out = NULL;
	if (id && num && strcmp(num, number) == 0 && strlen(id) < len && !strchr(id, '/')) {
		snprintf(buf, len, "%s", id);
		out = buf;
	}
	json_decref(p);
	return out;
}

json_t *cloud_sa_get(struct cloud *c, const char *email_or_id)
{
	char project[128], key[700];
	if (!email_or_id || strlen(email_or_id) > 320 || strchr(email_or_id, '/'))
		return NULL;
	if (cloud_sa_project_of(c, email_or_id, project, sizeof(project))) {
		if (SFMT(key, "/projects/%s/serviceAccounts/%s", project, email_or_id) != 0)
			return NULL;
		return cloud_store_get_json(c->store, key);
	}
	if (!all_digits(email_or_id))
		return NULL;
	/* By unique ID: a scan (rare; gcloud and the libraries use emails). */
	struct store_kv *kvs = NULL;
	size_t n = 0;
	json_t *found = NULL;
	if (store_range(c->store, "/projects/", 0, &kvs, &n, NULL) != 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		const char *k = strstr(kvs[i].key, "/serviceAccounts/");
		if (!k || strchr(k + strlen("/serviceAccounts/"), '/'))
			continue;
		json_t *j = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *uid = json_string_value(json_object_get(j, "uniqueId"));
		if (uid && strcmp(uid, email_or_id) == 0)
			found = j;
		else
			json_decref(j);
	}
	store_kvs_free(kvs, n);
	return found;
}

int cloud_token_sa_live(struct cloud *c, const json_t *rec)
{
	const char *email = json_string_value(json_object_get(rec, "email"));
	const char *uid = json_string_value(json_object_get(rec, "uid"));
	json_t *sa = email ? cloud_sa_get(c, email) : NULL;
	const char *now_uid = json_string_value(json_object_get(sa, "uniqueId"));
	int ok = sa && !json_is_true(json_object_get(sa, "disabled")) &&
		 (!uid || (now_uid && strcmp(uid, now_uid) == 0));
	json_decref(sa);
	return ok;
}

int cloud_token_issue(struct cloud *c, const json_t *info, int64_t ttl, char **token)
{
	char hash[65], key[100];
	*token = random_token("ya29.", 48);
	if (!*token)
		return -ENOMEM;
	json_t *rec = json_deep_copy(info);
	if (!rec) {
		free(*token);
		*token = NULL;
		return -ENOMEM;
	}
	json_object_set_new(rec, "exp", json_integer(cloud_now_ms() / 1000 + ttl));
	/* A service account's token is bound to the account's uniqueId: after the account is
	 * deleted and one of the same name made, the old tokens are no one's. A caller that
	 * has just read the account gives it; it is stored after "exp" either way. */
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *email = json_string_value(json_object_get(rec, "email"));
	json_t *uid = json_incref(json_object_get(rec, "uid"));
	if (uid) {
		json_object_del(rec, "uid");
	} else if (kind && strcmp(kind, "serviceAccount") == 0 && email) {
		json_t *sa = cloud_sa_get(c, email);
		uid = json_incref(json_object_get(sa, "uniqueId"));
		json_decref(sa);
	}
	if (json_is_string(uid))
		json_object_set(rec, "uid", uid);
	json_decref(uid);
	char *s = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	sha256_hex(*token, strlen(*token), hash);
	int rc = s ? SFMT(key, "/oauth2/tokens/%s", hash) : -ENOMEM;
	if (rc == 0)
		rc = store_put(c->store, key, s, strlen(s), STORE_ABSENT, NULL);
	free(s);
	if (rc != 0) {
		free(*token);
		*token = NULL;
	}
	return rc;
}

json_t *cloud_token_lookup(struct cloud *c, const char *token)
{
	char hash[65], key[100];
	if (!token || strlen(token) > TOKEN_MAX)
		return NULL;
	sha256_hex(token, strlen(token), hash);
	if (SFMT(key, "/oauth2/tokens/%s", hash) != 0)
		return NULL;
	json_t *rec = cloud_store_get_json(c->store, key);
	if (rec && json_integer_value(json_object_get(rec, "exp")) <= cloud_now_ms() / 1000) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

int cloud_gc(struct cloud *c, size_t *removed)
{
	struct store_kv *kvs = NULL;
	size_t n = 0, gone = 0;
	int64_t now = cloud_now_ms() / 1000;
	int rc = store_range(c->store, "/oauth2/tokens/", 0, &kvs, &n, NULL);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		json_t *exp = json_object_get(rec, "exp");
		/* Unreadable records are garbage too. */
		if (!json_is_integer(exp) || json_integer_value(exp) <= now) {
			if (store_delete(c->store, kvs[i].key, kvs[i].mod_rev, NULL) == 0)
				gone++;
		}
		json_decref(rec);
	}
	store_kvs_free(kvs, n);
	if (removed)
		*removed = gone;
	return 0;
}
