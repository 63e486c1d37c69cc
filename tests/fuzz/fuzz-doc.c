/*
 * fuzz-doc: letter markup parsed into the document model, written as
 * wrapped text, and laid out as a PDF (in memory) when every character
 * can be printed, as letters are.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "optout/doc.h"
#include "optout/pdf.h"
#include "optout/util.h"

/* Parse one markup text, render it as text at two widths, and as a PDF. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *cause = NULL;
	struct doc *d = doc_parse(text, &cause);
	unsigned char *pdf = NULL;
	size_t i, k, len = 0;

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
	if (pdf_check(d, NULL, &cause) == 0) {
		if (pdf_render(d, NULL, &pdf, &len, &cause) == 0)
			free(pdf);
		else
			free(cause);
	} else {
		free(cause);
	}
	doc_free(d);
	return 0;
}
