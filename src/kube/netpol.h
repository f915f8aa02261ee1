/*
 * netpol.h - Kubernetes NetworkPolicy egress semantics as pure functions (netpol.c, no
 * I/O): label selectors, which policies govern a pod's egress, whether they allow a
 * destination, and where pods reach the GKE metadata server. Used by the doctor (to
 * explain) and by the node (to enforce). Arguments are borrowed.
 */
#ifndef GKEID_KUBE_NETPOL_H
#define GKEID_KUBE_NETPOL_H

#include <jansson.h>
#include <stddef.h>

/* A Kubernetes LabelSelector (matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist)
 * against a labels object. NULL selector matches nothing; {} matches everything.
 * labels may be NULL (no labels). 1 match, 0 no match, -EINVAL bad selector. */
int netpol_selector_matches(const json_t *selector, const json_t *labels);
/* A destination of egress traffic. pod_labels NULL: not a pod (e.g. the metadata server,
 * which is on the node), so only ipBlock peers can match it. */
struct netpol_dest {
	const char *ip; /* IPv4 or IPv6 literal */
	int port;
	const char *protocol;	  /* "TCP" (default when NULL), "UDP", "SCTP" */
	const char *ns;		  /* the destination pod's namespace */
	const json_t *pod_labels; /* NULL when not a pod */
	const json_t *ns_labels;  /* the destination namespace's labels */
};
/* 1 when ip is inside cidr ("a.b.c.d/n" or v6), 0 not, -EINVAL malformed. */
int netpol_cidr_contains(const char *cidr, const char *ip);
/* Does policy (a NetworkPolicy object) govern the egress of a pod in ns with labels? */
int netpol_applies_egress(const json_t *policy, const char *ns, const json_t *labels);
/* Is egress from the pod (ns, labels) to dest allowed by the policies (array of
 * NetworkPolicy objects of any namespace)? 1 allowed, 0 denied. why gets the policies
 * that decided ("no policy selects the pod for egress", "allowed by allow-md", or
 * "denied: deny-all, web-egress select the pod and none allows ..."). */
int netpol_egress_allowed(const json_t *policies, const char *ns, const json_t *labels,
			  const struct netpol_dest *dest, char *why, size_t whylen);
/* The metadata server address pods use, by GKE version and datapath (the seed's rule):
 * ADVANCED_DATAPATH (Dataplane V2): 169.254.169.254:80; version >= 1.21.0-gke.1000:
 * 169.254.169.252:988; older: 127.0.0.1:988. 0, or -EINVAL for an unparseable version
 * (then the >= 1.21 answer is given). */
int netpol_metadata_target(const char *version, const char *datapath, const char **ip, int *port);
/* Compares GKE versions "1.21.0-gke.1000": <0, 0, >0. Unparseable parts compare as 0. */
int netpol_version_cmp(const char *a, const char *b);

#endif
