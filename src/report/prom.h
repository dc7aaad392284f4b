/* prom.h - the Prometheus text exposition format (0.0.4), shared by
 * watch --prom and scan --prom: label escaping, families, values, and a
 * file published whole (publish.h) for node_exporter's textfile
 * collector. */
#ifndef MD_PROM_H
#define MD_PROM_H

#include <stdint.h>
#include <stdio.h>
#include "md_status.h"

/* ",name=\"v\"" with the format's three escapes. */
void md_prom_label(FILE *f, const char *name, const char *v);
/* "# HELP" and "# TYPE" lines. */
void md_prom_family(FILE *f, const char *name, const char *type, const char *help);
/* "} v\n": an integer, a double (NaN, +Inf, -Inf; the shortest exact). */
void md_prom_end_u64(FILE *f, uint64_t v);
void md_prom_end_double(FILE *f, double v);

/* Write path whole with fn's content, or a one-line error naming what
 * failed (MD_E_SYS). */
typedef void (*md_prom_fn)(FILE *f, void *arg);
md_status md_prom_publish(const char *path, md_prom_fn fn, void *arg, md_err *err);
/* Whether md_prom_publish could write path (before the first sample),
 * with the same message if not. */
md_status md_prom_check(const char *path, md_err *err);

#endif
