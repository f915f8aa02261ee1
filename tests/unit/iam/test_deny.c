/*
 * test_deny.c - deny policies in the IAM engine (src/iam/deny.c): a deny rule beats an
 * allow binding (iam/docs/deny-overview), exception principals and exception
 * permissions carve out of it, wildcards and the v2 permission form
 * (iam/docs/deny-permissions-support: "cloudresourcemanager.googleapis.com/..." is
 * resourcemanager.*), principals in their v2 form (iam/docs/principal-identifiers),
 * conditions, inheritance from a folder, the store watch (update and delete), the
 * explaining check, and the rules' validation.
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "iam/ancestry.h"
#include "iam/deny.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROJECT "projects/demo-project"
#define KEY IAM_DENY_PREFIX PROJECT "/p1"

static char dir[] = "/tmp/test_deny.XXXXXX";
static struct store *st;

static const struct iam_principal dev = {.members = {"user:dev@example.com"},
					 .n_members = 1,
					 .email = "dev@example.com",
					 .authenticated = 1};
static const struct iam_principal ops = {.members = {"user:ops@example.com"},
					 .n_members = 1,
					 .email = "ops@example.com",
					 .authenticated = 1};
static const struct iam_principal sa = {
	.members = {"serviceAccount:app@demo-project.iam.gserviceaccount.com"},
	.n_members = 1,
	.email = "app@demo-project.iam.gserviceaccount.com",
	.authenticated = 1};

static void put(const char *key, const char *json)
{
	CHECK_EQ_INT(store_put(st, key, json, strlen(json), STORE_ANY_REV, NULL), 0);
}

static int check(struct iam *iam, const struct iam_principal *p, const char *perm, int64_t now)
{
	const char *res[] = {PROJECT};

	return iam_check(iam, res, 1, p, perm, now);
}

static void allow_all(struct iam *iam)
{
	json_t *pol = json_loads(
		"{\"bindings\":[{\"role\":\"roles/owner\",\"members\":[\"user:dev@example.com\","
		"\"user:ops@example.com\",\"serviceAccount:app@demo-project.iam.gserviceaccount."
		"com\"]}]}",
		0, NULL);
	json_t *out = NULL;

	CHECK_EQ_INT(iam_seed_policy(iam, PROJECT, pol), 0);
	json_decref(pol);
	json_decref(out);
}

static void test_forms(void)
{
	char b[256];

	CHECK_EQ_INT(iam_deny_perm_v1("iam.googleapis.com/roles.delete", b, sizeof(b)), 0);
	CHECK_STR(b, "iam.roles.delete");
	CHECK_EQ_INT(iam_deny_perm_v1("cloudresourcemanager.googleapis.com/projects.delete", b,
				      sizeof(b)),
		     0);
	CHECK_STR(b, "resourcemanager.projects.delete");
	CHECK_EQ_INT(iam_deny_perm_v1("container.googleapis.com/*.*", b, sizeof(b)), 0);
	CHECK_STR(b, "container.*.*");
	CHECK_EQ_INT(iam_deny_perm_v1("iam.roles.delete", b, sizeof(b)), -EINVAL);
	CHECK_EQ_INT(iam_deny_perm_v1("iam.googleapis.com/roles", b, sizeof(b)), -EINVAL);
	CHECK_EQ_INT(iam_deny_principal_v2("user:a@b.c", b, sizeof(b)), 0);
	CHECK_STR(b, "principal://goog/subject/a@b.c");
	CHECK_EQ_INT(
		iam_deny_principal_v2("serviceAccount:s@p.iam.gserviceaccount.com", b, sizeof(b)),
		0);
	CHECK_STR(b, "principal://iam.googleapis.com/projects/-/serviceAccounts/"
		     "s@p.iam.gserviceaccount.com");
	CHECK_EQ_INT(iam_deny_principal_v2("group:g@b.c", b, sizeof(b)), 0);
	CHECK_STR(b, "principalSet://goog/group/g@b.c");
	CHECK_EQ_INT(iam_deny_principal_v2("allUsers", b, sizeof(b)), 0);
	CHECK_STR(b, "principalSet://goog/public:all");
	CHECK_EQ_INT(iam_deny_principal_v2("domain:b.c", b, sizeof(b)), -EINVAL);
}

static int valid(const char *rules)
{
	json_t *j = json_loads(rules, 0, NULL);
	char *err = NULL;
	int rc = iam_deny_validate(j, &err);

	CHECK(rc == 0 ? err == NULL : err != NULL);
	free(err);
	json_decref(j);
	return rc;
}

static void test_validate(void)
{
	CHECK_EQ_INT(
		valid("[{\"denyRule\":{\"deniedPrincipals\":[\"principalSet://goog/public:all\"],"
		      "\"deniedPermissions\":[\"iam.googleapis.com/roles.delete\"]}}]"),
		0);
	CHECK_EQ_INT(valid("[{\"denyRule\":{\"deniedPrincipals\":[\"user:a@b.c\"],"
			   "\"deniedPermissions\":[\"iam.googleapis.com/roles.delete\"]}}]"),
		     -EINVAL);
	CHECK_EQ_INT(
		valid("[{\"denyRule\":{\"deniedPrincipals\":[\"principalSet://goog/public:all\"],"
		      "\"deniedPermissions\":[\"iam.roles.delete\"]}}]"),
		-EINVAL);
	CHECK_EQ_INT(valid("[{\"denyRule\":{\"deniedPrincipals\":[\"principalSet://goog/"
			   "public:all\"]}}]"),
		     -EINVAL);
	CHECK_EQ_INT(
		valid("[{\"denyRule\":{\"deniedPrincipals\":[\"principalSet://goog/public:all\"],"
		      "\"deniedPermissions\":[\"iam.googleapis.com/roles.delete\"],"
		      "\"denialCondition\":{\"expression\":\"request.time <\"}}}]"),
		-EINVAL);
}

static void test_deny(void)
{
	struct iam *iam = NULL;
	struct iam_decision d;
	const char *res[] = {PROJECT};

	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	if (!iam)
		return;
	allow_all(iam);
	CHECK(check(iam, &dev, "resourcemanager.projects.delete", 0));
	/* deny beats allow; exceptions carve out */
	put(KEY,
	    "{\"rules\":[{\"denyRule\":{"
	    "\"deniedPrincipals\":[\"principalSet://goog/public:all\"],"
	    "\"exceptionPrincipals\":[\"principal://goog/subject/ops@example.com\"],"
	    "\"deniedPermissions\":[\"cloudresourcemanager.googleapis.com/projects.*\"],"
	    "\"exceptionPermissions\":[\"cloudresourcemanager.googleapis.com/projects.get\"]}}]}");
	CHECK(!check(iam, &dev, "resourcemanager.projects.delete", 0));
	CHECK(!check(iam, &sa, "resourcemanager.projects.delete", 0));
	CHECK(check(iam, &ops, "resourcemanager.projects.delete", 0));
	CHECK(check(iam, &dev, "resourcemanager.projects.get", 0));
	CHECK(check(iam, &dev, "iam.serviceAccounts.list", 0));
	CHECK_EQ_INT(iam_check_explain(iam, res, 1, &dev, "resourcemanager.projects.delete", 0, &d),
		     0);
	CHECK(d.denied && !d.allowed);
	CHECK_STR(d.deny.attachment, PROJECT);
	CHECK_STR(d.deny.policy, "p1");
	CHECK_EQ_INT(iam_check_explain(iam, res, 1, &dev, "resourcemanager.projects.get", 0, &d),
		     1);
	CHECK(d.allowed && !d.denied && !d.conditional);
	CHECK_STR(d.granted_on, PROJECT);

	/* a service account by its v2 identifier; a condition on time */
	put(KEY,
	    "{\"rules\":[{\"denyRule\":{"
	    "\"deniedPrincipals\":[\"principal://iam.googleapis.com/projects/-/serviceAccounts/"
	    "app@demo-project.iam.gserviceaccount.com\"],"
	    "\"deniedPermissions\":[\"iam.googleapis.com/*.list\"],"
	    "\"denialCondition\":{\"title\":\"t\",\"expression\":"
	    "\"request.time >= timestamp('2030-01-01T00:00:00Z')\"}}}]}");
	CHECK(check(iam, &dev, "resourcemanager.projects.delete", 0));
	CHECK(check(iam, &sa, "iam.serviceAccounts.list", 0));
	CHECK(!check(iam, &sa, "iam.serviceAccounts.list", 1924992000000LL)); /* 2031 */
	CHECK(check(iam, &sa, "iam.serviceAccounts.get", 1924992000000LL));
	CHECK(check(iam, &dev, "iam.serviceAccounts.list", 1924992000000LL));

	/* inherited from a folder above the project */
	CHECK_EQ_INT(iam_parent_put(st, PROJECT, "folders/42"), 0);
	put(IAM_DENY_PREFIX "folders/42/f1",
	    "{\"rules\":[{\"denyRule\":{\"deniedPrincipals\":[\"principal://goog/subject/"
	    "dev@example.com\"],"
	    "\"deniedPermissions\":[\"container.googleapis.com/*.*\"]}}]}");
	CHECK(!check(iam, &dev, "container.pods.list", 0));
	CHECK(check(iam, &ops, "container.pods.list", 0));
	/* an email in another case is the same account: the rule still denies */
	put(IAM_DENY_PREFIX "folders/42/f1",
	    "{\"rules\":[{\"denyRule\":{\"deniedPrincipals\":[\"principal://goog/subject/"
	    "Dev@Example.COM\",\"principal://iam.googleapis.com/projects/-/serviceAccounts/"
	    "App@demo-project.iam.gserviceaccount.com\"],"
	    "\"deniedPermissions\":[\"container.googleapis.com/*.*\"]}}]}");
	CHECK(!check(iam, &dev, "container.pods.list", 0));
	CHECK(!check(iam, &sa, "container.pods.list", 0));
	CHECK(check(iam, &ops, "container.pods.list", 0));
	CHECK_EQ_INT(store_delete(st, IAM_DENY_PREFIX "folders/42/f1", STORE_ANY_REV, NULL), 0);
	CHECK(check(iam, &dev, "container.pods.list", 0));
	CHECK_EQ_INT(store_delete(st, KEY, STORE_ANY_REV, NULL), 0);
	CHECK(check(iam, &sa, "iam.serviceAccounts.list", 1924992000000LL));
	iam_free(iam);
}

