#!/usr/bin/env bash
# ab_sts.sh - the server's CPU per STS token exchange and per IAM Credentials
# generateAccessToken, for two gkeid builds alternately in one window (before, after,
# ...), each on a fresh `gkeid up` pinned to core 0 with the client on core 1. The
# client (curl, one keep-alive connection) exchanges one Kubernetes token
# (`kubectl create token`, audience the cluster's workload pool, so the demo cluster's
# issuer and JWKS verify it) N times, then asks generateAccessToken N times with the
# federated token for a GSA that trusts the KSA. Only the server's own CPU (user +
# system, /proc/PID/stat) during each loop counts.
#
#   bash bench/ab_sts.sh BEFORE_BIN AFTER_BIN [PAIRS [N]]
#     PERF=1: also `perf record --call-graph dwarf` of the server during each loop, to
#             $AB_DIR/<tag>.<sts|gat>.perf.data (its overhead is then in the figures)
set -u
before=$1 after=$2 pairs=${3:-3} n=${4:-1000}
AB_DIR=${AB_DIR:-$(mktemp -d /tmp/gkeid-absts.XXXXXX)}
mkdir -p "$AB_DIR"
tck=$(getconf CLK_TCK)
EXCHANGE=urn:ietf:params:oauth:grant-type:token-exchange
JWT_TYPE=urn:ietf:params:oauth:token-type:jwt
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system ticks of PID

run() { # BIN TAG
	local d=$AB_DIR/data-$2 pid i
	rm -rf "$d"
	taskset -c 0 "$1" up --data-dir "$d" --port 0 >"$AB_DIR/$2.log" 2>&1 &
	pid=$!
	i=0; while ! grep -q ready "$AB_DIR/$2.log" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	(
		. "$d/env"
		P=$GKEID_PROJECT GSA=bench-sts@$GKEID_PROJECT.iam.gserviceaccount.com
		gcloud iam service-accounts create bench-sts -q >/dev/null 2>&1
		gcloud iam service-accounts add-iam-policy-binding "$GSA" -q --role roles/iam.workloadIdentityUser \
			--member "serviceAccount:$P.svc.id.goog[default/default]" >/dev/null 2>&1
		KSA=$(kubectl create token default -n default --audience "$P.svc.id.goog" --duration 1h)
		ISS=$(python3 -c 'import base64,json,sys; p=sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p+"=="))["iss"])' "$KSA")
		printf '# %s %s load %s ' "$2" "$(date -u +%T)" "$(cut -d' ' -f1 /proc/loadavg)"
		FED=$(curl -sS "$GKEID_CLOUD_URL/sts/v1/token" --data-urlencode "grant_type=$EXCHANGE" \
			--data-urlencode "subject_token_type=$JWT_TYPE" --data-urlencode "subject_token=$KSA" \
			--data-urlencode "audience=identitynamespace:$P.svc.id.goog:$ISS" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
		# curl's config files: n requests each, on one keep-alive connection
		form=$(curl -sS -o /dev/null -w '%{url}' --get "http://x/" --data-urlencode "grant_type=$EXCHANGE" \
			--data-urlencode "subject_token_type=$JWT_TYPE" --data-urlencode "subject_token=$KSA" \
			--data-urlencode "audience=identitynamespace:$P.svc.id.goog:$ISS" 2>/dev/null)
		form=${form#http://x/?}
		for i in $(seq "$n"); do
			[ "$i" -gt 1 ] && echo next
			printf 'url = "%s/sts/v1/token"\ndata = "%s"\noutput = /dev/null\nwrite-out = "%%{http_code}\\n"\n' "$GKEID_CLOUD_URL" "$form"
		done >"$AB_DIR/sts.cfg"
		for i in $(seq "$n"); do
			[ "$i" -gt 1 ] && echo next
			printf 'url = "%s/iamcredentials/v1/projects/-/serviceAccounts/%s:generateAccessToken"\n' "$GKEID_CLOUD_URL" "$GSA"
			printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\n' "$FED"
			printf 'data = "{\\"scope\\":[\\"https://www.googleapis.com/auth/cloud-platform\\"]}"\noutput = /dev/null\nwrite-out = "%%{http_code}\\n"\n'
		done >"$AB_DIR/gat.cfg"
		for api in sts gat; do
			ppid=''
			if [ -n "${PERF:-}" ]; then
				perf record -g --call-graph dwarf,16384 -F 2000 -p "$pid" \
					-o "$AB_DIR/$2.$api.perf.data" >/dev/null 2>&1 &
				ppid=$!
				sleep 1 # perf attached
			fi
			c0=$(cpu "$pid")
			codes=$(taskset -c 1 curl -sS -K "$AB_DIR/$api.cfg" | sort | uniq -c | tr -s ' \n' ' ')
			c1=$(cpu "$pid")
			[ -n "$ppid" ] && { kill -INT "$ppid"; wait "$ppid"; }
			printf '%s_server_cpu_us_per_call %d (%s) ' "$api" $(((c1 - c0) * 1000000 / tck / n)) "$codes"
		done
		echo
	)
	kill -TERM "$pid"; wait "$pid"
}

echo "# $(nproc) cores, $(uname -r), $n calls each, $pairs pairs, in $AB_DIR"
for i in $(seq "$pairs"); do
	run "$before" "before-$i"
	run "$after" "after-$i"
done
