/*
 * jsonschema.c - checks a Google API request body against its proto message as Google's
 * JSON parser does, collects every problem in Google's words, and puts a body that passes
 * in canonical form (see jsonschema.h). The message tables are in jsonschema_google.c.
 */
#include "cloud/jsonschema.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/gerrors.h"

#define LOC_MAX 512  /* bytes of a field path ("cluster.node_pools[0].config.labels[3].value") */
#define DEPTH_MAX 64 /* messages nested; the schemas are not recursive, so never reached */

/* One check: the violations found so far and the path of the value being looked at. */
struct walk {
	json_t *viol;
	int nomem;
	char loc[LOC_MAX];
	size_t len;
	int depth;
};

static const char *const kind_names[] = {
	[JS_STRING] = "TYPE_STRING",	 [JS_BYTES] = "TYPE_BYTES",
	[JS_BOOL] = "TYPE_BOOL",	 [JS_INT32] = "TYPE_INT32",
	[JS_SINT32] = "TYPE_SINT32",	 [JS_SFIXED32] = "TYPE_SFIXED32",
	[JS_UINT32] = "TYPE_UINT32",	 [JS_FIXED32] = "TYPE_FIXED32",
	[JS_INT64] = "TYPE_INT64",	 [JS_SINT64] = "TYPE_SINT64",
	[JS_SFIXED64] = "TYPE_SFIXED64", [JS_UINT64] = "TYPE_UINT64",
	[JS_FIXED64] = "TYPE_FIXED64",	 [JS_DOUBLE] = "TYPE_DOUBLE",
	[JS_FLOAT] = "TYPE_FLOAT",	 [JS_ENUM] = "TYPE_ENUM",
	[JS_MESSAGE] = "TYPE_MESSAGE",	 [JS_WKT] = "TYPE_MESSAGE",
	[JS_ANY] = "TYPE_MESSAGE",
};

/* ---- the path ---------------------------------------------------------------------- */

/* Appends ".name" (or "name" at the top), or "[i]" when name is NULL; returns the old
 * length to restore. A path that would not fit is cut: it only names a place in an error. */
static size_t loc_push(struct walk *w, const char *name, size_t index)
{
	size_t old = w->len;
	int n;
	if (name)
		n = snprintf(w->loc + w->len, sizeof(w->loc) - w->len, "%s%s", w->len ? "." : "",
			     name);
	else
		n = snprintf(w->loc + w->len, sizeof(w->loc) - w->len, "[%zu]", index);
	if (n > 0)
		w->len += (size_t)n < sizeof(w->loc) - w->len ? (size_t)n
							      : sizeof(w->loc) - w->len - 1;
	return old;
}

static void loc_pop(struct walk *w, size_t old)
{
	w->len = old;
	w->loc[old] = '\0';
}

/* ---- violations -------------------------------------------------------------------- */

/* Records a violation at the current path (none at the top level). */
static void add(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct walk *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (json_array_size(w->viol) >= JSCHEMA_MAX_VIOLATIONS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *v = w->len ? json_pack("{s:s, s:s}", "field", w->loc, "description", msg)
			   : json_pack("{s:s}", "description", msg);
	if (!v || json_array_append_new(w->viol, v) != 0)
		w->nomem = 1;
}

/* Unknown name "key" in the message at the current path: why is "Cannot find field." or
 * "Proto field is not repeating, cannot start list." */
static void add_name(struct walk *w, const char *key, const char *why)
{
	char name[GERR_ECHO_MAX], at[LOC_MAX + 8] = "";
	gerr_echo(name, sizeof(name), key);
	if (w->len)
		snprintf(at, sizeof(at), " at '%s'", w->loc);
	add(w, "Invalid JSON payload received. Unknown name \"%s\"%s: %s", name, at, why);
}

/* A value of the wrong kind at the current path: type is "TYPE_INT32" or a type URL. */
static void add_value(struct walk *w, const char *type, const json_t *v)
{
	char shown[GERR_ECHO_MAX];
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	gerr_clip(shown, sizeof(shown), s ? s : "?");
	free(s);
	add(w, "Invalid value at '%s' (%s), %s", w->loc, type, shown);
}

static void add_type_url(struct walk *w, const char *type, const json_t *v)
{
	char url[256];
	snprintf(url, sizeof(url), "type.googleapis.com/%s", type);
	add_value(w, url, v);
}

/* An object where field (of the message at the current path) takes a scalar. */
static void add_object(struct walk *w, const char *field)
{
	char at[LOC_MAX + 8] = "";
	if (w->len)
		snprintf(at, sizeof(at), " at '%s'", w->loc);
	add(w, "Invalid value%s (%s), Starting an object on a scalar field", at, field);
}

/* ---- scalars ----------------------------------------------------------------------- */

/* Standard or URL-safe base64, padded or not, as protobuf's JSON parser takes bytes. */
static int base64_ok(const char *s, size_t n)
{
	size_t pad = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '=') {
			pad++;
		} else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' ||
				    c == '_')) {
			return 0;
		}
	}
	return pad <= 2 && (n - pad) % 4 != 1 && (!pad || n % 4 == 0);
}

