/*
 * schema.c - unknown and duplicate fields in objects of the built-in kinds, as
 * kube-apiserver's typed decoding treats them (see schema.h): pruning against the
 * types of data/kube-schema.json, the strict errors of fieldValidation=Warn|Strict in
 * sigs.k8s.io/json's words and order, and upstream's replies (Warning headers, the 400
 * of a create or update, the 422 of a patch, the 422 of a bad fieldValidation).
 *
 * Pruning walks the parsed object. Duplicate keys are gone once jansson has parsed a
 * text, so when it reports some, schema_scan walks the text itself: it only finds
 * token boundaries (jansson has already accepted the text) and hands each key back to
 * jansson to decode.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dbuf.h"
#include "core/embed.h"
#include "core/hmap.h"
#include "kube/kube.h"
#include "kube/schema.h"
#include "kube/util.h"

#define MAX_DEPTH 512	      /* nesting followed (the kinds' own types nest ~12 deep) */
#define WARN_TOTAL_RUNES 4096 /* filters/warning.go truncateAtTotalRunes */
#define WARN_ITEM_RUNES 256   /* ... truncateItemRunes */
#define SUPPORTED "\"\", \"Ignore\", \"Strict\", \"Warn\""

/* --- the types --- */

static json_t *types; /* {TYPE: {field: FIELDTYPE}} */
static json_t *kinds; /* {"group/version/Kind": TYPE} */
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

/* Loads the embedded file once; on failure nothing is known and nothing is pruned. */
static void load(void)
{
	json_t *doc = json_loadb(embed_kube_schema_json, EMBED_LEN(kube_schema_json), 0, NULL);
	json_t *t = json_object_get(doc, "types"), *k = json_object_get(doc, "kinds");
	/* handlers/patch.go jsonPatchOp: op, path, from and an untyped value */
	json_t *op =
		json_pack("{s:s, s:s, s:s, s:s}", "op", "", "path", "", "from", "", "value", "*");
	if (json_is_object(t) && json_is_object(k) && op &&
	    json_object_set(t, &SCHEMA_JSON_PATCH[1], op) == 0) {
		types = json_incref(t);
		kinds = json_incref(k);
	}
	json_decref(op);
	json_decref(doc);
}

const char *schema_type_of(const char *group, const char *version, const char *kind)
{
	char key[256];
	pthread_once(&loaded, load);
	if (!kinds || !group || !version || !kind ||
	    (size_t)snprintf(key, sizeof(key), "%s/%s/%s", group, version, kind) >= sizeof(key))
		return NULL;
	return json_string_value(json_object_get(kinds, key));
}

/* The FIELDTYPE of field key of struct type fields, or NULL for an unknown field. */
static const char *field_type(const json_t *fields, const char *key)
{
	return json_string_value(json_object_get(fields, key));
}

/* One code point of UTF-8 at s (n bytes left): its length, or 0 for a bad byte. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (!len || len > n || (len > 1 && s[0] > 0xf4))
		return 0;
	unsigned c = len == 1 ? s[0] : s[0] & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

/* unicode.IsPrint, closely enough: Go's tables also count unassigned code points out. */
static int go_isprint(unsigned c)
{
	if (c < 0x80)
		return c >= 0x20 && c < 0x7f;
	return !(c <= 0xa0 || c == 0xad || c == 0x1680 || (c >= 0x2000 && c <= 0x200f) ||
		 (c >= 0x2028 && c <= 0x202f) || (c >= 0x205f && c <= 0x206f) || c == 0x3000 ||
		 (c >= 0xd800 && c <= 0xf8ff) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
		 (c & 0xfffe) == 0xfffe || c >= 0xf0000);
}

