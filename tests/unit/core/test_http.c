/*
 * test_http.c - route pattern matching: captures, Google custom methods (":verb"),
 * rest captures, and non-matches; and the router's refusals, as Google's front end
 * makes them, of requests sent byte by byte: a path with %00 (400), one with an
 * encoded slash (404, the raw path quoted), and Content-Length headers that disagree
 * (400, the connection closed so the bytes after it are never read as a request);
 * and the listen backlog: a burst of connections no one has accepted yet is taken by
 * the kernel beyond libevent's 128, as Go's servers take it (somaxconn).
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/http.h"
#include "sock.h"
#include "t.h"

static int match(const char *pat, const char *path, char **vals, size_t *n)
{
	const char *names[HTTP_MAX_PARAMS];
	return http_match(pat, path, names, vals, n);
}

static void freev(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

static void test_match(void)
{
	char *v[HTTP_MAX_PARAMS];
	size_t n = 0;
	CHECK(match("/v1/projects/{project}", "/v1/projects/demo", v, &n));
	CHECK_EQ_INT(n, 1);
	CHECK_STR(v[0], "demo");
	freev(v, n);
	/* A capture never swallows a custom method. */
	CHECK(!match("/v1/projects/{project}", "/v1/projects/demo:getIamPolicy", v, &n));
	CHECK(match("/v1/projects/{project}:getIamPolicy", "/v1/projects/demo:getIamPolicy", v, &n));
	CHECK_STR(v[0], "demo");
	freev(v, n);
	CHECK(match("/v1/projects/{p}/serviceAccounts/{sa}:generateAccessToken",
		    "/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken", v, &n));
	CHECK_EQ_INT(n, 2);
	CHECK_STR(v[1], "a@b.iam.gserviceaccount.com");
	freev(v, n);
	CHECK(match("/iam/v1/{name**}", "/iam/v1/roles/container.viewer", v, &n));
	CHECK_STR(v[0], "roles/container.viewer");
	freev(v, n);
	CHECK(!match("/v1/projects/{project}", "/v1/projects/", v, &n));
	CHECK(!match("/v1/projects/{project}", "/v1/projects/a/b", v, &n));
	CHECK(!match("/v1/projects", "/v1/projects/x", v, &n));
}

static void get_project(struct http_req *r)
{
	http_reply_json(r, 200, json_pack("{s:s}", "project", http_param(r, "project")));
}

static void echo(struct http_req *r)
{
	http_reply(r, 200, "text/plain", r->body, r->body_len);
}

static struct event_base *base;
static int port;

/* Sends raw bytes to the router's server; returns what came back (until the server
 * closed, or 3 s), and whether it closed. */
static void exchange(const char *raw, char *out, size_t cap, int *closed)
{
	size_t len = 0;
	int fd = sock_client(port);
	out[0] = '\0';
	*closed = 0;
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ_INT(sock_say(fd, raw), 0);
	int64_t t0 = sock_now_ms();
	while (!*closed && sock_now_ms() - t0 < 3000) {
		sock_pump(base, 5);
		*closed = sock_read(fd, out, cap, &len);
		/* a kept-alive connection: one complete answer is enough */
		if (!*closed && strstr(out, "\r\n\r\n") && sock_now_ms() - t0 > 300)
			break;
	}
	close(fd);
}

