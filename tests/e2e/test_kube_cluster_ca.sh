#!/usr/bin/env bash
# test_kube_cluster_ca.sh - every cluster has a CA of its own, as on GKE (each cluster's
# masterAuth.clusterCaCertificate is its own root): gcloud get-credentials gives each
# cluster's kubeconfig its CA and the real kubectl works on both; a client certificate of
# one cluster (the node's, or a system:masters one) is refused by the other with 401,
# as kube-apiserver's x509 authenticator refuses a certificate it cannot verify; keys are
# 0600 and survive a restart; a data dir from before (one CA shared by every cluster)
# gives that CA to one cluster only; a deleted cluster's CA goes with it.
. "$(dirname "$0")/lib.sh"

gkeid_up
export HOME=$T_TMP/home # kubectl's discovery cache stays in the test
mkdir -p "$HOME"
P=demo-project
L=us-central1
Z=us-central1-a
KEYS=$DATA_DIR/keys
CA_A=$KEYS/$P-$L-demo-cluster-ca.pem
CA_B=$KEYS/$P-$Z-c2-ca.pem

# (c2 is made, read and deleted with curl: gcloud's runs of those are test_container's;
# get-credentials, this file's subject, runs through gcloud)
API_TOKEN=$(gcloud_token)
export API_TOKEN
C2=/container/v1/projects/$P/locations/$Z/clusters
out=$(api POST "$C2" "{\"cluster\":{\"name\":\"c2\",\"initialNodeCount\":1,\"workloadIdentityConfig\":{\"workloadPool\":\"$P.svc.id.goog\"}}}")
eq "a second cluster" "200 DONE" "$(code "$out") $(jget "$out" 'j["status"]')"
KC_A=$T_TMP/kc-a KC_B=$T_TMP/kc-b
ok "get-credentials for demo-cluster" env KUBECONFIG="$KC_A" gcloud container clusters get-credentials demo-cluster --location $L
ok "get-credentials for c2" env KUBECONFIG="$KC_B" gcloud container clusters get-credentials c2 --zone $Z
kca() { kubectl --kubeconfig "$1" config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d; }
kca "$KC_A" >"$T_TMP/ca-a.pem"
kca "$KC_B" >"$T_TMP/ca-b.pem"
eq "demo-cluster's kubeconfig carries its CA" "$(cat "$CA_A")" "$(cat "$T_TMP/ca-a.pem")"
eq "c2's kubeconfig carries its own" "$(cat "$CA_B")" "$(cat "$T_TMP/ca-b.pem")"
no "the two CAs differ" cmp -s "$T_TMP/ca-a.pem" "$T_TMP/ca-b.pem"
eq "masterAuth.clusterCaCertificate is c2's CA" "$(base64 -w0 <"$CA_B")" \
	"$(jget "$(api GET "$C2/c2")" 'j["masterAuth"]["clusterCaCertificate"]')"
eq "c2's CA key is 0600" 600 "$(stat -c %a "${CA_B%.pem}-key.pem")"
eq "kubectl works on demo-cluster" "namespace/default" "$(kubectl --kubeconfig "$KC_A" get ns default -o name 2>&1)"
eq "kubectl works on c2" "namespace/default" "$(kubectl --kubeconfig "$KC_B" get ns default -o name 2>&1)"
SERVER_A=$(kubectl --kubeconfig "$KC_A" config view --minify -o jsonpath='{.clusters[0].cluster.server}')
SERVER_B=$(kubectl --kubeconfig "$KC_B" config view --minify -o jsonpath='{.clusters[0].cluster.server}')
no "demo-cluster's CA does not vouch for c2's server" curl -sS --cacert "$T_TMP/ca-a.pem" "$SERVER_B/version"

