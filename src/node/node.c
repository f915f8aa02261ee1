/*
 * node.c - the node agent's life: checks the configuration, builds the upstream
 * clients (Kubernetes over mutual TLS, Google APIs over TLS or plain HTTP for gkeid),
 * starts the pod watch, the caches and the node's own identity, opens the metadata
 * listeners (local mode: one wildcard port, pods at 127.x.y.z; node mode: 127.0.0.1:988
 * and 169.254.169.254:80 when that address exists), writes the state file `gkeid exec`
 * reads, serves /metrics and /healthz to the node itself, and shuts down in order on
 * SIGINT/SIGTERM. Also the small helpers the modules share.
 */
#include "node/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/dbuf.h"
#include "core/file.h"
#include "core/http.h"
#include "core/jwt.h"
#include "node/mdfast.h"

#define REQUEST_TIMEOUT_MS 10000 /* slow clients and idle keep-alives */
#define HEADERS_MAX                                                                                \
	(64 * 1024) /* libevent's cap (its 400 beyond); metadata.c's own                           \
		       caps below it answer 414 and 431 with a clear text */
#define BODY_MAX 4096

static const char *const up_names[MD_UP_N] = {"kube", "sts", "iamcredentials", "container",
					      "oauth2"};

void node_config_defaults(struct node_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->node_name, sizeof(c->node_name), "local-node");
	snprintf(c->node_pool, sizeof(c->node_pool), "default-pool");
	snprintf(c->listen_addr, sizeof(c->listen_addr), "0.0.0.0");
	c->listen = NODE_LISTEN_LOCAL;
	c->port = -1;
	c->hold_ms = 10000;
	c->ksa_ttl_ms = 5000;
	c->pool_poll_ms = 10000;
	c->netpol_ttl_ms = 1000;
	c->max_pods = 1000;
	c->max_ksas = 1000;
	c->max_tokens = 4096;
	c->max_held = 1024;
}

int64_t md_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t md_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void md_err_set(struct md_err *e, int status, const char *fmt, ...)
{
	va_list ap;
	e->status = status;
	va_start(ap, fmt);
	int w = vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	/* a truncated text still ends with a newline */
	if (w >= (int)sizeof(e->text))
		e->text[sizeof(e->text) - 2] = '\n';
}

void md_log(const struct node *n, const char *fmt, ...)
{
	char buf[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "gkeid node %s: %s\n", n ? n->cfg.node_name : "", buf);
	fflush(stderr);
}

int md_token_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' ||
		      c == '-'))
			return 0;
		if (n >= 16000)
			return 0;
	}
	return n > 0;
}

int md_email_ok(const char *s)
{
	size_t n = strlen(s), at = 0;
	if (n == 0 || n >= NODE_EMAIL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '@') {
			if (at || i == 0 || i == n - 1)
				return 0;
			at = i;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == '+'))
			return 0;
	}
	return at != 0;
}

void md_metrics_upstream(struct node *n, enum md_upstream up, const struct md_resp *r)
{
	static const int64_t bounds_ms[7] = {1, 2, 5, 10, 50, 100, 1000};
	n->m.up_calls[up]++;
	if (r->status == 0 || r->status >= 500)
		n->m.up_errors[up]++;
	n->m.up_latency_us[up] += (uint64_t)(r->elapsed_us > 0 ? r->elapsed_us : 0);
	int b = 7;
	for (int i = 0; i < 7; i++)
		if (r->elapsed_us <= bounds_ms[i] * 1000) {
			b = i;
			break;
		}
	n->m.up_latency_bucket[up][b]++;
}

