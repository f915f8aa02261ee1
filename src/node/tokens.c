/*
 * tokens.c - Workload Identity's token flow, as gke-metadata-server runs it, with a
 * cache in front:
 *
 *   federated (per KSA, scopes): TokenRequest (audience = the workload pool, bound to
 *     the asking pod) -> STS token exchange (audience identitynamespace:POOL:ISSUER,
 *     subject_token_type jwt) -> a federated access token of POOL[NS/KSA]
 *   access (per KSA, GSA, scopes): the federated token itself for an unannotated KSA;
 *     else IAM Credentials generateAccessToken on the GSA, with the federated token
 *   identity (per KSA, GSA, audience, format): generateIdToken on the GSA
 *
 * Every entry is fetched once however many pods ask at once (waiters queue on it),
 * refreshed in the background at 80% of its lifetime while it is in use, and served
 * from the cache while valid even when the control plane is down. Entries are bounded
 * (LRU). Errors are never cached: an IAM binding that propagates is seen at once.
 */
#include "node/node.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/http.h"
#include "core/jwt.h"

#define DEFAULT_SCOPES                                                                             \
	"https://www.googleapis.com/auth/cloud-platform "                                          \
	"https://www.googleapis.com/auth/userinfo.email"
#define KSA_TOKEN_SECONDS 7200
#define RESP_CAP (256 * 1024)
#define MIN_VALID_MS 1000 /* a token with less left is not handed out */
#define RETRY_MIN_MS 2000
#define RETRY_MAX_MS 60000
#define RECHECK_MS (5 * 60 * 1000) /* GSA tokens are renewed at least this often in use */
#define HINT                                                                                       \
	"This error could be caused by a missing IAM policy binding on the target IAM service "    \
	"account.\nFor more information, refer to the Workload Identity documentation:\n"          \
	"\thttps://cloud.google.com/kubernetes-engine/docs/how-to/"                                \
	"workload-identity#authenticating_to\n"

enum tkind { T_FED, T_ACCESS, T_ID };

struct toks;
struct twait {
	struct twait *next;
	md_token_fn fn;
	void *arg;
};

struct tent {
	struct toks *ts;
	char *key;
	enum tkind kind;
	char ns[64], ksa[254], gsa[NODE_EMAIL_MAX];
	char pod_name[254], pod_uid[64];
	char *scopes; /* space-separated */
	char *audience;
	int full;
	char *value;
	int64_t expiry_ms, obtained_ms, last_used_ms;
	int fetching, background;
	int64_t retry_ms;
	struct twait *waiters;
	struct event *timer; /* refresh ahead, or retry */
	struct tent *prev, *next;
	char *fed; /* the federated token a dependent fetch is using */
};

struct toks {
	struct node *n;
	struct hmap *map;
	struct tent *head, *tail;
	size_t count;
};

/* --- LRU --- */

static void lru_unlink(struct toks *ts, struct tent *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else if (ts->head == e)
		ts->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else if (ts->tail == e)
		ts->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct toks *ts, struct tent *e)
{
	if (ts->head == e)
		return;
	lru_unlink(ts, e);
	e->next = ts->head;
	if (ts->head)
		ts->head->prev = e;
	ts->head = e;
	if (!ts->tail)
		ts->tail = e;
}

static void tent_free(struct tent *e)
{
	if (e->timer)
		event_free(e->timer);
	free(e->key);
	free(e->scopes);
	free(e->audience);
	free(e->value);
	free(e->fed);
	free(e);
}

static void drop(struct toks *ts, struct tent *e)
{
	lru_unlink(ts, e);
	hmap_del(ts->map, e->key);
	ts->count--;
	tent_free(e);
}

static void evict(struct toks *ts)
{
	struct tent *e = ts->tail;
	while (ts->count > ts->n->cfg.max_tokens && e) {
		struct tent *prev = e->prev;
		if (!e->fetching && !e->waiters)
			drop(ts, e);
		e = prev;
	}
}

/* --- answering --- */

