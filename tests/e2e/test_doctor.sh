#!/usr/bin/env bash
# test_doctor.sh - `gkeid doctor` against gkeid through public APIs only: a healthy KSA
# and pod pass every check (text and JSON, in the contract's order); usage errors and
# unreachable APIs exit 2; the token and the cluster come from a file, the environment,
# gcloud or the flags; NetworkPolicy egress (deny-all fails, the doctor's own fix makes
# it pass; Dataplane V2 moves the address to 169.254.169.254:80); Istio, DNS and
# metadata-startup warnings, a crash-looping gke-metadata-server with OOMKilled; and
# `doctor rbac` for an allowed and a denied request.
. "$(dirname "$0")/lib.sh"
gkeid_up
P=demo-project
L=us-central1
GSA=app-gsa@$P.iam.gserviceaccount.com
D="$GKEID doctor"
export HOME=$T_TMP/home
mkdir -p "$HOME"

ok "create the GSA" sa_create app-gsa
ok "create the KSA" kubectl create serviceaccount app
ok "annotate it" kubectl annotate serviceaccount app iam.gke.io/gcp-service-account=$GSA
ok "bind it" grant serviceAccounts/$GSA "serviceAccount:$P.svc.id.goog[default/app]" roles/iam.workloadIdentityUser

# --- a healthy service account: everything passes ------------------------------------
out=$($D workload-identity --namespace default --serviceaccount app --output json)
eq "healthy KSA: exit 0" 0 $?
eq "the checks, in the contract's order" \
	"iamcredentials-api workload-pool node-pool-metadata ksa-annotation gsa-binding network-policy control-plane token-exchange metadata-dns istio metadata-server metadata-startup service-agent" \
	"$(jget "$out" "' '.join(c['id'] for c in j['checks'])")"
eq "failed is 0" 0 "$(jget "$out" "j['failed']")"
eq "every check has id, status, title, evidence, fix" "True" \
	"$(jget "$out" "all(set(c)=={'id','status','title','evidence','fix'} for c in j['checks'])")"
eq "no check failed" "" "$(jget "$out" "' '.join(c['id'] for c in j['checks'] if c['status']=='fail')")"
has "evidence names the API call" "/serviceusage/v1/projects/$P/services/iamcredentials.googleapis.com: state ENABLED" \
	"$(dfield iamcredentials-api evidence "$out")"
has "token-exchange reaches generateAccessToken" ":generateAccessToken: 200" "$(dfield token-exchange evidence "$out")"
has "the workload pool is read from clusters.get" "workloadIdentityConfig.workloadPool = $P.svc.id.goog" \
	"$(dfield workload-pool evidence "$out")"
eq "without a pod, pod checks skip" "skip skip skip" \
	"$(dst metadata-dns "$out") $(dst istio "$out") $(dst metadata-startup "$out")"
text=$($D workload-identity -n default --serviceaccount app)
has "text output: one block per check" "[PASS] gsa-binding: serviceAccount:$P.svc.id.goog[default/app] may impersonate $GSA" "$text"
has "text output: a summary line" "doctor: 13 checks: 10 pass, 0 fail, 3 skip" "$text"
# Both runs above took their token from gcloud; the rest take the admin's token from
# the environment, which spares a gcloud start (a second or more) per run.
GKEID_DOCTOR_ACCESS_TOKEN=$(gcloud_token)
export GKEID_DOCTOR_ACCESS_TOKEN

# --- a pod: its node pool, its events -------------------------------------------------
$GKEID exec --serviceaccount app --name app-pod -- sleep 600 >/dev/null 2>&1 &
EXEC_PID=$!
wait_for 30 kubectl get pod app-pod
out=$($D workload-identity --pod app-pod --output json)
eq "--pod: exit 0" 0 $?
eq "--pod: pod checks run" "pass pass pass" \
	"$(dst metadata-dns "$out") $(dst istio "$out") $(dst metadata-startup "$out")"
