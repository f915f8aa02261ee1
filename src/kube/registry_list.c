/*
 * registry_list.c - lists of stored objects, as the generic registry's List: label and
 * field selectors, limit and continue tokens (upstream's format), resourceVersion
 * semantics, and Table output. Items are spliced from the stored text without parsing
 * when nothing filters them; a paged list keeps its range between pages at the same
 * store revision (struct registry_state's page cache).
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/jwt.h"
#include "core/store.h"
#include "kube/kube.h"
#include "kube/nodeauthz.h"
#include "kube/patch.h"
#include "kube/rbac.h"
#include "kube/registry_impl.h"
#include "kube/schema.h"
#include "kube/selectors.h"
#include "kube/table.h"
#include "kube/util.h"

/* --- list --- */

void reg_filter_free(struct filter *f)
{
	selector_free(f->labels);
	selector_free(f->fields);
	f->labels = f->fields = NULL;
}

/* Parses labelSelector and fieldSelector; replies 400 itself on error. */
int reg_filter_parse(struct http_req *r, const struct kube_resource *res, struct filter *f)
{
	char err[1024];
	f->labels = f->fields = NULL;
	int rc =
		selector_parse_labels(http_query(r, "labelSelector"), &f->labels, err, sizeof(err));
	if (!rc)
		rc = selector_parse_fields(http_query(r, "fieldSelector"), res->group, res->kind,
					   &f->fields, err, sizeof(err));
	if (rc) {
		reg_filter_free(f);
		if (rc == -ENOMEM)
			kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
		else
			reg_reply_bad_request(r, "%s", err);
		return rc;
	}
	return 0;
}

int reg_filter_empty(const struct filter *f)
{
	return selector_empty(f->labels) && selector_empty(f->fields);
}

int reg_filter_match(const struct filter *f, const json_t *obj)
{
	return selector_match_labels(f->labels,
				     json_object_get(json_object_get(obj, "metadata"), "labels")) &&
	       selector_match_fields(f->fields, obj);
}

/* Continue tokens: base64url of {"v":"meta.k8s.io/v1","rv":N,"start":"<key rest>\u0000"},
 * as kube-apiserver's storage makes them. */
static char *continue_make(int64_t rv, const char *start)
{
	json_t *j = json_pack("{s:s, s:I, s:s}", "v", "meta.k8s.io/v1", "rv", (json_int_t)rv,
			      "start", start);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		return NULL;
	char *t = b64url_encode(s, strlen(s));
	free(s);
	return t;
}

static int continue_parse(const char *tok, char *start, size_t len)
{
	unsigned char *raw = NULL;
	size_t rl = 0;
	if (b64url_decode(tok, strlen(tok), &raw, &rl) != 0)
		return -EINVAL;
	json_t *j = json_loadb((const char *)raw, rl, 0, NULL);
	free(raw);
	const char *v = json_string_value(json_object_get(j, "v"));
	const char *s = json_string_value(json_object_get(j, "start"));
	int rc = -EINVAL;
	if (v && strcmp(v, "meta.k8s.io/v1") == 0 && s && strlen(s) < len) {
		snprintf(start, len, "%s", s);
		rc = 0;
	}
	json_decref(j);
	return rc;
}

/* Appends a stored object with its resourceVersion spliced in, without parsing it:
 * write_obj stores text that begins with head ({"kind":K,"apiVersion":V,"metadata":{).
 * Returns 0 when the text does not (the caller then parses it). */
static int raw_item(struct dbuf *b, const struct store_kv *kv, const char *head, size_t hl)
{
	char rv[64];
	if (kv->value_len <= hl || memcmp(kv->value, head, hl) != 0)
		return 0;
	int n = snprintf(rv, sizeof(rv), "\"resourceVersion\":\"%lld\"%s", (long long)kv->mod_rev,
			 kv->value[hl] == '}' ? "" : ",");
	dbuf_add(b, kv->value, hl);
	dbuf_add(b, rv, (size_t)n);
	dbuf_add(b, kv->value + hl, kv->value_len - hl);
	return 1;
}

void reg_pages_clear(struct registry_pages *pages)
{
	store_kvs_free(pages->kvs, pages->n);
	pages->kvs = NULL;
	pages->n = 0;
	pages->prefix[0] = '\0';
}

