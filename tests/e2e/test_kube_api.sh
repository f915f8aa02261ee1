#!/usr/bin/env bash
# test_kube_api.sh - the demo cluster's Kubernetes API server as the real kubectl meets
# it: TLS with gkeid's CA, /version, discovery (aggregated and legacy), api-resources,
# the OpenAPI v3 skeleton that lets `kubectl apply` validate on the server, Status
# bodies for 401, 403, 404 and 413, the public OIDC documents, and a clean exit under
# ASan.
. "$(dirname "$0")/lib.sh"

gkeid_up
K132=/usr/lib/google-cloud-sdk/bin/kubectl.1.32
[ -x "$K132" ] || K132=kubectl
export HOME=$T_TMP/home # kubectl's discovery cache stays in the test
mkdir -p "$HOME"

server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
case "$server" in https://127.0.0.1:[0-9]*) pass "kubeconfig points at the HTTPS API server" ;; *) fail "kubeconfig server" "$server" ;; esac
kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$T_TMP/ca.pem"
has "the kubeconfig carries the CA" "BEGIN CERTIFICATE" "$(cat "$T_TMP/ca.pem")"
CA_FILE=$DATA_DIR/keys/demo-project-us-central1-demo-cluster-ca.pem # the cluster's own CA
eq "the CA is the one in the data dir" "$(cat "$CA_FILE")" "$(cat "$T_TMP/ca.pem")"
eq "the CA key is 0600" 600 "$(stat -c %a "${CA_FILE%.pem}-key.pem")"
ca_text=$(openssl x509 -in "$T_TMP/ca.pem" -noout -text)
has "CA:TRUE" "CA:TRUE" "$ca_text"
has "keyCertSign" "Certificate Sign" "$ca_text"

