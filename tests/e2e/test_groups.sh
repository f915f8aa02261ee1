#!/bin/bash
# test_groups.sh - the Cloud Identity Groups API (src/cloud/cloudidentity.c) and "group:"
# members in allow policies (src/iam/groups.c) with the real gcloud:
# `gcloud identity groups create|describe|update|delete` and `gcloud identity groups
# memberships add|list|describe|modify-membership-roles|check-transitive-membership|delete`,
# each with a pass and a refusal in Google's words (the sources are cited in
# cloudidentity.c); nested groups; who may create a group and who may manage one
# (owners, managers, members);
# and a role bound to a group that grants to a service account two groups down, then
# stops when the nesting is cut. The caller under test is a service account whose token
# the admin mints with curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/iam_lib.sh"
gkeid_up
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
P=$GKEID_PROJECT
CI=/cloudidentity/v1
cd "$T_TMP" || exit 1
API_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
export API_TOKEN

# --- groups ----------------------------------------------------------------------------
ok "create a discussion group" gcloud identity groups create devs@example.com \
	--customer=C01abcdef --display-name=Developers
out=$(gcloud identity groups create devs@example.com --customer=C01abcdef 2>&1)
has "... a second time: Google's 409" \
	"Error(2018): Cannot create group 'devs@example.com' because it already exists." "$out"
ok "create a security group" gcloud identity groups create eng@example.com \
	--customer=C01abcdef --group-type=security
out=$(api POST "$CI/groups?initialGroupConfig=WITH_INITIAL_OWNER" \
	'{"groupKey":{"id":"sec@example.com"},"parent":"customers/C01abcdef","labels":{"cloudidentity.googleapis.com/groups.security":""}}')
eq "the security label alone is refused (the API; gcloud adds discussion_forum)" \
	"400 security label cannot be specified directly" "$(code "$out") $(field "$out" "['error']['message']")"
out=$(api POST "$CI/groups" '{"groupKey":{"id":"x@example.com","Id":"y"},"parent":"customers/C01abcdef"}')
eq "an unknown field is refused as Google's front end refuses it" \
	"400 Invalid JSON payload received. Unknown name \"Id\" at 'group.group_key': Cannot find field." \
	"$(code "$out") $(field "$out" "['error']['message']")"

out=$(gcloud identity groups describe eng@example.com --format=json 2>&1)
eq "describe: the email, the customer and both labels" \
	"eng@example.com customers/C01abcdef ['cloudidentity.googleapis.com/groups.discussion_forum', 'cloudidentity.googleapis.com/groups.security']" \
	"$(jget "$out" "j['groupKey']['id']+' '+j['parent']+' '+str(sorted(j['labels']))")"
ENG=$(jget "$out" "j['name']")
out=$(gcloud identity groups describe nobody@example.com 2>&1)
has "describe of a group that is not there" \
	"There is no such a group associated with the specified argument:nobody@example.com" "$out"
out=$(api GET "$CI/groups/NOT-AN-ID")
has "a malformed group ID: Google's 400" "Error(2033): Group resource name has the correct format" "$out"

ok "update the description" gcloud identity groups update devs@example.com --description="Writes code"
out=$(api GET "$CI/$(field "$(api GET "$CI/groups:lookup?groupKey.id=devs@example.com")" "['name']")")
eq "... shown" "Writes code Developers" "$(jget "$out" "j['description']+' '+j['displayName']")"
out=$(gcloud identity groups update nobody@example.com --description=x 2>&1)
has "update of a group that is not there" "There is no such a group associated" "$out"

# --- memberships -----------------------------------------------------------------------
tester_token tester
T=$TESTER_TOKEN
ok "add the service account to devs" gcloud identity groups memberships add \
	--group-email=devs@example.com --member-email="$TESTER_SA"
out=$(gcloud identity groups memberships add --group-email=devs@example.com --member-email="$TESTER_SA" 2>&1)
has "... again: Google's 409" "Error(4003): Cannot create membership '$TESTER_SA' in 'groups/" "$out"
out=$(gcloud identity groups memberships add --group-email=devs@example.com \
	--member-email=ghost@$P.iam.gserviceaccount.com 2>&1)
has "a service account that does not exist: Google's 403" "Error(2028): Permission denied for resource groups/" "$out"
out=$(gcloud identity groups memberships add --group-email=devs@example.com --member-email=x@example.com --roles=OWNER 2>&1)
has "roles without MEMBER: Google's 400" "MEMBER role must be specified" "$out"
ok "nest devs in eng" gcloud identity groups memberships add --group-email=eng@example.com \
	--member-email=devs@example.com
eq "the nested member is a GROUP" "GROUP" \
	"$(gcloud identity groups memberships describe --group-email=eng@example.com --member-email=devs@example.com --format='value(type)' 2>&1)"

eq "list: the creator (OWNER) and the service account" "admin@example.com OWNER,MEMBER
$TESTER_SA MEMBER" \
	"$(gcloud identity groups memberships list --group-email=devs@example.com \
		--format='value(preferredMemberKey.id,roles.name.list())' 2>&1 | tr '\t' ' ' | sort)"
out=$(gcloud identity groups memberships list --group-email=nobody@example.com 2>&1)
has "list of a group that is not there" "There is no such a group associated with the specified argument:nobody@example.com" "$out"

# Who may create a group: a user of the group's own domain (the admin, who administers no
# organization of this customer here), not in another domain, and a service account only
# as a groups administrator, else a policy's group:NAME could be claimed by anyone.
out=$(api POST "$CI/groups" '{"groupKey":{"id":"ops@other.example"},"parent":"customers/C01abcdef","labels":{"cloudidentity.googleapis.com/groups.discussion_forum":""}}')
eq "a group in another domain than the creator's: 403 Error(2028)" \
	"403 Error(2028): Permission denied for resource customers/C01abcdef (or it may not exist)." \
	"$(code "$out") $(field "$out" "['error']['message']")"
