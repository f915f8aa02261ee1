/*
 * selectors.c - label and field selectors (see selectors.h).
 *
 * Label selectors follow k8s.io/apimachinery/pkg/labels: comma-separated requirements
 * "k", "!k", "k=v", "k==v", "k!=v", "k in (a,b)", "k notin (a,b)", "k>1", "k<1", with
 * whitespace between tokens; keys are qualified names, values label values. Field
 * selectors follow pkg/fields: "k=v", "k==v", "k!=v" terms, backslash escapes in
 * values, and kube-apiserver's per-kind field label conversions decide which fields
 * exist (an unknown one is a 400 with upstream's message).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbuf.h"
#include "kube/selectors.h"
#include "kube/util.h"

#define MAX_REQS 64    /* requirements per selector */
#define MAX_VALUES 256 /* values in one "in (...)" */
#define MAX_TOKEN 512

enum op { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOTEXISTS, OP_GT, OP_LT };

struct req {
	char *key;
	enum op op;
	char **values;
	size_t n_values;
	long long num; /* for > and < */
};

struct selector {
	struct req reqs[MAX_REQS];
	size_t n;
};

static void req_clear(struct req *q)
{
	free(q->key);
	for (size_t i = 0; i < q->n_values; i++)
		free(q->values[i]);
	free(q->values);
	memset(q, 0, sizeof(*q));
}

void selector_free(struct selector *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++)
		req_clear(&sel->reqs[i]);
	free(sel);
}

int selector_empty(const struct selector *sel)
{
	return !sel || sel->n == 0;
}

/* --- validation of keys and values, as k8s.io/apimachinery/pkg/util/validation --- */

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A qualified name's name part or a label value: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? */
static int valid_name_part(const char *s, size_t len)
{
	if (len == 0 || len > 63)
		return 0;
	if (!is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static int valid_dns_subdomain(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && c != '-' && c != '.')
			return 0;
		if (c == '.' || c == '-') {
			/* each label starts and ends with an alphanumeric */
			if (i == 0 || i == len - 1)
				return 0;
			if (c == '.' && (s[i - 1] == '.' || s[i - 1] == '-' || s[i + 1] == '-' ||
					  s[i + 1] == '.'))
				return 0;
		}
	}
	return 1;
}

static int valid_key(const char *k, char *err, size_t err_len)
{
	const char *slash = strchr(k, '/');
	const char *name = k;
	if (slash) {
		if (strchr(slash + 1, '/') || !valid_dns_subdomain(k, (size_t)(slash - k)))
			goto bad;
		name = slash + 1;
	}
	if (!valid_name_part(name, strlen(name)))
		goto bad;
	return 1;
bad:
	snprintf(err, err_len,
		 "unable to parse requirement: key: Invalid value: \"%s\": name part must consist "
		 "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
		 "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
		 "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
		 k);
	return 0;
}

static int valid_value(const char *v, char *err, size_t err_len)
{
	size_t len = strlen(v);
	if (len == 0 || valid_name_part(v, len))
		return 1;
	snprintf(err, err_len,
		 "unable to parse requirement: values[0][%s]: Invalid value: \"%s\": a valid label "
		 "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
		 "and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
		 "'my_value',  or '12345', regex used for validation is "
		 "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
		 v, v);
	return 0;
}

/* --- the label selector lexer --- */

enum tok {
	T_END,
	T_IDENT,
	T_COMMA,
	T_NOT,
	T_EQ,
	T_DEQ,
	T_NE,
	T_GT,
	T_LT,
	T_OPEN,
	T_CLOSE,
	T_IN,
	T_NOTIN,
	T_ERROR
};

struct lexer {
	const char *p;
	char text[MAX_TOKEN];
};

static int special(char c)
{
	return c == '!' || c == '=' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}

