#!/usr/bin/env bash
# test_kube_sa_tokens.sh - service-account tokens' lifetime, as kube-apiserver bounds it:
# TokenRequest's expirationSeconds is capped by --service-account-max-token-expiration
# (GKE: 48 h), with upstream's warning, where gkeid honoured up to 2^32 s (issue 9); a
# token whose service account, bound secret or bound pod is gone, or was recreated
# under the same name, is refused (401), with kube-apiserver's validator texts in
# TokenReview. Driven by the real `kubectl create token` and curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"

gkeid_up
kube_setup
# review TOKEN: TokenReview's status as "authenticated|error"
review() {
	out=$(kjson POST /apis/authentication.k8s.io/v1/tokenreviews \
		'{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"'"$1"'"}}')
	jget "$out" 'str(j["status"].get("authenticated"))+"|"+j["status"].get("error","")'
}
# as TOKEN: the code of a request made with the token
as() { out=$(KTOKEN=$1 kcurl GET /api/v1/namespaces/team-a/configmaps); printf '%s' "${out##* }"; }

ok "create namespace team-a" $K create namespace team-a
ok "create serviceaccount lowpriv" $K create serviceaccount lowpriv -n team-a

# --- --service-account-max-token-expiration: 48 h ------------------------------------------
$K create token lowpriv -n team-a --duration=1000h >"$T_TMP/tok" 2>"$T_TMP/err"
TOKEN=$(cat "$T_TMP/tok")
eq "--duration=1000h: a 48 h token (exp - iat = 172800), not 1000 h" 172800 "$(claim "$TOKEN" 'c["exp"]-c["iat"]')"
eq "... with upstream's warning" \
	"Warning: requested expiration of 3600000 seconds shortened to 172800 seconds" "$(cat "$T_TMP/err")"
out=$(kjson POST /api/v1/namespaces/team-a/serviceaccounts/lowpriv/token \
	'{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":4294967296}}')
eq "expirationSeconds 2^32: 201, spec.expirationSeconds shortened to 172800" "201 172800" \
	"${out##* } $(jget "$out" 'j["spec"]["expirationSeconds"]')"
eq "... status.expirationTimestamp 48 h on" 1 "$(jget "$out" '1 if abs(__import__("calendar").timegm(__import__("time").strptime(j["status"]["expirationTimestamp"],"%Y-%m-%dT%H:%M:%SZ"))-__import__("time").time()-172800)<120 else 0')"
eq "... and so is the token's exp" 172800 "$(claim "$(jget "$out" 'j["status"]["token"]')" 'c["exp"]-c["iat"]')"
out=$(kjson POST /api/v1/namespaces/team-a/serviceaccounts/lowpriv/token \
	'{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":4294967297}}')
eq "above 2^32 s: still Invalid, as ValidateTokenRequest says" \
	'422 TokenRequest.authentication.k8s.io "lowpriv" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds' \
	"${out##* } $(jget "$out" 'j["message"]')"
$K create token lowpriv -n team-a --duration=48h >"$T_TMP/tok" 2>"$T_TMP/err"
eq "--duration=48h: 48 h, no warning" "172800 " "$(claim "$(cat "$T_TMP/tok")" 'c["exp"]-c["iat"]') $(cat "$T_TMP/err")"
eq "--duration=2h: 2 h" 7200 "$(claim "$($K create token lowpriv -n team-a --duration=2h)" 'c["exp"]-c["iat"]')"
out=$($K create token lowpriv -n team-a --duration=5m 2>&1)
has "under 10 minutes is still Invalid" "may not specify a duration less than 10 minutes" "$out"

# --- a deleted service account's token is refused; a recreated one's too ---------------------
eq "the token authenticates (lowpriv may not list configmaps: 403)" 403 "$(as "$TOKEN")"
eq "TokenReview: authenticated" "True|" "$(review "$TOKEN")"
ok "delete the service account" $K delete serviceaccount lowpriv -n team-a
out=$(KTOKEN=$TOKEN kcurl GET /api/v1/namespaces/team-a/configmaps)
eq "its token now gets 401 Unauthorized" \
	'401 {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}' \
	"${out##* } $(printf '%s' "${out% *}" | tr -d '\n')"
