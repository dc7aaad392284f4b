/* attach.h - one `mapdiag attach`: resolve, stop, read, release, decode,
 * classify.  The one entry point cmd/ calls.
 *
 * Order is the design: every DWARF lookup and every allocation whose size we
 * know happens while the target runs; the target is stopped only while bytes
 * are copied (a few batched reads); decoding and classifying happen after it
 * runs again.
 */
#ifndef MD_ATTACH_H
#define MD_ATTACH_H

#include <sys/types.h>
#include "md_status.h"
#include "classify.h"
#include "report.h"
#include "watchstat.h"

typedef struct md_attach_opts {
	pid_t pid;
	const char *const *vars;
	int nvars;
	const char *debug_file;    /* --debug-file */
	const char *debug_dir;     /* --debug-dir (default /usr/lib/debug) */
	int stop_timeout_ms;       /* --stop-timeout */
	int threads;               /* 0 --no-threads; 1 find writers (default);
	                              2 --threads: every stack, with lines */
	int no_stop;               /* --no-stop: read without stopping, twice
	                              per try until both reads agree */
	md_thresholds th;
} md_attach_opts;

/* Returns MD_OK when a report was produced (variables may still carry their
 * own errors), or the process-level error (no such process, not permitted,
 * not Go, no DWARF, exited...) with err filled.  r is always safe to free. */
md_status md_attach(const md_attach_opts *o, md_report *r, md_err *err);

/* ---- sessions: resolve once, read many times (mapdiag watch) ---------- */

typedef struct md_session md_session;

/* Resolve every variable and prepare reads, as md_attach does, for reading
 * without stopping.  r gets the variables (their own errors included);
 * process-level errors are returned. */
md_status md_session_open(const md_attach_opts *o, md_report *r, md_session **out,
                          md_err *err);

/* One sample of every map without stopping: up to `tries` pairs of passes;
 * x[i] (r->nmaps of them) gets the map's values from a pass the next pass
 * read identically, or ok = 0 (torn, or unreadable).  MD_E_EXITED when the
 * target is gone. */
md_status md_session_sample(md_session *ss, md_report *r, int tries, md_wsample *x,
                            md_err *err);

/* Read system calls made so far. */
uint64_t md_session_reads(const md_session *ss);

void md_session_close(md_session *ss);

#endif