void reg_serve_list(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		    const struct kube_resource *res)
{
	char prefix[KEY_MAX], start[KEY_MAX], av[200], rvs[32], head[400];
	struct filter f;
	struct output out;
	struct store_kv *kvs = NULL;
	struct dbuf body = DBUF_INIT(0);
	size_t n = 0, i = 0, count = 0;
	int64_t rev = 0, remaining = 0;
	long limit = 0;
	int cached = 0, full = 1;
	char *cont = NULL;
	json_t *items = NULL, *list = NULL;
	struct store *st = cl->kube->store;
	struct registry_state *rs = reg_state(cl);
	struct registry_pages *pages = rs ? &rs->pages : NULL;
	const char *ls = http_query(r, "limit"), *cs = http_query(r, "continue");

	if (reg_filter_parse(r, res, &f))
		return;
	reg_output_of(r, &out);
	if (ls && *ls) {
		char *end;
		limit = strtol(ls, &end, 10);
		if (*end || limit < 0)
			limit = 0;
		if (limit > MAX_LIMIT)
			limit = MAX_LIMIT;
	}
	start[0] = '\0';
	if (cs && *cs && continue_parse(cs, start, sizeof(start)) != 0) {
		reg_reply_bad_request(r, "continue key is not valid: invalid continue token");
		goto out;
	}
	registry_key(cl, res, res->namespaced ? a->namespace_ : NULL, NULL, prefix, sizeof(prefix));
	if (!*prefix) {
		kube_reply_status(r, 500, "InternalError", "the objects could not be read", a);
		goto out;
	}
	if (start[0] && pages && pages->kvs && strcmp(pages->prefix, prefix) == 0 &&
	    pages->rev == store_revision(st)) {
		kvs = pages->kvs;
		n = pages->n;
		rev = pages->rev;
		cached = 1;
	} else {
		/* a plain first page needs no more than limit + 1 keys */
		size_t want = (limit && !start[0] && reg_filter_empty(&f)) ? (size_t)limit + 1 : 0;
		full = want == 0;
		if (store_range(st, prefix, want, &kvs, &n, &rev) != 0) {
			kube_reply_status(r, 500, "InternalError", "the objects could not be read",
					  a);
			goto out;
		}
	}
	size_t plen = strlen(prefix);
	if (start[0]) {
		/* keys sort bytewise: the first at or after the continue point */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(kvs[mid].key + plen, start) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	}
	reg_api_version(res, av, sizeof(av));
	snprintf(head, sizeof(head), "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{",
		 res->kind, av);
	size_t hl = strlen(head);
	items = json_array();
	if (!items)
		goto oom;
	for (; i < n; i++) {
		if (limit && count == (size_t)limit) {
			/* more remain: the next page starts just after the last key returned
			 * ("\x01" appended: no valid name holds a control byte) */
			const char *last = kvs[i - 1].key + plen;
			size_t ll = strlen(last);
			char *next = malloc(ll + 2);
			if (!next)
				goto oom;
			memcpy(next, last, ll);
			next[ll] = '\x01';
			next[ll + 1] = '\0';
			cont = continue_make(rev, next);
			free(next);
			if (!cont)
				goto oom;
			break;
		}
		json_t *o = NULL;
		if (out.table || !reg_filter_empty(&f)) {
			o = reg_load(kvs[i].value, kvs[i].value_len, kvs[i].mod_rev);
			if (!o)
				continue;
			if (!reg_filter_match(&f, o)) {
				json_decref(o);
				continue;
			}
		}
		if (out.table) {
			if (json_array_append_new(items, o))
				goto oom;
		} else {
			if (count)
				dbuf_str(&body, ",");
			if (!raw_item(&body, &kvs[i], head, hl)) {
				if (!o)
					o = reg_load(kvs[i].value, kvs[i].value_len,
						     kvs[i].mod_rev);
				char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
				if (!t) {
					json_decref(o);
					goto oom;
				}
				dbuf_str(&body, t);
				free(t);
			}
			json_decref(o);
			if (body.oom)
				goto oom;
		}
		count++;
	}
	if (cont && reg_filter_empty(&f) && full)
		remaining = (int64_t)(n - i);
	snprintf(rvs, sizeof(rvs), "%lld", (long long)rev);
	if (out.table) {
		list = table_build(res, items, out.inc, 1, rvs, cont, remaining, time(NULL),
				   out.v1beta1);
		if (!list)
			goto oom;
		reg_reply_json(r, 200, list);
		list = NULL;
	} else {
		struct dbuf whole = DBUF_INIT(0);
		char meta[600];
		int m = snprintf(meta, sizeof(meta),
				 "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{"
				 "\"resourceVersion\":\"%s\"",
				 res->kind, av, rvs);
		dbuf_add(&whole, meta, (size_t)m);
		if (cont) {
			dbuf_str(&whole, ",\"continue\":\"");
			dbuf_str(&whole, cont); /* base64url: nothing to escape */
			dbuf_str(&whole, "\"");
		}
		if (remaining > 0) {
			m = snprintf(meta, sizeof(meta), ",\"remainingItemCount\":%lld",
				     (long long)remaining);
			dbuf_add(&whole, meta, (size_t)m);
		}
		dbuf_str(&whole, "},\"items\":[");
		if (body.len)
			dbuf_add(&whole, body.p, body.len);
		dbuf_str(&whole, "]}\n");
		if (whole.oom) {
			free(whole.p);
			goto oom;
		}
		http_reply(r, 200, "application/json", whole.p, whole.len);
		free(whole.p);
	}
	/* keep a full range while pages follow; drop it after the last */
	if (pages && cont && full && !cached && SFMT(pages->prefix, "%s", prefix) >= 0) {
		store_kvs_free(pages->kvs, pages->n);
		pages->rev = rev;
		pages->kvs = kvs;
		pages->n = n;
		kvs = NULL;
		n = 0;
	} else if (!cont && cached) {
		reg_pages_clear(pages);
		cached = 0;
		kvs = NULL;
		n = 0;
	}
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(items);
	json_decref(list);
	free(cont);
	free(body.p);
	if (!cached)
		store_kvs_free(kvs, n);
	reg_filter_free(&f);
}
