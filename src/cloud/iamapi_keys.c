/*
 * iamapi_keys.c - the IAM API's service-account keys: create (Google's JSON or .p12 key
 * file), list, get, delete, enable, disable; the public keys of service accounts as JWKs
 * and X.509 certificates (/service_accounts/v1/metadata/{jwk,x509}); and the key files
 * `gkeid up` mints.
 */
#include "cloud/iamapi.h"

/* ---- keys ------------------------------------------------------------------------- */

/* The API view of a stored key record (without the public key material). */
static json_t *key_view(const json_t *rec)
{
	json_t *j = json_pack(
		"{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "name", iamapi_str(rec, "name"),
		"validAfterTime", iamapi_str(rec, "validAfterTime"), "validBeforeTime",
		iamapi_str(rec, "validBeforeTime"), "keyAlgorithm", iamapi_str(rec, "keyAlgorithm"),
		"keyOrigin", iamapi_str(rec, "keyOrigin"), "keyType", iamapi_str(rec, "keyType"));
	if (j && json_is_true(json_object_get(rec, "disabled")))
		json_object_set_new(j, "disabled", json_true());
	return j;
}

/* The key file a client saves: Google's JSON credentials, pointed at gkeid. malloc'd. */
static char *key_file_json(struct cloud *c, const char *project, const char *kid, const char *pem,
			   const char *email, const char *client_id)
{
	char token_uri[256], certs[256], x509_url[1024];
	char *enc = evhttp_uriencode(email, -1, 0);
	if (!enc)
		return NULL;
	int bad = SFMT(token_uri, "%s/oauth2/token", c->base_url) ||
		  SFMT(certs, "%s/oauth2/v1/certs", c->base_url) ||
		  SFMT(x509_url, "%s/service_accounts/v1/metadata/x509/%s", c->base_url, enc);
	free(enc);
	if (bad)
		return NULL;
	json_t *j =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type",
			  "service_account", "project_id", project, "private_key_id", kid,
			  "private_key", pem, "client_email", email, "client_id", client_id,
			  "auth_uri", "https://accounts.google.com/o/oauth2/auth", "token_uri",
			  token_uri, "auth_provider_x509_cert_url", certs, "client_x509_cert_url",
			  x509_url, "universe_domain", "googleapis.com");
	if (!j)
		return NULL;
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	if (!t) {
		OPENSSL_cleanse(s, n);
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

/* The key as a PKCS#12 file with Google's password, base64. malloc'd. */
static char *key_p12_b64(EVP_PKEY *k, const char *cert_pem)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	PKCS12 *p12 = cert ? PKCS12_create(P12_PASSWORD, "privatekey", k, cert, NULL, 0, 0, 0, 0, 0)
			   : NULL;
	unsigned char *der = NULL;
	int n = p12 ? i2d_PKCS12(p12, &der) : -1;
	char *out = n > 0 ? b64_encode(der, (size_t)n) : NULL;
	if (n > 0)
		OPENSSL_cleanse(der, (size_t)n);
	OPENSSL_free(der);
	PKCS12_free(p12);
	X509_free(cert);
	BIO_free(b);
	ERR_clear_error();
	return out;
}

/* Counts the account's user-managed keys. */
/* The number of user-managed keys of the account (system-managed ones do not count
 * against Google's limit). */
static int count_user_keys(struct store *s, const char *sa_key, size_t *n_keys)
{
	char prefix[1100];
	struct store_kv *kvs = NULL;
	size_t n = 0;
	*n_keys = 0;
	int rc = SFMT(prefix, "%s/keys/", sa_key);
	if (rc == 0)
		rc = store_range(s, prefix, 0, &kvs, &n, NULL);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		*n_keys += rec && !syskey_is_system(rec);
		json_decref(rec);
	}
	store_kvs_free(kvs, n);
	return rc;
}

