#!/usr/bin/env bash
# test_metadata_netpol.sh - the node enforces NetworkPolicy egress to the metadata
# server, as GKE's dataplane does: with no policy a pod is answered; a default-deny
# egress policy drops its connection (no answer: a client with a timeout times out,
# whatever path it asks for), counted in /metrics; an ipBlock rule for the cluster's
# metadata address and port (169.254.169.252:988 for 1.21.0-gke.1000 and later) lets it
# through again, an `except` of that address does not; policies of another namespace,
# or selecting other pods, do not apply; malformed policies do not crash the node.
. "$(dirname "$0")/lib.sh"
gkeid_up
P=demo-project
NODE_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$DATA_DIR/nodes/local-node.json")
metric() { curl -sS "http://127.0.0.1:$NODE_PORT/metrics" | sed -n "s/^$1 //p"; }
# pod_rc [NS] [LABEL] [HEADER]: a pod's request (2 s timeout) for its email; curl's exit
# status, then the body
pod_rc() {
	"$GKEID" exec --namespace "${1:-default}" ${2:+--label "$2"} -- sh -c "curl -sS --max-time 2 -H '${3:-Metadata-Flavor: Google}' \
		\"http://\$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email\"; echo \" rc=\$?\"" 2>/dev/null
}
# until_rc WANT ARGS...: polls (bounded; the node reads a namespace's policies again
# after a second) until the request's exit status is WANT; prints the last output
until_rc() {
	want=$1; shift
	wait_for 30 output_has " rc=$want" pod_rc "$@"
	printf '%s' "$WAIT_OUT"
}
policy() { kubectl apply -f - >/dev/null 2>&1; }
# the troubleshooting guide's fix: egress to the metadata address and port
seed_fix() {
	policy <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-gke-metadata-server
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 169.254.169.252/32
    ports:
    - protocol: TCP
      port: 988
EOF
}
kubectl create namespace other >/dev/null

has "no policy: the pod is answered" "$P.svc.id.goog rc=0" "$(pod_rc)"
d0=$(metric gkeid_node_netpol_dropped_total)

# A change is seen without a request to start its read (issue 15: the first request
# after a change got the old verdict however long one waited: a token after a deny, a
# drop after the fix). A pod that stays (and asks once, so that its namespace is in use)
# lets the node read `default`'s policies (the Node authorizer allows it while one of
# its pods is there), and only `default` is in use here, so two reads begun after a
# change (the second begins once the first has ended) mean the node holds the new
# policies: the next request must be judged by them.
"$GKEID" exec --name keeper -- sh -c "curl -sS -m 5 -H 'Metadata-Flavor: Google' \"http://\$GCE_METADATA_HOST/computeMetadata/v1/instance/id\" >/dev/null; echo up >'$T_TMP/keeper'; exec sleep 300" >/dev/null 2>&1 &
KEEPER=$!
wait_for 30 test -s "$T_TMP/keeper"
reads_since() { [ "$(metric gkeid_node_netpol_fetches_total)" -ge $(($1 + 2)) ]; }
# fresh NAME: waits (bounded) for two reads begun after a change, as the test NAME
fresh() {
	if wait_for 30 reads_since "$(metric gkeid_node_netpol_fetches_total)"; then pass "$1"; else
		fail "$1" "reads: $(metric gkeid_node_netpol_fetches_total)"; fi
}
policy <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
spec:
  podSelector: {}
  policyTypes: [Egress]
EOF
fresh "a deny: the node reads the namespace's policies again by itself"
has "... and the first request after that is dropped, not answered" "rc=28" "$(pod_rc)"
seed_fix
fresh "the seed's fix: read again by itself"
has "... and the first request after that is answered, not dropped" "$P.svc.id.goog rc=0" "$(pod_rc)"
# Without a pod of the node in the namespace, the node's reads are refused (403, the
# Node authorizer): the next pod's first request reads for itself rather than trust the
# policies read before a change (the refused reads once kept them deciding).
refusals() { grep -c 'NetworkPolicies of default: HTTP 403' "$T_TMP/gkeid.log"; }
refused_since() { [ "$(refusals)" -gt "$1" ]; }
r0=$(refusals)
kill "$KEEPER" && wait "$KEEPER"
wait_for 30 refused_since "$r0"
kubectl delete networkpolicy allow-gke-metadata-server >/dev/null
has "no pod in the namespace: the next pod's first request is judged by today's policies" "rc=28" "$(pod_rc)"

