/*
 * gcloudcreds.c - a user's credential in a gcloud configuration directory, written as
 * gcloud 528's `gcloud auth activate-refresh-token ACCOUNT TOKEN` writes it, so that
 * `gkeid up` does not start gcloud (about two CPU-seconds of Python) to store the admin's
 * credential. gcloud then reads, refreshes and replaces it exactly as one it stored.
 *
 * What the command leaves, read off gcloud 528 (googlecloudsdk/core/credentials/creds.py):
 * - credentials.db: table "credentials" (account_id TEXT PRIMARY KEY, value BLOB), value
 *   the google-auth user credential as json.dumps(sort_keys=True, indent=2,
 *   separators=(',', ': ')) (ToJsonGoogleAuth);
 * - access_tokens.db: table "access_tokens" (account_id TEXT PRIMARY KEY, access_token
 *   TEXT, token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT), the tokens of the
 *   refresh it makes to check the credential; the expiry is Python's str() of a naive
 *   UTC datetime ("2026-12-02 13:08:26.279236");
 * - default_configs.db: table config (config_attr TEXT PRIMARY KEY, value BLOB) with
 *   cred_token_store_formatted = 1 (the account ids are already in the current form);
 * - legacy_credentials/ACCOUNT/adc.json and .boto, for gsutil and bq.
 * Each file is made 0600 before SQLite opens it; rows are replaced, other accounts kept.
 */
#include "up/gcloudcfg.h"
#include "core/dbuf.h"
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Opens (creating, mode 0600) the SQLite file dir/name and runs the schema statement. */
static int db_open(const char *dir, const char *name, const char *schema, sqlite3 **db)
{
	char path[4200];
	int rc, fd;
	*db = NULL;
	if ((rc = SFMT(path, "%s/%s", dir, name)) != 0)
		return rc;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return -errno;
	close(fd);
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(*db, 5000) != SQLITE_OK ||
	    sqlite3_exec(*db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(*db);
		*db = NULL;
		return -EIO;
	}
	return 0;
}

/* Runs sql (REPLACE INTO ... VALUES (?,...)) with up to five text values (NULL binds
 * SQL NULL) on dir/name, after its schema. 0 or -errno. */
static int db_replace(const char *dir, const char *name, const char *schema, const char *sql,
		      const char *const vals[], int n)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc = db_open(dir, name, schema, &db);
	if (rc != 0)
		return rc;
	rc = -EIO;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (int i = 0; i < n; i++)
		if ((vals[i] ? sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_TRANSIENT)
			     : sqlite3_bind_null(st, i + 1)) != SQLITE_OK)
			goto out;
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* Python's json.dumps(obj, sort_keys=True, indent=2, separators=(',', ': ')) of a flat
 * object of strings and nulls, as gcloud writes its credential files. */
static char *py_json(json_t *obj)
{
	return json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

/* The expiry gcloud stores: str(datetime.utcnow() + expires_in), microseconds kept;
 * utcnow() is issued when the caller gives it. */
static int expiry_text(struct timespec issued, long long expires_in, char *out, size_t n)
{
	struct timespec ts = issued;
	struct tm tm;
	if (ts.tv_sec == 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	time_t t = ts.tv_sec + (time_t)expires_in;
	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	return sfmt(out, n, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    ts.tv_nsec / 1000);
}

/* legacy_credentials/ACCOUNT/{adc.json,.boto}. */
static int write_legacy(const char *dir, const struct gcloud_user *u)
{
	char path[4200], *adc = NULL;
	struct dbuf boto = DBUF_INIT(16 * 1024);
	int rc;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "account", "", "client_id",
			      u->client_id, "client_secret", u->client_secret, "refresh_token",
			      u->refresh_token, "type", "authorized_user", "universe_domain",
			      "googleapis.com");
	if (!j || !(adc = py_json(j))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = SFMT(path, "%s/legacy_credentials", dir)) != 0 ||
	    (mkdir(path, 0700) != 0 && errno != EEXIST) ||
	    (rc = SFMT(path, "%s/legacy_credentials/%s", dir, u->account)) != 0 ||
	    (mkdir(path, 0700) != 0 && errno != EEXIST)) {
		rc = rc ? rc : -errno;
		goto out;
	}
	if ((rc = SFMT(path, "%s/legacy_credentials/%s/adc.json", dir, u->account)) != 0 ||
	    (rc = file_write_atomic(path, adc, strlen(adc), 0600)) != 0)
		goto out;
	dbuf_printf(&boto,
		    "[OAuth2]\nclient_id = %s\nclient_secret = %s\n\n[Credentials]\n"
		    "gs_oauth2_refresh_token = %s",
		    u->client_id, u->client_secret, u->refresh_token);
	if (boto.oom) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = SFMT(path, "%s/legacy_credentials/%s/.boto", dir, u->account)) != 0)
		goto out;
	rc = file_write_atomic(path, boto.p, boto.len, 0600);
