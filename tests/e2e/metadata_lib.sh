# metadata_lib.sh - helpers for the metadata server tests (sourced after lib.sh and
# gkeid_up). Until `gkeid up` runs the node itself, md_setup starts `gkeid node` the way
# up is to: a client certificate for system:node:local-node (group system:nodes) signed
# by the cluster's CA, and, against a server without a Node authorizer, RBAC for what
# the node needs, applied when the node cannot list its pods.
#
#   md_setup                      the node for local-node: sets NODE_STATE, MD_PORT
#   md_setup_detached [FLAGS...]  a node of the test's own that outlives `gkeid up`
#   md_node STATE LOG [FLAGS...]  another `gkeid node` (own state file, own flags)
#   md_pod_ip NS NAME             a pod's status.podIP
#   md_pod_wait NS NAME           waits (bounded) for a pod's status.podIP; prints it
#   md_get ADDR PATH [CURL ARGS]  curl with Metadata-Flavor: Google; body, then "HTTP <code>"
#   md_finish                     stops the nodes (checking sanitizers), then finish
MD_NODE_PIDS=""
MD_NODE_LOGS=""
KUBE_SERVER=$(sed -n 's/^ *server: //p' "$KUBECONFIG" | head -n 1)
KUBE_CA=$DATA_DIR/keys/demo-project-us-central1-demo-cluster-ca.pem # the cluster's own CA

md_port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$1"; }

md_cert() {
	NODE_CERT=$DATA_DIR/keys/node-local-node.pem
	NODE_KEY=$DATA_DIR/keys/node-local-node-key.pem
	[ -s "$NODE_CERT" ] && [ -s "$NODE_KEY" ] && return 0
	NODE_CERT=$T_TMP/node.pem
	NODE_KEY=$T_TMP/node-key.pem
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$NODE_KEY" \
		-subj "/O=system:nodes/CN=system:node:local-node" -out "$T_TMP/node.csr" 2>/dev/null &&
		openssl x509 -req -in "$T_TMP/node.csr" -CA "$KUBE_CA" -CAkey "${KUBE_CA%.pem}-key.pem" \
			-CAcreateserial -days 2 -out "$NODE_CERT" 2>/dev/null
}

md_rbac() {
	code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$KUBE_CA" --cert "$NODE_CERT" --key "$NODE_KEY" \
		"$KUBE_SERVER/api/v1/pods?fieldSelector=spec.nodeName%3Dlocal-node")
	[ "$code" = 200 ] && return 0
	kubectl apply -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: gkeid:node-metadata
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: gkeid:node-metadata
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: gkeid:node-metadata
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: system:nodes
EOF
}

# md_node STATE LOG [FLAGS...]: starts a node for local-node; waits for its state file.
md_node() {
	state=$1 log=$2; shift 2
	rm -f "$state"
	"$GKEID" node --node-name local-node --kube-server "$KUBE_SERVER" --kube-ca "$KUBE_CA" \
		--kube-cert "$NODE_CERT" --kube-key "$NODE_KEY" --cloud-url "$GKEID_CLOUD_URL" \
		--project demo-project --project-number 123456789012 --location us-central1 \
		--cluster demo-cluster --state-file "$state" "$@" >"$log" 2>&1 &
	MD_NODE_PIDS="$MD_NODE_PIDS $!"
	MD_NODE_LOGS="$MD_NODE_LOGS $log"
	wait_for 30 test -s "$state" || { echo "gkeid node did not start:"; cat "$log"; return 1; }
}

md_setup() {
	NODE_STATE=$DATA_DIR/nodes/local-node.json
	md_cert
	md_rbac
	if [ ! -s "$NODE_STATE" ]; then
		mkdir -p "$DATA_DIR/nodes"
		md_node "$NODE_STATE" "$T_TMP/node.log" --listen local --port 0 --cluster-uid test-uid || exit 1
	fi
	MD_PORT=$(md_port "$NODE_STATE")
}

# md_setup_detached [FLAGS...]: a node of the test's own, in its own process (not gkeid
# up's child), so that it outlives the control plane when the test stops gkeid; FLAGS go
# to `gkeid node`. Sets NODE_STATE, MD_PORT.
md_setup_detached() {
	NODE_STATE=$T_TMP/detached-node.json
	md_cert
	md_rbac
	md_node "$NODE_STATE" "$T_TMP/node.log" --listen local --port 0 --cluster-uid test-uid "$@" || exit 1
	MD_PORT=$(md_port "$NODE_STATE")
}

md_pod_ip() { kubectl get pod -n "$1" "$2" -o jsonpath='{.status.podIP}'; }
md_pod_wait() { wait_for 30 output_nonempty md_pod_ip "$1" "$2"; printf '%s\n' "$WAIT_OUT"; }

md_get() {
	addr=$1 path=$2; shift 2
	curl -sS -H 'Metadata-Flavor: Google' "$@" -w '\nHTTP %{http_code}' "http://$addr$path"
}

md_finish() {
	for p in $MD_NODE_PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $MD_NODE_PIDS; do wait "$p" 2>/dev/null; done
	for l in $MD_NODE_LOGS; do
		if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$l"; then
			fail "gkeid node exits cleanly ($l)" "$(grep -A30 'Sanitizer\|runtime error' "$l" | head -n 40)"
		fi
	done
	MD_NODE_PIDS=""
	finish
}
trap '[ -n "$GKEID_PID" ] && kill -9 "$GKEID_PID" 2>/dev/null; for p in $MD_NODE_PIDS; do kill -9 "$p" 2>/dev/null; done' EXIT
