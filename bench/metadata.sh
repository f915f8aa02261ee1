#!/bin/sh
# metadata.sh - the node's cached-token path against nginx serving the same response
# bytes, as issue 13 states the comparison: wrk -t2 -c32 (5 s), nginx with as many
# workers as the node has threads (one), both servers on core 0 and wrk on core 1,
# PAIRS pairs (default 5) run back to back, node then nginx, the median of each figure
# and of the pairs' ratios; with each run, the server's CPU time per request (user +
# system of the node process or the nginx worker, from /proc), which the load of other
# processes disturbs less than the rates do; then 1,000 connections while 10,000 idle
# ones are held open (conn_tool.py hold), against each server in turn, with wrk's socket
# errors. The node's fast-path answers (its /metrics) are printed too. Prints
# "name value" lines. Run by bench/run.sh (with `gkeid up` running and its env sourced:
# GCE_METADATA_HOST comes from a pod), or alone: `sh bench/metadata.sh` starts its own
# build/gkeid up (GKEID=path picks another binary).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
tmp=$(mktemp -d /tmp/gkeid-bench-md.XXXXXX)
own=""
if [ -z "${GKEID_DATA_DIR:-}" ]; then
	taskset -c 0 "${GKEID:-./build/gkeid}" up --data-dir "$tmp/data" --port 0 >/dev/null 2>"$tmp/gkeid.log" &
	own=$!
	i=0; while ! grep -q ready "$tmp/gkeid.log" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
	. "$tmp/data/env"
fi
PAIRS=${PAIRS:-5}
# the node agent's pid, from its state file
NODE_PID=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$GKEID_DATA_DIR"/nodes/*.json 2>/dev/null | head -n 1)
PY=/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3
MD_PATH=/computeMetadata/v1/instance/service-accounts/default/token
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# wrk's latency percentiles in ms (it prints us, ms or s)
ms() { awk -v p="$1" '$1==p { v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	print (u=="us" ? v/1000 : u=="s" ? v*1000 : v) }' "$2"; }
rps() { awk '/Requests\/sec/{print $2}' "$1"; }
errs() { awk '/Socket errors/{e=$0} /Non-2xx/{n=$0} END {print (e ? e : "none") (n ? "; " n : "")}' "$1"; }

