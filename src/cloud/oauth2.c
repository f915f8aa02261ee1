/*
 * oauth2.c - Google's OAuth2 endpoints: the token endpoint (JWT-bearer grant for
 * service-account keys, refresh_token grant for users), tokeninfo, token revocation,
 * and the JWKS of gkeid's signing key (what verifies its ID tokens).
 *
 * Errors use OAuth2's shape, as oauth2.googleapis.com does:
 * {"error":"invalid_grant","error_description":"..."} with status 400 (401 for clients).
 */
#include "cloud/cloud.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jwt.h"
#include "core/store.h"

#define JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"

static void oauth_error(struct http_req *r, int status, const char *error, const char *desc)
{
	http_reply_json(r, status,
			json_pack("{s:s, s:s}", "error", error, "error_description", desc));
}

/* An ID token signed by gkeid's Google key. */
static char *id_token(struct cloud *c, const char *aud, const char *sub, const char *email,
		      const char *azp)
{
	int64_t now = cloud_now_ms() / 1000;
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss",
				   "https://accounts.google.com", "aud", aud, "azp", azp ? azp : aud,
				   "sub", sub, "iat", (json_int_t)now, "exp",
				   (json_int_t)(now + CLOUD_TOKEN_TTL));
	if (!claims)
		return NULL;
	if (email) {
		json_object_set_new(claims, "email", json_string(email));
		json_object_set_new(claims, "email_verified", json_true());
	}
	char *t = jwt_sign(c->signing_key, c->signing_kid, NULL, claims);
	json_decref(claims);
	return t;
}

static int token_uri_ok(struct cloud *c, const struct jwt *t)
{
	char ours[256];
	snprintf(ours, sizeof(ours), "%s/oauth2/token", c->base_url);
	return jwt_has_audience(t, ours) || jwt_has_audience(t, "https://oauth2.googleapis.com/token") ||
	       jwt_has_audience(t, "https://www.googleapis.com/oauth2/v4/token") ||
	       jwt_has_audience(t, "https://accounts.google.com/o/oauth2/token");
}

/* grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer: a service account signs a JWT
 * with its key; the key's public half is in the store. */
static void jwt_bearer(struct cloud *c, struct http_req *r, const char *assertion)
{
	struct jwt t;
	json_t *sa = NULL;
	char *token = NULL;
	if (!assertion || jwt_parse(assertion, &t) != 0) {
		oauth_error(r, 400, "invalid_grant", "Invalid JWT: Failed to parse the assertion.");
		return;
	}
	const char *iss = json_string_value(json_object_get(t.claims, "iss"));
	const char *scope = json_string_value(json_object_get(t.claims, "scope"));
	const char *target = json_string_value(json_object_get(t.claims, "target_audience"));
	json_t *iat = json_object_get(t.claims, "iat"), *exp = json_object_get(t.claims, "exp");
	int64_t now = cloud_now_ms() / 1000;
	char project[128];
	if (!iss || !cloud_sa_project_of(c, iss, project, sizeof(project)) || strlen(iss) > 320 ||
	    !(sa = cloud_sa_get(c, iss))) {
		oauth_error(r, 400, "invalid_grant", "Invalid grant: account not found");
		goto out;
	}
	if (json_is_true(json_object_get(sa, "disabled"))) {
		oauth_error(r, 400, "invalid_grant", "Invalid grant: account disabled");
		goto out;
	}
	if (cloud_sa_jwt_verify(c, &t, iss) != 0) {
		oauth_error(r, 400, "invalid_grant", "Invalid JWT Signature.");
		goto out;
	}
	/* A subject other than the account itself is domain-wide delegation, which gkeid
	 * does not grant (Google's answer for an account without it). */
	const char *sub = json_string_value(json_object_get(t.claims, "sub"));
	if (sub && strcmp(sub, iss) != 0) {
		oauth_error(r, 401, "unauthorized_client",
			    "Client is unauthorized to retrieve access tokens using this method, or "
			    "client not authorized for any of the scopes requested.");
		goto out;
	}
	if (!json_is_integer(iat) || !json_is_integer(exp) ||
	    json_integer_value(exp) - json_integer_value(iat) > 3600 ||
	    jwt_check_time(&t, now, 60) != 0) {
		oauth_error(r, 400, "invalid_grant",
			    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
			    "reasonable timeframe. Check your iat and exp values in the JWT claim.");
		goto out;
	}
	if (!token_uri_ok(c, &t)) {
		oauth_error(r, 400, "invalid_grant",
			    "Invalid JWT: Failed audience check. The right audience is "
			    "https://oauth2.googleapis.com/token");
		goto out;
	}
	if (target) {
		const char *uid = json_string_value(json_object_get(sa, "uniqueId"));
		char *idt = id_token(c, target, uid ? uid : iss, iss, uid);
		http_reply_json(r, 200, idt ? json_pack("{s:s}", "id_token", idt) : NULL);
		free(idt);
		goto out;
	}
	if (!scope || !*scope) {
		oauth_error(r, 400, "invalid_scope",
			    "Invalid OAuth scope or ID token audience provided.");
		goto out;
	}
	json_t *info = json_pack("{s:s, s:s, s:s}", "kind", "serviceAccount", "email", iss, "scope",
				 scope);
	int rc = info ? cloud_token_issue(c, info, CLOUD_TOKEN_TTL, &token) : -ENOMEM;
	json_decref(info);
	if (rc != 0) {
		http_reply_gerror(r, 500, NULL, NULL, NULL, NULL, "Internal error encountered.");
		goto out;
	}
	http_reply_json(r, 200, json_pack("{s:s, s:i, s:s}", "access_token", token, "expires_in",
					  CLOUD_TOKEN_TTL - 1, "token_type", "Bearer"));
out:
	free(token);
	json_decref(sa);
	jwt_free(&t);
}

