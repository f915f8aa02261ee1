/*
 * test_yaml.c - YAML to JSON conversion: scalars by the core schema, nesting, and
 * refusals (aliases, bad syntax, deep nesting).
 */
#include <stdlib.h>

#include "core/yaml.h"
#include "t.h"

static json_t *conv(const char *y)
{
	json_t *j = NULL;
	char err[256];
	if (yaml_to_json(y, strlen(y), &j, err, sizeof(err)) != 0)
		return NULL;
	return j;
}

static void test_scalars(void)
{
	json_t *j = conv("a: 1\nb: \"1\"\nc: true\nd: null\ne: 1.5\nf: hello\ng: 0123\nh: ~\n");
	CHECK(j != NULL);
	CHECK(json_is_integer(json_object_get(j, "a")));
	CHECK_STR(json_string_value(json_object_get(j, "b")), "1");
	CHECK(json_is_true(json_object_get(j, "c")));
	CHECK(json_is_null(json_object_get(j, "d")));
	CHECK(json_is_real(json_object_get(j, "e")));
	CHECK_STR(json_string_value(json_object_get(j, "f")), "hello");
	CHECK_STR(json_string_value(json_object_get(j, "g")), "0123");
	CHECK(json_is_null(json_object_get(j, "h")));
	json_decref(j);
}

static void test_nesting(void)
{
	json_t *j = conv("projects:\n  - projectId: p\n    services: [a, b]\n    policy: {x: [1, {y: z}]}\n");
	CHECK(j != NULL);
	json_t *p = json_array_get(json_object_get(j, "projects"), 0);
	CHECK_STR(json_string_value(json_object_get(p, "projectId")), "p");
	CHECK_EQ_INT(json_array_size(json_object_get(p, "services")), 2);
	json_t *x = json_object_get(json_object_get(p, "policy"), "x");
	CHECK_STR(json_string_value(json_object_get(json_array_get(x, 1), "y")), "z");
	json_decref(j);
	j = conv("");
	CHECK(j && json_is_null(j));
	json_decref(j);
	j = conv("- 1\n- 2\n");
	CHECK(j && json_array_size(j) == 2);
	json_decref(j);
}

static void test_refusals(void)
{
	json_t *j = NULL;
	char err[256] = "";
	const char *alias = "a: &x 1\nb: *x\n";
	CHECK(yaml_to_json(alias, strlen(alias), &j, err, sizeof(err)) != 0);
	CHECK(strstr(err, "not supported") != NULL);
	CHECK(j == NULL);
	CHECK(yaml_to_json("a: [1, 2\n", 9, &j, err, sizeof(err)) != 0);
	CHECK(strstr(err, "line") != NULL);
	CHECK(yaml_to_json("? [a]\n: b\n", 10, &j, err, sizeof(err)) != 0);
	/* 100 levels of nesting is refused, not a stack overflow. */
	char deep[512] = "";
	for (int i = 0; i < 100; i++)
		strcat(deep, "[");
	CHECK(yaml_to_json(deep, strlen(deep), &j, err, sizeof(err)) != 0);
}

int main(void)
{
	RUN(test_scalars);
	RUN(test_nesting);
	RUN(test_refusals);
	return t_done();
}