static enum tok lex(struct lexer *lx)
{
	while (*lx->p && isspace((unsigned char)*lx->p))
		lx->p++;
	lx->text[0] = '\0';
	char c = *lx->p;
	if (!c)
		return T_END;
	if (special(c)) {
		lx->p++;
		switch (c) {
		case ',': return T_COMMA;
		case '(': return T_OPEN;
		case ')': return T_CLOSE;
		case '<': return T_LT;
		case '>': return T_GT;
		case '=':
			if (*lx->p == '=') {
				lx->p++;
				return T_DEQ;
			}
			return T_EQ;
		case '!':
			if (*lx->p == '=') {
				lx->p++;
				return T_NE;
			}
			return T_NOT;
		}
		return T_ERROR;
	}
	size_t n = 0;
	while (*lx->p && !isspace((unsigned char)*lx->p) && !special(*lx->p)) {
		if (n + 1 >= sizeof(lx->text))
			return T_ERROR;
		lx->text[n++] = *lx->p++;
	}
	lx->text[n] = '\0';
	if (strcmp(lx->text, "in") == 0)
		return T_IN;
	if (strcmp(lx->text, "notin") == 0)
		return T_NOTIN;
	return T_IDENT;
}

static enum tok peek(struct lexer *lx)
{
	struct lexer save = *lx;
	enum tok t = lex(&save);
	return t;
}

