/*
 * test_httpconn.c - connection limits (core/httpconn.h) against real sockets on
 * loopback: the header deadline (a client that never finishes its request is closed),
 * the idle timeout, the TLS handshake deadline, the budget (the oldest waiting
 * connection makes room; a table of connections being served refuses new ones and
 * answers the ones it has), close callbacks chained through the guard, and accept()
 * at EMFILE (waiting clients refused, the loop not spinning, service back once
 * descriptors free up). Also the budget derived from RLIMIT_NOFILE.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/httpconn.h"
#include "sock.h"
#include "t.h"

static struct event_base *base;
static struct evhttp *http;
static struct http_guard *guard;
static int port;
static int hold; /* the handler keeps requests instead of answering */
static struct evhttp_request *held[8];
static int n_held;
static int closed_cb_calls;

static void on_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	(*(int *)arg)++;
}

static void handler(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (strcmp(evhttp_request_get_uri(req), "/watch-close") == 0)
		http_conn_set_closecb(evhttp_request_get_connection(req), on_closed,
				      &closed_cb_calls);
	if (hold && n_held < 8) {
		held[n_held++] = req;
		return;
	}
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, "ok", 2);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static SSL_CTX *tls_ctx;
static struct bufferevent *make_tls(struct event_base *b, void *arg)
{
	(void)arg;
	SSL *ssl = SSL_new(tls_ctx);
	return ssl ? bufferevent_openssl_socket_new(b, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
						    BEV_OPT_CLOSE_ON_FREE)
		   : NULL;
}

static void setup(int64_t handshake_ms, int64_t header_ms, int64_t idle_ms, long budget, int tls)
{
	struct http_limits lim = {handshake_ms, header_ms, idle_ms, 0, 0};
	base = event_base_new();
	http = evhttp_new(base);
	http_conn_set_budget(budget);
	guard = http_guard_new(base, http, &lim, "test", handler, NULL, tls ? make_tls : NULL,
			       NULL);
	CHECK(guard != NULL);
	CHECK(http_guard_bind(guard, "127.0.0.1", 0, &port) != NULL);
	hold = 0;
	n_held = 0;
}

static void teardown(void)
{
	evhttp_free(http);
	http_guard_free(guard);
	event_base_free(base);
	struct http_conn_stats s;
	http_conn_stats(&s);
	CHECK_EQ_INT(s.open, 0);
}

#define WAIT_UNTIL(cond, ms) SOCK_WAIT(base, cond, ms)

static void pump(int ms)
{
	sock_pump(base, ms);
}

static int client(void)
{
	return sock_client(port);
}

static void say(int fd, const char *s)
{
	CHECK_EQ_INT(sock_say(fd, s), 0);
}

static void drain(int fd)
{
	char b[4096];
	size_t len = 0;
	sock_read(fd, b, sizeof(b), &len);
}

/* Waits (5 s at most) for the server to close fd; checks that took [lo, hi) ms. */
static void expect_closed_within(int fd, int64_t lo, int64_t hi)
{
	int64_t t0 = sock_now_ms();
	WAIT_UNTIL(sock_closed(fd), 5000);
	int64_t took = sock_now_ms() - t0;
	CHECK(sock_closed(fd));
	CHECK(took >= lo && took < hi);
}

static const char *req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

static void test_budget_derived(void)
{
	struct rlimit old, rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	rl = old;
	rl.rlim_cur = 256;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK_EQ_INT(http_conn_set_budget(0), 192); /* 256 - max(64, 256/8) */
	CHECK_EQ_INT(http_conn_set_budget(100), 100);
	CHECK_EQ_INT(http_conn_set_budget(1000), 192); /* never past the descriptors */
	rl.rlim_cur = 4096;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK_EQ_INT(http_conn_set_budget(0), 4096 - 512);
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	struct http_limits lim = {0, 5, 0, 0, 0};
	http_limits_resolve(&lim, NULL);
	CHECK_EQ_INT(lim.handshake_ms, 32000); /* kube-apiserver's ReadHeaderTimeout */
	CHECK_EQ_INT(lim.header_ms, 5);
	CHECK_EQ_INT(lim.idle_ms, 90000); /* kube-apiserver's IdleTimeout */
	CHECK_EQ_INT(lim.io_ms, 60000);
}

