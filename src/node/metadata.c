/*
 * metadata.c - the metadata API that pods see, byte for byte as GKE's metadata server
 * answers under Workload Identity: /computeMetadata/v1/ with GKE's listings
 * (instance/: attributes/ hostname id service-accounts/ zone), per-account email,
 * aliases, scopes, token and identity, ?recursive=true JSON (camelCase keys),
 * ?alt=json|text, wait_for_change, the headers of every 200 (Metadata-Flavor: Google,
 * Server: GKE Metadata Server, application/text or application/json), a redirect for a
 * directory named without its slash, and GKE's refusals: a missing Metadata-Flavor
 * header (the legacy X-Google-Metadata-Request is no substitute), X-Forwarded-For or
 * Forwarded, concealed paths, unknown paths, identity without audience. The path and
 * query are parsed in mdpath.c.
 *
 * The calling pod is named by an address, never by a header: in local mode the
 * connection's destination (each pod owns a 127.x.y.z), in node mode its source.
 *
 * A request is one struct mreq that moves through the states of mdreq.h (START, GATE,
 * PARSE, ROUTE, POD, HOLD, KSA, ANSWER, WAIT): advance() runs each state's step, whose
 * event mdreq.c's table turns into the next state; a step that waits (a pod lookup, a
 * NetworkPolicy read, a KSA, a token, a timer) returns MD_EV_ASYNC and its callback
 * calls advance() again. Every request ends in finish(): answered (DONE) or dropped
 * unanswered (DROP, the NetworkPolicy gate's only exit), then freed.
 */
#include "node/mdtree.h"
#include "node/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "core/dbuf.h"
#include "core/jwt.h"
#include "node/mdfast.h"
#include "node/mdpath.h"
#include "node/mdreq.h"

#define URI_MAX 8192
#define HEADERS_TOTAL_MAX (16 * 1024)
#define PENDING_MAX 16384 /* requests waiting on a pod, a KSA, a token or a change */
#define MISSING_HEADER                                                                             \
	"GKE Metadata Server encountered an error: Missing required header \"Metadata-Flavor\": "  \
	"\"Google\"\n"
#define DOCS_WI "https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity"
#define DEFAULT_SCOPES_LIST                                                                        \
	"[\"https://www.googleapis.com/auth/cloud-platform\", "                                    \
	"\"https://www.googleapis.com/auth/userinfo.email\"]"

enum leaf { LEAF_NONE, LEAF_TOKEN, LEAF_IDENTITY };

struct mreq {
	struct node *n;
	struct evhttp_request *ev;
	struct md_sm sm;
	struct mreq *next, **pprev; /* in mhttp's pending list from ROUTE on */
	char addr[64];
	char *rel;   /* path below /computeMetadata/v1/, decoded, without the final '/' */
	int dir;     /* the path ended in '/' */
	char *query; /* the raw query, for redirects */
	int recursive;
	enum md_alt alt;
	char *scopes;	/* NULL: the default scopes */
	char *audience; /* NULL: none */
	int full, have_audience, bad_format;
	int wait;
	char last_etag[80];
	int64_t wait_s;
	enum leaf leaf;
	int accounts;  /* the answer names the caller's accounts (ROUTE) */
	int ksa_known; /* ksa is the pod's (KSA), kept for a held wait_for_change */
	struct md_pod pod;
	struct md_ksa ksa;
	struct event *timer;
};

/* The address that names a connection's caller, read once per connection (a keep-alive
 * client sends many requests) and forgotten in libevent's close callback, which runs
 * before the connection is freed, so an address never outlives its connection. */
#define CONN_BUCKETS 1024
#define DROP_HOLD_SECONDS 30 /* a dropped connection is closed, unanswered, after this */
struct mdrop;
struct mconn {
	struct evhttp_connection *evcon;
	struct mconn *next;
	struct mconn **slot_head;
	char addr[64];
	struct mdrop *drop;   /* the connection is being dropped (NetworkPolicy) */
	struct md_fconn fast; /* the fast path's state (mdfast.c) */
};

/* A connection a NetworkPolicy drops: no reply; closed when the client gives up (the
 * close callback) or after DROP_HOLD_SECONDS, whichever is first. */
struct mdrop {
	struct node *n;
	struct mconn *c;
	struct event *timer;
	struct event *eof; /* readable: the client closed (or sent more) */
};

struct mhttp {
	struct node *n;
	struct mreq *pending;
	size_t n_pending;
	json_t *statics; /* instance (without service-accounts), project, universe */
	struct mconn *conns[CONN_BUCKETS];
};

static void replied(struct node *n, struct evhttp_request *ev);

/* --- replies --- */

static void common_ok_headers(struct evhttp_request *ev, const char *ctype)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
	evhttp_add_header(h, "Metadata-Flavor", "Google");
	evhttp_add_header(h, "Server", "GKE Metadata Server");
	evhttp_add_header(h, "Content-Type", ctype);
}

static void count(struct node *n, int status)
{
	int c = status / 100;
	n->m.requests[c >= 2 && c <= 5 ? c - 1 : 0]++;
}

static void reply_raw(struct node *n, struct evhttp_request *ev, int status, const char *reason,
		      const char *body, size_t len)
{
	struct evbuffer *b = evhttp_request_get_output_buffer(ev);
	if (b && len)
		evbuffer_add(b, body, len);
	count(n, status);
	replied(n, ev);
	evhttp_send_reply(ev, status, reason, NULL);
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 301:
		return "Moved Permanently";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "Request-URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 429:
		return "Too Many Requests";
	case 503:
		return "Service Unavailable";
	default:
		return status >= 500 ? "Internal Server Error" : "Error";
	}
}