static void test_hygiene(void)
{
	static const struct http_route routes[] = {
		{"GET", "/v1/projects/{project}", get_project},
		{"POST", "/v1/echo", echo},
	};
	char out[8192];
	int closed;
	base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct http_router *rt = http_router_new(NULL);
	CHECK(http_router_add(rt, routes, 2) == 0);
	http_router_attach(rt, http);
	CHECK_EQ_INT(http_listen(http, "127.0.0.1", 0, &port), 0);

	exchange("GET /v1/projects/demo HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out), &closed);
	CHECK(strstr(out, "HTTP/1.1 200 OK") != NULL);
	CHECK(strstr(out, "\"project\": \"demo\"") != NULL);

	/* %00 would end the decoded path: "demo%00.evil" must not be "demo" */
	exchange("GET /v1/projects/demo%00.evil HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out),
		 &closed);
	CHECK(strstr(out, "HTTP/1.1 400 Bad Request") != NULL);
	CHECK(strstr(out, "\"message\": \"Your client has issued a malformed or illegal "
			  "request.\"") != NULL);
	CHECK(strstr(out, "demo") == NULL);

	/* an encoded slash is no separator: projects%2Fdemo is no project path */
	exchange("GET /v1/projects%2Fdemo HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out), &closed);
	CHECK(strstr(out, "HTTP/1.1 404 Not Found") != NULL);
	CHECK(strstr(out, "\"message\": \"The requested URL /v1/projects%2Fdemo was not found on "
			  "this server.\"") != NULL);
	exchange("GET /v1/projects/a%2fb HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out), &closed);
	CHECK(strstr(out, "HTTP/1.1 404 Not Found") != NULL);
	CHECK(strstr(out, "\"project\"") == NULL);

	/* two lengths: the body's end is unknown, so is where a next request starts */
	exchange("POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
		 "Content-Length: 36\r\n\r\nhello"
		 "GET /v1/projects/smuggled HTTP/1.1\r\n\r\n",
		 out, sizeof(out), &closed);
	CHECK(strstr(out, "HTTP/1.1 400 Bad Request") != NULL);
	CHECK(strstr(out, "Connection: close") != NULL);
	CHECK(strstr(out, "smuggled") == NULL);
	CHECK(closed);
	/* the same length twice is one length (RFC 9110 section 8.6, Go's net/http) */
	exchange("POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
		 "Content-Length: 5\r\n\r\nhello",
		 out, sizeof(out), &closed);
	CHECK(strstr(out, "HTTP/1.1 200 OK") != NULL);
	CHECK(strstr(out, "\r\n\r\nhello") != NULL);

	CHECK(http_path_has_encoded_slash("/a%2F"));
	CHECK(http_path_has_encoded_slash("%2f"));
	CHECK(!http_path_has_encoded_slash("/a%252F"));
	CHECK(!http_path_has_encoded_slash("/a%2"));
	CHECK(!http_path_has_encoded_slash(NULL));
	evhttp_free(http);
	http_router_free(rt);
	event_base_free(base);
}

/* 300 connections to a listener whose loop never runs (nothing accepts them): the
 * kernel queues each completed handshake while the backlog has room. A listener's
 * TCP_INFO gives the queue's length (tcpi_unacked) and its maximum (tcpi_sacked): with
 * libevent's backlog of 128 the queue stops at 129 and the rest lose their SYNs; with
 * http_listener_setup's it takes all 300. */
static void test_backlog(void)
{
	enum { N = 300 };
	struct event_base *b = event_base_new();
	struct evhttp *http = evhttp_new(b);
	struct evhttp_bound_socket *h = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	CHECK(h != NULL);
	if (!h)
		return;
	int lfd = evhttp_bound_socket_get_fd(h), fds[N];
	CHECK_EQ_INT(http_listener_setup(lfd), 0);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	CHECK_EQ_INT(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	int made = 0;
	for (int i = 0; i < N; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] >= 0) {
			made++;
			connect(fds[i], (struct sockaddr *)&sa, sizeof(sa));
		}
	}
	CHECK_EQ_INT(made, N);
	struct tcp_info ti = {0};
	socklen_t tl = sizeof(ti);
	/* bounded: loopback handshakes complete as connect() runs */
	int rc = -1;
	for (int round = 0; round < 500; round++) {
		rc = getsockopt(lfd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
		if (rc != 0 || ti.tcpi_unacked >= N)
			break;
		usleep(10000);
	}
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(ti.tcpi_unacked, N);
	CHECK(ti.tcpi_sacked > 128);
	for (int i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	evhttp_free(http);
	event_base_free(b);
}

int main(void)
{
	RUN(test_match);
	RUN(test_hygiene);
	RUN(test_backlog);
	return t_done();
}
