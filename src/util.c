/* util: allocation, strings, buffers and atomic file writes. */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "optout/util.h"

/* Print the out-of-memory message and exit: callers never see NULL. */
void
oom(void)
{
	static const char msg[] = "optout: out of memory\n";

	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(71);
}

/* Allocate n bytes or die. */
void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

/* Allocate a zeroed array or die. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

/* Resize or die. */
void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

/* Resize an array of n elements of sz bytes, checking the product. */
void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		oom();
	return xrealloc(p, n * sz);
}

/* Tune malloc once at start-up so per-letter buffers are reused. */
void
heap_keep(void)
{
	/*
	 * A letter allocates and frees a few hundred KB; by default glibc
	 * returns the heap top (brk) and unmaps blocks over 128 KB after each
	 * one, and the page faults and TLB shootdowns cost more than the PDF.
	 * 32 MB kept at most: peak memory stays flat whatever the batch size.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
	(void)mallopt(M_TOP_PAD, 1024 * 1024);
	/*
	 * No fastbins: every larger request then merged them all again
	 * (malloc_consolidate), a third of a registry load's time; the
	 * per-thread cache still serves small blocks as quickly.
	 */
	(void)mallopt(M_MXFAST, 0);
}

/*
 * Keep a process that holds personal data out of reach of other programs:
 * no core file (a crash must not leave a profile on disk) and not
 * dumpable, so a program of the same user (the next person at a shared
 * laptop) cannot attach to it or read its memory through /proc.
 */
void
process_protect(void)
{
	static const struct rlimit none = { 0, 0 };
	struct rlimit lock;

	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/*
	 * Keep the person's data out of swap: lock every page as it is first
	 * touched, where the system allows it (no limit on locked memory, or
	 * root).  A user's usual limit (a few MB) would make later allocations
	 * fail, so then only the decrypted files themselves are locked
	 * (sodium_malloc) and freed memory is wiped.
	 */
	if (getrlimit(RLIMIT_MEMLOCK, &lock) == 0 &&
	    (lock.rlim_cur == RLIM_INFINITY || geteuid() == 0))
		(void)mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
}

/* Duplicate a string or die. */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Duplicate at most n bytes of a string or die. */
char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Format into a new string. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

/* Format into a new string. */
char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Start an empty buffer. */
void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Make room for n more bytes plus the terminating NUL. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t need;

	if (n > SIZE_MAX - b->len - 1)
		oom();
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

/* Append n bytes. */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append a string. */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Append one byte. */
void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Append formatted text. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Hand the contents to the caller (an empty string if nothing was added). */
char *
buf_detach(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");

	buf_init(b);
	return s;
}

/* Release the buffer. */
void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Overwrite a string before freeing it, so personal data does not linger in freed heap. */
void
secure_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* Overwrite a whole heap block before freeing it (for allocators that do not know the size). */
void
wipe_free(void *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

/* Read a whole file of at most max bytes. */
int
read_file(const char *path, size_t max, char **data, size_t *len, char **cause)
{
	struct buf b;
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			*cause = xasprintf("%s: file is larger than %zu bytes", path, max);
			goto fail;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (len != NULL)
		*len = b.len;
	*data = buf_detach(&b);
	return 0;
fail:
	close(fd);
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	buf_free(&b);
	return -1;
}

/* Flush a directory so a rename inside it survives a crash. */
static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Write len bytes to fd, retrying on EINTR; -1 with errno set on failure. */
static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Write path atomically: temp file beside it, fsync, rename, fsync the directory. */
int
write_file_atomic(const char *path, const void *data, size_t len, int mode, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path + (slash == path))) : xstrdup(".");
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd, saved;

	fd = mkstemp(tmp);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto fail_nofd;
	}
	if (fchmod(fd, (mode_t)mode) == -1 || write_all(fd, data, len) == -1)
		goto fail;
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	sync_dir(dir);
	free(tmp);
	free(dir);
	return 0;