# --- a client certificate is good at its own cluster only ---------------------------
NODE_CERT=$KEYS/node-local-node.pem NODE_KEY=$KEYS/node-local-node-key.pem
nodeget() { curl -sS --cacert "$2" --cert "$NODE_CERT" --key "$NODE_KEY" -w ' %{http_code}' \
	"$1/api/v1/pods?fieldSelector=spec.nodeName%3Dlocal-node"; }
out=$(nodeget "$SERVER_A" "$T_TMP/ca-a.pem")
eq "the node's certificate works at demo-cluster" 200 "${out##* }"
out=$(nodeget "$SERVER_B" "$T_TMP/ca-b.pem")
eq "and is refused by c2: 401 Unauthorized, as kube-apiserver" \
	'401 {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}' \
	"${out##* } $(printf '%s' "${out% *}")"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T_TMP/jane.key" \
	-subj "/O=system:masters/CN=jane" -out "$T_TMP/jane.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' >"$T_TMP/ext"
openssl x509 -req -in "$T_TMP/jane.csr" -CA "$CA_A" -CAkey "${CA_A%.pem}-key.pem" -CAcreateserial \
	-days 1 -extfile "$T_TMP/ext" -out "$T_TMP/jane.crt" 2>/dev/null
janeget() { curl -sS -o /dev/null -w '%{http_code}' --cacert "$2" --cert "$T_TMP/jane.crt" --key "$T_TMP/jane.key" "$1/api/v1/namespaces"; }
eq "a system:masters certificate of demo-cluster lists its namespaces" 200 "$(janeget "$SERVER_A" "$T_TMP/ca-a.pem")"
eq "but is a 401 at c2" 401 "$(janeget "$SERVER_B" "$T_TMP/ca-b.pem")"
ADMIN_TOKEN=$(gcloud_token)
eq "a valid token beside a foreign certificate still authenticates (the union)" 200 \
	"$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T_TMP/ca-b.pem" --cert "$T_TMP/jane.crt" --key "$T_TMP/jane.key" \
		-H "Authorization: Bearer $ADMIN_TOKEN" "$SERVER_B/api/v1/namespaces")"

# --- one TLS connection, many requests: the certificate is verified once per connection
# and its result kept on it (authn.c), for as long as every certificate of the chain is
# valid. samecon CERT KEY CA SERVER PAUSE_UNTIL: two GETs on one connection (python's
# http.client), the second after the clock has passed PAUSE_UNTIL (epoch seconds, 0: at
# once); prints both codes and "same" when no new connection was made.
samecon() {
	python3 - "$@" <<'PY'
import http.client, ssl, sys, time, urllib.parse
cert, key, ca, server, until = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
u = urllib.parse.urlsplit(server)
c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
codes = []
for i in range(2):
    if i:
        while time.time() < float(until):  # waits for the clock, not for a fixed time
            time.sleep(0.05)
    c.request("GET", "/api/v1/nodes/local-node")
    r = c.getresponse()
    r.read()
    codes.append(str(r.status))
    sock = c.sock if i == 0 else sock
print(" ".join(codes), "same" if c.sock is sock else "new")
PY
}
eq "the node's certificate, twice on one connection" "200 200 same" \
	"$(samecon "$NODE_CERT" "$NODE_KEY" "$T_TMP/ca-a.pem" "$SERVER_A" 0)"
eq "a certificate of another cluster, twice on one connection: 401 both times" "401 401 same" \
	"$(samecon "$NODE_CERT" "$NODE_KEY" "$T_TMP/ca-b.pem" "$SERVER_B" 0)"
# ... and the certificate cannot change under it: a TLS 1.2 client's renegotiation (a new
# handshake, with perhaps another certificate, on the same connection) is refused
reneg=$(printf 'R\n' | openssl s_client -connect "${SERVER_A#https://}" -tls1_2 -cert "$NODE_CERT" \
	-key "$NODE_KEY" -CAfile "$T_TMP/ca-a.pem" 2>&1)
