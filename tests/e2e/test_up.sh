#!/usr/bin/env bash
# test_up.sh - `gkeid up` as a user meets it: flags and --help, the env file, the gcloud
# config it prepares (the real gcloud, no flags), OAuth2 refresh and tokeninfo, bad
# tokens, restart keeping state, and kill -9 keeping every acknowledged write.
. "$(dirname "$0")/lib.sh"

# Flags and help.
out=$("$GKEID" up --help 2>&1); has "up --help documents --iam-propagation" "--iam-propagation DUR" "$out"
out=$("$GKEID" up --port 70000 2>&1); rc=$?
eq "bad --port exits 2" 2 "$rc"; has "bad --port says why" 'invalid --port "70000"' "$out"
out=$("$GKEID" up --iam-propagation soon 2>&1); rc=$?
eq "bad --iam-propagation exits 2" 2 "$rc"
out=$("$GKEID" frobnicate 2>&1); rc=$?
eq "unknown command exits 2" 2 "$rc"; has "unknown command named" 'unknown command "frobnicate"' "$out"

# A bad state file is refused with the field at fault, and nothing starts.
printf 'projects:\n  - projectId: Bad\n    projectNumber: 1\n' >"$T_TMP/bad.yaml"
out=$("$GKEID" up --data-dir "$T_TMP/bad" --port 0 --state "$T_TMP/bad.yaml" 2>&1); rc=$?
eq "bad state exits 1" 1 "$rc"; has "bad state names the field" 'invalid projectId "Bad"' "$out"
printf 'projects: [\n' >"$T_TMP/bad2.yaml"
out=$("$GKEID" up --data-dir "$T_TMP/bad2" --port 0 --state "$T_TMP/bad2.yaml" 2>&1)
has "YAML syntax error gives a line" "line " "$out"
printf 'projekts: []\n' >"$T_TMP/bad3.yaml"
out=$("$GKEID" up --data-dir "$T_TMP/bad3" --port 0 --state "$T_TMP/bad3.yaml" 2>&1)
has "unknown field refused" 'unknown field "projekts"' "$out"

gkeid_up
has "log says where the env file is" "environment in $DATA_DIR/env" "$(cat "$T_TMP/gkeid.log")"
eq "env sets GKEID_PROJECT" demo-project "$GKEID_PROJECT"
eq "env sets CLOUDSDK_CONFIG" "$DATA_DIR/gcloud" "$CLOUDSDK_CONFIG"
case "$GKEID_CLOUD_URL" in http://127.0.0.1:[0-9]*) pass "env sets GKEID_CLOUD_URL" ;; *) fail "env sets GKEID_CLOUD_URL" "$GKEID_CLOUD_URL" ;; esac
eq "data dir is private" 700 "$(stat -c %a "$DATA_DIR")"
eq "signing key is 0600" 600 "$(stat -c %a "$DATA_DIR/keys/google-signing.pem")"
eq "store is 0600" 600 "$(stat -c %a "$DATA_DIR/store.db")"
eq "env file is 0600" 600 "$(stat -c %a "$DATA_DIR/env")"

# The plain gcloud is the admin user, with no warnings.
out=$(gcloud auth list --format='value(account)' 2>&1)
eq "gcloud's active account is the admin" "admin@example.com" "$out"
tok=$(gcloud auth print-access-token 2>"$T_TMP/err")
case "$tok" in ya29.*) pass "gcloud refreshes the admin's token through gkeid" ;; *) fail "gcloud token" "$tok $(cat "$T_TMP/err")" ;; esac
eq "no warnings from gcloud" "" "$(grep -v '^$' "$T_TMP/err")"

# up stored the admin's credential as `gcloud auth activate-refresh-token` stores it
# (gcloudcreds.c), without running gcloud: the token gcloud printed is the one up cached.
G=$CLOUDSDK_CONFIG
for f in credentials.db access_tokens.db default_configs.db \
	legacy_credentials/admin@example.com/adc.json legacy_credentials/admin@example.com/.boto; do
	eq "gcloud's $f is 0600" 600 "$(stat -c %a "$G/$f" 2>&1)"
