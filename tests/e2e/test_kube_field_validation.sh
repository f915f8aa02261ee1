#!/bin/bash
# test_kube_field_validation.sh - unknown and duplicate fields in objects of built-in
# kinds, as kube-apiserver 1.30 treats them (handlers/create.go, update.go, patch.go;
# KEP-2885 server-side field validation): never stored; fieldValidation=Strict refuses
# them (400 `... cannot be handled as a Pod: strict decoding error: unknown field
# "spec.foo"`, 422 for patches), Warn (the default) answers `Warning: 299 - "unknown field
# \"spec.foo\""`, Ignore drops them silently. Driven by every kubectl from 1.27 to 1.33
# (--validate=strict|warn|false sends Strict|Warn|Ignore) and by curl for the exact bytes.
# The security review's case: a 2,000-level nested unknown field broke jq on every list.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
gkeid_up
kube_setup
W=$T_TMP/work
mkdir -p "$W"
KBIN=/usr/lib/google-cloud-sdk/bin
NS=/api/v1/namespaces/default

cat >"$W/pod.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: fv
  namespace: default
  annotations:
    iam.gke.io/gcp-service-account: app@demo-project.iam.gserviceaccount.com
  unknownMeta: x
spec:
  containers:
  - name: app
    image: nginx
    foo: bar
EOF
STRICT_MSG='Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.unknownMeta", unknown field "spec.containers[0].foo"'

# kubectl apply (create): every supported kubectl; true and strict send Strict.
for v in 1.27 1.28 1.29 1.30 1.31 1.32 1.33; do
	KV=$KBIN/kubectl.$v
	[ -x "$KV" ] || continue
	out=$("$KV" apply -f "$W/pod.yaml" 2>&1)
	eq "kubectl $v apply (--validate=true): upstream's 400" \
		"Error from server (BadRequest): error when creating \"$W/pod.yaml\": $STRICT_MSG" "$out"
	out=$("$KV" get pod fv 2>&1)
	has "kubectl $v: nothing was stored" 'pods "fv" not found' "$out"
done
out=$($K apply -f "$W/pod.yaml" --validate=strict 2>&1)
eq "--validate=strict: the same" \
	"Error from server (BadRequest): error when creating \"$W/pod.yaml\": $STRICT_MSG" "$out"

# --validate=warn: kubectl prints the server's warnings; the object is stored without them.
out=$($K apply -f "$W/pod.yaml" --validate=warn 2>&1)
eq "--validate=warn: warnings, then created" 'Warning: unknown field "metadata.unknownMeta"
Warning: unknown field "spec.containers[0].foo"
pod/fv created' "$out"
pod=$($K get pod fv -o json 2>&1)
eq "stored without spec.containers[0].foo" "None" \
	"$(jget "$pod" 'j["spec"]["containers"][0].get("foo")')"
eq "stored without metadata.unknownMeta" "None" "$(jget "$pod" 'j["metadata"].get("unknownMeta")')"
eq "gkeid's annotation survives" "app@demo-project.iam.gserviceaccount.com" \
	"$(jget "$pod" 'j["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]')"
eq "the container survives" "app nginx" \
	"$(jget "$pod" 'j["spec"]["containers"][0]["name"]+" "+j["spec"]["containers"][0]["image"]')"
ok "delete" $K delete pod fv --wait=false

# --validate=false sends Ignore: stored without the fields, no warning.
out=$($K apply -f "$W/pod.yaml" --validate=false 2>&1)
eq "--validate=false: created, no warning" "pod/fv created" "$out"
eq "... and stored without the unknown field" "None" \
	"$($K get pod fv -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["containers"][0].get("foo"))')"

# kubectl apply to the existing object patches (strategic merge patch): Strict is 422.
sed 's/image: nginx$/image: nginx:1.27/' "$W/pod.yaml" >"$W/pod2.yaml"
out=$($K apply -f "$W/pod2.yaml" 2>&1)
has "apply to an existing object: the patcher's 422" "The request is invalid: patch: Invalid value: \"map[" "$out"
has "... with the strict decoding error" 'strict decoding error: unknown field "metadata.unknownMeta", unknown field "spec.containers[0].foo"' "$out"
eq "... and nothing changed" "nginx" "$($K get pod fv -o jsonpath='{.spec.containers[0].image}')"
out=$($K apply -f "$W/pod2.yaml" --validate=warn 2>&1)
has "apply --validate=warn to it: the warning" 'Warning: unknown field "spec.containers[0].foo"' "$out"
has "... and configured" "pod/fv configured" "$out"
eq "... the change is in" "nginx:1.27" "$($K get pod fv -o jsonpath='{.spec.containers[0].image}')"
out=$($K replace -f "$W/pod2.yaml" --validate=strict 2>&1)
has "kubectl replace (PUT) --validate=strict: 400" \
	"Error from server (BadRequest): error when replacing \"$W/pod2.yaml\": $STRICT_MSG" "$out"