void md_metrics_write(struct node *n, struct evbuffer *b)
{
	static const char *const classes[5] = {"other", "2xx", "3xx", "4xx", "5xx"};
	static const char *const le[8] = {"0.001", "0.002", "0.005", "0.01",
					  "0.05",  "0.1",   "1",     "+Inf"};
	const struct md_metrics *m = &n->m;
	size_t pods, held;
	int synced;
	md_pods_stats(n, &pods, &held, &synced);
	evbuffer_add_printf(
		b, "# HELP gkeid_node_requests_total Metadata requests answered, by status class.\n"
		   "# TYPE gkeid_node_requests_total counter\n");
	for (int i = 0; i < 5; i++)
		evbuffer_add_printf(b, "gkeid_node_requests_total{code=\"%s\"} %llu\n", classes[i],
				    (unsigned long long)m->requests[i]);
#define COUNTER(name, help, v)                                                                     \
	evbuffer_add_printf(b,                                                                     \
			    "# HELP " name " " help "\n# TYPE " name " counter\n" name " %llu\n",  \
			    (unsigned long long)(v))
#define GAUGE(name, help, v)                                                                       \
	evbuffer_add_printf(b, "# HELP " name " " help "\n# TYPE " name " gauge\n" name " %llu\n", \
			    (unsigned long long)(v))
	COUNTER("gkeid_node_token_cache_hits_total", "Tokens served from the cache.",
		m->token_hits);
	COUNTER("gkeid_node_token_cache_misses_total", "Token fetches started by a request.",
		m->token_misses);
	COUNTER("gkeid_node_token_coalesced_total", "Requests that joined a fetch already running.",
		m->token_coalesced);
	COUNTER("gkeid_node_token_refreshes_total",
		"Background refreshes (at 80 percent of a lifetime).", m->token_refreshes);
	COUNTER("gkeid_node_token_stale_served_total",
		"Answers from cached, still valid entries while an upstream failed.",
		m->token_stale_served);
	COUNTER("gkeid_node_ksa_cache_hits_total", "Service accounts served from the cache.",
		m->ksa_hits);
	COUNTER("gkeid_node_ksa_cache_misses_total", "Service account fetches.", m->ksa_misses);
	COUNTER("gkeid_node_pod_lookups_held_total", "Requests held for an address no pod had yet.",
		m->pod_held);
	COUNTER("gkeid_node_pod_lookups_held_found_total", "Held requests whose pod then appeared.",
		m->pod_held_found);
	COUNTER("gkeid_node_pod_lookups_held_timeout_total", "Held requests that timed out.",
		m->pod_held_timeout);
	COUNTER("gkeid_node_pod_address_conflicts_total",
		"Requests refused because two live pods share the address.", m->pod_conflicts);
	COUNTER("gkeid_node_watch_restarts_total", "Pod watch streams ended and restarted.",
		m->watch_restarts);
	COUNTER("gkeid_node_watch_events_total", "Pod watch events received.", m->watch_events);
	COUNTER("gkeid_node_fast_answers_total",
		"Cached tokens answered by the fast path, in the turn that read the request.",
		md_fast_answered(n->fast));
	COUNTER("gkeid_node_netpol_allowed_total",
		"Pod requests whose NetworkPolicies allow egress to the metadata server.",
		m->netpol_allowed);
	COUNTER("gkeid_node_netpol_dropped_total",
		"Pod connections dropped (held unanswered, then closed) by a NetworkPolicy.",
		m->netpol_dropped);
	COUNTER("gkeid_node_netpol_verdict_hits_total", "NetworkPolicy verdicts from the cache.",
		m->netpol_verdict_hits);
	COUNTER("gkeid_node_netpol_fetches_total", "NetworkPolicy list reads.", m->netpol_fetches);
	GAUGE("gkeid_node_netpol_dropped_held", "Dropped connections being held right now.",
	      m->netpol_drops_held);
	GAUGE("gkeid_node_pods", "Pods of this node known from the watch.", pods);
	GAUGE("gkeid_node_held_requests", "Requests held for their pod right now.", held);
	GAUGE("gkeid_node_pod_watch_synced", "1 once the first pod list has completed.", synced);
	GAUGE("gkeid_node_ksa_cache_entries", "Service accounts cached.", md_ksa_count(n));
	GAUGE("gkeid_node_token_cache_entries", "Tokens cached.", md_tokens_count(n));
#undef COUNTER
#undef GAUGE
	evbuffer_add_printf(b, "# HELP gkeid_node_upstream_requests_total Calls to upstream APIs.\n"
			       "# TYPE gkeid_node_upstream_requests_total counter\n");
	for (int u = 0; u < MD_UP_N; u++)
		evbuffer_add_printf(b, "gkeid_node_upstream_requests_total{upstream=\"%s\"} %llu\n",
				    up_names[u], (unsigned long long)m->up_calls[u]);
	evbuffer_add_printf(
		b, "# HELP gkeid_node_upstream_errors_total Upstream calls that failed "
		   "(no answer or 5xx).\n# TYPE gkeid_node_upstream_errors_total counter\n");
	for (int u = 0; u < MD_UP_N; u++)
		evbuffer_add_printf(b, "gkeid_node_upstream_errors_total{upstream=\"%s\"} %llu\n",
				    up_names[u], (unsigned long long)m->up_errors[u]);
	evbuffer_add_printf(b, "# HELP gkeid_node_upstream_latency_seconds Upstream call latency.\n"
			       "# TYPE gkeid_node_upstream_latency_seconds histogram\n");
	for (int u = 0; u < MD_UP_N; u++) {
		uint64_t cum = 0;
		for (int i = 0; i < 8; i++) {
			cum += m->up_latency_bucket[u][i];
			evbuffer_add_printf(b,
					    "gkeid_node_upstream_latency_seconds_bucket{upstream="
					    "\"%s\",le=\"%s\"} %llu\n",
					    up_names[u], le[i], (unsigned long long)cum);
		}
		evbuffer_add_printf(
			b, "gkeid_node_upstream_latency_seconds_sum{upstream=\"%s\"} %.6f\n",
			up_names[u], (double)m->up_latency_us[u] / 1e6);
		evbuffer_add_printf(
			b, "gkeid_node_upstream_latency_seconds_count{upstream=\"%s\"} %llu\n",
			up_names[u], (unsigned long long)cum);
	}
}

