/*
 * test_apiserver.c - kube_parse_path against Kubernetes' RequestInfoFactory cases, the
 * CA's persistence, and one cluster's HTTPS listener driven with libcurl: TLS with the
 * CA, /version, Status bodies for 401, 404 and 413.
 */
#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "kube/kube.h"
#include "t.h"

struct pcase {
	const char *method, *url;
	int rc, resource_request;
	const char *verb, *group, *version, *resource, *sub, *ns, *name;
};

static const struct pcase cases[] = {
	/* non-resource */
	{"GET", "/", 0, 0, "get", "", "", "", "", "", ""},
	{"GET", "/version", 0, 0, "get", "", "", "", "", "", ""},
	{"POST", "/healthz", 0, 0, "post", "", "", "", "", "", ""},
	{"GET", "/api", 0, 0, "get", "", "", "", "", "", ""},
	{"GET", "/api/v1", 0, 0, "get", "", "", "", "", "", ""},
	{"GET", "/apis", 0, 0, "get", "", "", "", "", "", ""},
	{"GET", "/apis/rbac.authorization.k8s.io", 0, 0, "get", "", "", "", "", "", ""},
	{"GET", "/apis/rbac.authorization.k8s.io/v1", 0, 0, "get", "", "", "", "", "", ""},
	{"GET", "/other/path/here", 0, 0, "get", "", "", "", "", "", ""},
	{"GET", "/openapi/v2", 0, 0, "get", "", "", "", "", "", ""},
	/* core, cluster-scoped and namespaced */
	{"GET", "/api/v1/namespaces", 0, 1, "list", "", "v1", "namespaces", "", "", ""},
	{"GET", "/api/v1/namespaces/kube-system", 0, 1, "get", "", "v1", "namespaces", "",
	 "kube-system", "kube-system"},
	{"PUT", "/api/v1/namespaces/ns1/status", 0, 1, "update", "", "v1", "namespaces", "status",
	 "ns1", "ns1"},
	{"PUT", "/api/v1/namespaces/ns1/finalize", 0, 1, "update", "", "v1", "namespaces",
	 "finalize", "ns1", "ns1"},
	{"DELETE", "/api/v1/namespaces/ns1", 0, 1, "delete", "", "v1", "namespaces", "", "ns1",
	 "ns1"},
	{"GET", "/api/v1/pods", 0, 1, "list", "", "v1", "pods", "", "", ""},
	{"GET", "/api/v1/namespaces/default/pods", 0, 1, "list", "", "v1", "pods", "", "default",
	 ""},
	{"GET", "/api/v1/namespaces/default/pods/web", 0, 1, "get", "", "v1", "pods", "",
	 "default", "web"},
	{"HEAD", "/api/v1/namespaces/default/pods/web", 0, 1, "get", "", "v1", "pods", "",
	 "default", "web"},
	{"POST", "/api/v1/namespaces/default/pods", 0, 1, "create", "", "v1", "pods", "",
	 "default", ""},
	{"PUT", "/api/v1/namespaces/default/pods/web", 0, 1, "update", "", "v1", "pods", "",
	 "default", "web"},
	{"PATCH", "/api/v1/namespaces/default/pods/web/status", 0, 1, "patch", "", "v1", "pods",
	 "status", "default", "web"},
	{"GET", "/api/v1/namespaces/default/pods/web/log", 0, 1, "get", "", "v1", "pods", "log",
	 "default", "web"},
	{"POST", "/api/v1/namespaces/default/pods/web/exec", 0, 1, "create", "", "v1", "pods",
	 "exec", "default", "web"},
	{"POST", "/api/v1/namespaces/ns/serviceaccounts/sa/token", 0, 1, "create", "", "v1",
	 "serviceaccounts", "token", "ns", "sa"},
	{"DELETE", "/api/v1/namespaces/default/pods", 0, 1, "deletecollection", "", "v1", "pods",
	 "", "default", ""},
	{"DELETE", "/api/v1/namespaces/default/pods/web", 0, 1, "delete", "", "v1", "pods", "",
	 "default", "web"},
	{"GET", "/api/v1/nodes/n1", 0, 1, "get", "", "v1", "nodes", "", "", "n1"},
	{"GET", "/api/v1/pods/", 0, 1, "list", "", "v1", "pods", "", "", ""},
	{"OPTIONS", "/api/v1/pods", 0, 1, "", "", "v1", "pods", "", "", ""},
	/* group */
	{"GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles", 0, 1, "list",
	 "rbac.authorization.k8s.io", "v1", "roles", "", "kube-system", ""},
	{"GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", 0, 1, "get",
	 "rbac.authorization.k8s.io", "v1", "clusterroles", "", "", "admin"},
	{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 0, 1, "create",
	 "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "", "", ""},
	{"POST", "/apis/authorization.k8s.io/v1/namespaces/x/localsubjectaccessreviews", 0, 1,
	 "create", "authorization.k8s.io", "v1", "localsubjectaccessreviews", "", "x", ""},
	{"GET", "/apis/networking.k8s.io/v1/namespaces/d/networkpolicies/np", 0, 1, "get",
	 "networking.k8s.io", "v1", "networkpolicies", "", "d", "np"},
	/* watch */
	{"GET", "/api/v1/namespaces/default/pods?watch=true", 0, 1, "watch", "", "v1", "pods", "",
	 "default", ""},
	{"GET", "/api/v1/pods?watch=1", 0, 1, "watch", "", "v1", "pods", "", "", ""},
	{"GET", "/api/v1/pods?watch=false", 0, 1, "list", "", "v1", "pods", "", "", ""},
	{"GET", "/api/v1/pods?watch=0", 0, 1, "list", "", "v1", "pods", "", "", ""},
	{"GET", "/api/v1/pods?watch=FALSE", 0, 1, "list", "", "v1", "pods", "", "", ""},
	{"GET", "/api/v1/pods?watch=yes", 0, 1, "watch", "", "v1", "pods", "", "", ""},
	{"GET", "/api/v1/namespaces/default/pods/web?watch=true", 0, 1, "get", "", "v1", "pods",
	 "", "default", "web"},
	{"GET", "/api/v1/watch/namespaces/default/pods", 0, 1, "watch", "", "v1", "pods", "",
	 "default", ""},
	{"GET", "/api/v1/watch/namespaces/default/pods/web", 0, 1, "watch", "", "v1", "pods", "",
	 "default", "web"},
	{"GET", "/api/v1/watch/pods", 0, 1, "watch", "", "v1", "pods", "", "", ""},
	{"GET", "/apis/rbac.authorization.k8s.io/v1/watch/clusterroles", 0, 1, "watch",
	 "rbac.authorization.k8s.io", "v1", "clusterroles", "", "", ""},
	{"GET", "/api/v1/proxy/namespaces/d/pods/web/extra", 0, 1, "proxy", "", "v1", "pods", "",
	 "d", "web"},
	/* list by field selector on metadata.name names the object (for resourceNames) */
	{"GET", "/api/v1/namespaces/d/pods?fieldSelector=metadata.name%3Dweb", 0, 1, "list", "",
	 "v1", "pods", "", "d", "web"},
	{"GET", "/api/v1/namespaces/d/pods?fieldSelector=metadata.name%3D%3Dweb,x%3Dy", 0, 1,
	 "list", "", "v1", "pods", "", "d", "web"},
	{"GET", "/api/v1/namespaces/d/pods?fieldSelector=metadata.name!%3Dweb", 0, 1, "list", "",
	 "v1", "pods", "", "d", ""},
	{"GET", "/api/v1/namespaces/d/pods?fieldSelector=metadata.name%3D..", 0, 1, "list", "",
	 "v1", "pods", "", "d", ""},
	/* bad paths */
	{"GET", "/api/v1/watch", -EINVAL, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/apis/g/v1/proxy", -EINVAL, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"GET", "/api/v1//pods", -EINVAL, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"GET", "relative/path", -EINVAL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static void test_parse_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		struct kube_attrs a;
		struct evkeyvalq q;
		char path[512];
		TAILQ_INIT(&q);
		const char *qm = strchr(c->url, '?');
		size_t pl = qm ? (size_t)(qm - c->url) : strlen(c->url);
		memcpy(path, c->url, pl);
		path[pl] = '\0';
		if (qm)
			evhttp_parse_query_str(qm + 1, &q);
		char *dec = evhttp_uridecode(path, 0, NULL);
		int rc = kube_parse_path(c->method, dec, &q, &a);
		free(dec);
		evhttp_clear_headers(&q);
		if (rc != c->rc)
			fprintf(stderr, "case %s %s\n", c->method, c->url);
		CHECK_EQ_INT(rc, c->rc);
		if (rc)
			continue;
		if (a.resource_request != c->resource_request || strcmp(a.verb, c->verb) ||
		    strcmp(a.group, c->group) || strcmp(a.version, c->version) ||
		    strcmp(a.resource, c->resource) || strcmp(a.subresource, c->sub) ||
		    strcmp(a.namespace_, c->ns) || strcmp(a.name, c->name))
			fprintf(stderr,
				"case %s %s: rr=%d verb=%s group=%s version=%s resource=%s sub=%s ns=%s name=%s\n",
				c->method, c->url, a.resource_request, a.verb, a.group, a.version,
				a.resource, a.subresource, a.namespace_, a.name);
		CHECK_EQ_INT(a.resource_request, c->resource_request);
		CHECK_STR(a.verb, c->verb);
		CHECK_STR(a.group, c->group);
		CHECK_STR(a.version, c->version);
		CHECK_STR(a.resource, c->resource);
		CHECK_STR(a.subresource, c->sub);
		CHECK_STR(a.namespace_, c->ns);
		CHECK_STR(a.name, c->name);
		CHECK_STR(a.path, path);
	}
}

static void test_parse_limits(void)
{
	struct kube_attrs a;
	char big[sizeof(a.path) + 1];
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ_INT(kube_parse_path("GET", big, NULL, &a), -EINVAL); /* longer than attrs.path */
	/* a name as long as KUBE_NAME_MAX allows is whole (an RBAC name has no length in
	 * Kubernetes); one longer is refused, never cut */
	char name[KUBE_NAME_MAX + 64];
	snprintf(name, sizeof(name), "/api/v1/namespaces/d/pods/%0*d", KUBE_NAME_MAX - 1, 0);
	CHECK_EQ_INT(kube_parse_path("GET", name, NULL, &a), 0);
	CHECK_EQ_INT((long long)strlen(a.name), KUBE_NAME_MAX - 1);
	snprintf(name, sizeof(name), "/api/v1/namespaces/d/pods/%0*d", KUBE_NAME_MAX, 0);
	CHECK_EQ_INT(kube_parse_path("GET", name, NULL, &a), -EINVAL);
	CHECK_EQ_INT(kube_parse_path("GET", NULL, NULL, &a), -EINVAL);
	CHECK_EQ_INT(kube_parse_path("VERYLONGMETHODNAMEFORTESTING", "/api", NULL, &a), -EINVAL);
	/* Many parts: only the first ones matter. */
	CHECK_EQ_INT(kube_parse_path("GET", "/api/v1/namespaces/d/pods/p/log/a/b/c/d/e/f/g/h/i/j/k/l",
				     NULL, &a),
		     0);
	CHECK_STR(a.subresource, "log");
	CHECK_STR(a.name, "p");
}

/* Random paths built from interesting parts never crash or overflow (ASan). */
static void test_parse_random(void)
{
	static const char *const bits[] = {"api", "apis", "v1", "namespaces", "watch", "proxy",
					   "pods", "status", "finalize", "", "x", "..", "%2F",
					   "rbac.authorization.k8s.io", "log"};
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "X"};
	unsigned seed = 12345;
	int ok = 1;
	for (int i = 0; i < 20000; i++) {
		char path[1100];
		size_t len = 0;
		int parts = (int)(rand_r(&seed) % 12);
		for (int k = 0; k < parts && len + 40 < sizeof(path); k++) {
			path[len++] = '/';
			const char *b = bits[rand_r(&seed) % (sizeof(bits) / sizeof(bits[0]))];
			memcpy(path + len, b, strlen(b));
			len += strlen(b);
		}
		if (rand_r(&seed) % 4 == 0)
			path[len++] = '/';
		path[len] = '\0';
		if (!len)
			snprintf(path, sizeof(path), "/");
		struct kube_attrs a;
		int rc = kube_parse_path(methods[rand_r(&seed) % 7], path, NULL, &a);
		if (rc != 0 && rc != -EINVAL)
			ok = 0;
		if (rc == 0 && a.resource_request && !a.version[0])
			ok = 0;
	}
	CHECK(ok);
}

