#!/bin/bash
# test_sa_undelete_upload.sh - service accounts' undelete and uploaded keys
# (src/cloud/saextra.c, issue 14): `gcloud iam service-accounts undelete UNIQUE_ID`
# restores a deleted account with its grants (the deleted:serviceAccount:E?uid=U members
# revert, google.iam.v1.Binding), an unknown ID is PERMISSION_DENIED as gcloud's help
# says; `gcloud iam service-accounts keys upload CERT` adds a USER_PROVIDED key whose
# private half (kept by the user) then signs assertions the token endpoint accepts.
. "$(dirname "$0")/lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
gkeid_up
P=$GKEID_PROJECT
SA=old-sa@$P.iam.gserviceaccount.com
API_TOKEN=$(gcloud_token)
export API_TOKEN
CRM=/cloudresourcemanager/v1/projects/$P
out=$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"old-sa"}')
eq "make old-sa" "200" "$(code "$out")"
UID_=$(field "$out" "['uniqueId']")
pol=$(api POST "$CRM:getIamPolicy" '{}')
new=$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); j["bindings"].append({"role":"roles/viewer","members":["serviceAccount:"+sys.argv[2]]}); print(json.dumps({"policy":j}))' "$(body "$pol")" "$SA")
eq "grant it roles/viewer" "200" "$(code "$(api POST "$CRM:setIamPolicy" "$new")")"
eq "delete it" "200" "$(code "$(api DELETE "/iam/v1/projects/$P/serviceAccounts/$SA")")"
has "its grant shows it deleted" "deleted:serviceAccount:$SA?uid=$UID_" "$(api POST "$CRM:getIamPolicy" '{}')"
out=$(gcloud iam service-accounts undelete "$UID_" --format='value(restoredAccount.email)' 2>&1)
eq "gcloud iam service-accounts undelete UNIQUE_ID" "$SA" "$out"
eq "the account is back" "200" "$(code "$(api GET "/iam/v1/projects/$P/serviceAccounts/$SA")")"
out=$(api POST "$CRM:getIamPolicy" '{}')
has "... and so is its grant" "\"serviceAccount:$SA\"" "$out"
hasnt "... no longer shown deleted" "deleted:serviceAccount:$SA" "$out"
out=$(api POST "/iam/v1/projects/-/serviceAccounts/$UID_:undelete" '{}')
eq "undelete again (nothing deleted): PERMISSION_DENIED" "403 PERMISSION_DENIED" "$(code "$out") $(field "$out" "['error']['status']")"
eq "an unknown unique ID: PERMISSION_DENIED" "403" \
	"$(code "$(api POST "/iam/v1/projects/-/serviceAccounts/123456789012345678901:undelete" '{}')")"
api DELETE "/iam/v1/projects/$P/serviceAccounts/$SA" >/dev/null
eq "a new account takes the name" "200" "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"old-sa"}')")"
eq "then the old one cannot come back: 409" "409" \
	"$(code "$(api POST "/iam/v1/projects/-/serviceAccounts/$UID_:undelete" '{}')")"

# -- keys upload
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/k.pem" -out "$T_TMP/c.pem" -days 30 \
	-subj /CN=unused 2>/dev/null
out=$(gcloud iam service-accounts keys upload "$T_TMP/c.pem" --iam-account="$SA" --format=json 2>&1)
KID=$(field "$out" "['name'].rsplit('/', 1)[1]")
eq "gcloud iam service-accounts keys upload: a USER_PROVIDED, USER_MANAGED key" \
	"USER_PROVIDED USER_MANAGED KEY_ALG_RSA_2048" \
	"$(jget "$out" "' '.join([j['keyOrigin'], j['keyType'], j['keyAlgorithm']])")"
has "... valid until the certificate's end" "$(date -u -d '+30 days' +%Y-%m-%d)" "$(field "$out" "['validBeforeTime']")"
has "it is listed" "$KID" "$(api GET "/iam/v1/projects/$P/serviceAccounts/$SA/keys")"
has "... and published" "$KID" "$(curl -sS "$GKEID_CLOUD_URL/service_accounts/v1/metadata/x509/$SA")"
eq "the same certificate again: 409" "409" "$(code "$(api POST "/iam/v1/projects/-/serviceAccounts/$SA/keys:upload" \
	"{\"publicKeyData\":\"$(base64 -w0 "$T_TMP/c.pem")\"}")")"
eq "not a certificate: 400" "400" "$(code "$(api POST "/iam/v1/projects/-/serviceAccounts/$SA/keys:upload" \
	'{"publicKeyData":"bm90IGEgY2VydA=="}')")"
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
h=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$KID" | b64url)
c=$(printf '{"iss":"%s","scope":"https://www.googleapis.com/auth/cloud-platform","aud":"%s/oauth2/token","iat":%s,"exp":%s}' \
	"$SA" "$GKEID_CLOUD_URL" "$now" $((now + 600)) | b64url)
s=$(printf '%s.%s' "$h" "$c" | openssl dgst -sha256 -sign "$T_TMP/k.pem" | b64url)
out=$(curl -sS -d "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=$h.$c.$s" "$GKEID_CLOUD_URL/oauth2/token")
has "an assertion signed with the uploaded key's private half gets a token" '"access_token": "ya29.' "$out"
finish
