/*
 * test_store.c - unit tests for the revisioned store (store.h, SQLite backend).
 *
 * Covers get/put/range (ordering, prefix bounds, 0xff bytes), revisions, compare-and-
 * swap, delete by prefix, watches (replay, live, prefixes, cancelling from callbacks, writes from
 * callbacks), compaction, persistence, file modes, large values, and survival of
 * acknowledged writes when the writing process is killed with SIGKILL.
 * Every test works in its own mkdtemp directory and removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store.h"
#include "t.h"

struct tmp {
	char dir[64];
	char path[128];
};

static int tmp_make(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_store.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/gkeid.db", t->dir);
	return 0;
}

static void tmp_remove(struct tmp *t)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffixes[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/junk", t->dir);
	unlink(p);
	CHECK(rmdir(t->dir) == 0);
}

static struct store *open_tmp(struct tmp *t)
{
	struct store *s = NULL;

	if (tmp_make(t) != 0) {
		CHECK(!"mkdtemp");
		return NULL;
	}
	CHECK_EQ_INT(store_open(t->path, &s), 0);
	return s;
}

static int64_t put(struct store *s, const char *key, const char *value)
{
	int64_t rev = -1;
	int r = store_put(s, key, value, strlen(value), STORE_ANY_REV, &rev);

	CHECK_EQ_INT(r, 0);
	return r ? -1 : rev;
}

/* Records the events a watcher receives. */
#define MAX_EVENTS 2048
struct rec {
	int n;
	int64_t rev[MAX_EVENTS];
	int type[MAX_EVENTS];
	int64_t create_rev[MAX_EVENTS];
	char key[MAX_EVENTS][32];
	char value[MAX_EVENTS][32];
	/* optional actions */
	struct store *s;
	struct store_watch *self;   /* cancelled after unwatch_after events */
	int unwatch_after;
	struct store_watch **other; /* cancelled on the first event */
};

static void rec_fn(void *arg, const struct store_event *ev)
{
	struct rec *r = arg;

	if (r->n < MAX_EVENTS) {
		r->rev[r->n] = ev->rev;
		r->type[r->n] = ev->type;
		r->create_rev[r->n] = ev->create_rev;
		snprintf(r->key[r->n], sizeof(r->key[0]), "%s", ev->key);
		snprintf(r->value[r->n], sizeof(r->value[0]), "%.*s", (int)ev->value_len,
			 ev->value);
	}
	r->n++;
	if (r->unwatch_after && r->n == r->unwatch_after) {
		store_unwatch(r->self);
		r->self = NULL;
	}
	if (r->other && *r->other) {
		store_unwatch(*r->other);
		*r->other = NULL;
	}
}

static void test_put_get(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct store_kv kv;
	int64_t rev;

	if (!s)
		return;
	CHECK_EQ_INT(store_revision(s), 0);
	CHECK_EQ_INT(put(s, "/a/x", "one"), 1);
	CHECK_EQ_INT(store_get(s, "/a/x", &kv), 0);
	CHECK_STR(kv.key, "/a/x");
	CHECK_STR(kv.value, "one");
	CHECK_EQ_INT(kv.value_len, 3);
	CHECK_EQ_INT(kv.create_rev, 1);
	CHECK_EQ_INT(kv.mod_rev, 1);
	store_kv_free(&kv);

	CHECK_EQ_INT(put(s, "/other", "x"), 2);
	CHECK_EQ_INT(put(s, "/a/x", "two"), 3);
	CHECK_EQ_INT(store_get(s, "/a/x", &kv), 0);
	CHECK_STR(kv.value, "two");
	CHECK_EQ_INT(kv.create_rev, 1);
	CHECK_EQ_INT(kv.mod_rev, 3);
	store_kv_free(&kv);

	CHECK_EQ_INT(store_get(s, "/a/y", &kv), -ENOENT);
	CHECK(kv.key == NULL && kv.value == NULL);
	CHECK_EQ_INT(store_get(s, "", &kv), -EINVAL);
	CHECK_EQ_INT(store_put(s, "", "v", 1, STORE_ANY_REV, &rev), -EINVAL);
	CHECK_EQ_INT(store_put(s, NULL, "v", 1, STORE_ANY_REV, &rev), -EINVAL);
	CHECK_EQ_INT(store_put(s, "/k", NULL, 1, STORE_ANY_REV, &rev), -EINVAL);
	CHECK_EQ_INT(store_put(s, "/k", "v", 1, -2, &rev), -EINVAL);

	/* empty values and values with NUL bytes */
	CHECK_EQ_INT(store_put(s, "/empty", NULL, 0, STORE_ANY_REV, &rev), 0);
	CHECK_EQ_INT(store_get(s, "/empty", &kv), 0);
	CHECK(kv.value != NULL && kv.value_len == 0 && kv.value[0] == '\0');
	store_kv_free(&kv);
	CHECK_EQ_INT(store_put(s, "/bin", "a\0b", 3, STORE_ANY_REV, NULL), 0);
	CHECK_EQ_INT(store_get(s, "/bin", &kv), 0);
	CHECK(kv.value_len == 3 && memcmp(kv.value, "a\0b", 4) == 0);
	store_kv_free(&kv);
	CHECK_EQ_INT(store_revision(s), 5);

	store_close(s);
	tmp_remove(&t);
}

