/*
 * test_nodeauthz.c - unit tests of what a node's credential may do (src/kube/nodeauthz.c,
 * noderestriction.c), over a real store: kube-apiserver's Node authorizer
 * (node_authorizer.go: a node reaches the secrets, configmaps, service accounts and pods
 * of the pods bound to it, lists pods only with spec.nodeName=itself) and NodeRestriction
 * admission (admission.go: mirror pods bound to itself, deletes and status updates of its
 * own pods, its own Node, tokens bound to its pods), with upstream's texts byte for byte.
 */
#include "t.h"

#include "core/store.h"
#include "kube/kube.h"
#include "kube/nodeauthz.h"
#include "kube/rbac.h"

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_nodeauthz.XXXXXX";
static struct kube kube;
static struct kube_cluster cl;
static char p1_uid[64], p2_uid[64], n1_uid[64];

static struct kube_attrs attrs(const char *verb, const char *group, const char *resource,
			       const char *sub, const char *ns, const char *name)
{
	struct kube_attrs a;
	memset(&a, 0, sizeof(a));
	a.resource_request = 1;
	snprintf(a.verb, sizeof(a.verb), "%s", verb);
	snprintf(a.group, sizeof(a.group), "%s", group);
	snprintf(a.version, sizeof(a.version), "v1");
	snprintf(a.resource, sizeof(a.resource), "%s", resource);
	snprintf(a.subresource, sizeof(a.subresource), "%s", sub ? sub : "");
	snprintf(a.namespace_, sizeof(a.namespace_), "%s", ns ? ns : "");
	snprintf(a.name, sizeof(a.name), "%s", name ? name : "");
	return a;
}

static struct kube_user user(const char *name, const char *group)
{
	struct kube_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	if (group)
		snprintf(u.groups[u.n_groups++], sizeof(u.groups[0]), "%s", group);
	snprintf(u.groups[u.n_groups++], sizeof(u.groups[0]), "system:authenticated");
	return u;
}

/* Stores an object; its metadata.uid into uid when asked. */
static void put(const char *resource, const char *text, char *uid, size_t uid_len)
{
	const struct kube_resource *res = kube_resource_find("", "v1", resource);
	json_t *o = json_loads(text, 0, NULL), *got = NULL;
	CHECK(o != NULL);
	CHECK_EQ_INT(registry_put(&cl, res, o), 0);
	if (uid) {
		const json_t *m = json_object_get(o, "metadata");
		got = registry_get(&cl, res, json_string_value(json_object_get(m, "namespace")),
				   json_string_value(json_object_get(m, "name")));
		const char *id =
			json_string_value(json_object_get(json_object_get(got, "metadata"), "uid"));
		snprintf(uid, uid_len, "%s", id ? id : "");
	}
	json_decref(got);
	json_decref(o);
}

static void setup_objects(void)
{
	put("nodes", "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}",
	    n1_uid, sizeof(n1_uid));
	put("nodes", "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\"}}",
	    NULL, 0);
	/* p1 on n1 in a: service account sa1, secret s1 (volume), configmap cm1 (envFrom),
	 * secret pull (imagePullSecrets), claim data */
	put("pods",
	    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p1\",\"namespace\":"
	    "\"a\"},\"spec\":{\"nodeName\":\"n1\",\"serviceAccountName\":\"sa1\","
	    "\"imagePullSecrets\":[{\"name\":\"pull\"}],\"containers\":[{\"name\":\"c\",\"image\":"
	    "\"i\",\"envFrom\":[{\"configMapRef\":{\"name\":\"cm1\"}}]}],\"volumes\":[{\"name\":"
	    "\"v\",\"secret\":{\"secretName\":\"s1\"}},{\"name\":\"d\",\"persistentVolumeClaim\":"
	    "{\"claimName\":\"data\"}}]}}",
	    p1_uid, sizeof(p1_uid));
	/* p2 on n2 in a: sa2, secret s2 */
	put("pods",
	    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p2\",\"namespace\":"
	    "\"a\"},\"spec\":{\"nodeName\":\"n2\",\"serviceAccountName\":\"sa2\",\"containers\":"
	    "[{\"name\":\"c\",\"image\":\"i\",\"env\":[{\"name\":\"X\",\"valueFrom\":{"
	    "\"secretKeyRef\":{\"name\":\"s2\",\"key\":\"k\"}}}]}]}}",
	    p2_uid, sizeof(p2_uid));
	/* p3 in b, bound to no node, runs as sa3 */
	put("pods",
	    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p3\",\"namespace\":"
	    "\"b\"},\"spec\":{\"serviceAccountName\":\"sa3\",\"containers\":[{\"name\":\"c\","
	    "\"image\":\"i\"}]}}",
	    NULL, 0);
}

