/*
 * gapi.c - the doctor's only way out: synchronous HTTP (libcurl) to the public Google APIs
 * (gkeid's layout under GKEID_CLOUD_URL, else *.googleapis.com) and to the cluster's
 * Kubernetes API (endpoint and CA from clusters.get, the Google token as bearer, as
 * gke-gcloud-auth-plugin does), plus the context: the access token (file, env, or
 * `gcloud auth print-access-token`, read from gcloud's cache when that is certain) and project/location/cluster (kubeconfig's
 * gke_P_L_C context, then gcloud properties). Bodies are capped; nothing from the
 * network is trusted.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/gcloudfiles.h"
#include "core/jwt.h"
#include "doctor/doctor.h"

#define RESP_CAP (32u << 20)
#define TOKEN_MAX 16384

void dr_resp_free(struct dr_resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* Go's wording for a refused or failed dial, which GKE's logs show. */
static void dial_error(CURL *h, CURLcode rc, const char *url, char *out, size_t len)
{
	long oserr = 0;
	char hostport[300] = "";
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?");
	if (n >= sizeof(hostport))
		n = sizeof(hostport) - 1;
	memcpy(hostport, p, n);
	hostport[n] = '\0';
	if (!strchr(hostport, ':') || hostport[0] == '[')
		snprintf(hostport + strlen(hostport), sizeof(hostport) - strlen(hostport), ":%s",
			 strncmp(url, "https", 5) == 0 ? "443" : "80");
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
	if (rc == CURLE_COULDNT_CONNECT)
		snprintf(out, len, "dial tcp %s: connect: %s", hostport,
			 oserr ? strerror((int)oserr) : "connection refused");
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(out, len, "dial tcp %s: i/o timeout", hostport);
	else
		snprintf(out, len, "%s: %s", hostport, curl_easy_strerror(rc));
	/* Go prints strerror in lower case */
	if (out[0])
		for (char *q = strstr(out, ": connect: "); q && *q; q++)
			*q = (char)tolower((unsigned char)*q);
}

