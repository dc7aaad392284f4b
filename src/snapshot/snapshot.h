/* snapshot.h - the one owner of the pause.
 *
 * A snapshot is taken in two calls:
 *   md_snapshot_prepare, while the target runs: probes that size every
 *     buffer the reads will use, the buffers allocated and touched, the
 *     thread capture prepared, the DWARF reader's background work joined;
 *   md_snapshot_take: stop every thread, capture the threads' registers,
 *     g's and stacks, find the maps (scan's walk, when there is a finder),
 *     read them, release every thread.
 * Between the stop and the release nothing allocates (unless the target
 * grew beyond what the probes saw: then buffers grow, and the snapshot
 * counts it in pause_allocs), parses DWARF, takes a page fault on a buffer
 * of ours or prints: only batched reads run.  Everything that interprets
 * the bytes runs after md_snapshot_take returns, with the target running.
 */
#ifndef MD_SNAPSHOT_H
#define MD_SNAPSHOT_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "proc.h"
#include "mem.h"
#include "stop.h"
#include "capture.h"
#include "goroutine.h"
#include "allgs.h"
#include "mapread.h"

typedef enum md_find_mode {
	MD_FIND_PROBE,             /* before the stop: may allocate; sizes */
	MD_FIND_RECORD             /* during the stop: allocates only if the
	                              target grew since the probe */
} md_find_mode;

/* Where the maps to read come from when they are not fixed in advance:
 * find fills *maps / *n (and *slots, the entries *maps holds) and adds to
 * *grown every buffer it had to grow during MD_FIND_RECORD. */
typedef struct md_snapshot_finder {
	md_status (*find)(void *arg, md_mem *m, md_find_mode mode, md_mapread **maps,
	                  int *n, int *slots, uint64_t *grown, md_err *err);
	void *arg;
} md_snapshot_finder;

typedef struct md_snapshot {
	/* set by the caller before md_snapshot_prepare */
	const md_proc *proc;       /* the target (its pid and start time) */
	md_dwarf *dw;              /* settled before the stop */
	md_mem *mem;
	int stop_timeout_ms;
	md_mapread *maps;          /* the maps to read ... */
	int nmaps;
	const md_snapshot_finder *finder;  /* ... or where to find them */
	int speculate;             /* read every map in one round when nothing
	                              moved since the probe (md_mapread_ctx) */
	md_threads *threads;       /* capture threads here; NULL: none */
	const md_g_layout *gl;     /* g layout for the capture; NULL: none */
	/* every goroutine's status and g.sched, read after the maps when one
	 * of them has its writing flag set (or always): the writers parked
	 * inside a write are on no thread (writers/parked.h).  NULL: never */
	md_allgs_buf *goroutines;
	const md_allgs_loc *al;    /* with goroutines (and gl) */
	int goroutines_always;     /* read them even when no flag is set */
	/* internal */
	md_mapread_ctx ctx;
	int slots;
	/* results of md_snapshot_take */
	md_stop_stats stop;        /* pause, threads held, ... */
	uint64_t reads;            /* read system calls during the pause */
	uint64_t pause_allocs;     /* buffers that grew inside the pause (page
	                              faults inside it: stop.faults) */
} md_snapshot;

/* Everything before the stop (see above).  MD_E_NOPROC / MD_E_ZOMBIE /
 * MD_E_PIDREUSE when the target is gone or replaced, MD_E_EXITED,
 * MD_E_NOMEM; the finder's errors. */
md_status md_snapshot_prepare(md_snapshot *sn, md_err *err);

/* Stop, read, capture, release.  Per-map read failures are the maps' own
 * (md_mapread.rstatus); returned are the stop's errors (md_stop_all) and
 * MD_E_EXITED / MD_E_SYS / MD_E_NOMEM of the reads.  The target is
 * released whatever happens. */
md_status md_snapshot_take(md_snapshot *sn, md_err *err);

void md_snapshot_free(md_snapshot *sn);

#endif