/* An error as Go's http.Error writes it. */
static void reply_error(struct node *n, struct evhttp_request *ev, int status, const char *text)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
	evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	reply_raw(n, ev, status, reason_of(status), text, strlen(text));
}

static void reply_text(struct node *n, struct evhttp_request *ev, const char *body, size_t len,
		       const char *etag)
{
	common_ok_headers(ev, "application/text");
	if (etag)
		evhttp_add_header(evhttp_request_get_output_headers(ev), "ETag", etag);
	reply_raw(n, ev, 200, "OK", body, len);
}

static void reply_jsontext(struct node *n, struct evhttp_request *ev, const char *body, size_t len,
			   const char *etag)
{
	common_ok_headers(ev, "application/json");
	if (etag)
		evhttp_add_header(evhttp_request_get_output_headers(ev), "ETag", etag);
	reply_raw(n, ev, 200, "OK", body, len);
}

/* --- requests kept across asynchronous steps --- */

static void mreq_free(struct mreq *q)
{
	if (!q)
		return;
	if (q->pprev) {
		*q->pprev = q->next;
		if (q->next)
			q->next->pprev = q->pprev;
		((struct mhttp *)q->n->http)->n_pending--;
	}
	if (q->timer)
		event_free(q->timer);
	free(q->rel);
	free(q->query);
	free(q->scopes);
	free(q->audience);
	free(q);
}

/* Answers q with an error: the event that ends its request. */
static enum md_ev refuse(struct mreq *q, int status, const char *text)
{
	reply_error(q->n, q->ev, status, text);
	return MD_EV_ANSWERED;
}

#define OOM_TEXT "GKE Metadata Server encountered an error: out of memory\n"

static void advance(struct mreq *q, enum md_ev ev);

/* --- the tree --- */

static json_t *build_statics(struct node *n)
{
	const struct node_config *c = &n->cfg;
	json_int_t num = 0, id = 0;
	for (const char *p = c->project_number; *p; p++)
		num = num * 10 + (*p - '0');
	for (const char *p = n->instance_id; *p; p++)
		id = id * 10 + (*p - '0');
	return json_pack("{s:{s:{s:s, s:s, s:s}, s:s, s:I, s:n, s:s}, s:{s:I, s:s}, "
			 "s:{s:s}}",
			 "instance", "attributes", "cluster-location", c->location, "cluster-name",
			 c->cluster, "cluster-uid", c->cluster_uid, "hostname", n->hostname, "id",
			 id, "service-accounts", "zone", n->zone_path, "project",
			 "numeric-project-id", num, "project-id", c->project, "universe",
			 "universe-domain", "googleapis.com");
}

/* The whole tree for q (the pod's accounts filled in when known). New reference. */
static json_t *tree_for(struct mreq *q, const char *email)
{
	struct mhttp *mh = q->n->http;
	json_t *t = json_deep_copy(mh->statics);
	if (!t)
		return NULL;
	if (email) {
		const char *sc = md_nodecreds_gce_mode(q->n) ? md_nodecreds_scopes(q->n) : NULL;
		json_t *scopes = sc ? md_tree_scopes(sc) : json_loads(DEFAULT_SCOPES_LIST, 0, NULL);
		json_t *acc = scopes ? md_tree_accounts(email, scopes) : NULL;
		json_decref(scopes);
		if (!acc) {
			json_decref(t);
			return NULL;
		}
		json_object_set_new(json_object_get(t, "instance"), "service-accounts", acc);
	}
	return t;
}

/* --- rendering --- */

static const char *last_segment(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? s + 1 : rel;
}

