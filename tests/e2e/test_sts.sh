#!/bin/bash
# test_sts.sh - the Security Token Service (token exchange for workload identity)
# against curl (form and JSON bodies), Python google-auth's identity_pool credentials
# and gcloud: an issuer key made here is registered through the state file
# (workloadIdentityIssuers), Kubernetes-style JWTs are exchanged for federated tokens,
# and those call generateAccessToken as serviceAccount:P.svc.id.goog[NS/KSA].
. "$(dirname "$0")/lib.sh"

P=demo-project
NUM=123456789012
POOL=$P.svc.id.goog
ISS=https://container.googleapis.com/v1/projects/$P/locations/us-central1/clusters/test-cluster
AUD_NS="identitynamespace:$POOL:$ISS"
AUD_IAM="//iam.googleapis.com/projects/$NUM/locations/global/workloadIdentityPools/$POOL/providers/test-cluster"
EXCHANGE=urn:ietf:params:oauth:grant-type:token-exchange
JWT_TYPE=urn:ietf:params:oauth:token-type:jwt
ACCESS_TYPE=urn:ietf:params:oauth:token-type:access_token
GSA=wi-gsa@$P.iam.gserviceaccount.com
DENIED="Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
SCOPE='"scope":["https://www.googleapis.com/auth/cloud-platform"]'
tool() { PYTHONPATH=$GCLOUD_PYPATH "$GCLOUD_PY" "$(dirname "$0")/sts_tool.py" "$@"; }

# --- an issuer key, its JWKS, and a state file that registers it --------------------------
K=$T_TMP/keys
mkdir -p "$K"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/issuer.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/rogue.pem" 2>/dev/null
tool jwks "$K/issuer.pem" k1 >"$K/jwks.json"
{
	cat "$ROOT/data/demo.yaml"
	printf 'workloadIdentityIssuers:\n'
	printf '  - issuer: %s\n    workloadPool: %s\n    jwksFile: keys/jwks.json\n' "$ISS" "$POOL"
} >"$T_TMP/state.yaml"
gkeid_up --state "$T_TMP/state.yaml"
BASE=$GKEID_CLOUD_URL

# ksa NS NAME [EXP_IN] [AUD] [ISS] [KEY] [ALG]: a Kubernetes service-account token.
ksa() {
	tool jwt "$K/${6:-issuer}.pem" k1 "${5:-$ISS}" "${4:-$POOL}" \
		"system:serviceaccount:$1:$2" "${3:-600}" "${7:-RS256}"
}
# form TOKEN [AUDIENCE] [extra curl args]: an exchange with a form body.
form() {
	tok=$1 aud=${2:-$AUD_NS}; shift 2 2>/dev/null || shift $#
	curl -sS "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n' \
		--data-urlencode "grant_type=$EXCHANGE" --data-urlencode "subject_token_type=$JWT_TYPE" \
		--data-urlencode "requested_token_type=$ACCESS_TYPE" \
		--data-urlencode "scope=https://www.googleapis.com/auth/cloud-platform" \
		--data-urlencode "audience=$aud" --data-urlencode "subject_token=$tok" "$@"
}
json() {
	curl -sS "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n' -H 'Content-Type: application/json' --data "$1"
}
gat() { post "$1" "/iamcredentials/v1/projects/-/serviceAccounts/$2:generateAccessToken" "{$SCOPE}"; }
# refused NAME ERROR DESCRIPTION-FRAGMENT OUTPUT
refused() {
	eq "$1: 400 $2" "400 $2" "$(code "$4") $(field "$4" "['error']")"
	has "$1: description" "$3" "$(field "$4" "['error_description']")"
}

