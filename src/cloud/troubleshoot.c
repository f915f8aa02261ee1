/*
 * troubleshoot.c - the Policy Troubleshooter API (policytroubleshooter.googleapis.com):
 * v3 `iam:troubleshoot` (what `gcloud policy-intelligence troubleshoot-policy iam RESOURCE
 * --principal-email=E --permission=P` calls in gcloud 528: googlecloudsdk/api_lib/
 * policy_intelligence/policy_troubleshooter.py picks v3 for GA) and v1 `iam:troubleshoot`
 * (allow policies only, as v1 predates deny policies). The explanation and its verdict
 * are the IAM engine's (iam/troubleshoot.h): the verdict is the one every API call gets.
 *
 * The access tuple: principal (an email: a service account when it ends in
 * ".gserviceaccount.com", else a user), fullResourceName (a project, folder,
 * organization, service account or cluster, iam/docs/full-resource-names; a project by ID
 * or number), permission in the v1 or v2 form, and the condition context's
 * request.receiveTime (the check's time; now when absent).
 *
 * Deliberate limits: any authenticated caller may troubleshoot (Google omits the policies
 * the caller may not read; gkeid shows them all); resource.name/type/service overrides of
 * the condition context are not used; explanations read each policy as stored, while the
 * verdict uses the version in effect (they differ only within the propagation delay).
 * Invalid requests get Google's generic INVALID_ARGUMENT text.
 */
#include "iam/troubleshoot.h"
#include "cloud/cloud.h"
#include "cloud/iamext.h"
#include "core/clock.h"
#include "core/dbuf.h"
#include "core/http.h"
#include "iam/deny.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE "policytroubleshooter.googleapis.com"
#define SA_SUFFIX ".gserviceaccount.com"
#define SA_SUFFIX_LEN (sizeof(SA_SUFFIX) - 1)

static void reply_invalid(struct http_req *r)
{
	http_reply_gerror(r, 400, NULL, NULL, NULL, NULL, "Request contains an invalid argument.");
}

/* The request, resolved. */
struct tq {
	char email[320], member[340];
	char resource[256];
	char perm_v1[256], perm_v2[300];
	struct iam_principal p;
	int64_t now_ms;
};

/* Resolves a project by ID or number in a resource name to its ID, in place. */
static int project_to_id(struct cloud *c, char *res, size_t len)
{
	char id[128], rest[256] = "";
	const char *slash;
	json_t *p;
	int rc;

	if (strncmp(res, "projects/", 9) != 0)
		return 0;
	slash = strchr(res + 9, '/');
	if (SFMT(id, "%.*s", (int)(slash ? (size_t)(slash - res - 9) : strlen(res + 9)), res + 9) <
		    0 ||
	    (slash && SFMT(rest, "%s", slash) < 0))
		return -EINVAL;
	if (!strcmp(id, "-") && !strncmp(rest, "/serviceAccounts/", 17)) {
		char buf[128];
		const char *pid = cloud_sa_project_of(c, rest + 17, buf, sizeof(buf));

		return pid ? sfmt(res, len, "projects/%s%s", pid, rest) : -ENOENT;
	}
	if (!(p = cloud_project_get(c, id)))
		return -ENOENT;
	rc = sfmt(res, len, "projects/%s%s", json_string_value(json_object_get(p, "projectId")),
		  rest);
	json_decref(p);
	return rc;
}

/* The v2 form of a v1 permission ("resourcemanager." is "cloudresourcemanager.googleapis.com"). */
static int perm_v2(const char *v1, char *out, size_t len)
{
	const char *dot = strchr(v1, '.');

	if (!dot)
		return -EINVAL;
	if (!strncmp(v1, "resourcemanager.", 16))
		return sfmt(out, len, "cloudresourcemanager.googleapis.com/%s", dot + 1);
	return sfmt(out, len, "%.*s.googleapis.com/%s", (int)(dot - v1), v1, dot + 1);
}

/* Reads and checks the access tuple. 0, or -1 after replying. */
static int parse(struct http_req *r, struct cloud *c, const json_t *body, struct tq *q)
{
	const json_t *at = json_object_get(body, "accessTuple");
	const char *pr = json_string_value(json_object_get(at, "principal"));
	const char *fr = json_string_value(json_object_get(at, "fullResourceName"));
	const char *pm = json_string_value(json_object_get(at, "permission"));
	const char *rt = json_string_value(
		json_object_get(json_object_get(json_object_get(at, "conditionContext"), "request"),
				"receiveTime"));
	size_t el = pr ? strlen(pr) : 0;
	int64_t secs;

	memset(q, 0, sizeof(*q));
	q->now_ms = cloud_now_ms();
	if (!pm && at)
		pm = json_string_value(json_object_get(at, "permissionFqdn"));
	if (!pr || !fr || !pm || !strchr(pr, '@') || SFMT(q->email, "%s", pr) < 0 ||
	    iam_resource_of(fr, q->resource, sizeof(q->resource)) < 0 ||
	    project_to_id(c, q->resource, sizeof(q->resource)) < 0 ||
	    (rt && (clock_parse_rfc3339(rt, &secs) < 0 || (q->now_ms = secs * 1000, 0))))
		return reply_invalid(r), -1;
	if (strchr(pm, '/')) {
		if (iam_deny_perm_v1(pm, q->perm_v1, sizeof(q->perm_v1)) < 0 ||
		    SFMT(q->perm_v2, "%s", pm) < 0)
			return reply_invalid(r), -1;
	} else if (SFMT(q->perm_v1, "%s", pm) < 0 ||
		   perm_v2(pm, q->perm_v2, sizeof(q->perm_v2)) < 0)
		return reply_invalid(r), -1;
	if (SFMT(q->member, "%s:%s",
		 el > SA_SUFFIX_LEN && !strcmp(pr + el - SA_SUFFIX_LEN, SA_SUFFIX)
			 ? "serviceAccount"
			 : "user",
		 pr) < 0)
		return reply_invalid(r), -1;
	q->p.members[0] = q->member;
	q->p.n_members = 1;
	q->p.email = q->email;
	q->p.authenticated = 1;
	return 0;
}

