/* target.h - the process being looked at, resolved: its /proc facts, its
 * DWARF, its load bias and its Go version.  What attach, watch and scan
 * each open first, before anything is read. */
#ifndef MD_TARGET_H
#define MD_TARGET_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "md_core.h"
#include "mem.h"
#include "proc.h"

typedef struct md_target {
	md_proc proc;
	md_dwarf *dw;
	uint64_t bias;      /* load bias (0 unless PIE) */
	char go_version[64];
	/* a core instead of a process (md_target_open_core) */
	int is_core;
	md_core core;
	char core_path[4096];
	int exe_checked;    /* the core's copy of the executable's first page
	                       was compared with the file: same bytes */
} md_target;

/* Look the process up, open its executable's DWARF (debug_file/debug_dir
 * as in md_dwarf_opts; either may be NULL) and find the load bias.  Errors
 * are the process-level ones of md_proc_open, md_dwarf_open and
 * md_proc_load_bias.  t is always safe to close. */
md_status md_target_open(pid_t pid, const char *debug_file, const char *debug_dir,
                         md_target *t, md_err *err);
/* A core instead of a process: the core (dwarf/md_core.h); the executable
 * it was dumped from, exe if given, else the file NT_FILE maps where the
 * auxiliary vector puts the program headers; its DWARF (debug_file,
 * debug_dir as above) and its load bias from the same mapping.  The
 * executable must be the one that ran: where the core holds its own copy
 * of the executable's first page (header, program headers, build-id
 * notes; kernels and gcore keep it), the file's first page must be the
 * same bytes, else MD_E_CORE naming both build ids.  A core that names
 * no files (dlv dump) needs exe; the entry point it recorded places the
 * file (md_core_place_exe), and a fixed executable whose entry point is
 * not the core's is refused the same way when the core lacks the page.
 * t->proc has the core's pid and the executable's path; nothing in /proc
 * is read.
 *   MD_E_CORE   not a core mapdiag reads; another executable's core
 *   MD_E_NOEXE  the executable cannot be opened (gone, or "(deleted)"):
 *               name it with --exe
 * and md_dwarf_open's errors.  t is always safe to close. */
md_status md_target_open_core(const char *core, const char *exe, const char *debug_file,
                              const char *debug_dir, md_target *t, md_err *err);

/* What a command looks at: a core when core is set (pid unused), else the
 * live process pid. */
typedef struct md_target_spec {
	pid_t pid;
	const char *core, *exe;            /* exe: with core only */
	const char *debug_file, *debug_dir;
	int recheck;   /* live: md_proc_recheck after the DWARF is read, for a
	                  command that takes no stop to pin the pid to it */
} md_target_spec;

/* md_target_open or md_target_open_core as sp says, then the memory
 * source over it (md_mem_open_live, md_mem_open_core); their errors.
 * t is always safe to close; m is open only on MD_OK. */
md_status md_target_open_spec(const md_target_spec *sp, md_target *t, md_mem *m,
                              md_err *err);

void md_target_close(md_target *t);

#endif
