/*
 * authz.c - the GKE authorization chain: the Node authorizer (nodeauthz.c), then
 * Kubernetes RBAC; when neither has an opinion and the user is a Google identity,
 * Google IAM decides, by the permission
 * `container.<iamResource>.<iamVerb>` on the cluster's project (GKE's mapping of
 * Kubernetes verbs and subresources to IAM permissions). A denial's reason is GKE's
 * `requires one of ["container.roles.list"] permission(s).`, and the Forbidden message
 * is worded as kube-apiserver's responsewriters.forbiddenMessage and
 * apierrors.NewForbidden word it.
 */
#include "core/dbuf.h"
#include "kube/auth.h"
#include "kube/nodeauthz.h"
#include "kube/rbac.h"
#include "kube/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cloud/cloud.h"

/* GKE's IAM resource names, for resources kube_resource_find does not know (the
 * container.* permissions of the role catalog, keyed by the Kubernetes plural). */
static const struct {
	const char *group, *resource, *iam;
} iam_names[] = {
	{"", "bindings", "bindings"},
	{"", "componentstatuses", "componentStatuses"},
	{"", "configmaps", "configMaps"},
	{"", "endpoints", "endpoints"},
	{"", "events", "events"},
	{"", "limitranges", "limitRanges"},
	{"", "namespaces", "namespaces"},
	{"", "nodes", "nodes"},
	{"", "persistentvolumeclaims", "persistentVolumeClaims"},
	{"", "persistentvolumes", "persistentVolumes"},
	{"", "pods", "pods"},
	{"", "podtemplates", "podTemplates"},
	{"", "replicationcontrollers", "replicationControllers"},
	{"", "resourcequotas", "resourceQuotas"},
	{"", "secrets", "secrets"},
	{"", "serviceaccounts", "serviceAccounts"},
	{"", "services", "services"},
	{"admissionregistration.k8s.io", "mutatingwebhookconfigurations",
	 "mutatingWebhookConfigurations"},
	{"admissionregistration.k8s.io", "validatingwebhookconfigurations",
	 "validatingWebhookConfigurations"},
	{"apiextensions.k8s.io", "customresourcedefinitions", "customResourceDefinitions"},
	{"apiregistration.k8s.io", "apiservices", "apiServices"},
	{"apps", "controllerrevisions", "controllerRevisions"},
	{"apps", "daemonsets", "daemonSets"},
	{"apps", "deployments", "deployments"},
	{"apps", "replicasets", "replicaSets"},
	{"apps", "statefulsets", "statefulSets"},
	{"authentication.k8s.io", "tokenreviews", "tokenReviews"},
	{"authorization.k8s.io", "localsubjectaccessreviews", "localSubjectAccessReviews"},
	{"authorization.k8s.io", "selfsubjectaccessreviews", "selfSubjectAccessReviews"},
	{"authorization.k8s.io", "selfsubjectrulesreviews", "selfSubjectRulesReviews"},
	{"authorization.k8s.io", "subjectaccessreviews", "subjectAccessReviews"},
	{"autoscaling", "horizontalpodautoscalers", "horizontalPodAutoscalers"},
	{"batch", "cronjobs", "cronJobs"},
	{"batch", "jobs", "jobs"},
	{"certificates.k8s.io", "certificatesigningrequests", "certificateSigningRequests"},
	{"coordination.k8s.io", "leases", "leases"},
	{"discovery.k8s.io", "endpointslices", "endpointSlices"},
	{"events.k8s.io", "events", "events"},
	{"extensions", "daemonsets", "daemonSets"},
	{"extensions", "deployments", "deployments"},
	{"extensions", "ingresses", "ingresses"},
	{"extensions", "networkpolicies", "networkPolicies"},
	{"extensions", "podsecuritypolicies", "podSecurityPolicies"},
	{"extensions", "replicasets", "replicaSets"},
	{"networking.k8s.io", "ingresses", "ingresses"},
	{"networking.k8s.io", "networkpolicies", "networkPolicies"},
	{"node.k8s.io", "runtimeclasses", "runtimeClasses"},
	{"policy", "poddisruptionbudgets", "podDisruptionBudgets"},
	{"policy", "podsecuritypolicies", "podSecurityPolicies"},
	{"rbac.authorization.k8s.io", "clusterrolebindings", "clusterRoleBindings"},
	{"rbac.authorization.k8s.io", "clusterroles", "clusterRoles"},
	{"rbac.authorization.k8s.io", "rolebindings", "roleBindings"},
	{"rbac.authorization.k8s.io", "roles", "roles"},
	{"scheduling.k8s.io", "priorityclasses", "priorityClasses"},
	{"snapshot.storage.k8s.io", "volumesnapshotclasses", "volumeSnapshotClasses"},
	{"snapshot.storage.k8s.io", "volumesnapshotcontents", "volumeSnapshotContents"},
	{"snapshot.storage.k8s.io", "volumesnapshots", "volumeSnapshots"},
	{"storage.k8s.io", "csidrivers", "csiDrivers"},
	{"storage.k8s.io", "csinodes", "csiNodes"},
	{"storage.k8s.io", "storageclasses", "storageClasses"},
	{"storage.k8s.io", "volumeattachments", "volumeAttachments"},
};

