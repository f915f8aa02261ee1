/*
 * test_hmap.c - unit tests for core/hmap: FNV-1a vectors, put/get/replace/delete,
 * iteration, 100k keys with interleaved deletes, tombstone reuse, and deleting while
 * iterating. Values are small integers cast to pointers.
 */
#include "core/hmap.h"
#include "t.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define N 100000

#define V(i) ((void *)(uintptr_t)(i))

static void key_of(char *buf, size_t size, size_t i)
{
	snprintf(buf, size, "roles/container.k%zu", i);
}

static void test_hash_vectors(void)
{
	/* Published FNV-1a 64-bit test vectors. */
	CHECK(hmap_hash("", 0) == 0xcbf29ce484222325ULL);
	CHECK(hmap_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
	CHECK(hmap_hash("foobar", 6) == 0x85944171f73967e8ULL);
}

static void test_basic(void)
{
	struct hmap *m = hmap_new(0);
	const char *k;
	void *v;
	size_t pos = 0;
	char buf[8] = {'a', 'b', 'c', 'x', 'y'};
	int one = 1, two = 2;

	CHECK(m != NULL);
	CHECK_EQ_INT(hmap_count(m), 0);
	CHECK(hmap_get(m, "abc") == NULL);
	CHECK(hmap_del(m, "abc") == NULL);
	CHECK_EQ_INT(hmap_put(m, "abc", &one), 0);
	CHECK(hmap_get(m, "abc") == &one);
	CHECK(hmap_getn(m, buf, 3) == &one); /* not NUL-terminated at 3 */
	CHECK(hmap_getn(m, buf, 2) == NULL);
	CHECK(hmap_getn(m, buf, 4) == NULL);
	CHECK_EQ_INT(hmap_put(m, "abc", &two), 0); /* replace */
	CHECK(hmap_get(m, "abc") == &two);
	CHECK_EQ_INT(hmap_count(m), 1);
	CHECK_EQ_INT(hmap_put(m, "", &one), 0); /* the empty key is a key */
	CHECK(hmap_get(m, "") == &one);
	CHECK_EQ_INT(hmap_count(m), 2);
	CHECK(hmap_next(m, &pos, &k, &v) == 1);
	CHECK(hmap_next(m, &pos, &k, &v) == 1);
	CHECK(hmap_next(m, &pos, &k, &v) == 0);
	CHECK(hmap_next(m, &pos, &k, &v) == 0);
	CHECK(hmap_del(m, "abc") == &two);
	CHECK(hmap_get(m, "abc") == NULL);
	CHECK(hmap_del(m, "abc") == NULL);
	CHECK_EQ_INT(hmap_count(m), 1);
	hmap_free(m);

	/* NULL-safe edges. */
	CHECK(hmap_get(NULL, "x") == NULL);
	CHECK_EQ_INT(hmap_count(NULL), 0);
	CHECK_EQ_INT(hmap_put(NULL, "x", NULL), -EINVAL);
	hmap_free(NULL);
}

static void test_keys_copied(void)
{
	struct hmap *m = hmap_new(4);
	char key[16] = "mutable";

	CHECK_EQ_INT(hmap_put(m, key, V(7)), 0);
	key[0] = 'X';
	CHECK(hmap_get(m, "mutable") == V(7));
	CHECK(hmap_get(m, key) == NULL);
	hmap_free(m);
}

static void test_many(void)
{
	struct hmap *m = hmap_new(0);
	char key[64];
	size_t i, pos = 0, seen = 0, bad = 0;
	unsigned char *hit = calloc(N, 1);
	const char *k;
	void *v;

	CHECK(m != NULL && hit != NULL);
	for (i = 0; i < N; i++) {
		key_of(key, sizeof key, i);
		if (hmap_put(m, key, V(i + 1)) != 0)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(hmap_count(m), N);
	for (i = 0, bad = 0; i < N; i++) {
		key_of(key, sizeof key, i);
		if (hmap_get(m, key) != V(i + 1))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);

	/* Delete every third key, replace every fifth, miss some absent ones. */
	for (i = 0, bad = 0; i < N; i++) {
		key_of(key, sizeof key, i);
		if (i % 3 == 0 && hmap_del(m, key) != V(i + 1))
			bad++;
		else if (i % 3 && i % 5 == 0 && hmap_put(m, key, V(i + 2)) != 0)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(hmap_count(m), N - (N + 2) / 3);
	for (i = 0, bad = 0; i < N; i++) {
		void *want = i % 3 == 0 ? NULL : i % 5 == 0 ? V(i + 2) : V(i + 1);

		key_of(key, sizeof key, i);
		if (hmap_get(m, key) != want)
			bad++;
		snprintf(key, sizeof key, "absent/%zu", i);
		if (hmap_get(m, key) != NULL)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);

	/* Iteration sees each live key exactly once, with its value. */
	for (bad = 0; hmap_next(m, &pos, &k, &v);) {
		i = (size_t)strtoul(k + sizeof "roles/container.k" - 1, NULL, 10);
		if (i >= N || hit[i]++ || i % 3 == 0 || v != (i % 5 == 0 ? V(i + 2) : V(i + 1)))
			bad++;
		seen++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(seen, hmap_count(m));

	/* Put the deleted keys back (reusing tombstones, then growing). */
	for (i = 0, bad = 0; i < N; i += 3) {
		key_of(key, sizeof key, i);
		if (hmap_put(m, key, V(i + 3)) != 0)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(hmap_count(m), N);
	for (i = 0, bad = 0; i < N; i += 3) {
		key_of(key, sizeof key, i);
		if (hmap_get(m, key) != V(i + 3))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	free(hit);
	hmap_free(m);
}

static void test_churn(void)
{
	/* A steady-size map under insert/delete churn keeps working (tombstones are
	 * recycled by rebuilds) and never loses a live key. */
	struct hmap *m = hmap_new(16);
	char key[64];
	size_t i, bad = 0;

	for (i = 0; i < 200000; i++) {
		key_of(key, sizeof key, i);
		if (hmap_put(m, key, V(i + 1)) != 0)
			bad++;
		if (i >= 10) {
			key_of(key, sizeof key, i - 10);
			if (hmap_del(m, key) != V(i - 9))
				bad++;
		}
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(hmap_count(m), 10);
	for (i = 200000 - 10; i < 200000; i++) {
		key_of(key, sizeof key, i);
		CHECK(hmap_get(m, key) == V(i + 1));
	}
	hmap_free(m);
}

static void test_delete_while_iterating(void)
{
	struct hmap *m = hmap_new(0);
	char key[64];
	size_t i, pos = 0, seen = 0;
	const char *k;
	void *v;

	for (i = 0; i < 1000; i++) {
		key_of(key, sizeof key, i);
		hmap_put(m, key, V(i + 1));
	}
	/* Deleting the entry just returned is allowed; every entry is still visited. */
	while (hmap_next(m, &pos, &k, &v)) {
		char copy[64];

		snprintf(copy, sizeof copy, "%s", k);
		if ((uintptr_t)v % 2 == 0)
			CHECK(hmap_del(m, copy) == v);
		seen++;
	}
	CHECK_EQ_INT(seen, 1000);
	CHECK_EQ_INT(hmap_count(m), 500);
	hmap_free(m);
}

int main(void)
{
	RUN(test_hash_vectors);
	RUN(test_basic);
	RUN(test_keys_copied);
	RUN(test_many);
	RUN(test_churn);
	RUN(test_delete_while_iterating);
	return t_done();
}
