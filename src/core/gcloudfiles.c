/*
 * gcloudfiles.c - reading gcloud's configuration directory (see gcloudfiles.h): the
 * active configuration's credential properties, and the access token gcloud has cached
 * in access_tokens.db (table access_tokens: account_id, access_token, token_expiry as
 * Python's str() of a naive UTC datetime, which SQLite's datetime() text orders with).
 */
#include "core/gcloudfiles.h"
#include "core/dbuf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int gcloud_active_config(const char *dir, char *out, size_t len)
{
	char path[PATH_MAX], name[128] = "default";
	FILE *f;
	if (SFMT(path, "%s/active_config", dir) == 0 && (f = fopen(path, "r"))) {
		if (!fgets(name, sizeof(name), f))
			snprintf(name, sizeof(name), "default");
		name[strcspn(name, "\r\n")] = '\0';
		fclose(f);
	}
	return sfmt(out, len, "%s/configurations/config_%s", dir, name) == 0 ? 0 : -ENAMETOOLONG;
}

void gcloud_active_read(const char *dir, struct gcloud_active *a)
{
	char path[PATH_MAX], line[512], section[64] = "";
	FILE *f;
	memset(a, 0, sizeof(*a));
	if (gcloud_active_config(dir, path, sizeof(path)) != 0) {
		a->container = a->auth = 1; /* unknown: leave it all to gcloud */
		return;
	}
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '[') {
			if (sfmt(section, sizeof(section), "%s", line) != 0)
				section[0] = '\0'; /* no section of ours is that long */
			a->container |= strcmp(section, "[container]") == 0;
		} else if (strcmp(section, "[auth]") == 0 && line[0] && line[0] != '#' &&
			   strncmp(line, "token_host = ", 13) != 0) {
			a->auth = 1; /* token_host (where tokens are refreshed) keeps the token */
		} else if (strcmp(section, "[core]") == 0 && strncmp(line, "account = ", 10) == 0 &&
			   sfmt(a->account, sizeof(a->account), "%s", line + 10) != 0) {
			a->auth = 1; /* an account too long to compare */
		}
	}
	fclose(f);
}

/* gcloud's directory: CLOUDSDK_CONFIG, else ~/.config/gcloud. */
static int config_dir(char *out, size_t len)
{
	const char *d = getenv("CLOUDSDK_CONFIG"), *home = getenv("HOME");
	if (d && *d)
		return sfmt(out, len, "%s", d);
	return home && *home ? sfmt(out, len, "%s/.config/gcloud", home) : -ENOENT;
}

/* An environment variable that changes gcloud's credential or configuration choice. */
static int env_overrides(void)
{
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, "CLOUDSDK_AUTH_", 14) == 0 ||
		    strncmp(*e, "CLOUDSDK_CORE_ACCOUNT=", 22) == 0 ||
		    strncmp(*e, "CLOUDSDK_ACTIVE_CONFIG_NAME=", 28) == 0)
			return 1;
	return 0;
}

int gcloud_account(char *out, size_t len)
{
	char dir[PATH_MAX];
	struct gcloud_active a;
	if (env_overrides() || config_dir(dir, sizeof(dir)) != 0)
		return -ENOENT;
	gcloud_active_read(dir, &a);
	if (!a.account[0] || sfmt(out, len, "%s", a.account) != 0)
		return -ENOENT;
	return 0;
}

int gcloud_cached_token(char *out, size_t len)
{
	char dir[PATH_MAX], uri[PATH_MAX + 64], creds[PATH_MAX + 64];
	struct gcloud_active a;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -ENOENT;
	if (len == 0 || env_overrides() || config_dir(dir, sizeof(dir)) != 0)
		return -ENOENT;
	gcloud_active_read(dir, &a);
	if (a.auth || !a.account[0] || SFMT(uri, "file:%s/access_tokens.db?mode=ro", dir) != 0 ||
	    SFMT(creds, "file:%s/credentials.db?mode=ro", dir) != 0)
		return -ENOENT;
	/* the account's credential must be there too (gcloud loads it before its token) */
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "ATTACH ? AS c", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, creds, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT access_token FROM access_tokens WHERE account_id = ?1 "
			       "AND token_expiry > datetime('now', '+5 minutes') AND EXISTS "
			       "(SELECT 1 FROM c.credentials WHERE account_id = ?1)",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, a.account, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		int ok = t && *t && strlen(t) < len;
		for (const char *p = t; ok && *p; p++)
			ok = isgraph((unsigned char)*p);
		if (ok) {
			memcpy(out, t, strlen(t) + 1);
			rc = 0;
		}
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
