#!/bin/bash
# test_troubleshoot.sh - the Policy Troubleshooter (src/cloud/troubleshoot.c,
# src/iam/troubleshoot.c) with the real gcloud: `gcloud policy-intelligence
# troubleshoot-policy iam RESOURCE --principal-email=E --permission=P` (v3 in gcloud 528)
# with a pass and a refusal; Google's response shape (access state, each policy and
# binding with its relevance, a condition's evaluation, a deny policy's explanation); v1;
# and a property test (troubleshoot_prop.py): on random allow and deny policies, the
# troubleshooter's verdict is the status of the real API call.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iam_lib.sh"
. "$(dirname "$0")/deny_lib.sh"
gkeid_up
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
P=$GKEID_PROJECT
PROJ=//cloudresourcemanager.googleapis.com/projects/$P
V2=/iam/v2/policies/cloudresourcemanager.googleapis.com%252Fprojects%252F$P/denypolicies
TS=/policytroubleshooter/v3/iam:troubleshoot
cd "$T_TMP" || exit 1
API_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
export API_TOKEN
deny_admin_grant
tester_token tester
TESTER=$TESTER_SA T=$TESTER_TOKEN
ts() { api POST "$TS" "{\"accessTuple\":{\"principal\":\"$1\",\"fullResourceName\":\"$2\",\"permission\":\"$3\"}}"; }

# --- gcloud, verbatim ---------------------------------------------------------------------
out=$(gcloud policy-intelligence troubleshoot-policy iam "$PROJ" --principal-email=admin@example.com \
	--permission=resourcemanager.projects.get --format='value(overallAccessState)' 2>&1)
eq "gcloud: the owner can access" "CAN_ACCESS" "$out"
out=$(gcloud policy-intelligence troubleshoot-policy iam "$PROJ" --principal-email="$TESTER" \
	--permission=cloudresourcemanager.googleapis.com/projects.get \
	--format='value(overallAccessState,accessTuple.permissionFqdn)' 2>&1)
eq "gcloud: the tester cannot (a v2 permission is accepted)" \
	"CANNOT_ACCESS	cloudresourcemanager.googleapis.com/projects.get" "$out"
out=$(gcloud policy-intelligence troubleshoot-policy iam projects/"$P" --principal-email="$TESTER" \
	--permission=resourcemanager.projects.get 2>&1)
has "gcloud: a name that is not a full resource name is refused" \
	"INVALID_ARGUMENT: Request contains an invalid argument." "$out"

# --- the shape ----------------------------------------------------------------------------
eq "a conditional grant" "200" "$(code "$(project_grant "serviceAccount:$TESTER" roles/browser)")"
out=$(ts "$TESTER" "$PROJ" resourcemanager.projects.get)
eq "the binding that grants: its role, membership and relevance" \
	"CAN_ACCESS ALLOW_ACCESS_STATE_GRANTED ROLE_PERMISSION_INCLUDED MEMBERSHIP_MATCHED HEURISTIC_RELEVANCE_HIGH" \
	"$(jget "$out" '" ".join([j["overallAccessState"], j["allowPolicyExplanation"]["allowAccessState"]] +
	[[b["rolePermission"], b["memberships"]["serviceAccount:'"$TESTER"'"]["membership"], b["relevance"]]
	 for b in j["allowPolicyExplanation"]["explainedPolicies"][0]["bindingExplanations"]
	 if b["role"] == "roles/browser"][0])')"
eq "... named by its full resource name" "$PROJ" \
	"$(field "$out" "['allowPolicyExplanation']['explainedPolicies'][0]['fullResourceName']")"
cat >deny.json <<EOF
{"rules":[{"denyRule":{"deniedPrincipals":["principalSet://goog/public:all"],
 "exceptionPrincipals":["principal://goog/subject/admin@example.com"],
 "deniedPermissions":["cloudresourcemanager.googleapis.com/projects.*"],
 "denialCondition":{"title":"after 2000","expression":"request.time > timestamp(\"2000-01-01T00:00:00Z\")"}}}]}
EOF
eq "a deny policy" "200" "$(code "$(api POST "$V2?policyId=no-projects" "$(cat deny.json)")")"
out=$(ts "$TESTER" "$PROJ" resourcemanager.projects.get)
eq "the deny rule that decides: principals, permissions, condition" \
	"CANNOT_ACCESS DENY_ACCESS_STATE_DENIED MEMBERSHIP_MATCHED MEMBERSHIP_NOT_MATCHED PERMISSION_PATTERN_MATCHED True" \
	"$(jget "$out" '" ".join(str(x) for x in [j["overallAccessState"]] + [[r["denyAccessState"],
	 r["combinedDeniedPrincipal"]["membership"], r["combinedExceptionPrincipal"]["membership"],
	 r["combinedDeniedPermission"]["permissionMatchingState"], r["conditionExplanation"]["value"]]
	 for r in j["denyPolicyExplanation"]["explainedResources"][0]["explainedPolicies"][0]["ruleExplanations"]][0])')"
eq "... and the API call agrees" "403" "$(code "$(call "$T" GET "/cloudresourcemanager/v1/projects/$P")")"
out=$(gcloud policy-intelligence troubleshoot-policy iam "$PROJ" --principal-email=admin@example.com \
	--permission=resourcemanager.projects.get --format='value(overallAccessState,denyPolicyExplanation.denyAccessState)' 2>&1)
eq "gcloud: the excepted owner still can" "CAN_ACCESS	DENY_ACCESS_STATE_NOT_DENIED" "$out"
out=$(api POST /policytroubleshooter/v1/iam:troubleshoot \
	"{\"accessTuple\":{\"principal\":\"$TESTER\",\"fullResourceName\":\"$PROJ\",\"permission\":\"resourcemanager.projects.get\"}}")
eq "v1 explains the allow policies only (it predates deny)" "200 GRANTED" "$(code "$out") $(field "$out" "['access']")"
eq "delete the deny policy" "200" "$(code "$(api DELETE "$V2/no-projects")")"

# --- property: the troubleshooter's verdict is the API's -----------------------------------
SEED=${TROUBLESHOOT_SEED:-$RANDOM}
out=$("$GCLOUD_PY" -S "$ROOT/tests/e2e/troubleshoot_prop.py" "$GKEID_CLOUD_URL" "$P" \
	"$API_TOKEN" "$TESTER" "$T" "$SEED" 12 2>&1)
has "random policies: the troubleshooter agrees with every API call (seed $SEED)" "ok 12 48" "$out"
finish
