#!/bin/bash
# run.sh - runs the whole suite in parallel: the unit test binaries given as arguments,
# every tests/e2e/test_*.sh and every tests/scenarios/*.sh. Each file starts its own
# gkeid on port 0 in its own temporary directory, so files share nothing and run side
# by side, TEST_JOBS at a time (default: 2 per core). Files named in tests/slow.txt
# start first, so the longest ones do not start last; TEST_FILTER=REGEX runs only the
# matching files. At the end: each file's result, a time table (slowest first: wall
# seconds, and the CPU seconds, user+sys, of the file and every process it waited for),
# and the total "N passed, N failed".
# Exits non-zero when anything failed or a test program crashed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
JOBS=${TEST_JOBS:-$(($(nproc) * 2))}
log=$(mktemp -d /tmp/gkeid-test.XXXXXX)
crashed=""

# Node test clients, from the committed lock file.
if [ -f tests/node/package-lock.json ] && [ ! -d tests/node/node_modules ]; then
	(cd tests/node && npm ci --no-audit --no-fund --loglevel=error) || crashed="$crashed npm-ci"
fi

# run_one NAME CMD...: runs one file, its output in $log/NAME.log, then writes
# "NAME SECONDS EXIT CPU" to $log/NAME.done (CPU: the user+sys seconds of CMD and the
# processes it waited for, from `times`, as run_one runs in a subshell of its own).
run_one() {
	name=$1
	shift
	f=$log/$(echo "$name" | tr '/' '_')
	start=$EPOCHREALTIME
	"$@" >"$f.log" 2>&1
	rc=$?
	times >"$f.times" # here, not in $(...): a subshell has no children of its own
	cpu=$(tail -n 1 "$f.times" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] } printf "%.1f", n }')
	echo "$name $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') $rc $cpu" >"$f.done"
}

# The queue: slow files first (tests/slow.txt), then the unit tests, then the rest.
queue=()
if [ -f tests/slow.txt ]; then
	while read -r t; do
		[ -f "$t" ] && queue+=("$t")
	done < <(grep -v '^#' tests/slow.txt)
fi
queued() { local q; for q in "${queue[@]}"; do [ "$q" = "$1" ] && return 0; done; return 1; }
for bin in "$@"; do queue+=("$bin"); done
for t in tests/e2e/test_*.sh tests/scenarios/*.sh tests/fuzz/test_*.sh; do
	[ -f "$t" ] && ! queued "$t" && queue+=("$t")
done

# TEST_FILTER=REGEX keeps only the files whose path matches (for the edit-test loop).
if [ -n "${TEST_FILTER:-}" ]; then
	kept=()
	for item in "${queue[@]}"; do
		[[ $item =~ $TEST_FILTER ]] && kept+=("$item")
	done
	queue=("${kept[@]}")
fi

for item in "${queue[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	case $item in
	*.sh) run_one "$item" bash "$item" & ;;
	*) run_one "unit/${item##*/tests/}" "$item" & ;;
	esac
done
wait

passed=0 failed=0
for item in "${queue[@]}"; do
	case $item in
	*.sh) name=$item ;;
	*) name="unit/${item##*/tests/}" ;;
	esac
	f=$log/$(echo "$name" | tr '/' '_')
	read -r _ secs rc _ <"$f.done"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$f.log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "CRASH $name (exit $rc, no summary line)"
		tail -n 30 "$f.log" | sed 's/^/    /'
		crashed="$crashed $name"
		continue
	fi
	p=${line%% passed*}
	n=${line#*passed, }
	n=${n%% failed*}
	passed=$((passed + p))
	failed=$((failed + n))
	if [ "$n" -ne 0 ] || [ "$rc" -ne 0 ]; then
		echo "FAIL  $name: $line (exit $rc)"
		grep -E '^(not ok|FAIL)' "$f.log" | head -n 20 | sed 's/^/    /'
		grep -A12 '^not ok' "$f.log" | grep '^#' | head -n 40 | sed 's/^/    /'
		[ "$rc" -ne 0 ] && [ "$n" -eq 0 ] && crashed="$crashed $name"
	else
		echo "ok    $name: $line"
	fi
done

echo
echo "time per file (seconds, slowest first; $JOBS at a time): wall, CPU (user+sys)"
cat "$log"/*.done | sort -k2 -rn | awk '{ printf "  %7.1f %7.1f  %s\n", $2, $4, $1; cpu += $4 }
	END { printf "  total CPU of the files: %.1f s (%.1f min)\n", cpu, cpu / 60 }'
rm -rf "$log"
[ -n "$crashed" ] && echo "crashed or unfinished:$crashed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$crashed" ]