static const char *iam_resource(const struct kube_attrs *a)
{
	const struct kube_resource *res = NULL;
	if (a->version[0] && strcmp(a->version, "*") != 0)
		res = kube_resource_find(a->group, a->version, a->resource);
	if (!res)
		res = kube_resource_find(a->group, "v1", a->resource);
	if (res && res->iam_name)
		return res->iam_name;
	for (size_t i = 0; i < sizeof(iam_names) / sizeof(iam_names[0]); i++)
		if (strcmp(iam_names[i].group, a->group) == 0 &&
		    strcmp(iam_names[i].resource, a->resource) == 0)
			return iam_names[i].iam;
	/* custom resources */
	return "thirdPartyObjects";
}

/* GKE's verb mapping: patch is update, deletecollection is delete, watch is list. */
static const char *iam_verb(const char *verb)
{
	if (strcmp(verb, "patch") == 0)
		return "update";
	if (strcmp(verb, "deletecollection") == 0)
		return "delete";
	if (strcmp(verb, "watch") == 0)
		return "list";
	return verb;
}

static int is_read(const char *verb)
{
	return strcmp(verb, "get") == 0 || strcmp(verb, "list") == 0 || strcmp(verb, "watch") == 0;
}

int authz_iam_permission(const struct kube_attrs *a, char *out, size_t len)
{
	const char *res, *verb, *sub = a->subresource;
	if (!a->resource_request || !a->resource[0]) {
		if (len)
			out[0] = '\0';
		return -ENOENT;
	}
	res = iam_resource(a);
	verb = iam_verb(a->verb);
	if (strcmp(a->verb, "impersonate") == 0) {
		return sfmt(out, len, "container.clusters.impersonate");
	}
	if (strcmp(a->verb, "approve") == 0 && strcmp(a->resource, "signers") == 0) {
		return sfmt(out, len, "container.certificateSigningRequests.approve");
	}
	if (strcmp(res, "thirdPartyObjects") == 0) {
		/* custom resources (crdserve.c): GKE has create, delete, get, list and update;
		 * status and scale go with the object, a watch with list */
		return sfmt(out, len, "container.thirdPartyObjects.%s",
			    strcmp(verb, "watch") == 0 ? "list" : verb);
	}
	if (!*sub) {
		/* bind, escalate, use keep their names */
		return sfmt(out, len, "container.%s.%s", res, verb);
	}
	if (strcmp(sub, "status") == 0)
		verb = is_read(a->verb) ? "getStatus" : "updateStatus";
	else if (strcmp(sub, "scale") == 0)
		verb = is_read(a->verb) ? "getScale" : "updateScale";
	else if (strcmp(sub, "exec") == 0)
		verb = "exec";
	else if (strcmp(sub, "attach") == 0)
		verb = "attach";
	else if (strcmp(sub, "portforward") == 0)
		verb = "portForward";
	else if (strcmp(sub, "log") == 0)
		verb = "getLogs";
	else if (strcmp(sub, "proxy") == 0)
		verb = "proxy";
	else if (strcmp(sub, "eviction") == 0)
		verb = "evict";
	else if (strcmp(sub, "token") == 0 && strcmp(a->resource, "serviceaccounts") == 0)
		verb = "createToken";
	else if (strcmp(sub, "finalize") == 0)
		verb = "finalize";
	else if (strcmp(sub, "approval") == 0)
		verb = "approve";
	else if (strcmp(sub, "rollback") == 0)
		verb = "rollback";
	return sfmt(out, len, "container.%s.%s", res, verb);
}

/* The IAM principal of a Google user, from its member string. */
static int google_caller(const struct kube_user *u, struct caller *c)
{
	const char *m = u->google_member;
	memset(c, 0, sizeof(*c));
	if (strncmp(m, "user:", 5) == 0) {
		c->kind = CALLER_USER;
		if (SFMT(c->email, "%s", m + 5) < 0)
			return -ENAMETOOLONG;
	} else if (strncmp(m, "serviceAccount:", 15) == 0) {
		c->kind = CALLER_SERVICE_ACCOUNT;
		if (SFMT(c->email, "%s", m + 15) < 0)
			return -ENAMETOOLONG;
	} else if (strncmp(m, "principal://iam.googleapis.com/projects/", 40) == 0) {
		/* .../projects/N/locations/global/workloadIdentityPools/POOL/subject/SUB */
		char num[32], pool[256];
		int off = 0;
		if (sscanf(m + 40,
			   "%31[0-9]/locations/global/workloadIdentityPools/%255[^/]/"
			   "subject/%n",
			   num, pool, &off) != 2 ||
		    off == 0)
			return -EINVAL;
		c->kind = CALLER_FEDERATED;
		if (SFMT(c->project_number, "%s", num) < 0 || SFMT(c->pool, "%s", pool) < 0 ||
		    SFMT(c->subject, "%s", m + 40 + off) < 0)
			return -ENAMETOOLONG;
	} else {
		return -EINVAL;
	}
	cloud_caller_principal(c);
	return 0;
}

