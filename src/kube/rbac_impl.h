/*
 * rbac_impl.h - private to RBAC (rbac.c, rbac_rule.c, rbac_index.c, rbac_escalate.c):
 * compiled rules, the per-cluster index of roles and bindings (struct rbac_index, owned
 * by struct kube_cluster as cl->rbac) and the functions the four files share.
 *   rbac_rule.c      rule matching, pure: PolicyRules compiled and matched to requests;
 *   rbac_index.c     the index: roles (aggregation), bindings, the subject table, its
 *                    store watches, and visiting the rules that apply to a user;
 *   rbac_escalate.c  escalation prevention for writes of RBAC objects;
 *   rbac.c           decisions, their reasons and explanations, rules for a user, and
 *                    the bootstrap of the default roles.
 */
#ifndef GKEID_KUBE_RBAC_IMPL_H
#define GKEID_KUBE_RBAC_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"
#include "core/store.h"
#include "kube/kube.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"
#define AGG_DEPTH 8

/* A PolicyRule, compiled: arrays of strings borrowed from the JSON it came from. */
struct crule {
	const char **verbs, **groups, **resources, **names, **urls;
	uint16_t n_verbs, n_groups, n_resources, n_names, n_urls;
	const json_t *json;
};

struct role {
	json_t *obj;
	struct crule *rules;
	size_t n_rules;
	int aggregated; /* has an aggregationRule: the rules come from other ClusterRoles */
	/* aggregated roles: the effective rules, valid while eff_gen == index gen */
	json_t *eff_json;
	struct crule *eff;
	size_t n_eff;
	uint64_t eff_gen;
	int eff_valid;
};

enum { KIND_ROLES = 0, KIND_CLUSTERROLES, KIND_ROLEBINDINGS, KIND_CLUSTERROLEBINDINGS, N_KINDS };
extern const char *const rbac_kind_res[N_KINDS]; /* "roles", ... */

struct binding {
	json_t *obj;
	int cluster; /* a ClusterRoleBinding */
	const char *ns, *name, *role_kind, *role_name;
	char **keys; /* subject index keys, one per subject (NULL for ignored subjects) */
	size_t n_keys;
};

/* One binding naming a subject. */
struct bref {
	struct binding *b;
	const char *ns;	   /* the binding's namespace, interned; NULL: a ClusterRoleBinding */
	struct role *role; /* its roleRef, resolved; valid while role_gen == roles_gen */
	uint64_t role_gen;
	uint32_t subject; /* index into the binding's subjects */
};

/* The bindings that name one subject ("U:name" or "G:name", ServiceAccounts as their
 * user names), in both scopes, in the order they were added. Small lists live inline,
 * so a lookup touches the slot and this one block. */
#define INLINE_REFS 2
struct sbucket {
	uint64_t hash;
	uint32_t n, cap;
	struct bref *v; /* inl while cap == INLINE_REFS */
	struct bref inl[INLINE_REFS];
	size_t len;
	char key[];
};

/* subject -> sbucket: open addressing, linear probing, at most half full, deletion by
 * backward shift (no tombstones). */
struct sslot {
	uint64_t hash;
	struct sbucket *b;
};
struct stable {
	struct sslot *slots;
	size_t cap, n; /* cap a power of two */
};

struct rbac_index {
	struct store *store;
	char prefixes[N_KINDS][512];
	struct hmap *maps[N_KINDS]; /* "ns/name" (namespaced) or "name" -> role / binding */
	struct stable subjects;
	struct hmap *namespaces; /* interned binding namespaces: ns -> its own copy */
	struct store_watch *watches[N_KINDS];
	struct rbac_watch_arg {
		struct rbac_index *ix;
		int kind;
	} wargs[N_KINDS];   /* the watches' callback arguments */
	uint64_t gen;	    /* bumped on every ClusterRole change (aggregation) */
	uint64_t roles_gen; /* bumped on every Role or ClusterRole change */
};

/* ---- rbac_rule.c ---- */

/* printf at buf + *pos, advancing *pos; stops (keeps the text cut) at len - 1. */
void rbac_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Go's %q of a string, for the ASCII names RBAC deals in. */
void rbac_appendq(char *buf, size_t len, size_t *pos, const char *s);
/* Compiles a JSON array of PolicyRules (strings borrowed from arr). 0 or -ENOMEM. */
int rbac_crules_compile(const json_t *arr, struct crule **out, size_t *n);
void rbac_crules_free(struct crule *rules, size_t n);
/* qsort's comparison of C strings (const char *). */
int rbac_cmp_str_ptr(const void *a, const void *b);
/* s is one of v[0..n). */
int rbac_has(const char *const *v, size_t n, const char *s);

/* A request as rules see it: the combined "res/sub" is built once per decision. */
struct req {
	const struct kube_attrs *a;
	char combined[160];
};
void rbac_req_init(struct req *q, const struct kube_attrs *a);
/* As upstream's RuleAllows. */
int rbac_crule_allows(const struct crule *r, const struct req *q);

/* ---- rbac_index.c ---- */

/* The cluster's index (cl->rbac), built on first use. NULL when it cannot be built. */
struct rbac_index *rbac_index_of(struct kube_cluster *cl);
/* Puts (obj, taking its reference) or, with obj NULL, removes a role or binding of kind
 * at key ("ns/name" or "name"). 0 or -ENOMEM. */
int rbac_index_apply(struct rbac_index *ix, int kind, const char *key, json_t *obj);
void rbac_index_free(struct rbac_index *ix);
/* The effective rules of a role (an aggregated ClusterRole's recomputed when stale). */
const struct crule *rbac_role_rules(struct rbac_index *ix, struct role *r, size_t *n);

/* Called for each (binding, subject, rules) that applies; returns 1 to stop. err is a
 * resolution error (rules NULL). */
typedef int (*visit_fn)(void *arg, const struct binding *b, size_t subject,
			const struct crule *rules, size_t n_rules, const char *err);
/* As upstream's VisitRulesFor: the cluster bindings, then the namespace's bindings, of
 * the user and of each of its groups. */
void rbac_visit_rules_for(struct rbac_index *ix, const struct kube_user *u, const char *ns,
			  visit_fn fn, void *arg);

/* ---- rbac.c ---- */

/* The rules of u in ns as SelfSubjectRulesReview's resourceRules and nonResourceRules;
 * resolution errors into errs. */
json_t *rbac_collect_rules(struct rbac_index *ix, const struct kube_user *u, const char *ns,
			   char *errs, size_t len);

#endif
