#!/bin/bash
# test_iamcredentials.sh - the IAM Service Account Credentials API against the real
# gcloud, Python google-auth and curl: generateAccessToken, generateIdToken, signJwt,
# signBlob; IAM enforcement (the seed's exact 403), delegation chains, the
# SERVICE_DISABLED gate, and IAM propagation (--iam-propagation 8s).
. "$(dirname "$0")/lib.sh"

PROP=8
gkeid_up --iam-propagation ${PROP}s
P=$GKEID_PROJECT
BASE=$GKEID_CLOUD_URL
GSA=target-sa@$P.iam.gserviceaccount.com
DEL=delegate-sa@$P.iam.gserviceaccount.com
OTHER=other-sa@$P.iam.gserviceaccount.com
SCOPE='"scope":["https://www.googleapis.com/auth/cloud-platform"]'
DENIED="Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
py() { PYTHONPATH=$GCLOUD_PYPATH "$GCLOUD_PY" "$(dirname "$0")/iamcred_check.py" "$@"; }
sa_path() { echo "/iamcredentials/v1/projects/-/serviceAccounts/$1:$2"; }

ADMIN=$(gcloud_token)
# (the accounts are made, and read back below, with curl: gcloud's runs of those are
# test_iamapi's; a gcloud start is a second of CPU)
for sa in target-sa delegate-sa other-sa; do
	eq "creates the service account $sa" 200 "$(code "$(post "$ADMIN" "/iam/v1/projects/$GKEID_PROJECT/serviceAccounts" "{\"accountId\":\"$sa\"}")")"
done

# --- refused: no binding, unknown account, no token, bad input ---------------------------
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}")
eq "owner without a binding gets 403" "403" "$(code "$out")"
eq "the 403 is the seed's exact text" "$DENIED" "$(field "$out" "['error']['message']")"
eq "the 403 status is PERMISSION_DENIED" "PERMISSION_DENIED" "$(field "$out" "['error']['status']")"
eq "ErrorInfo reason IAM_PERMISSION_DENIED" "IAM_PERMISSION_DENIED" "$(field "$out" "['error']['details'][0]['reason']")"
eq "ErrorInfo domain" "iam.googleapis.com" "$(field "$out" "['error']['details'][0]['domain']")"
eq "ErrorInfo names the permission" "iam.serviceAccounts.getAccessToken" "$(field "$out" "['error']['details'][0]['metadata']['permission']")"

out=$(post "$ADMIN" "$(sa_path "nobody@$P.iam.gserviceaccount.com" generateAccessToken)" "{$SCOPE}")
eq "an unknown account gets the same 403" "403 $DENIED" "$(code "$out") $(field "$out" "['error']['message']")"
out=$(post "$ADMIN" "$(sa_path "x@other-project.iam.gserviceaccount.com" generateIdToken)" '{"audience":"a"}')
eq "generateIdToken on an unknown account names getOpenIdToken" \
	"Permission 'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist)." \
	"$(field "$out" "['error']['message']")"
out=$(post "" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}")
eq "no token gets 401" "401 UNAUTHENTICATED" "$(code "$out") $(field "$out" "['error']['status']")"
out=$(post "ya29.forged" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}")
eq "a forged token gets 401" "401" "$(code "$out")"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" '{"scope":')
eq "malformed JSON gets 400" "400 INVALID_ARGUMENT" "$(code "$out") $(field "$out" "['error']['status']")"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE,\"bogus\":1}")
has "an unknown field gets 400" 'Unknown name \"bogus\"' "$out"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" '{"scope":"cloud-platform"}')
eq "scope as a string gets 400" "400" "$(code "$out")"
out=$(curl -sS -X GET -H "Authorization: Bearer $ADMIN" -w '\nHTTP %{http_code}\n' "$BASE$(sa_path "$GSA" generateAccessToken)")
eq "GET is not allowed" "405" "$(code "$out")"

msg=$(gcloud auth print-access-token --impersonate-service-account="$GSA" 2>&1)
has "gcloud impersonation without a binding shows the 403" "$DENIED" "$msg"

