/*
 * nodeauthz.c - kube-apiserver's Node authorizer (plugin/pkg/auth/authorizer/node/
 * node_authorizer.go, with AuthorizeNodeWithSelectors): a node (system:node:NAME in
 * system:nodes) reads only the secrets, configmaps, persistent volume claims and pods
 * related to a pod bound to it (spec.nodeName), mints tokens only for the service
 * accounts those pods run as, lists and watches pods only with
 * fieldSelector=spec.nodeName=NAME, reads only its own Node object, and otherwise has
 * the static rules of the system:node ClusterRole (bootstrappolicy.NodeRules(), read from
 * the embedded data/rbac.json). Which pods are bound to the node, and the service
 * accounts they run as, come from the index of nodeauthz_index.c; what else such a pod
 * refers to is read from the pod as stored.
 */
#include "kube/nodeauthz.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/embed.h"
#include "core/store.h"
#include "kube/rbac.h"
#include "kube/selectors.h"
#include "kube/util.h"

#define NODE_USER_PREFIX "system:node:"
#define NODES_GROUP "system:nodes"
#define NODE_LEASE_NAMESPACE "kube-node-lease"

int nodeauthz_identity(const struct kube_user *u, const char **node)
{
	size_t plen = strlen(NODE_USER_PREFIX);
	*node = NULL;
	if (!u || strncmp(u->name, NODE_USER_PREFIX, plen) != 0)
		return 0;
	for (size_t i = 0; i < u->n_groups; i++)
		if (strcmp(u->groups[i], NODES_GROUP) == 0) {
			*node = u->name + plen;
			return 1;
		}
	return 0;
}

/* --- what a pod refers to (pkg/api/pod's VisitPodSecretNames and friends) --- */

/* o[member] is a non-empty string equal to name (any, with name NULL). */
static int names(const json_t *o, const char *member, const char *name)
{
	const char *v = kube_jstr(o, member);
	return *v && (!name || strcmp(v, name) == 0);
}

/* o[ref].name names it (secretRef, configMapRef, secretKeyRef, ...). */
static int ref_names(const json_t *o, const char *ref, const char *name)
{
	return names(json_object_get(o, ref), "name", name);
}

static int container_refers(const json_t *list, enum nodeauthz_ref kind, const char *name)
{
	const char *from = kind == NODEAUTHZ_SECRET ? "secretRef" : "configMapRef";
	const char *key = kind == NODEAUTHZ_SECRET ? "secretKeyRef" : "configMapKeyRef";
	size_t i, j;
	json_t *c, *e;
	json_array_foreach(list, i, c)
	{
		json_array_foreach(json_object_get(c, "envFrom"), j, e)
		{
			if (ref_names(e, from, name))
				return 1;
		}
		json_array_foreach(json_object_get(c, "env"), j, e)
		{
			if (ref_names(json_object_get(e, "valueFrom"), key, name))
				return 1;
		}
	}
	return 0;
}

/* projected.sources[].<what>.name names it (what NULL: any clusterTrustBundle). */
static int projected_refers(const json_t *projected, const char *what, const char *name)
{
	size_t j;
	json_t *p;
	json_array_foreach(json_object_get(projected, "sources"), j, p)
	{
		if (what ? ref_names(p, what, name)
			 : json_is_object(json_object_get(p, "clusterTrustBundle")))
			return 1;
	}
	return 0;
}

/* The volume sources that can name a secret, in the order of upstream's switch (the
 * first source present decides), and the member that names it. */
static const struct {
	const char *source, *member; /* member: a string, or "" for secretRef.name */
} secret_sources[] = {
	{"azureFile", "secretName"},
	{"cephfs", ""},
	{"cinder", ""},
	{"flexVolume", ""},
	{"projected", NULL},
	{"rbd", ""},
	{"secret", "secretName"},
	{"scaleIO", ""},
	{"iscsi", ""},
	{"storageos", ""},
	{"csi", "nodePublishSecretRef"},
};

