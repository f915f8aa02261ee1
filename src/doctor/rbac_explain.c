/*
 * rbac_explain.c - `gkeid doctor rbac`: why a user may or may not VERB a RESOURCE on a
 * GKE cluster, as GKE decides it: Kubernetes RBAC first (the bindings and roles are
 * listed through the Kubernetes API and evaluated here), then Google IAM with the
 * permission container.RESOURCE.VERB (the project's policy, the predefined roles from
 * the IAM API), and the cluster's own verdict from a SubjectAccessReview. On a denial it
 * prints both fixes: a kubectl Role/RoleBinding and the gcloud IAM binding. GKE's
 * verb-to-permission map and RBAC rule matching are the server's own pure modules
 * (kube/authz.c, kube/rbac_rule.c), not a second copy.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "doctor/doctor.h"
#include "kube/auth.h"
#include "kube/rbac.h"

struct target {
	char resource[200], sub[100], group[200], version[60], kind[200];
	int namespaced;
};

/* Looks for the resource in one discovery document (APIResourceList). */
static int find_in(const json_t *list, struct target *t)
{
	size_t i;
	json_t *res;
	json_array_foreach(json_object_get(list, "resources"), i, res)
	{
		const char *n = dr_jstr(res, "name", NULL);
		const char *k = dr_jstr(res, "kind", NULL);
		if (!n || !k || strcmp(n, t->resource) != 0 || SFMT(t->kind, "%s", k) != 0)
			continue;
		t->namespaced = json_is_true(json_object_get(res, "namespaced"));
		return 1;
	}
	return 0;
}

/* Resolves group, version, kind and scope through discovery (/api/v1, /apis). */
static int resolve(struct dr_ctx *c, struct target *t, int group_given, struct dr_buf *ev)
{
	struct dr_resp s;
	if (!group_given || !t->group[0]) {
		dr_kube(c, "GET", "/api/v1", NULL, &s);
		if (s.status == 200 && find_in(s.json, t)) {
			t->group[0] = '\0';
			snprintf(t->version, sizeof(t->version), "v1");
			dr_buf_printf(ev, "GET %s: %s is core/v1 %s (%s)", s.url, t->resource,
				      t->kind, t->namespaced ? "namespaced" : "cluster-scoped");
			dr_resp_free(&s);
			return 0;
		}
		dr_resp_free(&s);
		if (group_given)
			return -ENOENT;
	}
	dr_kube(c, "GET", "/apis", NULL, &s);
	if (s.status != 200) {
		char brief[800];
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(ev, "GET %s: %s", s.url, brief);
		dr_resp_free(&s);
		return -EIO;
	}
	size_t i;
	json_t *g;
	int found = -ENOENT;
	json_array_foreach(json_object_get(s.json, "groups"), i, g)
	{
		const char *name = dr_jstr(g, "name", NULL);
		const char *gv = dr_jstr(g, "preferredVersion", "groupVersion", NULL);
		const char *v = gv ? strchr(gv, '/') : NULL;
		if (!name || !gv || strlen(gv) > 300 || strchr(gv, '?') || strstr(gv, "..") ||
		    strlen(name) >= sizeof(t->group) ||
		    strlen(v ? v + 1 : gv) >= sizeof(t->version))
			continue;
		if (group_given && strcmp(name, t->group) != 0)
			continue;
		char path[400];
		struct dr_resp d;
		if (DR_PATH(&d, path, "/apis/%s", gv) == 0)
			dr_kube(c, "GET", path, NULL, &d);
		if (d.status == 200 && find_in(d.json, t)) {
			SFMT(t->group, "%s", name); /* both fit: see above */
			SFMT(t->version, "%s", v ? v + 1 : gv);
			dr_buf_printf(ev, "GET %s: %s is %s %s (%s)", d.url, t->resource, gv,
				      t->kind, t->namespaced ? "namespaced" : "cluster-scoped");
			found = 0;
		}
		dr_resp_free(&d);
		if (found == 0)
			break;
	}
	dr_resp_free(&s);
	return found;
}

static int has_str(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		const char *x = json_string_value(v);
		if (x && strcmp(x, s) == 0)
			return 1;
	}
	return 0;
}

/* The request as the server's rule modules take it (kube/kube.h). 0, or -EINVAL when a
 * field does not fit. */