static void check_range(struct store *s, const char *prefix, size_t limit,
			const char *const *want, size_t nwant, int line)
{
	struct store_kv *kvs = NULL;
	size_t n = 99, i;
	int64_t rev = -1;
	int r = store_range(s, prefix, limit, &kvs, &n, &rev);

	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(rev, store_revision(s));
	if (n != nwant)
		fprintf(stderr, "range at line %d: %zu keys, want %zu\n", line, n, nwant);
	CHECK_EQ_INT(n, nwant);
	for (i = 0; i < n && i < nwant; i++)
		CHECK_STR(kvs[i].key, want[i]);
	if (n == 0)
		CHECK(kvs == NULL);
	store_kvs_free(kvs, n);
}

#define RANGE(s, prefix, limit, ...)                                                       \
	do {                                                                               \
		static const char *const want_[] = {__VA_ARGS__};                         \
		check_range(s, prefix, limit, want_, sizeof(want_) / sizeof(want_[0]) - 1,     \
			    __LINE__);                                                     \
	} while (0)

static void test_range(void)
{
	static const char *const keys[] = {
		"/b", "/a/2", "/a", "/a/1", "/ab", "/a0", "/a\xff",
		"/a\xff\xff", "/a\xff/x", "\xff", "\xff\xfe", "\xff\xff", "/a/10", "/",
	};
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct store_kv kv;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put(s, keys[i], keys[i]);

	RANGE(s, "/a/", 0, "/a/1", "/a/10", "/a/2", NULL);
	RANGE(s, "/a", 0, "/a", "/a/1", "/a/10", "/a/2", "/a0", "/ab", "/a\xff", "/a\xff/x",
	      "/a\xff\xff", NULL);
	RANGE(s, "/a\xff", 0, "/a\xff", "/a\xff/x", "/a\xff\xff", NULL);
	RANGE(s, "/a\xff\xff", 0, "/a\xff\xff", NULL);
	RANGE(s, "\xff", 0, "\xff", "\xff\xfe", "\xff\xff", NULL);
	RANGE(s, "\xff\xff", 0, "\xff\xff", NULL);
	RANGE(s, "/b", 0, "/b", NULL);
	RANGE(s, "/c", 0, NULL);
	RANGE(s, "/a/", 2, "/a/1", "/a/10", NULL);
	RANGE(s, "", 3, "/", "/a", "/a/1", NULL);
	RANGE(s, "", 0, "/", "/a", "/a/1", "/a/10", "/a/2", "/a0", "/ab", "/a\xff", "/a\xff/x",
	      "/a\xff\xff", "/b", "\xff", "\xff\xfe", "\xff\xff", NULL);
	RANGE(s, NULL, 0, "/", "/a", "/a/1", "/a/10", "/a/2", "/a0", "/ab", "/a\xff",
	      "/a\xff/x", "/a\xff\xff", "/b", "\xff", "\xff\xfe", "\xff\xff", NULL);

	/* values and revisions come back with the keys */
	{
		struct store_kv *kvs;
		size_t n;

		CHECK_EQ_INT(store_range(s, "/a/1", 0, &kvs, &n, NULL), 0);
		CHECK_EQ_INT(n, 2);
		if (n == 2) {
			CHECK_STR(kvs[0].value, "/a/1");
			CHECK_EQ_INT(kvs[0].create_rev, 4);
			CHECK_EQ_INT(kvs[0].mod_rev, 4);
			CHECK_STR(kvs[1].key, "/a/10");
		}
		store_kvs_free(kvs, n);
	}
	CHECK_EQ_INT(store_delete(s, "/a/10", STORE_ANY_REV, NULL), 0);
	RANGE(s, "/a/", 0, "/a/1", "/a/2", NULL);
	CHECK_EQ_INT(store_get(s, "\xff\xff", &kv), 0);
	CHECK_STR(kv.value, "\xff\xff");
	store_kv_free(&kv);

	store_close(s);
	tmp_remove(&t);
}

