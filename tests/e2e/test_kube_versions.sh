#!/usr/bin/env bash
# test_kube_versions.sh - API groups served in more than one version, as Kubernetes 1.30
# serves them by default (pkg/controlplane/instance.go: stableAPIGroupVersionsEnabledByDefault
# has autoscaling/v1 and autoscaling/v2, legacyBetaEnabledByDefaultResources flowcontrol's
# v1beta3; betaAPIGroupVersionsDisabledByDefault has authentication.k8s.io/v1beta1):
# discovery's versions and preferredVersion,
# HorizontalPodAutoscaler in both versions on one storage (autoscaling/v2), converted as
# pkg/apis/autoscaling/v1/conversion.go does, with `kubectl autoscale` (1.30: v1 JSON;
# 1.33: v2, then v1, in protobuf), lists, watches, Tables and explain in v1;
# kubectl 1.27's `auth whoami`, which asks v1beta1 and v1alpha1 and gets upstream's 404;
# a CRD's versions with conversion strategy None (stored in its storage version,
# apiVersion rewritten, the preferred version by kube-aware order); and the protobuf
# bodies of kubectl 1.33's create quota, priorityclass, pdb and ingress.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
BIN=/usr/lib/google-cloud-sdk/bin

gkeid_up
kube_setup
K=$BIN/kubectl.1.30
HPA1=/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers
HPA2=/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers
# warnings METHOD PATH [CURL ARGS]: the Warning headers of the answer, one a line
warnings() { kcurl "$@" -D - -o /dev/null | tr -d '\r' | grep -i '^warning:'; }

# Discovery: both versions, the preferred one first (as kube-apiserver 1.30 answers).
r=$(kcurl GET /apis/autoscaling)
eq "APIGroup autoscaling: v2 and v1, v2 preferred" \
	'200 [{"groupVersion": "autoscaling/v2", "version": "v2"}, {"groupVersion": "autoscaling/v1", "version": "v1"}] {"groupVersion": "autoscaling/v2", "version": "v2"}' \
	"$(code "$r") $(jget "$r" "json.dumps(j['versions']) + ' ' + json.dumps(j['preferredVersion'])")"
r=$(kcurl GET /apis -H 'Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')
eq "aggregated discovery: autoscaling's versions in preference order, status in its own version" \
	"v2 v2, v1 v1" \
	"$(jget "$r" "', '.join(v['version'] + ' ' + v['resources'][0]['subresources'][0]['responseKind']['version'] for g in j['items'] if g['metadata']['name'] == 'autoscaling' for v in g['versions'])")"
r=$(kcurl GET /apis/autoscaling/v1)
eq "APIResourceList autoscaling/v1" "horizontalpodautoscalers HorizontalPodAutoscaler hpa" \
	"$(jget "$r" "' '.join([j['resources'][0]['name'], j['resources'][0]['kind']] + j['resources'][0]['shortNames'])")"
r=$(kcurl GET /apis/flowcontrol.apiserver.k8s.io)
eq "flowcontrol: v1 preferred, v1beta3 still served (legacyBetaEnabledByDefaultResources)" \
	'["flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta3"] v1' \
	"$(jget "$r" "json.dumps([v['groupVersion'] for v in j['versions']]) + ' ' + j['preferredVersion']['version']")"
r=$(kjson POST /apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas '{"apiVersion":"flowcontrol.apiserver.k8s.io/v1beta3","kind":"FlowSchema","metadata":{"name":"fs1"},"spec":{"priorityLevelConfiguration":{"name":"global-default"},"matchingPrecedence":1000}}')
eq "a FlowSchema created through v1beta3" "201 flowcontrol.apiserver.k8s.io/v1beta3" "$(code "$r") $(jget "$r" "j['apiVersion']")"
# deprecation.go's WarningMessage for every request to v1beta3 (deprecated in 1.29, on a
# 1.30 cluster): k8s.io/api/flowcontrol/v1beta3's prerelease lifecycle.
FS_WARN='Warning: 299 - "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema"'
eq "a v1beta3 POST's Warning (a 409 here: fs1 exists)" "$FS_WARN" \
	"$(kjson POST /apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas '{"metadata":{"name":"fs1"}}' -D - -o /dev/null | tr -d '\r' | grep -i '^warning:')"