static void etag_of(const void *body, size_t len, char out[17])
{
	char hex[65];
	sha256_hex(body, len, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

static void on_wait_timer(evutil_socket_t fd, short what, void *arg)
{
	struct mreq *q = arg;
	(void)fd, (void)what;
	q->wait = 0;
	advance(q, MD_EV_NEXT);
}

/* Holds a wait_for_change request whose value has not changed. 0, or -errno. */
static int hold_wait(struct mreq *q)
{
	struct mhttp *mh = q->n->http;
	size_t held = 0;
	for (struct mreq *p = mh->pending; p; p = p->next)
		held += p->timer != NULL;
	if (held >= q->n->cfg.max_held)
		return -EBUSY;
	if (!q->timer)
		q->timer = event_new(q->n->base, -1, 0, on_wait_timer, q);
	struct timeval tv = {(time_t)(q->wait_s > 0 ? q->wait_s : MD_WAIT_MAX_SECONDS), 0};
	if (!q->timer || event_add(q->timer, &tv) != 0)
		return -ENOMEM;
	return 0;
}

/* The refusal of a request URI over URI_MAX bytes, or one whose redirect's Location
 * would not fit in as many (a Location is never cut short). */
static enum md_ev uri_too_long(struct mreq *q)
{
	char msg[200];
	snprintf(msg, sizeof(msg),
		 "GKE Metadata Server encountered an error: the request URI is longer than %d "
		 "bytes\n",
		 URI_MAX);
	return refuse(q, 414, msg);
}

static enum md_ev redirect(struct mreq *q)
{
	char loc[URI_MAX + 64];
	if (SFMT(loc, "/computeMetadata/v1/%s%s%s%s", q->rel, *q->rel ? "/" : "",
		 q->query ? "?" : "", q->query ? q->query : "") < 0)
		return uri_too_long(q);
	char *esc = evhttp_htmlescape(loc);
	if (!esc)
		return refuse(q, 500, OOM_TEXT);
	struct evkeyvalq *h = evhttp_request_get_output_headers(q->ev);
	evhttp_add_header(h, "Location", loc);
	evhttp_add_header(h, "Metadata-Flavor", "Google");
	evhttp_add_header(h, "Server", "GKE Metadata Server");
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	/* the body goes straight into the reply: an escaped URI may be six times longer */
	struct evbuffer *b = evhttp_request_get_output_buffer(q->ev);
	if (b)
		evbuffer_add_printf(b, "<a href=\"%s\">Moved Permanently</a>.\n\n", esc);
	free(esc);
	reply_raw(q->n, q->ev, 301, "Moved Permanently", NULL, 0);
	return MD_EV_ANSWERED;
}

static const char *not_found_text = "404 page not found\n";

/* v's bytes as q asks for them (recursive, alt) into b; 1 when they are JSON, 0 when
 * not, -errno when they could not be had whole (out of memory, a path too long). */
static int render_value(struct mreq *q, const json_t *v, struct evbuffer *b)
{
	if (json_is_object(v) && q->recursive) {
		if (q->alt == MD_ALT_TEXT)
			return md_tree_flatten(b, "", v);
		const char *seg = last_segment(q->rel);
		int keep = strcmp(seg, "attributes") == 0 || strcmp(seg, "service-accounts") == 0;
		json_t *r = md_tree_recursive(v, keep);
		char *d = r ? json_dumps(r, JSON_COMPACT) : NULL;
		if (d)
			evbuffer_add(b, d, strlen(d));
		free(d);
		json_decref(r);
		return d ? 1 : -ENOMEM;
	}
	if (json_is_object(v)) {
		md_tree_listing(b, v, q->alt == MD_ALT_JSON);
		return q->alt == MD_ALT_JSON;
	}
	if (q->alt == MD_ALT_JSON) {
		char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		if (d)
			evbuffer_add(b, d, strlen(d));
		free(d);
		return 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) evbuffer_add_printf(
			b, "%s\n", json_string_value(e) ? json_string_value(e) : "");
	} else if (json_is_integer(v)) {
		evbuffer_add_printf(b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_string(v)) {
		evbuffer_add(b, json_string_value(v), json_string_length(v));
	}
	return 0;
}

/* Answers q from the tree (a directory or a value), or says it waits for a change. */
static enum md_ev render(struct mreq *q, json_t *tree)
{
	json_t *v = md_tree_walk(tree, q->rel);
	if (!v || json_is_null(v) || (!json_is_object(v) && q->dir))
		return refuse(q, 404, not_found_text);
	if (json_is_object(v) && !q->dir && *q->rel)
		return redirect(q);
	struct evbuffer *b = evbuffer_new();
	if (!b)
		return refuse(q, 500, OOM_TEXT);
	int is_json = render_value(q, v, b);
	if (is_json < 0) {
		evbuffer_free(b);
		return refuse(q, 500, "GKE Metadata Server encountered an error\n");
	}
	size_t len = evbuffer_get_length(b);
	const char *body = len ? (const char *)evbuffer_pullup(b, -1) : "";
	char etag[17];
	etag_of(body, len, etag);
	if (q->wait && strcmp(q->last_etag, etag) == 0) {
		evbuffer_free(b);
		return MD_EV_CHANGE;
	}
	if (is_json)
		reply_jsontext(q->n, q->ev, body, len, etag);
	else
		reply_text(q->n, q->ev, body, len, etag);
	evbuffer_free(b);
	return MD_EV_ANSWERED;
}

/* --- tokens --- */

static void on_token(void *arg, int rc, const char *value, int64_t expiry_ms,
		     const struct md_err *err)
{
	struct mreq *q = arg;
	if (rc != 0) {
		advance(q, refuse(q, err ? err->status : 500,
				  err ? err->text : "GKE Metadata Server encountered an error\n"));
		return;
	}
	int64_t left = (expiry_ms - md_now_ms()) / 1000;
	if (left < 0)
		left = 0;
	/* the token's bytes were checked when it arrived (md_token_ok): no escaping needed */
	char body[16384 + 128];
	int len;
	if (q->alt == MD_ALT_TEXT)
		len = snprintf(body, sizeof(body),
			       "access_token %s\nexpires_in %lld\ntoken_type Bearer\n", value,
			       (long long)left);
	else
		len = snprintf(
			body, sizeof(body),
			"{\"access_token\":\"%s\",\"expires_in\":%lld,\"token_type\":\"Bearer\"}",
			value, (long long)left);
	if (len < 0 || (size_t)len >= sizeof(body)) {
		advance(q, refuse(q, 500,
				  "GKE Metadata Server encountered an error: token too long\n"));
		return;
	}
	if (q->alt == MD_ALT_TEXT)
		reply_text(q->n, q->ev, body, (size_t)len, NULL);
	else
		reply_jsontext(q->n, q->ev, body, (size_t)len, NULL);
	advance(q, MD_EV_ANSWERED);
}

static void on_identity(void *arg, int rc, const char *value, int64_t expiry_ms,
			const struct md_err *err)
{
	struct mreq *q = arg;
	(void)expiry_ms;
	if (rc != 0) {
		advance(q, refuse(q, err ? err->status : 500,
				  err ? err->text : "GKE Metadata Server encountered an error\n"));
		return;
	}
	reply_text(q->n, q->ev, value, strlen(value), NULL);
	advance(q, MD_EV_ANSWERED);
}

/* Starts the token: on_token answers (perhaps before this returns). */
static enum md_ev do_token(struct mreq *q)
{
	if (md_nodecreds_gce_mode(q->n)) {
		md_nodecreds_access(q->n, q->scopes, on_token, q);
		return MD_EV_ASYNC;
	}
	struct md_token_req tr = {.pod = &q->pod, .ksa = &q->ksa, .scopes = q->scopes};
	md_token_access(q->n, &tr, on_token, q);
	return MD_EV_ASYNC;
}

static enum md_ev do_identity(struct mreq *q)
{
	char msg[1400];
	if (md_nodecreds_gce_mode(q->n)) {
		md_nodecreds_id(q->n, q->audience, on_identity, q);
		return MD_EV_ASYNC;
	}
	if (!q->ksa.gsa[0]) {
		snprintf(
			msg, sizeof(msg),
			"Your Kubernetes service account (%s/%s) is not annotated with a target "
			"Google service account, which is a requirement for retrieving Identity "
			"Tokens using Workload Identity.\nPlease add the "
			"iam.gke.io/gcp-service-account=[GSA_NAME]@[PROJECT_ID] annotation to your "
			"Kubernetes service account.\nRefer to " DOCS_WI "\n",
			q->ksa.ns, q->ksa.name);
		return refuse(q, 404, msg);
	}
	struct md_token_req tr = {
		.pod = &q->pod, .ksa = &q->ksa, .audience = q->audience, .full = q->full};
	md_token_id(q->n, &tr, on_identity, q);
	return MD_EV_ASYNC;
}

/* The accounts are known (email; NULL: the answer names none): answer from the tree,
 * or start a token. */
static enum md_ev with_accounts(struct mreq *q, const char *email)
{
	/* the hot path: ACCOUNT/token and ACCOUNT/identity need no tree */
	static const char sa[] = "instance/service-accounts/";
	if (email && !q->dir && strncmp(q->rel, sa, sizeof(sa) - 1) == 0) {
		const char *acct = q->rel + sizeof(sa) - 1;
		const char *slash = strchr(acct, '/');
		if (slash && !strchr(slash + 1, '/')) {
			size_t al = (size_t)(slash - acct);
			int known = (al == 7 && strncmp(acct, "default", 7) == 0) ||
				    (al == strlen(email) && strncmp(acct, email, al) == 0);
			if (known && strcmp(slash + 1, "token") == 0)
				return do_token(q);
			if (known && strcmp(slash + 1, "identity") == 0)
				return do_identity(q);
		}
	}
	json_t *tree = tree_for(q, email);
	if (!tree)
		return refuse(q, 500, OOM_TEXT);
	json_t *v = email ? md_tree_walk(tree, q->rel) : NULL;
	if (v && json_is_null(v) && strncmp(q->rel, "instance/service-accounts/", 26) == 0) {
		const char *leaf = last_segment(q->rel);
		json_decref(tree);
		if (q->dir)
			return refuse(q, 404, not_found_text);
		return strcmp(leaf, "token") == 0 ? do_token(q) : do_identity(q);
	}
	enum md_ev ev = render(q, tree);
	json_decref(tree);
	return ev;
}

static void on_ksa(void *arg, int rc, const struct md_ksa *ksa, const struct md_err *err)
{
	struct mreq *q = arg;
	if (rc != 0) {
		advance(q, refuse(q, err ? err->status : 500,
				  err ? err->text : "GKE Metadata Server encountered an error\n"));
		return;
	}
	q->ksa = *ksa;
	q->ksa_known = 1;
	advance(q, MD_EV_NEXT);
}

static void on_startup_held(evutil_socket_t fd, short what, void *arg)
{
	struct mreq *q = arg;
	(void)fd, (void)what;
	event_free(q->timer);
	q->timer = NULL;
	advance(q, MD_EV_NEXT);
}

/* Asks for an account's token of the default scopes, or its identity: what the
 * prefetched federated token serves. */
static int wants_token(const struct mreq *q)
{
	static const char sa[] = "instance/service-accounts/";
	if (q->dir || strncmp(q->rel, sa, sizeof(sa) - 1) != 0)
		return 0;
	const char *leaf = strrchr(q->rel, '/') + 1;
	return (strcmp(leaf, "token") == 0 && !(q->scopes && *q->scopes)) ||
	       strcmp(leaf, "identity") == 0;
}

static void on_pod(void *arg, int rc, const struct md_pod *pod)
{
	struct mreq *q = arg;
	char msg[800];
	struct node *n = q->n;
	if (rc == -EEXIST) {
		snprintf(msg, sizeof(msg),
			 "GKE Metadata Server encountered an error: error looking up pod by ip "
			 "address: more than one live pod on node %s has address %s; refusing to "
			 "answer with either identity\n",
			 n->cfg.node_name, q->addr);
		advance(q, refuse(q, 500, msg));
		return;
	}
	if (rc == -ENOENT) {
		snprintf(msg, sizeof(msg),
			 "GKE Metadata Server encountered an error: no pod on node %s has address "
			 "%s (waited %lld ms for the pod watch)\n",
			 n->cfg.node_name, q->addr, (long long)n->cfg.hold_ms);
		advance(q, refuse(q, 404, msg));
		return;
	}
	if (rc != 0) {
		advance(q, refuse(q, 503,
				  "GKE Metadata Server encountered an error: shutting down\n"));
		return;
	}
	q->pod = *pod;
	advance(q, MD_EV_NEXT);
}

/* --- connections, their callers and drops --- */

/* The address that names the caller: the connection's local (destination) address in
 * local mode, its peer (source) address in node mode. */
static int conn_addr(struct evhttp_connection *evcon, int local, char *out, size_t len)
{
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
	return md_addr_of_fd(fd, local, out, len) == 0 ? 0 : -EINVAL;
}

static size_t conn_slot(const struct evhttp_connection *evcon)
{
	return ((uintptr_t)evcon >> 4) % CONN_BUCKETS;
}

static void drop_end(struct mdrop *d)
{
	d->n->m.netpol_drops_held--;
	event_free(d->timer);
	if (d->eof)
		event_free(d->eof);
	d->c->drop = NULL;
	free(d);
}

static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
	struct mconn *c = arg, **pp = c->slot_head;
	(void)evcon;
	if (c->drop)
		drop_end(c->drop);
	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	free(c);
}

int md_http_conn(struct node *n, struct evhttp_connection *evcon, struct md_fconn **fc,
		 const char **addr)
{
	struct mhttp *mh = n->http;
	if (!mh || !evcon)
		return -EINVAL;
	struct mconn **head = &mh->conns[conn_slot(evcon)];
	struct mconn *c = *head;
	while (c && c->evcon != evcon)
		c = c->next;
	if (!c) {
		char a[64];
		int rc = conn_addr(evcon, n->cfg.listen == NODE_LISTEN_LOCAL, a, sizeof(a));
		if (rc != 0)
			return rc;
		if (!(c = calloc(1, sizeof(*c))))
			return -ENOMEM;
		c->evcon = evcon;
		c->slot_head = head;
		memcpy(c->addr, a, sizeof(a));
		c->next = *head;
		*head = c;
		http_conn_set_closecb(evcon, on_conn_close, c);
	}
	*fc = &c->fast;
	*addr = c->addr;
	return 0;
}

/* conn_addr, remembered for the connection's lifetime. */
static int conn_addr_cached(struct node *n, struct evhttp_request *ev, int local, char *out,
			    size_t len)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	struct md_fconn *fc;
	const char *addr;
	int rc = md_http_conn(n, evcon, &fc, &addr);
	if (rc == -ENOMEM)
		return conn_addr(evcon, local, out, len);
	return rc == 0 && sfmt(out, len, "%s", addr) < 0 ? -ENAMETOOLONG : rc;
}

