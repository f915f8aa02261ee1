/*
 * patch.c - JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
 * patch (see patch.h), and the nesting limit that request bodies share with them.
 *
 * Work is bounded as kube-apiserver bounds it (CVE-2019-1002100): a JSON patch has at
 * most PATCH_MAX_OPERATIONS operations, and its "copy" operations may duplicate at most
 * PATCH_MAX_COPY_BYTES in all, measured before each copy is made, so a patch that copies
 * a subtree into itself again and again stops at the limit instead of doubling. Merge
 * patches are applied in place to one copy of the document (never a copy per level),
 * recursion follows the patch, whose depth is checked first, and strategic merge
 * patches merge lists through hash indexes, never one search per element.
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

/* --- limits --- */

int patch_text_depth(const char *text, size_t len, char *open)
{
	size_t depth = 0;
	int in_string = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (in_string) {
			if (ch == '\\')
				i++; /* the escaped character cannot end the string */
			else if (ch == '"')
				in_string = 0;
			continue;
		}
		if (ch == '"') {
			in_string = 1;
		} else if (ch == '{' || ch == '[') {
			if (++depth > PATCH_MAX_DEPTH) {
				if (open)
					*open = ch;
				return -ELOOP;
			}
		} else if ((ch == '}' || ch == ']') && depth) {
			depth--;
		}
	}
	return 0;
}

/* level: how many containers are open around v. */
static int depth_walk(const json_t *v, int level, char *open)
{
	const char *k;
	json_t *x;
	size_t i;
	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (level >= PATCH_MAX_DEPTH) {
		if (open)
			*open = json_is_object(v) ? '{' : '[';
		return -ELOOP;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			if (depth_walk(x, level + 1, open))
				return -ELOOP;
		}
		return 0;
	}
	json_array_foreach(v, i, x) {
		if (depth_walk(x, level + 1, open))
			return -ELOOP;
	}
	return 0;
}

int patch_depth(const json_t *v, char *open)
{
	return depth_walk(v, 0, open);
}

/*
 * json_decref without recursion. "move" operations can nest a document far deeper than
 * PATCH_MAX_DEPTH before the result is checked, and jansson frees recursively: here a
 * container about to be freed first hands its children, each kept by a reference of
 * its own, to a stack on the heap.
 */
static void drop(json_t *j)
{
	json_t **stack = NULL, *x;
	size_t n = 0, cap = 0, i;
	const char *k;
	while (j) {
		size_t kids = json_is_object(j) ? json_object_size(j) : json_array_size(j);
		if (j->refcount == 1 && kids) {
			if (n + kids > cap) {
				size_t ncap = (n + kids) * 2;
				json_t **ns = realloc(stack, ncap * sizeof(*ns));
				if (!ns)
					goto next; /* out of memory: jansson's recursive free */
				stack = ns;
				cap = ncap;
			}
			if (json_is_object(j)) {
				json_object_foreach(j, k, x) {
					stack[n++] = json_incref(x);
				}
				json_object_clear(j);
			} else {
				json_array_foreach(j, i, x) {
					stack[n++] = json_incref(x);
				}
				json_array_clear(j);
			}
		}
	next:
		json_decref(j);
		j = n ? stack[--n] : NULL;
	}
	free(stack);
}

/* --- RFC 7386 --- */

/* Merges the object patch into the object obj (owned by the caller), in place. */
static int merge_into(json_t *obj, const json_t *patch)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)patch, k, v) {
		if (json_is_null(v)) {
			json_object_del(obj, k);
			continue;
		}
		if (json_is_object(v)) {
			json_t *cur = json_object_get(obj, k);
			if (!json_is_object(cur)) {
				cur = json_object();
				if (!cur || json_object_set_new(obj, k, cur))
					return -ENOMEM;
			}
			int rc = merge_into(cur, v);
			if (rc)
				return rc;
			continue;
		}
		json_t *c = json_deep_copy(v);
		if (!c || json_object_set_new(obj, k, c))
			return -ENOMEM;
	}
	return 0;
}

