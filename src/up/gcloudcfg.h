/*
 * gcloudcfg.h - writes the gcloud configuration directory that points gcloud at gkeid,
 * the admin user's credential in it (gcloudcreds.c) and the cluster's kubeconfig
 * (gcloudkube.c) as gcloud itself writes them, and runs gcloud where only gcloud can.
 */
#ifndef GKEID_GCLOUDCFG_H
#define GKEID_GCLOUDCFG_H

#include <jansson.h>
#include <sys/types.h>
#include <time.h>

/* Creates or updates dir (a CLOUDSDK_CONFIG directory): api_endpoint_overrides and
 * auth/token_host at base_url, core/account and core/project, compute/region (or
 * compute/zone) = location when not empty, no usage reporting, no GCE probe, no update
 * checks. Other settings in it are kept. 0 or -errno. */
int gcloudcfg_write(const char *dir, const char *base_url, const char *account, const char *project,
		    const char *location);
/* True when account was activated in dir by an earlier start. */
int gcloudcfg_activated(const char *dir, const char *account);
int gcloudcfg_mark_activated(const char *dir, const char *account);
/* A user's credential as `gcloud auth activate-refresh-token` stores it, with the tokens
 * of the refresh it makes (the token endpoint's answer). */
struct gcloud_user {
	const char *account, *client_id, *client_secret, *refresh_token;
	const char *token_uri; /* the token endpoint gcloud was pointed at */
	const char *access_token, *id_token;
	long long expires_in;	/* seconds */
	struct timespec issued; /* when the tokens were issued (the real clock); 0: now */
};
/* Stores u in the gcloud configuration directory dir (credentials.db, access_tokens.db,
 * default_configs.db, legacy_credentials/ACCOUNT/) as gcloud 528 does; other accounts'
 * rows are kept. 0 or -errno (-EINVAL: an account that cannot name a directory). */
int gcloudcfg_store_user(const char *dir, const struct gcloud_user *u);
/* The access_tokens.db row of u->account alone (u's access and ID tokens, expires_in);
 * the credential is left as it is. 0 or -errno. */
int gcloudcfg_store_token(const char *dir, const struct gcloud_user *u);
/* The refresh token gcloud holds for account in dir's credentials.db (malloc'd), or NULL
 * when there is none or it cannot be read. */
char *gcloudcfg_refresh_token(const char *dir, const char *account);
/* The name get-credentials gives a cluster's kubeconfig entries and context:
 * gke_PROJECT_LOCATION_CLUSTER. 0, or sfmt's -errno when it does not fit in len. */
int gcloudcfg_context(char *out, size_t len, const char *project, const char *location,
		      const char *cluster);
/* Writes the kubeconfig at path as `gcloud container clusters get-credentials` would for
 * cluster (the Container API's Cluster of project and location), with gcloud_dir the
 * gcloud configuration it would run with. 0 when written; 1 when only gcloud can write
 * it (the file holds other entries to merge, the configuration sets container/
 * properties, the cluster is reached by DNS); -errno. */
int gcloudcfg_kubeconfig(const char *path, const char *gcloud_dir, const char *project,
			 const char *location, const json_t *cluster);
/* Writes gke-gcloud-auth-plugin's token cache beside the kubeconfig as the plugin does
 * on kubectl's first call after get-credentials: account's token (expiring at expiry,
 * the real clock) for context, the token gcloud's `config config-helper` would give it.
 * When gcloud would give another (account is not the active configuration's, whose
 * [auth] properties are set) or token is NULL, the cache is removed instead, as
 * get-credentials removes it, and the plugin asks gcloud. 0 or -errno. */
int gcloudcfg_plugin_cache(const char *kubeconfig, const char *gcloud_dir, const char *context,
			   const char *account, const char *token, time_t expiry);
/* Starts argv (argv[0] looked up in PATH, e.g. "gcloud") with CLOUDSDK_CONFIG=dir and,
 * when kubeconfig is not NULL, KUBECONFIG=kubeconfig; output appended to log_path.
 * The caller reaps *pid. 0 or -errno (e.g. -ENOENT: no such program). */
int gcloudcfg_spawn(const char *dir, char *const argv[], const char *kubeconfig,
		    const char *log_path, pid_t *pid);

#endif
