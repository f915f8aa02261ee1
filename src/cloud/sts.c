/*
 * sts.c - the Security Token Service (sts v1, RFC 8693 token exchange) for workload
 * identity: a Kubernetes service-account JWT from a registered issuer becomes a
 * federated access token of the issuer's workload pool ("P.svc.id.goog"), whose
 * principal is serviceAccount:P.svc.id.goog[NS/KSA]. Also keeps the issuer registry
 * (sts_issuer_put) and, per issuer, its record and keys parsed (c->sts_issuers) while the
 * stored record is byte-for-byte the one they came from. Served under /sts/v1/.
 */
#include "cloud/cloud.h"
#include "cloud/jsonschema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/jwt.h"
#include "core/store.h"

#define ISSUER_PREFIX "/sts/issuers/"
#define ISSUER_MAX 512
#define POOL_SUFFIX ".svc.id.goog"
#define POOL_MAX 160
#define JWKS_MAX_KEYS 100
#define PARAM_MAX 16384 /* longest accepted parameter (the subject token) */
#define TIME_LEEWAY 30  /* seconds of clock skew allowed on iat/nbf */
#define DEFAULT_SCOPE "https://www.googleapis.com/auth/cloud-platform"

#define GRANT_EXCHANGE "urn:ietf:params:oauth:grant-type:token-exchange"
#define TYPE_JWT "urn:ietf:params:oauth:token-type:jwt"
#define TYPE_ID_TOKEN "urn:ietf:params:oauth:token-type:id_token"
#define TYPE_ACCESS "urn:ietf:params:oauth:token-type:access_token"

#define IAM_AUD_PREFIX "//iam.googleapis.com/projects/"
#define NS_AUD_PREFIX "identitynamespace:"

/* Printable ASCII without spaces: what an issuer URL or pool name may hold. */
static int printable(const char *s, size_t max)
{
	size_t n = 0;
	for (; *s; s++, n++)
		if (n >= max || (unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return n > 0;
}

/* The project of a workload pool "P.svc.id.goog" into buf, or NULL. */
static const char *pool_project(const char *pool, char *buf, size_t len)
{
	size_t pl = strlen(pool), sl = strlen(POOL_SUFFIX);
	if (pl <= sl || pl >= POOL_MAX || strcmp(pool + pl - sl, POOL_SUFFIX) != 0 ||
	    pl - sl >= len)
		return NULL;
	memcpy(buf, pool, pl - sl);
	buf[pl - sl] = '\0';
	for (const char *p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == ':' || *p == '.'))
			return NULL;
	return buf;
}

/* The project number as a string (CRM keeps it a string; accept an integer too). */
static int project_number(const json_t *project, char *buf, size_t len)
{
	json_t *n = json_object_get(project, "projectNumber");
	if (json_is_string(n) && json_string_length(n) > 0 && json_string_length(n) < len)
		snprintf(buf, len, "%s", json_string_value(n));
	else if (json_is_integer(n))
		snprintf(buf, len, "%lld", (long long)json_integer_value(n));
	else
		return -EINVAL;
	return 0;
}

int sts_issuer_put(struct cloud *c, const char *issuer, const char *workload_pool,
		   const json_t *jwks)
{
	char proj[POOL_MAX], num[32], key[sizeof(ISSUER_PREFIX) + ISSUER_MAX];
	json_t *keys = NULL, *rec = NULL, *project = NULL;
	char *s = NULL;
	int rc = -EINVAL;

	if (!c || !issuer || !workload_pool || !json_is_object(jwks) ||
	    !printable(issuer, ISSUER_MAX) || !pool_project(workload_pool, proj, sizeof(proj)))
		return -EINVAL;
	json_t *in = json_object_get(jwks, "keys");
	if (!json_is_array(in) || json_array_size(in) == 0 ||
	    json_array_size(in) > JWKS_MAX_KEYS)
		return -EINVAL;
	project = cloud_project_get(c, proj);
	if (!project)
		return -ENOENT;
	if (project_number(project, num, sizeof(num)) != 0)
		goto out;

	/* Keep the keys that can verify RS256 signatures; others (EC, enc) are skipped. */
	rc = -ENOMEM;
	if (!(keys = json_array()))
		goto out;
	size_t i;
	json_t *k;
	json_array_foreach(in, i, k)
	{
		EVP_PKEY *pk = key_from_jwk(k);
		if (!pk)
			continue;
		EVP_PKEY_free(pk);
		json_t *kid = json_object_get(k, "kid");
		if (kid && !json_is_string(kid))
			continue;
		if (json_array_append(keys, k) != 0)
			goto out;
	}
	rc = -EINVAL;
	if (json_array_size(keys) == 0)
		goto out;
	rc = -ENOMEM;
	rec = json_pack("{s:s, s:s, s:s, s:{s:O}}", "issuer", issuer, "workloadPool",
			workload_pool, "projectNumber", num, "jwks", "keys", keys);
	if (!rec || !(s = json_dumps(rec, JSON_COMPACT)))
		goto out;
	if ((rc = SFMT(key, ISSUER_PREFIX "%s", issuer)) == 0)
		rc = store_put(c->store, key, s, strlen(s), STORE_ANY_REV, NULL);
out:
	free(s);
	json_decref(rec);
	json_decref(keys);
	json_decref(project);
	return rc;
}

/* An issuer's record as last read from the store, parsed, with its keys: kept in
 * c->sts_issuers by store key and used only while the stored bytes are the same bytes,
 * so a changed, rotated or deleted JWKS is read afresh (never a stale key). */
struct issuer_entry {
	char *bytes; /* the stored record */
	size_t len;
	json_t *rec;
	size_t n_keys;
	struct issuer_key {
		const char *kid; /* in rec; NULL when the key has none */
		EVP_PKEY *pk;	 /* NULL: key_from_jwk refused it */
	} keys[];
};
#define ISSUER_CACHE_MAX 256

static void entry_free(struct issuer_entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_keys; i++)
		EVP_PKEY_free(e->keys[i].pk);
	json_decref(e->rec);
	free(e->bytes);
	free(e);
}

