/*
 * Unit tests for the PDF renderer.  Letters are checked the way a person
 * (or a mail room) would see them: poppler's pdftotext, pdffonts, pdfinfo,
 * pdftoppm and pdfimages read the PDF, qpdf checks its structure.  The
 * tools come from the Debian packages poppler-utils and qpdf; a test that
 * needs a missing tool is skipped.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "optout/doc.h"
#include "optout/pdf.h"
#include "optout/ttf.h"
#include "optout/util.h"

static char tmpdir[] = "/tmp/test-pdf-XXXXXX";

#define REF "OPT-TEST-0042"

/* Make the scratch directory for the group. */
static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove the scratch directory and the cached fonts. */
static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	(void)state;
	free(cmd);
	pdf_cache_clear();
	return rc == 0 ? 0 : -1;
}

/* Whether a command is on PATH. */
static int
have(const char *tool)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);
	int rc = system(cmd);

	free(cmd);
	return rc == 0;
}

/* Skip the test unless every tool in the NULL-terminated list exists. */
static void
need(const char *tool, ...)
{
	va_list ap;
	const char *t;

	va_start(ap, tool);
	for (t = tool; t != NULL; t = va_arg(ap, const char *)) {
		if (!have(t)) {
			va_end(ap);
			skip();
		}
	}
	va_end(ap);
}

/* Run a shell command; return its standard output (stderr discarded) and exit status. */
static char *
run(int *status, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *full, chunk[4096];
	struct buf out;
	FILE *p;
	size_t n;
	int st;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	full = xasprintf("%s 2>/dev/null", cmd);
	p = popen(full, "r");
	assert_non_null(p);
	buf_init(&out);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&out, chunk, n);
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	free(cmd);
	free(full);
	if (out.data == NULL)
		buf_addc(&out, '\0');
	return buf_detach(&out);
}

/* Run a command that must succeed; return its output. */
static char *
run_ok(const char *fmt, ...)
{
	va_list ap;
	char *cmd, *out;
	int st;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	out = run(&st, "%s", cmd);
	if (st != 0)
		fail_msg("command failed (%d): %s", st, cmd);
	free(cmd);
	return out;
}

/* Parse markup that must be valid. */
static struct doc *
parse_ok(const char *markup)
{
	char *cause = NULL;
	struct doc *d = doc_parse(markup, &cause);

	if (d == NULL)
		fail_msg("doc_parse: %s", cause);
	return d;
}

/* Render documents and write the PDF to the scratch directory; returns its path. */
static char *
render_many_to(const char *name, const struct doc *const *docs, size_t n,
    const struct pdf_opts *o, size_t *len)
{
	unsigned char *out = NULL;
	char *cause = NULL, *path;
	size_t l;

	if (pdf_render_many(docs, n, o, &out, &l, &cause) != 0)
		fail_msg("pdf_render: %s", cause);
	assert_true(l > 100);
	assert_memory_equal(out, "%PDF-", 5);
	path = path_join(tmpdir, name);
	if (write_file_atomic(path, out, l, 0600, &cause) != 0)
		fail_msg("%s", cause);
	free(out);
	if (len != NULL)
		*len = l;
	return path;
}

/* Render one document to a file in the scratch directory. */
static char *
render_to(const char *name, const struct doc *d, const struct pdf_opts *o, size_t *len)
{
	const struct doc *docs[1];

	docs[0] = d;
	return render_many_to(name, docs, 1, o, len);
}

/* Parse markup and render it to a file. */
static char *
markup_to(const char *name, const char *markup, const struct pdf_opts *o, size_t *len)
{
	struct doc *d = parse_ok(markup);
	char *path = render_to(name, d, o, len);

	doc_free(d);
	return path;
}

/* A complete one-page letter from name; paper is "letter" or "a4". */
static char *
letter_markup(const char *paper, const char *name, int extra_paragraphs)
{
	struct buf b;
	int i;

	buf_init(&b);
	buf_printf(&b, "@paper %s\n@ref " REF "\n@date November 22, 2025\n"
	    "@subject Re: Request to delete personal information\n\n"
	    "@from\n%s\n123 Main Street, Apt 4\nSpringfield, IL 62701\n\n"
	    "@to\nLexisNexis Risk Solutions\nConsumer Center\nP.O. Box 105108\n"
	    "Atlanta, GA 30348-5108\n\n"
	    "To whom it may concern:\n\n"
	    "I request that you delete all personal information you hold about me. This "
	    "covers every database and product, including data sold to government agencies.\n\n"
	    "- Delete all personal information about me.\n"
	    "- Confirm in writing, within 45 days, that you have done so.\n\n",
	    paper, name);
	for (i = 0; i < extra_paragraphs; i++)
		buf_printf(&b, "Paragraph %d. Please do not use this request as a reason to collect "
		    "more information about me than the law allows, and do not sell or share "
		    "what you hold while the request is pending. Keep a record of it.\n\n", i + 1);
	buf_printf(&b, "Sincerely,\n\n@signature\n%s\n\n@enclosures\n- Copy of ID\n", name);
	return buf_detach(&b);
}

