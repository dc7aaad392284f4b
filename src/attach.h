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

#endif
