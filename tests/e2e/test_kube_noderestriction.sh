#!/usr/bin/env bash
# test_kube_noderestriction.sh - what the node's credential may do. `gkeid up` gives its
# node agent a client certificate for system:node:local-node (group system:nodes); with
# curl --cert, the attacks of the security review (issue 9) now get kube-apiserver's
# answers: the Node authorizer (node_authorizer.go) refuses tokens for a service account
# no pod on the node runs as, secrets no pod on it uses, and pods of other nodes, with
# "no relationship found between node 'local-node' and this object"; NodeRestriction
# (admission.go) refuses non-mirror pods, pods bound to other nodes, deletes of other
# nodes' pods and tokens not bound to a pod of the node, with upstream's texts. What the
# node agent and `gkeid exec` need still works: a pod's token through the metadata
# server, events, NetworkPolicies where its pods are. The node gets no RBAC of its own.
. "$(dirname "$0")/lib.sh"

gkeid_up
export HOME=$T_TMP/home # kubectl's discovery cache stays in the test
mkdir -p "$HOME"
NODE_CERT=$DATA_DIR/keys/node-local-node.pem
NODE_KEY=$DATA_DIR/keys/node-local-node-key.pem
CA=$DATA_DIR/keys/demo-project-us-central1-demo-cluster-ca.pem
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
eq "the node's key is 0600" 600 "$(stat -c %a "$NODE_KEY")"

# ncurl METHOD PATH [JSON]: the API server as the node; body, then " CODE".
ncurl() {
	m=$1 p=$2; shift 2
	curl -sS --cacert "$CA" --cert "$NODE_CERT" --key "$NODE_KEY" -X "$m" \
		-H 'Content-Type: application/json' ${1:+--data-binary "$1"} -w ' %{http_code}' "$server$p"
}
# npatch PATH JSON: a merge patch as the node; body, then " CODE".
npatch() {
	curl -sS --cacert "$CA" --cert "$NODE_CERT" --key "$NODE_KEY" -X PATCH \
		-H 'Content-Type: application/merge-patch+json' --data-binary "$2" -w ' %{http_code}' "$server$1"
}
# refused NAME MESSAGE OUT: a 403 Forbidden Status with exactly that message. REFUSED
# counts the node's requests this test expects to be refused.
REFUSED=0
refused() {
	REFUSED=$((REFUSED + 1))
	eq "$1" "403 Forbidden $2" "${3##* } $(jget "$3" 'j["reason"]') $(jget "$3" 'j["message"]')"
}

# --- the scene: a pod of team-a on local-node, one of team-b on another node --------
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: team-a}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: other, namespace: team-b}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret, namespace: team-a}
stringData: {k: v}
---
apiVersion: v1
kind: Secret
metadata: {name: private, namespace: team-b}
stringData: {password: hunter2}
---
apiVersion: v1
kind: Node
metadata: {name: other-node}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team-a}
spec:
  nodeName: local-node
  serviceAccountName: app
  containers: [{name: c, image: busybox}]
  volumes: [{name: s, secret: {secretName: app-secret}}]
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere, namespace: team-b}
spec:
  nodeName: other-node
  serviceAccountName: other
  containers: [{name: c, image: busybox}]
EOF
WEB_UID=$(kubectl get pod -n team-a web -o jsonpath='{.metadata.uid}')
ELSE_UID=$(kubectl get pod -n team-b elsewhere -o jsonpath='{.metadata.uid}')
N='User "system:node:local-node"'
NOREL="no relationship found between node 'local-node' and this object"

# --- no RBAC of its own: the Node authorizer decides ------------------------------------
out=$(kubectl get clusterrole gkeid:node-metadata 2>&1)
has "the broad gkeid:node-metadata ClusterRole is gone" "NotFound" "$out"
eq "system:node is bound to no one (as upstream)" "" \
	"$(kubectl get clusterrolebinding system:node -o jsonpath='{.subjects}')"

# --- pods: its own, by field selector --------------------------------------------------
out=$(ncurl GET "/api/v1/pods?fieldSelector=spec.nodeName%3Dlocal-node")
eq "the node lists its own pods" "200 web" "${out##* } $(jget "$out" '" ".join(p["metadata"]["name"] for p in j["items"] if p["metadata"]["namespace"] == "team-a")')"
refused "but not every pod" "pods is forbidden: $N cannot list resource \"pods\" in API group \"\" at the cluster scope: can only list/watch pods with spec.nodeName field selector" \
	"$(ncurl GET /api/v1/pods)"
