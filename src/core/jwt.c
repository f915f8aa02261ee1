/*
 * jwt.c - RS256 JSON Web Tokens, RSA keys, JWKs and base64 on OpenSSL 3 and jansson.
 *
 * The base64 codec is OpenSSL's (EVP_EncodeBlock/EVP_DecodeBlock); this file only
 * translates the base64url alphabet, handles padding and rejects non-canonical input.
 * Everything read from the network (tokens, JWKs) is size-capped and checked before
 * OpenSSL sees it. After a failed OpenSSL call the thread's error queue is cleared, so
 * no stale error reaches an unrelated SSL_get_error() later on the same thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif

#include "core/jwt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define JWT_MAX (16 * 1024)      /* a compact JWS, all three parts */
#define KEY_FILE_MAX (64 * 1024) /* a PEM key file */
#define RSA_MIN_BITS 2048        /* for signing and verifying */
#define RSA_MAX_BYTES 2048       /* 16384-bit modulus, OpenSSL's own limit */
#define RSA_E_MAX_BYTES 8
/* EVP_EncodeBlock/EVP_DecodeBlock count in int. */
#define B64_ENC_MAX ((size_t)(INT_MAX / 4 - 1) * 3)
#define B64_DEC_MAX ((size_t)INT_MAX - 4)

static const char hexdigits[] = "0123456789abcdef";

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdigits[b[i] >> 4];
		out[2 * i + 1] = hexdigits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Concatenates a, sep and b into a malloc'd string (sep may be '\0' for none). */
static char *join(const char *a, char sep, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), ls = sep ? 1 : 0;
	char *s = malloc(la + ls + lb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (sep)
		s[la] = sep;
	memcpy(s + la + ls, b, lb + 1);
	return s;
}

/* ---- base64 ---------------------------------------------------------------------- */

static char *encode(const void *data, size_t len, int url)
{
	char *out;
	int n = 0;

	if (len > B64_ENC_MAX || (!data && len))
		return NULL;
	out = malloc((len + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	if (len)
		n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	out[n] = '\0';
	if (url) {
		for (int i = 0; i < n; i++) {
			if (out[i] == '+')
				out[i] = '-';
			else if (out[i] == '/')
				out[i] = '_';
			else if (out[i] == '=') {
				out[i] = '\0';
				break;
			}
		}
	}
	return out;
}

char *b64url_encode(const void *data, size_t len)
{
	return encode(data, len, 1);
}

char *b64_encode(const void *data, size_t len)
{
	return encode(data, len, 0);
}

/* The 6-bit value of an alphabet character, or -1. Validation only: the decoding
 * itself is OpenSSL's. */
static int sextet(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* Decodes base64 (url: the base64url alphabet). Padding is optional when pad_ok and
 * must then be exact; otherwise it is refused. Whitespace and non-canonical trailing
 * bits are refused, so every byte string has exactly one accepted encoding. */
static int decode(const char *in, size_t in_len, int url, int pad_ok, unsigned char **out,
		  size_t *out_len)
{
	unsigned char *std = NULL, *buf = NULL;
	size_t pad = 0, rem, fill, n;
	int r, rc = -EINVAL;

	if (!out || !out_len)
		return -EINVAL;
	*out = NULL;
	*out_len = 0;
	if ((!in && in_len) || in_len > B64_DEC_MAX)
		return -EINVAL;
	while (in_len > 0 && in[in_len - 1] == '=' && pad < 2) {
		pad++;
		in_len--;
	}
	rem = in_len % 4;
	fill = (4 - rem) % 4;
	if (rem == 1 || (pad && (!pad_ok || pad != fill)))
		return -EINVAL;
	for (size_t i = 0; i < in_len; i++)
		if (sextet((unsigned char)in[i], url) < 0)
			return -EINVAL;
	/* The bits past the last whole byte must be zero (RFC 4648 §3.5). */
	if (rem && (sextet((unsigned char)in[in_len - 1], url) & (rem == 2 ? 0x0f : 0x03)))
		return -EINVAL;

	n = in_len + fill;
	rc = -ENOMEM;
	std = malloc(n + 1);
	buf = malloc(n / 4 * 3 + 1);
	if (!std || !buf)
		goto out;
	for (size_t i = 0; i < in_len; i++) {
		char c = in[i];
		std[i] = (unsigned char)(c == '-' ? '+' : c == '_' ? '/' : c);
	}
	memset(std + in_len, '=', fill);
	std[n] = '\0';
	r = n ? EVP_DecodeBlock(buf, std, (int)n) : 0;
	if (r < 0 || (size_t)r != n / 4 * 3) {
		ERR_clear_error();
		rc = -EINVAL;
		goto out;
	}
	n = (size_t)r - fill;
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	buf = NULL;
	rc = 0;
out:
	free(std);
	free(buf);
	return rc;
}

int b64url_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len)
{
	return decode(in, in_len, 1, 1, out, out_len);
}

int b64_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len)
{
	return decode(in, in_len, 0, 1, out, out_len);
}

/* ---- hashes and randomness ------------------------------------------------------- */

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (!data && len)
		return;
	if (EVP_Digest(data ? data : "", len, md, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		ERR_clear_error();
		return;
	}
	hex(md, 32, out);
}

void sha512_hex_upper(const void *data, size_t len, char out[129])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char digits[] = "0123456789ABCDEF";

	out[0] = '\0';
	if (!data && len)
		return;
	if (EVP_Digest(data ? data : "", len, md, &n, EVP_sha512(), NULL) != 1 || n != 64) {
		ERR_clear_error();
		return;
	}
	for (unsigned int i = 0; i < 64; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[128] = '\0';
}

int random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, chunk) != 1) {
			ERR_clear_error();
			return -EIO;
		}
		p += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