eq "... a v1beta3 GET's" "$FS_WARN" "$(warnings GET /apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas/fs1)"
eq "... a v1beta3 list of PriorityLevelConfigurations: its kind" \
	'Warning: 299 - "flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration"' \
	"$(warnings GET /apis/flowcontrol.apiserver.k8s.io/v1beta3/prioritylevelconfigurations)"
eq "v1: none" "" "$(warnings GET /apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/fs1)"
eq "kubectl prints it to stderr" \
	"Warning: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema" \
	"$($K get flowschemas.v1beta3.flowcontrol.apiserver.k8s.io fs1 -o name 2>&1 >/dev/null)"
r=$(kcurl GET /apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/fs1)
eq "... read through v1" "200 flowcontrol.apiserver.k8s.io/v1 1000" \
	"$(code "$r") $(jget "$r" "j['apiVersion'] + ' ' + str(j['spec']['matchingPrecedence'])")"
r=$(kcurl GET /apis/authentication.k8s.io)
eq "authentication.k8s.io: v1 alone (1.30 disables v1beta1 by default)" '["authentication.k8s.io/v1"]' \
	"$(jget "$r" "json.dumps([v['groupVersion'] for v in j['versions']])")"

# kubectl 1.27 asks v1beta1, then v1alpha1 (whoami.go); neither is served by a 1.30
# cluster's defaults, so it prints its own "not enabled" error, as against GKE 1.30.
out=$($BIN/kubectl.1.27 auth whoami 2>&1)
eq "kubectl 1.27 auth whoami: upstream's answer to a 1.30 server" "error: the selfsubjectreviews API is not enabled in the cluster
enable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 or authentication.k8s.io/v1beta1 API" "$out"
r=$(kjson POST /apis/authentication.k8s.io/v1beta1/selfsubjectreviews '{"apiVersion":"authentication.k8s.io/v1beta1","kind":"SelfSubjectReview"}')
eq "POST v1beta1 selfsubjectreviews: 404" 404 "$(code "$r")"
has "kubectl 1.28 asks v1" "Username    $ADMIN" "$($BIN/kubectl.1.28 auth whoami 2>&1)"

# kubectl autoscale: 1.30 posts autoscaling/v1 JSON, 1.33 autoscaling/v2 protobuf.
ok "a Deployment to scale" $K create deployment web --image=nginx
eq "kubectl 1.30 autoscale (autoscaling/v1)" "horizontalpodautoscaler.autoscaling/h1 autoscaled" \
	"$($K autoscale deploy web --min=2 --max=5 --cpu-percent=60 --name=h1 2>&1)"
eq "kubectl 1.33 autoscale (autoscaling/v2, protobuf)" "horizontalpodautoscaler.autoscaling/h2 autoscaled" \
	"$($BIN/kubectl.1.33 autoscale deploy web --max=4 --cpu-percent=70 --name=h2 2>&1)"
eq "... its minReplicas defaulted to 1 (v2 SetDefaults_HorizontalPodAutoscaler)" 1 \
	"$($K get hpa.v2.autoscaling h2 -o jsonpath='{.spec.minReplicas}')"
r=$(kjson POST "$HPA2" '{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"bare"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":3}}')
eq "a v2 create with no metrics: the CPU utilization default of 80%, minReplicas 1, in the spec's field order" \
	'201 {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 3, "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}' \
	"$(code "$r") $(jget "$r" "json.dumps(j['spec'])")"
# The status as kube-apiserver encodes autoscaling/v2's Go struct (k8s.io/api
# autoscaling/v2 types.go HorizontalPodAutoscalerStatus: desiredReplicas and
# currentMetrics without omitempty, currentReplicas and conditions with it), whichever
# version wrote the object; a status update is encoded the same way (an empty list of
# current metrics: null, as etcd's protobuf keeps it).
V2_EMPTY='{"desiredReplicas": 0, "currentMetrics": null}'
eq "... its status, in the create's answer" "$V2_EMPTY" "$(jget "$r" "json.dumps(j['status'])")"
eq "... and read back" "$V2_EMPTY" "$(jget "$(kcurl GET "$HPA2/bare")" "json.dumps(j['status'])")"
eq "an object written through v1, read through v2: the same status" "$V2_EMPTY" \
	"$(jget "$(kcurl GET "$HPA2/h1")" "json.dumps(j['status'])")"
