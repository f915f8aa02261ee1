#!/usr/bin/env bash
# test_doctor_input.sh - the doctor refuses settings that do not fit, rather than using
# them cut short (issue 10 §7): a GKEID_CLOUD_URL longer than a URL it can hold is an
# error that says so, and a KUBECONFIG list is read to its end, whatever its length.
# No server: these fail before any request is answered.
. "$(dirname "$0")/lib.sh"

long=$(printf 'x%.0s' $(seq 1 2000))
out=$(GKEID_CLOUD_URL="http://$long" "$GKEID" doctor workload-identity --namespace default \
	--serviceaccount app --project p --location l --cluster c 2>&1)
eq "a too-long GKEID_CLOUD_URL: exit 2" 2 "$?"
eq "a too-long GKEID_CLOUD_URL: the message" \
	"gkeid doctor: GKEID_CLOUD_URL is too long (at most 1023 bytes)" "$out"

# KUBECONFIG is a path list of any length, read whole as kubectl reads it: a context in
# the last file of a list longer than any fixed buffer still names the cluster.
printf 'current-context: gke_proj-a_us-central1_c1\n' >"$T_TMP/kubeconfig"
out=$(HOME=$T_TMP KUBECONFIG="$T_TMP/$long:$T_TMP/$long:$T_TMP/$long:$T_TMP/kubeconfig" \
	GKEID_CLOUD_URL=http://127.0.0.1:9 GKEID_DOCTOR_ACCESS_TOKEN=t PATH=/nonexistent \
	"$GKEID" doctor rbac --user u --verb get --resource pods 2>&1)
has "a long KUBECONFIG list is read to its end" \
	"GET http://127.0.0.1:9/container/v1/projects/proj-a/locations/us-central1/clusters/c1: no answer" "$out"
finish
