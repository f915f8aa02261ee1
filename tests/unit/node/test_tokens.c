/*
 * test_tokens.c - the node's token cache (tokens.c) through its public calls, against
 * a fake upstream on the same event loop (one evhttp answering the Kubernetes
 * TokenRequest, STS and IAM Credentials): a KSA's federated token is fetched once and
 * then served from the cache; concurrent misses share one fetch; "a,b" and "a b" are
 * one scope set; an annotated KSA's token is IAM's, asked for with the federated token;
 * IAM's refusal reaches the pod in GKE's words and is not cached; ID tokens expire
 * with their JWT; the cache is bounded.
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "node/node.h"
#include "t.h"

#define POOL "demo-project.svc.id.goog"
#define GSA "app-gsa@demo-project.iam.gserviceaccount.com"

/* --- the fake upstream ----------------------------------------------------------------- */

struct fake {
	int token_requests, sts_calls, iam_calls;
	int iam_status;		   /* what generateAccessToken answers */
	char last_sts_body[4096];  /* the last STS form body */
	char last_tr_body[4096];   /* the last TokenRequest body */
	char last_iam_bearer[256]; /* the Authorization of the last IAM call */
};
static struct fake F;

static void body_of(struct evhttp_request *req, char *out, size_t len)
{
	struct evbuffer *b = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(b);
	if (n >= len)
		n = len - 1;
	evbuffer_copyout(b, out, n);
	out[n] = '\0';
}

static void reply(struct evhttp_request *req, int status, const char *json)
{
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, json, strlen(json));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "application/json");
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Other", b);
	evbuffer_free(b);
}

/* A JWT whose exp is in an hour (unsigned: the node reads exp, IAM signed it). */
static void id_jwt(char *out, size_t len)
{
	static const char hdr[] =
		"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"; /* {"alg":"RS256","typ":"JWT"} */
	char claims[128], b64[256];
	snprintf(claims, sizeof(claims), "{\"exp\":%lld}", (long long)(md_now_ms() / 1000 + 3600));
	size_t n = strlen(claims), o = 0;
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)claims[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)claims[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)claims[i + 2];
		b64[o++] = tbl[(v >> 18) & 63];
		b64[o++] = tbl[(v >> 12) & 63];
		if (i + 1 < n)
			b64[o++] = tbl[(v >> 6) & 63];
		if (i + 2 < n)
			b64[o++] = tbl[v & 63];
	}
	b64[o] = '\0';
	snprintf(out, len, "%s.%s.c2ln", hdr, b64);
}

static void on_fake(struct evhttp_request *req, void *arg)
{
	(void)arg;
	const char *uri = evhttp_request_get_uri(req);
	char body[4096], out[1024];
	body_of(req, body, sizeof(body));
	if (strstr(uri, "/serviceaccounts/") && strstr(uri, "/token")) {
		F.token_requests++;
		snprintf(F.last_tr_body, sizeof(F.last_tr_body), "%s", body);
		snprintf(out, sizeof(out), "{\"status\":{\"token\":\"ksa-%d\"}}", F.token_requests);
		reply(req, 201, out);
	} else if (strcmp(uri, "/sts/v1/token") == 0) {
		F.sts_calls++;
		snprintf(F.last_sts_body, sizeof(F.last_sts_body), "%s", body);
		snprintf(out, sizeof(out),
			 "{\"access_token\":\"fed-%d\",\"expires_in\":3600,\"token_type\":"
			 "\"Bearer\"}",
			 F.sts_calls);
		reply(req, 200, out);
	} else if (strstr(uri, ":generateAccessToken")) {
		F.iam_calls++;
		const char *auth =
			evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
		snprintf(F.last_iam_bearer, sizeof(F.last_iam_bearer), "%s", auth ? auth : "");
		if (F.iam_status != 200) {
			reply(req, F.iam_status,
			      "{\"error\":{\"code\":403,\"message\":\"Permission "
			      "'iam.serviceAccounts.getAccessToken' denied on resource (or it may "
			      "not exist).\",\"status\":\"PERMISSION_DENIED\"}}");
			return;
		}
		snprintf(
			out, sizeof(out),
			"{\"accessToken\":\"ya29.gsa-%d\",\"expireTime\":\"2999-01-01T00:00:00Z\"}",
			F.iam_calls);
		reply(req, 200, out);
	} else if (strstr(uri, ":generateIdToken")) {
		F.iam_calls++;
		char jwt[512];
		id_jwt(jwt, sizeof(jwt));
		snprintf(out, sizeof(out), "{\"token\":\"%s\"}", jwt);
		reply(req, 200, out);
	} else {
		reply(req, 404, "{}");
	}
}