# --- propagation: the seed's 403 right after a fresh binding ------------------------------
# delegate-sa may mint for target-sa; the admin may delegate through delegate-sa only.
ok "the delegate may create tokens for the target" \
	grant "serviceAccounts/$GSA" "serviceAccount:$DEL" roles/iam.serviceAccountTokenCreator
# The admin's binding is written with one setIamPolicy (gcloud's read-modify-write takes
# several seconds on a loaded machine), after t_bound: a call made less than PROP
# seconds after t_bound is inside the propagation window however slow the machine is.
pol=$(post "$ADMIN" "/iam/v1/projects/-/serviceAccounts/$GSA:getIamPolicy" '{}')
pol=$(jget "$pol" 'json.dumps({"policy": dict(j, bindings=j.get("bindings", []) + [{"role": "roles/iam.serviceAccountTokenCreator", "members": ["user:admin@example.com"]}])})')
t_bound=$(date +%s)
out=$(post "$ADMIN" "/iam/v1/projects/-/serviceAccounts/$GSA:setIamPolicy" "$pol")
eq "setIamPolicy grants the admin Token Creator on the target" 200 "$(code "$out")"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}")
if [ $(($(date +%s) - t_bound)) -lt $PROP ]; then
	eq "right after the binding: still the seed's 403 (propagation)" "403 $DENIED" \
		"$(code "$out") $(field "$out" "['error']['message']")"
else
	fail "the call right after the binding was not made within ${PROP}s"
fi
out=$(post "$ADMIN" "/iamcredentials/v1/projects/-/serviceAccounts/$GSA:generateAccessToken" "{$SCOPE}")
has "getIamPolicy already shows the binding" "user:admin@example.com" \
	"$(post "$ADMIN" "/iam/v1/projects/-/serviceAccounts/$GSA:getIamPolicy" '{}')"
# the binding takes effect once it is PROP seconds old: wait for that (bounded)
wait_for $((PROP + 20)) output_is 200 code_of post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}"

out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE,\"lifetime\":\"600s\",\"delegates\":[]}")
eq "after ${PROP}s: generateAccessToken 200" "200" "$(code "$out")"
tok=$(field "$out" "['accessToken']")
exp=$(field "$out" "['expireTime']")
case $exp in
[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z) pass "expireTime is RFC 3339 UTC with whole seconds" ;;
*) fail "expireTime is RFC 3339 UTC with whole seconds" "$exp" ;;
esac
left=$(($(date -u -d "$exp" +%s) - $(date +%s)))
if [ "$left" -gt 590 ] && [ "$left" -le 601 ]; then pass "expireTime honours lifetime 600s"; else fail "expireTime honours lifetime 600s" "$left"; fi
info=$(curl -sS "$BASE/oauth2/tokeninfo?access_token=$tok")
has "the minted token is the service account's" "\"email\": \"$GSA\"" "$info"
has "the minted token carries the scope" "cloud-platform" "$info"

out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE,\"lifetime\":\"7200s\"}")
eq "lifetime over an hour gets 400" "400" "$(code "$out")"
has "with Google's text" "can not have lifetimes of more than 1 hour. Use the Org Policy Constraint constraints/iam.allowServiceAccountCredentialLifetimeExtension to allow up to 12 hours." "$out"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE,\"lifetime\":\"soon\"}")
eq "a malformed lifetime gets 400" "400" "$(code "$out")"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" '{"scope":[]}')
eq "no scope gets 400" "400" "$(code "$out")"

UID_GSA=$(field "$(call "$ADMIN" GET "/iam/v1/projects/-/serviceAccounts/$GSA")" "['uniqueId']")
out=$(post "$ADMIN" "$(sa_path "$UID_GSA" generateAccessToken)" "{$SCOPE}")
eq "the account may be named by its unique ID" "200" "$(code "$out")"

# --- gcloud and google-auth impersonation --------------------------------------------------
tok=$(gcloud auth print-access-token --impersonate-service-account="$GSA" 2>/dev/null)
has "gcloud auth print-access-token --impersonate-service-account" "\"email\": \"$GSA\"" \
	"$(curl -sS "$BASE/oauth2/tokeninfo?access_token=$tok")"
