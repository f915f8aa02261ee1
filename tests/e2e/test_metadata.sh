#!/usr/bin/env bash
# test_metadata.sh - the GKE metadata server (`gkeid node`) and `gkeid exec`: every path,
# header and refusal byte for byte as GKE answers; an unannotated KSA's federated token
# and an annotated KSA's GSA token, each authorized by IAM when used on an emulated API;
# GKE's 403 text for a missing workloadIdentityUser binding; Python google-auth, npm
# gcp-metadata and google-auth-library, and gcloud in a pod; and what GKE does not do:
# held requests instead of a startup race, one exchange for concurrent misses, refused
# shared pod addresses, /metrics and /healthz.
. "$(dirname "$0")/lib.sh"
gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
md_setup
P=demo-project
GSA=app-gsa@$P.iam.gserviceaccount.com
CRM=$GKEID_CLOUD_URL/cloudresourcemanager/v1/projects/$P
H='Metadata-Flavor: Google'
EXEC="$GKEID exec"

# --- gkeid exec: a pod on local-node, its address in the environment, exit status through
# --keep-env: the kubectl inside reads the pod as the admin (gcloud's own config), not as
# the pod's identity, which may not read pods.
out=$($EXEC --keep-env --name probe-env -- sh -c 'echo "$GCE_METADATA_HOST|$GCE_METADATA_ROOT|$GCE_METADATA_IP"; kubectl get pod probe-env -o jsonpath="{.spec.nodeName} {.status.podIP} {.status.phase}"')
host=$(echo "$out" | head -n 1 | cut -d'|' -f1)
ip=${host%:*}
eq "GCE_METADATA_HOST, _ROOT and _IP name the pod's metadata address" "$host|$host|$host" "$(echo "$out" | head -n 1)"
eq "... which is the pod's own loopback address and the node's port" "$MD_PORT" "${host##*:}"
eq "kubectl sees the pod on local-node with that IP, Running" "local-node $ip Running" "$(echo "$out" | tail -n 1)"
case "$ip" in 127.*) pass "the pod IP is a fresh 127.x.y.z" ;; *) fail "the pod IP is a fresh 127.x.y.z" "$ip" ;; esac
no "the pod is deleted when the command ends" kubectl get pod probe-env
$EXEC -- sh -c 'exit 7'; eq "the exit status passes through" 7 $?
$EXEC -- sh -c 'kill -TERM $$'; eq "a signal death is 128+N" 143 $?

# A long-lived pod to probe (default KSA, unannotated).
$EXEC --name probe -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
A=$(md_pod_wait default probe)
A=$A:$MD_PORT

# --- refusals, byte for byte
curl -sS -D "$T_TMP/h" -o "$T_TMP/b" "http://$A/computeMetadata/v1/instance/service-accounts/default/token"
printf 'GKE Metadata Server encountered an error: Missing required header "Metadata-Flavor": "Google"\n' >"$T_TMP/want"
ok "missing Metadata-Flavor: GKE's body, byte for byte" cmp "$T_TMP/want" "$T_TMP/b"
has "... 403" "HTTP/1.1 403 Forbidden" "$(cat "$T_TMP/h")"
has "... text/plain; charset=utf-8" "Content-Type: text/plain; charset=utf-8" "$(cat "$T_TMP/h")"
has "... nosniff" "X-Content-Type-Options: nosniff" "$(cat "$T_TMP/h")"
has "... Content-Length 94, as GKE's" "Content-Length: 94" "$(cat "$T_TMP/h")"
has "the root needs the header too" "HTTP 403" "$(curl -sS -w '\nHTTP %{http_code}' "http://$A/")"
has "a wrong Metadata-Flavor value is refused" "HTTP 403" "$(curl -sS -H 'Metadata-Flavor: google' -w '\nHTTP %{http_code}' "http://$A/computeMetadata/v1/")"
has "X-Forwarded-For is refused (the Istio case)" "HTTP 403" "$(md_get "$A" /computeMetadata/v1/instance/service-accounts/default/token -H 'X-Forwarded-For: 10.0.0.1')"
for p in /computeMetadata/v1/instance/attributes/kube-env /computeMetadata/v1beta1/instance/attributes/kube-env \
	/0.1/meta-data/attributes/kube-env /computeMetadata/v1beta1/instance/service-accounts/default/identity; do
	has "concealed: $p" "HTTP 403" "$(md_get "$A" "$p")"
