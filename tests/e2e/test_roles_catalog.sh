#!/bin/bash
# test_roles_catalog.sh - Google's predefined role catalogue (src/iam/catalog.c,
# data/README) through the real gcloud: the Workload Identity tutorials' "grant the GSA
# its roles" step (issue 14: each of these roles was "not supported for this resource"),
# `gcloud iam roles describe` and `list` (with --filter, over every page),
# `list-grantable-roles` on a project and on a service account, and
# `list-testable-permissions` (permissions.queryTestablePermissions).
#
# The parts that need Google's full catalogue run when the build embedded it
# (build/catalog-choice names build/data/roles.cat); without it they are skipped, unless
# GKEID_REQUIRE_FULL_CATALOG=1, which fails them instead.
. "$(dirname "$0")/lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
FULL=0
[ "$(cat "$ROOT/build/catalog-choice" 2>/dev/null)" = build/data/roles.cat ] && FULL=1
gkeid_up
P=$GKEID_PROJECT
GSA=app-gsa@$P.iam.gserviceaccount.com
PROJ=//cloudresourcemanager.googleapis.com/projects/$P
SAR=//iam.googleapis.com/projects/$P/serviceAccounts/$GSA
body() { printf '%s\n' "$1" | sed '$d'; }
code() { printf '%s\n' "$1" | tail -n 1; }
ok "create the GSA" sa_create app-gsa

# --- with any catalogue ----------------------------------------------------------------
out=$(gcloud iam list-grantable-roles "$SAR" --format='value(name)' 2>&1)
has "grantable on a SA: workloadIdentityUser" "roles/iam.workloadIdentityUser" "$out"
hasnt "grantable on a SA: not the GKE viewer, which holds nothing on SAs" "roles/container.viewer" "$out"
out=$(gcloud iam list-testable-permissions "$SAR" --format='value(name)' 2>&1)
has "testable on a SA: getAccessToken" "iam.serviceAccounts.getAccessToken" "$out"
has "testable on a SA: its keys" "iam.serviceAccountKeys.create" "$out"
hasnt "testable on a SA: nothing of the project" "resourcemanager.projects.get" "$out"
out=$(gcloud iam list-testable-permissions "$PROJ" --filter='name:container.pods.' --format='value(name)' 2>&1)
has "testable on the project, --filter: container.pods.exec" "container.pods.exec" "$out"
hasnt "--filter leaves the rest out" "iam.serviceAccounts.get" "$out"
testable=$(gcloud iam list-testable-permissions "$PROJ" --format='value(name)' 2>&1)
out=$testable
has "testable on the project: gkeid's own fault permissions" "gkeid.faults.set" "$out"
hasnt "testable on a project: not the organization's" "resourcemanager.organizations.get" "$out"
eq "testable on the project: sorted and unique, over every page" \
	"$(printf '%s\n' "$out" | LC_ALL=C sort -u)" "$out"
r=$(api POST /iam/v1/permissions:queryTestablePermissions "{\"fullResourceName\":\"$PROJ\"}")
eq "queryTestablePermissions: 200" "HTTP 200" "$(code "$r")"
eq "queryTestablePermissions: Google's default page of 100, then a token" "100 True" \
	"$(body "$r" | "$GCLOUD_PY" -c 'import json,sys; d=json.load(sys.stdin); print(len(d["permissions"]), bool(d.get("nextPageToken")))' 2>&1)"
tok=$(body "$r" | "$GCLOUD_PY" -c 'import json,sys; print(json.load(sys.stdin)["nextPageToken"])' 2>&1)
r2=$(api POST /iam/v1/permissions:queryTestablePermissions "{\"fullResourceName\":\"$PROJ\",\"pageSize\":3,\"pageToken\":\"$tok\"}")
eq "the next page starts after the last name of the first" "True" \
	"$(printf '%s\n%s' "$(body "$r")" "$(body "$r2")" | "$GCLOUD_PY" -c '
import json,sys
a,b=sys.stdin.read().split("\n{",1)
a=json.loads(a); b=json.loads("{"+b)
print(len(b["permissions"])==3 and b["permissions"][0]["name"]>a["permissions"][-1]["name"])' 2>&1)"
r=$(api POST /iam/v1/permissions:queryTestablePermissions '{"pageSize":3}')
eq "no fullResourceName: 400" "HTTP 400" "$(code "$r")"
r=$(api POST /iam/v1/permissions:queryTestablePermissions "{\"fullResourceName\":\"$PROJ\",\"pageToken\":\"!!\"}")
eq "bad page token: 400" "HTTP 400" "$(code "$r")"
r=$(api POST /iam/v1/permissions:queryTestablePermissions "{\"fullResourceName\":\"$PROJ\",\"pageSize\":\"x\"}")
eq "pageSize of the wrong type: 400" "HTTP 400" "$(code "$r")"
r=$(API_TOKEN=forged api POST /iam/v1/permissions:queryTestablePermissions "{\"fullResourceName\":\"$PROJ\"}")
eq "forged token: 401" "HTTP 401" "$(code "$r")"

