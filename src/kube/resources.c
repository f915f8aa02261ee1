/*
 * resources.c - the table of resource kinds gkeid's Kubernetes API server serves:
 * group, version, plural, kind, scope, short names, discovery verbs and GKE's IAM
 * name (container.<iam_name>.<verb>). Discovery, the registry and the authorizer all
 * read this one table. Beside it, the lifecycle of the versions in it that upstream
 * deprecates, and the Warning a request to one gets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "kube/crdserve.h"
#include "kube/kube.h"

#define RW "create,delete,deletecollection,get,list,patch,update,watch"
#define CREATE_ONLY "create"

static const struct kube_resource resources[] = {
	/* group, version, resource, kind, singular, namespaced, short names, verbs, iam, stored */
	{"", "v1", "configmaps", "ConfigMap", "configmap", 1, "cm", RW, "configMaps", 1},
	{"", "v1", "endpoints", "Endpoints", "endpoints", 1, "ep", RW, "endpoints", 1},
	{"", "v1", "events", "Event", "event", 1, "ev", RW, "events", 1},
	{"", "v1", "limitranges", "LimitRange", "limitrange", 1, "limits", RW, "limitRanges", 1},
	{"", "v1", "namespaces", "Namespace", "namespace", 0, "ns",
	 "create,delete,get,list,patch,update,watch", "namespaces", 1},
	{"", "v1", "nodes", "Node", "node", 0, "no", RW, "nodes", 1},
	{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", "persistentvolumeclaim", 1,
	 "pvc", RW, "persistentVolumeClaims", 1},
	{"", "v1", "persistentvolumes", "PersistentVolume", "persistentvolume", 0, "pv", RW,
	 "persistentVolumes", 1},
	{"", "v1", "pods", "Pod", "pod", 1, "po", RW, "pods", 1},
	{"", "v1", "podtemplates", "PodTemplate", "podtemplate", 1, NULL, RW, "podTemplates", 1},
	{"", "v1", "replicationcontrollers", "ReplicationController", "replicationcontroller", 1,
	 "rc", RW, "replicationControllers", 1},
	{"", "v1", "resourcequotas", "ResourceQuota", "resourcequota", 1, "quota", RW,
	 "resourceQuotas", 1},
	{"", "v1", "secrets", "Secret", "secret", 1, NULL, RW, "secrets", 1},
	{"", "v1", "serviceaccounts", "ServiceAccount", "serviceaccount", 1, "sa", RW,
	 "serviceAccounts", 1},
	{"", "v1", "services", "Service", "service", 1, "svc",
	 "create,delete,deletecollection,get,list,patch,update,watch", "services", 1},
	{"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations",
	 "MutatingWebhookConfiguration", "mutatingwebhookconfiguration", 0, NULL, RW,
	 "mutatingWebhookConfigurations", 1},
	{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicies",
	 "ValidatingAdmissionPolicy", "validatingadmissionpolicy", 0, NULL, RW, NULL, 1},
	{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings",
	 "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybinding", 0, NULL, RW, NULL,
	 1},
	{"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations",
	 "ValidatingWebhookConfiguration", "validatingwebhookconfiguration", 0, NULL, RW,
	 "validatingWebhookConfigurations", 1},
	{"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
	 "customresourcedefinition", 0, "crd,crds", RW, "customResourceDefinitions", 1},
	{"apiregistration.k8s.io", "v1", "apiservices", "APIService", "apiservice", 0, NULL, RW,
	 "apiServices", 1},
	{"apps", "v1", "controllerrevisions", "ControllerRevision", "controllerrevision", 1, NULL,
	 RW, "controllerRevisions", 1},
	{"apps", "v1", "daemonsets", "DaemonSet", "daemonset", 1, "ds", RW, "daemonSets", 1},
	{"apps", "v1", "deployments", "Deployment", "deployment", 1, "deploy", RW, "deployments",
	 1},
	{"apps", "v1", "replicasets", "ReplicaSet", "replicaset", 1, "rs", RW, "replicaSets", 1},
	{"apps", "v1", "statefulsets", "StatefulSet", "statefulset", 1, "sts", RW, "statefulSets",
	 1},
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
	{"autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler",
	 "horizontalpodautoscaler", 1, "hpa", RW, "horizontalPodAutoscalers", 1},
	/* autoscaling/v1 beside v2, stored as v2 (convert.c), as 1.30 serves both */
	{"autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler",
	 "horizontalpodautoscaler", 1, "hpa", RW, "horizontalPodAutoscalers", 1},
	{"batch", "v1", "cronjobs", "CronJob", "cronjob", 1, "cj", RW, "cronJobs", 1},
	{"batch", "v1", "jobs", "Job", "job", 1, NULL, RW, "jobs", 1},
	{"certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest",
	 "certificatesigningrequest", 0, "csr", RW, "certificateSigningRequests", 1},
	{"coordination.k8s.io", "v1", "leases", "Lease", "lease", 1, NULL, RW, "leases", 1},
	{"discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", "endpointslice", 1, NULL, RW,
	 "endpointSlices", 1},
	{"events.k8s.io", "v1", "events", "Event", "event", 1, "ev", RW, "events", 1},
	{"flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "FlowSchema", "flowschema", 0, NULL,
	 RW, NULL, 1},
	{"flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations",
	 "PriorityLevelConfiguration", "prioritylevelconfiguration", 0, NULL, RW, NULL, 1},
	/* v1beta3 beside v1, stored as v1: 1.30 still serves it by default (instance.go's
	 * legacyBetaEnabledByDefaultResources: "deprecate in 1.29, remove in 1.32") */
	{"flowcontrol.apiserver.k8s.io", "v1beta3", "flowschemas", "FlowSchema", "flowschema", 0,
	 NULL, RW, NULL, 1},
	{"flowcontrol.apiserver.k8s.io", "v1beta3", "prioritylevelconfigurations",
	 "PriorityLevelConfiguration", "prioritylevelconfiguration", 0, NULL, RW, NULL, 1},
	{"networking.k8s.io", "v1", "ingressclasses", "IngressClass", "ingressclass", 0, NULL, RW,
	 NULL, 1},
	{"networking.k8s.io", "v1", "ingresses", "Ingress", "ingress", 1, "ing", RW, "ingresses",
	 1},
	{"networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", "networkpolicy", 1,
	 "netpol", RW, "networkPolicies", 1},
	{"node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", "runtimeclass", 0, NULL, RW,
	 "runtimeClasses", 1},
	{"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", "poddisruptionbudget", 1,
	 "pdb", RW, "podDisruptionBudgets", 1},
	{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding",
	 "clusterrolebinding", 0, NULL, RW, "clusterRoleBindings", 1},
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", "clusterrole", 0, NULL,
	 RW, "clusterRoles", 1},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", "rolebinding", 1, NULL,
	 RW, "roleBindings", 1},
	{"rbac.authorization.k8s.io", "v1", "roles", "Role", "role", 1, NULL, RW, "roles", 1},
	{"scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", "priorityclass", 0, "pc",
	 RW, "priorityClasses", 1},
	{"storage.k8s.io", "v1", "csidrivers", "CSIDriver", "csidriver", 0, NULL, RW, "csiDrivers",
	 1},
	{"storage.k8s.io", "v1", "csinodes", "CSINode", "csinode", 0, NULL, RW, "csiNodes", 1},
	{"storage.k8s.io", "v1", "csistoragecapacities", "CSIStorageCapacity", "csistoragecapacity",
	 1, NULL, RW, NULL, 1},
	{"storage.k8s.io", "v1", "storageclasses", "StorageClass", "storageclass", 0, "sc", RW,
	 "storageClasses", 1},
	{"storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", "volumeattachment", 0,
	 NULL, RW, "volumeAttachments", 1},
};

