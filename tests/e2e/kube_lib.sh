# kube_lib.sh - helpers of the Kubernetes API server's e2e tests, sourced after lib.sh
# and gkeid_up:
#   kube_setup                 K (kubectl 1.32), HOME and KUBECONFIG (up's get-credentials
#                              for demo-cluster) in $T_TMP, server (the API server's URL),
#                              $T_TMP/ca.pem, ADMIN (the admin's email), ADMIN_TOKEN
#   kcurl METHOD PATH [ARGS]   curl to the API server with $KTOKEN (default: the admin's
#                              token) and extra curl ARGS; prints the body, then " CODE"
#   kjson METHOD PATH JSON [ARGS]  kcurl with a JSON body
#   (jget OUTPUT EXPR, in lib.sh, reads kcurl's output too)
#   claim TOKEN EXPR           a Python expression over c, a JWT's claims
#   google_sa_kubectl NAME     a Google service account NAME with a key, active in a gcloud
#                              config, kubeconfig and HOME of its own: sets SA (its email)
#                              and AS_SA (a command prefix that runs as it)

kube_setup() {
	K=/usr/lib/google-cloud-sdk/bin/kubectl.1.32
	[ -x "$K" ] || K=kubectl
	export HOME=$T_TMP/home # kubectl's caches and the auth plugin's token cache stay here
	mkdir -p "$HOME"
	# up's get-credentials for demo-cluster wrote $KUBECONFIG: the same file, copied
	# (running it again costs a gcloud start)
	cp "$KUBECONFIG" "$T_TMP/kubeconfig"
	# and the plugin's token cache beside it (the same context: what the plugin would
	# write there on the first call, after a gcloud config-helper start)
	cp "$(dirname "$KUBECONFIG")/gke_gcloud_auth_plugin_cache" "$T_TMP/" 2>/dev/null
	export KUBECONFIG=$T_TMP/kubeconfig
	server=$($K config view --minify -o jsonpath='{.clusters[0].cluster.server}')
	$K config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' |
		base64 -d >"$T_TMP/ca.pem"
	ADMIN=$(gcloud_account)
	ADMIN_TOKEN=$(gcloud_token)
}

kcurl() {
	m=$1 p=$2
	shift 2
	curl -sS --cacert "$T_TMP/ca.pem" -X "$m" -H "Authorization: Bearer ${KTOKEN:-$ADMIN_TOKEN}" \
		"$@" -w ' %{http_code}' "$server$p"
}

kjson() {
	m=$1 p=$2 b=$3
	shift 3
	kcurl "$m" "$p" -H 'Content-Type: application/json' --data-binary "$b" "$@"
}

claim() {
	printf '%s' "$1" | python3 -c 'import base64,json,sys
p=sys.stdin.read().split(".")[1]; c=json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4)))
print(eval(sys.argv[1]))' "$2" 2>&1
}

google_sa_kubectl() {
	SA=$1@$GKEID_PROJECT.iam.gserviceaccount.com # (gcloud's core/project, as up wrote it)
	ok "create the Google service account $1" sa_create "$1"
	ok "... its key" sa_key "$T_TMP/$1.json" "$SA"
	cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-$1"
	mkdir -p "$T_TMP/home-$1" "$T_TMP/kube-$1"
	# gke-gcloud-auth-plugin caches the last token next to the kubeconfig
	cp "$KUBECONFIG" "$T_TMP/kube-$1/config"
	AS_SA="env CLOUDSDK_CONFIG=$T_TMP/gcloud-$1 HOME=$T_TMP/home-$1 KUBECONFIG=$T_TMP/kube-$1/config"
	ok "... active in gcloud" $AS_SA gcloud auth activate-service-account --key-file="$T_TMP/$1.json"
}
