#!/bin/bash
# test_security_keys.sh - every service account signs with keys of its own (security
# review, issue 9, "one signing key serves every service account"). The attack: a
# principal with Token Creator on a low-privilege account only signs, with that
# account's key, a JWT that names an owner account, and uses it as a bearer token, at
# the token endpoint, and as a Google ID token. On Google each of these fails: signJwt
# and signBlob sign with the account's own system-managed key, a verifier looks a kid
# up only among the keys of the account the token names, and ID tokens are signed by
# Google's own keys, which no customer API signs with.
. "$(dirname "$0")/lib.sh"

gkeid_up
P=$GKEID_PROJECT
BASE=$GKEID_CLOUD_URL
LOW=low-sa@$P.iam.gserviceaccount.com
OWNER=owner-sa@$P.iam.gserviceaccount.com
sa_path() { echo "/iamcredentials/v1/projects/-/serviceAccounts/$1:$2"; }
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
# payload JSON -> {"payload": "<JSON as a string>"}
wrap() { python3 -c 'import json,sys; print(json.dumps({"payload": sys.argv[1]}))' "$1"; }

ADMIN=$(gcloud_token)
ok "create the low-privilege account" sa_create low-sa
ok "create the owner account" sa_create owner-sa
ok "owner-sa is a project owner" grant "projects/$P" "serviceAccount:$OWNER" roles/owner
ok "low-sa may sign as itself only" grant "serviceAccounts/$LOW" "serviceAccount:$LOW" roles/iam.serviceAccountTokenCreator
ok "the admin may mint low-sa's token" grant "serviceAccounts/$LOW" user:admin@example.com roles/iam.serviceAccountTokenCreator
out=$(post "$ADMIN" "$(sa_path "$LOW" generateAccessToken)" '{"scope":["https://www.googleapis.com/auth/cloud-platform"]}')
LOW_TOKEN=$(field "$out" "['accessToken']")
[ -n "$LOW_TOKEN" ] && pass "low-sa's access token" || fail "low-sa's access token" "$out"

# --- each account has system-managed keys of its own ------------------------------------
low_keys=$(gcloud iam service-accounts keys list --iam-account="$LOW" --managed-by=system --format='value(name.basename())')
owner_keys=$(gcloud iam service-accounts keys list --iam-account="$OWNER" --managed-by=system --format='value(name.basename())')
[ -n "$low_keys" ] && pass "keys list shows low-sa's SYSTEM_MANAGED key" || fail "low-sa has a system key"
[ -n "$owner_keys" ] && [ "$low_keys" != "$owner_keys" ] && pass "owner-sa's system key is another key" \
	|| fail "distinct system keys" "low=[$low_keys] owner=[$owner_keys]"
certs=$(curl -sS "$BASE/oauth2/v3/certs")
hasnt "Google's certs do not publish low-sa's key" "$low_keys" "$certs"
hasnt "... nor owner-sa's" "$owner_keys" "$certs"
eq "jwk of low-sa lists its key" "True" \
	"$(jget "$(curl -sS "$BASE/service_accounts/v1/metadata/jwk/$LOW")" "'$low_keys' in [k['kid'] for k in j['keys']]")"
eq "jwk of owner-sa does not list low-sa's key" "False" \
	"$(jget "$(curl -sS "$BASE/service_accounts/v1/metadata/jwk/$OWNER")" "'$low_keys' in [k['kid'] for k in j['keys']]")"
eq "x509 of owner-sa does not list low-sa's key" "False" \
	"$(jget "$(curl -sS "$BASE/service_accounts/v1/metadata/x509/$OWNER")" "'$low_keys' in j")"
out=$(curl -sS -X DELETE -H "Authorization: Bearer $ADMIN" -w '\nHTTP %{http_code}\n' "$BASE/iam/v1/projects/$P/serviceAccounts/$LOW/keys/$low_keys")
eq "a system-managed key cannot be deleted" "400 System-managed keys cannot be deleted." \
	"$(code "$out") $(field "$out" "['error']['message']")"

# --- the attack, through signJwt: refused ------------------------------------------------
now=$(date +%s)
AUD="https://cloudresourcemanager.googleapis.com/"
forged=$(printf '{"iss":"%s","sub":"%s","aud":"%s","iat":%s,"exp":%s}' "$OWNER" "$OWNER" "$AUD" "$now" $((now + 600)))
out=$(post "$LOW_TOKEN" "$(sa_path "$LOW" signJwt)" "$(wrap "$forged")")
eq "signJwt refuses an iss that names another account" "400 INVALID_ARGUMENT" \
	"$(code "$out") $(field "$out" "['error']['status']")"
only_sub=$(printf '{"iss":"%s","sub":"%s","aud":"%s","iat":%s,"exp":%s}' "$LOW" "$OWNER" "$AUD" "$now" $((now + 600)))
out=$(post "$LOW_TOKEN" "$(sa_path "$LOW" signJwt)" "$(wrap "$only_sub")")
eq "signJwt refuses a sub that names another service account" "400" "$(code "$out")"

