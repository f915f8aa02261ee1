#!/usr/bin/env bash
# test_kube_builtin.sh - the built-in API groups of Kubernetes 1.30 as kubectl meets them
# (issue 11): apps/v1 create, get (Table columns), scale (the scale subresource),
# patch, status, explain (OpenAPI v3 with the schemas), discovery of the groups, the
# generic path for kinds without server-side behaviour (batch, policy, storage,
# coordination, ...), upstream's errors (an unknown resource type, a wrong media type),
# GKE's IAM fallback on apps (container.deployments.*), and an older kubectl beside
# gcloud's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"

gkeid_up
kube_setup
K127=/usr/lib/google-cloud-sdk/bin/kubectl.1.27
[ -x "$K127" ] || K127=$K

# kubectl create deployment: apps/v1 with upstream's defaults.
out=$($K create deployment web --image=nginx 2>&1)
eq "kubectl create deployment" "deployment.apps/web created" "$out"
d=$(kcurl GET /apis/apps/v1/namespaces/default/deployments/web)
eq "GET the deployment: 200" 200 "$(code "$d")"
eq "SetDefaults_Deployment" "1 RollingUpdate 25% 25% 10 600" \
	"$(jget "$d" "' '.join(str(x) for x in [j['spec']['replicas'], j['spec']['strategy']['type'], j['spec']['strategy']['rollingUpdate']['maxUnavailable'], j['spec']['strategy']['rollingUpdate']['maxSurge'], j['spec']['revisionHistoryLimit'], j['spec']['progressDeadlineSeconds']])")"
eq "the pod template's defaults" "Always ClusterFirst default-scheduler 30 Always" \
	"$(jget "$d" "' '.join(str(x) for x in [j['spec']['template']['spec']['restartPolicy'], j['spec']['template']['spec']['dnsPolicy'], j['spec']['template']['spec']['schedulerName'], j['spec']['template']['spec']['terminationGracePeriodSeconds'], j['spec']['template']['spec']['containers'][0]['imagePullPolicy']])")"
eq "metadata.generation 1" 1 "$(jget "$d" "j['metadata']['generation']")"
out=$($K get deployments 2>&1)
has "kubectl get deployments: upstream's columns" "NAME   READY   UP-TO-DATE   AVAILABLE   AGE" "$out"
has "... the row (no controller: 0/1)" "web    0/1     0            0" "$out"
out=$($K get deploy web -o wide 2>&1)
has "-o wide: containers, images, selector" "CONTAINERS   IMAGES   SELECTOR" "$out"
has "... values" "nginx        nginx    app=web" "$out"

# The scale subresource (autoscaling/v1 Scale).
out=$($K scale deployment web --replicas=3 2>&1)
eq "kubectl scale" "deployment.apps/web scaled" "$out"
s=$(kcurl GET /apis/apps/v1/namespaces/default/deployments/web/scale)
eq "GET .../scale" "Scale autoscaling/v1 3 0 app=web" \
	"$(jget "$s" "' '.join(str(x) for x in [j['kind'], j['apiVersion'], j['spec']['replicas'], j['status']['replicas'], j['status']['selector']])")"
eq "the deployment's replicas and generation" "3 2" \
	"$($K get deploy web -o jsonpath='{.spec.replicas} {.metadata.generation}')"
s=$(kjson PUT /apis/apps/v1/namespaces/default/deployments/web/scale '{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":-1}}')
eq "a negative scale: 422 as ValidateScale" '422 Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0' \
	"$(code "$s") $(jget "$s" "j['message']")"

# ReplicaSets and StatefulSets: defaults, scale and their Table columns.
cat >"$T_TMP/sets.yaml" <<'EOF'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: front}
spec:
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres}]}
EOF
ok "kubectl apply of a ReplicaSet and a StatefulSet" $K apply -f "$T_TMP/sets.yaml"
ok "kubectl scale statefulset" $K scale statefulset db --replicas=2
out=$($K get replicasets 2>&1)
has "ReplicaSet columns" "NAME    DESIRED   CURRENT   READY   AGE" "$out"
has "... its row" "front   1         0         0" "$out"
out=$($K get statefulsets 2>&1)
has "StatefulSet columns and row" "db     0/2" "$out"