fail:
	saved = errno;
	*cause = xasprintf("%s: %s", path, strerror(saved));
	if (fd != -1)
		close(fd);
	unlink(tmp);
fail_nofd:
	free(tmp);
	free(dir);
	return -1;
}

/*
 * Create path (which must not exist) and write it, without flushing: for
 * files inside a private temporary folder that sync_tree flushes once
 * before the folder is renamed into place.
 */
int
write_file_new(const char *path, const void *data, size_t len, int mode, char **cause)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
	int saved;

	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	/* The umask may have narrowed the mode, never widened it: set it exactly. */
	if (fchmod(fd, (mode_t)mode) == -1 || write_all(fd, data, len) == -1) {
		saved = errno;
		close(fd);
		unlink(path);
		*cause = xasprintf("%s: %s", path, strerror(saved));
		return -1;
	}
	if (close(fd) == -1) {
		saved = errno;
		unlink(path);
		*cause = xasprintf("%s: %s", path, strerror(saved));
		return -1;
	}
	return 0;
}

/*
 * Visit everything below path, depth first, without following symbolic
 * links: each entry once its own contents have been visited, with its
 * lstat mode.  Gives the OR of what visit returned (-1 if path cannot be read).
 */
static int
walk_tree(const char *path, int (*visit)(const char *p, mode_t mode))
{
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *p;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = path_join(path, e->d_name);
		if (lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc |= walk_tree(p, visit);
			rc |= visit(p, st.st_mode);
		}
		free(p);
	}
	closedir(d);
	return rc;
}

/* Flush one file or directory to disk (anything else has nothing to flush). */
static int
fsync_one(const char *p, mode_t mode)
{
	int fd, rc;

	if (S_ISDIR(mode))
		return sync_dir(p);
	if (!S_ISREG(mode))
		return 0;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Remove one file or (emptied) directory. */
static int
remove_one(const char *p, mode_t mode)
{
	return S_ISDIR(mode) ? rmdir(p) : unlink(p);
}

/* fsync every file and directory under path, the directory itself last. */
static int
fsync_walk(const char *path)
{
	return walk_tree(path, fsync_one) | sync_dir(path);
}

/*
 * Flush everything written under dir (files and directory entries) to disk:
 * one syncfs of its file system where Linux has it, else an fsync of each
 * file and directory.  A packet's many files cost one flush this way.
 */
int
sync_tree(const char *dir, char **cause)
{
	int rc = -1;
#ifdef __linux__
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		rc = syncfs(fd);
		close(fd);
	}
#endif
	if (rc != 0)
		rc = fsync_walk(dir);
	if (rc != 0)
		*cause = xasprintf("%s: cannot flush to disk: %s", dir, strerror(errno));
	return rc;
}

/*
 * Open a shared library by soname and fill each symbol's slot with its
 * address; -1 with *cause naming the library if it or a symbol is missing.
 * For libraries only some commands need, so others start without them.
 */
int
dl_load(const char *soname, const struct dl_symbol *syms, size_t n, char **cause)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (h == NULL) {
		*cause = xasprintf("cannot load %s: %s", soname, dlerror());
		return -1;
	}
	for (i = 0; i < n; i++) {
		void *f = dlsym(h, syms[i].name);

		if (f == NULL) {
			*cause = xasprintf("cannot load %s: %s is missing", soname, syms[i].name);
			dlclose(h);
			return -1;
		}
		/* POSIX: a function's address travels through void *. */
		memcpy(syms[i].slot, &f, sizeof f);
	}
	return 0;
}

