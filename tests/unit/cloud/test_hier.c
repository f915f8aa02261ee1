/*
 * test_hier.c - the pure parts of the hierarchy (src/cloud/hierarchy.c, saextra.c): a
 * state file's organizations, folders and project parents (hier_state_check), and
 * Google's 30-day window for undeleting a service account.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/hier.h"
#include "t.h"

#define DAY_MS (86400LL * 1000)

static int check(const char *text, char *err, size_t len)
{
	json_t *s = json_loads(text, 0, NULL);
	int rc;

	err[0] = '\0';
	rc = s ? hier_state_check(s, err, len) : -99;
	json_decref(s);
	return rc;
}

static void test_state(void)
{
	char err[256];

	CHECK_EQ_INT(check("{\"projects\":[{\"projectId\":\"p-123456\"}]}", err, sizeof(err)), 0);
	CHECK_EQ_INT(check("{\"organizations\":[{\"id\":\"1\"}],"
			   "\"folders\":[{\"id\":\"2\",\"parent\":\"organizations/1\"},"
			   "{\"id\":\"3\",\"parent\":\"folders/2\"}],"
			   "\"projects\":[{\"projectId\":\"p-123456\",\"parent\":\"folders/3\"}]}",
			   err, sizeof(err)),
		     0);
	CHECK_EQ_INT(check("{\"organizations\":[{\"id\":\"x1\"}]}", err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "numeric id") != NULL);
	CHECK_EQ_INT(check("{\"folders\":[{\"id\":\"2\"}]}", err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "parent must name a declared organization or folder") != NULL);
	CHECK_EQ_INT(check("{\"folders\":[{\"id\":\"2\",\"parent\":\"organizations/9\"}]}", err,
			   sizeof(err)),
		     -EINVAL);
	CHECK_EQ_INT(check("{\"projects\":[{\"projectId\":\"p-123456\",\"parent\":\"folders/3\"}]}",
			   err, sizeof(err)),
		     -EINVAL);
	CHECK(strstr(err, "p-123456") != NULL);
	CHECK_EQ_INT(
		check("{\"organizations\":[{\"id\":\"1\",\"iamPolicy\":[]}]}", err, sizeof(err)),
		-EINVAL);
	CHECK_EQ_INT(check("{\"folders\":{}}", err, sizeof(err)), -EINVAL);
}

static void test_undelete_window(void)
{
	int64_t now = 1800000000000LL;

	CHECK(hier_undelete_window_ok(now, now));
	CHECK(hier_undelete_window_ok(now - 30 * DAY_MS, now));
	CHECK(!hier_undelete_window_ok(now - 30 * DAY_MS - 1, now));
	CHECK(!hier_undelete_window_ok(now - 31 * DAY_MS, now));
	CHECK(!hier_undelete_window_ok(now + 1, now)); /* deleted in the future: a bad record */
}

int main(void)
{
	RUN(test_state);
	RUN(test_undelete_window);
	return t_done();
}
