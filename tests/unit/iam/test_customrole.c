/*
 * test_customrole.c - custom roles in the IAM engine (src/iam/customrole.c): a binding of
 * a custom role grants its permissions, follows the role's updates without the policy
 * being written again, grants nothing while the role is deleted and again once it is
 * undeleted; with a condition, both apply.
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROJECT "projects/demo-project"
#define ROLE "projects/demo-project/roles/podReader"

static char dir[] = "/tmp/test_customrole.XXXXXX";
static struct store *st;

static void put_role(const char *json)
{
	CHECK_EQ_INT(
		store_put(st, IAM_CUSTOM_ROLE_PREFIX ROLE, json, strlen(json), STORE_ANY_REV, NULL),
		0);
}

static int check(struct iam *iam, const char *perm, int64_t now)
{
	const char *res[] = {PROJECT};
	struct iam_principal p = {.members = {"user:dev@example.com"},
				  .n_members = 1,
				  .email = "dev@example.com",
				  .authenticated = 1};

	return iam_check(iam, res, 1, &p, perm, now);
}

static int set(struct iam *iam, const char *text, char **err)
{
	json_t *pol = json_loads(text, 0, NULL), *out = NULL;
	int rc = iam_set_policy(iam, PROJECT, pol, 0, &out, err);

	json_decref(pol);
	json_decref(out);
	return rc;
}

static void test_custom_role(void)
{
	struct iam *iam = NULL;
	char *err = NULL;

	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	if (!iam)
		return;
	CHECK_EQ_INT(set(iam,
			 "{\"bindings\":[{\"role\":\"" ROLE
			 "\",\"members\":[\"user:dev@example.com\"]}]}",
			 &err),
		     -EINVAL);
	CHECK_STR(err, "Role " ROLE " is not supported for this resource.");
	free(err);
	err = NULL;
	put_role("{\"name\":\"" ROLE "\",\"title\":\"Pod reader\",\"stage\":\"GA\","
		 "\"includedPermissions\":[\"container.pods.get\",\"container.pods.list\"]}");
	CHECK_EQ_INT(set(iam,
			 "{\"version\":3,\"bindings\":[{\"role\":\"" ROLE
			 "\",\"members\":[\"user:dev@example.com\"]},"
			 "{\"role\":\"" ROLE "\",\"members\":[\"user:dev@example.com\"],"
			 "\"condition\":{\"title\":\"t\",\"expression\":\"request.time < "
			 "timestamp('2000-01-01T00:00:00Z')\"}}]}",
			 &err),
		     0);
	CHECK(err == NULL);
	CHECK(check(iam, "container.pods.list", 0));
	CHECK(!check(iam, "container.pods.delete", 0));
	/* an update reaches the compiled policy */
	put_role("{\"name\":\"" ROLE "\",\"title\":\"Pod reader\",\"stage\":\"GA\","
		 "\"includedPermissions\":[\"container.pods.get\",\"container.pods.delete\"]}");
	CHECK(check(iam, "container.pods.delete", 0));
	CHECK(!check(iam, "container.pods.list", 0));
	/* deleted: nothing; undeleted: back */
	put_role("{\"name\":\"" ROLE "\",\"deleted\":true,"
		 "\"includedPermissions\":[\"container.pods.get\",\"container.pods.delete\"]}");
	CHECK(!check(iam, "container.pods.get", 0));
	put_role("{\"name\":\"" ROLE "\",\"includedPermissions\":[\"container.pods.get\"]}");
	CHECK(check(iam, "container.pods.get", 0));
	iam_free(iam);
	/* a new engine over the same store sees the role (loaded before the policies) */
	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	CHECK(iam && check(iam, "container.pods.get", 0));
	CHECK(iam && !check(iam, "container.pods.list", 0));
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
	RUN(test_custom_role);
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
