/*
 * yaml.c - converts a YAML document to JSON with libyaml's event parser (see yaml.h).
 */
#include "core/yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64

static json_t *scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(v, len);
	if (len == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0)
		return json_null();
	if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0)
		return json_true();
	if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0)
		return json_false();
	char *end = NULL;
	/* "0123" stays a string: YAML 1.1 reads it as octal, 1.2 as decimal; IDs keep it. */
	const char *digits = v + (v[0] == '-' || v[0] == '+');
	if (digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9')
		return json_stringn(v, len);
	errno = 0;
	long long ll = strtoll(v, &end, 10);
	if (end && *end == '\0' && errno == 0)
		return json_integer(ll);
	double d = strtod(v, &end);
	if (end && *end == '\0' && errno == 0 && strspn(v, "+-.0123456789eE") == len)
		return json_real(d);
	return json_stringn(v, len);
}

/* Adds value to the container on top of the stack (key pending for mappings). */
static int add(json_t **stack, char **keys, int depth, json_t *value, json_t **root)
{
	if (!value)
		return -ENOMEM;
	if (depth == 0) {
		*root = value;
		return 0;
	}
	json_t *top = stack[depth - 1];
	if (json_is_object(top) && !keys[depth - 1]) {
		json_decref(value); /* a mapping or sequence used as a key */
		return -EINVAL;
	}
	if (json_is_array(top))
		return json_array_append_new(top, value) == 0 ? 0 : -ENOMEM;
	int rc = json_object_set_new(top, keys[depth - 1], value) == 0 ? 0 : -ENOMEM;
	free(keys[depth - 1]);
	keys[depth - 1] = NULL;
	return rc;
}

int yaml_to_json(const char *text, size_t len, json_t **out, char *err, size_t errlen)
{
	yaml_parser_t p;
	yaml_event_t ev;
	json_t *stack[MAX_DEPTH] = {0};
	char *keys[MAX_DEPTH] = {0};
	json_t *root = NULL;
	int depth = 0, rc = -EINVAL, done = 0;
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			snprintf(err, errlen, "line %zu column %zu: %s", p.problem_mark.line + 1,
				 p.problem_mark.column + 1, p.problem ? p.problem : "syntax error");
			goto out;
		}
		int r = 0;
		const char *bad = NULL;
		switch (ev.type) {
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_ALIAS_EVENT:
			bad = "aliases are not supported";
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.anchor) {
				bad = "anchors are not supported";
				break;
			}
			if (depth > 0 && json_is_object(stack[depth - 1]) && !keys[depth - 1]) {
				keys[depth - 1] = strndup((const char *)ev.data.scalar.value,
							  ev.data.scalar.length);
				r = keys[depth - 1] ? 0 : -ENOMEM;
			} else {
				r = add(stack, keys, depth, scalar(&ev), &root);
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			if (depth >= MAX_DEPTH) {
				bad = "nesting too deep";
				break;
			}
			json_t *c = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			if (!c) {
				r = -ENOMEM;
				break;
			}
			json_incref(c);
			r = add(stack, keys, depth, c, &root);
			if (r == 0)
				stack[depth++] = c;
			else
				json_decref(c);
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			json_decref(stack[--depth]);
			stack[depth] = NULL;
			break;
		default:
			break;
		}
		if (bad) {
			snprintf(err, errlen, "line %zu column %zu: %s", ev.start_mark.line + 1,
				 ev.start_mark.column + 1, bad);
			yaml_event_delete(&ev);
			goto out;
		}
		yaml_event_delete(&ev);
		if (r != 0) {
			rc = r;
			goto out;
		}
	}
	*out = root ? root : json_null();
	root = NULL;
	rc = 0;
out:
	for (int i = 0; i < depth; i++)
		json_decref(stack[i]);
	for (int i = 0; i < MAX_DEPTH; i++)
		free(keys[i]);
	json_decref(root);
	yaml_parser_delete(&p);
	return rc;
}
