/* test_fit.c - lines cut and paragraphs wrapped to a terminal's width
 * (src/report/fit.c), byte for byte. */
#include <stdlib.h>
#include "md_test.h"
#include "fit.h"

static char out[4096];

static const char *fit(const char *text, int width)
{
	FILE *f = fmemopen(out, sizeof out, "w");
	md_fit_write(f, text, strlen(text), width);
	fclose(f);
	return out;
}

static const char *wrap(const char *s, int used, int indent, int width, int maxlines, int *lines)
{
	FILE *f = fmemopen(out, sizeof out, "w");
	*lines = md_fit_wrap(f, s, used, indent, width, maxlines);
	fclose(f);
	return out;
}

int main(void)
{
	int n;
	/* columns: code points, colour sequences take none */
	T_EQ(md_fit_cols("abc", 3), 3);
	T_EQ(md_fit_cols("caf\xc3\xa9", 5), 4);
	T_EQ(md_fit_cols("\033[33;1mwarn\033[0m", 15), 4);
	T_EQ(md_fit_cols("\033[2K\033[?7lx", 10), 1);

	/* cut at the width with "…"; short lines and width 0 untouched */
	T_STR(fit("0123456789\nab\n", 6), "01234\xe2\x80\xa6\nab\n");
	T_STR(fit("0123456789\n", 0), "0123456789\n");
	T_STR(fit("0123456789", 10), "0123456789");
	/* a cut inside colour ends it; colour before the cut is kept whole */
	T_STR(fit("\033[1mabcdefgh\033[0m\n", 4), "\033[1mabc\xe2\x80\xa6\033[0m\n");
	T_STR(fit("\033[1mab\033[0mcdefgh\n", 4), "\033[1mab\033[0mc\xe2\x80\xa6\n");
	/* never half a UTF-8 character */
	T_STR(fit("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n", 3), "\xc3\xa9\xc3\xa9\xe2\x80\xa6\n");

	/* wrapped under a hanging indent, the first line after `used` */
	T_STR(wrap("one two three four", 0, 2, 10, 0, &n), "one two\n  three\n  four\n");
	T_EQ(n, 3);
	T_STR(wrap("one two three four", 4, 2, 10, 0, &n), "one\n  two\n  three\n  four\n");
	/* at most maxlines: the last cut with "…" */
	T_STR(wrap("one two three four", 0, 2, 10, 2, &n), "one two\n  three f\xe2\x80\xa6\n");
	T_EQ(n, 2);
	/* fits: one line; width 0: one line whatever its length */
	T_STR(wrap("short", 3, 2, 10, 1, &n), "short\n");
	T_STR(wrap("a long line that would wrap", 0, 2, 0, 1, &n), "a long line that would wrap\n");
	T_EQ(n, 1);
	/* a word longer than the line is cut, not looped on */
	T_STR(wrap("abcdefghijklmnopq", 0, 0, 8, 0, &n), "abcdefgh\nijklmnop\nq\n");
	/* a terminal too narrow for the indent: none */
	T_STR(wrap("one two three", 0, 6, 8, 0, &n), "one two\nthree\n");
	return md_test_done("fit");
}
