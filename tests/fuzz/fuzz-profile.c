/* fuzz-profile: a profile file (JSON) through the real loader and what letters derive from it. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "optout/jv.h"
#include "optout/profile.h"
#include "optout/util.h"

/* Load one profile from the input and use what a letter takes from it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct jv *doc = jv_parse((const char *)data, size, "fuzz-profile.json", &cause);
	struct profile *p;
	size_t i;

	if (doc == NULL) {
		free(cause);
		return 0;
	}
	if ((p = profile_from_jv(doc, "fuzz-profile.json", fuzz_datadir(), &cause)) == NULL) {
		free(cause);
		return 0;
	}
	free(profile_full_name(p));
	free(profile_latin_name(p));
	(void)profile_name_needs_latin(p);
	for (i = 0; i < p->naddresses; i++) {
		str_list_free(address_lines(&p->addresses[i], 1));
		free(address_one_line(&p->addresses[i]));
	}
	for (i = 0; i < p->nphones; i++)
		free(phone_display(p->phones[i]));
	profile_free(p);
	return 0;
}
