/*
 * fuzz_cel.c - libFuzzer target for the IAM Conditions evaluator (iam/cel.c) on arbitrary
 * bytes taken as a condition's expression:
 *   - cel_compile never crashes, and returns a program or an error text, never both;
 *   - a program evaluates, without crashing, against requests at the edges: no
 *     attributes, long names, time 0, the far past and future, INT64 extremes;
 *   - evaluation is deterministic (the same request twice gives the same answer).
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_cel.c ... (see
 *   `make fuzz`)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iam/cel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cel_activation reqs[] = {
		{0, NULL, NULL, NULL},
		{1615809600000LL, "projects/demo-project",
		 "cloudresourcemanager.googleapis.com/Project",
		 "cloudresourcemanager.googleapis.com"},
		{1615809600123LL, "projects/p/serviceAccounts/ci-bot@p.iam.gserviceaccount.com",
		 "iam.googleapis.com/ServiceAccount", "iam.googleapis.com"},
		{-62135596800000LL, "", "", ""},
		{253402300799999LL, "projects/_/buckets/b/objects/{x}/y", NULL, NULL},
		{INT64_MAX, "x", NULL, NULL},
		{INT64_MIN, NULL, "y", NULL},
	};
	struct cel_program *p = NULL;
	char *err = NULL;
	size_t at = 0;
	int rc = cel_compile((const char *)data, size, &p, &err, &at);

	if ((rc == 0) != (p != NULL) || (rc == 0 && err) || (rc == -22 && !err) ||
	    (rc == -22 && at != CEL_NO_OFFSET && at > size))
		__builtin_trap();
	for (size_t i = 0; p && i < sizeof(reqs) / sizeof(reqs[0]); i++)
		if (cel_eval(p, &reqs[i]) != cel_eval(p, &reqs[i]))
			__builtin_trap();
	cel_free(p);
	free(err);
	return 0;
}
