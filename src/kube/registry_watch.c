/*
 * registry_watch.c - watches of stored collections: one store watch per HTTP watch over
 * the collection's key prefix, a chunked stream of watch events (ADDED, MODIFIED,
 * DELETED, BOOKMARK, ERROR), resumable from a resourceVersion, with sendInitialEvents,
 * selectors (an object that stops matching is sent as DELETED) and timeouts.
 *
 * Events are parsed and encoded once per revision and shared by every watcher that wants
 * them unchanged (the fan-out cost per watcher is then a buffer copy); a watcher whose
 * connection has more than WATCH_BUF_CAP bytes unsent is ended, as kube-apiserver ends
 * a watcher that cannot keep up, and the client watches again from its last
 * resourceVersion.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/jwt.h"
#include "core/store.h"
#include "kube/convert.h"
#include "kube/kube.h"
#include "kube/nodeauthz.h"
#include "kube/patch.h"
#include "kube/rbac.h"
#include "kube/registry_impl.h"
#include "kube/schema.h"
#include "kube/selectors.h"
#include "kube/table.h"
#include "kube/util.h"

/* --- watch --- */

struct watcher {
	struct watcher *next, **pprev;
	struct kube_cluster *cl;
	struct registry_state *rs; /* cl's: the list of watchers and the event cache */
	const struct kube_resource *res;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct evbuffer *buf;
	struct store_watch *sw;
	struct event *timer;
	struct filter f;
	struct hmap *known; /* keys that matched the selectors (filtered watches) */
	int filtered;
	int exact; /* known holds every matching key (the watch began with a list) */
	struct output out;
	int headers_sent;
	int initial; /* sending the initial list: as large as the collection, not capped */
	int bookmarks;
	int64_t last_rev;
	time_t deadline, next_bookmark;
	int busy, dead;
};

static const char *const type_names[3] = {"ADDED", "MODIFIED", "DELETED"};

void reg_event_cache_clear(struct registry_event_cache *cache)
{
	json_decref(cache->obj);
	for (int i = 0; i < 3; i++)
		free(cache->line[i]);
	memset(cache, 0, sizeof(*cache));
}

static json_t *cache_object(struct registry_event_cache *cache, const struct store_event *ev)
{
	if (cache->obj && cache->rev == ev->rev)
		return cache->obj;
	reg_event_cache_clear(cache);
	cache->obj = reg_load(NULL, ev->value, ev->value_len, ev->rev);
	if (!cache->obj)
		return NULL;
	cache->rev = ev->rev;
	return cache->obj;
}

/* {"type":T,"object":O}\n, malloc'd. */
static char *encode_event(const char *type, json_t *obj, size_t *len)
{
	json_t *e = json_pack("{s:s, s:O}", "type", type, "object", obj);
	char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	if (!s)
		return NULL;
	size_t l = strlen(s);
	char *nl = realloc(s, l + 2);
	if (!nl) {
		free(s);
		return NULL;
	}
	nl[l] = '\n';
	nl[l + 1] = '\0';
	*len = l + 1;
	return nl;
}

static void watcher_release(struct watcher *w)
{
	if (w->busy) {
		w->dead = 1;
		return;
	}
	if (w->pprev) {
		*w->pprev = w->next;
		if (w->next)
			w->next->pprev = w->pprev;
		w->rs->n_watchers--;
	}
	if (w->timer)
		event_free(w->timer);
	if (w->buf)
		evbuffer_free(w->buf);
	reg_filter_free(&w->f);
	hmap_free(w->known);
	if (!w->rs->n_watchers)
		reg_event_cache_clear(&w->rs->cache);
	free(w);
}

/* Ends the stream from our side (timeout, slow client, error). */
static void watch_end(struct watcher *w)
{
	if (w->dead)
		return;
	store_unwatch(w->sw);
	w->sw = NULL;
	if (w->conn)
		http_conn_set_closecb(w->conn, NULL, NULL);
	if (w->req)
		evhttp_send_reply_end(w->req);
	w->req = NULL;
	w->conn = NULL;
	w->dead = 1;
	watcher_release(w);
}

/* The client went away (or the listener is being freed). */
static void on_close(struct evhttp_connection *conn, void *arg)
{
	struct watcher *w = arg;
	(void)conn;
	store_unwatch(w->sw);
	w->sw = NULL;
	/* A request the connection let go of is ours to free; one it still holds it frees. */
	if (w->req && !evhttp_request_get_connection(w->req))
		evhttp_request_free(w->req);
	w->req = NULL;
	w->conn = NULL;
	w->dead = 1;
	watcher_release(w);
}

