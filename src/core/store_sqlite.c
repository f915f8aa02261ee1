/*
 * store_sqlite.c - the embedded SQLite backend of the revisioned store (store.h).
 *
 * One database file in WAL mode with synchronous=NORMAL: a write is acknowledged once
 * its transaction is in the WAL, so it survives the process being killed (a power cut
 * may lose the last few transactions, never consistency). Tables:
 *   kv(key, ...)      the current value of every live key (get and range)
 *   log(rev, ...)     one row per put or delete after the compaction point (watch);
 *                     the latest revision is its last row, which compaction keeps
 *   meta(name, value) 'compact' = the compaction point
 * A write changes kv and log in one transaction (two or three pages in the WAL).
 * Watches live in memory: replay reads the log; live events are delivered synchronously
 * after commit, in revision order, even when a callback writes again (such events are
 * queued and delivered once the current one has reached every watcher).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"

/* Size caps: keys are resource names, values serialized objects. */
#define KEY_MAX 4096
#define VALUE_MAX (32u << 20)
#define BUSY_TIMEOUT_MS 5000
#define WAL_SIZE_LIMIT "67108864" /* bytes; the WAL is truncated to this after a checkpoint */
#define CACHE_KIB "32768"         /* page cache: reads of a warm store make no system calls */
#define REPLAY_BATCH 256
#define SCHEMA_VERSION 1

enum {
	ST_BEGIN,
	ST_BEGIN_WRITE,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_REVS,
	ST_META_SET,
	ST_KV_GET,
	ST_KV_REVS,
	ST_KV_INSERT,
	ST_KV_UPDATE,
	ST_KV_DELETE,
	ST_KV_RANGE,
	ST_LOG_INSERT,
	ST_LOG_RANGE,
	ST_LOG_COMPACT,
	ST_COUNT
};

/*
 * Prefix ranges are index range scans: key >= prefix AND key < successor(prefix).
 * When the prefix has no successor ("" or all 0xff bytes) the upper bound is bound as
 * an empty BLOB: SQLite orders every TEXT value before every BLOB, so the bound holds
 * for all keys and the scan still uses the index.
 */
static const char *const sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN",
	[ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_REVS] = "SELECT (SELECT ifnull(max(rev), 0) FROM log),"
		    " (SELECT value FROM meta WHERE name = 'compact')",
	[ST_META_SET] = "UPDATE meta SET value = ?2 WHERE name = ?1",
	[ST_KV_GET] = "SELECT create_rev, mod_rev, value FROM kv WHERE key = ?1",
	[ST_KV_REVS] = "SELECT create_rev, mod_rev FROM kv WHERE key = ?1",
	[ST_KV_INSERT] = "INSERT INTO kv(key, create_rev, mod_rev, value) VALUES(?1, ?2, ?3, ?4)",
	[ST_KV_UPDATE] = "UPDATE kv SET mod_rev = ?2, value = ?3 WHERE key = ?1",
	[ST_KV_DELETE] = "DELETE FROM kv WHERE key = ?1",
	[ST_KV_RANGE] = "SELECT key, create_rev, mod_rev, value FROM kv"
			" WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3",
	[ST_LOG_INSERT] = "INSERT INTO log(rev, key, deleted, create_rev, value)"
			  " VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_LOG_RANGE] = "SELECT rev, key, deleted, create_rev, value FROM log"
			 " WHERE rev > ?1 AND key >= ?2 AND key < ?3 ORDER BY rev LIMIT ?4",
	[ST_LOG_COMPACT] = "DELETE FROM log WHERE rev <= ?1"
			   " AND rev < (SELECT max(rev) FROM log)", /* keeps the latest revision */
};

/* Value columns come last so that reading the revisions never touches overflow pages. */
static const char schema[] =
	"CREATE TABLE meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO meta(name, value) VALUES('compact', 0);"
	"CREATE TABLE kv(key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL,"
	" mod_rev INTEGER NOT NULL, value BLOB NOT NULL);"
	"CREATE TABLE log(rev INTEGER PRIMARY KEY, key TEXT NOT NULL, deleted INTEGER NOT NULL,"
	" create_rev INTEGER NOT NULL, value BLOB NOT NULL);"
	"PRAGMA user_version = 1;"; /* SCHEMA_VERSION */

/* An event with its own copy of key and value: replay batches and the live queue. */
struct event_copy {
	struct event_copy *next;
	struct store_event ev;
	char buf[]; /* key NUL value NUL */
};