/* strconv.Quote */
static void go_quote(struct dbuf *b, const char *s, size_t n)
{
	static const char *const short_esc[] = {
		['"'] = "\\\"", ['\\'] = "\\\\", ['\a'] = "\\a", ['\b'] = "\\b", ['\f'] = "\\f",
		['\n'] = "\\n", ['\r'] = "\\r",	 ['\t'] = "\\t", ['\v'] = "\\v"};
	const unsigned char *p = (const unsigned char *)s;
	char esc[16];
	dbuf_add(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned c;
		size_t l = utf8_next(p + i, n - i, &c);
		if (!l) {
			snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
			dbuf_str(b, esc);
			i++;
			continue;
		}
		const char *e = c < sizeof(short_esc) / sizeof(short_esc[0]) ? short_esc[c] : NULL;
		if (e) {
			dbuf_str(b, e);
		} else if (go_isprint(c)) {
			dbuf_add(b, s + i, l);
		} else {
			if (c < 0x80)
				snprintf(esc, sizeof(esc), "\\x%02x", c);
			else if (c < 0x10000)
				snprintf(esc, sizeof(esc), "\\u%04x", c);
			else
				snprintf(esc, sizeof(esc), "\\U%08x", c);
			dbuf_str(b, esc);
		}
		i += l;
	}
	dbuf_add(b, "\"", 1);
}

/* --- errors and paths --- */

void schema_errors_free(struct schema_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->text[i]);
	e->n = 0;
}

/* The decoder's field path: keys joined by '.', list indexes as "[i]". */
struct path {
	struct dbuf b;
};

static size_t path_key(struct path *p, const char *k)
{
	size_t at = p->b.len;
	if (at)
		dbuf_add(&p->b, ".", 1);
	dbuf_str(&p->b, k);
	return at;
}

static size_t path_index(struct path *p, size_t i)
{
	char n[32];
	size_t at = p->b.len;
	snprintf(n, sizeof(n), "[%zu]", i);
	dbuf_str(&p->b, n);
	return at;
}

static void path_pop(struct path *p, size_t at)
{
	p->b.len = at;
	if (p->b.p)
		p->b.p[at] = '\0';
}

/* Records `<prefix><what> "<path>.<key>"` unless recorded already or full. -ENOMEM. */
static int add_error(struct schema_errors *e, struct path *p, const char *prefix, const char *what,
		     const char *key)
{
	struct dbuf t = {0};
	size_t at = path_key(p, key);
	if (!e || p->b.oom)
		goto out;
	dbuf_str(&t, prefix);
	dbuf_str(&t, what);
	dbuf_add(&t, " ", 1);
	go_quote(&t, p->b.p, p->b.len);
	if (t.oom)
		goto out;
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->text[i], t.p) == 0)
			goto out;
	if (e->n < SCHEMA_MAX_ERRORS) {
		e->text[e->n++] = t.p;
		t.p = NULL;
	}
out:
	free(t.p);
	path_pop(p, at);
	return t.oom || p->b.oom ? -ENOMEM : 0;
}

/* --- pruning --- */

