/*
 * bench_groups.c - the cost of "group:" members in IAM checks (issue 12): a group
 * expansion 3 levels deep with 10,000 members, against the plain check in the same run.
 *
 * The directory: a top group holds 100 groups, each of those 10 groups, each of those 10
 * users (10,000 users, three levels of nesting), written through iam_group_member_put
 * (the store, then the engine's watch). The project's policy binds roles/viewer to the
 * top group and to one user directly. Prints "name value" lines, checks per second of
 * this thread's CPU time:
 *   iam.check_per_sec.plain                    the user bound directly
 *   iam.check_per_sec.group_3_levels_10000     a user three groups below the bound group
 *                                              (4,096 of them in turn)
 *   iam.check_per_sec.group_nonmember          a user in no group (denied)
 *   ratio.group_vs_plain                       the group check's rate over the plain one
 *   iam.groups_build_ms                        writing the 11,100 memberships
 */
#include "bench.h"
#include "core/embed.h"
#include "core/store.h"
#include "iam/groups.h"
#include "iam/iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_MID 100
#define N_LOW 10
#define N_USERS 10
#define MIN_SECONDS 0.5
#define PERM "resourcemanager.projects.get"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int build(struct store *st)
{
	char g[64], m[80];
	int rc = 0;

	for (int i = 0; i < N_MID && rc == 0; i++) {
		snprintf(m, sizeof(m), "group:mid%d@example.com", i);
		rc = iam_group_member_put(st, "top@example.com", m, 1);
		for (int j = 0; j < N_LOW && rc == 0; j++) {
			snprintf(g, sizeof(g), "mid%d@example.com", i);
			snprintf(m, sizeof(m), "group:low%d-%d@example.com", i, j);
			rc = iam_group_member_put(st, g, m, 1);
			for (int k = 0; k < N_USERS && rc == 0; k++) {
				snprintf(g, sizeof(g), "low%d-%d@example.com", i, j);
				snprintf(m, sizeof(m), "user:u%d-%d-%d@example.com", i, j, k);
				rc = iam_group_member_put(st, g, m, 1);
			}
		}
	}
	return rc;
}

/* Checks per CPU second for the principals make_member names (i: the check's index). */
static double rate(struct iam *iam, const char *(*make_member)(size_t i, char *buf), int want,
		   int *wrong)
{
	const char *res[] = {"projects/bench-groups"};
	char buf[80];
	uint64_t done = 0;
	double t0 = cpu_s(), t;

	do {
		for (int b = 0; b < 1000; b++, done++) {
			struct iam_principal p = {.members = {make_member(done, buf)},
						  .n_members = 1,
						  .authenticated = 1};
			if (iam_check(iam, res, 1, &p, PERM, 1) != want)
				(*wrong)++;
		}
		t = cpu_s() - t0;
	} while (t < MIN_SECONDS);
	return (double)done / t;
}

static const char *plain_member(size_t i, char *buf)
{
	(void)i;
	(void)buf;
	return "user:direct@example.com";
}

/* Users three levels down, named before the clock starts. */
#define N_DEEP 4096
static char deep_names[N_DEEP][48];

static void deep_names_make(void)
{
	for (size_t i = 0; i < N_DEEP; i++) {
		size_t u = (size_t)(rnd() % (N_MID * N_LOW * N_USERS));
		snprintf(deep_names[i], sizeof(deep_names[i]), "user:u%zu-%zu-%zu@example.com",
			 u / (N_LOW * N_USERS), u / N_USERS % N_LOW, u % N_USERS);
	}
}

static const char *deep_member(size_t i, char *buf)
{
	(void)buf;
	return deep_names[i % N_DEEP];
}

static const char *outside_member(size_t i, char *buf)
{
	(void)i;
	(void)buf;
	return "user:stranger@example.com";
}

int main(void)
{
	char dir[] = "/tmp/bench_groups.XXXXXX", path[128];
	struct store *st = NULL;
	struct iam *iam = NULL;
	json_t *pol;
	double t0, plain, deep, outside;
	int wrong = 0, rc = 1;

	if (!mkdtemp(dir) || snprintf(path, sizeof(path), "%s/store.db", dir) < 0 ||
	    store_open(path, &st) < 0 ||
	    iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam) < 0) {
		fprintf(stderr, "bench_groups: setup failed\n");
		goto out;
	}
	pol = json_pack("{s:[{s:s,s:[s,s]}]}", "bindings", "role", "roles/viewer", "members",
			"group:top@example.com", "user:direct@example.com");
	if (!pol || iam_seed_policy(iam, "projects/bench-groups", pol) < 0) {
		json_decref(pol);
		goto out;
	}
	json_decref(pol);
	t0 = now_s();
	if (build(st) < 0) {
		fprintf(stderr, "bench_groups: building the groups failed\n");
		goto out;
	}
	printf("iam.groups_build_ms %.0f\n", (now_s() - t0) * 1000);
	deep_names_make();
	plain = rate(iam, plain_member, 1, &wrong);
	deep = rate(iam, deep_member, 1, &wrong);
	outside = rate(iam, outside_member, 0, &wrong);
	printf("iam.check_per_sec.plain %.0f\n", plain);
	printf("iam.check_per_sec.group_3_levels_10000 %.0f\n", deep);
	printf("iam.check_per_sec.group_nonmember %.0f\n", outside);
	printf("ratio.group_vs_plain %.3f\n", deep / plain);
	if (wrong)
		fprintf(stderr, "bench_groups: %d checks gave the wrong answer\n", wrong);
	rc = wrong != 0;
out:
	iam_free(iam);
	store_close(st);
	static const char *const suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		char p[160];
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
	return rc;
}