struct store_watch {
	struct store *s;
	struct store_watch *next;
	char *prefix;
	size_t prefix_len;
	int64_t min_rev; /* live events at or below this were replayed or predate the watch */
	store_watch_fn fn;
	void *arg;
	int dead;      /* cancelled; freed once nothing iterates over it */
	int replaying; /* inside store_watch, not yet on the list */
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int64_t rev;     /* the latest revision, refreshed by every transaction */
	int64_t compact; /* the compaction point, likewise */
	struct store_watch *watches, **watches_tail;
	int dispatching; /* delivering live events: writes queue theirs, unwatch defers */
	int have_dead;
	struct event_copy *queue, **queue_tail;
};

static int sqlerr(sqlite3 *db, int rc)
{
	int e;

	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_TOOBIG:
		return -EFBIG;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
		return -EINVAL;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		e = db ? sqlite3_system_errno(db) : 0;
		return e > 0 ? -e : -EIO;
	default:
		return -EIO;
	}
}

/* Resets a cached statement and drops its bindings (which may point at caller memory). */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a cached statement that returns no rows. */
static int run(struct store *s, int id)
{
	sqlite3_stmt *st = s->st[id];
	int rc = sqlite3_step(st);

	done(st);
	return rc == SQLITE_DONE ? 0 : sqlerr(s->db, rc);
}

static int bind_key(sqlite3_stmt *st, int i, const char *key, size_t len)
{
	return sqlite3_bind_text64(st, i, key, len, SQLITE_STATIC, SQLITE_UTF8);
}

/* A zero-length blob must not be bound from a NULL pointer: that would bind NULL. */
static int bind_value(sqlite3_stmt *st, int i, const char *value, size_t len)
{
	if (len == 0)
		return sqlite3_bind_zeroblob(st, i, 0);
	return sqlite3_bind_blob64(st, i, value, len, SQLITE_STATIC);
}

/* Binds ?lo and ?hi to the bounds of prefix (see the comment above sql[]). hi must have
 * room for len bytes. */
static int bind_prefix(sqlite3_stmt *st, int lo_i, int hi_i, const char *prefix, size_t len,
		       char *hi)
{
	size_t n = len;
	int rc;

	rc = bind_key(st, lo_i, prefix, len);
	if (rc != SQLITE_OK)
		return rc;
	while (n > 0 && (unsigned char)prefix[n - 1] == 0xff)
		n--;
	if (n == 0)
		return sqlite3_bind_zeroblob(st, hi_i, 0);
	memcpy(hi, prefix, n);
	hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
	return bind_key(st, hi_i, hi, n);
}

/* Reads the latest and the compacted revision into the cache. */
static int read_revs(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_REVS];
	int rc, r = 0;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 1) == SQLITE_INTEGER) {
		s->rev = sqlite3_column_int64(st, 0);
		s->compact = sqlite3_column_int64(st, 1);
	} else {
		r = rc == SQLITE_ROW ? -EBADMSG : sqlerr(s->db, rc);
	}
	done(st);
	return r;
}

static int meta_set(struct store *s, const char *name, int64_t value)
{
	sqlite3_stmt *st = s->st[ST_META_SET];
	int rc;

	rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, value);
	if (rc != SQLITE_OK) {
		done(st);
		return sqlerr(s->db, rc);
	}
	return run(s, ST_META_SET);
}

/* Starts a transaction and reads both meta values into the cache. */
static int begin(struct store *s, int write)
{
	int r;

	if (!sqlite3_get_autocommit(s->db))
		return -EDEADLK; /* a transaction is already open: a bug in this file */
	r = run(s, write ? ST_BEGIN_WRITE : ST_BEGIN);
	if (r)
		return r;
	r = read_revs(s);
	if (r)
		run(s, ST_ROLLBACK);
	return r;
}

static int commit(struct store *s)
{
	int r = run(s, ST_COMMIT);

	if (r && !sqlite3_get_autocommit(s->db))
		run(s, ST_ROLLBACK);
	return r;
}

static void rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		run(s, ST_ROLLBACK);
}

static int check_key(const char *key, size_t *len)
{
	if (!key || !*key)
		return -EINVAL;
	*len = strnlen(key, KEY_MAX + 1);
	return *len > KEY_MAX ? -ENAMETOOLONG : 0;
}

