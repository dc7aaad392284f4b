/* fit.h - text that fits a terminal: lines cut at its width with "…",
 * and paragraphs wrapped under a hanging indent.  Internal to src/report.
 *
 * Width is in display columns: one per UTF-8 code point (the names mapdiag
 * prints are ASCII or Latin text; md_ts has escaped control characters),
 * none for a control sequence (ESC [ ... m for colour, and the live view's
 * cursor moves).  A width <= 0 means no
 * terminal: text is written as it is. */
#ifndef MD_FIT_H
#define MD_FIT_H

#include <stddef.h>
#include <stdio.h>

/* The display columns of the n bytes at s. */
int md_fit_cols(const char *s, size_t n);

/* Write the n bytes of text (lines ending in '\n') to f, each line longer
 * than width cut to width - 1 columns and "…"; a cut inside coloured text
 * ends with a colour reset. */
void md_fit_write(FILE *f, const char *text, size_t n, int width);

/* Write s (one line, no '\n') as a paragraph: words filled to width, the
 * first line after `used` columns already printed on it, the next ones
 * indented by `indent` spaces; at most maxlines lines (0: no limit), the
 * last cut with "…" if s does not fit.  Each line ends with '\n'.  With
 * width <= 0, s on one line.  Returns the lines written. */
int md_fit_wrap(FILE *f, const char *s, int used, int indent, int width, int maxlines);

#endif
