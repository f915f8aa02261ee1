#!/usr/bin/env bash
# test_clients.sh - Google's client libraries with a service-account key from gkeid:
# Python google-auth gets a token through the key file's token_uri; npm
# google-auth-library uses self-signed JWTs. Each is refused without a role and
# allowed with one; a disabled key and a disabled account stop working.
. "$(dirname "$0")/lib.sh"
gkeid_up
SA=lib-gsa@demo-project.iam.gserviceaccount.com
URL=$GKEID_CLOUD_URL/cloudresourcemanager/v1/projects/demo-project
ok "create a service account" sa_create lib-gsa
ok "create a key" sa_key "$T_TMP/key.json" $SA
has "key file's token_uri is gkeid" "\"token_uri\": \"$GKEID_CLOUD_URL/oauth2/token\"" "$(cat "$T_TMP/key.json")"

py() { PYTHONPATH=$GCLOUD_PYPATH "$GCLOUD_PY" "$ROOT/tests/e2e/clients_google_auth.py" "$T_TMP/key.json" "$URL" 2>&1; }
nodejs() { node "$ROOT/tests/node/jwt_access.js" "$T_TMP/key.json" "$URL" 2>&1; }

out=$(py)
has "google-auth gets a token from gkeid's token_uri" "token ya29." "$out"
has "google-auth: refused without a role" "status 403" "$out"
has "... naming the permission" "resourcemanager.projects.get" "$out"
out=$(nodejs)
has "google-auth-library (self-signed JWT): refused without a role" "status 403" "$out"

ok "grant roles/viewer" grant projects/demo-project serviceAccount:$SA roles/viewer
out=$(py); has "google-auth: allowed with roles/viewer" "status 200" "$out"
has "... and reads the project" '"projectId": "demo-project"' "$out"
out=$(nodejs); has "google-auth-library: allowed with roles/viewer" "status 200" "$out"

# google-auth's self-signed JWTs name the API as their audience; another audience is 401.
jwtaud() { PYTHONPATH=$GCLOUD_PYPATH "$GCLOUD_PY" "$ROOT/tests/e2e/clients_jwt_audience.py" "$T_TMP/key.json" "$1" "$URL" 2>&1; }
has "self-signed JWT for https://cloudresourcemanager.googleapis.com/ is accepted" "status 200" "$(jwtaud https://cloudresourcemanager.googleapis.com/)"
has "self-signed JWT for another API is 401" "status 401" "$(jwtaud https://storage.googleapis.com/)"

# A forged self-signed JWT (signed by another key, same kid) is 401.
openssl genrsa -out "$T_TMP/other.pem" 2048 2>/dev/null
python3 - "$T_TMP/key.json" "$T_TMP/other.pem" >"$T_TMP/forged.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1])); k["private_key"] = open(sys.argv[2]).read(); print(json.dumps(k))
PY
out=$(node "$ROOT/tests/node/jwt_access.js" "$T_TMP/forged.json" "$URL" 2>&1)
has "a forged self-signed JWT is 401" "status 401" "$out"
has "... UNAUTHENTICATED" "UNAUTHENTICATED" "$out"

# signJwt's system-managed key signs a JWT-bearer assertion that the token endpoint
# accepts (how google-auth impersonates without a key file); another subject is refused.
ok "the admin may sign as the account (Token Creator; owners may not by default)" gcloud iam service-accounts add-iam-policy-binding $SA --member=user:admin@example.com --role=roles/iam.serviceAccountTokenCreator --quiet
now=$(date +%s)
payload=$(printf '{"iss":"%s","scope":"https://www.googleapis.com/auth/cloud-platform","aud":"%s/oauth2/token","iat":%s,"exp":%s}' $SA "$GKEID_CLOUD_URL" $now $((now + 600)))
body=$(python3 -c 'import json,sys; print(json.dumps({"payload": sys.argv[1]}))' "$payload")
signed=$(api POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:signJwt" "$body" | sed -n 's/.*"signedJwt": "\([^"]*\)".*/\1/p')
[ -n "$signed" ] && pass "signJwt as the owner" || fail "signJwt"
out=$(curl -sS -d "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=$signed" "$GKEID_CLOUD_URL/oauth2/token")
has "a signJwt assertion gets an access token" '"access_token": "ya29.' "$out"
payload=$(printf '{"iss":"%s","sub":"admin@example.com","scope":"https://www.googleapis.com/auth/cloud-platform","aud":"%s/oauth2/token","iat":%s,"exp":%s}' $SA "$GKEID_CLOUD_URL" $now $((now + 600)))
body=$(python3 -c 'import json,sys; print(json.dumps({"payload": sys.argv[1]}))' "$payload")
signed=$(api POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:signJwt" "$body" | sed -n 's/.*"signedJwt": "\([^"]*\)".*/\1/p')
out=$(curl -sS -w ' %{http_code}' -d "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=$signed" "$GKEID_CLOUD_URL/oauth2/token")
has "another subject (domain-wide delegation) is refused" '"error": "unauthorized_client"' "$out"
has "... with 401" " 401" "$out"

# A disabled key stops working; so does a disabled account.
kid=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['private_key_id'])" "$T_TMP/key.json")
ok "disable the key" gcloud iam service-accounts keys disable "$kid" --iam-account=$SA --quiet
out=$(py); has "google-auth: a disabled key gets no token" "invalid_grant" "$out"
out=$(nodejs); has "google-auth-library: a disabled key is 401" "status 401" "$out"
ok "enable the key" gcloud iam service-accounts keys enable "$kid" --iam-account=$SA --quiet
out=$(nodejs); has "google-auth-library: enabled again" "status 200" "$out"
ok "disable the account" gcloud iam service-accounts disable $SA --quiet
out=$(nodejs); has "google-auth-library: a disabled account is 401" "status 401" "$out"
out=$(py); has "google-auth: a disabled account gets no token" "invalid_grant" "$out"

finish