/* Create a directory and its parents. */
int
make_dirs(const char *path, int mode, char **cause)
{
	char *p, *s;
	struct stat st;

	if (*path == '\0') {
		*cause = xstrdup("an empty folder name");
		return -1;
	}
	p = xstrdup(path);
	for (s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, (mode_t)mode) == -1 && errno != EEXIST) {
			*cause = xasprintf("%s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, (mode_t)mode) == -1 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	if (stat(p, &st) == -1 || !S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: not a directory", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* Remove a directory tree (not following symbolic links). */
void
remove_tree(const char *path)
{
	(void)walk_tree(path, remove_one);
	rmdir(path);
}

/* Join a directory and a name. */
char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n > 0 && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

/* The directory part of a path. */
char *
path_dirname(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	return n == 0 ? xstrdup(".") : xstrndup(path, n);
}

/* Whether s ends with suffix. */
int
str_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* Whether s ends with suffix, ignoring ASCII case (a file name's ".PDF"). */
int
str_ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Split a comma-separated list into trimmed, non-empty items. */
char **
str_split_list(const char *s, size_t *count)
{
	char **list = NULL;
	size_t n = 0;
	const char *start = s, *end;

	for (;;) {
		const char *comma = strchr(start, ',');
		const char *stop = comma ? comma : start + strlen(start);

		while (start < stop && (*start == ' ' || *start == '\t'))
			start++;
		end = stop;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start) {
			list = xreallocarray(list, n + 2, sizeof *list);
			list[n++] = xstrndup(start, (size_t)(end - start));
		}
		if (comma == NULL)
			break;
		start = comma + 1;
	}
	if (list == NULL)
		list = xcalloc(1, sizeof *list);
	list[n] = NULL;
	if (count != NULL)
		*count = n;
	return list;
}

/* Free a list from str_split_list. */
void
str_list_free(char **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/* Decode one UTF-8 sequence strictly (see util.h). */
size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	/* A NUL is not a continuation byte, so the loop stops before reading past it. */
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The base letter of a Latin letter with diacritics, or 0 when there is none. */
static char
latin_base(uint32_t cp)
{
	/* U+00C0..U+00FF, then Latin Extended-A U+0100..U+017F, by ranges. */
	static const char l1[] = "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
	static const char exa[] =
	    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOo"
	    "OoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

	if (cp >= 0xC0 && cp <= 0xFF) {
		char c = l1[cp - 0xC0];
		return (c == '*' || c == '/') ? 0 : c;
	}
	if (cp >= 0x100 && cp <= 0x17F)
		return exa[cp - 0x100];
	if (cp >= 0x1EA0 && cp <= 0x1EF9) {
		/* Vietnamese: A, E, I, O, U, Y with stacked marks, in pairs (upper, lower). */
		static const char vi[] = "AAAAAAAAAAAAEEEEEEEEIIOOOOOOOOOOOOUUUUUUUYYYY";
		unsigned int i = (cp - 0x1EA0) / 2;
		char c = i < sizeof vi - 1 ? vi[i] : 0;
		return (c && (cp & 1)) ? (char)(c + 32) : c;
	}
	if (cp == 0x1A0 || cp == 0x1A1)
		return cp == 0x1A0 ? 'O' : 'o';
	if (cp == 0x1AF || cp == 0x1B0)
		return cp == 0x1AF ? 'U' : 'u';
	return 0;
}

/* Whether a code point takes no column of its own (combining marks, joiners). */
static int
zero_width(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036f) || (c >= 0x1ab0 && c <= 0x1aff) ||
	    (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
	    (c >= 0xfe20 && c <= 0xfe2f) || (c >= 0xfe00 && c <= 0xfe0f) ||
	    (c >= 0x200b && c <= 0x200d) || c == 0xfeff;
}

/* Columns taken by n bytes of UTF-8: one per character, none for combining marks. */
size_t
utf8_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, i = 0, len;
	uint32_t c;

	while (i < n) {
		len = utf8_decode(p + i, n - i, &c);
		if (len == 0) {
			len = 1;
			c = 0xfffd;
		}
		if (!zero_width(c))
			w++;
		i += len;
	}
	return w;
}

/* Bytes of s (n bytes) that fill at most `cols` columns, keeping marks with their base. */
size_t
utf8_fit(const char *s, size_t n, size_t cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, i = 0, len;
	uint32_t c;

	while (i < n) {
		len = utf8_decode(p + i, n - i, &c);
		if (len == 0) {
			len = 1;
			c = 0xfffd;
		}
		if (!zero_width(c)) {
			if (w == cols)
				break;
			w++;
		}
		i += len;
	}
	return i;
}

/* Append a line to a NULL-terminated list that has room for n + 1 entries. */
static void
push_line(char ***v, size_t *n, char *line)
{
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = line;
	(*v)[*n] = NULL;
}

/* Word-wrap text into lines; see util.h. */
char **
str_wrap_lines(const char *text, size_t width, int hard, size_t *count)
{
	struct buf cur;
	size_t curw = 0, wlen, ww, cut, n = 0;
	const char *s = text, *w;
	char **v = xcalloc(1, sizeof *v);

	if (width == 0)
		width = 1;
	buf_init(&cur);
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s == '\0')
			break;
		w = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			s++;
		wlen = (size_t)(s - w);
		ww = utf8_width(w, wlen);
		if (cur.len > 0 && curw + 1 + ww <= width) {
			buf_addc(&cur, ' ');
			buf_add(&cur, w, wlen);
			curw += 1 + ww;
			continue;
		}
		if (cur.len > 0)
			push_line(&v, &n, buf_detach(&cur));
		while (hard && ww > width) {
			cut = utf8_fit(w, wlen, width);
			push_line(&v, &n, xstrndup(w, cut));
			w += cut;
			wlen -= cut;
			ww = utf8_width(w, wlen);
		}
		buf_add(&cur, w, wlen);
		curw = ww;
	}
	if (cur.len > 0)
		push_line(&v, &n, buf_detach(&cur));
	buf_free(&cur);
	if (count != NULL)
		*count = n;
	return v;
}

