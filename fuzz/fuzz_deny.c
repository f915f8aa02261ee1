/*
 * fuzz_deny.c - libFuzzer target for deny policies' rules (iam/deny.c) on arbitrary bytes
 * taken as a policy's "rules" JSON, as the IAM v2 API receives it:
 *   - iam_deny_validate never crashes, and returns 0 with no text or an error with one;
 *   - a valid rule set explains (iam_deny_rule_explain) without crashing for principals
 *     and permissions at the edges, and the explanation is deterministic;
 *   - the v1 form of each deniedPermissions string never overflows its buffer.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_deny.c ... (see
 *   `make fuzz`)
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iam/deny.h"
#include "iam/iam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct iam_principal who[] = {
		{.members = {"user:a@example.com"},
		 .n_members = 1,
		 .email = "a@example.com",
		 .authenticated = 1},
		{.members = {"serviceAccount:s@p.iam.gserviceaccount.com",
			     "principal://iam.googleapis.com/projects/1/locations/global/"
			     "workloadIdentityPools/p.svc.id.goog/subject/ns/a/sa/b"},
		 .n_members = 2},
		{.n_members = 0},
	};
	static const char *const perms[] = {"resourcemanager.projects.get", "iam.roles.delete",
					    "container.pods.list", "x", ""};
	json_t *rules = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	char *err = NULL, v1[64];
	const json_t *r, *p;
	size_t i, k;
	int rc = iam_deny_validate(rules, &err);

	if ((rc == 0 && err) || (rc == -22 && !err))
		__builtin_trap();
	free(err);
	json_array_foreach(rc == 0 ? rules : NULL, i, r)
	{
		for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++)
			for (size_t q = 0; q < sizeof(perms) / sizeof(perms[0]); q++) {
				int a1, b1, c1, a2, b2, c2;
				int d1 = iam_deny_rule_explain(NULL, r, &who[w], perms[q],
							       "projects/p", 0, &a1, &b1, &c1);
				int d2 = iam_deny_rule_explain(NULL, r, &who[w], perms[q],
							       "projects/p", 0, &a2, &b2, &c2);

				if (d1 != d2 || a1 != a2 || b1 != b2 || c1 != c2 ||
				    d1 != (a1 && b1 && c1))
					__builtin_trap();
			}
		json_array_foreach(
			json_object_get(json_object_get(r, "denyRule"), "deniedPermissions"), k,
			p)(void) iam_deny_perm_v1(json_string_value(p), v1, sizeof(v1));
	}
	json_decref(rules);
	return 0;
}
