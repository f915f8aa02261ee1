/*
 * container.h - the Kubernetes Engine (Container) API's entry points outside HTTP:
 * seeding clusters from a state file, and bringing stored clusters back up after a
 * restart. The HTTP routes are container_routes in cloud.h.
 *
 * Clusters live at /projects/P/locations/L/clusters/C (without "nodePools"), their node
 * pools at .../clusters/C/nodePools/N, operations at /projects/P/locations/L/operations/OP
 * (P is always the project ID). The API shows a cluster with its node pools embedded,
 * in creation order; c->on_cluster sees that assembled form.
 */
#ifndef GKEID_CONTAINER_H
#define GKEID_CONTAINER_H

#include <jansson.h>
#include <stddef.h>

struct cloud;

/* Creates a cluster and its node pools exactly as clusters.create would (defaults, node
 * pool settings, the on_cluster "create" hook when set), without authentication, IAM or
 * service checks. project is an existing project ID; location a region or zone.
 * spec (borrowed) is a state-file entry (docs/state.md):
 *   {name, workloadPool: "P.svc.id.goog" | workloadIdentity: true,
 *    datapathProvider: "ADVANCED_DATAPATH" | "LEGACY_DATAPATH",
 *    currentMasterVersion: "1.30.5-gke.1014001",
 *    nodePools: [{name, workloadMetadataMode: "GKE_METADATA" | "GCE_METADATA",
 *                 nodeCount, machineType}]}
 * Returns 0; -EEXIST when the cluster exists; -EINVAL (message in err) for a bad spec;
 * other -errno. */
int container_cluster_create(struct cloud *c, const char *project, const char *location,
			     const json_t *spec, char *err, size_t errlen);

/* Calls c->on_cluster(arg, "create", cluster) for every stored cluster and stores what
 * the hook filled in (endpoint, masterAuth). For `gkeid up` after it installs the hook:
 * clusters seeded before the hook existed, or stored by an earlier run, get their
 * Kubernetes side (and a fresh endpoint). No-op when on_cluster is NULL.
 * Returns 0 or the first -errno (it still tries every cluster); *n_started (may be NULL)
 * gets the number started. */
int container_clusters_resume(struct cloud *c, size_t *n_started);

#endif
