/* print.h - the printers: text for people, JSON for scripts, Prometheus
 * text exposition for fleets, one file per format (attach_text.c,
 * attach_json.c, scan_text.c, scan_json.c, watch_jsonl.c, watch_prom.c,
 * watch_tty.c).  They print a report (report.h) and decide nothing.
 *
 * Strings that came from the target or the command line are escaped for
 * JSON (json.h) and for Prometheus labels; the live view and summary of
 * watch show their control characters as '?'; attach and scan text print
 * them as they are.
 *
 * Every JSON object is described in doc/json-schema.md and its members
 * in doc/json-schema.json, which the tests check each object against:
 * a member added or changed here is added or changed there.
 */
#ifndef MD_PRINT_H
#define MD_PRINT_H

#include <stdio.h>
#include "md_status.h"
#include "report.h"
#include "prom.h"

/* How a run ends, as its command decided: every JSON object states it
 * first, as "status" and "exit_code", so that they and mapdiag's exit
 * status always agree; with exit code 3, cause is why (the first line
 * mapdiag says on stderr; NULL when none is known), "error". */
typedef struct md_print_end {
	md_exit code;
	const md_err *cause;
} md_print_end;

typedef struct md_print_opts {
	int color;                 /* ANSI colour (tty and no NO_COLOR) */
	int width;                 /* a terminal's columns: lines are cut to it
	                              with "…" and findings wrapped; 0: not a
	                              terminal, or --wide (lines as they are) */
	int verbose;               /* -v: header fields, tables, every finding,
	                              the long summary */
	int explain;               /* --explain: the four-state table, once */
	int perfdata;              /* perfdata on the status line (not on a
	                              terminal unless --wide: it is for the
	                              monitoring system) */
} md_print_opts;

/* attach */
void md_print_attach_text(FILE *f, const md_report *r, const md_print_opts *o);
void md_print_attach_json(FILE *f, const md_report *r, const md_print_end *end);

/* scan: the maps order[0..n) of the `listed` that md_scan_rank ranked
 * (n < listed: a terminal's default --top, "… N more") */
void md_print_scan_text(FILE *f, const md_scan_report *sr, const int *order, int n,
                        int listed, const md_print_opts *o);
/* scan --by owner: bytes by root function (or package variable) and by
 * package, at most top rows each (0: all), in place of the map table */
void md_print_scan_owners_text(FILE *f, const md_scan_report *sr, const md_scan_owners *ow,
                               int top, const md_print_opts *o);
/* scan --prom: mapdiag_build_info, the listed maps' bytes, the census's
 * counts and po->unix_time, every series with po's labels, written whole
 * to path */
md_status md_print_scan_prom(const char *path, const md_scan_report *sr, const int *order,
                             int n, const md_prom_opts *po, md_err *err);
void md_print_scan_json(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const md_scan_owners *owners,
                        const char *sort, const md_print_end *end);

/* watch: one JSON object on one line (JSON Lines); end is the exit code
 * so far, on the final report the one mapdiag exits with */
void md_print_watch_jsonl(FILE *f, const md_watch_report *r, const md_print_end *end);

/* Prometheus text exposition into path, atomically (md_publish): a
 * scraper never sees half a file.  Every series carries po's labels (its
 * unix_time is not used: the report has its own).  MD_E_SYS with the
 * reason on failure.  The file is left in place when watch ends, its last
 * report saying so (mapdiag_watch_running 0). */
md_status md_print_watch_prom(const char *path, const md_watch_report *r,
                              const md_prom_opts *po, md_err *err);

/* The live view: one line per map, redrawn in place (first = 1 on the
 * first call, which draws without moving the cursor up), fitted to width
 * columns (a narrower view below 118; 0: the full view, uncut). */
void md_print_watch_tty(FILE *f, const md_watch_report *r, int first, int color, int width);

/* The end-of-window summary for people. */
void md_print_watch_summary(FILE *f, const md_watch_report *r, int color, int width);

/* ps: one line per Go process, then a summary line; or one JSON object */
void md_print_ps_text(FILE *f, const md_ps_report *r);
void md_print_ps_json(FILE *f, const md_ps_report *r, const md_print_end *end);

#endif