int random_uuid4(char out[37])
{
	unsigned char b[16];
	out[0] = '\0';
	if (random_bytes(b, sizeof(b)) != 0)
		return -EIO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return 0;
}

char *random_token(const char *prefix, size_t n)
{
	unsigned char *raw;
	char *enc, *tok = NULL;

	raw = malloc(n ? n : 1);
	if (!raw)
		return NULL;
	if (random_bytes(raw, n) == 0 && (enc = b64url_encode(raw, n))) {
		tok = join(prefix ? prefix : "", '\0', enc);
		OPENSSL_cleanse(enc, strlen(enc));
		free(enc);
	}
	OPENSSL_cleanse(raw, n);
	free(raw);
	return tok;
}

/* ---- keys ------------------------------------------------------------------------ */

/* An RSA key that RS256 may use. */
static int rsa_usable(EVP_PKEY *k)
{
	return k && EVP_PKEY_is_a(k, "RSA") && EVP_PKEY_get_bits(k) >= RSA_MIN_BITS;
}

/* Refuses to prompt for a pass phrase: encrypted PEM keys are not supported. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* An RSA-2048 key (e = 65537) from OpenSSL's own key generation. */
static EVP_PKEY *rsa_generate(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	if (!k)
		ERR_clear_error();
	return k;
}

/* Keys made ahead on threads (key_prefetch): a new data dir's start needs three, one
 * after another between other work, and two cores make them in half the time. OpenSSL 3
 * is thread-safe; each thread makes one key and leaves it here. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th[KEY_PREFETCH_MAX];
	EVP_PKEY *ready[KEY_PREFETCH_MAX];
	unsigned n_th, n_ready, unclaimed; /* unclaimed: made or being made, not taken */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *prefetch_one(void *arg)
{
	EVP_PKEY *k = rsa_generate();
	(void)arg;
	pthread_mutex_lock(&pool.mu);
	if (k)
		pool.ready[pool.n_ready++] = k;
	else
		pool.unclaimed--; /* a failure: key_generate makes its own */
	pthread_cond_broadcast(&pool.cv);
	pthread_mutex_unlock(&pool.mu);
	return NULL;
}

