/*
 * iamext.h - the IAM API's newer methods, each in a file of its own: iamPolicies:lintPolicy
 * (iamlint.c). One hook adds their routes to the cloud listener (cloud_routes_add).
 */
#ifndef GKEID_CLOUD_IAMEXT_H
#define GKEID_CLOUD_IAMEXT_H

#include <stddef.h>

struct http_router;
struct http_route;

extern const struct http_route iamlint_routes[];
extern const size_t iamlint_n_routes;

/* Adds every route of this family to rt. 0 or -errno. */
int iamext_routes_add(struct http_router *rt);

#endif