/* The integer a JSON value holds for an integer field: a number without a fraction, or a
 * string of one. 0, or -EINVAL. */
static int int_of(const json_t *v, int is_unsigned, long long *out, unsigned long long *uout)
{
	const char *s;
	char *end;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		if (is_unsigned && *out < 0)
			return -EINVAL;
		*uout = (unsigned long long)*out;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d) || d < -9.2e18 || d > 9.2e18 || (is_unsigned && d < 0))
			return -EINVAL;
		*out = (long long)d;
		*uout = (unsigned long long)*out;
		return 0;
	}
	if (!json_is_string(v) || !*(s = json_string_value(v)))
		return -EINVAL;
	errno = 0;
	if (is_unsigned) {
		if (*s == '-')
			return -EINVAL;
		*uout = strtoull(s, &end, 10);
		*out = *uout > INT64_MAX ? -1 : (long long)*uout;
	} else {
		*out = strtoll(s, &end, 10);
		*uout = (unsigned long long)*out;
	}
	return errno || *end ? -EINVAL : 0;
}

/* True when v is a JSON number or a string protobuf reads as a double. */
static int double_ok(const json_t *v)
{
	const char *s;
	char *end;
	if (json_is_number(v))
		return 1;
	if (!json_is_string(v) || !*(s = json_string_value(v)))
		return 0;
	if (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity"))
		return 1;
	errno = 0;
	double d = strtod(s, &end);
	return !errno && !*end && isfinite(d);
}

static int enum_ok(const struct jschema_enum *en, const json_t *v)
{
	long long i;
	unsigned long long u;
	if (json_is_string(v)) {
		for (size_t k = 0; en && k < en->n; k++)
			if (!strcmp(en->values[k], json_string_value(v)))
				return 1;
		return 0;
	}
	/* proto3 enums are open: any int32 number is taken. */
	return json_is_number(v) && int_of(v, 0, &i, &u) == 0 && i >= INT32_MIN && i <= INT32_MAX;
}

/* Checks a scalar value of field f at the current path. Returns its canonical form (a new
 * reference) when it differs from v, else NULL. */
static json_t *check_scalar(struct walk *w, const struct jschema_field *f, json_t *v)
{
	long long i;
	unsigned long long u;
	switch (f->kind) {
	case JS_STRING:
		if (!json_is_string(v))
			add_value(w, kind_names[f->kind], v);
		return NULL;
	case JS_BYTES:
		if (!json_is_string(v)) {
			add_value(w, kind_names[f->kind], v);
		} else if (!base64_ok(json_string_value(v), json_string_length(v))) {
			char shown[GERR_ECHO_MAX];
			gerr_echo(shown, sizeof(shown), json_string_value(v));
			add(w,
			    "Invalid value at '%s' (TYPE_BYTES), Base64 decoding failed for \"%s\"",
			    w->loc, shown);
		}
		return NULL;
	case JS_BOOL:
		if (json_is_boolean(v))
			return NULL;
		if (json_is_string(v) && !strcmp(json_string_value(v), "true"))
			return json_true();
		if (json_is_string(v) && !strcmp(json_string_value(v), "false"))
			return json_false();
		add_value(w, kind_names[f->kind], v);
		return NULL;
	case JS_INT32:
	case JS_SINT32:
	case JS_SFIXED32:
		if (int_of(v, 0, &i, &u) != 0 || i < INT32_MIN || i > INT32_MAX)
			add_value(w, kind_names[f->kind], v);
		else if (!json_is_integer(v))
			return json_integer(i);
		return NULL;
	case JS_UINT32:
	case JS_FIXED32:
		if (int_of(v, 1, &i, &u) != 0 || u > UINT32_MAX)
			add_value(w, kind_names[f->kind], v);
		else if (!json_is_integer(v))
			return json_integer((json_int_t)u);
		return NULL;
	case JS_INT64:
	case JS_SINT64:
	case JS_SFIXED64:
	case JS_UINT64:
	case JS_FIXED64:
		/* 64-bit integers stay as given: proto3 JSON writes them as strings. */
		if (int_of(v, f->kind == JS_UINT64 || f->kind == JS_FIXED64, &i, &u) != 0)
			add_value(w, kind_names[f->kind], v);
		return NULL;
	case JS_DOUBLE:
	case JS_FLOAT:
		if (!double_ok(v))
			add_value(w, kind_names[f->kind], v);
		return NULL;
	case JS_ENUM:
		if (!enum_ok(f->en, v))
			add_type_url(w, f->en ? f->en->name : "google.protobuf.Enum", v);
		return NULL;
	case JS_WKT:
		if (!json_is_string(v))
			add_type_url(w, f->type, v);
		return NULL;
	default:
		return NULL;
	}
}

/* ---- messages ---------------------------------------------------------------------- */

static void check_msg(struct walk *w, json_t *obj, const struct jschema_msg *m);

static const struct jschema_field *lookup(const struct jschema_msg *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->fields[i].json, key) || !strcmp(m->fields[i].name, key))
			return &m->fields[i];
	return NULL;
}

