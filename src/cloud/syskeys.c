/*
 * syskeys.c - the system-managed (Google-managed) keys of each service account: made
 * on first need, rotated, published, and used by signJwt and signBlob (see cloud.h).
 *
 * Google: "System-managed keys are automatically rotated by Google, and are used for
 * signing for a maximum of two weeks", and a key stays published for hours after its
 * last use (IAM REST reference, projects.serviceAccounts.keys). gkeid signs with a key
 * for SYSKEY_SIGN_FOR (7 days) and publishes it for SYSKEY_VALID_FOR (14 days), so a
 * JWT signed on its last day (exp at most 12 h ahead) still verifies. Each key belongs
 * to one account: its record sits under that account's keys, its private half is
 * sealed (core/seal.h) with the record's own store key as context, and a verifier finds
 * it only under the account that the token names.
 */
#include "cloud/cloud.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/jwt.h"
#include "core/seal.h"
#include "core/store.h"

#define KEY_PATH_MAX 1200

static const char *str(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

static int64_t int_field(const json_t *obj, const char *name)
{
	return json_integer_value(json_object_get(obj, name));
}

int syskey_is_system(const json_t *rec)
{
	const char *t = str(rec, "keyType");
	return t && strcmp(t, "SYSTEM_MANAGED") == 0;
}

int syskey_published(const json_t *rec, int64_t now)
{
	if (!json_is_object(rec) || json_is_true(json_object_get(rec, "disabled")))
		return 0;
	return !syskey_is_system(rec) || int_field(rec, "validBeforeUnix") > now;
}

int syskey_can_sign(const json_t *rec, int64_t now)
{
	int64_t made = int_field(rec, "validAfterUnix");
	return syskey_is_system(rec) && syskey_published(rec, now) && made > 0 && made <= now &&
	       now - made < SYSKEY_SIGN_FOR && str(rec, "privateKeySealed");
}

static int keys_prefix(char out[KEY_PATH_MAX], const char *project, const char *email)
{
	int n = snprintf(out, KEY_PATH_MAX, "/projects/%s/serviceAccounts/%s/keys/", project,
			 email);
	return n < 0 || n >= KEY_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The newest system key of the account that may sign now (*rec, new reference, and its
 * store key), or *rec NULL. System keys no longer published are deleted on the way. */
static int current(struct cloud *c, const char *prefix, int64_t now, json_t **rec,
		   char key[KEY_PATH_MAX])
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int64_t best_made = 0;
	*rec = NULL;
	int rc = store_range(c->store, prefix, 0, &kvs, &n, NULL);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		if (syskey_is_system(r) && int_field(r, "validBeforeUnix") <= now) {
			(void)store_delete(c->store, kvs[i].key, kvs[i].mod_rev, NULL);
		} else if (syskey_can_sign(r, now) && int_field(r, "validAfterUnix") >= best_made &&
			   strlen(kvs[i].key) < KEY_PATH_MAX) {
			best_made = int_field(r, "validAfterUnix");
			json_decref(*rec);
			*rec = json_incref(r);
			memcpy(key, kvs[i].key, strlen(kvs[i].key) + 1);
		}
		json_decref(r);
	}
	store_kvs_free(kvs, n);
	return 0;
}

/* Makes a new system key for the account and stores its record (*rec, new reference). */
static int mint(struct cloud *c, const char *prefix, const char *email, int64_t now, json_t **rec,
		char key[KEY_PATH_MAX])
{
	EVP_PKEY *k = NULL;
	char *priv = NULL, *pub = NULL, *cert = NULL, *sealed = NULL, *val = NULL;
	char kid[41], after[CLOCK_RFC3339_LEN], before[CLOCK_RFC3339_LEN];
	int rc = -ENOMEM;
	*rec = NULL;
	if (!(k = key_generate()))
		goto out;
	key_id(k, kid);
	rc = -ENAMETOOLONG;
	if (!kid[0] || (size_t)snprintf(key, KEY_PATH_MAX, "%s%s", prefix, kid) >= KEY_PATH_MAX)
		goto out;
	rc = -ENOMEM;
	clock_rfc3339(now, after);
	clock_rfc3339(now + SYSKEY_VALID_FOR, before);
	if (!(priv = key_private_pem(k)) || !(pub = key_public_pem(k)) ||
	    !(cert = key_cert_pem(k, email, kid, (time_t)now, (time_t)(now + SYSKEY_VALID_FOR))) ||
	    !(sealed = seal(c->seal_key, priv, strlen(priv), key)))
		goto out;
	/* "name" is the resource name: the store key without its leading '/'. */
	*rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "name", key + 1,
			 "validAfterTime", after, "validBeforeTime", before, "keyAlgorithm",
			 "KEY_ALG_RSA_2048", "keyOrigin", "GOOGLE_PROVIDED", "keyType",
			 "SYSTEM_MANAGED", "publicKeyPem", pub, "x509Pem", cert, "privateKeySealed",
			 sealed, "validAfterUnix", (json_int_t)now, "validBeforeUnix",
			 (json_int_t)(now + SYSKEY_VALID_FOR));
	if (!*rec || !(val = json_dumps(*rec, JSON_COMPACT)))
		goto out;
	rc = store_put(c->store, key, val, strlen(val), STORE_ABSENT, NULL);
out:
	if (rc != 0) {
		json_decref(*rec);
		*rec = NULL;
	}
	if (priv)
		OPENSSL_cleanse(priv, strlen(priv));
	EVP_PKEY_free(k);
	free(priv);
	free(pub);
	free(cert);
	free(sealed);
	free(val);
	return rc;
}

/* The account's current signing record, made when there is none. */
static int signing_record(struct cloud *c, const char *project, const char *email, json_t **rec,
			  char key[KEY_PATH_MAX])
{
	char prefix[KEY_PATH_MAX];
	int64_t now = cloud_now_ms() / 1000;
	int rc = keys_prefix(prefix, project, email);
	if (rc == 0)
		rc = current(c, prefix, now, rec, key);
	if (rc == 0 && !*rec)
		rc = mint(c, prefix, email, now, rec, key);
	return rc;
}

int syskeys_ensure(struct cloud *c, const char *project, const char *email)
{
	json_t *rec = NULL;
	char key[KEY_PATH_MAX];
	if (!c->has_seal_key)
		return -ENOKEY;
	int rc = signing_record(c, project, email, &rec, key);
	json_decref(rec);
	return rc;
}

int syskeys_signer(struct cloud *c, const char *project, const char *email, EVP_PKEY **key,
		   char kid[41])
{
	json_t *rec = NULL;
	unsigned char *pem = NULL;
	size_t pem_len = 0;
	char skey[KEY_PATH_MAX];
	*key = NULL;
	if (!c->has_seal_key)
		return -ENOKEY;
	int rc = signing_record(c, project, email, &rec, skey);
	if (rc != 0)
		goto out;
	const char *id = strrchr(skey, '/') + 1;
	if (strlen(id) != 40) {
		rc = -EINVAL;
		goto out;
	}
	if ((rc = unseal(c->seal_key, str(rec, "privateKeySealed"), skey, &pem, &pem_len)) != 0)
		goto out;
	if (!(*key = key_from_pem((const char *)pem, pem_len))) {
		rc = -EINVAL;
		goto out;
	}
	memcpy(kid, id, 41);
out:
	if (pem) {
		OPENSSL_cleanse(pem, pem_len);
		free(pem);
	}
	json_decref(rec);
	return rc;
}