static int perform(const char *method, const char *url, const char *bearer, const char *ctype,
		   const char *body, const char *ca_pem, long timeout_s, struct dr_resp *out)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hd = NULL;
	struct dbuf b = DBUF_INIT(RESP_CAP);
	char auth[TOKEN_MAX + 32];
	memset(out, 0, sizeof(*out));
	snprintf(out->url, sizeof(out->url), "%s", url);
	if (!h) {
		snprintf(out->err, sizeof(out->err), "out of memory");
		return -ENOMEM;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dbuf_curl_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 30L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (ca_pem) {
		struct curl_blob blob = {
			.data = (void *)ca_pem, .len = strlen(ca_pem), .flags = CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	hd = curl_slist_append(hd, "Accept: application/json");
	if (bearer && *bearer && strlen(bearer) < TOKEN_MAX &&
	    SFMT(auth, "Authorization: Bearer %s", bearer) == 0)
		hd = curl_slist_append(hd, auth);
	if (body) {
		char ct[128];
		if (SFMT(ct, "Content-Type: %s", ctype ? ctype : "application/json") == 0)
			hd = curl_slist_append(hd, ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	CURLcode rc = curl_easy_perform(h);
	out->body = b.p; /* NULL for an empty body */
	out->len = b.len;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
		if (out->body)
			out->json = json_loadb(out->body, out->len, 0, NULL);
	} else {
		dial_error(h, rc, url, out->err, sizeof(out->err));
		out->status = 0;
	}
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	return rc == CURLE_OK ? 0 : -EIO;
}

int dr_path(struct dr_resp *out, char *buf, size_t n, const char *fmt, ...)
{
	va_list ap, shown;
	va_start(ap, fmt);
	va_copy(shown, ap);
	int w = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (w >= 0 && (size_t)w < n) {
		va_end(shown);
		return 0;
	}
	buf[0] = '\0';
	memset(out, 0, sizeof(*out));
	vsnprintf(out->url, 201, fmt, shown); /* its first 200 bytes, for the evidence */
	va_end(shown);
	snprintf(out->url + strlen(out->url), sizeof(out->url) - strlen(out->url), "...");
	snprintf(out->err, sizeof(out->err), "the request path is too long (at most %zu bytes)",
		 n - 1);
	return -ENAMETOOLONG;
}

int dr_google(struct dr_ctx *c, const char *service, const char *method, const char *path,
	      const char *ctype, const char *body, const char *bearer, struct dr_resp *out)
{
	char url[1200];
	int n;
	if (c->cloud_url[0])
		n = snprintf(url, sizeof(url), "%s/%s/%s", c->cloud_url, service, path);
	else
		n = snprintf(url, sizeof(url), "https://%s.googleapis.com/%s", service, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		memset(out, 0, sizeof(*out));
		snprintf(out->err, sizeof(out->err), "URL too long");
		return -E2BIG;
	}
	return perform(method, url, bearer ? bearer : c->token, ctype, body, NULL, c->timeout_s,
		       out);
}

int dr_kube(struct dr_ctx *c, const char *method, const char *path, const json_t *body,
	    struct dr_resp *out)
{
	char url[1200];
	if (!c->kube_url[0]) {
		memset(out, 0, sizeof(*out));
		snprintf(out->err, sizeof(out->err), "the cluster has no endpoint");
		return -EIO;
	}
	int n = snprintf(url, sizeof(url), "%s%s", c->kube_url, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		memset(out, 0, sizeof(*out));
		snprintf(out->err, sizeof(out->err), "URL too long");
		return -E2BIG;
	}
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !s) {
		memset(out, 0, sizeof(*out));
		snprintf(out->err, sizeof(out->err), "out of memory");
		return -ENOMEM;
	}
	int rc = perform(method, url, c->token, "application/json", s, c->kube_ca, c->timeout_s,
			 out);
	free(s);
	return rc;
}

int dr_urlenc(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '@') {
			if (o + 2 > len)
				return -E2BIG;
			out[o++] = (char)ch;
		} else {
			if (o + 4 > len)
				return -E2BIG;
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	if (o + 1 > len)
		return -E2BIG;
	out[o] = '\0';
	return 0;
}

void dr_resp_brief(const struct dr_resp *r, char *out, size_t len)
{
	if (!r->status) {
		snprintf(out, len, "no answer: %s", r->err);
		return;
	}
	const json_t *e = json_object_get(r->json, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (!msg)
		msg = json_string_value(json_object_get(r->json, "message")); /* Kubernetes */
	if (!msg)
		msg = json_string_value(json_object_get(r->json, "error_description")); /* STS */
	if (!msg && json_is_string(e))
		msg = json_string_value(e);
	if (msg)
		snprintf(out, len, "HTTP %ld: %.700s", r->status, msg);
	else
		snprintf(out, len, "HTTP %ld: %.200s", r->status, r->body ? r->body : "");
}

/* ---- context ---------------------------------------------------------------------- */

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t i = 0;
	while (isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
}

/* Runs a command (no shell metacharacters come from input) and reads one line. */
int dr_run_line(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	if (!f)
		return -errno;
	size_t n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	int st = pclose(f);
	trim(out);
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return st == 0 && out[0] ? 0 : -ENOENT;
}

static int read_token_file(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t n = fread(out, 1, len - 1, f);
	int big = !feof(f);
	fclose(f);
	out[n] = '\0';
	trim(out);
	if (big)
		return -E2BIG;
	return out[0] ? 0 : -ENOENT;
}

void dr_kube_context(char *out, size_t len, char *path, size_t plen)
{
	const char *env = getenv("KUBECONFIG");
	const char *home = getenv("HOME");
	char *paths = NULL;
	out[0] = '\0';
	if (plen)
		path[0] = '\0';
	/* KUBECONFIG is a list of any length, read whole as kubectl reads it. */
	if (env && *env)
		paths = strdup(env);
	else if (home && asprintf(&paths, "%s/.kube/config", home) < 0)
		paths = NULL;
	if (!paths)
		return;
	char *save = NULL;
	for (char *p = strtok_r(paths, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		FILE *f = fopen(p, "r");
		char line[1024];
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "current-context:", 16) != 0)
				continue;
			char *v = line + 16;
			trim(v);
			size_t n = strlen(v);
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v[n - 1] = '\0';
				v++;
			}
			snprintf(out, len, "%s", v);
			break;
		}
		fclose(f);
		if (out[0]) {
			if (plen && sfmt(path, plen, "%s", p))
				path[0] = '\0';
			break;
		}
	}
	free(paths);
}

