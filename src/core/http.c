/*
 * http.c - routing and request/response helpers over evhttp (see http.h).
 */
#include "core/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

struct http_router {
	void *app;
	FILE *log;
	struct http_route *routes;
	void **args; /* args[i]: routes[i]'s table's argument */
	size_t n;
	http_handler not_found; /* NULL: the front end's 404 */
};

struct http_router *http_router_new(void *app)
{
	struct http_router *rt = calloc(1, sizeof(*rt));
	if (rt)
		rt->app = app;
	return rt;
}

int http_router_add_arg(struct http_router *rt, const struct http_route *routes, size_t n,
			void *arg)
{
	if (n > SIZE_MAX / sizeof(struct http_route) - rt->n)
		return -ENOMEM;
	struct http_route *nr = realloc(rt->routes, (rt->n + n) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	rt->routes = nr;
	void **na = realloc(rt->args, (rt->n + n) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	rt->args = na;
	memcpy(nr + rt->n, routes, n * sizeof(*nr));
	for (size_t i = 0; i < n; i++)
		na[rt->n + i] = arg;
	rt->n += n;
	return 0;
}

int http_router_add(struct http_router *rt, const struct http_route *routes, size_t n)
{
	return http_router_add_arg(rt, routes, n, NULL);
}

void http_router_set_log(struct http_router *rt, FILE *log)
{
	rt->log = log;
}

void http_router_set_not_found(struct http_router *rt, http_handler fn)
{
	rt->not_found = fn;
}

void http_router_free(struct http_router *rt)
{
	if (!rt)
		return;
	free(rt->routes);
	free(rt->args);
	free(rt);
}

static void free_values(char **values, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(values[i]);
		values[i] = NULL;
	}
}

int http_match(const char *pattern, const char *path, const char **names, char **values, size_t *n)
{
	const char *p = pattern, *s = path;
	size_t k = 0;
	while (*p) {
		if (*p != '{') {
			if (*p != *s)
				goto fail;
			p++, s++;
			continue;
		}
		const char *close = strchr(p, '}');
		if (!close || k >= HTTP_MAX_PARAMS)
			goto fail;
		int rest = close - p >= 3 && close[-1] == '*' && close[-2] == '*';
		const char *end;
		if (rest) {
			end = s + strlen(s);
		} else {
			char stop = close[1];
			end = s;
			/* Google's names never hold ':' (it starts a custom method). */
			while (*end && *end != '/' && *end != ':' && *end != stop)
				end++;
		}
		if (end == s)
			goto fail;
		values[k] = strndup(s, (size_t)(end - s));
		if (!values[k])
			goto fail;
		names[k] = p + 1; /* name text up to '}' (compared with http_param) */
		k++;
		s = end;
		p = close + 1;
	}
	if (*s)
		goto fail;
	*n = k;
	return 1;
fail:
	free_values(values, k);
	return 0;
}

const char *http_param(const struct http_req *r, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < r->n_params; i++) {
		const char *nm = r->param_names[i];
		if (strncmp(nm, name, len) == 0 && (nm[len] == '}' || nm[len] == '*'))
			return r->params[i];
	}
	return NULL;
}

const char *http_query(const struct http_req *r, const char *name)
{
	return evhttp_find_header(&r->query, name);
}

const char *http_header(const struct http_req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

const char *http_peer(const struct http_req *r, char *buf, size_t len)
{
	char *addr = NULL;
	ev_uint16_t port = 0;
	struct evhttp_connection *c = evhttp_request_get_connection(r->ev);
	if (c)
		evhttp_connection_get_peer(c, &addr, &port);
	snprintf(buf, len, "%s", addr ? addr : "?");
	return buf;
}

const char *http_gstatus(int code)
{
	switch (code) {
	case 400:
		return "INVALID_ARGUMENT";
	case 401:
		return "UNAUTHENTICATED";
	case 403:
		return "PERMISSION_DENIED";
	case 404:
		return "NOT_FOUND";
	case 405:
		return "METHOD_NOT_ALLOWED";
	case 409:
		return "ABORTED";
	case 412:
		return "FAILED_PRECONDITION";
	case 413:
		return "INVALID_ARGUMENT";
	case 429:
		return "RESOURCE_EXHAUSTED";
	case 501:
		return "UNIMPLEMENTED";
	case 503:
		return "UNAVAILABLE";
	default:
		return code >= 500 ? "INTERNAL" : "UNKNOWN";
	}
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Payload Too Large";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "";
	}
}