has "default-deny egress: the connection is dropped (curl times out, exit 28)" "rc=28" "$(until_rc 28)"
has "... whatever the request (no Metadata-Flavor header: still no answer)" "rc=28" "$(pod_rc default "" "X-Test: 1")"
d1=$(metric gkeid_node_netpol_dropped_total)
[ "${d1:-0}" -gt "${d0:-0}" ] && pass "/metrics counts the dropped connections ($d0 -> $d1)" ||
	fail "/metrics counts the dropped connections" "$d0 -> $d1"
wait_for 30 output_is 0 metric gkeid_node_netpol_dropped_held
eq "a dropped connection is let go once its client gives up" 0 "$WAIT_OUT"
has "another namespace's policy does not apply" "$P.svc.id.goog rc=0" "$(pod_rc other)"
curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NODE_PORT/healthz" >"$T_TMP/hz"
eq "the node itself is not a pod: /healthz answers" 200 "$(cat "$T_TMP/hz")"


seed_fix
has "the seed's rule (ipBlock 169.254.169.252/32, TCP 988): answered again" "$P.svc.id.goog rc=0" "$(until_rc 0)"
a=$(metric gkeid_node_netpol_allowed_total)
[ "${a:-0}" -gt 0 ] && pass "/metrics counts allowed requests ($a)" || fail "/metrics counts allowed requests" "$a"

kubectl delete networkpolicy allow-gke-metadata-server >/dev/null
policy <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-wrong-port
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 169.254.169.252/32
    ports:
    - protocol: TCP
      port: 80
EOF
has "the right address on the wrong port (80, not 988): dropped" "rc=28" "$(until_rc 28)"

# an ipBlock around the address, with the address itself excepted, as the only policy
kubectl delete networkpolicy default-deny-egress allow-wrong-port >/dev/null
has "with no policy left: answered" "$P.svc.id.goog rc=0" "$(until_rc 0)"
policy <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-md-except
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 169.254.0.0/16
        except: [169.254.169.252/32]
EOF
has "an ipBlock whose except holds the metadata address: dropped" "rc=28" "$(until_rc 28)"

# policies that select other pods leave this one alone
kubectl delete networkpolicy allow-md-except >/dev/null
policy <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-batch
spec:
  podSelector:
    matchLabels: {tier: batch}
  policyTypes: [Egress]
EOF
has "a policy selecting tier=batch: a tier=web pod is answered" "$P.svc.id.goog rc=0" "$(until_rc 0 default tier=web)"
has "... a tier=batch pod is dropped" "rc=28" "$(until_rc 28 default tier=batch)"

# malformed policies, as far as the API server lets them in: the node keeps serving
kubectl delete networkpolicy deny-batch >/dev/null
for body in \
	'{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"bad-op"},"spec":{"podSelector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]},"policyTypes":["Egress"]}}' \
	'{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"bad-cidr"},"spec":{"podSelector":{},"egress":[{"to":[{"ipBlock":{"cidr":"bogus/99","except":[7]}}],"ports":[{"port":"named"},{"port":{"x":1}},{"protocol":5}]}]}}' \
	'{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"bad-shapes"},"spec":{"podSelector":[],"policyTypes":"Egress","egress":{"to":1}}}'; do
	printf '%s' "$body" | kubectl apply -f - >/dev/null 2>&1
done
# Deliberately timed: six requests over a few seconds (the node reads the policies
# again every second), none of which may get anything but an answer or a drop.
bad=""
for _ in 1 2 3 4 5 6; do
	out=$(pod_rc)
	case "$out" in *" rc=0" | *" rc=28") ;; *) bad=$out ;; esac
	sleep 0.25
done
eq "malformed policies: every request is answered or dropped, nothing else" "" "$bad"
curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NODE_PORT/healthz" >"$T_TMP/hz"
eq "... and the node is alive" 200 "$(cat "$T_TMP/hz")"
kubectl delete networkpolicy --all >/dev/null 2>&1
has "with the policies gone, the pod is answered" "$P.svc.id.goog rc=0" "$(until_rc 0)"
finish
