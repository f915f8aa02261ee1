/*
 * test_ancestry.c - the resource hierarchy as IAM's checks see it (src/iam/ancestry.c):
 * parents recorded in the store reach iam_check through its watch, so a binding on an
 * organization or a folder holds on the folders and projects below it and on a project's
 * own resources, and not on anything outside that subtree; names that are not resources
 * are refused; a cycle or a long chain ends the walk.
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "iam/ancestry.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_ancestry.XXXXXX";
static char db_path[128];
static struct store *st;

#define ORG "organizations/100"
#define ENG "folders/200"
#define TEAM "folders/201"
#define OTHER "folders/300"
#define PROJECT "projects/team-app"
#define SA "projects/team-app/serviceAccounts/a@team-app.iam.gserviceaccount.com"
#define PERM "resourcemanager.projects.get"

static int allowed(struct iam *iam, const char *a, const char *b, const char *perm)
{
	static const char member[] = "user:dev@example.com";
	struct iam_principal p = {.members = {member},
				  .n_members = 1,
				  .email = "dev@example.com",
				  .authenticated = 1};
	const char *res[2] = {a, b};

	return iam_check(iam, res, b ? 2 : 1, &p, perm, 0);
}

static void grant(struct iam *iam, const char *resource, const char *role)
{
	char text[256];
	json_t *p;

	snprintf(text, sizeof(text),
		 "{\"bindings\":[{\"role\":\"%s\",\"members\":[\"user:dev@example.com\"]}]}", role);
	p = json_loads(text, 0, NULL);
	CHECK_EQ_INT(iam_seed_policy(iam, resource, p), 0);
	json_decref(p);
}

static void test_inheritance(void)
{
	struct iam *iam = NULL;

	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	CHECK_EQ_INT(iam_parent_put(st, ENG, ORG), 0);
	CHECK_EQ_INT(iam_parent_put(st, TEAM, ENG), 0);
	CHECK_EQ_INT(iam_parent_put(st, PROJECT, TEAM), 0);
	CHECK_EQ_INT(iam_parent_put(st, OTHER, ORG), 0);
	CHECK(!allowed(iam, PROJECT, NULL, PERM));

	grant(iam, ENG, "roles/browser");
	CHECK(allowed(iam, PROJECT, NULL, PERM)); /* two folders up */
	CHECK(allowed(iam, SA, PROJECT, PERM));	  /* from the project's resources */
	CHECK(allowed(iam, TEAM, NULL, "resourcemanager.folders.get"));
	CHECK(!allowed(iam, OTHER, NULL, "resourcemanager.folders.get"));     /* a sibling */
	CHECK(!allowed(iam, ORG, NULL, "resourcemanager.organizations.get")); /* not upward */
	CHECK(!allowed(iam, SA, NULL, PERM)); /* a chain must name the project */

	/* Moving the project out of engineering takes the grant away. */
	CHECK_EQ_INT(iam_parent_put(st, PROJECT, OTHER), 0);
	CHECK(!allowed(iam, PROJECT, NULL, PERM));
	grant(iam, ORG, "roles/browser");
	CHECK(allowed(iam, PROJECT, NULL, PERM));
	CHECK_EQ_INT(iam_parent_put(st, PROJECT, NULL), 0);
	CHECK(!allowed(iam, PROJECT, NULL, PERM));

	/* A new engine reads the parents from the store. */
	CHECK_EQ_INT(iam_parent_put(st, PROJECT, TEAM), 0);
	iam_free(iam);
	iam = NULL;
	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	CHECK(allowed(iam, PROJECT, NULL, PERM));
	iam_free(iam);
}

static void test_bad_names_and_cycles(void)
{
	struct iam_ancestry *a = NULL;
	const char *out[IAM_ANCESTRY_MAX];
	const char *start[1] = {"folders/1"};
	size_t n;

	CHECK_EQ_INT(iam_parent_put(st, "projects/x/../y", ORG), -EINVAL);
	CHECK_EQ_INT(iam_parent_put(st, PROJECT, "users/me"), -EINVAL);
	CHECK_EQ_INT(iam_parent_put(st, "folders/", ORG), -EINVAL);
	CHECK_EQ_INT(iam_parent_put(st, "folders/1", "folders/2"), 0);
	CHECK_EQ_INT(iam_parent_put(st, "folders/2", "folders/1"), 0);
	CHECK_EQ_INT(iam_ancestry_new(st, &a), 0);
	n = iam_ancestry_expand(a, start, 1, out, IAM_ANCESTRY_MAX);
	CHECK_EQ_INT(n, 2); /* the cycle is walked once */
	CHECK_STR(out[1], "folders/2");
	CHECK_STR(iam_ancestry_parent(a, "folders/2"), "folders/1");
	CHECK(iam_ancestry_parent(a, "folders/9") == NULL);
	n = iam_ancestry_expand(a, start, 1, out, 1);
	CHECK_EQ_INT(n, 1); /* room for one */
	iam_ancestry_free(a);
}

int main(void)
{
	int rc;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/store.db", dir);
	rc = store_open(db_path, &st);
	CHECK_EQ_INT(rc, 0);
	if (rc == 0) {
		RUN(test_inheritance);
		RUN(test_bad_names_and_cycles);
	}
	store_close(st);
	static const char *const suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		char path[160];

		snprintf(path, sizeof(path), "%s%s", db_path, suffix[i]);
		unlink(path);
	}
	rmdir(dir);
	return t_done();
}
