/*
 * fuzz_mdh1.c - libFuzzer target for the metadata fast path's request-head parser
 * (node/mdh1.c): the input is the bytes a client sends on a connection. A head the
 * parser calls fast must lie inside the input, be a GET of an origin-form target without
 * a query or escape in HTTP/1.1 with CRLF lines and end in a blank line, under
 * MDH1_HEAD_MAX; every prefix of it must be MORE (a fast head cut short is never
 * refused); its Metadata-Flavor value must lie inside the head. A token target's
 * account, and the answer written for it, must stay in bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/mdh1.h"

static void check_fast(const char *buf, size_t hl, const struct mdh1_req *r)
{
	if (hl < 18 || hl > MDH1_HEAD_MAX || memcmp(buf, "GET /", 5) != 0 ||
	    memcmp(buf + hl - 4, "\r\n\r\n", 4) != 0)
		abort();
	if (r->target != buf + 4 || r->target_len > hl ||
	    memcmp(r->target + r->target_len, " HTTP/1.1\r\n", 11) != 0 ||
	    memchr(r->target, '?', r->target_len) || memchr(r->target, '%', r->target_len))
		abort();
	if (r->flavor && (r->flavor < buf || r->flavor + r->flavor_len > buf + hl))
		abort();
	struct mdh1_req q;
	for (size_t i = 0; i < hl; i += 1 + i / 8)
		if (mdh1_parse(buf, i, &q) != MDH1_MORE)
			abort();
	const char *acct;
	size_t al;
	if (mdh1_token_account(r->target, r->target_len, &acct, &al) == 0) {
		if (acct < r->target || acct + al > r->target + r->target_len || !al ||
		    memchr(acct, '/', al))
			abort();
		char out[512];
		int n = mdh1_token_reply(out, sizeof(out), "Thu, 01 Jan 1970 00:00:00 GMT", acct,
					 al, (int64_t)hl);
		if (n > (int)sizeof(out) || (n < 0 && al < 250))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t off = 0;
	/* pipelined heads, as the fast path walks them */
	for (int k = 0; k < 8 && off < size; k++) {
		struct mdh1_req r;
		int hl = mdh1_parse(buf + off, size - off, &r);
		if (hl == MDH1_MORE || hl == MDH1_NOT_FAST)
			break;
		if (hl < 0 || (size_t)hl > size - off)
			abort();
		check_fast(buf + off, (size_t)hl, &r);
		off += (size_t)hl;
	}
	return 0;
}
