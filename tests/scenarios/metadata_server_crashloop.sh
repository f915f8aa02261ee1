#!/usr/bin/env bash
# metadata_server_crashloop.sh - the seed's "gke-metadata-server 포드가 비정상 종료됨": the
# gke-metadata-server DaemonSet pod is OOMKilled (its memory grows with the cluster's
# Kubernetes service accounts; more than 3,000 can do it) and crash-loops, so pods on
# its node cannot authenticate. Diagnosis:
#   kubectl get pods -n=kube-system | grep CrashLoopBackOff
#   kubectl describe pod POD_NAME --namespace=kube-system | grep OOMKilled
# Broken with `gkeid fault set metadata-crashloop`.
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
. "$(dirname "$0")/../e2e/fault_lib.sh"
wi_setup
PYAUTH="\"$GCLOUD_PY\" \"$AUTH_PY\" \"$GCLOUD_PYPATH\""
PROBE='curl -s -o /dev/null -H "Metadata-Flavor: Google" "http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/token"; echo "curl exit $?"'
# probe NAME: a pod runs PROBE; prints its output
probe() { pod_start "$1" -- "$PROBE"; pod_wait "$1"; pod_stop "$1"; printf '%s\n' "$POD_OUT"; }

# (1) a working pod
pod_start working -- "$PYAUTH"
pod_wait working
eq "a pod authenticates with google-auth" "token ok" "$POD_OUT"
pod_stop working
doctor_pod_ksa() {
	DOC=$("$GKEID" doctor workload-identity --namespace default --serviceaccount app --output json 2>"$T_TMP/doctor.err")
	DOC_RC=$?
}
doctor_pod_ksa
eq "doctor: metadata-server passes" pass "$(dstatus metadata-server)"

# (2) break it
ok "gkeid fault set metadata-crashloop" gkeid_fault set metadata-crashloop

# (3) the symptom: the metadata server does not answer, so pods cannot authenticate
wait_for 60 output_is "curl exit 7" probe probe
eq "curl in a pod: the connection is refused (exit 7)" "curl exit 7" "$WAIT_OUT"
pod_start crash-app -- "$PYAUTH"
pod_wait crash-app
no "google-auth fails" test "$POD_RC" = 0
# Python's google-auth finds no metadata server and no other credentials
has "... Your default credentials were not found" "Your default credentials were not found" "$POD_OUT"

# (4) the seed's diagnosis, verbatim up to names
out=$(kubectl get pods -n=kube-system | grep CrashLoopBackOff)
DS=$(echo "$out" | awk '{ print $1 }')
case "$DS" in gke-metadata-server-?????) pass "kubectl get pods -n=kube-system | grep CrashLoopBackOff: $DS" ;;
*) fail "kubectl get pods -n=kube-system | grep CrashLoopBackOff" "$out" ;; esac
eq "... READY 0/1, STATUS CrashLoopBackOff, RESTARTS counted" "0/1 CrashLoopBackOff 1" \
	"$(echo "$out" | awk '{ print $2, $3, $4 }')"
out=$(kubectl get pods -A | grep CrashLoopBackOff)
has "kubectl get pods -A: the seed's columns (NAMESPACE NAME READY STATUS RESTARTS)" \
	"kube-system   $DS   0/1     CrashLoopBackOff   1" "$out"
out=$(kubectl describe pod "$DS" --namespace=kube-system | grep OOMKilled)
has "kubectl describe pod POD_NAME --namespace=kube-system | grep OOMKilled" "Reason:       OOMKilled" "$out"

# (5) the doctor
doctor_pod crash-app
eq "doctor exits 1" 1 "$DOC_RC"
eq "doctor: metadata-server fails" fail "$(dstatus metadata-server)"
has "... naming the crash-looping pod" "$DS" "$(devidence metadata-server)"
pod_stop crash-app

# (6) the fix: the seed's is to bring the cluster under 3,000 Kubernetes service
# accounts, after which the kubelet's restart sticks. This cluster has a handful
# (the doctor counts them), so the OOM is the injected fault, and clearing it is the
# restart that sticks.
n=$(kubectl get serviceaccounts -A --no-headers | wc -l)
[ "$n" -lt 3000 ] && pass "the cluster has fewer than 3,000 KSAs ($n)" || fail "fewer than 3,000 KSAs" "$n"
ok "gkeid fault clear metadata-crashloop" gkeid_fault clear metadata-crashloop
eq "gke-metadata-server is Running again" "Running true" \
	"$(kubectl get pod -n kube-system "$DS" -o jsonpath='{.status.phase} {.status.containerStatuses[0].ready}')"

# (7) pods authenticate again
wait_for 60 output_is "curl exit 0" probe probe2
pod_start after -- "$PYAUTH"
pod_wait after
eq "a pod authenticates with google-auth again" "token ok" "$POD_OUT"
doctor_pod after
eq "doctor: metadata-server passes again" pass "$(dstatus metadata-server)"
fault_finish
