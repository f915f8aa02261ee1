/*
 * iamcredentials.c - the IAM Service Account Credentials API (iamcredentials v1):
 * short-lived access tokens, OpenID Connect ID tokens, and JWTs and blobs signed on
 * behalf of a service account, each authorized by IAM on that account (and on every
 * account of a delegation chain), served under /iamcredentials/v1/.
 */
#include "cloud/iamcredentials.h"
#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/hier.h"
#include "cloud/jsonschema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/jwt.h"

#define SERVICE "iamcredentials.googleapis.com"

#define MAX_DELEGATES 10
#define MAX_SCOPES 64
#define MAX_SCOPE_LEN 512
#define MAX_LIFETIME CLOUD_TOKEN_TTL /* without the lifetime-extension org policy */
#define SIGNJWT_MAX_EXP (12 * 3600)  /* Google: exp at most 12 hours ahead */
#define ID_TOKEN_TTL 3600
#define SA_EMAIL_SUFFIX "gserviceaccount.com" /* iam. and developer. accounts */
#define MAX_AUDIENCE_LEN 2048

static void target_free(struct iamcred_target *t)
{
	json_decref(t->sa);
	memset(t, 0, sizeof(*t));
}

/* Resolves an email or unique ID to a stored service account. 0 or -ENOENT. */
static int target_get(struct cloud *c, const char *email_or_id, struct iamcred_target *t)
{
	memset(t, 0, sizeof(*t));
	t->sa = cloud_sa_get(c, email_or_id);
	if (!t->sa)
		return -ENOENT;
	t->email = json_string_value(json_object_get(t->sa, "email"));
	t->unique_id = json_string_value(json_object_get(t->sa, "uniqueId"));
	if (!t->email || !cloud_sa_project_of(c, t->email, t->project, sizeof(t->project))) {
		target_free(t);
		return -ENOENT;
	}
	if (!t->unique_id)
		t->unique_id = t->email;
	return 0;
}

/* True when who holds permission on the service account (or its project). */
static int allowed_on(struct cloud *c, const struct caller *who, const struct iamcred_target *t,
		      const char *permission)
{
	char sa_res[512], proj_res[160];
	const char *res[2] = {sa_res, proj_res};
	return SFMT(sa_res, "projects/%s/serviceAccounts/%s", t->project, t->email) == 0 &&
	       SFMT(proj_res, "projects/%s", t->project) == 0 &&
	       cloud_allowed(c, who, res, 2, permission);
}

static void reply_invalid(struct http_req *r, const char *msg)
{
	http_reply_gerror(r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL, "%s", msg);
}

/* Refuses a member v that is present, not null and not of its JSON type (ok false),
 * replying 400 with msg. 0 or -EINVAL. */
static int check_type(struct http_req *r, const json_t *v, int ok, const char *msg)
{
	if (!v || ok || json_is_null(v))
		return 0;
	reply_invalid(r, msg);
	return -EINVAL;
}

/* A method call: who calls, with what, and (once authorized) on which account. */
struct call {
	struct cloud_call cc;
	struct iamcred_target t;
};

/* What every method starts with: authenticates the caller and reads the JSON body,
 * checked against the method's request message m (jsonschema.h) as Google's JSON parser
 * checks it. 0, or -errno after replying; end(x) either way. */
static int begin(struct http_req *r, struct call *x, const struct jschema_msg *m)
{
	memset(x, 0, sizeof(*x));
	if (cloud_call_begin(&x->cc, r, NULL) != 0)
		return -EACCES;
	return cloud_call_body(&x->cc, 0, m);
}

static void end(struct call *x)
{
	target_free(&x->t);
	cloud_call_end(&x->cc);
}

