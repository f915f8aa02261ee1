/*
 * up.h - `gkeid up`, the all-in-one, as a layer of its own (above node and doctor,
 * below cli): its assembly (up.c), the node agent it runs (upnode.c), its fault
 * endpoint (upfaults.c) and the gcloud configuration it writes (gcloudcfg.h).
 */
#ifndef GKEID_UP_H
#define GKEID_UP_H

#include <stdint.h>
#include <sys/types.h>

#include "core/httpconn.h"

#define UP_DEFAULT_PORT 8780

/* What `gkeid up`'s command line sets (cli/up.c). */
struct up_options {
	const char *dir;	/* the data directory */
	const char *state_file; /* YAML state for a first start; NULL: the demo */
	int port;		/* the Google APIs' port; 0 picks a free one */
	int64_t propagation_ms; /* IAM's propagation delay */
	struct http_limits limits;
};

/* Runs `gkeid up` in the foreground until SIGINT or SIGTERM. The process exit status. */
int up_run(const struct up_options *o);

struct kube;
struct cloud;
/* Runs `gkeid node` for local-node of a cluster as a child process (upnode.c): issues its
 * client certificate, grants its RBAC, spawns it. 0 and *pid, or -errno. */
int upnode_start(struct kube *k, struct cloud *c, const char *dir, const char *project,
		 const char *location, const char *cluster, pid_t *pid);
/* True once the node serves (it wrote DIR/nodes/local-node.json). */
int upnode_ready(const char *dir);
/* The node `gkeid up` runs. */
#define UPNODE_NAME "local-node"

/* Fault injection for `gkeid up` (upfaults.c); its state is one struct upfaults, which
 * the admin endpoint's routes carry. new allocates it (NULL: no memory); routes_add
 * installs GET/PUT/DELETE /gkeid/v1/faults[/NAME] on the cloud router; init records the
 * default cluster (the one with the node; NULL/"" for none) and up's --iam-propagation,
 * and writes that cluster's kube-system/gke-metadata-server-XXXXX pod (Running). free
 * releases it (before kube_free); NULL is fine. */
struct upfaults;
struct http_router;
struct upfaults *upfaults_new(void);
int upfaults_routes_add(struct upfaults *f, struct http_router *rt);
int upfaults_init(struct upfaults *f, struct kube *k, struct cloud *c, const char *project,
		  const char *location, const char *cluster, int64_t propagation_ms);
void upfaults_free(struct upfaults *f);

#endif
