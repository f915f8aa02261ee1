/*
 * test_authz.c - unit tests of GKE's authorization chain (src/kube/authz.c): the
 * Forbidden messages as kube-apiserver words them (the seed's text byte for byte),
 * GKE's mapping of Kubernetes verbs and subresources to container.* IAM permissions,
 * and the chain itself: RBAC first, then IAM on the cluster's project for Google
 * identities only, over a real store and IAM engine, for the impersonate verb too; and
 * the tokens: TokenRequest's JWTs (and their 48 h cap) and Google access tokens as
 * authentication sees them, with kube-apiserver's texts for a token whose service
 * account, pod or secret is gone or replaced.
 */
#include "t.h"

#include "cloud/cloud.h"
#include "core/embed.h"
#include "core/jwt.h"
#include "core/store.h"
#include "iam/iam.h"
#include "kube/auth.h"
#include "kube/kube.h"
#include "kube/rbac.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define P "/clusters/example-project/us-central1/demo"
#define SA_EMAIL "example-account@example-project.iam.gserviceaccount.com"

static char dir[] = "/tmp/test_authz.XXXXXX";
static char db_path[128];
static struct store *st;
static struct iam *iam;
static struct cloud cloud;
static struct kube kube;
static struct kube_cluster cl;

static struct kube_attrs res(const char *verb, const char *group, const char *resource,
			     const char *sub, const char *ns, const char *name)
{
	struct kube_attrs a;
	memset(&a, 0, sizeof(a));
	a.resource_request = 1;
	snprintf(a.verb, sizeof(a.verb), "%s", verb);
	snprintf(a.group, sizeof(a.group), "%s", group);
	snprintf(a.version, sizeof(a.version), "v1");
	snprintf(a.resource, sizeof(a.resource), "%s", resource);
	snprintf(a.subresource, sizeof(a.subresource), "%s", sub ? sub : "");
	snprintf(a.namespace_, sizeof(a.namespace_), "%s", ns ? ns : "");
	snprintf(a.name, sizeof(a.name), "%s", name ? name : "");
	return a;
}

static struct kube_user google_sa(void)
{
	struct kube_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), SA_EMAIL);
	snprintf(u.groups[0], sizeof(u.groups[0]), "system:authenticated");
	u.n_groups = 1;
	u.google = 1;
	snprintf(u.google_member, sizeof(u.google_member), "serviceAccount:" SA_EMAIL);
	return u;
}

static void test_forbidden_messages(void)
{
	struct kube_user u = google_sa();
	char out[2048];
	struct kube_attrs a =
		res("list", "rbac.authorization.k8s.io", "roles", NULL, "kube-system", NULL);
	/* the seed's first section, as kubectl prints the Status message */
	kube_forbidden_message(&u, &a, "requires one of [\"container.roles.list\"] permission(s).",
			       out, sizeof(out));
	CHECK_STR(out, "roles.rbac.authorization.k8s.io is forbidden: User "
		       "\"example-account@example-project.iam.gserviceaccount.com\" cannot list "
		       "resource \"roles\" in API group \"rbac.authorization.k8s.io\" in the "
		       "namespace \"kube-system\": requires one of [\"container.roles.list\"] "
		       "permission(s).");
	char line[2100];
	snprintf(line, sizeof(line), "Error from server (Forbidden): %s", out);
	CHECK_STR(line, "Error from server (Forbidden): roles.rbac.authorization.k8s.io is "
			"forbidden: "
			"User \"example-account@example-project.iam.gserviceaccount.com\" "
			"cannot list "
			"resource \"roles\" in API group \"rbac.authorization.k8s.io\" in "
			"the namespace "
			"\"kube-system\": requires one of [\"container.roles.list\"] "
			"permission(s).");

	/* the core group has no ".group"; cluster scope; no reason: no ": " */
	struct kube_user anon;
	memset(&anon, 0, sizeof(anon));
	snprintf(anon.name, sizeof(anon.name), "system:anonymous");
	a = res("list", "", "nodes", NULL, NULL, NULL);
	kube_forbidden_message(&anon, &a, "", out, sizeof(out));
	CHECK_STR(out, "nodes is forbidden: User \"system:anonymous\" cannot list resource "
		       "\"nodes\" in API group \"\" at the cluster scope");
	/* a named object */
	a = res("get", "", "pods", NULL, "default", "web");
	kube_forbidden_message(&anon, &a, NULL, out, sizeof(out));
	CHECK_STR(out, "pods \"web\" is forbidden: User \"system:anonymous\" cannot "
		       "get resource "
		       "\"pods\" in API group \"\" in the namespace \"default\"");
	/* a subresource shows res/sub; the qualified resource does not */
	a = res("create", "", "pods", "exec", "default", "web");
	kube_forbidden_message(&u, &a, "requires one of [\"container.pods.exec\"] permission(s).",
			       out, sizeof(out));
	CHECK_STR(out, "pods \"web\" is forbidden: User "
		       "\"example-account@example-project.iam.gserviceaccount.com\" cannot "
		       "create "
		       "resource \"pods/exec\" in API group \"\" in the namespace \"default\": "
		       "requires one of [\"container.pods.exec\"] permission(s).");
	/* a named cluster-scoped object of a group */
	a = res("delete", "rbac.authorization.k8s.io", "clusterroles", NULL, NULL, "admin");
	kube_forbidden_message(&anon, &a, NULL, out, sizeof(out));
	CHECK_STR(out, "clusterroles.rbac.authorization.k8s.io \"admin\" is forbidden: User "
		       "\"system:anonymous\" cannot delete resource \"clusterroles\" in API "
		       "group "
		       "\"rbac.authorization.k8s.io\" at the cluster scope");
	/* non-resource URLs */
	struct kube_attrs n;
	memset(&n, 0, sizeof(n));
	snprintf(n.verb, sizeof(n.verb), "get");
	snprintf(n.path, sizeof(n.path), "/foo");
	kube_forbidden_message(&anon, &n, "", out, sizeof(out));
	CHECK_STR(out, "forbidden: User \"system:anonymous\" cannot get path \"/foo\"");
	/* a small buffer truncates, never overflows */
	char tiny[16];
	kube_forbidden_message(&anon, &n, "", tiny, sizeof(tiny));
	CHECK_EQ_INT(strlen(tiny), 15);
}