static void answer_ok(struct tent *e)
{
	struct twait *w = e->waiters;
	e->waiters = NULL;
	while (w) {
		struct twait *next = w->next;
		w->fn(w->arg, 0, e->value, e->expiry_ms, NULL);
		free(w);
		w = next;
	}
}

static void answer_err(struct tent *e, const struct md_err *err)
{
	struct twait *w = e->waiters;
	e->waiters = NULL;
	while (w) {
		struct twait *next = w->next;
		w->fn(w->arg, -EIO, NULL, 0, err);
		free(w);
		w = next;
	}
}

static void start_fetch(struct tent *e);

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct tent *e = arg;
	(void)fd, (void)what;
	if (e->fetching || e->ts->n->stopping)
		return;
	/* refresh ahead only what was used since it was obtained */
	if (e->last_used_ms <= e->obtained_ms && e->retry_ms == 0)
		return;
	e->background = 1;
	e->ts->n->m.token_refreshes++;
	start_fetch(e);
}

static void arm(struct tent *e, int64_t in_ms)
{
	if (!e->timer)
		e->timer = event_new(e->ts->n->base, -1, 0, on_timer, e);
	if (!e->timer)
		return;
	if (in_ms < 0)
		in_ms = 0;
	struct timeval tv = {(time_t)(in_ms / 1000), (suseconds_t)(in_ms % 1000) * 1000};
	event_add(e->timer, &tv);
}

/* A fetch succeeded: keep value (taken), answer, schedule the refresh at 80%. */
static void succeeded(struct tent *e, char *value, int64_t expiry_ms)
{
	int64_t now = md_now_ms();
	free(e->value);
	e->value = value;
	e->expiry_ms = expiry_ms;
	e->obtained_ms = now;
	e->fetching = 0;
	e->background = 0;
	e->retry_ms = 0;
	answer_ok(e);
	int64_t life = expiry_ms - now;
	/* renew at 80% of the lifetime; tokens IAM issues on a binding are renewed at
	 * least every RECHECK_MS while in use, so a revoked binding is seen soon */
	int64_t at = life * 8 / 10;
	if (e->kind != T_FED && at > RECHECK_MS)
		at = RECHECK_MS;
	if (life > 0)
		arm(e, at);
}

/* A fetch failed with err. Waiters get the cached value while it is valid (the
 * control plane may be down), else the error; a background refresh is retried. */
static void failed(struct tent *e, const struct md_err *err)
{
	struct toks *ts = e->ts;
	int64_t now = md_now_ms();
	e->fetching = 0;
	e->background = 0;
	if (err->status >= 400 && err->status < 500 && e->value) {
		/* a definite no (a revoked binding, a deleted GSA): the cached token goes */
		free(e->value);
		e->value = NULL;
		e->expiry_ms = 0;
	}
	if (e->value && e->expiry_ms - now > MIN_VALID_MS) {
		if (e->waiters)
			ts->n->m.token_stale_served++;
		answer_ok(e);
		e->retry_ms = e->retry_ms ? e->retry_ms * 2 : RETRY_MIN_MS;
		if (e->retry_ms > RETRY_MAX_MS)
			e->retry_ms = RETRY_MAX_MS;
		if (e->retry_ms < e->expiry_ms - now)
			arm(e, e->retry_ms);
		return;
	}
	if (e->value && err->status >= 500) {
		/* it expired while the control plane was away: say so */
		struct md_err e2;
		char when[CLOCK_RFC3339_LEN];
		clock_rfc3339(e->expiry_ms / 1000, when);
		const char *reason = err->text;
		static const char pre[] = "GKE Metadata Server encountered an error: ";
		if (strncmp(reason, pre, sizeof(pre) - 1) == 0)
			reason += sizeof(pre) - 1;
		md_err_set(
			&e2, 500,
			"GKE Metadata Server encountered an error: the cached token of Kubernetes "
			"service account %s/%s expired at %s and a new one cannot be obtained: %s",
			e->ns, e->ksa, when, reason);
		answer_err(e, &e2);
	} else {
		answer_err(e, err);
	}
	if (!e->waiters && !e->value && !e->fetching)
		drop(ts, e);
}