static int unsent_too_much(struct watcher *w)
{
	struct bufferevent *bev = w->conn ? evhttp_connection_get_bufferevent(w->conn) : NULL;
	return bev && evbuffer_get_length(bufferevent_get_output(bev)) > WATCH_BUF_CAP;
}

static void emit(struct watcher *w, const char *data, size_t len)
{
	if (w->dead || !w->req)
		return;
	if (!w->initial && unsent_too_much(w)) {
		watch_end(w);
		return;
	}
	if (evbuffer_add(w->buf, data, len) == 0) {
		evhttp_send_reply_chunk(w->req, w->buf);
		kube_coalesce_output(w->conn);
	}
}

/* Sends one event; obj is borrowed. shared: the line may come from the cache. */
static void send_event(struct watcher *w, int type, json_t *obj, int shared)
{
	char *line = NULL;
	size_t len = 0;
	if (w->out.table) {
		json_t *items = json_pack("[O]", obj);
		json_t *t = items ? table_build(w->res, items, w->out.inc, !w->headers_sent, NULL,
						NULL, 0, time(NULL), w->out.v1beta1)
				  : NULL;
		json_decref(items);
		if (t) {
			/* a Table event carries the object's resourceVersion */
			json_object_set_new(json_object_get(t, "metadata"), "resourceVersion",
					    json_string(reg_mstr(obj, "resourceVersion")));
			line = encode_event(type_names[type], t, &len);
			json_decref(t);
			w->headers_sent = 1;
		}
		if (line)
			emit(w, line, len);
		free(line);
		return;
	}
	if (shared) {
		struct registry_event_cache *c = &w->rs->cache;
		if (!c->line[type])
			c->line[type] = encode_event(type_names[type], obj, &c->len[type]);
		if (c->line[type])
			emit(w, c->line[type], c->len[type]);
		return;
	}
	line = encode_event(type_names[type], obj, &len);
	if (line)
		emit(w, line, len);
	free(line);
}

static void send_status_event(struct watcher *w, const char *type, int code, const char *reason,
			      const char *msg)
{
	size_t len = 0;
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status",
			       "apiVersion", "v1", "metadata", "status", "Failure", "message", msg,
			       "reason", reason, "code", code);
	char *line = st ? encode_event(type, st, &len) : NULL;
	json_decref(st);
	if (line)
		emit(w, line, len);
	free(line);
}

static void send_bookmark(struct watcher *w, int initial_end)
{
	char av[REG_AV_MAX], rv[32];
	size_t len = 0;
	/* (REG_AV_MAX holds any apiVersion, 32 bytes any revision) */
	if (reg_api_version(w->res, av, sizeof(av)) < 0 ||
	    SFMT(rv, "%lld", (long long)w->last_rev) < 0)
		return;
	json_t *o = json_pack("{s:s, s:s, s:{s:s, s:n}}", "kind", w->res->kind, "apiVersion", av,
			      "metadata", "resourceVersion", rv, "creationTimestamp");
	if (o && initial_end)
		json_object_set_new(json_object_get(o, "metadata"), "annotations",
				    json_pack("{s:s}", "k8s.io/initial-events-end", "true"));
	char *line = o ? encode_event("BOOKMARK", o, &len) : NULL;
	json_decref(o);
	if (line)
		emit(w, line, len);
	free(line);
}

enum { T_ADDED = 0, T_MODIFIED = 1, T_DELETED = 2 };