static void test_revisions(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct store_kv kv;
	int64_t rev = -1;

	if (!s)
		return;
	CHECK_EQ_INT(put(s, "/k1", "a"), 1);
	CHECK_EQ_INT(put(s, "/k2", "b"), 2);
	CHECK_EQ_INT(store_delete(s, "/k1", STORE_ANY_REV, &rev), 0);
	CHECK_EQ_INT(rev, 3);
	CHECK_EQ_INT(store_revision(s), 3);
	CHECK_EQ_INT(store_delete(s, "/k1", STORE_ANY_REV, &rev), -ENOENT);
	CHECK_EQ_INT(rev, 0);
	CHECK_EQ_INT(store_delete(s, "/never", STORE_ANY_REV, NULL), -ENOENT);
	CHECK_EQ_INT(store_revision(s), 3); /* failures do not consume revisions */
	CHECK_EQ_INT(store_get(s, "/k1", &kv), -ENOENT);
	/* recreating a deleted key starts a new life */
	CHECK_EQ_INT(put(s, "/k1", "again"), 4);
	CHECK_EQ_INT(store_get(s, "/k1", &kv), 0);
	CHECK_EQ_INT(kv.create_rev, 4);
	CHECK_EQ_INT(kv.mod_rev, 4);
	store_kv_free(&kv);
	store_close(s);
	tmp_remove(&t);
}

static void test_cas(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	int64_t rev = -1, rev2 = -1;

	if (!s)
		return;
	CHECK_EQ_INT(store_put(s, "/k", "v1", 2, STORE_ABSENT, &rev), 0);
	CHECK_EQ_INT(rev, 1);
	CHECK_EQ_INT(store_put(s, "/k", "v2", 2, STORE_ABSENT, &rev2), -EEXIST);
	CHECK_EQ_INT(rev2, 0);
	CHECK_EQ_INT(store_put(s, "/k", "v2", 2, rev, &rev2), 0);
	CHECK_EQ_INT(rev2, 2);
	CHECK_EQ_INT(store_put(s, "/k", "v3", 2, rev, NULL), -ECANCELED); /* stale */
	CHECK_EQ_INT(store_put(s, "/k", "v3", 2, 99, NULL), -ECANCELED);
	CHECK_EQ_INT(store_put(s, "/missing", "v", 1, 1, NULL), -ECANCELED);
	CHECK_EQ_INT(store_delete(s, "/k", rev, NULL), -ECANCELED);
	CHECK_EQ_INT(store_delete(s, "/k", STORE_ABSENT, NULL), -EINVAL);
	CHECK_EQ_INT(store_delete(s, "/missing", 5, NULL), -ENOENT);
	CHECK_EQ_INT(store_revision(s), 2);
	CHECK_EQ_INT(store_delete(s, "/k", rev2, &rev), 0);
	CHECK_EQ_INT(rev, 3);
	CHECK_EQ_INT(store_put(s, "/k", "v4", 2, STORE_ABSENT, &rev), 0);
	CHECK_EQ_INT(rev, 4);
	store_close(s);
	tmp_remove(&t);
}

static void test_watch_replay_live(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct store_watch *w = NULL, *w_now = NULL;
	struct rec *a = calloc(1, sizeof(*a)), *now = calloc(1, sizeof(*now));

	if (!s || !a || !now) {
		CHECK(!"setup");
		goto out;
	}
	put(s, "/a/1", "x1"); /* 1 */
	put(s, "/b/1", "y1"); /* 2 */
	put(s, "/a/2", "x2"); /* 3 */
	CHECK_EQ_INT(store_delete(s, "/a/1", STORE_ANY_REV, NULL), 0); /* 4 */
	put(s, "/a", "not under /a/"); /* 5 */

	CHECK_EQ_INT(store_watch(s, "/a/", 1, rec_fn, a, &w), 0);
	CHECK(w != NULL);
	CHECK_EQ_INT(store_watch(s, "/a/", 0, rec_fn, now, &w_now), 0);
	CHECK_EQ_INT(a->n, 2);
	CHECK_EQ_INT(now->n, 0);
	if (a->n == 2) {
		CHECK_EQ_INT(a->rev[0], 3);
		CHECK_EQ_INT(a->type[0], STORE_PUT);
		CHECK_STR(a->key[0], "/a/2");
		CHECK_STR(a->value[0], "x2");
		CHECK_EQ_INT(a->create_rev[0], 3);
		CHECK_EQ_INT(a->rev[1], 4);
		CHECK_EQ_INT(a->type[1], STORE_DELETE);
		CHECK_STR(a->key[1], "/a/1");
		CHECK_STR(a->value[1], "x1"); /* the last value */
		CHECK_EQ_INT(a->create_rev[1], 1);
	}
	put(s, "/a/3", "x3"); /* 6: live */
	put(s, "/b/2", "y2"); /* 7: filtered */
	CHECK_EQ_INT(store_delete(s, "/a/2", STORE_ANY_REV, NULL), 0); /* 8 */
	CHECK_EQ_INT(a->n, 4);
	CHECK_EQ_INT(now->n, 2);
	if (a->n == 4 && now->n == 2) {
		CHECK_EQ_INT(a->rev[2], 6);
		CHECK_STR(a->value[2], "x3");
		CHECK_EQ_INT(a->rev[3], 8);
		CHECK_EQ_INT(a->type[3], STORE_DELETE);
		CHECK_EQ_INT(a->create_rev[3], 3);
		CHECK_EQ_INT(now->rev[0], 6);
		CHECK_EQ_INT(now->rev[1], 8);
	}
	/* a future from_rev skips events up to it */
	{
		struct store_watch *wf = NULL;
		struct rec *f = calloc(1, sizeof(*f));

		if (f) {
			CHECK_EQ_INT(store_watch(s, "", 9, rec_fn, f, &wf), 0);
			put(s, "/c", "9");
			put(s, "/c", "10");
			CHECK_EQ_INT(f->n, 1);
			CHECK_EQ_INT(f->rev[0], 10);
			store_unwatch(wf);
			free(f);
		}
	}
	CHECK_EQ_INT(store_watch(s, "/a/", -1, rec_fn, a, &w_now), -EINVAL);
	store_unwatch(w);
	put(s, "/a/4", "x4");
	CHECK_EQ_INT(a->n, 4); /* cancelled */
out:
	store_close(s); /* frees the remaining watch */
	free(a);
	free(now);
	tmp_remove(&t);
}