/* --- the federated token: TokenRequest, then STS --- */

static void on_sts(void *arg, const struct md_resp *r)
{
	struct tent *e = arg;
	struct node *n = e->ts->n;
	struct md_err err;
	md_metrics_upstream(n, MD_UP_STS, r);
	json_t *j = r->status ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	if (r->status == 200) {
		const char *tok = json_string_value(json_object_get(j, "access_token"));
		json_t *exp = json_object_get(j, "expires_in");
		if (tok && md_token_ok(tok) && strlen(tok) < 8192 && json_is_integer(exp) &&
		    json_integer_value(exp) > 0 && json_integer_value(exp) <= 43200) {
			char *v = strdup(tok);
			int64_t expiry = md_now_ms() + json_integer_value(exp) * 1000;
			json_decref(j);
			if (!v) {
				md_err_set(&err, 500,
					   "GKE Metadata Server encountered an error: out of "
					   "memory\n");
				failed(e, &err);
				return;
			}
			succeeded(e, v, expiry);
			return;
		}
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: Unable to exchange the "
			   "Kubernetes service account token: STS returned an unexpected answer\n");
	} else if (r->status == 0) {
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: Unable to exchange the "
			   "Kubernetes service account token: %s\n",
			   r->error);
	} else {
		const char *code = json_string_value(json_object_get(j, "error"));
		const char *desc = json_string_value(json_object_get(j, "error_description"));
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: Unable to exchange the "
			   "Kubernetes service account token: STS returned %d: %.64s: %.800s\n",
			   r->status, code ? code : "error", desc ? desc : r->body);
	}
	json_decref(j);
	failed(e, &err);
}

static void on_token_request(void *arg, const struct md_resp *r)
{
	struct tent *e = arg;
	struct node *n = e->ts->n;
	struct md_err err;
	md_metrics_upstream(n, MD_UP_KUBE, r);
	json_t *j = r->status ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	if (r->status == 201 || r->status == 200) {
		const char *tok =
			json_string_value(json_object_get(json_object_get(j, "status"), "token"));
		if (!tok || !*tok || strlen(tok) > 16000) {
			json_decref(j);
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: the TokenRequest for "
				   "%s/%s "
				   "returned no token\n",
				   e->ns, e->ksa);
			failed(e, &err);
			return;
		}
		char *body = malloc(32768);
		size_t off = 0;
		if (!body ||
		    http_form_add(body, 32768, &off, "grant_type",
				  "urn:ietf:params:oauth:grant-type:token-exchange") ||
		    http_form_add(body, 32768, &off, "audience", n->sts_audience) ||
		    http_form_add(body, 32768, &off, "scope", e->scopes) ||
		    http_form_add(body, 32768, &off, "requested_token_type",
				  "urn:ietf:params:oauth:token-type:access_token") ||
		    http_form_add(body, 32768, &off, "subject_token", tok) ||
		    http_form_add(body, 32768, &off, "subject_token_type",
				  "urn:ietf:params:oauth:token-type:jwt")) {
			free(body);
			json_decref(j);
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: out of memory\n");
			failed(e, &err);
			return;
		}
		json_decref(j);
		struct md_req rq = {.method = "POST",
				    .path = "/v1/token",
				    .ctype = "application/x-www-form-urlencoded",
				    .body = body,
				    .body_len = off,
				    .cap = RESP_CAP,
				    .timeout_s = 15};
		int rc = md_client_call(n->sts, &rq, on_sts, e, NULL);
		free(body);
		if (rc != 0) {
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: out of memory\n");
			failed(e, &err);
		}
		return;
	}
	/* for the message only (ns and ksa are short; the base URL is at most NODE_URL_MAX
	 * + 320 bytes) */
	char path[700], url[NODE_URL_MAX + 320 + sizeof(path)];
	if (SFMT(path, "/api/v1/namespaces/%s/serviceaccounts/%s/token", e->ns, e->ksa) < 0 ||
	    md_client_url(n->kube, path, url, sizeof(url)) < 0)
		snprintf(url, sizeof(url), "(a URL too long to show)");
	if (r->status == 0) {
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: Unable to create a token for "
			   "Kubernetes service account %s/%s: %s\n",
			   e->ns, e->ksa, r->error);
	} else {
		const char *msg = json_string_value(json_object_get(j, "message"));
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: Unable to create a token for "
			   "Kubernetes service account %s/%s: Post \"%s\": %d: %.800s\n",
			   e->ns, e->ksa, url, r->status, msg ? msg : r->body);
	}
	json_decref(j);
	failed(e, &err);
}

