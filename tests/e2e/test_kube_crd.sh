#!/usr/bin/env bash
# test_kube_crd.sh - CustomResourceDefinitions (apiextensions.k8s.io/v1, issue 11) with
# the real kubectl and curl:
#   - a CRD is defaulted (singular, listKind, conversion) and gets upstream's status
#     (NamesAccepted, Established, acceptedNames, storedVersions);
#   - its resources are in discovery as soon as the create returns (a store watch);
#   - custom resources are pruned, defaulted and validated by the structural schema, in
#     kube-openapi's words;
#   - the status subresource: status written only through /status, kept by updates;
#   - additionalPrinterColumns in the Table kubectl prints;
#   - server-side apply with the schema's list-map keys;
#   - RBAC on custom resources (auth can-i --as), and GKE's IAM name
#     container.thirdPartyObjects.*;
#   - a CRD without a storage version or with a wrong name is refused (422).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
gkeid_up
kube_setup
W=$T_TMP/work
mkdir -p "$W"
k() { $K "$@" 2>&1; }

cat >"$W/crd.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    kind: Widget
    shortNames: [wd]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Size
      type: string
      jsonPath: .spec.size
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large]}
              replicas: {type: integer, default: 1, minimum: 1}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [port]
                items:
                  type: object
                  required: [port]
                  properties:
                    port: {type: integer}
                    name: {type: string}
          status:
            type: object
            properties:
              phase: {type: string}
EOF
out=$(kjson POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions "$($K create --dry-run=client -f "$W/crd.yaml" -o json)")
eq "create the CRD" 201 "$(code "$out")"
eq "... defaulted names and conversion" 'widget WidgetList None' \
	"$(jget "${out% *}" 'j["spec"]["names"]["singular"] + " " + j["spec"]["names"]["listKind"] + " " + j["spec"]["conversion"]["strategy"]')"
eq "... upstream's status" 'NamesAccepted:True:NoConflicts:no conflicts found Established:True:InitialNamesAccepted:the initial names have been accepted ["v1"] widgets' \
	"$(jget "${out% *}" '" ".join("%s:%s:%s:%s" % (c["type"], c["status"], c["reason"], c["message"]) for c in j["status"]["conditions"]) + " " + json.dumps(j["status"]["storedVersions"]) + " " + j["status"]["acceptedNames"]["plural"]')"
# discovery at once: the very next request
out=$(kcurl GET /apis/example.com/v1)
eq "discovery right after the create" 'widgets Widget True wd' \
	"$(jget "${out% *}" '" ".join("%s %s %s %s" % (r["name"], r["kind"], r["namespaced"], ",".join(r.get("shortNames", []))) for r in j["resources"] if "/" not in r["name"])')"
has "kubectl api-resources lists it" "widgets" "$(k api-resources --api-group=example.com)"

cat >"$W/w1.yaml" <<'EOF'
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
  namespace: default
spec:
  size: small
  ports:
  - port: 80
    name: http
EOF
eq "kubectl apply --server-side of a custom resource" "widget.example.com/w1 serverside-applied" \
	"$(k apply --server-side -f "$W/w1.yaml")"
out=$(kcurl GET /apis/example.com/v1/namespaces/default/widgets/w1)
eq "defaulted (replicas: 1)" '{"ports": [{"name": "http", "port": 80}], "replicas": 1, "size": "small"}' \
	"$(jget "${out% *}" 'json.dumps(j["spec"], sort_keys=True)')"
eq "the manager owns the port by its key" '{"f:spec": {"f:ports": {"k:{\"port\":80}": {".": {}, "f:name": {}, "f:port": {}}}, "f:size": {}}}' \
	"$(jget "${out% *}" 'json.dumps(j["metadata"]["managedFields"][0]["fieldsV1"], sort_keys=True)')"
printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  ports:\n  - port: 9090\n    name: metrics\n' >"$W/w1b.yaml"
ok "a second manager adds a port" $K apply --server-side --field-manager=metrics -f "$W/w1b.yaml"
eq "ports merged by key" "http:80 metrics:9090" \
	"$(jget "$(kcurl GET /apis/example.com/v1/namespaces/default/widgets/w1)" '" ".join("%s:%s" % (p["name"], p["port"]) for p in j["spec"]["ports"])')"

out=$(kjson POST /apis/example.com/v1/namespaces/default/widgets '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w2"},"spec":{"size":"large","junk":1},"junk":2}')
eq "a create keeps only what the schema declares (pruning)" '201 {"size": "large", "replicas": 1} False' \
	"$(code "$out") $(jget "${out% *}" 'json.dumps(j["spec"])') $(jget "${out% *}" '"junk" in j')"