enum kube_decision kube_authorize(struct kube_cluster *cl, const struct kube_user *u,
				  const struct kube_attrs *a, char *reason, size_t reason_len)
{
	char rbac_reason[2048] = "", perm[160], project[200], node_reason[512];
	struct caller c;
	enum kube_decision d;
	if (reason_len)
		reason[0] = '\0';
	/* kube-apiserver's chain on GKE: Node, RBAC, then the IAM webhook */
	if (nodeauthz_authorize(cl, u, a, node_reason, sizeof(node_reason)) == KUBE_ALLOW)
		return KUBE_ALLOW;
	d = rbac_authorize_reason(cl, u, a, rbac_reason, sizeof(rbac_reason));
	if (d != KUBE_ALLOW && node_reason[0]) {
		/* the union joins the reasons of those with no opinion, in order */
		char joined[sizeof(rbac_reason)];
		size_t pos = 0;
		joined[0] = '\0';
		kube_append(joined, sizeof(joined), &pos, node_reason);
		kube_append(joined, sizeof(joined), &pos, rbac_reason[0] ? "\n" : "");
		kube_append(joined, sizeof(joined), &pos, rbac_reason);
		memcpy(rbac_reason, joined, sizeof(rbac_reason));
	}
	if (d == KUBE_ALLOW) {
		if (reason_len)
			snprintf(reason, reason_len, "%s", rbac_reason);
		return KUBE_ALLOW;
	}
	if (!u->google || !cl->kube || !cl->kube->cloud ||
	    authz_iam_permission(a, perm, sizeof(perm)) != 0 || google_caller(u, &c) != 0) {
		if (reason_len)
			snprintf(reason, reason_len, "%s", rbac_reason);
		return KUBE_NO_OPINION;
	}
	if (SFMT(project, "projects/%s", cl->project) < 0) {
		/* (a cluster's project id is at most 30 characters: never so) */
		if (reason_len)
			snprintf(reason, reason_len, "%s", rbac_reason);
		return KUBE_NO_OPINION;
	}
	const char *resources[1] = {project};
	if (cloud_allowed(cl->kube->cloud, &c, resources, 1, perm))
		return KUBE_ALLOW;
	/* the union authorizer joins the reasons of those with no opinion */
	if (reason_len)
		snprintf(reason, reason_len, "%s%srequires one of [\"%s\"] permission(s).",
			 rbac_reason, rbac_reason[0] ? "\n" : "", perm);
	return KUBE_DENY;
}

void kube_forbidden_message(const struct kube_user *u, const struct kube_attrs *a,
			    const char *reason, char *out, size_t len)
{
	char what[sizeof(a->path) + 1024], res[160];
	const char *user = u ? u->name : "";
	if (!len)
		return;
	if (!a->resource_request) {
		snprintf(what, sizeof(what), "User \"%s\" cannot %s path \"%s\"", user, a->verb,
			 a->path);
	} else {
		if (a->subresource[0])
			snprintf(res, sizeof(res), "%s/%s", a->resource, a->subresource);
		else
			snprintf(res, sizeof(res), "%s", a->resource);
		if (a->namespace_[0])
			snprintf(what, sizeof(what),
				 "User \"%s\" cannot %s resource \"%s\" in API group \"%s\" in the "
				 "namespace \"%s\"",
				 user, a->verb, res, a->group, a->namespace_);
		else
			snprintf(what, sizeof(what),
				 "User \"%s\" cannot %s resource \"%s\" in API group \"%s\" at the "
				 "cluster scope",
				 user, a->verb, res, a->group);
	}
	/* apierrors.NewForbidden(groupResource, name, err) */
	char qualified[256];
	if (a->group[0])
		snprintf(qualified, sizeof(qualified), "%s.%s", a->resource, a->group);
	else
		snprintf(qualified, sizeof(qualified), "%s", a->resource);
	const char *sep = reason && reason[0] ? ": " : "";
	const char *rs = reason ? reason : "";
	if (!a->resource_request || !a->resource[0])
		snprintf(out, len, "forbidden: %s%s%s", what, sep, rs);
	else if (!a->name[0])
		snprintf(out, len, "%s is forbidden: %s%s%s", qualified, what, sep, rs);
	else
		snprintf(out, len, "%s \"%s\" is forbidden: %s%s%s", qualified, a->name, what, sep,
			 rs);
}
