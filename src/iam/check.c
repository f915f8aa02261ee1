/*
 * check.c - permission checks (iam_check, contract in iam.h) over the compiled policies
 * of compile.c. The version in effect is picked per check from now_ms, so time needs no
 * invalidation. A check allocates nothing and reads no JSON and no store.
 */
#include "iam/iam_priv.h"

#include "core/dbuf.h"
#include "core/hmap.h"
#include "iam/cel.h"
#include "iam/deny.h"

/* ---- checks ------------------------------------------------------------------------- */

/* True when "domain:" bindings can match p: "domain:D" names the users of the G Suite
 * domain D (google/iam/v1/policy.proto, Binding.members), so only a user principal (one with
 * a "user:" member) matches by its email's domain; a service account never does, whatever
 * its email. */
static int domain_member(const struct iam_principal *p)
{
	for (size_t i = 0; i < p->n_members && i < IAM_MAX_MEMBERS; i++)
		if (p->members[i] && has_prefix(p->members[i], "user:"))
			return 1;
	return 0;
}

/* The version in effect at t (the newest to take effect at or before it: at the earlier
 * of its effectiveAt and its write plus the delay now), or NULL. */
static const struct cver *in_effect(const struct cpolicy *cp, int64_t t, int64_t delay)
{
	for (size_t i = cp->n; i-- > 0;) {
		int64_t now_rule = takes_effect(cp->v[i].written_at, delay);
		if (cp->v[i].effective_at <= t || now_rule <= t)
			return &cp->v[i];
	}
	return NULL;
}

/* What a check needs of the principal, computed once. */
struct who {
	const struct iam_principal *p;
	size_t n_members;
	char dom[256];
	int dom_state; /* 0 not computed, 1 in dom, -1 none */
};

