#!/usr/bin/env bash
# control_plane_unavailable.sh - the seed's "컨트롤 플레인 사용 불가로 인한 ... 실패": while
# the cluster's control plane is unavailable the metadata server cannot return Workload
# Identity credentials; it answers 500, and its log shows
# "dial tcp 35.232.136.58:443: connect: connection refused". Broken with
# `gkeid fault set control-plane-down` (the cluster's API server stops accepting).
# gkeid's node keeps serving what it has cached and still valid (GKE answers 500 at
# once), so the pod that shows the symptom is one that has not asked before: cp-app,
# of KSA default/other, started while all was well.
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
. "$(dirname "$0")/../e2e/fault_lib.sh"
wi_setup
wi_ksa other
H='Metadata-Flavor: Google'
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
ENDPOINT=$(gcloud container clusters describe demo-cluster --location us-central1 --format='value(endpoint)')
MD_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$DATA_DIR/nodes/local-node.json")

# (1) a working pod
pod_start working -- "\"$GCLOUD_PY\" \"$AUTH_PY\" \"$GCLOUD_PYPATH\""
pod_wait working
eq "a pod authenticates with google-auth" "token ok" "$POD_OUT"
pod_stop working
# cp-app stays up; the test speaks for it from its address
pod_start cp-app --serviceaccount other -- "true"
pod_wait cp-app
A=$(kubectl get pod cp-app -o jsonpath='{.status.podIP}'):$MD_PORT
doctor_pod cp-app
eq "doctor: control-plane passes" pass "$(dstatus control-plane)"

# (2) break it
ok "gkeid fault set control-plane-down" gkeid_fault set control-plane-down

# (3) the symptom: 500, with Go's dial error naming the API server's address
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$A$TOKEN")
has "the metadata server answers 500" "HTTP 500" "$out"
has "... dial tcp ENDPOINT: connect: connection refused" "dial tcp $ENDPOINT: connect: connection refused" "$out"
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$A/computeMetadata/v1/instance/service-accounts/default/identity?audience=https://example.com")
has "an ID token cannot be had either: 500" "HTTP 500" "$out"

# (4) diagnosis: the control plane does not answer
out=$(kubectl get pods 2>&1); rc=$?
eq "kubectl get pods fails" 1 $rc
has "... The connection to the server ENDPOINT was refused" "The connection to the server $ENDPOINT was refused" "$out"
eq "the cluster is regional (us-central1): the seed's maintenance case is zonal" "us-central1" \
	"$(gcloud container clusters describe demo-cluster --location us-central1 --format='value(location)')"

# (5) the doctor (kube-dependent checks are skipped while the endpoint is down)
doctor_pod cp-app
eq "doctor exits 1" 1 "$DOC_RC"
eq "doctor: control-plane fails" fail "$(dstatus control-plane)"
has "... with the dial error as evidence" "connect: connection refused" "$(devidence control-plane)"

# (6) the fix: the seed's outage ends when the maintenance does (a regional cluster
# avoids it); here clearing the fault ends the outage
ok "gkeid fault clear control-plane-down" gkeid_fault clear control-plane-down
ok "kubectl answers again" kubectl get pods

# (7) the pod authenticates again
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$A$TOKEN")
has "the same request gets a token" "HTTP 200" "$out"
pod_start cp-after -- "\"$GCLOUD_PY\" \"$AUTH_PY\" \"$GCLOUD_PYPATH\""
pod_wait cp-after
eq "a new pod authenticates with google-auth" "token ok" "$POD_OUT"
doctor_pod cp-app
eq "doctor: control-plane passes again" pass "$(dstatus control-plane)"
fault_finish
