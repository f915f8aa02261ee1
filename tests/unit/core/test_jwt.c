/*
 * test_jwt.c - unit tests for core/jwt: base64/base64url (RFC 4648 vectors, all bytes,
 * bad input), hashes and random tokens, PEM and JWK round trips, RS256 sign/parse/
 * verify, tampering and algorithm confusion, time and audience checks, and the 0600
 * key file, and certificates (key_cert_x509's CA and leaf extensions, key_cert_pem's
 * plain self-signed form). One RSA key is generated up front and shared.
 */
#include "core/jwt.h"
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static EVP_PKEY *key;

/* a "." b "." c (c NULL: a "." b), malloc'd; aborts when out of memory. */
static char *dots(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	char *s = malloc(n);

	if (!s)
		abort();
	if (c)
		snprintf(s, n, "%s.%s.%s", a, b, c);
	else
		snprintf(s, n, "%s.%s", a, b);
	return s;
}

static char *b64s(const char *s)
{
	return b64url_encode(s, strlen(s));
}

/* A token with the given header and claims JSON, signed RS256 with k over its own
 * signing input whatever the header says (for algorithm-confusion tests). */
static char *forge(EVP_PKEY *k, const char *header, const char *claims)
{
	char *h = b64s(header), *c = b64s(claims), *input, *s, *tok;
	unsigned char *sig = NULL;
	size_t sig_len = 0;

	input = dots(h, c, NULL);
	CHECK_EQ_INT(rs256_sign(k, input, strlen(input), &sig, &sig_len), 0);
	s = b64url_encode(sig, sig_len);
	tok = dots(h, c, s);
	free(h);
	free(c);
	free(input);
	free(s);
	free(sig);
	return tok;
}

/* The decoded header part of a compact token, as a string. */
static char *header_text(const char *tok)
{
	const char *dot = strchr(tok, '.');
	unsigned char *out = NULL;
	size_t n = 0;

	if (!dot || b64url_decode(tok, (size_t)(dot - tok), &out, &n) != 0)
		return NULL;
	return (char *)out;
}

static void test_b64_vectors(void)
{
	static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
		char *e = b64_encode(plain[i], strlen(plain[i]));
		char *u = b64url_encode(plain[i], strlen(plain[i]));
		unsigned char *d = NULL;
		size_t n = 99;

		CHECK_STR(e, std[i]);
		CHECK_STR(u, url[i]);
		CHECK_EQ_INT(b64_decode(std[i], strlen(std[i]), &d, &n), 0);
		CHECK_EQ_INT(n, strlen(plain[i]));
		CHECK_STR((char *)d, plain[i]);
		free(d);
		CHECK_EQ_INT(b64url_decode(url[i], strlen(url[i]), &d, &n), 0);
		CHECK_STR((char *)d, plain[i]);
		free(d);
		/* padding is optional for both */
		CHECK_EQ_INT(b64url_decode(std[i], strlen(std[i]), &d, &n), 0);
		CHECK_STR((char *)d, plain[i]);
		free(d);
		CHECK_EQ_INT(b64_decode(url[i], strlen(url[i]), &d, &n), 0);
		CHECK_STR((char *)d, plain[i]);
		free(d);
		free(e);
		free(u);
	}
	/* The two alphabets differ in 62 and 63. */
	{
		const unsigned char b[] = {0xfb, 0xff, 0xbf};
		char *e = b64_encode(b, 3), *u = b64url_encode(b, 3);

		CHECK_STR(e, "+/+/");
		CHECK_STR(u, "-_-_");
		free(e);
		free(u);
	}
	{
		char *e = b64url_encode(NULL, 0);

		CHECK_STR(e, "");
		free(e);
	}
}

static void test_b64_all_bytes(void)
{
	unsigned char all[256];
	size_t bad = 0;

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	/* Every prefix length, so every padding case, with every byte value. */
	for (size_t len = 0; len <= 256; len++) {
		for (int url = 0; url < 2; url++) {
			char *e = url ? b64url_encode(all + 256 - len, len)
				      : b64_encode(all + 256 - len, len);
			unsigned char *d = NULL;
			size_t n = 0;
			int rc = !e ? -1
			     : url  ? b64url_decode(e, strlen(e), &d, &n)
				    : b64_decode(e, strlen(e), &d, &n);

			if (rc != 0 || n != len || memcmp(d, all + 256 - len, len) != 0 ||
			    d[n] != '\0' || (url && (strchr(e, '=') || strpbrk(e, "+/"))))
				bad++;
			free(e);
			free(d);
		}
	}
	CHECK_EQ_INT(bad, 0);
}

