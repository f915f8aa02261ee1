/*
 * test_iam.c - unit tests of the IAM engine (src/iam/iam.c): the role catalog, policy
 * validation and normalization, etags, propagation, resource chains and the check
 * cache, over a real SQLite store in a temporary directory.
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROJECT "projects/demo-project"
#define SA_EMAIL "app@demo-project.iam.gserviceaccount.com"
#define SA "projects/demo-project/serviceAccounts/" SA_EMAIL
#define KSA_MEMBER "serviceAccount:demo-project.svc.id.goog[default/app]"

static char dir[] = "/tmp/test_iam.XXXXXX";
static char db_path[128];
static struct store *st;

static struct iam *new_iam(int64_t propagation_ms)
{
	struct iam *iam = NULL;
	int rc = iam_new(st, embed_roles_json, EMBED_LEN(roles_json), propagation_ms, &iam);

	CHECK_EQ_INT(rc, 0);
	return iam;
}

static json_t *policy_of(const char *text)
{
	json_error_t jerr;
	json_t *p = json_loads(text, 0, &jerr);

	if (!p)
		fprintf(stderr, "bad test JSON: %s: %s\n", jerr.text, text);
	return p;
}

/* setIamPolicy from JSON text; returns the rc, frees everything. */
static int set_text(struct iam *iam, const char *resource, const char *text, int64_t now,
		    char **err)
{
	json_t *p = policy_of(text), *out = NULL;
	int rc;

	if (err)
		*err = NULL;
	rc = iam_set_policy(iam, resource, p, now, &out, err);
	json_decref(p);
	json_decref(out);
	return rc;
}

static const char *etag_of(const json_t *policy)
{
	return json_string_value(json_object_get(policy, "etag"));
}

static struct iam_principal user(const char *member, const char *email)
{
	struct iam_principal p = {.n_members = 1, .email = email, .authenticated = 1};

	p.members[0] = member;
	return p;
}

static int check1(struct iam *iam, const char *resource, const struct iam_principal *p,
		  const char *perm, int64_t now)
{
	const char *res[1] = {resource};

	return iam_check(iam, res, 1, p, perm, now);
}

static void test_catalog(void)
{
	static const char *const required[] = {
		"roles/owner",
		"roles/editor",
		"roles/viewer",
		"roles/iam.workloadIdentityUser",
		"roles/iam.serviceAccountTokenCreator",
		"roles/iam.serviceAccountUser",
		"roles/iam.serviceAccountAdmin",
		"roles/iam.serviceAccountKeyAdmin",
		"roles/resourcemanager.projectIamAdmin",
		"roles/serviceusage.serviceUsageAdmin",
		"roles/serviceusage.serviceUsageConsumer",
		"roles/container.admin",
		"roles/container.developer",
		"roles/container.viewer",
		"roles/container.clusterAdmin",
		"roles/container.clusterViewer",
		"roles/container.serviceAgent",
		"roles/iam.securityReviewer",
		"roles/iam.roleViewer",
		"roles/browser",
	};
	struct iam *iam = new_iam(0);
	json_t *role, *list, *granting;
	size_t i;
	const json_t *v;
	int found = 0, sorted = 1;

	if (!iam)
		return;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		role = iam_role_json(iam, required[i]);
		CHECK(role != NULL);
		if (!role) {
			fprintf(stderr, "missing role %s\n", required[i]);
			continue;
		}
		CHECK_STR(json_string_value(json_object_get(role, "name")), required[i]);
		CHECK(json_string_length(json_object_get(role, "title")) > 0);
		CHECK(json_array_size(json_object_get(role, "includedPermissions")) > 0);
		CHECK_STR(json_string_value(json_object_get(role, "etag")), "AA==");
		json_decref(role);
	}
	CHECK(iam_role_json(iam, "roles/nope") == NULL);
	role = iam_role_json(iam, "roles/container.viewer");
	CHECK_STR(json_string_value(json_object_get(role, "title")), "Kubernetes Engine Viewer");
	CHECK_STR(json_string_value(json_object_get(role, "stage")), "GA");
	json_array_foreach(json_object_get(role, "includedPermissions"), i, v)
	{
		if (i > 0 && strcmp(json_string_value(json_array_get(
					    json_object_get(role, "includedPermissions"), i - 1)),
				    json_string_value(v)) >= 0)
			sorted = 0;
	}
	CHECK(sorted);
	json_decref(role);

	CHECK(iam_role_has(iam, "roles/owner", "container.roles.list"));
	CHECK(iam_role_has(iam, "roles/editor", "container.roles.list"));
	CHECK(iam_role_has(iam, "roles/container.viewer", "container.roles.list"));
	CHECK(!iam_role_has(iam, "roles/container.viewer", "container.secrets.get"));
	CHECK(!iam_role_has(iam, "roles/container.viewer", "container.secrets.list"));
	CHECK(iam_role_has(iam, "roles/container.developer", "container.secrets.get"));
	CHECK(iam_role_has(iam, "roles/container.developer", "container.pods.exec"));
	CHECK(iam_role_has(iam, "roles/container.admin", "container.clusterRoles.escalate"));
	CHECK(iam_role_has(iam, "roles/owner", "resourcemanager.projects.setIamPolicy"));
	CHECK(!iam_role_has(iam, "roles/editor", "resourcemanager.projects.setIamPolicy"));
	CHECK(iam_role_has(iam, "roles/iam.workloadIdentityUser",
			   "iam.serviceAccounts.getAccessToken"));
	CHECK(iam_role_has(iam, "roles/iam.serviceAccountTokenCreator",
			   "iam.serviceAccounts.signJwt"));
	CHECK(!iam_role_has(iam, "roles/nope", "container.roles.list"));
	CHECK(!iam_role_has(iam, "roles/owner", "no.such.permission"));
	CHECK(iam_permission_known(iam, "container.pods.getLogs"));
	CHECK(!iam_permission_known(iam, "container.pods.fly"));

	list = iam_roles_list(iam);
	CHECK(json_array_size(list) >= sizeof(required) / sizeof(required[0]));
	CHECK(json_object_get(json_array_get(list, 0), "includedPermissions") == NULL);
	json_decref(list);

	granting = iam_roles_granting(iam, "container.roles.list");
	json_array_foreach(granting, i, v) if (strcmp(json_string_value(v),
						      "roles/container.viewer") == 0) found = 1;
	CHECK(found);
	json_decref(granting);
	granting = iam_roles_granting(iam, "no.such.permission");
	CHECK_EQ_INT(json_array_size(granting), 0);
	json_decref(granting);
	iam_free(iam);
}

