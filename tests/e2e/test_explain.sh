#!/bin/bash
# test_explain.sh - `gkeid explain` (src/cli/explain.c, src/doctor/explain.c): for a Google
# API call (--principal/--permission/--resource) and for a kubectl request (--user/--verb/
# --resource), the layers in GKE's order (RBAC, IAM allow, IAM deny) with the bindings that
# mattered, the narrowest fix, --output json, and an exit status that agrees with what the
# API and the cluster actually do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deny_lib.sh"
gkeid_up
P=$GKEID_PROJECT
V2=/iam/v2/policies/cloudresourcemanager.googleapis.com%252Fprojects%252F$P/denypolicies
cd "$T_TMP" || exit 1
API_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
export API_TOKEN
deny_admin_grant
ex() { "$GKEID" explain "$@" 2>&1; }

# --- a Google API call ----------------------------------------------------------------------
out=$(ex --principal admin@example.com --permission iam.serviceAccounts.list --resource "projects/$P")
eq "the owner may list service accounts: exit 0" "0" "$?"
has "iam-allow names the binding that grants" \
	"[PASS] iam-allow: IAM allow grants iam.serviceAccounts.list on //cloudresourcemanager.googleapis.com/projects/$P to user:admin@example.com" "$out"
has "... by its role and resource" "granted by roles/owner on //cloudresourcemanager.googleapis.com/projects/$P" "$out"
has "iam-deny passes" "[PASS] iam-deny: no IAM deny rule denies iam.serviceAccounts.list" "$out"
out=$(ex --principal dev@example.com --permission container.pods.list --resource "//cloudresourcemanager.googleapis.com/projects/$P")
eq "a user with no role: exit 1" "1" "$?"
has "the narrowest fix: the Kubernetes Engine role with the fewest permissions" \
	"gcloud projects add-iam-policy-binding $P --member=user:dev@example.com --role=roles/container.viewer --condition=None" "$out"
out=$(ex --principal admin@example.com --permission iam.serviceAccounts.list --resource "projects/$P" --output json)
eq "--output json: the checks in order, and their verdicts" "iam-allow:pass iam-deny:pass access:pass 0" \
	"$(jget "$out" '" ".join(c["id"] + ":" + c["status"] for c in j["checks"]) + " " + str(j["failed"])')"
eq "usage errors: exit 2" "2" "$("$GKEID" explain --principal x@example.com >/dev/null 2>&1; echo $?)"

# --- a deny policy: explain names the rule and agrees with the API -----------------------------
cat >d.json <<'EOF'
{"rules":[{"denyRule":{"deniedPrincipals":["principal://goog/subject/admin@example.com"],
 "deniedPermissions":["iam.googleapis.com/serviceAccounts.list","container.googleapis.com/pods.list"]}}]}
EOF
eq "a deny policy for the admin" "200" "$(code "$(api POST "$V2?policyId=no-list" "$(cat d.json)")")"
out=$(ex --principal admin@example.com --permission iam.serviceAccounts.list --resource "projects/$P")
eq "denied: exit 1" "1" "$?"
has "iam-deny names the policy" "[FAIL] iam-deny: IAM deny policy no-list denies iam.serviceAccounts.list to user:admin@example.com" "$out"
has "... and the narrowest fix, an exception" \
	"gcloud iam policies update no-list --attachment-point=cloudresourcemanager.googleapis.com/projects/" "$out"
has "the verdict" "[FAIL] access: admin@example.com cannot use iam.serviceAccounts.list" "$out"
eq "... which is the API's" "403" "$(code "$(api GET "/iam/v1/projects/$P/serviceAccounts")")"

# --- a kubectl request ------------------------------------------------------------------------
out=$(ex --user admin@example.com --verb list --resource pods -n kube-system)
eq "kubectl list pods, denied by IAM deny: exit 1" "1" "$?"
eq "the layers in GKE's order" "resource rbac iam iam-deny access" \
	"$(printf '%s\n' "$out" | sed -n 's/^\[[A-Z]*\] \([a-z-]*\):.*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
has "iam-deny names the rule" "[FAIL] iam-deny: IAM deny policy no-list denies container.pods.list" "$out"
has "the cluster's own verdict agrees" "[FAIL] access: the cluster denies it" "$out"
out=$(kubectl get pods -n kube-system 2>&1)
has "... as kubectl sees it" 'requires one of ["container.pods.list"] permission(s).' "$out"
eq "delete the deny policy" "200" "$(code "$(api DELETE "$V2/no-list")")"
out=$(ex --user admin@example.com --verb list --resource pods -n kube-system)
eq "allowed again: exit 0" "0" "$?"
has "IAM grants it (RBAC is skipped)" "[PASS] iam: IAM grants container.pods.list on project $P to user:admin@example.com" "$out"
out=$(ex --user dev@example.com --verb get --resource pods/log -n default)
has "a user with neither: the RBAC fix for the one verb" \
	"kubectl create role pods-log-get --verb=get --resource=pods/log -n default" "$out"

# --- a pod's Workload Identity chain ----------------------------------------------------------
POD=$(kubectl get pods -n kube-system --no-headers -o custom-columns=N:.metadata.name 2>/dev/null | head -n 1)
out=$(ex --pod "kube-system/$POD")
has "--pod runs the Workload Identity chain's checks on the pod" "[PASS] service-agent:" "$out"
has "... named by its namespace and name" "pod kube-system/$POD" "$out"
eq "--pod takes NS/POD" "2" "$("$GKEID" explain --pod "$POD" >/dev/null 2>&1; echo $?)"
finish
