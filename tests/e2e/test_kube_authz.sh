#!/usr/bin/env bash
# test_kube_authz.sh - GKE authorization as the real kubectl, gcloud and
# gke-gcloud-auth-plugin meet it: a Google service account activated from a key gets
# the seed's Forbidden text byte for byte, then succeeds after an RBAC RoleBinding and,
# separately, after roles/container.viewer on the project; `kubectl auth can-i` (and
# --list); SubjectAccessReview as a webhook would send it; escalation prevention;
# anonymous and client-certificate users; `kubectl create token`, TokenReview, and the
# token verified by npm jose against the cluster's published JWKS.
. "$(dirname "$0")/lib.sh"

gkeid_up
P=demo-project
L=us-central1
K=/usr/lib/google-cloud-sdk/bin/kubectl.1.32
[ -x "$K" ] || K=kubectl
export HOME=$T_TMP/home # kubectl's caches and the auth plugin's token cache stay here
mkdir -p "$HOME"
if [ -z "${KUBECONFIG:-}" ] || [ ! -s "$KUBECONFIG" ]; then
	export KUBECONFIG=$T_TMP/kubeconfig
	gcloud container clusters get-credentials demo-cluster --location $L --quiet >/dev/null 2>&1
fi
server=$($K config view --minify -o jsonpath='{.clusters[0].cluster.server}')
$K config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$T_TMP/ca.pem"
ADMIN_TOKEN=$(gcloud_token)
# kcurl METHOD PATH [JSON]: the API server with the admin's token; body, then " CODE".
kcurl() {
	m=$1 p=$2; shift 2
	curl -sS --cacert "$T_TMP/ca.pem" -X "$m" -H "Authorization: Bearer ${KTOKEN:-$ADMIN_TOKEN}" \
		-H 'Content-Type: application/json' ${1:+--data-binary "$1"} -w ' %{http_code}' "$server$p"
}

# --- the admin (roles/owner: IAM grants the container.* permissions) ---------------------
ok "the admin lists roles in kube-system" $K get roles -n kube-system
eq "the admin may do anything (IAM)" yes "$($K auth can-i delete clusterroles 2>/dev/null)"

# --- a service account with a key, activated in its own gcloud config -------------------
SA=example-account@$P.iam.gserviceaccount.com
ok "create the service account" sa_create example-account
ok "create its key" sa_key "$T_TMP/sa.json" $SA
cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-sa"
mkdir -p "$T_TMP/home-sa" "$T_TMP/kube-sa"
# gke-gcloud-auth-plugin caches the last token next to the kubeconfig: the service
# account gets a kubeconfig of its own, as it would on its own machine
cp "$KUBECONFIG" "$T_TMP/kube-sa/config"
AS_SA="env CLOUDSDK_CONFIG=$T_TMP/gcloud-sa HOME=$T_TMP/home-sa KUBECONFIG=$T_TMP/kube-sa/config"
ok "activate it in gcloud" $AS_SA gcloud auth activate-service-account --key-file="$T_TMP/sa.json"
eq "gcloud now acts as it" "$SA" "$($AS_SA gcloud config get-value account 2>/dev/null)"

SEED='Error from server (Forbidden): roles.rbac.authorization.k8s.io is forbidden: User "example-account@demo-project.iam.gserviceaccount.com" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "kube-system": requires one of ["container.roles.list"] permission(s).'
out=$($AS_SA $K get roles -n kube-system 2>&1)
eq "the seed's Forbidden text, byte for byte" "$SEED" "$out"
no "kubectl exits non-zero" $AS_SA $K get roles -n kube-system
out=$($AS_SA $K auth can-i list roles -n kube-system 2>&1)
eq "auth can-i says no, with GKE's reason" 'no - requires one of ["container.roles.list"] permission(s).' "$out"
eq "auth can-i allows self reviews (system:basic-user)" yes \
	"$($AS_SA $K auth can-i create selfsubjectaccessreviews.authorization.k8s.io 2>/dev/null)"