int patch_merge(const json_t *doc, const json_t *patch, json_t **out)
{
	*out = NULL;
	if (!patch)
		return -EINVAL;
	if (patch_depth(patch, NULL))
		return -ELOOP;
	if (!json_is_object(patch)) {
		*out = json_deep_copy(patch);
		return *out ? 0 : -ENOMEM;
	}
	json_t *res = json_is_object(doc) ? json_deep_copy(doc) : json_object();
	if (!res)
		return -ENOMEM;
	int rc = merge_into(res, patch);
	if (rc) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* --- RFC 6902 --- */

/* Numbers compare by value (1 == 1.0), everything else as json_equal. */
static int value_equal(const json_t *a, const json_t *b, int depth)
{
	if (depth > PATCH_MAX_DEPTH)
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

/* Sets parent[key] (an object) to value (stolen), dropping a value it replaces. */
static int set_member(json_t *parent, const char *key, json_t *value)
{
	json_t *old = json_object_get(parent, key);
	json_incref(old);
	int rc = json_object_set_new(parent, key, value) ? -ENOMEM : 0;
	drop(old);
	return rc;
}

/* Adds value (stolen) at p in *doc. */
static int op_add(json_t **doc, const struct pointer *p, json_t *value, const char *path, char *err,
		  size_t err_len)
{
	if (p->n == 0) {
		drop(*doc);
		*doc = value;
		return 0;
	}
	json_t *parent = resolve(*doc, p, p->n - 1);
	const char *last = p->tok[p->n - 1];
	if (json_is_object(parent))
		return set_member(parent, last, value);
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
		drop(value);
		snprintf(err, err_len,
			 "add operation does not apply: doc is missing path: \"%s\": index out of "
			 "range",
			 path);
		return -EINVAL;
	}
	drop(value);
	snprintf(err, err_len,
		 "add operation does not apply: doc is missing path: \"%s\": missing value", path);
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
		snprintf(err, err_len,
			 "%s operation does not apply: doc is missing path: \"%s\": missing value",
			 opname, path);
		return -EINVAL;
	}
	if (removed)
		*removed = v;
	else
		drop(v);
	return 0;
}

/* Go's encoding/json writes s as a string of this many bytes (quotes included): it
 * escapes '"', '\\', control characters, '<', '>', '&', U+2028 and U+2029, and writes
 * invalid UTF-8 as \ufffd. */
static size_t go_string_size(const char *s, size_t len)
{
	size_t n = 2;
	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x80) {
			if (ch == '"' || ch == '\\' || ch == '\b' || ch == '\f' || ch == '\n' ||
			    ch == '\r' || ch == '\t')
				n += 2;
			else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&')
				n += 6;
			else
				n += 1;
			i++;
			continue;
		}
		size_t w = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : 2;
		if (ch < 0xc0 || i + w > len) {
			n += 6;
			i++;
			continue;
		}
		if (w == 3 && ch == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] & 0xfe) == 0xa8)
			n += 6;
		else
			n += w;
		i += w;
	}
	return n;
}

/* The shortest decimal text that reads back as d, as strconv.FormatFloat(d, 'g', -1). */
static size_t real_size(double d)
{
	char buf[40];
	int n = 0;
	for (int prec = 1; prec <= 17; prec++) {
		n = snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return n > 0 ? (size_t)n : 1;
}

/*
 * Adds to *size the bytes of v's compact JSON encoding: what evanphx/json-patch's
 * deepCopy measures (the length of json.Marshal of the value) for its
 * AccumulatedCopySizeLimit. level: containers open around v; -ELOOP past
 * PATCH_MAX_DEPTH, so the walk is bounded even for a value that moves made deep.
 */
static int encoded_size(const json_t *v, int level, size_t *size)
{
	const char *k;
	json_t *x;
	size_t i;
	char buf[32];
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (level >= PATCH_MAX_DEPTH)
			return -ELOOP;
		/* braces, and a comma between members */
		*size += json_object_size(v) ? json_object_size(v) + 1 : 2;
		json_object_foreach((json_t *)v, k, x) {
			*size += go_string_size(k, strlen(k)) + 1; /* "key": */
			if (encoded_size(x, level + 1, size))
				return -ELOOP;
		}
		return 0;
	case JSON_ARRAY:
		if (level >= PATCH_MAX_DEPTH)
			return -ELOOP;
		*size += json_array_size(v) ? json_array_size(v) + 1 : 2;
		json_array_foreach(v, i, x) {
			if (encoded_size(x, level + 1, size))
				return -ELOOP;
		}
		return 0;
	case JSON_STRING:
		*size += go_string_size(json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		*size += (size_t)snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
					  json_integer_value(v));
		return 0;
	case JSON_REAL:
		*size += real_size(json_real_value(v));
		return 0;
	case JSON_TRUE:
	case JSON_NULL:
		*size += 4;
		return 0;
	case JSON_FALSE:
		*size += 5;
		return 0;
	}
	return 0;
}