mkdir -p "$tmp/www"
# nginx's worker runs as nobody when started as root: it must be able to read the file
chmod 755 "$tmp" "$tmp/www"
cat >"$tmp/nginx.conf" <<NGX
worker_processes 1;
worker_rlimit_nofile 19000;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 18000; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18798 backlog=4096;
    location / { root $tmp/www; default_type application/json; }
  }
}
NGX
# The pod: fetches its token once (nginx's bytes), then waits for SIGTERM; its
# address and port are where wrk and the idle connections go.
"${GKEID:-./build/gkeid}" exec --name bench-md -- sh -c "curl -sS -H 'Metadata-Flavor: Google' http://\$GCE_METADATA_HOST$MD_PATH >$tmp/www/mdtoken; echo \$GCE_METADATA_HOST >$tmp/host; exec sleep 3600" >/dev/null 2>&1 &
pod=$!
i=0; while [ ! -s "$tmp/host" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
host=$(cat "$tmp/host")
chmod 644 "$tmp/www/mdtoken"
[ -s "$tmp/www/mdtoken" ] || echo "# the pod got no token"
taskset -c 0 nginx -c "$tmp/nginx.conf" &
npid=$!
sleep 0.5
NODE_URL="http://$host$MD_PATH"
NGX_URL="http://127.0.0.1:18798/mdtoken"
# cpu PID: the process's user + system time in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
TCK=$(getconf CLK_TCK)
# run NAME PID URL [HEADER]: wrk, and the CPU microseconds per request of PID
run() {
	c0=$(cpu "$2")
	taskset -c 1 wrk -t2 -c32 -d5s --latency ${4:+-H "$4"} "$3" >"$tmp/$1.wrk" 2>&1
	c1=$(cpu "$2")
	reqs=$(awk '/requests in/{print $1}' "$tmp/$1.wrk")
	awk -v c="$((c1 - c0))" -v r="${reqs:-0}" -v t="$TCK" 'BEGIN{ if (r > 0) printf "%.1f\n", c * 1e6 / t / r; else print 0 }'
}
NGX_WORKER=$(pgrep -P "$npid" | head -n 1)
i=1
while [ $i -le "$PAIRS" ]; do
	run md$i "$NODE_PID" "$NODE_URL" 'Metadata-Flavor: Google' >>"$tmp/md.cpu"
	run ng$i "$NGX_WORKER" "$NGX_URL" >>"$tmp/ng.cpu"
	echo "$(rps "$tmp/md$i.wrk") $(rps "$tmp/ng$i.wrk")" >>"$tmp/pairs"
	ms 50% "$tmp/md$i.wrk" >>"$tmp/md.p50"; ms 99% "$tmp/md$i.wrk" >>"$tmp/md.p99"
	ms 50% "$tmp/ng$i.wrk" >>"$tmp/ng.p50"; ms 99% "$tmp/ng$i.wrk" >>"$tmp/ng.p99"
	i=$((i + 1))
done
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# node p99s (ms): $(tr '\n' ' ' <"$tmp/md.p99"); nginx: $(tr '\n' ' ' <"$tmp/ng.p99")"
echo "# cpu us/request, node: $(tr '\n' ' ' <"$tmp/md.cpu"); nginx: $(tr '\n' ' ' <"$tmp/ng.cpu")"
echo "# pairs (node nginx req/s): $(tr '\n' ',' <"$tmp/pairs")"
echo "node.cached_token_per_sec $(cut -d' ' -f1 "$tmp/pairs" | median)"
echo "reference.nginx_static_mdtoken_per_sec $(cut -d' ' -f2 "$tmp/pairs" | median)"
echo "ratio.node_cached_token_vs_nginx $(awk '{printf "%.3f\n", $1/$2}' "$tmp/pairs" | median)"
echo "node.cached_token_p50_ms $(median <"$tmp/md.p50")"
echo "node.cached_token_p99_ms $(median <"$tmp/md.p99")"
echo "reference.nginx_static_mdtoken_p50_ms $(median <"$tmp/ng.p50")"
echo "reference.nginx_static_mdtoken_p99_ms $(median <"$tmp/ng.p99")"
echo "node.cached_token_cpu_us_per_req $(median <"$tmp/md.cpu")"
echo "reference.nginx_static_mdtoken_cpu_us_per_req $(median <"$tmp/ng.cpu")"
echo "node.fast_answers $(curl -s "http://127.0.0.1:${host##*:}/metrics" | awk '/^gkeid_node_fast_answers_total/{print $2}')"

# 1,000 connections at work while 10,000 idle ones are held open, against each server.
busy() { # NAME URL HOSTPORT [HEADER]
	"$PY" -S tests/e2e/conn_tool.py hold "$tmp/$1.hold" "$3:10000" 2>"$tmp/$1.hold.err" &
	h=$!
	i=0; while ! grep -q '^open' "$tmp/$1.hold" 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
	taskset -c 1 wrk -t2 -c1000 -d5s --latency ${4:+-H "$4"} "$2" >"$tmp/$1.wrk" 2>&1
	kill -TERM $h; wait $h
	echo "$1.idle_held $(head -n 1 "$tmp/$1.hold") $(sed -n 's/^closed-by-server/closed-by-server/p' "$tmp/$1.hold")"
	echo "$1.c1000_per_sec $(rps "$tmp/$1.wrk")"
	echo "$1.c1000_p99_ms $(ms 99% "$tmp/$1.wrk")"
	echo "$1.c1000_errors $(errs "$tmp/$1.wrk")"
}
busy node "$NODE_URL" "$host" 'Metadata-Flavor: Google'
busy nginx "$NGX_URL" 127.0.0.1:18798
n=$(rps "$tmp/node.wrk"); g=$(rps "$tmp/nginx.wrk")
echo "ratio.node_c1000_idle10000_vs_nginx $(awk "BEGIN{printf \"%.3f\", $n/$g}")"
kill -TERM $pod $npid 2>/dev/null; wait $pod $npid 2>/dev/null
[ -n "$own" ] && { kill -TERM $own; wait $own; }
[ -n "${KEEP_BENCH_TMP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