out=$(py impersonate "$BASE" "$ADMIN" "$GSA" 2>&1)
tok=${out%% *}
has "google-auth impersonated_credentials (iam_endpoint_override)" "\"email\": \"$GSA\"" \
	"$(curl -sS "$BASE/oauth2/tokeninfo?access_token=$tok")"
out=$(py impersonate "$BASE" "$ADMIN" "$OTHER" 2>&1)
has "google-auth refused without a binding shows the 403" "$DENIED" "$out"

# --- ID tokens -------------------------------------------------------------------------------
out=$(post "$ADMIN" "$(sa_path "$GSA" generateIdToken)" '{"audience":"https://svc.example.com","includeEmail":true,"delegates":[]}')
eq "generateIdToken 200" "200" "$(code "$out")"
idt=$(field "$out" "['token']")
claims=$(py verify "$BASE" "$idt" https://svc.example.com 2>&1)
has "the ID token verifies against /oauth2/v3/certs (google.auth.jwt)" '"iss": "https://accounts.google.com"' "$claims"
has "ID token aud" '"aud": "https://svc.example.com"' "$claims"
has "ID token sub is the unique ID" "\"sub\": \"$UID_GSA\"" "$claims"
has "ID token azp is the unique ID" "\"azp\": \"$UID_GSA\"" "$claims"
has "ID token email with includeEmail" "\"email\": \"$GSA\"" "$claims"
has "ID token email_verified" '"email_verified": true' "$claims"
iat=$(printf '%s' "$claims" | "$GCLOUD_PY" -c 'import json,sys; c=json.load(sys.stdin); print(c["exp"]-c["iat"])')
eq "ID token lives an hour" "3600" "$iat"
has "tokeninfo accepts the ID token" "\"aud\": \"https://svc.example.com\"" \
	"$(curl -sS "$BASE/oauth2/tokeninfo?id_token=$idt")"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateIdToken)" '{"audience":"x"}')
claims=$(py verify "$BASE" "$(field "$out" "['token']")" x 2>&1)
hasnt "no email without includeEmail" '"email"' "$claims"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateIdToken)" '{}')
eq "generateIdToken without audience gets 400" "400" "$(code "$out")"
idt=$(py idtoken "$BASE" "$ADMIN" "$GSA" https://aud.example.com 2>&1)
has "google-auth IDTokenCredentials gets a verifiable ID token" "\"email\": \"$GSA\"" \
	"$(py verify "$BASE" "$idt" https://aud.example.com 2>&1)"

# --- signJwt and signBlob --------------------------------------------------------------------
now=$(date +%s)
out=$(post "$ADMIN" "$(sa_path "$GSA" signJwt)" "{\"payload\":\"{\\\"iss\\\":\\\"me\\\",\\\"aud\\\":\\\"you\\\",\\\"iat\\\":$now,\\\"n\\\":1}\"}")
eq "signJwt 200" "200" "$(code "$out")"
kid=$(field "$out" "['keyId']")
GSA_JWKS="$BASE/service_accounts/v1/metadata/jwk/$GSA"
claims=$(py verify "$GSA_JWKS" "$(field "$out" "['signedJwt']")" you 2>&1)
has "the signed JWT verifies against the account's own JWKS" '"n": 1' "$claims"
has "... and not against Google's keys (/oauth2/v3/certs)" "not found" \
	"$(py verify "$BASE" "$(field "$out" "['signedJwt']")" you 2>&1)"
has "signJwt adds exp when missing" '"exp":' "$claims"
hdr=$(field "$out" "['signedJwt']" | cut -d. -f1 | tr '_-' '/+' | base64 -d 2>/dev/null)
has "the JWT header names the keyId" "\"kid\":\"$kid\"" "$hdr"
out=$(post "$ADMIN" "$(sa_path "$GSA" signJwt)" '{"payload":"not json"}')
eq "signJwt with a non-JSON payload gets 400" "400" "$(code "$out")"
far=$(($(date +%s) + 13 * 3600))
out=$(post "$ADMIN" "$(sa_path "$GSA" signJwt)" "{\"payload\":\"{\\\"exp\\\":$far}\"}")
eq "signJwt with exp beyond 12h gets 400" "400" "$(code "$out")"

data=$(printf 'blob to sign' | base64)
out=$(post "$ADMIN" "$(sa_path "$GSA" signBlob)" "{\"payload\":\"$data\"}")
eq "signBlob 200" "200" "$(code "$out")"
eq "the blob signature verifies against the account's JWKS" "ok" \
	"$(py verify-blob "$GSA_JWKS" "$(field "$out" "['keyId']")" "$data" "$(field "$out" "['signedBlob']")" 2>&1)"
out=$(post "$ADMIN" "$(sa_path "$GSA" signBlob)" '{"payload":"***"}')
eq "signBlob with bad base64 gets 400" "400" "$(code "$out")"
read -r d s <<<"$(py sign-bytes "$BASE" "$ADMIN" "$GSA" 2>&1)"
eq "google-auth Credentials.sign_bytes verifies" "ok" "$(py verify-blob "$GSA_JWKS" "$kid" "$d" "$s" 2>&1)"

# --- a caller without signJwt: the permission is named --------------------------------------
OTHER_TOKEN=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}")
OTHER_TOKEN=$(field "$OTHER_TOKEN" "['accessToken']")
out=$(post "$OTHER_TOKEN" "$(sa_path "$OTHER" signJwt)" '{"payload":"{}"}')
eq "a service account without a role gets signJwt's 403" \
	"403 Permission 'iam.serviceAccounts.signJwt' denied on resource (or it may not exist)." \
	"$(code "$out") $(field "$out" "['error']['message']")"

