/*
 * crd.c - CustomResourceDefinitions (see crd.h): a CRD's defaults, validation and
 * status (k8s.io/apiextensions-apiserver v0.30: apis/apiextensions/v1/defaults.go,
 * apis/apiextensions/validation, controller/status and controller/establish), and the
 * structural schema of its custom resources: pruning, defaulting, validation in
 * kube-openapi's words (pkg/validation/errors), printer columns, and merge types.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "kube/crd.h"
#include "kube/registry_impl.h"
#include "kube/util.h"

/* --- errors: the registry's field.Error form (reg_field_err) --- */

#define err_add reg_field_err

/* A value as field.Error prints it (%#v of Go values: strings quoted, numbers bare). */
static void value_text(const json_t *v, char *out, size_t len)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(out, len, "%s", s ? s : "null");
	free(s);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* --- the CRD --- */

void crd_defaults(json_t *crd)
{
	json_t *spec = json_object_get(crd, "spec");
	json_t *names = json_object_get(spec, "names");
	if (!json_is_object(spec))
		return;
	if (json_is_object(names)) {
		const char *kind = str(names, "kind");
		if (!*str(names, "singular") && *kind) {
			char low[256];
			size_t i;
			for (i = 0; kind[i] && i + 1 < sizeof(low); i++)
				low[i] = (char)tolower((unsigned char)kind[i]);
			low[i] = '\0';
			json_object_set_new(names, "singular", json_string(low));
		}
		if (!*str(names, "listKind") && *kind) {
			char lk[300];
			if (sfmt(lk, sizeof(lk), "%sList", kind) == 0)
				json_object_set_new(names, "listKind", json_string(lk));
		}
	}
	if (!json_object_get(spec, "conversion"))
		json_object_set_new(spec, "conversion", json_pack("{s:s}", "strategy", "None"));
}

