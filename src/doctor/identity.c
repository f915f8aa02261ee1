/*
 * identity.c - who is asking: the account the doctor's own token belongs to, named when
 * the Google APIs refuse the doctor, and the account kubectl acts as. kubectl's comes
 * from gke-gcloud-auth-plugin's cache, gke_gcloud_auth_plugin_cache beside the
 * kubeconfig: the plugin keeps the last token gcloud gave it, keyed by the kubeconfig's
 * context and not by gcloud's account, and hands it out until it expires, so after
 * `gcloud config set account` or `gcloud auth activate-service-account` kubectl is still
 * the previous account (real GKE behaves the same). Accounts are named by tokeninfo
 * (https://oauth2.googleapis.com/tokeninfo, public and unauthenticated); the cache is a
 * local file of the client, read and never trusted beyond its shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/gcloudfiles.h"
#include "doctor/doctor.h"

#define CACHE_NAME "gke_gcloud_auth_plugin_cache"
#define CACHE_CAP (64u << 10)

int dr_token_email(struct dr_ctx *c, const char *token, char *out, size_t len)
{
	char etok[1024], path[1100];
	struct dr_resp r;
	out[0] = '\0';
	if (!token || !*token || dr_urlenc(token, etok, sizeof(etok)) != 0)
		return -EINVAL;
	if (DR_PATH(&r, path, "tokeninfo?access_token=%s", etok) == 0)
		dr_google(c, "oauth2", "GET", path, NULL, NULL, "", &r);
	const char *email = r.status == 200 ? dr_jstr(r.json, "email", NULL) : NULL;
	int rc = -ENOENT;
	if (email && *email && strlen(email) < len && !strpbrk(email, " \t\r\n\"")) {
		snprintf(out, len, "%s", email);
		rc = 0;
	}
	dr_resp_free(&r);
	return rc;
}

/* "2026-01-02T03:04:05Z" (the plugin's token_expiry), as seconds since the epoch; -1 */
static long long rfc3339(const char *s)
{
	int64_t t;
	return clock_parse_rfc3339(s, &t) == 0 ? (long long)t : -1;
}

