/*
 * noderestriction.c - kube-apiserver's NodeRestriction admission plugin
 * (plugin/pkg/admission/noderestriction/admission.go) for the kinds gkeid serves: a node
 * may create only mirror pods bound to itself (owned by its Node, referring to no service
 * account, secret, configmap, cluster trust bundle or claim), delete and update the status
 * of only the pods bound to it, modify only its own Node object (not its taints, nor
 * labels outside the kubelet's set), and request tokens only bound to a pod bound to it.
 * Its refusals carry upstream's texts, wrapped as admission.NewForbidden wraps them.
 */
#include "kube/nodeauthz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "kube/util.h"

#define MIRROR_POD_ANNOTATION "kubernetes.io/config.mirror"

struct adm {
	struct kube_cluster *cl;
	const struct kube_attrs *a;
	const char *node;
	const json_t *obj, *old;
	char *msg, *name;
	size_t msg_len, name_len;
};

/* The operation, as admission.Operation prints it. */
static const char *operation(const struct kube_attrs *a)
{
	if (strcmp(a->verb, "create") == 0)
		return "CREATE";
	if (strcmp(a->verb, "update") == 0 || strcmp(a->verb, "patch") == 0)
		return "UPDATE";
	if (strcmp(a->verb, "delete") == 0 || strcmp(a->verb, "deletecollection") == 0)
		return "DELETE";
	return "CONNECT";
}

/* admission.NewForbidden: `<resource>[.<group>] "<name>" is forbidden: <err>`, the name
 * being the request's, else the object's name or generateName, else "Unknown". */