/* --- setup --- */

static void on_libevent_log(int severity, const char *msg)
{
	(void)severity, (void)msg; /* connection failures are reported per call instead */
}

static int read_small_file(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	size_t n = fread(out, 1, len - 1, f);
	fclose(f);
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
		out[--n] = '\0';
	return n ? 0 : -EINVAL;
}

/* The names derived from the configuration: pool, STS audience, zone (when not given),
 * hostname, instance id. 0, or -ENAMETOOLONG when one does not fit (never cut short). */
int node_derive(struct node *n)
{
	struct node_config *c = &n->cfg;
	char seed[600], hex[65];
	int rc = SFMT(n->pool, "%s.svc.id.goog", c->project);
	if (!rc)
		rc = SFMT(n->sts_audience,
			  "identitynamespace:%s:https://container.googleapis.com/v1/projects/%s/"
			  "locations/%s/clusters/%s",
			  n->pool, c->project, c->location, c->cluster);
	if (!rc && !c->zone[0]) {
		/* a zone is REGION-x; a region's nodes here live in its first zone */
		int dashes = 0;
		for (const char *p = c->location; *p; p++)
			dashes += *p == '-';
		rc = SFMT(c->zone, dashes >= 2 ? "%s" : "%s-a", c->location);
	}
	if (!rc)
		rc = SFMT(n->zone_path, "projects/%s/zones/%s", c->project_number, c->zone);
	if (!rc)
		rc = SFMT(n->hostname, "%s.%s.c.%s.internal", c->node_name, c->zone, c->project);
	if (!rc)
		rc = SFMT(seed, "%s/%s/%s/%s", c->project, c->location, c->cluster, c->node_name);
	if (rc)
		return rc;
	sha256_hex(seed, strlen(seed), hex);
	hex[16] = '\0';
	unsigned long long id = strtoull(hex, NULL, 16);
	id = id % 9000000000000000000ULL + 100000000000000000ULL;
	return SFMT(n->instance_id, "%llu", id);
}

static int project_ok(const char *s)
{
	size_t l = strlen(s);
	if (l < 1 || l > 100)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '.' || *s == ':'))
			return 0;
	return 1;
}

static int check_config(const struct node_config *c, char *err, size_t len)
{
	if (!c->node_name[0] || strchr(c->node_name, '/') || strchr(c->node_name, '&')) {
		snprintf(err, len, "--node-name is required");
		return -EINVAL;
	}
	if (!c->kube_server[0]) {
		snprintf(err, len, "--kube-server is required");
		return -EINVAL;
	}
	if (!project_ok(c->project) || !c->location[0] || !c->cluster[0]) {
		snprintf(err, len, "--project, --location and --cluster are required");
		return -EINVAL;
	}
	for (const char *p = c->project_number; *p; p++)
		if (*p < '0' || *p > '9') {
			snprintf(err, len, "--project-number must be digits");
			return -EINVAL;
		}
	if (!c->sts_url[0] || !c->iamcredentials_url[0] || !c->container_url[0]) {
		snprintf(err, len, "the Google API base URLs are missing");
		return -EINVAL;
	}
	return 0;
}

