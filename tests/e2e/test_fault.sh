#!/usr/bin/env bash
# test_fault.sh - fault injection: `gkeid fault` (list, set, clear, help, errors, how it
# finds the server), the admin endpoint on the cloud port and who may call it (issue 9:
# it was open to any local process), and each fault's symptom as a client sees it:
# kubectl, curl in a pod (gkeid exec), Python's google-auth, events.
. "$(dirname "$0")/lib.sh"
# the demo state and a second project, so that "every project" can be told from "up's"
{
	cat "$ROOT/data/demo.yaml"
	cat <<'EOF'
  - projectId: other-project
    projectNumber: "222222222222"
    iamPolicy:
      bindings:
        - role: roles/owner
          members:
            - user:admin@example.com
EOF
} >"$T_TMP/state.yaml"
gkeid_up --state "$T_TMP/state.yaml"
G=$GKEID
H='Metadata-Flavor: Google'
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
# curl in a pod: prints the HTTP code (000 when there was no answer) and curl's exit code
PODCURL='curl -sS -o /dev/null -H "Metadata-Flavor: Google" -w "%{http_code}" "http://$GCE_METADATA_HOST'$TOKEN'"; echo " rc=$?"'

# --- the command line
out=$("$G" fault --help)
for f in metadata-slow control-plane-down metadata-dns istio-proxy metadata-crashloop iam-propagation; do
	has "--help names $f" "$f" "$out"
done
has "--help says how the DNS case is fixed" "GCE_METADATA_HOST=169.254.169.254" "$out"
has "--help says how the Istio case is fixed" "holdApplicationUntilProxyStarts" "$out"
has "--help says how the server is found" "GKEID_CLOUD_URL" "$out"
has "--help says who may: the permissions" "gkeid.faults.set (set)" "$out"
has "... the roles" "roles/owner and
roles/gkeid.faultInjector hold" "$out"
has "... and on which projects" "every project, for iam-propagation and clear --all" "$out"
out=$("$G" fault 2>&1); rc=$?
eq "no action: usage error" 2 $rc
out=$("$G" fault set no-such-fault 2>&1); rc=$?
eq "an unknown fault: usage error" 2 $rc
has "... naming the faults there are" 'unknown fault "no-such-fault"; the faults are: metadata-slow' "$out"
out=$("$G" fault set metadata-slow --seconds -3 2>&1); rc=$?
eq "negative --seconds: usage error" 2 $rc
out=$("$G" fault clear 2>&1); rc=$?
eq "clear without a name: usage error" 2 $rc
has "... suggesting --all" "or --all" "$out"
out=$("$G" fault set control-plane-down --seconds 2>&1); rc=$?
eq "--seconds without its value: usage error" 2 "$rc"
eq "... saying so, in one line" "gkeid fault: --seconds needs a value: a whole number of seconds, 0 to 86400 (see gkeid fault --help)" "$out"
out=$("$G" fault set control-plane-down --seconds 5 2>&1); rc=$?
eq "--seconds on an on/off fault: usage error" 2 "$rc"
has "... naming those that take it" "fault control-plane-down takes no --seconds (those that do: metadata-slow, istio-proxy, iam-propagation)" "$out"
out=$("$G" fault set iam-propagation --cluster demo-cluster 2>&1); rc=$?
eq "--cluster on iam-propagation: usage error" 2 "$rc"
has "... it is not per cluster" "fault iam-propagation is not per cluster" "$out"
out=$("$G" fault list --no-such-flag 2>&1); rc=$?
eq "an unknown option: usage error" 2 "$rc"
has "... named" 'unknown option "--no-such-flag"' "$out"

# --- who may: a Google access token (401 without), gkeid.faults.* (403 without), which
# roles/owner and roles/gkeid.faultInjector hold; the principals come at the end, as
# their grants rewrite the projects' policies, which iam-propagation below must not see
API_TOKEN=$(gcloud_token)
export API_TOKEN
# anon METHOD PATH [JSON]: as api, with no credentials
anon() { call "" "$@"; }
# state: the faults that `gkeid fault list` (the admin) shows on (the admin's token from
# a file: gcloud as the token's source is tested below, and costs a second a call)
printf '%s\n' "$API_TOKEN" >"$T_TMP/admin.tok"
state() { "$G" fault list --access-token-file "$T_TMP/admin.tok" | awk '$2 == "on" {print $1}' | tr '\n' ' '; }
# fault_admin ARGS...: `gkeid fault ARGS` as the admin, the token from a file; the token
# from gcloud (the default) is used by the list below and by the service account's first run
fault_admin() { "$G" fault "$@" --access-token-file "$T_TMP/admin.tok"; }
out=$(anon PUT /gkeid/v1/faults/iam-propagation '{"seconds":86400}')
has "anonymous PUT iam-propagation: 401" "HTTP 401" "$out"
# Google's 401 for a request without credentials, as every gkeid Google API answers it
crm=$(anon GET /cloudresourcemanager/v1/projects)
eq "... the body Resource Manager's 401 has, naming the service faults.gkeid.dev" \
	"$(printf '%s' "$crm" | sed 's/cloudresourcemanager.googleapis.com/faults.gkeid.dev/')" "$out"
