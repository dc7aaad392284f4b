/* cunwind.h - the frames of C code: a thread blocked in libc or in a C
 * library, or in the executable's cgo part, has frames that only
 * .eh_frame describes (Go's .debug_frame does not cover them, and C code
 * keeps no frame-pointer chain).
 *
 * libunwind walks them through accessors of our own (as perf's
 * util/unwind-libunwind-local.c does), never through the live thread: the
 * stack is the copy capture.c took during the stop (or from a core), and
 * the unwind tables (.eh_frame_hdr, .eh_frame) and symbols come from the
 * mapped files on disk, found and checked as cfiles.h says: from
 * /proc/PID/maps and by inode for a live process, from the core's NT_FILE
 * note and by build id for a core.  So it all runs after the release and
 * adds nothing to the pause.  The files are read on the first C frame and
 * kept until md_cunw_free.
 *
 * The walk stops where the stack returns into the executable's Go text
 * ([runtime.text, runtime.etext)): from there the Go unwinder
 * (stackwalk.h) goes on.
 */
#ifndef MD_CUNWIND_H
#define MD_CUNWIND_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_core.h"
#include "mem.h"
#include "regs.h"

typedef struct md_cunw md_cunw;
struct md_frame;

/* An empty unwinder (nothing read yet) for a live process: NULL when out
 * of memory, which only means no C frames. */
md_cunw *md_cunw_new(void);

/* The same for the process of core (borrowed: it outlives the unwinder),
 * its executable read from exe where not NULL (md_cfiles.exe; borrowed
 * too).  The tid arguments below are then ignored. */
md_cunw *md_cunw_new_core(const md_core *core, const char *exe);
void md_cunw_free(md_cunw *c);

typedef enum md_code {
	MD_CODE_NONE = 0,  /* no file mapped there (the vDSO, anonymous) */
	MD_CODE_GO,        /* the executable's Go text */
	MD_CODE_C          /* a mapped file's code: a library, the C part */
} md_code;

/* What code pc is in.  tid is any thread of the process (its /proc entry
 * is read on the first call). */
md_code md_cunw_code(md_cunw *c, pid_t tid, uint64_t pc);

/* Walk C frames from r (whose pc is in C code) into out (at most max),
 * stack bytes from src.  Returns the number of frames; *go is set to the
 * registers (pc, sp, bp) of the first frame back in Go text, or has pc 0
 * when the walk ended in C (the thread's outermost frame, a frame without
 * unwind information, an unreadable stack).  Frame names point into the
 * mapped files, valid until md_cunw_free. */
int md_cunw_walk(md_cunw *c, pid_t tid, md_mem *src, const md_regs *r,
                 struct md_frame *out, int max, md_regs *go);

/* The symbol of the function containing pc (a return address unless
 * first), as the file's symbol table spells it: NULL if none. */
const char *md_cunw_name(md_cunw *c, pid_t tid, uint64_t pc, int first);

#endif
