/*
 * up.c - the assembly of `gkeid up` (its options are cli/up.c's): the all-in-one on one machine.
 * Opens the data directory (SQLite store, signing key), writes the demo or given state on first
 * start, serves the Google APIs on loopback, prepares a gcloud configuration for the admin user,
 * and writes DIR/env once everything answers. Runs in the foreground until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cloud/cloud.h"
#include "cloud/container.h"
#include "cloud/state.h"
#include "core/dbuf.h"
#include "core/embed.h"
#include "core/file.h"
#include "core/http.h"
#include "core/httpconn.h"
#include "core/jwt.h"
#include "core/seal.h"
#include "core/store.h"
#include "iam/iam.h"
#include "kube/kube.h"
#include "up/gcloudcfg.h"
#include "up/up.h"

#define MAINTENANCE_SECONDS 60
#define HISTORY_KEPT 100000 /* store revisions kept for watch resumption */

/* What is done after the APIs answer, in order, as gcloud would do it: activating the
 * admin user (first start only), then writing the kubeconfig as get-credentials does
 * (every start: cluster endpoints move with --port 0). Both are written by gkeid itself
 * unless only gcloud can (gcloudcreds.c, gcloudkube.c). DIR/env is written when they
 * are done. */
enum step { STEP_ACTIVATE, STEP_CREDENTIALS, STEP_DONE };

struct up {
	char dir[PATH_MAX];
	char gcloud_dir[PATH_MAX + 16];
	char kubeconfig[PATH_MAX + 16];
	char admin[320];
	char admin_token[2048]; /* the admin's access token in gcloud's cache, when up put it there */
	time_t admin_expiry;	/* and its expiry (the real clock, as gcloud's) */
	char project[128];
	char cluster[64], location[64]; /* the default project's first cluster, if any */
	struct event_base *base;
	struct cloud cloud;
	struct kube kube;
	int kube_ready;
	pid_t gcloud_pid;
	pid_t node_pid;		 /* `gkeid node` for local-node of the default cluster */
	struct event *node_wait; /* polls for the node to serve before DIR/env is written */
	int node_polls;
	enum step step;
	int port;
	/* the Google APIs' listener, and the process's events */
	struct evhttp *http;
	struct http_router *router;
	struct http_guard *guard;
	struct upfaults *faults;
	struct event *sigs[3], *maintenance;
};

/* Bytes of the data dir's real path: SQLite's unix VFS opens file names of at most 512
 * bytes (MAX_PATHNAME in sqlite3.c), and the store's is DIR/store.db-journal. */
#define UP_DIR_MAX 480

static int mkdir_private(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -errno;
	return chmod(path, 0700) == 0 ? 0 : -errno;
}

/* Appends "export NAME='VALUE'\n" to b, VALUE quoted for the shell (a ' becomes '\''),
 * so that any data dir can be sourced. */
static void env_line(struct dbuf *b, const char *name, const char *value)
{
	dbuf_printf(b, "export %s='", name);
	for (const char *p = value; *p; p++)
		if (*p == '\'')
			dbuf_str(b, "'\\''");
		else
			dbuf_add(b, p, 1);
	dbuf_str(b, "'\n");
}

static int write_env(struct up *u)
{
	char path[PATH_MAX + 16];
	struct dbuf b = DBUF_INIT(64 * 1024);
	int rc = SFMT(path, "%s/env", u->dir);
	if (rc)
		return rc;
	dbuf_printf(&b, "# Written by gkeid up. Use it with: . %s/env\n", u->dir);
	env_line(&b, "GKEID_DATA_DIR", u->dir);
	env_line(&b, "CLOUDSDK_CONFIG", u->gcloud_dir);
	env_line(&b, "GKEID_PROJECT", u->project);
	env_line(&b, "GKEID_CLOUD_URL", u->cloud.base_url);
	if (u->cluster[0] && access(u->kubeconfig, R_OK) == 0)
		env_line(&b, "KUBECONFIG", u->kubeconfig);
	rc = b.oom ? -ENOMEM : file_write_atomic(path, b.p, b.len, 0600);
	if (rc == 0)
		printf("gkeid: ready; environment in %s (in another shell: . %s)\n", path, path);
	fflush(stdout);
	dbuf_free(&b);
	return rc;
}

