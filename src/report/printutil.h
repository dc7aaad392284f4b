/* printutil.h - small helpers that several printers share; internal to
 * src/report (the printers' contract is print.h). */
#ifndef MD_PRINTUTIL_H
#define MD_PRINTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "report.h"
#include "pen.h"

/* s (a string from the target or its DWARF: an exe path, a variable or
 * type name) made safe for a terminal: md_text_safe into one of a ring of
 * 8 static buffers, so that one printf may take several. */
const char *md_ts(const char *s);

/* s, or "" for NULL: watch's strings (var, exe) may be absent. */
const char *md_or_empty(const char *s);

/* The last component of path ("" for NULL). */
const char *md_path_base(const char *path);

/* "swiss" or "hmap". */
const char *md_impl_name(md_map_impl impl);

/* A finding's severity: "info", "warning", "critical".  A map of severity
 * INFO is "ok" (md_sev_name), but a finding of that severity is not "ok":
 * it informs. */
const char *md_finding_sev_name(md_sev s);

/* How many of v's findings to print: nfindings kept within the array. */
int md_verdict_nfindings(const md_verdict *v);

/* v / 10^decimals written exactly, trailing zeros dropped: with 9
 * decimals, nanoseconds as seconds ("0", "1.5", "12.000000001").  Integer
 * arithmetic, so a duration is never rounded by a double on its way out. */
const char *md_exact_decimal(uint64_t v, int decimals, char *buf, size_t n);

/* Time since the start of the watch window (0 if the clock went back). */
uint64_t md_watch_elapsed_ns(const md_watch_report *r);

/* The verdict line that ends a text report: "OK" green, "WARNING"
 * yellow, "CRITICAL" and "UNKNOWN" red. */
void md_text_exit(const md_pen *p, md_exit code);

/* "main.hotWriter (writers.go:24)", the file's full path with full; a
 * call inlined into the next frame says so: "... [inlined]". */
void md_frame_text(FILE *f, const md_frame_info *fr, int full);

/* A core of a concurrent-map fatal error (r->crash.found): who caught
 * it, on which map, and who else was inside a write of it; attach's and
 * scan's text reports print it under their first lines. */
void md_crash_text(const md_pen *p, const md_report *r);

#endif
