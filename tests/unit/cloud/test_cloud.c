/*
 * test_cloud.c - the shared cloud helpers: token issue, lookup, expiry and garbage
 * collection over a real store; service-account email parsing; the IAM member strings
 * of each kind of caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cloud/cloud.h"
#include "core/jwt.h"
#include "core/store.h"
#include "t.h"

static char dir[64];

static void test_tokens(void)
{
	struct cloud c = {0};
	char path[128];
	snprintf(path, sizeof(path), "%s/store.db", dir);
	CHECK_EQ_INT(store_open(path, &c.store), 0);
	json_t *info = json_pack("{s:s, s:s}", "kind", "user", "email", "a@example.com");
	char *live = NULL, *dead = NULL;
	CHECK_EQ_INT(cloud_token_issue(&c, info, 3600, &live), 0);
	CHECK_EQ_INT(cloud_token_issue(&c, info, -1, &dead), 0);
	CHECK(live && strncmp(live, "ya29.", 5) == 0);
	CHECK(live && dead && strcmp(live, dead) != 0);
	json_t *rec = cloud_token_lookup(&c, live);
	CHECK_STR(json_string_value(json_object_get(rec, "email")), "a@example.com");
	json_decref(rec);
	CHECK(cloud_token_lookup(&c, dead) == NULL);           /* expired */
	CHECK(cloud_token_lookup(&c, "ya29.forged") == NULL);  /* unknown */
	/* Only the hash is stored: the token text is nowhere in the store. */
	struct store_kv *kvs = NULL;
	size_t n = 0;
	CHECK_EQ_INT(store_range(c.store, "/oauth2/tokens/", 0, &kvs, &n, NULL), 0);
	CHECK_EQ_INT(n, 2);
	for (size_t i = 0; i < n; i++)
		CHECK(strstr(kvs[i].key, live + 5) == NULL && strstr(kvs[i].value, live + 5) == NULL);
	store_kvs_free(kvs, n);
	size_t removed = 0;
	CHECK_EQ_INT(cloud_gc(&c, &removed), 0);
	CHECK_EQ_INT(removed, 1);
	rec = cloud_token_lookup(&c, live);
	CHECK(rec != NULL);
	json_decref(rec);
	free(live);
	free(dead);
	json_decref(info);
	store_close(c.store);
}

static void test_sa_project(void)
{
	char buf[64];
	CHECK_STR(cloud_sa_project("app@demo-project.iam.gserviceaccount.com", buf, sizeof(buf)),
		  "demo-project");
	CHECK(cloud_sa_project("user@example.com", buf, sizeof(buf)) == NULL);
	CHECK(cloud_sa_project("@p.iam.gserviceaccount.com", buf, sizeof(buf)) == NULL);
	CHECK(cloud_sa_project("a@.iam.gserviceaccount.com", buf, sizeof(buf)) == NULL);
	CHECK(cloud_sa_project("a@x/y.iam.gserviceaccount.com", buf, sizeof(buf)) == NULL);
	CHECK(cloud_sa_project(NULL, buf, sizeof(buf)) == NULL);
	char tiny[4];
	CHECK(cloud_sa_project("a@longproject.iam.gserviceaccount.com", tiny, sizeof(tiny)) == NULL);
}

static void test_principals(void)
{
	struct caller who;
	memset(&who, 0, sizeof(who));
	who.kind = CALLER_FEDERATED;
	snprintf(who.pool, sizeof(who.pool), "demo-project.svc.id.goog");
	snprintf(who.subject, sizeof(who.subject), "ns/default/sa/app");
	snprintf(who.project_number, sizeof(who.project_number), "123456789012");
	cloud_caller_principal(&who);
	CHECK_EQ_INT(who.principal.n_members, 4);
	CHECK_STR(who.principal.members[0], "serviceAccount:demo-project.svc.id.goog[default/app]");
	CHECK_STR(who.principal.members[1],
		  "principal://iam.googleapis.com/projects/123456789012/locations/global/"
		  "workloadIdentityPools/demo-project.svc.id.goog/subject/ns/default/sa/app");
	CHECK_STR(who.principal.members[2],
		  "principalSet://iam.googleapis.com/projects/123456789012/locations/global/"
		  "workloadIdentityPools/demo-project.svc.id.goog/namespace/default");
	CHECK(who.principal.authenticated);
	memset(&who, 0, sizeof(who));
	who.kind = CALLER_USER;
	snprintf(who.email, sizeof(who.email), "admin@example.com");
	cloud_caller_principal(&who);
	CHECK_EQ_INT(who.principal.n_members, 1);
	CHECK_STR(who.principal.members[0], "user:admin@example.com");
	CHECK_STR(who.principal.email, "admin@example.com");
	memset(&who, 0, sizeof(who));
	cloud_caller_principal(&who);
	CHECK_EQ_INT(who.principal.n_members, 0);
	CHECK(!who.principal.authenticated);
}

