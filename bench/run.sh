#!/bin/sh
# run.sh - `make bench`: runs every benchmark in one go on this machine and prints
# "name value" lines, each with the reference it is compared with, measured in the
# same run. The figures and their ratios are recorded by hand in BENCHMARKS.md.
#   bench_iam     IAM permission checks per second, one core (goal: 1,000,000/s), and
#                 the role catalogue's load time and memory, each with the full and
#                 the small catalogue (data/README)
#   start-up      `gkeid up` (restart on a ready data dir) until "ready", and its RSS
#                 then, for build/gkeid against build/gkeid-small (the small catalogue),
#                 alternating, the median of 7 each
#   bench_store   store puts and gets per second on SQLite, against raw SQLite
#   metadata      the node's cached-token path with wrk, against nginx serving the
#                 same bytes (bench/metadata.sh: wrk -t2 -c32, median of three pairs;
#                 1,000 connections with 10,000 idle)
#   token mint    POST /oauth2/token with wrk (refresh grant: a user, with a signed ID
#                 token; JWT-bearer grant: a service-account key), against nginx serving
#                 a token response of the same size as a static file
#   cold start    `gkeid up` on a fresh data dir until DIR/env is written (polled every
#                 5 ms), the median of 5 on core 0 and of 5 on both cores (since main's
#                 4bbf863 up writes gcloud's credential and kubeconfig itself: no gcloud
#                 runs at all in it)
#   bench_node_*  the node against the running `gkeid up` (client on core 1): a pod's
#                 first token (then each of its steps timed alone from outside:
#                 first_token_steps.py), pod churn (10,000 pods), and the node's RSS in a
#                 large cluster (last: it fills the cluster with 100,000 service accounts
#                 and 10,000 pods, then grows the KSAs to 1,000,000)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(date -u +%FT%TZ)"
node_benches=""
for b in "$@"; do
	case "$b" in
	*/bench_node_*) node_benches="$node_benches $b"; continue ;;
	esac
	echo "# $b"
	taskset -c 0 "$b" || echo "# $b failed"
done