out=$(post "$T" "$CI/groups" '{"groupKey":{"id":"sa-made@example.com"},"parent":"customers/C01abcdef","labels":{"cloudidentity.googleapis.com/groups.discussion_forum":""}}')
eq "a service account that is no groups administrator: 403" "403" "$(code "$out")"
eq "... and no group was made" "403" "$(code "$(api GET "$CI/groups:lookup?groupKey.id=sa-made@example.com")")"

eq "check-transitive-membership: two levels down" "True" \
	"$(gcloud identity groups memberships check-transitive-membership --group-email=eng@example.com \
		--member-email="$TESTER_SA" --format='value(hasMembership)' 2>&1)"
eq "... someone in neither group" "" \
	"$(gcloud identity groups memberships check-transitive-membership --group-email=eng@example.com \
		--member-email=stranger@example.com --format='value(hasMembership)' 2>&1)"

# Who manages: a MEMBER may not add members; a MANAGER may, but not owners.
DEVS=$(field "$(api GET "$CI/groups:lookup?groupKey.id=devs@example.com")" "['name']")
add_as_tester() { post "$T" "$CI/$DEVS/memberships" "{\"preferredMemberKey\":{\"id\":\"$1\"},\"roles\":$2}"; }
out=$(add_as_tester new@example.com '[{"name":"MEMBER"}]')
eq "a MEMBER may not add members: 403 Error(2028)" "403 Error(2028): Permission denied for resource $DEVS (or it may not exist)." \
	"$(code "$out") $(field "$out" "['error']['message']")"
ok "modify-membership-roles: make the service account a MANAGER" \
	gcloud identity groups memberships modify-membership-roles --group-email=devs@example.com \
	--member-email="$TESTER_SA" --add-roles=MANAGER
out=$(gcloud identity groups memberships modify-membership-roles --group-email=devs@example.com \
	--member-email=nobody@example.com --add-roles=MANAGER 2>&1)
has "... of a membership that is not there" "There is no such membership associated with the specified arguments: devs@example.com, nobody@example.com" "$out"
eq "a MANAGER adds a member" "200" "$(code "$(add_as_tester new@example.com '[{"name":"MEMBER"}]')")"
eq "... but not an owner" "403" "$(code "$(add_as_tester boss@example.com '[{"name":"MEMBER"},{"name":"OWNER"}]')")"
out=$(gcloud identity groups memberships delete --group-email=devs@example.com --member-email=admin@example.com 2>&1)
has "the last owner stays" "Cannot remove the OWNER role in membership 'groups/" "$out"

# The API's own scopes: cloud-identity.groups.readonly reads, and writes nothing.
mint() {
	field "$(api POST "/iamcredentials/v1/projects/-/serviceAccounts/$TESTER_SA:generateAccessToken" \
		"{\"scope\":[\"https://www.googleapis.com/auth/$1\"]}")" "['accessToken']"
}
RO=$(mint cloud-identity.groups.readonly)
eq "a cloud-identity.groups.readonly token reads a group" "200" "$(code "$(call "$RO" GET "$CI/$DEVS")")"
out=$(post "$RO" "$CI/$DEVS/memberships" '{"preferredMemberKey":{"id":"ro@example.com"},"roles":[{"name":"MEMBER"}]}')
eq "... but may not write: 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT" "403 ACCESS_TOKEN_SCOPE_INSUFFICIENT" \
	"$(code "$out") $(field "$out" "['error']['details'][0]['reason']")"
eq "a cloud-identity.groups token writes" "200" "$(code "$(post "$(mint cloud-identity.groups)" "$CI/$DEVS/memberships" \
	'{"preferredMemberKey":{"id":"rw@example.com"},"roles":[{"name":"MEMBER"}]}')")"

# --- a role bound to a group grants to its members, nested too ----------------------------
project_get() { call "$T" GET "/cloudresourcemanager/v1/projects/$P"; }
eq "before the binding the service account may not read the project" "403" "$(code_of project_get)"
ok "bind roles/browser to group:eng@example.com" gcloud projects add-iam-policy-binding "$P" \
	--member=group:eng@example.com --role=roles/browser --condition=None
wait_for 30 output_is 200 code_of project_get
eq "a member of devs, nested in eng, reads the project" "200" "$WAIT_OUT"
ok "memberships delete: take devs out of eng" gcloud identity groups memberships delete \
	--group-email=eng@example.com --member-email=devs@example.com
eq "... the grant goes with the nesting" "403" "$(code_of project_get)"
out=$(gcloud identity groups memberships delete --group-email=eng@example.com --member-email=devs@example.com 2>&1)
has "... again: no such membership" "There is no such membership associated with the specified arguments: eng@example.com, devs@example.com" "$out"

# --- delete ----------------------------------------------------------------------------
out=$(call "$T" DELETE "$CI/$ENG")
eq "a non-owner may not delete a group" "403" "$(code "$out")"
ok "delete eng" gcloud identity groups delete eng@example.com
out=$(gcloud projects get-iam-policy "$P" --format='value(bindings.members)' 2>&1)
has "the binding shows the group deleted, as Google shows it" "deleted:group:eng@example.com?uid=" "$out"
out=$(gcloud identity groups delete eng@example.com 2>&1)
has "delete of a group that is not there" "There is no such a group associated with the specified argument:eng@example.com" "$out"

finish
