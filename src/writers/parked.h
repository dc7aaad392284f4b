/* parked.h - writers on no thread: goroutines preempted or parked inside a
 * map write.
 *
 * A goroutine stopped mid-write (async or stack-check preemption in a
 * function the write calls, a GC assist that parks it, a stack growth) has
 * set the map's writing flag and is on no thread, so the threads' analysis
 * (writers.h) cannot see it.  The stop reads every goroutine's status and
 * g.sched when some map has its writing flag set (snapshot.h); after the
 * release each goroutine that is not running is unwound from g.sched (a
 * resume pc, its sp and bp) over a copy of its stack read now, its frames
 * judged by the threads' test (writers_priv.h), and the map taken from the
 * write function's map parameter where DWARF puts it on the stack (no
 * register of a parked goroutine is known).  The stacks are copied while
 * the target runs, first thing after the release, and allgs is read again
 * after the copy: a goroutine whose status or g.sched changed since the
 * stop has moved on, and its copy is not the snapshot's stack: it is not
 * judged, only counted (it may have been inside a write).
 */
#ifndef MD_PARKED_H
#define MD_PARKED_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "md_cfi.h"
#include "mem.h"
#include "allgs.h"
#include "capture.h"
#include "report.h"

typedef struct md_parked_src {
	md_dwarf *d;
	md_cfi *cfi;               /* NULL: frame pointers only */
	uint64_t bias;
	int minor, swiss;          /* the release's write-path table */
	const md_g_layout *gl;
	const md_allgs_loc *al;
	const md_allgs_buf *at_stop;  /* the goroutines read during the stop */
	const md_threads *ts;      /* the threads captured then: their g's are
	                              the threads' analysis's */
} md_parked_src;

/* The stacks of the goroutines that were on no thread at the stop. */
typedef struct md_parked {
	const md_gstate **g;       /* into at_stop */
	md_memcopy *stack;         /* per g: from g.sched.sp, at most
	                              MD_STACK_WINDOW bytes */
	int *moved;                /* per g: changed since the stop */
	size_t n;
	unsigned char *bytes;      /* what stack[] point into */
	uint64_t left_out;         /* not copied: past the bound on bytes, or
	                              unreadable */
} md_parked;

/* Right after the release, while the goroutines that were parked at the
 * stop most likely still are: copy their stacks (batched reads), then
 * read allgs again and mark each one whose status or g.sched changed
 * (moved).  Nothing to do (MD_OK) when the stop read no goroutines.
 * MD_E_NOMEM, MD_E_EXITED, MD_E_SYS; when the guard's allgs cannot be
 * read (MD_E_MEM), every goroutine counts as moved. */
md_status md_parked_copy(md_parked *pk, const md_parked_src *src, md_mem *m, md_err *err);

/* Unwind each copied goroutine that did not move, judge its frames as a
 * thread's, and put those inside a map write in out->parked (frames with
 * file:line, wp, growing, map when proven, gstate); the moved and left-out
 * ones that may have been inside a write at the stop (preempted, or
 * waiting for a reason a write can wait for: gofacts_park.h) are counted
 * in out->parked_unknown.  MD_E_NOMEM. */
md_status md_parked_find(const md_parked *pk, const md_parked_src *src,
                         md_thread_analysis *out, md_err *err);

void md_parked_free(md_parked *pk);

#endif
