/*
 * test_rbac.c - unit tests of Kubernetes RBAC (src/kube/rbac.c) over a real SQLite
 * store: upstream's matching rules (verbs, groups, subresources, "*" and "*\/sub",
 * resourceNames, nonResourceURLs with a trailing "*", user "*", ServiceAccount subjects
 * without a namespace, RoleBindings to ClusterRoles), the allow reasons, the index kept
 * fresh by the store watch, aggregation, the rules of SelfSubjectRulesReview, the
 * default bootstrap, and escalation prevention with upstream's message.
 */
#include "t.h"

#include "core/embed.h"
#include "core/store.h"
#include "kube/kube.h"
#include "kube/rbac.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define P "/clusters/demo-project/us-central1/demo"
#define RB P "/registry/rolebindings.rbac.authorization.k8s.io/"
#define CRB P "/registry/clusterrolebindings.rbac.authorization.k8s.io/"
#define R P "/registry/roles.rbac.authorization.k8s.io/"
#define CR P "/registry/clusterroles.rbac.authorization.k8s.io/"

static char dir[] = "/tmp/test_rbac.XXXXXX";
static char db_path[128];
static struct store *st;
static struct kube kube;
static struct kube_cluster cl;

static void put(const char *key, const char *json)
{
	json_error_t jerr;
	json_t *j = json_loads(json, 0, &jerr);
	if (!j) {
		fprintf(stderr, "bad test JSON: %s: %s\n", jerr.text, json);
		CHECK(0);
		return;
	}
	char *s = json_dumps(j, JSON_COMPACT);
	CHECK_EQ_INT(store_put(st, key, s, strlen(s), STORE_ANY_REV, NULL), 0);
	free(s);
	json_decref(j);
}

static void del(const char *key)
{
	CHECK_EQ_INT(store_delete(st, key, STORE_ANY_REV, NULL), 0);
}

static struct kube_user user(const char *name, ...)
{
	struct kube_user u;
	va_list ap;
	const char *g;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	va_start(ap, name);
	while ((g = va_arg(ap, const char *)) && u.n_groups < KUBE_MAX_GROUPS)
		snprintf(u.groups[u.n_groups++], sizeof(u.groups[0]), "%s", g);
	va_end(ap);
	return u;
}

/* attrs: "verb group resource[/sub] ns name" with "-" for empty. */
static struct kube_attrs res(const char *verb, const char *group, const char *resource,
			     const char *ns, const char *name)
{
	struct kube_attrs a;
	memset(&a, 0, sizeof(a));
	a.resource_request = 1;
	snprintf(a.verb, sizeof(a.verb), "%s", verb);
	snprintf(a.group, sizeof(a.group), "%s", group);
	snprintf(a.version, sizeof(a.version), "v1");
	const char *slash = strchr(resource, '/');
	if (slash) {
		snprintf(a.resource, sizeof(a.resource), "%.*s", (int)(slash - resource), resource);
		snprintf(a.subresource, sizeof(a.subresource), "%s", slash + 1);
	} else {
		snprintf(a.resource, sizeof(a.resource), "%s", resource);
	}
	snprintf(a.namespace_, sizeof(a.namespace_), "%s", ns ? ns : "");
	snprintf(a.name, sizeof(a.name), "%s", name ? name : "");
	return a;
}

static struct kube_attrs url(const char *verb, const char *path)
{
	struct kube_attrs a;
	memset(&a, 0, sizeof(a));
	snprintf(a.verb, sizeof(a.verb), "%s", verb);
	snprintf(a.path, sizeof(a.path), "%s", path);
	return a;
}

static int allows(const struct kube_user *u, struct kube_attrs a)
{
	return rbac_authorize(&cl, u, &a) == KUBE_ALLOW;
}

static int rule_allows(const char *rule, struct kube_attrs a)
{
	json_t *j = json_loads(rule, 0, NULL);
	int ok = rbac_rule_allows(j, &a);
	json_decref(j);
	return ok;
}