static void test_bad_catalog(void)
{
	struct iam *iam = NULL;
	const char *bad[] = {
		"",
		"{}",
		"{\"roles\":{}}",
		"{\"roles\":[{\"title\":\"x\"}]}",
		"{\"roles\":[{\"name\":\"roles/a\",\"includedPermissions\":[\"bad perm\"]}]}",
		"{\"roles\":[{\"name\":\"roles/a\"},{\"name\":\"roles/a\"}]}",
		"{\"roles\":[{\"name\":\"nope\"}]}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(iam_new(NULL, bad[i], strlen(bad[i]), 0, &iam) < 0);
		CHECK(iam == NULL);
	}
	/* A catalog alone works without a store; policies then need one. */
	CHECK_EQ_INT(iam_new(NULL, "{\"roles\":[]}", 12, 0, &iam), 0);
	CHECK(iam != NULL);
	iam_free(iam);
}

static void test_round_trip(void)
{
	struct iam *iam = new_iam(0);
	json_t *p, *out = NULL, *got = NULL, *b;
	char *err = NULL;
	int rc;

	if (!iam)
		return;
	CHECK_EQ_INT(iam_get_policy(iam, "projects/rt", 3, &got), 0);
	CHECK_STR(etag_of(got), "ACAB");
	CHECK_EQ_INT(json_object_size(got), 1);
	json_decref(got);

	p = policy_of("{\"version\":3,\"bindings\":["
		      "{\"role\":\"roles/viewer\",\"members\":[\"user:b@example.com\"]},"
		      "{\"role\":\"roles/editor\",\"members\":[\"user:a@example.com\"]},"
		      "{\"role\":\"roles/viewer\",\"members\":[\"user:a@example.com\","
		      "\"user:b@example.com\"]},"
		      "{\"role\":\"roles/browser\",\"members\":[]}]}");
	rc = iam_set_policy(iam, "projects/rt", p, 1000, &out, &err);
	CHECK_EQ_INT(rc, 0);
	CHECK(err == NULL);
	json_decref(p);
	CHECK_EQ_INT(json_integer_value(json_object_get(out, "version")), 1);
	CHECK_EQ_INT(json_array_size(json_object_get(out, "bindings")), 2);
	b = json_array_get(json_object_get(out, "bindings"), 0);
	CHECK_STR(json_string_value(json_object_get(b, "role")), "roles/editor");
	b = json_array_get(json_object_get(out, "bindings"), 1);
	CHECK_STR(json_string_value(json_object_get(b, "role")), "roles/viewer");
	CHECK_EQ_INT(json_array_size(json_object_get(b, "members")), 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(b, "members"), 0)),
		  "user:a@example.com");
	CHECK(strcmp(etag_of(out), "ACAB") != 0);
	CHECK_EQ_INT(strlen(etag_of(out)), 12);

	CHECK_EQ_INT(iam_get_policy(iam, "projects/rt", 1, &got), 0);
	CHECK(json_equal(got, out));
	json_decref(got);
	CHECK_EQ_INT(iam_get_policy(iam, "projects/rt", 2, &got), -EINVAL);
	CHECK(got == NULL);
	json_decref(out);

	/* Empty policy: no bindings key; auditConfigs round trip. */
	CHECK_EQ_INT(set_text(iam, "projects/rt",
			      "{\"auditConfigs\":[{\"service\":\"allServices\",\"auditLogConfigs\":"
			      "[{\"logType\":\"DATA_READ\"}]}]}",
			      2000, NULL),
		     0);
	CHECK_EQ_INT(iam_get_policy(iam, "projects/rt", 3, &got), 0);
	CHECK(json_object_get(got, "bindings") == NULL);
	CHECK_EQ_INT(json_array_size(json_object_get(got, "auditConfigs")), 1);
	json_decref(got);

	/* Delete: back to unset. */
	CHECK_EQ_INT(iam_delete_policy(iam, "projects/rt"), 0);
	CHECK_EQ_INT(iam_delete_policy(iam, "projects/rt"), 0);
	CHECK_EQ_INT(iam_get_policy(iam, "projects/rt", 3, &got), 0);
	CHECK_STR(etag_of(got), "ACAB");
	json_decref(got);

	CHECK_EQ_INT(iam_get_policy(iam, "", 3, &got), -EINVAL);
	CHECK_EQ_INT(set_text(iam, "bad resource", "{}", 0, NULL), -EINVAL);
	iam_free(iam);
}

