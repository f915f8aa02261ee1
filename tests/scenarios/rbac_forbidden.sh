#!/usr/bin/env bash
# rbac_forbidden.sh - the seed's "인증된 IAM 계정이 클러스터 내 작업을 수행하지 못함": a Google
# service account with no role gets the seed's Forbidden text byte for byte from
# kubectl 1.32; `gkeid doctor rbac` (run by the admin, through public APIs) finds no
# RBAC binding, names the IAM permission container.roles.list and the predefined roles
# that grant it, and prints both fixes; the RBAC fix, applied as printed, makes the
# request succeed; so does, instead, the gcloud IAM alternative.
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
P=demo-project
K=/usr/lib/google-cloud-sdk/bin/kubectl.1.32
[ -x "$K" ] || K=kubectl
export HOME=$T_TMP/home
mkdir -p "$HOME"
# the doctor's token once (test_doctor covers gcloud as its source), not a gcloud start a run
GKEID_DOCTOR_ACCESS_TOKEN=$(gcloud_token)
export GKEID_DOCTOR_ACCESS_TOKEN
SA=example-account@$P.iam.gserviceaccount.com
doctor() { DOC=$("$GKEID" doctor rbac --user $SA --verb list --resource roles --namespace kube-system --output json); DOC_RC=$?; }

# --- the account: a service account with a key, in a gcloud config of its own -----------
ok "create the service account" sa_create example-account
ok "create its key" sa_key "$T_TMP/sa.json" $SA
cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-sa"
mkdir -p "$T_TMP/home-sa" "$T_TMP/kube-sa"
cp "$KUBECONFIG" "$T_TMP/kube-sa/config"
AS_SA="env CLOUDSDK_CONFIG=$T_TMP/gcloud-sa HOME=$T_TMP/home-sa KUBECONFIG=$T_TMP/kube-sa/config"
ok "activate it in gcloud" $AS_SA gcloud auth activate-service-account --key-file="$T_TMP/sa.json"

# --- the symptom, byte for byte ------------------------------------------------------------
SEED='Error from server (Forbidden): roles.rbac.authorization.k8s.io is forbidden: User "example-account@demo-project.iam.gserviceaccount.com" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "kube-system": requires one of ["container.roles.list"] permission(s).'
eq "kubectl get roles -n kube-system: the seed's Forbidden" "$SEED" "$($AS_SA $K get roles -n kube-system 2>&1)"

# --- the doctor ----------------------------------------------------------------------------
doctor
eq "doctor rbac: exit 1" 1 "$DOC_RC"
eq "the checks" "resource rbac iam access kubectl-account" "$(jget "$DOC" "' '.join(c['id'] for c in j['checks'])")"
has "the IAM permission GKE checks" "is IAM permission container.roles.list" "$(dfield resource title)"
eq "rbac fails" fail "$(dst rbac)"
has "... having read the bindings and roles" "/namespaces/kube-system/rolebindings: 0" "$(dfield rbac evidence)"
eq "iam fails" fail "$(dst iam)"
has "... the predefined roles that grant it, from the IAM API" "roles/container.viewer" "$(dfield iam evidence)"
eq "access fails" fail "$(dst access)"
has "... with the cluster's reason, as kubectl shows it" 'User "example-account@demo-project.iam.gserviceaccount.com" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "kube-system": requires one of ["container.roles.list"] permission(s).' \
	"$(dfield access title)"
RBAC_FIX="kubectl create role roles-list --verb=list --resource=roles.rbac.authorization.k8s.io -n kube-system
kubectl create rolebinding roles-list-example-account --role=roles-list --user=$SA -n kube-system"
eq "the RBAC fix" "$RBAC_FIX" "$(dfield rbac fix)"
IAM_FIX="gcloud projects add-iam-policy-binding $P --member=serviceAccount:$SA --role=roles/container.viewer --condition=None"
eq "the IAM alternative" "$IAM_FIX" "$(dfield iam fix)"
text=$("$GKEID" doctor rbac --user $SA --verb list --resource roles -n kube-system)
has "text output carries the fix" "    fix:
      kubectl create role roles-list" "$text"

# --- the seed's fix: an RBAC role that lists roles in kube-system -----------------------
ok "apply the RBAC fix as printed (as the admin)" sh -c "$RBAC_FIX"
ok "the account lists roles in kube-system" $AS_SA $K get roles -n kube-system
doctor
eq "doctor: exit 0" 0 "$DOC_RC"
eq "... RBAC allows it, IAM not needed" "pass skip pass" "$(dst rbac) $(dst iam) $(dst access)"
has "... by the new binding" "RoleBinding kube-system/roles-list-example-account -> Role roles-list" "$(dfield rbac evidence)"

# --- or IAM instead --------------------------------------------------------------------------
ok "remove the RoleBinding" kubectl delete rolebinding roles-list-example-account -n kube-system
eq "Forbidden again" "$SEED" "$($AS_SA $K get roles -n kube-system 2>&1)"
ok "apply the IAM alternative as printed" sh -c "$IAM_FIX"
ok "the account lists roles in kube-system" $AS_SA $K get roles -n kube-system
doctor
eq "doctor: IAM allows it" "0 skip pass pass" "$DOC_RC $(dst rbac) $(dst iam) $(dst access)"
finish
