/* jsonout.c - the opening, error member and string escaper every JSON
 * object shares (see jsonout.h). */
#include <stdint.h>
#include <stdio.h>
#include "jsonout.h"
#include "utf8.h"

#ifndef MD_VERSION
#define MD_VERSION "0.0.0"
#endif

const char *md_jsonout_version(void)
{
	return MD_VERSION;
}

void md_jsonout_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		/* runs that need no escape go out in one write (a scan's JSON is
		 * tens of megabytes of paths): printable ASCII but the quote and
		 * the backslash, and well-formed UTF-8 that is not a control */
		const unsigned char *q = p;
		uint32_t cp;
		size_t k;
		for (;;) {
			if (*q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\') {
				q++;
				continue;
			}
			if (*q >= 0x80 && (k = md_utf8_seq(q, &cp)) && !md_utf8_is_control(cp)) {
				q += k;
				continue;
			}
			break;
		}
		if (q > p)
			fwrite(p, 1, (size_t)(q - p), f);
		if (!*q)
			break;
		k = md_utf8_seq(q, &cp);
		switch (*q) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			/* a control character, or bytes that are not UTF-8 (a file
			 * name from the target): JSON text must be Unicode */
			if (k)
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fputs("\\ufffd", f);
		}
		p = q + (k ? k : 1);
	}
	fputc('"', f);
}

void md_jsonout_open(FILE *f)
{
	fprintf(f, "{\"schema\":%d,\"mapdiag_version\":", MD_JSON_SCHEMA);
	md_jsonout_str(f, MD_VERSION);
}

void md_jsonout_error(FILE *f, const char *code, const char *message)
{
	fputs(",\"error\":{\"code\":", f);
	md_jsonout_str(f, code);
	fputs(",\"message\":", f);
	md_jsonout_str(f, message);
	fputc('}', f);
}