void sts_release(struct cloud *c)
{
	size_t pos = 0;
	const char *k;
	void *v;
	while (c->sts_issuers && hmap_next(c->sts_issuers, &pos, &k, &v))
		entry_free(v);
	hmap_free(c->sts_issuers);
	c->sts_issuers = NULL;
}

/* A cache entry for the stored record kv, its keys parsed, or NULL. */
static struct issuer_entry *entry_new(const struct store_kv *kv)
{
	json_t *rec = json_loadb(kv->value, kv->value_len, 0, NULL);
	const json_t *keys = json_object_get(json_object_get(rec, "jwks"), "keys");
	size_t n = json_array_size(keys);
	struct issuer_entry *e = rec ? calloc(1, sizeof(*e) + n * sizeof(e->keys[0])) : NULL;
	if (!e || !(e->bytes = malloc(kv->value_len ? kv->value_len : 1))) {
		free(e);
		json_decref(rec);
		return NULL;
	}
	memcpy(e->bytes, kv->value, kv->value_len);
	e->len = kv->value_len;
	e->rec = rec;
	e->n_keys = n;
	for (size_t i = 0; i < n; i++) {
		const json_t *k = json_array_get(keys, i);
		e->keys[i].kid = json_string_value(json_object_get(k, "kid"));
		e->keys[i].pk = key_from_jwk(k);
	}
	return e;
}

/* The registered issuer, borrowed from the cache until the next lookup, or NULL. */
static const struct issuer_entry *issuer_lookup(struct cloud *c, const char *issuer)
{
	char key[sizeof(ISSUER_PREFIX) + ISSUER_MAX];
	struct store_kv kv;
	if (!printable(issuer, ISSUER_MAX) || SFMT(key, ISSUER_PREFIX "%s", issuer) != 0 ||
	    store_get(c->store, key, &kv) != 0)
		return NULL;
	struct issuer_entry *e = c->sts_issuers ? hmap_get(c->sts_issuers, key) : NULL;
	if (e && e->len == kv.value_len && memcmp(e->bytes, kv.value, kv.value_len) == 0) {
		store_kv_free(&kv);
		return e;
	}
	struct issuer_entry *fresh = entry_new(&kv);
	store_kv_free(&kv);
	if (!fresh)
		return NULL;
	if (!e && (!c->sts_issuers || hmap_count(c->sts_issuers) >= ISSUER_CACHE_MAX)) {
		sts_release(c);
		c->sts_issuers = hmap_new(16);
	}
	if (!c->sts_issuers || hmap_put(c->sts_issuers, key, fresh) != 0) {
		entry_free(fresh);
		return NULL;
	}
	entry_free(e);
	return fresh;
}

