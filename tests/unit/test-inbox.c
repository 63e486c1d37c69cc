/* Unit tests for inbox: parsing replies, finding the reference, classifying, the link rule. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optout/inbox.h"
#include "optout/util.h"

static const char *const domains[] = { "accepts.test", NULL };

/* Parse a message that must parse. */
static struct reply *
parse(const char *s)
{
	char *cause = NULL;
	struct reply *r = reply_parse(s, strlen(s), &cause);

	if (r == NULL)
		fail_msg("%s", cause);
	return r;
}

/* The class of a message. */
static enum reply_class
classify(const char *s, struct reply_verdict *v)
{
	struct reply *r = parse(s);

	reply_classify(r, domains, v);
	reply_free(r);
	return v->cls;
}

/* Headers: folding, RFC 2047 in B and Q, ISO-8859-1 to UTF-8, From with a comment. */
static void
test_headers(void **state)
{
	struct reply *r;

	(void)state;
	r = parse("From: \"A B\" <Privacy@Accepts.TEST>\r\n"
		  "Subject: =?UTF-8?B?w6k=?=\r\n =?ISO-8859-1?Q?_n=FAmero?= done\r\n"
		  "Message-ID: <x1@accepts.test>\r\n"
		  "In-Reply-To: <OPT-ABCD-EFGH.1@clinic.test>\r\n\r\nhi\r\n");
	assert_string_equal(r->from_addr, "privacy@accepts.test");
	assert_string_equal(r->subject, "é número done");
	assert_string_equal(r->message_id, "x1@accepts.test");
	assert_string_equal(r->refs[0], "OPT-ABCD-EFGH.1@clinic.test");
	reply_free(r);
	r = parse("From: MAILER-DAEMON@mail.test (Mail Delivery System)\n\nx\n");
	assert_string_equal(r->from_addr, "mailer-daemon@mail.test");
	reply_free(r);
}

/* Bodies: multipart, QP with soft breaks, base64, HTML only, Latin-1, invalid UTF-8. */
static void
test_bodies(void **state)
{
	struct reply *r;

	(void)state;
	r = parse("Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\n"
		  "Content-Type: text/plain; charset=iso-8859-1\n"
		  "Content-Transfer-Encoding: quoted-printable\n\ninformaci=F3n adicio=\nnal\n"
		  "--b\nContent-Type: text/html\n\n<p>other</p>\n--b--\n");
	assert_non_null(strstr(r->text, "información adicional"));
	reply_free(r);
	r = parse("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGFzIGJlZW4g\nZGVsZXRlZA==\n");
	assert_string_equal(r->text, "has been deleted");
	reply_free(r);
	r = parse("Content-Type: text/html\n\n<p>Hello &amp; bye</p><script>x</script>"
		  "<a href=\"https://a.accepts.test/v\">v</a>\n");
	assert_non_null(strstr(r->text, "Hello & bye"));
	assert_null(strstr(r->text, "x</script>"));
	assert_string_equal(r->links[0], "https://a.accepts.test/v");
	reply_free(r);
	r = parse("Subject: s\n\nbad \xff byte\n");
	assert_non_null(strstr(r->text, "bad \xef\xbf\xbd byte"));
	reply_free(r);
}

/* The reference: from our Message-ID, the subject, the text; not inside a longer word. */
static void
test_reference(void **state)
{
	struct reply *r;
	char ref[16];

	(void)state;
	r = parse("References: <a@b> <opt-abcd-efgh.2@clinic.test>\n\nx\n");
	assert_int_equal(reply_reference(r, ref), 1);
	assert_string_equal(ref, "OPT-ABCD-EFGH");
	reply_free(r);
	r = parse("Subject: Re: [OPT-0123-4567]\n\nx\n");
	assert_int_equal(reply_reference(r, ref), 1);
	assert_string_equal(ref, "OPT-0123-4567");
	reply_free(r);
	/* I, L, O and U are not in the alphabet, and a longer word is not a reference. */
	r = parse("Subject: OPT-ILOU-0000 and XOPT-ABCD-EFGH and OPT-ABCD-EFGHJ\n\nx\n");
	assert_int_equal(reply_reference(r, ref), 0);
	reply_free(r);
}

/* Each class, the quote of a denial, and the link rule. */
static void
test_classes(void **state)
{
	struct reply_verdict v;

	(void)state;
	assert_int_equal(classify("Subject: x\n\nWe have received your request.\n", &v),
	    RC_ACKNOWLEDGED);
	reply_verdict_clear(&v);
	assert_int_equal(classify("Subject: x\n\nHello. We are unable to process your request "
				  "because it is exempt. Bye.\n", &v), RC_DENIED);
	assert_string_equal(v.quote, "We are unable to process your request because it is exempt.");
	reply_verdict_clear(&v);
	assert_int_equal(classify("Subject: x\n\nYour data has been deleted.\n", &v), RC_COMPLETED);
	reply_verdict_clear(&v);
	assert_int_equal(classify("Subject: x\n\nPlease provide a copy of your bill.\n", &v),
	    RC_MORE_INFO);
	reply_verdict_clear(&v);
	assert_int_equal(classify("Subject: Automatic reply: x\nAuto-Submitted: auto-replied\n\n"
				  "I am out of the office.\n", &v), RC_AUTO_REPLY);
	reply_verdict_clear(&v);
	assert_int_equal(classify("Subject: x\n\nThanks for writing.\n", &v), RC_UNKNOWN);
	reply_verdict_clear(&v);
	assert_int_equal(classify("From: MAILER-DAEMON@x.test\nSubject: Undelivered Mail\n\nx\n",
	    &v), RC_BOUNCED);
	reply_verdict_clear(&v);
	/* The link is given only on the broker's own domain, https only. */
	assert_int_equal(classify("Subject: x\n\nPlease click the link: "
				  "https://evil.example/accepts.test http://accepts.test/a "
				  "https://www.accepts.test/confirm?t=1.\n", &v), RC_VERIFICATION);
	assert_string_equal(v.link, "https://www.accepts.test/confirm?t=1");
	assert_int_equal(v.link_withheld, 0);
	reply_verdict_clear(&v);
	assert_int_equal(classify("Subject: x\n\nClick the link https://accepts.test.evil.example/"
				  " or https://user@accepts.test@evil.example/\n", &v), RC_VERIFICATION);
	assert_null(v.link);
	assert_int_equal(v.link_withheld, 1);
	reply_verdict_clear(&v);
}

/* Not a message at all, and limits. */
static void
test_refused(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_null(reply_parse("", 0, &cause));
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_null(reply_parse("just words\n\nmore", 16, &cause));
	assert_string_equal(cause, "not an email message: no header fields");
	free(cause);
	assert_true(inbox_host_matches("a.b.accepts.test", domains));
	assert_false(inbox_host_matches("notaccepts.test", domains));
	assert_string_equal(inbox_addr_domain("x@y.test"), "y.test");
	assert_null(inbox_addr_domain("nothing"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_reference),
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("inbox", tests, NULL, NULL);
}
