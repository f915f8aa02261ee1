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
# HTTP answers (api METHOD PATH [JSON], call TOKEN METHOD PATH [JSON], post TOKEN PATH
# [JSON]) are the body, then a last line "HTTP <code>"; kube_lib.sh's kcurl appends
# " <code>" to the body instead. code, body, jget and field read either (and plain JSON):
#   out=$(post "$TOKEN" "/iamcredentials/v1/projects/-/serviceAccounts/$SA:generateAccessToken" "$JSON")
#   eq "a token" "200 ya29." "$(code "$out") $(field "$out" "['accessToken'][:5]")"
#   jget "$out" 'sorted(j)'              # any Python expression over the body, as j
# Waiting is never a fixed sleep but a bounded poll for what must become true:
#   wait_for 10 output_is "200 rc=0" pod_curl   # then: eq "..." "200 rc=0" "$WAIT_OUT"
# (also output_has, output_lacks, output_nonempty and code_of; dst and dfield read the
# doctor's JSON)
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
# python3 is the tests' JSON and socket tool (the standard library only): gcloud's
# bundled interpreter without site (-S) starts in about 0.1 s, where pyenv's python3
# shim takes 0.5 to 1 s a call.
# (A function: a server the test starts in the background and later kills is started
# with "$GCLOUD_PY" -S itself, so that $! is the interpreter's process.)
python3() { "$GCLOUD_PY" -S "$@"; }
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
	# started (the env file is written) or gone
	# (a bound for when it never comes: a start that runs gcloud takes 30 s and more on a loaded machine)
	wait_for 180 _gkeid_settled
	if [ ! -s "$DATA_DIR/env" ]; then
		echo "gkeid did not start:"; cat "$T_TMP/gkeid.log"; exit 1
	fi
	# shellcheck disable=SC1090
	. "$DATA_DIR/env"
}

_gkeid_settled() { [ -s "$DATA_DIR/env" ] || ! kill -0 "$GKEID_PID" 2>/dev/null; }

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

# gcloud_token: what `gcloud auth print-access-token` prints for gcloud's active account,
# without a gcloud start (about a second of CPU) when gcloud has the answer cached: the
# account's access token in CLOUDSDK_CONFIG/access_tokens.db, gcloud's own cache (up
# stores the admin's there, as activate-refresh-token does), while it is valid for 5 more minutes;
# otherwise (no such token, CLOUDSDK_CORE_ACCOUNT set, a locked or unreadable cache)
# gcloud's answer. For a token that is a means; where gcloud printing it is the point,
# run gcloud.
gcloud_token() {
	_gt_acct=$(gcloud_account)
	_gt_tok=
	case $_gt_acct in *"'"* | "") ;; *)
		[ -z "${CLOUDSDK_CORE_ACCOUNT:-}" ] && command -v sqlite3 >/dev/null &&
			_gt_tok=$(sqlite3 "file:$CLOUDSDK_CONFIG/access_tokens.db?mode=ro" "SELECT access_token FROM access_tokens
				WHERE account_id = '$_gt_acct' AND token_expiry > datetime('now', '+5 minutes')" 2>/dev/null) ;;
	esac
	case $_gt_tok in
	ya29.*) printf '%s\n' "$_gt_tok" ;;
	*) gcloud auth print-access-token 2>/dev/null ;;
	esac
}

# gcloud_account: gcloud's active account as `gcloud config get-value account` prints it,
# read from the active configuration's file (core/account); gcloud's answer when
# CLOUDSDK_CORE_ACCOUNT is set or the file has none.
gcloud_account() {
	_ga=
	[ -z "${CLOUDSDK_CORE_ACCOUNT:-}" ] && _ga=$(sed -n '/^\[core\]/,/^\[/s/^account = //p' \
		"$CLOUDSDK_CONFIG/configurations/config_$(cat "$CLOUDSDK_CONFIG/active_config" 2>/dev/null || echo default)" 2>/dev/null | head -n 1)
	if [ -n "$_ga" ]; then printf '%s\n' "$_ga"; else gcloud config get-value account 2>/dev/null; fi
}

