#!/bin/bash
# test_iam_customroles.sh - project custom roles (src/cloud/customroles.c, iam/customrole.c)
# with the real gcloud: `gcloud iam roles create|describe|list|update|delete|undelete|copy`,
# each with a pass and a refusal, and a custom role that binds and grants like a
# predefined one, following its updates, its deletion and its undeletion. The caller
# under test is a service account whose token the admin mints with curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iam_lib.sh"
gkeid_up
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
P=$GKEID_PROJECT
SAS=/iam/v1/projects/$P/serviceAccounts
ROLES=/iam/v1/projects/$P/roles
cd "$T_TMP" || exit 1
API_TOKEN=$(gcloud_token)
export API_TOKEN

# --- create ----------------------------------------------------------------------------
out=$(gcloud iam roles create projReader --project="$P" --title="Project reader" \
	--description="reads the project" --permissions=resourcemanager.projects.get --stage=GA 2>&1)
has "create prints gcloud's confirmation and the role" "Created role [projReader].
description: reads the project
etag: " "$out"
has "... with its name, stage and title" "name: projects/$P/roles/projReader
stage: GA
title: Project reader" "$out"
out=$(gcloud iam roles create bad-id --project="$P" --title=x --permissions=resourcemanager.projects.get 2>&1)
has "a bad role ID is refused with Google's text" \
	"INVALID_ARGUMENT: The role_id \"bad-id\" is invalid. It doesn't match pattern \"[a-zA-Z0-9_\\.]{3,64}\". The role_id must be 3 to 64 characters long and can be a mix of uppercase and lowercase English letters, digits, underscores and periods." "$out"
out=$(api POST "$ROLES" '{"roleId":"badPerm","role":{"title":"x","includedPermissions":["container.pods.nope"]}}')
eq "an unknown permission is refused with Google's text (the API; gcloud checks first)" \
	"400 Permission container.pods.nope is not valid." "$(code "$out") $(field "$out" "['error']['message']")"
out=$(api POST "$ROLES" '{"roleId":"projReader","role":{"title":"again"}}')
eq "a role ID in use: 409" "409" "$(code "$out")"

# --- describe and list -----------------------------------------------------------------
eq "describe" "resourcemanager.projects.get GA" \
	"$(gcloud iam roles describe projReader --project="$P" --format='value(includedPermissions,stage)' 2>&1 | tr '\t' ' ')"
out=$(gcloud iam roles describe nothingHere --project="$P" 2>&1)
has "describe of a role that is not there" "NOT_FOUND: The role named projects/$P/roles/nothingHere was not found." "$out"
eq "list (view BASIC: no permissions)" "projects/$P/roles/projReader|Project reader|" \
	"$(gcloud iam roles list --project="$P" --format='value(name,title,includedPermissions)' 2>&1 | tr '\t' '|')"
out=$(call "" GET "$ROLES")
eq "list without a token: 401" "401" "$(code "$out")"

# --- it binds and grants ---------------------------------------------------------------
tester_token tester
TESTER=$TESTER_SA T=$TESTER_TOKEN
project_get() { call "$T" GET "/cloudresourcemanager/v1/projects/$P"; }
eq "without the role the tester cannot read the project" "403" "$(code "$(project_get)")"
ok "add-iam-policy-binding with the custom role" gcloud projects add-iam-policy-binding "$P" \
	--member="serviceAccount:$TESTER" --role="projects/$P/roles/projReader" --condition=None
wait_for 30 output_is 200 code_of project_get
eq "the custom role grants its permission" "200" "$WAIT_OUT"
out=$(gcloud projects add-iam-policy-binding "$P" --member="serviceAccount:$TESTER" \
	--role="projects/$P/roles/nothingHere" --condition=None 2>&1)
has "binding a custom role that is not there is refused" \
	"INVALID_ARGUMENT: Role projects/$P/roles/nothingHere is not supported for this resource." "$out"

# --- update ------------------------------------------------------------------------------
out=$(gcloud iam roles update projReader --project="$P" --add-permissions=iam.serviceAccounts.list \
	--remove-permissions=resourcemanager.projects.get --format='value(includedPermissions)' 2>&1)
eq "update: add and remove permissions" "iam.serviceAccounts.list" "$out"
wait_for 30 output_is 403 code_of project_get
eq "the binding follows the role: the removed permission is gone" "403" "$WAIT_OUT"
eq "... and the added one is there" "200" "$(code "$(call "$T" GET "$SAS")")"
out=$(api PATCH "$ROLES/projReader?updateMask=title" '{"title":"stale","etag":"AAAAAAAAAAE="}')
eq "an update with a stale etag: 409 ABORTED" "409 ABORTED" "$(code "$out") $(field "$out" "['error']['status']")"
out=$(gcloud iam roles update nothingHere --project="$P" --title=x 2>&1)
has "update of a role that is not there" "NOT_FOUND: The role named projects/$P/roles/nothingHere was not found." "$out"

# --- delete and undelete ----------------------------------------------------------------
out=$(gcloud iam roles delete projReader --project="$P" --format='value(deleted)' 2>&1)
has "delete marks the role deleted" "True" "$out"
wait_for 30 output_is 403 code_of call "$T" GET "$SAS"
eq "a deleted role grants nothing" "403" "$WAIT_OUT"
eq "list hides it" "" "$(gcloud iam roles list --project="$P" --format='value(name)' 2>&1)"
eq "list --show-deleted shows it" "projects/$P/roles/projReader" \
	"$(gcloud iam roles list --project="$P" --show-deleted --format='value(name)' 2>&1)"
ok "undelete" gcloud iam roles undelete projReader --project="$P"
wait_for 30 output_is 200 code_of call "$T" GET "$SAS"
eq "an undeleted role grants again" "200" "$WAIT_OUT"
out=$(gcloud iam roles undelete nothingHere --project="$P" 2>&1)
has "undelete of a role that is not there" "NOT_FOUND" "$out"
out=$(call "$T" DELETE "$ROLES/projReader")
eq "the tester may not delete it: 403" "403" "$(code "$out")"
has "... naming iam.roles.delete" "iam.roles.delete" "$out"

# --- copy -------------------------------------------------------------------------------
out=$(gcloud iam roles copy --source=roles/iam.roleViewer --destination=roleViewerCopy --dest-project="$P" 2>&1)
has "copy a predefined role into the project" "name: projects/$P/roles/roleViewerCopy" "$out"
has "... with its permissions" "- iam.roles.get" "$out"
out=$(gcloud iam roles copy --source=roles/nope.nothing --destination=x123 --dest-project="$P" 2>&1)
has "copy of a role that is not there" "The role named roles/nope.nothing was not found." "$out"

finish