/* A fetch that could not start: out of memory, or (-ENAMETOOLONG, -E2BIG) a request
 * path that would not fit, which is refused rather than sent cut short. */
static void start_failed(struct tent *e, int rc)
{
	struct md_err err;
	if (rc == -ENAMETOOLONG || rc == -E2BIG)
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: a name is too long for an "
			   "upstream request path\n");
	else
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
	failed(e, &err);
}

static void fetch_fed(struct tent *e)
{
	struct node *n = e->ts->n;
	char path[700];
	json_t *body = json_pack("{s:s, s:s, s:{s:[s], s:i}}", "apiVersion",
				 "authentication.k8s.io/v1", "kind", "TokenRequest", "spec",
				 "audiences", n->pool, "expirationSeconds", KSA_TOKEN_SECONDS);
	if (body && e->pod_name[0])
		json_object_set_new(json_object_get(body, "spec"), "boundObjectRef",
				    json_pack("{s:s, s:s, s:s, s:s}", "apiVersion", "v1", "kind",
					      "Pod", "name", e->pod_name, "uid", e->pod_uid));
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	char *ens = evhttp_encode_uri(e->ns), *eksa = evhttp_encode_uri(e->ksa);
	int rc = -ENOMEM;
	if (s && ens && eksa &&
	    (rc = SFMT(path, "/api/v1/namespaces/%s/serviceaccounts/%s/token", ens, eksa)) == 0) {
		struct md_req rq = {.method = "POST",
				    .path = path,
				    .ctype = "application/json",
				    .body = s,
				    .body_len = strlen(s),
				    .cap = RESP_CAP,
				    .timeout_s = 15};
		rq.bearer = n->kube_bearer[0] ? n->kube_bearer : NULL;
		rc = md_client_call(n->kube, &rq, on_token_request, e, NULL);
	}
	free(s);
	free(ens);
	free(eksa);
	if (rc != 0)
		start_failed(e, rc);
}

/* --- IAM Credentials --- */

static const char *generic_code(int status)
{
	switch (status) {
	case 400:
		return "invalid_argument";
	case 401:
		return "unauthenticated";
	case 403:
		return "permission_denied";
	case 404:
		return "not_found";
	case 409:
		return "aborted";
	case 429:
		return "resource_exhausted";
	case 503:
		return "unavailable";
	default:
		return status >= 500 ? "internal" : "unknown";
	}
}

/* GKE's text for a refused IAM call: "Unable to generate access token; IAM returned
 * 403 Forbidden: HTTP/403: generic::permission_denied: loading:
 * GenerateAccessToken("GSA", ""): googleapi: Error 403: MESSAGE" and the hint. */