r=$(kcurl PATCH "$HPA2/bare/status" -H 'Content-Type: application/merge-patch+json' \
	--data-binary '{"status":{"currentReplicas":2,"desiredReplicas":3,"currentMetrics":[]}}')
eq "a status update through v2" '200 {"currentReplicas": 2, "desiredReplicas": 3, "currentMetrics": null}' \
	"$(code "$r") $(jget "$r" "json.dumps(j['status'])")"
ok "... deleted" $K delete hpa bare
r=$(kcurl GET "$HPA2/h1")
eq "the v1 object read as v2: targetCPUUtilizationPercentage became a Resource metric" \
	'autoscaling/v2 2 5 [{"resource": {"name": "cpu", "target": {"averageUtilization": 60, "type": "Utilization"}}, "type": "Resource"}]' \
	"$(jget "$r" "' '.join([j['apiVersion'], str(j['spec']['minReplicas']), str(j['spec']['maxReplicas']), json.dumps(j['spec']['metrics'], sort_keys=True)])")"
r=$(kcurl GET "$HPA1/h2")
# (minReplicas 1: pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler)
eq "the v2 object read as v1, minReplicas defaulted" 'autoscaling/v1 {"maxReplicas": 4, "minReplicas": 1, "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "targetCPUUtilizationPercentage": 70} {"currentReplicas": 0, "desiredReplicas": 0}' \
	"$(jget "$r" "j['apiVersion'] + ' ' + json.dumps(j['spec'], sort_keys=True) + ' ' + json.dumps(j['status'], sort_keys=True)")"

# What v1 cannot express travels in the round-trip annotations, and comes back.
cat >"$T_TMP/rich.yaml" <<'YAML'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: rich}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Pods
    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 1k}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies: [{type: Percent, value: 10, periodSeconds: 60}]
YAML
ok "create a v2 HPA with a Pods metric and a behavior" $K create -f "$T_TMP/rich.yaml"
r=$(kcurl GET "$HPA2/rich")
eq "the v2 behavior given is defaulted (SetDefaults_HorizontalPodAutoscalerBehavior: both rules filled)" \
	'{"scaleDown": {"policies": [{"periodSeconds": 60, "type": "Percent", "value": 10}], "selectPolicy": "Max", "stabilizationWindowSeconds": 300}, "scaleUp": {"policies": [{"periodSeconds": 15, "type": "Pods", "value": 4}, {"periodSeconds": 15, "type": "Percent", "value": 100}], "selectPolicy": "Max", "stabilizationWindowSeconds": 0}}' \
	"$(jget "$r" "json.dumps(j['spec']['behavior'], sort_keys=True)")"
r=$(kcurl GET "$HPA1/rich")
eq "as v1: the CPU target, the Pods metric in v1 form, the behavior (defaulted) as Go encodes the internal type" \
	'70 [{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"1k"}}] {"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}]},"ScaleDown":{"StabilizationWindowSeconds":300,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":10,"PeriodSeconds":60}]}}' \
	"$(jget "$r" "' '.join([str(j['spec']['targetCPUUtilizationPercentage']), j['metadata']['annotations']['autoscaling.alpha.kubernetes.io/metrics'], j['metadata']['annotations']['autoscaling.alpha.kubernetes.io/behavior']])")"
printf '%s' "${r% *}" >"$T_TMP/rich-v1.json"
ok "a v1 client writes the object back (kubectl replace of the v1 form)" $K replace -f "$T_TMP/rich-v1.json"
r=$(kcurl GET "$HPA2/rich")
eq "... v2 keeps both metrics (the others first, as conversion.go orders them) and the behavior, without the annotations" \
	'Pods,Resource 300 {}' \
	"$(jget "$r" "','.join(m['type'] for m in j['spec']['metrics']) + ' ' + str(j['spec']['behavior']['scaleDown']['stabilizationWindowSeconds']) + ' ' + json.dumps({k: v for k, v in j['metadata'].get('annotations', {}).items() if k.startswith('autoscaling.alpha')})")"

