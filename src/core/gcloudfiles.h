/*
 * gcloudfiles.h - reading gcloud's configuration directory (CLOUDSDK_CONFIG, else
 * ~/.config/gcloud) as gcloud 528 lays it out: the active configuration's properties
 * that decide which credential gcloud uses, and the access token gcloud has cached for
 * it. Lets a caller skip a gcloud start (about a second of CPU) when the answer is
 * certain; every doubt answers "ask gcloud". up/gcloudcreds.c writes the same files.
 */
#ifndef GKEID_GCLOUDFILES_H
#define GKEID_GCLOUDFILES_H

#include <stddef.h>

/* The active configuration of a gcloud directory, as far as the credential goes. */
struct gcloud_active {
	int container; /* a [container] section */
	int auth;      /* an auth/ property other than token_host (impersonation, token files),
			* or a file that cannot be read with certainty */
	char account[320]; /* core/account, "" when unset */
};

/* The path of dir's active configuration file, DIR/configurations/config_NAME, NAME from
 * dir's active_config file (its first line), else "default". 0 or -ENAMETOOLONG. */
int gcloud_active_config(const char *dir, char *out, size_t len);

/* Reads dir's active configuration (its active_config file, else "default") into *a. */
void gcloud_active_read(const char *dir, struct gcloud_active *a);

/* What `gcloud config get-value account` would print, into out (len bytes), when it is
 * certain: no environment override (as below) and an account in the active configuration
 * of CLOUDSDK_CONFIG (else ~/.config/gcloud). 0; -ENOENT when gcloud must be asked. */
int gcloud_account(char *out, size_t len);

/* What `gcloud auth print-access-token` would print, into out (len bytes), when gcloud
 * would print its cached token without a refresh: no CLOUDSDK_AUTH_*,
 * CLOUDSDK_CORE_ACCOUNT or CLOUDSDK_ACTIVE_CONFIG_NAME in the environment, an active
 * configuration with an account and no auth/ property but token_host, and that account's
 * token in access_tokens.db valid for five more minutes (google-auth refreshes within
 * 3m45s of expiry). 0; -ENOENT when gcloud must be asked; -errno. */
int gcloud_cached_token(char *out, size_t len);

#endif
