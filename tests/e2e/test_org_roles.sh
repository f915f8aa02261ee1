#!/bin/bash
# test_org_roles.sh - organization custom roles (src/cloud/customroles.c, issue 14) with the
# real gcloud: `gcloud iam roles create|describe|list|update|delete|undelete|copy
# --organization`, each with a pass, and the refusals in Google's words (a caller without
# the permission: "You don't have permission to create a role in organizations/O.",
# terraform-provider-google#11680; "... to get the role at organizations/O/roles/R.",
# cloud-foundation-fabric#1834). An organization's role may hold the permissions that act
# only on folders and organizations, which a project's may not ("Permission X is not
# valid.", terraform-google-iam#158). Bound on a folder, the role grants on the project
# below it, follows its updates, and grants nothing while deleted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iam_lib.sh"
. "$(dirname "$0")/hier_lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
ORG=1000000001
FOLDER=2000000001
hier_state "$T_TMP/state.yaml" folders/$FOLDER \
	"roles/iam.organizationRoleAdmin roles/resourcemanager.folderAdmin" \
	"$FOLDER:engineering:organizations/$ORG"
gkeid_up --state "$T_TMP/state.yaml"
P=$GKEID_PROJECT
ROLES=/iam/v1/organizations/$ORG/roles
API_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
export API_TOKEN

# --- create, with a permission a project's role may not hold ------------------------------
out=$(gcloud iam roles create orgReader --organization=$ORG --title="Org reader" \
	--permissions=resourcemanager.folders.get,resourcemanager.projects.get --stage=GA 2>&1)
has "create --organization prints the role" "Created role [orgReader]." "$out"
has "... named in the organization" "name: organizations/$ORG/roles/orgReader" "$out"
has "... holding a folder permission" "- resourcemanager.folders.get" "$out"
msg() { echo "$(code "$1") $(field "$1" "['error']['message']")"; }
proj_role() { # ID PERMISSION
	api POST "/iam/v1/projects/$P/roles" "{\"roleId\":\"$1\",\"role\":{\"title\":\"x\",\"includedPermissions\":[\"$2\"]}}"
}
eq "a project's role may not hold a folder permission (Google's text)" \
	"400 Permission resourcemanager.folders.get is not valid." "$(msg "$(proj_role projFolders resourcemanager.folders.get)")"
eq "... nor resourcemanager.projects.list (terraform-google-iam#158)" \
	"400 Permission resourcemanager.projects.list is not valid." "$(msg "$(proj_role projList resourcemanager.projects.list)")"
eq "a project's role of its own permissions" "200" "$(code "$(proj_role projOnly resourcemanager.projects.get)")"
out=$(api POST "$ROLES" '{"roleId":"orgReader","role":{"title":"again"}}')
eq "a role ID in use: 409" "409 A role named orgReader in organizations/$ORG already exists." \
	"$(code "$out") $(field "$out" "['error']['message']")"
out=$(api POST "$ROLES" '{"roleId":"badPerm","role":{"title":"x","includedPermissions":["container.pods.nope"]}}')
eq "an unknown permission: 400" "400 Permission container.pods.nope is not valid." \
	"$(code "$out") $(field "$out" "['error']['message']")"

# --- describe, list, copy ----------------------------------------------------------------
eq "describe" "GA Org reader" "$(gcloud iam roles describe orgReader --organization=$ORG \
	--format='value(stage,title)' 2>&1 | tr '\t' ' ')"
out=$(gcloud iam roles describe orgReader --organization=999 2>&1)
has "describe in an organization that is not there: 403 in Google's words" \
	"PERMISSION_DENIED: You don't have permission to get the role at organizations/999/roles/orgReader." "$out"
out=$(gcloud iam roles copy --source=orgReader --source-organization=$ORG \
	--destination=orgCopy --dest-organization=$ORG 2>&1)
