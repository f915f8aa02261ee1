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
		if (!n || !k || strcmp(n, t->resource) != 0)
			continue;
		snprintf(t->kind, sizeof(t->kind), "%s", k);
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
		if (!name || !gv || strlen(gv) > 300 || strchr(gv, '?') || strstr(gv, ".."))
			continue;
		if (group_given && strcmp(name, t->group) != 0)
			continue;
		char path[400];
		struct dr_resp d;
		snprintf(path, sizeof(path), "/apis/%s", gv);
		dr_kube(c, "GET", path, NULL, &d);
		if (d.status == 200 && find_in(d.json, t)) {
			snprintf(t->group, sizeof(t->group), "%s", name);
			const char *v = strchr(gv, '/');
			snprintf(t->version, sizeof(t->version), "%s", v ? v + 1 : gv);
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
			snprintf(want, sizeof(want), "system:serviceaccount:%s:%s",
				 sns && *sns ? sns : (bns ? bns : ""), name);
			if (!strcmp(want, o->user))
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
		snprintf(path, sizeof(path),
			 "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings", ens);
		rb = kube_list(c, path, ev, &failed);
		snprintf(path, sizeof(path),
			 "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/roles", ens);
		ro = kube_list(c, path, ev, &failed);
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
		snprintf(path, sizeof(path), "v1/roles?view=FULL&pageSize=1000%s%s",
			 tok[0] ? "&pageToken=" : "", tok[0] ? etok : "");
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
	snprintf(path, sizeof(path), "v1/%s", name);
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

int dr_run_rbac(struct dr_ctx *c, const struct dr_rbac_opts *o, struct dr_report *r, char *err,
		size_t errlen)
{
	struct target t;
	struct dr_buf ev = {0}, fix = {0}, granted = {0};
	char perm[500], title[1500], member[600];
	memset(&t, 0, sizeof(t));
	if (!c->kube_ok) {
		snprintf(err, errlen, "the cluster's control plane does not answer: %s",
			 c->kube_err);
		return -EIO;
	}
	/* RESOURCE[.GROUP][/SUB] */
	char spec[400];
	snprintf(spec, sizeof(spec), "%s", o->resource);
	char *slash = strchr(spec, '/');
	if (slash) {
		*slash = '\0';
		snprintf(t.sub, sizeof(t.sub), "%s", slash + 1);
	}
	char *dot = strchr(spec, '.');
	if (dot) {
		*dot = '\0';
		snprintf(t.group, sizeof(t.group), "%s", dot + 1);
	}
	snprintf(t.resource, sizeof(t.resource), "%.150s", spec);
	for (char *p = t.resource; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	int rc = resolve(c, &t, dot != NULL, &ev);
	if (rc != 0) {
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
	/* 2. IAM */
	struct dr_buf iev = {0}, grant_roles = {0};
	int iam_ok = 0;
	char best[200] = "";
	size_t best_n = (size_t)-1;
	int is_sa = strstr(o->user, ".gserviceaccount.com") != NULL;
	snprintf(member, sizeof(member), "%s:%s", is_sa ? "serviceAccount" : "user", o->user);
	json_t *roles = dr_all_roles(c, &iev);
	size_t i, ngrant = 0;
	json_t *role;
	/* The roles that grant perm, its own service's first (roles/container.* for
	 * container.roles.list): with Google's whole catalogue, the others (Composer's
	 * service agent, ...) are rarely the role a reader is after. */
	char own[80];
	int own_len = snprintf(own, sizeof(own), "roles/%.*s.", (int)strcspn(perm, "."), perm);
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(roles, i, role)
		{
			const char *rn = dr_jstr(role, "name", NULL);
			if (!rn || !has_str(json_object_get(role, "includedPermissions"), perm) ||
			    (strncmp(rn, own, (size_t)own_len) == 0) != (pass == 0))
				continue;
			if (ngrant < 6)
				dr_buf_printf(&grant_roles, "%s%s", ngrant ? ", " : "", rn);
			ngrant++;
		}
	json_array_foreach(roles, i, role)
	{
		const char *rn = dr_jstr(role, "name", NULL);
		json_t *perms = json_object_get(role, "includedPermissions");
		if (!rn || !has_str(perms, perm))
			continue;
		/* the narrowest Kubernetes Engine role a person is meant to hold */
		if (!strncmp(rn, "roles/container.", 16) && !strstr(rn, "ServiceAgent") &&
		    !strstr(rn, "serviceAgent") && !strstr(rn, "ServiceAccount") &&
		    json_array_size(perms) < best_n && strlen(rn) < sizeof(best)) {
			snprintf(best, sizeof(best), "%s", rn);
			best_n = json_array_size(perms);
		}
	}
	char ppath[600];
	struct dr_resp s;
	snprintf(ppath, sizeof(ppath), "v1/projects/%s:getIamPolicy", c->project);
	dr_google(c, "cloudresourcemanager", "POST", ppath, "application/json",
		  "{\"options\":{\"requestedPolicyVersion\":3}}", NULL, &s);
	struct dr_buf held = {0};
	if (s.status == 200) {
		json_t *bd;
		size_t nb = 0;
		json_array_foreach(json_object_get(s.json, "bindings"), i, bd)
		{
			const char *rn = dr_jstr(bd, "role", NULL);
			json_t *mem = json_object_get(bd, "members");
			if (!rn || json_object_get(bd, "condition") ||
			    !(has_str(mem, member) || has_str(mem, "allAuthenticatedUsers")))
				continue;
			dr_buf_printf(&held, "%s%s", nb++ ? ", " : "", rn);
			json_t *def = NULL, *x;
			size_t k;
			json_array_foreach(roles, k, x)
			{
				const char *xn = dr_jstr(x, "name", NULL);
				if (xn && !strcmp(xn, rn))
					def = x;
			}
			if (def && has_str(json_object_get(def, "includedPermissions"), perm))
				iam_ok = 1;
			if (!def && !iam_ok && custom_role_has(c, rn, perm, &iev))
				iam_ok = 1;
		}
		dr_buf_printf(&iev, "; POST %s: %s holds %s", s.url, member,
			      held.len ? dr_buf_str(&held) : "no role");
	} else {
		char brief[800];
		dr_resp_brief(&s, brief, sizeof(brief));
		dr_buf_printf(&iev, "; POST %s: %s", s.url, brief);
	}
	dr_resp_free(&s);
	dr_buf_printf(&iev, "; predefined roles with %s: %s%s", perm,
		      ngrant ? dr_buf_str(&grant_roles) : "none", ngrant > 6 ? ", ..." : "");
	json_decref(roles);
	/* The verdict is the server's (conditions, custom roles, ancestors and deny policies
	 * included), from its Policy Troubleshooter; the policy read above stays the
	 * evidence, and the verdict when no troubleshooter answers. */
	json_t *ts = NULL;
	char full[DR_NAME_MAX + 64];
	snprintf(full, sizeof(full), "//cloudresourcemanager.googleapis.com/projects/%s",
		 c->project);
	if (dr_troubleshoot(c, o->user, full, perm, &ts, &iev) == 0)
		iam_ok = !strcmp(dr_jstr(ts, "overallAccessState", NULL) ?: "", "CAN_ACCESS");

	/* the RBAC check */
	char rname[400], bname[600], uname[200], rarg[600];
	sanitize(t.sub[0] ? t.sub : "", uname, sizeof(uname));
	snprintf(rarg, sizeof(rarg), "%s%s%s%s%s", t.resource, t.group[0] ? "." : "", t.group,
		 t.sub[0] ? "/" : "", t.sub);
	snprintf(rname, sizeof(rname), "%.150s%s%.50s-%.60s", t.resource, t.sub[0] ? "-" : "",
		 uname, o->verb);
	snprintf(uname, sizeof(uname), "%.*s", (int)strcspn(o->user, "@"), o->user);
	sanitize(uname, uname, sizeof(uname));
	snprintf(bname, sizeof(bname), "%s-%.100s", rname, uname);
	if (n > 0) {
		dr_buf_printf(&ev, "; granted by %s", dr_buf_str(&granted));
		snprintf(title, sizeof(title), "RBAC allows %s to %s %s%s%s", o->user, o->verb,
			 rarg, ns ? " in namespace " : "", ns ? ns : "");
		dr_add_buf(r, "rbac", DR_PASS, title, &ev, NULL);
	} else {
		if (n == 0)
			dr_buf_printf(&ev, "; no binding of %s grants it", o->user);
		snprintf(title, sizeof(title), "no RBAC binding allows %s to %s %s%s%s", o->user,
			 o->verb, rarg, ns ? " in namespace " : " at the cluster scope",
			 ns ? ns : "");
		if (ns)
			dr_buf_printf(&fix,
				      "kubectl create role %s --verb=%s --resource=%s -n %s\n"
				      "kubectl create rolebinding %s --role=%s --user=%s -n %s",
				      rname, o->verb, rarg, ns, bname, rname, o->user, ns);
		else
			dr_buf_printf(&fix,
				      "kubectl create clusterrole %s --verb=%s --resource=%s\n"
				      "kubectl create clusterrolebinding %s --clusterrole=%s "
				      "--user=%s",
				      rname, o->verb, rarg, bname, rname, o->user);
		dr_add_buf(r, "rbac", iam_ok ? DR_SKIP : DR_FAIL, title, &ev, iam_ok ? NULL : &fix);
		dr_buf_free(&fix);
	}
	/* the IAM check */
	if (iam_ok) {
		snprintf(title, sizeof(title), "IAM grants %s on project %s to %s", perm,
			 c->project, member);
		dr_add_buf(r, "iam", DR_PASS, title, &iev, NULL);
	} else {
		snprintf(title, sizeof(title), "%s lacks %s on project %s", member, perm,
			 c->project);
		if (best[0])
			dr_buf_printf(&fix,
				      "gcloud projects add-iam-policy-binding %s --member=%s "
				      "--role=%s --condition=None",
				      c->project, member, best);
		dr_add_buf(r, "iam", n > 0 ? DR_SKIP : DR_FAIL, title, &iev, n > 0 ? NULL : &fix);
		dr_buf_free(&fix);
	}
	if (o->explain && ts)
		dr_add_deny_layer(r, ts, o->user, perm);
	json_decref(ts);
	dr_buf_free(&held);
	dr_buf_free(&grant_roles);
	dr_buf_free(&granted);

	/* 3. the cluster's verdict */
	json_t *ra = json_pack("{s:s, s:s, s:s, s:s}", "verb", o->verb, "group", t.group,
			       "resource", t.resource, "version", t.version);
	if (ra && t.sub[0])
		json_object_set_new(ra, "subresource", json_string(t.sub));
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
				 o->user, o->verb, t.resource, t.sub[0] ? "/" : "", t.sub, t.group,
				 ns ? "in the namespace \"" : "at the cluster scope", ns ? ns : "",
				 ns ? "\"" : "", perm);
		dr_add_buf(r, "access", allowed ? DR_PASS : DR_FAIL, title, &ev, NULL);
	}
	dr_resp_free(&s);
	return 0;
}
