/* json.h - the pieces every JSON printer shares. */
#ifndef MD_JSON_H
#define MD_JSON_H

#include <stdio.h>
#include "report.h"

/* s as a JSON string: quotes, backslashes and control characters (below
 * 0x20, and DEL) escaped; bytes of 0x80 and above copied as they are.
 * NULL prints null. */
void md_json_str(FILE *f, const char *s);

/* One map's object without its closing brace (the caller may add
 * members), as attach prints it. */
void md_json_map_open(FILE *f, const md_report *r, const md_map_report *m);

#endif