/* Copies a key and a value into kv (value NUL-terminated). */
static int kv_fill(struct store_kv *kv, const void *key, size_t key_len, const void *value,
		   size_t value_len, int64_t create_rev, int64_t mod_rev)
{
	kv->key = malloc(key_len + 1);
	kv->value = malloc(value_len + 1);
	if (!kv->key || !kv->value) {
		store_kv_free(kv);
		return -ENOMEM;
	}
	if (key_len)
		memcpy(kv->key, key, key_len);
	kv->key[key_len] = '\0';
	if (value_len)
		memcpy(kv->value, value, value_len);
	kv->value[value_len] = '\0';
	kv->value_len = value_len;
	kv->create_rev = create_rev;
	kv->mod_rev = mod_rev;
	return 0;
}

static struct event_copy *event_copy(enum store_event_type type, const char *key,
				     size_t key_len, const void *value, size_t value_len,
				     int64_t rev, int64_t create_rev)
{
	struct event_copy *e;

	if (key_len > SIZE_MAX / 4 || value_len > SIZE_MAX / 4)
		return NULL;
	e = malloc(sizeof(*e) + key_len + value_len + 2);
	if (!e)
		return NULL;
	e->next = NULL;
	memcpy(e->buf, key, key_len);
	e->buf[key_len] = '\0';
	if (value_len)
		memcpy(e->buf + key_len + 1, value, value_len);
	e->buf[key_len + 1 + value_len] = '\0';
	e->ev.type = type;
	e->ev.key = e->buf;
	e->ev.value = e->buf + key_len + 1;
	e->ev.value_len = value_len;
	e->ev.rev = rev;
	e->ev.create_rev = create_rev;
	return e;
}

static void free_events(struct event_copy *e)
{
	struct event_copy *next;

	for (; e; e = next) {
		next = e->next;
		free(e);
	}
}

static void watch_free(struct store_watch *w)
{
	free(w->prefix);
	free(w);
}

static int watch_matches(const struct store_watch *w, const struct store_event *ev)
{
	return !w->dead && ev->rev > w->min_rev &&
	       strncmp(ev->key, w->prefix, w->prefix_len) == 0;
}

/* Frees the watches cancelled while events were being delivered. */
static void sweep(struct store *s)
{
	struct store_watch **pp = &s->watches, *w;

	s->watches_tail = &s->watches;
	while ((w = *pp)) {
		if (w->dead) {
			*pp = w->next;
			watch_free(w);
		} else {
			s->watches_tail = &w->next;
			pp = &w->next;
		}
	}
	s->have_dead = 0;
}

static void deliver(struct store *s, const struct store_event *ev)
{
	struct store_watch *w;

	/* Watches added by a callback are appended and have min_rev >= ev->rev. */
	for (w = s->watches; w; w = w->next)
		if (watch_matches(w, ev))
			w->fn(w->arg, ev);
}

/*
 * Delivers a committed change. A write made by a callback while this runs queues its
 * event, so that every watcher sees revisions in order; the outermost call drains the
 * queue. If the copy cannot be allocated the event is delivered at once instead (out
 * of order, but not lost).
 */
static void dispatch(struct store *s, enum store_event_type type, const char *key,
		     size_t key_len, const char *value, size_t value_len, int64_t rev,
		     int64_t create_rev)
{
	struct store_event ev = {type, key, value, value_len, rev, create_rev};
	struct event_copy *e;

	if (!s->watches)
		return;
	if (s->dispatching) {
		e = event_copy(type, key, key_len, value, value_len, rev, create_rev);
		if (e) {
			*s->queue_tail = e;
			s->queue_tail = &e->next;
			return;
		}
		deliver(s, &ev);
		return;
	}
	s->dispatching = 1;
	deliver(s, &ev);
	while ((e = s->queue)) {
		s->queue = e->next;
		if (!s->queue)
			s->queue_tail = &s->queue;
		deliver(s, &e->ev);
		free(e);
	}
	s->dispatching = 0;
	if (s->have_dead)
		sweep(s);
}

static void chmod_if_present(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);
	char *p = malloc(n + m + 1);

	if (!p)
		return;
	memcpy(p, path, n);
	memcpy(p + n, suffix, m + 1);
	(void)chmod(p, 0600); /* SQLite already copies the database's mode; belt and braces */
	free(p);
}

/*
 * Creates the file 0600, or tightens the mode of an existing one, before SQLite opens
 * it. An existing file is not opened here: closing a descriptor drops all of this
 * process's POSIX locks on the file, including those of another store handle on it.
 */