static void test_watch_prefix(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct rec *r[4];
	struct store_watch *w[4];
	static const char *const prefixes[] = {"/a", "/a/", "", "\xff"};
	int i;

	if (!s)
		return;
	for (i = 0; i < 4; i++) {
		r[i] = calloc(1, sizeof(*r[i]));
		w[i] = NULL;
		if (r[i])
			CHECK_EQ_INT(store_watch(s, prefixes[i], 0, rec_fn, r[i], &w[i]), 0);
	}
	put(s, "/a", "1");
	put(s, "/a/x", "2");
	put(s, "/ab", "3");
	put(s, "/b", "4");
	put(s, "\xff\xff", "5");
	put(s, "\xfe", "6");
	if (r[0] && r[1] && r[2] && r[3]) {
		CHECK_EQ_INT(r[0]->n, 3);
		CHECK_EQ_INT(r[1]->n, 1);
		CHECK_STR(r[1]->key[0], "/a/x");
		CHECK_EQ_INT(r[2]->n, 6);
		CHECK_EQ_INT(r[3]->n, 1);
		CHECK_EQ_INT(r[3]->rev[0], 5);
	}
	/* the same through replay */
	for (i = 0; i < 4; i++) {
		store_unwatch(w[i]);
		if (r[i]) {
			memset(r[i], 0, sizeof(*r[i]));
			CHECK_EQ_INT(store_watch(s, prefixes[i], 1, rec_fn, r[i], &w[i]), 0);
		}
	}
	if (r[0] && r[1] && r[2] && r[3]) {
		CHECK_EQ_INT(r[0]->n, 2); /* rev 1 is not after from_rev */
		CHECK_EQ_INT(r[1]->n, 1);
		CHECK_EQ_INT(r[2]->n, 5);
		CHECK_EQ_INT(r[3]->n, 1);
	}
	store_close(s);
	for (i = 0; i < 4; i++)
		free(r[i]);
	tmp_remove(&t);
}

/* store_delete_prefix: only the prefix's keys go, each with its own revision in key
 * order, live watchers and replay see DELETE events with the last values, an empty
 * prefix is refused, and a prefix that matches nothing changes nothing. */
