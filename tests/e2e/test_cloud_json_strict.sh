#!/bin/bash
# test_cloud_json_strict.sh - issue 9: JSON bodies are parsed as Google parses them, and
# domain: members reach users only.
#
# The attack: setIamPolicy {"policy":{"etag":E,"Bindings":[...]}} (or "bindigs") answered
# 200 with an empty policy and locked everyone out, the owner included. Google answers 400
# INVALID_ARGUMENT "Invalid JSON payload received. Unknown name "Bindings" at 'policy':
# Cannot find field." with a google.rpc.BadRequest field violation, and changes nothing.
# The exact bodies asserted here follow the replies Google's front end gives (quoted in
# tests/unit/cloud/test_jsonschema.c). Every API's JSON bodies get the same parser: one
# bad body per API below, and the normal path through the real gcloud.
#
# domain:D: Google's "domain:{domain}" is "the users of that domain"
# (google/iam/v1/policy.proto), so roles/viewer granted to domain:iam.gserviceaccount.com
# or to a project's service-account domain gives a service account nothing (403), while a
# user of a granted domain is let in.
. "$(dirname "$0")/lib.sh"

P=demo-project
D=dom-project
{
	cat "$ROOT/data/demo.yaml"
	cat <<EOF
  - projectId: $D
    projectNumber: "223456789012"
    name: Domain Project
    services:
      - cloudresourcemanager.googleapis.com
      - iam.googleapis.com
    iamPolicy:
      bindings:
        - role: roles/viewer
          members:
            - domain:example.com
            - domain:iam.gserviceaccount.com
            - domain:$P.iam.gserviceaccount.com
EOF
} >"$T_TMP/state.yaml"
gkeid_up --state "$T_TMP/state.yaml"
cd "$T_TMP" || exit 1
CRM=/cloudresourcemanager/v1/projects/$P
export API_TOKEN=$(gcloud_token)

code() { printf '%s\n' "$1" | tail -n 1 | sed 's/^HTTP //'; }
body() { printf '%s\n' "$1" | sed '$d'; }
# jeq NAME EXPECTED_JSON REPLY: the reply's body is that JSON document (any key order).
jeq() {
	d=$(body "$3" | "$GCLOUD_PY" -c '
import json, sys
want = json.loads(sys.argv[1])
got = json.load(sys.stdin)
if got != want:
    print("expected: " + json.dumps(want, sort_keys=True))
    print("actual:   " + json.dumps(got, sort_keys=True))
' "$2" 2>&1)
	if [ -z "$d" ]; then pass "$1"; else fail "$1" "$d"; fi
}
# bad MESSAGE [FIELD]: Google's 400 for one field violation.
bad() {
	"$GCLOUD_PY" -c '
import json, sys
fv = {"description": sys.argv[1]}
if len(sys.argv) > 2: fv = {"field": sys.argv[2], "description": sys.argv[1]}
print(json.dumps({"error": {"code": 400, "message": sys.argv[1], "status": "INVALID_ARGUMENT",
      "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [fv]}]}}))
' "$@"
}
# the project's policy as getIamPolicy returns it (read with curl: gcloud's normal path
# is tested at the end)
policy() { body "$(api POST "$CRM:getIamPolicy" '{"options":{"requestedPolicyVersion":3}}')"; }

# --- the attack on the project policy ------------------------------------------------------
ETAG=$(policy | "$GCLOUD_PY" -c 'import json,sys; print(json.load(sys.stdin)["etag"])')
before=$(policy)
out=$(api POST "$CRM:setIamPolicy" "{\"policy\":{\"etag\":\"$ETAG\",\"Bindings\":[{\"role\":\"roles/viewer\",\"members\":[\"user:x@example.com\"]}]}}")
eq "project setIamPolicy with \"Bindings\": 400" 400 "$(code "$out")"
jeq "project setIamPolicy with \"Bindings\": Google's body" \
	"$(bad "Invalid JSON payload received. Unknown name \"Bindings\" at 'policy': Cannot find field." policy)" "$out"
out=$(api POST "$CRM:setIamPolicy" "{\"policy\":{\"etag\":\"$ETAG\",\"bindigs\":[]}}")
jeq "project setIamPolicy with \"bindigs\": Google's body" \
	"$(bad "Invalid JSON payload received. Unknown name \"bindigs\" at 'policy': Cannot find field." policy)" "$out"
eq "the policy is unchanged" "$before" "$(policy)"
ok "the owner still reads the project" gcloud projects describe $P

# Several problems: all of them, in document order, joined by a newline.
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"bindings":[{"role":"roles/viewer","member":["user:x@example.com"]}]},"resource":"x"}')
m1="Invalid JSON payload received. Unknown name \"member\" at 'policy.bindings[0]': Cannot find field."
m2='Invalid JSON payload received. Unknown name "resource": Cannot find field.'
jeq "two unknown names: both reported" "$("$GCLOUD_PY" -c '
import json, sys
print(json.dumps({"error": {"code": 400, "message": sys.argv[1] + "\n" + sys.argv[2], "status": "INVALID_ARGUMENT",
      "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [
      {"field": "policy.bindings[0]", "description": sys.argv[1]}, {"description": sys.argv[2]}]}]}}))