static void test_rule_matching(void)
{
	const char *pods = "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":"
			   "[\"get\",\"list\"]}";
	CHECK(rule_allows(pods, res("get", "", "pods", "default", "web")));
	CHECK(rule_allows(pods, res("list", "", "pods", "default", NULL)));
	CHECK(!rule_allows(pods, res("delete", "", "pods", "default", "web")));
	CHECK(!rule_allows(pods, res("get", "apps", "pods", "default", "web")));
	/* a resource rule does not cover its subresources */
	CHECK(!rule_allows(pods, res("get", "", "pods/log", "default", "web")));
	CHECK(!rule_allows(pods, res("get", "", "pods/status", "default", "web")));

	const char *log = "{\"apiGroups\":[\"\"],\"resources\":[\"pods/log\"],\"verbs\":[\"get\"]}";
	CHECK(rule_allows(log, res("get", "", "pods/log", "default", "web")));
	CHECK(!rule_allows(log, res("get", "", "pods", "default", "web")));

	const char *star_sub =
		"{\"apiGroups\":[\"*\"],\"resources\":[\"*/scale\"],\"verbs\":[\"*\"]}";
	CHECK(rule_allows(star_sub, res("update", "apps", "deployments/scale", "d", "x")));
	CHECK(!rule_allows(star_sub, res("update", "apps", "deployments", "d", "x")));
	CHECK(!rule_allows(star_sub, res("update", "apps", "deployments/status", "d", "x")));

	const char *all = "{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}";
	CHECK(rule_allows(all, res("get", "", "pods/log", "default", "web")));
	CHECK(rule_allows(all, res("escalate", "rbac.authorization.k8s.io", "roles", "", "")));
	/* a resource rule never matches a non-resource URL */
	CHECK(!rule_allows(all, url("get", "/healthz")));

	/* resourceNames never match an unnamed request (list, create) */
	const char *named = "{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],"
			    "\"resourceNames\":[\"cfg\"],\"verbs\":[\"get\",\"list\",\"create\"]}";
	CHECK(rule_allows(named, res("get", "", "configmaps", "default", "cfg")));
	CHECK(!rule_allows(named, res("get", "", "configmaps", "default", "other")));
	CHECK(!rule_allows(named, res("list", "", "configmaps", "default", NULL)));
	CHECK(!rule_allows(named, res("create", "", "configmaps", "default", NULL)));

	/* nonResourceURLs: exact, "*", and a trailing "*" as a prefix */
	const char *urls = "{\"nonResourceURLs\":[\"/healthz\",\"/apis/*\"],\"verbs\":[\"get\"]}";
	CHECK(rule_allows(urls, url("get", "/healthz")));
	CHECK(!rule_allows(urls, url("get", "/healthz/etcd")));
	CHECK(rule_allows(urls, url("get", "/apis/")));
	CHECK(rule_allows(urls, url("get", "/apis/apps/v1")));
	CHECK(!rule_allows(urls, url("get", "/apis")));
	CHECK(!rule_allows(urls, url("post", "/apis/x")));
	CHECK(!rule_allows(urls, res("get", "", "pods", "default", NULL)));
	const char *any_url = "{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}";
	CHECK(rule_allows(any_url, url("delete", "/anything")));
}

