/*
 * catalog.h - the predefined role catalogue inside the iam module (not for other
 * layers: they use iam.h). catalog.c loads it and answers the catalogue half of iam.h;
 * iam.c compiles policies and checks with the ids and bitsets kept here.
 *
 * Permission ids index perm_names, which is sorted in byte order, so the permissions
 * that share a prefix are one range of ids. A role's perm lists its ids ascending
 * (so its permissions by name), unique; bits is the same set as a bitset of `words`
 * 64-bit words. roles is sorted by name.
 */
#ifndef GKEID_IAM_CATALOG_H
#define GKEID_IAM_CATALOG_H

#include <stddef.h>
#include <stdint.h>

struct hmap;
struct iam;
struct catalog_chunk;

struct iam_role {
	const char *name, *title, *description, *stage; /* in strings */
	uint32_t *perm;
	size_t n_perm;
	uint64_t *bits;
};

struct iam_catalog {
	struct iam_role *roles;
	size_t n_roles;
	struct hmap *role_by_name; /* name -> struct iam_role * */
	char **perm_names;
	size_t n_perms;
	struct hmap *perm_ids;	       /* name -> (void *)(id + 1) */
	size_t words;		       /* 64-bit words per bitset */
	struct catalog_chunk *strings; /* where every name and text above is kept */
};

/* Loads a catalogue: either JSON ({"roles":[{"name","title","description","stage",
 * "includedPermissions"}]}, as data/roles.json) or the compact "gkeid-roles 1" text
 * that scripts/gen-roles.py writes (its format is described there). text is borrowed.
 * Adds gkeid's own permissions and role (see catalog.c). On failure cat is left empty.
 * 0, -EINVAL for a malformed catalogue, -E2BIG or -ENOMEM. */
int catalog_load(struct iam_catalog *cat, const char *text, size_t len);
void catalog_free(struct iam_catalog *cat);

/* The role of that name, or NULL. */
const struct iam_role *catalog_role(const struct iam_catalog *cat, const char *name);
/* 1 and *id when the permission is in the catalogue, else 0. */
int catalog_perm_id(const struct iam_catalog *cat, const char *permission, uint32_t *id);

/* qsort's order of uint32_t ids, ascending. */
int catalog_cmp_id(const void *a, const void *b);

/* "roles/{role}", "projects/{p}/roles/{role}" or "organizations/{o}/roles/{role}". */
int catalog_role_name_ok(const char *name);

/* The catalogue of an engine (defined in iam.c). */
const struct iam_catalog *iam_catalog_of(const struct iam *iam);

#endif