out=$($AS_SA $K get pods -n default 2>&1)
eq "core group: no .group, GKE's pods.list" 'Error from server (Forbidden): pods is forbidden: User "example-account@demo-project.iam.gserviceaccount.com" cannot list resource "pods" in API group "" in the namespace "default": requires one of ["container.pods.list"] permission(s).' "$out"
out=$($AS_SA $K get clusterroles 2>&1)
eq "cluster scope" 'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io is forbidden: User "example-account@demo-project.iam.gserviceaccount.com" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope: requires one of ["container.clusterRoles.list"] permission(s).' "$out"
out=$($AS_SA $K get serviceaccount default -n default 2>&1)
eq "a named object" 'Error from server (Forbidden): serviceaccounts "default" is forbidden: User "example-account@demo-project.iam.gserviceaccount.com" cannot get resource "serviceaccounts" in API group "" in the namespace "default": requires one of ["container.serviceAccounts.get"] permission(s).' "$out"
out=$($AS_SA $K create token default -n default 2>&1)
eq "a subresource: serviceaccounts/token is createToken" 'error: failed to create token: serviceaccounts "default" is forbidden: User "example-account@demo-project.iam.gserviceaccount.com" cannot create resource "serviceaccounts/token" in API group "" in the namespace "default": requires one of ["container.serviceAccounts.createToken"] permission(s).' "$out"
out=$($AS_SA $K get --raw /version 2>&1)
has "discovery is open to the authenticated (system:discovery)" '"gitVersion"' "$out"

# --- the seed's fix: RBAC ------------------------------------------------------------
ok "the admin creates a Role" $K create role role-reader --verb=list,get --resource=roles -n kube-system
ok "... and binds the service account to it" $K create rolebinding sa-role-reader --role=role-reader --user=$SA -n kube-system
out=$($AS_SA $K get roles -n kube-system 2>&1)
has "now kubectl get roles succeeds" "role-reader" "$out"
eq "auth can-i says yes" yes "$($AS_SA $K auth can-i list roles -n kube-system 2>&1)"
eq "... only in kube-system" 'no - requires one of ["container.roles.list"] permission(s).' \
	"$($AS_SA $K auth can-i list roles -n default 2>&1)"
out=$($AS_SA $K auth can-i --list -n kube-system 2>&1)
has "auth can-i --list shows the RoleBinding's rule" "roles.rbac.authorization.k8s.io" "$out"
has "... and system:basic-user's" "selfsubjectaccessreviews.authorization.k8s.io" "$out"
has "... and system:discovery's URLs" "[/version]" "$out"
ok "the admin removes the binding" $K delete rolebinding sa-role-reader -n kube-system
eq "and the denial is back" "$SEED" "$($AS_SA $K get roles -n kube-system 2>&1)"

# --- the seed's fix, the other way: IAM -------------------------------------------------
ok "grant roles/container.viewer on the project" grant projects/$P serviceAccount:$SA roles/container.viewer
out=$($AS_SA $K get roles -n kube-system 2>&1)
has "now kubectl get roles succeeds by IAM" "role-reader" "$out"
eq "auth can-i says yes by IAM" yes "$($AS_SA $K auth can-i list roles -n kube-system 2>&1)"
eq "viewer reads pods" yes "$($AS_SA $K auth can-i get pods -n default 2>&1)"
eq "but may not delete them" 'no - requires one of ["container.pods.delete"] permission(s).' \
	"$($AS_SA $K auth can-i delete pods -n default 2>&1)"
eq "nor exec into them" 'no - requires one of ["container.pods.exec"] permission(s).' \
	"$($AS_SA $K auth can-i create pods --subresource=exec -n default 2>&1)"
out=$($AS_SA $K create role sneaky --verb=get --resource=secrets -n default 2>&1)
has "a viewer may not create roles" 'requires one of ["container.roles.create"] permission(s).' "$out"
ok "remove the IAM binding" gcloud projects remove-iam-policy-binding $P \
	--member=serviceAccount:$SA --role=roles/container.viewer --condition=None
eq "and the denial is back" "$SEED" "$($AS_SA $K get roles -n kube-system 2>&1)"

# --- escalation prevention -------------------------------------------------------------
ok "a role to manage roles in team" $K create role role-admin --verb=create,get,list,update,delete \
	--resource=roles,rolebindings -n default
