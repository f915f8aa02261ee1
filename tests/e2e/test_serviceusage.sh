#!/bin/sh
# test_serviceusage.sh - Service Usage v1 through the real gcloud and curl: services list,
# enable (one and several), disable (with and without dependents), get, batchGet,
# operations, Google's operation shapes, and bad input that must change nothing.
. "$(dirname "$0")/lib.sh"
gkeid_up

P=demo-project
SU=/serviceusage/v1/projects/$P/services
ADMIN_TOKEN=$(gcloud_token)
export API_TOKEN=$ADMIN_TOKEN
NUM=$(jget "$(api GET /cloudresourcemanager/v1/projects/$P)" 'j["projectNumber"]')

enabled() { gcloud services list --enabled --format='value(config.name)' 2>/dev/null | sort | tr '\n' ' '; }
# the same through the API, for state read back after a change (gcloud starts in a
# second or more; its listing is asserted above and below)
enabled_api() {
	jget "$(api GET "$SU?filter=state:ENABLED&pageSize=200")" \
		'"".join(n + " " for n in sorted(s["config"]["name"] for s in j.get("services", [])))'
}

# --- demo state and the seed's command ---------------------------------------------------
list=$(enabled)
for s in iamcredentials sts container iam; do
	has "$s is enabled in the demo project" "$s.googleapis.com" "$list"
done
out=$(gcloud services list --enabled 2>&1)
has "list --enabled shows titles" "IAM Service Account Credentials API" "$out"
ok "services enable iamcredentials (already enabled)" gcloud services enable iamcredentials.googleapis.com
out=$(api POST "$SU/iamcredentials.googleapis.com:enable" '{}')
eq "enabling an enabled service: Google's no-op operation, exactly" \
	'{"name": "operations/noop.DONE_OPERATION", "done": true}' "$(jget "$out" 'json.dumps(j)')"

# --- disable, enable, operations ---------------------------------------------------------
SA=nobody@$P.iam.gserviceaccount.com
# (the account and its key made with curl: gcloud's runs of those are test_iamapi's)
eq "create a service account" 200 "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"nobody"}')")"
field "$(api POST "/iam/v1/projects/$P/serviceAccounts/$SA/keys" '{}')" "['privateKeyData']" | base64 -d >"$T_TMP/nobody.json"
eq "create its key" "service_account $SA" "$(jget "$(cat "$T_TMP/nobody.json")" 'j["type"] + " " + j["client_email"]')"
ok "services disable iamcredentials" gcloud services disable iamcredentials.googleapis.com
eq "it is no longer listed as enabled" "" "$(enabled_api | grep -o 'iamcredentials.googleapis.com')"
out=$(api GET "$SU/iamcredentials.googleapis.com")
eq "services.get shows DISABLED" DISABLED "$(jget "$out" 'j["state"]')"
out=$(api POST "/iamcredentials/v1/projects/-/serviceAccounts/$SA:generateAccessToken" \
	'{"scope":["https://www.googleapis.com/auth/cloud-platform"]}')
eq "a call to the disabled API: 403" 403 "$(code "$out")"
has "a call to the disabled API: SERVICE_DISABLED" SERVICE_DISABLED "$out"
out=$(api POST "$SU/iamcredentials.googleapis.com:disable" '{}')
eq "disabling a disabled service: no-op" "operations/noop.DONE_OPERATION True" \
	"$(jget "$out" 'j["name"] + " " + str(j["done"])')"

out=$(api POST "$SU/iamcredentials.googleapis.com:enable" '{}')
eq "enable: 200" 200 "$(code "$out")"
eq "enable: a finished operation with EnableServiceResponse" \
	"True type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse ENABLED projects/$NUM/services/iamcredentials.googleapis.com" \
	"$(jget "$out" 'str(j["done"]) + " " + j["response"]["@type"] + " " + j["response"]["service"]["state"] + " " + j["response"]["service"]["name"]')"
OP=$(jget "$out" 'j["name"]')
# Google's namespace for them, which gcloud polls at Service Usage (acf. it would poll at
# serviceconsumermanagement.googleapis.com, out of gkeid's reach).
case "$OP" in operations/acat.p2-$NUM-*-4*) pass "operation name is operations/acat.p2-NUM-UUID" ;; *) fail "operation name is operations/acat.p2-NUM-UUID" "$OP" ;; esac
out2=$(api GET "/serviceusage/v1/$OP")
eq "operations.get returns the same operation" "$(jget "$out" 'json.dumps(j, sort_keys=True)')" \
	"$(jget "$out2" 'json.dumps(j, sort_keys=True)')"