/* Word-wrap text behind a first-line and a following-line prefix; see util.h. */
char *
str_wrap(const char *text, size_t width, const char *first, const char *indent)
{
	const char *lead = first != NULL ? first : indent;
	size_t fw = utf8_width(lead, strlen(lead)), rw = utf8_width(indent, strlen(indent));
	size_t pre = fw > rw ? fw : rw, n, i;
	char **lines = str_wrap_lines(text, width > pre ? width - pre : 1, 0, &n);
	struct buf b;

	buf_init(&b);
	if (n == 0)
		buf_printf(&b, "%s\n", lead);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s\n", i == 0 ? lead : indent, lines[i]);
	str_list_free(lines);
	return buf_detach(&b);
}

/* Fold for search: ASCII lower case, Latin diacritics stripped, other text kept. */
char *
str_fold(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;
	struct buf b;
	uint32_t cp;
	char c;

	buf_init(&b);
	while (*p != '\0') {
		/* A byte that is not UTF-8 is kept as it is. */
		if ((n = utf8_decode(p, left, &cp)) == 0) {
			n = 1;
			cp = 0xFFFD;
		}
		left -= n;
		c = cp < 0x80 ? (char)cp : cp == 0xDF ? 0 : latin_base(cp);
		if (c != 0) {
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			buf_addc(&b, c);
		} else if (cp == 0xDF) {
			buf_adds(&b, "ss");
		} else {
			buf_add(&b, p, n);
		}
		p += n;
	}
	return buf_detach(&b);
}

/* Whether a NULL-terminated list holds s. */
int
strlist_has(const char **list, const char *s)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The number of strings in a NULL-terminated list. */
size_t
strlist_len(const char **list)
{
	size_t n = 0;

	while (list != NULL && list[n] != NULL)
		n++;
	return n;
}