# kubectl 1.27 and 1.28 read /openapi/v2 before they validate: an empty document.
r=$(kcurl GET /openapi/v2 -H 'Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf' -D "$W/h")
eq "/openapi/v2 in protobuf: an empty Document" " 200" "$r"
has "... its media type" "Content-Type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf" "$(cat "$W/h")"

# The exact bytes (curl).
BODY='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm1","foo":1},"data":{"a":"b"},"spec":{"x":{"y":1}}}'
r=$(kjson POST "$NS/configmaps?fieldValidation=Strict" "$BODY")
eq "POST Strict: the whole 400 Status" '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"metadata.foo\", unknown field \"spec\"","reason":"BadRequest","code":400}
 400' "$r"
kjson POST "$NS/configmaps" "$BODY" -D "$W/h" -o "$W/b" >/dev/null
eq "POST without fieldValidation (Warn): the Warning headers" 'Warning: 299 - "unknown field \"metadata.foo\""
Warning: 299 - "unknown field \"spec\""' "$(grep -i '^warning:' "$W/h" | tr -d '\r')"
b=$(cat "$W/b")
eq "... 201 with the object pruned" "b None None" \
	"$(jget "$b" 'j["data"]["a"]') $(jget "$b" 'j["metadata"].get("foo")') $(jget "$b" 'j.get("spec")')"
kjson POST "$NS/configmaps?fieldValidation=Ignore" "${BODY/cm1/cm2}" -D "$W/h" -o "$W/b" >/dev/null
eq "POST Ignore: no warning" "" "$(grep -i '^warning:' "$W/h")"
has "... created without spec" '"data":{"a":"b"}}' "$(cat "$W/b")"
hasnt "... really" '"spec"' "$(cat "$W/b")"
r=$(kjson POST "$NS/configmaps?fieldValidation=strict" "$BODY")
eq "an unsupported fieldValidation: CreateOptions 422" '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"strict\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"","reason":"Invalid","details":{"group":"meta.k8s.io","kind":"CreateOptions","causes":[{"reason":"FieldValueNotSupported","message":"Unsupported value: \"strict\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"","field":"fieldValidation"}]},"code":422}
 422' "$r"

# Duplicate fields: upstream's integration test body (field_validation_test.go), as a Pod.
DUP='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"dupename","name":"dup","labels":{"app":"nginx"},"unknownMeta":"metaVal"},"spec":{"unknown1":"val1","unknownDupe":"valDupe","unknownDupe":"valDupe2","hostNetwork":true,"hostNetwork":false,"containers":[{"name":"nginx","image":"nginx:latest","unknownNested":"val1","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}'
DUP_ERRS='duplicate field \"metadata.name\", unknown field \"metadata.unknownMeta\", unknown field \"spec.unknown1\", unknown field \"spec.unknownDupe\", duplicate field \"spec.hostNetwork\", unknown field \"spec.containers[0].unknownNested\", duplicate field \"spec.containers[0].imagePullPolicy\"'
r=$(kjson POST "$NS/pods?fieldValidation=Strict" "$DUP")
has "duplicates and unknown fields in document order (Strict)" "cannot be handled as a Pod: strict decoding error: $DUP_ERRS\"" "$r"
kjson POST "$NS/pods?fieldValidation=Warn" "$DUP" -D "$W/h" -o "$W/b" >/dev/null
eq "... the same as warnings (Warn)" 'Warning: 299 - "duplicate field \"metadata.name\""
Warning: 299 - "unknown field \"metadata.unknownMeta\""
Warning: 299 - "unknown field \"spec.unknown1\""
Warning: 299 - "unknown field \"spec.unknownDupe\""
Warning: 299 - "duplicate field \"spec.hostNetwork\""
Warning: 299 - "unknown field \"spec.containers[0].unknownNested\""
Warning: 299 - "duplicate field \"spec.containers[0].imagePullPolicy\""' "$(grep -i '^warning:' "$W/h" | tr -d '\r')"
eq "... the last duplicate wins" "dup False Never" \
	"$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["metadata"]["name"], j["spec"]["hostNetwork"], j["spec"]["containers"][0]["imagePullPolicy"])' "$W/b")"
r=$(kjson POST "$NS/pods?fieldValidation=Ignore" "${DUP/\"dup\"/\"dup2\"}")
eq "Ignore: duplicates are no error either" "201" "${r##* }"

# PUT: the same decoding.
cm=$(kcurl GET "$NS/configmaps/cm1")
put=$(jget "$cm" 'json.dumps({**j, "bogus": 1}, separators=(",",":"))')
r=$(kjson PUT "$NS/configmaps/cm1?fieldValidation=Strict" "$put")
has "PUT Strict: 400" 'cannot be handled as a ConfigMap: strict decoding error: unknown field \"bogus\"","reason":"BadRequest","code":400}' "$r"
eq "... the code" "400" "${r##* }"
r=$(kjson PUT "$NS/configmaps/cm1" "$put" -D "$W/h")
eq "PUT Warn: stored pruned" "None 200" "$(jget "$r" 'j.get("bogus")') ${r##* }"
has "... with the warning" 'Warning: 299 - "unknown field \"bogus\""' "$(cat "$W/h")"