has "... CREDENTIALS_MISSING" '"reason": "CREDENTIALS_MISSING"' "$out"
eq "... and changes nothing" "" "$(state)"
for mp in "GET /gkeid/v1/faults" "DELETE /gkeid/v1/faults" "DELETE /gkeid/v1/faults/iam-propagation" "PUT /gkeid/v1/faults/control-plane-down" "PUT /gkeid/v1/faults/bogus"; do
	# shellcheck disable=SC2086
	has "anonymous $mp: 401" "HTTP 401" "$(anon $mp '{}')"
done
out=$(curl -sS -X PUT -H 'Authorization: Bearer ya29.forged' -d '{"seconds":86400}' -w '\nHTTP %{http_code}' "$GKEID_CLOUD_URL/gkeid/v1/faults/iam-propagation")
has "a forged token: 401" "HTTP 401" "$out"
has "... invalid credentials" '"reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED"' "$out"
echo "ya29.forged" >"$T_TMP/forged"
out=$("$G" fault set iam-propagation --seconds 86400 --access-token-file "$T_TMP/forged" 2>&1); rc=$?
eq "gkeid fault with a token gkeid does not accept: exit 1" 1 "$rc"
has "... saying so" "gkeid fault: gkeid did not accept the credentials: Request had invalid authentication credentials." "$out"
mkdir -p "$T_TMP/gcloud-none"
out=$(CLOUDSDK_CONFIG=$T_TMP/gcloud-none "$G" fault set iam-propagation --seconds 86400 2>&1); rc=$?
eq "gkeid fault with no gcloud account: exit 1" 1 "$rc"
has "... with gcloud's reason" "no access token from gcloud: \`gcloud auth print-access-token\` failed: ERROR: (gcloud.auth.print-access-token)" "$out"
eq "... and nothing changed" "" "$(state)"
# gcloud's cached token is read without a gcloud start when gcloud would print it as is
# (core/gcloudfiles.c): with no gcloud on PATH at all, `gkeid fault list` works as the
# admin; when the environment makes gcloud pick another credential, gcloud is asked.
out=$(PATH=/nonexistent "$G" fault list 2>&1)
eq "the admin's token from gcloud's cache, without gcloud: the list" "7 6" "$(echo "$out" | wc -l) $(echo "$out" | grep -c ' off ')"
out=$(PATH=/nonexistent CLOUDSDK_CORE_ACCOUNT=admin@example.com "$G" fault list 2>&1); rc=$?
eq "... CLOUDSDK_CORE_ACCOUNT set: gcloud is asked (here, absent): exit 1" 1 "$rc"
has "... saying gcloud failed" "\`gcloud auth print-access-token\` failed:" "$out"


out=$("$G" fault list)
eq "list: a header and six faults, all off" "7 6" "$(echo "$out" | wc -l) $(echo "$out" | grep -c ' off ')"
out=$(env -u GKEID_CLOUD_URL "$G" fault list --data-dir "$DATA_DIR" --output json --access-token-file "$T_TMP/admin.tok")
eq "--data-dir DIR finds the server through DIR/env; --output json" "6" \
	"$(echo "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["faults"]))')"
out=$(env -u GKEID_CLOUD_URL -u GKEID_DATA_DIR "$G" fault list --data-dir "$T_TMP/nowhere" 2>&1); rc=$?
eq "no server to be found: exit 1" 1 $rc
has "... saying where it looked" "where is gkeid?" "$out"