/* Checks one value of field f (an element when f is repeated) at the current path; ploc is
 * the length of the path of the message that holds f, and pname the field's proto name, for
 * "Starting an object on a scalar field". Returns a canonical replacement or NULL. */
static json_t *check_value(struct walk *w, const struct jschema_field *f, json_t *v, size_t ploc,
			   const char *pname)
{
	if (f->kind == JS_ANY)
		return NULL;
	if (f->kind == JS_MESSAGE) {
		if (json_is_object(v)) {
			if (w->depth < DEPTH_MAX) {
				w->depth++;
				check_msg(w, v, f->msg);
				w->depth--;
			}
		} else {
			add_type_url(w, f->msg->name, v);
		}
		return NULL;
	}
	if (json_is_object(v)) {
		size_t here = w->len;
		char saved[LOC_MAX];
		memcpy(saved, w->loc, here + 1);
		loc_pop(w, ploc);
		add_object(w, pname);
		memcpy(w->loc, saved, here + 1);
		w->len = here;
		return NULL;
	}
	return check_scalar(w, f, v);
}

/* A map field's object: each value at "field[i].value", as the proto map entry. */
static void check_map(struct walk *w, const struct jschema_field *f, json_t *map)
{
	const char *k;
	json_t *v, *fixed;
	void *tmp;
	size_t i = 0;
	json_object_foreach_safe(map, tmp, k, v)
	{
		size_t entry = loc_push(w, NULL, i++);
		if (json_is_null(v) && f->kind != JS_ANY) {
			json_object_del(map, k);
		} else {
			size_t old = loc_push(w, "value", 0);
			if (json_is_array(v) && f->kind != JS_ANY)
				add_name(w, "value",
					 "Proto field is not repeating, cannot start list.");
			else if ((fixed = check_value(w, f, v, entry, "value")))
				json_object_set_new(map, k, fixed);
			loc_pop(w, old);
		}
		loc_pop(w, entry);
	}
}

/* A repeated field's list: each element at "field[i]"; null elements are dropped. */
static void check_list(struct walk *w, const struct jschema_field *f, json_t *list, size_t ploc)
{
	size_t i = 0;
	json_t *fixed;
	/* Elements are counted as Google counts them, without the null ones. */
	while (i < json_array_size(list)) {
		json_t *v = json_array_get(list, i);
		if (json_is_null(v)) {
			json_array_remove(list, i);
			continue;
		}
		size_t old = loc_push(w, NULL, i);
		if (json_is_array(v))
			add_name(w, f->name, "Proto field is not repeating, cannot start list.");
		else if ((fixed = check_value(w, f, v, ploc, f->name)))
			json_array_set_new(list, i, fixed);
		loc_pop(w, old);
		i++;
	}
}