refused "nor another node's" "pods is forbidden: $N cannot list resource \"pods\" in API group \"\" at the cluster scope: can only list/watch pods with spec.nodeName field selector" \
	"$(ncurl GET "/api/v1/pods?fieldSelector=spec.nodeName%3Dother-node")"
refused "nor get another node's pod" "pods \"elsewhere\" is forbidden: $N cannot get resource \"pods\" in API group \"\" in the namespace \"team-b\": $NOREL" \
	"$(ncurl GET /api/v1/namespaces/team-b/pods/elsewhere)"

# --- secrets: only those its pods use -----------------------------------------------------
out=$(ncurl GET /api/v1/namespaces/team-a/secrets/app-secret)
eq "the node reads the secret its pod mounts" 200 "${out##* }"
refused "but not a secret no pod on it uses" "secrets \"private\" is forbidden: $N cannot get resource \"secrets\" in API group \"\" in the namespace \"team-b\": $NOREL" \
	"$(ncurl GET /api/v1/namespaces/team-b/secrets/private)"
REFUSED=$((REFUSED + 1))
hasnt "... and its value stays hidden" "aHVudGVyMg" "$(ncurl GET /api/v1/namespaces/team-b/secrets/private)"
refused "nor list secrets" "secrets is forbidden: $N cannot list resource \"secrets\" in API group \"\" in the namespace \"team-a\": No Object name found" \
	"$(ncurl GET /api/v1/namespaces/team-a/secrets)"

# --- TokenRequest: its pods' service accounts, bound to its pods -------------------------
bound() { printf '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"audiences":["%s"],"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"%s","uid":"%s"}}}' "$1" "$2" "$3"; }
out=$(ncurl POST /api/v1/namespaces/team-a/serviceaccounts/app/token "$(bound demo-project.svc.id.goog web "$WEB_UID")")
eq "a token for its pod's service account, bound to the pod" "201 web" \
	"${out##* } $(jget "$out" 'j["spec"]["boundObjectRef"]["name"]')"
refused "no token for a service account of a pod on another node" "serviceaccounts \"other\" is forbidden: $N cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"team-b\": $NOREL" \
	"$(ncurl POST /api/v1/namespaces/team-b/serviceaccounts/other/token "$(bound any-audience elsewhere "$ELSE_UID")")"
refused "nor for any service account of any namespace" "serviceaccounts \"default\" is forbidden: $N cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"kube-system\": $NOREL" \
	"$(ncurl POST /api/v1/namespaces/kube-system/serviceaccounts/default/token '{"spec":{"audiences":["https://kubernetes.default.svc"]}}')"
refused "a token not bound to a pod" "serviceaccounts \"app\" is forbidden: node requested token not bound to a pod" \
	"$(ncurl POST /api/v1/namespaces/team-a/serviceaccounts/app/token '{"spec":{"audiences":["x"]}}')"
refused "a binding without the pod's uid" "serviceaccounts \"app\" is forbidden: node requested token with a pod binding without a uid" \
	"$(ncurl POST /api/v1/namespaces/team-a/serviceaccounts/app/token "$(bound x web "")")"
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: twin, namespace: team-a}
spec:
  nodeName: other-node
  serviceAccountName: app
  containers: [{name: c, image: busybox}]
EOF
TWIN_UID=$(kubectl get pod -n team-a twin -o jsonpath='{.metadata.uid}')
refused "a token bound to another node's pod (same service account)" "serviceaccounts \"app\" is forbidden: node requested token bound to a pod scheduled on a different node" \
	"$(ncurl POST /api/v1/namespaces/team-a/serviceaccounts/app/token "$(bound x twin "$TWIN_UID")")"

# --- pods: mirror pods bound to itself; deletes and status of its own -------------------
refused "creating an ordinary pod" "pods \"sneaky\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"local-node\" can only create mirror pods" \
	"$(ncurl POST /api/v1/namespaces/team-b/pods '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"sneaky"},"spec":{"nodeName":"local-node","serviceAccountName":"other","containers":[{"name":"c","image":"i"}]}}')"
