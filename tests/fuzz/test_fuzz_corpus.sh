#!/bin/bash
# test_fuzz_corpus.sh - every libFuzzer target of fuzz/ replays its whole seed corpus
# (fuzz/corpus/NAME) in make test, built with gcc's ASan and UBSan against the unit
# tests' library (build/asan/fuzz/replay_NAME: fuzz/replay.c in place of libFuzzer, so
# no clang build). A crash, a sanitizer report or a failed assertion fails the target's
# line, naming the input. Every target in fuzz/ must have a replay binary and a corpus.
# The mutation is `make fuzz` (clang, libFuzzer, FUZZ_SECONDS per target).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
passed=0 failed=0
tmp=$(mktemp -d /tmp/gkeid-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for src in fuzz/fuzz_*.c; do
	t=${src#fuzz/fuzz_}
	t=${t%.c}
	bin=build/asan/fuzz/replay_$t
	corpus=fuzz/corpus/$t
	if [ ! -x "$bin" ]; then
		echo "not ok - $t has a replay binary $bin (is it in the Makefile's FUZZ_TARGETS?)"
		failed=$((failed + 1))
		continue
	fi
	seeds=$(find "$corpus" -type f 2>/dev/null | wc -l)
	if [ "$seeds" -eq 0 ]; then
		echo "not ok - $t has a seed corpus in $corpus"
		failed=$((failed + 1))
		continue
	fi
	if "$bin" "$corpus" >"$tmp/$t.out" 2>"$tmp/$t.log" && grep -qx "ran $seeds inputs" "$tmp/$t.out"; then
		echo "ok - fuzz_$t replays its corpus ($seeds files) under ASan and UBSan"
		passed=$((passed + 1))
	else
		echo "not ok - fuzz_$t replays its corpus ($seeds files): $(cat "$tmp/$t.out")"
		grep -v '^replay: ' "$tmp/$t.log" | head -40 | sed 's/^/#   /'
		grep '^replay: ' "$tmp/$t.log" | tail -1 | sed 's/^/#   last input: /'
		failed=$((failed + 1))
	fi
done
# The check can fail: a target given an input that makes it abort fails its line.
if [ -x build/asan/fuzz/replay_mdh1 ]; then
	if build/asan/fuzz/replay_mdh1 /nonexistent-seed >/dev/null 2>&1; then
		echo "not ok - a replay of a missing input fails"
		failed=$((failed + 1))
	else
		echo "ok - a replay of a missing input fails"
		passed=$((passed + 1))
	fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
