/*
 * test_gcloudfiles.c - reading gcloud's configuration directory (core/gcloudfiles.c) on
 * real files: a CLOUDSDK_CONFIG directory laid out as gcloud 528 lays it out (the active
 * configuration, credentials.db, access_tokens.db with Python's str() expiry). The cached
 * token is given only when gcloud would print it as is: valid for five more minutes, the
 * active account's, with its credential, no auth/ property but token_host, and no
 * environment override; every other case is "ask gcloud" (-ENOENT).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "t.h"

#include "core/file.h"
#include "core/gcloudfiles.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK_EQ_INT(file_write_atomic(path, text, strlen(text), 0600), 0);
}

static void sql(const char *db, const char *stmt)
{
	char path[256];
	sqlite3 *h;
	snprintf(path, sizeof(path), "%s/%s", dir, db);
	CHECK(sqlite3_open(path, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, stmt, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
}

/* The admin's token row, expiring in secs seconds (as gcloud writes it). */
static void token_expiring(long secs)
{
	char stmt[512], when[40];
	time_t t = time(NULL) + secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S.123456", &tm);
	snprintf(stmt, sizeof(stmt),
		 "DELETE FROM access_tokens; INSERT INTO access_tokens VALUES "
		 "('admin@example.com', 'ya29.cached', '%s', NULL, NULL)",
		 when);
	sql("access_tokens.db", stmt);
}

#define CONFIG "[auth]\ntoken_host = http://127.0.0.1:1/oauth2/token\n\n[core]\naccount = admin@example.com\n"

static int cached(char *out, size_t len)
{
	memset(out, 0, len);
	return gcloud_cached_token(out, len);
}

static void test_cached(void)
{
	char tok[64];
	CHECK_EQ_INT(cached(tok, sizeof(tok)), 0);
	CHECK_STR(tok, "ya29.cached");
	CHECK_EQ_INT(cached(tok, 6), -ENOENT); /* does not fit */
	struct gcloud_active a;
	gcloud_active_read(dir, &a);
	CHECK_STR(a.account, "admin@example.com");
	CHECK_EQ_INT(a.auth, 0);
	CHECK_EQ_INT(a.container, 0);
	char acct[64];
	CHECK_EQ_INT(gcloud_account(acct, sizeof(acct)), 0);
	CHECK_STR(acct, "admin@example.com");
	CHECK_EQ_INT(gcloud_account(acct, 5), -ENOENT); /* does not fit */
	setenv("CLOUDSDK_CORE_ACCOUNT", "other@example.com", 1);
	CHECK_EQ_INT(gcloud_account(acct, sizeof(acct)), -ENOENT);
	unsetenv("CLOUDSDK_CORE_ACCOUNT");
}

static void test_ask_gcloud(void)
{
	char tok[64];
	token_expiring(240); /* gcloud would refresh it first */
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	token_expiring(3600);
	setenv("CLOUDSDK_CORE_ACCOUNT", "other@example.com", 1);
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	unsetenv("CLOUDSDK_CORE_ACCOUNT");
	setenv("CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT", "sa@p.iam.gserviceaccount.com", 1);
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	unsetenv("CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT");
	setenv("CLOUDSDK_ACTIVE_CONFIG_NAME", "other", 1);
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	unsetenv("CLOUDSDK_ACTIVE_CONFIG_NAME");
	put("configurations/config_default",
	    CONFIG "\n[auth]\nimpersonate_service_account = sa@p.iam.gserviceaccount.com\n");
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	put("configurations/config_default", "[core]\naccount = other@example.com\n");
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	put("configurations/config_default", "[core]\nproject = p\n");
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	CHECK_EQ_INT(gcloud_account(tok, sizeof(tok)), -ENOENT); /* unset: gcloud says so */
	/* another configuration is active, without the account */
	put("configurations/config_default", CONFIG);
	put("active_config", "other");
	put("configurations/config_other", "[core]\nproject = p\n");
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	put("active_config", "default");
	CHECK_EQ_INT(cached(tok, sizeof(tok)), 0);
	/* the credential is gone (gcloud would fail, not print the token) */
	sql("credentials.db", "DELETE FROM credentials");
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	sql("credentials.db", "INSERT INTO credentials VALUES ('admin@example.com', '{}')");
	/* a token with a byte no token has */
	sql("access_tokens.db", "UPDATE access_tokens SET access_token = 'ya29.a b'");
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	token_expiring(3600);
	CHECK_EQ_INT(cached(tok, sizeof(tok)), 0);
	/* no directory at all */
	setenv("CLOUDSDK_CONFIG", "/nonexistent-gkeid-test", 1);
	CHECK_EQ_INT(cached(tok, sizeof(tok)), -ENOENT);
	setenv("CLOUDSDK_CONFIG", dir, 1);
}

int main(void)
{
	char path[128];
	snprintf(dir, sizeof(dir), "/tmp/gkeid-gcloudfiles.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/configurations", dir);
	mkdir(path, 0700);
	unsetenv("CLOUDSDK_CORE_ACCOUNT");
	unsetenv("CLOUDSDK_ACTIVE_CONFIG_NAME");
	setenv("CLOUDSDK_CONFIG", dir, 1);
	put("configurations/config_default", CONFIG);
	sql("credentials.db", "CREATE TABLE credentials (account_id TEXT PRIMARY KEY, value BLOB); "
			      "INSERT INTO credentials VALUES ('admin@example.com', '{}')");
	sql("access_tokens.db", "CREATE TABLE access_tokens (account_id TEXT PRIMARY KEY, "
				"access_token TEXT, token_expiry TIMESTAMP, rapt_token TEXT, "
				"id_token TEXT)");
	token_expiring(3600);
	RUN(test_cached);
	RUN(test_ask_gcloud);
	t_rmtree(dir);
	return t_done();
}
