/*
 * test_catalog.c - the role catalogue (src/iam/catalog.c): the compact "gkeid-roles 1"
 * text that scripts/gen-roles.py writes (escapes, sorted ids, gkeid's additions, every
 * malformed form refused), and, when the build embedded Google's full catalogue
 * (data/README), the roles of the Workload Identity tutorials with the permissions
 * Google lists for them (issue 14: roles/storage.objectViewer and its like were "not
 * supported for this resource").
 */
#include "t.h"

#include "core/embed.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A small catalogue in the compact form: ids are deltas into the sorted table. */
static const char small[] =
	"gkeid-roles 1\n"
	"source a test\n"
	"permissions 5\n"
	"iam.serviceAccountKeys.create\n"
	"iam.serviceAccounts.actAs\n"
	"iam.serviceAccounts.get\n"
	"storage.objects.get\n"
	"storage.objects.list\n"
	"roles 3\n"
	"roles/iam.serviceAccountUser\tGA\tService Account User\tRun "
	"operations as the service account.\t1\n"
	"roles/owner\tGA\tOwner\tFull access to all resources.\t0 1 1 1 1\n"
	"roles/storage.objectViewer\tBETA\tStorage Object Viewer\tline one\\nline "
	"two\\t\\\\end\t3 1\n";

static struct iam *load(const char *text)
{
	struct iam *iam = NULL;

	if (iam_new(NULL, text, strlen(text), 0, &iam) < 0)
		return NULL;
	return iam;
}

static void test_compact(void)
{
	struct iam *iam = load(small);
	const char *const *names;
	json_t *role, *list;
	size_t n;

	CHECK(iam != NULL);
	if (!iam)
		return;
	/* the deltas: objectViewer is 3 then 3+1 */
	CHECK(iam_role_has(iam, "roles/storage.objectViewer", "storage.objects.get"));
	CHECK(iam_role_has(iam, "roles/storage.objectViewer", "storage.objects.list"));
	CHECK(!iam_role_has(iam, "roles/storage.objectViewer", "iam.serviceAccounts.get"));
	CHECK(iam_role_has(iam, "roles/iam.serviceAccountUser", "iam.serviceAccounts.actAs"));
	role = iam_role_json(iam, "roles/storage.objectViewer");
	CHECK_STR(json_string_value(json_object_get(role, "title")), "Storage Object Viewer");
	CHECK_STR(json_string_value(json_object_get(role, "description")),
		  "line one\nline two\t\\end");
	CHECK_STR(json_string_value(json_object_get(role, "stage")), "BETA");
	CHECK_EQ_INT(json_array_size(json_object_get(role, "includedPermissions")), 2);
	json_decref(role);
	/* gkeid's own: the owner gets its three permissions, and its role is added */
	role = iam_role_json(iam, "roles/owner");
	CHECK_EQ_INT(json_array_size(json_object_get(role, "includedPermissions")), 5 + 3);
	json_decref(role);
	CHECK(iam_role_has(iam, "roles/gkeid.faultInjector", "gkeid.faults.set"));
	list = iam_roles_list(iam);
	CHECK_EQ_INT(json_array_size(list), 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "name")),
		  "roles/gkeid.faultInjector");
	json_decref(list);
	/* the table is sorted, gkeid's permissions merged into it */
	n = iam_permissions(iam, &names);
	CHECK_EQ_INT(n, 8);
	for (size_t i = 1; i < n; i++)
		CHECK(strcmp(names[i - 1], names[i]) < 0);
	CHECK_STR(names[0], "gkeid.faults.clear");
	CHECK_EQ_INT(iam_permission_after(iam, NULL), 0);
	CHECK_EQ_INT(iam_permission_after(iam, "gkeid.faults.set"), 3);
	CHECK_EQ_INT(iam_permission_after(iam, "h"), 3);
	CHECK_EQ_INT(iam_permission_after(iam, "zzz"), n);
	/* prefixes, as queryGrantableRoles asks for a service account */
	CHECK(iam_role_has_prefix(iam, "roles/iam.serviceAccountUser", "iam.serviceAccounts."));
	CHECK(!iam_role_has_prefix(iam, "roles/iam.serviceAccountUser", "iam.serviceAccountKeys."));
	CHECK(iam_role_has_prefix(iam, "roles/owner", "iam.serviceAccountKeys."));
	CHECK(!iam_role_has_prefix(iam, "roles/storage.objectViewer", "iam."));
	CHECK(!iam_role_has_prefix(iam, "roles/nope", "iam."));
	CHECK(iam_role_known(iam, "roles/owner"));
	CHECK(!iam_role_known(iam, "roles/editor"));
	iam_free(iam);
}

