/* fuzz-doc: letter markup parsed into the document model and written as wrapped text. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "optout/doc.h"
#include "optout/util.h"

/* Parse one markup text and render it at a letter's width and a narrow one. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *cause = NULL;
	struct doc *d = doc_parse(text, &cause);
	size_t i, k;

	free(text);
	if (d == NULL) {
		free(cause);
		return 0;
	}
	free(doc_to_text(d, 72));
	free(doc_to_text(d, 12));
	for (i = 0; i < d->nblocks; i++) {
		if (d->blocks[i].kind != DOC_TABLE)
			continue;
		for (k = 0; k < d->blocks[i].nlines; k++) {
			size_t n;

			str_list_free(doc_table_cells(d->blocks[i].lines[k], &n));
		}
	}
	doc_free(d);
	return 0;
}
