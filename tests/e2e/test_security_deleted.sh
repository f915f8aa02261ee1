#!/bin/bash
# test_security_deleted.sh - a deleted service account's grants do not come back (security
# review, issue 9). Google gives a re-created account a new uniqueId, binds tokens to the
# uniqueId, and shows the old member in policies as
# deleted:serviceAccount:EMAIL?uid=NNN, which grants nothing.
. "$(dirname "$0")/lib.sh"

gkeid_up
P=$GKEID_PROJECT
SA=temp-sa@$P.iam.gserviceaccount.com
ADMIN=$(gcloud_token)
token_of() {
	grant "serviceAccounts/$SA" user:admin@example.com roles/iam.serviceAccountTokenCreator >/dev/null 2>&1
	out=$(call "$ADMIN" POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:generateAccessToken" \
		'{"scope":["https://www.googleapis.com/auth/cloud-platform"]}')
	field "$out" "['accessToken']"
}

ok "create temp-sa" sa_create temp-sa
UID1=$(gcloud iam service-accounts describe "$SA" --format='value(uniqueId)')
ok "temp-sa may view the project" grant "projects/$P" "serviceAccount:$SA" roles/viewer
OLD=$(token_of)
eq "its token reads the project" "200" "$(code "$(call "$OLD" GET "/cloudresourcemanager/v1/projects/$P")")"

ok "delete temp-sa" gcloud iam service-accounts delete "$SA" --quiet
members=$(gcloud projects get-iam-policy "$P" --flatten=bindings --filter=bindings.role=roles/viewer \
	--format='value(bindings.members)')
has "the policy shows the deleted member with its uid" "deleted:serviceAccount:$SA?uid=$UID1" "$members"
hasnt "... and no live member of that name" "'serviceAccount:$SA'" "'$members'"
eq "the deleted account's token is refused" "401" "$(code "$(call "$OLD" GET "/cloudresourcemanager/v1/projects/$P")")"

ok "re-create temp-sa under the same name" gcloud iam service-accounts create temp-sa
UID2=$(gcloud iam service-accounts describe "$SA" --format='value(uniqueId)')
[ -n "$UID2" ] && [ "$UID1" != "$UID2" ] && pass "the new account has a new uniqueId" \
	|| fail "a new uniqueId" "old=$UID1 new=$UID2"
eq "the old token does not come back with the name" "401" \
	"$(code "$(call "$OLD" GET "/cloudresourcemanager/v1/projects/$P")")"
NEW=$(token_of)
out=$(call "$NEW" GET "/cloudresourcemanager/v1/projects/$P")
eq "nor do the old account's grants: the new one may not read the project" "403" "$(code "$out")"
ok "a setIamPolicy that keeps the deleted member is accepted, as Google's" \
	gcloud projects add-iam-policy-binding "$P" --member=user:someone@example.com --role=roles/viewer --quiet
has "... and it is still shown" "deleted:serviceAccount:$SA?uid=$UID1" \
	"$(gcloud projects get-iam-policy "$P" --format=json)"
finish