done
has "an unknown path is 404" "HTTP 404" "$(md_get "$A" /computeMetadata/v1/instance/disks/)"
has "... and outside the API too" "HTTP 404" "$(md_get "$A" /latest/meta-data/)"
has "a value with a slash is 404" "HTTP 404" "$(md_get "$A" /computeMetadata/v1/project/project-id/)"
has "POST is 405" "HTTP 405" "$(md_get "$A" /computeMetadata/v1/ -X POST)"

# --- the tree
curl -sS -D "$T_TMP/h" -o "$T_TMP/b" -H "$H" "http://$A/"
eq "/ lists computeMetadata/" "computeMetadata/" "$(cat "$T_TMP/b")"
has "200s carry Metadata-Flavor: Google" "Metadata-Flavor: Google" "$(cat "$T_TMP/h")"
has "... Server: GKE Metadata Server" "Server: GKE Metadata Server" "$(cat "$T_TMP/h")"
has "... Content-Type: application/text" "Content-Type: application/text" "$(cat "$T_TMP/h")"
curl -sS -o "$T_TMP/b" -H "$H" "http://$A/computeMetadata/v1/instance/"
printf 'attributes/\nhostname\nid\nservice-accounts/\nzone\n' >"$T_TMP/want"
ok "instance/ lists GKE's entries, byte for byte" cmp "$T_TMP/want" "$T_TMP/b"
curl -sS -o "$T_TMP/b" -H "$H" "http://$A/computeMetadata/v1/instance/attributes/"
printf 'cluster-location\ncluster-name\ncluster-uid\n' >"$T_TMP/want"
ok "instance/attributes/ lists the cluster's attributes" cmp "$T_TMP/want" "$T_TMP/b"
eq "cluster-name" "demo-cluster
HTTP 200" "$(md_get "$A" /computeMetadata/v1/instance/attributes/cluster-name)"
eq "cluster-location" "us-central1
HTTP 200" "$(md_get "$A" /computeMetadata/v1/instance/attributes/cluster-location)"
eq "project-id" "demo-project
HTTP 200" "$(md_get "$A" /computeMetadata/v1/project/project-id)"
eq "numeric-project-id" "123456789012
HTTP 200" "$(md_get "$A" /computeMetadata/v1/project/numeric-project-id)"
eq "project-id?alt=json is a JSON string" '"demo-project"
HTTP 200' "$(md_get "$A" '/computeMetadata/v1/project/project-id?alt=json')"
has "zone" "projects/123456789012/zones/us-central1-a" "$(md_get "$A" /computeMetadata/v1/instance/zone)"
curl -sS -D "$T_TMP/h" -o /dev/null -H "$H" "http://$A/computeMetadata/v1/instance?x=1"
has "a directory without its slash redirects" "HTTP/1.1 301" "$(cat "$T_TMP/h")"
has "... to the directory, query kept" "Location: /computeMetadata/v1/instance/?x=1" "$(cat "$T_TMP/h")"

# --- an unannotated KSA: the workload pool's identity and the federated token
eq "service-accounts/ lists default/ and the pool" "default/
$P.svc.id.goog/

HTTP 200" "$(md_get "$A" /computeMetadata/v1/instance/service-accounts/)"
eq "email is PROJECT.svc.id.goog" "$P.svc.id.goog
HTTP 200" "$(md_get "$A" /computeMetadata/v1/instance/service-accounts/default/email)"
curl -sS -D "$T_TMP/h" -o "$T_TMP/b" -H "$H" "http://$A/computeMetadata/v1/instance/service-accounts/default/?recursive=true"
eq "default/?recursive=true is {aliases, email, scopes}" \
	'{"aliases":["default"],"email":"demo-project.svc.id.goog","scopes":["https://www.googleapis.com/auth/cloud-platform","https://www.googleapis.com/auth/userinfo.email"]}' \
	"$(cat "$T_TMP/b")"
has "... as application/json" "Content-Type: application/json" "$(cat "$T_TMP/h")"
eq "scopes, one per line" "https://www.googleapis.com/auth/cloud-platform
https://www.googleapis.com/auth/userinfo.email