/* Once a minute: drop expired tokens, and compact store history beyond what watchers
 * may still resume from. */
static void on_maintenance(evutil_socket_t fd, short what, void *arg)
{
	struct up *u = arg;
	size_t removed = 0;
	(void)fd, (void)what;
	if (cloud_gc(&u->cloud, &removed) == 0 && removed)
		fprintf(stderr, "gkeid: removed %zu expired tokens\n", removed);
	int64_t rev = store_revision(u->cloud.store);
	if (rev > HISTORY_KEPT && store_compact(u->cloud.store, rev - HISTORY_KEPT) != 0)
		fprintf(stderr, "gkeid: store compaction failed\n");
}

static void run_steps(struct up *u);
static void finish_start(struct up *u);

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct up *u = arg;
	(void)what;
	if (sig == SIGCHLD) {
		int status;
		if (u->node_pid > 0 && waitpid(u->node_pid, &status, WNOHANG) == u->node_pid) {
			fprintf(stderr, "gkeid: the node agent exited (%s %d)\n",
				WIFEXITED(status) ? "status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			u->node_pid = 0;
		}
		if (u->gcloud_pid > 0 &&
		    waitpid(u->gcloud_pid, &status, WNOHANG) == u->gcloud_pid) {
			int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			u->gcloud_pid = 0;
			if (ok && u->step == STEP_ACTIVATE)
				gcloudcfg_mark_activated(u->gcloud_dir, u->admin);
			if (!ok)
				fprintf(stderr, "gkeid: gcloud %s failed; see %s/gcloud.log\n",
					u->step == STEP_ACTIVATE
						? "auth activate-refresh-token"
						: "container clusters get-credentials",
					u->dir);
			u->step++;
			run_steps(u);
		}
		return;
	}
	fprintf(stderr, "gkeid: %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopexit(u->base, NULL);
}

/* Reads --state FILE or the embedded demo, and writes it into an empty store. */
static int seed_state(struct up *u, const char *state_file)
{
	char err[512] = "", meta[1024];
	char *text = NULL, base_dir[PATH_MAX] = ".";
	size_t len = 0;
	json_t *st = NULL;
	int rc;
	struct store_kv kv;
	if (store_get(u->cloud.store, "/gkeid/meta", &kv) == 0) {
		json_t *m = json_loadb(kv.value, kv.value_len, 0, NULL);
		store_kv_free(&kv);
		snprintf(u->admin, sizeof(u->admin), "%s",
			 json_string_value(json_object_get(m, "admin")) ?: "");
		snprintf(u->project, sizeof(u->project), "%s",
			 json_string_value(json_object_get(m, "project")) ?: "");
		json_decref(m);
		return 0;
	}
	if (state_file) {
		FILE *f = fopen(state_file, "rb");
		if (!f) {
			fprintf(stderr, "gkeid: --state %s: %s\n", state_file, strerror(errno));
			return -errno;
		}
		text = malloc(1 << 20);
		len = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
		fclose(f);
		if (!text)
			return -ENOMEM;
		text[len] = '\0';
		const char *slash = strrchr(state_file, '/');
		if (slash)
			snprintf(base_dir, sizeof(base_dir), "%.*s", (int)(slash - state_file),
				 state_file);
	}
	rc = state_parse(text ? text : embed_demo_yaml, text ? len : EMBED_LEN(demo_yaml), &st, err,
			 sizeof(err));
	if (rc == 0)
		rc = state_apply(&u->cloud, st, base_dir, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "gkeid: %s: %s\n", state_file ? state_file : "demo state", err);
		goto out;
	}
	snprintf(u->admin, sizeof(u->admin), "%s", state_admin(st) ?: "");
	snprintf(u->project, sizeof(u->project), "%s", state_default_project(st) ?: "");
	json_t *m = json_pack("{s:s, s:s}", "admin", u->admin, "project", u->project);
	char *ms = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_decref(m);
	snprintf(meta, sizeof(meta), "%s", ms ? ms : "{}");
	free(ms);
	rc = store_put(u->cloud.store, "/gkeid/meta", meta, strlen(meta), STORE_ABSENT, NULL);
out:
	json_decref(st);
	free(text);
	return rc;
}