/* True when a record is for pool (and, when number is set, that project number). */
static int record_matches(const json_t *rec, const char *pool, const char *number)
{
	const char *p = json_string_value(json_object_get(rec, "workloadPool"));
	const char *n = json_string_value(json_object_get(rec, "projectNumber"));
	return p && n && strcmp(p, pool) == 0 && (!number || strcmp(n, number) == 0);
}

/* True when some registered issuer serves pool in project number. */
static int pool_exists(struct cloud *c, const char *pool, const char *number)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int found = 0;
	if (store_range(c->store, ISSUER_PREFIX, 0, &kvs, &n, NULL) != 0)
		return 0;
	for (size_t i = 0; i < n && !found; i++) {
		json_t *j = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		found = record_matches(j, pool, number);
		json_decref(j);
	}
	store_kvs_free(kvs, n);
	return found;
}

/* An OAuth 2.0 error (RFC 6749 §5.2), as Google's STS answers. */
static void reply_error(struct http_req *r, int status, const char *error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void reply_error(struct http_req *r, int status, const char *error, const char *fmt, ...)
{
	char desc[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	http_reply_json(r, status,
			json_pack("{s:s, s:s}", "error", error, "error_description", desc));
}

/* The request's parameters, from a form or a JSON body (snake_case or camelCase). */
struct params {
	struct evkeyvalq form;
	int have_form;
	json_t *json;
};

/* A parameter's value, NULL when absent or empty. Sets *bad for a non-string. */
static const char *param(const struct params *p, const char *snake, const char *camel, int *bad)
{
	const char *v = NULL;
	if (p->json) {
		json_t *j = json_object_get(p->json, snake);
		if (!j && camel)
			j = json_object_get(p->json, camel);
		if (j && !json_is_null(j) && !json_is_string(j))
			*bad = 1;
		v = json_string_value(j);
	} else if (p->have_form) {
		v = evhttp_find_header(&p->form, snake);
	}
	if (v && strlen(v) > PARAM_MAX) {
		*bad = 1;
		return NULL;
	}
	return v && *v ? v : NULL;
}

/* The parsed audience: the pool, its project number (//iam form) or provider. */
struct audience {
	char pool[POOL_MAX];
	char number[32];            /* //iam form only */
	char provider[ISSUER_MAX];  /* identitynamespace form: the issuer URL */
};

static int parse_audience(const char *aud, struct audience *a)
{
	memset(a, 0, sizeof(*a));
	if (strncmp(aud, NS_AUD_PREFIX, strlen(NS_AUD_PREFIX)) == 0) {
		/* identitynamespace:P.svc.id.goog:PROVIDER-URL */
		const char *pool = aud + strlen(NS_AUD_PREFIX);
		const char *colon = strchr(pool, ':');
		if (!colon || colon == pool || (size_t)(colon - pool) >= sizeof(a->pool) ||
		    strlen(colon + 1) >= sizeof(a->provider) || !colon[1])
			return -EINVAL;
		memcpy(a->pool, pool, (size_t)(colon - pool));
		snprintf(a->provider, sizeof(a->provider), "%s", colon + 1);
		return printable(a->pool, POOL_MAX) && printable(a->provider, ISSUER_MAX) ? 0
											 : -EINVAL;
	}
	/* //iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/
	 * providers/PROVIDER */
	char tail[64], pool[POOL_MAX], provider[64];
	int used = 0;
	if (strncmp(aud, IAM_AUD_PREFIX, strlen(IAM_AUD_PREFIX)) != 0)
		return -EINVAL;
	const char *p = aud + strlen(IAM_AUD_PREFIX);
	if (sscanf(p, "%31[0-9]/locations/%63[^/]/workloadIdentityPools/%159[^/]/providers/%63[^/]%n",
		   a->number, tail, pool, provider, &used) != 4 ||
	    p[used] != '\0' || strcmp(tail, "global") != 0)
		return -EINVAL;
	snprintf(a->pool, sizeof(a->pool), "%s", pool);
	return printable(a->pool, POOL_MAX) && printable(provider, 64) ? 0 : -EINVAL;
}

/* A DNS label or subdomain, as Kubernetes names namespaces and service accounts. */
static int k8s_name(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '.'))
			return 0;
	}
	return 1;
}