/* The English country name for international mail, by ISO code. */
const char *
country_name(const char *code)
{
	static const struct {
		const char *code, *name;
	} names[] = {
		{ "AR", "ARGENTINA" },
		{ "AT", "AUSTRIA" },
		{ "AU", "AUSTRALIA" },
		{ "BE", "BELGIUM" },
		{ "BG", "BULGARIA" },
		{ "BR", "BRAZIL" },
		{ "CA", "CANADA" },
		{ "CH", "SWITZERLAND" },
		{ "CL", "CHILE" },
		{ "CN", "CHINA" },
		{ "CO", "COLOMBIA" },
		{ "CR", "COSTA RICA" },
		{ "CU", "CUBA" },
		{ "CY", "CYPRUS" },
		{ "CZ", "CZECHIA" },
		{ "DE", "GERMANY" },
		{ "DK", "DENMARK" },
		{ "DO", "DOMINICAN REPUBLIC" },
		{ "EC", "ECUADOR" },
		{ "EE", "ESTONIA" },
		{ "ES", "SPAIN" },
		{ "FI", "FINLAND" },
		{ "FR", "FRANCE" },
		{ "GB", "UNITED KINGDOM" },
		{ "GR", "GREECE" },
		{ "GT", "GUATEMALA" },
		{ "HN", "HONDURAS" },
		{ "HR", "CROATIA" },
		{ "HT", "HAITI" },
		{ "HU", "HUNGARY" },
		{ "IE", "IRELAND" },
		{ "IN", "INDIA" },
		{ "IT", "ITALY" },
		{ "JM", "JAMAICA" },
		{ "JP", "JAPAN" },
		{ "KR", "SOUTH KOREA" },
		{ "LT", "LITHUANIA" },
		{ "LU", "LUXEMBOURG" },
		{ "LV", "LATVIA" },
		{ "MT", "MALTA" },
		{ "MX", "MEXICO" },
		{ "NI", "NICARAGUA" },
		{ "NL", "NETHERLANDS" },
		{ "NO", "NORWAY" },
		{ "NZ", "NEW ZEALAND" },
		{ "PA", "PANAMA" },
		{ "PE", "PERU" },
		{ "PH", "PHILIPPINES" },
		{ "PL", "POLAND" },
		{ "PT", "PORTUGAL" },
		{ "RO", "ROMANIA" },
		{ "SE", "SWEDEN" },
		{ "SI", "SLOVENIA" },
		{ "SK", "SLOVAKIA" },
		{ "SV", "EL SALVADOR" },
		{ "UA", "UKRAINE" },
		{ "US", "UNITED STATES OF AMERICA" },
		{ "VE", "VENEZUELA" },
		{ "VN", "VIETNAM" },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].code, code) == 0)
			return names[i].name;
	return code;
}

/* Whether dir holds the registry (its schema). */
static int
has_registry(const char *dir)
{
	char *p = xasprintf("%s/brokers/schema.json", dir);
	int ok = access(p, R_OK) == 0;

	free(p);
	return ok;
}

/*
 * Where the registry and letters live: $OPTOUT_DATADIR, else the installed
 * copy, else the folder of the running program when it is a source tree
 * (./optout straight after ./bootstrap, before any 'make install').
 */
const char *
data_dir(void)
{
	static char *found;
	const char *d = getenv("OPTOUT_DATADIR");
	char exe[4096];
	ssize_t n;

	if (d != NULL && *d != '\0')
		return d;
	if (found != NULL)
		return found;
	if (!has_registry(PKGDATADIR)) {
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n > 0) {
			char *dir;

			exe[n] = '\0';
			dir = path_dirname(exe);
			if (has_registry(dir))
				return found = dir;
			free(dir);
		}
	}
	return found = xstrdup(PKGDATADIR);
}

/* Write an octal number, NUL-terminated, in a tar header field of n bytes. */
static void
tar_octal(char *field, size_t n, unsigned long long v)
{
	size_t i;

	memset(field, '0', n - 1);
	field[n - 1] = '\0';
	for (i = n - 1; i > 0 && v > 0; i--, v >>= 3)
		field[i - 1] = (char)('0' + (v & 7));
}

