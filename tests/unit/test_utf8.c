/* test_utf8.c - strings from the target shown safely: in a terminal
 * (md_text_safe), in JSON (md_json_str) and as Prometheus label values
 * (md_prom_label).  Each output is checked byte for byte. */
#include <stdlib.h>
#include "md_test.h"
#include "utf8.h"
#include "json.h"
#include "prom.h"

static char *capture_json(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	md_json_str(f, s);
	fclose(f);
	return buf;
}

static char *capture_label(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	md_prom_label(f, "var", s);
	fclose(f);
	return buf;
}

static void seq(const char *bytes, size_t want, uint32_t want_cp)
{
	uint32_t cp = 0;
	size_t got = md_utf8_seq((const unsigned char *)bytes, &cp);
	T_EQ(got, want);
	if (want)
		T_EQ(cp, want_cp);
}

static void safe(const char *in, const char *want)
{
	char buf[64];
	T_STR(md_text_safe(in, buf, sizeof buf), want);
}

static void json(const char *in, const char *want)
{
	char *got = capture_json(in);
	T_STR(got, want);
	free(got);
}

static void label(const char *in, const char *want)
{
	char *got = capture_label(in);
	T_STR(got, want);
	free(got);
}

int main(void)
{
	/* Well-formed sequences of each length, and what RFC 3629 rules out. */
	seq("a", 1, 'a');
	seq("\xc3\xa9", 2, 0xe9);
	seq("\xe2\x82\xac", 3, 0x20ac);
	seq("\xf0\x9f\x98\x80", 4, 0x1f600);
	seq("", 0, 0);
	seq("\xc0\xaf", 0, 0);             /* overlong '/' */
	seq("\xe0\x80\xaf", 0, 0);         /* overlong, 3 bytes */
	seq("\xed\xa0\x80", 0, 0);         /* surrogate U+D800 */
	seq("\xf4\x90\x80\x80", 0, 0);     /* above U+10FFFF */
	seq("\xe2\x82", 0, 0);             /* cut short by the NUL */
	seq("\x80", 0, 0);                 /* a lone continuation byte */
	seq("\xff", 0, 0);

	T(md_utf8_is_control(0x1b) && md_utf8_is_control(0x7f) &&
	  md_utf8_is_control(0x85) && md_utf8_is_control(0));
	T(!md_utf8_is_control(' ') && !md_utf8_is_control(0xa0) &&
	  !md_utf8_is_control(0xe9));

	/* The terminal: printable text unchanged (the same pointer), control
	 * characters and bad bytes as \xNN. */
	{
		const char *plain = "main.cache caf\xc3\xa9";
		char buf[64];
		T(md_text_safe(plain, buf, sizeof buf) == plain, "printable text is not copied");
	}
	safe("a\x1b[31mb", "a\\x1b[31mb");
	safe("line\nbreak\t", "line\\x0abreak\\x09");
	safe("x\xffy", "x\\xffy");
	safe("\xc2\x85", "\\xc2\\x85");              /* C1 NEL */
	safe("\xe2\x82", "\\xe2\\x82");
	{
		/* Cut at a character when the buffer is small: never half an
		 * escape or half a sequence. */
		char small[8];
		const char *got = md_text_safe("ab\x1b\x1b\x1b", small, sizeof small);
		T_STR(got, "ab\\x1b");
		got = md_text_safe("\x01\xc3\xa9\xc3\xa9\xc3\xa9", small, sizeof small);
		T_STR(got, "\\x01\xc3\xa9");
	}

	/* JSON: RFC 8259 escapes, every control character as \u00XX, invalid
	 * bytes as \ufffd (ASCII) so that the document stays valid UTF-8. */
	json("main.cache", "\"main.cache\"");
	json("q\"b\\s", "\"q\\\"b\\\\s\"");
	json("a\nb\x1b", "\"a\\nb\\u001b\"");
	json("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	json("\xc2\x85", "\"\\u0085\"");
	json("x\xffy", "\"x\\ufffdy\"");
	json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	json(NULL, "null");

	/* Prometheus: the format's three escapes, after the terminal's. */
	label("main.cache", ",var=\"main.cache\"");
	label("a\"b\\c", ",var=\"a\\\"b\\\\c\"");
	label("a\nb", ",var=\"a\\\\x0ab\"");
	label("x\xffy", ",var=\"x\\\\xffy\"");

	return md_test_done("text_safe");
}
