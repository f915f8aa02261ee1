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
	if (SFMT(rv, "\"resourceVersion\":\"%lld\"%s", (long long)kv->mod_rev,
		 kv->value[hl] == '}' ? "" : ",") < 0)
		return 0;
	dbuf_add(b, kv->value, hl);
	dbuf_add(b, rv, strlen(rv));
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

/* One list request, threaded through its steps. */
struct list_req {
	const struct kube_resource *res; /* the items are read in its version */
	struct filter f;
	struct output out;
	char prefix[KEY_MAX], start[KEY_MAX], av[REG_AV_MAX], head[400];
	size_t plen, hl;
	long limit;
	struct registry_pages *pages; /* the cluster's page cache, NULL when out of memory */
	struct store_kv *kvs;	      /* borrowed from pages when cached */
	size_t n, i, count;
	int64_t rev, remaining;
	int cached, full;
	char *cont;	  /* the next page's continue token, or NULL */
	json_t *items;	  /* Table output: the matching objects */
	struct dbuf body; /* else: the items' JSON text, comma separated */
};

/* limit, continue and the selectors. 0, or replied and -EINVAL. */
static int list_parse(struct http_req *r, const struct kube_resource *res, struct list_req *l)
{
	const char *ls = http_query(r, "limit"), *cs = http_query(r, "continue");
	if (reg_filter_parse(r, res, &l->f))
		return -EINVAL;
	reg_output_of(r, &l->out);
	if (ls && *ls) {
		char *end;
		l->limit = strtol(ls, &end, 10);
		if (*end || l->limit < 0)
			l->limit = 0;
		if (l->limit > MAX_LIMIT)
			l->limit = MAX_LIMIT;
	}
	if (cs && *cs && continue_parse(cs, l->start, sizeof(l->start)) != 0) {
		reg_reply_bad_request(r, "continue key is not valid: invalid continue token");
		return -EINVAL;
	}
	return 0;
}

/* The range to list: the page cache's when a continued list is at its revision, else
 * the store's; l->i at the continue point. 0 or -EIO. */
static int list_range(struct store *st, struct list_req *l)
{
	struct registry_pages *pages = l->pages;
	if (l->start[0] && pages && pages->kvs && strcmp(pages->prefix, l->prefix) == 0 &&
	    pages->rev == store_revision(st)) {
		l->kvs = pages->kvs;
		l->n = pages->n;
		l->rev = pages->rev;
		l->cached = 1;
	} else {
		/* a plain first page needs no more than limit + 1 keys */
		size_t want = (l->limit && !l->start[0] && reg_filter_empty(&l->f))
				      ? (size_t)l->limit + 1
				      : 0;
		l->full = want == 0;
		if (store_range(st, l->prefix, want, &l->kvs, &l->n, &l->rev) != 0)
			return -EIO;
	}
	l->plen = strlen(l->prefix);
	if (l->start[0]) {
		/* keys sort bytewise: the first at or after the continue point */
		size_t lo = 0, hi = l->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(l->kvs[mid].key + l->plen, l->start) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		l->i = lo;
	}
	return 0;
}

/* The continue token of a page that ends before item l->i: the next page starts just
 * after the last key returned ("\x01" appended: no valid name holds a control byte).
 * 0 or -ENOMEM. */
static int list_continue(struct list_req *l)
{
	const char *last = l->kvs[l->i - 1].key + l->plen;
	size_t ll = strlen(last);
	char *next = malloc(ll + 2);
	if (!next)
		return -ENOMEM;
	memcpy(next, last, ll);
	next[ll] = '\x01';
	next[ll + 1] = '\0';
	l->cont = continue_make(l->rev, next);
	free(next);
	return l->cont ? 0 : -ENOMEM;
}

/* Appends item l->i (o: parsed already, or NULL; taken) to the body text. 0 or -ENOMEM. */
static int list_add_raw(struct list_req *l, json_t *o)
{
	if (l->count)
		dbuf_str(&l->body, ",");
	if (!raw_item(&l->body, &l->kvs[l->i], l->head, l->hl)) {
		if (!o)
			o = reg_load(l->res, l->kvs[l->i].value, l->kvs[l->i].value_len,
				     l->kvs[l->i].mod_rev);
		char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (!t) {
			json_decref(o);
			return -ENOMEM;
		}
		dbuf_str(&l->body, t);
		free(t);
	}
	json_decref(o);
	return l->body.oom ? -ENOMEM : 0;
}

