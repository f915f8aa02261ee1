#!/bin/sh
# test_container.sh - the Container (GKE) API v1 through the real gcloud and curl: the
# seed's describe commands, clusters list/create/update/delete, node pools
# create/update/delete, operations, the seed's "DeployPatch failed" scenario and its fix,
# get-credentials (when the Kubernetes side is wired), a caller without permission,
# missing clusters, a disabled API, bad input that must change nothing, and a restart.
. "$(dirname "$0")/lib.sh"
gkeid_up

P=demo-project
L=us-central1
BASE=/container/v1/projects/$P/locations/$L
ADMIN_TOKEN=$(gcloud_token)
export API_TOKEN=$ADMIN_TOKEN
NUM=$(jget "$(api GET /cloudresourcemanager/v1/projects/$P)" 'j["projectNumber"]')
AGENT=serviceAccount:service-$NUM@container-engine-robot.iam.gserviceaccount.com

# What gcloud shows is asserted once for each command; state read back after a change
# is read with curl (gcloud starts in a second or more; curl at once).
clusters() { gcloud container clusters list --format='value(name,location)' 2>/dev/null | tr '\t' '/' | sort | tr '\n' ' '; }
# the clusters, a cluster's pool and a node pool's metadata mode, through the API
clusters_api() {
	jget "$(api GET "/container/v1/projects/$P/locations/-/clusters")" \
		'"".join(n + " " for n in sorted(c["name"] + "/" + c["location"] for c in j.get("clusters", [])))'
}
pool_api() {
	jget "$(api GET "/container/v1/projects/$P/locations/$2/clusters/$1")" \
		'j.get("workloadIdentityConfig", {}).get("workloadPool", "")'
}
mode_api() {
	jget "$(api GET "/container/v1/projects/$P/locations/$3/clusters/$2/nodePools/$1")" \
		'j.get("config", {}).get("workloadMetadataConfig", {}).get("mode", "")'
}
ops_api() { jget "$(api GET "/container/v1/projects/$P/locations/-/operations")" 'len(j.get("operations", []))'; }
# The seed's first check: who holds roles/container.serviceAgent on the project (once
# with gcloud, as the seed runs it; then read with curl).
agents() {
	gcloud projects get-iam-policy $P \
		--flatten=bindings \
		--filter=bindings.role=roles/container.serviceAgent \
		--format="value[delimiter='\\n'](bindings.members)" 2>/dev/null
}
agents_api() {
	jget "$(api POST "/cloudresourcemanager/v1/projects/$P:getIamPolicy" '{}')" \
		'"\n".join(m for b in j.get("bindings", []) if b["role"] == "roles/container.serviceAgent" for m in b["members"])'
}

# --- the seed's commands against the demo cluster ---------------------------------------
eq "seed: clusters describe shows the Workload Identity pool" "$P.svc.id.goog" \
	"$(gcloud container clusters describe demo-cluster --location $L --format="value(workloadIdentityConfig.workloadPool)" 2>&1)"
eq "seed: node-pools describe shows the GKE metadata server" GKE_METADATA \
	"$(gcloud container node-pools describe default-pool --cluster=demo-cluster --location $L --format="value(config.workloadMetadataConfig.mode)" 2>&1)"
eq "clusters list shows the demo cluster" "demo-cluster/$L " "$(clusters)"
out=$(gcloud container clusters list 2>&1)
has "clusters list prints GKE's columns" "NAME          LOCATION     MASTER_VERSION" "$out"
has "clusters list: version and status" "1.30.5-gke.1014001" "$out"

out=$(api GET "$BASE/clusters/demo-cluster")
eq "clusters.get: 200" 200 "$(code "$out")"
eq "cluster fields as GKE shows them" \
	"demo-cluster $L $L RUNNING 1.30.5-gke.1014001 1.30.5-gke.1014001 LEGACY_DATAPATH default-pool" \
	"$(jget "$out" '" ".join([j["name"], j["location"], j["zone"], j["status"], j["currentMasterVersion"], j["currentNodeVersion"], j["networkConfig"]["datapathProvider"], j["nodePools"][0]["name"]])')"
eq "selfLink" "https://container.googleapis.com/v1/projects/$P/locations/$L/clusters/demo-cluster" \
	"$(jget "$out" 'j["selfLink"]')"