int iamcredentials_decide(struct cloud *c, const struct caller *who, const struct iamcred_target *t,
			  const struct iamcred_target *chain, size_t n, const char *permission,
			  const char **denied)
{
	*denied = NULL;
	if (n == 0) {
		if (allowed_on(c, who, t, permission))
			return 0;
		*denied = permission;
		return -EACCES;
	}
	if (!allowed_on(c, who, &chain[0], PERM_DELEGATE)) {
		*denied = PERM_DELEGATE;
		return -EACCES;
	}
	struct caller *hop = calloc(1, sizeof(*hop)); /* large: not on the stack */
	if (!hop)
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct iamcred_target *next = i + 1 < n ? &chain[i + 1] : t;
		const char *perm = i + 1 < n ? PERM_DELEGATE : permission;
		memset(hop, 0, sizeof(*hop));
		hop->kind = CALLER_SERVICE_ACCOUNT;
		snprintf(hop->email, sizeof(hop->email), "%s", chain[i].email);
		cloud_caller_principal(hop);
		if (!allowed_on(c, hop, next, perm)) {
			*denied = perm;
			rc = -EACCES;
		}
	}
	free(hop);
	return rc;
}

/* Accepts "projects/-/serviceAccounts/X" (the documented form) or a bare X. */
static const char *delegate_name(const char *s)
{
	static const char pre[] = "projects/";
	if (strncmp(s, pre, sizeof(pre) - 1) != 0)
		return s;
	const char *p = strstr(s, "/serviceAccounts/");
	if (!p)
		return NULL;
	p += strlen("/serviceAccounts/");
	return *p && !strchr(p, '/') ? p : NULL;
}

/*
 * For an authenticated caller: resolves the target service account, checks that the
 * API is enabled in its project, and authorizes the call: the caller needs
 * permission on the target, or, with delegates [D1..Dn], implicitDelegation on D1,
 * each Di implicitDelegation on Di+1, and Dn permission on the target.
 * Replies itself and returns -errno on any failure.
 */
static int authorize(struct http_req *r, const struct caller *who, json_t *body,
		     const char *permission, struct iamcred_target *t)
{
	struct cloud *c = r->app;
	struct iamcred_target *chain = NULL;
	size_t n = 0;
	int rc;

	memset(t, 0, sizeof(*t));

	json_t *delegates = json_object_get(body, "delegates");
	if (check_type(r, delegates, json_is_array(delegates),
		       "Invalid value at 'delegates': expected a list of strings.") != 0)
		return -EINVAL;
	n = json_is_array(delegates) ? json_array_size(delegates) : 0;
	if (n > MAX_DELEGATES) {
		reply_invalid(r, "Request contains an invalid argument.");
		return -EINVAL;
	}

	const char *name = http_param(r, "sa");
	if (!name || target_get(c, name, t) != 0) {
		cloud_reply_permission_denied(r, permission);
		return -EACCES;
	}
	json_t *project = cloud_project_get(c, t->project);
	if (!project) {
		target_free(t);
		cloud_reply_permission_denied(r, permission);
		return -EACCES;
	}
	rc = cloud_require_service(c, r, project, SERVICE);
	json_decref(project);
	if (rc != 0) {
		if (!r->replied)
			cloud_reply_internal(r);
		target_free(t);
		return rc;
	}

	if (n > 0 && !(chain = calloc(n, sizeof(*chain)))) {
		cloud_reply_internal(r);
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *d = json_string_value(json_array_get(delegates, i));
		const char *dn = d ? delegate_name(d) : NULL;
		if (!d) {
			reply_invalid(r,
				      "Invalid value at 'delegates': expected a list of strings.");
			rc = -EINVAL;
			goto out;
		}
		if (!dn || target_get(c, dn, &chain[i]) != 0) {
			cloud_reply_permission_denied(r, PERM_DELEGATE);
			rc = -EACCES;
			goto out;
		}
	}
	const char *denied = NULL;
	rc = iamcredentials_decide(c, who, t, chain, n, permission, &denied);
	if (rc == -EACCES)
		cloud_reply_permission_denied(r, denied);
	else if (rc != 0)
		cloud_reply_internal(r);
	if (rc == 0)
		rc = cloud_sa_refuse_disabled(r, t->sa);
out:
	if (chain)
		for (size_t i = 0; i < n; i++)
			target_free(&chain[i]);
	free(chain);
	if (rc != 0)
		target_free(t);
	return rc;
}

/* Parses a google.protobuf.Duration in JSON form ("3600s", "1.5s") into whole
 * seconds (a fraction rounds up). 0 or -EINVAL. */
