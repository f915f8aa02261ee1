#!/usr/bin/env bash
# test_kube_impersonate.sh - impersonation as kube-apiserver's filter does it
# (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go), driven by the real kubectl
# (--as, --as-group, --as-uid) and curl (Impersonate-* headers): `kubectl auth can-i
# --as` answers for the impersonated user, not the caller (issue 9: it answered "yes"
# for the admin); a caller without the impersonate verb gets upstream's Forbidden text,
# with GKE's IAM reason (container.clusters.impersonate) for a Google identity; an admin
# acts as another user and gets that user's Forbidden; RBAC grants impersonate per
# resource and name; service accounts get their groups, anonymous
# system:unauthenticated; groups, uid or extras without a user are a 400.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"

gkeid_up
kube_setup
ssr='{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}'
LOWPRIV=system:serviceaccount:team-a:lowpriv

# --- the scene: two teams, a low-privilege service account in team-a ----------------------
ok "create namespace team-a" $K create namespace team-a
ok "create namespace team-b" $K create namespace team-b
ok "create serviceaccount lowpriv" $K create serviceaccount lowpriv -n team-a
ok "a secret in team-b" $K create secret generic b-secret -n team-b --from-literal=k=v
ok "a secret in team-a" $K create secret generic a-secret -n team-a --from-literal=k=v
ok "lowpriv may read team-a's secrets" $K create rolebinding lowpriv-secrets -n team-a \
	--clusterrole=view --serviceaccount=team-a:lowpriv
ok "... through a role that can" $K create role secret-reader -n team-a --verb=get,list --resource=secrets
ok "... bound to it" $K create rolebinding lowpriv-reads -n team-a --role=secret-reader \
	--serviceaccount=team-a:lowpriv

# --- the finding: can-i --as answered for the caller ---------------------------------------
eq "the admin itself may get team-b's secrets" yes "$($K auth can-i get secrets -n team-b 2>/dev/null)"
eq "can-i --as answers for the impersonated service account: no" no \
	"$($K auth can-i get secrets -n team-b --as=$LOWPRIV 2>/dev/null)"
eq "... and yes where it holds the permission" yes \
	"$($K auth can-i get secrets -n team-a --as=$LOWPRIV 2>/dev/null)"
eq "can-i --as a plain user with no bindings: no" no \
	"$($K auth can-i get pods -n default --as=jane 2>/dev/null)"
eq "can-i --as with --as-group=system:masters: yes (cluster-admin)" yes \
	"$($K auth can-i delete nodes --as=jane --as-group=system:masters 2>/dev/null)"

# --- an admin acts as the other user and gets that user's Forbidden -----------------------
out=$($K get secrets -n team-b --as=$LOWPRIV 2>&1)
eq "the admin as lowpriv gets lowpriv's Forbidden, upstream's text" \
	'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:team-a:lowpriv" cannot list resource "secrets" in API group "" in the namespace "team-b"' "$out"
out=$($K get secrets -n team-a --as=$LOWPRIV -o name 2>&1)
eq "... and lowpriv's access where it has it" "secret/a-secret" "$out"
out=$($K auth whoami --as=$LOWPRIV -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}' 2>&1)
eq "whoami --as a service account: its name and groups, as upstream" \
	'system:serviceaccount:team-a:lowpriv ["system:serviceaccounts","system:serviceaccounts:team-a","system:authenticated"]' "$out"
out=$($K auth whoami --as=jane --as-group=devs --as-group=ops --as-uid=u-123 \
	-o jsonpath='{.status.userInfo.username} {.status.userInfo.uid} {.status.userInfo.groups}' 2>&1)
eq "whoami --as --as-group --as-uid: the groups given, then system:authenticated" \
	'jane u-123 ["devs","ops","system:authenticated"]' "$out"
# SelfSubjectReview is system:basic-user's, granted to system:authenticated: refused to a
# user without that group
out=$(kjson POST /apis/authentication.k8s.io/v1/selfsubjectreviews "$ssr" \
	-H 'Impersonate-User: jane' -H 'Impersonate-Group: system:unauthenticated')
eq "a user given system:unauthenticated does not get system:authenticated" \
	'403 selfsubjectreviews.authentication.k8s.io is forbidden: User "jane" cannot create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope' \
	"${out##* } $(jget "$out" 'j["message"]')"
