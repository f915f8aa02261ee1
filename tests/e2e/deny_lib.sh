# deny_lib.sh - helpers of the deny-policy and troubleshooter e2e files (sourced after
# lib.sh and gkeid_up, with API_TOKEN set to the admin's token):
#   project_grant MEMBER ROLE   adds a binding to $GKEID_PROJECT's allow policy (curl);
#                               prints the setIamPolicy status code
#   deny_admin_grant            with Google's full catalogue, gives the admin
#                               roles/iam.denyAdmin (the owner lacks it, as on Google);
#                               the built-in catalogue has no such role (denypolicies.c)

project_grant() {
	_crm=/cloudresourcemanager/v1/projects/$GKEID_PROJECT
	code "$(api POST "$_crm:setIamPolicy" "$(api POST "$_crm:getIamPolicy" \
		'{"options":{"requestedPolicyVersion":3}}' | sed '$d' | "$GCLOUD_PY" -S -c '
import json,sys; p=json.load(sys.stdin)
p.setdefault("bindings",[]).append({"role":sys.argv[2],"members":[sys.argv[1]]})
print(json.dumps({"policy":p}))' "$1" "$2")")"
}

deny_admin_grant() {
	if api GET /iam/v1/roles/iam.denyAdmin | grep -q '^HTTP 200'; then
		project_grant user:admin@example.com roles/iam.denyAdmin >/dev/null
	fi
}