/* Copies a name of at most DR_NAME_MAX-1 bytes; a longer one leaves "!" (invalid). */
static void setname(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n >= DR_NAME_MAX) {
		strcpy(dst, "!");
		return;
	}
	memcpy(dst, src, n + 1);
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != ':')
			return 0;
	return 1;
}

int dr_ctx_init(struct dr_ctx *c, const char *token_file, char *err, size_t errlen)
{
	char ctxname[1024], line[512];
	if (!c->timeout_s)
		c->timeout_s = 30;
	const char *base = getenv("GKEID_CLOUD_URL");
	if (base && *base) {
		if (SFMT(c->cloud_url, "%s", base)) {
			snprintf(err, errlen, "GKEID_CLOUD_URL is too long (at most %zu bytes)",
				 sizeof(c->cloud_url) - 1);
			return -ENAMETOOLONG;
		}
		size_t n = strlen(c->cloud_url);
		while (n && c->cloud_url[n - 1] == '/')
			c->cloud_url[--n] = '\0';
	}
	dr_kube_context(ctxname, sizeof(ctxname), NULL, 0);
	if (strncmp(ctxname, "gke_", 4) == 0) {
		char *p = ctxname + 4, *u1 = strchr(p, '_'), *u2 = u1 ? strchr(u1 + 1, '_') : NULL;
		if (u1 && u2) {
			*u1 = *u2 = '\0';
			if (!c->project[0])
				setname(c->project, p);
			if (!c->location[0])
				setname(c->location, u1 + 1);
			if (!c->cluster[0])
				setname(c->cluster, u2 + 1);
		}
	}
	if (!c->project[0] &&
	    dr_run_line("gcloud config get-value project 2>/dev/null", line, sizeof(line)) == 0)
		setname(c->project, line);
	if (!c->location[0] && (dr_run_line("gcloud config get-value compute/region 2>/dev/null",
					    line, sizeof(line)) == 0 ||
				dr_run_line("gcloud config get-value compute/zone 2>/dev/null",
					    line, sizeof(line)) == 0))
		setname(c->location, line);
	if (!c->cluster[0] && dr_run_line("gcloud config get-value container/cluster 2>/dev/null",
					  line, sizeof(line)) == 0)
		setname(c->cluster, line);
	if (!valid_name(c->project) || !valid_name(c->location) || !valid_name(c->cluster)) {
		snprintf(err, errlen,
			 "cannot tell the project, location and cluster (project \"%s\", location "
			 "\"%s\", cluster \"%s\"): give --project, --location and --cluster, or a "
			 "kubeconfig context gke_PROJECT_LOCATION_CLUSTER",
			 c->project, c->location, c->cluster);
		return -EINVAL;
	}
	c->token = malloc(TOKEN_MAX);
	if (!c->token) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	const char *envtok = getenv("GKEID_DOCTOR_ACCESS_TOKEN");
	int rc;
	if (token_file) {
		snprintf(c->token_src, sizeof(c->token_src),
			 "the token of --access-token-file %.100s", token_file);
		rc = read_token_file(token_file, c->token, TOKEN_MAX);
		if (rc != 0) {
			snprintf(err, errlen, "cannot read an access token from %s: %s", token_file,
				 strerror(-rc));
			return rc;
		}
	} else if (envtok && *envtok) {
		snprintf(c->token_src, sizeof(c->token_src),
			 "the token of GKEID_DOCTOR_ACCESS_TOKEN");
		if (strlen(envtok) >= TOKEN_MAX) {
			snprintf(err, errlen, "GKEID_DOCTOR_ACCESS_TOKEN is too long");
			return -E2BIG;
		}
		snprintf(c->token, TOKEN_MAX, "%s", envtok);
	} else if (gcloud_cached_token(c->token, TOKEN_MAX) != 0 &&
		   dr_run_line("gcloud auth print-access-token 2>/dev/null", c->token, TOKEN_MAX) !=
			   0) {
		snprintf(err, errlen,
			 "no access token: `gcloud auth print-access-token` failed (log in with "
			 "gcloud, or give --access-token-file)");
		return -EACCES;
	} else {
		c->token_from_gcloud = 1;
		snprintf(c->token_src, sizeof(c->token_src),
			 "gcloud's active account, `gcloud auth list`");
	}
	for (const char *p = c->token; *p; p++)
		if (!isgraph((unsigned char)*p)) {
			snprintf(err, errlen, "the access token has invalid characters");
			return -EINVAL;
		}
	return 0;
}