HTTP 200" "$(md_get "$A" /computeMetadata/v1/instance/service-accounts/default/scopes)"
has "the email-named account answers too" "HTTP 200" "$(md_get "$A" "/computeMetadata/v1/instance/service-accounts/$P.svc.id.goog/email")"
has "another account name is 404" "HTTP 404" "$(md_get "$A" /computeMetadata/v1/instance/service-accounts/x@y.iam.gserviceaccount.com/email)"
curl -sS -D "$T_TMP/h" -o "$T_TMP/b" -H "$H" "http://$A/computeMetadata/v1/instance/service-accounts/default/token"
has "token: {access_token, expires_in, token_type}" '"token_type":"Bearer"' "$(cat "$T_TMP/b")"
has "... application/json" "Content-Type: application/json" "$(cat "$T_TMP/h")"
FED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$T_TMP/b")
eq "a second request gets the cached token" "$FED" "$(curl -sS -H "$H" "http://$A/computeMetadata/v1/instance/service-accounts/default/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
has "the federated token is refused on the project without a role" "HTTP 403" "$(curl -sS -H "Authorization: Bearer $FED" -w '\nHTTP %{http_code}' "$CRM")"
ok "grant the KSA's principal roles/viewer" gcloud projects add-iam-policy-binding $P --role=roles/viewer --condition=None --quiet \
	--member="principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/$P.svc.id.goog/subject/ns/default/sa/default"
has "... then the federated token reads the project (direct resource access)" "HTTP 200" "$(curl -sS -H "Authorization: Bearer $FED" -w '\nHTTP %{http_code}' "$CRM")"
eq "identity without audience is 400" "non-empty audience parameter required

HTTP 400" "$(md_get "$A" /computeMetadata/v1/instance/service-accounts/default/identity)"
out=$(md_get "$A" '/computeMetadata/v1/instance/service-accounts/default/identity?audience=https://example.com')
has "identity for an unannotated KSA is refused with GKE's text" "Your Kubernetes service account (default/default) is not annotated with a target Google service account, which is a requirement for retrieving Identity Tokens using Workload Identity." "$out"
has "... 404" "HTTP 404" "$out"
etag=$(curl -sS -D - -o /dev/null -H "$H" "http://$A/computeMetadata/v1/project/project-id" | sed -n 's/^ETag: \(.*\)\r$/\1/p')
start=$(date +%s%N)
out=$(md_get "$A" "/computeMetadata/v1/project/project-id?wait_for_change=true&last_etag=$etag&timeout_sec=1")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
eq "wait_for_change with the current etag waits timeout_sec, then answers" "demo-project
HTTP 200" "$out"
[ $ms -ge 900 ] && pass "... after about a second ($ms ms)" || fail "... after about a second" "$ms ms"
has "wait_for_change with another etag answers at once" "HTTP 200" "$(md_get "$A" "/computeMetadata/v1/project/project-id?wait_for_change=true&last_etag=x&timeout_sec=30" -m 2)"

# --- an annotated KSA: the GSA's email and tokens, GKE's text while the binding is missing
ok "create the GSA" sa_create app-gsa
kubectl create serviceaccount app >/dev/null
ok "annotate the KSA" kubectl annotate serviceaccount app iam.gke.io/gcp-service-account=$GSA
$EXEC --serviceaccount app --name probe-app -- sleep 600 >/dev/null 2>&1 &
EXEC2_PID=$!
B=$(md_pod_wait default probe-app)
B=$B:$MD_PORT
eq "email is the GSA" "$GSA
HTTP 200" "$(md_get "$B" /computeMetadata/v1/instance/service-accounts/default/email)"
eq "service-accounts/ lists default/ and the GSA" "default/
$GSA/

HTTP 200" "$(md_get "$B" /computeMetadata/v1/instance/service-accounts/)"
curl -sS -D "$T_TMP/h" -o "$T_TMP/b" -H "$H" "http://$B/computeMetadata/v1/instance/service-accounts/default/token"
printf '%s\n%s\n%s\n\t%s\n' \
	"Unable to generate access token; IAM returned 403 Forbidden: HTTP/403: generic::permission_denied: loading: GenerateAccessToken(\"$GSA\", \"\"): googleapi: Error 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." \
	"This error could be caused by a missing IAM policy binding on the target IAM service account." \
	"For more information, refer to the Workload Identity documentation:" \
	"https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#authenticating_to" >"$T_TMP/want"