static int volume_secret(const json_t *v, const char *name)
{
	for (size_t i = 0; i < sizeof(secret_sources) / sizeof(secret_sources[0]); i++) {
		const json_t *s = json_object_get(v, secret_sources[i].source);
		const char *m = secret_sources[i].member;
		if (!s)
			continue;
		if (!m)
			return projected_refers(s, "secret", name);
		if (!*m)
			return ref_names(s, "secretRef", name);
		if (strcmp(m, "nodePublishSecretRef") == 0)
			return ref_names(s, m, name);
		return names(s, m, name);
	}
	return 0;
}

static int volume_refers(const json_t *pod, const json_t *v, enum nodeauthz_ref kind,
			 const char *name)
{
	const json_t *s;
	switch (kind) {
	case NODEAUTHZ_SECRET:
		return volume_secret(v, name);
	case NODEAUTHZ_CONFIGMAP:
		if ((s = json_object_get(v, "projected")))
			return projected_refers(s, "configMap", name);
		return names(json_object_get(v, "configMap"), "name", name);
	case NODEAUTHZ_PVC:
		if ((s = json_object_get(v, "persistentVolumeClaim")))
			return names(s, "claimName", name);
		if (json_is_object(json_object_get(v, "ephemeral"))) {
			/* ephemeral.VolumeClaimName: <pod name>-<volume name> */
			char claim[600];
			const char *pn = kube_jstr(json_object_get(pod, "metadata"), "name");
			const char *vn = kube_jstr(v, "name");
			if (!*pn || !*vn ||
			    (size_t)snprintf(claim, sizeof(claim), "%s-%s", pn, vn) >=
				    sizeof(claim))
				return 0;
			return !name || strcmp(claim, name) == 0;
		}
		return 0;
	case NODEAUTHZ_TRUSTBUNDLE:
		return projected_refers(json_object_get(v, "projected"), NULL, NULL);
	case NODEAUTHZ_SERVICEACCOUNT:
		return 0;
	}
	return 0;
}

const char *nodeauthz_pod_sa(const json_t *pod)
{
	const json_t *spec = json_object_get(pod, "spec");
	const char *sa = kube_jstr(spec, "serviceAccountName");
	return *sa ? sa : kube_jstr(spec, "serviceAccount"); /* the deprecated alias */
}

int nodeauthz_pod_refers(const json_t *pod, enum nodeauthz_ref kind, const char *name)
{
	const json_t *spec = json_object_get(pod, "spec");
	static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};
	size_t i;
	json_t *v;
	if (!json_is_object(spec))
		return 0;
	if (kind == NODEAUTHZ_SERVICEACCOUNT) {
		const char *sa = nodeauthz_pod_sa(pod);
		return *sa && (!name || strcmp(sa, name) == 0);
	}
	if (kind == NODEAUTHZ_SECRET) {
		json_array_foreach(json_object_get(spec, "imagePullSecrets"), i, v)
		{
			if (names(v, "name", name))
				return 1;
		}
	}
	if (kind == NODEAUTHZ_SECRET || kind == NODEAUTHZ_CONFIGMAP)
		for (size_t l = 0; l < 3; l++)
			if (container_refers(json_object_get(spec, lists[l]), kind, name))
				return 1;
	json_array_foreach(json_object_get(spec, "volumes"), i, v)
	{
		if (volume_refers(pod, v, kind, name))
			return 1;
	}
	return 0;
}

/* --- the graph: the index of pods by node, and what they refer to --- */

#define REL_POD_IN_NAMESPACE (-1) /* any pod of the namespace bound to the node */

static int bound_to(const json_t *pod, const char *node)
{
	return strcmp(kube_jstr(json_object_get(pod, "spec"), "nodeName"), node) == 0;
}

struct refers_arg {
	struct kube_cluster *cl;
	const char *node, *ns, *name;
	enum nodeauthz_ref kind;
};

