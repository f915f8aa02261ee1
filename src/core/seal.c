/*
 * seal.c - AES-256-GCM sealing of secrets kept in the store, and the sealing key's
 * 0600 file (see seal.h). OpenSSL's EVP AEAD interface does the cryptography; a random
 * 96-bit nonce per value, the context string as additional authenticated data.
 */
#include "core/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/jwt.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define SEALED_MAX (1024 * 1024) /* a sealed secret, decoded */

static int read_key(const char *path, unsigned char key[SEAL_KEY_LEN])
{
	unsigned char buf[SEAL_KEY_LEN + 1];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	int rc = n < 0 ? -errno : n == SEAL_KEY_LEN ? 0 : -EINVAL;
	close(fd);
	if (rc == 0)
		memcpy(key, buf, SEAL_KEY_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* Writes a fresh key to a 0600 temporary file, then links it to path, which fails with
 * -EEXIST rather than replace a key another process made first. */
static int create_key(const char *path, unsigned char key[SEAL_KEY_LEN])
{
	char tmp[4096];
	unsigned char rnd[8];
	if (random_bytes(key, SEAL_KEY_LEN) != 0 || random_bytes(rnd, sizeof(rnd)) != 0)
		return -EIO;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%02x%02x%02x%02x", path, rnd[0], rnd[1],
			     rnd[2], rnd[3]) >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd < 0)
		return -errno;
	int rc = 0;
	ssize_t n;
	do
		n = write(fd, key, SEAL_KEY_LEN);
	while (n < 0 && errno == EINTR);
	if (n != SEAL_KEY_LEN)
		rc = n < 0 ? -errno : -EIO;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && link(tmp, path) < 0)
		rc = -errno;
	(void)unlink(tmp);
	return rc;
}

int seal_key_load_or_create(const char *path, unsigned char key[SEAL_KEY_LEN])
{
	int rc = -EINVAL;
	if (!path || !*path)
		return -EINVAL;
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = read_key(path, key);
		if (rc != -ENOENT)
			break;
		rc = create_key(path, key);
		if (rc != -EEXIST)
			break;
	}
	if (rc != 0)
		OPENSSL_cleanse(key, SEAL_KEY_LEN);
	return rc;
}

/* Runs AES-256-GCM over in (len bytes) into out, with the context as AAD. enc: 1 seals
 * (tag written), 0 opens (tag checked). 0 or -EBADMSG. */
static int gcm(const unsigned char *key, const unsigned char *nonce, const char *context,
	       const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, rc = -EBADMSG;
	size_t clen = strlen(context);
	if (!ctx || len > (size_t)SEALED_MAX || clen > (size_t)SEALED_MAX)
		goto out;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)context, (int)clen) != 1 ||
	    (len && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1))
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + (len ? (size_t)n : 0), &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
		goto out;
	rc = 0;
out:
	if (rc)
		ERR_clear_error();
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

char *seal(const unsigned char key[SEAL_KEY_LEN], const void *data, size_t len, const char *context)
{
	char *b64 = NULL;
	if (!context || len > SEALED_MAX - NONCE_LEN - TAG_LEN)
		return NULL;
	size_t total = NONCE_LEN + len + TAG_LEN;
	unsigned char *buf = malloc(total);
	if (!buf)
		return NULL;
	if (random_bytes(buf, NONCE_LEN) == 0 &&
	    gcm(key, buf, context, data, len, buf + NONCE_LEN, buf + NONCE_LEN + len, 1) == 0)
		b64 = b64_encode(buf, total);
	OPENSSL_cleanse(buf, total);
	free(buf);
	return b64;
}

int unseal(const unsigned char key[SEAL_KEY_LEN], const char *b64, const char *context,
	   unsigned char **out, size_t *out_len)
{
	unsigned char *raw = NULL, *pt = NULL;
	size_t raw_len = 0;
	int rc = -EBADMSG;
	*out = NULL;
	*out_len = 0;
	if (!b64 || !context || strlen(b64) > SEALED_MAX * 4 / 3 + 4 ||
	    b64_decode(b64, strlen(b64), &raw, &raw_len) != 0)
		return -EBADMSG;
	if (raw_len < NONCE_LEN + TAG_LEN)
		goto out;
	size_t len = raw_len - NONCE_LEN - TAG_LEN;
	if (!(pt = malloc(len + 1))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = gcm(key, raw, context, raw + NONCE_LEN, len, pt, raw + NONCE_LEN + len, 0)) != 0)
		goto out;
	pt[len] = '\0';
	*out = pt;
	*out_len = len;
	pt = NULL;
out:
	if (pt) {
		OPENSSL_cleanse(pt, len + 1);
		free(pt);
	}
	free(raw);
	return rc;
}