/* Mints a user-managed key of the account (resource "projects/P/serviceAccounts/EMAIL")
 * and stores its public record. name gets the key's resource name, now its creation
 * time; *data the privateKeyData (base64 of the JSON key file or of the PKCS#12) and,
 * when file is not NULL, *file the JSON key file itself (both malloc'd, secret).
 * 0 or -errno. */
static int key_mint(struct cloud *c, const char *resource, const char *project_id,
		    const char *email, const char *uid, int p12, char name[1200], char now[32],
		    char **data, char **file)
{
	EVP_PKEY *k = NULL;
	json_t *rec = NULL;
	char *priv = NULL, *pub = NULL, *cert = NULL, *json = NULL;
	char kid[41], key[1210];
	int rc = -ENOMEM;

	*data = NULL;
	if (file)
		*file = NULL;
	if (!(k = key_generate()))
		goto out;
	key_id(k, kid);
	time_t t = (time_t)(cloud_now_ms() / 1000);
	clock_rfc3339(t, now);
	if (!kid[0] || !(priv = key_private_pem(k)) || !(pub = key_public_pem(k)) ||
	    !(cert = key_cert_pem(k, uid[0] ? uid : "service account", kid, t, 0)))
		goto out;
	if ((rc = sfmt(name, 1200, "%s/keys/%s", resource, kid)) != 0 ||
	    (rc = SFMT(key, "/%s", name)) != 0)
		goto out;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "validAfterTime",
			now, "validBeforeTime", VALID_FOREVER, "keyAlgorithm", "KEY_ALG_RSA_2048",
			"keyOrigin", "GOOGLE_PROVIDED", "keyType", "USER_MANAGED", "publicKeyPem",
			pub, "x509Pem", cert);
	if (!rec)
		goto out;
	if (p12) {
		*data = key_p12_b64(k, cert);
	} else if ((json = key_file_json(c, project_id, kid, priv, email, uid))) {
		*data = b64_encode(json, strlen(json));
	}
	if (!*data)
		goto out;
	if ((rc = iamapi_put_json(c->store, key, rec, STORE_ABSENT)) != 0) {
		OPENSSL_cleanse(*data, strlen(*data));
		free(*data);
		*data = NULL;
		goto out;
	}
	if (file) {
		*file = json;
		json = NULL;
	}
out:
	EVP_PKEY_free(k);
	json_decref(rec);
	if (priv)
		OPENSSL_cleanse(priv, strlen(priv));
	if (json)
		OPENSSL_cleanse(json, strlen(json));
	free(priv);
	free(json);
	free(pub);
	free(cert);
	return rc;
}

