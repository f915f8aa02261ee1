/*
 * table.c - server-side Table output (see table.h): the columns of kube-apiserver's
 * printers (pkg/printers/internalversion) for the kinds gkeid serves, each kind's
 * printer, and the Table around the rows (the cells are table_cells.c's). The server
 * prints "wide" rows always (priority-1 cells included); kubectl hides priority-1
 * columns unless -o wide.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kube/crdserve.h"
#include "kube/table.h"
#include "kube/table_impl.h"
#include "kube/util.h"

#define D_NAME                                                                             \
	"Name must be unique within a namespace. Is required when creating resources, "  \
	"although some resources may allow a client to request the generation of an "     \
	"appropriate name automatically. Name is primarily intended for creation "        \
	"idempotence and configuration definition. Cannot be updated. More info: "        \
	"https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define D_AGE                                                                              \
	"CreationTimestamp is a timestamp representing the server time when this object " \
	"was created. It is not guaranteed to be set in happens-before order across "     \
	"separate operations. Clients may not set this value. It is represented in "      \
	"RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "     \
	"lists. More info: "                                                              \
	"https://git.k8s.io/community/contributors/devel/sig-architecture/"               \
	"api-conventions.md#metadata"

struct column {
	const char *name, *type, *format, *description;
	int priority;
};

#define COL_NAME {"Name", "string", "name", D_NAME, 0}
#define COL_AGE {"Age", "string", "", D_AGE, 0}
#define COL_END {NULL, NULL, NULL, NULL, 0}

static const struct column c_pods[] = {
	COL_NAME,
	{"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0},
	{"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
	{"Restarts", "string", "",
	 "The number of times the containers in this pod have been restarted and when the last "
	 "container in this pod has restarted.",
	 0},
	COL_AGE,
	{"IP", "string", "",
	 "podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
	 "yet allocated.",
	 1},
	{"Node", "string", "",
	 "NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
	 "candidate for preemption by the scheduler.",
	 1},
	{"Nominated Node", "string", "",
	 "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
	 "cannot be scheduled right away as preemption victims receive their graceful "
	 "termination periods.",
	 1},
	{"Readiness Gates", "string", "",
	 "If specified, all readiness gates will be evaluated for pod readiness.", 1},
	COL_END,
};

static const struct column c_namespaces[] = {
	COL_NAME,
	{"Status", "string", "", "The status of the namespace", 0},
	COL_AGE,
	COL_END,
};

static const struct column c_serviceaccounts[] = {
	COL_NAME,
	{"Secrets", "string", "",
	 "Secrets is a list of the secrets in the same namespace that pods running using this "
	 "ServiceAccount are allowed to use.",
	 0},
	COL_AGE,
	COL_END,
};

static const struct column c_configmaps[] = {
	COL_NAME,
	{"Data", "string", "",
	 "Data contains the configuration data. Each key must consist of alphanumeric characters, "
	 "'-', '_' or '.'.",
	 0},
	COL_AGE,
	COL_END,
};

static const struct column c_secrets[] = {
	COL_NAME,
	{"Type", "string", "", "Used to facilitate programmatic handling of secret data.", 0},
	{"Data", "string", "",
	 "Data contains the secret data. Each key must consist of alphanumeric characters, '-', "
	 "'_' or '.'.",
	 0},
	COL_AGE,
	COL_END,
};

static const struct column c_events[] = {
	{"Last Seen", "string", "",
	 "The time at which the most recent occurrence of this event was recorded.", 0},
	{"Type", "string", "", "Type of this event (Normal, Warning), new types could be added in the future", 0},
	{"Reason", "string", "",
	 "This should be a short, machine understandable string that gives the reason for the "
	 "transition into the object's current status.",
	 0},
	{"Object", "string", "", "The object that this event is about.", 0},
	{"Subobject", "string", "",
	 "If referring to a piece of an object instead of an entire object, this string should "
	 "contain a valid JSON/Go field access statement, such as "
	 "desiredState.manifest.containers[2].",
	 1},
	{"Source", "string", "",
	 "The component reporting this event. Should be a short machine understandable string.", 1},
	{"Message", "string", "", "A human-readable description of the status of this operation.", 0},
	{"First Seen", "string", "",
	 "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
	 1},
	{"Count", "string", "", "The number of times this event has occurred.", 1},
	{"Name", "string", "name", D_NAME, 1},
	COL_END,
};

static const struct column c_nodes[] = {
	COL_NAME,
	{"Status", "string", "", "The status of the node", 0},
	{"Roles", "string", "", "The roles of the node", 0},
	COL_AGE,
	{"Version", "string", "", "Kubelet Version reported by the node.", 0},
	{"Internal-IP", "string", "", "List of addresses reachable to the node.", 1},
	{"External-IP", "string", "", "List of addresses reachable to the node.", 1},
	{"OS-Image", "string", "",
	 "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1},
	{"Kernel-Version", "string", "",
	 "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1},
	{"Container-Runtime", "string", "",
	 "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
	 "containerd://1.4.2).",
	 1},
	COL_END,
};

static const struct column c_networkpolicies[] = {
	COL_NAME,
	{"Pod-Selector", "string", "",
	 "Selects the pods to which this NetworkPolicy object applies.", 0},
	COL_AGE,
	COL_END,
};

static const struct column c_roles[] = {
	COL_NAME,
	{"Created At", "date", "", D_AGE, 0},
	COL_END,
};

static const struct column c_bindings[] = {
	COL_NAME,
	{"Role", "string", "", "RoleRef can reference a Role in the current namespace or a "
			       "ClusterRole in the global namespace.", 0},
	COL_AGE,
	{"Users", "string", "", "Users in the roleBinding", 1},
	{"Groups", "string", "", "Groups in the roleBinding", 1},
	{"ServiceAccounts", "string", "", "ServiceAccounts in the roleBinding", 1},
	COL_END,
};

static const struct column c_services[] = {
	COL_NAME,
	{"Type", "string", "",
	 "type determines how the Service is exposed. Defaults to ClusterIP.", 0},
	{"Cluster-IP", "string", "",
	 "clusterIP is the IP address of the service and is usually assigned randomly.", 0},
	{"External-IP", "string", "",
	 "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
	 "traffic for this service.",
	 0},
	{"Port(s)", "string", "", "The list of ports that are exposed by this service.", 0},
	COL_AGE,
	{"Selector", "string", "",
	 "Route service traffic to pods with label keys and values matching this selector.", 1},
	COL_END,
};

static const struct column c_default[] = {
	COL_NAME,
	{"Created At", "date", "", D_AGE, 0},
	COL_END,
};

/* printers.go's deployment columns (1.30); the descriptions are the 1.30 API docs. */
static const struct column c_deployments[] = {
	COL_NAME,
	{"Ready", "string", "", "Number of the pod with ready state", 0},
	{"Up-to-date", "string", "",
	 "Total number of non-terminated pods targeted by this deployment that have the desired "
	 "template spec.",
	 0},
	{"Available", "string", "",
	 "Total number of available pods (ready for at least minReadySeconds) targeted by this "
	 "deployment.",
	 0},
	COL_AGE,
	{"Containers", "string", "", "Names of each container in the template.", 1},
	{"Images", "string", "", "Images referenced by each container in the template.", 1},
	{"Selector", "string", "",
	 "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
	 "the ones affected by this deployment. It must match the pod template's labels.",
	 1},
	COL_END,
};

