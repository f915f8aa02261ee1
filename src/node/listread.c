/*
 * listread.c - a Kubernetes list answer ({"metadata": {...}, "items": [{...}, ...]}) read
 * one item at a time, so that a list never stands in memory as one jansson tree. The
 * node's 110 pods, with their managedFields, are a 220 KB PodList and a 1.7 MB tree of
 * small allocations; parsed whole on a re-list, that tree left the node's RSS 2.7 MiB
 * higher for good (malloc keeps what it had at the peak). Every value is still parsed by
 * jansson (json_loadb with JSON_DISABLE_EOF_CHECK, which gives the bytes it read): this
 * file only steps over the list's own braces, colons and commas.
 */
#include "node/node.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

static size_t skip_ws(const char *b, size_t len, size_t i)
{
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i;
}

/* The JSON value at b[*i] (any value when any, else an object or array), *i moved past
 * it. New reference, or NULL. */
static json_t *value_at(const char *b, size_t len, size_t *i, int any)
{
	json_error_t err;
	json_t *v = json_loadb(b + *i, len - *i,
			       JSON_DISABLE_EOF_CHECK | (any ? JSON_DECODE_ANY : 0), &err);
	if (v) {
		if (err.position <= 0 || (size_t)err.position > len - *i) {
			json_decref(v);
			return NULL;
		}
		*i += (size_t)err.position;
	}
	return v;
}

/* Steps over the array at b[*i], each element an object given to fn (when not NULL;
 * fn's nonzero return stops it). 0, fn's return, -EINVAL (not an array of objects) or
 * -ENOMEM. */
static int walk_items(const char *b, size_t len, size_t *i, md_item_fn fn, void *arg)
{
	size_t at = skip_ws(b, len, *i);
	if (at >= len || b[at] != '[')
		return -EINVAL;
	at = skip_ws(b, len, at + 1);
	if (at < len && b[at] == ']') {
		*i = at + 1;
		return 0;
	}
	for (;;) {
		size_t was = at;
		json_t *item = value_at(b, len, &at, 0);
		if (!item)
			return fn && was < len && b[was] == '{' ? -ENOMEM : -EINVAL;
		int rc = json_is_object(item) ? (fn ? fn(arg, item) : 0) : -EINVAL;
		json_decref(item);
		if (rc)
			return rc;
		at = skip_ws(b, len, at);
		if (at < len && b[at] == ',') {
			at = skip_ws(b, len, at + 1);
			continue;
		}
		if (at < len && b[at] == ']') {
			*i = at + 1;
			return 0;
		}
		return -EINVAL;
	}
}

/* One member "key": value of the list object at b[*i]; *items_at and *meta (the last
 * "items" and "metadata" win, as in a parse of the whole). 0 or -EINVAL. */
static int member(const char *b, size_t len, size_t *i, size_t *items_at, json_t **meta)
{
	json_t *key = value_at(b, len, i, 1), *v;
	int rc = -EINVAL;
	*i = skip_ws(b, len, *i);
	if (!json_is_string(key) || *i >= len || b[*i] != ':')
		goto out;
	*i = skip_ws(b, len, *i + 1);
	if (strcmp(json_string_value(key), "items") == 0) {
		*items_at = *i;
		rc = walk_items(b, len, i, NULL, NULL);
		goto out;
	}
	if (!(v = value_at(b, len, i, 1)))
		goto out;
	if (strcmp(json_string_value(key), "metadata") == 0) {
		json_decref(*meta);
		*meta = v;
	} else {
		json_decref(v);
	}
	rc = 0;
out:
	json_decref(key);
	return rc;
}

int md_list_check(const char *body, size_t len, json_t **meta, size_t *items_at)
{
	size_t i = skip_ws(body, len, 0), at = (size_t)-1;
	int rc = -EINVAL;
	*meta = NULL;
	if (i >= len || body[i] != '{')
		goto out;
	i = skip_ws(body, len, i + 1);
	for (;;) { /* a member; then a comma and the next, or the end */
		if ((rc = member(body, len, &i, &at, meta)) != 0)
			goto out;
		rc = -EINVAL;
		i = skip_ws(body, len, i);
		if (i < len && body[i] == ',') {
			i = skip_ws(body, len, i + 1);
			continue;
		}
		if (i >= len || body[i] != '}')
			goto out;
		break;
	}
	/* nothing but white space after the object, and it had items */
	if (skip_ws(body, len, i + 1) == len && at != (size_t)-1)
		rc = 0;
out:
	if (rc) {
		json_decref(*meta);
		*meta = NULL;
	} else {
		*items_at = at;
	}
	return rc;
}

int md_list_items(const char *body, size_t len, size_t items_at, md_item_fn fn, void *arg)
{
	size_t i = items_at;
	return i < len ? walk_items(body, len, &i, fn, arg) : -EINVAL;
}
