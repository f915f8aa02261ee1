/*
 * bench_kube_list.c - the registry's list and watch paths under load, over HTTP on
 * loopback (plain HTTP: TLS is apiserver.c's and measured elsewhere).
 *
 * An evhttp server on the main thread serves a fake cluster from a store in a temp
 * dir (the path apiserver.c takes after authorization); a client thread drives it.
 *   1. 10,000 pods in 100 namespaces are written with registry_put.
 *   2. "kubectl get pods -A": pages of limit=500 with the Table Accept header that
 *      kubectl sends, until the continue token runs out; also one unpaged JSON list.
 *   3. Watch fan-out: 1,000 watch connections over all pods, then 200 pod updates;
 *      the time until every watcher has every event.
 * Prints "name value" lines:
 *   kube.list_pods_10000_table_paged_ms   the whole paged table listing
 *   kube.list_pods_10000_json_ms          one unpaged JSON list
 *   kube.watch_1000_setup_ms              opening the 1,000 watches
 *   kube.watch_1000_events_per_sec        event deliveries per second (200 x 1,000)
 *   kube.watch_1000_update_to_all_ms      mean time from an update to its last delivery
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/store.h"
#include "kube/kube.h"

#define N_PODS 10000
#define N_NS 100
#define N_WATCHERS 1000
#define N_UPDATES 200

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
	if (http_req_init(&r, ev, arg, 3 << 20) != 0 ||
	    kube_parse_path(r.method, r.path, &r.query, &a) != 0) {
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

static int connect_local(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request on a fresh connection; reads the whole response (Connection: close).
 * Returns the body length; the body (after the headers) in *body when not NULL. */
