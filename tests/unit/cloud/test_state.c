/*
 * test_state.c - state_parse and state_apply over a real store: a valid state lands,
 * and names that would not fit a store key or a resource name are refused with a clear
 * message instead of being cut short (issue 10 §7).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/cloud.h"
#include "cloud/state.h"
#include "core/store.h"
#include "t.h"

static char dir[64];

/* Parses and applies yaml into a fresh store; returns state_apply's result (or
 * state_parse's) with its message in err. */
static int apply(const char *name, const char *yaml, struct store **st, char *err, size_t len)
{
	struct cloud c = {0};
	char path[128];
	json_t *doc = NULL;
	snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	CHECK_EQ_INT(store_open(path, &c.store), 0);
	int rc = state_parse(yaml, strlen(yaml), &doc, err, len);
	if (rc == 0)
		rc = state_apply(&c, doc, NULL, err, len);
	json_decref(doc);
	*st = c.store;
	return rc;
}

static void test_apply(void)
{
	struct store *st = NULL;
	struct store_kv kv;
	char err[512] = "";
	int rc = apply("ok",
		       "users: [admin@example.com]\n"
		       "projects:\n"
		       "- projectId: demo-project\n"
		       "  projectNumber: 123456789012\n"
		       "  services: [iam.googleapis.com]\n",
		       &st, err, sizeof(err));
	CHECK_EQ_INT(rc, 0);
	CHECK_STR(err, "");
	CHECK_EQ_INT(store_get(st, "/users/admin@example.com", &kv), 0);
	store_kv_free(&kv);
	CHECK_EQ_INT(store_get(st, "/projects/demo-project/services/iam.googleapis.com", &kv), 0);
	if (kv.value)
		CHECK(strstr(kv.value, "\"projects/123456789012/services/iam.googleapis.com\"") !=
		      NULL);
	store_kv_free(&kv);
	store_close(st);
}

/* A service name longer than a resource name may be: refused, nothing half-written
 * under a truncated key. */
static void test_long_service(void)
{
	struct store *st = NULL;
	struct store_kv *kvs = NULL;
	size_t n = 0;
	char err[512] = "", yaml[1024], svc[400];
	memset(svc, 'a', sizeof(svc) - 1);
	svc[sizeof(svc) - 1] = '\0';
	snprintf(yaml, sizeof(yaml),
		 "projects:\n- projectId: demo-project\n  projectNumber: 1\n  services: [%s]\n",
		 svc);
	CHECK_EQ_INT(apply("long", yaml, &st, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "state: project demo-project: a service name is too long");
	CHECK_EQ_INT(store_range(st, "/projects/demo-project/services/", 0, &kvs, &n, NULL), 0);
	CHECK_EQ_INT((int)n, 0);
	store_kvs_free(kvs, n);
	store_close(st);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gkeid-test-state.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_apply);
	RUN(test_long_service);
	t_rmtree(dir);
	return t_done();
}