# --- a good exchange, form and JSON ---------------------------------------------------------
APP=$(ksa default app)
out=$(form "$APP")
eq "form exchange 200" "200" "$(code "$out")"
FED=$(field "$out" "['access_token']")
eq "issued_token_type" "$ACCESS_TYPE" "$(field "$out" "['issued_token_type']")"
eq "token_type" "Bearer" "$(field "$out" "['token_type']")"
exp_in=$(field "$out" "['expires_in']")
if [ "$exp_in" -le 600 ] && [ "$exp_in" -gt 590 ]; then pass "expires_in stops at the subject token's exp"; else fail "expires_in stops at the subject token's exp" "$exp_in"; fi
out=$(form "$(ksa default app 7200)")
eq "expires_in is at most an hour" "3600" "$(field "$out" "['expires_in']")"

out=$(json "{\"grant_type\":\"$EXCHANGE\",\"subject_token_type\":\"$JWT_TYPE\",\"requested_token_type\":\"$ACCESS_TYPE\",\"audience\":\"$AUD_NS\",\"scope\":\"https://www.googleapis.com/auth/cloud-platform\",\"subject_token\":\"$APP\"}")
eq "JSON (snake_case) exchange 200" "200" "$(code "$out")"
out=$(json "{\"grantType\":\"$EXCHANGE\",\"subjectTokenType\":\"$JWT_TYPE\",\"requestedTokenType\":\"$ACCESS_TYPE\",\"audience\":\"$AUD_NS\",\"scope\":\"https://www.googleapis.com/auth/cloud-platform\",\"subjectToken\":\"$APP\"}")
eq "JSON (camelCase, as Go's sts/v1 client) exchange 200" "200" "$(code "$out")"
out=$(form "$APP" "$AUD_IAM")
eq "the //iam.googleapis.com provider audience works too" "200" "$(code "$out")"
out=$(curl -sS "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n' --data-urlencode "grant_type=$EXCHANGE" \
	--data-urlencode "subject_token_type=urn:ietf:params:oauth:token-type:id_token" \
	--data-urlencode "audience=$AUD_NS" --data-urlencode "subject_token=$APP")
eq "subject_token_type id_token, no scope or requested type: 200" "200" "$(code "$out")"

# --- refused subject tokens -----------------------------------------------------------------
refused "expired token" invalid_grant "expired" "$(form "$(ksa default app -120)")"
refused "wrong audience" invalid_grant "The audience in ID Token [https://kubernetes.default.svc] does not match the expected audience." \
	"$(form "$(ksa default app 600 https://kubernetes.default.svc)")"
refused "signed by another key" invalid_grant "Unable to verify the ID Token signature" \
	"$(form "$(ksa default app 600 "" "" rogue)")"
refused "alg none" invalid_grant "Unable to verify the ID Token signature" \
	"$(form "$(ksa default app 600 "" "" "" none)")"
refused "an issuer that is not the audience's provider" invalid_grant "does not match the expected ISSUER $ISS" \
	"$(form "$(ksa default app 600 "" https://evil.example.com)")"
refused "an unknown issuer with the //iam audience" invalid_grant "is not a trusted issuer" \
	"$(form "$(ksa default app 600 "" https://evil.example.com)" "$AUD_IAM")"
refused "garbage token" invalid_grant "Unable to parse the ID Token." "$(form "not.a.jwt")"
refused "a subject that is not a KSA" invalid_grant "is not a Kubernetes service account" \
	"$(form "$(tool jwt "$K/issuer.pem" k1 "$ISS" "$POOL" user@example.com 600)")"
refused "a KSA name with IAM syntax in it" invalid_grant "is not a Kubernetes service account" \
	"$(form "$(tool jwt "$K/issuer.pem" k1 "$ISS" "$POOL" "system:serviceaccount:default:app]" 600)")"

# --- refused requests -----------------------------------------------------------------------
refused "unknown provider in the audience" invalid_target "The target service indicated by the \"audience\" parameters is invalid." \
	"$(form "$(ksa default app 600 "" https://evil.example.com)" "identitynamespace:$POOL:https://evil.example.com")"
refused "another pool" invalid_target "The target service indicated by the \"audience\" parameters is invalid." \
	"$(form "$APP" "identitynamespace:other-project.svc.id.goog:$ISS")"
refused "//iam audience with a wrong project number" invalid_target "doesn't exist" \
	"$(form "$APP" "//iam.googleapis.com/projects/999/locations/global/workloadIdentityPools/$POOL/providers/x")"
refused "a malformed audience" invalid_request "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider." \
	"$(form "$APP" "demo-project")"
out=$(curl -sS "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n' --data-urlencode "grant_type=client_credentials" \
	--data-urlencode "subject_token_type=$JWT_TYPE" --data-urlencode "audience=$AUD_NS" --data-urlencode "subject_token=$APP")
refused "another grant type" unsupported_grant_type "grant_type" "$out"
out=$(curl -sS "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n' --data-urlencode "grant_type=$EXCHANGE" \
	--data-urlencode "subject_token_type=urn:ietf:params:oauth:token-type:saml2" --data-urlencode "audience=$AUD_NS" --data-urlencode "subject_token=$APP")
refused "a SAML subject token type" invalid_request "subject_token_type" "$out"
out=$(curl -sS "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n' --data-urlencode "grant_type=$EXCHANGE" \
	--data-urlencode "subject_token_type=$JWT_TYPE" --data-urlencode "audience=$AUD_NS" --data-urlencode "subject_token=$APP" \
	--data-urlencode "requested_token_type=urn:ietf:params:oauth:token-type:id_token")
refused "another requested token type" invalid_request "requested_token_type" "$out"
out=$(curl -sS "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n' --data-urlencode "grant_type=$EXCHANGE" \
	--data-urlencode "subject_token_type=$JWT_TYPE" --data-urlencode "audience=$AUD_NS")
refused "no subject token" invalid_request "subject_token" "$out"
refused "malformed JSON" invalid_request "JSON" "$(json '{"grant_type":')"
refused "a JSON value that is not a string" invalid_request "Invalid value" "$(json '{"grant_type":1}')"
out=$(curl -sS -X POST --data '' "$BASE/sts/v1/token" -w '\nHTTP %{http_code}\n')
refused "an empty body" invalid_request "grant_type" "$out"
eq "GET is not allowed" "405" "$(code "$(curl -sS -w '\nHTTP %{http_code}\n' "$BASE/sts/v1/token")")"

# --- the federated token and IAM -------------------------------------------------------------
# (the accounts are made with curl: gcloud's runs of that are test_iamapi's; the bindings
# below, with their member forms, go through gcloud)
ADMIN_TOKEN=$(gcloud_token)
mksa() { code "$(post "$ADMIN_TOKEN" "/iam/v1/projects/$P/serviceAccounts" "{\"accountId\":\"$1\"}")"; }
eq "creates the Google service account" 200 "$(mksa wi-gsa)"
out=$(gat "$FED" "$GSA")
eq "federated token without a binding: the seed's 403" "403 $DENIED" \
	"$(code "$out") $(field "$out" "['error']['message']")"
ok "bind roles/iam.workloadIdentityUser to serviceAccount:$POOL[default/app]" \
	grant "serviceAccounts/$GSA" "serviceAccount:$POOL[default/app]" roles/iam.workloadIdentityUser
out=$(gat "$FED" "$GSA")
eq "federated token with the binding: 200" "200" "$(code "$out")"
tok=$(field "$out" "['accessToken']")
has "the minted token is the GSA's" "\"email\": \"$GSA\"" "$(curl -sS "$BASE/oauth2/tokeninfo?access_token=$tok")"

OTHER=$(field "$(form "$(ksa team builder)")" "['access_token']")
out=$(gat "$OTHER" "$GSA")
eq "another KSA is still refused" "403 $DENIED" "$(code "$out") $(field "$out" "['error']['message']")"
ok "gcloud binds the principal:// form for team/builder" \
	gcloud iam service-accounts add-iam-policy-binding "$GSA" \
	--member="principal://iam.googleapis.com/projects/$NUM/locations/global/workloadIdentityPools/$POOL/subject/ns/team/sa/builder" \
	--role=roles/iam.workloadIdentityUser
eq "the principal:// form is the same principal" "200" "$(code "$(gat "$OTHER" "$GSA")")"

CI=$(field "$(form "$(ksa ci runner)")" "['access_token']")
eq "creates a second Google service account" 200 "$(mksa wi-other)"
eq "ci/runner has no role anywhere: 403" "403" "$(code "$(gat "$CI" "wi-other@$P.iam.gserviceaccount.com")")"
ok "gcloud grants ci/runner Token Creator on the project itself" \
	gcloud projects add-iam-policy-binding $P \
	--member="principal://iam.googleapis.com/projects/$NUM/locations/global/workloadIdentityPools/$POOL/subject/ns/ci/sa/runner" \
	--role=roles/iam.serviceAccountTokenCreator --condition=None
eq "a federated principal holding a project role: 200" "200" "$(code "$(gat "$CI" "wi-other@$P.iam.gserviceaccount.com")")"
out=$(post "$FED" "/cloudresourcemanager/v1/projects/$P:getIamPolicy" '{}')
eq "the federated token is not a project viewer" "403" "$(code "$out")"

# --- real clients: google-auth identity_pool, and gcloud with an external-account file -------
# Projected token files hold the bare token, without a newline.
printf '%s' "$(ksa default app 3600)" >"$T_TMP/ksa-token"
tok=$(tool pool "$BASE" "$AUD_NS" "$T_TMP/ksa-token" "$GSA" 2>&1)
has "google-auth identity_pool: STS exchange + impersonation" "\"email\": \"$GSA\"" \
	"$(curl -sS "$BASE/oauth2/tokeninfo?access_token=$tok")"
tok=$(tool pool "$BASE" "$AUD_NS" "$T_TMP/ksa-token" 2>&1)
eq "google-auth identity_pool: the federated token alone calls generateAccessToken" "200" \
	"$(code "$(gat "$tok" "$GSA")")"
printf '%s' "$(ksa team nobody 3600)" >"$T_TMP/ksa-nobody"
out=$(tool pool "$BASE" "$AUD_NS" "$T_TMP/ksa-nobody" "$GSA" 2>&1)
has "google-auth identity_pool without a binding: the 403" "iam.serviceAccounts.getAccessToken" "$out"

cat >"$T_TMP/external.json" <<EOF
{"type": "external_account", "audience": "$AUD_NS",
 "subject_token_type": "$JWT_TYPE", "token_url": "$BASE/sts/v1/token",
 "service_account_impersonation_url": "$BASE/iamcredentials/v1/projects/-/serviceAccounts/$GSA:generateAccessToken",
 "credential_source": {"file": "$T_TMP/ksa-token"}}
EOF
cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-wi"
ok "gcloud auth login --cred-file accepts the external-account file" \
	env CLOUDSDK_CONFIG="$T_TMP/gcloud-wi" gcloud auth login --cred-file="$T_TMP/external.json"
tok=$(CLOUDSDK_CONFIG="$T_TMP/gcloud-wi" gcloud auth print-access-token 2>&1)
has "gcloud exchanges through gkeid's STS and impersonates the GSA" "\"email\": \"$GSA\"" \
	"$(curl -sS "$BASE/oauth2/tokeninfo?access_token=$tok")"

# --- persistence: the registered issuer survives a restart ---------------------------------
gkeid_stop
rm -f "$DATA_DIR/env"
gkeid_up
BASE=$GKEID_CLOUD_URL
eq "after a restart the issuer is still registered" "200" "$(code "$(form "$(ksa default app)")")"

finish