static void on_event(void *arg, const struct store_event *ev)
{
	struct watcher *w = arg;
	if (w->dead)
		return;
	w->busy++;
	json_t *obj = cache_object(&w->rs->cache, ev), *mine = NULL;
	if (obj && convert_needed(w->res)) {
		/* another version than the one stored: this watcher's own copy */
		obj = mine = convert_to(obj, w->res);
		if (mine)
			reg_set_rv(mine, ev->rev);
	}
	if (!obj)
		goto out;
	int shared = mine == NULL;
	w->last_rev = ev->rev;
	if (!w->filtered) {
		int t = ev->type == STORE_DELETE
				? T_DELETED
				: (ev->create_rev == ev->rev ? T_ADDED : T_MODIFIED);
		send_event(w, t, obj, shared);
		goto out;
	}
	int match = reg_filter_match(&w->f, obj);
	int was = hmap_get(w->known, ev->key) != NULL;
	int t = -1;
	if (ev->type == STORE_DELETE) {
		if (was || (!w->exact && match))
			t = T_DELETED;
		hmap_del(w->known, ev->key);
	} else if (match) {
		if (was)
			t = T_MODIFIED;
		else
			t = (w->exact || ev->create_rev == ev->rev) ? T_ADDED : T_MODIFIED;
		if (!was && hmap_put(w->known, ev->key, (void *)1) != 0) {
			watch_end(w);
			goto out;
		}
	} else if (was) {
		/* it no longer matches: gone from this watcher's view */
		t = T_DELETED;
		hmap_del(w->known, ev->key);
	}
	if (t >= 0)
		send_event(w, t, obj, shared);
out:
	json_decref(mine);
	w->busy--;
	if (w->dead)
		watcher_release(w);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct watcher *w = arg;
	time_t now = time(NULL);
	(void)fd;
	(void)what;
	if (now >= w->deadline) {
		watch_end(w);
		return;
	}
	if (w->bookmarks && now >= w->next_bookmark) {
		w->busy++;
		send_bookmark(w, 0);
		w->busy--;
		w->next_bookmark = now + BOOKMARK_INTERVAL;
		if (w->dead) {
			watcher_release(w);
			return;
		}
	}
	time_t next = w->deadline;
	if (w->bookmarks && w->next_bookmark < next)
		next = w->next_bookmark;
	struct timeval tv = {next > now ? next - now : 0, 0};
	event_add(w->timer, &tv);
}

/* A watch's query: resourceVersion, timeoutSeconds, sendInitialEvents and the
 * selectors (a watch on a named object, GET .../pods/web?watch=1, selects it by name).
 * 0, or replies 400 (500) and returns -EINVAL (-ENOMEM). */
struct watch_opts {
	int64_t from;
	long timeout;
	int send_initial;
	struct filter f;
};

static int watch_opts_parse(struct http_req *r, const struct kube_attrs *a,
			    const struct kube_resource *res, struct watch_opts *o)
{
	const char *rvq = http_query(r, "resourceVersion");
	const char *to = http_query(r, "timeoutSeconds");
	o->timeout = WATCH_DEFAULT_TIMEOUT;
	o->send_initial = reg_query_true(r, "sendInitialEvents");
	if (reg_parse_rv(rvq, &o->from) != 0) {
		reg_reply_bad_request(r, "invalid resource version \"%s\"", rvq);
		return -EINVAL;
	}
	if (to && *to) {
		char *end;
		long v = strtol(to, &end, 10);
		if (*end || v < 0) {
			reg_reply_bad_request(r, "invalid timeoutSeconds \"%s\"", to);
			return -EINVAL;
		}
		if (v > 0)
			o->timeout = v > WATCH_MAX_TIMEOUT ? WATCH_MAX_TIMEOUT : v;
	}
	if (reg_filter_parse(r, res, &o->f))
		return -EINVAL;
	if (a->name[0] && strcmp(a->verb, "get") == 0) {
		char err[256];
		struct dbuf sel = DBUF_INIT(0);
		const char *fs = http_query(r, "fieldSelector");
		dbuf_printf(&sel, "metadata.name=%s%s%s", a->name, fs && *fs ? "," : "",
			    fs && *fs ? fs : "");
		selector_free(o->f.fields);
		o->f.fields = NULL;
		int rc = sel.oom ? -ENOMEM
				 : selector_parse_fields(sel.p, res->group, res->kind, &o->f.fields,
							 err, sizeof(err));
		dbuf_free(&sel);
		if (rc) {
			reg_filter_free(&o->f);
			if (rc == -ENOMEM)
				kube_reply_status(r, 500, "InternalError", "out of memory", a);
			else
				reg_reply_bad_request(r, "%s", err);
			return rc;
		}
	}
	return 0;
}

/* A watcher for the request, in the cluster's list; takes o->f. NULL (and o->f freed)
 * when out of memory. */
static struct watcher *watcher_new(struct kube_cluster *cl, struct http_req *r,
				   const struct kube_resource *res, struct watch_opts *o,
				   int initial_list)
{
	struct registry_state *rs = reg_state(cl);
	struct watcher *w = rs ? calloc(1, sizeof(*w)) : NULL;
	if (!w || !(w->buf = evbuffer_new())) {
		reg_filter_free(&o->f);
		free(w);
		return NULL;
	}
	w->cl = cl;
	w->rs = rs;
	w->res = res;
	w->f = o->f;
	w->filtered = !reg_filter_empty(&o->f);
	w->exact = initial_list;
	w->bookmarks = reg_query_true(r, "allowWatchBookmarks");
	reg_output_of(r, &w->out);
	w->req = r->ev;
	w->conn = evhttp_request_get_connection(r->ev);
	w->deadline = time(NULL) + o->timeout;
	w->next_bookmark = time(NULL) + BOOKMARK_INTERVAL;
	w->timer = event_new(cl->kube->base, -1, 0, on_timer, w);
	if (w->filtered)
		w->known = hmap_new(64);
	if (!w->timer || (w->filtered && !w->known) || !w->conn) {
		hmap_free(w->known);
		if (w->timer)
			event_free(w->timer);
		evbuffer_free(w->buf);
		reg_filter_free(&w->f);
		free(w);
		return NULL;
	}
	w->next = rs->watchers;
	if (rs->watchers)
		rs->watchers->pprev = &w->next;
	w->pprev = &rs->watchers;
	rs->watchers = w;
	rs->n_watchers++;
	return w;
}

