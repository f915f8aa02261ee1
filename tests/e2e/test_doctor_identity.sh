#!/usr/bin/env bash
# test_doctor_identity.sh - the doctor says who is asking (issue 15). Run as an account
# that may not read the cluster, it names that account and the permission it lacks
# instead of a bare 403 (exit 2 still). `doctor rbac`'s kubectl-account check compares
# the account of gke-gcloud-auth-plugin's cached token (gke_gcloud_auth_plugin_cache
# beside the kubeconfig, read through tokeninfo) with gcloud's active account: the
# plugin keys its cache by context, not by account, so after switching accounts kubectl
# is still the previous one, on GKE as here; the check names the mismatch and prints
# the `rm` that ends it. And token-exchange names a disabled IAM Credentials API
# (Google's 403 SERVICE_DISABLED) as such, not as IAM propagation.
. "$(dirname "$0")/lib.sh"
gkeid_up
export HOME=$T_TMP/home
mkdir -p "$HOME"
P=demo-project
SA=viewer-sa@$P.iam.gserviceaccount.com
CACHE=$(dirname "$KUBECONFIG")/gke_gcloud_auth_plugin_cache
DOCRBAC=("$GKEID" doctor rbac --user "$SA" --verb list --resource roles -n kube-system)
jpy() { printf '%s' "$1" | "$GCLOUD_PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2" 2>&1; }
status() { jpy "$2" "[c['status'] for c in j['checks'] if c['id']=='$1'][0]"; }
field() { jpy "$3" "[c['$2'] or '' for c in j['checks'] if c['id']=='$1'][0]"; }

# The accounts, keys and bindings are made with curl, as the admin (gcloud's runs of
# those commands are test_iamapi's; each gcloud start is a second of CPU).
API_TOKEN=$(gcloud_token)
export API_TOKEN
eq "a service account with no role" 200 "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"viewer-sa"}')")"
body "$(api POST "/iam/v1/projects/$P/serviceAccounts/$SA/keys" '{}')" |
	"$GCLOUD_PY" -S -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(sys.stdin)["privateKeyData"]))' >"$T_TMP/sa.json"
eq "... and a key" "service_account $SA" "$(jpy "$(cat "$T_TMP/sa.json")" 'j["type"] + " " + j["client_email"]')"
rm -f "$CACHE"
ok "kubectl as the admin" kubectl get namespaces
eq "gke-gcloud-auth-plugin caches the admin's token beside the kubeconfig" yes "$([ -s "$CACHE" ] && echo yes)"

# --- as the admin, kubectl is the admin: the check passes -----------------------------
out=$("${DOCRBAC[@]}" -o json)
eq "doctor rbac: exit 1 (the request is denied)" 1 $?
eq "the checks: kubectl-account comes last" "resource rbac iam access kubectl-account" \
	"$(jpy "$out" "' '.join(c['id'] for c in j['checks'])")"
eq "kubectl-account passes" pass "$(status kubectl-account "$out")"
has "... naming the account" "kubectl acts as admin@example.com, gcloud's active account" \
	"$(field kubectl-account title "$out")"
has "... from the cache, through tokeninfo" "$CACHE: a token of admin@example.com for context gke_${P}_us-central1_demo-cluster" \
	"$(field kubectl-account evidence "$out")"

# --- gcloud switches to the SA; the plugin's cache does not ----------------------------
ok "activate the SA's key" gcloud auth activate-service-account --key-file="$T_TMP/sa.json"
eq "kubectl is still the admin (the cached token), as on GKE" "No resources found in kube-system namespace." \
	"$(kubectl get roles -n kube-system 2>&1)"
out=$("${DOCRBAC[@]}" 2>&1)
eq "the doctor as the SA cannot read the cluster: exit 2" 2 $?
has "... the Container API's 403" 'HTTP 403: Required "container.clusters.get" permission(s)' "$out"
has "... it says which account it ran as, and whence" "gkeid doctor: it ran as $SA (gcloud's active account, \`gcloud auth list\`)" "$out"
has "... and what it lacks" "which lacks container.clusters.get." "$out"
has "... and that kubectl is another account" "gkeid doctor: also, kubectl acts as admin@example.com, not as gcloud's active account $SA" "$out"
fix=$(printf '%s\n' "$out" | sed -n 's/^      \(rm -f [^ ]*\) .*/\1/p')
eq "... with the fix: remove the plugin's cache" "rm -f $CACHE" "$fix"
ok "the fix, as printed" sh -c "$fix"
has "kubectl is now the SA: the guide's Forbidden" \
	"Error from server (Forbidden): roles.rbac.authorization.k8s.io is forbidden: User \"$SA\" cannot list resource \"roles\" in API group \"rbac.authorization.k8s.io\" in the namespace \"kube-system\": requires one of [\"container.roles.list\"] permission(s)." \
	"$(kubectl get roles -n kube-system 2>&1)"