/* nodeauthz_index_each's visitor: 1 when the pod (of the node, in the index) refers to
 * the object, as it is stored. */
static int pod_refers(void *arg, const char *pod_name)
{
	const struct refers_arg *r = arg;
	const struct kube_resource *pods = kube_resource_find("", "v1", "pods");
	struct store_kv kv;
	char key[1024];
	int found;
	if (!pods)
		return 0;
	registry_key(r->cl, pods, r->ns, pod_name, key, sizeof(key));
	if (!*key || store_get(r->cl->kube->store, key, &kv) != 0)
		return 0;
	json_t *pod = json_loadb(kv.value, kv.value_len, 0, NULL);
	found = pod && bound_to(pod, r->node) && nodeauthz_pod_refers(pod, r->kind, r->name);
	json_decref(pod);
	store_kv_free(&kv);
	return found;
}

/* 1 when a pod of namespace ns bound to node refers to the object (kind, name): a path
 * node <- pod <- object in upstream's graph. 0 otherwise, and when the index cannot be
 * built. A service account (the KSA get and TokenRequest of a pod's first token) is a
 * lookup in the index; a secret, configmap or claim is looked for in the node's pods of
 * the namespace as stored (the index knows which they are). */
static int related(struct kube_cluster *cl, const char *node, const char *ns, int kind,
		   const char *name)
{
	struct refers_arg r = {cl, node, ns, name, (enum nodeauthz_ref)kind};
	if (!cl->kube || !*ns)
		return 0;
	if (kind == REL_POD_IN_NAMESPACE)
		return nodeauthz_index_runs_as(cl, node, ns, NULL) == 1;
	if (kind == NODEAUTHZ_SERVICEACCOUNT)
		return name && nodeauthz_index_runs_as(cl, node, ns, name) == 1;
	return nodeauthz_index_each(cl, node, ns, pod_refers, &r) == 1;
}

/* The pod ns/name is bound to node. */
static int pod_bound(struct kube_cluster *cl, const char *node, const char *ns, const char *name)
{
	return cl->kube && *ns && nodeauthz_index_bound(cl, node, ns, name) == 1;
}

/* --- the authorizer --- */

/* The kinds of object the graph knows, by their vertex. */
enum vertex { V_SECRET, V_CONFIGMAP, V_PVC, V_PV, V_SERVICEACCOUNT, V_POD, V_VA };

static enum kube_decision say(char *reason, size_t len, enum kube_decision d, const char *fmt,
			      const char *arg)
{
	if (len)
		snprintf(reason, len, fmt, arg ? arg : "");
	return d;
}

/* authorize(): a path from the object to the node. */
static enum kube_decision authorize_path(struct kube_cluster *cl, const char *node, enum vertex v,
					 const struct kube_attrs *a, char *reason, size_t len)
{
	int ok = 0;
	if (!a->name[0])
		return say(reason, len, KUBE_NO_OPINION, "No Object name found", NULL);
	switch (v) {
	case V_SECRET:
		ok = related(cl, node, a->namespace_, NODEAUTHZ_SECRET, a->name);
		break;
	case V_CONFIGMAP:
		ok = related(cl, node, a->namespace_, NODEAUTHZ_CONFIGMAP, a->name);
		break;
	case V_PVC:
		ok = related(cl, node, a->namespace_, NODEAUTHZ_PVC, a->name);
		break;
	case V_SERVICEACCOUNT:
		ok = related(cl, node, a->namespace_, NODEAUTHZ_SERVICEACCOUNT, a->name);
		break;
	case V_POD:
		ok = pod_bound(cl, node, a->namespace_, a->name);
		break;
	case V_PV:
	case V_VA:
		ok = 0;
		break; /* no persistent volumes or attachments are served */
	}
	if (ok)
		return say(reason, len, KUBE_ALLOW, "", NULL);
	return say(reason, len, KUBE_NO_OPINION,
		   "no relationship found between node '%s' and this object", node);
}