/* IsDNS1035Label for plural and singular names, as upstream words its failure. */
static int dns_label(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 63 || !islower((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return s[n - 1] != '-';
}

static void validate_names(const json_t *names, json_t *errs)
{
	static const char *const req[] = {"plural", "singular", "kind", "listKind"};
	char f[64];
	for (size_t i = 0; i < 4; i++) {
		if (!*str(names, req[i])) {
			snprintf(f, sizeof(f), "spec.names.%s", req[i]);
			err_add(errs, f, "FieldValueRequired", "Required value");
		}
	}
	const char *plural = str(names, "plural");
	if (*plural && !dns_label(plural))
		err_add(errs, "spec.names.plural", "FieldValueInvalid",
			"Invalid value: \"%s\": a lowercase RFC 1035 label must consist of lower "
			"case "
			"alphanumeric characters or '-', start with an alphabetic character, and "
			"end "
			"with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used "
			"for "
			"validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
			plural);
	if (*str(names, "kind") && strcmp(str(names, "kind"), str(names, "listKind")) == 0)
		err_add(errs, "spec.names.listKind", "FieldValueInvalid",
			"Invalid value: \"%s\": kind and listKind may not be the same",
			str(names, "listKind"));
}

static void validate_columns(const json_t *cols, const char *at, json_t *errs)
{
	static const char *const types = "boolean,date,integer,number,string";
	size_t i;
	json_t *c;
	char f[512];
	json_array_foreach(cols, i, c)
	{
		const char *t = str(c, "type");
		if (sfmt(f, sizeof(f), "%s.additionalPrinterColumns[%zu].type", at, i))
			return;
		if (!*t)
			err_add(errs, f, "FieldValueRequired", "Required value: must be one of %s",
				types);
		else if (!strstr(types, t) || strchr(t, ','))
			err_add(errs, f, "FieldValueInvalid",
				"Invalid value: \"%s\": must be one of %s", t, types);
		if (sfmt(f, sizeof(f), "%s.additionalPrinterColumns[%zu].jsonPath", at, i))
			return;
		if (!*str(c, "jsonPath"))
			err_add(errs, f, "FieldValueRequired", "Required value");
	}
}

static void validate_versions(const json_t *versions, json_t *errs)
{
	size_t i, storage = 0;
	json_t *v;
	char f[256];
	if (!json_array_size(versions)) {
		err_add(errs, "spec.versions", "FieldValueInvalid",
			"Invalid value: \"null\": must have exactly one version marked as storage "
			"version");
		return;
	}
	json_array_foreach(versions, i, v)
	{
		storage += json_is_true(json_object_get(v, "storage"));
		for (size_t j = 0; j < i; j++)
			if (strcmp(str(v, "name"), str(json_array_get(versions, j), "name")) == 0)
				err_add(errs, "spec.versions", "FieldValueInvalid",
					"Invalid value: \"%s\": must contain unique version names",
					str(v, "name"));
		const json_t *s = json_object_get(json_object_get(v, "schema"), "openAPIV3Schema");
		snprintf(f, sizeof(f), "spec.versions[%zu].schema.openAPIV3Schema", i);
		if (!json_is_object(s))
			err_add(errs, f, "FieldValueRequired",
				"Required value: schemas are required");
		else if (strcmp(str(s, "type"), "object"))
			err_add(errs, f, "FieldValueInvalid",
				"Invalid value: \"%s\": must be of type object at the root",
				str(s, "type"));
		snprintf(f, sizeof(f), "spec.versions[%zu]", i);
		validate_columns(json_object_get(v, "additionalPrinterColumns"), f, errs);
	}
	if (storage != 1)
		err_add(errs, "spec.versions", "FieldValueInvalid",
			"Invalid value: \"%zu versions\": must have exactly one version marked as "
			"storage version",
			storage);
}

void crd_validate(const json_t *crd, json_t *errs)
{
	const json_t *spec = json_object_get(crd, "spec");
	const char *name = str(json_object_get(crd, "metadata"), "name");
	const char *group = str(spec, "group"), *scope = str(spec, "scope");
	const json_t *names = json_object_get(spec, "names");
	char want[600];
	if (sfmt(want, sizeof(want), "%s.%s", str(names, "plural"), group) || strcmp(want, name))
		err_add(errs, "metadata.name", "FieldValueInvalid",
			"Invalid value: \"%s\": must be spec.names.plural+\".\"+spec.group", name);
	if (!*group)
		err_add(errs, "spec.group", "FieldValueRequired", "Required value");
	else if (!strchr(group, '.'))
		err_add(errs, "spec.group", "FieldValueInvalid",
			"Invalid value: \"%s\": should be a domain with at least one dot", group);
	if (strcmp(scope, "Namespaced") && strcmp(scope, "Cluster")) {
		if (!*scope)
			err_add(errs, "spec.scope", "FieldValueRequired", "Required value");
		else
			err_add(errs, "spec.scope", "FieldValueNotSupported",
				"Unsupported value: \"%s\": supported values: \"Cluster\", "
				"\"Namespaced\"",
				scope);
	}
	validate_names(names, errs);
	validate_versions(json_object_get(spec, "versions"), errs);
}

const json_t *crd_version(const json_t *crd, const char *version)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(crd, "spec"), "versions"), i, v)
	{
		if (strcmp(str(v, "name"), version) == 0 &&
		    json_is_true(json_object_get(v, "served")))
			return v;
	}
	return NULL;
}

char *crd_deprecation_warning(const json_t *crd, const char *version)
{
	const json_t *spec = json_object_get(crd, "spec"), *v = crd_version(crd, version), *w;
	const char *group = str(spec, "group"), *kind = str(json_object_get(spec, "names"), "kind");
	const char *newest = NULL;
	size_t i;
	if (!v || !json_is_true(json_object_get(v, "deprecated")))
		return NULL;
	const json_t *given = json_object_get(v, "deprecationWarning");
	if (json_is_string(given)) /* "" asks for none: AddWarning drops empty text */
		return *json_string_value(given) ? strdup(json_string_value(given)) : NULL;
	/* defaultDeprecationWarning: the newest served version that is not deprecated and
	 * comes after this one in kube-aware order, if any */
	json_array_foreach(json_object_get(spec, "versions"), i, w)
	{
		const char *name = str(w, "name");
		if (json_is_true(json_object_get(w, "served")) &&
		    !json_is_true(json_object_get(w, "deprecated")) &&
		    kube_version_cmp(name, version) < 0 &&
		    (!newest || kube_version_cmp(name, newest) < 0))
			newest = name;
	}
	struct dbuf b = DBUF_INIT(0);
	dbuf_printf(&b, "%s/%s %s is deprecated", group, version, kind);
	if (newest)
		dbuf_printf(&b, "; use %s/%s %s", group, newest, kind);
	return dbuf_take(&b);
}