static void test_bindings(void)
{
	struct kube_user alice = user("alice", "system:authenticated", NULL);
	struct kube_user bob = user("bob", "devs", "system:authenticated", NULL);
	struct kube_user star = user("*", NULL);
	struct kube_user sa = user("system:serviceaccount:team:builder", "system:serviceaccounts",
				   "system:serviceaccounts:team", "system:authenticated", NULL);
	char reason[512];

	CHECK(!allows(&alice, res("get", "", "pods", "team", "web")));
	put(CR "pod-reader",
	    "{\"metadata\":{\"name\":\"pod-reader\"},\"rules\":[{\"apiGroups\":[\"\"]"
	    ","
	    "\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]}");
	/* a RoleBinding to a ClusterRole grants it in its namespace only */
	put(RB "team/alice-reads",
	    "{\"metadata\":{\"name\":\"alice-reads\",\"namespace\":\"team\"},"
	    "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":"
	    "\"ClusterRole\",\"name\":\"pod-reader\"},\"subjects\":[{\"kind\":"
	    "\"User\",\"name\":\"alice\"}]}");
	CHECK(allows(&alice, res("get", "", "pods", "team", "web")));
	CHECK(allows(&alice, res("watch", "", "pods", "team", NULL)));
	CHECK(!allows(&alice, res("get", "", "pods", "other", "web")));
	CHECK(!allows(&alice, res("list", "", "pods", "", NULL)));
	CHECK(!allows(&bob, res("get", "", "pods", "team", "web")));
	struct kube_attrs a = res("get", "", "pods", "team", "web");
	CHECK_EQ_INT(rbac_authorize_reason(&cl, &alice, &a, reason, sizeof(reason)), KUBE_ALLOW);
	CHECK_STR(reason, "RBAC: allowed by RoleBinding \"alice-reads/team\" of ClusterRole "
			  "\"pod-reader\" to User \"alice\"");

	/* user "*" is no wildcard: it names a user called "*" */
	put(CRB "star", "{\"metadata\":{\"name\":\"star\"},\"roleRef\":{\"kind\":\"ClusterRole\","
			"\"name\":\"pod-reader\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"*"
			"\"}]}");
	CHECK(!allows(&bob, res("list", "", "pods", "", NULL)));
	CHECK(allows(&star, res("list", "", "pods", "", NULL)));

	/* groups, cluster-wide */
	put(CRB "devs", "{\"metadata\":{\"name\":\"devs\"},\"roleRef\":{\"kind\":\"ClusterRole\","
			"\"name\":\"pod-reader\"},\"subjects\":[{\"kind\":\"Group\",\"name\":"
			"\"devs\"}]}");
	CHECK(allows(&bob, res("list", "", "pods", "", NULL)));
	CHECK(allows(&bob, res("get", "", "pods", "anywhere", "x")));
	a = res("list", "", "pods", "", NULL);
	CHECK_EQ_INT(rbac_authorize_reason(&cl, &bob, &a, reason, sizeof(reason)), KUBE_ALLOW);
	CHECK_STR(reason, "RBAC: allowed by ClusterRoleBinding \"devs\" of ClusterRole "
			  "\"pod-reader\" to Group \"devs\"");
	/* changes show at once (the store watch) */
	del(CRB "devs");
	CHECK(!allows(&bob, res("list", "", "pods", "", NULL)));

	/* a ServiceAccount subject without a namespace takes the binding's */
	put(R "team/cm-writer", "{\"metadata\":{\"name\":\"cm-writer\",\"namespace\":\"team\"},"
				"\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],"
				"\"verbs\":[\"create\",\"update\"]}]}");
	put(RB "team/builder",
	    "{\"metadata\":{\"name\":\"builder\",\"namespace\":\"team\"},"
	    "\"roleRef\":{\"kind\":\"Role\",\"name\":\"cm-writer\"},\"subjects\":"
	    "[{\"kind\":\"ServiceAccount\",\"name\":\"builder\"}]}");
	CHECK(allows(&sa, res("create", "", "configmaps", "team", NULL)));
	CHECK(!allows(&sa, res("create", "", "configmaps", "other", NULL)));
	a = res("update", "", "configmaps", "team", "x");
	CHECK_EQ_INT(rbac_authorize_reason(&cl, &sa, &a, reason, sizeof(reason)), KUBE_ALLOW);
	CHECK_STR(reason, "RBAC: allowed by RoleBinding \"builder/team\" of Role \"cm-writer\" to "
			  "ServiceAccount \"builder/team\"");
	/* ... and one in another namespace does not match */
	struct kube_user sa2 = user("system:serviceaccount:other:builder", NULL);
	CHECK(!allows(&sa2, res("create", "", "configmaps", "team", NULL)));
	/* a Role of another namespace is not found by a RoleBinding */
	put(RB "other/borrow",
	    "{\"metadata\":{\"name\":\"borrow\",\"namespace\":\"other\"},"
	    "\"roleRef\":{\"kind\":\"Role\",\"name\":\"cm-writer\"},\"subjects\":"
	    "[{\"kind\":\"User\",\"name\":\"carol\"}]}");
	struct kube_user carol = user("carol", NULL);
	a = res("create", "", "configmaps", "other", NULL);
	CHECK_EQ_INT(rbac_authorize_reason(&cl, &carol, &a, reason, sizeof(reason)),
		     KUBE_NO_OPINION);
	CHECK_STR(reason, "RBAC: role.rbac.authorization.k8s.io \"cm-writer\" not found");
	/* a ServiceAccount with an explicit namespace in a ClusterRoleBinding */
	put(CRB "sa-reads", "{\"metadata\":{\"name\":\"sa-reads\"},\"roleRef\":{\"kind\":"
			    "\"ClusterRole\",\"name\":\"pod-reader\"},\"subjects\":[{\"kind\":"
			    "\"ServiceAccount\",\"name\":\"builder\",\"namespace\":\"other\"}]}");
	CHECK(allows(&sa2, res("list", "", "pods", "", NULL)));
	CHECK(!allows(&sa, res("list", "", "pods", "", NULL)));
	a = res("list", "", "pods", "", NULL);
	CHECK_EQ_INT(rbac_authorize_reason(&cl, &sa2, &a, reason, sizeof(reason)), KUBE_ALLOW);
	CHECK_STR(reason, "RBAC: allowed by ClusterRoleBinding \"sa-reads\" of ClusterRole "
			  "\"pod-reader\" to ServiceAccount \"builder/other\"");

	/* updating a role changes what its bindings grant */
	put(CR "pod-reader",
	    "{\"metadata\":{\"name\":\"pod-reader\"},\"rules\":[{\"apiGroups\":[\"\"]"
	    ","
	    "\"resources\":[\"pods\",\"pods/log\"],\"verbs\":[\"get\"]}]}");
	CHECK(allows(&alice, res("get", "", "pods/log", "team", "web")));
	CHECK(!allows(&alice, res("list", "", "pods", "team", NULL)));
	del(CR "pod-reader");
	CHECK(!allows(&alice, res("get", "", "pods", "team", "web")));
	a = res("get", "", "pods", "team", "web");
	CHECK_EQ_INT(rbac_authorize_reason(&cl, &alice, &a, reason, sizeof(reason)),
		     KUBE_NO_OPINION);
	CHECK_STR(reason, "RBAC: clusterrole.rbac.authorization.k8s.io \"pod-reader\" not found");
	/* several errors are listed as Go's aggregate error lists them */
	put(CRB "alice2", "{\"metadata\":{\"name\":\"alice2\"},\"roleRef\":{\"kind\":"
			  "\"ClusterRole\",\"name\":\"gone\"},\"subjects\":[{\"kind\":\"User\","
			  "\"name\":\"alice\"}]}");
	CHECK_EQ_INT(rbac_authorize_reason(&cl, &alice, &a, reason, sizeof(reason)),
		     KUBE_NO_OPINION);
	CHECK_STR(reason, "RBAC: [clusterrole.rbac.authorization.k8s.io \"gone\" not found, "
			  "clusterrole.rbac.authorization.k8s.io \"pod-reader\" not found]");
	del(CRB "alice2");
	del(RB "team/alice-reads");
	del(CRB "star");
	del(CRB "sa-reads");
	del(RB "other/borrow");
}

