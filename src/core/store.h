/*
 * store.h - the revisioned key-value store behind all of gkeid's state.
 *
 * Modelled on etcd v3 and k3s's kine: every write (put or delete) gets the next
 * global revision; each key remembers the revision that created it and the one that
 * last modified it. Revisions become IAM policy etags and Kubernetes resourceVersions.
 * The interface is backend-neutral; store_sqlite.c is the embedded backend.
 *
 * Threading: a store handle is used from one thread (the event loop). Watch callbacks
 * run synchronously inside the store_put/store_delete that caused them, after commit;
 * a write made from inside a callback is delivered after the current event has reached
 * every watcher, so watchers always see revisions in order. Live events come only from
 * writes through the same handle. Do not store_close from a callback.
 *
 * Limits: keys are 1-4096 bytes (-ENAMETOOLONG), values at most 32 MiB (-EFBIG); keys
 * sort bytewise, as in etcd. Durability: SQLite WAL with synchronous=NORMAL, so an
 * acknowledged write survives the process being killed; a power cut may lose the last
 * few transactions (never corrupts).
 */
#ifndef GKEID_STORE_H
#define GKEID_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_watch;

/* One key's current value. Owned by the caller; free with store_kv_free(s). */
struct store_kv {
	char *key;
	char *value; /* NUL-terminated for convenience; value_len excludes the NUL */
	size_t value_len;
	int64_t create_rev;
	int64_t mod_rev;
};

enum store_event_type { STORE_PUT = 1, STORE_DELETE = 2 };

/* A change, as seen by a watcher. Valid only during the callback. */
struct store_event {
	enum store_event_type type;
	const char *key;
	const char *value; /* the new value for PUT; the last value for DELETE */
	size_t value_len;
	int64_t rev;        /* the revision of this change */
	int64_t create_rev; /* of the key (for DELETE, of the deleted key) */
};

typedef void (*store_watch_fn)(void *arg, const struct store_event *ev);

/* Expected revision arguments for store_put/store_delete. */
#define STORE_ANY_REV (-1) /* no precondition */
#define STORE_ABSENT 0     /* put only: the key must not exist */

/* Opens (creating if needed) the store in the SQLite file at path. The file is made
 * mode 0600. Returns 0 or -errno; on error *out is NULL. */
int store_open(const char *path, struct store **out);
/* Closes; cancels (frees) remaining watches. NULL is fine. */
void store_close(struct store *s);

/* The latest revision (0 for an empty store). */
int64_t store_revision(struct store *s);
/* The compaction point C plus one. store_watch replays from any from_rev >= C; older
 * ones get -ERANGE. */
int64_t store_compacted_revision(struct store *s);

/* Gets one key. Returns 0, -ENOENT, or another -errno. */
int store_get(struct store *s, const char *key, struct store_kv *out);

/* All current keys that start with prefix, in key order; limit 0 = no limit.
 * *out is an array of *n entries (NULL when 0); free with store_kvs_free.
 * Also returns the store revision at which the range was read in *rev (may be NULL). */
int store_range(struct store *s, const char *prefix, size_t limit, struct store_kv **out, size_t *n,
		int64_t *rev);

/* Puts a value. expected_rev: STORE_ANY_REV, STORE_ABSENT (must not exist), or the
 * mod_rev the key must currently have. Returns 0 and the new revision in *new_rev
 * (may be NULL); -EEXIST when STORE_ABSENT and the key exists; -ECANCELED when the key's
 * mod_rev differs (or it is missing while a revision was expected); other -errno. */
int store_put(struct store *s, const char *key, const char *value, size_t value_len,
	      int64_t expected_rev, int64_t *new_rev);

/* Deletes a key. expected_rev: STORE_ANY_REV or the mod_rev it must have.
 * Returns 0 (and the delete's revision in *rev), -ENOENT, -ECANCELED, other -errno. */
int store_delete(struct store *s, const char *key, int64_t expected_rev, int64_t *rev);

/* Deletes every key that starts with prefix (not empty: -EINVAL), in one transaction:
 * all or none. Each deleted key gets its own revision, consecutive, in key order, and
 * watchers see one DELETE event per key, as for store_delete. (etcd's DeleteRange gives
 * the keys one revision with sub-revisions; the log here has one row per revision.)
 * Returns 0 with the number deleted in *n and the last revision in *rev (both may be
 * NULL; 0 and the current revision when nothing matched), or -errno. */
int store_delete_prefix(struct store *s, const char *prefix, size_t *n, int64_t *rev);

/* Watches keys with prefix. Events with revision > from_rev that are still in history
 * are replayed first (synchronously, inside this call); then live events follow as
 * writes commit. from_rev 0 means "from now". Returns -ERANGE when from_rev is older
 * than the compacted revision (the caller must re-list), like etcd's ErrCompacted. */
int store_watch(struct store *s, const char *prefix, int64_t from_rev, store_watch_fn fn,
		void *arg, struct store_watch **out);
/* Cancels a watch. Safe to call from inside its own callback. NULL is fine. */
void store_unwatch(struct store_watch *w);

/* Drops history up to and including rev (current values stay). A rev at or below the
 * current compaction point is a no-op; one in the future is -EINVAL. */
int store_compact(struct store *s, int64_t rev);

void store_kv_free(struct store_kv *kv);             /* frees the members, not kv */
void store_kvs_free(struct store_kv *kvs, size_t n); /* frees members and the array */

#endif