void http_reply(struct http_req *r, int status, const char *content_type, const void *body,
		size_t len)
{
	if (r->replied)
		return;
	r->replied = 1;
	struct evbuffer *buf = evbuffer_new();
	if (content_type)
		http_add_header(r, "Content-Type", content_type);
	/* libevent 2.1 writes a HEAD reply's body after its headers, which the client then
	 * reads as the start of the next response: a HEAD reply says its length only */
	if (buf && len && evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD) {
		char cl[32];
		snprintf(cl, sizeof(cl), "%zu", len);
		http_add_header(r, "Content-Length", cl);
	} else if (buf && len) {
		evbuffer_add(buf, body, len);
	}
	evhttp_send_reply(r->ev, status, reason_phrase(status), buf);
	if (buf)
		evbuffer_free(buf);
}

void http_reply_json(struct http_req *r, int status, json_t *j)
{
	if (!j) {
		http_reply_gerror(r, 500, "INTERNAL", NULL, NULL, NULL,
				  "Internal error encountered.");
		return;
	}
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s) {
		http_reply(r, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	size_t len = strlen(s);
	char *nl = realloc(s, len + 2);
	if (nl) {
		s = nl;
		s[len++] = '\n';
		s[len] = '\0';
	}
	http_reply(r, status, "application/json; charset=UTF-8", s, len);
	free(s);
}

void http_reply_gerror(struct http_req *r, int code, const char *status, const char *reason,
		       const char *domain, json_t *metadata, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages may echo request bytes: keep the JSON valid whatever they are. */
	json_t *probe = json_string(msg);
	if (!probe) {
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	}
	json_decref(probe);
	json_t *err = json_pack("{s:i, s:s, s:s}", "code", code, "message", msg, "status",
				status ? status : http_gstatus(code));
	if (err && reason) {
		json_t *info = json_pack("{s:s, s:s, s:s}", "@type",
					 "type.googleapis.com/google.rpc.ErrorInfo", "reason",
					 reason, "domain", domain ? domain : "googleapis.com");
		if (info && metadata) {
			json_object_set_new(info, "metadata", metadata);
			metadata = NULL;
		}
		if (info)
			json_object_set_new(err, "details", json_pack("[o]", info));
	}
	json_decref(metadata);
	http_reply_json(r, code, err ? json_pack("{s:o}", "error", err) : NULL);
}

json_t *http_json_body(struct http_req *r, int empty_ok)
{
	if (r->body_len == 0) {
		if (empty_ok)
			return json_object();
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Invalid JSON payload received. Empty request body.");
		return NULL;
	}
	json_error_t e;
	json_t *j = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Invalid JSON payload received. %s at line %d column %d.", e.text,
				  e.line, e.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_reply_gerror(r, 400, NULL, NULL, NULL, NULL,
				  "Invalid JSON payload received. Expected an object.");
		return NULL;
	}
	return j;
}

int http_form_body(struct http_req *r, struct evkeyvalq *q)
{
	TAILQ_INIT(q);
	if (!r->body_len)
		return 0;
	return evhttp_parse_query_str((const char *)r->body, q) == 0 ? 0 : -EINVAL;
}

/* Percent-encodes v as evhttp_encode_uri does (RFC 3986: all but ALPHA, DIGIT and
 * "-._~", as %XX in capitals), straight into buf: the node encodes a 1 KB KSA token into
 * every STS exchange, and libevent's encoder adds to an evbuffer a byte at a time. */
