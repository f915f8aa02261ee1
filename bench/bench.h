/*
 * bench.h - what every benchmark program shares, so none keeps its own copy: a
 * monotonic clock, a repeatable pseudo-random sequence (xorshift64, the same sequence in
 * every run), and percentiles of a sample. Header-only: each bench/NAME.c is a program
 * of its own.
 */
#ifndef GKEID_BENCH_H
#define GKEID_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t bench_rng_state = 0x9e3779b97f4a7c15ULL;

/* The next number of the sequence. */
static inline uint64_t rnd(void)
{
	uint64_t x = bench_rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return bench_rng_state = x;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (0..100, nearest rank) of v[0..n); sorts v. 0 when n is 0. */
static inline double bench_pct(double *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_double);
	rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	return v[rank > n ? n - 1 : rank - 1];
}

#endif
