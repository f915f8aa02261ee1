#!/bin/sh
# test_crm.sh - Resource Manager v1 through the real gcloud and curl: projects describe
# and list, get/add/remove IAM policy bindings (also ten at once), testIamPermissions,
# and bad input: malformed JSON, wrong types, oversized bodies, missing or forged tokens,
# missing permissions and stale etags, each of which must change nothing.
. "$(dirname "$0")/lib.sh"
gkeid_up

P=demo-project
CRM=/cloudresourcemanager/v1/projects/$P
ADMIN_TOKEN=$(gcloud_token)
export API_TOKEN=$ADMIN_TOKEN

# The policy as stored (etag included), to see that a refused call changed nothing:
# read with curl, as gcloud starts in a second or more.
policy_json() { body "$(api POST "$CRM:getIamPolicy" '{"options":{"requestedPolicyVersion":3}}')"; }

# --- the seed's commands, verbatim up to names ------------------------------------------
NUM=$(gcloud projects describe $P --format="value(projectNumber)" 2>&1)
case "$NUM" in '' | *[!0-9]*) fail "projects describe gives a project number" "$NUM" ;; *) pass "projects describe gives a project number ($NUM)" ;; esac
eq "describe by number finds the same project" "$P" \
	"$(gcloud projects describe "$NUM" --format='value(projectId)' 2>&1)"
eq "describe shows lifecycleState ACTIVE" "ACTIVE" \
	"$(gcloud projects describe $P --format='value(lifecycleState)' 2>&1)"

AGENT=$(gcloud projects get-iam-policy $P --flatten=bindings \
	--filter=bindings.role=roles/container.serviceAgent \
	--format="value[delimiter='\\n'](bindings.members)" 2>&1)
eq "service agent holds roles/container.serviceAgent" \
	"serviceAccount:service-$NUM@container-engine-robot.iam.gserviceaccount.com" "$AGENT"

ok "add-iam-policy-binding --condition=None" gcloud projects add-iam-policy-binding $P \
	--member=user:x@example.com --role=roles/viewer --condition=None
has "the new binding is in the policy" "user:x@example.com" \
	"$(gcloud projects get-iam-policy $P --flatten=bindings --filter=bindings.role=roles/viewer \
		--format='value(bindings.members)' 2>&1)"
ok "remove-iam-policy-binding" gcloud projects remove-iam-policy-binding $P \
	--member=user:x@example.com --role=roles/viewer
hasnt "the removed binding is gone" "user:x@example.com" "$(policy_json)"

out=$(gcloud projects list --format='value(projectId)' 2>&1)
has "projects list shows the project" "$P" "$out"
out=$(gcloud projects list --filter="projectId:demo*" --format='value(projectId)' 2>&1)
eq "projects list --filter (server and client side)" "$P" "$out"
out=$(gcloud projects list --filter="name:nothing-like-this" --format='value(projectId)' 2>&1)
eq "projects list --filter that matches nothing" "" "$out"

# --- REST details gcloud does not show ----------------------------------------------------
out=$(api GET "$CRM")
eq "GET project: 200" 200 "$(code "$out")"
eq "projectNumber is a JSON string" "str $NUM" "$(jget "$out" 'type(j["projectNumber"]).__name__ + " " + j["projectNumber"]')"
out=$(api GET "/cloudresourcemanager/v1/projects?pageSize=1&filter=id:demo-project%20AND%20NOT%20(labels.x:*%20OR%20name:zz)")
eq "list with AND, NOT, OR and parentheses" "$P" "$(jget "$out" 'j["projects"][0]["projectId"]')"
out=$(api GET "/cloudresourcemanager/v1/projects?filter=color:red")
eq "list with an unknown filter key: 400" 400 "$(code "$out")"
out=$(api GET "/cloudresourcemanager/v1/projects?pageSize=abc")
eq "list with a non-numeric pageSize: 400" 400 "$(code "$out")"
out=$(api POST "$CRM:getAncestry" '{}')
eq "getAncestry" "project $P" "$(jget "$out" 'j["ancestor"][0]["resourceId"]["type"] + " " + j["ancestor"][0]["resourceId"]["id"]')"

out=$(api POST "$CRM:getIamPolicy" '{"options":{"requestedPolicyVersion":3}}')
eq "getIamPolicy v3: 200" 200 "$(code "$out")"
has "getIamPolicy has an etag" '"etag"' "$out"
out=$(api POST "$CRM:testIamPermissions" \
	'{"permissions":["resourcemanager.projects.get","resourcemanager.projects.setIamPolicy"]}')
eq "testIamPermissions returns the held ones" \
	"['resourcemanager.projects.get', 'resourcemanager.projects.setIamPolicy']" \
	"$(jget "$out" 'j.get("permissions")')"

