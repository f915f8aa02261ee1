/*
 * explain.c - `gkeid explain`'s IAM layers: why a principal can or cannot use a permission
 * on a Google resource, from the Policy Troubleshooter of the API the doctor talks to
 * (policytroubleshooter v3 iam:troubleshoot; gkeid answers it from the very check its
 * APIs and its clusters' IAM fallback make, iam_check_explain), as two checks: "iam-allow"
 * (the bindings that grant, or the narrowest predefined role that would) and "iam-deny"
 * (the deny rule that denies, and how to except the principal), then "access", the
 * verdict. `gkeid doctor rbac` and `gkeid explain --user` ask the same for the IAM step
 * of a Kubernetes request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "doctor/doctor.h"

#define SA_SUFFIX ".gserviceaccount.com"

int dr_troubleshoot(struct dr_ctx *c, const char *principal, const char *full_resource,
		    const char *permission, json_t **out, struct dr_buf *ev)
{
	json_t *req = json_pack("{s:{s:s, s:s, s:s}}", "accessTuple", "principal", principal,
				"fullResourceName", full_resource, "permission", permission);
	char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	struct dr_resp s;
	int rc = -EIO;

	*out = NULL;
	json_decref(req);
	if (!body)
		return -ENOMEM;
	dr_google(c, "policytroubleshooter", "POST", "v3/iam:troubleshoot", "application/json",
		  body, NULL, &s);
	free(body);
	if (s.status == 200 && json_is_object(s.json)) {
		dr_buf_printf(ev, "%sPOST %s: %s", ev->len ? "; " : "", s.url,
			      dr_jstr(s.json, "overallAccessState", NULL)
				      ?: "no overallAccessState");
		*out = json_incref(s.json);
		rc = 0;
	} else {
		char brief[800];

		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(ev, "%sPOST %s: %s", ev->len ? "; " : "", s.url, brief);
	}
	dr_resp_free(&s);
	return rc;
}

/* The allow-policy member of a principal's email. */
static void member_of(const char *email, char *out, size_t len)
{
	size_t el = strlen(email), sl = strlen(SA_SUFFIX);

	if (sfmt(out, len, "%s:%s",
		 el > sl && !strcmp(email + el - sl, SA_SUFFIX) ? "serviceAccount" : "user",
		 email) < 0 &&
	    len)
		out[0] = '\0';
}

/* The bindings that grant ("ROLE on RESOURCE [if CONDITION]"), into b; their number. */
static int granting(const json_t *ts, struct dr_buf *b)
{
	const json_t *ep, *be;
	size_t i, j;
	int n = 0;

	json_array_foreach(dr_jpath(ts, "allowPolicyExplanation", "explainedPolicies", NULL), i, ep)
	{
		json_array_foreach(json_object_get(ep, "bindingExplanations"), j, be)
		{
			const char *cond = dr_jstr(be, "condition", "expression", NULL);

			if (strcmp(dr_jstr(be, "allowAccessState", NULL) ?: "",
				   "ALLOW_ACCESS_STATE_GRANTED") != 0)
				continue;
			dr_buf_printf(b, "%s%s on %s%s%s", n++ ? ", " : "",
				      dr_jstr(be, "role", NULL) ?: "?",
				      dr_jstr(ep, "fullResourceName", NULL) ?: "?",
				      cond ? " if " : "", cond ? cond : "");
		}
	}
	return n;
}

/* The deny rule that denies: its policy's name and the rule's index; 0 when none. */
static int denying(const json_t *ts, const char **policy, size_t *rule)
{
	const json_t *er, *ep, *re;
	size_t i, j, k;

	json_array_foreach(dr_jpath(ts, "denyPolicyExplanation", "explainedResources", NULL), i, er)
	{
		json_array_foreach(json_object_get(er, "explainedPolicies"), j, ep)
		{
			json_array_foreach(json_object_get(ep, "ruleExplanations"), k, re)
			{
				if (strcmp(dr_jstr(re, "denyAccessState", NULL) ?: "",
					   "DENY_ACCESS_STATE_DENIED") != 0)
					continue;
				*policy = dr_jstr(ep, "policy", "name", NULL);
				*rule = k;
				return 1;
			}
		}
	}
	return 0;
}

