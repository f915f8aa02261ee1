/*
 * test_plugin_cache.c - gke-gcloud-auth-plugin's token cache as `gkeid up` writes it
 * (up/gcloudkube.c gcloudcfg_plugin_cache), on real files in a temporary directory: the
 * plugin's bytes (its cache struct through json.MarshalIndent, four spaces, no final
 * newline) beside the kubeconfig, mode 0600; and the cases where gcloud would give the
 * plugin another token, in which the cache is removed as get-credentials removes it: the
 * active configuration's account is not the one given, an auth/ property other than
 * token_host is set (an impersonated account), no token, a token with bytes a token
 * never has.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

#include "core/file.h"
#include "up/gcloudcfg.h"

static char dir[64], kubeconfig[128], gcloud[128], cache[128];

static void put(const char *path, const char *text)
{
	CHECK_EQ_INT(file_write_atomic(path, text, strlen(text), 0600), 0);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void config(const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/configurations/config_default", gcloud);
	put(path, text);
}

#define CORE "[core]\naccount = admin@example.com\nproject = demo-project\n"
#define CTX "gke_demo-project_us-central1_demo-cluster"
#define TOKEN "ya29.d3aduOL_W9ZrWLN9Dt8jFYFYdUmqBrIbIhLLIjUmfH-t5MJ0ajF0vdEVHXzZRzO9"

static void test_written(void)
{
	config("[auth]\ntoken_host = http://127.0.0.1:1/oauth2/token\n\n" CORE);
	/* 2026-12-02T15:48:39Z */
	CHECK_EQ_INT(gcloudcfg_plugin_cache(kubeconfig, gcloud, CTX, "admin@example.com", TOKEN,
					    1796226519),
		     0);
	const char *got = slurp(cache);
	CHECK_STR(got, "{\n"
		       "    \"current_context\": \"" CTX "\",\n"
		       "    \"access_token\": \"" TOKEN "\",\n"
		       "    \"token_expiry\": \"2026-12-02T15:48:39Z\",\n"
		       "    \"extra_args\": \"\"\n"
		       "}");
	struct stat st;
	CHECK(stat(cache, &st) == 0 && (st.st_mode & 0777) == 0600);
}

static void removed_when(const char *cfg, const char *account, const char *token)
{
	config("[auth]\ntoken_host = http://127.0.0.1:1/oauth2/token\n\n" CORE);
	CHECK_EQ_INT(gcloudcfg_plugin_cache(kubeconfig, gcloud, CTX, "admin@example.com", TOKEN,
					    1796226519),
		     0);
	CHECK(access(cache, F_OK) == 0);
	config(cfg);
	CHECK_EQ_INT(gcloudcfg_plugin_cache(kubeconfig, gcloud, CTX, account, token, 1796226519), 0);
	CHECK(access(cache, F_OK) != 0 && errno == ENOENT);
}

static void test_removed(void)
{
	/* another account is active: gcloud would give the plugin that account's token */
	removed_when("[core]\naccount = other@example.com\n", "admin@example.com", TOKEN);
	/* no account at all */
	removed_when("[core]\nproject = demo-project\n", "admin@example.com", TOKEN);
	/* an impersonated service account: gcloud gives the plugin the impersonated token */
	removed_when("[auth]\ntoken_host = x\nimpersonate_service_account = sa@p.iam.gserviceaccount.com\n\n" CORE,
		     "admin@example.com", TOKEN);
	removed_when("[auth]\naccess_token_file = /tmp/t\n\n" CORE, "admin@example.com", TOKEN);
	removed_when(CORE, "admin@example.com", NULL);
	removed_when(CORE, "admin@example.com", "ya29.\"quoted\"");
	removed_when(CORE, "admin@example.com", "");
	/* removing a cache that is not there is not an error */
	CHECK_EQ_INT(gcloudcfg_plugin_cache(kubeconfig, gcloud, CTX, "admin@example.com", NULL, 0), 0);
}

int main(void)
{
	char path[256];
	snprintf(dir, sizeof(dir), "/tmp/gkeid-plugin-cache.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(kubeconfig, sizeof(kubeconfig), "%s/kubeconfig", dir);
	snprintf(gcloud, sizeof(gcloud), "%s/gcloud", dir);
	snprintf(cache, sizeof(cache), "%s/gke_gcloud_auth_plugin_cache", dir);
	snprintf(path, sizeof(path), "%s/configurations", gcloud);
	mkdir(gcloud, 0700);
	mkdir(path, 0700);
	RUN(test_written);
	RUN(test_removed);
	t_rmtree(dir);
	return t_done();
}
