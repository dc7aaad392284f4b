/* ps.h - `mapdiag ps`: the Go processes of the machine, from /proc and
 * their executables' files alone.  Never ptrace, never a signal, never a
 * read of a process's memory: what gops shows, without an agent in the
 * target. */
#ifndef MD_PS_H
#define MD_PS_H

#include <sys/types.h>
#include "md_status.h"
#include "report.h"

typedef struct md_ps_opts {
	const pid_t *pids;         /* PID operands; NULL / 0: every process */
	int npids;
	const char *debug_dir;     /* as md_dwarf_opts.debug_dir; NULL default */
} md_ps_opts;

/* Fill *r (free with md_ps_report_free, whatever is returned): for each
 * process (each PID operand, or every numeric entry of /proc), skipping
 * kernel threads, zombies and processes that exit mid-listing: open
 * /proc/PID/exe and read its build info and where its DWARF is
 * (md_dwarf_locate, once per executable file); list it if it is Go.
 * Executables that cannot be opened (EACCES: another user's process) are
 * counted in r->unreadable.  A PID operand that is not listed goes into
 * r->missing with the reason (MD_E_NOPROC, MD_E_ZOMBIE, MD_E_PERM,
 * MD_E_NOEXE, MD_E_NOTELF, MD_E_NOTGO).
 *   MD_E_SYS    /proc cannot be read
 *   MD_E_NOMEM  out of memory */
md_status md_ps(const md_ps_opts *o, md_ps_report *r, md_err *err);

#endif
