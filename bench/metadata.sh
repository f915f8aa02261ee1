#!/bin/sh
# metadata.sh - the node's cached-token path against nginx serving the same response
# bytes, as issue 13 states the comparison: wrk -t2 -c32 (5 s), nginx with as many
# workers as the node has threads (one), both servers on core 0 and wrk on core 1,
# three pairs run back to back, the median of each figure and of the pairs' ratios;
# then 1,000 connections while 10,000 idle ones are held open (conn_tool.py hold),
# against each server in turn, with wrk's socket errors. Prints "name value" lines.
# Run by bench/run.sh (with `gkeid up` running and its env sourced: GCE_METADATA_HOST
# comes from a pod), or alone: `sh bench/metadata.sh` starts its own build/gkeid up.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
tmp=$(mktemp -d /tmp/gkeid-bench-md.XXXXXX)
own=""
if [ -z "${GKEID_DATA_DIR:-}" ]; then
	taskset -c 0 ./build/gkeid up --data-dir "$tmp/data" --port 0 >/dev/null 2>"$tmp/gkeid.log" &
	own=$!
	i=0; while ! grep -q ready "$tmp/gkeid.log" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
	. "$tmp/data/env"
fi
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
./build/gkeid exec --name bench-md -- sh -c "curl -sS -H 'Metadata-Flavor: Google' http://\$GCE_METADATA_HOST$MD_PATH >$tmp/www/mdtoken; echo \$GCE_METADATA_HOST >$tmp/host; exec sleep 3600" >/dev/null 2>&1 &
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
for i in 1 2 3; do
	taskset -c 1 wrk -t2 -c32 -d5s --latency -H 'Metadata-Flavor: Google' "$NODE_URL" >"$tmp/md$i.wrk" 2>&1
	taskset -c 1 wrk -t2 -c32 -d5s --latency "$NGX_URL" >"$tmp/ng$i.wrk" 2>&1
	echo "$(rps "$tmp/md$i.wrk") $(rps "$tmp/ng$i.wrk")" >>"$tmp/pairs"
	ms 50% "$tmp/md$i.wrk" >>"$tmp/md.p50"; ms 99% "$tmp/md$i.wrk" >>"$tmp/md.p99"
	ms 50% "$tmp/ng$i.wrk" >>"$tmp/ng.p50"; ms 99% "$tmp/ng$i.wrk" >>"$tmp/ng.p99"
done
echo "# pairs (node nginx req/s): $(tr '\n' ',' <"$tmp/pairs")"
echo "node.cached_token_per_sec $(cut -d' ' -f1 "$tmp/pairs" | median)"
echo "reference.nginx_static_mdtoken_per_sec $(cut -d' ' -f2 "$tmp/pairs" | median)"
echo "ratio.node_cached_token_vs_nginx $(awk '{printf "%.3f\n", $1/$2}' "$tmp/pairs" | median)"
echo "node.cached_token_p50_ms $(median <"$tmp/md.p50")"
echo "node.cached_token_p99_ms $(median <"$tmp/md.p99")"
echo "reference.nginx_static_mdtoken_p50_ms $(median <"$tmp/ng.p50")"
echo "reference.nginx_static_mdtoken_p99_ms $(median <"$tmp/ng.p99")"

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
