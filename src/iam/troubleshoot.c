/*
 * troubleshoot.c - why a principal has or lacks a permission on a resource, in the Policy
 * Troubleshooter's v3 shape (google.cloud.policytroubleshooter.iam.v3
 * TroubleshootIamPolicyResponse, without its accessTuple): the overall access state,
 * then the allow policies of the resource and its ancestors with each binding's role,
 * memberships, condition and relevance, then the deny policies with each rule's
 * principals, permissions and condition. Contract in troubleshoot.h.
 *
 * The verdict (overallAccessState) is iam_check_explain's: the same evaluation the APIs
 * and the cluster's IAM fallback make. The per-binding and per-rule annotations read the
 * stored policies (iam_get_policy, iam_deny_policies_of) and evaluate each entry with the
 * engine's pieces (find_role's permission bits, iam_group_has, cel.c, deny.c's rule
 * matcher), so they explain the verdict; they never decide it.
 *
 * Relevance is a heuristic, as Google's: HIGH for a binding or rule that decides, or that
 * is one step away (the role has the permission, or the principal is named); NORMAL
 * otherwise.
 */
#include "iam/troubleshoot.h"

#include "core/dbuf.h"
#include "iam/cel.h"
#include "iam/deny.h"
#include "iam/iam_priv.h"

#include <strings.h>

#define HIGH "HEURISTIC_RELEVANCE_HIGH"
#define NORMAL "HEURISTIC_RELEVANCE_NORMAL"

/* True when a member string of an allow binding names p (as check.c's rows do). */
int iam_member_names(const struct iam *iam, const char *m, const struct iam_principal *p)
{
	if (!m || !p)
		return 0;
	if (!strcmp(m, "allUsers"))
		return 1;
	if (!strcmp(m, "allAuthenticatedUsers"))
		return p->authenticated;
	if (has_prefix(m, "group:"))
		return iam_group_has(iam, m + 6, p);
	if (has_prefix(m, "domain:")) {
		const char *at = p->email ? strrchr(p->email, '@') : NULL;
		int user = 0;

		for (size_t i = 0; i < p->n_members && i < IAM_MAX_MEMBERS; i++)
			user |= p->members[i] && has_prefix(p->members[i], "user:");
		return user && at && !strcasecmp(at + 1, m + 7);
	}
	for (size_t i = 0; i < p->n_members && i < IAM_MAX_MEMBERS; i++)
		if (p->members[i] && !strcmp(p->members[i], m))
			return 1;
	return 0;
}

/* The full resource name of res (itself when it has none), in buf. */
static const char *full(const char *res, char buf[MAX_NAME])
{
	return iam_full_name(res, buf, MAX_NAME) == 0 ? buf : res;
}

/* Evaluates a binding's condition (an Expr object) for the request: 1 true, 0 false. */
static int cond_value(const json_t *cond, const struct cel_activation *a)
{
	const char *expr = json_string_value(json_object_get(cond, "expression"));
	struct cel_program *prog = NULL;
	int v = 0;

	if (expr && cel_compile(expr, strlen(expr), &prog, NULL, NULL) == 0)
		v = cel_eval(prog, a);
	cel_free(prog);
	return v;
}

/* One binding's explanation; *grants says whether it grants. */
static json_t *binding_explain(const struct iam *iam, const json_t *b,
			       const struct iam_principal *p, const char *permission,
			       const struct cel_activation *a, int *grants)
{
	const char *role = json_string_value(json_object_get(b, "role"));
	const json_t *cond = json_object_get(b, "condition");
	const struct iam_role *r = find_role(iam, role);
	json_t *ms = json_object(), *o;
	const json_t *m;
	int included = 0, matched = 0, cv = 1;
	uint32_t id;
	size_t i;

	if (r && perm_id(iam, permission, &id))
		included = (r->bits[id >> 6] >> (id & 63)) & 1;
	json_array_foreach(json_object_get(b, "members"), i, m)
	{
		int hit = iam_member_names(iam, json_string_value(m), p);

		matched |= hit;
		if (ms && json_is_string(m))
			json_object_set_new(
				ms, json_string_value(m),
				json_pack("{s:s, s:s}", "membership",
					  hit ? "MEMBERSHIP_MATCHED" : "MEMBERSHIP_NOT_MATCHED",
					  "relevance", hit ? HIGH : NORMAL));
	}
	if (cond)
		cv = cond_value(cond, a);
	*grants = included && matched && cv;
	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:s}", "allowAccessState",
		      *grants ? "ALLOW_ACCESS_STATE_GRANTED" : "ALLOW_ACCESS_STATE_NOT_GRANTED",
		      "role", role ? role : "", "rolePermission",
		      included ? "ROLE_PERMISSION_INCLUDED" : "ROLE_PERMISSION_NOT_INCLUDED",
		      "rolePermissionRelevance", included ? HIGH : NORMAL, "memberships",
		      ms ? ms : json_object(), "combinedMembership", "membership",
		      matched ? "MEMBERSHIP_MATCHED" : "MEMBERSHIP_NOT_MATCHED", "relevance",
		      matched ? HIGH : NORMAL, "relevance",
		      *grants || included || matched ? HIGH : NORMAL);
	if (o && cond) {
		json_object_set(o, "condition", (json_t *)cond);
		json_object_set_new(o, "conditionExplanation", json_pack("{s:b}", "value", cv));
	}
	return o;
}

