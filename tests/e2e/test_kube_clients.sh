#!/usr/bin/env bash
# test_kube_clients.sh - the same kubectl session under every kubectl that gcloud ships
# (kubectl.1.27 through kubectl.1.33, issue 11 "Real clients to test with"): create -f,
# get (Table), describe, explain (OpenAPI), patch, scale of a Deployment, auth can-i and
# auth whoami (SelfSubjectReview); the Table columns of DaemonSets, Jobs, CronJobs,
# HPAs and Ingresses; Debian's python3-kubernetes (list, watch and create through its
# generated clients); npm @kubernetes/client-node (a watch resumed from a
# resourceVersion, then 410 Gone after compaction and the informer's re-list).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
BIN=/usr/lib/google-cloud-sdk/bin

gkeid_up
kube_setup
K=$BIN/kubectl.1.30
[ -x "$K" ] || K=kubectl

run_version() { # $1: minor version; every object is named after it
	v=$1 k=$BIN/kubectl.1.$1 n=web-$1
	cat >"$T_TMP/d$v.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $n, labels: {app: $n}}
spec:
  selector: {matchLabels: {app: $n}}
  template:
    metadata: {labels: {app: $n}}
    spec: {containers: [{name: c, image: nginx}]}
YAML
	eq "1.$v create -f" "deployment.apps/$n created" "$($k create -f "$T_TMP/d$v.yaml" 2>&1)"
	out=$($k get deploy "$n" 2>&1)
	has "1.$v get: Table columns" "NAME     READY   UP-TO-DATE   AVAILABLE   AGE" "$out"
	has "1.$v get: the row" "$n   0/1     0            0" "$out"
	out=$($k describe deploy "$n" 2>&1)
	has "1.$v describe" "Replicas:               1 desired | 0 updated | 0 total | 0 available | 0 unavailable" "$out"
	eq "1.$v describe: the template's image" 1 "$(printf '%s\n' "$out" | grep -cE '^ +Image: +nginx$')"
	out=$($k explain deployment.spec.replicas 2>&1)
	has "1.$v explain" "Number of desired pods." "$out"
	eq "1.$v patch" "deployment.apps/$n patched" \
		"$($k patch deploy "$n" -p '{"metadata":{"labels":{"patched":"yes"}}}' 2>&1)"
	eq "1.$v scale" "deployment.apps/$n scaled" "$($k scale deploy "$n" --replicas=2 2>&1)"
	eq "1.$v the patch and the scale are stored" "yes 2" \
		"$($k get deploy "$n" -o jsonpath='{.metadata.labels.patched} {.spec.replicas}' 2>&1)"
	eq "1.$v auth can-i" "yes" "$($k auth can-i patch deployments.apps 2>&1)"
	# "no", then GKE's reason (the IAM permission it would take)
	has "1.$v auth can-i --as a user with no grant" "no - requires one of" \
		"$($k auth can-i delete nodes --as=nobody@example.com 2>/dev/null)"
	# kubectl 1.27 asks authentication.k8s.io/v1beta1 (or v1alpha1), which 1.30 does not
	# serve by default (test_kube_versions.sh checks its error); 1.28 and later ask v1.
	if [ "$v" -ge 28 ]; then
		out=$($k auth whoami 2>&1)
		has "1.$v auth whoami" "Username    $ADMIN" "$out"
	fi
}

for v in 27 28 29 30 31 32 33; do
	if [ -x "$BIN/kubectl.1.$v" ]; then
		run_version $v
	else
		fail "kubectl.1.$v is not installed beside gcloud"
	fi
done