/* POST .../keys {"privateKeyType","keyAlgorithm"} */
static void key_create(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *body = NULL, *resp = NULL;
	char *data = NULL;
	char name[1200], now[32];
	size_t n_keys;
	int p12 = 0;

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (!(body = jschema_body(r, 1, &jschema_iam_CreateServiceAccountKeyRequest)))
		goto out;
	json_t *type = json_object_get(body, "privateKeyType");
	json_t *alg = json_object_get(body, "keyAlgorithm");
	const char *ts = json_string_value(type), *as = json_string_value(alg);
	if (type && !json_is_null(type)) {
		if (ts && !strcmp(ts, "TYPE_PKCS12_FILE")) {
			p12 = 1;
		} else if (!ts || (strcmp(ts, "TYPE_UNSPECIFIED") &&
				   strcmp(ts, "TYPE_GOOGLE_CREDENTIALS_FILE"))) {
			iamapi_reply_bad_value(r, "private_key_type",
					       "type.googleapis.com/"
					       "google.iam.admin.v1.ServiceAccountPrivateKeyType",
					       type);
			goto out;
		}
	}
	if (alg && !json_is_null(alg)) {
		if (!as || (strcmp(as, "KEY_ALG_UNSPECIFIED") && strcmp(as, "KEY_ALG_RSA_2048") &&
			    strcmp(as, "KEY_ALG_RSA_1024"))) {
			iamapi_reply_bad_value(r, "key_algorithm",
					       "type.googleapis.com/"
					       "google.iam.admin.v1.ServiceAccountKeyAlgorithm",
					       alg);
			goto out;
		}
		if (!strcmp(as, "KEY_ALG_RSA_1024")) {
			iamapi_reply_status(r, 400, "INVALID_ARGUMENT",
					    "Key algorithm KEY_ALG_RSA_1024 is not supported; use "
					    "KEY_ALG_RSA_2048.");
			goto out;
		}
	}
	if (count_user_keys(c->store, x.key, &n_keys) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	if (n_keys >= USER_KEYS_MAX) {
		iamapi_reply_status(r, 400, "FAILED_PRECONDITION", "Precondition check failed.");
		goto out;
	}
	const char *uid = iamapi_str(x.sa, "uniqueId") ? iamapi_str(x.sa, "uniqueId") : "";
	int rc = key_mint(c, x.resource, x.project_id, x.email, uid, p12, name, now, &data, NULL);
	if (rc != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "privateKeyType",
			 p12 ? "TYPE_PKCS12_FILE" : "TYPE_GOOGLE_CREDENTIALS_FILE",
			 "privateKeyData", data, "validAfterTime", now, "validBeforeTime",
			 VALID_FOREVER, "keyAlgorithm", "KEY_ALG_RSA_2048", "keyOrigin",
			 "GOOGLE_PROVIDED", "keyType", "USER_MANAGED");
	http_reply_json(r, 200, resp); /* NULL gives 500 */
	resp = NULL;
out:
	iamapi_sa_ctx_free(&x);
	json_decref(body);
	json_decref(resp);
	if (data)
		OPENSSL_cleanse(data, strlen(data));
	free(data);
}

/* ?keyTypes=USER_MANAGED&keyTypes=SYSTEM_MANAGED (repeatable); none means both. */
static int key_types(struct http_req *r, int *user, int *system)
{
	struct evkeyval *kv;
	int any = 0;
	*user = *system = 0;
	TAILQ_FOREACH(kv, &r->query, next)
	{
		if (strcmp(kv->key, "keyTypes") != 0)
			continue;
		any = 1;
		if (!strcmp(kv->value, "USER_MANAGED")) {
			*user = 1;
		} else if (!strcmp(kv->value, "SYSTEM_MANAGED")) {
			*system = 1;
		} else if (!strcmp(kv->value, "KEY_TYPE_UNSPECIFIED")) {
			*user = *system = 1;
		} else {
			iamapi_reply_bad_query(
				r, "key_types",
				"type.googleapis.com/"
				"google.iam.admin.v1.ListServiceAccountKeysRequest.KeyType",
				kv->value);
			return -EINVAL;
		}
	}
	if (!any)
		*user = *system = 1;
	return 0;
}

static void key_list(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *keys = NULL, *resp = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	char prefix[1100];
	int user, system;

	if (iamapi_sa_open(r, &x) != 0)
		goto out;
	if (key_types(r, &user, &system) != 0)
		goto out;
	if (!(keys = json_array()) || !(resp = json_object())) {
		cloud_reply_internal(r);
		goto out;
	}
	/* Every account has a system-managed key of its own, as on Google. */
	if (system && syskeys_ensure(c, x.project_id, x.email) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	if (SFMT(prefix, "%s/keys/", x.key) != 0 ||
	    store_range(c->store, prefix, 0, &kvs, &n, NULL) != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	int64_t now = cloud_now_ms() / 1000;
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		int sys = syskey_is_system(rec);
		json_t *v = rec && (sys ? system && syskey_published(rec, now) : user)
				    ? key_view(rec)
				    : NULL;
		json_decref(rec);
		if (v && json_array_append_new(keys, v) != 0) {
			cloud_reply_internal(r);
			goto out;
		}
	}
	if (json_array_size(keys))
		json_object_set(resp, "keys", keys);
	http_reply_json(r, 200, resp);
	resp = NULL;
out:
	iamapi_sa_ctx_free(&x);
	store_kvs_free(kvs, n);
	json_decref(keys);
	json_decref(resp);
}

/* Opens the key {key} of the account (user- or system-managed; a system key no longer
 * published is gone): 0 with *rec (new reference) and the store key in skey, or -errno
 * after replying. */
static int key_open(struct http_req *r, struct sa_ctx *x, json_t **rec, int64_t *rev,
		    char skey[1200])
{
	struct cloud *c = r->app;
	const char *kid = http_param(r, "key");
	*rec = NULL;
	if (iamapi_sa_open(r, x) != 0)
		return -EACCES;
	if (kid && iamapi_is_hex(kid, 40)) {
		if (sfmt(skey, 1200, "%s/keys/%s", x->key, kid) == 0 &&
		    iamapi_load_json(c->store, skey, rec, rev) == 0 &&
		    (!syskey_is_system(*rec) || syskey_published(*rec, cloud_now_ms() / 1000)))
			return 0;
		json_decref(*rec);
		*rec = NULL;
	}
	iamapi_reply_status(r, 404, "NOT_FOUND", "Unknown service account key");
	return -ENOENT;
}

/* ?publicKeyType=TYPE_NONE|TYPE_X509_PEM_FILE|TYPE_RAW_PUBLIC_KEY */
static void key_get(struct http_req *r)
{
	struct sa_ctx x;
	json_t *rec = NULL, *view = NULL;
	char skey[1200], *data = NULL;
	unsigned char *der = NULL;
	EVP_PKEY *pk = NULL;
	int64_t rev;

	const char *type = http_query(r, "publicKeyType");
	if (key_open(r, &x, &rec, &rev, skey) != 0)
		goto out;
	if (type && strcmp(type, "TYPE_NONE") && strcmp(type, "TYPE_X509_PEM_FILE") &&
	    strcmp(type, "TYPE_RAW_PUBLIC_KEY")) {
		iamapi_reply_bad_query(
			r, "public_key_type",
			"type.googleapis.com/google.iam.admin.v1.ServiceAccountPublicKeyType",
			type);
		goto out;
	}
	view = key_view(rec);
	if (!view) {
		cloud_reply_internal(r);
		goto out;
	}
	if (type && !strcmp(type, "TYPE_X509_PEM_FILE")) {
		const char *pem = iamapi_str(rec, "x509Pem");
		if (!pem || !(data = b64_encode(pem, strlen(pem)))) {
			cloud_reply_internal(r);
			goto out;
		}
	} else if (type && !strcmp(type, "TYPE_RAW_PUBLIC_KEY")) {
		/* DER SubjectPublicKeyInfo */
		const char *pem = iamapi_str(rec, "publicKeyPem");
		pk = pem ? key_from_pem(pem, strlen(pem)) : NULL;
		int n = pk ? i2d_PUBKEY(pk, &der) : -1;
		if (n <= 0 || !(data = b64_encode(der, (size_t)n))) {
			ERR_clear_error();
			cloud_reply_internal(r);
			goto out;
		}
	}
	if (data)
		json_object_set_new(view, "publicKeyData", json_string(data));
	http_reply_json(r, 200, view);
	view = NULL;
out:
	iamapi_sa_ctx_free(&x);
	json_decref(rec);
	json_decref(view);
	EVP_PKEY_free(pk);
	OPENSSL_free(der);
	free(data);
}

static void key_delete(struct http_req *r)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *rec = NULL;
	char skey[1200];
	int64_t rev;

	if (key_open(r, &x, &rec, &rev, skey) != 0)
		goto out;
	if (syskey_is_system(rec)) {
		iamapi_reply_status(r, 400, "FAILED_PRECONDITION",
				    "System-managed keys cannot be deleted.");
		goto out;
	}
	int rc = store_delete(c->store, skey, STORE_ANY_REV, NULL);
	if (rc == -ENOENT) {
		iamapi_reply_status(r, 404, "NOT_FOUND", "Unknown service account key");
		goto out;
	}
	if (rc != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_object());
out:
	iamapi_sa_ctx_free(&x);
	json_decref(rec);
}

static void key_set_disabled(struct http_req *r, int disabled)
{
	struct cloud *c = r->app;
	struct sa_ctx x;
	json_t *rec = NULL, *body = NULL;
	char skey[1200];
	int64_t rev = 0;

	if (key_open(r, &x, &rec, &rev, skey) != 0)
		goto out;
	if (!(body = jschema_body(r, 1,
				  disabled ? &jschema_iam_DisableServiceAccountKeyRequest
					   : &jschema_iam_EnableServiceAccountKeyRequest)))
		goto out;
	if (syskey_is_system(rec)) {
		iamapi_reply_status(r, 400, "FAILED_PRECONDITION",
				    "System-managed keys cannot be disabled or enabled.");
		goto out;
	}
	int rc = 0;
	if (json_is_true(json_object_get(rec, "disabled")) != disabled) {
		if (disabled)
			rc = json_object_set_new(rec, "disabled", json_true());
		else
			json_object_del(rec, "disabled");
		rc = rc ? -ENOMEM : iamapi_put_json(c->store, skey, rec, rev);
	}
	if (rc == -ECANCELED) {
		iamapi_reply_status(r, 409, "ABORTED",
				    "The key was modified concurrently. Please retry.");
		goto out;
	}
	if (rc != 0) {
		cloud_reply_internal(r);
		goto out;
	}
	http_reply_json(r, 200, json_object());
out:
	iamapi_sa_ctx_free(&x);
	json_decref(rec);
	json_decref(body);
}

static void key_disable(struct http_req *r)
{
	key_set_disabled(r, 1);
}

static void key_enable(struct http_req *r)
{
	key_set_disabled(r, 0);
}

/* ---- public keys of service accounts (no authentication, as Google) ------------------ */

/* Finds the account named by {email} (or unique ID) and ranges its stored keys. 0 with
 * *sa_out (new reference) and the key records in *kvs (*n of them), or -errno after
 * replying. */
static int public_keys(struct http_req *r, json_t **sa_out, struct store_kv **kvs, size_t *n)
{
	struct cloud *c = r->app;
	const char *id = http_param(r, "email");
	char prefix[1100];
	*sa_out = NULL;
	*kvs = NULL;
	*n = 0;
	json_t *sa = id && strlen(id) <= ID_MAX && iamapi_printable(id)
			     ? iamapi_sa_lookup(c, id, NULL)
			     : NULL;
	const char *pid = iamapi_str(sa, "projectId"), *email = iamapi_str(sa, "email");
	if (!pid || !email) {
		json_decref(sa);
		iamapi_reply_status(r, 404, "NOT_FOUND", "Unknown service account");
		return -ENOENT;
	}
	if (SFMT(prefix, "/projects/%s/serviceAccounts/%s/keys/", pid, email) != 0 ||
	    syskeys_ensure(c, pid, email) != 0 ||
	    store_range(c->store, prefix, 0, kvs, n, NULL) != 0) {
		json_decref(sa);
		cloud_reply_internal(r);
		return -EIO;
	}
	*sa_out = sa;
	return 0;
}

/* The account's published public keys: a JWK Set ({"keys":[...]}, as_jwk) or a map of
 * key ID to X.509 certificate, each from its key record. */
static void reply_public_keys(struct http_req *r, int as_jwk)
{
	json_t *sa = NULL, *out = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;

	if (public_keys(r, &sa, &kvs, &n) != 0)
		goto done;
	if (!(out = as_jwk ? json_array() : json_object())) {
		cloud_reply_internal(r);
		goto done;
	}
	int64_t now = cloud_now_ms() / 1000;
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *pem = iamapi_str(rec, as_jwk ? "publicKeyPem" : "x509Pem");
		const char *kid = strrchr(kvs[i].key, '/');
		if (pem && kid && syskey_published(rec, now)) {
			if (as_jwk) {
				EVP_PKEY *k = key_from_pem(pem, strlen(pem));
				json_t *jwk = k ? key_jwk(k, kid + 1) : NULL;
				if (jwk)
					json_array_append_new(out, jwk);
				EVP_PKEY_free(k);
			} else {
				json_object_set_new(out, kid + 1, json_string(pem));
			}
		}
		json_decref(rec);
	}
	http_reply_json(r, 200, as_jwk ? json_pack("{s:O}", "keys", out) : json_incref(out));
done:
	json_decref(sa);
	json_decref(out);
	store_kvs_free(kvs, n);
}

