#!/usr/bin/env bash
# test_metadata_fastpath.sh - the cached-token fast path (src/node/mdfast.c, issue 13):
# a token request with more headers than the fast path reads gets evhttp's answer, and the
# next ones on the connection the fast path's (the node's /metrics counts them): the same
# bytes but for Date and the token's expires_in; pipelined token requests are all
# answered, in order; a request the fast path does not take (another path, a query,
# Connection: close) between them gets evhttp's answer; a new connection's first request
# is a fast one. The connection guard (core/httpconn.c) sees fast answers as any other: a
# connection that asks for its token for longer than the header and idle deadlines
# together is never closed and never handed to evhttp, and one that falls silent after a
# fast answer is closed as one silent after evhttp's answer is (the idle timeout), after
# a connection that sent nothing since then met its header deadline. The node is the
# test's own, with short deadlines, and service accounts and NetworkPolicies trusted for
# the whole test (a service account read again is evhttp's to fetch).
. "$(dirname "$0")/lib.sh"
HEADER_S=4 IDLE_S=6
gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
md_setup_detached --header-timeout ${HEADER_S}s --idle-timeout ${IDLE_S}s --ksa-ttl 10m --netpol-ttl 10m
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
"$GKEID" exec --name probe -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
IP=$(md_pod_wait default probe)
has "the pod gets a token" "HTTP 200" "$(md_get "$IP:$MD_PORT" $TOKEN)"
fast() { curl -sS "http://127.0.0.1:$MD_PORT/metrics" | awk '/^gkeid_node_fast_answers_total/{print $2}'; }
f0=$(fast)

# The client's requests: T, as Google's client libraries send it, and SLOW, the same with
# more headers than the fast path reads (mdh1.h's MDH1_HEADERS_MAX), which evhttp answers.
cat >"$T_TMP/reqs.py" <<'EOF'
import re
P = b"/computeMetadata/v1/instance/service-accounts/default/token"
T = b"GET " + P + b" HTTP/1.1\r\nHost: x\r\nMetadata-Flavor: Google\r\n\r\n"
SLOW = T[:-2] + b"".join(b"X-Pad-%d: y\r\n" % i for i in range(70)) + b"\r\n"
def responses(c, buf, n):
    """Reads c until n whole responses (Content-Length framed) are in: (them, the rest)."""
    got = []
    while len(got) < n:
        m = re.match(rb"(.*?\r\n\r\n)", buf, re.S)
        if m:
            cl = int(re.search(rb"Content-Length: (\d+)", m.group(1)).group(1))
            end = len(m.group(1)) + cl
            if len(buf) >= end:
                got.append(buf[:end]); buf = buf[end:]; continue
        d = c.recv(65536)
        if not d:
            break
        buf += d
    return got, buf
EOF

"$GCLOUD_PY" -S - "$IP" "$MD_PORT" "$T_TMP" <<'EOF' >"$T_TMP/client.out" 2>&1
import re, socket, sys
host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, out)
from reqs import P, T, SLOW
import reqs
s = socket.create_connection((host, port))
s.settimeout(10)
buf = b""
def responses(n):
    global buf
    got, buf = reqs.responses(s, buf, n)
    return got
def norm(r):
    r = re.sub(rb"Date: [^\r]*", b"Date: D", r)
    r = re.sub(rb'"access_token":"[^"]*","expires_in":\d+', b"TOKEN", r)
    return re.sub(rb"Content-Length: \d+", b"Content-Length: N", r)