static int create_file(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((st.st_mode & 07777) != 0600 && chmod(path, 0600) < 0)
		return -errno;
	return 0;
}

static int exec(struct store *s, const char *q)
{
	int rc = sqlite3_exec(s->db, q, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sqlerr(s->db, rc);
}

/* Reads a one-row, one-column pragma. */
static int pragma(struct store *s, const char *q, sqlite3_stmt **out)
{
	int rc;

	*out = NULL;
	rc = sqlite3_prepare_v2(s->db, q, -1, out, NULL);
	if (rc != SQLITE_OK)
		return sqlerr(s->db, rc);
	rc = sqlite3_step(*out);
	if (rc == SQLITE_ROW)
		return 0;
	sqlite3_finalize(*out);
	*out = NULL;
	return rc == SQLITE_DONE ? -EIO : sqlerr(s->db, rc);
}

static int setup(struct store *s)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int64_t version;
	int r;

	r = pragma(s, "PRAGMA journal_mode = WAL", &st);
	if (r)
		goto out;
	mode = sqlite3_column_text(st, 0);
	if (!mode || strcmp((const char *)mode, "wal") != 0) {
		r = -ENOTSUP; /* e.g. a file system without shared memory */
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	r = exec(s, "PRAGMA synchronous = NORMAL; PRAGMA trusted_schema = OFF;"
		    "PRAGMA journal_size_limit = " WAL_SIZE_LIMIT ";"
		    "PRAGMA cache_size = -" CACHE_KIB ";");
	if (r)
		goto out;
	r = exec(s, "BEGIN IMMEDIATE");
	if (r)
		goto out;
	r = pragma(s, "PRAGMA user_version", &st);
	if (r)
		goto out;
	version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version == 0)
		r = exec(s, schema);
	else if (version != SCHEMA_VERSION)
		r = -ENOTSUP; /* written by another version of gkeid */
	if (!r)
		r = exec(s, "COMMIT");
out:
	sqlite3_finalize(st);
	if (r && !sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
	return r;
}

int store_open(const char *path, struct store **out)
{
	struct store *s = NULL;
	int rc, r, i;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path || !*path)
		return -EINVAL;
	r = create_file(path);
	if (r)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->watches_tail = &s->watches;
	s->queue_tail = &s->queue;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = s->db ? sqlerr(s->db, rc) : -ENOMEM;
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	r = setup(s);
	if (r)
		goto out;
	chmod_if_present(path, "-wal");
	chmod_if_present(path, "-shm");
	for (i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
					NULL);
		if (rc != SQLITE_OK) {
			r = sqlerr(s->db, rc);
			goto out;
		}
	}
	r = read_revs(s);
out:
	if (r) {
		store_close(s);
		return r;
	}
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	struct store_watch *w, *next;
	int i;

	if (!s)
		return;
	for (w = s->watches; w; w = next) {
		next = w->next;
		watch_free(w);
	}
	free_events(s->queue);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close_v2(s->db); /* checkpoints the WAL and removes it when last */
	free(s);
}

/* Both read the file (another handle may have written) and fall back on the cache. */
int64_t store_revision(struct store *s)
{
	if (!s)
		return 0;
	read_revs(s);
	return s->rev;
}

int64_t store_compacted_revision(struct store *s)
{
	if (!s)
		return 0;
	read_revs(s);
	return s->compact + 1;
}

int store_get(struct store *s, const char *key, struct store_kv *out)
{
	sqlite3_stmt *st;
	size_t key_len;
	int rc, r;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!s || !out)
		return -EINVAL;
	r = check_key(key, &key_len);
	if (r == -ENAMETOOLONG)
		return -ENOENT; /* no such key can have been stored */
	if (r)
		return r;
	st = s->st[ST_KV_GET];
	rc = bind_key(st, 1, key, key_len);
	if (rc != SQLITE_OK) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *v = sqlite3_column_blob(st, 2);
		size_t vlen = (size_t)sqlite3_column_bytes(st, 2);

		if (!v && vlen == 0 && sqlite3_errcode(s->db) == SQLITE_NOMEM)
			r = -ENOMEM;
		else
			r = kv_fill(out, key, key_len, v, vlen, sqlite3_column_int64(st, 0),
				    sqlite3_column_int64(st, 1));
	} else {
		r = rc == SQLITE_DONE ? -ENOENT : sqlerr(s->db, rc);
	}
