/*
 * test_gkeid_roles.c - gkeid's own permissions in the role catalog (src/iam/catalog.c): the
 * fault endpoint's gkeid.faults.list, .set and .clear are held by roles/owner and
 * roles/gkeid.faultInjector and by no other role, so that only a project's owner (or
 * whom the owner grants the role) can break gkeid on purpose (issue 9: the fault
 * endpoint was open to any local process).
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const perms[] = {"gkeid.faults.clear", "gkeid.faults.list", "gkeid.faults.set"};
#define N_PERMS (sizeof(perms) / sizeof(perms[0]))

static char dir[] = "/tmp/test_gkeid_roles.XXXXXX";
static char db_path[128];
static struct store *st;

static struct iam *new_iam(void)
{
	struct iam *iam = NULL;

	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	return iam;
}

/* The number of permissions roles/owner has in the embedded catalogue itself: in the
 * compact form (data/README), the ids on its line; in JSON, its includedPermissions. */
static size_t owner_in_data(void)
{
	static const char line[] = "\nroles/owner\t";
	const char *at = strstr(embed_roles_json, line), *p, *end;
	json_t *root;
	size_t i, n = 0;
	const json_t *r;

	if (at) {
		end = strchr(at + 1, '\n');
		for (p = end; p > at && p[-1] != '\t'; p--)
			n += p[-1] == ' ';
		return p == end ? 0 : n + 1;
	}
	root = json_loadb(embed_roles_json, EMBED_LEN(roles_json), 0, NULL);

	json_array_foreach(json_object_get(root, "roles"), i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "name")) ?: "", "roles/owner") == 0)
			n = json_array_size(json_object_get(r, "includedPermissions"));
	}
	json_decref(root);
	return n;
}

static int sorted(const json_t *arr, const char *field)
{
	for (size_t i = 1; i < json_array_size(arr); i++) {
		const json_t *a = json_array_get(arr, i - 1), *b = json_array_get(arr, i);
		const char *x =
			field ? json_string_value(json_object_get(a, field)) : json_string_value(a);
		const char *y =
			field ? json_string_value(json_object_get(b, field)) : json_string_value(b);

		if (!x || !y || strcmp(x, y) >= 0)
			return 0;
	}
	return 1;
}

/* Only roles/owner and roles/gkeid.faultInjector hold the fault permissions. */
static void test_holders(void)
{
	struct iam *iam = new_iam();
	json_t *owner, *granting, *role, *list;
	size_t i;
	const json_t *v;

	if (!iam)
		return;
	for (size_t k = 0; k < N_PERMS; k++) {
		CHECK(iam_permission_known(iam, perms[k]));
		CHECK(iam_role_has(iam, "roles/owner", perms[k]));
		CHECK(iam_role_has(iam, "roles/gkeid.faultInjector", perms[k]));
		CHECK(!iam_role_has(iam, "roles/editor", perms[k]));
		CHECK(!iam_role_has(iam, "roles/viewer", perms[k]));
		granting = iam_roles_granting(iam, perms[k]);
		CHECK_EQ_INT(json_array_size(granting), 2);
		json_array_foreach(granting, i, v)
		{
			const char *n = json_string_value(v) ?: "";

			CHECK(strcmp(n, "roles/owner") == 0 ||
			      strcmp(n, "roles/gkeid.faultInjector") == 0);
		}
		json_decref(granting);
	}
	/* the owner keeps Google's permissions, sorted, plus gkeid's three */
	owner = iam_role_json(iam, "roles/owner");
	CHECK_EQ_INT(json_array_size(json_object_get(owner, "includedPermissions")),
		     owner_in_data() + N_PERMS);
	CHECK(sorted(json_object_get(owner, "includedPermissions"), NULL));
	CHECK(iam_role_has(iam, "roles/owner", "resourcemanager.projects.setIamPolicy"));
	json_decref(owner);
	/* the role holds exactly them, and the IAM API lists it in order */
	role = iam_role_json(iam, "roles/gkeid.faultInjector");
	CHECK_STR(json_string_value(json_object_get(role, "title")), "gkeid Fault Injector");
	CHECK_EQ_INT(json_array_size(json_object_get(role, "includedPermissions")), N_PERMS);
	json_decref(role);
	list = iam_roles_list(iam);
	CHECK(sorted(list, "name"));
	json_decref(list);
	iam_free(iam);
}

/* The check path: an editor (everything but the owner's) is refused, an owner and a
 * holder of roles/gkeid.faultInjector are not. */
static void test_checks(void)
{
	struct iam *iam = new_iam();
	const char *res[1] = {"projects/demo-project"};
	json_t *p = json_loads(
		       "{\"bindings\":["
		       "{\"role\":\"roles/owner\",\"members\":[\"user:admin@example.com\"]},"
		       "{\"role\":\"roles/"
		       "editor\",\"members\":[\"serviceAccount:ed@demo-project.iam.gserviceaccount."
		       "com\"]},"
		       "{\"role\":\"roles/gkeid.faultInjector\","
		       "\"members\":[\"serviceAccount:ci@demo-project.iam.gserviceaccount.com\"]}]"
		       "}",
		       0, NULL),
	       *out = NULL;
	struct iam_principal
		admin = {.members = {"user:admin@example.com"}, .n_members = 1, .authenticated = 1},
		editor = {.members = {"serviceAccount:ed@demo-project.iam.gserviceaccount.com"},
			  .n_members = 1,
			  .authenticated = 1},
		ci = {.members = {"serviceAccount:ci@demo-project.iam.gserviceaccount.com"},
		      .n_members = 1,
		      .authenticated = 1};

	if (!iam || !p)
		goto out;
	CHECK_EQ_INT(iam_set_policy(iam, res[0], p, 0, &out, NULL), 0);
	for (size_t k = 0; k < N_PERMS; k++) {
		CHECK(iam_check(iam, res, 1, &admin, perms[k], 1));
		CHECK(!iam_check(iam, res, 1, &editor, perms[k], 1));
		CHECK(iam_check(iam, res, 1, &ci, perms[k], 1));
	}
	CHECK(!iam_check(iam, res, 1, &ci, "resourcemanager.projects.get", 1));
out:
	json_decref(p);
	json_decref(out);
	iam_free(iam);
}

/* A catalog that has the role already loads, once. */
static void test_catalog_has_it(void)
{
	static const char cat[] = "{\"roles\":[{\"name\":\"roles/gkeid.faultInjector\","
				  "\"includedPermissions\":[\"gkeid.faults.list\"]}]}";
	struct iam *iam = NULL;
	json_t *list;

	CHECK_EQ_INT(iam_new(NULL, cat, strlen(cat), 0, &iam), 0);
	list = iam ? iam_roles_list(iam) : NULL;
	CHECK_EQ_INT(json_array_size(list), 1);
	json_decref(list);
	iam_free(iam);
	/* without roles/owner in it, the role is added alone */
	CHECK_EQ_INT(iam_new(NULL, "{\"roles\":[]}", 12, 0, &iam), 0);
	CHECK(iam && iam_role_has(iam, "roles/gkeid.faultInjector", "gkeid.faults.set"));
	iam_free(iam);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/store.db", dir);
	CHECK_EQ_INT(store_open(db_path, &st), 0);
	if (st) {
		RUN(test_holders);
		RUN(test_checks);
		RUN(test_catalog_has_it);
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
