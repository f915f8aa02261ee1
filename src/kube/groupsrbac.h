/*
 * groupsrbac.h - GKE's Google Groups for RBAC (groupsrbac.c): with
 * authenticatorGroupsConfig.securityGroup = gke-security-groups@DOMAIN on a cluster, a
 * Google principal's Kubernetes identity carries, as groups, the Google groups it belongs
 * to (directly or nested) that are themselves members (directly or nested) of the
 * security group, so RoleBindings and ClusterRoleBindings to those group emails apply.
 */
#ifndef GKEID_KUBE_GROUPSRBAC_H
#define GKEID_KUBE_GROUPSRBAC_H

#include <jansson.h>

#include "kube/kube.h"

/* Takes the cluster's security group from its Container API JSON (on create and update):
 * authenticatorGroupsConfig {"enabled":true,"securityGroup":"gke-security-groups@D"}. */
void groupsrbac_config(struct kube_cluster *cl, const json_t *cluster);

/* Adds to u (a Google principal just authenticated, whose IAM member is u->google_member)
 * the groups GKE gives it on this cluster, after those u already has, as far as
 * KUBE_MAX_GROUPS allows. */
void groupsrbac_add(struct kube_cluster *cl, struct kube_user *u);

#endif
