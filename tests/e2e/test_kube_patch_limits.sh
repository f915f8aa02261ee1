#!/usr/bin/env bash
# test_kube_patch_limits.sh - the patch attacks of issue 9 over the real API (curl with
# the admin's token, and kubectl patch), answered as kube-apiserver answers them since
# CVE-2019-1002100 (k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
#   - a JSON patch whose "copy" operations double a ConfigMap into itself: 422 Invalid
#     "the server rejected our request due to an error in our request", in well under a
#     second, the object unchanged (evanphx/json-patch's AccumulatedCopySizeLimit, 3 MiB);
#   - 10001 operations: 413 RequestEntityTooLarge "Request entity too large: The allowed
#     maximum operations in a JSON patch is 10000, got 10001";
#   - merge and strategic merge patches 1000 levels deep: 400 with the JSON decoder's
#     words (they were a 500 "out of memory");
#   - a ConfigMap with a field nested 2000 levels: 400, not stored, so lists stay
#     readable by jq;
#   - moves that nest the object too deep: 422;
# and the server still answers at once afterwards.
. "$(dirname "$0")/lib.sh"
gkeid_up
W=$T_TMP/work
mkdir -p "$W"
export HOME=$T_TMP/home # kubectl's discovery cache stays in the test
mkdir -p "$HOME"
k() { kubectl "$@" 2>&1; }

server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$W/ca.pem"
tok=$(gcloud_token)
CM=$server/api/v1/namespaces/lim/configmaps

# req METHOD URL CONTENT-TYPE FILE: the body, then a line "HTTP <code> <seconds>".
req() {
	curl -sS -m 60 --cacert "$W/ca.pem" -H "Authorization: Bearer $tok" -X "$1" \
		-H "Content-Type: $3" --data-binary @"$4" -w '\nHTTP %{http_code} %{time_total}\n' "$2"
}

ok "namespace" kubectl create namespace lim
# 64 keys of 64 bytes: a 5 kB ConfigMap that 20 doublings would make 5 GB
python3 - >"$W/cm.json" <<'EOF'
import json
print(json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "lim"},
                  "data": {"k%02d" % i: "v" * 64 for i in range(64)}}))
EOF
ok "configmap" kubectl apply -f "$W/cm.json"
rv=$(kubectl get cm cfg -n lim -o jsonpath='{.metadata.resourceVersion}')

# 1. The doubling patch: every copy puts /data inside itself.
python3 - >"$W/double.json" <<'EOF'
import json
print(json.dumps([{"op": "copy", "from": "/data", "path": "/data/d%d" % i} for i in range(20)]))
EOF
out=$(req PATCH "$CM/cfg" application/json-patch+json "$W/double.json")
eq "doubling JSON patch: 422" 422 "$(code "$out")"
eq "doubling JSON patch: reason Invalid" Invalid "$(field "$out" "['reason']")"
eq "doubling JSON patch: NewGenericServerResponse's message" \
	"the server rejected our request due to an error in our request" "$(field "$out" "['message']")"
eq "doubling JSON patch: details {}" "{}" "$(field "$out" "['details']")"
# (No timing is asserted, the machine is shared: the 422 itself is the proof that the
# patch was refused before 20 doublings made 5 GB; req's curl -m 60 bounds a runaway.)
eq "the ConfigMap is unchanged" "$rv" "$(kubectl get cm cfg -n lim -o jsonpath='{.metadata.resourceVersion}')"
out=$(k patch cm cfg -n lim --type=json --patch-file "$W/double.json")
has "kubectl patch --type=json: the request is invalid" \
	"The request is invalid: the server rejected our request due to an error in our request" "$out"

# 2. More operations than maxJSONPatchOperations.
# ops_file N: a JSON patch of N "test" operations that hold
ops_file() {
	python3 -c 'import json, sys; print(json.dumps([{"op": "test", "path": "/data/k00", "value": "v" * 64}] * int(sys.argv[1])))' "$1"
}
ops_file 10001 >"$W/ops.json"
ops_file 10000 >"$W/ops10k.json"
out=$(req PATCH "$CM/cfg" application/json-patch+json "$W/ops.json")
eq "10001 operations: 413" 413 "$(code "$out")"
eq "10001 operations: reason" RequestEntityTooLarge "$(field "$out" "['reason']")"
eq "10001 operations: kube-apiserver's message" \
	"Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001" \
	"$(field "$out" "['message']")"
