/*
 * test_sts.c - STS's registered issuers over a real store: a subject token verifies with
 * the issuer's key, and the parsed keys sts.c keeps between calls never outlive the JWKS
 * they came from: a replaced JWKS (a key rotated under the same kid, a key dropped) and
 * a deleted issuer are honoured by the very next call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "core/jwt.h"
#include "core/store.h"
#include "t.h"

#define ISS "https://container.googleapis.com/v1/projects/p1/locations/l/clusters/c"
#define POOL "p1.svc.id.goog"

static char dir[64];

/* A token of iss signed by k under kid. */
static char *token(EVP_PKEY *k, const char *kid)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", ISS, "aud", POOL, "sub",
				   "system:serviceaccount:default:app", "iat", (json_int_t)1,
				   "exp", (json_int_t)2);
	char *t = jwt_sign(k, kid, NULL, claims);
	json_decref(claims);
	return t;
}

/* Registers ISS with the keys given as (key, kid) pairs. */
static int put(struct cloud *c, size_t n, EVP_PKEY **keys, const char **kids)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, key_jwk(keys[i], kids[i]));
	json_t *jwks = json_pack("{s:o}", "keys", arr);
	int rc = sts_issuer_put(c, ISS, POOL, jwks);
	json_decref(jwks);
	return rc;
}

/* sts_issuer_verify's answer for token text tok. */
static int verify(struct cloud *c, const char *tok)
{
	struct jwt t;
	json_t *rec = NULL;
	if (jwt_parse(tok, &t) != 0)
		return -EINVAL;
	int rc = sts_issuer_verify(c, ISS, &t, &rec);
	/* The record comes with every registered issuer, verified or not. */
	CHECK((rc == -ENOENT) == (rec == NULL));
	if (rec)
		CHECK_STR(json_string_value(json_object_get(rec, "workloadPool")), POOL);
	json_decref(rec);
	jwt_free(&t);
	return rc;
}

static void test_changed_jwks_honoured_at_once(void)
{
	struct cloud c = {0};
	char path[128];
	snprintf(path, sizeof(path), "%s/store.db", dir);
	CHECK_EQ_INT(store_open(path, &c.store), 0);
	const char *proj = "{\"projectId\":\"p1\",\"projectNumber\":\"123\"}";
	CHECK_EQ_INT(store_put(c.store, "/projects/p1", proj, strlen(proj), STORE_ANY_REV, NULL),
		     0);
	EVP_PKEY *a = key_generate(), *b = key_generate();
	CHECK(a && b);
	char *ta = token(a, "k1"), *tb = token(b, "k1"), *tb2 = token(b, "k2");
	CHECK(ta && tb && tb2);

	CHECK_EQ_INT(verify(&c, ta), -ENOENT); /* not registered */
	EVP_PKEY *ka[] = {a};
	const char *k1[] = {"k1"};
	CHECK_EQ_INT(put(&c, 1, ka, k1), 0);
	CHECK_EQ_INT(verify(&c, ta), 0);
	CHECK_EQ_INT(verify(&c, ta), 0); /* again, from the cache */
	CHECK_EQ_INT(verify(&c, tb), -EBADMSG);

	/* Rotated under the same kid: the old key's token is refused on the next call. */
	EVP_PKEY *kb[] = {b};
	CHECK_EQ_INT(put(&c, 1, kb, k1), 0);
	CHECK_EQ_INT(verify(&c, ta), -EBADMSG);
	CHECK_EQ_INT(verify(&c, tb), 0);
	CHECK_EQ_INT(verify(&c, tb2), -EBADMSG); /* kid k2 is not in the JWKS */

	/* Two keys, then one dropped. */
	EVP_PKEY *kab[] = {a, b};
	const char *k12[] = {"k1", "k2"};
	CHECK_EQ_INT(put(&c, 2, kab, k12), 0);
	CHECK_EQ_INT(verify(&c, ta), 0);
	CHECK_EQ_INT(verify(&c, tb2), 0);
	CHECK_EQ_INT(put(&c, 1, ka, k1), 0);
	CHECK_EQ_INT(verify(&c, tb2), -EBADMSG);
	CHECK_EQ_INT(verify(&c, ta), 0);

	/* Deleted (Workload Identity turned off): unknown at once; back with a new key. */
	char key[300];
	snprintf(key, sizeof(key), "/sts/issuers/%s", ISS);
	CHECK_EQ_INT(store_delete(c.store, key, STORE_ANY_REV, NULL), 0);
	CHECK_EQ_INT(verify(&c, ta), -ENOENT);
	CHECK_EQ_INT(put(&c, 1, kb, k1), 0);
	CHECK_EQ_INT(verify(&c, ta), -EBADMSG);
	CHECK_EQ_INT(verify(&c, tb), 0);

	free(ta);
	free(tb);
	free(tb2);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	cloud_release(&c);
	store_close(c.store);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gkeid-test-sts.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(test_changed_jwks_honoured_at_once);
	t_rmtree(dir);
	return t_done();
}
