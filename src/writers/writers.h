/* writers.h - who is writing: after the release, walk every captured
 * thread's stack copies (stackwalk.h), name the frames, find the threads
 * inside the runtime's map write paths (goruntime/gofacts_write.h), and
 * prove which map each one writes where DWARF allows: the location of the
 * write function's map parameter at the frame's pc (a register in the
 * innermost frame, else a stack slot at CFA+offset, read from the stack
 * copy taken during the stop).  The result is the report's thread
 * analysis (report.h).
 */
#ifndef MD_WRITERS_H
#define MD_WRITERS_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "md_cfi.h"
#include "capture.h"
#include "report.h"

/* Analyse every captured thread.  cfi: NULL for frame pointers only.
 * lines: also fill file:line of every frame (the first use of a big
 * compile unit's line table is slow); without it only a writer's user
 * frames get them.  minor/swiss pick the release's write-path table; bias
 * is the load bias.  MD_E_NOMEM. */
md_status md_writers_analyse(md_dwarf *d, md_cfi *cfi, const md_threads *ts, uint64_t bias,
                             int minor, int swiss, int lines, md_thread_analysis *out,
                             md_err *err);

#endif
