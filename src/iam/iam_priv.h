/*
 * iam_priv.h - what the files of the IAM engine share (private to src/iam/): the
 * compiled form of a policy, the engine struct, the stored record and small helpers.
 * The contract for callers is iam.h; the layout of the record and of the compiled form
 * is described at the top of policy.c and compile.c.
 */
#ifndef GKEID_IAM_PRIV_H
#define GKEID_IAM_PRIV_H

#include "iam/ancestry.h"
#include "iam/catalog.h"
#include "iam/iam.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hmap;
struct cel_program;
struct store_watch;

#define POLICY_PREFIX "/iam/policies/"
#define MAX_NAME 1024	       /* resource, role and member strings */
#define MAX_PREVIOUS 32	       /* older versions kept per record */
#define MAX_ENTRIES (1u << 22) /* member entries per policy version */
#define MAX_CONDITION 16384    /* bytes of a condition field */
#define MAX_SET_ATTEMPTS 8     /* read-modify-write retries of an etag-less set */
#define ABSENT_ETAG "ACAB"

/* Rows of a compiled version, before the per-member rows. */
enum { ROW_ANY, ROW_ALL_USERS, ROW_ALL_AUTH, ROW_GROUPS, ROW_COND, N_FIXED_ROWS };

/* A conditional binding, compiled: it grants its role's permissions to its members when
 * its condition evaluates to true for the request (ROW_COND is the union of their roles).
 * A binding of a custom role is kept here too, with or without a condition (prog NULL:
 * always), so that it reads the role's permissions at check time. */
struct ccond {
	struct cel_program *prog;
	const uint64_t *bits; /* the role's permissions (the catalogue's row) */
	struct hmap *members; /* member strings, "allUsers", "allAuthenticatedUsers",
			       * "domain:<lower-case domain>", "group:<email>" -> non-NULL */
};

/* One version of a policy, compiled. */
struct cver {
	int64_t effective_at; /* when it takes effect, by the delay in force at its write */
	int64_t written_at;
	uint64_t *rows;	      /* n_rows * words; NULL when the catalog has no permissions */
	struct hmap *members; /* member string -> row */
	struct hmap *domains; /* lower-case domain -> row; NULL when none */
	struct hmap *groups;  /* group email -> row; NULL when none */
	struct ccond *conds;  /* the conditional bindings */
	size_t n_conds;
	struct hmap *cond_index; /* a ccond member key -> struct clist of the conds naming it */
	int cond_groups;	 /* some conditional binding names a group */
	int cond_live;		 /* some binding of cond_index is of a custom role */
};

/* The conditional bindings that name a key. */
struct clist {
	size_t n;
	uint32_t idx[];
};

struct cpolicy {
	size_t n;
	struct cver v[]; /* oldest first; the last is the current policy */
};

struct iam {
	struct store *store;
	int64_t propagation_ms;

	struct iam_catalog cat;

	struct hmap *cache; /* resource -> struct cpolicy * */
	struct store_watch *watch;

	struct hmap *custom; /* custom role name -> struct custom_role * (customrole.c) */
	struct store_watch *custom_watch;
	struct iam_ancestry *ancestry; /* parents of projects and folders (ancestry.h) */
	struct iam_groups *groups;     /* Google groups' memberships (groups.h) */

	struct hmap *deny; /* attachment point -> its deny policies (deny.c) */
	struct store_watch *deny_watch;
};

/* A custom role: its permissions as a predefined role's, updated in place when the role
 * changes (compiled policies point at it), all clear while deleted. Freed by iam_free. */
struct custom_role {
	struct iam_role r;
	int deleted;
};

/* A stored policy record, parsed (policy.c). */
struct record {
	json_t *root;
	json_int_t effective_at;
	json_int_t written_at;
	const json_t *bindings; /* policy.bindings (borrowed from root), may be NULL */
	const json_t *audit;
	const json_t *previous;
};

