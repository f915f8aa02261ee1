/*
 * deny.c - IAM deny policies in the engine (contract in deny.h): their rules checked
 * when written, compiled once, kept by a store watch on IAM_DENY_PREFIX, and asked by
 * every permission check before the allow policies.
 *
 * A rule denies when all hold (iam/docs/deny-overview, "Deny rules"): the principal is
 * one of deniedPrincipals and none of exceptionPrincipals; the permission is one of
 * deniedPermissions and none of exceptionPermissions; and the denialCondition, when
 * there is one, evaluates to true. Permissions may end in wildcards:
 * "SERVICE.googleapis.com/ *.*" (without the space), "SERVICE.googleapis.com/RESOURCE.*"
 * and ".../ *.VERB" (iam/docs/deny-permissions-support).
 *
 * Deliberate limits: a deny policy takes effect at once (Google's propagation delay is
 * not modelled for deny); the condition is the CEL subset of cel.c (Google allows only
 * resource-tag functions in denial conditions, which gkeid has no tags for); and the
 * permission list is not checked against Google's list of deniable permissions.
 */
#include "iam/deny.h"

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/store.h"
#include "iam/cel.h"
#include "iam/iam_priv.h"

/* ---- rules, compiled -------------------------------------------------------------- */

struct strs {
	char **v;
	size_t n;
};

struct drule {
	struct strs denied_principals, exception_principals;
	struct strs denied_perms, exception_perms; /* v1 form, with '*' segments */
	struct cel_program *cond;		   /* NULL: always */
};

/* Rule indices. */
struct rlist {
	size_t n;
	uint32_t idx[];
};

struct dpolicy {
	char *id;
	json_t *stored; /* the stored value (owned) */
	int64_t rev;
	struct drule *rules;
	size_t n_rules;
	/* Which rules a check must read: those naming one of the principal's identifiers
	 * (denied principal -> struct rlist), and those that name everyone or a group
	 * (open), so that a check of a principal no rule names costs a few lookups. */
	struct hmap *by_principal;
	struct rlist *open;
};

/* The deny policies of one attachment point. */
struct dset {
	struct dpolicy **p;
	size_t n;
};

static void strs_free(struct strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void drule_clear(struct drule *r)
{
	strs_free(&r->denied_principals);
	strs_free(&r->exception_principals);
	strs_free(&r->denied_perms);
	strs_free(&r->exception_perms);
	cel_free(r->cond);
	r->cond = NULL;
}

static void dpolicy_free(struct dpolicy *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_rules; i++)
		drule_clear(&d->rules[i]);
	if (d->by_principal) {
		size_t pos = 0;
		void *l;

		while (hmap_next(d->by_principal, &pos, NULL, &l))
			free(l);
		hmap_free(d->by_principal);
	}
	free(d->open);
	free(d->rules);
	free(d->id);
	json_decref(d->stored);
	free(d);
}

int iam_deny_perm_v1(const char *v2, char *out, size_t len)
{
	const char *slash = v2 ? strchr(v2, '/') : NULL;
	const char *suffix = ".googleapis.com";
	size_t svc_len, sl = strlen(suffix);
	const char *rest, *dot;

	if (!slash || slash == v2)
		return -EINVAL;
	svc_len = (size_t)(slash - v2);
	rest = slash + 1;
	dot = strchr(rest, '.');
	if (svc_len <= sl || strncmp(slash - sl, suffix, sl) != 0 || !dot || dot == rest ||
	    !dot[1] || strchr(rest, '/') || strchr(dot + 1, '.'))
		return -EINVAL;
	svc_len -= sl;
	for (size_t i = 0; i < svc_len; i++)
		if (!((v2[i] >= 'a' && v2[i] <= 'z') || (v2[i] >= '0' && v2[i] <= '9') ||
		      v2[i] == '-' || v2[i] == '.'))
			return -EINVAL;
	/* Resource Manager's v1 service ID is "resourcemanager" (the documented exception
	 * of iam/docs/deny-permissions-support). */
	if (svc_len == 20 && strncmp(v2, "cloudresourcemanager", 20) == 0)
		return sfmt(out, len, "resourcemanager.%s", rest);
	return sfmt(out, len, "%.*s.%s", (int)svc_len, v2, rest);
}