static const struct column c_replicasets[] = {
	COL_NAME,
	{"Desired", "integer", "",
	 "Replicas is the number of desired replicas. This is a pointer to distinguish between "
	 "explicit zero and unspecified. Defaults to 1. More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/"
	 "#what-is-a-replicationcontroller",
	 0},
	{"Current", "integer", "",
	 "Replicas is the most recently observed number of replicas. More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/"
	 "#what-is-a-replicationcontroller",
	 0},
	{"Ready", "integer", "",
	 "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.",
	 0},
	COL_AGE,
	{"Containers", "string", "", "Names of each container in the template.", 1},
	{"Images", "string", "", "Images referenced by each container in the template.", 1},
	{"Selector", "string", "",
	 "Selector is a label query over pods that should match the replica count. Label keys "
	 "and values that must match in order to be controlled by this replica set. It must "
	 "match the pod template's labels. More info: "
	 "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
	 "#label-selectors",
	 1},
	COL_END,
};

static const struct column c_statefulsets[] = {
	COL_NAME,
	{"Ready", "string", "", "Number of the pod with ready state", 0},
	COL_AGE,
	{"Containers", "string", "", "Names of each container in the template.", 1},
	{"Images", "string", "", "Images referenced by each container in the template.", 1},
	COL_END,
};