# --- Google's full catalogue -----------------------------------------------------------
if [ $FULL -eq 0 ]; then
	if [ "${GKEID_REQUIRE_FULL_CATALOG:-}" = 1 ]; then
		fail "the build embedded Google's full role catalogue" "build/catalog-choice: $(cat "$ROOT/build/catalog-choice" 2>&1)"
	else
		echo "# skip: the build embedded data/roles.json, not Google's catalogue (no iam-dataset; data/README)"
	fi
	finish
	exit $?
fi
for role in roles/storage.objectViewer roles/logging.logWriter roles/monitoring.metricWriter \
	roles/artifactregistry.reader roles/secretmanager.secretAccessor; do
	ok "add-iam-policy-binding $role for the GSA" gcloud projects add-iam-policy-binding "$P" \
		--member="serviceAccount:$GSA" --role="$role" --condition=None
done
out=$(gcloud projects get-iam-policy "$P" --flatten='bindings[].members' \
	--filter="bindings.members:serviceAccount:$GSA" --format='value(bindings.role)' 2>&1)
eq "the policy holds the five bindings" "roles/artifactregistry.reader
roles/logging.logWriter
roles/monitoring.metricWriter
roles/secretmanager.secretAccessor
roles/storage.objectViewer" "$(printf '%s\n' "$out" | LC_ALL=C sort)"
out=$(gcloud projects add-iam-policy-binding "$P" --member="serviceAccount:$GSA" --role=roles/storage.nothingHere --condition=None 2>&1)
has "a role Google does not have is still refused" \
	"INVALID_ARGUMENT: Role roles/storage.nothingHere is not supported for this resource." "$out"

out=$(gcloud iam roles describe roles/storage.objectViewer 2>&1)
has "describe: Google's title" "title: Storage Object Viewer" "$out"
has "describe: Google's description" "description: Grants access to view objects and their metadata, excluding ACLs." "$out"
has "describe: storage.objects.get" "- storage.objects.get" "$out"
has "describe: storage.objects.list" "- storage.objects.list" "$out"
has "describe: the stage" "stage: GA" "$out"
out=$(gcloud iam roles describe roles/iam.workloadIdentityUser --format='value(includedPermissions)' 2>&1)
eq "workloadIdentityUser holds what Google lists" \
	"iam.serviceAccounts.get;iam.serviceAccounts.getAccessToken;iam.serviceAccounts.getOpenIdToken;iam.serviceAccounts.list" "$out"
out=$(gcloud iam roles describe roles/editor --format=json 2>&1)
eq "the editor: thousands of permissions, none to set a policy" "True False" \
	"$(printf '%s' "$out" | "$GCLOUD_PY" -c 'import json,sys; p=json.load(sys.stdin)["includedPermissions"]; print(len(p)>5000, "resourcemanager.projects.setIamPolicy" in p)' 2>&1)"

out=$(gcloud iam roles list --filter='name:roles/storage.object' --format='value(name)' 2>&1)
has "roles list --filter: objectViewer" "roles/storage.objectViewer" "$out"
has "roles list --filter: objectAdmin" "roles/storage.objectAdmin" "$out"
hasnt "roles list --filter leaves the rest out" "roles/logging.logWriter" "$out"
all=$(gcloud iam roles list --format='value(name)' 2>&1)
n=$(printf '%s\n' "$all" | wc -l)
[ "$n" -gt 2000 ] && pass "roles list: every page, $n roles" || fail "roles list: every page" "$n roles"
eq "roles list: sorted and unique" "$(printf '%s\n' "$all" | LC_ALL=C sort -u)" "$all"
has "roles list: gkeid's own role" "roles/gkeid.faultInjector" "$all"

out=$(gcloud iam list-grantable-roles "$PROJ" --format='value(name)' 2>&1)
has "grantable on the project: objectViewer" "roles/storage.objectViewer" "$out"
eq "grantable on the project: every role" "$n" "$(printf '%s\n' "$out" | wc -l)"
out=$(gcloud iam list-grantable-roles "$SAR" --format='value(name)' 2>&1)
has "grantable on a SA: serviceAccountTokenCreator" "roles/iam.serviceAccountTokenCreator" "$out"
hasnt "grantable on a SA: not objectViewer" "roles/storage.objectViewer" "$out"
out=$(gcloud iam service-accounts add-iam-policy-binding "$GSA" --role=roles/storage.objectViewer \
	--member="serviceAccount:$P.svc.id.goog[default/app]" 2>&1)
has "objectViewer on a SA: refused" \
	"INVALID_ARGUMENT: Role roles/storage.objectViewer is not supported for this resource." "$out"
out=$testable # (the list above: gcloud over every page takes seconds of CPU)
has "testable on the project: storage.objects.get" "storage.objects.get" "$out"
n=$(printf '%s\n' "$out" | wc -l)
[ "$n" -gt 10000 ] && pass "testable on the project: every page, $n permissions" || fail "testable on the project: every page" "$n"
finish