s.sendall(SLOW); first = responses(1)
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
EOF
res=$(cat "$T_TMP/client.out")
ok "the fast answer is evhttp's, byte for byte (but Date and expires_in)" cmp "$T_TMP/first" "$T_TMP/second"
has "the first answer is a JSON token" "Content-Type: application/json" "$(cat "$T_TMP/first")"
has "three pipelined token requests: three answers, all the same" "three 3 True" "$res"
has "a request the fast path leaves to evhttp is answered in its place" "mixed 3 True True True" "$res"
has "a query goes to evhttp (alt=text)" "text 1 True" "$res"
has "... and the fast path takes over again after it" "after 1 True" "$res"
# second, three, mixed's first (evhttp reads the rest of its bytes itself), after
eq "the fast path answered the 6 token requests it was given" "$((f0 + 6))" "$(fast)"
f0=$(fast)
eq "a new connection's first token request is a fast one" "HTTP 200" "$(md_get "$IP:$MD_PORT" $TOKEN | tail -n 1)"
eq "... counted so" "$((f0 + 1))" "$(fast)"

# The guard and fast answers, four connections at once: FAST (evhttp's answer, then a
# fast one) and SLOW (evhttp's) fall silent; NONE, opened then, sends nothing; BUSY asks for
# its token every 50 ms until the header and idle deadlines together have passed since
# it began and the other three are closed. Times are printed, never judged.
f0=$(fast)
"$GCLOUD_PY" -S - "$IP" "$MD_PORT" "$T_TMP" "$HEADER_S" "$IDLE_S" <<'EOF' >"$T_TMP/guard.out" 2>&1
import select, socket, sys, time
host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
header_s, idle_s = float(sys.argv[4]), float(sys.argv[5])
sys.path.insert(0, out)
from reqs import T, SLOW, responses
def conn(*reqs):
    c = socket.create_connection((host, port))
    c.settimeout(10)
    for r in reqs:
        c.sendall(r)
        assert b" 200 OK" in responses(c, b"", 1)[0][0]
    return c
fast, slow = conn(SLOW, T), conn(SLOW)
none, busy = conn(), conn()
name = {fast: "fast", slow: "slow", none: "none"}
t0 = time.time()
closed, asked, ok = {}, 0, 0
while len(closed) < 3 or time.time() - t0 < header_s + idle_s + 1:
    busy.sendall(T)
    asked += 1
    got, rest = responses(busy, b"", 1)
    if len(got) != 1 or rest or b" 200 OK" not in got[0]:
        break
    ok += 1
    for c in select.select([x for x in name if x not in closed], [], [], 0.05)[0]:
        closed[c] = (time.time() - t0, c.recv(10))
    if time.time() - t0 > 3 * (header_s + idle_s):
        break
order = sorted(closed, key=lambda c: closed[c][0])
print("busy", asked, ok, "%.1fs" % (time.time() - t0))
print("closed", " ".join(name[c] for c in order), " ".join(
    "%s=%.1fs%s" % (name[c], closed[c][0], "" if closed[c][1] == b"" else "(data)") for c in order))
EOF
res=$(cat "$T_TMP/guard.out")
f1=$(fast)
busy=$(sed -n 's/^busy //p' "$T_TMP/guard.out")
asked=${busy%% *}
eq "a connection asking for longer than the header and idle deadlines is answered every time" \
	"${asked:-?} ${asked:-?}" "$(echo "$busy" | cut -d' ' -f1,2)"
eq "... by the fast path every time (none handed to evhttp for the guard's sake)" "$((${asked:-0} + 1))" "$((f1 - f0))"
case "$(sed -n 's/^closed //p' "$T_TMP/guard.out")" in
"none fast slow "* | "none slow fast "*) pass "the connection that sent nothing is closed first, at its header deadline; then the ones silent after a fast answer and after evhttp's, by the idle timeout (${res##*closed })" ;;
*) fail "the connection that sent nothing is closed first, at its header deadline; then the ones silent after a fast answer and after evhttp's, by the idle timeout" "$res" ;;
esac
hasnt "... none of them with a byte" "(data)" "$res"
has "... and the guard logged the one closed at its header deadline" "1 request header(s) not read in time" "$(grep 'metadata: ' "$T_TMP/node.log")"
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null
md_finish
