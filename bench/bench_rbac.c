/*
 * bench_rbac.c - RBAC authorization decisions per second on one thread.
 *
 * For N = 100, 10,000 and 100,000 bindings, a fresh cluster (own store prefix) gets the
 * default ClusterRoles and bindings (data/rbac.json) plus N bindings: nine in ten are
 * RoleBindings of a user to the aggregated "view" or "edit" ClusterRole in one of 1,000
 * namespaces, one in ten ClusterRoleBindings of a group to a small ClusterRole. The
 * index is built from the store (one store_range per kind) on the first decision. Then
 * a fixed mix of requests by bound users runs: reads their role allows in their
 * namespace, writes it does not, reads in other namespaces, cluster-scoped reads their
 * group may grant, and discovery URLs. Prints "name value" lines:
 *   rbac.decisions_per_sec.bindings_<N>    decisions per second (the best of 10 rounds
 *                                          of 0.1 s: a busy machine only slows rounds)
 *   rbac.allowed_pct.bindings_<N>          share of the mix that was allowed
 *   rbac.index_build_ms.bindings_<N>       the first decision (building the index)
 *   rbac.linear_scan_per_sec.bindings_<N>  reference: the same decisions by a scan over
 *                                          every binding, as upstream's rule resolver
 *                                          lists ClusterRoleBindings (N <= 10,000)
 *   rbac.ratio_100_vs_100000               decisions/s at 100 over those at 100,000
 * Sizes may be given as arguments (e.g. `bench_rbac 100000` to profile one).
 */
#include "bench.h"
#include "core/embed.h"
#include "core/store.h"
#include "kube/kube.h"
#include "kube/rbac.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_CASES 4096
#define N_NAMESPACES 1000
#define MIN_SECONDS 1.0
#define ROUNDS 10
#define G "rbac.authorization.k8s.io"

/* A request of the mix, compact: the decision loop writes it into one kube_user and
 * kube_attrs, as authentication and path parsing fill them per request. */
struct bcase {
	char user[24], group[24], ns[16];
	uint8_t kind, ulen, glen, nslen;
};

/* The request kinds of the mix (namespace filled in per case). */
static struct kube_attrs kinds[8];

static int put_json(struct store *st, const char *key, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	int rc = s ? store_put(st, key, s, strlen(s), STORE_ANY_REV, NULL) : -1;
	free(s);
	json_decref(o);
	return rc;
}

static int seed_defaults(struct store *st, const char *prefix)
{
	json_t *doc = json_loadb(embed_rbac_json, EMBED_LEN(rbac_json), 0, NULL), *o;
	size_t i;
	char key[600];
	int rc = doc ? 0 : -1;
	json_array_foreach(json_object_get(doc, "clusterRoles"), i, o)
	{
		snprintf(
			key, sizeof(key), "%s/registry/clusterroles." G "/%s", prefix,
			json_string_value(json_object_get(json_object_get(o, "metadata"), "name")));
		if (rc == 0)
			rc = put_json(st, key, json_incref(o));
	}
	json_array_foreach(json_object_get(doc, "clusterRoleBindings"), i, o)
	{
		snprintf(
			key, sizeof(key), "%s/registry/clusterrolebindings." G "/%s", prefix,
			json_string_value(json_object_get(json_object_get(o, "metadata"), "name")));
		if (rc == 0)
			rc = put_json(st, key, json_incref(o));
	}
	snprintf(key, sizeof(key), "%s/registry/clusterroles." G "/node-reader", prefix);
	if (rc == 0)
		rc = put_json(st, key,
			      json_pack("{s:{s:s},s:[{s:[s],s:[s],s:[s,s]}]}", "metadata", "name",
					"node-reader", "rules", "apiGroups", "", "resources",
					"nodes", "verbs", "get", "list"));
	json_decref(doc);
	return rc;
}

static void set_attrs(struct kube_attrs *a, const char *verb, const char *group,
		      const char *resource, const char *ns, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->resource_request = 1;
	snprintf(a->verb, sizeof(a->verb), "%s", verb);
	snprintf(a->group, sizeof(a->group), "%s", group);
	snprintf(a->version, sizeof(a->version), "v1");
	snprintf(a->resource, sizeof(a->resource), "%s", resource); /* no subresource */
	snprintf(a->namespace_, sizeof(a->namespace_), "%s", ns);
	snprintf(a->name, sizeof(a->name), "%s", name);
}

