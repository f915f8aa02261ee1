#!/bin/bash
# test_iam_deny.sh - IAM deny policies (src/iam/deny.c, src/cloud/denypolicies.c) with the
# real gcloud: `gcloud iam policies create|get|list|update|delete --kind=denypolicies`, each
# with a pass and a refusal; a deny rule beats an allow binding in an API call and in the
# cluster's IAM fallback (kubectl); exception principals and exception permissions; a
# denial condition (iam/docs/deny-overview). The caller under test is a service account
# whose token the admin mints with curl (iam_lib.sh); curl reads what gcloud wrote.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iam_lib.sh"
. "$(dirname "$0")/deny_lib.sh"
gkeid_up
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
P=$GKEID_PROJECT
AP=cloudresourcemanager.googleapis.com/projects/$P
V2=/iam/v2/policies/cloudresourcemanager.googleapis.com%252Fprojects%252F$P/denypolicies
SAS=/iam/v1/projects/$P/serviceAccounts
cd "$T_TMP" || exit 1
API_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
export API_TOKEN
deny_admin_grant
tester_token tester
TESTER=$TESTER_SA T=$TESTER_TOKEN
eq "the tester may list and read service accounts" "200" \
	"$(project_grant "serviceAccount:$TESTER" roles/iam.serviceAccountViewer)"
sa_list() { call "$T" GET "$SAS"; }
sa_get() { call "$T" GET "$SAS/$TESTER"; }
wait_for 30 output_is 200 code_of sa_list
eq "before any deny policy the tester lists service accounts" "200" "$WAIT_OUT"

# --- create ------------------------------------------------------------------------------
cat >deny.json <<EOF
{"displayName":"no SA writes for the tester","rules":[{"denyRule":{
 "deniedPrincipals":["principal://iam.googleapis.com/projects/-/serviceAccounts/$TESTER"],
 "deniedPermissions":["iam.googleapis.com/serviceAccounts.*"],
 "exceptionPermissions":["iam.googleapis.com/serviceAccounts.get"]}}]}
EOF
out=$(gcloud iam policies create tester-deny --attachment-point="$AP" --kind=denypolicies --policy-file=deny.json 2>&1)
has "create answers the operation, as gcloud shows it" \
	"Create in progress for denyPolicy [policies/cloudresourcemanager.googleapis.com%2Fprojects%2F" "$out"
has "... named after the policy, the project by number" "/denypolicies/tester-deny/operations/" "$out"
eq "deny beats allow: the tester may no longer list" "403" "$(code "$(sa_list)")"
eq "... in IAM's words" "Permission 'iam.serviceAccounts.list' denied on resource (or it may not exist)." \
	"$(field "$(sa_list)" "['error']['message']")"
eq "an exception permission stays allowed" "200" "$(code "$(sa_get)")"
eq "other principals are not denied" "200" "$(code "$(api GET "$SAS")")"
sed 's/principal:\/\/iam/user:x/' deny.json >bad.json
out=$(gcloud iam policies create bad-principal --attachment-point="$AP" --kind=denypolicies --policy-file=bad.json 2>&1)
has "a v1 member is not a v2 principal: refused" "INVALID_ARGUMENT: Request contains an invalid argument." "$out"
out=$(call "$API_TOKEN" POST "$V2?policyId=tester-deny" "$(cat deny.json)")
eq "a policy ID in use: 409 ALREADY_EXISTS" "409 ALREADY_EXISTS" "$(code "$out") $(field "$out" "['error']['status']")"
out=$(call "$API_TOKEN" POST "$V2?policyId=Bad_Id" "$(cat deny.json)")
eq "a bad policy ID: 400" "400" "$(code "$out")"

