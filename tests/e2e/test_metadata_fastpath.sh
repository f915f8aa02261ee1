#!/usr/bin/env bash
# test_metadata_fastpath.sh - the cached-token fast path (src/node/mdfast.c, issue 13):
# on one keep-alive connection the first token comes from evhttp's path and the next ones
# from the fast path (the node's /metrics counts them), and the two answers are the same
# bytes but for Date and the token's expires_in; pipelined token requests are all
# answered, in order; a request the fast path does not take (another path, a query,
# Connection: close) between them gets evhttp's answer; a connection that falls silent
# after fast answers is closed, without the guard's "not read in time" line.
. "$(dirname "$0")/lib.sh"
gkeid_up --header-timeout 4s --idle-timeout 6s
. "$(dirname "$0")/metadata_lib.sh"
md_setup
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
"$GKEID" exec --name probe -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
IP=$(md_pod_wait default probe)
has "the pod gets a token" "HTTP 200" "$(md_get "$IP:$MD_PORT" $TOKEN)"
fast() { curl -sS "http://127.0.0.1:$MD_PORT/metrics" | awk '/^gkeid_node_fast_answers_total/{print $2}'; }
f0=$(fast)

"$GCLOUD_PY" -S - "$IP" "$MD_PORT" "$T_TMP" <<'EOF' >"$T_TMP/client.out" 2>&1
import re, socket, sys, time
host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
P = b"/computeMetadata/v1/instance/service-accounts/default/token"
T = b"GET " + P + b" HTTP/1.1\r\nHost: x\r\nMetadata-Flavor: Google\r\n\r\n"
s = socket.create_connection((host, port))
s.settimeout(10)
buf = b""
def responses(n):
    """Reads until n whole responses (Content-Length framed) are in; returns them."""
    global buf
    got = []
    while len(got) < n:
        m = re.match(rb"(.*?\r\n\r\n)", buf, re.S)
        if m:
            cl = int(re.search(rb"Content-Length: (\d+)", m.group(1)).group(1))
            end = len(m.group(1)) + cl
            if len(buf) >= end:
                got.append(buf[:end]); buf = buf[end:]; continue
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return got
def norm(r):
    r = re.sub(rb"Date: [^\r]*", b"Date: D", r)
    r = re.sub(rb'"access_token":"[^"]*","expires_in":\d+', b"TOKEN", r)
    return re.sub(rb"Content-Length: \d+", b"Content-Length: N", r)
s.sendall(T); first = responses(1)
s.sendall(T); second = responses(1)
s.sendall(T + T + T); three = responses(3)
s.sendall(T + b"GET /computeMetadata/v1/instance/service-accounts/default/email HTTP/1.1\r\nMetadata-Flavor: Google\r\n\r\n" + T)
mixed = responses(3)
s.sendall(b"GET " + P + b"?alt=text HTTP/1.1\r\nMetadata-Flavor: Google\r\n\r\n"); text = responses(1)
s.sendall(T); after = responses(1)
open(out + "/first", "wb").write(norm(first[0]))
open(out + "/second", "wb").write(norm(second[0]))
print("three", len(three), all(norm(r) == norm(first[0]) for r in three))
print("mixed", len(mixed), norm(mixed[0]) == norm(first[0]), b"svc.id.goog" in mixed[1],
      norm(mixed[2]) == norm(first[0]))
print("text", len(text), b"Content-Type: application/text" in text[0] and b"access_token ya29." in text[0])
print("after", len(after), norm(after[0]) == norm(first[0]))
t = time.time()
print("silent", "closed" if s.recv(10) == b"" else "answered", round(time.time() - t, 1))
EOF
res=$(cat "$T_TMP/client.out")
ok "the fast answer is evhttp's, byte for byte (but Date and expires_in)" cmp "$T_TMP/first" "$T_TMP/second"
has "the first answer is a JSON token" "Content-Type: application/json" "$(cat "$T_TMP/first")"
has "three pipelined token requests: three answers, all the same" "three 3 True" "$res"
has "a request the fast path leaves to evhttp is answered in its place" "mixed 3 True True True" "$res"
has "a query goes to evhttp (alt=text)" "text 1 True" "$res"
has "... and the fast path takes over again after it" "after 1 True" "$res"
f1=$(fast)
[ "${f1:-0}" -gt "${f0:-0}" ] && pass "the fast path answered ($f0 -> $f1)" || fail "the fast path answered" "$f0 -> $f1: $out"
case "$res" in *"silent closed"*) pass "a connection silent after fast answers is closed (${res##*silent closed })" ;; *) fail "a connection silent after fast answers is closed" "$res" ;;
esac
hasnt "... by the fast path, not as a stalled request by the guard" "request header(s) not read in time" "$(grep 'metadata: ' "$T_TMP/gkeid.log")"
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null
md_finish