static void test_aggregation(void)
{
	struct kube_user dana = user("dana", NULL);
	put(CR "monitoring", "{\"metadata\":{\"name\":\"monitoring\"},\"aggregationRule\":{"
			     "\"clusterRoleSelectors\":[{\"matchLabels\":{\"example.com/agg\":"
			     "\"true\"}}]},\"rules\":[]}");
	put(CRB "dana", "{\"metadata\":{\"name\":\"dana\"},\"roleRef\":{\"kind\":\"ClusterRole\","
			"\"name\":\"monitoring\"},\"subjects\":[{\"kind\":\"User\",\"name\":"
			"\"dana\"}]}");
	CHECK(!allows(&dana, res("get", "", "nodes", "", "n1")));
	put(CR "nodes-read",
	    "{\"metadata\":{\"name\":\"nodes-read\",\"labels\":{\"example.com/agg\":"
	    "\"true\"}},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"nodes\"],"
	    "\"verbs\":[\"get\"]}]}");
	CHECK(allows(&dana, res("get", "", "nodes", "", "n1")));
	CHECK(!allows(&dana, res("get", "", "secrets", "x", "s")));
	/* nested: an aggregated role that is itself labelled */
	put(CR "outer", "{\"metadata\":{\"name\":\"outer\"},\"aggregationRule\":{"
			"\"clusterRoleSelectors\":[{\"matchExpressions\":[{\"key\":\"tier\","
			"\"operator\":\"In\",\"values\":[\"a\"]}]}]},\"rules\":[]}");
	put(CR "monitoring", "{\"metadata\":{\"name\":\"monitoring\",\"labels\":{\"tier\":\"a\"}},"
			     "\"aggregationRule\":{\"clusterRoleSelectors\":[{\"matchLabels\":{"
			     "\"example.com/agg\":\"true\"}}]},\"rules\":[]}");
	put(CRB "dana2", "{\"metadata\":{\"name\":\"dana2\"},\"roleRef\":{\"kind\":"
			 "\"ClusterRole\","
			 "\"name\":\"outer\"},\"subjects\":[{\"kind\":\"User\","
			 "\"name\":\"erin\"}]}");
	struct kube_user erin = user("erin", NULL);
	CHECK(allows(&erin, res("get", "", "nodes", "", "n1")));
	/* the label goes: the rules go */
	put(CR "nodes-read", "{\"metadata\":{\"name\":\"nodes-read\"},\"rules\":[{"
			     "\"apiGroups\":[\"\"],"
			     "\"resources\":[\"nodes\"],\"verbs\":[\"get\"]}]}");
	CHECK(!allows(&dana, res("get", "", "nodes", "", "n1")));
	CHECK(!allows(&erin, res("get", "", "nodes", "", "n1")));
	del(CRB "dana");
	del(CRB "dana2");
	del(CR "outer");
	del(CR "monitoring");
	del(CR "nodes-read");
}

