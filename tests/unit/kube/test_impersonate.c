/*
 * test_impersonate.c - the pure parts of impersonation (src/kube/impersonate.c) against
 * kube-apiserver's impersonation filter (k8s.io/apiserver/pkg/endpoints/filters/
 * impersonation.go and its impersonation_test.go): which headers ask for what
 * (buildImpersonationRequests, serviceaccount.SplitUsername, unescapeExtraKey), the
 * error for groups, extras or a uid without a user, the authorization attributes of
 * each request, and the user they build (the groups upstream adds).
 */
#include "t.h"

#include "kube/impersonate.h"

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <string.h>

static struct evkeyvalq hdrs;

static void reset(void)
{
	evhttp_clear_headers(&hdrs);
	TAILQ_INIT(&hdrs);
}

static void hdr(const char *k, const char *v)
{
	CHECK_EQ_INT(evhttp_add_header(&hdrs, k, v), 0);
}

static int parse(struct imp_set *set, char *msg, size_t len)
{
	return impersonate_parse(&hdrs, set, msg, len);
}

static void test_none(void)
{
	struct imp_set set;
	char msg[512];
	reset();
	hdr("Authorization", "Bearer x");
	hdr("Impersonate", "nobody"); /* not an Impersonate-* header */
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(set.n, 0);
	/* an empty Impersonate-User asks for nothing (len(requestedUser) > 0) */
	reset();
	hdr("Impersonate-User", "");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(set.n, 0);
}

static void test_user_and_service_account(void)
{
	struct imp_set set;
	char msg[512];
	reset();
	hdr("impersonate-user", "jane"); /* header names are case-insensitive */
	hdr("Impersonate-User", "joe");	 /* headers.Get: the first */
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(set.n, 1);
	CHECK_EQ_INT(set.req[0].kind, IMP_USER);
	CHECK_STR(set.req[0].name, "jane");
	CHECK_EQ_INT(set.groups_specified, 0);

	reset();
	hdr("Impersonate-User", "system:serviceaccount:team-a:lowpriv");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(set.req[0].kind, IMP_SERVICE_ACCOUNT);
	CHECK_STR(set.req[0].namespace_, "team-a");
	CHECK_STR(set.req[0].name, "lowpriv");

	/* SplitUsername's refusals: then it is a plain user of that name */
	static const char *const not_sa[] = {
		"system:serviceaccount:team-a",	     /* one part */
		"system:serviceaccount:team-a:x:y",  /* three parts */
		"system:serviceaccount::x",	     /* empty namespace */
		"system:serviceaccount:team-a:",     /* empty name */
		"system:serviceaccount:Team-A:x",    /* not a DNS-1123 label */
		"system:serviceaccount:team-a:-x",   /* not a DNS-1123 subdomain */
		"system:serviceaccount:team-a:x..y", /* an empty label */
		"system:serviceaccounts:team-a:x",   /* another prefix */
		"system:serviceaccount:"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x",
	};
	for (size_t i = 0; i < sizeof(not_sa) / sizeof(not_sa[0]); i++) {
		reset();
		hdr("Impersonate-User", not_sa[i]);
		CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
		CHECK_EQ_INT(set.req[0].kind, IMP_USER);
		CHECK_STR(set.req[0].name, not_sa[i]);
	}
	reset();
	hdr("Impersonate-User", "system:serviceaccount:kube-system:my.sa-1");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(set.req[0].kind, IMP_SERVICE_ACCOUNT);
	CHECK_STR(set.req[0].name, "my.sa-1");
}