/* A JSON catalogue in any order gets the same sorted ids. */
static void test_json_sorted(void)
{
	static const char cat[] =
		"{\"roles\":[{\"name\":\"roles/b\",\"includedPermissions\":[\"z.a.b\",\"a.b.c\"]},"
		"{\"name\":\"roles/a\",\"includedPermissions\":[\"m.n.o\",\"a.b.c\",\"a.b.c\"]}]}";
	struct iam *iam = load(cat);
	const char *const *names;
	json_t *role;

	CHECK(iam != NULL);
	if (!iam)
		return;
	CHECK_EQ_INT(iam_permissions(iam, &names), 6);
	CHECK_STR(names[0], "a.b.c");
	CHECK_STR(names[5], "z.a.b");
	role = iam_role_json(iam, "roles/a");
	CHECK_EQ_INT(json_array_size(json_object_get(role, "includedPermissions")), 2);
	CHECK_STR(
		json_string_value(json_array_get(json_object_get(role, "includedPermissions"), 0)),
		"a.b.c");
	CHECK_STR(
		json_string_value(json_array_get(json_object_get(role, "includedPermissions"), 1)),
		"m.n.o");
	json_decref(role);
	iam_free(iam);
}

static void test_bad_compact(void)
{
	static const char *const bad[] = {
		"gkeid-roles 2\npermissions 0\nroles 0\n",
		"gkeid-roles 1\npermissions 0\nroles 0", /* no final newline */
		"gkeid-roles 1\npermissions 1\nroles 0\n",
		"gkeid-roles 1\npermissions 2\nb.c.d\na.b.c\nroles 0\n",      /* out of order */
		"gkeid-roles 1\npermissions 2\na.b.c\na.b.c\nroles 0\n",      /* twice */
		"gkeid-roles 1\npermissions 1\na b.c\nroles 0\n",	      /* a space */
		"gkeid-roles 1\npermissions 0\nroles 1\nroles/a\tGA\tt\td\n", /* four fields */
		"gkeid-roles 1\npermissions 0\nroles 1\nroles/a\tGA\tt\td\t\tx\n", /* six */
		"gkeid-roles 1\npermissions 0\nroles 1\nroles/a\tSOON\tt\td\t\n",  /* stage */
		"gkeid-roles 1\npermissions 0\nroles 1\nroles/a\tGA\tt\\q\td\t\n", /* escape */
		"gkeid-roles 1\npermissions 0\nroles 1\nroles/a\tGA\tt\\\td\t\n",  /* dangling */
		"gkeid-roles 1\npermissions 0\nroles 1\nrole/a\tGA\tt\td\t\n",	   /* name */
		"gkeid-roles 1\npermissions 1\na.b.c\nroles 1\nroles/a\tGA\tt\td\t1\n", /* range */
		"gkeid-roles 1\npermissions 2\na.b.c\na.b.d\nroles 1\nroles/a\tGA\tt\td\t0 0\n",
		"gkeid-roles 1\npermissions 1\na.b.c\nroles 1\nroles/a\tGA\tt\td\t0 \n",
		"gkeid-roles 1\npermissions 1\na.b.c\nroles 1\nroles/a\tGA\tt\td\t-0\n",
		"gkeid-roles 1\npermissions 1\na.b.c\nroles 1\nroles/a\tGA\tt\td\t0000000\n",
		"gkeid-roles 1\npermissions 0\nroles 2\nroles/a\tGA\tt\td\t\nroles/a\tGA\tt\td\t\n",
		"gkeid-roles 1\npermissions 0\nroles 0\nextra\n",
		"gkeid-roles 1\npermissions 99999999\n",
		"gkeid-roles 1\npermissions 70000\n",
	};
	struct iam *iam = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = iam_new(NULL, bad[i], strlen(bad[i]), 0, &iam);

		if (rc >= 0)
			fprintf(stderr, "accepted bad catalogue %zu\n", i);
		CHECK(rc < 0);
		CHECK(iam == NULL);
	}
	/* a NUL inside a name is refused, not cut short */
	static const char nul[] = "gkeid-roles 1\npermissions 0\nroles 1\nroles/a\0b\tGA\tt\td\t\n";
	CHECK(iam_new(NULL, nul, sizeof(nul) - 1, 0, &iam) < 0);
	/* the empty compact catalogue loads, with gkeid's role alone */
	iam = load("gkeid-roles 1\npermissions 0\nroles 0\n");
	CHECK(iam && iam_role_has(iam, "roles/gkeid.faultInjector", "gkeid.faults.list"));
	iam_free(iam);
}

