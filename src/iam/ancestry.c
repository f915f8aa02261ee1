/*
 * ancestry.c - the parents of projects and folders, cached from the store for IAM's
 * permission checks (ancestry.h).
 */
#include "iam/ancestry.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/hmap.h"
#include "core/store.h"

#define PARENT_PREFIX "/iam/parents/"
#define NAME_MAX_LEN 300

struct iam_ancestry {
	struct hmap *parent; /* resource -> malloc'd parent name */
	struct store_watch *watch;
};

/* "projects/ID", "folders/N" or "organizations/N" with a plain ID. */
static int name_ok(const char *s)
{
	static const char *const kinds[] = {"projects/", "folders/", "organizations/"};
	const char *id = NULL;

	if (!s || strlen(s) > NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !id; i++)
		if (strncmp(s, kinds[i], strlen(kinds[i])) == 0)
			id = s + strlen(kinds[i]);
	if (!id || !*id)
		return 0;
	for (; *id; id++)
		if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
		      (*id >= '0' && *id <= '9') || *id == '-' || *id == '.' || *id == '_'))
			return 0;
	return 1;
}

static void set(struct iam_ancestry *a, const char *resource, const char *value, size_t len)
{
	json_t *j = value ? json_loadb(value, len, 0, NULL) : NULL;
	const char *p = json_string_value(json_object_get(j, "parent"));
	char *copy = name_ok(p) ? strdup(p) : NULL;

	free(hmap_del(a->parent, resource));
	if (copy && hmap_put(a->parent, resource, copy) < 0)
		free(copy);
	json_decref(j);
}

static void on_event(void *arg, const struct store_event *ev)
{
	struct iam_ancestry *a = arg;

	if (!ev || !ev->key || strncmp(ev->key, PARENT_PREFIX, strlen(PARENT_PREFIX)) != 0)
		return;
	set(a, ev->key + strlen(PARENT_PREFIX), ev->type == STORE_PUT ? ev->value : NULL,
	    ev->value_len);
}

int iam_ancestry_new(struct store *s, struct iam_ancestry **out)
{
	struct iam_ancestry *a = calloc(1, sizeof(*a));
	struct store_kv *kvs = NULL;
	size_t n = 0;
	int64_t rev = 0;
	int rc = -ENOMEM;

	*out = NULL;
	if (!a || !(a->parent = hmap_new(16)))
		goto out;
	rc = 0;
	if (s && (rc = store_range(s, PARENT_PREFIX, 0, &kvs, &n, &rev)) == 0) {
		for (size_t i = 0; i < n; i++)
			set(a, kvs[i].key + strlen(PARENT_PREFIX), kvs[i].value, kvs[i].value_len);
		rc = store_watch(s, PARENT_PREFIX, rev, on_event, a, &a->watch);
	}
out:
	store_kvs_free(kvs, n);
	if (rc < 0) {
		iam_ancestry_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void iam_ancestry_free(struct iam_ancestry *a)
{
	size_t pos = 0;
	void *v;

	if (!a)
		return;
	store_unwatch(a->watch);
	while (a->parent && hmap_next(a->parent, &pos, NULL, &v))
		free(v);
	hmap_free(a->parent);
	free(a);
}

const char *iam_ancestry_parent(const struct iam_ancestry *a, const char *resource)
{
	return a && resource ? hmap_get(a->parent, resource) : NULL;
}

static int listed(const char **out, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i], s) == 0)
			return 1;
	return 0;
}

size_t iam_ancestry_expand(const struct iam_ancestry *a, const char *const *resources, size_t n,
			   const char **out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < max; i++)
		out[k++] = resources[i];
	if (!a || hmap_count(a->parent) == 0)
		return k;
	for (size_t i = 0; i < n; i++) {
		const char *p = resources[i];

		for (int d = 0; d < IAM_ANCESTRY_MAX_DEPTH && k < max; d++) {
			p = iam_ancestry_parent(a, p);
			if (!p)
				break;
			if (!listed(out, k, p))
				out[k++] = p;
		}
	}
	return k;
}

int iam_parent_put(struct store *s, const char *resource, const char *parent)
{
	char key[sizeof(PARENT_PREFIX) + NAME_MAX_LEN];
	char *v = NULL;
	int rc;

	if (!name_ok(resource) || (parent && !name_ok(parent)))
		return -EINVAL;
	if ((rc = SFMT(key, "%s%s", PARENT_PREFIX, resource)) < 0)
		return rc;
	if (!parent) {
		rc = store_delete(s, key, STORE_ANY_REV, NULL);
		return rc == -ENOENT ? 0 : rc;
	}
	json_t *j = json_pack("{s:s}", "parent", parent);
	v = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!v)
		return -ENOMEM;
	rc = store_put(s, key, v, strlen(v), STORE_ANY_REV, NULL);
	free(v);
	return rc;
}