static void test_resources(void)
{
	const struct kube_resource *r = kube_resource_find("", "v1", "pods");
	CHECK(r && r->namespaced && strcmp(r->kind, "Pod") == 0 && r->stored);
	r = kube_resource_find("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
	CHECK(r && !r->namespaced && strcmp(r->iam_name, "clusterRoleBindings") == 0);
	r = kube_resource_find("", "v1", "serviceaccounts");
	CHECK(r && strcmp(r->iam_name, "serviceAccounts") == 0);
	CHECK(kube_resource_find("", "v2", "pods") == NULL);
	CHECK(kube_resource_find("", "", "pods") != NULL);
	r = kube_resource_find("apps", "v1", "deployments"); /* issue 11: apps/v1 is served */
	CHECK(r && r->namespaced && r->stored && strcmp(r->iam_name, "deployments") == 0);
	CHECK(kube_resource_find("apps", "v1beta1", "deployments") == NULL);
	size_t n = 0;
	CHECK(kube_resources(&n) != NULL && n >= 19);
}

/* --- a live cluster --- */

static char tmpdir[] = "/tmp/gkeid-test-apiserver.XXXXXX";

/* A cluster's identity for tls.c, without starting it. */
static void fake_cluster(struct kube_cluster *cl, struct kube *k, const char *name)
{
	memset(cl, 0, sizeof(*cl));
	cl->kube = k;
	snprintf(cl->project, sizeof(cl->project), "p1");
	snprintf(cl->location, sizeof(cl->location), "us-central1");
	snprintf(cl->name, sizeof(cl->name), "%s", name);
	snprintf(cl->uid, sizeof(cl->uid), "uid-%s", name);
}

static void drop_ca(struct kube_cluster *cl)
{
	X509_free(cl->ca_cert);
	EVP_PKEY_free(cl->ca_key);
	cl->ca_cert = NULL;
	cl->ca_key = NULL;
}

/* Every cluster has a CA of its own (GKE's masterAuth.clusterCaCertificate differs per
 * cluster), kept 0600 across restarts; an old data dir's shared CA goes to one cluster. */
static void test_ca_persists(void)
{
	struct kube k;
	struct kube_cluster a, a2, b, c;
	char path[512], legacy[512];
	struct stat st;
	CHECK_EQ_INT(kube_init(&k, NULL, NULL, NULL, tmpdir), 0);
	fake_cluster(&a, &k, "ca-a");
	fake_cluster(&a2, &k, "ca-a");
	fake_cluster(&b, &k, "ca-b");
	CHECK_EQ_INT(kube_tls_cluster_init(&a, 0), 0);
	CHECK(a.ca_cert != NULL && strlen(a.ca_pem_b64) > 100);
	snprintf(path, sizeof(path), "%s/keys/p1-us-central1-ca-a-ca-key.pem", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_EQ_INT(kube_tls_ca_path(&a, path, sizeof(path)), 0);
	CHECK(strstr(path, "/keys/p1-us-central1-ca-a-ca.pem") != NULL);
	CHECK_EQ_INT(kube_tls_cluster_init(&a2, 1), 0);
	CHECK_STR(a.ca_pem_b64, a2.ca_pem_b64);
	CHECK_EQ_INT(kube_tls_cluster_init(&b, 0), 0);
	CHECK(strcmp(a.ca_pem_b64, b.ca_pem_b64) != 0);
	char *cert = NULL, *key = NULL;
	const char *groups[] = {"system:masters"};
	CHECK_EQ_INT(kube_tls_client_cert(&a, "admin", groups, 1, &cert, &key), 0);
	CHECK(cert && strstr(cert, "BEGIN CERTIFICATE"));
	CHECK(key && strstr(key, "PRIVATE KEY"));
	free(cert);
	free(key);
	void *ctx = kube_tls_server_ctx(&a);
	CHECK(ctx != NULL);
	SSL_CTX_free(ctx);

	/* An old data dir: b's CA files become the shared keys/ca.pem, ca-key.pem. A new
	 * cluster does not take them; the first reopened one does, and only it. */
	snprintf(path, sizeof(path), "%s/keys/p1-us-central1-ca-b-ca.pem", tmpdir);
	snprintf(legacy, sizeof(legacy), "%s/keys/ca.pem", tmpdir);
	CHECK(rename(path, legacy) == 0);
	snprintf(path, sizeof(path), "%s/keys/p1-us-central1-ca-b-ca-key.pem", tmpdir);
	snprintf(legacy, sizeof(legacy), "%s/keys/ca-key.pem", tmpdir);
	CHECK(rename(path, legacy) == 0);
	fake_cluster(&c, &k, "ca-new");
	CHECK_EQ_INT(kube_tls_cluster_init(&c, 0), 0);
	CHECK(strcmp(c.ca_pem_b64, b.ca_pem_b64) != 0);
	CHECK(access(legacy, F_OK) == 0);
	drop_ca(&c);
	fake_cluster(&c, &k, "ca-old");
	CHECK_EQ_INT(kube_tls_cluster_init(&c, 1), 0);
	CHECK_STR(c.ca_pem_b64, b.ca_pem_b64);
	CHECK(access(legacy, F_OK) != 0);
	snprintf(path, sizeof(path), "%s/keys/p1-us-central1-ca-old-ca-key.pem", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	drop_ca(&c);
	fake_cluster(&c, &k, "ca-old2");
	CHECK_EQ_INT(kube_tls_cluster_init(&c, 1), 0);
	CHECK(strcmp(c.ca_pem_b64, b.ca_pem_b64) != 0);
	/* purge: the files go, and the cluster made again gets a new CA */
	CHECK_EQ_INT(kube_tls_cluster_purge(&c), 0);
	char again[512];
	CHECK_EQ_INT(kube_tls_ca_path(&c, again, sizeof(again)), 0);
	CHECK(access(again, F_OK) != 0);
	drop_ca(&c);
	drop_ca(&a);
	drop_ca(&a2);
	drop_ca(&b);
	kube_free(&k);
}

struct fetch {
	const char *url, *method, *token, *ca, *body, *cert, *key, *content_type;
	size_t body_len;
	long code;
	char *out;
	size_t out_len;
	struct event_base *base;
};

static size_t collect(char *p, size_t sz, size_t n, void *arg)
{
	struct fetch *f = arg;
	char *o = realloc(f->out, f->out_len + sz * n + 1);
	if (!o)
		return 0;
	memcpy(o + f->out_len, p, sz * n);
	f->out = o;
	f->out_len += sz * n;
	f->out[f->out_len] = '\0';
	return sz * n;
}

static void *fetch_thread(void *arg)
{
	struct fetch *f = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char auth[512];
	if (c) {
		curl_easy_setopt(c, CURLOPT_URL, f->url);
		curl_easy_setopt(c, CURLOPT_CAINFO, f->ca);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
		if (f->token) {
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->token);
			h = curl_slist_append(h, auth);
		}
		char ct[128];
		snprintf(ct, sizeof(ct), "Content-Type: %s",
			 f->content_type ? f->content_type : "application/json");
		h = curl_slist_append(h, ct);
		if (f->cert) {
			curl_easy_setopt(c, CURLOPT_SSLCERT, f->cert);
			curl_easy_setopt(c, CURLOPT_SSLKEY, f->key);
		}
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		if (f->method)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, f->method);
		if (f->body) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, f->body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)f->body_len);
		}
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->code);
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
	}
	event_base_loopbreak(f->base);
	return NULL;
}