static long request(const char *method, const char *path, const char *extra, const char *body,
		    char **out)
{
	char head[4096];
	int fd = connect_local();
	if (fd < 0)
		return -1;
	int n = snprintf(head, sizeof(head),
			 "%s %s HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n%s%s"
			 "Content-Length: %zu\r\n\r\n",
			 method, path, extra ? extra : "", body ? "Content-Type: application/merge-patch+json\r\n" : "",
			 body ? strlen(body) : 0);
	if (write(fd, head, (size_t)n) != n || (body && write(fd, body, strlen(body)) < 0)) {
		close(fd);
		return -1;
	}
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (len + 65536 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		ssize_t k = read(fd, buf + len, cap - len - 1);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	buf[len] = '\0';
	char *b = strstr(buf, "\r\n\r\n");
	long blen = b ? (long)(len - (size_t)(b + 4 - buf)) : -1;
	if (out) {
		*out = b ? strdup(b + 4) : NULL;
	}
	free(buf);
	return blen;
}

static void bench_list(void)
{
	const char *accept = "Accept: application/json;as=Table;v=v1;g=meta.k8s.io,"
			     "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json\r\n";
	char path[4096], cont[2048] = "";
	double t0 = now_s();
	int pages = 0;
	long bytes = 0;
	do {
		char *body = NULL;
		snprintf(path, sizeof(path), "/api/v1/pods?limit=500%s%s", cont[0] ? "&continue=" : "",
			 cont);
		bytes += request("GET", path, accept, NULL, &body);
		cont[0] = '\0';
		/* the body is chunked or not; find "continue":"..." either way */
		char *c = body ? strstr(body, "\"continue\":\"") : NULL;
		if (c) {
			c += 12;
			char *e = strchr(c, '"');
			if (e && (size_t)(e - c) < sizeof(cont)) {
				memcpy(cont, c, (size_t)(e - c));
				cont[e - c] = '\0';
			}
		}
		free(body);
		pages++;
	} while (cont[0] && pages < 1000);
	double t1 = now_s();
	printf("kube.list_pods_10000_table_paged_ms %.1f\n", (t1 - t0) * 1000);
	printf("kube.list_pods_10000_table_pages %d\n", pages);
	t0 = now_s();
	bytes = request("GET", "/api/v1/pods", NULL, NULL, NULL);
	t1 = now_s();
	printf("kube.list_pods_10000_json_ms %.1f\n", (t1 - t0) * 1000);
	printf("kube.list_pods_10000_json_bytes %ld\n", bytes);
}

static void bench_watch(void)
{
	static int fds[N_WATCHERS];
	static long seen[N_WATCHERS];
	static char carry[N_WATCHERS][16];
	struct pollfd *pfd = calloc(N_WATCHERS, sizeof(*pfd));
	const char *needle = "\"type\":\"MODIFIED\"";
	size_t nl = strlen(needle);
	char req[512], buf[65536];
	double t0 = now_s();
	int n = snprintf(req, sizeof(req),
			 "GET /api/v1/pods?watch=1&resourceVersion=%lld&timeoutSeconds=600 HTTP/1.1\r\n"
			 "Host: bench\r\n\r\n",
			 (long long)store_revision(kube.store));
	/* in batches, each started (response headers read) before the next connects: the
	 * listener's backlog is finite */
	int started = 0;
	for (int base = 0; base < N_WATCHERS; base += 50) {
		int end = base + 50 < N_WATCHERS ? base + 50 : N_WATCHERS;
		for (int i = base; i < end; i++) {
			fds[i] = connect_local();
			if (fds[i] < 0 || write(fds[i], req, (size_t)n) != n) {
				printf("# watcher %d could not connect\n", i);
				return;
			}
			fcntl(fds[i], F_SETFL, O_NONBLOCK);
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
		}
		while (started < end) {
			if (poll(pfd + base, (nfds_t)(end - base), 5000) <= 0)
				break;
			for (int i = base; i < end; i++) {
				if (!(pfd[i].revents & POLLIN) || seen[i] < 0)
					continue;
				if (read(fds[i], buf, sizeof(buf)) > 0) {
					seen[i] = -1;
					started++;
				}
			}
		}
	}
	for (int i = 0; i < N_WATCHERS; i++)
		seen[i] = 0;
	double t1 = now_s();
	printf("kube.watch_1000_setup_ms %.1f\n", (t1 - t0) * 1000);

	/* updates, each followed by draining until all watchers have it */
	double lat = 0, start = now_s();
	for (int u = 0; u < N_UPDATES; u++) {
		char path[256], body[128];
		snprintf(path, sizeof(path), "/api/v1/namespaces/ns-%d/pods/pod-%d", u % N_NS, u);
		snprintf(body, sizeof(body), "{\"metadata\":{\"labels\":{\"round\":\"%d\"}}}", u);
		double w0 = now_s();
		request("PATCH", path, NULL, body, NULL);
		int done = 0;
		while (done < N_WATCHERS) {
			done = 0;
			for (int i = 0; i < N_WATCHERS; i++)
				done += seen[i] > u;
			if (done == N_WATCHERS)
				break;
			if (poll(pfd, N_WATCHERS, 5000) <= 0) {
				printf("# watch deliveries stalled at update %d (%d/%d)\n", u, done,
				       N_WATCHERS);
				goto out;
			}
			for (int i = 0; i < N_WATCHERS; i++) {
				if (!(pfd[i].revents & POLLIN))
					continue;
				ssize_t k;
				while ((k = read(fds[i], buf + 15, sizeof(buf) - 16)) > 0) {
					/* count needles, keeping the tail for split matches */
					memcpy(buf, carry[i], 15);
					buf[15 + k] = '\0';
					for (char *p = buf; (p = memmem(p, (size_t)(15 + k) - (size_t)(p - buf),
									 needle, nl));
					     p += nl)
						seen[i]++;
					memcpy(carry[i], buf + k, 15);
				}
			}
		}
		lat += now_s() - w0;
	}
	double total = now_s() - start;
	printf("kube.watch_1000_events_per_sec %.0f\n", (double)N_UPDATES * N_WATCHERS / total);
	printf("kube.watch_1000_update_to_all_ms %.2f\n", lat / N_UPDATES * 1000);
out:
	for (int i = 0; i < N_WATCHERS; i++)
		close(fds[i]);
	free(pfd);
}

static void *client(void *arg)
{
	(void)arg;
	bench_list();
	bench_watch();
	event_base_loopexit(kube.base, NULL);
	return NULL;
}

int main(void)
{
	char dir[64], db[128];
	struct rlimit rl;
	pthread_t th;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4 * N_WATCHERS) {
		rl.rlim_cur = rl.rlim_max < 4 * N_WATCHERS ? rl.rlim_max : 4 * N_WATCHERS;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	snprintf(dir, sizeof(dir), "/tmp/bench_kube.XXXXXX");
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
	const struct kube_resource *pods = kube_resource_find("", "v1", "pods");
	double t0 = now_s();
	for (int i = 0; i < N_NS; i++) {
		json_t *o = json_pack("{s:{s:s+}}", "metadata", "name", "ns-", "");
		char name[32];
		snprintf(name, sizeof(name), "ns-%d", i);
		json_object_set_new(json_object_get(o, "metadata"), "name", json_string(name));
		registry_put(&cl, ns, o);
		json_decref(o);
	}
	for (int i = 0; i < N_PODS; i++) {
		char name[32], nsn[32];
		snprintf(name, sizeof(name), "pod-%d", i);
		snprintf(nsn, sizeof(nsn), "ns-%d", i % N_NS);
		json_t *o = json_pack(
			"{s:{s:s, s:s, s:{s:s}}, s:{s:[{s:s, s:s}], s:s}, s:{s:s, s:s}}", "metadata",
			"name", name, "namespace", nsn, "labels", "app", "bench", "spec", "containers",
			"name", "app", "image", "nginx:1.25", "nodeName", "node-1", "status", "phase",
			"Running", "podIP", "10.0.0.1");
		registry_put(&cl, pods, o);
		json_decref(o);
	}
	printf("kube.put_pods_10000_ms %.1f\n", (now_s() - t0) * 1000);

	struct evhttp *http = evhttp_new(kube.base);
	evhttp_set_gencb(http, handler, &cl);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_PATCH);
	if (http_listen(http, "127.0.0.1", 0, &port) != 0)
		return 1;
	pthread_create(&th, NULL, client, NULL);
	event_base_dispatch(kube.base);
	pthread_join(th, NULL);
	evhttp_free(http);
	store_close(kube.store);
	event_base_free(kube.base);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
