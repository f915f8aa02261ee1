#!/bin/bash
# test_groups_rbac.sh - GKE's Google Groups for RBAC (src/kube/groupsrbac.c) with the real
# kubectl and gcloud: a RoleBinding to a Google group applies to a Google principal only
# when the cluster names a security group (`gcloud container clusters update
# --security-group=gke-security-groups@DOMAIN`) and the principal is in a group nested in
# it (directly or through another group); `kubectl auth whoami` shows those groups; a
# group outside the security group gives nothing; a name other than gke-security-groups@
# is refused. The groups are made through the Cloud Identity API with curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
. "$(dirname "$0")/iam_lib.sh"
gkeid_up
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
kube_setup
cd "$T_TMP" || exit 1
API_TOKEN=$ADMIN_TOKEN
export API_TOKEN
CI=/cloudidentity/v1
# The Google principal under test: a service account, its token minted by the admin
# (curl), given to kubectl with --token (the auth plugin would start gcloud each time).
tester_token developer
SA=$TESTER_SA
AS_SA="$K --token=$TESTER_TOKEN"
KA="$K --token=$ADMIN_TOKEN" # the admin, without the plugin's gcloud

group() {
	out=$(api POST "$CI/groups?initialGroupConfig=WITH_INITIAL_OWNER" \
		"{\"groupKey\":{\"id\":\"$1\"},\"parent\":\"customers/C01abcdef\",\"labels\":{\"cloudidentity.googleapis.com/groups.discussion_forum\":\"\"}}")
	eq "group $1" "200" "$(code "$out")"
}
gid() { field "$(api GET "$CI/groups:lookup?groupKey.id=$1")" "['name']"; }
member() { api POST "$CI/$(gid "$1")/memberships" "{\"preferredMemberKey\":{\"id\":\"$2\"},\"roles\":[{\"name\":\"MEMBER\"}]}"; }

# gke-security-groups <- team <- devs <- the service account; other <- the service account
for g in gke-security-groups@example.com team@example.com devs@example.com other@example.com; do group "$g"; done
eq "devs holds the service account" "200" "$(code "$(member devs@example.com "$SA")")"
eq "team holds devs" "200" "$(code "$(member team@example.com devs@example.com)")"
eq "the security group holds team" "200" "$(code "$(member gke-security-groups@example.com team@example.com)")"
eq "other holds the service account (not under the security group)" "200" "$(code "$(member other@example.com "$SA")")"

ok "a Role that reads pods" $KA create role pod-reader --verb=get,list --resource=pods -n default
ok "bound to the group devs@example.com" $KA create rolebinding devs-read --role=pod-reader \
	--group=devs@example.com -n default
ok "a Role that reads configmaps, bound to other@example.com" sh -c \
	"$KA create role cm-reader --verb=list --resource=configmaps -n default &&
	 $KA create rolebinding other-read --role=cm-reader --group=other@example.com -n default"

out=$($AS_SA get pods -n default 2>&1)
has "without a security group the binding does not apply" "is forbidden: User \"$SA\" cannot list resource \"pods\"" "$out"
eq "... whoami shows no Google group" "$SA [\"system:authenticated\"]" \
	"$($AS_SA auth whoami -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}' 2>&1)"

out=$(gcloud container clusters update demo-cluster --location=us-central1 --security-group=team@example.com 2>&1)
has "--security-group must be gke-security-groups@DOMAIN" "The security group must be named gke-security-groups@DOMAIN." "$out"
ok "clusters update --security-group=gke-security-groups@example.com" gcloud container clusters update \
	demo-cluster --location=us-central1 --security-group=gke-security-groups@example.com
out=$(api GET /container/v1/projects/demo-project/locations/us-central1/clusters/demo-cluster)
eq "... shown on the cluster" "gke-security-groups@example.com" \
	"$(field "$out" "['authenticatorGroupsConfig']['securityGroup']")"

eq "whoami: the groups under the security group, nested ones too" \
	"$SA [\"system:authenticated\",\"devs@example.com\",\"team@example.com\"]" \
	"$($AS_SA auth whoami -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}' 2>&1)"
ok "the RoleBinding to devs@example.com applies" $AS_SA get pods -n default
out=$($AS_SA get configmaps -n default 2>&1)
has "a group outside the security group gives nothing" "is forbidden: User \"$SA\" cannot list resource \"configmaps\"" "$out"
out=$($AS_SA get pods -n kube-system 2>&1)
has "... and the Role holds only in its namespace" "cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"" "$out"

# Out of the group, out of the binding.
DEVS=$(gid devs@example.com)
MID=$(field "$(api GET "$CI/$DEVS/memberships:lookup?memberKey.id=$SA")" "['name']")
eq "take the service account out of devs" "200" "$(code "$(api DELETE "/cloudidentity/v1/$MID")")"
out=$($AS_SA get pods -n default 2>&1)
has "... the binding no longer applies" "is forbidden: User \"$SA\"" "$out"

finish