/* The defaults as data/rbac.json has them, straight into the store (while the registry
 * cannot write yet). */
static void seed_defaults(void)
{
	json_t *doc = json_loadb(embed_rbac_json, EMBED_LEN(rbac_json), 0, NULL), *o;
	size_t i;
	char key[512];
	CHECK(doc != NULL);
	json_array_foreach(json_object_get(doc, "clusterRoles"), i, o)
	{
		char *s = json_dumps(o, JSON_COMPACT);
		snprintf(
			key, sizeof(key), CR "%s",
			json_string_value(json_object_get(json_object_get(o, "metadata"), "name")));
		CHECK_EQ_INT(store_put(st, key, s, strlen(s), STORE_ANY_REV, NULL), 0);
		free(s);
	}
	json_array_foreach(json_object_get(doc, "clusterRoleBindings"), i, o)
	{
		char *s = json_dumps(o, JSON_COMPACT);
		snprintf(
			key, sizeof(key), CRB "%s",
			json_string_value(json_object_get(json_object_get(o, "metadata"), "name")));
		CHECK_EQ_INT(store_put(st, key, s, strlen(s), STORE_ANY_REV, NULL), 0);
		free(s);
	}
	json_decref(doc);
}

static void test_bootstrap(void)
{
	int rc = rbac_bootstrap(&cl);
	int bootstrapped = rc == 0;
	if (rc == -ENOSYS) {
		printf("# registry_put not implemented yet: seeding data/rbac.json "
		       "directly\n");
		seed_defaults();
	} else {
		CHECK_EQ_INT(rc, 0);
		/* idempotent */
		CHECK_EQ_INT(rbac_bootstrap(&cl), 0);
	}
	struct kube_user anon = user("system:anonymous", "system:unauthenticated", NULL);
	struct kube_user someone = user("someone@example.com", "system:authenticated", NULL);
	struct kube_user admin = user("admin", "system:masters", "system:authenticated", NULL);
	CHECK(allows(&someone, url("get", "/version")));
	CHECK(allows(&someone, url("get", "/apis")));
	CHECK(allows(&someone, url("get", "/api/v1")));
	CHECK(allows(&anon, url("get", "/version")));
	CHECK(allows(&anon, url("get", "/healthz")));
	CHECK(!allows(&anon, url("get", "/apis")));
	CHECK(!allows(&someone, url("get", "/metrics")));
	CHECK(allows(&someone,
		     res("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", NULL)));
	CHECK(!allows(&anon,
		      res("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", NULL)));
	CHECK(!allows(&someone,
		      res("list", "rbac.authorization.k8s.io", "roles", "kube-system", NULL)));
	CHECK(allows(&admin, res("delete", "", "nodes", "", "n1")));
	CHECK(allows(&admin, url("post", "/anything")));
	/* the aggregated defaults: view < edit < admin */
	put(RB "team/frank-view", "{\"metadata\":{\"name\":\"frank-view\",\"namespace\":\"team\"},"
				  "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"view\"},"
				  "\"subjects\":[{\"kind\":\"User\",\"name\":\"frank\"}]}");
	put(RB "team/gina-admin", "{\"metadata\":{\"name\":\"gina-admin\",\"namespace\":\"team\"},"
				  "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"admin\"},"
				  "\"subjects\":[{\"kind\":\"User\",\"name\":\"gina\"}]}");
	struct kube_user frank = user("frank", NULL), gina = user("gina", NULL);
	CHECK(allows(&frank, res("list", "", "pods", "team", NULL)));
	CHECK(allows(&frank, res("get", "", "pods/log", "team", "p")));
	CHECK(!allows(&frank, res("get", "", "secrets", "team", "s")));
	CHECK(!allows(&frank, res("create", "", "pods", "team", NULL)));
	CHECK(allows(&gina, res("create", "", "pods/exec", "team", "p")));
	CHECK(allows(&gina, res("list", "rbac.authorization.k8s.io", "roles", "team", NULL)));
	CHECK(allows(&gina, res("get", "", "secrets", "team", "s")));
	CHECK(allows(&gina, res("create", "", "serviceaccounts/token", "team", "default")));
	CHECK(!allows(&gina,
		      res("list", "rbac.authorization.k8s.io", "roles", "kube-system", NULL)));
	/* the stored admin role carries the aggregated rules, as the controller writes
	 * them */
	struct store_kv kv;
	if (bootstrapped) {
		CHECK_EQ_INT(store_get(st, CR "admin", &kv), 0);
		json_t *admin_role = json_loadb(kv.value, kv.value_len, 0, NULL);
		CHECK(json_array_size(json_object_get(admin_role, "rules")) > 10);
		CHECK(json_is_object(json_object_get(admin_role, "aggregationRule")));
		json_decref(admin_role);
		store_kv_free(&kv);
	}
	/* explain: the bindings considered, and the roles that would grant it */
	struct kube_attrs ea = res("get", "", "secrets", "team", "s");
	json_t *ex = rbac_explain(&cl, &frank, &ea);
	CHECK(ex != NULL);
	CHECK(json_is_false(json_object_get(ex, "allowed")));
	json_t *c0 = json_array_get(json_object_get(ex, "considered"), 0);
	CHECK_STR(json_string_value(json_object_get(c0, "binding")),
		  "RoleBinding \"frank-view/team\" of ClusterRole \"view\" to User \"frank\"");
	CHECK(json_is_false(json_object_get(c0, "allows")));
	int has_edit = 0, has_admin = 0, has_view = 0;
	size_t gi;
	json_t *g;
	json_array_foreach(json_object_get(ex, "grantingRoles"), gi, g)
	{
		const char *gn = json_string_value(json_object_get(g, "name"));
		has_edit |= strcmp(gn, "edit") == 0;
		has_admin |= strcmp(gn, "admin") == 0;
		has_view |= strcmp(gn, "view") == 0;
	}
	CHECK(has_edit && has_admin && !has_view);
	json_decref(ex);
	del(RB "team/frank-view");
	del(RB "team/gina-admin");
}

