/*
 * t.h - the unit-test harness: CHECK macros, TAP-style lines, and a closing
 * "N passed, N failed" line that tests/run.sh adds up. Include once per test program.
 */
#ifndef GKEID_T_H
#define GKEID_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_passed, t_failed;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (cond) {                                                                \
			t_passed++;                                                        \
		} else {                                                                   \
			t_failed++;                                                        \
			fprintf(stderr, "not ok: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                          \
	} while (0)
#define CHECK_EQ_INT(a, b)                                                                 \
	do {                                                                               \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);                    \
		if (t_a_ == t_b_) {                                                        \
			t_passed++;                                                        \
		} else {                                                                   \
			t_failed++;                                                        \
			fprintf(stderr, "not ok: %s:%d: %s == %s (%lld != %lld)\n", __FILE__,  \
				__LINE__, #a, #b, t_a_, t_b_);                             \
		}                                                                          \
	} while (0)
#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *t_a_ = (a), *t_b_ = (b);                                       \
		if (t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0) {                             \
			t_passed++;                                                        \
		} else {                                                                   \
			t_failed++;                                                        \
			fprintf(stderr, "not ok: %s:%d: %s == \"%s\" (got \"%s\")\n", __FILE__,\
				__LINE__, #a, t_b_ ? t_b_ : "(null)", t_a_ ? t_a_ : "(null)"); \
		}                                                                          \
	} while (0)

/* Runs a test function and names it. */
#define RUN(fn)                                                                            \
	do {                                                                               \
		int t_before_ = t_failed;                                                  \
		fn();                                                                      \
		printf("%s %s\n", t_failed == t_before_ ? "ok" : "FAIL", #fn);             \
	} while (0)

/* Removes a test's temporary directory (from mkdtemp) and all in it; a check. */
static inline void t_rmtree(const char *dir)
{
	char cmd[600];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(n > 0 && (size_t)n < sizeof(cmd) && !strchr(dir, '\'') && system(cmd) == 0);
}

static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
