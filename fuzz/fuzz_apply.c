/*
 * fuzz_apply.c - libFuzzer target for kube/apply.h, server-side apply's structured merge.
 * The input is one byte choosing the type (a Pod, a Service, a Deployment or an untyped,
 * deduced kind, by value), then the live object and the applied configuration as JSON
 * text separated by a line "%%".
 * Asserted: a merge that succeeds holds every field of the configuration (each path of
 * its field set is in the result's, or has members of the result's beneath it: an empty
 * map the configuration sets is filled by the live object); an object compared with itself has no changes; every
 * set's paths print; apply of the configuration by one manager and then again by the
 * same manager changes nothing the second time (idempotence); an update's managedFields
 * always decode again; errors leave no result.
 *   make build/fuzz/fuzz_apply && build/fuzz/fuzz_apply fuzz/corpus/apply
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/apply.h"

static int count_path(const char *path, void *arg)
{
	if (!path || (*path != '.' && *path != '['))
		abort();
	(*(size_t *)arg)++;
	return 0;
}

static int empty(const json_t *set)
{
	return json_is_object(set) && json_object_size(set) == 0;
}

/* A path of the configuration's set that the result's set (os) does not list: held when
 * some member of os lies beneath it. */
struct held {
	const json_t *os;
	int absent;
};

struct under {
	const char *prefix;
	size_t len;
	int found;
};

static int is_under(const char *path, void *arg)
{
	struct under *u = arg;
	if (strncmp(path, u->prefix, u->len) == 0 && (path[u->len] == '.' || path[u->len] == '['))
		u->found = 1;
	return u->found;
}

static int held_in_result(const char *path, void *arg)
{
	struct held *h = arg;
	struct under u = {path, strlen(path), 0};
	apply_set_paths(h->os, is_under, &u);
	if (!u.found)
		h->absent = 1;
	return 0;
}

static void check_merge(const json_t *live, const json_t *config, const struct apply_type *t)
{
	char err[512];
	json_t *out = NULL, *cs = NULL, *os = NULL, *a = NULL, *m = NULL, *r = NULL;
	int rc = apply_merge(live, config, t, &out, err, sizeof(err));
	if (rc) {
		if (out || (rc == -EINVAL && !err[0]))
			abort();
		return;
	}
	if (!out || apply_to_set(config, t, &cs) || apply_to_set(out, t, &os))
		abort();
	json_t *missing = apply_set_difference(cs, os);
	size_t n = 0;
	if (!missing || apply_set_paths(os, count_path, &n))
		abort();
	/* every field the configuration sets is in the result: as a member, or (a map or
	 * list the configuration gives empty, {"spec":{}}) as the parent of members, which
	 * a field set does not list as a member of its own */
	struct held h = {os, 0};
	if (apply_set_paths(missing, held_in_result, &h) || h.absent)
		abort();
	if (apply_compare(out, out, t, &a, &m, &r) || !empty(a) || !empty(m) || !empty(r))
		abort();
	json_decref(missing);
	json_decref(a);
	json_decref(m);
	json_decref(r);
	json_decref(cs);
	json_decref(os);
	json_decref(out);
}

static void check_apply(const json_t *live, json_t *config, const struct apply_type *t)
{
	struct apply_request q = {.manager = "fuzz",
				  .api_version = "v1",
				  .kind = "Thing",
				  .subresource = "",
				  .type = t,
				  .reset = APPLY_RESET_STATUS,
				  .now = 1764645000};
	json_t *o1 = NULL, *o2 = NULL, *st = NULL;
	json_object_set_new(config, "apiVersion", json_string("v1"));
	json_object_set_new(config, "kind", json_string("Thing"));
	json_t *meta = json_object_get(config, "metadata");
	if (meta && json_is_object(meta))
		json_object_del(meta, "managedFields");
	int rc = apply_apply(live, config, 0, &q, &o1, &st);
	if (rc == -ENOMEM || rc == -ELOOP)
		goto out;
	if (rc) {
		if (o1 || !st)
			abort();
		goto out;
	}
	json_decref(st);
	st = NULL;
	if (!o1 || apply_apply(o1, config, 0, &q, &o2, &st) || !json_equal(o1, o2))
		abort();
	/* the managedFields written decode again: an update keeps them */
	json_t *copy = json_deep_copy(o2);
	q.manager = "other";
	if (!copy || apply_update(o2, copy, &q))
		abort();
	json_decref(copy);
out:
	json_decref(st);
	json_decref(o1);
	json_decref(o2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[][3] = {{"", "v1", "Pod"},
					       {"", "v1", "Service"},
					       {"apps", "v1", "Deployment"},
					       {"x", "v1", "X"}};
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
	size_t doc_len = (size_t)(sep - text);
	json_t *live = json_loadb(text, doc_len, 0, NULL);
	json_t *config = json_loadb(sep + 4, len - doc_len - 4, 0, NULL);
	const char *const *k = kinds[data[0] % 4];
	const struct apply_type *t = apply_type_of(k[0], k[1], k[2]);
	if (live && config && json_is_object(live) && json_is_object(config)) {
		check_merge(live, config, t);
		check_apply(live, config, t);
	}
	json_decref(live);
	json_decref(config);
	return 0;
}
