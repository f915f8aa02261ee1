/*
 * fuzz_patch.c - libFuzzer target for kube/patch.h, the three PATCH formats, with the
 * limits of issue 9 as assertions. The input is one letter choosing the format ('m'
 * merge, 'j' JSON patch, 's' strategic for a Pod, 'g' strategic for a kind without a
 * schema; other bytes pick one by value), then the document and the patch as JSON text
 * separated by a line "%%".
 * Asserted: nesting is counted the same on text and on parsed values; a patch deeper
 * than PATCH_MAX_DEPTH is refused with -ELOOP; a JSON patch's result is never nested
 * deeper than PATCH_MAX_DEPTH; no result holds more values than the document and the
 * patch brought in, plus what PATCH_MAX_COPY_BYTES of copies may add (every copied value
 * counts at least one byte); results of merges of documents within the limit stay
 * within it; errors leave no result and a message for JSON and strategic patches.
 *   make build/fuzz/fuzz_patch && build/fuzz/fuzz_patch fuzz/corpus/patch
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/patch.h"

/* Values in v (v itself included); v is parsed (jansson stops at 2048 levels) or a result
 * within PATCH_MAX_DEPTH, so the recursion is bounded. */
static size_t count(const json_t *v)
{
	size_t n = 1, i;
	const char *k;
	json_t *x;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			n += count(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			n += count(x);
		}
	}
	return n;
}

static json_t *load(const char *text, size_t len)
{
	char open;
	json_t *j = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	/* a parsed value is never deeper than its text (duplicate keys may drop a deep one) */
	if (j && patch_depth(j, &open) && !patch_text_depth(text, len, NULL))
		abort();
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	json_t *out = NULL;
	int rc;
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1, *sep = NULL;
	size_t len = size - 1;
	for (size_t i = 0; i + 4 <= len; i++)
		if (memcmp(text + i, "\n%%\n", 4) == 0) {
			sep = text + i;
			break;
		}
	if (!sep)
		return 0;
	size_t doc_len = (size_t)(sep - text), patch_len = len - doc_len - 4;
	json_t *doc = load(text, doc_len), *patch = load(sep + 4, patch_len);
	if (!doc || !patch)
		goto out;
	int patch_deep = patch_depth(patch, NULL) != 0, doc_deep = patch_depth(doc, NULL) != 0;
	size_t in = count(doc) + count(patch);
	char mode = (char)data[0];
	if (mode != 'm' && mode != 'j' && mode != 's' && mode != 'g')
		mode = "mjsg"[data[0] % 4];
	err[0] = '\0';
	switch (mode) {
	case 'm':
		rc = patch_merge(doc, patch, &out);
		break;
	case 'j':
		rc = patch_json(doc, patch, &out, err, sizeof(err));
		break;
	default:
		rc = patch_strategic(doc, patch, "", mode == 's' ? "Pod" : "ConfigMap", &out, err,
				     sizeof(err));
		break;
	}
	if (patch_deep && rc != -ELOOP)
		abort();
	if (rc) {
		if (out || (mode != 'm' && !err[0]))
			abort();
		goto out;
	}
	if (!out)
		abort();
	if (mode == 'j') {
		if (patch_depth(out, NULL))
			abort();
		if (count(out) > in + PATCH_MAX_COPY_BYTES)
			abort();
	} else if (!doc_deep) {
		/* merges follow the patch: within the limit when both inputs are */
		if (patch_depth(out, NULL))
			abort();
		if (count(out) > in + 1)
			abort();
	}
out:
	json_decref(out);
	json_decref(doc);
	json_decref(patch);
	return 0;
}