int key_prefetch(unsigned n)
{
	int rc = 0;
	pthread_mutex_lock(&pool.mu);
	while (n-- && pool.n_th < KEY_PREFETCH_MAX) {
		if ((rc = pthread_create(&pool.th[pool.n_th], NULL, prefetch_one, NULL)) != 0) {
			rc = -rc;
			break;
		}
		pool.n_th++;
		pool.unclaimed++;
	}
	pthread_mutex_unlock(&pool.mu);
	return rc;
}

void key_prefetch_end(void)
{
	pthread_mutex_lock(&pool.mu);
	unsigned n_th = pool.n_th;
	pool.n_th = 0;
	pthread_mutex_unlock(&pool.mu);
	for (unsigned i = 0; i < n_th; i++)
		pthread_join(pool.th[i], NULL);
	pthread_mutex_lock(&pool.mu);
	while (pool.n_ready)
		EVP_PKEY_free(pool.ready[--pool.n_ready]);
	pool.unclaimed = 0;
	pthread_mutex_unlock(&pool.mu);
}

EVP_PKEY *key_generate(void)
{
	EVP_PKEY *k = NULL;
	pthread_mutex_lock(&pool.mu);
	if (pool.unclaimed) { /* one is made or being made: wait for the first done */
		while (!pool.n_ready && pool.unclaimed)
			pthread_cond_wait(&pool.cv, &pool.mu);
		if (pool.n_ready) {
			k = pool.ready[--pool.n_ready];
			pool.unclaimed--;
		}
	}
	pthread_mutex_unlock(&pool.mu);
	return k ? k : rsa_generate();
}

EVP_PKEY *key_generate_ec(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (!k)
		ERR_clear_error();
	return k;
}

/* Copies a memory BIO's contents into a malloc'd C string. */
static char *bio_string(BIO *b)
{
	char *data = NULL, *s;
	long n = BIO_get_mem_data(b, &data);

	if (n <= 0 || !data)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

char *key_private_pem(EVP_PKEY *k)
{
	BIO *b;
	char *s = NULL;

	if (!k)
		return NULL;
	/* Secure-heap memory BIO: cleared when freed. */
	b = BIO_new(BIO_s_secmem());
	if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1)
		s = bio_string(b);
	if (!s)
		ERR_clear_error();
	BIO_free(b);
	return s;
}

char *key_public_pem(EVP_PKEY *k)
{
	BIO *b;
	char *s = NULL;

	if (!k)
		return NULL;
	b = BIO_new(BIO_s_mem());
	if (b && PEM_write_bio_PUBKEY(b, k) == 1)
		s = bio_string(b);
	if (!s)
		ERR_clear_error();
	BIO_free(b);
	return s;
}

static EVP_PKEY *pem_read(const char *pem, size_t len, int private)
{
	EVP_PKEY *k = NULL;
	BIO *b;

	if (!pem || len == 0 || len > KEY_FILE_MAX)
		return NULL;
	b = BIO_new_mem_buf(pem, (int)len);
	if (b)
		k = private ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL)
			    : PEM_read_bio_PUBKEY(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	if (!k)
		ERR_clear_error();
	return k;
}

EVP_PKEY *key_from_pem(const char *pem, size_t len)
{
	EVP_PKEY *k = pem_read(pem, len, 1);

	return k ? k : pem_read(pem, len, 0);
}

/* Reads the private key at path into *out. Repairs group/other permissions to 0600 or
 * refuses the file. 0, -ENOENT (no file: create one), or another -errno. */
static int load_key_file(const char *path, EVP_PKEY **out)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	if ((st.st_mode & 077) && fchmod(fd, S_IRUSR | S_IWUSR) < 0) {
		rc = -EPERM; /* readable by others and we cannot fix it: refuse */
		goto out;
	}
	rc = -ENOMEM;
	buf = malloc(KEY_FILE_MAX + 1);
	if (!buf)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf + len, KEY_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > KEY_FILE_MAX) {
			rc = -EFBIG;
			goto out;
		}
	}
	*out = pem_read(buf, len, 1);
	if (*out && !rsa_usable(*out)) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	rc = *out ? 0 : -EINVAL;