has "--pod: the KSA comes from the pod" "serviceaccounts/app" "$(dfield ksa-annotation evidence "$out")"
has "--pod: the pod's node is looked up" "/api/v1/nodes/local-node" "$(dfield node-pool-metadata evidence "$out")"
has "--pod: its node pool comes from the Node's label (up registers local-node)" \
	"label cloud.google.com/gke-nodepool = default-pool" "$(dfield node-pool-metadata evidence "$out")"
eq "kubectl get nodes: local-node, Ready, in default-pool" "local-node Ready default-pool" \
	"$(kubectl get nodes -L cloud.google.com/gke-nodepool --no-headers | awk '{print $1, $2, $NF}')"

# --- usage errors and unreachable APIs exit 2 ------------------------------------------
$D >/dev/null 2>&1; eq "no subcommand: 2" 2 $?
$D workload-identity >/dev/null 2>&1; eq "neither --serviceaccount nor --pod: 2" 2 $?
$D workload-identity --pod a --serviceaccount b >/dev/null 2>&1; eq "both: 2" 2 $?
$D workload-identity --serviceaccount app -o yaml >/dev/null 2>&1; eq "bad --output: 2" 2 $?
$D rbac --user u >/dev/null 2>&1; eq "rbac without --verb/--resource: 2" 2 $?
$D bogus >/dev/null 2>&1; eq "unknown check: 2" 2 $?
has "--help answers what it needs" "gcloud credentials and a" "$($D --help)"
err=$(GKEID_CLOUD_URL=http://127.0.0.1:1 $D workload-identity --serviceaccount app 2>&1)
eq "Google APIs unreachable: 2" 2 $?
has "... says so, Go style" "dial tcp 127.0.0.1:1: connect: connection refused" "$err"
echo bogus-token >"$T_TMP/tok"
err=$($D workload-identity --serviceaccount app --access-token-file "$T_TMP/tok" 2>&1)
eq "a bad token from --access-token-file: 2" 2 $?
has "... the Container API's 401 is shown" "HTTP 401" "$err"
CLOUDSDK_CONFIG=$T_TMP/nogcloud $D workload-identity --serviceaccount app >/dev/null 2>&1
eq "GKEID_DOCTOR_ACCESS_TOKEN alone (gcloud has no account) works" 0 $?
KUBECONFIG=/dev/null $D workload-identity --serviceaccount app --project $P --location $L \
	--cluster demo-cluster >/dev/null 2>&1
eq "--project/--location/--cluster without a kubeconfig" 0 $?
err=$(KUBECONFIG=/dev/null $D workload-identity --serviceaccount app --project $P --location $L --cluster nope 2>&1)
eq "a missing cluster: 2" 2 $?
has "... named" "nope" "$err"

# --- NetworkPolicy: deny-all egress, then the doctor's fix ---------------------------
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress
spec:
  podSelector: {}
  policyTypes: [Egress]
EOF
out=$($D workload-identity --pod app-pod --output json)
eq "deny-all egress: exit 1" 1 $?
eq "network-policy fails" fail "$(dst network-policy "$out")"
has "... at the metadata server's address for 1.30 (169.254.169.252:988)" "169.254.169.252:988" \
	"$(dfield network-policy title "$out")"
has "... naming the policy" "deny-egress" "$(dfield network-policy evidence "$out")"
has "... with the seed's describe command" "kubectl describe networkpolicy deny-egress" \
	"$(dfield network-policy evidence "$out")"
fix=$(dfield network-policy fix "$out")
has "the fix allows 169.254.169.252/32 port 988" "cidr: 169.254.169.252/32" "$fix"
ok "apply the doctor's fix as printed" sh -c "$fix"
out=$($D workload-identity --pod app-pod --output json)
eq "after the fix: network-policy passes" pass "$(dst network-policy "$out")"
has "... allowed by the new policy" "allowed by NetworkPolicy default/allow-gke-metadata-server" \
	"$(dfield network-policy evidence "$out")"
# a policy that selects other pods only does not matter
kubectl delete networkpolicy allow-gke-metadata-server deny-egress >/dev/null
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-only
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Egress]
EOF
eq "a policy for other pods: pass" pass "$(dst network-policy "$($D workload-identity --pod app-pod --output json)")"
kubectl delete networkpolicy db-only >/dev/null

