/*
 * ancestry.h - the resource hierarchy as IAM sees it: each project's and folder's parent
 * ("projects/P" -> "folders/F" -> "organizations/O"), so that a permission check on a
 * resource also holds by the bindings of its ancestors, as in Google IAM.
 *
 * The parents are data in the store, one key per child:
 *   /iam/parents/RESOURCE   {"parent":"folders/F"}
 * written by whoever creates or moves the resource (the Resource Manager API, the state
 * loader) through iam_parent_put. A cache of them is fed by a store watch, so every
 * replica sees the same hierarchy.
 */
#ifndef GKEID_IAM_ANCESTRY_H
#define GKEID_IAM_ANCESTRY_H

#include <stddef.h>

struct store;
struct iam_ancestry;

#define IAM_ANCESTRY_MAX_DEPTH 12 /* folders nest 10 deep under an organization */
#define IAM_ANCESTRY_MAX 32	  /* resources a check looks at, with their ancestors */

/* Loads the parents from the store and follows its changes. 0 or -errno. */
int iam_ancestry_new(struct store *s, struct iam_ancestry **out);
void iam_ancestry_free(struct iam_ancestry *a);

/* The parent of resource (borrowed, valid until the next store change is seen), or NULL. */
const char *iam_ancestry_parent(const struct iam_ancestry *a, const char *resource);

/* Fills out (room for max) with resources and then the ancestors of each that are not
 * already listed, nearest first. Returns the number written (at least min(n, max)). */
size_t iam_ancestry_expand(const struct iam_ancestry *a, const char *const *resources, size_t n,
			   const char **out, size_t max);

/* Records resource's parent in the store (parent NULL: removes it). 0 or -errno;
 * -EINVAL for a name that is not a resource name. */
int iam_parent_put(struct store *s, const char *resource, const char *parent);

#endif