# patch and the status subresource (kept apart from the main resource).
out=$($K patch deployment web -p '{"spec":{"template":{"metadata":{"labels":{"tier":"web"}}}}}' 2>&1)
eq "kubectl patch (strategic merge)" "deployment.apps/web patched" "$out"
s=$(kcurl PATCH "/apis/apps/v1/namespaces/default/deployments/web/status" -H 'Content-Type: application/merge-patch+json' --data-binary '{"status":{"replicas":3,"readyReplicas":2}}')
eq "PATCH .../status: 200" 200 "$(code "$s")"
s=$(kcurl PATCH "/apis/apps/v1/namespaces/default/deployments/web" -H 'Content-Type: application/merge-patch+json' --data-binary '{"status":{"replicas":9}}')
eq "status through the main resource is ignored" "3" "$(jget "$s" "j['status']['replicas']")"
has "READY from the stored status" "web    2/3" "$($K get deploy web 2>&1)"

# explain reads the OpenAPI v3 schemas.
out=$($K explain deployment.spec.replicas 2>&1)
has "kubectl explain deployment.spec.replicas" "Number of desired pods." "$out"
has "... its group" "GROUP:      apps" "$out"
out=$($K explain statefulsets 2>&1)
has "kubectl explain statefulsets" "StatefulSet represents a set of pods with consistent identities." "$out"
r=$(kcurl GET /openapi/v3)
url=$(jget "$r" "j['paths']['apis/apps/v1']['serverRelativeURL']")
has "the root names apps/v1 with a hash" "/openapi/v3/apis/apps/v1?hash=" "$url"
h=$(curl -sS -D - -o "$T_TMP/apps.json" --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $ADMIN_TOKEN" "$server$url")
has "the hashed document is immutable" "Cache-Control: public, immutable" "$h"
etag=$(printf '%s' "$h" | sed -n 's/^Etag: *//Ip' | tr -d '\r')
has "... has an ETag" '"' "$etag"
eq "the ETag is the hash" "\"${url##*hash=}\"" "$etag"
eq "If-None-Match: 304" 304 "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T_TMP/ca.pem" -H "Authorization: Bearer $ADMIN_TOKEN" -H "If-None-Match: $etag" "$server/openapi/v3/apis/apps/v1")"
eq "the Deployment schema and its GVK" "apps Deployment v1" \
	"$(jget "$(cat "$T_TMP/apps.json")" "' '.join(j['components']['schemas']['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'][0][k] for k in ('group','kind','version'))")"

# The generic path: kinds without server-side behaviour, stored and served.
cat >"$T_TMP/generic.yaml" <<'EOF'
apiVersion: v1
kind: List
items:
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: nightly}
  spec:
    schedule: "0 3 * * *"
    jobTemplate:
      spec:
        template:
          spec:
            restartPolicy: OnFailure
            containers: [{name: c, image: busybox}]
- apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: web}
  spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
- apiVersion: coordination.k8s.io/v1
  kind: Lease
  metadata: {name: leader}
  spec: {holderIdentity: me}
- apiVersion: storage.k8s.io/v1
  kind: StorageClass
  metadata: {name: fast}
  provisioner: pd.csi.storage.gke.io
EOF
out=$($K apply -f "$T_TMP/generic.yaml" 2>&1)
has "kubectl apply -f of a List: a CronJob" "cronjob.batch/nightly created" "$out"
has "... a PodDisruptionBudget" "poddisruptionbudget.policy/web created" "$out"
has "... a Lease" "lease.coordination.k8s.io/leader created" "$out"
has "... a StorageClass" "storageclass.storage.k8s.io/fast created" "$out"
eq "SetDefaults_CronJob" "Allow 3 1" "$($K get cronjob nightly -o jsonpath='{.spec.concurrencyPolicy} {.spec.successfulJobsHistoryLimit} {.spec.failedJobsHistoryLimit}')"
out=$($K get leases,storageclasses 2>&1)
has "get of two generic kinds" "lease.coordination.k8s.io/leader" "$out"
out=$($K delete lease leader 2>&1)
eq "delete" 'lease.coordination.k8s.io "leader" deleted' "$out"
cat >"$T_TMP/sar.yaml" <<'EOF'
apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  user: alice@example.com
  resourceAttributes: {verb: get, group: apps, resource: deployments, namespace: default}