/* Append one member to a tar archive in memory (POSIX ustar); -1 if the name is too long. */
int
tar_add(struct buf *tar, const char *name, const void *data, size_t len, int mode, long long mtime)
{
	char h[512];
	unsigned sum = 0;
	size_t i, nl = strlen(name), dir = len == 0 && nl > 0 && name[nl - 1] == '/';
	static const char zero[512];

	if (nl == 0 || nl > 99)
		return -1;
	memset(h, 0, sizeof h);
	memcpy(h, name, nl + 1); /* with its NUL: the name field is 100 bytes */
	tar_octal(h + 100, 8, (unsigned)mode & 07777);
	tar_octal(h + 108, 8, 0);
	tar_octal(h + 116, 8, 0);
	tar_octal(h + 124, 12, len);
	tar_octal(h + 136, 12, (unsigned long long)(mtime > 0 ? mtime : 0));
	h[156] = dir ? '5' : '0';
	memcpy(h + 257, "ustar", 6); /* "ustar" and its NUL */
	h[263] = '0';                /* version "00", not NUL-terminated */
	h[264] = '0';
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof h; i++)
		sum += (unsigned char)h[i];
	tar_octal(h + 148, 7, sum);
	buf_add(tar, h, sizeof h);
	if (len > 0)
		buf_add(tar, data, len);
	buf_add(tar, zero, (512 - len % 512) % 512);
	return 0;
}

/* Find a file in an archive tar_add made. */
int
tar_find(const struct buf *tar, const char *name, const char **data, size_t *len)
{
	size_t off = 0, size;

	while (off + 512 <= tar->len && tar->data[off] != '\0') {
		const char *h = tar->data + off;

		size = (size_t)strtoull(h + 124, NULL, 8);
		if (off + 512 + size > tar->len)
			return -1;
		if (strncmp(h, name, 100) == 0 && h[156] == '0') {
			*data = h + 512;
			*len = size;
			return 0;
		}
		off += 512 + (size + 511) / 512 * 512;
	}
	return -1;
}

/* End a tar archive (two zero blocks). */
void
tar_end(struct buf *tar)
{
	static const char zero[1024];

	buf_add(tar, zero, sizeof zero);
}

/* Edit distance with adjacent transpositions (optimal string alignment), capped at 255. */
static size_t
str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned char d[33][33];

	if (la > 32 || lb > 32)
		return 255;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1u < v)
				v = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < v)
				v = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1u < v)
				v = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)v;
		}
	}
	return d[la][lb];
}

/* The one candidate closest to word (a typo away), or NULL when none or several tie. */
const char *
str_suggest(const char *word, const char *const *candidates)
{
	size_t i, best = 255, limit = strlen(word) < 6 ? 1 : 2;
	const char *found = NULL;
	int tie = 0;

	for (i = 0; candidates[i] != NULL; i++) {
		size_t dist = str_distance(word, candidates[i]);

		if (dist < best) {
			best = dist;
			found = candidates[i];
			tie = 0;
		} else if (dist == best)
			tie = 1;
	}
	return best <= limit && best > 0 && !tie ? found : NULL;
}

/* Whether optout runs in ephemeral mode (nothing kept on this computer). */
int
ephemeral_mode(void)
{
	const char *e = getenv("OPTOUT_EPHEMERAL");

	return e != NULL && strcmp(e, "1") == 0;
}

/* The refusal for keeping something in ephemeral mode. */
char *
ephemeral_refusal(const char *what)
{
	return xasprintf("--ephemeral: %s would be kept on this computer, so it is not used "
	    "(run without --ephemeral on your own computer)", what);
}

/* Where optout keeps a file or folder of its own data, following the XDG spec. */
char *
data_home_path(const char *name, const char *what, char **cause)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/optout/%s", xdg, name);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.local/share/optout/%s", home, name);
	*cause = xasprintf("cannot find %s: neither XDG_DATA_HOME nor HOME is set", what);
	return NULL;
}
