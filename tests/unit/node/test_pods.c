/*
 * test_pods.c - a pod object read as the node keeps it (node/pods.c's md_pod_read): the
 * names, uid, creation time, labels (compact, sorted; "{}" and judged unknown when they
 * do not fit), the service account (serviceAccountName, else serviceAccount, else
 * "default"), the addresses, and which pods an address may name: not another node's,
 * not hostNetwork, not finished, not without an IP or a valid service account. Names
 * that are not Kubernetes names are refused; nothing is cut to fit.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "t.h"

#define NODE "local-node"

/* A running pod on NODE; fields of extra (a JSON object: metadata, spec, status) are
 * merged over it, a member at a time. */
static json_t *pod(const char *extra)
{
	json_t *p = json_loads(
		"{\"metadata\":{\"namespace\":\"default\",\"name\":\"web-1\",\"uid\":\"u-1\","
		"\"creationTimestamp\":\"2026-12-02T10:00:00Z\",\"labels\":{\"b\":\"2\",\"a\":"
		"\"1\"}},"
		"\"spec\":{\"nodeName\":\"" NODE "\",\"serviceAccountName\":\"app\"},"
		"\"status\":{\"phase\":\"Running\",\"podIP\":\"127.20.0.5\","
		"\"podIPs\":[{\"ip\":\"127.20.0.5\"},{\"ip\":\"fd00::5\"}]}}",
		0, NULL);
	json_t *x = extra ? json_loads(extra, 0, NULL) : NULL;
	const char *k;
	json_t *v;
	json_object_foreach(x, k, v) json_object_update(json_object_get(p, k), v);
	json_decref(x);
	return p;
}

static int read_pod(const char *extra, struct md_pod_info *out)
{
	json_t *p = pod(extra);
	int rc = md_pod_read(p, NODE, out);
	json_decref(p);
	return rc;
}

static void test_running(void)
{
	struct md_pod_info in;
	CHECK_EQ_INT(read_pod(NULL, &in), 0);
	CHECK_STR(in.key, "default/web-1");
	CHECK_STR(in.p.ns, "default");
	CHECK_STR(in.p.name, "web-1");
	CHECK_STR(in.p.uid, "u-1");
	CHECK_STR(in.p.sa, "app");
	CHECK_STR(in.p.ip, "127.20.0.5");
	CHECK_STR(in.ip2, "fd00::5");
	CHECK_STR(in.p.labels, "{\"a\":\"1\",\"b\":\"2\"}");
	CHECK(!in.p.labels_big);
	CHECK_EQ_INT(in.p.created_ms, 1796205600000LL);
	CHECK(in.live);
}

static void test_service_account(void)
{
	struct md_pod_info in;
	/* the deprecated spec.serviceAccount, then "default" */
	CHECK_EQ_INT(read_pod("{\"spec\":{\"serviceAccountName\":\"\",\"serviceAccount\":\"old\"}}",
			      &in),
		     0);
	CHECK_STR(in.p.sa, "old");
	CHECK_EQ_INT(read_pod("{\"spec\":{\"serviceAccountName\":null}}", &in), 0);
	CHECK_STR(in.p.sa, "default");
	CHECK(in.live);
	/* one that is no name: kept, but no address names it */
	CHECK_EQ_INT(read_pod("{\"spec\":{\"serviceAccountName\":\"a/b\"}}", &in), 0);
	CHECK(!in.live);
	CHECK_STR(in.p.sa, "");
	CHECK_STR(in.p.ip, "");
}