static enum kube_decision authorize_get(struct kube_cluster *cl, const char *node, enum vertex v,
					const struct kube_attrs *a, char *reason, size_t len)
{
	if (strcmp(a->verb, "get") != 0)
		return say(reason, len, KUBE_NO_OPINION,
			   "can only get individual resources of this type", NULL);
	if (a->subresource[0])
		return say(reason, len, KUBE_NO_OPINION, "cannot get subresource", NULL);
	return authorize_path(cl, node, v, a, reason, len);
}

static int is_read(const char *verb)
{
	return strcmp(verb, "get") == 0 || strcmp(verb, "list") == 0 || strcmp(verb, "watch") == 0;
}

static enum kube_decision authorize_read_namespaced(struct kube_cluster *cl, const char *node,
						    enum vertex v, const struct kube_attrs *a,
						    char *reason, size_t len)
{
	if (!is_read(a->verb))
		return say(reason, len, KUBE_NO_OPINION, "can only read resources of this type",
			   NULL);
	if (a->subresource[0])
		return say(reason, len, KUBE_NO_OPINION, "cannot read subresource", NULL);
	if (!a->namespace_[0])
		return say(reason, len, KUBE_NO_OPINION,
			   "can only read namespaced object of this type", NULL);
	return authorize_path(cl, node, v, a, reason, len);
}

static enum kube_decision authorize_status_update(struct kube_cluster *cl, const char *node,
						  enum vertex v, const struct kube_attrs *a,
						  char *reason, size_t len)
{
	if (strcmp(a->verb, "update") != 0 && strcmp(a->verb, "patch") != 0)
		return say(reason, len, KUBE_NO_OPINION, "can only get/update/patch this type",
			   NULL);
	if (strcmp(a->subresource, "status") != 0)
		return say(reason, len, KUBE_NO_OPINION, "can only update status subresource",
			   NULL);
	return authorize_path(cl, node, v, a, reason, len);
}

static enum kube_decision authorize_create_token(struct kube_cluster *cl, const char *node,
						 const struct kube_attrs *a, char *reason,
						 size_t len)
{
	/* gkeid: the metadata server reads the service accounts of its pods (their
	 * iam.gke.io/gcp-service-account annotation) */
	if (strcmp(a->verb, "get") == 0 && !a->subresource[0] && a->name[0])
		return authorize_path(cl, node, V_SERVICEACCOUNT, a, reason, len);
	if (strcmp(a->verb, "create") != 0 || !a->name[0])
		return say(reason, len, KUBE_NO_OPINION,
			   "can only create tokens for individual service accounts", NULL);
	if (strcmp(a->subresource, "token") != 0)
		return say(reason, len, KUBE_NO_OPINION,
			   "can only create token subresource of serviceaccount", NULL);
	return authorize_path(cl, node, V_SERVICEACCOUNT, a, reason, len);
}

static int verb_in(const char *verb, const char *const *verbs)
{
	for (; *verbs; verbs++)
		if (strcmp(verb, *verbs) == 0)
			return 1;
	return 0;
}

static const char *const lease_verbs[] = {"get", "create", "update", "patch", "delete", NULL};

static enum kube_decision authorize_lease(const char *node, const struct kube_attrs *a,
					  char *reason, size_t len)
{
	if (!verb_in(a->verb, lease_verbs))
		return say(reason, len, KUBE_NO_OPINION,
			   "can only get, create, update, patch, or delete a node lease", NULL);
	if (strcmp(a->namespace_, NODE_LEASE_NAMESPACE) != 0)
		return say(reason, len, KUBE_NO_OPINION,
			   "can only access leases in the \"%s\" system namespace",
			   NODE_LEASE_NAMESPACE);
	if (strcmp(a->verb, "create") != 0 && strcmp(a->name, node) != 0)
		return say(reason, len, KUBE_NO_OPINION,
			   "can only access node lease with the same name as the requesting node",
			   NULL);
	return say(reason, len, KUBE_ALLOW, "", NULL);
}

