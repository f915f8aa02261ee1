#!/usr/bin/env bash
# ab_node.sh - one node benchmark against two gkeid builds, alternating in one window
# (before, after, before, after, ...), each run on a fresh `gkeid up` (the server and its
# node on core 0, the benchmark on core 1, as bench/run.sh runs them). On a shared,
# noisy machine only such same-window pairs compare; BENCHMARKS.md's issue-13 tables
# come from it.
#
#   bash bench/ab_node.sh BEFORE_BIN AFTER_BIN [PAIRS [BENCH]]
#     BENCH: bench_node_first_token (default) or bench_node_churn (build/rel/bench/...)
#     PERF=1: also `perf record -g --call-graph dwarf` of the server (gkeid up) during
#             the benchmark's own phase, to $AB_DIR/<tag>.perf.data
#     PERF_ALL=1: with PERF=1, record all of core 0 instead (the server, its node and
#             the kernel's work for both)
#     BENCH_ARGS: the benchmark's arguments (bench_node_first_token: how many pods)
#
# Prints, per run, the benchmark's lines on one line and the CPU time (user + system)
# of the server (`gkeid up`: the Kubernetes API, STS, IAM) and of its node child
# during the benchmark's timed phase only, which the benchmark marks on stderr
# ("# asking" ... "# asked"); creating the pods and KSAs before it is not counted.
set -u
before=$1 after=$2 pairs=${3:-3} bench=${4:-bench_node_first_token}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
AB_DIR=${AB_DIR:-$(mktemp -d /tmp/gkeid-ab.XXXXXX)}
tck=$(getconf CLK_TCK)

# cpu PID: "server_ticks node_ticks" (the node is up's child)
cpu() {
	local node
	node=$(pgrep -P "$1" | head -1)
	echo "$(awk '{print $14 + $15}' "/proc/$1/stat") $(awk '{print $14 + $15}' "/proc/${node:-0}/stat" 2>/dev/null || echo 0)"
}

run() { # BIN TAG
	local d=$AB_DIR/data-$2 pid i ppid='' fifo=$AB_DIR/$2.ctl s0 n0 s1 n1
	rm -rf "$d" "$AB_DIR/$2.c0" "$AB_DIR/$2.c1"
	taskset -c 0 "$1" up --data-dir "$d" --port 0 >"$AB_DIR/$2.log" 2>&1 &
	pid=$!
	i=0; while ! grep -q ready "$AB_DIR/$2.log" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	(
		. "$d/env"
		export GKEID_DATA_DIR GKEID_CLOUD_URL GKEID_PROJECT
		GKEID_BENCH_TOKEN=$(gcloud auth print-access-token 2>/dev/null)
		export GKEID_BENCH_TOKEN
		printf '# %s %s load %s ' "$2" "$(date -u +%T)" "$(cut -d' ' -f1 /proc/loadavg)"
		if [ -n "${PERF:-}" ]; then
			rm -f "$fifo"; mkfifo "$fifo"
			perf record -g --call-graph dwarf,16384 -F 2000 -D -1 --control "fifo:$fifo" \
				$([ -n "${PERF_ALL:-}" ] && echo "-C 0" || echo "-p $pid") -o "$AB_DIR/$2.perf.data" >/dev/null 2>&1 &
			ppid=$!
			exec 9>"$fifo"
		fi
		# shellcheck disable=SC2086 # BENCH_ARGS is a list of words
		taskset -c 1 "$ROOT/build/rel/bench/$bench" ${BENCH_ARGS:-} 2> >(while read -r l; do
			case "$l" in
			"# asking") [ -n "$ppid" ] && echo enable >&9; cpu "$pid" >"$AB_DIR/$2.c0" ;;
			"# asked") [ -n "$ppid" ] && echo disable >&9; cpu "$pid" >"$AB_DIR/$2.c1" ;;
			*) echo "$l" >&2 ;;
			esac
		done) | sed 's/^node\.//' | tr '\n' ' '
		i=0; while [ ! -s "$AB_DIR/$2.c1" ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i + 1)); done
		[ -n "$ppid" ] && { exec 9>&-; kill -INT "$ppid"; wait "$ppid"; }
	)
	read -r s0 n0 <"$AB_DIR/$2.c0" && read -r s1 n1 <"$AB_DIR/$2.c1" &&
		echo "server_cpu_ms $(((s1 - s0) * 1000 / tck)) node_cpu_ms $(((n1 - n0) * 1000 / tck))"
	kill -TERM "$pid"; wait "$pid"
}

echo "# $(nproc) cores, $(uname -r), $bench, $pairs pairs, in $AB_DIR"
for i in $(seq "$pairs"); do
	run "$before" "before-$i"
	run "$after" "after-$i"
done