eq "a regional cluster spans three zones, 3 nodes each" "3 9" \
	"$(jget "$out" 'str(len(j["locations"])) + " " + str(j["currentNodeCount"])')"
out=$(api GET "/container/v1/projects/$P/zones/$L/clusters/demo-cluster")
eq "the legacy zonal path finds it too" "200 demo-cluster" "$(code "$out") $(jget "$out" 'j["name"]')"
out=$(api GET "/container/v1/projects/$NUM/locations/-/clusters")
eq "list by project number over all locations" "demo-cluster" "$(jget "$out" '" ".join(c["name"] for c in j["clusters"])')"

# --- the Kubernetes side: endpoint, CA and get-credentials ----------------------------
# (the endpoint and CA read with curl: gcloud's describe is asserted above)
out=$(api GET "$BASE/clusters/demo-cluster")
ENDPOINT=$(jget "$out" 'j.get("endpoint", "")')
if [ -n "$ENDPOINT" ]; then
	HAVE_KUBE=1
	ca=$(jget "$out" 'j["masterAuth"]["clusterCaCertificate"]')
	has "masterAuth carries a PEM CA (base64)" "BEGIN CERTIFICATE" "$(printf '%s' "$ca" | base64 -d 2>/dev/null)"
	KC=$T_TMP/kubeconfig
	ok "get-credentials" env KUBECONFIG="$KC" gcloud container clusters get-credentials demo-cluster --location $L
	kc=$(cat "$KC" 2>/dev/null)
	has "kubeconfig: the endpoint" "server: https://$ENDPOINT" "$kc"
	has "kubeconfig: an exec user running gke-gcloud-auth-plugin" "command: gke-gcloud-auth-plugin" "$kc"
	has "kubeconfig: GKE's context name" "gke_${P}_${L}_demo-cluster" "$kc"
else
	HAVE_KUBE=0
	echo "# no Kubernetes side wired (endpoint empty): skipping get-credentials"
	out=$(env KUBECONFIG="$T_TMP/kubeconfig" gcloud container clusters get-credentials demo-cluster --location $L 2>&1)
	has "without a Kubernetes side gcloud says the endpoint is missing" "is missing endpoint" "$out"
fi

# --- create, node pools, delete ---------------------------------------------------------
Z=us-central1-a
out=$(gcloud container clusters create c2 --zone $Z --num-nodes 1 --workload-pool=$P.svc.id.goog 2>&1)
if [ $HAVE_KUBE = 1 ]; then
	has "clusters create (zonal, Workload Identity)" "Created [" "$out"
	hasnt "clusters create: no error" "ERROR" "$out"
else
	has "clusters create (zonal, Workload Identity) reaches Created" "Created [" "$out"
fi
eq "list shows both clusters" "c2/$Z demo-cluster/$L " "$(clusters_api)"
eq "c2's pool" "$P.svc.id.goog" "$(pool_api c2 $Z)"
eq "c2's default-pool runs the GKE metadata server" GKE_METADATA "$(mode_api default-pool c2 $Z)"
out=$(api GET "/container/v1/projects/$P/locations/$Z/clusters/c2")
eq "a zonal cluster: one zone, one node" "$Z 1" \
	"$(jget "$out" '" ".join(j["locations"]) + " " + str(j["currentNodeCount"])')"
out=$(gcloud container clusters create c2 --zone $Z --num-nodes 1 2>&1)
has "creating it again: 409 Already exists" "Already exists: projects/$P/locations/$Z/clusters/c2." "$out"

out=$(gcloud container clusters create c3 --region $L --num-nodes 1 --enable-dataplane-v2 2>&1)
has "clusters create (regional, Dataplane V2)" "Created [" "$out"
eq "Dataplane V2 is ADVANCED_DATAPATH" ADVANCED_DATAPATH \
	"$(jget "$(api GET "$BASE/clusters/c3")" 'j["networkConfig"]["datapathProvider"]')"
eq "without Workload Identity there is no pool" "" "$(pool_api c3 $L)"
eq "and node pools have no metadata mode" "" "$(mode_api default-pool c3 $L)"

ok "node-pools create" gcloud container node-pools create np2 --cluster c2 --zone $Z --num-nodes 2
eq "node-pools list" "default-pool np2" \
	"$(gcloud container node-pools list --cluster c2 --zone $Z --format='value(name)' 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