/* grant_type=refresh_token: a user's long-lived refresh token (see oauth2_refresh_token_new). */
/* True when every scope of want (space-separated) is one of granted's. */
static int scopes_within(const char *want, const char *granted)
{
	char one[512];
	for (const char *p = want; *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		if (len >= sizeof(one))
			return 0;
		memcpy(one, p, len);
		one[len] = '\0';
		if (!cloud_token_scope_has(granted, one))
			return 0;
		p += len;
	}
	return 1;
}

/* An OAuth error's body, for oauth2_refresh's refusals. */
static json_t *oauth_error_body(const char *error, const char *desc)
{
	return json_pack("{s:s, s:s}", "error", error, "error_description", desc);
}

int oauth2_refresh(struct cloud *c, const char *refresh, const char *client_id,
		   const char *client_secret, const char *scope, json_t **reply)
{
	char hash[65], key[100];
	char *token = NULL, *idt = NULL;
	json_t *rec = NULL;
	int status = 200;
	*reply = NULL;
	if (!refresh || !*refresh || strlen(refresh) > 4096) {
		*reply = oauth_error_body("invalid_request", "Missing required parameter: refresh_token");
		return 400;
	}
	sha256_hex(refresh, strlen(refresh), hash);
	snprintf(key, sizeof(key), "/oauth2/refreshTokens/%s", hash);
	rec = cloud_store_get_json(c->store, key);
	const char *email = json_string_value(json_object_get(rec, "email"));
	const char *want_client = json_string_value(json_object_get(rec, "clientId"));
	if (!email) {
		*reply = oauth_error_body("invalid_grant", "Token has been expired or revoked.");
		status = 400;
		goto out;
	}
	if (want_client && (!client_id || strcmp(want_client, client_id) != 0)) {
		*reply = oauth_error_body("unauthorized_client", "Unauthorized");
		status = 401;
		goto out;
	}
	/* The client must prove itself with its secret, as Google checks it. */
	const char *want_secret = json_string_value(json_object_get(rec, "clientSecretSha256"));
	char secret_hash[65];
	if (client_secret)
		sha256_hex(client_secret, strlen(client_secret), secret_hash);
	if (want_secret && (!client_secret || strcmp(want_secret, secret_hash) != 0)) {
		*reply = oauth_error_body("invalid_client", "Unauthorized");
		status = 401;
		goto out;
	}
	/* A refresh gives at most the scopes that were granted, never more. */
	const char *granted = json_string_value(json_object_get(rec, "scope"));
	if (!granted)
		granted = "openid https://www.googleapis.com/auth/userinfo.email "
			  "https://www.googleapis.com/auth/cloud-platform";
	if (!scope || !*scope)
		scope = granted;
	if (strlen(scope) > 4096 || !scopes_within(scope, granted)) {
		*reply = oauth_error_body("invalid_scope", "Bad Request");
		status = 400;
		goto out;
	}
	json_t *info = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "user", "email", email,
				 "scope", scope, "clientId", want_client ? want_client : "",
				 "refresh", hash);
	int rc = info ? cloud_token_issue(c, info, CLOUD_TOKEN_TTL, &token) : -ENOMEM;
	json_decref(info);
	char sub[72];
	sha256_hex(email, strlen(email), hash);
	snprintf(sub, sizeof(sub), "1%.20s", hash); /* a stable numeric-looking subject */
	for (char *p = sub + 1; *p; p++)
		if (*p < '0' || *p > '9')
			*p = (char)('0' + (*p % 10));
	idt = id_token(c, client_id ? client_id : "gkeid", sub, email, client_id);
	if (rc != 0 || !idt ||
	    !(*reply = json_pack("{s:s, s:i, s:s, s:s, s:s}", "access_token", token, "expires_in",
				 CLOUD_TOKEN_TTL - 1, "scope", scope, "token_type", "Bearer",
				 "id_token", idt)))
		status = 500;