static int attrs_of(struct kube_attrs *a, const char *verb, const char *group, const char *resource,
		    const char *sub, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->resource_request = 1;
	if (SFMT(a->verb, "%s", verb) < 0 || SFMT(a->group, "%s", group) < 0 ||
	    SFMT(a->resource, "%s", resource) < 0 || SFMT(a->subresource, "%s", sub) < 0 ||
	    SFMT(a->name, "%s", name ? name : "") < 0)
		return -EINVAL;
	return 0;
}

/* GKE's permission for the request: the server's own mapping (kube/authz.c), so that the
 * doctor and the server never disagree (issue 12 §7). kind is no longer needed (the
 * server knows its resources). */
int dr_iam_permission(const char *group, const char *resource, const char *kind, const char *sub,
		      const char *verb, char *out, size_t len)
{
	struct kube_attrs a;
	char perm[256];

	(void)kind;
	if (!*resource || !*verb || attrs_of(&a, verb, group, resource, sub, NULL) < 0 ||
	    authz_iam_permission(&a, perm, sizeof(perm)) < 0)
		return -EINVAL;
	return sfmt(out, len, "%s", perm) < 0 ? -E2BIG : 0;
}

/* RBAC rule matching: the server's (kube/rbac_rule.c, upstream's RuleAllows). */
int dr_rbac_rule_allows(const json_t *rule, const char *verb, const char *group,
			const char *resource, const char *sub, const char *name)
{
	struct kube_attrs a;

	return attrs_of(&a, verb, group, resource, sub, name) == 0 && rbac_rule_allows(rule, &a);
}

static int rule_allows(const json_t *rule, const char *verb, const struct target *t,
		       const char *name)
{
	return dr_rbac_rule_allows(rule, verb, t->group, t->resource, t->sub, name);
}

static int subject_matches(const json_t *binding, const struct dr_rbac_opts *o, const char *bns)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(binding, "subjects"), i, s)
	{
		const char *kind = dr_jstr(s, "kind", NULL), *name = dr_jstr(s, "name", NULL);
		if (!kind || !name)
			continue;
		if (!strcmp(kind, "User") && !strcmp(name, o->user))
			return 1;
		if (!strcmp(kind, "Group")) {
			if (!strcmp(name, "system:authenticated"))
				return 1;
			for (size_t g = 0; g < o->ngroups; g++)
				if (!strcmp(name, o->groups[g]))
					return 1;
		}
		if (!strcmp(kind, "ServiceAccount")) {
			const char *sns = dr_jstr(s, "namespace", NULL);
			char want[600];
			if (SFMT(want, "system:serviceaccount:%s:%s",
				 sns && *sns ? sns : (bns ? bns : ""), name) == 0 &&
			    !strcmp(want, o->user))
				return 1;
		}
	}
	return 0;
}

static json_t *by_name(const json_t *list, const char *name)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(list, "items"), i, x)
	{
		const char *n = dr_jstr(x, "metadata", "name", NULL);
		if (n && strcmp(n, name) == 0)
			return x;
	}
	return NULL;
}

/* Does the role (with a ClusterRole's aggregation) allow the request? */
static int role_allows(const json_t *role, const json_t *clusterroles, const char *verb,
		       const struct target *t, const char *name)
{
	size_t i, j;
	json_t *rule, *sel, *cr;
	json_array_foreach(json_object_get(role, "rules"), i, rule)
	{
		if (rule_allows(rule, verb, t, name))
			return 1;
	}
	json_array_foreach(dr_jpath(role, "aggregationRule", "clusterRoleSelectors", NULL), i, sel)
	{
		json_array_foreach(json_object_get(clusterroles, "items"), j, cr)
		{
			if (cr == role ||
			    netpol_selector_matches(sel,
						    dr_jpath(cr, "metadata", "labels", NULL)) != 1)
				continue;
			size_t k;
			json_array_foreach(json_object_get(cr, "rules"), k, rule)
			{
				if (rule_allows(rule, verb, t, name))
					return 1;
			}
		}
	}
	return 0;
}

static json_t *kube_list(struct dr_ctx *c, const char *path, struct dr_buf *ev, int *failed)
{
	struct dr_resp s;
	dr_kube(c, "GET", path, NULL, &s);
	if (s.status != 200) {
		char brief[800];
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(ev, "%sGET %s: %s", ev->len ? "; " : "", s.url, brief);
		*failed = 1;
		dr_resp_free(&s);
		return NULL;
	}
	dr_buf_printf(ev, "%sGET %s: %zu", ev->len ? "; " : "", s.url,
		      json_array_size(json_object_get(s.json, "items")));
	json_t *j = json_incref(s.json);
	dr_resp_free(&s);
	return j;
}