out=$(api GET "/serviceusage/v1/operations/acat.p2-$NUM-00000000-0000-4000-8000-000000000000")
eq "an unknown operation: 404" 404 "$(code "$out")"
has "iamcredentials is enabled again" "iamcredentials.googleapis.com" "$(enabled_api)"

ok "services enable pubsub (gcloud)" gcloud services enable pubsub.googleapis.com
has "pubsub is enabled" "pubsub.googleapis.com" "$(enabled_api)"
ok "services enable two at once (batchEnable)" gcloud services enable secretmanager.googleapis.com logging.googleapis.com
list=$(enabled_api)
has "batchEnable enabled secretmanager" "secretmanager.googleapis.com" "$list"
has "batchEnable enabled logging" "logging.googleapis.com" "$list"
out=$(api POST "$SU:batchEnable" '{"serviceIds":["monitoring.googleapis.com","pubsub.googleapis.com"]}')
eq "batchEnable: BatchEnableServicesResponse with both" \
	"type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse 2" \
	"$(jget "$out" 'j["response"]["@type"] + " " + str(len(j["response"]["services"]))')"
out=$(api GET "$SU:batchGet?names=projects/$P/services/pubsub.googleapis.com&names=projects/$NUM/services/dns.googleapis.com")
eq "batchGet" "ENABLED DISABLED" "$(jget "$out" '" ".join(s["state"] for s in j["services"])')"
ok "services disable pubsub" gcloud services disable pubsub.googleapis.com
hasnt "pubsub is disabled" "pubsub.googleapis.com" "$(enabled_api)"

# Dependencies: container needs compute.
ok "enable container's dependency compute" gcloud services enable compute.googleapis.com
out=$(gcloud services disable compute.googleapis.com 2>&1)
has "compute cannot be disabled while container uses it" "is depended on by the following active service(s): container.googleapis.com" "$out"
has "  ... with Google's reason" COMMON_SU_SERVICE_HAS_DEPENDENT_SERVICES "$out"
has "compute is still enabled" "compute.googleapis.com" "$(enabled_api)"
ok "disable --force disables the dependents too" gcloud services disable compute.googleapis.com --force
list=$(enabled_api)
hasnt "compute is disabled" "compute.googleapis.com" "$list"
hasnt "container went with it" "container.googleapis.com" "$list"
ok "enabling container again" gcloud services enable container.googleapis.com
list=$(enabled_api)
has "container is enabled" "container.googleapis.com" "$list"
has "and compute with it" "compute.googleapis.com" "$list"

# --- listing -----------------------------------------------------------------------------
out=$(api GET "$SU?filter=state:ENABLED&pageSize=2")
eq "a page of 2" 2 "$(jget "$out" 'len(j["services"])')"
TOK=$(jget "$out" 'j["nextPageToken"]')
out=$(api GET "$SU?filter=state:ENABLED&pageSize=2&pageToken=$TOK")
eq "the next page follows the first" 1 \
	"$(jget "$out" 'int(j["services"][0]["config"]["name"] > "'"$TOK"'")')"
eq "paging with gcloud finds as many as one page" \
	"$(enabled_api | wc -w)" \
	"$(gcloud services list --enabled --page-size=1 --format='value(config.name)' 2>/dev/null | wc -l)"
out=$(gcloud services list --available --format='value(config.name)' 2>&1)
has "list --available shows disabled services" "dns.googleapis.com" "$out"
out=$(api GET "$SU?filter=state:DISABLED")
eq "filter state:DISABLED shows only disabled ones" "DISABLED" \
	"$(jget "$out" '" ".join(sorted(set(s["state"] for s in j["services"])))')"