out:
	done(st);
	return r;
}

int store_range(struct store *s, const char *prefix, size_t limit, struct store_kv **out,
		size_t *n, int64_t *rev)
{
	struct store_kv *kvs = NULL, *grown;
	size_t cap = 0, count = 0, plen;
	sqlite3_stmt *st = NULL;
	char *hi = NULL;
	int rc, r;

	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (rev)
		*rev = 0;
	if (!s || !out || !n)
		return -EINVAL;
	if (!prefix)
		prefix = "";
	plen = strlen(prefix);
	hi = malloc(plen + 1);
	if (!hi)
		return -ENOMEM;
	r = begin(s, 0); /* one snapshot for the rows and the revision */
	if (r)
		goto out;
	st = s->st[ST_KV_RANGE];
	rc = bind_prefix(st, 1, 2, prefix, plen, hi);
	if (rc == SQLITE_OK) /* LIMIT -1: no limit */
		rc = sqlite3_bind_int64(st, 3,
					limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
	if (rc != SQLITE_OK) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *k = sqlite3_column_text(st, 0);
		size_t klen = (size_t)sqlite3_column_bytes(st, 0);
		const void *v = sqlite3_column_blob(st, 3);
		size_t vlen = (size_t)sqlite3_column_bytes(st, 3);

		if (!k || (!v && vlen == 0 && sqlite3_errcode(s->db) == SQLITE_NOMEM)) {
			r = -ENOMEM;
			goto out;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;

			if (ncap > SIZE_MAX / sizeof(*kvs)) {
				r = -ENOMEM;
				goto out;
			}
			grown = realloc(kvs, ncap * sizeof(*kvs));
			if (!grown) {
				r = -ENOMEM;
				goto out;
			}
			kvs = grown;
			cap = ncap;
		}
		r = kv_fill(&kvs[count], k, klen, v, vlen, sqlite3_column_int64(st, 1),
			    sqlite3_column_int64(st, 2));
		if (r)
			goto out;
		count++;
	}
	if (rc != SQLITE_DONE) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	done(st);
	st = NULL;
	r = commit(s);
out:
	if (st)
		done(st);
	rollback(s);
	free(hi);
	if (r) {
		store_kvs_free(kvs, count);
		return r;
	}
	if (count == 0) {
		free(kvs);
		kvs = NULL;
	}
	*out = kvs;
	*n = count;
	if (rev)
		*rev = s->rev;
	return 0;
}

/* Reads a key's revisions inside a write transaction. *exists is 0 when it is absent. */
static int lookup(struct store *s, const char *key, size_t key_len, int *exists,
		  int64_t *create_rev, int64_t *mod_rev)
{
	sqlite3_stmt *st = s->st[ST_KV_REVS];
	int rc, r = 0;

	*exists = 0;
	rc = bind_key(st, 1, key, key_len);
	if (rc != SQLITE_OK) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*exists = 1;
		*create_rev = sqlite3_column_int64(st, 0);
		*mod_rev = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		r = sqlerr(s->db, rc);
	}
out:
	done(st);
	return r;
}

static int log_append(struct store *s, int64_t rev, const char *key, size_t key_len,
		      int deleted, int64_t create_rev, const char *value, size_t value_len)
{
	sqlite3_stmt *st = s->st[ST_LOG_INSERT];
	int rc;

	rc = sqlite3_bind_int64(st, 1, rev);
	if (rc == SQLITE_OK)
		rc = bind_key(st, 2, key, key_len);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 3, deleted);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, create_rev);
	if (rc == SQLITE_OK)
		rc = bind_value(st, 5, value, value_len);
	if (rc != SQLITE_OK) {
		done(st);
		return sqlerr(s->db, rc);
	}
	return run(s, ST_LOG_INSERT);
}

