/* fuzz-html: a broker's web page read by the html module, and the look-ups the form engine makes. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "optout/html.h"

/* Parse one page (charset sniffed) and look up its forms, controls and meta tags. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct html_page *p = html_parse((const char *)data, size, NULL, &cause);
	size_t i, k;

	if (p == NULL) {
		free(cause);
		return 0;
	}
	(void)html_meta(p, "csrf-token");
	(void)html_find_form(p, "id", "remove");
	(void)html_find_form(p, "action", "/submit");
	for (i = 0; i < p->nforms; i++) {
		for (k = 0; k < p->forms[i].ncontrols; k++)
			if (p->forms[i].controls[k].name != NULL)
				(void)html_form_control(&p->forms[i], p->forms[i].controls[k].name);
	}
	html_free(p);
	return 0;
}
