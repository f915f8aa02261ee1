#!/usr/bin/env bash
# test_kube_apply.sh - server-side apply (issue 11) with the real kubectl and curl:
#   - `kubectl apply --server-side` creates (201) and re-applies; the manager's
#     managedFields entry is what kube-apiserver 1.30 records (operation Apply,
#     fieldsType FieldsV1);
#   - a field dropped from the applied configuration leaves the object;
#   - a second manager (--field-manager) that changes an owned field gets the 409 of
#     k8s.io/apimachinery's managedfields/internal/conflict.go, and kubectl prints it;
#     the same value is shared instead; --force-conflicts takes the field over;
#   - associative lists merge by key across managers (a Service's ports, keyed by port
#     and protocol, with protocol's default TCP);
#   - plain writes record Update managers (kubectl create, kubectl label);
#   - a move from client-side `kubectl apply` to --server-side: no conflict over the
#     fields the last-applied annotation holds, and the annotation follows;
#   - the request errors of upstream: no fieldManager, force on a non-apply patch, an
#     unknown patch type (415 listing application/apply-patch+yaml), a field the type
#     does not declare (500 "failed to create typed patch object ...");
#   - every kubectl.1.NN that gcloud ships (1.27 to 1.33) applies server-side;
#   - `kpt live apply --server-side` of a small package (its inventory is a ResourceGroup
#     CRD).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
gkeid_up
kube_setup
W=$T_TMP/work
mkdir -p "$W"
k() { $K "$@" 2>&1; }
CM=/api/v1/namespaces/ssa/configmaps

ok "namespace" $K create namespace ssa
cat >"$W/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: ssa
  labels:
    app: web
data:
  a: "1"
  b: "2"
EOF
eq "apply --server-side creates" "configmap/cfg serverside-applied" "$(k apply --server-side -f "$W/cm.yaml")"
out=$(kcurl GET $CM/cfg)
eq "the manager's entry, as kube-apiserver records it" \
	'[{"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}, "manager": "kubectl", "operation": "Apply"}]' \
	"$(jget "$out" 'json.dumps([{k: v for k, v in e.items() if k != "time"} for e in j["metadata"]["managedFields"]], sort_keys=True)')"
has "... with its time" '"time":' "$(jget "$out" 'json.dumps(j["metadata"]["managedFields"][0])')"

# a change, and a key that the configuration no longer has
sed -i 's/"2"/"3"/; /a: "1"/d' "$W/cm.yaml"
eq "re-apply" "configmap/cfg serverside-applied" "$(k apply --server-side -f "$W/cm.yaml")"
eq "the changed value is stored and the dropped key is gone" '{"b": "3"}' \
	"$(jget "$(kcurl GET $CM/cfg)" 'json.dumps(j["data"])')"

# another manager
cat >"$W/other.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: ssa
data:
  b: "4"
EOF
out=$(k apply --server-side --field-manager=other -f "$W/other.yaml")
eq "a conflict: kubectl prints upstream's message" \
	'error: Apply failed with 1 conflict: conflict with "kubectl": .data.b' "$(printf '%s\n' "$out" | head -n 1)"
body='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","labels":{"app":"db"}},"data":{"b":"5","c":"6"}}'
out=$(kcurl PATCH "$CM/cfg?fieldManager=other" -H 'Content-Type: application/apply-patch+yaml' --data-binary "$body")
eq "the 409 Status, byte for byte (conflict.go, two conflicts)" "$(printf '%s\n 409' \
	'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .data.b\n- .metadata.labels.app","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl\"","field":".data.b"},{"reason":"FieldManagerConflict","message":"conflict with \"kubectl\"","field":".metadata.labels.app"}]},"code":409}')" \
	"$out"
eq "the object is unchanged" '{"b": "3"}' "$(jget "$(kcurl GET $CM/cfg)" 'json.dumps(j["data"])')"
sed 's/"4"/"3"/' "$W/other.yaml" >"$W/same.yaml"
eq "the same value is shared, not a conflict" "configmap/cfg serverside-applied" \
	"$(k apply --server-side --field-manager=other -f "$W/same.yaml")"