# --- bad input: clear errors, nothing changed -------------------------------------------
before=$(policy_json)
out=$(api POST "$CRM:setIamPolicy" '{"policy": {"bindings": [')
eq "malformed JSON: 400" 400 "$(code "$out")"
eq "malformed JSON: INVALID_ARGUMENT" INVALID_ARGUMENT "$(jget "$out" 'j["error"]["status"]')"
out=$(api POST "$CRM:setIamPolicy" '{"policy":"everyone is owner"}')
eq "policy of the wrong type: 400" 400 "$(code "$out")"
has "wrong type names the field" "Invalid value at 'policy'" "$out"
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"bindings":[{"role":"roles/viewer","members":"user:a@example.com"}]}}')
eq "members of the wrong type: 400" 400 "$(code "$out")"
out=$(api POST "$CRM:setIamPolicy" '{"policy":{"bindings":[{"role":"roles/viewer","members":["nobody"]}]}}')
eq "a member without a type prefix: 400" 400 "$(code "$out")"
out=$(api POST "$CRM:setIamPolicy" '{"policy":{},"surprise":1}')
eq "an unknown field: 400" 400 "$(code "$out")"
has "an unknown field is named" 'Unknown name \"surprise\"' "$out"
out=$(api POST "$CRM:getIamPolicy" '{"options":{"requestedPolicyVersion":"three"}}')
eq "requestedPolicyVersion of the wrong type: 400" 400 "$(code "$out")"
out=$(api POST "$CRM:getIamPolicy" '{"options":{"requestedPolicyVersion":2}}')
eq "requestedPolicyVersion 2: 400" 400 "$(code "$out")"
out=$(api POST "$CRM:testIamPermissions" '{"permissions":"resourcemanager.projects.get"}')
eq "testIamPermissions with a string, not a list: 400" 400 "$(code "$out")"
out=$(api POST "$CRM:testIamPermissions" '{"permissions":["*"]}')
eq "testIamPermissions with a wildcard: 400" 400 "$(code "$out")"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T_TMP/big.json"
out=$(curl -sS -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/big.json" -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$CRM:setIamPolicy")
eq "a body over 1 MiB: 413" 413 "$(code "$out")"
eq "bad input changed nothing" "$before" "$(policy_json)"