struct walker {
	struct path path;
	struct schema_errors *errs;
	int keep;   /* report unknown fields without dropping them */
	int sorted; /* visit keys in sorted order, as Go marshals a patched map */
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of o, sorted when asked (else in document order): a malloc'd array of
 * pointers borrowed from o (*n of them), NULL when empty or out of memory (-ENOMEM). */
static const char **keys_of(const json_t *o, int sorted, size_t *n, int *rc)
{
	const char *k, **keys;
	json_t *x;
	size_t i = 0;
	*n = json_object_size(o);
	if (!*n)
		return NULL;
	keys = calloc(*n, sizeof(*keys));
	if (!keys) {
		*rc = -ENOMEM;
		return NULL;
	}
	json_object_foreach((json_t *)o, k, x) keys[i++] = k;
	if (sorted)
		qsort(keys, *n, sizeof(*keys), cmp_key);
	return keys;
}

static int prune(struct walker *w, json_t *v, const char *type, int depth);

/* A struct (fields) or a map (elem): each known key's value walked, unknown ones
 * reported and dropped. A dropped key is not read again after its turn. */
static int prune_object(struct walker *w, json_t *v, const json_t *fields, const char *elem,
			int depth)
{
	size_t n, at;
	int rc = 0;
	if (!fields && !*elem) /* a map of leaves (labels, data): nothing to walk */
		return 0;
	const char **keys = keys_of(v, w->sorted, &n, &rc);
	for (size_t i = 0; keys && !rc && i < n; i++) {
		const char *ft = fields ? field_type(fields, keys[i]) : elem;
		if (!ft) {
			rc = add_error(w->errs, &w->path, "", "unknown field", keys[i]);
			if (!w->keep)
				json_object_del(v, keys[i]);
			continue;
		}
		at = path_key(&w->path, keys[i]);
		rc = prune(w, json_object_get(v, keys[i]), ft, depth + 1);
		path_pop(&w->path, at);
	}
	free(keys);
	return rc ? rc : w->path.b.oom ? -ENOMEM : 0;
}

static int prune(struct walker *w, json_t *v, const char *type, int depth)
{
	json_t *x;
	size_t i, at;
	int rc = 0;
	if (!*type || *type == '*' || depth > MAX_DEPTH)
		return 0;
	if (*type == '[') {
		json_array_foreach(v, i, x)
		{
			at = path_index(&w->path, i);
			rc = prune(w, x, type + 1, depth + 1);
			path_pop(&w->path, at);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	if (*type == '{')
		return prune_object(w, v, NULL, type + 1, depth);
	const json_t *fields = json_object_get(types, type);
	return fields ? prune_object(w, v, fields, NULL, depth) : 0;
}

static int walk(json_t *obj, const char *type, struct schema_errors *errs, int keep, int sorted)
{
	struct walker w = {.errs = errs, .keep = keep, .sorted = sorted};
	pthread_once(&loaded, load);
	int rc = type ? prune(&w, obj, type, 0) : 0;
	free(w.path.b.p);
	return rc;
}

int schema_prune(json_t *obj, const char *type, struct schema_errors *errs)
{
	return walk(obj, type, errs, 0, 0);
}

/* --- scanning the text for duplicates --- */

struct scan {
	const char *s;
	size_t len, pos;
	const char *prefix;
	struct path path;
	struct schema_errors *errs;
	int rc;
};

static int at_char(const struct scan *c, char ch)
{
	return c->pos < c->len && c->s[c->pos] == ch;
}

static void ws(struct scan *c)
{
	while (at_char(c, ' ') || at_char(c, '\t') || at_char(c, '\r') || at_char(c, '\n'))
		c->pos++;
}

static void skip_string(struct scan *c)
{
	for (c->pos++; c->pos < c->len; c->pos++) {
		if (c->s[c->pos] == '\\')
			c->pos++;
		else if (c->s[c->pos] == '"')
			break;
	}
	c->pos++;
}

/* Skips one value, however deep, without recursion. */
static void skip_value(struct scan *c)
{
	long depth = 0;
	do {
		ws(c);
		if (c->pos >= c->len)
			return;
		char ch = c->s[c->pos];
		if (ch == '"') {
			skip_string(c);
		} else if (ch == '{' || ch == '[') {
			depth++;
			c->pos++;
		} else if (ch == '}' || ch == ']') {
			depth--;
			c->pos++;
		} else if (ch == ',' || ch == ':') {
			c->pos++;
		} else {
			while (c->pos < c->len && !strchr(",]}: \t\r\n", c->s[c->pos]))
				c->pos++;
		}
	} while (depth > 0);
}

/* The key string at pos (decoded by jansson when it has escapes), malloc'd. */
static char *read_key(struct scan *c)
{
	size_t start = c->pos;
	skip_string(c);
	if (c->pos > c->len || c->pos - start < 2)
		return NULL;
	const char *raw = c->s + start + 1;
	size_t n = c->pos - start - 2;
	if (!memchr(raw, '\\', n))
		return strndup(raw, n);
	json_t *k = json_loadb(c->s + start, c->pos - start, JSON_DECODE_ANY, NULL);
	char *out = json_is_string(k) ? strdup(json_string_value(k)) : NULL;
	json_decref(k);
	return out;
}

static void scan_value(struct scan *c, const char *type, int depth);

static void scan_array(struct scan *c, const char *elem, int depth)
{
	c->pos++;
	ws(c);
	if (at_char(c, ']')) {
		c->pos++;
		return;
	}
	for (size_t i = 0; !c->rc; i++) {
		size_t at = path_index(&c->path, i);
		scan_value(c, elem, depth + 1);
		path_pop(&c->path, at);
		ws(c);
		if (!at_char(c, ','))
			break;
		c->pos++;
	}
	c->pos++; /* ']' */
}

/* An object: a struct (fields), else a map or an untyped object (elem). Go checks
 * duplicates among a struct's known fields and among all keys of a map. */
static void scan_object(struct scan *c, const json_t *fields, const char *elem, int depth)
{
	struct hmap *seen = hmap_new(8);
	if (!seen) {
		c->rc = -ENOMEM;
		return;
	}
	c->pos++;
	ws(c);
	while (!c->rc && at_char(c, '"')) {
		char *k = read_key(c);
		ws(c);
		c->pos++; /* ':' */
		const char *vt = fields ? (k ? field_type(fields, k) : NULL) : elem;
		if (!k) {
			c->rc = -ENOMEM;
		} else if (!vt) {
			c->rc = add_error(c->errs, &c->path, c->prefix, "unknown field", k);
			skip_value(c);
		} else {
			if (hmap_get(seen, k))
				c->rc = add_error(c->errs, &c->path, c->prefix, "duplicate field",
						  k);
			else if (hmap_put(seen, k, seen))
				c->rc = -ENOMEM;
			size_t at = path_key(&c->path, k);
			scan_value(c, vt, depth + 1);
			path_pop(&c->path, at);
		}
		free(k);
		ws(c);
		if (!at_char(c, ','))
			break;
		c->pos++;
		ws(c);
	}
	c->pos++; /* '}' */
	hmap_free(seen);
}

static void scan_value(struct scan *c, const char *type, int depth)
{
	ws(c);
	if (c->path.b.oom)
		c->rc = -ENOMEM;
	if (c->rc || depth > MAX_DEPTH || !*type) {
		skip_value(c);
		return;
	}
	int any = *type == '*';
	if (at_char(c, '[') && (any || *type == '[')) {
		scan_array(c, any ? type : type + 1, depth);
	} else if (at_char(c, '{') && (any || *type == '{')) {
		scan_object(c, NULL, any ? type : type + 1, depth);
	} else if (at_char(c, '{') && *type != '[' && json_object_get(types, type)) {
		scan_object(c, json_object_get(types, type), NULL, depth);
	} else {
		skip_value(c);
	}
}

int schema_scan(const char *text, size_t len, const char *type, struct schema_errors *errs)
{
	pthread_once(&loaded, load);
	struct scan c = {.s = text,
			 .len = len,
			 .errs = errs,
			 .prefix = strcmp(type, SCHEMA_JSON_PATCH) == 0 ? "json patch " : ""};
	scan_value(&c, type, 0);
	free(c.path.b.p);
	return c.rc;
}

json_t *schema_loadb(const char *text, size_t len, int *dups, json_error_t *e)
{
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, e);
	*dups = 0;
	if (!j && json_error_code(e) == json_error_duplicate_key) {
		*dups = 1;
		j = json_loadb(text, len, 0, e);
	}
	return j;
}

/* --- modes and decisions --- */

int schema_mode_parse(const char *v, enum schema_mode *mode)
{
	if (!v || !*v || strcmp(v, "Warn") == 0)
		*mode = SCHEMA_WARN;
	else if (strcmp(v, "Ignore") == 0)
		*mode = SCHEMA_IGNORE;
	else if (strcmp(v, "Strict") == 0)
		*mode = SCHEMA_STRICT;
	else
		return -EINVAL;
	return 0;
}

/* Strict refuses any error, and with none there is nothing to drop: obj stays as is. */
int schema_decode(json_t *obj, const char *type, const char *text, size_t len, int dups,
		  enum schema_mode mode, struct schema_errors *errs)
{
	int rc;
	if (!type)
		return 0;
	if (mode == SCHEMA_IGNORE)
		return schema_prune(obj, type, NULL);
	if (!dups)
		return walk(obj, type, errs, mode == SCHEMA_STRICT, 0);
	/* the text holds what the parsed object lost: its errors come from there */
	rc = schema_scan(text, len, type, errs);
	return rc || mode == SCHEMA_STRICT ? rc : schema_prune(obj, type, NULL);
}

int schema_decode_patch(json_t *patched, const char *type, const char *text, size_t len,
			enum schema_patch pt, int dups, enum schema_mode mode,
			struct schema_errors *errs)
{
	int rc = 0;
	if (!type)
		return 0;
	if (mode == SCHEMA_IGNORE)
		return schema_prune(patched, type, NULL);
	/* handlers/patch.go: kjson.UnmarshalStrict of the patch, then the patched object */
	if (pt == SCHEMA_PATCH_JSON)
		rc = schema_scan(text, len, SCHEMA_JSON_PATCH, errs);
	else if (dups)
		rc = schema_scan(text, len, "*", errs);
	size_t from = errs->n;
	/* The patched object is decoded as Go encoded it: JSON and merge patches marshal
	 * maps with sorted keys; the strategic patcher's converter sorts its errors. */
	if (!rc)
		rc = walk(patched, type, errs, mode == SCHEMA_STRICT, 1);
	if (!rc && pt == SCHEMA_PATCH_STRATEGIC)
		qsort(errs->text + from, errs->n - from, sizeof(errs->text[0]), cmp_key);
	return rc;
}

/* --- upstream's texts --- */

char *schema_strict_text(const struct schema_errors *e)
{
	struct dbuf b = {0};
	dbuf_str(&b, "strict decoding error: ");
	for (size_t i = 0; i < e->n; i++) {
		if (i)
			dbuf_add(&b, ", ", 2);
		dbuf_str(&b, e->text[i]);
	}
	return dbuf_take(&b);
}

char *schema_body_message(const char *kind, const char *version, const struct schema_errors *e)
{
	struct dbuf b = {0};
	char *strict = schema_strict_text(e);
	if (!strict)
		return NULL;
	dbuf_str(&b, kind);
	dbuf_str(&b, " in version ");
	go_quote(&b, version, strlen(version));
	dbuf_str(&b, " cannot be handled as a ");
	dbuf_str(&b, kind);
	dbuf_str(&b, ": ");
	dbuf_str(&b, strict);
	free(strict);
	return dbuf_take(&b);
}

/* A float64 as Go's %v prints it (strconv 'g', shortest): 1.5, 1e+06, 1e-05. */
static void go_float(struct dbuf *b, double d)
{
	char digits[40], out[64];
	int prec = 1, exp10;
	if (!isfinite(d)) {
		dbuf_str(b, isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (; prec < 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
	char *e = strchr(digits, 'e');
	exp10 = e ? atoi(e + 1) : 0;
	if (exp10 < -4 || exp10 >= 6) { /* d.ddde±XX, at least two exponent digits */
		if (e)
			*e = '\0';
		snprintf(out, sizeof(out), "%se%c%02d", digits, exp10 < 0 ? '-' : '+', abs(exp10));
	} else {
		snprintf(out, sizeof(out), "%.*f", prec - 1 - exp10 > 0 ? prec - 1 - exp10 : 0, d);
	}
	dbuf_str(b, out);
}

/* fmt's %+v of what kjson.UnmarshalStrict made of JSON: map[k:v ...] with sorted keys,
 * [a b] for lists, strings bare, <nil> for null. */
static void go_sprint(struct dbuf *b, const json_t *v, int depth)
{
	char n[32];
	size_t i;
	const json_t *x;
	if (depth > MAX_DEPTH) {
		dbuf_str(b, "...");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t k;
		int rc = 0;
		const char **keys = keys_of(v, 1, &k, &rc);
		if (rc) {
			b->oom = 1;
			return;
		}
		dbuf_str(b, "map[");
		for (i = 0; i < k; i++) {
			if (i)
				dbuf_add(b, " ", 1);
			dbuf_str(b, keys[i]);
			dbuf_add(b, ":", 1);
			go_sprint(b, json_object_get(v, keys[i]), depth + 1);
		}
		dbuf_add(b, "]", 1);
		free(keys);
		break;
	}
	case JSON_ARRAY:
		dbuf_add(b, "[", 1);
		json_array_foreach(v, i, x)
		{
			if (i)
				dbuf_add(b, " ", 1);
			go_sprint(b, x, depth + 1);
		}
		dbuf_add(b, "]", 1);
		break;
	case JSON_STRING:
		dbuf_add(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		dbuf_str(b, n);
		break;
	case JSON_REAL:
		go_float(b, json_real_value(v));
		break;
	case JSON_TRUE:
		dbuf_str(b, "true");
		break;
	case JSON_FALSE:
		dbuf_str(b, "false");
		break;
	default:
		dbuf_str(b, "<nil>");
		break;
	}
}

/* A Status of kube-apiserver: kind, apiVersion, metadata, status, message, reason,
 * details (stolen; may be NULL), code. */
static json_t *status(int code, const char *reason, const char *message, json_t *details)
{
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:o*, s:i}", "kind", "Status",
			       "apiVersion", "v1", "metadata", "status", "Failure", "message",
			       message, "reason", reason, "details", details, "code", code);
	return st;
}

/* errors.NewInvalid(GroupKind{group, kind}, "", [one error of field]) */
static json_t *invalid(const char *group, const char *kind, const char *field, const char *reason,
		       const char *body)
{
	struct dbuf m = {0};
	json_t *st = NULL, *details = json_object();
	dbuf_str(&m, kind);
	if (*group) {
		dbuf_add(&m, ".", 1);
		dbuf_str(&m, group);
	}
	dbuf_str(&m, " \"\" is invalid: ");
	dbuf_str(&m, field);
	dbuf_str(&m, ": ");
	dbuf_str(&m, body);
	char *msg = dbuf_take(&m);
	if (!msg || !details)
		goto out;
	/* StatusDetails: name, group, kind, uid, causes; empty ones left out */
	if (*group)
		json_object_set_new(details, "group", json_string(group));
	if (*kind)
		json_object_set_new(details, "kind", json_string(kind));
	if (json_object_set_new(details, "causes",
				json_pack("[{s:s, s:s, s:s}]", "reason", reason, "message", body,
					  "field", field)) == 0)
		st = status(422, "Invalid", msg, json_incref(details));
out:
	json_decref(details);
	free(msg);
	return st;
}

json_t *schema_patch_status(const json_t *patched, const json_t *patch, enum schema_patch pt,
			    const struct schema_errors *e)
{
	struct dbuf v = {0}, body = {0};
	char *strict = schema_strict_text(e), *dump = NULL, *text = NULL;
	json_t *st = NULL;
	if (pt == SCHEMA_PATCH_STRATEGIC) {
		go_sprint(&v, patch, 0);
	} else {
		dump = json_dumps(patched, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (dump)
			dbuf_str(&v, dump);
		else
			v.oom = 1;
	}
	text = dbuf_take(&v);
	if (!strict || !text)
		goto out;
	dbuf_str(&body, "Invalid value: ");
	go_quote(&body, text, strlen(text));
	dbuf_str(&body, ": ");
	dbuf_str(&body, strict);
	if (!body.oom)
		st = invalid("", "", "patch", "FieldValueInvalid", body.p);
out:
	free(body.p);
	free(strict);
	free(dump);
	free(text);
	return st;
}

json_t *schema_options_status(const char *options, const char *value)
{
	struct dbuf body = {0};
	dbuf_str(&body, "Unsupported value: ");
	go_quote(&body, value, strlen(value));
	dbuf_str(&body, ": supported values: " SUPPORTED);
	json_t *st = body.oom ? NULL
			      : invalid("meta.k8s.io", options, "fieldValidation",
					"FieldValueNotSupported", body.p);
	free(body.p);
	return st;
}

static size_t runes(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* net.NewWarningHeader(299, "-", text), text cut to max runes. */
static char *warning_header(const char *text, size_t max, size_t *n_runes)
{
	struct dbuf b = {0};
	size_t n = 0;
	dbuf_str(&b, "299 - \"");
	for (const char *s = text; *s; s++) {
		int start = ((unsigned char)*s & 0xc0) != 0x80;
		if (start && n == max)
			break;
		n += start;
		if (*s == '"' || *s == '\\')
			dbuf_add(&b, "\\", 1);
		dbuf_add(&b, s, 1);
	}
	dbuf_add(&b, "\"", 1);
	*n_runes = n;
	return dbuf_take(&b);
}

size_t schema_warnings(const struct schema_errors *e, char **hdr)
{
	size_t n = 0, written = 0, len;
	int truncating = 0;
	for (size_t i = 0; i < e->n; i++) {
		if (truncating && written >= WARN_TOTAL_RUNES)
			break;
		size_t r = runes(e->text[i]);
		if (truncating || written + r <= WARN_TOTAL_RUNES) {
			hdr[n] = warning_header(e->text[i], truncating ? WARN_ITEM_RUNES : r, &len);
			written += len;
			n += hdr[n] != NULL;
			continue;
		}
		/* over the limit: start again with every warning cut short */
		while (n)
			free(hdr[--n]);
		truncating = 1;
		written = 0;
		for (size_t j = 0; j <= i; j++) {
			hdr[n] = warning_header(e->text[j], WARN_ITEM_RUNES, &len);
			written += len;
			n += hdr[n] != NULL;
		}
	}
	return n;
}

/* --- the request side --- */

static void reply(struct http_req *r, int code, json_t *st)
{
	char *s = st ? json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(st);
	if (s)
		kube_reply_json_text(r, code, s);
	else
		kube_reply_status(r, 500, "InternalError", "out of memory", NULL);
}

int schema_mode(struct http_req *r, const char *options, enum schema_mode *mode)
{
	const char *v = http_query(r, "fieldValidation");
	if (schema_mode_parse(v, mode) == 0)
		return 0;
	reply(r, 422, schema_options_status(options, v));
	return -EINVAL;
}

/* Adds the Warning header value hdr unless the reply has it. */
static void add_warning(struct http_req *r, const char *hdr)
{
	struct evkeyvalq *out = r->ev ? evhttp_request_get_output_headers(r->ev) : NULL;
	struct evkeyval *h;
	int have = 0;
	if (!out)
		return;
	TAILQ_FOREACH(h, out, next)
	{
		have |= strcasecmp(h->key, "Warning") == 0 && strcmp(h->value, hdr) == 0;
	}
	if (!have)
		http_add_header(r, "Warning", hdr);
}

void schema_warn(struct http_req *r, const char *text)
{
	size_t n;
	char *hdr = text && *text ? warning_header(text, SIZE_MAX, &n) : NULL;
	if (hdr)
		add_warning(r, hdr);
	free(hdr);
}

/* Adds the Warning headers of e that the reply does not have yet (a patch that raced
 * another write is applied again). */
static void add_warnings(struct http_req *r, const struct schema_errors *e)
{
	char *hdr[SCHEMA_MAX_ERRORS];
	size_t n = schema_warnings(e, hdr);
	for (size_t i = 0; i < n; i++) {
		add_warning(r, hdr[i]);
		free(hdr[i]);
	}
}

int schema_check_body(struct http_req *r, const struct kube_resource *res, json_t *body, int dups,
		      enum schema_mode mode)
{
	struct schema_errors e = {0};
	const char *type = schema_type_of(res->group, res->version, res->kind);
	int rc = schema_decode(body, type, (const char *)r->body, r->body_len, dups, mode, &e);
	if (rc || !e.n)
		goto out;
	if (mode == SCHEMA_WARN) {
		add_warnings(r, &e);
		goto out;
	}
	char *msg = schema_body_message(res->kind, res->version, &e);
	if (!msg) {
		rc = -ENOMEM;
		goto out;
	}
	kube_reply_status(r, 400, "BadRequest", msg, NULL);
	free(msg);
	rc = -EINVAL;
out:
	schema_errors_free(&e);
	return rc;
}

int schema_check_patch(struct http_req *r, const struct kube_resource *res, json_t *patched,
		       const json_t *patch, enum schema_patch pt, int dups, enum schema_mode mode)
{
	struct schema_errors e = {0};
	const char *type = schema_type_of(res->group, res->version, res->kind);
	int rc = schema_decode_patch(patched, type, (const char *)r->body, r->body_len, pt, dups,
				     mode, &e);
	if (rc || !e.n)
		goto out;
	if (mode == SCHEMA_WARN) {
		add_warnings(r, &e);
		goto out;
	}
	json_t *st = schema_patch_status(patched, patch, pt, &e);
	if (!st) {
		rc = -ENOMEM;
		goto out;
	}
	reply(r, 422, st);
	rc = -EINVAL;
out:
	schema_errors_free(&e);
	return rc;
}