' "$m1" "$m2")" "$out"
# Values of the wrong kind.
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"bindings":"x"}}')
jeq "bindings as a string: Google's body" \
	"$(bad "Invalid value at 'policy.bindings' (type.googleapis.com/google.iam.v1.Binding), \"x\"" policy.bindings)" "$out"
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"version":"three"}}')
jeq "version as a word: Google's body" \
	"$(bad "Invalid value at 'policy.version' (TYPE_INT32), \"three\"" policy.version)" "$out"
out=$(api POST "$CRM:setIamPolicy" '{"policy":[]}')
jeq "policy as a list: Google's body" \
	"$(bad 'Invalid JSON payload received. Unknown name "policy": Proto field is not repeating, cannot start list.')" "$out"
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"etag":{}}}')
jeq "an object for the etag: Google's body" \
	"$(bad "Invalid value at 'policy' (etag), Starting an object on a scalar field" policy)" "$out"
eq "still unchanged after every bad body" "$before" "$(policy)"

# The proto (snake_case) names are Google's too.
out=$(api POST "$CRM:getIamPolicy" '{"options":{"requested_policy_version":3}}')
eq "getIamPolicy with requested_policy_version: 200" 200 "$(code "$out")"
out=$(api POST "$CRM:setIamPolicy" "{\"policy\":$(policy),\"update_mask\":\"bindings,etag\"}")
eq "setIamPolicy with update_mask: 200" 200 "$(code "$out")"

# --- the same on a service account's policy ------------------------------------------------
ok "gcloud creates a service account" gcloud iam service-accounts create dom-sa
SA=dom-sa@$P.iam.gserviceaccount.com
ok "gcloud grants on it (normal path)" gcloud iam service-accounts add-iam-policy-binding "$SA" \
	--role=roles/iam.serviceAccountUser --member=user:admin@example.com
SAP=/iam/v1/projects/$P/serviceAccounts/$SA
sa_policy() { body "$(api POST "$SAP:getIamPolicy")"; }
sa_before=$(sa_policy)
out=$(api POST "$SAP:setIamPolicy" '{"policy":{"Bindings":[]}}')
jeq "SA setIamPolicy with \"Bindings\": Google's body" \
	"$(bad "Invalid JSON payload received. Unknown name \"Bindings\" at 'policy': Cannot find field." policy)" "$out"
out=$(api POST "$SAP:setIamPolicy" '{"policy":{"bindigs":[{"role":"roles/iam.serviceAccountUser"}]}}')
jeq "SA setIamPolicy with \"bindigs\": Google's body" \
	"$(bad "Invalid JSON payload received. Unknown name \"bindigs\" at 'policy': Cannot find field." policy)" "$out"
eq "the SA's policy is unchanged" "$sa_before" "$(sa_policy)"
ok "gcloud removes the grant (normal path)" gcloud iam service-accounts remove-iam-policy-binding "$SA" \
	--role=roles/iam.serviceAccountUser --member=user:admin@example.com

