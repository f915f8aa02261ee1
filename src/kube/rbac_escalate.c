/*
 * rbac_escalate.c - escalation prevention for writes of Roles, ClusterRoles and their
 * bindings, as kube-apiserver's registry/rbac does (validation/rule.go:
 * ConfirmNoEscalation, Covers; escalation_check.go; the bind and escalate verbs), with
 * upstream's Forbidden texts.
 */
#include "kube/rbac.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "core/dbuf.h"
#include "core/embed.h"
#include "core/hmap.h"
#include "core/store.h"
#include "kube/rbac_impl.h"
#include "kube/util.h"

/* ---- escalation (registry/rbac/validation/rule.go) ---- */

/* A broken-down rule: one group/resource/verb (and name), or one URL and verb. */
struct simple {
	const char *group, *resource, *verb, *name, *url;
};

static void breakdown(const struct crule *r, struct simple **out, size_t *n, size_t *cap, int *oom)
{
#define PUSH(G, R, V, N, U)                                                                        \
	do {                                                                                       \
		if (*n == *cap) {                                                                  \
			size_t c = *cap ? *cap * 2 : 32;                                           \
			struct simple *p = realloc(*out, c * sizeof(*p));                          \
			if (!p) {                                                                  \
				*oom = 1;                                                          \
				return;                                                            \
			}                                                                          \
			*out = p;                                                                  \
			*cap = c;                                                                  \
		}                                                                                  \
		(*out)[*n].group = (G);                                                            \
		(*out)[*n].resource = (R);                                                         \
		(*out)[*n].verb = (V);                                                             \
		(*out)[*n].name = (N);                                                             \
		(*out)[*n].url = (U);                                                              \
		(*n)++;                                                                            \
	} while (0)
	for (size_t g = 0; g < r->n_groups; g++)
		for (size_t res = 0; res < r->n_resources; res++)
			for (size_t v = 0; v < r->n_verbs; v++) {
				if (r->n_names) {
					for (size_t k = 0; k < r->n_names; k++)
						PUSH(r->groups[g], r->resources[res], r->verbs[v],
						     r->names[k], NULL);
				} else {
					PUSH(r->groups[g], r->resources[res], r->verbs[v], NULL,
					     NULL);
				}
			}
	for (size_t u = 0; u < r->n_urls; u++)
		for (size_t v = 0; v < r->n_verbs; v++)
			PUSH(NULL, NULL, r->verbs[v], NULL, r->urls[u]);
#undef PUSH
}

/* ruleCovers(owner, subrule) for a broken-down subrule */
static int rule_covers(const struct crule *o, const struct simple *s)
{
	if (!(rbac_has(o->verbs, o->n_verbs, "*") || rbac_has(o->verbs, o->n_verbs, s->verb)))
		return 0;
	if (s->url) {
		/* the subrule has no groups or resources: hasAll(x, []) is true */
		int covered = 0;
		for (size_t i = 0; i < o->n_urls && !covered; i++) {
			const char *u = o->urls[i];
			size_t ul = strlen(u);
			if (strcmp(u, s->url) == 0)
				covered = 1;
			else if (ul && u[ul - 1] == '*') {
				while (ul > 0 && u[ul - 1] == '*')
					ul--;
				covered = strncmp(s->url, u, ul) == 0;
			}
		}
		return covered && o->n_names == 0;
	}
	if (!(rbac_has(o->groups, o->n_groups, "*") || rbac_has(o->groups, o->n_groups, s->group)))
		return 0;
	/* resourceCoversAll */
	if (!rbac_has(o->resources, o->n_resources, "*") &&
	    !rbac_has(o->resources, o->n_resources, s->resource)) {
		const char *slash = strchr(s->resource, '/');
		char star[160];
		if (!slash)
			return 0;
		if (SFMT(star, "*/%s", slash + 1) < 0) /* not covered: fails closed */
			return 0;
		if (!rbac_has(o->resources, o->n_resources, star))
			return 0;
	}
	/* nonResourceURLsCoversAll(owner, []) is true */
	if (!s->name)
		return o->n_names == 0;
	return o->n_names == 0 || rbac_has(o->names, o->n_names, s->name);
}

