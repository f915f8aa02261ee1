#!/usr/bin/env bash
# test_kube_operator.sh - an operator's install manifest, as real projects ship them
# (issue 11 "A real operator's manifests"): a namespace, CustomResourceDefinitions with
# structural schemas, status and scale subresources and printer columns, service
# accounts, ClusterRoles over the custom resources and their subresources,
# ClusterRoleBindings, a leader-election Role and RoleBinding in kube-system, the
# webhook's namespaced Role, a Deployment and a Service. The manifest is written here
# in the style of cert-manager's install manifest (one file, many kinds), not copied.
#   - `kubectl apply -f`, then `kubectl apply --server-side -f` of the same file (the
#     usual move from client-side to server-side apply) succeed, and apply again is a
#     no-op ("unchanged" / "serverside-applied");
#   - the service accounts get exactly the access the roles describe, checked with
#     `kubectl auth can-i --as=system:serviceaccount:...` (yes and no);
#   - the custom resources work: the controller's status write, the scale subresource
#     (kubectl scale, specReplicasPath/statusReplicasPath/labelSelectorPath, as
#     apiextensions-apiserver's scaleFromCustomResource) and the printer columns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kube_lib.sh"
gkeid_up
kube_setup
M=$T_TMP/operator.yaml
k() { $K "$@" 2>&1; }

cat >"$M" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: acme-system
  labels: {app.kubernetes.io/part-of: acme}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: certificates.acme.example.io
  labels: {app.kubernetes.io/part-of: acme}
spec:
  group: acme.example.io
  names:
    kind: Certificate
    listKind: CertificateList
    plural: certificates
    singular: certificate
    shortNames: [acmecert]
    categories: [acme]
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Secret, type: string, jsonPath: .spec.secretName}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            required: [secretName, issuerRef]
            properties:
              secretName: {type: string}
              dnsNames: {type: array, items: {type: string}}
              duration: {type: string, default: 2160h}
              issuerRef:
                type: object
                required: [name]
                properties:
                  name: {type: string}
                  kind: {type: string, enum: [Issuer, ClusterIssuer], default: Issuer}
          status:
            type: object
            properties:
              notAfter: {type: string, format: date-time}
              conditions:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [type]
                items:
                  type: object
                  required: [type, status]
                  properties:
                    type: {type: string}
                    status: {type: string, enum: ["True", "False", "Unknown"]}
                    message: {type: string}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: clusterissuers.acme.example.io
  labels: {app.kubernetes.io/part-of: acme}
spec:
  group: acme.example.io
  names: {kind: ClusterIssuer, listKind: ClusterIssuerList, plural: clusterissuers, singular: clusterissuer}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              selfSigned: {type: object}
              acme:
                type: object
                properties:
                  server: {type: string}
                  email: {type: string}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: solverpools.acme.example.io
  labels: {app.kubernetes.io/part-of: acme}
spec:
  group: acme.example.io
  names: {kind: SolverPool, listKind: SolverPoolList, plural: solverpools, singular: solverpool}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.readyReplicas
        labelSelectorPath: .status.selector
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: {type: integer, minimum: 0, default: 1}
          status:
            type: object
            properties:
              readyReplicas: {type: integer}
              selector: {type: string}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: acme-controller, namespace: acme-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: acme-webhook, namespace: acme-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: acme-controller-certificates
  labels: {app.kubernetes.io/part-of: acme}
rules:
- apiGroups: [acme.example.io]
  resources: [certificates, certificates/status]
  verbs: [get, list, watch, update, patch]
- apiGroups: [acme.example.io]
  resources: [solverpools, solverpools/scale, solverpools/status]
  verbs: [get, list, watch, update, patch]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, update, delete, patch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: acme-controller-clusterissuers
  labels: {app.kubernetes.io/part-of: acme}
rules:
- apiGroups: [acme.example.io]
  resources: [clusterissuers, clusterissuers/status]
  verbs: [get, list, watch, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: acme-edit
  labels: {app.kubernetes.io/part-of: acme}
rules:
- apiGroups: [acme.example.io]
  resources: [certificates]
  verbs: [create, delete, deletecollection, patch, update, get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: acme-controller-certificates}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: acme-controller-certificates}