/* What upstream's resolver does per decision: walk every ClusterRoleBinding, then the
 * namespace's RoleBindings, matching subjects (here: over all bindings, as JSON). */
static int linear_allows(json_t *bindings, struct kube_cluster *cl, const struct kube_user *u,
			 const struct kube_attrs *a)
{
	size_t i, j;
	json_t *b, *s;
	json_array_foreach(bindings, i, b)
	{
		const char *ns = json_string_value(
			json_object_get(json_object_get(b, "metadata"), "namespace"));
		if (ns && strcmp(ns, a->namespace_) != 0)
			continue;
		json_array_foreach(json_object_get(b, "subjects"), j, s)
		{
			const char *kind = json_string_value(json_object_get(s, "kind"));
			const char *name = json_string_value(json_object_get(s, "name"));
			int match = 0;
			if (!kind || !name)
				continue;
			if (strcmp(kind, "User") == 0)
				match = strcmp(name, u->name) == 0;
			else if (strcmp(kind, "Group") == 0)
				for (size_t g = 0; g < u->n_groups; g++)
					match |= strcmp(name, u->groups[g]) == 0;
			if (match)
				/* the rules themselves: as the index evaluates them */
				return rbac_authorize(cl, u, a) == KUBE_ALLOW;
		}
	}
	return 0;
}

static int run(struct store *st, struct kube *k, size_t n, double *rate)
{
	struct kube_cluster cl;
	struct bcase *cases = calloc(N_CASES, sizeof(*cases));
	json_t *all = json_array();
	char key[600], name[64], ns[64], group[64];
	(void)ns;
	double t0, elapsed;
	uint64_t done = 0, allowed = 0;
	int rc = -1;
	if (!cases || !all)
		goto out;
	memset(&cl, 0, sizeof(cl));
	cl.kube = k;
	snprintf(cl.project, sizeof(cl.project), "bench");
	snprintf(cl.location, sizeof(cl.location), "us-central1");
	snprintf(cl.name, sizeof(cl.name), "c%zu", n);
	snprintf(cl.prefix, sizeof(cl.prefix), "/clusters/bench/us-central1/c%zu", n);
	if (seed_defaults(st, cl.prefix) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *b;
		if (i % 10 == 9) {
			snprintf(name, sizeof(name), "crb-%zu", i);
			snprintf(group, sizeof(group), "group-%zu", i);
			b = json_pack("{s:{s:s},s:{s:s,s:s,s:s},s:[{s:s,s:s}]}", "metadata", "name",
				      name, "roleRef", "apiGroup", G, "kind", "ClusterRole", "name",
				      "node-reader", "subjects", "kind", "Group", "name", group);
			snprintf(key, sizeof(key), "%s/registry/clusterrolebindings." G "/%s",
				 cl.prefix, name);
		} else {
			snprintf(name, sizeof(name), "user-%zu", i);
			snprintf(ns, sizeof(ns), "ns-%zu", i % N_NAMESPACES);
			b = json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s},s:[{s:s,s:s}]}", "metadata",
				      "name", name, "namespace", ns, "roleRef", "apiGroup", G,
				      "kind", "ClusterRole", "name", i % 3 ? "view" : "edit",
				      "subjects", "kind", "User", "name", name);
			snprintf(key, sizeof(key), "%s/registry/rolebindings." G "/%s/%s",
				 cl.prefix, ns, name);
		}
		if (!b || json_array_append(all, b) != 0 || put_json(st, key, b) != 0)
			goto out;
	}
	/* the mix */
	set_attrs(&kinds[0], "get", "", "pods", "", "web");
	set_attrs(&kinds[1], "get", "", "pods", "", "api");
	set_attrs(&kinds[2], "list", "apps", "deployments", "", "");
	set_attrs(&kinds[3], "create", "", "pods", "", "web");
	snprintf(kinds[3].subresource, sizeof(kinds[3].subresource), "exec");
	set_attrs(&kinds[4], "get", "", "secrets", "", "s");
	set_attrs(&kinds[5], "list", "", "pods", "", ""); /* in another namespace */
	set_attrs(&kinds[6], "list", "", "nodes", "", "");
	memset(&kinds[7], 0, sizeof(kinds[7]));
	snprintf(kinds[7].verb, sizeof(kinds[7].verb), "get");
	snprintf(kinds[7].path, sizeof(kinds[7].path), "/apis/apps/v1");
	for (size_t i = 0; i < N_CASES; i++) {
		struct bcase *c = &cases[i];
		size_t who = (size_t)(rnd() % n);
		c->kind = (uint8_t)(rnd() % 8);
		c->ulen = (uint8_t)snprintf(c->user, sizeof(c->user), "user-%zu", who);
		c->glen = (uint8_t)snprintf(c->group, sizeof(c->group), "group-%zu",
					    (who / 10) * 10 + 9);
		if (c->kind == 6 || c->kind == 7)
			c->nslen = 0;
		else
			c->nslen = (uint8_t)snprintf(c->ns, sizeof(c->ns), "ns-%zu",
						     (who + (c->kind == 5)) % N_NAMESPACES);
	}
	static struct kube_user u;
	static struct kube_attrs a;
	memset(&u, 0, sizeof(u));
	snprintf(u.groups[0], sizeof(u.groups[0]), "system:authenticated");
	u.n_groups = 2;