static void iam_error(struct tent *e, const struct md_resp *r, struct md_err *err)
{
	json_t *j = json_loadb(r->body, r->len, 0, NULL);
	const char *msg =
		json_string_value(json_object_get(json_object_get(j, "error"), "message"));
	char m[1024];
	snprintf(m, sizeof(m), "%.1000s", msg ? msg : r->body);
	for (char *p = m; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	const char *what = e->kind == T_ID ? "identity token" : "access token";
	const char *method = e->kind == T_ID ? "GenerateIdToken" : "GenerateAccessToken";
	const char *reason = r->status == 403	? "Forbidden"
			     : r->status == 404 ? "Not Found"
			     : r->status == 400 ? "Bad Request"
			     : r->status == 401 ? "Unauthorized"
			     : r->status == 429 ? "Too Many Requests"
						: "Error";
	md_err_set(err, r->status >= 400 && r->status < 600 ? r->status : 500,
		   "Unable to generate %s; IAM returned %d %s: HTTP/%d: generic::%s: loading: "
		   "%s(\"%s\", \"%s\"): googleapi: Error %d: %s\n%s",
		   what, r->status, reason, r->status, generic_code(r->status), method, e->gsa,
		   e->kind == T_ID ? e->audience : "", r->status, m,
		   r->status == 403 || r->status == 404 ? HINT : "");
	json_decref(j);
}

/* "2024-01-01T00:00:00Z" (or with fractional seconds) to ms; -1 when unreadable. */
static int64_t parse_time(const char *s)
{
	int64_t t;
	if (clock_parse_rfc3339(s, &t) != 0 || t < 0)
		return -1;
	return t * 1000;
}

/* The exp claim of a JWT, in ms; -1 when unreadable. */
static int64_t jwt_exp_ms(const char *tok)
{
	struct jwt t;
	if (jwt_parse(tok, &t) != 0)
		return -1;
	json_t *exp = json_object_get(t.claims, "exp");
	int64_t v = json_is_integer(exp) ? json_integer_value(exp) * 1000 : -1;
	jwt_free(&t);
	return v;
}

static void on_iam(void *arg, const struct md_resp *r)
{
	struct tent *e = arg;
	struct node *n = e->ts->n;
	struct md_err err;
	md_metrics_upstream(n, MD_UP_IAM, r);
	free(e->fed);
	e->fed = NULL;
	if (r->status == 200) {
		json_t *j = json_loadb(r->body, r->len, 0, NULL);
		const char *tok = json_string_value(
			json_object_get(j, e->kind == T_ID ? "token" : "accessToken"));
		int64_t expiry = -1;
		if (tok && md_token_ok(tok)) {
			if (e->kind == T_ID)
				expiry = jwt_exp_ms(tok);
			else
				expiry = parse_time(
					json_string_value(json_object_get(j, "expireTime")));
		}
		if (expiry > md_now_ms()) {
			char *v = strdup(tok);
			json_decref(j);
			if (v) {
				succeeded(e, v, expiry);
				return;
			}
			md_err_set(&err, 500,
				   "GKE Metadata Server encountered an error: out of memory\n");
			failed(e, &err);
			return;
		}
		json_decref(j);
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: IAM returned an unexpected "
			   "answer for %s\n",
			   e->gsa);
	} else if (r->status == 0) {
		md_err_set(&err, 500,
			   "GKE Metadata Server encountered an error: Unable to generate %s: %s\n",
			   e->kind == T_ID ? "identity token" : "access token", r->error);
	} else {
		iam_error(e, r, &err);
	}
	failed(e, &err);
}

static void iam_call(struct tent *e, const char *fed)
{
	struct node *n = e->ts->n;
	json_t *body;
	char path[700];
	char *egsa = evhttp_encode_uri(e->gsa);
	if (e->kind == T_ID) {
		body = json_pack("{s:s, s:b}", "audience", e->audience, "includeEmail", 1);
	} else {
		body = json_pack("{s:[], s:s}", "scope", "lifetime", "3600s");
		char *sc = e->scopes ? strdup(e->scopes) : NULL, *save = NULL;
		for (char *t = sc ? strtok_r(sc, " ", &save) : NULL; t && body;
		     t = strtok_r(NULL, " ", &save))
			json_array_append_new(json_object_get(body, "scope"), json_string(t));
		free(sc);
	}
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	int rc = -ENOMEM;
	if (s && egsa &&
	    (rc = SFMT(path, "/v1/projects/-/serviceAccounts/%s:%s", egsa,
		       e->kind == T_ID ? "generateIdToken" : "generateAccessToken")) == 0) {
		e->fed = strdup(fed);
		struct md_req rq = {.method = "POST",
				    .path = path,
				    .ctype = "application/json",
				    .body = s,
				    .body_len = strlen(s),
				    .bearer = e->fed,
				    .cap = RESP_CAP,
				    .timeout_s = 15};
		rc = e->fed ? md_client_call(n->iam, &rq, on_iam, e, NULL) : -ENOMEM;
	}
	free(s);
	free(egsa);
	if (rc != 0) {
		free(e->fed);
		e->fed = NULL;
		start_failed(e, rc);
	}
}

