#!/bin/bash
# test_pool_sa.sh - a new node pool's service account (src/cloud/validate.c, issue 14): with
# none or "default", the pool runs as the project's Compute Engine default service account
# (PROJECT_NUMBER-compute@developer.gserviceaccount.com), which must exist (400 'Service
# account "E" does not exist.', gruntwork-io/terraform-google-gke#56) and, like any pool's
# account, be enabled (400 "Service account E is disabled.", terraform-provider-google#12677).
# gcloud for one refusal; curl for the rest.
. "$(dirname "$0")/lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
gkeid_up
P=$GKEID_PROJECT
L=us-central1
C=/container/v1/projects/$P/locations/$L/clusters/demo-cluster/nodePools
SAS=/iam/v1/projects/$P/serviceAccounts
API_TOKEN=$(gcloud auth print-access-token)
export API_TOKEN
NUM=$(field "$(api GET "/cloudresourcemanager/v1/projects/$P")" "['projectNumber']")
DEF=$NUM-compute@developer.gserviceaccount.com
pool() {
	cfg=
	[ $# -gt 1 ] && cfg=",\"config\":{\"serviceAccount\":\"$2\"}"
	api POST "$C" "{\"nodePool\":{\"name\":\"$1\"$cfg}}"
}
msg() { echo "$(code "$1") $(field "$1" "['error']['message']")"; }

eq "disable the Compute Engine default service account" "200" "$(code "$(api POST "$SAS/$DEF:disable" '{}')")"
out=$(gcloud container node-pools create p1 --cluster demo-cluster --location $L 2>&1)
has "gcloud: a pool on the default account while it is disabled" \
	"code=400, message=Service account $DEF is disabled." "$out"
eq "... the API, with \"default\" named" "400 Service account $DEF is disabled." "$(msg "$(pool p1 default)")"
eq "enable it: the pool is made" "200 200" \
	"$(code "$(api POST "$SAS/$DEF:enable" '{}')") $(code "$(pool p1)")"

eq "a pool's own account, disabled" "400 Service account off-sa@$P.iam.gserviceaccount.com is disabled." \
	"$(code "$(api POST "$SAS" '{"accountId":"off-sa"}')" >/dev/null
		code "$(api POST "$SAS/off-sa@$P.iam.gserviceaccount.com:disable" '{}')" >/dev/null
		msg "$(pool p2 off-sa@$P.iam.gserviceaccount.com)")"

UID_DEF=$(field "$(api GET "$SAS/$DEF")" "['uniqueId']")
eq "delete the default account" "200" "$(code "$(api DELETE "$SAS/$DEF")")"
eq "a pool on it: it does not exist" "400 Service account \"$DEF\" does not exist." "$(msg "$(pool p3)")"
eq "undeleted, it serves again" "200 200" \
	"$(code "$(api POST "$SAS/$UID_DEF:undelete" '{}')") $(code "$(pool p3)")"

finish
