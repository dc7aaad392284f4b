/* fit.c - lines cut and paragraphs wrapped to a terminal's width (see
 * fit.h). */
#include <string.h>
#include "fit.h"

static const char ellipsis[] = "\xe2\x80\xa6";   /* U+2026 */

/* Bytes of the control sequence at s (ESC [ parameters final, as ECMA-48
 * says: colours, and the live view's cursor moves and line erases), 0 if
 * none.  They take no column. */
static size_t sgr_len(const char *s, size_t n)
{
	if (n < 3 || s[0] != '\033' || s[1] != '[')
		return 0;
	for (size_t i = 2; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x40 && c <= 0x7e)
			return i + 1;
		if (c < 0x20 || c > 0x3f)
			return 0;
	}
	return 0;
}

/* Bytes of the UTF-8 character at s: continuation bytes belong to it. */
static size_t char_len(const char *s, size_t n)
{
	size_t k = 1;
	while (k < n && ((unsigned char)s[k] & 0xc0) == 0x80)
		k++;
	return k;
}

int md_fit_cols(const char *s, size_t n)
{
	int cols = 0;
	for (size_t i = 0; i < n;) {
		size_t g = sgr_len(s + i, n - i);
		if (g) {
			i += g;
			continue;
		}
		i += char_len(s + i, n - i);
		cols++;
	}
	return cols;
}

/* One line (without its '\n'), cut to width. */
static void fit_line(FILE *f, const char *s, size_t n, int width)
{
	if (width <= 0 || md_fit_cols(s, n) <= width) {
		fwrite(s, 1, n, f);
		return;
	}
	int cols = 0, coloured = 0;
	size_t i = 0;
	while (i < n) {
		size_t g = sgr_len(s + i, n - i);
		if (g) {
			/* "ESC[0m" and "ESC[m" end colour; another SGR starts it */
			if (s[i + g - 1] == 'm')
				coloured = !(g == 3 || (g == 4 && s[i + 2] == '0'));
			fwrite(s + i, 1, g, f);
			i += g;
			continue;
		}
		if (cols == width - 1)
			break;
		size_t c = char_len(s + i, n - i);
		fwrite(s + i, 1, c, f);
		i += c;
		cols++;
	}
	fputs(ellipsis, f);
	if (coloured)
		fputs("\033[0m", f);
}

void md_fit_write(FILE *f, const char *text, size_t n, int width)
{
	while (n) {
		const char *nl = memchr(text, '\n', n);
		size_t len = nl ? (size_t)(nl - text) : n;
		fit_line(f, text, len, width);
		if (nl)
			fputc('\n', f);
		len += nl != NULL;
		text += len;
		n -= len;
	}
}

int md_fit_wrap(FILE *f, const char *s, int used, int indent, int width, int maxlines)
{
	if (width <= 0 || used + md_fit_cols(s, strlen(s)) <= width) {
		fprintf(f, "%s\n", s);
		return 1;
	}
	/* a terminal too narrow for the indent gets none */
	if (indent > width / 2)
		indent = 0;
	int lines = 0, col = used;
	const char *p = s;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		/* the words that fit on this line */
		const char *end = p, *last = NULL;
		int c = col;
		while (*end) {
			const char *w = end;
			while (*w == ' ')
				w++;
			const char *we = w;
			while (*we && *we != ' ')
				we++;
			int wc = md_fit_cols(end, (size_t)(we - end));
			if (c + wc > width)
				break;
			c += wc;
			end = we;
			last = we;
		}
		int final = maxlines && lines + 1 == maxlines;
		if (!last) {
			/* a word longer than the line: cut it */
			last = p;
			int k = col;
			while (*last && *last != ' ' && k < width) {
				last += char_len(last, strlen(last));
				k++;
			}
			end = last;
		}
		if (final && *end) {
			/* the last line allowed and more to say: cut with "…" */
			const char *q = p;
			int k = col;
			while (*q && k < width - 1) {
				q += char_len(q, strlen(q));
				k++;
			}
			fwrite(p, 1, (size_t)(q - p), f);
			fprintf(f, "%s\n", ellipsis);
			return lines + 1;
		}
		fwrite(p, 1, (size_t)(end - p), f);
		fputc('\n', f);
		lines++;
		p = end;
		while (*p == ' ')
			p++;
		if (*p)
			fprintf(f, "%*s", indent, "");
		col = indent;
	}
	return lines;
}
