/*
 * bench-registry: time to load and validate the whole shipped registry
 * (curated records and brokers/imported/), the median of several runs, as
 * elapsed and as processor time.
 * Target: under 50 ms for about 600 brokers.  A benchmark, never a test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "optout/registry.h"
#include "optout/util.h"

#define RUNS 15

/* A clock's time in seconds. */
static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Order doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Load the registry RUNS times and print the median and the best time. */
int
main(void)
{
	double t[RUNS], cpu[RUNS];
	size_t n = 0;
	int i;

	for (i = 0; i < RUNS; i++) {
		char *cause = NULL;
		double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		struct registry *r = registry_load(data_dir(), &cause);

		t[i] = now(CLOCK_MONOTONIC) - t0;
		cpu[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (r == NULL) {
			fprintf(stderr, "bench-registry: %s\n", cause);
			free(cause);
			return 1;
		}
		n = r->n;
		registry_free(r);
	}
	qsort(t, RUNS, sizeof t[0], cmp_double);
	qsort(cpu, RUNS, sizeof cpu[0], cmp_double);
	/* On a shared machine the processor time says more than the elapsed time. */
	printf("registry load+validate: %zu brokers, median %.1f ms (best %.1f ms) elapsed, "
	       "median %.1f ms processor time (target < 50 ms)\n", n, t[RUNS / 2] * 1e3,
	    t[0] * 1e3, cpu[RUNS / 2] * 1e3);
	return 0;
}
