/* pen.h - ANSI colour for the text printers: a FILE and whether to colour.
 * Every colour is "" when colour is off, so a printer writes one format
 * string either way and its plain text is the coloured text without the
 * escapes. */
#ifndef MD_PEN_H
#define MD_PEN_H

#include <stdio.h>
#include "classify.h"

typedef struct md_pen {
	FILE *f;
	int color;
} md_pen;

static inline const char *md_pen_code(const md_pen *p, const char *code)
{
	return p->color ? code : "";
}

static inline const char *md_pen_bold(const md_pen *p)
{
	return md_pen_code(p, "\033[1m");
}

static inline const char *md_pen_dim(const md_pen *p)
{
	return md_pen_code(p, "\033[2m");
}

static inline const char *md_pen_red(const md_pen *p)
{
	return md_pen_code(p, "\033[31;1m");
}

static inline const char *md_pen_yellow(const md_pen *p)
{
	return md_pen_code(p, "\033[33;1m");
}

static inline const char *md_pen_green(const md_pen *p)
{
	return md_pen_code(p, "\033[32m");
}

/* back to the terminal's default after any of the above */
static inline const char *md_pen_off(const md_pen *p)
{
	return md_pen_code(p, "\033[0m");
}

/* green, yellow, red by severity */
static inline const char *md_pen_sev(const md_pen *p, md_sev s)
{
	return s == MD_SEV_CRITICAL ? md_pen_red(p)
	       : s == MD_SEV_WARNING ? md_pen_yellow(p) : md_pen_green(p);
}

#endif