static void go_quote_list(char *out, size_t len, size_t *pos, const char *const *v, size_t n)
{
	rbac_appendf(out, len, pos, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			rbac_appendf(out, len, pos, " ");
		rbac_appendq(out, len, pos, v[i]);
	}
	rbac_appendf(out, len, pos, "]");
}

/* rbacv1helpers.CompactString of a compacted rule */
static char *compact_string(const char *group, const char *resource, const char *name,
			    const char *url, const char *const *verbs, size_t n_verbs)
{
	char buf[4096];
	size_t pos = 0;
	int first = 1;
	rbac_appendf(buf, sizeof(buf), &pos, "{");
#define PART(label, arr, n)                                                                        \
	do {                                                                                       \
		if (!first)                                                                        \
			rbac_appendf(buf, sizeof(buf), &pos, ", ");                                \
		rbac_appendf(buf, sizeof(buf), &pos, label ":");                                   \
		go_quote_list(buf, sizeof(buf), &pos, arr, n);                                     \
		first = 0;                                                                         \
	} while (0)
	if (url) {
		PART("NonResourceURLs", &url, 1);
	} else {
		PART("APIGroups", &group, 1);
		PART("Resources", &resource, 1);
		if (name)
			PART("ResourceNames", &name, 1);
	}
	if (n_verbs)
		PART("Verbs", verbs, n_verbs);
#undef PART
	rbac_appendf(buf, sizeof(buf), &pos, "}");
	return strdup(buf);
}

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Covers(owner, servant) and, when not covered, the message lines (sorted, compacted as
 * CompactRules does: simple resource rules of the same group/resource/name merge their
 * verbs). Returns 1 covered, 0 not (with *missing, a malloc'd "\n"-joined list),
 * -ENOMEM. */
static int covers(const struct crule *owner, size_t n_owner, const struct crule *servant,
		  size_t n_servant, char **missing)
{
	struct simple *subs = NULL;
	size_t n = 0, cap = 0, i, j;
	int oom = 0, rc = -ENOMEM;
	char **lines = NULL;
	size_t n_lines = 0;
	int *done = NULL;
	const char **verbs = NULL;
	*missing = NULL;
	for (i = 0; i < n_servant && !oom; i++)
		breakdown(&servant[i], &subs, &n, &cap, &oom);
	if (oom)
		goto out;
	/* keep only the uncovered */
	size_t m = 0;
	for (i = 0; i < n; i++) {
		int ok = 0;
		for (j = 0; j < n_owner && !ok; j++)
			ok = rule_covers(&owner[j], &subs[i]);
		if (!ok)
			subs[m++] = subs[i];
	}
	if (m == 0) {
		rc = 1;
		goto out;
	}
	lines = calloc(m, sizeof(*lines));
	done = calloc(m, sizeof(*done));
	verbs = calloc(m, sizeof(*verbs));
	if (!lines || !done || !verbs)
		goto out;
	for (i = 0; i < m; i++) {
		size_t nv = 0;
		if (done[i])
			continue;
		if (subs[i].url) {
			/* not a simple resource rule: stays as is */
			verbs[0] = subs[i].verb;
			lines[n_lines] = compact_string(NULL, NULL, NULL, subs[i].url, verbs, 1);
			if (!lines[n_lines++])
				goto out;
			continue;
		}
		for (j = i; j < m; j++) {
			if (done[j] || subs[j].url || !same_str(subs[j].group, subs[i].group) ||
			    !same_str(subs[j].resource, subs[i].resource) ||
			    !same_str(subs[j].name, subs[i].name))
				continue;
			done[j] = 1;
			if (!rbac_has(verbs, nv, subs[j].verb))
				verbs[nv++] = subs[j].verb;
		}
		lines[n_lines] = compact_string(subs[i].group, subs[i].resource, subs[i].name, NULL,
						verbs, nv);
		if (!lines[n_lines++])
			goto out;
	}
	qsort(lines, n_lines, sizeof(*lines), rbac_cmp_str_ptr);
	size_t total = 1;
	for (i = 0; i < n_lines; i++)
		total += strlen(lines[i]) + 1;
	*missing = malloc(total);
	if (!*missing)
		goto out;
	size_t pos = 0;
	for (i = 0; i < n_lines; i++) {
		/* sets.NewString: duplicates collapse */
		if (i && strcmp(lines[i], lines[i - 1]) == 0)
			continue;
		pos += (size_t)sprintf(*missing + pos, "%s%s", pos ? "\n" : "", lines[i]);
	}
	rc = 0;
out:
	for (i = 0; lines && i < n_lines; i++)
		free(lines[i]);
	free(lines);
	free(done);
	free(verbs);
	free(subs);
	return rc;
}

static int is_master(const struct kube_user *u)
{
	for (size_t i = 0; i < u->n_groups && i < KUBE_MAX_GROUPS; i++)
		if (strcmp(u->groups[i], "system:masters") == 0)
			return 1;
	return 0;
}

/* Go's %q of a []string */
static void groups_q(const struct kube_user *u, char *out, size_t len, size_t *pos)
{
	rbac_appendf(out, len, pos, "[");
	for (size_t i = 0; i < u->n_groups && i < KUBE_MAX_GROUPS; i++) {
		if (i)
			rbac_appendf(out, len, pos, " ");
		rbac_appendq(out, len, pos, u->groups[i]);
	}
	rbac_appendf(out, len, pos, "]");
}

/* ConfirmNoEscalation: u's rules in ns cover rules. 0, or -EPERM with the text after
 * "is forbidden: " in msg. */
static int confirm_no_escalation(struct rbac_index *ix, const struct kube_user *u, const char *ns,
				 const struct crule *rules, size_t n_rules, char *msg, size_t len)
{
	char errs[2048] = "";
	json_t *owner_json = rbac_collect_rules(ix, u, ns, errs, sizeof(errs));
	struct crule *owner = NULL;
	size_t n_owner = 0, pos = 0;
	char *missing = NULL;
	int rc = -ENOMEM;
	if (!owner_json)
		return -ENOMEM;
	if (rbac_crules_compile(owner_json, &owner, &n_owner) != 0)
		goto out;
	rc = covers(owner, n_owner, rules, n_rules, &missing);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		rc = 0;
		goto out;
	}
	rbac_appendf(msg, len, &pos, "user ");
	rbac_appendq(msg, len, &pos, u->name);
	rbac_appendf(msg, len, &pos, " (groups=");
	groups_q(u, msg, len, &pos);
	rbac_appendf(msg, len, &pos,
		     ") is attempting to grant RBAC permissions not currently held:\n%s", missing);
	if (errs[0])
		rbac_appendf(msg, len, &pos, "; resolution errors: [%s]", errs);
	rc = -EPERM;
out:
	free(missing);
	rbac_crules_free(owner, n_owner);
	json_decref(owner_json);
	return rc;
}