out:
	free(token);
	free(idt);
	json_decref(rec);
	return status;
}

static void refresh_grant(struct cloud *c, struct http_req *r, const char *refresh,
			  const char *client_id, const char *client_secret, const char *scope)
{
	json_t *reply;
	int status = oauth2_refresh(c, refresh, client_id, client_secret, scope, &reply);
	if (reply)
		http_reply_json(r, status, reply);
	else
		http_reply_gerror(r, 500, NULL, NULL, NULL, NULL, "Internal error encountered.");
}

static void handle_token(struct http_req *r)
{
	struct cloud *c = r->app;
	struct evkeyvalq form;
	json_t *body = NULL;
	const char *ct = http_header(r, "Content-Type");
	const char *grant, *assertion, *refresh, *client_id, *client_secret, *scope;
	TAILQ_INIT(&form);
	if (ct && strncmp(ct, "application/json", 16) == 0) {
		body = json_loadb((const char *)r->body, r->body_len, 0, NULL);
		if (!json_is_object(body)) {
			oauth_error(r, 400, "invalid_request", "Invalid JSON body.");
			goto out;
		}
		grant = json_string_value(json_object_get(body, "grant_type"));
		assertion = json_string_value(json_object_get(body, "assertion"));
		refresh = json_string_value(json_object_get(body, "refresh_token"));
		client_id = json_string_value(json_object_get(body, "client_id"));
		client_secret = json_string_value(json_object_get(body, "client_secret"));
		scope = json_string_value(json_object_get(body, "scope"));
	} else {
		if (http_form_body(r, &form) != 0) {
			oauth_error(r, 400, "invalid_request", "Invalid form body.");
			goto out;
		}
		grant = evhttp_find_header(&form, "grant_type");
		assertion = evhttp_find_header(&form, "assertion");
		refresh = evhttp_find_header(&form, "refresh_token");
		client_id = evhttp_find_header(&form, "client_id");
		client_secret = evhttp_find_header(&form, "client_secret");
		scope = evhttp_find_header(&form, "scope");
	}
	if (!grant)
		oauth_error(r, 400, "unsupported_grant_type", "Invalid grant_type: ");
	else if (strcmp(grant, JWT_BEARER) == 0)
		jwt_bearer(c, r, assertion);
	else if (strcmp(grant, "refresh_token") == 0)
		refresh_grant(c, r, refresh, client_id, client_secret, scope);
	else {
		char msg[300];
		snprintf(msg, sizeof(msg), "Invalid grant_type: %.200s", grant);
		oauth_error(r, 400, "unsupported_grant_type", msg);
	}
out:
	json_decref(body);
	evhttp_clear_headers(&form);
}