# --- the admin endpoint (as the admin)
out=$(api PUT /gkeid/v1/faults/bogus)
has "PUT an unknown fault: 404" "HTTP 404" "$out"
has "... with the list of faults" 'unknown fault \"bogus\"; the faults are' "$out"
out=$(api PUT /gkeid/v1/faults/metadata-dns '{"seconds":5}')
has "seconds for an on/off fault: 400" "HTTP 400" "$out"
has "... saying so" "fault metadata-dns takes no seconds" "$out"
out=$(api PUT /gkeid/v1/faults/metadata-slow '{"seconds":"x"}')
has "non-numeric seconds: 400" "HTTP 400" "$out"
out=$(api PUT /gkeid/v1/faults/metadata-slow '{')
has "a bad JSON body: 400" "HTTP 400" "$out"
out=$(fault_admin set control-plane-down --cluster no-such-cluster 2>&1); rc=$?
eq "an unknown --cluster: usage error" 2 $rc
eq "... named, with the clusters there are" 'gkeid fault: cluster "no-such-cluster" not found in project demo-project; the clusters are: demo-cluster' "$out"
out=$(fault_admin clear metadata-slow --cluster no-such-cluster 2>&1); rc=$?
eq "clear with an unknown --cluster: usage error" "2 gkeid fault: cluster \"no-such-cluster\" not found in project demo-project; the clusters are: demo-cluster" "$rc $out"

# --- the metadata server's own pod
out=$(kubectl get pods -n=kube-system)
has "up runs kube-system/gke-metadata-server-XXXXX" "gke-metadata-server-" "$out"
DS=$(kubectl get pods -n kube-system -l k8s-app=gke-metadata-server -o jsonpath='{.items[0].metadata.name}')
eq "... labelled k8s-app=gke-metadata-server, on local-node, Running and Ready" "local-node Running true" \
	"$(kubectl get pod -n kube-system "$DS" -o jsonpath='{.spec.nodeName} {.status.phase} {.status.containerStatuses[0].ready}')"

# --- metadata-crashloop
eq "a pod gets a token" "200 rc=0" "$("$G" exec -- sh -c "$PODCURL")"
ok "set metadata-crashloop" fault_admin set metadata-crashloop
out=$(kubectl get pods -n=kube-system | grep CrashLoopBackOff)
has "kubectl get pods shows CrashLoopBackOff" "$DS   0/1     CrashLoopBackOff   1" "$out"
has "kubectl describe shows the last state OOMKilled" "OOMKilled" \
	"$(kubectl describe pod "$DS" --namespace=kube-system | grep OOMKilled)"
# the node follows its pod's watch: wait for its listener to close
wait_for 30 output_is "000 rc=7" "$G" exec -- sh -c "$PODCURL"
eq "the metadata server refuses connections (curl exit 7)" "000 rc=7" "$WAIT_OUT"
ok "clear metadata-crashloop" fault_admin clear metadata-crashloop
wait_for 30 output_is "200 rc=0" "$G" exec -- sh -c "$PODCURL"
eq "cleared: the metadata server answers again" "200 rc=0" "$WAIT_OUT"
eq "... and its pod is Running, 1 restart" "Running 1" \
	"$(kubectl get pod -n kube-system "$DS" -o jsonpath='{.status.phase} {.status.containerStatuses[0].restartCount}')"

# --- control-plane-down
"$G" exec --name cp-probe -- sleep 600 >/dev/null 2>&1 &
CP_EXEC=$!
wait_for 30 output_nonempty kubectl get pod cp-probe -o jsonpath='{.status.podIP}'
A=$WAIT_OUT
MD_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$DATA_DIR/nodes/local-node.json")
ok "set control-plane-down" fault_admin set control-plane-down
out=$(kubectl get pods 2>&1); rc=$?
eq "kubectl fails" 1 $rc
has "... connection refused" "was refused" "$out"
has "fault list shows it on demo-cluster" "control-plane-down   on      demo-cluster" "$(fault_admin list)"
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$A:$MD_PORT$TOKEN?scopes=https://www.googleapis.com/auth/cloud-platform.read-only")
has "the metadata server answers 500" "HTTP 500" "$out"
has "... with Go's dial error" "dial tcp 127.0.0.1:" "$out"
has "... connection refused" "connect: connection refused" "$out"
ok "clear control-plane-down" fault_admin clear control-plane-down
ok "kubectl works again" kubectl get pods
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$A:$MD_PORT$TOKEN?scopes=https://www.googleapis.com/auth/cloud-platform.read-only")
has "the same request gets a token" "HTTP 200" "$out"
kill -TERM $CP_EXEC; wait $CP_EXEC 2>/dev/null