int iam_deny_principal_v2(const char *m, char *out, size_t len)
{
	if (!m)
		return -EINVAL;
	if (has_prefix(m, "user:"))
		return sfmt(out, len, "principal://goog/subject/%s", m + 5);
	if (has_prefix(m, "serviceAccount:") && !strchr(m, '['))
		return sfmt(out, len,
			    "principal://iam.googleapis.com/projects/-/serviceAccounts/%s", m + 15);
	if (has_prefix(m, "group:"))
		return sfmt(out, len, "principalSet://goog/group/%s", m + 6);
	if (!strcmp(m, "allUsers"))
		return sfmt(out, len, "principalSet://goog/public:all");
	if (has_prefix(m, "principal://") || has_prefix(m, "principalSet://"))
		return sfmt(out, len, "%s", m);
	return -EINVAL;
}

/* The v2 principal kinds gkeid knows (iam/docs/principal-identifiers, deny column). */
static int principal_ok(const char *s)
{
	static const char *const prefixes[] = {
		"principal://goog/subject/",
		"principal://iam.googleapis.com/projects/-/serviceAccounts/",
		"principalSet://goog/group/",
		"principalSet://goog/cloudIdentityCustomerId/",
		"principal://iam.googleapis.com/locations/global/workforcePools/",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/",
		"principal://iam.googleapis.com/projects/",
		"principalSet://iam.googleapis.com/projects/",
	};
	if (!token_ok(s, MAX_NAME))
		return 0;
	if (!strcmp(s, "principalSet://goog/public:all"))
		return 1;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(s, prefixes[i]) && s[strlen(prefixes[i])])
			return 1;
	return 0;
}

/* An identifier that ends in an email (a Google account, a service account): emails
 * match in any case, so that a deny rule written Alice@Example.com still denies
 * alice@example.com (a deny that misses is access granted). */
static int email_id(const char *v)
{
	return has_prefix(v, "principal://goog/subject/") ||
	       has_prefix(v, "principal://iam.googleapis.com/projects/-/serviceAccounts/");
}

/* An identifier in the form rules keep and principals are matched in (a rule's, when
 * compiled; a principal's, once per check): an email identifier in lower case.
 * 0, or -ENAMETOOLONG. */
static int id_key(const char *v, char *out, size_t len)
{
	size_t n = strlen(v);
	if (n >= len)
		return -ENAMETOOLONG;
	int fold = email_id(v);
	for (size_t i = 0; i <= n; i++)
		out[i] = fold && v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] - 'A' + 'a') : v[i];
	return 0;
}

/* Copies a JSON array of strings into s, each checked (v1: turned into the v1 form). */
static int strs_take(struct strs *s, const json_t *a, int perms, const char *field, char **err)
{
	const json_t *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return fail(err, errf("%s is not a list", field));
	if (!(s->v = calloc(json_array_size(a) + 1, sizeof(*s->v))))
		return -ENOMEM;
	json_array_foreach(a, i, v)
	{
		const char *str = json_string_value(v);
		char buf[MAX_NAME];

		if (!str || (perms ? iam_deny_perm_v1(str, buf, sizeof(buf)) < 0
				   : !principal_ok(str) || id_key(str, buf, sizeof(buf)) < 0))
			return fail(err, errf("%s: \"%.200s\" is not valid", field,
					      str ? str : "(not a string)"));
		if (!(s->v[s->n] = strdup(buf)))
			return -ENOMEM;
		s->n++;
	}
	return 0;
}

