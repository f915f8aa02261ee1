#!/bin/bash
# test_purge.sh - Google's 30 days (src/cloud/hierarchy.c, saextra.c; issue 14): a deleted
# project stays DELETE_REQUESTED and may be undeleted for 30 days, then it is purged, and
# its ID is never given again ("Project IDs are unique and permanent. Once a project is
# fully deleted, its ID can't be reused.", resource-manager/docs/delete-restore-projects); a
# deleted service account may be undeleted for 30 days, then undelete is PERMISSION_DENIED
# ("If the service account does not exist, this command returns a PERMISSION_DENIED
# error.", gcloud iam service-accounts undelete). Time passes by restarting gkeid on the
# same data with GKEID_CLOCK_OFFSET (cloud.h), never by sleeping.
. "$(dirname "$0")/lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
gkeid_up
P=$GKEID_PROJECT
CRM=/cloudresourcemanager/v1/projects
SAS=/iam/v1/projects/$P/serviceAccounts
token() { API_TOKEN=$(gcloud auth print-access-token 2>/dev/null); export API_TOKEN; }
token

eq "create project gone-soon" "200" "$(code "$(api POST "$CRM" '{"projectId":"gone-soon"}')")"
eq "delete it" "200" "$(code "$(api DELETE "$CRM/gone-soon")")"
uid() { field "$(api POST "$SAS" "{\"accountId\":\"$1\"}")" "['uniqueId']"; }
UID1=$(uid early-sa) UID2=$(uid late-sa)
eq "delete two service accounts" "200 200" \
	"$(code "$(api DELETE "$SAS/early-sa@$P.iam.gserviceaccount.com")") $(code "$(api DELETE "$SAS/late-sa@$P.iam.gserviceaccount.com")")"

# --- 29 days later: still within the window ---------------------------------------------
gkeid_stop
GKEID_CLOCK_OFFSET=$((29 * 86400)) gkeid_up
token
eq "after 29 days the project is DELETE_REQUESTED" "DELETE_REQUESTED" \
	"$(field "$(api GET "$CRM/gone-soon")" "['lifecycleState']")"
out=$(gcloud iam service-accounts undelete "$UID1" --format='value(restoredAccount.email)' 2>&1)
eq "... and a service account may be undeleted" "early-sa@$P.iam.gserviceaccount.com" "$out"

# --- 31 days later: purged -----------------------------------------------------------------
gkeid_stop
GKEID_CLOCK_OFFSET=$((31 * 86400)) gkeid_up
token
out=$(gcloud projects describe gone-soon 2>&1)
has "after 31 days the project is gone: describe is 403" "does not have permission to access projects instance [gone-soon]" "$out"
eq "... list leaves it out" "" "$(gcloud projects list --filter=projectId:gone-soon --format='value(projectId)' 2>&1)"
out=$(gcloud projects undelete gone-soon 2>&1)
has "... undelete is refused" "does not have permission to access projects instance [gone-soon:undelete]" "$out"
out=$(gcloud projects create gone-soon 2>&1)
has "... and its ID is never given again" "The project ID you specified is already in use by another project." "$out"
out=$(gcloud iam service-accounts undelete "$UID2" 2>&1)
has "a service account deleted 31 days ago: undelete is PERMISSION_DENIED" "PERMISSION_DENIED" "$out"
eq "the account undeleted in time is still there" "early-sa@$P.iam.gserviceaccount.com" \
	"$(field "$(api GET "$SAS/early-sa@$P.iam.gserviceaccount.com")" "['email']")"
eq "a project deleted now may be undeleted: the window runs from its deletion" "200 200 ACTIVE" \
	"$(code "$(api POST "$CRM" '{"projectId":"gone-later"}')") $(code "$(api DELETE "$CRM/gone-later")") $(
		code "$(api POST "$CRM/gone-later:undelete" '{}')" >/dev/null; field "$(api GET "$CRM/gone-later")" "['lifecycleState']")"

finish
