/*
 * deny.h - IAM deny policies (the IAM v2 API's policies of kind denypolicies): where
 * they live in the store, how their rules are checked when written, and how a
 * permission check asks them (before any allow policy, as Google does:
 * iam/docs/deny-overview "IAM always checks relevant deny policies before checking
 * relevant allow policies").
 *
 * A deny policy lives in the store under
 *   IAM_DENY_PREFIX + ATTACHMENT + "/" + POLICY_ID
 * where ATTACHMENT is gkeid's resource name of the attachment point ("projects/P" by
 * project ID, "folders/F", "organizations/O"), as the v2 API shows the policy
 * ({"name","uid","kind","displayName","annotations","createTime","updateTime","rules"}),
 * without its etag (the key's store revision). The engine follows the keys with a
 * store watch and compiles each rule once: its principals, its permissions (turned from
 * the v2 form "SERVICE.googleapis.com/RESOURCE.VERB" into the v1 form the checks use,
 * wildcards kept) and its denialCondition (cel.c). A deny policy on an ancestor holds
 * below it, as an allow policy does.
 *
 * Principals match in their v2 form (iam/docs/principal-identifiers): a user
 * "principal://goog/subject/EMAIL", a service account
 * "principal://iam.googleapis.com/projects/-/serviceAccounts/EMAIL", a group
 * "principalSet://goog/group/EMAIL" (iam_group_has), everyone
 * "principalSet://goog/public:all", and Workload Identity principals by the
 * principal:// and principalSet:// members the caller already carries.
 */
#ifndef GKEID_IAM_DENY_H
#define GKEID_IAM_DENY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct iam;
struct iam_principal;

#define IAM_DENY_PREFIX "/iam/denypolicies/"
#define IAM_DENY_MAX_RULES 500 /* rules of one deny policy (iam/quotas) */

/* Checks the rules of a deny policy as the v2 API receives them (policy.rules).
 * 0, or -EINVAL with *err (malloc'd: what is wrong, for the log and the tests; the API
 * answers Google's generic INVALID_ARGUMENT), or -ENOMEM. */
int iam_deny_validate(const json_t *rules, char **err);

/* The v1 form of a v2 permission ("iam.googleapis.com/roles.delete" -> "iam.roles.delete";
 * "cloudresourcemanager.googleapis.com/..." -> "resourcemanager...."; wildcards "*" are
 * kept). 0, or -EINVAL when it is not of the v2 form, or -ENAMETOOLONG. */
int iam_deny_perm_v1(const char *v2, char *out, size_t len);

/* The v2 principal identifier of an allow-policy member ("user:E" ->
 * "principal://goog/subject/E", "serviceAccount:E" ->
 * "principal://iam.googleapis.com/projects/-/serviceAccounts/E", "group:E" ->
 * "principalSet://goog/group/E", "allUsers" -> "principalSet://goog/public:all",
 * principal:// and principalSet:// unchanged). 0, -EINVAL for a member with no v2 form,
 * -ENAMETOOLONG. */
int iam_deny_principal_v2(const char *member, char *out, size_t len);

/* Why a check was denied: the deny policy (its store key's attachment and ID) and the
 * rule, when a deny rule matched. Strings point into buffers of the struct. */
struct iam_deny_hit {
	char attachment[256]; /* "projects/P" */
	char policy[128];     /* the policy ID */
	size_t rule;	      /* index in its rules */
};

/* What iam_check_explain found (iam.h): the verdict, and the layer that decided it. */
struct iam_decision {
	int allowed;		  /* iam_check's answer */
	int denied;		  /* a deny rule decided (then allowed is 0): see deny */
	struct iam_deny_hit deny; /* when denied */
	char granted_on[256];	  /* when allowed: the resource whose allow policy granted */
	int conditional;	  /* when allowed: by a conditional (or custom-role) binding */
};

/* The deny side of a check (check.c calls it first): 1 when a deny rule of a policy
 * attached to one of resources (already expanded with their ancestors) denies the
 * principal the permission (v1 form) at now_ms, filling *hit when non-NULL; 0 otherwise. */
int iam_deny_denies(const struct iam *iam, const char *const *resources, size_t n,
		    const struct iam_principal *p, const char *permission, int64_t now_ms,
		    struct iam_deny_hit *hit);

/* The deny policies attached to resource, as stored (a new JSON array of
 * {"id","policy","etag"}), for the Policy Troubleshooter and `gkeid explain`. */
json_t *iam_deny_policies_of(const struct iam *iam, const char *resource);

/* How one deny rule (a v2 DenyRule object, borrowed) bears on a request: whether the
 * principal is named (and not excepted), the permission is named (and not excepted),
 * and the condition holds for resource at now_ms. Each out pointer may be NULL.
 * Evaluates with the same matching code as iam_deny_denies. 1 when the rule denies. */
int iam_deny_rule_explain(const struct iam *iam, const json_t *rule, const struct iam_principal *p,
			  const char *permission, const char *resource, int64_t now_ms,
			  int *principal_named, int *permission_named, int *condition_holds);

/* One entry of a rule, as the check matches it: a v2 principal identifier that names p
 * (groups through iam_group_has); a v2 permission pattern that names permission (v1). */
int iam_deny_principal_names(const struct iam *iam, const char *v2, const struct iam_principal *p);
int iam_deny_permission_names(const char *v2_pattern, const char *permission);

/* engine lifecycle (iam.c) */
int iam_deny_load(struct iam *iam);
void iam_deny_free(struct iam *iam);

#endif