ok "without the binding: GKE's 403 text with the seed's line, byte for byte" cmp "$T_TMP/want" "$T_TMP/b"
has "... 403" "HTTP/1.1 403" "$(cat "$T_TMP/h")"
has "... the seed's line" "HTTP/403: generic::permission_denied: loading: GenerateAccessToken(\"$GSA\", \"\"): googleapi: Error 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." "$(cat "$T_TMP/b")"
ok "bind roles/iam.workloadIdentityUser" gcloud iam service-accounts add-iam-policy-binding $GSA --role=roles/iam.workloadIdentityUser \
	--member="serviceAccount:$P.svc.id.goog[default/app]" --quiet
out=$(md_get "$B" /computeMetadata/v1/instance/service-accounts/default/token)
has "with the binding: the GSA's token" '"token_type":"Bearer"' "$out"
GT=$(echo "$out" | head -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
[ "$GT" != "$FED" ] && pass "... not the federated token" || fail "... not the federated token"
has "the GSA's token is refused on the project without a role" "HTTP 403" "$(curl -sS -H "Authorization: Bearer $GT" -w '\nHTTP %{http_code}' "$CRM")"
ok "grant the GSA roles/viewer" gcloud projects add-iam-policy-binding $P --member=serviceAccount:$GSA --role=roles/viewer --condition=None --quiet
has "... then it reads the project" "HTTP 200" "$(curl -sS -H "Authorization: Bearer $GT" -w '\nHTTP %{http_code}' "$CRM")"
out=$(md_get "$B" '/computeMetadata/v1/instance/service-accounts/default/identity?audience=https://example.com&format=full')
claims=$(echo "$out" | head -n 1 | cut -d. -f2 | python3 -c 'import base64,sys; s=sys.stdin.read().strip(); print(base64.urlsafe_b64decode(s+"="*(-len(s)%4)).decode())')
has "identity is the GSA's ID token for the audience" '"aud": "https://example.com"' "$(echo "$claims" | python3 -m json.tool)"
has "... with its email" "\"email\": \"$GSA\"" "$(echo "$claims" | python3 -m json.tool)"
out=$(md_get "$B" '/computeMetadata/v1/instance/service-accounts/default/token?scopes=https://www.googleapis.com/auth/devstorage.read_only,https://www.googleapis.com/auth/cloud-platform')
has "token?scopes= gets a token for those scopes" '"token_type":"Bearer"' "$out"

# --- the real clients, each in a pod
py() { PYTHONPATH=$GCLOUD_PYPATH "$GCLOUD_PY" "$ROOT/tests/e2e/metadata_google_auth.py" "$@"; }
out=$($EXEC --serviceaccount app -- bash -c "$(declare -f py); GCLOUD_PYPATH=$GCLOUD_PYPATH GCLOUD_PY=$GCLOUD_PY ROOT=$ROOT py $GKEID_CLOUD_URL https://example.com $CRM" 2>&1)
has "google-auth: default() finds the metadata server" "type google.auth.compute_engine.credentials.Credentials" "$out"
has "... and the project" "project $P" "$out"
has "... compute_engine.Credentials refreshes; its email is the GSA" "email $GSA" "$out"
has "... IDTokenCredentials' token verifies against the published JWKS" "idtoken-email $GSA" "$out"
has "... and the token is authorized by the GSA's roles" "status 200" "$out"
out=$($EXEC -- bash -c "$(declare -f py); GCLOUD_PYPATH=$GCLOUD_PYPATH GCLOUD_PY=$GCLOUD_PY ROOT=$ROOT py $GKEID_CLOUD_URL https://example.com" 2>&1)
has "google-auth with an unannotated KSA: the pool's identity" "email $P.svc.id.goog" "$out"
has "... and GKE's refusal of ID tokens" "not annotated with a target Google service account" "$out"
out=$($EXEC --serviceaccount app -- node "$ROOT/tests/node/metadata_client.js" "$CRM" 2>&1)
has "gcp-metadata isAvailable()" "available true" "$out"
has "gcp-metadata instance(), recursive" "instance-keys attributes,hostname,id,serviceAccounts,zone" "$out"
has "gcp-metadata instance('service-accounts/default/email')" "email $GSA" "$out"
has "google-auth-library getAccessToken()" "token ya29." "$out"
has "... authorized by the GSA's roles" "status 200" "$out"
ok "revoke the GSA's roles/viewer" gcloud projects remove-iam-policy-binding $P --member=serviceAccount:$GSA --role=roles/viewer --condition=None --quiet
out=$($EXEC --serviceaccount app -- node "$ROOT/tests/node/metadata_client.js" "$CRM" 2>&1)
has "... and refused without them" "status 403" "$out"
out=$($EXEC --serviceaccount app -- sh -c 'gcloud auth list 2>&1; gcloud auth print-access-token' 2>&1)
has "gcloud auth list in a pod shows the GSA" "*       $GSA" "$out"
has "gcloud auth print-access-token in a pod" "ya29." "$out"

# --- no startup race: a request from an address no pod has yet is held until one does
HELD=127.77.$((RANDOM % 200 + 1)).$((RANDOM % 200 + 1))
held_now() { curl -sS "http://127.0.0.1:$MD_PORT/metrics" | sed -n 's/^gkeid_node_held_requests //p'; }
md_get "$HELD:$MD_PORT" /computeMetadata/v1/instance/service-accounts/default/email >"$T_TMP/held" 2>&1 &
CURL_PID=$!
wait_for 30 output_is 1 held_now
eq "a request from an address no pod has yet is held (gkeid_node_held_requests)" 1 "$WAIT_OUT"
eq "... unanswered" "" "$(cat "$T_TMP/held")"
$EXEC --pod-ip "$HELD" --name probe-late -- sh -c "touch '$T_TMP/late.up'; exec sleep 600" >/dev/null 2>&1 &
LATE=$!
wait $CURL_PID
eq "a request that came before its pod is answered once the watch has it" "$P.svc.id.goog
HTTP 200" "$(cat "$T_TMP/held")"
# exec deletes its pod on SIGTERM once its command runs (its handler is set by then)
wait_for 30 test -e "$T_TMP/late.up"
kill -TERM $LATE; wait $LATE
md_node "$T_TMP/node2.json" "$T_TMP/node2.log" --listen local --port 0 --hold 1s
P2=$(md_port "$T_TMP/node2.json")
out=$(md_get "127.66.1.2:$P2" /computeMetadata/v1/instance/service-accounts/default/token)
has "an address no pod takes is refused after the hold" "no pod on node local-node has address 127.66.1.2" "$out"
has "... 404" "HTTP 404" "$out"
eq "values that need no pod are served to any address" "demo-project
HTTP 200" "$(md_get "127.66.1.2:$P2" /computeMetadata/v1/project/project-id)"

# --- a pod is found by the addresses its status has now (the node's address index):
# podIP and the second of podIPs, not an address it has left, none once it has finished
MV=127.68.$((RANDOM % 200 + 1))
EMAIL_PATH=/computeMetadata/v1/instance/service-accounts/default/email
ok "a pod on local-node" kubectl run probe-move --image=busybox \
	--overrides='{"apiVersion":"v1","spec":{"nodeName":"local-node"}}' -- sleep 600
pod_at() { # PHASE IP IP2: the pod's status
	kubectl patch pod probe-move --subresource=status --type=merge -p \
		"{\"status\":{\"phase\":\"$1\",\"podIP\":\"$2\",\"podIPs\":[{\"ip\":\"$2\"},{\"ip\":\"$3\"}]}}"
}
ok "... Running at $MV.1 and $MV.2" pod_at Running "$MV.1" "$MV.2"
wait_for 30 output_has "HTTP 200" md_get "$MV.1:$P2" $EMAIL_PATH
has "a pod is served at its podIP" "HTTP 200" "$WAIT_OUT"
has "... and at the second of its podIPs" "HTTP 200" "$(md_get "$MV.2:$P2" $EMAIL_PATH)"
ok "... moved to $MV.3, keeping $MV.2" pod_at Running "$MV.3" "$MV.2"
wait_for 30 output_has "HTTP 200" md_get "$MV.3:$P2" $EMAIL_PATH
has "a pod is served at its new podIP" "HTTP 200" "$WAIT_OUT"
has "... not at the address it left" "no pod on node local-node has address $MV.1" \
	"$(md_get "$MV.1:$P2" $EMAIL_PATH)"
has "... still at the address it kept" "HTTP 200" "$(md_get "$MV.2:$P2" $EMAIL_PATH)"
ok "... Succeeded" pod_at Succeeded "$MV.3" "$MV.2"
wait_for 30 output_has "HTTP 404" md_get "$MV.3:$P2" $EMAIL_PATH
has "a finished pod is not served at its podIP" "no pod on node local-node has address $MV.3" "$WAIT_OUT"
has "... nor at its second address" "no pod on node local-node has address $MV.2" \
	"$(md_get "$MV.2:$P2" $EMAIL_PATH)"
ok "... deleted" kubectl delete pod probe-move --wait=false

# --- one exchange for concurrent misses
sts_calls() { curl -sS "http://127.0.0.1:$MD_PORT/metrics" | sed -n 's/^gkeid_node_upstream_requests_total{upstream="sts"} //p'; }
kubectl create serviceaccount burst >/dev/null
$EXEC --serviceaccount burst --name probe-burst -- sleep 600 >/dev/null 2>&1 &
EXEC3_PID=$!
C=$(md_pod_wait default probe-burst)
before=$(sts_calls)
BURST=""
for i in $(seq 1 30); do
	md_get "$C:$MD_PORT" /computeMetadata/v1/instance/service-accounts/default/token >"$T_TMP/burst.$i" 2>&1 &
	BURST="$BURST $!"
done
for j in $BURST; do wait "$j"; done
good=$(cat "$T_TMP"/burst.* | grep -c '"token_type":"Bearer"')
eq "30 concurrent first requests all get a token" 30 "$good"
eq "... from one token exchange" $((before + 1)) "$(sts_calls)"
eq "... the same token" 1 "$(cat "$T_TMP"/burst.* | grep -o '"access_token":"[^"]*"' | sort -u | wc -l | tr -d ' ')"

# --- an address two live pods claim is answered with neither identity
$EXEC --pod-ip "${C%:*}" --name probe-twin -- sh -c "touch '$T_TMP/twin.up'; exec sleep 600" >/dev/null 2>&1 &
TWIN=$!
# the node learns of the twin from its pod watch
wait_for 30 output_has "more than one live pod" md_get "$C:$MD_PORT" /computeMetadata/v1/instance/service-accounts/default/email
has "two pods with one address: refused" "more than one live pod on node local-node has address" "$WAIT_OUT"
has "... 500" "HTTP 500" "$WAIT_OUT"
wait_for 30 test -e "$T_TMP/twin.up"
kill -TERM $TWIN; wait $TWIN
wait_for 30 output_has "HTTP 200" md_get "$C:$MD_PORT" /computeMetadata/v1/instance/service-accounts/default/email
has "once one is gone the other is served again" "HTTP 200" "$WAIT_OUT"

# --- the node's own endpoints
eq "/healthz from the node" "ok" "$(curl -sS "http://127.0.0.1:$MD_PORT/healthz")"
m=$(curl -sS "http://127.0.0.1:$MD_PORT/metrics")
has "/metrics: requests" 'gkeid_node_requests_total{code="2xx"}' "$m"
has "/metrics: cache hits" "gkeid_node_token_cache_hits_total" "$m"
has "/metrics: upstream latency" 'gkeid_node_upstream_latency_seconds_bucket{upstream="sts",le="0.005"}' "$m"
has "/metrics: upstream errors" 'gkeid_node_upstream_errors_total{upstream="kube"}' "$m"
has "pods do not get /metrics" "HTTP 403" "$(curl -sS -w '\nHTTP %{http_code}' "http://$A/metrics")"

kill -TERM $EXEC_PID $EXEC2_PID $EXEC3_PID 2>/dev/null
wait $EXEC_PID $EXEC2_PID $EXEC3_PID 2>/dev/null
wait_for 30 output_is "" kubectl get pods -o name
eq "stopped execs delete their pods" "" "$WAIT_OUT"
md_finish