/* The full authorization chain for a synthetic request (escalate / bind). */
static int chain_allows(struct kube_cluster *cl, const struct kube_user *u, const char *verb,
			const char *resource, const char *ns, const char *name)
{
	struct kube_attrs a;
	char reason[512];
	memset(&a, 0, sizeof(a));
	a.resource_request = 1;
	/* attributes that do not fit are not allowed, never checked cut short */
	if (SFMT(a.verb, "%s", verb) < 0 || SFMT(a.group, RBAC_GROUP) < 0 ||
	    SFMT(a.version, "v1") < 0 || SFMT(a.resource, "%s", resource) < 0 ||
	    SFMT(a.namespace_, "%s", ns ? ns : "") < 0 || SFMT(a.name, "%s", name ? name : "") < 0)
		return 0;
	return kube_authorize(cl, u, &a, reason, sizeof(reason)) == KUBE_ALLOW;
}

/* The stored object (new reference) of kind ns/name, or NULL. */
static json_t *stored(struct rbac_index *ix, int kind, const char *ns, const char *name)
{
	char key[1200];
	int rc = (kind == KIND_ROLES || kind == KIND_ROLEBINDINGS)
			 ? SFMT(key, "%s%s/%s", ix->prefixes[kind], ns, name)
			 : SFMT(key, "%s%s", ix->prefixes[kind], name);
	return rc < 0 ? NULL : cloud_store_get_json(ix->store, key);
}