int store_put(struct store *s, const char *key, const char *value, size_t value_len,
	      int64_t expected_rev, int64_t *new_rev)
{
	int64_t rev = 0, create_rev = 0, mod_rev = 0;
	size_t key_len;
	sqlite3_stmt *st;
	int exists, rc, r;

	if (new_rev)
		*new_rev = 0;
	if (!s || (!value && value_len) || expected_rev < STORE_ANY_REV)
		return -EINVAL;
	r = check_key(key, &key_len);
	if (r)
		return r;
	if (value_len > VALUE_MAX)
		return -EFBIG;
	r = begin(s, 1);
	if (r)
		return r;
	r = lookup(s, key, key_len, &exists, &create_rev, &mod_rev);
	if (r)
		goto out;
	if (expected_rev == STORE_ABSENT && exists) {
		r = -EEXIST;
		goto out;
	}
	if (expected_rev > 0 && (!exists || mod_rev != expected_rev)) {
		r = -ECANCELED;
		goto out;
	}
	rev = s->rev + 1;
	if (!exists)
		create_rev = rev;
	r = log_append(s, rev, key, key_len, 0, create_rev, value, value_len);
	if (r)
		goto out;
	st = s->st[exists ? ST_KV_UPDATE : ST_KV_INSERT];
	rc = bind_key(st, 1, key, key_len);
	if (exists) {
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 2, rev);
		if (rc == SQLITE_OK)
			rc = bind_value(st, 3, value, value_len);
	} else {
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 2, create_rev);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 3, rev);
		if (rc == SQLITE_OK)
			rc = bind_value(st, 4, value, value_len);
	}
	if (rc != SQLITE_OK) {
		done(st);
		r = sqlerr(s->db, rc);
		goto out;
	}
	r = run(s, exists ? ST_KV_UPDATE : ST_KV_INSERT);
	if (!r)
		r = commit(s);
out:
	if (r) {
		rollback(s);
		return r;
	}
	s->rev = rev;
	if (new_rev)
		*new_rev = rev;
	dispatch(s, STORE_PUT, key, key_len, value ? value : "", value_len, rev, create_rev);
	return 0;
}

int store_delete(struct store *s, const char *key, int64_t expected_rev, int64_t *rev_out)
{
	sqlite3_stmt *st = NULL;
	int64_t rev = 0, create_rev = 0, mod_rev;
	char *old = NULL;
	size_t key_len, old_len = 0;
	int rc, r;

	if (rev_out)
		*rev_out = 0;
	if (!s || (expected_rev != STORE_ANY_REV && expected_rev <= 0))
		return -EINVAL;
	r = check_key(key, &key_len);
	if (r)
		return r == -ENAMETOOLONG ? -ENOENT : r;
	r = begin(s, 1);
	if (r)
		return r;
	/* The last value goes into the log and to watchers: copy it out of the row. */
	st = s->st[ST_KV_GET];
	rc = bind_key(st, 1, key, key_len);
	if (rc != SQLITE_OK) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = -ENOENT;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	create_rev = sqlite3_column_int64(st, 0);
	mod_rev = sqlite3_column_int64(st, 1);
	if (expected_rev > 0 && mod_rev != expected_rev) {
		r = -ECANCELED;
		goto out;
	}
	{
		const void *v = sqlite3_column_blob(st, 2);

		old_len = (size_t)sqlite3_column_bytes(st, 2);
		if (!v && old_len == 0 && sqlite3_errcode(s->db) == SQLITE_NOMEM) {
			r = -ENOMEM;
			goto out;
		}
		old = malloc(old_len + 1);
		if (!old) {
			r = -ENOMEM;
			goto out;
		}
		if (old_len)
			memcpy(old, v, old_len);
		old[old_len] = '\0';
	}
	done(st);
	st = NULL;
	rev = s->rev + 1;
	r = log_append(s, rev, key, key_len, 1, create_rev, old, old_len);
	if (r)
		goto out;
	st = s->st[ST_KV_DELETE];
	rc = bind_key(st, 1, key, key_len);
	if (rc != SQLITE_OK) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	st = NULL;
	r = run(s, ST_KV_DELETE);
	if (!r)
		r = commit(s);
out:
	if (st)
		done(st);
	if (r) {
		rollback(s);
		free(old);
		return r;
	}
	s->rev = rev;
	if (rev_out)
		*rev_out = rev;
	dispatch(s, STORE_DELETE, key, key_len, old, old_len, rev, create_rev);
	free(old);
	return 0;
}

/* Copies the rows under prefix into a list of DELETE events (revisions not yet set),
 * inside the caller's write transaction. */
static int collect_prefix(struct store *s, const char *prefix, size_t plen, char *hi,
			  struct event_copy **head, size_t *count)
{
	sqlite3_stmt *st = s->st[ST_KV_RANGE];
	struct event_copy **tail = head;
	int rc, r = 0;