/* "system:serviceaccount:NS:KSA" -> "ns/NS/sa/KSA". 0 or -EINVAL. */
static int k8s_subject(const char *sub, char *out, size_t len)
{
	static const char pre[] = "system:serviceaccount:";
	if (!sub || strncmp(sub, pre, sizeof(pre) - 1) != 0)
		return -EINVAL;
	const char *ns = sub + sizeof(pre) - 1;
	const char *colon = strchr(ns, ':');
	if (!colon)
		return -EINVAL;
	const char *ksa = colon + 1;
	size_t nl = (size_t)(colon - ns), kl = strlen(ksa);
	if (nl > 63 || !k8s_name(ns, nl) || !k8s_name(ksa, kl))
		return -EINVAL;
	int w = snprintf(out, len, "ns/%.*s/sa/%s", (int)nl, ns, ksa);
	return w > 0 && (size_t)w < len ? 0 : -EINVAL;
}

/* The token's aud claim as text, for error messages. */
static void aud_text(const struct jwt *t, char *buf, size_t len)
{
	json_t *a = json_object_get(t->claims, "aud");
	buf[0] = '\0';
	if (json_is_string(a)) {
		snprintf(buf, len, "%s", json_string_value(a));
		return;
	}
	size_t i, off = 0;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 json_is_string(v) ? json_string_value(v) : "?");
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

/* Verifies the signature with the issuer's key named by kid (or any key without one). */
static int verify_with_jwks(const struct jwt *t, const struct issuer_entry *e)
{
	const json_t *kidv = json_object_get(t->header, "kid");
	const char *kid = json_string_value(kidv);
	if (kidv && !kid)
		return -EBADMSG;
	for (size_t i = 0; i < e->n_keys; i++) {
		const struct issuer_key *k = &e->keys[i];
		if (kid && (!k->kid || strcmp(k->kid, kid) != 0))
			continue;
		if (k->pk && jwt_verify(t, k->pk) == 0)
			return 0;
	}
	return -EBADMSG;
}

int sts_issuer_verify(struct cloud *c, const char *issuer, const struct jwt *t, json_t **rec)
{
	const struct issuer_entry *e = issuer_lookup(c, issuer);
	*rec = e ? json_incref(e->rec) : NULL;
	if (!e)
		return -ENOENT;
	return verify_with_jwks(t, e);
}

/* POST /sts/v1/token */
/* A refusal: the OAuth error and its description, as handle_token replies it. */
struct refusal {
	int status;
	const char *error;
	char desc[1024];
};

static int refuse(struct refusal *f, int status, const char *error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse(struct refusal *f, int status, const char *error, const char *fmt, ...)
{
	va_list ap;
	f->status = status;
	f->error = error;
	va_start(ap, fmt);
	vsnprintf(f->desc, sizeof(f->desc), fmt, ap); /* a description may be cut; no key */
	va_end(ap);
	return -1;
}

/* Reads the body, a form or JSON, into p: 0, or -1 with the refusal in f. */
static int read_params(struct http_req *r, struct params *p, struct refusal *f)
{
	const char *ct = http_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		if (http_form_body(r, &p->form) != 0) {
			evhttp_clear_headers(&p->form);
			return refuse(f, 400, "invalid_request", "Invalid request body.");
		}
		p->have_form = 1;
		return 0;
	}
	json_error_t e;
	p->json = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(p->json))
		return refuse(f, 400, "invalid_request", "Invalid JSON payload received.");
	/* Google's JSON parsing (jsonschema.h), in the OAuth error shape STS answers in
	 * (RFC 8693 section 2.2.2). */
	json_t *viol = NULL;
	if (jschema_check(p->json, &jschema_sts_ExchangeTokenRequest, &viol) != 0) {
		char *msg = viol ? jschema_message(viol) : NULL;
		refuse(f, viol ? 400 : 500, viol ? "invalid_request" : "server_error", "%s",
		       msg ? msg : "Internal error.");
		free(msg);
		json_decref(viol);
		return -1;
	}
	return 0;
}

/* The exchange a request asks for, its parameters checked (RFC 8693 §2.1 as Google's STS
 * reads them). */