/* The error text of Go's JSON scanner for nesting past the limit. */
static void depth_error(char open, char *err, size_t err_len)
{
	snprintf(err, err_len, "invalid character '%c' exceeded max depth", open);
}

/* The copy operation's value: a deep copy of src, counted against *copied first. */
static int copy_value(const json_t *src, size_t *copied, json_t **v, char *err, size_t err_len)
{
	size_t size = 0;
	*v = NULL;
	if (encoded_size(src, 0, &size)) {
		depth_error(json_is_object(src) ? '{' : '[', err, err_len);
		return -EINVAL;
	}
	*copied += size;
	if (*copied > PATCH_MAX_COPY_BYTES) {
		/* evanphx/json-patch's AccumulatedCopySizeError */
		snprintf(err, err_len,
			 "Unable to complete the copy, the accumulated size increase of copy is "
			 "%zu, "
			 "exceeding the limit %d",
			 *copied, PATCH_MAX_COPY_BYTES);
		return -EINVAL;
	}
	*v = json_deep_copy(src);
	return *v ? 0 : -ENOMEM;
}

/* "replace": path (p) must exist; the root is replaced whole. */
static int op_replace(json_t **doc, const struct pointer *p, const json_t *value, const char *path,
		      char *err, size_t err_len)
{
	json_t *v = json_deep_copy(value);
	int rc;
	if (!v)
		return -ENOMEM;
	if (p->n == 0) {
		drop(*doc);
		*doc = v;
		return 0;
	}
	if (!resolve(*doc, p, p->n)) {
		json_decref(v);
		snprintf(err, err_len,
			 "replace operation does not apply: doc is missing key: %s: "
			 "missing value",
			 path);
		return -EINVAL;
	}
	json_t *parent = resolve(*doc, p, p->n - 1);
	if (json_is_object(parent)) {
		rc = set_member(parent, p->tok[p->n - 1], v);
	} else {
		size_t idx = (size_t)array_index(p->tok[p->n - 1]);
		json_t *old = json_incref(json_array_get(parent, idx));
		rc = json_array_set_new(parent, idx, v) ? -ENOMEM : 0;
		drop(old);
	}
	return rc;
}

/* "move" and "copy" (name): the value at from_s, removed or copied, added at path (p). */
static int op_move_copy(json_t **doc, const char *name, const struct pointer *p, const char *path,
			const char *from_s, size_t *copied, char *err, size_t err_len)
{
	struct pointer from;
	json_t *v;
	int rc;
	memset(&from, 0, sizeof(from));
	if (!from_s) {
		snprintf(err, err_len, "%s operation has no from", name);
		return -EINVAL;
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
			 "%s operation does not apply: doc is missing from path: \"%s\": "
			 "missing value",
			 name, from_s);
		rc = -EINVAL;
		goto out;
	}
	if (strcmp(name, "move") == 0) {
		/* "from" must not be a proper prefix of "path" */
		size_t fl = strlen(from_s);
		if (strncmp(path, from_s, fl) == 0 && path[fl] == '/') {
			snprintf(err, err_len,
				 "move operation does not apply: from \"%s\" is a prefix "
				 "of path \"%s\"",
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
	} else {
		rc = copy_value(src, copied, &v, err, err_len);
	}
	if (!rc)
		rc = op_add(doc, p, v, path, err, err_len);
out:
	pointer_free(&from);
	return rc;
}

static int apply_op(json_t **doc, const json_t *op, size_t *copied, char *err, size_t err_len)
{
	struct pointer p;
	int rc;
	const char *name = json_string_value(json_object_get(op, "op"));
	const char *path = json_string_value(json_object_get(op, "path"));
	const json_t *value = json_object_get(op, "value");
	const char *from_s = json_string_value(json_object_get(op, "from"));
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
		snprintf(err, err_len, "%s operation does not apply: invalid path: \"%s\"", name,
			 path);
		return rc;
	}
	if (strcmp(name, "add") == 0 || strcmp(name, "replace") == 0 || strcmp(name, "test") == 0) {
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
			snprintf(err, err_len,
				 "remove operation does not apply: cannot remove the root");
			rc = -EINVAL;
		} else {
			rc = op_remove(*doc, &p, "remove", path, NULL, err, err_len);
		}
	} else if (strcmp(name, "replace") == 0) {
		rc = op_replace(doc, &p, value, path, err, err_len);
	} else if (strcmp(name, "move") == 0 || strcmp(name, "copy") == 0) {
		rc = op_move_copy(doc, name, &p, path, from_s, copied, err, err_len);
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
	return rc;
}

