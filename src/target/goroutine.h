/* goroutine.h - which goroutine a stopped thread is running.
 *
 * Go keeps the running g in thread-local storage, and in R14 while Go code
 * (ABIInternal) runs.  The TLS slot is at fs_base-8 in internally linked
 * amd64 binaries; in externally linked ones (cgo) the system linker places
 * it (runtime.tlsg) among the C code's thread-locals, and the executable's
 * PT_TLS says where (md_dwarf_tls_offset).  Only the slot is right while a
 * thread runs C code: C may use R14 for anything.  The thread's g may be g0 (the scheduler stack) while
 * it runs runtime code on behalf of a goroutine; then m.curg names that
 * goroutine.  Offsets of g.goid, g.m and m.curg come from the target's DWARF
 * (the types of runtime.g0 and runtime.m0).
 */
#ifndef MD_GOROUTINE_H
#define MD_GOROUTINE_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mem.h"
#include "regs.h"

typedef struct md_g_layout {
	uint64_t goid_off;   /* runtime.g.goid */
	uint64_t m_off;      /* runtime.g.m */
	uint64_t curg_off;   /* runtime.m.curg */
	uint64_t g0_off;     /* runtime.m.g0 */
	uint64_t stack_off;  /* runtime.g.stack: {lo, hi uintptr} */
	uint64_t stack_lo_off, stack_hi_off;
	uint64_t sched_off;  /* runtime.g.sched: gobuf{sp, pc, ..., bp} */
	uint64_t sched_sp_off, sched_pc_off, sched_bp_off;
	int64_t tls_g_off;   /* the g slot, from fs_base (negative) */
	int tls_from_pt_tls; /* 1: placed by PT_TLS and runtime.tlsg */
} md_g_layout;

/* From DWARF (and the TLS slot from the symbol table and PT_TLS): MD_E_LAYOUT
 * if runtime.g or runtime.m lack the members. */
md_status md_g_layout_load(md_dwarf *d, md_g_layout *out, md_err *err);

typedef struct md_ginfo {
	uint64_t g;          /* the g the thread runs (0: none, e.g. a C thread) */
	int64_t goid;        /* its goid (0 for g0) */
	uint64_t curg;       /* m.curg: the user goroutine, 0 if none */
	int64_t curg_goid;   /* its goid, or 0 */
	uint64_t stack_lo;   /* bounds of g's stack, 0 if unread */
	uint64_t stack_hi;
	/* when the thread runs g0 on behalf of curg (systemstack, mcall): where
	 * curg stopped, saved in curg.sched, and its stack bounds */
	uint64_t curg_sp, curg_pc, curg_bp, curg_stack_hi;
	uint64_t curg_stack_lo;   /* curg.stack.lo: a signal handler's thread
	                             interrupted curg below curg_sp */
} md_ginfo;

/* Scratch of md_g_read_all for up to cap threads, made and touched before
 * a stop so that the reads during it take no page fault. */
typedef struct md_g_scratch {
	int cap;
	size_t gsz, msz;               /* the g and m blocks read */
	struct md_gwork *w;
	md_read *rd;
	struct md_gtag *tag;
	unsigned char *blocks;
} md_g_scratch;

md_status md_g_scratch_prepare(md_g_scratch *sc, const md_g_layout *l, int n,
                               md_err *err);
void md_g_scratch_free(md_g_scratch *sc);

/* The g each of n threads runs (through the TLS slot, else R14), its goid
 * and its m.curg, in two to four batched rounds of reads for all threads
 * at once: ok[i] is set for the threads that run a g (not, e.g., a thread
 * Go did not create).  sc: prepared scratch, or NULL (allocated here). */
md_status md_g_read_all(md_mem *m, const md_g_layout *l, const md_regs *r,
                        int n, md_ginfo *out, int *ok, md_g_scratch *sc, md_err *err);

#endif