struct exchange {
	const char *subject_token, *aud, *scope;
	struct audience a;
};

static int check_params(const struct params *p, struct exchange *x, struct refusal *f)
{
	int bad = 0;
	const char *grant = param(p, "grant_type", "grantType", &bad);
	const char *subject_type = param(p, "subject_token_type", "subjectTokenType", &bad);
	const char *requested = param(p, "requested_token_type", "requestedTokenType", &bad);
	x->subject_token = param(p, "subject_token", "subjectToken", &bad);
	x->aud = param(p, "audience", NULL, &bad);
	x->scope = param(p, "scope", NULL, &bad);
	if (bad)
		return refuse(f, 400, "invalid_request", "Invalid value in the request parameters.");
	if (!grant)
		return refuse(f, 400, "invalid_request", "Missing required parameter: grant_type.");
	if (strcmp(grant, GRANT_EXCHANGE) != 0)
		return refuse(f, 400, "unsupported_grant_type",
			      "Invalid value for \"grant_type\". Expected " GRANT_EXCHANGE ".");
	if (!subject_type ||
	    (strcmp(subject_type, TYPE_JWT) != 0 && strcmp(subject_type, TYPE_ID_TOKEN) != 0))
		return refuse(f, 400, "invalid_request",
			      "Invalid value for \"subject_token_type\". Expected one of: " TYPE_JWT
			      ", " TYPE_ID_TOKEN ".");
	if (requested && strcmp(requested, TYPE_ACCESS) != 0)
		return refuse(f, 400, "invalid_request",
			      "Invalid value for \"requested_token_type\". Expected " TYPE_ACCESS
			      ".");
	if (!x->subject_token)
		return refuse(f, 400, "invalid_request",
			      "Missing required parameter: subject_token.");
	if (x->scope && (strlen(x->scope) >= sizeof(((struct caller *)0)->scope)))
		return refuse(f, 400, "invalid_scope", "The requested scope is too long.");
	if (!x->aud || parse_audience(x->aud, &x->a) != 0)
		return refuse(f, 400, "invalid_request",
			      "Invalid value for \"audience\". This value should be the full "
			      "resource name of the Identity Provider. See "
			      "https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token "
			      "for the list of possible formats.");
	return 0;
}

/* The target: the provider (issuer) or pool the audience names must exist. */
static int check_target(struct cloud *c, const struct audience *a, struct refusal *f)
{
	int ok;
	if (a->provider[0]) {
		const struct issuer_entry *target = issuer_lookup(c, a->provider);
		ok = target && record_matches(target->rec, a->pool, NULL);
	} else {
		ok = pool_exists(c, a->pool, a->number);
	}
	if (ok)
		return 0;
	return refuse(f, 400, "invalid_target",
		      "The target service indicated by the \"audience\" parameters is invalid. "
		      "This might either be because the pool or provider is disabled or "
		      "deleted or because it doesn't exist.");
}

/* The subject token's issuer: named by the audience's provider when it has one, and a
 * trusted issuer of the pool. 0 with its record in *rec (new reference), or -1. */
static int check_issuer(struct cloud *c, const struct exchange *x, const struct jwt *t,
			json_t **rec, struct refusal *f)
{
	const struct audience *a = &x->a;
	const char *iss = json_string_value(json_object_get(t->claims, "iss"));
	if (!iss)
		return refuse(f, 400, "invalid_grant", "The ID Token is missing the \"iss\" claim.");
	if (a->provider[0] && strcmp(iss, a->provider) != 0)
		return refuse(f, 400, "invalid_grant",
			      "The issuer in ID Token %.256s does not match the expected ISSUER "
			      "%.256s.",
			      iss, a->provider);
	int vrc = sts_issuer_verify(c, iss, t, rec);
	if (!*rec || !record_matches(*rec, a->pool, a->number[0] ? a->number : NULL))
		return refuse(f, 400, "invalid_grant",
			      "The issuer in ID Token %.256s is not a trusted issuer of the workload "
			      "identity pool %.160s.",
			      iss, a->pool);
	if (vrc != 0)
		return refuse(f, 400, "invalid_grant", "Unable to verify the ID Token signature");
	return 0;
}

/* The token's times, audience and subject; on success the Kubernetes subject in subject
 * and the life of the token to issue in *ttl. */