static void test_header_deadline(void)
{
	struct http_conn_stats before, after;
	setup(5000, 300, 5000, 0, 0);
	http_conn_stats(&before);
	int fd = client();
	CHECK(fd >= 0);
	say(fd, "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: 1"); /* never finished */
	int64_t t0 = sock_now_ms();
	/* a byte every 100 ms: evhttp's own timer would never fire */
	while (!sock_closed(fd) && sock_now_ms() - t0 < 5000) {
		pump(100);
		send(fd, "1", 1, MSG_NOSIGNAL);
	}
	int64_t took = sock_now_ms() - t0;
	CHECK(sock_closed(fd));
	CHECK(took >= 250 && took < 3000);
	http_conn_stats(&after);
	CHECK_EQ_INT(after.header_timeouts - before.header_timeouts, 1);
	close(fd);
	teardown();
}

static void test_idle_timeout(void)
{
	struct http_conn_stats before, after;
	setup(5000, 5000, 400, 0, 0);
	http_conn_stats(&before);
	int fd = client();
	say(fd, req);
	WAIT_UNTIL(sock_seen(fd) != 0, 3000);
	CHECK_EQ_INT(sock_seen(fd), 1);
	drain(fd);
	/* kept alive: a second request on the same connection is answered */
	say(fd, req);
	WAIT_UNTIL(sock_seen(fd) != 0, 3000);
	CHECK_EQ_INT(sock_seen(fd), 1);
	drain(fd);
	expect_closed_within(fd, 300, 3000);
	http_conn_stats(&after);
	CHECK_EQ_INT(after.idle_timeouts - before.idle_timeouts, 1);
	CHECK_EQ_INT(after.header_timeouts - before.header_timeouts, 0);
	close(fd);
	teardown();
}

static void test_budget_evicts_oldest(void)
{
	struct http_conn_stats s0, s;
	setup(10000, 10000, 10000, 3, 0);
	http_conn_stats(&s0);
	int a = client(), b, c, d;
	WAIT_UNTIL((http_conn_stats(&s), s.open == 1), 3000);
	b = client();
	WAIT_UNTIL((http_conn_stats(&s), s.open == 2), 3000);
	c = client();
	WAIT_UNTIL((http_conn_stats(&s), s.open == 3), 3000);
	d = client();
	say(d, req);
	WAIT_UNTIL(sock_seen(d) != 0, 3000);
	CHECK_EQ_INT(sock_seen(d), 1); /* the new client is served */
	WAIT_UNTIL(sock_closed(a), 3000);
	CHECK(sock_closed(a)); /* for it, the oldest idle connection went */
	CHECK(!sock_closed(b));
	CHECK(!sock_closed(c));
	http_conn_stats(&s);
	CHECK_EQ_INT(s.open, 3);
	CHECK_EQ_INT(s.evicted - s0.evicted, 1);
	close(a), close(b), close(c), close(d);
	WAIT_UNTIL((http_conn_stats(&s), s.open == 0), 3000);
	teardown();
}

static void test_full_table_refuses(void)
{
	struct http_conn_stats s0, s;
	setup(10000, 10000, 10000, 2, 0);
	hold = 1;
	http_conn_stats(&s0);
	int a = client(), b = client();
	say(a, req);
	say(b, req);
	WAIT_UNTIL(n_held == 2, 3000);
	CHECK_EQ_INT(n_held, 2); /* both being served */
	int c = client();
	WAIT_UNTIL(sock_closed(c), 3000);
	CHECK(sock_closed(c)); /* no room: refused */
	http_conn_stats(&s);
	CHECK_EQ_INT(s.refused - s0.refused, 1);
	/* the ones being served are served */
	for (int i = 0; i < n_held; i++) {
		struct evbuffer *buf = evbuffer_new();
		evbuffer_add(buf, "late", 4);
		evhttp_send_reply(held[i], 200, "OK", buf);
		evbuffer_free(buf);
	}
	WAIT_UNTIL(sock_seen(a) == 1 && sock_seen(b) == 1, 3000);
	CHECK_EQ_INT(sock_seen(a), 1);
	CHECK_EQ_INT(sock_seen(b), 1);
	close(a), close(b), close(c);
	WAIT_UNTIL((http_conn_stats(&s), s.open == 0), 3000);
	teardown();
}

