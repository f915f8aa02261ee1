/*
 * cloudidentity.h - the Cloud Identity Groups API (cloudidentity.googleapis.com v1):
 * Google groups and their memberships, as `gcloud identity groups ...` calls them
 * (cloudidentity.c).
 *
 * Store layout (beside cloud.h's):
 *   /cloudidentity/groups/GID            the Group as the API shows it {"name":"groups/GID",
 *                                        "groupKey":{"id"},"parent":"customers/C",
 *                                        "displayName","description","labels",
 *                                        "createTime","updateTime"}
 *   /cloudidentity/groupKeys/EMAIL       {"name":"groups/GID"} (lookup; one group per email)
 *   /cloudidentity/memberships/GID/MID   the Membership {"name","preferredMemberKey":{"id"},
 *                                        "roles":[{"name"}],"type","createTime","updateTime"}
 * MID is derived from the member's lower-case email, so a membership is found without an
 * index. Each membership is also an edge of IAM's group index (iam/groups.h), which is
 * what makes "group:" members grant and what GKE's Google Groups for RBAC reads.
 */
#ifndef GKEID_CLOUD_CLOUDIDENTITY_H
#define GKEID_CLOUD_CLOUDIDENTITY_H

#include "cloud/cloud.h"

/* Listed in call.c's apis[]. */
extern const struct cloud_api cloudidentity_api;

#endif
