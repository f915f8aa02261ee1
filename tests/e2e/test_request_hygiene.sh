#!/usr/bin/env bash
# test_request_hygiene.sh - request targets and framing that must not mean something
# else than they say, at the Google APIs and at the cluster's API server, with curl:
#   %00 in a path: Google's front end answers 400; the API server finds nothing (404);
#   %2F in a path: no separator at Google's front end (404, the raw path quoted);
#     kube-apiserver routes on the decoded path (Go's net/http), so it is one there;
#   Content-Length twice with different values: 400 and the connection closed (Go's
#     net/http before kube-apiserver: "400 Bad Request"), so the bytes after the first
#     length are never read as a request of their own; the same value twice is one.
. "$(dirname "$0")/lib.sh"
gkeid_up
tok=$(gcloud_token)
CRM=/cloudresourcemanager/v1/projects
G=$GKEID_CLOUD_URL
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$T_TMP/ca.pem"
# two_lengths HEADERS_FILE URL BODY LEN1 LEN2 [CURL ARGS]: a POST with both lengths.
two_lengths() {
	h=$1 u=$2 b=$3 l1=$4 l2=$5; shift 5
	curl -sS -D "$h" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		-H "Content-Length: $l1" -H "Content-Length: $l2" --data-binary "$b" "$@" \
		-w '\nHTTP %{http_code}' "$u"
}
gapi() { curl -sS --path-as-is -H "Authorization: Bearer $tok" -w '\nHTTP %{http_code}' "$@"; }
kapi() { curl -sS --path-as-is --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $tok" -w '\nHTTP %{http_code}' "$@"; }

# Google APIs
has "the project is there" '"projectId": "demo-project"' "$(gapi "$G$CRM/demo-project")"
out=$(gapi "$G$CRM/demo-project%00.evil")
has "%00 in a path: 400" "HTTP 400" "$out"
has "... Google's front end's words" '"message": "Your client has issued a malformed or illegal request."' "$out"
hasnt "... and no project behind it" '"projectId"' "$out"
out=$(gapi "$G/cloudresourcemanager/v1/projects%2Fdemo-project")
has "%2F in a path: 404" "HTTP 404" "$out"
has "... the raw path quoted, as Google's front end does" '"message": "The requested URL /cloudresourcemanager/v1/projects%2Fdemo-project was not found on this server."' "$out"
hasnt "... and no project" '"projectId"' "$out"
has "%2f (lower case) too" "HTTP 404" "$(gapi "$G$CRM/demo%2fproject")"
has "other escapes are decoded as before (an email's %40)" '"email": "123456789012-compute@developer.gserviceaccount.com"' \
	"$(gapi "$G/iam/v1/projects/demo-project/serviceAccounts/123456789012-compute%40developer.gserviceaccount.com")"
out=$(two_lengths "$T_TMP/h" "$G$CRM/demo-project:getIamPolicy" \
	$'{}GET /cloudresourcemanager/v1/projects/demo-project HTTP/1.1\r\n\r\n' 2 60)
has "two Content-Lengths: 400" "HTTP 400" "$out"
has "... the connection closed" "Connection: close" "$(tr -d '\r' <"$T_TMP/h")"
hasnt "... and the smuggled request never answered" '"projectId"' "$out"
out=$(two_lengths /dev/null "$G$CRM/demo-project:getIamPolicy" '{}' 2 2)
has "the same Content-Length twice is one" '"etag"' "$out"

# the cluster's API server
kubectl create configmap clean -n default >/dev/null 2>&1
has "the configmap is there" '"name":"clean"' "$(kapi "$server/api/v1/namespaces/default/configmaps/clean")"
out=$(kapi "$server/api/v1/namespaces/default/configmaps/clean%00.evil")
has "%00 in a path: 404" "HTTP 404" "$out"
has "... a NotFound Status" '"reason":"NotFound"' "$out"
hasnt "... not the configmap it would cut to" '"name":"clean"' "$out"
out=$(kapi "$server/api/v1/namespaces%2Fdefault/configmaps/clean")
has "%2F is a separator at the API server, as at kube-apiserver" '"name":"clean"' "$out"
out=$(two_lengths "$T_TMP/kh" "$server/api/v1/namespaces/default/configmaps" \
	$'{}GET /api/v1/namespaces/default/configmaps/clean HTTP/1.1\r\n\r\n' 2 58 --cacert "$T_TMP/ca.pem")
eq "two Content-Lengths: Go's bare 400" $'400 Bad Request\nHTTP 400' "$out"
has "... text/plain" "Content-Type: text/plain; charset=utf-8" "$(tr -d '\r' <"$T_TMP/kh")"
has "... the connection closed" "Connection: close" "$(tr -d '\r' <"$T_TMP/kh")"
hasnt "... no Audit-Id: kube-apiserver never saw it" "Audit-Id" "$(cat "$T_TMP/kh")"
cm='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"two"}}'
out=$(two_lengths /dev/null "$server/api/v1/namespaces/default/configmaps" "$cm" ${#cm} ${#cm} --cacert "$T_TMP/ca.pem")
has "the same Content-Length twice is one" "HTTP 201" "$out"
finish
