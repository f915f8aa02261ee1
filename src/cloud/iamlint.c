/*
 * iamlint.c - POST /v1/iamPolicies:lintPolicy, the IAM API's condition linter behind
 * `gcloud alpha iam policies lint-condition`: the condition is compiled by the same CEL
 * subset that setIamPolicy checks (iam/cel.c), and the problems come back as Google's
 * LintResult list (iam/docs/linting-policies; reference/rest/v1/iamPolicies/lintPolicy):
 *   {"lintResults":[{"level":"CONDITION",
 *                    "validationUnitName":"LintValidationUnits/ConditionCompileCheck",
 *                    "severity":"ERROR","fieldName":"condition.expression",
 *                    "locationOffset":3,"debugMessage":"ERROR: Parse expression:1:3: ..."}]}
 * and {} for a condition without problems. Deliberate limits: of Google's validation units
 * only ConditionCompileCheck and ConditionComplexityCheck run (no warnings such as
 * DateTimeCheck), and the NOTICE results Google adds for units skipped after a compile
 * error are not listed.
 */
#include "cloud/cloud.h"
#include "cloud/gerrors.h"
#include "cloud/iamext.h"
#include "core/http.h"
#include "iam/cel.h"

#include <errno.h>
#include <string.h>

#define SERVICE "iam.googleapis.com"

/* The lint result of an expression that does not compile: new reference, or NULL. */
static json_t *lint_result(const char *msg, size_t offset)
{
	int complexity = strncmp(msg, "Logical operators", 17) == 0;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "level", "CONDITION", "validationUnitName",
			      complexity ? "LintValidationUnits/ConditionComplexityCheck"
					 : "LintValidationUnits/ConditionCompileCheck",
			      "severity", "ERROR", "fieldName", "condition.expression",
			      "debugMessage", msg);

	if (o && offset != CEL_NO_OFFSET &&
	    json_object_set_new(o, "locationOffset", json_integer((json_int_t)offset)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void lint_policy(struct http_req *r)
{
	struct cloud *c = r->app;
	struct caller who;
	json_t *body = NULL, *resp = NULL, *res = NULL;
	const json_t *cond, *expr;
	struct cel_program *prog = NULL;
	char *msg = NULL;
	size_t at = CEL_NO_OFFSET;
	int rc;

	if (cloud_authenticate(c, r, SERVICE, &who) != 0 || !(body = http_json_body(r, 0)))
		goto out;
	cond = json_object_get(body, "condition");
	expr = json_object_get(cond, "expression");
	if (cond && !json_is_object(cond)) {
		gerr_bad_value(r, "condition", "TYPE_MESSAGE", cond);
		goto out;
	}
	if (expr && !json_is_string(expr)) {
		gerr_bad_value(r, "condition.expression", "TYPE_STRING", expr);
		goto out;
	}
	if (!(resp = json_object()))
		goto internal;
	if (expr) {
		rc = cel_compile(json_string_value(expr), json_string_length(expr), &prog, &msg,
				 &at);
		if (rc == -ENOMEM)
			goto internal;
		if (rc < 0 && (!(res = json_array()) ||
			       json_array_append_new(res, lint_result(msg, at)) < 0 ||
			       json_object_set(resp, "lintResults", res) < 0))
			goto internal;
	}
	http_reply_json(r, 200, resp);
	resp = NULL;
	goto out;
internal:
	cloud_reply_internal(r);
out:
	cel_free(prog);
	free(msg);
	json_decref(res);
	json_decref(resp);
	json_decref(body);
}

const struct http_route iamlint_routes[] = {
	{"POST", "/iam/v1/iamPolicies:lintPolicy", lint_policy},
};
const size_t iamlint_n_routes = sizeof(iamlint_routes) / sizeof(iamlint_routes[0]);

int iamext_routes_add(struct http_router *rt)
{
	int rc = http_router_add(rt, customroles_routes, customroles_n_routes);

	if (!rc)
		rc = http_router_add(rt, denypolicies_routes, denypolicies_n_routes);
	return rc ? rc : http_router_add(rt, iamlint_routes, iamlint_n_routes);
}