# --- delegation: admin -> delegate-sa -> target-sa ------------------------------------------
DELEG="{$SCOPE,\"delegates\":[\"projects/-/serviceAccounts/$DEL\"]}"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "$DELEG")
eq "delegation without implicitDelegation on the delegate gets 403" \
	"403 Permission 'iam.serviceAccounts.implicitDelegation' denied on resource (or it may not exist)." \
	"$(code "$out") $(field "$out" "['error']['message']")"
ok "the admin is granted Token Creator on the delegate" \
	grant "serviceAccounts/$DEL" user:admin@example.com roles/iam.serviceAccountTokenCreator
wait_for $((PROP + 20)) output_is 200 code_of post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "$DELEG"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "$DELEG")
eq "a delegation chain whose every hop is granted gets 200" "200" "$(code "$out")"
out=$(post "$ADMIN" "$(sa_path "$OTHER" generateAccessToken)" "{$SCOPE,\"delegates\":[\"projects/-/serviceAccounts/$DEL\"]}")
eq "a chain whose last hop is not granted gets 403" "403 $DENIED" \
	"$(code "$out") $(field "$out" "['error']['message']")"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE,\"delegates\":[\"projects/-/serviceAccounts/ghost@$P.iam.gserviceaccount.com\"]}")
eq "an unknown delegate gets 403" "403" "$(code "$out")"

# --- the API must be enabled in the account's project ---------------------------------------
out=$(post "$ADMIN" "/serviceusage/v1/projects/$P/services/iamcredentials.googleapis.com:disable" '{}')
eq "disable iamcredentials.googleapis.com" "200" "$(code "$out")"
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}")
eq "a disabled API gets 403" "403" "$(code "$out")"
eq "reason SERVICE_DISABLED" "SERVICE_DISABLED" "$(field "$out" "['error']['details'][0]['reason']")"
has "with Google's text" "IAM Service Account Credentials API has not been used in project" "$out"
out=$(post "$ADMIN" "/serviceusage/v1/projects/$P/services/iamcredentials.googleapis.com:enable" '{}')
out=$(post "$ADMIN" "$(sa_path "$GSA" generateAccessToken)" "{$SCOPE}")
eq "enabled again: 200" "200" "$(code "$out")"

finish