/* tokeninfo (v1, v3 and the bare oauth2.googleapis.com/tokeninfo, which is v3). */
static void handle_tokeninfo(struct http_req *r)
{
	struct cloud *c = r->app;
	struct evkeyvalq form;
	TAILQ_INIT(&form);
	const char *tok = http_query(r, "access_token");
	const char *idt = http_query(r, "id_token");
	if (!tok && !idt && strcmp(r->method, "POST") == 0 && http_form_body(r, &form) == 0) {
		tok = evhttp_find_header(&form, "access_token");
		idt = evhttp_find_header(&form, "id_token");
	}
	int v1 = strstr(r->path, "/v1/") != NULL;
	json_t *out = NULL;
	if (tok) {
		json_t *rec = cloud_token_lookup(c, tok);
		if (rec) {
			int64_t exp = json_integer_value(json_object_get(rec, "exp"));
			int64_t left = exp - cloud_now_ms() / 1000;
			const char *email = json_string_value(json_object_get(rec, "email"));
			const char *client = json_string_value(json_object_get(rec, "clientId"));
			const char *scope = json_string_value(json_object_get(rec, "scope"));
			if (!client || !*client)
				client = email ? email : "gkeid";
			if (v1)
				out = json_pack("{s:s, s:s, s:s, s:I, s:s}", "issued_to", client, "audience",
						client, "scope", scope ? scope : "", "expires_in",
						(json_int_t)left, "access_type", "online");
			else
				out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "azp", client, "aud",
						client, "scope", scope ? scope : "", "exp", "", "expires_in",
						"", "access_type", "online");
			if (out && !v1) {
				char buf[32];
				snprintf(buf, sizeof(buf), "%lld", (long long)exp);
				json_object_set_new(out, "exp", json_string(buf));
				snprintf(buf, sizeof(buf), "%lld", (long long)left);
				json_object_set_new(out, "expires_in", json_string(buf));
			}
			if (out && email && *email) {
				json_object_set_new(out, "email", json_string(email));
				json_object_set_new(out, v1 ? "verified_email" : "email_verified",
						    v1 ? json_true() : json_string("true"));
			}
			json_decref(rec);
		}
	} else if (idt) {
		struct jwt t;
		if (jwt_parse(idt, &t) == 0) {
			if (jwt_verify(&t, c->signing_key) == 0 &&
			    jwt_check_time(&t, cloud_now_ms() / 1000, 0) == 0) {
				out = json_object();
				const char *k;
				json_t *v;
				json_object_foreach(t.claims, k, v)
				{
					if (json_is_integer(v)) {
						char buf[32];
						snprintf(buf, sizeof(buf), "%lld",
							 (long long)json_integer_value(v));
						json_object_set_new(out, k, json_string(buf));
					} else if (json_is_boolean(v)) {
						json_object_set_new(out, k, json_string(json_is_true(v) ? "true" : "false"));
					} else {
						json_object_set(out, k, v);
					}
				}
				json_object_set_new(out, "alg", json_string("RS256"));
				json_object_set_new(out, "kid", json_string(c->signing_kid));
				json_object_set_new(out, "typ", json_string("JWT"));
			}
			jwt_free(&t);
		}
	}
	evhttp_clear_headers(&form);
	if (!out) {
		if (v1)
			http_reply_json(r, 400, json_pack("{s:s, s:s}", "error", "invalid_token",
							  "error_description", "Invalid Value"));
		else
			http_reply_json(r, 400, json_pack("{s:s}", "error_description", "Invalid Value"));
		return;
	}
	http_reply_json(r, 200, out);
}

/* Deletes the access tokens minted from the refresh token whose hash is refresh. */
static void revoke_children(struct cloud *c, const char *refresh)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	if (store_range(c->store, "/oauth2/tokens/", 0, &kvs, &n, NULL) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *parent = json_string_value(json_object_get(rec, "refresh"));
		if (parent && strcmp(parent, refresh) == 0)
			(void)store_delete(c->store, kvs[i].key, kvs[i].mod_rev, NULL);
		json_decref(rec);
	}
	store_kvs_free(kvs, n);
}

