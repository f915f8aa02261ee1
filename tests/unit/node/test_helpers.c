/*
 * test_helpers.c - the node's small shared rules (node.c, faults.c): which upstream
 * tokens may be handed to pods unescaped, which strings are GSA emails, error texts
 * that stay newline-terminated when cut, the configuration's defaults, and which pod is
 * the node's own gke-metadata-server.
 */
#include <errno.h>
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

/* The names a node derives from its configuration, as GKE's metadata server shows them
 * (instance/hostname, instance/zone, instance/id; the workload pool and the STS
 * audience); a name that would not fit is an error, never cut (issue 10 section 7). */
static void test_derive(void)
{
	struct node *n = calloc(1, sizeof(*n));
	node_config_defaults(&n->cfg);
	strcpy(n->cfg.project, "demo-project");
	strcpy(n->cfg.project_number, "123456789012");
	strcpy(n->cfg.location, "us-central1");
	strcpy(n->cfg.cluster, "demo-cluster");
	CHECK_EQ_INT(node_derive(n), 0);
	CHECK_STR(n->pool, "demo-project.svc.id.goog");
	CHECK_STR(n->sts_audience, "identitynamespace:demo-project.svc.id.goog:https://"
				   "container.googleapis.com/v1/projects/demo-project/locations/"
				   "us-central1/clusters/demo-cluster");
	CHECK_STR(n->cfg.zone, "us-central1-a"); /* a region's nodes: its first zone */
	CHECK_STR(n->zone_path, "projects/123456789012/zones/us-central1-a");
	CHECK_STR(n->hostname, "local-node.us-central1-a.c.demo-project.internal");
	/* sha256("P/L/C/NODE")'s first 64 bits, mod 9e18, + 1e17: the value before node_run
	 * was split, so a node's id did not change */
	CHECK_STR(n->instance_id, "1790778378182461528");

	/* a zonal cluster's location is the zone; another node, another id */
	memset(n->cfg.zone, 0, sizeof(n->cfg.zone));
	strcpy(n->cfg.location, "us-central1-b");
	strcpy(n->cfg.node_name, "node-2");
	CHECK_EQ_INT(node_derive(n), 0);
	CHECK_STR(n->cfg.zone, "us-central1-b");
	CHECK_STR(n->hostname, "node-2.us-central1-b.c.demo-project.internal");
	CHECK(strcmp(n->instance_id, "1790778378182461528") != 0);
	CHECK_EQ_INT(strspn(n->instance_id, "0123456789"), strlen(n->instance_id));

	/* a 253-byte node name (Kubernetes allows it) with a long zone and project makes a
	 * hostname of 428 bytes, over its 399: refused, where it was cut */
	memset(n->cfg.node_name, 'n', 253);
	n->cfg.node_name[253] = '\0';
	memset(n->cfg.project, 'p', 100);
	n->cfg.project[100] = '\0';
	memset(n->cfg.zone, 0, sizeof(n->cfg.zone));
	memset(n->cfg.location, 'l', 60);
	n->cfg.location[60] = '\0';
	CHECK_EQ_INT(node_derive(n), -ENAMETOOLONG);
	CHECK_EQ_INT(strlen(n->cfg.zone), 62); /* the zone fit; the hostname did not */
	CHECK_STR(n->hostname, "");

	/* a region's name at the array's limit leaves no room for "-a": refused, where it was
	 * cut to 60 bytes */
	strcpy(n->cfg.node_name, "local-node");
	strcpy(n->cfg.project, "demo-project");
	memset(n->cfg.zone, 0, sizeof(n->cfg.zone));
	memset(n->cfg.location, 'l', sizeof(n->cfg.location) - 1);
	n->cfg.location[sizeof(n->cfg.location) - 1] = '\0';
	CHECK_EQ_INT(node_derive(n), -ENAMETOOLONG);
	free(n);
}

int main(void)
{
	RUN(test_token_ok);
	RUN(test_email_ok);
	RUN(test_err_set);
	RUN(test_config_defaults);
	RUN(test_daemon_pod);
	RUN(test_derive);
	return t_done();
}