int http_form_add(char *buf, size_t len, size_t *off, const char *k, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = *off, klen = strlen(k);
	if (o >= len)
		return -E2BIG;
	if (o && o + 1 < len)
		buf[o++] = '&';
	if (o + klen + 1 >= len)
		goto full;
	memcpy(buf + o, k, klen);
	o += klen;
	buf[o++] = '=';
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			    (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' ||
			    *c == '~';
		if (o + (plain ? 1 : 3) >= len) /* and its '\0' */
			goto full;
		if (plain) {
			buf[o++] = (char)*c;
		} else {
			buf[o++] = '%';
			buf[o++] = hex[*c >> 4];
			buf[o++] = hex[*c & 15];
		}
	}
	buf[o] = '\0';
	*off = o;
	return 0;
full:
	buf[*off] = '\0';
	return -E2BIG;
}

int http_content_length_conflict(struct evhttp_request *ev)
{
	const struct evkeyvalq *h = evhttp_request_get_input_headers(ev);
	const char *first = NULL;
	for (const struct evkeyval *kv = h ? TAILQ_FIRST(h) : NULL; kv; kv = TAILQ_NEXT(kv, next)) {
		if (evutil_ascii_strcasecmp(kv->key, "Content-Length") != 0)
			continue;
		if (!first)
			first = kv->value;
		else if (strcmp(first, kv->value) != 0)
			return 1;
	}
	return 0;
}

int http_path_has_encoded_slash(const char *raw_path)
{
	for (const char *p = raw_path ? strchr(raw_path, '%') : NULL; p; p = strchr(p + 1, '%'))
		if (p[1] == '2' && (p[2] == 'F' || p[2] == 'f'))
			return 1;
	return 0;
}

const char *http_raw_path(const struct http_req *r)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->ev);
	const char *p = uri ? evhttp_uri_get_path(uri) : NULL;
	return p && *p ? p : "/";
}

const char *http_method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	default:
		return "OTHER";
	}
}

int http_req_init(struct http_req *r, struct evhttp_request *ev, void *app, size_t body_cap)
{
	memset(r, 0, sizeof(*r));
	r->ev = ev;
	r->app = app;
	TAILQ_INIT(&r->query);
	r->method = http_method_name(evhttp_request_get_command(ev));

	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	const char *raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *raw_query = uri ? evhttp_uri_get_query(uri) : NULL;
	if (!raw_path || !*raw_path)
		raw_path = "/";
	size_t plen = 0;
	r->path = evhttp_uridecode(raw_path, 0, &plen);
	if (!r->path)
		return -EINVAL;
	if (plen != strlen(r->path))
		return -EILSEQ; /* a %00 would end the C string early: the path would lie */
	if (raw_query && evhttp_parse_query_str(raw_query, &r->query) != 0)
		return -EINVAL;
	if (http_content_length_conflict(ev))
		return -EPROTO;

	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	size_t len = in ? evbuffer_get_length(in) : 0;
	if (len > body_cap)
		return -EFBIG;
	unsigned char *body = malloc(len + 1);
	if (!body)
		return -ENOMEM;
	if (len)
		evbuffer_copyout(in, body, len);
	body[len] = '\0';
	r->body = body;
	r->body_len = len;
	return 0;
}

void http_req_done(struct http_req *r)
{
	free_values(r->params, r->n_params);
	r->n_params = 0;
	evhttp_clear_headers(&r->query);
	free(r->path);
	r->path = NULL;
	free((void *)r->body);
	r->body = NULL;
	r->body_len = 0;
}