/* IsOnlyMutatingGCFields: old and new differ only in ownerReferences and finalizers
 * (and the fields the registry sets). */
static int only_gc_fields(const json_t *old, const json_t *nu)
{
	static const char *const skip[] = {"ownerReferences",  "finalizers", "resourceVersion",
					   "managedFields",    "generation", "uid",
					   "creationTimestamp"};
	json_t *a = json_deep_copy(old), *b = json_deep_copy(nu);
	int same = 0;
	if (a && b) {
		json_t *ma = json_object_get(a, "metadata"), *mb = json_object_get(b, "metadata");
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
			json_object_del(ma, skip[i]);
			json_object_del(mb, skip[i]);
		}
		json_object_del(a, "status");
		json_object_del(b, "status");
		same = json_equal(a, b);
	}
	json_decref(a);
	json_decref(b);
	return same;
}

static void forbidden_prefix(const char *resource, const char *name, char *msg, size_t len,
			     size_t *pos)
{
	rbac_appendf(msg, len, pos, "%s." RBAC_GROUP " ", resource);
	rbac_appendq(msg, len, pos, name);
	rbac_appendf(msg, len, pos, " is forbidden: ");
}

/* What a check is about: the object written and where the message goes. */
struct esc {
	struct kube_cluster *cl;
	struct rbac_index *ix;
	const struct kube_user *u;
	const char *resource, *name, *ns;
	const json_t *obj;
	char *msg;
	size_t len, pos;
	char detail[8192];
};

/* A Role or ClusterRole: u holds its rules or may escalate; an aggregationRule needs
 * cluster-admin. 0, -EPERM (e->msg set), -ENOMEM. */
static int check_role(struct esc *e, int kind, int exists)
{
	struct crule *rules = NULL;
	size_t n_rules = 0;
	/* RoleEscalationAuthorized: the request's name ("" for a create) */
	if (chain_allows(e->cl, e->u, "escalate", e->resource, e->ns, exists ? e->name : ""))
		return 0;
	int rc = rbac_crules_compile(json_object_get(e->obj, "rules"), &rules, &n_rules);
	if (rc != 0)
		return rc;
	rc = confirm_no_escalation(e->ix, e->u, e->ns, rules, n_rules, e->detail,
				   sizeof(e->detail));
	rbac_crules_free(rules, n_rules);
	if (rc == -EPERM) {
		forbidden_prefix(e->resource, e->name, e->msg, e->len, &e->pos);
		rbac_appendf(e->msg, e->len, &e->pos, "%s", e->detail);
	}
	if (rc != 0 || kind != KIND_CLUSTERROLES ||
	    !json_is_object(json_object_get(e->obj, "aggregationRule")))
		return rc;
	/* an aggregationRule can gather anything: requires * on *.* */
	json_t *full = json_pack("[{s:[s],s:[s],s:[s]},{s:[s],s:[s]}]", "verbs", "*", "apiGroups",
				 "*", "resources", "*", "verbs", "*", "nonResourceURLs", "*");
	struct crule *fr = NULL;
	size_t nf = 0;
	if (!full || rbac_crules_compile(full, &fr, &nf) != 0) {
		json_decref(full);
		return -ENOMEM;
	}
	rc = confirm_no_escalation(e->ix, e->u, "", fr, nf, e->detail, sizeof(e->detail));
	rbac_crules_free(fr, nf);
	json_decref(full);
	if (rc == -EPERM) {
		forbidden_prefix(e->resource, e->name, e->msg, e->len, &e->pos);
		rbac_appendf(e->msg, e->len, &e->pos,
			     "must have cluster-admin privileges to use the aggregationRule");
	}
	return rc;
}

