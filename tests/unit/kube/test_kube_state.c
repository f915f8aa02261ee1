/*
 * test_kube_state.c - unit tests of the split RBAC and registry modules: rbac_rule.c's
 * pure matching on compiled rules (no store, no index) and its Go-quoting text helper;
 * the per-cluster state (issue 10 §3): each cluster owns its RBAC index (cl->rbac) and
 * its registry state (cl->registry), two clusters on one store see only their own
 * bindings, and forgetting one leaves the other's intact.
 */
#include "t.h"

#include "core/store.h"
#include "kube/kube.h"
#include "kube/rbac.h"
#include "kube/rbac_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_kube_state.XXXXXX";

static json_t *rules_of(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	CHECK(j != NULL);
	return j;
}

static struct kube_attrs attrs(const char *verb, const char *group, const char *resource,
			       const char *sub, const char *name)
{
	struct kube_attrs a;
	memset(&a, 0, sizeof(a));
	a.resource_request = 1;
	snprintf(a.verb, sizeof(a.verb), "%s", verb);
	snprintf(a.group, sizeof(a.group), "%s", group);
	snprintf(a.version, sizeof(a.version), "v1");
	snprintf(a.resource, sizeof(a.resource), "%s", resource);
	snprintf(a.subresource, sizeof(a.subresource), "%s", sub);
	snprintf(a.name, sizeof(a.name), "%s", name);
	return a;
}

/* rbac_rule.c alone: compile, then match (upstream's RuleAllows). */
static void test_rule_module(void)
{
	json_t *arr = rules_of("[{\"verbs\":[\"get\",\"patch\"],\"apiGroups\":[\"apps\"],"
			       "\"resources\":[\"deployments\",\"deployments/scale\"],"
			       "\"resourceNames\":[\"web\"]},"
			       "{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/healthz/*\"]}]");
	struct crule *rules = NULL;
	size_t n = 0;
	struct req q;
	CHECK_EQ_INT(rbac_crules_compile(arr, &rules, &n), 0);
	CHECK_EQ_INT(n, 2);
	struct kube_attrs a = attrs("patch", "apps", "deployments", "scale", "web");
	rbac_req_init(&q, &a);
	CHECK_STR(q.combined, "deployments/scale");
	CHECK_EQ_INT(rbac_crule_allows(&rules[0], &q), 1);
	a = attrs("patch", "apps", "deployments", "status", "web");
	rbac_req_init(&q, &a);
	CHECK_EQ_INT(rbac_crule_allows(&rules[0], &q), 0); /* another subresource */
	a = attrs("get", "apps", "deployments", "", "api");
	rbac_req_init(&q, &a);
	CHECK_EQ_INT(rbac_crule_allows(&rules[0], &q), 0); /* another name */
	a = attrs("get", "", "", "", "");
	a.resource_request = 0;
	snprintf(a.path, sizeof(a.path), "/healthz/etcd");
	rbac_req_init(&q, &a);
	CHECK_EQ_INT(rbac_crule_allows(&rules[1], &q), 1);
	CHECK_EQ_INT(rbac_crule_allows(&rules[0], &q), 0);
	rbac_crules_free(rules, n);
	json_decref(arr);

	/* Go's %q, cut at the buffer's end */
	char buf[16];
	size_t pos = 0;
	rbac_appendq(buf, sizeof(buf), &pos, "a\"b\\c\n");
	CHECK_STR(buf, "\"a\\\"b\\\\c\\n\"");
	pos = 0;
	rbac_appendq(buf, sizeof(buf), &pos, "0123456789abcdefghij");
	CHECK_EQ_INT(strlen(buf), sizeof(buf) - 1);
}

static void put(struct store *st, const char *key, const char *json)
{
	CHECK_EQ_INT(store_put(st, key, json, strlen(json), STORE_ANY_REV, NULL), 0);
}

static void cluster_init(struct kube_cluster *c, struct kube *k, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->kube = k;
	snprintf(c->project, sizeof(c->project), "p");
	snprintf(c->location, sizeof(c->location), "us-central1");
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->prefix, sizeof(c->prefix), "/clusters/p/us-central1/%s", name);
}

/* Two clusters on one store: each index is its cluster's, and lives as long as it. */
static void test_per_cluster(struct store *st)
{
	struct kube k;
	struct kube_cluster a, b;
	memset(&k, 0, sizeof(k));
	k.store = st;
	cluster_init(&a, &k, "a");
	cluster_init(&b, &k, "b");
	put(st, "/clusters/p/us-central1/a/registry/clusterroles.rbac.authorization.k8s.io/r",
	    "{\"metadata\":{\"name\":\"r\"},\"rules\":[{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],"
	    "\"resources\":[\"pods\"]}]}");
	put(st,
	    "/clusters/p/us-central1/a/registry/clusterrolebindings.rbac.authorization.k8s.io/rb",
	    "{\"metadata\":{\"name\":\"rb\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"r\","
	    "\"apiGroup\":\"rbac.authorization.k8s.io\"},\"subjects\":[{\"kind\":\"User\","
	    "\"name\":\"alice\"}]}");
	struct kube_user alice;
	memset(&alice, 0, sizeof(alice));
	snprintf(alice.name, sizeof(alice.name), "alice");
	struct kube_attrs get = attrs("get", "", "pods", "", "x");
	snprintf(get.namespace_, sizeof(get.namespace_), "default");

	CHECK(a.rbac == NULL && b.rbac == NULL); /* built on the first decision */
	CHECK_EQ_INT(rbac_authorize(&a, &alice, &get), KUBE_ALLOW);
	CHECK_EQ_INT(rbac_authorize(&b, &alice, &get), KUBE_NO_OPINION);
	CHECK(a.rbac != NULL && b.rbac != NULL && a.rbac != b.rbac);

	/* forgetting b leaves a's index, which its watch keeps fresh */
	rbac_forget(&b);
	CHECK(b.rbac == NULL);
	CHECK_EQ_INT(store_delete(st,
				  "/clusters/p/us-central1/a/registry/"
				  "clusterrolebindings.rbac.authorization.k8s.io/rb",
				  STORE_ANY_REV, NULL),
		     0);
	CHECK_EQ_INT(rbac_authorize(&a, &alice, &get), KUBE_NO_OPINION);

	/* a cluster made again at the same address starts with no index of its own */
	rbac_forget(&a);
	cluster_init(&a, &k, "a2");
	CHECK(a.rbac == NULL);
	registry_forget(&a); /* nothing made: nothing to free */
	CHECK(a.registry == NULL);
}

int main(void)
{
	char db[128];
	struct store *st = NULL;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/gkeid.db", dir);
	if (store_open(db, &st) != 0) {
		fprintf(stderr, "store_open failed\n");
		return 1;
	}
	RUN(test_rule_module);
	test_per_cluster(st);
	store_close(st);
	t_rmtree(dir);
	return t_done();
}