const char *crd_storage_version(const json_t *crd)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(crd, "spec"), "versions"), i, v)
	{
		if (json_is_true(json_object_get(v, "storage")))
			return str(v, "name");
	}
	return NULL;
}

int crd_set_status(json_t *crd, const json_t *old, const char *now)
{
	json_t *names = json_deep_copy(json_object_get(json_object_get(crd, "spec"), "names"));
	json_t *stored =
		json_deep_copy(json_object_get(json_object_get(old, "status"), "storedVersions"));
	const char *sv = crd_storage_version(crd);
	if (!json_is_array(stored)) {
		json_decref(stored);
		stored = json_array();
	}
	int have = 0;
	size_t i;
	json_t *v;
	json_array_foreach(stored, i, v) have |= sv && strcmp(json_string_value(v), sv) == 0;
	if (sv && !have)
		json_array_append_new(stored, json_string(sv));
	json_t *st = json_pack(
		"{s:[{s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s}], s:o, s:o}",
		"conditions", "type", "NamesAccepted", "status", "True", "lastTransitionTime", now,
		"reason", "NoConflicts", "message", "no conflicts found", "type", "Established",
		"status", "True", "lastTransitionTime", now, "reason", "InitialNamesAccepted",
		"message", "the initial names have been accepted", "acceptedNames",
		names ? names : json_object(), "storedVersions", stored ? stored : json_array());
	if (!st)
		return -ENOMEM;
	/* conditions keep their times while they hold */
	const json_t *oc = json_object_get(json_object_get(old, "status"), "conditions");
	json_array_foreach(json_object_get(st, "conditions"), i, v)
	{
		size_t j;
		json_t *o;
		json_array_foreach(oc, j, o)
		{
			if (strcmp(str(o, "type"), str(v, "type")) == 0 &&
			    strcmp(str(o, "status"), "True") == 0 &&
			    json_object_get(o, "lastTransitionTime"))
				json_object_set(v, "lastTransitionTime",
						json_object_get(o, "lastTransitionTime"));
		}
	}
	return json_object_set_new(crd, "status", st) ? -ENOMEM : 0;
}

/* --- pruning and defaulting --- */

static int preserves(const json_t *s)
{
	return json_is_true(json_object_get(s, "x-kubernetes-preserve-unknown-fields"));
}

static int embedded(const json_t *s)
{
	return json_is_true(json_object_get(s, "x-kubernetes-embedded-resource"));
}

static void prune(json_t *v, const json_t *s, int root, int depth)
{
	if (!s || depth > CRD_MAX_DEPTH)
		return;
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) prune(x, json_object_get(s, "items"), 0, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	const json_t *props = json_object_get(s, "properties");
	const json_t *addl = json_object_get(s, "additionalProperties");
	const char *k;
	json_t *x;
	void *tmp;
	json_object_foreach_safe(v, tmp, k, x)
	{
		const json_t *ps = json_object_get(props, k);
		if ((root || embedded(s)) &&
		    (!strcmp(k, "apiVersion") || !strcmp(k, "kind") || !strcmp(k, "metadata")))
			continue;
		if (ps)
			prune(x, ps, 0, depth + 1);
		else if (json_is_object(addl))
			prune(x, addl, 0, depth + 1);
		else if (!preserves(s) && !json_is_true(addl))
			json_object_del(v, k);
	}
}

void crd_prune(json_t *obj, const json_t *schema)
{
	prune(obj, schema, 1, 0);
}

