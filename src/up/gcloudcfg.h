/*
 * gcloudcfg.h - writes the gcloud configuration directory that points gcloud at gkeid,
 * and activates the admin user in it with gcloud itself.
 */
#ifndef GKEID_GCLOUDCFG_H
#define GKEID_GCLOUDCFG_H

#include <sys/types.h>

/* Creates or updates dir (a CLOUDSDK_CONFIG directory): api_endpoint_overrides and
 * auth/token_host at base_url, core/account and core/project, compute/region (or
 * compute/zone) = location when not empty, no usage reporting, no GCE probe, no update
 * checks. Other settings in it are kept. 0 or -errno. */
int gcloudcfg_write(const char *dir, const char *base_url, const char *account, const char *project,
		    const char *location);
/* True when account was activated in dir by an earlier start. */
int gcloudcfg_activated(const char *dir, const char *account);
int gcloudcfg_mark_activated(const char *dir, const char *account);
/* Starts argv (argv[0] looked up in PATH, e.g. "gcloud") with CLOUDSDK_CONFIG=dir and,
 * when kubeconfig is not NULL, KUBECONFIG=kubeconfig; output appended to log_path.
 * The caller reaps *pid. 0 or -errno (e.g. -ENOENT: no such program). */
int gcloudcfg_spawn(const char *dir, char *const argv[], const char *kubeconfig,
		    const char *log_path, pid_t *pid);

#endif
