/*
 * bench_iam.c - iam_check throughput on one thread.
 *
 * For N = 10, 100, 1,000 and 10,000 bindings, writes a project policy through
 * iam_set_policy (N bindings of 10 distinct members each, roles taken in turn from the
 * catalog; setIamPolicy merges bindings of the same role, so the stored policy has at
 * most one binding per role but all 10 x N members), then runs a fixed mix of checks
 * against it: members that are bound and members that are not, with permissions their
 * role grants and ones it does not. Prints "name value" lines:
 *   iam.check_per_sec.bindings_<N>      checks per second
 *   iam.check_allowed_pct.bindings_<N>  share of the mix that was allowed
 *   iam.set_policy_ms.bindings_<N>      the setIamPolicy that wrote the policy
 */
#include "bench.h"
#include "core/embed.h"
#include "core/store.h"
#include "iam/iam.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MEMBERS_PER_BINDING 10
#define N_CASES 4096
#define MIN_SECONDS 0.5

struct check_case {
	struct iam_principal p;
	const char *perm;
};

/* The permissions the mix asks for: read-only ones most roles grant, and ones only a
 * few (or none) do. */
static const char *const perms[] = {
	"container.pods.list",
	"container.roles.list",
	"container.secrets.get",
	"resourcemanager.projects.get",
	"iam.serviceAccounts.getAccessToken",
	"resourcemanager.projects.setIamPolicy",
	"container.clusterRoles.escalate",
	"serviceusage.services.enable",
};

static int run(struct iam *iam, struct store *st, size_t n_bindings)
{
	char resource[64], name[64];
	json_t *roles = iam_roles_list(iam), *policy = NULL, *bindings;
	size_t n_roles = json_array_size(roles), n_members = n_bindings * MEMBERS_PER_BINDING;
	char **members = NULL, **others = NULL;
	struct check_case *cases = NULL;
	const char *res[1] = { resource };
	double t0, t1, elapsed;
	uint64_t done = 0, allowed = 0;
	char *err = NULL;
	int rc = -1;

	(void)st;
	snprintf(resource, sizeof(resource), "projects/bench-%zu", n_bindings);
	members = calloc(n_members, sizeof(*members));
	others = calloc(N_CASES, sizeof(*others));
	cases = calloc(N_CASES, sizeof(*cases));
	policy = json_pack("{s:i,s:[]}", "version", 3, "bindings");
	if (!roles || !n_roles || !members || !others || !cases || !policy)
		goto out;
	bindings = json_object_get(policy, "bindings");
	for (size_t i = 0; i < n_bindings; i++) {
		const char *role = json_string_value(json_object_get(json_array_get(roles, i % n_roles),
								     "name"));
		json_t *b = json_pack("{s:s,s:[]}", "role", role, "members");

		if (!b || json_array_append_new(bindings, b) < 0)
			goto out;
		for (size_t j = 0; j < MEMBERS_PER_BINDING; j++) {
			size_t k = i * MEMBERS_PER_BINDING + j;

			snprintf(name, sizeof(name), "user:u%zu@example.com", k);
			members[k] = strdup(name);
			if (!members[k] ||
			    json_array_append_new(json_object_get(b, "members"), json_string(name)) < 0)
				goto out;
		}
	}
	t0 = now_s();
	rc = iam_set_policy(iam, resource, policy, 0, NULL, &err);
	t1 = now_s();
	if (rc < 0) {
		fprintf(stderr, "bench_iam: set_policy %s: %d %s\n", resource, rc, err ? err : "");
		goto out;
	}
	printf("iam.set_policy_ms.bindings_%zu %.1f\n", n_bindings, (t1 - t0) * 1e3);

	/* The mix: half bound members, half strangers; every principal is authenticated and
	 * named by two member strings, as a Kubernetes workload is. */
	for (size_t i = 0; i < N_CASES; i++) {
		struct check_case *c = &cases[i];

		snprintf(name, sizeof(name), "principal://goog/subject/x%zu@example.org", i);
		others[i] = strdup(name);
		if (!others[i])
			goto out;
		c->p.members[0] = i % 2 ? members[rnd() % n_members] : others[i];
		c->p.members[1] = others[i];
		c->p.n_members = 2;
		c->p.authenticated = 1;
		c->perm = perms[rnd() % (sizeof(perms) / sizeof(perms[0]))];
	}

	t0 = now_s();
	do {
		for (size_t i = 0; i < N_CASES; i++)
			allowed += (uint64_t)iam_check(iam, res, 1, &cases[i].p, cases[i].perm, 0);
		done += N_CASES;
		elapsed = now_s() - t0;
	} while (elapsed < MIN_SECONDS);
	printf("iam.check_per_sec.bindings_%zu %.0f\n", n_bindings, (double)done / elapsed);
	printf("iam.check_allowed_pct.bindings_%zu %.1f\n", n_bindings,
	       100.0 * (double)allowed / (double)done);
	fflush(stdout);
	rc = 0;
out:
	if (members)
		for (size_t i = 0; i < n_members; i++)
			free(members[i]);
	if (others)
		for (size_t i = 0; i < N_CASES; i++)
			free(others[i]);
	free(members);
	free(others);
	free(cases);
	free(err);
	json_decref(policy);
	json_decref(roles);
	return rc;
}

int main(void)
{
	static const size_t sizes[] = { 10, 100, 1000, 10000 };
	char dir[] = "/tmp/bench_iam.XXXXXX", path[128];
	struct store *st = NULL;
	struct iam *iam = NULL;
	int rc = 1;

	if (!mkdtemp(dir)) {
		perror("bench_iam: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (store_open(path, &st) < 0) {
		fprintf(stderr, "bench_iam: cannot open the store\n");
		goto out;
	}
	if (iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam) < 0) {
		fprintf(stderr, "bench_iam: cannot load the catalog\n");
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && rc == 0; i++)
		rc = run(iam, st, sizes[i]) < 0;
out:
	iam_free(iam);
	store_close(st);
	{
		static const char *const suffix[] = { "", "-wal", "-shm" };

		for (size_t i = 0; i < 3; i++) {
			char p[160];

			snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return rc;
}