out:
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Best effort: makes a rename in path's directory durable. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Publishes tmp as path unless path exists (then -EEXIST). */
static int publish(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -errno;
	/* File systems without RENAME_NOREPLACE: link() also refuses to replace. */
	if (link(tmp, path) == 0) {
		(void)unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return -EEXIST;
	/* Nor hard links: a plain rename, the last resort. */
	return rename(tmp, path) == 0 ? 0 : -errno;
}

/* Generates a key and writes it to path: a 0600 temporary file created with O_EXCL,
 * synced, then renamed into place without replacing an existing file. */
static int create_key_file(const char *path, EVP_PKEY **out)
{
	unsigned char rnd[8];
	char suffix[2 * sizeof rnd + 1], *tmp = NULL, *pem = NULL;
	EVP_PKEY *k = NULL;
	int fd = -1, rc = -ENOMEM;

	*out = NULL;
	k = key_generate();
	if (!k || !(pem = key_private_pem(k)))
		goto out;
	if ((rc = random_bytes(rnd, sizeof rnd)) < 0)
		goto out;
	hex(rnd, sizeof rnd, suffix);
	rc = -ENOMEM;
	if (asprintf(&tmp, "%s.tmp.%s", path, suffix) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		tmp = NULL; /* not ours: do not unlink */
		goto out;
	}
	if ((rc = write_all(fd, pem, strlen(pem))) < 0)
		goto out;
	if (fsync(fd) < 0) {
		rc = -errno;
		goto out;
	}
	rc = close(fd) < 0 ? -errno : 0;
	fd = -1;
	if (rc < 0 || (rc = publish(tmp, path)) < 0)
		goto out;
	free(tmp);
	tmp = NULL;
	sync_dir(path);
	*out = k;
	k = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		(void)unlink(tmp);
		free(tmp);
	}
	if (pem) {
		OPENSSL_cleanse(pem, strlen(pem));
		free(pem);
	}
	EVP_PKEY_free(k);
	return rc;
}

EVP_PKEY *key_load_or_create(const char *path)
{
	EVP_PKEY *k = NULL;
	int rc = -EINVAL;

	if (!path || !*path) {
		errno = EINVAL;
		return NULL;
	}
	/* Twice: if another process creates the file between our load and our publish,
	 * we load theirs rather than replace it. */
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = load_key_file(path, &k);
		if (rc != -ENOENT)
			break;
		rc = create_key_file(path, &k);
		if (rc != -EEXIST)
			break;
	}
	if (rc < 0) {
		EVP_PKEY_free(k);
		errno = -rc;
		return NULL;
	}
	return k;
}

/* A big number as unpadded base64url of its big-endian bytes. */
static char *bn_b64url(const BIGNUM *bn)
{
	int n = BN_num_bytes(bn);
	unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
	char *s = NULL;

	if (b && BN_bn2bin(bn, b) == n)
		s = b64url_encode(b, (size_t)n);
	free(b);
	return s;
}

json_t *key_jwk(EVP_PKEY *k, const char *kid)
{
	BIGNUM *n = NULL, *e = NULL;
	char *n64 = NULL, *e64 = NULL, kidbuf[41];
	json_t *j = NULL;

	if (!k || !EVP_PKEY_is_a(k, "RSA"))
		return NULL;
	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e)) {
		ERR_clear_error();
		goto out;
	}
	if (!kid) {
		key_id(k, kidbuf);
		if (!kidbuf[0])
			goto out;
		kid = kidbuf;
	}
	n64 = bn_b64url(n);
	e64 = bn_b64url(e);
	if (n64 && e64)
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "alg", "RS256", "use",
			      "sig", "kid", kid, "n", n64, "e", e64);
out:
	BN_free(n);
	BN_free(e);
	free(n64);
	free(e64);
	return j;
}

/* A JWK member that must be absent or equal to want. */
static int member_ok(const json_t *jwk, const char *name, const char *want)
{
	const json_t *v = json_object_get(jwk, name);

	return !v || streq(json_string_value(v), want);
}