# Dataplane V2: pods reach the metadata server on 169.254.169.254:80
# (its own kubeconfig: create would switch KUBECONFIG's current context to it)
ok "a Dataplane V2 cluster" env KUBECONFIG="$T_TMP/dp2.kubeconfig" gcloud container clusters create dp2 --location $L \
	--workload-pool=$P.svc.id.goog --enable-dataplane-v2
out=$($D workload-identity --serviceaccount default --cluster dp2 --location $L --project $P --output json)
has "Dataplane V2: the doctor checks 169.254.169.254:80" "169.254.169.254:80" "$(dfield network-policy evidence "$out")"
has "... because of ADVANCED_DATAPATH" "ADVANCED_DATAPATH" "$(dfield network-policy evidence "$out")"

# --- Istio, DNS and startup events on a pod -------------------------------------------
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: mesh
  annotations:
    sidecar.istio.io/status: '{"containers":["istio-proxy"]}'
spec:
  serviceAccountName: app
  containers:
  - {name: main, image: debian}
  - {name: istio-proxy, image: proxyv2}
EOF
ev() { # ev NAME REASON MESSAGE: a Warning event on pod mesh
	kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Event
metadata: {name: $1}
involvedObject: {kind: Pod, name: mesh, namespace: default}
type: Warning
reason: $2
message: "$3"
EOF
}
ev mesh.1 ProxyNotReady "istio-proxy is not ready"
ev mesh.2 DNSConfigForming "Search Line limits were exceeded; metadata.google.internal does not resolve"
ev mesh.3 MetadataServerNotReady "the GKE metadata server is not ready for the pod yet"
out=$($D workload-identity --pod mesh --output json)
eq "an injected pod without the annotations: istio fails" fail "$(dst istio "$out")"
has "... with the ProxyNotReady event as evidence" "ProxyNotReady" "$(dfield istio evidence "$out")"
has "... and the seed's annotations as the fix" "proxy.istio.io/config: '{ \"holdApplicationUntilProxyStarts\": true }'" \
	"$(dfield istio fix "$out")"
eq "DNSConfigForming about metadata.google.internal: metadata-dns fails" fail "$(dst metadata-dns "$out")"
has "... fix: GCE_METADATA_HOST" 'value: "169.254.169.254"' "$(dfield metadata-dns fix "$out")"
eq "MetadataServerNotReady: metadata-startup fails" fail "$(dst metadata-startup "$out")"
has "... fix: the seed's initContainer" "Retry limit exceeded. Failed to wait for metadata server to be available." \
	"$(dfield metadata-startup fix "$out")"
kubectl annotate pod mesh traffic.sidecar.istio.io/excludeOutboundIPRanges=10.0.0.0/8,169.254.169.254/32 >/dev/null
eq "excludeOutboundIPRanges covering 169.254.169.254/32: istio passes" pass \
	"$(dst istio "$($D workload-identity --pod mesh --output json)")"
kubectl annotate pod mesh --overwrite traffic.sidecar.istio.io/excludeOutboundIPRanges=10.0.0.0/8 >/dev/null
kubectl annotate pod mesh 'proxy.istio.io/config={ "holdApplicationUntilProxyStarts": true }' >/dev/null
eq "holdApplicationUntilProxyStarts: istio passes" pass \
	"$(dst istio "$($D workload-identity --pod mesh --output json)")"

# --- a crash-looping gke-metadata-server ------------------------------------------------
kubectl run gke-metadata-server-dtest --image=x --restart=Never -n kube-system >/dev/null
kubectl patch pod gke-metadata-server-dtest -n kube-system --subresource=status --type=merge -p \
	'{"status":{"containerStatuses":[{"name":"m","state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":{"reason":"OOMKilled"}},"restartCount":194}]}}' >/dev/null