/* gcloud's own OAuth client and scopes (googlecloudsdk/core/config.py:
 * CLOUDSDK_CLIENT_ID, CLOUDSDK_CLIENT_NOTSOSECRET, CLOUDSDK_SCOPES and the reauth scope it
 * adds), which the admin's refresh token is issued to. */
#define GCLOUD_CLIENT_ID "32555940559.apps.googleusercontent.com"
#define GCLOUD_CLIENT_SECRET "ZmssLNjJy2998hD4CTg2ejr2"
#define GCLOUD_SCOPES                                                                      \
	"openid https://www.googleapis.com/auth/userinfo.email "                           \
	"https://www.googleapis.com/auth/cloud-platform "                                  \
	"https://www.googleapis.com/auth/appengine.admin "                                 \
	"https://www.googleapis.com/auth/sqlservice.login "                                \
	"https://www.googleapis.com/auth/compute "                                         \
	"https://www.googleapis.com/auth/accounts.reauth"

/* The refresh gcloud makes with the admin's refresh token, at gkeid's token endpoint
 * without HTTP: the access and ID tokens go into user (borrowed from *tokens, which the
 * caller frees). 0, or -EIO when the endpoint refuses. */
static int admin_tokens(struct up *u, const char *refresh, struct gcloud_user *user,
			json_t **tokens)
{
	if (oauth2_refresh(&u->cloud, refresh, GCLOUD_CLIENT_ID, GCLOUD_CLIENT_SECRET, NULL,
			   tokens) != 200)
		return -EIO;
	user->access_token = json_string_value(json_object_get(*tokens, "access_token"));
	user->id_token = json_string_value(json_object_get(*tokens, "id_token"));
	user->expires_in = json_integer_value(json_object_get(*tokens, "expires_in"));
	clock_gettime(CLOCK_REALTIME, &user->issued);
	u->admin_expiry = user->issued.tv_sec + (time_t)user->expires_in;
	if (!user->access_token ||
	    sfmt(u->admin_token, sizeof(u->admin_token), "%s", user->access_token) != 0)
		u->admin_token[0] = '\0'; /* the plugin will ask gcloud */
	return 0;
}

/* Activates the admin user in gcloud's configuration as `gcloud auth
 * activate-refresh-token ADMIN TOKEN` would: a refresh token for gcloud's client, the
 * refresh gcloud makes to check it, both stored in gcloud's files (gcloudcreds.c). When
 * that cannot be done, gcloud itself is run (*spawned set). 0 or -errno. */
static int activate_admin(struct up *u, const char *log, int *spawned)
{
	char token_uri[600];
	json_t *tokens = NULL;
	int rc;
	*spawned = 0;
	char *refresh = oauth2_refresh_token_new(&u->cloud, u->admin, GCLOUD_CLIENT_ID,
						 GCLOUD_CLIENT_SECRET, GCLOUD_SCOPES);
	if (!refresh)
		return -ENOMEM;
	if ((rc = SFMT(token_uri, "%s/oauth2/token", u->cloud.base_url)) != 0)
		goto out;
	struct gcloud_user user = {
		.account = u->admin,
		.client_id = GCLOUD_CLIENT_ID,
		.client_secret = GCLOUD_CLIENT_SECRET,
		.refresh_token = refresh,
		.token_uri = token_uri,
	};
	if ((rc = admin_tokens(u, refresh, &user, &tokens)) != 0)
		goto out;
	if ((rc = gcloudcfg_store_user(u->gcloud_dir, &user)) == 0) {
		rc = gcloudcfg_mark_activated(u->gcloud_dir, u->admin);
		goto out;
	}
	fprintf(stderr, "gkeid: cannot store the admin's gcloud credential (%s); running gcloud\n",
		strerror(-rc));
	char *argv[] = {"gcloud", "auth", "activate-refresh-token", u->admin, refresh, "--quiet",
			NULL};
	if ((rc = gcloudcfg_spawn(u->gcloud_dir, argv, NULL, log, &u->gcloud_pid)) == 0)
		*spawned = 1;
out:
	json_decref(tokens);
	free(refresh);
	return rc;
}

