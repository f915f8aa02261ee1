/*
 * check.c - permission checks (iam_check, contract in iam.h) over the compiled policies
 * of compile.c. The version in effect is picked per check from now_ms, so time needs no
 * invalidation. A check allocates nothing and reads no JSON and no store.
 */
#include "iam/iam_priv.h"

#include "core/hmap.h"

/* ---- checks ------------------------------------------------------------------------- */

/* Group membership hook. Google groups (Cloud Identity) are not modelled yet, so a
 * group: binding grants no one; resolve (group email, principal) here when they are. */
static int group_has(const struct iam *iam, const char *group, const struct iam_principal *p)
{
	(void)iam;
	(void)group;
	(void)p;
	return 0;
}

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

int iam_check(struct iam *iam, const char *const *resources, size_t n_resources,
	      const struct iam_principal *p, const char *permission, int64_t now_ms)
{
	const size_t words = iam ? iam->cat.words : 0;
	size_t n_members, w;
	uint64_t bit;
	uint32_t id;
	int64_t t;
	char dom[256];
	int dom_state = 0; /* 0 not computed, 1 in dom, -1 none */

	if (!iam || !resources || !p || !perm_id(iam, permission, &id))
		return 0;
	w = id >> 6;
	bit = (uint64_t)1 << (id & 63);
	t = now_ms;
	n_members = p->n_members < IAM_MAX_MEMBERS ? p->n_members : IAM_MAX_MEMBERS;
	for (size_t i = 0; i < n_resources; i++) {
		const struct cpolicy *cp = resources[i] ? hmap_get(iam->cache, resources[i]) : NULL;
		const struct cver *cv = cp ? in_effect(cp, t, iam->propagation_ms) : NULL;
		const uint64_t *row;

		if (!cv || !cv->rows || !(cv->rows[ROW_ANY * words + w] & bit))
			continue;
		if (cv->rows[ROW_ALL_USERS * words + w] & bit)
			return 1;
		if (p->authenticated && (cv->rows[ROW_ALL_AUTH * words + w] & bit))
			return 1;
		for (size_t j = 0; j < n_members; j++) {
			row = p->members[j] ? hmap_get(cv->members, p->members[j]) : NULL;
			if (row && (row[w] & bit))
				return 1;
		}
		if (cv->domains && p->email && domain_member(p)) {
			if (dom_state == 0) {
				const char *at = strrchr(p->email, '@');
				size_t n = at ? strlen(at + 1) : 0;

				dom_state = -1;
				if (n > 0 && n < sizeof(dom)) {
					for (size_t k = 0; k <= n; k++) {
						char c = at[1 + k];

						dom[k] = c >= 'A' && c <= 'Z'
								 ? (char)(c - 'A' + 'a')
								 : c;
					}
					dom_state = 1;
				}
			}
			row = dom_state > 0 ? hmap_get(cv->domains, dom) : NULL;
			if (row && (row[w] & bit))
				return 1;
		}
		if (cv->groups && (cv->rows[ROW_GROUPS * words + w] & bit)) {
			size_t pos = 0;
			const char *g;
			void *v;

			while (hmap_next(cv->groups, &pos, &g, &v))
				if ((((const uint64_t *)v)[w] & bit) && group_has(iam, g, p))
					return 1;
		}
	}
	return 0;
}
