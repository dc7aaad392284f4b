/* proc.c - /proc facts (see proc.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "proc.h"
#include "testhook.h"

/* include/linux/sched.h: the task is a kernel thread (stat field 9). */
#define PF_KTHREAD 0x00200000UL

/* The first n - 1 bytes of the /proc file at path into buf, terminated:
 * the byte count, or -1 when it cannot be opened or read (the process or
 * thread is gone, or was never there). */
static ssize_t read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t got = read(fd, buf, n - 1);
	close(fd);
	if (got <= 0)
		return -1;
	buf[got] = '\0';
	return got;
}

/* Parse /proc/PID/stat.  comm may hold spaces and parentheses, so fields are
 * counted from the LAST ')'. */
static md_status read_stat(pid_t pid, char *state, unsigned long long *start,
                           char *comm, size_t ncomm, unsigned long *flags, md_err *err)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof buf) < 0)
		return md_err_set(err, MD_E_NOPROC, "%d", (int)pid);
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');
	if (!l || !r || r < l)
		return md_err_set(err, MD_E_SYS, "cannot parse %s", path);
	if (comm) {
		size_t len = (size_t)(r - l - 1);
		if (len >= ncomm)
			len = ncomm - 1;
		memcpy(comm, l + 1, len);
		comm[len] = '\0';
	}
	/* after ") ": field 3 is state; starttime is field 22 */
	char *p = r + 2;
	*state = *p;
	int field = 3;
	while (*p && field < 22) {
		if (*p == ' ' && ++field == 9 && flags)
			*flags = strtoul(p + 1, NULL, 10);
		p++;
	}
	*start = strtoull(p, NULL, 10);
	return MD_OK;
}

md_status md_proc_open(pid_t pid, md_proc *p, md_err *err)
{
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->exe_fd = -1;
	unsigned long flags = 0;
	md_status s = read_stat(pid, &p->state, &p->start, p->comm, sizeof p->comm, &flags, err);
	if (s != MD_OK)
		return md_err_set(err, s, "%d", (int)pid);
	if (p->state == 'Z' || p->state == 'X')
		return md_err_set(err, MD_E_ZOMBIE, "%d (%s)", (int)pid, p->comm);
	if (flags & PF_KTHREAD)
		return md_err_set(err, MD_E_NOEXE, "%d (%s): a kernel thread", (int)pid, p->comm);

	char path[64];
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, p->exe_path, sizeof p->exe_path - 1);
	if (n >= 0)
		p->exe_path[n] = '\0';
	/* Opening /proc/PID/exe works across mount namespaces and for a deleted
	 * (replaced on upgrade) binary: it is the very file that was executed. */
	p->exe_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->exe_fd < 0) {
		int e = errno;
		if (e == EACCES || e == EPERM)
			return md_err_set(err, MD_E_PERM, "cannot open %s", path);
		if (e == ENOENT && access(path, F_OK) != 0 && kill(pid, 0) != 0)
			return md_err_set(err, MD_E_NOPROC, "%d", (int)pid);
		/* An exiting process has lost its mm: ENOENT while it is still
		 * there.  It is exiting, not a kernel thread. */
		if (e == ENOENT && md_proc_task_ending(pid, pid))
			return md_err_set(err, MD_E_ZOMBIE, "%d (%s)", (int)pid, p->comm);
		return md_err_set(err, MD_E_NOEXE, "%d (%s): %s", (int)pid, p->comm,
		                  strerror(e));
	}
	md_test_hook("open");
	return MD_OK;
}

void md_proc_close(md_proc *p)
{
	if (p->exe_fd >= 0)
		close(p->exe_fd);
	p->exe_fd = -1;
}

md_status md_proc_recheck(const md_proc *p, md_err *err)
{
	char state;
	unsigned long long start;
	if (read_stat(p->pid, &state, &start, NULL, 0, NULL, err) != MD_OK)
		return md_err_set(err, MD_E_NOPROC, "%d", (int)p->pid);
	if (start != p->start)
		return md_err_set(err, MD_E_PIDREUSE, "%d", (int)p->pid);
	if (state == 'Z' || state == 'X')
		return md_err_set(err, MD_E_ZOMBIE, "%d (%s)", (int)p->pid, p->comm);
	return MD_OK;
}

md_status md_proc_verify(pid_t pid, unsigned long long start, md_err *err)
{
	char state;
	unsigned long long now;
	if (read_stat(pid, &state, &now, NULL, 0, NULL, err) != MD_OK)
		return md_err_set(err, MD_E_NOPROC, "%d", (int)pid);
	if (now != start)
		return md_err_set(err, MD_E_PIDREUSE, "%d", (int)pid);
	return MD_OK;
}