# Patches: every type prunes its result; Strict is the patchers' 422.
r=$(kcurl PATCH "$NS/configmaps/cm1?fieldValidation=Strict" -H 'Content-Type: application/merge-patch+json' --data-binary '{"data":{"c":"d"},"zzz":1}')
has "merge patch Strict: 422 about the patched object" '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":" \"\" is invalid: patch: Invalid value: \"{\\\"kind\\\":\\\"ConfigMap\\\",' "$r"
has "... with the strict decoding error" 'strict decoding error: unknown field \"zzz\"","reason":"Invalid","details":{"causes":[{"reason":"FieldValueInvalid","message":"Invalid value: ' "$r"
has "... about the field patch" '"field":"patch"}]},"code":422}' "$r"
eq "... the code" "422" "${r##* }"
r=$(kcurl PATCH "$NS/configmaps/cm1?fieldValidation=Strict" -H 'Content-Type: application/strategic-merge-patch+json' --data-binary '{"data":{"c":"d"},"zzz":1}')
has "strategic merge patch Strict: the patch as Go prints a map" '"message":" \"\" is invalid: patch: Invalid value: \"map[data:map[c:d] zzz:1]\": strict decoding error: unknown field \"zzz\""' "$r"
r=$(kcurl PATCH "$NS/configmaps/cm1?fieldValidation=Strict" -H 'Content-Type: application/json-patch+json' --data-binary '[{"op":"add","path":"/zzz","value":1,"foo":"bar"}]')
has "JSON patch Strict: the operation's unknown field too" 'strict decoding error: json patch unknown field \"[0].foo\", unknown field \"zzz\""' "$r"
for t in merge-patch strategic-merge-patch; do
	r=$(kcurl PATCH "$NS/configmaps/cm1" -H "Content-Type: application/$t+json" --data-binary '{"data":{"t":"'$t'"},"zzz":{"a":1}}' -D "$W/h")
	eq "$t (Warn): applied" "$t 200" "$(jget "$r" 'j["data"]["t"]') ${r##* }"
	eq "... without the field" "None" "$(jget "$r" 'j.get("zzz")')"
	eq "... one warning" 'Warning: 299 - "unknown field \"zzz\""' "$(grep -i '^warning:' "$W/h" | tr -d '\r')"
done
r=$(kcurl PATCH "$NS/configmaps/cm1?fieldValidation=Ignore" -H 'Content-Type: application/json-patch+json' --data-binary '[{"op":"add","path":"/zzz","value":1},{"op":"add","path":"/data/j","value":"v"}]')
eq "JSON patch Ignore: applied, field dropped" "v None" "$(jget "$r" 'j["data"]["j"]') $(jget "$r" 'j.get("zzz")')"
eq "nothing unknown was stored by any of them" "None" \
	"$(jget "$(kcurl GET "$NS/configmaps/cm1")" 'j.get("zzz") or j.get("bogus") or j.get("spec")')"

# The review's attack: a 2,000-level nested unknown field used to be stored, and every
# list then broke jq (jq 1.6 stops at 256 levels) and Python's json (recursion).
python3 -c 'import sys; d=2000; sys.stdout.write("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"deep\"},\"x\":" + "{\"a\":"*d + "1" + "}"*d + "}")' >"$W/deep.json"
r=$(kcurl POST "$NS/configmaps" -H 'Content-Type: application/json' --data-binary @"$W/deep.json" -D "$W/h" -o /dev/null)
eq "the deep body is accepted (Warn)" " 201" "$r"
eq "... with one warning for its top" 'Warning: 299 - "unknown field \"x\""' "$(grep -i '^warning:' "$W/h" | tr -d '\r')"
r=$(kcurl POST "$NS/configmaps?fieldValidation=Ignore" -H 'Content-Type: application/json' --data-binary @"$W/deep.json")
eq "... and as Ignore (already exists: it was stored)" "409" "${r##* }"
kcurl GET "$NS/configmaps" -o "$W/list.json" >/dev/null
ok "jq parses the list" jq -e '.items | length > 0' "$W/list.json"
eq "python parses the list; deep has no x" "None" \
	"$(python3 -c 'import json,sys; print([i for i in json.load(open(sys.argv[1]))["items"] if i["metadata"]["name"]=="deep"][0].get("x"))' "$W/list.json")"
ok "kubectl get -o json | jq" sh -c "$K get cm -o json | jq -e '.items[] | select(.metadata.name==\"deep\")'"

finish
