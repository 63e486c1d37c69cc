/* fuzz-csv: a client list read as CSV, record by record, from memory. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "optout/csv.h"

/* Read every record of one CSV text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader *r;
	struct csv_record rec;
	char *cause = NULL;
	FILE *f;
	int rc;

	if (size == 0)
		return 0; /* fmemopen wants a buffer; an empty file is covered by the unit tests */
	if ((f = fmemopen((void *)data, size, "rb")) == NULL)
		return 0;
	if ((r = csv_open_stream(f, "fuzz.csv", &cause)) == NULL) {
		free(cause);
		return 0;
	}
	(void)csv_column(r, "email");
	while ((rc = csv_next(r, &rec, &cause)) == 1)
		;
	if (rc < 0)
		free(cause);
	csv_close(r);
	return 0;
}