/* The initial list of a watch as ADDED events; *start_rev gets the revision the list
 * was read at (at least from). 0, or -EIO after an ERROR event ended the watch. */
static int send_initial_list(struct watcher *w, const char *prefix, int64_t from,
			     int64_t *start_rev)
{
	struct store_kv *kvs = NULL;
	size_t n = 0;
	if (store_range(w->cl->kube->store, prefix, 0, &kvs, &n, start_rev) != 0) {
		send_status_event(w, "ERROR", 500, "InternalError",
				  "the objects could not be read");
		watch_end(w);
		return -EIO;
	}
	if (from > *start_rev)
		*start_rev = from;
	w->initial = 1;
	for (size_t i = 0; i < n && !w->dead; i++) {
		json_t *o = reg_load(w->res, kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
		if (!o)
			continue;
		if (!w->filtered || reg_filter_match(&w->f, o)) {
			if (w->filtered && hmap_put(w->known, kvs[i].key, (void *)1) != 0) {
				json_decref(o);
				watch_end(w);
				break;
			}
			send_event(w, T_ADDED, o, 0);
		}
		json_decref(o);
	}
	store_kvs_free(kvs, n);
	w->initial = 0;
	w->last_rev = *start_rev;
	return 0;
}

/* Follows the store from start_rev (410 Expired when it was compacted away) and arms
 * the timer. */
static void watch_follow(struct watcher *w, const char *prefix, int64_t from, int64_t start_rev)
{
	struct store *st = w->cl->kube->store;
	int rc = store_watch(st, prefix, start_rev, on_event, w, &w->sw);
	if (rc == -ERANGE) {
		char msg[128];
		snprintf(msg, sizeof(msg), "too old resource version: %lld (%lld)", (long long)from,
			 (long long)store_compacted_revision(st));
		send_status_event(w, "ERROR", 410, "Expired", msg);
		watch_end(w);
		return;
	}
	if (rc) {
		if (!w->dead) {
			send_status_event(w, "ERROR", 500, "InternalError",
					  "the watch could not start");
			watch_end(w);
		}
		return;
	}
	if (!w->dead) {
		time_t now = time(NULL);
		time_t next = w->deadline;
		if (w->bookmarks && w->next_bookmark < next)
			next = w->next_bookmark;
		struct timeval tv = {next > now ? next - now : 0, 0};
		event_add(w->timer, &tv);
	}
}

void reg_serve_watch(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		     const struct kube_resource *res)
{
	char prefix[KEY_MAX];
	struct watch_opts o = {0};
	struct watcher *w = NULL;

	if (watch_opts_parse(r, a, res, &o))
		return;
	int initial_list = o.from == 0 || o.send_initial;
	registry_key(cl, res, res->namespaced ? a->namespace_ : NULL, NULL, prefix, sizeof(prefix));
	if (!*prefix) {
		reg_filter_free(&o.f);
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}
	w = watcher_new(cl, r, res, &o, initial_list);
	if (!w) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}

	/* The stream starts now; from here on errors are ERROR events. */
	http_add_header(r, "Content-Type", "application/json");
	evhttp_send_reply_start(r->ev, 200, "OK");
	r->replied = 1;
	if (o.timeout + 60 > 1800)
		evhttp_connection_set_timeout(w->conn, (int)(o.timeout + 60));
	http_conn_set_closecb(w->conn, on_close, w);

	w->busy++;
	int64_t start_rev = o.from;
	if (initial_list) {
		if (send_initial_list(w, prefix, o.from, &start_rev))
			goto done;
		if (o.send_initial && w->bookmarks && !w->dead)
			send_bookmark(w, 1);
	} else {
		w->last_rev = o.from;
	}
	if (!w->dead)
		watch_follow(w, prefix, o.from, start_rev);
done:
	w->busy--;
	if (w->dead)
		watcher_release(w);
}