static void test_etags(void)
{
	struct iam *iam = new_iam(0);
	json_t *p, *out = NULL, *got = NULL;
	char *etag1, *etag2, *err = NULL, text[512];
	int rc;

	if (!iam)
		return;
	/* "ACAB" means "no policy yet". */
	CHECK_EQ_INT(set_text(iam, "projects/et",
			      "{\"etag\":\"ACAB\",\"bindings\":[{\"role\":\"roles/viewer\","
			      "\"members\":[\"user:a@example.com\"]}]}",
			      1, NULL),
		     0);
	CHECK_EQ_INT(iam_get_policy(iam, "projects/et", 3, &got), 0);
	etag1 = strdup(etag_of(got));
	json_decref(got);
	CHECK_EQ_INT(set_text(iam, "projects/et", "{\"etag\":\"ACAB\"}", 2, NULL), -ECANCELED);

	snprintf(text, sizeof(text),
		 "{\"etag\":\"%s\",\"bindings\":[{\"role\":\"roles/editor\","
		 "\"members\":[\"user:a@example.com\"]}]}",
		 etag1);
	p = policy_of(text);
	CHECK_EQ_INT(iam_set_policy(iam, "projects/et", p, 3, &out, &err), 0);
	etag2 = strdup(etag_of(out));
	CHECK(strcmp(etag1, etag2) != 0);
	json_decref(out);
	/* The same read-modify-write again: its etag is stale now. */
	out = NULL;
	rc = iam_set_policy(iam, "projects/et", p, 4, &out, &err);
	CHECK_EQ_INT(rc, -ECANCELED);
	CHECK(out == NULL);
	CHECK(err == NULL);
	json_decref(p);
	/* No etag: a blind write wins. */
	CHECK_EQ_INT(set_text(iam, "projects/et", "{}", 5, NULL), 0);
	/* An etag that is not base64. */
	CHECK_EQ_INT(set_text(iam, "projects/et", "{\"etag\":\"!!!\"}", 6, &err), -EINVAL);
	CHECK(err && strstr(err, "policy.etag"));
	free(err);
	/* Base64 that names no revision of ours: stale. */
	CHECK_EQ_INT(set_text(iam, "projects/et", "{\"etag\":\"BwXxTlxVqGQ=\"}", 7, NULL),
		     -ECANCELED);
	free(etag1);
	free(etag2);
	iam_free(iam);
}

static void test_invalid(void)
{
	struct iam *iam = new_iam(0);
	char *err = NULL;

	if (!iam)
		return;
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":[\"bob\"]}]}",
			      1, &err),
		     -EINVAL);
	CHECK_STR(err, "The member bob is of an unknown type. Please set a valid type prefix "
		       "for the member.");
	free(err);
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"bindings\":[{\"role\":\"roles/compute.browser\",\"members\":"
			      "[\"user:a@example.com\"]}]}",
			      1, &err),
		     -EINVAL);
	CHECK_STR(err, "Role roles/compute.browser is not supported for this resource.");
	free(err);
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"bindings\":[{\"role\":\"owner\",\"members\":[\"user:a@example."
			      "com\"]}]}",
			      1, &err),
		     -EINVAL);
	CHECK_STR(err, "The role name must be in the form \"roles/{role}\", "
		       "\"organizations/{organization_id}/roles/{role}\", or "
		       "\"projects/{project_id}/roles/{role}\".");
	free(err);
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"bindings\":[{\"role\":\"roles/"
			      "browser\",\"members\":[\"user:a@example.com\"],"
			      "\"condition\":{\"title\":\"t\",\"expression\":\"true\"}}]}",
			      1, &err),
		     -EINVAL);
	CHECK_STR(err, "Specified policy version (0) must be at least 3 based on the policy's "
		       "contents. For more information, please refer to "
		       "https://cloud.google.com/iam/help/allow-policies/versions.");
	free(err);
	CHECK_EQ_INT(set_text(iam, PROJECT, "{\"version\":2}", 1, &err), -EINVAL);
	CHECK(err != NULL);
	free(err);
	CHECK_EQ_INT(set_text(iam, PROJECT, "{\"bindings\":{}}", 1, &err), -EINVAL);
	free(err);
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"version\":3,\"bindings\":[{\"role\":\"roles/viewer\",\"members\":"
			      "[\"user:a@example.com\"],\"condition\":{\"title\":\"t\"}}]}",
			      1, &err),
		     -EINVAL);
	CHECK(err != NULL);
	free(err);
	/* A null err is fine. */
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":[1]}]}", 1,
			      NULL),
		     -EINVAL);
	/* Nothing was written. */
	{
		json_t *got = NULL;

		CHECK_EQ_INT(iam_get_policy(iam, PROJECT, 3, &got), 0);
		CHECK_STR(etag_of(got), "ACAB");
		json_decref(got);
	}
	iam_free(iam);
}

