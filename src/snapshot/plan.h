/* plan.h - read plans: how to get from a variable to its map header.
 *
 * Built before the target stops (all DWARF work happens there: resolve.h),
 * executed while it is stopped.  A plan is a static address and a list of
 * steps; each step is one read of target memory (a pointer to follow, or a
 * slice header to index), with the constant offsets between reads folded
 * in.  The last step always reads the map value itself, a pointer to the
 * header (nil for a nil map).  Executing many plans at once costs one
 * batched read per round: one round per pointer hop, whatever the number
 * of variables.
 *
 * A path that goes through a goroutine's stack, an interface or a map key
 * was resolved while the target ran, up to its last such hop, into the
 * static address; its guards are the words that resolution read (the
 * interface's type word, the key's bytes and control byte at the entry's
 * slot, the goroutine's stack bounds and the frame's return address, every
 * pointer on the way).  They are read again in the first round and must
 * be as they were: otherwise the plan ends with MD_E_MOVED, never with a
 * header the path no longer leads to.
 */
#ifndef MD_PLAN_H
#define MD_PLAN_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mem.h"
#include "slicehdr.h"

#define MD_PLAN_MAX_STEPS 40
#define MD_PLAN_MAX_GUARDS 32
#define MD_GUARD_MAX 16      /* bytes one guard compares */

typedef enum md_step_kind {
	MD_STEP_DEREF,   /* cur = *(uint64*)cur */
	MD_STEP_SLICE    /* read {data, len} of a slice at cur; bounds-check;
	                    cur = data + index * elem_size */
} md_step_kind;

typedef struct md_step {
	md_step_kind kind;
	uint64_t add;        /* added to cur after the step */
	md_slice_hdr hdr;    /* MD_STEP_SLICE: as md_slice_hdr_get gave it */
	uint64_t index, elem_size;   /* MD_STEP_SLICE */
	int path_len;        /* expr[0..path_len) names what this step reads */
} md_step;

typedef enum md_guard_kind {
	MD_GUARD_SAME = 0,   /* the bytes are what resolution read */
	MD_GUARD_ABOVE,      /* a slice's len (int64) is still above want's
	                        (the index resolution took) */
	MD_GUARD_TOPHASH,    /* a classic slot is still full (tophash >= 5) */
	MD_GUARD_CTRL        /* a Swiss slot is still full (top bit clear) */
} md_guard_kind;

typedef struct md_guard {
	uint64_t addr;
	uint32_t len;        /* 1..MD_GUARD_MAX */
	md_guard_kind kind;
	int path_len;        /* expr[0..path_len) is what moved when it fails */
	unsigned char want[MD_GUARD_MAX];
	unsigned char got[MD_GUARD_MAX];   /* read by the last run */
} md_guard;

typedef struct md_plan {
	const char *expr;
	uint64_t base;       /* run-time address where the first step reads */
	int nsteps;
	md_step steps[MD_PLAN_MAX_STEPS];
	md_type_id map_type; /* the MD_TK_MAP type reached */
	int nguards;
	md_guard guards[MD_PLAN_MAX_GUARDS];
	/* execution state */
	int next;            /* next step to run */
	uint64_t cur;
	int done;
	md_status status;
	md_err err;
	uint64_t header;     /* result: header address, 0 for a nil map */
	uint64_t at[MD_PLAN_MAX_STEPS];   /* where each step of the last run read */
} md_plan;

/* The most bytes one step reads (a slice header). */
#define MD_PLAN_STEP_BYTES MD_SLICE_HDR_MAX

/* Resolve expr against DWARF and build its plan; bias is the load bias.
 * Package variables, .field and [N] on arrays and slices only (paths
 * that need the target's memory: md_plan_path, resolve.h).
 *   MD_E_BADEXPR MD_E_NOVAR MD_E_NOFIELD MD_E_NOTINDEX MD_E_RANGE
 *   MD_E_NOTMAP MD_E_DWARF, each with a detail for the user. */
md_status md_plan_build(md_dwarf *d, const char *expr, uint64_t bias,
                        md_plan *p, md_err *err);

/* Run plans[0..n) to completion in rounds of batched reads (the guards in
 * the first).  Each plan ends with done = 1 and its own status (MD_OK,
 * MD_E_NILPTR, MD_E_RANGE, MD_E_MEM, MD_E_MOVED).  Returns MD_E_EXITED if
 * the process vanished, MD_OK otherwise. */
md_status md_plan_run(md_mem *m, md_plan **plans, int n, md_err *err);

/* The reads one run of p makes: its steps and its guards. */
static inline int md_plan_nreads(const md_plan *p)
{
	return p->nsteps + p->nguards;
}

/* Speculation: after a run that ended in a header, the reads of every step
 * at the addresses that run used, to be made all at once (into buf, of
 * nsteps * MD_PLAN_STEP_BYTES), and of every guard (into the plan).  Fills
 * rd[0..md_plan_nreads(p)); returns that, or -1 if the last run did not
 * end in a header. */
int md_plan_spec_reads(md_plan *p, md_read *rd, unsigned char *buf);

/* After those reads: replay the plan on their bytes.  1 if every guard
 * holds, every hop led where it led before and the header is the same
 * (the plan's state is then that of a run); 0 if not (run the plan
 * again). */
int md_plan_spec_check(md_plan *p, const md_read *rd, const unsigned char *buf);

#endif
