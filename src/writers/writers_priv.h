/* writers_priv.h - what writers.c lends parked.c: one stack's frames named
 * and checked against the write paths exactly as a thread's are, so that
 * a goroutine on no thread is judged by the same test. */
#ifndef MD_WRITERS_PRIV_H
#define MD_WRITERS_PRIV_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "stackwalk.h"
#include "report.h"

/* Name the nf frames of a stack unwound from a saved resume pc (g.sched:
 * no register is known, frame 0's pc is looked up minus one) into
 * t->frames (allocated here), noting the write path, the map it writes
 * where DWARF puts the map parameter on the stack (src: the stack's
 * memory) and the first user frame; lines: file:line of every frame.
 * MD_E_NOMEM. */
md_status md_writers_name_stack(md_dwarf *d, md_thread_info *t, const md_frame *fr, int nf,
                                md_mem *src, uint64_t bias, int minor, int swiss, int lines,
                                md_err *err);

#endif