static void test_member_kinds(void)
{
	static const char *const good[] = {
		"user:alice@example.com",
		"serviceAccount:" SA_EMAIL,
		KSA_MEMBER,
		"group:devs@example.com",
		"domain:example.com",
		"allUsers",
		"allAuthenticatedUsers",
		"principal://iam.googleapis.com/projects/123/locations/global/"
		"workloadIdentityPools/"
		"demo-project.svc.id.goog/subject/ns/default/sa/app",
		"principalSet://iam.googleapis.com/projects/123/locations/global/"
		"workloadIdentityPools/demo-project.svc.id.goog/namespace/default",
		"deleted:user:alice@example.com?uid=123456789012345678901",
		"deleted:serviceAccount:" SA_EMAIL "?uid=123",
		"deleted:group:devs@example.com?uid=1",
	};
	static const char *const bad[] = {
		"",
		"alice@example.com",
		"user:",
		"user:alice",
		"user:@example.com",
		"user:alice@example",
		"user:al ice@example.com",
		"serviceAccount:demo-project.svc.id.goog[default]",
		"serviceAccount:demo-project.svc.id.goog[/app]",
		"serviceAccount:.svc.id.goog[default/app]",
		"domain:",
		"domain:localhost",
		"domain:exa..mple.com",
		"principal://",
		"principal://host",
		"principalSet:///x",
		"deleted:user:alice@example.com",
		"deleted:user:alice@example.com?uid=",
		"deleted:user:alice@example.com?uid=12x",
		"deleted:domain:example.com?uid=1",
		"allusers",
		"projectOwner:demo-project",
		"user:a@example.com\n",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK(iam_member_valid(good[i]));
		if (!iam_member_valid(good[i]))
			fprintf(stderr, "  rejected: %s\n", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!iam_member_valid(bad[i]));
		if (iam_member_valid(bad[i]))
			fprintf(stderr, "  accepted: %s\n", bad[i]);
	}
	CHECK(!iam_member_valid(NULL));
}

static void test_special_members(void)
{
	struct iam *iam = new_iam(0);
	struct iam_principal anon = {0},
			     alice = user("user:alice@Example.COM", "alice@Example.COM"),
			     other = user("user:eve@other.org", "eve@other.org");

	if (!iam)
		return;
	CHECK_EQ_INT(set_text(iam, "projects/sp",
			      "{\"bindings\":["
			      "{\"role\":\"roles/browser\",\"members\":[\"allUsers\"]},"
			      "{\"role\":\"roles/"
			      "container.viewer\",\"members\":[\"allAuthenticatedUsers\"]},"
			      "{\"role\":\"roles/"
			      "container.developer\",\"members\":[\"domain:example.com\"]},"
			      "{\"role\":\"roles/owner\",\"members\":[\"group:admins@example.com\","
			      "\"deleted:user:eve@other.org?uid=1\"]}]}",
			      0, NULL),
		     0);
	/* allUsers: anyone, even unauthenticated. */
	CHECK(check1(iam, "projects/sp", &anon, "resourcemanager.projects.get", 0));
	/* allAuthenticatedUsers: only the authenticated. */
	CHECK(!check1(iam, "projects/sp", &anon, "container.pods.list", 0));
	CHECK(check1(iam, "projects/sp", &other, "container.pods.list", 0));
	/* domain: from the email, case-insensitively. */
	CHECK(check1(iam, "projects/sp", &alice, "container.secrets.get", 0));
	CHECK(!check1(iam, "projects/sp", &other, "container.secrets.get", 0));
	/* ...for users only: "domain:D" names the users of domain D (google/iam/v1/policy.proto),
	 * so a service account whose email is in D gets nothing from it (issue 9). */
	struct iam_principal sa = user("serviceAccount:robot@example.com", "robot@example.com");
	CHECK(!check1(iam, "projects/sp", &sa, "container.secrets.get", 0));
	/* groups are not resolvable yet; deleted members match no one. */
	CHECK(!check1(iam, "projects/sp", &other, "resourcemanager.projects.setIamPolicy", 0));
	CHECK(!check1(iam, "projects/sp", &alice, "resourcemanager.projects.setIamPolicy", 0));
	/* Unknown permissions and resources grant nothing. */
	CHECK(!check1(iam, "projects/sp", &anon, "no.such.permission", 0));
	CHECK(!check1(iam, "projects/none", &anon, "resourcemanager.projects.get", 0));
	CHECK(!iam_check(iam, NULL, 0, &anon, "resourcemanager.projects.get", 0));
	CHECK(!iam_check(iam, (const char *const[]){NULL}, 1, &anon, "resourcemanager.projects.get",
			 0));
	iam_free(iam);
}