subjects:
- {kind: ServiceAccount, name: acme-controller, namespace: acme-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: acme-controller-clusterissuers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: acme-controller-clusterissuers}
subjects:
- {kind: ServiceAccount, name: acme-controller, namespace: acme-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: acme:leaderelection, namespace: kube-system}
rules:
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: acme:leaderelection, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: acme:leaderelection}
subjects:
- {kind: ServiceAccount, name: acme-controller, namespace: acme-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: acme-webhook:dynamic-serving, namespace: acme-system}
rules:
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [acme-webhook-ca]
  verbs: [get, list, watch, update]
- apiGroups: [""]
  resources: [secrets]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: acme-webhook:dynamic-serving, namespace: acme-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: acme-webhook:dynamic-serving}
subjects:
- {kind: ServiceAccount, name: acme-webhook, namespace: acme-system}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: acme-controller
  namespace: acme-system
  labels: {app.kubernetes.io/name: acme-controller}
spec:
  replicas: 1
  selector: {matchLabels: {app.kubernetes.io/name: acme-controller}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: acme-controller}
    spec:
      serviceAccountName: acme-controller
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: controller
        image: registry.example.io/acme/controller:v1.0.0
        args: [--v=2, --leader-election-namespace=kube-system]
        ports: [{containerPort: 9402, name: http-metrics, protocol: TCP}]
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
        env:
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
---
apiVersion: v1
kind: Service
metadata: {name: acme-controller, namespace: acme-system}
spec:
  type: ClusterIP
  selector: {app.kubernetes.io/name: acme-controller}
  ports: [{name: tcp-prometheus-servicemonitor, port: 9402, targetPort: 9402, protocol: TCP}]
EOF

# Install: client-side apply, then server-side apply of the same file.
out=$(k apply -f "$M")
eq "kubectl apply -f: every object created" 17 "$(printf '%s\n' "$out" | grep -c ' created$')"
has "... the CRDs among them" "customresourcedefinition.apiextensions.k8s.io/solverpools.acme.example.io created" "$out"
out=$(k apply -f "$M")
eq "kubectl apply -f again: nothing changes" 17 "$(printf '%s\n' "$out" | grep -c ' unchanged$')"
out=$(k apply --server-side -f "$M")
eq "kubectl apply --server-side -f over it: every object applied, no conflict" 17 \
	"$(printf '%s\n' "$out" | grep -c ' serverside-applied$')"
has "... (the Deployment)" "deployment.apps/acme-controller serverside-applied" "$out"
eq "... the field manager kubectl uses now owns the Deployment's fields" "kubectl Apply" \
	"$(k get deploy acme-controller -n acme-system -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl")].manager} {.metadata.managedFields[?(@.manager=="kubectl")].operation}')"
out=$(k apply --server-side -f "$M")
eq "kubectl apply --server-side -f again" 17 "$(printf '%s\n' "$out" | grep -c ' serverside-applied$')"

# The service accounts get exactly what the roles say.
ctl=system:serviceaccount:acme-system:acme-controller
wh=system:serviceaccount:acme-system:acme-webhook
can() { $K auth can-i "$@" 2>/dev/null; } # (kubectl warns of a namespace on cluster scope)
eq "controller: update certificates/status in any namespace" yes \
	"$(can update certificates.acme.example.io --subresource=status -n team-a --as=$ctl)"
eq "controller: list certificates across namespaces" yes "$(can list certificates.acme.example.io -A --as=$ctl)"
eq "controller: but not create them (that is acme-edit's)" no \
	"$(can create certificates.acme.example.io -n team-a --as=$ctl)"
eq "controller: update clusterissuers/status" yes \
	"$(can update clusterissuers.acme.example.io --subresource=status --as=$ctl)"
eq "controller: not delete clusterissuers" no "$(can delete clusterissuers.acme.example.io --as=$ctl)"
eq "controller: patch solverpools/scale" yes \
	"$(can patch solverpools.acme.example.io --subresource=scale -n team-a --as=$ctl)"
eq "controller: create secrets" yes "$(can create secrets -n team-a --as=$ctl)"
eq "controller: no pods" no "$(can get pods -n team-a --as=$ctl)"
eq "controller: leases in kube-system (leader election)" yes \
	"$(can update leases.coordination.k8s.io -n kube-system --as=$ctl)"
eq "controller: not in another namespace" no "$(can update leases.coordination.k8s.io -n default --as=$ctl)"
eq "webhook: its own CA secret by name" yes \
	"$(can update secrets/acme-webhook-ca -n acme-system --as=$wh)"