static void test_b64_invalid(void)
{
	static const char *bad_url[] = {
		"Z",        /* one char can not hold a byte */
		"Zg=",      /* wrong padding */
		"Zg===",    /* too much */
		"Zm8==",    /* wrong padding */
		"Zh",       /* non-canonical trailing bits */
		"Zm9=",     /* non-canonical */
		"Zm9v!",    /* not in the alphabet */
		" Zm9v",    /* whitespace */
		"Zm9v\n",   /* newline */
		"Zm+v",     /* standard alphabet in base64url */
		"Zg==Zg==", /* padding in the middle */
		"====",     /* only padding */
		"=",        /* only padding */
	};
	unsigned char *d = (unsigned char *)"untouched";
	size_t n = 5;

	for (size_t i = 0; i < sizeof bad_url / sizeof *bad_url; i++) {
		int rc = b64url_decode(bad_url[i], strlen(bad_url[i]), &d, &n);

		if (rc != -EINVAL)
			fprintf(stderr, "accepted bad base64url \"%s\"\n", bad_url[i]);
		CHECK_EQ_INT(rc, -EINVAL);
		CHECK(d == NULL && n == 0);
	}
	CHECK_EQ_INT(b64_decode("Zm-v", 4, &d, &n), -EINVAL);
	CHECK_EQ_INT(b64_decode("Zm_v", 4, &d, &n), -EINVAL);
	/* An embedded NUL inside in_len is a bad character, not an end. */
	CHECK_EQ_INT(b64url_decode("Zm\0v", 4, &d, &n), -EINVAL);
	/* in_len is honoured: the tail past it is not read. */
	CHECK_EQ_INT(b64url_decode("Zm9v!!!", 4, &d, &n), 0);
	CHECK_STR((char *)d, "foo");
	free(d);
	CHECK_EQ_INT(b64url_decode("", 0, &d, &n), 0);
	CHECK(d != NULL && n == 0 && d[0] == '\0');
	free(d);
	CHECK_EQ_INT(b64url_decode(NULL, 1, &d, &n), -EINVAL);
}