/* The allow side: {"allowAccessState","explainedPolicies","relevance"}. */
static json_t *allow_explain(struct iam *iam, const char *const *res, size_t n,
			     const struct iam_principal *p, const char *permission,
			     const struct cel_activation *a)
{
	json_t *pols = json_array();
	int any = 0;

	for (size_t i = 0; pols && i < n; i++) {
		json_t *pol = NULL, *bes = json_array(), *ep;
		char fn[MAX_NAME];
		const json_t *b;
		int granted = 0;
		size_t k;

		if (!bes || iam_get_policy(iam, res[i], 3, &pol) < 0) {
			json_decref(bes);
			continue;
		}
		json_array_foreach(json_object_get(pol, "bindings"), k, b)
		{
			int g = 0;
			json_t *be = binding_explain(iam, b, p, permission, a, &g);

			granted |= g;
			if (be)
				json_array_append_new(bes, be);
		}
		any |= granted;
		ep = json_pack("{s:s, s:s, s:o, s:o, s:s}", "allowAccessState",
			       granted ? "ALLOW_ACCESS_STATE_GRANTED"
				       : "ALLOW_ACCESS_STATE_NOT_GRANTED",
			       "fullResourceName", full(res[i], fn), "policy", pol,
			       "bindingExplanations", bes, "relevance", granted ? HIGH : NORMAL);
		if (ep)
			json_array_append_new(pols, ep);
	}
	return json_pack("{s:s, s:o, s:s}", "allowAccessState",
			 any ? "ALLOW_ACCESS_STATE_GRANTED" : "ALLOW_ACCESS_STATE_NOT_GRANTED",
			 "explainedPolicies", pols ? pols : json_array(), "relevance", HIGH);
}

/* {"p": {"membership","relevance"}, ...} for a rule's principal list, and whether any
 * matched. */
static json_t *principals_explain(const struct iam *iam, const json_t *list,
				  const struct iam_principal *p, int *any)
{
	json_t *o = json_object();
	const json_t *v;
	size_t i;

	*any = 0;
	json_array_foreach(list, i, v)
	{
		int hit = iam_deny_principal_names(iam, json_string_value(v), p);

		*any |= hit;
		if (o && json_is_string(v))
			json_object_set_new(
				o, json_string_value(v),
				json_pack("{s:s, s:s}", "membership",
					  hit ? "MEMBERSHIP_MATCHED" : "MEMBERSHIP_NOT_MATCHED",
					  "relevance", hit ? HIGH : NORMAL));
	}
	return o;
}

static json_t *permissions_explain(const json_t *list, const char *permission, int *any)
{
	json_t *o = json_object();
	const json_t *v;
	size_t i;

	*any = 0;
	json_array_foreach(list, i, v)
	{
		int hit = iam_deny_permission_names(json_string_value(v), permission);

		*any |= hit;
		if (o && json_is_string(v))
			json_object_set_new(o, json_string_value(v),
					    json_pack("{s:s, s:s}", "permissionMatchingState",
						      hit ? "PERMISSION_PATTERN_MATCHED"
							  : "PERMISSION_PATTERN_NOT_MATCHED",
						      "relevance", hit ? HIGH : NORMAL));
	}
	return o;
}

/* One deny rule's explanation (a PolicyRule object); *denies says whether it denies. */
static json_t *rule_explain(const struct iam *iam, const json_t *rule,
			    const struct iam_principal *p, const char *permission,
			    const char *resource, int64_t now, int *denies)
{
	const json_t *dr = json_object_get(rule, "denyRule");
	const json_t *cond = json_object_get(dr, "denialCondition");
	int dp, ep, dm, em, pn = 0, mn = 0, ch = 1;
	/* each list first: its flag is read below (argument order is unspecified) */
	json_t *dps = principals_explain(iam, json_object_get(dr, "deniedPrincipals"), p, &dp);
	json_t *eps = principals_explain(iam, json_object_get(dr, "exceptionPrincipals"), p, &ep);
	json_t *dms =
		permissions_explain(json_object_get(dr, "deniedPermissions"), permission, &dm);
	json_t *ems =
		permissions_explain(json_object_get(dr, "exceptionPermissions"), permission, &em);
	json_t *o;

	*denies = iam_deny_rule_explain(iam, rule, p, permission, resource, now, &pn, &mn, &ch);
	o = json_pack(
		"{s:s, s:o, s:{s:s, s:s}, s:o, s:{s:s, s:s}, s:o, s:{s:s, s:s}, s:o, s:{s:s, s:s}, "
		"s:s}",
		"denyAccessState",
		*denies ? "DENY_ACCESS_STATE_DENIED" : "DENY_ACCESS_STATE_NOT_DENIED",
		"deniedPrincipals", dps, "combinedDeniedPrincipal", "membership",
		dp ? "MEMBERSHIP_MATCHED" : "MEMBERSHIP_NOT_MATCHED", "relevance",
		dp ? HIGH : NORMAL, "exceptionPrincipals", eps, "combinedExceptionPrincipal",
		"membership", ep ? "MEMBERSHIP_MATCHED" : "MEMBERSHIP_NOT_MATCHED", "relevance",
		ep ? HIGH : NORMAL, "deniedPermissions", dms, "combinedDeniedPermission",
		"permissionMatchingState",
		dm ? "PERMISSION_PATTERN_MATCHED" : "PERMISSION_PATTERN_NOT_MATCHED", "relevance",
		dm ? HIGH : NORMAL, "exceptionPermissions", ems, "combinedExceptionPermission",
		"permissionMatchingState",
		em ? "PERMISSION_PATTERN_MATCHED" : "PERMISSION_PATTERN_NOT_MATCHED", "relevance",
		em ? HIGH : NORMAL, "relevance", *denies || (pn && mn) ? HIGH : NORMAL);
	if (o && cond && !json_is_null(cond)) {
		json_object_set(o, "condition", (json_t *)cond);
		json_object_set_new(o, "conditionExplanation", json_pack("{s:b}", "value", ch));
	}
	return o;
}