static const char *perm(const char *verb, const char *group, const char *resource, const char *sub)
{
	static char out[160];
	struct kube_attrs a = res(verb, group, resource, sub, "default", "x");
	if (authz_iam_permission(&a, out, sizeof(out)) != 0)
		return "(none)";
	return out;
}

static void test_gke_mapping(void)
{
	CHECK_STR(perm("list", "rbac.authorization.k8s.io", "roles", NULL), "container.roles.list");
	CHECK_STR(perm("get", "", "pods", NULL), "container.pods.get");
	CHECK_STR(perm("watch", "", "pods", NULL), "container.pods.list");
	CHECK_STR(perm("create", "", "configmaps", NULL), "container.configMaps.create");
	CHECK_STR(perm("update", "", "serviceaccounts", NULL), "container.serviceAccounts.update");
	CHECK_STR(perm("patch", "", "pods", NULL), "container.pods.update");
	CHECK_STR(perm("delete", "", "pods", NULL), "container.pods.delete");
	CHECK_STR(perm("deletecollection", "", "pods", NULL), "container.pods.delete");
	CHECK_STR(perm("create", "", "pods", "exec"), "container.pods.exec");
	CHECK_STR(perm("get", "", "pods", "exec"), "container.pods.exec");
	CHECK_STR(perm("create", "", "pods", "attach"), "container.pods.attach");
	CHECK_STR(perm("create", "", "pods", "portforward"), "container.pods.portForward");
	CHECK_STR(perm("get", "", "pods", "log"), "container.pods.getLogs");
	CHECK_STR(perm("get", "", "pods", "status"), "container.pods.getStatus");
	CHECK_STR(perm("update", "", "pods", "status"), "container.pods.updateStatus");
	CHECK_STR(perm("patch", "", "pods", "status"), "container.pods.updateStatus");
	CHECK_STR(perm("create", "", "pods", "eviction"), "container.pods.evict");
	CHECK_STR(perm("create", "", "serviceaccounts", "token"),
		  "container.serviceAccounts.createToken");
	CHECK_STR(perm("bind", "rbac.authorization.k8s.io", "roles", NULL), "container.roles.bind");
	CHECK_STR(perm("escalate", "rbac.authorization.k8s.io", "clusterroles", NULL),
		  "container.clusterRoles.escalate");
	CHECK_STR(perm("list", "rbac.authorization.k8s.io", "clusterrolebindings", NULL),
		  "container.clusterRoleBindings.list");
	CHECK_STR(perm("get", "networking.k8s.io", "networkpolicies", NULL),
		  "container.networkPolicies.get");
	CHECK_STR(perm("get", "apps", "deployments", "scale"), "container.deployments.getScale");
	CHECK_STR(perm("update", "apps", "deployments", "scale"),
		  "container.deployments.updateScale");
	CHECK_STR(perm("create", "authorization.k8s.io", "selfsubjectaccessreviews", NULL),
		  "container.selfSubjectAccessReviews.create");
	CHECK_STR(perm("update", "", "namespaces", "finalize"), "container.namespaces.finalize");
	CHECK_STR(perm("get", "example.com", "widgets", NULL), "container.thirdPartyObjects.get");
	/* every mapped permission is one the catalog knows */
	static const char *const known[][4] = {
		{"list", "rbac.authorization.k8s.io", "roles", NULL},
		{"create", "", "pods", "exec"},
		{"get", "", "pods", "log"},
		{"create", "", "pods", "portforward"},
		{"create", "", "serviceaccounts", "token"},
		{"patch", "", "pods", "status"},
		{"bind", "rbac.authorization.k8s.io", "clusterroles", NULL},
		{"watch", "", "configmaps", NULL},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		CHECK(iam_permission_known(
			iam, perm(known[i][0], known[i][1], known[i][2], known[i][3])));
	/* non-resource requests have no permission */
	struct kube_attrs n;
	char out[64];
	memset(&n, 0, sizeof(n));
	snprintf(n.verb, sizeof(n.verb), "get");
	snprintf(n.path, sizeof(n.path), "/metrics");
	CHECK_EQ_INT(authz_iam_permission(&n, out, sizeof(out)), -ENOENT);
	/* a permission that does not fit is an error, never a shorter permission that
	 * another role might grant ("container.pods.get" cut to "container.pods.g") */
	struct kube_attrs g = res("get", "", "pods", NULL, "default", "x");
	char small[sizeof("container.pods.get") - 1];
	CHECK_EQ_INT(authz_iam_permission(&g, small, sizeof(small)), -ENAMETOOLONG);
	CHECK_STR(small, "");
	char exact[sizeof("container.pods.get")];
	CHECK_EQ_INT(authz_iam_permission(&g, exact, sizeof(exact)), 0);
	CHECK_STR(exact, "container.pods.get");
	struct kube_attrs cr = res("watch", "example.com", "widgets", NULL, "default", "x");
	char cr_small[20];
	CHECK_EQ_INT(authz_iam_permission(&cr, cr_small, sizeof(cr_small)), -ENAMETOOLONG);
}

static void seed(const char *policy)
{
	json_t *p = json_loads(policy, 0, NULL);
	CHECK(p != NULL);
	CHECK_EQ_INT(iam_seed_policy(iam, "projects/example-project", p), 0);
	json_decref(p);
}

static void put(const char *key, const char *json)
{
	CHECK_EQ_INT(store_put(st, key, json, strlen(json), STORE_ANY_REV, NULL), 0);
}

static void test_chain(void)
{
	struct kube_user u = google_sa();
	char reason[1024], msg[2048];
	struct kube_attrs a =
		res("list", "rbac.authorization.k8s.io", "roles", NULL, "kube-system", NULL);
	/* no RBAC, no IAM: the seed's denial */
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_DENY);
	CHECK_STR(reason, "requires one of [\"container.roles.list\"] permission(s).");
	kube_forbidden_message(&u, &a, reason, msg, sizeof(msg));
	CHECK_STR(msg, "roles.rbac.authorization.k8s.io is forbidden: User "
		       "\"example-account@example-project.iam.gserviceaccount.com\" cannot list "
		       "resource \"roles\" in API group \"rbac.authorization.k8s.io\" in the "
		       "namespace \"kube-system\": requires one of [\"container.roles.list\"] "
		       "permission(s).");

	/* IAM: roles/container.viewer on the project */
	seed("{\"bindings\":[{\"role\":\"roles/"
	     "container.viewer\",\"members\":[\"serviceAccount:" SA_EMAIL "\"]}]}");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_ALLOW);
	struct kube_attrs del =
		res("delete", "rbac.authorization.k8s.io", "roles", NULL, "kube-system", "r");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &del, reason, sizeof(reason)), KUBE_DENY);
	CHECK_STR(reason, "requires one of [\"container.roles.delete\"] permission(s).");
	struct kube_attrs ex = res("create", "", "pods", "exec", "default", "web");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &ex, reason, sizeof(reason)), KUBE_DENY);
	CHECK_STR(reason, "requires one of [\"container.pods.exec\"] permission(s).");
	/* a plain user with the same email is not the service account */
	struct kube_user other = u;
	snprintf(other.google_member, sizeof(other.google_member), "user:" SA_EMAIL);
	CHECK_EQ_INT(kube_authorize(&cl, &other, &a, reason, sizeof(reason)), KUBE_DENY);
	seed("{\"bindings\":[]}");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_DENY);

	/* RBAC first: a RoleBinding grants it without IAM */
	put(P "/registry/roles.rbac.authorization.k8s.io/kube-system/role-reader",
	    "{\"metadata\":{\"name\":\"role-reader\",\"namespace\":\"kube-system\"},"
	    "\"rules\":[{"
	    "\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\"],"
	    "\"verbs\":["
	    "\"list\"]}]}");
	put(P "/registry/rolebindings.rbac.authorization.k8s.io/kube-system/sa-reads",
	    "{\"metadata\":{\"name\":\"sa-reads\",\"namespace\":\"kube-system\"},"
	    "\"roleRef\":{"
	    "\"kind\":\"Role\",\"name\":\"role-reader\"},\"subjects\":[{\"kind\":"
	    "\"User\",\"name\":"
	    "\"" SA_EMAIL "\"}]}");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_ALLOW);
	CHECK_STR(reason, "RBAC: allowed by RoleBinding \"sa-reads/kube-system\" of Role "
			  "\"role-reader\" to User \"" SA_EMAIL "\"");

	/* not a Google identity: RBAC only, no IAM reason */
	struct kube_user ksa;
	memset(&ksa, 0, sizeof(ksa));
	snprintf(ksa.name, sizeof(ksa.name), "system:serviceaccount:default:app");
	struct kube_attrs pods = res("list", "", "pods", NULL, "default", NULL);
	CHECK_EQ_INT(kube_authorize(&cl, &ksa, &pods, reason, sizeof(reason)), KUBE_NO_OPINION);
	CHECK_STR(reason, "");
	kube_forbidden_message(&ksa, &pods, reason, msg, sizeof(msg));
	CHECK_STR(msg, "pods is forbidden: User \"system:serviceaccount:default:app\" "
		       "cannot list "
		       "resource \"pods\" in API group \"\" in the namespace \"default\"");

	/* a Google user by IAM, and a federated workload by its principal */
	struct kube_user alice;
	memset(&alice, 0, sizeof(alice));
	snprintf(alice.name, sizeof(alice.name), "alice@example.com");
	alice.google = 1;
	snprintf(alice.google_member, sizeof(alice.google_member), "user:alice@example.com");
	struct kube_user fed;
	memset(&fed, 0, sizeof(fed));
	fed.google = 1;
	snprintf(fed.name, sizeof(fed.name),
		 "principal://iam.googleapis.com/projects/123456789012/locations/global/"
		 "workloadIdentityPools/example-project.svc.id.goog/subject/ns/default/sa/"
		 "app");
	snprintf(fed.google_member, sizeof(fed.google_member), "%s", fed.name);
	CHECK_EQ_INT(kube_authorize(&cl, &alice, &pods, reason, sizeof(reason)), KUBE_DENY);
	CHECK_EQ_INT(kube_authorize(&cl, &fed, &pods, reason, sizeof(reason)), KUBE_DENY);
	seed("{\"bindings\":[{\"role\":\"roles/container.developer\",\"members\":["
	     "\"user:alice@example.com\",\"principal://iam.googleapis.com/projects/"
	     "123456789012/"
	     "locations/global/workloadIdentityPools/example-project.svc.id.goog/"
	     "subject/ns/"
	     "default/sa/app\"]}]}");
	CHECK_EQ_INT(kube_authorize(&cl, &alice, &pods, reason, sizeof(reason)), KUBE_ALLOW);
	CHECK_EQ_INT(kube_authorize(&cl, &fed, &pods, reason, sizeof(reason)), KUBE_ALLOW);
	/* ... on this cluster's project only */
	struct kube_cluster other_cl = cl;
	other_cl.rbac = NULL; /* state the copy must not share: its own index */
	other_cl.registry = NULL;
	snprintf(other_cl.project, sizeof(other_cl.project), "another-project");
	CHECK_EQ_INT(kube_authorize(&other_cl, &alice, &pods, reason, sizeof(reason)), KUBE_DENY);
	rbac_forget(&other_cl);

	/* a non-resource URL: no IAM permission, no opinion */
	struct kube_attrs n;
	memset(&n, 0, sizeof(n));
	snprintf(n.verb, sizeof(n.verb), "get");
	snprintf(n.path, sizeof(n.path), "/metrics");
	CHECK_EQ_INT(kube_authorize(&cl, &alice, &n, reason, sizeof(reason)), KUBE_NO_OPINION);
	seed("{\"bindings\":[]}");
}

