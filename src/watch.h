/* watch.h - mapdiag watch: sample map headers over time without stopping
 * the target (process_vm_readv only, no ptrace), and report.
 *
 * The sampler (src/watch.c) fills an md_watch_report at every reporting
 * interval; printers (src/print_watch.c) print it as a live terminal view,
 * JSON Lines, or Prometheus text exposition (node_exporter textfile
 * collector conventions).  Printers decide nothing.
 */
#ifndef MD_WATCH_H
#define MD_WATCH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "md_status.h"
#include "watchstat.h"
#include "attach.h"

typedef struct md_wmap {
	const char *expr;          /* as given */
	char type_name[256];       /* "map[string]int" */
	int swiss;                 /* impl */
	md_status status;          /* MD_OK, or why this variable is not
	                              watched (resolution error) */
	md_err err;
	md_wstat st;               /* statistics of the window so far */
	md_verdict v;              /* state + findings so far */
} md_wmap;

typedef struct md_watch_report {
	pid_t pid;
	const char *exe;
	const char *go_version;
	uint64_t start_ns, now_ns; /* monotonic: window start, this report */
	double unix_time;          /* wall-clock time of this report */
	uint64_t interval_ns;      /* sampling interval */
	uint64_t reads;            /* read system calls so far */
	int final;                 /* the summary at the end of the window */
	int exited;                /* the target exited during the window */
	int nmaps;
	md_wmap *maps;
} md_watch_report;

typedef struct md_watch_opts {
	md_attach_opts a;          /* pid, variables, debug files */
	uint64_t interval_ns;      /* between samples (--interval) */
	uint64_t every_ns;         /* between reports (--every) */
	uint64_t duration_ns;      /* window (--duration); 0: unbounded */
	uint64_t count;            /* samples (--count); 0: unbounded */
	md_wthresholds th;         /* --stuck, --parked, --hot */
	int json;                  /* JSON Lines on stdout */
	int tty;                   /* live view on stdout */
	int color;
	const char *prom;          /* --prom FILE */
} md_watch_opts;

/* Run a window: sample, report every every_ns, summarise at the end.
 * Returns the exit code (0/1/2 by the worst finding, 3 on any error) with
 * err set for a process-level error.  *stop (may be NULL) ends the window
 * early when it becomes non-zero (a signal handler sets it). */
int md_watch_run(const md_watch_opts *o, volatile int *stop, md_err *err);

/* One JSON object on one line (JSON Lines). */
void md_print_watch_jsonl(FILE *f, const md_watch_report *r);

/* Prometheus text exposition into path, atomically: written to a temporary
 * file in the same directory, then renamed over path, so a scraper never
 * sees half a file.  MD_E_SYS with the reason on failure. */
md_status md_print_watch_prom(const char *path, const md_watch_report *r, md_err *err);

/* The live view: one line per map, redrawn in place (first = 1 on the first
 * call, which draws without moving the cursor up). */
void md_print_watch_tty(FILE *f, const md_watch_report *r, int first, int color);

/* The end-of-window summary for people. */
void md_print_watch_summary(FILE *f, const md_watch_report *r, int color);

#endif
