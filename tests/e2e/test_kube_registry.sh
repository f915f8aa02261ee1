#!/bin/bash
# test_kube_registry.sh - the generic registry with the real kubectl against `gkeid up`'s
# demo cluster: apply -f, get (table columns, -o wide, -o yaml, -l), get -w (the watch
# stream, and a raw watch resumed from a resourceVersion), label, annotate, edit through
# EDITOR, patch --type merge/json/strategic, replace with a stale resourceVersion (409),
# invalid names (422), missing objects (404), delete, namespace deletion, and a watch
# left open when gkeid stops (no leaks, no crash).
. "$(dirname "$0")/lib.sh"
gkeid_up
W=$T_TMP/work
mkdir -p "$W"
k() { kubectl "$@" 2>&1; }

cat >"$W/app.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: reg
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: reg
  labels:
    app: web
spec:
  containers:
  - name: app
    image: nginx:1.25
    ports:
    - containerPort: 80
    env:
    - name: MODE
      value: "a"
  - name: side
    image: busybox
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: reg
  labels:
    app: web
data:
  key: "1"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
  namespace: reg
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress]
EOF

out=$(k apply -f "$W/app.yaml")
has "apply creates the namespace" "namespace/reg created" "$out"
has "apply creates the pod" "pod/web created" "$out"
has "apply creates the configmap" "configmap/cfg created" "$out"
has "apply creates the networkpolicy" "networkpolicy.networking.k8s.io/deny created" "$out"
out=$(k apply -f "$W/app.yaml")
has "apply again: unchanged" "pod/web unchanged" "$out"

# Tables as kube-apiserver prints them.
out=$(k get pods -n reg)
eq "get pods: columns" "NAME   READY   STATUS    RESTARTS   AGE" "$(printf '%s\n' "$out" | head -n 1)"
has "get pods: the row" "web    0/2     Pending   0" "$out"
out=$(k get pods -n reg -o wide)
has "get pods -o wide: wide columns" "IP       NODE     NOMINATED NODE   READINESS GATES" "$out"
out=$(k get cm -n reg)
has "get configmaps: DATA column" "NAME   DATA   AGE" "$out"
has "get configmaps: row" "cfg    1" "$out"
out=$(k get netpol -n reg)
has "get networkpolicies: POD-SELECTOR" "deny   app=web" "$out"
out=$(k get ns reg)
has "get namespaces: STATUS" "reg    Active" "$out"
out=$(k get clusterroles cluster-admin)
has "get clusterroles: CREATED AT" "NAME            CREATED AT" "$out"
out=$(k get sa -n reg)
has "serviceaccounts table: the namespace's default account" "default   0" "$out"

# -o yaml carries what the registry filled in.
out=$(k get pod web -n reg -o yaml)
has "yaml: uid" "uid: " "$out"
has "yaml: creationTimestamp" "creationTimestamp: \"" "$out"
has "yaml: resourceVersion" "resourceVersion: \"" "$out"
has "yaml: defaults" "restartPolicy: Always" "$out"
has "yaml: phase" "phase: Pending" "$out"

# Label selectors, label and annotate.
ok "label" kubectl label pod web -n reg tier=front
ok "annotate" kubectl annotate pod web -n reg note=hello
eq "label selector: match" "web" "$(kubectl get pods -n reg -l 'tier=front,app in (web,db)' -o name 2>&1 | sed 's|pod/||')"
eq "label selector: no match" "" "$(kubectl get pods -n reg -l 'tier!=front' -o name 2>&1)"
eq "annotation stored" "hello" "$(kubectl get pod web -n reg -o jsonpath='{.metadata.annotations.note}')"
ok "label removal" kubectl label pod web -n reg tier-
eq "label removed" "" "$(kubectl get pods -n reg -l tier -o name 2>&1)"
out=$(k get pods -n reg --field-selector status.phase=Pending -o name)
eq "field selector" "pod/web" "$out"
out=$(k get pods -n reg --field-selector spec.bogus=x)
has "unsupported field selector: 400" "field label not supported: spec.bogus" "$out"

# Patches of the three kinds.
ok "patch --type merge" kubectl patch cm cfg -n reg --type merge -p '{"data":{"merged":"yes"}}'
ok "patch --type json" kubectl patch cm cfg -n reg --type json -p '[{"op":"add","path":"/data/json","value":"yes"}]'
ok "patch strategic (containers by name)" kubectl patch pod web -n reg -p '{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}'
eq "merge patch applied" "yes yes" "$(kubectl get cm cfg -n reg -o jsonpath='{.data.merged} {.data.json}')"
eq "strategic patch kept the other container and env" "nginx:1.26 busybox a" \
	"$(kubectl get pod web -n reg -o jsonpath='{.spec.containers[0].image} {.spec.containers[1].image} {.spec.containers[0].env[0].value}')"
