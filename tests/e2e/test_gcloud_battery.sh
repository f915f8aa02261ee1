#!/usr/bin/env bash
# test_gcloud_battery.sh - the gcloud battery (issue 14): every row of gcloud_battery.txt
# is one gcloud command, the exit status it must end with and a pattern (grep -E) its
# output (stdout and stderr) must match. The battery runs with HTTPS_PROXY and HTTP_PROXY
# pointing at a closed loopback port and NO_PROXY set to loopback, so that any attempt
# to reach a real Google host fails: a row whose output shows a proxy error fails,
# whatever its pattern, unless its pattern expects that error (what gkeid cannot
# redirect). Two commands run at a time; each starts gcloud once.
#
# Row format: COMMAND | STATUS | PATTERN   ("#" starts a comment line). The command runs
# in bash with DIR/env sourced ($GKEID_PROJECT, $GKEID_CLOUD_URL, ...).
. "$(dirname "$0")/lib.sh"

TABLE=${GCLOUD_BATTERY:-$ROOT/tests/e2e/gcloud_battery.txt}
PROXY_ERR="ProxyError|Unable to connect to proxy|Tunnel connection failed"

gkeid_up

# A loopback port that nothing listens on: bound, then closed.
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export HTTPS_PROXY=http://127.0.0.1:$closed HTTP_PROXY=http://127.0.0.1:$closed
export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# The rows, parsed: cmds[i], want_rc[i], pats[i].
cmds=() want_rc=() pats=()
while IFS= read -r line || [ -n "$line" ]; do
	case $line in '' | '#'*) continue ;; esac
	pat=${line##* | }
	rest=${line% | *}
	rc=${rest##* | }
	cmd=${rest% | *}
	if [ "$cmd" = "$line" ] || [ "$rest" = "$line" ] || ! [[ $rc =~ ^[0-9]+$ ]]; then
		fail "table row: COMMAND | STATUS | PATTERN" "$line"
		continue
	fi
	cmds+=("$cmd") want_rc+=("$rc") pats+=("$pat")
done <"$TABLE"
[ ${#cmds[@]} -gt 20 ] && pass "the table has ${#cmds[@]} rows" || fail "the table has rows" "${#cmds[@]}"

run_row() { # run_row I: runs row I into $T_TMP/row.I.{out,rc}
	( cd "$T_TMP" && bash -c "${cmds[$1]}" ) >"$T_TMP/row.$1.out" 2>&1
	echo $? >"$T_TMP/row.$1.rc"
}
# Two workers, each taking every other row. (Not a bare `wait`: gkeid is our child too.)
run_rows() { for ((i = $1; i < ${#cmds[@]}; i += 2)); do run_row "$i"; done; }
run_rows 0 &
w0=$!
run_rows 1 &
w1=$!
wait "$w0" "$w1"

for i in "${!cmds[@]}"; do
	out=$(cat "$T_TMP/row.$i.out")
	rc=$(cat "$T_TMP/row.$i.rc")
	name="${cmds[$i]} -> ${want_rc[$i]}, /${pats[$i]}/"
	if [ "$rc" != "${want_rc[$i]}" ]; then
		fail "$name" "exit status $rc
$out"
	elif ! printf '%s\n' "$out" | grep -Eq -- "${pats[$i]}"; then
		fail "$name" "the output does not match
$out"
	elif printf '%s\n' "$out" | grep -Eq -- "$PROXY_ERR" &&
		! printf '%s\n' "${pats[$i]}" | grep -Eq -- "$PROXY_ERR"; then
		fail "$name" "gcloud tried to reach a host other than gkeid
$out"
	else
		pass "$name"
	fi
done

finish