static struct tent *entry(struct toks *ts, enum tkind kind, const char *ns, const char *ksa,
			  const char *gsa, const char *scopes, const char *audience, int full);
static void get(struct toks *ts, struct tent *e, const struct md_pod *pod, md_token_fn fn,
		void *arg);

/* The federated token a dependent (GSA) fetch needs has arrived. */
static void on_fed_for_iam(void *arg, int rc, const char *value, int64_t expiry_ms,
			   const struct md_err *err)
{
	struct tent *e = arg;
	(void)expiry_ms;
	if (rc != 0) {
		failed(e, err);
		return;
	}
	iam_call(e, value);
}

static void start_fetch(struct tent *e)
{
	struct toks *ts = e->ts;
	struct md_err err;
	e->fetching = 1;
	if (e->kind == T_FED) {
		fetch_fed(e);
		return;
	}
	/* the federated token of the default scopes (cloud-platform among them) impersonates:
	 * the same entry an unannotated pod's default token is, so a prefetch serves both */
	struct tent *f = entry(ts, T_FED, e->ns, e->ksa, "", DEFAULT_SCOPES, NULL, 0);
	if (!f) {
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		failed(e, &err);
		return;
	}
	struct md_pod pod;
	memset(&pod, 0, sizeof(pod));
	snprintf(pod.name, sizeof(pod.name), "%s", e->pod_name);
	snprintf(pod.uid, sizeof(pod.uid), "%s", e->pod_uid);
	get(ts, f, &pod, on_fed_for_iam, e);
}

/* --- the cache --- */

/* The cache's key of a token into out (cap bytes): "KIND|NS/KSA|GSA|SCOPES|AUDIENCE|FULL"
 * with the default scopes written as one \x01 byte, which scopes never hold
 * (norm_scopes). Built with memcpy, not printf, and short: every cached answer looks its
 * token up by it (the fast path twice). Its length, or -ENAMETOOLONG. */
static int token_key(char *out, size_t cap, enum tkind kind, const char *ns, const char *ksa,
		     const char *gsa, const char *scopes, const char *audience, int full)
{
	if (scopes && strcmp(scopes, DEFAULT_SCOPES) == 0)
		scopes = "\x01";
	const char *part[] = {ns, "/", ksa, "|", gsa, "|", scopes ? scopes : "", "|",
			      audience ? audience : "", full ? "|1" : "|0"};
	size_t off = 0;
	if (cap < 3)
		return -ENAMETOOLONG;
	out[off++] = (char)('0' + (int)kind);
	out[off++] = '|';
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		size_t l = strlen(part[i]);
		if (l >= cap - off)
			return -ENAMETOOLONG;
		memcpy(out + off, part[i], l);
		off += l;
	}
	out[off] = '\0';
	return (int)off;
}

/* How long after it was obtained a token in use is fetched again. */
static int64_t refresh_at(const struct tent *e)
{
	int64_t at = (e->expiry_ms - e->obtained_ms) * 8 / 10;
	return e->kind != T_FED && at > RECHECK_MS ? RECHECK_MS : at;
}

/* The cached access token of the default scopes for ksa, when get() would hand it out at
 * once without starting a refresh; commit records the hit as get() does. */
int md_token_cached(struct node *n, const struct md_pod *pod, const struct md_ksa *ksa,
		    const char **value, int64_t *expiry_ms, int commit)
{
	struct toks *ts = n->tokens;
	char key[1024];
	int kl = token_key(key, sizeof(key), ksa->gsa[0] ? T_ACCESS : T_FED, ksa->ns, ksa->name,
			   ksa->gsa, DEFAULT_SCOPES, NULL, 0);
	if (!ts || n->stopping || kl < 0)
		return -EAGAIN;
	struct tent *e = hmap_getn(ts->map, key, (size_t)kl);
	int64_t now = md_now_ms();
	if (!e || !e->value || e->expiry_ms - now <= MIN_VALID_MS)
		return -EAGAIN;
	if (!e->fetching && now - e->obtained_ms >= refresh_at(e))
		return -EAGAIN; /* get() starts its refresh */
	if (commit) {
		e->last_used_ms = now;
		lru_front(ts, e);
		if (pod->name[0]) {
			snprintf(e->pod_name, sizeof(e->pod_name), "%s", pod->name);
			snprintf(e->pod_uid, sizeof(e->pod_uid), "%s", pod->uid);
		}
		n->m.token_hits++;
	}
	*value = e->value;
	*expiry_ms = e->expiry_ms;
	return 0;
}

