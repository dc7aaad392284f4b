/* target.h - the process being looked at, resolved: its /proc facts, its
 * DWARF, its load bias and its Go version.  What attach, watch and scan
 * each open first, before anything is read. */
#ifndef MD_TARGET_H
#define MD_TARGET_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "proc.h"

typedef struct md_target {
	md_proc proc;
	md_dwarf *dw;
	uint64_t bias;      /* load bias (0 unless PIE) */
	char go_version[64];
} md_target;

/* Look the process up, open its executable's DWARF (debug_file/debug_dir
 * as in md_dwarf_opts; either may be NULL) and find the load bias.  Errors
 * are the process-level ones of md_proc_open, md_dwarf_open and
 * md_proc_load_bias.  t is always safe to close. */
md_status md_target_open(pid_t pid, const char *debug_file, const char *debug_dir,
                         md_target *t, md_err *err);
void md_target_close(md_target *t);

#endif
