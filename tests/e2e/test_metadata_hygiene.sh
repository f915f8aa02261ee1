#!/usr/bin/env bash
# test_metadata_hygiene.sh - headers the metadata server must not take at face value:
# the legacy X-Google-Metadata-Request: True is no Metadata-Flavor: Google on GKE (the
# same 403 and body as a missing header, byte for byte), and RFC 7239's Forwarded marks
# a proxied request as X-Forwarded-For does (the same 403 and body as that case).
. "$(dirname "$0")/lib.sh"
gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
md_setup
TOKEN=/computeMetadata/v1/instance/service-accounts/default/token
"$GKEID" exec --name probe -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
for _ in $(seq 1 50); do IP=$(md_pod_ip default probe 2>/dev/null); [ -n "$IP" ] && break; sleep 0.1; done
A=$IP:$MD_PORT
has "the pod gets a token" "HTTP 200" "$(md_get "$A" $TOKEN)"

# fetch NAME PATH [CURL ARGS]: headers in $T_TMP/NAME.h, body in $T_TMP/NAME.b, no Metadata-Flavor.
fetch() {
	n=$1 p=$2; shift 2
	curl -sS -D "$T_TMP/$n.h" -o "$T_TMP/$n.b" "$@" "http://$A$p"
}
status() { head -n 1 "$T_TMP/$1.h" | tr -d '\r'; }
header() { grep -i "^$2:" "$T_TMP/$1.h" | tr -d '\r'; }

# The legacy header alone: refused as a missing Metadata-Flavor.
fetch missing $TOKEN
fetch legacy $TOKEN -H 'X-Google-Metadata-Request: True'
printf 'GKE Metadata Server encountered an error: Missing required header "Metadata-Flavor": "Google"\n' >"$T_TMP/want"
ok "X-Google-Metadata-Request: True gets the missing-header body, byte for byte" cmp "$T_TMP/want" "$T_TMP/legacy.b"
ok "... the same body as no header at all" cmp "$T_TMP/missing.b" "$T_TMP/legacy.b"
eq "... 403" "HTTP/1.1 403 Forbidden" "$(status legacy)"
eq "... text/plain; charset=utf-8" "Content-Type: text/plain; charset=utf-8" "$(header legacy Content-Type)"
eq "... nosniff" "X-Content-Type-Options: nosniff" "$(header legacy X-Content-Type-Options)"
hasnt "... and no Metadata-Flavor: Google on it" "Metadata-Flavor" "$(cat "$T_TMP/legacy.h")"
fetch legacy_lower $TOKEN -H 'x-google-metadata-request: true'
ok "... in any case" cmp "$T_TMP/want" "$T_TMP/legacy_lower.b"
fetch legacy_root / -H 'X-Google-Metadata-Request: True'
ok "... on the root too" cmp "$T_TMP/want" "$T_TMP/legacy_root.b"
fetch legacy_email /computeMetadata/v1/instance/service-accounts/default/email -H 'X-Google-Metadata-Request: True'
eq "... and on a plain value" "HTTP/1.1 403 Forbidden" "$(status legacy_email)"
has "Metadata-Flavor: Google beside it still works" "HTTP 200" \
	"$(md_get "$A" $TOKEN -H 'X-Google-Metadata-Request: True')"

# Forwarded: refused as X-Forwarded-For is.
fetch xff $TOKEN -H 'Metadata-Flavor: Google' -H 'X-Forwarded-For: 10.0.0.1'
fetch fwd $TOKEN -H 'Metadata-Flavor: Google' -H 'Forwarded: for=10.0.0.1;proto=http'
eq "X-Forwarded-For is refused (403)" "HTTP/1.1 403 Forbidden" "$(status xff)"
eq "Forwarded is refused the same way (403)" "HTTP/1.1 403 Forbidden" "$(status fwd)"
ok "... with X-Forwarded-For's body, byte for byte" cmp "$T_TMP/xff.b" "$T_TMP/fwd.b"
eq "... text/plain; charset=utf-8" "$(header xff Content-Type)" "$(header fwd Content-Type)"
eq "... nosniff" "X-Content-Type-Options: nosniff" "$(header fwd X-Content-Type-Options)"
hasnt "... and no token in it" "access_token" "$(cat "$T_TMP/fwd.b")"
fetch fwd_lower / -H 'Metadata-Flavor: Google' -H 'forwarded: for="[2001:db8::1]"'
ok "... in any case, on the root too" cmp "$T_TMP/xff.b" "$T_TMP/fwd_lower.b"
fetch fwd_identity '/computeMetadata/v1/instance/service-accounts/default/identity?audience=x' \
	-H 'Metadata-Flavor: Google' -H 'Forwarded: for=10.0.0.1'
eq "... and before an identity token is made" "HTTP/1.1 403 Forbidden" "$(status fwd_identity)"
has "without it, the pod is served" "HTTP 200" "$(md_get "$A" $TOKEN)"
kill -TERM $EXEC_PID; wait $EXEC_PID 2>/dev/null
md_finish
