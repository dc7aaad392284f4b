/* stop.h - the only code that calls ptrace.
 *
 * md_stop_all() takes every thread of a process into a ptrace-stop with
 * PTRACE_SEIZE + PTRACE_INTERRUPT (no SIGSTOP is sent, so no group-stop can
 * outlive us), following threads that appear (PTRACE_O_TRACECLONE) or exit
 * while it works.  md_stop_release() detaches every thread, handing back any
 * signal that arrived while it was stopped, so the target continues exactly
 * as it was; a process that was already in group-stop (SIGSTOPped) stays
 * stopped, as the kernel restores group-stop on detach.
 *
 * Signals that would end mapdiag (INT, TERM, HUP, QUIT, PIPE) are blocked
 * from the first seize to the last detach and delivered afterwards, so a
 * Ctrl-C can never leave the target stopped.  If mapdiag dies anyway
 * (SIGKILL, a crash), the kernel detaches every tracee: we never set
 * PTRACE_O_EXITKILL.  Nothing here writes target memory or registers.
 */
#ifndef MD_STOP_H
#define MD_STOP_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "regs.h"

typedef struct md_stop md_stop;

typedef struct md_stop_stats {
	uint64_t pause_ns;       /* first interrupt .. last detach */
	uint64_t stop_ns;        /* first interrupt .. all threads stopped */
	int threads;             /* threads held at the end of the stop */
	int threads_exited;      /* threads that exited while we worked */
	int signals_forwarded;   /* signals handed back at detach */
	int group_stopped;       /* the process was in group-stop already */
} md_stop_stats;

/* md_stop_all flags */
#define MD_STOP_REGS 1u   /* read each thread's registers as its stop arrives */

/* Stop every thread of pid.  timeout_ms bounds the wait for threads to reach
 * their stop (a thread in uninterruptible sleep reports late).  With
 * MD_STOP_REGS, md_stop_regs() answers from registers read during the stop
 * (where they cost the pause nothing) instead of reading them then.
 *   MD_E_PERM / MD_E_TRACED  ptrace refused (with a diagnosis)
 *   MD_E_NOPROC / MD_E_EXITED  the process is gone
 *   MD_E_STOPTIMEOUT  a thread did not stop in time (all were released)
 * On failure every thread already seized has been released. */
md_status md_stop_all(pid_t pid, int timeout_ms, unsigned flags, md_stop **out,
                      md_err *err);

/* Detach every thread and free s; fills stats. Safe to call once. */
md_status md_stop_release(md_stop *s, md_stop_stats *stats, md_err *err);

/* Read the registers of a held thread (PTRACE_GETREGS: read-only).
 *   MD_NOTFOUND  tid is not held        MD_E_EXITED  it died meanwhile */
md_status md_stop_regs(md_stop *s, pid_t tid, md_regs *out, md_err *err);

/* Thread ids currently held (valid between md_stop_all and release). */
int md_stop_threads(md_stop *s, const pid_t **tids);

#endif