/* printers.go's DaemonSet, Job, CronJob, HorizontalPodAutoscaler and Ingress columns
 * (kubernetes/pkg/printers/internalversion, 1.30 and later); the descriptions are
 * the API docs of the fields they show. */
#define D_CONTAINERS                                                                               \
	{                                                                                          \
		"Containers", "string", "", "Names of each container in the template.", 1          \
	}
#define D_IMAGES                                                                                   \
	{                                                                                          \
		"Images", "string", "", "Images referenced by each container in the template.", 1  \
	}
#define D_SELECTOR(doc)                                                                            \
	{                                                                                          \
		"Selector", "string", "", doc, 1                                                   \
	}
#define DOC_JOB_SELECTOR                                                                           \
	"A label query over pods that should match the pod count. Normally, the system sets "      \
	"this field for you. More info: "                                                          \
	"https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"                \
	"#label-selectors"

static const struct column c_daemonsets[] = {
	COL_NAME,
	{"Desired", "integer", "",
	 "The total number of nodes that should be running the daemon pod (including nodes "
	 "correctly running the daemon pod). More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
	 0},
	{"Current", "integer", "",
	 "The number of nodes that are running at least 1 daemon pod and are supposed to run the "
	 "daemon pod. More info: "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
	 0},
	{"Ready", "integer", "",
	 "numberReady is the number of nodes that should be running the daemon pod and have one or "
	 "more of the daemon pod running with a Ready Condition.",
	 0},
	{"Up-to-date", "integer", "",
	 "The total number of nodes that are running updated daemon pod", 0},
	{"Available", "integer", "",
	 "The number of nodes that should be running the daemon pod and have one or more of the "
	 "daemon pod running and available (ready for at least spec.minReadySeconds)",
	 0},
	{"Node Selector", "string", "",
	 "NodeSelector is a selector which must be true for the pod to fit on a node. Selector "
	 "which must match a node's labels for the pod to be scheduled on that node. More info: "
	 "https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
	 0},
	COL_AGE,
	D_CONTAINERS,
	D_IMAGES,
	D_SELECTOR(
		"A label query over pods that are managed by the daemon set. Must match in order "
		"to be controlled. It must match the pod template's labels. More info: "
		"https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
		"#label-selectors"),
	COL_END,
};

static const struct column c_jobs[] = {
	COL_NAME,
	{"Status", "string", "", "Status of the job.", 0},
	{"Completions", "string", "",
	 "The number of pods which reached phase Succeeded. The value increases monotonically for "
	 "a given spec. However, it may decrease in reaction to scale down of elastic indexed "
	 "jobs.",
	 0},
	{"Duration", "string", "", "Time required to complete the job.", 0},
	COL_AGE,
	D_CONTAINERS,
	D_IMAGES,
	D_SELECTOR(DOC_JOB_SELECTOR),
	COL_END,
};