static void handle_revoke(struct http_req *r)
{
	struct cloud *c = r->app;
	struct evkeyvalq form;
	TAILQ_INIT(&form);
	const char *tok = http_query(r, "token");
	if (!tok && http_form_body(r, &form) == 0)
		tok = evhttp_find_header(&form, "token");
	int done = 0;
	if (tok && strlen(tok) <= 8192) {
		char hash[65], key[100];
		sha256_hex(tok, strlen(tok), hash);
		/* Google: revoking an access token revokes the refresh token it came from, and
		 * revoking a refresh token revokes every access token minted from it. */
		snprintf(key, sizeof(key), "/oauth2/tokens/%s", hash);
		json_t *rec = cloud_store_get_json(c->store, key);
		const char *parent = json_string_value(json_object_get(rec, "refresh"));
		if (parent && strlen(parent) == 64)
			memcpy(hash, parent, 65);
		done = store_delete(c->store, key, STORE_ANY_REV, NULL) == 0;
		json_decref(rec);
		snprintf(key, sizeof(key), "/oauth2/refreshTokens/%s", hash);
		if (store_delete(c->store, key, STORE_ANY_REV, NULL) == 0) {
			done = 1;
			revoke_children(c, hash);
		}
	}
	evhttp_clear_headers(&form);
	if (!done) {
		oauth_error(r, 400, "invalid_token", "Token expired or revoked");
		return;
	}
	http_reply_json(r, 200, json_object());
}

static void handle_certs(struct http_req *r)
{
	struct cloud *c = r->app;
	json_t *jwk = key_jwk(c->signing_key, c->signing_kid);
	http_add_header(r, "Cache-Control", "public, max-age=3600");
	http_reply_json(r, 200, jwk ? json_pack("{s:[o]}", "keys", jwk) : NULL);
}

char *oauth2_refresh_token_new(struct cloud *c, const char *email, const char *client_id,
			       const char *client_secret, const char *scope)
{
	char hash[65], key[100], secret_hash[65];
	char *t = random_token("1//gkeid-", 48);
	if (!t)
		return NULL;
	sha256_hex(client_secret, strlen(client_secret), secret_hash);
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s}", "email", email, "clientId", client_id,
				"clientSecretSha256", secret_hash, "scope", scope);
	char *s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
	json_decref(rec);
	sha256_hex(t, strlen(t), hash);
	snprintf(key, sizeof(key), "/oauth2/refreshTokens/%s", hash);
	if (!s || store_put(c->store, key, s, strlen(s), STORE_ANY_REV, NULL) != 0) {
		free(t);
		t = NULL;
	}
	free(s);
	return t;
}

#define TOKEN_WHY "the token endpoint: the grant in the body is the credential"
#define INFO_WHY "tokeninfo: anyone holding a token may read what it is"
#define CERTS_WHY "Google's public signing keys, published to everyone"
static const struct cloud_route routes[] = {
	{"POST", "/oauth2/token", handle_token, NULL, 0, TOKEN_WHY},
	{"POST", "/oauth2/v4/token", handle_token, NULL, 0, TOKEN_WHY},
	{"*", "/oauth2/tokeninfo", handle_tokeninfo, NULL, 0, INFO_WHY},
	{"*", "/oauth2/v1/tokeninfo", handle_tokeninfo, NULL, 0, INFO_WHY},
	{"*", "/oauth2/v3/tokeninfo", handle_tokeninfo, NULL, 0, INFO_WHY},
	{"POST", "/oauth2/revoke", handle_revoke, NULL, 0,
	 "revocation: the token in the body is the credential"},
	{"GET", "/oauth2/v3/certs", handle_certs, NULL, 1, CERTS_WHY},
	{"GET", "/oauth2/v1/certs", handle_certs, NULL, 1, CERTS_WHY},
};
const struct cloud_api oauth2_api = CLOUD_API("oauth2.googleapis.com", routes);