/* Issue 9: "domain:D" matched service accounts whose email is in D. Google's domain: names
 * the users of a G Suite domain (google/iam/v1/policy.proto), so roles/viewer granted to
 * domain:iam.gserviceaccount.com or to a project's SA domain reaches no service account,
 * while a user of a granted domain keeps it. */
static void test_domain_not_service_accounts(void)
{
	struct iam *iam = new_iam(0);
	struct iam_principal sa = user("serviceAccount:" SA_EMAIL, SA_EMAIL),
			     bob = user("user:bob@example.com", "bob@example.com");

	if (!iam)
		return;
	CHECK_EQ_INT(set_text(iam, "projects/dm",
			      "{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":["
			      "\"domain:iam.gserviceaccount.com\","
			      "\"domain:demo-project.iam.gserviceaccount.com\","
			      "\"domain:example.com\"]}]}",
			      0, NULL),
		     0);
	CHECK(!check1(iam, "projects/dm", &sa, "resourcemanager.projects.get", 0));
	CHECK(check1(iam, "projects/dm", &bob, "resourcemanager.projects.get", 0));
	iam_free(iam);
}

static void test_propagation(void)
{
	struct iam *iam = new_iam(5000);
	struct iam_principal alice = user("user:alice@example.com", "alice@example.com");
	const int64_t t = 1700000000000;
	const char *perm = "container.pods.list";

	if (!iam)
		return;
	CHECK_EQ_INT(set_text(iam, "projects/pg",
			      "{\"bindings\":[{\"role\":\"roles/container.viewer\","
			      "\"members\":[\"user:alice@example.com\"]}]}",
			      t, NULL),
		     0);
	CHECK(!check1(iam, "projects/pg", &alice, perm, t));
	CHECK(!check1(iam, "projects/pg", &alice, perm, t + 1000));
	CHECK(check1(iam, "projects/pg", &alice, perm, t + 5000));
	/* Removal at t2 lingers until t2 + 5000. */
	CHECK_EQ_INT(set_text(iam, "projects/pg", "{\"bindings\":[]}", t + 10000, NULL), 0);
	CHECK(check1(iam, "projects/pg", &alice, perm, t + 11000));
	CHECK(check1(iam, "projects/pg", &alice, perm, t + 14999));
	CHECK(!check1(iam, "projects/pg", &alice, perm, t + 15000));
	/* Quick successive writes: each takes effect in turn. */
	CHECK_EQ_INT(set_text(iam, "projects/pg",
			      "{\"bindings\":[{\"role\":\"roles/container.viewer\","
			      "\"members\":[\"user:alice@example.com\"]}]}",
			      t + 20000, NULL),
		     0);
	CHECK_EQ_INT(set_text(iam, "projects/pg",
			      "{\"bindings\":[{\"role\":\"roles/container.developer\","
			      "\"members\":[\"user:alice@example.com\"]}]}",
			      t + 21000, NULL),
		     0);
	CHECK(!check1(iam, "projects/pg", &alice, perm, t + 24999));
	CHECK(check1(iam, "projects/pg", &alice, perm, t + 25000));
	CHECK(!check1(iam, "projects/pg", &alice, "container.secrets.get", t + 25000));
	CHECK(check1(iam, "projects/pg", &alice, "container.secrets.get", t + 26000));
	/* getIamPolicy shows a write at once. */
	{
		json_t *got = NULL;

		CHECK_EQ_INT(iam_get_policy(iam, "projects/pg", 3, &got), 0);
		CHECK_STR(json_string_value(json_object_get(
				  json_array_get(json_object_get(got, "bindings"), 0), "role")),
			  "roles/container.developer");
		json_decref(got);
	}
	/* Seeds are in effect at once, whatever the propagation. */
	{
		json_t *p = policy_of("{\"bindings\":[{\"role\":\"roles/viewer\","
				      "\"members\":[\"user:alice@example.com\"]}]}");

		CHECK_EQ_INT(iam_seed_policy(iam, "projects/seeded", p), 0);
		json_decref(p);
		CHECK(check1(iam, "projects/seeded", &alice, "resourcemanager.projects.get", t));
	}
	/* A propagation change applies to checks from then on. */
	iam_set_propagation(iam, 0);
	CHECK_EQ_INT(set_text(iam, "projects/pg", "{}", t + 30000, NULL), 0);
	CHECK(!check1(iam, "projects/pg", &alice, "container.secrets.get", t + 30000));

	/* Raising the delay later does not take back a grant already in effect (the
	 * iam-propagation fault once locked everyone out of a fresh policy this way)... */
	CHECK_EQ_INT(set_text(iam, "projects/late",
			      "{\"bindings\":[{\"role\":\"roles/container.viewer\","
			      "\"members\":[\"user:alice@example.com\"]}]}",
			      t + 40000, NULL),
		     0);
	CHECK(check1(iam, "projects/late", &alice, perm, t + 40000));
	iam_set_propagation(iam, 600000);
	CHECK(check1(iam, "projects/late", &alice, perm, t + 40001));
	/* ... a change written under the longer delay waits for it ... */
	CHECK_EQ_INT(set_text(iam, "projects/late", "{\"bindings\":[]}", t + 50000, NULL), 0);
	CHECK(check1(iam, "projects/late", &alice, perm, t + 60000));
	/* ... and lowering the delay again lets it take effect by the shorter one. */
	iam_set_propagation(iam, 0);
	CHECK(!check1(iam, "projects/late", &alice, perm, t + 60000));
	iam_free(iam);
}

static void test_chain(void)
{
	struct iam *iam = new_iam(0);
	struct iam_principal ksa = {
		.members = {KSA_MEMBER, "principal://iam.googleapis.com/projects/123/"
					"locations/global/workloadIdentityPools/"
					"demo-project.svc.id.goog/subject/ns/default/sa/app"},
		.n_members = 2,
		.authenticated = 1};
	struct iam_principal bob = user("user:bob@example.com", "bob@example.com");
	const char *chain[2] = {SA, PROJECT};
	const char *perm = "iam.serviceAccounts.getAccessToken";

	if (!iam)
		return;
	CHECK(!iam_check(iam, chain, 2, &ksa, perm, 0));
	CHECK_EQ_INT(set_text(iam, SA,
			      "{\"bindings\":[{\"role\":\"roles/iam.workloadIdentityUser\","
			      "\"members\":[\"" KSA_MEMBER "\"]}]}",
			      0, NULL),
		     0);
	CHECK(iam_check(iam, chain, 2, &ksa, perm, 0));
	CHECK(!iam_check(iam, chain + 1, 1, &ksa, perm, 0));
	CHECK(!iam_check(iam, chain, 2, &ksa, "iam.serviceAccounts.signBlob", 0));
	/* Granted on the project, it holds for the service account below it. */
	CHECK(!iam_check(iam, chain, 2, &bob, "iam.serviceAccounts.signBlob", 0));
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"bindings\":[{\"role\":\"roles/iam.serviceAccountTokenCreator\","
			      "\"members\":[\"user:bob@example.com\"]}]}",
			      0, NULL),
		     0);
	CHECK(iam_check(iam, chain, 2, &bob, "iam.serviceAccounts.signBlob", 0));
	CHECK(!iam_check(iam, chain, 1, &bob, "iam.serviceAccounts.signBlob", 0));
	/* The principal:// form matches too. */
	CHECK_EQ_INT(
		set_text(iam, SA,
			 "{\"bindings\":[{\"role\":\"roles/iam.workloadIdentityUser\","
			 "\"members\":[\"principal://iam.googleapis.com/projects/123/locations/"
			 "global/workloadIdentityPools/demo-project.svc.id.goog/subject/ns/"
			 "default/sa/app\"]}]}",
			 0, NULL),
		0);
	CHECK(iam_check(iam, chain, 2, &ksa, perm, 0));
	iam_free(iam);
}