static int forbidden(struct adm *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int forbidden(struct adm *x, const char *fmt, ...)
{
	char err[1024];
	va_list ap;
	const json_t *m = json_object_get(x->obj, "metadata");
	const char *name = x->a->name;
	if (!*name)
		name = kube_jstr(m, "name");
	if (!*name)
		name = kube_jstr(m, "generateName");
	if (!*name)
		name = "Unknown";
	va_start(ap, fmt);
	vsnprintf(err, sizeof(err), fmt, ap);
	va_end(ap);
	if (x->a->group[0])
		snprintf(x->msg, x->msg_len, "%s.%s \"%s\" is forbidden: %s", x->a->resource,
			 x->a->group, name, err);
	else
		snprintf(x->msg, x->msg_len, "%s \"%s\" is forbidden: %s", x->a->resource, name,
			 err);
	snprintf(x->name, x->name_len, "%s", name);
	return -EPERM;
}

/* An object the plugin reads is gone: the lister's NotFound. */
static int not_found(struct adm *x, const char *resource, const char *name)
{
	snprintf(x->msg, x->msg_len, "%s \"%s\" not found", resource, name);
	snprintf(x->name, x->name_len, "%s", name);
	return -ENOENT;
}

/* The stored object resource/ns/name (new reference), or NULL. */
static json_t *lookup(struct adm *x, const char *resource, const char *ns, const char *name)
{
	const struct kube_resource *res = kube_resource_find("", "v1", resource);
	return res && *name ? registry_get(x->cl, res, ns, name) : NULL;
}

static const char *node_name_of(const json_t *pod)
{
	return kube_jstr(json_object_get(pod, "spec"), "nodeName");
}

/* --- pods --- */

static int admit_pod_create(struct adm *x)
{
	const json_t *pod = x->obj, *meta = json_object_get(pod, "metadata");
	const json_t *spec = json_object_get(pod, "spec");
	const json_t *owners = json_object_get(meta, "ownerReferences");
	const char *node = x->node;
	size_t i;
	json_t *v;
	if (!json_object_get(json_object_get(meta, "annotations"), MIRROR_POD_ANNOTATION))
		return forbidden(x,
				 "pod does not have \"%s\" annotation, node \"%s\" can only create "
				 "mirror pods",
				 MIRROR_POD_ANNOTATION, node);
	if (strcmp(node_name_of(pod), node) != 0)
		return forbidden(
			x, "node \"%s\" can only create pods with spec.nodeName set to itself",
			node);
	if (json_array_size(owners) > 1)
		return forbidden(x,
				 "node \"%s\" can only create pods with a single owner reference "
				 "set to itself",
				 node);
	const json_t *owner = json_array_get(owners, 0);
	if (!owner || strcmp(kube_jstr(owner, "apiVersion"), "v1") != 0 ||
	    strcmp(kube_jstr(owner, "kind"), "Node") != 0 ||
	    strcmp(kube_jstr(owner, "name"), node) != 0)
		return forbidden(x,
				 "node \"%s\" can only create pods with an owner reference set to "
				 "itself",
				 node);
	if (!json_is_true(json_object_get(owner, "controller")))
		return forbidden(x,
				 "node \"%s\" can only create pods with a controller owner "
				 "reference set to itself",
				 node);
	if (json_is_true(json_object_get(owner, "blockOwnerDeletion")))
		return forbidden(
			x, "node \"%s\" must not set blockOwnerDeletion on an owner reference",
			node);
	json_t *n = lookup(x, "nodes", NULL, node);
	if (!n)
		return not_found(x, "nodes", node);
	char uid[128];
	/* (compared whole: a uid that does not fit is no match) */
	int fits = SFMT(uid, "%s", kube_jstr(json_object_get(n, "metadata"), "uid")) == 0;
	json_decref(n);
	if (!fits || strcmp(kube_jstr(owner, "uid"), uid) != 0)
		return forbidden(x, "node %s UID mismatch: expected %s got %s", node,
				 kube_jstr(owner, "uid"), uid);
	if (nodeauthz_pod_refers(pod, NODEAUTHZ_SERVICEACCOUNT, NULL))
		return forbidden(x,
				 "node \"%s\" can not create pods that reference a service account",
				 node);
	if (nodeauthz_pod_refers(pod, NODEAUTHZ_SECRET, NULL))
		return forbidden(x, "node \"%s\" can not create pods that reference secrets", node);
	if (nodeauthz_pod_refers(pod, NODEAUTHZ_CONFIGMAP, NULL))
		return forbidden(x, "node \"%s\" can not create pods that reference configmaps",
				 node);
	if (nodeauthz_pod_refers(pod, NODEAUTHZ_TRUSTBUNDLE, NULL))
		return forbidden(x,
				 "node \"%s\" can not create pods that reference "
				 "clustertrustbundles",
				 node);
	json_array_foreach(json_object_get(spec, "volumes"), i, v)
	{
		if (json_object_get(v, "persistentVolumeClaim"))
			return forbidden(x,
					 "node \"%s\" can not create pods that reference "
					 "persistentvolumeclaims",
					 node);
	}
	return 0;
}

static int admit_pod(struct adm *x)
{
	const char *op = operation(x->a);
	if (strcmp(op, "CREATE") == 0)
		return admit_pod_create(x);
	if (strcmp(op, "DELETE") == 0) {
		json_t *pod = x->old ? json_incref((json_t *)x->old)
				     : lookup(x, "pods", x->a->namespace_, x->a->name);
		if (!pod)
			return not_found(x, "pods", x->a->name);
		int bound = strcmp(node_name_of(pod), x->node) == 0;
		json_decref(pod);
		if (!bound)
			return forbidden(
				x,
				"node \"%s\" can only delete pods with spec.nodeName set to "
				"itself",
				x->node);
		return 0;
	}
	return forbidden(
		x,
		"unexpected operation \"%s\", node \"%s\" can only create and delete mirror pods",
		op, x->node);
}

static int admit_pod_status(struct adm *x)
{
	const char *op = operation(x->a);
	if (strcmp(op, "UPDATE") != 0)
		return forbidden(x, "unexpected operation \"%s\"", op);
	if (!x->old || !x->obj)
		return forbidden(x, "unexpected type <nil>");
	if (strcmp(node_name_of(x->old), x->node) != 0)
		return forbidden(x,
				 "node \"%s\" can only update pod status for pods with "
				 "spec.nodeName set to itself",
				 x->node);
	const json_t *ol = json_object_get(json_object_get(x->old, "metadata"), "labels");
	const json_t *nl = json_object_get(json_object_get(x->obj, "metadata"), "labels");
	/* labels.Equals: no labels and empty labels are equal */
	if (!(json_object_size(ol) == 0 && json_object_size(nl) == 0) && !json_equal(ol, nl))
		return forbidden(x, "node \"%s\" cannot update labels through pod status", x->node);
	const json_t *oc =
		json_object_get(json_object_get(x->old, "status"), "resourceClaimStatuses");
	const json_t *nc =
		json_object_get(json_object_get(x->obj, "status"), "resourceClaimStatuses");
	if (!(json_array_size(oc) == 0 && json_array_size(nc) == 0) && !json_equal(oc, nc))
		return forbidden(x, "node \"%s\" cannot update resource claim statues", x->node);
	return 0;
}

/* --- nodes --- */

/* The label's namespace: what comes before a "/", or "". */
static void label_namespace(const char *key, char *out, size_t len)
{
	const char *slash = strchr(key, '/');
	size_t n = slash ? (size_t)(slash - key) : 0;
	if (n >= len)
		n = len - 1;
	memcpy(out, key, n);
	out[n] = '\0';
}

/* ns is domain or a subdomain of it. */
static int in_domain(const char *ns, const char *domain)
{
	size_t n = strlen(ns), d = strlen(domain);
	return strcmp(ns, domain) == 0 ||
	       (n > d && ns[n - d - 1] == '.' && strcmp(ns + n - d, domain) == 0);
}

/* kubeletapis.IsKubeletLabel (k8s.io/kubelet/pkg/apis/well_known_labels.go). */
static int kubelet_label(const char *key)
{
	static const char *const labels[] = {
		"kubernetes.io/hostname",
		"topology.kubernetes.io/zone",
		"topology.kubernetes.io/region",
		"failure-domain.beta.kubernetes.io/zone",
		"failure-domain.beta.kubernetes.io/region",
		"beta.kubernetes.io/instance-type",
		"node.kubernetes.io/instance-type",
		"kubernetes.io/os",
		"kubernetes.io/arch",
		"beta.kubernetes.io/os",
		"beta.kubernetes.io/arch",
	};
	char ns[256];
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(key, labels[i]) == 0)
			return 1;
	label_namespace(key, ns, sizeof(ns));
	return in_domain(ns, "kubelet.kubernetes.io") || in_domain(ns, "node.kubernetes.io");
}

