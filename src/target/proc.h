/* proc.h - facts about a process from /proc: existence, state, start time,
 * executable, load address, threads, tracer, and why ptrace may be refused.
 * Reads only; never signals or traces. */
#ifndef MD_PROC_H
#define MD_PROC_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"

typedef struct md_proc {
	pid_t pid;
	int exe_fd;                 /* open /proc/PID/exe, or -1 */
	char exe_path[4096];        /* readlink of /proc/PID/exe (" (deleted)"
	                               suffix kept) */
	unsigned long long start;   /* starttime, field 22 of /proc/PID/stat */
	char state;                 /* field 3 */
	char comm[64];
} md_proc;

/* Look the process up and open its executable.
 *   MD_E_NOPROC  no such process        MD_E_ZOMBIE  zombie or dead
 *   MD_E_PERM    /proc/PID/exe not readable (other user, no CAP_SYS_PTRACE)
 *   MD_E_NOEXE   no executable (a kernel thread: told by its stat flags,
 *                before /proc/PID/exe is tried) */
md_status md_proc_open(pid_t pid, md_proc *p, md_err *err);
void md_proc_close(md_proc *p);

/* The effective uid of the process (the second field of status's Uid:
 * line: what ps shows as USER).  MD_E_NOPROC if it is gone. */
md_status md_proc_euid(pid_t pid, uid_t *uid, md_err *err);

/* Re-read stat: MD_OK if pid still names the same process (same start time)
 * and it is alive; MD_E_PIDREUSE or MD_E_NOPROC/MD_E_ZOMBIE otherwise. */
md_status md_proc_recheck(const md_proc *p, md_err *err);

/* pid still names the process that started at `start` (starttime, as in
 * md_proc.start): MD_OK, else MD_E_PIDREUSE (it exited and the pid was
 * reused) or MD_E_NOPROC.  Once the process is seized it cannot be reaped,
 * so a check made then holds until it is released (see md_stop_all). */
md_status md_proc_verify(pid_t pid, unsigned long long start, md_err *err);

/* The number of threads of the process (num_threads), or -1 if it is
 * gone. */
int md_proc_count_threads(pid_t pid);

/* Load bias of the executable: start of its lowest file mapping with offset
 * 0 (matched by device and inode of exe_fd) minus load_vaddr. */
md_status md_proc_load_bias(const md_proc *p, uint64_t load_vaddr,
                            uint64_t *bias, md_err *err);

/* Thread ids of the process into out (at most max); returns how many, or -1
 * if the task directory cannot be read (process gone). */
int md_proc_tids(pid_t pid, pid_t *out, int max);

/* /proc/PID/task opened for md_proc_nthreads(), or -1 (process gone). */
int md_proc_task_fd(pid_t pid);

/* The process's thread count (num_threads), read afresh from a descriptor
 * of md_proc_task_fd(): one fstat, no open.  -1 on failure. */
int md_proc_nthreads(int fd);

/* State letter of a task (field 3 of /proc/PID/task/TID/stat: R, S, D, T,
 * t, Z, X...), or 0 if it is gone. */
char md_proc_task_state(pid_t pid, pid_t tid);

/* 1 if the task is, or within ~5 ms becomes, a zombie or gone: for the
 * EPERM and ENOENT that an exiting task gives before it is a zombie. */
int md_proc_task_ending(pid_t pid, pid_t tid);

/* TracerPid of a task, 0 if none, -1 if unknown. */
pid_t md_proc_tracer(pid_t tid);

/* Explain an EPERM from ptrace: fills err with MD_E_TRACED or MD_E_PERM and
 * a detail naming the tracer, CAP_SYS_PTRACE and kernel.yama.ptrace_scope. */
md_status md_proc_diagnose_eperm(pid_t pid, md_err *err);

#endif
