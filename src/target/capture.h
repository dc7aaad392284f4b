/* capture.h - what every thread was doing at the snapshot.
 *
 * While the target is stopped this module takes, per thread, only what
 * cannot be had later: registers (PTRACE_GETREGS through stop.h), the g it
 * runs, and a copy of its stack from SP up to the end of the g's stack (at
 * most MD_STACK_WINDOW bytes), all stacks in one batched read.  Buffers are
 * allocated and touched before the stop.  Unwinding (src/writers) then
 * runs on the copies after the target has been released: the pause pays
 * for bytes, not for DWARF.
 */
#ifndef MD_CAPTURE_H
#define MD_CAPTURE_H

#include <sys/types.h>
#include "md_status.h"
#include "mem.h"
#include "stop.h"
#include "goroutine.h"
#include "cunwind.h"

#define MD_STACK_WINDOW ((size_t)64 << 10)

typedef struct md_thread {
	pid_t tid;
	int regs_ok;
	md_regs regs;
	int g_ok;
	md_ginfo g;
	md_memcopy stack;        /* bytes point into buf */
	unsigned char *buf;      /* MD_STACK_WINDOW bytes */
	/* the goroutine a thread on g0 works for (systemstack, mcall): its own
	 * stack, from curg.sched.sp; cstack.len 0 when there is none */
	md_memcopy cstack;
	unsigned char *cbuf;
	/* the process's C-frame unwinder (the md_threads' own, shared): for
	 * md_unwind_c after the release; NULL without one */
	md_cunw *cu;
} md_thread;

typedef struct md_threads {
	md_thread *t;
	int n;       /* captured */
	int cap;     /* prepared */
	/* scratch of the capture, for cap threads */
	md_read *rd;
	md_regs *rg;
	md_ginfo *gi;
	int *gok;
	md_g_scratch gs;
	md_cunw *cu;  /* made before the stop, filled on first use after it */
} md_threads;

/* Before the stop: room for `expect` threads (plus slack), touched, and
 * read scratch in m for them.  gl: NULL if there is no g layout. */
md_status md_threads_prepare(md_threads *ts, int expect, const md_g_layout *gl,
                             md_mem *m, md_err *err);

/* During the stop: every held thread's registers, g and stack copy.  A
 * thread whose registers cannot be read is kept with regs_ok 0.  *grown
 * counts the buffers that had to grow (more threads than prepared). */
md_status md_threads_capture(md_threads *ts, md_stop *s, md_mem *m,
                             const md_g_layout *gl, uint64_t *grown, md_err *err);

/* The same from a core (nothing is stopped): every thread of its
 * NT_PRSTATUS notes with their registers, their g and stack copies read
 * from m (md_mem_open_core over c).  MD_E_NOMEM; unreadable stacks or
 * g's leave those threads without them, as in a live capture.  Threads
 * in C code get the C-frame unwinder of the core (cunwind.h), which reads
 * the executable from exe (the file md_target opened for the core: the
 * note's, or --exe; borrowed, outlives ts): a md_threads serves either
 * live captures or a core, not both. */
md_status md_threads_from_core(md_threads *ts, const md_core *c, const char *exe,
                               md_mem *m, const md_g_layout *gl, md_err *err);

void md_threads_free(md_threads *ts);

#endif