/* getForbiddenLabels over the labels that differ between a and b (either may be NULL):
 * their keys, sorted and joined by ", " into out. 1 when there are any. */
static int forbidden_labels(const json_t *a, const json_t *b, char *out, size_t len)
{
	const char *keys[512];
	size_t n = 0, pos = 0;
	const json_t *sides[2] = {a, b};
	out[0] = '\0';
	for (int s = 0; s < 2; s++) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)sides[s], k, v)
		{
			const json_t *w = json_object_get(sides[1 - s], k);
			char ns[256];
			int dup = 0;
			if (w && json_equal(v, w))
				continue;
			label_namespace(k, ns, sizeof(ns));
			if (!in_domain(ns, "node-restriction.kubernetes.io") &&
			    !((in_domain(ns, "kubernetes.io") || in_domain(ns, "k8s.io")) &&
			      !kubelet_label(k)))
				continue;
			for (size_t i = 0; i < n; i++)
				dup |= strcmp(keys[i], k) == 0;
			if (!dup && n < sizeof(keys) / sizeof(keys[0]))
				keys[n++] = k;
		}
	}
	qsort(keys, n, sizeof(keys[0]), kube_cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i)
			kube_append(out, len, &pos, ", ");
		kube_append(out, len, &pos, keys[i]);
	}
	return n > 0;
}

/* apiequality.Semantic.DeepEqual: absent, null and empty are equal. */
static int semantic_equal(const json_t *a, const json_t *b)
{
	int ea = !a || json_is_null(a) || (json_is_array(a) && !json_array_size(a)) ||
		 (json_is_object(a) && !json_object_size(a));
	int eb = !b || json_is_null(b) || (json_is_array(b) && !json_array_size(b)) ||
		 (json_is_object(b) && !json_object_size(b));
	return (ea && eb) || json_equal(a, b);
}