/* Decodes a JWK big-number member into a BIGNUM of 1..max_bytes bytes. */
static BIGNUM *jwk_bn(const json_t *jwk, const char *name, size_t max_bytes)
{
	const json_t *v = json_object_get(jwk, name);
	unsigned char *b = NULL;
	size_t len = 0;
	BIGNUM *bn = NULL;

	if (!json_is_string(v) || json_string_length(v) > (max_bytes + 2) / 3 * 4)
		return NULL;
	if (b64url_decode(json_string_value(v), json_string_length(v), &b, &len) < 0)
		return NULL;
	if (len > 0 && len <= max_bytes)
		bn = BN_bin2bn(b, (int)len, NULL);
	free(b);
	return bn;
}

EVP_PKEY *key_from_jwk(const json_t *jwk)
{
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;

	if (!json_is_object(jwk) || !streq(json_string_value(json_object_get(jwk, "kty")), "RSA") ||
	    !member_ok(jwk, "alg", "RS256") || !member_ok(jwk, "use", "sig"))
		return NULL;
	n = jwk_bn(jwk, "n", RSA_MAX_BYTES);
	e = jwk_bn(jwk, "e", RSA_E_MAX_BYTES);
	if (!n || !e || !BN_is_odd(e) || BN_is_one(e) || !BN_is_odd(n))
		goto out;
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)))
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(k);
		k = NULL;
	}
out:
	if (!k)
		ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return k;
}

void key_id(EVP_PKEY *k, char out[41])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n;

	out[0] = '\0';
	if (!k)
		return;
	n = i2d_PUBKEY(k, &der);
	if (n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha1(), NULL) == 1 && mdlen >= 20)
		hex(md, 20, out);
	else
		ERR_clear_error();
	OPENSSL_free(der);
}

/* ---- JWS ------------------------------------------------------------------------- */

int rs256_sign(EVP_PKEY *k, const void *data, size_t len, unsigned char **sig, size_t *sig_len)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *buf = NULL;
	size_t n;
	int rc = -EINVAL;

	if (!sig || !sig_len)
		return -EINVAL;
	*sig = NULL;
	*sig_len = 0;
	if (!rsa_usable(k) || (!data && len))
		return -EINVAL;
	rc = -ENOMEM;
	n = (size_t)EVP_PKEY_get_size(k);
	ctx = EVP_MD_CTX_new();
	buf = malloc(n);
	if (!ctx || !buf)
		goto out;
	rc = -EIO;
	if (EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, k) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_DigestSign(ctx, buf, &n, data ? data : "", len) != 1)
		goto out;
	*sig = buf;
	*sig_len = n;
	buf = NULL;
	rc = 0;
out:
	if (rc < 0)
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

/* base64url(compact JSON of an object). */
static char *json_b64url(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT), *enc;

	if (!s)
		return NULL;
	enc = b64url_encode(s, strlen(s));
	free(s);
	return enc;
}

char *jwt_sign(EVP_PKEY *k, const char *kid, const json_t *header, const json_t *claims)
{
	json_t *own = NULL;
	char *h64 = NULL, *c64 = NULL, *input = NULL, *s64 = NULL, *tok = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = 0;

	if (!k || !json_is_object(claims))
		return NULL;
	if (!header) {
		own = json_object();
		if (!own || json_object_set_new(own, "alg", json_string("RS256")) < 0 ||
		    (kid && json_object_set_new(own, "kid", json_string(kid)) < 0) ||
		    json_object_set_new(own, "typ", json_string("JWT")) < 0)
			goto out;
		header = own;
	} else if (!json_is_object(header) ||
		   !streq(json_string_value(json_object_get(header, "alg")), "RS256")) {
		goto out; /* never label a token with an algorithm it was not signed with */
	}
	h64 = json_b64url(header);
	c64 = json_b64url(claims);
	if (!h64 || !c64 || !(input = join(h64, '.', c64)))
		goto out;
	if (rs256_sign(k, input, strlen(input), &sig, &sig_len) < 0 ||
	    !(s64 = b64url_encode(sig, sig_len)))
		goto out;
	tok = join(input, '.', s64);
out:
	json_decref(own);
	free(h64);
	free(c64);
	free(input);
	free(s64);
	free(sig);
	return tok;
}

