/*
 * nodeauthz.h - what a node's credential may do, as kube-apiserver limits it: the Node
 * authorizer (nodeauthz.c, plugin/pkg/auth/authorizer/node/node_authorizer.go) and the
 * NodeRestriction admission plugin (noderestriction.c,
 * plugin/pkg/admission/noderestriction/admission.go). Both apply to users named
 * system:node:NAME in the group system:nodes; everyone else passes through untouched.
 *
 * The authorizer's graph (node <- pod <- secret/configmap/pvc/serviceaccount) starts
 * from an index of the pods by node and namespace, with the service account each runs
 * as (nodeauthz_index.c), which a store watch keeps in step with every write; what a
 * pod refers to beyond its service account is read from the pod as stored.
 */
#ifndef GKEID_KUBE_NODEAUTHZ_H
#define GKEID_KUBE_NODEAUTHZ_H

#include <jansson.h>
#include <stddef.h>

#include "kube/kube.h"

/* 1 when u is a node (name system:node:NAME, group system:nodes; upstream's
 * nodeidentifier): *node is then NAME (borrowed from u, "" when the name has nothing
 * after the prefix). 0 for everyone else. */
int nodeauthz_identity(const struct kube_user *u, const char **node);

/* The Node authorizer. For a node: KUBE_ALLOW, or KUBE_NO_OPINION with upstream's reason
 * in reason ("no relationship found between node 'N' and this object", "can only
 * list/watch pods with spec.nodeName field selector", ... or ""). For anyone else
 * KUBE_NO_OPINION and "". It never denies: RBAC and IAM still get their say.
 *
 * Beyond upstream (gkeid's node agent is also GKE's metadata server, which on GKE reads
 * with a DaemonSet's credentials of its own): a node may also get a service account a pod
 * bound to it uses, and read (get, list, watch) the NetworkPolicies of a namespace where
 * a pod is bound to it. */
enum kube_decision nodeauthz_authorize(struct kube_cluster *cl, const struct kube_user *u,
				       const struct kube_attrs *a, char *reason, size_t len);

/* The objects a pod refers to, as upstream's podutil visitors see them. */
enum nodeauthz_ref {
	NODEAUTHZ_SECRET,	  /* imagePullSecrets, env, envFrom, secret/projected and
				     volume-plugin secretRefs (VisitPodSecretNames) */
	NODEAUTHZ_CONFIGMAP,	  /* env, envFrom, configMap and projected volumes */
	NODEAUTHZ_PVC,		  /* persistentVolumeClaim volumes, and ephemeral ones
				     (<pod>-<volume>) */
	NODEAUTHZ_SERVICEACCOUNT, /* spec.serviceAccountName (or the older serviceAccount) */
	NODEAUTHZ_TRUSTBUNDLE	  /* projected clusterTrustBundle sources (any name) */
};
/* 1 when pod (a Pod object) refers to an object of kind named name; with name NULL, to
 * any object of that kind (empty names never count). 0 otherwise. */
int nodeauthz_pod_refers(const json_t *pod, enum nodeauthz_ref kind, const char *name);
/* The service account a pod runs as: spec.serviceAccountName, or the deprecated
 * spec.serviceAccount when that is empty; "" for none. Borrowed from pod. */
const char *nodeauthz_pod_sa(const json_t *pod);

/* --- nodeauthz_index.c: the pods by (node, namespace), kept in cl->nodeauthz --- */
/* 1 when a pod of namespace ns bound to node runs as the service account sa (with sa
 * NULL: when any pod of ns is bound to node), else 0; -errno when the index cannot be
 * built from the store. */
int nodeauthz_index_runs_as(struct kube_cluster *cl, const char *node, const char *ns,
			    const char *sa);
/* 1 when the pod ns/name is bound to node, else 0; -errno as above. */
int nodeauthz_index_bound(struct kube_cluster *cl, const char *node, const char *ns,
			  const char *name);
/* 1 when the pod ns/name is bound to a node, with that node's name and the pod's
 * metadata.uid copied into node and uid (either may be NULL); 0 when the pod is unbound
 * or absent; -errno as above, or -ENAMETOOLONG when a value does not fit. */
int nodeauthz_index_pod(struct kube_cluster *cl, const char *ns, const char *name, char *node,
			size_t node_len, char *uid, size_t uid_len);
/* Calls fn with the name of each pod of namespace ns bound to node until it returns
 * non-zero, and returns that (0 after the last); -errno as above. fn must not write to
 * the store. */
int nodeauthz_index_each(struct kube_cluster *cl, const char *node, const char *ns,
			 int (*fn)(void *arg, const char *name), void *arg);
/* Frees the cluster's index (the next decision builds it again from the store). */
void nodeauthz_forget(struct kube_cluster *cl);

/* NodeRestriction admission of a write by u: a create, update, patch or delete of a pod
 * (or its status or eviction), a node (or its status), a lease, a CSINode, or a
 * TokenRequest (resource serviceaccounts, subresource token). obj is the object written
 * (the pod or node as sent, the TokenRequest) and old the stored one (update, patch,
 * delete); either may be NULL where the operation has none. Returns 0 when u is no node or
 * the write is allowed; -EPERM with msg set to the whole Forbidden message (`pods "x" is
 * forbidden: node "n" can only delete pods with spec.nodeName set to itself`) and name to
 * the name the Status carries; -ENOENT with msg set to the NotFound message when an
 * object it needs is gone (`pods "x" not found`). */
int noderestriction_admit(struct kube_cluster *cl, const struct kube_user *u,
			  const struct kube_attrs *a, const json_t *obj, const json_t *old,
			  char *msg, size_t msg_len, char *name, size_t name_len);

#endif