static void test_groups_extras_uid(void)
{
	struct imp_set set;
	char msg[512];
	reset();
	hdr("Impersonate-Uid", "u-1");
	hdr("Impersonate-Extra-Scopes", "view");
	hdr("Impersonate-Group", "devs");
	hdr("Impersonate-User", "jane");
	hdr("Impersonate-Extra-Example.com%2FTeam", "a");
	hdr("IMPERSONATE-EXTRA-scopes", "edit");
	hdr("Impersonate-Group", "");
	hdr("Impersonate-Extra-Bad%zzKey", "b"); /* a malformed escape: kept as sent */
	hdr("Impersonate-Extra-A+b%", "c");	 /* '+' stays; a lone '%' is malformed */
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	/* upstream's order: the user, the groups, the extras, the uid */
	CHECK_EQ_INT(set.n, 9);
	CHECK_EQ_INT(set.req[0].kind, IMP_USER);
	CHECK_EQ_INT(set.req[1].kind, IMP_GROUP);
	CHECK_STR(set.req[1].name, "devs");
	CHECK_EQ_INT(set.req[2].kind, IMP_GROUP);
	CHECK_STR(set.req[2].name, "");
	CHECK_EQ_INT(set.groups_specified, 2);
	CHECK_EQ_INT(set.req[3].kind, IMP_USER_EXTRA);
	CHECK_STR(set.req[3].key, "scopes");
	CHECK_STR(set.req[3].name, "view");
	CHECK_STR(set.req[4].key, "example.com/team");
	CHECK_STR(set.req[4].name, "a");
	CHECK_STR(set.req[5].key, "scopes");
	CHECK_STR(set.req[5].name, "edit");
	CHECK_STR(set.req[6].key, "bad%zzkey");
	CHECK_STR(set.req[7].key, "a+b%");
	CHECK_EQ_INT(set.req[8].kind, IMP_UID);
	CHECK_STR(set.req[8].name, "u-1");

	/* the user they build */
	struct kube_user u;
	CHECK_EQ_INT(impersonate_user(&set, &u), 0);
	CHECK_STR(u.name, "jane");
	CHECK_STR(u.uid, "u-1");
	CHECK_EQ_INT(u.n_groups, 3);
	CHECK_STR(u.groups[0], "devs");
	CHECK_STR(u.groups[1], "");
	CHECK_STR(u.groups[2], "system:authenticated");
	CHECK_STR(u.extra, "{\"scopes\":[\"view\",\"edit\"],\"example.com/team\":[\"a\"],"
			   "\"bad%zzkey\":[\"b\"],\"a+b%\":[\"c\"]}");
	CHECK(!u.google);
}

/* upstream's message: fmt.Sprintf("requested %v without impersonating a user", refs),
 * each a v1.ObjectReference printed by %v. */
static void test_without_user(void)
{
	struct imp_set set;
	char msg[512];
	reset();
	hdr("Impersonate-Group", "system:masters");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(msg, "requested [{Group  system:masters    }] without impersonating a user");
	CHECK_EQ_INT(set.n, 0);
	reset();
	hdr("Impersonate-Uid", "42");
	hdr("Impersonate-Extra-Scopes", "view");
	hdr("Impersonate-Group", "devs");
	hdr("Impersonate-User", "");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(msg, "requested [{Group  devs    } {UserExtra  view  authentication.k8s.io/v1  "
		       "scopes} {UID  42  authentication.k8s.io/v1  }] without impersonating a "
		       "user");
	/* a short buffer truncates */
	char tiny[20];
	CHECK_EQ_INT(parse(&set, tiny, sizeof(tiny)), -EINVAL);
	CHECK_EQ_INT(strlen(tiny), 19);
}

static void test_limits(void)
{
	struct imp_set set;
	char msg[512], big[400];
	reset();
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hdr("Impersonate-User", big);
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), -E2BIG);
	CHECK_STR(msg, "Impersonate-User is longer than 319 bytes");
	big[IMP_NAME_MAX] = '\0';
	reset();
	hdr("Impersonate-User", big); /* 255 bytes: fits */
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	reset();
	hdr("Impersonate-User", "jane");
	hdr("Impersonate-Uid", big);
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), -E2BIG);
	reset();
	hdr("Impersonate-User", "jane");
	for (int i = 0; i < KUBE_MAX_GROUPS - 1; i++)
		hdr("Impersonate-Group", "g");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	hdr("Impersonate-Group", "g");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), -E2BIG);
	CHECK_STR(msg, "too many impersonated groups: gkeid takes at most 15");
	reset();
	hdr("Impersonate-User", "jane");
	for (int i = 0; i < IMP_MAX; i++)
		hdr("Impersonate-Extra-K", "v");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), -E2BIG);
	reset();
	hdr("Impersonate-User", "jane");
	hdr("Impersonate-Extra-K%00", "v");
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), -E2BIG);
	CHECK_STR(msg, "an impersonated extra key holds a NUL byte");
}

