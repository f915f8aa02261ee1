#!/usr/bin/env bash
# test_docs_runner.sh - the docs runner itself (tests/docs/run_docs.py) on a page of its
# own (tests/docs/fixtures/runner.md): commands share one shell across blocks; the
# stated normalization matches ports, addresses, tokens, JWTs, times, ages, generated
# suffixes, uniqueIds, key IDs and etags; `\` continuations, here-documents and `...`
# work; illustration blocks and other info strings are skipped; a root block runs in a
# private network namespace as root and is skipped otherwise; and a wrong expected
# output fails, naming its line, so the docs tests can fail.
. "$(dirname "$0")/lib.sh"
out=$(bash "$ROOT/tests/docs/run_docs.sh" tests/docs/fixtures/runner.md 2>&1)
rc=$?
eq "a page with a wrong output: exit 1" 1 "$rc"
eq "exactly one command fails" 1 "$(printf '%s\n' "$out" | grep -c '^not ok')"
has "... the wrong one, by its line" "not ok - tests/docs/fixtures/runner.md:61 \$ echo right" "$out"
has "... showing what was expected" "#     wrong" "$out"
for line in 4 6 7 14 22 29 34 38; do
	has "the command at line $line passes" "ok - tests/docs/fixtures/runner.md:$line " "$out"
done
hasnt "an illustration block is not run" "runner.md:44" "$out"
hasnt "an sh block is not run" "exit 4" "$out"
if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
	has "as root, a root block runs in a network namespace of its own (only lo)" \
		"ok - tests/docs/fixtures/runner.md:54 " "$out"
else
	has "not root: a root block is skipped, saying why" "# skipped (needs root" "$out"
fi
has "gkeid stopped cleanly" "ok - tests/docs/fixtures/runner.md: gkeid exits cleanly" "$out"
has "the summary line" "passed, 1 failed" "$(printf '%s\n' "$out" | tail -n 1)"
finish