static const struct column c_cronjobs[] = {
	COL_NAME,
	{"Schedule", "string", "",
	 "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0},
	{"Timezone", "string", "",
	 "The time zone name for the given schedule, see "
	 "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this "
	 "will "
	 "default to the time zone of the kube-controller-manager process. The set of valid time "
	 "zone names and the time zone offset is loaded from the system-wide time zone database by "
	 "the API server during CronJob validation and the controller manager during execution. If "
	 "no system-wide time zone database can be found a bundled version of the database is used "
	 "instead. If the time zone name becomes invalid during the lifetime of a CronJob or due "
	 "to "
	 "a change in host configuration, the controller will stop creating new new Jobs and will "
	 "create a system event with the reason UnknownTimeZone. More information can be found in "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
	 0},
	{"Suspend", "boolean", "",
	 "This flag tells the controller to suspend subsequent executions, it does not apply to "
	 "already started executions.  Defaults to false.",
	 0},
	{"Active", "integer", "", "A list of pointers to currently running jobs.", 0},
	{"Last Schedule", "string", "",
	 "Information when was the last time the job was successfully scheduled.", 0},
	COL_AGE,
	D_CONTAINERS,
	D_IMAGES,
	D_SELECTOR(DOC_JOB_SELECTOR),
	COL_END,
};

static const struct column c_hpas[] = {
	COL_NAME,
	{"Reference", "string", "",
	 "scaleTargetRef points to the target resource to scale, and is used to the pods for which "
	 "metrics should be collected, as well as to actually change the replica count.",
	 0},
	{"Targets", "string", "",
	 "metrics contains the specifications for which to use to calculate the desired replica "
	 "count (the maximum replica count across all metrics will be used).  The desired replica "
	 "count is calculated multiplying the ratio between the target value and the current value "
	 "by the current number of pods.  Ergo, metrics used must decrease as the pod count is "
	 "increased, and vice-versa.  See the individual metric source types for more information "
	 "about how each type of metric must respond. If not set, the default metric will be set "
	 "to "
	 "80% average CPU utilization.",
	 0},
	{"MinPods", "string", "",
	 "minReplicas is the lower limit for the number of replicas to which the autoscaler can "
	 "scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature "
	 "gate HPAScaleToZero is enabled and at least one Object or External metric is configured. "
	 " "
	 "Scaling is active as long as at least one metric value is available.",
	 0},
	{"MaxPods", "string", "",
	 "maxReplicas is the upper limit for the number of replicas to which the autoscaler can "
	 "scale up. It cannot be less that minReplicas.",
	 0},
	{"Replicas", "string", "",
	 "currentReplicas is current number of replicas of pods managed by this autoscaler, as "
	 "last "
	 "seen by the autoscaler.",
	 0},
	COL_AGE,
	COL_END,
};

static const struct column c_ingresses[] = {
	COL_NAME,
	{"Class", "string", "",
	 "The name of the IngressClass resource that should be used for additional configuration",
	 0},
	{"Hosts", "string", "",
	 "Hosts that incoming requests are matched against before the ingress rule", 0},
	{"Address", "string", "",
	 "Address is a list containing ingress points for the load-balancer", 0},
	{"Ports", "string", "", "Ports of TLS configurations that open", 0},
	COL_AGE,
	COL_END,
};

static enum printer printer_for(const struct kube_resource *res, const struct column **cols)
{
	const char *g = res->group, *r = res->resource;
	static const struct {
		const char *group, *resource;
		enum printer p;
		const struct column *cols;
	} map[] = {
		{"", "pods", P_POD, c_pods},
		{"", "namespaces", P_NS, c_namespaces},
		{"", "serviceaccounts", P_SA, c_serviceaccounts},
		{"", "configmaps", P_CM, c_configmaps},
		{"", "secrets", P_SECRET, c_secrets},
		{"", "events", P_EVENT, c_events},
		{"events.k8s.io", "events", P_EVENT, c_events},
		{"", "nodes", P_NODE, c_nodes},
		{"", "services", P_SVC, c_services},
		{"apps", "deployments", P_DEPLOY, c_deployments},
		{"apps", "replicasets", P_RS, c_replicasets},
		{"apps", "statefulsets", P_STS, c_statefulsets},
		{"apps", "daemonsets", P_DS, c_daemonsets},
		{"batch", "jobs", P_JOB, c_jobs},
		{"batch", "cronjobs", P_CJ, c_cronjobs},
		{"autoscaling", "horizontalpodautoscalers", P_HPA, c_hpas},
		{"networking.k8s.io", "ingresses", P_ING, c_ingresses},
		{"networking.k8s.io", "networkpolicies", P_NETPOL, c_networkpolicies},
		{"rbac.authorization.k8s.io", "roles", P_ROLE, c_roles},
		{"rbac.authorization.k8s.io", "clusterroles", P_ROLE, c_roles},
		{"rbac.authorization.k8s.io", "rolebindings", P_BINDING, c_bindings},
		{"rbac.authorization.k8s.io", "clusterrolebindings", P_BINDING, c_bindings},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].group, g) == 0 && strcmp(map[i].resource, r) == 0) {
			*cols = map[i].cols;
			return map[i].p;
		}
	}
	*cols = c_default;
	return P_DEFAULT;
}