# TLS: verified with the CA; refused without it; serving certificate names.
ok "curl verifies the server with the CA" curl -sS --cacert "$T_TMP/ca.pem" "$server/healthz"
no "curl without the CA refuses the certificate" curl -sS "$server/healthz"
port=${server##*:}
ok "localhost is in the certificate" curl -sS --cacert "$T_TMP/ca.pem" "https://localhost:$port/livez"
cert=$(openssl s_client -connect "127.0.0.1:$port" -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -text)
has "serving cert SAN" "IP Address:127.0.0.1" "$cert"
has "serving cert has serverAuth" "TLS Web Server Authentication" "$cert"
no "TLS 1.1 is refused" openssl s_client -connect "127.0.0.1:$port" -tls1_1 </dev/null

# kubectl version and discovery (the dispatcher kubectl and kubectl 1.32 itself).
out=$(kubectl version 2>&1)
has "kubectl version shows the server" "Server Version: v1.30.5-gke.1014001" "$out"
out=$("$K132" version 2>&1)
has "kubectl 1.32 version shows the server" "Server Version: v1.30.5-gke.1014001" "$out"
out=$("$K132" api-resources 2>&1)
for want in "pods po v1 true Pod" "namespaces ns v1 false Namespace" "serviceaccounts sa v1 true ServiceAccount" \
	"networkpolicies netpol networking.k8s.io/v1 true NetworkPolicy" \
	"roles rbac.authorization.k8s.io/v1 true Role" \
	"clusterrolebindings rbac.authorization.k8s.io/v1 false ClusterRoleBinding" \
	"selfsubjectaccessreviews authorization.k8s.io/v1 false SelfSubjectAccessReview" \
	"tokenreviews authentication.k8s.io/v1 false TokenReview"; do
	has "api-resources lists: $want" "$want" "$(echo "$out" | tr -s ' ')"
done
grep -q "GET /api 200" "$T_TMP/gkeid.log" && pass "kubectl asked for /api" || fail "kubectl asked for /api"
out=$("$K132" get --raw /api 2>&1)
has "get --raw /api is APIVersions" '"kind":"APIVersions","versions":["v1"]' "$out"
out=$("$K132" get --raw /apis 2>&1)
has "get --raw /apis lists rbac" '"name":"rbac.authorization.k8s.io"' "$out"
out=$("$K132" get --raw /api/v1 2>&1)
has "/api/v1 lists pods/log" '"name":"pods/log"' "$out"
has "/api/v1 lists serviceaccounts/token as a TokenRequest" '"name":"serviceaccounts/token","singularName":"","namespaced":true,"kind":"TokenRequest"' "$out"
tok=$(gcloud_token)
agg=$(curl -sS --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $tok" -D "$T_TMP/h" \
	-H 'Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' "$server/apis")
has "aggregated discovery when asked" '"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2"' "$agg"
has "... with its content type" "Content-Type: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" "$(tr -d '\r' <"$T_TMP/h")"
has "API server headers: Audit-Id" "Audit-Id: " "$(cat "$T_TMP/h")"
has "API server headers: Cache-Control" "Cache-Control: no-cache, private" "$(tr -d '\r' <"$T_TMP/h")"
out=$("$K132" get --raw /openapi/v3 2>&1)
has "OpenAPI v3 root" '"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=' "$out"
# OpenAPI v2: the definitions of every served kind as JSON (issue 11), which kubectl
# 1.27 and 1.28 read before they validate (test_kube_field_validation.sh drives them;
# asked for protobuf they get an empty document).
out=$(curl -sS --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $tok" "$server/openapi/v2")
eq "OpenAPI v2: swagger 2.0 with the Deployment's definition" "2.0 apps Deployment" \
	"$(jget "$out" "j['swagger']+' '+j['definitions']['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'][0]['group']+' '+j['definitions']['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'][0]['kind']")"

# 404: unknown kinds, groups and paths.
out=$("$K132" get widgets 2>&1)
has "unknown kind" 'the server doesn'"'"'t have a resource type "widgets"' "$out"
out=$("$K132" get --raw /apis/nope.example.com/v1 2>&1)
has "unknown group is NotFound" "Error from server (NotFound): the server could not find the requested resource" "$out"
out=$(curl -sS --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $tok" -w ' %{http_code}' "$server/api/v1/namespaces/default/widgets/w")
eq "unknown resource is a NotFound Status" '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{"name":"w","kind":"widgets"},"code":404}
 404' "$out"

# 401: a bad token.
out=$(curl -sS --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer ya29.forged" -w ' %{http_code}' "$server/api/v1/namespaces")
eq "bad token is a 401 Status" '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}
 401' "$out"
out=$("$K132" --token=ya29.forged get pods 2>&1)
has "kubectl with a bad token" "error: You must be logged in to the server (Unauthorized)" "$out"

# 403: anonymous may see /version (system:public-info-viewer) but not pods.
ok "anonymous /version" curl -sSf --cacert "$T_TMP/ca.pem" "$server/version"
out=$(curl -sS --cacert "$T_TMP/ca.pem" -w ' %{http_code}' "$server/api/v1/namespaces/kube-system/pods")
has "anonymous list pods is 403" ' 403' "$out"
has "... Forbidden Status with the plural as details.kind" '"reason":"Forbidden","details":{"kind":"pods"},"code":403}' "$out"
has "... kube-apiserver's words" 'pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"' "$out"

# 413: a body over 3 MiB.
head -c 3200000 /dev/zero | tr '\0' ' ' >"$T_TMP/big.json"
out=$(curl -sS --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/big.json" -w ' %{http_code}' "$server/api/v1/namespaces/default/configmaps")
eq "oversize body is a 413 Status" '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Request entity too large: limit is 3145728","reason":"RequestEntityTooLarge","code":413}
 413' "$out"
head -c 20000000 /dev/zero >"$T_TMP/huge.bin"
code=$(curl -s -o /dev/null --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $tok" --data-binary @"$T_TMP/huge.bin" -w '%{http_code}' "$server/api/v1/namespaces/default/configmaps")
eq "a 20 MB body is 413 too" 413 "$code"
# Junk on the wire does not hurt the server.
printf 'GET /version HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 nc -q 1 127.0.0.1 "$port" >/dev/null 2>&1
head -c 5000 /dev/urandom | timeout 5 openssl s_client -quiet -connect "127.0.0.1:$port" >/dev/null 2>&1
ok "still serving after junk" curl -sSf --cacert "$T_TMP/ca.pem" "$server/healthz"

# The issuer's OIDC documents are public.
out=$(curl -sS --cacert "$T_TMP/ca.pem" "$server/.well-known/openid-configuration")
has "OIDC discovery names the issuer" '"issuer":' "$out"
has "OIDC discovery names the cluster" "clusters/demo-cluster" "$out"
out=$(curl -sS --cacert "$T_TMP/ca.pem" "$server/openid/v1/jwks")
has "JWKS has an RSA key" '"kty":' "$out"

# kubectl apply validates on the server (OpenAPI v3 says fieldValidation is supported).
cat >"$T_TMP/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-api-test
  namespace: default
data:
  a: b
YAML
out=$("$K132" apply -f "$T_TMP/cm.yaml" 2>&1)
has "kubectl apply without --validate=false" "configmap/kube-api-test created" "$out"
hasnt "no openapi download error" "failed to download openapi" "$out"

# kubectl 1.32's typed clients send protobuf bodies: transcoded to JSON at the door.
out=$("$K132" create namespace pb-test 2>&1)
eq "create namespace (protobuf body)" "namespace/pb-test created" "$out"
out=$("$K132" -n pb-test create configmap pb-cm --from-literal=k=v 2>&1)
eq "create configmap (protobuf body)" "configmap/pb-cm created" "$out"
eq "... with its data" "v" "$("$K132" -n pb-test get configmap pb-cm -o jsonpath='{.data.k}' 2>&1)"
out=$("$K132" -n pb-test create secret generic pb-s --from-literal=k=v 2>&1)
eq "create secret (protobuf bytes map)" "secret/pb-s created" "$out"
eq "... base64 data" "dg==" "$("$K132" -n pb-test get secret pb-s -o jsonpath='{.data.k}' 2>&1)"
out=$("$K132" -n pb-test create rolebinding pb-rb --clusterrole=view --user=u1 --serviceaccount=pb-test:default 2>&1)
eq "create rolebinding (protobuf body)" "rolebinding.rbac.authorization.k8s.io/pb-rb created" "$out"
eq "... subjects kept" "User ServiceAccount" "$("$K132" -n pb-test get rolebinding pb-rb -o jsonpath='{.subjects[*].kind}' 2>&1)"
out=$("$K132" auth can-i list pods -n pb-test 2>&1)
eq "auth can-i (protobuf SelfSubjectAccessReview)" "yes" "$out"
grep -q "POST /api/v1/namespaces 201" "$T_TMP/gkeid.log" && pass "namespace create logged 201" || fail "namespace create logged"

# Restart: same CA, and the kubeconfig still works.
ca_before=$(cat "$CA_FILE")
gkeid_stop
gkeid_up
eq "the CA survives a restart" "$ca_before" "$(cat "$CA_FILE")"
out=$("$K132" version 2>&1)
has "kubectl works after a restart" "Server Version: v1.30.5-gke.1014001" "$out"
out=$("$K132" get configmap kube-api-test -o jsonpath='{.data.a}' 2>&1)
eq "objects survive a restart" "b" "$out"

finish