eq "a new pool of a Workload Identity cluster defaults to GKE_METADATA" GKE_METADATA "$(mode_api np2 c2 $Z)"
ok "node-pools update --workload-metadata=GCE_METADATA" \
	gcloud container node-pools update np2 --cluster c2 --zone $Z --workload-metadata=GCE_METADATA
eq "the pool now uses the Compute Engine metadata server" GCE_METADATA "$(mode_api np2 c2 $Z)"
eq "the other pool is unchanged" GKE_METADATA "$(mode_api default-pool c2 $Z)"
ok "node-pools update --workload-metadata=GKE_METADATA" \
	gcloud container node-pools update np2 --cluster c2 --zone $Z --workload-metadata=GKE_METADATA
eq "and back" GKE_METADATA "$(mode_api np2 c2 $Z)"
ok "node-pools delete" gcloud container node-pools delete np2 --cluster c2 --zone $Z --quiet
out=$(gcloud container node-pools describe np2 --cluster c2 --zone $Z 2>&1)
has "a deleted pool: 404" "Not found: projects/$P/locations/$Z/clusters/c2/nodePools/np2." "$out"

ok "clusters delete c2" gcloud container clusters delete c2 --zone $Z --quiet
ok "clusters delete c3" gcloud container clusters delete c3 --region $L --quiet
eq "only the demo cluster is left" "demo-cluster/$L " "$(clusters_api)"
out=$(gcloud container clusters describe c2 --zone $Z 2>&1)
has "a deleted cluster: 404 with GKE's text" "code=404, message=Not found: projects/$P/locations/$Z/clusters/c2." "$out"

ops=$(gcloud container operations list --format='value(operationType,targetLink.basename(),status)' 2>/dev/null)
has "operations list: the create" "CREATE_CLUSTER	c2	DONE" "$ops"
has "operations list: the delete" "DELETE_CLUSTER	c2	DONE" "$ops"
has "operations list: the node pool update" "UPGRADE_NODES	np2	DONE" "$ops"
OP=$(gcloud container operations list --format='value(name)' --filter='operationType=DELETE_CLUSTER' 2>/dev/null | head -n 1)
eq "operations describe" "DELETE_CLUSTER DONE" \
	"$(gcloud container operations describe "$OP" --zone $Z --format='value(operationType,status)' 2>/dev/null | tr '\t' ' ')"

# --- DeployPatch failed (the seed's section) and its fix --------------------------------
eq "seed step 1: the service agent holds roles/container.serviceAgent" "$AGENT" "$(agents)"
eq "the pool leaves GKE_METADATA (GKE refuses to disable Workload Identity under it)" "200" \
	"$(code "$(api PUT "$BASE/clusters/demo-cluster/nodePools/default-pool" '{"workloadMetadataConfig":{"mode":"GCE_METADATA"}}')")"
ok "disable Workload Identity" gcloud container clusters update demo-cluster --location $L --disable-workload-identity
eq "no pool now" "" "$(pool_api demo-cluster $L)"
ok "remove the service agent's role" gcloud projects remove-iam-policy-binding $P \
	--member=$AGENT --role=roles/container.serviceAgent --condition=None
eq "seed step 1 now shows no service agent" "" "$(agents_api)"
out=$(gcloud container clusters update demo-cluster --location $L --workload-pool=$P.svc.id.goog 2>&1)
rc=$?
eq "enabling Workload Identity fails" 1 "$rc"
has "gcloud: the operation finished with DeployPatch failed" "finished with error: DeployPatch failed" "$out"
eq "the cluster is unchanged" "" "$(pool_api demo-cluster $L)"
# The seed quotes Terraform's wording of the same failed operation: its container
# operation waiter returns the operation's statusMessage, wrapped as
# "Error waiting for <activity>: <statusMessage>". Drive the API as Terraform does.
out=$(api PUT "$BASE/clusters/demo-cluster" "{\"update\":{\"desiredWorkloadIdentityConfig\":{\"workloadPool\":\"$P.svc.id.goog\"}}}")
eq "update: 200 with an operation" "200 UPDATE_CLUSTER" "$(code "$out") $(jget "$out" 'j["operationType"]')"
OPNAME=$(jget "$out" 'j["name"]')
out=$(api GET "$BASE/operations/$OPNAME")
eq "operations.get: DONE with statusMessage and error" "DONE|DeployPatch failed|DeployPatch failed" \
	"$(jget "$out" 'j["status"] + "|" + j["statusMessage"] + "|" + j["error"]["message"]')"
