/*
 * test_seal.c - sealing secrets at rest: round trip, binding to the context, tamper
 * detection, malformed input, and the 0600 key file that survives a second open.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/seal.h"
#include "t.h"

int main(void)
{
	char dir[] = "/tmp/gkeid-seal-XXXXXX", path[128];
	unsigned char key[SEAL_KEY_LEN], again[SEAL_KEY_LEN], other[SEAL_KEY_LEN];
	unsigned char *out = NULL;
	size_t n = 0;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/seal.key", dir);

	CHECK_EQ_INT(seal_key_load_or_create(path, key), 0);
	struct stat st;
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);
	CHECK_EQ_INT(st.st_size, SEAL_KEY_LEN);
	CHECK_EQ_INT(seal_key_load_or_create(path, again), 0);
	CHECK(memcmp(key, again, SEAL_KEY_LEN) == 0); /* loaded, not replaced */

	const char *secret = "-----BEGIN PRIVATE KEY-----\nsecret\n";
	char *s = seal(key, secret, strlen(secret), "/projects/p/serviceAccounts/a/keys/1");
	CHECK(s != NULL && strstr(s, "secret") == NULL);
	CHECK_EQ_INT(unseal(key, s, "/projects/p/serviceAccounts/a/keys/1", &out, &n), 0);
	CHECK(out && n == strlen(secret) && strcmp((char *)out, secret) == 0);
	free(out);
	out = NULL;
	/* Bound to its record: another account's record does not open it. */
	CHECK_EQ_INT(unseal(key, s, "/projects/p/serviceAccounts/b/keys/1", &out, &n), -EBADMSG);
	CHECK(out == NULL);
	/* Nor another sealing key. */
	memcpy(other, key, SEAL_KEY_LEN);
	other[0] ^= 1;
	CHECK_EQ_INT(unseal(other, s, "/projects/p/serviceAccounts/a/keys/1", &out, &n), -EBADMSG);
	/* A flipped byte anywhere is detected. */
	char *t = strdup(s);
	t[20] = t[20] == 'A' ? 'B' : 'A';
	CHECK_EQ_INT(unseal(key, t, "/projects/p/serviceAccounts/a/keys/1", &out, &n), -EBADMSG);
	free(t);
	/* Two seals of the same secret differ (random nonce). */
	char *s2 = seal(key, secret, strlen(secret), "/projects/p/serviceAccounts/a/keys/1");
	CHECK(s2 && strcmp(s, s2) != 0);
	free(s2);
	free(s);
	/* Malformed input: clear errors, nothing allocated. */
	CHECK_EQ_INT(unseal(key, "", "c", &out, &n), -EBADMSG);
	CHECK_EQ_INT(unseal(key, "AAAA", "c", &out, &n), -EBADMSG);
	CHECK_EQ_INT(unseal(key, "!!!!", "c", &out, &n), -EBADMSG);
	CHECK_EQ_INT(unseal(key, NULL, "c", &out, &n), -EBADMSG);
	CHECK(out == NULL);
	/* An empty secret round-trips. */
	s = seal(key, "", 0, "c");
	CHECK_EQ_INT(unseal(key, s, "c", &out, &n), 0);
	CHECK(out && n == 0);
	free(out);
	free(s);
	/* A key file of the wrong size is refused, not used. */
	snprintf(path, sizeof(path), "%s/short.key", dir);
	FILE *f = fopen(path, "w");
	fputs("short", f);
	fclose(f);
	CHECK_EQ_INT(seal_key_load_or_create(path, again), -EINVAL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/seal.key", dir);
	unlink(path);
	rmdir(dir);
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed != 0;
}
