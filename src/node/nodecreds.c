/*
 * nodecreds.c - the node's own Google identity and its node pool's settings. With
 * --credentials (the node's service-account key, as a GCE VM has its default service
 * account), the node gets its own tokens by the JWT-bearer grant at the key's
 * token_uri (access tokens with scope, ID tokens with target_audience), and reads its
 * cluster from the Container API every --pool-poll: the cluster's id (cluster-uid),
 * and its node pool's config.workloadMetadataConfig.mode and oauthScopes. In
 * GCE_METADATA mode pods get the node's identity, as on GKE. Without credentials the
 * mode is GKE_METADATA.
 */
#include "node/node.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/http.h"
#include "core/jwt.h"
#include "node/mdpath.h"

#define KEY_CAP (64 * 1024)
#define RESP_CAP (1u << 20)
#define MAX_ENTRIES 64
#define CLOUD_PLATFORM "https://www.googleapis.com/auth/cloud-platform"

struct cwait {
	struct cwait *next;
	md_token_fn fn;
	void *arg;
};

struct centry {
	struct creds *cr;
	int id; /* an ID token for what; else an access token with scopes what */
	char what[MD_SCOPES_MAX]; /* any scopes or audience mdpath.c lets through */
	char *value;
	int64_t expiry_ms;
	int fetching;
	struct cwait *waiters;
	int64_t used_ms;
};

struct creds {
	struct node *n;
	EVP_PKEY *key;
	char email[NODE_EMAIL_MAX];
	char kid[128];
	char token_uri[NODE_URL_MAX];
	char token_path[NODE_URL_MAX];
	struct md_client *oauth;
	struct centry *entries[MAX_ENTRIES];
	size_t n_entries;
	int gce_mode;
	char scopes[4096];
	struct event *poll;
	int polling;
	char last_mode[32];
	char version[64], datapath[64];
};

const char *md_nodecreds_version(const struct node *n)
{
	const struct creds *cr = n->creds;
	return cr ? cr->version : "";
}

const char *md_nodecreds_datapath(const struct node *n)
{
	const struct creds *cr = n->creds;
	return cr ? cr->datapath : "";
}

int md_nodecreds_gce_mode(const struct node *n)
{
	const struct creds *cr = n->creds;
	return cr && cr->gce_mode;
}

const char *md_nodecreds_email(const struct node *n)
{
	const struct creds *cr = n->creds;
	return cr ? cr->email : "";
}

const char *md_nodecreds_scopes(const struct node *n)
{
	const struct creds *cr = n->creds;
	return cr && cr->scopes[0] ? cr->scopes : CLOUD_PLATFORM;
}

static void answer(struct centry *e, int rc, const struct md_err *err)
{
	struct cwait *w = e->waiters;
	e->waiters = NULL;
	while (w) {
		struct cwait *next = w->next;
		w->fn(w->arg, rc, rc == 0 ? e->value : NULL, e->expiry_ms, err);
		free(w);
		w = next;
	}
}

static void on_token(void *arg, const struct md_resp *r)
{
	struct centry *e = arg;
	struct node *n = e->cr->n;
	struct md_err err;
	md_metrics_upstream(n, MD_UP_OAUTH, r);
	e->fetching = 0;
	json_t *j = r->status == 200 ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	const char *tok =
		json_string_value(json_object_get(j, e->id ? "id_token" : "access_token"));
	if (tok && md_token_ok(tok)) {
		int64_t expiry = md_now_ms() + 3600 * 1000;
		json_t *ei = json_object_get(j, "expires_in");
		if (!e->id && json_is_integer(ei) && json_integer_value(ei) > 0 &&
		    json_integer_value(ei) <= 43200)
			expiry = md_now_ms() + json_integer_value(ei) * 1000;
		if (e->id) {
			struct jwt t;
			if (jwt_parse(tok, &t) == 0) {
				json_t *exp = json_object_get(t.claims, "exp");
				if (json_is_integer(exp))
					expiry = json_integer_value(exp) * 1000;
				jwt_free(&t);
			}
		}
		char *v = strdup(tok);
		json_decref(j);
		if (v) {
			free(e->value);
			e->value = v;
			e->expiry_ms = expiry;
			answer(e, 0, NULL);
			return;
		}
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		answer(e, -ENOMEM, &err);
		return;
	}
	json_decref(j);
	if (r->status == 0)
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: the node's token: %s\n",
			   r->error);
	else
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: the node's token: HTTP %d: "
			   "%.800s\n",
			   r->status, r->body);
	if (e->value && e->expiry_ms - md_now_ms() > 1000) {
		answer(e, 0, NULL); /* the token endpoint is away: the cached token holds */
		return;
	}
	answer(e, -EIO, &err);
}