/* The permission a 403 names: its ErrorInfo's metadata.permission, else the Container
 * API's message `Required "PERM" permission(s) for ...`. "" when none. */
static void refused_permission(const struct dr_resp *r, char *out, size_t len)
{
	out[0] = '\0';
	if (r->status != 403)
		return;
	json_t *details = dr_jpath(r->json, "error", "details", NULL);
	size_t i;
	json_t *d;
	json_array_foreach(details, i, d)
	{
		const char *p = dr_jstr(d, "metadata", "permission", NULL);
		if (p && *p && strlen(p) < len && !strpbrk(p, " \"")) {
			snprintf(out, len, "%s", p);
			return;
		}
	}
	const char *msg = dr_jstr(r->json, "error", "message", NULL);
	const char *q = msg ? strstr(msg, "Required \"") : NULL;
	const char *e = q ? strchr(q + 10, '"') : NULL;
	if (e && (size_t)(e - (q + 10)) < len && e > q + 10)
		snprintf(out, len, "%.*s", (int)(e - (q + 10)), q + 10);
}

int dr_ctx_cluster(struct dr_ctx *c, char *err, size_t errlen)
{
	char path[1024], brief[800];
	struct dr_resp r;
	if (SFMT(path, "v1/projects/%s/locations/%s/clusters/%s", c->project, c->location,
		 c->cluster)) {
		snprintf(err, errlen, "the cluster's name is too long");
		return -ENAMETOOLONG;
	}
	dr_google(c, "container", "GET", path, NULL, NULL, NULL, &r);
	c->cluster_status = r.status;
	if (r.status != 200 || !json_is_object(r.json)) {
		refused_permission(&r, c->cluster_perm, sizeof(c->cluster_perm));
		dr_resp_brief(&r, brief, sizeof(brief));
		snprintf(err, errlen, "GET %s: %s", r.url, brief);
		dr_resp_free(&r);
		return -EIO;
	}
	c->cl = json_incref(r.json);
	(void)SFMT(c->cluster_url, "%s", r.url); /* both hold a request URL */
	dr_resp_free(&r);
	const char *ep = json_string_value(json_object_get(c->cl, "endpoint"));
	const char *ca = json_string_value(
		json_object_get(json_object_get(c->cl, "masterAuth"), "clusterCaCertificate"));
	if (ep && *ep && !strpbrk(ep, "/?# @") && SFMT(c->kube_url, "https://%s", ep))
		c->kube_url[0] = '\0'; /* too long to be an endpoint: none */
	if (ca && *ca && strlen(ca) < (1u << 20)) {
		unsigned char *pem = NULL;
		size_t n = 0;
		if (b64_decode(ca, strlen(ca), &pem, &n) == 0 && pem) {
			c->kube_ca = malloc(n + 1);
			if (c->kube_ca) {
				memcpy(c->kube_ca, pem, n);
				c->kube_ca[n] = '\0';
			}
			free(pem);
		}
	}
	if (!c->kube_url[0]) {
		snprintf(c->kube_err, sizeof(c->kube_err), "the cluster has no endpoint");
		return 0;
	}
	/* the probe: /version is readable by everyone on GKE */
	dr_kube(c, "GET", "/version", NULL, &r);
	if (r.status == 200) {
		c->kube_ok = 1;
	} else if (r.status) {
		dr_resp_brief(&r, brief, sizeof(brief));
		snprintf(c->kube_err, sizeof(c->kube_err), "GET %.200s: %.300s", r.url, brief);
		c->kube_ok = r.status != 401 && r.status < 500; /* it answers; authz is per call */
	} else {
		snprintf(c->kube_err, sizeof(c->kube_err), "%s", r.err);
	}
	dr_resp_free(&r);
	return 0;
}

void dr_ctx_free(struct dr_ctx *c)
{
	free(c->token);
	free(c->kube_ca);
	json_decref(c->cl);
	c->token = c->kube_ca = NULL;
	c->cl = NULL;
}