static void metadata_jwk(struct http_req *r)
{
	reply_public_keys(r, 1);
}

static void metadata_x509(struct http_req *r)
{
	reply_public_keys(r, 0);
}

#define KEY "iam.serviceAccountKeys."
#define PUBLIC_WHY "public keys, published without authentication as Google's are"
/* ---- routes ----------------------------------------------------------------------- */

static const struct cloud_route routes[] = {
	{"GET", SA_PATH "/keys", key_list, KEY "list", 1, NULL},
	{"POST", SA_PATH "/keys", key_create, KEY "create", 0, NULL},
	{"GET", SA_PATH "/keys/{key}", key_get, KEY "get", 1, NULL},
	{"DELETE", SA_PATH "/keys/{key}", key_delete, KEY "delete", 0, NULL},
	{"POST", SA_PATH "/keys/{key}:disable", key_disable, KEY "disable", 0, NULL},
	{"POST", SA_PATH "/keys/{key}:enable", key_enable, KEY "enable", 0, NULL},
	{"GET", "/service_accounts/v1/metadata/jwk/{email}", metadata_jwk, NULL, 1, PUBLIC_WHY},
	{"GET", "/service_accounts/v1/metadata/x509/{email}", metadata_x509, NULL, 1, PUBLIC_WHY},
};
const struct cloud_api iamapi_keys_api = CLOUD_API(IAMAPI_SERVICE, routes);
#undef KEY