static int add_value(struct req *q, const char *v)
{
	if (q->n_values >= MAX_VALUES)
		return -E2BIG;
	char **nv = realloc(q->values, (q->n_values + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	q->values = nv;
	q->values[q->n_values] = strdup(v);
	if (!q->values[q->n_values])
		return -ENOMEM;
	q->n_values++;
	return 0;
}

static int parse_int(const char *s, long long *out)
{
	char *end;
	if (!*s)
		return -EINVAL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The values of "k in (a, b)" and "k notin (...)"; the lexer is after the operator. */
static int parse_set(struct lexer *lx, struct req *q, char *err, size_t err_len)
{
	enum tok t;
	int rc;
	if (lex(lx) != T_OPEN) {
		snprintf(err, err_len, "found '%s', expected: '('", lx->text);
		return -EINVAL;
	}
	for (;;) {
		t = lex(lx);
		if (t == T_CLOSE && q->n_values == 0) {
			/* "k in ()" holds the empty value */
			rc = add_value(q, "");
			return rc;
		}
		char v[MAX_TOKEN];
		v[0] = '\0';
		if (t == T_IDENT || t == T_IN || t == T_NOTIN) {
			memcpy(v, lx->text, sizeof(v));
			t = lex(lx);
		}
		if (!valid_value(v, err, err_len))
			return -EINVAL;
		rc = add_value(q, v);
		if (rc == -E2BIG) {
			snprintf(err, err_len, "too many values in a set");
			return -EINVAL;
		}
		if (rc)
			return rc;
		if (t == T_CLOSE)
			return 0;
		if (t != T_COMMA) {
			snprintf(err, err_len, "found '%s', expected: ',', ')' or identifier",
				 lx->text);
			return -EINVAL;
		}
	}
}

/* The value of "k=v", "k==v", "k!=v", "k gt N", "k lt N"; the lexer is after the operator. */
static int parse_single(struct lexer *lx, struct req *q, char *err, size_t err_len)
{
	/* a single value; may be empty ("k=") */
	const char *v = "";
	enum tok n = peek(lx);
	if (n == T_IDENT || n == T_IN || n == T_NOTIN) {
		lex(lx);
		v = lx->text;
	} else if (n != T_COMMA && n != T_END) {
		lex(lx);
		snprintf(err, err_len, "found '%s', expected: identifier", lx->text);
		return -EINVAL;
	}
	if (q->op == OP_GT || q->op == OP_LT) {
		if (parse_int(v, &q->num) != 0) {
			snprintf(err, err_len,
				 "unable to parse requirement: for 'Gt', 'Lt' operators, the value "
				 "must be an integer");
			return -EINVAL;
		}
	} else if (!valid_value(v, err, err_len)) {
		return -EINVAL;
	}
	return add_value(q, v);
}

/* One requirement; the lexer is before its first token. */
static int parse_req(struct lexer *lx, struct req *q, char *err, size_t err_len)
{
	enum tok t = lex(lx);
	int negate = 0;
	if (t == T_NOT) {
		negate = 1;
		t = lex(lx);
	}
	if (t != T_IDENT) {
		snprintf(err, err_len, "found '%s', expected: !, identifier, or 'end of string'",
			 t == T_END ? "" : lx->text[0] ? lx->text : "operator");
		return -EINVAL;
	}
	if (!valid_key(lx->text, err, err_len))
		return -EINVAL;
	q->key = strdup(lx->text);
	if (!q->key)
		return -ENOMEM;
	enum tok n = peek(lx);
	if (negate || n == T_COMMA || n == T_END) {
		if (negate && n != T_COMMA && n != T_END) {
			snprintf(err, err_len, "found '%s', expected: ',' or 'end of string'",
				 lx->text);
			return -EINVAL;
		}
		q->op = negate ? OP_NOTEXISTS : OP_EXISTS;
		return 0;
	}
	t = lex(lx);
	switch (t) {
	case T_EQ:
	case T_DEQ: q->op = OP_EQ; break;
	case T_NE: q->op = OP_NE; break;
	case T_GT: q->op = OP_GT; break;
	case T_LT: q->op = OP_LT; break;
	case T_IN: q->op = OP_IN; break;
	case T_NOTIN: q->op = OP_NOTIN; break;
	default:
		snprintf(err, err_len,
			 "found '%s', expected: in, notin, =, ==, !=, gt, lt",
			 lx->text[0] ? lx->text : "operator");
		return -EINVAL;
	}
	if (q->op == OP_IN || q->op == OP_NOTIN)
		return parse_set(lx, q, err, err_len);
	return parse_single(lx, q, err, err_len);
}

int selector_parse_labels(const char *s, struct selector **out, char *err, size_t err_len)
{
	struct selector *sel = calloc(1, sizeof(*sel));
	struct lexer lx;
	int rc = 0;
	*out = NULL;
	if (err_len)
		err[0] = '\0';
	if (!sel)
		return -ENOMEM;
	if (!s)
		goto done;
	lx.p = s;
	if (peek(&lx) == T_END)
		goto done;
	for (;;) {
		if (sel->n >= MAX_REQS) {
			snprintf(err, err_len, "too many requirements in the selector");
			rc = -EINVAL;
			goto out;
		}
		rc = parse_req(&lx, &sel->reqs[sel->n], err, err_len);
		sel->n++;
		if (rc)
			goto out;
		enum tok t = lex(&lx);
		if (t == T_END)
			break;
		if (t != T_COMMA) {
			snprintf(err, err_len, "found '%s', expected: ',' or 'end of string'",
				 lx.text[0] ? lx.text : "operator");
			rc = -EINVAL;
			goto out;
		}
	}
done:
	*out = sel;
	sel = NULL;
out:
	if (rc == -ENOMEM && err_len)
		snprintf(err, err_len, "out of memory");
	selector_free(sel);
	return rc;
}

static int has_value(const struct req *q, const char *v)
{
	for (size_t i = 0; i < q->n_values; i++)
		if (strcmp(q->values[i], v) == 0)
			return 1;
	return 0;
}

/* One requirement against a value (NULL = absent). */
static int req_match(const struct req *q, const char *v)
{
	long long n;
	switch (q->op) {
	case OP_EQ:
	case OP_IN: return v && has_value(q, v);
	case OP_NE:
	case OP_NOTIN: return !v || !has_value(q, v);
	case OP_EXISTS: return v != NULL;
	case OP_NOTEXISTS: return v == NULL;
	case OP_GT: return v && parse_int(v, &n) == 0 && n > q->num;
	case OP_LT: return v && parse_int(v, &n) == 0 && n < q->num;
	}
	return 0;
}

int selector_match_labels(const struct selector *sel, const json_t *labels)
{
	if (!sel)
		return 1;
	for (size_t i = 0; i < sel->n; i++) {
		const json_t *v = json_is_object(labels) ? json_object_get(labels, sel->reqs[i].key)
							 : NULL;
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		if (!req_match(&sel->reqs[i], s))
			return 0;
	}
	return 1;
}

/* --- field selectors --- */

/* The fields each kind supports beyond metadata.name and metadata.namespace, from
 * pkg/apis/core/v1/conversion.go (and the other groups' field label conversions).
 * A kind listed here answers unknown fields with "field label not supported: F";
 * other kinds with DefaultMetaV1FieldSelectorConversion's message. */
struct kind_fields {
	const char *group, *kind;
	const char *fields[16];
};

static const struct kind_fields kind_fields[] = {
	{"", "Pod",
	 {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
	  "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
	  "status.nominatedNodeName", "spec.host", NULL}},
	{"", "Event",
	 {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
	  "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
	  "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type", NULL}},
	{"events.k8s.io", "Event",
	 {"regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
	  "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath", "reason",
	  "reportingController", "type", "involvedObject.kind", "involvedObject.namespace",
	  "involvedObject.name", "involvedObject.uid", NULL}},
	{"", "Secret", {"type", NULL}},
	{"", "Namespace", {"status.phase", NULL}},
	{"", "Node", {"spec.unschedulable", NULL}},
};

static const struct kind_fields *find_kind(const char *group, const char *kind)
{
	if (!kind)
		return NULL;
	for (size_t i = 0; i < sizeof(kind_fields) / sizeof(kind_fields[0]); i++)
		if (strcmp(kind_fields[i].kind, kind) == 0 &&
		    strcmp(kind_fields[i].group, group ? group : "") == 0)
			return &kind_fields[i];
	return NULL;
}

/* 0 when field is supported for the kind, else -EINVAL with upstream's message. */
static int field_supported(const char *group, const char *kind, const char *field, char *err,
			   size_t err_len)
{
	if (!kind || strcmp(field, "metadata.name") == 0 ||
	    strcmp(field, "metadata.namespace") == 0)
		return 0;
	const struct kind_fields *kf = find_kind(group, kind);
	if (!kf) {
		snprintf(err, err_len,
			 "\"%s\" is not a known field selector: only \"metadata.name\", "
			 "\"metadata.namespace\"",
			 field);
		return -EINVAL;
	}
	for (size_t i = 0; kf->fields[i]; i++)
		if (strcmp(kf->fields[i], field) == 0)
			return 0;
	snprintf(err, err_len, "field label not supported: %s", field);
	return -EINVAL;
}

/* Splits fields term text at its operator; unescapes the value. */
static int parse_term(const char *t, size_t len, struct req *q, char *err, size_t err_len)
{
	const char *ops[] = {"!=", "==", "="};
	const enum op kinds[] = {OP_NE, OP_EQ, OP_EQ};
	for (size_t i = 0; i < len; i++) {
		if (t[i] == '\\') {
			i++;
			continue;
		}
		for (size_t k = 0; k < 3; k++) {
			size_t ol = strlen(ops[k]);
			if (i + ol <= len && strncmp(t + i, ops[k], ol) == 0) {
				q->op = kinds[k];
				q->key = strndup(t, i);
				if (!q->key)
					return -ENOMEM;
				const char *v = t + i + ol;
				size_t vl = len - i - ol;
				char *val = malloc(vl + 1), *w = val;
				if (!val)
					return -ENOMEM;
				for (size_t j = 0; j < vl; j++) {
					if (v[j] == '\\' && j + 1 < vl)
						j++;
					*w++ = v[j];
				}
				*w = '\0';
				q->values = malloc(sizeof(char *));
				if (!q->values) {
					free(val);
					return -ENOMEM;
				}
				q->values[0] = val;
				q->n_values = 1;
				return 0;
			}
		}
	}
	snprintf(err, err_len, "invalid selector: '%.*s'; can't understand '%.*s'", (int)len, t,
		 (int)len, t);
	return -EINVAL;
}

int selector_parse_fields(const char *s, const char *group, const char *kind,
			  struct selector **out, char *err, size_t err_len)
{
	struct selector *sel = calloc(1, sizeof(*sel));
	int rc = 0;
	*out = NULL;
	if (err_len)
		err[0] = '\0';
	if (!sel)
		return -ENOMEM;
	const char *p = s ? s : "";
	while (*p) {
		/* a term ends at an unescaped comma */
		const char *e = p;
		while (*e && *e != ',') {
			if (*e == '\\' && e[1])
				e++;
			e++;
		}
		size_t len = (size_t)(e - p);
		if (len) {
			if (sel->n >= MAX_REQS) {
				snprintf(err, err_len, "too many requirements in the selector");
				rc = -EINVAL;
				goto out;
			}
			struct req *q = &sel->reqs[sel->n++];
			rc = parse_term(p, len, q, err, err_len);
			if (rc)
				goto out;
			if (strcmp(q->key, "spec.host") == 0 && kind && strcmp(kind, "Pod") == 0) {
				char *nk = strdup("spec.nodeName");
				if (!nk) {
					rc = -ENOMEM;
					goto out;
				}
				free(q->key);
				q->key = nk;
			}
			rc = field_supported(group, kind, q->key, err, err_len);
			if (rc)
				goto out;
		}
		p = *e ? e + 1 : e;
	}
	*out = sel;
	sel = NULL;
out:
	if (rc == -ENOMEM && err_len)
		snprintf(err, err_len, "out of memory");
	selector_free(sel);
	return rc;
}

int selector_fields_require(const char *s, const char *field, const char *value)
{
	struct selector *sel = NULL;
	char err[8];
	int found = 0;
	if (!s || !field || !value || selector_parse_fields(s, NULL, NULL, &sel, err, sizeof(err)))
		return 0;
	for (size_t i = 0; i < sel->n && !found; i++) {
		const struct req *q = &sel->reqs[i];
		found = q->op == OP_EQ && q->n_values == 1 && strcmp(q->key, field) == 0 &&
			strcmp(q->values[0], value) == 0;
	}
	selector_free(sel);
	return found;
}

static const char *scalar(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (len)
		buf[0] = '\0';
	return buf;
}

const char *selector_field_value(const json_t *obj, const char *field, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if (strcmp(field, "spec.hostNetwork") == 0 || strcmp(field, "spec.unschedulable") == 0) {
		const json_t *v = kube_json_path(obj, field);
		return json_is_true(v) ? "true" : "false";
	}
	if (strcmp(field, "status.podIPs") == 0) {
		/* the first IP of the list, as the pod's selectable fields hold it */
		const json_t *ips = kube_json_path(obj, "status.podIPs");
		const json_t *ip = json_is_array(ips) && json_array_size(ips)
					   ? json_object_get(json_array_get(ips, 0), "ip")
					   : kube_json_path(obj, "status.podIP");
		return scalar(ip, buf, len);
	}
	if (strcmp(field, "source") == 0)
		return scalar(kube_json_path(obj, "source.component"), buf, len);
	if (strcmp(field, "reportingComponent") == 0)
		return scalar(kube_json_path(obj, "reportingComponent"), buf, len);
	if (strncmp(field, "involvedObject.", 15) == 0 && !kube_json_path(obj, "involvedObject") &&
	    kube_json_path(obj, "regarding")) {
		/* events.k8s.io events hold the object in "regarding" */
		char p[128];
		/* (a path that does not fit names no field) */
		return scalar(SFMT(p, "regarding.%s", field + 15) == 0 ? kube_json_path(obj, p)
									: NULL,
			      buf, len);
	}
	return scalar(kube_json_path(obj, field), buf, len);
}

int selector_match_fields(const struct selector *sel, const json_t *obj)
{
	char buf[64];
	if (!sel)
		return 1;
	for (size_t i = 0; i < sel->n; i++) {
		const struct req *q = &sel->reqs[i];
		const char *v = selector_field_value(obj, q->key, buf, sizeof(buf));
		int eq = strcmp(v, q->values[0]) == 0;
		if (q->op == OP_NE ? eq : !eq)
			return 0;
	}
	return 1;
}

/* --- formatting a LabelSelector object --- */

struct fmt_req {
	const char *key;
	char text[1024];
};

static int cmp_fmt(const void *a, const void *b)
{
	return strcmp(((const struct fmt_req *)a)->key, ((const struct fmt_req *)b)->key);
}

void selector_format_label_selector(const json_t *sel, char *out, size_t len)
{
	struct fmt_req reqs[MAX_REQS];
	size_t n = 0, pos = 0;
	const char *key;
	const json_t *v;
	if (!len)
		return;
	out[0] = '\0';
	const json_t *ml = json_object_get(sel, "matchLabels");
	const json_t *me = json_object_get(sel, "matchExpressions");
	if (json_is_object(ml)) {
		json_object_foreach((json_t *)ml, key, v) {
			if (n >= MAX_REQS)
				break;
			reqs[n].key = key;
			snprintf(reqs[n].text, sizeof(reqs[n].text), "%s=%s", key,
				 json_is_string(v) ? json_string_value(v) : "");
			n++;
		}
	}
	size_t i;
	json_array_foreach(me, i, v) {
		const char *k = json_string_value(json_object_get(v, "key"));
		const char *op = json_string_value(json_object_get(v, "operator"));
		const json_t *vals = json_object_get(v, "values");
		if (!k || !op) {
			snprintf(out, len, "<error>");
			return;
		}
		if (n >= MAX_REQS)
			break;
		reqs[n].key = k;
		if (strcmp(op, "Exists") == 0) {
			snprintf(reqs[n].text, sizeof(reqs[n].text), "%s", k);
		} else if (strcmp(op, "DoesNotExist") == 0) {
			snprintf(reqs[n].text, sizeof(reqs[n].text), "!%s", k);
		} else if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
			const char *sv[MAX_VALUES];
			size_t nv = 0, j;
			const json_t *x;
			json_array_foreach(vals, j, x) {
				if (nv < MAX_VALUES && json_is_string(x))
					sv[nv++] = json_string_value(x);
			}
			qsort(sv, nv, sizeof(sv[0]), kube_cmp_str);
			size_t tp = 0;
			reqs[n].text[0] = '\0';
			kube_append(reqs[n].text, sizeof(reqs[n].text), &tp, k);
			kube_append(reqs[n].text, sizeof(reqs[n].text), &tp,
			       strcmp(op, "In") == 0 ? " in (" : " notin (");
			for (j = 0; j < nv; j++) {
				if (j)
					kube_append(reqs[n].text, sizeof(reqs[n].text), &tp, ",");
				kube_append(reqs[n].text, sizeof(reqs[n].text), &tp, sv[j]);
			}
			kube_append(reqs[n].text, sizeof(reqs[n].text), &tp, ")");
		} else {
			snprintf(out, len, "<error>");
			return;
		}
		n++;
	}
	if (n == 0) {
		snprintf(out, len, "<none>");
		return;
	}
	qsort(reqs, n, sizeof(reqs[0]), cmp_fmt);
	for (i = 0; i < n; i++) {
		if (i)
			kube_append(out, len, &pos, ",");
		kube_append(out, len, &pos, reqs[i].text);
	}
}