static void test_delete_prefix(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct rec *r = calloc(1, sizeof(*r)), *replay = calloc(1, sizeof(*replay));
	struct store_watch *w = NULL, *w2 = NULL;
	struct store_kv *kvs = NULL;
	struct store_kv kv;
	size_t n = 99;
	int64_t rev = 0, created;

	if (!s || !r || !replay)
		goto out;
	created = put(s, "/p/a", "1");
	put(s, "/p/b", "2");
	put(s, "/p", "kept");
	put(s, "/q/a", "kept");
	put(s, "/p/a", "1b");
	CHECK_EQ_INT(store_watch(s, "/", 0, rec_fn, r, &w), 0);
	CHECK_EQ_INT(store_delete_prefix(s, "", &n, &rev), -EINVAL);
	CHECK_EQ_INT(store_delete_prefix(s, NULL, &n, &rev), -EINVAL);
	CHECK_EQ_INT(store_delete_prefix(s, "/p/", &n, &rev), 0);
	CHECK_EQ_INT((int)n, 2);
	CHECK_EQ_INT(rev, 7);
	CHECK_EQ_INT(store_revision(s), 7);
	CHECK_EQ_INT(r->n, 2);
	CHECK_STR(r->key[0], "/p/a");
	CHECK_STR(r->value[0], "1b");
	CHECK_EQ_INT(r->type[0], STORE_DELETE);
	CHECK_EQ_INT(r->rev[0], 6);
	CHECK_EQ_INT(r->create_rev[0], created);
	CHECK_STR(r->key[1], "/p/b");
	CHECK_EQ_INT(r->rev[1], 7);
	CHECK_EQ_INT(store_get(s, "/p/a", &kv), -ENOENT);
	CHECK_EQ_INT(store_range(s, "/", 0, &kvs, &n, NULL), 0);
	CHECK_EQ_INT((int)n, 2);
	if (n == 2) {
		CHECK_STR(kvs[0].key, "/p");
		CHECK_STR(kvs[1].key, "/q/a");
	}
	store_kvs_free(kvs, n);
	/* nothing left under it: no revision is spent */
	CHECK_EQ_INT(store_delete_prefix(s, "/p/", &n, &rev), 0);
	CHECK_EQ_INT((int)n, 0);
	CHECK_EQ_INT(rev, 7);
	CHECK_EQ_INT(store_revision(s), 7);
	/* the deletes are in history: a watch from revision 5 replays them */
	CHECK_EQ_INT(store_watch(s, "/p/", 5, rec_fn, replay, &w2), 0);
	CHECK_EQ_INT(replay->n, 2);
	CHECK_EQ_INT(replay->type[1], STORE_DELETE);
	CHECK_STR(replay->value[1], "2");
out:
	store_unwatch(w);
	store_unwatch(w2);
	store_close(s);
	free(r);
	free(replay);
	tmp_remove(&t);
}

static void test_unwatch_in_callback(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct rec *self = calloc(1, sizeof(*self)), *killer = calloc(1, sizeof(*killer));
	struct rec *victim = calloc(1, sizeof(*victim));
	struct store_watch *w_self = NULL, *w_killer = NULL, *w_victim = NULL;

	if (!s || !self || !killer || !victim) {
		CHECK(!"setup");
		goto out;
	}
	CHECK_EQ_INT(store_watch(s, "", 0, rec_fn, self, &w_self), 0);
	self->self = w_self;
	self->unwatch_after = 1;
	CHECK_EQ_INT(store_watch(s, "", 0, rec_fn, killer, &w_killer), 0);
	killer->other = &w_victim; /* cancels a watch that comes after it in the list */
	CHECK_EQ_INT(store_watch(s, "", 0, rec_fn, victim, &w_victim), 0);
	put(s, "/k", "1");
	put(s, "/k", "2");
	CHECK_EQ_INT(self->n, 1);
	CHECK_EQ_INT(killer->n, 2);
	CHECK_EQ_INT(victim->n, 0);
	CHECK(w_victim == NULL);

	/* a cancelled watch is freed after delivery; later writes do not reach it */
	put(s, "/k", "3");
	CHECK_EQ_INT(self->n, 1);
	CHECK_EQ_INT(killer->n, 3);
	CHECK_EQ_INT(victim->n, 0);
	store_unwatch(w_killer);
	store_unwatch(NULL);
out:
	store_close(s);
	free(self);
	free(killer);
	free(victim);
	tmp_remove(&t);
}

/* Cancels its own watch from inside replay, through the handle store_watch set. */
struct replay_cancel {
	struct store_watch *w;
	int n;
};

static void replay_cancel_fn(void *arg, const struct store_event *ev)
{
	struct replay_cancel *c = arg;

	(void)ev;
	if (++c->n == 2)
		store_unwatch(c->w);
}

