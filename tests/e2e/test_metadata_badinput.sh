#!/usr/bin/env bash
# test_metadata_badinput.sh - the metadata server against hostile or broken clients:
# slow clients are timed out, 10,000 idle connections do not stop service, oversize
# URLs and headers get a clear error, malformed paths and queries a 400, and only
# loopback peers are answered in local mode.
. "$(dirname "$0")/lib.sh"
gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
md_setup
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
"$GKEID" exec --name probe -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
IP=$(md_pod_wait default probe)
A=$IP:$MD_PORT
has "the pod gets a token" "HTTP 200" "$(md_get "$A" $TOKEN)"

# A client that never finishes its request is cut off.
out=$(python3 - "$IP" "$MD_PORT" <<'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(b"GET /computeMetadata/v1/ HTTP/1.1\r\nHost: x\r\nMetadata-Flavor: Goo")
t = time.time()
s.settimeout(30)
try:
    data = s.recv(4096)
except socket.timeout:
    data = None
print("closed" if data == b"" else "answered" if data else "open", int(time.time() - t))
EOF
)
case "$out" in "closed "*) pass "a slow client is timed out (after ${out#closed }s)" ;; *) fail "a slow client is timed out" "$out" ;; esac

# 10,000 idle connections, and the pod is still served.
"$GCLOUD_PY" -S - "$IP" "$MD_PORT" "$T_TMP/idle.done" >"$T_TMP/idle.out" 2>&1 <<'EOF' &
import os, resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks = []
for i in range(10000):
    s = socket.socket()
    # spread over source addresses: one source runs out of quick ephemeral ports
    # the port is chosen at connect, by the whole address pair: chosen at bind, ports run
    # out while other tests hold many (IP_BIND_ADDRESS_NO_PORT, Linux 4.2)
    s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24), 1)
    s.bind(("127.201.%d.%d" % (i // 200, i % 200 + 1), 0))
    s.connect((sys.argv[1], int(sys.argv[2])))
    socks.append(s)
print("open", len(socks), flush=True)
end = time.time() + 60  # held open until the test is done with them (bounded)
while not os.path.exists(sys.argv[3]) and time.time() < end:
    time.sleep(0.05)
EOF
IDLE_PID=$!
wait_for 120 grep -q "^open" "$T_TMP/idle.out"
eq "10,000 idle connections are open" "open 10000" "$(head -n 1 "$T_TMP/idle.out")"
start=$(date +%s%N)
out=$(md_get "$A" $TOKEN -m 5)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
has "... and the pod still gets its token" "HTTP 200" "$out"
[ $ms -lt 2000 ] && pass "... promptly ($ms ms)" || fail "... promptly" "$ms ms"
has "... and a new pod too" "demo-project.svc.id.goog" "$("$GKEID" exec -- sh -c 'curl -sS -m 5 -H "Metadata-Flavor: Google" http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email')"
touch "$T_TMP/idle.done"
wait $IDLE_PID

# Oversize and malformed requests.
long=$(head -c 9000 /dev/zero | tr '\0' a)
out=$(md_get "$A" "/computeMetadata/v1/$long")
has "an oversize URL: 414" "HTTP 414" "$out"
has "... saying so" "the request URI is longer than 8192 bytes" "$out"
hdrs=()
for i in $(seq 1 20); do hdrs+=(-H "X-Pad-$i: $(head -c 1000 /dev/zero | tr '\0' b)"); done
out=$(md_get "$A" /computeMetadata/v1/ "${hdrs[@]}")
has "oversize headers: 431" "HTTP 431" "$out"
has "... saying so" "the request headers are larger than 16384 bytes" "$out"
has "headers beyond libevent's cap are refused" "HTTP 400" "$(curl -sS -o /dev/null -w 'HTTP %{http_code}' -H "X-Big: $(head -c 70000 /dev/zero | tr '\0' c)" "http://$A/")"
has "a NUL in the path: 400" "HTTP 400" "$(md_get "$A" '/computeMetadata/v1/a%00b')"
has "dot segments are no way out" "HTTP 404" "$(md_get "$A" '/computeMetadata/v1/instance/../../etc/passwd' --path-as-is)"
has "an oversize audience: 400" "HTTP 400" "$(md_get "$A" "/computeMetadata/v1/instance/service-accounts/default/identity?audience=$(head -c 3000 /dev/zero | tr '\0' a)")"
has "bad scopes: 400" "HTTP 400" "$(md_get "$A" "$TOKEN?scopes=,,,")"
has "format must be standard or full" "HTTP 400" "$(md_get "$A" '/computeMetadata/v1/instance/service-accounts/default/identity?audience=a&format=x')"
# Nothing built from a request is cut short (issue 10 section 7): a directory asked for
# without its slash, with a query as long as a request URI may be, is redirected to the
# whole URI, in the Location header and in the body's link.
q=$(head -c 8100 /dev/zero | tr '\0' q)
out=$(md_get "$A" "/computeMetadata/v1/instance?x=$q" -D -)
has "a long redirect: 301" "HTTP 301" "$out"
has "... Location names the whole URI" "Location: /computeMetadata/v1/instance/?x=$q" "$out"
has "... and so does the body" "<a href=\"/computeMetadata/v1/instance/?x=$q\">Moved Permanently</a>." "$out"
has "the server is still up" "HTTP 200" "$(md_get "$A" $TOKEN)"

# A node whose hostname (NODE.ZONE.c.PROJECT.internal) would not fit refuses to start,
# where it used to serve a cut one as instance/hostname.
timeout 20 "$GKEID" node --node-name "$(head -c 253 /dev/zero | tr '\0' n)" \
	--project "$(head -c 100 /dev/zero | tr '\0' p)" --location "$(head -c 60 /dev/zero | tr '\0' l)" \
	--cluster c --kube-server https://127.0.0.1:1 --cloud-url http://127.0.0.1:1 >"$T_TMP/longnode.log" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && pass "a node with a hostname too long does not start" || fail "a node with a hostname too long does not start" "exit $rc"
has "... and says why" "make a hostname or zone too long" "$(cat "$T_TMP/longnode.log")"
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null
md_finish
