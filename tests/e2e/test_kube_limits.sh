#!/usr/bin/env bash
# test_kube_limits.sh - what an input longer than gkeid's fixed buffers gets from the
# Kubernetes API server (issue 10 item 7: a truncated key, path or name is an error, never a
# silently shorter string). With curl and the admin's token:
#   - a name over 253 characters: 422 Invalid from validation, as kube-apiserver's
#     ValidateObjectMeta answers ("must be no more than 253 characters"), the whole name in
#     the message and in details.name;
#   - a GET of such a name: 404, the object's own NotFound, nothing found under a
#     shortened name;
#   - RBAC names, which Kubernetes does not limit: up to 1,023 characters made, read,
#     bound and deleted; longer ones refused when made (KUBE_NAME_MAX);
#   - a ConfigMap data key and an annotation key far longer than any buffer: their errors
#     carry the whole key (field "data[KEY]", the key in lower case);
#   - a custom resource whose field path is longer than 1 kB is still validated by the
#     schema (it was left unchecked, and stored);
#   - a fieldManager over 128 bytes: 422 from ValidateCreateOptions, ValidateUpdateOptions
#     and ValidatePatchOptions (it was cut to 128 bytes on create and update);
#   - impersonating a user name longer than gkeid holds: 400, never a shortened user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
gkeid_up
kube_setup
CM=/api/v1/namespaces/default/configmaps
long() { python3 -c 'import sys; print(sys.argv[1] * int(sys.argv[2]))' "$1" "$2"; }
L300=$(long a 300)

# --- a name over 253 characters -----------------------------------------------------------
out=$(kjson POST $CM "{\"metadata\":{\"name\":\"$L300\"}}")
eq "create, a 300-character name: 422" 422 "$(code "$out")"
eq "... reason Invalid" Invalid "$(field "$out" "['reason']")"
eq "... details.name is the whole name" 300 "$(jget "$out" "len(j['details']['name'])")"
eq "... the cause is ValidateObjectMeta's" \
	"metadata.name FieldValueInvalid 1" \
	"$(jget "$out" "' '.join([j['details']['causes'][0]['field'], j['details']['causes'][0]['reason'], str(int('must be no more than 253 characters' in j['details']['causes'][0]['message']))])")"
has "... the message names the whole name" "ConfigMap \\\"$L300\\\" is invalid" "$(body "$out")"
out=$(kjson POST $CM "{\"metadata\":{\"name\":\"$(long a 253)\"}}")
eq "a 253-character name is taken" 201 "$(code "$out")"
eq "... and read back whole" 253 "$(jget "$(kcurl GET "$CM/$(long a 253)")" "len(j['metadata']['name'])")"
out=$(kcurl GET "$CM/$L300")
eq "GET of a 300-character name: 404" 404 "$(code "$out")"
eq "... NotFound" NotFound "$(field "$out" "['reason']")"
eq "nothing was stored under a shortened name" \
	"[253]" "$(jget "$(kcurl GET $CM)" "sorted(len(i['metadata']['name']) for i in j['items'] if i['metadata']['name'].startswith('aaa'))")"
eq "... and the 404 is the object's, as kube-apiserver's for a name never made" \
	"configmaps \"$L300\" not found $L300" "$(jget "$out" "j['message'] + ' ' + j['details']['name']")"

# --- RBAC names: path segments, with no length in Kubernetes -------------------------------
# (path.IsValidPathSegmentName): a Role of 300 and of 1,023 characters is made, read,
# bound and deleted like any other (one over 255 was made, then never found: every GET and
# DELETE got the generic 404); 1,024 and more are refused when made, so that nothing is
# stored that no request can address (KUBE_NAME_MAX).
RB=/apis/rbac.authorization.k8s.io/v1/namespaces/default
for n in 300 1023; do
	R=$(long r $n)
	out=$(kjson POST $RB/roles "{\"metadata\":{\"name\":\"$R\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]}")
	eq "a Role of $n characters: 201" 201 "$(code "$out")"
	eq "... read back whole" "200 $n" "$(r=$(kcurl GET "$RB/roles/$R"); echo "$(code "$r") $(jget "$r" "len(j['metadata']['name'])")")"
	out=$(kjson POST $RB/rolebindings "{\"metadata\":{\"name\":\"$R\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"$R\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"x\"}]}")
	eq "... bound by a RoleBinding of the same name" 201 "$(code "$out")"
	eq "... both deleted" "200 200" "$(code "$(kcurl DELETE "$RB/rolebindings/$R")") $(code "$(kcurl DELETE "$RB/roles/$R")")"
	eq "... and gone" "roles.rbac.authorization.k8s.io \"$R\" not found" "$(jget "$(kcurl GET "$RB/roles/$R")" "j['message']")"