md_status md_proc_load_bias(const md_proc *p, uint64_t load_vaddr,
                            uint64_t *bias, md_err *err)
{
	struct stat st;
	if (fstat(p->exe_fd, &st) != 0)
		return md_err_set(err, MD_E_SYS, "fstat exe: %s", strerror(errno));
	char path[64], line[4608];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)p->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return md_err_set(err, errno == EACCES ? MD_E_PERM : MD_E_NOPROC,
		                  "cannot read %s", path);
	uint64_t best = UINT64_MAX;
	while (fgets(line, sizeof line, f)) {
		unsigned long long lo, hi, off, ino;
		unsigned maj, mnr;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &lo, &hi, perms, &off,
		           &maj, &mnr, &ino) != 7)
			continue;
		if (off != 0 || ino != (unsigned long long)st.st_ino ||
		    makedev(maj, mnr) != st.st_dev)
			continue;
		if (lo < best)
			best = lo;
	}
	fclose(f);
	if (best == UINT64_MAX)
		return md_err_set(err, MD_E_NOEXE,
		                  "the executable is not mapped in process %d", (int)p->pid);
	*bias = best - load_vaddr;
	return MD_OK;
}

char md_proc_task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (read_small(path, buf, sizeof buf) < 0)
		return 0;
	char *r = strrchr(buf, ')');
	return r && r[1] == ' ' && r[2] ? r[2] : 0;
}

int md_proc_task_ending(pid_t pid, pid_t tid)
{
	for (int k = 0; k < 20; k++) {
		char st = md_proc_task_state(pid, tid);
		if (st == 0 || st == 'Z' || st == 'X')
			return 1;
		struct timespec ts = { 0, 250000 };
		nanosleep(&ts, NULL);
	}
	return 0;
}

int md_proc_tids(pid_t pid, pid_t *out, int max)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		out[n++] = (pid_t)atoi(e->d_name);
	}
	closedir(d);
	return n;
}

int md_proc_task_fd(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int md_proc_nthreads(int fd)
{
	/* the kernel gives the task directory 2 + num_threads links
	 * (proc_task_getattr): one fstat, far cheaper than reading
	 * /proc/PID/stat, which formats some fifty fields */
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_nlink < 3)
		return -1;
	return st.st_nlink - 2 < (1u << 30) ? (int)(st.st_nlink - 2) : -1;
}

pid_t md_proc_tracer(pid_t tid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	pid_t t = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "TracerPid: %d", &t) == 1)
			break;
	fclose(f);
	return t;
}

static int yama_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

md_status md_proc_diagnose_eperm(pid_t pid, md_err *err)
{
	/* Look at every thread, not only the main one, and skip ourselves: a
	 * debugger may hold just one thread (strace -p TID), and when PTRACE_SEIZE
	 * fails on a later thread we already hold the earlier ones - the main
	 * thread's TracerPid is then our own pid, which is not the other
	 * tracer. */
	pid_t tids[256];
	int n = md_proc_tids(pid, tids, 256);
	pid_t self = getpid(), t = 0, tid = pid;
	for (int i = 0; i < n && t <= 0; i++) {
		pid_t x = md_proc_tracer(tids[i]);
		if (x > 0 && x != self) {
			t = x;
			tid = tids[i];
		}
	}
	if (t > 0) {
		char path[64], comm[64] = "?";
		snprintf(path, sizeof path, "/proc/%d/comm", (int)t);
		FILE *f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof comm, f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		if (tid != pid)
			return md_err_set(err, MD_E_TRACED,
			                  "thread %d of process %d is already traced by %d (%s)",
			                  (int)tid, (int)pid, (int)t, comm);
		return md_err_set(err, MD_E_TRACED, "process %d is already traced by %d (%s)",
		                  (int)pid, (int)t, comm);
	}
	int y = yama_scope();
	if (y >= 1 && geteuid() != 0)
		return md_err_set(err, MD_E_PERM,
		                  "ptrace of %d refused: kernel.yama.ptrace_scope is %d",
		                  (int)pid, y);
	if (y == 3)
		return md_err_set(err, MD_E_PERM,
		                  "ptrace of %d refused: kernel.yama.ptrace_scope is 3 (no attach)",
		                  (int)pid);
	return md_err_set(err, MD_E_PERM, "ptrace of %d refused", (int)pid);
}

int md_proc_count_threads(pid_t pid)
{
	int fd = md_proc_task_fd(pid);
	if (fd < 0)
		return -1;
	int n = md_proc_nthreads(fd);
	close(fd);
	return n;
}

md_status md_proc_euid(pid_t pid, uid_t *uid, md_err *err)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (read_small(path, buf, sizeof buf) < 0)
		return md_err_set(err, MD_E_NOPROC, "%d", (int)pid);
	const char *u = strstr(buf, "\nUid:");
	unsigned long r, e;
	if (!u || sscanf(u + 6, "%lu %lu", &r, &e) != 2)
		return md_err_set(err, MD_E_SYS, "cannot parse %s", path);
	*uid = (uid_t)e;
	return MD_OK;
}