out=$(curl -sS -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$CRM")
eq "no token: 401" 401 "$(code "$out")"
eq "no token: UNAUTHENTICATED" UNAUTHENTICATED "$(jget "$out" 'j["error"]["status"]')"
out=$(API_TOKEN=ya29.forged-token-that-gkeid-never-issued api GET "$CRM")
eq "forged opaque token: 401" 401 "$(code "$out")"
out=$(API_TOKEN=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln api POST "$CRM:setIamPolicy" '{"policy":{}}')
eq "forged JWT: 401" 401 "$(code "$out")"
eq "unauthenticated writes changed nothing" "$before" "$(policy_json)"

out=$(api GET /cloudresourcemanager/v1/projects/no-such-project)
eq "unknown project: 403 as on Google" 403 "$(code "$out")"
eq "unknown project: Google's text" "The caller does not have permission" "$(jget "$out" 'j["error"]["message"]')"

# --- stale etag -------------------------------------------------------------------------
ETAG=$(jget "$(api POST "$CRM:getIamPolicy" '{}')" 'j["etag"]')
ok "a concurrent change" gcloud projects add-iam-policy-binding $P --member=user:first@example.com \
	--role=roles/browser --condition=None
before=$(policy_json)
out=$(api POST "$CRM:setIamPolicy" \
	"{\"policy\":{\"etag\":\"$ETAG\",\"bindings\":[{\"role\":\"roles/owner\",\"members\":[\"user:stale@example.com\"]}]}}")
eq "stale etag: 409" 409 "$(code "$out")"
eq "stale etag: ABORTED" ABORTED "$(jget "$out" 'j["error"]["status"]')"
eq "stale etag: Google's text" \
	"There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff." \
	"$(jget "$out" 'j["error"]["message"]')"
eq "stale etag changed nothing" "$before" "$(policy_json)"

# --- a caller without permission ---------------------------------------------------------
SA=nobody@$P.iam.gserviceaccount.com
ok "create a service account" sa_create nobody
ok "create its key" sa_key "$T_TMP/nobody.json" $SA
cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-nobody"
NB="env CLOUDSDK_CONFIG=$T_TMP/gcloud-nobody"
ok "activate it in a second gcloud config" $NB gcloud auth activate-service-account --key-file="$T_TMP/nobody.json"
NOBODY_TOKEN=$($NB gcloud auth print-access-token 2>/dev/null)

out=$($NB gcloud projects describe $P 2>&1)
has "gcloud as a caller without a role is refused" "does not have permission" "$out"
has "the refusal names the permission" "resourcemanager.projects.get" "$out"
eq "projects list shows nothing to it" "" "$($NB gcloud projects list --format='value(projectId)' 2>/dev/null)"
before=$(policy_json)
out=$(API_TOKEN=$NOBODY_TOKEN api POST "$CRM:getIamPolicy" '{}')
eq "getIamPolicy without permission: 403" 403 "$(code "$out")"
eq "the 403 names the permission" resourcemanager.projects.getIamPolicy \
	"$(jget "$out" 'j["error"]["details"][0]["metadata"]["permission"]')"
out=$(API_TOKEN=$NOBODY_TOKEN api POST "$CRM:setIamPolicy" \
	"{\"policy\":{\"bindings\":[{\"role\":\"roles/owner\",\"members\":[\"serviceAccount:$SA\"]}]}}")
eq "setIamPolicy without permission: 403" 403 "$(code "$out")"
eq "that 403 names the permission" resourcemanager.projects.setIamPolicy \
	"$(jget "$out" 'j["error"]["details"][0]["metadata"]["permission"]')"
eq "the refused write changed nothing" "$before" "$(policy_json)"
out=$(API_TOKEN=$NOBODY_TOKEN api POST "$CRM:testIamPermissions" '{"permissions":["resourcemanager.projects.get"]}')
eq "testIamPermissions without roles: {} (field omitted)" "{}" "$(jget "$out" 'json.dumps(j)')"

ok "grant it roles/viewer" gcloud projects add-iam-policy-binding $P --member=serviceAccount:$SA \
	--role=roles/viewer --condition=None
eq "with roles/viewer it may describe the project" "$NUM" \
	"$($NB gcloud projects describe $P --format='value(projectNumber)' 2>&1)"
no "with roles/viewer it still may not change the policy" $NB gcloud projects add-iam-policy-binding \
	$P --member=serviceAccount:$SA --role=roles/owner --condition=None
out=$(API_TOKEN=$NOBODY_TOKEN api POST "$CRM:testIamPermissions" \
	'{"permissions":["resourcemanager.projects.get","resourcemanager.projects.setIamPolicy"]}')
eq "testIamPermissions as viewer" "['resourcemanager.projects.get']" "$(jget "$out" 'j.get("permissions")')"

# --- ten concurrent read-modify-writes ---------------------------------------------------
# Ten writers collide on the etag. Each does what gcloud's add-iam-policy-binding does
# (getIamPolicy, the member added to the role's binding, setIamPolicy with the etag it
# read), with curl: gcloud's own run of it is above, and ten gcloud runs with their
# retries cost twenty seconds of CPU. Like any script against Google, each writer
# retries the whole read-modify-write when it is told of concurrent policy changes.
cat >"$T_TMP/rmw.py" <<'PY'
import json, sys
j = json.load(sys.stdin)
b = [x for x in j.setdefault("bindings", []) if x["role"] == sys.argv[2] and "condition" not in x]
if b:
    b[0]["members"].append(sys.argv[1])
else:
    j["bindings"].append({"role": sys.argv[2], "members": [sys.argv[1]]})
print(json.dumps({"policy": j}))
PY
add_one() {
	i=0
	while [ $i -lt 40 ]; do
		i=$((i + 1))
		pol=$(policy_json)
		set=$(printf '%s' "$pol" | "$GCLOUD_PY" -S "$T_TMP/rmw.py" "user:c$1@example.com" roles/iam.securityReviewer)
		o=$(api POST "$CRM:setIamPolicy" "$set")
		case "$(code "$o") $o" in
		"200 "*) echo "ok $1 $i"; return 0 ;;
		"409 "*"There were concurrent policy changes. Please retry"*) echo "aborted $1" ;;
		*) echo "other $1: $(printf '%s' "$o" | head -n 3 | tr '\n' ' ')" ;;
		esac
		# the backoff Google's text asks for (jittered), not a wait for a condition
		sleep "0.$(( ($$ + i * 37 + $1 * 11) % 9 + 1 ))"
	done
	echo "gave-up $1"
}
pids=
for n in $(seq 1 10); do
	add_one "$n" >"$T_TMP/add.$n" &
	pids="$pids $!"
done
for pid in $pids; do wait "$pid"; done # not a bare wait: gkeid is a background job too
cat "$T_TMP"/add.* >"$T_TMP/add.all"
eq "all ten concurrent runs succeeded" 10 "$(grep -c '^ok ' "$T_TMP/add.all")"
eq "the only failures were 409 ABORTED" "" "$(grep '^other ' "$T_TMP/add.all")"
echo "# concurrent runs: $(grep -c '^aborted ' "$T_TMP/add.all") retried after 409 ABORTED"
members=$(gcloud projects get-iam-policy $P --flatten=bindings \
	--filter=bindings.role=roles/iam.securityReviewer --format="value[delimiter='\\n'](bindings.members)" 2>&1)
eq "all ten members are in the policy (none lost)" 10 \
	"$(printf '%s\n' "$members" | grep -c '^user:c[0-9]*@example.com$')"

finish
