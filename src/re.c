/*
 * re: a small wrapper around PCRE2 (8-bit code units, UTF-8 text).
 *
 * Every pattern is compiled with UTF, UCP and MATCH_INVALID_UTF: text from
 * users and files may be malformed UTF-8, and PCRE2 then simply treats the
 * bad bytes as unmatchable instead of failing or reading past them.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optout/re.h"
#include "optout/util.h"

struct re {
	pcre2_general_context *gctx;
	pcre2_code *code;
	uint32_t groups; /* number of capturing groups */
	int jit;         /* JIT compilation succeeded */
};

/* Allocate for PCRE2 through xmalloc, so running out of memory is fatal. */
static void *
re_malloc(PCRE2_SIZE n, void *data)
{
	(void)data;
	return xmalloc(n != 0 ? n : 1);
}

/* Free memory PCRE2 allocated with re_malloc. */
static void
re_dealloc(void *p, void *data)
{
	(void)data;
	free(p);
}

/* Compile pattern (caseless if asked); JIT when the platform allows it. */
struct re *
re_compile(const char *pattern, int caseless, char **cause)
{
	pcre2_compile_context *cctx;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE offset;
	uint32_t options;
	struct re *re;
	int errcode;

	if (pattern == NULL) {
		*cause = xstrdup("pattern error: no pattern");
		return NULL;
	}
	re = xcalloc(1, sizeof *re);
	re->gctx = pcre2_general_context_create(re_malloc, re_dealloc, NULL);
	cctx = pcre2_compile_context_create(re->gctx);
	options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
	if (caseless)
		options |= PCRE2_CASELESS;
	re->code = pcre2_compile(
	    (PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &errcode, &offset, cctx);
	pcre2_compile_context_free(cctx);
	if (re->code == NULL) {
		if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
			*cause = xasprintf(
			    "pattern error at offset %zu: error %d", (size_t)offset, errcode);
		else
			*cause = xasprintf(
			    "pattern error at offset %zu: %s", (size_t)offset, (const char *)msg);
		pcre2_general_context_free(re->gctx);
		free(re);
		return NULL;
	}
	pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &re->groups);
	/* JIT is only faster: when it is unavailable the interpreter is used. */
	re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
	return re;
}

/* Free a compiled pattern (NULL is fine). */
void
re_free(struct re *re)
{
	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	pcre2_general_context_free(re->gctx);
	free(re);
}

/*
 * Match once; on success give the byte span of group (SIZE_MAX for both
 * ends if the group took no part).  Match data is made per call so a
 * struct re can be shared freely.
 */
static int
re_exec(const struct re *re, const char *s, size_t len, int group, size_t *start, size_t *end,
    int *error)
{
	pcre2_match_data *md;
	PCRE2_SIZE *ov;
	int rc;

	if (re == NULL || group < 0 || (uint32_t)group > re->groups)
		return -1;
	if (s == NULL) {
		s = "";
		len = 0;
	}
	md = pcre2_match_data_create_from_pattern(re->code, re->gctx);
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	if (rc == PCRE2_ERROR_NOMATCH)
		rc = 0;
	else if (rc < 0) {
		if (error != NULL)
			*error = rc;
		rc = -1;
	} else {
		if (start != NULL && end != NULL) {
			ov = pcre2_get_ovector_pointer(md);
			if (ov[(size_t)group * 2] == PCRE2_UNSET) {
				*start = SIZE_MAX;
				*end = SIZE_MAX;
			} else {
				*start = ov[(size_t)group * 2];
				*end = ov[(size_t)group * 2 + 1];
			}
		}
		rc = 1;
	}
	pcre2_match_data_free(md);
	return rc;
}

/* 1 if re matches anywhere in the len bytes at s, 0 if not, -1 on error. */
int
re_match(const struct re *re, const char *s, size_t len)
{
	return re_exec(re, s, len, 0, NULL, NULL, NULL);
}

/* Like re_match, giving the byte span of a capturing group on a match. */
int
re_match_group(
    const struct re *re, const char *s, size_t len, int group, size_t *start, size_t *end)
{
	return re_exec(re, s, len, group, start, end, NULL);
}

/*
 * Patterns re_test has compiled, kept for the life of the process: a batch
 * checks every client's postal code, state and SSN with the same few
 * constant patterns, and compiling (with JIT) costs far more than matching.
 */
#define RE_CACHE_SIZE 32
static struct {
	char *pattern;
	struct re *re;
} re_cache[RE_CACHE_SIZE];

/* The compiled pattern from the cache, compiling and keeping it the first time. */
static struct re *
re_cached(const char *pattern, int *owned, char **cause)
{
	struct re *re;
	size_t i;

	*owned = 0;
	for (i = 0; i < RE_CACHE_SIZE && re_cache[i].pattern != NULL; i++)
		if (strcmp(re_cache[i].pattern, pattern) == 0)
			return re_cache[i].re;
	if ((re = re_compile(pattern, 0, cause)) == NULL)
		return NULL;
	if (i == RE_CACHE_SIZE) {
		*owned = 1; /* the cache is full: the caller frees this one */
		return re;
	}
	re_cache[i].pattern = xstrdup(pattern);
	re_cache[i].re = re;
	return re;
}

/* Match pattern (compiled once per process) against the string s. */
int
re_test(const char *pattern, const char *s, char **cause)
{
	PCRE2_UCHAR msg[256];
	struct re *re;
	int rc, error = 0, owned;

	if (pattern == NULL) {
		*cause = xstrdup("pattern error: no pattern");
		return -1;
	}
	if ((re = re_cached(pattern, &owned, cause)) == NULL)
		return -1;
	rc = re_exec(re, s, s != NULL ? strlen(s) : 0, 0, NULL, NULL, &error);
	if (owned)
		re_free(re);
	if (rc < 0) {
		if (pcre2_get_error_message(error, msg, sizeof msg) < 0)
			*cause = xasprintf("pattern match error %d", error);
		else
			*cause = xasprintf("pattern match error: %s", (const char *)msg);
	}
	return rc;
}