static void test_rules_for(void)
{
	struct kube_user hank = user("hank", "system:authenticated", NULL);
	put(R "team/hank", "{\"metadata\":{\"name\":\"hank\",\"namespace\":\"team\"},\"rules\":[{"
			   "\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"resourceNames\":"
			   "[\"a\"],\"verbs\":[\"get\"]}]}");
	put(RB "team/hank", "{\"metadata\":{\"name\":\"hank\",\"namespace\":\"team\"},\"roleRef\":{"
			    "\"kind\":\"Role\",\"name\":\"hank\"},\"subjects\":[{\"kind\":\"User\","
			    "\"name\":\"hank\"}]}");
	json_t *st_team = rbac_rules_for(&cl, &hank, "team");
	json_t *st_other = rbac_rules_for(&cl, &hank, "other");
	CHECK(st_team && st_other);
	CHECK(json_is_false(json_object_get(st_team, "incomplete")));
	json_t *rr = json_object_get(st_team, "resourceRules");
	json_t *nr = json_object_get(st_team, "nonResourceRules");
	/* system:basic-user's and hank's resource rules; discovery's URLs */
	CHECK(json_array_size(rr) ==
	      json_array_size(json_object_get(st_other, "resourceRules")) + 1);
	CHECK(json_array_size(nr) >= 2);
	int found = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rr, i, r)
	{
		json_t *names = json_object_get(r, "resourceNames");
		if (json_array_size(names) == 1 &&
		    strcmp(json_string_value(json_array_get(names, 0)), "a") == 0)
			found = 1;
	}
	CHECK(found);
	json_decref(st_team);
	json_decref(st_other);
	del(RB "team/hank");
	del(R "team/hank");
}

