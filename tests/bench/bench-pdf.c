/*
 * bench-pdf: letters per second, bytes per letter and peak memory of the
 * PDF renderer, for one-page letters in Windows-1252 (base-14 fonts) and
 * with Vietnamese names (embedded DejaVu subsets): a different person on
 * every letter (each needs its own subset), and one person's packet (the
 * subset is made once and reused).  One line per case.
 * Targets on one core (#17): >= 10,000 WinAnsi letters/s at < 3 KB each,
 * and >= 1,500 embedded-font letters/s at < 30 KB each.  Like optout's
 * main, it keeps the heap between letters (heap_keep).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "optout/doc.h"
#include "optout/pdf.h"
#include "optout/util.h"

#define LETTERS 1000

static const char *latin_given[] = { "José", "María", "Ana", "Luis", "Sofía", "Jürgen",
	"François", "Chloé", "Søren", "Íñigo", "Zoë", "João", "Renée", "Björn", "Inês" };
static const char *latin_family[] = { "Núñez", "Peña", "García", "Müller", "Lefèvre",
	"Ødegaard", "Gonçalves", "O'Brien", "Dvorak", "Smith", "Ibáñez" };
static const char *viet_family[] = { "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh",
	"Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý" };
static const char *viet_middle[] = { "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc",
	"Ngọc" };
static const char *viet_given[] = { "Anh", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hương",
	"Khánh", "Linh", "Lộc", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Thảo", "Trung", "Tuấn",
	"Việt", "Xuân", "Yến" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Monotonic time in seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The markup of a typical one-page opt-out letter for one person. */
static char *
letter_markup(const char *name, unsigned i)
{
	return xasprintf(
	    "@paper letter\n"
	    "@ref OPT-2025-%05u\n"
	    "@date November %u, 2025\n"
	    "@subject Re: Request to delete personal information (CCPA)\n"
	    "\n"
	    "@from\n%s\n%u Main Street, Apt %u\nSpringfield, IL 627%02u\n"
	    "\n"
	    "@to\nLexisNexis Risk Solutions\nConsumer Center\nP.O. Box 105108\n"
	    "Atlanta, GA 30348-5108\n"
	    "\n"
	    "To whom it may concern:\n"
	    "\n"
	    "I am writing to request that you delete all personal information you hold about "
	    "me, pursuant to the California Consumer Privacy Act (Cal. Civ. Code 1798.105). "
	    "This request covers every database and product, including data sold or licensed "
	    "to government agencies.\n"
	    "\n"
	    "- Delete all personal information about me, including records obtained from "
	    "third parties.\n"
	    "- Confirm in writing, within 45 days, that you have done so.\n"
	    "- Tell your service providers and contractors to delete it as well.\n"
	    "\n"
	    "My name is %s and I live at the address above. Please do not use this request "
	    "as a reason to collect more information about me than the law allows.\n"
	    "\n"
	    "Sincerely,\n"
	    "\n"
	    "@signature\n%s\n",
	    i, 1 + i % 28, name, 100 + i, 1 + i % 40, i % 100, name, name);
}

/* Build LETTERS documents with names from the given pools (viet 2: one name throughout). */
static struct doc **
make_docs(int viet)
{
	struct doc **docs = xcalloc(LETTERS, sizeof *docs);
	unsigned i;

	for (i = 0; i < LETTERS; i++) {
		char *name, *m, *cause = NULL;

		if (viet == 2)
			name = xstrdup("Nguyễn Thị Hương");
		else if (viet)
			name = xasprintf("%s %s %s", viet_family[i % N(viet_family)],
			    viet_middle[(i / 3) % N(viet_middle)], viet_given[(i / 7) % N(viet_given)]);
		else
			name = xasprintf("%s %s", latin_given[i % N(latin_given)],
			    latin_family[(i / 5) % N(latin_family)]);
		m = letter_markup(name, i);
		docs[i] = doc_parse(m, &cause);
		if (docs[i] == NULL) {
			fprintf(stderr, "bench-pdf: %s\n", cause);
			exit(1);
		}
		free(m);
		free(name);
	}
	return docs;
}

/* Render every document once; print the rate, mean size and peak memory. */
static int
run(const char *label, int viet)
{
	struct doc **docs = make_docs(viet);
	double t0, t1, c0, c1;
	size_t total = 0, i;
	struct rusage ru;
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	c0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	t0 = now();
	for (i = 0; i < LETTERS; i++) {
		unsigned char *out;
		size_t len;
		char *cause = NULL;

		if (pdf_render(docs[i], NULL, &out, &len, &cause) != 0) {
			fprintf(stderr, "bench-pdf: %s\n", cause);
			return -1;
		}
		total += len;
		free(out);
	}
	t1 = now();
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	c1 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	/* Per second of processor time: on a shared machine elapsed time says little. */
	printf("bench-pdf: %-24s %5d letters  %7.0f letters/s elapsed  %7.0f letters/s of "
	    "processor (target %s)  %6.0f bytes/letter  peak RSS %ld KB\n", label, LETTERS,
	    LETTERS / (t1 - t0), LETTERS / (c1 - c0), viet ? ">= 1,500" : ">= 10,000",
	    (double)total / LETTERS, ru.ru_maxrss);
	for (i = 0; i < LETTERS; i++)
		doc_free(docs[i]);
	free(docs);
	return 0;
}

/*
 * bench-peers' side: render the markup in file n times (one letter per
 * document, as a packet does) and write the last PDF to out.
 */
static int
run_file(const char *file, long n, const char *out)
{
	char *markup, *cause = NULL;
	size_t mlen, len = 0;
	unsigned char *pdf = NULL;
	struct doc *d;
	long i;

	if (read_file(file, 1 << 20, &markup, &mlen, &cause) != 0 ||
	    (d = doc_parse(markup, &cause)) == NULL) {
		fprintf(stderr, "bench-pdf: %s\n", cause);
		return 1;
	}
	free(markup);
	for (i = 0; i < n; i++) {
		free(pdf);
		if (pdf_render(d, NULL, &pdf, &len, &cause) != 0) {
			fprintf(stderr, "bench-pdf: %s\n", cause);
			return 1;
		}
	}
	doc_free(d);
	if (write_file_atomic(out, pdf, len, 0600, &cause) != 0) {
		fprintf(stderr, "bench-pdf: %s\n", cause);
		return 1;
	}
	free(pdf);
	pdf_cache_clear();
	return 0;
}

/* Render both cases (or, with --file MARKUP N OUT, one letter N times). */
int
main(int argc, char **argv)
{
	heap_keep();
	if (argc == 5 && strcmp(argv[1], "--file") == 0)
		return run_file(argv[2], strtol(argv[3], NULL, 10), argv[4]);
	if (run("winansi (base-14)", 0) != 0 || run("embedded (Vietnamese)", 1) != 0 ||
	    run("embedded, one person", 2) != 0)
		return 1;
	pdf_cache_clear();
	return 0;
}