static enum kube_decision authorize_csinode(const char *node, const struct kube_attrs *a,
					    char *reason, size_t len)
{
	if (!verb_in(a->verb, lease_verbs))
		return say(reason, len, KUBE_NO_OPINION,
			   "can only get, create, update, patch, or delete a CSINode", NULL);
	if (a->subresource[0])
		return say(reason, len, KUBE_NO_OPINION, "cannot authorize CSINode subresources",
			   NULL);
	if (strcmp(a->verb, "create") != 0 && strcmp(a->name, node) != 0)
		return say(reason, len, KUBE_NO_OPINION,
			   "can only access CSINode with the same name as the requesting node",
			   NULL);
	return say(reason, len, KUBE_ALLOW, "", NULL);
}

static enum kube_decision authorize_node_object(const char *node, const struct kube_attrs *a,
						char *reason, size_t len)
{
	static const char *const writes[] = {"create", "update", "patch", NULL};
	static const char *const status_writes[] = {"update", "patch", NULL};
	if (!a->subresource[0]) {
		/* create, update, patch: NodeRestriction keeps a node to its own object */
		if (verb_in(a->verb, writes))
			return say(reason, len, KUBE_ALLOW, "", NULL);
		if (is_read(a->verb)) {
			if (strcmp(a->name, node) == 0)
				return say(reason, len, KUBE_ALLOW, "", NULL);
			if (!a->name[0])
				return say(reason, len, KUBE_NO_OPINION,
					   "node '%s' cannot read all nodes, only its own Node "
					   "object",
					   node);
			char msg[KUBE_NAME_MAX + 400];
			snprintf(msg, sizeof(msg),
				 "node '%s' cannot read '%s', only its own Node object", node,
				 a->name);
			return say(reason, len, KUBE_NO_OPINION, "%s", msg);
		}
	} else if (strcmp(a->subresource, "status") == 0 && verb_in(a->verb, status_writes)) {
		return say(reason, len, KUBE_ALLOW, "", NULL);
	}
	return say(reason, len, KUBE_NO_OPINION, "", NULL);
}

static enum kube_decision authorize_pod(struct kube_cluster *cl, const char *node,
					const struct kube_attrs *a, char *reason, size_t len)
{
	const char *sub = a->subresource, *verb = a->verb;
	if (!*sub) {
		if (strcmp(verb, "get") == 0)
			return authorize_get(cl, node, V_POD, a, reason, len);
		if (strcmp(verb, "list") == 0 || strcmp(verb, "watch") == 0) {
			if (selector_fields_require(a->field_selector, "spec.nodeName", node))
				return say(reason, len, KUBE_ALLOW, "", NULL);
			if (a->name[0])
				return authorize_path(cl, node, V_POD, a, reason, len);
			return say(reason, len, KUBE_NO_OPINION,
				   "can only list/watch pods with spec.nodeName field selector",
				   NULL);
		}
		/* mirror pods: NodeRestriction keeps them to the node */
		if (strcmp(verb, "create") == 0 || strcmp(verb, "delete") == 0)
			return say(reason, len, KUBE_ALLOW, "", NULL);
	} else if (strcmp(sub, "status") == 0) {
		if (strcmp(verb, "update") == 0 || strcmp(verb, "patch") == 0)
			return say(reason, len, KUBE_ALLOW, "", NULL);
	} else if (strcmp(sub, "eviction") == 0) {
		if (strcmp(verb, "create") == 0)
			return say(reason, len, KUBE_ALLOW, "", NULL);
	}
	return say(reason, len, KUBE_NO_OPINION, "", NULL);
}

/* gkeid: the NetworkPolicies the metadata server enforces, in the namespaces of its
 * pods. */
