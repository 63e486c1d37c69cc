/*
 * util: allocation, strings, growable buffers, and safe file writes.
 *
 * Contract: allocation failure is fatal (the process prints "optout: out of
 * memory" and exits 71), so x* functions never return NULL.  Functions that
 * can fail for other reasons return 0 on success or -1 and set *cause to an
 * allocated message the caller frees.  Messages never contain personal data:
 * they name files, fields and what was expected, not the values.
 */
#ifndef OPTOUT_UTIL_H
#define OPTOUT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define OPTOUT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define OPTOUT_PRINTF(f, a)
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array to hold n elements of size sz (checked for overflow). */
void *xreallocarray(void *p, size_t n, size_t sz);
/* Print "optout: out of memory" and exit 71 (for allocators other than x*). */
void oom(void);
/*
 * Keep freed memory for reuse instead of giving it back to the kernel after
 * every letter (glibc trims the heap and unmaps large blocks by default).
 */
void heap_keep(void);
/*
 * No core file, not dumpable (another program of the same user cannot read
 * our memory), and memory locked out of swap where the system allows it.
 */
void process_protect(void);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) OPTOUT_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) OPTOUT_PRINTF(1, 0);

/* A growable byte buffer, always NUL-terminated after the data. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) OPTOUT_PRINTF(2, 3);
/* Give the caller the string and reset the buffer. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

/*
 * A tar archive (POSIX ustar) built in memory: tar_add appends a file (or a
 * folder, for a name ending in '/' with no data), names at most 99 bytes;
 * tar_end closes it.  Owner and group are 0.
 */
int tar_add(struct buf *tar, const char *name, const void *data, size_t len, int mode,
    long long mtime);
void tar_end(struct buf *tar);
/* A file in an archive tar_add made: 0 and its data (borrowed), or -1 when absent. */
int tar_find(const struct buf *tar, const char *name, const char **data, size_t *len);

/*
 * $XDG_DATA_HOME/optout/NAME (else ~/.local/share/optout/NAME; relative
 * XDG values are ignored, as the spec says), allocated; NULL with
 * "cannot find WHAT: ..." in *cause when neither variable is usable.
 */
char *data_home_path(const char *name, const char *what, char **cause);

/*
 * Ephemeral mode (optout --ephemeral, or OPTOUT_EPHEMERAL=1): for a shared
 * computer.  Nothing is kept outside the output the person takes away: the
 * modules that keep data (ledger, evidence, label note, vault, caches)
 * refuse to write with ephemeral_refusal()'s message.
 */
int ephemeral_mode(void);
/* The refusal for keeping `what` in ephemeral mode (allocated). */
char *ephemeral_refusal(const char *what);

/* Overwrite and free a string that held personal data. */
void secure_free(char *s);
/* Overwrite a heap block (its whole usable size) and free it; NULL is fine. */
void wipe_free(void *p);

/* Read a whole file of at most max bytes (NUL-terminated). */
int read_file(const char *path, size_t max, char **data, size_t *len, char **cause);
/*
 * Write a file atomically: a temp file in the same directory with mode
 * `mode`, fsync, rename over path, fsync the directory.  On failure the
 * temp file is removed and path is untouched.
 */
int write_file_atomic(const char *path, const void *data, size_t len, int mode, char **cause);
/*
 * Create a new file (O_EXCL) with mode `mode` and write it, without fsync:
 * only inside a private temporary folder that sync_tree flushes before it
 * is renamed into place.
 */
int write_file_new(const char *path, const void *data, size_t len, int mode, char **cause);
/* Flush every file and directory entry under dir to disk (once, for a whole folder). */
int sync_tree(const char *dir, char **cause);
/* A symbol to look up in a library opened at run time, and where its address goes. */
struct dl_symbol {
	const char *name;
	void **slot;
};
/* dlopen soname and fill every symbol's slot; -1 with *cause naming what is missing. */
int dl_load(const char *soname, const struct dl_symbol *syms, size_t n, char **cause);
/* mkdir -p with the given mode for created directories. */
int make_dirs(const char *path, int mode, char **cause);

/* Remove a directory tree, not following symbolic links (best effort). */
void remove_tree(const char *path);
/* Join a directory and a name with one slash. */
char *path_join(const char *dir, const char *name);
/* The directory part of a path ("." when there is none; trailing slashes ignored). */
char *path_dirname(const char *path);
/* Whether s ends with suffix. */
int str_ends_with(const char *s, const char *suffix);
/* Whether s ends with suffix, ignoring ASCII case. */
int str_ends_with_ci(const char *s, const char *suffix);
/* Split "a,b,c" into a NULL-terminated array of trimmed, non-empty strings. */
char **str_split_list(const char *s, size_t *count);
void str_list_free(char **list);
/*
 * Decode the UTF-8 sequence at s, with at most n bytes left: its length,
 * or 0 when it is not UTF-8 (a bad byte, an overlong form, a surrogate, a
 * value past U+10FFFF, or a sequence cut short).  Never reads past a NUL.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Columns n bytes of UTF-8 take: one per character, none for combining marks. */
size_t utf8_width(const char *s, size_t n);
/* Bytes of s (n bytes) that fill at most cols columns, marks kept with their base. */
size_t utf8_fit(const char *s, size_t n, size_t cols);
/*
 * Word-wrap text into lines of at most width columns (a NULL-terminated
 * list, freed with str_list_free).  A word longer than a line stays whole,
 * so a web address survives, unless hard is set (table cells), when it is
 * cut.
 */
char **str_wrap_lines(const char *text, size_t width, int hard, size_t *count);
/*
 * Word-wrap text to width columns: the first line behind `first` (or
 * `indent` when first is NULL), the others behind `indent`.  The result
 * ends with a newline.
 */
char *str_wrap(const char *text, size_t width, const char *first, const char *indent);
/* Fold to lower case ASCII and strip Latin diacritics from UTF-8 (for search). */
char *str_fold(const char *s);

/* Whether a NULL-terminated list of strings holds s. */
int strlist_has(const char **list, const char *s);
/* The number of strings in a NULL-terminated list. */
size_t strlist_len(const char **list);
/* The English name of an ISO 3166 alpha-2 country code, in capitals as
 * international mail wants it ("GERMANY"); the code itself if unknown. */
const char *country_name(const char *code);

/* The directory holding brokers/ and letters/: $OPTOUT_DATADIR or the installed one. */
const char *data_dir(void);
/*
 * Did-you-mean: the candidate (NULL-terminated list) one or two typing
 * mistakes from word (letters swapped, missing, extra or wrong), or NULL
 * when there is none or the closest ones tie.
 */
const char *str_suggest(const char *word, const char *const *candidates);

#endif