static enum kube_decision node_says(const struct kube_attrs *a, char *reason, size_t len);

static void test_identity(void)
{
	const char *node = NULL;
	struct kube_user u = user("system:node:n1", "system:nodes");
	CHECK_EQ_INT(nodeauthz_identity(&u, &node), 1);
	CHECK_STR(node, "n1");
	u = user("system:node:n1", NULL); /* not in system:nodes: no node */
	CHECK_EQ_INT(nodeauthz_identity(&u, &node), 0);
	u = user("n1", "system:nodes");
	CHECK_EQ_INT(nodeauthz_identity(&u, &node), 0);
	u = user("system:node:", "system:nodes");
	CHECK_EQ_INT(nodeauthz_identity(&u, &node), 1);
	CHECK_STR(node, "");
}

/* The request's fieldSelector reaches the authorizer (attrs.GetFieldSelector()) for
 * lists and watches, new and old style; a node's watch of its pods is allowed by it. */
static void test_parse_field_selector(void)
{
	const char *paths[][2] = {
		{"/api/v1/pods", "fieldSelector=spec.nodeName%3Dn1&limit=500"},
		{"/api/v1/pods", "watch=true&fieldSelector=spec.nodeName%3Dn1"},
		{"/api/v1/watch/pods", "fieldSelector=spec.nodeName%3Dn1"},
	};
	char reason[256];
	for (size_t i = 0; i < 3; i++) {
		struct evkeyvalq q;
		struct kube_attrs a;
		TAILQ_INIT(&q);
		CHECK_EQ_INT(evhttp_parse_query_str(paths[i][1], &q), 0);
		CHECK_EQ_INT(kube_parse_path("GET", paths[i][0], &q, &a), 0);
		CHECK_STR(a.field_selector, "spec.nodeName=n1");
		CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
		evhttp_clear_headers(&q);
	}
	struct kube_attrs a;
	CHECK_EQ_INT(kube_parse_path("GET", "/api/v1/pods", NULL, &a), 0);
	CHECK_STR(a.field_selector, "");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
}

static void test_pod_refers(void)
{
	json_t *pod = json_loads(
		"{\"metadata\":{\"name\":\"web\"},\"spec\":{\"serviceAccount\":\"old\","
		"\"initContainers\":[{\"env\":[{\"valueFrom\":{\"configMapKeyRef\":{\"name\":"
		"\"icm\"}}}]}],\"ephemeralContainers\":[{\"envFrom\":[{\"secretRef\":{\"name\":"
		"\"esec\"}}]}],\"volumes\":[{\"name\":\"p\",\"projected\":{\"sources\":[{"
		"\"secret\":"
		"{\"name\":\"psec\"}},{\"configMap\":{\"name\":\"pcm\"}},{\"clusterTrustBundle\":{}"
		"}]}},"
		"{\"name\":\"c\",\"csi\":{\"driver\":\"x\",\"nodePublishSecretRef\":{\"name\":"
		"\"csec\"}}},"
		"{\"name\":\"r\",\"rbd\":{\"secretRef\":{\"name\":\"rsec\"}}},"
		"{\"name\":\"e\",\"ephemeral\":{\"volumeClaimTemplate\":{}}},"
		"{\"name\":\"cm\",\"configMap\":{\"name\":\"vcm\"}}]}}",
		0, NULL);
	CHECK(pod != NULL);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SERVICEACCOUNT, "old"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_CONFIGMAP, "icm"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SECRET, "esec"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SECRET, "psec"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_CONFIGMAP, "pcm"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SECRET, "csec"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SECRET, "rsec"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_CONFIGMAP, "vcm"), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_PVC, "web-e"), 1); /* ephemeral */
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_TRUSTBUNDLE, NULL), 1);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SECRET, "vcm"), 0);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_CONFIGMAP, "psec"), 0);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_PVC, "e"), 0);
	json_decref(pod);
	pod = json_loads("{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}", 0, NULL);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SERVICEACCOUNT, NULL), 0);
	CHECK_EQ_INT(nodeauthz_pod_refers(pod, NODEAUTHZ_SECRET, NULL), 0);
	json_decref(pod);
}

/* The Node authorizer's decision and reason. */
static enum kube_decision node_says(const struct kube_attrs *a, char *reason, size_t len)
{
	struct kube_user u = user("system:node:n1", "system:nodes");
	return nodeauthz_authorize(&cl, &u, a, reason, len);
}