EOF
out=$($K create -f "$T_TMP/sar.yaml" -o jsonpath='{.status.allowed}' 2>&1)
eq "kubectl create -f of a SubjectAccessReview passes validation" "false" "$out"

# kubectl create job and cronjob (protobuf bodies, batch/v1 defaults).
out=$($K create job once --image=busybox 2>&1)
eq "kubectl create job" "job.batch/once created" "$out"
eq "... SetDefaults_Job and the template" "1 1 6 NonIndexed Never busybox" \
	"$($K get job once -o jsonpath='{.spec.parallelism} {.spec.completions} {.spec.backoffLimit} {.spec.completionMode} {.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].image}')"
out=$($K create cronjob tick --image=busybox --schedule='*/5 * * * *' 2>&1)
eq "kubectl create cronjob" "cronjob.batch/tick created" "$out"
eq "... its schedule and job template" "*/5 * * * * OnFailure busybox" \
	"$($K get cronjob tick -o jsonpath='{.spec.schedule} {.spec.jobTemplate.spec.template.spec.restartPolicy} {.spec.jobTemplate.spec.template.spec.containers[0].image}')"

# Discovery: the groups and their resources.
out=$($K api-resources 2>&1)
rows() { printf '%s\n' "$out" | grep -E "$1" | tr -s ' '; }
eq "api-resources: deployments" "deployments deploy apps/v1 true Deployment" "$(rows '^deployments ')"
eq "... horizontalpodautoscalers" "horizontalpodautoscalers hpa autoscaling/v2 true HorizontalPodAutoscaler" "$(rows '^horizontalpodautoscalers ')"
eq "... flowschemas" "flowschemas flowcontrol.apiserver.k8s.io/v1 false FlowSchema" "$(rows '^flowschemas ')"
eq "... 56 resource types (customresourcedefinitions included)" 56 "$(printf '%s\n' "$out" | tail -n +2 | wc -l)"
r=$(kcurl GET /apis/apps/v1)
eq "discovery lists deployments/scale" "Scale autoscaling v1" \
	"$(jget "$r" "' '.join([[x['kind'], x['group'], x['version']] for x in j['resources'] if x['name']=='deployments/scale'][0])")"

# Errors as upstream.
out=$($K get frobnicators 2>&1)
eq "an unknown resource type" 'error: the server doesn'"'"'t have a resource type "frobnicators"' "$out"
r=$(kcurl GET /apis/apps/v1/namespaces/default/frobnicators)
eq "an unknown resource: 404 NotFound Status" "404 Status NotFound" "$(code "$r") $(jget "$r" "j['kind']+' '+j['reason']")"
r=$(kcurl POST /apis/apps/v1/namespaces/default/deployments -H 'Content-Type: text/plain' --data-binary 'x')
eq "a wrong media type: 415 as upstream" '415 UnsupportedMediaType the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf' \
	"$(code "$r") $(jget "$r" "j['reason']+' '+j['message']")"

# GKE's IAM fallback on apps: container.deployments.*
google_sa_kubectl deployer
out=$($AS_SA $K get deployments 2>&1)
has "without IAM: GKE's Forbidden" 'requires one of ["container.deployments.list"] permission(s).' "$out"
ok "grant roles/container.viewer" grant projects/demo-project "serviceAccount:$SA" roles/container.viewer
wait_for 30 output_has "web" $AS_SA $K get deployments
has "with container.viewer: the list" "web" "$WAIT_OUT"
out=$($AS_SA $K scale deployment web --replicas=1 2>&1)
has "... but no updateScale" 'container.deployments.updateScale' "$out"

# An older kubectl beside gcloud's.
out=$($K127 get deployment web -o jsonpath='{.spec.replicas}' 2>&1)
eq "kubectl 1.27 reads apps/v1" "3" "$out"
out=$($K127 create deployment api --image=nginx:1.27 2>&1)
eq "kubectl 1.27 creates a deployment" "deployment.apps/api created" "$out"
out=$($K127 explain deployment.spec.paused 2>&1)
has "kubectl 1.27 explain" "Indicates that the deployment is paused." "$out"

finish
