/*
 * validate.c - checks that Google makes of a request beyond its form, which the APIs
 * call just before they store a change: the node pools and Workload Identity of a GKE
 * cluster, its Google Groups for RBAC security group, and a disabled service account
 * asked for credentials.
 *
 * Texts: "Service account \"EMAIL\" does not exist." (400) is GKE's, as quoted in
 * GoogleCloudPlatform/software-delivery-workshop#34 and sassoftware/viya4-iac-gcp#148.
 * The Workload Identity and security group rules are documented
 * (google.container.v1 WorkloadMetadataConfig.Mode GKE_METADATA: "This feature can only
 * be enabled if Workload Identity is enabled at the cluster level"; Configure Google
 * Groups for RBAC: "The gke-security-groups name is required"), but GKE's exact replies
 * are not in public sources we found: the messages below state the documented rule in
 * GKE's "Invalid value for field" style. A disabled account gets FAILED_PRECONDITION
 * with Google's text for that code.
 *
 * A node pool with no service account, or "default", runs as its project's Compute
 * Engine default service account (PROJECT_NUMBER-compute@developer.gserviceaccount.com),
 * which must exist: GKE answers the same "does not exist" text when it was deleted
 * (gruntwork-io/terraform-google-gke#56); a pool's account that is disabled is 400
 * "Service account EMAIL is disabled." (terraform-provider-google#12677). gkeid does not
 * emulate the Compute Engine API that makes the default account, so a project that never
 * had one (made by gcloud projects create) passes; one whose account was deleted does not.
 */
#include "cloud/hier.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cloud/gerrors.h"
#include "core/dbuf.h"
#include "core/store.h"

#define SECURITY_GROUP_PREFIX "gke-security-groups@"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const char *pool_mode(const json_t *np)
{
	return str(json_object_get(json_object_get(np, "config"), "workloadMetadataConfig"),
		   "mode");
}

static int has_wi(const json_t *cl)
{
	const char *p = str(json_object_get(cl, "workloadIdentityConfig"), "workloadPool");
	return p && *p;
}

static const json_t *pool_named(const json_t *cl, const char *name)
{
	size_t i;
	json_t *np;

	json_array_foreach(json_object_get(cl, "nodePools"), i, np)
	{
		const char *n = str(np, "name");
		if (n && name && strcmp(n, name) == 0)
			return np;
	}
	return NULL;
}

/* True when a service account email names an account gkeid knows is missing: one of a
 * project it has, which has no such account. "default" and accounts of projects it does
 * not emulate pass, as in members.c. */
static int sa_missing(struct cloud *c, const char *email)
{
	char project[128];
	json_t *p, *sa;
	int missing;

	if (!email || !*email || strcmp(email, "default") == 0 ||
	    !cloud_sa_project_of(c, email, project, sizeof(project)))
		return 0;
	p = cloud_project_get(c, project);
	sa = p ? cloud_sa_get(c, email) : NULL;
	missing = p && !sa;
	json_decref(p);
	json_decref(sa);
	return missing;
}

/* The security group rule: empty, or gke-security-groups@DOMAIN. */
static int security_group_ok(const char *g)
{
	size_t n = strlen(SECURITY_GROUP_PREFIX);
	const char *dom = g + n;

	if (!*g)
		return 1;
	return strncmp(g, SECURITY_GROUP_PREFIX, n) == 0 && *dom && !strchr(dom, '@') &&
	       strchr(dom, '.') && dom[strlen(dom) - 1] != '.' && strlen(g) <= 254;
}

static int refuse(struct http_req *r, const char *fmt, const char *a, const char *b)
{
	char ea[GERR_ECHO_MAX], eb[GERR_ECHO_MAX];

	gerr_echo(ea, sizeof(ea), a ? a : "");
	gerr_echo(eb, sizeof(eb), b ? b : "");
	http_reply_gerror(r, 400, "INVALID_ARGUMENT", NULL, NULL, NULL, fmt, ea, eb);
	return -EINVAL;
}

/* The Compute Engine default service account of the cluster's project (from its
 * selfLink) in buf; NULL when unknown. */