/* The plugin's cache beside the kubeconfig the context came from (else ~/.kube/). */
static int cache_path(char *out, size_t len)
{
	char kc[1024], ctx[512];
	dr_kube_context(ctx, sizeof(ctx), kc, sizeof(kc));
	const char *home = getenv("HOME");
	char *slash = strrchr(kc, '/');
	int n;
	if (kc[0] && slash)
		n = snprintf(out, len, "%.*s/" CACHE_NAME, (int)(slash - kc), kc);
	else if (kc[0])
		n = snprintf(out, len, "./" CACHE_NAME);
	else if (home)
		n = snprintf(out, len, "%s/.kube/" CACHE_NAME, home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -E2BIG : 0;
}

/* The active account of gcloud (the one the plugin asks gcloud for a token of). */
static void active_account(struct dr_ctx *c, char *out, size_t len)
{
	out[0] = '\0';
	if ((gcloud_account(out, len) != 0 &&
	     dr_run_line("gcloud config get-value account 2>/dev/null", out, len) != 0) ||
	    !out[0] || strpbrk(out, " \t\"'"))
		out[0] = '\0';
	if (!out[0] && c->token_from_gcloud)
		dr_token_email(c, c->token, out, len);
}

void dr_check_kubectl_account(struct dr_ctx *c, struct dr_report *r)
{
	char path[1200], cur[512], kc[1024], a[320], b[320], title[1800];
	struct dr_buf ev = {0}, fix = {0};
	json_t *j = NULL;
	if (cache_path(path, sizeof(path)) != 0) {
		dr_add(r, "kubectl-account", DR_SKIP,
		       "skipped: no kubeconfig, so no gke-gcloud-auth-plugin cache to examine",
		       "KUBECONFIG and HOME are unset", NULL);
		return;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		dr_buf_printf(&ev, "%s: %s", path, strerror(errno));
		dr_add_buf(r, "kubectl-account", DR_PASS,
			   "kubectl gets its token from gcloud's active account (gke-gcloud-auth-"
			   "plugin has no cached token)",
			   &ev, NULL);
		return;
	}
	char *text = malloc(CACHE_CAP + 1);
	size_t n = text ? fread(text, 1, CACHE_CAP, f) : 0;
	fclose(f);
	if (text) {
		text[n] = '\0';
		j = json_loads(text, 0, NULL);
		free(text);
	}
	const char *cctx = dr_jstr(j, "current_context", NULL);
	const char *tok = dr_jstr(j, "access_token", NULL);
	const char *exp = dr_jstr(j, "token_expiry", NULL);
	if (!cctx || !tok || !exp) {
		dr_buf_printf(&ev,
			      "%s: not the plugin's cache (current_context, access_token, "
			      "token_expiry)",
			      path);
		dr_add_buf(r, "kubectl-account", DR_SKIP,
			   "skipped: gke-gcloud-auth-plugin's cache cannot be read", &ev, NULL);
		goto out;
	}
	dr_kube_context(cur, sizeof(cur), kc, sizeof(kc));
	long long until = rfc3339(exp);
	if (strcmp(cctx, cur) != 0 || until <= (long long)time(NULL)) {
		dr_buf_printf(&ev,
			      "%s: a token for context %.300s, valid until %.40s; current "
			      "context %.300s",
			      path, cctx, exp, cur);
		dr_add_buf(r, "kubectl-account", DR_PASS,
			   "kubectl gets a new token from gcloud's active account (the cached "
			   "token is for another context, or has expired)",
			   &ev, NULL);
		goto out;
	}
	active_account(c, b, sizeof(b));
	if (dr_token_email(c, tok, a, sizeof(a)) != 0 || !b[0]) {
		dr_buf_printf(&ev, "%s: a token for context %.300s, valid until %.40s; %s", path,
			      cctx, exp,
			      a[0] ? "gcloud has no active account"
				   : "tokeninfo does not name the cached token's account");
		dr_add_buf(r, "kubectl-account", DR_SKIP,
			   "skipped: the accounts of kubectl and gcloud cannot both be named", &ev,
			   NULL);
		goto out;
	}
	dr_buf_printf(&ev,
		      "%s: a token of %s for context %.300s, valid until %.40s (tokeninfo); "
		      "gcloud's active account: %s",
		      path, a, cctx, exp, b);
	if (strcmp(a, b) == 0) {
		snprintf(title, sizeof(title),
			 "kubectl acts as %s, gcloud's active account (gke-gcloud-auth-plugin's "
			 "cached token)",
			 a);
		dr_add_buf(r, "kubectl-account", DR_PASS, title, &ev, NULL);
		goto out;
	}
	snprintf(title, sizeof(title),
		 "kubectl acts as %s, not as gcloud's active account %s: gke-gcloud-auth-plugin "
		 "hands out its cached token, keyed by the kubeconfig's context and not by the "
		 "account, until it expires (%.40s)",
		 a, b, exp);
	dr_buf_printf(&fix, "rm -f %s    # the next kubectl command gets a token of %s from gcloud",
		      path, b);
	dr_add_buf(r, "kubectl-account", DR_FAIL, title, &ev, &fix);
out:
	json_decref(j);
}

void dr_explain_refusal(struct dr_ctx *c, FILE *out)
{
	char who[320];
	struct dr_report rep = {0};
	if (c->cluster_status != 401 && c->cluster_status != 403)
		return;
	if (dr_token_email(c, c->token, who, sizeof(who)) != 0)
		snprintf(who, sizeof(who), "an account tokeninfo does not name");
	fprintf(out,
		"gkeid doctor: it ran as %s (%s)%s%s. The doctor reads the cluster, IAM policies "
		"and Kubernetes objects: run it as an account that may (a project owner, say), "
		"e.g. after `gcloud config set account ACCOUNT`, or give such an account's token "
		"with --access-token-file.\n",
		who, c->token_src, c->cluster_perm[0] ? ", which lacks " : "", c->cluster_perm);
	dr_check_kubectl_account(c, &rep);
	const struct dr_check *k = dr_find(&rep, "kubectl-account");
	if (k && k->status == DR_FAIL)
		fprintf(out, "gkeid doctor: also, %s\n    fix:\n      %s\n", k->title,
			k->fix ? k->fix : "");
	dr_report_free(&rep);
}
