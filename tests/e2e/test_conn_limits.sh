#!/usr/bin/env bash
# test_conn_limits.sh - connection limits under `prlimit --nofile=256`: 900 idle sockets
# at the Google APIs, the cluster's API server and the metadata server (which once took
# every descriptor, and every API with them) leave gcloud, kubectl and a pod's curl
# answered and a running watch streaming: the longest-waiting idle connections make room.
# Then, with short deadlines set by flags, a client that never does its TLS handshake,
# one that never finishes its request, one that does the handshake and sends nothing,
# and an idle keep-alive are each closed after their deadline, while a silent watch
# outlives the idle timeout.
. "$(dirname "$0")/lib.sh"
# the interpreter itself (not lib.sh's python3 function): $! of `$TOOL hold ... &` must be
# the process that the SIGTERM below makes write its "closed-by-server" line
TOOL="$GCLOUD_PY -S $ROOT/tests/e2e/conn_tool.py"
REAL_GKEID=$GKEID
# gkeid up (and the node agent it starts) with 256 descriptors, soft and hard
GKEID=$T_TMP/gkeid-256
printf '#!/bin/sh\nexec prlimit --nofile=256:256 "%s" "$@"\n' "$REAL_GKEID" >"$GKEID"
chmod +x "$GKEID"

gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
md_setup
GPORT=${GKEID_CLOUD_URL##*:}
KPORT=${KUBE_SERVER##*:}
eq "gkeid up runs with 256 descriptors" "256" "$(prlimit --pid "$GKEID_PID" --nofile -o SOFT --noheadings | tr -d ' ')"
NODE_PID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$NODE_STATE")
eq "... and so does its node agent" "256" "$(prlimit --pid "$NODE_PID" --nofile -o SOFT --noheadings | tr -d ' ')"
"$GKEID" exec --name probe -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
for _ in $(seq 1 50); do IP=$(md_pod_ip default probe 2>/dev/null); [ -n "$IP" ] && break; sleep 0.1; done
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
has "the pod gets a token" "HTTP 200" "$(md_get "$IP:$MD_PORT" $TOKEN)"

# A watch being served before the flood.
kubectl create configmap before-flood -n default >/dev/null 2>&1
kubectl get configmaps -n default --watch -o name >"$T_TMP/watch1.out" 2>&1 &
WATCH_PID=$!
for _ in $(seq 1 100); do grep -q "configmap/before-flood" "$T_TMP/watch1.out" && break; sleep 0.1; done
has "a watch streams" "configmap/before-flood" "$(cat "$T_TMP/watch1.out")"

# 900 idle connections: 300 at each listener, the API server's first (its idle
# connections were once kept for 1,800 s).
$TOOL hold "$T_TMP/hold.out" "127.0.0.1:$KPORT:300" "$IP:$MD_PORT:300" "127.0.0.1:$GPORT:300" 2>"$T_TMP/hold.err" &
HOLD_PID=$!
for _ in $(seq 1 600); do grep -q "^open" "$T_TMP/hold.out" 2>/dev/null && break; kill -0 $HOLD_PID 2>/dev/null || break; sleep 0.1; done
eq "900 idle connections are open" "open 900 failed 0" "$(head -n 1 "$T_TMP/hold.out" 2>/dev/null || cat "$T_TMP/hold.err")"

eq "gcloud is still answered" "demo-project" "$(timeout 60 gcloud projects describe demo-project --format='value(projectId)' 2>&1)"
eq "kubectl is still answered" "namespace/default" "$(kubectl get namespace default -o name --request-timeout=20s 2>&1)"
has "a pod's curl to the metadata server is still answered" "HTTP 200" "$(md_get "$IP:$MD_PORT" $TOKEN -m 10)"
has "... and a new pod's too" "demo-project.svc.id.goog" \
	"$("$GKEID" exec -- sh -c 'curl -sS -m 10 -H "Metadata-Flavor: Google" http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email' 2>&1)"
kubectl create configmap after-flood -n default >/dev/null 2>&1
for _ in $(seq 1 100); do grep -q "configmap/after-flood" "$T_TMP/watch1.out" && break; sleep 0.1; done
has "the watch served before the flood still streams" "configmap/after-flood" "$(cat "$T_TMP/watch1.out")"
kill -0 $WATCH_PID 2>/dev/null && pass "... and is still open" || fail "... and is still open"
log=$(cat "$T_TMP/gkeid.log")
has "the Google APIs closed idle connections for new ones" "google: " "$(grep 'closed to make room' <<<"$log")"
has "so did the cluster's API server" "kube[demo-cluster]: " "$(grep 'closed to make room' <<<"$log")"
has "so did the metadata server" "metadata: " "$(grep 'closed to make room' <<<"$log")"
hasnt "accept never failed (the budget kept descriptors free)" "accept failure" "$(grep -E 'accept failure|make room|refused' <<<"$log")"
kill -TERM $HOLD_PID; wait $HOLD_PID 2>/dev/null
k=$(sed -n 's/^closed-by-server //p' "$T_TMP/hold.out")
[ "${k:-0}" -gt 0 ] && pass "the flood's idle sockets were the ones closed ($k)" || fail "the flood's idle sockets were the ones closed" "$(cat "$T_TMP/hold.out")"
kill $WATCH_PID 2>/dev/null; wait $WATCH_PID 2>/dev/null
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null

# Short deadlines, set by flags (up passes them to its node agent).
gkeid_stop
gkeid_up --handshake-timeout 1s --header-timeout 2s --idle-timeout 3s
md_setup
GPORT=${GKEID_CLOUD_URL##*:}
KPORT=${KUBE_SERVER##*:}
"$GKEID" exec --name probe2 -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
for _ in $(seq 1 50); do IP=$(md_pod_ip default probe2 2>/dev/null); [ -n "$IP" ] && break; sleep 0.1; done

# within NAME OUT LOW HIGH: OUT is "closed S" with LOW <= S < HIGH
within() {
	case "$2" in
	"closed "*) s=${2#closed }
		if python3 -c "import sys; sys.exit(0 if $3 <= $s < $4 else 1)"; then pass "$1 (${s}s)"; else fail "$1" "closed after ${s}s, not in [$3, $4)"; fi ;;
	*) fail "$1" "$2" ;;
	esac
}
kubectl get configmaps -n default --watch -o name >"$T_TMP/watch2.out" 2>&1 &
WATCH_PID=$!
for _ in $(seq 1 100); do grep -q "configmap/" "$T_TMP/watch2.out" && break; sleep 0.1; done
within "no TLS handshake: closed at the 1 s handshake deadline" "$($TOOL stall silent 127.0.0.1 "$KPORT" 15)" 0.8 6
within "a TLS handshake, then no request: closed at the 2 s header deadline" "$($TOOL stall tls-silent 127.0.0.1 "$KPORT" 15)" 1.8 7
within "a request never finished (a byte every 0.2 s): closed at 2 s" "$($TOOL stall trickle 127.0.0.1 "$GPORT" 15)" 1.8 7
within "... at the metadata server too (the flag reached the node)" "$($TOOL stall trickle "$IP" "$MD_PORT" 15)" 1.8 7
within "a kept-alive connection idle for 3 s is closed" "$($TOOL stall idle 127.0.0.1 "$GPORT" 15)" 2.8 8
# That idle connection opened after the watch: the silent watch has outlived the idle timeout.
kubectl create configmap after-idle -n default >/dev/null 2>&1
for _ in $(seq 1 100); do grep -q "configmap/after-idle" "$T_TMP/watch2.out" && break; sleep 0.1; done
has "a silent watch is not cut by the idle timeout" "configmap/after-idle" "$(cat "$T_TMP/watch2.out")"
kill -0 $WATCH_PID 2>/dev/null && pass "... and is still open" || fail "... and is still open"
eq "kubectl works with the short deadlines" "namespace/default" "$(kubectl get namespace default -o name 2>&1)"
eq "gcloud too" "demo-project" "$(gcloud projects describe demo-project --format='value(projectId)' 2>&1)"
has "and a pod's curl" "HTTP 200" "$(md_get "$IP:$MD_PORT" $TOKEN)"
has "the header deadline is logged" "request header(s) not read in time" "$(cat "$T_TMP/gkeid.log")"
has "the handshake deadline is logged" "TLS handshake(s) not done in time" "$(cat "$T_TMP/gkeid.log")"
kill $WATCH_PID 2>/dev/null; wait $WATCH_PID 2>/dev/null
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null

out=$("$REAL_GKEID" up --header-timeout 0 2>&1); rc=$?
eq "a zero deadline is refused (exit 2)" 2 "$rc"
has "... saying why" 'invalid --header-timeout "0"' "$out"
has "up --help documents the limits" "--max-connections N" "$("$REAL_GKEID" up --help)"
has "node --help too" "--idle-timeout DUR" "$("$REAL_GKEID" node --help)"
md_finish
