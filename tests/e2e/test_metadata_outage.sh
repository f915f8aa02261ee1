#!/usr/bin/env bash
# test_metadata_outage.sh - the metadata server while its upstreams are away. GKE
# answers 500 as soon as the control plane is unreachable (the seed: "dial tcp
# 35.232.136.58:443: connect: connection refused"); gkeid's node keeps serving cached
# tokens that are still valid, and service accounts it knows, and says clearly when a
# token has expired and cannot be renewed. Every base URL is a flag: STS here is a
# stand-in that issues 8-second tokens, so expiry can be watched.
. "$(dirname "$0")/lib.sh"
gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
# gkeid up runs a node as its child; this test needs one that survives the control plane.
# It trusts what it read about a KSA for 1 s (not 5 s), so that the KSA goes stale soon.
md_setup_detached --ksa-ttl 1s
H='Metadata-Flavor: Google'
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
tok() { python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' 2>/dev/null; }

# --- a stand-in STS with short-lived tokens, then gone: expiry is reported clearly
cat >"$T_TMP/sts.py" <<'EOF'
import http.server, json, sys, itertools
n = itertools.count(1)
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"access_token": "short-%d" % next(n), "issued_token_type":
                           "urn:ietf:params:oauth:token-type:access_token",
                           "token_type": "Bearer", "expires_in": 8}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
"$GCLOUD_PY" -S "$T_TMP/sts.py" >"$T_TMP/sts.port" &
STS_PID=$!
wait_for 30 test -s "$T_TMP/sts.port"
md_node "$T_TMP/short.json" "$T_TMP/short.log" --listen local --port 0 --sts-url "http://127.0.0.1:$(cat "$T_TMP/sts.port")"
SP=$(md_port "$T_TMP/short.json")
"$GKEID" exec --node-state "$T_TMP/short.json" --name short -- sleep 600 >/dev/null 2>&1 &
SHORT_EXEC=$!
S=$(md_pod_wait default short)
t1=$(curl -sS -H "$H" "http://$S:$SP$TOKEN" | tok)
eq "--sts-url: the node exchanges at the given STS" "short-1" "$t1"
kill $STS_PID; wait $STS_PID 2>/dev/null
eq "STS gone: the cached token is served while valid" "short-1" "$(curl -sS -H "$H" "http://$S:$SP$TOKEN" | tok)"
# the stand-in's tokens live 8 s: wait (bounded) for the node to stop serving it
wait_for 30 output_has "HTTP 500" curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$S:$SP$TOKEN"
out=$WAIT_OUT
has "past its expiry: 500" "HTTP 500" "$out"
has "... saying the cached token expired and why it cannot be renewed" "the cached token of Kubernetes service account default/default expired at" "$out"
has "... connection refused, Go-style" "connect: connection refused" "$out"
kill -TERM $SHORT_EXEC; wait $SHORT_EXEC 2>/dev/null

# --- the control plane goes away
"$GKEID" exec --node-state "$NODE_STATE" --name probe -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
A=$(md_pod_wait default probe)
A=$A:$MD_PORT
before=$(curl -sS -H "$H" "http://$A$TOKEN" | tok)
[ -n "$before" ] && pass "a token while the control plane is up" || fail "a token while the control plane is up"
gkeid_stop
eq "control plane down: the cached token is still served" "$before" "$(curl -sS -H "$H" "http://$A$TOKEN" | tok)"
# Deliberately timed: what is asserted is that nothing fails once the KSA's cache entry
# is stale (past --ksa-ttl 1s), and nothing observable marks that moment.
sleep 1.5
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$A/computeMetadata/v1/instance/service-accounts/default/email")
eq "... and the service account it knows" "demo-project.svc.id.goog
HTTP 200" "$out"
eq "... the token again" "$before" "$(curl -sS -H "$H" "http://$A$TOKEN" | tok)"
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://$A$TOKEN?scopes=https://www.googleapis.com/auth/devstorage.read_only")
has "a token never obtained: 500 as GKE" "HTTP 500" "$out"
has "... with the reason (dial tcp ...: connect: connection refused)" "dial tcp 127.0.0.1:" "$out"
has "... connection refused" "connect: connection refused" "$out"
out=$(curl -sS -H "$H" -w '\nHTTP %{http_code}' "http://127.0.0.1:$MD_PORT/metrics")
has "metrics count upstream errors" 'gkeid_node_upstream_errors_total{upstream="kube"}' "$out"
stale=$(echo "$out" | sed -n 's/^gkeid_node_token_stale_served_total //p')
[ "${stale:-0}" -ge 1 ] && pass "metrics count stale answers ($stale)" || fail "metrics count stale answers" "$stale"
eq "healthz still answers" "ok" "$(curl -sS "http://127.0.0.1:$MD_PORT/healthz")"
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null
md_finish