static void test_hash_random(void)
{
	char h[65], *a, *b;
	unsigned char r1[32] = {0}, r2[32] = {0};

	sha256_hex("abc", 3, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, h);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_EQ_INT(random_bytes(r1, sizeof r1), 0);
	CHECK_EQ_INT(random_bytes(r2, sizeof r2), 0);
	CHECK(memcmp(r1, r2, sizeof r1) != 0);
	CHECK_EQ_INT(random_bytes(r1, 0), 0);
	a = random_token("ya29.", 32);
	b = random_token("ya29.", 32);
	CHECK(a && b && strcmp(a, b) != 0);
	CHECK(a && strncmp(a, "ya29.", 5) == 0 && strlen(a) == 5 + 43);
	CHECK(a && strspn(a + 5, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
			   43);
	free(a);
	free(b);
	a = random_token(NULL, 16);
	CHECK(a && strlen(a) == 22);
	free(a);
}

static void test_pem(void)
{
	char *priv = key_private_pem(key), *pub = key_public_pem(key);
	EVP_PKEY *k1 = NULL, *k2 = NULL;
	char id0[41], id1[41], id2[41];

	CHECK(priv && strncmp(priv, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
	CHECK(pub && strncmp(pub, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
	k1 = key_from_pem(priv, strlen(priv));
	k2 = key_from_pem(pub, strlen(pub));
	CHECK(k1 && EVP_PKEY_eq(k1, key) == 1);
	CHECK(k2 && EVP_PKEY_eq(k2, key) == 1);
	key_id(key, id0);
	key_id(k1, id1);
	key_id(k2, id2);
	CHECK_EQ_INT(strlen(id0), 40);
	CHECK_EQ_INT(strspn(id0, "0123456789abcdef"), 40);
	CHECK_STR(id1, id0);
	CHECK_STR(id2, id0);
	CHECK(key_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 58) ==
	      NULL);
	CHECK(key_from_pem("garbage", 7) == NULL);
	CHECK(key_from_pem(priv, 0) == NULL);
	/* A truncated PEM is refused, not read past. */
	CHECK(key_from_pem(priv, strlen(priv) / 2) == NULL);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	free(priv);
	free(pub);
}

static void test_sign_verify(void)
{
	json_t *claims = json_pack("{s:s, s:s, s:I, s:I}", "iss", "gkeid", "sub", "system:serviceaccount:ns:ksa",
				   "iat", (json_int_t)1700000000, "exp", (json_int_t)1700003600);
	char *tok = jwt_sign(key, "kid1", NULL, claims), *h;
	struct jwt t;

	CHECK(tok != NULL);
	h = header_text(tok);
	CHECK_STR(h, "{\"alg\":\"RS256\",\"kid\":\"kid1\",\"typ\":\"JWT\"}");
	free(h);
	CHECK_EQ_INT(jwt_parse(tok, &t), 0);
	CHECK_EQ_INT(jwt_verify(&t, key), 0);
	CHECK_STR(json_string_value(json_object_get(t.claims, "sub")), "system:serviceaccount:ns:ksa");
	CHECK(strncmp(tok, t.signing_input, strlen(t.signing_input)) == 0);
	CHECK_EQ_INT(t.sig_len, 256);
	jwt_free(&t);
	CHECK(t.header == NULL && t.sig == NULL);
	jwt_free(&t); /* twice is harmless */
	free(tok);

	/* kid NULL: no kid. */
	tok = jwt_sign(key, NULL, NULL, claims);
	h = tok ? header_text(tok) : NULL;
	CHECK_STR(h, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	free(h);
	free(tok);

	/* A caller's header is used as given, if it says RS256. */
	{
		json_t *hdr = json_pack("{s:s, s:s}", "alg", "RS256", "kid", "k2");

		tok = jwt_sign(key, "ignored", hdr, claims);
		h = tok ? header_text(tok) : NULL;
		CHECK_STR(h, "{\"alg\":\"RS256\",\"kid\":\"k2\"}");
		CHECK_EQ_INT(jwt_parse(tok, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, key), 0);
		jwt_free(&t);
		free(h);
		free(tok);
		json_object_set_new(hdr, "alg", json_string("none"));
		CHECK(jwt_sign(key, NULL, hdr, claims) == NULL);
		json_object_del(hdr, "alg");
		CHECK(jwt_sign(key, NULL, hdr, claims) == NULL);
		json_decref(hdr);
	}
	/* Claims must be an object. */
	{
		json_t *arr = json_array();

		CHECK(jwt_sign(key, NULL, NULL, arr) == NULL);
		json_decref(arr);
	}
	/* A different key does not verify. */
	{
		EVP_PKEY *other = key_generate();

		tok = jwt_sign(key, "kid1", NULL, claims);
		CHECK_EQ_INT(jwt_parse(tok, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, other), -EBADMSG);
		jwt_free(&t);
		free(tok);
		EVP_PKEY_free(other);
	}
	/* RSASSA-PKCS1-v1_5 is deterministic. */
	{
		unsigned char *s1 = NULL, *s2 = NULL;
		size_t n1 = 0, n2 = 0;

		CHECK_EQ_INT(rs256_sign(key, "blob", 4, &s1, &n1), 0);
		CHECK_EQ_INT(rs256_sign(key, "blob", 4, &s2, &n2), 0);
		CHECK(n1 == 256 && n1 == n2 && memcmp(s1, s2, n1) == 0);
		free(s1);
		free(s2);
		CHECK_EQ_INT(rs256_sign(NULL, "blob", 4, &s1, &n1), -EINVAL);
		CHECK(s1 == NULL && n1 == 0);
	}
	json_decref(claims);
}

static void test_tampered(void)
{
	json_t *claims = json_pack("{s:s, s:I}", "sub", "alice", "exp", (json_int_t)2000000000);
	char *tok = jwt_sign(key, "kid1", NULL, claims), *d1, *d2, *evil, *forged;
	struct jwt t;

	CHECK(tok != NULL);
	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');

	/* Payload swapped for another. */
	{
		char *c = b64s("{\"sub\":\"admin\",\"exp\":2000000000}");
		char *h = strndup(tok, (size_t)(d1 - tok));

		forged = dots(h, c, d2 + 1);
		CHECK_EQ_INT(jwt_parse(forged, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, key), -EBADMSG);
		jwt_free(&t);
		free(forged);
		free(c);
		free(h);
	}
	/* One signature character changed (in the middle: still canonical base64url). */
	evil = strdup(tok);
	{
		char *p = evil + (d2 - tok) + 10;

		*p = *p == 'A' ? 'B' : 'A';
	}
	CHECK_EQ_INT(jwt_parse(evil, &t), 0);
	CHECK_EQ_INT(jwt_verify(&t, key), -EBADMSG);
	jwt_free(&t);
	/* Signature truncated by two characters (342 -> 340: still valid base64url). */
	strcpy(evil, tok);
	evil[strlen(evil) - 2] = '\0';
	CHECK_EQ_INT(jwt_parse(evil, &t), 0);
	CHECK_EQ_INT(jwt_verify(&t, key), -EBADMSG);
	jwt_free(&t);
	/* Signature removed. */
	strcpy(evil, tok);
	evil[d2 - tok + 1] = '\0';
	CHECK_EQ_INT(jwt_parse(evil, &t), 0);
	CHECK_EQ_INT(t.sig_len, 0);
	CHECK_EQ_INT(jwt_verify(&t, key), -EBADMSG);
	jwt_free(&t);
	free(evil);
	CHECK_EQ_INT(jwt_verify(NULL, key), -EBADMSG);
	CHECK_EQ_INT(jwt_parse(tok, &t), 0);
	CHECK_EQ_INT(jwt_verify(&t, NULL), -EBADMSG);
	jwt_free(&t);
	free(tok);
	json_decref(claims);
}

static void test_alg_confusion(void)
{
	static const char *claims = "{\"sub\":\"alice\",\"exp\":2000000000}";
	/* Valid RS256 signatures over their own input, but the header names another
	 * algorithm or demands an extension: all refused. */
	static const char *headers[] = {
		"{\"alg\":\"none\"}",
		"{\"alg\":\"HS256\"}",
		"{\"alg\":\"rs256\"}",
		"{\"alg\":\"RS512\"}",
		"{\"typ\":\"JWT\"}",
		"{\"alg\":null}",
		"{\"alg\":[\"RS256\"]}",
		"{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}",
	};
	struct jwt t;

	for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {
		char *tok = forge(key, headers[i], claims);

		CHECK_EQ_INT(jwt_parse(tok, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, key), -EBADMSG);
		jwt_free(&t);
		free(tok);
	}
	/* The control: the same forge with RS256 verifies. */
	{
		char *tok = forge(key, "{\"alg\":\"RS256\"}", claims);

		CHECK_EQ_INT(jwt_parse(tok, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, key), 0);
		jwt_free(&t);
		free(tok);
	}
	/* Unsecured JWT: alg none, empty signature. */
	{
		char *h = b64s("{\"alg\":\"none\"}"), *c = b64s(claims), *tok = dots(h, c, "");

		CHECK_EQ_INT(jwt_parse(tok, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, key), -EBADMSG);
		jwt_free(&t);
		free(tok);
		free(h);
		free(c);
	}
	/* HS256 keyed with the public key PEM (the classic RS/HS confusion). */
	{
		char *pub = key_public_pem(key), *h = b64s("{\"alg\":\"HS256\"}"), *c = b64s(claims);
		char *input = dots(h, c, NULL), *s, *tok;
		unsigned char mac[32];
		unsigned int mac_len = 0;

		HMAC(EVP_sha256(), pub, (int)strlen(pub), (unsigned char *)input, strlen(input), mac,
		     &mac_len);
		s = b64url_encode(mac, mac_len);
		tok = dots(h, c, s);
		CHECK_EQ_INT(jwt_parse(tok, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, key), -EBADMSG);
		jwt_free(&t);
		free(pub);
		free(h);
		free(c);
		free(input);
		free(s);
		free(tok);
	}
}

/* Expects jwt_parse to refuse a token made of three JSON or raw parts. */
static void refuse(const char *header, const char *claims, const char *sig_b64)
{
	char *h = b64s(header), *c = b64s(claims), *tok = dots(h, c, sig_b64);
	struct jwt t;
	int rc = jwt_parse(tok, &t);

	if (rc != -EINVAL)
		fprintf(stderr, "accepted %s . %s . %s\n", header, claims, sig_b64);
	CHECK_EQ_INT(rc, -EINVAL);
	CHECK(t.header == NULL && t.claims == NULL && t.signing_input == NULL && t.sig == NULL);
	free(h);
	free(c);
	free(tok);
}

static void test_parse_invalid(void)
{
	char *h = b64s("{\"alg\":\"RS256\"}"), *c = b64s("{\"exp\":1}"), *tok, buf[256];
	struct jwt t;

	CHECK_EQ_INT(jwt_parse(NULL, &t), -EINVAL);
	CHECK_EQ_INT(jwt_parse("", &t), -EINVAL);
	CHECK_EQ_INT(jwt_parse("..", &t), -EINVAL);
	CHECK_EQ_INT(jwt_parse("a.b", &t), -EINVAL);
	CHECK_EQ_INT(jwt_parse("abc", &t), -EINVAL);
	CHECK_EQ_INT(jwt_parse("a.b.c", NULL), -EINVAL);
	CHECK(t.header == NULL && t.claims == NULL && t.signing_input == NULL);

	/* The well-formed control. */
	tok = dots(h, c, "");
	CHECK_EQ_INT(jwt_parse(tok, &t), 0);
	CHECK_STR(json_string_value(json_object_get(t.header, "alg")), "RS256");
	jwt_free(&t);
	free(tok);

	snprintf(buf, sizeof buf, "%s.%s.AAAA.AAAA", h, c); /* four or five parts */
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, "%s.%s.AAAA.", h, c);
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, "%s=.%s.", h, c); /* padding is not JWS */
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, "%s.%s.AA==", h, c);
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, "%s.%s.A", h, c); /* impossible length */
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, "%s.%s.AA+/", h, c); /* wrong alphabet */
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, ".%s.", c); /* empty header */
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, "%s..", h); /* empty claims */
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);
	snprintf(buf, sizeof buf, " %s.%s.", h, c);
	CHECK_EQ_INT(jwt_parse(buf, &t), -EINVAL);

	refuse("[]", "{}", "");
	refuse("\"RS256\"", "{}", "");
	refuse("{\"alg\":\"RS256\"}", "[1]", "");
	refuse("{\"alg\":\"RS256\"}", "42", "");
	refuse("{\"alg\":\"RS256\"}", "null", "");
	refuse("{\"alg\":\"RS256\"", "{}", "");
	refuse("{\"alg\":\"RS256\"}", "{} {}", "");
	refuse("{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"b\"}", ""); /* duplicates */
	refuse("{\"alg\":\"none\",\"alg\":\"RS256\"}", "{}", "");
	refuse("{\"alg\":\"RS256\"}", "{\"sub\":\"\\u0000\"}", "");
	refuse("{\"alg\":\"RS256\"}", "{\"exp\":99999999999999999999999}", "");
	refuse("{\"alg\":\"RS256\"}", "\xff\xfe", "");

	/* Size cap: 16 KiB accepted, one byte more refused. */
	{
		size_t cap = 16 * 1024, used = strlen(h) + strlen(c) + 2;
		char *big = malloc(cap + 2);

		sprintf(big, "%s.%s.", h, c);
		memset(big + used, 'A', cap - used);
		big[cap] = '\0';
		/* cap - used signature chars: make the length valid base64url */
		while ((strlen(big) - used) % 4 == 1)
			big[strlen(big) - 1] = '\0';
		CHECK_EQ_INT(jwt_parse(big, &t), 0);
		jwt_free(&t);
		memset(big + used, 'A', cap + 1 - used);
		big[cap + 1] = '\0';
		CHECK_EQ_INT(jwt_parse(big, &t), -EINVAL);
		free(big);
	}
	/* A token signed with a big claims set is produced, but not parsed. */
	{
		json_t *claims = json_object();
		char *pad = malloc(20000), *signed_tok;

		memset(pad, 'x', 19999);
		pad[19999] = '\0';
		json_object_set_new(claims, "pad", json_string(pad));
		signed_tok = jwt_sign(key, NULL, NULL, claims);
		CHECK(signed_tok != NULL);
		CHECK_EQ_INT(jwt_parse(signed_tok, &t), -EINVAL);
		free(signed_tok);
		free(pad);
		json_decref(claims);
	}
	free(h);
	free(c);
}