/* A reply to a request of ev's connection: the fast path may answer its next one. */
static void replied(struct node *n, struct evhttp_request *ev)
{
	struct md_fconn *fc;
	const char *addr;
	if (md_http_conn(n, evhttp_request_get_connection(ev), &fc, &addr) == 0)
		fc->passed = 0;
}

static void admin(struct node *n, struct evhttp_request *ev, const char *path)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
	if (strcmp(path, "/healthz") == 0) {
		size_t pods, held;
		int synced;
		md_pods_stats(n, &pods, &held, &synced);
		evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
		if (synced)
			reply_raw(n, ev, 200, "OK", "ok\n", 3);
		else
			reply_raw(n, ev, 503, "Service Unavailable", "pod watch not synced\n", 21);
		return;
	}
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		reply_error(n, ev, 500, "out of memory\n");
		return;
	}
	md_metrics_write(n, b);
	evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	count(n, 200);
	replied(n, ev);
	evhttp_send_reply(ev, 200, "OK", b);
	evbuffer_free(b);
}

/* Reads the query into q. 0, or -errno after replying (400, or 500). */
static int parse_query(struct mreq *q, const char *query)
{
	struct md_query mq;
	const char *text = NULL;
	int status = 400;
	int rc = md_query_parse(query, &mq, &status, &text);
	if (rc) {
		reply_error(q->n, q->ev, status, text);
		return rc;
	}
	q->recursive = mq.recursive;
	q->alt = mq.alt;
	q->scopes = mq.scopes; /* q owns them now */
	q->audience = mq.audience;
	q->have_audience = mq.have_audience;
	q->full = mq.full;
	q->bad_format = mq.bad_format;
	q->wait = mq.wait;
	memcpy(q->last_etag, mq.last_etag, sizeof(q->last_etag));
	q->wait_s = mq.wait_s;
	return 0;
}