# Lists, watches and Tables in v1.
r=$(kcurl GET "$HPA1")
eq "a v1 list: every item in v1" "autoscaling/v1 autoscaling/v1,autoscaling/v1,autoscaling/v1" \
	"$(jget "$r" "j['apiVersion'] + ' ' + ','.join(i['apiVersion'] for i in j['items'])")"
out=$(kcurl GET "$HPA1?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dh2")
eq "a v1 watch: its events in v1" '{"type":"ADDED","object":{"kind":"HorizontalPodAutoscaler","apiVersion":"autoscaling/v1" 70' \
	"$(printf '%s' "${out% *}" | head -1 | cut -c1-88) $(printf '%s' "${out% *}" | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["object"]["spec"]["targetCPUUtilizationPercentage"])')"
out=$($K get horizontalpodautoscalers.v1.autoscaling h2 2>&1)
has "a v1 Table: printers.go's columns, from the v2 form" "h2     Deployment/web   cpu: <unknown>/70%   1         4         0" "$out"
has "kubectl explain in v1 (OpenAPI v3 of autoscaling/v1)" "FIELD: targetCPUUtilizationPercentage <integer>" \
	"$($K explain hpa.spec.targetCPUUtilizationPercentage --api-version=autoscaling/v1 2>&1)"

# kubectl 1.33 sends protobuf for more of its create subcommands (seen with -v=8);
# decoded as their generated.proto says, they store what kubectl 1.30's JSON stores.
k33=$BIN/kubectl.1.33
ok "1.33 create quota (protobuf ResourceQuota)" $k33 create quota q --hard=pods=3,requests.cpu=500m --scopes=NotTerminating
eq "... its spec: the ResourceList's quantities" '{"hard":{"pods":"3","requests.cpu":"500m"},"scopes":["NotTerminating"]}' \
	"$($K get quota q -o jsonpath='{.spec}')"
ok "1.33 create priorityclass (protobuf)" $k33 create priorityclass pc --value=10 --description=hi --preemption-policy=Never
eq "... value, description, preemptionPolicy" "10 hi Never" \
	"$($K get priorityclass pc -o jsonpath='{.value} {.description} {.preemptionPolicy}')"
ok "1.33 create poddisruptionbudget (protobuf)" $k33 create pdb pdb --selector=app=x --min-available=50%
eq "... an IntOrString and a selector" '{"minAvailable":"50%","selector":{"matchLabels":{"app":"x"}}}' \
	"$($K get pdb pdb -o jsonpath='{.spec}')"
ok "1.33 create ingress (protobuf)" $k33 create ingress web --class=gce --rule='a.com/p*=svc:http,tls=s' --default-backend=def:80
eq "... its rules, with the inlined IngressRuleValue" \
	'{"defaultBackend":{"service":{"name":"def","port":{"number":80}}},"ingressClassName":"gce","rules":[{"host":"a.com","http":{"paths":[{"backend":{"service":{"name":"svc","port":{"name":"http"}}},"path":"/p","pathType":"Prefix"}]}}],"tls":[{"hosts":["a.com"],"secretName":"s"}]}' \
	"$($K get ingress web -o jsonpath='{.spec}')"

# A CRD with several versions and conversion strategy None (apiextensions-apiserver):
# objects are stored in the storage version and served in each served version with
# only apiVersion rewritten; the preferred version is the highest by kube-aware order
# (v1 before v1beta1), whatever the CRD's order; an unserved version is a 404.
cat >"$T_TMP/gizmos.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gizmos, singular: gizmo, kind: Gizmo}
  conversion: {strategy: None}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
  - name: v1alpha1
    served: false
    storage: false
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
YAML
ok "a CRD served in v1beta1 and v1, stored in v1" $K apply -f "$T_TMP/gizmos.yaml"
gizmos_group() { kcurl GET /apis/example.com; }
wait_for 10 output_has '"preferredVersion"' gizmos_group
eq "its APIGroup: v1 preferred, then v1beta1" \
	'[{"groupVersion": "example.com/v1", "version": "v1"}, {"groupVersion": "example.com/v1beta1", "version": "v1beta1"}] v1' \
	"$(jget "$WAIT_OUT" "json.dumps(j['versions']) + ' ' + j['preferredVersion']['version']")"
