/*
 * test_groups.c - Google group membership as IAM's checks see it (src/iam/groups.c):
 * direct and nested members, cycles walked once, the depth cap, case-insensitive emails,
 * edges removed, GKE's groups under a security group (iam_groups_under), and a
 * "group:" binding in an allow policy granting through the store and its watch.
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "iam/groups.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_groups.XXXXXX";
static char db_path[128];
static struct store *st;

static struct iam_principal user(const char *member)
{
	struct iam_principal p = {.members = {member}, .n_members = 1, .authenticated = 1};
	return p;
}

static void test_direct_and_nested(void)
{
	struct iam_groups *g = NULL;
	struct iam_principal ann = user("user:ann@example.com");
	struct iam_principal sa = user("serviceAccount:app@p.iam.gserviceaccount.com");
	struct iam_principal bob = user("user:bob@example.com");

	CHECK_EQ_INT(iam_groups_new(NULL, &g), 0);
	CHECK(!iam_groups_has(g, "devs@example.com", &ann)); /* no groups at all */
	CHECK_EQ_INT(iam_groups_edge(g, "devs@example.com", "user:ann@example.com", 1), 0);
	CHECK_EQ_INT(iam_groups_edge(g, "eng@example.com", "group:devs@example.com", 1), 0);
	CHECK_EQ_INT(iam_groups_edge(g, "all@example.com", "group:eng@example.com", 1), 0);
	CHECK_EQ_INT(iam_groups_edge(g, "eng@example.com",
				     "serviceAccount:app@p.iam.gserviceaccount.com", 1),
		     0);
	CHECK(iam_groups_has(g, "devs@example.com", &ann));
	CHECK(iam_groups_has(g, "eng@example.com", &ann)); /* one level of nesting */
	CHECK(iam_groups_has(g, "all@example.com", &ann)); /* two */
	CHECK(iam_groups_has(g, "ALL@Example.com", &ann)); /* emails ignore case */
	CHECK(iam_groups_has(g, "eng@example.com", &sa));
	CHECK(!iam_groups_has(g, "devs@example.com", &sa)); /* not downward */
	CHECK(!iam_groups_has(g, "all@example.com", &bob));
	CHECK(!iam_groups_has(g, "nobody@example.com", &ann));

	/* a member string in another case is the same member */
	struct iam_principal ann_upper = user("user:Ann@Example.COM");
	CHECK(iam_groups_has(g, "all@example.com", &ann_upper));

	/* removing the middle edge cuts the chain above it */
	CHECK_EQ_INT(iam_groups_edge(g, "eng@example.com", "group:devs@example.com", 0), 0);
	CHECK(iam_groups_has(g, "devs@example.com", &ann));
	CHECK(!iam_groups_has(g, "eng@example.com", &ann));
	CHECK(!iam_groups_has(g, "all@example.com", &ann));
	CHECK(iam_groups_has(g, "all@example.com", &sa));
	CHECK_EQ_INT(iam_groups_edge(g, "eng@example.com", "group:devs@example.com", 0), 0);

	/* what is no membership is refused */
	CHECK_EQ_INT(iam_groups_edge(g, "not-an-email", "user:ann@example.com", 1), -EINVAL);
	CHECK_EQ_INT(iam_groups_edge(g, "devs@example.com", "domain:example.com", 1), -EINVAL);
	CHECK_EQ_INT(iam_groups_edge(g, "devs@example.com", "allUsers", 1), -EINVAL);
	CHECK_EQ_INT(iam_groups_edge(g, "a/b@example.com", "user:ann@example.com", 1), -EINVAL);
	iam_groups_free(g);
}

static void test_cycles_and_depth(void)
{
	struct iam_groups *g = NULL;
	struct iam_principal ann = user("user:ann@example.com");
	char name[64], member[80];

	CHECK_EQ_INT(iam_groups_new(NULL, &g), 0);
	/* a -> b -> c -> a, ann in a */
	CHECK_EQ_INT(iam_groups_edge(g, "a@example.com", "user:ann@example.com", 1), 0);
	CHECK_EQ_INT(iam_groups_edge(g, "b@example.com", "group:a@example.com", 1), 0);
	CHECK_EQ_INT(iam_groups_edge(g, "c@example.com", "group:b@example.com", 1), 0);
	CHECK_EQ_INT(iam_groups_edge(g, "a@example.com", "group:c@example.com", 1), 0);
	CHECK(iam_groups_has(g, "c@example.com", &ann));
	CHECK(!iam_groups_has(g, "d@example.com", &ann)); /* the cycle ends the walk */
	/* a group that contains itself */
	CHECK_EQ_INT(iam_groups_edge(g, "self@example.com", "group:self@example.com", 1), 0);
	CHECK(!iam_groups_has(g, "self@example.com", &ann));

	/* a chain longer than the cap: l0 holds ann, l(i+1) holds l(i) */
	CHECK_EQ_INT(iam_groups_edge(g, "l0@example.com", "user:ann@example.com", 1), 0);
	for (int i = 0; i < IAM_GROUPS_MAX_DEPTH + 4; i++) {
		snprintf(name, sizeof(name), "l%d@example.com", i + 1);
		snprintf(member, sizeof(member), "group:l%d@example.com", i);
		CHECK_EQ_INT(iam_groups_edge(g, name, member, 1), 0);
	}
	snprintf(name, sizeof(name), "l%d@example.com", IAM_GROUPS_MAX_DEPTH - 1);
	CHECK(iam_groups_has(g, name, &ann)); /* the cap'th level */
	snprintf(name, sizeof(name), "l%d@example.com", IAM_GROUPS_MAX_DEPTH + 2);
	CHECK(!iam_groups_has(g, name, &ann)); /* beyond it */

	/* in more groups than a small walk holds: found on the heap walk */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "w%d@example.com", i);
		CHECK_EQ_INT(iam_groups_edge(g, name, "user:ann@example.com", 1), 0);
	}
	CHECK_EQ_INT(iam_groups_edge(g, "top@example.com", "group:w99@example.com", 1), 0);
	CHECK(iam_groups_has(g, "top@example.com", &ann));
	CHECK(iam_groups_has(g, "w0@example.com", &ann));
	iam_groups_free(g);
}