int table_wanted(const char *accept, int *v1beta1)
{
	if (v1beta1)
		*v1beta1 = 0;
	if (!accept)
		return 0;
	/* media ranges are comma separated; parameters separated by ';' */
	const char *p = accept;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char m[512];
		if (len < sizeof(m)) {
			memcpy(m, p, len);
			m[len] = '\0';
			int as = 0, g = 0, v = 0, beta = 0, json = 0;
			char *save = NULL;
			for (char *t = strtok_r(m, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
				while (*t == ' ')
					t++;
				char *e = t + strlen(t);
				while (e > t && e[-1] == ' ')
					*--e = '\0';
				if (strcasecmp(t, "application/json") == 0)
					json = 1;
				else if (strcmp(t, "as=Table") == 0)
					as = 1;
				else if (strcmp(t, "g=meta.k8s.io") == 0)
					g = 1;
				else if (strcmp(t, "v=v1") == 0)
					v = 1;
				else if (strcmp(t, "v=v1beta1") == 0)
					beta = 1;
			}
			if (json && as && g && (v || beta)) {
				if (v1beta1)
					*v1beta1 = !v;
				return 1;
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

enum table_include table_include_parse(const char *s)
{
	if (s && strcmp(s, "Object") == 0)
		return TABLE_INCLUDE_OBJECT;
	if (s && strcmp(s, "None") == 0)
		return TABLE_INCLUDE_NONE;
	return TABLE_INCLUDE_METADATA;
}

static json_t *row_object(const json_t *o, enum table_include inc, int v1beta1)
{
	if (inc == TABLE_INCLUDE_OBJECT)
		return json_deep_copy(o);
	json_t *md = json_deep_copy(json_object_get(o, "metadata"));
	return json_pack("{s:s, s:s, s:o}", "kind", "PartialObjectMetadata", "apiVersion",
			 v1beta1 ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1", "metadata",
			 md ? md : json_object());
}

json_t *table_build(const struct kube_resource *res, const json_t *items, enum table_include inc,
		    int headers, const char *rv, const char *cont, int64_t remaining, time_t now,
		    int v1beta1)
{
	const struct column *cols;
	enum printer p = printer_for(res, &cols);
	json_t *t = json_object(), *md = json_object(), *defs = json_array(), *rows = json_array();
	size_t i;
	const json_t *o;
	if (!t || !md || !defs || !rows)
		goto fail;
	if (json_object_set_new(t, "kind", json_string("Table")) ||
	    json_object_set_new(t, "apiVersion",
				json_string(v1beta1 ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1")))
		goto fail;
	if (rv && *rv)
		json_object_set_new(md, "resourceVersion", json_string(rv));
	if (cont && *cont)
		json_object_set_new(md, "continue", json_string(cont));
	if (remaining > 0)
		json_object_set_new(md, "remainingItemCount", json_integer(remaining));
	json_object_set_new(t, "metadata", md);
	md = NULL;
	if (headers) {
		for (const struct column *c = cols; c->name; c++) {
			json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", c->name, "type",
					      c->type, "format", c->format, "description",
					      c->description, "priority", c->priority);
			if (!d || json_array_append_new(defs, d))
				goto fail;
		}
	}
	json_object_set_new(t, "columnDefinitions", defs);
	defs = NULL;
	json_array_foreach(items, i, o) {
		json_t *row = json_object();
		if (!row || json_array_append_new(rows, row))
			goto fail;
		json_t *cells = table_cells(p, o, row, now);
		if (!cells)
			goto fail;
		json_object_set_new(row, "cells", cells);
		if (inc != TABLE_INCLUDE_NONE) {
			json_t *obj = row_object(o, inc, v1beta1);
			if (!obj)
				goto fail;
			json_object_set_new(row, "object", obj);
		}
	}
	json_object_set_new(t, "rows", rows);
	crd_table(res, t, items, headers, now); /* a custom resource's printer columns */
	return t;
fail:
	json_decref(t);
	json_decref(md);
	json_decref(defs);
	json_decref(rows);
	return NULL;
}
