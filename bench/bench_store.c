/*
 * bench_store.c - throughput of the revisioned store (store.h) on the SQLite backend.
 *
 * Opens a store in a fresh temporary directory and measures, for N keys laid out like
 * Kubernetes objects (/registry/pods/<ns>/<name>, 1,000 per namespace, ~200-byte
 * values): sequential puts of distinct keys, gets of random existing keys, updates
 * with compare-and-swap, ranges over one namespace (1,000 keys), and watch replay of
 * the whole history. The reference, measured in the same run: raw SQLite with the same
 * settings (WAL, synchronous=NORMAL), one autocommit INSERT per put into a plain
 * key/value table, and SELECTs by key (sqlite.put_per_sec, sqlite.get_per_sec).
 * Prints one "name value" line per metric for bench/run.sh.
 * Usage: bench_store [N]   (default 100000; each phase also stops after ~10 s)
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/store.h"

#define PER_NS 1000
#define VALUE_LEN 200
#define PHASE_MAX_SEC 10.0

static void key_of(char *buf, size_t size, long i)
{
	snprintf(buf, size, "/registry/pods/ns%04ld/pod-%08ld", i / PER_NS, i);
}

static void metric(const char *name, double ops, double secs)
{
	printf("%s %.0f\n", name, secs > 0 ? ops / secs : 0.0);
	fflush(stdout);
}

/*
 * The reference: what SQLite itself does for the same puts and gets, with the same
 * durability settings. Returns 0 or -1.
 */
static int raw_sqlite(const char *path, long n, const char *value)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL, *sel = NULL;
	char key[96];
	double t0;
	long i;
	int ret = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			 "CREATE TABLE kv(key TEXT PRIMARY KEY, value BLOB NOT NULL);",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO kv(key, value) VALUES(?1, ?2)", -1, &ins, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT value FROM kv WHERE key = ?1", -1, &sel, NULL) !=
		    SQLITE_OK) {
		fprintf(stderr, "bench_store: sqlite: %s\n", db ? sqlite3_errmsg(db) : "no memory");
		goto out;
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		key_of(key, sizeof(key), i);
		sqlite3_bind_text(ins, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 2, value, VALUE_LEN, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "bench_store: sqlite insert: %s\n", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
	}
	metric("sqlite.put_per_sec", (double)n, now_s() - t0);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		key_of(key, sizeof(key), (long)(rnd() % (uint64_t)n));
		sqlite3_bind_text(sel, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(sel) != SQLITE_ROW || sqlite3_column_bytes(sel, 0) != VALUE_LEN) {
			fprintf(stderr, "bench_store: sqlite select: %s\n", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(sel);
		if ((i & 1023) == 0 && now_s() - t0 > PHASE_MAX_SEC)
			break;
	}
	metric("sqlite.get_per_sec", (double)i, now_s() - t0);
	ret = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	sqlite3_close(db);
	return ret;
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
	char dir[] = "/tmp/bench_store.XXXXXX", path[128], raw[128], p[160], key[96];
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
	snprintf(raw, sizeof(raw), "%s/raw.db", dir);
	r = store_open(path, &s);
	if (r) {
		fprintf(stderr, "bench_store: store_open: %s\n", strerror(-r));
		goto out;
	}
	memset(value, 'v', VALUE_LEN);
	value[VALUE_LEN] = '\0';

	/* puts: distinct keys, in order; each is its own transaction */
	t0 = now_s();
	for (done = 0; done < n; done++) {
		key_of(key, sizeof(key), done);
		r = store_put(s, key, value, VALUE_LEN, STORE_ABSENT, NULL);
		if (r) {
			fprintf(stderr, "bench_store: store_put: %s\n", strerror(-r));
			goto out;
		}
		if ((done & 1023) == 0 && now_s() - t0 > PHASE_MAX_SEC)
			break;
	}
	n = done; /* what exists from here on */
	t = now_s() - t0;
	metric("store.put_per_sec", (double)n, t);
	if (n < PER_NS) {
		fprintf(stderr, "bench_store: only %ld keys written\n", n);
		goto out;
	}

	/* gets: random existing keys */
	t0 = now_s();
	for (done = 0; done < n; done++) {
		key_of(key, sizeof(key), (long)(rnd() % (uint64_t)n));
		r = store_get(s, key, &kv);
		store_kv_free(&kv);
		if (r) {
			fprintf(stderr, "bench_store: store_get: %s\n", strerror(-r));
			goto out;
		}
		if ((done & 1023) == 0 && now_s() - t0 > PHASE_MAX_SEC)
			break;
	}
	metric("store.get_per_sec", (double)done, now_s() - t0);

	/* updates: compare-and-swap on random keys (get, then put with its mod_rev) */
	t0 = now_s();
	for (done = 0; done < n / 4; done++) {
		key_of(key, sizeof(key), (long)(rnd() % (uint64_t)n));
		r = store_get(s, key, &kv);
		if (!r)
			r = store_put(s, key, value, VALUE_LEN, kv.mod_rev, &rev);
		store_kv_free(&kv);
		if (r) {
			fprintf(stderr, "bench_store: update: %s\n", strerror(-r));
			goto out;
		}
		if ((done & 1023) == 0 && now_s() - t0 > PHASE_MAX_SEC)
			break;
	}
	metric("store.cas_update_per_sec", (double)done, now_s() - t0);

	/* ranges over one namespace: 1,000 keys each */
	t0 = now_s();
	for (done = 0; done < 1000; done++) {
		snprintf(p, sizeof(p), "/registry/pods/ns%04ld/",
			 (long)(rnd() % (uint64_t)(n / PER_NS)));
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
		if (now_s() - t0 > PHASE_MAX_SEC)
			break;
	}
	t = now_s() - t0;
	metric("store.range1000_per_sec", (double)done, t);
	metric("store.range_keys_per_sec", (double)keys, t);

	/* watch replay of the whole history (a watcher that restarts from revision 1) */
	t0 = now_s();
	r = store_watch(s, "", 1, count_fn, NULL, &w);
	t = now_s() - t0;
	if (r) {
		fprintf(stderr, "bench_store: store_watch: %s\n", strerror(-r));
		goto out;
	}
	store_unwatch(w);
	metric("store.watch_replay_events_per_sec", (double)replayed, t);
	store_close(s);
	s = NULL;

	if (raw_sqlite(raw, n, value) == 0)
		ret = 0;
out:
	store_close(s);
	for (i = 0; i < 8; i++) {
		static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};

		snprintf(p, sizeof(p), "%s%s", i < 4 ? path : raw, suffixes[i % 4]);
		unlink(p);
	}
	rmdir(dir);
	return ret;
}