/* On a start after the first: the admin's access token in gcloud's cache is replaced by
 * a fresh one from the refresh token gcloud holds, as gcloud's own refresh would do, so
 * that gcloud works at once even when its cached token is one gkeid no longer honours (a
 * start with another GKEID_CLOCK_OFFSET, say). Without a refresh token (the user logged
 * the admin out), nothing is done. */
static void refresh_admin(struct up *u)
{
	json_t *tokens = NULL;
	struct gcloud_user user = {.account = u->admin};
	char *refresh = gcloudcfg_refresh_token(u->gcloud_dir, u->admin);
	if (refresh && admin_tokens(u, refresh, &user, &tokens) == 0) {
		int rc = gcloudcfg_store_token(u->gcloud_dir, &user);
		if (rc != 0)
			fprintf(stderr, "gkeid: cannot refresh the admin's token in gcloud's cache: %s\n",
				strerror(-rc));
	}
	json_decref(tokens);
	free(refresh);
}

/* Writes the default cluster's kubeconfig as `gcloud container clusters get-credentials`
 * would (gcloudkube.c), or runs gcloud for it when only gcloud can (*spawned set). */
static int write_kubeconfig(struct up *u, const char *log, int *spawned)
{
	char key[400];
	json_t *cluster = NULL;
	int rc;
	*spawned = 0;
	if ((rc = SFMT(key, "/projects/%s/locations/%s/clusters/%s", u->project, u->location,
		       u->cluster)) != 0)
		return rc;
	cluster = cloud_store_get_json(u->cloud.store, key);
	rc = cluster ? gcloudcfg_kubeconfig(u->kubeconfig, u->gcloud_dir, u->project, u->location,
					    cluster)
		     : 1;
	json_decref(cluster);
	if (rc == 0) {
		/* then kubectl's first call needs no gcloud start either */
		char context[300];
		int prc = gcloudcfg_context(context, sizeof(context), u->project, u->location,
					    u->cluster);
		if (prc == 0)
			prc = gcloudcfg_plugin_cache(u->kubeconfig, u->gcloud_dir, context, u->admin,
						     u->admin_token[0] ? u->admin_token : NULL,
						     u->admin_expiry);
		if (prc != 0)
			fprintf(stderr, "gkeid: cannot write gke-gcloud-auth-plugin's cache: %s\n",
				strerror(-prc));
	}
	if (rc <= 0)
		return rc;
	char *argv[] = {"gcloud",	   "container", "clusters", "get-credentials", u->cluster,
			"--location", u->location, "--quiet",  NULL};
	if ((rc = gcloudcfg_spawn(u->gcloud_dir, argv, u->kubeconfig, log, &u->gcloud_pid)) == 0)
		*spawned = 1;
	return rc;
}

/* Runs the current step (writing gcloud's files, or starting gcloud where only it can),
 * skipping steps that are not needed; when none is left, writes DIR/env. */
static void run_steps(struct up *u)
{
	char log[PATH_MAX + 32];
	snprintf(log, sizeof(log), "%s/gcloud.log", u->dir);
	for (; u->step < STEP_DONE; u->step++) {
		int rc, spawned = 0;
		if (u->step == STEP_ACTIVATE) {
			if (!u->admin[0])
				continue;
			if (gcloudcfg_activated(u->gcloud_dir, u->admin)) {
				refresh_admin(u);
				continue;
			}
			rc = activate_admin(u, log, &spawned);
		} else {
			if (!u->cluster[0])
				continue;
			rc = write_kubeconfig(u, log, &spawned);
		}
		if (spawned)
			return; /* on_signal(SIGCHLD) goes on */
		if (rc != 0)
			fprintf(stderr, "gkeid: cannot %s (%s); DIR/env will lack its part\n",
				u->step == STEP_ACTIVATE ? "activate the admin in gcloud"
							 : "write the kubeconfig",
				strerror(-rc));
	}
	finish_start(u);
}