eq "webhook: not another secret" no "$(can update secrets/other -n acme-system --as=$wh)"
eq "webhook: create secrets in its namespace" yes "$(can create secrets -n acme-system --as=$wh)"
eq "webhook: not elsewhere" no "$(can create secrets -n default --as=$wh)"
eq "webhook: no certificates" no "$(can list certificates.acme.example.io -A --as=$wh)"

# The custom resources, as the controller drives them.
ok "a namespace for a team" $K create namespace team-a
cat >"$T_TMP/cert.yaml" <<'EOF'
apiVersion: acme.example.io/v1
kind: Certificate
metadata: {name: web, namespace: team-a}
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
EOF
ok "a Certificate (server-side apply)" $K apply --server-side -f "$T_TMP/cert.yaml"
eq "... defaulted by its schema" "2160h ClusterIssuer" \
	"$(k get certificate web -n team-a -o jsonpath='{.spec.duration} {.spec.issuerRef.kind}')"
ok "the controller marks it Ready (status subresource, as the controller's SA)" \
	$K patch certificate web -n team-a --subresource=status --type=merge --as=$ctl \
	-p '{"status":{"conditions":[{"type":"Ready","status":"True","message":"issued"}]}}'
out=$(k get acmecert -n team-a)
has "kubectl get: the CRD's printer columns" "web    True    web-tls" "$out"
ok "a SolverPool" $K apply -n team-a -f - <<'EOF'
apiVersion: acme.example.io/v1
kind: SolverPool
metadata: {name: http01}
EOF
eq "kubectl scale of a custom resource (its scale subresource), as the controller" \
	"solverpool.acme.example.io/http01 scaled" "$(k scale solverpool http01 -n team-a --replicas=3 --as=$ctl)"
ok "... its status: ready replicas and selector" $K patch solverpool http01 -n team-a \
	--subresource=status --type=merge -p '{"status":{"readyReplicas":2,"selector":"app=solver"}}'
out=$(kcurl GET /apis/acme.example.io/v1/namespaces/team-a/solverpools/http01/scale)
eq "GET .../scale: specReplicasPath, statusReplicasPath, labelSelectorPath" \
	"200 Scale autoscaling/v1 3 2 app=solver" \
	"$(code "$out") $(jget "$out" "' '.join([j['kind'], j['apiVersion'], str(j['spec']['replicas']), str(j['status']['replicas']), j['status']['selector']])")"
r=$(kcurl GET /apis/acme.example.io/v1)
eq "discovery: the subresources each CRD version declares" \
	"certificates/status clusterissuers/status solverpools/scale solverpools/status" \
	"$(jget "$r" "' '.join(sorted(x['name'] for x in j['resources'] if '/' in x['name']))")"
# OpenAPI of the custom resources (apiextensions-apiserver's builder: the schema, with
# metadata as ObjectMeta), so kubectl explain works for them.
out=$(k explain certificate.spec.issuerRef)
has "kubectl explain of a custom resource: its schema's fields" "name	<string> -required-" "$out"
has "... and enums" "enum: Issuer, ClusterIssuer" "$out"
has "kubectl explain of its metadata: ObjectMeta's" "FIELD: name <string>" "$(k explain certificate.metadata.name)"
r=$(kcurl GET /openapi/v3/apis/acme.example.io/v1)
eq "OpenAPI v3: definitions named as upstream's builder names them, with their GVK" \
	"io.example.acme.v1.Certificate Certificate" \
	"$(jget "$r" "' '.join([k + ' ' + v['x-kubernetes-group-version-kind'][0]['kind'] for k, v in j['components']['schemas'].items() if k.endswith('.Certificate')])")"
r=$(kcurl GET /openapi/v2)
eq "OpenAPI v2 has them too" "io.example.acme.v1.ClusterIssuer io.example.acme.v1.SolverPool" \
	"$(jget "$r" "' '.join(sorted(k for k in j['definitions'] if k.startswith('io.example.acme.') and not k.endswith('Certificate')))")"
out=$(k scale solverpool http01 -n team-a --replicas=4 --as=$wh)
has "the webhook's SA may not scale it (kubectl reads it first)" \
	"is forbidden: User \"$wh\" cannot get resource \"solverpools\" in API group \"acme.example.io\"" "$out"

finish
