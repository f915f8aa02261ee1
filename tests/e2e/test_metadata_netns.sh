#!/usr/bin/env bash
# test_metadata_netns.sh - node mode, as on a GKE node: pods live in network namespaces,
# reach the metadata server at 169.254.169.254:80, and are named by their source
# address. The seed's init-container command runs verbatim in such a pod. Everything
# happens inside a network namespace of its own ("the node"), so the machine's own
# network is untouched. Needs root; otherwise the test says it is skipped and why.
set -u
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	echo "# skipped: node mode needs root (network namespaces, veth pairs, port 80 on 169.254.169.254) and iproute2"
	echo "0 passed, 0 failed"
	exit 0
fi
if [ -z "${GKEID_NETNS:-}" ]; then
	H=gkeid-node-$$ P=gkeid-pod-$$ Q=gkeid-stray-$$
	cleanup() { for ns in $H $P $Q; do ip netns del "$ns" 2>/dev/null; done; }
	trap cleanup EXIT
	if ! why=$(ip netns add "$H" 2>&1) || ! why=$(ip link add "probe$$" type veth peer name "probe$$b" 2>&1); then
		echo "# skipped: cannot create network namespaces and veth pairs here: $why"
		echo "0 passed, 0 failed"
		exit 0
	fi
	ip link del "probe$$" 2>/dev/null
	ip netns del "$H"
	set -e
	for ns in $H $P $Q; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
	ip link add "hp$$" type veth peer name "pp$$"
	ip link set "hp$$" netns "$H"; ip link set "pp$$" netns "$P"
	ip link add "hq$$" type veth peer name "qq$$"
	ip link set "hq$$" netns "$H"; ip link set "qq$$" netns "$Q"
	ip -n "$H" addr add 10.213.0.1/24 dev "hp$$"
	ip -n "$H" addr add 169.254.169.254/32 dev "hp$$"
	ip -n "$H" addr add 10.213.1.1/24 dev "hq$$"
	ip -n "$H" link set "hp$$" up; ip -n "$H" link set "hq$$" up
	ip -n "$P" addr add 10.213.0.2/24 dev "pp$$"; ip -n "$P" link set "pp$$" up
	ip -n "$P" route add default via 10.213.0.1
	ip -n "$Q" addr add 10.213.1.2/24 dev "qq$$"; ip -n "$Q" link set "qq$$" up
	ip -n "$Q" route add default via 10.213.1.1
	set +e
	GKEID_NETNS="$P $Q" ip netns exec "$H" bash "$0"
	exit $?
fi
read -r PODNS STRAYNS <<<"$GKEID_NETNS"
. "$(dirname "$0")/lib.sh"
gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
md_cert
md_rbac
md_node "$T_TMP/node.json" "$T_TMP/node.log" --listen node --hold 2s
has "node mode listens on 127.0.0.1:988" "metadata server on 127.0.0.1:988" "$(cat "$T_TMP/node.log")"
has "... and on 169.254.169.254:80" "metadata server on 169.254.169.254:80" "$(cat "$T_TMP/node.log")"
EXEC=("$GKEID" exec --node-state "$T_TMP/node.json" --pod-ip 10.213.0.2)

eq "exec points the pod at 169.254.169.254" "169.254.169.254" "$("${EXEC[@]}" -- printenv GCE_METADATA_HOST)"

# The seed's init container, verbatim.
cat >"$T_TMP/init.sh" <<'EOF'
curl -sS -H 'Metadata-Flavor: Google' 'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token' --retry 30 --retry-connrefused --retry-max-time 60 --connect-timeout 3 --fail --retry-all-errors > /dev/null && exit 0 || echo 'Retry limit exceeded. Failed to wait for metadata server to be available. Check if the gke-metadata-server Pod in the kube-system namespace is healthy.' >&2; exit 1
EOF
"${EXEC[@]}" --name pod-with-initcontainer -- ip netns exec "$PODNS" /bin/bash -c "$(cat "$T_TMP/init.sh")"
eq "the seed's initContainer command succeeds in a network-namespace pod" 0 $?

run() { "${EXEC[@]}" -- ip netns exec "$PODNS" "$@"; }
eq "the pod is named by its source address" "demo-project.svc.id.goog" \
	"$(run curl -sS -H 'Metadata-Flavor: Google' http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/email)"
out=$(run curl -sS -w '\nHTTP %{http_code}' http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token)
has "the missing header is refused there too" 'GKE Metadata Server encountered an error: Missing required header "Metadata-Flavor": "Google"' "$out"
has "... 403" "HTTP 403" "$out"
out=$(run env PYTHONPATH="$GCLOUD_PYPATH" "$GCLOUD_PY" "$ROOT/tests/e2e/metadata_google_auth.py" "$GKEID_CLOUD_URL" https://example.com 2>&1)
has "google-auth in the pod finds the metadata server at 169.254.169.254" "email demo-project.svc.id.goog" "$out"
out=$(ip netns exec "$STRAYNS" curl -sS -H 'Metadata-Flavor: Google' -w '\nHTTP %{http_code}' http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token)
has "an address that is no pod's gets no identity" "no pod on node local-node has address 10.213.1.2" "$out"
has "... 404" "HTTP 404" "$out"
eq "the node itself may read /healthz on 127.0.0.1:988" "ok" "$(curl -sS http://127.0.0.1:988/healthz)"
md_finish
