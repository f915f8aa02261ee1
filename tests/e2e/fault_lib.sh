# fault_lib.sh - helpers for the seed's scenario tests (tests/scenarios/*.sh), sourced
# after lib.sh and gkeid_up. A scenario runs a working pod, breaks it (gkeid fault or the
# pod spec), checks the symptom, runs the seed's diagnosis and the doctor, applies the
# seed's fix and checks that the pod authenticates again.
#
#   wi_setup                       KSA default/app bound to app-gsa (Workload Identity)
#   wi_ksa KSA                     one more KSA default/KSA, annotated with and bound to app-gsa
#                                  (the Google side of both made with curl, the calls gcloud
#                                  makes: a gcloud start is a second of CPU)
#   gkeid_fault ARGS...            `gkeid fault ARGS` as the admin, the token from a file
#                                  (test_fault tests gcloud as its source)
#   pod_start NAME [EXEC FLAGS] -- SCRIPT   a pod (gkeid exec, KSA app) that runs SCRIPT
#                                  (sh), keeps its output and exit code, then stays up
#                                  (sleep) so that kubectl and the doctor can see it
#   pod_wait NAME                  waits for SCRIPT to end; sets POD_OUT and POD_RC
#   pod_stop NAME                  ends the pod (exec deletes it)
#   doctor_pod NAME                `gkeid doctor workload-identity --pod NAME --namespace
#                                  default --output json` into DOC (and DOC_RC)
#   dstatus ID                     that check's status in DOC ("missing" when absent)
#   AUTH_PY                        google-auth in a pod: default() and refresh(); prints
#                                  "token ok" (run as: "$GCLOUD_PY" "$AUTH_PY" "$GCLOUD_PYPATH")
POD_PIDS=""
# the doctor's token once (test_doctor covers gcloud as its source), not a gcloud start a run
GKEID_DOCTOR_ACCESS_TOKEN=$(gcloud_token)
export GKEID_DOCTOR_ACCESS_TOKEN
printf '%s\n' "$GKEID_DOCTOR_ACCESS_TOKEN" >"$T_TMP/admin.tok"
gkeid_fault() { "$GKEID" fault "$@" --access-token-file "$T_TMP/admin.tok"; }
AUTH_PY=$T_TMP/auth.py
cat >"$AUTH_PY" <<'EOF'
import sys
sys.path[:0] = sys.argv[1].split(":")
import google.auth, google.auth.transport.requests
creds, project = google.auth.default()
creds.refresh(google.auth.transport.requests.Request())
print("token", "ok" if creds.token else "none")
EOF

wi_setup() {
	call "$GKEID_DOCTOR_ACCESS_TOKEN" POST \
		/serviceusage/v1/projects/demo-project/services/iamcredentials.googleapis.com:enable '{}' >/dev/null
	call "$GKEID_DOCTOR_ACCESS_TOKEN" POST /iam/v1/projects/demo-project/serviceAccounts \
		'{"accountId":"app-gsa"}' >/dev/null
	wi_ksa app
}

wi_ksa() {
	kubectl create serviceaccount "$1" >/dev/null
	kubectl annotate serviceaccount "$1" \
		iam.gke.io/gcp-service-account=app-gsa@demo-project.iam.gserviceaccount.com >/dev/null
	GRANT_TOKEN=$GKEID_DOCTOR_ACCESS_TOKEN grant serviceAccounts/app-gsa@demo-project.iam.gserviceaccount.com \
		"serviceAccount:demo-project.svc.id.goog[default/$1]" roles/iam.workloadIdentityUser >/dev/null
}

pod_start() {
	name=$1; shift
	flags=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
	shift
	mkdir -p "$T_TMP/pods/$name"
	rm -f "$T_TMP/pods/$name/rc"
	"$GKEID" exec --name "$name" --serviceaccount app "${flags[@]}" -- sh -c \
		"($1) >\"$T_TMP/pods/$name/out\" 2>&1; echo \$? >\"$T_TMP/pods/$name/rc\"; exec sleep 600" \
		>"$T_TMP/pods/$name/exec.log" 2>&1 &
	eval "POD_PID_$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')=$!"
	POD_PIDS="$POD_PIDS $!"
}

pod_wait() {
	wait_for 120 test -s "$T_TMP/pods/$1/rc"
	POD_RC=$(cat "$T_TMP/pods/$1/rc" 2>/dev/null)
	POD_OUT=$(cat "$T_TMP/pods/$1/out" 2>/dev/null)
}

pod_stop() {
	v="POD_PID_$(echo "$1" | tr -c 'a-zA-Z0-9\n' '_')"
	pid=${!v:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

doctor_pod() {
	DOC=$("$GKEID" doctor workload-identity --pod "$1" --namespace default --output json 2>"$T_TMP/doctor.err")
	DOC_RC=$?
}

dstatus() {
	printf '%s' "$DOC" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception:
    print("no-json"); sys.exit()
for c in d.get("checks", []):
    if c.get("id") == sys.argv[1]:
        print(c.get("status")); break
else:
    print("missing")' "$1"
}

# devidence ID: that check's evidence and fix, for has/hasnt.
devidence() {
	printf '%s' "$DOC" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception:
    sys.exit()
for c in d.get("checks", []):
    if c.get("id") == sys.argv[1]:
        print(c.get("evidence", ""), c.get("fix", ""))' "$1"
}

fault_finish() {
	for p in $POD_PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $POD_PIDS; do wait "$p" 2>/dev/null; done
	POD_PIDS=""
	finish
}
trap '[ -n "$GKEID_PID" ] && kill -9 "$GKEID_PID" 2>/dev/null; for p in $POD_PIDS; do kill -9 "$p" 2>/dev/null; done' EXIT
