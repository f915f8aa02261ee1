#!/usr/bin/env bash
# deploypatch_failed.sh - the seed's "DeployPatch 실패 오류 메시지와 함께 GKE용 워크로드
# 아이덴티티 제휴 사용 설정 실패": without roles/container.serviceAgent on the Kubernetes
# Engine service agent, enabling Workload Identity fails with "DeployPatch failed"; the
# seed's get-iam-policy command shows no service agent; `gkeid doctor` fails the
# service-agent check with the seed's fix filled in; the seed's three commands, run
# verbatim, restore the role, and enabling Workload Identity succeeds.
. "$(dirname "$0")/../e2e/lib.sh"
gkeid_up
P=demo-project
L=us-central1
export HOME=$T_TMP/home
mkdir -p "$HOME"
# the doctor's token once (test_doctor covers gcloud as its source), not a gcloud start a run
GKEID_DOCTOR_ACCESS_TOKEN=$(gcloud_token)
export GKEID_DOCTOR_ACCESS_TOKEN
# shellcheck disable=SC2034 # DOC is read by dst and dfield (lib.sh)
doctor() { DOC=$("$GKEID" doctor workload-identity --namespace default --serviceaccount default --output json); DOC_RC=$?; }
AGENT=serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com
# the seed's step 1, verbatim up to the project
step1() {
	gcloud projects get-iam-policy demo-project \
	    --flatten=bindings \
	    --filter=bindings.role=roles/container.serviceAgent \
	    --format="value[delimiter='\\n'](bindings.members)" 2>/dev/null
}

eq "at first the service agent holds its role" "$AGENT" "$(step1)"
doctor
eq "doctor: service-agent passes" pass "$(dst service-agent)"

# --- break it: Workload Identity off, the service agent's role removed -----------------
ok "the node pool leaves the GKE metadata server (GKE refuses to disable Workload Identity under it)" \
	gcloud container node-pools update default-pool --cluster=demo-cluster --location $L --workload-metadata=GCE_METADATA
ok "disable Workload Identity" gcloud container clusters update demo-cluster --location $L --disable-workload-identity
ok "remove roles/container.serviceAgent from the service agent" gcloud projects remove-iam-policy-binding $P \
	--member=$AGENT --role=roles/container.serviceAgent --condition=None

# --- the symptom ------------------------------------------------------------------------
out=$(gcloud container clusters update demo-cluster --location $L --workload-pool=$P.svc.id.goog 2>&1)
eq "enabling Workload Identity fails" 1 $?
has "... DeployPatch failed" "DeployPatch failed" "$out"
OP=$(gcloud container operations list --location $L --filter='operationType=UPDATE_CLUSTER AND status=DONE' \
	--sort-by=~startTime --format='value(name)' 2>/dev/null | head -n 1)
msg=$(gcloud container operations describe "$OP" --location $L --format='value(statusMessage)' 2>/dev/null)
eq "the operation's message, as Terraform quotes it" \
	"Error waiting for updating GKE cluster workload identity config: DeployPatch failed" \
	"Error waiting for updating GKE cluster workload identity config: $msg"

# --- the seed's diagnosis -----------------------------------------------------------------
eq "seed step 1 shows no service agent" "" "$(step1)"
doctor
eq "doctor: exit 1" 1 "$DOC_RC"
eq "doctor: service-agent fails" fail "$(dst service-agent)"
has "... names DeployPatch failed" "DeployPatch failed" "$(dfield service-agent title)"
has "... evidence: the role is not bound to the agent" "roles/container.serviceAgent is not bound to $AGENT" \
	"$(dfield service-agent evidence)"
fix=$(dfield service-agent fix)
has "the fix: the seed's step 1 filled in" 'gcloud projects get-iam-policy demo-project \
    --flatten=bindings \
    --filter=bindings.role=roles/container.serviceAgent \
    --format="value[delimiter='"'\\\\n'"'](bindings.members)"' "$fix"
has "the fix: the seed's step 2" 'gcloud projects describe demo-project \
    --format="value(projectNumber)"' "$fix"
has "the fix: the seed's step 3 with the project number" 'gcloud projects add-iam-policy-binding demo-project \
    --member=serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com \
    --role=roles/container.serviceAgent \
    --condition=None' "$fix"
has "the fix: then re-enable" "gcloud container clusters update demo-cluster --location=$L --workload-pool=$P.svc.id.goog" "$fix"

# --- the seed's three commands, verbatim (names filled in) --------------------------------
eq "seed step 1" "" "$(gcloud projects get-iam-policy demo-project \
    --flatten=bindings \
    --filter=bindings.role=roles/container.serviceAgent \
    --format="value[delimiter='\\n'](bindings.members)" 2>/dev/null)"
eq "seed step 2: the project number" 123456789012 "$(gcloud projects describe demo-project \
    --format="value(projectNumber)" 2>/dev/null)"
ok "seed step 3: grant the role" gcloud projects add-iam-policy-binding demo-project \
    --member=serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com \
    --role=roles/container.serviceAgent \
    --condition=None
eq "seed step 1 now shows the service agent" "$AGENT" "$(step1)"
ok "seed step 4: enabling Workload Identity succeeds" \
	gcloud container clusters update demo-cluster --location $L --workload-pool=$P.svc.id.goog
eq "the cluster has its pool" "$P.svc.id.goog" "$(gcloud container clusters describe demo-cluster \
	--format="value(workloadIdentityConfig.workloadPool)" 2>/dev/null)"
doctor
eq "doctor: service-agent and workload-pool pass" "pass pass" "$(dst service-agent) $(dst workload-pool)"
finish