static int defaults(json_t *v, const json_t *s, int depth)
{
	int rc = 0;
	if (!s || depth > CRD_MAX_DEPTH)
		return 0;
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			if ((rc = defaults(x, json_object_get(s, "items"), depth + 1)))
				break;
		}
		return rc;
	}
	if (!json_is_object(v))
		return 0;
	const char *k;
	json_t *ps;
	json_object_foreach((json_t *)json_object_get(s, "properties"), k, ps)
	{
		const json_t *def = json_object_get(ps, "default");
		if (def && !json_object_get(v, k) && json_object_set_new(v, k, json_deep_copy(def)))
			return -ENOMEM;
		json_t *x = json_object_get(v, k);
		if (x && (rc = defaults(x, ps, depth + 1)))
			return rc;
	}
	const json_t *addl = json_object_get(s, "additionalProperties");
	json_t *x;
	if (json_is_object(addl) && !json_object_get(s, "properties")) {
		json_object_foreach(v, k, x)
		{
			if ((rc = defaults(x, addl, depth + 1)))
				return rc;
		}
	}
	return 0;
}

int crd_default(json_t *obj, const json_t *schema)
{
	return defaults(obj, schema, 0);
}

/* --- validation --- */

/* The type kube-openapi's validator sees for a value (integral numbers are integers). */
static const char *type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

static int type_ok(const json_t *s, const json_t *v)
{
	const char *want = str(s, "type"), *got = type_of(v);
	if (json_is_true(json_object_get(s, "x-kubernetes-int-or-string")))
		return json_is_string(v) || json_is_integer(v);
	if (!*want || strcmp(want, got) == 0)
		return 1;
	if (json_is_null(v) && json_is_true(json_object_get(s, "nullable")))
		return 1;
	/* a whole number given as a float is an integer; any number is a number */
	if (!strcmp(want, "number") && json_is_integer(v))
		return 1;
	return !strcmp(want, "integer") && json_is_real(v) &&
	       json_real_value(v) == floor(json_real_value(v));
}

struct vctx {
	json_t *errs;
	struct dbuf b; /* the field path, as ".spec.a[0].b"; its oom: memory ran out */
};

/* The field path's text ("" at the root). */
static const char *vpath(const struct vctx *c)
{
	return c->b.p ? c->b.p : "";
}

static void validate(const json_t *v, const json_t *s, struct vctx *c, int depth);

static void child(const json_t *v, const json_t *s, struct vctx *c, int depth, const char *fmt,
		  const char *k, size_t i)
{
	size_t n = c->b.len;
	/* a path grows in a dbuf: a child is never left unchecked for a long path */
	if (fmt[0] == '.')
		dbuf_printf(&c->b, n ? ".%s" : "%s", k);
	else
		dbuf_printf(&c->b, "[%zu]", i);
	if (c->b.oom)
		return; /* crd_validate_object reports it */
	validate(v, s, c, depth + 1);
	c->b.len = n;
	c->b.p[n] = '\0';
}

static void check_string(const json_t *v, const json_t *s, struct vctx *c)
{
	const char *p = vpath(c), *text = json_string_value(v);
	size_t len = 0;
	for (const char *q = text; *q; q++) /* characters, not bytes */
		len += ((unsigned char)*q & 0xC0) != 0x80;
	json_t *mx = json_object_get(s, "maxLength"), *mn = json_object_get(s, "minLength");
	if (json_is_integer(mx) && (json_int_t)len > json_integer_value(mx))
		err_add(c->errs, p, "FieldValueTooLong", "Too long: may not be longer than %lld",
			(long long)json_integer_value(mx));
	if (json_is_integer(mn) && (json_int_t)len < json_integer_value(mn))
		err_add(c->errs, p, "FieldValueInvalid",
			"Invalid value: \"%s\": %s in body should be at least %lld chars long",
			text, p, (long long)json_integer_value(mn));
	const char *pat = json_string_value(json_object_get(s, "pattern"));
	regex_t re;
	if (pat && regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) == 0) {
		if (regexec(&re, text, 0, NULL, 0) != 0)
			err_add(c->errs, p, "FieldValueInvalid",
				"Invalid value: \"%s\": %s in body should match '%s'", text, p,
				pat);
		regfree(&re);
	}
}

