#!/usr/bin/env bash
# test_metadata_gce.sh - the node's own identity. With --credentials (the node's service
# account key, as a GKE node has its VM's service account) the node reads its cluster
# from the Container API: cluster-uid is the cluster's id, and when its node pool's
# config.workloadMetadataConfig.mode is GCE_METADATA (the seed's step 3 checks it), pods
# get the node's identity, as on GKE; back to GKE_METADATA, their own again.
. "$(dirname "$0")/lib.sh"
gkeid_up
. "$(dirname "$0")/metadata_lib.sh"
md_setup
P=demo-project
NSA=gke-node@$P.iam.gserviceaccount.com
EMAIL=/computeMetadata/v1/instance/service-accounts/default/email
ok "create the node's service account" sa_create gke-node
ok "... with a key" sa_key "$T_TMP/node-key.json" $NSA
ok "... allowed to read the cluster" grant projects/$P serviceAccount:$NSA roles/container.clusterViewer
md_node "$T_TMP/gce.json" "$T_TMP/gce.log" --listen local --port 0 --credentials "$T_TMP/node-key.json"
GP=$(md_port "$T_TMP/gce.json")
run() { "$GKEID" exec --node-state "$T_TMP/gce.json" -- sh -c "curl -sS -H 'Metadata-Flavor: Google' http://\$GCE_METADATA_HOST$1"; }

uid=$(gcloud container clusters describe demo-cluster --location us-central1 --format='value(id)')
wait_for 30 grep -q "workloadMetadataConfig.mode" "$T_TMP/gce.log"
eq "cluster-uid is the cluster's id, read from the Container API" "$uid" "$(run /computeMetadata/v1/instance/attributes/cluster-uid)"
has "the node logs its pool's mode" "node pool default-pool: workloadMetadataConfig.mode GKE_METADATA" "$(cat "$T_TMP/gce.log")"
eq "GKE_METADATA: a pod has its KSA's identity" "$P.svc.id.goog" "$(run $EMAIL)"
eq "the seed's step 3 command" "GKE_METADATA" "$(gcloud container node-pools describe default-pool --cluster=demo-cluster --location us-central1 --format='value(config.workloadMetadataConfig.mode)')"
ok "switch the pool to GCE_METADATA" gcloud container node-pools update default-pool --cluster=demo-cluster --location us-central1 --workload-metadata=GCE_METADATA --quiet
wait_for 30 grep -q "mode GCE_METADATA" "$T_TMP/gce.log"
has "the node sees the change" "mode GCE_METADATA: pods get the node's identity" "$(cat "$T_TMP/gce.log")"
eq "GCE_METADATA: pods get the node's identity" "$NSA" "$(run $EMAIL)"
out=$(run /computeMetadata/v1/instance/service-accounts/default/token)
has "... and the node's token" '"token_type":"Bearer"' "$out"
T=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
has "... which is the node's (tokeninfo)" "$NSA" "$(curl -sS "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=$T")"
out=$(run '/computeMetadata/v1/instance/service-accounts/default/identity?audience=https://example.com')
claims=$(echo "$out" | cut -d. -f2 | python3 -c 'import base64,sys; s=sys.stdin.read().strip(); print(base64.urlsafe_b64decode(s+"="*(-len(s)%4)).decode())')
has "... and the node's ID token" "\"email\": \"$NSA\"" "$(echo "$claims" | python3 -m json.tool)"
has "... the pool's scopes" "https://www.googleapis.com/auth/" "$(run /computeMetadata/v1/instance/service-accounts/default/scopes)"
# scopes are never cut short: a list of about 2,900 bytes (the node cut it at 2,199)
sc=$(for i in $(seq 1 70); do printf 'https://www.googleapis.com/auth/scope-%02d,' "$i"; done)https://www.googleapis.com/auth/last-one
out=$(run "/computeMetadata/v1/instance/service-accounts/default/token?scopes=$sc")
T=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' 2>/dev/null)
has "... a token for a long list of scopes has all of them (tokeninfo)" "https://www.googleapis.com/auth/last-one" "$(curl -sS "$GKEID_CLOUD_URL/oauth2/v3/tokeninfo?access_token=$T")"
ok "back to GKE_METADATA" gcloud container node-pools update default-pool --cluster=demo-cluster --location us-central1 --workload-metadata=GKE_METADATA --quiet
wait_for 30 sh -c '[ "$(grep -c "mode GKE_METADATA" "$1")" -ge 2 ]' _ "$T_TMP/gce.log"
eq "pods have their own identity again" "$P.svc.id.goog" "$(run $EMAIL)"
md_finish