/* Opens a metadata listener and keeps its handle in n->socks (faults.c closes and
 * reopens them). */
static int listen_on(struct node *n, struct evhttp *http, const char *addr, int port, int *bound)
{
	int got = port;
	errno = 0;
	struct evhttp_bound_socket *h = http_guard_bind(n->guard, addr, port, &got);
	if (!h)
		return -errno ? -errno : -EADDRINUSE;
	if (bound)
		*bound = got;
	n->srv = http;
	struct md_sock *s = &n->socks[n->n_socks];
	if (n->n_socks < sizeof(n->socks) / sizeof(n->socks[0]) && SFMT(s->addr, "%s", addr) == 0) {
		n->n_socks++;
		s->port = got;
		s->h = h;
	}
	return 0;
}

/* Writes the state file (what `gkeid exec` needs) atomically, 0600. */
static int write_state(struct node *n, int port, const char *metadata_host)
{
	const struct node_config *c = &n->cfg;
	json_t *j =
		json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "nodeName",
			  c->node_name, "listen", c->listen == NODE_LISTEN_LOCAL ? "local" : "node",
			  "address", c->listen == NODE_LISTEN_LOCAL ? c->listen_addr : "127.0.0.1",
			  "port", port, "metadataHost", metadata_host, "kubeServer", c->kube_server,
			  "kubeCA", c->kube_ca, "kubeCert", c->kube_cert, "kubeKey", c->kube_key,
			  "project", c->project, "pid", (json_int_t)getpid());
	char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL, *text = NULL;
	json_decref(j);
	if (!s || asprintf(&text, "%s\n", s) < 0) {
		free(s);
		return -ENOMEM;
	}
	int rc = file_write_atomic(c->state_file, text, strlen(text), 0600);
	free(text);
	free(s);
	return rc;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct node *n = arg;
	(void)what;
	md_log(n, "%s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopexit(n->base, NULL);
}

static int needs_dns(const char *url)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *h = u ? evhttp_uri_get_host(u) : NULL;
	unsigned char buf[16];
	int r = h && h[0] != '[' && inet_pton(AF_INET, h, buf) != 1;
	if (u)
		evhttp_uri_free(u);
	return r;
}

/* --- node_run's steps --- */

/* Options: the configuration checked, the bearer token read, the derived names. */
static int load_options(struct node *n)
{
	char err[600] = "";
	if (check_config(&n->cfg, err, sizeof(err)) != 0) {
		md_log(n, "%s", err);
		return -EINVAL;
	}
	if (n->cfg.kube_token_file[0] &&
	    read_small_file(n->cfg.kube_token_file, n->kube_bearer, sizeof(n->kube_bearer)) != 0) {
		md_log(n, "--kube-token-file %s: cannot read a token", n->cfg.kube_token_file);
		return -EINVAL;
	}
	if (node_derive(n) != 0) {
		md_log(n, "--node-name, --project, --location and --zone make a hostname or zone "
			  "too long");
		return -EINVAL;
	}
	return 0;
}

/* The process: no SIGPIPE, every descriptor the hard limit allows, libevent quiet. */
static void setup_process(const struct node *n)
{
	signal(SIGPIPE, SIG_IGN);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!n->cfg.verbose)
		event_set_log_callback(on_libevent_log);
}