# --- metadata-slow
ok "set metadata-slow --seconds 4" fault_admin set metadata-slow --seconds 4
has "fault list shows 4s" "metadata-slow        on      4s" "$(fault_admin list)"
out=$("$G" exec --name slow-pod -- sh -c 'curl -sS --max-time 1 -H "Metadata-Flavor: Google" "http://$GCE_METADATA_HOST'$TOKEN'"; echo " rc=$?"' 2>&1)
has "a client with a 1 s timeout times out (curl exit 28)" "rc=28" "$out"
has "... Operation timed out" "Operation timed out" "$out"
out=$(kubectl get events --field-selector involvedObject.name=slow-pod)
has "a Warning event MetadataServerNotReady on the pod" "Warning   MetadataServerNotReady   pod/slow-pod" "$out"
eq "a client that waits gets its token" "200 rc=0" "$("$G" exec -- sh -c "$PODCURL")"
ok "clear metadata-slow" fault_admin clear metadata-slow

# --- istio-proxy
ok "set istio-proxy --seconds 3" fault_admin set istio-proxy --seconds 3
INJ=(--annotation sidecar.istio.io/inject=true)
out=$("$G" exec --name istio-pod "${INJ[@]}" --keep-env -- sh -c "$PODCURL; kubectl get pod istio-pod -o jsonpath='{.spec.containers[*].name} {.metadata.annotations.sidecar\.istio\.io/status}'" 2>&1)
has "an injected pod's first request is refused (curl exit 7)" "000 rc=7" "$out"
has "... the pod has an istio-proxy container" "main istio-proxy" "$out"
has "... and Istio's status annotation" '"containers":["istio-proxy"]' "$out"
out=$(kubectl get events --field-selector involvedObject.name=istio-pod)
has "a Warning event ProxyNotReady" "Warning   ProxyNotReady" "$out"
out=$("$G" exec "${INJ[@]}" --annotation 'proxy.istio.io/config={ "holdApplicationUntilProxyStarts": true }' -- sh -c "$PODCURL")
eq "holdApplicationUntilProxyStarts: the first request works" "200 rc=0" "$out"
out=$("$G" exec "${INJ[@]}" --annotation 'traffic.sidecar.istio.io/excludeOutboundIPRanges=169.254.169.254/32' -- sh -c "$PODCURL")
eq "excludeOutboundIPRanges 169.254.169.254/32: the first request works" "200 rc=0" "$out"
out=$("$G" exec "${INJ[@]}" --annotation 'traffic.sidecar.istio.io/excludeOutboundIPRanges=10.0.0.0/8' -- sh -c "$PODCURL" 2>/dev/null)
eq "... a range that does not cover it does not help" "000 rc=7" "$out"
out=$("$G" exec -- sh -c "$PODCURL")
eq "a pod without Istio is not affected" "200 rc=0" "$out"
# A SIGTERM while exec holds the command for the proxy (the pod exists, the command has
# not started) ends exec through its cleanup: once it killed exec and left the pod.
ok "set istio-proxy --seconds 120" fault_admin set istio-proxy --seconds 120
"$G" exec --name held-pod "${INJ[@]}" --annotation 'proxy.istio.io/config={ "holdApplicationUntilProxyStarts": true }' -- touch "$T_TMP/held.ran" >/dev/null 2>&1 &
HELD_EXEC=$!
wait_for 60 kubectl get pod held-pod -o name
kill -TERM $HELD_EXEC; wait $HELD_EXEC
eq "SIGTERM before the command runs: exec exits 128+15" 143 $?
wait_for 30 output_lacks held-pod kubectl get pods -o name
eq "... its pod is deleted" "" "$(grep held-pod <<<"$WAIT_OUT")"
[ -e "$T_TMP/held.ran" ] && fail "... and the command never ran" || pass "... and the command never ran"
ok "clear istio-proxy" fault_admin clear istio-proxy