/* Starts a JWT-bearer grant for e. 0 or -errno. */
static int fetch(struct centry *e)
{
	struct creds *cr = e->cr;
	int64_t now = md_now_ms() / 1000;
	json_t *claims = json_pack("{s:s, s:s, s:I, s:I}", "iss", cr->email, "aud", cr->token_uri,
				   "iat", (json_int_t)now, "exp", (json_int_t)(now + 3600));
	if (!claims)
		return -ENOMEM;
	json_object_set_new(claims, e->id ? "target_audience" : "scope", json_string(e->what));
	char *assertion = jwt_sign(cr->key, cr->kid[0] ? cr->kid : NULL, NULL, claims);
	json_decref(claims);
	if (!assertion)
		return -ENOMEM;
	size_t cap = strlen(assertion) * 3 + 256, off = 0;
	char *body = malloc(cap);
	int rc = -ENOMEM;
	if (body &&
	    http_form_add(body, cap, &off, "grant_type",
			  "urn:ietf:params:oauth:grant-type:jwt-bearer") == 0 &&
	    http_form_add(body, cap, &off, "assertion", assertion) == 0) {
		struct md_req rq = {.method = "POST",
				    .path = cr->token_path,
				    .ctype = "application/x-www-form-urlencoded",
				    .body = body,
				    .body_len = off,
				    .cap = RESP_CAP,
				    .timeout_s = 15};
		rc = md_client_call(cr->oauth, &rq, on_token, e, NULL);
	}
	free(body);
	free(assertion);
	if (rc == 0)
		e->fetching = 1;
	return rc;
}

/* A scopes or audience parameter longer than an entry's key: refused, never cut. */
static void too_long(md_token_fn fn, void *arg)
{
	struct md_err err;
	md_err_set(&err, 400, "GKE Metadata Server encountered an error: parameter too long\n");
	fn(arg, -EINVAL, NULL, 0, &err);
}

static void get(struct node *n, int id, const char *what, md_token_fn fn, void *arg)
{
	struct creds *cr = n->creds;
	struct md_err err;
	if (n->stopping) {
		md_err_set(&err, 503, "GKE Metadata Server encountered an error: shutting down\n");
		fn(arg, -ECANCELED, NULL, 0, &err);
		return;
	}
	if (!cr || !cr->key) {
		md_err_set(
			&err, 500,
			"GKE Metadata Server encountered an error: the node has no service account "
			"credentials\n");
		fn(arg, -ENOENT, NULL, 0, &err);
		return;
	}
	if (strlen(what) >= sizeof(cr->entries[0]->what)) {
		too_long(fn, arg);
		return;
	}
	struct centry *e = NULL;
	for (size_t i = 0; i < cr->n_entries && !e; i++)
		if (cr->entries[i]->id == id && strcmp(cr->entries[i]->what, what) == 0)
			e = cr->entries[i];
	int64_t now = md_now_ms();
	if (!e) {
		if (cr->n_entries == MAX_ENTRIES) {
			/* replace the least recently used idle entry */
			size_t victim = MAX_ENTRIES;
			for (size_t i = 0; i < cr->n_entries; i++)
				if (!cr->entries[i]->fetching &&
				    (victim == MAX_ENTRIES ||
				     cr->entries[i]->used_ms < cr->entries[victim]->used_ms))
					victim = i;
			if (victim == MAX_ENTRIES) {
				md_err_set(&err, 503,
					   "GKE Metadata Server encountered an error: busy\n");
				fn(arg, -EBUSY, NULL, 0, &err);
				return;
			}
			free(cr->entries[victim]->value);
			free(cr->entries[victim]);
			cr->entries[victim] = cr->entries[--cr->n_entries];
		}
		e = calloc(1, sizeof(*e));
		if (!e) {
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: out of memory\n");
			fn(arg, -ENOMEM, NULL, 0, &err);
			return;
		}
		e->cr = cr;
		e->id = id;
		memcpy(e->what, what, strlen(what) + 1); /* measured above */
		cr->entries[cr->n_entries++] = e;
	}
	e->used_ms = now;
	/* like GCE: a token is handed out while it has more than 5 minutes left, then renewed */
	if (e->value && e->expiry_ms - now > 300000) {
		n->m.token_hits++;
		fn(arg, 0, e->value, e->expiry_ms, NULL);
		return;
	}
	struct cwait *w = calloc(1, sizeof(*w));
	if (!w) {
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		fn(arg, -ENOMEM, NULL, 0, &err);
		return;
	}
	w->fn = fn;
	w->arg = arg;
	w->next = e->waiters;
	e->waiters = w;
	if (e->fetching) {
		n->m.token_coalesced++;
		return;
	}
	n->m.token_misses++;
	if (fetch(e) != 0) {
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		answer(e, -ENOMEM, &err);
	}
}