# --- bad input ---------------------------------------------------------------------------
before=$(enabled_api)
out=$(gcloud services enable nosuch.googleapis.com 2>&1)
has "an unknown service: Google's text" "Not found or permission denied for service(s): nosuch.googleapis.com." "$out"
has "an unknown service: Google's reason" SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED "$out"
out=$(api POST "$SU/nosuch.googleapis.com:enable" '{}')
eq "an unknown service: 403" 403 "$(code "$out")"
out=$(api GET "$SU/nosuch.googleapis.com")
eq "services.get of an unknown service: 403" 403 "$(code "$out")"
out=$(api POST "$SU/pubsub.googleapis.com:enable" '{"oops"')
eq "malformed JSON: 400" 400 "$(code "$out")"
out=$(api POST "$SU/compute.googleapis.com:disable" '{"disableDependentServices":"yes"}')
eq "disableDependentServices of the wrong type: 400" 400 "$(code "$out")"
has "the wrong type is named" "disable_dependent_services" "$out"
out=$(api POST "$SU/compute.googleapis.com:disable" '{"checkIfServiceHasUsage":"MAYBE"}')
eq "checkIfServiceHasUsage out of its enum: 400" 400 "$(code "$out")"
out=$(api POST "$SU:batchEnable" '{"serviceIds":"pubsub.googleapis.com"}')
eq "serviceIds of the wrong type: 400" 400 "$(code "$out")"
out=$(api POST "$SU:batchEnable" '{"serviceIds":[1]}')
eq "a serviceId of the wrong type: 400" 400 "$(code "$out")"
out=$(api POST "$SU:batchEnable" '{"serviceIds":[]}')
eq "no serviceIds: 400" 400 "$(code "$out")"
out=$(api POST "$SU/pubsub.googleapis.com:enable" '{"force":true}')
eq "an unknown field: 400" 400 "$(code "$out")"
out=$(api GET "$SU?filter=state:SOMETIMES")
eq "an unsupported filter: 400" 400 "$(code "$out")"
out=$(api GET "$SU?pageSize=-3")
eq "a negative pageSize: 400" 400 "$(code "$out")"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T_TMP/big.json"
out=$(curl -sS -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/big.json" -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$SU/pubsub.googleapis.com:enable")
eq "a body over 1 MiB: 413" 413 "$(code "$out")"
out=$(curl -sS -X POST -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$SU/pubsub.googleapis.com:enable")
eq "no token: 401" 401 "$(code "$out")"
eq "no token: UNAUTHENTICATED for serviceusage" "UNAUTHENTICATED serviceusage.googleapis.com" \
	"$(jget "$out" 'j["error"]["status"] + " " + j["error"]["details"][0]["metadata"]["service"]')"
out=$(API_TOKEN=ya29.not-a-token api POST "$SU/pubsub.googleapis.com:enable" '{}')
eq "forged token: 401" 401 "$(code "$out")"
eq "bad input changed nothing" "$before" "$(enabled_api)"

# --- a caller without permission ---------------------------------------------------------
cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-nobody"
NB="env CLOUDSDK_CONFIG=$T_TMP/gcloud-nobody"
ok "activate it in a second gcloud config" $NB gcloud auth activate-service-account --key-file="$T_TMP/nobody.json"
NOBODY_TOKEN=$($NB gcloud auth print-access-token 2>/dev/null)
out=$($NB gcloud services enable pubsub.googleapis.com 2>&1)
has "enable without permission: Google's text" "Permission denied to enable service [pubsub.googleapis.com]" "$out"
has "enable without permission names it" "serviceusage.services.enable" "$out"
out=$(API_TOKEN=$NOBODY_TOKEN api POST "$SU/iamcredentials.googleapis.com:disable" '{}')
eq "disable without permission: 403" 403 "$(code "$out")"
eq "that 403 names the permission" serviceusage.services.disable \
	"$(jget "$out" 'j["error"]["details"][0]["metadata"]["permission"]')"
out=$(API_TOKEN=$NOBODY_TOKEN api GET "$SU")
eq "list without permission: 403" 403 "$(code "$out")"
has "list without permission: Google's text" "Permission denied to list services for consumer container [projects/$NUM]" "$out"
out=$(API_TOKEN=$NOBODY_TOKEN api GET "/serviceusage/v1/$OP")
eq "operations.get without permission: 403" 403 "$(code "$out")"
eq "refused calls changed nothing" "$before" "$(enabled_api)"
ok "grant it roles/serviceusage.serviceUsageConsumer" grant projects/$P serviceAccount:$SA roles/serviceusage.serviceUsageConsumer
out=$($NB gcloud services list --enabled --format='value(config.name)' 2>&1)
has "as a consumer it may list" "iamcredentials.googleapis.com" "$out"
eq "as a consumer it still may not enable" 403 "$(code "$(API_TOKEN=$NOBODY_TOKEN api POST "$SU/pubsub.googleapis.com:enable" '{}')")"

finish