static void check_number(const json_t *v, const json_t *s, struct vctx *c)
{
	char val[64], lim[64];
	double d = json_number_value(v);
	value_text(v, val, sizeof(val));
	for (int hi = 0; hi < 2; hi++) {
		const json_t *b = json_object_get(s, hi ? "maximum" : "minimum");
		int excl = json_is_true(
			json_object_get(s, hi ? "exclusiveMaximum" : "exclusiveMinimum"));
		if (!json_is_number(b))
			continue;
		double lv = json_number_value(b);
		if (hi ? (excl ? d < lv : d <= lv) : (excl ? d > lv : d >= lv))
			continue;
		value_text(b, lim, sizeof(lim));
		err_add(c->errs, vpath(c), "FieldValueInvalid",
			"Invalid value: %s: %s in body should be %s%s %s", val, vpath(c),
			hi ? "less than" : "greater than", excl ? "" : " or equal to", lim);
	}
}

static void check_enum(const json_t *v, const json_t *s, struct vctx *c)
{
	const json_t *en = json_object_get(s, "enum");
	size_t i;
	json_t *e;
	if (!json_is_array(en))
		return;
	json_array_foreach(en, i, e) if (json_equal(e, v)) return;
	struct dbuf b = DBUF_INIT(8192);
	char val[512];
	json_array_foreach(en, i, e)
	{
		value_text(e, val, sizeof(val));
		dbuf_printf(&b, "%s%s", i ? ", " : "", val);
	}
	value_text(v, val, sizeof(val));
	err_add(c->errs, vpath(c), "FieldValueNotSupported",
		"Unsupported value: %s: supported values: %s", val, b.p ? b.p : "");
	dbuf_free(&b);
}

static void validate_obj(const json_t *v, const json_t *s, struct vctx *c, int depth)
{
	const json_t *props = json_object_get(s, "properties");
	const json_t *addl = json_object_get(s, "additionalProperties");
	size_t i;
	json_t *r;
	const char *k;
	json_t *x;
	json_array_foreach(json_object_get(s, "required"), i, r)
	{
		const char *name = json_string_value(r);
		if (name && !json_object_get(v, name)) {
			struct dbuf f = DBUF_INIT(0);
			dbuf_printf(&f, "%s%s%s", vpath(c), *vpath(c) ? "." : "", name);
			if (f.oom)
				c->b.oom = 1; /* reported once, at the end */
			else
				err_add(c->errs, f.p, "FieldValueRequired", "Required value");
			dbuf_free(&f);
		}
	}
	json_object_foreach((json_t *)v, k, x)
	{
		const json_t *ps = json_object_get(props, k);
		if (!ps && json_is_object(addl))
			ps = addl;
		if (ps)
			child(x, ps, c, depth, ".", k, 0);
	}
}

static void validate(const json_t *v, const json_t *s, struct vctx *c, int depth)
{
	if (!s || depth > CRD_MAX_DEPTH)
		return;
	if (!type_ok(s, v)) {
		const char *t = type_of(v);
		err_add(c->errs, vpath(c), "FieldValueTypeInvalid",
			"Invalid value: \"%s\": %s in body must be of type %s: \"%s\"", t, vpath(c),
			str(s, "type"), t);
		return;
	}
	check_enum(v, s, c);
	if (json_is_string(v))
		check_string(v, s, c);
	else if (json_is_number(v))
		check_number(v, s, c);
	else if (json_is_object(v))
		validate_obj(v, s, c, depth);
	else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_t *mx = json_object_get(s, "maxItems"), *mn = json_object_get(s, "minItems");
		if (json_is_integer(mx) && (json_int_t)json_array_size(v) > json_integer_value(mx))
			err_add(c->errs, vpath(c), "FieldValueTooMany",
				"Too many: %zu: must have at most %lld items", json_array_size(v),
				(long long)json_integer_value(mx));
		if (json_is_integer(mn) && (json_int_t)json_array_size(v) < json_integer_value(mn))
			err_add(c->errs, vpath(c), "FieldValueInvalid",
				"Invalid value: \"array\": %s in body should have at least %lld "
				"items",
				vpath(c), (long long)json_integer_value(mn));
		json_array_foreach(v, i, x)
			child(x, json_object_get(s, "items"), c, depth, "[", NULL, i);
	}
}