static const char *default_sa(struct cloud *c, const json_t *cl, char *buf, size_t len)
{
	const char *self = str(cl, "selfLink"), *at = self ? strstr(self, "/projects/") : NULL;
	char id[128];
	json_t *p;
	const char *num;
	int rc = -1;

	if (!at || sfmt(id, sizeof(id), "%.*s", (int)strcspn(at + 10, "/"), at + 10) < 0)
		return NULL;
	p = cloud_project_get(c, id);
	num = str(p, "projectNumber");
	if (num)
		rc = sfmt(buf, len, "%s-compute@developer.gserviceaccount.com", num);
	json_decref(p);
	return rc < 0 ? NULL : buf;
}

/* True when a deleted account of this email waits in its 30 days (saextra.c). */
static int sa_deleted(struct cloud *c, const char *email)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int found = 0;

	if (store_range(c->store, "/deleted/serviceAccounts/", 0, &kvs, &n, NULL) != 0)
		return 0;
	for (size_t i = 0; i < n && !found; i++) {
		json_t *t = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		const char *e = str(json_object_get(t, "account"), "email");
		found = e && strcmp(e, email) == 0;
		json_decref(t);
	}
	store_kvs_free(kvs, n);
	return found;
}

/* A new pool's service account: 0 when usable, else -EINVAL after replying. */
static int check_pool_sa(struct http_req *r, struct cloud *c, const json_t *cl, const json_t *np)
{
	const char *email = str(json_object_get(np, "config"), "serviceAccount");
	char def[128];
	json_t *sa;
	int disabled;

	if (!email || !*email || strcmp(email, "default") == 0) {
		if (!(email = default_sa(c, cl, def, sizeof(def))))
			return 0;
		sa = cloud_sa_get(c, email);
		if (!sa && sa_deleted(c, email))
			return refuse(r, "Service account \"%s\" does not exist.%s", email, NULL);
	} else {
		if (sa_missing(c, email))
			return refuse(r, "Service account \"%s\" does not exist.%s", email, NULL);
		sa = cloud_sa_get(c, email);
	}
	disabled = json_is_true(json_object_get(sa, "disabled"));
	json_decref(sa);
	return disabled ? refuse(r, "Service account %s is disabled.%s", email, NULL) : 0;
}

/* The node pool checks: a pool's service account, its metadata mode, and Workload
 * Identity turned off under pools that use it. */
static int check_pools(struct http_req *r, struct cloud *c, const json_t *was, const json_t *cl,
		       const char *pool)
{
	size_t i;
	json_t *np;

	json_array_foreach(json_object_get(cl, "nodePools"), i, np)
	{
		const char *name = str(np, "name"), *mode = pool_mode(np);
		int in_was = was && pool_named(was, name);
		int touched = pool ? (name && strcmp(name, pool) == 0) : !in_was;
		int gke_md = mode && strcmp(mode, "GKE_METADATA") == 0;

		if (touched && !in_was && check_pool_sa(r, c, cl, np) != 0)
			return -EINVAL;
		if (!gke_md || has_wi(cl))
			continue;
		if (touched)
			return refuse(
				r,
				"Node pool \"%s\": workload metadata mode GKE_METADATA can only "
				"be enabled if Workload Identity is enabled at the cluster "
				"level.%s",
				name, NULL);
		if (was && has_wi(was))
			return refuse(
				r,
				"Workload Identity cannot be disabled while node pool \"%s\" "
				"runs the GKE metadata server (GKE_METADATA). Set its workload "
				"metadata mode to GCE_METADATA first.%s",
				name, NULL);
	}
	return 0;
}

int cloud_cluster_check(struct http_req *r, struct cloud *c, const json_t *was, const json_t *cl,
			const char *pool)
{
	const json_t *agc = json_object_get(cl, "authenticatorGroupsConfig");
	const char *group = str(agc, "securityGroup");
	const char *old = str(json_object_get(was, "authenticatorGroupsConfig"), "securityGroup");
	int rc = check_pools(r, c, was, cl, pool);

	if (rc == 0 && group && !(old && strcmp(old, group) == 0) && !security_group_ok(group))
		rc = refuse(r,
			    "Invalid value for field \"%s.security_group\": \"%s\". The security "
			    "group must be named gke-security-groups@DOMAIN.",
			    was ? "update.desired_authenticator_groups_config"
				: "cluster.authenticator_groups_config",
			    group);
	return rc;
}

int cloud_sa_refuse_disabled(struct http_req *r, const json_t *sa)
{
	if (!json_is_true(json_object_get(sa, "disabled")))
		return 0;
	http_reply_gerror(r, 400, "FAILED_PRECONDITION", NULL, NULL, NULL,
			  "Precondition check failed.");
	return -EPERM;
}