static void test_closecb_chained(void)
{
	struct http_conn_stats s;
	setup(10000, 10000, 10000, 0, 0);
	closed_cb_calls = 0;
	int fd = client();
	say(fd, "GET /watch-close HTTP/1.1\r\nHost: t\r\n\r\n");
	WAIT_UNTIL(sock_seen(fd) != 0, 3000);
	CHECK_EQ_INT(sock_seen(fd), 1);
	close(fd);
	WAIT_UNTIL(closed_cb_calls == 1, 3000);
	CHECK_EQ_INT(closed_cb_calls, 1); /* the server's callback still runs */
	http_conn_stats(&s);
	CHECK_EQ_INT(s.open, 0); /* and the guard forgot the connection */
	teardown();
}

static void test_emfile(void)
{
	struct http_conn_stats s0, s;
	struct rlimit old, rl;
	int fill[256], n_fill = 0;
	setup(10000, 10000, 10000, 100000, 0);
	http_conn_stats(&s0);
	int c1 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	rl = old;
	int next = dup(0);
	close(next);
	rl.rlim_cur = (rlim_t)next + 32; /* room for a few, then none */
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	while (n_fill < 256) {
		int d = dup(0);
		if (d < 0)
			break;
		fill[n_fill++] = d;
	}
	CHECK(errno == EMFILE);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(c1, (struct sockaddr *)&a, sizeof(a)) == 0);
	fcntl(c1, F_SETFL, fcntl(c1, F_GETFL) | O_NONBLOCK);
	WAIT_UNTIL(sock_closed(c1), 3000);
	CHECK(sock_closed(c1)); /* refused through the reserved descriptor, not left waiting */
	pump(300);
	http_conn_stats(&s);
	CHECK(s.accept_errors - s0.accept_errors >= 1);
	CHECK(s.accept_errors - s0.accept_errors <= 10); /* paused, not spinning */
	CHECK(s.shed - s0.shed >= 1);
	while (n_fill)
		close(fill[--n_fill]);
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	int c2 = client();
	say(c2, req);
	WAIT_UNTIL(sock_seen(c2) != 0, 3000);
	CHECK_EQ_INT(sock_seen(c2), 1); /* accepting again */
	close(c1), close(c2);
	WAIT_UNTIL((http_conn_stats(&s), s.open == 0), 3000);
	teardown();
}

static SSL_CTX *self_signed_ctx(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
	if (!key || !x || !ctx || !name)
		goto fail;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"t", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (!X509_sign(x, key, EVP_sha256()) || SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1)
		goto fail;
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	X509_free(x);
	EVP_PKEY_free(key);
	return NULL;
}

static void test_tls_handshake_deadline(void)
{
	struct http_conn_stats s0, s;
	tls_ctx = self_signed_ctx();
	CHECK(tls_ctx != NULL);
	setup(300, 600, 10000, 0, 1);
	http_conn_stats(&s0);
	/* A client that never starts the handshake. */
	int fd = client();
	expect_closed_within(fd, 250, 3000);
	http_conn_stats(&s);
	CHECK_EQ_INT(s.handshake_timeouts - s0.handshake_timeouts, 1);
	close(fd);
	/* One that does it, then never finishes its request: the header deadline. */
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	int fd2 = client();
	SSL *ssl = SSL_new(cctx);
	SSL_set_fd(ssl, fd2);
	int r;
	int64_t t0 = sock_now_ms();
	while ((r = SSL_connect(ssl)) != 1 && sock_now_ms() - t0 < 3000) {
		int e = SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		pump(5);
	}
	CHECK_EQ_INT(r, 1);
	SSL_write(ssl, "GET / HTTP/1.1\r\n", 16);
	expect_closed_within(fd2, 450, 3000); /* the header deadline (600), past the handshake's */
	http_conn_stats(&s);
	CHECK_EQ_INT(s.header_timeouts - s0.header_timeouts, 1);
	CHECK_EQ_INT(s.handshake_timeouts - s0.handshake_timeouts, 1);
	SSL_free(ssl);
	SSL_CTX_free(cctx);
	close(fd2);
	teardown();
	SSL_CTX_free(tls_ctx);
}

int main(void)
{
	RUN(test_budget_derived);
	RUN(test_header_deadline);
	RUN(test_idle_timeout);
	RUN(test_budget_evicts_oldest);
	RUN(test_full_table_refuses);
	RUN(test_closecb_chained);
	RUN(test_emfile);
	RUN(test_tls_handshake_deadline);
	return t_done();
}