/* A deny policy written before the engine starts is loaded with it; the troubleshooter's
 * per-rule explanation agrees with the check. */
static void test_load_and_explain(void)
{
	struct iam *iam = NULL;
	json_t *list, *rule;
	int pn = -1, mn = -1, ch = -1;

	put(KEY,
	    "{\"rules\":[{\"denyRule\":{\"deniedPrincipals\":[\"principalSet://goog/public:all\"],"
	    "\"deniedPermissions\":[\"iam.googleapis.com/serviceAccounts.get\"]}}]}");
	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	if (!iam)
		return;
	allow_all(iam);
	CHECK(!check(iam, &dev, "iam.serviceAccounts.get", 0));
	list = iam_deny_policies_of(iam, PROJECT);
	CHECK_EQ_INT(json_array_size(list), 1);
	rule = json_array_get(
		json_object_get(json_object_get(json_array_get(list, 0), "policy"), "rules"), 0);
	CHECK_EQ_INT(iam_deny_rule_explain(iam, rule, &dev, "iam.serviceAccounts.get", PROJECT, 0,
					   &pn, &mn, &ch),
		     1);
	CHECK(pn == 1 && mn == 1 && ch == 1);
	CHECK_EQ_INT(iam_deny_rule_explain(iam, rule, &dev, "iam.serviceAccounts.list", PROJECT, 0,
					   &pn, &mn, &ch),
		     0);
	CHECK(pn == 1 && mn == 0);
	json_decref(list);
	CHECK_EQ_INT(store_delete(st, KEY, STORE_ANY_REV, NULL), 0);
	iam_free(iam);
}

int main(void)
{
	char path[128];

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (store_open(path, &st) != 0)
		return 1;
	RUN(test_forms);
	RUN(test_validate);
	RUN(test_deny);
	RUN(test_load_and_explain);
	store_close(st);
	{
		static const char *const suffix[] = {"", "-wal", "-shm"};

		for (size_t i = 0; i < 3; i++) {
			char p[160];

			snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return t_done();
}