out=$(k patch cm cfg -n lim --type=json --patch-file "$W/ops.json")
has "kubectl patch: 10001 operations" \
	"Error from server (RequestEntityTooLarge): Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001" "$out"
out=$(req PATCH "$CM/cfg" application/json-patch+json "$W/ops10k.json")
eq "10000 operations apply" 200 "$(code "$out")"
rv=$(kubectl get cm cfg -n lim -o jsonpath='{.metadata.resourceVersion}')

# 3. Merge and strategic merge patches 1000 levels deep.
python3 - >"$W/deep-merge.json" <<'EOF'
print('{"data":' + '{"a":' * 1000 + '"x"' + '}' * 1000 + '}')
EOF
out=$(req PATCH "$CM/cfg" application/merge-patch+json "$W/deep-merge.json")
eq "1000-level merge patch: 400" 400 "$(code "$out")"
eq "1000-level merge patch: the decoder's words" \
	"error decoding patch: invalid character '{' exceeded max depth" "$(field "$out" "['message']")"
eq "1000-level merge patch: reason" BadRequest "$(field "$out" "['reason']")"
out=$(k patch cm cfg -n lim --type=merge --patch-file "$W/deep-merge.json")
has "kubectl patch --type=merge: 400" \
	"Error from server (BadRequest): error decoding patch: invalid character '{' exceeded max depth" "$out"
out=$(req PATCH "$CM/cfg" application/strategic-merge-patch+json "$W/deep-merge.json")
eq "1000-level strategic merge patch: 400" 400 "$(code "$out")"
eq "1000-level strategic merge patch: the decoder's words" \
	"invalid character '{' exceeded max depth" "$(field "$out" "['message']")"
eq "the ConfigMap is still unchanged" "$rv" "$(kubectl get cm cfg -n lim -o jsonpath='{.metadata.resourceVersion}')"

# 4. A ConfigMap with an unknown field nested 2000 levels: kube-apiserver decodes it into
#    its type, which drops the field (with a warning), so nothing deep is stored.
python3 - >"$W/deep-cm.json" <<'EOF'
print('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":' + '{"a":' * 2000 + '1' + '}' * 2000 + '}')
EOF
out=$(req POST "$CM" application/json "$W/deep-cm.json")
eq "2000-level create: 201, as kube-apiserver" 201 "$(code "$out")"
eq "... stored without the unknown field" "" "$(kubectl get cm deep -n lim -o jsonpath='{.x}')"
out=$(req PUT "$CM/deep" application/json "$W/deep-cm.json")
eq "2000-level update: 200, the field dropped" 200 "$(code "$out")"
ok "the list still parses with jq" sh -c "kubectl get cm -n lim -o json | jq -e '.items | length > 0'"

# 5. Moves that nest the object deeper than the limit: refused as the patched object
#    kube-apiserver cannot decode (422), the object unchanged.
python3 - >"$W/move-deep.json" <<'EOF'
import json
chain = {}
for _ in range(100):
    chain = {"a": chain}
print(json.dumps([{"op": "add", "path": "/x", "value": chain},
                  {"op": "add", "path": "/y", "value": chain},
                  {"op": "move", "from": "/x", "path": "/y" + "/a" * 60}]))
EOF
out=$(req PATCH "$CM/cfg" application/json-patch+json "$W/move-deep.json")
eq "moves nesting 160 levels: 422" 422 "$(code "$out")"
eq "the ConfigMap is unchanged at the end" "$rv" "$(kubectl get cm cfg -n lim -o jsonpath='{.metadata.resourceVersion}')"

# 6. The server still answers (within curl -m 5), and ordinary patches still apply.
out=$(curl -sS -m 5 --cacert "$W/ca.pem" -w ' %{http_code}' "$server/healthz")
eq "healthz answers" 200 "$(echo "$out" | cut -d' ' -f2)"
ok "a JSON patch with a copy applies" kubectl patch cm cfg -n lim --type=json \
	-p '[{"op":"copy","from":"/data/k00","path":"/data/copied"}]'
eq "the copy is there" "$(printf 'v%.0s' $(seq 64))" "$(kubectl get cm cfg -n lim -o jsonpath='{.data.copied}')"
ok "a merge patch applies" kubectl patch cm cfg -n lim --type=merge -p '{"data":{"m":"1"}}'
eq "the merge is there" 1 "$(kubectl get cm cfg -n lim -o jsonpath='{.data.m}')"
ok "Google APIs answer too" gcloud projects describe demo-project
finish
