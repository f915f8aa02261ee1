/*
 * groupsrbac.c - GKE's Google Groups for RBAC (contract in groupsrbac.h), as documented in
 * "Configure Google Groups for RBAC"
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/google-groups-rbac): groups are
 * nested in gke-security-groups (users are not added to it directly), and GKE supports a
 * user's membership in groups under the security group "including nested memberships".
 * The memberships come from IAM's group index (iam/groups.h), which the Cloud Identity
 * Groups API keeps; nothing is read from the store on a request.
 */
#include "kube/groupsrbac.h"

#include <stdio.h>
#include <string.h>

#include "cloud/cloud.h"
#include "iam/groups.h"

void groupsrbac_config(struct kube_cluster *cl, const json_t *cluster)
{
	const json_t *agc = json_object_get(cluster, "authenticatorGroupsConfig");
	const char *g = json_string_value(json_object_get(agc, "securityGroup"));
	const json_t *on = json_object_get(agc, "enabled");

	/* a securityGroup with enabled unset counts as on, as the API fills enabled in */
	if (!g || (on && !json_is_true(on)) || strlen(g) >= sizeof(cl->security_group))
		g = "";
	memcpy(cl->security_group, g, strlen(g) + 1);
}

void groupsrbac_add(struct kube_cluster *cl, struct kube_user *u)
{
	struct cloud *c = cl && cl->kube ? cl->kube->cloud : NULL;
	const char *out[KUBE_MAX_GROUPS];
	struct iam_principal p = {
		.members = {u->google_member}, .n_members = 1, .authenticated = 1};
	size_t n;

	if (!c || !cl->security_group[0] || !u->google || u->n_groups >= KUBE_MAX_GROUPS)
		return;
	n = iam_groups_under(c->iam, &p, cl->security_group, out, KUBE_MAX_GROUPS - u->n_groups);
	for (size_t i = 0; i < n && u->n_groups < KUBE_MAX_GROUPS; i++) {
		int dup = 0;
		for (size_t j = 0; j < u->n_groups && !dup; j++)
			dup = strcmp(u->groups[j], out[i]) == 0;
		if (!dup && strlen(out[i]) < sizeof(u->groups[0]))
			memcpy(u->groups[u->n_groups++], out[i], strlen(out[i]) + 1);
	}
}