int patch_json(const json_t *doc, const json_t *patch, json_t **out, char *err, size_t err_len)
{
	size_t i, copied = 0;
	const json_t *op;
	char open = '{';
	int rc = 0;
	*out = NULL;
	if (err_len)
		err[0] = '\0';
	if (!json_is_array(patch)) {
		snprintf(err, err_len,
			 "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
		return -EINVAL;
	}
	/* as kube-apiserver: the patch decodes (depth) before its operations are counted */
	if (patch_depth(patch, &open)) {
		depth_error(open, err, err_len);
		return -ELOOP;
	}
	if (json_array_size(patch) > PATCH_MAX_OPERATIONS) {
		/* kube-apiserver's words, after "Request entity too large: " */
		snprintf(err, err_len,
			 "The allowed maximum operations in a JSON patch is %d, got %zu",
			 PATCH_MAX_OPERATIONS, json_array_size(patch));
		return -E2BIG;
	}
	json_t *d = json_deep_copy(doc);
	if (!d)
		return -ENOMEM;
	json_array_foreach(patch, i, op) {
		rc = apply_op(&d, op, &copied, err, err_len);
		if (rc)
			break;
	}
	/* "move" can nest the document deeper than any single value was */
	if (!rc && patch_depth(d, &open)) {
		depth_error(open, err, err_len);
		rc = -EINVAL;
	}
	if (rc) {
		drop(d);
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

static int smp_map(struct smp *c, json_t *out, const json_t *patch, const struct smp_field *schema,
		   int *deleted);

/*
 * Lists are merged through hash indexes (jansson objects, whose hash is seeded), never
 * by searching the list once per patch element: a 3 MiB object and a 3 MiB patch with
 * 300000 finalizers each would otherwise take some 10^11 comparisons on the event loop.
 *
 * A value's key in an index: a type letter and its text. Primitives compare as
 * value_equal compares them (numbers by value: 80 and 80.0 are one key); a list or map
 * compares by its JSON text with sorted keys.
 */
struct vkey {
	char *p;
	size_t n, cap;
};

static int vkey_set(struct vkey *k, char type, const char *s, size_t len)
{
	if (len + 1 > k->cap) {
		size_t cap = len + 64;
		char *np = realloc(k->p, cap);
		if (!np)
			return -ENOMEM;
		k->p = np;
		k->cap = cap;
	}
	k->p[0] = type;
	memcpy(k->p + 1, s, len);
	k->n = len + 1;
	return 0;
}

static int vkey_of(struct vkey *k, const json_t *v)
{
	char buf[40];
	switch (json_typeof(v)) {
	case JSON_STRING:
		return vkey_set(k, 's', json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.17g", json_number_value(v));
		return vkey_set(k, 'n', buf, strlen(buf));
	case JSON_TRUE:
		return vkey_set(k, 't', "", 0);
	case JSON_FALSE:
		return vkey_set(k, 'f', "", 0);
	case JSON_NULL:
		return vkey_set(k, 'z', "", 0);
	default: {
		char *t = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		int rc = t ? vkey_set(k, 'o', t, strlen(t)) : -ENOMEM;
		free(t);
		return rc;
	}
	}
}

/* The key of element e's merge-key value: -ENOENT when e is no object or its key is
 * neither a string nor a number. */
static int merge_key_of(struct vkey *k, const json_t *e, const char *key)
{
	const json_t *v = json_is_object(e) ? json_object_get(e, key) : NULL;
	if (!json_is_string(v) && !json_is_number(v))
		return -ENOENT;
	return vkey_of(k, v);
}

static int set_add(json_t *set, const struct vkey *k)
{
	return json_object_setn_new_nocheck(set, k->p, k->n, json_true()) ? -ENOMEM : 0;
}

static int set_has(const json_t *set, const struct vkey *k)
{
	return json_object_getn(set, k->p, k->n) != NULL;
}

/* An index of list: each element's key (merge key when key is not NULL, else the value)
 * to its first position. */
static int index_first(const json_t *list, const char *key, struct vkey *k, json_t **out)
{
	size_t i;
	const json_t *e;
	json_t *idx = json_object();
	*out = NULL;
	if (!idx)
		return -ENOMEM;
	json_array_foreach(list, i, e) {
		int rc = key ? merge_key_of(k, e, key) : vkey_of(k, e);
		if (rc == -ENOENT)
			continue;
		if (rc ||
		    (!json_object_getn(idx, k->p, k->n) &&
		     json_object_setn_new_nocheck(idx, k->p, k->n, json_integer((json_int_t)i)))) {
			json_decref(idx);
			return -ENOMEM;
		}
	}
	*out = idx;
	return 0;
}

/* Reorders list as order (a $setElementOrder list) says: listed elements first in that
 * order, the others after them in their own order. An order entry names the first
 * element with its key (or value). */
static int reorder(json_t *list, const json_t *order, const struct smp_field *f)
{
	const char *key = f && f->kind == SMP_LIST_KEY ? f->key : NULL;
	struct vkey k = {0};
	json_t *res = json_array(), *idx = NULL;
	size_t i;
	const json_t *o;
	char *used = calloc(json_array_size(list) + 1, 1);
	int rc = -ENOMEM;
	if (!res || !used || index_first(list, key, &k, &idx))
		goto out;
	json_array_foreach(order, i, o) {
		int krc = key ? merge_key_of(&k, o, key) : vkey_of(&k, o);
		if (krc == -ENOENT)
			continue;
		if (krc)
			goto out;
		json_t *at = json_object_getn(idx, k.p, k.n);
		size_t pos = at ? (size_t)json_integer_value(at) : 0;
		if (at && !used[pos]) {
			used[pos] = 1;
			if (json_array_append(res, json_array_get(list, pos)))
				goto out;
		}
	}
	for (i = 0; i < json_array_size(list); i++)
		if (!used[i] && json_array_append(res, json_array_get(list, i)))
			goto out;
	rc = json_array_clear(list) || json_array_extend(list, res) ? -ENOMEM : 0;
out:
	free(used);
	free(k.p);
	json_decref(idx);
	json_decref(res);
	return rc;
}

/* The set of the values in list (by their keys); NULL after an error. */
static int set_of(const json_t *list, struct vkey *k, json_t **out)
{
	size_t i;
	const json_t *e;
	json_t *set = json_object();
	int rc = set ? 0 : -ENOMEM;
	json_array_foreach(list, i, e) {
		if (!rc)
			rc = vkey_of(k, e);
		if (!rc)
			rc = set_add(set, k);
	}
	if (rc) {
		json_decref(set);
		set = NULL;
	}
	*out = set;
	return rc;
}

/* SMP_LIST_SET: primitives of patch not in out yet are appended, in patch order. */
static int merge_set(struct smp *c, json_t *out, const json_t *patch)
{
	struct vkey k = {0};
	json_t *seen = NULL;
	size_t i;
	const json_t *e;
	int rc = set_of(out, &k, &seen);
	json_array_foreach(patch, i, e) {
		if (rc)
			break;
		if (json_is_object(e) || json_is_array(e)) {
			snprintf(c->err, c->err_len,
				 "unable to find api field in struct for the element of a "
				 "primitive list");
			rc = -EINVAL;
			break;
		}
		rc = vkey_of(&k, e);
		if (!rc && !set_has(seen, &k))
			rc = json_array_append(out, (json_t *)e) || set_add(seen, &k) ? -ENOMEM : 0;
	}
	free(k.p);
	json_decref(seen);
	return rc;
}

/* $deleteFromPrimitiveList: every element of list equal to one in values goes. */
static int delete_values(json_t *list, const json_t *values)
{
	struct vkey k = {0};
	json_t *gone = NULL, *keep = json_array();
	size_t i;
	const json_t *e;
	int rc = keep ? set_of(values, &k, &gone) : -ENOMEM;
	json_array_foreach(list, i, e) {
		if (!rc)
			rc = vkey_of(&k, e);
		if (!rc && !set_has(gone, &k))
			rc = json_array_append(keep, (json_t *)e) ? -ENOMEM : 0;
	}
	if (!rc)
		rc = json_array_clear(list) || json_array_extend(list, keep) ? -ENOMEM : 0;
	free(k.p);
	json_decref(gone);
	json_decref(keep);
	return rc;
}

/* where[k] is an array [head, positions...]: appends pos, making it when missing. */
static int where_add(json_t *where, const struct vkey *k, size_t pos)
{
	json_t *at = json_object_getn(where, k->p, k->n);
	if (!at) {
		at = json_pack("[i]", 1);
		if (!at || json_object_setn_new_nocheck(where, k->p, k->n, at))
			return -ENOMEM;
	}
	return json_array_append_new(at, json_integer((json_int_t)pos)) ? -ENOMEM : 0;
}

/*
 * SMP_LIST_KEY: each patch element merges into the first element with its merge key,
 * or is appended; "$patch": "delete" removes every element with the key; a "$patch":
 * "delete" inside the element removes the one it merged into. The elements are held in
 * items (NULL once removed), and where maps a key to an array [head, positions...],
 * head being the index in that array of the first position still present.
 */
static int merge_keyed(struct smp *c, json_t *out, const json_t *patch, const struct smp_field *f)
{
	struct vkey k = {0};
	json_t **items = NULL, *where = json_object();
	size_t n = json_array_size(out), cap = n + json_array_size(patch), i;
	const json_t *e;
	int rc = -ENOMEM, del;
	if (!where || !(items = calloc(cap ? cap : 1, sizeof(*items))))
		goto out;
	for (i = 0; i < n; i++) {
		items[i] = json_incref(json_array_get(out, i));
		int krc = merge_key_of(&k, items[i], f->key);
		if (krc == -ENOENT)
			continue;
		if (krc || where_add(where, &k, i))
			goto out;
	}
	json_array_foreach(patch, i, e) {
		int krc = merge_key_of(&k, e, f->key);
		if (krc == -ENOENT) {
			char *t = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
			snprintf(c->err, c->err_len,
				 "map: %s does not contain declared merge key: %s", t ? t : "?",
				 f->key);
			free(t);
			rc = -EINVAL;
			goto out;
		}
		if (krc)
			goto out;
		json_t *at = json_object_getn(where, k.p, k.n);
		size_t head = at ? (size_t)json_integer_value(json_array_get(at, 0)) : 0;
		const char *d = json_string_value(json_object_get(e, "$patch"));
		if (d && strcmp(d, "delete") == 0) {
			for (; at && head < json_array_size(at); head++) {
				size_t pos = (size_t)json_integer_value(json_array_get(at, head));
				json_decref(items[pos]);
				items[pos] = NULL;
			}
			if (at && json_array_set_new(at, 0, json_integer((json_int_t)head)))
				goto out;
			continue;
		}
		if (at && head < json_array_size(at)) {
			/* merged where it is (merge_key_of found an object there) */
			size_t pos = (size_t)json_integer_value(json_array_get(at, head));
			rc = smp_map(c, items[pos], e, f->children, &del);
			if (rc)
				goto out;
			rc = -ENOMEM;
			if (del) {
				json_decref(items[pos]);
				items[pos] = NULL;
				if (json_array_set_new(at, 0, json_integer((json_int_t)head + 1)))
					goto out;
			}
			continue;
		}
		json_t *m = json_object();
		if (!m)
			goto out;
		rc = smp_map(c, m, e, f->children, &del);
		if (rc || del) {
			json_decref(m);
			if (rc)
				goto out;
			rc = -ENOMEM;
			continue;
		}
		rc = -ENOMEM;
		items[n++] = m;
		if (where_add(where, &k, n - 1))
			goto out;
	}
	rc = json_array_clear(out) ? -ENOMEM : 0;
	for (i = 0; i < n; i++) {
		if (!rc && items[i] && json_array_append_new(out, items[i]))
			rc = -ENOMEM;
		else if (rc)
			json_decref(items[i]);
		items[i] = NULL;
	}
out:
	for (i = 0; items && i < n; i++)
		json_decref(items[i]);
	free(items);
	free(k.p);
	json_decref(where);
	return rc;
}

/* Merges the list patch into out (a list owned by the caller), in place, as field f's
 * strategy says. 0, -EINVAL (err set), -ENOMEM. */
static int smp_list(struct smp *c, json_t *out, const json_t *patch, const struct smp_field *f)
{
	size_t i, j;
	const json_t *e, *x;
	int rc, del;
	if (!f || f->kind == SMP_MAP) {
		/* no patch strategy: the list is replaced (directives still apply to maps
		 * inside it) */
		if (json_array_clear(out))
			return -ENOMEM;
		json_array_foreach(patch, i, e) {
			json_t *v;
			if (json_is_object(e)) {
				v = json_object();
				if (!v)
					return -ENOMEM;
				rc = smp_map(c, v, e, f ? f->children : NULL, &del);
				if (rc || del) {
					json_decref(v);
					if (rc)
						return rc;
					continue;
				}
			} else {
				v = json_deep_copy(e);
			}
			if (!v || json_array_append_new(out, v))
				return -ENOMEM;
		}
		return 0;
	}
	/* "$patch": "replace" anywhere in the patch list replaces the list */
	json_array_foreach(patch, i, e) {
		const char *d = json_string_value(json_object_get(e, "$patch"));
		if (!d || strcmp(d, "replace") != 0)
			continue;
		if (json_array_clear(out))
			return -ENOMEM;
		json_array_foreach(patch, j, x) {
			if (j == i)
				continue;
			json_t *v;
			if (json_is_object(x)) {
				v = json_object();
				if (!v)
					return -ENOMEM;
				rc = smp_map(c, v, x, f->children, &del);
				if (rc) {
					json_decref(v);
					return rc;
				}
			} else {
				v = json_deep_copy(x);
			}
			if (!v || json_array_append_new(out, v))
				return -ENOMEM;
		}
		return 0;
	}
	return f->kind == SMP_LIST_SET ? merge_set(c, out, patch) : merge_keyed(c, out, patch, f);
}

/* $retainKeys: the members of out not named in retain (strings) go. */
static int retain_keys(json_t *out, const json_t *retain)
{
	json_t *keep = json_object();
	size_t i;
	const json_t *v;
	if (!keep)
		return -ENOMEM;
	json_array_foreach(retain, i, v) {
		if (json_is_string(v) &&
		    json_object_setn_new_nocheck(keep, json_string_value(v), json_string_length(v),
						 json_true())) {
			json_decref(keep);
			return -ENOMEM;
		}
	}
	void *it = json_object_iter(out);
	while (it) {
		const char *key = json_object_iter_key(it);
		size_t key_len = json_object_iter_key_len(it);
		void *next = json_object_iter_next(out, it);
		if (!json_object_getn(keep, key, key_len))
			json_object_deln(out, key, key_len);
		it = next;
	}
	json_decref(keep);
	return 0;
}

/*
 * Merges patch (an object) into out (an object owned by the caller), in place. *deleted
 * is set when the patch says "$patch": "delete" (out is then left for the caller to
 * drop). 0, -EINVAL (err set) or -ENOMEM; out may be half merged after an error.
 */
static int smp_map(struct smp *c, json_t *out, const json_t *patch, const struct smp_field *schema,
		   int *deleted)
{
	const char *k;
	json_t *v;
	int rc, del;
	*deleted = 0;
	const char *d = json_string_value(json_object_get(patch, "$patch"));
	if (d && strcmp(d, "delete") == 0) {
		*deleted = 1;
		return 0;
	}
	if (d && strcmp(d, "replace") == 0) {
		if (json_object_clear(out))
			return -ENOMEM;
	} else if (d && strcmp(d, "merge") != 0) {
		snprintf(c->err, c->err_len, "Unknown patch type: %s in map: %s", d, "$patch");
		return -EINVAL;
	}
	const json_t *retain = json_object_get(patch, "$retainKeys");
	if (retain) {
		if (!json_is_array(retain)) {
			snprintf(c->err, c->err_len,
				 "invalid $retainKeys: must be a list of strings");
			return -EINVAL;
		}
		rc = retain_keys(out, retain);
		if (rc)
			return rc;
	}
	json_object_foreach((json_t *)patch, k, v) {
		if (strcmp(k, "$patch") == 0 || strcmp(k, "$retainKeys") == 0 ||
		    strncmp(k, "$setElementOrder/", 17) == 0)
			continue;
		if (strncmp(k, "$deleteFromPrimitiveList/", 25) == 0) {
			json_t *list = json_object_get(out, k + 25);
			if (!json_is_array(v)) {
				snprintf(c->err, c->err_len, "invalid %s: must be a list", k);
				return -EINVAL;
			}
			if (json_is_array(list) && (rc = delete_values(list, v)))
				return rc;
			continue;
		}
		if (k[0] == '$') {
			snprintf(c->err, c->err_len, "unknown directive: %s", k);
			return -EINVAL;
		}
		if (json_is_null(v)) {
			json_object_del(out, k);
			continue;
		}
		const struct smp_field *f = field_of(schema, k);
		json_t *cur = json_object_get(out, k);
		if (json_is_object(v)) {
			if (!json_is_object(cur)) {
				cur = json_object();
				if (!cur || json_object_set_new(out, k, cur))
					return -ENOMEM;
			}
			rc = smp_map(c, cur, v, f ? f->children : NULL, &del);
			if (rc)
				return rc;
			if (del)
				json_object_del(out, k);
		} else if (json_is_array(v)) {
			if (!json_is_array(cur)) {
				cur = json_array();
				if (!cur || json_object_set_new(out, k, cur))
					return -ENOMEM;
			}
			rc = smp_list(c, cur, v, f);
			if (rc)
				return rc;
		} else {
			json_t *m = json_deep_copy(v);
			if (!m || json_object_set_new(out, k, m))
				return -ENOMEM;
		}
	}
	/* $setElementOrder/<field>: the order the patch's author wants */
	json_object_foreach((json_t *)patch, k, v) {
		if (strncmp(k, "$setElementOrder/", 17) != 0)
			continue;
		json_t *list = json_object_get(out, k + 17);
		if (!json_is_array(v)) {
			snprintf(c->err, c->err_len, "invalid %s: must be a list", k);
			return -EINVAL;
		}
		if (json_is_array(list) && reorder(list, v, field_of(schema, k + 17)) != 0)
			return -ENOMEM;
	}
	return 0;
}

int patch_strategic(const json_t *doc, const json_t *patch, const char *group, const char *kind,
		    json_t **out, char *err, size_t err_len)
{
	struct smp c = {err, err_len};
	char open = '{';
	int del = 0, rc;
	*out = NULL;
	if (err_len)
		err[0] = '\0';
	if (!json_is_object(patch)) {
		snprintf(err, err_len,
			 "json: cannot unmarshal %s into Go value of type map[string]interface {}",
			 json_is_array(patch) ? "array" : "value");
		return -EINVAL;
	}
	if (patch_depth(patch, &open)) {
		depth_error(open, err, err_len); /* kube-apiserver: 400 with the decoder's words */
		return -ELOOP;
	}
	json_t *res = json_is_object(doc) ? json_deep_copy(doc) : json_object();
	if (!res)
		return -ENOMEM;
	rc = smp_map(&c, res, patch, schema_for(group, kind), &del);
	if (!rc && del) {
		snprintf(err, err_len, "the patch deletes the whole object");
		rc = -EINVAL;
	}
	if (rc) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}