eq "--force-conflicts takes the field over" "configmap/cfg serverside-applied" \
	"$(k apply --server-side --field-manager=other --force-conflicts -f "$W/other.yaml")"
out=$(kcurl GET $CM/cfg)
eq "... its value stored, and it alone owns .data.b" '4 kubectl={"f:metadata": {"f:labels": {"f:app": {}}}} other={"f:data": {"f:b": {}}}' \
	"$(jget "$out" 'j["data"]["b"] + " " + " ".join(e["manager"] + "=" + json.dumps(e["fieldsV1"], sort_keys=True) for e in j["metadata"]["managedFields"])')"
out=$(k apply --server-side -f "$W/cm.yaml")
eq "now kubectl is the one in conflict" \
	'error: Apply failed with 1 conflict: conflict with "other": .data.b' "$(printf '%s\n' "$out" | head -n 1)"

# associative lists merge by key: a Service's ports (port, protocol; protocol TCP by default)
cat >"$W/svc.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ssa
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
EOF
ok "a Service applied by one manager" $K apply --server-side --field-manager=team-a -f "$W/svc.yaml"
cat >"$W/svc-b.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ssa
spec:
  ports:
  - name: metrics
    port: 9090
    protocol: TCP
EOF
ok "... a port added by another" $K apply --server-side --field-manager=team-b -f "$W/svc-b.yaml"
out=$(kcurl GET /api/v1/namespaces/ssa/services/web)
eq "both ports, merged by key" "http:80 metrics:9090" \
	"$(jget "$out" '" ".join("%s:%s" % (p["name"], p["port"]) for p in j["spec"]["ports"])')"
eq "team-b owns its port by port and protocol" \
	'{"f:spec": {"f:ports": {"k:{\"port\":9090,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}}}}}' \
	"$(jget "$out" 'json.dumps([e["fieldsV1"] for e in j["metadata"]["managedFields"] if e["manager"] == "team-b"][0], sort_keys=True)')"

# from client-side to server-side apply (lastAppliedManager, lastAppliedUpdater)
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mig\n  namespace: ssa\ndata:\n  k: one\n' >"$W/mig.yaml"
eq "client-side apply" "configmap/mig created" "$(k apply -f "$W/mig.yaml")"
sed -i 's/one/two/' "$W/mig.yaml"
eq "then server-side: no conflict with kubectl-client-side-apply over its own fields" \
	"configmap/mig serverside-applied" "$(k apply --server-side -f "$W/mig.yaml")"
out=$(kcurl GET $CM/mig)
eq "... the value changed and the last-applied annotation follows" 'two {"apiVersion":"v1","data":{"k":"two"},"kind":"ConfigMap","metadata":{"name":"mig","namespace":"ssa"}}' \
	"$(jget "$out" 'j["data"]["k"] + " " + j["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].strip()')"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mig\n  namespace: ssa\ndata:\n  k: three\n' >"$W/mig2.yaml"
has "another manager still conflicts" 'conflict with "kubectl"' \
	"$(k apply --server-side --field-manager=someone -f "$W/mig2.yaml")"

# a Deployment: containers merge by name, their ports by containerPort and protocol
cat >"$W/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ssa
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
EOF
eq "a Deployment applied" "deployment.apps/web serverside-applied" "$(k apply --server-side -f "$W/deploy.yaml")"
cat >"$W/sidecar.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ssa
spec:
  template:
    spec:
      containers:
      - name: proxy
        image: envoy:1.30
EOF
ok "... a sidecar applied by another manager" $K apply --server-side --field-manager=mesh -f "$W/sidecar.yaml"
eq "both containers, merged by name" "nginx=nginx:1.25 proxy=envoy:1.30" \
	"$(k get deployment web -n ssa -o jsonpath='{range .spec.template.spec.containers[*]}{.name}={.image} {end}' | sed 's/ $//')"
sed 's/nginx:1.25/nginx:1.27/' "$W/deploy.yaml" | sed 's/name: web$/name: web/' >"$W/deploy2.yaml"
out=$(k apply --server-side --field-manager=mesh -f "$W/deploy2.yaml")
eq "another manager changing the image: a conflict on the keyed path" \
	'error: Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.containers[name="nginx"].image' \
	"$(printf '%s\n' "$out" | head -n 1)"

