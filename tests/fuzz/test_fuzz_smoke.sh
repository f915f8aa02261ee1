#!/bin/bash
# test_fuzz_smoke.sh - every libFuzzer target of fuzz/, briefly, in make test: each
# replays its whole seed corpus (fuzz/corpus/NAME), then fuzzes for FUZZ_SMOKE_SECONDS
# (default 1) from a copy of it, in one libFuzzer run (libFuzzer runs every seed before
# it mutates, whatever -max_total_time says). A crash, a sanitizer report or a failed
# assertion in a target fails its line. `make fuzz` is the long run (FUZZ_SECONDS each).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
SECS=${FUZZ_SMOKE_SECONDS:-1}
passed=0 failed=0
tmp=$(mktemp -d /tmp/gkeid-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if ! make -s fuzz-build >"$tmp/build.log" 2>&1; then
	echo "not ok - make fuzz-build"
	tail -n 30 "$tmp/build.log" | sed 's/^/#   /'
	echo "0 passed, 1 failed"
	exit 1
fi
for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	t=${bin##*/fuzz_}
	corpus=fuzz/corpus/$t
	if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
		echo "not ok - $t has a seed corpus in $corpus"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$tmp/$t"
	seeds=$(find "$corpus" -type f | wc -l)
	if "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 "$tmp/$t" "$corpus" >"$tmp/$t.log" 2>&1 &&
		grep -q "INFO: seed corpus: files: $seeds " "$tmp/$t.log"; then
		echo "ok - fuzz_$t: its corpus ($seeds files) and ${SECS}s of fuzzing ($(grep -o 'Done [0-9]* runs' "$tmp/$t.log" | grep -o '[0-9]*' || echo '?') runs)"
		passed=$((passed + 1))
	else
		echo "not ok - fuzz_$t"
		grep -q "INFO: seed corpus: files: $seeds " "$tmp/$t.log" || echo "#   its $seeds seeds did not all run"
		grep -A20 "ERROR\|runtime error\|Assertion\|deadly" "$tmp/$t.log" | head -40 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
