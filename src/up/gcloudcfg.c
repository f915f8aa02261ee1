/*
 * gcloudcfg.c - the gcloud configuration directory that DIR/env points CLOUDSDK_CONFIG
 * at: properties that send every API gkeid serves or may serve to gkeid
 * (cloud_gcloud_apis: gcloud never carries a gkeid token to Google), and the admin
 * user's credential, activated with gcloud's own `auth activate-refresh-token` so that
 * gcloud stores and refreshes it exactly as it would a real one.
 *
 * The properties file is merged, not replaced: settings the user made with
 * `gcloud config set` survive restarts.
 */
#include "up/gcloudcfg.h"
#include "cloud/cloud.h"
#include "core/dbuf.h"
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINES 512

extern char **environ;


struct ini {
	char *lines[MAX_LINES];
	size_t n;
};

static void ini_free(struct ini *ini)
{
	for (size_t i = 0; i < ini->n; i++)
		free(ini->lines[i]);
	ini->n = 0;
}

static int ini_load(struct ini *ini, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	ini->n = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(buf, sizeof(buf), f) && ini->n < MAX_LINES) {
		buf[strcspn(buf, "\r\n")] = '\0';
		if (!(ini->lines[ini->n++] = strdup(buf))) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	return 0;
}

static int insert_line(struct ini *ini, size_t at, const char *text)
{
	if (ini->n >= MAX_LINES)
		return -E2BIG;
	char *l = strdup(text);
	if (!l)
		return -ENOMEM;
	memmove(&ini->lines[at + 1], &ini->lines[at], (ini->n - at) * sizeof(char *));
	ini->lines[at] = l;
	ini->n++;
	return 0;
}

/* Sets section.key = value, replacing an existing entry. */
static int ini_set(struct ini *ini, const char *section, const char *key, const char *value)
{
	char header[128], line[1024];
	snprintf(header, sizeof(header), "[%s]", section);
	snprintf(line, sizeof(line), "%s = %s", key, value);
	size_t i = 0, klen = strlen(key);
	while (i < ini->n && strcmp(ini->lines[i], header) != 0)
		i++;
	if (i == ini->n) {
		int rc = 0;
		if (ini->n && ini->lines[ini->n - 1][0] != '\0')
			rc = insert_line(ini, ini->n, "");
		if (!rc)
			rc = insert_line(ini, ini->n, header);
		return rc ? rc : insert_line(ini, ini->n, line);
	}
	size_t end = i + 1;
	for (; end < ini->n && ini->lines[end][0] != '['; end++) {
		const char *l = ini->lines[end];
		if (strncmp(l, key, klen) == 0 && (l[klen] == ' ' || l[klen] == '=')) {
			char *nl = strdup(line);
			if (!nl)
				return -ENOMEM;
			free(ini->lines[end]);
			ini->lines[end] = nl;
			return 0;
		}
	}
	while (end > i + 1 && ini->lines[end - 1][0] == '\0')
		end--;
	return insert_line(ini, end, line);
}

static int ini_save(struct ini *ini, const char *path)
{
	size_t len = 0;
	for (size_t i = 0; i < ini->n; i++)
		len += strlen(ini->lines[i]) + 1;
	char *buf = malloc(len + 1), *p = buf;
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < ini->n; i++) {
		size_t l = strlen(ini->lines[i]);
		memcpy(p, ini->lines[i], l);
		p[l] = '\n';
		p += l + 1;
	}
	int rc = file_write_atomic(path, buf, len, 0600);
	free(buf);
	return rc;
}

int gcloudcfg_write(const char *dir, const char *base_url, const char *account, const char *project,
		    const char *location)
{
	char path[4200], url[512];
	struct ini ini = {0};
	int rc;
	snprintf(path, sizeof(path), "%s/configurations", dir);
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(path, 0700) != 0 && errno != EEXIST))
		return -errno;
	snprintf(path, sizeof(path), "%s/active_config", dir);
	if (access(path, F_OK) != 0 && (rc = file_write_atomic(path, "default", 7, 0600)) != 0)
		return rc;
	/* gcloud caches "am I on GCE?" here; False stops it probing a metadata server. */
	snprintf(path, sizeof(path), "%s/gce", dir);
	if ((rc = file_write_atomic(path, "False", 5, 0600)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/configurations/config_default", dir);
	if ((rc = ini_load(&ini, path)) != 0)
		goto out;
	/* Every API gkeid serves or may serve (cloud.h), so that gcloud never carries a
	 * gkeid token to Google; what gkeid does not emulate answers "not emulated". */
	for (size_t i = 0; i < cloud_n_gcloud_apis; i++) {
		const char *api = cloud_gcloud_apis[i].name;
		if ((rc = SFMT(url, "%s/%s/", base_url, api)) != 0 ||
		    (rc = ini_set(&ini, "api_endpoint_overrides", api, url)) != 0)
			goto out;
	}
	snprintf(url, sizeof(url), "%s/oauth2/token", base_url);
	if ((rc = ini_set(&ini, "auth", "token_host", url)) != 0 ||
	    (rc = ini_set(&ini, "core", "account", account)) != 0 ||
	    (rc = ini_set(&ini, "core", "project", project)) != 0 ||
	    (rc = ini_set(&ini, "core", "disable_usage_reporting", "true")) != 0 ||
	    (rc = ini_set(&ini, "core", "check_gce_metadata", "false")) != 0 ||
	    (rc = ini_set(&ini, "component_manager", "disable_update_check", "true")) != 0 ||
	    (rc = ini_set(&ini, "survey", "disable_prompts", "true")) != 0)
		goto out;
	/* The default cluster's location, so that the seed's `gcloud container` commands
	 * work verbatim without --location: a zone ends in "-a".."-z", a region does not. */
	if (location && *location) {
		size_t l = strlen(location);
		int zone = l > 2 && location[l - 2] == '-' && location[l - 1] >= 'a' &&
			   location[l - 1] <= 'z';
		if ((rc = ini_set(&ini, "compute", zone ? "zone" : "region", location)) != 0)
			goto out;
	}
	rc = ini_save(&ini, path);
out:
	ini_free(&ini);
	return rc;
}

int gcloudcfg_activated(const char *dir, const char *account)
{
	char path[4200], buf[512];
	snprintf(path, sizeof(path), "%s/.gkeid-activated", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int yes = fgets(buf, sizeof(buf), f) && strcmp(buf, account) == 0;
	fclose(f);
	return yes;
}

int gcloudcfg_mark_activated(const char *dir, const char *account)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/.gkeid-activated", dir);
	return file_write_atomic(path, account, strlen(account), 0600);
}

int gcloudcfg_spawn(const char *dir, char *const argv[], const char *kubeconfig,
		    const char *log_path, pid_t *pid)
{
	char env_cfg[4200], env_kube[4200];
	snprintf(env_cfg, sizeof(env_cfg), "CLOUDSDK_CONFIG=%s", dir);
	if (kubeconfig)
		snprintf(env_kube, sizeof(env_kube), "KUBECONFIG=%s", kubeconfig);
	/* The child's environment: ours, with CLOUDSDK_* and KUBECONFIG replaced. */
	size_t n = 0;
	while (environ[n])
		n++;
	char **envp = calloc(n + 3, sizeof(char *));
	if (!envp)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CLOUDSDK_", 9) != 0 &&
		    strncmp(environ[i], "KUBECONFIG=", 11) != 0)
			envp[k++] = environ[i];
	envp[k++] = env_cfg;
	if (kubeconfig)
		envp[k++] = env_kube;
	envp[k] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	return rc == 0 ? 0 : -rc;
}