eq "Terraform's message for it is the seed's, byte for byte" \
	"Error waiting for updating GKE cluster workload identity config: DeployPatch failed" \
	"Error waiting for updating GKE cluster workload identity config: $(jget "$out" 'j["statusMessage"]')"
eq "seed step 2: the project number" "$NUM" \
	"$(gcloud projects describe $P --format="value(projectNumber)" 2>/dev/null)"
ok "seed step 3: grant the role" gcloud projects add-iam-policy-binding $P \
	--member=serviceAccount:service-$NUM@container-engine-robot.iam.gserviceaccount.com \
	--role=roles/container.serviceAgent \
	--condition=None
eq "seed step 1 shows the service agent again" "$AGENT" "$(agents_api)"
ok "seed step 4: enabling Workload Identity succeeds" \
	gcloud container clusters update demo-cluster --location $L --workload-pool=$P.svc.id.goog
eq "the pool is set" "$P.svc.id.goog" "$(pool_api demo-cluster $L)"
out=$(gcloud container clusters update demo-cluster --location $L --workload-pool=other-project.svc.id.goog 2>&1)
has "another project's pool: 400" "Workload Identity pool must be \"$P.svc.id.goog\"" "$out"
eq "and nothing changed" "$P.svc.id.goog" "$(pool_api demo-cluster $L)"

# --- a caller without permission ------------------------------------------------------
SA=nobody@$P.iam.gserviceaccount.com
# (the account and its key made with curl: gcloud's runs of those are test_iamapi's)
eq "create a service account" 200 "$(code "$(api POST "/iam/v1/projects/$P/serviceAccounts" '{"accountId":"nobody"}')")"
field "$(api POST "/iam/v1/projects/$P/serviceAccounts/$SA/keys" '{}')" "['privateKeyData']" | base64 -d >"$T_TMP/nobody.json"
eq "create its key" "service_account $SA" "$(jget "$(cat "$T_TMP/nobody.json")" 'j["type"] + " " + j["client_email"]')"
cp -r "$CLOUDSDK_CONFIG" "$T_TMP/gcloud-nobody"
NB="env CLOUDSDK_CONFIG=$T_TMP/gcloud-nobody"
ok "activate it in a second gcloud config" $NB gcloud auth activate-service-account --key-file="$T_TMP/nobody.json"
NOBODY_TOKEN=$($NB gcloud auth print-access-token 2>/dev/null)
out=$($NB gcloud container clusters describe demo-cluster --location $L 2>&1)
has "describe without permission: GKE's 403 text" \
	"Required \"container.clusters.get\" permission(s) for \"projects/$P/locations/$L/clusters/demo-cluster\"." "$out"
out=$($NB gcloud container clusters list 2>&1)
has "list without permission" "Required \"container.clusters.list\" permission(s) for \"projects/$P\"." "$out"
out=$(API_TOKEN=$NOBODY_TOKEN api PUT "$BASE/clusters/demo-cluster" '{"update":{"desiredWorkloadIdentityConfig":{"workloadPool":""}}}')
eq "update without permission: 403 PERMISSION_DENIED" "403 PERMISSION_DENIED" "$(code "$out") $(jget "$out" 'j["error"]["status"]')"
eq "and nothing changed" "$P.svc.id.goog" "$(pool_api demo-cluster $L)"
ok "grant it roles/container.clusterViewer" gcloud projects add-iam-policy-binding $P \
	--member=serviceAccount:$SA --role=roles/container.clusterViewer --condition=None
eq "now it may describe the cluster" "$P.svc.id.goog" \
	"$($NB gcloud container clusters describe demo-cluster --location $L --format='value(workloadIdentityConfig.workloadPool)' 2>&1)"
out=$($NB gcloud container clusters delete demo-cluster --location $L --quiet 2>&1)
has "but not delete it" "Required \"container.clusters.delete\" permission(s)" "$out"
out=$(API_TOKEN=bogus api GET "$BASE/clusters/demo-cluster")
eq "a bad token: 401" 401 "$(code "$out")"

