#!/bin/bash
# test_iam_conditions.sh - IAM Conditions end to end: conditional bindings made with the
# real gcloud (--condition, --condition-from-file) grant only while their CEL condition
# holds (request.time, resource.name, resource.type), what setIamPolicy refuses (a
# condition that does not compile, a basic role with a condition, version 1), how a
# version 1 read shows them, and `gcloud alpha iam policies lint-condition`
# (iamPolicies:lintPolicy). The caller under test is a service account whose token the
# admin mints with curl; gcloud runs as the admin.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iam_lib.sh"
gkeid_up
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
P=$GKEID_PROJECT
SAS=/iam/v1/projects/$P/serviceAccounts
cd "$T_TMP" || exit 1
API_TOKEN=$(gcloud_token)
export API_TOKEN

for a in ci-bot app-gsa; do
	eq "create service account $a" "200" "$(code "$(api POST "$SAS" "{\"accountId\":\"$a\"}")")"
done
tester_token tester
TESTER=$TESTER_SA T=$TESTER_TOKEN
token_for() { post "$T" "/iamcredentials/v1/projects/-/serviceAccounts/$1@$P.iam.gserviceaccount.com:generateAccessToken" \
	'{"scope":["https://www.googleapis.com/auth/cloud-platform"]}'; }
CRM=/cloudresourcemanager/v1/projects/$P
project_get() { call "$T" GET "$CRM"; }

# --- a time condition, through gcloud's --condition --------------------------------------
eq "before any binding: the tester cannot read the project" "403" "$(code "$(project_get)")"
out=$(gcloud projects add-iam-policy-binding "$P" --member="serviceAccount:$TESTER" --role=roles/browser \
	--condition='expression=request.time < timestamp("2999-01-01T00:00:00Z"),title=until-2999,description=temporary' 2>&1)
has "add-iam-policy-binding --condition prints the conditional binding" "- condition:
    description: temporary
    expression: request.time < timestamp(\"2999-01-01T00:00:00Z\")
    title: until-2999" "$out"
wait_for 30 output_is 200 code_of project_get
eq "a condition that holds grants the role" "200" "$WAIT_OUT"
ok "add a second binding whose time has passed" gcloud projects add-iam-policy-binding "$P" \
	--member="serviceAccount:$TESTER" --role=roles/resourcemanager.projectIamAdmin \
	--condition='expression=request.time < timestamp("2020-01-01T00:00:00Z"),title=expired'
pol=$(api POST "$CRM:getIamPolicy" '{"options":{"requestedPolicyVersion":3}}')
eq "the admin reads the policy" "200" "$(code "$pol")"
out=$(post "$T" "$CRM:setIamPolicy" '{"policy":{"version":3}}')
eq "an expired condition grants nothing: setIamPolicy is 403" "403" "$(code "$out")"
has "... naming the permission" "resourcemanager.projects.setIamPolicy" "$out"

# --- resource conditions, through --condition-from-file ------------------------------------
cat >cond.yaml <<'YAML'
title: ci accounts only
description: token creation for the CI service accounts
expression: resource.type == "iam.googleapis.com/ServiceAccount" && resource.name.extract("/serviceAccounts/{email}").startsWith("ci-")
YAML
ok "add-iam-policy-binding --condition-from-file" gcloud projects add-iam-policy-binding "$P" \
	--member="serviceAccount:$TESTER" --role=roles/iam.serviceAccountTokenCreator --condition-from-file=cond.yaml
wait_for 30 output_is 200 code_of token_for ci-bot
eq "resource.name matches: a token for ci-bot" "200" "$WAIT_OUT"
eq "resource.name does not match: no token for app-gsa" "403" "$(code "$(token_for app-gsa)")"

# --- reads ---------------------------------------------------------------------------------
out=$(gcloud projects get-iam-policy "$P" --format=json 2>&1)
eq "get-iam-policy (version 3): version and the three conditions" "3 ci accounts only,expired,until-2999" \
	"$(jget "$out" 'str(j["version"])+" "+",".join(sorted(b["condition"]["title"] for b in j["bindings"] if "condition" in b))')"
out=$(api POST "$CRM:getIamPolicy" '{"options":{"requestedPolicyVersion":1}}')
eq "a version 1 read hides each condition behind a _withcond_ role" "1 3 0" \
	"$(jget "$out" 'str(j["version"])+" "+str(sum("_withcond_" in b["role"] for b in j["bindings"]))+" "+str(sum("condition" in b for b in j["bindings"]))')"
out=$(api POST "$CRM:setIamPolicy" "{\"policy\":$(body "$out")}")
eq "writing that version 1 view back with its etag is refused" "400" "$(code "$out")"
has "... as Google refuses it" "Specified policy version (1) cannot be less than the existing policy version (3)." "$out"

# --- refusals ------------------------------------------------------------------------------
out=$(gcloud projects add-iam-policy-binding "$P" --member=user:x@example.com --role=roles/browser \
	--condition='expression=request.time <,title=broken' 2>&1)
has "a condition that does not compile is refused" "INVALID_ARGUMENT: ERROR: Parse expression:1:14: mismatched input '<EOF>' expecting" "$out"
out=$(gcloud projects add-iam-policy-binding "$P" --member=user:x@example.com --role=roles/browser \
	--condition='expression=request.host == "x",title=unknown' 2>&1)
has "an attribute outside IAM's subset is refused" "undeclared reference to 'request.host'" "$out"
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"version":3,"bindings":[{"role":"roles/editor","members":["user:x@example.com"],"condition":{"title":"t","expression":"true"}}]}}')
has "a basic role takes no condition (Google's text; gcloud refuses it before sending)" \
	"LintValidationUnits/BindingRoleAllowConditionCheck Error: Conditions can't be set on primitive roles." "$out"
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"version":1,"bindings":[{"role":"roles/browser","members":["user:x@example.com"],"condition":{"title":"t","expression":"true"}}]}}')
has "a conditional binding in a version 1 policy is refused" \
	"Specified policy version (1) must be at least 3 based on the policy's contents." "$out"

# --- the linter ------------------------------------------------------------------------------
out=$(gcloud alpha iam policies lint-condition --expression='1 < 2' --title=t --format=json 2>&1)
eq "lint-condition: a good condition has no lint results" "{}" "$out"
printf '{"title":"1_less_than_2","description":"","expression":"1 <"}' >bad.json
out=$(gcloud alpha iam policies lint-condition --condition-from-file=bad.json --format=json 2>&1)
eq "lint-condition --condition-from-file: Google's compile-check result" \
	"CONDITION LintValidationUnits/ConditionCompileCheck ERROR condition.expression 3" \
	"$(jget "$out" '" ".join(str(j["lintResults"][0][k]) for k in ["level","validationUnitName","severity","fieldName","locationOffset"])')"
has "... its debug message with the caret" "  | 1 <
  | ...^" "$(jget "$out" 'j["lintResults"][0]["debugMessage"]')"
out=$(post "" /iam/v1/iamPolicies:lintPolicy '{"condition":{"expression":"true"}}')
eq "lintPolicy without a token: 401" "401" "$(code "$out")"

finish