/* Whether haystack contains needle. */
static int
contains(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

/* Assert the metadata says only who produced the PDF. */
static void
check_metadata(const char *path, const char *name)
{
	char *info = run_ok("pdfinfo '%s'", path);

	assert_true(contains(info, "Producer:        optout\n"));
	assert_false(contains(info, "Title:"));
	assert_false(contains(info, "Author:"));
	assert_false(contains(info, "Subject:"));
	assert_false(contains(info, "Keywords:"));
	assert_false(contains(info, "Creator:"));
	assert_false(contains(info, name));
	free(info);
}

/* A Western European letter uses base-14 Helvetica: nothing embedded, a small file. */
static void
test_winansi_letter(void **state)
{
	const char *name = "José Núñez Peña";
	char *m = letter_markup("letter", name, 0), *path, *text, *fonts, *check;
	size_t len;

	(void)state;
	need("pdftotext", "pdffonts", "pdfinfo", "qpdf", NULL);
	/* Windows-1252's extras (curly quotes, dashes, the euro) stay in base-14 fonts */
	free(m);
	m = letter_markup("letter", name, 0);
	m = xrealloc(m, strlen(m) + 64);
	strcat(m, "\nA fee of 5 \xe2\x82\xac \xe2\x80\x93 \xe2\x80\x9cnot\xe2\x80\x9d due.\n");
	path = markup_to("winansi.pdf", m, NULL, &len);
	assert_true(len < 3000);
	text = run_ok("pdftotext -layout '%s' -", path);
	assert_true(contains(text, name));
	assert_true(contains(text, "123 Main Street, Apt 4"));
	assert_true(contains(text, "Springfield, IL 62701"));
	assert_true(contains(text, "LexisNexis Risk Solutions"));
	assert_true(contains(text, "Atlanta, GA 30348-5108"));
	assert_true(contains(text, "Re: Request to delete personal information"));
	assert_true(contains(text, "Enclosures:"));
	assert_true(contains(text, "Page 1 of 1"));
	assert_true(contains(text, "Reference: " REF));
	assert_true(contains(text, "A fee of 5 \xe2\x82\xac \xe2\x80\x93 \xe2\x80\x9cnot\xe2\x80\x9d due."));
	fonts = run_ok("pdffonts '%s'", path);
	assert_true(contains(fonts, "Helvetica "));
	assert_true(contains(fonts, "Helvetica-Bold "));
	assert_true(contains(fonts, "WinAnsi"));
	assert_false(contains(fonts, "yes"));   /* emb, sub, uni: all "no" */
	assert_false(contains(fonts, "TrueType"));
	check = run_ok("qpdf --check '%s'", path);
	assert_true(contains(check, "No syntax or stream encoding errors"));
	check_metadata(path, name);
	free(check);
	free(fonts);
	free(text);
	free(path);
	free(m);
}

/* Vietnamese, Cyrillic and Greek names embed a DejaVu subset and print right. */
static void
test_unicode_letters(void **state)
{
	static const char *names[] = { "Nguyễn Văn Anh", "Мария Иванова", "Γιώργος Παπαδόπουλος" };
	size_t i;

	(void)state;
	need("pdftotext", "pdffonts", "pdfinfo", "qpdf", NULL);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *m = letter_markup(i == 0 ? "a4" : "letter", names[i], 0), *file, *path;
		char *text, *fonts, *check;
		size_t len;

		file = xasprintf("unicode-%zu.pdf", i);
		path = markup_to(file, m, NULL, &len);
		assert_true(len < 30000);
		text = run_ok("pdftotext -layout '%s' -", path);
		assert_true(contains(text, names[i]));
		assert_true(contains(text, "Consumer Center"));
		assert_true(contains(text, "P.O. Box 105108"));
		assert_true(contains(text, "Page 1 of 1"));
		assert_true(contains(text, "Reference: " REF));
		fonts = run_ok("pdffonts '%s'", path);
		/* the regular face carries the names: a Type0 font, embedded and subset */
		assert_true(contains(fonts, "+DejaVuSans"));
		assert_true(contains(fonts, "CID TrueType      Identity-H       yes yes"));
		assert_false(contains(fonts, "Helvetica"));
		check = run_ok("qpdf --check '%s'", path);
		assert_true(contains(check, "No syntax or stream encoding errors"));
		check_metadata(path, names[i]);
		free(check);
		free(fonts);
		free(text);
		free(path);
		free(file);
		free(m);
	}
}

/* A long letter paginates: "Page N of M" and the reference on every page. */
static void
test_pagination(void **state)
{
	char *m = letter_markup("letter", "Jane Doe", 14), *path, *info, *p1, *p2;

	(void)state;
	need("pdftotext", "pdfinfo", "qpdf", NULL);
	path = markup_to("long.pdf", m, NULL, NULL);
	info = run_ok("pdfinfo '%s'", path);
	assert_true(contains(info, "Pages:           2\n"));
	p1 = run_ok("pdftotext -layout -f 1 -l 1 '%s' -", path);
	p2 = run_ok("pdftotext -layout -f 2 -l 2 '%s' -", path);
	assert_true(contains(p1, "Page 1 of 2"));
	assert_true(contains(p2, "Page 2 of 2"));
	assert_true(contains(p1, "Reference: " REF));
	assert_true(contains(p2, "Reference: " REF));
	/* the text flows in order across the break, nothing lost */
	assert_true(contains(p1, "Paragraph 1."));
	assert_true(contains(p2, "Paragraph 14."));
	assert_true(contains(p2, "Sincerely,"));
	assert_false(contains(p1, "Sincerely,"));
	free(run_ok("qpdf --check '%s'", path));
	free(p1);
	free(p2);
	free(info);
	free(path);
	free(m);
}

