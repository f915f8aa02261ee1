#!/bin/bash
# test_iamapi.sh - the IAM API (src/cloud/iamapi.c) driven by the real gcloud and curl:
# service accounts, their allow policies, keys (and signing in with one), roles, the
# public-key endpoints, and bad input.
. "$(dirname "$0")/lib.sh"
gkeid_up
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
ADMIN=admin@example.com
P=$GKEID_PROJECT
SA=app-gsa@$P.iam.gserviceaccount.com
SAPATH=/iam/v1/projects/$P/serviceAccounts
PY="$GCLOUD_PY"
export PYTHONPATH=$GCLOUD_PYPATH
cd "$T_TMP" || exit 1


# --- service accounts ------------------------------------------------------------------
out=$(gcloud iam service-accounts create app-gsa --display-name="App GSA" --description="the app" 2>&1)
has "create prints gcloud's confirmation" "Created service account [app-gsa]." "$out"
d=$(gcloud iam service-accounts describe "$SA" --format=json 2>&1)
eq "describe: email" "$SA" "$(jget "$d" 'j["email"]')"
eq "describe: name" "projects/$P/serviceAccounts/$SA" "$(jget "$d" 'j["name"]')"
eq "describe: displayName and description" "App GSA|the app" "$(jget "$d" 'j["displayName"]+"|"+j["description"]')"
eq "describe: 21-digit uniqueId equal to oauth2ClientId" "True" \
	"$(jget "$d" 'len(j["uniqueId"])==21 and j["uniqueId"].isdigit() and j["oauth2ClientId"]==j["uniqueId"]')"
eq "describe: projectId and etag" "$P MDEwMjE5MjA=" "$(jget "$d" 'j["projectId"]+" "+j["etag"]')"
UID_=$(jget "$d" 'j["uniqueId"]')
eq "describe by unique ID" "$SA" "$(gcloud iam service-accounts describe "$UID_" --format='value(email)' 2>&1)"
out=$(gcloud iam service-accounts list 2>&1 | tr -s ' ')
has "list shows the account" "App GSA $SA False" "$out"
has "... and the Compute Engine default service account (the node's, made by gkeid up)" \
	"Compute Engine default service account 123456789012-compute@developer.gserviceaccount.com False" "$out"
ok "update display name" gcloud iam service-accounts update "$SA" --display-name="App GSA 2"
eq "update is kept, description untouched" "App GSA 2|the app" \
	"$(gcloud iam service-accounts describe "$SA" --format='value(displayName,description)' | tr '\t' '|')"
ok "disable" gcloud iam service-accounts disable "$SA"
eq "list shows it disabled" "True" "$(gcloud iam service-accounts list --filter="email=$SA" --format='value(disabled)')"
ok "enable" gcloud iam service-accounts enable "$SA"

# --- its allow policy ----------------------------------------------------------------
eq "fresh policy is empty" "etag: ACAB" "$(gcloud iam service-accounts get-iam-policy "$SA" 2>&1)"
ok "add-iam-policy-binding workloadIdentityUser" gcloud iam service-accounts add-iam-policy-binding "$SA" \
	--role=roles/iam.workloadIdentityUser --member="serviceAccount:$P.svc.id.goog[default/app]"
out=$(gcloud iam service-accounts get-iam-policy "$SA" 2>&1)
has "get-iam-policy shows the binding as the seed prints it" "- members:
  - serviceAccount:$P.svc.id.goog[default/app]
  role: roles/iam.workloadIdentityUser" "$out"
out=$(gcloud iam service-accounts add-iam-policy-binding "$SA" --role=roles/container.viewer --member=user:x@example.com 2>&1)
has "a role that does not fit a service account is refused" \
	"INVALID_ARGUMENT: Role roles/container.viewer is not supported for this resource." "$out"

# --- keys --------------------------------------------------------------------------
out=$(gcloud iam service-accounts keys create key.json --iam-account="$SA" 2>&1)
has "keys create" "created key [" "$out"
has "keys create names the type and account" "of type [json] as [key.json] for [$SA]" "$out"
eq "key file is 0600" "600" "$(stat -c %a key.json)"
k=$(cat key.json)
KID=$(jget "$k" 'j["private_key_id"]')
eq "key file: type, project, email, client id" "service_account $P $SA $UID_" \
	"$(jget "$k" '" ".join([j["type"],j["project_id"],j["client_email"],j["client_id"]])')"