static enum kube_decision authorize_netpol(struct kube_cluster *cl, const char *node,
					   const struct kube_attrs *a, char *reason, size_t len)
{
	if (is_read(a->verb) && !a->subresource[0] &&
	    related(cl, node, a->namespace_, REL_POD_IN_NAMESPACE, NULL))
		return say(reason, len, KUBE_ALLOW, "", NULL);
	return say(reason, len, KUBE_NO_OPINION,
		   "no relationship found between node '%s' and this object", node);
}

/* bootstrappolicy.NodeRules(): the rules of the system:node ClusterRole as
 * kube-apiserver bootstraps it (data/rbac.json). Parsed once; NULL when missing. */
static const json_t *node_rules(void)
{
	static json_t *rules;
	if (rules)
		return rules;
	json_t *doc = json_loadb(embed_rbac_json, EMBED_LEN(rbac_json), 0, NULL);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(doc, "clusterRoles"), i, o)
	{
		if (strcmp(kube_jstr(json_object_get(o, "metadata"), "name"), "system:node") == 0) {
			rules = json_incref(json_object_get(o, "rules"));
			break;
		}
	}
	json_decref(doc);
	return rules;
}

static enum kube_decision static_rules(const struct kube_attrs *a, char *reason, size_t len)
{
	size_t i;
	json_t *rule;
	json_array_foreach(node_rules(), i, rule)
	{
		if (rbac_rule_allows(rule, a))
			return say(reason, len, KUBE_ALLOW, "", NULL);
	}
	return say(reason, len, KUBE_NO_OPINION, "", NULL);
}

enum kube_decision nodeauthz_authorize(struct kube_cluster *cl, const struct kube_user *u,
				       const struct kube_attrs *a, char *reason, size_t len)
{
	const char *node;
	if (len)
		reason[0] = '\0';
	if (!nodeauthz_identity(u, &node))
		return KUBE_NO_OPINION;
	if (!*node)
		return say(reason, len, KUBE_NO_OPINION, "unknown node for user \"%s\"", u->name);
	if (a->resource_request) {
		const char *g = a->group, *r = a->resource;
		if (!*g) {
			if (strcmp(r, "secrets") == 0)
				return authorize_read_namespaced(cl, node, V_SECRET, a, reason,
								 len);
			if (strcmp(r, "configmaps") == 0)
				return authorize_read_namespaced(cl, node, V_CONFIGMAP, a, reason,
								 len);
			if (strcmp(r, "persistentvolumeclaims") == 0)
				return strcmp(a->subresource, "status") == 0
					       ? authorize_status_update(cl, node, V_PVC, a, reason,
									 len)
					       : authorize_get(cl, node, V_PVC, a, reason, len);
			if (strcmp(r, "persistentvolumes") == 0)
				return authorize_get(cl, node, V_PV, a, reason, len);
			if (strcmp(r, "serviceaccounts") == 0)
				return authorize_create_token(cl, node, a, reason, len);
			if (strcmp(r, "nodes") == 0)
				return authorize_node_object(node, a, reason, len);
			if (strcmp(r, "pods") == 0)
				return authorize_pod(cl, node, a, reason, len);
		} else if (strcmp(g, "storage.k8s.io") == 0) {
			if (strcmp(r, "volumeattachments") == 0)
				return authorize_get(cl, node, V_VA, a, reason, len);
			if (strcmp(r, "csinodes") == 0)
				return authorize_csinode(node, a, reason, len);
		} else if (strcmp(g, "coordination.k8s.io") == 0 && strcmp(r, "leases") == 0) {
			return authorize_lease(node, a, reason, len);
		} else if (strcmp(g, "networking.k8s.io") == 0 &&
			   strcmp(r, "networkpolicies") == 0) {
			if (authorize_netpol(cl, node, a, reason, len) == KUBE_ALLOW)
				return KUBE_ALLOW;
			/* else as upstream: the static rules (which grant none) */
		}
	}
	return static_rules(a, reason, len);
}