static void on_drop_timer(evutil_socket_t fd, short what, void *arg)
{
	struct mdrop *d = arg;
	struct evhttp_connection *evcon = d->c->evcon;
	(void)fd, (void)what;
	drop_end(d);
	evhttp_connection_free(evcon); /* closes it: the client sees no reply */
}

/* libevent does not read a connection while its request waits for a reply, so the
 * client's close is seen here: EOF or an error ends the drop at once; bytes (a client
 * that sends more) leave it to the timer. */
static void on_drop_eof(evutil_socket_t fd, short what, void *arg)
{
	struct mdrop *d = arg;
	char b;
	(void)what;
	ssize_t r = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR))) {
		if (r > 0) {
			event_free(d->eof); /* not a close: the timer decides */
			d->eof = NULL;
		}
		return;
	}
	on_drop_timer(-1, 0, d);
}

/* Drops ev's connection as a NetworkPolicy does: nothing is answered; the client waits
 * until it gives up, or the connection is closed after DROP_HOLD_SECONDS (at once when
 * max_held dropped connections are already held). */
static void drop(struct node *n, struct evhttp_request *ev)
{
	struct mhttp *mh = n->http;
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	struct mconn *c = NULL;
	n->m.netpol_dropped++;
	if (evcon)
		for (c = mh->conns[conn_slot(evcon)]; c && c->evcon != evcon; c = c->next)
			;
	struct mdrop *d = c && !c->drop ? calloc(1, sizeof(*d)) : NULL;
	if (d)
		d->timer = evtimer_new(n->base, on_drop_timer, d);
	int full = n->m.netpol_drops_held >= n->cfg.max_held;
	struct timeval tv = {full ? 0 : DROP_HOLD_SECONDS, 0};
	if (!d || !d->timer || event_add(d->timer, &tv) != 0) {
		if (d && d->timer)
			event_free(d->timer);
		free(d);
		/* nothing to hold it with (out of memory, or no record of the connection) */
		reply_error(n, ev, 500,
			    "GKE Metadata Server encountered an error: out of memory\n");
		return;
	}
	d->n = n;
	d->c = c;
	c->drop = d;
	n->m.netpol_drops_held++;
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
	if (fd >= 0 && !full) {
		d->eof = event_new(n->base, fd, EV_READ | EV_PERSIST, on_drop_eof, d);
		if (d->eof && event_add(d->eof, NULL) != 0) {
			event_free(d->eof);
			d->eof = NULL;
		}
	}
}

