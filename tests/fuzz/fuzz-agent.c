/* fuzz-agent: an agent file (a clinic filing for someone) through the real loader. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "optout/jv.h"
#include "optout/profile.h"
#include "optout/util.h"

/* Load one agent from the input and use what a cover letter takes from it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct jv *doc = jv_parse((const char *)data, size, "fuzz-agent.json", &cause);
	struct agent *a;

	if (doc == NULL) {
		free(cause);
		return 0;
	}
	if ((a = agent_from_jv(doc, "fuzz-agent.json", fuzz_datadir(), &cause)) == NULL) {
		free(cause);
		return 0;
	}
	str_list_free(address_lines(&a->address, 1));
	free(address_one_line(&a->address));
	if (a->phone != NULL)
		free(phone_display(a->phone));
	agent_free(a);
	return 0;
}