eq "key file: 40-hex key id" "True" "$(jget "$k" 'len(j["private_key_id"])==40 and all(c in "0123456789abcdef" for c in j["private_key_id"])')"
eq "key file: PKCS#8 private key" "True" "$(jget "$k" 'j["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")')"
eq "key file: token_uri is gkeid's" "$GKEID_CLOUD_URL/oauth2/token" "$(jget "$k" 'j["token_uri"]')"
eq "key file: x509 url is gkeid's" "$GKEID_CLOUD_URL/service_accounts/v1/metadata/x509/app-gsa%40$P.iam.gserviceaccount.com" \
	"$(jget "$k" 'j["client_x509_cert_url"]')"
eq "key file: universe" "googleapis.com" "$(jget "$k" 'j["universe_domain"]')"
out=$(gcloud iam service-accounts keys list --iam-account="$SA" --managed-by=user --format='value(name.basename())' 2>&1)
eq "keys list --managed-by=user shows the key" "$KID" "$out"
out=$(gcloud iam service-accounts keys list --iam-account="$SA" --format='value(name.basename())' 2>&1)
eq "keys list also shows one system-managed key" "2" "$(printf '%s\n' "$out" | wc -l)"
ok "beta keys get-public-key (X.509)" gcloud beta iam service-accounts keys get-public-key "$KID" --iam-account="$SA" --output-file=pub.pem
eq "the certificate holds the key file's public key" \
	"$(jget "$k" 'j["private_key"]' | openssl pkey -pubout 2>&1)" "$(openssl x509 -in pub.pem -pubkey -noout 2>&1)"
x509=$(curl -sS "$GKEID_CLOUD_URL/service_accounts/v1/metadata/x509/$SA")
eq "x509 endpoint lists the key" "True" "$(jget "$x509" '"'"$KID"'" in j')"
jwk=$(curl -sS "$GKEID_CLOUD_URL/service_accounts/v1/metadata/jwk/$SA")
eq "jwk endpoint lists the key" "True" "$(jget "$jwk" '"'"$KID"'" in [k["kid"] for k in j["keys"]]')"
out=$("$PY" - "$GKEID_CLOUD_URL/service_accounts/v1/metadata/x509/$SA" <<'EOF' 2>&1
import json, sys, urllib.request
from google.auth import jwt
from google.oauth2 import service_account
signer = service_account.Credentials.from_service_account_file("key.json").signer
tok = jwt.encode(signer, {"iss": "me", "aud": "x", "iat": 1, "exp": 9999999999})
certs = json.load(urllib.request.urlopen(sys.argv[1]))
print(jwt.decode(tok, certs=certs, audience="x")["iss"])
EOF
)
eq "google-auth verifies a key's signature with the x509 endpoint" "me" "$out"
ok "p12 key" gcloud iam service-accounts keys create key.p12 --key-file-type=p12 --iam-account="$SA"
ok "p12 opens with Google's password" openssl pkcs12 -in key.p12 -passin pass:notasecret -nodes -noout

# --- signing in with the key ---------------------------------------------------------
ok "activate-service-account with the key file" gcloud auth activate-service-account --key-file=key.json
out=$(gcloud iam service-accounts describe "$SA" --account="$SA" 2>&1)
has "as the SA, without a role: 403 naming the permission" \
	"PERMISSION_DENIED: Permission 'iam.serviceAccounts.get' denied on resource (or it may not exist)." "$out"
has "... with IAM's ErrorInfo" "reason: IAM_PERMISSION_DENIED" "$out"
ok "admin grants serviceAccountViewer on the SA itself" gcloud iam service-accounts add-iam-policy-binding "$SA" \
	--account="$ADMIN" --role=roles/iam.serviceAccountViewer --member="serviceAccount:$SA"