static void test_cache(void)
{
	struct iam *iam = new_iam(0), *second = NULL;
	struct iam_principal alice = user("user:alice@example.com", "alice@example.com");

	if (!iam)
		return;
	CHECK_EQ_INT(set_text(iam, "projects/cache",
			      "{\"bindings\":[{\"role\":\"roles/owner\","
			      "\"members\":[\"user:alice@example.com\"]}]}",
			      0, NULL),
		     0);
	CHECK(check1(iam, "projects/cache", &alice, "container.roles.list", 0));
	/* A second engine loads what is in the store, and sees the first one's writes. */
	second = new_iam(0);
	if (!second) {
		iam_free(iam);
		return;
	}
	CHECK(check1(second, "projects/cache", &alice, "container.roles.list", 0));
	CHECK_EQ_INT(set_text(iam, "projects/cache",
			      "{\"bindings\":[{\"role\":\"roles/container.viewer\","
			      "\"members\":[\"user:alice@example.com\"]}]}",
			      0, NULL),
		     0);
	CHECK(!check1(iam, "projects/cache", &alice, "container.secrets.get", 0));
	CHECK(!check1(second, "projects/cache", &alice, "container.secrets.get", 0));
	CHECK(check1(second, "projects/cache", &alice, "container.roles.list", 0));
	/* Deleting the policy drops it from every cache. */
	CHECK_EQ_INT(iam_delete_policy(second, "projects/cache"), 0);
	CHECK(!check1(iam, "projects/cache", &alice, "container.roles.list", 0));
	CHECK(!check1(second, "projects/cache", &alice, "container.roles.list", 0));
	/* A record that is not ours to read fails closed. */
	CHECK_EQ_INT(store_put(st, "/iam/policies/projects/junk", "{", 1, STORE_ANY_REV, NULL), 0);
	CHECK(!check1(iam, "projects/junk", &alice, "container.roles.list", 0));
	{
		json_t *got = NULL;

		CHECK_EQ_INT(iam_get_policy(iam, "projects/junk", 3, &got), -EIO);
		CHECK(got == NULL);
	}
	/* ...and can be overwritten. */
	CHECK_EQ_INT(set_text(iam, "projects/junk",
			      "{\"bindings\":[{\"role\":\"roles/owner\","
			      "\"members\":[\"user:alice@example.com\"]}]}",
			      0, NULL),
		     0);
	CHECK(check1(second, "projects/junk", &alice, "container.roles.list", 0));
	iam_free(second);
	iam_free(iam);
}