/* The bindings that grant the request, into granted ("kind/name -> role"). */
static int rbac_eval(struct dr_ctx *c, const struct dr_rbac_opts *o, const struct target *t,
		     const char *ns, struct dr_buf *ev, struct dr_buf *granted)
{
	int failed = 0, n = 0;
	char path[600], ens[300];
	json_t *crb =
		kube_list(c, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", ev, &failed);
	json_t *cr = kube_list(c, "/apis/rbac.authorization.k8s.io/v1/clusterroles", ev, &failed);
	json_t *rb = NULL, *ro = NULL;
	if (ns && dr_urlenc(ns, ens, sizeof(ens)) == 0) {
		if (SFMT(path, "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings",
			 ens) == 0)
			rb = kube_list(c, path, ev, &failed);
		else
			failed = 1;
		if (SFMT(path, "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/roles", ens) == 0)
			ro = kube_list(c, path, ev, &failed);
		else
			failed = 1;
	}
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(crb, "items"), i, b)
	{
		const char *rn = dr_jstr(b, "roleRef", "name", NULL);
		const json_t *role = rn ? by_name(cr, rn) : NULL;
		if (role && subject_matches(b, o, NULL) &&
		    role_allows(role, cr, o->verb, t, o->name)) {
			dr_buf_printf(granted, "%sClusterRoleBinding %s -> ClusterRole %s",
				      n++ ? ", " : "", dr_jstr(b, "metadata", "name", NULL), rn);
		}
	}
	json_array_foreach(json_object_get(rb, "items"), i, b)
	{
		const char *rk = dr_jstr(b, "roleRef", "kind", NULL);
		const char *rn = dr_jstr(b, "roleRef", "name", NULL);
		if (!rk || !rn)
			continue;
		const json_t *role = !strcmp(rk, "ClusterRole") ? by_name(cr, rn) : by_name(ro, rn);
		if (role && subject_matches(b, o, ns) && role_allows(role, cr, o->verb, t, o->name))
			dr_buf_printf(granted, "%sRoleBinding %s/%s -> %s %s", n++ ? ", " : "", ns,
				      dr_jstr(b, "metadata", "name", NULL), rk, rn);
	}
	json_decref(crb);
	json_decref(cr);
	json_decref(rb);
	json_decref(ro);
	return failed ? -EIO : n;
}

/* Every predefined role (paginated), as the IAM API lists them with view=FULL. */
json_t *dr_all_roles(struct dr_ctx *c, struct dr_buf *ev)
{
	json_t *out = json_array();
	char path[1400], tok[1000] = "", etok[1100];
	for (int page = 0; out && page < 100; page++) {
		struct dr_resp s;
		if (tok[0] && dr_urlenc(tok, etok, sizeof(etok)))
			break;
		if (DR_PATH(&s, path, "v1/roles?view=FULL&pageSize=1000%s%s",
			    tok[0] ? "&pageToken=" : "", tok[0] ? etok : "") == 0)
			dr_google(c, "iam", "GET", path, NULL, NULL, NULL, &s);
		if (s.status != 200) {
			char brief[800];
			dr_resp_brief(&s, brief, sizeof(brief));
			dr_buf_printf(ev, "%sGET %s: %s", ev->len ? "; " : "", s.url, brief);
			dr_resp_free(&s);
			break;
		}
		json_array_extend(out, json_object_get(s.json, "roles"));
		if (page == 0)
			dr_buf_printf(ev, "%sGET %s (and further pages)", ev->len ? "; " : "",
				      s.url);
		const char *nx = dr_jstr(s.json, "nextPageToken", NULL);
		if (!nx || !*nx || strlen(nx) >= sizeof(tok)) {
			dr_resp_free(&s);
			break;
		}
		snprintf(tok, sizeof(tok), "%s", nx);
		dr_resp_free(&s);
	}
	return out;
}