# Update managers of ordinary writes
ok "kubectl create" $K -n ssa create configmap made --from-literal=k=v
ok "kubectl label" $K -n ssa label configmap made tier=x
out=$(kcurl GET $CM/made)
eq "create and label are Update managers" \
	'kubectl-create:Update:v1:{"f:data": {".": {}, "f:k": {}}} kubectl-label:Update:v1:{"f:metadata": {"f:labels": {".": {}, "f:tier": {}}}}' \
	"$(jget "$out" '" ".join("%s:%s:%s:%s" % (e["manager"], e["operation"], e["apiVersion"], json.dumps(e["fieldsV1"], sort_keys=True)) for e in j["metadata"]["managedFields"])')"

# request errors as upstream words them
out=$(kcurl PATCH $CM/cfg -H 'Content-Type: application/apply-patch+yaml' --data-binary '{}')
eq "apply without fieldManager: 422" '422 PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' \
	"$(code "$out") $(jget "${out% *}" 'j["message"]')"
out=$(kcurl PATCH "$CM/cfg?force=true" -H 'Content-Type: application/merge-patch+json' --data-binary '{}')
eq "force on a merge patch: 422" '422 PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch' \
	"$(code "$out") $(jget "${out% *}" 'j["message"]')"
out=$(kcurl PATCH "$CM/cfg" -H 'Content-Type: text/plain' --data-binary '{}')
eq "an unknown patch type: 415 naming apply" '415 the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml' \
	"$(code "$out") $(jget "${out% *}" 'j["message"]')"
out=$(kcurl PATCH "$CM/cfg?fieldManager=x" -H 'Content-Type: application/apply-patch+yaml' --data-binary 'apiVersion: v1
kind: Secret
metadata: {name: cfg}')
eq "an applied object of another kind: 400" '400 invalid object type: /v1, Kind=Secret' \
	"$(code "$out") $(jget "${out% *}" 'j["message"]')"

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: ssa\nspec:\n  x: 1\n' >"$W/unknown.yaml"
eq "a field the type does not declare: upstream's 500 (issue kubernetes#122480)" \
	'Error from server: failed to create typed patch object (ssa/cfg; /v1, Kind=ConfigMap): .spec: field not declared in schema' \
	"$(k apply --server-side -f "$W/unknown.yaml")"

# every kubectl that gcloud ships: each applies its own key
n=0
for v in 27 28 29 30 31 32 33; do
	kv=/usr/lib/google-cloud-sdk/bin/kubectl.1.$v
	[ -x "$kv" ] || continue
	n=$((n + 1))
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: versions\n  namespace: ssa\ndata:\n  v%s: "yes"\n' "$v" >"$W/v.yaml"
	eq "kubectl 1.$v apply --server-side" "configmap/versions serverside-applied" \
		"$($kv apply --server-side --field-manager=kubectl-1.$v -f "$W/v.yaml" 2>&1)"
done
out=$(kcurl GET $CM/versions)
eq "one Apply manager per version, each owning its key" "$n" \
	"$(jget "$out" 'len([e for e in j["metadata"]["managedFields"] if e["operation"] == "Apply" and list(e["fieldsV1"]["f:data"]) == ["f:v" + e["manager"][-2:]]])')"

# kpt live apply: server-side apply through cli-utils, its inventory a custom resource
# (it also sends HEAD requests, whose replies must carry no body)
mkdir -p "$W/pkg"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-kpt\n  namespace: ssa\ndata:\n  a: "1"\n' >"$W/pkg/cm.yaml"
ok "kpt live init" kpt live init --namespace ssa "$W/pkg"
ok "kpt live install-resource-group (a CRD)" kpt live install-resource-group
has "kpt live apply --server-side" "apply result: 1 attempted, 1 successful, 0 skipped, 0 failed" \
	"$(kpt live apply --server-side "$W/pkg" 2>&1)"
eq "... applied server-side" "1 Apply" \
	"$(jget "$(kcurl GET $CM/from-kpt)" 'j["data"]["a"] + " " + j["metadata"]["managedFields"][0]["operation"]')"
finish
