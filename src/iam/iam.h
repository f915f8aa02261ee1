/*
 * iam.h - Google IAM: the predefined role catalog, allow policies and permission checks.
 *
 * Policies live in the store under "/iam/policies/<resource>", where resource is a
 * Google resource name such as "projects/demo-project" or
 * "projects/demo-project/serviceAccounts/sa@demo-project.iam.gserviceaccount.com".
 * The store revision of that key is the policy's etag. Checks read compiled policies
 * from a cache that a store watch keeps fresh, so a check costs a few hash lookups.
 *
 * Propagation: as on Google, a policy change shows at once to getIamPolicy but takes
 * effect for checks only `propagation_ms` after the write. The stored record keeps the
 * versions that may still be in effect for that.
 */
#ifndef GKEID_IAM_H
#define GKEID_IAM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct iam;

/* The identity asking. members are the IAM member strings that name it directly, e.g.
 * "user:admin@example.com", "serviceAccount:sa@p.iam.gserviceaccount.com", or for a
 * Kubernetes workload both "serviceAccount:P.svc.id.goog[NS/KSA]" and its
 * "principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/
 * P.svc.id.goog/subject/ns/NS/sa/KSA" form (plus matching principalSet:// strings).
 * email (may be NULL) gives "domain:" matches, to users only (a principal with a "user:"
 * member): a service account never matches "domain:", as on Google. allUsers always
 * matches; authenticated principals also match allAuthenticatedUsers. Borrowed strings. */
#define IAM_MAX_MEMBERS 8
struct iam_principal {
	const char *members[IAM_MAX_MEMBERS];
	size_t n_members;
	const char *email;
	int authenticated;
};

/* Creates the engine over a store. catalog_json is the role catalogue (borrowed: parsed
 * here): JSON as data/roles.json, or the compact text of scripts/gen-roles.py (the full
 * catalogue, see data/README). propagation_ms is the IAM propagation delay. 0 or -errno. */
int iam_new(struct store *s, const char *catalog_json, size_t catalog_len, int64_t propagation_ms,
	    struct iam **out);
void iam_free(struct iam *iam);
void iam_set_propagation(struct iam *iam, int64_t propagation_ms);

/* A role as the IAM API returns it ({"name","title","description","includedPermissions",
 * "stage","etag"}), new reference, or NULL when unknown. */
json_t *iam_role_json(struct iam *iam, const char *role_name);
/* All predefined roles (without permissions: view BASIC), new reference. */
json_t *iam_roles_list(struct iam *iam);
/* True when the catalogue has the role. */
int iam_role_known(struct iam *iam, const char *role_name);
/* True when the role exists and includes the permission. */
int iam_role_has(struct iam *iam, const char *role_name, const char *permission);
/* Roles (names, new JSON array) that include the permission. */
json_t *iam_roles_granting(struct iam *iam, const char *permission);
/* True when the permission is known to the catalog. */
int iam_permission_known(struct iam *iam, const char *permission);
/* True when the role exists and includes a permission that starts with prefix. */
int iam_role_has_prefix(struct iam *iam, const char *role_name, const char *prefix);
/* The catalogue's permissions, sorted in byte order: returns their number and points
 * *names at them (borrowed, valid until iam_free). */
size_t iam_permissions(struct iam *iam, const char *const **names);
/* The index in that table of the first permission that sorts after name. */
size_t iam_permission_after(struct iam *iam, const char *name);

/* The policy of a resource as getIamPolicy returns it: {"version","etag","bindings"}.
 * requested_version (0, 1 or 3) controls the version reported and whether conditional
 * bindings are returned, as Google does. An unset policy is {"etag":"ACAB"}.
 * Returns 0 and a new reference, or -errno. */
int iam_get_policy(struct iam *iam, const char *resource, int requested_version, json_t **out);

/* Replaces a resource's policy (setIamPolicy). policy is borrowed. When it carries an
 * etag, that etag must match the current one. now_ms is the write time.
 * Returns 0 and the stored policy (new reference, as getIamPolicy with version 3);
 * -ECANCELED on a stale etag (409 ABORTED); -EINVAL with *err set to Google's message
 * (malloc'd) for an invalid policy; other -errno. */
int iam_set_policy(struct iam *iam, const char *resource, const json_t *policy, int64_t now_ms,
		   json_t **out, char **err);

/* Writes a policy record at time 0, effective at once (for seeding demo state). */
int iam_seed_policy(struct iam *iam, const char *resource, const json_t *policy);

/* Deletes a resource's policy (when the resource is deleted). */
int iam_delete_policy(struct iam *iam, const char *resource);

/* Rewrites member in every allow policy to replacement, as Google shows a deleted
 * principal ("serviceAccount:E" becomes "deleted:serviceAccount:E?uid=N"), so that the
 * old grants apply to no one, not even a new principal of the same name. Each changed
 * policy is written as a policy change at now_ms. 0 or -errno. */
int iam_member_replace(struct iam *iam, const char *member, const char *replacement,
		       int64_t now_ms);

/* True when the principal holds the permission on any of the resources (a resource and
 * its ancestors, most specific first), by the bindings in effect at now_ms. */
int iam_check(struct iam *iam, const char *const *resources, size_t n_resources,
	      const struct iam_principal *p, const char *permission, int64_t now_ms);
/* iam_check, and why (struct iam_decision, deny.h): the same evaluation, recording the
 * deny rule that denied or the resource whose allow policy granted. d may be NULL. */
struct iam_decision;
int iam_check_explain(struct iam *iam, const char *const *resources, size_t n_resources,
		      const struct iam_principal *p, const char *permission, int64_t now_ms,
		      struct iam_decision *d);

/* Etags: the standard base64 of a store revision as 8 big-endian bytes (malloc'd, NULL
 * on no memory); and back: 0 and *rev ("ACAB" is 0), -EINVAL when not base64,
 * -ECANCELED when it can name no revision (so it is stale). */
char *iam_etag_of(int64_t rev);
int iam_etag_parse(const char *etag, int64_t *rev);

/* Custom roles live in the store under IAM_CUSTOM_ROLE_PREFIX + their name
 * ("projects/P/roles/R"), as the IAM API's Role ({"name","title","description",
 * "includedPermissions","stage","deleted"?}); the store revision is the etag. The engine
 * follows them with a watch: a binding of a custom role grants its permissions of the
 * moment (none while it is deleted), like a predefined role. */
#define IAM_CUSTOM_ROLE_PREFIX "/iam/customroles/"

/* Validates a member string ("user:a@b", "allUsers", "principal://..."). 1 if valid. */
int iam_member_valid(const char *member);

#endif