/* A custom role (projects/P/roles/R or organizations/O/roles/R): does it include perm? */
static int custom_role_has(struct dr_ctx *c, const char *name, const char *perm, struct dr_buf *ev)
{
	char path[600];
	struct dr_resp s;
	if ((strncmp(name, "projects/", 9) != 0 && strncmp(name, "organizations/", 14) != 0) ||
	    strlen(name) > 400 || strstr(name, "..") || strpbrk(name, "?#% "))
		return 0;
	if (DR_PATH(&s, path, "v1/%s", name) == 0)
		dr_google(c, "iam", "GET", path, NULL, NULL, NULL, &s);
	int has = s.status == 200 && has_str(json_object_get(s.json, "includedPermissions"), perm);
	dr_buf_printf(ev, "%sGET %s: %ld%s", ev->len ? "; " : "", s.url, s.status,
		      has ? ", includes it" : "");
	dr_resp_free(&s);
	return has;
}

static void sanitize(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 1 < len; in++) {
		char ch = (char)tolower((unsigned char)*in);
		out[o++] = isalnum((unsigned char)ch) || ch == '-' || ch == '.' ? ch : '-';
	}
	out[o] = '\0';
}

/* RESOURCE[.GROUP][/SUB] into t (the resource lower-cased); *group_given says whether a
 * group was named. 0, or -ENAMETOOLONG with err set when a part does not fit. */
