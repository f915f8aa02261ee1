/*
 * bench_store.c - throughput of the revisioned store (store.h) on the SQLite backend.
 *
 * Opens a store in a fresh temporary directory and measures, for N keys laid out like
 * Kubernetes objects (/registry/pods/<ns>/<name>, 1,000 per namespace, ~200-byte
 * values): sequential puts of distinct keys, gets of random existing keys, updates
 * with compare-and-swap, ranges over one namespace (1,000 keys), and watch replay of
 * the whole history. Prints one "name value" line per metric for bench/run.sh.
 * Usage: bench_store [N]   (default 100000; each phase also stops after ~10 s)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/store.h"

#define PER_NS 1000
#define VALUE_LEN 200
#define PHASE_MAX_SEC 10.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void key_of(char *buf, size_t size, long i)
{
	snprintf(buf, size, "/registry/pods/ns%04ld/pod-%08ld", i / PER_NS, i);
}

static void metric(const char *name, double ops, double secs)
{
	printf("%s %.0f\n", name, secs > 0 ? ops / secs : 0.0);
	fflush(stdout);
}

static long replayed;

static void count_fn(void *arg, const struct store_event *ev)
{
	(void)arg;
	(void)ev;
	replayed++;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/bench_store.XXXXXX", path[128], p[160], key[96];
	char value[VALUE_LEN + 1];
	struct store *s = NULL;
	struct store_watch *w = NULL;
	struct store_kv kv, *kvs;
	long n = 100000, done, i, keys = 0;
	size_t nkv;
	double t0, t;
	int64_t rev;
	int r, ret = 1;

	if (argc > 1) {
		n = strtol(argv[1], NULL, 10);
		if (n < PER_NS) {
			fprintf(stderr, "bench_store: N must be at least %d\n", PER_NS);
			return 2;
		}
	}
	if (!mkdtemp(dir)) {
		perror("bench_store: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/gkeid.db", dir);
	r = store_open(path, &s);
	if (r) {
		fprintf(stderr, "bench_store: store_open: %s\n", strerror(-r));
		goto out;
	}
	memset(value, 'v', VALUE_LEN);
	value[VALUE_LEN] = '\0';

	/* puts: distinct keys, in order; each is its own transaction */
	t0 = now();
	for (done = 0; done < n; done++) {
		key_of(key, sizeof(key), done);
		r = store_put(s, key, value, VALUE_LEN, STORE_ABSENT, NULL);
		if (r) {
			fprintf(stderr, "bench_store: store_put: %s\n", strerror(-r));
			goto out;
		}
		if ((done & 1023) == 0 && now() - t0 > PHASE_MAX_SEC)
			break;
	}
	n = done; /* what exists from here on */
	t = now() - t0;
	metric("store.put_per_sec", (double)n, t);
	if (n < PER_NS) {
		fprintf(stderr, "bench_store: only %ld keys written\n", n);
		goto out;
	}

	/* gets: random existing keys */
	t0 = now();
	for (done = 0; done < n; done++) {
		key_of(key, sizeof(key), (long)(next_rand() % (uint64_t)n));
		r = store_get(s, key, &kv);
		store_kv_free(&kv);
		if (r) {
			fprintf(stderr, "bench_store: store_get: %s\n", strerror(-r));
			goto out;
		}
		if ((done & 1023) == 0 && now() - t0 > PHASE_MAX_SEC)
			break;
	}
	metric("store.get_per_sec", (double)done, now() - t0);

	/* updates: compare-and-swap on random keys (get, then put with its mod_rev) */
	t0 = now();
	for (done = 0; done < n / 4; done++) {
		key_of(key, sizeof(key), (long)(next_rand() % (uint64_t)n));
		r = store_get(s, key, &kv);
		if (!r)
			r = store_put(s, key, value, VALUE_LEN, kv.mod_rev, &rev);
		store_kv_free(&kv);
		if (r) {
			fprintf(stderr, "bench_store: update: %s\n", strerror(-r));
			goto out;
		}
		if ((done & 1023) == 0 && now() - t0 > PHASE_MAX_SEC)
			break;
	}
	metric("store.cas_update_per_sec", (double)done, now() - t0);

	/* ranges over one namespace: 1,000 keys each */
	t0 = now();
	for (done = 0; done < 1000; done++) {
		snprintf(p, sizeof(p), "/registry/pods/ns%04ld/",
			 (long)(next_rand() % (uint64_t)(n / PER_NS)));
		r = store_range(s, p, 0, &kvs, &nkv, NULL);
		if (r) {
			fprintf(stderr, "bench_store: store_range: %s\n", strerror(-r));
			goto out;
		}
		store_kvs_free(kvs, nkv);
		if (nkv != PER_NS) {
			fprintf(stderr, "bench_store: range %s: %zu keys\n", p, nkv);
			goto out;
		}
		keys += (long)nkv;
		if (now() - t0 > PHASE_MAX_SEC)
			break;
	}
	t = now() - t0;
	metric("store.range1000_per_sec", (double)done, t);
	metric("store.range_keys_per_sec", (double)keys, t);

	/* watch replay of the whole history (a watcher that restarts from revision 1) */
	t0 = now();
	r = store_watch(s, "", 1, count_fn, NULL, &w);
	t = now() - t0;
	if (r) {
		fprintf(stderr, "bench_store: store_watch: %s\n", strerror(-r));
		goto out;
	}
	store_unwatch(w);
	metric("store.watch_replay_events_per_sec", (double)replayed, t);
	ret = 0;
out:
	store_close(s);
	for (i = 0; i < 4; i++) {
		static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};

		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
	return ret;
}
