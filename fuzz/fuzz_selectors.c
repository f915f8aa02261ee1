/*
 * fuzz_selectors.c - libFuzzer target for kube/selectors.h: label and field selector
 * parsing (selector text comes straight from ?labelSelector= and ?fieldSelector=),
 * matching against objects, and the formatting of a label selector object (a
 * NetworkPolicy's podSelector, stored JSON). The input is: one byte choosing the kind
 * for field selectors, the selector text up to the first newline, then a JSON object
 * used as labels, as the object to match and as a LabelSelector. Error messages and
 * formatted text must be NUL-terminated within their buffers; nothing may crash or leak.
 *   make build/fuzz/fuzz_selectors && build/fuzz/fuzz_selectors fuzz/corpus/selectors
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/selectors.h"

static const char *const kinds[][2] = {
	{"", "Pod"},
	{"", "Event"},
	{"events.k8s.io", "Event"},
	{"", "Secret"},
	{"", "Namespace"},
	{"", "Node"},
	{"", "ConfigMap"},
	{NULL, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], out[512], val[256];
	struct selector *sel = NULL;
	if (size < 1)
		return 0;
	const char *const *kind = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	char *json = strchr(buf, '\n');
	if (json)
		*json++ = '\0';
	json_t *obj = json ? json_loads(json, 0, NULL) : NULL;

	memset(err, 'x', sizeof(err));
	if (selector_parse_labels(buf, &sel, err, sizeof(err)) == 0) {
		if (!sel)
			abort();
		(void)selector_empty(sel);
		(void)selector_match_labels(sel, obj);
		(void)selector_match_labels(sel, json_object_get(obj, "labels"));
		selector_free(sel);
	} else if (!memchr(err, '\0', sizeof(err))) {
		abort();
	}
	sel = NULL;
	memset(err, 'x', sizeof(err));
	if (selector_parse_fields(buf, kind[0], kind[1], &sel, err, sizeof(err)) == 0) {
		if (!sel)
			abort();
		(void)selector_match_fields(sel, obj);
		selector_free(sel);
	} else if (!memchr(err, '\0', sizeof(err))) {
		abort();
	}
	memset(out, 'x', sizeof(out));
	selector_format_label_selector(obj, out, sizeof(out));
	if (!memchr(out, '\0', sizeof(out)))
		abort();
	memset(out, 'x', sizeof(out));
	selector_format_label_selector(obj, out, 8); /* truncation stays terminated */
	if (!memchr(out, '\0', 8))
		abort();
	const char *v = selector_field_value(obj, buf, val, sizeof(val));
	if (!v || (v >= val && v < val + sizeof(val) && !memchr(val, '\0', sizeof(val))))
		abort();
	json_decref(obj);
	free(buf);
	return 0;
}