# --- get and list ------------------------------------------------------------------------
eq "get shows the rule in the v2 form" \
	"principal://iam.googleapis.com/projects/-/serviceAccounts/$TESTER iam.googleapis.com/serviceAccounts.* DenyPolicy" \
	"$(gcloud iam policies get tester-deny --attachment-point="$AP" --kind=denypolicies \
		--format='value(rules[0].denyRule.deniedPrincipals[0],rules[0].denyRule.deniedPermissions[0],kind)' 2>&1 | tr '\t' ' ')"
out=$(gcloud iam policies get nothing-here --attachment-point="$AP" --kind=denypolicies 2>&1)
has "get of a policy that is not there" "Requested entity was not found." "$out"
eq "list names the policy, without its rules" "tester-deny|no SA writes for the tester|" \
	"$(gcloud iam policies list --attachment-point="$AP" --kind=denypolicies \
		--format='value(policies[0].name.basename(),policies[0].displayName,policies[0].rules)' 2>&1 | tr '\t' '|')"
out=$(call "$T" GET "$V2")
eq "list needs its permission on the attachment point" \
	"403 Permission iam.googleapis.com/denypolicies.list denied on resource $AP" \
	"$(code "$out") $(field "$out" "['error']['message']")"

# --- update: exception principals, a condition -------------------------------------------
ETAG=$(field "$(call "$API_TOKEN" GET "$V2/tester-deny")" "['etag']")
cat >upd.json <<EOF
{"rules":[{"denyRule":{"deniedPrincipals":["principalSet://goog/public:all"],
 "exceptionPrincipals":["principal://goog/subject/admin@example.com"],
 "deniedPermissions":["iam.googleapis.com/serviceAccounts.list"],
 "denialCondition":{"title":"always","expression":"request.time > timestamp(\"2000-01-01T00:00:00Z\")"}}}]}
EOF
out=$(gcloud iam policies update tester-deny --attachment-point="$AP" --kind=denypolicies --policy-file=upd.json --etag=AAAAAAAAAAE= 2>&1)
has "update with a stale etag is refused" "ABORTED: There were concurrent policy changes." "$out"
ok "update with the current etag" gcloud iam policies update tester-deny --attachment-point="$AP" \
	--kind=denypolicies --policy-file=upd.json --etag="$ETAG"
eq "everyone is denied the list, by a condition that holds" "403" "$(code "$(sa_list)")"
eq "... but the excepted principal" "200" "$(code "$(api GET "$SAS")")"
eq "the get is no longer denied" "200" "$(code "$(sa_get)")"
out=$(call "$API_TOKEN" PUT "$V2/tester-deny" "$(sed 's/request.time >/request.time </' upd.json)")
eq "update by curl: a condition that does not hold" "200" "$(code "$out")"
eq "... denies nothing" "200" "$(code "$(sa_list)")"

# --- the cluster's IAM fallback -----------------------------------------------------------
ok "kubectl lists pods by the owner's IAM grant" kubectl get pods -n kube-system
cat >k.json <<'EOF'
{"rules":[{"denyRule":{"deniedPrincipals":["principal://goog/subject/admin@example.com"],
 "deniedPermissions":["container.googleapis.com/pods.list"]}}]}
EOF
eq "a deny policy for the cluster's permission" "200" "$(code "$(call "$API_TOKEN" POST "$V2?policyId=kube-deny" "$(cat k.json)")")"
out=$(kubectl get pods -n kube-system 2>&1)
has "kubectl is denied by the IAM fallback, in GKE's words" \
	'requires one of ["container.pods.list"] permission(s).' "$out"
ok "other verbs still pass" kubectl get namespaces

# --- delete ------------------------------------------------------------------------------
out=$(gcloud iam policies delete kube-deny --attachment-point="$AP" --kind=denypolicies 2>&1)
has "delete answers the operation" "Delete in progress for denyPolicy [" "$out"
ok "kubectl lists pods again" kubectl get pods -n kube-system
out=$(gcloud iam policies delete kube-deny --attachment-point="$AP" --kind=denypolicies 2>&1)
has "delete of a policy that is gone" "Requested entity was not found." "$out"
finish
