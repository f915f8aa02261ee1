/*
 * bench_node_first_token.c - a pod's first access token through the node, cold: every
 * pod has a Kubernetes service account of its own, annotated with a GSA, so each
 * request runs the whole flow (KSA get, TokenRequest, STS exchange, IAM Credentials
 * generateAccessToken) with nothing cached. The pods are created first and the node has
 * seen them all (its pods gauge), so the figure is the token flow alone; one pod asks
 * at a time, on a fresh connection. Needs a running `gkeid up` (bench/run.sh); the
 * argument is the number of pods (default 200). Prints:
 *   node.first_token_p50_ms, _p99_ms, _max_ms   request to token, one per pod
 *   node.first_token_failures                   answers other than 200
 *   node.first_token_upstream_ms.<up>           the node's mean upstream call time in the
 *                                               same requests (from its /metrics): kube
 *                                               (KSA get and TokenRequest), sts, iam
 * and, on stderr, a line "# asking" just before the first pod asks and "# asked" after
 * the last, so that a profiler or a CPU count can be limited to the token flow.
 */
#include "bench_gkeid.h"

#define N_PODS_MAX 1000
#define NS "bench-ft"

static const char *const ups[] = {"kube", "sts", "iamcredentials"};

static void upstream(const struct bk *b, double sum[3], double cnt[3])
{
	char name[160];

	for (int u = 0; u < 3; u++) {
		snprintf(name, sizeof(name),
			 "gkeid_node_upstream_latency_seconds_sum{upstream=\"%s\"}", ups[u]);
		sum[u] = bk_metric(b, name);
		snprintf(name, sizeof(name),
			 "gkeid_node_upstream_latency_seconds_count{upstream=\"%s\"}", ups[u]);
		cnt[u] = bk_metric(b, name);
	}
}

int main(int argc, char **argv)
{
	struct bk b;
	struct bk_ksas ksas = {.prefix = "ft-", .ns = NS};
	char gsa[400], ip[32], name[64], ksa[64];
	double lat[N_PODS_MAX], s0[3], c0[3], s1[3], c1[3], base;
	size_t failures = 0, n_pods = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;

	if (n_pods < 1 || n_pods > N_PODS_MAX)
		n_pods = 200;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (bk_open(&b, "bench_node_first_token") || bk_namespace(&b, NS) ||
	    bk_gsa_bind(&b, "bench-ft", NS, "ft-", n_pods, gsa, sizeof(gsa)))
		return 1;
	ksas.gsa = gsa;
	if (bk_bulk(&b, n_pods, bk_make_ksa, &ksas))
		return 1;
	base = bk_metric(&b, "gkeid_node_pods");
	for (size_t i = 0; i < n_pods; i++) {
		snprintf(name, sizeof(name), "ft-%zu", i);
		snprintf(ksa, sizeof(ksa), "ft-%zu", i);
		snprintf(ip, sizeof(ip), "127.201.%zu.%zu", i / 250, i % 250 + 1);
		if (bk_pod_create(&b, NS, name, ksa, "local-node", ip))
			return 1;
	}
	if (bk_wait_pods(&b, base + n_pods, 30)) {
		fprintf(stderr, "bench_node_first_token: the node did not see the pods\n");
		return 1;
	}
	upstream(&b, s0, c0);
	fprintf(stderr, "# asking\n");
	for (size_t i = 0; i < n_pods; i++) {
		double t0;
		int code;

		snprintf(ip, sizeof(ip), "127.201.%zu.%zu", i / 250, i % 250 + 1);
		t0 = now_s();
		code = bk_md_get(&b, ip, BK_TOKEN_PATH, NULL);
		lat[i] = (now_s() - t0) * 1e3;
		if (code != 200 && failures++ < 3)
			fprintf(stderr, "bench_node_first_token: pod %s: HTTP %d\n", ip, code);
	}
	fprintf(stderr, "# asked\n");
	upstream(&b, s1, c1);
	printf("node.first_token_p50_ms %.2f\n", bench_pct(lat, n_pods, 50));
	printf("node.first_token_p99_ms %.2f\n", bench_pct(lat, n_pods, 99));
	printf("node.first_token_max_ms %.2f\n", bench_pct(lat, n_pods, 100));
	printf("node.first_token_failures %zu\n", failures);
	for (int u = 0; u < 3; u++)
		if (c1[u] > c0[u])
			printf("node.first_token_upstream_ms.%s %.2f (%.0f calls)\n", ups[u],
			       (s1[u] - s0[u]) / (c1[u] - c0[u]) * 1e3, c1[u] - c0[u]);
	bk_close(&b);
	curl_global_cleanup();
	return failures != 0;
}