ok "... bound to the service account" $K create rolebinding sa-role-admin --role=role-admin --user=$SA -n default
out=$($AS_SA $K create role secret-reader --verb=get --resource=secrets -n default 2>&1)
eq "creating a role with permissions it lacks is refused, as upstream" "Error from server (Forbidden): roles.rbac.authorization.k8s.io \"secret-reader\" is forbidden: user \"$SA\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}" "$out"
ok "a role within what it holds is fine" $AS_SA $K create role roles-lister --verb=list --resource=roles -n default
out=$($AS_SA $K create rolebinding to-admin --clusterrole=admin --user=someone -n default 2>&1)
has "binding a ClusterRole it does not hold is refused" "is attempting to grant RBAC permissions not currently held" "$out"
ok "binding a role it holds is fine" $AS_SA $K create rolebinding lister --role=roles-lister --user=someone -n default
ok "the admin cleans up" $K delete rolebinding sa-role-admin lister -n default

# --- SubjectAccessReview: the authorization webhook's request ----------------------------
sar='{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice@example.com","groups":["system:authenticated"],"resourceAttributes":{"namespace":"kube-system","verb":"list","group":"rbac.authorization.k8s.io","resource":"roles"}}}'
out=$(kcurl POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$sar")
eq "SAR for a Google user without access: 201, denied with GKE's reason" \
	'201 False requires one of ["container.roles.list"] permission(s).' \
	"${out##* } $(jget "$out" 'j["status"]["allowed"]') $(jget "$out" 'j["status"].get("reason")')"
sar='{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"bob","groups":["system:masters"],"resourceAttributes":{"verb":"delete","resource":"nodes","name":"n1"}}}'
out=$(kcurl POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$sar")
eq "SAR for system:masters: allowed by RBAC, upstream's reason" \
	'True RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' \
	"$(jget "$out" 'j["status"]["allowed"]') $(jget "$out" 'j["status"].get("reason")')"
out=$(KTOKEN=$($AS_SA gcloud auth print-access-token 2>/dev/null) kcurl POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$sar")
has "the service account may not send SubjectAccessReviews" '"code":403' "$out"

# --- anonymous and client certificates ----------------------------------------------
out=$(curl -sS --cacert "$T_TMP/ca.pem" -w ' %{http_code}' "$server/api/v1/namespaces")
eq "anonymous: 403 with upstream's text" "namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope 403" \
	"$(jget "$out" 'j["message"]') ${out##* }"
eq "anonymous may read /version (system:public-info-viewer)" 200 \
	"$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T_TMP/ca.pem" "$server/version")"
out=$(curl -sS --cacert "$T_TMP/ca.pem" "$server/apis")
eq "but not /apis" 'forbidden: User "system:anonymous" cannot get path "/apis"' "$(jget "$out" 'j["message"]')"
CA_FILE=$DATA_DIR/keys/demo-project-us-central1-demo-cluster-ca.pem # the cluster's own CA
if [ -r "${CA_FILE%.pem}-key.pem" ]; then
	for who in jane:system:masters bob:; do
		cn=${who%%:*} o=${who#*:}
		openssl req -new -newkey rsa:2048 -nodes -keyout "$T_TMP/$cn.key" -out "$T_TMP/$cn.csr" \
			-subj "/CN=$cn${o:+/O=$o}" >/dev/null 2>&1
		printf 'extendedKeyUsage=clientAuth\n' >"$T_TMP/ext"
		openssl x509 -req -in "$T_TMP/$cn.csr" -CA "$CA_FILE" -CAkey "${CA_FILE%.pem}-key.pem" \
			-CAcreateserial -days 1 -extfile "$T_TMP/ext" -out "$T_TMP/$cn.crt" >/dev/null 2>&1
	done
	eq "a client certificate in system:masters may list namespaces" 200 \
		"$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T_TMP/ca.pem" --cert "$T_TMP/jane.crt" --key "$T_TMP/jane.key" "$server/api/v1/namespaces")"
	out=$(curl -sS --cacert "$T_TMP/ca.pem" --cert "$T_TMP/bob.crt" --key "$T_TMP/bob.key" "$server/api/v1/namespaces")
	eq "a client certificate's CN is the user" 'namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope' \
		"$(jget "$out" 'j["message"]')"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/evil.key" -out "$T_TMP/evil.crt" \
		-subj "/CN=evil/O=system:masters" -days 1 >/dev/null 2>&1
	out=$(curl -sS --cacert "$T_TMP/ca.pem" --cert "$T_TMP/evil.crt" --key "$T_TMP/evil.key" "$server/api/v1/namespaces" 2>&1)
	hasnt "a certificate from another CA is not trusted" '"kind":"NamespaceList"' "$out"
fi

# --- kubectl create token, TokenReview, jose ------------------------------------------
TOKEN=$($K create token default -n default 2>&1)
eq "kubectl create token prints a JWT" 3 "$(printf '%s' "$TOKEN" | awk -F. '{print NF}')"
claims=$(printf '%s' "$TOKEN" | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null)
[ -z "$claims" ] && claims=$(printf '%s' "$TOKEN" | cut -d. -f2 | tr '_-' '/+' | sed 's/$/==/' | base64 -d 2>/dev/null)
has "sub is the service account" '"sub":"system:serviceaccount:default:default"' "$claims"
has "iss is the cluster's issuer" "\"iss\":\"https://container.googleapis.com/v1/projects/$P/locations/$L/clusters/demo-cluster\"" "$claims"
TOKEN2=$($K create token default -n default --audience=sts.example.com --duration=20m 2>&1)
has "--audience and --duration" '"aud":["sts.example.com"]' \
	"$(printf '%s' "$TOKEN2" | cut -d. -f2 | tr '_-' '/+' | sed 's/$/==/' | base64 -d 2>/dev/null)"
out=$($K create token default -n default --duration=5m 2>&1)
has "under 10 minutes is Invalid" "may not specify a duration less than 10 minutes" "$out"
out=$($K create token nobody -n default 2>&1)
has "a missing service account: NotFound" 'serviceaccounts "nobody" not found' "$out"

review='{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"'$TOKEN'"}}'
out=$(kcurl POST /apis/authentication.k8s.io/v1/tokenreviews "$review")
eq "TokenReview: authenticated as the service account" \
	"True system:serviceaccount:default:default ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']" \
	"$(jget "$out" 'j["status"]["authenticated"]') $(jget "$out" 'j["status"]["user"]["username"]') $(jget "$out" 'j["status"]["user"]["groups"]')"
review='{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"'$TOKEN2'"}}'
out=$(kcurl POST /apis/authentication.k8s.io/v1/tokenreviews "$review")
eq "TokenReview of a token for another audience: not authenticated" "None" "$(jget "$out" 'j["status"].get("authenticated")')"
out=$(KTOKEN=$TOKEN kcurl GET /api/v1/namespaces/default/pods)
eq "the token authenticates at the API server (and RBAC says no)" \
	'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default" 403' \
	"$(jget "$out" 'j["message"]') ${out##* }"
out=$(KTOKEN=${TOKEN%??}xx kcurl GET /api/v1/namespaces/default/pods)
eq "a tampered token is 401" 401 "${out##* }"

disc=$(curl -sS --cacert "$T_TMP/ca.pem" "$server/.well-known/openid-configuration")
eq "OIDC discovery names the issuer" "https://container.googleapis.com/v1/projects/$P/locations/$L/clusters/demo-cluster" "$(jget "$disc" 'j["issuer"]')"
eq "... and RS256" "['RS256']" "$(jget "$disc" 'j["id_token_signing_alg_values_supported"]')"
jwks_uri=$(jget "$disc" 'j["jwks_uri"]')
out=$(cd "$ROOT/tests/node" && NODE_EXTRA_CA_CERTS="$T_TMP/ca.pem" node -e '
const jose = require("jose");
const [token, uri, iss] = process.argv.slice(1);
jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(uri)), { issuer: iss, audience: iss })
  .then(({ payload, protectedHeader }) => console.log("verified", protectedHeader.alg, payload.sub))
  .catch((e) => { console.log("failed", e.code || e.message); process.exit(1); });
' "$TOKEN" "$jwks_uri" "https://container.googleapis.com/v1/projects/$P/locations/$L/clusters/demo-cluster" 2>&1)
eq "npm jose verifies the token against the published JWKS" "verified RS256 system:serviceaccount:default:default" "$out"
out=$(cd "$ROOT/tests/node" && NODE_EXTRA_CA_CERTS="$T_TMP/ca.pem" node -e '
const jose = require("jose");
const [token, uri] = process.argv.slice(1);
jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(uri)))
  .then(() => console.log("verified")).catch((e) => console.log("failed", e.code));
' "${TOKEN%??}xx" "$jwks_uri" 2>&1)
eq "... and rejects a tampered one" "failed ERR_JWS_SIGNATURE_VERIFICATION_FAILED" "$out"

finish