static void check_msg(struct walk *w, json_t *obj, const struct jschema_msg *m)
{
	const char *key;
	json_t *v, *fixed;
	void *tmp;
	json_t *renamed = NULL; /* members to set under their JSON names, after the walk */
	json_object_foreach_safe(obj, tmp, key, v)
	{
		const struct jschema_field *f = lookup(m, key);
		if (!f) {
			add_name(w, key, "Cannot find field.");
			continue;
		}
		if (json_is_null(v) && f->kind != JS_ANY) {
			json_object_del(obj, key);
			continue;
		}
		size_t ploc = w->len, old = loc_push(w, f->name, 0);
		json_incref(v);
		if (f->flags & JS_MAP) {
			if (json_is_array(v))
				add(w, "Invalid value at '%s' (Map), Cannot bind a list to map.",
				    w->loc);
			else if (!json_is_object(v))
				add_type_url(w, f->type, v);
			else
				check_map(w, f, v);
		} else if (json_is_array(v)) {
			if (!(f->flags & JS_REPEATED)) {
				loc_pop(w, ploc);
				add_name(w, key,
					 "Proto field is not repeating, cannot start list.");
			} else {
				check_list(w, f, v, ploc);
			}
		} else if ((f->flags & JS_REPEATED) &&
			   (!json_is_object(v) || f->kind == JS_MESSAGE || f->kind == JS_ANY)) {
			/* A single value for a repeated field: refused with the element's type, as
			 * gkeid always has (the proto parser would take it as a list of one; that
			 * Google's front end does too is not confirmed). */
			if (f->kind == JS_MESSAGE)
				add_type_url(w, f->msg->name, v);
			else if (f->kind == JS_ANY)
				add_type_url(w, "google.protobuf.Value", v);
			else if (f->kind == JS_ENUM)
				add_type_url(w, f->en ? f->en->name : "google.protobuf.Enum", v);
			else if (f->kind == JS_WKT)
				add_type_url(w, f->type, v);
			else
				add_value(w, kind_names[f->kind], v);
		} else if ((fixed = check_value(w, f, v, ploc, f->name))) {
			json_decref(v);
			v = fixed;
		}
		loc_pop(w, old);
		/* A field given under both names: the later one counts, as the proto parser
		 * sets a field again. */
		if (strcmp(key, f->json) != 0) {
			if (!renamed && !(renamed = json_object()))
				w->nomem = 1;
			if (renamed && v && json_object_set(renamed, f->json, v) != 0)
				w->nomem = 1;
			json_object_del(obj, key);
		} else {
			if (renamed)
				json_object_del(renamed, key);
			if (v && json_object_get(obj, key) != v &&
			    json_object_set(obj, key, v) != 0)
				w->nomem = 1;
		}
		json_decref(v);
	}
	if (renamed && json_object_update(obj, renamed) != 0)
		w->nomem = 1;
	json_decref(renamed);
}

int jschema_check(json_t *body, const struct jschema_msg *m, json_t **violations)
{
	struct walk w = {0};
	if (violations)
		*violations = NULL;
	if (!(w.viol = json_array()))
		return -ENOMEM;
	check_msg(&w, body, m);
	if (w.nomem) {
		json_decref(w.viol);
		return -ENOMEM;
	}
	if (!json_array_size(w.viol)) {
		json_decref(w.viol);
		return 0;
	}
	if (violations)
		*violations = w.viol;
	else
		json_decref(w.viol);
	return -EINVAL;
}

char *jschema_message(const json_t *violations)
{
	size_t i, len = 1;
	json_t *v;
	char *msg;
	json_array_foreach((json_t *)violations, i, v) len +=
		json_string_length(json_object_get(v, "description")) + 1;
	if (!(msg = calloc(1, len)))
		return NULL;
	json_array_foreach((json_t *)violations, i, v)
	{
		if (i)
			strcat(msg, "\n");
		strcat(msg, json_string_value(json_object_get(v, "description")));
	}
	return msg;
}

void jschema_reply(struct http_req *r, const json_t *violations)
{
	char *msg = jschema_message(violations);
	json_t *j = msg ? json_pack("{s:{s:i, s:s, s:s, s:[{s:s, s:O}]}}", "error", "code", 400,
				    "message", msg, "status", "INVALID_ARGUMENT", "details",
				    "@type", "type.googleapis.com/google.rpc.BadRequest",
				    "fieldViolations", violations)
			: NULL;
	free(msg);
	http_reply_json(r, j ? 400 : 500, j);
}

json_t *jschema_body(struct http_req *r, int empty_ok, const struct jschema_msg *m)
{
	json_t *body = http_json_body(r, empty_ok), *viol = NULL;
	if (!body)
		return NULL;
	int rc = jschema_check(body, m, &viol);
	if (rc == 0)
		return body;
	if (rc == -EINVAL)
		jschema_reply(r, viol);
	else
		http_reply_json(r, 500, NULL);
	json_decref(viol);
	json_decref(body);
	return NULL;
}