/* --- the request's states (mdreq.h) --- */

/* START: names the caller; a pod the watch knows is judged before anything else. */
static enum md_ev step_start(struct mreq *q)
{
	struct node *n = q->n;
	int local_mode = n->cfg.listen == NODE_LISTEN_LOCAL;
	if (conn_addr_cached(n, q->ev, local_mode, q->addr, sizeof(q->addr)) != 0)
		return refuse(q, 500,
			      "GKE Metadata Server encountered an error: unknown connection\n");
	/* local mode: pods are loopback destinations, which only this host can reach (the
	 * kernel drops 127/8 arriving from outside); a connection to any other address of
	 * the wildcard listener is not a pod's */
	if (local_mode && !md_addr_loopback(q->addr)) {
		evhttp_add_header(evhttp_request_get_output_headers(q->ev), "Connection", "close");
		return refuse(
			q, 403,
			"GKE Metadata Server encountered an error: only local pods may connect\n");
	}
	/* a known pod's egress to the metadata server passes its NetworkPolicies first,
	 * whatever it asks (the dataplane drops packets, not paths); a pod not known yet is
	 * judged once found (HOLD -> GATE) */
	if (!md_addr_self(q->addr) && md_pods_find(n, q->addr, &q->pod) == 0)
		return MD_EV_KNOWN_POD;
	return MD_EV_NEXT;
}

static enum md_ev gate_verdict(struct mreq *q, int allowed)
{
	if (!allowed)
		return MD_EV_DENIED;
	q->n->m.netpol_allowed++;
	return MD_EV_ALLOWED;
}

static void on_gate(void *arg, int allowed)
{
	struct mreq *q = arg;
	advance(q, gate_verdict(q, allowed));
}

/* GATE: the pod's egress to the metadata server, judged by its NetworkPolicies. */
static enum md_ev step_gate(struct mreq *q)
{
	int v = md_netpol_now(q->n, &q->pod); /* the hot path: a kept verdict, no allocation */
	if (v != -EAGAIN)
		return gate_verdict(q, v);
	md_netpol_check(q->n, &q->pod, on_gate, q);
	return MD_EV_ASYNC;
}

/* PARSE, its first half: what any request must be (bounds, method, not proxied). */
static enum md_ev check_request(struct mreq *q)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(q->ev);
	const char *uri = evhttp_request_get_uri(q->ev);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(q->ev);
	char msg[200];
	if (!uri || strlen(uri) > URI_MAX)
		return uri_too_long(q);
	size_t hsize = 0;
	for (struct evkeyval *kv = TAILQ_FIRST(in); kv; kv = TAILQ_NEXT(kv, next))
		hsize += strlen(kv->key) + strlen(kv->value) + 4;
	if (hsize > HEADERS_TOTAL_MAX) {
		snprintf(msg, sizeof(msg),
			 "GKE Metadata Server encountered an error: the request headers are larger "
			 "than %d bytes\n",
			 HEADERS_TOTAL_MAX);
		return refuse(q, 431, msg);
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(q->ev), "Allow", "GET, HEAD");
		return refuse(q, 405, "Method Not Allowed\n");
	}
	/* a proxied request (X-Forwarded-For, or RFC 7239's Forwarded) is not a pod's own */
	if (evhttp_find_header(in, "X-Forwarded-For") || evhttp_find_header(in, "Forwarded"))
		return refuse(q, 403,
			      "GKE Metadata Server encountered an error: Request contains the "
			      "header \"X-Forwarded-For\"; the metadata server does not accept "
			      "proxied requests\n");
	return MD_EV_NEXT;
}

/* PARSE, the fixed answers of mp's target (the node's own /healthz and /metrics, the
 * header, the top of the tree, concealed paths); MD_EV_NEXT for the tree below v1/. */