static void test_conditions(void)
{
	struct iam *iam = new_iam(0);
	struct iam_principal alice = user("user:alice@example.com", "alice@example.com");
	json_t *got = NULL, *b;
	char *err = NULL, text[1024];
	const char *role;

	if (!iam)
		return;
	CHECK_EQ_INT(
		set_text(iam, "projects/cond",
			 "{\"version\":3,\"bindings\":["
			 "{\"role\":\"roles/browser\",\"members\":[\"user:alice@example.com\"],"
			 "\"condition\":{\"title\":\"expirable\",\"expression\":"
			 "\"request.time < timestamp('2020-10-01T00:00:00.000Z')\"}},"
			 "{\"role\":\"roles/browser\",\"members\":[\"user:bob@example.com\"]}]}",
			 0, &err),
		0);
	CHECK(err == NULL);
	CHECK_EQ_INT(iam_get_policy(iam, "projects/cond", 3, &got), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(got, "version")), 3);
	CHECK_EQ_INT(json_array_size(json_object_get(got, "bindings")), 2);
	json_decref(got);
	/* Version 1 hides conditions behind "_withcond_<hash>" role names. */
	CHECK_EQ_INT(iam_get_policy(iam, "projects/cond", 1, &got), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(got, "version")), 1);
	CHECK_EQ_INT(json_array_size(json_object_get(got, "bindings")), 2);
	{
		int plain = 0, hidden = 0;
		size_t i;

		json_array_foreach(json_object_get(got, "bindings"), i, b)
		{
			role = json_string_value(json_object_get(b, "role"));
			CHECK(json_object_get(b, "condition") == NULL);
			if (role && strcmp(role, "roles/browser") == 0)
				plain++;
			else if (role && strncmp(role, "roles/browser_withcond_", 23) == 0 &&
				 strlen(role) == 43)
				hidden++;
		}
		CHECK_EQ_INT(plain, 1);
		CHECK_EQ_INT(hidden, 1);
	}
	/* A version 1 write with an etag over a conditional policy is refused. */
	snprintf(text, sizeof(text), "{\"etag\":\"%s\",\"version\":1}", etag_of(got));
	json_decref(got);
	CHECK_EQ_INT(set_text(iam, "projects/cond", text, 1, &err), -EINVAL);
	CHECK_STR(err, "Specified policy version (1) cannot be less than the existing policy "
		       "version (3). For more information, please refer to "
		       "https://cloud.google.com/iam/docs/policies#versions.");
	free(err);
	/* A conditional binding grants while its condition holds (request.time is the
	 * check's time: 2020-09-30 and 2020-10-01 here); unconditional ones always. */
	CHECK(check1(iam, "projects/cond", &alice, "resourcemanager.projects.get",
		     1601424000000LL));
	CHECK(!check1(iam, "projects/cond", &alice, "resourcemanager.projects.get",
		      1601510400000LL));
	{
		struct iam_principal bob = user("user:bob@example.com", "bob@example.com");

		CHECK(check1(iam, "projects/cond", &bob, "resourcemanager.projects.get", 0));
		CHECK(check1(iam, "projects/cond", &bob, "resourcemanager.projects.get",
			     1601510400000LL));
	}
	iam_free(iam);
}

/* Conditions on resource attributes, through a project's policy to its children, and
 * what setIamPolicy refuses. */
