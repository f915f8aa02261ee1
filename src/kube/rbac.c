/*
 * rbac.c - Kubernetes RBAC with upstream semantics (rbac.go, evaluation_helpers.go,
 * registry/rbac/validation/rule.go), over an in-memory index per cluster.
 *
 * The index holds every Role, ClusterRole, RoleBinding and ClusterRoleBinding of a
 * cluster, compiled (rules as arrays of borrowed strings), and a table from subject
 * (user, group, service account) to the bindings that name it, so a decision looks up
 * the user and each of its groups once: its cost does not grow with the number of
 * bindings in the cluster (bench/bench_rbac.c). store_range builds the index on first
 * use; a store_watch per RBAC prefix keeps it fresh. ClusterRoles with an
 * aggregationRule get their rules from the ClusterRoles their selectors match,
 * recomputed lazily after any ClusterRole changes (as the aggregation controller would
 * write them).
 *
 * This file makes the decisions, their reasons and explanations, the rules for a user
 * and the bootstrap; rbac_rule.c matches rules, rbac_index.c keeps the index (owned by
 * the cluster: cl->rbac), rbac_escalate.c prevents escalation (see rbac_impl.h).
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

static void describe_subject(const json_t *s, const char *bns, char *out, size_t len, size_t *pos)
{
	const char *kind = kube_jstr(s, "kind"), *name = kube_jstr(s, "name");
	char buf[700];
	rbac_appendf(out, len, pos, "%s ", kind);
	if (strcmp(kind, "ServiceAccount") == 0) {
		const char *sns = kube_jstr(s, "namespace");
		snprintf(buf, sizeof(buf), "%s/%s", name, *sns ? sns : bns);
		rbac_appendq(out, len, pos, buf);
	} else {
		rbac_appendq(out, len, pos, name);
	}
}

/* upstream's clusterRoleBindingDescriber / roleBindingDescriber */
static void describe_binding(const struct binding *b, size_t subject, char *out, size_t len)
{
	size_t pos = 0;
	char buf[700];
	json_t *s = json_array_get(json_object_get(b->obj, "subjects"), subject);
	if (b->cluster) {
		rbac_appendf(out, len, &pos, "ClusterRoleBinding ");
		rbac_appendq(out, len, &pos, b->name);
	} else {
		snprintf(buf, sizeof(buf), "%s/%s", b->name, b->ns);
		rbac_appendf(out, len, &pos, "RoleBinding ");
		rbac_appendq(out, len, &pos, buf);
	}
	rbac_appendf(out, len, &pos, " of %s ", b->role_kind);
	rbac_appendq(out, len, &pos, b->role_name);
	rbac_appendf(out, len, &pos, " to ");
	describe_subject(s, b->cluster ? "" : b->ns, out, len, &pos);
}

struct authz_visit {
	struct req q;
	int allowed;
	char *reason;
	size_t len;
	char errs[2048];
	size_t errs_pos;
	size_t n_errs;
};

static int authz_visit(void *arg, const struct binding *b, size_t subject,
		       const struct crule *rules, size_t n, const char *err)
{
	struct authz_visit *v = arg;
	if (err) {
		rbac_appendf(v->errs, sizeof(v->errs), &v->errs_pos, "%s%s", v->n_errs ? ", " : "",
			     err);
		v->n_errs++;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (rbac_crule_allows(&rules[i], &v->q)) {
			v->allowed = 1;
			if (v->reason && v->len) {
				char d[1500];
				describe_binding(b, subject, d, sizeof(d));
				snprintf(v->reason, v->len, "RBAC: allowed by %s", d);
			}
			return 1;
		}
	}
	return 0;
}

enum kube_decision rbac_authorize_reason(struct kube_cluster *cl, const struct kube_user *u,
					 const struct kube_attrs *a, char *reason, size_t len)
{
	struct rbac_index *ix;
	struct authz_visit v;
	if (reason && len)
		reason[0] = '\0';
	if (!cl || !u || !a || !(ix = rbac_index_of(cl)))
		return KUBE_NO_OPINION;
	memset(&v, 0, sizeof(v));
	rbac_req_init(&v.q, a);
	v.reason = reason;
	v.len = len;
	rbac_visit_rules_for(ix, u, a->resource_request ? a->namespace_ : "", authz_visit, &v);
	if (v.allowed)
		return KUBE_ALLOW;
	if (v.n_errs && reason && len) {
		/* utilerrors.NewAggregate: one error as is, several in brackets */
		size_t pos = 0;
		rbac_appendf(reason, len, &pos, v.n_errs == 1 ? "RBAC: %s" : "RBAC: [%s]", v.errs);
	}
	return KUBE_NO_OPINION;
}