/* k8s.io/api's prerelease lifecycle (zz_generated.prerelease-lifecycle.go) of the
 * versions above that are deprecated: flowcontrol/v1beta3's FlowSchema and
 * PriorityLevelConfiguration, deprecated in 1.29, removed in 1.32, replaced by v1. */
static const struct lifecycle {
	const char *group, *version;
	int deprecated[2], removed[2];
	const char *replacement; /* group/version of the same kind */
} lifecycles[] = {
	{"flowcontrol.apiserver.k8s.io", "v1beta3", {1, 29}, {1, 32},
	 "flowcontrol.apiserver.k8s.io/v1"},
};

/* deprecation.MajorMinor: the major and minor of "1.30.5-gke.1014001" (the minor's
 * leading digits). 0, or -EINVAL. */
static int major_minor(const char *v, int *major, int *minor)
{
	char *end;
	long ma = strtol(v, &end, 10);
	if (end == v || *end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	long mi = strtol(end + 1, NULL, 10);
	*major = (int)ma;
	*minor = (int)mi;
	return 0;
}

char *kube_deprecation_warning(const struct kube_resource *res, const char *cluster_version)
{
	const struct lifecycle *l = NULL;
	int major = 0, minor = 0;
	for (size_t i = 0; i < sizeof(lifecycles) / sizeof(lifecycles[0]); i++)
		if (strcmp(lifecycles[i].group, res->group) == 0 &&
		    strcmp(lifecycles[i].version, res->version) == 0)
			l = &lifecycles[i];
	if (!l)
		return crd_warning(res); /* a custom resource's deprecated version */
	/* IsDeprecated: no version known counts as deprecated */
	if (major_minor(cluster_version ? cluster_version : "", &major, &minor) == 0 &&
	    (l->deprecated[0] > major || (l->deprecated[0] == major && l->deprecated[1] > minor)))
		return NULL;
	/* WarningMessage */
	struct dbuf b = DBUF_INIT(1024);
	dbuf_printf(&b, "%s/%s %s is deprecated in v%d.%d+, unavailable in v%d.%d+; use %s %s",
		    res->group, res->version, res->kind, l->deprecated[0], l->deprecated[1],
		    l->removed[0], l->removed[1], l->replacement, res->kind);
	return dbuf_take(&b);
}

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
