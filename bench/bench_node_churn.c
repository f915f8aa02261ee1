/*
 * bench_node_churn.c - pod churn: N_PODS (10,000) new pods, one after another, each timed from
 * the Pod's creation (POST, then its address through the status subresource, as a
 * kubelet reports it) to its first access token from the node. The pod asks at once,
 * so the node usually holds the request until its watch delivers the pod. The pods
 * belong to N_KSAS annotated service accounts (ten Deployments, say): the first pod of
 * each runs the whole token flow, the others find the token cached for their KSA. Each
 * pod is deleted after its token (not timed). Needs a running `gkeid up`
 * (bench/run.sh). Prints:
 *   node.churn_pods, node.churn_failures   pods, and those without a 200 token
 *   node.churn_p50_ms, _p99_ms, _max_ms    creation to first token
 *   node.churn_held_pct                    requests the node held for its watch
 * and, on stderr, "# asking" before the first pod and "# asked" after the last, so that a
 * profiler or a CPU count can be limited to the churn.
 */
#include "bench_gkeid.h"

#define N_PODS 10000
#define N_KSAS 10
#define NS "bench-churn"

int main(void)
{
	static double lat[N_PODS];
	struct bk b;
	struct bk_ksas ksas = {.prefix = "churn-", .ns = NS};
	char gsa[400], ip[32], name[64], ksa[64], path[300];
	double held0, held1;
	size_t failures = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (bk_open(&b, "bench_node_churn") || bk_namespace(&b, NS) ||
	    bk_gsa_bind(&b, "bench-churn", NS, "churn-", N_KSAS, gsa, sizeof(gsa)))
		return 1;
	ksas.gsa = gsa;
	if (bk_bulk(&b, N_KSAS, bk_make_ksa, &ksas))
		return 1;
	held0 = bk_metric(&b, "gkeid_node_pod_lookups_held_total");
	fprintf(stderr, "# asking\n");
	for (size_t i = 0; i < N_PODS; i++) {
		double t0 = now_s();
		int code = -1;

		snprintf(name, sizeof(name), "churn-%zu", i);
		snprintf(ksa, sizeof(ksa), "churn-%zu", i % N_KSAS);
		snprintf(ip, sizeof(ip), "127.202.%zu.%zu", i / 250, i % 250 + 1);
		if (bk_pod_create(&b, NS, name, ksa, "local-node", ip) == 0)
			code = bk_md_get(&b, ip, BK_TOKEN_PATH, NULL);
		lat[i] = (now_s() - t0) * 1e3;
		if (code != 200 && failures++ < 3)
			fprintf(stderr, "bench_node_churn: pod %s (%s): HTTP %d\n", name, ip, code);
		snprintf(path, sizeof(path),
			 "/api/v1/namespaces/" NS "/pods/%s?gracePeriodSeconds=0", name);
		bk_kube(&b, "DELETE", path, NULL, NULL);
	}
	fprintf(stderr, "# asked\n");
	held1 = bk_metric(&b, "gkeid_node_pod_lookups_held_total");
	printf("node.churn_pods %d\n", N_PODS);
	printf("node.churn_failures %zu\n", failures);
	printf("node.churn_p50_ms %.2f\n", bench_pct(lat, N_PODS, 50));
	printf("node.churn_p99_ms %.2f\n", bench_pct(lat, N_PODS, 99));
	printf("node.churn_max_ms %.2f\n", bench_pct(lat, N_PODS, 100));
	printf("node.churn_held_pct %.1f\n", 100.0 * (held1 - held0) / N_PODS);
	bk_close(&b);
	curl_global_cleanup();
	return failures != 0;
}