static int parse_duration(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t digits = 0;
	int frac = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 12)
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (!digits)
		return -EINVAL;
	if (*p == '.') {
		p++;
		size_t fd = 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++fd > 9)
				return -EINVAL;
			frac |= *p != '0';
		}
		if (!fd)
			return -EINVAL;
	}
	if (p[0] != 's' || p[1] != '\0')
		return -EINVAL;
	*out = v + frac;
	return 0;
}

/* POST .../serviceAccounts/{sa}:generateAccessToken */
static void handle_generate_access_token(struct http_req *r)
{
	struct cloud *c = r->app;
	struct call x;
	char *scope = NULL, *token = NULL;
	json_t *info = NULL;
	if (begin(r, &x, &jschema_iamcredentials_GenerateAccessTokenRequest) != 0)
		goto out;
	json_t *lt = json_object_get(x.cc.body, "lifetime");
	json_t *sc = json_object_get(x.cc.body, "scope");
	if (check_type(r, lt, json_is_string(lt),
		       "Invalid value at 'lifetime' (type.googleapis.com/"
		       "google.protobuf.Duration), expected a string such as \"3600s\".") != 0 ||
	    check_type(r, sc, json_is_array(sc),
		       "Invalid value at 'scope': expected a list of strings.") != 0)
		goto out;
	if (authorize(r, &x.cc.who, x.cc.body, x.cc.permission, &x.t) != 0)
		goto out;

	int64_t lifetime = CLOUD_TOKEN_TTL;
	if (json_is_string(lt) && parse_duration(json_string_value(lt), &lifetime) != 0) {
		http_reply_gerror(r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL,
				  "Invalid value at 'lifetime' (type.googleapis.com/"
				  "google.protobuf.Duration), \"%.64s\"",
				  json_string_value(lt));
		goto out;
	}
	if (lifetime <= 0) {
		reply_invalid(r, "Request contains an invalid argument.");
		goto out;
	}
	if (lifetime > MAX_LIFETIME) {
		http_reply_gerror(
			r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL,
			"Access tokens for service account %s can not have lifetimes of "
			"more than 1 hour. Use the Org Policy Constraint "
			"constraints/iam.allowServiceAccountCredentialLifetimeExtension to "
			"allow up to 12 hours.",
			x.t.email);
		goto out;
	}

	/* The scopes, joined by spaces. */
	size_t ns = json_array_size(sc), total = 1;
	if (ns == 0 || ns > MAX_SCOPES) {
		reply_invalid(r, ns ? "Request contains an invalid argument." : "Scope required.");
		goto out;
	}
	for (size_t i = 0; i < ns; i++) {
		json_t *s = json_array_get(sc, i);
		size_t l = json_string_length(s);
		if (!json_is_string(s) || l == 0 || l > MAX_SCOPE_LEN ||
		    strpbrk(json_string_value(s), " \t\r\n")) {
			reply_invalid(r, "Request contains an invalid argument.");
			goto out;
		}
		total += l + 1;
	}
	scope = malloc(total);
	if (!scope) {
		cloud_reply_internal(r);
		goto out;
	}
	scope[0] = '\0';
	for (size_t i = 0; i < ns; i++) {
		if (i)
			strcat(scope, " ");
		strcat(scope, json_string_value(json_array_get(sc, i)));
	}

	/* The account's uniqueId as authorize read it (cloud_token_issue need not read it). */
	info = json_pack("{s:s, s:s, s:s, s:O*}", "kind", "serviceAccount", "email", x.t.email,
			 "scope", scope, "uid", json_object_get(x.t.sa, "uniqueId"));
	int64_t now = cloud_now_ms() / 1000;
	if (!info || cloud_token_issue(c, info, lifetime, &token) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	char exp[32];
	clock_rfc3339(now + lifetime, exp);
	http_reply_json(r, 200, json_pack("{s:s, s:s}", "accessToken", token, "expireTime", exp));
out:
	free(token);
	free(scope);
	json_decref(info);
	end(&x);
}

/* POST .../serviceAccounts/{sa}:generateIdToken */
static void handle_generate_id_token(struct http_req *r)
{
	struct cloud *c = r->app;
	struct call x;
	json_t *claims = NULL;
	char *jwt = NULL;
	if (begin(r, &x, &jschema_iamcredentials_GenerateIdTokenRequest) != 0)
		goto out;
	json_t *aud = json_object_get(x.cc.body, "audience");
	json_t *inc = json_object_get(x.cc.body, "includeEmail");
	if (check_type(r, inc, json_is_boolean(inc),
		       "Invalid value at 'include_email' (TYPE_BOOL).") != 0 ||
	    check_type(r, aud, json_is_string(aud), "Invalid value at 'audience' (TYPE_STRING).") !=
		    0)
		goto out;
	if (authorize(r, &x.cc.who, x.cc.body, x.cc.permission, &x.t) != 0)
		goto out;
	if (!json_is_string(aud) || json_string_length(aud) == 0 ||
	    json_string_length(aud) > MAX_AUDIENCE_LEN) {
		reply_invalid(r, "Request contains an invalid argument.");
		goto out;
	}
	int64_t now = cloud_now_ms() / 1000;
	claims = json_pack("{s:O, s:s}", "aud", aud, "azp", x.t.unique_id);
	if (claims && json_is_true(inc)) {
		json_object_set_new(claims, "email", json_string(x.t.email));
		json_object_set_new(claims, "email_verified", json_true());
	}
	if (claims) {
		json_object_set_new(claims, "exp", json_integer(now + ID_TOKEN_TTL));
		json_object_set_new(claims, "iat", json_integer(now));
		json_object_set_new(claims, "iss", json_string("https://accounts.google.com"));
		json_object_set_new(claims, "sub", json_string(x.t.unique_id));
	}
	if (!claims || !(jwt = jwt_sign(c->signing_key, c->signing_kid, NULL, claims))) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_pack("{s:s}", "token", jwt));
out:
	free(jwt);
	json_decref(claims);
	end(&x);
}