void md_nodecreds_access(struct node *n, const char *scopes, md_token_fn fn, void *arg)
{
	char norm[sizeof(((struct centry *)0)->what)];
	size_t j = 0;
	const char *s = scopes && *scopes ? scopes : md_nodecreds_scopes(n);
	if (strlen(s) >= sizeof(norm)) { /* not reached: mdpath.c bounds the parameter */
		too_long(fn, arg);
		return;
	}
	for (; *s; s++)
		norm[j++] = *s == ',' ? ' ' : *s;
	norm[j] = '\0';
	get(n, 0, norm, fn, arg);
}

void md_nodecreds_id(struct node *n, const char *audience, md_token_fn fn, void *arg)
{
	get(n, 1, audience, fn, arg);
}

/* --- the Container API: cluster id and node pool mode --- */

static void poll_later(struct creds *cr)
{
	int64_t ms = cr->n->cfg.pool_poll_ms > 0 ? cr->n->cfg.pool_poll_ms : 10000;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	event_add(cr->poll, &tv);
}

static void on_cluster(void *arg, const struct md_resp *r)
{
	struct creds *cr = arg;
	struct node *n = cr->n;
	md_metrics_upstream(n, MD_UP_CONTAINER, r);
	cr->polling = 0;
	if (r->status != 200) {
		if (r->status == 0)
			md_log(n, "container API: %s", r->error);
		else
			md_log(n, "container API: HTTP %d: %.300s", r->status, r->body);
		poll_later(cr);
		return;
	}
	json_t *cl = json_loadb(r->body, r->len, 0, NULL);
	const char *id = json_string_value(json_object_get(cl, "id"));
	if (id && *id && strlen(id) < sizeof(n->cfg.cluster_uid) &&
	    strcmp(id, n->cfg.cluster_uid) != 0) {
		snprintf(n->cfg.cluster_uid, sizeof(n->cfg.cluster_uid), "%s", id);
		md_http_refresh(n);
	}
	const char *ver = json_string_value(json_object_get(cl, "currentMasterVersion"));
	const char *dp = json_string_value(
		json_object_get(json_object_get(cl, "networkConfig"), "datapathProvider"));
	snprintf(cr->version, sizeof(cr->version), "%s",
		 ver && strlen(ver) < sizeof(cr->version) ? ver : "");
	snprintf(cr->datapath, sizeof(cr->datapath), "%s",
		 dp && strlen(dp) < sizeof(cr->datapath) ? dp : "");
	size_t i;
	json_t *np;
	json_array_foreach(json_object_get(cl, "nodePools"), i, np)
	{
		const char *name = json_string_value(json_object_get(np, "name"));
		if (!name || strcmp(name, n->cfg.node_pool) != 0)
			continue;
		const json_t *cfg = json_object_get(np, "config");
		const char *mode = json_string_value(
			json_object_get(json_object_get(cfg, "workloadMetadataConfig"), "mode"));
		char scopes[sizeof(cr->scopes)] = "";
		size_t off = 0, k;
		json_t *s;
		json_array_foreach(json_object_get(cfg, "oauthScopes"), k, s)
		{
			const char *v = json_string_value(s);
			if (!v || strlen(v) > 512 ||
			    sfmt(scopes + off, sizeof(scopes) - off, "%s%s", off ? " " : "", v) < 0)
				continue; /* one that does not fit is left out, whole */
			off += strlen(scopes + off);
		}
		snprintf(cr->scopes, sizeof(cr->scopes), "%s", scopes);
		int gce = mode && strcmp(mode, "GCE_METADATA") == 0;
		const char *shown = mode ? mode : "(unset)";
		if (strcmp(shown, cr->last_mode) != 0)
			md_log(n, "node pool %s: workloadMetadataConfig.mode %s%s",
			       n->cfg.node_pool, shown,
			       gce ? ": pods get the node's identity" : "");
		snprintf(cr->last_mode, sizeof(cr->last_mode), "%.31s", shown);
		cr->gce_mode = gce;
	}
	json_decref(cl);
	poll_later(cr);
}

