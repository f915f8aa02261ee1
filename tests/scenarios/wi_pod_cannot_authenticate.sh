#!/usr/bin/env bash
# wi_pod_cannot_authenticate.sh - the seed's "포드가 Google Cloud에 인증할 수 없음" (the pod
# cannot authenticate to Google Cloud), its six checks one by one: for each, break it,
# show the symptom in a pod, run the seed's diagnosis command (verbatim up to names) and
# read its output, let `gkeid doctor workload-identity` name the cause and print the fix,
# apply the seed's fix verbatim, and see the pod authenticate again.
#
# Every check shows the pod's own symptom: for 3, `gkeid up`'s node has the project's
# Compute Engine default service account, as a GKE node's VM, and hands it to pods once
# its pool is in GCE_METADATA mode; for 6, the node enforces NetworkPolicy egress to the
# metadata server and drops a blocked pod's connection (no answer, as GKE's dataplane).
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
P=demo-project
L=us-central1
GSA=app-gsa@$P.iam.gserviceaccount.com
export HOME=$T_TMP/home
mkdir -p "$HOME"
# the doctor's token once (test_doctor covers gcloud as its source), not a gcloud start a run
GKEID_DOCTOR_ACCESS_TOKEN=$(gcloud_token)
export GKEID_DOCTOR_ACCESS_TOKEN
# Each break is made with curl (the API calls gcloud would make): the seed's diagnosis
# and fix commands are what runs through gcloud, and a gcloud start is a second of CPU.
export API_TOKEN=$GKEID_DOCTOR_ACCESS_TOKEN
CT=/container/v1/projects/$P/locations/$L/clusters/demo-cluster
# pool_mode MODE: the default pool's workloadMetadataConfig (node-pools update)
pool_mode() { code "$(api PUT "$CT/nodePools/default-pool" "{\"workloadMetadataConfig\":{\"mode\":\"$1\"}}")"; }
# doctor: runs the doctor on the long-lived pod; DOC (json) and DOC_RC
doctor() { DOC=$("$GKEID" doctor workload-identity --pod app-pod --namespace default --output json); DOC_RC=$?; }
failed_ids() { jget "$DOC" "' '.join(c['id'] for c in j['checks'] if c['status']=='fail')"; }
# pod_token: a pod of KSA app asks its metadata server for a token, with a scope of its
# own each time (random) so that no cached token hides a failure; body, then "HTTP <code>"
pod_token() {
	N=$RANDOM$RANDOM$RANDOM
	"$GKEID" exec --serviceaccount "${1:-app}" -- sh -c "curl -sS -H 'Metadata-Flavor: Google' -w '\nHTTP %{http_code}' \
		\"http://\$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/token?scopes=https://www.googleapis.com/auth/cloud-platform,https://www.googleapis.com/auth/scenario.$N\"" 2>&1
}
# until_token: the pod gets a token (the node trusts what it read about a KSA for 5 s)
until_token() {
	wait_for 60 output_has "HTTP 200" pod_token
	has "$1" '"token_type":"Bearer"' "$WAIT_OUT"
}
# pod_email: the account a pod of KSA app is given (the pod's default/email)
pod_email() {
	"$GKEID" exec --serviceaccount app -- sh -c "curl -sS --max-time 5 -H 'Metadata-Flavor: Google' \
		\"http://\$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email\"" 2>&1
}
# until_email WANT: polls (bounded) until the pod's email is WANT; the node reads its
# pool's mode every second; prints the last answer
until_email() {
	wait_for 40 output_is "$1" pod_email
	printf '%s' "$WAIT_OUT"
}
# pod_curl_rc: a pod's short-timeout request for its email: curl's exit status
pod_curl_rc() {
	"$GKEID" exec --serviceaccount app -- sh -c "curl -sS --max-time 2 -o /dev/null -H 'Metadata-Flavor: Google' \
		\"http://\$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email\"" >/dev/null 2>&1
	echo $?
}
NODE_SA=123456789012-compute@developer.gserviceaccount.com

eq "create the GSA" 200 "$(code "$(api POST /iam/v1/projects/$P/serviceAccounts '{"accountId":"app-gsa"}')")"
ok "create the KSA" kubectl create serviceaccount app
ok "annotate it" kubectl annotate serviceaccount app iam.gke.io/gcp-service-account=$GSA
eq "bind it" 200 "$(code "$(api POST "/iam/v1/projects/-/serviceAccounts/$GSA:setIamPolicy" \
	"{\"policy\":{\"bindings\":[{\"role\":\"roles/iam.workloadIdentityUser\",\"members\":[\"serviceAccount:$P.svc.id.goog[default/app]\"]}]}}")")"
"$GKEID" exec --serviceaccount app --name app-pod -- sleep 900 >/dev/null 2>&1 &
APP_PID=$!
wait_for 30 kubectl get pod app-pod
until_token "a working pod authenticates"
doctor
eq "the doctor finds nothing wrong" "0 " "$DOC_RC $(failed_ids)"

# --- 1. the IAM Service Account Credentials API ----------------------------------------
eq "break 1: disable the IAM Credentials API" 200 \
	"$(code "$(api POST "/serviceusage/v1/projects/$P/services/iamcredentials.googleapis.com:disable" '{"disableDependentServices":true}')")"
out=$(pod_token)
has "symptom: the pod gets 403" "HTTP 403" "$out"
has "... because the API is disabled" "IAM Service Account Credentials API has not been used in project 123456789012 before or it is disabled" "$out"
eq "diagnosis: the API is not among the enabled services" "" \
	"$(gcloud services list --enabled --filter=config.name=iamcredentials.googleapis.com --format='value(config.name)' 2>/dev/null)"
doctor
eq "doctor: exit 1, iamcredentials-api fails" "1 fail" "$DOC_RC $(dst iamcredentials-api)"
has "... and says why" "is not enabled in project $P" "$(dfield iamcredentials-api title)"
eq "doctor's fix" "gcloud services enable iamcredentials.googleapis.com --project=$P" "$(dfield iamcredentials-api fix)"
ok "fix (the seed's \"IAM Credentials API 사용 설정\")" gcloud services enable iamcredentials.googleapis.com --project=$P
until_token "the pod authenticates again"
doctor
eq "doctor: all clear" "0 " "$DOC_RC $(failed_ids)"

# --- 2. the workload identity pool -----------------------------------------------------
# GKE refuses to turn Workload Identity off under a pool that runs the GKE metadata
# server (src/cloud/validate.c), so the pool leaves it first, as GKE's docs order it.
eq "break 2: the node pool goes to GCE_METADATA" 200 "$(pool_mode GCE_METADATA)"
eq "... then Workload Identity is disabled" 200 \
	"$(code "$(api PUT "$CT" '{"update":{"desiredWorkloadIdentityConfig":{"workloadPool":""}}}')")"
eq "symptom: the pod is given the node's service account, not its GSA" "$NODE_SA" "$(until_email "$NODE_SA")"
out=$(gcloud container clusters describe demo-cluster \
    --format="value(workloadIdentityConfig.workloadPool)" 2>/dev/null)
eq "the seed's diagnosis: no workload pool" "" "$out"
doctor
eq "doctor: workload-pool fails" fail "$(dst workload-pool)"
eq "... and the pool's token exchange fails" fail "$(dst token-exchange)"
has "... STS refuses the cluster's tokens" "STS refuses" "$(dfield token-exchange title)"
eq "doctor's fix" "gcloud container clusters update demo-cluster --location=$L --workload-pool=$P.svc.id.goog" \
	"$(dfield workload-pool fix)"
ok "fix" gcloud container clusters update demo-cluster --location=$L --workload-pool=$P.svc.id.goog
eq "the seed's diagnosis shows the pool" "$P.svc.id.goog" "$(gcloud container clusters describe demo-cluster \
    --format="value(workloadIdentityConfig.workloadPool)" 2>/dev/null)"
ok "... and the pool runs the GKE metadata server again (check 3's fix)" gcloud container node-pools update \
	default-pool --cluster=demo-cluster --location=$L --workload-metadata=GKE_METADATA
until_token "the pod authenticates"
doctor
eq "doctor: all clear" "0 " "$DOC_RC $(failed_ids)"

# --- 3. the node pool's metadata server ------------------------------------------------
# (the node reads its pool's mode every second, and until_token's token may still have
# been the node's: the fix above is seen once the pod's email is its GSA again)
eq "a working pod's email is its GSA" "$GSA" "$(until_email "$GSA")"
eq "break 3: the node pool goes to GCE_METADATA" 200 "$(pool_mode GCE_METADATA)"
eq "symptom: the pod is given the node's service account, not its GSA" "$NODE_SA" "$(until_email "$NODE_SA")"
out=$(gcloud container node-pools describe default-pool \
    --cluster=demo-cluster \
    --format="value(config.workloadMetadataConfig.mode)" 2>/dev/null)
eq "the seed's diagnosis: GCE_METADATA" GCE_METADATA "$out"
doctor
eq "doctor: node-pool-metadata fails" fail "$(dst node-pool-metadata)"
has "... naming the pool" "node pool default-pool does not run the GKE metadata server" "$(dfield node-pool-metadata title)"
eq "doctor's fix" "gcloud container node-pools update default-pool --cluster=demo-cluster --location=$L --workload-metadata=GKE_METADATA" \
	"$(dfield node-pool-metadata fix)"
ok "fix" gcloud container node-pools update default-pool --cluster=demo-cluster --location=$L --workload-metadata=GKE_METADATA
eq "the seed's diagnosis: GKE_METADATA" GKE_METADATA "$(gcloud container node-pools describe default-pool \
    --cluster=demo-cluster \
    --format="value(config.workloadMetadataConfig.mode)" 2>/dev/null)"
eq "the pod is given its GSA again" "$GSA" "$(until_email "$GSA")"
until_token "the pod authenticates"
doctor
eq "doctor: all clear" "0 " "$DOC_RC $(failed_ids)"

# --- 4. the KSA's annotation -----------------------------------------------------------
BAD=app-gsa-typo@$P.iam.gserviceaccount.com
ok "break 4: a typo in the annotation" kubectl annotate serviceaccount app --overwrite iam.gke.io/gcp-service-account=$BAD
wait_for 60 output_lacks "HTTP 200" pod_token
out=$WAIT_OUT
hasnt "symptom: the pod gets no token" "HTTP 200" "$out"
has "... IAM refuses the GSA it names" "GenerateAccessToken(\"$BAD\"" "$out"
out=$(kubectl describe serviceaccount \
    --namespace default app)
has "the seed's diagnosis shows the wrong annotation" "iam.gke.io/gcp-service-account: $BAD" "$out"
doctor
eq "doctor: ksa-annotation fails" fail "$(dst ksa-annotation)"
has "... the GSA does not exist" "$BAD, which does not exist" "$(dfield ksa-annotation title)"
has "... the fix points the annotation at a GSA" "kubectl annotate serviceaccount app --namespace default --overwrite iam.gke.io/gcp-service-account=GSA_NAME@$P.iam.gserviceaccount.com" \
	"$(dfield ksa-annotation fix)"
ok "fix: the annotation the seed expects" kubectl annotate serviceaccount app --namespace default --overwrite \
	iam.gke.io/gcp-service-account=$GSA
has "the seed's expected output" "iam.gke.io/gcp-service-account: $GSA" "$(kubectl describe serviceaccount \
    --namespace default app)"
until_token "the pod authenticates"
doctor
eq "doctor: all clear" "0 " "$DOC_RC $(failed_ids)"

# --- 5. the GSA's workloadIdentityUser binding -----------------------------------------
eq "break 5: remove the binding (its only one)" 200 \
	"$(code "$(api POST "/iam/v1/projects/-/serviceAccounts/$GSA:setIamPolicy" '{"policy":{"bindings":[]}}')")"
out=$(pod_token)
has "symptom: the seed's 403" "HTTP/403: generic::permission_denied: loading: GenerateAccessToken(\"$GSA\", \"\"): googleapi: Error 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." "$out"
out=$(gcloud iam service-accounts get-iam-policy \
    app-gsa@demo-project.iam.gserviceaccount.com 2>/dev/null)
hasnt "the seed's diagnosis: no workloadIdentityUser binding" "roles/iam.workloadIdentityUser" "$out"
doctor
eq "doctor: gsa-binding fails" fail "$(dst gsa-binding)"
eq "doctor's fix" "gcloud iam service-accounts add-iam-policy-binding $GSA --role=roles/iam.workloadIdentityUser --member=\"serviceAccount:$P.svc.id.goog[default/app]\"" \
	"$(dfield gsa-binding fix)"
ok "fix" gcloud iam service-accounts add-iam-policy-binding $GSA \
	--role=roles/iam.workloadIdentityUser --member="serviceAccount:$P.svc.id.goog[default/app]"
out=$(gcloud iam service-accounts get-iam-policy \
    app-gsa@demo-project.iam.gserviceaccount.com 2>/dev/null)
has "the seed's expected binding" "- members:
  - serviceAccount:demo-project.svc.id.goog[default/app]
  role: roles/iam.workloadIdentityUser" "$out"
until_token "the pod authenticates"
doctor
eq "doctor: all clear" "0 " "$DOC_RC $(failed_ids)"

# --- 6. a NetworkPolicy that blocks the metadata server --------------------------------
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress
spec:
  podSelector: {}
  policyTypes: [Egress]
EOF
eq "break 6: a deny-all egress policy" deny-egress "$(kubectl get networkpolicy deny-egress -o jsonpath='{.metadata.name}')"
# the node reads a namespace's policies again after a second: poll (bounded)
wait_for 60 output_is 28 pod_curl_rc
eq "symptom: the pod's request gets no answer (curl --max-time 2 times out: exit 28)" 28 "$WAIT_OUT"
NODE_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$DATA_DIR/nodes/local-node.json")
dropped=$(curl -sS "http://127.0.0.1:$NODE_PORT/metrics" | sed -n 's/^gkeid_node_netpol_dropped_total //p')
case "$dropped" in '' | 0 | *[!0-9]*) fail "... the node counts the dropped connection" "$dropped" ;; *) pass "... the node counts the dropped connection ($dropped)" ;; esac
out=$(kubectl describe networkpolicy deny-egress)
has "the seed's diagnosis: egress isolated" "<none> (Selected pods are isolated for egress connectivity)" "$out"
doctor
eq "doctor: network-policy fails" fail "$(dst network-policy)"
has "... for 1.21.0-gke.1000 and later: 169.254.169.252 port 988" "(169.254.169.252:988/TCP)" "$(dfield network-policy title)"
ok "fix: the doctor's policy, as printed" sh -c "$(dfield network-policy fix)"
out=$(kubectl describe networkpolicy allow-gke-metadata-server)
has "the seed's diagnosis: egress to 169.254.169.252/32 on port 988" "To Port: 988/TCP" "$out"
has "... to the address" "IPBlock:
        CIDR: 169.254.169.252/32" "$out"
wait_for 60 output_is 0 pod_curl_rc
eq "the pod's request is answered again" 0 "$WAIT_OUT"
until_token "the pod authenticates"
doctor
eq "doctor: all clear" "0 " "$DOC_RC $(failed_ids)"

kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null
finish