/* A binding: u may bind its role or holds all of the role's rules. 0, -EPERM (e->msg
 * set), -ENOMEM. */
static int check_binding(struct esc *e, int kind)
{
	json_t *ref = json_object_get(e->obj, "roleRef");
	const char *rkind = kube_jstr(ref, "kind"), *rname = kube_jstr(ref, "name");
	int role_kind = strcmp(rkind, "ClusterRole") == 0 ? KIND_CLUSTERROLES
			: strcmp(rkind, "Role") == 0	  ? KIND_ROLES
							  : -1;
	if (role_kind == KIND_ROLES && kind == KIND_CLUSTERROLEBINDINGS)
		role_kind = -1;
	if (role_kind >= 0 &&
	    chain_allows(e->cl, e->u, "bind", rbac_kind_res[role_kind], e->ns, rname))
		return 0;
	struct role *r = NULL;
	if (role_kind == KIND_CLUSTERROLES) {
		r = hmap_get(e->ix->maps[KIND_CLUSTERROLES], rname);
	} else if (role_kind == KIND_ROLES) {
		char key[600];
		if (SFMT(key, "%s/%s", e->ns, rname) >= 0)
			r = hmap_get(e->ix->maps[KIND_ROLES], key);
	}
	if (!r) {
		forbidden_prefix(e->resource, e->name, e->msg, e->len, &e->pos);
		if (role_kind < 0) {
			rbac_appendf(e->msg, e->len, &e->pos, "unsupported role reference kind: ");
			rbac_appendq(e->msg, e->len, &e->pos, rkind);
		} else {
			rbac_appendf(e->msg, e->len, &e->pos, "%s." RBAC_GROUP " ",
				     rbac_kind_res[role_kind]);
			rbac_appendq(e->msg, e->len, &e->pos, rname);
			rbac_appendf(e->msg, e->len, &e->pos, " not found");
		}
		return -EPERM;
	}
	size_t n;
	const struct crule *rr = rbac_role_rules(e->ix, r, &n);
	int rc = confirm_no_escalation(e->ix, e->u, e->ns, rr, n, e->detail, sizeof(e->detail));
	if (rc == -EPERM) {
		forbidden_prefix(e->resource, e->name, e->msg, e->len, &e->pos);
		rbac_appendf(e->msg, e->len, &e->pos, "%s", e->detail);
	}
	return rc;
}

int rbac_check_escalation(struct kube_cluster *cl, const struct kube_user *u, const char *resource,
			  const json_t *new_obj, char *msg, size_t len)
{
	int kind = -1, rc = 0;
	json_t *old = NULL;
	if (len)
		msg[0] = '\0';
	for (int k = 0; k < N_KINDS; k++)
		if (resource && strcmp(resource, rbac_kind_res[k]) == 0)
			kind = k;
	if (kind < 0 || !json_is_object(new_obj) || !u || !cl) {
		snprintf(msg, len, "not an RBAC kind: %s", resource ? resource : "(null)");
		return -EINVAL;
	}
	/* system:masters may do anything (the API server's own loopback identity) */
	if (is_master(u))
		return 0;
	struct esc *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (!(e->ix = rbac_index_of(cl))) {
		snprintf(msg, len, "RBAC index unavailable");
		free(e);
		return -ENOMEM;
	}
	json_t *md = json_object_get(new_obj, "metadata");
	e->cl = cl;
	e->u = u;
	e->resource = resource;
	e->obj = new_obj;
	e->msg = msg;
	e->len = len;
	e->name = kube_jstr(md, "name");
	e->ns = (kind == KIND_ROLES || kind == KIND_ROLEBINDINGS) ? kube_jstr(md, "namespace") : "";
	old = stored(e->ix, kind, e->ns, e->name);
	if (old && only_gc_fields(old, new_obj))
		rc = 0;
	else if (kind == KIND_ROLES || kind == KIND_CLUSTERROLES)
		rc = check_role(e, kind, old != NULL);
	else
		rc = check_binding(e, kind);
	json_decref(old);
	free(e);
	return rc;
}
