#!/usr/bin/env bash
# iam_propagation.sh - the seed's "IAM 서비스 계정 액세스가 거부됨" (IAM service account
# access denied): with `gkeid up --iam-propagation 30s`, a pod whose
# roles/iam.workloadIdentityUser binding was just added gets the seed's
# `HTTP/403: generic::permission_denied: loading: GenerateAccessToken(...)`; the doctor
# sees the binding in place (gsa-binding passes) yet the exchange refused, and says IAM
# propagation; after waiting, the pod gets a token and the doctor finds nothing wrong.
. "$(dirname "$0")/../e2e/lib.sh"
# 30 s: the pod's request and the doctor must come inside the window after gcloud's
# binding returns, which takes seconds on a loaded machine (5 s was missed under load).
PROP=30
gkeid_up --iam-propagation ${PROP}s
P=demo-project
GSA=late-gsa@$P.iam.gserviceaccount.com
export HOME=$T_TMP/home
mkdir -p "$HOME"
# the doctor's token once, so that it answers quickly inside the propagation window
export GKEID_DOCTOR_ACCESS_TOKEN=$(gcloud_token)
# shellcheck disable=SC2034 # DOC is read by dst and dfield (lib.sh)
doctor() { DOC=$("$GKEID" doctor workload-identity --pod late --namespace default --output json); DOC_RC=$?; }

ok "create the GSA" sa_create late-gsa
ok "create the KSA" kubectl create serviceaccount late
ok "annotate it" kubectl annotate serviceaccount late iam.gke.io/gcp-service-account=$GSA
"$GKEID" exec --serviceaccount late --name late -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
wait_for 30 output_nonempty kubectl get pod late -o jsonpath='{.status.podIP}'
IP=$WAIT_OUT
PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$DATA_DIR/nodes/local-node.json")
token() { curl -sS -H 'Metadata-Flavor: Google' -w '\nHTTP %{http_code}' \
	"http://$IP:$PORT/computeMetadata/v1/instance/service-accounts/default/token"; }

# a deployment pipeline: the binding and the pod together
t_bound=$(date +%s)
ok "bind roles/iam.workloadIdentityUser" gcloud iam service-accounts add-iam-policy-binding $GSA \
	--role=roles/iam.workloadIdentityUser --member="serviceAccount:$P.svc.id.goog[default/late]" --quiet
out=$(token)
[ $(($(date +%s) - t_bound)) -lt $PROP ] || fail "the pod asked within ${PROP}s of the binding (the machine was too slow to test the window)"
has "the pod's log: the seed's 403" "HTTP/403: generic::permission_denied: loading: GenerateAccessToken(\"$GSA\", \"\"): googleapi: Error 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." "$out"
has "... HTTP 403" "HTTP 403" "$out"
doctor
eq "doctor: exit 1" 1 "$DOC_RC"
eq "doctor: the binding is there (gsa-binding passes)" pass "$(dst gsa-binding)"
eq "doctor: token-exchange fails" fail "$(dst token-exchange)"
has "... and names IAM propagation" "IAM propagation" "$(dfield token-exchange title)"
has "... with the seed's timing" "about 2 minutes, sometimes 7 or more" "$(dfield token-exchange title)"
has "... the refusal as evidence" "Permission 'iam.serviceAccounts.getAccessToken' denied" "$(dfield token-exchange evidence)"
has "... the seed's advice: wait, delay before calling Google APIs" "add a delay after the pod starts" \
	"$(dfield token-exchange fix)"

# the seed's fix: wait
wait_for 120 output_has '"token_type":"Bearer"' token &&
	pass "after waiting: the pod gets a token" || fail "after waiting: the pod gets a token" "$WAIT_OUT"
doctor
eq "the doctor finds nothing wrong" "0 pass" "$DOC_RC $(dst token-exchange)"
has "... the exchange works" ":generateAccessToken: 200" "$(dfield token-exchange evidence)"

kill -TERM "$EXEC_PID" 2>/dev/null; wait "$EXEC_PID" 2>/dev/null
finish
