/*
 * state.c - parses a state file (YAML, docs/state.md) and writes it into the store.
 */
#include "cloud/state.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloud/cloud.h"
#include "cloud/container.h"
#include "cloud/hier.h"
#include "core/dbuf.h"
#include "core/store.h"
#include "core/yaml.h"

static int fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg ? arg : "");
	return -EINVAL;
}

static int valid_project_id(const char *id)
{
	size_t n = strlen(id);
	if (n < 6 || n > 30 || !islower((unsigned char)id[0]) || id[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)id[i]) && !isdigit((unsigned char)id[i]) && id[i] != '-')
			return 0;
	return 1;
}

static int valid_number(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 20 || s[0] == '0')
		return 0;
	return strspn(s, "0123456789") == n;
}

/* projectNumber may be written as a YAML integer or a string; normalize to a string. */
static int normalize_number(json_t *p)
{
	json_t *num = json_object_get(p, "projectNumber");
	if (json_is_integer(num)) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(num));
		return json_object_set_new(p, "projectNumber", json_string(buf));
	}
	return 0;
}

/* The top level names only the fields docs/state.md lists. */
static int check_fields(const json_t *s, char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)s, k, v)
	{
		if (strcmp(k, "admin") && strcmp(k, "users") && strcmp(k, "projects") &&
		    strcmp(k, "workloadIdentityIssuers") && strcmp(k, "organizations") &&
		    strcmp(k, "folders"))
			return fail(err, errlen, "state: unknown field \"%s\"", k);
	}
	return 0;
}

/* One entry of projects (its projectNumber normalized to a string). */
static int check_project(json_t *v, char *err, size_t errlen)
{
	if (!json_is_object(v) || normalize_number(v) != 0)
		return fail(err, errlen, "state: each project must be a mapping%s", NULL);
	const char *id = json_string_value(json_object_get(v, "projectId"));
	const char *num = json_string_value(json_object_get(v, "projectNumber"));
	if (!id || !valid_project_id(id))
		return fail(err, errlen,
			    "state: invalid projectId \"%s\" (6-30 lower-case letters, digits or "
			    "hyphens, starting with a letter)",
			    id);
	if (!num || !valid_number(num))
		return fail(err, errlen, "state: project %s needs a numeric projectNumber", id);
	json_t *svcs = json_object_get(v, "services");
	if (svcs && !json_is_array(svcs))
		return fail(err, errlen, "state: project %s: services must be a list", id);
	json_t *pol = json_object_get(v, "iamPolicy");
	if (pol && !json_is_object(pol))
		return fail(err, errlen, "state: project %s: iamPolicy must be a mapping", id);
	json_t *clusters = json_object_get(v, "clusters");
	if (clusters && !json_is_array(clusters))
		return fail(err, errlen, "state: project %s: clusters must be a list", id);
	size_t ci;
	json_t *cl;
	json_array_foreach(clusters, ci, cl)
	{
		if (!json_string_value(json_object_get(cl, "name")) ||
		    !json_string_value(json_object_get(cl, "location")))
			return fail(err, errlen,
				    "state: project %s: each cluster needs a name and a location",
				    id);
	}
	return 0;
}

/* users: a list of emails. */
static int check_users(const json_t *s, char *err, size_t errlen)
{
	size_t i;
	json_t *v, *users = json_object_get(s, "users");
	if (users && !json_is_array(users))
		return fail(err, errlen, "state: \"users\" must be a list of emails%s", NULL);
	json_array_foreach(users, i, v)
	{
		if (!json_is_string(v) || !strchr(json_string_value(v), '@'))
			return fail(err, errlen, "state: \"users\" must be a list of emails%s",
				    NULL);
	}
	return 0;
}

/* workloadIdentityIssuers: each with issuer, workloadPool and jwks or jwksFile. */
static int check_issuers(const json_t *s, char *err, size_t errlen)
{
	size_t i;
	json_t *v, *iss = json_object_get(s, "workloadIdentityIssuers");
	if (iss && !json_is_array(iss))
		return fail(err, errlen, "state: \"workloadIdentityIssuers\" must be a list%s",
			    NULL);
	json_array_foreach(iss, i, v)
	{
		if (!json_string_value(json_object_get(v, "issuer")) ||
		    !json_string_value(json_object_get(v, "workloadPool")) ||
		    (!json_object_get(v, "jwks") &&
		     !json_string_value(json_object_get(v, "jwksFile"))))
			return fail(err, errlen,
				    "state: each workloadIdentityIssuer needs issuer, workloadPool "
				    "and jwks or jwksFile%s",
				    NULL);
	}
	return 0;
}

int state_parse(const char *text, size_t len, json_t **out, char *err, size_t errlen)
{
	json_t *s = NULL, *v;
	char yerr[256];
	size_t i;
	*out = NULL;
	if (yaml_to_json(text, len, &s, yerr, sizeof(yerr)) != 0)
		return fail(err, errlen, "state: %s", yerr);
	int rc = -EINVAL;
	if (!json_is_object(s)) {
		fail(err, errlen, "state: the document must be a mapping%s", NULL);
		goto out;
	}
	if ((rc = check_fields(s, err, errlen)) != 0)
		goto out;
	json_t *projects = json_object_get(s, "projects");
	if (!json_is_array(projects) || json_array_size(projects) == 0) {
		rc = fail(err, errlen, "state: \"projects\" must be a non-empty list%s", NULL);
		goto out;
	}
	json_array_foreach(projects, i, v)
	{
		if ((rc = check_project(v, err, errlen)) != 0)
			goto out;
	}
	if ((rc = check_users(s, err, errlen)) != 0 || (rc = check_issuers(s, err, errlen)) != 0)
		goto out;
	rc = -EINVAL;
	if (hier_state_check(s, err, errlen) != 0)
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	json_decref(s);
	return rc;
}