/* Compiles one v2 DenyRule object. 0, -EINVAL with *err, -ENOMEM. */
static int drule_compile(const json_t *dr, struct drule *r, char **err)
{
	const json_t *cond;
	const char *expr;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(dr))
		return fail(err, errf("denyRule is not an object"));
	if ((rc = strs_take(&r->denied_principals, json_object_get(dr, "deniedPrincipals"), 0,
			    "deniedPrincipals", err)) < 0 ||
	    (rc = strs_take(&r->exception_principals, json_object_get(dr, "exceptionPrincipals"), 0,
			    "exceptionPrincipals", err)) < 0 ||
	    (rc = strs_take(&r->denied_perms, json_object_get(dr, "deniedPermissions"), 1,
			    "deniedPermissions", err)) < 0 ||
	    (rc = strs_take(&r->exception_perms, json_object_get(dr, "exceptionPermissions"), 1,
			    "exceptionPermissions", err)) < 0)
		return rc;
	if (!r->denied_principals.n)
		return fail(err, errf("deniedPrincipals is empty"));
	if (!r->denied_perms.n)
		return fail(err, errf("deniedPermissions is empty"));
	cond = json_object_get(dr, "denialCondition");
	if (cond && !json_is_null(cond)) {
		expr = json_string_value(json_object_get(cond, "expression"));
		if (!expr || !*expr)
			return fail(err, errf("denialCondition has no expression"));
		if (strlen(expr) > CEL_MAX_EXPR)
			return fail(err, errf("denialCondition is too long"));
		rc = cel_compile(expr, strlen(expr), &r->cond, err, NULL);
		if (rc < 0)
			return rc == -EINVAL && err && !*err ? fail(err, errf("bad condition"))
							     : rc;
	}
	return 0;
}