out=$(kjson POST /apis/authentication.k8s.io/v1/selfsubjectreviews "$ssr" -H 'Impersonate-User: system:anonymous')
eq "nor does system:anonymous" 403 "${out##* }"
ok "let system:unauthenticated review itself" $K create clusterrolebinding unauth-ssr \
	--clusterrole=system:basic-user --group=system:unauthenticated
out=$($K auth whoami --as=system:anonymous -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}' 2>&1)
eq "system:anonymous gets system:unauthenticated" 'system:anonymous ["system:unauthenticated"]' "$out"
ok "... and that binding goes again" $K delete clusterrolebinding unauth-ssr
out=$($K auth whoami --as=system:serviceaccount:team-a:lowpriv --as-group=devs -o jsonpath='{.status.userInfo.groups}' 2>&1)
eq "a service account with groups given gets only those (and system:authenticated)" \
	'["devs","system:authenticated"]' "$out"
out=$(kjson POST /apis/authentication.k8s.io/v1/selfsubjectreviews "$ssr" -H 'Impersonate-User: jane' \
	-H 'Impersonate-Extra-Scopes: view' -H 'Impersonate-Extra-Scopes: edit' -H 'Impersonate-Extra-Example.com%2fteam: a')
eq "Impersonate-Extra-*: keys lower case and %-unescaped, values in order" \
	"201 {'scopes': ['view', 'edit'], 'example.com/team': ['a']}" \
	"${out##* } $(jget "$out" 'j["status"]["userInfo"]["extra"]')"

# --- a Google identity impersonated is judged by IAM, as GKE's webhook judges names ------
google_sa_kubectl example-account
out=$($K get roles -n kube-system --as=$SA 2>&1)
eq "the admin as a Google service account gets its IAM denial" \
	"Error from server (Forbidden): roles.rbac.authorization.k8s.io is forbidden: User \"$SA\" cannot list resource \"roles\" in API group \"rbac.authorization.k8s.io\" in the namespace \"kube-system\": requires one of [\"container.roles.list\"] permission(s)." "$out"

# --- a caller without the impersonate verb ------------------------------------------------
ok "give it RBAC to list pods (so only impersonation is refused)" $K create clusterrolebinding sa-view \
	--clusterrole=view --user=$SA
# kubectl's discovery (cached in HOME) is done as the caller itself: a refused
# impersonation of /api would show only "unknown", with kube-apiserver as with gkeid
out=$($AS_SA $K get pods -n default -o name 2>&1)
eq "without --as the caller works" "" "$out"
out=$($AS_SA $K get pods -n default --as=$LOWPRIV 2>&1)
eq "an unprivileged caller: upstream's Forbidden, GKE's IAM reason" \
	"Error from server (Forbidden): serviceaccounts \"lowpriv\" is forbidden: User \"$SA\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"team-a\": requires one of [\"container.clusters.impersonate\"] permission(s)." "$out"
out=$($AS_SA $K get pods -n default --as=jane 2>&1)
eq "... impersonating a user: resource users at the cluster scope" \
	"Error from server (Forbidden): users \"jane\" is forbidden: User \"$SA\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope: requires one of [\"container.clusters.impersonate\"] permission(s)." "$out"
out=$($AS_SA $K auth can-i get secrets -n team-b --as=$LOWPRIV 2>&1)
has "can-i --as by a caller who may not impersonate is refused, not answered" \
	"cannot impersonate resource \"serviceaccounts\"" "$out"

# --- a Kubernetes service account as the caller: RBAC only, no IAM reason -------------------
KSA_TOKEN=$($K create token lowpriv -n team-a 2>/dev/null)
out=$(KTOKEN=$KSA_TOKEN kcurl GET /api/v1/namespaces/team-a/secrets -H "Impersonate-User: $ADMIN")
eq "a KSA may not impersonate the admin: 403, upstream's text and details" \
	"403 users \"$ADMIN\" is forbidden: User \"$LOWPRIV\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope {'name': '$ADMIN', 'kind': 'users'}" \
	"${out##* } $(jget "$out" 'j["message"]') $(jget "$out" 'j["details"]')"
out=$(KTOKEN=$KSA_TOKEN kcurl GET /api/v1/namespaces/team-a/secrets -H 'Impersonate-User: jane' -H 'Impersonate-Extra-Scopes: view')
eq "... nor a user" 403 "${out##* }"
ok "grant it impersonate on users/jane only (RBAC)" $K create clusterrole jane-impersonator \
	--verb=impersonate --resource=users --resource-name=jane