/* The lower-case domain of the principal's email, or NULL when "domain:" cannot match. */
static const char *who_domain(struct who *w)
{
	if (w->dom_state == 0) {
		const char *at =
			w->p->email && domain_member(w->p) ? strrchr(w->p->email, '@') : NULL;
		size_t n = at ? strlen(at + 1) : 0;

		w->dom_state = -1;
		if (n > 0 && n < sizeof(w->dom)) {
			for (size_t k = 0; k <= n; k++) {
				char c = at[1 + k];

				w->dom[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
			}
			w->dom_state = 1;
		}
	}
	return w->dom_state > 0 ? w->dom : NULL;
}

/* True when an unconditional binding of cv grants the permission (word w, bit). */
static int plain_grants(const struct iam *iam, const struct cver *cv, struct who *who, size_t w,
			uint64_t bit)
{
	const size_t words = iam->cat.words;
	const uint64_t *row;
	const char *dom;

	if (!(cv->rows[ROW_ANY * words + w] & bit))
		return 0;
	if (cv->rows[ROW_ALL_USERS * words + w] & bit)
		return 1;
	if (who->p->authenticated && (cv->rows[ROW_ALL_AUTH * words + w] & bit))
		return 1;
	for (size_t j = 0; j < who->n_members; j++) {
		row = who->p->members[j] ? hmap_get(cv->members, who->p->members[j]) : NULL;
		if (row && (row[w] & bit))
			return 1;
	}
	if (cv->domains && (dom = who_domain(who))) {
		row = hmap_get(cv->domains, dom);
		if (row && (row[w] & bit))
			return 1;
	}
	if (cv->groups && (cv->rows[ROW_GROUPS * words + w] & bit)) {
		size_t pos = 0;
		const char *g;
		void *v;

		while (hmap_next(cv->groups, &pos, &g, &v))
			if ((((const uint64_t *)v)[w] & bit) && iam_group_has(iam, g, who->p))
				return 1;
	}
	return 0;
}

/* A request's attributes for conditions, computed on first use. */
struct req {
	struct cel_activation a;
	int ready;
};

/* True when one of the conditional bindings of list l grants the permission and its
 * condition holds. */
static int clist_grants(const struct cver *cv, const struct clist *l, size_t w, uint64_t bit,
			struct req *r)
{
	for (size_t i = 0; l && i < l->n; i++) {
		const struct ccond *c = &cv->conds[l->idx[i]];

		if (!(c->bits[w] & bit))
			continue;
		if (!r->ready) {
			cel_resource_kind(r->a.resource_name, &r->a.resource_type,
					  &r->a.resource_service);
			r->ready = 1;
		}
		if (!c->prog || cel_eval(c->prog, &r->a))
			return 1;
	}
	return 0;
}

/* True when a conditional binding of cv that names the principal grants the permission
 * and its condition holds for the request. */
static int cond_grants(const struct iam *iam, const struct cver *cv, struct who *who, size_t w,
		       uint64_t bit, struct req *r)
{
	char key[300];
	const char *dom;

	if (!cv->cond_index || (!cv->cond_live && !(cv->rows[ROW_COND * iam->cat.words + w] & bit)))
		return 0;
	for (size_t j = 0; j < who->n_members; j++)
		if (who->p->members[j] &&
		    clist_grants(cv, hmap_get(cv->cond_index, who->p->members[j]), w, bit, r))
			return 1;
	if (clist_grants(cv, hmap_get(cv->cond_index, "allUsers"), w, bit, r) ||
	    (who->p->authenticated &&
	     clist_grants(cv, hmap_get(cv->cond_index, "allAuthenticatedUsers"), w, bit, r)))
		return 1;
	if ((dom = who_domain(who)) && SFMT(key, "domain:%s", dom) == 0 &&
	    clist_grants(cv, hmap_get(cv->cond_index, key), w, bit, r))
		return 1;
	if (cv->cond_groups) {
		size_t pos = 0;
		const char *k;
		void *l;

		while (hmap_next(cv->cond_index, &pos, &k, &l))
			if (has_prefix(k, "group:") && iam_group_has(iam, k + 6, who->p) &&
			    clist_grants(cv, l, w, bit, r))
				return 1;
	}
	return 0;
}

int iam_check_explain(struct iam *iam, const char *const *resources, size_t n_resources,
		      const struct iam_principal *p, const char *permission, int64_t now_ms,
		      struct iam_decision *d)
{
	struct who who = {.p = p};
	struct req req = {
		.a = {.now_ms = now_ms, .resource_name = resources ? resources[0] : NULL}};
	size_t w;
	uint64_t bit;
	uint32_t id;
	const char *all[IAM_ANCESTRY_MAX];

	if (d)
		memset(d, 0, sizeof(*d));
	if (!iam || !resources || !p || !permission)
		return 0;
	/* Bindings on an ancestor (folder, organization) hold below it. */
	n_resources =
		iam_ancestry_expand(iam->ancestry, resources, n_resources, all, IAM_ANCESTRY_MAX);
	resources = all;
	/* Deny policies first (iam/docs/deny-overview), for every permission: a deny rule
	 * may name one the catalogue lacks. */
	if (iam_deny_denies(iam, resources, n_resources, p, permission, now_ms,
			    d ? &d->deny : NULL)) {
		if (d)
			d->denied = 1;
		return 0;
	}
	if (!perm_id(iam, permission, &id))
		return 0;
	w = id >> 6;
	bit = (uint64_t)1 << (id & 63);
	who.n_members = p->n_members < IAM_MAX_MEMBERS ? p->n_members : IAM_MAX_MEMBERS;
	for (size_t i = 0; i < n_resources; i++) {
		const struct cpolicy *cp = resources[i] ? hmap_get(iam->cache, resources[i]) : NULL;
		const struct cver *cv = cp ? in_effect(cp, now_ms, iam->propagation_ms) : NULL;

		if (!cv || !cv->rows)
			continue;
		/* resource.name is the resource the request is about: the first of the chain. */
		int plain = plain_grants(iam, cv, &who, w, bit);

		if (plain || cond_grants(iam, cv, &who, w, bit, &req)) {
			if (d) {
				d->allowed = 1;
				d->conditional = !plain;
				if (SFMT(d->granted_on, "%s", resources[i]) < 0)
					d->granted_on[0] = '\0';
			}
			return 1;
		}
	}
	return 0;
}

int iam_check(struct iam *iam, const char *const *resources, size_t n_resources,
	      const struct iam_principal *p, const char *permission, int64_t now_ms)
{
	return iam_check_explain(iam, resources, n_resources, p, permission, now_ms, NULL);
}
