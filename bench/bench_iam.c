/*
 * bench_iam.c - iam_check throughput on one thread, and the cost of the role catalogue.
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
 * and the same three for "bindings_1000_conditional_100": 1,000 bindings of which every
 * tenth has an IAM condition (in turn on request.time and on resource.name and
 * resource.type, true for the mix; issue 12's figure, goal 1,000,000 checks/s), and for
 * "bindings_1000_deny_100": the 1,000 plain bindings with a deny policy of 100 rules on
 * the project (src/iam/deny.c), none of which names the mix's principals, so that every
 * check reads all 100 rules before the allow policy (the cost of deny against the plain
 * check of the same run).
 * The check rate is checks per second of the thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
 * so that other work on a shared machine does not count against it as waiting.
 *
 * Each figure is measured twice in the same run: with the catalogue the build embedded
 * (Google's full one when the build had the dataset, data/README) and, as the reference,
 * with the small data/roles.json of 24 roles read from the source tree (lines prefixed
 * "small_catalog."), then "ratio.iam_check_full_vs_small.bindings_<N>". The
 * catalogue's own cost, for each: iam.catalog_load_ms (iam_new without a store, the
 * median of 9 loads), iam.catalog_rss_kib (what the process's RSS grew by with one
 * loaded catalogue), iam.catalog_roles and iam.catalog_permissions.
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
#define LOADS 9

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

/* Seconds of this thread's CPU time. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The process's resident set, KiB. */
static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Every (n_bindings / n_cond)th binding has a condition, in turn on request.time and
 * on resource.name, both true for the mix's requests (so conditions are evaluated). */
static json_t *bench_condition(size_t i)
{
	return i % 2 ? json_pack("{s:s,s:s}", "title", "until 2100", "expression",
				 "request.time < timestamp(\"2100-01-01T00:00:00Z\")")
		     : json_pack(
			       "{s:s,s:s}", "title", "bench projects", "expression",
			       "resource.name.startsWith(\"projects/bench-\") && "
			       "resource.type == \"cloudresourcemanager.googleapis.com/Project\"");
}

/* A deny policy of n rules on resource, each denying a principal the mix never is
 * some of the mix's permissions (v2 form), written as the IAM v2 API stores it. */
static int put_deny(struct store *st, const char *resource, size_t n)
{
	json_t *rules = json_array(), *pol;
	char key[160], who[96];
	char *text;
	int rc = -1;

	for (size_t i = 0; rules && i < n; i++) {
		snprintf(who, sizeof(who), "principal://goog/subject/denied%zu@example.net", i);
		json_array_append_new(rules,
				      json_pack("{s:{s:[s], s:[s,s]}}", "denyRule",
						"deniedPrincipals", who, "deniedPermissions",
						"cloudresourcemanager.googleapis.com/projects.get",
						"container.googleapis.com/pods.*"));
	}
	pol = json_pack("{s:o}", "rules", rules);
	text = pol ? json_dumps(pol, JSON_COMPACT) : NULL;
	snprintf(key, sizeof(key), "/iam/denypolicies/%s/bench", resource);
	if (text && store_put(st, key, text, strlen(text), STORE_ANY_REV, NULL) == 0)
		rc = 0;
	free(text);
	json_decref(pol);
	return rc;
}

