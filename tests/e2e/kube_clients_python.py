"""kube_clients_python.py - Debian's python3-kubernetes against gkeid (issue 11): loads
the kubeconfig that `gcloud container clusters get-credentials` wrote (its exec plugin is
gke-gcloud-auth-plugin), then create, list and watch through the generated clients.
Prints one line per step for test_kube_clients.sh to compare."""
import sys

from kubernetes import client, config, watch

config.load_kube_config()
core = client.CoreV1Api()
apps = client.AppsV1Api()
ns = "default"

cm = core.create_namespaced_config_map(
    ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-one"), data={"k": "v"}))
print("create", cm.kind, cm.metadata.name, cm.data["k"])
lst = core.list_namespaced_config_map(ns, label_selector="")
print("list", lst.kind, "py-one" in [i.metadata.name for i in lst.items])

# A watch from the list's resourceVersion sees the next create, and only it.
w = watch.Watch()
rv = lst.metadata.resource_version
core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-two")))
for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=10):
    print("watch", ev["type"], ev["object"].kind, ev["object"].metadata.name)
    w.stop()

dep = client.V1Deployment(
    metadata=client.V1ObjectMeta(name="py-web"),
    spec=client.V1DeploymentSpec(
        selector=client.V1LabelSelector(match_labels={"app": "py-web"}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={"app": "py-web"}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")]))))
d = apps.create_namespaced_deployment(ns, dep)
print("apps create", d.kind, d.metadata.name, d.spec.replicas, d.spec.strategy.type)
print("apps list", [i.metadata.name for i in apps.list_namespaced_deployment(ns).items if i.metadata.name == "py-web"])
try:
    core.read_namespaced_config_map("py-missing", ns)
except client.exceptions.ApiException as e:
    print("error", e.status, e.reason)
sys.exit(0)
