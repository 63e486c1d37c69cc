/*
 * fuzz-clients: a clinic's client list (CSV) through the batch's reader:
 * each row becomes a profile checked like a profile file.  The reader takes
 * a path, so the input goes into a temporary file, removed at once.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "optout/batch.h"
#include "optout/profile.h"
#include "optout/util.h"

/* Visitor: a good row's profile, freed at once. */
static int
each(void *ctx, struct profile *p, const char *where, char **cause)
{
	(void)ctx;
	(void)where;
	(void)cause;
	free(profile_full_name(p));
	profile_free(p);
	return 0;
}

/* Visitor: a bad row's message, dropped. */
static void
bad(void *ctx, char *msg)
{
	(void)ctx;
	free(msg);
}

/* Walk one client list. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clients_visitor v = { 0 };
	const char *tmp = getenv("TMPDIR");
	char *path, *cause = NULL;
	size_t done = 0;
	int fd;

	path = xasprintf("%s/optout-fuzz-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		free(path);
		return 0;
	}
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);

		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(fd);
	if (done == size) {
		v.path = path;
		v.datadir = fuzz_datadir();
		v.each = each;
		v.bad = bad;
		if (clients_each(&v, &cause) != 0)
			free(cause);
	}
	unlink(path);
	free(path);
	return 0;
}