/* Rasterize page 1 (grey, 100 dpi, optionally cropped); return the PGM bytes. */
static char *
raster(const char *pdf, const char *crop, size_t *len)
{
	char *base = xasprintf("%s.r", pdf), *pgm, *data, *cause = NULL;

	free(run_ok("pdftoppm -r 100 -gray %s -f 1 -l 1 -singlefile '%s' '%s'", crop, pdf, base));
	pgm = xasprintf("%s.pgm", base);
	if (read_file(pgm, 8u << 20, &data, len, &cause) != 0)
		fail_msg("%s", cause);
	free(pgm);
	free(base);
	return data;
}

/* Dark pixels in a PGM image, and the first row that has one. */
static size_t
ink(const char *pgm, size_t len, int *top_row)
{
	int w, h, maxval, consumed = 0;
	size_t i, n = 0, start;

	assert_int_equal(sscanf(pgm, "P5 %d %d %d%n", &w, &h, &maxval, &consumed), 3);
	start = (size_t)consumed + 1;
	assert_int_equal(len, start + (size_t)w * (size_t)h);
	*top_row = -1;
	for (i = start; i < len; i++) {
		if ((unsigned char)pgm[i] < 128) {
			n++;
			if (*top_row < 0)
				*top_row = (int)((i - start) / (size_t)w);
		}
	}
	return n;
}

/*
 * The accents of "ễ" are drawn (libharu 2.3.0 alone drops nested composite
 * glyphs and prints "e"): "Nguyễn" and "Nguyen" rasterize differently, and
 * so do "ễ" and "e" on their own.  The Greek Ω in both keeps both in DejaVu.
 */
static void
test_pixels(void **state)
{
	/* the first text line starts 1" from the left and the top: 100 px at 100 dpi */
	const char *crop = "-x 90 -y 85 -W 60 -H 40";
	char *a, *b, *pa, *pb, *ra, *rb;
	size_t la, lb;
	int ta, tb;

	(void)state;
	need("pdftoppm", NULL);
	pa = markup_to("nguyen-accents.pdf", "Nguyễn\n\nΩ\n", NULL, NULL);
	pb = markup_to("nguyen-plain.pdf", "Nguyen\n\nΩ\n", NULL, NULL);
	ra = raster(pa, "", &la);
	rb = raster(pb, "", &lb);
	assert_int_equal(la, lb);
	assert_memory_not_equal(ra, rb, la);
	assert_true(ink(ra, la, &ta) > ink(rb, lb, &tb) + 4);
	free(ra);
	free(rb);
	free(pa);
	free(pb);

	pa = markup_to("e-accents.pdf", "ễ\n\nΩ\n", NULL, NULL);
	pb = markup_to("e-plain.pdf", "e\n\nΩ\n", NULL, NULL);
	a = raster(pa, crop, &la);
	b = raster(pb, crop, &lb);
	assert_int_equal(la, lb);
	assert_memory_not_equal(a, b, la);
	/* both marks sit above the e: the ink starts well higher up */
	assert_true(ink(a, la, &ta) > ink(b, lb, &tb) + 4);
	assert_true(ta >= 0 && tb >= 0);
	assert_true(ta + 3 <= tb);
	free(a);
	free(b);
	free(pa);
	free(pb);
}

/*
 * Render markup that must fail; return the message.  When text is set the
 * problem is in the characters, and pdf_check must report it the same way.
 */
static char *
render_err(const char *markup, const struct pdf_opts *o, int text)
{
	struct doc *d = parse_ok(markup);
	unsigned char *out = NULL;
	char *cause = NULL, *cause2 = NULL;
	size_t len = 0;

	assert_int_equal(pdf_render(d, o, &out, &len, &cause), -1);
	assert_null(out);
	assert_non_null(cause);
	if (text) {
		assert_int_equal(pdf_check(d, o, &cause2), -1);
		assert_string_equal(cause2, cause);
		free(cause2);
	}
	doc_free(d);
	return cause;
}