static int run(struct iam *iam, struct store *st, size_t n_bindings, size_t n_cond, size_t n_deny,
	       const char *prefix, double *rate)
{
	char label[64];
	char resource[64], name[64];
	json_t *roles = iam_roles_list(iam), *policy = NULL, *bindings;
	size_t n_roles = json_array_size(roles), n_members = n_bindings * MEMBERS_PER_BINDING;
	char **members = NULL, **others = NULL;
	struct check_case *cases = NULL;
	const char *res[1] = {resource};
	double t0, t1, elapsed;
	uint64_t done = 0, allowed = 0;
	char *err = NULL;
	int rc = -1;

	snprintf(resource, sizeof(resource), "projects/bench-%s%zu-%zu-%zu", prefix, n_bindings,
		 n_cond, n_deny);
	if (n_deny)
		snprintf(label, sizeof(label), "bindings_%zu_deny_%zu", n_bindings, n_deny);
	else if (n_cond)
		snprintf(label, sizeof(label), "bindings_%zu_conditional_%zu", n_bindings, n_cond);
	else
		snprintf(label, sizeof(label), "bindings_%zu", n_bindings);
	members = calloc(n_members, sizeof(*members));
	others = calloc(N_CASES, sizeof(*others));
	cases = calloc(N_CASES, sizeof(*cases));
	policy = json_pack("{s:i,s:[]}", "version", 3, "bindings");
	if (!roles || !n_roles || !members || !others || !cases || !policy)
		goto out;
	bindings = json_object_get(policy, "bindings");
	for (size_t i = 0; i < n_bindings; i++) {
		int cond = n_cond && i % (n_bindings / n_cond) == 0;
		size_t ri = i;
		const char *role;
		json_t *b;

		/* Google refuses a condition on a basic role: a conditional binding takes the
		 * next role that is not one */
		for (;; ri++) {
			role = json_string_value(
				json_object_get(json_array_get(roles, ri % n_roles), "name"));
			if (!cond || !role ||
			    (strcmp(role, "roles/owner") && strcmp(role, "roles/editor") &&
			     strcmp(role, "roles/viewer")))
				break;
		}
		b = json_pack("{s:s,s:[]}", "role", role, "members");

		if (!b || json_array_append_new(bindings, b) < 0)
			goto out;
		if (cond && json_object_set_new(b, "condition",
						bench_condition(i / (n_bindings / n_cond))) < 0)
			goto out;
		for (size_t j = 0; j < MEMBERS_PER_BINDING; j++) {
			size_t k = i * MEMBERS_PER_BINDING + j;

			snprintf(name, sizeof(name), "user:u%zu@example.com", k);
			members[k] = strdup(name);
			if (!members[k] || json_array_append_new(json_object_get(b, "members"),
								 json_string(name)) < 0)
				goto out;
		}
	}
	t0 = cpu_s();
	rc = iam_set_policy(iam, resource, policy, 0, NULL, &err);
	t1 = cpu_s();
	if (rc < 0) {
		fprintf(stderr, "bench_iam: set_policy %s: %d %s\n", resource, rc, err ? err : "");
		goto out;
	}
	printf("%siam.set_policy_ms.%s %.1f\n", prefix, label, (t1 - t0) * 1e3);
	if (n_deny && put_deny(st, resource, n_deny) < 0) {
		rc = -1;
		fprintf(stderr, "bench_iam: cannot write the deny policy\n");
		goto out;
	}

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

	t0 = cpu_s();
	do {
		for (size_t i = 0; i < N_CASES; i++)
			allowed += (uint64_t)iam_check(iam, res, 1, &cases[i].p, cases[i].perm, 0);
		done += N_CASES;
		elapsed = cpu_s() - t0;
	} while (elapsed < MIN_SECONDS);
	*rate = (double)done / elapsed;
	printf("%siam.check_per_sec.%s %.0f\n", prefix, label, *rate);
	printf("%siam.check_allowed_pct.%s %.1f\n", prefix, label,
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Loads the catalogue text LOADS times without a store, printing its cost. */
static int catalog_cost(const char *text, size_t len, const char *prefix)
{
	double ms[LOADS];
	long before = rss_kib(), grew = 0;
	const char *const *names;
	json_t *roles;

	for (size_t i = 0; i < LOADS; i++) {
		struct iam *iam = NULL;
		double t0 = cpu_s();

		if (iam_new(NULL, text, len, 0, &iam) < 0)
			return -1;
		ms[i] = (cpu_s() - t0) * 1e3;
		if (i == 0) {
			grew = rss_kib() - before;
			roles = iam_roles_list(iam);
			printf("%siam.catalog_roles %zu\n", prefix, json_array_size(roles));
			printf("%siam.catalog_permissions %zu\n", prefix,
			       iam_permissions(iam, &names));
			json_decref(roles);
		}
		iam_free(iam);
	}
	qsort(ms, LOADS, sizeof(ms[0]), cmp_double);
	printf("%siam.catalog_load_ms %.2f\n", prefix, ms[LOADS / 2]);
	printf("%siam.catalog_rss_kib %ld\n", prefix, grew);
	fflush(stdout);
	return 0;
}

/* The checks of every size over one catalogue, in its own store. */
static int run_all(const char *text, size_t len, const char *prefix, double *out)
{
	static const size_t sizes[] = {10, 100, 1000, 10000};
	char dir[] = "/tmp/bench_iam.XXXXXX", path[128];
	struct store *st = NULL;
	struct iam *iam = NULL;
	double cond_rate = 0, deny_rate = 0;
	int rc = -1;

	if (!mkdtemp(dir)) {
		perror("bench_iam: mkdtemp");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (store_open(path, &st) < 0) {
		fprintf(stderr, "bench_iam: cannot open the store\n");
		goto out;
	}
	if (iam_new(st, text, len, 0, &iam) < 0) {
		fprintf(stderr, "bench_iam: cannot load the catalog\n");
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && rc == 0; i++)
		rc = run(iam, st, sizes[i], 0, 0, prefix, &out[i]);
	/* Issue 12's figures: 1,000 bindings of which 100 are conditional; the same 1,000
	 * plain ones behind a deny policy of 100 rules. */
	if (rc == 0)
		rc = run(iam, st, 1000, 100, 0, prefix, &cond_rate);
	if (rc == 0)
		rc = run(iam, st, 1000, 0, 100, prefix, &deny_rate);
	if (rc == 0)
		printf("%sratio.iam_check_deny_100_vs_plain.bindings_1000 %.3f\n", prefix,
		       deny_rate / out[2]);
out:
	iam_free(iam);
	store_close(st);
	{
		static const char *const suffix[] = {"", "-wal", "-shm"};

		for (size_t i = 0; i < 3; i++) {
			char p[160];

			snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return rc;
}

/* data/roles.json from the source tree (the bench runs from the repository's root). */
static char *small_catalog(size_t *len)
{
	FILE *f = fopen("data/roles.json", "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(void)
{
	static const size_t sizes[] = {10, 100, 1000, 10000};
	double rates[4], small_rates[4];
	size_t small_len = 0;
	char *small = small_catalog(&small_len);
	int rc = 1;

	if (!small) {
		fprintf(stderr, "bench_iam: cannot read data/roles.json\n");
		return 1;
	}
	/* the small one first, so that it does not land in the heap the full one freed */
	if (catalog_cost(small, small_len, "small_catalog.") < 0 ||
	    catalog_cost(embed_roles_json, EMBED_LEN(roles_json), "") < 0) {
		fprintf(stderr, "bench_iam: cannot load a catalog\n");
		goto out;
	}
	if (run_all(embed_roles_json, EMBED_LEN(roles_json), "", rates) < 0 ||
	    run_all(small, small_len, "small_catalog.", small_rates) < 0)
		goto out;
	for (size_t i = 0; i < 4; i++)
		printf("ratio.iam_check_full_vs_small.bindings_%zu %.3f\n", sizes[i],
		       rates[i] / small_rates[i]);
	rc = 0;
out:
	free(small);
	return rc;
}
