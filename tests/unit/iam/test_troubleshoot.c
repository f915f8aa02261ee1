/*
 * test_troubleshoot.c - the Policy Troubleshooter's engine (src/iam/troubleshoot.c) and
 * IAM resource names (src/iam/resname.c): full resource names both ways
 * (iam/docs/full-resource-names), the chains the APIs check, and an explanation whose
 * verdict is iam_check's, with each binding's and deny rule's annotations.
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "iam/deny.h"
#include "iam/iam.h"
#include "iam/troubleshoot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROJECT "projects/demo-project"
#define NOW 1790000000000LL /* 2026: after the conditions' 2000 */

static char dir[] = "/tmp/test_troubleshoot.XXXXXX";
static struct store *st;

static void test_names(void)
{
	char b[256], bufs[2][256];
	const char *chain[2];

	CHECK_EQ_INT(iam_full_name(PROJECT, b, sizeof(b)), 0);
	CHECK_STR(b, "//cloudresourcemanager.googleapis.com/projects/demo-project");
	CHECK_EQ_INT(iam_full_name("projects/p/serviceAccounts/a@p.iam.gserviceaccount.com", b,
				   sizeof(b)),
		     0);
	CHECK_STR(b, "//iam.googleapis.com/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com");
	CHECK_EQ_INT(iam_full_name("projects/p/locations/l/clusters/c", b, sizeof(b)), 0);
	CHECK_STR(b, "//container.googleapis.com/projects/p/locations/l/clusters/c");
	CHECK_EQ_INT(iam_full_name("folders/12", b, sizeof(b)), 0);
	CHECK_STR(b, "//cloudresourcemanager.googleapis.com/folders/12");
	CHECK_EQ_INT(iam_full_name("projects/p/buckets/x", b, sizeof(b)), -EINVAL);
	CHECK_EQ_INT(iam_full_name(PROJECT, b, 10), -ENAMETOOLONG);
	CHECK_EQ_INT(
		iam_resource_of("//iam.googleapis.com/projects/p/serviceAccounts/e", b, sizeof(b)),
		0);
	CHECK_STR(b, "projects/p/serviceAccounts/e");
	CHECK_EQ_INT(iam_resource_of("//cloudresourcemanager.googleapis.com/organizations/1", b,
				     sizeof(b)),
		     0);
	CHECK_STR(b, "organizations/1");
	/* a name under the wrong service, or not a full name */
	CHECK_EQ_INT(iam_resource_of("//iam.googleapis.com/projects/p", b, sizeof(b)), -EINVAL);
	CHECK_EQ_INT(iam_resource_of("projects/p", b, sizeof(b)), -EINVAL);
	CHECK_EQ_INT(iam_resource_chain("projects/p/serviceAccounts/e", bufs, chain), 2);
	CHECK_STR(chain[1], "projects/p");
	CHECK_EQ_INT(iam_resource_chain(PROJECT, bufs, chain), 1);
}

/* The state of binding ROLE in an explanation's first allow policy, or "". */
static const char *binding_state(const json_t *ts, const char *role, const char *field)
{
	const json_t *be;
	size_t i;

	json_array_foreach(
		json_object_get(
			json_array_get(
				json_object_get(json_object_get(ts, "allowPolicyExplanation"),
						"explainedPolicies"),
				0),
			"bindingExplanations"),
		i, be)
	{
		if (!strcmp(json_string_value(json_object_get(be, "role")) ?: "", role))
			return json_string_value(json_object_get(be, field)) ?: "";
	}
	return "";
}

static void test_explain(void)
{
	struct iam *iam = NULL;
	struct iam_decision d;
	const char *res[] = {PROJECT};
	const struct iam_principal dev = {.members = {"user:dev@example.com"},
					  .n_members = 1,
					  .email = "dev@example.com",
					  .authenticated = 1};
	json_t *pol, *ts;
	const char *deny = "{\"rules\":[{\"denyRule\":{\"deniedPrincipals\":"
			   "[\"principal://goog/subject/dev@example.com\"],\"deniedPermissions\":"
			   "[\"cloudresourcemanager.googleapis.com/projects.get\"]}}]}";

	CHECK_EQ_INT(iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	if (!iam)
		return;
	pol = json_loads(
		"{\"version\":3,\"bindings\":["
		"{\"role\":\"roles/browser\",\"members\":[\"user:dev@example.com\"]},"
		"{\"role\":\"roles/iam.roleViewer\",\"members\":[\"user:dev@example.com\"],"
		"\"condition\":{\"title\":\"t\",\"expression\":\"request.time < "
		"timestamp('2000-01-01T00:00:00Z')\"}},"
		"{\"role\":\"roles/viewer\",\"members\":[\"user:ops@example.com\"]}]}",
		0, NULL);
	CHECK_EQ_INT(iam_seed_policy(iam, PROJECT, pol), 0);
	json_decref(pol);

	ts = iam_troubleshoot(iam, res, 1, &dev, "resourcemanager.projects.get", NOW, &d);
	CHECK(ts != NULL);
	CHECK_STR(json_string_value(json_object_get(ts, "overallAccessState")), "CAN_ACCESS");
	CHECK(d.allowed && !d.denied);
	CHECK_STR(binding_state(ts, "roles/browser", "allowAccessState"),
		  "ALLOW_ACCESS_STATE_GRANTED");
	CHECK_STR(binding_state(ts, "roles/viewer", "rolePermission"), "ROLE_PERMISSION_INCLUDED");
	CHECK_STR(binding_state(ts, "roles/viewer", "allowAccessState"),
		  "ALLOW_ACCESS_STATE_NOT_GRANTED");
	CHECK_STR(binding_state(ts, "roles/iam.roleViewer", "allowAccessState"),
		  "ALLOW_ACCESS_STATE_NOT_GRANTED");
	json_decref(ts);

	/* the condition is evaluated (false), and reported */
	ts = iam_troubleshoot(iam, res, 1, &dev, "iam.roles.get", NOW, &d);
	CHECK_STR(json_string_value(json_object_get(ts, "overallAccessState")), "CANNOT_ACCESS");
	CHECK_STR(binding_state(ts, "roles/iam.roleViewer", "rolePermission"),
		  "ROLE_PERMISSION_INCLUDED");
	json_decref(ts);

	/* a deny rule: the verdict and its explanation */
	CHECK_EQ_INT(store_put(st, IAM_DENY_PREFIX PROJECT "/d", deny, strlen(deny), STORE_ANY_REV,
			       NULL),
		     0);
	ts = iam_troubleshoot(iam, res, 1, &dev, "resourcemanager.projects.get", NOW, &d);
	CHECK_STR(json_string_value(json_object_get(ts, "overallAccessState")), "CANNOT_ACCESS");
	CHECK(d.denied && !d.allowed);
	CHECK_STR(json_string_value(json_object_get(json_object_get(ts, "denyPolicyExplanation"),
						    "denyAccessState")),
		  "DENY_ACCESS_STATE_DENIED");
	CHECK_STR(json_string_value(json_object_get(json_object_get(ts, "allowPolicyExplanation"),
						    "allowAccessState")),
		  "ALLOW_ACCESS_STATE_GRANTED");
	CHECK_EQ_INT(iam_check(iam, res, 1, &dev, "resourcemanager.projects.get", NOW), 0);
	json_decref(ts);
	CHECK_EQ_INT(store_delete(st, IAM_DENY_PREFIX PROJECT "/d", STORE_ANY_REV, NULL), 0);
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
	RUN(test_names);
	RUN(test_explain);
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
