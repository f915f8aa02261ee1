/*
 * test_rbac_explain.c - `doctor rbac`'s pure parts: GKE's IAM permission for a request
 * (camelCase plurals from the Kind, acronyms, custom resources, verb and subresource
 * mapping, the seed's container.roles.list) and RBAC rule matching as rbac.go does it.
 */
#include <string.h>

#include "doctor/doctor.h"
#include "t.h"

static const char *perm(const char *group, const char *res, const char *kind, const char *sub,
			const char *verb)
{
	static char out[256];
	if (dr_iam_permission(group, res, kind, sub, verb, out, sizeof(out)) != 0)
		return "(error)";
	return out;
}

static void test_permissions(void)
{
	CHECK_STR(perm("rbac.authorization.k8s.io", "roles", "Role", "", "list"),
		  "container.roles.list");
	CHECK_STR(perm("", "pods", "Pod", "", "get"), "container.pods.get");
	CHECK_STR(perm("networking.k8s.io", "networkpolicies", "NetworkPolicy", "", "create"),
		  "container.networkPolicies.create");
	CHECK_STR(perm("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", "",
		       "delete"),
		  "container.clusterRoleBindings.delete");
	CHECK_STR(perm("storage.k8s.io", "csinodes", "CSINode", "", "get"),
		  "container.csiNodes.get");
	CHECK_STR(perm("storage.k8s.io", "csidrivers", "CSIDriver", "", "list"),
		  "container.csiDrivers.list");
	CHECK_STR(perm("apiregistration.k8s.io", "apiservices", "APIService", "", "get"),
		  "container.apiServices.get");
	CHECK_STR(perm("apps", "daemonsets", "DaemonSet", "", "get"), "container.daemonSets.get");
	CHECK_STR(perm("policy", "poddisruptionbudgets", "PodDisruptionBudget", "", "list"),
		  "container.podDisruptionBudgets.list");
	CHECK_STR(perm("certificates.k8s.io", "certificatesigningrequests",
		       "CertificateSigningRequest", "", "get"),
		  "container.certificateSigningRequests.get");
	/* custom resources */
	CHECK_STR(perm("monitoring.coreos.com", "prometheuses", "Prometheus", "", "get"),
		  "container.thirdPartyObjects.get");
	/* verbs */
	CHECK_STR(perm("", "pods", "Pod", "", "patch"), "container.pods.update");
	CHECK_STR(perm("", "pods", "Pod", "", "watch"), "container.pods.list");
	CHECK_STR(perm("", "pods", "Pod", "", "deletecollection"), "container.pods.delete");
	CHECK_STR(perm("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", "", "bind"),
		  "container.clusterRoles.bind");
	/* subresources */
	CHECK_STR(perm("", "pods", "Pod", "log", "get"), "container.pods.getLogs");
	CHECK_STR(perm("", "pods", "Pod", "exec", "create"), "container.pods.exec");
	CHECK_STR(perm("", "pods", "Pod", "portforward", "create"), "container.pods.portForward");
	CHECK_STR(perm("", "pods", "Pod", "eviction", "create"), "container.pods.evict");
	CHECK_STR(perm("", "pods", "Pod", "status", "get"), "container.pods.getStatus");
	CHECK_STR(perm("", "pods", "Pod", "status", "patch"), "container.pods.updateStatus");
	CHECK_STR(perm("apps", "deployments", "Deployment", "scale", "update"),
		  "container.deployments.updateScale");
	CHECK_STR(perm("", "serviceaccounts", "ServiceAccount", "token", "create"),
		  "container.serviceAccounts.createToken");
	/* bad input */
	char small[8];
	CHECK(dr_iam_permission("", "pods", "Pod", "", "get", small, sizeof(small)) < 0);
	CHECK(dr_iam_permission("", "", "Pod", "", "get", small, sizeof(small)) < 0);
}

static int allows(const char *rule, const char *verb, const char *group, const char *res,
		  const char *sub, const char *name)
{
	json_t *r = json_loads(rule, 0, NULL);
	int a = dr_rbac_rule_allows(r, verb, group, res, sub, name);
	json_decref(r);
	return a;
}

static void test_rules(void)
{
	const char *roles =
		"{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\"],"
		"\"verbs\":[\"list\",\"get\"]}";
	CHECK_EQ_INT(allows(roles, "list", "rbac.authorization.k8s.io", "roles", "", NULL), 1);
	CHECK_EQ_INT(allows(roles, "delete", "rbac.authorization.k8s.io", "roles", "", NULL), 0);
	CHECK_EQ_INT(allows(roles, "list", "", "roles", "", NULL), 0); /* wrong group */
	CHECK_EQ_INT(allows(roles, "list", "rbac.authorization.k8s.io", "rolebindings", "", NULL),
		     0);
	/* wildcards */
	const char *all = "{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}";
	CHECK_EQ_INT(allows(all, "escalate", "x.io", "things", "status", NULL), 1);
	/* subresources must be named: pods does not cover pods/log */
	const char *pods = "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}";
	CHECK_EQ_INT(allows(pods, "get", "", "pods", "", NULL), 1);
	CHECK_EQ_INT(allows(pods, "get", "", "pods", "log", NULL), 0);
	const char *logs =
		"{\"apiGroups\":[\"\"],\"resources\":[\"pods/log\"],\"verbs\":[\"get\"]}";
	CHECK_EQ_INT(allows(logs, "get", "", "pods", "log", NULL), 1);
	CHECK_EQ_INT(allows(logs, "get", "", "pods", "", NULL), 0);
	const char *anystatus =
		"{\"apiGroups\":[\"*\"],\"resources\":[\"*/status\"],\"verbs\":[\"get\"]}";
	CHECK_EQ_INT(allows(anystatus, "get", "apps", "deployments", "status", NULL), 1);
	CHECK_EQ_INT(allows(anystatus, "get", "apps", "deployments", "", NULL), 0);
	/* resourceNames never matches an unnamed request */
	const char *named =
		"{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"verbs\":[\"get\"],"
		"\"resourceNames\":[\"app-config\"]}";
	CHECK_EQ_INT(allows(named, "get", "", "configmaps", "", NULL), 0);
	CHECK_EQ_INT(allows(named, "get", "", "configmaps", "", "app-config"), 1);
	CHECK_EQ_INT(allows(named, "get", "", "configmaps", "", "other"), 0);
	/* malformed rules allow nothing */
	CHECK_EQ_INT(allows("{}", "get", "", "pods", "", NULL), 0);
	CHECK_EQ_INT(allows("{\"verbs\":\"*\",\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}", "get",
			    "", "pods", "", NULL),
		     0);
}

int main(void)
{
	RUN(test_permissions);
	RUN(test_rules);
	return t_done();
}
