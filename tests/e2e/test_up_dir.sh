#!/usr/bin/env bash
# test_up_dir.sh - `gkeid up` and the path of its data dir: a dir whose name has a quote
# and spaces still gives an env file the shell sources to the right values (the values
# are quoted for sh), and a path too long for the store's files is refused at once, with
# the limit, before anything is written.
. "$(dirname "$0")/lib.sh"

# Too long: SQLite opens names of at most 512 bytes; up says so instead of failing later.
long=$T_TMP
while [ ${#long} -lt 500 ]; do long=$long/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done
mkdir -p "$(dirname "$long")"
out=$("$GKEID" up --data-dir "$long" --port 0 2>&1)
eq "a too-long data dir: exit 1" 1 "$?"
has "a too-long data dir: the message" "gkeid up: the data dir's path is too long (${#long} bytes; at most 480)" "$out"
no "a too-long data dir: no store written" test -e "$long/store.db"

# A quote and spaces: the env file sources to the dir itself.
odd="$T_TMP/it's a dir"
"$GKEID" up --data-dir "$odd" --port 0 >"$T_TMP/gkeid.log" 2>&1 &
GKEID_PID=$!
_odd_settled() { [ -s "$odd/env" ] || ! kill -0 "$GKEID_PID" 2>/dev/null; }
wait_for 180 _odd_settled
eq "the env file sources to the dir with its quote" "$odd|$odd/gcloud|demo-project" \
	"$(sh -c '. "$1/env" && printf "%s|%s|%s" "$GKEID_DATA_DIR" "$CLOUDSDK_CONFIG" "$GKEID_PROJECT"' sh "$odd")"
eq "and its KUBECONFIG" "$odd/kubeconfig" "$(sh -c '. "$1/env" && printf "%s" "$KUBECONFIG"' sh "$odd")"
gkeid_stop
finish