/* Unprintable text is an error naming the code point and the block, never the text. */
static void
test_errors(void **state)
{
	struct pdf_opts o;
	char *cause;

	(void)state;
	cause = render_err("@to\nمحمد علي\nMain Street 1\n\nHello.\n", NULL, 1);
	assert_true(contains(cause, "U+0645"));
	assert_true(contains(cause, "Arabic"));
	assert_true(contains(cause, "recipient address"));
	assert_true(contains(cause, "line 1"));
	assert_false(contains(cause, "\xd9\x85"));      /* no Arabic text in the message */
	free(cause);

	cause = render_err("@subject Re: שלום\n\nHello.\n", NULL, 1);
	assert_true(contains(cause, "U+05E9"));
	assert_true(contains(cause, "Hebrew"));
	assert_true(contains(cause, "subject line"));
	free(cause);

	cause = render_err("Hello 😀 there.\n", NULL, 1);
	assert_true(contains(cause, "U+1F600"));
	assert_true(contains(cause, "paragraph (block 1"));
	assert_false(contains(cause, "Hello"));
	free(cause);

	cause = render_err("# नमस्ते\n", NULL, 1);
	assert_true(contains(cause, "U+0928"));
	assert_true(contains(cause, "Devanagari"));
	assert_true(contains(cause, "heading"));
	free(cause);

	cause = render_err("中文\n", NULL, 1);
	assert_true(contains(cause, "U+4E2D"));
	free(cause);

	cause = render_err("Bell \a here\n", NULL, 1);
	assert_true(contains(cause, "U+0007"));
	assert_true(contains(cause, "control character"));
	free(cause);

	/* doc_parse refuses bad UTF-8 itself; a document built in C can still carry it */
	{
		char *lines[] = { "ok", "Bad \xff byte" };
		struct doc_block blk = { DOC_LIST, lines, 2 };
		struct doc d;
		unsigned char *out = NULL;
		size_t len;

		memset(&d, 0, sizeof d);
		d.blocks = &blk;
		d.nblocks = 1;
		assert_int_equal(pdf_render(&d, NULL, &out, &len, &cause), -1);
		assert_string_equal(cause, "the list (block 1, line 2): invalid UTF-8");
		free(cause);
	}

	/* a code point DejaVu Sans lacks (Ethiopic) is refused, not printed as "?" */
	cause = render_err("@table\nName | Note\nሀ | x\n", NULL, 1);
	assert_true(contains(cause, "U+1200"));
	assert_true(contains(cause, "table (block 1, row 2)"));
	free(cause);

	cause = render_err("@to\nA\nB\nC\nD\nE\nF\nG\nH\nI\n\nHi.\n", NULL, 0);
	assert_true(contains(cause, "recipient address has 9 lines"));
	free(cause);

	memset(&o, 0, sizeof o);
	o.font_dir = "/nonexistent-fonts";
	cause = render_err("Nguyễn\n", &o, 1);
	assert_true(contains(cause, "/nonexistent-fonts/DejaVuSans.ttf"));
	free(cause);
	/* Western text needs no font files at all */
	{
		struct doc *d = parse_ok("José\n");

		assert_int_equal(pdf_check(d, &o, &cause), 0);
		doc_free(d);
	}
}

/* A document built in C rather than parsed renders the same way. */
static void
test_doc_struct(void **state)
{
	char *to[] = { "Équipe Données", "10 rue de la Paix", "75002 Paris" };
	char *para[] = { "Madame, Monsieur, je vous prie de supprimer mes données." };
	struct doc_block blocks[2];
	struct doc d;
	char *path, *text, *cause = NULL;

	(void)state;
	need("pdftotext", "pdfinfo", NULL);
	memset(&d, 0, sizeof d);
	blocks[0].kind = DOC_TO, blocks[0].lines = to, blocks[0].nlines = 3;
	blocks[1].kind = DOC_PARAGRAPH, blocks[1].lines = para, blocks[1].nlines = 1;
	d.paper = DOC_PAPER_A4;
	d.subject = "Objet : droit à l'effacement (RGPD, art. 17)";
	d.ref = "R-1";
	d.blocks = blocks;
	d.nblocks = 2;
	assert_int_equal(pdf_check(&d, NULL, &cause), 0);
	path = render_to("struct.pdf", &d, NULL, NULL);
	text = run_ok("pdftotext -layout '%s' -", path);
	assert_true(contains(text, "Équipe Données"));
	assert_true(contains(text, "75002 Paris"));
	assert_true(contains(text, "Objet : droit à l'effacement"));
	assert_true(contains(text, "Reference: R-1"));
	free(text);
	text = run_ok("pdfinfo '%s'", path);
	assert_true(contains(text, "595.276 x 841.89 pts (A4)"));
	free(text);
	free(path);
}

/* Read a word's box from pdftotext -bbox output (points from the top-left). */
static void
word_box(const char *xml, const char *word, double box[4])
{
	char *tag = xasprintf(">%s</word>", word);
	const char *end = strstr(xml, tag), *start = end;

	if (end == NULL)
		fail_msg("word %s not found", word);
	while (start > xml && strncmp(start, "<word", 5) != 0)
		start--;
	assert_int_equal(sscanf(start, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"",
	    &box[0], &box[1], &box[2], &box[3]), 4);
	free(tag);
}