out=$($D workload-identity --serviceaccount app --output json)
eq "CrashLoopBackOff: metadata-server fails" fail "$(dst metadata-server "$out")"
has "... OOMKilled named" "OOMKilled" "$(dfield metadata-server title "$out")"
has "... the seed's commands" "kubectl describe pod gke-metadata-server-dtest --namespace=kube-system | grep OOMKilled" \
	"$(dfield metadata-server fix "$out")"
kubectl delete pod gke-metadata-server-dtest -n kube-system >/dev/null

# --- the control plane down (gkeid fault) -----------------------------------------------
ok "gkeid fault set control-plane-down" "$GKEID" fault set control-plane-down
out=$($D workload-identity --serviceaccount app --output json)
eq "control plane down: exit 1" 1 $?
eq "control-plane fails" fail "$(dst control-plane "$out")"
EP=$(gcloud container clusters describe demo-cluster --format='value(endpoint)' 2>/dev/null)
has "... with Go's dial error, as the seed's log line" "dial tcp $EP: connect: connection refused" \
	"$(dfield control-plane evidence "$out")"
eq "... the Kubernetes-side checks skip" "skip skip skip skip" \
	"$(dst ksa-annotation "$out") $(dst network-policy "$out") $(dst token-exchange "$out") $(dst metadata-server "$out")"
eq "... the Google-side checks still run" "pass pass pass" \
	"$(dst iamcredentials-api "$out") $(dst workload-pool "$out") $(dst service-agent "$out")"
ok "gkeid fault clear control-plane-down" "$GKEID" fault clear control-plane-down
eq "back: control-plane passes" pass "$(dst control-plane "$($D workload-identity --serviceaccount app --output json)")"

# --- doctor rbac ---------------------------------------------------------------------------
out=$($D rbac --user admin@example.com --verb list --resource roles -n kube-system --output json)
eq "rbac: the owner is allowed (exit 0)" 0 $?
eq "... by IAM" pass "$(dst iam "$out")"
out=$($D rbac --user nobody@example.com --verb get --resource pods/log -n default --output json)
eq "rbac: a stranger is denied (exit 1)" 1 $?
has "pods/log is container.pods.getLogs" "container.pods.getLogs" "$(dfield resource title "$out")"
has "the kubectl fix" "kubectl create rolebinding pods-log-get-nobody --role=pods-log-get --user=nobody@example.com -n default" \
	"$(dfield rbac fix "$out")"
ok "apply the RBAC fix as printed" sh -c "$(dfield rbac fix "$out")"
out=$($D rbac --user nobody@example.com --verb get --resource pods/log -n default --output json)
eq "after it: allowed" "pass pass" "$(dst rbac "$out") $(dst access "$out")"
has "... by the new binding" "RoleBinding default/pods-log-get-nobody -> Role pods-log-get" "$(dfield rbac evidence "$out")"

# issue 10 §7: a --resource whose parts do not fit is refused (exit 2, says so), not
# looked up cut short
long=$(printf 'a%.0s' $(seq 1 151))
out=$($D rbac --user nobody@example.com --verb get --resource "$long" 2>&1)
eq "rbac: a 151-byte resource: exit 2" 2 $?
has "... the message" "is too long (at most 150 bytes of resource, 199 of group, 99 of subresource)" "$out"
out=$($D rbac --user nobody@example.com --verb get --resource "pods/${long:0:100}" 2>&1)
eq "rbac: a 100-byte subresource: exit 2" 2 $?
has "... the message" "gkeid doctor: --resource \"pods/aaaa" "$out"
out=$($D rbac --user nobody@example.com --verb get --resource "${long:0:150}" --output json 2>&1)
eq "rbac: a 150-byte resource is looked up (the cluster serves none such: exit 1)" 1 $?

kill "$EXEC_PID" 2>/dev/null; wait "$EXEC_PID" 2>/dev/null
finish
