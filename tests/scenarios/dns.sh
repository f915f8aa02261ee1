#!/usr/bin/env bash
# dns.sh - the seed's "DNS 변환 문제" (DNS resolution problems): client libraries that
# look up metadata.google.internal cannot find the metadata server when that name does
# not resolve in the pod; setting GCE_METADATA_HOST=169.254.169.254 in the pod spec
# makes them skip DNS. Broken with `gkeid fault set metadata-dns`.
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
. "$(dirname "$0")/../e2e/fault_lib.sh"
wi_setup
PYAUTH="\"$GCLOUD_PY\" \"$AUTH_PY\" \"$GCLOUD_PYPATH\""

# (1) a working pod
pod_start working -- "$PYAUTH"
pod_wait working
eq "a pod authenticates with google-auth" "token ok" "$POD_OUT"
doctor_pod working
eq "doctor: metadata-dns passes for the working pod" pass "$(dstatus metadata-dns)"
pod_stop working

# (2) break it: metadata.google.internal stops resolving in new pods
ok "gkeid fault set metadata-dns" gkeid_fault set metadata-dns

# (3) the symptom. The seed quotes Java's "ComputeEngineCredentials cannot find the
# metadata server. This is likely because code is not running on Google Compute Engine";
# Python's google-auth says the same in its words: the metadata server is unavailable
# because metadata.google.internal does not resolve.
pod_start dns-pod -- "$PYAUTH"
pod_wait dns-pod
no "google-auth fails" test "$POD_RC" = 0
has "... the metadata server is not found" "Compute Engine Metadata server unavailable" "$POD_OUT"
has "... because metadata.google.internal does not resolve" "Failed to resolve 'metadata.google.internal'" "$POD_OUT"
out=$(kubectl get pod dns-pod -o jsonpath='{.spec.containers[0].env}')
eq "the pod spec sets no GCE_METADATA_HOST" "" "$out"

# (4) diagnosis: the seed names the messages to look for; the pod's events show why
out=$(kubectl get events --field-selector involvedObject.name=dns-pod)
has "kubectl get events: Warning DNSConfigForming about metadata.google.internal" \
	"Warning   DNSConfigForming   pod/dns-pod   The pod's DNS configuration was formed without metadata.google.internal" "$out"

# (5) the doctor
doctor_pod dns-pod
eq "doctor exits 1" 1 "$DOC_RC"
eq "doctor: metadata-dns fails" fail "$(dstatus metadata-dns)"
has "... its fix sets GCE_METADATA_HOST" "GCE_METADATA_HOST" "$(devidence metadata-dns)"
pod_stop dns-pod

# (6) the seed's fix, verbatim: the Pod example-pod with
#       env:
#       - name: GCE_METADATA_HOST
#         value: "169.254.169.254"
# (gkeid exec --env records it in the Pod spec; the fault stays set)
pod_start example-pod --env GCE_METADATA_HOST=169.254.169.254 -- "$PYAUTH"
pod_wait example-pod

# (7) the pod authenticates again
eq "with GCE_METADATA_HOST=169.254.169.254 google-auth gets a token" "token ok" "$POD_OUT"
eq "... the Pod spec carries the env" '[{"name":"GCE_METADATA_HOST","value":"169.254.169.254"}]' \
	"$(kubectl get pod example-pod -o jsonpath='{.spec.containers[0].env}')"
doctor_pod example-pod
eq "doctor: metadata-dns passes for example-pod" pass "$(dstatus metadata-dns)"
pod_stop example-pod
ok "gkeid fault clear metadata-dns" gkeid_fault clear metadata-dns
fault_finish
