/*
 * crdserve.h - the custom resources a cluster serves (crdserve.c): its table of
 * resources with those of its CustomResourceDefinitions, and the hooks through which
 * resources.c, the registry, server-side apply and tables treat CRDs and their
 * resources. Lookups are for the cluster of the calling thread's current request
 * (crd_enter).
 */
#ifndef GKEID_KUBE_CRDSERVE_H
#define GKEID_KUBE_CRDSERVE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

struct kube_cluster;
struct kube_resource;
struct apply_type;

/* The cluster the calling thread's request is for (NULL: none). Loads its CRDs on
 * first use and watches them. */
void crd_enter(struct kube_cluster *cl);
/* Drops a cluster's table and watch (the cluster is going away). */
void crd_forget(struct kube_cluster *cl);

/* The built-in resources followed by the current cluster's custom resources, or NULL
 * when there is no current cluster (then the built-in table is the answer). */
const struct kube_resource *crd_resources(size_t *n);
/* A custom resource of the current cluster, or NULL. */
const struct kube_resource *crd_find(const char *group, const char *version, const char *resource);

/* For a custom resource: whether its version has the status subresource; its merge
 * types (NULL: none); its Table columns (crd.h's crd_columns; new reference). */
int crd_has_status(const struct kube_resource *res);
const struct apply_type *crd_apply_type(const struct kube_resource *res);
/* The served version of res's CRD that is its storage version (its objects are stored
 * in it; the "None" conversion rewrites apiVersion), or NULL: res is no custom
 * resource, or its storage version is not served. */
const struct kube_resource *crd_storage_of(const struct kube_resource *res);
/* Changes whenever the current cluster's custom resources change (a CRD written or
 * deleted): what documents built from them (OpenAPI) compare. */
unsigned long crd_generation(void);
/* A custom resource's openAPIV3Schema (borrowed for the request), or NULL. */
const json_t *crd_schema(const struct kube_resource *res);
/* The deprecation Warning text of a custom resource's version (crd.h's
 * crd_deprecation_warning), malloc'd, or NULL: none, or not a custom resource. */
char *crd_warning(const struct kube_resource *res);
/* A custom resource whose version has the scale subresource: 1, with its
 * specReplicasPath, statusReplicasPath and labelSelectorPath (".spec.replicas"; ""
 * when absent; borrowed for the request) where asked for; else 0. */
int crd_scale_paths(const struct kube_resource *res, const char **spec, const char **status,
		    const char **selector);
json_t *crd_table_columns(const struct kube_resource *res);

/* For a custom resource, replaces the columns and cells of table (table.c's, built for
 * items) with the version's printer columns; 1 when it did, 0 for other resources. */
int crd_table(const struct kube_resource *res, json_t *table, const json_t *items, int headers,
	      time_t now);

/* What the registry does to an object of res before it is stored: for a CRD its
 * defaults, validation and status (old: the stored one or NULL); for a custom resource
 * pruning, defaulting and validation by its schema. Field errors go to errs (the
 * registry's form). Other resources: nothing. 0 or -ENOMEM. */
int crd_object_hook(const struct kube_resource *res, json_t *obj, const json_t *old, json_t *errs);

/* After the CRD crd (res: the CRD resource) was deleted from the store: deletes every
 * object of its kind, in every version and namespace, and marks crd (the reply) as
 * upstream's first DELETE answers it: deletionTimestamp, the
 * customresourcecleanup.apiextensions.k8s.io finalizer and a Terminating condition.
 * Other resources: nothing. 0 or -errno. */
int crd_delete_hook(struct kube_cluster *cl, const struct kube_resource *res, json_t *crd);

#endif