static enum md_ev fixed_target(struct mreq *q, const struct md_path *mp)
{
	struct node *n = q->n;
	if (md_addr_self(q->addr) &&
	    (strcmp(mp->path, "/healthz") == 0 || strcmp(mp->path, "/metrics") == 0)) {
		admin(n, q->ev, mp->path);
		return MD_EV_ANSWERED;
	}
	/* Metadata-Flavor: Google only: GKE's server does not take the legacy
	 * X-Google-Metadata-Request: True that Compute Engine's once did */
	const char *flavor =
		evhttp_find_header(evhttp_request_get_input_headers(q->ev), "Metadata-Flavor");
	if (!(flavor && strcmp(flavor, "Google") == 0))
		return refuse(q, 403, MISSING_HEADER);
	struct evkeyvalq *out = evhttp_request_get_output_headers(q->ev);
	switch (mp->t) {
	case MD_T_ROOT:
		reply_text(n, q->ev, "computeMetadata/\n", 17, NULL);
		return MD_EV_ANSWERED;
	case MD_T_CONCEALED:
		return refuse(q, 403,
			      "GKE Metadata Server encountered an error: This metadata endpoint "
			      "is concealed.\n");
	case MD_T_CM_REDIRECT: {
		char loc[URI_MAX + 32];
		if (SFMT(loc, "/computeMetadata/%s%s", q->query ? "?" : "",
			 q->query ? q->query : "") < 0)
			return uri_too_long(q);
		evhttp_add_header(out, "Location", loc);
		evhttp_add_header(out, "Content-Type", "text/html; charset=utf-8");
		reply_raw(n, q->ev, 301, "Moved Permanently", "", 0);
		return MD_EV_ANSWERED;
	}
	case MD_T_CM_DIR:
		reply_text(n, q->ev, "v1/\n", 4, NULL);
		return MD_EV_ANSWERED;
	case MD_T_NOT_FOUND:
		return refuse(q, 404, not_found_text);
	default:
		return MD_EV_NEXT;
	}
}

/* PARSE: the request read into q; refused, answered, or on to ROUTE (counted as
 * pending from here: it may wait). */
static enum md_ev step_parse(struct mreq *q)
{
	struct mhttp *mh = q->n->http;
	enum md_ev ev = check_request(q);
	if (ev != MD_EV_NEXT)
		return ev;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(q->ev);
	const char *query = u ? evhttp_uri_get_query(u) : NULL;
	struct md_path mp;
	int rc = md_path_parse(u ? evhttp_uri_get_path(u) : NULL, &mp);
	if (rc)
		return refuse(
			q, rc == -ENOMEM ? 500 : 400,
			rc == -ENOMEM
				? OOM_TEXT
				: "GKE Metadata Server encountered an error: malformed path\n");
	q->query = query && *query ? strdup(query) : NULL;
	ev = fixed_target(q, &mp);
	if (ev != MD_EV_NEXT) {
		md_path_free(&mp);
		return ev;
	}
	/* MD_T_V1 or MD_T_V1_REDIRECT: rel is set */
	q->dir = mp.dir;
	q->rel = mp.rel; /* q owns it now */
	mp.rel = NULL;
	md_path_free(&mp);
	if (mp.t == MD_T_V1_REDIRECT) /* "/computeMetadata/v1" */
		return redirect(q);
	if (parse_query(q, q->query) != 0)
		return MD_EV_ANSWERED;
	/* identity's parameters are checked before anything is looked up */
	if (strncmp(q->rel, "instance/service-accounts/", 26) == 0 &&
	    strcmp(last_segment(q->rel), "identity") == 0 && !q->dir) {
		if (!q->have_audience)
			return refuse(q, 400, "non-empty audience parameter required\n");
		if (q->bad_format)
			return refuse(q, 400,
				      "invalid format parameter: must be 'standard' or 'full'\n");
	}
	if (mh->n_pending >= PENDING_MAX)
		return refuse(q, 503,
			      "GKE Metadata Server encountered an error: too many requests in "
			      "progress\n");
	q->next = mh->pending;
	if (mh->pending)
		mh->pending->pprev = &q->next;
	q->pprev = &mh->pending;
	mh->pending = q;
	mh->n_pending++;
	return MD_EV_NEXT;
}

/* ROUTE: what the answer needs of the caller (again after a held wait_for_change). */
static enum md_ev step_route(struct mreq *q)
{
	struct node *n = q->n;
	q->accounts = strncmp(q->rel, "instance/service-accounts", 25) == 0 &&
		      (q->rel[25] == '\0' || q->rel[25] == '/');
	if (q->recursive && (!*q->rel || strcmp(q->rel, "instance") == 0))
		q->accounts = 1;
	if (!q->accounts)
		return MD_EV_TREE;
	if (md_nodecreds_gce_mode(n)) {
		if (!*md_nodecreds_email(n))
			return refuse(q, 500,
				      "GKE Metadata Server encountered an error: the node pool is "
				      "in GCE_METADATA mode, but the node has no service account "
				      "credentials\n");
		return MD_EV_ACCOUNTS;
	}
	if (q->ksa_known) /* a held wait_for_change: the pod and its KSA are known */
		return MD_EV_ACCOUNTS;
	if (md_addr_self(q->addr)) {
		char msg[600];
		snprintf(msg, sizeof(msg),
			 "GKE Metadata Server encountered an error: %s is node %s's own address, "
			 "not a pod's; run the workload as a pod (gkeid exec)\n",
			 q->addr, n->cfg.node_name);
		return refuse(q, 404, msg);
	}
	return MD_EV_NEED_POD;
}

/* POD: the pod by its address (held until the watch has it); on_pod goes on. */
static enum md_ev step_pod(struct mreq *q)
{
	md_pods_lookup(q->n, q->addr, on_pod, q);
	return MD_EV_ASYNC;
}