ok "... bound" $K create clusterrolebinding lowpriv-as-jane --clusterrole=jane-impersonator \
	--serviceaccount=team-a:lowpriv
out=$(KTOKEN=$KSA_TOKEN kjson POST /apis/authentication.k8s.io/v1/selfsubjectreviews "$ssr" -H 'Impersonate-User: jane')
eq "now it acts as jane" "201 jane" "${out##* } $(jget "$out" 'j["status"]["userInfo"]["username"]')"
out=$(KTOKEN=$KSA_TOKEN kcurl GET /api/v1/namespaces/team-a/secrets -H 'Impersonate-User: jane')
eq "... and gets jane's Forbidden (jane may not read team-a's secrets)" \
	'403 secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "team-a"' \
	"${out##* } $(jget "$out" 'j["message"]')"
out=$(KTOKEN=$KSA_TOKEN kcurl GET /api/v1/namespaces/team-a/secrets -H 'Impersonate-User: joe')
eq "resourceNames: not joe" \
	"403 users \"joe\" is forbidden: User \"$LOWPRIV\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope" \
	"${out##* } $(jget "$out" 'j["message"]')"
out=$(KTOKEN=$KSA_TOKEN kcurl GET /api/v1/namespaces/team-a/secrets -H 'Impersonate-User: jane' -H 'Impersonate-Group: system:masters')
eq "each group needs its own grant" \
	"403 groups \"system:masters\" is forbidden: User \"$LOWPRIV\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope" \
	"${out##* } $(jget "$out" 'j["message"]')"
out=$(KTOKEN=$KSA_TOKEN kcurl GET /api/v1/namespaces/team-a/secrets -H 'Impersonate-User: jane' -H 'Impersonate-Uid: 42')
eq "so does a uid (authentication.k8s.io)" \
	"403 uids.authentication.k8s.io \"42\" is forbidden: User \"$LOWPRIV\" cannot impersonate resource \"uids\" in API group \"authentication.k8s.io\" at the cluster scope" \
	"${out##* } $(jget "$out" 'j["message"]')"
out=$(KTOKEN=$KSA_TOKEN kcurl GET /api/v1/namespaces/team-a/secrets -H 'Impersonate-User: jane' -H 'Impersonate-Extra-Scopes: view')
eq "and an extra: userextras/<key>" \
	"403 userextras.authentication.k8s.io \"view\" is forbidden: User \"$LOWPRIV\" cannot impersonate resource \"userextras/scopes\" in API group \"authentication.k8s.io\" at the cluster scope" \
	"${out##* } $(jget "$out" 'j["message"]')"

# --- anonymous callers and malformed requests ------------------------------------------------
out=$(curl -sS --cacert "$T_TMP/ca.pem" -H 'Impersonate-User: admin' -w ' %{http_code}' "$server/api/v1/namespaces")
eq "anonymous may not impersonate" \
	'403 users "admin" is forbidden: User "system:anonymous" cannot impersonate resource "users" in API group "" at the cluster scope' \
	"${out##* } $(jget "$out" 'j["message"]')"
out=$(kcurl GET /api/v1/namespaces -H 'Impersonate-Group: system:masters')
eq "a group without a user: 400 BadRequest, upstream's text" \
	'400 BadRequest requested [{Group  system:masters    }] without impersonating a user' \
	"${out##* } $(jget "$out" 'j["reason"]') $(jget "$out" 'j["message"]')"
out=$(kcurl GET /api/v1/namespaces -H 'Impersonate-Uid: 42')
eq "a uid without a user: 400" \
	'400 requested [{UID  42  authentication.k8s.io/v1  }] without impersonating a user' \
	"${out##* } $(jget "$out" 'j["message"]')"
out=$($K get pods --as-group=devs 2>&1)
has "kubectl itself refuses --as-group without --as" "without impersonating a user" "$out"
out=$(kcurl GET /api/v1/namespaces -H 'Impersonate-User: ' -o /dev/null)
eq "an empty Impersonate-User impersonates nobody" 200 "${out##* }"
grep -q "kube\[demo-cluster\]: GET /api/v1/namespaces/team-a/secrets 200 system:serviceaccount:team-a:lowpriv by $ADMIN" "$T_TMP/gkeid.log" &&
	pass "the log line names both the impersonated user and the caller" ||
	fail "the log line names both the impersonated user and the caller" "$(grep 'team-a/secrets' "$T_TMP/gkeid.log" | tail -3)"

finish