static json_t *obj(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	CHECK(j != NULL);
	return j;
}

static void test_escalation(void)
{
	char msg[4096];
	struct kube_user ivan = user("ivan", "system:authenticated", NULL);
	struct kube_user root = user("root", "system:masters", NULL);
	json_t *o;
	/* ivan may manage roles in team, and read pods there */
	put(R "team/role-admin",
	    "{\"metadata\":{\"name\":\"role-admin\",\"namespace\":\"team\"},"
	    "\"rules\":[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],"
	    "\"resources\":[\"roles\",\"rolebindings\"],\"verbs\":[\"create\","
	    "\"update\",\"get\",\"list\",\"delete\"]},"
	    "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\","
	    "\"list\"]}]}");
	put(RB "team/ivan", "{\"metadata\":{\"name\":\"ivan\",\"namespace\":\"team\"},\"roleRef\":{"
			    "\"kind\":\"Role\",\"name\":\"role-admin\"},\"subjects\":[{\"kind\":"
			    "\"User\",\"name\":\"ivan\"}]}");
	/* a role within what ivan holds */
	o = obj("{\"metadata\":{\"name\":\"reader\",\"namespace\":\"team\"},\"rules\":[{"
		"\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "roles", o, msg, sizeof(msg)), 0);
	json_decref(o);
	/* beyond it: upstream's message, compacted and sorted */
	o = obj("{\"metadata\":{\"name\":\"writer\",\"namespace\":\"team\"},\"rules\":[{"
		"\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"secrets\"],\"verbs\":["
		"\"get\","
		"\"delete\",\"list\"]},{\"nonResourceURLs\":[\"/"
		"metrics\"],\"verbs\":[\"get\"]}]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "roles", o, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "roles.rbac.authorization.k8s.io \"writer\" is forbidden: user \"ivan\" "
		       "(groups=[\"system:authenticated\"]) is attempting to grant RBAC "
		       "permissions "
		       "not currently held:\n"
		       "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}\n"
		       "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"delete\" "
		       "\"list\"]}\n"
		       "{NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}");
	/* system:masters may */
	CHECK_EQ_INT(rbac_check_escalation(&cl, &root, "roles", o, msg, sizeof(msg)), 0);
	/* so may one with the escalate verb */
	put(R "team/escalator", "{\"metadata\":{\"name\":\"escalator\",\"namespace\":\"team\"},"
				"\"rules\":[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],"
				"\"resources\":[\"roles\"],\"verbs\":[\"escalate\"]}]}");
	put(RB "team/jill", "{\"metadata\":{\"name\":\"jill\",\"namespace\":\"team\"},\"roleRef\":{"
			    "\"kind\":\"Role\",\"name\":\"escalator\"},\"subjects\":[{\"kind\":"
			    "\"User\",\"name\":\"jill\"}]}");
	struct kube_user jill = user("jill", NULL);
	CHECK_EQ_INT(rbac_check_escalation(&cl, &jill, "roles", o, msg, sizeof(msg)), 0);
	json_decref(o);

	/* bindings: to a role whose rules ivan holds */
	put(R "team/reader",
	    "{\"metadata\":{\"name\":\"reader\",\"namespace\":\"team\"},\"rules\":[{"
	    "\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]}");
	o = obj("{\"metadata\":{\"name\":\"b1\",\"namespace\":\"team\"},\"roleRef\":{"
		"\"apiGroup\":"
		"\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"reader\"}"
		",\"subjects\":"
		"[{\"kind\":\"User\",\"name\":\"kim\"}]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "rolebindings", o, msg, sizeof(msg)), 0);
	json_decref(o);
	/* to cluster-admin: no */
	o = obj("{\"metadata\":{\"name\":\"b2\",\"namespace\":\"team\"},\"roleRef\":{"
		"\"apiGroup\":"
		"\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":"
		"\"cluster-admin\"},"
		"\"subjects\":[{\"kind\":\"User\",\"name\":\"kim\"}]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "rolebindings", o, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "rolebindings.rbac.authorization.k8s.io \"b2\" is forbidden: "
		       "user \"ivan\" "
		       "(groups=[\"system:authenticated\"]) is attempting to grant "
		       "RBAC permissions "
		       "not currently held:\n"
		       "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n"
		       "{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}");
	/* unless bind is granted on that role */
	put(CR "binder", "{\"metadata\":{\"name\":\"binder\"},\"rules\":[{\"apiGroups\":["
			 "\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],"
			 "\"resourceNames\":[\"cluster-admin\"],\"verbs\":[\"bind\"]}]}");
	put(RB "team/ivan-binds", "{\"metadata\":{\"name\":\"ivan-binds\",\"namespace\":\"team\"},"
				  "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"binder\"},"
				  "\"subjects\":[{\"kind\":\"User\",\"name\":\"ivan\"}]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "rolebindings", o, msg, sizeof(msg)), 0);
	json_decref(o);
	/* a binding to a missing role */
	o = obj("{\"metadata\":{\"name\":\"b3\",\"namespace\":\"team\"},\"roleRef\":{"
		"\"apiGroup\":"
		"\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"nope\"},"
		"\"subjects\":[]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "rolebindings", o, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "rolebindings.rbac.authorization.k8s.io \"b3\" is forbidden: "
		       "roles.rbac.authorization.k8s.io \"nope\" not found");
	json_decref(o);
	/* a ClusterRole with an aggregationRule needs cluster-admin's powers */
	o = obj("{\"metadata\":{\"name\":\"agg\"},\"aggregationRule\":{"
		"\"clusterRoleSelectors\":"
		"[{\"matchLabels\":{\"x\":\"y\"}}]},\"rules\":[]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "clusterroles", o, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "clusterroles.rbac.authorization.k8s.io \"agg\" is forbidden: must have "
		       "cluster-admin privileges to use the aggregationRule");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &root, "clusterroles", o, msg, sizeof(msg)), 0);
	json_decref(o);
	/* wildcards and */
	/* "*\/sub" in the owner's rules cover subresources */
	put(CR "subs", "{\"metadata\":{\"name\":\"subs\"},\"rules\":[{\"apiGroups\":[\"*\"],"
		       "\"resources\":[\"*/status\"],\"verbs\":[\"get\"]}]}");
	put(CRB "lou", "{\"metadata\":{\"name\":\"lou\"},\"roleRef\":{\"kind\":\"ClusterRole\","
		       "\"name\":\"subs\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"lou\"}]"
		       "}");
	struct kube_user lou = user("lou", NULL);
	o = obj("{\"metadata\":{\"name\":\"st\"},\"rules\":[{\"apiGroups\":[\"apps\"]"
		",\"resources\":"
		"[\"deployments/status\"],\"verbs\":[\"get\"]}]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &lou, "clusterroles", o, msg, sizeof(msg)), 0);
	json_decref(o);
	o = obj("{\"metadata\":{\"name\":\"st\"},\"rules\":[{\"apiGroups\":[\"apps\"]"
		",\"resources\":"
		"[\"deployments\"],\"verbs\":[\"get\"]}]}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &lou, "clusterroles", o, msg, sizeof(msg)), -EPERM);
	json_decref(o);
	/* not an RBAC kind */
	o = obj("{}");
	CHECK_EQ_INT(rbac_check_escalation(&cl, &ivan, "pods", o, msg, sizeof(msg)), -EINVAL);
	json_decref(o);
	del(RB "team/ivan");
	del(RB "team/ivan-binds");
	del(RB "team/jill");
	del(CRB "lou");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/gkeid.db", dir);
	if (store_open(db_path, &st) != 0) {
		fprintf(stderr, "store_open failed\n");
		return 1;
	}
	kube.store = st;
	cl.kube = &kube;
	snprintf(cl.project, sizeof(cl.project), "demo-project");
	snprintf(cl.location, sizeof(cl.location), "us-central1");
	snprintf(cl.name, sizeof(cl.name), "demo");
	snprintf(cl.prefix, sizeof(cl.prefix), "%s", P);
	RUN(test_rule_matching);
	RUN(test_bindings);
	RUN(test_aggregation);
	RUN(test_bootstrap);
	RUN(test_rules_for);
	RUN(test_escalation);
	rbac_forget(&cl);
	store_close(st);
	t_rmtree(dir);
	return t_done();
}
