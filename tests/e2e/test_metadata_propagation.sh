#!/usr/bin/env bash
# test_metadata_propagation.sh - the seed's "IAM service account access denied" case:
# with `gkeid up --iam-propagation 5s`, a pod whose roles/iam.workloadIdentityUser
# binding was just added first gets the 403 the seed quotes (HTTP/403:
# generic::permission_denied: loading: GenerateAccessToken(...)), then a token once the
# change has propagated. The node caches no error, so the token comes as soon as IAM
# allows it.
. "$(dirname "$0")/lib.sh"
gkeid_up --iam-propagation 5s
. "$(dirname "$0")/metadata_lib.sh"
md_setup
P=demo-project
GSA=late-gsa@$P.iam.gserviceaccount.com
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token

ok "create the GSA" sa_create late-gsa
kubectl create serviceaccount late >/dev/null
ok "annotate the KSA" kubectl annotate serviceaccount late iam.gke.io/gcp-service-account=$GSA
"$GKEID" exec --serviceaccount late --name late -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
A=$(md_pod_wait default late)
A=$A:$MD_PORT
# The clock starts before the binding command: the binding is written during it, so a
# token that comes sooner than the delay after start came too soon, however slow gcloud is.
start=$(date +%s%N)
ok "bind roles/iam.workloadIdentityUser (a pipeline creating everything at once)" \
	grant serviceAccounts/$GSA "serviceAccount:$P.svc.id.goog[default/late]" roles/iam.workloadIdentityUser
out=$(md_get "$A" $TOKEN)
has "right after the binding: the seed's message" "HTTP/403: generic::permission_denied: loading: GenerateAccessToken(\"$GSA\", \"\"): googleapi: Error 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." "$out"
has "... as a 403" "HTTP 403" "$out"
has "... with the hint about the binding" "This error could be caused by a missing IAM policy binding on the target IAM service account." "$out"
wait_for 40 output_has '"token_type":"Bearer"' md_get "$A" $TOKEN
got=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $got = 0 ] && pass "once the change has propagated: a token ($ms ms)" || fail "once the change has propagated: a token" "$WAIT_OUT"
[ $ms -ge 3500 ] && pass "... not before the propagation delay" || fail "... not before the propagation delay" "$ms ms"
out=$("$GKEID" exec --serviceaccount late -- sh -c "curl -sS -H 'Metadata-Flavor: Google' http://\$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email")
eq "a new pod of the KSA has the GSA's identity" "$GSA" "$out"
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null
md_finish
