/*
 * fuzz_iam_policy.c - libFuzzer target for the JSON body checker (cloud/jsonschema.c) and
 * IAM policy normalisation (iam/iam.c) on arbitrary bytes taken as a setIamPolicy body:
 *   - jschema_check never crashes; a body it passes is canonical, and checking that again
 *     passes and changes nothing (the canonical form is a fixed point);
 *   - a passing body's policy goes through iam_set_policy; when stored, getIamPolicy reads
 *     it back, and setting what was read (with its etag) is accepted and reads back the
 *     same bindings (normalisation is idempotent); every member is judged by
 *     iam_member_valid and a check runs against the stored policy;
 *   - the same bytes are checked as a Container API CreateClusterRequest (deep tables).
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_iam_policy.c ... (see
 *   `make fuzz`)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/jsonschema.h"
#include "core/embed.h"
#include "core/store.h"
#include "iam/iam.h"

static struct store *st;
static struct iam *iam;

/* One store and engine for the whole run, in a fresh directory. */
static int setup(void)
{
	static char dir[] = "/tmp/fuzz-iam-policy.XXXXXX";
	char path[64];
	if (iam)
		return 0;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (store_open(path, &st) != 0 ||
	    iam_new(st, embed_roles_json, EMBED_LEN(roles_json), 0, &iam) != 0)
		return -1;
	return 0;
}

/* A body that passed: checking its canonical form again passes and changes nothing. */
static void check_fixed_point(json_t *body, const struct jschema_msg *m)
{
	json_t *again = json_deep_copy(body);
	if (!again)
		return;
	int rc = jschema_check(again, m, NULL);
	if (rc != 0 && rc != -ENOMEM)
		__builtin_trap();
	if (rc == 0 && !json_equal(again, body))
		__builtin_trap();
	json_decref(again);
}

static void judge_members(const json_t *policy)
{
	size_t i, j;
	json_t *b, *m;
	json_array_foreach(json_object_get(policy, "bindings"), i, b)
		json_array_foreach(json_object_get(b, "members"), j, m)(void)
			iam_member_valid(json_string_value(m));
}

static void set_and_read_back(json_t *policy)
{
	json_t *stored = NULL, *read = NULL, *again = NULL, *reread = NULL;
	char *err = NULL;
	judge_members(policy);
	if (iam_set_policy(iam, "projects/fuzz", policy, 1000, &stored, &err) != 0)
		goto out;
	if (iam_get_policy(iam, "projects/fuzz", 3, &read) != 0)
		__builtin_trap();
	/* What getIamPolicy returned is a valid policy: setting it back must work. */
	free(err);
	err = NULL;
	if (iam_set_policy(iam, "projects/fuzz", read, 2000, &again, &err) != 0)
		__builtin_trap();
	if (iam_get_policy(iam, "projects/fuzz", 3, &reread) != 0)
		__builtin_trap();
	json_t *b1 = json_object_get(read, "bindings"), *b2 = json_object_get(reread, "bindings");
	if (!(b1 ? b2 && json_equal(b1, b2) : !b2))
		__builtin_trap();
	const char *res[] = {"projects/fuzz"};
	struct iam_principal p = {.members = {"user:a@example.com"},
				  .n_members = 1,
				  .email = "a@example.com",
				  .authenticated = 1};
	(void)iam_check(iam, res, 1, &p, "resourcemanager.projects.get", 100000);
out:
	free(err);
	json_decref(stored);
	json_decref(read);
	json_decref(again);
	json_decref(reread);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body, *copy;
	if (setup() != 0)
		abort();
	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	copy = json_deep_copy(body);
	json_t *viol = NULL;
	int rc = jschema_check(body, &jschema_iam_SetIamPolicyRequest, &viol);
	if (rc == -EINVAL) {
		size_t n = json_array_size(viol);
		if (n == 0 || n > JSCHEMA_MAX_VIOLATIONS)
			__builtin_trap();
		free(jschema_message(viol));
	} else if (rc == 0) {
		check_fixed_point(body, &jschema_iam_SetIamPolicyRequest);
		json_t *policy = json_object_get(body, "policy");
		if (json_is_object(policy))
			set_and_read_back(policy);
	}
	json_decref(viol);
	if (copy && jschema_check(copy, &jschema_container_CreateClusterRequest, NULL) == 0)
		check_fixed_point(copy, &jschema_container_CreateClusterRequest);
	json_decref(copy);
	json_decref(body);
	return 0;
}