void http_router_dispatch(struct evhttp_request *ev, void *arg)
{
	struct http_router *rt = arg;
	struct http_req r;

	int rc = http_req_init(&r, ev, rt->app, HTTP_BODY_CAP);
	if (rc == -EINVAL) {
		http_reply_gerror(&r, 400, NULL, NULL, NULL, NULL, "Invalid request URI.");
		goto out;
	}
	if (rc == -EILSEQ || rc == -EPROTO) {
		/* Google's front end: 400 "Your client has issued a malformed or illegal
		 * request." A body whose length is in doubt leaves nothing to read the next
		 * request from: the connection closes (RFC 9112 section 6.3). */
		if (rc == -EPROTO)
			http_add_header(&r, "Connection", "close");
		http_reply_gerror(&r, 400, NULL, NULL, NULL, NULL,
				  "Your client has issued a malformed or illegal request.");
		goto out;
	}
	if (rc == -EFBIG) {
		http_reply_gerror(&r, 413, "INVALID_ARGUMENT", NULL, NULL, NULL,
				  "Request payload size exceeds the limit: %d bytes.",
				  HTTP_BODY_CAP);
		goto out;
	}
	if (rc < 0) {
		http_reply(&r, 500, "text/plain", "out of memory\n", 14);
		goto out;
	}

	/* Google's front end routes on the path as sent: an encoded slash separates nothing,
	 * so "projects%2Fp" names no resource (404 "The requested URL
	 * /v1/projects%2Fp... was not found on this server.", the raw path quoted). */
	if (http_path_has_encoded_slash(http_raw_path(&r))) {
		http_reply_gerror(&r, 404, NULL, NULL, NULL, NULL,
				  "The requested URL %s was not found on this server.",
				  http_raw_path(&r));
		goto out;
	}
	int path_matched = 0;
	for (size_t i = 0; i < rt->n; i++) {
		const struct http_route *route = &rt->routes[i];
		if (!http_match(route->pattern, r.path, r.param_names, r.params, &r.n_params))
			continue;
		if (strcmp(route->method, "*") != 0 && strcmp(route->method, r.method) != 0 &&
		    !(strcmp(r.method, "HEAD") == 0 && strcmp(route->method, "GET") == 0)) {
			path_matched = 1;
			free_values(r.params, r.n_params);
			r.n_params = 0;
			continue;
		}
		r.route = route;
		r.route_arg = rt->args[i];
		route->fn(&r);
		if (!r.replied)
			http_reply_gerror(&r, 500, NULL, NULL, NULL, NULL,
					  "Internal error encountered.");
		goto out;
	}
	if (path_matched) {
		http_reply_gerror(&r, 405, NULL, NULL, NULL, NULL, "Method %s is not allowed on %s.",
				  r.method, r.path);
	} else if (rt->not_found) {
		rt->not_found(&r);
		if (!r.replied)
			http_reply_not_found(&r);
	} else {
		http_reply_not_found(&r);
	}
out:
	if (rt->log)
		fprintf(rt->log, "http: %s %s %d\n", r.method, r.path ? r.path : "?",
			evhttp_request_get_response_code(ev));
	http_req_done(&r);
}

void http_reply_not_found(struct http_req *r)
{
	http_reply_gerror(r, 404, NULL, NULL, NULL, NULL,
			  "The requested URL %s was not found on this server.", r->path);
}

void http_router_attach(struct http_router *rt, struct evhttp *http)
{
	evhttp_set_gencb(http, http_router_dispatch, rt);
}

struct event_base *http_base_new(void)
{
	struct event_config *ec = event_config_new();
	struct event_base *base = NULL;
	if (ec && event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == 0)
		base = event_base_new_with_config(ec);
	if (ec)
		event_config_free(ec);
	return base ? base : event_base_new();
}

int http_listener_setup(int fd)
{
	/* Small replies must not wait for Nagle (about 40 ms a response over TLS); Linux
	 * gives accepted sockets the listener's TCP_NODELAY. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* libevent listens with a backlog of 128; Go's servers (kube-apiserver, GKE's
	 * metadata server) with the kernel's somaxconn. A burst of connections larger than
	 * the backlog on a busy machine loses SYNs, and each lost one waits 1, 3, 7, ...
	 * seconds for the client's retry (10,000 idle connections took over a minute). */
	return listen(fd, SOMAXCONN) == 0 ? 0 : -errno;
}

int http_listen(struct evhttp *http, const char *addr, int port, int *bound_port)
{
	struct evhttp_bound_socket *h =
		evhttp_bind_socket_with_handle(http, addr, (ev_uint16_t)port);
	if (!h)
		return -EADDRINUSE;
	int rc = http_listener_setup(evhttp_bound_socket_get_fd(h));
	if (rc)
		return rc;
	if (bound_port) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		evutil_socket_t fd = evhttp_bound_socket_get_fd(h);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
			return -errno;
		if (ss.ss_family == AF_INET)
			*bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else
			*bound_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return 0;
}
