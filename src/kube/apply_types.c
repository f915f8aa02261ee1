/*
 * apply_types.c - server-side apply's merge types: the types of data/kube-apply.json
 * (and of custom resources, apply_type_add) resolved into struct ty, a node's child
 * types, and the path element ("f:", "k:", "v:", "i:") of a struct's field or a list's
 * item, as structured-merge-diff v4 names them. Part of apply.c's split (apply_impl.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "core/embed.h"
#include "kube/apply.h"
#include "kube/apply_impl.h"

/* --- the types --- */

static json_t *types; /* {TYPE: {field: FIELD}} */
static json_t *kinds; /* {"group/version/Kind": TYPE} */
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load(void)
{
	json_t *doc = json_loadb(embed_kube_apply_json, EMBED_LEN(kube_apply_json), 0, NULL);
	json_t *t = json_object_get(doc, "types"), *k = json_object_get(doc, "kinds");
	if (json_is_object(t) && json_is_object(k)) {
		types = json_incref(t);
		kinds = json_incref(k);
	}
	json_decref(doc);
}

const struct apply_type *apply_type_of(const char *group, const char *version, const char *kind)
{
	char key[256];
	pthread_once(&loaded, load);
	if (!kinds || sfmt(key, sizeof(key), "%s/%s/%s", group, version, kind) < 0)
		return NULL;
	/* the TYPE text lives as long as the process: it is the type's handle */
	return (const struct apply_type *)json_string_value(json_object_get(kinds, key));
}

const struct apply_type *apply_type_add(const char *key, const json_t *crd_types)
{
	const char *k;
	json_t *v;
	pthread_once(&loaded, load);
	const char *root = json_string_value(json_object_get(crd_types, "root"));
	if (!types || !kinds || !root)
		return NULL;
	json_object_foreach((json_t *)json_object_get(crd_types, "types"), k, v)
	{
		if (json_object_set(types, k, v))
			return NULL;
	}
	if (json_object_set_new(kinds, key, json_string(root)))
		return NULL;
	return apply_type_find(key);
}

const struct apply_type *apply_type_find(const char *key)
{
	pthread_once(&loaded, load);
	return (const struct apply_type *)json_string_value(json_object_get(kinds, key));
}

void ap_resolve(const char *f, struct ty *t)
{
	memset(t, 0, sizeof(*t));
	if (!f || *f == '?') { /* untyped: deduced from the value */
		t->k = 'd';
		return;
	}
	if (!*f) {
		t->k = 'x';
		return;
	}
	if (*f == '[' || *f == '{') {
		const char *bar = strchr(f, '|');
		t->k = *f == '[' ? 'l' : 'm';
		t->elem = bar ? bar + 1 : "";
		if (*f == '[') {
			t->atomic = f[1] == '|' || !bar;
			t->set = f[1] == 's';
			t->keys = f[1] == 'm' && f[2] == ':' ? f + 3 : NULL;
			if (!t->set && !t->keys)
				t->atomic = 1;
		} else {
			t->atomic = f[1] == 'a';
		}
		return;
	}
	t->k = 's';
	t->by_value = *f != '*';
	if (*f == '*')
		f++;
	pthread_once(&loaded, load);
	t->fields = json_object_get(types, f);
	t->atomic = json_object_get(t->fields, "$atomic") != NULL;
}

void ap_root_type(const struct apply_type *at, struct ty *t)
{
	ap_resolve((const char *)at, t);
}

/* The type of a child: a struct's field, a map's or list's element. */
void ap_child_type(const struct ty *t, const char *field, struct ty *c)
{
	switch (t->k) {
	case 's': {
		const char *f = json_string_value(json_object_get(t->fields, field));
		/* a field a struct does not declare: untyped where it keeps unknown fields */
		ap_resolve(f ? f : json_object_get(t->fields, "$open") ? NULL : "", c);
		break;
	}
	case 'm':
	case 'l':
		ap_resolve(t->elem, c);
		break;
	default:
		ap_resolve(NULL, c);
		break; /* deduced: deduced all the way down */
	}
}

/* Whether v is handled as a leaf of type t: null, scalars, atomic values, and values
 * whose JSON shape does not fit the type (structured-merge-diff's deduceAtom). */
int ap_is_leaf(const struct ty *t, const json_t *v)
{
	if (!v || json_is_null(v))
		return 1;
	switch (t->k) {
	case 's':
	case 'm':
		return t->atomic || !json_is_object(v);
	case 'l':
		return t->atomic || !json_is_array(v);
	case 'd':
		return !json_is_object(v);
	default:
		return 1;
	}
}

/* A struct declares field (a "named field": its FindField succeeds). */
int ap_named_field(const struct ty *t, const char *field)
{
	return t->k == 's' && json_object_get(t->fields, field) != NULL;
}

/* --- path elements --- */

char *ap_pe_field(const char *name)
{
	size_t n = strlen(name);
	char *s = malloc(n + 3);
	if (s) {
		memcpy(s, "f:", 2);
		memcpy(s + 2, name, n + 1);
	}
	return s;
}

static char *prefixed(const char *prefix, char *json)
{
	char *s = NULL;
	if (json) {
		size_t n = strlen(json);
		s = malloc(n + 3);
		if (s) {
			memcpy(s, prefix, 2);
			memcpy(s + 2, json, n + 1);
		}
	}
	free(json);
	return s;
}

/* The path element of a list item: "k:{...}" for a keyed list (missing keys take their
 * defaults), "v:<value>" for a set. NULL with -EINVAL (err filled) or -ENOMEM in *rc. */
char *ap_item_pe(const struct ty *t, const json_t *item, int *rc, char *err, size_t errlen)
{
	*rc = -ENOMEM;
	if (t->set)
		return prefixed("v:", json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY));
	if (!json_is_object(item)) {
		snprintf(err, errlen, "associative list with keys may not have %s",
			 json_is_null(item) ? "a null element" : "non-map elements");
		*rc = -EINVAL;
		return NULL;
	}
	json_t *key = json_object();
	const char *p = t->keys;
	while (key && p && *p && *p != '|') {
		size_t n = strcspn(p, ",=|");
		char name[128];
		if (n >= sizeof(name))
			break;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		json_t *v = json_object_get(item, name);
		json_t *def = NULL;
		if (*p == '=') { /* a default: JSON up to the next ',' or '|' */
			size_t d = strcspn(++p, ",|");
			def = json_loadb(p, d, JSON_DECODE_ANY, NULL);
			p += d;
		}
		if (!v && !def) {
			snprintf(err, errlen,
				 "associative list with keys has an element that omits key field "
				 "\"%s\" (and doesn't have default value)",
				 name);
			json_decref(key);
			*rc = -EINVAL;
			return NULL;
		}
		json_object_set(key, name, v ? v : def);
		json_decref(def);
		if (*p == ',')
			p++;
	}
	char *s = key ? prefixed("k:", json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS)) : NULL;
	json_decref(key);
	if (s)
		*rc = 0;
	return s;
}
