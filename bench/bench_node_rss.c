/*
 * bench_node_rss.c - the node's memory in a large cluster: N_KSAS Kubernetes service
 * accounts (in N_NS namespaces, all annotated with a GSA) and N_PODS pods, of which
 * N_LOCAL are on this node (local-node) and the rest on 100 other nodes, all created
 * through the Kubernetes API (bk_bulk: BK_CONNS keep-alive connections). Then each of
 * the node's pods, of its own KSA, gets an access token, and the node process's VmRSS
 * and VmHWM are read from /proc. Then the cluster's KSAs grow, 100,000 at a time, to
 * the argument's count (default 1,000,000), and the RSS is read after each step and after
 * the node's pods ask again. Needs a running `gkeid up` (bench/run.sh). Prints:
 *   node.rss_kib.start                   before anything was created
 *   node.rss_kib.populated               after the KSAs and pods were created
 *   node.rss_kib.served, node.hwm_kib    after the N_LOCAL pods got their tokens
 *   node.rss_tokens_failures             token requests without a 200
 *   node.rss_populate_per_sec            objects created per second (the load itself)
 *   node.rss_kib.ksas_<N>                after the cluster holds N KSAs (N > 100,000)
 *   node.rss_kib.grown, node.hwm_kib.grown  after the node's pods asked again, at the end
 */
#include "bench_gkeid.h"

#define N_KSAS 100000
#define N_NS 10
#define N_PODS 10000
#define N_LOCAL 110
#define GROW_STEP 100000

/* Pod j (past the local ones) of another node, with a KSA of its namespace. */
static void make_pod(size_t j, void *arg, char *path, size_t plen, char *body, size_t blen)
{
	char name[64], ksa[64], node[32];
	size_t ns = j % N_NS, k = ns * (N_KSAS / N_NS) + j / N_NS;

	(void)arg;
	j += N_LOCAL;
	snprintf(name, sizeof(name), "pod-%zu", j);
	snprintf(ksa, sizeof(ksa), "rss-%zu", k);
	snprintf(node, sizeof(node), "node-%zu", j % 100);
	snprintf(path, plen, "/api/v1/namespaces/bench-rss-%zu/pods", ns);
	bk_pod_body(body, blen, name, ksa, node);
}

static void show(const struct bk *b, const char *when)
{
	long rss, hwm;

	if (bk_vm_kib(b, &rss, &hwm) == 0)
		printf("node.rss_kib.%s %ld\n", when, rss);
	fflush(stdout);
}

/* The node's pods ask for their tokens again; the count of answers other than 200. */
static size_t ask_all(const struct bk *b)
{
	char ip[32];
	size_t failed = 0;

	for (size_t i = 0; i < N_LOCAL; i++) {
		snprintf(ip, sizeof(ip), "127.203.0.%zu", i + 1);
		failed += bk_md_get(b, ip, BK_TOKEN_PATH, NULL) != 200;
	}
	return failed;
}

/* The cluster's KSAs from N_KSAS to max, GROW_STEP at a time (grow<step>-<i>, over the
 * same namespaces), with the node's RSS after each step. The count not created. */
static size_t grow(struct bk *b, const char *gsa, size_t max)
{
	char prefix[32], when[48];
	size_t failed = 0;

	for (size_t have = N_KSAS, step = 1; have < max; have += GROW_STEP, step++) {
		struct bk_ksas k = {.gsa = gsa, .prefix = prefix, .ns = "bench-rss",
				    .per_ns = GROW_STEP / N_NS};
		snprintf(prefix, sizeof(prefix), "grow%zu-", step);
		failed += bk_bulk(b, GROW_STEP, bk_make_ksa, &k);
		snprintf(when, sizeof(when), "ksas_%zu", have + GROW_STEP);
		show(b, when);
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct bk b;
	/* KSA i is rss-i in namespace bench-rss-(i / (N_KSAS / N_NS)) */
	struct bk_ksas ksas = {.prefix = "rss-", .ns = "bench-rss", .per_ns = N_KSAS / N_NS};
	char gsa[400], ip[32], name[64], ksa[64], ns[32];
	double t0, base;
	long rss, hwm;
	size_t failed = 0, max = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (bk_open(&b, "bench_node_rss"))
		return 1;
	show(&b, "start");
	for (size_t i = 0; i < N_NS; i++) {
		snprintf(ns, sizeof(ns), "bench-rss-%zu", i);
		if (bk_namespace(&b, ns))
			return 1;
	}
	if (bk_gsa_bind(&b, "bench-rss", "bench-rss-0", "rss-", N_LOCAL, gsa, sizeof(gsa)))
		return 1;
	ksas.gsa = gsa;
	t0 = now_s();
	failed += bk_bulk(&b, N_KSAS, bk_make_ksa, &ksas);
	failed += bk_bulk(&b, N_PODS - N_LOCAL, make_pod, NULL);
	base = bk_metric(&b, "gkeid_node_pods");
	for (size_t i = 0; i < N_LOCAL; i++) {
		snprintf(name, sizeof(name), "local-%zu", i);
		snprintf(ksa, sizeof(ksa), "rss-%zu", i);
		snprintf(ip, sizeof(ip), "127.203.0.%zu", i + 1);
		failed += bk_pod_create(&b, "bench-rss-0", name, ksa, "local-node", ip) != 0;
	}
	printf("node.rss_populate_per_sec %.0f\n", (N_KSAS + N_PODS) / (now_s() - t0));
	if (failed || bk_wait_pods(&b, base + N_LOCAL, 30)) {
		fprintf(stderr,
			"bench_node_rss: %zu objects not created, or the node did not see "
			"its pods\n",
			failed);
		return 1;
	}
	show(&b, "populated");
	failed = ask_all(&b);
	printf("node.rss_tokens_failures %zu\n", failed);
	if (bk_vm_kib(&b, &rss, &hwm) == 0) {
		printf("node.rss_kib.served %ld\n", rss);
		printf("node.hwm_kib %ld\n", hwm);
	}
	fflush(stdout);
	if (grow(&b, gsa, max) != 0) {
		fprintf(stderr, "bench_node_rss: KSAs not created while growing\n");
		return 1;
	}
	failed += ask_all(&b);
	printf("node.rss_tokens_failures.grown %zu\n", failed);
	if (bk_vm_kib(&b, &rss, &hwm) == 0) {
		printf("node.rss_kib.grown %ld\n", rss);
		printf("node.hwm_kib.grown %ld\n", hwm);
	}
	bk_close(&b);
	curl_global_cleanup();
	return failed != 0;
}
