/*
 * test_routes.c - the Google APIs' route tables (cloud.h): every route names the IAM
 * permission its method checks, or says why it checks none; permissions have Google's
 * service.resource.verb form and are in the role catalogue; the read flag that chooses
 * the read-only scopes agrees with what the method does (a GET, getIamPolicy or
 * testIamPermissions reads); no two routes of the same method share a pattern;
 * cloud_route_of finds each route of a routed request by its table entry; and the APIs
 * that gcloud's configuration sends to gkeid cover every route.
 */
#include "t.h"

#include <string.h>

#include "cloud/cloud.h"
#include "core/embed.h"
#include "iam/iam.h"

/* "service.resources.verb": three non-empty dot-separated words. */
static int permission_form(const char *p)
{
	int parts = 1;
	size_t run = 0;
	for (; *p; p++) {
		if (*p == '.') {
			if (!run)
				return 0;
			parts++;
			run = 0;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
			return 0;
		} else {
			run++;
		}
	}
	return parts == 3 && run > 0;
}

static int reads(const struct cloud_route *rt)
{
	const char *colon = strrchr(rt->pattern, ':');
	return strcmp(rt->method, "GET") == 0 ||
	       (colon &&
		(strcmp(colon, ":getIamPolicy") == 0 || strcmp(colon, ":testIamPermissions") == 0));
}

static void test_every_route_says_its_permission(void)
{
	size_t n_apis = 0, total = 0;
	const struct cloud_api *const *apis = cloud_apis(&n_apis);
	struct iam *iam = NULL;
	CHECK_EQ_INT(iam_new(NULL, embed_roles_json, EMBED_LEN(roles_json), 0, &iam), 0);
	CHECK(n_apis >= 7);
	for (size_t i = 0; i < n_apis; i++) {
		const struct cloud_api *api = apis[i];
		CHECK(api->service && strstr(api->service, ".googleapis.com"));
		CHECK(api->n_routes > 0);
		for (size_t j = 0; j < api->n_routes; j++, total++) {
			const struct cloud_route *rt = &api->routes[j];
			int ok = rt->fn && rt->pattern && rt->method &&
				 (rt->permission ? permission_form(rt->permission) &&
							   iam_permission_known(iam, rt->permission)
						 : rt->why && strlen(rt->why) > 10);
			if (!ok)
				fprintf(stderr, "route %s %s: permission %s, why %s\n", rt->method,
					rt->pattern, rt->permission ? rt->permission : "(none)",
					rt->why ? rt->why : "(none)");
			CHECK(ok);
			/* "*" routes (tokeninfo) authenticate nothing, so have no scope class. */
			if (strcmp(rt->method, "*") != 0 && rt->read != reads(rt)) {
				fprintf(stderr, "route %s %s: read %d\n", rt->method, rt->pattern,
					rt->read);
				CHECK(0);
			}
		}
	}
	CHECK(total > 60);
	iam_free(iam);
}

static void test_no_route_twice(void)
{
	size_t n_apis = 0;
	const struct cloud_api *const *apis = cloud_apis(&n_apis);
	for (size_t i = 0; i < n_apis; i++)
		for (size_t j = 0; j < apis[i]->n_routes; j++)
			for (size_t k = i; k < n_apis; k++)
				for (size_t l = k == i ? j + 1 : 0; l < apis[k]->n_routes; l++) {
					const struct cloud_route *a = &apis[i]->routes[j],
								 *b = &apis[k]->routes[l];
					if (strcmp(a->method, b->method) == 0 &&
					    strcmp(a->pattern, b->pattern) == 0) {
						fprintf(stderr, "twice: %s %s\n", a->method,
							a->pattern);
						CHECK(0);
					}
				}
}

/* A request routed by the router carries a copy of the http_route; cloud_route_of finds
 * the table entry (and its API) again, and nothing for a route off the tables. */
static void test_route_of(void)
{
	size_t n_apis = 0;
	const struct cloud_api *const *apis = cloud_apis(&n_apis);
	for (size_t i = 0; i < n_apis; i++) {
		for (size_t j = 0; j < apis[i]->n_routes; j++) {
			const struct cloud_route *rt = &apis[i]->routes[j];
			struct http_route copy = {rt->method, rt->pattern, rt->fn};
			struct http_req r = {0};
			const struct cloud_api *api = NULL;
			r.route = &copy;
			const struct cloud_route *found = cloud_route_of(&r, &api);
			/* The first entry with the same method, pattern and handler. */
			CHECK(found && found->fn == rt->fn && found->pattern == rt->pattern);
			CHECK(api == apis[i]);
		}
	}
	struct http_route other = {"GET", "/other", NULL};
	struct http_req r = {0};
	r.route = &other;
	CHECK(cloud_route_of(&r, NULL) == NULL);
	r.route = NULL;
	CHECK(cloud_route_of(&r, NULL) == NULL);
}

/* The APIs the gcloud configuration sends here: sorted, unique, and each one marked
 * served has routes under /NAME/ (and each route's API prefix is in the list, or is
 * one gcloud reaches by another setting: /oauth2/ by auth/token_host, /sts/ and
 * /service_accounts/ by the client libraries). */
static void test_gcloud_apis(void)
{
	size_t n_apis = 0;
	const struct cloud_api *const *apis = cloud_apis(&n_apis);
	CHECK(cloud_n_gcloud_apis >= 5);
	for (size_t i = 0; i < cloud_n_gcloud_apis; i++) {
		const char *name = cloud_gcloud_apis[i].name;
		size_t len = strlen(name), routes = 0;
		if (i > 0)
			CHECK(strcmp(cloud_gcloud_apis[i - 1].name, name) < 0);
		for (size_t a = 0; a < n_apis; a++)
			for (size_t j = 0; j < apis[a]->n_routes; j++) {
				const char *pat = apis[a]->routes[j].pattern;
				routes += strncmp(pat + 1, name, len) == 0 && pat[len + 1] == '/';
			}
		CHECK(cloud_gcloud_apis[i].served ? routes > 0 : routes == 0);
	}
	for (size_t a = 0; a < n_apis; a++)
		for (size_t j = 0; j < apis[a]->n_routes; j++) {
			const char *pat = apis[a]->routes[j].pattern;
			size_t len = strcspn(pat + 1, "/"), found = 0;
			for (size_t i = 0; i < cloud_n_gcloud_apis; i++)
				found += strlen(cloud_gcloud_apis[i].name) == len &&
					 strncmp(cloud_gcloud_apis[i].name, pat + 1, len) == 0;
			CHECK(found == 1 || strncmp(pat, "/oauth2/", 8) == 0 ||
			      strncmp(pat, "/sts/", 5) == 0 ||
			      strncmp(pat, "/service_accounts/", 18) == 0);
		}
}

int main(void)
{
	RUN(test_every_route_says_its_permission);
	RUN(test_no_route_twice);
	RUN(test_route_of);
	RUN(test_gcloud_apis);
	return t_done();
}
