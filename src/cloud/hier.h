/*
 * hier.h - the Resource Manager hierarchy (organizations, folders, the lifecycle of
 * projects: hierarchy.c; folders' lifecycle and moves, projects' moves: folders.c),
 * service accounts' undelete and uploaded keys (saextra.c), and the checks Google makes
 * beyond a request's form (validate.c).
 *
 * Store layout (beside cloud.h's):
 *   /organizations/ORG     {"name":"organizations/ORG","displayName","directoryCustomerId",
 *                           "state","creationTime","lifecycleState"}
 *   /folders/FOLDER        {"name":"folders/F","parent":"organizations/O"|"folders/P",
 *                           "displayName","lifecycleState","createTime"}
 *   /crm/operations/OP     {"name":"operations/OP","done":true,"response"|...}
 *   /deleted/serviceAccounts/UNIQUE_ID  a deleted service account and its deleteTime
 *   /deleted/projects/ID   {"purgeTime"}: a project purged 30 days after its deletion,
 *                          whose ID is never given again
 * A deleted project or folder carries "deleteTime" (RFC 3339) in its record.
 * A project's parent is its v1 "parent" {"type":"organization"|"folder","id"}. The IAM
 * engine learns each project's and folder's parent from iam_parent_set (iam.h).
 */
#ifndef GKEID_CLOUD_HIER_H
#define GKEID_CLOUD_HIER_H

#include <jansson.h>

#include "cloud/cloud.h"

/* Google's checks of a GKE cluster about to be stored (validate.c). was: the cluster as
 * stored before the change (NULL: being created); cl: as it will be; pool: the node pool
 * the request creates or changes (NULL: every pool not in was). Checks that a new
 * pool's service account exists, that a GKE_METADATA pool has Workload Identity on its
 * cluster (and that turning Workload Identity off leaves no such pool), and the Google
 * Groups for RBAC security group's name. 0, or -EINVAL after replying 400. */
int cloud_cluster_check(struct http_req *r, struct cloud *c, const json_t *was, const json_t *cl,
			const char *pool);

/* Refuses a credentials call for a disabled service account (sa: its record) with 400
 * FAILED_PRECONDITION. 0 when enabled, else -EPERM after replying. */
int cloud_sa_refuse_disabled(struct http_req *r, const json_t *sa);

/* Writes the organizations and folders of a state file, and tells IAM every project's
 * and folder's parent (state.c calls it; docs/state.md). 0 or -errno with err set. */
int hier_state_apply(struct cloud *c, const json_t *state, char *err, size_t errlen);
/* Checks a state file's "organizations" and "folders" (state_parse). 0 or -EINVAL. */
int hier_state_check(const json_t *state, char *err, size_t errlen);

/* Appends a project's ancestors, nearest first, to anc as getAncestry lists them
 * ({"resourceId":{"type":"folder"|"organization","id"}}): its parent, and each folder's
 * parent up to the organization. 0 or -ENOMEM. */
int hier_ancestors_append(struct cloud *c, json_t *anc, const json_t *project);

/* Google keeps a deleted project, folder or service account 30 days, then purges it
 * (resource-manager/docs/delete-restore-projects; iam/docs/service-accounts-delete-undelete).
 * Time is cloud_now_ms(), which GKEID_CLOCK_OFFSET shifts (cloud.h). */
#define HIER_RETENTION_MS (30LL * 86400 * 1000)

/* hierarchy.c: true (1) when project or folder p (its record) is purged: deleted more
 * than 30 days ago, in which case its record is removed now, a project's ID reserved for
 * ever, and its parent forgotten by IAM; else 0. */
int hier_project_purged(struct cloud *c, const json_t *p);
/* True when a record deleted at delete_time (RFC 3339; NULL: never) is past the 30 days
 * at now_ms. */
int hier_expired(const char *delete_time, int64_t now_ms);

/* Keeps a deleted service account's record for undelete (iamapi.c's delete calls it). */
int hier_sa_tombstone(struct cloud *c, const json_t *sa);
/* True when an account deleted at deleted_at_ms may still be undeleted at now_ms: within
 * Google's 30 days. */
int hier_undelete_window_ok(int64_t deleted_at_ms, int64_t now_ms);

/* crm.c: the project as Resource Manager v1 shows it (new reference, NULL on no memory);
 * and testIamPermissions on resource for a call begun with cloud_call_begin: reads the
 * body {"permissions":[...]} and replies with those the caller holds there. */
json_t *crm_project_view(const json_t *p);
void crm_test_permissions_on(struct cloud_call *x, const char *resource);

/* hierarchy.c, shared with folders.c: Resource Manager's 403 "The caller does not have
 * permission" and 500; whether the caller holds permission on resource (and its
 * ancestors); j written at key over revision expected (0 or -errno); a v1 parent
 * {"type","id"} as a resource name in buf (NULL when absent, "" when bad). */
void hier_deny(struct http_req *r);
void hier_internal(struct http_req *r);
int hier_allowed(struct cloud *c, const struct caller *who, const char *resource,
		 const char *permission);
int hier_put_json(struct store *s, const char *key, const json_t *j, int64_t expected);
const char *hier_parent_name(const json_t *parent, char *buf, size_t len);

/* hierarchy.c: n random decimal digits (no leading zero) in buf (room for n + 1, n at
 * most 31). 0 or -EIO. */
int hier_random_digits(char *buf, size_t n);
/* hierarchy.c: stores a finished long-running operation named "operations/KIND.DIGITS"
 * under /crm/operations/ (gcloud polls it at v1 operations.get), with metadata and either
 * response or error (each borrowed, may be NULL), and sets *op to it (new reference).
 * 0 or -errno. */
int hier_operation_put(struct cloud *c, const char *kind, json_t *metadata, json_t *response,
		       json_t *error, json_t **op);

/* The Resource Manager methods of hierarchy.c and the IAM methods of saextra.c, listed
 * in call.c's apis[]. */
extern const struct cloud_api hier_api, saextra_api, folders_api;

#endif