/* What signJwt and signBlob sign: the "payload" string (borrowed from the body), after
 * authorizing the route's permission. A payload of another JSON type is refused before
 * authorization (type is its proto type in the message), a missing one after. NULL after replying.
 */
static const json_t *sign_payload(struct http_req *r, struct call *x, const char *type)
{
	json_t *payload = json_object_get(x->cc.body, "payload");
	char msg[64];
	snprintf(msg, sizeof(msg), "Invalid value at 'payload' (%s).", type);
	if (check_type(r, payload, json_is_string(payload), msg) != 0 ||
	    authorize(r, &x->cc.who, x->cc.body, x->cc.permission, &x->t) != 0)
		return NULL;
	if (!json_is_string(payload)) {
		reply_invalid(r, "Request contains an invalid argument.");
		return NULL;
	}
	return payload;
}

/* signJwt signs claims for the account itself: an "iss" that is an email must be the
 * account's, and a "sub" that names a service account must be this one (a user "sub"
 * stays allowed: that is how domain-wide delegation is requested). 0, or -EPERM after
 * replying 400. */
static int claims_name_other_account(struct http_req *r, const json_t *claims, const char *email)
{
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	size_t sl = sub ? strlen(sub) : 0, dl = strlen(SA_EMAIL_SUFFIX);
	int other_iss = iss && strchr(iss, '@') && strcmp(iss, email) != 0;
	int other_sub = sub && sl > dl && strcmp(sub + sl - dl, SA_EMAIL_SUFFIX) == 0 &&
			strcmp(sub, email) != 0;
	if ((json_object_get(claims, "iss") && !iss) || (json_object_get(claims, "sub") && !sub)) {
		reply_invalid(r, "Payload contains an invalid iss or sub claim.");
		return -EPERM;
	}
	if (other_iss || other_sub) {
		reply_invalid(r, "The iss and sub claims of the payload may only name the service "
				 "account that signs it.");
		return -EPERM;
	}
	return 0;
}

