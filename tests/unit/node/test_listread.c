/*
 * test_listread.c - node/listread.c: a Kubernetes list answer read one item at a time
 * (the node's pod re-list). Each item reaches the callback alone, in order, after the
 * whole answer was checked; the list's metadata is kept wherever it stands; the answers
 * a parse of the whole would refuse (not JSON, trailing bytes or commas, items that are
 * not an array of objects, no items) are refused before any item is given, and every
 * way of spelling the same list (white space, escapes, numbers, members in any order,
 * a repeated member) reads as a parse of the whole would.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "t.h"

struct seen {
	char names[8][32];
	int n, stop_at;
};

static int note(void *arg, json_t *item)
{
	struct seen *s = arg;
	const char *name = json_string_value(json_object_get(json_object_get(item, "metadata"),
							     "name"));
	if (s->n < 8)
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name ? name : "?");
	s->n++;
	return s->stop_at && s->n == s->stop_at ? 7 : 0;
}

/* Reads body; 0 with the items' names joined by "," in out and the metadata's
 * resourceVersion in rv, or md_list_check's error. */
static int read_list(const char *body, char *out, size_t outlen, char *rv, size_t rvlen)
{
	json_t *meta = (json_t *)1; /* must be set either way */
	size_t at = 0;
	struct seen s = {.n = 0};
	int rc = md_list_check(body, strlen(body), &meta, &at);
	out[0] = rv[0] = '\0';
	if (rc) {
		CHECK(meta == NULL);
		return rc;
	}
	snprintf(rv, rvlen, "%s",
		 json_string_value(json_object_get(meta, "resourceVersion")) ?: "");
	json_decref(meta);
	rc = md_list_items(body, strlen(body), at, note, &s);
	for (int i = 0; i < s.n && i < 8; i++) {
		strncat(out, i ? "," : "", outlen - strlen(out) - 1);
		strncat(out, s.names[i], outlen - strlen(out) - 1);
	}
	return rc;
}

#define POD(n) "{\"metadata\":{\"name\":\"" n "\"},\"spec\":{\"nodeName\":\"x\"}}"

static void test_items_in_order(void)
{
	char out[256], rv[64];
	CHECK_EQ_INT(read_list("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":"
			       "{\"resourceVersion\":\"42\"},\"items\":[" POD("a") "," POD("b")
			       "," POD("c") "]}",
			       out, sizeof(out), rv, sizeof(rv)),
		     0);
	CHECK_STR(out, "a,b,c");
	CHECK_STR(rv, "42");
	/* empty, metadata after the items, white space everywhere, numbers and literals */
	CHECK_EQ_INT(read_list(" \n{ \"items\" : [ ] , \"n\" : 5 , \"t\":true,\"f\":-1.5e3,"
			       "\"z\":null , \"metadata\" : {\"resourceVersion\":\"7\"} }\r\n",
			       out, sizeof(out), rv, sizeof(rv)),
		     0);
	CHECK_STR(out, "");
	CHECK_STR(rv, "7");
	CHECK_EQ_INT(read_list("{\"items\":[" POD("a") "],\"metadata\":{\"resourceVersion\":"
			       "\"9\",\"continue\":\"c1\"},\"x\":[1,{\"y\":[]}]}",
			       out, sizeof(out), rv, sizeof(rv)),
		     0);
	CHECK_STR(out, "a");
	CHECK_STR(rv, "9");
	/* an escaped key is the same key; a repeated member: the last wins, as in jansson */
	CHECK_EQ_INT(read_list("{\"\\u0069tems\":[" POD("e") "]}", out, sizeof(out), rv,
			       sizeof(rv)),
		     0);
	CHECK_STR(out, "e");
	CHECK_EQ_INT(read_list("{\"items\":[" POD("old") "],\"metadata\":{\"resourceVersion\":"
			       "\"1\"},\"items\":[" POD("new1") "," POD("new2") "],\"metadata\":"
			       "{\"resourceVersion\":\"2\"}}",
			       out, sizeof(out), rv, sizeof(rv)),
		     0);
	CHECK_STR(out, "new1,new2");
	CHECK_STR(rv, "2");
	/* no metadata at all is a list still */
	CHECK_EQ_INT(read_list("{\"items\":[" POD("a") "]}", out, sizeof(out), rv, sizeof(rv)),
		     0);
	CHECK_STR(rv, "");
}

static void test_refused(void)
{
	static const char *bad[] = {
		"",
		"   ",
		"[]",
		"null",
		"{}",
		"{\"metadata\":{}}",
		"{\"items\":null}",
		"{\"items\":{}}",
		"{\"items\":[1]}",
		"{\"items\":[" POD("a") ",\"b\"]}",
		"{\"items\":[" POD("a") ",]}",
		"{\"items\":[" POD("a") " " POD("b") "]}",
		"{\"items\":[" POD("a") "]",
		"{\"items\":[" POD("a"),
		"{\"items\":[{\"metadata\":{\"name\":\"a\"}]}",
		"{\"items\":[],}",
		"{\"items\":[] \"x\":1}",
		"{\"items\":[]}x",
		"{\"items\":[]}{}",
		"{\"items\":[],\"x\":tru}",
		"{\"items\":[],\"x\":01}",
		"{\"items\":[],\"x\":\"\\q\"}",
		"{items:[]}",
		"{\"items\"[]}",
		"{1:[]}",
		"{\"items\":[],\"metadata\":{\"a\":}}",
	};
	char out[256], rv[64];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = read_list(bad[i], out, sizeof(out), rv, sizeof(rv));
		if (rc != -EINVAL)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK_EQ_INT(rc, -EINVAL);
		CHECK_STR(out, "");
	}
	/* a NUL inside is not JSON; a body is read by its length, not up to a NUL */
	json_t *meta = NULL;
	size_t at = 0;
	CHECK_EQ_INT(md_list_check("{\"items\":[]}\0", 13, &meta, &at), -EINVAL);
	CHECK_EQ_INT(md_list_check("{\"items\":[]}\0", 12, &meta, &at), 0);
	json_decref(meta);
}

/* The callback's nonzero return stops the items there, and is returned. */
static void test_stop(void)
{
	const char *body = "{\"items\":[" POD("a") "," POD("b") "," POD("c") "]}";
	json_t *meta = NULL;
	size_t at = 0;
	struct seen s = {.n = 0, .stop_at = 2};
	CHECK_EQ_INT(md_list_check(body, strlen(body), &meta, &at), 0);
	CHECK(meta == NULL);
	CHECK_EQ_INT(md_list_items(body, strlen(body), at, note, &s), 7);
	CHECK_EQ_INT(s.n, 2);
	CHECK_EQ_INT(md_list_items(body, strlen(body), strlen(body), note, &s), -EINVAL);
}

int main(void)
{
	RUN(test_items_in_order);
	RUN(test_refused);
	RUN(test_stop);
	return t_done();
}
