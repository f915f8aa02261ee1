# iam_lib.sh - helpers of the IAM e2e files (sourced after lib.sh and gkeid_up, with
# API_TOKEN set to the admin's token):
#   tester_token NAME    creates service account NAME in $GKEID_PROJECT, lets the admin
#                        mint its tokens, waits for that grant, and sets TESTER_SA (its
#                        email) and TESTER_TOKEN (an access token of it). Call it
#                        directly, not in $(...): it counts its checks.

tester_token() {
	TESTER_SA=$1@$GKEID_PROJECT.iam.gserviceaccount.com
	_sas=/iam/v1/projects/$GKEID_PROJECT/serviceAccounts
	eq "create service account $1" "200" "$(code "$(api POST "$_sas" "{\"accountId\":\"$1\"}")")"
	eq "the admin may mint $1's tokens" "200" "$(code "$(api POST "$_sas/$TESTER_SA:setIamPolicy" \
		'{"policy":{"bindings":[{"role":"roles/iam.serviceAccountTokenCreator","members":["user:admin@example.com"]}]}}')")"
	wait_for 30 output_is 200 code_of _tester_mint
	TESTER_TOKEN=$(field "$(_tester_mint)" "['accessToken']")
	has "a token for $1" "ya29." "$TESTER_TOKEN"
}

_tester_mint() {
	api POST "/iamcredentials/v1/projects/-/serviceAccounts/$TESTER_SA:generateAccessToken" \
		'{"scope":["https://www.googleapis.com/auth/cloud-platform"]}'
}