tmp=$(mktemp -d /tmp/gkeid-bench.XXXXXX)
chmod 755 "$tmp" # nginx's worker runs as nobody when started as root: it reads $tmp/www
# Start-up and RSS with each catalogue. The first start of a data dir makes its keys and
# demo state; the restarts that follow are measured at the "ready" line (polled every
# 5 ms): the server's CPU time until then (user + system, its own work: the gcloud and
# node children that "ready" also waits for are not in it, nor is the machine's load),
# the wall time, and the VmRSS of the server and of its node child.
tck=$(getconf CLK_TCK)
start_once() { # BIN DIR -> "cpu_ms wall_ms kib"
	t0=$(date +%s%N)
	taskset -c 0 "$1" up --data-dir "$2" --port 0 >"$2.log" 2>&1 &
	spid=$!
	i=0; while ! grep -q ready "$2.log" 2>/dev/null && [ $i -lt 6000 ]; do sleep 0.005; i=$((i+1)); done
	t1=$(date +%s%N)
	cpu=$(awk -v t="$tck" '{print int(($14 + $15) * 1000 / t)}' /proc/$spid/stat)
	kib=0
	for p in $spid $(pgrep -P $spid); do
		k=$(awk '/^VmRSS:/{print $2}' /proc/$p/status 2>/dev/null)
		kib=$((kib + ${k:-0}))
	done
	kill -TERM $spid; wait $spid
	echo "$cpu $(( (t1 - t0) / 1000000 )) $kib"
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for b in gkeid gkeid-small; do start_once "./build/$b" "$tmp/up-$b" >/dev/null; done
for i in 1 2 3 4 5 6 7; do
	for b in gkeid gkeid-small; do start_once "./build/$b" "$tmp/up-$b" >>"$tmp/up-$b.runs"; done
done
for f in 1 2 3; do
	eval "full$f=\$(cut -d' ' -f$f \"\$tmp/up-gkeid.runs\" | median)"
	eval "small$f=\$(cut -d' ' -f$f \"\$tmp/up-gkeid-small.runs\" | median)"
done
echo "up.cpu_ms_to_ready $full1"
echo "reference.small_catalog.up.cpu_ms_to_ready $small1"
echo "delta.up.cpu_ms_to_ready $((full1 - small1))"
echo "up.wall_ms_to_ready $full2"
echo "reference.small_catalog.up.wall_ms_to_ready $small2"
echo "up.rss_kib $full3"
echo "reference.small_catalog.up.rss_kib $small3"
echo "delta.up.rss_kib $((full3 - small3))"
rm -rf "$tmp"/up-*
# Cold start: a fresh data dir each time (keys, CA, demo state made), to DIR/env, pinned
# to core 0 as the other figures are, and on both cores as a user's start runs (a new
# data dir's RSA keys are made on threads beside the rest of the start).
cold_once() { # [taskset -c 0] -> "wall_ms cpu_ms"
	rm -rf "$tmp/cold"
	t0=$(date +%s%N)
	"$@" ./build/gkeid up --data-dir "$tmp/cold" --port 0 >"$tmp/cold.log" 2>&1 &
	spid=$!
	i=0; while [ ! -s "$tmp/cold/env" ] && [ $i -lt 6000 ]; do sleep 0.005; i=$((i+1)); done
	t1=$(date +%s%N)
	cpu=0 # user + system of up (all its threads) and its children (the node) until then
	for p in $spid $(pgrep -P $spid); do
		c=$(awk -v t="$tck" '{print int(($14 + $15) * 1000 / t)}' /proc/$p/stat 2>/dev/null)
		cpu=$((cpu + ${c:-0}))
	done
	kill -TERM $spid; wait $spid
	echo "$(( (t1 - t0) / 1000000 )) $cpu"
}
for i in 1 2 3 4 5; do cold_once taskset -c 0; done >"$tmp/cold.runs"
for i in 1 2 3 4 5; do cold_once env; done >"$tmp/cold2.runs"
echo "up.cold_start_ms_to_env $(cut -d' ' -f1 "$tmp/cold.runs" | median) (runs: $(cut -d' ' -f1 "$tmp/cold.runs" | tr '\n' ' '))"
echo "up.cold_start_cpu_ms_to_env $(cut -d' ' -f2 "$tmp/cold.runs" | median) (runs: $(cut -d' ' -f2 "$tmp/cold.runs" | tr '\n' ' '))"
echo "up.cold_start_ms_to_env.2_cores $(cut -d' ' -f1 "$tmp/cold2.runs" | median) (runs: $(cut -d' ' -f1 "$tmp/cold2.runs" | tr '\n' ' '))"
echo "up.cold_start_cpu_ms_to_env.2_cores $(cut -d' ' -f2 "$tmp/cold2.runs" | median) (runs: $(cut -d' ' -f2 "$tmp/cold2.runs" | tr '\n' ' '))"
rm -rf "$tmp/cold"

# Token minting over HTTP.
./build/gkeid up --data-dir "$tmp/data" --port 0 >"$tmp/gkeid.log" 2>&1 &
pid=$!
i=0; while [ ! -s "$tmp/data/env" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
. "$tmp/data/env"
refresh=$(sqlite3 "$CLOUDSDK_CONFIG/credentials.db" "select value from credentials" | grep -o '"refresh_token": "[^"]*"' | cut -d'"' -f4)
body="grant_type=refresh_token&client_id=32555940559.apps.googleusercontent.com&client_secret=ZmssLNjJy2998hD4CTg2ejr2&refresh_token=$refresh"
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
curl -s -d "$body" "$GKEID_CLOUD_URL/oauth2/token" >"$tmp/token.json"
# gkeid's own server log would dominate; silence it for the measurement.
kill -TERM $pid; wait $pid
# (its "ready" line goes to stdout, silenced: the restart is waited for by DIR/env, which
# every start writes anew)
rm -f "$tmp/data/env"
taskset -c 0 ./build/gkeid up --data-dir "$tmp/data" --port 0 >/dev/null 2>"$tmp/gkeid.log" &
pid=$!
i=0; while [ ! -s "$tmp/data/env" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
. "$tmp/data/env"
mkdir -p "$tmp/www"; cp "$tmp/token.json" "$tmp/www/token"
cat >"$tmp/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18799;
    location / { root $tmp/www; default_type application/json; }
  }
}
NGX
taskset -c 0 nginx -c "$tmp/nginx.conf" &
npid=$!
sleep 0.5
g=$(taskset -c 1 wrk -t1 -c8 -d5s -s "$tmp/post.lua" "$GKEID_CLOUD_URL/oauth2/token" | awk '/Requests\/sec/{print $2}')
n=$(taskset -c 1 wrk -t1 -c8 -d5s "http://127.0.0.1:18799/token" | awk '/Requests\/sec/{print $2}')
# The JWT-bearer grant (a service-account key, as client libraries use it).
gcloud iam service-accounts create bench-gsa --quiet >/dev/null 2>&1
gcloud iam service-accounts keys create "$tmp/key.json" --iam-account=bench-gsa@$GKEID_PROJECT.iam.gserviceaccount.com --quiet >/dev/null 2>&1
assertion=$(PYTHONPATH=/usr/lib/google-cloud-sdk/lib/third_party /usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3 - "$tmp/key.json" <<'PY'
import json, sys, time
from google.auth import crypt, jwt
k = json.load(open(sys.argv[1]))
now = int(time.time())
claims = {"iss": k["client_email"], "scope": "https://www.googleapis.com/auth/cloud-platform",
          "aud": k["token_uri"], "iat": now, "exp": now + 3000}
print(jwt.encode(crypt.RSASigner.from_service_account_info(k), claims).decode())
PY
)
cat >"$tmp/bearer.lua" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=$assertion"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
b=$(taskset -c 1 wrk -t1 -c8 -d5s -s "$tmp/bearer.lua" "$GKEID_CLOUD_URL/oauth2/token" | awk '/Requests\/sec/{print $2}')
echo "oauth2.token_mint_jwt_bearer_per_sec $b"
echo "ratio.token_mint_jwt_bearer_vs_nginx $(awk "BEGIN{printf \"%.3f\", $b/$n}")"
echo "oauth2.token_mint_per_sec $g"
echo "reference.nginx_static_token_per_sec $n"
echo "ratio.token_mint_vs_nginx $(awk "BEGIN{printf \"%.3f\", $g/$n}")"
# The metadata server's cached-token path (the node that `gkeid up` runs), against
# nginx serving the same response bytes: bench/metadata.sh.
sh bench/metadata.sh
# The node benchmarks, as a user of the cluster (the admin's token), on core 1.
GKEID_BENCH_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
export GKEID_BENCH_TOKEN GKEID_DATA_DIR GKEID_CLOUD_URL GKEID_PROJECT
# (in name order, so bench_node_rss, which fills the cluster, comes last)
for b in $node_benches; do
	echo "# $b"
	case "$b" in */bench_node_rss)
		# a node that has held metadata.sh's 10,000 idle connections keeps that memory
		# (malloc's): the RSS figures are a fresh `gkeid up`'s node's
		kill -TERM $pid; wait $pid
		taskset -c 0 ./build/gkeid up --data-dir "$tmp/data-rss" --port 0 >/dev/null 2>"$tmp/gkeid-rss.log" &
		pid=$!
		# (DIR/env, not "ready": that line goes to stdout, which is not kept here)
		i=0; while [ ! -s "$tmp/data-rss/env" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
		. "$tmp/data-rss/env"
		GKEID_BENCH_TOKEN=$(gcloud auth print-access-token 2>/dev/null) ;;
	esac
	taskset -c 1 "$b" || echo "# $b failed"
	case "$b" in */bench_node_first_token)
		taskset -c 1 /usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3 -S \
			bench/first_token_steps.py || echo "# first_token_steps.py failed" ;;
	esac
done
kill -TERM $pid $npid 2>/dev/null; wait $pid $npid 2>/dev/null
rm -rf "$tmp"