r=$(kjson POST /apis/example.com/v1beta1/namespaces/default/gizmos '{"apiVersion":"example.com/v1beta1","kind":"Gizmo","metadata":{"name":"g1"},"spec":{"size":2}}')
eq "created through v1beta1" "201 example.com/v1beta1" "$(code "$r") $(jget "$r" "j['apiVersion']")"
r=$(kcurl GET /apis/example.com/v1/namespaces/default/gizmos/g1)
eq "read through v1: apiVersion rewritten, fields as they are" "200 example.com/v1 2" \
	"$(code "$r") $(jget "$r" "j['apiVersion'] + ' ' + str(j['spec']['size'])")"
r=$(kcurl GET /apis/example.com/v1beta1/namespaces/default/gizmos)
eq "listed through v1beta1" "example.com/v1beta1 example.com/v1beta1" \
	"$(jget "$r" "j['apiVersion'] + ' ' + j['items'][0]['apiVersion']")"
eq "an unserved version: 404" 404 "$(code "$(kcurl GET /apis/example.com/v1alpha1/namespaces/default/gizmos)")"
eq "... and no version is deprecated: no Warning" "" "$(warnings GET /apis/example.com/v1beta1/namespaces/default/gizmos)"

# A deprecated CRD version: every request to it gets crdHandler's Warning, the
# version's deprecationWarning or defaultDeprecationWarning's (customresource_handler.go:
# "; use" the newest served version that is not deprecated and is newer in kube-aware order).
python3 - "$T_TMP/gizmos.yaml" >"$T_TMP/gizmos-dep.json" <<'PY'
import json, sys
crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "gizmos.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                "conversion": {"strategy": "None"}, "versions": []}}
schema = {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}
for name, extra in (("v1beta1", {"deprecated": True}), ("v1", {"storage": True}),
                    ("v1alpha1", {"deprecated": True, "deprecationWarning": "example.com/v1alpha1 Gizmo goes away in 2027"}),
                    ("v2beta1", {"deprecated": True, "deprecationWarning": ""})):
    v = {"name": name, "served": True, "storage": False, "schema": schema}
    v.update(extra)
    crd["spec"]["versions"].append(v)
print(json.dumps(crd))
PY
ok "v1beta1, v1alpha1 and v2beta1 marked deprecated" $K apply -f "$T_TMP/gizmos-dep.json"
wait_for 10 output_is 200 code_of kcurl GET /apis/example.com/v1alpha1/namespaces/default/gizmos
eq "GET through the deprecated v1beta1: the default Warning, naming v1 (not v2beta1: deprecated)" \
	'Warning: 299 - "example.com/v1beta1 Gizmo is deprecated; use example.com/v1 Gizmo"' \
	"$(warnings GET /apis/example.com/v1beta1/namespaces/default/gizmos/g1)"
eq "... a POST too, whatever its answer" \
	'Warning: 299 - "example.com/v1beta1 Gizmo is deprecated; use example.com/v1 Gizmo"' \
	"$(warnings POST /apis/example.com/v1beta1/namespaces/default/gizmos -H 'Content-Type: application/json' -d '{}')"
eq "v1alpha1: its own deprecationWarning" 'Warning: 299 - "example.com/v1alpha1 Gizmo goes away in 2027"' \
	"$(warnings GET /apis/example.com/v1alpha1/namespaces/default/gizmos)"
eq "v2beta1: an empty deprecationWarning, no Warning" "" "$(warnings GET /apis/example.com/v2beta1/namespaces/default/gizmos)"
eq "v1: none" "" "$(warnings GET /apis/example.com/v1/namespaces/default/gizmos)"
out=$($K get gizmos.v1beta1.example.com g1 -o name 2>&1 >/dev/null)
eq "kubectl prints it to stderr" "Warning: example.com/v1beta1 Gizmo is deprecated; use example.com/v1 Gizmo" "$out"

finish