	rc = bind_prefix(st, 1, 2, prefix, plen, hi);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, -1);
	if (rc != SQLITE_OK) {
		done(st);
		return sqlerr(s->db, rc);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		size_t klen = (size_t)sqlite3_column_bytes(st, 0);
		const void *v = sqlite3_column_blob(st, 3);
		size_t vlen = (size_t)sqlite3_column_bytes(st, 3);
		struct event_copy *e;

		if (!k || (!v && vlen == 0 && sqlite3_errcode(s->db) == SQLITE_NOMEM)) {
			r = -ENOMEM;
			goto out;
		}
		e = event_copy(STORE_DELETE, k, klen, v, vlen, 0, sqlite3_column_int64(st, 1));
		if (!e) {
			r = -ENOMEM;
			goto out;
		}
		*tail = e;
		tail = &e->next;
		(*count)++;
	}
	if (rc != SQLITE_DONE)
		r = sqlerr(s->db, rc);
out:
	done(st);
	return r;
}

int store_delete_prefix(struct store *s, const char *prefix, size_t *n, int64_t *rev_out)
{
	struct event_copy *events = NULL, *e;
	size_t plen, count = 0;
	int64_t rev;
	char *hi = NULL;
	int rc, r;

	if (n)
		*n = 0;
	if (rev_out)
		*rev_out = 0;
	if (!s || !prefix || !*prefix)
		return -EINVAL;
	plen = strlen(prefix);
	if (plen > KEY_MAX) { /* no key is that long: nothing matches */
		if (rev_out)
			*rev_out = s->rev;
		return 0;
	}
	hi = malloc(plen + 1);
	if (!hi)
		return -ENOMEM;
	r = begin(s, 1);
	if (r)
		goto out;
	r = collect_prefix(s, prefix, plen, hi, &events, &count);
	rev = s->rev;
	for (e = events; !r && e; e = e->next) {
		size_t klen = strlen(e->ev.key);

		e->ev.rev = ++rev;
		r = log_append(s, rev, e->ev.key, klen, 1, e->ev.create_rev, e->ev.value,
			       e->ev.value_len);
		if (r)
			break;
		rc = bind_key(s->st[ST_KV_DELETE], 1, e->ev.key, klen);
		r = rc == SQLITE_OK ? run(s, ST_KV_DELETE) : sqlerr(s->db, rc);
		if (rc != SQLITE_OK)
			done(s->st[ST_KV_DELETE]);
	}
	if (!r)
		r = commit(s);
	if (r) {
		rollback(s);
		goto out;
	}
	s->rev = rev;
	if (n)
		*n = count;
	if (rev_out)
		*rev_out = rev;
	for (e = events; e; e = e->next)
		dispatch(s, STORE_DELETE, e->ev.key, strlen(e->ev.key), e->ev.value,
			 e->ev.value_len, e->ev.rev, e->ev.create_rev);
out:
	free_events(events);
	free(hi);
	return r;
}

/*
 * Reads up to REPLAY_BATCH log rows after *cursor for w's prefix, in one read
 * transaction. Advances *cursor past everything examined: to the last row when the
 * batch is full, else to the revision the snapshot was taken at.
 */
static int replay_batch(struct store *s, struct store_watch *w, char *hi, int first,
			int64_t from_rev, int64_t *cursor, struct event_copy **batch)
{
	struct event_copy *head = NULL, **tail = &head, *e;
	sqlite3_stmt *st = NULL;
	int64_t last = 0;
	int rc, r, count = 0;

	*batch = NULL;
	r = begin(s, 0);
	if (r)
		return r;
	if (first && from_rev == 0)
		*cursor = s->rev; /* "from now" */
	if (*cursor < s->compact) {
		r = -ERANGE; /* history the watcher needs is gone: it must list again */
		goto out;
	}
	st = s->st[ST_LOG_RANGE];
	rc = sqlite3_bind_int64(st, 1, *cursor);
	if (rc == SQLITE_OK)
		rc = bind_prefix(st, 2, 3, w->prefix, w->prefix_len, hi);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 4, REPLAY_BATCH);
	if (rc != SQLITE_OK) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 1);
		size_t klen = (size_t)sqlite3_column_bytes(st, 1);
		const void *v = sqlite3_column_blob(st, 4);
		size_t vlen = (size_t)sqlite3_column_bytes(st, 4);

		if (!k || (!v && vlen == 0 && sqlite3_errcode(s->db) == SQLITE_NOMEM)) {
			r = -ENOMEM;
			goto out;
		}
		last = sqlite3_column_int64(st, 0);
		e = event_copy(sqlite3_column_int(st, 2) ? STORE_DELETE : STORE_PUT, k, klen, v,
			       vlen, last, sqlite3_column_int64(st, 3));
		if (!e) {
			r = -ENOMEM;
			goto out;
		}
		*tail = e;
		tail = &e->next;
		count++;
	}
	if (rc != SQLITE_DONE) {
		r = sqlerr(s->db, rc);
		goto out;
	}
	done(st);
	st = NULL;
	r = commit(s);
	if (r)
		goto out;
	if (count == REPLAY_BATCH)
		*cursor = last;
	else if (s->rev > *cursor)
		*cursor = s->rev;
	*batch = head;
	head = NULL;