/* Writes DIR/env once the node (if any) serves, so that `gkeid exec` works as soon as
 * the env file exists. Polls every 10 ms (a stat; a node starts in about 50-80 ms, and a
 * coarser tick was a cold start's idle tail), for 15 s at most. */
static void finish_start(struct up *u)
{
	if (u->node_pid > 0 && !upnode_ready(u->dir) && u->node_polls++ < 1500 && u->node_wait) {
		struct timeval tick = {0, 10000};
		evtimer_add(u->node_wait, &tick);
		return;
	}
	if (u->node_pid > 0 && !upnode_ready(u->dir))
		fprintf(stderr, "gkeid: the node agent is not serving yet; see the log above\n");
	key_prefetch_end(); /* the start's keys are made: none is kept in memory unused */
	if (write_env(u) != 0)
		fprintf(stderr, "gkeid: cannot write %s/env\n", u->dir);
}

static void on_node_wait(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	finish_start(arg);
}

/* The Container API tells the Kubernetes side about cluster changes through this. */
static int on_cluster(void *arg, const char *event, json_t *cluster)
{
	struct up *u = arg;
	if (strcmp(event, "create") == 0)
		return kube_cluster_start(&u->kube, cluster, 0, NULL);
	if (strcmp(event, "update") == 0)
		return kube_cluster_update(&u->kube, cluster);
	/* delete: the project is in the selfLink (".../projects/P/locations/L/clusters/C") */
	const char *self = json_string_value(json_object_get(cluster, "selfLink"));
	const char *name = json_string_value(json_object_get(cluster, "name"));
	const char *loc = json_string_value(json_object_get(cluster, "location"));
	const char *p = self ? strstr(self, "/projects/") : NULL;
	char project[128];
	if (!p || !name || !loc || sscanf(p, "/projects/%127[^/]", project) != 1)
		return -EINVAL;
	return kube_cluster_delete(&u->kube, project, loc, name, 1);
}

/* Starts the Kubernetes side of every stored cluster (seeded, or kept from an earlier
 * run), and picks the default project's first cluster for the kubeconfig. */
static int start_clusters(struct up *u)
{
	struct store_kv *kvs = NULL;
	size_t n = 0, started = 0;
	u->cloud.on_cluster = on_cluster;
	u->cloud.on_cluster_arg = u;
	int rc = container_clusters_resume(&u->cloud, &started);
	if (rc != 0)
		fprintf(stderr, "gkeid: not every cluster started: %s\n", strerror(-rc));
	char prefix[200];
	snprintf(prefix, sizeof(prefix), "/projects/%s/locations/", u->project);
	if (store_range(u->cloud.store, prefix, 0, &kvs, &n, NULL) != 0)
		return 0;
	for (size_t i = 0; i < n && !u->cluster[0]; i++) {
		char location[64], name[64], rest[8];
		if (sscanf(kvs[i].key + strlen(prefix), "%63[^/]/clusters/%63[^/]%7s", location,
			   name, rest) == 2) {
			snprintf(u->cluster, sizeof(u->cluster), "%s", name);
			snprintf(u->location, sizeof(u->location), "%s", location);
		}
	}
	store_kvs_free(kvs, n);
	return 0;
}

/* The data dir and what lives in it: the keys dir, the store, the Google signing key,
 * the sealing key of the system-managed keys, and the IAM engine over the store.
 * 0, or -1 after saying what failed. */
