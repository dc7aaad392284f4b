/* writers.h - who is writing: after the release, name every thread's
 * frames, find the threads inside the runtime's map write paths
 * (src/gofacts_write), and prove which map each one writes where DWARF
 * allows: the location of the write function's map parameter at the frame's
 * pc (a register in the innermost frame, else a stack slot at CFA+offset,
 * read from the stack copy taken during the stop).
 */
#ifndef MD_WRITERS_H
#define MD_WRITERS_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "threads.h"
#include "gofacts_write.h"

typedef struct md_sframe {
	uint64_t pc;            /* run-time address */
	char func[256];         /* "?" when no function contains pc */
	char file[256];         /* "" unless asked for, or unknown */
	int line;
	int runtime;            /* runtime or internal/runtime code */
} md_sframe;

typedef struct md_tinfo {
	pid_t tid;
	uint64_t g;             /* the g the thread ran */
	int64_t goid;           /* its goid, or curg's when on g0; 0 if none */
	int nframes;            /* frames of the thread's stack, then (when on
	                           g0 for a goroutine) the goroutine's */
	int ncur;               /* how many of them are the thread's own */
	md_sframe *frames;
	int writer;             /* a frame is in a map write path */
	const md_write_path *wp;/* the outermost such frame's entry */
	int growing;            /* a growth function is on the stack */
	uint64_t map;           /* the header it writes, when proven; else 0 */
	int first_user;         /* first frame outside the runtime below the
	                           write path (-1 if none) */
} md_tinfo;

typedef struct md_tanalysis {
	md_tinfo *t;
	int n;
} md_tanalysis;

/* Analyse every captured thread.  lines: also fill file:line of every frame
 * (first use of a big compile unit's line table costs tens of ms); without
 * it only a writer's user frames get them.  minor/swiss pick the release's
 * write-path table; bias is the load bias. */
md_status md_writers_analyse(md_dwarf *d, const md_threads *ts, uint64_t bias,
                             int minor, int swiss, int lines,
                             md_tanalysis *out, md_err *err);
void md_tanalysis_free(md_tanalysis *a);

#endif