/* A struct jwt with just these claims (JSON), for the claim checks. */
static struct jwt with_claims(const char *json)
{
	struct jwt t = {0};

	t.claims = json_loads(json, 0, NULL);
	CHECK(t.claims != NULL);
	return t;
}

static int time_rc(const char *claims, int64_t now, int64_t leeway)
{
	struct jwt t = with_claims(claims);
	int rc = jwt_check_time(&t, now, leeway);

	jwt_free(&t);
	return rc;
}

static void test_time(void)
{
	const int64_t now = 1700000000;

	CHECK_EQ_INT(time_rc("{\"exp\":1700000100}", now, 0), 0);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000000}", now, 0), -ETIMEDOUT); /* exp is exclusive */
	CHECK_EQ_INT(time_rc("{\"exp\":1699999999}", now, 0), -ETIMEDOUT);
	CHECK_EQ_INT(time_rc("{\"exp\":1699999990}", now, 30), 0); /* within leeway */
	CHECK_EQ_INT(time_rc("{\"exp\":1699999960}", now, 30), -ETIMEDOUT);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100}", now, -1000), 0); /* negative leeway: 0 */
	/* exp required and an integer. */
	CHECK_EQ_INT(time_rc("{}", now, 0), -EINVAL);
	CHECK_EQ_INT(time_rc("{\"exp\":\"1700000100\"}", now, 0), -EINVAL);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100.5}", now, 0), -EINVAL);
	CHECK_EQ_INT(time_rc("{\"exp\":null}", now, 0), -EINVAL);
	CHECK_EQ_INT(time_rc("{\"exp\":true}", now, 0), -EINVAL);
	/* nbf */
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"nbf\":1700000000}", now, 0), 0);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"nbf\":1700000001}", now, 0), -ETIMEDOUT);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"nbf\":1700000020}", now, 30), 0);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"nbf\":\"x\"}", now, 0), -EINVAL);
	/* iat: the past is fine, the future beyond the leeway is not. */
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"iat\":1600000000}", now, 0), 0);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"iat\":1700000060}", now, 30), -ETIMEDOUT);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"iat\":1700000020}", now, 30), 0);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100,\"iat\":[1]}", now, 0), -EINVAL);
	/* Extremes do not overflow (UBSan watches). */
	CHECK_EQ_INT(time_rc("{\"exp\":9223372036854775807}", now, INT64_MAX), 0);
	CHECK_EQ_INT(time_rc("{\"exp\":-9223372036854775808}", now, INT64_MAX), -ETIMEDOUT);
	CHECK_EQ_INT(time_rc("{\"exp\":9223372036854775807,\"nbf\":9223372036854775807}",
			     INT64_MAX - 1, INT64_MAX),
		     0);
	CHECK_EQ_INT(time_rc("{\"exp\":9223372036854775807}", INT64_MAX, INT64_MAX), -ETIMEDOUT);
	CHECK_EQ_INT(time_rc("{\"exp\":1700000100}", INT64_MIN, INT64_MAX), 0);
	CHECK_EQ_INT(jwt_check_time(NULL, now, 0), -EINVAL);
}