/* Rewrites one integer field of the stored record at key. */
static void set_field(struct store *st, const char *key, const char *name, int64_t v)
{
	struct store_kv kv;
	CHECK_EQ_INT(store_get(st, key, &kv), 0);
	json_t *rec = json_loadb(kv.value, kv.value_len, 0, NULL);
	store_kv_free(&kv);
	json_object_set_new(rec, name, json_integer(v));
	char *val = json_dumps(rec, JSON_COMPACT);
	CHECK_EQ_INT(store_put(st, key, val, strlen(val), STORE_ANY_REV, NULL), 0);
	free(val);
	json_decref(rec);
}

/* Security review (issue 9): each account signs with its own system-managed keys, which
 * rotate, and a JWT verifies only as the account whose key signed it. */
static void test_system_keys(void)
{
	struct cloud c = {0};
	char path[128], key_a[200];
	const char *a = "a@p.iam.gserviceaccount.com", *b = "b@p.iam.gserviceaccount.com";
	snprintf(path, sizeof(path), "%s/keys.db", dir);
	CHECK_EQ_INT(store_open(path, &c.store), 0);
	EVP_PKEY *k = NULL;
	char kid[41], kid2[41], kid_b[41];
	CHECK_EQ_INT(syskeys_signer(&c, "p", a, &k, kid), -ENOKEY); /* no sealing key */
	memset(c.seal_key, 7, sizeof(c.seal_key));
	c.has_seal_key = 1;
	CHECK_EQ_INT(syskeys_signer(&c, "p", a, &k, kid), 0);
	EVP_PKEY_free(k);
	CHECK_EQ_INT(syskeys_signer(&c, "p", a, &k, kid2), 0);
	CHECK_STR(kid, kid2); /* the same key while it may sign */
	EVP_PKEY *kb = NULL;
	CHECK_EQ_INT(syskeys_signer(&c, "p", b, &kb, kid_b), 0);
	CHECK(strcmp(kid, kid_b) != 0); /* another account, another key */

	/* A JWT signed by a's key verifies as a, never as b, whatever it claims. */
	json_t *claims = json_pack("{s:s}", "iss", b);
	char *tok = jwt_sign(k, kid, NULL, claims);
	struct jwt t;
	CHECK_EQ_INT(jwt_parse(tok, &t), 0);
	CHECK_EQ_INT(cloud_sa_jwt_verify(&c, &t, a), 0);
	CHECK_EQ_INT(cloud_sa_jwt_verify(&c, &t, b), -EBADMSG);
	jwt_free(&t);
	free(tok);
	json_decref(claims);
	EVP_PKEY_free(k);
	EVP_PKEY_free(kb);

	/* Rotation: a key older than SYSKEY_SIGN_FOR no longer signs; a new one does, and
	 * the old one stays published until its validBeforeTime, then is gone. */
	int64_t now = cloud_now_ms() / 1000;
	snprintf(key_a, sizeof(key_a), "/projects/p/serviceAccounts/%s/keys/%s", a, kid);
	set_field(c.store, key_a, "validAfterUnix", now - SYSKEY_SIGN_FOR - 1);
	CHECK_EQ_INT(syskeys_signer(&c, "p", a, &k, kid2), 0);
	EVP_PKEY_free(k);
	CHECK(strcmp(kid, kid2) != 0);
	struct store_kv kv;
	CHECK_EQ_INT(store_get(c.store, key_a, &kv), 0);
	json_t *old = json_loadb(kv.value, kv.value_len, 0, NULL);
	store_kv_free(&kv);
	CHECK(syskey_is_system(old));
	CHECK(syskey_published(old, now));
	CHECK(!syskey_can_sign(old, now));
	CHECK(!syskey_published(old, now + SYSKEY_VALID_FOR));
	json_decref(old);
	set_field(c.store, key_a, "validBeforeUnix", now - 1);
	CHECK_EQ_INT(syskeys_ensure(&c, "p", a), 0);
	CHECK_EQ_INT(store_get(c.store, key_a, &kv), -ENOENT); /* expired: removed */

	/* A user-managed record is published while enabled, and never signs. */
	json_t *user = json_pack("{s:s}", "keyType", "USER_MANAGED");
	CHECK(syskey_published(user, now) && !syskey_can_sign(user, now) && !syskey_is_system(user));
	json_object_set_new(user, "disabled", json_true());
	CHECK(!syskey_published(user, now));
	json_decref(user);
	CHECK(!syskey_published(NULL, now));
	cloud_release(&c);
	store_close(c.store);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gkeid-test-cloud.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(test_tokens);
	RUN(test_sa_project);
	RUN(test_principals);
	RUN(test_system_keys);
	t_rmtree(dir);
	return t_done();
}