static int parse_spec(const char *resource, struct target *t, int *group_given, char *err,
		      size_t errlen)
{
	char spec[400];
	int rc = SFMT(spec, "%s", resource);
	char *slash = rc ? NULL : strchr(spec, '/');
	if (slash) {
		*slash = '\0';
		rc = SFMT(t->sub, "%s", slash + 1);
	}
	char *dot = rc ? NULL : strchr(spec, '.');
	if (dot) {
		*dot = '\0';
		rc = SFMT(t->group, "%s", dot + 1);
	}
	if (!rc)
		rc = strlen(spec) > 150 ? -ENAMETOOLONG : SFMT(t->resource, "%s", spec);
	if (rc) {
		snprintf(err, errlen,
			 "--resource \"%.80s...\" is too long (at most 150 bytes of resource, "
			 "%zu of group, %zu of subresource)",
			 resource, sizeof(t->group) - 1, sizeof(t->sub) - 1);
		return rc;
	}
	for (char *p = t->resource; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*group_given = dot != NULL;
	return 0;
}

/* The IAM side of one request: the member, what the project's policy and the Policy
 * Troubleshooter say of the permission, and the roles that would grant it. */
struct iam_side {
	char member[600], best[200];
	size_t ngrant;
	int ok;
	struct dr_buf ev, grant_roles;
	json_t *ts;
};

/* The predefined roles that grant perm into s->grant_roles (six at most, its own
 * service's first: roles/container.* for container.roles.list; with Google's whole
 * catalogue, the others (Composer's service agent, ...) are rarely the role a reader is
 * after), and into s->best the narrowest Kubernetes Engine role a person is meant to
 * hold. */
static void roles_granting(const json_t *roles, const char *perm, struct iam_side *s)
{
	size_t i, best_n = (size_t)-1;
	json_t *role;
	char own[80];
	int own_len = snprintf(own, sizeof(own), "roles/%.*s.", (int)strcspn(perm, "."), perm);
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(roles, i, role)
		{
			const char *rn = dr_jstr(role, "name", NULL);
			if (!rn || !has_str(json_object_get(role, "includedPermissions"), perm) ||
			    (strncmp(rn, own, (size_t)own_len) == 0) != (pass == 0))
				continue;
			if (s->ngrant < 6)
				dr_buf_printf(&s->grant_roles, "%s%s", s->ngrant ? ", " : "", rn);
			s->ngrant++;
		}
	json_array_foreach(roles, i, role)
	{
		const char *rn = dr_jstr(role, "name", NULL);
		json_t *perms = json_object_get(role, "includedPermissions");
		if (!rn || !has_str(perms, perm))
			continue;
		if (!strncmp(rn, "roles/container.", 16) && !strstr(rn, "ServiceAgent") &&
		    !strstr(rn, "serviceAgent") && !strstr(rn, "ServiceAccount") &&
		    json_array_size(perms) < best_n && strlen(rn) < sizeof(s->best)) {
			snprintf(s->best, sizeof(s->best), "%s", rn);
			best_n = json_array_size(perms);
		}
	}
}

/* One binding of the project's policy that names the member: does its role grant perm
 * (a predefined role from the catalogue, else a custom role read from the IAM API)? */
static int binding_grants(struct dr_ctx *c, const json_t *roles, const char *rn, const char *perm,
			  int ok, struct dr_buf *ev)
{
	json_t *def = NULL, *x;
	size_t k;
	json_array_foreach(roles, k, x)
	{
		const char *xn = dr_jstr(x, "name", NULL);
		if (xn && !strcmp(xn, rn))
			def = x;
	}
	if (def && has_str(json_object_get(def, "includedPermissions"), perm))
		return 1;
	return !def && !ok && custom_role_has(c, rn, perm, ev);
}

/* The project's allow policy: the roles s->member holds, and whether one grants perm. */
static void policy_held(struct dr_ctx *c, const json_t *roles, const char *perm, struct iam_side *s)
{
	char ppath[600];
	struct dr_resp r;
	struct dr_buf held = {0};
	if (DR_PATH(&r, ppath, "v1/projects/%s:getIamPolicy", c->project) == 0)
		dr_google(c, "cloudresourcemanager", "POST", ppath, "application/json",
			  "{\"options\":{\"requestedPolicyVersion\":3}}", NULL, &r);
	if (r.status == 200) {
		json_t *bd;
		size_t i, nb = 0;
		json_array_foreach(json_object_get(r.json, "bindings"), i, bd)
		{
			const char *rn = dr_jstr(bd, "role", NULL);
			json_t *mem = json_object_get(bd, "members");
			if (!rn || json_object_get(bd, "condition") ||
			    !(has_str(mem, s->member) || has_str(mem, "allAuthenticatedUsers")))
				continue;
			dr_buf_printf(&held, "%s%s", nb++ ? ", " : "", rn);
			if (binding_grants(c, roles, rn, perm, s->ok, &s->ev))
				s->ok = 1;
		}
		dr_buf_printf(&s->ev, "; POST %s: %s holds %s", r.url, s->member,
			      held.len ? dr_buf_str(&held) : "no role");
	} else {
		char brief[800];
		dr_resp_brief(&r, brief, sizeof(brief));
		dr_buf_printf(&s->ev, "; POST %s: %s", r.url, brief);
	}
	dr_resp_free(&r);
	dr_buf_free(&held);
}

/* 2. IAM: the catalogue, the project's policy, then the verdict of the server's Policy
 * Troubleshooter (conditions, custom roles, ancestors and deny policies included); the
 * policy read stays the evidence, and the verdict when no troubleshooter answers. */
static void iam_eval(struct dr_ctx *c, const struct dr_rbac_opts *o, const char *perm,
		     struct iam_side *s)
{
	int is_sa = strstr(o->user, ".gserviceaccount.com") != NULL;
	snprintf(s->member, sizeof(s->member), "%s:%s", is_sa ? "serviceAccount" : "user", o->user);
	json_t *roles = dr_all_roles(c, &s->ev);
	roles_granting(roles, perm, s);
	policy_held(c, roles, perm, s);
	dr_buf_printf(&s->ev, "; predefined roles with %s: %s%s", perm,
		      s->ngrant ? dr_buf_str(&s->grant_roles) : "none",
		      s->ngrant > 6 ? ", ..." : "");
	json_decref(roles);
	char full[DR_NAME_MAX + 64];
	if (SFMT(full, "//cloudresourcemanager.googleapis.com/projects/%s", c->project) == 0 &&
	    dr_troubleshoot(c, o->user, full, perm, &s->ts, &s->ev) == 0)
		s->ok = !strcmp(dr_jstr(s->ts, "overallAccessState", NULL) ?: "", "CAN_ACCESS");
}

/* The names a kubectl fix uses: the --resource argument, the role's and the binding's. */
struct fix_names {
	char rarg[600], rname[400], bname[600];
};

static void fix_names_of(const struct dr_rbac_opts *o, const struct target *t, struct fix_names *f)
{
	char uname[200];
	sanitize(t->sub[0] ? t->sub : "", uname, sizeof(uname));
	snprintf(f->rarg, sizeof(f->rarg), "%s%s%s%s%s", t->resource, t->group[0] ? "." : "",
		 t->group, t->sub[0] ? "/" : "", t->sub);
	snprintf(f->rname, sizeof(f->rname), "%.150s%s%.50s-%.60s", t->resource,
		 t->sub[0] ? "-" : "", uname, o->verb);
	snprintf(uname, sizeof(uname), "%.*s", (int)strcspn(o->user, "@"), o->user);
	sanitize(uname, uname, sizeof(uname));
	snprintf(f->bname, sizeof(f->bname), "%s-%.100s", f->rname, uname);
}

/* The rbac check: n bindings grant it (granted names them), 0 none, < 0 unreadable. */
static void report_rbac(struct dr_report *r, const struct dr_rbac_opts *o, const char *ns, int n,
			int iam_ok, const struct fix_names *f, struct dr_buf *ev,
			const struct dr_buf *granted)
{
	char title[1500];
	struct dr_buf fix = {0};
	if (n > 0) {
		dr_buf_printf(ev, "; granted by %s", dr_buf_str(granted));
		snprintf(title, sizeof(title), "RBAC allows %s to %s %s%s%s", o->user, o->verb,
			 f->rarg, ns ? " in namespace " : "", ns ? ns : "");
		dr_add_buf(r, "rbac", DR_PASS, title, ev, NULL);
		return;
	}
	if (n == 0)
		dr_buf_printf(ev, "; no binding of %s grants it", o->user);
	snprintf(title, sizeof(title), "no RBAC binding allows %s to %s %s%s%s", o->user, o->verb,
		 f->rarg, ns ? " in namespace " : " at the cluster scope", ns ? ns : "");
	if (ns)
		dr_buf_printf(&fix,
			      "kubectl create role %s --verb=%s --resource=%s -n %s\n"
			      "kubectl create rolebinding %s --role=%s --user=%s -n %s",
			      f->rname, o->verb, f->rarg, ns, f->bname, f->rname, o->user, ns);
	else
		dr_buf_printf(&fix,
			      "kubectl create clusterrole %s --verb=%s --resource=%s\n"
			      "kubectl create clusterrolebinding %s --clusterrole=%s "
			      "--user=%s",
			      f->rname, o->verb, f->rarg, f->bname, f->rname, o->user);
	dr_add_buf(r, "rbac", iam_ok ? DR_SKIP : DR_FAIL, title, ev, iam_ok ? NULL : &fix);
	dr_buf_free(&fix);
}

/* The iam check: a pass, or the gcloud binding of the narrowest role that grants perm. */
static void report_iam(struct dr_report *r, const struct dr_ctx *c, const char *perm, int n,
		       struct iam_side *s)
{
	char title[1500];
	struct dr_buf fix = {0};
	if (s->ok) {
		snprintf(title, sizeof(title), "IAM grants %s on project %s to %s", perm,
			 c->project, s->member);
		dr_add_buf(r, "iam", DR_PASS, title, &s->ev, NULL);
		return;
	}
	snprintf(title, sizeof(title), "%s lacks %s on project %s", s->member, perm, c->project);
	if (s->best[0])
		dr_buf_printf(&fix,
			      "gcloud projects add-iam-policy-binding %s --member=%s "
			      "--role=%s --condition=None",
			      c->project, s->member, s->best);
	dr_add_buf(r, "iam", n > 0 ? DR_SKIP : DR_FAIL, title, &s->ev, n > 0 ? NULL : &fix);
	dr_buf_free(&fix);
}

/* The SubjectAccessReview that asks the cluster the same question (new object, NULL
 * when out of memory). */
static json_t *sar_of(const struct dr_rbac_opts *o, const struct target *t, const char *ns)
{
	json_t *ra = json_pack("{s:s, s:s, s:s, s:s}", "verb", o->verb, "group", t->group,
			       "resource", t->resource, "version", t->version);
	if (ra && t->sub[0])
		json_object_set_new(ra, "subresource", json_string(t->sub));
	if (ra && ns)
		json_object_set_new(ra, "namespace", json_string(ns));
	if (ra && o->name)
		json_object_set_new(ra, "name", json_string(o->name));
	json_t *groups = json_array();
	if (groups) {
		json_array_append_new(groups, json_string("system:authenticated"));
		for (size_t g = 0; g < o->ngroups; g++)
			json_array_append_new(groups, json_string(o->groups[g]));
	}
	json_t *sar = ra && groups ? json_pack("{s:s, s:s, s:{s:s, s:O, s:O}}", "apiVersion",
					       "authorization.k8s.io/v1", "kind",
					       "SubjectAccessReview", "spec", "user", o->user,
					       "groups", groups, "resourceAttributes", ra)
				   : NULL;
	json_decref(ra);
	json_decref(groups);
	return sar;
}

/* 3. The cluster's own verdict, from a SubjectAccessReview. */
static int cluster_verdict(struct dr_ctx *c, const struct dr_rbac_opts *o, const struct target *t,
			   const char *ns, const char *perm, const char *rarg, struct dr_report *r,
			   char *err, size_t errlen)
{
	char title[1500];
	struct dr_buf ev = {0};
	struct dr_resp s;
	json_t *sar = sar_of(o, t, ns);
	if (!sar) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	dr_kube(c, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar, &s);
	json_decref(sar);
	if (s.status != 201 && s.status != 200) {
		char brief[800];
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(&ev, "POST %s: %s", s.url, brief);
		dr_add_buf(r, "access", DR_SKIP, "the cluster's own verdict cannot be read", &ev,
			   NULL);
	} else {
		int allowed = json_is_true(dr_jpath(s.json, "status", "allowed", NULL));
		const char *reason = dr_jstr(s.json, "status", "reason", NULL);
		dr_buf_printf(&ev, "POST %s: allowed=%s%s%s", s.url, allowed ? "true" : "false",
			      reason && *reason ? ", reason: " : "", reason ? reason : "");
		if (allowed)
			snprintf(title, sizeof(title), "the cluster allows %s to %s %s", o->user,
				 o->verb, rarg);
		else
			snprintf(title, sizeof(title),
				 "the cluster denies it: User \"%s\" cannot %s resource \"%s%s%s\" "
				 "in "
				 "API group \"%s\" %s%s%s: requires one of [\"%s\"] permission(s).",
				 o->user, o->verb, t->resource, t->sub[0] ? "/" : "", t->sub,
				 t->group, ns ? "in the namespace \"" : "at the cluster scope",
				 ns ? ns : "", ns ? "\"" : "", perm);
		dr_add_buf(r, "access", allowed ? DR_PASS : DR_FAIL, title, &ev, NULL);
	}
	dr_resp_free(&s);
	return 0;
}

int dr_run_rbac(struct dr_ctx *c, const struct dr_rbac_opts *o, struct dr_report *r, char *err,
		size_t errlen)
{
	struct target t;
	struct dr_buf ev = {0}, granted = {0};
	struct iam_side iam = {0};
	struct fix_names f;
	char perm[500], title[1500];
	int group_given, rc;
	memset(&t, 0, sizeof(t));
	if (!c->kube_ok) {
		snprintf(err, errlen, "the cluster's control plane does not answer: %s",
			 c->kube_err);
		return -EIO;
	}
	if ((rc = parse_spec(o->resource, &t, &group_given, err, errlen)) != 0)
		return rc;
	if (resolve(c, &t, group_given, &ev) != 0) {
		snprintf(title, sizeof(title), "the cluster serves no resource \"%s\"",
			 o->resource);
		dr_add_buf(r, "resource", DR_FAIL, title, &ev, NULL);
		return 0;
	}
	const char *ns = t.namespaced ? o->ns : NULL;
	if (dr_iam_permission(t.group, t.resource, t.kind, t.sub, o->verb, perm, sizeof(perm)))
		snprintf(perm, sizeof(perm), "container.thirdPartyObjects.%s", o->verb);
	snprintf(title, sizeof(title), "%s %s%s%s%s%s is IAM permission %s", o->verb, t.resource,
		 t.sub[0] ? "/" : "", t.sub, t.group[0] ? " in API group " : "", t.group, perm);
	dr_add_buf(r, "resource", DR_PASS, title, &ev, NULL);

	/* 1. RBAC */
	int n = rbac_eval(c, o, &t, ns, &ev, &granted);
	iam_eval(c, o, perm, &iam);
	fix_names_of(o, &t, &f);
	report_rbac(r, o, ns, n, iam.ok, &f, &ev, &granted);
	report_iam(r, c, perm, n, &iam);
	if (o->explain && iam.ts)
		dr_add_deny_layer(r, iam.ts, o->user, perm);
	json_decref(iam.ts);
	dr_buf_free(&iam.grant_roles);
	dr_buf_free(&granted);
	return cluster_verdict(c, o, &t, ns, perm, f.rarg, r, err, errlen);
}