out:
	if (st)
		done(st);
	rollback(s);
	free_events(head);
	return r;
}

int store_watch(struct store *s, const char *prefix, int64_t from_rev, store_watch_fn fn,
		void *arg, struct store_watch **out)
{
	struct store_watch *w = NULL;
	struct event_copy *batch = NULL, *e;
	int64_t cursor = from_rev;
	char *hi = NULL;
	int r = 0, first = 1;

	if (out)
		*out = NULL;
	if (!s || !fn || !out || from_rev < 0)
		return -EINVAL;
	if (!prefix)
		prefix = "";
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->s = s;
	w->fn = fn;
	w->arg = arg;
	w->replaying = 1;
	w->prefix_len = strlen(prefix);
	w->prefix = strdup(prefix);
	hi = malloc(w->prefix_len + 1);
	if (!w->prefix || !hi) {
		r = -ENOMEM;
		goto out;
	}
	/* Set now so that a replay callback can cancel the watch through it. */
	*out = w;
	/* Batches are read into memory and the transaction ended before any callback
	 * runs, so callbacks may write, watch or unwatch. Their writes land after the
	 * cursor and are picked up by the next batch; the watch joins the live list only
	 * when a batch comes back empty, so no event is seen twice or missed. */
	for (;;) {
		r = replay_batch(s, w, hi, first, from_rev, &cursor, &batch);
		first = 0;
		if (r || !batch)
			break;
		while ((e = batch)) {
			batch = e->next;
			if (!w->dead)
				w->fn(w->arg, &e->ev);
			free(e);
		}
		if (w->dead)
			break;
	}
out:
	free(hi);
	if (r || w->dead) {
		*out = NULL;
		watch_free(w);
		return r;
	}
	w->replaying = 0;
	w->min_rev = cursor;
	*s->watches_tail = w;
	s->watches_tail = &w->next;
	return 0;
}

void store_unwatch(struct store_watch *w)
{
	struct store *s;
	struct store_watch **pp;

	if (!w || w->dead)
		return;
	s = w->s;
	w->dead = 1;
	if (w->replaying)
		return; /* store_watch frees it */
	if (s->dispatching) {
		s->have_dead = 1; /* freed by sweep() when delivery ends */
		return;
	}
	for (pp = &s->watches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (s->watches_tail == &w->next)
		s->watches_tail = pp;
	watch_free(w);
}

int store_compact(struct store *s, int64_t rev)
{
	sqlite3_stmt *st;
	int rc, r;

	if (!s || rev < 0)
		return -EINVAL;
	r = begin(s, 1);
	if (r)
		return r;
	if (rev > s->rev) {
		r = -EINVAL; /* a future revision, like etcd's ErrFutureRev */
		goto out;
	}
	if (rev <= s->compact)
		goto out; /* already done */
	st = s->st[ST_LOG_COMPACT];
	rc = sqlite3_bind_int64(st, 1, rev);
	if (rc != SQLITE_OK) {
		done(st);
		r = sqlerr(s->db, rc);
		goto out;
	}
	r = run(s, ST_LOG_COMPACT);
	if (!r)
		r = meta_set(s, "compact", rev);
	if (!r)
		r = commit(s);
	if (!r)
		s->compact = rev;
out:
	rollback(s);
	return r;
}

void store_kv_free(struct store_kv *kv)
{
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	kv->key = NULL;
	kv->value = NULL;
	kv->value_len = 0;
}

void store_kvs_free(struct store_kv *kvs, size_t n)
{
	size_t i;

	if (!kvs)
		return;
	for (i = 0; i < n; i++)
		store_kv_free(&kvs[i]);
	free(kvs);
}