# --- not found, bad input ---------------------------------------------------------------
out=$(gcloud container clusters describe nope --location $L 2>&1)
has "a missing cluster: 404" "Not found: projects/$P/locations/$L/clusters/nope." "$out"
out=$(api GET "$BASE/clusters/demo-cluster/nodePools/nope")
eq "a missing node pool: 404" "404 Not found: projects/$P/locations/$L/clusters/demo-cluster/nodePools/nope." \
	"$(code "$out") $(jget "$out" 'j["error"]["message"]')"
out=$(api GET "$BASE/operations/operation-1-deadbeef")
eq "a missing operation: 404" 404 "$(code "$out")"
before=$(api GET "$BASE/clusters/demo-cluster")
out=$(api POST "$BASE/clusters" '{"cluster": {"name": "x"')
eq "malformed JSON: 400" 400 "$(code "$out")"
out=$(api PUT "$BASE/clusters/demo-cluster" '{"update": {"desiredWorkloadIdentityConfig": ')
eq "malformed update JSON: 400" 400 "$(code "$out")"
out=$(api PUT "$BASE/clusters/demo-cluster" '{"update": 5}')
eq "update of the wrong type: 400" 400 "$(code "$out")"
out=$(api PUT "$BASE/clusters/demo-cluster" '{"upgrade": {}}')
eq "unknown field: 400 as Google's parser says" \
	"400 Invalid JSON payload received. Unknown name \"upgrade\": Cannot find field." \
	"$(code "$out") $(jget "$out" 'j["error"]["message"]')"
out=$(api POST "$BASE/clusters" '{"cluster": {"name": "Bad_Name"}}')
eq "an invalid cluster name: 400" 400 "$(code "$out")"
has "with GKE's rule" "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)'" "$out"
out=$(api PUT "$BASE/clusters/demo-cluster/nodePools/default-pool" '{"workloadMetadataConfig": {"mode": "ROOT"}}')
eq "an unknown metadata mode: 400" 400 "$(code "$out")"
out=$(api POST "$BASE/clusters" '{"cluster": {"name": "c4", "nodePools": [{"name": "p", "initialNodeCount": -1}]}}')
eq "a negative node count: 400" 400 "$(code "$out")"
out=$(api GET "/container/v1/projects/$P/locations/US_CENTRAL/clusters")
eq "an invalid location: 400" 400 "$(code "$out")"
eq "bad input changed nothing" "$(jget "$before" 'json.dumps(j, sort_keys=True)')" \
	"$(jget "$(api GET "$BASE/clusters/demo-cluster")" 'json.dumps(j, sort_keys=True)')"
eq "and created nothing" "demo-cluster/$L " "$(clusters_api)"

# --- a disabled API -------------------------------------------------------------------
# (Service Usage through curl here; gcloud's services commands are test_serviceusage's)
eq "disable the Kubernetes Engine API" 200 "$(code "$(api POST "/serviceusage/v1/projects/$P/services/container.googleapis.com:disable" '{}')")"
out=$(api GET "$BASE/clusters/demo-cluster")
eq "calls to it: 403 SERVICE_DISABLED" "403 SERVICE_DISABLED" \
	"$(code "$out") $(jget "$out" 'j["error"]["details"][0]["reason"]')"
has "with Google's text" "Kubernetes Engine API has not been used in project $NUM before or it is disabled" "$out"
eq "enable it again" 200 "$(code "$(api POST "/serviceusage/v1/projects/$P/services/container.googleapis.com:enable" '{}')")"

# --- a restart keeps everything ---------------------------------------------------------
eq "node-pools update before the restart" 200 \
	"$(code "$(api PUT "$BASE/clusters/demo-cluster/nodePools/default-pool" '{"workloadMetadataConfig":{"mode":"GCE_METADATA"}}')")"
nops=$(ops_api)
gkeid_stop
gkeid_up
eq "after a restart: the pool" "$P.svc.id.goog" "$(pool_api demo-cluster $L)"
eq "after a restart: the node pool mode" GCE_METADATA "$(mode_api default-pool demo-cluster $L)"
eq "after a restart: the operations" "$nops" "$(ops_api)"

finish
