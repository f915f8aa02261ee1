/*
 * iam.c - Google IAM: the engine's lifecycle (contract in iam.h), over the role catalogue
 * of catalog.c. The engine's files:
 *   member.c     member strings;
 *   normalize.c  a policy as setIamPolicy receives it, validated and normalized;
 *   policy.c     policy records in the store, views, etags, the public policy API;
 *   compile.c    compiled policies and their cache (fed by a store watch);
 *   check.c      permission checks;
 *   customrole.c custom roles, followed from the store;
 *   cel.c        the CEL subset of IAM Conditions;
 *   deny.c       deny policies, asked before the allow policies.
 * What they share is in iam_priv.h.
 *
 * Deliberate limits:
 * - conditions (cel.c): resource.name is gkeid's name of the resource checked (a project
 *   by its ID, where Google names it by number), and resource.type and resource.service
 *   are known for projects, service accounts and clusters only ("" elsewhere);
 * - group: members grant nothing until group membership can be resolved (group_has);
 * - Google's 1,500-principal limit per policy is not enforced.
 *
 * iam_free must run before store_close (it cancels its watch on the store).
 */
#include "iam/deny.h"
#include "iam/groups.h"
#include "iam/iam_priv.h"

#include "core/hmap.h"
#include "core/store.h"

const struct iam_catalog *iam_catalog_of(const struct iam *iam)
{
	return &iam->cat;
}

/* ---- lifecycle ---------------------------------------------------------------------- */

int iam_new(struct store *s, const char *catalog_json, size_t catalog_len, int64_t propagation_ms,
	    struct iam **out)
{
	struct iam *iam;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	iam = calloc(1, sizeof(*iam));
	if (!iam)
		return -ENOMEM;
	iam->store = s;
	iam->propagation_ms = propagation_ms > 0 ? propagation_ms : 0;
	if ((rc = catalog_load(&iam->cat, catalog_json, catalog_len)) < 0)
		goto fail;
	iam->cache = hmap_new(64);
	if (!iam->cache) {
		rc = -ENOMEM;
		goto fail;
	}
	/* custom roles first: the policies compiled next may bind them */
	if ((rc = iam_custom_load(iam)) < 0 || (s && (rc = iam_cache_load(iam)) < 0) ||
	    (rc = iam_ancestry_new(s, &iam->ancestry)) < 0 ||
	    (rc = iam_groups_new(s, &iam->groups)) < 0 || (rc = iam_deny_load(iam)) < 0)
		goto fail;
	*out = iam;
	return 0;
fail:
	iam_free(iam);
	return rc;
}

void iam_free(struct iam *iam)
{
	size_t pos = 0;
	void *v;

	if (!iam)
		return;
	store_unwatch(iam->watch);
	iam_deny_free(iam);
	iam_ancestry_free(iam->ancestry);
	iam_groups_free(iam->groups);
	while (hmap_next(iam->cache, &pos, NULL, &v))
		iam_cpolicy_free(v);
	hmap_free(iam->cache);
	iam_custom_free(iam);
	catalog_free(&iam->cat);
	free(iam);
}

void iam_set_propagation(struct iam *iam, int64_t propagation_ms)
{
	if (iam)
		iam->propagation_ms = propagation_ms > 0 ? propagation_ms : 0;
}
