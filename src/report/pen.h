/* pen.h - ANSI colour for the text printers: a FILE and whether to colour.
 * Every colour code is empty when colour is off, so printers write the same
 * format strings either way. */
#ifndef MD_PEN_H
#define MD_PEN_H

#include <stdio.h>
#include "classify.h"

typedef struct pen {
	FILE *f;
	int color;
} pen;

static inline const char *md_pen_code(const pen *p, const char *code)
{
	return p->color ? code : "";
}
#define BOLD(p)  md_pen_code(p, "\033[1m")
#define DIM(p)   md_pen_code(p, "\033[2m")
#define RED(p)   md_pen_code(p, "\033[31;1m")
#define YEL(p)   md_pen_code(p, "\033[33;1m")
#define GRN(p)   md_pen_code(p, "\033[32m")
#define OFF(p)   md_pen_code(p, "\033[0m")

/* green, yellow, red by severity */
static inline const char *md_pen_sev(const pen *p, md_sev s)
{
	return s == MD_SEV_CRITICAL ? RED(p) : s == MD_SEV_WARNING ? YEL(p) : GRN(p);
}

#endif
