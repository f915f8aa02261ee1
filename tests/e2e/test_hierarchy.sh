#!/bin/bash
# test_hierarchy.sh - Resource Manager's hierarchy (src/cloud/hierarchy.c, iam/ancestry.c,
# issue 14): a state file's organization and folders, with the demo project beneath them;
# `gcloud organizations`, `resource-manager folders` and `projects
# get-ancestors-iam-policy` as on Google (a list of what the caller may see, 403 for the
# rest); bindings on a folder or the organization hold on the projects below it; `gcloud
# projects create|delete|undelete` with the creation operation and the lifecycle states;
# and the common cross-project Workload Identity layout: the GSA in a project made with
# gcloud, the cluster in another, a pod's token from the node.
. "$(dirname "$0")/lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
ORG=1000000001
ENG=2000000001
TEAM=2000000002
{
	cat <<EOF
organizations:
  - id: "$ORG"
    displayName: example.com
    directoryCustomerId: C01abcdef
    iamPolicy:
      bindings:
        - role: roles/resourcemanager.organizationAdmin
          members: [user:admin@example.com]
        - role: roles/resourcemanager.projectCreator
          members: [user:admin@example.com]
folders:
  - id: "$ENG"
    displayName: engineering
    parent: organizations/$ORG
  - id: "$TEAM"
    displayName: team-a
    parent: folders/$ENG
EOF
	sed 's|^  - projectId: demo-project$|&\n    parent: folders/'$TEAM'|' "$ROOT/data/demo.yaml"
} >"$T_TMP/state.yaml"
gkeid_up --state "$T_TMP/state.yaml"
P=$GKEID_PROJECT
API_TOKEN=$(gcloud_token)
export API_TOKEN
CRM=/cloudresourcemanager

# -- what gcloud shows
out=$(gcloud organizations list 2>&1)
has "gcloud organizations list" "example.com   $ORG" "$out"
has "... with its directory customer ID" "C01abcdef" "$out"
out=$(gcloud resource-manager folders list --folder=$ENG 2>&1)
has "gcloud resource-manager folders list --folder" "team-a        folders/$ENG  $TEAM" "$out"
out=$(gcloud projects get-ancestors-iam-policy $P --format='value(type,id)' 2>&1)
eq "gcloud projects get-ancestors-iam-policy: the project, its folders, the organization" \
	"project	$P
folder	$TEAM
folder	$ENG
organization	$ORG" "$out"
out=$(api POST "$CRM/v1/projects/$P:getAncestry" '{}')
eq "getAncestry, nearest first" "project folder folder organization" \
	"$(jget "$out" "' '.join(a['resourceId']['type'] for a in j['ancestor'])")"
out=$(api GET "$CRM/v1/organizations/$ORG")
eq "organizations.get" "organizations/$ORG example.com C01abcdef ACTIVE" \
	"$(jget "$out" "' '.join([j['name'], j['displayName'], j['owner']['directoryCustomerId'], j['lifecycleState']])")"
eq "an organization that does not exist: 403" "403 The caller does not have permission" \
	"$(code "$(api GET "$CRM/v1/organizations/999")") $(field "$(api GET "$CRM/v1/organizations/999")" "['error']['message']")"
eq "a folder that does not exist: 403" "403" "$(code "$(api GET "$CRM/v2/folders/999")")"
eq "folders.get" "folders/$ENG organizations/$ORG engineering" \
	"$(jget "$(api GET "$CRM/v2/folders/$ENG")" "' '.join([j['name'], j['parent'], j['displayName']])")"

# -- inheritance: a caller with nothing on the project, then bindings above it
READER=reader@$P.iam.gserviceaccount.com
IC=/iamcredentials/v1/projects/-/serviceAccounts
eq "make reader" "200" "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"reader"}')")"
eq "the owner may not mint reader's tokens" "403" \
	"$(code "$(api POST "$IC/$READER:generateAccessToken" '{"scope":["https://www.googleapis.com/auth/cloud-platform"]}')")"
eq "Token Creator on the engineering folder" "200" "$(code "$(api POST "$CRM/v2/folders/$ENG:setIamPolicy" \
	'{"policy":{"bindings":[{"role":"roles/iam.serviceAccountTokenCreator","members":["user:admin@example.com"]}]}}')")"
