/*
 * mdtree.c - the metadata tree as GKE's metadata server shows it, without any I/O: a
 * pod's service-accounts directory (default/ and its email, aliases, email, scopes;
 * token and identity listed but never shown in recursive JSON), walking a path down the
 * tree, ?recursive=true JSON (keys camelCased, but not attribute names or emails),
 * ?alt=text of a directory ("path value" lines), and directory listings (sorted,
 * directories with '/', default/ first; lines, or a JSON array for ?alt=json).
 * metadata.c answers with them; tests/unit/node/test_mdtree.c checks them.
 */
#include "node/mdtree.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"

/* The service-accounts directory for an account email. token and identity are null:
 * listed, never shown in recursive JSON. */
json_t *md_tree_accounts(const char *email, json_t *scopes)
{
	json_t *acct = json_pack("{s:[s], s:s, s:O, s:n, s:n}", "aliases", "default", "email",
				 email, "scopes", scopes, "token", "identity");
	json_t *dir = json_object();
	if (!acct || !dir) {
		json_decref(acct);
		json_decref(dir);
		return NULL;
	}
	json_object_set(dir, "default", acct);
	json_object_set(dir, email, acct);
	json_decref(acct);
	return dir;
}

json_t *md_tree_scopes(const char *spaced)
{
	json_t *a = json_array();
	char *s = strdup(spaced ? spaced : ""), *save = NULL;
	for (char *t = s ? strtok_r(s, " ,", &save) : NULL; t && a; t = strtok_r(NULL, " ,", &save))
		json_array_append_new(a, json_string(t));
	free(s);
	return a;
}

/* Walks rel ("instance/attributes/cluster-name") down t. Borrowed, or NULL. */
json_t *md_tree_walk(json_t *t, const char *rel)
{
	json_t *cur = t;
	const char *p = rel;
	char seg[400];
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t l = slash ? (size_t)(slash - p) : strlen(p);
		if (l == 0 || l >= sizeof(seg) || !json_is_object(cur))
			return NULL;
		memcpy(seg, p, l);
		seg[l] = '\0';
		cur = json_object_get(cur, seg);
		if (!cur)
			return NULL;
		p += l;
		if (*p == '/')
			p++;
	}
	return cur;
}

/* GCE's recursive JSON: keys camelCased ("service-accounts" -> "serviceAccounts"), except
 * custom attribute names and account emails; null (virtual) entries left out. */
json_t *md_tree_recursive(const json_t *v, int keep_keys)
{
	if (!json_is_object(v))
		return json_deep_copy(v);
	json_t *o = json_object();
	const char *k;
	json_t *c;
	json_object_foreach((json_t *)v, k, c)
	{
		if (json_is_null(c))
			continue;
		char key[400];
		size_t j = 0;
		int up = 0;
		for (const char *p = k; *p; p++) {
			if (*p == '-' && !keep_keys) {
				up = 1;
				continue;
			}
			if (j == sizeof(key) - 1) { /* never cut short */
				json_decref(o);
				return NULL;
			}
			key[j++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
			up = 0;
		}
		key[j] = '\0';
		int keep = strcmp(k, "attributes") == 0 || strcmp(k, "service-accounts") == 0;
		json_t *sub = md_tree_recursive(c, keep);
		if (!sub || json_object_set_new(o, key, sub) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* alt=text of a recursive directory: "path value" lines. */
int md_tree_flatten(struct evbuffer *b, const char *prefix, const json_t *v)
{
	int rc = 0;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach((json_t *)v, k, c)
		{
			if (json_is_null(c))
				continue;
			char p[MD_TREE_PATH_MAX];
			if ((rc = SFMT(p, "%s%s%s", prefix, *prefix ? "/" : "", k)) < 0 ||
			    (rc = md_tree_flatten(b, p, c)) < 0)
				return rc;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) if ((rc = md_tree_flatten(b, prefix, e)) < 0) return rc;
	} else if (json_is_string(v)) {
		evbuffer_add_printf(b, "%s %s\n", prefix, json_string_value(v));
	} else if (json_is_integer(v)) {
		evbuffer_add_printf(b, "%s %lld\n", prefix, (long long)json_integer_value(v));
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A directory listing: entries sorted, directories with '/', "default/" first (as GKE
 * lists service accounts); lines, or a JSON array for alt=json. */
void md_tree_listing(struct evbuffer *b, const json_t *dir, int as_json)
{
	size_t n = json_object_size(dir), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	json_t *arr = as_json ? json_array() : NULL;
	const char *k;
	json_t *c;
	if (!keys || (as_json && !arr)) {
		free(keys);
		json_decref(arr);
		return;
	}
	json_object_foreach((json_t *)dir, k, c) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(keys[i], "default") == 0) {
			const char *d = keys[i];
			memmove(keys + 1, keys, i * sizeof(*keys));
			keys[0] = d;
			break;
		}
	for (i = 0; i < n; i++) {
		int is_dir = json_is_object(json_object_get(dir, keys[i]));
		/* no fixed array: a key of any length is listed whole */
		if (arr)
			json_array_append_new(arr,
					      json_sprintf("%s%s", keys[i], is_dir ? "/" : ""));
		else
			evbuffer_add_printf(b, "%s%s\n", keys[i], is_dir ? "/" : "");
	}
	if (arr) {
		char *d = json_dumps(arr, JSON_COMPACT);
		if (d)
			evbuffer_add(b, d, strlen(d));
		free(d);
		json_decref(arr);
	}
	free(keys);
}