static void on_cluster_token(void *arg, int rc, const char *value, int64_t expiry_ms,
			     const struct md_err *err)
{
	struct creds *cr = arg;
	struct node *n = cr->n;
	char path[700];
	(void)expiry_ms;
	if (rc != 0) {
		md_log(n, "container API: no node token: %.300s", err ? err->text : "");
		cr->polling = 0;
		poll_later(cr);
		return;
	}
	struct md_req rq = {
		.method = "GET", .path = path, .bearer = value, .cap = 4u << 20, .timeout_s = 15};
	if (SFMT(path, "/v1/projects/%s/locations/%s/clusters/%s", n->cfg.project, n->cfg.location,
		 n->cfg.cluster) < 0 ||
	    md_client_call(n->container, &rq, on_cluster, cr, NULL) != 0) {
		cr->polling = 0;
		poll_later(cr);
	}
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct creds *cr = arg;
	(void)fd, (void)what;
	if (cr->polling || cr->n->stopping)
		return;
	cr->polling = 1;
	get(cr->n, 0, CLOUD_PLATFORM, on_cluster_token, cr);
}

/* Reads the key file. 0 or -errno (reason logged). */
static int load_key(struct creds *cr, const char *file)
{
	struct node *n = cr->n;
	FILE *f = fopen(file, "rb");
	char *buf = NULL;
	json_t *j = NULL;
	struct evhttp_uri *u = NULL;
	int rc = -EINVAL;
	if (!f) {
		md_log(n, "--credentials %s: %s", file, strerror(errno));
		return -errno;
	}
	buf = malloc(KEY_CAP);
	size_t len = buf ? fread(buf, 1, KEY_CAP - 1, f) : 0;
	fclose(f);
	if (!buf)
		return -ENOMEM;
	j = json_loadb(buf, len, 0, NULL);
	const char *email = json_string_value(json_object_get(j, "client_email"));
	const char *pem = json_string_value(json_object_get(j, "private_key"));
	const char *kid = json_string_value(json_object_get(j, "private_key_id"));
	const char *uri = json_string_value(json_object_get(j, "token_uri"));
	if (!email || !md_email_ok(email) || !pem || !uri || strlen(uri) >= sizeof(cr->token_uri)) {
		md_log(n, "--credentials %s: not a service-account key file", file);
		goto out;
	}
	cr->key = key_from_pem(pem, strlen(pem));
	if (!cr->key) {
		md_log(n, "--credentials %s: unreadable private_key", file);
		goto out;
	}
	snprintf(cr->email, sizeof(cr->email), "%s", email);
	snprintf(cr->kid, sizeof(cr->kid), "%s", kid && strlen(kid) < sizeof(cr->kid) ? kid : "");
	snprintf(cr->token_uri, sizeof(cr->token_uri), "%s", uri);
	u = evhttp_uri_parse(uri);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL;
	const char *host = u ? evhttp_uri_get_host(u) : NULL;
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	if (!scheme || !host || !path || path[0] != '/') {
		md_log(n, "--credentials %s: bad token_uri %s", file, uri);
		goto out;
	}
	char base[NODE_URL_MAX];
	int port = evhttp_uri_get_port(u);
	rc = port > 0 ? SFMT(base, "%s://%s:%d", scheme, host, port)
		      : SFMT(base, "%s://%s", scheme, host);
	if (!rc)
		rc = SFMT(cr->token_path, "%s", path);
	if (!rc && strncmp(base, "https://", 8) == 0 && !md_google_tls(n))
		rc = -EINVAL;
	if (!rc)
		rc = md_client_new(n->base, n->dns, base, n->google_tls, &cr->oauth);
	if (rc != 0)
		md_log(n, "--credentials %s: cannot use token_uri %s", file, uri);
out:
	if (u)
		evhttp_uri_free(u);
	json_decref(j);
	free(buf);
	return rc;
}

int md_nodecreds_start(struct node *n)
{
	struct creds *cr = calloc(1, sizeof(*cr));
	if (!cr)
		return -ENOMEM;
	cr->n = n;
	n->creds = cr;
	if (!n->cfg.credentials[0])
		return 0;
	int rc = load_key(cr, n->cfg.credentials);
	if (rc != 0)
		return rc;
	cr->poll = event_new(n->base, -1, 0, on_poll, cr);
	if (!cr->poll)
		return -ENOMEM;
	event_active(cr->poll, EV_TIMEOUT, 1);
	md_log(n, "node identity %s", cr->email);
	return 0;
}

void md_nodecreds_stop(struct node *n)
{
	struct creds *cr = n->creds;
	if (!cr)
		return;
	struct md_err err;
	md_err_set(&err, 503, "GKE Metadata Server encountered an error: shutting down\n");
	md_client_free(cr->oauth);
	for (size_t i = 0; i < cr->n_entries; i++) {
		answer(cr->entries[i], -ECANCELED, &err);
		free(cr->entries[i]->value);
		free(cr->entries[i]);
	}
	if (cr->poll)
		event_free(cr->poll);
	EVP_PKEY_free(cr->key);
	free(cr);
	n->creds = NULL;
}