refused "creating a pod bound to another node" "pods \"sneaky\" is forbidden: node \"local-node\" can only create pods with spec.nodeName set to itself" \
	"$(ncurl POST /api/v1/namespaces/team-b/pods '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"sneaky","annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"nodeName":"other-node","containers":[{"name":"c","image":"i"}]}}')"
NODE_UID=$(kubectl get node local-node -o jsonpath='{.metadata.uid}')
mirror='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"static-web","annotations":{"kubernetes.io/config.mirror":"x"},"ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"local-node","uid":"'$NODE_UID'","controller":true}]},"spec":{"nodeName":"local-node","containers":[{"name":"c","image":"i"}]}}'
out=$(ncurl POST /api/v1/namespaces/kube-system/pods "$mirror")
eq "a mirror pod bound to itself, owned by its Node, is created" "201 " "${out##* } $(jget "$out" 'j["spec"].get("serviceAccountName", "")')"
refused "a mirror pod may not run as a service account" "pods \"static-web\" is forbidden: node \"local-node\" can not create pods that reference a service account" \
	"$(ncurl POST /api/v1/namespaces/team-b/pods "${mirror/\"nodeName\"/\"serviceAccountName\":\"other\",\"nodeName\"}")"
refused "deleting another node's pod" "pods \"elsewhere\" is forbidden: node \"local-node\" can only delete pods with spec.nodeName set to itself" \
	"$(ncurl DELETE /api/v1/namespaces/team-b/pods/elsewhere)"
eq "... which is still there" "$ELSE_UID" "$(kubectl get pod -n team-b elsewhere -o jsonpath='{.metadata.uid}')"
refused "updating another node's pod status" "pods \"elsewhere\" is forbidden: node \"local-node\" can only update pod status for pods with spec.nodeName set to itself" \
	"$(npatch /api/v1/namespaces/team-b/pods/elsewhere/status '{"status":{"phase":"Failed"}}')"
out=$(npatch /api/v1/namespaces/kube-system/pods/static-web/status '{"status":{"message":"seen"}}')
eq "its own pod's status" 200 "${out##* }"
out=$(ncurl DELETE /api/v1/namespaces/kube-system/pods/static-web)
eq "deleting its own pod" 200 "${out##* }"

# --- nodes: its own object --------------------------------------------------------------
out=$(ncurl GET /api/v1/nodes/local-node)
eq "the node reads its Node" 200 "${out##* }"
refused "but not another's" "nodes \"other-node\" is forbidden: $N cannot get resource \"nodes\" in API group \"\" at the cluster scope: node 'local-node' cannot read 'other-node', only its own Node object" \
	"$(ncurl GET /api/v1/nodes/other-node)"
refused "nor modify another node" "nodes \"other-node\" is forbidden: node \"local-node\" is not allowed to modify node \"other-node\"" \
	"$(npatch /api/v1/nodes/other-node '{"spec":{"unschedulable":true}}')"
eq "... which is unchanged" "" "$(kubectl get node other-node -o jsonpath='{.spec.unschedulable}')"

# --- what the node agent needs ------------------------------------------------------------
out=$(ncurl GET /api/v1/namespaces/team-a/serviceaccounts/app)
eq "the metadata server reads its pods' service accounts" 200 "${out##* }"
refused "but no other" "serviceaccounts \"other\" is forbidden: $N cannot get resource \"serviceaccounts\" in API group \"\" in the namespace \"team-b\": $NOREL" \
	"$(ncurl GET /api/v1/namespaces/team-b/serviceaccounts/other)"
out=$(ncurl GET /apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies)
eq "NetworkPolicies where its pods run" 200 "${out##* }"
out=$(ncurl GET /apis/networking.k8s.io/v1/namespaces/team-b/networkpolicies)
REFUSED=$((REFUSED + 1))
eq "not where none of its pods runs" 403 "${out##* }"
out=$(ncurl POST /api/v1/namespaces/team-a/events '{"apiVersion":"v1","kind":"Event","metadata":{"generateName":"web."},"involvedObject":{"kind":"Pod","namespace":"team-a","name":"web"},"reason":"Test","message":"m","type":"Normal"}')
eq "events, as a kubelet posts them" 201 "${out##* }"

