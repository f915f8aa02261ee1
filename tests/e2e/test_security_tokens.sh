#!/bin/bash
# test_security_tokens.sh - OAuth scopes and refresh tokens as Google enforces them
# (security review, issue 9): a token reaches only the APIs its scopes cover (Google's
# 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT), a refresh grant gives no scope beyond the grant
# and needs the client's secret, and revoking a refresh token revokes the access
# tokens minted from it.
. "$(dirname "$0")/lib.sh"

gkeid_up
P=$GKEID_PROJECT
BASE=$GKEID_CLOUD_URL
SA=scoped-sa@$P.iam.gserviceaccount.com
ADMIN=$(gcloud_token)
# mint SCOPE...: an access token of scoped-sa with exactly those scopes.
mint() {
	scopes=$(printf '"%s",' "$@")
	out=$(call "$ADMIN" POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:generateAccessToken" "{\"scope\":[${scopes%,}]}")
	field "$out" "['accessToken']"
}
INSUFFICIENT="403 Request had insufficient authentication scopes. ACCESS_TOKEN_SCOPE_INSUFFICIENT"
insufficient() { echo "$(code "$1") $(field "$1" "['error']['message']") $(field "$1" "['error']['details'][0]['reason']")"; }

ok "create scoped-sa" sa_create scoped-sa
ok "scoped-sa is a project owner" grant "projects/$P" "serviceAccount:$SA" roles/owner
ok "the admin may mint its tokens" grant "serviceAccounts/$SA" user:admin@example.com roles/iam.serviceAccountTokenCreator

# --- a storage-only token reaches no IAM, Resource Manager or cluster ---------------------
GCS=$(mint https://www.googleapis.com/auth/devstorage.read_only)
[ -n "$GCS" ] && pass "a devstorage.read_only token" || fail "mint devstorage token"
out=$(call "$GCS" GET "/iam/v1/projects/$P/serviceAccounts")
eq "IAM refuses it with Google's 403" "$INSUFFICIENT" "$(insufficient "$out")"
eq "... the ErrorInfo names the service" "iam.googleapis.com" "$(field "$out" "['error']['details'][0]['metadata']['service']")"
eq "... and the domain" "googleapis.com" "$(field "$out" "['error']['details'][0]['domain']")"
hdr=$(curl -sS -o /dev/null -D - -H "Authorization: Bearer $GCS" "$BASE/iam/v1/projects/$P/serviceAccounts")
has "... with WWW-Authenticate insufficient_scope" 'error="insufficient_scope"' "$hdr"
out=$(call "$GCS" POST "/cloudresourcemanager/v1/projects/$P:setIamPolicy" '{"policy":{}}')
eq "Resource Manager refuses it, before anything changes" "$INSUFFICIENT" "$(insufficient "$out")"
out=$(call "$GCS" GET "/container/v1/projects/$P/locations/-/clusters")
eq "the Container API refuses it" "$INSUFFICIENT" "$(insufficient "$out")"
out=$(call "$GCS" POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:generateAccessToken" '{"scope":["https://www.googleapis.com/auth/cloud-platform"]}')
eq "nor can it trade itself up at IAM Credentials" "$INSUFFICIENT" "$(insufficient "$out")"
out=$(kubectl --token="$GCS" get namespaces 2>&1)
has "a GKE cluster does not take it as an identity (401)" "You must be logged in to the server" "$out"
OPENID=$(mint openid)
out=$(call "$OPENID" GET "/cloudresourcemanager/v1/projects/$P")
eq "an openid-only token gets the same 403" "$INSUFFICIENT" "$(insufficient "$out")"

# --- read-only and the API's own scopes ----------------------------------------------------
RO=$(mint https://www.googleapis.com/auth/cloud-platform.read-only)
out=$(call "$RO" GET "/cloudresourcemanager/v1/projects/$P")
eq "cloud-platform.read-only reads a project" "200" "$(code "$out")"
out=$(call "$RO" POST "/cloudresourcemanager/v1/projects/$P:getIamPolicy" '{}')
eq "... and its policy" "200" "$(code "$out")"
out=$(call "$RO" POST "/cloudresourcemanager/v1/projects/$P:setIamPolicy" "{\"policy\":$(field "$out" "")}")
eq "... but may not set it" "$INSUFFICIENT" "$(insufficient "$out")"
out=$(call "$RO" GET "/iam/v1/projects/$P/serviceAccounts")
eq "IAM's discovery document lists no read-only scope" "$INSUFFICIENT" "$(insufficient "$out")"
SM=$(mint https://www.googleapis.com/auth/service.management)
out=$(call "$SM" GET "/serviceusage/v1/projects/$P/services/iam.googleapis.com")
eq "Service Usage takes its own service.management scope" "200" "$(code "$out")"
CP=$(mint https://www.googleapis.com/auth/cloud-platform)
out=$(call "$CP" GET "/iam/v1/projects/$P/serviceAccounts")
eq "cloud-platform reaches every API" "200" "$(code "$out")"
EMAIL=$(mint https://www.googleapis.com/auth/userinfo.email)
ok "a userinfo.email token identifies the caller to the cluster" kubectl --token="$EMAIL" get namespaces

# --- refresh tokens ------------------------------------------------------------------------
# gcloud's refresh token for the admin, from its credential store.
RT=$(sqlite3 "$CLOUDSDK_CONFIG/credentials.db" "select value from credentials where account_id='admin@example.com'" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["refresh_token"])')
CID=32555940559.apps.googleusercontent.com
SECRET=ZmssLNjJy2998hD4CTg2ejr2
refresh() { curl -sS -w '\nHTTP %{http_code}\n' -d grant_type=refresh_token -d "refresh_token=$RT" -d "client_id=$CID" "$@" "$BASE/oauth2/token"; }
out=$(refresh -d client_secret=wrong)
eq "a wrong client_secret: 401 invalid_client" "401 invalid_client" "$(code "$out") $(field "$out" "['error']")"
out=$(refresh)
eq "no client_secret: 401 invalid_client" "401 invalid_client" "$(code "$out") $(field "$out" "['error']")"
out=$(refresh -d client_secret=$SECRET -d scope=https://www.googleapis.com/auth/drive)
eq "a scope beyond the grant: 400 invalid_scope" "400 invalid_scope" "$(code "$out") $(field "$out" "['error']")"
out=$(refresh -d client_secret=$SECRET -d "scope=openid https://www.googleapis.com/auth/cloud-platform")
eq "a subset of the grant: 200" "200" "$(code "$out")"
eq "... with the scopes asked for" "openid https://www.googleapis.com/auth/cloud-platform" "$(field "$out" "['scope']")"
CHILD=$(field "$out" "['access_token']")
out=$(refresh -d client_secret=$SECRET)
eq "no scope: the whole grant" "200" "$(code "$out")"
has "... which includes cloud-platform" "auth/cloud-platform" "$(field "$out" "['scope']")"
out=$(call "$CHILD" GET "/cloudresourcemanager/v1/projects/$P")
eq "the minted access token works" "200" "$(code "$out")"
out=$(curl -sS -w '\nHTTP %{http_code}\n' -d "token=$RT" "$BASE/oauth2/revoke")
eq "revoke the refresh token" "200" "$(code "$out")"
out=$(call "$CHILD" GET "/cloudresourcemanager/v1/projects/$P")
eq "the access tokens minted from it stop working" "401" "$(code "$out")"
out=$(refresh -d client_secret=$SECRET)
eq "the refresh token itself is gone" "400 invalid_grant" "$(code "$out") $(field "$out" "['error']")"
finish