enum kube_decision rbac_authorize(struct kube_cluster *cl, const struct kube_user *u,
				  const struct kube_attrs *a)
{
	return rbac_authorize_reason(cl, u, a, NULL, 0);
}

/* ---- rules for a user (SelfSubjectRulesReview, escalation) ---- */

struct collect_visit {
	json_t *rules; /* PolicyRule JSON, borrowed-incref'd */
	char errs[2048];
	size_t errs_pos, n_errs;
};

static int collect_visit(void *arg, const struct binding *b, size_t subject,
			 const struct crule *rules, size_t n, const char *err)
{
	struct collect_visit *v = arg;
	(void)b;
	(void)subject;
	if (err) {
		rbac_appendf(v->errs, sizeof(v->errs), &v->errs_pos, "%s%s", v->n_errs ? ", " : "",
			     err);
		v->n_errs++;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append(v->rules, (json_t *)rules[i].json);
	return 0;
}

/* The user's rules in ns (new JSON array), and the resolution errors. */
json_t *rbac_collect_rules(struct rbac_index *ix, const struct kube_user *u, const char *ns,
			   char *errs, size_t errs_len)
{
	struct collect_visit v;
	memset(&v, 0, sizeof(v));
	v.rules = json_array();
	if (!v.rules)
		return NULL;
	rbac_visit_rules_for(ix, u, ns, collect_visit, &v);
	if (errs && errs_len) {
		if (v.n_errs == 0)
			errs[0] = '\0';
		else {
			size_t pos = 0;
			rbac_appendf(errs, errs_len, &pos, v.n_errs == 1 ? "%s" : "[%s]", v.errs);
		}
	}
	return v.rules;
}

static json_t *str_array(const json_t *rule, const char *field)
{
	json_t *a = json_object_get(rule, field);
	return json_is_array(a) ? json_deep_copy(a) : json_array();
}

json_t *rbac_rules_for(struct kube_cluster *cl, const struct kube_user *u, const char *ns)
{
	struct rbac_index *ix = cl ? rbac_index_of(cl) : NULL;
	char errs[2048] = "";
	json_t *status = json_object(), *rr = json_array(), *nr = json_array(), *rules = NULL;
	json_t *rule;
	size_t i;
	if (!status || !rr || !nr)
		goto fail;
	if (ix) {
		rules = rbac_collect_rules(ix, u, ns ? ns : "", errs, sizeof(errs));
		if (!rules)
			goto fail;
	}
	json_array_foreach(rules, i, rule)
	{
		if (json_array_size(json_object_get(rule, "nonResourceURLs"))) {
			json_t *o =
				json_pack("{s:o,s:o}", "verbs", str_array(rule, "verbs"),
					  "nonResourceURLs", str_array(rule, "nonResourceURLs"));
			if (!o || json_array_append_new(nr, o) != 0)
				goto fail;
		}
		if (json_array_size(json_object_get(rule, "resources")) ||
		    json_array_size(json_object_get(rule, "apiGroups"))) {
			json_t *o = json_pack("{s:o,s:o,s:o}", "verbs", str_array(rule, "verbs"),
					      "apiGroups", str_array(rule, "apiGroups"),
					      "resources", str_array(rule, "resources"));
			if (!o)
				goto fail;
			if (json_array_size(json_object_get(rule, "resourceNames")))
				json_object_set_new(o, "resourceNames",
						    str_array(rule, "resourceNames"));
			if (json_array_append_new(rr, o) != 0)
				goto fail;
		}
	}
	json_decref(rules);
	json_object_set_new(status, "resourceRules", rr);
	json_object_set_new(status, "nonResourceRules", nr);
	json_object_set_new(status, "incomplete", json_false());
	if (errs[0])
		json_object_set_new(status, "evaluationError", json_string(errs));
	return status;
fail:
	json_decref(rules);
	json_decref(status);
	json_decref(rr);
	json_decref(nr);
	return NULL;
}

/* ---- explaining a decision ---- */

struct explain_visit {
	struct req q;
	json_t *considered;
	int allowed;
};

static int explain_visit(void *arg, const struct binding *b, size_t subject,
			 const struct crule *rules, size_t n, const char *err)
{
	struct explain_visit *v = arg;
	char d[1500];
	json_t *e;
	int match = 0;
	describe_binding(b, subject, d, sizeof(d));
	for (size_t i = 0; i < n && !match; i++)
		match = rbac_crule_allows(&rules[i], &v->q);
	e = json_pack("{s:s,s:s,s:s,s:s,s:b}", "binding", d, "kind",
		      b->cluster ? "ClusterRoleBinding" : "RoleBinding", "roleKind", b->role_kind,
		      "roleName", b->role_name, "allows", match);
	if (e && err)
		json_object_set_new(e, "error", json_string(err));
	if (e)
		json_array_append_new(v->considered, e);
	v->allowed |= match;
	return 0; /* visit them all */
}

json_t *rbac_explain(struct kube_cluster *cl, const struct kube_user *u, const struct kube_attrs *a)
{
	struct rbac_index *ix = cl && u && a ? rbac_index_of(cl) : NULL;
	struct explain_visit v;
	json_t *out = NULL, *granting = NULL;
	size_t pos = 0;
	const char *key;
	void *val;
	if (!ix)
		return NULL;
	memset(&v, 0, sizeof(v));
	rbac_req_init(&v.q, a);
	v.considered = json_array();
	granting = json_array();
	if (!v.considered || !granting)
		goto out;
	rbac_visit_rules_for(ix, u, a->resource_request ? a->namespace_ : "", explain_visit, &v);
	/* the roles that would grant it: every ClusterRole, and the namespace's Roles */
	for (int k = KIND_ROLES; k <= KIND_CLUSTERROLES; k++) {
		pos = 0;
		while (hmap_next(ix->maps[k], &pos, &key, &val)) {
			size_t n, i;
			const struct crule *rules;
			if (k == KIND_ROLES) {
				size_t nl = strlen(a->namespace_);
				if (!a->resource_request || !nl ||
				    strncmp(key, a->namespace_, nl) != 0 || key[nl] != '/')
					continue;
			}
			rules = rbac_role_rules(ix, val, &n);
			for (i = 0; i < n; i++)
				if (rbac_crule_allows(&rules[i], &v.q))
					break;
			if (i < n)
				json_array_append_new(
					granting,
					json_pack("{s:s,s:s}", "kind",
						  k == KIND_ROLES ? "Role" : "ClusterRole", "name",
						  k == KIND_ROLES ? strchr(key, '/') + 1 : key));
		}
	}
	out = json_pack("{s:b,s:O,s:O}", "allowed", v.allowed, "considered", v.considered,
			"grantingRoles", granting);
out:
	json_decref(v.considered);
	json_decref(granting);
	return out;
}

/* ---- bootstrap ---- */

/* Writes obj (stolen) unless an object of that name exists. */
static int put_default(struct kube_cluster *cl, const char *resource, json_t *obj)
{
	const struct kube_resource *res = kube_resource_find(RBAC_GROUP, "v1", resource);
	const char *name = kube_jstr(json_object_get(obj, "metadata"), "name");
	int rc = 0;
	json_t *have;
	if (!res) {
		json_decref(obj);
		return -ENOENT;
	}
	have = registry_get(cl, res, NULL, name);
	if (!have)
		rc = registry_put(cl, res, obj);
	json_decref(have);
	json_decref(obj);
	return rc;
}

int rbac_bootstrap(struct kube_cluster *cl)
{
	json_error_t jerr;
	json_t *doc = json_loadb(embed_rbac_json, EMBED_LEN(rbac_json), 0, &jerr);
	json_t *roles = json_object_get(doc, "clusterRoles");
	json_t *bindings = json_object_get(doc, "clusterRoleBindings"), *o;
	struct rbac_index *ix = NULL;
	size_t i;
	int rc = -EINVAL;
	if (!json_is_array(roles) || !json_is_array(bindings))
		goto out;
	/* Resolve aggregation over the defaults, as the controller would write it. */
	ix = calloc(1, sizeof(*ix));
	if (!ix || !(ix->maps[KIND_CLUSTERROLES] = hmap_new(64))) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(roles, i, o)
	{
		rc = rbac_index_apply(ix, KIND_CLUSTERROLES,
				      kube_jstr(json_object_get(o, "metadata"), "name"),
				      json_incref(o));
		if (rc != 0)
			goto out;
	}
	json_array_foreach(roles, i, o)
	{
		json_t *copy = json_deep_copy(o);
		const char *name = kube_jstr(json_object_get(o, "metadata"), "name");
		struct role *r = hmap_get(ix->maps[KIND_CLUSTERROLES], name);
		if (!copy) {
			rc = -ENOMEM;
			goto out;
		}
		if (r && r->aggregated) {
			size_t n;
			rbac_role_rules(ix, r, &n);
			json_object_set(copy, "rules", r->eff_json ? r->eff_json : json_array());
		}
		rc = put_default(cl, "clusterroles", copy);
		if (rc != 0)
			goto out;
	}
	json_array_foreach(bindings, i, o)
	{
		json_t *copy = json_deep_copy(o);
		if (!copy) {
			rc = -ENOMEM;
			goto out;
		}
		rc = put_default(cl, "clusterrolebindings", copy);
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	rbac_index_free(ix);
	json_decref(doc);
	return rc;
}