# --- metadata-dns
ok "set metadata-dns" fault_admin set metadata-dns
eq "a pod gets no GCE_METADATA_HOST" "" "$("$G" exec -- sh -c 'echo "${GCE_METADATA_HOST:-}"')"
cat >"$T_TMP/auth.py" <<'EOF'
import sys
sys.path[:0] = sys.argv[1].split(":")
import google.auth, google.auth.transport.requests
creds, project = google.auth.default()
creds.refresh(google.auth.transport.requests.Request())
print("token", "ok" if creds.token else "none")
EOF
out=$("$G" exec --name dns-pod -- "$GCLOUD_PY" "$T_TMP/auth.py" "$GCLOUD_PYPATH" 2>&1)
has "google-auth cannot resolve metadata.google.internal" "Failed to resolve 'metadata.google.internal'" "$out"
out=$(kubectl get events --field-selector involvedObject.name=dns-pod)
has "a Warning event DNSConfigForming mentioning metadata.google.internal" "DNSConfigForming   pod/dns-pod   The pod's DNS configuration was formed without metadata.google.internal" "$out"
out=$("$G" exec --name dns-fixed --env GCE_METADATA_HOST=169.254.169.254 --keep-env -- sh -c \
	"\"$GCLOUD_PY\" \"$T_TMP/auth.py\" \"$GCLOUD_PYPATH\"; kubectl get pod dns-fixed -o jsonpath='{.spec.containers[0].env}'" 2>&1)
has "--env GCE_METADATA_HOST=169.254.169.254: google-auth gets a token" "token ok" "$out"
has "... the env is in the Pod spec" '[{"name":"GCE_METADATA_HOST","value":"169.254.169.254"}]' "$out"
# network-namespace pods (root): exec --netns manages /etc/netns/NAME/hosts, which
# `ip netns exec` bind-mounts over /etc/hosts
NSN=gkeid-fault-$$
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns add "$NSN" 2>/dev/null; then
	out=$("$G" exec --netns "$NSN" -- getent hosts metadata.google.internal); rc=$?
	eq "--netns with metadata-dns: metadata.google.internal does not resolve in the pod" "2 " "$rc $out"
	ok "clear metadata-dns" fault_admin clear metadata-dns
	out=$("$G" exec --netns "$NSN" -- getent hosts metadata.google.internal)
	has "--netns: metadata.google.internal is 169.254.169.254 in the pod" "169.254.169.254 metadata.google.internal" "$out"
	eq "... and exec removes the files it wrote" "no" "$([ -e "/etc/netns/$NSN" ] && echo yes || echo no)"
	ip netns del "$NSN"
else
	echo "# skipped: --netns needs root and iproute2 (network namespaces)"
	ok "clear metadata-dns" fault_admin clear metadata-dns
fi
eq "cleared: pods get GCE_METADATA_HOST again" "1" "$("$G" exec -- sh -c 'echo ${GCE_METADATA_HOST:+1}')"

# --- iam-propagation
# the principals are made with curl (gcloud's own runs of these commands are
# test_iamapi's and test_crm's)
api POST /iam/v1/projects/demo-project/serviceAccounts '{"accountId":"prop-gsa"}' >/dev/null
kubectl create serviceaccount prop >/dev/null
kubectl annotate serviceaccount prop iam.gke.io/gcp-service-account=prop-gsa@demo-project.iam.gserviceaccount.com >/dev/null
ok "set iam-propagation --seconds 600" fault_admin set iam-propagation --seconds 600
api POST /iam/v1/projects/-/serviceAccounts/prop-gsa@demo-project.iam.gserviceaccount.com:setIamPolicy \
	'{"policy":{"bindings":[{"role":"roles/iam.workloadIdentityUser","members":["serviceAccount:demo-project.svc.id.goog[default/prop]"]}]}}' >/dev/null
out=$("$G" exec --serviceaccount prop -- sh -c 'curl -sS -H "Metadata-Flavor: Google" "http://$GCE_METADATA_HOST'$TOKEN'"')
has "a fresh binding has not propagated: 403" "Permission 'iam.serviceAccounts.getAccessToken' denied" "$out"
ok "clear iam-propagation (back to up's --iam-propagation, 0)" fault_admin clear iam-propagation
eq "the binding now takes effect" "200 rc=0" "$("$G" exec --serviceaccount prop -- sh -c "$PODCURL")"

# --- clear --all
fault_admin set metadata-slow >/dev/null && fault_admin set metadata-dns >/dev/null
out=$(fault_admin clear --all)
eq "clear --all: every fault off" "6" "$(echo "$out" | grep -c ' off ')"

# --- who may (continued): principals other than the admin
# a service account that is an editor of both projects: everything but the owner's
FSA=fault-sa@demo-project.iam.gserviceaccount.com
api POST /iam/v1/projects/demo-project/serviceAccounts '{"accountId":"fault-sa"}' >/dev/null
for p in demo-project other-project; do
	grant projects/$p serviceAccount:$FSA roles/editor >/dev/null 2>&1
