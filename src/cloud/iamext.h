/*
 * iamext.h - the IAM API's newer methods, each in a file of its own: iamPolicies:lintPolicy
 * (iamlint.c), custom roles of projects and organizations (customroles.c), v2 deny
 * policies (denypolicies.c), and the Policy Troubleshooter that explains them
 * (troubleshoot.c). One hook adds their routes to the cloud listener (cloud_routes_add),
 * ahead of iamapi.c's (whose read-only custom-role answers they replace).
 */
#ifndef GKEID_CLOUD_IAMEXT_H
#define GKEID_CLOUD_IAMEXT_H

#include <stddef.h>

struct http_router;
struct http_route;

extern const struct http_route iamlint_routes[], customroles_routes[], denypolicies_routes[];
extern const size_t iamlint_n_routes, customroles_n_routes, denypolicies_n_routes;

/* The Policy Troubleshooter (troubleshoot.c), an API of its own in call.c's table. */
struct cloud_api;
extern const struct cloud_api troubleshoot_api;

struct cloud;

/* True when name is a project's full resource name as gcloud makes it from its endpoint
 * override for Resource Manager: "//HOST:PORT/cloudresourcemanager/projects/P", HOST:PORT
 * being gkeid's own (gcloud iam roles create and copy ask queryTestablePermissions with
 * it). */
int iamext_own_project_name(const struct cloud *c, const char *name);

/* True when name is an organization's full resource name, Google's
 * ("//cloudresourcemanager.googleapis.com/organizations/O") or as gcloud makes it from its
 * endpoint override (gcloud iam roles create --organization asks queryTestablePermissions
 * with it). */
int iamext_org_name(const struct cloud *c, const char *name);

/* True when a project's custom role may hold permission (customroles.c): not one that
 * acts only on folders or organizations. */
int customroles_project_permission_ok(const char *permission);

/* Adds every route of this family to rt. 0 or -errno. */
int iamext_routes_add(struct http_router *rt);

#endif