/* Runs one request against the event loop. */
static void fetch(struct fetch *f)
{
	pthread_t t;
	f->code = 0;
	f->out = NULL;
	f->out_len = 0;
	if (pthread_create(&t, NULL, fetch_thread, f) != 0)
		return;
	event_base_loop(f->base, 0);
	pthread_join(t, NULL);
	/* The client has closed its connection: let the server see the EOF and free its side
	 * (a few turns: the read, then libevent's deferred frees), or the connection's TLS
	 * state would outlive the test and LeakSanitizer would report it. */
	for (int i = 0; i < 4; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

/* A client certificate for "admin" in system:masters, signed by cl's CA, into files. */
static void write_admin_cert(struct kube_cluster *cl, const char *certp, const char *keyp)
{
	char *cert = NULL, *key = NULL;
	const char *masters[] = {"system:masters"};
	CHECK_EQ_INT(kube_tls_client_cert(cl, "admin", masters, 1, &cert, &key), 0);
	FILE *fc = fopen(certp, "w"), *fk = fopen(keyp, "w");
	if (fc && fk && cert && key) {
		fputs(cert, fc);
		fputs(key, fk);
	}
	if (fc)
		fclose(fc);
	if (fk)
		fclose(fk);
	free(cert);
	free(key);
}

static void test_listener(void)
{
	struct kube k;
	struct store *s = NULL;
	char path[256], url[256], ca[256];
	evthread_use_pthreads();
	struct event_base *base = event_base_new();
	snprintf(path, sizeof(path), "%s/state.db", tmpdir);
	CHECK_EQ_INT(store_open(path, &s), 0);
	CHECK_EQ_INT(kube_init(&k, s, NULL, base, tmpdir), 0);
	json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "name", "c1", "location", "us-central1",
			      "selfLink",
			      "https://container.googleapis.com/v1/projects/p1/locations/us-central1/clusters/c1",
			      "currentMasterVersion", "1.30.5-gke.1014001");
	struct kube_cluster *cl = NULL;
	CHECK_EQ_INT(kube_cluster_start(&k, c, 0, &cl), 0);
	if (!cl) {
		json_decref(c);
		kube_free(&k);
		store_close(s);
		event_base_free(base);
		return;
	}
	CHECK_STR(cl->project, "p1");
	CHECK_STR(cl->issuer,
		  "https://container.googleapis.com/v1/projects/p1/locations/us-central1/clusters/c1");
	CHECK_STR(json_string_value(json_object_get(c, "endpoint")), cl->endpoint);
	CHECK_STR(json_string_value(json_object_get(json_object_get(c, "masterAuth"),
						    "clusterCaCertificate")),
		  cl->ca_pem_b64);
	/* Idempotent: the same cluster again is the same one. */
	struct kube_cluster *again = NULL;
	CHECK_EQ_INT(kube_cluster_start(&k, c, 0, &again), 0);
	CHECK(again == cl);
	CHECK(kube_cluster_find(&k, "p1", "us-central1", "c1") == cl);
	CHECK_EQ_INT(kube_tls_ca_path(cl, ca, sizeof(ca)), 0);

	struct fetch f = {.ca = ca, .base = base};
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/version", cl->port);
	f.url = url;
	fetch(&f);
	CHECK_EQ_INT(f.code, 200);
	CHECK(f.out && strstr(f.out, "\"gitVersion\":\"v1.30.5-gke.1014001\""));
	CHECK(f.out && strstr(f.out, "\"minor\":\"30\""));
	free(f.out);

	/* localhost is in the certificate too. */
	snprintf(url, sizeof(url), "https://localhost:%d/healthz", cl->port);
	fetch(&f);
	CHECK_EQ_INT(f.code, 200);
	free(f.out);

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/api/v1/namespaces", cl->port);
	f.token = "not-a-valid-token";
	fetch(&f);
	CHECK_EQ_INT(f.code, 401);
	CHECK_STR(f.out, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
			 "\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\","
			 "\"code\":401}\n");
	free(f.out);
	f.token = NULL;

	size_t big = 3 * 1024 * 1024 + 10;
	char *body = malloc(big);
	if (body) {
		memset(body, ' ', big);
		f.method = "POST";
		f.body = body;
		f.body_len = big;
		snprintf(url, sizeof(url), "https://127.0.0.1:%d/api/v1/namespaces", cl->port);
		fetch(&f);
		CHECK_EQ_INT(f.code, 413);
		CHECK(f.out && strstr(f.out, "\"reason\":\"RequestEntityTooLarge\""));
		free(f.out);
		free(body);
		f.method = NULL;
		f.body = NULL;
	}

	/* kubectl 1.32's typed clients send protobuf: an admin by client certificate
	 * creates a namespace that way. */
	char certp[256], keyp[256];
	snprintf(certp, sizeof(certp), "%s/admin.pem", tmpdir);
	snprintf(keyp, sizeof(keyp), "%s/admin-key.pem", tmpdir);
	write_admin_cert(cl, certp, keyp);
	static const unsigned char ns_pb[] = {
		0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x4e, 0x61,
		0x6d, 0x65, 0x73, 0x70, 0x61, 0x63, 0x65, 0x12, 0x1b, 0x0a, 0x13, 0x0a, 0x03, 0x66,
		0x6f, 0x6f, 0x12, 0x00, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00,
		0x42, 0x00, 0x12, 0x00, 0x1a, 0x02, 0x0a, 0x00, 0x1a, 0x00, 0x22, 0x00};
	f.cert = certp;
	f.key = keyp;
	f.method = "POST";
	f.content_type = "application/vnd.kubernetes.protobuf";
	f.body = (const char *)ns_pb;
	f.body_len = sizeof(ns_pb);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/api/v1/namespaces", cl->port);
	fetch(&f);
	CHECK_EQ_INT(f.code, 201);
	CHECK(f.out && strstr(f.out, "\"name\":\"foo\""));
	free(f.out);
	json_t *ns = registry_get(cl, kube_resource_find("", "v1", "namespaces"), NULL, "foo");
	CHECK(ns != NULL);
	json_decref(ns);
	/* Truncated: 400. */
	f.body_len = sizeof(ns_pb) - 3;
	fetch(&f);
	CHECK_EQ_INT(f.code, 400);
	CHECK(f.out && strstr(f.out, "\"reason\":\"BadRequest\""));
	free(f.out);
	/* A kind this server does not decode: 415. */
	unsigned char other[sizeof(ns_pb)];
	memcpy(other, ns_pb, sizeof(other));
	other[20] = 'X'; /* "NamespacX" */
	f.body = (const char *)other;
	f.body_len = sizeof(other);
	fetch(&f);
	CHECK_EQ_INT(f.code, 415);
	CHECK(f.out && strstr(f.out, "\"reason\":\"UnsupportedMediaType\""));
	free(f.out);
	f.method = NULL;
	f.body = NULL;
	f.content_type = NULL;

	/* Another cluster's CA: its client certificates are no credential here (401, as
	 * kube-apiserver's x509 authenticator fails the request), even for system:masters. */
	struct kube_cluster c2;
	fake_cluster(&c2, &k, "c2");
	CHECK_EQ_INT(kube_tls_cluster_init(&c2, 0), 0);
	write_admin_cert(&c2, certp, keyp);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/api/v1/namespaces", cl->port);
	fetch(&f);
	CHECK_EQ_INT(f.code, 401);
	CHECK(f.out && strstr(f.out, "\"reason\":\"Unauthorized\""));
	free(f.out);
	CHECK_EQ_INT(kube_tls_cluster_purge(&c2), 0);
	drop_ca(&c2);
	f.cert = f.key = NULL;

	CHECK_EQ_INT(kube_cluster_delete(&k, "p1", "us-central1", "c1", 1), 0);
	CHECK(access(ca, F_OK) != 0); /* its CA went with it */
	CHECK(kube_cluster_find(&k, "p1", "us-central1", "c1") == NULL);
	json_decref(c);
	kube_free(&k);
	store_close(s);
	event_base_free(base);
}

int main(void)
{
	RUN(test_parse_table);
	RUN(test_parse_limits);
	RUN(test_parse_random);
	RUN(test_resources);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(test_ca_persists);
	RUN(test_listener);
	curl_global_cleanup();
	t_rmtree(tmpdir);
	return t_done();
}
