/*
 * test_purge.c - Google's 30 days before a deleted project, folder or service account is
 * purged (hier_expired, hier_undelete_window_ok; src/cloud/hierarchy.c, saextra.c), and
 * the permissions a project's custom role may not hold (customroles.c).
 */
#include <string.h>

#include "cloud/hier.h"
#include "cloud/iamext.h"
#include "t.h"

#define DAY_MS (86400LL * 1000)

static void test_expired(void)
{
	int64_t deleted = 1767225600LL * 1000; /* 2026-01-01T00:00:00Z */

	CHECK_EQ_INT(hier_expired("2026-01-01T00:00:00Z", deleted + 29 * DAY_MS), 0);
	CHECK_EQ_INT(hier_expired("2026-01-01T00:00:00Z", deleted + 30 * DAY_MS), 0);
	CHECK_EQ_INT(hier_expired("2026-01-01T00:00:00Z", deleted + 30 * DAY_MS + 1), 1);
	CHECK_EQ_INT(hier_expired("2026-01-01T00:00:00Z", deleted + 365 * DAY_MS), 1);
	CHECK_EQ_INT(hier_expired(NULL, deleted + 365 * DAY_MS), 0);
	CHECK_EQ_INT(hier_expired("yesterday", deleted + 365 * DAY_MS), 0);
	CHECK_EQ_INT(hier_undelete_window_ok(deleted, deleted + 30 * DAY_MS), 1);
	CHECK_EQ_INT(hier_undelete_window_ok(deleted, deleted + 30 * DAY_MS + 1), 0);
}

static void test_project_role_permissions(void)
{
	CHECK_EQ_INT(customroles_project_permission_ok("resourcemanager.projects.get"), 1);
	CHECK_EQ_INT(customroles_project_permission_ok("iam.serviceAccounts.list"), 1);
	CHECK_EQ_INT(customroles_project_permission_ok("resourcemanager.projects.list"), 0);
	CHECK_EQ_INT(customroles_project_permission_ok("resourcemanager.folders.get"), 0);
	CHECK_EQ_INT(customroles_project_permission_ok("resourcemanager.organizations.get"), 0);
}

int main(void)
{
	RUN(test_expired);
	RUN(test_project_role_permissions);
	return t_done();
}