out:
	json_decref(j);
	free(adc);
	dbuf_free(&boto);
	return rc;
}

int gcloudcfg_store_token(const char *dir, const struct gcloud_user *u)
{
	char expiry[40];
	const char *row[] = {u->account, u->access_token, expiry, NULL, u->id_token};
	int rc = expiry_text(u->issued, u->expires_in, expiry, sizeof(expiry));
	return rc ? rc
		  : db_replace(dir, "access_tokens.db",
			       "CREATE TABLE IF NOT EXISTS \"access_tokens\" "
			       "(account_id TEXT PRIMARY KEY, access_token TEXT, "
			       "token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT)",
			       "REPLACE INTO \"access_tokens\" (account_id, access_token, "
			       "token_expiry, rapt_token, id_token) VALUES (?,?,?,?,?)",
			       row, 5);
}

char *gcloudcfg_refresh_token(const char *dir, const char *account)
{
	char path[4200];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	json_t *cred = NULL;
	char *out = NULL;
	if (SFMT(path, "%s/credentials.db", dir) != 0 ||
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT value FROM \"credentials\" WHERE account_id = ?", -1,
			       &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto out;
	const void *v = sqlite3_column_blob(st, 0);
	int n = sqlite3_column_bytes(st, 0);
	const char *t;
	if (v && n > 0 && (cred = json_loadb(v, (size_t)n, 0, NULL)) &&
	    (t = json_string_value(json_object_get(cred, "refresh_token"))))
		out = strdup(t);
out:
	json_decref(cred);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

int gcloudcfg_store_user(const char *dir, const struct gcloud_user *u)
{
	char *cred = NULL;
	int rc;
	/* The account names a directory: no separators, no dot files. */
	if (!u->account[0] || u->account[0] == '.' || strchr(u->account, '/'))
		return -EINVAL;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:n, s:s, s:s, s:s}", "client_id",
			      u->client_id, "client_secret", u->client_secret, "refresh_token",
			      u->refresh_token, "revoke_uri", "https://oauth2.googleapis.com/revoke",
			      "scopes", "token_uri", u->token_uri, "type", "authorized_user",
			      "universe_domain", "googleapis.com");
	if (!j || !(cred = py_json(j))) {
		rc = -ENOMEM;
		goto out;
	}
	const char *cred_row[] = {u->account, cred};
	if ((rc = db_replace(dir, "credentials.db",
			     "CREATE TABLE IF NOT EXISTS \"credentials\" "
			     "(account_id TEXT PRIMARY KEY, value BLOB)",
			     "REPLACE INTO \"credentials\" (account_id, value) VALUES (?,?)",
			     cred_row, 2)) != 0 ||
	    (rc = gcloudcfg_store_token(dir, u)) != 0 ||
	    (rc = db_replace(dir, "default_configs.db",
			     "CREATE TABLE IF NOT EXISTS config "
			     "(config_attr TEXT PRIMARY KEY, value BLOB)",
			     "REPLACE INTO config (config_attr, value) VALUES "
			     "('cred_token_store_formatted', 1)",
			     NULL, 0)) != 0)
		goto out;
	rc = write_legacy(dir, u);
out:
	json_decref(j);
	free(cred);
	return rc;
}