/* Decodes one base64url part (no padding, as RFC 7515 requires) as a JSON object. */
static int part_json(const char *p, size_t len, json_t **out)
{
	unsigned char *buf = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	rc = decode(p, len, 1, 0, &buf, &n);
	if (rc < 0)
		return rc;
	*out = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
	free(buf);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

int jwt_parse(const char *token, struct jwt *out)
{
	const char *d1, *d2, *end;
	size_t len;
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!token)
		return -EINVAL;
	len = strnlen(token, JWT_MAX + 1);
	if (len > JWT_MAX)
		return -EINVAL;
	end = token + len;
	d1 = memchr(token, '.', len);
	if (!d1)
		return -EINVAL;
	d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1));
	if (!d2 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)))
		return -EINVAL;
	if ((rc = part_json(token, (size_t)(d1 - token), &out->header)) < 0 ||
	    (rc = part_json(d1 + 1, (size_t)(d2 - d1 - 1), &out->claims)) < 0 ||
	    (rc = decode(d2 + 1, (size_t)(end - d2 - 1), 1, 0, &out->sig, &out->sig_len)) < 0)
		goto out;
	rc = -ENOMEM;
	out->signing_input = strndup(token, (size_t)(d2 - token));
	if (!out->signing_input)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		jwt_free(out);
	return rc;
}

int jwt_verify(const struct jwt *t, EVP_PKEY *k)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (!t || !t->signing_input || !t->sig || !rsa_usable(k))
		return -EBADMSG;
	/* The algorithm is RS256, whatever the token claims; we implement no "crit"
	 * extension, so a token that requires one is refused (RFC 7515 §4.1.11). */
	if (!streq(json_string_value(json_object_get(t->header, "alg")), "RS256") ||
	    json_object_get(t->header, "crit"))
		return -EBADMSG;
	/* RFC 8017 §8.2.2: the signature is exactly as long as the modulus. */
	if (t->sig_len != (size_t)EVP_PKEY_get_size(k))
		return -EBADMSG;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, k) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	     EVP_DigestVerify(ctx, t->sig, t->sig_len, (const unsigned char *)t->signing_input,
			      strlen(t->signing_input)) == 1;
	if (!ok)
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EBADMSG;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

int jwt_check_time(const struct jwt *t, int64_t now, int64_t leeway)
{
	const json_t *exp, *nbf, *iat;
	int64_t late;

	if (!t || !json_is_object(t->claims))
		return -EINVAL;
	if (leeway < 0)
		leeway = 0;
	exp = json_object_get(t->claims, "exp");
	nbf = json_object_get(t->claims, "nbf");
	iat = json_object_get(t->claims, "iat");
	if (!json_is_integer(exp) || (nbf && !json_is_integer(nbf)) ||
	    (iat && !json_is_integer(iat)))
		return -EINVAL;
	/* Valid while now < exp (RFC 7519 §4.1.4), stretched by the leeway. */
	if (sat_add((int64_t)json_integer_value(exp), leeway) <= now)
		return -ETIMEDOUT;
	late = sat_add(now, leeway);
	if (nbf && (int64_t)json_integer_value(nbf) > late)
		return -ETIMEDOUT;
	if (iat && (int64_t)json_integer_value(iat) > late)
		return -ETIMEDOUT;
	return 0;
}

int jwt_has_audience(const struct jwt *t, const char *aud)
{
	const json_t *a, *v;
	size_t i;

	if (!t || !aud)
		return 0;
	a = json_object_get(t->claims, "aud");
	if (json_is_string(a))
		return streq(json_string_value(a), aud);
	json_array_foreach(a, i, v)
	{
		if (streq(json_string_value(v), aud))
			return 1;
	}
	return 0;
}

