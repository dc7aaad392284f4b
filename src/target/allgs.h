/* allgs.h - every goroutine of the process, from runtime.allgs.
 *
 * The runtime keeps every g it ever made in allgs ([]*g, never shrunk: a
 * dead g is kept for reuse) with its status in g.atomicstatus.  A g that
 * is not running saved where it stopped in g.sched (gopark, gosched,
 * entersyscall all save pc, sp and bp there), so its stack can be unwound
 * from those three words while the target runs; a running g's registers
 * are only in its thread (capture.h).  The status values are the
 * runtime's constants (runtime/runtime2.go, _Gidle .. _Gpreempted),
 * unchanged from Go 1.14 to 1.27; the _Gscan bit is cleared here.
 */
#ifndef MD_ALLGS_H
#define MD_ALLGS_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mem.h"
#include "goroutine.h"

/* runtime/runtime2.go */
enum {
	MD_G_IDLE = 0, MD_G_RUNNABLE = 1, MD_G_RUNNING = 2, MD_G_SYSCALL = 3,
	MD_G_WAITING = 4, MD_G_DEAD = 6, MD_G_COPYSTACK = 8, MD_G_PREEMPTED = 9
};
#define MD_G_SCAN 0x1000u

/* A status as the runtime's tracebacks name it ("runnable", "waiting",
 * "preempted", ...); "?" for a value the runtime does not have. */
const char *md_gstatus_name(uint32_t status);

/* More goroutines than this is not a Go process we can make sense of. */
#define MD_ALLGS_MAX (1u << 22)

typedef struct md_gstate {
	uint64_t g;
	int64_t goid;
	uint32_t status;       /* without MD_G_SCAN */
	uint8_t waitreason;    /* g.waitreason (MD_G_WAITING); 0 if unknown */
	uint64_t sp, pc, bp;   /* g.sched */
	uint64_t stack_lo, stack_hi;
} md_gstate;

typedef struct md_allgs_loc {
	uint64_t allgs;        /* run-time address of runtime.allgs (a slice) */
	uint64_t status_off;   /* runtime.g.atomicstatus (its uint32) */
	int has_waitreason;
	uint64_t waitreason_off;   /* runtime.g.waitreason (a uint8) */
} md_allgs_loc;

/* Where allgs is, from DWARF (bias: the load bias).  MD_E_LAYOUT if the
 * runtime lacks it. */
md_status md_allgs_locate(md_dwarf *d, uint64_t bias, md_allgs_loc *out, md_err *err);

/* Room to read allgs during a stop: sized by md_allgs_prepare while the
 * target runs, so that md_allgs_capture inside the stop neither allocates
 * nor faults unless the target made goroutines since (then it grows and
 * counts it in grown). */
typedef struct md_allgs_buf {
	size_t cap;                /* g's the arrays hold */
	uint64_t *gs;              /* the slice's array */
	unsigned char *blk;        /* per g, the span of its fields we read */
	md_read *rd;
	md_gstate *g;              /* out: the live goroutines ... */
	size_t n;                  /* ... this many, in allgs order */
	uint64_t unreadable;       /* out: g's that could not be read */
	uint64_t grown;            /* captures that had to grow the buffers */
	int ok;                    /* the last capture succeeded */
} md_allgs_buf;

/* Probe allgs' length now and make room for it and some more (touched).
 * MD_E_EXITED / MD_E_SYS / MD_E_NOMEM / MD_E_MEM. */
md_status md_allgs_prepare(md_allgs_buf *b, md_mem *m, const md_g_layout *l,
                           const md_allgs_loc *loc, md_err *err);

/* Read every live goroutine into b->g / b->n (b->ok set on MD_OK): three
 * batched rounds (the slice, its array, every g).  Errors as
 * md_allgs_read's. */
md_status md_allgs_capture(md_allgs_buf *b, md_mem *m, const md_g_layout *l,
                           const md_allgs_loc *loc, md_err *err);

void md_allgs_buf_free(md_allgs_buf *b);

/* Every goroutine that is not dead or idle, in allgs order: *out is
 * malloc'd (free it), *n its length.  Two batched rounds of reads: the
 * slice, then every g.  A g that cannot be read is left out and counted
 * in *unreadable.  MD_E_EXITED / MD_E_SYS / MD_E_NOMEM; MD_E_MEM when
 * allgs itself cannot be read or is implausible. */
md_status md_allgs_read(md_mem *m, const md_g_layout *l, const md_allgs_loc *loc,
                        md_gstate **out, size_t *n, uint64_t *unreadable, md_err *err);

#endif