static int admit_node(struct adm *x)
{
	const char *op = operation(x->a), *want = x->a->name;
	char keys[2048];
	if (strcmp(op, "CREATE") == 0 && !*want)
		want = kube_jstr(json_object_get(x->obj, "metadata"), "name");
	if (strcmp(want, x->node) != 0)
		return forbidden(x, "node \"%s\" is not allowed to modify node \"%s\"", x->node,
				 want);
	const json_t *spec = json_object_get(x->obj, "spec");
	const json_t *labels = json_object_get(json_object_get(x->obj, "metadata"), "labels");
	const json_t *cs = json_object_get(spec, "configSource");
	if (strcmp(op, "CREATE") == 0) {
		if (cs && !json_is_null(cs))
			return forbidden(x,
					 "node \"%s\" is not allowed to create pods with a non-nil "
					 "configSource",
					 x->node);
		if (forbidden_labels(labels, NULL, keys, sizeof(keys)))
			return forbidden(
				x, "node \"%s\" is not allowed to set the following labels: %s",
				x->node, keys);
	}
	if (strcmp(op, "UPDATE") == 0 && x->old) {
		const json_t *ospec = json_object_get(x->old, "spec");
		const json_t *olabels =
			json_object_get(json_object_get(x->old, "metadata"), "labels");
		if (cs && !json_is_null(cs) &&
		    !semantic_equal(cs, json_object_get(ospec, "configSource")))
			return forbidden(
				x,
				"node \"%s\" is not allowed to update configSource to a new "
				"non-nil configSource",
				x->node);
		if (!semantic_equal(json_object_get(spec, "taints"),
				    json_object_get(ospec, "taints")))
			return forbidden(x, "node \"%s\" is not allowed to modify taints", x->node);
		if (forbidden_labels(labels, olabels, keys, sizeof(keys)))
			return forbidden(x, "is not allowed to modify labels: %s", keys);
	}
	return 0;
}

/* --- TokenRequest --- */

static int admit_token_request(struct adm *x)
{
	const json_t *ref = json_object_get(json_object_get(x->obj, "spec"), "boundObjectRef");
	if (!json_is_object(ref) || strcmp(kube_jstr(ref, "apiVersion"), "v1") != 0 ||
	    strcmp(kube_jstr(ref, "kind"), "Pod") != 0 || !*kube_jstr(ref, "name"))
		return forbidden(x, "node requested token not bound to a pod");
	const char *uid = kube_jstr(ref, "uid"), *pname = kube_jstr(ref, "name");
	if (!*uid)
		return forbidden(x, "node requested token with a pod binding without a uid");
	/* a pod bound to a node is in the Node authorizer's index; any other is read */
	char pnode[320], puid[256];
	int same, bound;
	if (nodeauthz_index_pod(x->cl, x->a->namespace_, pname, pnode, sizeof(pnode), puid,
				sizeof(puid)) == 1) {
		same = strcmp(puid, uid) == 0;
		bound = strcmp(pnode, x->node) == 0;
	} else {
		json_t *pod = lookup(x, "pods", x->a->namespace_, pname);
		if (!pod)
			return not_found(x, "pods", pname);
		same = strcmp(kube_jstr(json_object_get(pod, "metadata"), "uid"), uid) == 0;
		bound = strcmp(node_name_of(pod), x->node) == 0;
		json_decref(pod);
	}
	if (!same)
		return forbidden(
			x,
			"the UID in the bound object reference (%s) does not match the UID "
			"in record. The object might have been deleted and then recreated",
			uid);
	if (!bound)
		return forbidden(
			x, "node requested token bound to a pod scheduled on a different node");
	return 0;
}

int noderestriction_admit(struct kube_cluster *cl, const struct kube_user *u,
			  const struct kube_attrs *a, const json_t *obj, const json_t *old,
			  char *msg, size_t msg_len, char *name, size_t name_len)
{
	struct adm x = {.cl = cl,
			.a = a,
			.obj = obj,
			.old = old,
			.msg = msg,
			.name = name,
			.msg_len = msg_len,
			.name_len = name_len};
	if (msg_len)
		msg[0] = '\0';
	if (name_len)
		name[0] = '\0';
	if (!nodeauthz_identity(u, &x.node))
		return 0;
	if (!a->resource_request)
		return 0;
	if (!*x.node)
		return forbidden(&x, "could not determine node from user \"%s\"", u->name);
	if (a->group[0])
		return 0; /* leases and CSINodes are not served */
	if (strcmp(a->resource, "pods") == 0) {
		if (!a->subresource[0])
			return admit_pod(&x);
		if (strcmp(a->subresource, "status") == 0)
			return admit_pod_status(&x);
		return forbidden(&x,
				 "unexpected pod subresource \"%s\", only 'status' and 'eviction' "
				 "are allowed",
				 a->subresource);
	}
	if (strcmp(a->resource, "nodes") == 0)
		return admit_node(&x);
	if (strcmp(a->resource, "serviceaccounts") == 0 && strcmp(a->subresource, "token") == 0 &&
	    strcmp(operation(a), "CREATE") == 0)
		return admit_token_request(&x);
	return 0;
}
