/*
 * http.h - the HTTP layer over libevent's evhttp: routing, request bodies with caps,
 * JSON replies, and Google's error shape.
 *
 * A router maps (method, pattern) to a handler. Patterns are literal text with
 * "{name}" captures; a capture matches one or more bytes up to the next literal byte
 * of the pattern, never crosses '/' (Google's "projects/{project}/..." paths) and
 * never holds ':' (which starts a custom method such as ":getIamPolicy"); a final
 * "{name**}" capture takes the rest of the path. Matching is on the decoded path; as at
 * Google's front end, a path holding %00 gets 400 and one holding an encoded slash
 * (%2F, which separates no segments there) gets 404, and so do conflicting
 * Content-Length headers (400, connection closed).
 * Handlers answer synchronously; a handler that returns without replying gets a 500.
 */
#ifndef GKEID_HTTP_H
#define GKEID_HTTP_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/queue.h>

#define HTTP_MAX_PARAMS 6
#define HTTP_BODY_CAP (1024 * 1024) /* bytes; larger bodies get 413 */

struct http_req;
typedef void (*http_handler)(struct http_req *r);

struct http_route {
	const char *method; /* "GET", "POST", ... or "*" */
	const char *pattern;
	http_handler fn;
};

struct http_req {
	struct evhttp_request *ev;
	void *app;	    /* the router's app pointer */
	const char *method; /* "GET", ... */
	char *path;	    /* decoded path, without the query */
	struct evkeyvalq query;
	const char *param_names[HTTP_MAX_PARAMS];
	char *params[HTTP_MAX_PARAMS];
	size_t n_params;
	const unsigned char *body; /* NUL-terminated copy of the body; body_len bytes */
	size_t body_len;
	const struct http_route *route;
	void *route_arg; /* what the route's table was added with (http_router_add_arg) */
	int replied;
};

struct http_router;

/* A router over routes (borrowed, must outlive it). app is passed to handlers. */
struct http_router *http_router_new(void *app);
int http_router_add(struct http_router *rt, const struct http_route *routes, size_t n);
/* Adds routes whose requests carry arg as r->route_arg (the state their handlers own). */
int http_router_add_arg(struct http_router *rt, const struct http_route *routes, size_t n,
			void *arg);
void http_router_free(struct http_router *rt);
/* Logs one line per request ("http: METHOD PATH STATUS") to log; NULL turns it off. */
void http_router_set_log(struct http_router *rt, FILE *log);
/* What answers a path that no route matches (with any method): fn, which may reply or
 * leave it to http_reply_not_found. NULL (the default): http_reply_not_found. */
void http_router_set_not_found(struct http_router *rt, http_handler fn);
/* The front end's 404 for a path that names nothing: "The requested URL PATH was not
 * found on this server." */
void http_reply_not_found(struct http_req *r);
/* Installs the router as evhttp's general callback. */
void http_router_attach(struct http_router *rt, struct evhttp *http);
/* The router's request handler (what attach installs), for an httpconn.h guard. */
void http_router_dispatch(struct evhttp_request *ev, void *router);
/* Matches a path against a pattern; on success fills names/values (malloc'd values). */
int http_match(const char *pattern, const char *path, const char **names, char **values, size_t *n);

/* The value of capture name, or NULL. */
const char *http_param(const struct http_req *r, const char *name);
/* The value of a query parameter, or NULL. */
const char *http_query(const struct http_req *r, const char *name);
/* A request header, or NULL. */
const char *http_header(const struct http_req *r, const char *name);
/* The peer address as text (buf of 64). */
const char *http_peer(const struct http_req *r, char *buf, size_t len);

/* Parses the body as a JSON object. An empty body gives {} when empty_ok. On bad JSON
 * replies 400 INVALID_ARGUMENT itself and returns NULL. New reference. */
json_t *http_json_body(struct http_req *r, int empty_ok);
/* Parses an application/x-www-form-urlencoded body into q (caller clears with
 * evhttp_clear_headers). Returns 0 or -EINVAL. */
int http_form_body(struct http_req *r, struct evkeyvalq *q);
/* Appends "k=v" (v URL-encoded; "&" before it unless it is the first) to the form body
 * being built in buf (len bytes) at *off, which it advances. 0, or -E2BIG when it does
 * not fit (buf then holds what it held). */
int http_form_add(char *buf, size_t len, size_t *off, const char *k, const char *v);

void http_add_header(struct http_req *r, const char *name, const char *value);
/* Replies with raw bytes. */
void http_reply(struct http_req *r, int status, const char *content_type, const void *body,
		size_t len);
/* Replies with JSON (steals j; NULL j gives 500). Pretty-printed like Google's APIs. */
void http_reply_json(struct http_req *r, int status, json_t *j);
/* Google's error shape: {"error":{"code","message","status","details":[ErrorInfo]}}.
 * reason/domain may be NULL (no details); metadata is stolen (may be NULL). */
void http_reply_gerror(struct http_req *r, int code, const char *status, const char *reason,
		       const char *domain, json_t *metadata, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* The canonical status name for an HTTP code (400 INVALID_ARGUMENT, ...). */
const char *http_gstatus(int code);

/* Fills r from an evhttp request as the router does (method, decoded path, query,
 * NUL-terminated body copy), without routing. Returns 0; -EINVAL for a bad URI;
 * -EILSEQ for a path that decodes to a NUL (%00); -EPROTO for Content-Length headers
 * that disagree (the body's length is unknown: reply 400 and close); -EFBIG when the
 * body exceeds body_cap; -ENOMEM. r is usable for replies (and must be released with
 * http_req_done) whatever the result. */
int http_req_init(struct http_req *r, struct evhttp_request *ev, void *app, size_t body_cap);
/* 1 when the request holds Content-Length headers with different values (identical
 * repeats are one length, as Go's net/http takes them). */
int http_content_length_conflict(struct evhttp_request *ev);
/* 1 when a raw (undecoded) path holds an encoded slash (%2F or %2f). */
int http_path_has_encoded_slash(const char *raw_path);
/* The request's path as sent (not decoded), "/" when empty. */
const char *http_raw_path(const struct http_req *r);
/* Frees what http_req_init and routing allocated (path, query, params, body). */
void http_req_done(struct http_req *r);
/* "GET", "POST", ... for an evhttp command ("OTHER" for the rest). */
const char *http_method_name(enum evhttp_cmd_type cmd);

/* The event loop of a single-threaded server, with epoll's changelist: evhttp's
 * per-request EPOLL_CTL_MOD churn folds into one call per descriptor and loop iteration
 * (no descriptor of gkeid's is dup'ed, libevent's one caveat). NULL when out of memory. */
struct event_base *http_base_new(void);
/* Opens a listener on addr:port (port 0 = any free port) and reports the bound port. */
int http_listen(struct evhttp *http, const char *addr, int port, int *bound_port);
/* What every listener of gkeid's gets once bound: TCP_NODELAY (accepted sockets inherit
 * it) and a listen backlog of the kernel's somaxconn, as Go's servers have. 0 or -errno. */
int http_listener_setup(int fd);

#endif
