# lib.sh - shared helpers for the end-to-end tests (sourced, POSIX sh + bash).
#
# A test file does:
#   . "$(dirname "$0")/lib.sh"
#   gkeid_up                       # starts `gkeid up --port 0` in a fresh data dir, sources DIR/env
#   ok "gcloud sees the project" gcloud projects describe demo-project
#   eq "project number" "123" "$(gcloud projects describe demo-project --format='value(projectNumber)')"
#   has "text contains" "needle" "$haystack"
#   finish                         # stops gkeid, prints "N passed, N failed", exits non-zero on failure
#
# GKEID (default build/asan/gkeid) is the binary under test. Every client is pointed at
# gkeid through its documented overrides; no test reaches a real Google host.
set -u
T_PASSED=0
T_FAILED=0
T_NAME=$(basename "$0" .sh)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GKEID=${GKEID:-$ROOT/build/asan/gkeid}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
GCLOUD_PY=/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3
GCLOUD_PYPATH=/usr/lib/google-cloud-sdk/lib/third_party:/usr/lib/google-cloud-sdk/lib
T_TMP=$(mktemp -d "/tmp/gkeid-e2e-$T_NAME.XXXXXX")
GKEID_PID=

pass() { T_PASSED=$((T_PASSED + 1)); echo "ok - $1"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "not ok - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /' | head -n 40; return 0; }

# ok NAME CMD...: the command exits 0.
ok() { n=$1; shift; if out=$("$@" 2>&1); then pass "$n"; else fail "$n" "$out"; fi; }
# no NAME CMD...: the command exits non-zero.
no() { n=$1; shift; if out=$("$@" 2>&1); then fail "$n (unexpected success)" "$out"; else pass "$n"; fi; }
# eq NAME EXPECTED ACTUAL
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: [$2]
actual:   [$3]"; fi; }
# has NAME NEEDLE HAYSTACK
has() { case "$3" in *"$2"*) pass "$1" ;; *) fail "$1" "missing: [$2]
in:      [$3]" ;; esac; }
# hasnt NAME NEEDLE HAYSTACK
hasnt() { case "$3" in *"$2"*) fail "$1" "unexpected: [$2]
in:         [$3]" ;; *) pass "$1" ;; esac; }

# gkeid_up [ARGS...]: starts gkeid in $T_TMP/data and sources its env file.
gkeid_up() {
	DATA_DIR=$T_TMP/data
	# A restart on the same data dir: wait for this run's env file, not the last one's.
	rm -f "$DATA_DIR/env"
	"$GKEID" up --data-dir "$DATA_DIR" --port 0 "$@" >"$T_TMP/gkeid.log" 2>&1 &
	GKEID_PID=$!
	i=0
	while [ ! -s "$DATA_DIR/env" ]; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$GKEID_PID" 2>/dev/null; then
			echo "gkeid did not start:"; cat "$T_TMP/gkeid.log"; exit 1
		fi
		sleep 0.1
	done
	# shellcheck disable=SC1090
	. "$DATA_DIR/env"
}

# gkeid_stop: SIGTERM, wait, and fail the test if sanitizers reported anything.
gkeid_stop() {
	[ -n "$GKEID_PID" ] || return 0
	kill -TERM "$GKEID_PID" 2>/dev/null
	wait "$GKEID_PID"; rc=$?
	GKEID_PID=
	if [ $rc -ne 0 ] || grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$T_TMP/gkeid.log"; then
		fail "gkeid exits cleanly (rc=$rc)" "$(tail -n 40 "$T_TMP/gkeid.log")"
	else
		pass "gkeid exits cleanly"
	fi
}

# api METHOD PATH [JSON]: curl against GKEID_CLOUD_URL with the admin's gcloud token;
# prints the body, then a last line "HTTP <code>".
api() {
	m=$1 p=$2; shift 2
	tok=${API_TOKEN:-$(gcloud auth print-access-token 2>/dev/null)}
	if [ $# -gt 0 ]; then
		curl -sS -X "$m" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
			--data-binary "$1" -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$p"
	else
		curl -sS -X "$m" -H "Authorization: Bearer $tok" -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$p"
	fi
}

finish() {
	gkeid_stop
	echo "$T_PASSED passed, $T_FAILED failed"
	rm -rf "$T_TMP"
	[ "$T_FAILED" -eq 0 ]
}
trap '[ -n "$GKEID_PID" ] && kill -9 "$GKEID_PID" 2>/dev/null' EXIT
