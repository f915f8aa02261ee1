/*
 * customrole.c - the engine's view of custom roles (iam.h, IAM_CUSTOM_ROLE_PREFIX): loaded
 * with store_range when the engine starts, then kept by a store watch. Each role is a
 * struct custom_role whose bitset is rewritten in place when the role changes, so the
 * compiled policies that point at it (compile.c) grant its permissions of the moment
 * without being compiled again; a deleted role keeps its entry with no permissions, and
 * an undeleted one gets them back. Entries live until iam_free. Permissions the
 * catalogue does not know are ignored (the IAM API refuses them when a role is written).
 */
#include "iam/iam_priv.h"

#include "core/hmap.h"
#include "core/store.h"

const struct custom_role *iam_custom_role(const struct iam *iam, const char *name)
{
	return iam->custom && name ? hmap_get(iam->custom, name) : NULL;
}

/* The length of s's first n segments ("projects/P" of "projects/P/serviceAccounts/E"). */
static size_t segments(const char *s, int n)
{
	size_t len = 0;

	for (int i = 0; i < n && s[len]; i++) {
		len += strcspn(s + len, "/");
		if (i < n - 1 && s[len] == '/')
			len++;
	}
	return len;
}

int iam_custom_role_fits(const struct iam *iam, const char *role, const char *resource)
{
	size_t owner;
	char top[320];
	const char *p;

	if (!role || !resource || strncmp(role, "roles/", 6) == 0)
		return 1;
	owner = segments(role, 2); /* "projects/P" or "organizations/O" */
	if (strncmp(role, "projects/", 9) == 0)
		return strncmp(resource, role, owner) == 0 &&
		       (resource[owner] == '\0' || resource[owner] == '/');
	if (segments(resource, 2) >= sizeof(top))
		return 0;
	memcpy(top, resource, segments(resource, 2));
	top[segments(resource, 2)] = '\0';
	p = top;
	for (int d = 0; p && d <= IAM_ANCESTRY_MAX_DEPTH; d++) {
		if (strncmp(p, role, owner) == 0 && p[owner] == '\0')
			return 1;
		p = iam_ancestry_parent(iam->ancestry, p);
	}
	return 0;
}

/* The entry of name, created (with no permissions) when new. */
static struct custom_role *entry(struct iam *iam, const char *name)
{
	struct custom_role *c = hmap_get(iam->custom, name);

	if (c)
		return c;
	if (!(c = calloc(1, sizeof(*c))) || !(c->r.name = strdup(name)) ||
	    !(c->r.bits = calloc(iam->cat.words ? iam->cat.words : 1, sizeof(uint64_t))) ||
	    hmap_put(iam->custom, name, c) < 0) {
		if (c) {
			free((char *)c->r.name);
			free(c->r.bits);
		}
		free(c);
		return NULL;
	}
	c->deleted = 1;
	return c;
}

/* Sets a role from its stored value (NULL: the key is gone). */
static void apply(struct iam *iam, const char *name, const char *value, size_t len)
{
	json_t *role = value ? json_loadb(value, len, 0, NULL) : NULL;
	struct custom_role *c = entry(iam, name);
	const json_t *p;
	size_t i;
	uint32_t id;

	if (!c)
		goto out; /* no memory: the role grants nothing it did not grant before */
	memset(c->r.bits, 0, (iam->cat.words ? iam->cat.words : 1) * sizeof(uint64_t));
	c->deleted = !json_is_object(role) || json_is_true(json_object_get(role, "deleted"));
	if (c->deleted)
		goto out;
	json_array_foreach(json_object_get(role, "includedPermissions"), i, p)
	{
		if (json_is_string(p) && catalog_perm_id(&iam->cat, json_string_value(p), &id))
			c->r.bits[id >> 6] |= (uint64_t)1 << (id & 63);
	}
out:
	json_decref(role);
}

static void on_role_event(void *arg, const struct store_event *ev)
{
	struct iam *iam = arg;
	size_t plen = strlen(IAM_CUSTOM_ROLE_PREFIX);

	if (!ev || !ev->key || strncmp(ev->key, IAM_CUSTOM_ROLE_PREFIX, plen) != 0)
		return;
	apply(iam, ev->key + plen, ev->type == STORE_PUT ? ev->value : NULL,
	      ev->type == STORE_PUT ? ev->value_len : 0);
}

int iam_custom_load(struct iam *iam)
{
	struct store_kv *kvs = NULL;
	size_t n = 0, plen = strlen(IAM_CUSTOM_ROLE_PREFIX);
	int64_t rev = 0;
	int rc;

	if (!(iam->custom = hmap_new(16)))
		return -ENOMEM;
	if (!iam->store)
		return 0;
	if ((rc = store_range(iam->store, IAM_CUSTOM_ROLE_PREFIX, 0, &kvs, &n, &rev)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		apply(iam, kvs[i].key + plen, kvs[i].value, kvs[i].value_len);
	store_kvs_free(kvs, n);
	return store_watch(iam->store, IAM_CUSTOM_ROLE_PREFIX, rev, on_role_event, iam,
			   &iam->custom_watch);
}

void iam_custom_free(struct iam *iam)
{
	size_t pos = 0;
	void *v;

	store_unwatch(iam->custom_watch);
	iam->custom_watch = NULL;
	while (iam->custom && hmap_next(iam->custom, &pos, NULL, &v)) {
		struct custom_role *c = v;

		free((char *)c->r.name);
		free(c->r.bits);
		free(c);
	}
	hmap_free(iam->custom);
	iam->custom = NULL;
}