static struct tent *entry(struct toks *ts, enum tkind kind, const char *ns, const char *ksa,
			  const char *gsa, const char *scopes, const char *audience, int full)
{
	char *key = NULL, small[1024]; /* a hit (every cached token) allocates nothing */
	size_t len = strlen(ns) + strlen(ksa) + strlen(gsa) + (scopes ? strlen(scopes) : 0) +
		     (audience ? strlen(audience) : 0) + 32;
	key = len <= sizeof(small) ? small : malloc(len);
	if (!key)
		return NULL;
	int kl = token_key(key, len, kind, ns, ksa, gsa, scopes, audience, full);
	if (kl < 0) {
		if (key != small)
			free(key);
		return NULL;
	}
	struct tent *e = hmap_getn(ts->map, key, (size_t)kl);
	if (e) {
		if (key != small)
			free(key);
		return e;
	}
	if (key == small && !(key = strdup(small)))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e || strlen(ns) >= sizeof(e->ns) || strlen(ksa) >= sizeof(e->ksa) ||
	    strlen(gsa) >= sizeof(e->gsa)) {
		free(e);
		free(key);
		return NULL;
	}
	e->ts = ts;
	e->key = key;
	e->kind = kind;
	snprintf(e->ns, sizeof(e->ns), "%s", ns);
	snprintf(e->ksa, sizeof(e->ksa), "%s", ksa);
	snprintf(e->gsa, sizeof(e->gsa), "%s", gsa);
	e->scopes = scopes ? strdup(scopes) : NULL;
	e->audience = audience ? strdup(audience) : NULL;
	e->full = full;
	if ((scopes && !e->scopes) || (audience && !e->audience) ||
	    hmap_put(ts->map, key, e) != 0) {
		tent_free(e);
		return NULL;
	}
	ts->count++;
	lru_front(ts, e);
	evict(ts);
	return e;
}

static void get(struct toks *ts, struct tent *e, const struct md_pod *pod, md_token_fn fn,
		void *arg)
{
	struct node *n = ts->n;
	int64_t now = md_now_ms();
	if (n->stopping) {
		struct md_err err;
		md_err_set(&err, 503, "GKE Metadata Server encountered an error: shutting down\n");
		fn(arg, -ECANCELED, NULL, 0, &err);
		return;
	}
	e->last_used_ms = now;
	lru_front(ts, e);
	if (pod && pod->name[0]) {
		snprintf(e->pod_name, sizeof(e->pod_name), "%s", pod->name);
		snprintf(e->pod_uid, sizeof(e->pod_uid), "%s", pod->uid);
	}
	if (e->value && e->expiry_ms - now > MIN_VALID_MS) {
		n->m.token_hits++;
		if (!e->fetching && now - e->obtained_ms >= refresh_at(e)) {
			e->background = 1;
			n->m.token_refreshes++;
			start_fetch(e);
		}
		fn(arg, 0, e->value, e->expiry_ms, NULL);
		return;
	}
	struct twait *w = calloc(1, sizeof(*w));
	if (!w) {
		struct md_err err;
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		fn(arg, -ENOMEM, NULL, 0, &err);
		return;
	}
	w->fn = fn;
	w->arg = arg;
	/* FIFO: append */
	struct twait **pp = &e->waiters;
	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
	if (e->fetching) {
		n->m.token_coalesced++;
		return;
	}
	n->m.token_misses++;
	if (e->timer)
		event_del(e->timer);
	start_fetch(e);
}