/* A "group:" binding grants to the group's members, nested too, through the store. */
static void test_binding_through_store(void)
{
	struct iam *iam = NULL;
	struct iam_principal ann = user("user:ann@example.com");
	struct iam_principal bob = user("user:bob@example.com");
	const char *res[] = {"projects/p1"};
	const char *perm = "resourcemanager.projects.get";
	json_t *pol = json_loads("{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":"
				 "[\"group:eng@example.com\"]}]}",
				 0, NULL);

	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	CHECK_EQ_INT(iam_seed_policy(iam, "projects/p1", pol), 0);
	CHECK(!iam_check(iam, res, 1, &ann, perm, 0));
	CHECK_EQ_INT(iam_group_member_put(st, "devs@example.com", "user:ann@example.com", 1), 0);
	CHECK(!iam_check(iam, res, 1, &ann, perm, 0));
	CHECK_EQ_INT(iam_group_member_put(st, "Eng@example.com", "group:Devs@example.com", 1), 0);
	CHECK(iam_check(iam, res, 1, &ann, perm, 0)); /* nested, seen through the watch */
	struct iam_principal sa = user("serviceAccount:App@p.iam.gserviceaccount.com");
	CHECK(!iam_check(iam, res, 1, &sa, perm, 0));
	CHECK_EQ_INT(iam_group_member_put(st, "devs@example.com",
					  "serviceAccount:app@P.iam.gserviceaccount.com", 1),
		     0);
	CHECK(iam_check(iam, res, 1, &sa, perm, 0)); /* a service account, any case */
	CHECK(!iam_check(iam, res, 1, &bob, perm, 0));
	CHECK_EQ_INT(iam_group_member_put(st, "x", "user:ann@example.com", 1), -EINVAL);

	/* a new engine reads the memberships from the store */
	iam_free(iam);
	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	CHECK(iam_check(iam, res, 1, &ann, perm, 0));

	/* GKE's groups under the security group: the groups ann is in that are (nested)
	 * members of gke-security-groups, the security group itself left out */
	const char *out[8];
	CHECK_EQ_INT(iam_groups_under(iam, &ann, "gke-security-groups@example.com", out, 8), 0);
	CHECK_EQ_INT(iam_group_member_put(st, "gke-security-groups@example.com",
					  "group:eng@example.com", 1),
		     0);
	CHECK_EQ_INT(iam_group_member_put(st, "other@example.com", "user:ann@example.com", 1), 0);
	size_t n = iam_groups_under(iam, &ann, "gke-security-groups@example.com", out, 8);
	CHECK_EQ_INT(n, 2);
	if (n == 2) {
		CHECK_STR(out[0], "devs@example.com");
		CHECK_STR(out[1], "eng@example.com");
	}
	CHECK_EQ_INT(iam_groups_under(iam, &ann, "gke-security-groups@example.com", out, 1), 1);
	/* in more groups than a small walk holds, one of them far down under the root */
	struct iam_principal cy = user("user:cy@example.com");
	char name[64];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "many%d@example.com", i);
		CHECK_EQ_INT(iam_group_member_put(st, name, "user:cy@example.com", 1), 0);
	}
	CHECK_EQ_INT(iam_group_member_put(st, "eng@example.com", "group:many99@example.com", 1), 0);
	n = iam_groups_under(iam, &cy, "gke-security-groups@example.com", out, 8);
	CHECK_EQ_INT(n, 2);
	if (n == 2) {
		CHECK_STR(out[0], "many99@example.com");
		CHECK_STR(out[1], "eng@example.com");
	}
	CHECK_EQ_INT(iam_groups_under(iam, &bob, "gke-security-groups@example.com", out, 8), 0);

	/* removed: the grant goes at once */
	CHECK_EQ_INT(iam_group_member_put(st, "devs@example.com", "user:ann@example.com", 0), 0);
	CHECK(!iam_check(iam, res, 1, &ann, perm, 0));
	CHECK_EQ_INT(iam_group_member_put(st, "devs@example.com", "user:ann@example.com", 0), 0);
	iam_free(iam);
	json_decref(pol);
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
	RUN(test_direct_and_nested);
	RUN(test_cycles_and_depth);
	if (rc == 0)
		RUN(test_binding_through_store);
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