/* The deny side: {"denyAccessState","explainedResources","permissionDeniable",
 * "relevance"}. */
static json_t *deny_explain(const struct iam *iam, const char *const *res, size_t n,
			    const struct iam_principal *p, const char *permission, int64_t now)
{
	json_t *ress = json_array();
	int any = 0;

	for (size_t i = 0; ress && i < n; i++) {
		json_t *list = iam_deny_policies_of(iam, res[i]), *eps = json_array(), *er;
		char fn[MAX_NAME];
		const json_t *e;
		int res_denied = 0;
		size_t k;

		json_array_foreach(list, k, e)
		{
			json_t *pol = json_deep_copy(json_object_get(e, "policy")),
			       *rules = json_array();
			const json_t *rule;
			int pol_denied = 0;
			size_t j;

			if (pol)
				json_object_set(pol, "etag", json_object_get(e, "etag"));
			json_array_foreach(json_object_get(pol, "rules"), j, rule)
			{
				int d = 0;
				json_t *re =
					rule_explain(iam, rule, p, permission, res[0], now, &d);

				pol_denied |= d;
				if (re && rules)
					json_array_append_new(rules, re);
			}
			res_denied |= pol_denied;
			if (eps)
				json_array_append_new(
					eps,
					json_pack("{s:s, s:o, s:o, s:s}", "denyAccessState",
						  pol_denied ? "DENY_ACCESS_STATE_DENIED"
							     : "DENY_ACCESS_STATE_NOT_DENIED",
						  "policy", pol ? pol : json_object(),
						  "ruleExplanations", rules ? rules : json_array(),
						  "relevance", pol_denied ? HIGH : NORMAL));
		}
		json_decref(list);
		any |= res_denied;
		er = json_pack("{s:s, s:s, s:o, s:s}", "denyAccessState",
			       res_denied ? "DENY_ACCESS_STATE_DENIED"
					  : "DENY_ACCESS_STATE_NOT_DENIED",
			       "fullResourceName", full(res[i], fn), "explainedPolicies",
			       eps ? eps : json_array(), "relevance", res_denied ? HIGH : NORMAL);
		if (er)
			json_array_append_new(ress, er);
	}
	return json_pack("{s:s, s:o, s:b, s:s}", "denyAccessState",
			 any ? "DENY_ACCESS_STATE_DENIED" : "DENY_ACCESS_STATE_NOT_DENIED",
			 "explainedResources", ress ? ress : json_array(), "permissionDeniable", 1,
			 "relevance", any ? HIGH : NORMAL);
}

json_t *iam_troubleshoot(struct iam *iam, const char *const *resources, size_t n,
			 const struct iam_principal *p, const char *permission, int64_t now_ms,
			 struct iam_decision *d)
{
	const char *all[IAM_ANCESTRY_MAX];
	struct cel_activation a = {.now_ms = now_ms};
	struct iam_decision local;
	json_t *out;

	if (!d)
		d = &local;
	if (!iam || !resources || !n || !p || !permission)
		return NULL;
	iam_check_explain(iam, resources, n, p, permission, now_ms, d);
	n = iam_ancestry_expand(iam->ancestry, resources, n, all, IAM_ANCESTRY_MAX);
	a.resource_name = all[0];
	cel_resource_kind(a.resource_name, &a.resource_type, &a.resource_service);
	out = json_pack("{s:s, s:o, s:o}", "overallAccessState",
			d->allowed ? "CAN_ACCESS" : "CANNOT_ACCESS", "allowPolicyExplanation",
			allow_explain(iam, all, n, p, permission, &a), "denyPolicyExplanation",
			deny_explain(iam, all, n, p, permission, now_ms));
	return out;
}