static void put_object(const char *resource, const char *json)
{
	const struct kube_resource *res = kube_resource_find("", "v1", resource);
	json_t *o = json_loads(json, 0, NULL);
	CHECK(res && o);
	if (res && o)
		CHECK_EQ_INT(registry_put(&cl, res, o), 0);
	json_decref(o);
}

static const char *uid_of(const char *resource, const char *ns, const char *name)
{
	static char uid[64];
	const struct kube_resource *res = kube_resource_find("", "v1", resource);
	json_t *o = res ? registry_get(&cl, res, ns, name) : NULL;
	snprintf(uid, sizeof(uid), "%s",
		 o ? json_string_value(json_object_get(json_object_get(o, "metadata"), "uid"))
		   : "");
	json_decref(o);
	return uid;
}

/* TokenRequest's tokens (kube_sa_token) and their authentication (authn_token). */
static void test_tokens(void)
{
	struct kube_user u;
	json_t *extra = NULL, *auds = NULL;
	char err[256];
	const char *aud_other[] = {"sts.example.com"};
	put_object("serviceaccounts",
		   "{\"metadata\":{\"name\":\"app\",\"namespace\":\"default\"}}");
	put_object("pods", "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
			   "\"spec\":{\"serviceAccountName\":\"app\",\"containers\":[{\"name\":"
			   "\"c\",\"image\":\"nginx\"}]}}");
	char sa_uid[64], pod_uid[64];
	snprintf(sa_uid, sizeof(sa_uid), "%s", uid_of("serviceaccounts", "default", "app"));
	snprintf(pod_uid, sizeof(pod_uid), "%s", uid_of("pods", "default", "web"));
	CHECK(sa_uid[0] && pod_uid[0]);

	char *tok = kube_sa_token(&cl, "default", "app", sa_uid, NULL, 0, 3600, NULL, NULL);
	CHECK(tok != NULL);
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, &extra, &auds, err, sizeof(err)), 0);
	CHECK_STR(u.name, "system:serviceaccount:default:app");
	CHECK_STR(u.uid, sa_uid);
	CHECK_EQ_INT(u.n_groups, 3);
	CHECK_STR(u.groups[0], "system:serviceaccounts");
	CHECK_STR(u.groups[1], "system:serviceaccounts:default");
	CHECK_STR(u.groups[2], "system:authenticated");
	CHECK(!u.google);
	CHECK(extra == NULL);
	CHECK_STR(json_string_value(json_array_get(auds, 0)), cl.issuer);
	json_decref(auds);
	auds = NULL;
	/* the token's audience is the issuer: not another one */
	CHECK_EQ_INT(authn_token(&cl, tok, aud_other, 1, &u, NULL, NULL, err, sizeof(err)),
		     -EACCES);
	CHECK_STR(u.name, "system:anonymous");
	/* a tampered token */
	tok[strlen(tok) - 3] = tok[strlen(tok) - 3] == 'A' ? 'B' : 'A';
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	free(tok);

	/* bound to a pod: the pod's identity is in user.extra; gone with the pod */
	const char *aud[] = {"sts.example.com"};
	tok = kube_sa_token(&cl, "default", "app", sa_uid, aud, 1, 600, "web", pod_uid);
	CHECK(tok != NULL);
	CHECK_EQ_INT(authn_token(&cl, tok, aud, 1, &u, &extra, &auds, err, sizeof(err)), 0);
	CHECK_STR(json_string_value(json_array_get(
			  json_object_get(extra, "authentication.kubernetes.io/pod-name"), 0)),
		  "web");
	json_decref(extra);
	json_decref(auds);
	extra = auds = NULL;
	/* ... not at the API server itself, whose audience is the issuer */
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	/* kube-apiserver's validator (pkg/serviceaccount/claims.go): a pod of the same name
	 * but another uid, then no pod at all */
	char key[512], expect[512];
	snprintf(key, sizeof(key), P "/registry/pods.core/default/web");
	CHECK_EQ_INT(store_delete(st, key, STORE_ANY_REV, NULL), 0);
	CHECK_EQ_INT(authn_token(&cl, tok, aud, 1, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	CHECK_STR(err, "[invalid bearer token, service account token has been invalidated]");
	put_object("pods", "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
			   "\"spec\":{\"serviceAccountName\":\"app\",\"containers\":[{\"name\":"
			   "\"c\",\"image\":\"nginx\"}]}}");
	CHECK_EQ_INT(authn_token(&cl, tok, aud, 1, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	snprintf(expect, sizeof(expect),
		 "[invalid bearer token, pod UID (%s) does not match service account pod ref "
		 "claim (%s)]",
		 uid_of("pods", "default", "web"), pod_uid);
	CHECK_STR(err, expect);
	free(tok);

	/* a token of an earlier service account of that name (another uid); no expiry */
	tok = kube_sa_token(&cl, "default", "app", "some-other-uid", NULL, 0, 3600, NULL, NULL);
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	snprintf(expect, sizeof(expect),
		 "[invalid bearer token, service account UID (%s) does not match claim "
		 "(some-other-uid)]",
		 sa_uid);
	CHECK_STR(err, expect);
	free(tok);
	/* an empty uid claim is no wildcard */
	tok = kube_sa_token(&cl, "default", "app", "", NULL, 0, 3600, NULL, NULL);
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	free(tok);
	CHECK(kube_sa_token(&cl, "default", "app", sa_uid, NULL, 0, 0, NULL, NULL) == NULL);

	/* gkeid's Google access tokens; a cluster takes only those whose scopes reach it */
	char *gtok = NULL;
	json_t *info = json_pack("{s:s,s:s,s:s}", "kind", "user", "email", "alice@example.com",
				 "scope", "https://www.googleapis.com/auth/devstorage.read_only");
	CHECK_EQ_INT(cloud_token_issue(&cloud, info, 3600, &gtok), 0);
	json_decref(info);
	CHECK_EQ_INT(authn_token(&cl, gtok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	free(gtok);
	info = json_pack("{s:s,s:s,s:s}", "kind", "user", "email", "alice@example.com", "scope",
			 "openid https://www.googleapis.com/auth/userinfo.email");
	CHECK_EQ_INT(cloud_token_issue(&cloud, info, 3600, &gtok), 0);
	json_decref(info);
	CHECK_EQ_INT(authn_token(&cl, gtok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), 0);
	CHECK_STR(u.name, "alice@example.com");
	CHECK(u.google);
	CHECK_STR(u.google_member, "user:alice@example.com");
	CHECK_EQ_INT(u.n_groups, 1);
	CHECK_STR(u.groups[0], "system:authenticated");
	free(gtok);
	info = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", "federated", "pool",
			 "example-project.svc.id.goog", "subject", "ns/default/sa/app",
			 "projectNumber", "123456789012", "scope",
			 "https://www.googleapis.com/auth/cloud-platform");
	CHECK_EQ_INT(cloud_token_issue(&cloud, info, 3600, &gtok), 0);
	json_decref(info);
	CHECK_EQ_INT(authn_token(&cl, gtok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), 0);
	CHECK_STR(u.name, "principal://iam.googleapis.com/projects/123456789012/locations/global/"
			  "workloadIdentityPools/example-project.svc.id.goog/subject/ns/default/sa/"
			  "app");
	free(gtok);
	CHECK_EQ_INT(authn_token(&cl, "ya29.nope", NULL, 0, &u, NULL, NULL, err, sizeof(err)),
		     -EACCES);
	CHECK_EQ_INT(authn_token(&cl, "", NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
}

/* A token bound to a secret, as TokenRequest issues one for boundObjectRef kind Secret. */
static char *secret_token(const char *sa_uid, const char *secret, const char *secret_uid)
{
	time_t now = time(NULL);
	json_t *claims = json_pack(
		"{s:[s],s:I,s:I,s:s,s:s,s:{s:s,s:{s:s,s:s},s:{s:s,s:s}},s:I,s:s}", "aud", cl.issuer,
		"exp", (json_int_t)now + 3600, "iat", (json_int_t)now, "iss", cl.issuer, "jti", "j",
		"kubernetes.io", "namespace", "default", "serviceaccount", "name", "app", "uid",
		sa_uid, "secret", "name", secret, "uid", secret_uid, "nbf", (json_int_t)now, "sub",
		"system:serviceaccount:default:app");
	json_t *header = json_pack("{s:s,s:s}", "alg", "RS256", "kid", cl.sa_kid);
	char *tok = jwt_sign(cl.sa_key, cl.sa_kid, header, claims);
	json_decref(header);
	json_decref(claims);
	return tok;
}

/* Bound objects and the service account itself, gone or replaced. */
static void test_tokens_gone(void)
{
	struct kube_user u;
	char err[512], expect[512], sa_uid[64], sec_uid[64];
	put_object("secrets", "{\"metadata\":{\"name\":\"s1\",\"namespace\":\"default\"}}");
	snprintf(sa_uid, sizeof(sa_uid), "%s", uid_of("serviceaccounts", "default", "app"));
	snprintf(sec_uid, sizeof(sec_uid), "%s", uid_of("secrets", "default", "s1"));
	char *tok = secret_token(sa_uid, "s1", sec_uid);
	CHECK(tok != NULL);
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), 0);
	CHECK_STR(u.name, "system:serviceaccount:default:app");
	/* the secret recreated: another uid */
	CHECK_EQ_INT(store_delete(st, P "/registry/secrets.core/default/s1", STORE_ANY_REV, NULL),
		     0);
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	CHECK_STR(err, "[invalid bearer token, service account token has been invalidated]");
	CHECK_STR(u.name, "system:anonymous");
	put_object("secrets", "{\"metadata\":{\"name\":\"s1\",\"namespace\":\"default\"}}");
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	snprintf(expect, sizeof(expect),
		 "[invalid bearer token, secret UID (%s) does not match service account secret "
		 "ref claim (%s)]",
		 uid_of("secrets", "default", "s1"), sec_uid);
	CHECK_STR(err, expect);
	free(tok);

	/* the service account deleted: the getter's NotFound */
	tok = kube_sa_token(&cl, "default", "app", sa_uid, NULL, 0, 3600, NULL, NULL);
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), 0);
	CHECK_EQ_INT(store_delete(st, P "/registry/serviceaccounts.core/default/app", STORE_ANY_REV,
				  NULL),
		     0);
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	CHECK_STR(err, "[invalid bearer token, serviceaccounts \"app\" not found]");
	/* ... and recreated under the same name: another uid, the old token stays dead */
	put_object("serviceaccounts",
		   "{\"metadata\":{\"name\":\"app\",\"namespace\":\"default\"}}");
	CHECK_EQ_INT(authn_token(&cl, tok, NULL, 0, &u, NULL, NULL, err, sizeof(err)), -EACCES);
	snprintf(expect, sizeof(expect),
		 "[invalid bearer token, service account UID (%s) does not match claim (%s)]",
		 uid_of("serviceaccounts", "default", "app"), sa_uid);
	CHECK_STR(err, expect);
	free(tok);
}

/* TokenRequest's expirationSeconds: ValidateTokenRequest, then GKE's
 * --service-account-max-token-expiration (48 h) */
static void test_token_expiration(void)
{
	int64_t g = -1;
	const char *d = NULL;
	CHECK_EQ_INT(tokens_expiration(599, &g, &d), -EINVAL);
	CHECK_STR(d, "may not specify a duration less than 10 minutes");
	CHECK_EQ_INT(tokens_expiration(600, &g, &d), 0);
	CHECK_EQ_INT(g, 600);
	CHECK(d == NULL);
	CHECK_EQ_INT(tokens_expiration(3600, &g, &d), 0);
	CHECK_EQ_INT(g, 3600);
	CHECK_EQ_INT(tokens_expiration(172800, &g, &d), 0);
	CHECK_EQ_INT(g, 172800);
	CHECK_EQ_INT(tokens_expiration(172801, &g, &d), 1);
	CHECK_EQ_INT(g, 172800);
	CHECK_EQ_INT(tokens_expiration(3600000, &g, &d), 1); /* --duration=1000h */
	CHECK_EQ_INT(g, 172800);
	CHECK_EQ_INT(tokens_expiration(INT64_C(1) << 32, &g, &d), 1);
	CHECK_EQ_INT(g, 172800);
	CHECK_EQ_INT(tokens_expiration((INT64_C(1) << 32) + 1, &g, &d), -EINVAL);
	CHECK_STR(d, "may not specify a duration larger than 2^32 seconds");
	CHECK_EQ_INT(tokens_expiration(-1, &g, &d), -EINVAL);
}

/* The impersonate verb through the chain: RBAC, then IAM's container.clusters.impersonate
 * for a Google caller. */
static void test_impersonate_chain(void)
{
	struct kube_user u = google_sa();
	struct kube_attrs a = res("impersonate", "", "users", NULL, NULL, "jane");
	char reason[1024], msg[2048];
	a.version[0] = '\0';
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_DENY);
	CHECK_STR(reason, "requires one of [\"container.clusters.impersonate\"] permission(s).");
	kube_forbidden_message(&u, &a, reason, msg, sizeof(msg));
	CHECK_STR(msg, "users \"jane\" is forbidden: User \"" SA_EMAIL "\" cannot impersonate "
		       "resource \"users\" in API group \"\" at the cluster scope: requires one of "
		       "[\"container.clusters.impersonate\"] permission(s).");
	/* roles/container.developer does not hold it; roles/container.admin does */
	seed("{\"bindings\":[{\"role\":\"roles/"
	     "container.developer\",\"members\":[\"serviceAccount:" SA_EMAIL "\"]}]}");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_DENY);
	seed("{\"bindings\":[{\"role\":\"roles/"
	     "container.admin\",\"members\":[\"serviceAccount:" SA_EMAIL "\"]}]}");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &a, reason, sizeof(reason)), KUBE_ALLOW);
	struct kube_attrs x =
		res("impersonate", "authentication.k8s.io", "userextras", "scopes", NULL, "view");
	CHECK_EQ_INT(kube_authorize(&cl, &u, &x, reason, sizeof(reason)), KUBE_ALLOW);
	seed("{\"bindings\":[]}");

	/* RBAC: impersonate users/jane, by name */
	struct kube_user ksa;
	memset(&ksa, 0, sizeof(ksa));
	snprintf(ksa.name, sizeof(ksa.name), "system:serviceaccount:default:app");
	CHECK_EQ_INT(kube_authorize(&cl, &ksa, &a, reason, sizeof(reason)), KUBE_NO_OPINION);
	put(P "/registry/clusterroles.rbac.authorization.k8s.io/as-jane",
	    "{\"metadata\":{\"name\":\"as-jane\"},\"rules\":[{\"apiGroups\":[\"\"],"
	    "\"resources\":[\"users\"],\"verbs\":[\"impersonate\"],\"resourceNames\":[\"jane\"]}]"
	    "}");
	put(P "/registry/clusterrolebindings.rbac.authorization.k8s.io/app-as-jane",
	    "{\"metadata\":{\"name\":\"app-as-jane\"},\"roleRef\":{\"apiGroup\":"
	    "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"as-jane\"},"
	    "\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"app\",\"namespace\":"
	    "\"default\"}]}");
	CHECK_EQ_INT(kube_authorize(&cl, &ksa, &a, reason, sizeof(reason)), KUBE_ALLOW);
	struct kube_attrs joe = res("impersonate", "", "users", NULL, NULL, "joe");
	CHECK_EQ_INT(kube_authorize(&cl, &ksa, &joe, reason, sizeof(reason)), KUBE_NO_OPINION);
	struct kube_attrs grp = res("impersonate", "", "groups", NULL, NULL, "jane");
	CHECK_EQ_INT(kube_authorize(&cl, &ksa, &grp, reason, sizeof(reason)), KUBE_NO_OPINION);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/gkeid.db", dir);
	if (store_open(db_path, &st) != 0 ||
	    iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam) != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	cloud.store = st;
	cloud.iam = iam;
	kube.store = st;
	kube.cloud = &cloud;
	cl.kube = &kube;
	snprintf(cl.project, sizeof(cl.project), "example-project");
	snprintf(cl.location, sizeof(cl.location), "us-central1");
	snprintf(cl.name, sizeof(cl.name), "demo");
	snprintf(cl.prefix, sizeof(cl.prefix), "%s", P);
	snprintf(cl.issuer, sizeof(cl.issuer),
		 "https://container.googleapis.com/v1/projects/example-project/locations/"
		 "us-central1/clusters/demo");
	cl.sa_key = key_generate();
	if (!cl.sa_key)
		return 1;
	key_id(cl.sa_key, cl.sa_kid);
	RUN(test_forbidden_messages);
	RUN(test_gke_mapping);
	RUN(test_chain);
	RUN(test_tokens);
	RUN(test_tokens_gone);
	RUN(test_token_expiration);
	RUN(test_impersonate_chain);
	rbac_forget(&cl);
	EVP_PKEY_free(cl.sa_key);
	iam_free(iam);
	store_close(st);
	t_rmtree(dir);
	return t_done();
}