void jwt_free(struct jwt *t)
{
	if (!t)
		return;
	json_decref(t->header);
	json_decref(t->claims);
	free(t->signing_input);
	free(t->sig);
	memset(t, 0, sizeof *t);
}

static int cert_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EINVAL;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

/* The extensions of c->kind; issuer is the signing certificate (x when self-signed). */
static int cert_exts(X509 *x, X509 *issuer, const struct key_cert *c)
{
	if (c->kind == KEY_CERT_PLAIN)
		return 0;
	int ca = c->kind == KEY_CERT_CA;
	if (cert_ext(x, issuer, NID_basic_constraints,
		     ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    cert_ext(x, issuer, NID_key_usage,
		     ca ? "critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign"
			: "critical,digitalSignature,keyEncipherment") ||
	    cert_ext(x, issuer, NID_subject_key_identifier, "hash") ||
	    (c->issuer && cert_ext(x, issuer, NID_authority_key_identifier, "keyid:always")) ||
	    (c->eku && cert_ext(x, issuer, NID_ext_key_usage, c->eku)) ||
	    (c->sans && cert_ext(x, issuer, NID_subject_alt_name, c->sans)))
		return -EINVAL;
	return 0;
}

/* The serial: 19 bytes of a key ID (positive and within RFC 5280's 20 octets), or 127
 * random bits. */
static int cert_serial(X509 *x, const char *serial_hex)
{
	BIGNUM *bn = NULL;
	char serial[39];
	int ok;
	if (serial_hex) {
		snprintf(serial, sizeof(serial), "%s", serial_hex);
		ok = BN_hex2bn(&bn, serial) != 0;
	} else {
		ok = (bn = BN_new()) && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
	}
	ok = ok && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok ? 0 : -EINVAL;
}

X509 *key_cert_x509(EVP_PKEY *key, const struct key_cert *c)
{
	X509 *x = X509_new();
	X509_NAME *name;
	if (!x || X509_set_version(x, X509_VERSION_3) != 1 || cert_serial(x, c->serial_hex) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), c->not_before) ||
	    (c->not_after ? !ASN1_TIME_set(X509_getm_notAfter(x), c->not_after)
			  : ASN1_TIME_set_string(X509_getm_notAfter(x), "99991231235959Z") != 1) ||
	    X509_set_pubkey(x, key) != 1 || !(name = X509_get_subject_name(x)))
		goto fail;
	for (size_t i = 0; i < c->n_orgs; i++)
		if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					       (const unsigned char *)c->orgs[i], -1, -1, 0) != 1)
			goto fail;
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)c->cn, -1,
				       -1, 0) != 1 ||
	    X509_set_issuer_name(x, c->issuer ? X509_get_subject_name(c->issuer) : name) != 1 ||
	    cert_exts(x, c->issuer ? c->issuer : x, c) ||
	    X509_sign(x, c->issuer_key ? c->issuer_key : key, EVP_sha256()) <= 0)
		goto fail;
	return x;
fail:
	ERR_clear_error();
	X509_free(x);
	return NULL;
}

char *key_x509_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *pem = NULL, *data = NULL;
	if (!b || PEM_write_bio_X509(b, x) != 1)
		goto out;
	long n = BIO_get_mem_data(b, &data);
	if (n > 0 && data && (pem = malloc((size_t)n + 1))) {
		memcpy(pem, data, (size_t)n);
		pem[n] = '\0';
	}
out:
	if (!pem)
		ERR_clear_error();
	BIO_free(b);
	return pem;
}

char *key_cert_pem(EVP_PKEY *key, const char *cn, const char *serial_hex, time_t not_before,
		   time_t not_after)
{
	struct key_cert c = {.cn = cn,
			     .serial_hex = serial_hex,
			     .not_before = not_before,
			     .not_after = not_after};
	X509 *x = key_cert_x509(key, &c);
	char *pem = x ? key_x509_pem(x) : NULL;
	X509_free(x);
	return pem;
}