static int aud_has(const char *claims, const char *aud)
{
	struct jwt t = with_claims(claims);
	int r = jwt_has_audience(&t, aud);

	jwt_free(&t);
	return r;
}

static void test_audience(void)
{
	CHECK(aud_has("{\"aud\":\"sts.googleapis.com\"}", "sts.googleapis.com"));
	CHECK(!aud_has("{\"aud\":\"sts.googleapis.com\"}", "sts.googleapis.co"));
	CHECK(!aud_has("{\"aud\":\"sts.googleapis.com\"}", "sts.googleapis.comx"));
	CHECK(aud_has("{\"aud\":[\"a\",\"b\"]}", "a"));
	CHECK(aud_has("{\"aud\":[\"a\",\"b\"]}", "b"));
	CHECK(!aud_has("{\"aud\":[\"a\",\"b\"]}", "c"));
	CHECK(aud_has("{\"aud\":[1,null,{\"x\":\"c\"},\"c\"]}", "c"));
	CHECK(!aud_has("{\"aud\":[]}", "a"));
	CHECK(!aud_has("{\"aud\":[[\"a\"]]}", "a"));
	CHECK(!aud_has("{\"aud\":{\"a\":\"a\"}}", "a"));
	CHECK(!aud_has("{\"aud\":1}", "1"));
	CHECK(!aud_has("{}", "a"));
	CHECK(!aud_has("{\"aud\":\"a\"}", NULL));
	CHECK(!aud_has("{\"aud\":\"\"}", "a"));
	CHECK(aud_has("{\"aud\":\"\"}", ""));
	CHECK(!jwt_has_audience(NULL, "a"));
}

