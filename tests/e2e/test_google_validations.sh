#!/bin/bash
# test_google_validations.sh - requests Google refuses beyond their form (src/cloud/validate.c,
# issue 14): a node pool whose service account does not exist (400 'Service account "E" does
# not exist.', GKE's text as quoted in GoogleCloudPlatform/software-delivery-workshop#34), a
# GKE_METADATA node pool on a cluster without Workload Identity and Workload Identity turned
# off under such a pool (the rule of google.container.v1 WorkloadMetadataConfig.Mode), a
# Google Groups for RBAC security group not named gke-security-groups@DOMAIN, and the IAM
# Credentials methods for a disabled service account (400 FAILED_PRECONDITION at the call,
# not a token refused later). gcloud for one of each; curl for the rest.
. "$(dirname "$0")/lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
gkeid_up
P=$GKEID_PROJECT
L=us-central1
C=/container/v1/projects/$P/locations/$L/clusters
API_TOKEN=$(gcloud_token)
export API_TOKEN
GHOST=ghost@$P.iam.gserviceaccount.com
NODE_SA=node-sa@$P.iam.gserviceaccount.com

# -- a node pool's service account must exist
out=$(gcloud container node-pools create p1 --cluster demo-cluster --location $L \
	--service-account="$GHOST" 2>&1)
has "gcloud: a node pool's service account that does not exist" \
	"code=400, message=Service account \"$GHOST\" does not exist." "$out"
out=$(api POST "$C/demo-cluster/nodePools" "{\"nodePool\":{\"name\":\"p1\",\"config\":{\"serviceAccount\":\"$GHOST\"}}}")
eq "the API: 400 INVALID_ARGUMENT" "400 INVALID_ARGUMENT" "$(code "$out") $(field "$out" "['error']['status']")"
eq "... and no pool was made" "404" "$(code "$(api GET "$C/demo-cluster/nodePools/p1")")"
eq "make the account" "200" "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"node-sa"}')")"
out=$(api POST "$C/demo-cluster/nodePools" "{\"nodePool\":{\"name\":\"p1\",\"config\":{\"serviceAccount\":\"$NODE_SA\"}}}")
eq "once it exists, the pool is made" "200" "$(code "$out")"
eq "... with the GKE metadata server (Workload Identity is on)" "GKE_METADATA" \
	"$(field "$(api GET "$C/demo-cluster/nodePools/p1")" "['config']['workloadMetadataConfig']['mode']")"

# -- Workload Identity cannot be turned off under GKE_METADATA pools
out=$(gcloud container clusters update demo-cluster --location $L --disable-workload-identity 2>&1)
has "gcloud: --disable-workload-identity while pools run GKE_METADATA" \
	'INVALID_ARGUMENT: Workload Identity cannot be disabled while node pool "default-pool" runs the GKE metadata server (GKE_METADATA).' "$out"
eq "... the cluster keeps its pool" "$P.svc.id.goog" \
	"$(field "$(api GET "$C/demo-cluster")" "['workloadIdentityConfig']['workloadPool']")"
for np in default-pool p1; do
	eq "$np to GCE_METADATA" "200" "$(code "$(api PUT "$C/demo-cluster/nodePools/$np" \
		'{"workloadMetadataConfig":{"mode":"GCE_METADATA"}}')")"
done
out=$(api PUT "$C/demo-cluster" '{"update":{"desiredWorkloadIdentityConfig":{"workloadPool":""}}}')
eq "then Workload Identity can be turned off" "200" "$(code "$out")"
eq "... and it is off" "False" "$(jget "$(api GET "$C/demo-cluster")" "'workloadIdentityConfig' in j")"
out=$(api PUT "$C/demo-cluster/nodePools/p1" '{"workloadMetadataConfig":{"mode":"GKE_METADATA"}}')
eq "a pool cannot be set to GKE_METADATA without Workload Identity" "400" "$(code "$out")"
has "... Google's rule" "workload metadata mode GKE_METADATA can only be enabled if Workload Identity is enabled at the cluster level." "$out"
out=$(api POST "$C/demo-cluster/nodePools" \
	'{"nodePool":{"name":"p2","config":{"workloadMetadataConfig":{"mode":"GKE_METADATA"}}}}')
eq "nor created with it" "400" "$(code "$out")"
out=$(api POST "$C/demo-cluster/nodePools" '{"nodePool":{"name":"p2"}}')
eq "a pool without a mode is fine" "200" "$(code "$out")"

# -- Google Groups for RBAC: the security group is gke-security-groups@DOMAIN
out=$(api POST "$C" '{"cluster":{"name":"groups","authenticatorGroupsConfig":{"enabled":true,"securityGroup":"team@example.com"}}}')
eq "a security group of another name: 400" "400" "$(code "$out")"
has "... naming the rule" 'The security group must be named gke-security-groups@DOMAIN.' "$out"
out=$(api POST "$C" '{"cluster":{"name":"groups","authenticatorGroupsConfig":{"enabled":true,"securityGroup":"gke-security-groups@example.com"}}}')
eq "gke-security-groups@example.com is accepted" "200" "$(code "$out")"
out=$(api PUT "$C/groups" '{"update":{"desiredAuthenticatorGroupsConfig":{"enabled":true,"securityGroup":"gke-security-groups"}}}')
eq "an update to a name without a domain: 400" "400" "$(code "$out")"

# -- the credentials of a disabled service account are refused at the call
SA=signer@$P.iam.gserviceaccount.com
IC=/iamcredentials/v1/projects/-/serviceAccounts/$SA
eq "make signer" "200" "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"signer"}')")"
eq "the admin may use it" "200" "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts/$SA:setIamPolicy" \
	'{"policy":{"bindings":[{"role":"roles/iam.serviceAccountTokenCreator","members":["user:admin@example.com"]}]}}')")"
BLOB='{"payload":"aGk="}'
wait_for 30 output_is 200 code_of api POST "$IC:signBlob" "$BLOB"
eq "enabled: signBlob works" "200" "$WAIT_OUT"
eq "disable it" "200" "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts/$SA:disable" '{}')")"
for m in "signBlob $BLOB" 'signJwt {"payload":"{\"sub\":\"x\"}"}' \
	'generateAccessToken {"scope":["https://www.googleapis.com/auth/cloud-platform"]}' \
	'generateIdToken {"audience":"https://example.com"}'; do
	out=$(api POST "$IC:${m%% *}" "${m#* }")
	eq "disabled: ${m%% *} is 400 FAILED_PRECONDITION" "400 FAILED_PRECONDITION Precondition check failed." \
		"$(code "$out") $(field "$out" "['error']['status']") $(field "$out" "['error']['message']")"
done
eq "enable it again" "200" "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts/$SA:enable" '{}')")"
eq "enabled: signBlob works again" "200" "$(code "$(api POST "$IC:signBlob" "$BLOB")")"
finish