# sa_create NAME: a service account NAME in GKEID_PROJECT, and sa_key FILE EMAIL: a JSON
# key of EMAIL written to FILE, as `gcloud iam service-accounts create` and `keys create`
# make them (the same calls, with gcloud_token's token) where they are a file's set-up;
# exit 0 on success, else the answer on stdout (for ok). gcloud's own runs of those
# commands are test_iamapi's and the gcloud battery's.
sa_create() {
	_sc=$(curl -sS -X POST -H "Authorization: Bearer $(gcloud_token)" -H 'Content-Type: application/json' \
		--data-binary "{\"accountId\":\"$1\"}" -w '\nHTTP %{http_code}\n' \
		"$GKEID_CLOUD_URL/iam/v1/projects/$GKEID_PROJECT/serviceAccounts")
	case $_sc in *"
HTTP 200") ;; *) printf '%s\n' "$_sc"; return 1 ;; esac
}
# grant RESOURCE MEMBER ROLE: MEMBER joins ROLE's unconditional binding on RESOURCE
# (projects/ID or serviceAccounts/EMAIL), as `gcloud projects|iam service-accounts
# add-iam-policy-binding` does it (getIamPolicy at version 3, then setIamPolicy with its
# etag), with gcloud_token's token (GRANT_TOKEN: another's), in one Python start instead
# of a gcloud start, where
# the grant is a file's set-up; exit 0, else the answer on stdout (for ok). gcloud's own
# runs of add-iam-policy-binding are test_iamapi's, test_policy_members', test_crm's and
# the docs'.
grant() {
	"$GCLOUD_PY" -S - "$GKEID_CLOUD_URL" "${GRANT_TOKEN:-$(gcloud_token)}" "$@" <<'PY'
import json, sys, urllib.error, urllib.request
base, tok, res, member, role = sys.argv[1:6]
api = {"projects": "/cloudresourcemanager/v1/", "serviceAccounts": "/iam/v1/projects/-/"}
url = base + api.get(res.split("/")[0], "/unknown/") + res
def call(verb, body):
    req = urllib.request.Request(url + ":" + verb, data=json.dumps(body).encode(), headers={
        "Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(e.read().decode() + "\nHTTP %d" % e.code)
p = call("getIamPolicy", {"options": {"requestedPolicyVersion": 3}})
b = [x for x in p.setdefault("bindings", []) if x["role"] == role and "condition" not in x]
if not b:
    p["bindings"].append({"role": role, "members": [member]})
elif member not in b[0]["members"]:
    b[0]["members"].append(member)
call("setIamPolicy", {"policy": p})
PY
}
# (both use curl and gcloud's Python directly: some files define their own code or call)
sa_key() {
	_sk=$(curl -sS -X POST -H "Authorization: Bearer $(gcloud_token)" -H 'Content-Type: application/json' \
		--data-binary '{}' -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL/iam/v1/projects/-/serviceAccounts/$2/keys")
	case $_sk in *"
HTTP 200") ;; *) printf '%s\n' "$_sk"; return 1 ;; esac
	printf '%s' "${_sk%HTTP 200}" | "$GCLOUD_PY" -S -c 'import base64, json, sys
k = base64.b64decode(json.load(sys.stdin)["privateKeyData"])
if json.loads(k)["client_email"] != sys.argv[2]:
    sys.exit("the key is not " + sys.argv[2])
open(sys.argv[1], "wb").write(k)' "$1" "$2"
}

# api METHOD PATH [JSON]: curl against GKEID_CLOUD_URL with the admin's gcloud token;
# prints the body, then a last line "HTTP <code>".
api() {
	m=$1 p=$2; shift 2
	tok=${API_TOKEN:-$(gcloud_token)}
	if [ $# -gt 0 ]; then
		curl -sS -X "$m" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
			--data-binary "$1" -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$p"
	else
		curl -sS -X "$m" -H "Authorization: Bearer $tok" -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$p"
	fi
}

# call TOKEN METHOD PATH [JSON]: as api, with TOKEN as the bearer ("": no Authorization
# header) and, when JSON is given, that body as application/json.
call() {
	if [ -n "${4+x}" ]; then
		curl -sS -X "$2" ${1:+-H "Authorization: Bearer $1"} -H 'Content-Type: application/json' \
			--data-binary "$4" -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$3"
	else
		curl -sS -X "$2" ${1:+-H "Authorization: Bearer $1"} -w '\nHTTP %{http_code}\n' "$GKEID_CLOUD_URL$3"
	fi
}

# post TOKEN PATH [JSON]: call TOKEN POST PATH [JSON].
post() { call "$1" POST "$2" ${3+"$3"}; }

# code OUT: the status code of an answer: "403" from a last line "HTTP 403" (or
# "HTTP 403 0.012"), or the last word of a kcurl answer ("... 403").
code() {
	_last=$(printf '%s\n' "$1" | tail -n 1)
	case $_last in
	"HTTP "*) _last=${_last#HTTP }; printf '%s\n' "${_last%% *}" ;;
	*) printf '%s\n' "${_last##* }" ;;
	esac
}
# code_of CMD...: the status code of CMD's answer (a condition for wait_for's output_is).
code_of() { code "$("$@")"; }

# body OUT: the answer without its status: the last line "HTTP <code>" dropped, or a
# kcurl answer's final " <code>"; other text as it is.
body() {
	case $(printf '%s\n' "$1" | tail -n 1) in
	"HTTP "[0-9][0-9][0-9] | "HTTP "[0-9][0-9][0-9]" "*) printf '%s\n' "$1" | sed '$d' ;;
	*" "[0-9][0-9][0-9]) printf '%s\n' "${1% *}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# The JSON helpers run gcloud's bundled Python without site (-S: no pyenv shim, no
# site-packages; about 0.1 s a call instead of 0.5 s).
_JEVAL='import json, re, sys
t = sys.stdin.read().rstrip("\n")
last = t.rsplit("\n", 1)[-1]
if re.fullmatch(r"HTTP \d{3}( \S+)?", last):
    t = t[: len(t) - len(last)]
elif re.search(r" \d{3}$", t):
    t = t[: t.rfind(" ")]
j = v = json.loads(t)
print(eval(sys.argv[1]))'
# jget OUT EXPR: a Python expression over the answer's JSON body, bound to j (json is
# imported); a body that does not parse prints Python's error instead, so that an eq on
# it fails with the reason.
jget() { printf '%s' "$1" | "$GCLOUD_PY" -S -c "$_JEVAL" "$2" 2>&1; }
# field OUT SUFFIX: the body's JSON followed by SUFFIX ("['error']['message']"); prints
# nothing (the error goes to stderr) when the body does not parse or has no such field.
field() { printf '%s' "$1" | "$GCLOUD_PY" -S -c "$_JEVAL" "j$2"; }

# wait_for TIMEOUT CMD...: runs CMD every 0.1 s until it exits 0, for at most TIMEOUT
# seconds (fractions allowed); returns CMD's last exit status. WAIT_OUT holds CMD's
# last standard output; when time runs out, CMD's last output (and error output) is
# printed to stderr as "#" comment lines, so that the log shows why the assertion that
# follows fails. The bound costs nothing when the condition comes: make it generous
# (30 s for what takes a second), as files run side by side on a loaded machine.
wait_for() {
	_wf_end=$(awk -v s="$1" -v now="$(date +%s%N)" 'BEGIN { printf "%.0f", now + s * 1e9 }')
	_wf_t=$1
	_wf_depth=$((${_wf_depth:-0} + 1)) # CMD may wait_for too (in its subshell)
	shift
	while :; do
		WAIT_OUT=$("$@" 2>"$T_TMP/wait_for.$_wf_depth.err")
		_wf_rc=$?
		if [ $_wf_rc -eq 0 ]; then
			_wf_depth=$((_wf_depth - 1))
			return 0
		fi
		if [ "$(date +%s%N)" -ge "$_wf_end" ]; then
			{
				echo "# wait_for: [$*] did not succeed within ${_wf_t}s (exit $_wf_rc); its last output:"
				{ printf '%s\n' "$WAIT_OUT"; cat "$T_TMP/wait_for.$_wf_depth.err"; } | head -n 20 | sed 's/^/#   /'
			} >&2
			_wf_depth=$((_wf_depth - 1))
			return $_wf_rc
		fi
		sleep 0.1
	done
}
# Conditions for wait_for: each prints CMD's standard output (so WAIT_OUT is what it
# printed) and succeeds when the output is WANT, contains or lacks NEEDLE, or is not empty.
output_is() { _o_want=$1; shift; _o=$("$@"); printf '%s\n' "$_o"; [ "$_o" = "$_o_want" ]; }
output_has() { _o_want=$1; shift; _o=$("$@"); printf '%s\n' "$_o"; case $_o in *"$_o_want"*) return 0 ;; esac; return 1; }
output_lacks() { _o_want=$1; shift; _o=$("$@"); printf '%s\n' "$_o"; case $_o in *"$_o_want"*) return 1 ;; esac; return 0; }
output_nonempty() { _o=$("$@"); printf '%s\n' "$_o"; [ -n "$_o" ]; }

# The doctor's JSON (`gkeid doctor ... --output json`), from DOC unless given:
#   dst ID [JSON]           the status of check ID
#   dfield ID KEY [JSON]    its KEY (title, evidence, fix; "" when null)
dst() { jget "${2-$DOC}" "[c['status'] for c in j['checks'] if c['id']=='$1'][0]"; }
dfield() { jget "${3-$DOC}" "[c['$2'] or '' for c in j['checks'] if c['id']=='$1'][0]"; }

finish() {
	gkeid_stop
	echo "$T_PASSED passed, $T_FAILED failed"
	rm -rf "$T_TMP"
	[ "$T_FAILED" -eq 0 ]
}
trap '[ -n "$GKEID_PID" ] && kill -9 "$GKEID_PID" 2>/dev/null' EXIT