# --- the attack, through signBlob: the signature only ever verifies as low-sa ------------
hdr_for() { printf '{"alg":"RS256","kid":"%s","typ":"JWT"}' "$1" | b64url; }
sign_as_low() { # CLAIMS -> a JWT signed by low-sa's system key, whatever the claims say
	out=$(post "$LOW_TOKEN" "$(sa_path "$LOW" signBlob)" '{"payload":"e30="}')
	kid=$(field "$out" "['keyId']")
	input="$(hdr_for "$kid").$(printf '%s' "$1" | b64url)"
	out=$(post "$LOW_TOKEN" "$(sa_path "$LOW" signBlob)" "{\"payload\":\"$(printf '%s' "$input" | base64 -w0)\"}")
	printf '%s.%s' "$input" "$(field "$out" "['signedBlob']" | base64 -d | b64url)"
}
jwt=$(sign_as_low "$forged")
out=$(curl -sS -H "Authorization: Bearer $jwt" -w '\nHTTP %{http_code}\n' "$BASE/cloudresourcemanager/v1/projects/$P:getIamPolicy" -X POST -d '{}')
eq "a JWT naming owner-sa, signed with low-sa's key, is not owner-sa" "401" "$(code "$out")"
out=$(curl -sS -w '\nHTTP %{http_code}\n' -d "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=$(
	sign_as_low "$(printf '{"iss":"%s","scope":"https://www.googleapis.com/auth/cloud-platform","aud":"%s/oauth2/token","iat":%s,"exp":%s}' "$OWNER" "$BASE" "$now" $((now + 600)))")" \
	"$BASE/oauth2/token")
eq "nor does the token endpoint trade it for owner-sa's token" "400 Invalid JWT Signature." \
	"$(code "$out") $(field "$out" "['error_description']")"
idt=$(sign_as_low "$(printf '{"iss":"https://accounts.google.com","aud":"x","sub":"1","email":"%s","iat":%s,"exp":%s}' "$OWNER" "$now" $((now + 600)))")
out=$(curl -sS -w '\nHTTP %{http_code}\n' "$BASE/oauth2/v3/tokeninfo?id_token=$idt")
eq "nor is it a Google ID token that tokeninfo accepts" "400" "$(code "$out")"
out=$(curl -sS -w '\nHTTP %{http_code}\n' "$BASE/oauth2/v3/tokeninfo?id_token=$(sign_as_low "$forged")")
eq "tokeninfo refuses any JWT signed by an account key" "400" "$(code "$out")"

# --- what low-sa may do with its own key still works, as low-sa --------------------------
own=$(printf '{"iss":"%s","sub":"%s","aud":"%s","iat":%s,"exp":%s}' "$LOW" "$LOW" "$AUD" "$now" $((now + 600)))
out=$(post "$LOW_TOKEN" "$(sa_path "$LOW" signJwt)" "$(wrap "$own")")
eq "signJwt of its own claims: 200" "200" "$(code "$out")"
eq "... signed with low-sa's system key" "$low_keys" "$(field "$out" "['keyId']")"
self=$(field "$out" "['signedJwt']")
out=$(curl -sS -X POST -H "Authorization: Bearer $self" -H 'Content-Type: application/json' -d '{}' \
	-w '\nHTTP %{http_code}\n' "$BASE/cloudresourcemanager/v1/projects/$P:getIamPolicy")
eq "used as a bearer token it is low-sa, who may not read the policy" \
	"403 PERMISSION_DENIED" "$(code "$out") $(field "$out" "['error']['status']")"
out=$(post "$ADMIN" "$(sa_path "$LOW" generateIdToken)" '{"audience":"x"}')
idt=$(field "$out" "['token']")
eq "generateIdToken's ID token is signed by Google's key, as tokeninfo checks" "200" \
	"$(code "$(curl -sS -w '\nHTTP %{http_code}\n' "$BASE/oauth2/v3/tokeninfo?id_token=$idt")")"

# --- the private halves rest sealed, the sealing key 0600 --------------------------------
eq "the sealing key is 0600" "600" "$(stat -c %a "$DATA_DIR/keys/system-keys.seal")"
if sqlite3 "$DATA_DIR/store.db" "select value from kv" 2>/dev/null | grep -q "PRIVATE KEY"; then
	fail "no private key in the store in clear"
else
	pass "no private key in the store in clear"
fi
# A restart reads the same sealing key: the account keeps signing with the same key.
gkeid_stop
gkeid_up
BASE=$GKEID_CLOUD_URL
out=$(post "$(gcloud_token)" "$(sa_path "$LOW" signBlob)" '{"payload":"e30="}')
eq "after a restart the same system key signs" "$low_keys" "$(field "$out" "['keyId']")"
finish