/* Each request's attributes, and the Forbidden text they give (responsewriters.Forbidden). */
static void test_attrs(void)
{
	static const struct {
		enum imp_kind kind;
		const char *ns, *name, *key;
		const char *group, *version, *resource, *forbidden;
	} cases[] = {
		{IMP_USER, "", "jane", "", "", "", "users",
		 "users \"jane\" is forbidden: User \"bob\" cannot impersonate resource \"users\" "
		 "in API group \"\" at the cluster scope"},
		{IMP_SERVICE_ACCOUNT, "team-a", "lowpriv", "", "", "", "serviceaccounts",
		 "serviceaccounts \"lowpriv\" is forbidden: User \"bob\" cannot impersonate "
		 "resource \"serviceaccounts\" in API group \"\" in the namespace \"team-a\""},
		{IMP_GROUP, "", "system:masters", "", "", "", "groups",
		 "groups \"system:masters\" is forbidden: User \"bob\" cannot impersonate resource "
		 "\"groups\" in API group \"\" at the cluster scope"},
		{IMP_USER_EXTRA, "", "view", "scopes", "authentication.k8s.io", "v1", "userextras",
		 "userextras.authentication.k8s.io \"view\" is forbidden: User \"bob\" cannot "
		 "impersonate resource \"userextras/scopes\" in API group "
		 "\"authentication.k8s.io\" at the cluster scope"},
		{IMP_UID, "", "42", "", "authentication.k8s.io", "v1", "uids",
		 "uids.authentication.k8s.io \"42\" is forbidden: User \"bob\" cannot impersonate "
		 "resource \"uids\" in API group \"authentication.k8s.io\" at the cluster scope"},
	};
	struct kube_user bob;
	memset(&bob, 0, sizeof(bob));
	snprintf(bob.name, sizeof(bob.name), "bob");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct imp_request q;
		struct kube_attrs a;
		char msg[512];
		memset(&q, 0, sizeof(q));
		q.kind = cases[i].kind;
		snprintf(q.namespace_, sizeof(q.namespace_), "%s", cases[i].ns);
		snprintf(q.name, sizeof(q.name), "%s", cases[i].name);
		snprintf(q.key, sizeof(q.key), "%s", cases[i].key);
		impersonate_attrs(&q, &a);
		CHECK(a.resource_request);
		CHECK_STR(a.verb, "impersonate");
		CHECK_STR(a.group, cases[i].group);
		CHECK_STR(a.version, cases[i].version);
		CHECK_STR(a.resource, cases[i].resource);
		CHECK_STR(a.subresource, cases[i].key);
		CHECK_STR(a.namespace_, cases[i].ns);
		CHECK_STR(a.name, cases[i].name);
		kube_forbidden_message(&bob, &a, "", msg, sizeof(msg));
		CHECK_STR(msg, cases[i].forbidden);
	}
}

static struct kube_user user_of(const char *name, const char *const *groups, size_t n_groups)
{
	struct imp_set set;
	struct kube_user u;
	char msg[512];
	reset();
	hdr("Impersonate-User", name);
	for (size_t i = 0; i < n_groups; i++)
		hdr("Impersonate-Group", groups[i]);
	CHECK_EQ_INT(parse(&set, msg, sizeof(msg)), 0);
	CHECK_EQ_INT(impersonate_user(&set, &u), 0);
	return u;
}