static int check_claims(const struct exchange *x, const struct jwt *t, char *subject,
			size_t len, int64_t *ttl, struct refusal *f)
{
	int64_t now = cloud_now_ms() / 1000;
	int trc = jwt_check_time(t, now, TIME_LEEWAY);
	json_t *expj = json_object_get(t->claims, "exp");
	if (trc == -EINVAL)
		return refuse(f, 400, "invalid_grant",
			      "The ID Token must carry integer \"exp\" and \"iat\" claims.");
	if (json_integer_value(expj) <= now)
		return refuse(f, 400, "invalid_grant", "The ID Token has expired.");
	if (trc != 0)
		return refuse(f, 400, "invalid_grant", "The ID Token is not yet valid.");
	/* GKE's TokenRequest asks for the pool as the audience; the //iam form also
	 * accepts the provider's own resource name, as Google's default allows. */
	char https_aud[1024];
	int https_ok = SFMT(https_aud, "https:%s", x->aud) == 0;
	if (!jwt_has_audience(t, x->a.pool) &&
	    (x->a.provider[0] || (!jwt_has_audience(t, x->aud) &&
				  !(https_ok && jwt_has_audience(t, https_aud))))) {
		char got[512];
		aud_text(t, got, sizeof(got));
		return refuse(f, 400, "invalid_grant",
			      "The audience in ID Token [%s] does not match the expected audience.",
			      got);
	}
	const char *sub = json_string_value(json_object_get(t->claims, "sub"));
	if (k8s_subject(sub, subject, len) != 0)
		return refuse(f, 400, "invalid_grant",
			      "The subject in ID Token %.256s is not a Kubernetes service account "
			      "(system:serviceaccount:NAMESPACE:NAME).",
			      sub ? sub : "(none)");
	/* Issue: at most an hour, and never past the subject token's own expiry. */
	*ttl = json_integer_value(expj) - now;
	if (*ttl > CLOUD_TOKEN_TTL)
		*ttl = CLOUD_TOKEN_TTL;
	return 0;
}

/* POST /v1/token: parse, then decide (each check refuses with Google's error), then
 * issue and reply. */
static void handle_token(struct http_req *r)
{
	struct cloud *c = r->app;
	struct params p;
	struct exchange x;
	struct refusal f;
	struct jwt t;
	json_t *rec = NULL, *info = NULL;
	char *token = NULL, subject[320];
	int64_t ttl = 0;

	memset(&p, 0, sizeof(p));
	memset(&x, 0, sizeof(x));
	memset(&t, 0, sizeof(t));
	if (read_params(r, &p, &f) != 0 || check_params(&p, &x, &f) != 0 ||
	    check_target(c, &x.a, &f) != 0 ||
	    (jwt_parse(x.subject_token, &t) != 0 &&
	     refuse(&f, 400, "invalid_grant", "Unable to parse the ID Token.")) ||
	    check_issuer(c, &x, &t, &rec, &f) != 0 ||
	    check_claims(&x, &t, subject, sizeof(subject), &ttl, &f) != 0) {
		reply_error(r, f.status, f.error, "%s", f.desc);
		goto out;
	}
	const char *num = json_string_value(json_object_get(rec, "projectNumber"));
	info = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "federated", "pool", x.a.pool,
			 "subject", subject, "projectNumber", num ? num : "", "scope",
			 x.scope ? x.scope : DEFAULT_SCOPE);
	if (!info || cloud_token_issue(c, info, ttl, &token) != 0) {
		reply_error(r, 500, "server_error", "Internal error encountered.");
		goto out;
	}
	http_add_header(r, "Cache-Control", "no-store");
	http_reply_json(r, 200,
			json_pack("{s:s, s:s, s:s, s:I}", "access_token", token, "issued_token_type",
				  TYPE_ACCESS, "token_type", "Bearer", "expires_in", (json_int_t)ttl));
out:
	free(token);
	json_decref(info);
	json_decref(rec);
	jwt_free(&t);
	json_decref(p.json);
	if (p.have_form)
		evhttp_clear_headers(&p.form);
}

static const struct cloud_route routes[] = {
	{"POST", "/sts/v1/token", handle_token, NULL, 0,
	 "a token exchange: the subject token in the body is the credential"},
};
const struct cloud_api sts_api = CLOUD_API("sts.googleapis.com", routes);