const char *state_admin(const json_t *state)
{
	const char *a = json_string_value(json_object_get(state, "admin"));
	return a ? a : json_string_value(json_array_get(json_object_get(state, "users"), 0));
}

const char *state_default_project(const json_t *state)
{
	return json_string_value(
		json_object_get(json_array_get(json_object_get(state, "projects"), 0), "projectId"));
}

static int put_json(struct cloud *c, const char *key, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		return -ENOMEM;
	int rc = store_put(c->store, key, s, strlen(s), STORE_ANY_REV, NULL);
	free(s);
	return rc;
}

static void now_rfc3339(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static json_t *load_jwks(const json_t *iss, const char *base_dir, char *err, size_t errlen)
{
	json_t *inline_jwks = json_object_get(iss, "jwks");
	if (inline_jwks)
		return json_incref(inline_jwks);
	const char *file = json_string_value(json_object_get(iss, "jwksFile"));
	char path[4096];
	int rc = file[0] == '/' || !base_dir ? SFMT(path, "%s", file)
					     : SFMT(path, "%s/%s", base_dir, file);
	if (rc) {
		fail(err, errlen, "state: jwksFile %s: the path is too long", file);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		snprintf(err, errlen, "state: jwksFile %s: %s", path, je.text);
	return j;
}

int state_apply(struct cloud *c, const json_t *state, const char *base_dir, char *err,
		size_t errlen)
{
	char key[1024], created[40];
	size_t i, j;
	json_t *p, *v;
	int rc = 0;
	now_rfc3339(created, sizeof(created));
	json_array_foreach(json_object_get(state, "users"), i, v)
	{
		if (SFMT(key, "/users/%s", json_string_value(v))) {
			rc = fail(err, errlen, "state: user %s: the email is too long",
				  json_string_value(v));
			goto out;
		}
		if ((rc = put_json(c, key, json_pack("{s:s}", "email", json_string_value(v)))))
			goto out;
	}
	json_array_foreach(json_object_get(state, "projects"), i, p)
	{
		const char *id = json_string_value(json_object_get(p, "projectId"));
		const char *num = json_string_value(json_object_get(p, "projectNumber"));
		const char *name = json_string_value(json_object_get(p, "name"));
		if ((rc = SFMT(key, "/projects/%s", id)))
			goto out;
		rc = put_json(c, key,
			      json_pack("{s:s, s:s, s:s, s:s, s:s}", "projectNumber", num, "projectId",
					id, "lifecycleState", "ACTIVE", "name", name ? name : id,
					"createTime", created));
		if (rc)
			goto out;
		json_array_foreach(json_object_get(p, "services"), j, v)
		{
			const char *svc = json_string_value(v);
			if (!svc) {
				rc = fail(err, errlen, "state: project %s: a service is not a string", id);
				goto out;
			}
			char parent[64], sname[300];
			if (SFMT(parent, "projects/%s", num) ||
			    SFMT(sname, "projects/%s/services/%s", num, svc) ||
			    SFMT(key, "/projects/%s/services/%s", id, svc)) {
				rc = fail(err, errlen, "state: project %s: a service name is too long",
					  id);
				goto out;
			}
			rc = put_json(c, key,
				      json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "name", sname, "config",
						"name", svc, "title", cloud_service_title(svc), "state",
						"ENABLED", "parent", parent));
			if (rc)
				goto out;
		}
		json_t *pol = json_object_get(p, "iamPolicy");
		if (pol) {
			char resource[300];
			if ((rc = SFMT(resource, "projects/%s", id)) ||
			    (rc = iam_seed_policy(c->iam, resource, pol)) != 0) {
				fail(err, errlen, "state: project %s: invalid iamPolicy", id);
				goto out;
			}
		}
		json_array_foreach(json_object_get(p, "clusters"), j, v)
		{
			char cerr[512];
			rc = container_cluster_create(c, id,
						      json_string_value(json_object_get(v, "location")),
						      v, cerr, sizeof(cerr));
			if (rc) {
				snprintf(err, errlen, "state: project %s: %s", id, cerr);
				goto out;
			}
		}
	}
	json_array_foreach(json_object_get(state, "workloadIdentityIssuers"), i, v)
	{
		json_t *jwks = load_jwks(v, base_dir, err, errlen);
		if (!jwks) {
			rc = -EINVAL;
			goto out;
		}
		rc = sts_issuer_put(c, json_string_value(json_object_get(v, "issuer")),
				    json_string_value(json_object_get(v, "workloadPool")), jwks);
		json_decref(jwks);
		if (rc) {
			fail(err, errlen, "state: workloadIdentityIssuer %s could not be registered",
			     json_string_value(json_object_get(v, "issuer")));
			goto out;
		}
	}
	rc = hier_state_apply(c, state, err, errlen);
out:
	if (rc && err[0] == '\0')
		snprintf(err, errlen, "state: could not write to the store (%s)", strerror(-rc));
	return rc;
}
