/*
 * compile.c - the compiled form of allow policies and its cache, which checks read.
 *
 * Every version of every policy is compiled into a hash map from member string
 * to a permission bitset (the union of the roles of the unconditional bindings naming
 * it; members with the same roles share one), plus rows for the union of all grants,
 * allUsers, allAuthenticatedUsers, groups, and a map of "domain:" grants. Conditional
 * bindings are kept apart, each with its CEL program (cel.c) compiled here once, its
 * role's row and its members, and a row for the union of their roles, so a check
 * evaluates conditions only when an unconditional grant is missing and a conditional
 * binding's role has the permission. The cache
 * (resource -> compiled policy) is loaded with store_range in iam_new and replaced per
 * key by a store_watch on "/iam/policies/". A record that cannot be compiled (malformed,
 * or out of memory in the watch) leaves its resource with no cached policy, so checks
 * on it fail closed.
 */
#include "iam/cel.h"
#include "iam/iam_priv.h"

#include "core/hmap.h"
#include "core/store.h"

/* ---- compiled policies -------------------------------------------------------------- */

static void cver_clear(struct cver *v)
{
	hmap_free(v->members);
	hmap_free(v->domains);
	hmap_free(v->groups);
	for (size_t i = 0; i < v->n_conds; i++) {
		cel_free(v->conds[i].prog);
		hmap_free(v->conds[i].members);
	}
	free(v->conds);
	if (v->cond_index) {
		size_t pos = 0;
		void *l;

		while (hmap_next(v->cond_index, &pos, NULL, &l))
			free(l);
		hmap_free(v->cond_index);
	}
	free(v->rows);
	memset(v, 0, sizeof(*v));
}

void iam_cpolicy_free(struct cpolicy *cp)
{
	if (!cp)
		return;
	for (size_t i = 0; i < cp->n; i++)
		cver_clear(&cp->v[i]);
	free(cp);
}

static void row_or(uint64_t *dst, const uint64_t *src, size_t words)
{
	for (size_t i = 0; i < words; i++)
		dst[i] |= src[i];
}

/* What a key (a member, a domain or a group) is granted while a version compiles: the
 * catalogue indices of the roles of the unconditional bindings that name it. Keys with
 * the same set of roles share one row, so a version costs a row per distinct set, not
 * per member: a row has a bit for each permission of the catalogue (1.7 KB for Google's
 * 13,790), and most members of a large policy share their roles with others. */
struct grant {
	uint32_t *roles;
	size_t n, cap;
	size_t set; /* its row is N_FIXED_ROWS + set */
	int group;
};

static int grant_add(struct grant *g, uint32_t role)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		uint32_t *r = realloc(g->roles, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		g->roles = r;
		g->cap = cap;
	}
	g->roles[g->n++] = role;
	return 0;
}

/* The grant of key in *map (created on first use), taking the next free one. */
static struct grant *grant_for(struct hmap **map, const char *key, struct grant *grants,
			       size_t *next, size_t max)
{
	struct grant *g;

	if (!*map && !(*map = hmap_new(16)))
		return NULL;
	g = hmap_get(*map, key);
	if (g)
		return g;
	if (*next >= max)
		return NULL;
	g = &grants[*next];
	if (hmap_put(*map, key, g) < 0)
		return NULL;
	(*next)++;
	return g;
}

/* Sorts and dedups g's roles and finds its set in sets (text of the ids -> set + 1),
 * adding it as the next when new. 0 or -ENOMEM. */
static int grant_set(struct grant *g, struct hmap *sets, struct grant **firsts, size_t *n_sets)
{
	char *key, *k;
	size_t j, u = 0;
	void *v;
	int rc = 0;

	qsort(g->roles, g->n, sizeof(*g->roles), catalog_cmp_id);
	for (j = 0; j < g->n; j++)
		if (u == 0 || g->roles[u - 1] != g->roles[j])
			g->roles[u++] = g->roles[j];
	g->n = u;
	if (!(key = malloc(g->n * 11 + 1)))
		return -ENOMEM;
	k = key;
	for (j = 0; j < g->n; j++)
		k += sprintf(k, "%u,", g->roles[j]);
	*k = '\0';
	if ((v = hmap_get(sets, key))) {
		g->set = (size_t)((uintptr_t)v - 1);
	} else if ((rc = hmap_put(sets, key, (void *)(uintptr_t)(*n_sets + 1))) == 0) {
		firsts[*n_sets] = g;
		g->set = (*n_sets)++;
	}
	free(key);
	return rc;
}

