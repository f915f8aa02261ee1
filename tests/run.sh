#!/bin/sh
# run.sh - runs the whole suite (unit test binaries given as arguments, then every
# tests/e2e/test_*.sh), adds up their "N passed, N failed" lines, and ends with the total.
# Exits non-zero when anything failed or a test program crashed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
passed=0 failed=0 crashed=""
log=$(mktemp -d /tmp/gkeid-test.XXXXXX)

# Node test clients, from the committed lock file.
if [ -f tests/node/package-lock.json ] && [ ! -d tests/node/node_modules ]; then
	(cd tests/node && npm ci --no-audit --no-fund --loglevel=error) || crashed="$crashed npm-ci"
fi

run_one() {
	name=$1; shift
	out="$log/$(echo "$name" | tr '/' '_').log"
	"$@" >"$out" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "CRASH $name (exit $rc, no summary line)"; tail -n 30 "$out" | sed 's/^/    /'
		crashed="$crashed $name"
		return
	fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ] || [ $rc -ne 0 ]; then
		echo "FAIL  $name: $line (exit $rc)"
		grep -E '^(not ok|FAIL)' "$out" | head -n 20 | sed 's/^/    /'
		grep -A12 '^not ok' "$out" | grep '^#' | head -n 40 | sed 's/^/    /'
		[ $rc -ne 0 ] && [ "$f" -eq 0 ] && crashed="$crashed $name"
	else
		echo "ok    $name: $line"
	fi
}

for bin in "$@"; do
	run_one "unit/${bin##*/tests/}" "$bin"
done
for t in tests/e2e/test_*.sh tests/scenarios/*.sh; do
	[ -f "$t" ] || continue
	run_one "$t" bash "$t"
done
rm -rf "$log"
[ -n "$crashed" ] && echo "crashed or unfinished:$crashed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$crashed" ]