/* The recipient lands in the window of a #10 (Letter) and a DL (A4, DIN 5008 B) envelope. */
static void
test_window_position(void **state)
{
	char *m, *path, *xml;
	double b[4], mm = 72 / 25.4;

	(void)state;
	need("pdftotext", NULL);
	/* #10: window 7/8" to 5 3/8" from the left; 2.04" to 3.17" from the top when folded */
	m = letter_markup("letter", "Jane Doe", 0);
	path = markup_to("window-letter.pdf", m, NULL, NULL);
	xml = run_ok("pdftotext -bbox '%s' -", path);
	word_box(xml, "LexisNexis", b);
	assert_true(b[0] >= 0.875 * 72 && b[1] >= 2.04 * 72);
	word_box(xml, "30348-5108", b);
	assert_true(b[2] <= 5.375 * 72 && b[3] <= 3.17 * 72);
	/* the sender stays above the window even if the letter slides up 0.46" */
	word_box(xml, "62701", b);
	assert_true(b[3] <= (2.04 - 0.46) * 72);
	free(xml);
	free(path);
	free(m);

	/* DL, DIN 5008 form B: address zone 62.7-90 mm from the top, 20-105 mm from the left */
	m = letter_markup("a4", "Jane Doe", 0);
	path = markup_to("window-a4.pdf", m, NULL, NULL);
	xml = run_ok("pdftotext -bbox '%s' -", path);
	word_box(xml, "LexisNexis", b);
	assert_true(b[0] >= 20 * mm && b[1] >= 62.7 * mm);
	word_box(xml, "30348-5108", b);
	assert_true(b[2] <= 105 * mm && b[3] <= 90 * mm);
	/* the return line sits in the remark zone above it, 45-62.7 mm */
	word_box(xml, "Doe,", b);
	assert_true(b[1] >= 45 * mm && b[3] <= 62.7 * mm);
	free(xml);
	free(path);
	free(m);
}

/* Several letters in one PDF: numbering restarts, and duplex starts each on an odd page. */
static void
test_many_duplex(void **state)
{
	struct doc *d[3];
	struct pdf_opts o;
	char *m, *path, *info, *text, *page;

	(void)state;
	need("pdftotext", "pdfinfo", "qpdf", NULL);
	m = letter_markup("letter", "Ann One", 0);
	d[0] = parse_ok(m);
	free(m);
	m = letter_markup("letter", "Bob Two", 14);
	d[1] = parse_ok(m);
	free(m);
	m = letter_markup("a4", "Chloé Trois", 0);
	d[2] = parse_ok(m);
	free(m);

	path = render_many_to("many.pdf", (const struct doc *const *)d, 3, NULL, NULL);
	info = run_ok("pdfinfo '%s'", path);
	assert_true(contains(info, "Pages:           4\n"));
	free(info);
	page = run_ok("pdftotext -layout -f 2 -l 2 '%s' -", path);
	assert_true(contains(page, "Bob Two") && contains(page, "Page 1 of 2"));
	free(page);
	page = run_ok("pdftotext -layout -f 4 -l 4 '%s' -", path);
	assert_true(contains(page, "Chloé Trois") && contains(page, "Page 1 of 1"));
	free(page);
	free(path);

	memset(&o, 0, sizeof o);
	o.duplex = 1;
	path = render_many_to("many-duplex.pdf", (const struct doc *const *)d, 3, &o, NULL);
	info = run_ok("pdfinfo '%s'", path);
	assert_true(contains(info, "Pages:           5\n"));       /* 1 + blank, 2, 1 */
	free(info);
	page = run_ok("pdftotext -f 2 -l 2 '%s' -", path);
	assert_true(page[strspn(page, " \n\f")] == '\0');       /* the blank page */
	free(page);
	page = run_ok("pdftotext -layout -f 3 -l 3 '%s' -", path);
	assert_true(contains(page, "Bob Two") && contains(page, "Page 1 of 2"));
	free(page);
	page = run_ok("pdftotext -layout -f 5 -l 5 '%s' -", path);
	assert_true(contains(page, "Chloé Trois") && contains(page, "Page 1 of 1"));
	free(page);
	page = run_ok("pdftotext -layout -f 4 -l 4 '%s' -", path);
	assert_true(contains(page, "Page 2 of 2"));
	free(page);
	text = run_ok("qpdf --check '%s'", path);
	free(text);
	free(path);
	doc_free(d[0]);
	doc_free(d[1]);
	doc_free(d[2]);
}

/* A table longer than a page repeats its header; long cells wrap inside their column. */
static void
test_table(void **state)
{
	struct buf b;
	char *path, *p1, *p2, *all, *m;
	int i;

	(void)state;
	need("pdftotext", "pdfinfo", "qpdf", NULL);
	buf_init(&b);
	buf_adds(&b, "# Requests\n\n@table\nBroker | Channel | Status\n");
	for (i = 1; i <= 70; i++)
		buf_printf(&b, "Broker number %d | postal | sent, awaiting the reply%s\n", i,
		    i == 3 ? " that the law requires within forty-five days of receipt of the "
		    "request, extendable once by another forty-five days with notice" : "");
	m = buf_detach(&b);
	path = markup_to("table.pdf", m, NULL, NULL);
	p1 = run_ok("pdftotext -layout -f 1 -l 1 '%s' -", path);
	p2 = run_ok("pdftotext -layout -f 2 -l 2 '%s' -", path);
	all = run_ok("pdftotext -layout '%s' -", path);
	assert_true(contains(p1, "Broker") && contains(p1, "Channel") && contains(p1, "Status"));
	assert_true(contains(p2, "Broker") && contains(p2, "Channel") && contains(p2, "Status"));
	assert_true(contains(p2, "Page 2 of"));
	for (i = 1; i <= 70; i++) {
		char *row = xasprintf("Broker number %d ", i);

		assert_true(contains(all, row));
		free(row);
	}
	assert_true(contains(p1, "extendable once"));
	free(run_ok("qpdf --check '%s'", path));
	free(all);
	free(p1);
	free(p2);
	free(path);
	free(m);
}