done
ok "a key for it" gcloud iam service-accounts keys create "$T_TMP/fsa.json" --iam-account=$FSA
cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-sa"
AS_SA="env CLOUDSDK_CONFIG=$T_TMP/gcloud-sa"
ok "activated in its own gcloud configuration" $AS_SA gcloud auth activate-service-account --key-file="$T_TMP/fsa.json"
SA_TOKEN=$($AS_SA gcloud auth print-access-token 2>/dev/null)
# fault_sa ARGS...: `gkeid fault ARGS` as the service account, its token from a file
# (the first run below takes it from the SA's gcloud configuration, the default)
printf '%s\n' "$SA_TOKEN" >"$T_TMP/sa.tok"
fault_sa() { "$G" fault "$@" --access-token-file "$T_TMP/sa.tok"; }
out=$(API_TOKEN=$SA_TOKEN api PUT /gkeid/v1/faults/iam-propagation '{"seconds":86400}')
has "an editor PUTs iam-propagation: 403" "HTTP 403" "$out"
has "... IAM's text" "Permission 'gkeid.faults.set' denied on resource (or it may not exist)." "$out"
has "... IAM_PERMISSION_DENIED" '"reason": "IAM_PERMISSION_DENIED"' "$out"
eq "... and changes nothing" "" "$(state)"
has "an editor GETs the list: 403 gkeid.faults.list" "Permission 'gkeid.faults.list' denied" "$(API_TOKEN=$SA_TOKEN api GET /gkeid/v1/faults)"
has "an editor clears all: 403 gkeid.faults.clear" "Permission 'gkeid.faults.clear' denied" "$(API_TOKEN=$SA_TOKEN api DELETE /gkeid/v1/faults)"
has "an editor PUTs an unknown fault: 403 before 404" "HTTP 403" "$(API_TOKEN=$SA_TOKEN api PUT /gkeid/v1/faults/bogus '{}')"
out=$($AS_SA "$G" fault set control-plane-down 2>&1); rc=$?
eq "gkeid fault as the editor: exit 1" 1 "$rc"
has "... not allowed, with IAM's text" "gkeid fault: not allowed: Permission 'gkeid.faults.set' denied on resource (or it may not exist)." "$out"
has "... and which roles may" "roles/owner and roles/gkeid.faultInjector hold" "$out"
ok "... the cluster still answers" kubectl get --raw /version
eq "... and nothing changed" "" "$(state)"

# roles/gkeid.faultInjector on up's project: its cluster faults, not IAM's in every project
# perms ROLE: roles.get's status and the role's gkeid.faults.* permissions, ";"-separated
perms() { _r=$(api GET "/iam/v1/roles/$1"); echo "$(code "$_r") $(jget "$_r" '";".join(p for p in j["includedPermissions"] if p.startswith("gkeid.faults."))')"; }
eq "roles/gkeid.faultInjector holds gkeid.faults.clear, .list and .set" "200 gkeid.faults.clear;gkeid.faults.list;gkeid.faults.set" \
	"$(perms gkeid.faultInjector)"
has "roles/owner holds them" "gkeid.faults.set" "$(perms owner)"
eq "roles/editor does not" "200 " "$(perms editor)"
ok "the owner grants roles/gkeid.faultInjector on demo-project" \
	gcloud projects add-iam-policy-binding demo-project --member=serviceAccount:$FSA --role=roles/gkeid.faultInjector
ok "the fault injector sets metadata-slow" fault_sa set metadata-slow --seconds 1
ok "... lists" fault_sa list
ok "... and clears it" fault_sa clear metadata-slow
out=$(fault_sa set iam-propagation --seconds 86400 2>&1); rc=$?
eq "... but not iam-propagation, which needs every project (other-project): exit 1" 1 "$rc"
has "... 403" "Permission 'gkeid.faults.set' denied" "$out"
has "... nor clear --all" "Permission 'gkeid.faults.clear' denied" "$(fault_sa clear --all 2>&1)"
eq "... nothing changed" "" "$(state)"
ok "granted on other-project too" \
	gcloud projects add-iam-policy-binding other-project --member=serviceAccount:$FSA --role=roles/gkeid.faultInjector
ok "... it may set iam-propagation" fault_sa set iam-propagation --seconds 600
eq "... which is on" "iam-propagation " "$(state)"
# its grant on other-project is seconds old: under a 600 s delay it would not count yet,
# but the fault endpoint reads the current policy, or nobody could clear the fault
ok "... and clear --all, with the grant that the delay hides" fault_sa clear --all
eq "... which clears it" "" "$(state)"
finish