/* --- the node under test ----------------------------------------------------------------- */

static struct node N;
static struct evhttp *fake_http;

static void setup(size_t max_tokens)
{
	memset(&N, 0, sizeof(N));
	memset(&F, 0, sizeof(F));
	F.iam_status = 200;
	node_config_defaults(&N.cfg);
	N.cfg.max_tokens = max_tokens;
	N.base = event_base_new();
	snprintf(N.pool, sizeof(N.pool), "%s", POOL);
	snprintf(N.sts_audience, sizeof(N.sts_audience), "identitynamespace:%s:https://issuer",
		 POOL);
	fake_http = evhttp_new(N.base);
	struct evhttp_bound_socket *s = evhttp_bind_socket_with_handle(fake_http, "127.0.0.1", 0);
	CHECK(s != NULL);
	evhttp_set_gencb(fake_http, on_fake, NULL);
	struct sockaddr_storage ss;
	ev_socklen_t sl = sizeof(ss);
	getsockname(evhttp_bound_socket_get_fd(s), (struct sockaddr *)&ss, &sl);
	int port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	CHECK_EQ_INT(md_client_new(N.base, NULL, url, NULL, &N.kube), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/sts", port);
	CHECK_EQ_INT(md_client_new(N.base, NULL, url, NULL, &N.sts), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/iamcredentials", port);
	CHECK_EQ_INT(md_client_new(N.base, NULL, url, NULL, &N.iam), 0);
	CHECK_EQ_INT(md_tokens_init(&N), 0);
}

static void teardown(void)
{
	md_tokens_free(&N);
	md_client_free(N.kube);
	md_client_free(N.sts);
	md_client_free(N.iam);
	evhttp_free(fake_http);
	event_base_free(N.base);
}

/* One answer of the cache. */
struct got {
	int done, rc, status;
	char value[2048], text[2048];
	int64_t expiry_ms;
};

static void on_got(void *arg, int rc, const char *value, int64_t expiry_ms,
		   const struct md_err *err)
{
	struct got *g = arg;
	g->done = 1;
	g->rc = rc;
	g->expiry_ms = expiry_ms;
	snprintf(g->value, sizeof(g->value), "%s", value ? value : "");
	g->status = err ? err->status : 0;
	snprintf(g->text, sizeof(g->text), "%s", err ? err->text : "");
}

/* Runs the loop until every answer in gs has come (at most 5 s). */
static void wait_all(struct got **gs, size_t n)
{
	int64_t end = md_mono_us() + 5000000;
	for (;;) {
		size_t done = 0;
		for (size_t i = 0; i < n; i++)
			done += gs[i]->done ? 1 : 0;
		if (done == n || md_mono_us() > end)
			break;
		struct timeval tick = {0, 100000};
		event_base_loopexit(N.base, &tick);
		event_base_loop(N.base, EVLOOP_ONCE);
	}
}

static void access_token(const char *ns, const char *ksa, const char *gsa, const char *scopes,
			 struct got *g)
{
	struct md_pod pod;
	struct md_ksa k;
	memset(&pod, 0, sizeof(pod));
	memset(&k, 0, sizeof(k));
	snprintf(pod.ns, sizeof(pod.ns), "%s", ns);
	snprintf(pod.name, sizeof(pod.name), "%s-pod", ksa);
	snprintf(pod.uid, sizeof(pod.uid), "uid-%s", ksa);
	snprintf(pod.sa, sizeof(pod.sa), "%s", ksa);
	snprintf(k.ns, sizeof(k.ns), "%s", ns);
	snprintf(k.name, sizeof(k.name), "%s", ksa);
	snprintf(k.gsa, sizeof(k.gsa), "%s", gsa);
	struct md_token_req tr = {.pod = &pod, .ksa = &k, .scopes = scopes};
	memset(g, 0, sizeof(*g));
	md_token_access(&N, &tr, on_got, g);
}

/* --- the tests --------------------------------------------------------------------------- */

static void test_federated_cached(void)
{
	setup(64);
	struct got a, b;
	struct got *ga[] = {&a};
	access_token("default", "app", "", NULL, &a);
	wait_all(ga, 1);
	CHECK_EQ_INT(a.rc, 0);
	CHECK_STR(a.value, "fed-1");
	CHECK(a.expiry_ms > md_now_ms() + 3500 * 1000LL);
	CHECK_EQ_INT(F.token_requests, 1);
	CHECK_EQ_INT(F.sts_calls, 1);
	/* the TokenRequest: audience the pool, bound to the asking pod */
	CHECK(strstr(F.last_tr_body, "\"audiences\":[\"" POOL "\"]") != NULL);
	CHECK(strstr(F.last_tr_body, "\"name\":\"app-pod\"") != NULL);
	CHECK(strstr(F.last_tr_body, "\"uid\":\"uid-app\"") != NULL);
	/* the exchange: the cluster's audience, the KSA's token, the default scopes */
	CHECK(strstr(F.last_sts_body, "subject_token=ksa-1") != NULL);
	CHECK(strstr(F.last_sts_body, "audience=identitynamespace%3A" POOL) != NULL);
	CHECK(strstr(F.last_sts_body,
		     "scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform%20https%3A%2F%"
		     "2Fwww.googleapis.com%2Fauth%2Fuserinfo.email") != NULL);
	CHECK_EQ_INT(N.m.token_misses, 1);

	/* again: from the cache, nothing asked upstream, answered before the call returns */
	access_token("default", "app", "", NULL, &b);
	CHECK(b.done);
	CHECK_STR(b.value, "fed-1");
	CHECK_EQ_INT(N.m.token_hits, 1);
	CHECK_EQ_INT(F.token_requests, 1);
	CHECK_EQ_INT(F.sts_calls, 1);
	CHECK_EQ_INT(md_tokens_count(&N), 1);
	teardown();
}

static void test_concurrent_misses_share_a_fetch(void)
{
	setup(64);
	struct got g[3];
	struct got *gs[] = {&g[0], &g[1], &g[2]};
	for (int i = 0; i < 3; i++)
		access_token("team", "builder", "",
			     "https://www.googleapis.com/auth/cloud-platform", &g[i]);
	wait_all(gs, 3);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(g[i].rc, 0);
		CHECK_STR(g[i].value, "fed-1");
	}
	CHECK_EQ_INT(F.token_requests, 1);
	CHECK_EQ_INT(F.sts_calls, 1);
	CHECK_EQ_INT(N.m.token_misses, 1);
	CHECK_EQ_INT(N.m.token_coalesced, 2);
	teardown();
}

static void test_scopes_normalized(void)
{
	setup(64);
	struct got a, b, c, d;
	struct got *ga[] = {&a}, *gc[] = {&c};
	access_token("default", "app", "", "https://x/a,https://x/b", &a);
	wait_all(ga, 1);
	CHECK_STR(a.value, "fed-1");
	CHECK(strstr(F.last_sts_body, "scope=https%3A%2F%2Fx%2Fa%20https%3A%2F%2Fx%2Fb") != NULL);
	/* commas or spaces: the same scope set, the same cache entry */
	access_token("default", "app", "", " https://x/a  https://x/b ", &b);
	CHECK(b.done);
	CHECK_STR(b.value, "fed-1");
	CHECK_EQ_INT(md_tokens_count(&N), 1);
	/* another set is another token */
	access_token("default", "app", "", "https://x/b", &c);
	wait_all(gc, 1);
	CHECK_STR(c.value, "fed-2");
	CHECK_EQ_INT(md_tokens_count(&N), 2);
	/* refused before any fetch: no scope, a quote, a control byte */
	const char *bad[] = {",, ,", "https://x/\"a", "https://x/\x01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		access_token("default", "app", "", bad[i], &d);
		CHECK(d.done);
		CHECK_EQ_INT(d.status, 400);
		CHECK_STR(d.text,
			  "GKE Metadata Server encountered an error: invalid scopes parameter\n");
	}
	CHECK_EQ_INT(F.sts_calls, 2);
	teardown();
}

static void test_gsa_token(void)
{
	setup(64);
	struct got a, b;
	struct got *ga[] = {&a};
	access_token("default", "app", GSA, NULL, &a);
	wait_all(ga, 1);
	CHECK_EQ_INT(a.rc, 0);
	CHECK_STR(a.value, "ya29.gsa-1");
	/* IAM was asked with the KSA's federated token */
	CHECK_STR(F.last_iam_bearer, "Bearer fed-1");
	CHECK_EQ_INT(F.iam_calls, 1);
	/* the federated token (default scopes) and the GSA's token are cached */
	CHECK_EQ_INT(md_tokens_count(&N), 2);
	access_token("default", "app", GSA, NULL, &b);
	CHECK(b.done);
	CHECK_STR(b.value, "ya29.gsa-1");
	CHECK_EQ_INT(F.iam_calls, 1);
	CHECK_EQ_INT(F.sts_calls, 1);
	teardown();
}

static void test_iam_refusal_not_cached(void)
{
	setup(64);
	F.iam_status = 403;
	struct got a, b, c;
	struct got *ga[] = {&a}, *gb[] = {&b}, *gc[] = {&c};
	access_token("default", "app", GSA, NULL, &a);
	wait_all(ga, 1);
	CHECK(a.rc != 0);
	CHECK_EQ_INT(a.status, 403);
	/* GKE's text, with the line the troubleshooting guide quotes, and its hint */
	CHECK_STR(a.text,
		  "Unable to generate access token; IAM returned 403 Forbidden: HTTP/403: "
		  "generic::permission_denied: loading: GenerateAccessToken(\"" GSA
		  "\", \"\"): googleapi: Error 403: Permission "
		  "'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).\n"
		  "This error could be caused by a missing IAM policy binding on the target IAM "
		  "service account.\nFor more information, refer to the Workload Identity "
		  "documentation:\n\thttps://cloud.google.com/kubernetes-engine/docs/how-to/"
		  "workload-identity#authenticating_to\n");
	/* not cached: the next request asks IAM again (a binding may have propagated) */
	access_token("default", "app", GSA, NULL, &b);
	wait_all(gb, 1);
	CHECK_EQ_INT(b.status, 403);
	CHECK_EQ_INT(F.iam_calls, 2);
	/* ... and succeeds as soon as IAM allows it; the federated token was kept */
	F.iam_status = 200;
	access_token("default", "app", GSA, NULL, &c);
	wait_all(gc, 1);
	CHECK_EQ_INT(c.rc, 0);
	CHECK_STR(c.value, "ya29.gsa-3");
	CHECK_EQ_INT(F.sts_calls, 1);
	teardown();
}

static void test_id_token_expiry(void)
{
	setup(64);
	struct md_pod pod;
	struct md_ksa k;
	memset(&pod, 0, sizeof(pod));
	memset(&k, 0, sizeof(k));
	snprintf(k.ns, sizeof(k.ns), "default");
	snprintf(k.name, sizeof(k.name), "app");
	snprintf(k.gsa, sizeof(k.gsa), "%s", GSA);
	struct md_token_req tr = {.pod = &pod, .ksa = &k, .audience = "https://example.com"};
	struct got a, b;
	struct got *ga[] = {&a};
	memset(&a, 0, sizeof(a));
	md_token_id(&N, &tr, on_got, &a);
	wait_all(ga, 1);
	CHECK_EQ_INT(a.rc, 0);
	CHECK(strncmp(a.value, "eyJ", 3) == 0);
	/* the expiry is the JWT's exp (an hour), to the second */
	int64_t left = a.expiry_ms - md_now_ms();
	CHECK(left > 3590 * 1000LL && left <= 3600 * 1000LL);
	memset(&b, 0, sizeof(b));
	md_token_id(&N, &tr, on_got, &b);
	CHECK(b.done);
	CHECK_STR(b.value, a.value);
	CHECK_EQ_INT(F.iam_calls, 1);
	teardown();
}

static void test_bounded(void)
{
	setup(3);
	char ksa[32];
	for (int i = 0; i < 6; i++) {
		struct got g;
		struct got *gs[] = {&g};
		snprintf(ksa, sizeof(ksa), "ksa-%d", i);
		access_token("default", ksa, "", NULL, &g);
		wait_all(gs, 1);
		CHECK_EQ_INT(g.rc, 0);
		CHECK(md_tokens_count(&N) <= 3);
	}
	CHECK_EQ_INT(md_tokens_count(&N), 3);
	/* the least recently used went: ksa-0 is fetched again, ksa-5 is not */
	struct got a, b;
	struct got *ga[] = {&a};
	access_token("default", "ksa-5", "", NULL, &b);
	CHECK(b.done);
	CHECK_EQ_INT(F.sts_calls, 6);
	access_token("default", "ksa-0", "", NULL, &a);
	wait_all(ga, 1);
	CHECK_EQ_INT(F.sts_calls, 7);
	teardown();
}

static void test_shutdown_answers_waiters(void)
{
	setup(64);
	struct got a, b;
	access_token("default", "app", "", NULL, &a);
	CHECK(!a.done);
	N.stopping = 1;
	/* while stopping, a new request is refused at once */
	access_token("default", "other", "", NULL, &b);
	CHECK(b.done);
	CHECK_EQ_INT(b.status, 503);
	/* freeing the cache answers the request still waiting on a fetch */
	md_tokens_free(&N);
	CHECK(a.done);
	CHECK_EQ_INT(a.status, 503);
	teardown();
}

int main(void)
{
	RUN(test_federated_cached);
	RUN(test_concurrent_misses_share_a_fetch);
	RUN(test_scopes_normalized);
	RUN(test_gsa_token);
	RUN(test_iam_refusal_not_cached);
	RUN(test_id_token_expiry);
	RUN(test_bounded);
	RUN(test_shutdown_answers_waiters);
	return t_done();
}