static void roles_or(const struct iam *iam, uint64_t *row, const struct grant *g)
{
	for (size_t j = 0; j < g->n; j++)
		row_or(row, iam->cat.roles[g->roles[j]].bits, iam->cat.words);
}

/* Gives every key of map its set's row in place of its grant. */
static void map_rows(struct hmap *map, uint64_t *rows, size_t words)
{
	size_t pos = 0;
	const char *key;
	void *v;

	while (map && hmap_next(map, &pos, &key, &v))
		hmap_put(map, key, rows + (N_FIXED_ROWS + ((struct grant *)v)->set) * words);
}

/* A version being compiled: each key's grant, and allUsers' and allAuthenticatedUsers'. */
struct build {
	struct grant *grants, everyone[2];
	size_t next, max;
};

/* The grant of member s in cv (*g NULL: s matches no one). 0 or -ENOMEM. */
static int member_grant(struct cver *cv, struct build *bd, const char *s, struct grant **g)
{
	char dom[256];

	*g = NULL;
	if (strcmp(s, "allUsers") == 0) {
		*g = &bd->everyone[0];
	} else if (strcmp(s, "allAuthenticatedUsers") == 0) {
		*g = &bd->everyone[1];
	} else if (has_prefix(s, "domain:")) {
		size_t k, n = strlen(s + 7);

		if (n >= sizeof(dom))
			return 0;
		for (k = 0; k < n; k++) {
			char c = s[7 + k];

			dom[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		dom[n] = '\0';
		if (!(*g = grant_for(&cv->domains, dom, bd->grants, &bd->next, bd->max)))
			return -ENOMEM;
	} else if (has_prefix(s, "group:")) {
		if (!(*g = grant_for(&cv->groups, s + 6, bd->grants, &bd->next, bd->max)))
			return -ENOMEM;
		(*g)->group = 1;
	} else if (!has_prefix(s, "deleted:")) { /* a deleted principal matches no one */
		if (!(*g = grant_for(&cv->members, s, bd->grants, &bd->next, bd->max)))
			return -ENOMEM;
	}
	return 0;
}

/* Pass 1: each key's roles, from the unconditional bindings. */
static int collect_grants(const struct iam *iam, const json_t *bindings, struct cver *cv,
			  struct build *bd)
{
	const json_t *b, *m;
	size_t i, j;

	json_array_foreach(bindings, i, b)
	{
		const json_t *cond = json_object_get(b, "condition");
		int custom;
		const struct iam_role *r =
			bound_role(iam, json_string_value(json_object_get(b, "role")), &custom);

		/* Conditional bindings and custom roles are compiled apart (compile_conds); a
		 * role the catalog no longer has grants nothing. */
		if (!r || custom || (cond && !json_is_null(cond)))
			continue;
		json_array_foreach(json_object_get(b, "members"), j, m)
		{
			const char *s = json_string_value(m);
			struct grant *g;

			if (!s)
				continue;
			if (member_grant(cv, bd, s, &g) < 0)
				return -ENOMEM;
			if (g && grant_add(g, (uint32_t)(r - iam->cat.roles)) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* Pass 2: one row per distinct set of roles, after the fixed rows. */
static int build_rows(const struct iam *iam, struct cver *cv, struct build *bd)
{
	size_t words = iam->cat.words, n_sets = 0, i;
	struct grant **firsts = NULL;
	struct hmap *sets = hmap_new(bd->next);
	int rc = -ENOMEM;

	firsts = calloc(bd->next + 1, sizeof(*firsts));
	if (!sets || !firsts)
		goto out;
	for (i = 0; i < bd->next; i++)
		if (grant_set(&bd->grants[i], sets, firsts, &n_sets) < 0)
			goto out;
	cv->rows = calloc((N_FIXED_ROWS + n_sets) * words, sizeof(uint64_t));
	if (!cv->rows)
		goto out;
	for (i = 0; i < n_sets; i++) {
		uint64_t *row = cv->rows + (N_FIXED_ROWS + i) * words;

		roles_or(iam, row, firsts[i]);
		row_or(cv->rows + ROW_ANY * words, row, words);
	}
	for (i = 0; i < bd->next; i++)
		if (bd->grants[i].group)
			row_or(cv->rows + ROW_GROUPS * words,
			       cv->rows + (N_FIXED_ROWS + bd->grants[i].set) * words, words);
	roles_or(iam, cv->rows + ROW_ALL_USERS * words, &bd->everyone[0]);
	roles_or(iam, cv->rows + ROW_ALL_AUTH * words, &bd->everyone[1]);
	row_or(cv->rows + ROW_ANY * words, cv->rows + ROW_ALL_USERS * words, words);
	row_or(cv->rows + ROW_ANY * words, cv->rows + ROW_ALL_AUTH * words, words);
	map_rows(cv->members, cv->rows, words);
	map_rows(cv->domains, cv->rows, words);
	map_rows(cv->groups, cv->rows, words);
	rc = 0;
out:
	free(firsts);
	hmap_free(sets);
	return rc;
}

/* The key of a conditional binding's member (see struct ccond) into key; 0 when the
 * member matches no one. */
static int cond_key(const char *s, char *key, size_t size)
{
	size_t n = strlen(s);

	if (has_prefix(s, "deleted:") || n >= size)
		return 0;
	memcpy(key, s, n + 1);
	if (has_prefix(s, "domain:"))
		for (size_t k = 7; k < n; k++)
			key[k] = key[k] >= 'A' && key[k] <= 'Z' ? (char)(key[k] - 'A' + 'a')
								: key[k];
	return 1;
}

/* One conditional binding into cv->conds[cv->n_conds]. A condition that does not compile
 * (a record written before a check that refuses it) grants nothing. */
static int compile_cond(const struct iam *iam, const struct iam_role *r, const json_t *b,
			int custom, struct cver *cv)
{
	const json_t *cond = json_object_get(b, "condition");
	const char *expr = json_string_value(json_object_get(cond, "expression"));
	const json_t *members = json_object_get(b, "members"), *m;
	struct ccond *c = &cv->conds[cv->n_conds];
	char key[MAX_NAME + 1];
	size_t j;

	if (cond && !json_is_null(cond) &&
	    (!expr || cel_compile(expr, strlen(expr), &c->prog, NULL, NULL) < 0))
		return 0;
	c->bits = r->bits;
	if (!(c->members = hmap_new(json_array_size(members) + 1)))
		goto nomem;
	json_array_foreach(members, j, m)
	{
		if (json_is_string(m) && cond_key(json_string_value(m), key, sizeof(key)) &&
		    hmap_put(c->members, key, (void *)1) < 0)
			goto nomem;
	}
	/* A custom role's permissions change after compiling: its bindings are always
	 * looked at (cond_live), rather than through ROW_COND. */
	if (custom)
		cv->cond_live = 1;
	else
		row_or(cv->rows + ROW_COND * iam->cat.words, r->bits, iam->cat.words);
	cv->n_conds++;
	return 0;
nomem:
	cel_free(c->prog);
	hmap_free(c->members);
	memset(c, 0, sizeof(*c));
	return -ENOMEM;
}

/* cv->cond_index: for each member key, the conditional bindings that name it, so that a
 * check looks up the principal's few keys instead of visiting every binding. */
static int index_conds(struct cver *cv)
{
	if (!(cv->cond_index = hmap_new(cv->n_conds * 4 + 1)))
		return -ENOMEM;
	for (size_t i = 0; i < cv->n_conds; i++) {
		size_t pos = 0;
		const char *key;
		void *v;

		while (hmap_next(cv->conds[i].members, &pos, &key, &v)) {
			struct clist *l = hmap_get(cv->cond_index, key), *nl;
			size_t n = l ? l->n : 0;

			if (has_prefix(key, "group:"))
				cv->cond_groups = 1;
			if (!(nl = realloc(l, sizeof(*nl) + (n + 1) * sizeof(nl->idx[0]))))
				return -ENOMEM;
			nl->n = n + 1;
			nl->idx[n] = (uint32_t)i;
			if (hmap_put(cv->cond_index, key, nl) < 0) {
				if (!l)
					free(nl);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

/* The conditional bindings (compiled once per version; evaluated per check). */
static int compile_conds(const struct iam *iam, const json_t *bindings, struct cver *cv)
{
	const json_t *b, *cond;
	size_t i, n = 0;

	json_array_foreach(bindings, i, b)
	{
		int custom;

		cond = json_object_get(b, "condition");
		n += (cond && !json_is_null(cond)) ||
		     (bound_role(iam, json_string_value(json_object_get(b, "role")), &custom) &&
		      custom);
	}
	if (n == 0)
		return 0;
	if (!(cv->conds = calloc(n, sizeof(*cv->conds))))
		return -ENOMEM;
	json_array_foreach(bindings, i, b)
	{
		int custom;
		const struct iam_role *r =
			bound_role(iam, json_string_value(json_object_get(b, "role")), &custom);

		cond = json_object_get(b, "condition");
		if (!r || (!custom && (!cond || json_is_null(cond))))
			continue;
		if (compile_cond(iam, r, b, custom, cv) < 0)
			return -ENOMEM;
	}
	return index_conds(cv);
}

static int compile_version(const struct iam *iam, json_int_t effective, json_int_t written,
			   const json_t *bindings, struct cver *cv)
{
	struct build bd = {0};
	const json_t *b;
	size_t i;
	int rc = -ENOMEM;

	memset(cv, 0, sizeof(*cv));
	cv->effective_at = effective;
	cv->written_at = written;
	if (iam->cat.words == 0)
		return 0; /* nothing can be granted */
	json_array_foreach(bindings, i, b)
	{
		size_t n = json_array_size(json_object_get(b, "members"));

		if (n > MAX_ENTRIES || bd.max > MAX_ENTRIES - n)
			return -E2BIG;
		bd.max += n;
	}
	bd.grants = calloc(bd.max + 1, sizeof(*bd.grants));
	cv->members = hmap_new(bd.max);
	if (!bd.grants || !cv->members)
		goto out;
	if ((rc = collect_grants(iam, bindings, cv, &bd)) == 0 &&
	    (rc = build_rows(iam, cv, &bd)) == 0)
		rc = compile_conds(iam, bindings, cv);
out:
	for (i = 0; bd.grants && i < bd.next; i++)
		free(bd.grants[i].roles);
	free(bd.everyone[0].roles);
	free(bd.everyone[1].roles);
	free(bd.grants);
	if (rc < 0)
		cver_clear(cv);
	return rc;
}

static int compile_record(const struct iam *iam, const char *data, size_t len, struct cpolicy **out)
{
	struct record r;
	struct cpolicy *cp = NULL;
	size_t n, i, k = 0;
	const json_t *v;
	int rc;

	*out = NULL;
	if ((rc = iam_record_parse(data, len, &r)) < 0)
		return rc;
	n = json_array_size(r.previous) + 1;
	cp = calloc(1, sizeof(*cp) + n * sizeof(cp->v[0]));
	if (!cp) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(r.previous, i, v)
	{
		const json_t *w = effective_at(v), *wr = written_at(v),
			     *b = json_object_get(v, "bindings");

		if (!json_is_integer(w) || (b && !json_is_array(b)))
			continue;
		if ((rc = compile_version(iam, json_integer_value(w),
					  json_is_integer(wr) ? json_integer_value(wr)
							      : json_integer_value(w),
					  b, &cp->v[k])) < 0)
			goto out;
		cp->n = ++k;
	}
	if ((rc = compile_version(iam, r.effective_at, r.written_at, r.bindings, &cp->v[k])) < 0)
		goto out;
	cp->n = ++k;
	*out = cp;
	cp = NULL;
out:
	iam_cpolicy_free(cp);
	json_decref(r.root);
	return rc;
}

/* Replaces the cached policy of resource (cp NULL: drops it). Takes cp. */
static void cache_set(struct iam *iam, const char *resource, struct cpolicy *cp)
{
	struct cpolicy *old = hmap_get(iam->cache, resource);

	if (cp) {
		if (hmap_put(iam->cache, resource, cp) < 0) {
			iam_cpolicy_free(cp); /* fail closed: no policy rather than a stale one */
			hmap_del(iam->cache, resource);
		}
	} else {
		hmap_del(iam->cache, resource);
	}
	iam_cpolicy_free(old);
}

static void on_policy_event(void *arg, const struct store_event *ev)
{
	struct iam *iam = arg;
	const char *resource;
	struct cpolicy *cp = NULL;

	if (!ev || !ev->key || !has_prefix(ev->key, POLICY_PREFIX))
		return;
	resource = ev->key + strlen(POLICY_PREFIX);
	if (ev->type == STORE_PUT && ev->value &&
	    compile_record(iam, ev->value, ev->value_len, &cp) < 0)
		cp = NULL;
	cache_set(iam, resource, cp);
}

int iam_cache_load(struct iam *iam)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int64_t rev = 0;
	int rc;

	rc = store_range(iam->store, POLICY_PREFIX, 0, &kvs, &n, &rev);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct cpolicy *cp = NULL;

		rc = compile_record(iam, kvs[i].value, kvs[i].value_len, &cp);
		if (rc == -ENOMEM)
			goto out;
		rc = 0; /* a malformed record: no policy (fail closed) */
		cache_set(iam, kvs[i].key + strlen(POLICY_PREFIX), cp);
	}
	rc = store_watch(iam->store, POLICY_PREFIX, rev, on_policy_event, iam, &iam->watch);
out:
	store_kvs_free(kvs, n);
	return rc;
}