out=$(api POST "$IC/$READER:generateAccessToken" '{"scope":["https://www.googleapis.com/auth/cloud-platform"]}')
eq "... holds on the project two folders below" "200" "$(code "$out")"
RT=$(field "$out" "['accessToken']")
eq "reader may not get the project" "403" "$(code "$(call "$RT" GET "$CRM/v1/projects/$P")")"
eq "reader finds no organization" "{}" "$(body "$(call "$RT" POST "$CRM/v1/organizations:search" '{}')" | tr -d ' \n')"
eq "reader may not list the folders" "403" "$(code "$(call "$RT" GET "$CRM/v2/folders?parent=organizations/$ORG")")"
eq "roles/browser for reader on the organization" "200" "$(code "$(api POST "$CRM/v1/organizations/$ORG:setIamPolicy" \
	"{\"policy\":{\"bindings\":[{\"role\":\"roles/browser\",\"members\":[\"serviceAccount:$READER\"]},{\"role\":\"roles/resourcemanager.projectCreator\",\"members\":[\"user:admin@example.com\"]},{\"role\":\"roles/resourcemanager.organizationAdmin\",\"members\":[\"user:admin@example.com\"]}]}}")")"
eq "now reader gets the project" "200" "$(code "$(call "$RT" GET "$CRM/v1/projects/$P")")"
eq "... finds the organization" "organizations/$ORG" \
	"$(field "$(call "$RT" POST "$CRM/v1/organizations:search" '{}')" "['organizations'][0]['name']")"
eq "... and lists its folders" "folders/$ENG" \
	"$(field "$(call "$RT" GET "$CRM/v2/folders?parent=organizations/$ORG")" "['folders'][0]['name']")"
out=$(gcloud organizations get-iam-policy $ORG --format='value(bindings.role)' 2>&1)
has "gcloud organizations get-iam-policy" "roles/browser" "$out"

# -- projects create, delete, undelete
A=gsa-project
out=$(gcloud projects create $A --folder=$TEAM 2>&1)
has "gcloud projects create: the operation" "Waiting for [operations/cp." "$out"
has "... then cloudapis.googleapis.com" "Enabling service [cloudapis.googleapis.com] on project [$A]" "$out"
out=$(api GET "$CRM/v1/projects/$A")
eq "the new project: ACTIVE, in team-a, a project number" "ACTIVE folder $TEAM 12" \
	"$(jget "$out" "' '.join([j['lifecycleState'], j['parent']['type'], j['parent']['id'], str(len(j['projectNumber']))])")"
has "its creator owns it" "user:admin@example.com" "$(api POST "$CRM/v1/projects/$A:getIamPolicy" '{}')"
out=$(api POST "$CRM/v1/projects" "{\"projectId\":\"$A\"}")
eq "the ID is taken: 409" "409 ALREADY_EXISTS" "$(code "$out") $(field "$out" "['error']['status']")"
eq "reader (a service account, no parent) may not create projects" "403" \
	"$(code "$(call "$RT" POST "$CRM/v1/projects" '{"projectId":"other-project"}')")"

# -- the cross-project Workload Identity layout: the GSA in $A, the cluster in $P
. "$(dirname "$0")/metadata_lib.sh"
md_setup
GSA=app-gsa@$A.iam.gserviceaccount.com
eq "enable IAM and IAM Credentials in $A" "200" "$(code "$(api POST "/serviceusage/v1/projects/$A/services:batchEnable" \
	'{"serviceIds":["iam.googleapis.com","iamcredentials.googleapis.com"]}')")"
eq "the GSA in $A" "200" "$(code "$(api POST "/iam/v1/projects/$A/serviceAccounts" '{"accountId":"app-gsa"}')")"
eq "workloadIdentityUser for $P's KSA" "200" "$(code "$(api POST "/iam/v1/projects/$A/serviceAccounts/$GSA:setIamPolicy" \
	"{\"policy\":{\"bindings\":[{\"role\":\"roles/iam.workloadIdentityUser\",\"members\":[\"serviceAccount:$P.svc.id.goog[default/app]\"]}]}}")")"
kubectl create serviceaccount app >/dev/null
ok "annotate the KSA with the other project's GSA" kubectl annotate serviceaccount app iam.gke.io/gcp-service-account=$GSA
pod_token() {
	"$GKEID" exec --serviceaccount app -- sh -c "curl -sS -H 'Metadata-Flavor: Google' http://\$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/token"
}
wait_for 30 output_has '"access_token"' pod_token
tok=$(field "$WAIT_OUT" "['access_token']")
eq "a pod of $P's cluster gets a token of $A's GSA" "$GSA" \
	"$(field "$(curl -sS "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=$tok")" "['email']")"

ok "gcloud projects delete" gcloud projects delete $A
eq "DELETE_REQUESTED" "DELETE_REQUESTED" "$(field "$(api GET "$CRM/v1/projects/$A")" "['lifecycleState']")"
eq "the ID stays taken" "409" "$(code "$(api POST "$CRM/v1/projects" "{\"projectId\":\"$A\"}")")"
eq "undelete" "200" "$(code "$(api POST "$CRM/v1/projects/$A:undelete" '{}')")"
eq "ACTIVE again" "ACTIVE" "$(field "$(api GET "$CRM/v1/projects/$A")" "['lifecycleState']")"
md_finish