# --- one bad body per API --------------------------------------------------------------------
out=$(api POST "$CRM:getAncestry" '{"name":"x"}')
jeq "crm getAncestry" "$(bad 'Invalid JSON payload received. Unknown name "name": Cannot find field.')" "$out"
out=$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"dom-sa-2","serviceAccount":{"displayname":"x"}}')
jeq "iam serviceAccounts.create" "$(bad "Invalid JSON payload received. Unknown name \"displayname\" at 'service_account': Cannot find field." service_account)" "$out"
eq "  ...and nothing was created" 404 "$(code "$(api GET "/iam/v1/projects/$P/serviceAccounts/dom-sa-2@$P.iam.gserviceaccount.com")")"
out=$(api POST "$SAP/keys" '{"privateKeyType":"TYPE_JSON"}')
jeq "iam keys.create: an unknown enum value" "$(bad "Invalid value at 'private_key_type' (type.googleapis.com/google.iam.admin.v1.ServiceAccountPrivateKeyType), \"TYPE_JSON\"" private_key_type)" "$out"
out=$(api POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:generateAccessToken" '{"scope":["https://www.googleapis.com/auth/cloud-platform"],"lifetim":"60s"}')
jeq "iamcredentials generateAccessToken" "$(bad 'Invalid JSON payload received. Unknown name "lifetim": Cannot find field.')" "$out"
out=$(api POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:signBlob" '{"payload":"%%%"}')
jeq "iamcredentials signBlob: bytes that are not base64" "$(bad "Invalid value at 'payload' (TYPE_BYTES), Base64 decoding failed for \"%%%\"" payload)" "$out"
out=$(api POST "/serviceusage/v1/projects/$P/services/pubsub.googleapis.com:enable" '{"force":true}')
jeq "serviceusage enable" "$(bad 'Invalid JSON payload received. Unknown name "force": Cannot find field.')" "$out"
out=$(api POST "/serviceusage/v1/projects/$P/services/pubsub.googleapis.com:disable" '{"disableDependentServices":"yes"}')
jeq "serviceusage disable: a bool of the wrong kind" "$(bad "Invalid value at 'disable_dependent_services' (TYPE_BOOL), \"yes\"" disable_dependent_services)" "$out"
out=$(api POST "/container/v1/projects/$P/locations/us-central1/clusters" '{"cluster":{"name":"c2","nodePools":[{"name":"p","config":{"machineType":"e2-medium","oauthScope":["x"]}}]}}')
jeq "container clusters.create: deep in a node pool" "$(bad "Invalid JSON payload received. Unknown name \"oauthScope\" at 'cluster.node_pools[0].config': Cannot find field." "cluster.node_pools[0].config")" "$out"
eq "  ...and no cluster was made" 404 "$(code "$(api GET "/container/v1/projects/$P/locations/us-central1/clusters/c2")")"
out=$(api POST "/container/v1/projects/$P/locations/us-central1/clusters" '{"cluster":{"name":"c3","resourceLabels":{"a":"1","b":2}}}')
jeq "container clusters.create: a map value of the wrong kind" "$(bad "Invalid value at 'cluster.resource_labels[1].value' (TYPE_STRING), 2" "cluster.resource_labels[1].value")" "$out"
out=$(api PUT "/container/v1/projects/$P/locations/us-central1/clusters/demo-cluster" '{"update":{"desiredLocation":["us-central1-a"]}}')
jeq "container clusters.update" "$(bad "Invalid JSON payload received. Unknown name \"desiredLocation\" at 'update': Cannot find field." update)" "$out"
# STS answers in OAuth's error shape, with Google's parser text.
out=$(curl -sS -H 'Content-Type: application/json' --data-binary '{"grantType":"urn:ietf:params:oauth:grant-type:token-exchange","subjectTokn":"x"}' \
	-w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL/sts/v1/token")
jeq "sts token (JSON)" '{"error":"invalid_request","error_description":"Invalid JSON payload received. Unknown name \"subjectTokn\": Cannot find field."}' "$out"

# --- the normal path is untouched: gcloud's own requests -------------------------------------
ok "gcloud add-iam-policy-binding" gcloud projects add-iam-policy-binding $P \
	--member=user:x@example.com --role=roles/viewer --condition=None
has "  ...the binding is there" "user:x@example.com" "$(policy)"
ok "gcloud remove-iam-policy-binding" gcloud projects remove-iam-policy-binding $P \
	--member=user:x@example.com --role=roles/viewer
ok "gcloud iam service-accounts update" gcloud iam service-accounts update "$SA" --display-name="Dom SA"
ok "gcloud services enable" gcloud services enable pubsub.googleapis.com

# --- domain: reaches users, not service accounts ----------------------------------------------
ok "a user of example.com reads $D through domain:example.com" gcloud projects describe $D
ok "a key for the service account" gcloud iam service-accounts keys create key.json --iam-account="$SA"
ok "gcloud activates the service account" gcloud auth activate-service-account --key-file=key.json
SA_TOKEN=$(gcloud auth print-access-token "$SA" 2>/dev/null)
gcloud config set account admin@example.com >/dev/null 2>&1
out=$(API_TOKEN=$SA_TOKEN api GET "/cloudresourcemanager/v1/projects/$D")
eq "the service account gets 403 despite domain:iam.gserviceaccount.com and domain:$P.iam.gserviceaccount.com" \
	403 "$(code "$out")"
has "  ...with Resource Manager's text" '"message": "The caller does not have permission"' "$out"
out=$(api GET "/cloudresourcemanager/v1/projects/$D")
eq "the admin (a user of example.com) gets 200" 200 "$(code "$out")"

finish