out=$(k patch cm cfg -n reg --type json -p '[{"op":"test","path":"/data/key","value":"nope"}]')
has "json patch test failure: 422" "The request is invalid" "$out"

# edit through EDITOR.
cat >"$W/editor.sh" <<'EOF'
#!/bin/sh
sed -i 's/^  key: .*/  key: "edited"/' "$1"
EOF
chmod +x "$W/editor.sh"
out=$(EDITOR="$W/editor.sh" kubectl edit cm cfg -n reg 2>&1)
has "edit" "configmap/cfg edited" "$out"
eq "edit applied" "edited" "$(kubectl get cm cfg -n reg -o jsonpath='{.data.key}')"

# A stale resourceVersion on replace: 409 Conflict.
kubectl get cm cfg -n reg -o json >"$W/cfg.json"
kubectl label cm cfg -n reg bump=1 >/dev/null 2>&1
out=$(k replace -f "$W/cfg.json")
has "stale replace: 409" 'Error from server (Conflict): error when replacing' "$out"
has "stale replace: message" 'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again' "$out"

# Bad input.
out=$(k run Bad_Name -n reg --image=nginx)
has "invalid name: 422" 'The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters' "$out"
printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nocontainers","namespace":"reg"},"spec":{}}' >"$W/bad.json"
out=$(k create -f "$W/bad.json")
has "missing containers: 422" 'spec.containers: Required value' "$out"
out=$(k get pod nope -n reg)
eq "missing pod: 404" 'Error from server (NotFound): pods "nope" not found' "$out"
out=$(k create cm cfg -n reg)
has "existing name: 409" 'configmaps "cfg" already exists' "$out"
out=$(k create cm x -n nowhere)
has "missing namespace: 404" 'namespaces "nowhere" not found' "$out"

# get -w: the stream of a watch (kubectl prints a row per event).
kubectl get cm -n reg -w --output-watch-events >"$W/watch.out" 2>&1 &
WPID=$!
# the watch is open once kubectl has printed the initial list
wait_for 30 grep -q 'ADDED *cfg' "$W/watch.out"
kubectl create cm watched -n reg >/dev/null 2>&1
kubectl label cm watched -n reg x=y >/dev/null 2>&1
kubectl delete cm watched -n reg >/dev/null 2>&1
wait_for 30 grep -q 'DELETED *watched' "$W/watch.out"
kill "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null
w=$(cat "$W/watch.out")
has "watch: initial list" "ADDED      cfg" "$w"
has "watch: ADDED" "ADDED      watched" "$w"
has "watch: MODIFIED" "MODIFIED   watched" "$w"
has "watch: DELETED" "DELETED    watched" "$w"

# A watch resumed from a resourceVersion replays what happened after it.
rv=$(kubectl get cm cfg -n reg -o jsonpath='{.metadata.resourceVersion}')
kubectl create cm later -n reg >/dev/null 2>&1
raw=$(kubectl get --raw "/api/v1/namespaces/reg/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=1" 2>&1)
has "resumed watch: replays the create" '{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"later"' "$raw"
hasnt "resumed watch: nothing from before" '"name":"cfg"' "$raw"

# delete: a pod answers with the object, a configmap with a Status; namespaces cascade.
out=$(k delete pod web -n reg --wait=false)
eq "delete pod" 'pod "web" deleted' "$out"
out=$(k delete cm later -n reg)
eq "delete configmap" 'configmap "later" deleted' "$out"
out=$(k delete ns default)
has "default namespace is protected" 'Forbidden' "$out"
ok "delete namespace" kubectl delete ns reg --wait=false
eq "namespace contents gone" "" "$(kubectl get cm -A --field-selector metadata.namespace=reg -o name 2>&1)"

# A watch still open when gkeid stops must not crash it or leak.
kubectl get pods -A -w -v=6 >"$W/watch2.out" 2>&1 &
LPID=$!
# open once the watch request has its 200 (kubectl -v=6 logs it when the headers arrive)
wait_for 30 grep -q 'watch=true.* 200 OK' "$W/watch2.out"
gkeid_stop
kill "$LPID" 2>/dev/null
wait "$LPID" 2>/dev/null
echo "$T_PASSED passed, $T_FAILED failed"
rm -rf "$T_TMP"
[ "$T_FAILED" -eq 0 ]