eq "TokenReview: the getter's NotFound" 'None|[invalid bearer token, serviceaccounts "lowpriv" not found]' "$(review "$TOKEN")"
ok "recreate a service account of the same name" $K create serviceaccount lowpriv -n team-a
eq "the old token stays refused (another uid)" 401 "$(as "$TOKEN")"
new_uid=$($K get serviceaccount lowpriv -n team-a -o jsonpath='{.metadata.uid}')
old_uid=$(claim "$TOKEN" 'c["kubernetes.io"]["serviceaccount"]["uid"]')
eq "TokenReview: upstream's uid text" \
	"None|[invalid bearer token, service account UID ($new_uid) does not match claim ($old_uid)]" "$(review "$TOKEN")"
eq "a new token works" 403 "$(as "$($K create token lowpriv -n team-a)")"

# --- bound to a secret --------------------------------------------------------------------
ok "a secret to bind to" $K create secret generic s1 -n team-a --from-literal=k=v
STOK=$($K create token lowpriv -n team-a --bound-object-kind=Secret --bound-object-name=s1 2>&1)
eq "a secret-bound token names the secret" "s1 $($K get secret s1 -n team-a -o jsonpath='{.metadata.uid}')" \
	"$(claim "$STOK" 'c["kubernetes.io"]["secret"]["name"]+" "+c["kubernetes.io"]["secret"]["uid"]')"
eq "... and authenticates" 403 "$(as "$STOK")"
out=$($K create token lowpriv -n team-a --bound-object-kind=Secret --bound-object-name=s1 \
	--bound-object-uid=0d4691ed-659b-4935-a832-355f77ee47cc 2>&1)
eq "a wrong --bound-object-uid: upstream's Conflict" \
	'error: failed to create token: Operation cannot be fulfilled on Secret "s1": the UID in the bound object reference (0d4691ed-659b-4935-a832-355f77ee47cc) does not match the UID in record. The object might have been deleted and then recreated' "$out"
out=$($K create token lowpriv -n team-a --bound-object-kind=Secret --bound-object-name=nope 2>&1)
eq "a missing secret: NotFound" 'error: failed to create token: secrets "nope" not found' "$out"
out=$(kjson POST /api/v1/namespaces/team-a/serviceaccounts/lowpriv/token \
	'{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"boundObjectRef":{"kind":"ConfigMap","apiVersion":"v1","name":"c"}}}')
eq "another kind: upstream's BadRequest" '400 cannot bind token to object of type /v1, Kind=ConfigMap' \
	"${out##* } $(jget "$out" 'j["message"]')"
ok "delete the secret" $K delete secret s1 -n team-a
eq "the secret-bound token gets 401" 401 "$(as "$STOK")"
eq "TokenReview: invalidated" "None|[invalid bearer token, service account token has been invalidated]" "$(review "$STOK")"

# --- bound to a pod -----------------------------------------------------------------------
cat >"$T_TMP/pod.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team-a}
spec:
  serviceAccountName: lowpriv
  containers: [{name: c, image: nginx}]
EOF
ok "a pod to bind to" $K apply -f "$T_TMP/pod.yaml"
PTOK=$($K create token lowpriv -n team-a --bound-object-kind=Pod --bound-object-name=web 2>&1)
eq "a pod-bound token names the pod" web "$(claim "$PTOK" 'c["kubernetes.io"]["pod"]["name"]')"
eq "... and authenticates" 403 "$(as "$PTOK")"
old_pod=$(claim "$PTOK" 'c["kubernetes.io"]["pod"]["uid"]')
ok "delete the pod" $K delete pod web -n team-a --wait=false
eq "the pod-bound token gets 401" 401 "$(as "$PTOK")"
ok "recreate a pod of the same name" $K apply -f "$T_TMP/pod.yaml"
new_pod=$($K get pod web -n team-a -o jsonpath='{.metadata.uid}')
eq "TokenReview: upstream's pod uid text" \
	"None|[invalid bearer token, pod UID ($new_pod) does not match service account pod ref claim ($old_pod)]" "$(review "$PTOK")"

finish