eq "as the SA, with the role: allowed" "$SA" "$(gcloud iam service-accounts describe "$SA" --account="$SA" --format='value(email)' 2>&1)"
out=$(gcloud iam service-accounts list --account="$SA" 2>&1)
has "a grant on the SA does not reach the project" "Permission 'iam.serviceAccounts.list' denied" "$out"
SA_TOKEN=$(gcloud auth print-access-token --account="$SA" 2>/dev/null)
gcloud config set account "$ADMIN" >/dev/null 2>&1
# the admin's token once for every curl below (api would start gcloud for it each call)
API_TOKEN=$(gcloud_token)
export API_TOKEN

# --- roles -------------------------------------------------------------------------
out=$(gcloud iam roles describe roles/container.viewer 2>&1)
has "roles describe: name" "name: roles/container.viewer" "$out"
has "roles describe: permissions" "- container.clusters.get" "$out"
out=$(gcloud iam roles describe roles/nope.nothing 2>&1)
has "roles describe of an unknown role" "The role named roles/nope.nothing was not found." "$out"
out=$(gcloud iam roles list --format='value(name)' 2>&1)
has "roles list" "roles/iam.workloadIdentityUser" "$out"
out=$(gcloud iam list-grantable-roles "//iam.googleapis.com/projects/$P/serviceAccounts/$SA" --format='value(name)' 2>&1)
has "grantable on a SA: workloadIdentityUser" "roles/iam.workloadIdentityUser" "$out"
hasnt "grantable on a SA: not container.viewer" "roles/container.viewer" "$out"

# --- bad input (curl) --------------------------------------------------------------
r=$(api POST "$SAPATH" '{"accountId": ')
eq "malformed JSON: 400" "400" "$(code "$r")"
has "malformed JSON: Google's text" "Invalid JSON payload received." "$r"
r=$(api POST "$SAPATH" '{"accountId":"abc"}')
eq "short accountId: 400" "400" "$(code "$r")"
has "short accountId: Google's text" 'The account ID \"abc\" does not have a length between 6 and 30.' "$r"
r=$(api POST "$SAPATH" '{"accountId":"Bad_Name_1"}')
eq "accountId with bad characters: 400" "400" "$(code "$r")"
r=$(api POST "$SAPATH" '{"accountId":5}')
eq "accountId of the wrong type: 400" "400" "$(code "$r")"
has "wrong type: names the field" "Invalid value at 'account_id' (TYPE_STRING), 5" "$r"
# A list for a single field: Google's parser text (seen from Google APIs, e.g.
# openai/openai-agents-js#34: 'Unknown name "text" at ...: Proto field is not repeating').
r=$(api POST "$SAPATH" '{"accountId":["app-gsa2"]}')
eq "accountId as a list: 400" "400" "$(code "$r")"
has "a list: Google's text" 'Unknown name \"accountId\": Proto field is not repeating, cannot start list.' "$r"
r=$(api POST "$SAPATH" '{"accountId":"app-gsa-3","serviceAccount":{"displayName":12}}')
eq "displayName of the wrong type: 400" "400" "$(code "$r")"
r=$(api POST "$SAPATH" "{\"accountId\":\"app-gsa-3\",\"serviceAccount\":{\"displayName\":\"$(printf 'x%.0s' $(seq 101))\"}}")
eq "displayName over 100 bytes: 400" "400" "$(code "$r")"
r=$(api POST "$SAPATH" '{"accountId":"app-gsa"}')
eq "duplicate: 409" "409" "$(code "$r")"
has "duplicate: Google's text" "Service account app-gsa already exists within project projects/$P." "$r"
has "duplicate: ALREADY_EXISTS" '"status": "ALREADY_EXISTS"' "$r"
r=$(api GET "$SAPATH/nobody-here@$P.iam.gserviceaccount.com")
eq "unknown SA: 404" "404" "$(code "$r")"
has "unknown SA: NOT_FOUND" '"status": "NOT_FOUND"' "$r"
r=$(api GET "/iam/v1/projects/-/serviceAccounts/fake@example.com")
eq "unknown SA of no project, via '-': 403 as Google" "403" "$(code "$r")"
r=$(API_TOKEN=$SA_TOKEN api POST "$SAPATH" '{"accountId":"sneaky-sa"}')
eq "missing permission: 403" "403" "$(code "$r")"
has "missing permission: names it" "Permission 'iam.serviceAccounts.create' denied on resource (or it may not exist)." "$r"
has "missing permission: ErrorInfo" '"reason": "IAM_PERMISSION_DENIED"' "$r"
r=$(API_TOKEN=forged api GET "$SAPATH")
eq "forged token: 401" "401" "$(code "$r")"
r=$(api POST "/iam/v1/projects/-/serviceAccounts/$SA:setIamPolicy" '{"policy":{"etag":"BwAAAAAAAAE=","bindings":[]}}')
eq "stale etag: 409" "409" "$(code "$r")"
has "stale etag: Google's text" "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff." "$r"
r=$(api POST "/iam/v1/projects/-/serviceAccounts/$SA:setIamPolicy" '{"policy":"all"}')
eq "policy of the wrong type: 400" "400" "$(code "$r")"
r=$(api POST "/iam/v1/projects/-/serviceAccounts/$SA:testIamPermissions" '{"permissions":["iam.serviceAccounts.get","x.y.z"]}')
eq "testIamPermissions returns what is held" "['iam.serviceAccounts.get']" "$(jget "$r" 'j["permissions"]')"
r=$(api GET "$SAPATH?pageSize=-4")
eq "bad pageSize: 400" "400" "$(code "$r")"
r=$(api GET "$SAPATH?pageToken=!!")
eq "bad pageToken: 400" "400" "$(code "$r")"
r=$(api GET "/iam/v1/projects/-/serviceAccounts/$SA/keys/0123")
eq "unknown key: 404" "404" "$(code "$r")"
r=$(api GET "/iam/v1/projects/-/serviceAccounts/$SA/keys?keyTypes=BOGUS")
eq "bad keyTypes: 400" "400" "$(code "$r")"
r=$(api POST "/iam/v1/projects/-/serviceAccounts/$SA/keys" '{"privateKeyType":"TYPE_PEM"}')
eq "bad privateKeyType: 400" "400" "$(code "$r")"
r=$(api GET "/iam/v1/roles/a/b")
eq "malformed role name: 400" "400" "$(code "$r")"
long=$(head -c 3000 /dev/zero | tr '\0' a)
r=$(api GET "$SAPATH/$long@$P.iam.gserviceaccount.com")
eq "overlong SA id: 404, no crash" "404" "$(code "$r")"
r=$(api GET "/iam/v1/projects/$long/serviceAccounts/$SA")
eq "overlong project: 403, no crash" "403" "$(code "$r")"
r=$(api GET "/service_accounts/v1/metadata/jwk/nobody@$P.iam.gserviceaccount.com")
eq "jwk of an unknown SA: 404" "404" "$(code "$r")"