/* Authenticates, reads the body and explains. NULL after replying. */
static json_t *troubleshoot(struct http_req *r, struct tq *q, json_t **body)
{
	struct cloud *c = r->app;
	struct caller who;
	char bufs[2][256];
	const char *chain[2];
	size_t n;
	json_t *out;

	*body = NULL;
	if (cloud_authenticate(c, r, SERVICE, &who) != 0 || !(*body = http_json_body(r, 0)) ||
	    parse(r, c, *body, q) != 0)
		return NULL;
	n = iam_resource_chain(q->resource, bufs, chain);
	if (!n || !(out = iam_troubleshoot(c->iam, chain, n, &q->p, q->perm_v1, q->now_ms, NULL))) {
		cloud_reply_internal(r);
		return NULL;
	}
	return out;
}

/* POST /policytroubleshooter/v3/iam:troubleshoot {"accessTuple":{...}} */
static void troubleshoot_v3(struct http_req *r)
{
	struct tq q;
	json_t *body, *out = troubleshoot(r, &q, &body), *at;

	if (out) {
		at = json_deep_copy(json_object_get(body, "accessTuple"));
		if (at)
			json_object_set_new(at, "permissionFqdn", json_string(q.perm_v2));
		json_object_set_new(out, "accessTuple", at ? at : json_object());
		http_reply_json(r, 200, out);
	}
	json_decref(body);
}

/* A v3 binding explanation in v1's words (google.cloud.policytroubleshooter.v1). */
static json_t *binding_v1(const json_t *b)
{
	json_t *o = json_object(), *ms = json_object();
	const char *k;
	const json_t *v;
	int granted = !strcmp(json_string_value(json_object_get(b, "allowAccessState")) ?: "",
			      "ALLOW_ACCESS_STATE_GRANTED");

	json_object_foreach((json_t *)json_object_get(b, "memberships"), k, v)
	{
		int hit = !strcmp(json_string_value(json_object_get(v, "membership")) ?: "",
				  "MEMBERSHIP_MATCHED");

		json_object_set_new(
			ms, k,
			json_pack("{s:s, s:O}", "membership",
				  hit ? "MEMBERSHIP_INCLUDED" : "MEMBERSHIP_NOT_INCLUDED",
				  "relevance", json_object_get(v, "relevance")));
	}
	json_object_set_new(o, "access", json_string(granted ? "GRANTED" : "NOT_GRANTED"));
	json_object_set(o, "role", json_object_get(b, "role"));
	json_object_set(o, "rolePermission", json_object_get(b, "rolePermission"));
	json_object_set(o, "rolePermissionRelevance",
			json_object_get(b, "rolePermissionRelevance"));
	json_object_set_new(o, "memberships", ms);
	json_object_set(o, "relevance", json_object_get(b, "relevance"));
	if (json_object_get(b, "condition"))
		json_object_set(o, "condition", json_object_get(b, "condition"));
	return o;
}

/* POST /policytroubleshooter/v1/iam:troubleshoot: the allow side only. */
static void troubleshoot_v1(struct http_req *r)
{
	struct tq q;
	json_t *body, *v3 = troubleshoot(r, &q, &body), *out, *pols;
	const json_t *ep, *be;
	size_t i, j;

	if (!v3)
		goto out;
	out = json_object();
	pols = json_array();
	json_array_foreach(
		json_object_get(json_object_get(v3, "allowPolicyExplanation"), "explainedPolicies"),
		i, ep)
	{
		json_t *bes = json_array(), *p1;
		int granted =
			!strcmp(json_string_value(json_object_get(ep, "allowAccessState")) ?: "",
				"ALLOW_ACCESS_STATE_GRANTED");

		json_array_foreach(json_object_get(ep, "bindingExplanations"), j, be)
			json_array_append_new(bes, binding_v1(be));
		p1 = json_pack("{s:s, s:O, s:O, s:o, s:O}", "access",
			       granted ? "GRANTED" : "NOT_GRANTED", "fullResourceName",
			       json_object_get(ep, "fullResourceName"), "policy",
			       json_object_get(ep, "policy"), "bindingExplanations", bes,
			       "relevance", json_object_get(ep, "relevance"));
		if (p1)
			json_array_append_new(pols, p1);
	}
	json_object_set_new(
		out, "access",
		json_string(!strcmp(json_string_value(json_object_get(
					    json_object_get(v3, "allowPolicyExplanation"),
					    "allowAccessState"))
					    ?: "",
				    "ALLOW_ACCESS_STATE_GRANTED")
				    ? "GRANTED"
				    : "NOT_GRANTED"));
	json_object_set_new(out, "explainedPolicies", pols);
	http_reply_json(r, 200, out);
	json_decref(v3);
out:
	json_decref(body);
}

#define WHY "explains a principal's access to a resource; any authenticated caller (a limit)"
static const struct cloud_route routes[] = {
	{"POST", "/policytroubleshooter/v3/iam:troubleshoot", troubleshoot_v3, NULL, 0, WHY},
	{"POST", "/policytroubleshooter/v1/iam:troubleshoot", troubleshoot_v1, NULL, 0, WHY},
};
const struct cloud_api troubleshoot_api = CLOUD_API(SERVICE, routes);