done
R=$(long r 1024)
out=$(kjson POST $RB/roles "{\"metadata\":{\"name\":\"$R\"},\"rules\":[]}")
eq "a Role of 1,024 characters: 422, refused rather than stored out of reach" \
	"422 Role.rbac.authorization.k8s.io \"$R\" is invalid: metadata.name: Invalid value: \"$R\": must be no more than 1023 characters" \
	"$(code "$out") $(jget "$out" "j['message']")"

# --- keys longer than any buffer ---------------------------------------------------------
K700=$(long b 700),
out=$(kjson POST $CM "{\"metadata\":{\"name\":\"keys\"},\"data\":{\"$K700\":\"v\"}}")
eq "a 701-byte data key that is not a config key: 422" 422 "$(code "$out")"
eq "... its field is data[KEY] with the whole key" "data[$K700]" "$(field "$out" "['details']['causes'][0]['field']")"
A600=$(long Q 600)/x
out=$(kjson POST $CM "{\"metadata\":{\"name\":\"keys\",\"annotations\":{\"$A600\":\"v\"}}}")
eq "a 602-byte annotation key: 422" 422 "$(code "$out")"
eq "... its message carries the whole key, in lower case" 1 \
	"$(jget "$out" "int('Invalid value: \"' + '$(long q 600)/x' + '\"' in j['details']['causes'][0]['message'])")"

# --- a custom resource with a field path over 1 kB ----------------------------------------
cat >"$T_TMP/crd.json" <<'EOF'
{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
 "metadata": {"name": "gauges.example.com"},
 "spec": {"group": "example.com", "scope": "Namespaced",
  "names": {"plural": "gauges", "kind": "Gauge"},
  "versions": [{"name": "v1", "served": true, "storage": true,
   "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
     "properties": {"m": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}}}]}}
EOF
out=$(kcurl POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions -H 'Content-Type: application/json' --data-binary @"$T_TMP/crd.json")
eq "a CRD whose map holds integers" 201 "$(code "$out")"
wait_for 20 output_is 200 code_of kcurl GET /apis/example.com/v1/namespaces/default/gauges
K1100=$(long k 1100)
G=/apis/example.com/v1/namespaces/default/gauges
out=$(kjson POST $G "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Gauge\",\"metadata\":{\"name\":\"short\"},\"spec\":{\"m\":{\"k\":\"not a number\"}}}")
eq "a string under a short key: 422" 422 "$(code "$out")"
out=$(kjson POST $G "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Gauge\",\"metadata\":{\"name\":\"long\"},\"spec\":{\"m\":{\"$K1100\":\"not a number\"}}}")
eq "a string under a 1100-byte key: 422 as well (it was stored unchecked)" 422 "$(code "$out")"
eq "... the field is the whole path" "spec.m.$K1100" "$(field "$out" "['details']['causes'][0]['field']")"
eq "... and nothing was stored" 404 "$(code "$(kcurl GET $G/long)")"

# --- a field manager over 128 bytes ---------------------------------------------------------
# (ValidateCreateOptions/ValidateUpdateOptions' ValidateFieldManager: it was cut to 128
# bytes and stored as another manager's name)
M129=$(long m 129)
out=$(kjson POST "$CM?fieldManager=$M129" '{"metadata":{"name":"fm"}}')
eq "create with a 129-byte fieldManager: 422, CreateOptions' words" \
	'422 CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most 128 bytes FieldValueTooLong' \
	"$(code "$out") $(jget "$out" "j['message'] + ' ' + j['details']['causes'][0]['reason']")"
eq "... nothing stored" 404 "$(code "$(kcurl GET $CM/fm)")"
out=$(kjson POST "$CM?fieldManager=$(long m 128)" '{"metadata":{"name":"fm"},"data":{"k":"v"}}')
eq "128 bytes: created" 201 "$(code "$out")"
eq "... the manager whole" 128 "$(jget "$(kcurl GET $CM/fm)" "len(j['metadata']['managedFields'][0]['manager'])")"
out=$(kjson PUT "$CM/fm?fieldManager=$M129" '{"metadata":{"name":"fm"},"data":{"a":"b"}}')
eq "update with a 129-byte fieldManager: 422, UpdateOptions' words" \
	'422 UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most 128 bytes' \
	"$(code "$out") $(jget "$out" "j['message']")"
out=$(kcurl PATCH "$CM/fm?fieldManager=$M129" -H 'Content-Type: application/merge-patch+json' -d '{"data":{"a":"b"}}')
eq "patch: PatchOptions', with its cause" \
	'422 PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most 128 bytes fieldManager' \
	"$(code "$out") $(jget "$out" "j['message'] + ' ' + j['details']['causes'][0]['field']")"

# --- impersonation -------------------------------------------------------------------------
out=$(kcurl GET /api/v1/namespaces -H "Impersonate-User: $(long u 400)")
eq "impersonating a 400-byte user name: 400, not a shortened user" 400 "$(code "$out")"

gkeid_stop
finish
