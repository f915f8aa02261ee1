/*
 * groups.h - Google groups as IAM sees them: who is a member of which group, directly or
 * through nested groups, so that a "group:EMAIL" member of an allow or deny policy
 * grants to its members and GKE's Google Groups for RBAC finds a principal's groups.
 *
 * The memberships are data in the store, one key per direct membership (an edge):
 *   /iam/groupmembers/GROUP/MEMBER   ""
 * GROUP is the group's email, MEMBER an IAM member string ("user:EMAIL",
 * "serviceAccount:EMAIL" or "group:EMAIL", a nested group), both lower case. The Cloud
 * Identity Groups API (cloud/cloudidentity.c) writes them through iam_group_member_put
 * beside its own records. The engine keeps an index of them, fed by a store watch, so a
 * check reads no JSON and no store: it walks up from the principal's member strings to
 * the groups that contain them (cycle-safe, at most IAM_GROUPS_MAX_DEPTH levels and
 * IAM_GROUPS_MAX_VISIT groups). Memberships take effect at once (no propagation delay).
 */
#ifndef GKEID_IAM_GROUPS_H
#define GKEID_IAM_GROUPS_H

#include <stddef.h>

#include "iam/iam.h"

struct store;
struct iam_groups;

#define IAM_GROUPS_PREFIX "/iam/groupmembers/"
#define IAM_GROUPS_MAX_DEPTH 32	  /* levels of nesting a walk follows */
#define IAM_GROUPS_MAX_VISIT 4096 /* groups one walk visits */
#define IAM_GROUP_EMAIL_MAX 254	  /* bytes of a group's email */

/* Records (present 1) or removes (0) the direct membership of member in group. Both are
 * stored lower case. 0 or -errno; -EINVAL for a group that is no email or a member that
 * is none of "user:", "serviceAccount:", "group:". */
int iam_group_member_put(struct store *s, const char *group, const char *member, int present);

/* True when p is in GROUP (an email), directly or through nested groups (also declared in
 * iam_priv.h, where the checks use it). A p whose member is "group:E" asks whether the
 * group E is nested in GROUP. */
int iam_group_has(const struct iam *iam, const char *group, const struct iam_principal *p);

/* The groups (emails, borrowed: valid until the next store change is seen) that p belongs
 * to, directly or through nested groups, and that are themselves members of root,
 * directly or nested (root itself excluded): GKE's Google Groups for RBAC. Fills out
 * (room for max), nearest first; returns the count. */
size_t iam_groups_under(const struct iam *iam, const struct iam_principal *p, const char *root,
			const char **out, size_t max);

/* ---- the index (groups.c), for the engine and the unit tests ------------------------ */

/* An empty index; with a store, loaded from it and following its changes. 0 or -errno. */
int iam_groups_new(struct store *s, struct iam_groups **out);
void iam_groups_free(struct iam_groups *g);
/* Adds or removes one edge in the index itself (what the watch does). 0 or -errno. */
int iam_groups_edge(struct iam_groups *g, const char *group, const char *member, int present);
/* True when p is in group (directly or nested), by the index g. */
int iam_groups_has(const struct iam_groups *g, const char *group, const struct iam_principal *p);

#endif
