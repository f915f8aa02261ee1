/*
 * fuzz_jwt.c - libFuzzer target for core/jwt's untrusted-input paths: jwt_parse, then
 * jwt_verify against a fixed public key, the time and audience checks, key_from_jwk on
 * a "jwk" header member, and the base64url codec's round-trip property (whatever
 * decodes re-encodes to the same text, padding aside).
 *
 * The seeds in fuzz/corpus/jwt/ that verify were signed with the private half of
 * FUZZ_PUBLIC_PEM; that private key was thrown away (it is not needed to fuzz).
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_jwt.c src/core/jwt.c \
 *         -ljansson -lcrypto -o fuzz_jwt
 *   mkdir -p /tmp/corpus && ./fuzz_jwt -max_total_time=60 /tmp/corpus fuzz/corpus/jwt
 */
#include "core/jwt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char FUZZ_PUBLIC_PEM[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAkAMTw1S278NRwmb2M8Hb\n"
	"nfKKV7JDx5o8ErUxoaZVlaABlNehUxpyEEG7XQpi6OmHS7JlRt6FQgIWCCmp9sz4\n"
	"qyT4F3j136xB+BWEZnv7u34eDueXTvW0mZTd9DkWwZeJkpKkfgTcpRoOAJkNKsne\n"
	"fjX+zbft243kqD9vpE9fU9SkFHzF0WXWuK9sIVUIq1B8fu2Ew/Tyor/bnSudZzzT\n"
	"LyQSuDXshhfWaiiHWTI2gbR3DAp6ql5rG4d1Ph5v2i+bWufBXNSuDlB/2hMwYcuV\n"
	"zK4Vz8C29pEgfyFulTPkn1S7FNAqROZzB2tly2Q9Y3T09r2aHeLX2os6uU+XhRbD\n"
	"TQIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

static EVP_PKEY *pub;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void b64url_round_trip(const uint8_t *data, size_t size)
{
	unsigned char *d = NULL;
	size_t n = 0, len = size;
	char *e;

	if (b64url_decode((const char *)data, size, &d, &n) != 0)
		return;
	while (len > 0 && data[len - 1] == '=')
		len--;
	e = b64url_encode(d, n);
	if (!e || strlen(e) != len || memcmp(e, data, len) != 0 || d[n] != '\0')
		__builtin_trap();
	free(e);
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwt t;
	json_t *jwk;
	char *tok;

	if (!pub && !(pub = key_from_pem(FUZZ_PUBLIC_PEM, sizeof FUZZ_PUBLIC_PEM - 1)))
		__builtin_trap();
	b64url_round_trip(data, size);

	tok = malloc(size + 1);
	if (!tok)
		return 0;
	memcpy(tok, data, size);
	tok[size] = '\0';
	if (jwt_parse(tok, &t) == 0) {
		if (!t.header || !t.claims || !t.signing_input || !t.sig)
			__builtin_trap();
		if (jwt_verify(&t, pub) == 0 && t.sig_len != 256)
			__builtin_trap();
		(void)jwt_check_time(&t, 1700000000, 60);
		(void)jwt_check_time(&t, INT64_MAX, INT64_MAX);
		(void)jwt_has_audience(&t, "gkeid");
		jwk = json_object_get(t.header, "jwk");
		if (jwk) {
			EVP_PKEY *k = key_from_jwk(jwk);

			if (k) {
				(void)jwt_verify(&t, k);
				EVP_PKEY_free(k);
			}
		}
		jwt_free(&t);
	}
	free(tok);
	return 0;
}
