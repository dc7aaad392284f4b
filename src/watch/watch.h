/* watch.h - mapdiag watch: sample map headers over time without stopping
 * the target (process_vm_readv only, no ptrace), and report.
 *
 * Sampling runs on absolute deadlines, so a slow report does not shift the
 * sample grid.  Every every_ns, and once more at the end of the window, the
 * statistics so far (md_watch_report) go to the caller's sink, which
 * prints them (src/report/print.h); the engine itself prints nothing.
 */
#ifndef MD_WATCH_H
#define MD_WATCH_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "watchstat.h"
#include "report.h"

typedef struct md_watch_opts {
	pid_t pid;
	const char *const *vars;   /* paths (README "Paths") or header addresses */
	const char *const *types;  /* per var: a header address's map type
	                              (--type); NULL: none */
	int nvars;
	const char *debug_file;    /* --debug-file */
	const char *debug_dir;     /* --debug-dir */
	uint64_t interval_ns;      /* between samples (--interval) */
	uint64_t every_ns;         /* between reports (--every) */
	uint64_t duration_ns;      /* window (--duration); 0: unbounded */
	uint64_t count;            /* samples (--count); 0: unbounded */
	md_watch_thresholds th;    /* --stuck, --parked, --hot */
} md_watch_opts;

/* Where the reports go. */
typedef struct md_watch_sink {
	/* once, before sampling: the variables resolved (r->maps[i].status
	 * says which will not be watched, and why) */
	void (*start)(void *arg, const md_watch_report *r);
	/* every every_ns, and at the end of the window (r->final) */
	void (*report)(void *arg, const md_watch_report *r);
	void *arg;
} md_watch_sink;

/* Run a window: sample, report, summarise at the end.  Returns the exit
 * code (md_watch_exit_code) with err set for a process-level error: before
 * the window (then nothing was reported), or the target exited (then the
 * final report's end holds it too).  *stop (may be NULL) ends the window early when
 * it becomes non-zero (a signal handler sets it). */
md_exit md_watch_run(const md_watch_opts *o, volatile sig_atomic_t *stop,
                     const md_watch_sink *sink, md_err *err);

#endif