has "a TLS 1.2 renegotiation is asked for" RENEGOTIATING "$reneg"
has "and refused with the no_renegotiation alert" "no renegotiation" "$reneg"
# A system:masters certificate that expires a few seconds from now: good on a connection
# until then, refused on that same connection after (kube-apiserver checks the validity
# on every request; a kept verification must not outlive the certificate).
mkdir -p "$T_TMP/shortca"
: >"$T_TMP/shortca/index.txt"
echo 01 >"$T_TMP/shortca/serial"
cat >"$T_TMP/shortca/cfg" <<EOF
[ca]
default_ca = c
[c]
database = $T_TMP/shortca/index.txt
new_certs_dir = $T_TMP/shortca
serial = $T_TMP/shortca/serial
default_md = sha256
policy = p
[p]
organizationName = optional
commonName = supplied
EOF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T_TMP/short.key" \
	-subj "/O=system:masters/CN=short-lived" -out "$T_TMP/short.csr" 2>/dev/null
expires=$(($(date +%s) + 4))
ok "a certificate of demo-cluster's CA that expires in 4 s" openssl ca -batch -notext \
	-config "$T_TMP/shortca/cfg" -cert "$CA_A" -keyfile "${CA_A%.pem}-key.pem" \
	-in "$T_TMP/short.csr" -out "$T_TMP/short.crt" -startdate 20200101000000Z \
	-enddate "$(date -u -d "@$expires" +%Y%m%d%H%M%SZ)"
eq "is good until it expires, then refused on the same connection" "200 401 same" \
	"$(samecon "$T_TMP/short.crt" "$T_TMP/short.key" "$T_TMP/ca-a.pem" "$SERVER_A" $((expires + 1)))"

# --- a restart keeps each CA ------------------------------------------------------------
gkeid_stop
gkeid_up
eq "demo-cluster's CA survives a restart" "$(cat "$T_TMP/ca-a.pem")" "$(cat "$CA_A")"
eq "c2's too" "$(cat "$T_TMP/ca-b.pem")" "$(cat "$CA_B")"
ok "get-credentials for c2 after the restart" env KUBECONFIG="$KC_B" gcloud container clusters get-credentials c2 --zone $Z
eq "kubectl still works on c2" "namespace/default" "$(kubectl --kubeconfig "$KC_B" get ns default -o name 2>&1)"

# --- a data dir from before per-cluster CAs: one shared keys/ca.pem ----------------------
gkeid_stop
mv "$CA_A" "$KEYS/ca.pem"
mv "${CA_A%.pem}-key.pem" "$KEYS/ca-key.pem"
rm -f "$CA_B" "${CA_B%.pem}-key.pem"
gkeid_up
no "the shared CA is no longer in keys/ca.pem" test -e "$KEYS/ca-key.pem"
took=0
for f in "$CA_A" "$CA_B"; do cmp -s "$f" "$T_TMP/ca-a.pem" && took=$((took + 1)); done
eq "exactly one cluster took the shared CA over" 1 "$took"
no "and the two clusters' CAs differ" cmp -s "$CA_A" "$CA_B"
has "the log says so" "took over the CA that the clusters of this data directory shared" "$(cat "$T_TMP/gkeid.log")"
eq "kubectl works on demo-cluster (up's kubeconfig)" "namespace/default" "$(kubectl get ns default -o name 2>&1)"
ok "get-credentials for c2 again" env KUBECONFIG="$KC_B" gcloud container clusters get-credentials c2 --zone $Z
eq "kubectl works on c2 again" "namespace/default" "$(kubectl --kubeconfig "$KC_B" get ns default -o name 2>&1)"

# --- a deleted cluster's CA goes with it --------------------------------------------------
eq "delete c2" 200 "$(code "$(api DELETE "$C2/c2")")"
no "its CA key is gone" test -e "${CA_B%.pem}-key.pem"
no "its CA certificate too" test -e "$CA_B"

finish