#define NO_REL "no relationship found between node 'n1' and this object"

static void test_authorizer(void)
{
	char reason[512];
	struct kube_attrs a;

	/* secrets and configmaps of its own pods only */
	a = attrs("get", "", "secrets", NULL, "a", "s1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("get", "", "secrets", NULL, "a", "pull");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("get", "", "secrets", NULL, "a", "s2"); /* p2's, on n2 */
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, NO_REL);
	a = attrs("get", "", "secrets", NULL, "b", "s1"); /* same name, other namespace */
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, NO_REL);
	a = attrs("list", "", "secrets", NULL, "a", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "No Object name found");
	a = attrs("delete", "", "secrets", NULL, "a", "s1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "can only read resources of this type");
	a = attrs("list", "", "secrets", NULL, NULL, NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "can only read namespaced object of this type");
	a = attrs("get", "", "configmaps", NULL, "a", "cm1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("get", "", "persistentvolumeclaims", NULL, "a", "data");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("list", "", "persistentvolumeclaims", NULL, "a", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "can only get individual resources of this type");

	/* service accounts: tokens (and, for the metadata server, gets) of its pods' */
	a = attrs("create", "", "serviceaccounts", "token", "a", "sa1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("create", "", "serviceaccounts", "token", "a", "sa2");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, NO_REL);
	a = attrs("create", "", "serviceaccounts", "token", "b", "sa3"); /* p3 is unbound */
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	a = attrs("get", "", "serviceaccounts", NULL, "a", "sa1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("get", "", "serviceaccounts", NULL, "a", "sa2");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, NO_REL);
	a = attrs("list", "", "serviceaccounts", NULL, "a", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "can only create tokens for individual service accounts");
	a = attrs("create", "", "serviceaccounts", NULL, "a", "sa1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "can only create token subresource of serviceaccount");

	/* pods: lists only of its own, by field selector */
	a = attrs("list", "", "pods", NULL, NULL, NULL);
	snprintf(a.field_selector, sizeof(a.field_selector), "spec.nodeName=n1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	snprintf(a.verb, sizeof(a.verb), "watch");
	snprintf(a.field_selector, sizeof(a.field_selector),
		 "metadata.namespace=a,spec.nodeName==n1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	const char *refused[] = {"spec.nodeName=n2",  "spec.nodeName!=n1",   "spec.host=n1",
				 "spec.nodeName=n1x", "spec.nodeName=n1\\,", "",
				 "spec.nodeName"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(a.field_selector, sizeof(a.field_selector), "%s", refused[i]);
		CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
		CHECK_STR(reason, "can only list/watch pods with spec.nodeName field selector");
	}
	a = attrs("get", "", "pods", NULL, "a", "p1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("get", "", "pods", NULL, "a", "p2");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, NO_REL);
	a = attrs("list", "", "pods", NULL, "a", "p2"); /* metadata.name=p2 */
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, NO_REL);
	a = attrs("create", "", "pods", NULL, "kube-system", NULL); /* NodeRestriction decides */
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("update", "", "pods", "status", "a", "p2");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("update", "", "pods", NULL, "a", "p1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "");
	a = attrs("deletecollection", "", "pods", NULL, "a", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);

	/* nodes: its own object */
	a = attrs("get", "", "nodes", NULL, NULL, "n1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("get", "", "nodes", NULL, NULL, "n2");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "node 'n1' cannot read 'n2', only its own Node object");
	a = attrs("list", "", "nodes", NULL, NULL, NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "node 'n1' cannot read all nodes, only its own Node object");
	a = attrs("delete", "", "nodes", NULL, NULL, "n1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	a = attrs("patch", "", "nodes", "status", NULL, "n1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);

	/* leases in kube-node-lease under its own name */
	a = attrs("update", "coordination.k8s.io", "leases", NULL, "kube-node-lease", "n1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("update", "coordination.k8s.io", "leases", NULL, "default", "n1");
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "can only access leases in the \"kube-node-lease\" system namespace");

	/* NetworkPolicies where its pods are (gkeid: the metadata server enforces them) */
	a = attrs("list", "networking.k8s.io", "networkpolicies", NULL, "a", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("list", "networking.k8s.io", "networkpolicies", NULL, "b", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	a = attrs("create", "networking.k8s.io", "networkpolicies", NULL, "a", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);

	/* the static rules of system:node: events, services; not RBAC objects */
	a = attrs("create", "", "events", NULL, "b", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("list", "", "services", NULL, "b", NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_ALLOW);
	a = attrs("create", "rbac.authorization.k8s.io", "clusterrolebindings", NULL, NULL, NULL);
	CHECK_EQ_INT(node_says(&a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "");

	/* not a node, or an unnamed one */
	struct kube_user other = user("jane", "system:masters");
	a = attrs("get", "", "secrets", NULL, "a", "s2");
	CHECK_EQ_INT(nodeauthz_authorize(&cl, &other, &a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "");
	struct kube_user anon = user("system:node:", "system:nodes");
	CHECK_EQ_INT(nodeauthz_authorize(&cl, &anon, &a, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "unknown node for user \"system:node:\"");
}

/* The whole chain (Node, RBAC) and kube-apiserver's Forbidden message. */
static void test_chain(void)
{
	char reason[2048], msg[4096];
	struct kube_user u = user("system:node:n1", "system:nodes");
	struct kube_attrs a = attrs("create", "", "serviceaccounts", "token", "a", "sa2");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_NO_OPINION);
	kube_forbidden_message(&u, &a, reason, msg, sizeof(msg));
	CHECK_STR(msg,
		  "serviceaccounts \"sa2\" is forbidden: User \"system:node:n1\" cannot create "
		  "resource \"serviceaccounts/token\" in API group \"\" in the namespace \"a\": "
		  "no relationship found between node 'n1' and this object");
	a = attrs("get", "", "secrets", NULL, "a", "s2");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_NO_OPINION);
	a = attrs("get", "", "secrets", NULL, "a", "s1");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_ALLOW);
	/* the bootstrap's system:node ClusterRoleBinding has no subjects: RBAC adds nothing */
	a = attrs("list", "", "pods", NULL, NULL, NULL);
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_NO_OPINION);
	kube_forbidden_message(&u, &a, reason, msg, sizeof(msg));
	CHECK_STR(msg,
		  "pods is forbidden: User \"system:node:n1\" cannot list resource \"pods\" in "
		  "API group \"\" at the cluster scope: can only list/watch pods with "
		  "spec.nodeName field selector");
}

static int admit(const char *user_name, struct kube_attrs *a, const char *obj, const char *old,
		 char *msg, size_t len)
{
	struct kube_user u = user(user_name, "system:nodes");
	json_t *o = obj ? json_loads(obj, 0, NULL) : NULL,
	       *p = old ? json_loads(old, 0, NULL) : NULL;
	char name[256];
	int rc = noderestriction_admit(&cl, &u, a, o, p, msg, len, name, sizeof(name));
	json_decref(o);
	json_decref(p);
	return rc;
}

#define N1 "system:node:n1"

static void test_admission_pods(void)
{
	char msg[2048], obj[2048];
	struct kube_attrs a = attrs("create", "", "pods", NULL, "kube-system", NULL);
	CHECK_EQ_INT(admit(N1, &a,
			   "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"nodeName\":\"n1\","
			   "\"serviceAccountName\":\"default\"}}",
			   NULL, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "pods \"x\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" "
		       "annotation, node \"n1\" can only create mirror pods");
	const char *mirror = "{\"metadata\":{\"%s\":\"m\",\"annotations\":{"
			     "\"kubernetes.io/config.mirror\":\"h\"}%s},\"spec\":{\"nodeName\":"
			     "\"%s\"%s}}";
	snprintf(obj, sizeof(obj), mirror, "generateName", "", "n2", "");
	CHECK_EQ_INT(admit(N1, &a, obj, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"m\" is forbidden: node \"n1\" can only create pods with "
		       "spec.nodeName set to itself");
	snprintf(obj, sizeof(obj), mirror, "name", "", "n1", "");
	CHECK_EQ_INT(admit(N1, &a, obj, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"m\" is forbidden: node \"n1\" can only create pods with an owner "
		       "reference set to itself");
	char owner[400];
	snprintf(owner, sizeof(owner),
		 ",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"n1\","
		 "\"uid\":\"%s\",\"controller\":true}]",
		 n1_uid);
	snprintf(obj, sizeof(obj), mirror, "name", owner, "n1", "");
	CHECK_EQ_INT(admit(N1, &a, obj, NULL, msg, sizeof(msg)), 0);
	snprintf(obj, sizeof(obj), mirror, "name", owner, "n1", ",\"serviceAccountName\":\"sa1\"");
	CHECK_EQ_INT(admit(N1, &a, obj, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"m\" is forbidden: node \"n1\" can not create pods that reference a "
		       "service account");
	snprintf(obj, sizeof(obj), mirror, "name", owner, "n1",
		 ",\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"s2\"}}]");
	CHECK_EQ_INT(admit(N1, &a, obj, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"m\" is forbidden: node \"n1\" can not create pods that reference "
		       "secrets");
	snprintf(obj, sizeof(obj), mirror, "name", owner, "n1",
		 ",\"volumes\":[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"c\"}}]");
	CHECK_EQ_INT(admit(N1, &a, obj, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"m\" is forbidden: node \"n1\" can not create pods that reference "
		       "persistentvolumeclaims");
	snprintf(owner, sizeof(owner),
		 ",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"n1\","
		 "\"uid\":\"nope\",\"controller\":true}]");
	snprintf(obj, sizeof(obj), mirror, "name", owner, "n1", "");
	CHECK_EQ_INT(admit(N1, &a, obj, NULL, msg, sizeof(msg)), -EPERM);
	char want[400];
	snprintf(want, sizeof(want),
		 "pods \"m\" is forbidden: node n1 UID mismatch: expected nope got %s", n1_uid);
	CHECK_STR(msg, want);
	/* anyone else may create any pod */
	struct kube_user jane = user("jane", NULL);
	char name[64];
	json_t *o = json_loads("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"nodeName\":\"n2\"}}", 0,
			       NULL);
	CHECK_EQ_INT(noderestriction_admit(&cl, &jane, &a, o, NULL, msg, sizeof(msg), name,
					   sizeof(name)),
		     0);
	json_decref(o);

	/* delete and status: only its own pods */
	a = attrs("delete", "", "pods", NULL, "a", "p2");
	CHECK_EQ_INT(admit(N1, &a, NULL, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"p2\" is forbidden: node \"n1\" can only delete pods with "
		       "spec.nodeName set to itself");
	a = attrs("delete", "", "pods", NULL, "a", "p1");
	CHECK_EQ_INT(admit(N1, &a, NULL, NULL, msg, sizeof(msg)), 0);
	a = attrs("delete", "", "pods", NULL, "a", "gone");
	CHECK_EQ_INT(admit(N1, &a, NULL, NULL, msg, sizeof(msg)), -ENOENT);
	CHECK_STR(msg, "pods \"gone\" not found");
	a = attrs("update", "", "pods", "status", "a", "p2");
	CHECK_EQ_INT(admit(N1, &a, "{\"spec\":{\"nodeName\":\"n2\"}}",
			   "{\"spec\":{\"nodeName\":\"n2\"}}", msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "pods \"p2\" is forbidden: node \"n1\" can only update pod status for pods "
		       "with spec.nodeName set to itself");
	a = attrs("patch", "", "pods", "status", "a", "p1");
	CHECK_EQ_INT(admit(N1, &a, "{\"metadata\":{\"labels\":{\"x\":\"1\"}}}",
			   "{\"spec\":{\"nodeName\":\"n1\"}}", msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "pods \"p1\" is forbidden: node \"n1\" cannot update labels through pod "
		       "status");
	CHECK_EQ_INT(admit(N1, &a, "{\"status\":{\"phase\":\"Running\"}}",
			   "{\"spec\":{\"nodeName\":\"n1\"}}", msg, sizeof(msg)),
		     0);
	a = attrs("update", "", "pods", NULL, "a", "p1");
	CHECK_EQ_INT(admit(N1, &a, "{}", "{}", msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"p1\" is forbidden: unexpected operation \"UPDATE\", node \"n1\" can "
		       "only create and delete mirror pods");
	a = attrs("delete", "", "pods", NULL, "a", "p1");
	CHECK_EQ_INT(admit("system:node:", &a, NULL, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "pods \"p1\" is forbidden: could not determine node from user "
		       "\"system:node:\"");
}

static void test_admission_nodes(void)
{
	char msg[2048];
	struct kube_attrs a = attrs("update", "", "nodes", NULL, NULL, "n2");
	CHECK_EQ_INT(admit(N1, &a, "{}", "{}", msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg,
		  "nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
	a = attrs("create", "", "nodes", NULL, NULL, NULL);
	CHECK_EQ_INT(admit(N1, &a, "{\"metadata\":{\"name\":\"n3\"}}", NULL, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg,
		  "nodes \"n3\" is forbidden: node \"n1\" is not allowed to modify node \"n3\"");
	CHECK_EQ_INT(admit(N1, &a,
			   "{\"metadata\":{\"name\":\"n1\",\"labels\":{"
			   "\"node-restriction.kubernetes.io/a\":\"1\",\"kubernetes.io/os\":"
			   "\"linux\",\"node-role.kubernetes.io/master\":\"\",\"team\":\"x\"}}}",
			   NULL, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "nodes \"n1\" is forbidden: node \"n1\" is not allowed to set the following "
		       "labels: node-restriction.kubernetes.io/a, node-role.kubernetes.io/master");
	a = attrs("update", "", "nodes", NULL, NULL, "n1");
	CHECK_EQ_INT(admit(N1, &a, "{\"spec\":{\"taints\":[]}}", "{\"spec\":{}}", msg, sizeof(msg)),
		     0);
	CHECK_EQ_INT(admit(N1, &a, "{\"spec\":{}}",
			   "{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]}}",
			   msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify taints");
	CHECK_EQ_INT(admit(N1, &a,
			   "{\"metadata\":{\"labels\":{\"kubernetes.io/hostname\":\"h2\","
			   "\"topology.kubernetes.io/zone\":\"z\",\"a.kubelet.kubernetes.io/x\":"
			   "\"1\"}}}",
			   "{\"metadata\":{\"labels\":{\"kubernetes.io/hostname\":\"h\","
			   "\"k8s.io/x\":\"1\"}}}",
			   msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "nodes \"n1\" is forbidden: is not allowed to modify labels: k8s.io/x");
	CHECK_EQ_INT(admit(N1, &a,
			   "{\"metadata\":{\"labels\":{\"kubernetes.io/hostname\":\"h2\"}}}",
			   "{\"metadata\":{\"labels\":{\"kubernetes.io/hostname\":\"h\"}}}", msg,
			   sizeof(msg)),
		     0);
}

static void test_admission_tokens(void)
{
	char msg[2048], body[1024];
	struct kube_attrs a = attrs("create", "", "serviceaccounts", "token", "a", "sa1");
	CHECK_EQ_INT(admit(N1, &a, "{\"spec\":{\"audiences\":[\"x\"]}}", NULL, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "serviceaccounts \"sa1\" is forbidden: node requested token not bound to a "
		       "pod");
	CHECK_EQ_INT(admit(N1, &a,
			   "{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":"
			   "\"Secret\",\"name\":\"s1\"}}}",
			   NULL, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "serviceaccounts \"sa1\" is forbidden: node requested token not bound to a "
		       "pod");
	CHECK_EQ_INT(admit(N1, &a,
			   "{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":"
			   "\"Pod\",\"name\":\"p1\"}}}",
			   NULL, msg, sizeof(msg)),
		     -EPERM);
	CHECK_STR(msg, "serviceaccounts \"sa1\" is forbidden: node requested token with a pod "
		       "binding without a uid");
	const char *bound = "{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
			    "\"name\":\"%s\",\"uid\":\"%s\"}}}";
	snprintf(body, sizeof(body), bound, "p1", "wrong");
	CHECK_EQ_INT(admit(N1, &a, body, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg,
		  "serviceaccounts \"sa1\" is forbidden: the UID in the bound object reference "
		  "(wrong) does not match the UID in record. The object might have been "
		  "deleted and then recreated");
	snprintf(body, sizeof(body), bound, "p2", p2_uid);
	CHECK_EQ_INT(admit(N1, &a, body, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "serviceaccounts \"sa1\" is forbidden: node requested token bound to a pod "
		       "scheduled on a different node");
	/* an unbound pod is not in the index: read from the store, refused alike */
	struct kube_attrs ab = attrs("create", "", "serviceaccounts", "token", "b", "sa3");
	snprintf(body, sizeof(body), bound, "p3", "any");
	CHECK_EQ_INT(admit(N1, &ab, body, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "serviceaccounts \"sa3\" is forbidden: the UID in the bound object "
		       "reference (any) does not match the UID in record. The object might have "
		       "been deleted and then recreated");
	snprintf(body, sizeof(body), bound, "gone", "u");
	CHECK_EQ_INT(admit(N1, &a, body, NULL, msg, sizeof(msg)), -ENOENT);
	CHECK_STR(msg, "pods \"gone\" not found");
	snprintf(body, sizeof(body), bound, "p1", p1_uid);
	CHECK_EQ_INT(admit(N1, &a, body, NULL, msg, sizeof(msg)), 0);
	/* anyone else: not this plugin's business */
	struct kube_user jane = user("jane", NULL);
	char name[64];
	json_t *o = json_loads("{}", 0, NULL);
	CHECK_EQ_INT(noderestriction_admit(&cl, &jane, &a, o, NULL, msg, sizeof(msg), name,
					   sizeof(name)),
		     0);
	json_decref(o);
}

/* A pod in namespace ix: its name, node (NULL: unbound) and spec's service-account
 * member ("serviceAccountName" or the deprecated "serviceAccount"). */
static void put_ix_pod(const char *name, const char *node, const char *sa_member, const char *sa)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
		 "\"namespace\":\"ix\"},\"spec\":{%s%s%s\"%s\":\"%s\",\"containers\":[{\"name\":"
		 "\"c\",\"image\":\"i\"}],\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":"
		 "\"%s-secret\"}}]}}",
		 name, node ? "\"nodeName\":\"" : "", node ? node : "", node ? "\"," : "",
		 sa_member, sa, name);
	put("pods", text, NULL, 0);
}

/* The decision of node on a TokenRequest for ix/sa, a get of the pod ix/pod and of the
 * secret ix/secret: "ttt" when all three are allowed, "-" for each refused. */
static void says(const char *node, const char *sa, const char *pod, const char *secret, char out[4])
{
	char uname[64];
	snprintf(uname, sizeof(uname), "system:node:%s", node);
	struct kube_user u = user(uname, "system:nodes");
	struct kube_attrs a[3] = {attrs("create", "", "serviceaccounts", "token", "ix", sa),
				  attrs("get", "", "pods", NULL, "ix", pod),
				  attrs("get", "", "secrets", NULL, "ix", secret)};
	for (int i = 0; i < 3; i++)
		out[i] = nodeauthz_authorize(&cl, &u, &a[i], NULL, 0) == KUBE_ALLOW ? 't' : '-';
	out[3] = '\0';
}

static int count_pod(void *arg, const char *name)
{
	(void)name;
	++*(int *)arg;
	return 0;
}

/* The index of pods by node (nodeauthz_index.c) follows every write to the store at
 * once: a pod deleted, moved to another node, given another service account, its
 * namespace's pods deleted together, and a restart (the index built again from the
 * store) all decide as the store says, never as it said before. */
static void test_index_follows_store(void)
{
	const struct kube_resource *pods = kube_resource_find("", "v1", "pods");
	char got[4], key[256], prefix[256];
	int n = 0;

	put_ix_pod("q1", "n1", "serviceAccountName", "qa");
	put_ix_pod("q2", "n1", "serviceAccount", "qb");	    /* the deprecated alias counts */
	put_ix_pod("q3", NULL, "serviceAccountName", "qc"); /* unbound */
	says("n1", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "ttt");
	says("n1", "qb", "q2", "q2-secret", got);
	CHECK_STR(got, "ttt");
	says("n1", "qc", "q3", "q3-secret", got);
	CHECK_STR(got, "---");
	says("n2", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "---");
	says("n1x", "qa", "q1", "q1-secret", got); /* a node whose name starts alike */
	CHECK_STR(got, "---");
	CHECK_EQ_INT(nodeauthz_index_runs_as(&cl, "n1", "ix", NULL), 1);
	CHECK_EQ_INT(nodeauthz_index_runs_as(&cl, "n1", "ix", "qc"), 0);
	CHECK_EQ_INT(nodeauthz_index_runs_as(&cl, "n1", "i", "qa"), 0);
	CHECK_EQ_INT(nodeauthz_index_bound(&cl, "n1", "ix", "q3"), 0);
	CHECK_EQ_INT(nodeauthz_index_each(&cl, "n1", "ix", count_pod, &n), 0);
	CHECK_EQ_INT(n, 2);

	char node[64], uid[64], uid2[64], body[512], msg[1024];
	CHECK_EQ_INT(nodeauthz_index_pod(&cl, "ix", "q1", node, sizeof(node), uid, sizeof(uid)), 1);
	CHECK_STR(node, "n1");
	CHECK_EQ_INT(strlen(uid), 36);
	CHECK_EQ_INT(nodeauthz_index_pod(&cl, "ix", "q1", node, 2, NULL, 0), -ENAMETOOLONG);
	CHECK_EQ_INT(nodeauthz_index_pod(&cl, "ix", "q3", node, sizeof(node), NULL, 0), 0);
	CHECK_EQ_INT(nodeauthz_index_pod(&cl, "ix", "nope", NULL, 0, NULL, 0), 0);
	struct kube_attrs tr = attrs("create", "", "serviceaccounts", "token", "ix", "qa");
	snprintf(body, sizeof(body),
		 "{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
		 "\"name\":\"q1\",\"uid\":\"%s\"}}}",
		 uid);
	CHECK_EQ_INT(admit(N1, &tr, body, NULL, msg, sizeof(msg)), 0);

	/* moved to n2: n1 loses it at once, n2 gains it */
	put_ix_pod("q1", "n2", "serviceAccountName", "qa");
	says("n1", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "---");
	CHECK_EQ_INT(nodeauthz_index_pod(&cl, "ix", "q1", node, sizeof(node), uid2, sizeof(uid2)),
		     1);
	CHECK_STR(node, "n2");
	CHECK_STR(uid2, uid); /* a replacement keeps the pod's uid */
	CHECK_EQ_INT(admit(N1, &tr, body, NULL, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "serviceaccounts \"qa\" is forbidden: node requested token bound to a pod "
		       "scheduled on a different node");
	says("n2", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "ttt");
	/* another service account: the old one is no longer the node's */
	put_ix_pod("q1", "n2", "serviceAccountName", "qz");
	says("n2", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "-tt");
	says("n2", "qz", "q1", "q1-secret", got);
	CHECK_STR(got, "ttt");
	/* unbound again */
	put_ix_pod("q1", NULL, "serviceAccountName", "qz");
	says("n2", "qz", "q1", "q1-secret", got);
	CHECK_STR(got, "---");
	put_ix_pod("q1", "n1", "serviceAccountName", "qa");

	/* deleted */
	registry_key(&cl, pods, "ix", "q1", key, sizeof(key));
	CHECK_EQ_INT(store_delete(kube.store, key, STORE_ANY_REV, NULL), 0);
	says("n1", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "---");
	says("n1", "qb", "q2", "q2-secret", got); /* its neighbour stays */
	CHECK_STR(got, "ttt");

	/* put and deleted between two decisions (the index parses it never) */
	put_ix_pod("q4", "n1", "serviceAccountName", "qd");
	put_ix_pod("q4", "n1", "serviceAccountName", "qe");
	registry_key(&cl, pods, "ix", "q4", key, sizeof(key));
	CHECK_EQ_INT(store_delete(kube.store, key, STORE_ANY_REV, NULL), 0);
	says("n1", "qd", "q4", "q4-secret", got);
	CHECK_STR(got, "---");
	says("n1", "qe", "q4", "q4-secret", got);
	CHECK_STR(got, "---");

	/* a restart: the index is built again from the store, and decides alike */
	nodeauthz_forget(&cl);
	CHECK(cl.nodeauthz == NULL);
	says("n1", "qb", "q2", "q2-secret", got);
	CHECK_STR(got, "ttt");
	CHECK(cl.nodeauthz != NULL);
	says("n1", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "---");
	nodeauthz_forget(&cl);
	put_ix_pod("q1", "n1", "serviceAccountName", "qa"); /* written with no index */
	says("n1", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "ttt");

	/* the namespace's pods deleted together (a namespace's deletion, a purge) */
	registry_key(&cl, pods, "ix", NULL, prefix, sizeof(prefix));
	size_t deleted = 0;
	CHECK_EQ_INT(store_delete_prefix(kube.store, prefix, &deleted, NULL), 0);
	CHECK_EQ_INT(deleted, 3);
	says("n1", "qa", "q1", "q1-secret", got);
	CHECK_STR(got, "---");
	says("n1", "qb", "q2", "q2-secret", got);
	CHECK_STR(got, "---");
	CHECK_EQ_INT(nodeauthz_index_runs_as(&cl, "n1", "ix", NULL), 0);
	n = 0;
	CHECK_EQ_INT(nodeauthz_index_each(&cl, "n1", "ix", count_pod, &n), 0);
	CHECK_EQ_INT(n, 0);
	/* the other namespaces' pods are still there */
	CHECK_EQ_INT(nodeauthz_index_bound(&cl, "n1", "a", "p1"), 1);
}

int main(void)
{
	char db[128];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/gkeid.db", dir);
	if (store_open(db, &kube.store) != 0) {
		fprintf(stderr, "store_open failed\n");
		return 1;
	}
	cl.kube = &kube;
	snprintf(cl.project, sizeof(cl.project), "p");
	snprintf(cl.location, sizeof(cl.location), "l");
	snprintf(cl.name, sizeof(cl.name), "c");
	snprintf(cl.prefix, sizeof(cl.prefix), "/clusters/p/l/c");
	CHECK_EQ_INT(rbac_bootstrap(&cl), 0);
	setup_objects();
	RUN(test_identity);
	RUN(test_parse_field_selector);
	RUN(test_pod_refers);
	RUN(test_authorizer);
	RUN(test_chain);
	RUN(test_admission_pods);
	RUN(test_admission_nodes);
	RUN(test_admission_tokens);
	RUN(test_index_follows_store);
	nodeauthz_forget(&cl);
	rbac_forget(&cl);
	store_close(kube.store);
	t_rmtree(dir);
	return t_done();
}
