/*
 * resources.c - the table of resource kinds gkeid's Kubernetes API server serves:
 * group, version, plural, kind, scope, short names, discovery verbs and GKE's IAM
 * name (container.<iam_name>.<verb>). Discovery, the registry and the authorizer all
 * read this one table.
 */
#include <string.h>

#include "kube/crdserve.h"
#include "kube/kube.h"

#define RW "create,delete,deletecollection,get,list,patch,update,watch"
#define CREATE_ONLY "create"

static const struct kube_resource resources[] = {
	/* group, version, resource, kind, singular, namespaced, short names, verbs, iam, stored */
	{"", "v1", "configmaps", "ConfigMap", "configmap", 1, "cm", RW, "configMaps", 1},
	{"", "v1", "events", "Event", "event", 1, "ev", RW, "events", 1},
	{"", "v1", "namespaces", "Namespace", "namespace", 0, "ns",
	 "create,delete,get,list,patch,update,watch", "namespaces", 1},
	{"", "v1", "nodes", "Node", "node", 0, "no", RW, "nodes", 1},
	{"", "v1", "pods", "Pod", "pod", 1, "po", RW, "pods", 1},
	{"", "v1", "secrets", "Secret", "secret", 1, NULL, RW, "secrets", 1},
	{"", "v1", "serviceaccounts", "ServiceAccount", "serviceaccount", 1, "sa", RW,
	 "serviceAccounts", 1},
	{"", "v1", "services", "Service", "service", 1, "svc",
	 "create,delete,deletecollection,get,list,patch,update,watch", "services", 1},
	{"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
	 "customresourcedefinition", 0, "crd,crds", RW, "customResourceDefinitions", 1},
	{"authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview",
	 "selfsubjectreview", 0, NULL, CREATE_ONLY, "selfSubjectReviews", 0},
	{"authentication.k8s.io", "v1", "tokenreviews", "TokenReview", "tokenreview", 0, NULL,
	 CREATE_ONLY, "tokenReviews", 0},
	{"authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview",
	 "localsubjectaccessreview", 1, NULL, CREATE_ONLY, "localSubjectAccessReviews", 0},
	{"authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
	 "selfsubjectaccessreview", 0, NULL, CREATE_ONLY, "selfSubjectAccessReviews", 0},
	{"authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview",
	 "selfsubjectrulesreview", 0, NULL, CREATE_ONLY, "selfSubjectRulesReviews", 0},
	{"authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview",
	 "subjectaccessreview", 0, NULL, CREATE_ONLY, "subjectAccessReviews", 0},
	{"events.k8s.io", "v1", "events", "Event", "event", 1, "ev", RW, "events", 1},
	{"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", "networkpolicy", 1,
	 "netpol", RW, "networkPolicies", 1},
	{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding",
	 "clusterrolebinding", 0, NULL, RW, "clusterRoleBindings", 1},
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", "clusterrole", 0, NULL,
	 RW, "clusterRoles", 1},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", "rolebinding", 1, NULL,
	 RW, "roleBindings", 1},
	{"rbac.authorization.k8s.io", "v1", "roles", "Role", "role", 1, NULL, RW, "roles", 1},
};

const struct kube_resource *kube_builtin_resources(size_t *n)
{
	*n = sizeof(resources) / sizeof(resources[0]);
	return resources;
}

const struct kube_resource *kube_resources(size_t *n)
{
	const struct kube_resource *t = crd_resources(n); /* with the custom resources */
	return t ? t : kube_builtin_resources(n);
}

const struct kube_resource *kube_resource_find(const char *group, const char *version,
					       const char *resource)
{
	if (!group || !resource)
		return NULL;
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
		const struct kube_resource *r = &resources[i];
		if (strcmp(r->group, group) == 0 && strcmp(r->resource, resource) == 0 &&
		    (!version || !*version || strcmp(r->version, version) == 0))
			return r;
	}
	return crd_find(group, version, resource);
}