/* The page: the items that match, up to limit, and the continue token. 0 or -ENOMEM. */
static int list_collect(struct list_req *l)
{
	for (; l->i < l->n; l->i++) {
		if (l->limit && l->count == (size_t)l->limit)
			return list_continue(l);
		json_t *o = NULL;
		const struct store_kv *kv = &l->kvs[l->i];
		if (l->out.table || !reg_filter_empty(&l->f)) {
			o = reg_load(l->res, kv->value, kv->value_len, kv->mod_rev);
			if (!o)
				continue;
			if (!reg_filter_match(&l->f, o)) {
				json_decref(o);
				continue;
			}
		}
		if (l->out.table) {
			if (json_array_append_new(l->items, o))
				return -ENOMEM;
		} else if (list_add_raw(l, o)) {
			return -ENOMEM;
		}
		l->count++;
	}
	return 0;
}

/* The List as text around the items' text. 0 (replied) or -ENOMEM. */
static int list_reply_raw(struct http_req *r, const struct kube_resource *res, struct list_req *l,
			  const char *rvs)
{
	struct dbuf whole = DBUF_INIT(0);
	dbuf_printf(&whole,
		    "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{"
		    "\"resourceVersion\":\"%s\"",
		    res->kind, l->av, rvs);
	if (l->cont) {
		dbuf_str(&whole, ",\"continue\":\"");
		dbuf_str(&whole, l->cont); /* base64url: nothing to escape */
		dbuf_str(&whole, "\"");
	}
	if (l->remaining > 0)
		dbuf_printf(&whole, ",\"remainingItemCount\":%lld", (long long)l->remaining);
	dbuf_str(&whole, "},\"items\":[");
	if (l->body.len)
		dbuf_add(&whole, l->body.p, l->body.len);
	dbuf_str(&whole, "]}\n");
	if (whole.oom) {
		free(whole.p);
		return -ENOMEM;
	}
	http_reply(r, 200, "application/json", whole.p, whole.len);
	free(whole.p);
	return 0;
}

/* Keeps a full range while pages follow; drops it after the last. */
static void list_keep_pages(struct list_req *l)
{
	struct registry_pages *pages = l->pages;
	if (pages && l->cont && l->full && !l->cached &&
	    SFMT(pages->prefix, "%s", l->prefix) >= 0) {
		store_kvs_free(pages->kvs, pages->n);
		pages->rev = l->rev;
		pages->kvs = l->kvs;
		pages->n = l->n;
		l->kvs = NULL;
		l->n = 0;
	} else if (!l->cont && l->cached) {
		reg_pages_clear(pages);
		l->cached = 0;
		l->kvs = NULL;
		l->n = 0;
	}
}

void reg_serve_list(struct kube_cluster *cl, struct http_req *r, const struct kube_attrs *a,
		    const struct kube_resource *res)
{
	char rvs[32];
	json_t *list = NULL;
	struct registry_state *rs = reg_state(cl);
	struct list_req *l = calloc(1, sizeof(*l));
	if (!l) {
		kube_reply_status(r, 500, "InternalError", "out of memory", a);
		return;
	}
	l->full = 1;
	l->res = res;
	l->body = (struct dbuf)DBUF_INIT(0);
	l->pages = rs ? &rs->pages : NULL;
	if (list_parse(r, res, l))
		goto out;
	registry_key(cl, res, res->namespaced ? a->namespace_ : NULL, NULL, l->prefix,
		     sizeof(l->prefix));
	if (!*l->prefix || list_range(cl->kube->store, l) != 0) {
		kube_reply_status(r, 500, "InternalError", "the objects could not be read", a);
		goto out;
	}
	if (reg_api_version(res, l->av, sizeof(l->av)) < 0) {
		kube_reply_status(r, 500, "InternalError", "the list's apiVersion does not fit", a);
		goto out;
	}
	if (SFMT(l->head, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{", res->kind,
		 l->av) < 0)
		l->head[0] = '\0'; /* matches no stored text: each item is re-encoded */
	l->hl = strlen(l->head);
	if (!(l->items = json_array()) || list_collect(l))
		goto oom;
	if (l->cont && reg_filter_empty(&l->f) && l->full)
		l->remaining = (int64_t)(l->n - l->i);
	snprintf(rvs, sizeof(rvs), "%lld", (long long)l->rev);
	if (l->out.table) {
		list = table_build(res, l->items, l->out.inc, 1, rvs, l->cont, l->remaining,
				   time(NULL), l->out.v1beta1);
		if (!list)
			goto oom;
		reg_reply_json(r, 200, list);
		list = NULL;
	} else if (list_reply_raw(r, res, l, rvs)) {
		goto oom;
	}
	list_keep_pages(l);
	goto out;
oom:
	kube_reply_status(r, 500, "InternalError", "out of memory", a);
out:
	json_decref(l->items);
	free(l->cont);
	free(l->body.p);
	if (!l->cached)
		store_kvs_free(l->kvs, l->n);
	reg_filter_free(&l->f);
	free(l);
}
