#!/usr/bin/env bash
# test_cli_input.sh - `gkeid exec` and `gkeid fault` refuse a directory or file name whose
# paths would not fit, rather than building them cut short (issue 10 §7: a truncated
# path is an error, never a silently shorter name - a shorter data directory would have
# exec remove or read files elsewhere). No server: these fail before any request.
. "$(dirname "$0")/lib.sh"

long=$(printf 'd%.0s' $(seq 1 3801))
out=$(env -u GKEID_DATA_DIR "$GKEID" exec --data-dir "$T_TMP/$long" true 2>&1)
eq "exec: a data directory over 3800 bytes: exit 2" 2 "$?"
eq "... the message" "gkeid exec: the data directory is too long (at most 3800 bytes)" "$out"
out=$(GKEID_DATA_DIR="$T_TMP/$long" "$GKEID" exec true 2>&1)
eq "exec: \$GKEID_DATA_DIR over 3800 bytes: exit 2" 2 "$?"
# at the limit it is used: no node state there, so exec says where it looked
dir=$T_TMP/${long:0:$((3800 - ${#T_TMP} - 1))}
out=$(env -u GKEID_DATA_DIR "$GKEID" exec --data-dir "$dir" true 2>&1)
eq "exec: a data directory of 3800 bytes: exit 1 (no node there)" 1 "$?"
has "... the node's state file under it" "cannot read the node's state file $T_TMP/ddd" "$out"

state=$(printf 's%.0s' $(seq 1 4100))
out=$("$GKEID" exec --node-state "$state" true 2>&1)
eq "exec: a --node-state longer than a path: exit 2" 2 "$?"
has "... the message" "gkeid exec: --node-state is too long" "$out"

ddir=$(printf 'f%.0s' $(seq 1 4100))
out=$(env -u GKEID_CLOUD_URL -u GKEID_DATA_DIR "$GKEID" fault list --data-dir "$ddir" 2>&1)
eq "fault: a data directory longer than a path: exit 1" 1 "$?"
eq "... the message" "gkeid fault: the data directory is too long (at most 4095 bytes with /env)" "$out"
finish