/* The narrowest predefined role with the permission: of the permission's own service
 * (roles/container.* for container.pods.list) when one has it, then the fewest
 * permissions, and not a service agent's. NULL when none. Borrowed from roles. */
static const char *narrowest(const json_t *roles, const char *permission)
{
	const char *best = NULL;
	size_t best_n = (size_t)-1, i, j;
	const json_t *r, *p;
	char own[80];
	int own_len = snprintf(own, sizeof(own), "roles/%.*s.", (int)strcspn(permission, "."),
			       permission);

	for (int pass = 0; pass < 2 && !best; pass++)
		json_array_foreach(roles, i, r)
		{
			const char *name = dr_jstr(r, "name", NULL);
			const json_t *perms = json_object_get(r, "includedPermissions");
			int has = 0;

			if (!name || strstr(name, "erviceAgent") ||
			    json_array_size(perms) >= best_n ||
			    (pass == 0 && strncmp(name, own, (size_t)own_len) != 0))
				continue;
			json_array_foreach(perms, j, p) has |=
				json_is_string(p) && !strcmp(json_string_value(p), permission);
			if (has) {
				best = name;
				best_n = json_array_size(perms);
			}
		}
	return best;
}

/* "attachment point" of a deny policy name policies/AP/denypolicies/ID: AP decoded
 * ("%2F" -> "/") into ap, ID into id. 0 or -EINVAL. */
static int deny_names(const char *name, char *ap, size_t aplen, char *id, size_t idlen)
{
	const char *a = name && !strncmp(name, "policies/", 9) ? name + 9 : NULL;
	const char *d = a ? strstr(a, "/denypolicies/") : NULL;
	size_t o = 0;

	if (!d || sfmt(id, idlen, "%s", d + 14) < 0)
		return -EINVAL;
	for (const char *s = a; s < d && o + 1 < aplen; s++) {
		if (!strncmp(s, "%2F", 3)) {
			ap[o++] = '/';
			s += 2;
		} else
			ap[o++] = *s;
	}
	ap[o] = '\0';
	return 0;
}

void dr_add_deny_layer(struct dr_report *r, const json_t *ts, const char *principal,
		       const char *permission)
{
	struct dr_buf fix = {0}, dev = {0};
	char member[400], title[1500], ap[300], id[200];
	const char *policy = NULL;
	size_t rule = 0;

	member_of(principal, member, sizeof(member));
	if (denying(ts, &policy, &rule) && policy &&
	    deny_names(policy, ap, sizeof(ap), id, sizeof(id)) == 0) {
		dr_buf_printf(&dev, "rule %zu of deny policy %s denies it", rule, policy);
		snprintf(title, sizeof(title), "IAM deny policy %s denies %s to %s", id, permission,
			 member);
		dr_buf_printf(&fix,
			      "# add the principal to exceptionPrincipals of rules[%zu] in the "
			      "policy file, then:\n"
			      "gcloud iam policies update %s --attachment-point=%s "
			      "--kind=denypolicies --policy-file=POLICY_FILE",
			      rule, id, ap);
		dr_add_buf(r, "iam-deny", DR_FAIL, title, &dev, &fix);
		return;
	}
	dr_buf_printf(&dev, "no deny rule names %s and %s", member, permission);
	snprintf(title, sizeof(title), "no IAM deny rule denies %s to %s", permission, member);
	dr_add_buf(r, "iam-deny", DR_PASS, title, &dev, NULL);
}