done
[ -e "$DATA_DIR/gcloud.log" ] && fail "up ran gcloud" "$(cat "$DATA_DIR/gcloud.log")" || pass "up wrote gcloud's files without running gcloud"
eq "gcloud prints the access token up stored in its cache" \
	"$(sqlite3 "$G/access_tokens.db" "select access_token from access_tokens where account_id='admin@example.com'")" "$tok"
has "the stored credential is gcloud's client's" '"client_id": "32555940559.apps.googleusercontent.com"' \
	"$(sqlite3 "$G/credentials.db" "select value from credentials where account_id='admin@example.com'")"
has "the legacy .boto names the refresh token" "gs_oauth2_refresh_token = 1//" "$(cat "$G/legacy_credentials/admin@example.com/.boto")"
# ... and gke-gcloud-auth-plugin's token cache beside the kubeconfig, as the plugin writes
# it on kubectl's first call, so that call does not start gcloud either: byte for byte
# what the real plugin writes once its cache is gone (it runs `gcloud config
# config-helper`, which gives it the token up cached).
PC=$DATA_DIR/gke_gcloud_auth_plugin_cache
eq "up wrote gke-gcloud-auth-plugin's cache, 0600" 600 "$(stat -c %a "$PC" 2>&1)"
has "... holding the admin's token gcloud has cached" "\"access_token\": \"$tok\"" "$(cat "$PC" 2>&1)"
cp "$PC" "$T_TMP/pc-up" 2>/dev/null
rm -f "$PC"
has "kubectl reaches the cluster once the plugin has asked gcloud" "kube-system" "$(kubectl get namespaces 2>&1)"
if cmp -s "$PC" "$T_TMP/pc-up"; then pass "... and the plugin's own cache is byte for byte up's"
else fail "the plugin's cache is up's" "$(diff "$T_TMP/pc-up" "$PC" 2>&1)"; fi
# With its cache emptied, gcloud refreshes the stored credential at gkeid's token endpoint.
n0=$(grep -c "POST /oauth2/token 200" "$T_TMP/gkeid.log")
sqlite3 "$G/access_tokens.db" "delete from access_tokens"
tok2=$(gcloud auth print-access-token 2>"$T_TMP/err")
case "$tok2" in ya29.*) [ "$tok2" != "$tok" ] && pass "gcloud refreshes the admin's token through gkeid" || fail "gcloud refresh: same token" ;;
*) fail "gcloud token" "$tok2 $(cat "$T_TMP/err")" ;; esac
[ "$(grep -c "POST /oauth2/token 200" "$T_TMP/gkeid.log")" -gt "$n0" ] && pass "the refresh went to gkeid's token endpoint" || fail "refresh logged"
has "the refreshed token is gcloud's client's" '"aud": "32555940559.apps.googleusercontent.com"' \
	"$(curl -sS "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=$tok2")"
tok=$tok2

# The demo cluster: DIR/env's KUBECONFIG was written by gcloud get-credentials, and the
# seed's gcloud container commands work verbatim (compute/region is the cluster's).
eq "env sets KUBECONFIG" "$DATA_DIR/kubeconfig" "${KUBECONFIG:-}"
has "the kubeconfig user runs gke-gcloud-auth-plugin" "command: gke-gcloud-auth-plugin" "$(cat "$KUBECONFIG")"
# up wrote it itself (gcloudkube.c): byte for byte what gcloud's get-credentials writes.
KUBECONFIG=$T_TMP/kc-gcloud gcloud container clusters get-credentials demo-cluster --location us-central1 >"$T_TMP/gc.out" 2>&1
if cmp -s "$KUBECONFIG" "$T_TMP/kc-gcloud"; then pass "the kubeconfig is byte for byte gcloud get-credentials'"
else fail "the kubeconfig is gcloud's" "$(diff "$KUBECONFIG" "$T_TMP/kc-gcloud" | head; cat "$T_TMP/gc.out")"; fi
eq "... mode 0600" 600 "$(stat -c %a "$KUBECONFIG")"
eq "seed: cluster workload pool, without --location" "demo-project.svc.id.goog" \
	"$(gcloud container clusters describe demo-cluster --format="value(workloadIdentityConfig.workloadPool)" 2>&1)"