#define FILL(c)                                                                                    \
	do {                                                                                       \
		memcpy(u.name, (c)->user, (size_t)(c)->ulen + 1);                                  \
		memcpy(u.groups[1], (c)->group, (size_t)(c)->glen + 1);                            \
		a = kinds[(c)->kind];                                                              \
		memcpy(a.namespace_, (c)->ns, (size_t)(c)->nslen + 1);                             \
	} while (0)
	FILL(&cases[0]);
	t0 = now_s();
	rbac_authorize(&cl, &u, &a);
	printf("rbac.index_build_ms.bindings_%zu %.1f\n", n, (now_s() - t0) * 1e3);
	/* best of ROUNDS rounds: other processes on the machine only ever slow one */
	*rate = 0;
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t rdone = 0;
		t0 = now_s();
		do {
			for (size_t i = 0; i < N_CASES; i++) {
				FILL(&cases[i]);
				allowed += rbac_authorize(&cl, &u, &a) == KUBE_ALLOW;
			}
			rdone += N_CASES;
			elapsed = now_s() - t0;
		} while (elapsed < MIN_SECONDS / ROUNDS);
		done += rdone;
		if ((double)rdone / elapsed > *rate)
			*rate = (double)rdone / elapsed;
	}
	printf("rbac.decisions_per_sec.bindings_%zu %.0f\n", n, *rate);
	printf("rbac.allowed_pct.bindings_%zu %.1f\n", n, 100.0 * (double)allowed / (double)done);
	if (n <= 10000) {
		uint64_t ldone = 0;
		t0 = now_s();
		do {
			for (size_t i = 0; i < 256; i++) {
				FILL(&cases[i]);
				linear_allows(all, &cl, &u, &a);
			}
			ldone += 256;
			elapsed = now_s() - t0;
		} while (elapsed < MIN_SECONDS);
		printf("rbac.linear_scan_per_sec.bindings_%zu %.0f\n", n, (double)ldone / elapsed);
	}
#undef FILL
	fflush(stdout);
	rc = 0;
out:
	rbac_forget(&cl);
	json_decref(all);
	free(cases);
	return rc;
}

int main(int argc, char **argv)
{
	size_t sizes[3] = {100, 10000, 100000}, n_sizes = 3;
	double rates[3] = {0};
	char dir[] = "/tmp/bench_rbac.XXXXXX", path[128];
	struct store *st = NULL;
	struct kube k;
	int rc = 1;
	if (!mkdtemp(dir)) {
		perror("bench_rbac: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (store_open(path, &st) < 0) {
		fprintf(stderr, "bench_rbac: cannot open the store\n");
		goto out;
	}
	memset(&k, 0, sizeof(k));
	k.store = st;
	/* sizes may be given on the command line (for profiling one of them) */
	if (argc > 1) {
		n_sizes = 0;
		for (int i = 1; i < argc && n_sizes < 3; i++) {
			long v = strtol(argv[i], NULL, 10);
			if (v > 0 && v <= 1000000)
				sizes[n_sizes++] = (size_t)v;
		}
	}
	rc = 0;
	for (size_t i = 0; i < n_sizes && rc == 0; i++)
		rc = run(st, &k, sizes[i], &rates[i]) < 0;
	if (rc == 0 && n_sizes == 3 && sizes[0] == 100 && sizes[2] == 100000 && rates[2] > 0)
		printf("rbac.ratio_100_vs_100000 %.2f\n", rates[0] / rates[2]);
out:
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