/* The event loop, and a resolver when an upstream is named by a host name. */
static int make_base(struct node *n)
{
	n->base = http_base_new();
	if (!n->base)
		return -ENOMEM;
	if (needs_dns(n->cfg.kube_server) || needs_dns(n->cfg.sts_url) ||
	    needs_dns(n->cfg.iamcredentials_url) || needs_dns(n->cfg.container_url) ||
	    n->cfg.credentials[0]) {
		n->dns = evdns_base_new(n->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
		if (!n->dns)
			md_log(n, "no DNS resolver; host names will not resolve");
	}
	return 0;
}

SSL_CTX *md_google_tls(struct node *n)
{
	char err[600] = "";
	if (n->google_tls)
		return n->google_tls;
	n->google_tls = md_tls_ctx(NULL, NULL, NULL, err, sizeof(err));
	if (!n->google_tls)
		md_log(n, "Google TLS: %s", err);
	return n->google_tls;
}

/* The upstream clients (Kubernetes, STS, IAM Credentials, Container) and the modules
 * that use them. */
static int make_clients(struct node *n)
{
	char err[600] = "";
	int rc;
	if (strncmp(n->cfg.kube_server, "https://", 8) == 0) {
		n->kube_tls = md_tls_ctx(n->cfg.kube_ca, n->cfg.kube_cert, n->cfg.kube_key, err,
					 sizeof(err));
		if (!n->kube_tls) {
			md_log(n, "Kubernetes TLS: %s", err);
			return -EINVAL;
		}
	}
	const char *google[] = {n->cfg.sts_url, n->cfg.iamcredentials_url, n->cfg.container_url};
	for (size_t i = 0; i < sizeof(google) / sizeof(google[0]); i++)
		if (strncmp(google[i], "https://", 8) == 0 && !md_google_tls(n))
			return -EINVAL;
	if (md_client_new(n->base, n->dns, n->cfg.kube_server, n->kube_tls, &n->kube) != 0 ||
	    md_client_new(n->base, n->dns, n->cfg.sts_url, n->google_tls, &n->sts) != 0 ||
	    md_client_new(n->base, n->dns, n->cfg.iamcredentials_url, n->google_tls, &n->iam) !=
		    0 ||
	    md_client_new(n->base, n->dns, n->cfg.container_url, n->google_tls, &n->container) !=
		    0) {
		md_log(n,
		       "a base URL is not a valid http(s) URL (--kube-server %s, --sts-url %s, "
		       "--iamcredentials-url %s, --container-url %s)",
		       n->cfg.kube_server, n->cfg.sts_url, n->cfg.iamcredentials_url,
		       n->cfg.container_url);
		return -EINVAL;
	}
	if ((rc = md_ksa_init(n)) != 0 || (rc = md_tokens_init(n)) != 0 ||
	    (rc = md_nodecreds_start(n)) != 0 || (rc = md_netpol_init(n)) != 0)
		return rc;
	return 0;
}

/* The metadata server's evhttp: its limits, its guard and fast path, metadata.c's
 * handler. */
static int make_http(struct node *n, struct evhttp **out)
{
	/* slow clients and idle keep-alives get the node's 10 s unless told otherwise */
	static const struct http_limits node_limits = {REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS,
						       REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS, 0};
	struct http_limits lim = n->cfg.limits;
	http_limits_resolve(&lim, &node_limits);
	http_conn_set_budget(n->cfg.limits.max_conns);
	struct evhttp *http = *out = evhttp_new(n->base);
	if (!http || md_http_attach(n, http) != 0 ||
	    !(n->fast = md_fast_new(n)) ||
	    !(n->guard = http_guard_new(n->base, http, &lim, "metadata", md_http_on_request, n,
					md_fast_bevcb, n->fast)))
		return -ENOMEM;
	http_guard_set_log(n->guard, stderr);
	evhttp_set_max_headers_size(http, HEADERS_MAX);
	evhttp_set_max_body_size(http, BODY_MAX);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
						 EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						 EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	return 0;
}

/* Local mode: one wildcard port (each pod at its own 127.x.y.z). */
static int listen_local(struct node *n, struct evhttp *http, int *port)
{
	int want = n->cfg.port < 0 ? 0 : n->cfg.port;
	int rc = listen_on(n, http, n->cfg.listen_addr, want, port);
	if (rc != 0) {
		md_log(n, "cannot listen on %s:%d: %s", n->cfg.listen_addr, want, strerror(-rc));
		return rc;
	}
	md_log(n, "metadata server on %s:%d (local mode: each pod at its own 127.x.y.z:%d)",
	       n->cfg.listen_addr, *port, *port);
	return 0;
}

/* Node mode: 127.0.0.1:988, and GKE's link-local addresses where they exist; host
 * (HOST[:PORT], at least 80 bytes) is where pods reach the server. */
static int listen_node(struct node *n, struct evhttp *http, int *port, char *host, size_t len)
{
	static const struct {
		const char *addr;
		int port;
	} extra[] = {{"169.254.169.254", 80}, {"169.254.169.252", 988}};
	int want = n->cfg.port < 0 ? 988 : n->cfg.port;
	int rc = listen_on(n, http, "127.0.0.1", want, port);
	if (rc != 0) {
		md_log(n, "cannot listen on 127.0.0.1:%d: %s", want, strerror(-rc));
		return rc;
	}
	md_log(n, "metadata server on 127.0.0.1:%d (node mode: pods by source address)", *port);
	if ((rc = sfmt(host, len, "127.0.0.1:%d", *port)) != 0)
		return rc;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		int r = listen_on(n, http, extra[i].addr, extra[i].port, NULL);
		if (r == 0) {
			md_log(n, "metadata server on %s:%d", extra[i].addr, extra[i].port);
			if (i == 0 && (rc = sfmt(host, len, "%s", extra[i].addr)) != 0)
				return rc;
		} else if (r != -EADDRNOTAVAIL)
			md_log(n, "cannot listen on %s:%d: %s", extra[i].addr, extra[i].port,
			       strerror(-r));
	}
	return 0;
}

