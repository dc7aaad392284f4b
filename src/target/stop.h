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
 * Signals that would end mapdiag (INT, TERM, HUP, QUIT, PIPE, TSTP) are
 * blocked from the first seize to the last detach and delivered
 * afterwards, so a Ctrl-C can never leave the target stopped.  If mapdiag
 * dies anyway (SIGKILL, a crash), the kernel detaches every tracee: we
 * never set PTRACE_O_EXITKILL.  Nothing here writes target memory or
 * registers.
 *
 * Process-wide effects, for the whole of md_stop_all .. md_stop_release
 * (fine for a command-line tool; a library would need another way): the
 * signal mask of the calling thread; a SIGALRM handler with an
 * ITIMER_REAL timer (the stop timeout); waitpid(-1, __WALL), which would
 * also reap any child of ours; and SCHED_FIFO for the calling thread when
 * it may have it.  All are restored at the end.
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
	long faults;             /* page faults of the calling thread during
	                            the pause: each one lengthens it */
} md_stop_stats;

/* md_stop_all flags */
#define MD_STOP_REGS 1u   /* read each thread's registers as its stop arrives */

typedef struct md_stop_opts {
	pid_t pid;
	unsigned long long start;  /* the process's start time (md_proc.start):
	                              once seized, the pid must still name it
	                              (MD_E_PIDREUSE); 0: not checked */
	int timeout_ms;            /* bounds the wait for threads to reach their
	                              stop (uninterruptible sleep reports late) */
	unsigned flags;            /* MD_STOP_REGS */
} md_stop_opts;

/* Stop every thread of o->pid.  With MD_STOP_REGS, md_stop_regs()
 * answers from registers read during the stop (where they cost the pause
 * nothing) instead of reading them then.
 *   MD_E_PERM / MD_E_TRACED  ptrace refused (with a diagnosis)
 *   MD_E_NOPROC / MD_E_EXITED  the process is gone
 *   MD_E_PIDREUSE  the pid names another process than o->start's
 *   MD_E_STOPTIMEOUT  a thread did not stop in time (all were released)
 * On failure every thread already seized has been released. */
md_status md_stop_all(const md_stop_opts *o, md_stop **out, md_err *err);

/* Detach every thread and free s; fills stats (may be NULL).  Call once. */
void md_stop_release(md_stop *s, md_stop_stats *stats);

/* Read the registers of a held thread (PTRACE_GETREGS: read-only).
 *   MD_NOTFOUND  tid is not held        MD_E_EXITED  it died meanwhile */
md_status md_stop_regs(md_stop *s, pid_t tid, md_regs *out, md_err *err);

/* Thread ids currently held (valid between md_stop_all and release). */
int md_stop_threads(md_stop *s, const pid_t **tids);

#endif