static void test_not_named_by_address(void)
{
	struct md_pod_info in;
	CHECK_EQ_INT(read_pod("{\"spec\":{\"hostNetwork\":true}}", &in), 0);
	CHECK(!in.live);
	CHECK_EQ_INT(read_pod("{\"status\":{\"phase\":\"Succeeded\"}}", &in), 0);
	CHECK(!in.live);
	CHECK_EQ_INT(read_pod("{\"status\":{\"phase\":\"Failed\"}}", &in), 0);
	CHECK(!in.live);
	CHECK_EQ_INT(read_pod("{\"status\":{\"phase\":\"Pending\",\"podIP\":null}}", &in), 0);
	CHECK(!in.live);
	CHECK_EQ_INT(read_pod("{\"status\":{\"podIP\":\"127.20.0.999\"}}", &in), 0);
	CHECK(!in.live);
	/* pending with an address: named */
	CHECK_EQ_INT(read_pod("{\"status\":{\"phase\":\"Pending\"}}", &in), 0);
	CHECK(in.live);
	/* another node's: to be forgotten, by its key */
	CHECK_EQ_INT(read_pod("{\"spec\":{\"nodeName\":\"node-2\"}}", &in), -ENOENT);
	CHECK_STR(in.key, "default/web-1");
}

static void test_names(void)
{
	struct md_pod_info in;
	CHECK_EQ_INT(read_pod("{\"metadata\":{\"name\":\"\"}}", &in), -EINVAL);
	CHECK_EQ_INT(read_pod("{\"metadata\":{\"name\":\"a/b\"}}", &in), -EINVAL);
	CHECK_EQ_INT(read_pod("{\"metadata\":{\"namespace\":\"a b\"}}", &in), -EINVAL);
	CHECK_EQ_INT(read_pod("{\"metadata\":{\"namespace\":null}}", &in), -EINVAL);
	/* the longest names fit whole; one byte more is refused, not cut */
	char extra[1200], ns[64], name[254];
	memset(ns, 'n', 63);
	ns[63] = '\0';
	memset(name, 'm', 253);
	name[253] = '\0';
	snprintf(extra, sizeof(extra), "{\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\"}}", ns,
		 name);
	CHECK_EQ_INT(read_pod(extra, &in), 0);
	CHECK_EQ_INT(strlen(in.key), 63 + 1 + 253);
	CHECK_STR(in.p.name, name);
	snprintf(extra, sizeof(extra), "{\"metadata\":{\"namespace\":\"%sn\"}}", ns);
	CHECK_EQ_INT(read_pod(extra, &in), -EINVAL);
	snprintf(extra, sizeof(extra), "{\"metadata\":{\"name\":\"%sm\"}}", name);
	CHECK_EQ_INT(read_pod(extra, &in), -EINVAL);
	/* a uid too long for the record is none, never a cut one */
	char uid[100];
	memset(uid, 'u', 80);
	uid[80] = '\0';
	snprintf(extra, sizeof(extra), "{\"metadata\":{\"uid\":\"%s\"}}", uid);
	CHECK_EQ_INT(read_pod(extra, &in), 0);
	CHECK_STR(in.p.uid, "");
}

static void test_labels(void)
{
	struct md_pod_info in;
	CHECK_EQ_INT(read_pod("{\"metadata\":{\"labels\":null}}", &in), 0);
	CHECK_STR(in.p.labels, "{}");
	CHECK(!in.p.labels_big);
	/* labels over the record's 1,023 bytes: "{}" and flagged, so NetworkPolicy selectors
	 * are judged unknown rather than matched against a cut set */
	json_t *p = pod(NULL), *l = json_object();
	char k[32];
	for (int i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "label-%03d", i);
		json_object_set_new(l, k, json_string("value"));
	}
	json_object_set_new(json_object_get(p, "metadata"), "labels", l);
	CHECK_EQ_INT(md_pod_read(p, NODE, &in), 0);
	CHECK_STR(in.p.labels, "{}");
	CHECK(in.p.labels_big);
	CHECK(in.live);
	json_decref(p);
}

int main(void)
{
	RUN(test_running);
	RUN(test_service_account);
	RUN(test_not_named_by_address);
	RUN(test_names);
	RUN(test_labels);
	return t_done();
}
