/*
 * convert.h - the versions of one kind: which version of a resource the store holds
 * (its storage version), and the conversion of an object between the versions the API
 * server serves, as kube-apiserver's codecs convert at the storage boundary (an object
 * is written in the storage version and read back in the version the request names).
 *
 * The built-in kinds served in more than one version are HorizontalPodAutoscaler
 * (autoscaling/v2, stored; autoscaling/v1) and flowcontrol's FlowSchema and
 * PriorityLevelConfiguration (v1, stored; v1beta3), as Kubernetes 1.30 serves them by
 * default (pkg/controlplane/instance.go). Between two versions without a conversion of
 * their own (flowcontrol's, whose fields are the same; a CRD's versions), only
 * apiVersion changes (the "None" strategy of CustomResourceDefinitions).
 */
#ifndef GKEID_KUBE_CONVERT_H
#define GKEID_KUBE_CONVERT_H

#include <jansson.h>

#include "kube/kube.h"

/* The resource whose version res's objects are stored in: the first entry of the
 * built-in table with res's group and resource (the preferred version), or for a
 * custom resource its CRD's storage version (crdserve.h); res itself when it is that
 * one. */
const struct kube_resource *convert_storage_of(const struct kube_resource *res);

/* res is served in a version other than its storage version. */
int convert_needed(const struct kube_resource *res);

/* obj (an object of res's kind in any version served) in res's version, as a new
 * reference: obj itself (with a new reference) when it already is; NULL when out of
 * memory. Never modifies obj. */
json_t *convert_to(const json_t *obj, const struct kube_resource *res);

/* HorizontalPodAutoscaler, k8s.io/kubernetes pkg/apis/autoscaling/v1/conversion.go:
 * autoscaling/v2 -> autoscaling/v1 (the CPU utilization target in
 * targetCPUUtilizationPercentage, the other metrics, the current metrics, the behavior
 * and the conditions in the autoscaling.alpha.kubernetes.io/ annotations) and back.
 * New objects; NULL when out of memory. */
json_t *convert_hpa_to_v1(const json_t *v2);
json_t *convert_hpa_to_v2(const json_t *v1);

/* An autoscaling/v2 HorizontalPodAutoscaler's .status (made when absent) as kube-apiserver
 * encodes its Go struct (k8s.io/api autoscaling/v2 types.go HorizontalPodAutoscalerStatus),
 * in field order: observedGeneration and lastScaleTime when set, currentReplicas when not
 * 0 (omitempty), desiredReplicas always, currentMetrics always (null when empty: etcd's
 * protobuf keeps no empty list), conditions when any. An object of another apiVersion is
 * left alone. 0, or -ENOMEM. */
int convert_hpa_v2_status(json_t *obj);

#endif
