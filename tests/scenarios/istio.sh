#!/usr/bin/env bash
# istio.sh - the seed's "Istio를 사용하는 클러스터에서 ... 인증 실패": an application
# that talks to the metadata server before its istio-proxy is ready gets "Connection
# refused (169.254.169.254:80)". Fixes: the pod annotation
# proxy.istio.io/config: '{ "holdApplicationUntilProxyStarts": true }', or
# traffic.sidecar.istio.io/excludeOutboundIPRanges: 169.254.169.254/32.
# Broken with `gkeid fault set istio-proxy --seconds 6`: in Istio-injected pods the
# proxy starts listening 6 s after the pod (gkeid exec runs it).
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
. "$(dirname "$0")/../e2e/fault_lib.sh"
wi_setup
# The application: one request with google-auth's HTTP transport, no retries. The seed
# quotes .NET's "Connection refused (169.254.169.254:80)"; Python's says
# "[Errno 111] Connection refused".
cat >"$T_TMP/app.py" <<'EOF'
import os, sys
sys.path[:0] = sys.argv[1].split(":")
import google.auth.transport.requests as tr
req = tr.Request()
url = "http://%s/computeMetadata/v1/instance/service-accounts/default/token" % os.environ["GCE_METADATA_HOST"]
r = req(url=url, headers={"Metadata-Flavor": "Google"})
print("token ok" if r.status == 200 and b"access_token" in r.data else "HTTP %d" % r.status)
EOF
APP="\"$GCLOUD_PY\" \"$T_TMP/app.py\" \"$GCLOUD_PYPATH\""
INJECT=(--annotation sidecar.istio.io/inject=true)

# (1) a working Istio-injected pod (its proxy is ready at once)
pod_start working "${INJECT[@]}" -- "$APP"
pod_wait working
eq "an injected pod authenticates" "token ok" "$POD_OUT"
pod_stop working

# (2) break it: the proxy becomes ready only 6 s after the pod starts
ok "gkeid fault set istio-proxy --seconds 6" gkeid_fault set istio-proxy --seconds 6

# (3) the symptom
pod_start istio-app "${INJECT[@]}" -- "$APP"
pod_wait istio-app
no "the application fails" test "$POD_RC" = 0
has "... Connection refused" "Connection refused" "$POD_OUT"
out=$(kubectl get pod istio-app -o jsonpath='{.spec.containers[*].name}')
eq "the pod has the istio-proxy container" "main istio-proxy" "$out"

# (4) diagnosis: the seed's Logs Explorer query reads the pod's events (logName:"events",
# involvedObject.name=POD_NAME) and the proxy's "Envoy proxy is ready"; kubectl shows
# the same story in the pod's events: the proxy started, the application failed, then
# the proxy became ready
wait_for 30 output_has "Envoy proxy is ready" \
	kubectl get events --field-selector involvedObject.name=istio-app --sort-by=.lastTimestamp
out=$WAIT_OUT
has "kubectl get events: Started container istio-proxy" "Started container istio-proxy" "$out"
has "... Warning ProxyNotReady" "Warning   ProxyNotReady   pod/istio-app" "$out"
has "... then Envoy proxy is ready" "Envoy proxy is ready" "$out"
# (events have one-second timestamps: the first two share theirs; readiness is 6 s later)
eq "... the proxy became ready after the application had failed" "ProxyReady" \
	"$(echo "$out" | awk 'NR > 1 { r = $3 } END { print r }')"

# (5) the doctor
doctor_pod istio-app
eq "doctor exits 1" 1 "$DOC_RC"
eq "doctor: istio fails" fail "$(dstatus istio)"
has "... its fix names holdApplicationUntilProxyStarts" "holdApplicationUntilProxyStarts" "$(devidence istio)"
pod_stop istio-app

# (6) the seed's first fix, verbatim: proxy.istio.io/config: '{ "holdApplicationUntilProxyStarts": true }'
pod_start held-app "${INJECT[@]}" --annotation 'proxy.istio.io/config={ "holdApplicationUntilProxyStarts": true }' -- "$APP"
pod_wait held-app
# (7) it authenticates
eq "holdApplicationUntilProxyStarts: the application authenticates" "token ok" "$POD_OUT"
doctor_pod held-app
eq "doctor: istio passes for it" pass "$(dstatus istio)"
pod_stop held-app

# (6) the seed's second fix, verbatim: traffic.sidecar.istio.io/excludeOutboundIPRanges: 169.254.169.254/32
pod_start excluded-app "${INJECT[@]}" --annotation 'traffic.sidecar.istio.io/excludeOutboundIPRanges=169.254.169.254/32' -- "$APP"
pod_wait excluded-app
# (7) it authenticates
eq "excludeOutboundIPRanges 169.254.169.254/32: the application authenticates" "token ok" "$POD_OUT"
doctor_pod excluded-app
eq "doctor: istio passes for it" pass "$(dstatus istio)"
pod_stop excluded-app
ok "gkeid fault clear istio-proxy" gkeid_fault clear istio-proxy
fault_finish
