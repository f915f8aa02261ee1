/*
 * bench_kube_apply.c - server-side apply against the plain create path, and the
 * OpenAPI v3 document kubectl reads, over HTTP on loopback (issue 11's benchmarks).
 *
 * An evhttp server on the main thread serves a fake cluster from a store in a temp
 * dir (the path apiserver.c takes after authorization: registry_serve, openapi_serve);
 * a client thread drives it, one request per connection, as kubectl's requests
 * arrive one at a time.
 *   1. A 100-object manifest: 100 ConfigMaps created with POST (the plain create
 *      path), then the same 100 applied with PATCH application/apply-patch+yaml into
 *      another namespace (server-side apply creating them), then applied again (the
 *      no-op re-apply kubectl apply --server-side does on an unchanged manifest).
 *   2. One apply of 10,000 ConfigMaps, against 10,000 creates, in the same run.
 *   3. GET /openapi/v3/apis/apps/v1 (what kubectl explain deployment reads): the first
 *      request (the documents built) and the median and p99 of 200 cached ones.
 * Prints "name value" lines.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "core/store.h"
#include "kube/kube.h"

#define N_SMALL 100
#define N_LARGE 10000
#define N_OPENAPI 200

static struct kube kube;
static struct kube_cluster cl;
static int port;

static void handler(struct evhttp_request *ev, void *arg)
{
	struct http_req r;
	struct kube_attrs a;
	struct kube_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "bench");
	if (http_req_init(&r, ev, arg, 3 << 20) != 0)
		goto out;
	if (strncmp(r.path, "/openapi/", 9) == 0) {
		if (!openapi_serve(arg, &r))
			kube_reply_status(&r, 404, "NotFound", "not found", NULL);
		goto out;
	}
	if (kube_parse_path(r.method, r.path, &r.query, &a) != 0) {
		kube_reply_status(&r, 400, "BadRequest", "bad request", NULL);
		goto out;
	}
	const struct kube_resource *res = kube_resource_find(a.group, a.version, a.resource);
	if (!res) {
		kube_reply_status(&r, 404, "NotFound", "no such resource", &a);
		goto out;
	}
	registry_serve(arg, &r, &a, res, &u);
out:
	http_req_done(&r);
}

/* One request on a fresh connection; reads the response (Connection: close). Returns
 * the HTTP status, -1 when the exchange failed. */
static int request(const char *method, const char *path, const char *ctype, const char *body)
{
	char head[1024], buf[65536];
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
	if (fd < 0)
		return -1;
	size_t bl = body ? strlen(body) : 0;
	int n = snprintf(head, sizeof(head),
			 "%s %s HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
			 "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
			 method, path, ctype ? ctype : "application/json", bl);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || n < 0 ||
	    (size_t)n >= sizeof(head) || write(fd, head, (size_t)n) != n ||
	    (bl && write(fd, body, bl) != (ssize_t)bl))
		goto out;
	ssize_t k, got = 0;
	while ((k = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0) {
		got += k;
		if ((size_t)got >= sizeof(buf) - 1)
			got = 16; /* keep the status line, drop the rest of a long body */
	}
	buf[got] = '\0';
	if (strncmp(buf, "HTTP/1.1 ", 9) == 0)
		status = atoi(buf + 9);
out:
	close(fd);
	return status;
}

static void cm_body(char *out, size_t len, const char *ns, size_t i)
{
	snprintf(out, len,
		 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-%zu\","
		 "\"namespace\":\"%s\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"index\":\"%zu\","
		 "\"config.yaml\":\"replicas: 3\\nimage: nginx:1.25\\n\"}}",
		 i, ns, i);
}

/* n ConfigMaps into ns: POST creates (apply 0) or server-side applies (apply 1).
 * Returns the milliseconds taken; failures are counted in *bad. */
static double configmaps(const char *ns, size_t n, int apply, size_t *bad)
{
	char path[256], body[512];
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		cm_body(body, sizeof(body), ns, i);
		int st;
		if (apply) {
			snprintf(path, sizeof(path),
				 "/api/v1/namespaces/%s/configmaps/cm-%zu?fieldManager=bench", ns,
				 i);
			st = request("PATCH", path, "application/apply-patch+yaml", body);
		} else {
			snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps", ns);
			st = request("POST", path, "application/json", body);
		}
		if (st != 200 && st != 201)
			(*bad)++;
	}
	return (now_s() - t0) * 1000;
}

static void bench_openapi(void)
{
	static double lat[N_OPENAPI];
	double t0 = now_s();
	int st = request("GET", "/openapi/v3/apis/apps/v1", NULL, NULL);
	printf("kube.openapi_v3_apps_v1_first_ms %.2f (status %d)\n", (now_s() - t0) * 1000, st);
	for (int i = 0; i < N_OPENAPI; i++) {
		t0 = now_s();
		request("GET", "/openapi/v3/apis/apps/v1", NULL, NULL);
		lat[i] = (now_s() - t0) * 1000;
	}
	printf("kube.openapi_v3_apps_v1_cached_p50_ms %.3f\n", bench_pct(lat, N_OPENAPI, 50));
	printf("kube.openapi_v3_apps_v1_cached_p99_ms %.3f\n", bench_pct(lat, N_OPENAPI, 99));
}

static void *client(void *arg)
{
	size_t bad = 0;
	(void)arg;
	double create = configmaps("small-create", N_SMALL, 0, &bad);
	double apply = configmaps("small-apply", N_SMALL, 1, &bad);
	double again = configmaps("small-apply", N_SMALL, 1, &bad);
	printf("kube.create_100_configmaps_ms %.1f\n", create);
	printf("kube.apply_100_configmaps_ms %.1f (%.2fx create)\n", apply, apply / create);
	printf("kube.reapply_100_configmaps_ms %.1f (%.2fx create)\n", again, again / create);
	create = configmaps("large-create", N_LARGE, 0, &bad);
	apply = configmaps("large-apply", N_LARGE, 1, &bad);
	printf("kube.create_10000_configmaps_ms %.0f\n", create);
	printf("kube.apply_10000_configmaps_ms %.0f (%.2fx create)\n", apply, apply / create);
	printf("kube.apply_failed_requests %zu\n", bad);
	bench_openapi();
	event_base_loopbreak(kube.base);
	return NULL;
}

int main(void)
{
	char dir[64], db[128];
	pthread_t th;
	static const char *const nss[] = {"small-create", "small-apply", "large-create",
					  "large-apply"};
	snprintf(dir, sizeof(dir), "/tmp/bench_apply.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof(db), "%s/gkeid.db", dir);
	evthread_use_pthreads();
	if (store_open(db, &kube.store) != 0)
		return 1;
	kube.base = event_base_new();
	cl.kube = &kube;
	snprintf(cl.prefix, sizeof(cl.prefix), "/clusters/p/l/c");
	const struct kube_resource *ns = kube_resource_find("", "v1", "namespaces");
	for (size_t i = 0; i < sizeof(nss) / sizeof(nss[0]); i++) {
		json_t *o = json_pack("{s:{s:s}}", "metadata", "name", nss[i]);
		registry_put(&cl, ns, o);
		json_decref(o);
	}
	struct evhttp *http = evhttp_new(kube.base);
	evhttp_set_gencb(http, handler, &cl);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PATCH);
	if (http_listen(http, "127.0.0.1", 0, &port) != 0)
		return 1;
	pthread_create(&th, NULL, client, NULL);
	event_base_dispatch(kube.base);
	pthread_join(th, NULL);
	evhttp_free(http);
	openapi_forget(&cl);
	store_close(kube.store);
	event_base_free(kube.base);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) != 0;
}