/* ---- for `gkeid up` ----------------------------------------------------------------- */

int iamapi_key_file_new(struct cloud *c, const char *email, char **file)
{
	char resource[1024], name[1200], now[32];
	char *data = NULL;
	*file = NULL;
	json_t *sa = cloud_sa_get(c, email);
	const char *pid = iamapi_str(sa, "projectId"), *uid = iamapi_str(sa, "uniqueId");
	int rc = -ENOENT;
	if (!pid || !uid)
		goto out;
	if ((rc = SFMT(resource, "projects/%s/serviceAccounts/%s", pid, email)) != 0)
		goto out;
	rc = key_mint(c, resource, pid, email, uid, 0, name, now, &data, file);
	if (data)
		OPENSSL_cleanse(data, strlen(data));
	free(data);
out:
	json_decref(sa);
	return rc;
}

int iamapi_key_usable(struct cloud *c, const char *email, const char *kid)
{
	char project[PROJECT_MAX + 1], key[1200];
	json_t *sa = NULL, *rec = NULL;
	int ok = 0;
	if (!kid || !iamapi_is_hex(kid, strlen(kid)) || strlen(kid) > 64 ||
	    !cloud_sa_project_of(c, email, project, sizeof(project)))
		return 0;
	sa = cloud_sa_get(c, email);
	if (sa && SFMT(key, "/projects/%s/serviceAccounts/%s/keys/%s", project, email, kid) == 0 &&
	    !json_is_true(json_object_get(sa, "disabled")) &&
	    iamapi_load_json(c->store, key, &rec, NULL) == 0 &&
	    !json_is_true(json_object_get(rec, "disabled")))
		ok = 1;
	json_decref(sa);
	json_decref(rec);
	return ok;
}
