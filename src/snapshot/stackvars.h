/* stackvars.h - the variables of every goroutine's frames, with where
 * their values can be read.
 *
 * Goroutines come from runtime.allgs (allgs.h).  A goroutine that is not
 * running is unwound from what it saved in g.sched; a running one from its
 * thread's registers when a stop captured them (capture.h), else it is
 * skipped and counted.  For each frame, the variables DWARF says are in
 * scope (md_dwarf_each_local) with their location at the frame's pc: the
 * innermost frame's own pc, a caller's return address minus one (inside
 * its call).  Stack slots are relative to the frame's CFA.  Go's ABI saves
 * no register across a call, so a value in a register is known only in the
 * innermost frame of a goroutine whose thread's registers were captured;
 * elsewhere it is "register lost", never guessed.  Values assembled from
 * registers or pieces are copied to synthetic addresses (MD_MEM_SYNTH_BASE
 * and up) that md_stackvars.synth_copy holds: read them through an overlay
 * (mem.h) with that copy.
 *
 * A goroutine's path name is "g<goid>/<function>/<variable>", the
 * function as the symbol table spells it ("main.(*T).run",
 * "main.main.func1"), "#k" after it for the k-th outer frame of the same
 * function (recursion).
 */
#ifndef MD_STACKVARS_H
#define MD_STACKVARS_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "md_cfi.h"
#include "mem.h"
#include "allgs.h"
#include "capture.h"

typedef struct md_stack_src {
	md_dwarf *d;
	md_cfi *cfi;               /* NULL: frame pointers only */
	uint64_t bias;
	const md_g_layout *gl;
	const md_allgs_loc *al;
	const md_threads *ts;      /* captured threads: running goroutines'
	                              registers; NULL: running ones skipped */
} md_stack_src;

typedef enum md_sv_status {
	MD_SV_OK = 0,              /* addr holds the value */
	MD_SV_OPTIMIZED_OUT,       /* no location at this pc */
	MD_SV_REGISTER_LOST        /* in a register not known here */
} md_sv_status;

typedef struct md_stackvar {
	int64_t goid;
	uint32_t gstatus;          /* MD_G_* */
	const char *func;          /* valid during the call */
	int occurrence;            /* 0: the innermost frame of func */
	int frame;                 /* 0: innermost */
	const md_local *local;
	md_type size_type;         /* md_dwarf_type of local->type */
	md_sv_status status;
	uint64_t addr;             /* MD_SV_OK: where to read the value */
	uint64_t g;                /* the goroutine's g */
	uint64_t cfa;              /* the frame's CFA (0: unknown): where its
	                              stack slots are, and CFA-8 its return
	                              address */
} md_stackvar;

typedef struct md_stackvars {
	unsigned char *synth;      /* values at MD_MEM_SYNTH_BASE + offset */
	size_t nsynth, cap_synth;
	md_memcopy synth_copy;     /* over synth, kept current */
	uint64_t goroutines;       /* unwound */
	uint64_t frames;
	uint64_t running;          /* running, no captured registers: skipped */
	uint64_t unreadable;       /* g's that could not be read */
} md_stackvars;

/* What to look at, and what to do with it; each returns non-zero to stop
 * (want: to skip).  func: frames of which functions (NULL: every frame
 * but the runtime's); want: which variables (NULL: all); fn: each one. */
typedef struct md_sv_visit {
	int64_t goid;              /* only this goroutine; -1: all */
	int (*func)(void *arg, const char *func);
	int (*want)(void *arg, const md_local *l, const md_type *t);
	int (*fn)(void *arg, const md_stackvar *v);
	void *arg;
} md_sv_visit;

/* Visit the variables.  MD_NOTFOUND when goid names no live goroutine;
 * MD_E_EXITED / MD_E_SYS / MD_E_NOMEM; MD_E_MEM when allgs cannot be read.
 * The synthetic copies of earlier calls are kept (addresses stay valid)
 * until md_stackvars_reset. */
md_status md_stackvars_each(md_stackvars *sv, const md_stack_src *src, md_mem *m,
                            const md_sv_visit *v, md_err *err);

void md_stackvars_reset(md_stackvars *sv);
void md_stackvars_free(md_stackvars *sv);

#endif
