/*
 * jwt.h - RS256 JSON Web Tokens, RSA keys, JWKS and base64url.
 *
 * Everything cryptographic in gkeid goes through OpenSSL 3 via this module: key
 * generation and PEM files (written 0600), RS256 signing and verification, and the
 * JWK form of public keys that OIDC discovery and JWKS endpoints publish.
 * JSON is jansson. Nothing here does I/O except the key file helpers.
 */
#ifndef GKEID_JWT_H
#define GKEID_JWT_H

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* base64url without padding (RFC 7515 §2). Returns a malloc'd NUL-terminated string, or
 * NULL on allocation failure. */
char *b64url_encode(const void *data, size_t len);
/* Decodes base64url (padding optional). Returns 0 and a malloc'd buffer (NUL-terminated,
 * *out_len excludes the NUL), or -EINVAL on bad input, -ENOMEM. */
int b64url_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len);
/* Standard base64 with padding (for privateKeyData, signBlob, etags). malloc'd or NULL. */
char *b64_encode(const void *data, size_t len);
int b64_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len);

/* Lower-case hex SHA-256 of data into out (65 bytes). */
void sha256_hex(const void *data, size_t len, char out[65]);
/* Upper-case hex SHA-512 of data into out (129 bytes), as Go's fmt "%X" prints it. */
void sha512_hex_upper(const void *data, size_t len, char out[129]);
/* Fills buf with cryptographically random bytes. Returns 0 or -EIO. */
int random_bytes(void *buf, size_t len);
/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", into out. 0, or -EIO
 * when the random source fails (out is then ""). */
int random_uuid4(char out[37]);
/* A random token: prefix followed by n random bytes as base64url. malloc'd or NULL. */
char *random_token(const char *prefix, size_t n);

/* A fresh RSA-2048 key. Returns NULL on failure. Free with EVP_PKEY_free. Takes one
 * that key_prefetch made (waiting for it) while there is one. */
EVP_PKEY *key_generate(void);
/* Starts making n (at most KEY_PREFETCH_MAX in all) RSA-2048 keys on threads of their
 * own, for the next calls of key_generate. 0 or -errno (those started still count). */
#define KEY_PREFETCH_MAX 4
int key_prefetch(unsigned n);
/* Waits for the prefetching threads and frees the keys no one took. */
void key_prefetch_end(void);
/* A fresh EC P-256 key (the clusters' TLS certificates). NULL on failure. */
EVP_PKEY *key_generate_ec(void);
/* Private key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), malloc'd, or NULL. */
char *key_private_pem(EVP_PKEY *k);
/* Public key as SubjectPublicKeyInfo PEM, malloc'd, or NULL. */
char *key_public_pem(EVP_PKEY *k);
/* Parses a PEM private or public key. NULL on bad input. */
EVP_PKEY *key_from_pem(const char *pem, size_t len);
/* Loads the private key at path, or generates one and writes it with mode 0600.
 * Returns NULL on failure (errno-style reason logged by the caller). */
EVP_PKEY *key_load_or_create(const char *path);
/* The public key as a JWK object {"kty":"RSA","alg":"RS256","use":"sig","kid","n","e"}.
 * New reference, or NULL. */
json_t *key_jwk(EVP_PKEY *k, const char *kid);
/* A public key from a JWK's n and e (base64url). NULL on bad input. */
EVP_PKEY *key_from_jwk(const json_t *jwk);
/* A key id: the first 20 bytes of SHA-1 of the DER public key, lower-case hex (41 bytes). */
void key_id(EVP_PKEY *k, char out[41]);

/* What key_cert_x509 puts in a certificate. */
enum key_cert_kind {
	KEY_CERT_PLAIN = 0, /* no extensions (key_cert_pem's, as Google's x509 documents) */
	KEY_CERT_LEAF,	    /* CA:FALSE, digitalSignature+keyEncipherment, key ids */
	KEY_CERT_CA,	    /* CA:TRUE, keyCertSign+cRLSign too, key ids */
};
struct key_cert {
	const char *cn;
	const char *const *orgs; /* O entries of the subject, before CN */
	size_t n_orgs;
	const char *serial_hex;	      /* its first 19 bytes; NULL: 127 random bits */
	time_t not_before, not_after; /* not_after 0: 9999-12-31 */
	enum key_cert_kind kind;
	const char *sans, *eku; /* X509v3 config strings ("DNS:x,IP:y", "serverAuth"); NULL */
	X509 *issuer;		/* and issuer_key; NULL: self-signed with key */
	EVP_PKEY *issuer_key;
};
/* An X.509 v3 certificate for key (public half; signed by issuer_key, else by key). NULL
 * on failure. */
X509 *key_cert_x509(EVP_PKEY *key, const struct key_cert *c);
/* A certificate as PEM; malloc'd or NULL. */
char *key_x509_pem(X509 *x);
/* A self-signed X.509 v3 certificate for key (which must hold the private half): subject
 * and issuer CN=cn, serial from serial_hex (a key ID, first 19 bytes), valid from
 * not_before to not_after (0: 9999-12-31), no extensions. malloc'd PEM, or NULL. */
char *key_cert_pem(EVP_PKEY *key, const char *cn, const char *serial_hex, time_t not_before,
		   time_t not_after);

/* Signs header+claims (both borrowed) as a compact RS256 JWS. header may be NULL, in
 * which case {"alg":"RS256","kid":kid,"typ":"JWT"} is used (kid omitted when NULL);
 * a given header is used as is (kid ignored) and must say "alg":"RS256".
 * Returns a malloc'd string or NULL. */
char *jwt_sign(EVP_PKEY *k, const char *kid, const json_t *header, const json_t *claims);
/* Signs arbitrary bytes with RS256 (for signBlob). Returns 0 and malloc'd signature. */
int rs256_sign(EVP_PKEY *k, const void *data, size_t len, unsigned char **sig, size_t *sig_len);

/* A parsed, not yet verified, compact JWS. */
struct jwt {
	json_t *header;
	json_t *claims;
	char *signing_input; /* "b64header.b64payload" */
	unsigned char *sig;
	size_t sig_len;
};
/* Parses a compact JWS (three base64url parts, JSON header and claims objects).
 * Size-capped at 16 KiB. Returns 0 or -EINVAL. On success free with jwt_free. */
int jwt_parse(const char *token, struct jwt *out);
/* Verifies an RS256 signature (the header's alg must be RS256). 0 or -EBADMSG. */
int jwt_verify(const struct jwt *t, EVP_PKEY *k);
/* Checks exp/iat/nbf against now (seconds) with leeway. 0, -ETIMEDOUT (expired or not
 * yet valid), -EINVAL (missing or mistyped exp). */
int jwt_check_time(const struct jwt *t, int64_t now, int64_t leeway);
/* True when claim "aud" (string or array of strings) contains aud. */
int jwt_has_audience(const struct jwt *t, const char *aud);
void jwt_free(struct jwt *t);

#endif
