#!/bin/bash
# test_hierarchy_moves.sh - changes to the Resource Manager hierarchy (src/cloud/folders.c,
# issue 14) as gcloud 528 calls them (v2 folders, v1 projects.update): `gcloud
# resource-manager folders create|delete|undelete|move|list|set-iam-policy` and `gcloud
# beta projects move`, each with a pass and a refusal in Google's terms (the folder
# constraints of cloud.google.com/resource-manager/docs/folder-error-details; the texts
# cited in folders.c), testIamPermissions on folders and organizations, and the point of
# it all: a move changes what a project inherits, at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iam_lib.sh"
. "$(dirname "$0")/hier_lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
ORG=1000000001
ENG=2000000001
TEAM=2000000002
OPS=2000000003
hier_state "$T_TMP/state.yaml" folders/$TEAM \
	"roles/resourcemanager.folderAdmin roles/resourcemanager.organizationAdmin" \
	"$ENG:engineering:organizations/$ORG" "$TEAM:team-a:folders/$ENG" "$OPS:operations:organizations/$ORG"
gkeid_up --state "$T_TMP/state.yaml"
P=$GKEID_PROJECT
API_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
export API_TOKEN
V2=/cloudresourcemanager/v2/folders
cd "$T_TMP" || exit 1

# --- create -----------------------------------------------------------------------------
out=$(gcloud resource-manager folders create --display-name=platform --organization=$ORG 2>&1)
has "folders create waits for its operation" "Waiting for [operations/fc." "$out"
has "... and shows the folder" "displayName: 'platform'" "$out"
PLAT=$(printf '%s\n' "$out" | sed -n "s/^ name: 'folders\/\([0-9]*\)'$/\1/p")
out=$(gcloud resource-manager folders create --display-name=platform --organization=$ORG 2>&1)
has "a display name in use among the siblings: the operation fails with code 9 (k8s-config-connector#405)" \
	"failed: 9: The folder operation violates display name uniqueness within the parent." "$out"
out=$(api POST "$V2?parent=organizations/$ORG" '{"displayName":"-bad"}')
eq "a display name outside Google's pattern: 400" "400" "$(code "$out")"
out=$(api POST "$V2?parent=organizations/$ORG" '{"displayName":"a234567890123456789012345678901"}')
eq "... or longer than 30 characters: 400" "400" "$(code "$out")"
eq "list shows the new folder" "engineering operations platform" \
	"$(gcloud resource-manager folders list --organization=$ORG --format='value(displayName)' 2>&1 | sort | tr '\n' ' ' | sed 's/ $//')"

out=$(gcloud resource-manager folders update $OPS --display-name=engineering 2>&1)
has "update to a sibling's name: 400 (terraform-provider-google#1903)" "FAILED_PRECONDITION: Precondition check failed." "$out"
out=$(gcloud resource-manager folders update $OPS --display-name=ops 2>&1)
has "update --display-name" "displayName: 'ops'" "$out"

# --- height: ten active folders under the organization at most --------------------------
parent=folders/$TEAM
for i in 3 4 5 6 7 8 9 10; do
	out=$(api POST "$V2?parent=$parent" "{\"displayName\":\"level$i\"}")
	parent=$(field "$out" "['response']['name']")
done
eq "folders nest ten deep" "folders/" "${parent%%[0-9]*}"
out=$(api POST "$V2?parent=$parent" '{"displayName":"level11"}')
eq "an eleventh level: ACTIVE_FOLDER_HEIGHT_VIOLATION in the operation" "200 9 ACTIVE_FOLDER_HEIGHT_VIOLATION" \
	"$(code "$out") $(field "$out" "['error']['code']") $(field "$out" "['error']['details'][0]['violations'][0]['type']")"

# --- a caller without permission ----------------------------------------------------------
tester_token tester
TESTER=$TESTER_SA T=$TESTER_TOKEN
out=$(call "$T" POST "$V2?parent=organizations/$ORG" '{"displayName":"mine"}')
eq "create without resourcemanager.folders.create: 403" "403 The caller does not have permission" \
	"$(code "$out") $(field "$out" "['error']['message']")"
out=$(call "$T" POST "$V2/$OPS:testIamPermissions" '{"permissions":["resourcemanager.folders.get","resourcemanager.folders.delete"]}')
eq "testIamPermissions on a folder: nothing held" "200 {}" "$(code "$out") $(jget "$out" 'j')"
out=$(api POST "/cloudresourcemanager/v1/organizations/$ORG:testIamPermissions" \
	'{"permissions":["resourcemanager.folders.create","iam.roles.create"]}')