/* A word longer than the line breaks between characters; nothing is lost. */
static void
test_long_word(void **state)
{
	struct buf b;
	char *path, *text, *m, *word;
	size_t i, j, lines = 0;

	(void)state;
	need("pdftotext", NULL);
	buf_init(&b);
	for (i = 0; i < 12; i++)
		buf_adds(&b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	word = buf_detach(&b);
	m = xasprintf("Start %s end.\n", word);
	path = markup_to("longword.pdf", m, NULL, NULL);
	text = run_ok("pdftotext '%s' -", path);
	/* join the lines back together */
	for (i = 0, j = 0; text[i] != '\0'; i++) {
		if (text[i] == '\n')
			lines++;
		else
			text[j++] = text[i];
	}
	text[j] = '\0';
	assert_true(lines >= 3);
	assert_true(contains(text, word));
	assert_true(contains(text, "Start"));
	free(text);
	free(path);
	free(m);
	free(word);
}

/* A signature image is drawn above the name; a bad one is reported by file name. */
static void
test_signature(void **state)
{
	struct pdf_opts o;
	char *m = letter_markup("letter", "Jane Doe", 0), *plain, *png, *signed_pdf, *list;
	char *cause, *bogus;

	(void)state;
	need("pdftoppm", "pdfimages", "pdftotext", "qpdf", NULL);
	/* any real PNG will do: rasterize a small letter */
	plain = markup_to("unsigned.pdf", m, NULL, NULL);
	png = xasprintf("%s/signature", tmpdir);
	free(run_ok("pdftoppm -png -r 12 -singlefile '%s' '%s'", plain, png));
	free(png);
	png = xasprintf("%s/signature.png", tmpdir);
	list = run_ok("pdfimages -list '%s'", plain);
	assert_false(contains(list, "image "));
	free(list);

	memset(&o, 0, sizeof o);
	o.signature_image = png;
	signed_pdf = markup_to("signed.pdf", m, &o, NULL);
	list = run_ok("pdfimages -list '%s'", signed_pdf);
	assert_true(contains(list, "image "));
	free(list);
	free(run_ok("qpdf --check '%s'", signed_pdf));

	o.signature_image = "/nonexistent/sig.png";
	cause = render_err("Hi.\n\n@signature\nJane\n", &o, 0);
	assert_true(contains(cause, "/nonexistent/sig.png"));
	free(cause);
	bogus = path_join(tmpdir, "sig.txt");
	assert_int_equal(write_file_atomic(bogus, "not an image", 12, 0600, &cause), 0);
	o.signature_image = bogus;
	cause = render_err("Hi.\n\n@signature\nJane\n", &o, 0);
	assert_true(contains(cause, "neither PNG nor JPEG"));
	free(cause);
	free(bogus);
	free(signed_pdf);
	free(png);
	free(plain);
	free(m);
}

/* Count this process's open file descriptors. */
static size_t
open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL)
		n++;
	closedir(dir);
	return n;
}

/* The in-memory font files are closed once the PDF is done: no descriptor leaks. */
static void
test_no_fd_leak(void **state)
{
	char *m = letter_markup("letter", "Trần Thị Hương", 0), *cause = NULL;
	struct doc *d = parse_ok(m);
	unsigned char *out;
	size_t before, len;
	int i;

	(void)state;
	/* the first render loads the fonts; count after it */
	assert_int_equal(pdf_render(d, NULL, &out, &len, &cause), 0);
	free(out);
	before = open_fds();
	for (i = 0; i < 5; i++) {
		assert_int_equal(pdf_render(d, NULL, &out, &len, &cause), 0);
		free(out);
	}
	assert_int_equal(open_fds(), before);
	doc_free(d);
	free(m);
}

/*
 * A glyph set whose font, as libharu used to re-write it, ended exactly on
 * one of its 4 KiB stream blocks (found by fuzz-doc with DejaVu Sans 2.37):
 * an empty hinting table there made libharu fail to write the document.
 * Fonts are now written as objects of their own; the set must still print.
 */
static void
test_font_block_boundary(void **state)
{
	static const char text[] = "m\xd0\x9cGSUB\xd0\xb8\xd1\x8f\xd0\x98\xd0\xb2\xd0\xbd\xd0\xbe"
	    "lstr\xc3\x9f" "205n.i\n";
	char *path, *body;
	size_t len;

	(void)state;
	need("pdftotext", "qpdf", NULL);
	path = markup_to("boundary.pdf", text, NULL, &len);
	body = run_ok("pdftotext '%s' -", path);
	assert_true(contains(body, "m\xd0\x9cGSUB\xd0\xb8\xd1\x8f\xd0\x98\xd0\xb2\xd0\xbd\xd0\xbe"
	    "lstr\xc3\x9f" "205n.i"));
	free(body);
	body = run_ok("qpdf --check '%s'", path);
	assert_true(contains(body, "No syntax or stream encoding errors"));
	free(body);
	free(path);
}

/*
 * An embedded face is a Type0 font over the subset's glyph ids: an
 * Identity CID-to-glyph map rather than libharu's 65,536-entry one, widths
 * for the drawn characters only, and a ToUnicode CMap through which
 * Spanish, Vietnamese, Cyrillic and Greek text extracts exactly.
 */