/* Compiles policy.rules into rules/n. 0, -EINVAL with *err, -ENOMEM. */
static int rules_compile(const json_t *rules, struct drule **out, size_t *n, char **err)
{
	size_t cnt = json_array_size(rules);
	struct drule *r;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (rules && !json_is_array(rules))
		return fail(err, errf("rules is not a list"));
	if (cnt > IAM_DENY_MAX_RULES)
		return fail(err, errf("more than %d rules", IAM_DENY_MAX_RULES));
	if (!(r = calloc(cnt + 1, sizeof(*r))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		rc = drule_compile(json_object_get(json_array_get(rules, i), "denyRule"), &r[i],
				   err);
		if (rc < 0) {
			for (size_t k = 0; k <= i; k++)
				drule_clear(&r[k]);
			free(r);
			return rc;
		}
	}
	*out = r;
	*n = cnt;
	return 0;
}

/* Appends rule i to the list at *l (realloc'd). 0 or -ENOMEM. */
static int rlist_add(struct rlist **l, uint32_t i)
{
	size_t n = *l ? (*l)->n : 0;
	struct rlist *nl;

	if (n && (*l)->idx[n - 1] == i)
		return 0; /* a rule naming a principal twice */
	if (!(nl = realloc(*l, sizeof(*nl) + (n + 1) * sizeof(nl->idx[0]))))
		return -ENOMEM;
	nl->n = n + 1;
	nl->idx[n] = i;
	*l = nl;
	return 0;
}

/* Builds d's principal index. 0 or -ENOMEM. */
static int index_rules(struct dpolicy *d)
{
	if (!(d->by_principal = hmap_new(d->n_rules * 2 + 1)))
		return -ENOMEM;
	for (size_t i = 0; i < d->n_rules; i++) {
		const struct strs *s = &d->rules[i].denied_principals;

		for (size_t k = 0; k < s->n; k++) {
			const char *v = s->v[k];
			struct rlist *l;
			int rc;

			if (!strcmp(v, "principalSet://goog/public:all") ||
			    has_prefix(v, "principalSet://goog/group/")) {
				if (rlist_add(&d->open, (uint32_t)i) < 0)
					return -ENOMEM;
				continue;
			}
			l = hmap_get(d->by_principal, v);
			rc = rlist_add(&l, (uint32_t)i);
			if (rc < 0 || hmap_put(d->by_principal, v, l) < 0) {
				if (!rc && !hmap_get(d->by_principal, v))
					free(l);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

int iam_deny_validate(const json_t *rules, char **err)
{
	struct drule *r;
	size_t n;
	int rc = rules_compile(rules, &r, &n, err);

	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			drule_clear(&r[i]);
		free(r);
	}
	return rc;
}

/* ---- matching -------------------------------------------------------------------- */

/* One dot-separated segment of a pattern against the permission's: "*" matches any. */
static int seg_match(const char *pat, size_t pl, const char *s, size_t sl)
{
	return (pl == 1 && pat[0] == '*') || (pl == sl && strncmp(pat, s, sl) == 0);
}

/* A v1 pattern "svc.res.verb" (any segment "*" after the service) against a v1
 * permission: the service exactly, then the resource (everything up to the last dot)
 * and the verb. */
static int perm_match(const char *pat, const char *perm)
{
	const char *pd = strchr(pat, '.'), *sd = strchr(perm, '.');
	const char *pl, *sl;

	if (!pd || !sd || pd - pat != sd - perm || strncmp(pat, perm, (size_t)(pd - pat)) != 0)
		return 0;
	pl = strrchr(pat, '.');
	sl = strrchr(perm, '.');
	if (pl == pd || sl == sd)
		return 0;
	return seg_match(pd + 1, (size_t)(pl - pd - 1), sd + 1, (size_t)(sl - sd - 1)) &&
	       seg_match(pl + 1, strlen(pl + 1), sl + 1, strlen(sl + 1));
}

static int perms_match(const struct strs *s, const char *perm)
{
	for (size_t i = 0; i < s->n; i++)
		if (perm_match(s->v[i], perm))
			return 1;
	return 0;
}

/* The principal's v2 identifiers, computed once per check. */
struct dwho {
	const struct iam_principal *p;
	char ids[IAM_MAX_MEMBERS][MAX_NAME];
	size_t n;
	int ready;
};

static void dwho_ready(struct dwho *w)
{
	if (w->ready)
		return;
	w->ready = 1;
	for (size_t i = 0; i < w->p->n_members && i < IAM_MAX_MEMBERS && w->n < IAM_MAX_MEMBERS;
	     i++)
		if (w->p->members[i] &&
		    iam_deny_principal_v2(w->p->members[i], w->ids[w->n], MAX_NAME) == 0 &&
		    id_key(w->ids[w->n], w->ids[w->n], MAX_NAME) == 0)
			w->n++;
}

static int principals_match(const struct iam *iam, const struct strs *s, struct dwho *w)
{
	const char *grp = "principalSet://goog/group/";

	dwho_ready(w);
	for (size_t i = 0; i < s->n; i++) {
		const char *v = s->v[i];

		if (!strcmp(v, "principalSet://goog/public:all"))
			return 1;
		if (has_prefix(v, grp) && iam && iam_group_has(iam, v + strlen(grp), w->p))
			return 1;
		for (size_t k = 0; k < w->n; k++)
			if (!strcmp(v, w->ids[k]))
				return 1;
	}
	return 0;
}

int iam_deny_principal_names(const struct iam *iam, const char *v2, const struct iam_principal *p)
{
	struct dwho w = {.p = p};
	char key[MAX_NAME], *one[1] = {key};
	struct strs s = {one, 1};

	return v2 && p && id_key(v2, key, sizeof(key)) == 0 && principals_match(iam, &s, &w);
}

int iam_deny_permission_names(const char *v2_pattern, const char *permission)
{
	char pat[MAX_NAME];

	return permission && iam_deny_perm_v1(v2_pattern, pat, sizeof(pat)) == 0 &&
	       perm_match(pat, permission);
}

/* The parts of a rule, for one request. */
static int drule_eval(const struct iam *iam, const struct drule *r, struct dwho *w,
		      const char *perm, const struct cel_activation *a, int *pn, int *mn, int *ch)
{
	int p = principals_match(iam, &r->denied_principals, w) &&
		!principals_match(iam, &r->exception_principals, w);
	int m = perms_match(&r->denied_perms, perm) && !perms_match(&r->exception_perms, perm);
	int c = 1;

	/* a check evaluates the condition only when it can matter; an explanation always */
	if (r->cond && ((p && m) || pn || mn || ch)) {
		struct cel_activation act = *a;

		cel_resource_kind(act.resource_name, &act.resource_type, &act.resource_service);
		c = cel_eval(r->cond, &act);
	}
	if (pn)
		*pn = p;
	if (mn)
		*mn = m;
	if (ch)
		*ch = c;
	return p && m && c;
}

/* True when rule j of policy d denies; fills hit. */
static int rule_denies(const struct iam *iam, const struct dpolicy *d, uint32_t j, struct dwho *w,
		       const char *permission, const struct cel_activation *a, const char *resource,
		       struct iam_deny_hit *hit)
{
	if (j >= d->n_rules || !drule_eval(iam, &d->rules[j], w, permission, a, NULL, NULL, NULL))
		return 0;
	if (hit) {
		memset(hit, 0, sizeof(*hit));
		if (SFMT(hit->attachment, "%s", resource) < 0 || SFMT(hit->policy, "%s", d->id) < 0)
			hit->policy[0] = '\0';
		hit->rule = j;
	}
	return 1;
}

/* True when a rule of d denies: only the rules that name one of the principal's
 * identifiers, everyone or a group are read. */
static int policy_denies(const struct iam *iam, const struct dpolicy *d, struct dwho *w,
			 const char *permission, const struct cel_activation *a,
			 const char *resource, struct iam_deny_hit *hit)
{
	const struct rlist *l;

	for (size_t k = 0; d->open && k < d->open->n; k++)
		if (rule_denies(iam, d, d->open->idx[k], w, permission, a, resource, hit))
			return 1;
	dwho_ready(w);
	for (size_t m = 0; m < w->n; m++)
		for (size_t k = 0; (l = hmap_get(d->by_principal, w->ids[m])) && k < l->n; k++)
			if (rule_denies(iam, d, l->idx[k], w, permission, a, resource, hit))
				return 1;
	return 0;
}

int iam_deny_denies(const struct iam *iam, const char *const *resources, size_t n,
		    const struct iam_principal *p, const char *permission, int64_t now_ms,
		    struct iam_deny_hit *hit)
{
	struct dwho w; /* not zeroed: dwho_ready fills what it reads */
	struct cel_activation a = {.now_ms = now_ms,
				   .resource_name = n && resources ? resources[0] : NULL};

	if (!iam || !iam->deny || !hmap_count(iam->deny) || !p || !permission)
		return 0;
	w.p = p;
	w.n = 0;
	w.ready = 0;
	for (size_t i = 0; i < n; i++) {
		const struct dset *d = resources[i] ? hmap_get(iam->deny, resources[i]) : NULL;

		for (size_t k = 0; d && k < d->n; k++)
			if (policy_denies(iam, d->p[k], &w, permission, &a, resources[i], hit))
				return 1;
	}
	return 0;
}

int iam_deny_rule_explain(const struct iam *iam, const json_t *rule, const struct iam_principal *p,
			  const char *permission, const char *resource, int64_t now_ms,
			  int *principal_named, int *permission_named, int *condition_holds)
{
	struct dwho w = {.p = p};
	struct cel_activation a = {.now_ms = now_ms, .resource_name = resource};
	struct drule r;
	int v;

	memset(&r, 0, sizeof(r));
	if (!p || !permission || drule_compile(json_object_get(rule, "denyRule"), &r, NULL) < 0) {
		drule_clear(&r);
		return 0;
	}
	v = drule_eval(iam, &r, &w, permission, &a, principal_named, permission_named,
		       condition_holds);
	drule_clear(&r);
	return v;
}

/* ---- the cache ------------------------------------------------------------------- */

/* Splits "ATTACHMENT/ID" (after the prefix) into attachment (in buf) and id. */
static const char *split_key(const char *key, char *buf, size_t len)
{
	const char *rest = key + strlen(IAM_DENY_PREFIX);
	const char *slash = strrchr(rest, '/');

	if (!slash || slash == rest || !slash[1] || (size_t)(slash - rest) >= len)
		return NULL;
	memcpy(buf, rest, (size_t)(slash - rest));
	buf[slash - rest] = '\0';
	return slash + 1;
}

/* Puts (d non-NULL) or removes the policy id of an attachment point. */
static void cache_set(struct iam *iam, const char *attachment, const char *id, struct dpolicy *d)
{
	struct dset *s = hmap_get(iam->deny, attachment);
	size_t k;

	if (!s && d) {
		if (!(s = calloc(1, sizeof(*s))) || hmap_put(iam->deny, attachment, s) < 0) {
			free(s);
			dpolicy_free(d);
			return;
		}
	}
	if (!s)
		return;
	for (k = 0; k < s->n && strcmp(s->p[k]->id, id) != 0; k++)
		;
	if (k < s->n) {
		dpolicy_free(s->p[k]);
		if (d) {
			s->p[k] = d;
			return;
		}
		s->p[k] = s->p[--s->n];
	} else if (d) {
		struct dpolicy **np = realloc(s->p, (s->n + 1) * sizeof(*np));

		if (!np) {
			dpolicy_free(d);
			return;
		}
		s->p = np;
		s->p[s->n++] = d;
	}
	if (!s->n) {
		hmap_del(iam->deny, attachment);
		free(s->p);
		free(s);
	}
}

static void apply(struct iam *iam, const char *key, const char *value, size_t len, int64_t rev)
{
	char attachment[MAX_NAME];
	const char *id = split_key(key, attachment, sizeof(attachment));
	struct dpolicy *d = NULL;

	if (!id)
		return;
	if (value) {
		d = calloc(1, sizeof(*d));
		if (d && (d->id = strdup(id)) && (d->stored = json_loadb(value, len, 0, NULL)) &&
		    rules_compile(json_object_get(d->stored, "rules"), &d->rules, &d->n_rules,
				  NULL) == 0 &&
		    index_rules(d) == 0)
			d->rev = rev;
		else {
			dpolicy_free(d); /* malformed: no policy */
			d = NULL;
		}
	}
	cache_set(iam, attachment, id, d);
}

static void on_deny_event(void *arg, const struct store_event *ev)
{
	if (!ev || !ev->key || !has_prefix(ev->key, IAM_DENY_PREFIX))
		return;
	apply(arg, ev->key, ev->type == STORE_PUT ? ev->value : NULL,
	      ev->type == STORE_PUT ? ev->value_len : 0, ev->rev);
}

int iam_deny_load(struct iam *iam)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int64_t rev = 0;
	int rc;

	if (!(iam->deny = hmap_new(16)))
		return -ENOMEM;
	if (!iam->store)
		return 0;
	if ((rc = store_range(iam->store, IAM_DENY_PREFIX, 0, &kvs, &n, &rev)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		apply(iam, kvs[i].key, kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
	store_kvs_free(kvs, n);
	return store_watch(iam->store, IAM_DENY_PREFIX, rev, on_deny_event, iam, &iam->deny_watch);
}

void iam_deny_free(struct iam *iam)
{
	size_t pos = 0;
	void *v;

	store_unwatch(iam->deny_watch);
	iam->deny_watch = NULL;
	while (iam->deny && hmap_next(iam->deny, &pos, NULL, &v)) {
		struct dset *s = v;

		for (size_t k = 0; k < s->n; k++)
			dpolicy_free(s->p[k]);
		free(s->p);
		free(s);
	}
	hmap_free(iam->deny);
	iam->deny = NULL;
}

json_t *iam_deny_policies_of(const struct iam *iam, const char *resource)
{
	const struct dset *s = iam && iam->deny && resource ? hmap_get(iam->deny, resource) : NULL;
	json_t *out = json_array();

	for (size_t k = 0; out && s && k < s->n; k++) {
		char *etag = iam_etag_of(s->p[k]->rev);

		if (!etag || json_array_append_new(
				     out, json_pack("{s:s, s:O, s:s}", "id", s->p[k]->id, "policy",
						    s->p[k]->stored, "etag", etag)) < 0) {
			free(etag);
			json_decref(out);
			return NULL;
		}
		free(etag);
	}
	return out;
}