# --- back to the admin without the rm: kubectl is still the SA ------------------------
ok "gcloud back to the admin" gcloud config set account admin@example.com
out=$("${DOCRBAC[@]}" -o json)
eq "kubectl-account fails" fail "$(status kubectl-account "$out")"
has "... kubectl acts as the SA" "kubectl acts as $SA, not as gcloud's active account admin@example.com" \
	"$(field kubectl-account title "$out")"
eq "... the fix" "rm -f $CACHE    # the next kubectl command gets a token of admin@example.com from gcloud" \
	"$(field kubectl-account fix "$out")"
ok "the fix, as printed" sh -c "$(field kubectl-account fix "$out")"
ok "kubectl is the admin again" kubectl get roles -n kube-system
eq "... and the check passes" pass "$(status kubectl-account "$("${DOCRBAC[@]}" -o json)")"
rm -f "$CACHE"
out=$("${DOCRBAC[@]}" -o json)
has "no cache: kubectl gets gcloud's token" "has no cached token" "$(field kubectl-account title "$out")"
eq "... pass" pass "$(status kubectl-account "$out")"

# --- a token file: the refusal names the token's account and its source ----------------
gcloud auth print-access-token "$SA" >"$T_TMP/sa.token" 2>/dev/null
out=$("${DOCRBAC[@]}" --access-token-file "$T_TMP/sa.token" 2>&1)
eq "--access-token-file of the SA: exit 2" 2 $?
has "... names the account and the file" "it ran as $SA (the token of --access-token-file $T_TMP/sa.token), which lacks container.clusters.get." "$out"
hasnt "... and no kubectl mismatch (no cache)" "also, kubectl" "$out"

# --- token-exchange: a disabled IAM Credentials API is named, not IAM propagation --------
GSA=app-gsa@$P.iam.gserviceaccount.com
eq "GSA" 200 "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"app-gsa"}')")"
ok "KSA" kubectl create serviceaccount app
ok "annotated" kubectl annotate serviceaccount app iam.gke.io/gcp-service-account=$GSA
eq "bound" 200 "$(code "$(api POST "/iam/v1/projects/-/serviceAccounts/$GSA:setIamPolicy" \
	"{\"policy\":{\"bindings\":[{\"role\":\"roles/iam.workloadIdentityUser\",\"members\":[\"serviceAccount:$P.svc.id.goog[default/app]\"]}]}}")")"
eq "disable the IAM Credentials API" 200 \
	"$(code "$(api POST "/serviceusage/v1/projects/$P/services/iamcredentials.googleapis.com:disable" '{"disableDependentServices":true}')")"
# (who asks is settled above: these runs take the admin's token from the environment)
export GKEID_DOCTOR_ACCESS_TOKEN=$API_TOKEN
out=$("$GKEID" doctor workload-identity --namespace default --serviceaccount app -o json)
eq "iamcredentials-api fails, gsa-binding passes, token-exchange fails" "fail pass fail" \
	"$(status iamcredentials-api "$out") $(status gsa-binding "$out") $(status token-exchange "$out")"
t=$(field token-exchange title "$out")
has "token-exchange names the disabled API" "is refused (403 SERVICE_DISABLED): iamcredentials.googleapis.com is disabled" "$t"
hasnt "... not IAM propagation" "IAM propagation" "$t"
eq "... its fix enables it" "gcloud services enable iamcredentials.googleapis.com --project=$P" \
	"$(field token-exchange fix "$out")"
ok "the fix, as printed" sh -c "$(field token-exchange fix "$out")"
eq "token-exchange passes again" pass \
	"$(status token-exchange "$("$GKEID" doctor workload-identity --namespace default --serviceaccount app -o json)")"
finish