/* HOLD: a new pod's request waits while faults.c makes the server slow to accept it. */
static enum md_ev step_hold(struct mreq *q)
{
	int64_t hold = md_faults_startup_wait_ms(q->n, &q->pod);
	if (hold <= 0 || !(q->timer = evtimer_new(q->n->base, on_startup_held, q)))
		return MD_EV_NEXT;
	struct timeval tv = {(time_t)(hold / 1000), (suseconds_t)(hold % 1000) * 1000};
	if (event_add(q->timer, &tv) == 0)
		return MD_EV_ASYNC;
	event_free(q->timer);
	q->timer = NULL;
	return MD_EV_NEXT;
}

/* KSA: the pod's Kubernetes service account (and, beside it, its first token). */
static enum md_ev step_ksa(struct mreq *q)
{
	struct node *n = q->n;
	if (wants_token(q) && !md_nodecreds_gce_mode(n))
		md_token_prefetch(n,
				  &q->pod); /* beside the KSA lookup: the first token is sooner */
	md_ksa_get(n, q->pod.ns, q->pod.sa, on_ksa, q);
	return MD_EV_ASYNC;
}

/* ANSWER: from the tree, or a token or identity. */
static enum md_ev step_answer(struct mreq *q)
{
	struct node *n = q->n;
	const char *email = NULL;
	if (q->accounts)
		email = md_nodecreds_gce_mode(n) ? md_nodecreds_email(n)
			: q->ksa.gsa[0]		 ? q->ksa.gsa
						 : n->pool;
	return with_accounts(q, email);
}

/* WAIT: a wait_for_change whose value has not changed, held until its timer. */
static enum md_ev step_wait(struct mreq *q)
{
	if (hold_wait(q) != 0)
		return refuse(q, 503,
			      "GKE Metadata Server encountered an error: too many waiting "
			      "requests\n");
	return MD_EV_ASYNC;
}

/* The one end of every request: dropped unanswered (DROP), or answered, then freed. */
static void finish(struct mreq *q)
{
	if (q->sm.state == MD_S_DROP)
		drop(q->n, q->ev); /* unanswered: the connection is held, then closed */
	else if (q->sm.state == MD_S_INVALID)
		reply_error(q->n, q->ev, 500, "GKE Metadata Server encountered an error\n");
	mreq_free(q);
}

/* Each live state's step (mdreq.h): it acts, and says how it ended. */
static enum md_ev (*const steps[])(struct mreq *q) = {
	[MD_S_START] = step_start, [MD_S_GATE] = step_gate,	[MD_S_PARSE] = step_parse,
	[MD_S_ROUTE] = step_route, [MD_S_POD] = step_pod,	[MD_S_HOLD] = step_hold,
	[MD_S_KSA] = step_ksa,	   [MD_S_ANSWER] = step_answer, [MD_S_WAIT] = step_wait,
};

/* Runs q's states from the one its last step ended with until one waits (then its
 * callback calls advance again; q may be freed by then) or the request ends (DONE,
 * DROP, INVALID: finish). */
static void advance(struct mreq *q, enum md_ev ev)
{
	while (ev != MD_EV_ASYNC) {
		enum md_state s = md_sm_next(&q->sm, ev);
		if (s >= sizeof(steps) / sizeof(steps[0]) || !steps[s]) {
			finish(q);
			return;
		}
		ev = steps[s](q);
	}
}

void md_http_on_request(struct evhttp_request *ev, void *arg)
{
	struct node *n = arg;
	struct mreq *q = calloc(1, sizeof(*q));
	if (!q) {
		reply_error(n, ev, 500, OOM_TEXT);
		return;
	}
	q->n = n;
	q->ev = ev;
	q->sm.state = MD_S_NEW;
	advance(q, MD_EV_NEXT);
}

int md_http_attach(struct node *n, struct evhttp *http)
{
	struct mhttp *mh = n->http;
	if (!mh) {
		mh = calloc(1, sizeof(*mh));
		if (!mh)
			return -ENOMEM;
		mh->n = n;
		mh->statics = build_statics(n);
		if (!mh->statics) {
			free(mh);
			return -ENOMEM;
		}
		json_object_set_new(json_object_get(mh->statics, "instance"), "service-accounts",
				    json_object());
		n->http = mh;
	}
	evhttp_set_gencb(http, md_http_on_request, n);
	return 0;
}

void md_http_stop(struct node *n)
{
	struct mhttp *mh = n->http;
	if (!mh)
		return;
	while (mh->pending) {
		struct mreq *q = mh->pending;
		if (q->timer) {
			event_del(q->timer);
			advance(q, refuse(q, 503,
					  "GKE Metadata Server encountered an error: shutting "
					  "down\n"));
		} else {
			/* waiting on a module: that module answers it when it is freed */
			*q->pprev = q->next;
			if (q->next)
				q->next->pprev = q->pprev;
			q->pprev = NULL;
			q->next = NULL;
			mh->n_pending--;
		}
	}
	for (size_t i = 0; i < CONN_BUCKETS; i++)
		while (mh->conns[i]) {
			struct mconn *c = mh->conns[i];
			mh->conns[i] = c->next;
			http_conn_set_closecb(c->evcon, NULL, NULL);
			if (c->drop)
				drop_end(c->drop);
			free(c);
		}
	json_decref(mh->statics);
	free(mh);
	n->http = NULL;
}

void md_http_refresh(struct node *n)
{
	struct mhttp *mh = n->http;
	if (!mh)
		return;
	json_t *s = build_statics(n);
	if (!s)
		return;
	json_object_set_new(json_object_get(s, "instance"), "service-accounts", json_object());
	json_decref(mh->statics);
	mh->statics = s;
}