void crd_validate_object(const json_t *obj, const json_t *schema, json_t *errs)
{
	struct vctx c = {.errs = errs, .b = DBUF_INIT(0)};
	const json_t *props = json_object_get(schema, "properties");
	const char *k;
	json_t *x;
	/* the root's apiVersion, kind and metadata are the API server's own */
	json_object_foreach((json_t *)obj, k, x)
	{
		const json_t *ps = json_object_get(props, k);
		if (ps && strcmp(k, "metadata") && strcmp(k, "apiVersion") && strcmp(k, "kind"))
			child(x, ps, &c, 0, ".", k, 0);
	}
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(schema, "required"), i, r)
	{
		const char *name = json_string_value(r);
		if (name && !json_object_get(obj, name))
			err_add(errs, name, "FieldValueRequired", "Required value");
	}
	if (c.b.oom) /* never accepted unchecked */
		err_add(errs, "", "InternalError", "out of memory");
	dbuf_free(&c.b);
}

/* --- printer columns --- */

json_t *crd_columns(const json_t *version)
{
	json_t *cols =
		json_pack("[{s:s, s:s, s:s, s:s, s:i, s:s}]", "name", "Name", "type", "string",
			  "format", "name", "description",
			  "Name must be unique within a namespace. Is required when creating "
			  "resources, although some resources may allow a client to request the "
			  "generation of an appropriate name automatically. Name is primarily "
			  "intended for creation idempotence and configuration definition. Cannot "
			  "be updated. More info: "
			  "https://kubernetes.io/docs/concepts/overview/working-with-objects/"
			  "names#names",
			  "priority", 0, "jsonPath", ".metadata.name");
	const json_t *add = json_object_get(version, "additionalPrinterColumns");
	size_t i;
	json_t *c;
	if (!cols)
		return NULL;
	if (!json_array_size(add)) {
		json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "name",
						      "Age", "type", "date", "format", "",
						      "description", "", "priority", 0, "jsonPath",
						      ".metadata.creationTimestamp"));
		return cols;
	}
	json_array_foreach(add, i, c)
	{
		json_array_append_new(
			cols,
			json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "name", str(c, "name"), "type",
				  str(c, "type"), "format", str(c, "format"), "description",
				  str(c, "description"), "priority",
				  (json_int_t)json_integer_value(json_object_get(c, "priority")),
				  "jsonPath", str(c, "jsonPath")));
	}
	return cols;
}

/* One step of a column's path: ".name", "[N]" or "[?(@.key==\"value\")]". */
static const json_t *step(const json_t *v, const char **p)
{
	const char *s = *p;
	if (*s == '.') {
		size_t n = strcspn(++s, ".[");
		char k[256];
		if (n >= sizeof(k))
			return NULL;
		memcpy(k, s, n);
		k[n] = '\0';
		*p = s + n;
		return json_object_get(v, k);
	}
	if (*s != '[')
		return NULL;
	const char *end = strchr(s, ']');
	if (!end)
		return NULL;
	*p = end + 1;
	if (isdigit((unsigned char)s[1]))
		return json_array_get(v, strtoul(s + 1, NULL, 10));
	char key[128], val[256];
	if (sscanf(s, "[?(@.%127[^=]==\"%255[^\"]\")]", key, val) != 2 &&
	    sscanf(s, "[?(@.%127[^=]=='%255[^']')]", key, val) != 2)
		return NULL;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) if (strcmp(str(x, key), val) == 0) return x;
	return NULL;
}

const json_t *crd_cell(const json_t *obj, const char *path)
{
	const json_t *v = obj;
	const char *p = path;
	if (*p == '{') /* kubectl's {.spec.x} form */
		p++;
	for (int n = 0; v && *p && *p != '}' && n < CRD_MAX_DEPTH; n++)
		v = step(v, &p);
	return v;
}

/* --- merge types for server-side apply --- */

static char *field_of(const json_t *s, const char *prefix, const char *at, json_t *types,
		      int depth);

/* A struct type named prefix+at for an object schema with properties: every declared
 * field ("" for scalars), "$atomic" for x-kubernetes-map-type atomic, "$open" when
 * unknown fields are preserved (they are then untyped), and the object fields of the
 * root and of embedded resources. */