/* POST .../serviceAccounts/{sa}:signJwt */
static void handle_sign_jwt(struct http_req *r)
{
	struct cloud *c = r->app;
	struct call x;
	json_t *claims = NULL, *header = NULL;
	char *jwt = NULL, kid[41];
	const json_t *payload;
	EVP_PKEY *key = NULL;
	if (begin(r, &x, &jschema_iamcredentials_SignJwtRequest) != 0 ||
	    !(payload = sign_payload(r, &x, "TYPE_STRING")))
		goto out;
	claims = json_loadb(json_string_value(payload), json_string_length(payload),
			    JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(claims)) {
		reply_invalid(r, "Payload is not a valid JSON object.");
		goto out;
	}
	/* Google adds exp (one hour ahead) when it is missing and refuses more than 12h. */
	int64_t now = cloud_now_ms() / 1000;
	json_t *exp = json_object_get(claims, "exp");
	if (!exp) {
		json_object_set_new(claims, "exp", json_integer(now + 3600));
	} else if (!json_is_integer(exp)) {
		reply_invalid(r, "Payload contains an invalid exp claim.");
		goto out;
	} else if (json_integer_value(exp) > now + SIGNJWT_MAX_EXP) {
		reply_invalid(r, "The exp claim in the payload must be at most 12 hours in the "
				 "future.");
		goto out;
	}
	if (claims_name_other_account(r, claims, x.t.email) != 0)
		goto out;
	/* Signed with a key of this account only: it verifies as this account and no other. */
	if (syskeys_signer(c, x.t.project, x.t.email, &key, kid) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	header = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "kid", kid, "typ", "JWT");
	if (!header || !(jwt = jwt_sign(key, kid, header, claims))) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_pack("{s:s, s:s}", "keyId", kid, "signedJwt", jwt));
out:
	EVP_PKEY_free(key);
	free(jwt);
	json_decref(header);
	json_decref(claims);
	end(&x);
}

/* POST .../serviceAccounts/{sa}:signBlob */
static void handle_sign_blob(struct http_req *r)
{
	struct cloud *c = r->app;
	struct call x;
	unsigned char *data = NULL, *sig = NULL;
	size_t data_len = 0, sig_len = 0;
	char *sig64 = NULL, kid[41];
	const json_t *payload;
	EVP_PKEY *key = NULL;
	if (begin(r, &x, &jschema_iamcredentials_SignBlobRequest) != 0 ||
	    !(payload = sign_payload(r, &x, "TYPE_BYTES")))
		goto out;
	const char *p = json_string_value(payload);
	/* Proto JSON accepts standard or URL-safe base64 for bytes. */
	if (b64_decode(p, strlen(p), &data, &data_len) != 0 &&
	    b64url_decode(p, strlen(p), &data, &data_len) != 0) {
		http_reply_gerror(r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL,
				  "Invalid value at 'payload' (TYPE_BYTES), Base64 decoding failed "
				  "for \"%.64s\"",
				  p);
		goto out;
	}
	if (syskeys_signer(c, x.t.project, x.t.email, &key, kid) != 0 ||
	    rs256_sign(key, data, data_len, &sig, &sig_len) != 0 ||
	    !(sig64 = b64_encode(sig, sig_len))) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_pack("{s:s, s:s}", "keyId", kid, "signedBlob", sig64));
out:
	EVP_PKEY_free(key);
	free(sig64);
	free(sig);
	free(data);
	end(&x);
}

#define SA_PATH "/iamcredentials/v1/projects/{project}/serviceAccounts/{sa}"
/* Each method's permission is checked on the target account (or its project), or at the
 * end of a delegation chain whose hops need implicitDelegation. */
static const struct cloud_route routes[] = {
	{"POST", SA_PATH ":generateAccessToken", handle_generate_access_token,
	 "iam.serviceAccounts.getAccessToken", 0, NULL},
	{"POST", SA_PATH ":generateIdToken", handle_generate_id_token,
	 "iam.serviceAccounts.getOpenIdToken", 0, NULL},
	{"POST", SA_PATH ":signJwt", handle_sign_jwt, "iam.serviceAccounts.signJwt", 0, NULL},
	{"POST", SA_PATH ":signBlob", handle_sign_blob, "iam.serviceAccounts.signBlob", 0, NULL},
};
const struct cloud_api iamcredentials_api = CLOUD_API(SERVICE, routes);
