/*
 * mdh1.h - the HTTP/1.1 bytes of the metadata server's fast path (mdfast.c), without any
 * I/O or allocation: the parser that recognizes, in a connection's input, the one request
 * the fast path answers (a GET of an account's token, as every Google client library
 * sends it), and the writer of its answer, byte for byte as evhttp writes it today.
 *
 * The parser is deliberately narrow. It says FAST only for a head that evhttp and
 * metadata.c would read the same way: "GET <origin-form target> HTTP/1.1", CRLF line
 * ends, header names of token characters, values without control bytes, no body
 * (Content-Length, Transfer-Encoding), no Expect, no proxy headers (X-Forwarded-For,
 * Forwarded), Connection absent or "keep-alive", a target of unreserved bytes without a
 * query, and the whole head within MDH1_HEAD_MAX. Anything else is NOT_FAST and goes,
 * unread, to evhttp and metadata.c, which answer it exactly as before (refusals, errors,
 * limits). Its libFuzzer target is fuzz/fuzz_mdh1.c; tests in tests/unit/node/.
 */
#ifndef GKEID_MDH1_H
#define GKEID_MDH1_H

#include <stddef.h>
#include <stdint.h>

#define MDH1_HEAD_MAX 8192 /* below metadata.c's 414 (8192-byte URI) and 431 (16 KiB) */
#define MDH1_HEADERS_MAX 64
#define MDH1_DATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

enum { MDH1_NOT_FAST = -1, MDH1_MORE = 0 };

struct mdh1_req {
	const char *target; /* into the input; not NUL-terminated */
	size_t target_len;
	const char *flavor; /* the first Metadata-Flavor's value as evhttp trims it, or NULL */
	size_t flavor_len;
	unsigned n_headers;
};

/* Reads the request head at buf[0..len). Returns its length (> 0, the blank line
 * included) when it is complete and fast; MDH1_MORE when the bytes so far could still
 * become a fast head; MDH1_NOT_FAST otherwise. r is filled only on a length. */
int mdh1_parse(const char *buf, size_t len, struct mdh1_req *r);

/* The account of a token target, "/computeMetadata/v1/instance/service-accounts/ACCT/token"
 * with ACCT of [A-Za-z0-9._@-] (not "." or ".."): 0 with *acct pointing into target, or
 * -EINVAL. */
int mdh1_token_account(const char *target, size_t len, const char **acct, size_t *acct_len);

/* Date's value for t, as evhttp writes it (RFC 1123, GMT). out holds MDH1_DATE_LEN + 1. */
void mdh1_date(int64_t t, char out[MDH1_DATE_LEN + 1]);

/* The 200 that metadata.c's on_token sends for an access token, written into out: the
 * status line, Metadata-Flavor, Server, Content-Type: application/json, Date and
 * Content-Length (evhttp's order), then {"access_token":...,"expires_in":N,
 * "token_type":"Bearer"}. Its length, or -ENAMETOOLONG when it does not fit. */
int mdh1_token_reply(char *out, size_t cap, const char *date, const char *token, size_t token_len,
		     int64_t expires_in);

#endif