static void test_jwk(void)
{
	json_t *jwk = key_jwk(key, "kid1"), *claims, *bad;
	EVP_PKEY *pub;
	char *dump, *tok, id[41];
	struct jwt t;

	CHECK(jwk != NULL);
	dump = json_dumps(jwk, JSON_COMPACT);
	CHECK(dump && strncmp(dump, "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"kid1\",\"n\":\"", 57) == 0);
	CHECK(dump && strstr(dump, "\"e\":\"AQAB\"}") != NULL);
	free(dump);
	CHECK_EQ_INT(json_string_length(json_object_get(jwk, "n")), 342); /* 256 bytes */

	pub = key_from_jwk(jwk);
	CHECK(pub && EVP_PKEY_eq(pub, key) == 1);
	claims = json_pack("{s:s, s:I}", "sub", "x", "exp", (json_int_t)2000000000);
	tok = jwt_sign(key, "kid1", NULL, claims);
	CHECK_EQ_INT(jwt_parse(tok, &t), 0);
	CHECK_EQ_INT(jwt_verify(&t, pub), 0);
	jwt_free(&t);
	free(tok);
	json_decref(claims);
	EVP_PKEY_free(pub);

	/* The public key alone exports the same JWK. */
	{
		char *pem = key_public_pem(key);
		EVP_PKEY *k2 = key_from_pem(pem, strlen(pem));
		json_t *jwk2 = key_jwk(k2, "kid1");

		CHECK(json_equal(jwk, jwk2));
		json_decref(jwk2);
		EVP_PKEY_free(k2);
		free(pem);
	}
	/* kid NULL: the key id. */
	{
		json_t *jwk3 = key_jwk(key, NULL);

		key_id(key, id);
		CHECK_STR(json_string_value(json_object_get(jwk3, "kid")), id);
		json_decref(jwk3);
	}

	/* Refused JWKs. */
	bad = json_deep_copy(jwk);
	json_object_set_new(bad, "kty", json_string("EC"));
	CHECK(key_from_jwk(bad) == NULL);
	json_object_set_new(bad, "kty", json_string("RSA"));
	json_object_set_new(bad, "alg", json_string("HS256"));
	CHECK(key_from_jwk(bad) == NULL);
	json_object_del(bad, "alg");
	json_object_set_new(bad, "use", json_string("enc"));
	CHECK(key_from_jwk(bad) == NULL);
	json_object_del(bad, "use");
	pub = key_from_jwk(bad); /* alg and use are optional */
	CHECK(pub != NULL);
	EVP_PKEY_free(pub);
	json_object_set_new(bad, "e", json_string("AQAA")); /* even exponent */
	CHECK(key_from_jwk(bad) == NULL);
	json_object_set_new(bad, "e", json_string("AQ")); /* e = 1 */
	CHECK(key_from_jwk(bad) == NULL);
	json_object_set_new(bad, "e", json_string("AQAB!"));
	CHECK(key_from_jwk(bad) == NULL);
	json_object_set_new(bad, "e", json_string("AQABAQABAQAB")); /* 9 bytes */
	CHECK(key_from_jwk(bad) == NULL);
	json_object_set_new(bad, "e", json_integer(65537));
	CHECK(key_from_jwk(bad) == NULL);
	json_object_set_new(bad, "e", json_string("AQAB"));
	json_object_set_new(bad, "n", json_string(""));
	CHECK(key_from_jwk(bad) == NULL);
	{
		char *huge = malloc(4000);

		memset(huge, 'z', 3999);
		huge[3999] = '\0';
		json_object_set_new(bad, "n", json_string(huge)); /* above 16384 bits */
		CHECK(key_from_jwk(bad) == NULL);
		free(huge);
	}
	json_object_del(bad, "n");
	CHECK(key_from_jwk(bad) == NULL);
	CHECK(key_from_jwk(NULL) == NULL);
	json_decref(bad);
	/* A small key imports but never verifies. */
	{
		EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		json_t *j = key_jwk(small, "s");
		EVP_PKEY *imp = key_from_jwk(j);
		unsigned char *sig = NULL;
		size_t n = 0;

		CHECK(imp != NULL);
		CHECK_EQ_INT(rs256_sign(small, "x", 1, &sig, &n), -EINVAL);
		tok = forge(key, "{\"alg\":\"RS256\"}", "{}");
		CHECK_EQ_INT(jwt_parse(tok, &t), 0);
		CHECK_EQ_INT(jwt_verify(&t, imp), -EBADMSG);
		jwt_free(&t);
		free(tok);
		EVP_PKEY_free(imp);
		json_decref(j);
		EVP_PKEY_free(small);
	}
	json_decref(jwk);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_key_file(void)
{
	char dir[] = "/tmp/gkeid-test-jwt-XXXXXX", path[128], other[128];
	EVP_PKEY *k1, *k2, *k3;
	struct stat st;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/signing.pem", dir);

	k1 = key_load_or_create(path);
	CHECK(k1 != NULL);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ_INT(count_entries(dir), 1); /* no temporary file left */
	{
		char buf[64] = {0};

		fd = open(path, O_RDONLY);
		CHECK(read(fd, buf, 27) == 27);
		close(fd);
		CHECK_STR(buf, "-----BEGIN PRIVATE KEY-----");
	}

	/* Reload: the same key, file untouched. */
	k2 = key_load_or_create(path);
	CHECK(k2 && EVP_PKEY_eq(k1, k2) == 1);
	EVP_PKEY_free(k2);

	/* Insecure mode is repaired. */
	CHECK_EQ_INT(chmod(path, 0644), 0);
	k2 = key_load_or_create(path);
	CHECK(k2 && EVP_PKEY_eq(k1, k2) == 1);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	EVP_PKEY_free(k2);

	/* Garbage or a public key is not a signing key; the file is left alone. */
	snprintf(other, sizeof other, "%s/garbage.pem", dir);
	fd = open(other, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(write(fd, "not a key\n", 10) == 10);
	close(fd);
	errno = 0;
	CHECK(key_load_or_create(other) == NULL);
	CHECK_EQ_INT(errno, EINVAL);
	CHECK_EQ_INT(stat(other, &st), 0);
	CHECK_EQ_INT(st.st_size, 10);
	unlink(other);
	{
		char *pub = key_public_pem(k1);

		fd = open(other, O_WRONLY | O_CREAT | O_EXCL, 0600);
		CHECK(write(fd, pub, strlen(pub)) == (ssize_t)strlen(pub));
		close(fd);
		CHECK(key_load_or_create(other) == NULL);
		free(pub);
		unlink(other);
	}
	/* A directory, a missing directory. */
	errno = 0;
	CHECK(key_load_or_create(dir) == NULL);
	CHECK_EQ_INT(errno, EINVAL);
	snprintf(other, sizeof other, "%s/missing/k.pem", dir);
	errno = 0;
	CHECK(key_load_or_create(other) == NULL);
	CHECK_EQ_INT(errno, ENOENT);
	CHECK(key_load_or_create(NULL) == NULL);

	/* Processes racing to create one file all end up with the one key written. */
	{
		char ids[4][41], want[41];
		int pipes[4][2];
		pid_t pids[4];
		EVP_PKEY *final;

		snprintf(other, sizeof other, "%s/raced.pem", dir);
		for (int i = 0; i < 4; i++) {
			CHECK_EQ_INT(pipe(pipes[i]), 0);
			pids[i] = fork();
			if (pids[i] == 0) {
				EVP_PKEY *k = key_load_or_create(other);
				char id[41] = "";

				if (k)
					key_id(k, id);
				if (write(pipes[i][1], id, sizeof id) != (ssize_t)sizeof id)
					_exit(2);
				EVP_PKEY_free(k);
				_exit(k ? 0 : 1);
			}
			close(pipes[i][1]);
		}
		for (int i = 0; i < 4; i++) {
			int status = -1;

			memset(ids[i], 0, sizeof ids[i]);
			CHECK(read(pipes[i][0], ids[i], sizeof ids[i]) == (ssize_t)sizeof ids[i]);
			close(pipes[i][0]);
			waitpid(pids[i], &status, 0);
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
		final = key_load_or_create(other);
		key_id(final, want);
		for (int i = 0; i < 4; i++)
			CHECK_STR(ids[i], want);
		EVP_PKEY_free(final);
		unlink(other);
	}

	/* A second, new file gets a different key. */
	snprintf(other, sizeof other, "%s/second.pem", dir);
	k3 = key_load_or_create(other);
	CHECK(k3 && EVP_PKEY_eq(k1, k3) != 1);
	EVP_PKEY_free(k3);
	unlink(other);

	EVP_PKEY_free(k1);
	unlink(path);
	CHECK_EQ_INT(count_entries(dir), 0);
	rmdir(dir);
}

/* A CA and a leaf it signs (as kube/tls.c makes them), and key_cert_pem's plain form. */
static void test_certs(void)
{
	EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *leaf_key = EVP_EC_gen("P-256");
	CHECK(ca_key && leaf_key);
	time_t now = time(NULL);
	struct key_cert ca = {.cn = "test-ca",
			      .not_before = now - 3600,
			      .not_after = now + 86400,
			      .kind = KEY_CERT_CA};
	X509 *cax = key_cert_x509(ca_key, &ca);
	CHECK(cax != NULL);
	CHECK(X509_check_ca(cax) == 1);
	CHECK(X509_verify(cax, ca_key) == 1);
	const char *orgs[] = {"system:masters", "team"};
	struct key_cert leaf = {.cn = "alice",
				.orgs = orgs,
				.n_orgs = 2,
				.not_before = now - 3600,
				.not_after = now + 86400,
				.kind = KEY_CERT_LEAF,
				.sans = "IP:127.0.0.1,DNS:kubernetes",
				.eku = "clientAuth",
				.issuer = cax,
				.issuer_key = ca_key};
	X509 *lx = key_cert_x509(leaf_key, &leaf);
	CHECK(lx != NULL);
	CHECK(X509_check_ca(lx) == 0);
	CHECK(X509_verify(lx, ca_key) == 1);
	CHECK(X509_check_issued(cax, lx) == X509_V_OK);
	CHECK(X509_check_host(lx, "kubernetes", 0, 0, NULL) == 1);
	CHECK(X509_check_ip_asc(lx, "127.0.0.1", 0) == 1);
	CHECK(X509_get_extended_key_usage(lx) == XKU_SSL_CLIENT);
	char buf[256];
	X509_NAME_oneline(X509_get_subject_name(lx), buf, sizeof(buf));
	CHECK_STR(buf, "/O=system:masters/O=team/CN=alice");
	char *pem = key_x509_pem(lx);
	CHECK(pem && strncmp(pem, "-----BEGIN CERTIFICATE-----", 27) == 0);
	free(pem);
	/* a bad SAN is refused, not ignored */
	leaf.sans = "NOPE:x";
	CHECK(key_cert_x509(leaf_key, &leaf) == NULL);
	/* key_cert_pem: self-signed, serial from the key id, no extensions, 9999 */
	pem = key_cert_pem(key, "sa@p.iam.gserviceaccount.com", "00ab", now, 0);
	CHECK(pem != NULL);
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *px = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	CHECK(px != NULL);
	CHECK_EQ_INT(X509_get_ext_count(px), 0);
	CHECK_EQ_INT(ASN1_INTEGER_get(X509_get0_serialNumber(px)), 0xab);
	CHECK(X509_verify(px, key) == 1);
	CHECK(ASN1_TIME_compare(X509_get0_notAfter(px), X509_get0_notBefore(px)) > 0);
	X509_free(px);
	BIO_free(b);
	free(pem);
	X509_free(lx);
	X509_free(cax);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key);
}

/* key_generate's keys (OpenSSL's EVP_PKEY_Q_keygen) are RSA-2048 keys with
 * e = 65537 that OpenSSL's full SP 800-56B key-pair check passes
 * (p and q prime and far enough apart, d and the CRT values right), that another
 * library's parse of their PKCS#8 PEM gives back, and the two are not alike. */
static void test_key_generate(void)
{
	EVP_PKEY *ks[2] = {NULL};
	BIGNUM *n[2] = {NULL};

	for (int i = 0; i < 2; i++) {
		BIGNUM *e = NULL, *p = NULL, *q = NULL;
		EVP_PKEY_CTX *c = NULL;
		char *pem = NULL;
		EVP_PKEY *back = NULL;

		ks[i] = key_generate();
		CHECK(ks[i] != NULL);
		if (!ks[i])
			continue;
		CHECK(EVP_PKEY_is_a(ks[i], "RSA"));
		CHECK_EQ_INT(EVP_PKEY_get_bits(ks[i]), 2048);
		CHECK(EVP_PKEY_get_bn_param(ks[i], OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
		      BN_is_word(e, 65537));
		CHECK(EVP_PKEY_get_bn_param(ks[i], OSSL_PKEY_PARAM_RSA_N, &n[i]) == 1);
		CHECK(EVP_PKEY_get_bn_param(ks[i], OSSL_PKEY_PARAM_RSA_FACTOR1, &p) == 1 &&
		      EVP_PKEY_get_bn_param(ks[i], OSSL_PKEY_PARAM_RSA_FACTOR2, &q) == 1 &&
		      BN_num_bits(p) == 1024 && BN_num_bits(q) == 1024 && BN_cmp(p, q) > 0);
		c = EVP_PKEY_CTX_new_from_pkey(NULL, ks[i], NULL);
		CHECK(c && EVP_PKEY_check(c) == 1 && EVP_PKEY_pairwise_check(c) == 1);
		pem = key_private_pem(ks[i]);
		CHECK(pem && strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
		back = pem ? key_from_pem(pem, strlen(pem)) : NULL;
		CHECK(back && EVP_PKEY_eq(back, ks[i]) == 1);
		for (int j = 0; j < i; j++)
			CHECK(n[j] && n[i] && BN_cmp(n[j], n[i]) != 0);
		EVP_PKEY_free(back);
		free(pem);
		EVP_PKEY_CTX_free(c);
		BN_free(e);
		BN_free(p);
		BN_free(q);
	}
	for (int i = 0; i < 2; i++) {
		EVP_PKEY_free(ks[i]);
		BN_free(n[i]);
	}
}

/* Keys made ahead on threads (key_prefetch) are what key_generate gives while there are
 * any, then it makes its own; each is a distinct usable key; key_prefetch_end frees the
 * ones not taken (ASan's leak check) and lets key_generate make its own again. */
static void test_key_prefetch(void)
{
	EVP_PKEY *k[3];
	CHECK_EQ_INT(key_prefetch(2), 0);
	for (int i = 0; i < 3; i++) {
		k[i] = key_generate();
		CHECK(k[i] && EVP_PKEY_get_bits(k[i]) == 2048);
	}
	CHECK(k[0] && k[1] && k[2] && EVP_PKEY_eq(k[0], k[1]) != 1 &&
	      EVP_PKEY_eq(k[1], k[2]) != 1 && EVP_PKEY_eq(k[0], k[2]) != 1);
	for (int i = 0; i < 3; i++)
		EVP_PKEY_free(k[i]);
	key_prefetch_end(); /* every key was taken: nothing to free */
	CHECK_EQ_INT(key_prefetch(KEY_PREFETCH_MAX + 2), 0); /* capped */
	key_prefetch_end(); /* none taken: all freed */
	k[0] = key_generate();
	CHECK(k[0] && EVP_PKEY_get_bits(k[0]) == 2048);
	EVP_PKEY_free(k[0]);
}

int main(void)
{
	key = key_generate();
	CHECK(key != NULL);
	if (!key)
		return t_done();
	RUN(test_b64_vectors);
	RUN(test_b64_all_bytes);
	RUN(test_b64_invalid);
	RUN(test_hash_random);
	RUN(test_pem);
	RUN(test_sign_verify);
	RUN(test_tampered);
	RUN(test_alg_confusion);
	RUN(test_parse_invalid);
	RUN(test_time);
	RUN(test_audience);
	RUN(test_jwk);
	RUN(test_key_file);
	RUN(test_certs);
	RUN(test_key_generate);
	RUN(test_key_prefetch);
	EVP_PKEY_free(key);
	return t_done();
}
