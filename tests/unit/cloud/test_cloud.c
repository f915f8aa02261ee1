/*
 * test_cloud.c - the shared cloud helpers: token issue, lookup, expiry and garbage
 * collection over a real store; service-account email parsing; the IAM member strings
 * of each kind of caller.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cloud/cloud.h"
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

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gkeid-test-cloud.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(test_tokens);
	RUN(test_sa_project);
	RUN(test_principals);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
