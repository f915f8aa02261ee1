/*
 * httpc.c - the synchronous JSON call the subcommands make to a running gkeid (libcurl):
 * `gkeid fault` to up's admin endpoint, `gkeid exec` to the Kubernetes API with the
 * node's client certificate. One request, a capped response body, a 30 s timeout.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/dbuf.h"

int httpc_call(const struct httpc_req *q, struct httpc_resp *out, char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct dbuf b = DBUF_INIT(q->cap);
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (!c)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	if (q->ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, q->ca);
	if (q->cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, q->cert);
	if (q->key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, q->key);
	if (q->bearer) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, q->bearer);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, dbuf_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	h = curl_slist_append(h, "Accept: application/json");
	if (q->body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	CURLcode cc = curl_easy_perform(c);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		out->body = b.p; /* NULL for an empty body */
		out->len = b.len;
		b.p = NULL;
	} else {
		snprintf(err, errlen, "%s", curl_easy_strerror(cc));
		rc = -EIO;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	dbuf_free(&b);
	return rc;
}