eq "testIamPermissions on the organization: what the admin holds" "['resourcemanager.folders.create']" \
	"$(jget "$out" "j['permissions']")"

# --- a move changes what a project inherits, at once --------------------------------------
cat >policy.json <<EOF
{"bindings":[{"role":"roles/browser","members":["serviceAccount:$TESTER"]}]}
EOF
ok "folders set-iam-policy grants the tester Browser on operations" \
	gcloud resource-manager folders set-iam-policy $OPS policy.json
folder_get() { call "$T" GET "$V2/$OPS"; }
wait_for 30 output_is 200 code_of folder_get
eq "the tester may read operations" "200" "$WAIT_OUT"
project_get() { code "$(call "$T" GET "/cloudresourcemanager/v1/projects/$P")"; }
eq "... not the project, under team-a" "403" "$(project_get)"
out=$(gcloud beta projects move $P --folder=$OPS 2>&1)
has "gcloud beta projects move" "Updated [" "$out"
eq "moved under operations, the project inherits its binding at once" "200" "$(project_get)"
eq "get-ancestors-iam-policy follows" "project folder organization" \
	"$(gcloud projects get-ancestors-iam-policy $P --format='value(type)' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
out=$(api PUT "/cloudresourcemanager/v1/projects/$P" "{\"projectId\":\"$P\",\"parent\":{\"type\":\"folder\",\"id\":\"$TEAM\"}}")
eq "moved back (v1 update): the parent" "$TEAM" "$(field "$out" "['parent']['id']")"
eq "... and the binding no longer holds" "403" "$(project_get)"
out=$(call "$T" PUT "/cloudresourcemanager/v1/projects/$P" "{\"projectId\":\"$P\",\"parent\":{\"type\":\"folder\",\"id\":\"$OPS\"}}")
eq "a move by a caller without resourcemanager.projects.move: 403" "403" "$(code "$out")"

out=$(gcloud resource-manager folders move $TEAM --folder=$OPS 2>&1)
has "folders move waits for its operation" "Waiting for [operations/fm." "$out"
eq "a folder moved under operations brings its project the binding" "200" "$(project_get)"
ok "move it back" gcloud resource-manager folders move $TEAM --folder=$ENG
eq "... and the project is out of reach again" "403" "$(project_get)"
out=$(gcloud resource-manager folders move $ENG --folder=$TEAM 2>&1)
has "a folder moved below itself: the operation fails, CYCLE_INTRODUCED_VIOLATION's description" \
	"failed: 9: The attempted action would introduce cycle in resource path." "$out"
out=$(api POST "$V2/$ENG:move" "{\"destinationParent\":\"folders/$TEAM\"}")
eq "... the violation's type" "CYCLE_INTRODUCED_VIOLATION" "$(field "$out" "['error']['details'][0]['violations'][0]['type']")"

# --- delete and undelete --------------------------------------------------------------------
out=$(gcloud resource-manager folders delete $TEAM 2>&1)
has "a folder with a project in it cannot be deleted (k8s-config-connector#145)" \
	"FAILED_PRECONDITION: Precondition check failed." "$out"
out=$(api DELETE "$V2/$TEAM")
eq "... the violation is FOLDER_TO_DELETE_NON_EMPTY_VIOLATION" "FOLDER_TO_DELETE_NON_EMPTY_VIOLATION" \
	"$(field "$out" "['error']['details'][0]['violations'][0]['type']")"
out=$(gcloud resource-manager folders delete $PLAT 2>&1)
has "delete an empty folder" "DELETE_REQUESTED" "$out"
eq "list hides it, --show-deleted shows it" "engineering ops|engineering ops platform" \
	"$(gcloud resource-manager folders list --organization=$ORG --format='value(displayName)' 2>&1 | sort | tr '\n' ' ' | sed 's/ $//')|$(
		gcloud beta resource-manager folders list --organization=$ORG --show-deleted --format='value(displayName)' 2>&1 | sort | tr '\n' ' ' | sed 's/ $//')"
out=$(api POST "$V2?parent=folders/$PLAT" '{"displayName":"inside"}')
eq "a folder under a deleted one: the operation fails (terraform-google-scheduled-function#78)" \
	"Folder reservation failed for parent [folders/$PLAT], folder [] due to constraint: The destination resource has been deleted." \
	"$(field "$out" "['error']['message']")"
out=$(gcloud resource-manager folders undelete $PLAT 2>&1)
has "undelete" "ACTIVE" "$out"
out=$(gcloud resource-manager folders undelete $PLAT 2>&1)
has "undelete of an active folder: 400" "FAILED_PRECONDITION: Precondition check failed." "$out"

finish
