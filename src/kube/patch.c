/*
 * patch.c - JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
 * patch (see patch.h).
 *
 * Strategic merge patch works from a small schema per kind: for each field, whether
 * its list merges by a key (patchMergeKey), merges as a set of primitives
 * (metadata.finalizers), or is replaced whole (lists without a patchStrategy, the
 * default), and the schema of its elements. The tags are those of the upstream Go
 * types (k8s.io/api/core/v1 and friends). Directives: "$patch" (replace, delete,
 * merge) in maps and list elements, "$retainKeys", "$setElementOrder/<field>" and
 * "$deleteFromPrimitiveList/<field>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/patch.h"

#define MAX_DEPTH 128

/* --- RFC 7386 --- */

static json_t *merge_rec(const json_t *target, const json_t *patch, int depth)
{
	if (depth > MAX_DEPTH)
		return NULL;
	if (!json_is_object(patch))
		return json_deep_copy(patch);
	json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
	const char *k;
	json_t *v;
	if (!out)
		return NULL;
	json_object_foreach((json_t *)patch, k, v) {
		if (json_is_null(v)) {
			json_object_del(out, k);
			continue;
		}
		json_t *m = merge_rec(json_object_get(out, k), v, depth + 1);
		if (!m || json_object_set_new(out, k, m) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int patch_merge(const json_t *doc, const json_t *patch, json_t **out)
{
	*out = NULL;
	if (!patch)
		return -EINVAL;
	*out = merge_rec(doc, patch, 0);
	return *out ? 0 : -ENOMEM;
}

/* --- RFC 6902 --- */

/* Numbers compare by value (1 == 1.0), everything else as json_equal. */
static int value_equal(const json_t *a, const json_t *b, int depth)
{
	if (depth > MAX_DEPTH)
		return 0;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!value_equal(json_array_get(a, i), json_array_get(b, i), depth + 1))
				return 0;
		return 1;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !value_equal(v, w, depth + 1))
				return 0;
		}
		return 1;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

/* A parsed JSON pointer: its unescaped tokens. */
#define MAX_TOKENS 64
struct pointer {
	char *tok[MAX_TOKENS];
	size_t n;
	char *buf;
};

static void pointer_free(struct pointer *p)
{
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

static int pointer_parse(const char *s, struct pointer *p)
{
	memset(p, 0, sizeof(*p));
	if (!*s)
		return 0;
	if (*s != '/')
		return -EINVAL;
	/* each token's '/' becomes its terminator: the text fits in strlen(s) + 1 */
	p->buf = malloc(strlen(s) + 1);
	if (!p->buf)
		return -ENOMEM;
	char *w = p->buf;
	const char *r = s;
	while (*r == '/') {
		if (p->n >= MAX_TOKENS)
			goto bad;
		r++;
		p->tok[p->n++] = w;
		while (*r && *r != '/') {
			if (*r == '~') {
				if (r[1] == '0')
					*w++ = '~';
				else if (r[1] == '1')
					*w++ = '/';
				else
					goto bad;
				r += 2;
				continue;
			}
			*w++ = *r++;
		}
		*w++ = '\0';
	}
	return 0;
bad:
	pointer_free(p);
	return -EINVAL;
}

/* An array index token: "0" or [1-9][0-9]*. -1 when invalid. */
static long array_index(const char *t)
{
	if (!*t || (t[0] == '0' && t[1]) || strlen(t) > 9)
		return -1;
	long v = 0;
	for (const char *c = t; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (*c - '0');
	}
	return v;
}

/* The value at tokens[0..n) of doc (borrowed), or NULL. */
static json_t *resolve(json_t *doc, const struct pointer *p, size_t n)
{
	json_t *cur = doc;
	for (size_t i = 0; cur && i < n; i++) {
		if (json_is_object(cur)) {
			cur = json_object_get(cur, p->tok[i]);
		} else if (json_is_array(cur)) {
			long idx = array_index(p->tok[i]);
			cur = idx < 0 ? NULL : json_array_get(cur, (size_t)idx);
		} else {
			cur = NULL;
		}
	}
	return cur;
}

/* Adds value (stolen) at p in *doc. */
static int op_add(json_t **doc, const struct pointer *p, json_t *value, const char *path,
		  char *err, size_t err_len)
{
	if (p->n == 0) {
		json_decref(*doc);
		*doc = value;
		return 0;
	}
	json_t *parent = resolve(*doc, p, p->n - 1);
	const char *last = p->tok[p->n - 1];
	if (json_is_object(parent)) {
		if (json_object_set_new(parent, last, value) != 0)
			return -ENOMEM;
		return 0;
	}
	if (json_is_array(parent)) {
		size_t size = json_array_size(parent);
		if (strcmp(last, "-") == 0) {
			if (json_array_append_new(parent, value) != 0)
				return -ENOMEM;
			return 0;
		}
		long idx = array_index(last);
		if (idx >= 0 && (size_t)idx <= size) {
			if (json_array_insert_new(parent, (size_t)idx, value) != 0)
				return -ENOMEM;
			return 0;
		}
		json_decref(value);
		snprintf(err, err_len,
			 "add operation does not apply: doc is missing path: \"%s\": index out of "
			 "range",
			 path);
		return -EINVAL;
	}
	json_decref(value);
	snprintf(err, err_len, "add operation does not apply: doc is missing path: \"%s\": missing value",
		 path);
	return -EINVAL;
}

/* Removes the value at p; *removed gets it (new reference) when not NULL. */
static int op_remove(json_t *doc, const struct pointer *p, const char *opname, const char *path,
		     json_t **removed, char *err, size_t err_len)
{
	if (removed)
		*removed = NULL;
	json_t *parent = p->n ? resolve(doc, p, p->n - 1) : NULL;
	const char *last = p->n ? p->tok[p->n - 1] : "";
	json_t *v = NULL;
	if (json_is_object(parent)) {
		v = json_object_get(parent, last);
		if (v) {
			json_incref(v);
			json_object_del(parent, last);
		}
	} else if (json_is_array(parent)) {
		long idx = array_index(last);
		v = idx >= 0 ? json_array_get(parent, (size_t)idx) : NULL;
		if (v) {
			json_incref(v);
			json_array_remove(parent, (size_t)idx);
		}
	}
	if (!v) {
		snprintf(err, err_len, "%s operation does not apply: doc is missing path: \"%s\": missing value",
			 opname, path);
		return -EINVAL;
	}
	if (removed)
		*removed = v;
	else
		json_decref(v);
	return 0;
}

static int apply_op(json_t **doc, const json_t *op, char *err, size_t err_len)
{
	struct pointer p, from;
	int rc;
	const char *name = json_string_value(json_object_get(op, "op"));
	const char *path = json_string_value(json_object_get(op, "path"));
	const json_t *value = json_object_get(op, "value");
	const char *from_s = json_string_value(json_object_get(op, "from"));
	memset(&from, 0, sizeof(from));
	if (!json_is_object(op) || !name) {
		snprintf(err, err_len, "Unexpected kind: unknown");
		return -EINVAL;
	}
	if (!path) {
		snprintf(err, err_len, "%s operation has no path", name);
		return -EINVAL;
	}
	rc = pointer_parse(path, &p);
	if (rc) {
		snprintf(err, err_len, "%s operation does not apply: invalid path: \"%s\"", name, path);
		return rc;
	}
	if (strcmp(name, "add") == 0 || strcmp(name, "replace") == 0 ||
	    strcmp(name, "test") == 0) {
		if (!value) {
			snprintf(err, err_len, "%s operation has no value", name);
			rc = -EINVAL;
			goto out;
		}
	}
	if (strcmp(name, "add") == 0) {
		json_t *v = json_deep_copy(value);
		rc = v ? op_add(doc, &p, v, path, err, err_len) : -ENOMEM;
	} else if (strcmp(name, "remove") == 0) {
		if (p.n == 0) {
			snprintf(err, err_len, "remove operation does not apply: cannot remove the root");
			rc = -EINVAL;
		} else {
			rc = op_remove(*doc, &p, "remove", path, NULL, err, err_len);
		}
	} else if (strcmp(name, "replace") == 0) {
		json_t *v = json_deep_copy(value);
		if (!v) {
			rc = -ENOMEM;
		} else if (p.n == 0) {
			json_decref(*doc);
			*doc = v;
			rc = 0;
		} else if (!resolve(*doc, &p, p.n)) {
			json_decref(v);
			snprintf(err, err_len,
				 "replace operation does not apply: doc is missing key: %s: missing value",
				 path);
			rc = -EINVAL;
		} else {
			json_t *parent = resolve(*doc, &p, p.n - 1);
			if (json_is_object(parent))
				rc = json_object_set_new(parent, p.tok[p.n - 1], v) ? -ENOMEM : 0;
			else
				rc = json_array_set_new(parent, (size_t)array_index(p.tok[p.n - 1]), v)
					     ? -ENOMEM
					     : 0;
		}
	} else if (strcmp(name, "move") == 0 || strcmp(name, "copy") == 0) {
		if (!from_s) {
			snprintf(err, err_len, "%s operation has no from", name);
			rc = -EINVAL;
			goto out;
		}
		rc = pointer_parse(from_s, &from);
		if (rc) {
			snprintf(err, err_len, "%s operation does not apply: invalid from: \"%s\"", name,
				 from_s);
			goto out;
		}
		json_t *src = resolve(*doc, &from, from.n);
		if (!src) {
			snprintf(err, err_len,
				 "%s operation does not apply: doc is missing from path: \"%s\": missing value",
				 name, from_s);
			rc = -EINVAL;
			goto out;
		}
		json_t *v;
		if (strcmp(name, "move") == 0) {
			/* "from" must not be a proper prefix of "path" */
			size_t fl = strlen(from_s);
			if (strncmp(path, from_s, fl) == 0 && path[fl] == '/') {
				snprintf(err, err_len,
					 "move operation does not apply: from \"%s\" is a prefix of path \"%s\"",
					 from_s, path);
				rc = -EINVAL;
				goto out;
			}
			if (strcmp(path, from_s) == 0) {
				rc = 0;
				goto out;
			}
			if (from.n == 0) {
				rc = -EINVAL;
				snprintf(err, err_len, "move operation does not apply: cannot move the root");
				goto out;
			}
			rc = op_remove(*doc, &from, "move", from_s, &v, err, err_len);
			if (rc)
				goto out;
		} else {
			v = json_deep_copy(src);
			if (!v) {
				rc = -ENOMEM;
				goto out;
			}
		}
		rc = op_add(doc, &p, v, path, err, err_len);
	} else if (strcmp(name, "test") == 0) {
		json_t *cur = resolve(*doc, &p, p.n);
		if (!cur || !value_equal(cur, value, 0)) {
			snprintf(err, err_len, "testing value %s failed: test failed", path);
			rc = -ECANCELED;
		}
	} else {
		snprintf(err, err_len, "Unexpected kind: %s", name);
		rc = -EINVAL;
	}
out:
	pointer_free(&p);
	pointer_free(&from);
	return rc;
}

int patch_json(const json_t *doc, const json_t *patch, json_t **out, char *err, size_t err_len)
{
	size_t i;
	const json_t *op;
	int rc = 0;
	*out = NULL;
	if (err_len)
		err[0] = '\0';
	if (!json_is_array(patch)) {
		snprintf(err, err_len, "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
		return -EINVAL;
	}
	json_t *d = json_deep_copy(doc);
	if (!d)
		return -ENOMEM;
	json_array_foreach(patch, i, op) {
		rc = apply_op(&d, op, err, err_len);
		if (rc)
			break;
	}
	if (rc) {
		json_decref(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* --- strategic merge patch --- */

enum smp_kind {
	SMP_MAP = 0, /* a nested struct or map: merged key by key */
	SMP_LIST_KEY, /* a list of objects merged by key */
	SMP_LIST_SET, /* a list of primitives merged as a set */
};

struct smp_field {
	const char *name;
	enum smp_kind kind;
	const char *key;                 /* merge key for SMP_LIST_KEY */
	const struct smp_field *children; /* the fields of the value (or of each element) */
};

#define END {NULL, SMP_MAP, NULL, NULL}

static const struct smp_field s_meta[] = {
	{"finalizers", SMP_LIST_SET, NULL, NULL},
	{"ownerReferences", SMP_LIST_KEY, "uid", NULL},
	END,
};

static const struct smp_field s_container[] = {
	{"ports", SMP_LIST_KEY, "containerPort", NULL},
	{"env", SMP_LIST_KEY, "name", NULL},
	{"volumeMounts", SMP_LIST_KEY, "mountPath", NULL},
	{"volumeDevices", SMP_LIST_KEY, "devicePath", NULL},
	END,
};

static const struct smp_field s_pod_spec[] = {
	{"containers", SMP_LIST_KEY, "name", s_container},
	{"initContainers", SMP_LIST_KEY, "name", s_container},
	{"ephemeralContainers", SMP_LIST_KEY, "name", s_container},
	{"volumes", SMP_LIST_KEY, "name", NULL},
	{"imagePullSecrets", SMP_LIST_KEY, "name", NULL},
	{"hostAliases", SMP_LIST_KEY, "ip", NULL},
	{"schedulingGates", SMP_LIST_KEY, "name", NULL},
	{"resourceClaims", SMP_LIST_KEY, "name", NULL},
	{"topologySpreadConstraints", SMP_LIST_KEY, "topologyKey", NULL},
	END,
};

static const struct smp_field s_conditions_status[] = {
	{"conditions", SMP_LIST_KEY, "type", NULL},
	{"podIPs", SMP_LIST_KEY, "ip", NULL},
	{"hostIPs", SMP_LIST_KEY, "ip", NULL},
	{"addresses", SMP_LIST_KEY, "type", NULL},
	END,
};

static const struct smp_field s_pod[] = {
	{"metadata", SMP_MAP, NULL, s_meta},
	{"spec", SMP_MAP, NULL, s_pod_spec},
	{"status", SMP_MAP, NULL, s_conditions_status},
	END,
};

static const struct smp_field s_sa[] = {
	{"metadata", SMP_MAP, NULL, s_meta},
	{"secrets", SMP_LIST_KEY, "name", NULL},
	END,
};

static const struct smp_field s_node_spec[] = {
	{"podCIDRs", SMP_LIST_SET, NULL, NULL},
	END,
};

static const struct smp_field s_node[] = {
	{"metadata", SMP_MAP, NULL, s_meta},
	{"spec", SMP_MAP, NULL, s_node_spec},
	{"status", SMP_MAP, NULL, s_conditions_status},
	END,
};

static const struct smp_field s_ns_status[] = {
	{"conditions", SMP_LIST_KEY, "type", NULL},
	END,
};

static const struct smp_field s_ns[] = {
	{"metadata", SMP_MAP, NULL, s_meta},
	{"status", SMP_MAP, NULL, s_ns_status},
	END,
};

static const struct smp_field s_svc_spec[] = {
	{"ports", SMP_LIST_KEY, "port", NULL},
	END,
};

static const struct smp_field s_svc[] = {
	{"metadata", SMP_MAP, NULL, s_meta},
	{"spec", SMP_MAP, NULL, s_svc_spec},
	END,
};

/* ConfigMap, Secret, Event, NetworkPolicy and the RBAC kinds: only ObjectMeta has
 * tagged lists (NetworkPolicy's and RBAC's lists carry no patchStrategy: replaced). */
static const struct smp_field s_generic[] = {
	{"metadata", SMP_MAP, NULL, s_meta},
	END,
};

static const struct smp_field *schema_for(const char *group, const char *kind)
{
	if (!kind)
		return s_generic;
	if (!group || !*group) {
		if (strcmp(kind, "Pod") == 0)
			return s_pod;
		if (strcmp(kind, "ServiceAccount") == 0)
			return s_sa;
		if (strcmp(kind, "Node") == 0)
			return s_node;
		if (strcmp(kind, "Namespace") == 0)
			return s_ns;
		if (strcmp(kind, "Service") == 0)
			return s_svc;
	}
	return s_generic;
}

static const struct smp_field *field_of(const struct smp_field *schema, const char *name)
{
	for (const struct smp_field *f = schema; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

struct smp {
	char *err;
	size_t err_len;
};

static json_t *smp_map(struct smp *c, const json_t *orig, const json_t *patch,
		       const struct smp_field *schema, int depth, int *deleted);

/* The merge-key value of element e as comparable text (keys may be numbers). */
static int key_text(const json_t *e, const char *key, char *buf, size_t len)
{
	const json_t *v = json_is_object(e) ? json_object_get(e, key) : NULL;
	if (json_is_string(v))
		snprintf(buf, len, "s:%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "i:%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "i:%lld", (long long)json_real_value(v));
	else
		return -ENOENT;
	return 0;
}

static long find_by_key(const json_t *list, const char *key, const char *want)
{
	char buf[512];
	for (size_t i = 0; i < json_array_size(list); i++)
		if (key_text(json_array_get(list, i), key, buf, sizeof(buf)) == 0 &&
		    strcmp(buf, want) == 0)
			return (long)i;
	return -1;
}

static long find_primitive(const json_t *list, const json_t *v)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (value_equal(json_array_get(list, i), v, 0))
			return (long)i;
	return -1;
}

/* Reorders list as order (a $setElementOrder list) says: listed elements first in that
 * order, the others after them in their own order. */
static int reorder(json_t *list, const json_t *order, const struct smp_field *f)
{
	json_t *res = json_array(), *rest = json_array();
	size_t i;
	const json_t *o;
	char buf[512];
	int rc = -ENOMEM;
	if (!res || !rest)
		goto out;
	char *used = calloc(json_array_size(list) + 1, 1);
	if (!used)
		goto out;
	json_array_foreach(order, i, o) {
		long idx = -1;
		if (f && f->kind == SMP_LIST_KEY) {
			if (key_text(o, f->key, buf, sizeof(buf)) == 0)
				idx = find_by_key(list, f->key, buf);
		} else {
			idx = find_primitive(list, o);
		}
		if (idx >= 0 && !used[idx]) {
			used[idx] = 1;
			json_array_append(res, json_array_get(list, (size_t)idx));
		}
	}
	for (i = 0; i < json_array_size(list); i++)
		if (!used[i])
			json_array_append(res, json_array_get(list, i));
	free(used);
	rc = json_array_clear(list) || json_array_extend(list, res) ? -ENOMEM : 0;
out:
	json_decref(res);
	json_decref(rest);
	return rc;
}

static json_t *smp_list(struct smp *c, const json_t *orig, const json_t *patch,
			const struct smp_field *f, int depth)
{
	size_t i;
	const json_t *e;
	char buf[512];
	if (!f || f->kind == SMP_MAP) {
		/* no patch strategy: the list is replaced (directives still apply to maps
		 * inside it) */
		json_t *out = json_array();
		if (!out)
			return NULL;
		json_array_foreach(patch, i, e) {
			json_t *v;
			if (json_is_object(e)) {
				int del = 0;
				v = smp_map(c, NULL, e, f ? f->children : NULL, depth + 1, &del);
				if (!v)
					goto fail_replace;
				if (del) {
					json_decref(v);
					continue;
				}
			} else {
				v = json_deep_copy(e);
			}
			if (!v || json_array_append_new(out, v)) {
			fail_replace:
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	/* "$patch": "replace" anywhere in the patch list replaces the list */
	json_array_foreach(patch, i, e) {
		const char *d = json_string_value(json_object_get(e, "$patch"));
		if (d && strcmp(d, "replace") == 0) {
			json_t *out = json_array();
			size_t j;
			const json_t *x;
			if (!out)
				return NULL;
			json_array_foreach(patch, j, x) {
				if (j == i)
					continue;
				json_t *v = json_is_object(x)
						    ? smp_map(c, NULL, x, f->children, depth + 1, &(int){0})
						    : json_deep_copy(x);
				if (!v || json_array_append_new(out, v)) {
					json_decref(out);
					return NULL;
				}
			}
			return out;
		}
	}
	json_t *out = json_is_array(orig) ? json_deep_copy(orig) : json_array();
	if (!out)
		return NULL;
	if (f->kind == SMP_LIST_SET) {
		json_array_foreach(patch, i, e) {
			if (json_is_object(e) || json_is_array(e)) {
				snprintf(c->err, c->err_len,
					 "unable to find api field in struct for the element of a primitive list");
				json_decref(out);
				errno = EINVAL;
				return NULL;
			}
			if (find_primitive(out, e) < 0 && json_array_append(out, (json_t *)e)) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	json_array_foreach(patch, i, e) {
		if (!json_is_object(e) || key_text(e, f->key, buf, sizeof(buf)) != 0) {
			char *s = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
			snprintf(c->err, c->err_len, "map: %s does not contain declared merge key: %s",
				 s ? s : "?", f->key);
			free(s);
			json_decref(out);
			errno = EINVAL;
			return NULL;
		}
		long idx = find_by_key(out, f->key, buf);
		const char *d = json_string_value(json_object_get(e, "$patch"));
		if (d && strcmp(d, "delete") == 0) {
			while (idx >= 0) {
				json_array_remove(out, (size_t)idx);
				idx = find_by_key(out, f->key, buf);
			}
			continue;
		}
		int del = 0;
		json_t *m = smp_map(c, idx >= 0 ? json_array_get(out, (size_t)idx) : NULL, e,
				    f->children, depth + 1, &del);
		if (!m) {
			json_decref(out);
			return NULL;
		}
		if (del) {
			json_decref(m);
			if (idx >= 0)
				json_array_remove(out, (size_t)idx);
			continue;
		}
		if ((idx >= 0 ? json_array_set_new(out, (size_t)idx, m) : json_array_append_new(out, m))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static int in_string_array(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

/*
 * Merges patch (an object) into orig (an object or NULL). *deleted is set when the
 * patch says "$patch": "delete". Returns a new object, or NULL with errno EINVAL (err
 * set) or ENOMEM.
 */
static json_t *smp_map(struct smp *c, const json_t *orig, const json_t *patch,
		       const struct smp_field *schema, int depth, int *deleted)
{
	const char *k;
	json_t *v;
	*deleted = 0;
	if (depth > MAX_DEPTH) {
		snprintf(c->err, c->err_len, "patch is nested too deeply");
		errno = EINVAL;
		return NULL;
	}
	const char *d = json_string_value(json_object_get(patch, "$patch"));
	if (d && strcmp(d, "delete") == 0) {
		*deleted = 1;
		return json_object();
	}
	if (d && strcmp(d, "replace") == 0) {
		orig = NULL;
	} else if (d && strcmp(d, "merge") != 0) {
		snprintf(c->err, c->err_len, "Unknown patch type: %s in map: %s", d, "$patch");
		errno = EINVAL;
		return NULL;
	}
	json_t *out = json_is_object(orig) ? json_deep_copy(orig) : json_object();
	if (!out)
		goto nomem;
	const json_t *retain = json_object_get(patch, "$retainKeys");
	if (retain) {
		if (!json_is_array(retain)) {
			snprintf(c->err, c->err_len, "invalid $retainKeys: must be a list of strings");
			goto inval;
		}
		void *it = json_object_iter(out);
		while (it) {
			const char *key = json_object_iter_key(it);
			void *next = json_object_iter_next(out, it);
			if (!in_string_array(retain, key))
				json_object_del(out, key);
			it = next;
		}
	}
	json_object_foreach((json_t *)patch, k, v) {
		if (strcmp(k, "$patch") == 0 || strcmp(k, "$retainKeys") == 0 ||
		    strncmp(k, "$setElementOrder/", 17) == 0)
			continue;
		if (strncmp(k, "$deleteFromPrimitiveList/", 25) == 0) {
			json_t *list = json_object_get(out, k + 25);
			size_t i;
			json_t *x;
			if (!json_is_array(v)) {
				snprintf(c->err, c->err_len, "invalid %s: must be a list", k);
				goto inval;
			}
			if (!json_is_array(list))
				continue;
			json_array_foreach(v, i, x) {
				long idx;
				while ((idx = find_primitive(list, x)) >= 0)
					json_array_remove(list, (size_t)idx);
			}
			continue;
		}
		if (k[0] == '$') {
			snprintf(c->err, c->err_len, "unknown directive: %s", k);
			goto inval;
		}
		if (json_is_null(v)) {
			json_object_del(out, k);
			continue;
		}
		const struct smp_field *f = field_of(schema, k);
		json_t *cur = json_object_get(out, k);
		json_t *m;
		if (json_is_object(v)) {
			int del = 0;
			m = smp_map(c, json_is_object(cur) ? cur : NULL, v, f ? f->children : NULL,
				    depth + 1, &del);
			if (!m)
				goto fail;
			if (del) {
				json_decref(m);
				json_object_del(out, k);
				continue;
			}
		} else if (json_is_array(v)) {
			m = smp_list(c, json_is_array(cur) ? cur : NULL, v, f, depth + 1);
			if (!m)
				goto fail;
		} else {
			m = json_deep_copy(v);
			if (!m)
				goto nomem;
		}
		if (json_object_set_new(out, k, m))
			goto nomem;
	}
	/* $setElementOrder/<field>: the order the patch's author wants */
	json_object_foreach((json_t *)patch, k, v) {
		if (strncmp(k, "$setElementOrder/", 17) != 0)
			continue;
		json_t *list = json_object_get(out, k + 17);
		if (!json_is_array(v)) {
			snprintf(c->err, c->err_len, "invalid %s: must be a list", k);
			goto inval;
		}
		if (json_is_array(list) && reorder(list, v, field_of(schema, k + 17)) != 0)
			goto nomem;
	}
	return out;
nomem:
	json_decref(out);
	errno = ENOMEM;
	return NULL;
inval:
	json_decref(out);
	errno = EINVAL;
	return NULL;
fail:
	json_decref(out);
	return NULL;
}

int patch_strategic(const json_t *doc, const json_t *patch, const char *group, const char *kind,
		    json_t **out, char *err, size_t err_len)
{
	struct smp c = {err, err_len};
	int del = 0;
	*out = NULL;
	if (err_len)
		err[0] = '\0';
	if (!json_is_object(patch)) {
		snprintf(err, err_len, "json: cannot unmarshal %s into Go value of type map[string]interface {}",
			 json_is_array(patch) ? "array" : "value");
		return -EINVAL;
	}
	errno = 0;
	json_t *res = smp_map(&c, json_is_object(doc) ? doc : NULL, patch, schema_for(group, kind), 0,
			      &del);
	if (!res)
		return errno == EINVAL ? -EINVAL : -ENOMEM;
	if (del) {
		json_decref(res);
		snprintf(err, err_len, "the patch deletes the whole object");
		return -EINVAL;
	}
	*out = res;
	return 0;
}