static void test_unwatch_in_replay(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct replay_cancel c = {NULL, 0};
	int i;

	if (!s)
		return;
	for (i = 0; i < 600; i++) /* more than one replay batch */
		put(s, "/r", "x");
	CHECK_EQ_INT(store_watch(s, "/r", 1, replay_cancel_fn, &c, &c.w), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(c.w == NULL);
	put(s, "/r", "y");
	CHECK_EQ_INT(c.n, 2);
	store_close(s);
	tmp_remove(&t);
}

/* A watcher that writes: every event under /a/ makes it put /b/<n>. */
struct writer {
	struct store *s;
	int n;
	struct rec *late; /* watched from inside a callback */
	struct store_watch *late_w;
};

static void writer_fn(void *arg, const struct store_event *ev)
{
	struct writer *wr = arg;
	char key[32];

	if (strncmp(ev->key, "/a/", 3) != 0)
		return;
	snprintf(key, sizeof(key), "/b/%d", wr->n++);
	CHECK_EQ_INT(store_put(wr->s, key, "w", 1, STORE_ANY_REV, NULL), 0);
	if (wr->late && !wr->late_w)
		CHECK_EQ_INT(store_watch(wr->s, "", 1, rec_fn, wr->late, &wr->late_w), 0);
}

static void test_writes_from_callbacks(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct writer wr = {0};
	struct rec *all = calloc(1, sizeof(*all)), *late = calloc(1, sizeof(*late));
	struct rec *replayed = calloc(1, sizeof(*replayed));
	struct store_watch *w1 = NULL, *w2 = NULL, *w3 = NULL;
	int i;

	if (!s || !all || !late || !replayed) {
		CHECK(!"setup");
		goto out;
	}
	wr.s = s;
	wr.late = late;
	CHECK_EQ_INT(store_watch(s, "", 0, writer_fn, &wr, &w1), 0);
	CHECK_EQ_INT(store_watch(s, "", 0, rec_fn, all, &w2), 0);
	put(s, "/a/1", "1"); /* 1, and the writer's /b/0 = 2 */
	put(s, "/a/2", "2"); /* 3, /b/1 = 4 */
	CHECK_EQ_INT(store_revision(s), 4);
	CHECK_EQ_INT(all->n, 4);
	for (i = 0; i < all->n && i < 4; i++)
		CHECK_EQ_INT(all->rev[i], i + 1); /* in order, although /b/0 committed first */
	/* the watch added from a callback replayed from 1 and then went live, with no
	 * event twice */
	CHECK_EQ_INT(late->n, 3);
	for (i = 0; i < late->n && i < 3; i++)
		CHECK_EQ_INT(late->rev[i], i + 2);
	store_unwatch(w1);

	/* a replay callback that writes sees its own write, once */
	wr.late = NULL;
	CHECK_EQ_INT(store_watch(s, "", 0, writer_fn, &wr, &w1), 0);
	store_unwatch(w1);
	w1 = NULL;
	{
		struct writer wr2 = {s, 100, NULL, NULL};

		CHECK_EQ_INT(store_watch(s, "", 2, writer_fn, &wr2, &w3), 0);
		/* replayed 3 (/a/2) -> wrote /b/100 at 5, which it also replays */
		CHECK_EQ_INT(store_revision(s), 5);
		CHECK_EQ_INT(store_watch(s, "", 4, rec_fn, replayed, &w1), 0);
		CHECK_EQ_INT(replayed->n, 1);
		CHECK_STR(replayed->key[0], "/b/100");
		store_unwatch(w3);
	}
out:
	store_close(s);
	free(all);
	free(late);
	free(replayed);
	tmp_remove(&t);
}

static void test_compact(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct store_watch *w = (struct store_watch *)&t;
	struct rec *r = calloc(1, sizeof(*r));
	struct store_kv kv;
	char key[16];
	int i;

	if (!s || !r) {
		CHECK(!"setup");
		goto out;
	}
	CHECK_EQ_INT(store_compacted_revision(s), 1);
	for (i = 1; i <= 10; i++) {
		snprintf(key, sizeof(key), "/k%d", i % 3);
		put(s, key, key);
	}
	CHECK_EQ_INT(store_compact(s, 5), 0);
	CHECK_EQ_INT(store_compacted_revision(s), 6);
	CHECK_EQ_INT(store_watch(s, "", 4, rec_fn, r, &w), -ERANGE);
	CHECK(w == NULL);
	CHECK_EQ_INT(r->n, 0);
	CHECK_EQ_INT(store_watch(s, "", 5, rec_fn, r, &w), 0);
	CHECK_EQ_INT(r->n, 5);
	CHECK_EQ_INT(r->rev[0], 6);
	store_unwatch(w);
	w = NULL;
	/* current values survive */
	CHECK_EQ_INT(store_get(s, "/k1", &kv), 0);
	CHECK_EQ_INT(kv.mod_rev, 10);
	CHECK_EQ_INT(kv.create_rev, 1);
	store_kv_free(&kv);
	CHECK_EQ_INT(store_compact(s, 3), 0); /* already compacted: no-op */
	CHECK_EQ_INT(store_compacted_revision(s), 6);
	CHECK_EQ_INT(store_compact(s, 11), -EINVAL);
	CHECK_EQ_INT(store_compact(s, -1), -EINVAL);
	CHECK_EQ_INT(store_compact(s, 10), 0); /* all history */
	CHECK_EQ_INT(store_revision(s), 10);
	CHECK_EQ_INT(store_watch(s, "", 9, rec_fn, r, &w), -ERANGE);
	store_close(s); /* the revision survives a compaction of all history */
	s = NULL;
	CHECK_EQ_INT(store_open(t.path, &s), 0);
	if (!s)
		goto out;
	CHECK_EQ_INT(store_revision(s), 10);
	CHECK_EQ_INT(store_compacted_revision(s), 11);
	CHECK_EQ_INT(put(s, "/new", "x"), 11); /* revisions go on */
	store_close(s);
	s = NULL;
	CHECK_EQ_INT(store_open(t.path, &s), 0);
	if (s) {
		CHECK_EQ_INT(store_revision(s), 11);
		CHECK_EQ_INT(store_compacted_revision(s), 11);
		CHECK_EQ_INT(put(s, "/new", "y"), 12);
		r->n = 0;
		CHECK_EQ_INT(store_watch(s, "", 10, rec_fn, r, &w), 0);
		CHECK_EQ_INT(r->n, 2);
	}
out:
	store_close(s);
	free(r);
	tmp_remove(&t);
}

static void test_reopen(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	struct store_kv kv;
	struct store_kv *kvs;
	size_t n;

	if (!s)
		return;
	put(s, "/p/1", "one");
	put(s, "/p/2", "two");
	put(s, "/p/1", "uno");
	CHECK_EQ_INT(store_delete(s, "/p/2", STORE_ANY_REV, NULL), 0);
	store_close(s);
	s = NULL;
	CHECK_EQ_INT(store_open(t.path, &s), 0);
	if (!s)
		goto out;
	CHECK_EQ_INT(store_revision(s), 4);
	CHECK_EQ_INT(store_get(s, "/p/1", &kv), 0);
	CHECK_STR(kv.value, "uno");
	CHECK_EQ_INT(kv.create_rev, 1);
	CHECK_EQ_INT(kv.mod_rev, 3);
	store_kv_free(&kv);
	CHECK_EQ_INT(store_get(s, "/p/2", &kv), -ENOENT);
	CHECK_EQ_INT(store_range(s, "/p/", 0, &kvs, &n, NULL), 0);
	CHECK_EQ_INT(n, 1);
	store_kvs_free(kvs, n);
	CHECK_EQ_INT(put(s, "/p/3", "three"), 5);
	/* two handles on one file see each other's writes */
	{
		struct store *s2 = NULL;

		CHECK_EQ_INT(store_open(t.path, &s2), 0);
		if (s2) {
			CHECK_EQ_INT(store_revision(s2), 5);
			CHECK_EQ_INT(put(s2, "/p/4", "four"), 6);
			CHECK_EQ_INT(store_revision(s), 6);
			CHECK_EQ_INT(put(s, "/p/5", "five"), 7);
			store_close(s2);
		}
	}
out:
	store_close(s);
	tmp_remove(&t);
}

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void test_file_mode(void)
{
	struct tmp t;
	struct store *s = NULL;
	char p[160];
	mode_t old = umask(0);

	if (tmp_make(&t) != 0) {
		CHECK(!"mkdtemp");
		umask(old);
		return;
	}
	CHECK_EQ_INT(store_open(t.path, &s), 0);
	CHECK_EQ_INT(mode_of(t.path), 0600);
	put(s, "/k", "v");
	snprintf(p, sizeof(p), "%s-wal", t.path);
	CHECK_EQ_INT(mode_of(p), 0600);
	snprintf(p, sizeof(p), "%s-shm", t.path);
	CHECK_EQ_INT(mode_of(p), 0600);
	store_close(s);
	s = NULL;
	/* an existing file with a loose mode is tightened */
	CHECK_EQ_INT(chmod(t.path, 0644), 0);
	CHECK_EQ_INT(store_open(t.path, &s), 0);
	CHECK_EQ_INT(mode_of(t.path), 0600);
	store_close(s);
	umask(old);
	tmp_remove(&t);
}

static void test_open_errors(void)
{
	struct tmp t;
	struct store *s = (struct store *)&t;
	char p[160];
	int fd;

	CHECK_EQ_INT(store_open("/nonexistent-dir-gkeid/x.db", &s), -ENOENT);
	CHECK(s == NULL);
	CHECK_EQ_INT(store_open(NULL, &s), -EINVAL);
	CHECK_EQ_INT(store_open("", &s), -EINVAL);
	if (tmp_make(&t) != 0) {
		CHECK(!"mkdtemp");
		return;
	}
	/* a file that is not a database */
	snprintf(p, sizeof(p), "%s/junk", t.dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	if (fd >= 0) {
		char junk[4096];

		memset(junk, 'j', sizeof(junk));
		CHECK_EQ_INT(write(fd, junk, sizeof(junk)), (long long)sizeof(junk));
		close(fd);
	}
	s = (struct store *)&t;
	CHECK_EQ_INT(store_open(p, &s), -EBADMSG);
	CHECK(s == NULL);
	CHECK_EQ_INT(store_open(t.dir, &s), -EISDIR);
	store_close(NULL);
	tmp_remove(&t);
}

static void test_large_value(void)
{
	struct tmp t;
	struct store *s = open_tmp(&t);
	size_t len = 1 << 20, i;
	char *big = malloc(len);
	struct store_kv kv;
	int64_t rev;

	if (!s || !big) {
		CHECK(!"setup");
		goto out;
	}
	for (i = 0; i < len; i++)
		big[i] = (char)(i * 131 + (i >> 9)); /* includes NUL bytes */
	CHECK_EQ_INT(store_put(s, "/big", big, len, STORE_ABSENT, &rev), 0);
	CHECK_EQ_INT(store_get(s, "/big", &kv), 0);
	CHECK_EQ_INT(kv.value_len, len);
	CHECK(kv.value && memcmp(kv.value, big, len) == 0 && kv.value[len] == '\0');
	store_kv_free(&kv);
	big[0] ^= 1;
	CHECK_EQ_INT(store_put(s, "/big", big, len, rev, &rev), 0);
	CHECK_EQ_INT(store_get(s, "/big", &kv), 0);
	CHECK(kv.value_len == len && memcmp(kv.value, big, len) == 0);
	store_kv_free(&kv);
	CHECK_EQ_INT(store_put(s, "/toobig", big, (size_t)64 << 20, STORE_ANY_REV, NULL),
		     -EFBIG);
	{
		char key[5000];

		memset(key, 'k', sizeof(key) - 1);
		key[sizeof(key) - 1] = '\0';
		CHECK_EQ_INT(store_put(s, key, "v", 1, STORE_ANY_REV, NULL), -ENAMETOOLONG);
		CHECK_EQ_INT(store_get(s, key, &kv), -ENOENT);
	}
	CHECK_EQ_INT(store_delete(s, "/big", STORE_ANY_REV, NULL), 0);
	CHECK_EQ_INT(store_revision(s), 3);
out:
	store_close(s);
	free(big);
	tmp_remove(&t);
}

/*
 * The writer is a child process that reports each acknowledged revision on a pipe; it
 * is killed with SIGKILL mid-stream. Every key it acknowledged must be in the file.
 */
#define CRASH_MIN_ACKS 300
#define CRASH_MAX_PUTS 1000000

static void crash_child(const char *path, int fd)
{
	struct store *s = NULL;
	char key[32], line[64];
	int64_t rev;
	int i, n;

	if (store_open(path, &s) != 0)
		_exit(2);
	for (i = 0; i < CRASH_MAX_PUTS; i++) {
		snprintf(key, sizeof(key), "/crash/%08d", i);
		if (store_put(s, key, key, strlen(key), STORE_ABSENT, &rev) != 0)
			_exit(3);
		n = snprintf(line, sizeof(line), "%d %lld\n", i, (long long)rev);
		if (write(fd, line, (size_t)n) != n)
			_exit(4);
	}
	_exit(0);
}

static void test_crash(void)
{
	struct tmp t;
	struct store *s = NULL;
	struct store_kv kv;
	int fds[2], status = 0, acks = 0, last = -1, bad = 0, i;
	char key[32];
	FILE *in;
	pid_t pid;
	long long rev, last_rev = 0;

	if (tmp_make(&t) != 0 || pipe(fds) != 0) {
		CHECK(!"setup");
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		crash_child(t.path, fds[1]);
	}
	CHECK(pid > 0);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		tmp_remove(&t);
		return;
	}
	in = fdopen(fds[0], "r");
	CHECK(in != NULL);
	if (!in) {
		close(fds[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		tmp_remove(&t);
		return;
	}
	/* read acknowledgements; kill after CRASH_MIN_ACKS, then drain what was written
	 * before the process died: those were acknowledged too */
	while (fscanf(in, "%d %lld", &i, &rev) == 2) {
		if (i != last + 1)
			bad++;
		last = i;
		last_rev = rev;
		if (++acks == CRASH_MIN_ACKS)
			CHECK_EQ_INT(kill(pid, SIGKILL), 0);
	}
	fclose(in);
	CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(acks >= CRASH_MIN_ACKS);
	CHECK_EQ_INT(bad, 0);
	printf("# %d writes acknowledged before the writer died\n", acks);

	CHECK_EQ_INT(store_open(t.path, &s), 0);
	if (s) {
		int missing = 0;

		CHECK(store_revision(s) >= last_rev);
		for (i = 0; i <= last; i++) {
			snprintf(key, sizeof(key), "/crash/%08d", i);
			if (store_get(s, key, &kv) != 0 || kv.mod_rev != i + 1)
				missing++;
			store_kv_free(&kv);
		}
		CHECK_EQ_INT(missing, 0);
		/* the store is usable after the crash */
		CHECK_EQ_INT(put(s, "/after", "crash"), store_revision(s));
		store_close(s);
	}
	tmp_remove(&t);
}

int main(void)
{
	RUN(test_put_get);
	RUN(test_range);
	RUN(test_revisions);
	RUN(test_cas);
	RUN(test_watch_replay_live);
	RUN(test_watch_prefix);
	RUN(test_delete_prefix);
	RUN(test_unwatch_in_callback);
	RUN(test_unwatch_in_replay);
	RUN(test_writes_from_callbacks);
	RUN(test_compact);
	RUN(test_reopen);
	RUN(test_file_mode);
	RUN(test_open_errors);
	RUN(test_large_value);
	RUN(test_crash);
	return t_done();
}
