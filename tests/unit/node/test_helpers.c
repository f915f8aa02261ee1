/*
 * test_helpers.c - the node's small shared rules (node.c, faults.c): which upstream
 * tokens may be handed to pods unescaped, which strings are GSA emails, error texts
 * that stay newline-terminated when cut, the configuration's defaults, and which pod is
 * the node's own gke-metadata-server.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "t.h"

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void test_token_ok(void)
{
	CHECK(md_token_ok("ya29.c.b0Aa-_~+/="));
	CHECK(md_token_ok("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c2ln"));
	CHECK(!md_token_ok(""));
	CHECK(!md_token_ok("a b"));
	CHECK(!md_token_ok("a\"b")); /* it goes into JSON unescaped */
	CHECK(!md_token_ok("a\\b"));
	CHECK(!md_token_ok("a\nb"));
	CHECK(!md_token_ok("caf\xc3\xa9"));
	char *s = repeat('a', 16000);
	CHECK(md_token_ok(s));
	free(s);
	s = repeat('a', 16001);
	CHECK(!md_token_ok(s));
	free(s);
}

static void test_email_ok(void)
{
	CHECK(md_email_ok("app-gsa@demo-project.iam.gserviceaccount.com"));
	CHECK(md_email_ok("123456789012-compute@developer.gserviceaccount.com"));
	CHECK(!md_email_ok(""));
	CHECK(!md_email_ok("demo-project.svc.id.goog")); /* no '@' */
	CHECK(!md_email_ok("@example.com"));
	CHECK(!md_email_ok("a@"));
	CHECK(!md_email_ok("a@b@c"));
	CHECK(!md_email_ok("a b@c"));
	CHECK(!md_email_ok("a\"@c"));
	CHECK(!md_email_ok("a/../b@c"));
	char *s = repeat('a', NODE_EMAIL_MAX - 1);
	s[10] = '@';
	CHECK(md_email_ok(s));
	free(s);
	s = repeat('a', NODE_EMAIL_MAX);
	s[10] = '@';
	CHECK(!md_email_ok(s));
	free(s);
}

static void test_err_set(void)
{
	struct md_err e;
	md_err_set(&e, 404, "no pod %s\n", "x");
	CHECK_EQ_INT(e.status, 404);
	CHECK_STR(e.text, "no pod x\n");
	/* cut at the buffer: still one line ending in a newline */
	char *big = repeat('z', 3 * sizeof(e.text));
	md_err_set(&e, 500, "%s\n", big);
	CHECK_EQ_INT(strlen(e.text), sizeof(e.text) - 1);
	CHECK(e.text[sizeof(e.text) - 2] == '\n');
	free(big);
}

static void test_config_defaults(void)
{
	struct node_config c;
	memset(&c, 0xff, sizeof(c));
	node_config_defaults(&c);
	CHECK_STR(c.node_name, "local-node");
	CHECK_STR(c.node_pool, "default-pool");
	CHECK_EQ_INT(c.listen, NODE_LISTEN_LOCAL);
	CHECK_EQ_INT(c.hold_ms, 10000);
	CHECK_EQ_INT(c.ksa_ttl_ms, 5000);
	CHECK_EQ_INT(c.pool_poll_ms, 10000);
	CHECK_EQ_INT(c.netpol_ttl_ms, 1000);
	CHECK(c.max_pods > 0 && c.max_ksas > 0 && c.max_tokens > 0 && c.max_held > 0);
	CHECK_STR(c.kube_server, "");
	CHECK_STR(c.credentials, "");
}

static void test_daemon_pod(void)
{
	json_t *p = json_loads("{\"metadata\":{\"name\":\"gke-metadata-server-abcde\","
			       "\"namespace\":\"kube-system\","
			       "\"labels\":{\"k8s-app\":\"gke-metadata-server\"}}}",
			       0, NULL);
	CHECK(md_faults_is_daemon_pod(p));
	/* the label decides, in kube-system only */
	json_object_set_new(json_object_get(p, "metadata"), "namespace", json_string("default"));
	CHECK(!md_faults_is_daemon_pod(p));
	json_object_set_new(json_object_get(p, "metadata"), "namespace",
			    json_string("kube-system"));
	json_object_set_new(json_object_get(json_object_get(p, "metadata"), "labels"), "k8s-app",
			    json_string("kube-dns"));
	CHECK(!md_faults_is_daemon_pod(p));
	json_object_set_new(json_object_get(json_object_get(p, "metadata"), "labels"), "k8s-app",
			    json_integer(1));
	CHECK(!md_faults_is_daemon_pod(p));
	json_decref(p);
	p = json_loads("{\"metadata\":{\"namespace\":\"kube-system\"}}", 0, NULL);
	CHECK(!md_faults_is_daemon_pod(p));
	json_decref(p);
	CHECK(!md_faults_is_daemon_pod(NULL));
}

int main(void)
{
	RUN(test_token_ok);
	RUN(test_email_ok);
	RUN(test_err_set);
	RUN(test_config_defaults);
	RUN(test_daemon_pod);
	return t_done();
}
