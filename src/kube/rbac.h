/*
 * rbac.h - Kubernetes RBAC beyond kube.h's rbac_authorize/rbac_bootstrap: escalation
 * prevention for writes of RBAC kinds (as kube-apiserver's registry/rbac does), the
 * rules RBAC grants a user (SelfSubjectRulesReview) and the reason of a decision
 * (SubjectAccessReview).
 *
 * rbac.c keeps, per cluster, an in-memory index of Roles, ClusterRoles and bindings
 * built from store_range and kept fresh by store_watch on the cluster's four RBAC
 * prefixes; a decision costs a few hash lookups (subject -> bindings), not a scan.
 */
#ifndef GKEID_KUBE_RBAC_H
#define GKEID_KUBE_RBAC_H

#include <jansson.h>
#include <stddef.h>

#include "kube/kube.h"

/* Like rbac_authorize, and on KUBE_ALLOW writes upstream's reason into reason (`RBAC:
 * allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "u"`); with no opinion,
 * reason gets the resolution errors (e.g. a binding to a missing role), or "". */
enum kube_decision rbac_authorize_reason(struct kube_cluster *cl, const struct kube_user *u,
					 const struct kube_attrs *a, char *reason, size_t len);

/* Escalation check for a create or update of an RBAC object by u, as upstream: resource
 * is "roles", "clusterroles", "rolebindings" or "clusterrolebindings" and new_obj the
 * object being written (borrowed). Roles: u must hold every rule in it (in the object's
 * namespace) or be allowed "escalate" on it; bindings: u must be allowed "bind" on the
 * referenced role or hold all of its rules. Members of system:masters are always
 * allowed. The authorizer used for escalate/bind is the whole chain (kube_authorize:
 * RBAC then IAM), as on GKE. Returns 0 when allowed; -EPERM with msg set to the full
 * Forbidden message (`clusterroles.rbac.authorization.k8s.io "x" is forbidden: user "u"
 * (groups=[...]) is attempting to grant RBAC permissions not currently held:\n{...}`);
 * -EINVAL for an object that is not of that kind (msg says why). */
int rbac_check_escalation(struct kube_cluster *cl, const struct kube_user *u, const char *resource,
			  const json_t *new_obj, char *msg, size_t len);

/* The rules RBAC grants u in namespace ns (cluster-wide ones plus the namespace's
 * RoleBindings), as SelfSubjectRulesReview's status: {"resourceRules":[...],
 * "nonResourceRules":[...],"incomplete":false} (plus "evaluationError" when a role is
 * missing). New reference, or NULL on allocation failure. */
json_t *rbac_rules_for(struct kube_cluster *cl, const struct kube_user *u, const char *ns);

/* Explains an RBAC decision (for `gkeid explain` / the doctor): {"allowed": bool,
 * "considered": [{"binding": upstream's description, "kind", "roleKind", "roleName",
 * "allows": bool, "error"?}], "grantingRoles": [{"kind", "name"}]}: every binding that
 * names the user or one of its groups (cluster-wide, then in the request's namespace)
 * and whether its role allows the request, and the ClusterRoles (and the namespace's
 * Roles) that would. New reference, or NULL. */
json_t *rbac_explain(struct kube_cluster *cl, const struct kube_user *u,
		     const struct kube_attrs *a);

/* Forgets a cluster's index: its watches and memory. cluster.c calls it when it stops a
 * cluster (kube_cluster_delete, kube_free), before the store is closed. The index is
 * otherwise built on the first decision and lives as long as the cluster. */
void rbac_forget(struct kube_cluster *cl);

/* Rule matching as upstream's RuleAllows (exposed for tests): 1 when the PolicyRule
 * rule (JSON) allows the request attrs. */
int rbac_rule_allows(const json_t *rule, const struct kube_attrs *a);

#endif