has "copy from an organization's role to another" "name: organizations/$ORG/roles/orgCopy" "$out"
eq "list --organization" "organizations/$ORG/roles/orgCopy
organizations/$ORG/roles/orgReader" "$(gcloud iam roles list --organization=$ORG --format='value(name)' 2>&1)"

# --- a caller without the permission ----------------------------------------------------
tester_token tester
TESTER=$TESTER_SA T=$TESTER_TOKEN
out=$(call "$T" POST "$ROLES" '{"roleId":"mine","role":{"title":"x"}}')
eq "create without iam.roles.create: 403 in Google's words" \
	"403 You don't have permission to create a role in organizations/$ORG. IAM_PERMISSION_DENIED" \
	"$(code "$out") $(field "$out" "['error']['message']") $(field "$out" "['error']['details'][0]['reason']")"
out=$(call "$T" GET "$ROLES/orgReader")
eq "get without iam.roles.get: 403" "403 You don't have permission to get the role at organizations/$ORG/roles/orgReader." \
	"$(code "$out") $(field "$out" "['error']['message']")"

# --- it binds on a folder and grants below it -------------------------------------------
project_get() { call "$T" GET "/cloudresourcemanager/v1/projects/$P"; }
eq "without the role the tester cannot read the project" "403" "$(code "$(project_get)")"
ok "bind the organization's role on the folder" gcloud resource-manager folders add-iam-policy-binding \
	$FOLDER --member="serviceAccount:$TESTER" --role="organizations/$ORG/roles/orgReader" --condition=None
wait_for 30 output_is 200 code_of project_get
eq "the role granted on the folder holds on its project" "200" "$WAIT_OUT"
eq "... and on the folder" "200" "$(code "$(call "$T" GET "/cloudresourcemanager/v2/folders/$FOLDER")")"

out=$(api POST /cloudresourcemanager/v1/projects '{"projectId":"outside-org"}')
outside() { # ROLE: bind it in the policy of a project outside the organization
	api POST "/cloudresourcemanager/v1/projects/outside-org:setIamPolicy" \
		"{\"policy\":{\"bindings\":[{\"role\":\"$1\",\"members\":[\"serviceAccount:$TESTER\"]}]}}"
}
eq "... but not on a project outside the organization" \
	"400 Role organizations/$ORG/roles/orgReader is not supported for this resource." \
	"$(msg "$(outside "organizations/$ORG/roles/orgReader")")"
eq "... nor a project's role on another project" \
	"400 Role projects/$P/roles/projOnly is not supported for this resource." \
	"$(msg "$(outside "projects/$P/roles/projOnly")")"

# --- update, delete, undelete ------------------------------------------------------------
out=$(gcloud iam roles update orgReader --organization=$ORG --remove-permissions=resourcemanager.projects.get \
	--format='value(includedPermissions)' 2>&1)
eq "update --remove-permissions" "resourcemanager.folders.get" "$out"
wait_for 30 output_is 403 code_of project_get
eq "the binding follows the update" "403" "$WAIT_OUT"
out=$(gcloud iam roles delete orgReader --organization=$ORG --format='value(deleted)' 2>&1)
has "delete" "True" "$out"
folder_get() { call "$T" GET "/cloudresourcemanager/v2/folders/$FOLDER"; }
wait_for 30 output_is 403 code_of folder_get
eq "a deleted role grants nothing" "403" "$WAIT_OUT"
eq "list hides it, --show-deleted shows it" "organizations/$ORG/roles/orgCopy|organizations/$ORG/roles/orgCopy organizations/$ORG/roles/orgReader" \
	"$(gcloud iam roles list --organization=$ORG --format='value(name)' 2>&1)|$(gcloud iam roles list --organization=$ORG --show-deleted --format='value(name)' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
ok "undelete" gcloud iam roles undelete orgReader --organization=$ORG
wait_for 30 output_is 200 code_of folder_get
eq "undeleted, it grants again" "200" "$WAIT_OUT"

finish