/* Google's full catalogue, when the build embedded it (build/catalog-choice). */
static void test_full(void)
{
	static const char *const granted[][2] = {
		/* the tutorials' "grant the GSA its roles" step (issue 14) */
		{"roles/storage.objectViewer", "storage.objects.get"},
		{"roles/storage.objectViewer", "storage.objects.list"},
		{"roles/logging.logWriter", "logging.logEntries.create"},
		{"roles/monitoring.metricWriter", "monitoring.timeSeries.create"},
		{"roles/artifactregistry.reader",
		 "artifactregistry.repositories.downloadArtifacts"},
		{"roles/secretmanager.secretAccessor", "secretmanager.versions.access"},
		{"roles/iam.workloadIdentityUser", "iam.serviceAccounts.getAccessToken"},
		{"roles/iam.workloadIdentityUser", "iam.serviceAccounts.getOpenIdToken"},
		{"roles/container.developer", "container.pods.exec"},
		{"roles/viewer", "resourcemanager.projects.get"},
		{"roles/owner", "resourcemanager.projects.setIamPolicy"},
	};
	struct iam *iam = NULL;
	json_t *list, *role, *perms, *title;
	const char *const *names;
	size_t n, i;
	const json_t *v;

	if (strncmp(embed_roles_json, "gkeid-roles ", 12) != 0) {
		const char *req = getenv("GKEID_REQUIRE_FULL_CATALOG");

		printf("skip test_full: the build embedded data/roles.json (no iam-dataset, "
		       "see data/README)\n");
		CHECK(!req || strcmp(req, "1") != 0);
		return;
	}
	CHECK_EQ_INT(iam_new(NULL, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	if (!iam)
		return;
	list = iam_roles_list(iam);
	CHECK(json_array_size(list) > 2000);
	json_decref(list);
	n = iam_permissions(iam, &names);
	CHECK(n > 10000);
	for (i = 0; i < sizeof(granted) / sizeof(granted[0]); i++) {
		if (!iam_role_has(iam, granted[i][0], granted[i][1]))
			fprintf(stderr, "%s lacks %s\n", granted[i][0], granted[i][1]);
		CHECK(iam_role_has(iam, granted[i][0], granted[i][1]));
	}
	/* Google's texts */
	role = iam_role_json(iam, "roles/storage.objectViewer");
	title = json_object_get(role, "title");
	CHECK_STR(json_string_value(title), "Storage Object Viewer");
	CHECK_STR(json_string_value(json_object_get(role, "stage")), "GA");
	json_decref(role);
	role = iam_role_json(iam, "roles/iam.workloadIdentityUser");
	CHECK_STR(json_string_value(json_object_get(role, "title")), "Workload Identity User");
	json_decref(role);
	/* the basic roles keep Google's meaning: viewer within editor within owner, the
	 * editor without setIamPolicy, the viewer without object data */
	CHECK(!iam_role_has(iam, "roles/editor", "resourcemanager.projects.setIamPolicy"));
	CHECK(!iam_role_has(iam, "roles/viewer", "storage.objects.get"));
	role = iam_role_json(iam, "roles/viewer");
	perms = json_object_get(role, "includedPermissions");
	CHECK(json_array_size(perms) > 1000);
	json_array_foreach(perms, i, v)
	{
		if (!iam_role_has(iam, "roles/editor", json_string_value(v)) ||
		    !iam_role_has(iam, "roles/owner", json_string_value(v))) {
			fprintf(stderr, "viewer's %s is not the editor's and owner's\n",
				json_string_value(v));
			CHECK(0);
			break;
		}
	}
	json_decref(role);
	/* gkeid's additions still there */
	CHECK(iam_role_has(iam, "roles/owner", "gkeid.faults.set"));
	CHECK(!iam_role_has(iam, "roles/editor", "gkeid.faults.set"));
	CHECK(iam_role_has(iam, "roles/gkeid.faultInjector", "gkeid.faults.clear"));
	iam_free(iam);
}

int main(void)
{
	RUN(test_compact);
	RUN(test_json_sorted);
	RUN(test_bad_compact);
	RUN(test_full);
	return t_done();
}