/* A policy as setIamPolicy received it, normalized (normalize.c). */
struct normalized {
	json_t *bindings; /* normalized array */
	json_t *audit;	  /* copy of auditConfigs, or NULL */
	int version;	  /* as sent: 0, 1 or 3 */
	int has_cond;
	const char *hash_role; /* a "<role>_withcond_<hash>" of a version 1 view (borrowed from
				* the policy), refused by write_policy after its version check */
};

/* ---- helpers ------------------------------------------------------------------------ */

static inline char *errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *errf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* Sets *err (when err is non-NULL) and returns -EINVAL, or -ENOMEM if the message
 * could not be made. */
static inline int fail(char **err, char *msg)
{
	if (!msg)
		return -ENOMEM;
	if (err)
		*err = msg;
	else
		free(msg);
	return -EINVAL;
}

static inline int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Printable ASCII without spaces, 1..max bytes. */
static inline int token_ok(const char *s, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= max || c <= 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

static inline int resource_ok(const char *r)
{
	return token_ok(r, MAX_NAME) && r[0] != '/';
}

/* When a version takes effect: its "effectiveAt" ("writtenAt" in older records). */
static inline const json_t *effective_at(const json_t *v)
{
	const json_t *e = json_object_get(v, "effectiveAt");
	return e ? e : json_object_get(v, "writtenAt");
}

/* When a version was written: "writtenAt" (the effective time in records without it). */
static inline const json_t *written_at(const json_t *v)
{
	const json_t *w = json_object_get(v, "writtenAt");
	return w ? w : json_object_get(v, "effectiveAt");
}

/* now + propagation, saturated. */
static inline int64_t takes_effect(int64_t now, int64_t propagation)
{
	if (propagation <= 0)
		return now;
	return now > INT64_MAX - propagation ? INT64_MAX : now + propagation;
}

/* customrole.c: a custom role by name (deleted ones too), or NULL. */
const struct custom_role *iam_custom_role(const struct iam *iam, const char *name);
/* customrole.c: true when role may be bound in resource's policy (resource NULL: any): a
 * project's custom role in that project and the resources in it, an organization's in
 * the organization and what is below it (by the ancestry); any other role anywhere. */
int iam_custom_role_fits(const struct iam *iam, const char *role, const char *resource);
int iam_custom_load(struct iam *iam);
void iam_custom_free(struct iam *iam);

/* A role that a binding may name now: predefined, or a custom role not deleted. */
static inline const struct iam_role *find_role(const struct iam *iam, const char *name)
{
	const struct iam_role *r = catalog_role(&iam->cat, name);
	const struct custom_role *c;

	if (r || !name)
		return r;
	c = iam_custom_role(iam, name);
	return c && !c->deleted ? &c->r : NULL;
}

/* The role a compiled binding refers to: predefined, or custom (deleted or not); *custom
 * says which. */
static inline const struct iam_role *bound_role(const struct iam *iam, const char *name,
						int *custom)
{
	const struct iam_role *r = catalog_role(&iam->cat, name);
	const struct custom_role *c = r || !name ? NULL : iam_custom_role(iam, name);

	*custom = c != NULL;
	return r ? r : c ? &c->r : NULL;
}

static inline int perm_id(const struct iam *iam, const char *permission, uint32_t *id)
{
	return catalog_perm_id(&iam->cat, permission, id);
}

/* ---- between the files ------------------------------------------------------------- */

/* normalize.c: validates and normalizes a policy as setIamPolicy receives it. */
int iam_normalize(const struct iam *iam, const char *resource, const json_t *policy,
		  struct normalized *out, char **err);
void iam_normalized_free(struct normalized *n);

/* policy.c: parses a stored record (0, or -EIO when malformed; r->root owned). */
int iam_record_parse(const char *data, size_t len, struct record *r);

/* compile.c: loads every policy into the cache and starts the watch that keeps it. */
int iam_cache_load(struct iam *iam);
void iam_cpolicy_free(struct cpolicy *cp);

/* groups.c: whether principal p is a member of the Google group GROUP (an email), directly
 * or through nested groups. Both allow (check.c) and deny policies ask it. */
int iam_group_has(const struct iam *iam, const char *group, const struct iam_principal *p);

#endif