static int add_signals(struct node *n, struct event *sigs[2])
{
	static const int sig_list[2] = {SIGINT, SIGTERM};
	for (int i = 0; i < 2; i++) {
		sigs[i] = evsignal_new(n->base, sig_list[i], on_signal, n);
		if (!sigs[i] || event_add(sigs[i], NULL) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* The shutdown, in order: the watch first (it holds a call), then upstream calls end
 * without callbacks, then every module answers what it holds; nothing new starts while
 * stopping. */
static void shut_down(struct node *n, struct evhttp *http, struct event *sigs[2])
{
	n->stopping = 1;
	md_pods_stop(n);
	md_client_free(n->kube);
	md_client_free(n->sts);
	md_client_free(n->iam);
	md_client_free(n->container);
	md_tokens_free(n);
	md_ksa_free(n);
	md_nodecreds_stop(n);
	md_netpol_free(n);
	md_http_stop(n);
	md_faults_free(n);
	if (http)
		evhttp_free(http);
	http_guard_free(n->guard);
	md_fast_free(n->fast);
	for (int i = 0; i < 2; i++)
		if (sigs[i])
			event_free(sigs[i]);
	if (n->dns)
		evdns_base_free(n->dns, 0);
	if (n->base)
		event_base_free(n->base);
	if (n->kube_tls)
		SSL_CTX_free(n->kube_tls);
	if (n->google_tls)
		SSL_CTX_free(n->google_tls);
}

int node_run(const struct node_config *cfg)
{
	struct node *n = calloc(1, sizeof(*n));
	struct evhttp *http = NULL;
	struct event *sigs[2] = {NULL, NULL};
	char metadata_host[80] = ""; /* node mode: where pods reach the server */
	int rc, port = 0;
	if (!n)
		return -ENOMEM;
	n->cfg = *cfg;
	rc = load_options(n);
	if (!rc) {
		setup_process(n);
		rc = make_base(n);
	}
	if (!rc)
		rc = make_clients(n);
	if (!rc)
		rc = make_http(n, &http);
	if (!rc)
		rc = n->cfg.listen == NODE_LISTEN_LOCAL
			     ? listen_local(n, http, &port)
			     : listen_node(n, http, &port, metadata_host, sizeof(metadata_host));
	if (!rc)
		rc = md_pods_start(n);
	if (!rc && n->cfg.state_file[0] && (rc = write_state(n, port, metadata_host)) != 0)
		md_log(n, "cannot write %s: %s", n->cfg.state_file, strerror(-rc));
	if (!rc)
		rc = add_signals(n, sigs);
	if (!rc)
		event_base_dispatch(n->base);
	shut_down(n, http, sigs);
	if (rc == 0 && n->cfg.state_file[0])
		unlink(n->cfg.state_file);
	free(n);
	return rc;
}
