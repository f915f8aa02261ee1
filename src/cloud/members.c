/*
 * members.c - what Google checks of the principals named in a policy being set
 * (setIamPolicy on a project or a service account), beyond their syntax (iam.c): that a
 * service account named as a member exists, and that the Workload Identity pool of a
 * Kubernetes service account member exists. Both are 400 INVALID_ARGUMENT on Google:
 *   "Service account EMAIL does not exist."
 *     (gcloud add-iam-policy-binding, as quoted in GoogleCloudPlatform/generative-ai#944
 *     and solutions-modern-cicd-anthos#18)
 *   "Identity Pool does not exist (P.svc.id.goog)."
 *     (the pool is made with the first cluster of P with Workload Identity)
 *
 * Only members that the current policy does not hold already are checked, so a policy
 * that was seeded with a member (a state file) can still be read, changed and written
 * back. Service accounts are checked where gkeid can know them: those of a project it
 * has (P.iam.gserviceaccount.com) and Compute Engine default accounts of a project
 * number it has; others (Google's service agents, projects gkeid does not emulate) pass.
 * A pool exists while a cluster of its project has Workload Identity on it (Google keeps
 * the pool after the cluster is gone: gkeid does not).
 */
#include "cloud/cloud.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"

#define POOL_SUFFIX ".svc.id.goog"

/* True when a cluster of the pool's project has it as its workload pool. */
static int pool_exists(struct cloud *c, const char *pool, size_t n)
{
	char project[128], prefix[200];
	size_t plen = n - strlen(POOL_SUFFIX), count = 0;
	struct store_kv *kvs = NULL;
	int found = 0;

	if (plen == 0 || plen >= sizeof(project))
		return 0;
	memcpy(project, pool, plen);
	project[plen] = '\0';
	if (!cloud_id_ok(project) ||
	    (size_t)snprintf(prefix, sizeof(prefix), "/projects/%s/locations/", project) >=
		    sizeof(prefix) ||
	    store_range(c->store, prefix, 0, &kvs, &count, NULL) < 0)
		return 0;
	for (size_t i = 0; i < count && !found; i++) {
		const char *k = strstr(kvs[i].key + strlen(prefix), "/clusters/");
		json_t *cl;
		const char *wp;

		if (!k || strchr(k + 10, '/'))
			continue; /* a node pool or an operation */
		cl = json_loadb(kvs[i].value, kvs[i].value_len, 0, NULL);
		wp = json_string_value(json_object_get(
			json_object_get(cl, "workloadIdentityConfig"), "workloadPool"));
		found = wp && strlen(wp) == n && memcmp(wp, pool, n) == 0;
		json_decref(cl);
	}
	store_kvs_free(kvs, count);
	return found;
}

/* The error for one member, malloc'd, or NULL when it passes. *rc is -ENOMEM when the
 * message could not be made. */
static char *member_error(struct cloud *c, const char *m, int *rc)
{
	const char *email = m + strlen("serviceAccount:"), *br = strchr(email, '[');
	char project[128], *msg = NULL;
	json_t *p, *sa;

	if (br) {
		size_t n = (size_t)(br - email), s = strlen(POOL_SUFFIX);

		if (n <= s || memcmp(br - s, POOL_SUFFIX, s) != 0 || pool_exists(c, email, n))
			return NULL; /* not a GKE pool (iam.c judges the form), or one that exists
				      */
		if (asprintf(&msg, "Identity Pool does not exist (%.*s).", (int)n, email) < 0)
			*rc = -ENOMEM, msg = NULL;
		return msg;
	}
	if (!cloud_sa_project_of(c, email, project, sizeof(project)))
		return NULL;
	p = cloud_project_get(c, project);
	sa = p ? cloud_sa_get(c, email) : NULL;
	if (p && !sa && asprintf(&msg, "Service account %.300s does not exist.", email) < 0)
		*rc = -ENOMEM, msg = NULL;
	json_decref(p);
	json_decref(sa);
	return msg;
}

int cloud_policy_members_check(struct cloud *c, const char *resource, const json_t *policy,
			       char **err)
{
	json_t *cur = NULL, *held = json_object(), *b, *m;
	size_t i, j;
	int rc = 0;

	*err = NULL;
	if (!held)
		return -ENOMEM;
	if (iam_get_policy(c->iam, resource, 3, &cur) == 0)
		json_array_foreach(json_object_get(cur, "bindings"), i, b) json_array_foreach(
			json_object_get(b, "members"), j,
			m) if (json_is_string(m) && json_object_set(held, json_string_value(m),
								    json_true()) < 0) rc = -ENOMEM;
	json_array_foreach(json_object_get(policy, "bindings"), i, b)
	{
		json_array_foreach(json_object_get(b, "members"), j, m)
		{
			const char *s = json_string_value(m);

			if (rc < 0 || *err)
				goto out;
			if (!s || strncmp(s, "serviceAccount:", 15) != 0 ||
			    json_object_get(held, s))
				continue;
			*err = member_error(c, s, &rc);
		}
	}
out:
	json_decref(cur);
	json_decref(held);
	if (rc == 0 && *err)
		rc = -EINVAL;
	return rc;
}