/* WithImpersonation's groups (impersonation_test.go's cases) */
static void test_groups_added(void)
{
	struct kube_user u = user_of("system:serviceaccount:team-a:lowpriv", NULL, 0);
	CHECK_STR(u.name, "system:serviceaccount:team-a:lowpriv");
	CHECK_EQ_INT(u.n_groups, 3);
	CHECK_STR(u.groups[0], "system:serviceaccounts");
	CHECK_STR(u.groups[1], "system:serviceaccounts:team-a");
	CHECK_STR(u.groups[2], "system:authenticated");
	CHECK_STR(u.uid, "");
	CHECK_STR(u.extra, "");
	/* groups given: those, not the service account's */
	const char *devs[] = {"devs"};
	u = user_of("system:serviceaccount:team-a:lowpriv", devs, 1);
	CHECK_EQ_INT(u.n_groups, 2);
	CHECK_STR(u.groups[0], "devs");
	CHECK_STR(u.groups[1], "system:authenticated");
	/* a plain user: system:authenticated only */
	u = user_of("jane", NULL, 0);
	CHECK_EQ_INT(u.n_groups, 1);
	CHECK_STR(u.groups[0], "system:authenticated");
	/* system:authenticated or system:unauthenticated given: nothing added */
	const char *authd[] = {"system:authenticated", "devs"};
	u = user_of("jane", authd, 2);
	CHECK_EQ_INT(u.n_groups, 2);
	const char *unauth[] = {"system:unauthenticated"};
	u = user_of("jane", unauth, 1);
	CHECK_EQ_INT(u.n_groups, 1);
	CHECK_STR(u.groups[0], "system:unauthenticated");
	/* system:anonymous: system:unauthenticated, never system:authenticated */
	u = user_of("system:anonymous", NULL, 0);
	CHECK_EQ_INT(u.n_groups, 1);
	CHECK_STR(u.groups[0], "system:unauthenticated");
	u = user_of("system:anonymous", authd, 2);
	CHECK_EQ_INT(u.n_groups, 3);
	CHECK_STR(u.groups[2], "system:unauthenticated");
	u = user_of("system:anonymous", unauth, 1);
	CHECK_EQ_INT(u.n_groups, 1);
	/* duplicates stay, as upstream appends them */
	const char *dup[] = {"devs", "devs"};
	u = user_of("jane", dup, 2);
	CHECK_EQ_INT(u.n_groups, 3);
}

/* GKE's IAM authorizer judges a name: the impersonated Google identity is one */
static void test_google_by_name(void)
{
	struct kube_user u = user_of("alice@example.com", NULL, 0);
	CHECK(u.google);
	CHECK_STR(u.google_member, "user:alice@example.com");
	u = user_of("app@example-project.iam.gserviceaccount.com", NULL, 0);
	CHECK(u.google);
	CHECK_STR(u.google_member, "serviceAccount:app@example-project.iam.gserviceaccount.com");
	u = user_of("principal://iam.googleapis.com/projects/1/locations/global/"
		    "workloadIdentityPools/p.svc.id.goog/subject/ns/a/sa/b",
		    NULL, 0);
	CHECK(u.google);
	CHECK_STR(u.google_member, u.name);
	u = user_of("jane", NULL, 0);
	CHECK(!u.google);
	CHECK_STR(u.google_member, "");
	u = user_of("system:serviceaccount:a:b", NULL, 0);
	CHECK(!u.google);
	u = user_of("odd:name@example.com", NULL, 0);
	CHECK(!u.google);
}

int main(void)
{
	TAILQ_INIT(&hdrs);
	RUN(test_none);
	RUN(test_user_and_service_account);
	RUN(test_groups_extras_uid);
	RUN(test_without_user);
	RUN(test_limits);
	RUN(test_attrs);
	RUN(test_groups_added);
	RUN(test_google_by_name);
	evhttp_clear_headers(&hdrs);
	return t_done();
}
