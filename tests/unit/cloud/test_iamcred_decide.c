/*
 * test_iamcred_decide.c - the decide step of the IAM Credentials API
 * (iamcredentials_decide), without HTTP: a caller acts as a service account when it
 * holds the method's permission on it or its project; through delegates when it holds
 * iam.serviceAccounts.implicitDelegation on the first, each delegate on the next, and the
 * last the method's permission on the target; otherwise the missing permission is the one
 * Google's 403 names ("Permission 'iam.serviceAccounts.getAccessToken' denied ...").
 */
#include "t.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/iamcredentials.h"
#include "core/embed.h"
#include "core/store.h"
#include "iam/iam.h"

#define PERM "iam.serviceAccounts.getAccessToken"

static struct iamcred_target target(const char *email)
{
	struct iamcred_target t = {0};
	t.email = email;
	t.unique_id = email;
	snprintf(t.project, sizeof(t.project), "demo");
	return t;
}

/* Grants role to member on the service account email of project demo. */
static void grant(struct iam *iam, const char *email, const char *role, const char *member)
{
	char res[300];
	snprintf(res, sizeof(res), "projects/demo/serviceAccounts/%s", email);
	json_t *p = json_pack("{s:[{s:s, s:[s]}]}", "bindings", "role", role, "members", member);
	CHECK_EQ_INT(iam_seed_policy(iam, res, p), 0);
	json_decref(p);
}

static void as_user(struct caller *who, const char *email)
{
	memset(who, 0, sizeof(*who));
	who->kind = CALLER_USER;
	snprintf(who->email, sizeof(who->email), "%s", email);
	cloud_caller_principal(who);
}

static void test_decide(struct cloud *c)
{
	static struct caller alice, bob;
	const char *denied = NULL;
	const char *a = "app@demo.iam.gserviceaccount.com", *d1 = "d1@demo.iam.gserviceaccount.com",
		   *d2 = "d2@demo.iam.gserviceaccount.com";
	struct iamcred_target t = target(a), chain[2] = {target(d1), target(d2)};
	as_user(&alice, "alice@example.com");
	as_user(&bob, "bob@example.com");
	grant(c->iam, a, "roles/iam.serviceAccountTokenCreator", "user:alice@example.com");

	/* Directly. */
	CHECK_EQ_INT(iamcredentials_decide(c, &alice, &t, NULL, 0, PERM, &denied), 0);
	CHECK(denied == NULL);
	CHECK_EQ_INT(iamcredentials_decide(c, &bob, &t, NULL, 0, PERM, &denied), -EACCES);
	CHECK_STR(denied, PERM);

	/* bob -> d1 -> d2 -> app: each hop needs its grant, and the first missing one is
	 * the one named. */
	CHECK_EQ_INT(iamcredentials_decide(c, &bob, &t, chain, 2, PERM, &denied), -EACCES);
	CHECK_STR(denied, PERM_DELEGATE);
	grant(c->iam, d1, "roles/iam.serviceAccountTokenCreator", "user:bob@example.com");
	CHECK_EQ_INT(iamcredentials_decide(c, &bob, &t, chain, 2, PERM, &denied), -EACCES);
	CHECK_STR(denied, PERM_DELEGATE); /* d1 may not delegate to d2 */
	grant(c->iam, d2, "roles/iam.serviceAccountTokenCreator",
	      "serviceAccount:d1@demo.iam.gserviceaccount.com");
	CHECK_EQ_INT(iamcredentials_decide(c, &bob, &t, chain, 2, PERM, &denied), -EACCES);
	CHECK_STR(denied, PERM); /* d2 may not act as app */
	grant(c->iam, a, "roles/iam.serviceAccountTokenCreator",
	      "serviceAccount:d2@demo.iam.gserviceaccount.com");
	CHECK_EQ_INT(iamcredentials_decide(c, &bob, &t, chain, 2, PERM, &denied), 0);
	/* A one-hop chain through d1 needs d1's own grant on app, which it lacks. */
	CHECK_EQ_INT(iamcredentials_decide(c, &bob, &t, chain, 1, PERM, &denied), -EACCES);
	CHECK_STR(denied, PERM);
}

int main(void)
{
	char dir[] = "/tmp/test_iamcred_decide.XXXXXX", path[128];
	struct cloud c = {0};
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	CHECK_EQ_INT(store_open(path, &c.store), 0);
	CHECK_EQ_INT(iam_new(c.store, embed_roles_json, EMBED_LEN(roles_json), 0, &c.iam), 0);
	test_decide(&c);
	printf("%s test_decide\n", t_failed ? "FAIL" : "ok");
	iam_free(c.iam);
	store_close(c.store);
	unlink(path);
	char wal[160];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	rmdir(dir);
	return t_done();
}