eq "seed: node pool metadata mode" "GKE_METADATA" \
	"$(gcloud container node-pools describe default-pool --cluster=demo-cluster --format="value(config.workloadMetadataConfig.mode)" 2>&1)"
has "kubectl reaches the demo cluster as the admin" "kube-system" "$(kubectl get namespaces 2>&1)"

# up runs the node agent for local-node: `gkeid exec` works as soon as DIR/env exists.
[ -s "$DATA_DIR/nodes/local-node.json" ] && pass "the node agent serves before DIR/env is written" || fail "node state file"
eq "gkeid exec gets a pod identity from up's node" "demo-project.svc.id.goog" \
	"$("$GKEID" exec -- sh -c 'curl -sS -H "Metadata-Flavor: Google" "http://$GCE_METADATA_HOST/computeMetadata/v1/instance/service-accounts/default/email"' 2>&1)"

# tokeninfo, as oauth2.googleapis.com answers it.
info=$(curl -sS "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=$tok")
has "tokeninfo names the user" '"email": "admin@example.com"' "$info"
has "tokeninfo has gcloud's client id" '"aud": "32555940559.apps.googleusercontent.com"' "$info"
code=$(curl -s -o "$T_TMP/ti" -w '%{http_code}' "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=ya29.forged")
eq "tokeninfo of a forged token is 400" 400 "$code"
has "tokeninfo says Invalid Value" "Invalid Value" "$(cat "$T_TMP/ti")"

# The token endpoint refuses what it should, in OAuth2's shape.
out=$(curl -sS -w ' %{http_code}' -d 'grant_type=refresh_token&refresh_token=1//nope&client_id=x' "$GKEID_CLOUD_URL/oauth2/token")
has "unknown refresh token: invalid_grant" '"error": "invalid_grant"' "$out"; has "... with 400" " 400" "$out"
out=$(curl -sS -w ' %{http_code}' -d 'grant_type=password' "$GKEID_CLOUD_URL/oauth2/token")
has "unsupported grant type" '"error": "unsupported_grant_type"' "$out"
out=$(curl -sS -w ' %{http_code}' -d 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=a.b.c' "$GKEID_CLOUD_URL/oauth2/token")
has "garbage assertion: invalid_grant" '"error": "invalid_grant"' "$out"

# The JWKS that verifies gkeid's ID tokens.
jwks=$(curl -sS "$GKEID_CLOUD_URL/oauth2/v3/certs")
has "JWKS has an RS256 key" '"alg": "RS256"' "$jwks"

# Unknown paths and methods.
eq "unknown path is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$GKEID_CLOUD_URL/nope")"
eq "wrong method is 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$GKEID_CLOUD_URL/oauth2/token")"
eq "a path with invalid UTF-8 is still a clean 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$GKEID_CLOUD_URL/nowhere/%FF")"
big=$(head -c 1100000 /dev/zero | tr '\0' a)
eq "oversize body is 413" 413 "$(printf %s "$big" | curl -s -o /dev/null -w '%{http_code}' --data-binary @- "$GKEID_CLOUD_URL/oauth2/token")"

# The node's Google identity: the Compute Engine default service account, its key 0600.
NKEY=$DATA_DIR/nodes/local-node-sa-key.json
keyf() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$NKEY" "$1" 2>&1; }
eq "the node's key is the Compute Engine default service account's" \
	"123456789012-compute@developer.gserviceaccount.com" "$(keyf client_email)"
eq "... mode 0600" 600 "$(stat -c %a "$NKEY")"
KID0=$(keyf private_key_id)
eq "... a key the IAM API lists" "$KID0" "$(gcloud iam service-accounts keys list \
	--iam-account=123456789012-compute@developer.gserviceaccount.com --managed-by=user --format='value(name.basename())' 2>&1)"