/* "a,b" or "a b" to "a b", validated. 0 or -EINVAL. */
static int norm_scopes(const char *in, char *out, size_t len)
{
	size_t off = 0, count = 0;
	const char *p = in;
	out[0] = '\0';
	while (*p) {
		while (*p == ',' || *p == ' ')
			p++;
		const char *s = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		size_t l = (size_t)(p - s);
		if (!l)
			continue;
		if (l > 512 || ++count > 64 || off + l + 2 > len)
			return -EINVAL;
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
			    s[i] == '"')
				return -EINVAL;
		if (off)
			out[off++] = ' ';
		memcpy(out + off, s, l);
		off += l;
		out[off] = '\0';
	}
	return count ? 0 : -EINVAL;
}

void md_token_access(struct node *n, const struct md_token_req *tr, md_token_fn fn, void *arg)
{
	struct toks *ts = n->tokens;
	struct md_err err;
	char scopes[8192];
	if (norm_scopes(tr->scopes && *tr->scopes ? tr->scopes : DEFAULT_SCOPES, scopes,
			sizeof(scopes)) != 0) {
		md_err_set(&err, 400,
			   "GKE Metadata Server encountered an error: invalid scopes parameter\n");
		fn(arg, -EINVAL, NULL, 0, &err);
		return;
	}
	struct tent *e =
		tr->ksa->gsa[0] ? entry(ts, T_ACCESS, tr->ksa->ns, tr->ksa->name, tr->ksa->gsa,
					scopes, NULL, 0)
				: entry(ts, T_FED, tr->ksa->ns, tr->ksa->name, "", scopes, NULL, 0);
	if (!e) {
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		fn(arg, -ENOMEM, NULL, 0, &err);
		return;
	}
	get(ts, e, tr->pod, fn, arg);
}

void md_token_id(struct node *n, const struct md_token_req *tr, md_token_fn fn, void *arg)
{
	struct toks *ts = n->tokens;
	struct md_err err;
	struct tent *e = entry(ts, T_ID, tr->ksa->ns, tr->ksa->name, tr->ksa->gsa, NULL,
			       tr->audience, tr->full);
	if (!e) {
		md_err_set(&err, 500, "GKE Metadata Server encountered an error: out of memory\n");
		fn(arg, -ENOMEM, NULL, 0, &err);
		return;
	}
	get(ts, e, tr->pod, fn, arg);
}

static void prefetched(void *arg, int rc, const char *value, int64_t expiry_ms,
		       const struct md_err *err)
{
	(void)arg, (void)rc, (void)value, (void)expiry_ms, (void)err;
}

void md_token_prefetch(struct node *n, const struct md_pod *pod)
{
	struct toks *ts = n->tokens;
	struct tent *e = entry(ts, T_FED, pod->ns, pod->sa, "", DEFAULT_SCOPES, NULL, 0);
	if (e && !e->fetching && !(e->value && e->expiry_ms - md_now_ms() > MIN_VALID_MS))
		get(ts, e, pod, prefetched, NULL);
}

int md_tokens_init(struct node *n)
{
	struct toks *ts = calloc(1, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	ts->n = n;
	ts->map = hmap_new(64);
	if (!ts->map) {
		free(ts);
		return -ENOMEM;
	}
	n->tokens = ts;
	return 0;
}

void md_tokens_free(struct node *n)
{
	struct toks *ts = n->tokens;
	if (!ts)
		return;
	struct md_err err;
	md_err_set(&err, 503, "GKE Metadata Server encountered an error: shutting down\n");
	/* answering may fail dependent entries (and drop them): rescan each time */
	for (;;) {
		struct tent *e = ts->head;
		while (e && !e->waiters)
			e = e->next;
		if (!e)
			break;
		e->fetching = 1; /* keep it while its waiters run */
		answer_err(e, &err);
	}
	while (ts->head)
		drop(ts, ts->head);
	hmap_free(ts->map);
	free(ts);
	n->tokens = NULL;
}

size_t md_tokens_count(const struct node *n)
{
	const struct toks *ts = n->tokens;
	return ts ? ts->count : 0;
}
