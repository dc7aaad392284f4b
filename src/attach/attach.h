/* attach.h - one `mapdiag attach`: resolve, stop, read, release, decode,
 * classify, find the writers.  The one entry point cmd/ calls.
 *
 * Order is the design: every DWARF lookup and every allocation whose size
 * we know happens while the target runs; the target is stopped only while
 * bytes are copied (src/snapshot); decoding, classifying and walking the
 * stacks happen after it runs again.  With --no-stop the maps are read
 * without a stop, in pairs of passes until each pair agrees
 * (src/snapshot/session.h).  With a core (--core) nothing is stopped:
 * the maps and the threads are read from the core (mem.h's core source)
 * the same way, and attributed and classified the same way.
 */
#ifndef MD_ATTACH_H
#define MD_ATTACH_H

#include <sys/types.h>
#include "md_status.h"
#include "classify.h"
#include "report.h"

typedef struct md_attach_opts {
	pid_t pid;
	const char *core;          /* --core: read this core, not process pid */
	const char *exe;           /* --exe: the core's executable */
	const char *const *vars;   /* paths (README "Paths") or header addresses */
	const char *const *types;  /* per var: a header address's map type
	                              (--type); NULL: none */
	int nvars;
	const char *debug_file;    /* --debug-file */
	const char *debug_dir;     /* --debug-dir (default /usr/lib/debug) */
	int stop_timeout_ms;       /* --stop-timeout */
	md_threads_mode threads;   /* --no-threads, default, --threads */
	int no_stop;               /* --no-stop */
	md_thresholds th;
} md_attach_opts;

/* Returns MD_OK when a report was produced (variables may still carry their
 * own errors), or the process-level error (no such process, not permitted,
 * not Go, no DWARF, exited...) with err filled.  r is always safe to free. */
md_status md_attach(const md_attach_opts *o, md_report *r, md_err *err);

#endif
