/*
 * re: regular expressions (the only module that sees PCRE2).
 *
 * Contract: a compiled pattern is owned by the caller and freed with
 * re_free.  Patterns are compiled with UTF, UCP and MATCH_INVALID_UTF, so
 * they are safe on untrusted text.  JIT is used when available.
 */
#ifndef OPTOUT_RE_H
#define OPTOUT_RE_H

#include <stddef.h>

struct re;

/* Compile; on error *cause says where in the pattern and why. */
struct re *re_compile(const char *pattern, int caseless, char **cause);
void re_free(struct re *re);
/* 1 if the pattern matches anywhere in s, 0 if not, -1 on a match error. */
int re_match(const struct re *re, const char *s, size_t len);
/*
 * Like re_match; on a match, stores the byte span of group `group`
 * (SIZE_MAX for both when the group took no part in the match).  A group
 * number the pattern does not have gives -1.
 */
int re_match_group(const struct re *re, const char *s, size_t len, int group,
    size_t *start, size_t *end);
/*
 * Match a constant pattern against s: compiled on first use and kept for
 * the life of the process (up to 32 patterns), so repeated checks of the
 * same pattern compile it once.
 */
int re_test(const char *pattern, const char *s, char **cause);

#endif