static int open_data(struct up *u, const char *dir, int64_t propagation)
{
	char path[PATH_MAX + 32];
	int rc;
	if (mkdir_private(dir) != 0 || !realpath(dir, u->dir)) {
		fprintf(stderr, "gkeid up: cannot use data dir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	/* Every file gkeid keeps under the data dir then fits the PATH_MAX-sized names built
	 * below and in the modules (keys/CLUSTER-sa.pem, gcloud/configurations/...). */
	if (strlen(u->dir) > UP_DIR_MAX) {
		fprintf(stderr, "gkeid up: the data dir's path is too long (%zu bytes; at most %d)\n",
			strlen(u->dir), UP_DIR_MAX);
		return -1;
	}
	snprintf(u->gcloud_dir, sizeof(u->gcloud_dir), "%s/gcloud", u->dir);
	snprintf(u->kubeconfig, sizeof(u->kubeconfig), "%s/kubeconfig", u->dir);
	snprintf(path, sizeof(path), "%s/keys", u->dir);
	if (mkdir_private(path) != 0) {
		fprintf(stderr, "gkeid up: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/store.db", u->dir);
	if ((rc = store_open(path, &u->cloud.store)) != 0) {
		fprintf(stderr, "gkeid up: cannot open store %s: %s\n", path, strerror(-rc));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/keys/system-keys.seal", u->dir);
	if ((rc = seal_key_load_or_create(path, u->cloud.seal_key)) != 0) {
		fprintf(stderr, "gkeid up: cannot load or create %s: %s\n", path, strerror(-rc));
		return -1;
	}
	u->cloud.has_seal_key = 1;
	u->cloud.propagation_ms = propagation;
	if (iam_new(u->cloud.store, embed_roles_json, EMBED_LEN(roles_json), propagation,
		    &u->cloud.iam) != 0) {
		fprintf(stderr, "gkeid up: cannot load the IAM role catalog\n");
		return -1;
	}
	/* after the catalog: a new data dir's key is being made meanwhile (prefetch_keys) */
	snprintf(path, sizeof(path), "%s/keys/google-signing.pem", u->dir);
	if (!(u->cloud.signing_key = key_load_or_create(path))) {
		fprintf(stderr, "gkeid up: cannot load or create %s\n", path);
		return -1;
	}
	key_id(u->cloud.signing_key, u->cloud.signing_kid);
	return 0;
}

/* The event loop, the Google APIs' router (with the fault routes), the Kubernetes side,
 * and the listener on 127.0.0.1. 0, or -1 after saying what failed. */
static int serve_google(struct up *u, const struct http_limits *limits)
{
	int rc;
	signal(SIGPIPE, SIG_IGN);
	http_conn_set_budget(limits->max_conns);
	if (!(u->base = http_base_new()) || !(u->http = evhttp_new(u->base)) ||
	    !(u->router = http_router_new(&u->cloud)) || cloud_routes_add(u->router) != 0 ||
	    !(u->faults = upfaults_new()) || upfaults_routes_add(u->faults, u->router) != 0 ||
	    !(u->guard = http_guard_new(u->base, u->http, limits, "google", http_router_dispatch,
					u->router, NULL, NULL))) {
		fprintf(stderr, "gkeid up: out of memory\n");
		return -1;
	}
	http_guard_set_log(u->guard, stderr);
	if ((rc = kube_init(&u->kube, u->cloud.store, &u->cloud, u->base, u->dir)) != 0) {
		fprintf(stderr, "gkeid up: cannot set up the Kubernetes CA in %s/keys: %s\n",
			u->dir, strerror(-rc));
		return -1;
	}
	u->kube_ready = 1;
	u->kube.limits = *limits; /* every cluster's listener, and the node agent */
	evhttp_set_max_body_size(u->http, 8 * HTTP_BODY_CAP);
	evhttp_set_max_headers_size(u->http, 64 * 1024);
	evhttp_set_allowed_methods(u->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
						    EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
						    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	http_router_set_log(u->router, stderr);
	int bound = 0;
	if (!http_guard_bind(u->guard, "127.0.0.1", u->port, &bound)) {
		fprintf(stderr, "gkeid up: cannot listen on 127.0.0.1:%d: %s\n", u->port,
			strerror(errno));
		return -1;
	}
	snprintf(u->cloud.base_url, sizeof(u->cloud.base_url), "http://127.0.0.1:%d", bound);
	fprintf(stderr, "gkeid: Google APIs on %s (data in %s)\n", u->cloud.base_url, u->dir);
	return 0;
}

/* Signals, the maintenance timer, and the node agent of the default cluster. 0 or -1. */
static int start_events(struct up *u)
{
	static const int sig_list[3] = {SIGINT, SIGTERM, SIGCHLD};
	for (int i = 0; i < 3; i++) {
		u->sigs[i] = evsignal_new(u->base, sig_list[i], on_signal, u);
		if (!u->sigs[i] || event_add(u->sigs[i], NULL) != 0)
			return -1;
	}
	struct timeval every = {MAINTENANCE_SECONDS, 0};
	u->maintenance = event_new(u->base, -1, EV_PERSIST, on_maintenance, u);
	if (!u->maintenance || event_add(u->maintenance, &every) != 0)
		return -1;
	if (u->cluster[0]) {
		u->node_wait = evtimer_new(u->base, on_node_wait, u);
		int rc = u->node_wait ? upnode_start(&u->kube, &u->cloud, u->dir, u->project,
						     u->location, u->cluster, &u->node_pid)
				      : -ENOMEM;
		if (rc != 0)
			fprintf(stderr, "gkeid: the node agent did not start: %s\n", strerror(-rc));
	}
	return 0;
}

/* A new data dir's RSA keys, made on threads while the start goes on (key_prefetch):
 * the Google signing key, and with the demo state its cluster's service-account key and
 * the node's key (upnode.c). A key not made ahead is made when needed, as before. */
static void prefetch_keys(const struct up_options *o)
{
	char path[PATH_MAX];
	unsigned n = 0;
	if (SFMT(path, "%s/store.db", o->dir) == 0 && access(path, F_OK) != 0)
		n = o->state_file ? 1 : 3;
	else if (SFMT(path, "%s/keys/google-signing.pem", o->dir) == 0 && access(path, F_OK) != 0)
		n = 1;
	if (n && key_prefetch(n) != 0)
		fprintf(stderr, "gkeid: keys are made one at a time (no thread for them)\n");
}

/* Stops the children and frees everything up_run made, whatever it got to. */
static void up_close(struct up *u)
{
	if (u->gcloud_pid > 0) {
		kill(u->gcloud_pid, SIGTERM);
		waitpid(u->gcloud_pid, NULL, 0);
	}
	if (u->node_pid > 0) {
		kill(u->node_pid, SIGTERM);
		waitpid(u->node_pid, NULL, 0);
	}
	if (u->node_wait)
		event_free(u->node_wait);
	for (int i = 0; i < 3; i++)
		if (u->sigs[i])
			event_free(u->sigs[i]);
	if (u->maintenance)
		event_free(u->maintenance);
	upfaults_free(u->faults);
	if (u->kube_ready)
		kube_free(&u->kube); /* its listeners live on the event base */
	if (u->http)
		evhttp_free(u->http);
	http_guard_free(u->guard);
	http_router_free(u->router);
	if (u->base)
		event_base_free(u->base);
	cloud_release(&u->cloud);
	iam_free(u->cloud.iam);
	key_prefetch_end();
	EVP_PKEY_free(u->cloud.signing_key);
	OPENSSL_cleanse(u->cloud.seal_key, sizeof(u->cloud.seal_key));
	store_close(u->cloud.store);
}

int up_run(const struct up_options *o)
{
	struct up u;
	int rc = 1;
	memset(&u, 0, sizeof(u));
	u.port = o->port;
	prefetch_keys(o);
	if (open_data(&u, o->dir, o->propagation_ms) != 0 || serve_google(&u, &o->limits) != 0 ||
	    seed_state(&u, o->state_file) != 0 || start_clusters(&u) != 0)
		goto out;
	int frc = upfaults_init(u.faults, &u.kube, &u.cloud, u.project, u.location, u.cluster,
				o->propagation_ms);
	if (frc != 0)
		fprintf(stderr, "gkeid: cannot write the gke-metadata-server pod: %s\n",
			strerror(-frc));
	int grc = gcloudcfg_write(u.gcloud_dir, u.cloud.base_url, u.admin, u.project, u.location);
	if (grc != 0)
		fprintf(stderr, "gkeid: cannot write the gcloud config in %s: %s\n", u.gcloud_dir,
			strerror(-grc));
	if (start_events(&u) != 0)
		goto out;
	run_steps(&u);
	event_base_dispatch(u.base);
	rc = 0;
out:
	up_close(&u);
	return rc;
}