/* "iam-allow": the bindings that grant, or the narrowest role that would. */
static void add_allow_layer(struct dr_ctx *c, struct dr_report *r, const json_t *ts,
			    const char *principal, const char *permission, const char *resource,
			    const char *project, struct dr_buf *ev)
{
	struct dr_buf fix = {0}, grants = {0}, rev = {0};
	char member[400], title[1500];
	json_t *roles;
	const char *best;

	member_of(principal, member, sizeof(member));
	if (!strcmp(dr_jstr(ts, "allowPolicyExplanation", "allowAccessState", NULL) ?: "",
		    "ALLOW_ACCESS_STATE_GRANTED") &&
	    granting(ts, &grants) > 0) {
		dr_buf_printf(ev, "; granted by %s", dr_buf_str(&grants));
		snprintf(title, sizeof(title), "IAM allow grants %s on %s to %s", permission,
			 resource, member);
		dr_add_buf(r, "iam-allow", DR_PASS, title, ev, NULL);
		dr_buf_free(&grants);
		return;
	}
	roles = dr_all_roles(c, &rev);
	best = narrowest(roles, permission);
	dr_buf_printf(ev, "; no binding grants it; %s", dr_buf_str(&rev));
	snprintf(title, sizeof(title), "no IAM allow binding grants %s on %s to %s", permission,
		 resource, member);
	if (best && project)
		dr_buf_printf(&fix,
			      "gcloud projects add-iam-policy-binding %s --member=%s --role=%s "
			      "--condition=None",
			      project, member, best);
	dr_add_buf(r, "iam-allow", DR_FAIL, title, ev, best && project ? &fix : NULL);
	dr_buf_free(&fix);
	dr_buf_free(&rev);
	dr_buf_free(&grants);
	json_decref(roles);
}

int dr_run_explain_iam(struct dr_ctx *c, const char *principal, const char *permission,
		       const char *resource, struct dr_report *r, char *err, size_t errlen)
{
	struct dr_buf ev = {0};
	char full[600], title[1200];
	json_t *ts = NULL;
	const char *state;
	const char *proj = !strncmp(resource, "projects/", 9) ? resource + 9 : NULL;
	char project[DR_NAME_MAX] = "";

	if (!strncmp(resource, "//", 2)) {
		if (sfmt(full, sizeof(full), "%s", resource) < 0)
			return snprintf(err, errlen, "resource name too long"), -EINVAL;
	} else if (sfmt(full, sizeof(full), "//%s/%s",
			!strncmp(resource, "projects/", 9) && strchr(resource + 9, '/') &&
					strstr(resource, "/serviceAccounts/")
				? "iam.googleapis.com"
			: strstr(resource, "/clusters/") ? "container.googleapis.com"
							 : "cloudresourcemanager.googleapis.com",
			resource) < 0)
		return snprintf(err, errlen, "resource name too long"), -EINVAL;
	if ((proj = strstr(full, "/projects/")))
		snprintf(project, sizeof(project), "%.*s", (int)strcspn(proj + 10, "/"), proj + 10);
	if (dr_troubleshoot(c, principal, full, permission, &ts, &ev) != 0) {
		snprintf(err, errlen, "the Policy Troubleshooter does not answer: %s",
			 dr_buf_str(&ev));
		dr_buf_free(&ev);
		return -EIO;
	}
	add_allow_layer(c, r, ts, principal, permission, full, project[0] ? project : NULL, &ev);
	dr_add_deny_layer(r, ts, principal, permission);
	state = dr_jstr(ts, "overallAccessState", NULL) ?: "";
	dr_buf_printf(&ev, "overallAccessState %s: the verdict every API call gets", state);
	snprintf(title, sizeof(title), "%s %s use %s on %s", principal,
		 !strcmp(state, "CAN_ACCESS") ? "can" : "cannot", permission, full);
	dr_add_buf(r, "access", !strcmp(state, "CAN_ACCESS") ? DR_PASS : DR_FAIL, title, &ev, NULL);
	json_decref(ts);
	return 0;
}