# --- deleting keys and accounts -------------------------------------------------------
ok "keys delete" gcloud iam service-accounts keys delete "$KID" --iam-account="$SA"
# what a change left is read back with curl (gcloud's view of each call is asserted above)
out=$(api GET "$SAPATH/$SA/keys?keyTypes=USER_MANAGED")
eq "deleted key is gone" "200 False" "$(code "$out") $(jget "$out" "any(k['name'].endswith('/$KID') for k in j.get('keys', []))")"
ok "delete the SA" gcloud iam service-accounts delete "$SA"
out=$(api GET "$SAPATH/$SA")
eq "deleted SA: NOT_FOUND" "404 NOT_FOUND: Unknown service account" "$(code "$out") $(jget "$out" 'j["error"]["status"] + ": " + j["error"]["message"]')"
ok "re-create under the same name" gcloud iam service-accounts create app-gsa
out=$(api POST "$SAPATH/$SA:getIamPolicy")
eq "its policy did not survive" "200 {'etag': 'ACAB'}" "$(code "$out") $(jget "$out" j)"
out=$(api GET "$SAPATH/$SA/keys?keyTypes=USER_MANAGED")
eq "nor did its keys" "200 []" "$(code "$out") $(jget "$out" 'j.get("keys", [])')"
neq_uid=$(field "$(api GET "$SAPATH/$SA")" "['uniqueId']")
[ -n "$neq_uid" ] && [ "$neq_uid" != "$UID_" ] && pass "a new unique ID" || fail "a new unique ID" "$neq_uid"

finish
