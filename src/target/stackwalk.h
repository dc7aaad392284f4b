/* stackwalk.h - walk the stack of a stopped thread.
 *
 * Each step uses the CFI rule for the frame's pc when dwarf/ has one (Go's
 * .debug_frame: exact even in prologues and frameless leaf functions), and
 * falls back to the frame-pointer chain Go keeps on amd64 ([BP] = caller's
 * BP, [BP+8] = return address) where it has none.  Every address comes from
 * the target and is treated as hostile: the walk is bounded by a frame count,
 * stops at a zero or unreadable return address, and requires the stack
 * pointer to grow strictly, so a corrupt or cyclic chain ends it instead of
 * looping.  Memory comes from a memory source (mem.h): normally a copy of
 * the stack taken while the thread was stopped, so that the walk itself
 * runs after the release.
 */
#ifndef MD_STACKWALK_H
#define MD_STACKWALK_H

#include <stdint.h>
#include "regs.h"
#include "mem.h"
#include "md_cfi.h"
#include "cunwind.h"

#define MD_UNWIND_MAX 128

typedef enum md_unw_via {
	MD_UNW_REGS = 0,   /* frame 0: the registers themselves */
	MD_UNW_CFI,        /* caller found through a CFI rule */
	MD_UNW_FP,         /* ... through the frame-pointer chain */
	MD_UNW_EHFRAME     /* ... through .eh_frame: C code (cunwind.h) */
} md_unw_via;

typedef struct md_frame {
	uint64_t pc;       /* run-time address */
	uint64_t sp;
	uint64_t bp;
	uint64_t cfa;      /* 0 when unknown */
	md_unw_via via;
	const char *sym;   /* a C frame: its symbol (cunwind.h), or NULL */
} md_frame;

/* Walk from r: at most max frames into out; returns how many.  cfi may be
 * NULL (frame pointers only); bias is the load bias (pc - bias is what CFI is
 * looked up with). */
int md_unwind(md_mem *src, md_cfi *cfi, uint64_t bias, const md_regs *r, md_frame *out,
              int max);

/* A thread's stack in C code and Go code: where r's pc is in C code (cu
 * says, for the process of thread tid), C frames through .eh_frame, then,
 * back in Go text, md_unwind from there.  A walk that returns into
 * runtime.asmcgocall ends with it: asmcgocall ran the C function on the
 * system stack, and the goroutine's own frames are reached through
 * curg.sched (capture.h), not through this stack.  cu NULL, or a pc in Go
 * code: md_unwind alone; so too when C unwinding finds no caller of frame
 * 0 (a pc in the vDSO, which no file backs). */
int md_unwind_c(md_cunw *cu, pid_t tid, md_mem *src, md_cfi *cfi, uint64_t bias,
                const md_regs *r, md_frame *out, int max);

#endif
