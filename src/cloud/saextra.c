/*
 * saextra.c - two IAM methods on service accounts beside iamapi.c's: undelete, within
 * Google's 30 days of the deletion (iamapi.c's delete keeps the record through
 * hier_sa_tombstone), and keys.upload of a user-provided public certificate, whose key
 * then verifies the account's self-signed JWTs like a key Google made.
 *
 * Google's behaviour, from the IAM reference and gcloud's command texts: undelete takes
 * the account's unique ID ("projects/-/serviceAccounts/UNIQUE_ID:undelete") and answers
 * {"restoredAccount": ServiceAccount}; an account that is unknown, or deleted more than
 * 30 days ago (then purged: its record here is removed), is PERMISSION_DENIED ("If the
 * service account does not exist, this command returns a PERMISSION_DENIED error.",
 * gcloud iam service-accounts undelete); the members "deleted:serviceAccount:E?uid=U" of
 * allow policies revert to "serviceAccount:E" (google.iam.v1.Binding.members). upload
 * takes publicKeyData, an RSA key wrapped in an X.509 v3 certificate (PEM), and answers
 * the ServiceAccountKey with keyOrigin USER_PROVIDED.
 */
#include "cloud/hier.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloud/gerrors.h"
#include "core/clock.h"
#include "core/dbuf.h"
#include "core/jwt.h"
#include "core/store.h"

#define SERVICE "iam.googleapis.com"
#define TOMB_PREFIX "/deleted/serviceAccounts/"
#define CERT_MAX 16384

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int put_json(struct store *s, const char *key, const json_t *j, int64_t expected)
{
	char *v = json_dumps(j, JSON_COMPACT);
	int rc = v ? store_put(s, key, v, strlen(v), expected, NULL) : -ENOMEM;
	free(v);
	return rc < 0 ? rc : 0;
}

static void internal(struct http_req *r)
{
	http_reply_gerror(r, 500, "INTERNAL", NULL, NULL, NULL, "Internal error encountered.");
}

int hier_sa_tombstone(struct cloud *c, const json_t *sa)
{
	const char *uid = str(sa, "uniqueId");
	char key[96];
	json_t *t;
	int rc;

	if (!uid || strspn(uid, "0123456789") != strlen(uid) ||
	    (rc = SFMT(key, TOMB_PREFIX "%s", uid)) < 0)
		return 0; /* nothing Google could undelete either */
	t = json_pack("{s:O, s:I}", "account", sa, "deletedAtMs", (json_int_t)cloud_now_ms());
	rc = t ? put_json(c->store, key, t, STORE_ANY_REV) : -ENOMEM;
	json_decref(t);
	return rc;
}

int hier_undelete_window_ok(int64_t deleted_at_ms, int64_t now_ms)
{
	return deleted_at_ms <= now_ms && now_ms - deleted_at_ms <= HIER_RETENTION_MS;
}

/* POST /iam/v1/projects/{project}/serviceAccounts/{sa}:undelete, sa a unique ID. */
static void sa_undelete(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	const char *uid = http_param(r, "sa");
	char key[96], sakey[1100], res[1100], proj[160], member[400], gone[440];
	json_t *t = NULL, *sa;
	const char *email, *pid;
	int rc;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	if (uid && strspn(uid, "0123456789") == strlen(uid) &&
	    SFMT(key, TOMB_PREFIX "%s", uid) >= 0)
		t = cloud_store_get_json(c->store, key);
	sa = json_object_get(t, "account");
	email = str(sa, "email");
	pid = str(sa, "projectId");
	json_t *at = json_object_get(t, "deletedAtMs");
	const char *resources[] = {res, proj};
	if (t && json_is_integer(at) &&
	    !hier_undelete_window_ok(json_integer_value(at), cloud_now_ms()))
		(void)store_delete(c->store, key, STORE_ANY_REV, NULL); /* purged */
	if (!email || !pid || !json_is_integer(at) ||
	    !hier_undelete_window_ok(json_integer_value(at), cloud_now_ms()) ||
	    SFMT(res, "projects/%s/serviceAccounts/%s", pid, email) < 0 ||
	    SFMT(proj, "projects/%s", pid) < 0 || SFMT(sakey, "/%s", res) < 0 ||
	    !cloud_allowed(c, &who, resources, 2, "iam.serviceAccounts.undelete")) {
		cloud_reply_permission_denied(r, "iam.serviceAccounts.undelete");
		goto out;
	}
	rc = put_json(c->store, sakey, sa, STORE_ABSENT);
	if (rc == -EEXIST) {
		/* an account of the same email took the name since */
		http_reply_gerror(r, 409, "ALREADY_EXISTS", NULL, NULL, NULL,
				  "Service account %s already exists within project projects/%s.",
				  email, pid);
		goto out;
	}
	if (rc == 0 && (rc = store_delete(c->store, key, STORE_ANY_REV, NULL)) == -ENOENT)
		rc = 0;
	if (rc == 0 && SFMT(member, "serviceAccount:%s", email) >= 0 &&
	    SFMT(gone, "deleted:serviceAccount:%s?uid=%s", email, uid) >= 0)
		rc = iam_member_replace(c->iam, gone, member, cloud_now_ms());
	if (rc != 0)
		internal(r);
	else
		http_reply_json(r, 200, json_pack("{s:O}", "restoredAccount", sa));
out:
	json_decref(t);
}