static void test_condition_checks(void)
{
	struct iam *iam = new_iam(0);
	struct iam_principal alice = user("user:alice@example.com", "alice@example.com");
	struct iam_principal carol = user("user:carol@corp.example", "carol@corp.example");
	const char *sa_chain[] = {SA, PROJECT};
	char *err = NULL;

	if (!iam)
		return;
	CHECK_EQ_INT(
		set_text(iam, PROJECT,
			 "{\"version\":3,\"bindings\":["
			 "{\"role\":\"roles/"
			 "iam.serviceAccountUser\",\"members\":[\"user:alice@example.com\"],"
			 "\"condition\":{\"title\":\"ci only\",\"expression\":"
			 "\"resource.type == 'iam.googleapis.com/ServiceAccount' && "
			 "resource.name.extract('/serviceAccounts/{email}').startsWith('ci-')\"}},"
			 "{\"role\":\"roles/browser\",\"members\":[\"domain:CORP.example\"],"
			 "\"condition\":{\"title\":\"projects\",\"expression\":"
			 "\"resource.service == 'cloudresourcemanager.googleapis.com'\"}}]}",
			 0, &err),
		0);
	free(err);
	err = NULL;
	CHECK(!iam_check(iam, sa_chain, 2, &alice, "iam.serviceAccounts.actAs", 0));
	sa_chain[0] =
		"projects/demo-project/serviceAccounts/ci-bot@demo-project.iam.gserviceaccount.com";
	CHECK(iam_check(iam, sa_chain, 2, &alice, "iam.serviceAccounts.actAs", 0));
	CHECK(!iam_check(iam, sa_chain, 2, &carol, "iam.serviceAccounts.actAs", 0));
	/* domain: members of a conditional binding match case-insensitively */
	CHECK(check1(iam, PROJECT, &carol, "resourcemanager.projects.get", 0));
	CHECK(!iam_check(iam, sa_chain, 2, &carol, "resourcemanager.projects.get", 0));
	CHECK(!check1(iam, PROJECT, &alice, "resourcemanager.projects.get", 0));
	/* A condition that does not compile is refused when the policy is set. */
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"version\":3,\"bindings\":[{\"role\":\"roles/browser\","
			      "\"members\":[\"user:a@example.com\"],\"condition\":{\"title\":\"t\","
			      "\"expression\":\"request.time <\"}}]}",
			      0, &err),
		     -EINVAL);
	CHECK(err &&
	      strncmp(err, "ERROR: Parse expression:1:14: mismatched input '<EOF>' expecting {",
		      66) == 0);
	free(err);
	err = NULL;
	/* Basic roles take no condition (Google's linter's text). */
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"version\":3,\"bindings\":[{\"role\":\"roles/editor\","
			      "\"members\":[\"user:a@example.com\"],\"condition\":{\"title\":\"t\","
			      "\"expression\":\"true\"}}]}",
			      0, &err),
		     -EINVAL);
	CHECK_STR(err, "LintValidationUnits/BindingRoleAllowConditionCheck Error: Conditions can't "
		       "be set on primitive roles.");
	free(err);
	err = NULL;
	/* A version 1 view written back beside a condition (k8s-config-connector#766). */
	CHECK_EQ_INT(set_text(iam, PROJECT,
			      "{\"version\":3,\"bindings\":[{\"role\":\"roles/"
			      "viewer_withcond_0123456789abcdef0123\","
			      "\"members\":[\"user:a@example.com\"]},{\"role\":\"roles/browser\","
			      "\"members\":[\"user:a@example.com\"],\"condition\":{\"title\":\"t\","
			      "\"expression\":\"true\"}}]}",
			      0, &err),
		     -EINVAL);
	CHECK_STR(err,
		  "Policy cannot contain both conditions and condition hashes. Please update "
		  "your client to request version 3 policy. For more information, please refer "
		  "to https://cloud.google.com/iam/help/allow-policies/versions.");
	free(err);
	iam_free(iam);
}

static void test_big_policy(void)
{
	struct iam *iam = new_iam(0);
	json_t *p = json_pack("{s:i,s:[]}", "version", 1, "bindings"), *arr, *got = NULL;
	struct iam_principal who;
	char m[64];

	if (!iam || !p) {
		iam_free(iam);
		json_decref(p);
		return;
	}
	arr = json_object_get(p, "bindings");
	for (int i = 0; i < 200; i++) {
		json_t *b =
			json_pack("{s:s,s:[]}", "role",
				  i % 2 ? "roles/container.viewer" : "roles/browser", "members");

		for (int j = 0; j < 10; j++) {
			snprintf(m, sizeof(m), "user:u%d@example.com", i * 10 + j);
			json_array_append_new(json_object_get(b, "members"), json_string(m));
		}
		json_array_append_new(arr, b);
	}
	CHECK_EQ_INT(iam_set_policy(iam, "projects/big", p, 0, NULL, NULL), 0);
	json_decref(p);
	CHECK_EQ_INT(iam_get_policy(iam, "projects/big", 3, &got), 0);
	CHECK_EQ_INT(json_array_size(json_object_get(got, "bindings")), 2);
	CHECK_EQ_INT(json_array_size(json_object_get(
			     json_array_get(json_object_get(got, "bindings"), 1), "members")),
		     1000);
	json_decref(got);
	who = user("user:u1999@example.com", NULL);
	CHECK(check1(iam, "projects/big", &who, "container.pods.list", 0));
	who = user("user:u1989@example.com", NULL);
	CHECK(!check1(iam, "projects/big", &who, "container.pods.list", 0));
	CHECK(check1(iam, "projects/big", &who, "resourcemanager.projects.get", 0));
	iam_free(iam);
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
		RUN(test_catalog);
		RUN(test_bad_catalog);
		RUN(test_round_trip);
		RUN(test_etags);
		RUN(test_invalid);
		RUN(test_member_kinds);
		RUN(test_special_members);
		RUN(test_domain_not_service_accounts);
		RUN(test_propagation);
		RUN(test_chain);
		RUN(test_cache);
		RUN(test_conditions);
		RUN(test_condition_checks);
		RUN(test_big_policy);
	}
	store_close(st);
	{
		char path[160];

		static const char *const suffix[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s%s", db_path, suffix[i]);
			unlink(path);
		}
		rmdir(dir);
	}
	return t_done();
}
