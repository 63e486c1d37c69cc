/*
 * bench-registry: time to load and validate the whole shipped registry
 * (curated records and brokers/imported/) and letters/laws.json, without and
 * with the validation cache (vcache), the median of several runs, as
 * elapsed and as processor time.
 * Target: under 50 ms for about 600 brokers.  A benchmark, never a test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "optout/laws.h"
#include "optout/registry.h"
#include "optout/util.h"
#include "optout/vault.h"

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

/* Where the bench keeps its own validation cache. */
static char cachedir[] = "/tmp/optout-bench-cache.XXXXXX";

/* Remove the bench's cache files, for a cold run. */
static void
drop_cache(void)
{
	char *p = xasprintf("%s/optout/registry.cache", cachedir);

	unlink(p);
	free(p);
	p = xasprintf("%s/optout/laws.cache", cachedir);
	unlink(p);
	free(p);
}

/* Load the registry (or laws.json) RUNS times, cold or from the cache; print the medians. */
static int
measure(const char *what, int laws, int cold)
{
	double t[RUNS], cpu[RUNS];
	size_t n = 0;
	int i;

	for (i = 0; i < RUNS; i++) {
		char *cause = NULL;
		double t0, c0;
		int ok;

		if (cold)
			drop_cache();
		t0 = now(CLOCK_MONOTONIC);
		c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		if (laws) {
			struct laws *l = laws_load(data_dir(), &cause);

			ok = l != NULL;
			n = ok ? l->n : 0;
			laws_free(l);
		} else {
			struct registry *r = registry_load(data_dir(), &cause);

			ok = r != NULL;
			n = ok ? r->n : 0;
			registry_free(r);
		}
		t[i] = now(CLOCK_MONOTONIC) - t0;
		cpu[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (!ok) {
			fprintf(stderr, "bench-registry: %s\n", cause);
			free(cause);
			return -1;
		}
	}
	qsort(t, RUNS, sizeof t[0], cmp_double);
	qsort(cpu, RUNS, sizeof cpu[0], cmp_double);
	/* On a shared machine the processor time says more than the elapsed time. */
	printf("%s load+validate, %s: %zu %s, median %.1f ms (best %.1f ms) elapsed, "
	       "median %.1f ms processor time (target < 50 ms)\n", what,
	    cold ? "no cache" : "cached", n, laws ? "laws" : "brokers", t[RUNS / 2] * 1e3,
	    t[0] * 1e3, cpu[RUNS / 2] * 1e3);
	return 0;
}

/* Measure the registry and laws.json, each without and with the validation cache. */
int
main(void)
{
	char *cause = NULL;
	int rc;

	if (vault_init(&cause) != 0 || mkdtemp(cachedir) == NULL) {
		fprintf(stderr, "bench-registry: cannot set up\n");
		free(cause);
		return 1;
	}
	setenv("XDG_CACHE_HOME", cachedir, 1);
	/* The heap as optout's main sets it up. */
	heap_keep();
	rc = measure("registry", 0, 1) != 0 || measure("registry", 0, 0) != 0 ||
	    measure("laws.json", 1, 1) != 0 || measure("laws.json", 1, 0) != 0;
	drop_cache();
	{
		char *p = xasprintf("%s/optout", cachedir);

		rmdir(p);
		free(p);
	}
	rmdir(cachedir);
	return rc;
}