# Table columns of printers.go (1.30 and later) for DaemonSets, Jobs, CronJobs,
# HorizontalPodAutoscalers and Ingresses, as kubectl prints them.
cat >"$T_TMP/tables.yaml" <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {nodeSelector: {disk: ssd}, containers: [{name: a, image: busybox}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  completions: 3
  template:
    spec: {restartPolicy: Never, containers: [{name: j, image: busybox}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: OnFailure, containers: [{name: n, image: busybox}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web-hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-30}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: front}
spec:
  ingressClassName: gce
  tls: [{hosts: [a.example.com]}]
  rules:
  - host: a.example.com
  - host: b.example.com
YAML
ok "create -f the five kinds" $K create -f "$T_TMP/tables.yaml"
out=$($K get ds agent -o wide 2>&1)
has "DaemonSet columns" "NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE" "$out"
has "... the row" "agent   0         0         0       0            0           disk=ssd" "$out"
has "... wide: containers, images, selector" "a            busybox   app=agent" "$out"
out=$($K get job once 2>&1)
has "Job columns (with 1.30's Status)" "NAME   STATUS    COMPLETIONS   DURATION   AGE" "$out"
has "... the row" "once   Running   0/3" "$out"
out=$($K get cronjob nightly 2>&1)
has "CronJob columns" "NAME      SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE" "$out"
has "... the row" "nightly   0 3 * * *   Etc/UTC    False     0        <none>" "$out"
out=$($K get hpa web-hpa 2>&1)
has "HorizontalPodAutoscaler columns" "NAME      REFERENCE           TARGETS              MINPODS   MAXPODS   REPLICAS   AGE" "$out"
has "... the row" "web-hpa   Deployment/web-30   cpu: <unknown>/80%   2         5         0" "$out"
out=$($K get ingress front 2>&1)
has "Ingress columns" "NAME    CLASS   HOSTS                         ADDRESS   PORTS     AGE" "$out"
has "... the row" "front   gce     a.example.com,b.example.com             80, 443" "$out"

# python3-kubernetes (Debian's package, scripts/deps.sh) with the same kubeconfig; the
# system interpreter, where Debian installs it.
out=$(/usr/bin/python3 "$(dirname "$0")/kube_clients_python.py" 2>&1)
has "python3-kubernetes: create" "create ConfigMap py-one v" "$out"
has "... list" "list ConfigMapList True" "$out"
has "... watch from the list's resourceVersion" "watch ADDED ConfigMap py-two" "$out"
has "... AppsV1Api create with upstream's defaults" "apps create Deployment py-web 1 RollingUpdate" "$out"
has "... AppsV1Api list" "apps list ['py-web']" "$out"
has "... a missing object is an ApiException 404" "error 404 Not Found" "$out"

# npm @kubernetes/client-node (tests/node): a watch resumed from a resourceVersion.
node_watch() { (cd "$ROOT/tests/node" && node kube_watch.js "$server" "$T_TMP/ca.pem" "$ADMIN_TOKEN" "$@" 2>&1); }
out=$(node_watch resume)
has "client-node: a watch from the list's resourceVersion" "watch ADDED node-a" "$out"
eq "... resumed from node-a's resourceVersion: node-b only" "resumed ADDED node-b" \
	"$(printf '%s\n' "$out" | grep '^resumed')"
rv=$(printf '%s\n' "$out" | sed -n 's/^rv //p')
# 410 Gone: history up to node-b compacted away (store_compact's two statements, as
# gkeid up's maintenance runs them once it holds more than its window; the newest
# revision, node-c's, stays), then a watch from node-a's resourceVersion.
eq "one more write" 201 "$(code "$(kjson POST /api/v1/namespaces/default/configmaps '{"metadata":{"name":"node-c"}}')")"
gkeid_stop
newest=$(sqlite3 "$DATA_DIR/store.db" 'SELECT max(rev) FROM log')
sqlite3 "$DATA_DIR/store.db" "DELETE FROM log WHERE rev < $newest; UPDATE meta SET value = $((newest - 1)) WHERE name = 'compact'"
gkeid_up
kube_setup
out=$(node_watch gone "$rv")
has "client-node: a too-old resourceVersion is an ERROR event" "watch ERROR 410" "$out"
has "... with upstream's Expired Status" "status Status 410 Expired too old resource version: $rv ($newest)" "$out"
has "... and the informer re-lists" "relisted true" "$out"

finish