# kill -9 in the middle of a stream of writes keeps every acknowledged write: each
# minted token is a write; every token that was returned must still work afterwards.
# (gcloud's OAuth client, with its published secret, as a refresh grant needs it)
refresh=$(sqlite3 "$CLOUDSDK_CONFIG/credentials.db" "select value from credentials" | grep -o '"refresh_token": "[^"]*"' | cut -d'"' -f4)
: >"$T_TMP/acked"
(
	while :; do
		t=$(curl -s -d "grant_type=refresh_token&client_id=32555940559.apps.googleusercontent.com&client_secret=ZmssLNjJy2998hD4CTg2ejr2&refresh_token=$refresh" "$GKEID_CLOUD_URL/oauth2/token" | sed -n 's/.*"access_token": "\([^"]*\)".*/\1/p')
		[ -n "$t" ] && echo "$t" >>"$T_TMP/acked" || break
	done
) &
writer=$!
# in the middle of the stream: once it has had a few dozen writes acknowledged (or ended)
wait_for 30 sh -c '[ "$(wc -l <"$1")" -ge 30 ] || ! kill -0 "$2"' _ "$T_TMP/acked" "$writer"
kill -9 "$GKEID_PID"; wait "$GKEID_PID" 2>/dev/null; GKEID_PID=
wait "$writer" 2>/dev/null
# The node agent that up ran does not outlive it, even after SIGKILL.
node_gone() { ! pgrep -f "gkeid node .*$DATA_DIR/" >/dev/null; }
wait_for 10 node_gone
pgrep -f "gkeid node .*$DATA_DIR/" >/dev/null && fail "the node agent outlived a SIGKILLed up" || pass "the node agent stops with its up, even after kill -9"
n=$(wc -l <"$T_TMP/acked")
[ "$n" -gt 5 ] && pass "a stream of writes was acknowledged before kill -9 ($n)" || fail "writes acknowledged" "$n"
port=${GKEID_CLOUD_URL##*:}
# A kubeconfig that holds another cluster's entry too: up leaves the merge to gcloud's
# get-credentials, which keeps the other entry (nothing lost).
kubectl config set-cluster other-cluster --server=https://10.9.9.9 >/dev/null 2>&1
"$GKEID" up --data-dir "$DATA_DIR" --port 0 >"$T_TMP/gkeid.log" 2>&1 &
GKEID_PID=$!
wait_for 60 grep -q "ready" "$T_TMP/gkeid.log"
. "$DATA_DIR/env"
lost=0
while read -r t; do
	c=$(curl -s -o /dev/null -w '%{http_code}' "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=$t")
	[ "$c" = 200 ] || lost=$((lost + 1))
done <"$T_TMP/acked"
eq "no acknowledged write was lost across kill -9" 0 "$lost"
eq "a restart keeps the account (no re-activation)" "admin@example.com" "$(gcloud config get account 2>/dev/null)"
grep -q "activate" "$T_TMP/gkeid.log" && fail "restart re-activated gcloud" || pass "restart does not re-run gcloud activation"
cached=$(sqlite3 "$CLOUDSDK_CONFIG/access_tokens.db" "select access_token from access_tokens where account_id='admin@example.com'")
[ -n "$cached" ] && [ "$cached" != "$tok" ] && pass "a restart puts a fresh admin token in gcloud's cache" || fail "fresh cached token" "$cached"
has "... one gkeid honours" '"email": "admin@example.com"' "$(curl -sS "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=$cached")"
case "$(gcloud auth print-access-token 2>&1)" in ya29.*) pass "gcloud works after restart on a new port" ;; *) fail "gcloud after restart" ;; esac
has "kubectl works after restart (kubeconfig rewritten)" "kube-system" "$(kubectl get namespaces 2>&1)"
has "a restart keeps another cluster's kubeconfig entry" "other-cluster" "$(kubectl config get-clusters 2>&1)"
eq "... and makes the demo cluster current" "gke_demo-project_us-central1_demo-cluster" "$(kubectl config current-context 2>&1)"
has "... merged by gcloud get-credentials" "kubeconfig entry generated for demo-cluster." "$(cat "$DATA_DIR/gcloud.log" 2>&1)"
eq "the node's key is reused across the restart (no new key)" "$KID0" "$(keyf private_key_id)"
eq "... pointed at the new port" "$GKEID_CLOUD_URL/oauth2/token" "$(keyf token_uri)"
eq "... still 0600" 600 "$(stat -c %a "$NKEY")"

finish