# The node agent serves a pod its token: `gkeid exec` creates the pod as gkeid-exec, the
# node reads its service account and mints a token bound to it.
out=$("$GKEID" exec -n team-a --serviceaccount app -- \
	sh -c 'curl -sS -H "Metadata-Flavor: Google" "http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/token"' 2>&1)
has "a pod on the node gets its access token" '"access_token"' "$out"
has "gkeid exec created the pod as gkeid-exec" "POST /api/v1/namespaces/team-a/pods 201 gkeid-exec" \
	"$(grep 'namespaces/team-a/pods ' "$T_TMP/gkeid.log")"
has "the node minted the pod's token" "POST /api/v1/namespaces/team-a/serviceaccounts/app/token 201 system:node:local-node" \
	"$(grep 'serviceaccounts/app/token' "$T_TMP/gkeid.log")"
eq "the node agent was refused nothing (only this test's $REFUSED attacks were)" "$REFUSED" \
	"$(grep -c ' 403 system:node:local-node$' "$T_TMP/gkeid.log")"

# --- the relationships follow the pods at once (the Node authorizer's index of pods by
# node, kept by a store watch): a pod deleted, recreated on another node, back, its
# namespace deleted, and a restart. Every check is the node's own request with its
# certificate, right after the change.
mover() { # NODE: the pod team-c/mover on NODE, running as mover, mounting mover-secret
	kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: mover, namespace: team-c}
spec:
  nodeName: $1
  serviceAccountName: mover
  containers: [{name: c, image: busybox}]
  volumes: [{name: s, secret: {secretName: mover-secret}}]
EOF
}
# reach NAMESPACE: what the node reaches of the mover's: its service account, a token for
# it bound to the pod, its secret, the pod ("200 201 200 200" for all of it; 403 each
# refused; "403?" for a refusal of the service account that is not the Node authorizer's)
reach() {
	uid=$(kubectl get pod -n "$1" mover -o jsonpath='{.metadata.uid}' 2>/dev/null)
	sa=$(ncurl GET "/api/v1/namespaces/$1/serviceaccounts/mover")
	case "$sa" in *" 403") case "$sa" in *"$NOREL"*) ;; *) sa="$sa?" ;; esac ;; esac
	tok=$(ncurl POST "/api/v1/namespaces/$1/serviceaccounts/mover/token" "$(bound x mover "${uid:-none}")")
	sec=$(ncurl GET "/api/v1/namespaces/$1/secrets/mover-secret")
	pod=$(ncurl GET "/api/v1/namespaces/$1/pods/mover")
	echo "${sa##* } ${tok##* } ${sec##* } ${pod##* }"
}
team_c() { # the namespace team-c, the mover's service account and secret
	kubectl create namespace team-c >/dev/null
	kubectl create serviceaccount -n team-c mover >/dev/null
	kubectl create secret generic -n team-c mover-secret --from-literal=k=v >/dev/null
}
team_c
eq "before the pod: nothing of team-c" "403 403 403 403" "$(reach team-c)"
mover local-node
eq "the pod on local-node: its service account, token, secret and the pod" "200 201 200 200" "$(reach team-c)"
ok "the pod deleted" kubectl delete pod -n team-c mover --wait=true
eq "at once nothing" "403 403 403 403" "$(reach team-c)"
mover other-node
eq "recreated on another node: nothing" "403 403 403 403" "$(reach team-c)"
ok "deleted there" kubectl delete pod -n team-c mover --wait=true
mover local-node
eq "back on local-node: all of it again" "200 201 200 200" "$(reach team-c)"
ok "its namespace deleted" kubectl delete namespace team-c --wait=true
eq "nothing once the namespace is gone" "403 403 403 403" "$(reach team-c)"

# A restart builds the index again from the store.
team_c
mover local-node
gkeid_stop
gkeid_up
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
eq "after a restart the pod's node reaches it all" "200 201 200 200" "$(reach team-c)"
out=$(ncurl GET /api/v1/namespaces/team-b/serviceaccounts/other)
eq "and team-b's pod is still another node's" 403 "${out##* }"
ok "the pod deleted after the restart" kubectl delete pod -n team-c mover --wait=true
eq "nothing, at once" "403 403 403 403" "$(reach team-c)"

finish
