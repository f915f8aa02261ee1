#!/usr/bin/env bash
# startup_timeout.sh - the seed's "포드 시작 시 제한 시간 오류" (timeouts at pod start):
# the metadata server needs a few seconds before it accepts requests from a new pod,
# so a client with a short timeout fails in the pod's first seconds. The seed's fix is
# an initContainer that waits for the metadata server. Broken with
# `gkeid fault set metadata-slow --seconds 6` (the node holds a new pod's requests until
# the pod is 6 s old).
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
. "$(dirname "$0")/../e2e/fault_lib.sh"
wi_setup
# The application: a client with a short (2 s) timeout. The seed quotes no message;
# curl's is "Operation timed out".
APP='curl -sS --max-time 2 -H "Metadata-Flavor: Google" "http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/token" >/dev/null && echo "token ok"'

# (1) a working pod
pod_start working -- "$APP"
pod_wait working
eq "a pod's short-timeout client gets a token" "token ok" "$POD_OUT"
pod_stop working

# (2) break it
ok "gkeid fault set metadata-slow --seconds 6" gkeid_fault set metadata-slow --seconds 6

# (3) the symptom: authentication in the pod's first seconds times out
pod_start slow-pod -- "$APP"
pod_wait slow-pod
eq "the client fails (curl exit 28)" 28 "$POD_RC"
has "... Operation timed out" "Operation timed out after" "$POD_OUT"

# (4) diagnosis: the seed's init container says "Check if the gke-metadata-server Pod
# in the kube-system namespace is healthy"; it is, and the pod's events say why
out=$(kubectl get pods -n=kube-system)
has "kubectl get pods -n=kube-system: gke-metadata-server is Running" "1/1     Running" "$(echo "$out" | grep gke-metadata-server)"
out=$(kubectl get events --field-selector involvedObject.name=slow-pod)
has "kubectl get events: Warning MetadataServerNotReady on the pod" "Warning   MetadataServerNotReady   pod/slow-pod" "$out"

# (5) the doctor
doctor_pod slow-pod
eq "doctor exits 1" 1 "$DOC_RC"
eq "doctor: metadata-startup fails" fail "$(dstatus metadata-startup)"
has "... citing the event" "MetadataServerNotReady" "$(devidence metadata-startup)"
pod_stop slow-pod

# (6) the seed's fix, verbatim up to the address: the initContainer
# workload-identity-initcontainer of pod-with-initcontainer runs before the main
# container (gkeid exec runs one command: the init command, then the application).
# In local mode the pod's 169.254.169.254 is $GCE_METADATA_HOST.
INIT=$(cat <<'EOF'
curl -sS -H 'Metadata-Flavor: Google' "http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/token" --retry 30 --retry-connrefused --retry-max-time 60 --connect-timeout 3 --fail --retry-all-errors > /dev/null && exit 0 || echo 'Retry limit exceeded. Failed to wait for metadata server to be available. Check if the gke-metadata-server Pod in the kube-system namespace is healthy.' >&2; exit 1
EOF
)
printf '%s\n' "$INIT" >"$T_TMP/init.sh"
pod_start pod-with-initcontainer -- "/bin/bash '$T_TMP/init.sh' && $APP"
pod_wait pod-with-initcontainer

# (7) the application authenticates
eq "after the initContainer the short-timeout client gets a token" "token ok" "$POD_OUT"
pod_stop pod-with-initcontainer
ok "gkeid fault clear metadata-slow" gkeid_fault clear metadata-slow
pod_start after -- "$APP"
pod_wait after
eq "cleared: a new pod's client gets a token at once" "token ok" "$POD_OUT"
fault_finish