out=$(kjson POST /apis/example.com/v1/namespaces/default/widgets '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w3"},"spec":{"size":"huge","replicas":"two"}}')
eq "validation in kube-openapi's words: 422" \
	'422 spec.size: Unsupported value: "huge": supported values: "small", "large" | spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"' \
	"$(code "$out") $(jget "${out% *}" '" | ".join(c["field"] + ": " + c["message"] for c in j["details"]["causes"])')"

# the status subresource
ok "status through /status" $K patch widget w1 --subresource=status --type=merge -p '{"status":{"phase":"Ready"}}'
ok "an update of the main resource" $K patch widget w1 --type=merge -p '{"spec":{"replicas":2},"status":{"phase":"Lost"}}'
eq "status kept by the main resource, spec changed" 'Ready 2' \
	"$(k get widget w1 -o jsonpath='{.status.phase} {.spec.replicas}')"

# printer columns
eq "kubectl get prints the printer columns" "NAME   SIZE    REPLICAS
w1     small   2
w2     large   1" "$(k get widgets)"

# RBAC and GKE's IAM name for custom resources
eq "no access before a binding" "no" "$(k auth can-i list widgets.example.com --as=system:serviceaccount:default:reader)"
ok "a ClusterRole for widgets" $K create clusterrole widget-reader --verb=get,list --resource=widgets.example.com
ok "... bound in default" $K create rolebinding widget-reader --clusterrole=widget-reader --serviceaccount=default:reader
eq "RBAC grants it" "yes" "$(k auth can-i list widgets.example.com --as=system:serviceaccount:default:reader)"
eq "... in that namespace only" "no" "$(k auth can-i list widgets.example.com -n kube-system --as=system:serviceaccount:default:reader)"

# CRDs upstream refuses
out=$(kjson POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions '{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.com"},"spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"things","kind":"Gadget"},"versions":[{"name":"v1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object"}}}]}}')
eq "a wrong name and no storage version: 422" \
	'422 metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group | spec.versions: Invalid value: "0 versions": must have exactly one version marked as storage version' \
	"$(code "$out") $(jget "${out% *}" '" | ".join(c["field"] + ": " + c["message"] for c in j["details"]["causes"])')"

# Deleting a CRD deletes its objects (apiextensions-apiserver: the Delete of
# customresourcedefinition/etcd.go marks it, the finalizer controller empties it).
eq "widgets exist before the CRD goes" 1 "$(jget "$(kcurl GET /apis/example.com/v1/widgets)" "len(j['items']) > 0 and 1")"
out=$(kcurl DELETE /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com)
eq "DELETE of a CRD: 200 with the CRD marked as upstream's first DELETE marks it" \
	"200 ['customresourcecleanup.apiextensions.k8s.io'] True InstanceDeletionPending CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon 1" \
	"$(code "$out") $(jget "$out" "' '.join([str(j['metadata']['finalizers']), *[c['status'] + ' ' + c['reason'] + ' ' + c['message'] for c in j['status']['conditions'] if c['type'] == 'Terminating'], str(int('deletionTimestamp' in j['metadata']))])")"
out=$(kcurl GET /apis/example.com/v1/namespaces/default/widgets)
eq "its resources are no longer served" 404 "$(code "$out")"
ok "the CRD again" $K apply -f "$W/crd.yaml"
widgets() { w=$(kcurl GET /apis/example.com/v1/widgets); echo "$(code "$w") $(jget "$w" "len(j['items'])")"; }
wait_for 10 output_is "200 0" widgets
eq "... serves none of the old objects: they went with the CRD" "200 0" "$WAIT_OUT"

# A DELETE of the CRD collection deletes each CRD as a single DELETE does, its objects too
# (the generic registry's DeleteCollection deletes item by item; it was the CRDs alone).
ok "a widget under the new CRD" $K apply -f - <<'EOF'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w9, namespace: default}
spec: {size: small, replicas: 1}
EOF
eq "... stored" "200 1" "$(widgets)"
out=$(kcurl DELETE "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
eq "DELETE of the CRD collection: 200, each item marked as a single DELETE marks it" \
	"200 CustomResourceDefinitionList widgets.example.com ['customresourcecleanup.apiextensions.k8s.io'] True" \
	"$(code "$out") $(jget "$out" "' '.join([j['kind'], *[i['metadata']['name'] + ' ' + str(i['metadata'].get('finalizers')) + ' ' + str('deletionTimestamp' in i['metadata']) for i in j['items'] if i['metadata']['name'] == 'widgets.example.com']])")"
ok "the CRD once more" $K apply -f "$W/crd.yaml"
wait_for 10 output_is "200 0" widgets
eq "... serves none of the objects the collection's delete took" "200 0" "$WAIT_OUT"
finish