static void
test_embedded_fonts(void **state)
{
	static const char *lines[] = {
		"¿Señora Íñiguez? ¡Sí! Año, pingüino, acción, Ñandú.",
		"Nguyễn Thị Hương, Đặng Quốc Việt, Phạm Ngọc Yến.",
		"Мария Иванова, Γιώργος Παπαδόπουλος, Łódź, Ærøskøbing.",
	};
	struct buf m;
	char *path, *qdf, *text, *fonts, *cmd;
	size_t len, i, qlen;
	char *cause = NULL;

	(void)state;
	need("pdftotext", "pdffonts", "qpdf", (const char *)NULL);
	buf_init(&m);
	buf_printf(&m, "@paper letter\n@ref " REF "\n@subject Re: Solicitud de Nguyễn\n\n");
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		buf_printf(&m, "%s\n\n", lines[i]);
	path = markup_to("embedded.pdf", m.data, NULL, &len);
	text = run_ok("pdftotext -layout '%s' -", path);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		assert_true(contains(text, lines[i]));
	assert_true(contains(text, "Re: Solicitud de Nguyễn"));
	assert_true(contains(text, "Reference: " REF));
	fonts = run_ok("pdffonts '%s'", path);
	/* both faces, the bold one too, as subset CID fonts with a ToUnicode map */
	assert_true(contains(fonts, "+DejaVuSans "));
	assert_true(contains(fonts, "+DejaVuSans-Bold "));
	assert_false(contains(fonts, "WinAnsi"));
	assert_false(contains(fonts, "no  "));

	/* the objects, uncompressed */
	qdf = path_join(tmpdir, "embedded-qdf.pdf");
	free(run_ok("qpdf --qdf --object-streams=disable '%s' '%s'", path, qdf));
	cmd = NULL;
	if (read_file(qdf, 1 << 24, &cmd, &qlen, &cause) != 0)
		fail_msg("%s", cause);
	assert_true(contains(cmd, "/Subtype /CIDFontType2"));
	assert_true(contains(cmd, "/CIDToGIDMap /Identity"));
	assert_true(contains(cmd, "/Ordering (Identity)"));
	assert_true(contains(cmd, "/Encoding /Identity-H"));
	assert_true(contains(cmd, "/FontFile2"));
	assert_true(contains(cmd, "/CMapName /Adobe-Identity-UCS def"));
	/* "ễ" is the regular face's last code point, U+1EC5 */
	assert_true(contains(cmd, "<1EC5>\n"));
	/* libharu's map alone was 131,070 bytes uncompressed */
	assert_true(qlen < 60000);
	free(cmd);
	free(qdf);
	free(fonts);
	free(text);
	free(path);
	buf_free(&m);
}

/* Read a big-endian 16-bit value. */
static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * Make a font's format 4 cmap send code point from to glyph gid.  The
 * subsetter writes the segment holding from with a glyphIdArray (printable
 * ASCII and U+0103 are merged into one); the checksums are left stale, as
 * the reader does not need them.
 */
static void
cmap_redirect(unsigned char *font, size_t len, uint32_t from, unsigned gid)
{
	unsigned n = be16(font + 4), i, k, segx2;
	const unsigned char *e;
	unsigned char *c = NULL, *t;

	for (i = 0; i < n; i++) {
		e = font + 12 + 16 * (size_t)i;
		if (memcmp(e, "cmap", 4) == 0)
			c = font + ((size_t)e[8] << 24 | (size_t)e[9] << 16 | (size_t)e[10] << 8 | e[11]);
	}
	assert_non_null(c);
	assert_true(c + 40 < font + len);
	t = c + ((size_t)c[8] << 24 | (size_t)c[9] << 16 | (size_t)c[10] << 8 | c[11]);
	assert_int_equal(be16(t), 4);
	segx2 = be16(t + 6);
	for (k = 0; k < segx2 / 2; k++) {
		unsigned end = be16(t + 14 + 2 * k), start = be16(t + 16 + segx2 + 2 * k);
		unsigned char *ro = t + 16 + 3 * segx2 + 2 * k, *slot;

		if (from < start || from > end)
			continue;
		assert_true(be16(ro) != 0);
		slot = ro + be16(ro) + 2 * (from - start);
		assert_true(slot + 2 <= font + len);
		slot[0] = (unsigned char)(gid >> 8);
		slot[1] = (unsigned char)(gid & 0xFF);
		return;
	}
	fail_msg("U+%04X is in no cmap segment", (unsigned)from);
}

/*
 * A font that draws two characters with one glyph gets a CID-to-glyph map
 * (not /Identity), and the text still extracts as the two characters.
 */