static char *struct_type(const json_t *s, const char *prefix, const char *at, json_t *types,
			 int depth)
{
	char name[1024];
	json_t *fields = json_object();
	const char *k;
	json_t *ps;
	if (!fields || sfmt(name, sizeof(name), "%s%s", prefix, at)) {
		json_decref(fields);
		return NULL;
	}
	if (!*at || embedded(s)) {
		json_object_set_new(fields, "apiVersion", json_string(""));
		json_object_set_new(fields, "kind", json_string(""));
		json_object_set_new(fields, "metadata", json_string("meta/v1.ObjectMeta"));
	}
	json_object_foreach((json_t *)json_object_get(s, "properties"), k, ps)
	{
		char sub[1024];
		if (sfmt(sub, sizeof(sub), "%s.%s", at, k))
			continue;
		char *f = field_of(ps, prefix, sub, types, depth + 1);
		if (f)
			json_object_set_new(fields, k, json_string(f));
		free(f);
	}
	if (!strcmp(str(s, "x-kubernetes-map-type"), "atomic"))
		json_object_set_new(fields, "$atomic", json_integer(1));
	if (preserves(s))
		json_object_set_new(fields, "$open", json_integer(1));
	json_object_set_new(types, name, fields);
	return strdup(name);
}

/* The FIELD text of a schema node ("" for scalars, "?" for untyped values). */
static char *field_of(const json_t *s, const char *prefix, const char *at, json_t *types, int depth)
{
	const char *t = str(s, "type");
	if (depth > CRD_MAX_DEPTH)
		return strdup("?");
	if (!strcmp(t, "array")) {
		struct dbuf b = DBUF_INIT(4096);
		const char *lt = str(s, "x-kubernetes-list-type");
		const json_t *items = json_object_get(s, "items");
		char sub[1024];
		dbuf_str(&b, "[");
		if (!strcmp(lt, "set")) {
			dbuf_str(&b, "s");
		} else if (!strcmp(lt, "map")) {
			size_t i;
			json_t *k;
			dbuf_str(&b, "m:");
			json_array_foreach(json_object_get(s, "x-kubernetes-list-map-keys"), i, k)
			{
				const json_t *def = json_object_get(
					json_object_get(json_object_get(items, "properties"),
							json_string_value(k)),
					"default");
				char *d = def ? json_dumps(def, JSON_COMPACT | JSON_ENCODE_ANY)
					      : NULL;
				dbuf_printf(&b, "%s%s%s%s", i ? "," : "", json_string_value(k),
					    d ? "=" : "", d ? d : "");
				free(d);
			}
		}
		dbuf_str(&b, "|");
		char *e = sfmt(sub, sizeof(sub), "%s[]", at)
				  ? NULL
				  : field_of(items, prefix, sub, types, depth + 1);
		dbuf_str(&b, e ? e : "?");
		free(e);
		return dbuf_take(&b);
	}
	if (!strcmp(t, "object") || (!*t && (json_object_get(s, "properties") || preserves(s)))) {
		const json_t *addl = json_object_get(s, "additionalProperties");
		if (json_object_get(s, "properties"))
			return struct_type(s, prefix, at, types, depth);
		if (json_is_object(addl)) {
			char sub[1024], *e, *out = NULL;
			if (sfmt(sub, sizeof(sub), "%s{}", at))
				return NULL;
			e = field_of(addl, prefix, sub, types, depth + 1);
			size_t n = (e ? strlen(e) : 1) + 4;
			out = malloc(n);
			if (out)
				snprintf(out, n, "{%s|%s",
					 strcmp(str(s, "x-kubernetes-map-type"), "atomic") ? ""
											   : "a",
					 e ? e : "?");
			free(e);
			return out;
		}
		return strdup("?");
	}
	return strdup("");
}

json_t *crd_apply_types(const json_t *schema, const char *prefix)
{
	json_t *types = json_object();
	char *root = types ? struct_type(schema, prefix, "", types, 0) : NULL;
	json_t *out = root ? json_pack("{s:o, s:s}", "types", types, "root", root) : NULL;
	if (!out)
		json_decref(types);
	free(root);
	return out;
}