/* The certificate's time as RFC 3339, in out. 0 or -EINVAL. */
static int cert_time(const ASN1_TIME *a, char out[CLOCK_RFC3339_LEN])
{
	struct tm tm;

	if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
		return -EINVAL;
	clock_rfc3339((int64_t)timegm(&tm), out);
	return 0;
}

/* Parses publicKeyData (base64 of a PEM certificate; apitools sends URL-safe base64):
 * an RSA key of at least 2048 bits. The key and the PEM (malloc'd), or -EINVAL. */
static int cert_parse(const char *b64, X509 **cert, EVP_PKEY **key, char **pem)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int rc = -EINVAL;

	*cert = NULL, *key = NULL, *pem = NULL;
	if (!b64 || strlen(b64) > CERT_MAX * 2 ||
	    (b64_decode(b64, strlen(b64), &raw, &len) != 0 &&
	     b64url_decode(b64, strlen(b64), &raw, &len) != 0))
		return -EINVAL;
	if (len == 0 || len > CERT_MAX || !(bio = BIO_new_mem_buf(raw, (int)len)) ||
	    !(*cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) ||
	    !(*key = X509_get_pubkey(*cert)) || EVP_PKEY_get_base_id(*key) != EVP_PKEY_RSA ||
	    EVP_PKEY_get_bits(*key) < 2048 || !(*pem = strndup((const char *)raw, len)))
		goto out;
	rc = 0;
out:
	BIO_free(bio);
	free(raw);
	if (rc != 0) {
		EVP_PKEY_free(*key);
		X509_free(*cert);
		*cert = NULL, *key = NULL;
	}
	return rc;
}

/* POST /iam/v1/projects/{project}/serviceAccounts/{sa}/keys:upload {"publicKeyData"} */
static void key_upload(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	json_t *sa = NULL, *body = NULL, *rec = NULL;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	char *pem = NULL, *pub = NULL, kid[41], res[1100], proj[160], name[1200], skey[1210];
	char after[CLOCK_RFC3339_LEN], before[CLOCK_RFC3339_LEN];
	const char *email, *pid;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0)
		return;
	sa = http_param(r, "sa") ? cloud_sa_get(c, http_param(r, "sa")) : NULL;
	email = str(sa, "email");
	pid = str(sa, "projectId");
	const char *resources[] = {res, proj};
	if (!email || !pid || SFMT(res, "projects/%s/serviceAccounts/%s", pid, email) < 0 ||
	    SFMT(proj, "projects/%s", pid) < 0 ||
	    !cloud_allowed(c, &who, resources, 2, "iam.serviceAccountKeys.create")) {
		cloud_reply_permission_denied(r, "iam.serviceAccountKeys.create");
		goto out;
	}
	if (!(body = http_json_body(r, 0)))
		goto out;
	if (cert_parse(str(body, "publicKeyData"), &cert, &key, &pem) != 0 ||
	    cert_time(X509_get0_notBefore(cert), after) != 0 ||
	    cert_time(X509_get0_notAfter(cert), before) != 0) {
		gerr_bad_request(r, "public_key_data", "Request contains an invalid argument.");
		goto out;
	}
	key_id(key, kid);
	if (!kid[0] || !(pub = key_public_pem(key)) || SFMT(name, "%s/keys/%s", res, kid) < 0 ||
	    SFMT(skey, "/%s", name) < 0) {
		internal(r);
		goto out;
	}
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "validAfterTime",
			after, "validBeforeTime", before, "keyAlgorithm", "KEY_ALG_RSA_2048",
			"keyOrigin", "USER_PROVIDED", "keyType", "USER_MANAGED", "publicKeyPem",
			pub, "x509Pem", pem);
	int rc = rec ? put_json(c->store, skey, rec, STORE_ABSENT) : -ENOMEM;
	if (rc == -EEXIST) {
		http_reply_gerror(r, 409, "ALREADY_EXISTS", NULL, NULL, NULL,
				  "Requested entity already exists");
	} else if (rc != 0) {
		internal(r);
	} else {
		json_object_del(rec, "publicKeyPem");
		json_object_del(rec, "x509Pem");
		http_reply_json(r, 200, json_incref(rec));
	}
out:
	json_decref(rec);
	json_decref(body);
	json_decref(sa);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(pem);
	free(pub);
}

static const struct cloud_route routes[] = {
	{"POST", "/iam/v1/projects/{project}/serviceAccounts/{sa}:undelete", sa_undelete,
	 "iam.serviceAccounts.undelete", 0, NULL},
	{"POST", "/iam/v1/projects/{project}/serviceAccounts/{sa}/keys:upload", key_upload,
	 "iam.serviceAccountKeys.create", 0, NULL},
};
const struct cloud_api saextra_api = CLOUD_API(SERVICE, routes);