static void
test_shared_glyph(void **state)
{
	uint32_t cps[100];
	size_t n = 0, flen, len;
	unsigned char *font = NULL;
	struct ttf_font *src = NULL, *sub = NULL;
	char *cause = NULL, *dir, *path, *pdf, *text, *qdf, *objs, *src_path;
	struct pdf_opts o;
	uint32_t c;

	(void)state;
	need("pdftotext", "qpdf", (const char *)NULL);
	for (c = 0x20; c < 0x7F; c++)
		cps[n++] = c;
	cps[n++] = 0x0103;      /* ă: beyond Windows-1252, so the font is embedded */
	cps[n++] = 0x2022;      /* the list bullet */
	src_path = path_join(PDF_FONT_DIR, "DejaVuSans.ttf");
	if (ttf_load_file(src_path, &src, &cause) != 0 ||
	    ttf_subset(src, cps, n, &font, &flen, &cause) != 0 ||
	    ttf_parse(font, flen, "subset", &sub, &cause) != 0)
		fail_msg("%s", cause);
	/* "Q" now prints with the glyph of "O" */
	cmap_redirect(font, flen, 'Q', ttf_glyph_id(sub, 'O'));
	ttf_free(sub);
	sub = NULL;
	assert_int_equal(ttf_parse(font, flen, "patched", &sub, &cause), 0);
	assert_int_equal(ttf_glyph_id(sub, 'Q'), ttf_glyph_id(sub, 'O'));
	dir = path_join(tmpdir, "shared-fonts");
	assert_int_equal(mkdir(dir, 0700), 0);
	path = path_join(dir, "DejaVuSans.ttf");
	if (write_file_atomic(path, font, flen, 0600, &cause) != 0)
		fail_msg("%s", cause);
	free(path);
	path = path_join(dir, "DejaVuSans-Bold.ttf");
	free(src_path);
	src_path = path_join(PDF_FONT_DIR, "DejaVuSans-Bold.ttf");
	assert_int_equal(symlink(src_path, path), 0);

	memset(&o, 0, sizeof o);
	o.font_dir = dir;
	pdf = markup_to("shared.pdf", "@paper letter\n@ref " REF "\n\nQuota of ăn: ODD QUOTES.\n",
	    &o, &len);
	text = run_ok("pdftotext -layout '%s' -", pdf);
	assert_true(contains(text, "Quota of ăn: ODD QUOTES."));
	qdf = path_join(tmpdir, "shared-qdf.pdf");
	free(run_ok("qpdf --qdf --object-streams=disable '%s' '%s'", pdf, qdf));
	if (read_file(qdf, 1 << 24, &objs, &len, &cause) != 0)
		fail_msg("%s", cause);
	assert_true(contains(objs, "/CIDToGIDMap "));
	assert_false(contains(objs, "/CIDToGIDMap /Identity"));
	free(run_ok("qpdf --check '%s'", pdf));
	pdf_cache_clear();      /* the next tests use the real fonts */
	free(objs);
	free(qdf);
	free(text);
	free(pdf);
	free(path);
	free(dir);
	free(src_path);
	free(font);
	ttf_free(sub);
	ttf_free(src);
}

/* Render markup in memory, failing the test on error. */
static unsigned char *
render_mem(const char *markup, size_t *len)
{
	struct doc *d = parse_ok(markup);
	unsigned char *out = NULL;
	char *cause = NULL;

	if (pdf_render(d, NULL, &out, len, &cause) != 0)
		fail_msg("pdf_render: %s", cause);
	doc_free(d);
	return out;
}

/*
 * Fonts made for one letter are reused for the next with the same
 * characters: the same bytes whether the font was made or taken from the
 * cache, after other names have come and gone, and each name still prints.
 */
static void
test_font_reuse(void **state)
{
	static const char *names[] = { "Nguyễn Văn Anh", "Trần Thị Bình", "Lê Hữu Cường",
		"Phạm Đức Dũng", "Hoàng Minh Giang", "Huỳnh Thanh Hải" };
	unsigned char *first, *again;
	size_t flen, alen, len, i;
	char *m, *path, *text, *cause = NULL;

	(void)state;
	need("pdftotext", (const char *)NULL);
	pdf_cache_clear();
	m = letter_markup("letter", names[0], 0);
	first = render_mem(m, &flen);
	again = render_mem(m, &alen);
	assert_int_equal(alen, flen);
	assert_memory_equal(again, first, flen);
	free(again);
	/* more names than the cache holds, then the first one again */
	for (i = 1; i < sizeof names / sizeof names[0]; i++) {
		char *other = letter_markup("letter", names[i], 0), *file;

		file = xasprintf("reuse-%zu.pdf", i);
		path = markup_to(file, other, NULL, &len);
		text = run_ok("pdftotext -layout '%s' -", path);
		assert_true(contains(text, names[i]));
		free(text);
		free(path);
		free(file);
		free(other);
	}
	again = render_mem(m, &alen);
	assert_int_equal(alen, flen);
	assert_memory_equal(again, first, flen);
	path = path_join(tmpdir, "reuse-0.pdf");
	if (write_file_atomic(path, again, alen, 0600, &cause) != 0)
		fail_msg("%s", cause);
	text = run_ok("pdftotext -layout '%s' -", path);
	assert_true(contains(text, names[0]));
	free(text);
	free(path);
	free(again);
	free(first);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_winansi_letter),
		cmocka_unit_test(test_unicode_letters),
		cmocka_unit_test(test_pagination),
		cmocka_unit_test(test_pixels),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_doc_struct),
		cmocka_unit_test(test_window_position),
		cmocka_unit_test(test_many_duplex),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_word),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_font_block_boundary),
		cmocka_unit_test(test_embedded_fonts),
		cmocka_unit_test(test_shared_glyph),
		cmocka_unit_test(test_font_reuse),
	};

	return cmocka_run_group_tests_name("pdf", tests, setup, teardown);
}
